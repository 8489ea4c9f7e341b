"""Provides the judgement of a served certificate chain: pure functions over DER bytes and `now`.

Path validation is cryptography's (x509.verification, the WebPKI profile browsers follow); this
module only works out *why* a chain fails, so that the finding names the right diagnosis.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import NameOID

from assistant.certinfo import extension, hash_name, issued_by, key_desc, self_signed, signature_name, weak_key
from assistant.i18n import _
from assistant.model import Finding, Status

if TYPE_CHECKING:
    from assistant.probes.fetch import IssuerFetch

# Issuer names of TLS inspection products (proxies, firewalls, antivirus) that re-sign traffic.
INTERCEPTION_MARKERS = (
    "fortinet",
    "fortigate",
    "zscaler",
    "palo alto",
    "paloalto",
    "blue coat",
    "bluecoat",
    "kaspersky",
    "avast",
    "avg technologies",
    "eset",
    "bitdefender",
    "sophos",
    "cisco umbrella",
    "netskope",
    "mitmproxy",
    "charles proxy",
    "fiddler",
    "portswigger",
    "check point",
    "checkpoint",
    "barracuda",
    "mcafee web gateway",
    "forcepoint",
    "websense",
    "untangle",
    "watchguard",
    "sonicwall",
    "smoothwall",
    "lightspeed",
    "securly",
    "goguardian",
    "iboss",
    "menlo security",
    "skyhigh",
    "cato networks",
)
_WEAK_HASHES = ("sha1", "md5")
_LIFETIME_LIMIT_DAYS = 398
_LIFETIME_LIMIT_FROM = datetime(2020, 9, 1, tzinfo=UTC)


def load_chain(chain: tuple[bytes, ...]) -> list[x509.Certificate]:
    return [x509.load_der_x509_certificate(der) for der in chain]


@cache
def _certifi_roots() -> tuple[x509.Certificate, ...]:
    import warnings

    import certifi

    with open(certifi.where(), "rb") as stream, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a few Mozilla roots have negative serials; they still work
        return tuple(x509.load_pem_x509_certificates(stream.read()))


def trust_store(ca_file: str | None) -> tuple[list[x509.Certificate], str]:
    """Mozilla's roots plus the user's --ca-file. Raises OSError/ValueError on an unreadable file."""
    roots = list(_certifi_roots())
    if ca_file:
        with open(ca_file, "rb") as stream:
            roots += x509.load_pem_x509_certificates(stream.read())
    return roots, (_("Mozilla's roots and {file}").format(file=ca_file) if ca_file else _("Mozilla's roots"))


def name_of(cert: x509.Certificate) -> str:
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME) or cert.subject.get_attributes_for_oid(
        NameOID.ORGANIZATION_NAME
    )
    return str(names[0].value) if names else cert.subject.rfc4514_string() or "?"


def issuer_name(cert: x509.Certificate) -> str:
    names = cert.issuer.get_attributes_for_oid(NameOID.COMMON_NAME) or cert.issuer.get_attributes_for_oid(
        NameOID.ORGANIZATION_NAME
    )
    return str(names[0].value) if names else cert.issuer.rfc4514_string() or "?"


def must_staple(cert: x509.Certificate) -> bool:
    feature = extension(cert, x509.TLSFeature)
    return bool(feature) and x509.TLSFeatureType.status_request in feature


def aia_ca_issuers(cert: x509.Certificate) -> list[str]:
    access = extension(cert, x509.AuthorityInformationAccess) or []
    return [
        d.access_location.value
        for d in access
        if d.access_method == x509.oid.AuthorityInformationAccessOID.CA_ISSUERS
        and isinstance(d.access_location, x509.UniformResourceIdentifier)
    ]


def issuer_of(cert: x509.Certificate, candidates: list[x509.Certificate]) -> x509.Certificate | None:
    """The candidate that signed `cert`, if any."""
    return next((c for c in candidates if issued_by(cert, c)), None)


def _host_matches(host: str, dns_names: list[str], ips: list[str]) -> bool:
    try:
        return str(ipaddress.ip_address(host)) in ips
    except ValueError:
        pass
    host = host.rstrip(".").lower()
    for name in dns_names:
        name = name.rstrip(".").lower()
        if name == host:
            return True
        # A wildcard covers exactly one left-most label (RFC 6125 6.4.3), never the apex.
        if name.startswith("*.") and "." in host and host.split(".", 1)[1] == name[2:]:
            return True
    return False


@dataclass(frozen=True, slots=True)
class ChainShape:
    path: list[int]
    """Indices of the served certificates on the path from the leaf upward, in served order."""
    unrelated: list[int]
    duplicates: list[int]
    anchor: x509.Certificate | None
    """The trusted root the path reaches, if any."""
    missing_issuer: str | None
    """Issuer name the path needs and nobody supplied."""


def shape(certs: list[x509.Certificate], roots: list[x509.Certificate]) -> ChainShape:
    by_subject: dict[x509.Name, list[x509.Certificate]] = {}
    for root in roots:
        by_subject.setdefault(root.subject, []).append(root)
    path, current = [0], certs[0]
    seen = {certs[0].fingerprint(hashes.SHA256())}
    duplicates: list[int] = []
    anchor = None
    while True:
        trusted = next((r for r in by_subject.get(current.issuer, []) if issued_by(current, r)), None)
        if trusted is not None or (
            self_signed(current)
            and any(r.public_key() == current.public_key() for r in by_subject.get(current.subject, []))
        ):
            anchor = trusted or current
            break
        if self_signed(current):
            break
        step = next((i for i, c in enumerate(certs) if i not in path and issued_by(current, c)), None)
        if step is None:
            break
        path.append(step)
        current = certs[step]
    for index, cert in enumerate(certs):
        if index in path:
            continue
        fingerprint = cert.fingerprint(hashes.SHA256())
        if fingerprint in {certs[i].fingerprint(hashes.SHA256()) for i in path} or fingerprint in seen:
            duplicates.append(index)
        seen.add(fingerprint)
    unrelated = [i for i in range(len(certs)) if i not in path and i not in duplicates]
    missing = None if anchor is not None or self_signed(current) else issuer_name(current)
    return ChainShape(path, unrelated, duplicates, anchor, missing)


def verify(certs: list[x509.Certificate], roots: list[x509.Certificate], host: str, now: datetime) -> str | None:
    """cryptography's WebPKI path validation; None when it succeeds, else its reason."""
    from cryptography.x509.verification import DNSName, IPAddress, PolicyBuilder, Store, VerificationError

    try:
        subject = IPAddress(ipaddress.ip_address(host))
    except ValueError:
        subject = DNSName(host.rstrip("."))
    try:
        verifier = PolicyBuilder().store(Store(roots)).time(now).build_server_verifier(subject)
        verifier.verify(certs[0], certs[1:])
        return None
    except VerificationError as error:
        return str(error)
    except ValueError as error:
        return str(error)


def _f(check: str, status: Status, evidence: str, diagnosis: str | None = None, **facts) -> Finding:  # noqa: ANN003
    return Finding(check, status, evidence, diagnosis, facts)


def judge_chain(
    chain: tuple[bytes, ...],
    host: str,
    now: datetime,
    roots: list[x509.Certificate],
    store_name: str,
    fetched: list[IssuerFetch] | None = None,
) -> list[Finding]:
    """chain.*: completeness, order, expired members, weak signatures and keys, trust.

    `fetched`: the issuers fetched from AIA caIssuers (--allow-fetch), None when fetching was not
    allowed; with them an incomplete chain is proven (or not) to validate."""
    certs = load_chain(chain)
    leaf = certs[0]
    found = shape(certs, roots)
    out: list[Finding] = []
    top = certs[found.path[-1]]
    served = len(certs)
    # Completeness and trust: the path either reaches a trusted root, stops at an untrusted
    # self-signed root, or stops for want of an issuer nobody sent.
    if found.anchor is not None:
        out.append(
            _f(
                "chain.complete",
                Status.PASS,
                _("The served chain ({count} certificates) leads from {leaf} to the trusted root {root}.").format(
                    count=served, leaf=name_of(leaf), root=name_of(found.anchor)
                ),
                "incomplete-chain",
                chain_complete=True,
            )
        )
    elif found.missing_issuer and (found.path == [0] or aia_ca_issuers(top)):
        out.append(
            _f(
                "chain.complete",
                Status.FAIL,
                _(
                    'The server sent {count} certificate(s) but not the issuer of {cert}: no certificate for "{issuer}" was served, and {store} do not contain it.'
                ).format(count=served, cert=name_of(top), issuer=found.missing_issuer, store=store_name)
                + " "
                + _fetch_note(certs, top, roots, host, now, fetched),
                "incomplete-chain",
                chain_complete=False,
                **_fetch_facts(certs, roots, host, now, fetched),
            )
        )
    elif found.missing_issuer:
        out.append(
            _f(
                "chain.complete",
                Status.INFO,
                _(
                    'The chain ends at the CA certificate {cert}, issued by "{issuer}", which is neither served nor in {store}; {cert} has no AIA caIssuers address, which points to a private root rather than a missing intermediate.'
                ).format(cert=name_of(top), issuer=found.missing_issuer, store=store_name),
                None,
                chain_complete=False,
            )
        )
    else:
        out.append(
            _f(
                "chain.complete",
                Status.PASS,
                _(
                    "The served chain ends at the self-signed certificate {cert}: nothing is missing, but it is not trusted (see the trust check)."
                ).format(cert=name_of(top)),
                "incomplete-chain",
                chain_complete=True,
            )
        )

    disorder = found.path != sorted(found.path) or found.path != list(range(len(found.path)))
    if disorder:
        out.append(
            _f(
                "chain.order",
                Status.FAIL,
                _(
                    "The certificates are served in the wrong order: the path {leaf} → {issuers} uses served positions {positions}."
                ).format(
                    leaf=name_of(leaf),
                    issuers=" → ".join(name_of(certs[i]) for i in found.path[1:]) or "-",
                    positions=", ".join(str(i + 1) for i in found.path),
                ),
                "chain-order",
                chain_order_ok=False,
            )
        )
    elif found.duplicates or found.unrelated:
        extra = [name_of(certs[i]) for i in found.duplicates + found.unrelated]
        out.append(
            _f(
                "chain.order",
                Status.WARN,
                _(
                    "The server also sends certificates that are not on the path: {names} (duplicate or unrelated)."
                ).format(names=", ".join(extra)),
                "chain-order",
                chain_order_ok=False,
            )
        )
    else:
        out.append(
            _f(
                "chain.order",
                Status.PASS,
                _("The chain is in order, leaf first, with no duplicate or unrelated certificates."),
                "chain-order",
                chain_order_ok=True,
            )
        )

    expired = [c for c in certs[1:] if c.not_valid_after_utc < now]
    if expired:
        out.append(
            _f(
                "chain.expired_member",
                Status.FAIL,
                _("The served chain contains expired certificates: {names} (notAfter {dates}).").format(
                    names=", ".join(name_of(c) for c in expired),
                    dates=", ".join(c.not_valid_after_utc.date().isoformat() for c in expired),
                ),
                "expired-in-chain",
                expired_in_chain=True,
            )
        )
    else:
        out.append(
            _f(
                "chain.expired_member",
                Status.PASS,
                _("No certificate above the leaf has expired."),
                "expired-in-chain",
                expired_in_chain=False,
            )
        )

    weak_signed = [c for c in certs if hash_name(c) in _WEAK_HASHES and not self_signed(c)]
    if weak_signed:
        out.append(
            _f(
                "chain.weak_signature",
                Status.FAIL,
                _("{names} is signed with {algorithm}, which clients reject.").format(
                    names=", ".join(name_of(c) for c in weak_signed), algorithm=signature_name(weak_signed[0])
                ),
                "weak-signature",
                weak_signature_in_chain=True,
            )
        )
    else:
        out.append(
            _f(
                "chain.weak_signature",
                Status.PASS,
                _("Every served certificate is signed with SHA-256 or stronger."),
                "weak-signature",
                weak_signature_in_chain=False,
            )
        )

    weak_keys = [c for c in certs[1:] if weak_key(c)]
    if weak_keys:
        out.append(
            _f(
                "chain.key_size",
                Status.FAIL,
                _("{name} has a {kind} {bits}-bit key, below the minimum clients accept.").format(
                    name=name_of(weak_keys[0]), kind=key_desc(weak_keys[0])[0], bits=key_desc(weak_keys[0])[1]
                ),
                "weak-key",
            )
        )
    else:
        out.append(
            _f(
                "chain.key_size",
                Status.PASS,
                _("Every CA certificate in the chain has a key of adequate size."),
                "weak-key",
            )
        )

    reason = verify(certs, roots, host, now)
    if found.anchor is None:
        if self_signed(leaf):
            diagnosis, text = (
                "self-signed",
                _("The leaf {leaf} is self-signed and is not in {store}.").format(leaf=name_of(leaf), store=store_name),
            )
        elif found.missing_issuer and (found.path == [0] or aia_ca_issuers(top)):
            diagnosis, text = (
                "incomplete-chain",
                _('No path from {leaf} to {store}: the issuer "{issuer}" is missing.').format(
                    leaf=name_of(leaf), store=store_name, issuer=found.missing_issuer
                ),
            )
        else:
            root = found.missing_issuer or name_of(top)
            diagnosis, text = (
                "untrusted-root",
                _('The chain ends at the root "{root}", which is not in {store}.').format(root=root, store=store_name),
            )
        out.append(
            _f(
                "chain.trusted",
                Status.FAIL,
                text + " " + _("Path validation says: {reason}").format(reason=reason or "-"),
                diagnosis,
                chain_trusted=False,
            )
        )
    elif reason is None:
        out.append(
            _f(
                "chain.trusted",
                Status.PASS,
                _("The chain validates against {store} for {host}.").format(store=store_name, host=host),
                "untrusted-root",
                chain_trusted=True,
            )
        )
    else:
        out.append(
            _f(
                "chain.trusted",
                Status.WARN,
                _("The chain reaches the trusted root {root}, but path validation for {host} fails: {reason}").format(
                    root=name_of(found.anchor), host=host, reason=reason
                ),
                None,
                chain_trusted=False,
            )
        )
    return out


def _completed(
    certs: list[x509.Certificate], roots: list[x509.Certificate], host: str, now: datetime, fetched: list[IssuerFetch]
) -> tuple[list[x509.Certificate], str | None]:
    """The fetched issuers, and path validation's verdict with them added (None: it validates)."""
    extra = [x509.load_der_x509_certificate(der) for item in fetched for der in item.certs]
    return extra, verify(certs + [c for c in extra if c not in certs], roots, host, now)


def _fetch_facts(certs, roots, host, now, fetched) -> dict:  # noqa: ANN001
    if not fetched:
        return {}
    extra, reason = _completed(certs, roots, host, now, fetched)
    return {"chain_completes_with_fetch": bool(extra) and reason is None}


def _fetch_note(
    certs: list[x509.Certificate],
    top: x509.Certificate,
    roots: list[x509.Certificate],
    host: str,
    now: datetime,
    fetched: list[IssuerFetch] | None,
) -> str:
    """What fetching the missing issuer from its AIA caIssuers address showed, or why it was not done."""
    urls = aia_ca_issuers(top)
    if not urls:
        return _("{cert} names no AIA caIssuers address, so the missing issuer cannot be fetched.").format(
            cert=name_of(top)
        )
    if fetched is None:
        return _(
            "The missing issuer was not fetched from its AIA address {url}: the probe contacts nothing beyond the target unless run with --allow-fetch."
        ).format(url=urls[0])
    failed = next((item.fetched for item in fetched if item.fetched.body is None), None)
    if not fetched or (failed is not None and not any(item.certs for item in fetched)):
        url = failed.url if failed else urls[0]
        return _("Fetching the missing issuer from {url} failed ({reason}).").format(
            url=url, reason=fetch_reason(failed.error if failed else "cancelled")
        )
    extra, reason = _completed(certs, roots, host, now, fetched)
    if not extra:
        return _("{url} did not return a certificate.").format(url=fetched[0].fetched.url)
    names = ", ".join(name_of(c) for c in extra)
    sources = ", ".join(item.fetched.url for item in fetched if item.certs)
    if reason is None:
        anchor = shape(certs + extra, roots).anchor
        return _("Fetched {names} from {url}; with it the chain validates to {root}: the server must send it.").format(
            names=names, url=sources, root=name_of(anchor) if anchor else "?"
        )
    return _("Fetched {names} from {url}, but even with it the chain does not validate: {reason}").format(
        names=names, url=sources, reason=reason
    )


def fetch_reason(error: str | None) -> str:
    return {
        "timeout": _("no answer within the time limit"),
        "cancelled": _("cancelled"),
        "too_large": _("the answer exceeded the size limit"),
        "not_http": _("only http:// addresses are fetched"),
    }.get(error or "", error or "-")


def judge_profile(
    chain_findings: list[Finding],
    leaf_findings: list[Finding],
    chain: tuple[bytes, ...],
    roots,
    host: str,
    now: datetime,
) -> Finding:  # noqa: ANN001
    """chain.profile: validation fails though every specific check passed, so a profile rule broke."""
    explained = any(f.status in (Status.FAIL, Status.WARN) and f.diagnosis for f in chain_findings + leaf_findings)
    trusted = next((f for f in chain_findings if f.check == "chain.trusted"), None)
    if trusted and trusted.status == Status.WARN and not explained:
        reason = verify(load_chain(chain), roots, host, now)
        return _f(
            "chain.profile",
            Status.FAIL,
            _(
                "Strict X.509 validation rejects the chain although dates, names, keys and signatures are fine: {reason}"
            ).format(reason=reason),
            "cert-profile-noncompliant",
        )
    return _f(
        "chain.profile",
        Status.PASS,
        _("Nothing in the chain breaks the X.509 profile rules that were checked."),
        "cert-profile-noncompliant",
    )
