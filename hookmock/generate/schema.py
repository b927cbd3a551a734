"""Seeded values for any JSON Schema (draft 2020-12): the generation of providers that hookmock
knows only from their schemas, such as those read from an OpenAPI document.

:func:`compile_schema` turns a schema into a function that draws one valid instance from a
drawing context (a seeded ``random.Random`` and the provider clock's reading). It handles
``$ref`` (into the schema itself, recursive ones included), ``allOf`` (merged), ``anyOf`` and
``oneOf`` (one branch; for ``oneOf`` one that no other branch also accepts), ``const``, ``enum``,
``examples`` (those that the schema accepts), type lists with ``null``, ``format`` (date-time,
date, time, email, uri, uri-template, uuid, ipv4, ipv6, hostname), ``pattern``, numeric and length
bounds, ``multipleOf``, ``required``, ``additionalProperties``, ``minItems``/``maxItems`` and
``uniqueItems``. Values look real where a property's name or format says what it is (names,
emails, links, ids, currencies, times around the clock's reading); nothing about any one provider
is known here.

Every declared property is drawn down to a few levels of nesting; below that only required ones,
so that a recursive schema ends.
"""

from __future__ import annotations

import json
import random
import re
import string
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from ..errors import ConfigurationError

__all__ = ["compile_schema"]


class Context(Protocol):
    """What drawing needs: a seeded generator and the provider clock's reading."""

    @property
    def rng(self) -> random.Random: ...

    @property
    def now(self) -> float: ...


Draw = Callable[[Context, int], Any]


class _Made(Protocol):
    """Draws a realistic string; it takes the depth so that it serves as a :data:`Draw`."""

    def __call__(self, ctx: Context, depth: int = 0) -> str: ...


#: Makes a function that draws strings matching a regular expression (pattern, where).
PatternCompiler = Callable[[str, str], Callable[[Any], str]]

#: Below this depth of nesting, objects carry only their required properties.
_DEEP = 5
_ALNUM = string.ascii_letters + string.digits
_UPPER = string.ascii_uppercase + string.digits
_DOMAINS = ("example.com", "example.org", "example.net")
_CURRENCIES = ("EUR", "USD", "GBP", "JPY", "CHF", "SEK")
_TYPES = ("object", "array", "string", "integer", "number", "boolean", "null")


def compile_schema(
    root: Mapping[str, Any],
    *,
    pools: Mapping[str, Sequence[str]],
    pattern: PatternCompiler,
    where: str = "$",
) -> Callable[[Context], Any]:
    """A function that draws an instance of *root* from a :class:`Context`.

    :param pools: realistic values by kind (``first_name``, ``last_name``, ``company``,
        ``city``, ``country_code``, ``text``, ``topic``).
    :param pattern: makes the drawing function of a ``pattern``.
    :raises ConfigurationError: naming the place of a ``$ref`` that does not resolve, or a
        ``pattern`` that cannot be drawn.
    """
    compiler = _Compiler(root, pools, pattern)
    draw = compiler.compile(root, "", where)
    return lambda ctx: draw(ctx, 0)


def _uniform(ctx: Context, low: int, high: int) -> int:
    """An integer in [low, high]."""
    return low + int(ctx.rng.random() * (high + 1 - low)) if high > low else low


def _table(alphabet: str) -> bytes:
    # Maps every byte onto the alphabet, so that one getrandbits() call draws a whole string
    # (drawing a character at a time cost most of a large event's time). For the 62 and 36
    # character alphabets the draw is nearly uniform.
    return bytes(ord(alphabet[i % len(alphabet)]) for i in range(256))


def _letters(ctx: Context, table: bytes, n: int) -> str:
    """*n* characters of the alphabet that *table* maps bytes onto."""
    if n <= 0:
        return ""
    return ctx.rng.getrandbits(8 * n).to_bytes(n, "little").translate(table).decode("ascii")


_ALNUM_TABLE = _table(_ALNUM)
_UPPER_TABLE = _table(_UPPER)


def _iso(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def _uuid(ctx: Context) -> str:
    value = ctx.rng.getrandbits(128) & ~((0xF << 76) | (0x3 << 62)) | (0x4 << 76) | (0x2 << 62)
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class _Compiler:
    def __init__(
        self,
        root: Mapping[str, Any],
        pools: Mapping[str, Sequence[str]],
        pattern: PatternCompiler,
    ) -> None:
        self.root = root
        self.pools = pools
        self.pattern = pattern
        #: Each $ref compiled once; a recursive one refers to itself through this table.
        self.refs: dict[str, Draw] = {}

    # -- schema structure ----------------------------------------------------------------------

    def target(self, ref: str, where: str) -> Mapping[str, Any]:
        if not ref.startswith("#"):
            raise ConfigurationError(f"{where}: only $refs into the schema itself are supported")
        node: Any = self.root
        for part in ref[1:].split("/")[1:]:
            key = part.replace("~1", "/").replace("~0", "~")
            if isinstance(node, list) and key.isdigit() and int(key) < len(node):
                node = node[int(key)]
            elif isinstance(node, Mapping) and key in node:
                node = node[key]
            else:
                raise ConfigurationError(f"{where}: $ref {ref!r} does not resolve")
        if not isinstance(node, Mapping):
            raise ConfigurationError(f"{where}: $ref {ref!r} is not a schema")
        return node

    def flatten(self, node: Mapping[str, Any], where: str) -> Mapping[str, Any]:
        """*node* with ``allOf`` merged in and a ``$ref`` with siblings merged with its target
        (a lone ``$ref`` is left for :meth:`compile`, which handles recursion)."""
        if "$ref" in node and len(node) > 1:
            rest = {k: v for k, v in node.items() if k != "$ref"}
            node = _merge(self.flatten(self.target(node["$ref"], where), where), rest)
        if "allOf" in node:
            merged: Mapping[str, Any] = {k: v for k, v in node.items() if k != "allOf"}
            for part in node["allOf"]:
                part = self.flatten(self.resolve(part, where), where)
                merged = _merge(merged, part)
            node = self.flatten(merged, where)
        return node

    def resolve(self, node: Any, where: str) -> Mapping[str, Any]:
        seen = 0
        while isinstance(node, Mapping) and set(node) == {"$ref"}:
            node = self.target(node["$ref"], where)
            seen += 1
            if seen > 64:
                raise ConfigurationError(f"{where}: $refs that only point at each other")
        if node is False:
            raise ConfigurationError(f"{where}: the schema false accepts no value")
        if not isinstance(node, Mapping):
            # true, or what is not a schema at all (some published documents have keywords
            # among their properties): any value.
            return {}
        return node

    def validator(self, node: Mapping[str, Any]) -> Any:
        """jsonschema-rs's validator of *node* in the root's context (its ``$defs``)."""
        import jsonschema_rs

        context = {k: self.root[k] for k in ("$defs", "definitions") if k in self.root}
        return jsonschema_rs.Draft202012Validator({**context, **node}, validate_formats=True)

    # -- compiling -----------------------------------------------------------------------------

    def compile(self, node: Any, name: str, where: str) -> Draw:
        if isinstance(node, Mapping) and set(node) == {"$ref"}:
            ref = node["$ref"]
            if ref not in self.refs:
                table = self.refs
                # Set before compiling the target, so that a recursive $ref finds it.
                table[ref] = lambda ctx, depth: table[ref + "\0"](ctx, depth)
                table[ref + "\0"] = self.compile(self.target(ref, where), name, where)
            return self.refs[ref]
        node = self.flatten(self.resolve(node, where), where)
        if node.get("not") is not None and "type" not in node and "const" not in node:
            raise ConfigurationError(f"{where}: a schema of only 'not' cannot be drawn")
        if "const" in node:
            return _constant(node["const"])
        if "enum" in node:
            return self.choice(list(node["enum"]), node, where)
        examples = self.valid_examples(node)
        if examples:
            return self.choice(examples, node, where)
        if "oneOf" in node or "anyOf" in node:
            return self.branches(node, name, where)
        types = _types(node)
        nullable = "null" in types and len(types) > 1
        draws = [self.typed(t, node, name, where) for t in types if t != "null"]
        if not draws:
            return lambda ctx, depth: None
        if len(draws) == 1 and not nullable:
            return draws[0]

        def draw(ctx: Context, depth: int) -> Any:
            # A nullable value is null now and then, and always once nesting runs deep.
            if nullable and (depth > _DEEP or ctx.rng.random() < 0.1):
                return None
            pick = draws[0] if len(draws) == 1 else draws[int(ctx.rng.random() * len(draws))]
            return pick(ctx, depth)

        return draw

    def valid_examples(self, node: Mapping[str, Any]) -> list[Any]:
        """The node's ``examples`` (and OpenAPI's ``example``) that the node accepts."""
        listed = node.get("examples")
        found = list(listed) if isinstance(listed, list) else []
        if "example" in node:
            found.append(node["example"])
        if not found:
            return []
        rules = {k: v for k, v in node.items() if k not in ("examples", "example")}
        check = self.validator(rules)
        return [value for value in found if check.is_valid(value)]

    def choice(self, values: list[Any], node: Mapping[str, Any], where: str) -> Draw:
        rules = {k: v for k, v in node.items() if k not in ("enum", "examples", "example")}
        if "type" in rules:
            check = self.validator(rules)
            values = [value for value in values if check.is_valid(value)] or values
        if not values:
            raise ConfigurationError(f"{where}: an empty enum has no value to draw")

        if not any(isinstance(value, dict | list) for value in values):
            # Scalars are shared safely: no copy to make.
            def pick(ctx: Context, depth: int) -> Any:
                return values[int(ctx.rng.random() * len(values))]

            return pick

        def draw(ctx: Context, depth: int) -> Any:
            return _copy(values[int(ctx.rng.random() * len(values))])

        return draw

    def branches(self, node: Mapping[str, Any], name: str, where: str) -> Draw:
        keyword = "oneOf" if "oneOf" in node else "anyOf"
        rest = {k: v for k, v in node.items() if k != keyword}
        options = [
            _merge(rest, self.flatten(self.resolve(branch, where), where)) if rest else branch
            for branch in node[keyword]
        ]
        # A branch whose types share none with the schema around it (null beside a branch of
        # strings) accepts no value: it is not drawn.
        possible = [o for o in options if o.get("type") != []]
        options = possible or options
        draws = [self.compile(o, name, f"{where}/{keyword}/{i}") for i, o in enumerate(options)]
        # Once nesting runs deep, null branches come first: they end a recursion.
        plain = [i for i, o in enumerate(options) if _types(self.resolve(o, where)) != ["null"]]
        checks = [self.validator(o) for o in node[keyword]] if keyword == "oneOf" else []
        count = len(draws)

        def draw(ctx: Context, depth: int) -> Any:
            start = int(ctx.rng.random() * count)
            order = [(start + i) % count for i in range(count)]
            if depth > _DEEP:
                order.sort(key=lambda i: i in plain)
            value = None
            for i in order:
                value = draws[i](ctx, depth)
                # oneOf: the value must match this branch only.
                if not checks or sum(1 for c in checks if c.is_valid(value)) == 1:
                    return value
            return value

        return draw

    def typed(self, typ: str, node: Mapping[str, Any], name: str, where: str) -> Draw:
        if typ == "object":
            return self.object(node, where)
        if typ == "array":
            return self.array(node, name, where)
        if typ == "boolean":
            return lambda ctx, depth: ctx.rng.random() < 0.5
        if typ in ("integer", "number"):
            return _number(node, name, typ == "integer")
        return self.string(node, name, where)

    def object(self, node: Mapping[str, Any], where: str) -> Draw:
        properties: Mapping[str, Any] = node.get("properties") or {}
        required = list(dict.fromkeys(node.get("required") or ()))
        extra = node.get("additionalProperties")
        fields: list[tuple[str, bool, Draw]] = []
        for key, sub in properties.items():
            if sub is False and key not in required:
                continue  # a property that must not be there
            fields.append((key, key in required, self.compile(sub, key, f"{where}.{key}")))
        for key in required:
            if key not in properties:
                # Required but undeclared: drawn from additionalProperties, or as text.
                sub = extra if isinstance(extra, Mapping) else {"type": "string"}
                fields.append((key, True, self.compile(sub, key, f"{where}.{key}")))
        least = int(node.get("minProperties", 0))
        every = [(key, field) for key, _, field in fields]

        def draw(ctx: Context, depth: int) -> dict[str, Any]:
            below = depth + 1
            if depth < _DEEP:
                return {key: field(ctx, below) for key, field in every}
            out: dict[str, Any] = {}
            for key, needed, field in fields:
                if needed or len(out) < least:
                    out[key] = field(ctx, below)
            return out

        return draw

    def array(self, node: Mapping[str, Any], name: str, where: str) -> Draw:
        items = node.get("items")
        low = int(node.get("minItems", 0))
        high = int(node.get("maxItems", low + 3))
        high = min(high, max(low, 3))
        item = self.compile(items if items is not None else {}, name, f"{where}[]")
        unique = bool(node.get("uniqueItems"))

        def draw(ctx: Context, depth: int) -> list[Any]:
            count = low if depth > _DEEP else _uniform(ctx, max(low, 1 if high else 0), high)
            out: list[Any] = []
            seen: set[str] = set()
            tries = 0
            while len(out) < count and tries < count * 10:
                tries += 1
                value = item(ctx, depth + 1)
                if unique:
                    key = json.dumps(value, sort_keys=True)
                    if key in seen:
                        continue
                    seen.add(key)
                out.append(value)
            return out

        return draw

    def string(self, node: Mapping[str, Any], name: str, where: str) -> Draw:
        low = int(node.get("minLength", 0))
        high = int(node.get("maxLength", 10**9))
        kind = _FORMATS.get(node.get("format", "")) or _name_kind(name)
        if "pattern" in node:
            matching = self.pattern(node["pattern"], where)
            if kind is None:
                return lambda ctx, depth: matching(ctx)
            # A realistic value where it matches, else one drawn from the pattern.
            realistic, regex = _KINDS[kind](self.pools), re.compile(node["pattern"])
            return lambda ctx, depth: (
                value if regex.search(value := realistic(ctx)) else matching(ctx)
            )
        shortest, longest = min(max(low, 1), high), min(high, max(low, 16))
        made = _KINDS[kind](self.pools) if kind else None
        if made is not None and low == 0 and "maxLength" not in node:
            # Any realistic value fits: no length to check.
            return made

        def letters(ctx: Context, depth: int) -> str:
            return _letters(ctx, _ALNUM_TABLE, _uniform(ctx, shortest, longest))

        if made is None:
            return letters

        def draw(ctx: Context, depth: int) -> str:
            value = made(ctx, depth)
            return value if low <= len(value) <= high else letters(ctx, depth)

        return draw


def _types(node: Mapping[str, Any]) -> list[str]:
    declared = node.get("type")
    if declared is None:
        if "properties" in node or "required" in node or "additionalProperties" in node:
            return ["object"]
        if "items" in node:
            return ["array"]
        return ["string"]
    types = [declared] if isinstance(declared, str) else list(declared)
    return [t for t in types if t in _TYPES] or ["string"]


def _merge(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    """One schema that asks what both ask (``allOf``), for the keywords generation reads."""
    out = dict(a)
    for key, value in b.items():
        if key not in out:
            out[key] = value
        elif key == "properties":
            props = dict(out[key])
            for name, sub in value.items():
                props[name] = _merge(props[name], sub) if name in props else sub
            out[key] = props
        elif key == "required":
            out[key] = list(dict.fromkeys([*out[key], *value]))
        elif key == "type":
            mine = {out[key]} if isinstance(out[key], str) else set(out[key])
            theirs = {value} if isinstance(value, str) else set(value)
            both = [t for t in _TYPES if t in mine & theirs]
            if "integer" in mine | theirs and "number" in mine | theirs and not both:
                both = ["integer"]
            out[key] = both[0] if len(both) == 1 else both
        elif key in ("minimum", "minLength", "minItems", "exclusiveMinimum", "minProperties"):
            out[key] = max(out[key], value)
        elif key in ("maximum", "maxLength", "maxItems", "exclusiveMaximum", "maxProperties"):
            out[key] = min(out[key], value)
        elif key == "enum":
            out[key] = [v for v in out[key] if v in value]
        elif key == "additionalProperties" and value is False:
            out[key] = False
        elif key == "allOf":
            out[key] = [*out[key], *value]
        elif key in ("anyOf", "oneOf"):
            # Both must hold: one branch of each, every pair a branch.
            out[key] = [{"allOf": [x, y]} for x in out[key] for y in value]
        else:
            out[key] = value
    return out


def _constant(value: Any) -> Draw:
    if isinstance(value, dict | list):
        return lambda ctx, depth: _copy(value)
    return lambda ctx, depth: value


def _copy(value: Any) -> Any:
    if isinstance(value, dict | list):
        copied: Any = json.loads(json.dumps(value))
        return copied
    return value


def _number(node: Mapping[str, Any], name: str, integer: bool) -> Draw:
    low = node.get("minimum")
    high = node.get("maximum")
    if "exclusiveMinimum" in node and isinstance(node["exclusiveMinimum"], int | float):
        low = (
            max(low, node["exclusiveMinimum"] + 1)
            if low is not None
            else node["exclusiveMinimum"] + 1
        )
    if "exclusiveMaximum" in node and isinstance(node["exclusiveMaximum"], int | float):
        high = (
            min(high, node["exclusiveMaximum"] - 1)
            if high is not None
            else node["exclusiveMaximum"] - 1
        )
    step = node.get("multipleOf")
    lowered = name.lower()
    epoch = lowered.endswith(("_at", "timestamp", "_ts", "time")) and integer
    identity = lowered == "id" or lowered.endswith("_id") or name.endswith("Id")
    default_high = 10**9 if identity else 1000
    if low is None:
        low = 1 if identity else 0
        low = low if high is None or high >= low else high - default_high
    if high is None:
        high = max(low, 0) + default_high

    def draw(ctx: Context, depth: int) -> int | float:
        if epoch and low <= ctx.now - 7200 and ctx.now <= high:
            return int(ctx.now) - int(ctx.rng.random() * 7200)
        if step:
            first = -(-low // step)
            last = high // step
            value = _uniform(ctx, int(first), int(max(first, last))) * step
            return int(value) if integer and float(value).is_integer() else float(value)
        if integer:
            return _uniform(ctx, int(-(-low // 1)), int(high // 1))
        return round(float(low) + ctx.rng.random() * (float(high) - float(low)), 2)

    return draw


def _pick(pool: str) -> Callable[[Mapping[str, Sequence[str]]], _Made]:
    def make(pools: Mapping[str, Sequence[str]]) -> _Made:
        values = pools[pool]
        return lambda ctx, depth=0: values[int(ctx.rng.random() * len(values))]

    return make


def _name_maker(pools: Mapping[str, Sequence[str]]) -> _Made:
    first, last = _pick("first_name")(pools), _pick("last_name")(pools)
    return lambda ctx, depth=0: f"{first(ctx)} {last(ctx)}"


def _email_maker(pools: Mapping[str, Sequence[str]]) -> _Made:
    first, last = _pick("first_name")(pools), _pick("last_name")(pools)

    def make(ctx: Context, depth: int = 0) -> str:
        local = f"{first(ctx)}.{last(ctx)}".lower()
        local = "".join(ch for ch in local if ch in _ALNUM.lower() + ".") or "user"
        return f"{local}@{_DOMAINS[int(ctx.rng.random() * 3)]}"

    return make


def _login_maker(pools: Mapping[str, Sequence[str]]) -> _Made:
    first, last = _pick("first_name")(pools), _pick("last_name")(pools)
    return lambda ctx, depth=0: f"{first(ctx)}{last(ctx)[0]}{_uniform(ctx, 1, 99)}".lower()


def _fixed(make: _Made) -> Callable[[Mapping[str, Sequence[str]]], Any]:
    return lambda pools: make


_KINDS: dict[str, Callable[[Mapping[str, Sequence[str]]], _Made]] = {
    "datetime": _fixed(lambda ctx, depth=0: _iso(ctx.now - int(ctx.rng.random() * 7200))),
    "date": _fixed(lambda ctx, depth=0: _iso(ctx.now - int(ctx.rng.random() * 30) * 86400)[:10]),
    "time": _fixed(lambda ctx, depth=0: _iso(ctx.now - int(ctx.rng.random() * 7200))[11:]),
    "email": _email_maker,
    "url": _fixed(
        lambda ctx, depth=0: (
            f"https://{_DOMAINS[int(ctx.rng.random() * 3)]}/{_letters(ctx, _ALNUM_TABLE, 10)}"
        )
    ),
    "url_template": _fixed(
        lambda ctx, depth=0: f"https://api.{_DOMAINS[int(ctx.rng.random() * 3)]}/items{{/id}}"
    ),
    "uuid": _fixed(lambda ctx, depth=0: _uuid(ctx)),
    "ipv4": _fixed(lambda ctx, depth=0: ".".join(str(_uniform(ctx, 1, 254)) for _ in range(4))),
    "ipv6": _fixed(lambda ctx, depth=0: "2001:db8::" + f"{_uniform(ctx, 1, 0xFFFF):x}"),
    "hostname": _fixed(lambda ctx, depth=0: f"host{_uniform(ctx, 1, 99)}.example.com"),
    "id": _fixed(lambda ctx, depth=0: _letters(ctx, _UPPER_TABLE, 16)),
    "name": _name_maker,
    "first_name": _pick("first_name"),
    "last_name": _pick("last_name"),
    "login": _login_maker,
    "company": _pick("company"),
    "city": _pick("city"),
    "country_code": _pick("country_code"),
    "currency": _fixed(lambda ctx, depth=0: _CURRENCIES[int(ctx.rng.random() * len(_CURRENCIES))]),
    "text": _pick("text"),
    "title": _pick("topic"),
    "phone": _fixed(lambda ctx, depth=0: f"+1{_uniform(ctx, 2_000_000_000, 9_999_999_999)}"),
}

_FORMATS = {
    "date-time": "datetime",
    "date": "date",
    "time": "time",
    "email": "email",
    "idn-email": "email",
    "uri": "url",
    "iri": "url",
    "url": "url",
    "uri-reference": "url",
    "iri-reference": "url",
    "uri-template": "url_template",
    "uuid": "uuid",
    "ipv4": "ipv4",
    "ipv6": "ipv6",
    "hostname": "hostname",
    "idn-hostname": "hostname",
}

_NAMES = {
    "name": "name",
    "full_name": "name",
    "fullname": "name",
    "display_name": "name",
    "displayname": "name",
    "first_name": "first_name",
    "firstname": "first_name",
    "given_name": "first_name",
    "last_name": "last_name",
    "lastname": "last_name",
    "family_name": "last_name",
    "login": "login",
    "username": "login",
    "user_name": "login",
    "company": "company",
    "city": "city",
    "country": "country_code",
    "countrycode": "country_code",
    "country_code": "country_code",
    "currency": "currency",
    "description": "text",
    "body": "text",
    "message": "text",
    "title": "title",
    "subject": "title",
    "email": "email",
    "id": "id",
    "uuid": "uuid",
    "url": "url",
    "href": "url",
    "phone": "phone",
    "phonenumber": "phone",
    "phone_number": "phone",
}


def _name_kind(name: str) -> str | None:
    lowered = name.lower()
    kind = _NAMES.get(lowered)
    if kind is None and lowered.endswith("email"):
        kind = "email"
    if kind is None and lowered.endswith(("_url", "url")) and lowered != "url":
        kind = "url"
    if kind is None and (lowered.endswith("_id") or name.endswith("Id")):
        kind = "id"
    if kind is None and (lowered.endswith(("_at", "_time", "timestamp")) or name.endswith("At")):
        kind = "datetime"
    return kind
