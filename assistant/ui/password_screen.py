"""Provides the password dialog for a locked PFX, keystore or encrypted key: a masked field, OK, Cancel.

The password is handed back to the files screen and used for one check only; it is never shown,
logged, kept in the history or written anywhere.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Static

from assistant.i18n import _, ngettext
from assistant.ui.inert import inert
from assistant.ui.localized import apply_bindings


class PasswordScreen(ModalScreen[str | None]):
    """Dismisses with the typed password, or None when the user cancels."""

    def __init__(self, files: list[str], *, wrong: bool = False) -> None:
        super().__init__()
        self.files = files
        self.wrong = wrong
        """The last password did not open the files: say so, and ask again."""
        apply_bindings(self, self.key_bindings())

    def key_bindings(self) -> list[Binding]:
        return [Binding("escape", "cancel", _("Cancel"), id="cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(id="password", classes="dialog"):
            yield Static(id="password-title", classes="dialog-title")
            yield Static(id="password-message")
            yield Input(password=True, id="password-input")
            with Horizontal(classes="dialog-buttons"):
                yield Button("", id="password-ok", variant="primary")
                yield Button("", id="password-cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.relocalize()
        self.query_one(Input).focus()

    def relocalize(self) -> None:
        apply_bindings(self, self.key_bindings())
        names = ", ".join(self.files)
        self.query_one("#password-title", Static).update(Text(_("Password needed")))
        if self.wrong:
            message = _("That password did not open {files}. Check it and try again.").format(files=names)
        else:
            message = ngettext(
                "{files} is protected by a password. Enter it to look inside.",
                "{files} are protected by a password. Enter it to look inside.",
                len(self.files),
            ).format(files=names)
        self.query_one("#password-message", Static).update(inert(message, "bold red" if self.wrong else ""))
        self.query_one("#password-input", Input).placeholder = _("Password")
        self.query_one("#password-ok", Button).label = _("Open")
        self.query_one("#password-cancel", Button).label = _("Cancel")

    @on(Input.Submitted, "#password-input")
    @on(Button.Pressed, "#password-ok")
    def _submit(self) -> None:
        self.dismiss(self.query_one("#password-input", Input).value)

    @on(Button.Pressed, "#password-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
