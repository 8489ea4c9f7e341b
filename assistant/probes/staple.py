"""Provides the stapled OCSP status, read with `openssl s_client -status` (Python's ssl has no API
for it). The subprocess has the caller's timeout and is killed on cancel."""

from __future__ import annotations

import re
import shutil
import subprocess
import threading

from assistant.i18n import _
from assistant.model import Finding, Status
from assistant.probes.certs import _f, must_staple

_STATUS = re.compile(r"Cert Status:\s*(\w+)")


def capture(address: tuple, server_name: str | None, timeout: float, cancel: threading.Event | None) -> str | None:
    """s_client's output, or None when openssl is missing or timed out."""
    openssl = shutil.which("openssl")
    if openssl is None:
        return None
    host = f"[{address[0]}]" if ":" in address[0] else address[0]
    command = [openssl, "s_client", "-connect", f"{host}:{address[1]}", "-status", "-no_ign_eof"]
    if server_name:
        command += ["-servername", server_name]
    try:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    except OSError:
        return None
    try:
        deadline = timeout * 2  # connect and handshake are two steps
        while True:
            try:
                out, _err = process.communicate(timeout=min(0.1, deadline))
                return out.decode("utf-8", "replace")
            except subprocess.TimeoutExpired:
                deadline -= 0.1
                if deadline <= 0 or (cancel is not None and cancel.is_set()):
                    return None
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def judge(output: str | None, leaf, must: bool | None = None) -> list[Finding]:  # noqa: ANN001
    """revocation.ocsp_staple and revocation.must_staple from s_client's text and the leaf."""
    if output is None:
        return [
            _f(
                "revocation.ocsp_staple",
                Status.ERROR,
                _("The stapled OCSP status could not be read (openssl s_client missing or no answer)."),
            )
        ]
    must = must_staple(leaf) if must is None and leaf is not None else bool(must)
    status = _STATUS.search(output)
    out: list[Finding] = []
    if status is None:
        out.append(
            _f(
                "revocation.ocsp_staple",
                Status.INFO,
                _("The server staples no OCSP response."),
                None,
                ocsp_revoked=False,
            )
        )
    elif status.group(1).lower() == "revoked":
        reason = re.search(r"Revocation Reason:\s*([^\n(]+)", output)
        out.append(
            _f(
                "revocation.ocsp_staple",
                Status.FAIL,
                _(
                    "The OCSP response stapled by the server says the certificate is revoked (Cert Status: revoked{reason})."
                ).format(reason=f", {reason.group(1).strip()}" if reason else ""),
                "revoked",
                ocsp_revoked=True,
            )
        )
    else:
        out.append(
            _f(
                "revocation.ocsp_staple",
                Status.PASS,
                _("The stapled OCSP response says {status}.").format(status=status.group(1)),
                "revoked",
                ocsp_revoked=False,
            )
        )
    if must and status is None:
        out.append(
            _f(
                "revocation.must_staple",
                Status.FAIL,
                _(
                    "The certificate has the TLS Feature (Must-Staple) extension, but the server stapled no OCSP response: Firefox refuses it."
                ),
                "revocation-unavailable",
                must_staple_missing=True,
            )
        )
    elif must:
        out.append(
            _f(
                "revocation.must_staple",
                Status.PASS,
                _("The certificate requires OCSP stapling and the server staples a response."),
                "revocation-unavailable",
                must_staple_missing=False,
            )
        )
    else:
        out.append(
            _f(
                "revocation.must_staple",
                Status.PASS,
                _("The certificate does not require OCSP stapling."),
                "revocation-unavailable",
                must_staple_missing=False,
            )
        )
    return out
