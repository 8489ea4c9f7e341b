"""Shared fixtures. Tests run offline; servers they start listen on 127.0.0.1 only."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
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


@pytest.fixture(autouse=True, scope="session")
def _private_history_dir():
    """Every command the tests run (in-process or as a subprocess) keeps its case history and
    settings in a throw-away folder, never in the user's real data or config directory."""
    with tempfile.TemporaryDirectory(prefix="ssl-assistant-tests-") as folder:
        saved = {name: os.environ.get(name) for name in ("SSL_ASSISTANT_DATA_DIR", "SSL_ASSISTANT_CONFIG_DIR")}
        os.environ["SSL_ASSISTANT_DATA_DIR"] = os.path.join(folder, "data")
        os.environ["SSL_ASSISTANT_CONFIG_DIR"] = os.path.join(folder, "config")
        yield
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def cli_env() -> dict[str, str]:
    """A clean environment for the CLI as a child process: no user locale, throw-away data and config."""
    return {
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "TERM": "xterm-256color",
        "PYTHONPATH": str(ROOT),
        "SSL_ASSISTANT_DATA_DIR": os.environ["SSL_ASSISTANT_DATA_DIR"],
        "SSL_ASSISTANT_CONFIG_DIR": os.environ["SSL_ASSISTANT_CONFIG_DIR"],
    }


def run_cli(*args: str, stdin: str | bytes | None = None, text: bool = True) -> subprocess.CompletedProcess:
    """`ssl-assistant ARGS` as a whole process, the way a user or a script runs it."""
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        capture_output=True,
        text=text,
        cwd=ROOT,
        input=stdin,
        env=cli_env(),
        timeout=120,
    )
