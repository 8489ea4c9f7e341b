"""The only package that touches the network: live TLS probes.

run_probe(target, checks=None, progress=None, cancel=None, now=None) -> ProbeReport
  checks: check ids from rules/checks/ to decide (targeted mode); None runs every check (full mode).
  progress: called as progress(check_id, status_or_None) from worker threads as checks start/finish.
  cancel: a threading.Event; when set, the probe stops promptly and returns what it has.
  Never raises; every network step has target.timeout.

Capture first (tls.py, staple.py, fetch.py: what the server did, as plain values), judge after
(judge.py, certs.py, leaf.py, revocation.py: pure functions). A targeted run only makes the
handshakes its checks need. Nothing beyond the target is contacted unless target.allow_fetch.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import UTC, datetime

from assistant.certinfo import cert_facts
from assistant.i18n import _
from assistant.model import Finding, ProbeReport, ProbeTarget, Status
from assistant.probes import fetch, judge, staple
from assistant.probes.tls import Handshake, Offer, Sockets, handshake, plain_http_reply

__all__ = ["DEFAULT_CHECKS", "run_probe"]

PARALLELISM = 8
_ALL = "ALL"
OFFERS: dict[str, Offer] = {
    "main": Offer("main", alpn=("h2", "http/1.1")),
    "legacy": Offer("legacy", "TLSv1", "TLSv1.2", _ALL),
    "v10": Offer("v10", "TLSv1", "TLSv1", _ALL),
    "v11": Offer("v11", "TLSv1.1", "TLSv1.1", _ALL),
    "v12": Offer("v12", "TLSv1.2", "TLSv1.2", _ALL),
    "v13": Offer("v13", "TLSv1.3", "TLSv1.3", _ALL),
    "nosni": Offer("nosni", send_sni=False),
    "rsa": Offer("rsa", "TLSv1", "TLSv1.2", "kRSA"),
    "fs": Offer("fs", "TLSv1", "TLSv1.3", "kECDHE:kDHE"),
    "dhe": Offer("dhe", "TLSv1", "TLSv1.2", "kDHE"),
    "aead": Offer("aead", "TLSv1.2", "TLSv1.2", "AESGCM:CHACHA20:AESCCM"),
    "null": Offer("null", "TLSv1", "TLSv1.2", "eNULL"),
    "3des": Offer("3des", "TLSv1", "TLSv1.2", "3DES"),
    "rc4": Offer("rc4", "TLSv1", "TLSv1.2", "RC4"),
    "export": Offer("export", "TLSv1", "TLSv1.2", "EXP"),
    "http": Offer("http", alpn=("http/1.1",), http=True),
}
# Which extra handshakes each check needs beyond the browser-like one ("staple" is s_client).
NEEDS: dict[str, tuple[str, ...]] = {
    "proto.tls1_0": ("v10",),
    "proto.tls1_1": ("v11",),
    "proto.tls1_2": ("v12",),
    "proto.tls1_3": ("v13",),
    "proto.modern_client": ("legacy",),
    "cipher.key_type_match": ("legacy", "v13"),
    "cipher.forward_secrecy": ("fs",),
    "cipher.rsa_kex": ("rsa",),
    "leaf.key_usage": ("rsa",),
    "cipher.weak": ("null", "3des", "rc4", "export"),
    "cipher.cbc_only": ("aead", "v13"),
    "cipher.dh_size": ("dhe",),
    "sni.default_cert": ("nosni",),
    "revocation.ocsp_staple": ("staple",),
    "revocation.must_staple": ("staple",),
    "http.hsts": ("http",),
    "http.mixed_content": ("http",),
}
# The targeted default: the checks that decide the common diagnoses, in few handshakes.
DEFAULT_CHECKS = (
    "reach.dns",
    "reach.tcp",
    "reach.handshake",
    "proto.modern_client",
    "proto.tls1_0",
    "cipher.server_choice",
    "cipher.forward_secrecy",
    "cipher.key_type_match",
    "alpn.h2_blocklist",
    "chain.complete",
    "chain.order",
    "chain.expired_member",
    "chain.weak_signature",
    "chain.key_size",
    "chain.trusted",
    "chain.profile",
    "leaf.validity",
    "leaf.lifetime",
    "leaf.hostname",
    "leaf.san",
    "leaf.self_signed",
    "leaf.key_usage",
    "leaf.eku",
    "leaf.key_size",
    "handshake.client_cert",
    "sni.default_cert",
    "trust.interception",
    "revocation.ocsp_staple",
    "revocation.must_staple",
    "revocation.ocsp",
    "revocation.crl",
)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


def _resolve(host: str, port: int, timeout: float) -> tuple | None:
    """getaddrinfo has no timeout of its own: run it in a thread and stop waiting after `timeout`."""
    pool = ThreadPoolExecutor(1)
    try:
        infos = pool.submit(socket.getaddrinfo, host, port, 0, socket.SOCK_STREAM).result(timeout)
        return infos[0][4][:2] if infos else None
    except (OSError, FutureTimeout, UnicodeError):
        return None
    finally:
        pool.shutdown(wait=False)


def run_probe(
    target: ProbeTarget,
    checks: Collection[str] | None = None,
    progress: Callable[[str, Status | None], None] | None = None,
    cancel: threading.Event | None = None,
    now: datetime | None = None,
) -> ProbeReport:
    started = time.monotonic()
    try:
        return _Run(target, checks, progress, cancel, now or datetime.now(UTC)).run(started)
    except Exception as error:  # noqa: BLE001 - the contract: never raise, say what broke
        finding = Finding(
            "reach.handshake", Status.ERROR, _("The probe stopped on an internal error: {error}").format(error=error)
        )
        return ProbeReport(target, (finding,), {}, time.monotonic() - started, 0)


class _Run:
    def __init__(self, target, checks, progress, cancel, now) -> None:  # noqa: ANN001
        self.target, self.now = target, now
        self.wanted = set(checks) if checks is not None else None
        self.progress = progress or (lambda check, status: None)
        self.cancel = cancel or threading.Event()
        self.sockets = Sockets()
        self.handshakes = 0
        self.server_name = target.sni or (None if _is_ip(target.host) else target.host)
        self.name_for_checks = target.sni or target.host

    def want(self, check: str) -> bool:
        return self.wanted is None or check in self.wanted

    def run(self, started: float) -> ProbeReport:
        findings: list[Finding] = []
        done = threading.Event()
        watcher = threading.Thread(target=self._watch, args=(done,), daemon=True)
        watcher.start()
        try:
            unreachable = self._steps(findings)
        finally:
            done.set()
        facts: dict = {}
        for finding in findings:
            facts.update(finding.facts)
        return ProbeReport(
            self.target, tuple(findings), facts, round(time.monotonic() - started, 3), self.handshakes, unreachable
        )

    def _watch(self, done: threading.Event) -> None:
        while not done.is_set():
            if self.cancel.wait(0.05):
                self.sockets.cancel()
                return

    def _emit(self, findings: list[Finding], new: list[Finding]) -> None:
        for finding in new:
            if self.want(finding.check):
                findings.append(finding)
                self.progress(finding.check, finding.status)

    def _shake(self, name: str, address: tuple) -> Handshake:
        if self.cancel.is_set():
            return Handshake(name, False, "cancelled", "cancelled")
        self.handshakes += 1
        return handshake(address, self.server_name, OFFERS[name], self.target.timeout, self.sockets, self.target.host)

    def _steps(self, findings: list[Finding]) -> bool:
        target = self.target
        self.progress("reach.dns", None)
        address = _resolve(target.host, target.port, target.timeout)
        if address is None:
            self._emit(
                findings,
                [
                    Finding(
                        "reach.dns",
                        Status.FAIL,
                        _("The host name {host} does not resolve.").format(host=target.host),
                        None,
                        {"reachable": False, "handshake_failure": "dns"},
                    )
                ],
            )
            return True
        self._emit(
            findings,
            [
                Finding(
                    "reach.dns",
                    Status.PASS,
                    _("{host} resolves to {address}.").format(host=target.host, address=address[0]),
                )
            ],
        )
        self.progress("reach.tcp", None)
        main = self._shake("main", address)
        if main.failure in ("refused", "connect_timeout"):
            text = (
                _("Nothing accepts connections on {host} port {port} (connection refused).")
                if main.failure == "refused"
                else _("The TCP connection to {host} port {port} got no answer within {timeout} s.")
            )
            self._emit(
                findings,
                [
                    Finding(
                        "reach.tcp",
                        Status.FAIL,
                        text.format(host=target.host, port=target.port, timeout=target.timeout),
                        None,
                        {
                            "reachable": False,
                            "handshake_failure": "refused" if main.failure == "refused" else "timeout",
                        },
                    )
                ],
            )
            return True
        if main.failure == "cancelled":
            return False
        self._emit(
            findings,
            [
                Finding(
                    "reach.tcp",
                    Status.PASS,
                    _("A TCP connection to {address} port {port} succeeded.").format(
                        address=address[0], port=target.port
                    ),
                    "port-conflict",
                    {"reachable": True},
                )
            ],
        )
        plain = plain_http_reply(address, target.timeout, self.sockets) if main.failure == "plain_http" else None
        self._emit(findings, judge.reachability(main, plain, target.port))
        if main.failure in ("timeout", "plain_http", "reset") or self.cancel.is_set():
            return False

        checks = self.wanted if self.wanted is not None else set(NEEDS) | set(DEFAULT_CHECKS)
        extra = sorted({need for check in checks for need in NEEDS.get(check, ())})
        if main.ok:  # skip handshakes whose answer the browser-like one already gave
            if judge.kex_of(main) in ("ecdhe", "dhe", "tls13"):
                extra = [e for e in extra if e != "fs"]
            if main.cipher_info.get("aead"):
                extra = [e for e in extra if e != "aead"]
            if main.version == "TLSv1.3":
                extra = [e for e in extra if e != "v13"]
        else:
            extra = [e for e in extra if e not in ("nosni", "http", "staple")] + (
                ["legacy"] if "legacy" not in extra else []
            )
        if self.server_name is None:
            extra = [e for e in extra if e != "nosni"]
        results: dict[str, Handshake] = {"main": main}
        staple_output: str | None = None
        with ThreadPoolExecutor(PARALLELISM) as pool:
            futures = {name: pool.submit(self._shake, name, address) for name in extra if name != "staple"}
            if "staple" in extra:
                self.handshakes += 1
                staple_output = staple.capture(address, self.server_name, target.timeout, self.cancel)
            for name, future in futures.items():
                results[name] = future.result()
        if main.ok and main.version == "TLSv1.3":
            results.setdefault("v13", main)
        self._judge(findings, results, staple_output, "staple" in extra)
        return False

    def _judge(
        self, findings: list[Finding], hs: dict[str, Handshake], staple_output: str | None, stapled: bool
    ) -> None:
        from assistant.probes import certs, leaf

        main = hs["main"]
        self._emit(findings, judge.protocols(hs))
        self._emit(findings, judge.modern_client(main, hs.get("legacy"), hs.get("v13")))
        served = next(
            (h for h in (main, hs.get("legacy"), hs.get("v13"), hs.get("v12")) if h is not None and h.ok and h.chain),
            None,
        )
        leaf_cert = certs.load_chain(served.chain[:1])[0] if served else None
        self._emit(
            findings,
            judge.ciphers(
                hs,
                True,
                certs.signature_name(leaf_cert) if leaf_cert else None,
                bool(leaf_cert and certs.weak_key(leaf_cert)),
            ),
        )
        if served is not None:
            try:
                roots, store_name = certs.trust_store(self.target.ca_file)
            except (OSError, ValueError) as error:
                roots, store_name = list(certs._certifi_roots()), _("Mozilla's roots")
                self._emit(
                    findings,
                    [
                        Finding(
                            "chain.trusted",
                            Status.ERROR,
                            _("The CA file {file} could not be read: {error}").format(
                                file=self.target.ca_file, error=error
                            ),
                        )
                    ],
                )
            beyond = self._fetch(served.chain, roots)
            chain_findings = certs.judge_chain(
                served.chain, self.name_for_checks, self.now, roots, store_name, beyond.issuers
            )
            rsa = hs.get("rsa")
            leaf_findings = leaf.judge_leaf(
                leaf_cert,
                self.name_for_checks,
                self.now,
                judge.kex_of(served),
                judge.iana_name(served),
                rsa.ok if rsa else None,
            )
            self._emit(findings, chain_findings + leaf_findings)
            self._emit(
                findings,
                [
                    certs.judge_profile(
                        chain_findings, leaf_findings, served.chain, roots, self.name_for_checks, self.now
                    )
                ],
            )
            facts = {"chain_length": len(served.chain), **cert_facts(leaf_cert, self.now)}
            self._emit(
                findings,
                [
                    Finding(
                        "chain.served",
                        Status.INFO,
                        _("The server sent {count} certificate(s); the leaf is {name}.").format(
                            count=len(served.chain), name=certs.name_of(leaf_cert)
                        ),
                        None,
                        facts,
                    )
                ],
            )
            self._emit(findings, self._revocation(leaf_cert, beyond))
        self._emit(findings, [judge.client_cert(main)])
        if "nosni" in hs:
            self._emit(findings, [judge.sni(main, hs["nosni"], self.name_for_checks)])
        if stapled:
            self._emit(findings, staple.judge(staple_output, leaf_cert))
        if "http" in hs:
            self._emit(findings, judge.http(hs["http"]))

    def _fetch(self, chain: tuple[bytes, ...], roots: list) -> _Beyond:
        """Capture beyond the target, only when allowed: missing issuers, then OCSP and CRL at once."""
        from assistant.probes import certs

        if not self.target.allow_fetch:
            return _Beyond()
        timeout, cancel = self.target.timeout, self.cancel
        issuers: list[fetch.IssuerFetch] = []
        if self.want("chain.complete") or self.want("revocation.ocsp"):
            self.progress("chain.complete", None)
            issuers = fetch.missing_issuers(chain, roots, timeout, cancel)
        leaf, *served = certs.load_chain(chain)
        fetched = [cert for item in issuers for cert in certs.load_chain(item.certs)]
        issuer = certs.issuer_of(leaf, [*served, *fetched, *roots])
        ocsp_answer: fetch.Fetched | None = None
        with ThreadPoolExecutor(2) as pool:
            crl_job = pool.submit(fetch.crl_fetch, leaf, timeout, cancel) if self.want("revocation.crl") else None
            if self.want("revocation.ocsp") and issuer is not None:
                ocsp_answer = fetch.ocsp_query(leaf, issuer, timeout, cancel)
            elif self.want("revocation.ocsp") and fetch.ocsp_urls(leaf):
                ocsp_answer = fetch.Fetched(fetch.ocsp_urls(leaf)[0])  # not asked: no issuer to name
            crl_answer = crl_job.result() if crl_job else None
        return _Beyond(issuers, issuer, ocsp_answer, crl_answer)

    def _revocation(self, leaf, beyond: _Beyond) -> list[Finding]:  # noqa: ANN001
        from assistant.probes import revocation

        out: list[Finding] = []
        for check, judged, answer in (
            ("revocation.ocsp", revocation.judge_ocsp, beyond.ocsp),
            ("revocation.crl", revocation.judge_crl, beyond.crl),
        ):
            if not self.want(check):
                continue
            if not self.target.allow_fetch:
                out.append(revocation.not_fetched(check, leaf))
            else:
                out.append(judged(answer, leaf, beyond.issuer, self.now))
        return out


@dataclass(frozen=True, slots=True)
class _Beyond:
    """What was fetched beyond the target (all empty unless allow_fetch)."""

    issuers: list[fetch.IssuerFetch] | None = None
    """None: fetching was not allowed."""
    issuer: object | None = None
    ocsp: fetch.Fetched | None = None
    crl: fetch.Fetched | None = None
