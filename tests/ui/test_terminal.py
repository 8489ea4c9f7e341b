"""The real `ssl-assistant` in a real terminal (tmux): paste, send, and read the screen."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from assistant.i18n import pick

pytestmark = pytest.mark.slow

EXE = Path(sys.executable).with_name("ssl-assistant")


def capture(session: str) -> str:
    return subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True).stdout


def wait_for(session: str, needle: str, seconds: float = 15) -> str:
    deadline = time.monotonic() + seconds
    screen = ""
    while time.monotonic() < deadline:
        screen = capture(session)
        if needle in screen:
            return screen
        time.sleep(0.1)
    raise AssertionError(f"{needle!r} never appeared; the screen was:\n{screen}")


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (./test installs it)")
def test_real_terminal_paste_shows_the_diagnosis(kb):
    session = f"ssl-assistant-{uuid.uuid4().hex[:8]}"
    subprocess.run(
        [
            "tmux",
            "new-session",
            "-d",
            "-x",
            "100",
            "-y",
            "30",
            "-s",
            session,
            "env",
            "LANG=en_US.UTF-8",
            "TERM=xterm-256color",
            str(EXE),
            "--lang",
            "en",
        ],
        check=True,
    )
    try:
        wait_for(session, "Ctrl+S")
        subprocess.run(
            ["tmux", "send-keys", "-t", session, "-l", "NET::ERR_CERT_DATE_INVALID in Chrome"],
            check=True,
        )
        wait_for(session, "in Chrome")  # under load tmux may deliver Ctrl+S before the last keys
        subprocess.run(["tmux", "send-keys", "-t", session, "C-s"], check=True)
        screen = wait_for(session, "%")
        titles = [pick(kb.entries[d].title, "en") for d in ("cert-expired", "clock-skew", "cert-not-yet-valid")]
        assert any(title[:40] in screen for title in titles), screen
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
