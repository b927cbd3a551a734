"""Reading Zoom's OpenAPI 3.1 webhook documents as hookmock reads them.

One implementation, shared by ``tools/convert_zoom_openapi.py`` (which writes the converted
schemas of ``schemas/zoom/``) and ``hookmock schema-diff`` (which compares those schemas with a
newer document): where an event's body schema is, Zoom's ``$ref`` quirk, and Zoom's invalid type
names, misspelt keywords and misplaced property schemas, read as Zoom meant them. Everything
here is pure: no files, no network.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = [
    "FORMATS",
    "KEYWORDS",
    "PROSE",
    "TYPES",
    "Schema",
    "body_of",
    "fix_keywords",
    "fix_type",
    "hoist",
    "inline",
    "parse_document",
    "strays",
]

Schema = dict[str, Any]

#: Keywords whose values are words for people, not structure: the converter drops them.
PROSE = {"description", "title", "summary", "example", "examples", "x-enum-descriptions"}
PROSE |= {"x-enum", "$schema", "readOnly", "default", "components"}
#: The keywords a converted schema may have, in the order the converter writes them.
KEYWORDS = ["$comment", "type", "format", "enum", "const", "minimum", "maximum", "minLength"]
KEYWORDS += ["maxLength", "pattern", "deprecated", "required", "properties", "items", "minItems"]
KEYWORDS += ["maxItems", "additionalProperties", "anyOf", "oneOf", "allOf", "x-hookmock-fake"]
KEYWORDS += ["examples", "x-hookmock-skip", "x-hookmock-pick"]
#: Zoom's format names that JSON Schema spells otherwise.
FORMATS = {"datetime": "date-time", "url": "uri", "int": "int32"}
#: The JSON Schema type of a Python value parsed from JSON.
TYPES: dict[type, str] = {bool: "boolean", int: "integer", float: "number", str: "string"}
TYPES |= {list: "array", dict: "object", type(None): "null"}


def parse_document(text: str) -> Schema:
    """A Zoom webhooks document from its text, with its ``$ref``s pointing where the keys are.

    :raises ValueError: when *text* is not JSON (``json.JSONDecodeError``).
    """
    # Zoom's $refs say #/paths/... but the keys are under webhooks (reference README, quirks).
    document: Schema = json.loads(text.replace('"#/paths/', '"#/webhooks/'))
    return document


def body_of(document: Schema, event: str) -> Schema:
    """The ``requestBody`` content of *event*: its ``schema`` and ``examples``."""
    content: Schema = document["webhooks"][event]["post"]["requestBody"]["content"]
    return content["application/json"]  # type: ignore[no-any-return]


def inline(node: Any, document: Schema, trail: tuple[str, ...] = ()) -> Any:
    """A copy of *node* with every local ``$ref`` replaced by what it points at."""
    if isinstance(node, list):
        return [inline(item, document, trail) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        ref = node["$ref"]
        if not ref.startswith("#/") or ref in trail:
            raise ValueError(f"cannot inline $ref {ref!r}: not local, or recursive")
        target: Any = document
        for part in ref[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        rest = {k: v for k, v in node.items() if k != "$ref"}
        return {**inline(target, document, (*trail, ref)), **inline(rest, document, trail)}
    return {key: inline(value, document, trail) for key, value in node.items()}


def fix_type(node: Schema, where: str) -> None:
    """Zoom's invalid type names, as Zoom meant them."""
    typ = node.get("type")
    if typ == "long":
        node["type"] = "integer"
        node.setdefault("format", "int64")
    elif isinstance(typ, str) and typ.startswith("enum,"):
        node["type"] = "string"
        node.setdefault("enum", [v.strip() for v in typ.removeprefix("enum,").split("┃")])
    elif typ not in (None, "string", "integer", "number", "boolean", "object", "array", "null"):
        raise ValueError(f"{where}: unknown type {typ!r}")
    if node.get("format") in FORMATS:
        node["format"] = FORMATS[node["format"]]
    for bound in ("minimum", "maximum"):
        if isinstance(node.get(bound), str):
            if node.get("type") in ("integer", "number"):
                node[bound] = float(node[bound]) if "." in node[bound] else int(node[bound])
            else:
                del node[bound]


def fix_keywords(node: Schema, where: str) -> Schema:
    """Zoom's misspelt keywords and misplaced property schemas, put right."""
    node = dict(node)
    if "require" in node:
        node["required"] = [*node.get("required", []), *node.pop("require")]
    if "property" in node:
        node["additionalProperties"] = node.pop("property")
    unknown = [k for k in node if k not in KEYWORDS and k not in PROSE and not k.startswith("$")]
    if unknown:
        raise ValueError(f"{where}: unknown keywords {unknown}")
    wrapped = node.get("properties")
    if isinstance(wrapped, dict) and list(wrapped) == [""] and isinstance(wrapped[""], dict):
        # A property named "" holding the object's real properties (interactive_message_editable's
        # body items): Zoom's example has them in the object itself.
        inner = wrapped[""]
        node["properties"] = inner.get("properties", {})
        if inner.get("required"):
            node["required"] = [*node.get("required", []), *inner["required"]]
    if isinstance(node.get("properties"), dict):
        node["properties"] = hoist(node["properties"])
    if "example" in node and not {"type", "enum", "const", "properties", "anyOf", "oneOf"} & set(
        node
    ):  # only the example says what the value is
        node["type"] = TYPES[type(node["example"])]
    if "required" in node:
        node["required"] = list(dict.fromkeys(node["required"]))
    if node.get("additionalProperties") is False:
        del node["additionalProperties"]
    fix_type(node, where)
    return node


def strays(node: Any) -> dict[str, Schema]:
    """Property schemas Zoom wrote beside a node's keywords (``app_link.app_scopes``)."""
    if not isinstance(node, dict):
        return {}
    return {
        k: v for k, v in node.items()
        if k not in KEYWORDS and k not in PROSE and isinstance(v, dict) and "type" in v
    }  # fmt: skip


def hoist(properties: dict[str, Any]) -> dict[str, Any]:
    """*properties* with each property's stray siblings moved up beside it (its parent's
    properties are where Zoom's examples have them), and without keywords written as
    properties (``"type": "object"``, ``"additionalProperties": false``)."""
    out: dict[str, Any] = {}
    for key, sub in properties.items():
        if not isinstance(sub, dict):
            continue
        moved = strays(sub)
        out[key] = {k: v for k, v in sub.items() if k not in moved}
        out.update(moved)
    return out
