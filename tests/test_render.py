"""Fix steps render in every language and form, with facts filled in and values kept safe."""

from __future__ import annotations

import dataclasses
import re
import subprocess

import pytest

from assistant.i18n import LANGUAGES
from assistant.kb.load import read
from assistant.kb.schema import FixStep
from assistant.model import EvidenceItem
from assistant.render import fill, fix_steps, render_fix, restart_note

FORMS = ("markdown", "text", "html")
KB = read()  # not load_kb(): entries other engineers are still writing must not hide the good ones
ENTRIES = sorted(KB.entries)
FACTS = {"host": "shop.example.com", "port": 8443, "cert_file": "/etc/ssl/shop.pem", "key_file": "/etc/ssl/shop.key"}
EVIDENCE = [EvidenceItem("paste", "ERR_CERT_DATE_INVALID", 0.9), EvidenceItem("answer", "nginx", -0.3)]


def _empty_markdown_sections(document: str) -> list[str]:
    """Headings followed by nothing but a heading of the same or a higher level (or the end)."""
    lines = [line for line in document.splitlines() if line.strip()]
    empty = []
    for index, line in enumerate(lines):
        level = len(line) - len(line.lstrip("#"))
        if not level or not line[level:].startswith(" "):
            continue
        following = lines[index + 1] if index + 1 < len(lines) else "#"
        next_level = len(following) - len(following.lstrip("#"))
        if following.startswith("#") and next_level <= level:
            empty.append(line)
    return empty


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("diagnosis_id", ENTRIES)
def test_every_entry_renders_in_every_language_and_form(diagnosis_id, language):
    entry = KB.entries[diagnosis_id]
    for form in FORMS:
        document = render_fix(KB, diagnosis_id, FACTS, language, form=form, evidence=EVIDENCE)
        assert entry.title.get(language) in document or form == "html"
        assert "ERR_CERT_DATE_INVALID" in document.replace("\\_", "_")
        for step in fix_steps(KB, diagnosis_id, FACTS, language):
            assert step.title in document or form == "html"
    markdown = render_fix(KB, diagnosis_id, FACTS, language)
    assert _empty_markdown_sections(markdown) == []
    html = render_fix(KB, diagnosis_id, FACTS, language, form="html")
    assert not re.search(r"<section[^>]*>\s*<h\d>[^<]*</h\d>\s*</section>|<ul>\s*</ul>", html)
    assert f'<html lang="{language}">' in html


@pytest.mark.parametrize("diagnosis_id", ENTRIES)
def test_every_step_text_fills_in_every_language(diagnosis_id):
    for step in KB.entries[diagnosis_id].fix:
        for language, source in step.text.items():
            text = fill(source, FACTS)
            assert text.strip(), f"{diagnosis_id}/{step.id}/{language} renders empty"
            assert "{{" not in text and "{%" not in text


def test_known_facts_are_filled_in_and_unknown_ones_show_their_name():
    steps = fix_steps(KB, "key-usage-incompatible", {"host": "shop.example.com"}, "en", "generic")
    assert steps and all(step.platform == "generic" for step in steps)
    body = steps[0].body
    assert "<cert_file>" in body
    iis = fix_steps(KB, "key-usage-incompatible", {"host": "shop.example.com"}, "zh-Hant", "iis")[0]
    assert "ssl-assistant probe shop.example.com" in iis.body
    unknown = fix_steps(KB, "key-usage-incompatible", {"host": None}, "ko", "iis")[0]
    assert "ssl-assistant probe <host>" in unknown.body  # "I don't know" is not a value


def test_a_path_with_spaces_and_quotes_survives_the_shell(tmp_path):
    path = tmp_path / 'it\'s my "cert" $HOME.pem'
    path.write_text("x")
    command = fill("printf '%s' {{ cert_file | shquote }}", {"cert_file": str(path)})
    result = subprocess.run(["sh", "-c", command], capture_output=True, text=True, check=True)
    assert result.stdout == str(path)
    assert fill("ls {{ cert_file | shquote }}", {}) == "ls <cert_file>"
    assert fill("Import-PfxCertificate -FilePath {{ f | psquote }}", {"f": "C:\\My Certs\\o'neil.pfx"}) == (
        "Import-PfxCertificate -FilePath 'C:\\My Certs\\o''neil.pfx'"
    )


def test_html_escapes_a_fact_and_evidence_containing_script():
    hostile = "<script>alert(1)</script>"
    html = render_fix(
        KB,
        "key-usage-incompatible",
        {"host": hostile, "cert_file": hostile},
        "en",
        form="html",
        evidence=[EvidenceItem("paste", hostile, 1.0)],
    )
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_knowledge_templates_run_in_the_sandbox():
    from jinja2.exceptions import SecurityError

    with pytest.raises(SecurityError):
        fill("{{ host.__class__.__mro__[1].__subclasses__() }}", {"host": "x"})


@pytest.mark.parametrize("form", FORMS)
def test_restart_and_reboot_warnings_are_shown(form):
    for language in LANGUAGES:
        document = render_fix(KB, "key-usage-incompatible", FACTS, language, platform="iis", form=form)
        assert restart_note("reboot", language) in document
        assert restart_note("restart", language) in document  # the generic re-issue step
    assert restart_note("none") == ""


def test_platform_choice_keeps_generic_steps_and_falls_back_when_none_fit():
    nginx = fix_steps(KB, "key-usage-incompatible", FACTS, "en", "nginx")
    assert {step.platform for step in nginx} == {"nginx", "generic"}
    entry = KB.entries["key-usage-incompatible"]
    only_iis = dataclasses.replace(
        KB, entries={**KB.entries, entry.id: entry.model_copy(update={"fix": [entry.fix[0]]})}
    )
    document = render_fix(only_iis, entry.id, FACTS, "en", platform="client")
    assert "IIS" in document and "every platform" in document


def test_when_conditions_select_steps():
    entry = KB.entries["key-usage-incompatible"]
    step = entry.fix[0].model_dump(by_alias=True)
    gated = [
        FixStep.model_validate(step | {"id": "for-iis-10", "when": {"facts": {"server_software": "iis"}}}),
        FixStep.model_validate(step | {"id": "host-unknown", "when": {"missing": ["host"]}}),
        FixStep.model_validate(step | {"id": "with-lookalike", "when": {"candidate": "cipher-mismatch"}}),
    ]
    kb = dataclasses.replace(KB, entries={**KB.entries, entry.id: entry.model_copy(update={"fix": gated})})

    def ids(facts, candidates=()):
        return [s.id for s in fix_steps(kb, entry.id, facts, "en", candidates=candidates)]

    assert ids({}) == ["host-unknown"]
    assert ids({"server_software": "iis", "host": "a"}) == ["for-iis-10"]
    assert ids({"server_software": "nginx", "host": "a"}, ["cipher-mismatch"]) == ["with-lookalike"]


def test_bad_arguments_are_refused_clearly():
    with pytest.raises(KeyError, match="no-such-thing"):
        render_fix(KB, "no-such-thing", {}, "en")
    with pytest.raises(ValueError, match="form"):
        render_fix(KB, "key-usage-incompatible", {}, "en", form="pdf")  # type: ignore[arg-type]
