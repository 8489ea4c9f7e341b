"""Catalogs are complete and fresh; languages are negotiated, and dates and numbers localized."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from assistant import catalogs
from assistant.formatting import format_date, format_duration, format_expiry, format_number, format_relative
from assistant.i18n import LANGUAGES, _, negotiate, ngettext, normalize_language, set_language, translation


def _read(path):
    from babel.messages.pofile import read_po

    with path.open("rb") as stream:
        return read_po(stream)


# --- catalogs -----------------------------------------------------------------------------------


def test_every_msgid_is_translated_in_every_catalog_with_the_same_placeholders():
    from assistant.kb.check import check_locales

    problems = check_locales()
    assert problems == [], "\n".join(map(str, problems)) + "\nsee locales/README.md (sweep, todo, fill)"


def test_the_template_has_every_string_in_the_code():
    current = {message.id for message in catalogs.extract() if message.id}
    committed = {message.id for message in _read(catalogs.template_path()) if message.id}
    assert sorted(current - committed, key=str) == [], "run `python -m assistant.catalogs sweep`"


def test_template_extraction_sees_python_and_templates():
    current = {message.id for message in catalogs.extract() if message.id}
    assert "Why it happens" in current  # assistant/templates/*.j2
    assert "expires {when}" in current  # catalog.gettext(...) in assistant/formatting.py
    assert ("{count} problem found.", "{count} problems found.") in current  # ngettext


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogs_are_fresh(language):
    po = catalogs.po_path(language)
    assert po.with_suffix(".mo").read_bytes() == catalogs.compiled(po, language), (
        "stale .mo: run `python -m assistant.catalogs compile`"
    )


def test_english_catalog_carries_the_msgid_as_its_translation():
    for message in _read(catalogs.po_path("en")):
        if message.id:
            assert message.string == message.id


@pytest.mark.parametrize(("language", "forms"), [("en", 2), ("zh-Hans", 1), ("zh-Hant", 1), ("ko", 1)])
def test_plural_forms_fit_the_language(language, forms):
    assert _read(catalogs.po_path(language)).num_plurals == forms
    set_language(language)
    one = ngettext("{count} problem found.", "{count} problems found.", 1)
    many = ngettext("{count} problem found.", "{count} problems found.", 5)
    assert (one != many) == (forms == 2)


_PLACEHOLDER = re.compile(r"\{\w*\}|%\(\w+\)[sdif]|%[sdif]")


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_survive_translation(language):
    for message in _read(catalogs.po_path(language)):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            assert sorted(_PLACEHOLDER.findall(string)) == sorted(_PLACEHOLDER.findall(ids[-1])), message.id


def test_translations_are_used_at_run_time():
    set_language("zh-Hant")
    assert _("Evidence") != "Evidence"
    assert translation("ko").gettext("Evidence") != translation("zh-Hans").gettext("Evidence")
    with pytest.raises(ValueError):
        set_language("fr")


def test_catalogs_check_command_passes():
    assert catalogs.main(["check"]) == 0


# --- negotiation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tag", "language"),
    [
        ("zh", "zh-Hans"),
        ("zh_CN.UTF-8", "zh-Hans"),
        ("zh_SG", "zh-Hans"),
        ("zh-Hans", "zh-Hans"),
        ("zh_Hans_CN", "zh-Hans"),
        ("zh_TW.UTF-8", "zh-Hant"),
        ("zh_HK", "zh-Hant"),
        ("zh-mo", "zh-Hant"),
        ("zh-Hant-HK", "zh-Hant"),
        ("zh_Hant", "zh-Hant"),
        ("ko_KR.eucKR", "ko"),
        ("ko", "ko"),
        ("en_GB.UTF-8", "en"),
        ("EN", "en"),
        ("C", None),
        ("POSIX", None),
        ("de_DE", None),
        ("", None),
        (None, None),
    ],
)
def test_locale_names_map_to_languages(tag, language):
    assert normalize_language(tag) == language


@pytest.mark.parametrize(
    ("kwargs", "language"),
    [
        ({"requested": "ko", "saved": "zh-Hant", "environ": {"LANG": "en_US.UTF-8"}}, "ko"),
        ({"saved": "zh-Hant", "environ": {"LANG": "ko_KR.UTF-8"}}, "zh-Hant"),
        ({"environ": {"LANG": "en_US.UTF-8", "LC_ALL": "zh_TW.UTF-8"}, "paste_language": "ko"}, "zh-Hant"),
        ({"environ": {"LANG": "zh_HK.UTF-8"}, "paste_language": "ko"}, "zh-Hant"),
        ({"environ": {"LANG": "de_DE.UTF-8", "LANGUAGE": "ko:de"}}, "ko"),
        ({"environ": {"LANG": "de_DE.UTF-8"}, "paste_language": "zh-Hans"}, "zh-Hans"),
        ({"environ": {"LANG": "C.UTF-8"}, "paste_language": "ko"}, "ko"),
        ({"requested": "klingon", "paste_language": "zh-Hant"}, "zh-Hant"),
        ({}, "en"),
    ],
)
def test_negotiation_order(kwargs, language):
    assert negotiate(**kwargs) == language


# --- formatting ----------------------------------------------------------------------------------

NOW = datetime(2025, 3, 4, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("language", "date", "soon", "past"),
    [
        ("en", "Mar 4, 2025", "in 3 days", "2 days ago"),
        ("zh-Hans", "2025年3月4日", "3天后", "2天前"),
        ("zh-Hant", "2025年3月4日", "3 天後", "2 天前"),
        ("ko", "2025. 3. 4.", "3일 후", "2일 전"),
    ],
)
def test_dates_and_relative_times_in_every_language(language, date, soon, past):
    assert format_date(NOW, language) == date
    assert format_relative(timedelta(days=3), language) == soon
    assert format_relative(-timedelta(days=2), language) == past


@pytest.mark.parametrize(
    ("language", "expires", "expired"),
    [
        ("en", "expires in 3 days", "expired 2 days ago"),
        ("zh-Hans", "3天后过期", "2天前已过期"),
        ("zh-Hant", "3 天後過期", "2 天前已過期"),
        ("ko", "3일 후 만료", "2일 전 만료됨"),
    ],
)
def test_expiry_reads_naturally_in_every_language(language, expires, expired):
    assert format_expiry(NOW + timedelta(days=3), NOW, language) == expires
    assert format_expiry(NOW - timedelta(days=2), NOW, language) == expired


@pytest.mark.parametrize("language", LANGUAGES)
def test_numbers_and_durations_in_every_language(language):
    assert format_number(12345, language) == "12,345"
    assert format_duration(timedelta(days=-90), language) in {"3 months", "3个月", "3 個月", "3개월"}


def test_formatting_follows_the_current_language():
    set_language("ko")
    assert format_relative(timedelta(days=3)) == "3일 후"
