"""The real app keeps each case in the history and remembers the chosen language; tests opt in."""

from __future__ import annotations

import json

from assistant.history import open_history


async def test_a_finished_or_abandoned_case_is_kept_once(make, tmp_path, monkeypatch):
    monkeypatch.setenv("SSL_ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SSL_ASSISTANT_CONFIG_DIR", str(tmp_path / "config"))
    app = make("en", keep_history=True)
    async with app.run_test(size=(100, 30)) as pilot:
        app.screen.query_one("#paste-box").insert(
            "-----BEGIN PRIVATE KEY-----\nMIIEvQ\n-----END PRIVATE KEY-----\nNET::ERR_CERT_DATE_INVALID"
        )
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("ctrl+n")  # a new case keeps the old one
        await pilot.pause()
    with open_history() as history:
        cases = history.list_cases()
    assert [case.kind for case in cases] == ["tui"]
    stored = history_text(tmp_path / "data")
    assert "ERR_CERT_DATE_INVALID" in stored and "MIIEvQ" not in stored


async def test_switching_language_is_remembered_by_the_real_app(make, tmp_path, monkeypatch):
    monkeypatch.setenv("SSL_ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SSL_ASSISTANT_CONFIG_DIR", str(tmp_path / "config"))
    from assistant.settings import saved_language, settings_path

    app = make("en", keep_history=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f2")
        await pilot.pause()
    assert saved_language() == app.language != "en"
    assert json.loads(settings_path().read_text())["language"] == app.language


async def test_tests_and_no_history_leave_no_trace(make, tmp_path, monkeypatch):
    monkeypatch.setenv("SSL_ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SSL_ASSISTANT_CONFIG_DIR", str(tmp_path / "config"))
    app = make("en")
    async with app.run_test(size=(100, 30)) as pilot:
        app.screen.query_one("#paste-box").insert("ERR_CERT_AUTHORITY_INVALID")
        await pilot.press("ctrl+s")
        await pilot.press("f2")
        await pilot.pause()
    assert not (tmp_path / "data").exists() and not (tmp_path / "config").exists()


def history_text(folder) -> str:
    return b"".join(path.read_bytes() for path in folder.rglob("*") if path.is_file()).decode("utf-8", "replace")
