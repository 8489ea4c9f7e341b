"""Provides the conversation view: the user's pastes and answers, and the assistant's replies.

Every message keeps a `render` callable rather than its text, so a language switch re-renders what is
already on screen: knowledge text is picked, and `_()` is called, at render time.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.containers import VerticalScroll
from textual.widgets import Markdown, Static

from assistant.ui.inert import inert

Render = Callable[[], str]


class UserMessage(Static):
    """What the user pasted or answered, shown literally (never as markup)."""

    DEFAULT_CSS = """
    UserMessage {
        margin: 1 0 0 6;
        padding: 0 1;
        background: $boost;
        border-left: thick $accent;
    }
    """

    def __init__(self, render: Render) -> None:
        self.render_text = render
        super().__init__(inert(render()))

    def relocalize(self) -> None:
        self.update(inert(self.render_text()))


class Reply(Markdown):
    """An assistant reply, Markdown written by the assistant (user text inside is escaped)."""

    DEFAULT_CSS = """
    Reply {
        margin: 1 6 0 0;
        padding: 0 1;
        border-left: thick $primary;
    }
    Reply > *:last-child { margin-bottom: 0; }
    """

    def __init__(self, render: Render) -> None:
        self.render_text = render
        super().__init__(render())

    def relocalize(self) -> None:
        self.update(self.render_text())


class Conversation(VerticalScroll):
    """The running dialogue, newest at the bottom."""

    DEFAULT_CSS = """
    Conversation { height: 1fr; }
    """

    def on_mount(self) -> None:
        self.anchor()  # stay at the newest message as replies grow

    def add_user(self, render: Render) -> UserMessage:
        message = UserMessage(render)
        self.mount(message)
        return message

    def add_reply(self, render: Render) -> Reply:
        reply = Reply(render)
        self.mount(reply)
        return reply
