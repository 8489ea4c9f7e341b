"""Provides the paste box: a multi-line editor that takes large pastes as plain text."""

from __future__ import annotations

from textual.widgets import TextArea

from assistant.i18n import _


class PasteBox(TextArea):
    """Multi-line input. Sending is a screen binding (Ctrl+S / Ctrl+J / Ctrl+Enter), not Enter."""

    DEFAULT_CSS = """
    PasteBox { height: 5; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(soft_wrap=True, tab_behavior="focus", **kwargs)  # type: ignore[arg-type]
        self.relocalize()

    def relocalize(self) -> None:
        self.placeholder = _("Paste the error message, log lines or what you see, then press Ctrl+S to send.")
