"""Provides what the `probe` and `check` faces share: diagnoses ranked from findings, and titles."""

from __future__ import annotations

from collections.abc import Iterable

from assistant.i18n import _, pick
from assistant.model import Finding, Status

_SCORES = {Status.FAIL: 1.0, Status.WARN: 0.5}
COLOURS = {Status.PASS: "32", Status.WARN: "33", Status.FAIL: "31", Status.INFO: "36", Status.ERROR: "35"}
"""ANSI colours per status, used only when the output is a terminal."""


def ranked(findings: Iterable[Finding]) -> list[tuple[str, float]]:
    """Diagnoses the findings support, strongest first (a pass refutes nothing here: no score)."""
    scores: dict[str, float] = {}
    for finding in findings:
        if finding.diagnosis and finding.status in _SCORES:
            scores[finding.diagnosis] = max(scores.get(finding.diagnosis, 0.0), _SCORES[finding.status])
    return sorted(scores.items(), key=lambda item: -item[1])


def title(diagnosis: str) -> str:
    """The diagnosis' title in the current language (its id if the knowledge base cannot load)."""
    try:
        from assistant.kb import load_kb

        entry = load_kb().entries.get(diagnosis)
        return pick(entry.title) if entry else diagnosis
    except Exception:  # noqa: BLE001 - a half-written knowledge base must not break a probe or check
        return diagnosis


def finding_line(finding: Finding, colour: bool) -> str:
    """One finding as a text line: its status (coloured on a terminal), check id and evidence."""
    labels = {
        Status.PASS: _("ok"),
        Status.WARN: _("warning"),
        Status.FAIL: _("problem"),
        Status.INFO: _("info"),
        Status.ERROR: _("error"),
    }
    label = labels[finding.status].ljust(8)
    if colour:
        label = f"\033[{COLOURS[finding.status]}m{label}\033[0m"
    return f"{label} {finding.check}: {finding.evidence}"


def likely_problems(findings: Iterable[Finding]) -> list[str]:
    """The diagnoses the findings support, as text lines; empty when there are none."""
    diagnoses = ranked(findings)
    if not diagnoses:
        return []
    return [_("Likely problems:"), *(f"  - {title(d)} ({d})" for d, _score in diagnoses)]
