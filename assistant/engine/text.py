"""Provides text folding for matching: junk stripping, NFKC, case folding, Traditional->Simplified,
log-noise masking, an offset map back to the paste, script counts and grams.

Everything here is bounded: callers pass at most a window of the paste (see `window`), and every
regular expression is linear (no nested quantifiers).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

MAX_PASTE_CHARS = 2_000_000
"""Longest paste kept at all; the rest is dropped before anything looks at it."""
WINDOW_CHARS = 48_000
"""Head and tail of a long paste scanned for messages, patterns and phrases (codes: the whole paste)."""

# ANSI CSI/OSC sequences, C0/C1 controls except \t and \n, zero-width and bidirectional marks, BOM.
_JUNK = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]{0,512}(?:\x07|\x1b\\)?"
    r"|\x1b[@-Z\\-_]?"
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ufffe\uffff\ufffd]"
)
# Log noise masked with spaces (length kept, so offsets still map): timestamps, clock times, long hex
# addresses and object ids, file paths. HRESULTs (8 hex digits) are not noise and are kept.
_NOISE = re.compile(
    r"\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:[t ]\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?(?:z|[+-]\d{2}:?\d{2})?)?"
    r"|\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?"
    r"|\b0x[0-9a-f]{9,}\b|@[0-9a-f]{6,}\b"
    r"|(?<![\w.])(?:[a-z]:\\|/)(?:[\w.@+-]+[/\\]){2,}[\w.@+-]*"
)
_SPACE = re.compile(r"[^\S\n]")


def clean(text: str) -> str:
    """`text` without escape sequences, control characters and invisible marks (for showing it)."""
    return _JUNK.sub("", text)


def _is_han(ch: str) -> bool:
    code = ord(ch)
    return 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF


def _is_hangul(ch: str) -> bool:
    code = ord(ch)
    return 0xAC00 <= code <= 0xD7A3 or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F


def is_cjk(ch: str) -> bool:
    """Han or Hangul: scripts written without spaces between words (Korean: within a word)."""
    return _is_han(ch) or _is_hangul(ch)


@cache
def _converter(config: str):  # noqa: ANN202 - opencc has no type hints
    import opencc  # imported on first Chinese text only: it costs start-up time

    return opencc.OpenCC(config)


_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def to_simplified(text: str) -> str:
    return _converter("t2s").convert(text) if _HAN.search(text) else text


@dataclass(frozen=True, slots=True)
class Folded:
    """A folded window of a paste, with the paste offset of every folded character."""

    text: str
    offsets: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Paste offsets of folded[start:end]."""
        if not self.offsets or start >= len(self.offsets):
            return (0, 0)
        end = max(start + 1, min(end, len(self.offsets)))
        return (self.offsets[start], self.offsets[end - 1] + 1)


def _fold_piece(piece: str, base: int, out: list[str], offsets: list[int]) -> None:
    if piece.isascii():
        out.append(piece.lower())
        offsets.extend(range(base, base + len(piece)))
        return
    chars: list[str] = []
    for index, ch in enumerate(piece):
        folded = unicodedata.normalize("NFKC", ch).casefold() if not ch.isascii() else ch.lower()
        for sub in folded:
            chars.append(sub)
            offsets.append(base + index)
    out.append("".join(chars))


def _fold_plain(text: str, base: int) -> tuple[str, list[int]]:
    out: list[str] = []
    offsets: list[int] = []
    position = 0
    for junk in _JUNK.finditer(text):
        if junk.start() > position:
            _fold_piece(text[position : junk.start()], base + position, out, offsets)
        position = junk.end()
    if position < len(text):
        _fold_piece(text[position:], base + position, out, offsets)
    folded = "".join(out)
    simplified = to_simplified(folded)
    if len(simplified) == len(folded):  # OpenCC t2s is character for character in practice
        folded = simplified
    else:
        folded = "".join(to_simplified(ch) for ch in folded)[: len(offsets)]
    return _mask(folded), offsets


def window(text: str) -> list[tuple[int, str]]:
    """The parts of a paste that are scanned for messages and phrases: all of it, or head and tail."""
    if len(text) <= 2 * WINDOW_CHARS:
        return [(0, text)]
    return [(0, text[:WINDOW_CHARS]), (len(text) - WINDOW_CHARS, text[-WINDOW_CHARS:])]


@lru_cache(maxsize=16)
def fold(text: str) -> Folded:
    """Fold the scanned window of `text` (cached: normalise and match share one folding)."""
    parts: list[str] = []
    offsets: list[int] = []
    for base, part in window(text):
        if parts:
            parts.append("\n")
            offsets.append(base)
        folded, part_offsets = _fold_plain(part, base)
        parts.append(folded)
        offsets.extend(part_offsets)
    return Folded("".join(parts), tuple(offsets))


def _mask(text: str) -> str:
    return _NOISE.sub(lambda m: " " * len(m.group()), _SPACE.sub(" ", text))


def fold_simple(text: str) -> str:
    """Fold a short data-file string (a phrase, a message) the same way as a paste."""
    folded = _mask(_JUNK.sub("", text).lower()) if text.isascii() else _fold_plain(text, 0)[0]
    return " ".join(folded.split())


def compact(folded: str) -> tuple[str, list[int]]:
    """`folded` without whitespace, and the folded index of each kept character.

    Chinese and Korean phrases are matched on this form: spacing in those languages varies.
    """
    kept = [(index, ch) for index, ch in enumerate(folded) if not ch.isspace()]
    return "".join(ch for _, ch in kept), [index for index, _ in kept]


def script_counts(text: str) -> tuple[int, int]:
    """(Hangul, Han) character counts."""
    hangul = han = 0
    for ch in text:
        if ch.isascii():
            continue
        if _is_hangul(ch):
            hangul += 1
        elif _is_han(ch):
            han += 1
    return hangul, han


def detect_language(text: str) -> str:
    """en, zh-Hans, zh-Hant or ko, from the script of the paste's own words.

    An English error code inside a Chinese sentence is Chinese: two Han or Hangul characters decide.
    """
    sample = text[:20_000]
    hangul, han = script_counts(sample)
    if hangul >= 2 and hangul >= han:
        return "ko"
    if han < 2:
        return "ko" if hangul >= 2 else "en"
    chars = "".join(ch for ch in sample if _is_han(ch))[:4000]
    traditional = _changed(chars, _converter("t2s").convert(chars))
    simplified = _changed(chars, _converter("s2t").convert(chars))
    return "zh-Hant" if traditional > simplified else "zh-Hans"


def _changed(before: str, after: str) -> int:
    if len(before) != len(after):
        return abs(len(before) - len(after))
    return sum(1 for a, b in zip(before, after, strict=True) if a != b)


_LATIN_WORD = re.compile(r"[a-z][a-z0-9]{2,}")
_STOP = frozenset("the and for with not this that from was are has have you your can but use".split())


def grams(folded: str) -> set[str]:
    """What phrase look-up keys on: CJK character bigrams (spaces ignored) and Latin word stems."""
    result: set[str] = set()
    previous = ""
    for ch in folded:
        if ch.isspace():
            continue
        if is_cjk(ch):
            if previous:
                result.add(previous + ch)
            previous = ch
        else:
            previous = ""
    for word in _LATIN_WORD.findall(folded):
        if word not in _STOP:
            result.add(word[:6])
    return result
