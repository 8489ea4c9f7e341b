"""Provides the ticket report: one case (a paste, a probe, or both) as Markdown or a self-contained
HTML page: what was pasted, the conversation (questions asked, answers given, checks run), the ranked
diagnoses with their evidence, the findings, and the fix steps for the chosen platform, in the chosen
language.

The page layout is in assistant/report_templates/ (sandboxed Jinja2, HTML autoescaped); the fix
section is assistant.render.render_fix's own output, so the report and the TUI show the same steps.
Labels are translated here, in Python, so that the gettext extraction of assistant/**.py finds them.
"""

from __future__ import annotations

import re
from dataclasses import asdict
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from assistant import __version__
from assistant.history import Case, scrub
from assistant.i18n import pick, translation
from assistant.model import EvidenceItem, ProbeReport, Status

if TYPE_CHECKING:
    from collections.abc import Iterable

    from jinja2.sandbox import SandboxedEnvironment

    from assistant.engine.session import Session
    from assistant.kb import KnowledgeBase
    from assistant.model import Finding

ReportFormat = Literal["md", "html"]
_TEMPLATES = Path(__file__).parent / "report_templates"
_SCORES = {"fail": 1.0, "warn": 0.5}


def case_from_probe(report: ProbeReport, language: str, *, number: int = 0, now: datetime | None = None) -> Case:
    """A probe as a case, so that `report HOST` and `report CASE` share one layout."""
    findings = [
        {"check": f.check, "status": str(f.status), "diagnosis": f.diagnosis, "evidence": scrub(f.evidence)}
        for f in report.findings
    ]
    return Case(
        number=number,
        created=now or datetime.now(UTC),
        kind="probe",
        language=language,
        paste="",
        transcript=[],
        diagnoses=probe_diagnoses(findings),
        findings=findings,
        facts=dict(report.facts),
        target=asdict(report.target),
    )


def case_from_session(
    session: Session, *, kind: str = "tui", findings: Iterable[Finding] = (), now: datetime | None = None
) -> Case:
    """A live session as a case, shaped as the history would keep it (scrubbed), for an export."""
    transcript = session.transcript()
    pastes = "\n\n".join(str(event["say"]) for event in transcript if "say" in event)
    return Case(
        number=0,
        created=now or datetime.now(UTC),
        kind=kind,
        language=session.language,
        paste=scrub(pastes),
        transcript=[{**event, "say": scrub(str(event["say"]))} if "say" in event else event for event in transcript],
        diagnoses=[
            {
                "id": candidate.id,
                "score": candidate.score,
                "evidence": [
                    {"source": item.source, "text": scrub(item.text), "weight": item.weight}
                    for item in candidate.evidence
                ],
            }
            for candidate in session.candidates
        ],
        findings=[
            {"check": f.check, "status": str(f.status), "diagnosis": f.diagnosis, "evidence": scrub(f.evidence)}
            for f in findings
        ],
        facts=dict(session.facts),
        target=None,
    )


def probe_diagnoses(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The diagnoses failed and warned checks point to, strongest first, with those checks as evidence."""
    found: dict[str, dict[str, Any]] = {}
    for finding in findings:
        diagnosis, status = finding.get("diagnosis"), str(finding.get("status"))
        if not diagnosis or status not in _SCORES:
            continue
        entry = found.setdefault(diagnosis, {"id": diagnosis, "score": 0.0, "evidence": []})
        entry["score"] = max(entry["score"], _SCORES[status])
        entry["evidence"].append(
            {"source": "probe", "text": finding.get("evidence") or finding.get("check", ""), "weight": _SCORES[status]}
        )
    return sorted(found.values(), key=lambda item: -item["score"])


def _evidence_items(diagnosis: dict[str, Any]) -> list[EvidenceItem]:
    items = []
    for item in diagnosis.get("evidence") or []:
        source = item.get("source") if item.get("source") in ("paste", "answer", "probe", "file", "rule") else "rule"
        items.append(EvidenceItem(source, str(item.get("text", "")), float(item.get("weight") or 0.0)))
    return items


def conversation(kb: KnowledgeBase, transcript: list[Any], language: str, paste: str = "") -> list[dict[str, str]]:
    """The case's dialogue as turns {"who": user|assistant, "kind": paste|question|answer|check, "text"},
    questions and answers in `language`. A paste identical to the report's paste section is not
    repeated (its text is then empty)."""
    translated = translation(language)
    turns: list[dict[str, str]] = []
    for event in transcript:
        if not isinstance(event, dict):
            continue
        if "say" in event:
            text = str(event["say"])
            same = text.strip() == paste.strip()
            turns.append({"who": "user", "kind": "paste", "text": "" if same else text})
        elif "answer" in event:
            question = kb.questions.get(str(event["answer"]))
            facts = event.get("facts") if isinstance(event.get("facts"), dict) else {}
            asked = pick(question.text, language) if question else str(event["answer"])
            turns.append({"who": "assistant", "kind": "question", "text": asked})
            turns.append({"who": "user", "kind": "answer", "text": _answer_text(question, facts, translated, language)})
        elif "record" in event:
            found = [f for f in event.get("findings") or [] if isinstance(f, dict)]
            attention = sum(1 for f in found if f.get("status") in ("fail", "warn", "error"))
            if event["record"] == "file":
                text = translated.ngettext(
                    "Checked the files: {count} check, {failed} need attention.",
                    "Checked the files: {count} checks, {failed} need attention.",
                    len(found),
                )
            else:
                text = translated.ngettext(
                    "Probed the server: {count} check, {failed} need attention.",
                    "Probed the server: {count} checks, {failed} need attention.",
                    len(found),
                )
            turns.append({"who": "assistant", "kind": "check", "text": text.format(count=len(found), failed=attention)})
        elif "declined" in event:
            turns.append({"who": "user", "kind": "answer", "text": translated.gettext("Skip the suggested checks.")})
    return turns


def _answer_text(question: Any, facts: dict[str, Any], translated: Any, language: str) -> str:
    """An answer as the user chose it: the option's text, yes or no, "I don't know", or what was typed."""
    from assistant.engine.conditions import same_value

    if question is None:
        return ", ".join(f"{name} = {value}" for name, value in facts.items())
    value = facts.get(question.sets)
    if value is None:
        return translated.gettext("I don't know")
    if question.kind == "yes_no" and isinstance(value, bool):
        return translated.gettext("Yes") if value else translated.gettext("No")
    for option in question.options:
        if same_value(option.value, value):
            return pick(option.text, language)
    if question.kind == "host" and facts.get("port"):
        return f"{value}:{facts['port']}"
    return str(value)


def _labels(language: str) -> dict[str, str]:
    gettext = translation(language).gettext
    return {
        "report": gettext("SSL Assistant report"),
        "case": gettext("Case {number}"),
        "created": gettext("Created"),
        "kind": gettext("Kind"),
        "language": gettext("Language"),
        "target": gettext("Server"),
        "platform": gettext("Fix steps for"),
        "all_platforms": gettext("every platform"),
        "paste": gettext("What was pasted"),
        "conversation": gettext("Conversation"),
        "user": gettext("You"),
        "assistant": gettext("Assistant"),
        "pasted_above": gettext("(pasted the text shown above)"),
        "diagnoses": gettext("Likely causes"),
        "diagnosis": gettext("Diagnosis"),
        "score": gettext("Score"),
        "evidence": gettext("Evidence"),
        "no_diagnosis": gettext("No known problem was found."),
        "findings": gettext("Findings"),
        "check": gettext("Check"),
        "status": gettext("Result"),
        "unreachable": gettext("The server could not be reached."),
        "generated": gettext("Generated by ssl-assistant {version} on {date}."),
    }


def _status_labels(language: str) -> dict[str, str]:
    gettext = translation(language).gettext
    return {
        Status.PASS: gettext("ok"),
        Status.WARN: gettext("warning"),
        Status.FAIL: gettext("problem"),
        Status.INFO: gettext("info"),
        Status.ERROR: gettext("error"),
    }


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|!])")


def _md(value: object) -> str:
    """User or server text inside Markdown: shown literally, on one line (table cells)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(value).split()))


def _fence(text: str) -> str:
    """A fenced block that no backtick run in `text` can close early."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    marks = "`" * max(3, longest + 1)
    return f"{marks}text\n{text.rstrip()}\n{marks}"


_HEADING_MD = re.compile(r"^(#{1,5}) ", re.MULTILINE)
_HEADING_HTML = re.compile(r"<(/?)h([1-5])\b")
_ARTICLE = re.compile(r"<article>(.*)</article>", re.DOTALL)


def _demote_markdown(markdown: str) -> str:
    """The fix document's headings one level down, leaving fenced code alone."""
    parts = re.split(r"(^```.*?^```)", markdown, flags=re.DOTALL | re.MULTILINE)
    return "".join(part if part.startswith("```") else _HEADING_MD.sub(r"#\1 ", part) for part in parts)


def _fix(kb: KnowledgeBase, case: Case, language: str, platform: str | None, form: ReportFormat) -> str:
    from markupsafe import Markup

    from assistant.render import render_fix

    top = case.diagnoses[0]
    options = dict(
        platform=platform,
        evidence=_evidence_items(top),
        candidates=[item["id"] for item in case.diagnoses],
    )
    if form == "md":
        return _demote_markdown(render_fix(kb, top["id"], case.facts, language, form="markdown", **options))
    page = render_fix(kb, top["id"], case.facts, language, form="html", **options)
    match = _ARTICLE.search(page)
    body = match.group(1) if match else ""
    # render_fix autoescaped every value and converted Markdown with raw HTML off: safe to embed.
    return Markup(_HEADING_HTML.sub(lambda m: f"<{m.group(1)}h{int(m.group(2)) + 1}", body))  # noqa: S704


@cache
def _env(form: ReportFormat) -> SandboxedEnvironment:
    from jinja2 import FileSystemLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(
        loader=FileSystemLoader(_TEMPLATES),
        autoescape=form == "html",
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(md=_md, fence=_fence)
    return env


def build_report(
    kb: KnowledgeBase,
    case: Case,
    *,
    form: ReportFormat = "md",
    language: str | None = None,
    platform: str | None = None,
    now: datetime | None = None,
) -> str:
    """The report of one case. `platform` None takes the case's `server_software` fact when it names
    a platform, else shows every platform's steps."""
    from assistant.formatting import format_datetime
    from assistant.kb.schema import PLATFORMS
    from assistant.render import platform_label

    language = language or case.language
    if platform is None and case.facts.get("server_software") in PLATFORMS:
        platform = str(case.facts["server_software"])
    labels = _labels(language)
    statuses = _status_labels(language)

    def title(diagnosis_id: str) -> str:
        entry = kb.entries.get(diagnosis_id)
        return pick(entry.title, language) if entry else diagnosis_id

    diagnoses = [
        {
            "id": item["id"],
            "title": title(item["id"]),
            "score": round(100 * float(item.get("score") or 0)),
            "evidence": [str(e.get("text", "")) for e in item.get("evidence") or [] if str(e.get("text", "")).strip()],
        }
        for item in case.diagnoses
        if item.get("id")
    ]
    findings = [
        {**item, "label": statuses.get(item.get("status"), str(item.get("status")))}
        for item in case.findings
        if item.get("status") != "pass" or item.get("evidence")
    ]
    target = case.target or {}
    fix = _fix(kb, case, language, platform, form) if diagnoses and diagnoses[0]["id"] in kb.entries else ""
    template = _env(form).get_template("report.html.j2" if form == "html" else "report.md.j2")
    return template.render(
        t=labels,
        language=language,
        heading=labels["case"].format(number=case.number) if case.number else "",
        created=format_datetime(case.created, language),
        kind=case.kind,
        target=f"{target.get('host')}:{target.get('port')}" if target.get("host") else "",
        platform=platform_label(platform, language) if platform else labels["all_platforms"],
        paste=case.paste,
        conversation=conversation(kb, case.transcript, language, case.paste),
        diagnoses=diagnoses,
        findings=findings,
        unreachable=any(f.get("check", "").startswith("reach.") and f.get("status") == "fail" for f in case.findings),
        fix=fix,
        footer=labels["generated"].format(
            version=__version__, date=format_datetime(now or datetime.now(UTC), language)
        ),
    )
