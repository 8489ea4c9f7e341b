"""One module per `ssl-assistant` subcommand, each with `run(args: argparse.Namespace) -> int`."""

from __future__ import annotations

import sys

from assistant.i18n import _


def not_built(command: str) -> int:
    """Say plainly that a subcommand's engine does not exist yet; never fake a result."""
    print(
        _("ssl-assistant {command}: not available yet in this version.").format(command=command),
        file=sys.stderr,
    )
    return 2
