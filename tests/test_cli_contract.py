"""The scriptable CLI contract (docs/cli.md): every command's JSON shape and schema_version, the
documented exit codes (0 clean, 1 problems, 2 usage, 3 unreachable), stdout carrying only the
requested output, and colour on a terminal but plain text when piped. Real servers on 127.0.0.1 and
real certificate files made at test time."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys

import pytest

from tests.conftest import ROOT, cli_env
from tests.conftest import run_cli as run
from tests.pki import PKI
from tests.tls_servers import free_port, http_response, tls_server

STATUSES = {"pass", "warn", "fail", "info", "error"}


def _taxonomy() -> set[str]:
    lines = (ROOT / "knowledge/taxonomy.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return {line.split("\t")[0] for line in lines if line.strip()}


TAXONOMY = _taxonomy()


@pytest.fixture(autouse=True)
def _private_history(tmp_path, monkeypatch):
    monkeypatch.setenv("SSL_ASSISTANT_DATA_DIR", str(tmp_path / "data"))


def run_tty(*args: str) -> tuple[int, str]:
    """stdout on a pseudo-terminal (stderr piped away): what a person at a terminal sees."""
    master, slave = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant", *args],
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
        env=cli_env(),
    )
    os.close(slave)
    output = b""
    while select.select([master], [], [], 60)[0]:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    os.close(master)
    return process.wait(30), output.decode("utf-8", "replace")


def as_json(result: subprocess.CompletedProcess[str]) -> dict:
    data = json.loads(result.stdout)
    assert data["schema_version"] == 1
    return data


def assert_ranked(diagnoses: list[dict]) -> None:
    for item in diagnoses:
        assert item["id"] in TAXONOMY and isinstance(item["title"], str) and item["title"]
        assert 0 <= item["score"] <= 1
    assert [d["score"] for d in diagnoses] == sorted((d["score"] for d in diagnoses), reverse=True)


def assert_findings_shape(data: dict) -> None:
    assert {"target", "findings", "diagnoses", "facts", "elapsed_s", "handshakes"} <= set(data)
    for finding in data["findings"]:
        assert {"check", "status", "diagnosis", "evidence"} <= set(finding)
        assert finding["status"] in STATUSES
        assert finding["diagnosis"] is None or finding["diagnosis"] in TAXONOMY
    assert_ranked(data["diagnoses"])
    assert isinstance(data["facts"], dict) and data["elapsed_s"] >= 0 and data["handshakes"] >= 0


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    pki = PKI(tmp_path_factory.mktemp("pki"))
    root = pki.root()
    inter = pki.intermediate(root)
    good = pki.write("good", pki.leaf(inter), [inter])
    broken = pki.write("broken", pki.leaf(inter), [])
    expired = pki.write("expired", pki.leaf(inter, days_before=400, days_after=-3), [inter])
    return {"good": good, "broken": broken, "expired": expired, "ca": pki.write_certs("root", [root])}


@pytest.fixture(scope="module")
def servers(pki):
    page = http_response(headers={"Strict-Transport-Security": "max-age=31536000"})
    with (
        tls_server(pki["good"].fullchain, pki["good"].key, alpn=["h2", "http/1.1"], response=page) as good,
        tls_server(pki["broken"].fullchain, pki["broken"].key, response=page) as broken,
    ):
        yield {"good": good, "broken": broken}


# --- diagnose ------------------------------------------------------------------------------------


def test_diagnose_json_shape_and_exit_1_when_something_is_found():
    result = run("diagnose", "NET::ERR_CERT_DATE_INVALID", "--json")
    assert result.returncode == 1 and result.stderr == ""
    data = as_json(result)
    assert data["language"] in ("en", "zh-Hans", "zh-Hant", "ko")
    assert data["diagnoses"] and "cert-expired" in [d["id"] for d in data["diagnoses"]]
    assert_ranked(data["diagnoses"])
    for item in data["diagnoses"]:
        assert all({"source", "text"} <= set(e) for e in item["evidence"])
    question = data["next_question"]
    assert question is None or ({"id", "text", "options"} <= set(question))


def test_diagnose_exit_0_when_nothing_is_found_and_2_on_empty_input():
    assert run("diagnose", "the weather is nice today", "--json").returncode == 0
    empty = run("diagnose", "-", stdin="   \n")
    assert empty.returncode == 2 and empty.stdout == "" and empty.stderr.strip()


# --- lookup --------------------------------------------------------------------------------------


def test_lookup_json_shape():
    result = run("lookup", "ERR_CERT_AUTHORITY_INVALID", "--json")
    assert result.returncode == 1
    data = as_json(result)
    assert data["query"] == "ERR_CERT_AUTHORITY_INVALID" and data["matches"]
    for match in data["matches"]:
        assert {"ecosystem", "code", "number", "meaning", "diagnoses"} <= set(match)
        assert set(match["diagnoses"]) <= TAXONOMY
    assert_ranked(data["diagnoses"])


def test_lookup_exit_codes():
    assert run("lookup", "NO_SUCH_CODE_ANYWHERE_12345", "--json").returncode == 0
    assert run("lookup", "  ").returncode == 2


# --- probe ---------------------------------------------------------------------------------------


def test_probe_json_shape_and_exit_codes(pki, servers):
    ca = str(pki["ca"])
    good = run("probe", f"127.0.0.1:{servers['good']}", "--sni", "localhost", "--ca-file", ca, "--json")
    assert good.returncode == 0, good.stdout
    data = as_json(good)
    assert_findings_shape(data)
    assert data["target"]["host"] == "127.0.0.1" and data["target"]["port"] == servers["good"]

    broken = run("probe", f"127.0.0.1:{servers['broken']}", "--sni", "localhost", "--ca-file", ca, "--json")
    assert broken.returncode == 1
    assert "incomplete-chain" in [d["id"] for d in as_json(broken)["diagnoses"]]

    refused = run("probe", f"127.0.0.1:{free_port()}", "--json", "--timeout", "2")
    assert refused.returncode == 3
    assert_findings_shape(as_json(refused))


@pytest.mark.parametrize("args", [("probe",), ("probe", "host:notaport"), ("probe", "127.0.0.1:1", "--timeout", "-1")])
def test_probe_usage_errors(args):
    result = run(*args)
    assert result.returncode == 2 and result.stdout == "" and "Traceback" not in result.stderr


# --- check ---------------------------------------------------------------------------------------


def test_check_json_shape_and_exit_codes(pki):
    good = run("check", str(pki["good"].fullchain), "--json")
    assert good.returncode in (0, 1), good.stdout + good.stderr  # a private root may be judged either way
    assert_findings_shape(as_json(good))
    assert "cert-expired" not in [d["id"] for d in as_json(good)["diagnoses"]]
    expired = run("check", str(pki["expired"].cert), "--json")
    assert expired.returncode == 1
    assert "cert-expired" in [d["id"] for d in as_json(expired)["diagnoses"]]


def test_check_usage_error_on_a_missing_file(tmp_path):
    result = run("check", str(tmp_path / "missing.pem"))
    assert result.returncode == 2 and result.stdout == "" and "Traceback" not in result.stderr


def test_check_colour_only_on_a_terminal(pki):
    code, text = run_tty("check", str(pki["expired"].cert))
    assert code == 1 and "\033[" in text
    piped = run("check", str(pki["expired"].cert))
    assert piped.stdout.strip() and "\033[" not in piped.stdout


def test_check_key_material_is_never_printed(pki):
    """Whatever state `check` is in, a private key given to it never comes back out."""
    key_pem = pki["good"].key.read_text()
    body = [line for line in key_pem.splitlines() if line and not line.startswith("-----")]
    for args in ((), ("--json",)):
        result = run("check", str(pki["good"].key), str(pki["good"].cert), *args)
        assert not any(line in result.stdout or line in result.stderr for line in body)
        assert "Traceback" not in result.stderr


# --- terminal versus pipe ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("diagnose", "ERR_CERT_COMMON_NAME_INVALID"),
        ("lookup", "ERR_CERT_AUTHORITY_INVALID"),
    ],
)
def test_colour_on_a_terminal_plain_text_when_piped(args):
    code, text = run_tty(*args)
    assert code == 1 and "\033[" in text
    piped = run(*args)
    assert piped.returncode == 1 and piped.stdout.strip() and "\033[" not in piped.stdout


def test_probe_colour_on_a_terminal_plain_text_when_piped(pki, servers):
    args = ("probe", f"127.0.0.1:{servers['broken']}", "--sni", "localhost", "--ca-file", str(pki["ca"]))
    code, text = run_tty(*args)
    assert code == 1 and "\033[" in text and "incomplete-chain" in text
    piped = run(*args)
    assert piped.returncode == 1 and "incomplete-chain" in piped.stdout and "\033[" not in piped.stdout


def test_json_is_never_coloured_even_on_a_terminal():
    code, text = run_tty("diagnose", "ERR_CERT_COMMON_NAME_INVALID", "--json")
    assert code == 1 and "\033[" not in text
    assert json.loads(text)["schema_version"] == 1


@pytest.mark.parametrize(
    "language, script", [("ko", "\uac00-\ud7a3"), ("zh-Hant", "\u4e00-\u9fff"), ("zh-Hans", "\u4e00-\u9fff")]
)
def test_text_output_is_localized(language, script):
    import re

    result = run("--lang", language, "diagnose", "ERR_CERT_DATE_INVALID")
    assert result.returncode == 1 and re.search(f"[{script}]", result.stdout)


# --- the support-staff commands ------------------------------------------------------------------


def test_report_and_history_exit_codes():
    assert run("history").returncode == 0
    assert run("history", "show", "42").returncode == 2
    assert run("report", "42").returncode == 2
    assert run("--no-history", "report", f"127.0.0.1:{free_port()}").returncode == 3
