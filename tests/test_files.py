"""assistant.files over real files made at test time: formats, matching, bundles, judgements."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography.x509.oid import ExtendedKeyUsageOID

from assistant.files import check_files
from assistant.model import Status
from tests import file_fixtures as ff
from tests.pki import PKI


def by_check(report, check):
    return [f for f in report.findings if f.check == check]


def only(report, check):
    found = by_check(report, check)
    assert len(found) == 1, (check, found)
    return found[0]


@pytest.mark.parametrize("key_type,bits", [("rsa", 2048), ("ec", 256)])
def test_matching_cert_and_key(tmp_path, key_type, bits):
    pki, root, inter, leaf = ff.site(tmp_path, key_type=key_type, bits=bits)
    files = pki.write("site", leaf, [inter])
    report = check_files([files.fullchain, files.key], now=pki.now)
    match = only(report, "file.key_match")
    assert match.status == Status.PASS and match.diagnosis == "key-mismatch"
    assert report.facts["key_matches_cert"] is True and report.facts["key_present"] is True
    assert report.facts["cert_key_type"] == ("RSA" if key_type == "rsa" else "EC")
    assert report.facts["cert_file"] == str(files.fullchain) and report.facts["key_file"] == str(files.key)
    assert only(report, "file.bundle_order").status == Status.PASS
    assert not [f for f in report.findings if f.status in (Status.FAIL, Status.ERROR)]


@pytest.mark.parametrize("key_type,other", [("rsa", "rsa"), ("ec", "ec"), ("rsa", "ec")])
def test_mismatched_key_is_named(tmp_path, key_type, other):
    pki, root, inter, leaf = ff.site(tmp_path, key_type=key_type, bits=2048 if key_type == "rsa" else 256)
    files = pki.write("site", leaf, [inter])
    wrong = ff.write(tmp_path / "old.key", ff.Issued(leaf.cert, ff.other_key(other)).key_pem)
    report = check_files([files.cert, wrong], now=pki.now)
    match = only(report, "file.key_match")
    assert match.status == Status.FAIL and match.diagnosis == "key-mismatch"
    assert "old.key" in match.evidence and "localhost" in match.evidence
    assert report.facts["key_matches_cert"] is False


def test_der_certificate(tmp_path):
    pki, root, inter, leaf = ff.site(tmp_path)
    path = ff.der(tmp_path / "site.cer", leaf)
    report = check_files([path], now=pki.now)
    assert report.facts["file_format"] == "der"
    (inventory,) = report.inventory
    assert inventory.encoding == "DER" and inventory.items[0].kind == "certificate"
    assert inventory.items[0].subject == "CN=localhost" and inventory.items[0].sha256.count(":") == 31


@pytest.mark.parametrize("encoding", ["PEM", "DER"])
def test_pkcs7_bundle(tmp_path, encoding):
    from cryptography.hazmat.primitives import serialization

    pki, root, inter, leaf = ff.site(tmp_path)
    path = ff.p7b(tmp_path / "site.p7b", [leaf, inter], getattr(serialization.Encoding, encoding))
    report = check_files([path], now=pki.now)
    assert report.facts["file_format"] == "pkcs7"
    assert [i.subject for i in report.inventory[0].items] == ["CN=localhost", "CN=Test Intermediate CA"]
    # PKCS#7 is a set: order is not judged, completeness is.
    assert not by_check(report, "file.bundle_order")
    assert only(report, "file.bundle_complete").status == Status.INFO  # the private root is unknown


def test_pfx_with_and_without_password(tmp_path):
    pki, root, inter, leaf = ff.site(tmp_path)
    protected = ff.pfx(tmp_path / "site.pfx", leaf, [inter])
    open_pfx = ff.pfx(tmp_path / "open.pfx", leaf, [inter], password=None)

    report = check_files([open_pfx], now=pki.now)
    assert report.facts["file_format"] == "pkcs12" and report.facts["key_matches_cert"] is True
    assert only(report, "file.keystore_alias").status == Status.PASS

    locked = check_files([protected], now=pki.now)
    assert locked.needs_password and locked.problems == ((str(protected), "password_needed"),)
    assert only(locked, "file.format").status == Status.ERROR and "password" in locked.findings[0].evidence

    opened = check_files([protected], password=ff.PASSWORD, now=pki.now)
    assert not opened.problems and opened.facts["key_matches_cert"] is True

    wrong = check_files([protected], password=b"nope", now=pki.now)
    assert wrong.problems == ((str(protected), "wrong_password"),)
    assert "password" in only(wrong, "file.format").evidence


def test_pfx_without_key_is_private_key_missing(tmp_path):
    pki, root, inter, leaf = ff.site(tmp_path)
    path = ff.pfx(tmp_path / "nokey.pfx", leaf, [inter], password=None, with_key=False)
    report = check_files([path], now=pki.now)
    present = only(report, "file.key_present")
    assert present.status == Status.FAIL and present.diagnosis == "private-key-missing"
    assert report.facts["key_present"] is False


def test_encrypted_pkcs8_key(tmp_path):
    pki, root, inter, leaf = ff.site(tmp_path)
    files = pki.write("site", leaf, [inter])
    key = ff.encrypted_key(tmp_path / "enc.key", leaf)
    locked = check_files([files.fullchain, key], now=pki.now)
    assert locked.needs_password and locked.facts["key_encrypted"] is True
    assert not by_check(locked, "file.key_present")  # unknown, not "missing", while locked
    report = check_files([files.fullchain, key], password=ff.PASSWORD, now=pki.now)
    assert report.facts["file_format"] in ("pem", "pkcs8")
    assert report.facts["key_encrypted"] is True and report.facts["key_matches_cert"] is True
    assert check_files([key], password=b"wrong", now=pki.now).problems[0][1] == "wrong_password"


def test_csr_matching_and_not(tmp_path):
    pki, root, inter, leaf = ff.site(tmp_path)
    files = pki.write("site", leaf, [inter])
    good = ff.csr(tmp_path / "good.csr", leaf.key)
    bad = ff.csr(tmp_path / "bad.csr", ff.other_key())
    report = check_files([good, files.key], now=pki.now)
    assert only(report, "file.csr_match").status == Status.PASS and report.facts["csr_matches_key"] is True
    report = check_files([bad, files.key], now=pki.now)
    finding = only(report, "file.csr_match")
    assert finding.status == Status.FAIL and finding.diagnosis == "key-mismatch" and "bad.csr" in finding.evidence
    assert report.facts["file_format"] == "csr"
    # A CSR next to the certificate: was the certificate issued for it?
    report = check_files([files.cert, bad], now=pki.now)
    assert only(report, "file.csr_match").status == Status.WARN


def test_bundle_in_wrong_order(tmp_path):
    pki, root, inter, leaf = ff.site(tmp_path)
    path = pki.write_certs("reversed", [inter, leaf])
    report = check_files([path], now=pki.now)
    order = only(report, "file.bundle_order")
    assert order.status == Status.FAIL and order.diagnosis == "chain-order"
    assert "localhost → Test Intermediate CA" in order.evidence
    assert report.facts["bundle_order_ok"] is False


def test_bundle_missing_the_intermediate(tmp_path):
    pki, root, inter, leaf = ff.site(tmp_path)
    path = pki.write_certs("leaf-and-root", [leaf, root])
    report = check_files([path], now=pki.now)
    complete = only(report, "file.bundle_complete")
    assert complete.status == Status.FAIL and complete.diagnosis == "incomplete-chain"
    assert "Test Intermediate CA" in complete.evidence and report.facts["bundle_complete"] is False
    strangers = only(report, "file.bundle_order")
    assert strangers.status == Status.FAIL and "Test Root CA" in strangers.evidence


def test_complete_chain_to_root_passes(tmp_path):
    pki, root, inter, leaf = ff.site(tmp_path)
    path = pki.write_certs("full", [leaf, inter, root])
    report = check_files([path], now=pki.now)
    assert only(report, "file.bundle_complete").status == Status.PASS
    assert only(report, "file.bundle_order").status == Status.PASS


def test_jks_written_by_pyjks_and_alias_mismatch(tmp_path):
    pki, root, inter, leaf = ff.site(tmp_path)
    good = ff.jks_file(tmp_path / "good.jks", [("tomcat", leaf, [inter])])
    report = check_files([good], password=ff.PASSWORD, now=pki.now)
    assert report.facts["file_format"] == "jks" and report.facts["keystore_alias"] == "tomcat"
    assert only(report, "file.keystore_alias").status == Status.PASS

    # The classic Tomcat mistake: the CA reply imported under a new alias as a trusted certificate,
    # while the key entry still holds the self-signed placeholder keytool made with the key.
    placeholder = pki.issue("localhost", None, key=leaf.key, names=["localhost"])
    bad = ff.jks_file(tmp_path / "bad.jks", [("tomcat", placeholder, [])], trusted=[("mycert", leaf)])
    report = check_files([bad], password=ff.PASSWORD, now=pki.now)
    finding = only(report, "file.keystore_alias")
    assert finding.status == Status.FAIL and finding.diagnosis == "keystore-alias-mismatch"
    assert "mycert" in finding.evidence and "tomcat" in finding.evidence

    assert check_files([good], now=pki.now).needs_password
    assert check_files([good], password=b"wrong-pass", now=pki.now).problems[0][1] == "wrong_password"


@pytest.mark.skipif(ff.KEYTOOL is None, reason="keytool (Java) is not installed")
def test_jks_made_by_keytool(tmp_path):
    pki, root, inter, leaf = ff.site(tmp_path, key_type="rsa", bits=2048)
    store = ff.keytool_jks(tmp_path, ff.pfx(tmp_path / "site.pfx", leaf, [inter]))
    report = check_files([store], password=ff.PASSWORD, now=pki.now)
    assert report.facts["file_format"] == "jks" and report.facts["key_matches_cert"] is True
    assert only(report, "file.keystore_alias").status == Status.PASS


@pytest.mark.parametrize(
    "make,kind",
    [
        (lambda p: ff.write(p / "junk.bin", bytes(range(256)) * 8), "unknown"),
        (lambda p: ff.write(p / "empty.pem", b""), "empty"),
        (lambda p: ff.write(p / "blank.pem", b"\n \n"), "empty"),
        (lambda p: ff.write(p / "notes.txt", "證書 note\n".encode()), "unknown"),
        (lambda p: ff.write(p / "cut.pem", b"-----BEGIN CERTIFICATE-----\nMIIB\n"), "damaged"),
        (
            lambda p: ff.write(p / "bad.pem", b"-----BEGIN CERTIFICATE-----\nMIIBAAAA\n-----END CERTIFICATE-----\n"),
            "damaged",
        ),
        (lambda p: ff.write(p / "fake.pfx", b"\x30\x82\x01\x00\x02\x01\x03\x30" + b"\x00" * 300), "unknown"),
        (lambda p: p, "directory"),
        (lambda p: p / "missing.pem", "missing"),
    ],
)
def test_bad_input_is_a_problem_not_an_exception(tmp_path, make, kind):
    path = make(tmp_path)
    report = check_files([path])
    assert report.problems == ((str(path), kind),)
    assert only(report, "file.format").status == Status.ERROR and str(path.name) in report.findings[0].evidence


def test_huge_file_is_not_read(tmp_path):
    path = tmp_path / "huge.pem"
    with path.open("wb") as stream:
        stream.truncate(50 * 1024 * 1024)  # sparse: 50 MB on paper, nothing on disk
    report = check_files([path])
    assert report.problems == ((str(path), "too_large"),) and "MB" in report.findings[0].evidence


def test_good_files_are_still_judged_next_to_a_bad_one(tmp_path):
    pki, root, inter, leaf = ff.site(tmp_path)
    files = pki.write("site", leaf, [inter])
    report = check_files([files.fullchain, tmp_path / "missing.key", files.key], now=pki.now)
    assert report.problems == ((str(tmp_path / "missing.key"), "missing"),)
    assert report.facts["key_matches_cert"] is True


# -- judgements of a certificate ------------------------------------------------------------------


def judged(tmp_path, now_shift=timedelta(0), **options):
    pki = PKI(tmp_path)
    root = pki.root()
    inter = pki.intermediate(root)
    leaf = pki.leaf(inter, **options)
    path = pki.write_certs("site", [leaf, inter])
    return check_files([path], now=pki.now + now_shift)


def test_expired_and_not_yet_valid(tmp_path):
    report = judged(tmp_path, timedelta(days=120))
    expired = [f for f in by_check(report, "file.cert_validity") if f.diagnosis == "cert-expired"]
    assert expired and expired[0].status == Status.FAIL and report.facts["cert_expired"] is True
    report = judged(tmp_path / "b", -timedelta(days=60))
    early = [f for f in by_check(report, "file.cert_validity") if f.diagnosis == "cert-not-yet-valid"]
    assert early and early[0].status == Status.FAIL and report.facts["cert_not_yet_valid"] is True


def test_expired_intermediate_is_expired_in_chain(tmp_path):
    pki = PKI(tmp_path)
    root = pki.root()
    inter = pki.intermediate(root, days_after=5)
    leaf = pki.leaf(inter, days_after=3)
    path = pki.write_certs("site", [leaf, inter])
    report = check_files([path], now=pki.now + timedelta(days=6))
    diagnoses = {f.diagnosis for f in by_check(report, "file.cert_validity") if f.status == Status.FAIL}
    assert diagnoses == {"cert-expired", "expired-in-chain"}


def test_digital_signature_only_rsa_needs_ecdhe(tmp_path):
    report = judged(tmp_path, key_type="rsa", bits=2048, key_usage={"digital_signature"})
    usage = next(f for f in by_check(report, "file.key_usage") if f.diagnosis == "key-usage-incompatible")
    assert usage.status == Status.WARN and "ECDHE" in usage.evidence and "digitalSignature" in usage.evidence
    assert report.facts["cert_key_encipherment"] is False


def test_digital_signature_only_ec_is_fine(tmp_path):
    report = judged(tmp_path, key_type="ec", bits=256, key_usage={"digital_signature"})
    usage = next(f for f in by_check(report, "file.key_usage") if f.diagnosis == "key-usage-incompatible")
    assert usage.status == Status.PASS


def test_eku_without_server_auth(tmp_path):
    report = judged(tmp_path, eku=[ExtendedKeyUsageOID.CLIENT_AUTH])
    eku = next(f for f in by_check(report, "file.key_usage") if f.diagnosis == "eku-missing-server-auth")
    assert eku.status == Status.FAIL and "serverAuth" in eku.evidence
    assert report.facts["cert_eku_server_auth"] is False


@pytest.mark.skipif(ff.OPENSSL is None, reason="openssl is not installed (cryptography cannot sign with SHA-1)")
def test_sha1_small_key_cn_only_self_signed(tmp_path):
    pki = PKI(tmp_path)
    inter = pki.intermediate(pki.root())
    leaf = ff.sha1_leaf(tmp_path, inter)
    report = check_files([leaf], now=pki.now)
    assert only(report, "file.signature").diagnosis == "weak-signature"
    assert only(report, "file.signature").status == Status.FAIL
    assert only(report, "file.key_size").status == Status.FAIL and "1024" in only(report, "file.key_size").evidence
    assert only(report, "file.san").status == Status.FAIL and report.facts["cert_has_san"] is False

    pki = PKI(tmp_path / "self")
    selfsigned = pki.issue("localhost", None, names=["localhost"])
    files = pki.write("self", selfsigned)
    report = check_files([files.cert, files.key], now=pki.now)
    assert only(report, "file.self_signed").status == Status.FAIL and report.facts["cert_self_signed"] is True
    assert not by_check(report, "file.bundle_complete")


def test_report_holds_no_key_material(tmp_path):
    import dataclasses
    import json

    pki, root, inter, leaf = ff.site(tmp_path, key_type="rsa", bits=2048)
    files = pki.write("site", leaf, [inter])
    report = check_files([files.fullchain, files.key], now=pki.now)
    text = json.dumps(dataclasses.asdict(report), default=str)
    assert "PRIVATE KEY" not in text
    assert format(leaf.key.private_numbers().d, "x")[:32] not in text  # type: ignore[attr-defined]
