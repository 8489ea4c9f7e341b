"""Provides the export dialog: save the case as a Markdown or HTML report at a chosen path.

The report is `assistant.report`'s, the same layout as `ssl-assistant report CASE`: the paste, the
conversation, the ranked causes, the findings and the fix, sandboxed and autoescaped."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, RadioButton, RadioSet, Static

from assistant.i18n import _, current_language
from assistant.ui.localized import apply_bindings

if TYPE_CHECKING:
    from assistant.ui.case_screen import CaseScreen


class ExportScreen(ModalScreen[Path | None]):
    def __init__(self, case: CaseScreen) -> None:
        super().__init__()
        self.case = case
        apply_bindings(self, self.key_bindings())

    def key_bindings(self) -> list[Binding]:
        return [Binding("escape", "close", _("Cancel"), id="cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(id="export", classes="dialog"):
            yield Static(id="export-title", classes="dialog-title")
            yield Input(str(Path.cwd() / "ssl-assistant-report.md"), id="export-path")
            with RadioSet(id="export-form"):
                yield RadioButton("Markdown", value=True, id="form-md")
                yield RadioButton("HTML", id="form-html")
            with Horizontal(classes="dialog-buttons"):
                yield Button("", id="export-save", variant="primary")
                yield Button("", id="export-cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.relocalize()
        self.query_one("#export-path", Input).focus()

    def relocalize(self) -> None:
        apply_bindings(self, self.key_bindings())
        self.query_one("#export-title", Static).update(Text(_("Save the case as a report")))
        self.query_one("#export-save", Button).label = _("Save")
        self.query_one("#export-cancel", Button).label = _("Cancel")

    @on(RadioSet.Changed)
    def _form_changed(self, event: RadioSet.Changed) -> None:
        path_input = self.query_one("#export-path", Input)
        suffix = ".html" if event.pressed.id == "form-html" else ".md"
        path_input.value = str(Path(path_input.value).with_suffix(suffix))

    @on(Button.Pressed, "#export-cancel")
    def action_close(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted, "#export-path")
    @on(Button.Pressed, "#export-save")
    def save(self) -> None:
        raw = self.query_one("#export-path", Input).value.strip()
        if not raw:
            self.notify(_("Enter a file name."), severity="warning", markup=False)
            return
        path = Path(raw).expanduser()
        form = "html" if self.query_one("#form-html", RadioButton).value else "md"
        text = self.case.report(form, current_language())
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as error:
            self.notify(
                _("Could not write {path}: {error}").format(path=path, error=error.strerror or error),
                severity="error",
                markup=False,
            )
            return
        self.notify(_("Saved the report to {path}").format(path=path), markup=False)
        self.dismiss(path)
