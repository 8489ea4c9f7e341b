"""Provides the run-time values that cross module seams: evidence, candidates, findings, steps.

Values made at run time are frozen dataclasses; data read from files is pydantic (assistant.kb.schema).
Nothing here holds a `cryptography` object, so every value serialises with `dataclasses.asdict`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

FactValue = str | int | float | bool | None
"""A fact's value. Names are declared in rules/facts.yaml, snake_case."""

Facts = dict[str, FactValue]

EvidenceSource = Literal["paste", "answer", "probe", "file", "rule"]


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    """One reason a diagnosis moved: what was seen, where, and how much it counted."""

    source: EvidenceSource
    """Where the evidence came from."""
    text: str
    """What was seen: the matched identifier or phrase, the answer, the probe observation."""
    weight: float = 0.0
    """How much it moved the score; negative evidence argues against the diagnosis."""
    span: tuple[int, int] | None = None
    """For paste evidence: character offsets in the pasted text."""
    ref: str = ""
    """The id of what produced it: signal, rule, question or probe check id."""


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the normaliser found in a paste."""

    text: str
    """The paste as typed, cut to the size limit."""
    folded: str
    """ANSI and control characters stripped, NFKC, case-folded, Traditional folded to Simplified."""
    language: str
    """The paste's language: en, zh-Hans, zh-Hant or ko."""
    codes: tuple[tuple[str, tuple[int, int]], ...] = ()
    """Error identifiers and numbers found, with their spans in `text`."""
    facts: Facts = field(default_factory=dict)
    """Facts read from the paste (host, port, server_software, client_platform...)."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """A diagnosis id with a score in [0, 1] and the evidence behind it."""

    id: str
    score: float
    evidence: tuple[EvidenceItem, ...] = ()


class Status(StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    INFO = "info"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class Finding:
    """One probe or file check's verdict, with the evidence a support engineer can quote."""

    check: str
    """Check id from rules/checks.yaml, e.g. `chain.complete`."""
    status: Status
    evidence: str
    """Localized sentence naming what was observed (which cert, which field, which suite)."""
    diagnosis: str | None = None
    """The diagnosis id this finding supports (fail/warn) or refutes (pass)."""
    facts: Facts = field(default_factory=dict)
    """Facts this check established, fed to the session engine."""


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """Where a session ended: ranked candidates, the facts known, and how they were learned."""

    candidates: tuple[Candidate, ...]
    facts: Facts
    language: str


@dataclass(frozen=True, slots=True)
class AskQuestion:
    """The session wants the answer to a question from rules/questions/."""

    question_id: str


@dataclass(frozen=True, slots=True)
class SuggestProbe:
    """The session would confirm its candidates with these probe or file checks.

    The face runs them (assistant.probes.run_probe / assistant.files) and feeds the findings back
    with `Session.record()`; the engine itself never touches the network.
    """

    checks: tuple[str, ...]
    host: str | None = None
    port: int | None = None


@dataclass(frozen=True, slots=True)
class Finished:
    """The session has nothing more to ask: one diagnosis is clearly ahead, or nothing is left."""

    diagnosis: Diagnosis


Step = AskQuestion | SuggestProbe | Finished


@dataclass(frozen=True, slots=True)
class ProbeTarget:
    host: str
    port: int = 443
    sni: str | None = None
    """Server name to send; None sends `host` (unless host is an IP address)."""
    ca_file: str | None = None
    timeout: float = 5.0
    """Seconds allowed for each network step (connect, handshake, read)."""
    allow_fetch: bool = False
    """Allow network fetches beyond the target (AIA caIssuers, OCSP, CRL)."""


@dataclass(frozen=True, slots=True)
class ProbeReport:
    """Everything one probe run established."""

    target: ProbeTarget
    findings: tuple[Finding, ...]
    facts: Facts
    elapsed_s: float
    handshakes: int
    unreachable: bool = False
    """True when the target could not be reached at all (DNS, refused, timeout before TLS)."""
