"""Provides holds(): does a `When` condition hold for these facts and candidates?

Shared by inference rules and fix steps. A condition is plain data (four parts, all must hold), so
evaluating it is a few set lookups: there is no expression language and nothing is ever eval'd.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from assistant.kb.schema import When
from assistant.model import FactValue


def same_value(actual: FactValue, expected: FactValue) -> bool:
    """Equality that tolerates YAML/JSON spelling: `443` and `"443"`, `true` and `True`, any case."""
    if actual is None or expected is None:
        return actual is expected
    if isinstance(actual, bool) or isinstance(expected, bool):
        return isinstance(actual, bool) and isinstance(expected, bool) and actual == expected
    return str(actual).casefold() == str(expected).casefold()


def holds(when: When | None, facts: Mapping[str, FactValue], candidates: Collection[str] = ()) -> bool:
    """True when every part of `when` holds; `None` (no condition) always holds.

    `facts` maps every fact that was set, "I don't know" included (value None): such a fact is
    `known` but matches no value in `facts`.
    """
    if when is None:
        return True
    if when.candidate is not None and when.candidate not in candidates:
        return False
    if any(name not in facts for name in when.known):
        return False
    if any(name in facts for name in when.missing):
        return False
    for name, expected in when.facts.items():
        if name not in facts:
            return False
        wanted = expected if isinstance(expected, list) else [expected]
        if not any(same_value(facts[name], value) for value in wanted):
            return False
    return True


def reads(when: When) -> list[str]:
    """The facts a condition looks at (for explaining where a conclusion came from)."""
    return [*when.facts, *when.known]
