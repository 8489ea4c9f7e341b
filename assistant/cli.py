"""Provides the `ssl-assistant` command: argument parsing and dispatch to assistant/commands/.

Each subcommand lives in its own module with `run(args) -> int` and is imported only when used, so
`ssl-assistant diagnose …` never pays for Textual. Exit codes: 0 nothing wrong found, 1 problems
found, 2 usage or input error, 3 target unreachable. Diagnostics go to stderr; stdout carries only
the requested output.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from assistant import __version__
from assistant.i18n import LANGUAGES, N_, _, negotiate, ngettext, normalize_language, set_language

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_UNREACHABLE = 3


# argparse's own user-facing words, marked here so that the extractor puts them in our catalogs.
_ARGPARSE_MESSAGES = (
    N_("usage: "),
    N_("options"),
    N_("positional arguments"),
    N_("show this help message and exit"),
    N_("the following arguments are required: %s"),
    N_("unrecognized arguments: %s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("invalid %(type)s value: %(value)r"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("expected one argument"),
    N_("expected at least one argument"),
    N_("expected at most one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("not allowed with argument %s"),
    N_("one of the arguments %s is required"),
)


def _localize_argparse() -> None:
    """argparse translates through its module-level `_` and `ngettext` (gettext's default domain,
    which has no Chinese or Korean catalog); pointing them at ours localizes usage lines and errors."""
    argparse._ = _  # type: ignore[attr-defined]
    argparse.ngettext = ngettext  # type: ignore[attr-defined]


class _Parser(argparse.ArgumentParser):
    """argparse exits with 2 on usage errors already; keep its message on stderr, localized prefix."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, _("{prog}: error: {message}\n").format(prog=self.prog, message=message))


def _language_arg(parser: argparse.ArgumentParser, *, top_level: bool = False) -> None:
    # A subcommand's default must not overwrite a --lang given before the subcommand.
    parser.add_argument(
        "--lang",
        metavar="L",
        default=None if top_level else argparse.SUPPRESS,
        help=_("reply language: one of {languages}").format(languages=", ".join(LANGUAGES)),
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="ssl-assistant",
        description=_(
            "Explains SSL/TLS certificate errors, confirms them against the real server or your "
            "files, and shows the fix for your server. Without a command it opens the interactive assistant."
        ),
    )
    parser.add_argument(
        "--version", action="version", version=f"ssl-assistant {__version__}", help=_("show the version and exit")
    )
    _language_arg(parser, top_level=True)
    parser.add_argument("--no-history", action="store_true", help=_("do not keep this session in the case history"))
    commands = parser.add_subparsers(dest="command", metavar=_("COMMAND"), parser_class=_Parser)

    diagnose = commands.add_parser("diagnose", help=_("rank the likely causes of a pasted error or symptom"))
    diagnose.add_argument("text", metavar="TEXT", help=_("the pasted text, or - to read standard input"))
    _language_arg(diagnose)
    diagnose.add_argument("--json", action="store_true", help=_("print JSON instead of text"))

    lookup = commands.add_parser("lookup", help=_("look up an error code or message"))
    lookup.add_argument("code", metavar="CODE", help=_("an error identifier, number or message"))
    _language_arg(lookup)
    lookup.add_argument("--json", action="store_true", help=_("print JSON instead of text"))

    probe = commands.add_parser("probe", help=_("probe a live TLS server and explain what is wrong"))
    probe.add_argument("target", metavar="HOST[:PORT]", nargs="?", help=_("the server to probe (port 443 by default)"))
    probe.add_argument(
        "--from", dest="from_file", metavar="FILE", help=_("probe every host listed in FILE, one per line")
    )
    probe.add_argument("--sni", metavar="NAME", help=_("server name to send, if not the host"))
    probe.add_argument("--ca-file", metavar="PEM", help=_("also trust the CA certificates in this file"))
    probe.add_argument(
        "--timeout", metavar="S", type=float, default=5.0, help=_("seconds allowed for each network step")
    )
    probe.add_argument(
        "--full", action="store_true", help=_("run every check, not only those that decide the likely causes")
    )
    probe.add_argument(
        "--concurrency", metavar="N", type=int, default=32, help=_("with --from: how many hosts to probe at once")
    )
    probe.add_argument(
        "--allow-fetch",
        action="store_true",
        help=_("allow fetching missing intermediates and revocation status from the network beyond the target"),
    )
    _language_arg(probe)
    probe.add_argument("--json", action="store_true", help=_("print JSON instead of text"))

    check = commands.add_parser("check", help=_("inspect certificate, key, bundle and keystore files"))
    check.add_argument("files", metavar="FILE", nargs="+", help=_("files to inspect"))
    check.add_argument("--password-file", metavar="F", help=_("read the password of encrypted files from F"))
    check.add_argument("--convert-to", metavar="FORMAT", help=_("write a converted copy: pem, der, pfx or jks"))
    _language_arg(check)
    check.add_argument("--json", action="store_true", help=_("print JSON instead of text"))

    chat = commands.add_parser("chat", help=_("the guided session as JSON lines on standard input and output"))
    chat.add_argument("--jsonl", action="store_true", required=True, help=_("JSON lines in and out"))
    _language_arg(chat)

    report = commands.add_parser("report", help=_("export a session or probe as Markdown or HTML"))
    report.add_argument("source", metavar="CASE", help=_("a case number from the history, or a host to probe"))
    report.add_argument("--format", choices=("md", "html"), default="md", help=_("output format"))
    report.add_argument("--platform", metavar="P", help=_("fix steps for this platform"))
    report.add_argument("--output", "-o", metavar="FILE", help=_("write to FILE instead of standard output"))
    report.add_argument("--sni", metavar="NAME", help=_("server name to send, if not the host"))
    report.add_argument("--ca-file", metavar="PEM", help=_("also trust the CA certificates in this file"))
    report.add_argument(
        "--timeout", metavar="S", type=float, default=5.0, help=_("seconds allowed for each network step")
    )
    _language_arg(report)

    history = commands.add_parser("history", help=_("list, show, export or delete past sessions"))
    history.add_argument("action", choices=("list", "show", "export", "delete"), nargs="?", default="list")
    history.add_argument("case", metavar="CASE", nargs="?", help=_("case number"))
    _language_arg(history)

    kb = commands.add_parser("kb", help=_("knowledge base tools"))
    kb_commands = kb.add_subparsers(dest="kb_command", metavar="ACTION", required=True, parser_class=_Parser)
    kb_commands.add_parser("check", help=_("validate knowledge/, rules/ and locales/"))
    return parser


def _prescan_language(argv: Sequence[str]) -> str | None:
    """The --lang value, read before parsing so that help and errors are already in that language."""
    for index, arg in enumerate(argv):
        if arg == "--lang" and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    requested = _prescan_language(argv)
    from assistant.settings import saved_language

    set_language(negotiate(requested=requested, saved=saved_language(), environ=os.environ))
    _localize_argparse()
    parser = build_parser()
    args = parser.parse_args(argv)
    if requested and normalize_language(requested) is None:
        parser.error(
            _("unknown language {language}; use one of {languages}").format(
                language=requested, languages=", ".join(LANGUAGES)
            )
        )
    name = args.command or "tui"
    module = importlib.import_module(f"assistant.commands.{name}")
    try:
        return int(module.run(args))
    except KeyboardInterrupt:
        print(_("Interrupted."), file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
