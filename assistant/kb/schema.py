"""Provides the file formats of knowledge/ and rules/ as strict pydantic models.

These models *are* the formats: extra keys are refused, every localized text needs all four
languages, and ids have fixed shapes. Cross-file checks (dangling references) live in check.py.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from assistant.model import FactValue

LANGUAGE_KEYS = ("en", "zh-Hans", "zh-Hant", "ko")

DiagnosisId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
FactName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
QuestionId = Annotated[str, StringConstraints(pattern=r"^q\.[a-z0-9_.]+$")]
CheckId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")]
RuleId = Annotated[str, StringConstraints(pattern=r"^r\.[a-z0-9_.-]+$")]
NonEmpty = Annotated[str, StringConstraints(min_length=1)]

Platform = Literal["iis", "apache", "nginx", "tomcat", "generic", "client"]
PLATFORMS: tuple[str, ...] = ("iis", "apache", "nginx", "tomcat", "generic", "client")

Restart = Literal["none", "reload", "restart", "reboot"]
"""What a fix step needs before it takes effect: nothing, a config reload, a service restart, or a
reboot of the machine (Schannel changes on Windows need a reboot; an IIS reset is not enough)."""


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Text(Model):
    """A text in all four languages. Every key is required: a gap is a validation error."""

    en: NonEmpty
    zh_Hans: NonEmpty = Field(alias="zh-Hans")
    zh_Hant: NonEmpty = Field(alias="zh-Hant")
    ko: NonEmpty

    def get(self, language: str) -> str:
        return str(getattr(self, language.replace("-", "_"), self.en))

    def items(self) -> list[tuple[str, str]]:
        return [(language, self.get(language)) for language in LANGUAGE_KEYS]


class Signals(Model):
    """What in a paste points to this diagnosis."""

    codes: list[NonEmpty] = []
    """Exact error identifiers or numbers (ERR_CERT_DATE_INVALID, X509_V_ERR_CERT_HAS_EXPIRED,
    0x800B0109, AH02565). Matched case-insensitively as whole tokens. vocabulary.tsv adds more."""
    patterns: list[NonEmpty] = []
    """Regular expressions over the folded paste, for messages with variable parts."""
    phrases: dict[str, list[NonEmpty]] = {}
    """Symptom phrases per language, matched fuzzily (keys: en, zh-Hans, zh-Hant, ko)."""

    @field_validator("patterns")
    @classmethod
    def _patterns_compile(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as error:
                raise ValueError(f"pattern {pattern!r} does not compile: {error}") from None
        return patterns

    @field_validator("phrases")
    @classmethod
    def _phrase_languages(cls, phrases: dict[str, list[str]]) -> dict[str, list[str]]:
        unknown = sorted(set(phrases) - set(LANGUAGE_KEYS))
        if unknown:
            raise ValueError(f"unknown language keys {unknown}; use {list(LANGUAGE_KEYS)}")
        return phrases


class When(Model):
    """A condition: all parts must hold. No OR and no expressions: write two rules instead."""

    candidate: DiagnosisId | None = None
    """This diagnosis is among the current candidates."""
    facts: dict[FactName, FactValue | list[FactValue]] = {}
    """These facts have these values (a list means any of them)."""
    known: list[FactName] = []
    """These facts are known (any value, including "I don't know")."""
    missing: list[FactName] = []
    """These facts were never set."""


class FixStep(Model):
    """One fix step for one platform. `text` is Markdown with Jinja2 placeholders naming facts."""

    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]+$")]
    platform: Platform
    title: Text
    text: Text
    restart: Restart = "none"
    when: When | None = None
    """Show this step only when the condition holds (for example a server version)."""


class Reference(Model):
    """A seed document (by file name) or a public document (by URL)."""

    seed: str | None = None
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] | None = None
    title: str | None = None

    @model_validator(mode="after")
    def _one_target(self) -> Reference:
        if (self.seed is None) == (self.url is None):
            raise ValueError("a reference names exactly one of `seed` or `url`")
        return self


class Entry(Model):
    """One diagnosis: knowledge/<group>/<id>.yaml."""

    id: DiagnosisId
    group: DiagnosisId
    title: Text
    """Short name of the problem, as a support engineer would say it."""
    summary: Text
    """What is wrong, in one or two plain sentences for a site owner."""
    mechanism: Text
    """Why it happens: the mechanism, in a short paragraph."""
    causes: list[Text] = Field(min_length=1)
    """The usual ways people end up here."""
    distinguish: Text
    """How to tell it from its look-alikes (which question or check separates them)."""
    look_alikes: list[DiagnosisId] = []
    signals: Signals = Signals()
    questions: list[QuestionId] = []
    """Follow-up questions (rules/questions.yaml) that confirm or refute this diagnosis."""
    checks: list[CheckId] = []
    """Probe and file checks (rules/checks.yaml) that confirm or refute it."""
    fix: list[FixStep] = Field(min_length=1)
    references: list[Reference] = []


class FactDef(Model):
    """A declared fact: rules/facts/*.yaml."""

    name: FactName
    type: Literal["str", "int", "float", "bool"]
    doc: NonEmpty
    """What the fact means, for whoever writes rules (not shown to users)."""
    values: list[str] = []
    """For `str` facts with a closed set of values, the allowed values."""


class Option(Model):
    value: FactValue
    text: Text


QuestionKind = Literal["choice", "yes_no", "host", "file", "text"]


class Question(Model):
    """A follow-up question: rules/questions.yaml. Answering it sets the fact `sets`."""

    id: QuestionId
    sets: FactName
    kind: QuestionKind
    text: Text
    help: Text | None = None
    options: list[Option] = []

    @model_validator(mode="after")
    def _options_fit_kind(self) -> Question:
        if self.kind == "choice" and len(self.options) < 2:
            raise ValueError("a choice question needs at least two options")
        if self.kind in ("host", "file", "text") and self.options:
            raise ValueError(f"a {self.kind} question takes free input, not options")
        return self


class CheckDef(Model):
    """A probe or file check: rules/checks.yaml."""

    id: CheckId
    text: Text
    """What the check looks at, as shown in the probe progress list."""
    diagnoses: list[DiagnosisId] = []


class Then(Model):
    support: dict[DiagnosisId, Annotated[float, Field(ge=-1, le=1)]] = {}
    """Diagnosis id -> evidence in [-1, 1]; negative argues against."""
    ask: QuestionId | None = None
    probe: list[CheckId] = []
    explain: Text | None = None
    """Why this rule fired, shown in the "why?" view."""


class Rule(Model):
    """An inference rule: rules/*.yaml other than facts, questions and checks."""

    id: RuleId
    when: When
    then: Then
    priority: int = 0
