"""Loopback servers for probe tests: an in-process `ssl` server, `openssl s_server`, raw-socket
misbehaviours (RST on ClientHello, silence, plain HTTP), and a plain HTTP server standing in for a
CA's AIA, OCSP and CRL addresses. All listen on 127.0.0.1, port chosen by the
OS, and stop when their context manager exits; every thread and process has a bounded lifetime."""

from __future__ import annotations

import contextlib
import http.server
import socket
import ssl
import struct
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

HOST = "127.0.0.1"
_VERSIONS = {
    "TLSv1": ssl.TLSVersion.TLSv1,
    "TLSv1.1": ssl.TLSVersion.TLSv1_1,
    "TLSv1.2": ssl.TLSVersion.TLSv1_2,
    "TLSv1.3": ssl.TLSVersion.TLSv1_3,
}
LIFETIME = 60.0  # no test server outlives this, whatever the test does


def http_response(body: str = "<html><body>ok</body></html>", headers: dict[str, str] | None = None) -> bytes:
    head = {
        "Content-Type": "text/html",
        "Content-Length": str(len(body.encode())),
        "Connection": "close",
        **(headers or {}),
    }
    lines = "".join(f"{k}: {v}\r\n" for k, v in head.items())
    return f"HTTP/1.1 200 OK\r\n{lines}\r\n{body}".encode()


def _listener() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, 0))
    sock.listen(32)
    sock.settimeout(0.2)
    return sock


@contextlib.contextmanager
def _serve(handler: Callable[[socket.socket], None]) -> Iterator[int]:
    """Accept connections until exit (or LIFETIME), one short-lived thread per connection."""
    listener = _listener()
    stop = threading.Event()
    deadline = time.monotonic() + LIFETIME

    def loop() -> None:
        while not stop.is_set() and time.monotonic() < deadline:
            try:
                conn, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            conn.settimeout(5)
            threading.Thread(target=_guarded, args=(handler, conn), daemon=True).start()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(2)
        listener.close()


def _guarded(handler: Callable[[socket.socket], None], conn: socket.socket) -> None:
    with contextlib.suppress(OSError, ssl.SSLError, ValueError):
        handler(conn)
    with contextlib.suppress(OSError):
        conn.close()


def server_context(
    cert: Path,
    key: Path,
    *,
    ciphers: str | None = None,
    min_version: str | None = None,
    max_version: str | None = None,
    alpn: list[str] | None = None,
    client_ca: Path | None = None,
    dh_params: Path | None = None,
    sni: dict[str, tuple[Path, Path]] | None = None,
) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    if ciphers:
        context.set_ciphers(ciphers)  # first: SECLEVEL decides which keys load_cert_chain accepts
    context.load_cert_chain(cert, key)
    if min_version:
        context.minimum_version = _VERSIONS[min_version]
    if max_version:
        context.maximum_version = _VERSIONS[max_version]
    if alpn:
        context.set_alpn_protocols(alpn)
    if client_ca:
        context.load_verify_locations(client_ca)
        context.verify_mode = ssl.CERT_REQUIRED
    if dh_params:
        context.load_dh_params(dh_params)
    if sni:
        others = {name: server_context(c, k, ciphers=ciphers, alpn=alpn) for name, (c, k) in sni.items()}

        def choose(sock: ssl.SSLSocket, name: str | None, _context: ssl.SSLContext) -> None:
            if name in others:
                sock.context = others[name]

        context.sni_callback = choose
    return context


@contextlib.contextmanager
def tls_server(cert: Path, key: Path, *, response: bytes | None = None, **options) -> Iterator[int]:
    """An in-process TLS server on 127.0.0.1; answers any request with `response` (default: a page)."""
    context = server_context(cert, key, **options)
    reply = response if response is not None else http_response()

    def handle(conn: socket.socket) -> None:
        with context.wrap_socket(conn, server_side=True) as tls:
            data = tls.recv(4096)
            if data:
                tls.sendall(reply)

    with _serve(handle) as port:
        yield port


@contextlib.contextmanager
def reset_server() -> Iterator[int]:
    """Reads the ClientHello, then closes with SO_LINGER 0: the client sees a TCP RST."""

    def handle(conn: socket.socket) -> None:
        conn.recv(4096)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    with _serve(handle) as port:
        yield port


@contextlib.contextmanager
def silent_server() -> Iterator[int]:
    """Accepts and never answers, until the test ends."""
    stop = threading.Event()

    def handle(conn: socket.socket) -> None:
        stop.wait(LIFETIME)

    try:
        with _serve(handle) as port:
            yield port
    finally:
        stop.set()


@contextlib.contextmanager
def plain_http_server() -> Iterator[int]:
    """Speaks plain HTTP on the port: a 400 to whatever arrives, as web servers do to a ClientHello."""

    def handle(conn: socket.socket) -> None:
        conn.recv(4096)
        conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")

    with _serve(handle) as port:
        yield port


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def wait_port(port: int, process: subprocess.Popen | None = None, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(
                f"server exited: {process.stderr.read().decode(errors='replace') if process.stderr else ''}"
            )
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=0.2):
            return
        time.sleep(0.02)
    raise TimeoutError(f"nothing listens on {port}")


@contextlib.contextmanager
def openssl_server(cert: Path, key: Path, *args: str, naccept: int = 200) -> Iterator[int]:
    """`openssl s_server -www` on 127.0.0.1 with extra arguments (`-cipher`, `-status_file`…). It
    exits after `naccept` connections: a scanner that makes hundreds needs a larger figure."""
    port = free_port()
    command = [
        "openssl",
        "s_server",
        "-accept",
        f"{HOST}:{port}",
        "-cert",
        str(cert),
        "-key",
        str(key),
        "-www",
        "-quiet",
        "-naccept",
        str(naccept),
        *args,
    ]
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    with serving(process, port):
        yield port


@contextlib.contextmanager
def serving(process: subprocess.Popen, port: int) -> Iterator[None]:
    """A server process for the life of the block: wait until it listens, always stop it after."""
    try:
        wait_port(port, process)
        yield
    finally:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


class WebServer:
    """A CA's web side on 127.0.0.1: GET and POST paths answered from `routes` (bytes, or a callable
    taking the request body). A route of None never answers (until the test ends). Every request is
    counted in `requests` as (method, path, body)."""

    def __init__(self, routes: dict[str, bytes | Callable[[bytes], bytes] | None]) -> None:
        self.routes = routes
        self.requests: list[tuple[str, str, bytes]] = []
        self.stop = threading.Event()
        self.port = 0

    def url(self, path: str) -> str:
        return f"http://{HOST}:{self.port}{path}"

    def handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        web = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self, body: bytes) -> None:
                web.requests.append((self.command, self.path, body))
                if self.path not in web.routes:
                    self.send_error(404)
                    return
                route = web.routes[self.path]
                if route is None:
                    web.stop.wait(LIFETIME)
                    return
                payload = route(body) if callable(route) else route
                self.send_response(200)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                self._answer(b"")

            def do_POST(self) -> None:  # noqa: N802
                self._answer(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

            def log_message(self, *args) -> None:  # noqa: ANN002
                pass

        return Handler


@contextlib.contextmanager
def web_server(routes: dict[str, bytes | Callable[[bytes], bytes] | None]) -> Iterator[WebServer]:
    """Serve `routes` over plain HTTP on 127.0.0.1 until exit. Paths may be filled in after start
    (certificates need the port in their URLs before they exist)."""
    web = WebServer(routes)
    server = http.server.ThreadingHTTPServer((HOST, 0), web.handler())
    server.daemon_threads = True
    web.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield web
    finally:
        web.stop.set()
        server.shutdown()
        server.server_close()
        thread.join(2)


def unused_url(path: str = "/") -> str:
    """An http:// address on 127.0.0.1 where nothing listens (a CA responder that is down)."""
    return f"http://{HOST}:{free_port()}{path}"
