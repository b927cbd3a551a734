"""Zoom's own data about its webhooks, for tests: official schemas and documented examples.

The known-answer signature vectors are part of the repository (``tests/data``, with their
licence): :func:`signature_vectors` always has them. The rest is optional. The reference folder
is ``shared/reference/zoom`` beside the project's folder unless ``HOOKMOCK_ZOOM_REFERENCE`` names
another. :data:`AVAILABLE` is false when it is missing: tests
that need it skip, unless ``HOOKMOCK_REQUIRE_REFERENCE`` is set (CI sets it), which makes a
missing folder an error.

- :func:`official_schema` returns Zoom's JSON Schema for an event where Zoom publishes one: from
  the OpenAPI ``webhooks.json`` documents, read by :mod:`hookmock.providers.zoom.spec` as the
  converter reads them (their ``#/paths/`` references rewritten to ``#/webhooks/`` and then
  inlined, so the returned schema is self-contained) or from the Meetings schemas copied by
  pyattender.
- :func:`examples` returns every strict-JSON example body Zoom or ZoomNet publishes for an event,
  plus the real captured bodies in the signature test vectors.
"""

from __future__ import annotations

import copy
import functools
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from hookmock.providers.zoom.spec import body_of, inline, parse_document

_BESIDE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "zoom"
REFERENCE = Path(os.environ.get("HOOKMOCK_ZOOM_REFERENCE", _BESIDE))
AVAILABLE = (REFERENCE / "openapi").is_dir()
#: The known-answer signature vectors, kept in the repository (see tests/data/README.md).
VECTORS = Path(__file__).resolve().parent / "data" / "zoom-signature-vectors.json"
if not AVAILABLE and os.environ.get("HOOKMOCK_REQUIRE_REFERENCE"):
    raise RuntimeError(
        f"Zoom reference data not found at {REFERENCE}: put shared/ beside the project, "
        "set HOOKMOCK_ZOOM_REFERENCE to the folder, or unset HOOKMOCK_REQUIRE_REFERENCE to "
        "skip the tests that need it"
    )
PYATTENDER = "meetings-partial-schemas.from-pyattender.json"


def signature_vectors() -> list[dict[str, Any]]:
    """The known-answer signature vectors (two: a URL validation and a real ``meeting.started``)."""
    vectors: list[dict[str, Any]] = json.loads(VECTORS.read_text(encoding="utf-8"))["vectors"]
    return vectors


#: Marks a test that reads the reference data.
needs_reference = pytest.mark.skipif(
    not AVAILABLE, reason=f"Zoom reference data not found at {REFERENCE}"
)

Json = dict[str, Any]


@functools.cache
def _openapi() -> dict[str, tuple[str, Json]]:
    """``{event: (product, document)}`` for every event in the OpenAPI documents."""
    found: dict[str, tuple[str, Json]] = {}
    for path in sorted((REFERENCE / "openapi").glob("*.webhooks.json")):
        document = parse_document(path.read_text(encoding="utf-8"))
        product = path.name.removesuffix(".webhooks.json")
        for name in document.get("webhooks", {}):
            found[name] = (product, document)
    return found


@functools.cache
def _official(event: str) -> Json | None:
    if event in _openapi():
        _, document = _openapi()[event]
        schema = inline(body_of(document, event)["schema"], document)
    else:
        pyattender = json.loads((REFERENCE / PYATTENDER).read_text(encoding="utf-8"))
        if event not in pyattender:
            return None
        schema = pyattender[event]["schema"]
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def official_schema(event: str) -> Json | None:
    """Zoom's JSON Schema for the whole body of *event*, self-contained; None if unpublished."""
    schema = _official(event)
    return copy.deepcopy(schema) if schema is not None else None


def official_validator(event: str) -> Draft202012Validator | None:
    """A format-checking validator for Zoom's schema of *event* with its invalid type names read
    as Zoom meant them, or None (also when the reference data is missing)."""
    schema = _official(event) if AVAILABLE else None
    if schema is None:
        return None
    schema = _with_real_fields(_as_zoom_meant(schema))
    envelope = schema.get("properties", {})
    if "event_ts" in envelope and envelope["event_ts"].get("type") != "integer":
        # Real deliveries of every event send event_ts as a number (ZOOM.md §8), whatever a
        # schema says; hookmock sends that (schemas/zoom/_SOURCES.md).
        envelope["event_ts"] = {"anyOf": [envelope["event_ts"], {"type": "integer"}]}
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


#: Fields real deliveries carry that Zoom's published schemas do not declare (ZOOM.md §8), and
#: the field beside which each sits: Zoom's "additionalProperties: false" is behind its traffic.
REAL_FIELDS = {
    "host_email": "host_id",
    "public_ip": "user_name",
    "private_ip": "user_name",
    "encryption_fingerprint": "file_type",
}


def _with_real_fields(node: Any) -> Any:
    """Zoom's schema, with the fields of :data:`REAL_FIELDS` allowed beside their neighbours."""
    if isinstance(node, list):
        return [_with_real_fields(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _with_real_fields(value) for key, value in node.items()}
    properties = out.get("properties")
    if isinstance(properties, dict) and "participant_uuid" in properties:
        # A guest, not signed in, has these empty in real deliveries (ZOOM.md §6, §8).
        for name in ("email", "id", "registrant_id", "participant_user_id"):
            if name in properties:
                properties[name] = {"anyOf": [properties[name], {"const": ""}]}
    if out.get("additionalProperties") is False and isinstance(properties, dict):
        for name, beside in REAL_FIELDS.items():
            if beside in properties and name not in properties:
                properties[name] = {"type": "string"}
    return out


def _as_zoom_meant(node: Any) -> Any:
    """Zoom's schema with its invalid type names (``long``, ``"enum, a┃b"``) read as the
    converter reads them."""
    # Not zoomspec.fix_type: that one also adds the enum and format the converter writes, fixes
    # formats and bounds, and rejects what it does not know; the official validator stays Zoom's.
    if isinstance(node, list):
        return [_as_zoom_meant(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _as_zoom_meant(value) for key, value in node.items()}
    if out.get("type") == "long":
        out["type"] = "integer"
    elif isinstance(out.get("type"), str) and out["type"].startswith("enum,"):
        out["type"] = "string"
    return out


#: Events whose Zoom schema no event can meet: it requires a property it does not declare, and
#: forbids undeclared ones. hookmock's schema follows the example.
UNSATISFIABLE = {
    "information_barriers.policy_updated": "requires id, undeclared",
    "team_chat.app_mention": "requires date_time and timestamp, declared inside rich_text",
    "team_chat.channel_app_added": "requires members; declares app_members",
    "team_chat.channel_app_removed": "requires members; declares app_members",
    "team_chat.channel_invitation_created": "requires the inviters' email; declares user_email",
    "team_chat.channel_invitation_rejected": "requires the inviters' user_id; declares id",
    "team_chat.channel_join_requested": "requires type, undeclared",
}


def _strict_json(text: str) -> Json | None:
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return None  # Zoom's docs sometimes carry // comments
    return value if isinstance(value, dict) else None


@functools.cache
def _examples(event: str) -> tuple[tuple[str, str], ...]:
    texts: list[tuple[str, str]] = []
    sample = REFERENCE / "zoomnet-sample-webhooks" / f"{event}.json"
    if sample.is_file():
        texts.append((f"zoomnet:{event}", sample.read_text(encoding="utf-8")))
    if event in _openapi():
        product, document = _openapi()[event]
        for key, example in body_of(document, event).get("examples", {}).items():
            texts.append((f"openapi:{product}:{event}:{key}", example["value"]))
    vectors = json.loads((REFERENCE / "signature-test-vectors.json").read_text(encoding="utf-8"))
    for vector in vectors["vectors"]:
        texts.append((f"capture:{vector['name']}", vector["body_utf8"]))
    docs_crc = vectors["zoom_docs_crc_example"]["request_body_example"]
    texts.append(("zoomdocs:crc-request", json.dumps(docs_crc)))
    return tuple(
        (label, text)
        for label, text in texts
        if label.startswith(("zoomnet:", "openapi:"))
        or (_strict_json(text) or {}).get("event") == event
    )


def examples(event: str) -> list[tuple[str, Json]]:
    """``(source label, parsed body)`` for every strict-JSON example of *event*.

    Labels: ``zoomnet:<event>`` (ZoomNet sample), ``openapi:<product>:<event>:<key>`` (Zoom's
    OpenAPI example), ``capture:<vector name>`` (a real delivery from the signature test vectors),
    ``zoomdocs:crc-request`` (the url_validation body on Zoom's webhook docs page).
    """
    found = []
    for label, text in _examples(event):
        body = _strict_json(text)
        if body is not None:
            found.append((label, body))
    return found


def assert_example_verdict(
    schema: dict[str, Any], label: str, body: Any, expected_failures: dict[str, str]
) -> None:
    """*body* (Zoom's example *label*) validates against *schema*, or, when *expected_failures*
    lists it (reason ``"at path, path: why"``), fails at exactly those paths."""
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = list(validator.iter_errors(body))
    paths = {".".join(map(str, error.absolute_path)) for error in errors}
    if label not in expected_failures:
        assert not errors, "\n".join(f"{e.json_path}: {e.message}" for e in errors)
        return
    reason = expected_failures[label]
    expected = set(reason.removeprefix("at ").split(": ", 1)[0].split(", "))
    assert errors, f"{label} now validates; remove it from the expected failures"
    assert paths == expected, f"{label} fails at {sorted(paths)}, not only at {sorted(expected)}"


def key_order_problems(schema: dict[str, Any], value: Any, path: str) -> Iterator[str]:
    """Where *value* (an example) orders declared keys differently from the schema."""
    if "anyOf" in schema:
        branches = [b for b in schema["anyOf"] if Draft202012Validator(b).is_valid(value)]
        schema = branches[0] if branches else schema["anyOf"][0]
    if isinstance(value, dict) and "properties" in schema:
        declared = list(schema["properties"])
        seen = [key for key in value if key in schema["properties"]]
        if seen != sorted(seen, key=declared.index):
            yield f"{path}: example order {seen}, schema order {declared}"
        for key in seen:
            yield from key_order_problems(schema["properties"][key], value[key], f"{path}.{key}")
    elif isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            yield from key_order_problems(schema["items"], item, f"{path}[{i}]")
