"""Provides the cross-file checks behind `ssl-assistant kb check`: every problem, with file and field."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.kb.load import KnowledgeBase, Problem, read
from assistant.kb.schema import LANGUAGE_KEYS, When
from assistant.paths import data_dir


def _when_problems(when: When | None, kb: KnowledgeBase, path: str, where: str) -> list[Problem]:
    if when is None:
        return []
    problems = []
    if when.candidate and when.candidate not in kb.taxonomy:
        problems.append(Problem(path, f"{where}.candidate", f"unknown diagnosis id {when.candidate!r}"))
    for name in [*when.facts, *when.known, *when.missing]:
        if name not in kb.facts:
            problems.append(Problem(path, where, f"undeclared fact {name!r} (declare it in rules/facts/)"))
    for name, expected in when.facts.items():
        fact = kb.facts.get(name)
        values = expected if isinstance(expected, list) else [expected]
        if fact is not None and fact.values:
            for value in values:
                if value is not None and str(value) not in fact.values:
                    problems.append(Problem(path, f"{where}.facts.{name}", f"{value!r} is not one of {fact.values}"))
    return problems


def _template_problems(source: str, kb: KnowledgeBase, path: str, where: str) -> list[Problem]:
    from jinja2 import TemplateSyntaxError, meta

    from assistant.render import text_environment  # the renderer's own filters (shquote, psquote)

    environment = text_environment()
    try:
        parsed = environment.parse(source)
        environment.compile(parsed)  # an unknown filter is only caught when compiling
    except TemplateSyntaxError as error:
        return [Problem(path, where, f"template does not parse: {error.message}")]
    return [
        Problem(path, where, f"template uses undeclared fact {name!r}")
        for name in sorted(meta.find_undeclared_variables(parsed))
        if name not in kb.facts
    ]


def cross_check(kb: KnowledgeBase, *, templates: bool = True) -> list[Problem]:
    """References between files: ids, facts, questions, checks and (unless `templates` is False,
    which start-up uses because parsing every template costs a third of the load) fix templates."""
    problems: list[Problem] = []
    taxonomy_file = "knowledge/taxonomy.tsv"

    for diagnosis_id, row in kb.taxonomy.items():
        if diagnosis_id not in kb.entries:
            problems.append(
                Problem(
                    taxonomy_file,
                    diagnosis_id,
                    f"no knowledge entry (expected knowledge/{row.group}/{diagnosis_id}.yaml)",
                )
            )

    for diagnosis_id, entry in kb.entries.items():
        file = kb.entry_files[diagnosis_id]
        path = str(file.relative_to(kb.root))
        if diagnosis_id not in kb.taxonomy:
            problems.append(Problem(path, "id", f"unknown diagnosis id {diagnosis_id!r} (not in {taxonomy_file})"))
        elif entry.group != kb.taxonomy[diagnosis_id].group:
            problems.append(
                Problem(path, "group", f"{entry.group!r} but the taxonomy says {kb.taxonomy[diagnosis_id].group!r}")
            )
        if file.stem != diagnosis_id:
            problems.append(Problem(path, "id", f"file name must be the id: {diagnosis_id}.yaml"))
        if file.parent.name != entry.group:
            problems.append(Problem(path, "group", f"file must be in the folder knowledge/{entry.group}/"))
        for index, other in enumerate(entry.look_alikes):
            if other not in kb.taxonomy:
                problems.append(Problem(path, f"look_alikes.{index}", f"unknown diagnosis id {other!r}"))
        for index, question in enumerate(entry.questions):
            if question not in kb.questions:
                problems.append(Problem(path, f"questions.{index}", f"unknown question {question!r}"))
        for index, check in enumerate(entry.checks):
            if check not in kb.checks:
                problems.append(Problem(path, f"checks.{index}", f"unknown check {check!r}"))
        seen_steps: set[str] = set()
        for index, step in enumerate(entry.fix):
            where = f"fix.{index}"
            if step.id in seen_steps:
                problems.append(Problem(path, f"{where}.id", f"duplicate fix step id {step.id!r}"))
            seen_steps.add(step.id)
            problems += _when_problems(step.when, kb, path, f"{where}.when")
            if templates:
                for language, text in step.text.items():
                    problems += _template_problems(text, kb, path, f"{where}.text.{language}")

    for question in kb.questions.values():
        where = f"[{question.id}]"
        if question.sets not in kb.facts:
            problems.append(Problem("rules/questions/", f"{where}.sets", f"undeclared fact {question.sets!r}"))

    for check in kb.checks.values():
        for diagnosis_id in check.diagnoses:
            if diagnosis_id not in kb.taxonomy:
                problems.append(
                    Problem("rules/checks/", f"[{check.id}].diagnoses", f"unknown diagnosis id {diagnosis_id!r}")
                )

    for rule in kb.rules:
        where = f"[{rule.id}]"
        problems += _when_problems(rule.when, kb, "rules/inference/", f"{where}.when")
        for diagnosis_id in rule.then.support:
            if diagnosis_id not in kb.taxonomy:
                problems.append(
                    Problem("rules/inference/", f"{where}.then.support", f"unknown diagnosis id {diagnosis_id!r}")
                )
        if rule.then.ask and rule.then.ask not in kb.questions:
            problems.append(Problem("rules/inference/", f"{where}.then.ask", f"unknown question {rule.then.ask!r}"))
        for check_id in rule.then.probe:
            if check_id not in kb.checks:
                problems.append(Problem("rules/inference/", f"{where}.then.probe", f"unknown check {check_id!r}"))

    for line, row in enumerate(kb.vocabulary, start=2):
        for diagnosis_id in row.diagnoses:
            if diagnosis_id not in kb.taxonomy:
                problems.append(
                    Problem("knowledge/vocabulary.tsv", f"line {line}", f"unknown diagnosis id {diagnosis_id!r}")
                )
    return problems


_PLACEHOLDER = re.compile(r"%\(\w+\)[sdifr]|%[sdif]|\{\w*\}")


def check_locales(locales: Path | None = None) -> list[Problem]:
    """Every catalog exists, is compiled and fresh, has the locale's plural forms, translates every
    msgid of the template, and keeps the placeholders."""
    from babel import Locale
    from babel.messages.pofile import read_po

    from assistant.catalogs import compiled

    locales = locales or data_dir("locales")
    problems: list[Problem] = []
    template_path = locales / "messages.pot"
    if not template_path.is_file():
        return [Problem("locales/messages.pot", "", "missing: run the extract step (see locales/README.md)")]
    with template_path.open("rb") as stream:
        template = read_po(stream)
    wanted = {message.id for message in template if message.id}
    for language in LANGUAGE_KEYS:
        folder = language.replace("-", "_")
        po_path = locales / folder / "LC_MESSAGES" / "messages.po"
        shown = f"locales/{folder}/LC_MESSAGES/messages.po"
        if not po_path.is_file():
            problems.append(Problem(shown, "", "missing catalog"))
            continue
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.is_file():
            problems.append(
                Problem(shown.replace(".po", ".mo"), "", "not compiled: run `python -m assistant.catalogs compile`")
            )
        elif mo_path.read_bytes() != compiled(po_path, language):
            problems.append(
                Problem(shown.replace(".po", ".mo"), "", "stale: run `python -m assistant.catalogs compile`")
            )
        with po_path.open("rb") as stream:
            catalog = read_po(stream, locale=folder)
        forms = len(Locale.parse(folder).plural_form.tags) + 1  # CLDR lists every form but "other"
        if catalog.num_plurals != forms:
            problems.append(Problem(shown, "Plural-Forms", f"{catalog.num_plurals} forms, but {folder} has {forms}"))
        present = {message.id: message for message in catalog if message.id}
        for msgid in sorted(wanted, key=str):
            message = present.get(msgid)
            label = msgid if isinstance(msgid, str) else msgid[0]
            if message is None:
                problems.append(Problem(shown, repr(label[:60]), "msgid missing: run the update step"))
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if message.fuzzy or not all(strings):
                problems.append(Problem(shown, repr(label[:60]), "not translated (empty or fuzzy)"))
                continue
            ids = msgid if isinstance(msgid, tuple) else (msgid,)
            expected = sorted(set(_PLACEHOLDER.findall(ids[0])) | set(_PLACEHOLDER.findall(ids[-1])))
            for string in strings:
                if sorted(set(_PLACEHOLDER.findall(string))) != expected:
                    problems.append(Problem(shown, repr(label[:60]), f"placeholders differ from the msgid: {string!r}"))
    return problems


def check_all(knowledge: Path | None = None, rules: Path | None = None, locales: Path | None = None) -> list[Problem]:
    kb = read(knowledge, rules)
    return list(kb.problems) + cross_check(kb) + check_locales(locales)
