"""Provides the judgement of captured handshakes: reachability, versions, suites, ALPN, SNI, HTTP.

Pure: `Handshake` values in (keyed by offer name), findings out. No socket, no clock.
"""

from __future__ import annotations

import re
import ssl

from assistant.i18n import _
from assistant.model import Finding, Status
from assistant.probes.certs import _f, load_chain, name_of
from assistant.probes.tls import Handshake

_KEX = {"kx-rsa": "rsa", "kx-ecdhe": "ecdhe", "kx-dhe": "dhe", "kx-any": "tls13"}
_WEAK_DH_BITS = 2048
# ATS (Apple, NSAppTransportSecurity): TLS 1.2+, and one of these forward-secret suites.
_ATS_SUITES = {
    "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-AES256-SHA384",
    "ECDHE-ECDSA-AES256-SHA",
    "ECDHE-ECDSA-AES128-SHA256",
    "ECDHE-ECDSA-AES128-SHA",
    "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES256-SHA384",
    "ECDHE-RSA-AES128-SHA256",
    "ECDHE-RSA-AES256-SHA",
    "ECDHE-RSA-AES128-SHA",
    "ECDHE-ECDSA-CHACHA20-POLY1305",
    "ECDHE-RSA-CHACHA20-POLY1305",
}
_VERSION_NAMES = {"v10": "TLS 1.0", "v11": "TLS 1.1", "v12": "TLS 1.2", "v13": "TLS 1.3"}
_VERSION_CHECKS = {"v10": "proto.tls1_0", "v11": "proto.tls1_1", "v12": "proto.tls1_2", "v13": "proto.tls1_3"}
_VERSION_FACTS = {"v10": "tls10_accepted", "v11": "tls11_accepted", "v12": "tls12_accepted", "v13": "tls13_accepted"}
_MIXED = re.compile(
    rb"""<(?:script|img|iframe|link|audio|video|source|embed|object|form)\b[^>]*?\s(?:src|href|action|data)\s*=\s*["']?(http://[^"'\s>]+)""",
    re.I,
)


def kex_of(hs: Handshake) -> str | None:
    return _KEX.get(hs.cipher_info.get("kea") or "") if hs.ok else None


def iana_name(hs: Handshake) -> str | None:
    """The IANA name of the chosen suite (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256), from ssl's description."""
    name, info = hs.cipher, hs.cipher_info
    if not name or name.startswith("TLS_"):
        return name
    kex = {"kx-rsa": "RSA", "kx-ecdhe": "ECDHE", "kx-dhe": "DHE"}.get(info.get("kea") or "", "RSA")
    auth = {"auth-rsa": "RSA", "auth-ecdsa": "ECDSA", "auth-null": "anon"}.get(info.get("auth") or "", "RSA")
    cipher = (info.get("symmetric") or "null").upper().replace("-", "_").replace("DES_EDE3_CBC", "3DES_EDE_CBC")
    mac = name.rsplit("-", 1)[-1]
    mac = "SHA256" if mac == "POLY1305" else mac
    head = f"TLS_{kex}" if kex == "RSA" else f"TLS_{kex}_{auth}"
    return f"{head}_WITH_{cipher}_{mac}"


def blocklisted_for_h2(hs: Handshake) -> bool:
    """RFC 7540 Appendix A, in short: every TLS 1.2 suite that is not ephemeral-key AEAD."""
    if hs.version == "TLSv1.3":
        return False
    return not (hs.cipher_info.get("aead") and kex_of(hs) in ("ecdhe", "dhe"))


def reachability(main: Handshake, plain_reply: bytes | None, port: int) -> list[Finding]:
    """reach.handshake: how the browser-like ClientHello was answered."""
    if main.ok:
        return [
            _f(
                "reach.handshake",
                Status.PASS,
                _("The server answered the ClientHello and completed a {version} handshake.").format(
                    version=main.version
                ),
                "handshake-reset",
                handshake_failure="none",
            )
        ]
    if main.failure == "reset":
        return [
            _f(
                "reach.handshake",
                Status.FAIL,
                _(
                    "The TCP connection to port {port} opened, but the server reset it right after the ClientHello, without a TLS alert."
                ).format(port=port),
                "handshake-reset",
                handshake_failure="reset",
            )
        ]
    if main.failure == "closed":
        return [
            _f(
                "reach.handshake",
                Status.FAIL,
                _(
                    "The TCP connection to port {port} opened, but the server closed it after the ClientHello without a TLS alert ({detail})."
                ).format(port=port, detail=main.detail),
                "handshake-reset",
                handshake_failure="closed",
            )
        ]
    if main.failure == "timeout":
        return [
            _f(
                "reach.handshake",
                Status.FAIL,
                _(
                    "The TCP connection to port {port} opened, but the server never answered the ClientHello within the time limit."
                ).format(port=port),
                "handshake-timeout",
                handshake_failure="timeout",
            )
        ]
    if main.failure == "plain_http":
        if plain_reply and plain_reply.startswith(b"HTTP/"):
            line = plain_reply.split(b"\r\n", 1)[0].decode("latin-1")
            return [
                _f(
                    "reach.handshake",
                    Status.FAIL,
                    _('Port {port} speaks plain HTTP, not TLS: it answered "{line}".').format(port=port, line=line),
                    "plain-http-on-tls-port",
                    handshake_failure="plain_http",
                )
            ]
        return [
            _f(
                "reach.handshake",
                Status.FAIL,
                _("Port {port} answered the ClientHello with something that is not TLS ({detail}).").format(
                    port=port, detail=main.detail
                ),
                "plain-http-on-tls-port",
                handshake_failure="plain_http",
            )
        ]
    return [
        _f(
            "reach.handshake",
            Status.INFO,
            _("The server answered the ClientHello with a TLS alert: {detail}.").format(detail=main.detail),
            None,
            handshake_failure="alert",
        )
    ]


def protocols(hs: dict[str, Handshake]) -> list[Finding]:
    out: list[Finding] = []
    if not ssl.HAS_SSLv3:
        out.append(
            _f(
                "proto.ssl3",
                Status.INFO,
                _("SSL 3.0 was not tested: this machine's OpenSSL ({version}) is built without it.").format(
                    version=ssl.OPENSSL_VERSION
                ),
            )
        )
    for offer, check in _VERSION_CHECKS.items():
        if offer not in hs:
            continue
        result, name = hs[offer], _VERSION_NAMES[offer]
        fact = {_VERSION_FACTS[offer]: result.ok}
        if offer in ("v10", "v11"):
            if result.ok:
                out.append(
                    _f(
                        check,
                        Status.WARN,
                        _("The server accepts {version} (chose {suite}); browsers no longer do.").format(
                            version=name, suite=iana_name(result)
                        ),
                        "obsolete-crypto",
                        **fact,
                    )
                )
            else:
                out.append(
                    _f(
                        check,
                        Status.PASS,
                        _("The server refuses {version}.").format(version=name),
                        "obsolete-crypto",
                        **fact,
                    )
                )
        elif result.ok:
            out.append(
                _f(
                    check,
                    Status.PASS,
                    _("The server accepts {version} (chose {suite}).").format(version=name, suite=iana_name(result)),
                    "protocol-mismatch",
                    **fact,
                )
            )
        else:
            out.append(
                _f(
                    check,
                    Status.INFO,
                    _("The server refuses {version} ({detail}).").format(version=name, detail=result.detail),
                    None,
                    **fact,
                )
            )
    return out


def modern_client(main: Handshake, legacy: Handshake | None, v13: Handshake | None) -> list[Finding]:
    """proto.modern_client and cipher.key_type_match: can a browser connect, and if not, why."""
    if main.ok:
        return [
            _f(
                "proto.modern_client",
                Status.PASS,
                _("A browser-like client (TLS 1.2+, Chrome's suites) connects: {version}, {suite}.").format(
                    version=main.version, suite=iana_name(main)
                ),
                "protocol-mismatch",
                modern_client_ok=True,
            ),
            _f(
                "cipher.key_type_match",
                Status.PASS,
                _("The server has a suite for its certificate's key type."),
                "cipher-mismatch",
            ),
        ]
    if main.failure not in ("alert", "closed", "reset"):
        return []
    if legacy is not None and legacy.ok:
        if legacy.version in ("TLSv1", "TLSv1.1"):
            return [
                _f(
                    "proto.modern_client",
                    Status.FAIL,
                    _(
                        "A browser-like client offering TLS 1.2 and 1.3 is refused ({detail}); the server only speaks {version}."
                    ).format(detail=main.detail, version=legacy.version),
                    "protocol-mismatch",
                    modern_client_ok=False,
                )
            ]
        return [
            _f(
                "proto.modern_client",
                Status.FAIL,
                _(
                    "A browser-like client is refused ({detail}), but a client offering every suite gets {suite}: the server shares no modern suite with browsers."
                ).format(detail=main.detail, suite=iana_name(legacy)),
                "cipher-mismatch",
                modern_client_ok=False,
            )
        ]
    tls13 = v13 is not None and v13.ok
    key = ""
    if legacy is not None and (v13 and v13.chain):
        from assistant.certinfo import key_desc

        kind, bits = key_desc(load_chain(v13.chain)[0])
        key = _(" The certificate has an {kind} {bits}-bit key.").format(kind=kind, bits=bits)
    text = (
        _(
            "The server refused every TLS 1.2-and-older suite this client knows ({detail}): its suite list does not fit its certificate's key type, for example ECDSA-only suites with an RSA certificate."
        ).format(detail=(legacy or main).detail)
        + key
    )
    return [
        _f(
            "proto.modern_client",
            Status.FAIL,
            _("A browser-like client is refused: {detail}.").format(detail=main.detail),
            "cipher-mismatch",
            modern_client_ok=False,
        ),
        _f("cipher.key_type_match", Status.WARN if tls13 else Status.FAIL, text, "cipher-mismatch"),
    ]


def ciphers(hs: dict[str, Handshake], chain_ok: bool, leaf_sig: str | None, leaf_weak: bool) -> list[Finding]:
    main = hs["main"]
    out: list[Finding] = _dh_size(hs.get("dhe"))
    if not main.ok:
        return out
    kex, suite = kex_of(main), iana_name(main)
    out.append(
        _f(
            "cipher.server_choice",
            Status.INFO,
            _("For a browser-like offer the server chose {version} with {suite}.").format(
                version=main.version, suite=suite
            ),
            None,
            negotiated_version=main.version,
            negotiated_cipher=suite,
            negotiated_kex=kex,
        )
    )
    fs = hs.get("fs")
    if kex in ("ecdhe", "dhe", "tls13"):
        out.append(
            _f(
                "cipher.forward_secrecy",
                Status.PASS,
                _("The server chose forward-secret key exchange ({suite}).").format(suite=suite),
                "no-forward-secrecy",
                forward_secrecy=True,
            )
        )
    elif fs is not None and not fs.ok:
        out.append(
            _f(
                "cipher.forward_secrecy",
                Status.FAIL,
                _(
                    "The server chose {suite} (static RSA key exchange) and refuses every ECDHE and DHE suite: no forward secrecy."
                ).format(suite=suite),
                "no-forward-secrecy",
                forward_secrecy=False,
            )
        )
    elif fs is not None:
        out.append(
            _f(
                "cipher.forward_secrecy",
                Status.WARN,
                _("The server prefers {suite} (static RSA key exchange) although it accepts {other}.").format(
                    suite=suite, other=iana_name(fs)
                ),
                "no-forward-secrecy",
                forward_secrecy=True,
            )
        )
    if "rsa" in hs:
        out_rsa = hs["rsa"]
        out.append(
            _f(
                "cipher.rsa_kex",
                Status.WARN if out_rsa.ok else Status.PASS,
                _("The server accepts static RSA key exchange ({suite}).").format(suite=iana_name(out_rsa))
                if out_rsa.ok
                else _("The server refuses static RSA key exchange suites."),
                "no-forward-secrecy" if out_rsa.ok else None,
                rsa_kex_accepted=out_rsa.ok,
            )
        )
    weak = [hs[o] for o in ("null", "3des", "rc4", "export") if o in hs]
    if weak:
        accepted = [h for h in weak if h.ok]
        untested = [h.offer for h in weak if h.failure == "unsupported"]
        note = (
            _(" Not testable with this machine's OpenSSL: {names}.").format(names=", ".join(untested))
            if untested
            else ""
        )
        if accepted:
            out.append(
                _f(
                    "cipher.weak",
                    Status.FAIL,
                    _("The server accepts obsolete suites: {suites}.").format(
                        suites=", ".join(iana_name(h) or "?" for h in accepted)
                    )
                    + note,
                    "obsolete-crypto",
                    weak_ciphers_accepted=True,
                )
            )
        else:
            out.append(
                _f(
                    "cipher.weak",
                    Status.PASS,
                    _("The server refuses NULL, 3DES, RC4 and export suites that were offered.") + note,
                    "obsolete-crypto",
                    weak_ciphers_accepted=False,
                )
            )
    aead = hs.get("aead")
    if main.cipher_info.get("aead"):
        out.append(
            _f(
                "cipher.cbc_only",
                Status.PASS,
                _("The server chose an AEAD suite ({suite}).").format(suite=suite),
                "obsolete-crypto",
            )
        )
    elif aead is not None and not aead.ok and not (hs.get("v13") and hs["v13"].ok):
        out.append(
            _f(
                "cipher.cbc_only",
                Status.WARN,
                _("The server chose {suite} and refuses every AEAD (GCM, ChaCha20) suite: CBC only.").format(
                    suite=suite
                ),
                "obsolete-crypto",
            )
        )
    elif aead is not None:
        out.append(
            _f(
                "cipher.cbc_only",
                Status.WARN,
                _("The server accepts AEAD suites but chose the CBC suite {suite} for a browser.").format(suite=suite),
                "obsolete-crypto",
            )
        )
    problems = []
    if main.version not in ("TLSv1.2", "TLSv1.3"):
        problems.append(_("protocol {version}").format(version=main.version))
    if main.version == "TLSv1.2" and main.cipher not in _ATS_SUITES:
        problems.append(_("suite {suite} is not on ATS's forward-secret list").format(suite=suite))
    if leaf_sig and any(h in leaf_sig.lower() for h in ("sha1", "md5")):
        problems.append(_("signature {algorithm}").format(algorithm=leaf_sig))
    if leaf_weak:
        problems.append(_("key below RSA 2048 / ECC 256"))
    if problems:
        diagnosis = "no-forward-secrecy" if kex == "rsa" else ("weak-key" if leaf_weak else "cipher-mismatch")
        out.append(
            _f(
                "cipher.ats",
                Status.FAIL,
                _("Apple ATS would refuse this server: {problems}.").format(problems="; ".join(problems)),
                diagnosis,
                ats_compliant=False,
            )
        )
    else:
        out.append(
            _f(
                "cipher.ats",
                Status.PASS,
                _("The server meets Apple ATS: {version}, {suite}.").format(version=main.version, suite=suite),
                "no-forward-secrecy",
                ats_compliant=True,
            )
        )
    if main.alpn:
        bad = main.alpn == "h2" and blocklisted_for_h2(main)
        out.append(
            _f(
                "alpn.h2_blocklist",
                Status.FAIL if bad else Status.PASS,
                _(
                    "The server chose HTTP/2 (ALPN h2) with {suite}, which is on the RFC 7540 block list: browsers fail with INADEQUATE_SECURITY."
                ).format(suite=suite)
                if bad
                else _("ALPN chose {protocol} with {suite}.").format(protocol=main.alpn, suite=suite),
                "http2-inadequate-security",
                alpn_protocol=main.alpn,
                h2_blocklisted_cipher=bad,
            )
        )
    return out


def client_cert(main: Handshake) -> Finding:
    if main.cert_requested:
        return _f(
            "handshake.client_cert",
            Status.FAIL,
            _("The server sent a CertificateRequest: it asks the client for a certificate during the handshake."),
            "client-cert-required",
            client_cert_requested=True,
        )
    if main.ok:
        return _f(
            "handshake.client_cert",
            Status.PASS,
            _("The server did not ask for a client certificate."),
            "client-cert-required",
            client_cert_requested=False,
        )
    return _f(
        "handshake.client_cert", Status.INFO, _("No handshake completed, and no CertificateRequest was seen."), None
    )


def sni(main: Handshake, nosni: Handshake, server_name: str) -> Finding:
    if not (main.ok and nosni.ok and main.chain and nosni.chain):
        return _f(
            "sni.default_cert",
            Status.INFO,
            _("Without SNI the server did not complete a handshake ({detail}).").format(detail=nosni.detail or "-"),
            None,
        )
    if main.chain[0] == nosni.chain[0]:
        return _f(
            "sni.default_cert",
            Status.PASS,
            _("The server sends the same certificate with and without SNI."),
            "sni-default-cert",
            sni_default_cert=False,
        )
    with_sni, without = load_chain(main.chain[:1])[0], load_chain(nosni.chain[:1])[0]
    return _f(
        "sni.default_cert",
        Status.FAIL,
        _(
            "Without SNI the server sends a different certificate, {other}, instead of {cert} for {name}: clients that send no SNI get its default certificate."
        ).format(other=name_of(without), cert=name_of(with_sni), name=server_name),
        "sni-default-cert",
        sni_default_cert=True,
    )


def http(reply: Handshake) -> list[Finding]:
    if not reply.ok or not reply.http:
        return [_f("http.hsts", Status.INFO, _("No HTTP response was received over TLS."), None)]
    head, _sep, body = reply.http.partition(b"\r\n\r\n")
    headers = {
        line.split(b":", 1)[0].strip().lower(): line.split(b":", 1)[1].strip()
        for line in head.split(b"\r\n")[1:]
        if b":" in line
    }
    out: list[Finding] = []
    hsts = headers.get(b"strict-transport-security")
    if hsts:
        out.append(
            _f(
                "http.hsts",
                Status.INFO,
                _(
                    "The response carries Strict-Transport-Security: {value}; browsers will not let users bypass certificate errors on this site."
                ).format(value=hsts.decode("latin-1")),
                "hsts-blocked",
                hsts=True,
            )
        )
    else:
        out.append(
            _f("http.hsts", Status.INFO, _("The response has no Strict-Transport-Security header."), None, hsts=False)
        )
    links = [m.decode("latin-1") for m in _MIXED.findall(body)]
    if links:
        out.append(
            _f(
                "http.mixed_content",
                Status.FAIL,
                ngettext_links(len(links), links),
                "mixed-content",
                mixed_content=True,
            )
        )
    else:
        out.append(
            _f(
                "http.mixed_content",
                Status.PASS,
                _("The page at / loads no sub-resources over http://."),
                "mixed-content",
                mixed_content=False,
            )
        )
    return out


def ngettext_links(count: int, links: list[str]) -> str:
    from assistant.i18n import ngettext

    return ngettext(
        "The page at / loads {count} sub-resource over plain http://: {links}.",
        "The page at / loads {count} sub-resources over plain http://: {links}.",
        count,
    ).format(count=count, links=", ".join(links[:3]))


def _dh_size(dhe: Handshake | None) -> list[Finding]:
    out: list[Finding] = []
    if dhe is None:
        return out
    if not dhe.ok:
        out.append(
            _f(
                "cipher.dh_size",
                Status.PASS,
                _("The server does not accept DHE suites, so no DH group is used."),
                "weak-dh",
            )
        )
    elif dhe.dh_bits and dhe.dh_bits < _WEAK_DH_BITS:
        out.append(
            _f(
                "cipher.dh_size",
                Status.FAIL,
                _(
                    "With {suite} the server sent a {bits}-bit DH group in its ServerKeyExchange; at least 2048 bits are required."
                ).format(suite=iana_name(dhe), bits=dhe.dh_bits),
                "weak-dh",
                dh_bits=dhe.dh_bits,
            )
        )
    else:
        out.append(
            _f(
                "cipher.dh_size",
                Status.PASS,
                _("With {suite} the server sent a {bits}-bit DH group.").format(
                    suite=iana_name(dhe), bits=dhe.dh_bits or "?"
                ),
                "weak-dh",
                dh_bits=dhe.dh_bits or 0,
            )
        )
    return out
