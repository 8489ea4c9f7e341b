"""Provides the Textual face of the assistant; the only package that imports Textual.

`make_app()` (in `assistant.ui.app`) builds the app for the CLI and for tests alike.
"""
