"""The probe flow against a real TLS server on 127.0.0.1 with a certificate made by the test."""

from __future__ import annotations

import socket
import ssl
import sys
from pathlib import Path

import pytest

from assistant.model import Finding, ProbeReport, ProbeTarget, Status

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from pki import PKI  # noqa: E402
from tls_servers import silent_server, tls_server  # noqa: E402


def handshake_runner(ca_file: Path):
    """A minimal real probe: TCP connect and a verifying TLS handshake, reporting progress as it goes.

    It exercises the screen's thread, progress and cancel plumbing with real sockets, independently of
    assistant.probes; the real probes have their own test below.
    """

    def run(target: ProbeTarget, checks=None, progress=None, cancel=None, now=None) -> ProbeReport:
        findings: list[Finding] = []
        progress("reach.tcp", None)
        with socket.create_connection((target.host, target.port), timeout=5) as raw:
            findings.append(Finding("reach.tcp", Status.PASS, f"connected to {target.host}:{target.port}"))
            progress("reach.tcp", "pass")
            progress("reach.handshake", None)
            raw.settimeout(0.1)
            context = ssl.create_default_context(cafile=str(ca_file))
            tls = context.wrap_socket(raw, server_hostname="localhost", do_handshake_on_connect=False)
            while True:
                if cancel.is_set():
                    progress("reach.handshake", "error")
                    return ProbeReport(target, tuple(findings), {}, 0.0, 0)
                try:
                    tls.do_handshake()
                    break
                except (TimeoutError, ssl.SSLWantReadError):
                    continue
            findings.append(Finding("reach.handshake", Status.PASS, f"{tls.version()} [bold]{tls.cipher()[0]}[/]"))
            progress("reach.handshake", "pass")
        return ProbeReport(target, tuple(findings), {"host": target.host}, 0.01, 1)

    return run


@pytest.fixture
def site(tmp_path):
    pki = PKI(tmp_path)
    root = pki.root()
    inter = pki.intermediate(root)
    files = pki.write("site", pki.leaf(inter, names=["localhost", "127.0.0.1"]), [inter])
    ca = tmp_path / "root.pem"
    ca.write_bytes(root.pem)
    return files, ca


@pytest.mark.parametrize("language", ["en", "ko"])
async def test_probe_ticks_progress_and_shows_findings(make, site, language):
    from textual.widgets import DataTable

    from assistant.ui.probe_screen import ProbeScreen
    from assistant.ui.widgets.progress_list import ProgressList

    files, ca = site
    recorded: list[list[Finding]] = []
    app = make(language, probe_runner=handshake_runner(ca))
    with tls_server(files.fullchain, files.key, response=b"") as port:
        async with app.run_test(size=(100, 30)) as pilot:
            screen = ProbeScreen(
                app.kb,
                host="127.0.0.1",
                port=port,
                checks=["reach.tcp", "reach.handshake"],
                on_findings=lambda findings, source: recorded.append(findings),
            )
            await app.push_screen(screen)
            await pilot.press("ctrl+s")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert screen.query_one(ProgressList).states == {
                "reach.tcp": "pass",
                "reach.handshake": "pass",
            }
            table = screen.query_one("#probe-findings", DataTable)
            assert table.display and table.row_count == 2
            # the server's words are shown literally, never as markup
            assert "[bold]" in str(table.get_row_at(1)[2])
            assert [f.check for f in recorded[0]] == ["reach.tcp", "reach.handshake"]


async def test_escape_cancels_a_running_probe(make, site):
    from assistant.ui.probe_screen import ProbeScreen
    from assistant.ui.widgets.progress_list import ProgressList

    _files, ca = site
    app = make(probe_runner=handshake_runner(ca))
    with silent_server() as port:  # accepts, never answers: the handshake waits until cancelled
        async with app.run_test(size=(100, 30)) as pilot:
            screen = ProbeScreen(app.kb, host="127.0.0.1", port=port, checks=["reach.tcp", "reach.handshake"])
            await app.push_screen(screen)
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert screen.running
            await pilot.press("escape")
            assert screen.cancel.is_set()
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert not screen.running
            assert screen.query_one(ProgressList).states["reach.handshake"] == "error"
            assert app.screen is screen  # Esc while running cancels; it does not leave
            await pilot.press("escape")
            assert app.screen is not screen


async def test_probe_host_is_prefilled_from_the_paste(make):
    from textual.widgets import Input

    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        app.screen.query_one("#paste-box").insert("NET::ERR_CERT_DATE_INVALID at https://shop.example.com:8443/cart")
        await pilot.press("ctrl+s", "f4")
        await pilot.pause()
        assert app.screen.query_one("#probe-host", Input).value == "shop.example.com"
        assert app.screen.query_one("#probe-port", Input).value == "8443"


async def test_real_probes_against_loopback_server_feed_the_session(make, site):
    from textual.widgets import DataTable

    from assistant.ui.probe_screen import ProbeScreen

    files, _ca = site
    app = make()
    with tls_server(files.fullchain, files.key) as port:
        async with app.run_test(size=(100, 30)) as pilot:
            screen = ProbeScreen(app.kb, host="127.0.0.1", port=port, checks=None)
            await app.push_screen(screen)
            await pilot.press("ctrl+s")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert screen.report is not None and not screen.report.unreachable
            assert screen.query_one("#probe-findings", DataTable).row_count == len(screen.report.findings) > 0
