"""An nginx harness: one unprivileged nginx process with its own prefix and config in a temp folder,
serving the given certificate files on 127.0.0.1. Stops on context exit; skips if nginx is absent."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

from tests.tls_servers import free_port, serving

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)

_CONF = """daemon off;
master_process off;
worker_processes 1;
error_log {prefix}/error.log;
pid {prefix}/nginx.pid;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body; proxy_temp_path {prefix}/proxy; fastcgi_temp_path {prefix}/fcgi;
    uwsgi_temp_path {prefix}/uwsgi; scgi_temp_path {prefix}/scgi;
    server {{
        listen 127.0.0.1:{port} ssl;
        server_name localhost;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        {extra}
        location / {{ return 200 "ok\\n"; }}
    }}
}}
"""


@contextlib.contextmanager
def nginx(prefix: Path, cert: Path, key: Path, extra: str = "") -> Iterator[int]:
    import pytest

    if NGINX is None:
        pytest.skip("nginx is not installed (./test installs it)")
    prefix.mkdir(parents=True, exist_ok=True)
    port = free_port()
    conf = prefix / "nginx.conf"
    conf.write_text(_CONF.format(prefix=prefix, port=port, cert=cert, key=key, extra=extra))
    process = subprocess.Popen(
        [NGINX, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    with serving(process, port):
        yield port
