"""Files for the `check` tests, made at test time over tests/pki.py: DER, PKCS#7, PFX, encrypted
PKCS#8, CSRs, Java keystores (pyjks, or keytool when the test wants Java's own output), junk."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import jks
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7, pkcs12
from cryptography.x509.oid import NameOID

from tests.pki import PKI, Issued, make_key

PASSWORD = b"s3cret-pass"
KEYTOOL = shutil.which("keytool")


def site(tmp_path: Path, *, key_type: str = "ec", bits: int = 256, **options) -> tuple[PKI, Issued, Issued, Issued]:
    """A root, an intermediate and a leaf for `localhost`."""
    pki = PKI(tmp_path)
    root = pki.root()
    inter = pki.intermediate(root)
    leaf = pki.leaf(inter, names=["localhost"], key_type=key_type, bits=bits, **options)
    return pki, root, inter, leaf


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def der(path: Path, issued: Issued) -> Path:
    return write(path, issued.cert.public_bytes(serialization.Encoding.DER))


def p7b(path: Path, certs: list[Issued], encoding=serialization.Encoding.PEM) -> Path:
    return write(path, pkcs7.serialize_certificates([c.cert for c in certs], encoding))


def pfx(
    path: Path,
    leaf: Issued | None,
    chain: list[Issued] = (),
    password: bytes | None = PASSWORD,
    *,
    with_key: bool = True,
) -> Path:  # type: ignore[assignment]
    encryption = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    data = pkcs12.serialize_key_and_certificates(
        b"site",
        leaf.key if with_key else None,
        leaf.cert if leaf else None,
        [c.cert for c in chain] or None,
        encryption,  # type: ignore[union-attr]
    )
    return write(path, data)


def encrypted_key(path: Path, issued: Issued, password: bytes = PASSWORD) -> Path:
    data = issued.key.private_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.BestAvailableEncryption(password)
    )
    return write(path, data)


def csr(path: Path, key: object, cn: str = "localhost") -> Path:
    request = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(cn)]), critical=False)
        .sign(key, hashes.SHA256())  # type: ignore[arg-type]
    )
    return write(path, request.public_bytes(serialization.Encoding.PEM))


def other_key(kind: str = "ec"):
    return make_key(kind, 256 if kind == "ec" else 2048, fresh=True)


def jks_file(
    path: Path,
    entries: list[tuple[str, Issued, list[Issued]]],
    trusted: list[tuple[str, Issued]] = (),
    password: bytes = PASSWORD,
) -> Path:  # type: ignore[assignment]
    """A JKS written by pyjks: key entries (alias, leaf with key, chain) and trusted certificates."""
    items: list = []
    for alias, leaf, chain in entries:
        pkcs8 = leaf.key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )  # type: ignore[attr-defined]
        ders = [c.cert.public_bytes(serialization.Encoding.DER) for c in [leaf, *chain]]
        items.append(jks.PrivateKeyEntry.new(alias, ders, pkcs8, "pkcs8"))
    for alias, cert in trusted:
        items.append(jks.TrustedCertEntry.new(alias, cert.cert.public_bytes(serialization.Encoding.DER)))
    jks.KeyStore.new("jks", items).save(str(path), password.decode())
    return path


def keytool_jks(tmp_path: Path, source_pfx: Path, password: bytes = PASSWORD) -> Path:
    """Java's own JKS, converted from a PFX by keytool."""
    target = tmp_path / "keytool.jks"
    secret = password.decode()
    subprocess.run(
        [
            KEYTOOL,
            "-importkeystore",
            "-noprompt",
            "-srckeystore",
            str(source_pfx),
            "-srcstoretype",
            "PKCS12",
            "-srcstorepass",
            secret,
            "-destkeystore",
            str(target),
            "-deststoretype",
            "JKS",
            "-deststorepass",
            secret,
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return target


def keytool_list(store: Path, password: bytes = PASSWORD) -> str:
    return subprocess.run(
        [KEYTOOL, "-list", "-keystore", str(store), "-storepass", password.decode()],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout


def run_cli(*args: str, stdin: str | None = None, lang: str = "en") -> subprocess.CompletedProcess[str]:
    """The real command in a child process (stdin not a TTY), as users run it."""
    env = {**os.environ, "LANG": "C.UTF-8", "NO_COLOR": "1"}
    env.pop("LC_ALL", None)
    return subprocess.run(
        [sys.executable, "-m", "assistant", "--lang", lang, "check", *args],
        input=stdin or "",
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


OPENSSL = shutil.which("openssl")


def sha1_leaf(tmp_path: Path, issuer: Issued, bits: int = 1024) -> Path:
    """A CN-only RSA leaf signed with SHA-1 by `issuer`. cryptography refuses to sign with SHA-1,
    so openssl does it, as old CAs and old scripts did."""
    ca_cert = write(tmp_path / "sha1-ca.pem", issuer.pem)
    ca_key = write(tmp_path / "sha1-ca.key", issuer.key_pem)
    key = tmp_path / "sha1.key"
    request = tmp_path / "sha1.csr"
    out = tmp_path / "sha1.pem"
    run = lambda *args: subprocess.run([OPENSSL, *args], check=True, capture_output=True, timeout=60)  # noqa: E731
    run(
        "req",
        "-new",
        "-newkey",
        f"rsa:{bits}",
        "-nodes",
        "-keyout",
        str(key),
        "-out",
        str(request),
        "-subj",
        "/CN=sha1.test",
    )
    run(
        "x509",
        "-req",
        "-in",
        str(request),
        "-CA",
        str(ca_cert),
        "-CAkey",
        str(ca_key),
        "-sha1",
        "-days",
        "30",
        "-out",
        str(out),
    )
    return out
