"""Provides one TLS handshake with a chosen client offer, captured into plain values.

Capture only: what the server did (version, suite, chain, ALPN, messages seen, HTTP reply). Judging
it is done elsewhere, offline. Every step has the caller's timeout; sockets are registered with a
`Sockets` set so that a cancel can close them from another thread.
"""

from __future__ import annotations

import socket
import ssl
import threading
import warnings
from dataclasses import dataclass, field

# Chrome's TLS 1.2 suites, in its order (it still offers static RSA and CBC suites, which is why a
# server can pick RSA key exchange for a browser).
BROWSER_CIPHERS = (
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA:AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA:AES256-SHA"
)
_VERSIONS = {
    "TLSv1": ssl.TLSVersion.TLSv1,
    "TLSv1.1": ssl.TLSVersion.TLSv1_1,
    "TLSv1.2": ssl.TLSVersion.TLSv1_2,
    "TLSv1.3": ssl.TLSVersion.TLSv1_3,
}
_SERVER_KEY_EXCHANGE = 12
_CERTIFICATE_REQUEST = 13
_MAX_HTTP = 256 * 1024
# OpenSSL reasons meaning "the bytes that came back are not TLS at all".
_NOT_TLS = (
    "WRONG_VERSION_NUMBER",
    "HTTP_REQUEST",
    "PACKET_LENGTH_TOO_LONG",
    "RECORD_LAYER_FAILURE",
    "UNKNOWN_PROTOCOL",
)


@dataclass(frozen=True, slots=True)
class Offer:
    """What the client offers in one handshake."""

    name: str
    min_version: str = "TLSv1.2"
    max_version: str = "TLSv1.3"
    ciphers: str = BROWSER_CIPHERS
    """OpenSSL cipher string for TLS 1.2 and below; `@SECLEVEL=0` is added so weak servers still show
    what they serve."""
    send_sni: bool = True
    alpn: tuple[str, ...] = ()
    http: bool = False
    """Send `GET /` after the handshake and keep the reply."""


@dataclass(frozen=True, slots=True)
class Handshake:
    """What the server did with one offer."""

    offer: str
    ok: bool
    failure: str = "none"
    """none, reset, timeout, plain_http, alert, closed, refused, unsupported (this client cannot
    offer it), cancelled."""
    detail: str = ""
    version: str | None = None
    cipher: str | None = None
    """OpenSSL name of the chosen suite."""
    cipher_info: dict = field(default_factory=dict)
    """ssl's description of the chosen suite: kea, auth, aead, symmetric, id."""
    chain: tuple[bytes, ...] = field(default=(), repr=False)
    """Certificates as served (DER), leaf first, unverified."""
    alpn: str | None = None
    cert_requested: bool = False
    dh_bits: int | None = None
    http: bytes | None = field(default=None, repr=False)


class Sockets:
    """Open sockets of one probe run, so that a cancel closes them at once."""

    def __init__(self) -> None:
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self.cancelled = False

    def add(self, sock: socket.socket) -> None:
        with self._lock:
            if self.cancelled:
                sock.close()
                raise ConnectionAbortedError("cancelled")
            self._open.add(sock)

    def discard(self, sock: socket.socket) -> None:
        with self._lock:
            self._open.discard(sock)

    def cancel(self) -> None:
        with self._lock:
            self.cancelled = True
            for sock in self._open:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def unverified_chain(sock: ssl.SSLSocket) -> tuple[bytes, ...]:
    """The chain as served, leaf first: public API on 3.13+, the _sslobj method on 3.11-3.12."""
    getter = getattr(sock, "get_unverified_chain", None) or sock._sslobj.get_unverified_chain  # type: ignore[union-attr]
    chain = getter() or []
    return tuple(c if isinstance(c, bytes) else c.public_bytes(ssl._ssl.ENCODING_DER) for c in chain)  # type: ignore[attr-defined]


def client_context(offer: Offer) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # capture what is served; validation is judged offline
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # old versions are offered on purpose
        context.minimum_version = _VERSIONS[offer.min_version]
        context.maximum_version = _VERSIONS[offer.max_version]
    context.set_ciphers(f"{offer.ciphers}:@SECLEVEL=0")
    if offer.alpn:
        context.set_alpn_protocols(list(offer.alpn))
    return context


def _dh_bits(message: bytes) -> int | None:
    """The prime size from a DHE ServerKeyExchange: a 2-byte length then dh_p (RFC 5246 7.4.3)."""
    body = message[4:] if len(message) > 4 and message[0] == _SERVER_KEY_EXCHANGE else message
    if len(body) < 3:
        return None
    length = int.from_bytes(body[:2], "big")
    prime = body[2 : 2 + length].lstrip(b"\0")
    return prime and len(prime) * 8 - (8 - prime[0].bit_length())  # type: ignore[return-value]


def _failure(error: BaseException) -> tuple[str, str]:
    if isinstance(error, ssl.SSLError):
        reason = getattr(error, "reason", None) or str(error)
        if any(marker in reason for marker in _NOT_TLS):
            return "plain_http", reason
        if isinstance(error, ssl.SSLEOFError):
            return "closed", reason
        if "NO_CIPHERS" in reason or "NO_PROTOCOLS" in reason:
            return "unsupported", reason
        return "alert", reason
    if isinstance(error, ConnectionResetError):
        return "reset", "connection reset by peer"
    if isinstance(error, ConnectionAbortedError):
        return "cancelled", "cancelled"
    if isinstance(error, TimeoutError | socket.timeout):
        return "timeout", "no answer"
    if isinstance(error, ConnectionRefusedError):
        return "refused", "connection refused"
    return "closed", str(error) or type(error).__name__


def handshake(
    address: tuple, server_name: str | None, offer: Offer, timeout: float, sockets: Sockets, host_header: str = ""
) -> Handshake:
    """Connect to `address` (already resolved), run `offer`, and record what happened. Never raises."""
    try:
        context = client_context(offer)
    except ssl.SSLError as error:
        return Handshake(offer.name, False, "unsupported", str(getattr(error, "reason", None) or error))
    seen: dict[str, object] = {}

    def on_message(conn, direction, version, content_type, msg_type, data):  # noqa: ANN001
        if direction == "read" and msg_type == _SERVER_KEY_EXCHANGE:
            seen["ske"] = bytes(data)
        elif direction == "read" and msg_type == _CERTIFICATE_REQUEST:
            seen["cert_request"] = True

    context._msg_callback = on_message  # type: ignore[attr-defined]  # private but stable since 3.8
    try:
        raw = socket.socket(socket.AF_INET6 if ":" in address[0] else socket.AF_INET, socket.SOCK_STREAM)
    except OSError as error:
        return Handshake(offer.name, False, "closed", str(error))
    raw.settimeout(timeout)
    try:
        sockets.add(raw)
        try:
            raw.connect(address)
        except TimeoutError:
            return Handshake(offer.name, False, "connect_timeout", "no answer to the TCP connection")
        sock = context.wrap_socket(
            raw, server_hostname=server_name if offer.send_sni else None, do_handshake_on_connect=False
        )
        raw = sock  # wrap_socket detached the plain socket: cancel must reach the TLS one
        sockets.add(sock)
        sock.settimeout(timeout)
        try:
            sock.do_handshake()
        except BaseException as error:  # noqa: BLE001 - every failure is a result here
            failure, detail = _failure(error)
            return Handshake(offer.name, False, failure, detail, cert_requested=bool(seen.get("cert_request")))
        name, _, _ = sock.cipher() or (None, None, None)
        info = next((c for c in context.get_ciphers() if c["name"] == name), {})
        dh = _dh_bits(seen["ske"]) if "ske" in seen and info.get("kea") == "kx-dhe" else None  # type: ignore[arg-type]
        reply = _http_get(sock, host_header or server_name or address[0]) if offer.http else None
        return Handshake(
            offer.name,
            True,
            version=sock.version(),
            cipher=name,
            cipher_info={k: info.get(k) for k in ("id", "kea", "auth", "aead", "symmetric", "protocol")},
            chain=unverified_chain(sock),
            alpn=sock.selected_alpn_protocol(),
            cert_requested=bool(seen.get("cert_request")),
            dh_bits=dh,
            http=reply,
        )
    except BaseException as error:  # noqa: BLE001
        failure, detail = _failure(error)
        return Handshake(offer.name, False, failure, detail)
    finally:
        sockets.discard(raw)
        raw.close()


def _http_get(sock: ssl.SSLSocket, host: str) -> bytes:
    request = (
        f"GET / HTTP/1.1\r\nHost: {host}\r\nUser-Agent: ssl-assistant\r\nAccept: text/html\r\nConnection: close\r\n\r\n"
    )
    received = bytearray()
    try:
        sock.sendall(request.encode("ascii", "replace"))
        while len(received) < _MAX_HTTP:
            block = sock.recv(65536)
            if not block:
                break
            received += block
    except (OSError, ssl.SSLError):
        pass  # keep what arrived; a cut-off page still shows its headers
    return bytes(received)


def plain_http_reply(address: tuple, timeout: float, sockets: Sockets) -> bytes:
    """Ask the port in plain HTTP; used to confirm that a non-TLS answer is HTTP."""
    try:
        with socket.create_connection(address, timeout=timeout) as sock:
            sockets.add(sock)
            try:
                sock.sendall(b"HEAD / HTTP/1.0\r\n\r\n")
                return sock.recv(512)
            finally:
                sockets.discard(sock)
    except (OSError, ConnectionAbortedError):
        return b""
