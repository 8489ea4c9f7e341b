"""The seed stories as guided conversations (tests/cases/*.yaml) through the real engine."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import yaml

from assistant.engine.drive import run_script
from assistant.engine.session import Session
from assistant.kb.load import read
from tests.conftest import ROOT

CASES = [
    case
    for path in sorted((ROOT / "tests" / "cases").glob("*.yaml"))
    for case in yaml.safe_load(path.read_text("utf-8"))
]
NOW = datetime(2025, 6, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def kb():
    return read()


def test_cases_are_well_formed(kb):
    ids = [case["id"] for case in CASES]
    assert len(ids) == len(set(ids)) and len(ids) >= 20
    for case in CASES:
        assert case["expect"] in kb.taxonomy, case["id"]
        assert (ROOT.parent / "shared" / "seeds" / case["seed"]).exists() or not (ROOT.parent / "shared").exists()
        for question_id, value in case["answers"].items():
            assert question_id in kb.questions, (case["id"], question_id)
            Session(kb, now=NOW).answer(question_id, value)  # the value fits the question
        for question_id in case.get("asks", []):
            assert question_id in kb.questions, (case["id"], question_id)


def _subsequence(wanted: list[str], asked: list[str]) -> bool:
    remaining = iter(asked)
    return all(any(q == got for got in remaining) for q in wanted)


def _marks(case: dict) -> list:
    # A case whose knowledge or matcher support has not landed yet is expected to fail, strictly:
    # the day it passes, this mark fails the run and the `pending` note must be removed.
    return [pytest.mark.xfail(reason=case["pending"], strict=True)] if case.get("pending") else []


@pytest.mark.parametrize("case", [pytest.param(c, marks=_marks(c)) for c in CASES], ids=[c["id"] for c in CASES])
def test_conversation_ends_on_the_expected_diagnosis(kb, case):
    session = Session(kb, now=NOW)
    asked, final = run_script(session, case["paste"], case["answers"])
    ranked = [c.id for c in final.diagnosis.candidates]
    assert ranked and ranked[0] == case["expect"], (asked, [(c.id, c.score) for c in final.diagnosis.candidates[:4]])
    assert _subsequence(case.get("asks", []), asked), asked
    assert len(asked) == len(set(asked)), "a question was asked twice"
