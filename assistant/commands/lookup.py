"""`ssl-assistant lookup CODE`: what an error code, number or message means, and the diagnoses it names."""

from __future__ import annotations

import argparse
import json
import sys

from assistant.commands.diagnose import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, load_knowledge, title
from assistant.i18n import _, current_language, normalize_language, pick, set_language


def diagnoses(rows) -> list[tuple[str, float]]:  # noqa: ANN001 - VocabularyRow list
    """The diagnoses the rows name, each row's weight shared among its own (first listed first)."""
    from assistant.engine.match import row_weights

    scores = row_weights(list(rows), 1.0) if rows else {}
    return sorted(((d, round(s, 3)) for d, s in scores.items()), key=lambda item: (-item[1], item[0]))


def as_json(kb, query: str, rows, language: str) -> dict:  # noqa: ANN001
    return {
        "schema_version": 1,
        "query": query,
        "language": language,
        "matches": [
            {
                "ecosystem": row.ecosystem,
                "code": row.code,
                "number": row.number,
                "meaning": row.message,
                "diagnoses": list(row.diagnoses),
            }
            for row in rows
        ],
        "diagnoses": [{"id": d, "score": score, "title": title(kb, d, language)} for d, score in diagnoses(rows)],
    }


def _paint(code: str, text: str, colour: bool) -> str:
    return f"\033[{code}m{text}\033[0m" if colour else text


def as_text(kb, query: str, rows, language: str, colour: bool) -> str:  # noqa: ANN001
    if not rows:
        return _("No known error code, number or message matches \u201c{query}\u201d.").format(query=query)
    lines: list[str] = []
    for row in rows:
        name = " ".join(
            part for part in (row.code, f"({row.number})" if row.number and row.number != row.code else "") if part
        )
        lines.append(f"{_paint('2', row.ecosystem, colour)}  {_paint('1', name or row.message[:80], colour)}")
        if row.message:
            lines.append(f"   {row.message}")
        if not row.diagnoses:
            lines.append(
                "   " + _("Too general to name a cause on its own: paste the whole error or run `ssl-assistant`.")
            )
    found = diagnoses(rows)
    if found:
        lines += ["", _paint("1", _("What it points to:"), colour)]
        for diagnosis, _score in found:
            lines.append(
                f"- {_paint('1;33', title(kb, diagnosis, language), colour)}  {_paint('2', f'[{diagnosis}]', colour)}"
            )
            entry = kb.entries.get(diagnosis)
            if entry is not None:
                lines.append("  " + " ".join(pick(entry.summary, language).split()))
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from assistant.engine.lookup import lookup
    from assistant.engine.text import clean

    query = clean(args.code.encode("utf-8", "surrogateescape").decode("utf-8", "replace")).strip()
    if not query:
        print(_("Nothing to look up: give an error code, number or message."), file=sys.stderr)
        return EXIT_USAGE
    language = normalize_language(getattr(args, "lang", None)) or current_language()
    set_language(language)
    kb = load_knowledge()
    rows = lookup(query, kb)
    if args.json:
        print(json.dumps(as_json(kb, query, rows, language), ensure_ascii=False, indent=2))
    else:
        print(as_text(kb, query, rows, language, colour=sys.stdout.isatty()))
    from assistant.history import record_case

    diagnoses = sorted({diagnosis for row in rows for diagnosis in row.diagnoses})
    record_case(args, "lookup", language, query, diagnoses=[{"id": d} for d in diagnoses])
    return EXIT_PROBLEMS if any(row.diagnoses for row in rows) else EXIT_OK
