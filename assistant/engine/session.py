"""Provides Session: the one guided-dialog engine that the TUI, `chat --jsonl` and the CLI drive.

CONTRACT STUB: the signatures below are what the faces call.
"""

from __future__ import annotations

from datetime import datetime

from assistant.kb import KnowledgeBase
from assistant.model import Candidate, EvidenceItem, FactValue, Finding, Step


class Session:
    def __init__(self, kb: KnowledgeBase, *, now: datetime, language: str = "en") -> None:
        raise NotImplementedError

    def say(self, text: str) -> None:
        """Take a paste or a free-text message: normalise, match, merge facts and candidates."""

    def answer(self, question_id: str, value: FactValue) -> None:
        """Record the answer to a question; `None` means "I don't know" (asked, not asked again)."""

    def record(self, findings: list[Finding], source: str = "probe") -> None:
        """Take probe or file findings: their facts and the diagnoses they support or refute."""

    def back(self) -> None:
        """Undo the last answer (the question may be asked again)."""

    def set_language(self, language: str) -> None: ...

    def next_step(self) -> Step:
        """AskQuestion | SuggestProbe | Finished; pure, deterministic for the same inputs."""
        raise NotImplementedError

    @property
    def candidates(self) -> list[Candidate]:
        raise NotImplementedError

    @property
    def facts(self) -> dict[str, FactValue]:
        raise NotImplementedError

    def why(self, diagnosis_id: str) -> list[EvidenceItem]:
        """The evidence that moved this diagnosis, in order: paste, answers, probes, rules."""
        raise NotImplementedError

    def transcript(self) -> list[dict[str, object]]:
        """What happened so far as plain data (for history, reports and `chat --jsonl`)."""
        raise NotImplementedError
