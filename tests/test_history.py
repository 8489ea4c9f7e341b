"""The case history: a real SQLite file under a temporary data directory; keys and passwords never
reach the disk; the `history` command lists, shows, exports and deletes."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from assistant.history import KEY_REMOVED, SECRET_REMOVED, open_history, record_case, scrub
from assistant.model import Candidate, EvidenceItem, Finding, Status
from tests.conftest import ROOT


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("SSL_ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def _cli(data_dir, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONPATH": str(ROOT), "SSL_ASSISTANT_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=60
    )


def _key_pem(fmt: serialization.PrivateFormat, password: bytes | None = None) -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    encryption = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    return key.private_bytes(serialization.Encoding.PEM, fmt, encryption).decode()


def test_round_trip_keeps_runtime_values_as_data(data_dir):
    candidate = Candidate(
        "incomplete-chain", 0.8, (EvidenceItem("paste", "ERR_CERT_AUTHORITY_INVALID", 0.5, (0, 26), "v1"),)
    )
    finding = Finding(
        "chain.complete", Status.FAIL, "The server sent 1 certificate.", "incomplete-chain", {"chain_length": 1}
    )
    with open_history() as history:
        first = history.save_case("diagnose", "ko", "인증서 체인 오류", [{"say": "인증서 체인 오류"}], [candidate], [])
        second = history.save_case(
            "probe", "en", "", [], [], [finding], facts={"cert_days_left": 3}, target={"host": "a.example", "port": 443}
        )
        assert second > first
        assert [case.number for case in history.list_cases()] == [second, first]
        case = history.get_case(first)
        assert case.paste == "인증서 체인 오류" and case.language == "ko" and case.kind == "diagnose"
        assert case.top == "incomplete-chain"
        assert case.diagnoses[0]["evidence"][0] == {
            "source": "paste",
            "text": "ERR_CERT_AUTHORITY_INVALID",
            "weight": 0.5,
            "span": [0, 26],
            "ref": "v1",
        }
        probe = history.get_case(second)
        assert probe.findings[0]["status"] == "fail" and probe.facts == {"cert_days_left": 3}
        assert probe.target == {"host": "a.example", "port": 443}
        assert history.delete_case(first) is True
        assert history.delete_case(first) is False
        assert history.get_case(first) is None
    path = data_dir / "history.sqlite3"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


@pytest.mark.parametrize(
    "fmt, password",
    [
        (serialization.PrivateFormat.PKCS8, None),
        (serialization.PrivateFormat.TraditionalOpenSSL, None),
        (serialization.PrivateFormat.PKCS8, b"secret-pass"),
        (serialization.PrivateFormat.OpenSSH, None),
    ],
)
def test_private_keys_never_reach_the_file(data_dir, fmt, password):
    pem = _key_pem(fmt, password)
    body = [line for line in pem.splitlines() if line and not line.startswith("-----")]
    paste = f"nginx: key values mismatch\n{pem}\nand the cert\n-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    with open_history() as history:
        number = history.save_case("chat", "en", paste, [{"say": paste}], [], [], facts={"note": pem})
        case = history.get_case(number)
    assert KEY_REMOVED in case.paste and "key values mismatch" in case.paste
    assert "-----BEGIN CERTIFICATE-----" in case.paste  # certificates are public: kept as typed
    raw = (data_dir / "history.sqlite3").read_bytes()
    for line in body:
        assert line.encode() not in raw
    assert b"PRIVATE KEY-----" not in raw.replace(KEY_REMOVED.encode(), b"")


def test_a_key_cut_short_by_the_paste_is_removed_to_the_end():
    pem = _key_pem(serialization.PrivateFormat.PKCS8)
    cut = pem[: len(pem) // 2]
    assert scrub("before\n" + cut) == "before\n" + KEY_REMOVED


@pytest.mark.parametrize(
    "text, secret",
    [
        ('<Connector keystorePass="changeit123" />', "changeit123"),
        ("openssl pkcs12 -export -passout pass:Hunter2 -in a.crt", "Hunter2"),
        ("keytool -list -storepass s3cr3t -keystore a.jks", "s3cr3t"),
        ("password=p@ss!word", "p@ss!word"),
        ("PFX 密码：abc12345", "abc12345"),
        ("비밀번호: qwerty99", "qwerty99"),
    ],
)
def test_passwords_are_scrubbed(text, secret):
    cleaned = scrub(text)
    assert secret not in cleaned and SECRET_REMOVED in cleaned


def test_ordinary_error_text_is_stored_as_typed():
    text = "SSL_ERROR_BAD_CERT_DOMAIN: 憑證不受信任 — the password prompt never appeared"
    assert scrub(text) == text


def test_no_history_flag_keeps_nothing(data_dir):
    class Args:
        no_history = True

    assert record_case(Args(), "diagnose", "en", "x") is None
    assert not (data_dir / "history.sqlite3").exists()
    Args.no_history = False
    number = record_case(Args(), "diagnose", "en", "x")
    assert number == 1


def test_an_unwritable_history_warns_and_does_not_raise(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("SSL_ASSISTANT_DATA_DIR", str(blocker / "data"))

    class Args:
        no_history = False

    assert record_case(Args(), "diagnose", "en", "x") is None
    assert "history" in capsys.readouterr().err


def test_history_command(data_dir):
    empty = _cli(data_dir, "history")
    assert empty.returncode == 0 and empty.stdout == ""
    with open_history() as history:
        history.save_case(
            "diagnose",
            "zh-Hant",
            "NET::ERR_CERT_DATE_INVALID 憑證已過期",
            [],
            [{"id": "cert-expired", "score": 0.9}],
            [],
        )
        history.save_case("probe", "en", "", [], [], [], target={"host": "127.0.0.1", "port": 8443})
    listed = _cli(data_dir, "history", "list")
    assert listed.returncode == 0 and "\033[" not in listed.stdout
    lines = listed.stdout.splitlines()
    assert "#2" in lines[0] and "127.0.0.1:8443" in lines[0]
    assert "#1" in lines[1] and "cert-expired" in lines[1] and "憑證已過期" in lines[1]

    shown = _cli(data_dir, "history", "show", "1")
    assert shown.returncode == 0 and "NET::ERR_CERT_DATE_INVALID" in shown.stdout and "cert-expired" in shown.stdout

    exported = _cli(data_dir, "history", "export", "#1")
    case = json.loads(exported.stdout)
    assert case["schema_version"] == 1 and case["case"] == 1 and case["diagnoses"][0]["id"] == "cert-expired"
    every = [json.loads(line) for line in _cli(data_dir, "history", "export").stdout.splitlines()]
    assert [item["case"] for item in every] == [1, 2]

    assert _cli(data_dir, "history", "delete", "1").returncode == 0
    for args in (("show", "1"), ("delete", "1"), ("show",), ("show", "abc")):
        result = _cli(data_dir, "history", *args)
        assert result.returncode == 2 and result.stdout == "" and "Traceback" not in result.stderr


def test_the_cli_faces_keep_their_cases_unless_told_not_to(tmp_path, monkeypatch):
    import subprocess
    import sys

    from tests.conftest import ROOT

    monkeypatch.setenv("SSL_ASSISTANT_DATA_DIR", str(tmp_path))
    base = [sys.executable, "-m", "assistant"]
    subprocess.run([*base, "diagnose", "NET::ERR_CERT_DATE_INVALID"], cwd=ROOT, capture_output=True, check=False)
    subprocess.run([*base, "--no-history", "diagnose", "ERR_CERT_AUTHORITY_INVALID"], cwd=ROOT, capture_output=True)
    subprocess.run(
        [*base, "chat", "--jsonl"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        input='{"say": "SEC_ERROR_UNKNOWN_ISSUER"}\n',
    )
    subprocess.run([*base, "lookup", "0x800B0109"], cwd=ROOT, capture_output=True)
    from tests.pki import PKI

    files = PKI(tmp_path / "pki").write("site", PKI(tmp_path / "pki").leaf(None, ["www.example.test"]))
    subprocess.run([*base, "check", str(files.cert), str(files.key)], cwd=ROOT, capture_output=True)
    listed = subprocess.run([*base, "history", "list"], cwd=ROOT, capture_output=True, text=True)
    assert listed.returncode == 0, listed.stderr
    assert "ERR_CERT_DATE_INVALID" in listed.stdout or "diagnose" in listed.stdout
    assert "ERR_CERT_AUTHORITY_INVALID" not in listed.stdout
    from assistant.history import open_history

    with open_history() as history:
        kinds = sorted(case.kind for case in history.list_cases())
    assert kinds == ["chat", "check", "diagnose", "lookup"]
    stored = b"".join(path.read_bytes() for path in tmp_path.glob("*.sqlite3*"))
    assert b"PRIVATE KEY" not in stored
