"""Provides the ranked candidate list: score and title per diagnosis; choosing one opens "why?"."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from assistant.i18n import pick
from assistant.kb import KnowledgeBase
from assistant.model import Candidate


class CandidateList(OptionList):
    """Diagnoses ranked by score. Option ids are diagnosis ids."""

    DEFAULT_CSS = """
    CandidateList { height: auto; max-height: 8; }
    """

    def __init__(self, kb: KnowledgeBase, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.kb = kb
        self.shown: list[Candidate] = []

    def show(self, candidates: list[Candidate]) -> None:
        self.shown = list(candidates)
        self.relocalize()

    def relocalize(self) -> None:
        highlighted = self.highlighted
        self.clear_options()
        for candidate in self.shown:
            entry = self.kb.entries.get(candidate.id)
            title = pick(entry.title) if entry else candidate.id
            prompt = Text.assemble((f"{candidate.score:4.0%} ", "bold" if candidate.score >= 0.7 else ""), title)
            self.add_option(Option(prompt, id=candidate.id))
        if self.shown:
            self.highlighted = highlighted if highlighted is not None and highlighted < len(self.shown) else 0

    @property
    def current(self) -> str | None:
        """The highlighted diagnosis id, else the top one."""
        if not self.shown:
            return None
        index = self.highlighted if self.highlighted is not None else 0
        return self.shown[index].id
