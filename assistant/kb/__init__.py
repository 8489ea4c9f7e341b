"""Provides the knowledge base: knowledge/ and rules/ loaded once into one immutable object.

`load_kb()` returns it or raises `KnowledgeBaseError` carrying every problem found;
`assistant.kb.check.check_all()` lists the problems without raising, for `ssl-assistant kb check`.
"""

from __future__ import annotations

from assistant.kb.load import KnowledgeBase, KnowledgeBaseError, Problem, VocabularyRow, load_kb

__all__ = ["KnowledgeBase", "KnowledgeBaseError", "Problem", "VocabularyRow", "load_kb"]
