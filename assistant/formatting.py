"""Provides dates, durations and numbers written the way each language writes them (Babel, CLDR).

Babel is imported inside the functions: the CLI must start fast and most commands format nothing.
`language` is one of assistant.i18n.LANGUAGES; None means the current language.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from assistant.i18n import babel_locale_name, current_language, translation

Width = str
"""Babel's format widths: "short", "medium", "long", "full"."""


def _locale(language: str | None) -> str:
    return babel_locale_name(language or current_language())


def format_date(value: date | datetime, language: str | None = None, *, format: Width = "medium") -> str:
    """`2025-03-04` -> "Mar 4, 2025", "2025年3月4日", "2025年3月4日", "2025. 3. 4."."""
    from babel.dates import format_date as babel_format_date

    return babel_format_date(value, format=format, locale=_locale(language))


def format_datetime(value: datetime, language: str | None = None, *, format: Width = "medium") -> str:
    """A date and time, shown in UTC so that a certificate's validity reads the same everywhere."""
    from babel.dates import format_datetime as babel_format_datetime

    if value.tzinfo is None:  # certificates and probes speak UTC; a naive value is UTC too
        value = value.replace(tzinfo=UTC)
    return babel_format_datetime(value, format=format, tzinfo=UTC, locale=_locale(language))


def format_duration(delta: timedelta, language: str | None = None, *, format: Width = "long") -> str:
    """A length of time without direction: "3 days", "3天", "3 天", "3일"."""
    from babel.dates import format_timedelta

    return format_timedelta(abs(delta), format=format, locale=_locale(language))


def format_relative(delta: timedelta, language: str | None = None) -> str:
    """A moment relative to now: positive is the future ("in 3 days", "3天后", "3 天後", "3일 후"),
    negative the past ("3 days ago", "3天前", "3 天前", "3일 전")."""
    from babel.dates import format_timedelta

    return format_timedelta(delta, add_direction=True, locale=_locale(language))


def format_expiry(not_after: datetime, now: datetime, language: str | None = None) -> str:
    """ "expires in 3 days" / "3天后过期" / "3 天後過期" / "3일 후 만료", or "expired 2 days ago"."""
    # `catalog.gettext` (an extraction keyword) rather than `_`: the language is an argument here
    catalog = translation(language)
    when = format_relative(not_after - now, language)
    if not_after > now:
        return catalog.gettext("expires {when}").format(when=when)
    return catalog.gettext("expired {when}").format(when=when)


def format_number(value: int | float, language: str | None = None) -> str:
    """Grouped digits: "12,345" (ko and zh group the same way as en)."""
    from babel.numbers import format_decimal

    return format_decimal(value, locale=_locale(language))


def format_percent(value: float, language: str | None = None) -> str:
    """A fraction as a percentage: 0.91 -> "91%"."""
    from babel.numbers import format_percent as babel_format_percent

    return babel_format_percent(value, locale=_locale(language))
