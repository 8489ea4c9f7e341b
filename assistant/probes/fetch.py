"""Provides the fetches beyond the target that `--allow-fetch` permits: a missing issuer from its AIA
caIssuers address, a live OCSP answer, a CRL. Capture only: bytes or the reason there are none.

http:// only (these addresses are plain HTTP by design: the objects are signed). Every fetch has the
caller's timeout per network step and an overall deadline of twice that, a size cap, and returns
promptly when `cancel` is set (the worker thread ends by itself at its next read or timeout).
"""

from __future__ import annotations

import ipaddress
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp

from assistant.certinfo import certificates_from_bytes, extension
from assistant.probes.certs import aia_ca_issuers, shape

CERT_LIMIT = 64 * 1024
OCSP_LIMIT = 64 * 1024
CRL_LIMIT = 16 * 1024 * 1024  # real CRLs run to megabytes
MAX_ISSUER_FETCHES = 3
_CHUNK = 16 * 1024


@dataclass(frozen=True, slots=True)
class Fetched:
    """One fetch: what was asked, and either the body or why there is none."""

    url: str
    body: bytes | None = None
    error: str | None = None
    """timeout, cancelled, too_large, not_http, or the HTTP/OS error text."""


@dataclass(frozen=True, slots=True)
class IssuerFetch:
    fetched: Fetched
    certs: tuple[bytes, ...] = ()
    """Certificates the body held (DER), empty when it was no certificate."""


class _NoUnsafeRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001, ANN201
        if urllib.parse.urlsplit(newurl).scheme != "http":
            return None  # a redirect may not turn the fetch into file:, ftp: or https:
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host == "localhost"


def _opener(url: str) -> urllib.request.OpenerDirector:
    # Environment proxies are honoured (corporate networks need them), except for loopback.
    host = urllib.parse.urlsplit(url).hostname or ""
    proxies = urllib.request.ProxyHandler({} if _loopback(host) else None)
    return urllib.request.build_opener(proxies, _NoUnsafeRedirect())


def _get(url: str, timeout: float, limit: int, cancel: threading.Event, data: bytes | None, kind: str) -> Fetched:
    if urllib.parse.urlsplit(url).scheme != "http":
        return Fetched(url, error="not_http")
    request = urllib.request.Request(url, data=data, headers={"User-Agent": "ssl-assistant"})
    if data is not None:
        request.add_header("Content-Type", kind)
    deadline = time.monotonic() + 2 * timeout
    try:
        with _opener(url).open(request, timeout=timeout) as response:
            body = bytearray()
            while len(body) <= limit:
                if cancel.is_set():
                    return Fetched(url, error="cancelled")
                if time.monotonic() > deadline:
                    return Fetched(url, error="timeout")
                block = response.read(_CHUNK)
                if not block:
                    return Fetched(url, bytes(body))
                body += block
            return Fetched(url, error="too_large")
    except urllib.error.HTTPError as error:
        return Fetched(url, error=f"HTTP {error.code} {error.reason}")
    except urllib.error.URLError as error:
        reason = error.reason
        return Fetched(url, error="timeout" if isinstance(reason, TimeoutError) else str(reason))
    except TimeoutError:
        return Fetched(url, error="timeout")
    except (OSError, ValueError) as error:
        return Fetched(url, error=str(error) or type(error).__name__)


def fetch(
    url: str,
    timeout: float,
    cancel: threading.Event,
    limit: int = CERT_LIMIT,
    data: bytes | None = None,
    kind: str = "",
) -> Fetched:
    """GET (or POST `data`) `url` in a worker thread; give up at the deadline or on cancel."""
    pool = ThreadPoolExecutor(1)
    try:
        future = pool.submit(_get, url, timeout, limit, cancel, data, kind)
        deadline = time.monotonic() + 2 * timeout + 0.5
        while not future.done():
            if cancel.wait(0.02):
                return Fetched(url, error="cancelled")
            if time.monotonic() > deadline:
                return Fetched(url, error="timeout")
        return future.result()
    finally:
        pool.shutdown(wait=False)


def missing_issuers(
    chain: tuple[bytes, ...], roots: list[x509.Certificate], timeout: float, cancel: threading.Event
) -> list[IssuerFetch]:
    """Follow AIA caIssuers upward from where the served path stops, until it reaches a trusted
    root, a certificate without the address, or MAX_ISSUER_FETCHES."""
    certs = [x509.load_der_x509_certificate(der) for der in chain]
    out: list[IssuerFetch] = []
    while len(out) < MAX_ISSUER_FETCHES and not cancel.is_set():
        found = shape(certs, roots)
        top = certs[found.path[-1]]
        urls = aia_ca_issuers(top)
        if found.anchor is not None or found.missing_issuer is None or not urls:
            break
        got = fetch(urls[0], timeout, cancel)
        loaded = certificates_from_bytes(got.body) if got.body is not None else []
        out.append(IssuerFetch(got, tuple(c.public_bytes(serialization.Encoding.DER) for c in loaded)))
        if not loaded or all(c in certs for c in loaded):
            break
        certs += [c for c in loaded if c not in certs]
    return out


def ocsp_query(
    leaf: x509.Certificate, issuer: x509.Certificate, timeout: float, cancel: threading.Event
) -> Fetched | None:
    """POST an OCSP request for `leaf` to its AIA OCSP address; None when the leaf names none."""
    urls = ocsp_urls(leaf)
    if not urls:
        return None
    request = ocsp.OCSPRequestBuilder().add_certificate(leaf, issuer, hashes.SHA1()).build()
    body = request.public_bytes(serialization.Encoding.DER)
    return fetch(urls[0], timeout, cancel, OCSP_LIMIT, body, "application/ocsp-request")


def crl_fetch(leaf: x509.Certificate, timeout: float, cancel: threading.Event) -> Fetched | None:
    """GET the leaf's first http:// CRL distribution point; None when it names none."""
    urls = crl_urls(leaf)
    return fetch(urls[0], timeout, cancel, CRL_LIMIT) if urls else None


def ocsp_urls(cert: x509.Certificate) -> list[str]:
    access = extension(cert, x509.AuthorityInformationAccess) or []
    return [
        d.access_location.value
        for d in access  # type: ignore[attr-defined]
        if d.access_method == x509.oid.AuthorityInformationAccessOID.OCSP
        and isinstance(d.access_location, x509.UniformResourceIdentifier)
    ]


def crl_urls(cert: x509.Certificate) -> list[str]:
    points = extension(cert, x509.CRLDistributionPoints) or []
    urls = [
        name.value
        for point in points  # type: ignore[attr-defined]
        for name in point.full_name or ()
        if isinstance(name, x509.UniformResourceIdentifier)
    ]
    return sorted(urls, key=lambda u: not u.lower().startswith("http://"))  # ldap:// last
