"""Pilot flows through the real session engine: paste, ranked causes, questions, why, fix, export."""

from __future__ import annotations

import pytest

from assistant.i18n import pick

EXPIRED_EN = "Chrome says NET::ERR_CERT_DATE_INVALID when I open https://shop.example.com:8443/"
EXPIRED_ZH_HANT = "打開 https://shop.example.com 時 Chrome 顯示 NET::ERR_CERT_DATE_INVALID，說連線不是私人連線"


async def paste(app, pilot, text: str) -> None:
    app.screen.query_one("#paste-box").insert(text)
    await pilot.press("ctrl+s")
    await pilot.pause()


def option_texts(widget) -> list[str]:
    return [str(widget.get_option_at_index(i).prompt) for i in range(widget.option_count)]


@pytest.mark.parametrize(("language", "text"), [("en", EXPIRED_EN), ("zh-Hant", EXPIRED_ZH_HANT)])
async def test_paste_shows_ranked_candidates_and_asks_a_question(make, kb, language, text):
    from assistant.ui.widgets.candidates import CandidateList
    from assistant.ui.widgets.question_panel import QuestionPanel

    app = make(language)
    async with app.run_test(size=(100, 30)) as pilot:
        await paste(app, pilot, text)
        candidates = app.screen.query_one(CandidateList)
        assert candidates.shown and candidates.shown[0].score >= candidates.shown[-1].score
        top = candidates.shown[0].id
        assert pick(kb.entries[top].title, language) in option_texts(candidates)[0]
        assert "%" in option_texts(candidates)[0]
        panel = app.screen.query_one(QuestionPanel)
        assert panel.question is not None and panel.has_class("-active")
        answers = option_texts(panel.query_one("#answers"))
        assert len(answers) >= 4  # at least two answers, "I don't know" and "back"


async def test_answers_unknown_and_back_drive_the_session(make):
    from assistant.ui.case_screen import CaseScreen
    from assistant.ui.widgets.conversation import UserMessage
    from assistant.ui.widgets.question_panel import QuestionPanel

    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await paste(app, pilot, EXPIRED_EN)
        screen: CaseScreen = app.screen
        panel = screen.query_one(QuestionPanel)
        first = panel.question.id
        await pilot.press("enter")  # the first answer
        await pilot.pause()
        assert screen.session.facts.get(kb_fact(screen, first)) is not None
        answers = panel.query_one("#answers")
        if panel.question is not None:
            # "I don't know" records the fact as unknown and moves on
            unknown = [i for i in range(answers.option_count) if answers.get_option_at_index(i).id == "__unknown__"][0]
            asked = panel.question.id
            answers.highlighted = unknown
            await pilot.press("enter")
            await pilot.pause()
            assert panel.question is None or panel.question.id != asked
        back = [i for i in range(answers.option_count) if answers.get_option_at_index(i).id == "__back__"][0]
        answers.highlighted = back
        await pilot.press("enter")
        await pilot.pause()
        said = [str(m.render()) for m in screen.query(UserMessage)]
        assert said[-1] == "Back"


def kb_fact(screen, question_id: str) -> str:
    return screen.kb.questions[question_id].sets


async def test_language_switch_rerenders_candidates_question_and_replies(make, kb):
    from assistant.ui.widgets.candidates import CandidateList
    from assistant.ui.widgets.conversation import Reply
    from assistant.ui.widgets.question_panel import QuestionPanel

    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await paste(app, pilot, EXPIRED_EN)
        question = app.screen.query_one(QuestionPanel).question
        await pilot.press("f2")
        await pilot.pause()
        assert app.language == "zh-Hans"
        top = app.screen.query_one(CandidateList).shown[0].id
        assert pick(kb.entries[top].title, "zh-Hans") in option_texts(app.screen.query_one(CandidateList))[0]
        assert str(app.screen.query_one("#question-text").render()) == pick(question.text, "zh-Hans")
        assert app.screen.query(Reply)[-1].render_text() == pick(question.text, "zh-Hans")
        assert app.screen.session is not None


async def test_why_shows_the_evidence_table(make):
    from textual.widgets import DataTable

    from assistant.ui.why_screen import WhyScreen

    app = make("ko")
    async with app.run_test(size=(100, 30)) as pilot:
        await paste(app, pilot, EXPIRED_EN)
        await pilot.press("f7")
        await pilot.pause()
        assert isinstance(app.screen, WhyScreen)
        table = app.screen.query_one(DataTable)
        assert table.row_count >= 1
        assert "ERR_CERT_DATE_INVALID" in " ".join(str(cell) for cell in table.get_row_at(0))
        await pilot.press("escape")
        assert not isinstance(app.screen, WhyScreen)


@pytest.mark.parametrize("language", ["en", "zh-Hans"])
async def test_fix_has_platform_tabs_copy_and_restart_warnings(make, kb, language):
    from textual.widgets import TabbedContent

    from assistant.ui.fix_screen import FixScreen

    app = make(language)
    async with app.run_test(size=(100, 30)) as pilot:
        await paste(app, pilot, EXPIRED_EN)
        await pilot.press("f6")
        await pilot.pause()
        assert isinstance(app.screen, FixScreen)
        tabs = app.screen.query_one(TabbedContent)
        assert tabs.tab_count == 6
        entry = kb.entries[app.screen.diagnosis_id]
        if any(step.restart != "none" for step in entry.fix):
            assert app.screen.query(".-restart")
        first = app.screen.query_one(f"#{tabs.active} Button")
        await pilot.click(first)
        await pilot.pause()
        assert app.clipboard.strip()


@pytest.mark.parametrize("form", ["md", "html"])
async def test_export_writes_the_report(make, tmp_path, form):
    from textual.widgets import Input

    from assistant.ui.export_screen import ExportScreen

    target = tmp_path / f"case.{form}"
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await paste(app, pilot, EXPIRED_EN + "\n<script>alert(1)</script>")
        await pilot.press("f8")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        if form == "html":
            await pilot.click("#form-html")
        app.screen.query_one("#export-path", Input).value = str(target)
        await pilot.click("#export-save")
        await pilot.pause()
    text = target.read_text(encoding="utf-8")
    assert "ERR_CERT_DATE_INVALID" in text
    if form == "html":
        assert "<script>" not in text and "&lt;script&gt;" in text
    else:
        assert "## " in text


async def test_export_to_an_unwritable_path_says_so(make, tmp_path):
    from textual.widgets import Input

    from assistant.ui.export_screen import ExportScreen

    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f8")
        await pilot.pause()
        app.screen.query_one("#export-path", Input).value = str(tmp_path / "missing" / "dir" / "r.md")
        await pilot.click("#export-save")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)  # stays open, with a message
        assert any("missing" in str(n.message) for n in app._notifications)


@pytest.mark.parametrize(("language", "text"), [("en", EXPIRED_EN), ("zh-Hant", EXPIRED_ZH_HANT)])
async def test_export_has_the_questions_and_answers(make, kb, tmp_path, language, text):
    from textual.widgets import Input

    from assistant.i18n import translation
    from assistant.ui.widgets.question_panel import QuestionPanel

    target = tmp_path / "case.md"
    app = make(language)
    async with app.run_test(size=(100, 30)) as pilot:
        await paste(app, pilot, text)
        panel = app.screen.query_one(QuestionPanel)
        question = panel.question
        answers = panel.query_one("#answers")
        chosen = str(answers.get_option_at_index(0).prompt)
        await pilot.press("enter")  # the first answer
        await pilot.pause()
        await pilot.press("f8")
        await pilot.pause()
        app.screen.query_one("#export-path", Input).value = str(target)
        await pilot.click("#export-save")
        await pilot.pause()
    report = target.read_text(encoding="utf-8")
    gettext = translation(language).gettext
    conversation = report.index("## " + gettext("Conversation"))
    asked = report.index(pick(question.text, language), conversation)
    answered = report.index(f"**{gettext('You')}:** {chosen}", asked)
    assert report.index("```text\n" + text) < conversation < asked < answered
    assert answered < report.index("## " + gettext("Likely causes"))
