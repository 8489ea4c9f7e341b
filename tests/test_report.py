"""The ticket report: a stored case or a live loopback probe as Markdown and as a self-contained HTML
page, in the chosen language and platform; the page is opened in headless Chromium."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from assistant.history import open_history
from assistant.i18n import translation
from assistant.kb import load_kb
from assistant.render import fix_steps
from assistant.report import build_report, case_from_probe
from tests.conftest import ROOT
from tests.pki import PKI
from tests.tls_servers import free_port, tls_server

HOSTILE = "ERR_CERT_AUTHORITY_INVALID <script>alert('x')</script> **bold** | pipe `tick` ```"
FOLLOW_UP = "and nginx -t says <img src=x onerror=alert(1)> **loud**"
TRANSCRIPT = [  # Session.transcript()'s shape, as the history keeps it
    {"say": HOSTILE, "language": "en"},
    {"answer": "q.server_software", "facts": {"server_software": "nginx"}},
    {"answer": "q.clock_correct", "facts": {"clock_correct": None}},
    {"answer": "q.host", "facts": {"host": "shop.example", "port": 8443}},
    {"say": FOLLOW_UP, "language": "en"},
    {"record": "file", "findings": [{"check": "file.key_match", "status": "fail", "diagnosis": "key-mismatch"}]},
]
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("SSL_ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


@pytest.fixture
def case(data_dir):
    diagnoses = [
        {
            "id": "incomplete-chain",
            "score": 0.82,
            "evidence": [{"source": "paste", "text": "ERR_CERT_AUTHORITY_INVALID", "weight": 0.6}],
        },
        {"id": "untrusted-root", "score": 0.4},
    ]
    findings = [
        {
            "check": "chain.complete",
            "status": "fail",
            "diagnosis": "incomplete-chain",
            "evidence": "Only the leaf <b>was</b> sent.",
        }
    ]
    with open_history() as history:
        number = history.save_case(
            "tui", "zh-Hant", HOSTILE, TRANSCRIPT, diagnoses, findings, facts={"host": "shop.example"}, now=NOW
        )
        return history.get_case(number)


def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONPATH": str(ROOT), "SSL_ASSISTANT_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120
    )


def _step_titles(diagnosis: str, language: str, platform: str, facts: dict) -> list[str]:
    return [step.title for step in fix_steps(load_kb(), diagnosis, facts, language, platform)]


def test_markdown_report_has_paste_diagnoses_findings_and_the_platform_fix(case):
    text = build_report(load_kb(), case, form="md", platform="apache", now=NOW)
    entry = load_kb().entries["incomplete-chain"]
    assert entry.title.get("zh-Hant") in text  # the case's language by default
    assert "`incomplete-chain`" in text and "`untrusted-root`" in text and "82 %" in text
    # the paste sits in a fence longer than any backtick run inside it, so it cannot break out
    assert "````text\n" + HOSTILE + "\n````" in text
    assert "Only the leaf \\<b\\>was\\</b\\> sent." in text
    titles = _step_titles("incomplete-chain", "zh-Hant", "apache", case.facts)
    assert titles and all(title in text for title in titles)
    nginx_only = set(_step_titles("incomplete-chain", "zh-Hant", "nginx", case.facts)) - set(titles)
    assert nginx_only and not any(title in text for title in nginx_only)


def _question(question_id: str, language: str) -> str:
    return load_kb().questions[question_id].text.get(language)


@pytest.mark.parametrize("language", ["en", "zh-Hant"])
def test_report_has_the_conversation_between_paste_and_diagnosis(case, language):
    kb = load_kb()
    text = build_report(kb, case, form="md", language=language, platform="nginx", now=NOW)
    nginx = next(o for o in kb.questions["q.server_software"].options if o.value == "nginx")
    asked = [_question(q, language) for q in ("q.server_software", "q.clock_correct", "q.host")]
    conversation = text.index("## " + translation(language).gettext("Conversation"))
    assert text.index("```text\n" + HOSTILE) < conversation < text.index(asked[0]) < text.index(asked[1])
    assert text.index(asked[2]) < text.index("## " + translation(language).gettext("Likely causes"))
    # each answer follows its question, as the user chose it, in the report's language
    said = "**" + translation(language).gettext("You") + ":** "
    assert text.index(asked[0]) < text.index(said + nginx.text.get(language)) < text.index(asked[1])
    unknown = said + translation(language).gettext("I don't know")
    assert text.index(asked[1]) < text.index(unknown) < text.index(asked[2]) < text.index(said + "shop.example:8443")
    # the first paste is the paste section itself: not repeated; the later one is, fenced
    assert text.count(HOSTILE) == 1 and "```text\n" + FOLLOW_UP + "\n```" in text
    checked = translation(language).ngettext(
        "Checked the files: {count} check, {failed} need attention.",
        "Checked the files: {count} checks, {failed} need attention.",
        1,
    )
    assert checked.format(count=1, failed=1) in text


def test_html_conversation_is_escaped(case):
    page = build_report(load_kb(), case, form="html", language="ko", now=NOW)
    section = page[page.index('<section id="conversation">') : page.index('<section id="diagnoses">')]
    assert _question("q.server_software", "ko") in section and "<img" not in page
    assert "&lt;img src=x onerror=alert(1)&gt; **loud**" in section


@pytest.mark.parametrize("language", ["en", "zh-Hans", "ko"])
def test_report_language_can_be_chosen(case, language):
    text = build_report(load_kb(), case, form="md", language=language, platform="nginx", now=NOW)
    assert load_kb().entries["incomplete-chain"].title.get(language) in text
    assert all(title in text for title in _step_titles("incomplete-chain", language, "nginx", case.facts))


def test_html_report_escapes_everything_the_user_or_server_wrote(case):
    page = build_report(load_kb(), case, form="html", platform="iis", now=NOW)
    assert page.startswith("<!doctype html>") and '<html lang="zh-Hant">' in page
    assert "<script" not in page and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "Only the leaf &lt;b&gt;was&lt;/b&gt; sent." in page
    assert not re.search(r"(src|href)=\"(?!https?://)", page)  # self-contained: nothing to load
    assert all(title in page for title in _step_titles("incomplete-chain", "zh-Hant", "iis", case.facts))


def test_probe_report_from_a_live_server(tmp_path):
    pki = PKI(tmp_path)
    root = pki.root()
    inter = pki.intermediate(root)
    files = pki.write("site", pki.leaf(inter), [])  # the intermediate is missing
    from assistant.model import ProbeTarget
    from assistant.probes import DEFAULT_CHECKS, run_probe

    with tls_server(files.fullchain, files.key) as port:
        report = run_probe(
            ProbeTarget("127.0.0.1", port, sni="localhost", timeout=3), checks=(*DEFAULT_CHECKS, "chain.served")
        )
    case = case_from_probe(report, "en", number=7, now=NOW)
    assert case.top is not None and case.target["port"] == port
    text = build_report(load_kb(), case, form="md", now=NOW)
    assert f"127.0.0.1:{port}" in text and "Case 7" in text
    assert f"`{case.top}`" in text and "`chain.complete`" in text


def test_report_command_for_a_case_and_for_a_host(tmp_path, data_dir, case):
    out = tmp_path / "ticket.html"
    written = _cli(
        data_dir, "report", str(case.number), "--format", "html", "--platform", "nginx", "--lang", "ko", "-o", str(out)
    )
    assert written.returncode == 0, written.stderr
    page = out.read_text(encoding="utf-8")
    assert '<html lang="ko">' in page and load_kb().entries["incomplete-chain"].title.get("ko") in page
    assert _question("q.server_software", "ko") in page  # the conversation, from the history row

    pki = PKI(tmp_path / "pki")
    leaf = pki.leaf(None)  # self-signed
    files = pki.write("self", leaf)
    with tls_server(files.cert, files.key) as port:
        probed = _cli(data_dir, "report", f"127.0.0.1:{port}")
    assert probed.returncode == 0, probed.stderr
    assert f"127.0.0.1:{port}" in probed.stdout and "`chain.trusted`" in probed.stdout
    with open_history() as history:
        assert history.list_cases()[0].target["port"] == port  # the probe is kept as a case

    down = _cli(data_dir, "--no-history", "report", f"127.0.0.1:{free_port()}")
    assert down.returncode == 3 and "could not be reached" in down.stdout
    with open_history() as history:
        assert len(history.list_cases()) == 2


@pytest.mark.parametrize(
    "args",
    [
        ("report", "999"),
        ("report", "1", "--platform", "windows"),
        ("report", "not a host:port:x"),
        ("report", "1", "--format", "pdf"),
        ("report", "1", "-o", "/nonexistent-dir/x.md"),
    ],
)
def test_report_usage_errors(data_dir, case, args):
    result = _cli(data_dir, *args)
    assert result.returncode == 2 and "Traceback" not in result.stderr and result.stderr.strip()


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.mark.slow
@pytest.mark.skipif(_chromium() is None, reason="chromium is not installed (./test installs it)")
def test_html_report_renders_in_chromium(tmp_path, case):
    page = tmp_path / "report.html"
    page.write_text(build_report(load_kb(), case, form="html", platform="nginx", now=NOW), encoding="utf-8")
    command = [
        _chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    dom = subprocess.run([*command, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120).stdout
    assert load_kb().entries["incomplete-chain"].title.get("zh-Hant") in dom
    assert 'data-id="incomplete-chain"' in dom and 'id="fix"' in dom
    assert 'id="conversation"' in dom and _question("q.clock_correct", "zh-Hant") in dom
    assert "&lt;script&gt;alert('x')&lt;/script&gt;" in dom and "<script" not in dom
    shot = tmp_path / "report.png"
    subprocess.run(
        [*command, "--window-size=1000,1400", f"--screenshot={shot}", page.as_uri()], capture_output=True, timeout=120
    )
    assert shot.exists() and shot.stat().st_size > 10_000  # a blank page compresses to far less
