"""Provides match(): Evidence -> ranked Candidates.

Three layers, strongest first: exact identifiers and numbers (vocabulary.tsv and each entry's
`signals.codes`) and known messages; the entries' regular expressions (`signals.patterns`); fuzzy
symptom phrases (`signals.phrases`, all four languages, Traditional folded to Simplified). Each hit
is a weight in (0, 1) for one or more diagnoses; a diagnosis's score is the noisy-OR of its hits, so
independent weak signals add up while no pile of phrases outweighs an exact code.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz

from assistant.engine.lookup import VocabularyIndex, code_key, find_messages, number_keys, vocabulary_index
from assistant.engine.text import Folded, clean, compact, fold, fold_simple, grams, is_cjk
from assistant.kb import KnowledgeBase, VocabularyRow
from assistant.model import Candidate, Evidence, EvidenceItem

_WORD = re.compile(r"[a-z][a-z0-9]{2,}")

# How much one hit counts, before it is shared among the diagnoses it names.
CODE_WEIGHT = 0.92
ENTRY_CODE_WEIGHT = 0.95
NUMBER_WEIGHT = 0.85
PLAIN_NUMBER_WEIGHT = 0.55
"""A bare 5-digit number may be a Schannel event id or just a number in a log."""
MESSAGE_WEIGHT = 0.9
PATTERN_WEIGHT = 0.75
PHRASE_WEIGHT = 0.6
PHRASE_CAP = 0.75
"""Phrases together never reach an exact code's weight."""
RANK_DECAY = 0.85
"""vocabulary.tsv lists a row's diagnoses most likely first; each next one gets this much less."""
PHRASE_MIN_SIMILARITY = {True: 70.0, False: 82.0}
"""Chinese and Korean phrases are short: one character in four differs at 75."""
PHRASE_MIN_COVERAGE = 0.5
SECONDARY = 0.6
"""Share of its weight that each observation after a diagnosis's strongest one adds."""
WORDS_FLOOR = 60.0
WORDS_MIN_COVERAGE = 0.75
"""An English phrase whose words are found near each other, not as one stretch: three words in four
are needed, and they count less than the phrase as written."""
WORDS_REACH = 60
"""Characters within which a phrase's words count as said together."""
MAX_EVIDENCE = 5
MAX_FUZZY = 40
"""Phrases compared with rapidfuzz per paste, the best covered first: bounds time on a huge KB."""


@dataclass(frozen=True, slots=True)
class Phrase:
    text: str
    """Folded; without spaces for Chinese and Korean phrases."""
    cjk: bool
    entries: tuple[str, ...]
    grams: frozenset[str]
    cjk_grams: int
    """How many of `grams` are Chinese or Korean: one of them must be in the paste."""
    strength: float
    """Short phrases say little: `证书` is in every complaint about certificates."""


@dataclass(frozen=True, slots=True)
class _Index:
    vocabulary: VocabularyIndex
    codes: dict[str, tuple[str, ...]]
    """code_key -> entry ids claiming it in signals.codes."""
    patterns: tuple[tuple[tuple[str, ...], str, re.Pattern[str], str], ...]
    """(entry ids, ref, compiled, a literal the pattern cannot match without), identical ones merged."""
    phrases: tuple[Phrase, ...]
    postings: dict[str, tuple[int, ...]]
    """gram -> indices into `phrases`."""
    known: frozenset[str]
    """Diagnosis ids a candidate may carry (the taxonomy's, else the entries')."""


@dataclass(frozen=True, slots=True)
class Hit:
    """One thing recognised in a paste, with the diagnoses it points to (none: too vague)."""

    weights: dict[str, float]
    text: str
    span: tuple[int, int]
    ref: str
    kind: str
    """code, number, message, pattern or phrase."""
    code: str = ""
    """The code key of the vocabulary rows behind the hit, so a message can stand in for its code."""


def _phrase_strength(text: str, cjk: bool) -> float:
    return min(1.0, len(text) / 5) if cjk else min(1.0, len(text) / 18)


def _required_literal(pattern: str) -> str:
    """The longest run of plain characters every match must contain ("" when unsure), so that a
    pattern only runs on pastes that contain it."""
    try:
        from re import _parser  # the stdlib's own regex parser: exact, no hand-written guess

        tree = _parser.parse(pattern, re.IGNORECASE)
    except Exception:  # noqa: BLE001 - no pre-filter is always correct
        return ""
    runs: list[str] = []

    def walk(items) -> None:  # noqa: ANN001
        current = ""
        for op, value in items:
            if op is _parser.LITERAL:
                current += chr(value)
                continue
            runs.append(current)
            current = ""
            if op is _parser.SUBPATTERN:
                walk(value[-1])
        runs.append(current)

    walk(tree)
    best = fold_simple(max((run.strip() for run in runs), key=len, default=""))
    return best if len(best) >= 3 or (len(best) == 2 and all(is_cjk(ch) for ch in best)) else ""


def _cjk_grams(text: str) -> int:
    return sum(1 for gram in grams(text) if is_cjk(gram[0]))


def _build(kb: KnowledgeBase) -> _Index:
    codes: dict[str, list[str]] = defaultdict(list)
    sources: dict[str, list[tuple[str, int]]] = defaultdict(list)
    owners: dict[tuple[str, bool], list[str]] = defaultdict(list)
    for entry in kb.entries.values():
        for code in entry.signals.codes:
            codes[code_key(code)].append(entry.id)
        for number, pattern in enumerate(entry.signals.patterns):
            sources[pattern].append((entry.id, number))
        for phrases in entry.signals.phrases.values():
            for phrase in phrases:
                folded = fold_simple(phrase)
                cjk = any(is_cjk(ch) for ch in folded)
                key = compact(folded)[0] if cjk else folded
                if key and entry.id not in owners[(key, cjk)]:
                    owners[(key, cjk)].append(entry.id)
    phrases = tuple(
        Phrase(text, cjk, tuple(ids), frozenset(grams(text)), _cjk_grams(text), _phrase_strength(text, cjk))
        for (text, cjk), ids in sorted(owners.items())
    )
    patterns = []
    for source, owners_of in sorted(sources.items()):
        try:
            compiled = re.compile(source, re.IGNORECASE)
        except re.error:  # kb check reports it; a bad pattern must not stop the matcher
            continue
        ids = tuple(dict.fromkeys(entry_id for entry_id, _ in owners_of))
        ref = f"{owners_of[0][0]}.signals.patterns[{owners_of[0][1]}]"
        patterns.append((ids, ref, compiled, _required_literal(source)))
    postings: dict[str, list[int]] = defaultdict(list)
    for number, phrase in enumerate(phrases):
        for gram in phrase.grams:
            postings[gram].append(number)
    known = frozenset(kb.taxonomy) or frozenset(kb.entries)
    return _Index(
        vocabulary=vocabulary_index(kb),
        codes={key: tuple(ids) for key, ids in codes.items()},
        patterns=tuple(patterns),  # type: ignore[arg-type]
        phrases=phrases,
        postings={gram: tuple(ids) for gram, ids in postings.items()},
        known=known,
    )


_INDEXES: dict[int, tuple[KnowledgeBase, _Index]] = {}


def _index(kb: KnowledgeBase) -> _Index:
    """Built once per KnowledgeBase (kept alive beside its index, so its id is never reused)."""
    cached = _INDEXES.get(id(kb))
    if cached is None or cached[0] is not kb:
        if len(_INDEXES) >= 8:
            _INDEXES.pop(next(iter(_INDEXES)))
        cached = _INDEXES[id(kb)] = (kb, _build(kb))
    return cached[1]


def _shares(diagnoses: tuple[str, ...]) -> dict[str, float]:
    """Split one unit of weight among a row's diagnoses, the first listed a little ahead."""
    raw = [RANK_DECAY**position for position in range(len(diagnoses))]
    total = sum(raw)
    return {diagnosis: value / total for diagnosis, value in zip(diagnoses, raw, strict=True)}


def row_weights(rows: list[VocabularyRow], weight: float) -> dict[str, float]:
    """Rows sharing one code or number: their diagnoses' shares averaged, times the weight."""
    merged: dict[str, float] = defaultdict(float)
    for row in rows:
        for diagnosis, share in _shares(row.diagnoses).items():
            merged[diagnosis] += share / len(rows)
    return {diagnosis: weight * share for diagnosis, share in merged.items()}


def _ref(row: VocabularyRow) -> str:
    return f"vocabulary:{row.ecosystem}:{row.code or row.number or row.message[:40]}"


def _code_keys(token: str) -> list[str]:
    key = code_key(token)
    keys = [key]
    parts = key.split(".")
    keys += [".".join(parts[i:]) for i in range(1, len(parts))]  # a qualified name's known tail
    return keys


def _number_shaped(token: str) -> bool:
    return bool(re.fullmatch(r"-?\d+|0x[0-9a-f]+|[0-9a-f]{8}|curl: ?\(\d+\)", token.casefold()))


def _code_hits(evidence: Evidence, index: _Index) -> list[Hit]:
    vocabulary = index.vocabulary
    hits: list[Hit] = []
    for token, span in evidence.codes:
        if _number_shaped(token):
            hits.extend(_number_hits(token, span, vocabulary))
            continue
        for key in _code_keys(token):
            rows = [vocabulary.rows[i] for i in vocabulary.by_code.get(key, ())]
            claimed = index.codes.get(key, ())
            if not rows and not claimed:
                continue
            weights = row_weights(rows, CODE_WEIGHT) if rows else {}
            claimed = tuple(dict.fromkeys(claimed))
            for entry_id in claimed:  # an entry's own claim is sharper than a shared vocabulary row
                # ...unless several entries claim the code: then it tells them apart no better than the row.
                claim = ENTRY_CODE_WEIGHT / len(claimed)
                weights[entry_id] = 1 - (1 - weights.get(entry_id, 0.0)) * (1 - claim)
            ref = _ref(rows[0]) if rows else f"{claimed[0]}.signals.codes"
            hits.append(Hit(weights, token, span, ref, "code", key))
            break
    return hits


def _number_hits(token: str, span: tuple[int, int], vocabulary: VocabularyIndex) -> list[Hit]:
    folded = token.casefold()
    curl = folded.startswith("curl")
    plain = folded.isdigit()
    indices: list[int] = []
    for value in sorted(number_keys(re.sub(r"[^0-9a-fx+-]", "", folded.replace("curl", "")))):
        indices += [i for i in vocabulary.by_number.get(value, ()) if i not in indices]
    rows = [vocabulary.rows[i] for i in indices]
    if curl:
        rows = [row for row in rows if row.ecosystem == "curl"]
    if not rows:
        return []
    weight = PLAIN_NUMBER_WEIGHT if plain else NUMBER_WEIGHT
    return [Hit(row_weights(rows, weight), token, span, _ref(rows[0]), "number")]


def _message_hits(folded: Folded, evidence: Evidence, vocabulary: VocabularyIndex) -> list[Hit]:
    found = find_messages(vocabulary, folded.text)
    # A message inside a longer known message (`certificate verify failed` within Python's whole
    # line) is the same evidence said less precisely: keep the longest.
    found.sort(key=lambda item: (item[1][0], -(item[1][1] - item[1][0])))
    hits: list[Hit] = []
    outer: list[tuple[int, int]] = []
    for matcher, (start, end) in found:
        if any(o_start <= start and end <= o_end and (o_start, o_end) != (start, end) for o_start, o_end in outer):
            continue
        outer.append((start, end))
        rows = [vocabulary.rows[i] for i in matcher.rows]
        span = folded.span(start, end)
        text = evidence.text[span[0] : span[1]]
        weights = row_weights(rows, MESSAGE_WEIGHT * matcher.strength)
        codes = "|".join(sorted({code_key(row.code) for row in rows if row.code}))
        hits.append(Hit(weights, text, span, _ref(rows[0]), "message", codes))
    return hits


def _most_specific(hits: list[Hit]) -> list[Hit]:
    """Drop a pattern hit lying strictly inside another entry's longer pattern hit: `인증서가 만료`
    within `교차 서명 루트 인증서가 만료` is the longer pattern's evidence, not a second diagnosis."""
    kept = []
    for hit in hits:
        inside = any(
            other.weights.keys() != hit.weights.keys()
            and other.span[0] <= hit.span[0]
            and hit.span[1] <= other.span[1]
            and other.span[1] - other.span[0] > hit.span[1] - hit.span[0]
            for other in hits
        )
        if not inside:
            kept.append(hit)
    return kept


def _pattern_hits(folded: Folded, evidence: Evidence, index: _Index) -> list[Hit]:
    hits: list[Hit] = []
    for ids, ref, pattern, literal in index.patterns:
        if literal and literal not in folded.text:
            continue
        found = pattern.search(folded.text)
        if found and found.end() > found.start():
            span = folded.span(found.start(), found.end())
            text = evidence.text[span[0] : span[1]]
            hits.append(Hit(dict.fromkeys(ids, PATTERN_WEIGHT / len(ids)), text, span, ref, "pattern"))
    return _most_specific(hits)


def _word_positions(folded: str) -> dict[str, list[int]]:
    """Where each Latin word stem (as `grams` keys them) starts in the folded paste."""
    positions: dict[str, list[int]] = defaultdict(list)
    for found in _WORD.finditer(folded):
        positions[found.group()[:6]].append(found.start())
    return positions


def _rarity(stem: str, index: _Index) -> float:
    """How much a word tells: `certificate` is in most phrases, `pinned` in two."""
    return math.log(1 + len(index.phrases) / (1 + len(index.postings.get(stem, ()))))


def _words_nearby(phrase: Phrase, words: dict[str, list[int]], index: _Index) -> tuple[float, int, int] | None:
    """An English phrase said in other words: most of its word stems close together, in any order
    and with other words between ("still shows the old certificate" for "old certificate still
    served"). Returns (score 0-100, start, end) of the tightest such stretch, or None."""
    stems = [gram for gram in phrase.grams if not is_cjk(gram[0])]
    if len(stems) < 2:
        return None
    reach = max(WORDS_REACH, 3 * len(phrase.text))
    marks = sorted((position, stem) for stem in stems for position in words.get(stem, ()))
    rarity = {stem: _rarity(stem, index) for stem in stems}
    total = sum(rarity.values())
    best: tuple[float, int, int, int] | None = None  # (coverage, distinct stems, start, end)
    for first, (start, _stem) in enumerate(marks):
        seen = {stem for position, stem in marks[first:] if position - start <= reach}
        end = max(position for position, _ in marks[first:] if position - start <= reach)
        coverage = sum(rarity[stem] for stem in seen) / total
        if best is None or coverage > best[0]:
            best = (coverage, len(seen), start, end + 6)
    if best is None or best[0] < WORDS_MIN_COVERAGE or best[1] < 2:
        return None
    return 100 * best[0], best[2], best[3]


def _phrase_hits(folded: Folded, evidence: Evidence, index: _Index) -> list[Hit]:
    present = grams(folded.text)
    counts: dict[int, int] = defaultdict(int)
    cjk_counts: dict[int, int] = defaultdict(int)
    for gram in present:
        postings = index.postings.get(gram, ())
        for number in postings:
            counts[number] += 1
        if postings and is_cjk(gram[0]):
            for number in postings:
                cjk_counts[number] += 1
    if not counts:
        return []
    covered = [
        (count / len(index.phrases[number].grams), number)
        for number, count in counts.items()
        if count >= PHRASE_MIN_COVERAGE * len(index.phrases[number].grams)
        and (cjk_counts[number] or not index.phrases[number].cjk_grams)
    ]
    covered.sort(key=lambda pair: (-pair[0], pair[1]))
    dense, dense_map = compact(folded.text)
    words: dict[str, list[int]] | None = None
    hits: list[Hit] = []
    for _coverage, number in covered[:MAX_FUZZY]:
        phrase = index.phrases[number]
        haystack = dense if phrase.cjk else folded.text
        floor = PHRASE_MIN_SIMILARITY[phrase.cjk]
        found = fuzz.partial_ratio_alignment(phrase.text, haystack, score_cutoff=floor)
        if found is not None and found.score > floor:
            score, start, end = found.score, found.dest_start, found.dest_end
            if phrase.cjk:
                start, end = dense_map[start], dense_map[max(start, end - 1)] + 1
        elif phrase.cjk:
            continue
        else:
            if words is None:
                words = _word_positions(folded.text)
            near = _words_nearby(phrase, words, index)
            if near is None:
                continue
            score, start, end = near
            floor = WORDS_FLOOR
        span = folded.span(start, end)
        quality = ((score - floor) / (100 - floor)) ** 0.5
        weight = PHRASE_WEIGHT * quality * phrase.strength / len(phrase.entries)
        text = evidence.text[span[0] : span[1]]
        hits.append(Hit(dict.fromkeys(phrase.entries, weight), text, span, "signals.phrases:" + phrase.text, "phrase"))
    return hits


def scan(evidence: Evidence, kb: KnowledgeBase) -> list[Hit]:
    """Everything recognised in the paste, including known codes too vague to name a diagnosis."""
    index = _index(kb)
    folded = fold(evidence.text)
    messages = _message_hits(folded, evidence, index.vocabulary)
    # A code whose own message is in the paste is told apart by that message: drop the vaguer code.
    explained = {code for hit in messages for code in hit.code.split("|") if code}
    hits = [hit for hit in _code_hits(evidence, index) if hit.code not in explained or hit.kind != "code"]
    hits += messages
    hits += _pattern_hits(folded, evidence, index)
    hits += _phrase_hits(folded, evidence, index)
    return hits


def _combine(weights: list[float]) -> float:
    remaining = 1.0
    for weight in weights:
        remaining *= 1 - min(max(weight, 0.0), 0.999)
    return 1 - remaining


def _overlaps(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in taken)


_FAMILY = {"code": "exact", "number": "exact", "message": "exact", "pattern": "pattern", "phrase": "phrase"}
"""Signals of one family that cover the same stretch of the paste are one observation: a code and
its own message, two patterns for one sentence. Different families over one stretch still agree
independently (an entry's pattern confirms that a shared code is meant for it)."""


def _distinct(scored: list[tuple[float, str, EvidenceItem]]) -> list[tuple[float, str, EvidenceItem]]:
    """The strongest reading of each stretch of the paste, per signal family."""
    kept: list[tuple[float, str, EvidenceItem]] = []
    taken: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for weight, family, item in sorted(scored, key=lambda triple: -triple[0]):
        span = item.span or (0, 0)
        if span[1] > span[0] and _overlaps(span, taken[family]):
            continue
        kept.append((weight, family, item))
        taken[family].append(span)
    return kept


def _score(weights: list[float]) -> float:
    """The strongest observation counts in full; each further one closes part of what remains.

    Independent signals still add up, but two look-alikes that both have an exact code keep the gap
    between their codes' weights instead of both rounding to 1.
    """
    if not weights:
        return 0.0
    first, *rest = sorted(weights, reverse=True)
    return _combine([first] + [SECONDARY * weight for weight in rest])


def rank(hits: list[Hit], kb: KnowledgeBase) -> list[Candidate]:
    known = _index(kb).known
    seen: dict[str, dict[str, tuple[float, str, EvidenceItem]]] = defaultdict(dict)
    for hit in hits:
        for diagnosis, weight in hit.weights.items():
            if diagnosis not in known or weight <= 0:
                continue
            item = EvidenceItem("paste", clean(hit.text)[:200], round(weight, 4), hit.span, hit.ref)
            # The same row seen twice (a log repeating its error) is one piece of evidence.
            key = hit.ref if hit.kind not in ("pattern", "phrase") else hit.ref + hit.text
            if weight > seen[diagnosis].get(key, (0.0,))[0]:
                seen[diagnosis][key] = (weight, _FAMILY[hit.kind], item)
    candidates: list[Candidate] = []
    for diagnosis, found in seen.items():
        kept = _distinct(list(found.values()))
        items = [(w, item) for w, family, item in kept if family != "phrase"]
        best_phrases = [(w, item) for w, family, item in kept if family == "phrase"][:3]
        weights = [w for w, _ in items]
        if best_phrases:
            weights.append(min(PHRASE_CAP, _combine([w for w, _ in best_phrases])))
        evidence = tuple(item for _, item in sorted(items + best_phrases, key=lambda pair: -pair[0]))
        candidates.append(Candidate(diagnosis, round(_score(weights), 4), evidence[:MAX_EVIDENCE]))
    candidates.sort(key=lambda candidate: (-candidate.score, candidate.id))
    return candidates


def match(evidence: Evidence, kb: KnowledgeBase) -> list[Candidate]:
    """Candidates sorted by score (descending), scores in [0, 1]; empty when nothing matches.

    The index over `kb` is built once per KnowledgeBase and cached, never per query.
    """
    return rank(scan(evidence, kb), kb)
