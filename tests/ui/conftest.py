"""Fixtures for the TUI tests: the real knowledge base, a fixed clock, and the app factory."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from assistant.kb import KnowledgeBase
from assistant.kb.load import read

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    # read() rather than load_kb(): the UI must work on whatever entries exist today.
    return read()


@pytest.fixture(autouse=True)
def _steady_cursor(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cursors do not blink, so snapshots are the same on every run."""
    from textual.widgets import Input, TextArea

    monkeypatch.setattr(TextArea, "cursor_blink", False, raising=False)
    monkeypatch.setattr(Input, "cursor_blink", False, raising=False)


@pytest.fixture
def make(kb: KnowledgeBase, tmp_path: Path) -> Callable[..., Any]:
    from assistant.ui.app import make_app

    def factory(language: str = "en", **kwargs: Any) -> Any:
        kwargs.setdefault("files_root", tmp_path)
        return make_app(kb, language=language, clock=lambda: NOW, **kwargs)

    return factory


async def wait_for_group(app: Any, group: str) -> None:
    """Wait for one group's workers: the directory tree's loader worker lives as long as the tree.

    (`wait_for_complete([])` would wait for every worker, so an empty group returns at once.)
    """
    workers = [worker for worker in app.workers if worker.group == group]
    if workers:
        await app.workers.wait_for_complete(workers)
