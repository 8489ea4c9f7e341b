"""Probe speed on loopback, and the peers (sslscan, sslyze, testssl.sh) scanning the same servers.
Prints figures; asserts nothing.

    .venv/bin/python benchmarks/bench_probe.py [--runs N] [--no-peers] [--defects] [--keep DIR]

Every tool scans a fresh `openssl s_server` (no accept limit) through a counting TCP relay on
127.0.0.1, so the connection figures are counted the same way for everyone. Each peer's output is
checked for a sign that it completed a scan; `--keep DIR` saves the outputs. `--defects` also scans
one server per defect and reports which tool named it. Peers are installed here when missing:
sslscan and testssl.sh from Debian (apt-get), sslyze into a virtualenv under /tmp; none is committed.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.hazmat.primitives.asymmetric import dh  # noqa: E402
from cryptography.hazmat.primitives.serialization import Encoding, ParameterFormat  # noqa: E402

from assistant.model import ProbeTarget, Status  # noqa: E402
from assistant.probes import DEFAULT_CHECKS, run_probe  # noqa: E402
from tests.pki import PKI  # noqa: E402
from tests.tls_servers import openssl_server, silent_server  # noqa: E402

VENV = Path("/tmp/sslyze-venv")
SSLYZE = VENV / "bin" / "sslyze"
# RFC 2409 group 2 (1024-bit MODP): a known weak DH group.
_MODP_1024 = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF",
    16,
)


# --- peers -----------------------------------------------------------------------------------------


def install_peers() -> None:
    missing = [pkg for pkg, tool in (("sslscan", "sslscan"), ("testssl.sh", "testssl")) if not shutil.which(tool)]
    if missing:
        subprocess.run(["apt-get", "install", "-y", "-q", *missing], capture_output=True, check=False, timeout=600)
    if not SSLYZE.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], capture_output=True, check=False, timeout=120)
        subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", "sslyze"], capture_output=True, timeout=600)


def peer_commands(port: int, ca: Path) -> dict[str, list[str]]:
    """Each peer aimed at 127.0.0.1:port with SNI localhost and our test root as an extra anchor
    where it takes one (sslscan has no such option)."""
    return {
        "sslscan": ["sslscan", "--no-colour", "--sni-name=localhost", f"127.0.0.1:{port}"],
        "sslyze": [str(SSLYZE), "--sni", "localhost", "--certinfo_ca_file", str(ca), f"127.0.0.1:{port}"],
        "testssl.sh": [
            "testssl",
            "--quiet",
            "--color",
            "0",
            "--warnings",
            "batch",
            "--ip",
            "127.0.0.1",
            "--add-ca",
            str(ca),
            f"localhost:{port}",
        ],
    }


# A line each peer prints only when its scan ran to the end.
COMPLETED = {
    "sslscan": re.compile(r"SSL Certificate:"),
    "sslyze": re.compile(r"SCANS COMPLETED IN"),
    "testssl.sh": re.compile(r"Running client simulations|Done \d{4}-"),
}


# --- a relay that counts connections ----------------------------------------------------------------


@contextlib.contextmanager
def counting_relay(backend: int) -> Iterator[tuple[int, Callable[[], int]]]:
    """Listen on 127.0.0.1, forward every connection to `backend`, count them."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(256)
    listener.settimeout(0.1)
    count = [0]
    stop = threading.Event()

    def pump(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while block := source.recv(65536):
                sink.sendall(block)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def serve(client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(("127.0.0.1", backend), timeout=10)
        except OSError:
            client.close()
            return
        upstream.settimeout(120)
        client.settimeout(120)
        back = threading.Thread(target=pump, args=(upstream, client), daemon=True)
        back.start()
        pump(client, upstream)
        back.join(120)
        client.close()
        upstream.close()

    def accept() -> None:
        while not stop.is_set():
            try:
                client, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            count[0] += 1
            threading.Thread(target=serve, args=(client,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1], lambda: count[0]
    finally:
        stop.set()
        thread.join(2)
        listener.close()


# --- servers ---------------------------------------------------------------------------------------


def build_servers(pki: PKI, folder: Path, defects: bool) -> dict[str, tuple[Path, Path, list[str]]]:
    """name -> (cert, key, extra s_server arguments). "good" first, then one per defect."""
    root = pki.root()
    inter = pki.intermediate(root)
    pki.write_certs("root", [root])

    def site(name: str, leaf, chain, *args: str):  # noqa: ANN001, ANN202
        files = pki.write(name, leaf, chain)
        chain_args = ["-cert_chain", str(files.chain)] if chain else []
        return files.cert, files.key, [*chain_args, *args]

    rsa = {"key_type": "rsa", "bits": 2048}
    servers = {"good": site("good", pki.leaf(inter, **rsa), [inter])}
    if not defects:
        return servers
    upper = pki.intermediate(root, "Upper CA", path_length=1)
    lower = pki.intermediate(upper, "Lower CA", bits=2048, path_length=None)
    expired = pki.intermediate(root, "Expired CA", days_before=800, days_after=-5)
    sha1 = pki.openssl_intermediate(root, "SHA-1 Intermediate CA")
    params = folder / "dh1024.pem"
    params.write_bytes(
        dh.DHParameterNumbers(_MODP_1024, 2).parameters().parameter_bytes(Encoding.PEM, ParameterFormat.PKCS3)
    )
    servers |= {
        "incomplete-chain": site("incomplete", pki.leaf(inter, **rsa), []),
        "chain-order": site("order", pki.leaf(lower, **rsa), [upper, lower]),
        "expired-in-chain": site("expired", pki.leaf(expired, **rsa), [expired]),
        "weak-signature": site("sha1", pki.leaf(sha1, **rsa), [sha1], "-cipher", "DEFAULT:@SECLEVEL=0"),
        "key-usage-incompatible": site(
            "ku",
            pki.leaf(inter, key_usage={"digital_signature"}, **rsa),
            [inter],
            "-cipher",
            "AES128-GCM-SHA256",
            "-no_tls1_3",
        ),
        "weak-dh": site(
            "dh",
            pki.leaf(inter, **rsa),
            [inter],
            "-cipher",
            "DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0",
            "-dhparam",
            str(params),
            "-no_tls1_3",
        ),
        "revocation-unavailable": site("staple", pki.leaf(inter, must_staple=True, **rsa), [inter]),
    }
    return servers


# What in each peer's output names the defect (read off their outputs on these servers).
SIGNS: dict[str, dict[str, re.Pattern]] = {
    "sslscan": {"weak-dh": re.compile(r"DHE 1024 bits")},
    "sslyze": {
        "chain-order": re.compile(r"Received Chain Order:\s+FAILED"),
        "expired-in-chain": re.compile(r"not valid at validation time"),
        "weak-signature": re.compile(r"RsaWithSha1|contains SHA1:\s+FAILED"),
        "weak-dh": re.compile(r"DH parameter size is 1024"),
    },
    "testssl.sh": {
        "incomplete-chain": re.compile(r"chain incomplete"),
        "chain-order": re.compile(r"ordering problem"),
        "expired-in-chain": re.compile(r"Chain of trust\s+NOT ok \(expired\)"),
        "weak-signature": re.compile(r"Chain of trust\s+NOT ok.*(?:SHA1|sha1)"),
        "weak-dh": re.compile(r"DH 1024|1024 bits"),
        "revocation-unavailable": re.compile(r"requires OCSP stapling \(NOT ok\)"),
    },
}
# testssl.sh drives the system openssl, whose default security level refuses a 1024-bit DH server
# outright ("Your OpenSSL cannot connect"); let it see weak servers as the other peers do.
_LOW_SECLEVEL = """openssl_conf = conf
[conf]
ssl_conf = ssl
[ssl]
system_default = low
[low]
CipherString = DEFAULT:@SECLEVEL=0
"""


def run_peer(name: str, command: list[str], keep: Path | None, label: str, env: dict | None) -> tuple[float, str]:
    start = time.monotonic()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False, env=env)
        output = done.stdout + done.stderr
    except subprocess.TimeoutExpired:
        output = ""
    elapsed = time.monotonic() - start
    if keep:
        (keep / f"{label}-{name}.txt").write_text(output)
    return elapsed, output


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument("--defects", action="store_true", help="also scan one server per defect (slow: testssl.sh)")
    parser.add_argument("--keep", type=Path, help="save each peer's output in this folder")
    args = parser.parse_args()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    if not args.no_peers:
        install_peers()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pki = PKI(folder)
        servers = build_servers(pki, folder, args.defects)
        ca = folder / "root.pem"
        conf = folder / "openssl-low.cnf"
        conf.write_text(_LOW_SECLEVEL)
        low = {**os.environ, "OPENSSL_CONF": str(conf)}
        found: dict[str, dict[str, bool | None]] = {}
        for label, (cert, key, extra) in servers.items():
            print(f"== {label}")
            found[label] = {}
            with openssl_server(cert, key, *extra, naccept=100000) as backend, counting_relay(backend) as (port, count):
                target = ProbeTarget("localhost", port, ca_file=str(ca), timeout=5)
                for mode, checks in (("full", None), ("targeted", DEFAULT_CHECKS)):
                    before = count()
                    runs = [run_probe(target, checks) for _ in range(args.runs if label == "good" else 1)]
                    times = sorted(r.elapsed_s for r in runs)
                    problems = {f.diagnosis for f in runs[0].findings if f.status in (Status.FAIL, Status.WARN)}
                    print(
                        f"  ssl-assistant {mode:9} median {statistics.median(times):.3f} s  max {times[-1]:.3f} s  "
                        f"connections {(count() - before) // len(runs)}  findings {len(runs[0].findings)}"
                    )
                    if mode == "full" and label != "good":
                        found[label]["ssl-assistant"] = label in problems
                if args.no_peers:
                    continue
                for name, command in peer_commands(port, ca).items():
                    if not Path(command[0]).exists() and not shutil.which(command[0]):
                        print(f"  {name:13} not installed")
                        continue
                    before = count()
                    elapsed, output = run_peer(name, command, args.keep, label, low if name == "testssl.sh" else None)
                    completed = bool(COMPLETED[name].search(output))
                    print(
                        f"  {name:13} {elapsed:7.2f} s  connections {count() - before:4}  "
                        f"{'completed' if completed else 'DID NOT COMPLETE'}"
                    )
                    sign = SIGNS[name].get(label)
                    if label != "good":
                        found[label][name] = bool(sign.search(output)) if sign else False
        if args.defects:
            print("== defects named (full scans)")
            tools = ["ssl-assistant"] + ([] if args.no_peers else list(SIGNS))
            print("  " + " | ".join(["defect".ljust(24), *tools]))
            for label, by_tool in found.items():
                if label == "good":
                    continue
                cells = ["yes" if by_tool.get(t) else "no" for t in tools]
                print("  " + " | ".join([label.ljust(24), *cells]))
    with silent_server() as port:
        report = run_probe(ProbeTarget("127.0.0.1", port, timeout=2.0))
        print(
            f"silent port, --timeout 2: ended after {report.elapsed_s:.2f} s ({report.facts.get('handshake_failure')})"
        )


if __name__ == "__main__":
    main()
