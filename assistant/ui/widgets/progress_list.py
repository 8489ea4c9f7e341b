"""Provides the probe progress list: each check ticks from pending to pass, warn or fail."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from assistant.i18n import _, pick
from assistant.kb import KnowledgeBase

_MARKS = {
    None: ("…", "dim"),
    "running": ("◌", "bold"),
    "pass": ("✓", "bold green"),
    "warn": ("!", "bold yellow"),
    "fail": ("✗", "bold red"),
    "info": ("i", "cyan"),
    "error": ("?", "bold magenta"),
}


def status_words() -> dict[str | None, str]:
    """Each status (None: not started yet) as a word in the current language."""
    return {
        None: _("pending"),
        "running": _("running"),
        "pass": _("pass"),
        "warn": _("warning"),
        "fail": _("fail"),
        "info": _("info"),
        "error": _("error"),
    }


class ProgressList(Static):
    """One line per check: a mark, the check's localized name, and its status word."""

    DEFAULT_CSS = """
    ProgressList { height: auto; padding: 0 1; }
    """

    def __init__(self, kb: KnowledgeBase, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.kb = kb
        self.states: dict[str, str | None] = {}

    def reset(self, check_ids: list[str]) -> None:
        self.states = {check_id: None for check_id in check_ids}
        self.relocalize()

    def set_state(self, check_id: str, status: str | None) -> None:
        """`status` None means the check has started; otherwise pass/warn/fail/info/error."""
        self.states[check_id] = "running" if status is None else str(status)
        self.relocalize()

    def status_words(self) -> dict[str | None, str]:
        return status_words()

    def relocalize(self) -> None:
        words = self.status_words()
        lines = Text()
        for check_id, state in self.states.items():
            mark, style = _MARKS.get(state, ("?", ""))
            check = self.kb.checks.get(check_id)
            name = pick(check.text) if check else check_id
            lines.append(f" {mark} ", style=style)
            lines.append(name)
            lines.append(f"  {words.get(state, str(state))}\n", style=style)
        self.update(lines)
