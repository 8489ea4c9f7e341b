"""`ssl-assistant chat --jsonl`: the guided session as JSON lines on standard input and output.

One JSON object per line in, one per line out (see docs/chat-jsonl.md). The dialog itself lives in
`assistant.engine.session.Session`; this face only parses, dispatches and serialises. Probes and file
checks are the face's job (the engine never touches the network): run here, fed back with record().
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, TextIO

from assistant.i18n import LANGUAGES, _, current_language, normalize_language, pick, set_language
from assistant.kb import KnowledgeBase
from assistant.model import AskQuestion, EvidenceItem, Finished, SuggestProbe

SCHEMA_VERSION = 1
SHOWN_DIAGNOSES = 5
PLATFORMS = ("iis", "apache", "nginx", "tomcat")


class InputError(Exception):
    """A line the protocol cannot take; its message is localized and goes back as {"error": …}."""


def run(args: argparse.Namespace) -> int:
    from assistant.kb import KnowledgeBaseError, load_kb

    try:
        kb = load_kb()
    except KnowledgeBaseError as error:
        print(_("The knowledge base has problems; run `ssl-assistant kb check`."), file=sys.stderr)
        print(str(error), file=sys.stderr)
        return 2
    session = serve(sys.stdin, sys.stdout, kb, now=datetime.now(UTC))
    if session.transcript():
        from assistant.history import record_case

        pastes = "\n\n".join(str(entry["say"]) for entry in session.transcript() if "say" in entry)
        record_case(
            args, "chat", session.language, pastes, session.transcript(), session.candidates, facts=session.facts
        )
    return 0


def serve(lines: Iterable[str], out: TextIO, kb: KnowledgeBase, *, now: datetime) -> Any:
    """Answer every input line with one output line until EOF; returns the session for the history."""
    from assistant.engine.session import Session

    chat = Chat(Session(kb, now=now, language=current_language()))
    for line in lines:
        if not line.strip():
            continue
        try:
            reply = chat.handle(line)
        except InputError as error:
            reply = {"schema_version": SCHEMA_VERSION, "error": str(error)}
        out.write(json.dumps(reply, ensure_ascii=False) + "\n")
        out.flush()
    return chat.session


class Chat:
    """One session and what the face remembers around it (the last probe suggestion)."""

    def __init__(self, session: Any) -> None:
        self.session = session
        self.kb: KnowledgeBase = session.kb

    def handle(self, line: str) -> dict[str, Any]:
        try:
            message = json.loads(line)
        except ValueError:
            raise InputError(
                _("Not a JSON object: send one object per line, for example {example}.").format(example='{"say": "…"}')
            ) from None
        if not isinstance(message, dict) or not message:
            raise InputError(
                _("Not a JSON object: send one object per line, for example {example}.").format(example='{"say": "…"}')
            )
        unknown = sorted(set(message) - {"say", "answer", "probe", "files", "back", "lang", "why", "skip_probe"})
        if unknown:
            raise InputError(_("Unknown field {field}.").format(field=unknown[0]))
        extra: dict[str, Any] = {}
        if "lang" in message:
            self._lang(message["lang"])
        if "say" in message:
            self._say(message["say"])
        if "answer" in message:
            self._answer(message["answer"])
        if message.get("back") is True:
            self.session.back()
        if message.get("skip_probe") is True:
            self.session.skip_probe()
        if "probe" in message:
            extra["findings"] = self._probe(message["probe"])
            if self.session.facts.get("reachable") is False or not extra["findings"]:
                extra["error"] = _("Could not reach {host}:{port}.").format(
                    host=message["probe"]["host"], port=message["probe"].get("port", 443)
                )
        if "files" in message:
            extra["findings"] = self._files(message["files"])
        if "why" in message:
            extra["why"] = self._why(message["why"])
        return {**self.state(), **extra}

    # -- inputs ------------------------------------------------------------------------------

    def _lang(self, value: object) -> None:
        language = normalize_language(value) if isinstance(value, str) else None
        if language is None:
            raise InputError(
                _("unknown language {language}; use one of {languages}").format(
                    language=value, languages=", ".join(LANGUAGES)
                )
            )
        set_language(language)
        self.session.set_language(language)

    def _say(self, text: object) -> None:
        if not isinstance(text, str) or not text.strip():
            raise InputError(_('"say" needs the pasted text as a string.'))
        self.session.say(text)

    def _answer(self, answer: object) -> None:
        if not isinstance(answer, dict) or not isinstance(answer.get("question"), str) or "value" not in answer:
            raise InputError(
                _('"answer" needs {example}.').format(example='{"question": "q.server_software", "value": "iis"}')
            )
        value = answer["value"]
        if isinstance(value, list | dict):
            raise InputError(
                _("{value} is not a valid answer to {question}").format(
                    value=json.dumps(value), question=answer["question"]
                )
            )
        try:
            self.session.answer(answer["question"], value)
        except ValueError as error:
            raise InputError(str(error)) from None

    def _probe(self, target: object) -> list[dict[str, Any]]:
        from assistant.model import ProbeTarget

        if not isinstance(target, dict) or not isinstance(target.get("host"), str) or not target["host"].strip():
            raise InputError(_('"probe" needs {example}.').format(example='{"host": "www.example.com", "port": 443}'))
        port = target.get("port", 443)
        timeout = target.get("timeout", 5.0)
        if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
            raise InputError(_("Port must be a number from 1 to 65535."))
        if not isinstance(timeout, int | float) or isinstance(timeout, bool) or not 0 < timeout <= 60:
            raise InputError(_("Timeout must be a number of seconds from 0 to 60."))
        try:
            from assistant.probes import run_probe
        except ImportError:
            raise InputError(_("Live probes are not available in this version.")) from None
        step = self.session.next_step()
        checks = list(step.checks) if isinstance(step, SuggestProbe) else None
        if checks is not None:
            checks = [c for c in checks if not c.startswith("file.")] or None
        sni = target.get("sni") if isinstance(target.get("sni"), str) else None
        report = run_probe(ProbeTarget(target["host"].strip(), port, sni=sni, timeout=float(timeout)), checks)
        facts = {"host": target["host"].strip(), "port": port, **report.facts}
        self.session.record(list(report.findings), "probe", facts)
        return [_finding(f) for f in report.findings]

    def _files(self, paths: object) -> list[dict[str, Any]]:
        if not isinstance(paths, list) or not paths or not all(isinstance(p, str) and p for p in paths):
            raise InputError(_('"files" needs a list of file paths.'))
        from assistant.files import check_files

        report = check_files(paths, now=self.session.now)
        self.session.record(list(report.findings), "file", dict(report.facts))
        return [_finding(f) for f in report.findings]

    def _why(self, diagnosis_id: object) -> dict[str, Any]:
        if not isinstance(diagnosis_id, str) or diagnosis_id not in self.kb.taxonomy:
            raise InputError(_("Unknown diagnosis {diagnosis}.").format(diagnosis=diagnosis_id))
        return {"diagnosis": diagnosis_id, "evidence": [_evidence(item) for item in self.session.why(diagnosis_id)]}

    # -- output ------------------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        language = self.session.language
        step = self.session.next_step()
        candidates = self.session.candidates[:SHOWN_DIAGNOSES]
        done = isinstance(step, Finished)
        return {
            "schema_version": SCHEMA_VERSION,
            "language": language,
            "diagnoses": [
                {
                    "id": c.id,
                    "score": round(c.score, 3),
                    "title": self._title(c.id, language),
                    "evidence": [_evidence(item) for item in c.evidence],
                }
                for c in candidates
            ],
            "question": self._question(step.question_id, language) if isinstance(step, AskQuestion) else None,
            "probe_suggested": (
                {"checks": list(step.checks), "host": step.host, "port": step.port}
                if isinstance(step, SuggestProbe)
                else None
            ),
            "done": done,
            "fix": self._fix(candidates[0].id, language) if done and candidates else None,
        }

    def _title(self, diagnosis_id: str, language: str) -> str:
        entry = self.kb.entries.get(diagnosis_id)
        return pick(entry.title, language) if entry else diagnosis_id

    def _question(self, question_id: str, language: str) -> dict[str, Any]:
        question = self.kb.questions[question_id]
        if question.kind == "yes_no":
            options = [{"value": True, "text": _("Yes")}, {"value": False, "text": _("No")}]
        else:
            options = [{"value": o.value, "text": pick(o.text, language)} for o in question.options]
        options.append({"value": None, "text": _("I don't know")})
        return {
            "id": question.id,
            "kind": question.kind,
            "text": pick(question.text, language),
            "help": pick(question.help, language) if question.help else None,
            "options": options,
        }

    def _fix(self, diagnosis_id: str, language: str) -> str | None:
        from assistant.render import render_fix

        facts = self.session.facts
        server = facts.get("server_software")
        platform = server if server in PLATFORMS else None
        if diagnosis_id not in self.kb.entries:
            return None
        return render_fix(self.kb, diagnosis_id, facts, language, platform=platform, form="markdown")


def _evidence(item: EvidenceItem) -> dict[str, Any]:
    return {"source": item.source, "text": item.text, "weight": item.weight, "ref": item.ref}


def _finding(finding: Any) -> dict[str, Any]:
    return {
        "check": finding.check,
        "status": str(finding.status),
        "diagnosis": finding.diagnosis,
        "evidence": finding.evidence,
    }
