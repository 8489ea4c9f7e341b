"""`ssl-assistant diagnose` and `lookup` as whole processes: output shapes, languages, exit codes, bad input."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.conftest import run_cli


def _run(*args: str, stdin: bytes | None = None):
    return run_cli(*args, stdin=stdin, text=False)


def _json(result: subprocess.CompletedProcess[bytes]) -> dict:
    return json.loads(result.stdout.decode("utf-8"))


def test_diagnose_json_shape():
    result = _run("diagnose", "Chrome says NET::ERR_CERT_DATE_INVALID on https://shop.example.com", "--json")
    assert result.returncode == 1
    data = _json(result)
    assert data["schema_version"] == 1 and data["language"] == "en"
    top = data["diagnoses"][0]
    assert set(top) >= {"id", "score", "title", "evidence"} and 0 <= top["score"] <= 1
    assert top["id"] in ("cert-expired", "clock-skew", "cert-not-yet-valid")
    evidence = top["evidence"][0]
    assert evidence["source"] == "paste" and evidence["text"] == "NET::ERR_CERT_DATE_INVALID"
    assert "next_question" in data
    assert data["facts"]["host"] == "shop.example.com"


def test_diagnose_reads_standard_input():
    result = _run("diagnose", "-", "--json", stdin=b"x509: certificate signed by unknown authority\n")
    assert result.returncode == 1
    assert _json(result)["diagnoses"]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("憑證過期 ERR_CERT_DATE_INVALID", "zh-Hant"),
        ("证书过期 ERR_CERT_DATE_INVALID", "zh-Hans"),
        ("인증서 만료 ERR_CERT_DATE_INVALID", "ko"),
    ],
)
def test_reply_language_follows_the_paste(text, language):
    assert _json(_run("diagnose", text, "--json"))["language"] == language


def test_lang_overrides_the_paste():
    result = _run("diagnose", "證書過期 ERR_CERT_DATE_INVALID", "--lang", "ko")
    assert result.returncode == 1
    assert "ERR_CERT_DATE_INVALID" in result.stdout.decode()
    assert _json(_run("diagnose", "證書過期", "--lang", "en", "--json"))["language"] == "en"


def test_text_output_is_plain_when_piped():
    result = _run("diagnose", "NET::ERR_CERT_AUTHORITY_INVALID")
    assert result.returncode == 1
    out = result.stdout.decode()
    assert "\x1b[" not in out and "ERR_CERT_AUTHORITY_INVALID" in out


def test_nothing_found_says_so_and_exits_0():
    result = _run("diagnose", "the weather is nice today", "--json")
    assert result.returncode == 0
    assert _json(result)["diagnoses"] == []
    text = _run("diagnose", "the weather is nice today")
    assert text.returncode == 0 and text.stdout.strip()


@pytest.mark.parametrize("stdin", [b"", b"   \n\t\n", b"\x00" * 100, bytes(range(256)) * 40])
def test_unusable_input_is_a_clear_usage_error(stdin):
    result = _run("diagnose", "-", stdin=stdin)
    assert result.returncode == 2
    assert result.stdout == b""
    assert result.stderr.strip() and b"Traceback" not in result.stderr


@pytest.mark.parametrize(
    "text",
    [
        "\x1b[31mERR_CERT_DATE_INVALID\x1b[0m",
        "[bold red]ERR_CERT_DATE_INVALID[/] [link=x]y[/link]",
        "\u202eERR_CERT_DATE_INVALID\u202c \u200f",
    ],
)
def test_escapes_markup_and_bidi_marks_do_not_leak(text):
    result = _run("diagnose", text)
    assert result.returncode == 1 and b"Traceback" not in result.stderr
    out = result.stdout.decode()
    assert "\x1b" not in out and "\u202e" not in out


def test_ten_megabytes_on_standard_input():
    line = b"2024-05-01 10:00:00.123 WARN javax.net.ssl.SSLHandshakeException: PKIX path building failed\n"
    result = _run("diagnose", "-", "--json", stdin=line * (11 * 2**20 // len(line)))
    assert result.returncode == 1 and b"Traceback" not in result.stderr
    assert _json(result)["diagnoses"]


def test_lookup_json_shape():
    result = _run("lookup", "0x800b0109", "--json")
    assert result.returncode == 1
    data = _json(result)
    assert data["schema_version"] == 1 and data["query"] == "0x800b0109"
    match = data["matches"][0]
    assert match["code"] == "CERT_E_UNTRUSTEDROOT" and match["ecosystem"] == "windows" and match["meaning"]
    assert "untrusted-root" in match["diagnoses"]
    assert {"id", "score", "title"} <= set(data["diagnoses"][0])


def test_lookup_localized_text_and_unknown_codes():
    known = _run("lookup", "ERR_CERT_DATE_INVALID", "--lang", "zh-Hant")
    assert known.returncode == 1 and "ERR_CERT_DATE_INVALID" in known.stdout.decode()
    unknown = _run("lookup", "NO_SUCH_CODE_ANYWHERE")
    assert unknown.returncode == 0 and unknown.stdout.strip()
    empty = _run("lookup", "  ")
    assert empty.returncode == 2 and b"Traceback" not in empty.stderr


def test_text_output_quotes_each_place_in_the_paste_once():
    from assistant.commands.diagnose import _outermost
    from assistant.model import EvidenceItem

    outer = EvidenceItem("paste", "ERR_SSL_KEY_USAGE_INCOMPATIBLE", 1.0, (10, 40))
    inner = EvidenceItem("paste", "KEY_USAGE_INCOMPATIBLE", 0.5, (18, 40))
    elsewhere = EvidenceItem("paste", "renewed", 0.2, (50, 57))
    assert _outermost((outer, inner, elsewhere)) == [outer, elsewhere]
