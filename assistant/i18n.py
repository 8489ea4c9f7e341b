"""Provides the four supported languages, gettext for strings written in Python, and locale choice.

Strings written in Python go through `_()`; strings written in data files are `Text` maps inside the
file and are picked with `pick()`. Data uses the tags `en`, `zh-Hans`, `zh-Hant`, `ko`; gettext
folders use `en`, `zh_Hans`, `zh_Hant`, `ko`.
"""

from __future__ import annotations

import gettext
from collections.abc import Mapping
from functools import cache

from assistant.paths import data_dir

LANGUAGES: tuple[str, ...] = ("en", "zh-Hans", "zh-Hant", "ko")
DEFAULT_LANGUAGE = "en"
DOMAIN = "messages"

_current = DEFAULT_LANGUAGE


def gettext_dir_name(language: str) -> str:
    """`zh-Hans` -> `zh_Hans`: the catalog folder under locales/."""
    return language.replace("-", "_")


def babel_locale_name(language: str) -> str:
    """The Babel locale for formatting dates and numbers: `zh-Hans` -> `zh_Hans`."""
    return gettext_dir_name(language)


@cache
def _translation(language: str) -> gettext.NullTranslations:
    return gettext.translation(
        DOMAIN,
        localedir=str(data_dir("locales")),
        languages=[gettext_dir_name(language)],
        fallback=True,
    )


def set_language(language: str) -> None:
    global _current
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language: {language!r}")
    _current = language


def current_language() -> str:
    return _current


def _(message: str) -> str:
    """Translate `message` into the current language."""
    return _translation(_current).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation(_current).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now (module-level constants)."""
    return message


def pick(text: Mapping[str, str] | object, language: str | None = None) -> str:
    """The text of a data-file `Text` in `language`, falling back to English."""
    language = language or _current
    getter = getattr(text, "get", None)
    if getter is None:
        raise TypeError(f"not a localized text: {text!r}")
    return getter(language) or getter(DEFAULT_LANGUAGE) or ""


_LOCALE_ALIASES = {
    "zh": "zh-Hans",
    "zh_cn": "zh-Hans",
    "zh_sg": "zh-Hans",
    "zh_hans": "zh-Hans",
    "zh_tw": "zh-Hant",
    "zh_hk": "zh-Hant",
    "zh_mo": "zh-Hant",
    "zh_hant": "zh-Hant",
    "ko": "ko",
    "ko_kr": "ko",
    "en": "en",
}


def normalize_language(tag: str | None) -> str | None:
    """Map a locale name or tag (`zh_TW.UTF-8`, `zh-hk`, `ko_KR`, `zh-Hans`) to a supported language."""
    if not tag:
        return None
    base = tag.split(".")[0].split("@")[0].replace("-", "_").lower()
    if base in ("c", "posix"):
        return None
    if base in _LOCALE_ALIASES:
        return _LOCALE_ALIASES[base]
    if base.startswith("zh_hant"):
        return "zh-Hant"
    if base.startswith("zh_hans"):
        return "zh-Hans"
    head = base.split("_")[0]
    if head in ("en", "ko"):
        return head
    if head == "zh":
        return "zh-Hans"
    return None


def negotiate(
    *,
    requested: str | None = None,
    saved: str | None = None,
    environ: Mapping[str, str] | None = None,
    paste_language: str | None = None,
) -> str:
    """Choose the reply language: --lang, then the saved setting, then LC_ALL/LC_MESSAGES/LANG,
    then the language of the paste, then English."""
    for candidate in (requested, saved):
        language = normalize_language(candidate)
        if language:
            return language
    if environ:
        for key in ("LC_ALL", "LC_MESSAGES", "LANG"):
            language = normalize_language(environ.get(key))
            if language:
                return language
    return normalize_language(paste_language) or DEFAULT_LANGUAGE
