"""Shared fixtures. Tests run offline; servers they start listen on 127.0.0.1 only."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _english_by_default():
    """Every test starts in English; a test that switches language does not leak it."""
    from assistant.i18n import set_language

    set_language("en")
    yield
    set_language("en")
