"""`ssl-assistant diagnose TEXT|-`: rank the likely causes of a pasted error, as text or JSON."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime

from assistant.i18n import _, current_language, normalize_language, pick, set_language
from assistant.model import Candidate, EvidenceItem

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
MAX_INPUT_BYTES = 10 * 1024 * 1024
"""Read at most this much of standard input; the matcher itself looks at less (text.MAX_PASTE_CHARS)."""
LANGUAGE_NAMES = {"en": "English", "zh-Hans": "简体中文", "zh-Hant": "繁體中文", "ko": "한국어"}
"""Each language by its own name: the same in every interface language."""
MAX_SHOWN = 5
MIN_SHOWN_SCORE = 0.05


class InputError(Exception):
    """The paste cannot be used; the message is localized and says what to do instead."""


def _decode(data: bytes) -> str:
    text = data.decode("utf-8-sig", errors="replace")
    sample = text[:65536]
    junk = sample.count("\x00") + sample.count("\ufffd")
    if sample and junk > len(sample) / 10:
        raise InputError(_("This looks like binary data, not text. Paste the error message as text."))
    return text


def read_text(value: str) -> str:
    """The paste: the argument itself, or standard input for `-`. Raises InputError."""
    if value == "-":
        data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
        if len(data) > MAX_INPUT_BYTES:
            print(
                _("Only the first {size} MB of the input were read.").format(size=MAX_INPUT_BYTES // 2**20),
                file=sys.stderr,
            )
            data = data[:MAX_INPUT_BYTES]
        text = _decode(data)
    else:  # undecodable argv bytes arrive as surrogates; make them plain replacement characters
        text = _decode(value.encode("utf-8", "surrogateescape"))
    if not text.strip(" \t\r\n\x00\ufeff"):
        raise InputError(_("Nothing to diagnose: the text is empty. Paste the error message or code."))
    return text


def load_knowledge():  # noqa: ANN201 - KnowledgeBase, imported lazily for start-up time
    """The knowledge base; a base with problems is still used, with a warning on stderr."""
    from assistant.kb.load import KnowledgeBaseError, load_kb, read

    try:
        return load_kb()
    except KnowledgeBaseError as error:
        print(
            _(
                "The knowledge base has {count} problems; results may be incomplete (see `ssl-assistant kb check`)."
            ).format(count=len(error.problems)),
            file=sys.stderr,
        )
        return read()


def title(kb, diagnosis: str, language: str) -> str:  # noqa: ANN001
    entry = kb.entries.get(diagnosis)
    return pick(entry.title, language) if entry else diagnosis


def consult(kb, evidence, matched, language: str) -> tuple[list[Candidate], dict | None]:  # noqa: ANN001
    """Rank as the guided session does (the paste's matches weighed by the rules, as in the TUI and
    `chat`), and the first question it would ask, if any."""
    from assistant.engine.session import Session
    from assistant.model import AskQuestion

    session = Session(kb, now=datetime.now(UTC), language=language)
    session.merge(evidence, matched)
    step = session.next_step()
    if not isinstance(step, AskQuestion) or step.question_id not in kb.questions:
        return session.candidates, None
    question = kb.questions[step.question_id]
    return session.candidates, {
        "id": question.id,
        "kind": question.kind,
        "text": pick(question.text, language),
        "options": [{"value": option.value, "text": pick(option.text, language)} for option in question.options],
    }


def as_json(kb, evidence, candidates, language: str, question: dict | None) -> dict:  # noqa: ANN001
    return {
        "schema_version": 1,
        "language": language,
        "diagnoses": [
            {
                "id": candidate.id,
                "score": round(candidate.score, 3),
                "title": title(kb, candidate.id, language),
                "evidence": [
                    {
                        "source": item.source,
                        "text": item.text,
                        "span": list(item.span) if item.span else None,
                        "weight": round(item.weight, 3),
                        "ref": item.ref,
                    }
                    for item in candidate.evidence
                ],
            }
            for candidate in candidates
        ],
        "facts": evidence.facts,
        "next_question": question,
    }


def _paint(code: str, text: str, colour: bool) -> str:
    return f"\033[{code}m{text}\033[0m" if colour else text


def _outermost(evidence: tuple[EvidenceItem, ...]) -> list[EvidenceItem]:
    """Evidence minus items whose paste span lies inside another's: one quote per place in the paste."""
    spans = [item.span for item in evidence if item.span]
    return [
        item
        for item in evidence
        if not item.span
        or not any(other != item.span and other[0] <= item.span[0] and item.span[1] <= other[1] for other in spans)
    ]


def as_text(kb, candidates, language: str, question: dict | None, vague: list[str], colour: bool) -> str:  # noqa: ANN001
    lines: list[str] = []
    shown = [candidate for candidate in candidates if candidate.score >= MIN_SHOWN_SCORE][:MAX_SHOWN]
    if shown:
        lines.append(_paint("1", _("Likely causes:"), colour))
        for number, candidate in enumerate(shown, 1):
            score = _("{percent} %").format(percent=round(candidate.score * 100))
            heading = f"{number}. {title(kb, candidate.id, language)}"
            lines.append(
                f"{_paint('1;33' if number == 1 else '1', heading, colour)}  {_paint('2', f'[{candidate.id}] {score}', colour)}"
            )
            entry = kb.entries.get(candidate.id)
            if entry is not None:
                lines.append("   " + " ".join(pick(entry.summary, language).split()))
            for item in _outermost(candidate.evidence)[:3]:
                where = _("characters {start}-{end}").format(start=item.span[0], end=item.span[1]) if item.span else ""
                lines.append(
                    "   "
                    + _paint(
                        "36",
                        _("seen: \u201c{text}\u201d {where}").format(
                            text=" ".join(item.text.split())[:100], where=where
                        ),
                        colour,
                    )
                )
    else:
        lines.append(_paint("1", _("Nothing in this text points to a known certificate problem."), colour))
        lines.append(
            _("Paste the exact error message or code, or run `ssl-assistant` and answer a few questions instead.")
        )
    if vague:
        lines.append(_("Recognised, but too general to name a cause: {codes}").format(codes=", ".join(vague)))
    if question:
        lines.append("")
        lines.append(_paint("1", _("To tell them apart: {question}").format(question=question["text"]), colour))
        for option in question["options"]:
            lines.append(f"   - {option['text']}")
    lines.append("")
    lines.append(
        _paint("2", _("Reply language: {language}").format(language=LANGUAGE_NAMES.get(language, language)), colour)
    )
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    try:
        text = read_text(args.text)
    except InputError as error:
        print(error, file=sys.stderr)
        return EXIT_USAGE
    except OSError as error:
        print(_("Cannot read the input: {error}").format(error=error), file=sys.stderr)
        return EXIT_USAGE

    from assistant.engine.match import rank, scan
    from assistant.engine.normalise import normalise

    evidence = normalise(text)
    language = normalize_language(getattr(args, "lang", None))
    if language is None:
        language = evidence.language if evidence.language != "en" else current_language()
    set_language(language)
    kb = load_knowledge()
    hits = scan(evidence, kb)
    vague = sorted({hit.text for hit in hits if not hit.weights and hit.kind in ("code", "number")})
    candidates, question = consult(kb, evidence, rank(hits, kb), language)
    if args.json:
        print(json.dumps(as_json(kb, evidence, candidates, language, question), ensure_ascii=False, indent=2))
    else:
        print(as_text(kb, candidates, language, question, vague, colour=sys.stdout.isatty()))
    from assistant.history import record_case

    record_case(args, "diagnose", language, text, diagnoses=candidates)
    return EXIT_PROBLEMS if candidates else EXIT_OK
