"""Provides fix-step rendering with Jinja2 (sandboxed): terminal Markdown, plain text, HTML. CONTRACT STUB."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from assistant.kb import KnowledgeBase
from assistant.model import FactValue

Form = Literal["markdown", "text", "html"]


@dataclass(frozen=True, slots=True)
class RenderedStep:
    platform: str
    title: str
    body: str
    """Markdown (or the requested form) with facts filled in; unknown facts render as `<name>`."""
    restart: str
    """none, reload, restart or reboot."""


def fix_steps(
    kb: KnowledgeBase, diagnosis_id: str, facts: dict[str, FactValue], language: str, platform: str | None = None
) -> list[RenderedStep]:
    """The entry's fix steps whose `when` holds, for one platform (or all), facts filled in."""
    raise NotImplementedError


def render_fix(
    kb: KnowledgeBase,
    diagnosis_id: str,
    facts: dict[str, FactValue],
    language: str,
    *,
    platform: str | None = None,
    form: Form = "markdown",
) -> str:
    """The whole fix for one diagnosis as one document: title, summary, evidence, platform sections."""
    raise NotImplementedError
