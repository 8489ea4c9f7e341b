"""Batch probe at scale: `ssl-assistant probe --from` over N loopback servers (default 200), wall time
and peak memory of the CLI process. Prints figures; asserts nothing.

The servers run in a separate process (asyncio, one listening socket each, all on 127.0.0.1): most
are healthy, some miss their intermediate, some serve an expired leaf, some accept and never answer,
some ports are closed. Targets: <= 10 s and <= 200 MB for 200 hosts.

    .venv/bin/python benchmarks/bench_batch.py [--hosts 200] [--timeout 2] [--concurrency 32]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import ssl
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


async def _serve(directory: Path, count: int) -> None:
    """Listen on `count` ports; print the host list, then serve until stdin closes."""
    kinds = {"good": 0.8, "broken": 0.1, "expired": 0.05, "silent": 0.05}
    contexts = {}
    for name in ("good", "broken", "expired"):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(directory / f"{name}.fullchain.pem", directory / f"{name}.key")
        context.set_alpn_protocols(["h2", "http/1.1"])
        contexts[name] = context
    page = (
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nStrict-Transport-Security: max-age=60\r\nConnection: close\r\n\r\nok"
    )

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            if await asyncio.wait_for(reader.read(4096), 10):
                writer.write(page)
                await writer.drain()
        except (TimeoutError, OSError, ssl.SSLError):
            pass
        finally:
            writer.close()

    async def silence(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(30)
        writer.close()

    plan = [kind for kind, share in kinds.items() for _ in range(round(count * share))]
    plan = (plan + ["good"] * count)[:count]
    servers, lines = [], []
    for kind in plan:
        if kind == "silent":
            server = await asyncio.start_server(silence, "127.0.0.1", 0, backlog=64)
        else:
            server = await asyncio.start_server(answer, "127.0.0.1", 0, ssl=contexts[kind], backlog=64)
        servers.append(server)
        lines.append(f"127.0.0.1:{server.sockets[0].getsockname()[1]} localhost  # {kind}")
    print(json.dumps(lines), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


def _pki(directory: Path) -> Path:
    from tests.pki import PKI

    pki = PKI(directory)
    root = pki.root()
    inter = pki.intermediate(root)
    pki.write("good", pki.leaf(inter), [inter])
    pki.write("broken", pki.leaf(inter), [])
    pki.write("expired", pki.leaf(inter, days_before=400, days_after=-3), [inter])
    return pki.write_certs("root", [root])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hosts", type=int, default=200)
    parser.add_argument("--timeout", type=float, default=2.0)
    parser.add_argument("--closed", type=int, default=10, help="extra closed ports in the list")
    parser.add_argument("--serve", metavar="DIR", help=argparse.SUPPRESS)
    args = parser.parse_args()
    _raise_fd_limit()
    if args.serve:
        asyncio.run(_serve(Path(args.serve), args.hosts))
        return

    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        ca = _pki(directory)
        server = subprocess.Popen(
            [sys.executable, __file__, "--serve", tmp, "--hosts", str(args.hosts)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            lines = json.loads(server.stdout.readline())
            from tests.tls_servers import free_port

            lines += [f"127.0.0.1:{free_port()}  # closed" for _ in range(args.closed)]
            listing = directory / "hosts.txt"
            listing.write_text("\n".join(lines) + "\n")
            command = [
                sys.executable,
                "-m",
                "assistant",
                "--no-history",
                "probe",
                "--from",
                str(listing),
                "--ca-file",
                str(ca),
                "--timeout",
                str(args.timeout),
                "--json",
            ]
            env = {**os.environ, "PYTHONPATH": str(ROOT), "SSL_ASSISTANT_DATA_DIR": str(directory / "data")}
            started = time.monotonic()
            result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env)
            wall = time.monotonic() - started
            usage = resource.getrusage(
                resource.RUSAGE_CHILDREN
            )  # the CLI (and its s_client runs); the server still runs
            peak_kb, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
        finally:
            server.stdin.close()
            server.terminate()
            server.wait(10)

    reports = [json.loads(line) for line in result.stdout.splitlines()]
    by_kind: dict[str, dict[str, int]] = {}
    for report in reports:
        kind = lines[report["line"] - 1].split("# ")[-1]
        outcome = "unreachable" if report["unreachable"] else ",".join(d["id"] for d in report["diagnoses"]) or "clean"
        by_kind.setdefault(kind, {}).setdefault(outcome, 0)
        by_kind[kind][outcome] += 1
    handshakes = sum(report["handshakes"] for report in reports)
    print(
        f"hosts listed        {len(lines)} ({args.hosts} servers + {args.closed} closed ports), timeout {args.timeout} s"
    )
    print(f"reports             {len(reports)}, exit code {result.returncode}")
    print(f"wall time           {wall:.2f} s  (target <= 10 s)")
    print(f"peak memory (RSS)   {peak_kb / 1024:.0f} MB  (target <= 200 MB)")
    print(f"CPU of the CLI      {cpu:.2f} s on {os.cpu_count()} cores (includes its openssl s_client runs)")
    print(f"handshakes          {handshakes}  ({handshakes / wall:.0f}/s)")
    for kind, outcomes in sorted(by_kind.items()):
        print(f"  {kind:<8} " + "  ".join(f"{outcome}: {n}" for outcome, n in sorted(outcomes.items())))
    elapsed = sorted(report["elapsed_s"] for report in reports)
    print(f"per host            median {elapsed[len(elapsed) // 2]:.2f} s, max {elapsed[-1]:.2f} s")
    if result.stderr.strip():
        print("stderr:", result.stderr.strip()[:500])


if __name__ == "__main__":
    main()
