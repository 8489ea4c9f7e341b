"""`ssl-assistant probe --from FILE`: probe many servers at once and summarise them in one table.

FILE (or `-` for standard input) lists one `host[:port][ sni]` a line; blank lines and `#` comments
are ignored. Hosts are probed CONCURRENCY at a time, each with its own deadline, so one slow or
broken host never holds up the rest. A progress bar goes to stderr, only on a terminal.

Output: a table (host, days left, result, problems by id), or with --json one probe object a line,
in the order the probes finish (the same shape as `probe --json`, plus `line`).
Exit codes: 0 every host clean, 1 a host has problems or could not be reached, 2 usage error
(unreadable file, malformed lines: all reported at once), 3 no host could be reached at all.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import re
import sys
import threading
import time
import unicodedata
from collections.abc import Callable, Collection, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, replace

from assistant.i18n import _, ngettext
from assistant.model import Finding, ProbeReport, ProbeTarget, Status

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_UNREACHABLE = 0, 1, 2, 3
CONCURRENCY = 32
MAX_HOSTS = 100_000
MAX_FILE_BYTES = 16 * 2**20


@dataclass(frozen=True, slots=True)
class HostLine:
    line: int
    host: str
    port: int
    sni: str | None = None

    @property
    def label(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}" + (f" ({self.sni})" if self.sni else "")


_HOST_NAME = re.compile(r"^[^\s/\\@#?'\"<>`]+$")


def parse_host_port(text: str) -> tuple[str, int]:
    """probe.parse_target, stricter about the host: a name without spaces, or a valid IPv6 address.
    Raises ValueError."""
    from assistant.commands.probe import parse_target

    host, port = parse_target(text)
    if ":" in host:
        ipaddress.IPv6Address(host)
    elif not _HOST_NAME.match(host) or host.startswith(("-", ".")):
        raise ValueError(text)
    return host, port


def parse_hosts(text: str) -> tuple[list[HostLine], list[str]]:
    """The hosts listed in `text`, and a localized message for every line that is not one."""
    hosts: list[HostLine] = []
    errors: list[str] = []
    for number, raw in enumerate(text.splitlines(), 1):
        words = raw.split("#", 1)[0].split()
        if not words:
            continue
        try:
            if len(words) > 2:
                raise ValueError(raw)
            host, port = parse_host_port(words[0])
        except ValueError:
            errors.append(
                _("line {line}: expected host[:port][ sni], found \u201c{text}\u201d").format(
                    line=number, text=raw.strip()[:80]
                )
            )
            continue
        hosts.append(HostLine(number, host, port, words[1] if len(words) > 1 else None))
    return hosts, errors


def probe_many(
    hosts: Sequence[HostLine],
    *,
    timeout: float = 5.0,
    checks: Collection[str] | None = None,
    ca_file: str | None = None,
    allow_fetch: bool = False,
    concurrency: int = CONCURRENCY,
    deadline: float | None = None,
    stop: threading.Event | None = None,
) -> Iterator[tuple[HostLine, ProbeReport]]:
    """Probe every host, yielding each (host, report) as it finishes.

    `deadline` is the most one host may take (default: four network steps' worth); past it the probe
    is cancelled and its report says so. Setting `stop` cancels every probe still running."""
    from assistant.probes import run_probe

    deadline = deadline if deadline is not None else timeout * 4 + 1
    stop = stop or threading.Event()
    running: set[threading.Event] = set()
    lock = threading.Lock()

    def one(host: HostLine) -> ProbeReport:
        target = ProbeTarget(host.host, host.port, host.sni, ca_file, timeout, allow_fetch)
        cancel = threading.Event()
        if stop.is_set():
            cancel.set()
        with lock:
            running.add(cancel)
        timer = threading.Timer(deadline, cancel.set)
        timer.daemon = True
        timer.start()
        try:
            report = run_probe(target, checks=checks, cancel=cancel)
        finally:
            timer.cancel()
            with lock:
                running.discard(cancel)
        if cancel.is_set() and not stop.is_set():
            late = Finding(
                "reach.handshake",
                Status.ERROR,
                _("The probe took longer than {seconds} s and was stopped.").format(seconds=round(deadline, 1)),
            )
            report = replace(report, findings=(*report.findings, late))
        return report

    pool = ThreadPoolExecutor(max(1, min(concurrency, len(hosts))), thread_name_prefix="probe")
    try:
        futures = {pool.submit(one, host): host for host in hosts}
        for future in as_completed(futures):
            yield futures[future], future.result()
    finally:
        stop.set()  # the caller stopped early (Ctrl-C, broken pipe): cancel what is still running
        with lock:
            for cancel in running:
                cancel.set()
        pool.shutdown(wait=True, cancel_futures=True)


# --- judging and output ----------------------------------------------------------------------------


def problems(report: ProbeReport) -> list[str]:
    from assistant.commands.findings import ranked

    return [diagnosis for diagnosis, _score in ranked(report.findings)]


def outcome(report: ProbeReport) -> int:
    if report.unreachable:
        return EXIT_UNREACHABLE
    if problems(report) or any(f.status == Status.ERROR for f in report.findings):
        return EXIT_PROBLEMS
    return EXIT_OK


def exit_code(outcomes: Sequence[int]) -> int:
    """3 only when no host was reached; otherwise 1 if any host is unreachable or has problems."""
    if not outcomes:
        return EXIT_OK
    if all(code == EXIT_UNREACHABLE for code in outcomes):
        return EXIT_UNREACHABLE
    return EXIT_PROBLEMS if any(code != EXIT_OK for code in outcomes) else EXIT_OK


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def table(results: Sequence[tuple[HostLine, ProbeReport]], colour: bool) -> str:
    """The summary, one row per host in file order; colour only on a terminal."""
    labels = {EXIT_OK: _("ok"), EXIT_PROBLEMS: _("problems"), EXIT_UNREACHABLE: _("unreachable")}
    colours = {EXIT_OK: "32", EXIT_PROBLEMS: "31", EXIT_UNREACHABLE: "35"}
    header = [_("HOST"), _("DAYS LEFT"), _("RESULT"), _("PROBLEMS")]
    rows: list[tuple[list[str], int, int | None]] = []
    for host, report in results:
        days = report.facts.get("cert_days_left")
        code = outcome(report)
        found = problems(report) or [f.check for f in report.findings if f.status == Status.ERROR]
        rows.append(
            (
                [host.label, "-" if days is None else str(days), labels[code], ", ".join(found) or "-"],
                code,
                days if isinstance(days, int) else None,
            )
        )
    widths = [max(_width(cells[i]) for cells in [header, *(r[0] for r in rows)]) for i in range(3)]

    def paint(code: str, text: str) -> str:
        return f"\033[{code}m{text}\033[0m" if colour else text

    lines = [paint("1", "  ".join(_pad(cell, widths[i]) for i, cell in enumerate(header[:3])) + "  " + header[3])]
    for cells, code, days in rows:
        day_colour = "31" if days is not None and days < 0 else "33" if days is not None and days < 30 else ""
        shown = [
            _pad(cells[0], widths[0]),
            paint(day_colour, _pad(cells[1], widths[1])) if day_colour else _pad(cells[1], widths[1]),
            paint(colours[code], _pad(cells[2], widths[2])),
            cells[3],
        ]
        lines.append("  ".join(shown))
    return "\n".join(lines)


def summary(outcomes: Sequence[int], seconds: float) -> str:
    count = len(outcomes)
    text = ngettext("{count} host probed in {seconds:.1f} s", "{count} hosts probed in {seconds:.1f} s", count)
    return (
        text.format(count=count, seconds=seconds)
        + ": "
        + _("{clean} clean, {problems} with problems, {unreachable} unreachable").format(
            clean=outcomes.count(EXIT_OK),
            problems=outcomes.count(EXIT_PROBLEMS),
            unreachable=outcomes.count(EXIT_UNREACHABLE),
        )
    )


class _Progress:
    """A progress bar on stderr when it is a terminal (rich, already installed with Textual); else nothing."""

    def __init__(self, total: int) -> None:
        self.bar: object | None = None
        if not sys.stderr.isatty():
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.bar = Progress(
            TextColumn(_("Probing")),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}"),
            console=Console(stderr=True),
            transient=True,
        )
        self.task = self.bar.add_task("", total=total)  # type: ignore[attr-defined]
        self.bar.start()  # type: ignore[attr-defined]

    def advance(self, host: HostLine) -> None:
        if self.bar is not None:
            self.bar.update(self.task, advance=1, description=host.label)  # type: ignore[attr-defined]

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()  # type: ignore[attr-defined]


def _read(path: str) -> str:
    if path == "-":
        data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
    else:
        with open(path, "rb") as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(_("the host list is larger than {size} MB").format(size=MAX_FILE_BYTES // 2**20))
    return data.decode("utf-8-sig", errors="replace")


def run(args: argparse.Namespace, *, out: Callable[[str], None] | None = None) -> int:
    write = out or (lambda text: print(text, flush=True))
    if getattr(args, "target", None):
        print(_("ssl-assistant probe: give either HOST[:PORT] or --from FILE, not both."), file=sys.stderr)
        return EXIT_USAGE
    timeout = getattr(args, "timeout", 5.0)
    if not timeout or timeout <= 0 or timeout > 300:
        print(_("ssl-assistant probe: --timeout must be between 0 and 300 seconds."), file=sys.stderr)
        return EXIT_USAGE
    try:
        hosts, errors = parse_hosts(_read(args.from_file))
    except (OSError, ValueError) as error:
        print(
            _("ssl-assistant probe: cannot read {file}: {error}").format(file=args.from_file, error=error),
            file=sys.stderr,
        )
        return EXIT_USAGE
    if errors or not hosts or len(hosts) > MAX_HOSTS:
        for message in errors:
            print(f"{args.from_file}: {message}", file=sys.stderr)
        if not hosts and not errors:
            print(_("ssl-assistant probe: {file} lists no host.").format(file=args.from_file), file=sys.stderr)
        if len(hosts) > MAX_HOSTS:
            print(_("ssl-assistant probe: at most {count} hosts at a time.").format(count=MAX_HOSTS), file=sys.stderr)
        return EXIT_USAGE

    from assistant.commands.probe import as_json
    from assistant.probes import DEFAULT_CHECKS

    started = time.monotonic()
    results: dict[int, tuple[HostLine, ProbeReport]] = {}
    progress = _Progress(len(hosts))
    try:
        for host, report in probe_many(
            hosts,
            timeout=timeout,
            # chain.served carries the leaf's facts (days left) and is not among the targeted defaults
            checks=None if getattr(args, "full", False) else (*DEFAULT_CHECKS, "chain.served"),
            ca_file=getattr(args, "ca_file", None),
            allow_fetch=bool(getattr(args, "allow_fetch", False)),
            concurrency=int(getattr(args, "concurrency", None) or CONCURRENCY),
        ):
            results[host.line] = (host, report)
            progress.advance(host)
            if args.json:
                write(json.dumps({**as_json(report), "line": host.line}, ensure_ascii=False))
    finally:
        progress.close()
    ordered = [results[line] for line in sorted(results)]
    outcomes = [outcome(report) for _host, report in ordered]
    if not args.json:
        write(table(ordered, colour=sys.stdout.isatty()))
        write("")
        write(summary(outcomes, time.monotonic() - started))
    return exit_code(outcomes)
