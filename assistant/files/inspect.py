"""Provides the inventory of a parsed file and the judgement of each certificate in it.

Pure: parsed cryptography objects and `now` in; plain inventory values and Findings out. The
inventory names keys by type and size only: key material never leaves this package.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from assistant.certinfo import extension, is_ca, key_desc, key_usage, san_names, self_signed, signature_name
from assistant.files.detect import Loaded
from assistant.files.match import fingerprint, key_matches, spki
from assistant.i18n import _
from assistant.model import Finding, Status

_EXPIRY_WARNING_DAYS = 14


@dataclass(frozen=True, slots=True)
class Item:
    """One thing inside a file: a certificate, a private key (type and size only), a CSR, or other."""

    kind: str
    """certificate, private_key, csr or other."""
    subject: str = ""
    issuer: str = ""
    not_before: str = ""
    not_after: str = ""
    serial: str = ""
    sha256: str = ""
    sha1: str = ""
    key_type: str = ""
    key_bits: int = 0
    signature: str = ""
    names: tuple[str, ...] = ()
    is_ca: bool = False
    self_signed: bool = False
    alias: str = ""
    encrypted: bool = False
    belongs_to: str = ""
    """For a key or CSR: the subject of the certificate in the files with the same public key."""


@dataclass(frozen=True, slots=True)
class FileInventory:
    path: str
    format: str
    """The `file_format` fact value (pem, der, pkcs7, pkcs12, jks, pkcs8, csr, unknown)."""
    encoding: str
    items: tuple[Item, ...] = ()
    error: str = ""
    """Why the file could not be read, localized; empty when it was read."""


def name_of(name: x509.Name) -> str:
    """The CN (else O, else the whole name) as people recognise a certificate."""
    attrs = name.get_attributes_for_oid(NameOID.COMMON_NAME) or name.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    return str(attrs[0].value) if attrs else (name.rfc4514_string() or "?")


def cert_item(cert: x509.Certificate, alias: str | None = None) -> Item:
    kind, bits = key_desc(cert.public_key())
    return Item(
        "certificate",
        cert.subject.rfc4514_string(),
        cert.issuer.rfc4514_string(),
        cert.not_valid_before_utc.isoformat(),
        cert.not_valid_after_utc.isoformat(),
        format(cert.serial_number, "X"),
        fingerprint(cert),
        fingerprint(cert, "sha1"),
        kind,
        bits,
        signature_name(cert),
        san_names(cert) or (),
        is_ca(cert),
        self_signed(cert),
        alias or "",
    )


def inventory(loaded: Loaded, certs: list[x509.Certificate]) -> FileInventory:
    """What the file holds. `certs` are all certificates in all files, to say which one a key fits."""
    items = [cert_item(cert, alias) for cert, alias in zip(loaded.certs, loaded.cert_aliases, strict=True)]
    for key in loaded.keys:
        kind, bits = key_desc(key)
        owner = next((name_of(c.subject) for c in certs if key_matches(c, key)), "")
        items.append(
            Item("private_key", key_type=kind, key_bits=bits, encrypted=loaded.key_encrypted, belongs_to=owner)
        )
    for entry in loaded.entries:
        if entry.key is None:
            items.append(Item("private_key", alias=entry.alias or "", encrypted=True))
    for csr in loaded.csrs:
        kind, bits = key_desc(csr.public_key())
        owner = next((name_of(c.subject) for c in certs if spki(c.public_key()) == spki(csr.public_key())), "")
        items.append(
            Item(
                "csr",
                csr.subject.rfc4514_string(),
                key_type=kind,
                key_bits=bits,
                signature=_csr_signature(csr),
                belongs_to=owner,
            )
        )
    items += [Item("other", subject=label) for label in loaded.other]
    return FileInventory(str(loaded.path), loaded.format, loaded.encoding, tuple(items))


def _csr_signature(csr: x509.CertificateSigningRequest) -> str:
    oid = csr.signature_algorithm_oid
    return getattr(oid, "_name", None) or oid.dotted_string


def _f(check: str, status: Status, text: str, diagnosis: str | None, **facts: object) -> Finding:
    return Finding(check, status, text, diagnosis, dict(facts))  # type: ignore[arg-type]


def judge_cert(cert: x509.Certificate, where: str, now: datetime, *, server: bool) -> list[Finding]:
    """Validity, signature hash and key size for any certificate; for the server (leaf) certificate
    also keyUsage, extendedKeyUsage, self-signed and subjectAltName. `where` names the file."""
    out: list[Finding] = []
    name = name_of(cert.subject)
    not_before, not_after = cert.not_valid_before_utc, cert.not_valid_after_utc
    days_left = (not_after - now).days
    expired_diagnosis = "cert-expired" if server else "expired-in-chain"
    if not_after < now:
        out.append(
            _f(
                "file.cert_validity",
                Status.FAIL,
                _("The certificate {name} in {file} expired on {date} (notAfter).").format(
                    name=name, file=where, date=not_after.isoformat(timespec="minutes")
                ),
                expired_diagnosis,
            )
        )
    elif not_before > now:
        out.append(
            _f(
                "file.cert_validity",
                Status.FAIL,
                _(
                    "The certificate {name} in {file} is not valid before {date} (notBefore), which is still in the future."
                ).format(name=name, file=where, date=not_before.isoformat(timespec="minutes")),
                "cert-not-yet-valid",
            )
        )
    elif days_left < _EXPIRY_WARNING_DAYS:
        out.append(
            _f(
                "file.cert_validity",
                Status.WARN,
                _("The certificate {name} in {file} expires on {date}, in {days} days.").format(
                    name=name, file=where, date=not_after.date().isoformat(), days=days_left
                ),
                expired_diagnosis,
            )
        )
    else:
        out.append(
            _f(
                "file.cert_validity",
                Status.PASS,
                _("The certificate {name} in {file} is valid from {start} to {end} ({days} days left).").format(
                    name=name,
                    file=where,
                    start=not_before.date().isoformat(),
                    end=not_after.date().isoformat(),
                    days=days_left,
                ),
                expired_diagnosis,
            )
        )

    signature = signature_name(cert)
    is_root = self_signed(cert)
    if not is_root and any(weak in signature.lower() for weak in ("sha1", "md5", "md2")):
        out.append(
            _f(
                "file.signature",
                Status.FAIL,
                _(
                    "The certificate {name} in {file} is signed with {algorithm}; browsers and current systems reject SHA-1 and MD5 signatures."
                ).format(name=name, file=where, algorithm=signature),
                "weak-signature",
            )
        )
    elif server:
        out.append(
            _f(
                "file.signature",
                Status.PASS,
                _("The certificate {name} is signed with {algorithm}.").format(name=name, algorithm=signature),
                "weak-signature",
            )
        )

    kind, bits = key_desc(cert.public_key())
    if (kind in ("RSA", "DSA") and bits < 2048) or (kind.startswith("EC ") and bits < 256):
        out.append(
            _f(
                "file.key_size",
                Status.FAIL,
                _(
                    "The key of the certificate {name} in {file} is {kind}, {bits} bits; clients require at least RSA 2048 or EC 256."
                ).format(name=name, file=where, kind=kind, bits=bits),
                "weak-key",
            )
        )
    elif server:
        out.append(
            _f(
                "file.key_size",
                Status.PASS,
                _("The key of the certificate {name} is {kind}, {bits} bits.").format(name=name, kind=kind, bits=bits),
                "weak-key",
            )
        )

    if server:
        out += _judge_server(cert, where, name, kind, is_root)
    return out


def _judge_server(cert: x509.Certificate, where: str, name: str, kind: str, is_root: bool) -> list[Finding]:
    out: list[Finding] = []
    if is_root:
        out.append(
            _f(
                "file.self_signed",
                Status.FAIL,
                _(
                    "The certificate {name} in {file} is self-signed: browsers trust it only where it was imported by hand."
                ).format(name=name, file=where),
                "self-signed",
            )
        )
    else:
        out.append(
            _f(
                "file.self_signed",
                Status.PASS,
                _("The certificate {name} is issued by {issuer}.").format(name=name, issuer=name_of(cert.issuer)),
                "self-signed",
            )
        )

    names = san_names(cert)
    if names is None:
        cns = ", ".join(str(a.value) for a in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)) or "-"
        out.append(
            _f(
                "file.san",
                Status.FAIL,
                _(
                    "The certificate {name} in {file} has no subjectAltName; its name is only in the subject CN ({cn}), which browsers ignore."
                ).format(name=name, file=where, cn=cns),
                "missing-san",
            )
        )
    else:
        out.append(
            _f(
                "file.san",
                Status.PASS,
                _("The certificate {name} lists these names in subjectAltName: {names}.").format(
                    name=name, names=", ".join(names) or "-"
                ),
                "missing-san",
            )
        )

    usage = key_usage(cert)
    shown = ", ".join(usage) if usage else "-"
    if usage is None:
        out.append(
            _f(
                "file.key_usage",
                Status.PASS,
                _("The certificate {name} has no keyUsage extension, so every key exchange is allowed.").format(
                    name=name
                ),
                "key-usage-incompatible",
            )
        )
    elif "digitalSignature" not in usage:
        out.append(
            _f(
                "file.key_usage",
                Status.FAIL,
                _(
                    "The keyUsage of {name} in {file} is {usage}, without digitalSignature: ECDHE suites and TLS 1.3 cannot use it, and modern browsers fail with ERR_SSL_KEY_USAGE_INCOMPATIBLE."
                ).format(name=name, file=where, usage=shown),
                "key-usage-incompatible",
            )
        )
    elif kind == "RSA" and "keyEncipherment" not in usage:
        out.append(
            _f(
                "file.key_usage",
                Status.WARN,
                _(
                    "The keyUsage of {name} in {file} is {usage}, without keyEncipherment: the server must negotiate ECDHE (or TLS 1.3); clients or servers limited to RSA key exchange suites will fail."
                ).format(name=name, file=where, usage=shown),
                "key-usage-incompatible",
            )
        )
    else:
        out.append(
            _f(
                "file.key_usage",
                Status.PASS,
                _("The keyUsage of {name} is {usage}, which suits a TLS server.").format(name=name, usage=shown),
                "key-usage-incompatible",
            )
        )

    eku = extension(cert, x509.ExtendedKeyUsage)
    if (
        eku is not None
        and ExtendedKeyUsageOID.SERVER_AUTH not in eku
        and ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE not in eku
    ):  # type: ignore[operator]
        usages = ", ".join(getattr(oid, "_name", oid.dotted_string) for oid in eku)  # type: ignore[attr-defined]
        out.append(
            _f(
                "file.key_usage",
                Status.FAIL,
                _(
                    "The extendedKeyUsage of {name} in {file} is {usages}, without serverAuth (1.3.6.1.5.5.7.3.1): it cannot serve a TLS site."
                ).format(name=name, file=where, usages=usages),
                "eku-missing-server-auth",
            )
        )
    else:
        out.append(
            _f(
                "file.key_usage",
                Status.PASS,
                _(
                    "The certificate {name} may be used for server authentication (extendedKeyUsage serverAuth or none)."
                ).format(name=name),
                "eku-missing-server-auth",
            )
        )
    return out
