"""Start-up time of the TUI: process start to the first interactive frame (target <= 1.0 s).

Two measurements, each in fresh processes so imports and the knowledge base load are counted:
- headless: `ssl-assistant`'s own start path run headless; the clock stops when the first frame
  after mount has been refreshed and the paste box has focus;
- terminal: the real `ssl-assistant` in tmux (100x30); the clock stops when the paste box's
  placeholder is on screen (polled every 10 ms, so this figure includes up to 10 ms of polling).

    .venv/bin/python benchmarks/bench_tui_startup.py [RUNS]
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

EXE = Path(sys.executable).with_name("ssl-assistant")

HEADLESS = r"""
import time, sys
started = time.perf_counter()
from datetime import UTC, datetime
from assistant.i18n import set_language
from assistant.kb import load_kb
from assistant.ui.app import make_app
set_language("en")
app = make_app(load_kb(), language="en", clock=lambda: datetime.now(UTC))

def ready():
    assert app.screen.query_one("#paste-box").has_focus
    print(f"{time.perf_counter() - started:.4f}")
    app.exit()

app.call_later(lambda: app.call_after_refresh(ready))
app.run(headless=True, size=(100, 30))
"""


def headless_once() -> float:
    output = subprocess.run([sys.executable, "-c", HEADLESS], capture_output=True, text=True, check=True).stdout
    return float(output.strip().splitlines()[-1])


def terminal_once() -> float:
    session = f"bench-{uuid.uuid4().hex[:8]}"
    started = time.perf_counter()
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
            "TERM=xterm-256color",
            str(EXE),
            "--lang",
            "en",
        ],
        check=True,
    )
    try:
        while time.perf_counter() - started < 20:
            screen = subprocess.run(
                ["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True
            ).stdout
            if "Ctrl+S" in screen:
                return time.perf_counter() - started
            time.sleep(0.01)
        raise RuntimeError("the TUI never showed its first frame")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def report(name: str, samples: list[float]) -> None:
    print(
        f"{name:9} median {statistics.median(samples):.3f} s  min {min(samples):.3f} s  max {max(samples):.3f} s  (n={len(samples)})"
    )


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    headless_once()  # warm the file cache and .pyc files; not counted
    report("headless", [headless_once() for _ in range(runs)])
    if shutil.which("tmux"):
        report("terminal", [terminal_once() for _ in range(runs)])
    else:
        print("terminal  skipped: tmux is not installed")


if __name__ == "__main__":
    main()
