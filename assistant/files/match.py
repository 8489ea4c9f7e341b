"""Provides the relations between parsed objects: key <-> certificate, CSR <-> key, issuer <-> child.

Keys are compared by their SubjectPublicKeyInfo, which works for every algorithm (RSA, EC, Ed25519);
the `openssl rsa -modulus` trick only works for RSA. Pure functions, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes, PublicKeyTypes

from assistant.certinfo import is_ca, issued_by, self_signed


def spki(key: PublicKeyTypes | PrivateKeyTypes) -> bytes:
    """The DER SubjectPublicKeyInfo of a public key, or of a private key's public half."""
    public = key.public_key() if hasattr(key, "private_bytes") else key
    return public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)  # type: ignore[union-attr]


def key_matches(owner: x509.Certificate | x509.CertificateSigningRequest, key: PrivateKeyTypes) -> bool:
    return spki(owner.public_key()) == spki(key)


def leaves(certs: Sequence[x509.Certificate], keys: Sequence[PrivateKeyTypes] = ()) -> list[x509.Certificate]:
    """Server (end-entity) certificates, deduplicated: those that issue nothing else in the set and
    are not a CA. `openssl req -x509` marks self-signed server certificates CA:TRUE, so a CA that
    issues nothing here still counts when one of `keys` belongs to it or it names hosts (SAN)."""
    keyed = {spki(key) for key in keys}
    out: list[x509.Certificate] = []
    for cert in certs:
        if cert in out or any(other is not cert and issued_by(other, cert) for other in certs):
            continue
        if not is_ca(cert) or spki(cert.public_key()) in keyed or _names_hosts(cert):
            out.append(cert)
    return out


def _names_hosts(cert: x509.Certificate) -> bool:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (x509.ExtensionNotFound, ValueError):
        return False
    return bool(san.get_values_for_type(x509.DNSName) or san.get_values_for_type(x509.IPAddress))


@cache
def _mozilla_root_subjects() -> frozenset[bytes]:
    import warnings

    import certifi

    with open(certifi.where(), "rb") as stream, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a few Mozilla roots have negative serials; still usable
        return frozenset(cert.subject.public_bytes() for cert in x509.load_pem_x509_certificates(stream.read()))


def trusted_root_named(name: x509.Name) -> bool:
    """A root in Mozilla's store (certifi) has this subject."""
    return name.public_bytes() in _mozilla_root_subjects()


def path_from(leaf: x509.Certificate, pool: Iterable[x509.Certificate]) -> tuple[list[x509.Certificate], str]:
    """Follow issuers from `leaf` through `pool`. Returns the path and how it ended:
    `root` (a self-signed certificate), `trusted` (issued by a Mozilla root), `missing` (the issuer
    is in neither the pool nor Mozilla's roots)."""
    candidates = list(pool)
    path = [leaf]
    while True:
        current = path[-1]
        if self_signed(current):
            return path, "root"
        parent = next((c for c in candidates if c not in path and issued_by(current, c)), None)
        if parent is None:
            return path, "trusted" if trusted_root_named(current.issuer) else "missing"
        path.append(parent)


def in_order(certs: Sequence[x509.Certificate]) -> bool:
    """Each certificate is issued by the next one: leaf first, then its issuers, no strangers."""
    return all(issued_by(child, parent) for child, parent in zip(certs, certs[1:], strict=False))


def fingerprint(cert: x509.Certificate, algorithm: str = "sha256") -> str:
    from cryptography.hazmat.primitives import hashes

    digest = cert.fingerprint(hashes.SHA1() if algorithm == "sha1" else hashes.SHA256())
    return ":".join(f"{byte:02X}" for byte in digest)
