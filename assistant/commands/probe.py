"""`ssl-assistant probe`: not built yet."""

from __future__ import annotations

import argparse

from assistant.commands import not_built


def run(args: argparse.Namespace) -> int:
    return not_built("probe")
