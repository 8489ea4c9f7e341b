"""SSL Assistant: explains SSL/TLS certificate errors and renders the fix in the user's language.

Importing this package imports nothing else, so the CLI starts fast.
"""

__version__ = "0.1.0"
