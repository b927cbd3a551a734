"""Hypothesis strategies of events, compiled from the catalog's schemas.

::

    from hypothesis import given
    import hookmock.strategies

    @given(hookmock.strategies.events("meeting.participant_joined"))
    def test_joined(event): ...

Each example starts from the event hookmock generates (realistic names, ids and times, Zoom's
key order) and lets Hypothesis vary it within what the event's schema allows: optional fields left
out or added, empty strings and lists, enum members, boundary numbers, non-BMP and other
non-ASCII text, control characters, long values, and properties the schema does not name where it
allows them. Keeping the generated value is every choice's simplest outcome, so a failing example
shrinks back towards the generated event, with only the variations that matter left in it.

Schemas are read from the catalog when a strategy is first made, and only the keywords the
catalog uses are compiled (``type``, ``properties``, ``required``, ``additionalProperties``,
``items``, ``minItems``/``maxItems``, ``enum``, ``const``, ``pattern``, ``format``,
``minLength``/``maxLength``, ``minimum``/``maximum``, ``anyOf``/``oneOf``/``allOf``, local
``$ref``). A part of a schema with any other validation keyword keeps its generated value. Every
value a leaf is varied to is checked against that leaf's schema, and every event against the whole
schema before it is returned: a strategy never yields an event its schema rejects.

Importing this module imports Hypothesis, which is an optional dependency:
``pip install 'hookmock[fuzz]'``.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import importlib
import json
import re
import time
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

try:
    from hypothesis import strategies as st
except ImportError as error:  # pragma: no cover - exercised in a subprocess test
    raise ImportError(
        "hookmock.strategies needs Hypothesis, which is not installed; install the extra: "
        "pip install 'hookmock[fuzz]'"
    ) from error

from .errors import ConfigurationError, OverrideError, SchemaViolationError
from .generate import catalog, fake
from .generate.events import Event
from .generate.profile import NEUTRAL, GenerationProfile

if TYPE_CHECKING:
    from typing import Protocol

    from hypothesis.strategies import DrawFn, SearchStrategy

    class Provider(Protocol):
        """What the strategies read of a simulated provider (:class:`hookmock.Zoom` and others):
        its catalog's name, its clock, how its events are generated and the hooks that change a
        generated body."""

        name: str
        generation: GenerationProfile
        generation_hooks: list[Callable[[str, Any], Any]]

        def clock(self) -> float: ...


__all__ = ["Change", "Variation", "bodies", "events", "unchanged", "variations"]

Path = tuple[str | int, ...]

#: Use as an override value (or see a change's value) for a field left out.
REMOVE: Any = fake.REMOVE

# Fields kept as generated: Zoom's envelope time is always the moment of sending (ZOOM.md §8), and
# a receiver that rejects stale events by it is right to.
_KEPT_AS_GENERATED = frozenset({"event_ts"})

# Keywords that only annotate; anything else that is not compiled below makes a node keep its
# generated value.
_ANNOTATIONS = frozenset(
    {
        "$schema",
        "$id",
        "$comment",
        "$defs",
        "definitions",
        "title",
        "description",
        "examples",
        "default",
        "deprecated",
        "readOnly",
        "writeOnly",
    }
)
_COMPILED = frozenset(
    {
        "type",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "minItems",
        "maxItems",
        "enum",
        "const",
        "pattern",
        "format",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "anyOf",
        "oneOf",
        "allOf",
        "$ref",
    }
)

# How often a choice departs from the generated value, in percent: a few examples stay close to
# the generated event, others change most of it.
_RATES = (10, 30, 60)
_RATE = st.sampled_from(_RATES)
_PERCENT = st.integers(min_value=0, max_value=99)
#: The seed of the generated event every example starts from.
BASE_SEED = 0

# Unusual text Zoom's users and clients do produce (ZOOM.md §1, §8): typographic punctuation,
# emoji (outside the BMP, sent as surrogate escapes), scripts written right to left, combining
# marks, zero-width and line-separator characters, markup and quoting that trips naive handling.
_UNUSUAL_TEXTS = (
    " ",
    "Jill Chill’s “Q3” review – plan",
    "🎉",
    "Team sync 🚀👩🏽‍💻",
    "𝐁𝐨𝐥𝐝 𝔣𝔯𝔞𝔨𝔱𝔲𝔯",
    "会議の議事録",
    "مرحبا بالعالم",
    "Zoë Ångström-Łukasiewicz",
    "e\u0301\u0301\u0301",
    "zero\u200bwidth\u200d",
    "line\u2028separator",
    "first line\nsecond line",
    "tab\tand\rreturn",
    "nul\u0000byte",
    "<b>bold</b> & <script>alert(1)</script>",
    "'; DROP TABLE meetings; --",
    '"quoted" \\backslash\\',
    "%s %d {0} {{topic}} ${HOME}",
    "\ufeffbyte order mark",
    "null",
    "   padded   ",
)
_ASTRAL_FLOOR = 0x10000
_EMAIL_DOMAINS = ("example.com", "example.org", "mail.example.co.uk", "xn--bcher-kva.example")
_UNUSUAL_EMAILS = (
    "o'brien+zoom@example.com",
    "Jane.Doe@Example.COM",
    "x@example.museum",
    "a" * 64 + "@example.com",
    '"quoted local"@example.org',
)
_UNUSUAL_URIS = (
    "https://example.com",
    "HTTPS://EXAMPLE.COM/Path",
    "https://example.com/%E2%9C%93?x=%20&y=1#top",
    "https://[2001:db8::1]:8443/rec/webhook_download/abc",
    "urn:zoom:meeting:1234",
    "https://example.com/" + "a" * 2000,
)


@dataclass(frozen=True, eq=False)
class Change:
    """One way an example departs from the generated event.

    :ivar path: where, as keys and list indexes from the body's root.
    :ivar value: the new value, or :data:`REMOVE` for a field left out.
    :ivar kind: what sort of change: ``"absent"``, ``"empty"``, ``"unusual text: ..."``,
        ``"present"`` (an optional field the generated event lacks), ``"extra property"``,
        ``"boundary value"``, ``"enum member"``, ``"null"`` or ``"other value"``.
    """

    path: Path
    value: Any
    kind: str
    #: For a key added to an object: the schema's order of that object's keys.
    order: tuple[str, ...] = field(default=(), repr=False, compare=False)

    @property
    def dotted(self) -> str:
        """The path written as an override path (``payload.object.participant.id``)."""
        return ".".join(str(part) for part in self.path) or "the body"

    def describe(self) -> str:
        """``payload.object.topic: unusual text: non-BMP character ('🎉')``."""
        if self.value is REMOVE:
            return f"{self.dotted}: absent"
        shown = repr(self.value)
        if len(shown) > 60:
            shown = shown[:45] + "…" + shown[-10:]
        return f"{self.dotted}: {self.kind} ({shown})"


@dataclass(frozen=True, eq=False)
class Variation:
    """One example: the generated event, the changes Hypothesis chose, and the result.

    :ivar name: the event name.
    :ivar base: the generated body the changes apply to (read-only).
    :ivar changes: the departures from :attr:`base`, none overlapping another.
    :ivar event: the resulting event, checked against its schema.
    """

    name: str
    base: Any = field(repr=False)
    changes: tuple[Change, ...]
    event: Event = field(repr=False)
    pins: Mapping[str, Any] = field(default_factory=dict, repr=False)
    provider: str = "zoom"

    def with_changes(self, changes: Iterable[Change]) -> Event:
        """The event with only *changes* (some of :attr:`changes`) made to the generated one."""
        data = _assemble(self.base, changes, self.pins)
        return Event.build(self.name, data, overridden=frozenset(self.pins))


def events(
    names: str | Iterable[str],
    *,
    overrides: Mapping[str, Any] | None = None,
    provider: str | Provider = "zoom",
) -> SearchStrategy[Event]:
    """A strategy of :class:`~hookmock.Event` objects valid against their schema.

    Each value's :attr:`~hookmock.Event.body` holds the exact bytes Zoom would send (compact
    JSON, the catalog's key order, non-BMP characters as surrogate escapes), so it can be passed
    to ``zoom.send(event)`` as it is.

    :param names: one event name or several; examples are spread over them.
    :param overrides: dotted paths pinned to a value, to a strategy drawn for each example, or to
        :data:`hookmock.REMOVE`; nothing at or below a pinned path is varied.
    :param provider: the catalog's provider name, or a simulated provider whose clock gives the
        events' times and whose generation hooks apply.
    :raises UnknownEventError: for a name the catalog does not know.
    :raises SchemaViolationError: for a pinned value its event's schema rejects.
    """
    return variations(names, overrides=overrides, provider=provider).map(_event_of)


def bodies(
    names: str | Iterable[str],
    *,
    overrides: Mapping[str, Any] | None = None,
    provider: str | Provider = "zoom",
) -> SearchStrategy[Any]:
    """Like :func:`events`, the JSON values of the bodies (dicts) instead of events."""
    return events(names, overrides=overrides, provider=provider).map(_data_of)


def variations(
    names: str | Iterable[str],
    *,
    overrides: Mapping[str, Any] | None = None,
    provider: str | Provider = "zoom",
) -> SearchStrategy[Variation]:
    """Like :func:`events`, the :class:`Variation` behind each event: its generated base and the
    changes made to it (what :meth:`hookmock.Zoom.fuzz` reports)."""
    provider_name = provider if isinstance(provider, str) else provider.name
    listed = [names] if isinstance(names, str) else list(names)
    if not listed:
        raise ConfigurationError("give at least one event name to draw events of")
    for name in listed:
        catalog.find_event(name, provider_name)
    pins = dict(overrides or {})
    for name in listed:
        _check_pins(name, pins, provider_name)
    strategies = [_variation(name, pins, provider) for name in dict.fromkeys(listed)]
    return strategies[0] if len(strategies) == 1 else st.one_of(strategies)


def unchanged(
    name: str, *, overrides: Mapping[str, Any] | None = None, provider: str | Provider = "zoom"
) -> Variation:
    """The example the strategies shrink towards: the event generated from :data:`BASE_SEED`
    with every field, the overrides that are values (not strategies) applied, nothing varied."""
    provider_name = provider if isinstance(provider, str) else provider.name
    now = time.time() if isinstance(provider, str) else provider.clock()
    base, _ = fake.generate(
        name,
        seed=BASE_SEED,
        now=now,
        provider=provider_name,
        full=True,
        profile=_generation(provider),
    )
    if not isinstance(provider, str):
        for hook in tuple(provider.generation_hooks):
            hook(name, base)
    pins = {p: v for p, v in (overrides or {}).items() if not isinstance(v, st.SearchStrategy)}
    data = _assemble(base, (), pins)
    event = Event.build(name, data, overridden=frozenset(pins))
    return Variation(name, base, (), event, pins, provider_name)


def _variation(
    name: str, pins: Mapping[str, Any], provider: str | Provider
) -> SearchStrategy[Variation]:
    provider_name = provider if isinstance(provider, str) else provider.name
    pinned = [_split(path) for path in pins]
    return _draw_variation(name, pins, provider, _compiled(name, provider_name), pinned)


@st.composite
def _draw_variation(
    draw: DrawFn,
    name: str,
    pins: Mapping[str, Any],
    provider: str | Provider,
    root: _Node,
    pinned: Sequence[Path],
) -> Variation:
    provider_name = provider if isinstance(provider, str) else provider.name
    now = time.time() if isinstance(provider, str) else provider.clock()
    # One complete, realistic event to start from: every difference from it is a change
    # Hypothesis chose, so a shrunk failure names its field (a base drawn from a random seed
    # could fail by itself, a guest's empty email say, and name none).
    base, _ = fake.generate(
        name,
        seed=BASE_SEED,
        now=now,
        provider=provider_name,
        full=True,
        profile=_generation(provider),
    )
    if not isinstance(provider, str):
        for hook in tuple(provider.generation_hooks):
            hook(name, base)
    plan = _Plan(draw, draw(_RATE), pinned)
    changes: list[Change] = []
    root.vary(plan, base, (), changes)
    drawn_pins = {
        path: draw(value) if isinstance(value, st.SearchStrategy) else value
        for path, value in pins.items()
    }
    data = _assemble(base, changes, drawn_pins)
    errors = catalog.schema_errors(name, data, provider_name)
    if errors:
        if pins:
            raise SchemaViolationError(
                name,
                errors,
                hint="hint: the overrides make the event invalid; pin values its schema allows",
            )
        raise SchemaViolationError(
            name,
            errors,
            hint="hookmock's strategy made an event its schema rejects: a bug in hookmock; "
            "please report it with the event name and Hypothesis's seed",
        )
    event = Event.build(name, data, overridden=frozenset(pins))
    return Variation(name, base, tuple(changes), event, drawn_pins, provider_name)


def _event_of(variation: Variation) -> Event:
    return variation.event


def _data_of(event: Event) -> Any:
    return event.data


def _with_emoji(emoji: str) -> str:
    return f"Weekly sync {emoji}"


def _long_text(length: int) -> str:
    return ("Quarterly review " * (length // 17 + 1))[:length]


def _not_in(taken: Collection[str], key: str) -> bool:
    return key not in taken


def _check_pins(name: str, pins: Mapping[str, Any], provider: str) -> None:
    fixed = {p: v for p, v in pins.items() if not isinstance(v, st.SearchStrategy)}
    for path in pins:
        _split(path)
    if not fixed:
        return
    data, _ = fake.generate(
        name,
        seed=BASE_SEED,
        now=time.time(),
        provider=provider,
        full=True,
        profile=_generation(provider),
    )
    fake.apply_overrides(data, fixed)
    errors = catalog.schema_errors(name, data, provider)
    if errors:
        raise SchemaViolationError(
            name, errors, hint="hint: the overrides make the event invalid; pin values it allows"
        )


def _generation(provider: str | Provider) -> GenerationProfile:
    """How *provider*'s events are generated. A provider given by name is looked up by name at
    run time, as ``--provider`` is (the strategies sit below the providers, and import none)."""
    if not isinstance(provider, str):
        return provider.generation
    providers = importlib.import_module("hookmock.providers")
    if provider not in providers.PROVIDERS:
        return NEUTRAL  # a catalog registered under a name of its own
    profile: GenerationProfile = providers.provider_class(provider).generation
    return profile


def _split(path: str) -> Path:
    if not path or path.startswith(".") or path.endswith(".") or ".." in path:
        raise OverrideError(
            f"override path {path!r} is not a dotted path such as 'payload.object.topic'"
        )
    return tuple(int(p) if p.isdigit() else p for p in path.split("."))


# -- drawing --------------------------------------------------------------------------------------


class _Plan:
    """The choices of one example: whether each part departs from the generated value."""

    def __init__(self, draw: DrawFn, rate: int, pinned: Sequence[Path]) -> None:
        self.draw = draw
        self.threshold = 100 - rate
        self.pinned = pinned

    def departs(self) -> bool:
        # Draws shrink towards 0, which keeps the generated value.
        return self.draw(_PERCENT) >= self.threshold

    def frozen(self, path: Path) -> bool:
        """Nothing at or below a pinned path varies."""
        return bool(self.pinned) and any(path[: len(p)] == p for p in self.pinned)

    def holds_pin(self, path: Path) -> bool:
        """A pinned path lies below *path*: it must stay (an override would recreate it empty)."""
        return bool(self.pinned) and any(p[: len(path)] == path for p in self.pinned)


def _assemble(base: Any, changes: Iterable[Change], pins: Mapping[str, Any]) -> Any:
    data = copy.deepcopy(base)
    for change in changes:
        parent: Any = data
        for part in change.path[:-1]:
            parent = parent[part]
        key = change.path[-1]
        if change.value is REMOVE:
            parent.pop(key, None)
        elif isinstance(parent, dict) and key not in parent:
            _insert(parent, str(key), copy.deepcopy(change.value), change.order)
        else:
            parent[key] = copy.deepcopy(change.value)
    if pins:
        fake.apply_overrides(data, pins)
    return data


def _insert(obj: dict[str, Any], key: str, value: Any, order: tuple[str, ...]) -> None:
    """Add *key* where the schema's order puts it; keys the schema does not name go last."""
    rank = {name: i for i, name in enumerate(order)}
    items = list(obj.items())
    at = len(items)
    if key in rank:
        at = next((i for i, (k, _) in enumerate(items) if rank.get(k, len(rank)) > rank[key]), at)
    items.insert(at, (key, value))
    obj.clear()
    obj.update(items)


# -- compiling schemas ----------------------------------------------------------------------------


@functools.cache
def _compiled(name: str, provider: str) -> _Node:
    schema = catalog.load_schema(name, provider)
    root = _compile(schema, schema)
    _prepare(root, set())
    return root


def _prepare(node: _Node, done: set[int]) -> None:
    """Build and check every strategy of a schema now, when the strategy is made: Hypothesis
    times the first draws of an example, and a cold start would read as slow generation."""
    if id(node) in done:
        return
    done.add(id(node))
    if node.has_variants:
        node.variants.validate()
        node.is_valid  # noqa: B018 - compiles the validator the variants are filtered with
    if node.has_fresh:
        node.fresh.validate()
    if isinstance(node, _Object):
        for sub in node.properties.values():
            _prepare(sub, done)
    elif isinstance(node, _Array):
        _prepare(node.items, done)
    elif isinstance(node, _Union):
        for branch in node.branches:
            _prepare(branch, done)


def _resolve(node: Mapping[str, Any], root: Mapping[str, Any]) -> Mapping[str, Any]:
    for _ in range(32):
        ref = node.get("$ref")
        if ref is None:
            return node
        if not isinstance(ref, str) or not ref.startswith("#"):
            raise ConfigurationError(f"only local $refs are supported, got {ref!r}")
        target: Any = root
        for part in ref[1:].split("/")[1:]:
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = {**{k: v for k, v in node.items() if k != "$ref"}, **target}
    raise ConfigurationError("a $ref chain longer than 32 steps (a recursive schema?)")


def _inline(node: Any, root: Mapping[str, Any], depth: int = 0) -> Any:
    """The schema node with every local $ref replaced by its target (for a leaf's validator)."""
    if depth > 32:
        raise ConfigurationError("a recursive schema cannot be inlined")
    if isinstance(node, dict):
        resolved = _resolve(node, root) if "$ref" in node else node
        return {k: _inline(v, root, depth + 1) for k, v in resolved.items() if k != "$defs"}
    if isinstance(node, list):
        return [_inline(v, root, depth + 1) for v in node]
    return node


def _merge(node: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(node)
    for key, value in extra.items():
        if key == "properties" and key in merged:
            merged[key] = {**merged[key], **value}
        elif key == "required" and key in merged:
            merged[key] = list(dict.fromkeys([*merged[key], *value]))
        else:
            merged[key] = value
    return merged


def _validator(node: Mapping[str, Any], root: Mapping[str, Any]) -> Callable[[Any], bool]:
    import jsonschema_rs

    checker = jsonschema_rs.Draft202012Validator(_inline(node, root), validate_formats=True)
    is_valid: Callable[[Any], bool] = checker.is_valid
    return is_valid


def _compile(node: Mapping[str, Any], root: Mapping[str, Any]) -> _Node:
    """The node for a schema; nodes (and so their strategies) are shared between identical
    schemas, which are many in the catalog (times, ids, emails, participants)."""
    text = json.dumps(node, sort_keys=True)
    if "$ref" in text:
        return _compile_node(node, root)
    return _shared(text)


@functools.lru_cache(maxsize=8192)
def _shared(text: str) -> _Node:
    node = json.loads(text)
    return _compile_node(node, node)


def _compile_node(node: Mapping[str, Any], root: Mapping[str, Any]) -> _Node:
    node = _resolve(node, root)
    if "allOf" in node:
        merged = {k: v for k, v in node.items() if k != "allOf"}
        for part in node["allOf"]:
            merged = _merge(merged, _resolve(part, root))
        return _compile(merged, root)
    unknown = set(node) - _ANNOTATIONS - _COMPILED
    if any(not key.startswith("x-") for key in unknown):
        return _Node(node, root)  # a keyword this compiler does not know: keep the value
    for combinator in ("anyOf", "oneOf"):
        if combinator in node:
            rest = {k: v for k, v in node.items() if k != combinator}
            branches = [_compile(_merge(rest, _resolve(b, root)), root) for b in node[combinator]]
            return _Union(node, root, branches, exclusive=combinator == "oneOf")
    if "const" in node:
        return _Node(node, root)
    if "enum" in node:
        return _Enum(node, root)
    types = node.get("type")
    if types is None:
        # Untyped: any value the other keywords allow; a string or an object is one.
        strings = {"pattern", "format", "minLength", "maxLength"}
        types = "object" if "properties" in node else "string" if strings & set(node) else None
    if isinstance(types, list):
        branches = [_compile({**node, "type": t}, root) for t in types]
        return _Union(node, root, branches, exclusive=False)
    kinds: dict[str | None, type[_Node]] = {
        "object": _Object,
        "array": _Array,
        "string": _String,
        "integer": _Integer,
        "number": _Number,
        "boolean": _Boolean,
        "null": _Null,
    }
    return kinds.get(types, _Node)(node, root)


class _Node:
    """A schema node this compiler keeps as generated (const, or keywords it does not know)."""

    def __init__(self, node: Mapping[str, Any], root: Mapping[str, Any]) -> None:
        self.node = node
        self.root = root

    @functools.cached_property
    def is_valid(self) -> Callable[[Any], bool]:
        return _validator(self.node, self.root)

    @functools.cached_property
    def fresh(self) -> SearchStrategy[Any]:
        """Any valid value, generated from nothing (for a field the generated event lacks)."""
        return self._fresh()

    @functools.cached_property
    def variants(self) -> SearchStrategy[Any]:
        """Values to vary a generated value to, each valid for this node."""
        return self._variants()

    @property
    def has_variants(self) -> bool:
        """Whether the node varies at all (known without building its strategies)."""
        return type(self) is not _Node

    @property
    def has_fresh(self) -> bool:
        return type(self) is not _Node or "const" in self.node

    def _fresh(self) -> SearchStrategy[Any]:
        if "const" in self.node:
            return st.just(self.node["const"])
        return st.nothing()

    def _variants(self) -> SearchStrategy[Any]:
        return st.nothing()

    def vary(self, plan: _Plan, base: Any, path: Path, out: list[Change]) -> None:
        """Record in *out* the changes this example makes at or below *path*."""
        if plan.frozen(path) or (path and path[-1] in _KEPT_AS_GENERATED):
            return
        if self.replaceable(plan, path, base) and self.has_variants and plan.departs():
            value = plan.draw(self.variants)
            if value != base or type(value) is not type(base):
                out.append(Change(path, value, self.classify(value)))
            return
        self.descend(plan, base, path, out)

    def replaceable(self, plan: _Plan, path: Path, base: Any) -> bool:
        """Whether the value as a whole may be replaced (else only its parts vary)."""
        return True

    def descend(self, plan: _Plan, base: Any, path: Path, out: list[Change]) -> None:
        """Vary the parts of a value that was kept."""

    def classify(self, value: Any) -> str:
        return _classify(value, self.node)


def _classify(value: Any, node: Mapping[str, Any]) -> str:
    if value is None:
        return "null"
    if value in ("", [], {}):
        return "empty"
    if isinstance(value, str):
        if any(ord(ch) >= _ASTRAL_FLOOR for ch in value):
            return "unusual text: non-BMP character"
        if any(ord(ch) < 0x20 or ch in "\x7f\u2028\u2029\u200b\u200d\ufeff" for ch in value):
            return "unusual text: control or invisible character"
        if len(value) > 200:
            return f"unusual text: long ({len(value)} characters)"
        if not value.isascii():
            return "unusual text: non-ASCII"
        if not value.strip():
            return "unusual text: whitespace only"
        if node.get("format") == "date-time":
            if value in _EDGE_DATETIMES:
                return "boundary value"
            if not _PLAIN_DATETIME.fullmatch(value):
                return "unusual date-time form"
        if "enum" in node:
            return "enum member"
        return "other value"
    if isinstance(value, bool):
        return "other value"
    if isinstance(value, int | float):
        edges = {node.get("minimum"), node.get("maximum"), 0}
        if value in edges or abs(value) >= 2**31:
            return "boundary value"
    if "enum" in node:
        return "enum member"
    return "other value"


class _Enum(_Node):
    def _fresh(self) -> SearchStrategy[Any]:
        return st.sampled_from(self.node["enum"])

    def _variants(self) -> SearchStrategy[Any]:
        return st.sampled_from(self.node["enum"]).filter(self.is_valid)


class _Boolean(_Node):
    def _fresh(self) -> SearchStrategy[Any]:
        return st.booleans()

    _variants = _fresh


class _Null(_Node):
    def _fresh(self) -> SearchStrategy[Any]:
        return st.none()

    _variants = _fresh


class _Integer(_Node):
    def _bounds(self) -> tuple[int, int]:
        fmt = self.node.get("format")
        wide = 2**31 if fmt == "int32" else 2**63
        low = self.node.get("minimum", -wide)
        high = self.node.get("maximum", wide - 1)
        if "exclusiveMinimum" in self.node:
            low = max(low, int(self.node["exclusiveMinimum"]) + 1)
        if "exclusiveMaximum" in self.node:
            high = min(high, int(self.node["exclusiveMaximum"]) - 1)
        return int(low), int(high)

    def _fresh(self) -> SearchStrategy[Any]:
        low, high = self._bounds()
        return st.integers(min_value=low, max_value=high)

    def _variants(self) -> SearchStrategy[Any]:
        low, high = self._bounds()
        edges = [low, high, 0, 1, -1, 2**31 - 1, 2**31, 2**53 + 1]
        return st.one_of(
            st.sampled_from([e for e in dict.fromkeys(edges) if low <= e <= high]),
            st.integers(min_value=low, max_value=high),
        ).filter(self.is_valid)


class _Number(_Node):
    def _fresh(self) -> SearchStrategy[Any]:
        return st.floats(
            min_value=self.node.get("minimum"),
            max_value=self.node.get("maximum"),
            allow_nan=False,
            allow_infinity=False,
        )

    def _variants(self) -> SearchStrategy[Any]:
        return st.one_of(self.fresh, _Integer(self.node, self.root).variants).filter(self.is_valid)


def _datetimes(milliseconds: bool = False, offsets: bool = False) -> SearchStrategy[str]:
    moments = st.datetimes(
        min_value=dt.datetime(1970, 1, 1), max_value=dt.datetime(2099, 12, 31, 23, 59, 59)
    )

    def write(moment: dt.datetime, offset: int) -> str:
        text = moment.strftime("%Y-%m-%dT%H:%M:%S")
        if milliseconds:
            text += f".{moment.microsecond // 1000:03d}"
        if offsets and offset:
            sign = "+" if offset > 0 else "-"
            return text + f"{sign}{abs(offset) // 60:02d}:{abs(offset) % 60:02d}"
        return text + "Z"

    return st.builds(write, moments, st.sampled_from((0, 330, -300, 840, -720)))


# Moments that break date handling: a leap day, the last second of a day and of a year, the
# 32-bit Unix time limit, the epoch.
_PLAIN_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
_EDGE_DATETIMES = (
    "2024-02-29T23:59:59Z",
    "2025-12-31T23:59:59Z",
    "2038-01-19T03:14:08Z",
    "1970-01-01T00:00:00Z",
)


class _String(_Node):
    def _lengths(self) -> tuple[int, int]:
        low = int(self.node.get("minLength", 0))
        return low, int(self.node.get("maxLength", max(low, 5000)))

    def _fits(self, texts: Iterable[str]) -> list[str]:
        low, high = self._lengths()
        return [t for t in texts if low <= len(t) <= high]

    def _candidates(self, unusual: bool) -> list[SearchStrategy[str]]:
        low, high = self._lengths()
        fmt = self.node.get("format")
        found: list[SearchStrategy[str]]
        if fmt == "date-time":
            found = [_datetimes()]
            if unusual:
                found.append(st.sampled_from(_EDGE_DATETIMES))
                if "pattern" not in self.node:
                    found += [_datetimes(milliseconds=True), _datetimes(offsets=True)]
            return found
        if fmt == "date":
            return [st.dates().map(dt.date.isoformat)]
        if fmt == "email":
            found = [st.emails(domains=st.sampled_from(_EMAIL_DOMAINS))]
            if unusual:
                found.append(st.sampled_from(_UNUSUAL_EMAILS))
            return found
        if fmt == "uri":
            return [
                st.builds(
                    "https://{}/{}?q={}#{}".format,
                    st.sampled_from(("example.com", "us05web.zoom.us", "[2001:db8::1]:8443")),
                    st.text(st.sampled_from("abcXYZ019-._~"), max_size=30),
                    st.text(st.sampled_from("abc123+&="), max_size=20),
                    st.text(st.sampled_from("abc"), max_size=5),
                ),
                st.sampled_from(_UNUSUAL_URIS if unusual else ("https://example.com",)),
            ]
        if "pattern" in self.node:
            # ASCII only: \d and \w are ASCII classes in the ECMA-262 dialect of JSON Schema.
            return [
                st.from_regex(
                    self.node["pattern"], fullmatch=True, alphabet=st.characters(codec="ascii")
                )
            ]
        plain = st.text(
            st.characters(codec="ascii", categories=("L", "N")),
            min_size=max(low, 1),
            max_size=max(min(high, 24), low, 1),
        )
        if not unusual:
            return [plain]
        found = []
        fixed = self._fits(["", *_UNUSUAL_TEXTS])
        if fixed:
            found.append(st.sampled_from(fixed))
        room = high - 12
        if room >= 1:
            found.append(
                st.text(
                    st.characters(codec="utf-8", min_codepoint=_ASTRAL_FLOOR),
                    min_size=max(1, low - 12),
                    max_size=min(4, room),
                ).map(_with_emoji)
            )
        found.append(st.text(st.characters(codec="utf-8"), min_size=low, max_size=min(high, 40)))
        longest = max(low, min(high, 5000))
        found.append(
            st.integers(min_value=min(longest, max(low, 200)), max_value=longest).map(_long_text)
        )
        found.append(plain)
        return found

    def _fresh(self) -> SearchStrategy[Any]:
        return st.one_of(self._candidates(unusual=False)).filter(self.is_valid)

    def _variants(self) -> SearchStrategy[Any]:
        return st.one_of(self._candidates(unusual=True)).filter(self.is_valid)


class _Array(_Node):
    @functools.cached_property
    def items(self) -> _Node:
        items = self.node.get("items")
        return _compile(items, self.root) if isinstance(items, dict) else _Node({}, self.root)

    def _lists(self, elements: SearchStrategy[Any]) -> SearchStrategy[Any]:
        low = int(self.node.get("minItems", 0))
        high = self.node.get("maxItems")
        more = 2 if self.nested else 4
        top = low + more if high is None else min(int(high), low + more)
        return st.lists(elements, min_size=low, max_size=top)

    @property
    def has_fresh(self) -> bool:
        return self.items.has_fresh or int(self.node.get("minItems", 0)) == 0

    @property
    def nested(self) -> bool:
        """Items are objects or lists: varied in place, not replaced by new ones (costly)."""
        return isinstance(self.items, _Object | _Array | _Union)

    @property
    def has_variants(self) -> bool:
        if self.nested:
            return int(self.node.get("minItems", 0)) == 0
        return self.has_fresh

    def _fresh(self) -> SearchStrategy[Any]:
        if "items" not in self.node or not self.items.has_fresh:
            return st.just([]) if self.has_fresh else st.nothing()
        return self._lists(self.items.fresh)

    def _variants(self) -> SearchStrategy[Any]:
        if self.nested:
            return st.just([]) if self.has_variants else st.nothing()
        return self.fresh.filter(self.is_valid)

    def replaceable(self, plan: _Plan, path: Path, base: Any) -> bool:
        return not plan.holds_pin(path)

    def descend(self, plan: _Plan, base: Any, path: Path, out: list[Change]) -> None:
        if isinstance(base, list):
            for index, item in enumerate(base):
                # One choice per item before its fields': most items of a long list stay as
                # generated, which keeps an example of a large event cheap to draw.
                if not self.nested or plan.holds_pin((*path, index)) or plan.departs():
                    self.items.vary(plan, item, (*path, index), out)


class _Object(_Node):
    @functools.cached_property
    def properties(self) -> dict[str, _Node]:
        return {
            key: _compile(sub, self.root) for key, sub in self.node.get("properties", {}).items()
        }

    @functools.cached_property
    def extras(self) -> _Node | None:
        """The schema of properties it does not name, or ``None`` when none are allowed."""
        extra = self.node.get("additionalProperties", True)
        if extra is False or "patternProperties" in self.node:
            return None
        return _compile(extra if isinstance(extra, dict) else {}, self.root)

    @functools.cached_property
    def _extra_values(self) -> SearchStrategy[Any]:
        assert self.extras is not None
        if isinstance(self.node.get("additionalProperties"), dict):
            return self.extras.fresh
        # What a newer Zoom field could hold.
        return st.one_of(
            st.text(max_size=20),
            st.integers(min_value=-(2**53), max_value=2**53),
            st.booleans(),
            st.none(),
            st.lists(st.text(max_size=8), max_size=3),
            st.dictionaries(st.from_regex(r"[a-z_]{1,12}", fullmatch=True), st.text(max_size=8)),
        )

    @functools.cached_property
    def _extra_names(self) -> SearchStrategy[list[str]]:
        named = set(self.properties)
        names = st.one_of(
            st.sampled_from(("new_field", "settings_v2", "x_zm_feature", "id_v2")),
            st.from_regex(r"[a-z][a-z_]{0,19}", fullmatch=True),
        ).filter(functools.partial(_not_in, named))
        return st.lists(names, min_size=1, max_size=2, unique=True)

    @property
    def required(self) -> frozenset[str]:
        return frozenset(self.node.get("required", ()))

    @property
    def has_fresh(self) -> bool:
        return all(
            sub.has_fresh for key, sub in self.properties.items() if key in self.required
        ) and self.required <= set(self.properties)

    def _fresh(self) -> SearchStrategy[Any]:
        return _fresh_object(self).filter(self.is_valid)

    def _variants(self) -> SearchStrategy[Any]:
        return self.fresh if self.has_fresh else st.nothing()

    @property
    def has_variants(self) -> bool:
        return self.has_fresh

    def replaceable(self, plan: _Plan, path: Path, base: Any) -> bool:
        return not isinstance(base, dict)

    def descend(self, plan: _Plan, base: Any, path: Path, out: list[Change]) -> None:
        if not isinstance(base, dict):
            return
        order = tuple(self.properties)
        for key, sub in self.properties.items():
            where = (*path, key)
            if plan.frozen(where) or key in _KEPT_AS_GENERATED:
                continue
            optional = key not in self.required and not plan.holds_pin(where)
            if key in base:
                if optional and plan.departs():
                    out.append(Change(where, REMOVE, "absent"))
                else:
                    sub.vary(plan, base[key], where, out)
            elif optional and sub.has_fresh and plan.departs():
                out.append(Change(where, plan.draw(sub.fresh), "present", order))
        if self.extras is not None and plan.departs():
            names = plan.draw(self._extra_names)
            for key in names:
                if key not in base:
                    value = plan.draw(self._extra_values)
                    out.append(Change((*path, key), value, "extra property", order))


@st.composite
def _fresh_object(draw: DrawFn, node: _Object) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, sub in node.properties.items():
        if key in node.required or (sub.has_fresh and draw(st.booleans())):
            out[key] = draw(sub.fresh)
    return out


class _Union(_Node):
    def __init__(
        self,
        node: Mapping[str, Any],
        root: Mapping[str, Any],
        branches: list[_Node],
        *,
        exclusive: bool,
    ) -> None:
        super().__init__(node, root)
        self.branches = branches
        self.exclusive = exclusive

    def _fresh(self) -> SearchStrategy[Any]:
        return st.one_of([b.fresh for b in self.branches if b.has_fresh]).filter(self.is_valid)

    def _variants(self) -> SearchStrategy[Any]:
        return st.one_of([b.variants if b.has_variants else b.fresh for b in self.branches]).filter(
            self.is_valid
        )

    @property
    def has_variants(self) -> bool:
        return any(b.has_variants or b.has_fresh for b in self.branches)

    @property
    def has_fresh(self) -> bool:
        return any(b.has_fresh for b in self.branches)

    def descend(self, plan: _Plan, base: Any, path: Path, out: list[Change]) -> None:
        if self.exclusive:
            return  # a change inside one branch of a oneOf could make it match another too
        # Any value valid for one branch of an anyOf is valid for the whole: vary inside the
        # branch the generated value matches.
        for branch in self.branches:
            if branch.is_valid(base):
                branch.vary(plan, base, path, out)
                return
