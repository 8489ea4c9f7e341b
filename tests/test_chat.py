"""`ssl-assistant chat --jsonl`: one JSON object per line in and out, errors as data, EOF ends cleanly."""

from __future__ import annotations

import io
import json
import socket
from datetime import UTC, datetime

import pytest

from assistant.commands.chat import serve
from assistant.kb.load import read

NOW = datetime(2025, 6, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def kb():
    return read()


def _chat(kb, *messages: object) -> list[dict]:
    lines = [m if isinstance(m, str) else json.dumps(m) for m in messages]
    out = io.StringIO()
    serve(lines, out, kb, now=NOW)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_key_usage_conversation_over_json_lines(kb):
    replies = _chat(
        kb,
        {"say": "Chrome shows ERR_SSL_KEY_USAGE_INCOMPATIBLE since we renewed the certificate"},
        {"answer": {"question": "q.server_software", "value": "iis"}},
        {"answer": {"question": "q.can_change_ciphers", "value": True}},
        {"skip_probe": True},
        {"why": "key-usage-incompatible"},
    )
    assert len(replies) == 5 and all(r["schema_version"] == 1 for r in replies)
    first = replies[0]
    assert first["diagnoses"][0]["id"] == "key-usage-incompatible"
    assert first["question"]["id"] == "q.server_software"
    assert {"value": None, "text": "I don't know"} in first["question"]["options"]
    assert replies[1]["question"]["id"] == "q.can_change_ciphers"
    assert replies[1]["question"]["options"][0] == {"value": True, "text": "Yes"}
    assert replies[2]["probe_suggested"]["checks"] and replies[2]["done"] is False
    assert replies[3]["done"] is True and replies[3]["question"] is None
    why = replies[4]["why"]
    assert why["diagnosis"] == "key-usage-incompatible"
    assert [e["source"] for e in why["evidence"]][0] == "paste"


def test_malformed_lines_get_an_error_and_the_loop_continues(kb):
    replies = _chat(
        kb,
        "not json",
        "[1, 2]",
        {"nope": 1},
        {"answer": {"question": "q.server_software", "value": "lighttpd"}},
        {"answer": {"question": "q.no_such", "value": True}},
        {"answer": "iis"},
        {"say": ""},
        {"lang": "xx"},
        {"why": "not-a-diagnosis"},
        {"probe": {"host": "127.0.0.1", "port": 70000}},
        {"files": "cert.pem"},
        {"back": True},
    )
    assert len(replies) == 12
    assert all("error" in r and r["error"] for r in replies[:11])
    assert "error" not in replies[11] and replies[11]["diagnoses"] == []


def test_language_switch_changes_question_and_title_texts(kb):
    replies = _chat(kb, {"lang": "ko"}, {"say": "ERR_SSL_KEY_USAGE_INCOMPATIBLE"}, {"back": True}, {"lang": "zh-Hant"})
    assert replies[1]["language"] == "ko"
    assert replies[1]["question"]["text"] == "사이트의 HTTPS는 어떤 서버가 처리하나요?"
    assert replies[3]["question"]["text"] == "網站的 HTTPS 由哪種伺服器提供？"
    title = kb.entries["key-usage-incompatible"].title
    assert replies[3]["diagnoses"][0]["title"] == title.get("zh-Hant")


def test_back_brings_the_question_back(kb):
    replies = _chat(
        kb,
        {"say": "ERR_SSL_KEY_USAGE_INCOMPATIBLE"},
        {"answer": {"question": "q.server_software", "value": "nginx"}},
        {"back": True},
    )
    assert replies[1]["question"]["id"] == "q.can_change_ciphers"
    assert replies[2]["question"]["id"] == "q.server_software"


def test_probe_of_a_closed_loopback_port_is_recorded_and_reported(kb):
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    replies = _chat(
        kb, {"say": "ERR_SSL_KEY_USAGE_INCOMPATIBLE"}, {"probe": {"host": "127.0.0.1", "port": port, "timeout": 2}}
    )
    assert replies[1]["error"]
    assert replies[1]["schema_version"] == 1 and "diagnoses" in replies[1]


def test_files_feed_the_session_and_a_mismatched_key_leads(kb, tmp_path):
    from tests.pki import PKI, make_key

    pki = PKI(tmp_path)
    root = pki.root()
    files = pki.write("site", pki.leaf(root, ["www.example.test"]), [root])
    other_key = tmp_path / "other.key"
    other_key.write_bytes(pki.leaf(root, ["x.test"], key=make_key("rsa", 2048, fresh=True), key_type="rsa").key_pem)

    replies = _chat(
        kb,
        {"say": "apache will not start after I installed the new certificate"},
        {"files": [str(files.cert), str(other_key)]},
    )
    reply = replies[-1]
    assert "error" not in reply, reply
    assert any(f["check"] == "file.key_match" and f["status"] == "fail" for f in reply["findings"])
    assert reply["diagnoses"][0]["id"] == "key-mismatch"
    assert "PRIVATE KEY" not in json.dumps(replies)
