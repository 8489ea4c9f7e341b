"""Provides the "why?" view: the evidence that moved one diagnosis, and how to tell it apart."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Markdown, Static

from assistant.i18n import _, pick
from assistant.kb import KnowledgeBase
from assistant.model import EvidenceItem
from assistant.ui.inert import inert
from assistant.ui.localized import apply_bindings


class WhyScreen(ModalScreen[None]):
    """Evidence table (source, weight, what was seen) plus the entry's "how to tell it apart"."""

    def __init__(self, kb: KnowledgeBase, diagnosis_id: str, evidence: list[EvidenceItem]) -> None:
        super().__init__()
        self.kb = kb
        self.diagnosis_id = diagnosis_id
        self.evidence = evidence
        apply_bindings(self, self.key_bindings())

    def key_bindings(self) -> list[Binding]:
        return [Binding("escape,f7", "dismiss", _("Close"), id="close")]

    def compose(self) -> ComposeResult:
        with Vertical(id="why", classes="dialog"):
            yield Static(id="why-title", classes="dialog-title")
            with VerticalScroll():
                yield DataTable(id="why-evidence", cursor_type="row", zebra_stripes=True)
                yield Markdown(id="why-distinguish")
        yield Footer()

    def on_mount(self) -> None:
        self.relocalize()

    def source_names(self) -> dict[str, str]:
        return {
            "paste": _("paste"),
            "answer": _("answer"),
            "probe": _("probe"),
            "file": _("file"),
            "rule": _("rule"),
        }

    def relocalize(self) -> None:
        apply_bindings(self, self.key_bindings())
        entry = self.kb.entries.get(self.diagnosis_id)
        title = pick(entry.title) if entry else self.diagnosis_id
        self.query_one("#why-title", Static).update(Text(_("Why: {title}").format(title=title)))
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_columns(_("From"), _("Weight"), _("What was seen"))
        names = self.source_names()
        for item in self.evidence:
            style = "green" if item.weight > 0 else ("red" if item.weight < 0 else "")
            table.add_row(
                Text(names.get(item.source, item.source)),
                Text(f"{item.weight:+.2f}", style=style),
                inert(item.text),
            )
        if not self.evidence:
            table.add_row(Text("—"), Text(""), Text(_("No evidence recorded for this diagnosis.")))
        distinguish = pick(entry.distinguish) if entry else ""
        self.query_one("#why-distinguish", Markdown).update(
            "**" + _("How to tell it apart") + "**\n\n" + distinguish if distinguish else ""
        )

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
