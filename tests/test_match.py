"""match(): the real engine on small knowledge bases built here, plus the shipped vocabulary."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.engine.match import match, scan
from assistant.engine.normalise import normalise
from assistant.kb.load import read
from tests.conftest import ROOT


def _text(words: str) -> dict[str, str]:
    return {"en": words, "zh-Hans": words, "zh-Hant": words, "ko": words}


def _entry(id_: str, group: str, signals: dict) -> dict:
    return {
        "id": id_,
        "group": group,
        "title": _text(f"title of {id_}"),
        "summary": _text("summary"),
        "mechanism": _text("mechanism"),
        "causes": [_text("cause")],
        "distinguish": _text("distinguish"),
        "signals": signals,
        "fix": [{"id": "step", "platform": "generic", "title": _text("fix"), "text": _text("do it")}],
    }


ENTRIES = [
    _entry(
        "cert-expired",
        "validity",
        {
            "codes": ["X509_V_ERR_CERT_HAS_EXPIRED"],
            "patterns": [r"certificate (?:has )?expired on \d+"],
            "phrases": {"en": ["the certificate has expired"], "zh-Hans": ["证书过期"], "ko": ["인증서가 만료"]},
        },
    ),
    _entry(
        "clock-skew",
        "validity",
        {
            "phrases": {"en": ["system clock is wrong"], "zh-Hant": ["電腦時間不對"], "ko": ["시간이 틀림"]},
        },
    ),
    _entry(
        "untrusted-root",
        "trust",
        {
            "phrases": {
                "en": ["root is not trusted"],
                "zh-Hans": ["根证书不受信任"],
                "ko": ["루트 인증서를 신뢰하지 않음"],
            },
        },
    ),
    _entry("self-signed", "trust", {"codes": ["DEPTH_ZERO_SELF_SIGNED_CERT"], "phrases": {"zh-Hans": ["证书"]}}),
    _entry("incomplete-chain", "trust", {"phrases": {"en": ["missing intermediate certificate"]}}),
]
VOCABULARY = [
    ("ecosystem", "code", "number", "message", "diagnosis", "source"),
    ("test", "TEST_ERR_DATE", "-9001", "The date is not right for this certificate", "cert-expired|clock-skew", "t"),
    ("test", "TEST_ERR_AUTH", "0x800B0109", "", "untrusted-root|self-signed|incomplete-chain", "t"),
    ("test", "TEST_ERR_VAGUE", "-9002", "Something went wrong in the handshake layer", "none", "t"),
    ("test", "", "", "unable to get local issuer certificate", "incomplete-chain|untrusted-root", "t"),
]


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    root: Path = tmp_path_factory.mktemp("kb")
    knowledge = root / "knowledge"
    for entry in ENTRIES:
        folder = knowledge / entry["group"]
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{entry['id']}.yaml").write_text(yaml.safe_dump(entry, allow_unicode=True), encoding="utf-8")
    taxonomy = ["id\tgroup\tdefinition"] + [f"{e['id']}\t{e['group']}\ttest" for e in ENTRIES]
    (knowledge / "taxonomy.tsv").write_text("\n".join(taxonomy) + "\n", encoding="utf-8")
    (knowledge / "vocabulary.tsv").write_text("\n".join("\t".join(row) for row in VOCABULARY) + "\n", encoding="utf-8")
    base = read(knowledge, ROOT / "rules")
    assert not [p for p in base.problems if "knowledge" in p.path], base.problems
    return base


def _ids(text: str, kb) -> list[str]:
    return [candidate.id for candidate in match(normalise(text), kb)]


def test_an_entry_code_names_its_diagnosis(kb):
    found = match(normalise("verify error: X509_V_ERR_CERT_HAS_EXPIRED"), kb)
    assert found[0].id == "cert-expired" and found[0].score > 0.9
    item = found[0].evidence[0]
    assert item.text == "X509_V_ERR_CERT_HAS_EXPIRED" and item.source == "paste"
    assert "verify error: X509_V_ERR_CERT_HAS_EXPIRED"[item.span[0] : item.span[1]] == item.text


def test_a_vocabulary_row_with_several_diagnoses_shares_its_weight(kb):
    found = match(normalise("TEST_ERR_AUTH"), kb)
    assert [c.id for c in found] == ["untrusted-root", "self-signed", "incomplete-chain"]  # listed order kept
    assert found[0].score < 0.5


def test_an_exact_code_outweighs_phrases_for_another_diagnosis(kb):
    text = "root is not trusted, missing intermediate certificate? error X509_V_ERR_CERT_HAS_EXPIRED"
    assert _ids(text, kb)[0] == "cert-expired"


def test_a_phrase_breaks_the_tie_of_a_shared_code(kb):
    assert _ids("TEST_ERR_DATE and I think the system clock is wrong", kb)[0] == "clock-skew"
    assert _ids("TEST_ERR_DATE the certificate has expired", kb)[0] == "cert-expired"


@pytest.mark.parametrize("number", ["-9001", "0x800b0109", "800B0109", "-2146762487"])
def test_numbers_in_any_common_form(kb, number):
    assert _ids(f"failed with error {number} while connecting", kb)


def test_a_known_message_is_found_inside_a_line(kb):
    found = match(normalise("curl: (60) SSL certificate problem: unable to get local issuer certificate"), kb)
    assert found[0].id == "incomplete-chain"


def test_a_row_without_diagnosis_is_recognised_but_names_nothing(kb):
    evidence = normalise("TEST_ERR_VAGUE happened")
    assert match(evidence, kb) == []
    assert [hit.text for hit in scan(evidence, kb)] == ["TEST_ERR_VAGUE"]


def test_patterns_match_variable_messages(kb):
    assert _ids("the certificate expired on 20240501 at noon", kb)[0] == "cert-expired"


def test_traditional_phrases_match_simplified_text_and_back(kb):
    assert _ids("電腦時間不對，所以網站打不開", kb)[0] == "clock-skew"  # zh-Hant phrase, zh-Hant text
    assert _ids("电脑时间不对吧", kb)[0] == "clock-skew"  # zh-Hant phrase, zh-Hans text
    assert _ids("根證書不受信任", kb)[0] == "untrusted-root"  # zh-Hans phrase, zh-Hant text


def test_korean_phrases_survive_spacing_and_endings(kb):
    assert _ids("접속하면 인증서가 만료되었다고 나와요", kb)[0] == "cert-expired"
    assert _ids("루트 인증서를 신뢰하지 않는다는 경고", kb)[0] == "untrusted-root"


def test_a_short_phrase_does_not_match_everything(kb):
    found = match(normalise("我们公司的证书申请流程是什么"), kb)
    assert all(c.score < 0.35 for c in found)


def test_nothing_recognisable_gives_no_candidates(kb):
    assert _ids("hello, how are you today?", kb) == []
    assert _ids("", kb) == []


def test_scores_are_sorted_and_bounded(kb):
    text = "X509_V_ERR_CERT_HAS_EXPIRED TEST_ERR_AUTH 证书过期 root is not trusted " * 50
    found = match(normalise(text), kb)
    scores = [c.score for c in found]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= s <= 1 for s in scores)


def test_a_repeated_error_is_one_piece_of_evidence(kb):
    once = match(normalise("TEST_ERR_AUTH"), kb)[0].score
    many = match(normalise("\n".join(f"line {i}: TEST_ERR_AUTH" for i in range(200))), kb)[0].score
    assert many == once


def test_evidence_spans_point_into_the_paste(kb):
    text = "\x1b[1mＸ509_V_ERR_CERT_HAS_EXPIRED\x1b[0m — 憑證過期"
    for candidate in match(normalise(text), kb):
        for item in candidate.evidence:
            start, end = item.span
            assert 0 <= start < end <= len(text)


def test_the_shipped_vocabulary_resolves_real_codes():
    kb = read()
    assert "cert-expired" in _ids("NET::ERR_CERT_DATE_INVALID", kb)[:3]
    assert _ids("x509: certificate signed by unknown authority", kb)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=2000))
def test_never_raises_and_is_deterministic(kb, text):
    first = match(normalise(text), kb)
    assert first == match(normalise(text), kb)
    assert all(0 <= c.score <= 1 for c in first)
