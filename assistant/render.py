"""Provides fix-step rendering with Jinja2 (sandboxed): terminal Markdown, plain text, HTML.

Two kinds of template, both sandboxed:
- knowledge fix texts (`fix[].text` in knowledge/) are Markdown templates over *facts*. A fact that
  is not known renders as `<name>`, so a step reads well before the host is known. Values are only
  ever substituted into our own data; no template is built from user text.
- the page templates in assistant/templates/ (`fix.md.j2`, `fix.txt.j2`, `fix.html.j2`), one per
  output form, lay out title, summary, mechanism, evidence and the platform sections. The HTML
  one autoescapes; step bodies reach it as Markdown converted by markdown-it with raw HTML off, so
  a fact such as `<script>` is shown, never run.

Filters for knowledge authors, for values substituted into commands so they can be copied and run:
  {{ key_file | shquote }}   POSIX shell quoting (shlex.quote): /etc/ssl/my key.pem -> '/etc/ssl/my key.pem'
  {{ pfx_file | psquote }}   PowerShell single-quoted literal: C:\\My Certs\\a.pfx -> 'C:\\My Certs\\a.pfx'
A missing fact stays `<key_file>` under both filters (a visible blank, not a quoted one).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from assistant.engine.conditions import holds
from assistant.i18n import translation
from assistant.kb import KnowledgeBase
from assistant.kb.schema import PLATFORMS, Entry, FixStep
from assistant.model import EvidenceItem, FactValue

if TYPE_CHECKING:
    from jinja2 import Template
    from jinja2.sandbox import SandboxedEnvironment

Form = Literal["markdown", "text", "html"]

_TEMPLATES = Path(__file__).parent / "templates"
_TEMPLATE_FILES: dict[str, str] = {"markdown": "fix.md.j2", "text": "fix.txt.j2", "html": "fix.html.j2"}


@dataclass(frozen=True, slots=True)
class RenderedStep:
    platform: str
    title: str
    body: str
    """Markdown (or the requested form) with facts filled in; unknown facts render as `<name>`."""
    restart: str
    """none, reload, restart or reboot."""
    id: str = ""


# --- knowledge text templates -------------------------------------------------------------------


def _is_missing(value: object) -> bool:
    from jinja2 import Undefined

    return isinstance(value, Undefined)


def shquote(value: object) -> str:
    """Quote a value for a POSIX shell command line; a missing fact stays `<name>`."""
    return str(value) if _is_missing(value) else shlex.quote(str(value))


def psquote(value: object) -> str:
    """Quote a value as a PowerShell single-quoted literal; a missing fact stays `<name>`."""
    return str(value) if _is_missing(value) else "'" + str(value).replace("'", "''") + "'"


@cache
def text_environment() -> SandboxedEnvironment:
    """The sandbox that knowledge texts render in; `kb check` parses with it too, so filters agree."""
    from jinja2 import Undefined
    from jinja2.sandbox import SandboxedEnvironment

    class FactUndefined(Undefined):
        """A fact nobody has set yet: shown as `<host>` so the step still reads as a recipe."""

        __slots__ = ()

        def __str__(self) -> str:
            return f"<{self._undefined_name}>"

    env = SandboxedEnvironment(undefined=FactUndefined, autoescape=False, keep_trailing_newline=False)
    env.filters.update(shquote=shquote, psquote=psquote)
    return env


@lru_cache(maxsize=2048)
def _text_template(source: str) -> Template:
    return text_environment().from_string(source)


def fill(source: str, facts: dict[str, FactValue]) -> str:
    """Render one knowledge text over facts; "I don't know" (None) counts as not known."""
    known = {name: value for name, value in facts.items() if value is not None}
    return _text_template(source).render(known).strip()


# --- step selection ------------------------------------------------------------------------------


def _entry(kb: KnowledgeBase, diagnosis_id: str) -> Entry:
    try:
        return kb.entries[diagnosis_id]
    except KeyError:
        raise KeyError(f"unknown diagnosis id {diagnosis_id!r}") from None


def _selected(
    entry: Entry, facts: dict[str, FactValue], platform: str | None, candidates: Collection[str]
) -> list[FixStep]:
    """Steps whose `when` holds; for a platform, its own steps and the generic ones."""
    present = {entry.id, *candidates}
    steps = [step for step in entry.fix if holds(step.when, facts, present)]
    if platform is None:
        return steps
    return [step for step in steps if step.platform in (platform, "generic")]


def fix_steps(
    kb: KnowledgeBase,
    diagnosis_id: str,
    facts: dict[str, FactValue],
    language: str,
    platform: str | None = None,
    *,
    form: Form = "markdown",
    candidates: Collection[str] = (),
) -> list[RenderedStep]:
    """The entry's fix steps whose `when` holds, for one platform (or all), facts filled in.

    With a platform, its own steps come with the `generic` ones (re-issuing a certificate applies to
    every server). `candidates` are the session's other candidates, for `when.candidate`."""
    entry = _entry(kb, diagnosis_id)
    return [
        RenderedStep(
            platform=step.platform,
            title=step.title.get(language),
            body=_convert(fill(step.text.get(language), facts), form),
            restart=step.restart,
            id=step.id,
        )
        for step in _selected(entry, facts, platform, candidates)
    ]


# --- forms ---------------------------------------------------------------------------------------


@cache
def _markdown_it() -> Any:
    from markdown_it import MarkdownIt

    # Raw HTML off: anything that looks like a tag, in our text or in a fact, is shown as text.
    return MarkdownIt("commonmark", {"html": False})


_BOLD = re.compile(r"\*\*(.+?)\*\*")


def _plain(markdown: str) -> str:
    """Markdown to plain text for tickets and mail: bold marks dropped, code blocks indented."""
    lines, fenced = [], False
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        lines.append("    " + line if fenced else _BOLD.sub(r"\1", line))
    return "\n".join(lines)


def _convert(markdown: str, form: Form) -> str:
    if form == "html":
        from markupsafe import Markup

        return Markup(_markdown_it().render(markdown))  # noqa: S704 - raw HTML is disabled above
    if form == "text":
        return _plain(markdown)
    return markdown


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|!])")


def _escape_markdown(value: object) -> str:
    """For user text shown in Markdown (evidence): shown literally, never as markup."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(value))


def _underline(text: str, char: str = "=") -> str:
    """A rule as wide as the text on a terminal: CJK characters take two cells."""
    from unicodedata import east_asian_width

    return char * sum(2 if east_asian_width(c) in "WF" else 1 for c in text)


# --- labels (translated when shown, never at import) --------------------------------------------


def platform_label(platform: str, language: str | None = None) -> str:
    gettext = translation(language).gettext
    labels = {
        "iis": "IIS (Windows Server)",
        "apache": "Apache httpd",
        "nginx": "nginx",
        "tomcat": "Tomcat",
        "generic": gettext("Any server"),
        "client": gettext("On the client"),
    }
    return labels.get(platform, platform)


def restart_note(restart: str, language: str | None = None) -> str:
    """The warning shown on a step that needs a reload, restart or reboot; "" for none."""
    gettext = translation(language).gettext
    notes = {
        "reload": gettext("Takes effect after a configuration reload."),
        "restart": gettext("Takes effect after the service is restarted."),
        "reboot": gettext("Takes effect only after the server is rebooted."),
    }
    return notes.get(restart, "")


def evidence_label(source: str, language: str | None = None) -> str:
    gettext = translation(language).gettext
    labels = {
        "paste": gettext("In your paste"),
        "answer": gettext("Your answer"),
        "probe": gettext("Server probe"),
        "file": gettext("File check"),
        "rule": gettext("Rule"),
    }
    return labels.get(source, source)


# --- the whole document --------------------------------------------------------------------------


@cache
def _page_env(form: Form) -> SandboxedEnvironment:
    from jinja2 import FileSystemLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(
        loader=FileSystemLoader(_TEMPLATES),
        autoescape=form == "html",
        undefined=StrictUndefined,  # a layout bug must fail loudly, not print a blank
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = _escape_markdown
    env.filters["underline"] = _underline
    env.filters["markdown"] = lambda text: _convert(text, form)
    return env


def render_fix(
    kb: KnowledgeBase,
    diagnosis_id: str,
    facts: dict[str, FactValue],
    language: str,
    *,
    platform: str | None = None,
    form: Form = "markdown",
    evidence: Sequence[EvidenceItem] = (),
    candidates: Collection[str] = (),
) -> str:
    """The whole fix for one diagnosis as one document: title, summary, evidence, platform sections.

    Sections without content are left out. When no step fits the requested platform, every
    platform's steps are shown with a note saying so."""
    if form not in _TEMPLATE_FILES:
        raise ValueError(f"unknown form {form!r}; use one of {sorted(_TEMPLATE_FILES)}")
    entry = _entry(kb, diagnosis_id)
    catalog = translation(language)
    steps = fix_steps(kb, diagnosis_id, facts, language, platform, form=form, candidates=candidates)
    note = ""
    if platform is not None and not steps:
        note = catalog.gettext(
            "No step in this entry is specific to {platform}; here are the steps for every platform."
        )
        note = note.format(platform=platform_label(platform, language))
        steps = fix_steps(kb, diagnosis_id, facts, language, form=form, candidates=candidates)
    sections = [
        {
            "platform": name,
            "label": platform_label(name, language),
            "steps": [
                {"step": step, "warning": restart_note(step.restart, language)}
                for step in steps
                if step.platform == name
            ],
        }
        for name in PLATFORMS
    ]
    template = _page_env(form).get_template(_TEMPLATE_FILES[form])
    return template.render(
        _=catalog.gettext,
        language=language,
        title=entry.title.get(language),
        summary=entry.summary.get(language),
        mechanism=entry.mechanism.get(language),
        evidence=[
            {"label": evidence_label(item.source, language), "text": item.text, "against": item.weight < 0}
            for item in evidence
            if item.text.strip()
        ],
        note=note,
        sections=[section for section in sections if section["steps"]],
        references=[ref for ref in entry.references if ref.url],
    )
