"""Provides the case screen: paste, ranked causes, follow-up questions, and the way to the fix.

The screen is a thin face over `assistant.engine.session.Session`: it shows what the session says
and passes on what the user does. No dialog logic lives here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Static

from assistant.i18n import _, current_language, pick
from assistant.kb import KnowledgeBase
from assistant.model import AskQuestion, Candidate, Finding, Finished, Step, SuggestProbe
from assistant.redact import redact_private_keys
from assistant.ui.inert import md_escape
from assistant.ui.localized import apply_bindings
from assistant.ui.widgets.candidates import CandidateList
from assistant.ui.widgets.conversation import Conversation
from assistant.ui.widgets.paste_box import PasteBox
from assistant.ui.widgets.question_panel import FILES, PROBE, QuestionPanel

if TYPE_CHECKING:
    from assistant.engine.session import Session
    from assistant.ui.app import AssistantApp

T = TypeVar("T")


class CaseScreen(Screen[None]):
    """The main screen: one support case."""

    def __init__(self, kb: KnowledgeBase) -> None:
        super().__init__()
        self.kb = kb
        self.session: Session | None = None
        self.step: Step | None = None
        self.findings: list[Finding] = []
        """Every probe and file finding recorded in this case, for the report."""
        apply_bindings(self, self.key_bindings())

    @property
    def assistant(self) -> AssistantApp:
        return self.app  # type: ignore[return-value]

    def key_bindings(self) -> list[Binding]:
        return [
            Binding(
                "ctrl+s,ctrl+j,ctrl+enter",
                "send",
                _("Send"),
                tooltip=_("Send the paste"),
                id="send",
                priority=True,
            ),
            Binding("f4", "probe", _("Probe"), tooltip=_("Probe the server"), id="probe", priority=True),
            Binding(
                "f5",
                "files",
                _("Files"),
                tooltip=_("Check certificate and key files"),
                id="files",
                priority=True,
            ),
            Binding("f6", "fix", _("Fix"), tooltip=_("Show the fix steps"), id="fix", priority=True),
            Binding("f7", "why", _("Why?"), tooltip=_("Why this diagnosis"), id="why", priority=True),
            Binding(
                "f8",
                "export",
                _("Export"),
                tooltip=_("Save the case as a report"),
                id="export",
                priority=True,
            ),
            Binding(
                "ctrl+n",
                "new_case",
                _("New case"),
                tooltip=_("Start over"),
                id="new-case",
                priority=True,
            ),
        ]

    def palette_commands(self) -> list[tuple[str, str, str]]:
        return [
            ("probe", _("probe: the server"), _("Probe the server")),
            ("files", _("files: check certificate and key"), _("Check certificate and key files")),
            ("fix", _("fix: show the steps"), _("Show the fix steps")),
            ("why", _("why: the evidence"), _("Why this diagnosis")),
            ("export", _("report: save as Markdown or HTML"), _("Save the case as a report")),
            ("new_case", _("case: start over"), _("Start over")),
        ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="case"):
            yield Static(id="candidates-title", classes="section-title")
            yield CandidateList(self.kb, id="candidates")
            yield Conversation(id="conversation")
            yield QuestionPanel(id="question")
            with Horizontal(id="input-row"):
                yield PasteBox(id="paste-box")
                yield Button(_("Send"), id="send", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        self.relocalize()
        self.query_one(PasteBox).focus()
        self.query_one(Conversation).add_reply(
            lambda: _(
                "Hello. Paste the SSL/TLS error you are seeing (a browser page, a server log, a client "
                "message) in any language, and I will tell you the likely causes and how to fix them."
            )
        )

    def relocalize(self) -> None:
        apply_bindings(self, self.key_bindings())
        self.query_one("#send", Button).label = _("Send")
        self.query_one("#candidates-title", Static).update(_("Likely causes (Enter or F7: why?)"))
        if self.session is not None:
            self.session.set_language(current_language())

    # -- engine calls ------------------------------------------------------------------------

    def engine(self, call: Callable[[], T]) -> T | None:
        """Run an engine call; if the engine fails, say so and keep the screen alive."""
        try:
            return call()
        except Exception as error:  # a face must survive an engine bug and say so
            self.log.error(error)
            self.notify(
                _("Something went wrong in the diagnosis engine: {error}").format(error=error),
                severity="error",
                markup=False,
            )
        return None

    def attempt(self, call: Callable[[], object]) -> bool:
        """Run an engine call for its effect; True when it worked."""
        return self.engine(lambda: (call(), True)[1]) is True

    def ensure_session(self) -> Session | None:
        if self.session is None:
            from assistant.engine.session import Session

            self.session = self.engine(
                lambda: Session(self.kb, now=self.assistant.clock(), language=current_language())
            )
        return self.session

    # -- user actions ------------------------------------------------------------------------

    @on(Button.Pressed, "#send")
    def action_send(self) -> None:
        box = self.query_one(PasteBox)
        text = redact_private_keys(box.text)  # a key pasted by mistake is never echoed or kept
        if not text.strip():
            self.notify(_("Paste an error message first."), markup=False)
            return
        self.query_one(Conversation).add_user(lambda: text)
        box.clear()
        session = self.ensure_session()
        if session is not None and self.attempt(lambda: session.say(text)):
            self.show_candidates_reply()
            self.advance()

    @on(QuestionPanel.Answered)
    def _answered(self, event: QuestionPanel.Answered) -> None:
        session = self.session
        if session is None:
            return
        shown = event.option_text
        self.query_one(Conversation).add_user(lambda: self.answer_text(shown))
        self.attempt(lambda: session.answer(event.question_id, event.value))
        self.advance()

    def answer_text(self, shown: object) -> str:
        if shown is None:
            return _("I don't know")
        if isinstance(shown, bool):
            return _("Yes") if shown else _("No")
        if isinstance(shown, str):
            return shown
        return pick(shown)

    @on(QuestionPanel.Back)
    def _back(self) -> None:
        session = self.session
        if session is not None:
            self.query_one(Conversation).add_user(lambda: _("Back"))
            self.attempt(session.back)
            self.advance()

    @on(QuestionPanel.Action)
    def _action(self, event: QuestionPanel.Action) -> None:
        if event.name == PROBE:
            self.action_probe()
        elif event.name == FILES:
            self.action_files()

    @on(CandidateList.OptionSelected, "#candidates")
    def _candidate_chosen(self) -> None:
        self.action_why()

    def keep_case(self) -> None:
        """Save the finished or abandoned session in the case history, once (the history scrubs
        any private key pasted by mistake)."""
        session, self.session = self.session, None
        if session is None or not self.assistant.keep_history or not session.transcript():
            return
        from assistant.history import save_case

        pastes = "\n\n".join(str(entry["say"]) for entry in session.transcript() if "say" in entry)
        try:
            save_case("tui", session.language, pastes, session.transcript(), session.candidates, facts=session.facts)
        except Exception as error:  # noqa: BLE001 - the history must never take the assistant down
            self.notify(_("Could not save this case in the history: {error}").format(error=error), markup=False)

    def on_unmount(self) -> None:
        self.keep_case()

    def action_new_case(self) -> None:
        self.keep_case()
        self.session = None
        self.step = None
        self.findings = []
        self.query_one(Conversation).remove_children()
        self.query_one(CandidateList).show([])
        self.query_one(QuestionPanel).clear()
        self.set_class(False, "-has-candidates")
        self.set_class(False, "-asking")
        self.query_one(PasteBox).focus()

    def action_why(self) -> None:
        from assistant.ui.why_screen import WhyScreen

        diagnosis_id = self.query_one(CandidateList).current
        if diagnosis_id is None or self.session is None:
            self.notify(_("Nothing to explain yet: paste an error first."), markup=False)
            return
        session = self.session
        evidence = self.engine(lambda: session.why(diagnosis_id)) or []
        self.app.push_screen(WhyScreen(self.kb, diagnosis_id, list(evidence)))

    def action_fix(self) -> None:
        from assistant.ui.fix_screen import FixScreen

        diagnosis_id = self.query_one(CandidateList).current
        if diagnosis_id is None:
            self.notify(_("No diagnosis yet: paste an error first."), markup=False)
            return
        self.app.push_screen(FixScreen(self.kb, diagnosis_id, self.facts))

    def action_probe(self) -> None:
        from assistant.ui.probe_screen import ProbeScreen

        facts = self.facts()
        step = self.step
        checks = list(step.checks) if isinstance(step, SuggestProbe) else None
        host = (step.host if isinstance(step, SuggestProbe) else None) or facts.get("host")
        port = (step.port if isinstance(step, SuggestProbe) else None) or facts.get("port")
        probe_checks = [c for c in checks or [] if not c.startswith("file.")] or None
        self.app.push_screen(
            ProbeScreen(
                self.kb,
                host=str(host or ""),
                port=int(port) if isinstance(port, int) else 443,
                checks=probe_checks,
                on_findings=self.record,
            )
        )

    def action_files(self) -> None:
        from assistant.ui.files_screen import FilesScreen

        self.app.push_screen(FilesScreen(self.kb, self.assistant.files_root, on_findings=self.record))

    def action_export(self) -> None:
        from assistant.ui.export_screen import ExportScreen

        self.app.push_screen(ExportScreen(self))

    def report(self, form: str, language: str) -> str:
        """This case as a report: the same layout as `ssl-assistant report CASE`."""
        from assistant.history import Case
        from assistant.report import build_report, case_from_session

        now = self.assistant.clock()
        session = self.session
        if session is None:  # nothing said yet: an empty case still makes a (short) report
            case = Case(0, now, "tui", language, "", [], [], [], {}, None)
        else:
            case = case_from_session(session, findings=self.findings, now=now)
        return build_report(self.kb, case, form="html" if form == "html" else "md", language=language, now=now)

    # -- what the session says ---------------------------------------------------------------

    def facts(self) -> dict[str, Any]:
        return dict(self.session.facts) if self.session is not None else {}

    def record(self, findings: list[Finding], source: str, facts: dict[str, Any] | None = None) -> None:
        """Findings (and facts) from a probe or a file check feed the session, which may then move on."""
        session = self.ensure_session()
        if session is None or not findings:
            return
        self.attempt(lambda: session.record(findings, source=source, facts=facts))
        self.findings += findings
        self.query_one(Conversation).add_reply(lambda: self.findings_md(findings))
        self.advance()

    def findings_md(self, findings: list[Finding]) -> str:
        failed = [f for f in findings if f.status in ("fail", "warn", "error")]
        lines = [_("Checked {count} things; {failed} need attention.").format(count=len(findings), failed=len(failed))]
        lines += [f"- **{finding.status}** {md_escape(finding.evidence)}" for finding in failed[:8]]
        return "\n".join(lines)

    def show_candidates_reply(self) -> None:
        candidates = list(self.session.candidates) if self.session is not None else []
        self.query_one(Conversation).add_reply(lambda: self.candidates_md(candidates))

    def candidates_md(self, candidates: list[Candidate]) -> str:
        if not candidates:
            return _(
                "I could not recognise a specific error in that. Paste the exact error message or code, "
                "or describe what you see and where."
            )
        lines = ["**" + _("Likely causes:") + "**", ""]
        for rank, candidate in enumerate(candidates[:5], start=1):
            entry = self.kb.entries.get(candidate.id)
            title = pick(entry.title) if entry else candidate.id
            lines.append(f"{rank}. **{md_escape(title)}** ({candidate.score:.0%})")
            for item in candidate.evidence[:3]:
                lines.append("    - " + _("evidence: {text}").format(text=md_escape(item.text)))
        top = self.kb.entries.get(candidates[0].id)
        if top is not None:
            lines += ["", pick(top.summary)]
        return "\n".join(lines)

    def advance(self) -> None:
        """Show the candidates and the session's next step."""
        session = self.session
        if session is None:
            return
        candidates = self.engine(lambda: list(session.candidates)) or []
        self.query_one(CandidateList).show(candidates)
        self.set_class(bool(candidates), "-has-candidates")
        step = self.engine(session.next_step)
        self.step = step
        panel = self.query_one(QuestionPanel)
        conversation = self.query_one(Conversation)
        self.set_class(isinstance(step, AskQuestion | SuggestProbe), "-asking")
        if isinstance(step, AskQuestion) and step.question_id in self.kb.questions:
            question = self.kb.questions[step.question_id]
            conversation.add_reply(lambda: pick(question.text))
            panel.ask(question)
        elif isinstance(step, SuggestProbe):
            conversation.add_reply(lambda: self.probe_md(step))
            panel.offer_probe(step)
        elif isinstance(step, Finished):
            panel.clear()
            conversation.add_reply(lambda: self.finished_md(step))
            self.query_one(PasteBox).focus()

    def probe_md(self, step: SuggestProbe) -> str:
        if step.host:
            return _("I can confirm this by probing {host}. Press F4 to probe it, or F5 to check files.").format(
                host=md_escape(step.host)
            )
        return _("I can confirm this by probing the server. Press F4 to probe it, or F5 to check files.")

    def finished_md(self, step: Finished) -> str:
        candidates = step.diagnosis.candidates
        if not candidates:
            return _("I have nothing more to ask, and no cause stands out. Try pasting the exact error text.")
        entry = self.kb.entries.get(candidates[0].id)
        title = pick(entry.title) if entry else candidates[0].id
        return "\n".join(
            [
                "**" + _("Most likely: {title}").format(title=md_escape(title)) + "**",
                "",
                pick(entry.summary) if entry else "",
                "",
                _("Press F6 for the fix steps for your server, F7 for the evidence, F8 to save a report."),
            ]
        )
