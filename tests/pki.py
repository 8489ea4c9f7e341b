"""A small test PKI over `cryptography`: roots, intermediates, leaves, cross-signs, OCSP responses, CRLs.

Every certificate is made at test time; nothing here touches the network. Typical use:

    pki = PKI(tmp_path)
    root = pki.root()
    inter = pki.intermediate(root)
    leaf = pki.leaf(inter, names=["localhost", "127.0.0.1"])
    files = pki.write("site", leaf, [inter])      # files.cert, .key, .chain, .fullchain
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID

SERVER_AUTH = ExtendedKeyUsageOID.SERVER_AUTH
CLIENT_AUTH = ExtendedKeyUsageOID.CLIENT_AUTH
_KEY_USAGE_BITS = (
    "digital_signature",
    "content_commitment",
    "key_encipherment",
    "data_encipherment",
    "key_agreement",
    "key_cert_sign",
    "crl_sign",
    "encipher_only",
    "decipher_only",
)
_HASHES = {"sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha1": hashes.SHA1, "md5": hashes.MD5}
_key_cache: dict[tuple[str, int], object] = {}


def make_key(kind: str = "rsa", bits: int = 2048, *, fresh: bool = False):
    """RSA or EC private key. Keys are reused per (kind, size) unless `fresh`: generation is slow and
    tests care about certificates, not key uniqueness (a cross-sign needs the same key anyway)."""
    slot = (kind, bits)
    if not fresh and slot in _key_cache:
        return _key_cache[slot]
    if kind == "rsa":
        key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    elif kind == "ec":
        key = ec.generate_private_key({256: ec.SECP256R1(), 384: ec.SECP384R1()}[bits])
    else:
        raise ValueError(kind)
    if not fresh:
        _key_cache[slot] = key
    return key


@dataclass
class Issued:
    cert: x509.Certificate
    key: object

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    @property
    def key_pem(self) -> bytes:
        return self.key.private_bytes(  # type: ignore[attr-defined]
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )


@dataclass
class Files:
    cert: Path
    key: Path
    chain: Path
    fullchain: Path


@dataclass
class PKI:
    directory: Path
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    _serial: int = 1000

    def issue(
        self,
        cn: str,
        issuer: Issued | None = None,
        *,
        key: object | None = None,
        key_type: str = "rsa",
        bits: int = 2048,
        hash: str = "sha256",
        days_before: float = 30,
        days_after: float = 90,
        ca: bool = False,
        path_length: int | None = None,
        names: list[str] | None = None,
        key_usage: set[str] | None = None,
        eku: list[x509.ObjectIdentifier] | None = None,
        ca_issuers_url: str | None = None,
        ocsp_url: str | None = None,
        crl_url: str | None = None,
        must_staple: bool = False,
        org: str | None = None,
    ) -> Issued:
        """One certificate. `issuer=None` makes it self-signed. `names=None` on a leaf is CN-only."""
        key = key or make_key(key_type, bits)
        attrs = [x509.NameAttribute(NameOID.COMMON_NAME, cn)]
        if org:
            attrs.insert(0, x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
        subject = x509.Name(attrs)
        signer = issuer.key if issuer else key
        issuer_name = issuer.cert.subject if issuer else subject
        self._serial += 1
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer_name)
            .public_key(key.public_key())  # type: ignore[attr-defined]
            .serial_number(self._serial)
            .not_valid_before(self.now - timedelta(days=days_before))
            .not_valid_after(self.now + timedelta(days=days_after))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=path_length), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)  # type: ignore[attr-defined]
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.public_key()),  # type: ignore[attr-defined]
                critical=False,
            )
        )
        if key_usage is None:
            key_usage = (
                {"key_cert_sign", "crl_sign", "digital_signature"} if ca else {"digital_signature", "key_encipherment"}
            )
        if key_usage:
            builder = builder.add_extension(
                x509.KeyUsage(**{bit: bit in key_usage for bit in _KEY_USAGE_BITS}), critical=True
            )
        if eku is None and not ca:
            eku = [SERVER_AUTH]
        if eku:
            builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=False)
        if names:
            sans: list[x509.GeneralName] = []
            for name in names:
                try:
                    sans.append(x509.IPAddress(ipaddress.ip_address(name)))
                except ValueError:
                    sans.append(x509.DNSName(name))
            builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
        access = []
        if ca_issuers_url:
            access.append(
                x509.AccessDescription(
                    AuthorityInformationAccessOID.CA_ISSUERS, x509.UniformResourceIdentifier(ca_issuers_url)
                )
            )
        if ocsp_url:
            access.append(
                x509.AccessDescription(AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(ocsp_url))
            )
        if access:
            builder = builder.add_extension(x509.AuthorityInformationAccess(access), critical=False)
        if crl_url:
            point = x509.DistributionPoint([x509.UniformResourceIdentifier(crl_url)], None, None, None)
            builder = builder.add_extension(x509.CRLDistributionPoints([point]), critical=False)
        if must_staple:
            builder = builder.add_extension(x509.TLSFeature([x509.TLSFeatureType.status_request]), critical=False)
        algorithm = None if isinstance(signer, object) and type(signer).__name__.startswith("Ed") else _HASHES[hash]()
        return Issued(builder.sign(signer, algorithm), key)  # type: ignore[arg-type]

    def root(self, cn: str = "Test Root CA", **options) -> Issued:
        options.setdefault("days_after", 3650)
        return self.issue(
            cn, None, ca=True, key=options.pop("key", None) or make_key("rsa", 2048, fresh=False), **options
        )

    def intermediate(self, issuer: Issued, cn: str = "Test Intermediate CA", **options) -> Issued:
        options.setdefault("days_after", 1825)
        options.setdefault("bits", 3072)  # a different key from the root's, so signatures tell them apart
        options.setdefault("path_length", 0)
        return self.issue(cn, issuer, ca=True, **options)

    def leaf(
        self,
        issuer: Issued | None,
        names: list[str] | None = ("localhost", "127.0.0.1"),
        cn: str | None = None,
        **options,
    ) -> Issued:  # type: ignore[assignment]
        names = list(names) if names else None
        options.setdefault("key_type", "ec")
        options.setdefault("bits", 256)
        return self.issue(cn or (names[0] if names else "localhost"), issuer, names=names, **options)

    def openssl_intermediate(self, issuer: Issued, cn: str = "SHA-1 Intermediate CA", hash: str = "sha1") -> Issued:
        """An intermediate signed by the `openssl` CLI with `hash`: cryptography refuses to sign with
        SHA-1, OpenSSL 3.0 still does when asked. Same profile as `intermediate` (CA, pathlen 0)."""
        import subprocess

        key = make_key("rsa", 3072)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._serial += 1
        folder = self.directory / f"openssl-{self._serial}"
        folder.mkdir()
        csr = (
            x509.CertificateSigningRequestBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
            .sign(key, hashes.SHA256())  # type: ignore[arg-type]
        )
        (folder / "req.csr").write_bytes(csr.public_bytes(serialization.Encoding.PEM))
        (folder / "ca.crt").write_bytes(issuer.pem)
        (folder / "ca.key").write_bytes(issuer.key_pem)
        (folder / "ext.cnf").write_text(
            "[v3]\nbasicConstraints=critical,CA:TRUE,pathlen:0\n"
            "keyUsage=critical,keyCertSign,cRLSign,digitalSignature\n"
            "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"
        )
        subprocess.run(
            ["openssl", "x509", "-req", f"-{hash}", "-in", "req.csr", "-CA", "ca.crt", "-CAkey", "ca.key"]
            + ["-set_serial", str(self._serial), "-days", "365", "-extfile", "ext.cnf", "-extensions", "v3"]
            + ["-out", "cert.pem"],
            cwd=folder,
            check=True,
            capture_output=True,
            timeout=30,
        )
        (folder / "ca.key").unlink()
        return Issued(x509.load_pem_x509_certificate((folder / "cert.pem").read_bytes()), key)

    def cross_sign(self, root: Issued, by: Issued, **options) -> Issued:
        """The same root (subject and key) issued by another CA: how cross-signed roots are served."""
        options.setdefault("days_after", 365)
        return self.issue(root.cert.subject.rfc4514_string().removeprefix("CN="), by, key=root.key, ca=True, **options)

    def write(self, name: str, leaf: Issued, chain: list[Issued] = ()) -> Files:  # type: ignore[assignment]
        """PEM files: the leaf, its key, the chain without the leaf, and leaf + chain in that order."""
        self.directory.mkdir(parents=True, exist_ok=True)
        files = Files(*(self.directory / f"{name}.{ext}" for ext in ("crt", "key", "chain.pem", "fullchain.pem")))
        files.cert.write_bytes(leaf.pem)
        files.key.write_bytes(leaf.key_pem)
        files.chain.write_bytes(b"".join(c.pem for c in chain))
        files.fullchain.write_bytes(leaf.pem + b"".join(c.pem for c in chain))
        return files

    def write_certs(self, name: str, certs: list[Issued]) -> Path:
        path = self.directory / f"{name}.pem"
        self.directory.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"".join(c.pem for c in certs))
        return path

    def ocsp_response(self, cert: Issued, issuer: Issued, status: str = "good") -> bytes:
        """A signed OCSP response (DER) for `cert`, signed by its issuer, saying good or revoked."""
        cert_status = ocsp.OCSPCertStatus.REVOKED if status == "revoked" else ocsp.OCSPCertStatus.GOOD
        builder = (
            ocsp.OCSPResponseBuilder()
            .add_response(
                cert=cert.cert,
                issuer=issuer.cert,
                algorithm=hashes.SHA1(),
                cert_status=cert_status,
                this_update=self.now - timedelta(hours=1),
                next_update=self.now + timedelta(days=3),
                revocation_time=self.now - timedelta(days=1) if status == "revoked" else None,
                revocation_reason=x509.ReasonFlags.key_compromise if status == "revoked" else None,
            )
            .responder_id(ocsp.OCSPResponderEncoding.HASH, issuer.cert)
        )
        return builder.sign(issuer.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)  # type: ignore[arg-type]

    def crl(self, issuer: Issued, revoked: list[Issued] = (), *, days_after: float = 7) -> bytes:  # type: ignore[assignment]
        """A CRL (DER) signed by `issuer` listing `revoked`; a negative `days_after` makes it stale."""
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(issuer.cert.subject)
            .last_update(self.now - timedelta(days=1))
            .next_update(self.now + timedelta(days=days_after))
        )
        for cert in revoked:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(cert.cert.serial_number)
                .revocation_date(self.now - timedelta(hours=2))
                .build()
            )
        return builder.sign(issuer.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)  # type: ignore[arg-type]
