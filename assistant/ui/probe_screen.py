"""Provides the probe screen: ask host and port, probe in a thread with live progress, show findings.

The probe runs in a worker thread; its progress callback reaches widgets only through
`call_from_thread`. Esc sets the cancel event while a probe runs, and closes the screen otherwise.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, DataTable, Footer, Header, Input, Label, Static

from assistant.i18n import _
from assistant.kb import KnowledgeBase
from assistant.model import Finding, ProbeReport, ProbeTarget
from assistant.ui.inert import clean, inert
from assistant.ui.localized import apply_bindings
from assistant.ui.widgets.progress_list import ProgressList

if TYPE_CHECKING:
    from assistant.ui.app import AssistantApp

STATUS_STYLE = {
    "pass": "green",
    "warn": "yellow",
    "fail": "bold red",
    "info": "cyan",
    "error": "magenta",
}


def parse_target(host: str, port: str) -> tuple[str, int] | None:
    """(host, port) from the two fields, accepting `host:port` and `https://host/…` in the host field."""
    host = clean(host).strip()
    if "://" in host:
        host = host.split("://", 1)[1]
    host = host.split("/", 1)[0].strip()
    if host.startswith("[") and "]" in host:  # [::1]:8443
        inner, _sep, rest = host[1:].partition("]")
        host, port = inner, rest.lstrip(":") or port
    elif host.count(":") == 1:
        host, port = host.split(":")
    try:
        number = int(port.strip() or "443")
    except ValueError:
        return None
    if not host or not 0 < number < 65536:
        return None
    return host, number


class ProbeScreen(Screen[None]):
    def __init__(
        self,
        kb: KnowledgeBase,
        *,
        host: str = "",
        port: int = 443,
        checks: list[str] | None = None,
        on_findings: Callable[[list[Finding], str], None] | None = None,
    ) -> None:
        super().__init__()
        self.kb = kb
        self.initial_host, self.initial_port = host, port
        self.checks = checks
        self.on_findings = on_findings
        self.cancel = threading.Event()
        self.running = False
        self.report: ProbeReport | None = None
        apply_bindings(self, self.key_bindings())

    @property
    def assistant(self) -> AssistantApp:
        return self.app  # type: ignore[return-value]

    def key_bindings(self) -> list[Binding]:
        return [
            Binding("escape", "cancel_or_close", _("Cancel / back"), id="cancel"),
            Binding("ctrl+s", "start", _("Probe"), id="start"),
        ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="probe"):
            with Horizontal(id="probe-target"):
                yield Label(id="host-label")
                yield Input(self.initial_host, id="probe-host")
                yield Label(id="port-label")
                yield Input(str(self.initial_port), id="probe-port", type="integer")
                yield Button("", id="probe-start", variant="primary")
            yield Static(id="probe-status")
            with VerticalScroll(id="probe-body"):
                yield ProgressList(self.kb, id="probe-progress")
                yield DataTable(id="probe-findings", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.relocalize()
        self.query_one("#probe-findings").display = False
        self.query_one("#probe-host" if not self.initial_host else "#probe-start").focus()

    def relocalize(self) -> None:
        apply_bindings(self, self.key_bindings())
        self.query_one("#host-label", Label).update(_("Host"))
        self.query_one("#port-label", Label).update(_("Port"))
        self.query_one("#probe-start", Button).label = _("Probe")
        self.query_one("#probe-host", Input).placeholder = _("host name or IP address")
        self.query_one(ProgressList).relocalize()
        self.show_status()
        if self.report is not None:
            self.show_findings(self.report)

    def show_status(self) -> None:
        if self.running:
            text = _("Probing… press Esc to cancel.")
        elif self.report is None:
            text = _("Only the server you name is contacted. Press Enter or Ctrl+S to start.")
        elif self.report.unreachable:
            text = _("Could not reach {host}:{port}.").format(
                host=self.report.target.host, port=self.report.target.port
            )
        else:
            text = _("Done in {seconds:.2f} s, {count} handshakes.").format(
                seconds=self.report.elapsed_s, count=self.report.handshakes
            )
        self.query_one("#probe-status", Static).update(Text(text))

    @on(Input.Submitted)
    @on(Button.Pressed, "#probe-start")
    def action_start(self) -> None:
        if self.running:
            return
        target = parse_target(self.query_one("#probe-host", Input).value, self.query_one("#probe-port", Input).value)
        if target is None:
            self.notify(
                _("Enter a host name and a port between 1 and 65535."),
                severity="warning",
                markup=False,
            )
            return
        host, port = target
        self.cancel = threading.Event()
        self.running = True
        self.report = None
        self.query_one("#probe-findings").display = False
        progress = self.query_one(ProgressList)
        progress.reset(self.checks or [c for c in self.kb.checks if not c.startswith("file.")])
        self.show_status()
        self.run_probe(ProbeTarget(host=host, port=port))

    @work(thread=True, exclusive=True, exit_on_error=False, group="probe")
    def run_probe(self, target: ProbeTarget) -> None:
        def progress(check_id: str, status: Any) -> None:
            self.app.call_from_thread(self.query_one(ProgressList).set_state, check_id, status)

        try:
            report = self.assistant.probe_runner(
                target,
                checks=self.checks,
                progress=progress,
                cancel=self.cancel,
                now=self.assistant.clock(),
            )
        except Exception as error:  # run_probe promises not to raise; the screen survives if it does
            self.app.call_from_thread(self.finished, None, _("The probe failed: {error}").format(error=error))
            return
        self.app.call_from_thread(self.finished, report)

    def finished(self, report: ProbeReport | None, problem: str = "") -> None:
        self.running = False
        if report is None:
            self.notify(problem, severity="warning", markup=False)
            self.show_status()
            return
        self.report = report
        self.show_status()
        self.show_findings(report)
        if self.on_findings is not None and report.findings:  # partial results after a cancel still count
            self.on_findings(list(report.findings), "probe")

    def show_findings(self, report: ProbeReport) -> None:
        progress = self.query_one(ProgressList)
        for finding in report.findings:
            progress.states[finding.check] = str(finding.status)
        progress.relocalize()
        table = self.query_one("#probe-findings", DataTable)
        table.clear(columns=True)
        table.add_columns(_("Check"), _("Result"), _("What was seen"))
        words = progress.status_words()
        for finding in report.findings:
            status = str(finding.status)
            table.add_row(
                Text(finding.check),
                Text(words.get(status, status), style=STATUS_STYLE.get(status, "")),
                inert(finding.evidence),
            )
        table.display = bool(report.findings)

    def action_cancel_or_close(self) -> None:
        if self.running:
            self.cancel.set()
            self.query_one("#probe-status", Static).update(Text(_("Cancelling…")))
        else:
            self.app.pop_screen()
