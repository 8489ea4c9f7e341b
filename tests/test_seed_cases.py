"""Seed cases written by the knowledge authors (tests/seed_cases/*.yaml): each paste's top-1 diagnosis.

Each file is a list of {id, lang, seed, text, expect}. No files yet means nothing to check (skipped).
"""

from __future__ import annotations

import pytest
import yaml

from assistant.engine.match import match
from assistant.engine.normalise import normalise
from tests.conftest import ROOT

FOLDER = ROOT / "tests" / "seed_cases"


def _cases() -> list:
    cases = []
    for path in sorted(FOLDER.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            cases.append(pytest.param(case, id=str(case.get("id", f"{path.stem}-{len(cases)}"))))
    return cases


CASES = _cases()


@pytest.fixture(scope="module")
def kb():
    from assistant.kb.load import read

    return read()


@pytest.mark.skipif(not CASES, reason="no seed cases in tests/seed_cases/ yet")
@pytest.mark.parametrize("case", CASES or [None])
def test_seed_case_top_diagnosis(case, kb):
    assert case["expect"] in kb.taxonomy, f"{case['expect']} is not a taxonomy id"
    found = [candidate.id for candidate in match(normalise(case["text"]), kb)]
    assert found[:1] == [case["expect"]], f"top candidates {found[:3]}"
