"""Provides the fix view: one tab per server platform, copyable commands, restart warnings."""

from __future__ import annotations

import re
from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Markdown, Static, TabbedContent, TabPane

from assistant.i18n import _, current_language
from assistant.kb import KnowledgeBase
from assistant.kb.schema import PLATFORMS
from assistant.model import FactValue

_FENCED = re.compile(r"^(`{3,}|~{3,})[^\n]*\n(.*?)^\1", re.MULTILINE | re.DOTALL)
_INLINE = re.compile(r"`([^`\n]+)`")


def platform_names() -> dict[str, str]:
    return {
        "iis": "IIS",
        "apache": "Apache",
        "nginx": "nginx",
        "tomcat": "Tomcat",
        "generic": _("Any server"),
        "client": _("Client side"),
    }


def restart_warning(restart: str) -> str:
    return {
        "reload": _("Takes effect after a configuration reload."),
        "restart": _("Takes effect after a service restart."),
        "reboot": _("Takes effect only after a reboot of the server."),
    }.get(restart, "")


def commands_in(body: str) -> str:
    """The commands a step's Markdown shows, in order: fenced blocks and inline code; else the text."""
    found: list[tuple[int, str]] = [(m.start(), m.group(2).rstrip("\n")) for m in _FENCED.finditer(body)]
    outside = _FENCED.sub(lambda m: " " * len(m.group(0)), body)
    found += [(m.start(), m.group(1)) for m in _INLINE.finditer(outside)]
    return "\n".join(text for _, text in sorted(found)) or body


def preferred_platform(facts: dict[str, FactValue]) -> str:
    software = facts.get("server_software")
    if isinstance(software, str) and software in PLATFORMS:
        return software
    return "generic"


class FixView(Vertical):
    """The fix for one diagnosis. Re-composed on a language switch (tab labels, step texts)."""

    DEFAULT_CSS = """
    FixView { height: 1fr; }
    FixView .step-title { text-style: bold; margin-top: 1; }
    FixView .-restart { background: $warning 30%; color: $text; text-style: bold; padding: 0 1; }
    FixView .-reboot { background: $error 40%; }
    FixView .step-actions { height: auto; }
    FixView .step-actions Button { min-width: 10; }
    FixView Markdown { margin: 0; }
    """

    def __init__(
        self,
        kb: KnowledgeBase,
        diagnosis_id: str,
        facts: Callable[[], dict[str, FactValue]],
        **kwargs: object,
    ) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.kb = kb
        self.diagnosis_id = diagnosis_id
        self.facts = facts
        self.active_platform = preferred_platform(facts())
        self.commands: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        from assistant.render import fix_steps

        names = platform_names()
        self.commands = {}
        steps = fix_steps(self.kb, self.diagnosis_id, self.facts(), current_language())
        having = [platform for platform in PLATFORMS if any(step.platform == platform for step in steps)]
        if having and self.active_platform not in having:
            self.active_platform = having[0]
        with TabbedContent(initial=f"fix-{self.active_platform}"):
            for platform in PLATFORMS:
                with TabPane(names[platform], id=f"fix-{platform}"), VerticalScroll():
                    mine = [step for step in steps if step.platform == platform]
                    if not mine:
                        yield Static(Text(_("No specific steps for this platform."), style="italic"))
                    for index, step in enumerate(mine):
                        key = f"{platform}-{index}"
                        self.commands[key] = commands_in(step.body)
                        yield Static(Text(step.title), classes="step-title")
                        if step.restart != "none":
                            yield Static(
                                Text("⚠ " + restart_warning(step.restart)),
                                classes=f"-restart -{step.restart}",
                            )
                        yield Markdown(step.body)
                        with Horizontal(classes="step-actions"):
                            yield Button(_("Copy commands"), id=f"copy-{key}", compact=True)

    @on(TabbedContent.TabActivated)
    def _remember_tab(self, event: TabbedContent.TabActivated) -> None:
        pane_id = event.pane.id or ""
        self.active_platform = pane_id.removeprefix("fix-")

    @on(Button.Pressed)
    def _copy(self, event: Button.Pressed) -> None:
        key = (event.button.id or "").removeprefix("copy-")
        if key in self.commands:
            event.stop()
            self.app.copy_to_clipboard(self.commands[key])
            self.app.notify(_("Copied to the clipboard (if your terminal allows it)."), markup=False)

    def relocalize(self) -> None:
        self.call_later(self.recompose)
