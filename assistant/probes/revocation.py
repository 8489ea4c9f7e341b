"""Provides the judgement of live revocation answers (`--allow-fetch`): an OCSP response and a CRL
for the served leaf. Pure: fetched bytes, the leaf, its issuer and `now` in; a finding out.

A revocation answer is believed only when the issuer (or a responder it delegated to) signed it; an
answer nobody can check is what clients call "revocation server offline".
"""

from __future__ import annotations

from datetime import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID

from assistant.certinfo import extension, issued_by
from assistant.i18n import _
from assistant.model import Finding, Status
from assistant.probes.certs import _f, fetch_reason, name_of
from assistant.probes.fetch import Fetched, crl_urls, ocsp_urls


def _verifies(key: object, signature: bytes, data: bytes, algorithm: object) -> bool:
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), algorithm)  # type: ignore[arg-type]
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(algorithm))  # type: ignore[arg-type]
        else:
            key.verify(signature, data)  # type: ignore[attr-defined]  # Ed25519/Ed448
        return True
    except (InvalidSignature, UnsupportedAlgorithm, TypeError, ValueError):
        return False


def _ocsp_signed(response: ocsp.OCSPResponse, issuer: x509.Certificate) -> bool:
    """Signed by the issuer itself, or by a responder certificate the issuer gave OCSPSigning."""
    signers = [issuer]
    for cert in response.certificates:
        eku = extension(cert, x509.ExtendedKeyUsage)
        if issued_by(cert, issuer) and eku is not None and ExtendedKeyUsageOID.OCSP_SIGNING in eku:  # type: ignore[operator]
            signers.append(cert)
    return any(
        _verifies(c.public_key(), response.signature, response.tbs_response_bytes, response.signature_hash_algorithm)
        for c in signers
    )


def not_fetched(check: str, leaf: x509.Certificate) -> Finding:
    """The finding of a live revocation check that --allow-fetch was not given for."""
    urls = ocsp_urls(leaf) if check == "revocation.ocsp" else crl_urls(leaf)
    if not urls:
        return _none_named(check)
    return _f(
        check,
        Status.INFO,
        _(
            "The revocation status was not fetched from {url}: the probe contacts nothing beyond the target unless run with --allow-fetch."
        ).format(url=urls[0]),
    )


def _none_named(check: str) -> Finding:
    text = (
        _("The certificate names no OCSP responder (AIA OCSP address).")
        if check == "revocation.ocsp"
        else _("The certificate names no CRL distribution point.")
    )
    return _f(check, Status.INFO, text)


def _unavailable(check: str, text: str) -> Finding:
    return _f(check, Status.WARN, text, "revocation-unavailable", revocation_unavailable=True)


def judge_ocsp(
    fetched: Fetched | None, leaf: x509.Certificate, issuer: x509.Certificate | None, now: datetime
) -> Finding:
    """revocation.ocsp: what the leaf's OCSP responder said when asked."""
    check = "revocation.ocsp"
    if fetched is None:
        return _none_named(check)
    if issuer is None:
        return _f(
            check,
            Status.INFO,
            _(
                "The OCSP responder {url} was not asked: the issuer certificate, which the request names, is not at hand."
            ).format(url=fetched.url),
        )
    if fetched.body is None:
        return _unavailable(
            check,
            _(
                'The OCSP responder {url} could not be reached ({reason}): clients that insist on a revocation check fail ("revocation server offline").'
            ).format(url=fetched.url, reason=fetch_reason(fetched.error)),
        )
    try:
        response = ocsp.load_der_ocsp_response(fetched.body)
    except ValueError:
        return _unavailable(
            check,
            _("The OCSP responder {url} answered with something that is not an OCSP response.").format(url=fetched.url),
        )
    if response.response_status != ocsp.OCSPResponseStatus.SUCCESSFUL:
        return _unavailable(
            check,
            _("The OCSP responder {url} gave no status: it answered {status}.").format(
                url=fetched.url, status=response.response_status.name
            ),
        )
    if response.serial_number != leaf.serial_number or not _ocsp_signed(response, issuer):
        return _unavailable(
            check,
            _("The OCSP response from {url} is not a signed answer about this certificate from {issuer}.").format(
                url=fetched.url, issuer=name_of(issuer)
            ),
        )
    status = response.certificate_status
    if status == ocsp.OCSPCertStatus.REVOKED:
        reason = response.revocation_reason.name if response.revocation_reason else "unspecified"
        return _f(
            check,
            Status.FAIL,
            _("The OCSP responder {url} says the certificate is revoked (since {date}, reason: {reason}).").format(
                url=fetched.url, date=response.revocation_time_utc.date().isoformat(), reason=reason
            ),
            "revoked",
            cert_revoked=True,
        )
    if status == ocsp.OCSPCertStatus.UNKNOWN:
        return _unavailable(
            check,
            _("The OCSP responder {url} answers that it does not know this certificate.").format(url=fetched.url),
        )
    next_update = response.next_update_utc
    if next_update is not None and next_update < now:
        return _unavailable(
            check,
            _("The OCSP responder {url} says good, but its answer expired on {date}.").format(
                url=fetched.url, date=next_update.isoformat(timespec="minutes")
            ),
        )
    return _f(
        check,
        Status.PASS,
        _("The OCSP responder {url} says the certificate is good.").format(url=fetched.url),
        "revoked",
        cert_revoked=False,
    )


def _load_crl(body: bytes) -> x509.CertificateRevocationList | None:
    try:
        return x509.load_pem_x509_crl(body) if b"-----BEGIN" in body else x509.load_der_x509_crl(body)
    except ValueError:
        return None


def judge_crl(
    fetched: Fetched | None, leaf: x509.Certificate, issuer: x509.Certificate | None, now: datetime
) -> Finding:
    """revocation.crl: whether the CRL the leaf names lists its serial number."""
    check = "revocation.crl"
    if fetched is None:
        return _none_named(check)
    if fetched.body is None:
        return _unavailable(
            check,
            _(
                'The CRL at {url} could not be downloaded ({reason}): clients that insist on a revocation check fail ("revocation server offline").'
            ).format(url=fetched.url, reason=fetch_reason(fetched.error)),
        )
    crl = _load_crl(fetched.body)
    if crl is None:
        return _unavailable(check, _("{url} did not return a CRL.").format(url=fetched.url))
    if issuer is None or crl.issuer != issuer.subject or not crl.is_signature_valid(issuer.public_key()):  # type: ignore[arg-type]
        return _unavailable(
            check,
            _("The CRL at {url} is not signed by the certificate's issuer {issuer}.").format(
                url=fetched.url, issuer=name_of(issuer) if issuer else "?"
            ),
        )
    entry = crl.get_revoked_certificate_by_serial_number(leaf.serial_number)
    if entry is not None:
        return _f(
            check,
            Status.FAIL,
            _("The CRL at {url} lists the certificate (serial {serial}) as revoked on {date}.").format(
                url=fetched.url,
                serial=format(leaf.serial_number, "X"),
                date=entry.revocation_date_utc.date().isoformat(),
            ),
            "revoked",
            cert_revoked=True,
        )
    if crl.next_update_utc is not None and crl.next_update_utc < now:
        return _unavailable(
            check,
            _("The CRL at {url} expired on {date} (nextUpdate): clients treat the status as unknown.").format(
                url=fetched.url, date=crl.next_update_utc.isoformat(timespec="minutes")
            ),
        )
    return _f(
        check,
        Status.PASS,
        _("The CRL at {url} (signed by {issuer}) does not list the certificate.").format(
            url=fetched.url, issuer=name_of(issuer)
        ),
        "revoked",
        cert_revoked=False,
    )
