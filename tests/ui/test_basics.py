"""Pilot tests that need no engine: layout, inert pastes, bindings, language and theme switches."""

from __future__ import annotations

from rich.text import Text

from assistant.ui.inert import clean, inert, md_escape, md_fence

HOSTILE = "[bold red]x[/] \x1b[2J\x1b]0;title\x07 \x1b[31mred\x1b[0m tail"


def test_inert_removes_escapes_and_keeps_brackets():
    shown = inert(HOSTILE)
    assert isinstance(shown, Text)
    assert shown.plain == "[bold red]x[/]  red tail"
    assert not shown.spans  # no style came from the paste
    assert "\x1b" not in clean("a\x1b[1;1Hb\x9b2Jc\x1bPq#0\x1b\\d\u202eevil") and clean("a\x1b[1;1Hb") == "ab"


def test_markdown_escaping_keeps_user_text_literal():
    assert md_escape("**bold** [link](x)") == r"\*\*bold\*\* \[link\]\(x\)"
    fenced = md_fence("a ``` b")
    assert fenced.startswith("````") and fenced.endswith("````")


async def test_app_starts_at_80x24_with_greeting_and_footer_keys(make):
    from textual.widgets import Footer

    from assistant.ui.widgets.conversation import Reply

    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.screen.query_one("#paste-box").has_focus
        assert len(app.screen.query(Reply)) == 1
        assert app.screen.query_one(Footer)
        keys = {binding.key for _, binding, enabled, _ in app.screen.active_bindings.values() if binding.show}
        assert {"f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9", "ctrl+s"} <= keys


async def test_hostile_paste_is_shown_literally(make):
    from assistant.ui.widgets.conversation import UserMessage

    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        app.screen.query_one("#paste-box").insert(HOSTILE)
        await pilot.press("ctrl+s")
        await pilot.pause()
        [message] = app.screen.query(UserMessage)
        rendered = message.render()
        assert "[bold red]x[/]" in str(rendered)
        assert "\x1b" not in str(rendered)
        assert app.title == "SSL Assistant"  # the OSC title sequence did not retitle anything


async def test_f2_cycles_language_and_relabels_bindings(make):
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        english = {b.description for _, b, _, _ in app.screen.active_bindings.values() if b.key == "f3"}
        await pilot.press("f2")
        assert app.language == "zh-Hans"
        await pilot.press("f2", "f2")
        assert app.language == "ko"
        await pilot.press("f2")
        assert app.language == "en"
        again = {b.description for _, b, _, _ in app.screen.active_bindings.values() if b.key == "f3"}
        assert english == again


async def test_theme_toggles_between_light_and_dark(make):
    app = make()
    async with app.run_test() as pilot:
        dark = app.current_theme.dark
        await pilot.press("f9")
        assert app.current_theme.dark != dark
        await pilot.press("f9")
        assert app.current_theme.dark == dark


async def test_palette_offers_every_language(make):
    app = make()
    async with app.run_test() as pilot:
        await pilot.pause()
        titles = [command.title for command in app.get_system_commands(app.screen)]
        for name in ("English", "中文（简体）", "中文（繁體）", "한국어"):
            assert any(name in title for title in titles)
