"""`ssl-assistant kb check`: validate knowledge/, rules/ and locales/, printing every problem."""

from __future__ import annotations

import argparse
import sys

from assistant.i18n import _, ngettext


def run(args: argparse.Namespace) -> int:
    from assistant.kb.check import check_all

    problems = check_all()
    for problem in problems:
        print(problem, file=sys.stdout)
    if problems:
        count = len(problems)
        print(ngettext("{count} problem found.", "{count} problems found.", count).format(count=count), file=sys.stderr)
        return 1
    print(_("Knowledge base, rules and catalogs are valid."), file=sys.stderr)
    return 0
