"""`ssl-assistant report CASE|HOST`: a case from the history, or a fresh probe of HOST, as a Markdown
or self-contained HTML report to attach to a ticket.

Exit codes: 0 report written, 2 usage or input error (unknown case, bad platform, unwritable file),
3 HOST could not be reached (the report is still written and says so).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys

from assistant.i18n import _, negotiate, set_language

EXIT_OK, EXIT_USAGE, EXIT_UNREACHABLE = 0, 2, 3


def case_number(text: str) -> int | None:
    """`12` or `#12` is a case number; anything else is not."""
    text = text.strip().removeprefix("#")
    return int(text) if text.isdigit() else None


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return EXIT_USAGE


def run(args: argparse.Namespace) -> int:
    from assistant.kb.schema import PLATFORMS

    if args.platform and args.platform not in PLATFORMS:
        return _fail(
            _("ssl-assistant report: unknown platform {platform}; use one of {platforms}.").format(
                platform=args.platform, platforms=", ".join(PLATFORMS)
            )
        )
    number = case_number(args.source)
    unreachable = False
    if number is not None:
        from assistant.history import open_history

        try:
            with open_history() as history:
                case = history.get_case(number)
        except (OSError, sqlite3.Error) as error:
            return _fail(_("ssl-assistant report: cannot open the case history: {error}").format(error=error))
        if case is None:
            return _fail(
                _(
                    "ssl-assistant report: there is no case {number} in the history (see `ssl-assistant history`)."
                ).format(number=number)
            )
    else:
        from assistant.commands.probe_batch import parse_host_port

        try:
            host, port = parse_host_port(args.source)
        except ValueError:
            return _fail(
                _("ssl-assistant report: {source} is neither a case number nor a HOST[:PORT].").format(
                    source=args.source
                )
            )
        case = _probe_case(args, host, port)
        unreachable = any(f.get("check", "").startswith("reach.") and f.get("status") == "fail" for f in case.findings)

    language = negotiate(requested=getattr(args, "lang", None), environ=os.environ, paste_language=case.language)
    set_language(language)
    from assistant.commands.diagnose import load_knowledge
    from assistant.report import build_report

    text = build_report(load_knowledge(), case, form=args.format, language=language, platform=args.platform)
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as stream:
                stream.write(text)
        except OSError as error:
            return _fail(_("ssl-assistant report: cannot write {file}: {error}").format(file=args.output, error=error))
        print(_("Report written to {file}.").format(file=args.output), file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_UNREACHABLE if unreachable else EXIT_OK


def _probe_case(args: argparse.Namespace, host: str, port: int):  # noqa: ANN202 - history.Case
    from dataclasses import replace

    from assistant.history import record_case
    from assistant.i18n import current_language
    from assistant.model import ProbeTarget
    from assistant.probes import DEFAULT_CHECKS, run_probe
    from assistant.report import case_from_probe

    target = ProbeTarget(host=host, port=port, sni=args.sni, ca_file=args.ca_file, timeout=args.timeout)
    report = run_probe(target, checks=(*DEFAULT_CHECKS, "chain.served"))
    case = case_from_probe(report, current_language())
    number = record_case(
        args, "probe", case.language, "", [], case.diagnoses, case.findings, facts=case.facts, target=case.target
    )
    return replace(case, number=number or 0)
