"""Provides the question panel: the session's next question as a list of answers.

Every question also offers "I don't know" (recorded as unknown, never asked again) and "Back"
(undo the last answer). When the session suggests a probe instead, the panel offers the actions.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from assistant.i18n import _, pick
from assistant.kb.schema import Question
from assistant.model import FactValue, SuggestProbe

UNKNOWN = "__unknown__"
BACK = "__back__"
PROBE = "__probe__"
FILES = "__files__"


class QuestionPanel(Vertical):
    """Shows one question (or the probe suggestion); posts `Answered`, `Back` or `Action`."""

    DEFAULT_CSS = """
    QuestionPanel { height: auto; display: none; }
    QuestionPanel.-active { display: block; }
    QuestionPanel #question-text { padding: 0 1; text-style: bold; }
    QuestionPanel OptionList { height: auto; max-height: 9; }
    QuestionPanel Input { display: none; }
    QuestionPanel.-free Input { display: block; }
    """

    @dataclass
    class Answered(Message):
        question_id: str
        value: FactValue
        option_text: object
        """The chosen option's `Text` map (re-rendered on a language switch), or the typed text."""

    class Back(Message):
        pass

    @dataclass
    class Action(Message):
        name: str
        """PROBE or FILES."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.question: Question | None = None
        self.suggestion: SuggestProbe | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="question-text")
        yield Input(id="free-answer")
        yield OptionList(id="answers")

    def ask(self, question: Question) -> None:
        self.question, self.suggestion = question, None
        self.query_one("#free-answer", Input).value = ""
        self.relocalize()
        self.query_one(Input if self.has_class("-free") else OptionList).focus()

    def offer_probe(self, step: SuggestProbe) -> None:
        self.question, self.suggestion = None, step
        self.relocalize()

    def clear(self) -> None:
        self.question = self.suggestion = None
        self.remove_class("-active")

    def _yes_no(self) -> list[tuple[FactValue, str]]:
        return [(True, _("Yes")), (False, _("No"))]

    def relocalize(self) -> None:
        if self.question is None and self.suggestion is None:
            return
        self.add_class("-active")
        label = self.query_one("#question-text", Static)
        answers = self.query_one("#answers", OptionList)
        answers.clear_options()
        question = self.question
        if question is not None:
            label.update(Text(pick(question.text)))
            self.set_class(question.kind in ("host", "file", "text"), "-free")
            self.query_one("#free-answer", Input).placeholder = _("Type the answer and press Enter")
            if question.kind == "choice":
                for index, option in enumerate(question.options):
                    answers.add_option(Option(Text(pick(option.text)), id=f"opt-{index}"))
            elif question.kind == "yes_no":
                for value, text in self._yes_no():
                    answers.add_option(Option(Text(text), id=f"yn-{str(value).lower()}"))
            answers.add_option(Option(Text(_("I don't know"), style="italic"), id=UNKNOWN))
        else:
            self.remove_class("-free")
            label.update(Text(_("I can confirm this against the live server or your certificate files.")))
            answers.add_option(Option(Text(_("Probe the server (F4)")), id=PROBE))
            answers.add_option(Option(Text(_("Check certificate and key files (F5)")), id=FILES))
        answers.add_option(Option(Text(_("Back: undo my last answer"), style="italic"), id=BACK))
        answers.highlighted = 0

    @on(OptionList.OptionSelected, "#answers")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        choice = event.option.id or ""
        question = self.question
        if choice == BACK:
            self.post_message(self.Back())
        elif choice in (PROBE, FILES):
            self.post_message(self.Action(choice))
        elif question is None:
            return
        elif choice == UNKNOWN:
            self.post_message(self.Answered(question.id, None, None))
        elif choice.startswith("opt-"):
            option = question.options[int(choice[4:])]
            self.post_message(self.Answered(question.id, option.value, option.text))
        elif choice.startswith("yn-"):
            self.post_message(self.Answered(question.id, choice == "yn-true", choice == "yn-true"))

    @on(Input.Submitted, "#free-answer")
    def _typed(self, event: Input.Submitted) -> None:
        event.stop()
        if self.question is not None and event.value.strip():
            self.post_message(self.Answered(self.question.id, event.value.strip(), event.value.strip()))
