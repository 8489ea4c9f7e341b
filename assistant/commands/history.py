"""`ssl-assistant history [list|show|export|delete] [CASE]`: the local case history.

list           newest cases first: number, date, kind, top diagnosis, first words of the paste
show CASE      the case as the Markdown report (`report CASE` for HTML or another platform)
export [CASE]  the case as JSON; without CASE every case, one JSON object a line, oldest first
delete CASE    remove the case for good

Exit codes: 0 done, 2 usage error (missing or unknown CASE, history not readable).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
from typing import Any

from assistant.commands.report import case_number
from assistant.i18n import _, current_language, negotiate, set_language

EXIT_OK, EXIT_USAGE = 0, 2
SNIPPET = 48


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return EXIT_USAGE


def as_json(case: Any) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "case": case.number,
        "created": case.created.isoformat(),
        "kind": case.kind,
        "language": case.language,
        "paste": case.paste,
        "transcript": case.transcript,
        "diagnoses": case.diagnoses,
        "findings": case.findings,
        "facts": case.facts,
        "target": case.target,
    }


def _snippet(case: Any) -> str:
    from assistant.engine.text import clean

    if case.target:
        return f"{case.target.get('host')}:{case.target.get('port')}"
    text = " ".join(clean(case.paste).split())
    return text if len(text) <= SNIPPET else text[: SNIPPET - 1] + "…"


def _list(history: Any, colour: bool) -> int:
    from assistant.formatting import format_datetime

    cases = history.list_cases()
    if not cases:
        print(_("No cases in the history yet."), file=sys.stderr)
        return EXIT_OK
    for case in cases:
        number = f"#{case.number}".rjust(5)
        if colour:
            number = f"\033[1m{number}\033[0m"
        top = case.top or "-"
        print(f"{number}  {format_datetime(case.created, format='short')}  {case.kind:<8}  {top:<28}  {_snippet(case)}")
    return EXIT_OK


def run(args: argparse.Namespace) -> int:
    from assistant.history import open_history

    number = None
    if args.case is not None:
        number = case_number(args.case)
        if number is None:
            return _fail(_("ssl-assistant history: {case} is not a case number.").format(case=args.case))
    if args.action in ("show", "delete") and number is None:
        return _fail(_("ssl-assistant history {action}: give the case number.").format(action=args.action))
    try:
        with open_history() as history:
            if args.action == "list":
                return _list(history, colour=sys.stdout.isatty())
            if args.action == "export" and number is None:
                for case in reversed(history.list_cases()):
                    print(json.dumps(as_json(case), ensure_ascii=False))
                return EXIT_OK
            assert number is not None
            if args.action == "delete":
                if not history.delete_case(number):
                    return _fail(_("ssl-assistant history: there is no case {number}.").format(number=number))
                print(_("Case {number} deleted.").format(number=number), file=sys.stderr)
                return EXIT_OK
            case = history.get_case(number)
    except (OSError, sqlite3.Error) as error:
        return _fail(_("ssl-assistant history: cannot open the case history: {error}").format(error=error))
    if case is None:
        return _fail(_("ssl-assistant history: there is no case {number}.").format(number=number))
    if args.action == "export":
        print(json.dumps(as_json(case), ensure_ascii=False, indent=2))
        return EXIT_OK
    language = negotiate(requested=getattr(args, "lang", None), environ=os.environ, paste_language=case.language)
    set_language(language)
    from assistant.commands.diagnose import load_knowledge
    from assistant.report import build_report

    sys.stdout.write(build_report(load_knowledge(), case, form="md", language=current_language()))
    return EXIT_OK
