"""Probe speed on loopback: full vs targeted wall time and handshakes, a silent port, and the peers
(sslscan, sslyze, testssl.sh) scanning the same server when installed. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/bench_probe.py [--no-peers] [--runs N]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.model import ProbeTarget  # noqa: E402
from assistant.probes import DEFAULT_CHECKS, run_probe  # noqa: E402
from tests.pki import PKI  # noqa: E402
from tests.tls_servers import openssl_server, silent_server  # noqa: E402

SSLYZE = "/tmp/sslyze-venv/bin/sslyze"


def timed(command: list[str], limit: float = 300) -> str:
    start = time.monotonic()
    try:
        subprocess.run(command, capture_output=True, timeout=limit, check=False)
    except subprocess.TimeoutExpired:
        return f">{limit:.0f} s (stopped)"
    return f"{time.monotonic() - start:.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--no-peers", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        pki = PKI(Path(folder))
        root = pki.root()
        inter = pki.intermediate(root)
        files = pki.write("site", pki.leaf(inter, key_type="rsa", bits=2048), [inter])
        ca = pki.write_certs("root", [root])
        with openssl_server(files.cert, files.key, "-cert_chain", str(files.chain)) as port:
            target = ProbeTarget("localhost", port, ca_file=str(ca), timeout=5)
            for label, checks in (("full", None), ("targeted", DEFAULT_CHECKS)):
                runs = [run_probe(target, checks) for _ in range(args.runs)]
                times = sorted(r.elapsed_s for r in runs)
                print(
                    f"probe {label:9} median {statistics.median(times):.3f} s  max {times[-1]:.3f} s  "
                    f"handshakes {runs[0].handshakes}  findings {len(runs[0].findings)}"
                )
            if not args.no_peers:
                peers = [
                    ("sslscan", ["sslscan", "--no-colour", f"127.0.0.1:{port}"]),
                    ("sslyze", [SSLYZE, f"127.0.0.1:{port}"]),
                    ("testssl.sh", ["testssl", "--quiet", "--color", "0", f"127.0.0.1:{port}"]),
                ]
                for name, command in peers:
                    if shutil.which(command[0]):
                        print(f"peer {name:11} {timed(command)}")
                    else:
                        print(f"peer {name:11} not installed")
    with silent_server() as port:
        report = run_probe(ProbeTarget("127.0.0.1", port, timeout=2.0))
        print(
            f"silent port, --timeout 2: ended after {report.elapsed_s:.2f} s ({report.facts.get('handshake_failure')})"
        )


if __name__ == "__main__":
    main()
