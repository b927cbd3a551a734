"""How deeply a JSON value nests, counted without recursion: what the command line, the control
API and schema-diff check before they walk a value a user gave them."""

from __future__ import annotations

from typing import Any

__all__ = ["depth"]


def depth(value: Any, limit: int) -> int:
    """How many levels of arrays and objects *value* nests (0 for a scalar); the count stops
    once it passes *limit*, so a value nested far deeper costs no more than one just past it."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > limit:
            break
        if isinstance(node, dict):
            stack.extend((child, level + 1) for child in node.values())
        elif isinstance(node, list):
            stack.extend((child, level + 1) for child in node)
    return deepest
