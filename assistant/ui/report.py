"""Provides the case report for export: the conversation, the ranked causes and the fix.

Markdown is the source; HTML is the same Markdown rendered by markdown-it with raw HTML disabled, so
nothing pasted can inject markup into the exported page.
"""

from __future__ import annotations

import html
from datetime import datetime
from typing import Literal

from assistant.formatting import format_datetime
from assistant.i18n import _, pick
from assistant.kb import KnowledgeBase
from assistant.model import Candidate, FactValue
from assistant.ui.inert import md_escape, md_fence

ReportForm = Literal["md", "html"]


def report_markdown(
    kb: KnowledgeBase,
    *,
    conversation: list[tuple[str, str]],
    candidates: list[Candidate],
    facts: dict[str, FactValue],
    language: str,
    now: datetime,
) -> str:
    from assistant.render import render_fix

    lines = [
        "# " + _("SSL Assistant report"),
        "",
        format_datetime(now, language),
        "",
        "## " + _("Conversation"),
        "",
    ]
    for speaker, text in conversation:
        if speaker == "user":
            lines += ["**" + _("You") + "**", "", md_fence(text), ""]
        else:
            lines += ["**" + _("Assistant") + "**", "", text, ""]
    if candidates:
        lines += [
            "## " + _("Likely causes"),
            "",
            "| # | " + _("Diagnosis") + " | id | " + _("Score") + " |",
            "|---|---|---|---|",
        ]
        for rank, candidate in enumerate(candidates, start=1):
            entry = kb.entries.get(candidate.id)
            title = pick(entry.title, language) if entry else candidate.id
            lines.append(f"| {rank} | {md_escape(title)} | `{candidate.id}` | {candidate.score:.0%} |")
        lines.append("")
        try:
            lines += [
                "## " + _("Fix"),
                "",
                render_fix(kb, candidates[0].id, facts, language, form="markdown"),
            ]
        except NotImplementedError:
            lines += ["## " + _("Fix"), "", _("Fix steps are not available yet in this version.")]
    return "\n".join(lines).rstrip() + "\n"


def markdown_to_html(markdown: str, language: str, title: str) -> str:
    from markdown_it import MarkdownIt

    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(markdown)
    return (
        f'<!doctype html>\n<html lang="{html.escape(language)}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n"
        "<style>body{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em}"
        "pre{background:#f4f4f4;padding:1em;overflow:auto}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:.3em .6em}</style>\n"
        f"</head>\n<body>\n{body}</body>\n</html>\n"
    )


def build_report(form: ReportForm, **parts: object) -> str:
    markdown = report_markdown(**parts)  # type: ignore[arg-type]
    if form == "html":
        return markdown_to_html(markdown, str(parts["language"]), _("SSL Assistant report"))
    return markdown
