"""The probe's judgement, offline: captured values (Handshake records, served DER chains made with
tests/pki.py) go straight into judge.py, certs.py, leaf.py and revocation.py. No sockets."""

from __future__ import annotations

import ssl
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from assistant.model import Status
from assistant.probes import certs, judge, leaf, revocation
from assistant.probes.fetch import Fetched, IssuerFetch
from assistant.probes.tls import Handshake
from tests.pki import PKI, make_key


def _suites() -> dict[str, dict]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.set_ciphers("ALL:@SECLEVEL=0")
    return {c["name"]: c for c in context.get_ciphers()}


_SUITES = _suites()


def hs(cipher: str, version: str = "TLSv1.2", offer: str = "main", **fields) -> Handshake:
    """A completed handshake as tls.handshake records it, the suite described by ssl itself."""
    info = _SUITES[cipher]
    keys = ("id", "kea", "auth", "aead", "symmetric", "protocol")
    return Handshake(offer, True, version=version, cipher=cipher, cipher_info={k: info.get(k) for k in keys}, **fields)


def refused(offer: str, failure: str = "alert", detail: str = "SSLV3_ALERT_HANDSHAKE_FAILURE") -> Handshake:
    return Handshake(offer, False, failure, detail)


def by_check(findings, check):
    return next(f for f in findings if f.check == check)


@pytest.fixture
def pki(tmp_path):
    return PKI(tmp_path)


@pytest.fixture
def ca(pki):
    root = pki.root()
    return root, pki.intermediate(root)


def der(*issued):
    return tuple(i.cert.public_bytes(Encoding.DER) for i in issued)


def chain_findings(pki, chain, roots, host="localhost", fetched=None):
    return certs.judge_chain(chain, host, pki.now, [r.cert for r in roots], "the test roots", fetched)


# --- chain shape ---------------------------------------------------------------------------------


def test_complete_chain_in_order(pki, ca):
    root, inter = ca
    out = chain_findings(pki, der(pki.leaf(inter), inter), [root])
    assert all(f.status == Status.PASS for f in out), [(f.check, f.evidence) for f in out if f.status != Status.PASS]
    assert by_check(out, "chain.complete").facts["chain_complete"] is True


def test_chain_out_of_order(pki, ca):
    root, _ = ca
    upper = pki.intermediate(root, "Upper CA", path_length=1)
    lower = pki.intermediate(upper, "Lower CA", bits=2048, path_length=None)
    order = by_check(chain_findings(pki, der(pki.leaf(lower), upper, lower), [root]), "chain.order")
    assert order.status == Status.FAIL and order.diagnosis == "chain-order" and "positions 1, 3, 2" in order.evidence


@pytest.mark.parametrize("kind", ["duplicate", "unrelated"])
def test_chain_extra_certificates(pki, ca, kind):
    root, inter = ca
    extra = inter if kind == "duplicate" else pki.root("Unrelated Root", key=make_key("rsa", 2048, fresh=True))
    order = by_check(chain_findings(pki, der(pki.leaf(inter), inter, extra), [root]), "chain.order")
    assert order.status == Status.WARN and order.diagnosis == "chain-order"
    assert (extra.cert.subject.rfc4514_string().removeprefix("CN=")) in order.evidence


def test_missing_intermediate(pki, ca):
    root, inter = ca
    out = chain_findings(pki, der(pki.leaf(inter)), [root])
    assert by_check(out, "chain.complete").diagnosis == "incomplete-chain"
    assert by_check(out, "chain.trusted").diagnosis == "incomplete-chain"
    assert "names no AIA caIssuers address" in by_check(out, "chain.complete").evidence


def test_private_ca_without_aia_is_not_called_incomplete(pki, ca):
    """The served path stops at a CA certificate nobody can fetch the issuer of: a private root."""
    root, inter = ca
    out = chain_findings(pki, der(pki.leaf(inter), inter), [])
    assert by_check(out, "chain.complete").status == Status.INFO
    assert by_check(out, "chain.trusted").diagnosis == "untrusted-root"


def test_fetched_issuer_judged_offline(pki, ca):
    root, inter = ca
    site = pki.leaf(inter, ca_issuers_url="http://ca.example/inter.cer")
    chain = der(site)
    proven = [IssuerFetch(Fetched("http://ca.example/inter.cer", b"..."), der(inter))]
    failed = [IssuerFetch(Fetched("http://ca.example/inter.cer", error="HTTP 404 Not Found"))]
    texts = {
        name: by_check(chain_findings(pki, chain, [root], fetched=fetched), "chain.complete").evidence
        for name, fetched in (("not allowed", None), ("proven", proven), ("failed", failed))
    }
    assert "--allow-fetch" in texts["not allowed"]
    assert "with it the chain validates to Test Root CA: the server must send it" in texts["proven"]
    assert "failed (HTTP 404 Not Found)" in texts["failed"]


def test_sha1_member_is_weak_signature(pki, ca):
    root, _ = ca
    inter = pki.openssl_intermediate(root)
    weak = by_check(chain_findings(pki, der(pki.leaf(inter), inter), [root]), "chain.weak_signature")
    assert (
        weak.diagnosis == "weak-signature" and weak.status == Status.FAIL and "SHA-1 Intermediate CA" in weak.evidence
    )


# --- leaf ----------------------------------------------------------------------------------------


def leaf_findings(cert, host="localhost", now=None, kex="ecdhe", suite="TLS_X", rsa_ok=None):
    return leaf.judge_leaf(cert.cert, host, now or datetime.now(UTC), kex, suite, rsa_ok)


@pytest.mark.parametrize(
    "usage, key_type, kex, rsa_ok, status",
    [
        ({"digital_signature"}, "rsa", "rsa", None, Status.FAIL),
        ({"key_encipherment"}, "rsa", "ecdhe", None, Status.FAIL),
        ({"key_encipherment"}, "rsa", "tls13", None, Status.FAIL),
        ({"digital_signature"}, "rsa", "ecdhe", True, Status.WARN),
        ({"digital_signature"}, "ec", "ecdhe", True, Status.PASS),  # RSA suites cannot use an EC key anyway
        ({"digital_signature", "key_encipherment"}, "rsa", "rsa", True, Status.PASS),
        (set(), "rsa", "rsa", True, Status.PASS),  # no keyUsage extension: anything goes
    ],
)
def test_key_usage_against_key_exchange(pki, ca, usage, key_type, kex, rsa_ok, status):
    _, inter = ca
    bits = 2048 if key_type == "rsa" else 256
    cert = pki.leaf(inter, key_type=key_type, bits=bits, key_usage=usage)
    found = by_check(leaf_findings(cert, kex=kex, rsa_ok=rsa_ok), "leaf.key_usage")
    assert found.status == status
    if status != Status.PASS:
        assert found.diagnosis == "key-usage-incompatible"


def test_lifetime_over_398_days(tmp_path):
    after = PKI(tmp_path, now=datetime(2024, 1, 1, tzinfo=UTC))
    before = PKI(tmp_path, now=datetime(2020, 3, 1, tzinfo=UTC))
    for pki, status in ((after, Status.FAIL), (before, Status.WARN)):
        root = pki.root()
        long = pki.leaf(root, days_before=1, days_after=500)
        found = by_check(leaf_findings(long, now=pki.now), "leaf.lifetime")
        assert found.status == status and found.diagnosis == "validity-too-long" and "501 days" in found.evidence
    root = after.root()
    assert (
        by_check(leaf_findings(after.leaf(root, days_after=360), now=after.now), "leaf.lifetime").status == Status.PASS
    )
    self_signed = after.issue("localhost", None, names=["localhost"], days_after=3650)
    assert by_check(leaf_findings(self_signed, now=after.now), "leaf.lifetime").status == Status.PASS


def test_cn_only_certificate(pki, ca):
    _, inter = ca
    out = leaf_findings(pki.leaf(inter, names=None, cn="www.example.com"), host="www.example.com")
    assert by_check(out, "leaf.san").diagnosis == "missing-san" and by_check(out, "leaf.san").status == Status.FAIL
    hostname = by_check(out, "leaf.hostname")
    assert hostname.status == Status.FAIL and hostname.diagnosis == "missing-san"


@pytest.mark.parametrize(
    "host, covered",
    [("a.example.com", True), ("A.Example.COM.", True), ("a.b.example.com", False), ("example.com", False)],
)
def test_wildcard_covers_one_label(pki, ca, host, covered):
    _, inter = ca
    found = by_check(leaf_findings(pki.leaf(inter, names=["*.example.com"]), host=host), "leaf.hostname")
    assert (found.status == Status.PASS) is covered
    if not covered:
        assert found.diagnosis == "hostname-mismatch"


@pytest.mark.parametrize(
    "names, host, covered",
    [
        (["127.0.0.1"], "127.0.0.1", True),
        (["localhost"], "127.0.0.1", False),
        (["::1"], "::1", True),
        (["10.0.0.1"], "10.0.0.2", False),
    ],
)
def test_ip_address_needs_an_ip_san(pki, ca, names, host, covered):
    _, inter = ca
    found = by_check(leaf_findings(pki.leaf(inter, names=names), host=host), "leaf.hostname")
    assert (found.status == Status.PASS) is covered


@pytest.mark.parametrize(
    "org, cn, intercepted",
    [
        ("Fortinet", "FortiGate CA", True),
        (None, "Zscaler Intermediate Root CA", True),
        ("Kaspersky Lab ZAO", "Kaspersky Anti-Virus Personal Root", True),
        ("Let's Encrypt", "R11", False),
    ],
)
def test_interception_issuer(pki, org, cn, intercepted):
    proxy = pki.root(cn, org=org)
    found = by_check(leaf_findings(pki.leaf(proxy)), "trust.interception")
    assert (found.diagnosis == "tls-interception" and found.status == Status.FAIL) is intercepted
    assert found.facts["interception_issuer"] is intercepted


# --- handshakes ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cipher, version, blocked",
    [
        ("ECDHE-RSA-AES128-SHA", "TLSv1.2", True),  # CBC
        ("AES128-GCM-SHA256", "TLSv1.2", True),  # AEAD but static RSA
        ("ECDHE-RSA-AES128-GCM-SHA256", "TLSv1.2", False),
        ("DHE-RSA-AES128-GCM-SHA256", "TLSv1.2", False),
        ("TLS_AES_128_GCM_SHA256", "TLSv1.3", False),
    ],
)
def test_h2_blocklist(cipher, version, blocked):
    main = hs(cipher, version, alpn="h2")
    found = by_check(judge.ciphers({"main": main}, True, None, False), "alpn.h2_blocklist")
    assert found.facts["h2_blocklisted_cipher"] is blocked
    assert found.status == (Status.FAIL if blocked else Status.PASS)
    http11 = by_check(
        judge.ciphers({"main": hs(cipher, version, alpn="http/1.1")}, True, None, False), "alpn.h2_blocklist"
    )
    assert http11.status == Status.PASS  # the block list only matters for h2


@pytest.mark.parametrize("bits, status", [(1024, Status.FAIL), (2048, Status.PASS), (None, Status.PASS)])
def test_dh_group_size(bits, status):
    main = hs("ECDHE-RSA-AES128-GCM-SHA256")
    dhe = hs("DHE-RSA-AES128-GCM-SHA256", offer="dhe", dh_bits=bits) if bits else refused("dhe")
    found = by_check(judge.ciphers({"main": main, "dhe": dhe}, True, None, False), "cipher.dh_size")
    assert found.status == status
    if status == Status.FAIL:
        assert found.diagnosis == "weak-dh" and "1024-bit" in found.evidence


def test_dh_size_is_read_from_the_server_key_exchange():
    prime = (1 << 1023) | 1  # any 1024-bit number stands in for p
    message = bytes([12]) + b"\0\0\0" + (128).to_bytes(2, "big") + prime.to_bytes(128, "big") + b"\0\1\2"
    from assistant.probes.tls import _dh_bits

    assert _dh_bits(message) == 1024


@pytest.mark.parametrize(
    "cipher, version, leaf_sig, weak_key, diagnosis",
    [
        ("ECDHE-RSA-AES128-GCM-SHA256", "TLSv1.2", "sha256WithRSAEncryption", False, None),
        ("TLS_AES_128_GCM_SHA256", "TLSv1.3", "ecdsa-with-SHA256", False, None),
        ("AES128-GCM-SHA256", "TLSv1.2", "sha256WithRSAEncryption", False, "no-forward-secrecy"),
        ("ECDHE-RSA-AES128-GCM-SHA256", "TLSv1.2", "sha1WithRSAEncryption", False, "cipher-mismatch"),
        ("ECDHE-RSA-AES128-GCM-SHA256", "TLSv1.2", "sha256WithRSAEncryption", True, "weak-key"),
        ("ECDHE-RSA-AES128-SHA", "TLSv1", "sha256WithRSAEncryption", False, "cipher-mismatch"),
    ],
)
def test_apple_ats(cipher, version, leaf_sig, weak_key, diagnosis):
    found = by_check(judge.ciphers({"main": hs(cipher, version)}, True, leaf_sig, weak_key), "cipher.ats")
    assert found.facts["ats_compliant"] is (diagnosis is None)
    if diagnosis:
        assert found.status == Status.FAIL and found.diagnosis == diagnosis


@pytest.mark.parametrize(
    "cipher, iana",
    [
        ("ECDHE-RSA-AES128-GCM-SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
        ("AES128-GCM-SHA256", "TLS_RSA_WITH_AES_128_GCM_SHA256"),
        ("ECDHE-ECDSA-CHACHA20-POLY1305", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"),
        ("TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256"),
    ],
)
def test_iana_names(cipher, iana):
    assert judge.iana_name(hs(cipher)) == iana


def test_forward_secrecy_and_static_rsa():
    main = hs("AES128-GCM-SHA256")
    none = judge.ciphers(
        {"main": main, "fs": refused("fs"), "rsa": hs("AES128-GCM-SHA256", offer="rsa")}, True, None, False
    )
    assert by_check(none, "cipher.forward_secrecy").status == Status.FAIL
    assert by_check(none, "cipher.rsa_kex").diagnosis == "no-forward-secrecy"
    preferred = judge.ciphers({"main": main, "fs": hs("ECDHE-RSA-AES128-GCM-SHA256", offer="fs")}, True, None, False)
    assert by_check(preferred, "cipher.forward_secrecy").status == Status.WARN


def test_server_only_speaking_tls10():
    out = judge.modern_client(
        refused("main", "alert", "UNSUPPORTED_PROTOCOL"), hs("ECDHE-RSA-AES128-SHA", "TLSv1", "legacy"), None
    )
    found = by_check(out, "proto.modern_client")
    assert found.diagnosis == "protocol-mismatch" and found.facts["modern_client_ok"] is False


def test_no_shared_suite_for_the_key_type(pki, ca):
    _, inter = ca
    v13 = hs("TLS_AES_128_GCM_SHA256", "TLSv1.3", "v13", chain=der(pki.leaf(inter, key_type="rsa", bits=2048)))
    out = judge.modern_client(refused("main"), refused("legacy"), v13)
    found = by_check(out, "cipher.key_type_match")
    assert found.diagnosis == "cipher-mismatch" and found.status == Status.WARN and "RSA 2048-bit" in found.evidence


def test_sni_default_certificate(pki, ca):
    _, inter = ca
    site, default = der(pki.leaf(inter)), der(pki.leaf(inter, names=["default.example"]))
    with_sni = hs("TLS_AES_128_GCM_SHA256", "TLSv1.3", chain=site)
    assert (
        judge.sni(with_sni, hs("TLS_AES_128_GCM_SHA256", "TLSv1.3", "nosni", chain=site), "localhost").status
        == Status.PASS
    )
    other = judge.sni(with_sni, hs("TLS_AES_128_GCM_SHA256", "TLSv1.3", "nosni", chain=default), "localhost")
    assert other.diagnosis == "sni-default-cert" and "default.example" in other.evidence


# --- live revocation answers ---------------------------------------------------------------------


def test_revocation_answers_offline(pki, ca):
    _, inter = ca
    site = pki.leaf(inter, ocsp_url="http://ocsp.example/", crl_url="http://crl.example/ca.crl")
    revoked = Fetched("http://ocsp.example/", pki.ocsp_response(site, inter, "revoked"))
    assert revocation.judge_ocsp(revoked, site.cert, inter.cert, pki.now).diagnosis == "revoked"
    good = Fetched("http://ocsp.example/", pki.ocsp_response(site, inter, "good"))
    assert revocation.judge_ocsp(good, site.cert, inter.cert, pki.now).status == Status.PASS
    junk = Fetched("http://ocsp.example/", b"<html>gateway</html>")
    assert revocation.judge_ocsp(junk, site.cert, inter.cert, pki.now).diagnosis == "revocation-unavailable"
    down = Fetched("http://ocsp.example/", error="timeout")
    assert "no answer within the time limit" in revocation.judge_ocsp(down, site.cert, inter.cert, pki.now).evidence
    listed = Fetched("http://crl.example/ca.crl", pki.crl(inter, [site]))
    assert revocation.judge_crl(listed, site.cert, inter.cert, pki.now).diagnosis == "revoked"
    assert revocation.not_fetched("revocation.crl", site.cert).status == Status.INFO
    bare = pki.leaf(inter)
    assert "names no OCSP responder" in revocation.not_fetched("revocation.ocsp", bare.cert).evidence
