"""What a provider tells generation: its kinds of values, how a field's name or format says
which kind it holds, and the consistency rules compiled into each event's plan.

A provider hands its :class:`GenerationProfile` to :func:`hookmock.generate.fake.generate`
(the engine's ``Provider.generation``). :data:`NEUTRAL`, the default, knows the kinds of
:mod:`hookmock.generate.kinds` and no rules.

Consistency rules make related fields agree once a body is drawn (ids that refer to each other,
times that follow the event's). Where each rule applies is worked out once per event, from its
schema: :meth:`Coherence.for_event` gives the event's :class:`EventRules`, which give each object
of the schema its :class:`ObjectRules` (or None where none applies). A value that a rule sets is
not drawn first: its place in the body holds a :class:`Later` until the rule sets it, or draws
it when the rule does not apply (an override removed what it needs, say). Overrides are applied
before the rules, which leave every overridden field alone (:func:`put`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from .kinds import FORMAT_KINDS, NAME_KINDS, NUMBER_KINDS, STRING_KINDS, Context, Kind

__all__ = [
    "NEUTRAL",
    "After",
    "Before",
    "Coherence",
    "EventRules",
    "GenerationProfile",
    "Later",
    "ObjectRules",
    "drawable",
    "is_count",
    "is_text",
    "put",
    "settle",
    "value_type",
]

#: A rule applied to an object before the objects inside it: ``before(obj, path, ctx, state,
#: overridden)`` returns the state the objects inside it get (a meeting's span, say).
Before = Callable[[dict[str, Any], str, Context, Any, frozenset[str]], Any]
#: A rule applied to an object after the objects inside it: ``after(obj, path, ctx, overridden)``.
After = Callable[[dict[str, Any], str, Context, frozenset[str]], None]


class ObjectRules:
    """The rules that apply in one object of an event's schema."""

    __slots__ = ("after", "before", "below", "deferred")

    def __init__(
        self,
        *,
        before: Before | None = None,
        after: After | None = None,
        deferred: Iterable[str] = (),
        below: Mapping[str, frozenset[str]] | None = None,
    ) -> None:
        self.before = before
        self.after = after
        #: The properties of this object that its rules set whenever they apply.
        self.deferred = frozenset(deferred)
        #: The properties of the objects inside it (by property name) that its rules set.
        self.below: Mapping[str, frozenset[str]] = below or {}


class EventRules(Protocol):
    """The rules of one event, worked out once from its name."""

    def begin(self, ctx: Context) -> None:
        """Called once a body is drawn and overridden, before the rules of its objects."""

    def object_rules(
        self, keys: frozenset[str], where: str, resolved: Mapping[str, Mapping[str, Any]]
    ) -> ObjectRules | None:
        """The rules of an object with the properties *keys* (their schemas resolved), at the
        JSON path *where* (``$.payload.object``); None where none applies."""


class Coherence(Protocol):
    """A provider's consistency rules."""

    def for_event(self, event: str, profile: GenerationProfile) -> EventRules | None:
        """The rules of the event *event*, or None where none applies."""


class GenerationProfile:
    """How a provider's events are generated from its schemas.

    :param string_kinds: the kinds of strings, by name (what ``x-hookmock-fake`` names).
    :param number_kinds: the kinds of integers, by name.
    :param name_kinds: the kind of a property named so, when its schema names none.
    :param format_kinds: the kind of a string of this ``format``, when its name says none.
    :param suffix_kinds: the kind of a string property whose name ends so, when nothing else
        says, in order.
    :param coherence: the consistency rules, if any.
    :param rule_inputs: the names of the fields the consistency rules read, if known. An
        override of a field named otherwise, which its schema lets be judged alone, is then
        checked alone instead of by validating the whole event (see
        :func:`hookmock.engine.overrides.leaf_check`); ``None``: every override validates it.
    """

    __slots__ = (
        "coherence",
        "format_kinds",
        "name_kinds",
        "number_kinds",
        "rule_inputs",
        "string_kinds",
        "suffix_kinds",
    )

    def __init__(
        self,
        *,
        string_kinds: Mapping[str, Kind] = STRING_KINDS,
        number_kinds: Mapping[str, Kind] = NUMBER_KINDS,
        name_kinds: Mapping[str, str] = NAME_KINDS,
        format_kinds: Mapping[str, str] = FORMAT_KINDS,
        suffix_kinds: Iterable[tuple[str, str]] = (),
        coherence: Coherence | None = None,
        rule_inputs: Iterable[str] | None = None,
    ) -> None:
        self.rule_inputs = None if rule_inputs is None else frozenset(rule_inputs)
        self.string_kinds = string_kinds
        self.number_kinds = number_kinds
        self.name_kinds = name_kinds
        self.format_kinds = format_kinds
        self.suffix_kinds = tuple(suffix_kinds)
        self.coherence = coherence

    @property
    def kinds(self) -> frozenset[str]:
        """Every value of ``x-hookmock-fake`` this provider's schemas may use."""
        return frozenset(self.string_kinds) | frozenset(self.number_kinds)

    def string_kind(self, node: Mapping[str, Any], name: str) -> str | None:
        """The kind of value drawn for a string *node* named *name*; None for a pattern or
        random letters."""
        explicit = node.get("x-hookmock-fake")
        if explicit is None and "pattern" in node:
            return None
        kind = explicit or self.name_kinds.get(name)
        if kind is None:
            kind = self.format_kinds.get(node.get("format", ""))
        if kind is None:
            for suffix, guessed in self.suffix_kinds:
                if name.endswith(suffix):
                    return guessed
        return kind

    def number_kind(self, node: Mapping[str, Any], name: str) -> str | None:
        """The kind of value drawn for an integer or number *node* named *name*, if any."""
        kind = node.get("x-hookmock-fake") or self.name_kinds.get(name)
        return kind if kind in self.number_kinds else None


#: The provider-neutral kinds, and no rules.
NEUTRAL = GenerationProfile()


def _unset(ctx: Context) -> Any:
    raise AssertionError("the plan was not finished")


class Later:
    """The place of a value that a rule sets once the body is drawn; drawn only if the rule
    does not set it."""

    __slots__ = ("draw", "ms", "stamp", "typ")

    def __init__(self, node: Mapping[str, Any], name: str, profile: GenerationProfile) -> None:
        self.draw: Kind = _unset
        self.typ = value_type(node)
        kind = profile.string_kind(node, name) if self.typ is str else None
        #: An ISO time (and whether with milliseconds).
        self.stamp = kind in ("datetime", "datetime_ms")
        self.ms = kind == "datetime_ms"

    def __repr__(self) -> str:
        return f"a generated {getattr(self.typ, '__name__', 'value')}"


def schema_type(node: Mapping[str, Any]) -> str:
    """The (first) type of a schema node."""
    types = node.get("type", "object" if "properties" in node else "string")
    return str(types[0] if isinstance(types, list) else types)


def value_type(node: Mapping[str, Any]) -> type | None:
    """The type of the values drawn for *node*, if a rule may set them instead."""
    if "const" in node or "enum" in node or "examples" in node:
        return None
    return {"string": str, "integer": int}.get(schema_type(node))


def drawable(resolved: Mapping[str, Mapping[str, Any]]) -> frozenset[str]:
    """The properties whose values a rule may set instead of drawing them."""
    return frozenset(key for key, node in resolved.items() if value_type(node) is not None)


def settle(obj: dict[str, Any], key: str, ctx: Context) -> Any:
    """The value of *key*, drawn now if no rule has set it."""
    value = obj.get(key)
    if type(value) is Later:
        value = obj[key] = value.draw(ctx)
    return value


def is_text(value: Any) -> bool:
    """Whether *value* is a string, or will be drawn as one."""
    return isinstance(value, str) or (type(value) is Later and value.typ is str)


def is_count(value: Any) -> bool:
    """Whether *value* is an integer, or will be drawn as one."""
    return isinstance(value, int) or (type(value) is Later and value.typ is int)


def put(obj: dict[str, Any], key: str, value: Any, path: str, overridden: frozenset[str]) -> None:
    """Set *key* of the object at the dotted *path* to *value*, if it is there and the caller
    did not override it."""
    if key in obj and (not overridden or f"{path}.{key}".lstrip(".") not in overridden):
        obj[key] = value
