"""Provides conversions between PEM, DER, PKCS#12 and JKS: the exact openssl/keytool commands as
text, and `convert()` to write the converted copy itself.

Written files never replace an existing file, and anything holding a private key is created with
mode 0600. Paths in commands are shell-quoted so they can be pasted as they are.
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12

from assistant.files.detect import FileProblem, Loaded
from assistant.files.match import key_matches, leaves, path_from
from assistant.i18n import _

FORMATS = ("pem", "der", "pfx", "jks")
TOMCAT_ALIAS = "tomcat"
"""Tomcat's default key alias (certificateKeyAlias); using it means one setting less to change."""


@dataclass
class Material:
    """What a conversion works from: the server certificate, its issuers in order, and its key."""

    chain: list[x509.Certificate]
    key: PrivateKeyTypes | None
    source: Path
    cert_file: Path | None
    key_file: Path | None
    chain_file: Path | None


def material(loaded: list[Loaded]) -> Material | None:
    """The server certificate (or, failing one, every certificate) with its key, across all files."""
    certs = [c for item in loaded for c in item.certs]
    keys = [(item, key) for item in loaded for key in item.keys]
    found = leaves(certs, [key for _item, key in keys])
    if found:
        chain, _end = path_from(found[0], certs)
        match = next(((item, k) for item, k in keys if key_matches(found[0], k)), None)
    else:
        chain, match = list(dict.fromkeys(certs)), (keys[0] if len(keys) == 1 and not certs else None)
    if not chain and match is None:
        return None
    cert_file = next((item.path for item in loaded if chain and chain[0] in item.certs), None)
    chain_file = next(
        (item.path for item in loaded if item.path != cert_file and any(c in item.certs for c in chain[1:])), None
    )
    source = cert_file or (match[0].path if match else loaded[0].path)
    return Material(chain, match[1] if match else None, source, cert_file, match[0].path if match else None, chain_file)


def commands(loaded: list[Loaded]) -> list[tuple[str, str]]:
    """(caption, shell command) pairs for the conversions these files usually need."""
    out: list[tuple[str, str]] = []
    for item in loaded:
        q, stem = shlex.quote(str(item.path)), str(item.path.with_suffix(""))
        if item.format == "pkcs12":
            out += [
                (
                    _("PFX → PEM for nginx or Apache: the certificate, its chain and the key"),
                    f"openssl pkcs12 -in {q} -clcerts -nokeys -out {shlex.quote(stem + '.crt')}",
                ),
                ("", f"openssl pkcs12 -in {q} -cacerts -nokeys -out {shlex.quote(stem + '.chain.pem')}"),
                ("", f"openssl pkcs12 -in {q} -nocerts -nodes -out {shlex.quote(stem + '.key')}"),
                (
                    "",
                    f"cat {shlex.quote(stem + '.crt')} {shlex.quote(stem + '.chain.pem')} > {shlex.quote(stem + '.fullchain.pem')}",
                ),
                (
                    _("PFX → JKS for Tomcat"),
                    f"keytool -importkeystore -srckeystore {q} -srcstoretype PKCS12 -destkeystore {shlex.quote(stem + '.jks')} -deststoretype JKS",
                ),
            ]
        elif item.format == "jks":
            out.append(
                (
                    _("JKS → PFX for IIS, then PEM as above"),
                    f"keytool -importkeystore -srckeystore {q} -srcstoretype JKS -destkeystore {shlex.quote(stem + '.pfx')} -deststoretype PKCS12",
                )
            )
        elif item.format == "der" and item.certs:
            out.append((_("DER → PEM"), f"openssl x509 -inform der -in {q} -out {shlex.quote(stem + '.pem')}"))
        elif item.format == "pkcs7":
            inform = " -inform der" if item.encoding == "DER" else ""
            out.append(
                (
                    _("PKCS#7 → PEM bundle"),
                    f"openssl pkcs7{inform} -print_certs -in {q} -out {shlex.quote(stem + '.pem')}",
                )
            )
    found = material(loaded)
    if (
        found
        and found.key is not None
        and found.cert_file
        and found.key_file
        and all(
            item.format not in ("pkcs12", "jks") for item in loaded if item.path in (found.cert_file, found.key_file)
        )
    ):
        cert, key = shlex.quote(str(found.cert_file)), shlex.quote(str(found.key_file))
        extra = f" -certfile {shlex.quote(str(found.chain_file))}" if found.chain_file else ""
        stem = str(found.source.with_suffix(""))
        # 3DES/SHA-1 protection: Windows Server 2016 and older cannot import OpenSSL 3's AES default.
        out.append(
            (
                _("PEM → PFX for IIS (importable on every Windows version)"),
                f"openssl pkcs12 -export -in {cert} -inkey {key}{extra} -certpbe PBE-SHA1-3DES -keypbe PBE-SHA1-3DES -macalg sha1 -out {shlex.quote(stem + '.pfx')}",
            )
        )
        out.append(
            (
                _("PEM → JKS for Tomcat"),
                f"openssl pkcs12 -export -in {cert} -inkey {key}{extra} -name {TOMCAT_ALIAS} -out {shlex.quote(stem + '.p12')}",
            )
        )
        out.append(
            (
                "",
                f"keytool -importkeystore -srckeystore {shlex.quote(stem + '.p12')} -srcstoretype PKCS12 -destkeystore {shlex.quote(stem + '.jks')} -deststoretype JKS -alias {TOMCAT_ALIAS}",
            )
        )
    return out


def convert(loaded: list[Loaded], fmt: str, password: bytes | None) -> list[Path]:
    """Write the converted copy next to the source file. Raises FileProblem (never overwrites)."""
    found = material(loaded)
    if found is None:
        raise FileProblem(_("There is no certificate or key in the files to convert."), "nothing")
    stem = found.source.with_suffix("")
    named = lambda ext: stem.parent / (stem.name + ext)  # noqa: E731 - site.fullchain.pem -> site.fullchain.jks
    if fmt in ("pfx", "jks"):
        if found.key is None or not found.chain:
            raise FileProblem(
                _("A {format} file needs the certificate and its private key; give the key file too.").format(
                    format=fmt.upper()
                ),
                "nothing",
            )
        if not password:
            raise FileProblem(
                _("A {format} file must be protected by a password; give it with --password-file.").format(
                    format=fmt.upper()
                ),
                "password_needed",
            )
    outputs: list[tuple[Path, bytes, bool]] = []
    if fmt == "pem":
        if found.chain:
            outputs.append(
                (named(".pem"), b"".join(c.public_bytes(serialization.Encoding.PEM) for c in found.chain), False)
            )
        if found.key is not None:
            outputs.append(
                (
                    named(".key"),
                    found.key.private_bytes(
                        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
                    ),
                    True,
                )
            )
    elif fmt == "der":
        if not found.chain:
            raise FileProblem(_("There is no certificate in the files to convert."), "nothing")
        outputs.append((named(".der"), found.chain[0].public_bytes(serialization.Encoding.DER), False))
    elif fmt == "pfx":
        outputs.append((named(".pfx"), _pfx(found, password or b""), True))
    elif fmt == "jks":
        outputs.append((named(".jks"), _jks(found, password or b""), True))
    else:
        raise FileProblem(
            _("Unknown format {format}; use one of {formats}.").format(format=fmt, formats=", ".join(FORMATS)), "usage"
        )
    for path, _data, _secret in outputs:
        if path.exists():
            raise FileProblem(
                _("{file} already exists; it was not overwritten. Move it away and run the conversion again.").format(
                    file=path
                ),
                "exists",
            )
    for path, data, secret in outputs:
        _write(path, data, secret)
    return [path for path, _data, _secret in outputs]


def _pfx(found: Material, password: bytes) -> bytes:
    # PBESv1 3DES with SHA-1 MAC: the protection every Windows version (and Java 8) can import.
    encryption = (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(50000)
        .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC)
        .hmac_hash(hashes.SHA1())
        .build(password)
    )
    name = found.chain[0].subject.rfc4514_string().encode()[:64] or None
    return pkcs12.serialize_key_and_certificates(name, found.key, found.chain[0], found.chain[1:] or None, encryption)  # type: ignore[arg-type]


def _jks(found: Material, password: bytes) -> bytes:
    import jks  # pyjks, only when a JKS is written

    pkcs8 = found.key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )  # type: ignore[union-attr]
    chain = [c.public_bytes(serialization.Encoding.DER) for c in found.chain]
    entry = jks.PrivateKeyEntry.new(TOMCAT_ALIAS, chain, pkcs8, "pkcs8")
    return jks.KeyStore.new("jks", [entry]).saves(password.decode("utf-8", "replace"))


def _write(path: Path, data: bytes, secret: bool) -> None:
    # O_EXCL: never replace a file, even one created since the check above.
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if secret else 0o644)
    except FileExistsError:
        raise FileProblem(
            _("{file} already exists; it was not overwritten. Move it away and run the conversion again.").format(
                file=path
            ),
            "exists",
        ) from None
    except OSError as error:
        raise FileProblem(
            _("{file} cannot be written: {error}").format(file=path, error=error.strerror or error), "unwritable"
        ) from None
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(data)
