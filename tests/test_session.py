"""The session engine on a small knowledge base written here, and on the shipped rules."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from assistant.engine.drive import drive
from assistant.engine.session import Session
from assistant.kb.load import read
from assistant.model import AskQuestion, Candidate, Evidence, EvidenceItem, Finding, Finished, Status, SuggestProbe

NOW = datetime(2025, 6, 1, tzinfo=UTC)


def _text(en: str) -> dict[str, str]:
    return {"en": en, "zh-Hans": en + "（简）", "zh-Hant": en + "（繁）", "ko": en + " (ko)"}


@pytest.fixture
def small_kb(tmp_path: Path):
    knowledge, rules = tmp_path / "knowledge", tmp_path / "rules"
    for folder in ("facts", "questions", "checks", "inference"):
        (rules / folder).mkdir(parents=True)
    knowledge.mkdir()
    (knowledge / "taxonomy.tsv").write_text(
        "id\tgroup\tdefinition\nalpha\tg\tA.\nbeta\tg\tB.\ngamma\tg\tC.\n", encoding="utf-8"
    )
    (knowledge / "vocabulary.tsv").write_text("ecosystem\tcode\tnumber\tmessage\tdiagnosis\tsource\n")
    facts = [
        {"name": "split", "type": "bool", "doc": "Separates alpha from beta."},
        {"name": "weak", "type": "bool", "doc": "Only hints at gamma."},
        {"name": "server", "type": "str", "doc": "Server.", "values": ["x", "y"]},
        {"name": "host", "type": "str", "doc": "Host."},
        {"name": "port", "type": "int", "doc": "Port."},
    ]
    questions = [
        {"id": "q.weak", "sets": "weak", "kind": "yes_no", "text": _text("Weak?")},
        {"id": "q.split", "sets": "split", "kind": "yes_no", "text": _text("Split?")},
        {
            "id": "q.server",
            "sets": "server",
            "kind": "choice",
            "text": _text("Which server?"),
            "options": [{"value": "x", "text": _text("X")}, {"value": "y", "text": _text("Y")}],
        },
        {"id": "q.host", "sets": "host", "kind": "host", "text": _text("Host?")},
    ]
    checks = [{"id": "leaf.alpha", "text": _text("Alpha check"), "diagnoses": ["alpha"]}]
    inference = [
        {
            "id": "r.split.yes",
            "when": {"facts": {"split": True}},
            "then": {"support": {"alpha": 0.8, "beta": -0.6}, "explain": _text("Split says alpha.")},
        },
        {"id": "r.split.no", "when": {"facts": {"split": False}}, "then": {"support": {"beta": 0.8, "alpha": -0.6}}},
        {"id": "r.weak", "when": {"facts": {"weak": True}}, "then": {"support": {"gamma": 0.3}}},
        {"id": "r.alpha.server", "when": {"candidate": "alpha", "missing": ["server"]}, "then": {"ask": "q.server"}},
        {"id": "r.alpha.probe", "when": {"candidate": "alpha", "known": ["server"]}, "then": {"probe": ["leaf.alpha"]}},
    ]
    for folder, items in (("facts", facts), ("questions", questions), ("checks", checks), ("inference", inference)):
        (rules / folder / "a.yaml").write_text(yaml.safe_dump(items, allow_unicode=True), encoding="utf-8")
    kb = read(knowledge, rules)
    assert kb.problems == ()
    return kb


def _paste(session: Session, scores: dict[str, float], facts: dict | None = None, text: str = "pasted") -> None:
    evidence = Evidence(text=text, folded=text, language="en", facts=facts or {})
    candidates = [Candidate(d, s, (EvidenceItem("paste", f"{d} signal", s, None, "sig"),)) for d, s in scores.items()]
    session.merge(evidence, candidates)


def test_asks_the_question_that_splits_the_candidates(small_kb):
    session = Session(small_kb, now=NOW)
    _paste(session, {"alpha": 0.4, "beta": 0.4})
    assert session.next_step() == AskQuestion("q.split")


def test_answer_moves_scores_then_asks_what_the_fix_needs_then_suggests_probe(small_kb):
    session = Session(small_kb, now=NOW)
    _paste(session, {"alpha": 0.4, "beta": 0.4})
    session.answer("q.split", True)
    assert session.candidates[0].id == "alpha"
    assert session.next_step() == AskQuestion("q.server")
    session.answer("q.server", "x")
    assert session.next_step() == SuggestProbe(("leaf.alpha",))
    session.skip_probe()
    step = session.next_step()
    assert isinstance(step, Finished)
    assert step.diagnosis.candidates[0].id == "alpha"
    assert step.diagnosis.facts["server"] == "x"


def test_i_dont_know_is_recorded_and_never_asked_again(small_kb):
    session = Session(small_kb, now=NOW)
    _paste(session, {"alpha": 0.4, "beta": 0.4})
    session.answer("q.split", None)
    assert session.facts == {"split": None}
    assert session.asked == ["q.split"]
    steps = []
    while not isinstance(step := session.next_step(), Finished):
        steps.append(step)
        assert step != AskQuestion("q.split")
        if isinstance(step, AskQuestion):
            session.answer(step.question_id, None)
        else:
            session.skip_probe()
    assert {c.id for c in step.diagnosis.candidates} == {"alpha", "beta"}


def test_back_undoes_the_last_answer_and_the_question_returns(small_kb):
    session = Session(small_kb, now=NOW)
    _paste(session, {"alpha": 0.4, "beta": 0.4})
    before = session.candidates
    session.answer("q.split", False)
    assert session.candidates[0].id == "beta"
    session.back()
    assert session.candidates == before
    assert session.next_step() == AskQuestion("q.split")


def test_a_fact_from_the_paste_is_not_asked(small_kb):
    session = Session(small_kb, now=NOW)
    _paste(session, {"alpha": 0.4, "beta": 0.4}, facts={"split": True})
    assert session.next_step() == AskQuestion("q.server")
    assert session.why("alpha")[1].source == "paste"


def test_weak_questions_that_split_nothing_are_not_asked(small_kb):
    session = Session(small_kb, now=NOW)
    _paste(session, {"alpha": 0.4, "beta": 0.4})
    session.answer("q.split", None)
    # q.weak only moves gamma, which is not a candidate: no information about alpha vs beta.
    assert session.next_step() != AskQuestion("q.weak")


def test_why_names_the_source_rule_and_explanation_in_the_session_language(small_kb):
    session = Session(small_kb, now=NOW)
    _paste(session, {"alpha": 0.4, "beta": 0.4})
    session.answer("q.split", True)
    why = session.why("alpha")
    assert [item.source for item in why] == ["paste", "answer"]
    assert why[1].ref == "r.split.yes" and why[1].weight == 0.8 and why[1].text == "Split says alpha."
    session.set_language("ko")
    assert session.why("alpha")[1].text == "Split says alpha. (ko)"
    # A rule without `explain` is described by its question and the answer given, localized.
    session.back()
    session.answer("q.split", False)
    assert session.why("beta")[1].ref == "r.split.no"
    assert "Split? (ko)" in session.why("beta")[1].text


def test_probe_findings_move_diagnoses_and_are_credited_to_the_probe(small_kb):
    session = Session(small_kb, now=NOW)
    _paste(session, {"alpha": 0.4, "beta": 0.4})
    session.record([Finding("leaf.alpha", Status.PASS, "alpha looks fine", "alpha", {"weak": True})])
    assert session.candidates[0].id == "beta"
    assert session.facts["weak"] is True
    assert session.why("alpha")[-1].source == "probe"
    assert session.transcript()[-1]["record"] == "probe"


def test_bad_answers_are_refused_with_a_message(small_kb):
    session = Session(small_kb, now=NOW)
    with pytest.raises(ValueError, match="q.nope"):
        session.answer("q.nope", True)
    with pytest.raises(ValueError, match="q.server"):
        session.answer("q.server", "z")
    with pytest.raises(ValueError):
        session.answer("q.split", "maybe")
    with pytest.raises(ValueError):
        session.answer("q.host", "two words")
    session.answer("q.split", "yes")
    session.answer("q.host", "https://www.example.com:8443/path")
    assert session.facts == {"split": True, "host": "www.example.com", "port": 8443}


def test_same_inputs_give_the_same_conversation(small_kb):
    def run() -> tuple[list, list]:
        session = Session(small_kb, now=NOW)
        _paste(session, {"alpha": 0.3, "beta": 0.35, "gamma": 0.1})
        drive(session, lambda q: {"q.split": False}.get(q))
        return session.transcript(), session.candidates

    assert run() == run()


def test_empty_session_finishes_with_nothing(small_kb):
    step = Session(small_kb, now=NOW).next_step()
    assert isinstance(step, Finished) and step.diagnosis.candidates == ()


# -- the shipped rules ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def kb():
    return read()


def test_key_usage_story_asks_server_then_cipher_control(kb):
    session = Session(kb, now=NOW)
    _paste(session, {"key-usage-incompatible": 0.95})
    asked = []
    final = drive(
        session, lambda q: asked.append(q) or {"q.server_software": "iis", "q.can_change_ciphers": True}.get(q)
    )
    assert asked == ["q.server_software", "q.can_change_ciphers"]
    assert final.diagnosis.candidates[0].id == "key-usage-incompatible"
    assert final.diagnosis.facts["can_change_ciphers"] is True


def test_untrusted_family_is_split_by_questions(kb):
    family = {"untrusted-root": 0.5, "incomplete-chain": 0.5, "self-signed": 0.4, "tls-interception": 0.4}
    session = Session(kb, now=NOW)
    _paste(session, family)
    answers = {"q.fails_only_some_clients": True, "q.old_client": False, "q.external_test_ok": False}
    final = drive(session, lambda q: answers.get(q))
    assert final.diagnosis.candidates[0].id == "incomplete-chain"
    assert len(session.asked) <= 4


# A paste that names no error (our own words, four languages): triage must reach the broad questions
# (does the page load with only a "Not secure" label? is another program on the port?) and converge
# on what a user who knows the situation answers. Questions not listed get "I don't know".
VAGUE = [
    "Our HTTPS site has a problem, please help.",
    "我们的 HTTPS 网站有问题，请帮忙看看",
    "我們的 HTTPS 網站出問題了，請幫忙",
    "HTTPS 사이트에 문제가 있어요. 도와주세요",
]
PAGE_LOADS = {"q.page_not_secure_only": True, "q.all_sites_fail": False, "q.fails_only_some_clients": False}
PORT_TAKEN = {
    "q.page_not_secure_only": False,
    "q.all_sites_fail": False,
    "q.fails_only_some_clients": False,
    "q.server_software": "iis",
    "q.error_on_install": False,
    "q.key_present": True,
    "q.server_starts": False,
    "q.http_works": True,
    "q.port_in_use": True,
}


@pytest.mark.parametrize("paste", VAGUE)
@pytest.mark.parametrize(("expect", "answers"), [("mixed-content", PAGE_LOADS), ("port-conflict", PORT_TAKEN)])
def test_triage_of_a_paste_that_names_nothing_converges(paste, expect, answers):
    kb = read()
    session = Session(kb, now=NOW)
    session.say(paste)
    final = drive(session, lambda question_id: answers.get(question_id))
    assert [c.id for c in final.diagnosis.candidates][:1] == [expect], session.asked
    # "What exactly do you see?" comes first; a user who cannot say still gets the broad yes/no ones.
    assert session.asked[0] == "q.symptom_kind", session.asked
    assert "q.page_not_secure_only" in session.asked[:4], session.asked


# A user who only has a symptom: the broad question first, then the group's sharper question, then
# what separates the group's members. Questions not listed get "I don't know".
SYMPTOM_STORIES = [
    (
        "hostname-mismatch",
        {
            "q.symptom_kind": "warning_page",
            "q.warning_says": "name",
            "q.hostname_matches": False,
            "q.cert_has_san": True,
            "q.shared_ip_sites": False,
        },
        "q.warning_says",
    ),
    ("clock-skew", {"q.symptom_kind": "warning_page", "q.warning_says": "clock"}, "q.warning_says"),
    (
        "handshake-timeout",
        {"q.symptom_kind": "cannot_connect", "q.connect_error_says": "timeout"},
        "q.connect_error_says",
    ),
    (
        "port-conflict",
        {"q.symptom_kind": "server_or_install", "q.install_error_says": "port_in_use"},
        "q.install_error_says",
    ),
    ("client-ca-bundle-missing", {"q.symptom_kind": "app_fails", "q.app_error_says": "every_site"}, "q.app_error_says"),
    (
        "tls-interception",
        {"q.symptom_kind": "some_clients", "q.which_clients_fail": "one_network"},
        "q.which_clients_fail",
    ),
    ("mixed-content", {"q.symptom_kind": "not_secure", "q.padlock_says": "mixed"}, "q.padlock_says"),
]


@pytest.mark.parametrize("paste", VAGUE)
def test_the_broad_symptom_question_comes_first(kb, paste):
    session = Session(kb, now=NOW)
    session.say(paste)
    step = session.next_step()
    assert isinstance(step, AskQuestion) and step.question_id == "q.symptom_kind"


@pytest.mark.parametrize("paste", VAGUE)
@pytest.mark.parametrize(("expect", "answers", "follow_up"), SYMPTOM_STORIES, ids=[s[0] for s in SYMPTOM_STORIES])
def test_symptom_only_conversation_reaches_the_group_then_the_diagnosis(kb, paste, expect, answers, follow_up):
    session = Session(kb, now=NOW)
    session.say(paste)
    named = bool(session.candidates)  # a word of the paste may already hint at the group's member
    final = drive(session, lambda question_id: answers.get(question_id))
    assert session.asked[0] == "q.symptom_kind", session.asked
    assert named or follow_up in session.asked[1:3], session.asked
    assert [c.id for c in final.diagnosis.candidates][:1] == [expect], (session.asked, final.diagnosis.candidates[:3])
    assert len(session.asked) <= 7, session.asked


def test_a_follow_up_waits_for_the_broad_answer(kb):
    """What the warning says is not asked of someone who cannot say whether there is a warning."""
    session = Session(kb, now=NOW)
    session.say(VAGUE[0])
    session.answer("q.symptom_kind", None)
    final = drive(session, lambda question_id: None)
    assert not {"q.warning_says", "q.connect_error_says", "q.install_error_says"} & set(session.asked)
    assert final.diagnosis.candidates == () or final.diagnosis.candidates[0].score < 0.6


def test_what_only_a_probe_can_decide_ends_on_a_probe_suggestion(kb):
    """A SHA-1 signature and a short key give the same warning: the session names both and offers
    the probe that tells them apart."""
    answers = {"q.symptom_kind": "warning_page", "q.warning_says": "weak"}
    session = Session(kb, now=NOW)
    session.say(VAGUE[1])
    step = session.next_step()
    while isinstance(step, AskQuestion):
        session.answer(step.question_id, answers.get(step.question_id))
        step = session.next_step()
    assert isinstance(step, SuggestProbe), step
    top = [c.id for c in session.candidates[:3]]
    assert {"weak-signature", "weak-key"} <= set(top), top
