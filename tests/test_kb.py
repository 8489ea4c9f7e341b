"""The knowledge base loads, validates, and reports every problem with its file and field."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from assistant.kb.check import check_all, cross_check
from assistant.kb.load import read
from assistant.kb.schema import Entry, Text
from tests.conftest import ROOT

SHARED_TAXONOMY = ROOT.parent / "shared" / "taxonomy.tsv"


def _copy_data(tmp_path: Path) -> tuple[Path, Path]:
    knowledge = tmp_path / "knowledge"
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "knowledge", knowledge)
    shutil.copytree(ROOT / "rules", rules)
    return knowledge, rules


def test_shipped_knowledge_and_rules_have_no_problems():
    kb = read()
    problems = list(kb.problems) + cross_check(kb)
    assert problems == [], "\n".join(map(str, problems))


def test_kb_check_command_passes_on_the_shipped_data():
    result = subprocess.run(
        [sys.executable, "-m", "assistant", "kb", "check"], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_shared_taxonomy_id_is_in_the_shipped_taxonomy():
    if not SHARED_TAXONOMY.is_file():
        pytest.skip("../shared/taxonomy.tsv is not beside this checkout")
    shared = {line.split("\t")[0] for line in SHARED_TAXONOMY.read_text().splitlines()[1:] if line}
    shipped = set(read().taxonomy)
    assert shared - shipped == set()


def test_a_text_without_all_four_languages_is_refused():
    with pytest.raises(ValueError, match="zh-Hant"):
        Text.model_validate({"en": "a", "zh-Hans": "b", "ko": "c"})


def test_broken_entry_is_reported_with_its_file_and_field(tmp_path):
    knowledge, rules = _copy_data(tmp_path)
    source = knowledge / "usage" / "key-usage-incompatible.yaml"
    data = yaml.safe_load(source.read_text())
    del data["title"]["zh-Hant"]
    data["questions"].append("q.no_such_question")
    data["look_alikes"].append("no-such-diagnosis")
    data["fix"][0]["text"]["en"] += " {{ no_such_fact }}"
    source.write_text(yaml.safe_dump(data, allow_unicode=True))

    problems = [str(p) for p in check_all(knowledge, rules, ROOT / "locales")]
    path = "knowledge/usage/key-usage-incompatible.yaml"
    assert any(p.startswith(path) and "title.zh-Hant" in p for p in problems), problems
    # The entry no longer loads, so its references are not checked; fix the title and look again.
    data["title"]["zh-Hant"] = "標題"
    source.write_text(yaml.safe_dump(data, allow_unicode=True))
    problems = [str(p) for p in check_all(knowledge, rules, ROOT / "locales")]
    assert any(path in p and "q.no_such_question" in p for p in problems), problems
    assert any(path in p and "no-such-diagnosis" in p for p in problems), problems
    assert any(path in p and "no_such_fact" in p for p in problems), problems


def test_unreadable_yaml_and_wrong_file_name_are_reported(tmp_path):
    knowledge, rules = _copy_data(tmp_path)
    (knowledge / "usage" / "broken.yaml").write_text("id: [unclosed\n")
    renamed = knowledge / "usage" / "renamed.yaml"
    shutil.copy(knowledge / "usage" / "key-usage-incompatible.yaml", renamed)
    problems = [str(p) for p in check_all(knowledge, rules, ROOT / "locales")]
    assert any("knowledge/usage/broken.yaml" in p and "cannot read YAML" in p for p in problems)
    assert any("knowledge/usage/renamed.yaml" in p and "file name must be the id" in p for p in problems)
    assert any("duplicate entry id" in p for p in problems)


def test_a_taxonomy_id_without_an_entry_is_reported(tmp_path):
    knowledge, rules = _copy_data(tmp_path)
    (knowledge / "usage" / "key-usage-incompatible.yaml").unlink()
    problems = [str(p) for p in check_all(knowledge, rules, ROOT / "locales")]
    assert any("key-usage-incompatible" in p and "no knowledge entry" in p for p in problems)


def test_dangling_rule_references_are_reported(tmp_path):
    knowledge, rules = _copy_data(tmp_path)
    (rules / "inference" / "zz-broken.yaml").write_text(
        yaml.safe_dump(
            [
                {
                    "id": "r.broken.example",
                    "when": {"facts": {"undeclared_fact": True}, "candidate": "no-such-id"},
                    "then": {"ask": "q.missing", "probe": ["no.such_check"], "support": {"nope": 0.5}},
                }
            ]
        )
    )
    problems = [str(p) for p in check_all(knowledge, rules, ROOT / "locales")]
    for needle in ("undeclared_fact", "no-such-id", "q.missing", "no.such_check", "'nope'"):
        assert any("r.broken.example" in p and needle in p for p in problems), (needle, problems)


def test_every_entry_is_a_valid_entry_model():
    for path in sorted((ROOT / "knowledge").glob("*/*.yaml")):
        Entry.model_validate(yaml.safe_load(path.read_text()))


def test_fix_templates_may_use_the_renderers_filters_but_not_unknown_ones(tmp_path):
    knowledge, rules = _copy_data(tmp_path)
    source = knowledge / "usage" / "key-usage-incompatible.yaml"
    data = yaml.safe_load(source.read_text())
    data["fix"][0]["text"]["en"] += " `ls {{ cert_file | shquote }}` {{ host | no_such_filter }}"
    source.write_text(yaml.safe_dump(data, allow_unicode=True))
    problems = [str(p) for p in check_all(knowledge, rules, ROOT / "locales")]
    assert [p for p in problems if "fix.0.text.en" in p and "no_such_filter" in p], problems
    assert not [p for p in problems if "shquote" in p], problems
