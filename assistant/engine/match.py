"""Provides match(): Evidence -> ranked Candidates. CONTRACT STUB."""

from __future__ import annotations

from assistant.kb import KnowledgeBase
from assistant.model import Candidate, Evidence


def match(evidence: Evidence, kb: KnowledgeBase) -> list[Candidate]:
    """Candidates sorted by score (descending), scores in [0, 1]; empty when nothing matches.

    The index over `kb` is built once per KnowledgeBase and cached, never per query.
    """
    raise NotImplementedError
