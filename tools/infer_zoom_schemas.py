"""Infer hookmock's schemas for the Zoom events that have no published schema.

``python tools/infer_zoom_schemas.py`` writes ``schemas/zoom/<event>.json`` for every event of
``reference/zoom/event-catalog.json`` that none of Zoom's OpenAPI documents describe (Zoom Phone,
Contact Center, the TSP user events ...), except the meeting, webinar and recording families and
hand-written files. ``--check`` writes nothing, names every stale file and exits 1 if there is
one.

Most such events have an example body in ``reference/zoom/zoomnet-sample-webhooks/`` (ZoomNet's
copies of Zoom's documented examples). The schema is inferred from it (``"method": "inferred"``):

- types from the values (a ``null`` may be a string or ``null``); ``date-time``, ``date``,
  ``email`` and ``uri`` formats from how a value looks; ``x-hookmock-fake`` kinds from names and
  values (see ``zoom_kinds.py``: phone numbers, extensions, ids of the right shape ...);
  a short token or an integer without a kind kept in ``examples`` for hookmock to draw from;
- property order from the example, which is the byte order of generated bodies;
- ``required``: what the example has at the envelope and payload level, nothing deeper (one
  example does not show which deeper fields Zoom always sends);
- arrays: the item schema merges every element (properties in order of first appearance);
  an empty array says nothing about its items, so it gets none;
- the envelope: ``event`` a ``const``, ``event_ts`` integer Unix milliseconds.

The examples are read leniently: ``//`` comments are stripped and a doubled escape repaired, and
the schema's ``$comment`` says so. An event with neither a schema nor a readable example gets a
minimal schema from ZOOM.md §6 (``"method": "minimal"``: ``payload.account_id`` and an
open ``payload.object``), and its ``$comment`` says there was no published structure.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from zoom_common import (
    EVENT_TS,
    REFERENCE,
    Schema,
    catalog,
    documents,
    head,
    lenient_json,
    merge_orders,
    ours,
)
from zoom_common import run as run_tool
from zoom_kinds import annotate, kind_for, shape_of

SAMPLES = REFERENCE / "zoomnet-sample-webhooks"
SAMPLE_PREFIX = "reference/zoom/zoomnet-sample-webhooks/"
FORMATS = {"datetime": "date-time", "datetime_ms": "date-time", "date": "date"}
FORMATS |= {"email": "email", "url": "uri", "join_url": "uri", "download_url": "uri"}
NULL: Schema = {"type": ["string", "null"]}
NAMES = {bool: "boolean", int: "integer", float: "number", str: "string", type(None): "null"}
HOW = {
    "comments stripped": "ZoomNet's example carries // comments; read with them stripped.",
    "escapes repaired": "ZoomNet's example is not strict JSON (a broken escape); read after "
    "repairing it.",
}
MINIMAL = (
    "No published structure: Zoom's typings name this event, but no schema or example shows "
    "its body. This follows ZOOM.md §6 and accepts any object."
)


def infer(value: Any, name: str, parent: str, depth: int) -> Schema:
    """A schema for one example *value* of the property *name* (inside *parent*)."""
    if isinstance(value, dict):
        properties = {key: infer(sub, key, name, depth + 1) for key, sub in value.items()}
        required = {"required": list(value)} if depth <= 1 and value else {}
        return {"type": "object", **required, "properties": properties}
    if isinstance(value, list):
        items = [infer(item, name, parent, depth + 1) for item in value]
        for item in items[1:]:
            items[0] = merge(items[0], item)
        return {"type": "array", **({"items": items[0]} if items else {})}
    if value is None:  # a null says nothing of the type when the field has a value
        return dict(NULL)
    node: Schema = {"type": NAMES[type(value)]}
    kind = kind_for(name, node["type"], None, value, parent)
    fmt = FORMATS.get(shape_of(value) or "") if isinstance(value, str) and value else None
    if fmt is not None and fmt == FORMATS.get(kind or ""):  # "caller_name": "x@y.com" is no email
        node["format"] = fmt
    annotate(node, kind, value)
    return node


def merge(a: Schema, b: Schema) -> Schema:
    """One schema for two elements of a list: objects share properties, other types widen."""
    if a == b:
        return a
    if a.get("type") == b.get("type") == "object":
        order = merge_orders([list(a["properties"]), list(b["properties"])])
        both = a["properties"], b["properties"]
        props = {
            key: merge(both[0][key], both[1][key]) if key in both[0] and key in both[1]
            else both[0].get(key) or both[1][key]
            for key in order
        }  # fmt: skip
        required = [r for r in a.get("required", []) if r in b.get("required", [])]
        return {
            "type": "object",
            **({"required": required} if required else {}),
            "properties": props,
        }
    if a.get("type") == b.get("type") == "array":
        items = [s for s in (a.get("items"), b.get("items")) if s is not None]
        merged = merge(items[0], items[-1]) if items else None
        return {"type": "array", **({"items": merged} if merged is not None else {})}
    if a.get("type") == b.get("type"):
        keep = {k: v for k, v in a.items() if k in b and b[k] == v}
        examples = list(dict.fromkeys([*a.get("examples", []), *b.get("examples", [])]))
        return {**keep, **({"examples": examples} if "examples" in a and "examples" in b else {})}
    if NULL in (a, b):  # a value in one element, null in another: that value's schema, or null
        other = b if a == NULL else a
        return {**other, "type": [other["type"], "null"]} if isinstance(other["type"], str) else a
    if {a.get("type"), b.get("type")} == {"integer", "number"}:
        return {"type": "number"}
    types = [t for s in (a, b) for t in ([s["type"]] if isinstance(s["type"], str) else s["type"])]
    return {"type": list(dict.fromkeys(types))}


def envelope(event: str, body: dict[str, Any]) -> Schema:
    """The inferred schema of a whole body, with hookmock's ``event`` and ``event_ts``."""
    schema = infer(body, "", "", 0)
    schema["properties"]["event"] = {"type": "string", "const": event}
    if body.get("event") != event:
        schema["properties"]["event"]["$comment"] = (
            f"The catalog's name (ZoomNet's file name); the example says {body.get('event')!r}."
        )
    if "event_ts" in schema["properties"]:
        schema["properties"]["event_ts"] = EVENT_TS
    return schema


def minimal(event: str) -> Schema:
    """A schema from ZOOM.md §6 alone: the usual payload, with an open object."""
    payload: Schema = {
        "type": "object",
        "required": ["account_id", "object"],
        "properties": {
            "account_id": {"type": "string", "x-hookmock-fake": "zoom_id"},
            "object": {"type": "object"},
        },
    }
    properties = {"event": {"type": "string", "const": event}, "payload": payload}
    body: Schema = {"type": "object", "required": ["event", "payload", "event_ts"]}
    body["properties"] = {**properties, "event_ts": EVENT_TS}
    based_on = ["ZOOM.md §6", "reference/zoom/event-catalog.json"]
    return {**head(event, "minimal", based_on, MINIMAL), **body}


def schema_for(event: str) -> Schema:
    path = SAMPLES / f"{event}.json"
    if not path.is_file():
        return minimal(event)
    try:
        body, how = lenient_json(path.read_text(encoding="utf-8"))
    except ValueError as error:
        print(f"{event}: {path.name} {error}; writing a minimal schema", file=sys.stderr)
        return minimal(event)
    if not isinstance(body, dict):
        return minimal(event)
    return {**head(event, "inferred", [SAMPLE_PREFIX + path.name], HOW.get(how)),
            **envelope(event, body)}  # fmt: skip


def build() -> dict[str, Schema]:
    """Every inferred (or minimal) schema, by event name."""
    published = documents()
    return {
        event: schema_for(event)
        for event in sorted(catalog())
        if event not in published and ours(event)
    }


def main(argv: list[str] | None = None) -> int:
    return run_tool(
        argv,
        build,
        methods={"inferred", "minimal"},
        script=Path(__file__).name,
        doc=__doc__ or "",
    )


if __name__ == "__main__":
    sys.exit(main())
