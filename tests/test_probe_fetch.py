"""--allow-fetch: the missing issuer from AIA caIssuers, live OCSP and CRL. The CA's web side is a
real HTTP server on 127.0.0.1, named in the certificates' AIA and CRL addresses; the TLS server is
real too. Without --allow-fetch nothing beyond the target may be contacted."""

from __future__ import annotations

import threading

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, pkcs7
from cryptography.x509 import ocsp

from assistant.model import ProbeTarget, Status
from assistant.probes import DEFAULT_CHECKS, run_probe
from tests.pki import PKI, make_key
from tests.tls_servers import tls_server, unused_url, web_server


@pytest.fixture
def ca(tmp_path):
    pki = PKI(tmp_path)
    root = pki.root()
    inter = pki.intermediate(root)
    return pki, root, inter, pki.write_certs("root", [root])


def probe(port, ca_file, checks=None, **options):
    options.setdefault("timeout", 3)
    return run_probe(ProbeTarget("localhost", port, ca_file=str(ca_file), **options), checks=checks)


def finding(report, check):
    return next(f for f in report.findings if f.check == check)


def problems(report):
    return {f.diagnosis for f in report.findings if f.status in (Status.FAIL, Status.WARN) and f.diagnosis}


def serve(pki, leaf, chain):
    files = pki.write("site", leaf, chain)
    return tls_server(files.fullchain, files.key)


@pytest.mark.parametrize(
    "encode",
    [
        lambda cert: cert.public_bytes(Encoding.DER),
        lambda cert: cert.public_bytes(Encoding.PEM),
        lambda cert: pkcs7.serialize_certificates([cert], Encoding.DER),
    ],
    ids=["der", "pem", "pkcs7"],
)
def test_fetched_issuer_proves_the_incomplete_chain(ca, encode):
    pki, root, inter, ca_file = ca
    with web_server({}) as web:
        web.routes["/inter.cer"] = encode(inter.cert)
        leaf = pki.leaf(inter, ca_issuers_url=web.url("/inter.cer"))
        with serve(pki, leaf, []) as port:
            report = probe(port, ca_file, DEFAULT_CHECKS, allow_fetch=True)
    complete = finding(report, "chain.complete")
    assert complete.status == Status.FAIL and complete.diagnosis == "incomplete-chain"
    assert f"Fetched Test Intermediate CA from {web.url('/inter.cer')}" in complete.evidence
    assert "validates to Test Root CA: the server must send it" in complete.evidence
    assert report.facts["chain_completes_with_fetch"] is True
    assert web.requests == [("GET", "/inter.cer", b"")]


def test_fetched_certificate_that_does_not_complete_the_chain(ca):
    pki, root, inter, ca_file = ca
    stranger = pki.intermediate(pki.root("Other Root", key=make_key("rsa", 2048, fresh=True)), "Other CA")
    with web_server({}) as web:
        web.routes["/inter.cer"] = stranger.cert.public_bytes(Encoding.DER)
        leaf = pki.leaf(inter, ca_issuers_url=web.url("/inter.cer"))
        with serve(pki, leaf, []) as port:
            report = probe(port, ca_file, DEFAULT_CHECKS, allow_fetch=True)
    complete = finding(report, "chain.complete")
    assert complete.diagnosis == "incomplete-chain" and "even with it the chain does not validate" in complete.evidence
    assert report.facts["chain_completes_with_fetch"] is False


def test_nothing_beyond_the_target_is_touched_without_allow_fetch(ca):
    pki, root, inter, ca_file = ca
    with web_server({}) as web:
        web.routes["/inter.cer"] = inter.cert.public_bytes(Encoding.DER)
        leaf = pki.leaf(
            inter, ca_issuers_url=web.url("/inter.cer"), ocsp_url=web.url("/ocsp"), crl_url=web.url("/ca.crl")
        )
        with serve(pki, leaf, []) as port:
            report = probe(port, ca_file)  # full mode: every check, still no fetch
    assert web.requests == []
    complete = finding(report, "chain.complete")
    assert complete.diagnosis == "incomplete-chain"
    assert f"not fetched from its AIA address {web.url('/inter.cer')}" in complete.evidence
    assert "--allow-fetch" in complete.evidence
    for check, url in (("revocation.ocsp", "/ocsp"), ("revocation.crl", "/ca.crl")):
        live = finding(report, check)
        assert live.status == Status.INFO and web.url(url) in live.evidence and "--allow-fetch" in live.evidence


def test_an_aia_address_that_never_answers_ends_at_the_timeout(ca):
    pki, root, inter, ca_file = ca
    with web_server({"/inter.cer": None}) as web:
        leaf = pki.leaf(inter, ca_issuers_url=web.url("/inter.cer"))
        with serve(pki, leaf, []) as port:
            report = probe(port, ca_file, ["chain.complete"], allow_fetch=True, timeout=0.5)
    complete = finding(report, "chain.complete")
    assert complete.diagnosis == "incomplete-chain"
    assert "failed (no answer within the time limit)" in complete.evidence


def test_cancel_stops_a_hanging_fetch(ca):
    pki, root, inter, ca_file = ca
    cancel = threading.Event()
    with web_server({"/inter.cer": None}) as web:
        leaf = pki.leaf(inter, ca_issuers_url=web.url("/inter.cer"))
        with serve(pki, leaf, []) as port:
            target = ProbeTarget("localhost", port, ca_file=str(ca_file), timeout=30, allow_fetch=True)
            timer = threading.Timer(0.5, cancel.set)
            timer.start()
            report = run_probe(target, ["chain.complete"], cancel=cancel)
            timer.cancel()
    assert "failed (cancelled)" in finding(report, "chain.complete").evidence


def _ocsp_route(pki, leaf, inter, status, signer=None):
    def answer(body: bytes) -> bytes:
        request = ocsp.load_der_ocsp_request(body)
        assert request.serial_number == leaf.cert.serial_number  # the probe asked about the served leaf
        return pki.ocsp_response(leaf, signer or inter, status) if signer is None else _forged(pki, leaf, inter, signer)

    return answer


def _forged(pki, leaf, inter, signer):
    """A 'revoked' answer naming the right issuer but signed by someone else's key."""
    from datetime import timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    builder = (
        ocsp.OCSPResponseBuilder()
        .add_response(
            cert=leaf.cert,
            issuer=inter.cert,
            algorithm=hashes.SHA1(),
            cert_status=ocsp.OCSPCertStatus.REVOKED,
            this_update=pki.now - timedelta(hours=1),
            next_update=pki.now + timedelta(days=1),
            revocation_time=pki.now - timedelta(days=1),
            revocation_reason=x509.ReasonFlags.key_compromise,
        )
        .responder_id(ocsp.OCSPResponderEncoding.HASH, signer.cert)
    )
    return builder.sign(signer.key, hashes.SHA256()).public_bytes(Encoding.DER)


@pytest.mark.parametrize("status, expected", [("revoked", {"revoked"}), ("good", set())])
def test_live_ocsp(ca, status, expected):
    pki, root, inter, ca_file = ca
    with web_server({}) as web:
        leaf = pki.leaf(inter, ocsp_url=web.url("/ocsp"))
        web.routes["/ocsp"] = _ocsp_route(pki, leaf, inter, status)
        with serve(pki, leaf, [inter]) as port:
            report = probe(port, ca_file, DEFAULT_CHECKS, allow_fetch=True)
    assert problems(report) == expected
    live = finding(report, "revocation.ocsp")
    assert report.facts["cert_revoked"] is (status == "revoked")
    assert web.url("/ocsp") in live.evidence
    assert [(method, path) for method, path, _ in web.requests] == [("POST", "/ocsp")]


def test_live_ocsp_with_the_issuer_fetched_first(ca):
    """The leaf alone is served: the OCSP request needs the issuer, which AIA supplies."""
    pki, root, inter, ca_file = ca
    with web_server({}) as web:
        web.routes["/inter.cer"] = inter.cert.public_bytes(Encoding.DER)
        leaf = pki.leaf(inter, ocsp_url=web.url("/ocsp"), ca_issuers_url=web.url("/inter.cer"))
        web.routes["/ocsp"] = _ocsp_route(pki, leaf, inter, "revoked")
        with serve(pki, leaf, []) as port:
            report = probe(port, ca_file, allow_fetch=True)
    assert {"revoked", "incomplete-chain"} <= problems(report)


def test_forged_ocsp_answer_is_not_believed(ca):
    pki, root, inter, ca_file = ca
    stranger = pki.root("Stranger", key=make_key("rsa", 2048, fresh=True))
    with web_server({}) as web:
        leaf = pki.leaf(inter, ocsp_url=web.url("/ocsp"))
        web.routes["/ocsp"] = _ocsp_route(pki, leaf, inter, "revoked", signer=stranger)
        with serve(pki, leaf, [inter]) as port:
            report = probe(port, ca_file, ["revocation.ocsp"], allow_fetch=True)
    live = finding(report, "revocation.ocsp")
    assert live.diagnosis == "revocation-unavailable" and "revoked" not in problems(report)


def test_ocsp_responder_down(ca):
    pki, root, inter, ca_file = ca
    leaf = pki.leaf(inter, ocsp_url=unused_url("/ocsp"))
    with serve(pki, leaf, [inter]) as port:
        report = probe(port, ca_file, DEFAULT_CHECKS, allow_fetch=True)
    live = finding(report, "revocation.ocsp")
    assert live.status == Status.WARN and live.diagnosis == "revocation-unavailable"
    assert problems(report) == {"revocation-unavailable"}


@pytest.mark.parametrize(
    "listed, days_after, expected",
    [(True, 7, "revoked"), (False, 7, None), (False, -1, "revocation-unavailable")],
    ids=["listed", "not-listed", "stale"],
)
def test_crl(ca, listed, days_after, expected):
    pki, root, inter, ca_file = ca
    with web_server({}) as web:
        leaf = pki.leaf(inter, crl_url=web.url("/ca.crl"))
        other = pki.leaf(inter, names=["other.example"])
        web.routes["/ca.crl"] = pki.crl(inter, [leaf, other] if listed else [other], days_after=days_after)
        with serve(pki, leaf, [inter]) as port:
            report = probe(port, ca_file, DEFAULT_CHECKS, allow_fetch=True)
    crl = finding(report, "revocation.crl")
    assert problems(report) == ({expected} if expected else set())
    assert crl.diagnosis == (expected or "revoked") and web.url("/ca.crl") in crl.evidence
    if listed:
        assert format(leaf.cert.serial_number, "X") in crl.evidence


def test_crl_signed_by_another_ca_is_not_believed(ca):
    pki, root, inter, ca_file = ca
    with web_server({}) as web:
        leaf = pki.leaf(inter, crl_url=web.url("/ca.crl"))
        web.routes["/ca.crl"] = pki.crl(root, [leaf])  # the root's CRL does not speak for the intermediate's leaves
        with serve(pki, leaf, [inter]) as port:
            report = probe(port, ca_file, ["revocation.crl"], allow_fetch=True)
    assert problems(report) == {"revocation-unavailable"}


def test_cli_allow_fetch_json(ca):
    import json
    import subprocess
    import sys

    pki, root, inter, ca_file = ca
    with web_server({}) as web:
        web.routes["/inter.cer"] = inter.cert.public_bytes(Encoding.DER)
        leaf = pki.leaf(inter, ca_issuers_url=web.url("/inter.cer"))
        with serve(pki, leaf, []) as port:
            command = [sys.executable, "-m", "assistant", "probe", f"localhost:{port}", "--ca-file", str(ca_file)]
            without = subprocess.run([*command, "--json"], capture_output=True, text=True, timeout=60)
            assert web.requests == []
            allowed = subprocess.run([*command, "--json", "--allow-fetch"], capture_output=True, text=True, timeout=60)
    data = json.loads(allowed.stdout)
    assert data["target"]["allow_fetch"] is True and "incomplete-chain" in [d["id"] for d in data["diagnoses"]]
    complete = next(f for f in data["findings"] if f["check"] == "chain.complete")
    assert "the server must send it" in complete["evidence"]
    assert (
        "--allow-fetch"
        in next(f for f in json.loads(without.stdout)["findings"] if f["check"] == "chain.complete")["evidence"]
    )
