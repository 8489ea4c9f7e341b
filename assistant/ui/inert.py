"""Provides inert display of untrusted text: a paste can never style, move or hide anything.

Pasted text is shown through `rich.text.Text` (never parsed as markup), after removing terminal
escape sequences, control characters and bidirectional overrides, which could otherwise clear the
screen, retitle the window, or reorder what the reader sees.
"""

from __future__ import annotations

import re

from rich.text import Text

_ESCAPES = re.compile(
    r"""
    \x1b\[[0-?]*[\x20-/]*[@-~]              # CSI: colours, cursor moves, screen clears
  | \x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?      # OSC: window titles, hyperlinks, clipboard writes
  | \x1b[PX^_][^\x1b]*(?:\x1b\\)?           # DCS, SOS, PM, APC strings
  | \x1b[\x20-/]*[\x30-~]?                  # two-character escapes and a lone ESC
  | \x9b[0-?]*[\x20-/]*[@-~]                # 8-bit CSI
    """,
    re.VERBOSE,
)
# C0/C1 controls other than tab and newline, DEL, and the Unicode bidi controls.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~])")


def clean(text: str) -> str:
    """`text` with escape sequences and control characters removed; CRLF becomes LF, tabs 4 spaces."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ESCAPES.sub("", text)
    return _CONTROLS.sub("", text).expandtabs(4)


def inert(text: str, style: str = "") -> Text:
    """A Rich `Text` showing `text` literally: square brackets stay brackets, escapes are gone."""
    return Text(clean(text), style=style, no_wrap=False)


def md_escape(text: str) -> str:
    """`text` cleaned and escaped for inclusion in Markdown, so it renders as typed."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", clean(text))


def md_fence(text: str, info: str = "text") -> str:
    """`text` as a fenced Markdown code block whose fence is longer than any backtick run inside."""
    body = clean(text)
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{body}\n{fence}"
