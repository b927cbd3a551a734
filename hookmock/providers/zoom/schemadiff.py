"""``hookmock schema-diff``: what changed between hookmock's schemas and a newer Zoom document.

Zoom publishes one OpenAPI 3.1 webhooks document per product (``users.webhooks.json``...). For
each event in such a document, Zoom's body schema is read as ``tools/convert_zoom_openapi.py``
reads it (:mod:`hookmock.providers.zoom.spec`: the ``$ref`` quirk fixed and the refs inlined,
invalid type names and misspelt keywords put right) and compared with hookmock's shipped schema,
field by field. A field is a JSON path (``payload.object.settings.foo``; ``[]`` steps into a list's
items, ``*`` into ``additionalProperties``); what is compared is its type, format, enum values and
whether it is required, nothing else.

The comparison reads both schemas the same way, so that what the converter changes on purpose
is not reported: prose, ``$comment``, ``x-hookmock-*`` and ``examples`` are not read; neither is
``additionalProperties: false`` (dropped by the converter) nor property order; an ``enum`` on a
list applies to its items (where the converter moves it); ``anyOf``/``oneOf`` branches are
alternatives, so a field's types, formats and values are those of every branch, and it is
required only when every branch requires it; a property Zoom requires without declaring is
compared on required-ness only (the converter declares it from Zoom's example); the envelope is
the converter's (``event`` a const of the event's name, an integer ``event_ts`` int64).

Where hookmock departs from Zoom on purpose, the converter's decision table says so
(``schemas/zoom/_SOURCES.md``, shipped with the schemas): a difference a decision explains is
reported as a *recorded decision*, with its reason, and is not drift.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from typing import Any, TextIO

from ...engine.catalog import event_names, load_schema, schemas_root
from ...engine.nesting import depth as nesting
from ...errors import HookmockError
from .spec import Schema, body_of, fix_keywords, inline, parse_document

__all__ = [
    "Decision",
    "DocumentDiff",
    "EventDiff",
    "Field",
    "FieldChange",
    "WebhooksDocumentError",
    "add_schema_diff_parser",
    "compare_fields",
    "diff_document",
    "fields",
    "read_document",
    "recorded_decisions",
    "render_text",
    "schema_diff_command",
    "to_dict",
    "zoom_schema",
]

EXIT_SAME, EXIT_DIFFERENT = 0, 1
SOURCES = "schemas/zoom/_SOURCES.md"
ANY_VALUE = "(any value)"
NONE = "(none)"


class WebhooksDocumentError(HookmockError, ValueError):
    """A file that cannot be read as a Zoom OpenAPI webhooks document."""


# -- reading both sides ----------------------------------------------------------------------


#: The deepest nesting schema-diff reads; Zoom's published documents nest 27 levels at most.
MAX_DEPTH = 100


def read_document(path: str) -> Schema:
    """The Zoom webhooks document at *path*, its ``$ref`` quirk fixed.

    :raises WebhooksDocumentError: when the file cannot be read, is not JSON, or has no
        ``webhooks`` object; the message says what was expected.
    """
    expected = (
        'expected Zoom\'s OpenAPI 3.1 webhooks document: a JSON object whose "webhooks" object '
        "has one entry per event (as users.webhooks.json, downloaded from a product's Webhooks "
        "page on developers.zoom.us)"
    )
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as exc:
        raise WebhooksDocumentError(f"cannot read {path!r}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise WebhooksDocumentError(f"{path!r} is not UTF-8 text; {expected}") from None
    try:
        document = parse_document(text)
    except ValueError as exc:
        raise WebhooksDocumentError(f"{path!r} is not JSON ({exc}); {expected}") from None
    except RecursionError:
        document, depth = None, MAX_DEPTH + 1
    else:
        depth = nesting(document, MAX_DEPTH)
    if depth > MAX_DEPTH:
        raise WebhooksDocumentError(
            f"{path!r} nests more than {MAX_DEPTH} levels deep; Zoom's documents nest fewer than "
            f"30, and schema-diff reads at most {MAX_DEPTH}: {expected}"
        )
    if not isinstance(document, dict) or not isinstance(document.get("webhooks"), dict):
        if isinstance(document, dict):
            keys = ", ".join(sorted(document)) or "none"
            found = f"it has no webhooks object (top-level keys: {keys})"
            if "paths" in document:
                found += "; one with paths is a REST API document, not the webhooks one"
        else:
            found = f"it holds a JSON {type(document).__name__}, not an object"
        raise WebhooksDocumentError(f"{path!r}: {found}; {expected}")
    return document


def _read_as_converter(node: Any, where: str) -> Any:
    """*node* and every schema in it as the converter reads them (:func:`fix_keywords`)."""
    if not isinstance(node, dict):
        return node
    out = fix_keywords(node, where)
    if isinstance(out.get("properties"), dict):
        out["properties"] = {
            name: _read_as_converter(sub, f"{where}.{name}")
            for name, sub in out["properties"].items()
        }
    if isinstance(out.get("items"), dict):
        out["items"] = _read_as_converter(out["items"], f"{where}[]")
    if isinstance(out.get("additionalProperties"), dict):
        out["additionalProperties"] = _read_as_converter(out["additionalProperties"], f"{where}.*")
    for key in ("anyOf", "oneOf", "allOf"):
        if isinstance(out.get(key), list):
            out[key] = [_read_as_converter(branch, where) for branch in out[key]]
    return out


def zoom_schema(document: Schema, event: str) -> Schema:
    """Zoom's body schema of *event*, self-contained and read as the converter reads it.

    :raises ValueError: (or ``KeyError``/``TypeError``) when it cannot be read so: an unknown
        keyword or type name, a ``$ref`` that points nowhere, no request body.
    """
    schema: Schema = _read_as_converter(inline(body_of(document, event)["schema"], document), event)
    # The converter's envelope (convert_zoom_openapi.schema_for): the event's name as a const,
    # an integer event_ts as Unix milliseconds in int64 (ZOOM.md §1).
    properties = dict(schema.get("properties") or {})
    properties["event"] = {"type": "string", "const": event}
    if isinstance(properties.get("event_ts"), dict) and properties["event_ts"].get("type") == (
        "integer"
    ):
        properties["event_ts"] = {"type": "integer", "format": "int64"}
    return {**schema, "properties": properties}


# -- fields ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """What is compared of one field: ``enum`` is None when any value of its types goes."""

    types: tuple[str, ...]
    formats: tuple[str, ...]
    enum: tuple[str, ...] | None
    required: bool
    declared: bool = True


FieldPath = tuple[str, ...]
_PLAIN = re.compile(r"[A-Za-z0-9_$-]+")


def _segment(name: str) -> str:
    return name if _PLAIN.fullmatch(name) else f"[{json.dumps(name, ensure_ascii=False)}]"


def render_path(path: FieldPath) -> str:
    """``("payload", "object", "[]", "id")`` as ``payload.object[].id``."""
    text = ""
    for segment in path:
        text += segment if segment.startswith("[") or not text else f".{segment}"
    return text


def _alternatives(node: Any) -> list[Schema]:
    """*node* as a list of alternatives without ``anyOf``/``oneOf``/``allOf``: each branch merged
    with the keywords beside it (a branch's keywords win; properties and ``required`` add up)."""
    if not isinstance(node, dict):
        return []
    base = {k: v for k, v in node.items() if k not in ("anyOf", "oneOf", "allOf")}
    for part in node.get("allOf") or []:
        for alternative in _alternatives(part)[:1]:
            base = _merge(base, alternative)
    alternatives = [base]
    for key in ("anyOf", "oneOf"):
        branches = node.get(key)
        if isinstance(branches, list) and branches:
            alternatives = [
                _merge(alternative, branch)
                for alternative in alternatives
                for option in branches
                for branch in _alternatives(option)
            ]
    return [_enum_on_items(alternative) for alternative in alternatives]


def _merge(base: Schema, branch: Schema) -> Schema:
    merged = {**base, **branch}
    if isinstance(base.get("properties"), dict) and isinstance(branch.get("properties"), dict):
        merged["properties"] = {**base["properties"], **branch["properties"]}
    merged["required"] = [*_required(base), *_required(branch)]
    return merged


def _enum_on_items(node: Schema) -> Schema:
    # An enum on a list means its items' values: the converter moves it there (ARRAY_ENUM).
    if "enum" in node and "array" in _types(node) and isinstance(node.get("items"), dict):
        rest = {k: v for k, v in node.items() if k != "enum"}
        return {**rest, "items": {**node["items"], "enum": node["enum"]}}
    return node


def _types(node: Schema) -> list[str]:
    typ = node.get("type")
    if isinstance(typ, str):
        return [typ]
    return [t for t in typ if isinstance(t, str)] if isinstance(typ, list) else []


def _values(node: Schema) -> list[str] | None:
    if "const" in node:
        return [_json(node["const"])]
    if isinstance(node.get("enum"), list):
        return [_json(value) for value in node["enum"]]
    return None


def _formats(alternatives: list[Schema]) -> tuple[str, ...]:
    """The formats of a field's alternatives; ``""`` (no format) stands for a typeless ``const``
    or ``enum`` beside a formatted alternative: values accepted as they are (``""`` beside an
    email)."""
    formats = {a["format"] for a in alternatives if isinstance(a.get("format"), str)}
    if formats and any(_values(a) is not None and not _types(a) for a in alternatives):
        formats.add("")
    return tuple(sorted(formats))


def _required(node: Schema) -> list[str]:
    names = node.get("required")
    return [name for name in names if isinstance(name, str)] if isinstance(names, list) else []


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def fields(schema: Schema) -> dict[FieldPath, Field]:
    """Every field of *schema* by path, read as the module docstring says."""
    found: dict[FieldPath, Field] = {}
    _walk([schema], (), found)
    return found


def _walk(nodes: list[Any], path: FieldPath, found: dict[FieldPath, Field]) -> None:
    alternatives = [alt for node in nodes for alt in _alternatives(node)]
    children: dict[FieldPath, list[Any]] = {}
    required: dict[FieldPath, bool] = {}
    for alt in alternatives:
        properties: dict[str, Any] = (
            alt["properties"] if isinstance(alt.get("properties"), dict) else {}
        )
        named = [*properties, *_required(alt)]
        for name in dict.fromkeys(named):
            child = (*path, _segment(name))
            children.setdefault(child, [])
            if name in properties:
                children[child].append(properties[name])
            # Alternatives: a field is required only when every one of them requires it.
            required[child] = all(name in _required(other) for other in alternatives)
        for key, step in (("items", "[]"), ("additionalProperties", "*")):
            if isinstance(alt.get(key), dict):
                children.setdefault((*path, step), []).append(alt[key])
    for child, schemas in children.items():
        facets = [a for schema in schemas for a in _alternatives(schema)]
        values = [_values(a) for a in facets]
        found[child] = Field(
            types=tuple(sorted({t for a in facets for t in _types(a)})),
            formats=_formats(facets),
            enum=None
            if not values or any(v is None for v in values)
            else tuple(sorted({v for vs in values for v in vs or ()})),
            required=required.get(child, False),
            declared=bool(schemas),
        )
        _walk(schemas, child, found)


# -- comparing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    """One difference at *path*, from hookmock's value to Zoom's.

    ``kind`` is ``added`` (Zoom has the field, hookmock not), ``removed``, ``type``, ``format``,
    ``enum`` or ``required``. For ``added``/``removed``, ``inside`` lists the fields within it.
    """

    path: str
    kind: str
    hookmock: Any
    zoom: Any
    inside: tuple[str, ...] = ()
    decision: str | None = None


def _nullable(formats: tuple[str, ...]) -> list[str | None]:
    return [value or None for value in formats]  # "" (values taken as they are) is null in JSON


def _describe(value: Field) -> dict[str, Any]:
    return {
        "type": list(value.types),
        "format": _nullable(value.formats),
        "enum": None if value.enum is None else [json.loads(v) for v in value.enum],
        "required": value.required,
        "declared": value.declared,
    }


def compare_fields(
    ours: Mapping[FieldPath, Field], theirs: Mapping[FieldPath, Field]
) -> list[FieldChange]:
    """The differences from hookmock's fields (*ours*) to Zoom's (*theirs*), by path; a field
    added or removed with its parent is listed in the parent's ``inside``."""
    changes: list[tuple[FieldPath, FieldChange]] = []
    inside: dict[FieldPath, list[str]] = {}
    for path in sorted(ours.keys() | theirs.keys()):
        mine, zoom, where = ours.get(path), theirs.get(path), render_path(path)
        if mine is None or zoom is None:
            lacking = ours if mine is None else theirs
            top = next((path[:i] for i in range(1, len(path)) if path[:i] not in lacking), path)
            if top != path:
                inside.setdefault(top, []).append(where)
            elif zoom is not None:
                changes.append((path, FieldChange(where, "added", None, _describe(zoom))))
            elif mine is not None:
                changes.append((path, FieldChange(where, "removed", _describe(mine), None)))
            continue
        if mine.declared and zoom.declared:
            if mine.types != zoom.types:
                changes.append((path, FieldChange(where, "type", [*mine.types], [*zoom.types])))
            if mine.formats != zoom.formats:
                formats = _nullable(mine.formats), _nullable(zoom.formats)
                changes.append((path, FieldChange(where, "format", *formats)))
            if mine.enum != zoom.enum:
                enums = _describe(mine)["enum"], _describe(zoom)["enum"]
                changes.append((path, FieldChange(where, "enum", *enums)))
        if mine.required != zoom.required:
            changes.append((path, FieldChange(where, "required", mine.required, zoom.required)))
    return [
        replace(change, inside=tuple(inside.get(path, ()))) if path in inside else change
        for path, change in changes
    ]


# -- recorded decisions ----------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """A row of the converter's decision table: where hookmock departs from Zoom, and why."""

    events: tuple[str, ...]
    path: str
    verdict: str
    why: str

    def applies_to(self, event: str) -> bool:
        return any(fnmatchcase(event, pattern) for pattern in self.events)

    def explains(self, change: FieldChange) -> bool:
        """Whether *change* is what this decision does (the verdict's words are the
        converter's ``verdict()``: dropped; not required: a, b; also accepts X; sends X, accepts
        Zoom's type too)."""
        for part in self.verdict.split("; "):
            if part == "dropped" and change.kind == "added" and change.path == self.path:
                return True
            if part.startswith("not required: "):
                names = part.removeprefix("not required: ").split(", ")
                paths = {render_path((*filter(None, [self.path]), _segment(n))) for n in names}
                # Zoom requires it; hookmock does not, or (undeclared by Zoom) does not name it.
                required = change.kind == "required" and change.zoom is True
                named = change.kind == "added" and change.zoom["declared"] is False
                if change.path in paths and (required or named):
                    return True
            also = part.startswith(("also accepts ", "sends ")) and change.path == self.path
            if also and change.kind in ("type", "format", "enum"):
                return True
        return False


_ROW = re.compile(
    r"\| (?P<events>(?:`[^`]+`(?:, )?)+) \| `(?P<path>[^`]*)` \| (?P<verdict>[^|]*?) \| "
    r"(?P<why>.*) \|"
)


@functools.cache
def recorded_decisions() -> tuple[Decision, ...]:
    """The decision table of ``schemas/zoom/_SOURCES.md`` (written by the converter, shipped
    with the schemas); empty when the file is missing."""
    notes = schemas_root() / "zoom" / "_SOURCES.md"
    if not notes.is_file():
        return ()
    rows = (_ROW.fullmatch(line) for line in notes.read_text(encoding="utf-8").splitlines())
    return tuple(
        Decision(
            tuple(re.findall(r"`([^`]+)`", row["events"])),
            row["path"],
            row["verdict"],
            row["why"],
        )
        for row in rows
        if row
    )


def _own_decision(event: str, change: FieldChange) -> str | None:
    """The reason a hand-written schema records for departing from Zoom's at *change*'s path
    (its ``x-hookmock-decisions``: ``{"path", "kinds", "why"}`` each), or None."""
    for row in load_schema(event).get("x-hookmock-decisions", ()):
        if row.get("path") == change.path and change.kind in row.get("kinds", ()):
            return str(row.get("why"))
    return None


# -- a document against the catalog ----------------------------------------------------------


@dataclass(frozen=True)
class EventDiff:
    """One event's differences. ``status``: ``added`` (hookmock has no schema for it),
    ``removed`` (hookmock's schema cites the document, which no longer lists it), ``changed``
    or ``unreadable`` (Zoom's schema cannot be read as the converter reads it: ``error``)."""

    event: str
    status: str
    method: str | None
    changes: tuple[FieldChange, ...] = ()
    error: str | None = None

    @property
    def drift(self) -> bool:
        """Whether anything here is not explained by a recorded decision."""
        return self.status != "changed" or any(c.decision is None for c in self.changes)


@dataclass(frozen=True)
class DocumentDiff:
    """A Zoom document against hookmock's catalog: the events that differ, by name."""

    document: str
    cited_as: str
    events_in_document: int
    events: tuple[EventDiff, ...]
    unchanged: int
    note: str | None = None

    @property
    def drift(self) -> bool:
        return any(event.drift for event in self.events)


def _source(event: str) -> tuple[str, list[str]]:
    source = load_schema(event).get("x-hookmock-source", {})
    return str(source.get("method", "unknown")), [str(b) for b in source.get("based_on", [])]


def _cites(based_on: Iterable[str], name: str) -> bool:
    return any(os.path.basename(source) == name for source in based_on)


def _reason(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return (
            f"no {exc.args[0]!r} where one was expected (an event's body schema is at "
            'post.requestBody.content["application/json"].schema; $refs must point inside)'
        )
    return str(exc) if isinstance(exc, ValueError) else f"{type(exc).__name__}: {exc}"


def diff_document(document: Schema, name: str, *, cited_as: str | None = None) -> DocumentDiff:
    """Compare every event of *document* (a parsed webhooks document, file *name*) with
    hookmock's schemas; hookmock's events that cite *cited_as* (default: *name*'s file name)
    but that the document does not list are ``removed``."""
    webhooks: dict[str, Any] = document["webhooks"]
    cited = cited_as or os.path.basename(name)
    known = event_names("zoom")
    decisions = recorded_decisions()
    found: list[EventDiff] = []
    unchanged = 0
    for event in sorted(webhooks):
        if event not in known:
            found.append(EventDiff(event, "added", None))
            continue
        method, _ = _source(event)
        try:
            theirs = fields(zoom_schema(document, event))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            found.append(EventDiff(event, "unreadable", method, error=_reason(exc)))
            continue
        changes = compare_fields(fields(load_schema(event)), theirs)
        if method == "converted":  # the decisions are the converter's
            rows = [row for row in decisions if row.applies_to(event)]
            changes = [
                replace(c, decision=next((row.why for row in rows if row.explains(c)), None))
                for c in changes
            ]
        else:  # a hand-written schema records its own (x-hookmock-decisions)
            changes = [replace(c, decision=_own_decision(event, c)) for c in changes]
        if changes:
            found.append(EventDiff(event, "changed", method, tuple(changes)))
        else:
            unchanged += 1
    for event in known:
        method, based_on = _source(event)
        if event not in webhooks and _cites(based_on, cited):
            found.append(EventDiff(event, "removed", method))
    note = None
    if not any(_cites(_source(event)[1], cited) for event in known):
        others = sorted(
            {os.path.basename(b) for e in webhooks if e in known for b in _source(e)[1]}
            - {os.path.basename(name)}
        )
        others = [o for o in others if o.endswith(".webhooks.json")]
        note = f"no hookmock schema cites a document named {cited}, so none is reported removed"
        if others:
            note += f"; this document's events cite {', '.join(others)} (pass --as {others[0]})"
    return DocumentDiff(
        os.path.basename(name),
        cited,
        len(webhooks),
        tuple(sorted(found, key=lambda e: e.event)),
        unchanged,
        note,
    )


# -- reports ---------------------------------------------------------------------------------


def _listing(values: list[Any] | None) -> str:
    if values is None:
        return ANY_VALUE
    return ", ".join(_json(v) for v in values) or NONE


def _kinds(values: list[str | None]) -> str:
    return " | ".join(value or NONE for value in values) or NONE


def _field_text(described: dict[str, Any], inside: int) -> str:
    if not described["declared"]:
        text = "undeclared"
    else:
        text = " | ".join(described["type"]) or "(any type)"
        if described["format"]:
            text += f" ({_kinds(described['format'])})"
        enum = described["enum"]
        if enum is not None:
            text += f", one of {_listing(enum)}" if len(enum) <= 5 else f", {len(enum)} values"
    text += ", required" if described["required"] else ""
    return text + (f" (and {_plural(inside, 'field')} inside)" if inside else "")


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def change_lines(change: FieldChange) -> list[str]:
    """The report lines of one change, without indent or decision mark."""
    where, old, new = change.path, change.hookmock, change.zoom
    if change.kind == "added":
        return [f"+ {where}: {_field_text(new, len(change.inside))}"]
    if change.kind == "removed":
        return [f"- {where}: {_field_text(old, len(change.inside))}"]
    if change.kind in ("type", "format"):
        return [f"~ {where}: {change.kind} {_kinds(old)} → {_kinds(new)}"]
    if change.kind == "required":
        return [f"~ {where}: {'now required' if new else 'no longer required'}"]
    if old is None or new is None:
        return [f"~ {where}: enum {_listing(old)} → {_listing(new)}"]
    lines = []
    added = [v for v in new if v not in old]
    removed = [v for v in old if v not in new]
    if added:
        lines.append(f"~ {where}: enum values added: {_listing(added)}")
    if removed:
        lines.append(f"~ {where}: enum values removed: {_listing(removed)}")
    return lines


def _event_lines(event: EventDiff, cited: str) -> list[str]:
    if event.status == "added":
        return [f"{event.event}: added (hookmock has no schema for it)"]
    if event.status == "removed":
        comment = load_schema(event.event).get("$comment")
        return [
            f"{event.event}: removed (hookmock's {event.method} schema cites {cited}, "
            "which does not list it)",
            *([f"  hookmock's schema says: {comment}"] if comment else []),
        ]
    head = f"{event.event} (hookmock's schema: {event.method})"
    if event.status == "unreadable":
        return [f"{head}: Zoom's schema cannot be read as the converter reads it: {event.error}"]
    lines = [head]
    for i, change in enumerate(event.changes):
        mark = "  [recorded decision]" if change.decision else ""
        lines += [f"  {line}{mark}" for line in change_lines(change)]
        following = event.changes[i + 1].decision if i + 1 < len(event.changes) else None
        if change.decision and following != change.decision:
            where = SOURCES if event.method == "converted" else f"schemas/zoom/{event.event}.json"
            lines.append(f"    why ({where}): {change.decision}")
    return lines


def _counts(diff: DocumentDiff) -> dict[str, int]:
    changes = [c for e in diff.events for c in e.changes]
    return {
        "added": sum(e.status == "added" for e in diff.events),
        "removed": sum(e.status == "removed" for e in diff.events),
        "changed": sum(e.status == "changed" and e.drift for e in diff.events),
        "unreadable": sum(e.status == "unreadable" for e in diff.events),
        "field_changes": sum(c.decision is None for c in changes),
        "recorded_decisions": sum(c.decision is not None for c in changes),
        "unchanged": diff.unchanged,
    }


def render_text(diff: DocumentDiff) -> str:
    """The report for people: one block per event that differs, then a summary."""
    named = diff.document
    if diff.cited_as != diff.document:
        named += f" (as {diff.cited_as})"
    lines = [
        f"Zoom's {named}, {_plural(diff.events_in_document, 'event')}, against hookmock's schemas "
        "(each change reads hookmock → Zoom)"
    ]
    if diff.note:
        lines.append(f"note: {diff.note}")
    for event in diff.events:
        lines += ["", *_event_lines(event, diff.cited_as)]
    counts = _counts(diff)
    kinds = ("added", "removed", "changed", "unreadable")
    summary = "No drift." if diff.events else "No differences."
    if diff.drift:
        events = ", ".join(f"{counts[kind]} {kind}" for kind in kinds if counts[kind])
        differences = _plural(counts["field_changes"], "field difference")
        summary = f"Drift: {events}" + (f" ({differences})." if counts["field_changes"] else ".")
    if counts["recorded_decisions"]:
        summary += f" Recorded decisions: {counts['recorded_decisions']}."
    summary += f" Unchanged: {_plural(counts['unchanged'], 'event')}."
    return "\n".join([*lines, "", summary]) + "\n"


def to_dict(diff: DocumentDiff) -> dict[str, Any]:
    """The report for machines (``--json``)."""

    def change(c: FieldChange) -> dict[str, Any]:
        out = {"path": c.path, "kind": c.kind, "hookmock": c.hookmock, "zoom": c.zoom}
        if c.kind in ("added", "removed"):
            out["inside"] = list(c.inside)
        if c.kind == "enum" and c.hookmock is not None and c.zoom is not None:
            out["added"] = [v for v in c.zoom if v not in c.hookmock]
            out["removed"] = [v for v in c.hookmock if v not in c.zoom]
        return {**out, "decision": c.decision}

    return {
        "document": diff.document,
        "cited_as": diff.cited_as,
        "events_in_document": diff.events_in_document,
        "drift": diff.drift,
        "note": diff.note,
        "summary": _counts(diff),
        "events": [
            {
                "event": e.event,
                "status": e.status,
                "method": e.method,
                "drift": e.drift,
                "error": e.error,
                "changes": [change(c) for c in e.changes],
            }
            for e in diff.events
        ],
    }


# -- the command -----------------------------------------------------------------------------


def add_schema_diff_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``hookmock schema-diff`` with the command's sub-parsers."""
    parser = sub.add_parser(
        "schema-diff",
        help="compare hookmock's schemas with a newer Zoom OpenAPI webhooks document",
        description="List the events and fields that Zoom's document adds, removes or changes "
        "(type, format, enum values, required) against hookmock's schemas. Exit 0 when nothing "
        "differs but hookmock's recorded decisions, 1 when something does, 2 for usage errors.",
    )
    parser.add_argument("file", help="Zoom's webhooks document, e.g. users.webhooks.json")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--as",
        dest="cited_as",
        metavar="NAME",
        help="the file name hookmock's schemas cite for this document (default: FILE's name), "
        "e.g. users.webhooks.json for Zoom's download, which is called webhooks.json; "
        "events that cite it and are missing from FILE are reported removed",
    )


def schema_diff_command(args: argparse.Namespace, out: TextIO) -> int:
    """Run ``hookmock schema-diff``; return 0 when nothing drifts, 1 when something does.

    :raises WebhooksDocumentError: when the file is not a webhooks document (exit status 2).
    """
    document = read_document(args.file)
    try:
        diff = diff_document(document, args.file, cited_as=args.cited_as)
    except RecursionError:
        # $refs can expand a shallow document into a deep one.
        raise WebhooksDocumentError(
            f"{args.file!r}: its schemas, with their $refs followed, nest more than "
            f"{MAX_DEPTH} levels deep; schema-diff reads Zoom's documents, which nest fewer than 30"
        ) from None
    if args.json:
        out.write(json.dumps(to_dict(diff), indent=2, ensure_ascii=False) + "\n")
    else:
        out.write(render_text(diff))
    return EXIT_DIFFERENT if diff.drift else EXIT_SAME
