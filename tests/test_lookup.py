"""lookup(): every vocabulary row with a diagnosis is found by its code, its number and its message."""

from __future__ import annotations

import pytest

from assistant.engine.lookup import lookup, number_keys, vocabulary_index
from assistant.kb.load import read


@pytest.fixture(scope="module")
def kb():
    return read()  # the shipped vocabulary; entries may still be incomplete, lookup does not need them


def _diagnosed(kb):
    return [row for row in kb.vocabulary if row.diagnoses]


def test_every_row_with_a_diagnosis_is_found_by_code(kb):
    rows = [row for row in _diagnosed(kb) if row.code]
    missing = [row.code for row in rows if row not in lookup(row.code, kb)]
    assert rows and missing == []


def test_every_row_with_a_diagnosis_is_found_by_number(kb):
    rows = [row for row in _diagnosed(kb) if row.number]
    missing = [row.number for row in rows if row not in lookup(row.number, kb)]
    assert rows and missing == []


def test_every_row_with_a_diagnosis_is_found_by_message(kb):
    rows = [row for row in _diagnosed(kb) if row.message]
    missing = [row.message for row in rows if row not in lookup(row.message, kb)]
    assert rows and missing == []


@pytest.mark.parametrize("query", ["0x800B0109", "0x800b0109", "800b0109", "800B0109", "2148204809", "-2146762487"])
def test_one_hresult_in_every_common_form(kb, query):
    codes = {row.code for row in lookup(query, kb)}
    assert "CERT_E_UNTRUSTEDROOT" in codes


@pytest.mark.parametrize(
    "query", ["NET::ERR_CERT_DATE_INVALID", "err_cert_date_invalid", "  ERR_CERT_DATE_INVALID. ", "-201"]
)
def test_identifiers_any_case_with_or_without_prefix(kb, query):
    found = lookup(query, kb)
    assert found and all("ERR_CERT_DATE_INVALID" in row.code for row in found)
    assert {"cert-expired", "clock-skew"} <= {d for row in found for d in row.diagnoses}


def test_codes_come_before_looser_matches(kb):
    found = lookup("ERR_CERT_AUTHORITY_INVALID", kb)
    assert found[0].code.endswith("ERR_CERT_AUTHORITY_INVALID")


def test_a_line_containing_a_known_message_is_found(kb):
    found = lookup("curl: (60) SSL certificate problem: certificate has expired", kb)
    assert found and "cert-expired" in found[0].diagnoses


@pytest.mark.parametrize("query", ["", "   ", "no such thing at all", "\x00\x1b[31m", "9" * 5000])
def test_unknown_queries_find_nothing_and_never_raise(kb, query):
    assert lookup(query, kb) == []


def test_number_forms():
    assert number_keys("0x800B0109") >= {2148204809, -2146762487}
    assert number_keys("-2146762487") >= {2148204809}
    assert number_keys("12037 (0x80072F05)") >= {12037, 0x80072F05}
    assert number_keys("-202") >= {-202}


def test_index_is_built_once_per_knowledge_base(kb):
    assert vocabulary_index(kb) is vocabulary_index(kb)
