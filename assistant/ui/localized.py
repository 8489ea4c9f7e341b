"""Provides language switching for widgets: localized key bindings and the re-render walk.

Class attributes are evaluated at import, before a language is chosen, so nothing user-visible lives
in them. Screens and the app build their bindings in `key_bindings()` (called again after a switch),
and any widget showing localized text implements `relocalize()`, which re-reads its texts.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode


@runtime_checkable
class Relocalizable(Protocol):
    def relocalize(self) -> None: ...


def apply_bindings(node: DOMNode, bindings: list[Binding]) -> None:
    """Give `node` its class bindings plus `bindings` (whose descriptions are already translated)."""
    merged = type(node)._merged_bindings
    node._bindings = merged.copy() if merged is not None else BindingsMap()
    for binding in Binding.make_bindings(bindings):
        node._bindings.key_to_bindings.setdefault(binding.key, []).append(binding)


def relocalize_tree(root: DOMNode) -> None:
    """Call `relocalize()` on `root` and every descendant that has one."""
    for node in list(root.walk_children(with_self=True)):
        if isinstance(node, Relocalizable):
            node.relocalize()
