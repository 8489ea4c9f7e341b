"""Provides normalise(): a paste in any language -> Evidence (codes, facts, language). CONTRACT STUB."""

from __future__ import annotations

from assistant.model import Evidence


def normalise(text: str) -> Evidence:
    """Never raises, bounded time for any input (1 MB pastes, binary junk, ANSI escapes)."""
    raise NotImplementedError
