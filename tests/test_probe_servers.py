"""Real loopback servers, one per defect: each must yield its diagnosis id; a good server none."""

from __future__ import annotations

import subprocess
import threading

import pytest
from cryptography.hazmat.primitives.asymmetric import dh

from assistant.model import ProbeTarget, Status
from assistant.probes import DEFAULT_CHECKS, run_probe
from tests.pki import CLIENT_AUTH, PKI
from tests.tls_servers import (
    http_response,
    openssl_server,
    plain_http_server,
    reset_server,
    silent_server,
    tls_server,
)

# RFC 2409 group 2, the 1024-bit MODP prime: a known weak group, no generation needed.
_MODP_1024 = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF",
    16,
)


@pytest.fixture
def pki(tmp_path):
    return PKI(tmp_path)


@pytest.fixture
def good(pki):
    root = pki.root()
    inter = pki.intermediate(root)
    return pki, root, inter, pki.write_certs("root", [root])


def probe(port, ca=None, checks=None, host="localhost", **options):
    return run_probe(
        ProbeTarget(host, port, ca_file=str(ca) if ca else None, timeout=options.pop("timeout", 3), **options),
        checks=checks,
    )


def problems(report):
    return {f.diagnosis for f in report.findings if f.status in (Status.FAIL, Status.WARN) and f.diagnosis}


def serve(pki, leaf, chain, name="site", **options):
    files = pki.write(name, leaf, chain)
    return tls_server(files.fullchain, files.key, **options)


def test_good_server_yields_no_diagnosis(good):
    pki, root, inter, ca = good
    with serve(
        pki,
        pki.leaf(inter),
        [inter],
        alpn=["h2", "http/1.1"],
        response=http_response(headers={"Strict-Transport-Security": "max-age=60"}),
    ) as port:
        full, targeted = probe(port, ca), probe(port, ca, DEFAULT_CHECKS)
    assert problems(full) == set() and problems(targeted) == set()
    assert full.facts["chain_trusted"] is True and full.facts["negotiated_version"] == "TLSv1.3"
    assert full.handshakes > targeted.handshakes >= 2


@pytest.mark.parametrize(
    "case, diagnosis",
    [
        (dict(days_before=400, days_after=-2), "cert-expired"),
        (dict(days_before=-3, days_after=90), "cert-not-yet-valid"),
        (dict(names=["other.example"]), "hostname-mismatch"),
        (dict(names=None), "missing-san"),
        (dict(key_type="rsa", bits=1024), "weak-key"),
        (dict(eku=[CLIENT_AUTH]), "eku-missing-server-auth"),
        (dict(days_before=1, days_after=500), "validity-too-long"),
    ],
)
def test_leaf_defects(good, case, diagnosis):
    pki, root, inter, ca = good
    with serve(pki, pki.leaf(inter, **case), [inter], ciphers="ALL:@SECLEVEL=0") as port:
        assert diagnosis in problems(probe(port, ca))


def test_self_signed(pki):
    leaf = pki.issue("localhost", None, names=["localhost"])
    with serve(pki, leaf, []) as port:
        assert "self-signed" in problems(probe(port))


def test_untrusted_root(good):
    pki, root, inter, ca = good
    with serve(pki, pki.leaf(inter), [inter]) as port:
        found = problems(probe(port))  # no --ca-file: the private root is unknown
    assert "untrusted-root" in found and "incomplete-chain" not in found


def test_leaf_without_intermediate(good):
    pki, root, inter, ca = good
    with serve(pki, pki.leaf(inter), []) as port:
        assert "incomplete-chain" in problems(probe(port, ca))


def test_wrong_order(good):
    pki, root, _inter, ca = good
    inter = pki.intermediate(root, path_length=1)
    inter2 = pki.intermediate(inter, "Second Intermediate", path_length=None, bits=2048)
    leaf = pki.leaf(inter2)
    files = pki.write("site", leaf, [])
    files.fullchain.write_bytes(leaf.pem + inter.pem + inter2.pem)
    with tls_server(files.fullchain, files.key) as port:
        assert "chain-order" in problems(probe(port, ca))


def test_expired_intermediate(good):
    pki, root, _inter, ca = good
    inter = pki.intermediate(root, days_before=800, days_after=-5)
    with serve(pki, pki.leaf(inter), [inter]) as port:
        assert "expired-in-chain" in problems(probe(port, ca))


def test_sha1_intermediate(good):
    pki, root, _inter, ca = good
    inter = pki.openssl_intermediate(root, "SHA-1 Intermediate CA")  # cryptography will not sign SHA-1
    assert inter.cert.signature_algorithm_oid._name == "sha1WithRSAEncryption"
    with serve(pki, pki.leaf(inter), [inter], ciphers="ALL:@SECLEVEL=0") as port:
        report = probe(port, ca)
    weak = next(f for f in report.findings if f.check == "chain.weak_signature")
    assert weak.status == Status.FAIL and weak.diagnosis == "weak-signature"
    assert "SHA-1 Intermediate CA" in weak.evidence and "sha1WithRSAEncryption" in weak.evidence


def test_expired_cross_signed_root(good):
    pki, root, inter, ca = good
    old_root = pki.root(
        "Old Root CA", key=__import__("tests.pki", fromlist=["make_key"]).make_key("rsa", 2048, fresh=True)
    )
    cross = pki.cross_sign(root, old_root, days_before=800, days_after=-10)
    with serve(pki, pki.leaf(inter), [inter, cross]) as port:
        report = probe(port, ca)
    assert "expired-in-chain" in problems(report)


def test_key_usage_digital_signature_only_with_rsa_suites(good):
    pki, root, inter, ca = good
    leaf = pki.leaf(inter, key_type="rsa", bits=2048, key_usage={"digital_signature"})
    with serve(pki, leaf, [inter], ciphers="AES128-GCM-SHA256", max_version="TLSv1.2") as port:
        report = probe(port, ca)
    usage = next(f for f in report.findings if f.check == "leaf.key_usage")
    assert usage.status == Status.FAIL and usage.diagnosis == "key-usage-incompatible"
    assert "keyEncipherment" in usage.evidence and "TLS_RSA_WITH_AES_128_GCM_SHA256" in usage.evidence


def test_tls10_only(good):
    pki, root, inter, ca = good
    with serve(
        pki, pki.leaf(inter), [inter], min_version="TLSv1", max_version="TLSv1", ciphers="ALL:@SECLEVEL=0"
    ) as port:
        report = probe(port, ca)
    assert {"protocol-mismatch", "obsolete-crypto"} <= problems(report)
    assert report.facts["tls10_accepted"] is True and report.facts["modern_client_ok"] is False


def test_no_forward_secrecy(good):
    pki, root, inter, ca = good
    leaf = pki.leaf(inter, key_type="rsa", bits=2048)
    with serve(pki, leaf, [inter], ciphers="AES128-GCM-SHA256:AES256-GCM-SHA384", max_version="TLSv1.2") as port:
        report = probe(port, ca)
    assert "no-forward-secrecy" in problems(report) and report.facts["forward_secrecy"] is False


def test_dhe_1024(good, tmp_path):
    pki, root, inter, ca = good
    params = tmp_path / "dh1024.pem"
    params.write_bytes(
        dh.DHParameterNumbers(_MODP_1024, 2)
        .parameters()
        .parameter_bytes(
            __import__("cryptography.hazmat.primitives.serialization", fromlist=["Encoding"]).Encoding.PEM,
            __import__(
                "cryptography.hazmat.primitives.serialization", fromlist=["ParameterFormat"]
            ).ParameterFormat.PKCS3,
        )
    )
    leaf = pki.leaf(inter, key_type="rsa", bits=2048)
    with serve(
        pki, leaf, [inter], ciphers="DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0", max_version="TLSv1.2", dh_params=params
    ) as port:
        report = probe(port, ca)
    assert "weak-dh" in problems(report) and report.facts["dh_bits"] == 1024


def test_client_certificate_required(good):
    pki, root, inter, ca = good
    with serve(pki, pki.leaf(inter), [inter], client_ca=ca) as port:
        assert "client-cert-required" in problems(probe(port, ca, DEFAULT_CHECKS))


def test_reset_on_client_hello():
    with reset_server() as port:
        report = probe(port)
    assert problems(report) == {"handshake-reset"} and report.facts["handshake_failure"] == "reset"


def test_never_answers_ends_at_the_timeout():
    with silent_server() as port:
        report = probe(port, timeout=0.5)
    assert problems(report) == {"handshake-timeout"}
    assert report.elapsed_s < 5  # bounded by the user's timeout, not by the OS (minutes)


def test_plain_http():
    with plain_http_server() as port:
        report = probe(port)
    assert problems(report) == {"plain-http-on-tls-port"}
    assert "HTTP/1.1 400" in next(f.evidence for f in report.findings if f.check == "reach.handshake")


def test_mixed_content_page(good):
    pki, root, inter, ca = good
    page = '<html><img src="http://cdn.example/logo.png"><script src="/app.js"></script></html>'
    with serve(pki, pki.leaf(inter), [inter], response=http_response(page)) as port:
        report = probe(port, ca)
    assert "mixed-content" in problems(report)
    assert "http://cdn.example/logo.png" in next(f.evidence for f in report.findings if f.check == "http.mixed_content")


def test_default_certificate_without_sni(good):
    pki, root, inter, ca = good
    default = pki.write("default", pki.leaf(inter, names=["default.example"]), [inter])
    site = pki.write("site", pki.leaf(inter), [inter])
    with tls_server(default.fullchain, default.key, sni={"localhost": (site.fullchain, site.key)}) as port:
        report = probe(port, ca, DEFAULT_CHECKS)
    assert problems(report) == {"sni-default-cert"}


def test_rsa_certificate_with_ecdsa_only_suites(good):
    pki, root, inter, ca = good
    leaf = pki.leaf(inter, key_type="rsa", bits=2048)
    with serve(pki, leaf, [inter], ciphers="ECDHE-ECDSA-AES128-GCM-SHA256", max_version="TLSv1.2") as port:
        report = probe(port, ca)
    assert "cipher-mismatch" in problems(report)
    assert any(f.check == "cipher.key_type_match" and f.status == Status.FAIL for f in report.findings)


def test_h2_on_cbc_only_suites(good):
    pki, root, inter, ca = good
    leaf = pki.leaf(inter, key_type="rsa", bits=2048)
    with serve(
        pki, leaf, [inter], ciphers="ECDHE-RSA-AES128-SHA", max_version="TLSv1.2", alpn=["h2", "http/1.1"]
    ) as port:
        report = probe(port, ca)
    assert "http2-inadequate-security" in problems(report) and report.facts["h2_blocklisted_cipher"] is True


def test_openssl_s_server_stapled_ocsp_revoked(good, tmp_path):
    pki, root, inter, ca = good
    leaf = pki.leaf(inter)
    files = pki.write("site", leaf, [inter])
    response = tmp_path / "ocsp.der"
    response.write_bytes(pki.ocsp_response(leaf, inter, "revoked"))
    with openssl_server(files.cert, files.key, "-cert_chain", str(files.chain), "-status_file", str(response)) as port:
        report = probe(port, ca, DEFAULT_CHECKS)
    assert "revoked" in problems(report) and report.facts["ocsp_revoked"] is True


def test_openssl_s_server_must_staple_without_staple(good):
    pki, root, inter, ca = good
    files = pki.write("site", pki.leaf(inter, must_staple=True), [inter])
    with openssl_server(files.cert, files.key, "-cert_chain", str(files.chain)) as port:
        assert "revocation-unavailable" in problems(probe(port, ca, DEFAULT_CHECKS))


def test_ssl3_and_rc4_are_reported_untestable(good):
    """OpenSSL 3.0 on this machine has no SSL 3 and no RC4/3DES/export suites even at SECLEVEL=0:
    the probe says so instead of claiming the server refuses them."""
    pki, root, inter, ca = good
    with serve(pki, pki.leaf(inter), [inter]) as port:
        report = probe(port, ca)
    ssl3 = next(f for f in report.findings if f.check == "proto.ssl3")
    assert ssl3.status == Status.INFO
    weak = next(f for f in report.findings if f.check == "cipher.weak")
    assert "rc4" in weak.evidence.lower()


def test_cancel_stops_a_silent_probe_promptly():
    cancel = threading.Event()
    with silent_server() as port:
        timer = threading.Timer(0.3, cancel.set)
        timer.start()
        report = run_probe(ProbeTarget("127.0.0.1", port, timeout=30), cancel=cancel)
        timer.cancel()
    assert report.elapsed_s < 10


def test_cli_json_and_exit_codes(good):
    import json
    import sys

    pki, root, inter, ca = good
    with serve(pki, pki.leaf(inter, days_before=400, days_after=-2), [inter]) as port:
        out = subprocess.run(
            [sys.executable, "-m", "assistant", "probe", f"localhost:{port}", "--ca-file", str(ca), "--json"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    data = json.loads(out.stdout)
    assert out.returncode == 1 and data["schema_version"] == 1
    assert "cert-expired" in [d["id"] for d in data["diagnoses"]]
    assert {"check", "status", "diagnosis", "evidence"} <= set(data["findings"][0])
    bad = subprocess.run(
        [sys.executable, "-m", "assistant", "probe", "host:99999"], capture_output=True, text=True, timeout=60
    )
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
