"""Provides the assistant's widgets, one per module."""
