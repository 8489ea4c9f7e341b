"""Provides lookup(): an error code, number (any common form) or message -> vocabulary rows. CONTRACT STUB."""

from __future__ import annotations

from assistant.kb import KnowledgeBase, VocabularyRow


def lookup(query: str, kb: KnowledgeBase) -> list[VocabularyRow]:
    """Exact and instant: identifiers any case, numbers as -202 / 0x800B0109 / 2148204809, exact messages.

    Best matches first; empty when nothing is known. The index is built once per KnowledgeBase.
    """
    raise NotImplementedError
