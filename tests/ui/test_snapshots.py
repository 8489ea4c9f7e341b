"""Snapshots of the main screens in all four languages (review the SVG report before updating).

Texts from the gettext catalogs and the knowledge base appear in these pictures: after a
translation or knowledge edit, look at the report and run `pytest tests/ui --snapshot-update`.
"""

from __future__ import annotations

import pytest

LANGUAGES = ["en", "zh-Hans", "zh-Hant", "ko"]
SIZE = (80, 24)


@pytest.mark.parametrize("language", LANGUAGES)
def test_case_screen_empty(snap_compare, make, language):
    """The greeting reply, an empty paste box with its placeholder and Send button, and the footer keys
    (Send, Probe, Files, Fix, Why?, Export…). The subtitle names the language in itself."""
    assert snap_compare(make(language), terminal_size=SIZE)


@pytest.mark.parametrize("language", LANGUAGES)
def test_case_screen_after_paste(snap_compare, make, language):
    """After a Chrome date error is pasted: the paste shown literally (brackets kept, no red), ranked
    causes with percentages, the first follow-up question with "I don't know" and "Back"."""

    async def run_before(pilot):
        await pilot.pause()
        pilot.app.screen.query_one("#paste-box").insert("NET::ERR_CERT_DATE_INVALID [red]x[/]")
        await pilot.press("ctrl+s")
        await pilot.pause()

    assert snap_compare(make(language), terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("language", LANGUAGES)
def test_probe_screen_ready(snap_compare, make, language):
    """The probe screen before starting: host and port fields filled in, the Probe button, the note that
    only the named server is contacted, and Esc / Ctrl+S in the footer."""

    async def run_before(pilot):
        from assistant.ui.probe_screen import ProbeScreen

        await pilot.pause()
        await pilot.app.push_screen(ProbeScreen(pilot.app.kb, host="shop.example.com", port=8443))
        await pilot.pause()

    assert snap_compare(make(language), terminal_size=SIZE, run_before=run_before)
