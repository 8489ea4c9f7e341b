"""Provides the arithmetic of a session: combining evidence into scores, telling when one diagnosis
is clearly ahead, and the expected information gain of a question.

Scores live in log-odds space: every piece of evidence (a rule's `support`, a probe finding) adds
`SCALE * weight` to the logit of its diagnosis. Addition commutes, so the order in which facts arrive
never changes a conclusion, and a weight means the same thing wherever it is written.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

SCALE = 2.5
"""Log-odds moved by a support of 1.0 (a full-strength rule turns 0.5 into 0.92)."""
PRIOR = 0.05
"""Score of a diagnosis that the paste did not mention, before any rule or finding moves it."""
PASTE_CAP = 0.85
"""A paste alone never makes a diagnosis certain: matcher scores are scaled into [0, PASTE_CAP], so
that an answer or a probe can still overturn an error code that names several causes. Scaling (not
clipping) keeps the paste's order between two look-alikes that both matched strongly."""
SHOWN = 0.2
"""Diagnoses the paste did not name are listed once rules lift them past this score: one strong rule
(support >= 0.65) or two weaker ones that agree, never a single weak hint."""
LEAD_SCORE = 0.6
LEAD_MARGIN = 0.3
"""One diagnosis is clearly ahead when it scores at least LEAD_SCORE and leads the next by LEAD_MARGIN."""
MIN_GAIN = 0.05
"""A question is worth asking when its answer is expected to remove at least this many bits."""
FLOOR = 0.02
"""Weight of "something not yet on the list" in the distribution a question is judged against."""

FINDING_WEIGHT = {"fail": 0.8, "warn": 0.4, "pass": -0.6}
"""How much a probe or file finding moves the diagnosis it names, by status (info/error: nothing)."""


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def paste_prior(matched: float | None) -> float:
    """The prior a matcher score gives a diagnosis in a session (PRIOR when the paste did not name it)."""
    return PRIOR if matched is None else max(PRIOR, PASTE_CAP * matched)


def combine(prior: float, weights: Iterable[float]) -> float:
    """The score after adding every weight (each in [-1, 1]) to `prior` in log-odds space."""
    return _sigmoid(_logit(prior) + SCALE * sum(weights))


def clearly_ahead(scores: list[float]) -> bool:
    """`scores` sorted descending."""
    if not scores or scores[0] < LEAD_SCORE:
        return False
    return len(scores) == 1 or scores[0] - scores[1] >= LEAD_MARGIN


def entropy(distribution: Iterable[float]) -> float:
    return -sum(p * math.log2(p) for p in distribution if p > 0)


def information_gain(prior: Mapping[str, float], shifts: Mapping[object, Mapping[str, float]]) -> float:
    """Expected bits removed from `prior` (diagnosis -> probability, summing to 1) by one answer.

    `shifts[value][d]` is the total support the answer `value` gives diagnosis `d` through the rules.
    Read as a likelihood, P(value | d) is proportional to exp(SCALE * shift), normalised over the
    values, so a value that no rule ties to `d` is as likely as any other for it. Bayes then gives
    P(value) and P(d | value): the same weights that move scores also predict answers.
    """
    values = list(shifts)
    if len(values) < 2:
        return 0.0
    likelihood: dict[str, list[float]] = {}
    for d in prior:
        raw = [math.exp(SCALE * shifts[v].get(d, 0.0)) for v in values]
        total = sum(raw)
        likelihood[d] = [r / total for r in raw]
    expected = 0.0
    for index in range(len(values)):
        joint = {d: prior[d] * likelihood[d][index] for d in prior}
        p_value = sum(joint.values())
        if p_value > 0:
            expected += p_value * entropy(j / p_value for j in joint.values())
    return entropy(prior.values()) - expected


def distribution(scores: Mapping[str, float]) -> dict[str, float]:
    """Scores normalised into probabilities, with FLOOR held for a cause not on the list."""
    total = sum(scores.values()) + FLOOR
    result = {d: s / total for d, s in scores.items()}
    result[""] = FLOOR / total
    return result
