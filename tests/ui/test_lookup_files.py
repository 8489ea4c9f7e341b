"""Pilot flows for the support-staff lookup screen and the file checker screen."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from assistant.i18n import pick

from .conftest import wait_for_group

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from pki import PKI  # noqa: E402


@pytest.mark.parametrize("language", ["en", "ko"])
async def test_lookup_shows_the_entry_as_you_type(make, kb, language):
    from textual.widgets import Markdown

    from assistant.engine.lookup import lookup
    from assistant.ui.lookup_screen import LookupScreen

    app = make(language)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f3")
        assert isinstance(app.screen, LookupScreen)
        await pilot.press(*"err_cert_date_invalid")
        await pilot.pause()
        source = app.screen.query_one("#lookup-result", Markdown).source
        diagnosis = lookup("ERR_CERT_DATE_INVALID", kb)[0].diagnoses[0]
        assert "ERR\\_CERT\\_DATE\\_INVALID" in source
        assert pick(kb.entries[diagnosis].title, language) in source
        await pilot.press("f2")  # switching language re-renders the entry in place
        await pilot.pause()
        other = app.language
        assert pick(kb.entries[diagnosis].title, other) in app.screen.query_one("#lookup-result", Markdown).source
        await pilot.press("escape")
        assert not isinstance(app.screen, LookupScreen)


async def test_lookup_of_unknown_text_says_nothing_matches_and_stays_inert(make):
    from textual.widgets import Input, Markdown

    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f3")
        app.screen.query_one(Input).value = "[red]zzqx-unknown[/] **x**"
        await pilot.pause()
        source = app.screen.query_one("#lookup-result", Markdown).source
        assert "\\[red\\]" in source and "\\*\\*x\\*\\*" in source


@pytest.fixture
def cert_files(tmp_path):
    pki = PKI(tmp_path)
    root = pki.root()
    return pki.write("site", pki.leaf(root, names=["localhost"]), [])


async def choose_files(app, pilot, names: list[str]) -> None:
    from textual.widgets import DirectoryTree

    tree = app.screen.query_one(DirectoryTree)
    await pilot.pause()
    for _ in range(20):
        if tree.root.children:
            break
        await pilot.pause(0.05)
    for node in tree.root.children:
        if node.data is not None and node.data.path.name in names:
            tree.select_node(node)
            await pilot.pause()


async def test_files_unavailable_is_said_plainly(make, cert_files, monkeypatch):
    from assistant.ui.files_screen import FilesScreen

    monkeypatch.setitem(sys.modules, "assistant.files", None)  # as before the checker existed
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f5")
        assert isinstance(app.screen, FilesScreen)
        await choose_files(app, pilot, [cert_files.cert.name])
        assert app.screen.selected == [cert_files.cert]
        await pilot.press("ctrl+s")
        await wait_for_group(app, "files")
        await pilot.pause()
        assert any("not available" in str(n.message) for n in app._notifications)


@pytest.mark.parametrize("language", ["en", "zh-Hant"])
async def test_files_are_checked_and_findings_shown(make, cert_files, language):
    from textual.widgets import DataTable

    app = make(language)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f5")
        await choose_files(app, pilot, [cert_files.cert.name, cert_files.key.name])
        await pilot.press("ctrl+s")
        await wait_for_group(app, "files")
        await pilot.pause()
        table = app.screen.query_one("#files-findings", DataTable)
        assert table.display and table.row_count > 0
