"""`ssl-assistant check FILE...`: what is inside certificate, key, CSR, bundle and keystore files,
whether they fit together, and conversions between formats; as text or JSON.

Exit 0 nothing wrong, 1 problems found, 2 an input error (unreadable file, missing or wrong password).
Key material is never printed: the inventory names a key by type and size only.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from assistant.commands.findings import finding_line, likely_problems, ranked, title
from assistant.i18n import _, current_language

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
_MAX_PASSWORD_FILE = 64 * 1024


def run(args: argparse.Namespace) -> int:
    fmt = (args.convert_to or "").lower() or None
    from assistant.files.convert import FORMATS

    if fmt is not None and fmt not in FORMATS:
        return _usage(_("--convert-to must be one of {formats}.").format(formats=", ".join(FORMATS)))
    password = None
    if args.password_file:
        password = _read_password(args.password_file)
        if password is None:
            return EXIT_USAGE

    from assistant.files import judge, load_all

    started = datetime.now(UTC)
    loaded, problems = load_all(args.files, password)
    if password is None and any(p.kind == "password_needed" for _path, p in problems) and _interactive():
        password = _ask_password()
        if password is not None:
            loaded, problems = load_all(args.files, password)
    report = judge(loaded, problems, started)
    elapsed = round((datetime.now(UTC) - started).total_seconds(), 3)

    written: list[str] = []
    convert_error = None
    if fmt is not None and loaded and not problems:
        from assistant.files.convert import convert
        from assistant.files.detect import FileProblem

        if password is None and fmt in ("pfx", "jks") and _interactive():
            password = _ask_password(_("Password for the new {format} file: ").format(format=fmt.upper()))
        try:
            written = [str(path) for path in convert(loaded, fmt, password)]
        except FileProblem as problem:
            convert_error = str(problem)
    from assistant.files.convert import commands

    hints = commands(loaded)
    if not problems:  # an unreadable file is an input error: messages on stderr, nothing on stdout
        if args.json:
            print(json.dumps(_as_json(args.files, report, elapsed, hints, written), ensure_ascii=False, indent=2))
        else:
            print(_as_text(report, hints, written, colour=sys.stdout.isatty()))
    for _path, problem in problems:
        print(_("ssl-assistant check: {problem}").format(problem=problem), file=sys.stderr)
    if fmt is not None and problems:
        print(_("ssl-assistant check: nothing was converted because a file could not be read."), file=sys.stderr)
    if convert_error:
        print(_("ssl-assistant check: {problem}").format(problem=convert_error), file=sys.stderr)
    if problems or convert_error:
        return EXIT_USAGE
    from assistant.history import record_case

    diagnoses = [{"id": diagnosis, "score": score} for diagnosis, score in ranked(report.findings)]
    record_case(
        args,
        "check",
        current_language(),
        "",
        diagnoses=diagnoses,
        findings=report.findings,
        facts=report.facts,
        target={"files": list(args.files)},
    )
    return EXIT_PROBLEMS if ranked(report.findings) else EXIT_OK


def _usage(message: str) -> int:
    print(_("ssl-assistant check: {problem}").format(problem=message), file=sys.stderr)
    return EXIT_USAGE


def _read_password(name: str) -> bytes | None:
    """The first line of the file, without its line ending (how openssl's file: passwords work)."""
    path = Path(name)
    try:
        if path.is_dir():
            raise IsADirectoryError(name)
        with path.open("rb") as stream:
            data = stream.read(_MAX_PASSWORD_FILE)
    except OSError:
        _usage(_("the password file {file} cannot be read.").format(file=name))
        return None
    return data.splitlines()[0] if data.splitlines() else b""


def _interactive() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def _ask_password(prompt: str | None = None) -> bytes | None:
    try:
        return getpass.getpass(prompt or _("Password: ")).encode("utf-8")
    except (EOFError, OSError):
        return None


def _as_json(files: list[str], report, elapsed: float, hints: list[tuple[str, str]], written: list[str]) -> dict:  # noqa: ANN001
    return {
        "schema_version": 1,
        "target": {"files": list(files)},
        "findings": [
            {"check": f.check, "status": str(f.status), "diagnosis": f.diagnosis, "evidence": f.evidence}
            for f in report.findings
        ],
        "diagnoses": [{"id": d, "score": s, "title": title(d)} for d, s in ranked(report.findings)],
        "facts": report.facts,
        "inventory": [asdict(item) for item in report.inventory],
        "commands": [{"caption": caption, "command": command} for caption, command in hints],
        "converted": written,
        "elapsed_s": elapsed,
        "handshakes": 0,
        "language": current_language(),
    }


def _as_text(report, hints: list[tuple[str, str]], written: list[str], colour: bool) -> str:  # noqa: ANN001
    kinds = {"certificate": _("certificate"), "private_key": _("private key"), "csr": _("CSR"), "other": _("other")}
    lines: list[str] = []
    for inventory in report.inventory:
        if inventory.error:
            continue
        lines.append(f"{inventory.path}")
        for item in inventory.items:
            lines.append(f"  {kinds.get(item.kind, item.kind)}: {_describe(item)}")
    lines.append("")
    for finding in report.findings:
        lines.append(finding_line(finding, colour))
    lines.append("")
    problems = likely_problems(report.findings)
    lines += problems or ([] if report.problems else [_("No problem found.")])
    if hints:
        lines += ["", _("Conversion commands:")]
        for caption, command in hints:
            if caption:
                lines.append(f"  # {caption}")
            lines.append(f"  {command}")
    if written:
        lines += ["", _("Written:")] + [f"  {path}" for path in written]
    return "\n".join(lines)


def _describe(item) -> str:  # noqa: ANN001
    if item.kind == "certificate":
        parts = [
            item.subject or "-",
            _("issued by {issuer}").format(issuer=item.issuer or "-"),
            _("valid {start} to {end}").format(start=item.not_before[:10], end=item.not_after[:10]),
            f"{item.key_type} {item.key_bits}",
            "SHA-256 " + item.sha256,
        ]
        if item.alias:
            parts.insert(0, _("alias {alias}").format(alias=item.alias))
        return ", ".join(parts)
    if item.kind == "private_key":
        if not item.key_type:
            return _("alias {alias}, locked by its own password").format(alias=item.alias or "-")
        text = f"{item.key_type} {item.key_bits}"
        if item.encrypted:
            text += ", " + _("encrypted")
        if item.belongs_to:
            text += ", " + _("belongs to {name}").format(name=item.belongs_to)
        return text
    if item.kind == "csr":
        return f"{item.subject or '-'}, {item.key_type} {item.key_bits}"
    return item.subject
