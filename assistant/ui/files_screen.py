"""Provides the files screen: pick certificate, key and bundle files, check them, and show what is
inside each one, the findings, the load problems and the exact conversion commands (copyable).

The check runs in a worker thread over `assistant.files` (the same code as `ssl-assistant check`).
A locked PFX, keystore or key opens the password dialog; the password is used for that one check
and then dropped. Key material is never shown: a key is named by its type and size only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, DataTable, DirectoryTree, Footer, Header, Static, TabbedContent, TabPane

from assistant.i18n import _
from assistant.kb import KnowledgeBase
from assistant.model import Finding
from assistant.ui.inert import inert
from assistant.ui.localized import apply_bindings
from assistant.ui.probe_screen import STATUS_STYLE
from assistant.ui.widgets.progress_list import status_words

if TYPE_CHECKING:
    from assistant.files import FileReport
    from assistant.files.inspect import FileInventory, Item
    from assistant.ui.app import AssistantApp

OnFindings = Callable[[list[Finding], str, dict[str, Any]], None]
_LOCKED = ("password_needed", "wrong_password")


@dataclass(frozen=True, slots=True)
class Checked:
    """One finished check: the report and the conversion commands, grouped under their captions."""

    report: FileReport
    commands: list[tuple[str, list[str]]]
    password_given: bool

    @property
    def locked(self) -> list[str]:
        """The files a password did not (or could not yet) open."""
        return [Path(file).name for file, kind in self.report.problems if kind in _LOCKED]


def grouped(commands: list[tuple[str, str]]) -> list[tuple[str, list[str]]]:
    """convert.commands() continues a group with an empty caption: one copy button per group."""
    groups: list[tuple[str, list[str]]] = []
    for caption, command in commands:
        if caption or not groups:
            groups.append((caption, []))
        groups[-1][1].append(command)
    return groups


def check(paths: list[Path], password: bytes | None, now: Any) -> Checked:
    from assistant.files import judge, load_all
    from assistant.files.convert import commands

    loaded, problems = load_all(paths, password)
    report = judge(loaded, problems, now)
    return Checked(report, grouped(commands(loaded)), password is not None)


class FilesScreen(Screen[None]):
    def __init__(self, kb: KnowledgeBase, root: Path, on_findings: OnFindings | None = None) -> None:
        super().__init__()
        self.kb = kb
        self.root = root
        self.on_findings = on_findings
        self.selected: list[Path] = []
        self.checked: Checked | None = None
        apply_bindings(self, self.key_bindings())

    @property
    def assistant(self) -> AssistantApp:
        return self.app  # type: ignore[return-value]

    @property
    def findings(self) -> list[Finding] | None:
        return list(self.checked.report.findings) if self.checked is not None else None

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
            with TabbedContent(id="files-results"):
                with TabPane("", id="files-tab-contents"), VerticalScroll():
                    yield Static(id="files-problems")
                    yield DataTable(id="files-inventory", cursor_type="row", zebra_stripes=True)
                with TabPane("", id="files-tab-findings"):
                    yield DataTable(id="files-findings", cursor_type="row", zebra_stripes=True)
                with TabPane("", id="files-tab-convert"):
                    yield VerticalScroll(id="files-commands")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#files-results").display = False
        self.relocalize()
        self.query_one(DirectoryTree).focus()

    def relocalize(self) -> None:
        apply_bindings(self, self.key_bindings())
        self.query_one("#files-help", Static).update(
            Text(_("Choose the certificate, private key and bundle files (Enter adds or removes a file)."))
        )
        self.query_one("#files-check", Button).label = _("Check")
        tabs = self.query_one(TabbedContent)
        for pane, label in (
            ("files-tab-contents", _("What is inside")),
            ("files-tab-findings", _("Findings")),
            ("files-tab-convert", _("Conversion commands")),
        ):
            tabs.get_tab(pane).label = Text(label)
        self.show_selection()
        if self.checked is not None:
            self.show(self.checked)

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

    # -- checking ----------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="files")
    def run_check(self, paths: list[Path], password: bytes | None = None) -> None:
        try:
            checked = check(paths, password, self.assistant.clock())
        except Exception as error:  # noqa: BLE001 - the checker promises messages; the screen survives a bug
            message = _("Could not check the files: {error}").format(error=error)
            self.app.call_from_thread(self.notify, message, severity="error", markup=False)
            return
        self.app.call_from_thread(self.finished, paths, checked)

    def finished(self, paths: list[Path], checked: Checked) -> None:
        if checked.locked:
            from assistant.ui.password_screen import PasswordScreen

            def answered(password: str | None) -> None:
                if password is None:  # cancelled: show what could be read without it
                    self.take(checked)
                else:
                    self.run_check(paths, password.encode("utf-8"))

            self.app.push_screen(PasswordScreen(checked.locked, wrong=checked.password_given), answered)
            return
        self.take(checked)

    def take(self, checked: Checked) -> None:
        """Show the result and pass the findings and facts on to the case."""
        self.checked = checked
        self.show(checked)
        report = checked.report
        if self.on_findings is not None and report.findings:
            self.on_findings(list(report.findings), "file", dict(report.facts))

    # -- showing -----------------------------------------------------------------------------

    def show(self, checked: Checked) -> None:
        report = checked.report
        self.query_one("#files-results").display = True
        problems = [item.error for item in report.inventory if item.error]
        widget = self.query_one("#files-problems", Static)
        widget.update(inert("\n".join("⚠ " + text for text in problems), "bold red"))
        widget.display = bool(problems)
        self.show_inventory(report.inventory)
        self.show_findings(list(report.findings))
        self.show_commands(checked.commands)

    def show_inventory(self, inventories: tuple[FileInventory, ...]) -> None:
        table = self.query_one("#files-inventory", DataTable)
        table.clear(columns=True)
        # the short columns first: the names (often long distinguished names) scroll off to the right
        table.add_columns(_("File"), _("Type"), _("Key"), _("Valid"), _("Subject"), _("Issuer"))
        for inventory in inventories:
            if inventory.error:
                continue
            name = Path(inventory.path).name
            for item in inventory.items:
                table.add_row(*(inert(cell) for cell in (name, *self.describe(item))))
        table.display = table.row_count > 0

    def describe(self, item: Item) -> tuple[str, str, str, str, str]:
        """Type, key, validity, subject and issuer of one thing in a file (never the key itself)."""
        kinds = {
            "certificate": _("certificate"),
            "private_key": _("private key"),
            "csr": _("CSR"),
            "other": _("other"),
        }
        kind = kinds.get(item.kind, item.kind)
        if item.alias:
            kind = _("{kind} (alias {alias})").format(kind=kind, alias=item.alias)
        key = f"{item.key_type} {item.key_bits}" if item.key_type else ""
        if item.kind == "private_key" and not item.key_type:
            key = _("locked by its own password")
        elif item.encrypted:
            key = _("{key}, encrypted").format(key=key)
        subject = item.subject
        if item.kind in ("private_key", "csr") and item.belongs_to:
            subject = subject or _("belongs to {name}").format(name=item.belongs_to)
        valid = f"{item.not_before[:10]} → {item.not_after[:10]}" if item.not_after else ""
        return kind, key, valid, subject, item.issuer

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

    def show_commands(self, groups: list[tuple[str, list[str]]]) -> None:
        box = self.query_one("#files-commands", VerticalScroll)
        box.remove_children()
        if not groups:
            box.mount(Static(Text(_("No conversion applies to these files."), style="italic")))
            return
        for index, (caption, commands) in enumerate(groups):
            box.mount(Static(inert(caption), classes="step-title"))
            box.mount(Static(inert("\n".join(commands)), classes="command"))
            # name, not id: the old buttons may still be leaving when the new ones arrive
            box.mount(Button(_("Copy commands"), name=str(index), classes="copy-commands", compact=True))

    @on(Button.Pressed, ".copy-commands")
    def _copy(self, event: Button.Pressed) -> None:
        event.stop()
        index = int(event.button.name or 0)
        if self.checked is None or index >= len(self.checked.commands):
            return
        self.app.copy_to_clipboard("\n".join(self.checked.commands[index][1]))
        self.notify(_("Copied to the clipboard (if your terminal allows it)."), markup=False)
