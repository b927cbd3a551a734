"""``hookmock validate``: recorded real deliveries held against the catalog's schemas.

Reality is the judge here: what is reported is what real bodies have that the catalog lacks,
field by field, counted over the records:

- ``unknown event``: an event name the catalog does not know;
- ``unknown field``: a field the schema does not declare (``payload.object.foo``);
- ``other type``: a value of a JSON type the schema does not allow (an integer where it says
  string);
- ``outside enum``: a value the schema's ``enum`` or ``const`` does not list;
- ``missing required``: a field the schema requires that the body left out.

A field is a JSON path as ``hookmock schema-diff`` writes it: ``[]`` steps into a list's items,
``*`` into an object's ``additionalProperties``. ``anyOf`` and ``oneOf`` branches are
alternatives: a field is known when a branch declares it, a value's type or enum value allowed
when a branch allows it, and a field required only when every branch requires it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..errors import UnknownEventError
from ..generate import catalog
from ..records.traffic import CapturedDelivery

__all__ = [
    "KINDS",
    "Finding",
    "Validation",
    "render_text",
    "to_dict",
    "validate_records",
]

#: The most branches a schema's anyOf, oneOf and allOf are expanded into.
MAX_BRANCHES = 64
#: The kinds of finding, in the order they are reported.
KINDS = ("unknown event", "unknown field", "other type", "outside enum", "missing required")

Schema = dict[str, Any]


@dataclass
class Finding:
    """One difference, counted over the records: *values* counts what reality had (the JSON
    types of an ``other type``, the values of an ``outside enum``), *expected* is what the
    schema says, *lines* the first lines of the file it was seen on."""

    event: str
    kind: str
    path: str
    count: int = 0
    values: Counter[str] = field(default_factory=Counter)
    expected: str = ""
    lines: list[int] = field(default_factory=list)


@dataclass
class Validation:
    """What :func:`validate_records` found."""

    provider: str
    records: int = 0
    #: Records per event name (``None``: a body that names none).
    events: Counter[str] = field(default_factory=Counter)
    #: Records whose body is not JSON, and those that name no event.
    not_json: int = 0
    unnamed: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def differences(self) -> bool:
        return bool(self.findings)


_JSON_TYPES = {
    dict: "object",
    list: "array",
    str: "string",
    bool: "boolean",
    type(None): "null",
    float: "number",
}


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _accepts(types: set[str], value: Any) -> bool:
    kind = _json_type(value)
    if kind in types:
        return True
    if kind == "integer" and "number" in types:
        return True
    # JSON Schema counts 3.0 as an integer.
    return kind == "number" and "integer" in types and float(value).is_integer()


class _Walker:
    """Walks one body beside its schema, adding to the findings of its event."""

    def __init__(self, root: Schema, event: str, found: dict[tuple[str, str], Finding]) -> None:
        self.root = root
        self.event = event
        self.found = found

    def note(self, kind: str, path: str, line: int, value: str = "", expected: str = "") -> None:
        finding = self.found.get((kind, path))
        if finding is None:
            finding = self.found[(kind, path)] = Finding(self.event, kind, path, expected=expected)
        finding.count += 1
        if value:
            finding.values[value] += 1
        if len(finding.lines) < 3 and line and line not in finding.lines:
            finding.lines.append(line)

    def resolve(self, node: Any, depth: int = 0) -> Schema:
        if not isinstance(node, dict):
            return {} if node is not False else {"not": {}}
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/") and depth < 32:
            target: Any = self.root
            for step in ref[2:].split("/"):
                step = step.replace("~1", "/").replace("~0", "~")
                target = target.get(step) if isinstance(target, dict) else None
            rest = {k: v for k, v in node.items() if k != "$ref"}
            return {**self.resolve(target, depth + 1), **rest}
        return node

    def alternatives(self, node: Any, depth: int = 0) -> list[Schema]:
        """The schema's branches (``anyOf``, ``oneOf``), each with what the schema says beside
        them and every ``allOf`` part merged in; at most :data:`MAX_BRANCHES`."""
        node = self.resolve(node)
        base = {k: v for k, v in node.items() if k not in ("anyOf", "oneOf", "allOf")}
        if depth > 16:
            return [base]
        found = [base]
        # Each allOf part must hold, and one branch of anyOf (or oneOf).
        parts: list[list[Any]] = [[part] for part in node.get("allOf") or []]
        branches = node.get("anyOf") or node.get("oneOf")
        if isinstance(branches, list) and branches:
            parts.append(branches)
        for choices in parts:
            inner = [alt for choice in choices for alt in self.alternatives(choice, depth + 1)]
            combined = [_merge(a, b) for a in found for b in inner][:MAX_BRANCHES]
            # Branches whose types cannot both hold are no branch at all.
            found = [c for c in combined if c.get("type") != []] or found
        return found

    def walk(self, value: Any, node: Any, path: str, line: int, depth: int = 0) -> None:
        if depth > 64:
            return
        alternatives = self.alternatives(node)
        if any(_open(a) for a in alternatives):
            return  # a schema that says nothing of the value (true, {}) takes anything
        types: set[str] = set()
        for alternative in alternatives:
            types.update(_types(alternative))
        # A branch that names no type (a const, say) may take a value of any type.
        if all(_types(a) for a in alternatives) and not _accepts(types, value):
            self.note("other type", path, line, _json_type(value), " or ".join(sorted(types)))
            return
        fitting = [a for a in alternatives if not _types(a) or _accepts(set(_types(a)), value)]
        self.check_values(value, fitting, path, line)
        if isinstance(value, dict):
            self.walk_object(value, fitting, path, line, depth)
        elif isinstance(value, list):
            items = [a["items"] for a in fitting if "items" in a]
            if items:
                for item in value:
                    self.walk(item, {"anyOf": items}, f"{path}[]", line, depth + 1)

    def check_values(self, value: Any, fitting: list[Schema], path: str, line: int) -> None:
        allowed: list[Any] = []
        for alternative in fitting:
            if "const" in alternative:
                allowed.append(alternative["const"])
            elif isinstance(alternative.get("enum"), list):
                allowed += alternative["enum"]
            else:
                return  # a branch without a list of values takes any value of its type
        if allowed and not any(_same(value, a) for a in allowed):
            shown = json.dumps(value, ensure_ascii=False)
            listed = ", ".join(json.dumps(a, ensure_ascii=False) for a in allowed[:12])
            self.note("outside enum", path, line, shown[:80], listed)

    def walk_object(
        self, value: dict[str, Any], fitting: list[Schema], path: str, line: int, depth: int
    ) -> None:
        declared: dict[str, list[Any]] = {}
        extra: list[Any] = []
        required: set[str] | None = None
        for alternative in fitting:
            for name, sub in (alternative.get("properties") or {}).items():
                declared.setdefault(name, []).append(sub)
            more = alternative.get("additionalProperties")
            if isinstance(more, dict) or more is True:
                extra.append(more)
            if "patternProperties" in alternative:
                extra.append(True)
            names = {n for n in alternative.get("required") or [] if isinstance(n, str)}
            required = names if required is None else required & names
        prefix = f"{path}." if path else ""
        for name in sorted(required or ()):
            if name not in value:
                self.note("missing required", prefix + name, line)
        for name, item in value.items():
            if name in declared:
                self.walk(item, {"anyOf": declared[name]}, prefix + name, line, depth + 1)
            elif extra:
                if any(e is True for e in extra):
                    continue
                self.walk(item, {"anyOf": extra}, f"{prefix}*", line, depth + 1)
            elif any("properties" in a for a in fitting):
                self.note("unknown field", prefix + name, line, _json_type(item))
            # An object schema that declares no property at all is free-form: nothing is unknown.


def _merge(base: Schema, part: Schema) -> Schema:
    """What holds when *base* and *part* both hold: their properties joined (one declared in
    both must satisfy both schemas), their required names added up, their types intersected;
    other keywords from *part*."""
    merged = dict(base)
    for key, value in part.items():
        if key == "properties" and isinstance(value, dict):
            properties = dict(base.get("properties") or {})
            for name, sub in value.items():
                properties[name] = {"allOf": [properties[name], sub]} if name in properties else sub
            merged["properties"] = properties
        elif key == "required" and isinstance(value, list):
            merged["required"] = [*(base.get("required") or []), *value]
        elif key == "type" and "type" in base:
            merged["type"] = _intersection(_types(base), _types(part))
        else:
            merged[key] = value
    return merged


def _intersection(ours: list[str], theirs: list[str]) -> list[str]:
    """The JSON types both lists allow (an integer is a number)."""
    both = []
    for kind in ours:
        if kind in theirs:
            both.append(kind)
        elif {kind, "number"} == {"integer", "number"} and {*theirs} & {"integer", "number"}:
            both.append("integer")
    return list(dict.fromkeys(both))


def _types(node: Schema) -> list[str]:
    typ = node.get("type")
    if isinstance(typ, str):
        return [typ]
    return [t for t in typ if isinstance(t, str)] if isinstance(typ, list) else []


_SCHEMA_WORDS = frozenset(
    {"type", "properties", "items", "enum", "const", "additionalProperties", "required", "not"}
)


def _open(node: Schema) -> bool:
    return not (_SCHEMA_WORDS & node.keys())


def _same(value: Any, allowed: Any) -> bool:
    # JSON equality: true is not 1, 1 is 1.0.
    if isinstance(value, bool) or isinstance(allowed, bool):
        return type(value) is type(allowed) and value == allowed
    return bool(value == allowed)


def validate_records(records: Iterable[CapturedDelivery], provider: str = "zoom") -> Validation:
    """Hold each record's body against the schema of its event in *provider*'s catalog."""
    result = Validation(provider)
    found: dict[str, dict[tuple[str, str], Finding]] = {}
    unknown: dict[str, Finding] = {}
    known = set(catalog.event_names(provider))
    for record in records:
        result.records += 1
        data = record.data
        if data is None and record.body.strip() != b"null":
            result.not_json += 1
            continue
        name = record.event
        if name is None:
            result.unnamed += 1
            continue
        result.events[name] += 1
        if name not in known:
            finding = unknown.setdefault(name, Finding(name, "unknown event", ""))
            finding.count += 1
            if len(finding.lines) < 3 and record.line:
                finding.lines.append(record.line)
            continue
        try:
            schema = catalog.load_schema(name, provider)
        except UnknownEventError:
            continue
        _Walker(schema, name, found.setdefault(name, {})).walk(data, schema, "", record.line)
    order = {kind: index for index, kind in enumerate(KINDS)}
    result.findings = sorted(unknown.values(), key=lambda f: f.event) + [
        finding
        for event in sorted(found)
        for finding in sorted(found[event].values(), key=lambda f: (order[f.kind], f.path))
    ]
    return result


#: How each kind of finding is counted in the summary: singular, plural.
_COUNTED = {
    "unknown event": ("unknown event type", "unknown event types"),
    "unknown field": ("unknown field", "unknown fields"),
    "other type": ("field of another type", "fields of another type"),
    "outside enum": ("value outside an enum", "values outside enums"),
    "missing required": ("missing required field", "missing required fields"),
    "delivery": ("delivery", "deliveries"),
    "event type": ("event type", "event types"),
}


def _plural(count: int, noun: str) -> str:
    one, many = _COUNTED[noun]
    return f"{count} {one if count == 1 else many}"


def _counted(values: Counter[str]) -> str:
    return ", ".join(
        f"{value} ({count})" if len(values) > 1 else value for value, count in values.most_common(5)
    )


def _lines(finding: Finding) -> str:
    if not finding.lines:
        return ""
    return f"; line {', '.join(map(str, finding.lines))}" + (
        "..." if finding.count > len(finding.lines) else ""
    )


def _finding_line(finding: Finding, of: int) -> str:
    seen = f"in {finding.count} of {of}"
    if finding.kind == "unknown field":
        return f"+ {finding.path}: not in the schema ({_counted(finding.values)}), {seen}"
    if finding.kind == "other type":
        return (
            f"~ {finding.path}: {_counted(finding.values)} where the schema says "
            f"{finding.expected}, {seen}"
        )
    if finding.kind == "outside enum":
        return (
            f"~ {finding.path}: {_counted(finding.values)} not among the schema's values "
            f"({finding.expected}), {seen}"
        )
    return f"- {finding.path}: required by the schema, missing {seen}"


def render_text(result: Validation, source: str) -> str:
    """The report for people: one block per event with differences, then a summary."""
    kinds = Counter(f.kind for f in result.findings)
    lines = [
        f"{source}: {_plural(result.records, 'delivery')}, "
        f"{_plural(len(result.events), 'event type')}, against hookmock's {result.provider} "
        "schemas"
    ]
    skipped = []
    if result.not_json:
        skipped.append(f"{result.not_json} not JSON")
    if result.unnamed:
        skipped.append(f"{result.unnamed} naming no event")
    if skipped:
        lines.append(f"not checked: {', '.join(skipped)}")
    current = None
    for finding in result.findings:
        if finding.kind == "unknown event":
            lines += [
                "",
                f"{finding.event}: not in the catalog "
                f"({_plural(finding.count, 'delivery')}"
                f"{_lines(finding)})",
            ]
            continue
        if finding.event != current:
            current = finding.event
            count = result.events[current]
            lines += [
                "",
                f"{current} ({_plural(count, 'delivery')})",
            ]
        lines.append(f"  {_finding_line(finding, result.events[finding.event])}{_lines(finding)}")
    if result.findings:
        parts = [_plural(kinds[k], k) for k in KINDS if kinds[k]]
        summary = f"Differences: {', '.join(parts)}."
    else:
        summary = "No differences: every field of every delivery is in the catalog's schemas."
    return "\n".join([*lines, "", summary]) + "\n"


def to_dict(result: Validation, source: str) -> dict[str, Any]:
    """The report for machines (``--json``)."""
    kinds = Counter(f.kind for f in result.findings)
    return {
        "file": source,
        "provider": result.provider,
        "records": result.records,
        "events": dict(result.events),
        "not_json": result.not_json,
        "unnamed": result.unnamed,
        "differences": result.differences,
        "summary": {kind: kinds[kind] for kind in KINDS},
        "findings": [
            {
                "event": f.event,
                "kind": f.kind,
                "path": f.path,
                "count": f.count,
                "of": result.events[f.event],
                "values": dict(f.values),
                "expected": f.expected,
                "lines": f.lines,
            }
            for f in result.findings
        ],
    }
