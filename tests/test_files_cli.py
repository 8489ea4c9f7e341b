"""`ssl-assistant check` as users run it: exit codes, JSON shape, languages, conversions re-read.

Every CLI run here also asserts that no key material reached stdout or stderr.
"""

from __future__ import annotations

import json
import os
import stat

import jks
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from tests import file_fixtures as ff


def check(*args: str, lang: str = "en"):
    result = ff.run_cli(*args, lang=lang)
    for stream in (result.stdout, result.stderr):
        assert "PRIVATE KEY" not in stream and "Traceback" not in stream
    return result


@pytest.fixture
def site(tmp_path):
    pki, root, inter, leaf = ff.site(tmp_path, key_type="rsa", bits=2048)
    files = pki.write("site", leaf, [inter])
    password_file = ff.write(tmp_path / "pass.txt", ff.PASSWORD + b"\n")
    return pki, leaf, inter, files, password_file


def test_good_pair_exits_0_with_text(site):
    pki, leaf, inter, files, _pw = site
    result = check(str(files.fullchain), str(files.key))
    assert result.returncode == 0, result.stderr
    assert "site.fullchain.pem" in result.stdout and "belongs to localhost" in result.stdout
    assert "\033[" not in result.stdout  # plain when piped
    assert "openssl pkcs12 -export" in result.stdout  # the PEM -> PFX command for IIS


def test_json_shape(site):
    pki, leaf, inter, files, _pw = site
    wrong = ff.write(files.key.parent / "wrong.key", ff.Issued(leaf.cert, ff.other_key("rsa")).key_pem)
    result = check(str(files.fullchain), str(wrong), "--json")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["schema_version"] == 1 and data["handshakes"] == 0 and isinstance(data["elapsed_s"], float)
    assert data["target"] == {"files": [str(files.fullchain), str(wrong)]}
    assert {"check", "status", "diagnosis", "evidence"} <= set(data["findings"][0])
    assert data["diagnoses"][0]["id"] == "key-mismatch" and data["diagnoses"][0]["title"]
    assert data["facts"]["key_matches_cert"] is False
    items = {item["kind"]: item for inventory in data["inventory"] for item in inventory["items"]}
    assert items["certificate"]["not_after"] and items["certificate"]["sha256"]
    assert items["private_key"]["key_type"] == "RSA" and items["private_key"]["key_bits"] == 2048


def test_titles_in_traditional_chinese(site):
    pki, leaf, inter, files, _pw = site
    wrong = ff.write(files.key.parent / "wrong.key", ff.Issued(leaf.cert, ff.other_key("rsa")).key_pem)
    english = json.loads(check(str(files.cert), str(wrong), "--json").stdout)
    chinese = json.loads(check(str(files.cert), str(wrong), "--json", lang="zh-Hant").stdout)
    assert chinese["language"] == "zh-Hant"
    assert [d["id"] for d in chinese["diagnoses"]] == [d["id"] for d in english["diagnoses"]]
    title = chinese["diagnoses"][0]["title"]
    assert title != english["diagnoses"][0]["title"] and any("\u4e00" <= ch <= "\u9fff" for ch in title)


@pytest.mark.parametrize("name,data", [("junk.bin", os.urandom(4096)), ("empty.pem", b"")])
def test_bad_files_exit_2_with_a_message(tmp_path, name, data):
    path = ff.write(tmp_path / name, data)
    result = check(str(path))
    assert result.returncode == 2 and name in result.stderr


def test_directory_and_missing_file_exit_2(tmp_path):
    assert check(str(tmp_path)).returncode == 2
    result = check(str(tmp_path / "nope.pem"), lang="ko")
    assert result.returncode == 2 and "nope.pem" in result.stderr


def test_huge_file_exit_2(tmp_path):
    path = tmp_path / "huge.pfx"
    with path.open("wb") as stream:
        stream.truncate(50 * 1024 * 1024)
    result = check(str(path))
    assert result.returncode == 2 and "MB" in result.stderr


def test_encrypted_key_without_tty_asks_for_password_file(site, tmp_path):
    pki, leaf, inter, files, password_file = site
    key = ff.encrypted_key(tmp_path / "enc.key", leaf)
    result = check(str(files.fullchain), str(key))
    assert result.returncode == 2 and "--password-file" in result.stderr
    result = check(str(files.fullchain), str(key), "--password-file", str(password_file), "--json")
    assert result.returncode == 0, result.stdout
    facts = json.loads(result.stdout)["facts"]
    assert facts["key_encrypted"] is True and facts["key_matches_cert"] is True


def test_wrong_password_and_bad_password_file(site, tmp_path):
    pki, leaf, inter, files, _pw = site
    protected = ff.pfx(tmp_path / "site.pfx", leaf, [inter])
    wrong = ff.write(tmp_path / "wrong.txt", b"not-it\n")
    result = check(str(protected), "--password-file", str(wrong))
    assert result.returncode == 2 and "password" in result.stderr
    assert check(str(protected), "--password-file", str(tmp_path / "absent.txt")).returncode == 2
    assert check(str(files.cert), "--convert-to", "docx").returncode == 2


# -- conversions, performed and re-read -----------------------------------------------------------


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_pfx_to_pem(site, tmp_path):
    pki, leaf, inter, files, password_file = site
    source = ff.pfx(tmp_path / "conv" / "shop.pfx", leaf, [inter])
    result = check(str(source), "--password-file", str(password_file), "--convert-to", "pem")
    assert result.returncode == 0, result.stderr
    pem, key = source.with_suffix(".pem"), source.with_suffix(".key")
    certs = x509.load_pem_x509_certificates(pem.read_bytes())
    assert [c.subject for c in certs] == [leaf.cert.subject, inter.cert.subject]  # leaf first, for nginx
    loaded = serialization.load_pem_private_key(key.read_bytes(), None)
    assert loaded.public_key() == leaf.cert.public_key()
    assert mode(key) == 0o600
    # Converting again never overwrites.
    again = check(str(source), "--password-file", str(password_file), "--convert-to", "pem")
    assert again.returncode == 2 and "not overwritten" in again.stderr


def test_pem_to_pfx_reopens(site):
    pki, leaf, inter, files, password_file = site
    result = check(
        str(files.cert), str(files.key), str(files.chain), "--password-file", str(password_file), "--convert-to", "pfx"
    )
    assert result.returncode == 0, result.stderr
    target = files.cert.with_suffix(".pfx")
    key, cert, extra = pkcs12.load_key_and_certificates(target.read_bytes(), ff.PASSWORD)
    assert cert == leaf.cert and extra == [inter.cert] and key.public_key() == leaf.cert.public_key()
    assert mode(target) == 0o600


def test_pfx_conversion_needs_a_password_and_a_key(site):
    pki, leaf, inter, files, password_file = site
    result = check(str(files.cert), str(files.key), "--convert-to", "pfx")
    assert result.returncode == 2 and "--password-file" in result.stderr
    result = check(str(files.cert), "--password-file", str(password_file), "--convert-to", "pfx")
    assert result.returncode == 2 and "key" in result.stderr


def test_pem_to_jks_relisted(site):
    pki, leaf, inter, files, password_file = site
    result = check(str(files.fullchain), str(files.key), "--password-file", str(password_file), "--convert-to", "jks")
    assert result.returncode == 0, result.stderr
    target = files.fullchain.with_suffix(".jks")
    assert mode(target) == 0o600
    store = jks.KeyStore.load(str(target), ff.PASSWORD.decode())
    entry = store.private_keys["tomcat"]
    assert [der for _kind, der in entry.cert_chain] == [
        c.cert.public_bytes(serialization.Encoding.DER) for c in (leaf, inter)
    ]
    if ff.KEYTOOL:
        listing = ff.keytool_list(target)
        assert "tomcat" in listing and "PrivateKeyEntry" in listing
    # And `check` reads its own output back.
    again = json.loads(check(str(target), "--password-file", str(password_file), "--json").stdout)
    assert again["facts"]["keystore_alias"] == "tomcat" and again["facts"]["key_matches_cert"] is True


def test_der_conversion(site):
    pki, leaf, inter, files, _pw = site
    result = check(str(files.fullchain), "--convert-to", "der")
    assert result.returncode == 0, result.stderr
    target = files.fullchain.with_suffix(".der")
    assert x509.load_der_x509_certificate(target.read_bytes()) == leaf.cert
    assert mode(target) & 0o044  # a certificate alone is not secret


def test_pfx_commands_are_printed_and_quoted(site, tmp_path):
    pki, leaf, inter, files, password_file = site
    source = ff.pfx(tmp_path / "my site.pfx", leaf, [inter])
    result = check(str(source), "--password-file", str(password_file), "--json")
    commands = [c["command"] for c in json.loads(result.stdout)["commands"]]
    assert any(c.startswith("openssl pkcs12 -in '") and "-nocerts -nodes" in c for c in commands)
    assert any(c.startswith("keytool -importkeystore") for c in commands)
