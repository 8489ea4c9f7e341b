"""`ssl-assistant probe HOST[:PORT]`: probe a live server and say what is wrong, as text or JSON."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict

from assistant.commands.findings import finding_line, likely_problems, ranked, title
from assistant.i18n import _, current_language
from assistant.model import ProbeReport, ProbeTarget, Status

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_UNREACHABLE = 0, 1, 2, 3


def parse_target(text: str) -> tuple[str, int]:
    """HOST, HOST:PORT, [v6]:PORT, bare v6, or an https:// URL. Raises ValueError."""
    text = text.strip()
    if "://" in text:
        text = text.split("://", 1)[1]
    text = text.split("/", 1)[0]
    if text.startswith("["):
        host, _sep, rest = text[1:].partition("]")
        port = rest.removeprefix(":") or "443"
    elif text.count(":") == 1:
        host, port = text.split(":")
    else:
        host, port = text, "443"
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(text)
    return host, int(port)


def as_json(report: ProbeReport) -> dict:
    return {
        "schema_version": 1,
        "target": asdict(report.target),
        "findings": [
            {"check": f.check, "status": str(f.status), "diagnosis": f.diagnosis, "evidence": f.evidence}
            for f in report.findings
        ],
        "diagnoses": [{"id": d, "score": s, "title": title(d)} for d, s in ranked(report.findings)],
        "facts": report.facts,
        "elapsed_s": report.elapsed_s,
        "handshakes": report.handshakes,
        "unreachable": report.unreachable,
        "language": current_language(),
    }


def as_text(report: ProbeReport, colour: bool) -> str:
    target = report.target
    lines = [_("Probe of {host} port {port}").format(host=target.host, port=target.port), ""]
    for finding in report.findings:
        if finding.status == Status.PASS and not finding.evidence:
            continue
        lines.append(finding_line(finding, colour))
    lines.append("")
    nothing = _("The server could not be reached.") if report.unreachable else _("No problem found.")
    lines += likely_problems(report.findings) or [nothing]
    lines.append(
        _("{handshakes} handshakes in {seconds:.2f} s").format(handshakes=report.handshakes, seconds=report.elapsed_s)
    )
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    if getattr(args, "from_file", None):
        from assistant.commands.probe_batch import run as run_batch

        return run_batch(args)
    if not args.target:
        print(_("ssl-assistant probe: give a HOST[:PORT] to probe, or --from FILE."), file=sys.stderr)
        return EXIT_USAGE
    try:
        host, port = parse_target(args.target)
    except ValueError:
        print(
            _("ssl-assistant probe: {target} is not a valid HOST[:PORT].").format(target=args.target), file=sys.stderr
        )
        return EXIT_USAGE
    if not args.timeout or args.timeout <= 0 or args.timeout > 300:
        print(_("ssl-assistant probe: --timeout must be between 0 and 300 seconds."), file=sys.stderr)
        return EXIT_USAGE
    if args.ca_file:
        try:
            from cryptography import x509

            with open(args.ca_file, "rb") as stream:
                x509.load_pem_x509_certificates(stream.read())
        except (OSError, ValueError) as error:
            print(
                _("ssl-assistant probe: cannot read CA certificates from {file}: {error}").format(
                    file=args.ca_file, error=error
                ),
                file=sys.stderr,
            )
            return EXIT_USAGE
    from assistant.probes import DEFAULT_CHECKS, run_probe

    target = ProbeTarget(
        host=host,
        port=port,
        sni=args.sni,
        ca_file=args.ca_file,
        timeout=args.timeout,
        allow_fetch=bool(args.allow_fetch),
    )
    report = run_probe(target, checks=None if args.full else DEFAULT_CHECKS)
    if args.json:
        print(json.dumps(as_json(report), ensure_ascii=False, indent=2))
    else:
        print(as_text(report, colour=sys.stdout.isatty()))
    from assistant.history import record_case

    record_case(
        args,
        "probe",
        current_language(),
        "",
        diagnoses=[{"id": diagnosis_id, "score": score} for diagnosis_id, score in ranked(report.findings)],
        findings=report.findings,
        facts=report.facts,
        target=asdict(report.target),
    )
    if report.unreachable:
        return EXIT_UNREACHABLE
    return EXIT_PROBLEMS if ranked(report.findings) else EXIT_OK
