"""Provides the four supported languages, gettext for strings written in Python, and locale choice.

Strings written in Python go through `_()`; strings written in data files are `Text` maps inside the
file and are picked with `pick()`. Data uses the tags `en`, `zh-Hans`, `zh-Hant`, `ko`; gettext
folders use `en`, `zh_Hans`, `zh_Hant`, `ko`. Runtime needs only the stdlib `gettext` and the
compiled `.mo` files; Babel is imported lazily, by assistant.formatting and assistant.catalogs.
"""

from __future__ import annotations

import gettext
from collections.abc import Mapping
from functools import cache

from assistant.paths import data_dir

LANGUAGES: tuple[str, ...] = ("en", "zh-Hans", "zh-Hant", "ko")
DEFAULT_LANGUAGE = "en"
DOMAIN = "messages"

_BABEL_LOCALES = {"en": "en_US", "zh-Hans": "zh_Hans_CN", "zh-Hant": "zh_Hant_TW", "ko": "ko_KR"}

_current = DEFAULT_LANGUAGE


def gettext_dir_name(language: str) -> str:
    """`zh-Hans` -> `zh_Hans`: the catalog folder under locales/."""
    return language.replace("-", "_")


def babel_locale_name(language: str) -> str:
    """The Babel locale for dates and numbers: `zh-Hans` -> `zh_Hans_CN`, `ko` -> `ko_KR`.

    A territory is needed because CLDR's formats differ by region (zh_Hant_HK vs zh_Hant_TW)."""
    return _BABEL_LOCALES.get(language, _BABEL_LOCALES[DEFAULT_LANGUAGE])


@cache
def _translation(language: str) -> gettext.NullTranslations:
    # Open the one catalog directly: gettext.translation() would also try `zh` for `zh_Hans`,
    # and a stray `zh` folder must never answer for both scripts.
    path = data_dir("locales") / gettext_dir_name(language) / "LC_MESSAGES" / f"{DOMAIN}.mo"
    try:
        with path.open("rb") as stream:
            return gettext.GNUTranslations(stream)
    except OSError:
        return gettext.NullTranslations()


def translation(language: str | None = None) -> gettext.NullTranslations:
    """The gettext catalog of `language` (default: the current one), for templates and tests."""
    return _translation(language or _current)


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
    """Translate a message with a count; the catalog's plural rule picks the form (zh, ko: one)."""
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


# Regions and scripts of Chinese: Singapore and the mainland write Simplified; Taiwan, Hong Kong
# and Macau write Traditional. A bare `zh` means Simplified, the larger readership.
_SIMPLIFIED_REGIONS = {"cn", "sg", "my"}
_TRADITIONAL_REGIONS = {"tw", "hk", "mo"}


def normalize_language(tag: str | None) -> str | None:
    """Map a locale name or tag to a supported language, or None.

    Accepts POSIX names (`zh_TW.UTF-8`, `ko_KR.eucKR@euro`), BCP 47 tags (`zh-Hant-HK`, `zh-hk`,
    `en-GB`), our own tags (`zh-Hans`), and English names users type (`korean`, `chinese`)."""
    if not tag:
        return None
    base = tag.strip().split(".")[0].split("@")[0].replace("-", "_").lower()
    if base in ("", "c", "posix"):
        return None
    parts = base.split("_")
    head, rest = parts[0], set(parts[1:])
    if head in ("en", "english"):
        return "en"
    if head in ("ko", "kor", "korean"):
        return "ko"
    if head in ("zh", "zho", "chi", "chinese", "cmn", "yue"):
        if "hant" in rest:
            return "zh-Hant"
        if "hans" in rest:
            return "zh-Hans"
        if rest & _TRADITIONAL_REGIONS or head == "yue":
            return "zh-Hant"
        return "zh-Hans"
    return None


def _environment_languages(environ: Mapping[str, str]) -> list[str | None]:
    """The POSIX order: LANGUAGE (a colon list, only honoured when a locale is set), then LC_ALL,
    LC_MESSAGES, LANG; the first of these that is set wins, even if we do not support it."""
    for key in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(key)
        if value:
            if value.split(".")[0].upper() in ("C", "POSIX"):
                return []
            listed = environ.get("LANGUAGE", "")
            return [*listed.split(":"), value] if listed else [value]
    return []


def negotiate(
    *,
    requested: str | None = None,
    saved: str | None = None,
    environ: Mapping[str, str] | None = None,
    paste_language: str | None = None,
) -> str:
    """Choose the reply language: --lang, then the saved setting, then LANGUAGE/LC_ALL/LC_MESSAGES/
    LANG, then the language of the paste, then English.

    An unsupported system locale (say `de_DE`) does not stop the search: the paste's language is a
    better guess than English for someone who pasted Korean on a German machine."""
    for candidate in (requested, saved, *_environment_languages(environ or {}), paste_language):
        language = normalize_language(candidate)
        if language:
            return language
    return DEFAULT_LANGUAGE
