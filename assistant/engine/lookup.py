"""Provides lookup(): an error code, number (any common form) or message -> vocabulary rows.

The same index serves the matcher's exact layer: `code_key`, `number_keys` and the message matchers
are how a paste's identifiers and known messages are recognised.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from assistant.engine.text import fold_simple
from assistant.kb import KnowledgeBase, VocabularyRow

_PREFIX = re.compile(r"^[a-z]+::")
_EDGE = re.compile(r"^[\s\"'`\[\](){}<>:;,]+|[\s\"'`\[\](){}<>:;,.]+$")
_PLACEHOLDER = re.compile(r"<[^<>\s][^<>]{0,20}>|%[sd]")
_SSL_C = re.compile(r"\s*\(_ssl\.c:\d+\)")
_HEX32 = re.compile(r"error:[0-9a-f]{8}:")
_WORD = re.compile(r"[a-z][a-z0-9_]{3,}")


def code_key(code: str) -> str:
    """How identifiers compare: any case, no `NET::`-style prefix, no surrounding punctuation."""
    key = _EDGE.sub("", code.strip().casefold())
    key = _PREFIX.sub("", key)
    return re.sub(r"\s+", " ", key)


def _int(text: str, base: int) -> int | None:
    try:
        return int(text, base)
    except ValueError:
        return None


def number_keys(text: str) -> set[int]:
    """Every integer a written number may stand for: -2146762487, 2148204809, 0x800B0109 and
    800b0109 are one HRESULT; `12037 (0x80072F05)` is two forms of one code."""
    values: set[int] = set()
    for token in re.findall(r"[+-]?(?:0x)?[0-9a-f]+", text.strip().casefold()):
        digits = token.lstrip("+-")
        if digits.startswith("0x"):
            value = _int(token.replace("0x", ""), 16)
        elif digits.isdigit():
            value = _int(token, 10)
            if len(digits) == 8 and digits.startswith("8"):  # HRESULT written without 0x
                values.add(int(digits, 16))
        elif len(digits) == 8:
            value = _int(token, 16)
        else:
            value = None
        if value is not None:
            values.add(value)
    for value in list(values):
        if 2**31 <= value < 2**32:
            values.add(value - 2**32)
        elif -(2**31) <= value < -(2**16):
            values.add(value + 2**32)
    return values


def message_core(message: str) -> str:
    """A message as matched: folded, version-dependent parts (`(_ssl.c:1006)`) removed."""
    return _SSL_C.sub("", fold_simple(message)).strip()


@dataclass(frozen=True, slots=True)
class MessageMatcher:
    """One known message (or multi-word code): literal parts with short gaps where placeholders were.

    Plain `str.find` rather than one regex per message: compiling 1,500 regexes costs start-up time.
    """

    rows: tuple[int, ...]
    """Every row carrying this text (the same message is often listed for several ecosystems)."""
    parts: tuple[str, ...]
    anchor: str
    """A rare word of the message: the matcher only runs when the paste contains it."""
    strength: float
    """Longer messages are more specific; `internal error` says less than a whole sentence."""

    def search(self, text: str) -> tuple[int, int] | None:
        first, rest = self.parts[0], self.parts[1:]
        start = text.find(first)
        for _ in range(64):  # bounded: a pathological paste repeats the first part endlessly
            if start < 0:
                return None
            end = start + len(first)
            for part in rest:
                found = text.find(part, end, end + _GAP + len(part))
                if found < 0:
                    break
                end = found + len(part)
            else:
                if _bounded(text, start, end):
                    return (start, end)
            start = text.find(first, start + 1)
        return None


_GAP = 120
LEAD_STRENGTH = 0.6
"""A message's first clause alone (`PKIX path building failed`) counts this much of the whole."""


def _bounded(text: str, start: int, end: int) -> bool:
    """The match is not the middle of a longer word."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() and text[start].isalnum()) and not (after.isalnum() and text[end - 1].isalnum())


def _parts(core: str) -> tuple[str, ...]:
    core = _HEX32.sub("error:<n>:", core)  # OpenSSL's packed error number differs between versions
    return tuple(part for part in (p.strip() for p in _PLACEHOLDER.split(core)) if part)


@dataclass(frozen=True, slots=True)
class VocabularyIndex:
    rows: tuple[VocabularyRow, ...]
    by_code: dict[str, tuple[int, ...]]
    by_number: dict[int, tuple[int, ...]]
    by_message: dict[str, tuple[int, ...]]
    messages: dict[str, tuple[MessageMatcher, ...]]
    """Anchor word -> matchers, for finding known messages inside a paste."""


def _literal_words(core: str) -> list[str]:
    return _WORD.findall(_PLACEHOLDER.sub(" ", core))


def _build(rows: tuple[VocabularyRow, ...]) -> VocabularyIndex:
    by_code: dict[str, list[int]] = {}
    by_number: dict[int, list[int]] = {}
    by_message: dict[str, list[int]] = {}
    texts: dict[str, list[int]] = defaultdict(list)
    leads: dict[str, list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        if row.code:
            by_code.setdefault(code_key(row.code), []).append(index)
            if " " in row.code.strip():  # `event 36872`, `netsh http add sslcert`: found as text
                texts[fold_simple(row.code)].append(index)
        if "." in row.number:  # `403.7`, IIS's sub-status: a name more than a number
            by_code.setdefault(code_key(row.number), []).append(index)
        elif row.number:
            for value in number_keys(row.number):
                by_number.setdefault(value, []).append(index)
        if row.message:
            core = message_core(row.message)
            by_message.setdefault(core, []).append(index)
            texts[core].append(index)
            lead = core.split(": ", 1)[0]
            if lead != core and len(lead) >= 20 and not _PLACEHOLDER.search(lead):
                leads[lead].append(index)  # Java and Python cut long messages after the first clause
    document_frequency = Counter(word for text in texts for word in set(_literal_words(text)))
    messages: dict[str, list[MessageMatcher]] = defaultdict(list)
    for group, weight in ((texts, 1.0), (leads, LEAD_STRENGTH)):
        for text, indices in group.items():
            if group is leads and text in texts:
                continue
            words = _literal_words(text)
            parts = _parts(text)
            if not words or not parts:
                continue
            anchor = min(words, key=lambda word: (document_frequency[word], -len(word), word))
            literal = sum(len(part) for part in parts)
            strength = weight * min(1.0, literal / 28)
            messages[anchor].append(MessageMatcher(tuple(dict.fromkeys(indices)), parts, anchor, strength))
    return VocabularyIndex(
        rows=rows,
        by_code={key: tuple(value) for key, value in by_code.items()},
        by_number={key: tuple(value) for key, value in by_number.items()},
        by_message={key: tuple(value) for key, value in by_message.items()},
        messages={key: tuple(value) for key, value in messages.items()},
    )


_INDEXES: dict[int, tuple[KnowledgeBase, VocabularyIndex]] = {}


def vocabulary_index(kb: KnowledgeBase) -> VocabularyIndex:
    """Built once per KnowledgeBase (kept alive beside its index, so its id is never reused)."""
    cached = _INDEXES.get(id(kb))
    if cached is None or cached[0] is not kb:
        if len(_INDEXES) >= 8:
            _INDEXES.pop(next(iter(_INDEXES)))
        cached = _INDEXES[id(kb)] = (kb, _build(kb.vocabulary))
    return cached[1]


def find_messages(index: VocabularyIndex, folded: str) -> list[tuple[MessageMatcher, tuple[int, int]]]:
    """Known messages inside a folded text, each matcher once, at its first occurrence."""
    words = set(_WORD.findall(folded))
    found: list[tuple[MessageMatcher, tuple[int, int]]] = []
    for word in sorted(words & index.messages.keys()):
        for matcher in index.messages[word]:
            span = matcher.search(folded)
            if span:
                found.append((matcher, span))
    return found


def lookup(query: str, kb: KnowledgeBase) -> list[VocabularyRow]:
    """Exact and instant: identifiers any case, numbers as -202 / 0x800B0109 / 2148204809, exact messages.

    Best matches first; empty when nothing is known. The index is built once per KnowledgeBase.
    """
    query = query[:2000]
    index = vocabulary_index(kb)
    ranked: list[int] = []

    def take(indices: tuple[int, ...] | list[int]) -> None:
        ranked.extend(i for i in indices if i not in ranked)

    key = code_key(query)
    if key:
        take(index.by_code.get(key, ()))
        if "." in key:  # a fully qualified name whose last part is the known identifier
            take(index.by_code.get(key.rsplit(".", 1)[1], ()))
        if re.fullmatch(r"[+-]?(?:0x)?[0-9a-f]+(?:\s*\(\s*(?:0x)?[0-9a-f]+\s*\)?)?", key):
            for value in sorted(number_keys(key)):
                take(index.by_number.get(value, ()))
        take(index.by_message.get(message_core(query), ()))
    if not ranked:  # a longer line that contains a known message
        take([row for matcher, _ in find_messages(index, fold_simple(query)) for row in matcher.rows])
    return [index.rows[i] for i in ranked]
