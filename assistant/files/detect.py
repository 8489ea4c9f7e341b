"""Provides container and encoding sniffing: which format a file is in, and what it holds, parsed.

Everything that can be wrong with a file the user names (missing, a directory, empty, too big,
binary junk, a damaged block, a missing or wrong password) raises FileProblem with a localized
message; nothing else escapes. Key material stays in memory as cryptography objects only.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs7, pkcs12

from assistant.i18n import _

MAX_BYTES = 5 * 1024 * 1024
"""Certificates, keys and keystores are kilobytes; a few megabytes is already a huge trust store."""

_PEM_BLOCK = re.compile(rb"-----BEGIN ([A-Z0-9 #]+)-----(.*?)-----END \1-----", re.S)
_BASE64_ONLY = re.compile(rb"^[A-Za-z0-9+/=\s]+$")
_JKS_MAGIC, _JCEKS_MAGIC = b"\xfe\xed\xfe\xed", b"\xce\xce\xce\xce"
_OID_PKCS7_DATA = bytes.fromhex("06092a864886f70d010701")
_OID_PKCS7_SIGNED = bytes.fromhex("06092a864886f70d010702")
_CERT_LABELS = {b"CERTIFICATE", b"X509 CERTIFICATE", b"TRUSTED CERTIFICATE"}
_CSR_LABELS = {b"CERTIFICATE REQUEST", b"NEW CERTIFICATE REQUEST"}
_KEY_LABELS = {b"PRIVATE KEY", b"ENCRYPTED PRIVATE KEY", b"RSA PRIVATE KEY", b"EC PRIVATE KEY", b"DSA PRIVATE KEY"}


class FileProblem(Exception):
    """An input error about one file. str() is the localized message; `kind` is for code."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind
        """missing, directory, unreadable, too_large, empty, unknown, damaged, password_needed, wrong_password"""


@dataclass
class KeyEntry:
    """A keystore's key entry (PFX friendly name or JKS alias) with the chain stored beside it."""

    alias: str | None
    key: PrivateKeyTypes | None
    """None when the entry's key has a password of its own that we were not given."""
    chain: list[x509.Certificate]


@dataclass
class Loaded:
    """One file, parsed. Certificates are in file order; for keystores, key entries come first."""

    path: Path
    format: str
    """The `file_format` fact: pem, der, pkcs7, pkcs12, jks, pkcs8, csr."""
    encoding: str
    """How it is stored: PEM, DER, base64, binary."""
    certs: list[x509.Certificate] = field(default_factory=list)
    cert_aliases: list[str | None] = field(default_factory=list)
    keys: list[PrivateKeyTypes] = field(default_factory=list)
    csrs: list[x509.CertificateSigningRequest] = field(default_factory=list)
    entries: list[KeyEntry] = field(default_factory=list)
    """Keystores only (pkcs12, jks): key entries and their chains."""
    key_encrypted: bool = False
    other: list[str] = field(default_factory=list)
    """Labels of PEM blocks we list but do not judge (PUBLIC KEY, X509 CRL, EC PARAMETERS)."""
    store_type: str = ""
    """jks or jceks for Java keystores."""

    def add_cert(self, cert: x509.Certificate, alias: str | None = None) -> None:
        self.certs.append(cert)
        self.cert_aliases.append(alias)


def load(path: Path, password: bytes | None) -> Loaded:
    """Read and parse one file. Raises FileProblem."""
    data = _read(path)
    return parse(path, data, password)


def _read(path: Path) -> bytes:
    name = str(path)
    try:
        if path.is_dir():
            raise FileProblem(_("{file} is a folder, not a file.").format(file=name), "directory")
        if not path.exists():
            raise FileProblem(_("{file} does not exist.").format(file=name), "missing")
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise FileProblem(
                _(
                    "{file} is {size} MB; certificate, key and keystore files are far smaller, so it was not read."
                ).format(file=name, size=round(size / 1024 / 1024, 1)),
                "too_large",
            )
        with path.open("rb") as stream:
            data = stream.read(MAX_BYTES + 1)  # a pipe or device reports size 0: read at most this
    except PermissionError:
        raise FileProblem(_("{file} cannot be read: permission denied.").format(file=name), "unreadable") from None
    except OSError as error:
        raise FileProblem(
            _("{file} cannot be read: {error}").format(file=name, error=error.strerror or error), "unreadable"
        ) from None
    if len(data) > MAX_BYTES:
        raise FileProblem(
            _("{file} is larger than {size} MB, so it was not read.").format(file=name, size=MAX_BYTES // 1024 // 1024),
            "too_large",
        )
    if not data.strip():
        raise FileProblem(_("{file} is empty.").format(file=name), "empty")
    return data


def parse(path: Path, data: bytes, password: bytes | None) -> Loaded:
    if data[:4] in (_JKS_MAGIC, _JCEKS_MAGIC):
        return _java_keystore(path, data, password)
    text = _as_text(data)
    if text is not None and b"-----BEGIN " in text:
        return _pem(path, text, password)
    if text is not None and _BASE64_ONLY.match(text) and len(text.strip()) > 64:
        # Some CAs mail the certificate as bare base64 without the BEGIN/END lines.
        try:
            decoded = base64.b64decode(b"".join(text.split()), validate=True)
        except (binascii.Error, ValueError):
            decoded = b""
        if decoded[:1] == b"\x30":
            loaded = _der(path, decoded, password)
            loaded.encoding = "base64"
            return loaded
    if data[:1] == b"\x30":
        return _der(path, data, password)
    if text is not None:
        raise FileProblem(
            _("{file} is a text file with no certificate, key or CSR in it (no -----BEGIN line).").format(file=path),
            "unknown",
        )
    raise FileProblem(
        _(
            "{file} is not a certificate, key, CSR or keystore in any format I know (PEM, DER, PKCS#7, PKCS#12, JKS)."
        ).format(file=path),
        "unknown",
    )


def _as_text(data: bytes) -> bytes | None:
    """The file as ASCII-compatible bytes if it is text. Windows tools sometimes save PEM as UTF-16."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return data.removeprefix(b"\xef\xbb\xbf")


def _pem(path: Path, text: bytes, password: bytes | None) -> Loaded:
    loaded = Loaded(path, "pem", "PEM")
    labels: list[bytes] = []
    for number, match in enumerate(_PEM_BLOCK.finditer(text), start=1):
        label, block = match.group(1), match.group(0)
        labels.append(label)
        try:
            if label in _CERT_LABELS:
                loaded.add_cert(x509.load_pem_x509_certificate(_as_certificate_block(block)))
            elif label in _CSR_LABELS:
                loaded.csrs.append(x509.load_pem_x509_csr(block))
            elif label in _KEY_LABELS:
                encrypted = label == b"ENCRYPTED PRIVATE KEY" or b"ENCRYPTED" in match.group(2)[:200]
                loaded.key_encrypted |= encrypted
                loaded.keys.append(_private_key(path, block, password if encrypted else None, pem=True))
            elif label == b"PKCS7":
                for cert in pkcs7.load_pem_pkcs7_certificates(block):
                    loaded.add_cert(cert)
            else:
                loaded.other.append(label.decode("ascii"))
        except FileProblem:
            raise
        except (ValueError, TypeError) as error:
            raise FileProblem(
                _("Block {number} of {file} ({label}) is damaged and cannot be read: {error}").format(
                    number=number, file=path, label=label.decode("ascii"), error=_reason(error)
                ),
                "damaged",
            ) from None
    if not labels:
        raise FileProblem(
            _(
                "{file} has a -----BEGIN line without its matching -----END line; the file is cut short or damaged."
            ).format(file=path),
            "damaged",
        )
    kinds = set(labels)
    if kinds <= _CSR_LABELS:
        loaded.format = "csr"
    elif kinds == {b"PKCS7"}:
        loaded.format = "pkcs7"
    elif kinds <= {b"PRIVATE KEY", b"ENCRYPTED PRIVATE KEY"}:
        loaded.format = "pkcs8"
    return loaded


def _as_certificate_block(block: bytes) -> bytes:
    # OpenSSL's "TRUSTED CERTIFICATE" is a certificate followed by trust settings; keep the certificate.
    if not block.startswith(b"-----BEGIN TRUSTED CERTIFICATE-----"):
        return block
    body = base64.b64decode(b"".join(block.split(b"-----")[2].split()))
    length = _der_length(body)
    return x509.load_der_x509_certificate(body[:length]).public_bytes(serialization.Encoding.PEM)


def _der_length(der: bytes) -> int:
    """The length of the first DER element, header included."""
    first = der[1]
    if first < 0x80:
        return 2 + first
    count = first & 0x7F
    return 2 + count + int.from_bytes(der[2 : 2 + count], "big")


def _der(path: Path, data: bytes, password: bytes | None) -> Loaded:
    try:
        cert = x509.load_der_x509_certificate(data)
        loaded = Loaded(path, "der", "DER")
        loaded.add_cert(cert)
        return loaded
    except ValueError:
        pass
    head = data[:40]
    if b"\x02\x01\x03\x30" in head[:8] and _OID_PKCS7_DATA in head:
        return _pkcs12(path, data, password)
    if _OID_PKCS7_SIGNED in head:
        try:
            loaded = Loaded(path, "pkcs7", "DER")
            for cert in pkcs7.load_der_pkcs7_certificates(data):
                loaded.add_cert(cert)
            return loaded
        except ValueError as error:
            raise FileProblem(
                _("{file} looks like a PKCS#7 bundle but cannot be read: {error}").format(
                    file=path, error=_reason(error)
                ),
                "damaged",
            ) from None
    try:
        loaded = Loaded(path, "csr", "DER")
        loaded.csrs.append(x509.load_der_x509_csr(data))
        return loaded
    except ValueError:
        pass
    loaded = Loaded(path, "pkcs8", "DER")
    try:
        loaded.keys.append(serialization.load_der_private_key(data, None))
        return loaded
    except TypeError:  # "password was not given but private key is encrypted"
        loaded.key_encrypted = True
        loaded.keys.append(_private_key(path, data, password, pem=False))
        return loaded
    except (ValueError, Exception):  # noqa: BLE001 - any parser refusal means "not a key either"
        pass
    raise FileProblem(
        _("{file} is binary (DER) data but not a certificate, key, CSR, PKCS#7 or PKCS#12 file.").format(file=path),
        "unknown",
    )


def _private_key(path: Path, data: bytes, password: bytes | None, *, pem: bool) -> PrivateKeyTypes:
    loader = serialization.load_pem_private_key if pem else serialization.load_der_private_key
    if password is None:
        try:
            return loader(data, None)
        except TypeError:
            raise _password_needed(path) from None
    try:
        return loader(data, password)
    except TypeError:  # the key is not encrypted after all: the password was not needed
        return loader(data, None)
    except ValueError:
        raise _wrong_password(path) from None


def _pkcs12(path: Path, data: bytes, password: bytes | None) -> Loaded:
    bundle = None
    tries = [password] if password is not None else [None, b""]
    for attempt in tries:
        try:
            bundle = pkcs12.load_pkcs12(data, attempt)
            break
        except ValueError:
            continue
    if bundle is None:
        raise _wrong_password(path) if password is not None else _password_needed(path)
    loaded = Loaded(path, "pkcs12", "DER", key_encrypted=bool(password))
    if bundle.cert is not None:
        alias = (bundle.cert.friendly_name or b"").decode("utf-8", "replace") or None
        loaded.add_cert(bundle.cert.certificate, alias)
    for extra in bundle.additional_certs:
        loaded.add_cert(extra.certificate, (extra.friendly_name or b"").decode("utf-8", "replace") or None)
    if bundle.key is not None:
        loaded.keys.append(bundle.key)
        chain = [bundle.cert.certificate] if bundle.cert is not None else []
        loaded.entries.append(
            KeyEntry(
                loaded.cert_aliases[0] if loaded.certs else None,
                bundle.key,
                chain + [c.certificate for c in bundle.additional_certs],
            )
        )
    return loaded


def _java_keystore(path: Path, data: bytes, password: bytes | None) -> Loaded:
    import jks  # pyjks: imported only when a Java keystore is actually seen

    if password is None:
        raise _password_needed(path)
    secret = password.decode("utf-8", "replace")
    try:
        store = jks.KeyStore.loads(data, secret)
    except jks.util.KeystoreSignatureException:
        raise _wrong_password(path) from None
    except Exception as error:  # noqa: BLE001 - pyjks raises many kinds on damaged input
        raise FileProblem(
            _("{file} looks like a Java keystore but cannot be read: {error}").format(file=path, error=_reason(error)),
            "damaged",
        ) from None
    loaded = Loaded(path, "jks", "binary", key_encrypted=True, store_type=store.store_type)
    for alias, entry in sorted(store.private_keys.items()):
        chain = [x509.load_der_x509_certificate(der) for _kind, der in entry.cert_chain]
        key = None
        if not entry.is_decrypted():
            try:
                entry.decrypt(secret)
            except Exception:  # noqa: BLE001 - the entry has its own, different key password
                pass
        if entry.is_decrypted():
            key = serialization.load_der_private_key(entry.pkey_pkcs8, None)
            loaded.keys.append(key)
        loaded.entries.append(KeyEntry(alias, key, chain))
        for cert in chain:
            loaded.add_cert(cert, alias)
    for alias, entry in sorted(store.certs.items()):
        loaded.add_cert(x509.load_der_x509_certificate(entry.cert), alias)
    return loaded


def _password_needed(path: Path) -> FileProblem:
    return FileProblem(
        _("{file} is protected by a password; give it with --password-file (or type it when asked).").format(file=path),
        "password_needed",
    )


def _wrong_password(path: Path) -> FileProblem:
    return FileProblem(
        _("{file} could not be opened with the password given: the password is wrong, or the file is damaged.").format(
            file=path
        ),
        "wrong_password",
    )


def _reason(error: Exception) -> str:
    """cryptography's message, shortened to its first line (it can include a long Rust error chain)."""
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
