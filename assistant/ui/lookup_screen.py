"""Provides the lookup screen for support staff: type an error code, see the entry at once."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Markdown

from assistant.i18n import _, current_language
from assistant.kb import KnowledgeBase
from assistant.ui.inert import md_escape
from assistant.ui.localized import apply_bindings


class LookupScreen(Screen[None]):
    def __init__(self, kb: KnowledgeBase) -> None:
        super().__init__()
        self.kb = kb
        apply_bindings(self, self.key_bindings())

    def key_bindings(self) -> list[Binding]:
        return [Binding("escape,f3", "app.pop_screen", _("Back"), id="close")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(id="lookup-query")
        with VerticalScroll(id="lookup-scroll"):
            yield Markdown(id="lookup-result")
        yield Footer()

    def on_mount(self) -> None:
        self.relocalize()
        self.query_one(Input).focus()

    def relocalize(self) -> None:
        apply_bindings(self, self.key_bindings())
        self.query_one(Input).placeholder = _("Error code, number or message, e.g. ERR_CERT_DATE_INVALID or 0x800B0109")
        self.show(self.query_one(Input).value)

    @on(Input.Changed, "#lookup-query")
    def _changed(self, event: Input.Changed) -> None:
        self.show(event.value)

    def show(self, query: str) -> None:
        self.query_one("#lookup-result", Markdown).update(self.result_md(query))

    def result_md(self, query: str) -> str:
        from assistant.engine.lookup import lookup

        if not query.strip():
            return _("Type an error code, a number (-202, 0x800B0109) or a message to see what it means.")
        rows = lookup(query, self.kb)
        if not rows:
            return _("Nothing known matches {query}.").format(query="`" + md_escape(query) + "`")
        parts: list[str] = []
        shown: list[str] = []
        for row in rows[:8]:
            code = " ".join(part for part in (row.code, f"({row.number})" if row.number else "") if part)
            parts.append(f"### {md_escape(code or row.message)} · {md_escape(row.ecosystem)}")
            if row.message and row.code:
                parts.append(md_escape(row.message))
            shown += [d for d in row.diagnoses if d not in shown]
        for diagnosis_id in shown[:3]:
            parts.append(self.entry_md(diagnosis_id))
        return "\n\n".join(parts)

    def entry_md(self, diagnosis_id: str) -> str:
        from assistant.render import render_fix

        if diagnosis_id not in self.kb.entries:
            return ""
        return "---\n\n" + render_fix(self.kb, diagnosis_id, {}, current_language())
