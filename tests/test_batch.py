"""`probe --from FILE`: many real loopback servers at once, the host-list format, one slow host not
stalling the rest, the summary table, JSON lines, exit codes, and the progress bar only on a TTY."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import threading

import pytest

from assistant.commands.probe_batch import (
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_UNREACHABLE,
    HostLine,
    exit_code,
    parse_hosts,
    probe_many,
)
from tests.conftest import ROOT
from tests.pki import PKI
from tests.tls_servers import free_port, silent_server, tls_server


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """A good server, one without its intermediate, one that never answers, and a closed port."""
    pki = PKI(tmp_path_factory.mktemp("pki"))
    root = pki.root()
    inter = pki.intermediate(root)
    good = pki.write("good", pki.leaf(inter), [inter])
    broken = pki.write("broken", pki.leaf(inter), [])
    ca = pki.write_certs("root", [root])
    with (
        tls_server(good.fullchain, good.key) as ok,
        tls_server(broken.fullchain, broken.key) as bad,
        silent_server() as silent,
    ):
        yield {"ok": ok, "bad": bad, "silent": silent, "closed": free_port(), "ca": ca}


def _cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        input=stdin,
        timeout=120,
    )


def test_host_list_format():
    hosts, errors = parse_hosts(
        "# servers\n\nexample.com\n  shop.example:8443  www.shop.example  # the shop\n[::1]:4433\n"
        "https://a.example/path\nbad host:x:y z\nhost:99999\n"
    )
    assert hosts == [
        HostLine(3, "example.com", 443),
        HostLine(4, "shop.example", 8443, "www.shop.example"),
        HostLine(5, "::1", 4433),
        HostLine(6, "a.example", 443),
    ]
    assert len(errors) == 2 and errors[0].startswith("line 7:") and errors[1].startswith("line 8:")


def test_exit_code_is_the_worst_host_and_3_only_when_none_was_reached():
    assert exit_code([EXIT_OK, EXIT_OK]) == EXIT_OK
    assert exit_code([EXIT_OK, EXIT_PROBLEMS]) == EXIT_PROBLEMS
    assert exit_code([EXIT_OK, EXIT_UNREACHABLE]) == EXIT_PROBLEMS
    assert exit_code([EXIT_UNREACHABLE, EXIT_UNREACHABLE]) == EXIT_UNREACHABLE


def test_a_silent_host_does_not_hold_up_the_others(servers):
    hosts = [HostLine(1, "127.0.0.1", servers["silent"])] + [
        HostLine(n, "127.0.0.1", servers["ok"], "localhost") for n in range(2, 8)
    ]
    order = [host.line for host, _report in probe_many(hosts, timeout=2, ca_file=str(servers["ca"]), concurrency=4)]
    assert sorted(order) == list(range(1, 8))
    assert order[-1] == 1  # every good host finished while the silent one was still waiting


def test_a_host_past_its_deadline_is_stopped_and_says_so(servers):
    [(host, report)] = list(probe_many([HostLine(1, "127.0.0.1", servers["silent"])], timeout=30, deadline=0.5))
    assert any(f.status == "error" and "stopped" in f.evidence for f in report.findings)


def test_stop_cancels_everything_still_running(servers):
    stop = threading.Event()
    stop.set()
    results = list(
        probe_many([HostLine(n, "127.0.0.1", servers["silent"]) for n in range(1, 40)], timeout=30, stop=stop)
    )
    assert len(results) == 39  # each returned promptly with what it had, none waited 30 s per step


def test_batch_table_and_exit_code(servers, tmp_path):
    listing = tmp_path / "hosts.txt"
    listing.write_text(
        f"# loopback\n127.0.0.1:{servers['ok']} localhost\n\n127.0.0.1:{servers['bad']} localhost\n"
        f"127.0.0.1:{servers['silent']}\n127.0.0.1:{servers['closed']}\n"
    )
    result = _cli("probe", "--from", str(listing), "--ca-file", str(servers["ca"]), "--timeout", "1")
    assert result.returncode == EXIT_PROBLEMS, result.stderr
    assert "\033[" not in result.stdout and result.stderr == ""  # piped: plain text, no progress bar
    rows = result.stdout.splitlines()
    assert rows[0].split()[:2] == ["HOST", "DAYS"]
    ok, bad, silent, closed = rows[1:5]
    assert ok.startswith(f"127.0.0.1:{servers['ok']} (localhost)") and " ok " in ok and ok.split()[2] == "89"
    assert "problems" in bad and "incomplete-chain" in bad
    assert "problems" in silent and "handshake-timeout" in silent
    assert "unreachable" in closed
    assert "4 hosts probed" in result.stdout and "1 clean, 2 with problems, 1 unreachable" in result.stdout


def test_batch_json_lines_have_the_single_probe_shape(servers):
    listing = f"127.0.0.1:{servers['ok']} localhost\n127.0.0.1:{servers['bad']} localhost\n"
    batch = _cli("probe", "--from", "-", "--ca-file", str(servers["ca"]), "--timeout", "2", "--json", stdin=listing)
    single = json.loads(
        _cli(
            "probe", f"127.0.0.1:{servers['bad']}", "--sni", "localhost", "--ca-file", str(servers["ca"]), "--json"
        ).stdout
    )
    objects = [json.loads(line) for line in batch.stdout.splitlines()]
    assert batch.returncode == EXIT_PROBLEMS and len(objects) == 2
    for item in objects:
        assert item["schema_version"] == 1 and set(single) <= set(item) and item["line"] in (1, 2)
    by_line = {item["line"]: item for item in objects}
    assert by_line[1]["diagnoses"] == [] and by_line[1]["facts"]["cert_days_left"] == 89
    assert [d["id"] for d in by_line[2]["diagnoses"]] == [d["id"] for d in single["diagnoses"]]


def test_all_clean_exits_0_and_none_reachable_exits_3(servers):
    clean = _cli(
        "probe", "--from", "-", "--ca-file", str(servers["ca"]), stdin=f"127.0.0.1:{servers['ok']} localhost\n"
    )
    assert clean.returncode == EXIT_OK, clean.stdout
    down = _cli("probe", "--from", "-", stdin=f"127.0.0.1:{servers['closed']}\n127.0.0.1:{free_port()}\n")
    assert down.returncode == EXIT_UNREACHABLE


@pytest.mark.parametrize(
    "stdin, extra",
    [
        ("# nothing but comments\n\n", ()),
        ("good.example\nbad host name here\n", ()),
        ("127.0.0.1:1\n", ("--timeout", "0")),
        ("127.0.0.1:1\n", ("127.0.0.1:2",)),
    ],
)
def test_batch_usage_errors(stdin, extra):
    result = _cli("probe", "--from", "-", *extra, stdin=stdin)
    assert result.returncode == 2 and result.stdout == "" and result.stderr and "Traceback" not in result.stderr


def test_missing_file_is_a_usage_error(tmp_path):
    result = _cli("probe", "--from", str(tmp_path / "nope.txt"))
    assert result.returncode == 2 and "nope.txt" in result.stderr and "Traceback" not in result.stderr


def test_progress_bar_and_colour_on_a_terminal(servers):
    """stdout and stderr on a pseudo-terminal: a progress bar on stderr, a coloured table on stdout."""
    master, slave = pty.openpty()
    env = {
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(ROOT),
        "TERM": "xterm-256color",
        "COLUMNS": "120",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant", "probe", "--from", "-", "--ca-file", str(servers["ca"]), "--timeout", "1"],
        stdin=subprocess.PIPE,
        stdout=slave,
        stderr=slave,
        cwd=ROOT,
        env=env,
    )
    os.close(slave)
    process.stdin.write(f"127.0.0.1:{servers['ok']} localhost\n127.0.0.1:{servers['silent']}\n".encode())
    process.stdin.close()
    output = b""
    while True:
        ready, _w, _x = select.select([master], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
    os.close(master)
    assert process.wait(30) == EXIT_PROBLEMS
    text = output.decode("utf-8", "replace")
    assert "Probing" in text and "\033[" in text
    assert "handshake-timeout" in text
