"""Provides the judgement of the served leaf certificate: dates, names, key, usages, issuer.

Pure: a certificate, the host, `now` and the negotiated key exchange in; findings out.
"""

from __future__ import annotations

from datetime import datetime

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from assistant.certinfo import extension, key_desc, key_usage, self_signed, weak_key
from assistant.i18n import _
from assistant.model import Finding, Status
from assistant.probes.certs import (
    _LIFETIME_LIMIT_DAYS,
    _LIFETIME_LIMIT_FROM,
    INTERCEPTION_MARKERS,
    _f,
    _host_matches,
    issuer_name,
    name_of,
)

_EXPIRY_WARNING_DAYS = 14


def judge_leaf(
    leaf: x509.Certificate, host: str, now: datetime, kex: str | None, suite: str | None, rsa_kex_accepted: bool | None
) -> list[Finding]:
    """leaf.*: validity, lifetime, host name, SAN, self-signed, keyUsage vs key exchange, EKU, key size."""
    out: list[Finding] = []
    name = name_of(leaf)
    not_before, not_after = leaf.not_valid_before_utc, leaf.not_valid_after_utc
    days_left = (not_after - now).days
    if not_after < now:
        out.append(
            _f(
                "leaf.validity",
                Status.FAIL,
                _("The certificate {name} expired on {date} (notAfter), {days} days ago.").format(
                    name=name, date=not_after.isoformat(timespec="minutes"), days=-days_left
                ),
                "cert-expired",
                cert_expired=True,
                cert_not_yet_valid=False,
            )
        )
    elif not_before > now:
        out.append(
            _f(
                "leaf.validity",
                Status.FAIL,
                _(
                    "The certificate {name} is not valid before {date} (notBefore), which is still in the future."
                ).format(name=name, date=not_before.isoformat(timespec="minutes")),
                "cert-not-yet-valid",
                cert_expired=False,
                cert_not_yet_valid=True,
            )
        )
    elif days_left < _EXPIRY_WARNING_DAYS:
        out.append(
            _f(
                "leaf.validity",
                Status.WARN,
                _("The certificate {name} expires on {date}, in {days} days.").format(
                    name=name, date=not_after.date().isoformat(), days=days_left
                ),
                "cert-expired",
                cert_expired=False,
                cert_not_yet_valid=False,
            )
        )
    else:
        out.append(
            _f(
                "leaf.validity",
                Status.PASS,
                _("The certificate {name} is valid from {start} to {end} ({days} days left).").format(
                    name=name, start=not_before.date().isoformat(), end=not_after.date().isoformat(), days=days_left
                ),
                "cert-expired",
                cert_expired=False,
                cert_not_yet_valid=False,
            )
        )

    lifetime = (not_after - not_before).days
    if lifetime > _LIFETIME_LIMIT_DAYS and not self_signed(leaf):
        status = Status.FAIL if not_before >= _LIFETIME_LIMIT_FROM else Status.WARN
        out.append(
            _f(
                "leaf.lifetime",
                status,
                _(
                    "The certificate is valid for {days} days ({start} to {end}); Apple and browsers reject server certificates issued since 2020-09-01 that last more than 398 days."
                ).format(days=lifetime, start=not_before.date().isoformat(), end=not_after.date().isoformat()),
                "validity-too-long",
            )
        )
    else:
        out.append(
            _f(
                "leaf.lifetime",
                Status.PASS,
                _("The certificate's lifetime is {days} days.").format(days=lifetime),
                "validity-too-long",
            )
        )

    san = extension(leaf, x509.SubjectAlternativeName)
    dns = san.get_values_for_type(x509.DNSName) if san else []
    ips = [str(ip) for ip in san.get_values_for_type(x509.IPAddress)] if san else []
    cns = [str(a.value) for a in leaf.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
    if san is None:
        out.append(
            _f(
                "leaf.san",
                Status.FAIL,
                _(
                    "The certificate has no subjectAltName extension; the name is only in the subject CN ({cn}), which browsers ignore."
                ).format(cn=", ".join(cns) or "-"),
                "missing-san",
                cert_has_san=False,
            )
        )
    else:
        out.append(
            _f(
                "leaf.san",
                Status.PASS,
                _("The certificate has a subjectAltName with {names}.").format(names=", ".join(dns + ips)),
                "missing-san",
                cert_has_san=True,
            )
        )
    if _host_matches(host, dns, ips):
        out.append(
            _f(
                "leaf.hostname",
                Status.PASS,
                _("{host} is covered by the subjectAltName ({names}).").format(host=host, names=", ".join(dns + ips)),
                "hostname-mismatch",
                hostname_matches=True,
            )
        )
    elif san is None and _host_matches(host, cns, cns):
        out.append(
            _f(
                "leaf.hostname",
                Status.FAIL,
                _(
                    "{host} appears only in the subject CN; with no subjectAltName, browsers treat the name as not covered."
                ).format(host=host),
                "missing-san",
                hostname_matches=False,
            )
        )
    else:
        listed = ", ".join(dns + ips) if san else _("CN {cn} only").format(cn=", ".join(cns) or "-")
        out.append(
            _f(
                "leaf.hostname",
                Status.FAIL,
                _("{host} is not among the certificate's names ({names}).").format(host=host, names=listed),
                "hostname-mismatch",
                hostname_matches=False,
            )
        )

    if self_signed(leaf):
        out.append(
            _f(
                "leaf.self_signed",
                Status.FAIL,
                _("The certificate {name} is self-signed: its issuer is itself.").format(name=name),
                "self-signed",
                cert_self_signed=True,
            )
        )
    else:
        out.append(
            _f(
                "leaf.self_signed",
                Status.PASS,
                _("The certificate {name} is issued by {issuer}.").format(name=name, issuer=issuer_name(leaf)),
                "self-signed",
                cert_self_signed=False,
            )
        )

    out.append(_key_usage(leaf, kex, suite, rsa_kex_accepted))

    eku = extension(leaf, x509.ExtendedKeyUsage)
    if (
        eku is not None
        and ExtendedKeyUsageOID.SERVER_AUTH not in eku
        and ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE not in eku
    ):
        shown = ", ".join(getattr(oid, "_name", oid.dotted_string) for oid in eku)
        out.append(
            _f(
                "leaf.eku",
                Status.FAIL,
                _("The certificate's extendedKeyUsage is {usages}, without serverAuth (1.3.6.1.5.5.7.3.1).").format(
                    usages=shown
                ),
                "eku-missing-server-auth",
                cert_eku_server_auth=False,
            )
        )
    else:
        out.append(
            _f(
                "leaf.eku",
                Status.PASS,
                _("The certificate may be used for server authentication (extendedKeyUsage serverAuth or none)."),
                "eku-missing-server-auth",
                cert_eku_server_auth=True,
            )
        )

    kind, bits = key_desc(leaf)
    if weak_key(leaf):
        out.append(
            _f(
                "leaf.key_size",
                Status.FAIL,
                _("The certificate's key is {kind} {bits} bits; clients require at least RSA 2048 or EC 256.").format(
                    kind=kind, bits=bits
                ),
                "weak-key",
            )
        )
    else:
        out.append(
            _f(
                "leaf.key_size",
                Status.PASS,
                _("The certificate's key is {kind} {bits} bits.").format(kind=kind, bits=bits),
                "weak-key",
            )
        )

    issuer_text = leaf.issuer.rfc4514_string().lower()
    marker = next((m for m in INTERCEPTION_MARKERS if m in issuer_text), None)
    if marker:
        out.append(
            _f(
                "trust.interception",
                Status.FAIL,
                _(
                    'The certificate is issued by "{issuer}", the CA of a TLS inspection product: something between you and the server re-signs the traffic.'
                ).format(issuer=leaf.issuer.rfc4514_string()),
                "tls-interception",
                interception_issuer=True,
            )
        )
    else:
        out.append(
            _f(
                "trust.interception",
                Status.PASS,
                _('The issuer "{issuer}" is not a known inspection or proxy CA.').format(issuer=issuer_name(leaf)),
                "tls-interception",
                interception_issuer=False,
            )
        )
    return out


def _key_usage(leaf: x509.Certificate, kex: str | None, suite: str | None, rsa_kex_accepted: bool | None) -> Finding:
    """key-usage-incompatible is claimed only on proof: the suite's key exchange needs a bit the
    certificate's keyUsage does not grant."""
    usage = key_usage(leaf)
    shown = ", ".join(usage) if usage else "-"
    kind, _bits = key_desc(leaf)
    if usage is None:
        return _f(
            "leaf.key_usage",
            Status.PASS,
            _("The certificate has no keyUsage extension, so any key exchange is allowed."),
            "key-usage-incompatible",
        )
    if kex == "rsa" and "keyEncipherment" not in usage:
        return _f(
            "leaf.key_usage",
            Status.FAIL,
            _(
                "The certificate's keyUsage is {usage} only, and the server chose {suite}, which needs keyEncipherment."
            ).format(usage=shown, suite=suite),
            "key-usage-incompatible",
        )
    if kex in ("ecdhe", "dhe", "tls13") and "digitalSignature" not in usage:
        return _f(
            "leaf.key_usage",
            Status.FAIL,
            _(
                "The certificate's keyUsage is {usage} only, and the server chose {suite}, which needs digitalSignature."
            ).format(usage=shown, suite=suite),
            "key-usage-incompatible",
        )
    if rsa_kex_accepted and kind == "RSA" and "keyEncipherment" not in usage:
        return _f(
            "leaf.key_usage",
            Status.WARN,
            _(
                "The certificate's keyUsage is {usage} only, and the server also accepts RSA key exchange suites, which need keyEncipherment: clients that offer only those will fail."
            ).format(usage=shown),
            "key-usage-incompatible",
        )
    if kex is None:
        return _f(
            "leaf.key_usage",
            Status.INFO,
            _("The certificate's keyUsage is {usage}; no handshake completed to compare it with.").format(usage=shown),
            None,
        )
    return _f(
        "leaf.key_usage",
        Status.PASS,
        _("The certificate's keyUsage ({usage}) allows the chosen suite {suite}.").format(usage=shown, suite=suite),
        "key-usage-incompatible",
    )
