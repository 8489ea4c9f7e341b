"""Provides reading knowledge/ and rules/ into a `KnowledgeBase`, collecting every problem at once."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from assistant.kb.schema import CheckDef, Entry, FactDef, Question, Rule
from assistant.paths import data_dir

try:  # the C loader is several times faster; fall back where libyaml is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the data, located by file and field."""

    path: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.where}: {self.message}" if self.where else f"{self.path}: {self.message}"


class KnowledgeBaseError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True, slots=True)
class TaxonomyRow:
    id: str
    group: str
    definition: str


@dataclass(frozen=True, slots=True)
class VocabularyRow:
    """One known error identifier or message (knowledge/vocabulary.tsv)."""

    ecosystem: str
    code: str
    number: str
    message: str
    diagnoses: tuple[str, ...]
    """Diagnosis ids; empty when the row is `none` (too vague to diagnose: ask for more)."""
    source: str


@dataclass(frozen=True)
class KnowledgeBase:
    root: Path
    taxonomy: dict[str, TaxonomyRow]
    entries: dict[str, Entry]
    entry_files: dict[str, Path]
    facts: dict[str, FactDef]
    questions: dict[str, Question]
    checks: dict[str, CheckDef]
    rules: tuple[Rule, ...]
    vocabulary: tuple[VocabularyRow, ...]
    problems: tuple[Problem, ...] = field(default=())
    """Problems met while loading; `load_kb()` refuses a base that has any."""


ModelT = TypeVar("ModelT", bound=BaseModel)


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _read_yaml(path: Path, root: Path, problems: list[Problem]) -> Any:
    try:
        with path.open(encoding="utf-8") as stream:
            return yaml.load(stream, Loader=_Loader)  # noqa: S506 - CSafeLoader is the safe loader
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        problems.append(Problem(_relative(path, root), "", f"cannot read YAML: {error}"))
        return None


def _location(loc: Iterable[Any]) -> str:
    return ".".join(str(part) for part in loc)


def validate(model: type[ModelT], data: Any, path: str, prefix: str, problems: list[Problem]) -> ModelT | None:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        for detail in error.errors():
            where = _location([prefix, *detail["loc"]] if prefix else detail["loc"])
            problems.append(Problem(path, where, detail["msg"]))
        return None


def _load_list(folder: Path, model: type[ModelT], root: Path, problems: list[Problem]) -> list[tuple[ModelT, str]]:
    """Every YAML file in `folder` is a list of `model` items."""
    items: list[tuple[ModelT, str]] = []
    for path in sorted(folder.glob("*.yaml")):
        data = _read_yaml(path, root, problems)
        shown = _relative(path, root)
        if data is None:
            continue
        if not isinstance(data, list):
            problems.append(Problem(shown, "", "expected a list of items"))
            continue
        for index, raw in enumerate(data):
            label = raw.get("id", raw.get("name", index)) if isinstance(raw, dict) else index
            item = validate(model, raw, shown, f"[{label}]", problems)
            if item is not None:
                items.append((item, shown))
    return items


def _keyed(items: list[tuple[ModelT, str]], key: str, kind: str, problems: list[Problem]) -> dict[str, ModelT]:
    result: dict[str, ModelT] = {}
    for item, shown in items:
        name = getattr(item, key)
        if name in result:
            problems.append(Problem(shown, f"[{name}]", f"duplicate {kind} {name!r}"))
        result[name] = item
    return result


def _read_tsv(path: Path, root: Path, problems: list[Problem]) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8", newline="") as stream:
            return list(csv.DictReader(stream, delimiter="\t", quoting=csv.QUOTE_NONE))
    except OSError as error:
        problems.append(Problem(_relative(path, root), "", f"cannot read: {error}"))
        return []


def read(knowledge: Path | None = None, rules: Path | None = None) -> KnowledgeBase:
    """Read everything, never raising: problems are collected on the result."""
    knowledge = knowledge or data_dir("knowledge")
    rules = rules or data_dir("rules")
    root = knowledge.parent
    problems: list[Problem] = []

    taxonomy = {
        row["id"]: TaxonomyRow(row["id"], row["group"], row["definition"])
        for row in _read_tsv(knowledge / "taxonomy.tsv", root, problems)
    }
    vocabulary = tuple(
        VocabularyRow(
            ecosystem=row["ecosystem"],
            code=row["code"] or "",
            number=row["number"] or "",
            message=row["message"] or "",
            diagnoses=tuple(d for d in (row["diagnosis"] or "").split("|") if d and d != "none"),
            source=row["source"] or "",
        )
        for row in _read_tsv(knowledge / "vocabulary.tsv", root, problems)
    )

    entries: dict[str, Entry] = {}
    entry_files: dict[str, Path] = {}
    for path in sorted(knowledge.glob("*/*.yaml")):
        shown = _relative(path, root)
        data = _read_yaml(path, root, problems)
        if data is None:
            continue
        entry = validate(Entry, data, shown, "", problems)
        if entry is None:
            continue
        if entry.id in entries:
            problems.append(Problem(shown, "id", f"duplicate entry id {entry.id!r} (also {entry_files[entry.id]})"))
        entries[entry.id] = entry
        entry_files[entry.id] = path

    facts = _keyed(_load_list(rules / "facts", FactDef, root, problems), "name", "fact", problems)
    questions = _keyed(_load_list(rules / "questions", Question, root, problems), "id", "question", problems)
    checks = _keyed(_load_list(rules / "checks", CheckDef, root, problems), "id", "check", problems)
    rule_items = _load_list(rules / "inference", Rule, root, problems)
    _keyed(rule_items, "id", "rule", problems)

    return KnowledgeBase(
        root=root,
        taxonomy=taxonomy,
        entries=entries,
        entry_files=entry_files,
        facts=facts,
        questions=questions,
        checks=checks,
        rules=tuple(rule for rule, _ in rule_items),
        vocabulary=vocabulary,
        problems=tuple(problems),
    )


@cache
def load_kb(knowledge: Path | None = None, rules: Path | None = None) -> KnowledgeBase:
    """The knowledge base, loaded once per process; raises KnowledgeBaseError listing every problem."""
    from assistant.kb.check import cross_check

    kb = read(knowledge, rules)
    # Templates are checked by `kb check` and the tests; parsing them all here would slow every start.
    problems = list(kb.problems) + cross_check(kb, templates=False)
    if problems:
        raise KnowledgeBaseError(problems)
    return kb
