"""Provides the files screen: pick certificate, key and bundle files, check them, show the findings."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, DataTable, DirectoryTree, Footer, Header, Static

from assistant.i18n import _
from assistant.kb import KnowledgeBase
from assistant.model import Finding
from assistant.ui.inert import inert
from assistant.ui.localized import apply_bindings
from assistant.ui.probe_screen import STATUS_STYLE
from assistant.ui.widgets.progress_list import status_words

if TYPE_CHECKING:
    from assistant.ui.app import AssistantApp


class FilesUnavailable(Exception):
    pass


def check_files(paths: list[Path], now: Any) -> list[Finding]:
    """The file checker's findings; raises FilesUnavailable while assistant.files is not built."""
    try:
        files = importlib.import_module("assistant.files")
        checker = files.check_files
    except (ImportError, AttributeError) as error:
        raise FilesUnavailable from error
    try:
        result = checker(paths, now=now)
    except NotImplementedError as error:
        raise FilesUnavailable from error
    return list(getattr(result, "findings", result))


class FilesScreen(Screen[None]):
    def __init__(
        self,
        kb: KnowledgeBase,
        root: Path,
        on_findings: Callable[[list[Finding], str], None] | None = None,
    ) -> None:
        super().__init__()
        self.kb = kb
        self.root = root
        self.on_findings = on_findings
        self.selected: list[Path] = []
        self.findings: list[Finding] | None = None
        apply_bindings(self, self.key_bindings())

    @property
    def assistant(self) -> AssistantApp:
        return self.app  # type: ignore[return-value]

    def key_bindings(self) -> list[Binding]:
        return [
            Binding("escape,f5", "app.pop_screen", _("Back"), id="close"),
            Binding("ctrl+s", "check", _("Check"), id="check"),
            Binding("delete", "clear_selection", _("Clear"), id="clear"),
        ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="files"):
            yield Static(id="files-help")
            yield DirectoryTree(self.root, id="files-tree")
            with Horizontal(id="files-actions"):
                yield Static(id="files-selected")
                yield Button("", id="files-check", variant="primary")
            yield DataTable(id="files-findings", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#files-findings").display = False
        self.relocalize()
        self.query_one(DirectoryTree).focus()

    def relocalize(self) -> None:
        apply_bindings(self, self.key_bindings())
        self.query_one("#files-help", Static).update(
            Text(_("Choose the certificate, private key and bundle files (Enter adds or removes a file)."))
        )
        self.query_one("#files-check", Button).label = _("Check")
        self.show_selection()
        if self.findings is not None:
            self.show_findings(self.findings)

    def show_selection(self) -> None:
        names = ", ".join(path.name for path in self.selected) or _("no files chosen yet")
        self.query_one("#files-selected", Static).update(inert(_("Chosen: {files}").format(files=names)))

    @on(DirectoryTree.FileSelected)
    def _toggle(self, event: DirectoryTree.FileSelected) -> None:
        path = Path(event.path)
        if path in self.selected:
            self.selected.remove(path)
        else:
            self.selected.append(path)
        self.show_selection()

    def action_clear_selection(self) -> None:
        self.selected.clear()
        self.show_selection()

    @on(Button.Pressed, "#files-check")
    def action_check(self) -> None:
        if not self.selected:
            self.notify(_("Choose at least one file first."), markup=False)
            return
        self.run_check(list(self.selected))

    @work(thread=True, exclusive=True, exit_on_error=False, group="files")
    def run_check(self, paths: list[Path]) -> None:
        try:
            findings: list[Finding] | None = check_files(paths, self.assistant.clock())
        except FilesUnavailable:
            findings = None
        self.app.call_from_thread(self.finished, findings)

    def finished(self, findings: list[Finding] | None) -> None:
        if findings is None:
            self.notify(
                _("Checking files is not available yet in this version."),
                severity="warning",
                markup=False,
            )
            return
        self.findings = findings
        self.show_findings(findings)
        if self.on_findings is not None and findings:
            self.on_findings(findings, "file")

    def show_findings(self, findings: list[Finding]) -> None:
        table = self.query_one("#files-findings", DataTable)
        table.clear(columns=True)
        table.add_columns(_("Check"), _("Result"), _("What was seen"))
        words = status_words()
        for finding in findings:
            status = str(finding.status)
            table.add_row(
                Text(finding.check),
                Text(words.get(status, status), style=STATUS_STYLE.get(status, "")),
                inert(finding.evidence),
            )
        table.display = True
