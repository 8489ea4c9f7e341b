"""Provides AssistantApp and `make_app()`, the one factory the CLI and the tests call."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from assistant import i18n
from assistant.i18n import LANGUAGES, _
from assistant.kb import KnowledgeBase
from assistant.ui.localized import apply_bindings, relocalize_tree

Clock = Callable[[], datetime]
ProbeRunner = Callable[..., Any]
"""`assistant.probes.run_probe`'s shape: (target, checks=, progress=, cancel=, now=) -> ProbeReport."""

LANGUAGE_NAMES = {
    "en": "English",
    "zh-Hans": "中文（简体）",
    "zh-Hant": "中文（繁體）",
    "ko": "한국어",
}
"""Each language named in itself, so anyone can find their own in the list."""

DARK_THEME, LIGHT_THEME = "textual-dark", "textual-light"


def default_probe_runner(*args: Any, **kwargs: Any) -> Any:
    """The real probes, imported only when a probe runs (they are not needed to start)."""
    from assistant.probes import run_probe  # type: ignore[attr-defined]

    return run_probe(*args, **kwargs)


class AssistantApp(App[None]):
    """The interactive assistant: one case screen, with lookup, probe, files and fix screens on top."""

    CSS_PATH = "assistant.tcss"
    TITLE = "SSL Assistant"

    def __init__(
        self,
        kb: KnowledgeBase,
        *,
        language: str,
        clock: Clock,
        probe_runner: ProbeRunner | None = None,
        files_root: Path | None = None,
        keep_history: bool = False,
    ) -> None:
        super().__init__()
        self.keep_history = keep_history
        """Save each case in the history (the CLI turns this on unless --no-history)."""
        self.kb = kb
        self.clock = clock
        self.probe_runner = probe_runner or default_probe_runner
        self.files_root = files_root or Path.cwd()
        self.language = language
        i18n.set_language(language)
        self.theme = DARK_THEME
        apply_bindings(self, self.key_bindings())

    def key_bindings(self) -> list[Binding]:
        return [
            Binding(
                "f2",
                "next_language",
                _("Language"),
                tooltip=_("Switch the language"),
                id="language",
            ),
            Binding("f3", "lookup", _("Lookup"), tooltip=_("Look up an error code"), id="lookup"),
            Binding("f9", "toggle_theme", _("Theme"), tooltip=_("Switch light/dark"), id="theme"),
        ]

    def get_default_screen(self) -> Screen[Any]:
        from assistant.ui.case_screen import CaseScreen

        return CaseScreen(self.kb)

    def on_mount(self) -> None:
        self.sub_title = LANGUAGE_NAMES[self.language]

    def set_language(self, language: str) -> None:
        """Switch language and re-render every screen on the stack: labels, bindings, knowledge text."""
        i18n.set_language(language)
        if self.keep_history:  # the real app remembers the choice; tests leave the settings alone
            from assistant.settings import save_language

            save_language(language)
        self.language = language
        self.sub_title = LANGUAGE_NAMES[language]
        apply_bindings(self, self.key_bindings())
        for screen in self.screen_stack:
            relocalize_tree(screen)
        self.refresh_bindings()

    def action_next_language(self) -> None:
        self.set_language(LANGUAGES[(LANGUAGES.index(self.language) + 1) % len(LANGUAGES)])

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT_THEME if self.theme == DARK_THEME else DARK_THEME

    def action_lookup(self) -> None:
        from assistant.ui.lookup_screen import LookupScreen

        if not isinstance(self.screen, LookupScreen):
            self.push_screen(LookupScreen(self.kb))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for language in LANGUAGES:
            yield SystemCommand(
                _("language: {name}").format(name=LANGUAGE_NAMES[language]),
                _("Show everything in this language"),
                lambda language=language: self.set_language(language),  # type: ignore[misc]
            )
        yield SystemCommand(_("theme: switch light/dark"), _("Switch light/dark"), self.action_toggle_theme)
        yield SystemCommand(_("lookup: error code"), _("Look up an error code"), self.action_lookup)
        for name, title, help_text in getattr(screen, "palette_commands", lambda: [])():
            yield SystemCommand(title, help_text, lambda name=name: screen.run_action(name))  # type: ignore[misc]


def make_app(
    kb: KnowledgeBase,
    *,
    language: str,
    clock: Clock,
    probe_runner: ProbeRunner | None = None,
    files_root: Path | None = None,
    keep_history: bool = False,
) -> AssistantApp:
    """Build the app. Tests pass a fixed clock, a language, and optionally a probe runner."""
    return AssistantApp(
        kb,
        language=language,
        clock=clock,
        probe_runner=probe_runner,
        files_root=files_root,
        keep_history=keep_history,
    )
