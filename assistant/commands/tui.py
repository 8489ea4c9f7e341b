"""`ssl-assistant` with no command: the interactive assistant (Textual, imported only here)."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from assistant.i18n import _, current_language


def utcnow() -> datetime:
    return datetime.now(UTC)


def run(args: argparse.Namespace) -> int:
    from assistant.kb import KnowledgeBaseError, load_kb

    try:
        kb = load_kb()
    except KnowledgeBaseError as error:
        print(_("The knowledge base has problems; run `ssl-assistant kb check`:"), file=sys.stderr)
        for problem in error.problems[:20]:
            print(f"  {problem}", file=sys.stderr)
        return 2
    if not sys.stdout.isatty() or not sys.stdin.isatty():
        print(
            _("The interactive assistant needs a terminal; see `ssl-assistant --help` for the commands."),
            file=sys.stderr,
        )
        return 2

    from assistant.ui.app import make_app

    make_app(kb, language=current_language(), clock=utcnow, keep_history=not args.no_history).run()
    return 0
