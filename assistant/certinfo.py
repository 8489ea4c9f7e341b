"""Provides plain readings of one X.509 certificate: key, signature, extensions, issuer links, and
the cert_* facts. Shared by the live probe and the file checks so both judge a certificate alike.

Pure functions over `cryptography` objects; nothing here touches the network or the clock.
"""

from __future__ import annotations

from datetime import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

from assistant.model import Facts

_KEY_USAGE_NAMES = (
    ("digital_signature", "digitalSignature"),
    ("content_commitment", "nonRepudiation"),
    ("key_encipherment", "keyEncipherment"),
    ("data_encipherment", "dataEncipherment"),
    ("key_agreement", "keyAgreement"),
    ("key_cert_sign", "keyCertSign"),
    ("crl_sign", "cRLSign"),
)


def extension(cert: x509.Certificate, kind: type) -> object | None:
    """The extension's value, or None when absent (or unparseable, which strict clients treat alike)."""
    try:
        return cert.extensions.get_extension_for_class(kind).value
    except (x509.ExtensionNotFound, ValueError):
        return None


def key_desc(key_or_cert: object) -> tuple[str, int]:
    """("RSA", 2048), ("EC", 256), ("Ed25519", 256)… for a key or a certificate's public key."""
    key = key_or_cert.public_key() if isinstance(key_or_cert, x509.Certificate) else key_or_cert
    if isinstance(key, rsa.RSAPublicKey | rsa.RSAPrivateKey):
        return "RSA", key.key_size
    if isinstance(key, ec.EllipticCurvePublicKey | ec.EllipticCurvePrivateKey):
        return "EC", key.curve.key_size
    if isinstance(key, dsa.DSAPublicKey | dsa.DSAPrivateKey):
        return "DSA", key.key_size
    if isinstance(key, ed25519.Ed25519PublicKey | ed25519.Ed25519PrivateKey):
        return "Ed25519", 256
    if isinstance(key, ed448.Ed448PublicKey | ed448.Ed448PrivateKey):
        return "Ed448", 456
    return type(key).__name__, 0


def weak_key(key_or_cert: object) -> bool:
    """Below what browsers and Apple ATS accept: RSA/DSA under 2048 bits, EC under 256."""
    kind, bits = key_desc(key_or_cert)
    return (kind in ("RSA", "DSA") and bits < 2048) or (kind == "EC" and bits < 256)


def key_usage(cert: x509.Certificate) -> list[str] | None:
    """keyUsage bits by their RFC 5280 names, or None when the extension is absent (anything goes)."""
    usage = extension(cert, x509.KeyUsage)
    if usage is None:
        return None
    return [shown for attr, shown in _KEY_USAGE_NAMES if getattr(usage, attr)]


def allows_server_auth(cert: x509.Certificate) -> bool:
    """The extendedKeyUsage permits TLS server authentication (or is absent)."""
    eku = extension(cert, x509.ExtendedKeyUsage)
    return eku is None or ExtendedKeyUsageOID.SERVER_AUTH in eku or ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE in eku  # type: ignore[operator]


def san_names(cert: x509.Certificate) -> tuple[str, ...] | None:
    """DNS names and IP addresses of the subjectAltName, or None when there is no SAN at all."""
    san = extension(cert, x509.SubjectAlternativeName)
    if san is None:
        return None
    return tuple(san.get_values_for_type(x509.DNSName)) + tuple(  # type: ignore[attr-defined]
        str(ip)
        for ip in san.get_values_for_type(x509.IPAddress)  # type: ignore[attr-defined]
    )


def signature_name(cert: x509.Certificate) -> str:
    oid = cert.signature_algorithm_oid
    return getattr(oid, "_name", None) or oid.dotted_string


def hash_name(cert: x509.Certificate) -> str:
    algorithm = cert.signature_hash_algorithm
    return algorithm.name if isinstance(algorithm, hashes.HashAlgorithm) else "none"


def is_ca(cert: x509.Certificate) -> bool:
    constraints = extension(cert, x509.BasicConstraints)
    return bool(constraints and constraints.ca)  # type: ignore[attr-defined]


def issued_by(child: x509.Certificate, parent: x509.Certificate) -> bool:
    """`parent` signed `child`: the names chain and the signature verifies."""
    if child.issuer != parent.subject:
        return False
    try:
        child.verify_directly_issued_by(parent)
        return True
    except InvalidSignature:
        return False
    except (ValueError, TypeError, UnsupportedAlgorithm):
        # cryptography no longer verifies SHA-1/MD5 signatures; those certificates still need
        # placing in the chain (to be reported as weak), so fall back to the key identifiers.
        return _key_ids_agree(child, parent)


def _key_ids_agree(child: x509.Certificate, parent: x509.Certificate) -> bool:
    authority = extension(child, x509.AuthorityKeyIdentifier)
    subject = extension(parent, x509.SubjectKeyIdentifier)
    if authority is None or subject is None:
        return True  # the names agree and nothing contradicts them
    key_id = authority.key_identifier  # type: ignore[attr-defined]
    return key_id is None or key_id == subject.digest  # type: ignore[attr-defined]


def self_signed(cert: x509.Certificate) -> bool:
    return issued_by(cert, cert)


def thumbprint(cert: x509.Certificate) -> str:
    """SHA-1 hex, upper case, no separators: what Windows shows and certutil/netsh take."""
    return cert.fingerprint(hashes.SHA1()).hex().upper()  # noqa: S324 - an identifier, not a security use


def cert_facts(cert: x509.Certificate, now: datetime) -> Facts:
    """The cert_* facts (rules/facts/probe.yaml) of a server certificate, at `now`."""
    kind, bits = key_desc(cert)
    usage = key_usage(cert)
    return {
        "cert_subject": cert.subject.rfc4514_string(),
        "cert_issuer": cert.issuer.rfc4514_string(),
        "cert_not_before": cert.not_valid_before_utc.isoformat(),
        "cert_not_after": cert.not_valid_after_utc.isoformat(),
        "cert_days_left": (cert.not_valid_after_utc - now).days,
        "cert_lifetime_days": (cert.not_valid_after_utc - cert.not_valid_before_utc).days,
        "cert_expired": cert.not_valid_after_utc < now,
        "cert_not_yet_valid": cert.not_valid_before_utc > now,
        "cert_self_signed": self_signed(cert),
        "cert_is_ca": is_ca(cert),
        "cert_has_san": san_names(cert) is not None,
        "cert_key_type": kind,
        "cert_key_bits": bits,
        "cert_key_usage": ",".join(usage) if usage is not None else "",
        "cert_key_encipherment": usage is None or "keyEncipherment" in usage,
        "cert_eku_server_auth": allows_server_auth(cert),
        "cert_signature_algorithm": signature_name(cert),
        "cert_serial": format(cert.serial_number, "X"),
        "thumbprint": thumbprint(cert),
    }


def certificates_from_bytes(data: bytes) -> list[x509.Certificate]:
    """Certificates in a blob of unknown encoding: PEM, DER, or a PKCS#7 certs-only bundle (PEM or
    DER), as AIA caIssuers addresses serve them. Empty when it holds none."""
    from cryptography.hazmat.primitives.serialization import pkcs7

    readers = (
        (x509.load_pem_x509_certificates, pkcs7.load_pem_pkcs7_certificates)
        if b"-----BEGIN" in data
        else (lambda d: [x509.load_der_x509_certificate(d)], pkcs7.load_der_pkcs7_certificates)
    )
    for reader in readers:
        try:
            return list(reader(data))
        except (ValueError, TypeError, UnsupportedAlgorithm):
            continue
    return []
