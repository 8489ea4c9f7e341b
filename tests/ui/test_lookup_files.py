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


PASSWORD = "s3cret-pfx"


@pytest.fixture
def pfx_files(tmp_path):
    """The same certificate and key as a password-less PFX and as a password-protected one."""
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, NoEncryption, pkcs12

    pki = PKI(tmp_path)
    root = pki.root()
    inter = pki.intermediate(root)
    leaf = pki.leaf(inter, names=["shop.example"])
    plain, locked = tmp_path / "site.pfx", tmp_path / "locked.pfx"
    for path, protection in ((plain, NoEncryption()), (locked, BestAvailableEncryption(PASSWORD.encode()))):
        path.write_bytes(pkcs12.serialize_key_and_certificates(b"site", leaf.key, leaf.cert, [inter.cert], protection))
    return leaf, plain, locked


async def check_chosen(app, pilot, names: list[str]) -> None:
    await pilot.press("f5")
    await choose_files(app, pilot, names)
    await pilot.press("ctrl+s")
    await wait_for_group(app, "files")
    await pilot.pause()


def column(table, index: int) -> list[str]:
    return [str(table.get_row_at(row)[index]) for row in range(table.row_count)]


@pytest.mark.parametrize("language", ["en", "zh-Hans"])
async def test_pfx_inventory_and_conversion_commands(make, pfx_files, language):
    from textual.widgets import DataTable, TabbedContent

    from assistant.certinfo import key_desc
    from assistant.i18n import translation
    from assistant.ui.case_screen import CaseScreen
    from assistant.ui.files_screen import FilesScreen

    leaf, plain, _locked = pfx_files
    app = make(language)
    async with app.run_test(size=(120, 40)) as pilot:
        await check_chosen(app, pilot, [plain.name])
        screen = app.screen
        assert isinstance(screen, FilesScreen)
        inventory = screen.query_one("#files-inventory", DataTable)
        gettext = translation(language).gettext
        kinds = column(inventory, 1)
        assert sum(kind.startswith(gettext("certificate")) for kind in kinds) == 2
        assert kinds.count(gettext("private key")) == 1
        assert set(column(inventory, 0)) == {plain.name}
        subjects = column(inventory, 4)
        assert "CN=shop.example" in subjects and "CN=Test Intermediate CA" in column(inventory, 5)
        assert leaf.cert.not_valid_after_utc.date().isoformat() in column(inventory, 3)[0]
        kind, bits = key_desc(leaf.key)
        assert column(inventory, 2)[0] == column(inventory, 2)[-1] == f"{kind} {bits}"  # the leaf and its key
        shown = " ".join(" ".join(str(cell) for cell in inventory.get_row_at(r)) for r in range(inventory.row_count))
        assert "PRIVATE KEY" not in shown  # a key is named by type and size, never shown

        commands = [str(w.render()) for w in screen.query("#files-commands .command")]
        assert any(f"openssl pkcs12 -in {plain}" in text for text in commands)
        screen.query_one(TabbedContent).active = "files-tab-convert"
        await pilot.pause()
        await pilot.click(screen.query(".copy-commands").first())
        await pilot.pause()
        assert app.clipboard.startswith(f"openssl pkcs12 -in {plain} -clcerts -nokeys")
        assert screen.query_one("#files-findings", DataTable).row_count == len(screen.findings) > 0

        await pilot.press("escape")  # the findings and facts reached the case
        case = app.screen
        assert isinstance(case, CaseScreen) and case.session is not None
        assert case.session.facts.get("file_format") == "pkcs12" and case.findings == screen.findings


@pytest.mark.parametrize("language", ["en", "zh-Hant"])
async def test_password_modal_wrong_then_right(make, pfx_files, language):
    from textual.widgets import DataTable, Input

    from assistant.i18n import translation
    from assistant.ui.files_screen import FilesScreen
    from assistant.ui.password_screen import PasswordScreen

    _leaf, _plain, locked = pfx_files
    app = make(language)
    async with app.run_test(size=(120, 40)) as pilot:
        await check_chosen(app, pilot, [locked.name])
        assert isinstance(app.screen, PasswordScreen) and not app.screen.wrong
        field = app.screen.query_one("#password-input", Input)
        assert field.password  # masked
        await pilot.press(*"wrong")
        await pilot.press("enter")
        await wait_for_group(app, "files")
        await pilot.pause()
        assert isinstance(app.screen, PasswordScreen) and app.screen.wrong  # says so, asks again
        message = str(app.screen.query_one("#password-message").render())
        wrong = translation(language).gettext("That password did not open {files}. Check it and try again.")
        assert message == wrong.format(files=locked.name)
        assert app.screen.query_one("#password-input", Input).value == ""
        await pilot.press(*PASSWORD)
        await pilot.click("#password-ok")
        await wait_for_group(app, "files")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, FilesScreen)
        assert translation(language).gettext("private key") in column(
            screen.query_one("#files-inventory", DataTable), 1
        )
        assert not screen.query_one("#files-problems").display
        assert screen.findings and all(f.check != "file.format" or f.status != "error" for f in screen.findings)


async def test_password_cancelled_shows_the_problem(make, pfx_files):
    from assistant.ui.files_screen import FilesScreen
    from assistant.ui.password_screen import PasswordScreen

    _leaf, _plain, locked = pfx_files
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await check_chosen(app, pilot, [locked.name])
        assert isinstance(app.screen, PasswordScreen)
        await pilot.press("escape")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, FilesScreen) and screen.query_one("#files-problems").display
        assert locked.name in str(screen.query_one("#files-problems").render())


async def test_an_unreadable_file_is_a_message_not_a_crash(make, tmp_path):
    from textual.widgets import DataTable

    from assistant.ui.files_screen import FilesScreen

    (tmp_path / "garbage.crt").write_bytes(b"\x00\x01 not a certificate at all")
    app = make("ko")
    async with app.run_test(size=(120, 40)) as pilot:
        await check_chosen(app, pilot, ["garbage.crt"])
        screen = app.screen
        assert isinstance(screen, FilesScreen)
        problems = str(screen.query_one("#files-problems").render())
        assert "garbage.crt" in problems and screen.query_one("#files-problems").display
        assert screen.query_one("#files-inventory", DataTable).row_count == 0
