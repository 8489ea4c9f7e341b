"""The import direction holds: only assistant.ui imports Textual; the engine touches no network or UI."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "assistant"


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _modules(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py")) if folder else sorted(PACKAGE.glob("*.py"))


def test_only_the_ui_imports_textual():
    offenders = [
        str(path.relative_to(ROOT))
        for path in PACKAGE.rglob("*.py")
        if "ui" not in path.relative_to(PACKAGE).parts[:1]
        and path.name != "tui.py"
        and any(name == "textual" or name.startswith("textual.") for name in _imports(path))
    ]
    assert offenders == []


def test_the_engine_is_pure():
    forbidden = (
        "socket",
        "ssl",
        "http",
        "urllib",
        "asyncio",
        "textual",
        "assistant.probes",
        "assistant.ui",
        "assistant.files",
    )
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            name for name in _imports(path) if name.split(".")[0] in forbidden or name.startswith(forbidden)
        )
        for path in _modules("engine")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_cli_starts_without_textual_or_the_probes():
    code = (
        "import sys; from assistant import cli; "
        "assert 'textual' not in sys.modules, 'textual'; "
        "assert 'assistant.probes' not in sys.modules, 'probes'"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
