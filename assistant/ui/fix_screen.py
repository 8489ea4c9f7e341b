"""Provides the fix screen: the chosen diagnosis's fix steps, one tab per platform."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from assistant.i18n import _, pick
from assistant.kb import KnowledgeBase
from assistant.model import FactValue
from assistant.ui.localized import apply_bindings
from assistant.ui.widgets.fix_view import FixView


class FixScreen(Screen[None]):
    def __init__(self, kb: KnowledgeBase, diagnosis_id: str, facts: Callable[[], dict[str, FactValue]]) -> None:
        super().__init__()
        self.kb = kb
        self.diagnosis_id = diagnosis_id
        self.facts = facts
        apply_bindings(self, self.key_bindings())

    def key_bindings(self) -> list[Binding]:
        return [Binding("escape,f6", "app.pop_screen", _("Back"), id="close")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="fix-title", classes="dialog-title")
        yield FixView(self.kb, self.diagnosis_id, self.facts, id="fix-view")
        yield Footer()

    def on_mount(self) -> None:
        self.relocalize()

    def relocalize(self) -> None:
        apply_bindings(self, self.key_bindings())
        entry = self.kb.entries.get(self.diagnosis_id)
        title = pick(entry.title) if entry else self.diagnosis_id
        self.query_one("#fix-title", Static).update(Text(_("How to fix: {title}").format(title=title)))
