"""hookmock's hand-written Zoom schemas: up to date, well formed, complete for the meeting,
webinar and recording families, and true to Zoom's own schemas and examples."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from hookmock.providers.zoom.coherence import GENERATION

from . import zoom_reference

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas" / "zoom"

FAMILIES = ("meeting", "webinar", "recording")


def _hand_written() -> tuple[str, ...]:
    """Events whose schema is hand-written (built by tools/build_zoom_schemas.py); other schemas
    in the folder are converted from Zoom's OpenAPI documents and tested in test_catalog.py."""
    names = []
    for path in sorted(SCHEMAS.glob("*.json")):
        source = json.loads(path.read_text(encoding="utf-8")).get("x-hookmock-source", {})
        if source.get("method") == "hand-written":
            names.append(path.stem)
    return tuple(names)


EVENTS = _hand_written()
WITH_DOWNLOAD_TOKEN = (
    "recording.completed",
    "recording.transcript_completed",
    "recording.trashed",
    "recording.recovered",
    "recording.archive_files_completed",
)
ENVELOPES = {
    "endpoint.url_validation": ["payload", "event_ts", "event"],
    "app_deauthorized": ["event", "payload"],
    **{name: ["event", "download_token", "payload", "event_ts"] for name in WITH_DOWNLOAD_TOKEN},
    "meeting.participant_joined": ["payload", "event_ts", "event"],
    "meeting.participant_left": ["payload", "event_ts", "event"],
    "recording.completed": ["payload", "event_ts", "event", "download_token"],
}

# The key orders of real deliveries (ZOOM.md §8): per event, per path ("" the top level), the
# keys in the order they arrived. Fields a capture lacks may sit anywhere between them.
_IN_ROOM = "uuid participant id type topic host_id duration start_time timezone"
_RECORDING = "uuid id host_id topic type start_time timezone duration recording_file"
CAPTURED_ORDERS: dict[str, dict[str, str]] = {
    "meeting.started": {
        "": "event payload event_ts",
        "payload.object": "duration start_time timezone topic id type uuid host_id host_email",
    },
    "meeting.ended": {
        "": "event payload event_ts",
        "payload.object": "duration start_time timezone end_time topic id type uuid host_id"
        " host_email",
    },
    "meeting.participant_joined": {
        "": "payload event_ts event",
        "payload.object": _IN_ROOM,
        "payload.object.participant": "customer_key public_ip user_id user_name"
        " participant_user_id id join_time email participant_uuid",
    },
    "meeting.participant_left": {
        "": "payload event_ts event",
        "payload.object": _IN_ROOM,
        "payload.object.participant": "customer_key leave_time public_ip user_id user_name"
        " registrant_id participant_user_id id leave_reason email private_ip participant_uuid",
    },
    "recording.started": {"": "event payload event_ts", "payload.object": _RECORDING},
    "recording.stopped": {"": "event payload event_ts", "payload.object": _RECORDING},
    "recording.completed": {
        "": "payload event_ts event download_token",
        "payload.object": "uuid id account_id host_id topic type start_time timezone host_email"
        " duration total_size recording_count share_url recording_files password"
        " recording_play_passcode on_prem",
        "payload.object.recording_files[]": "id meeting_id recording_start recording_end"
        " file_type file_extension file_size play_url download_url status recording_type",
    },
}

# Examples that hookmock's schemas reject on purpose: "at <path>[, <path>]: why". Each must fail,
# and only at the paths named.
_USER_TYPE = "at payload.object.type: Zoom's schema allows user types 1 and 2; the example has 3"
_LOGIN_TYPE = (
    "at payload.object.login_type: an integer in Zoom's schema; the example has the string '100'"
)
_INTEGER_ID = (
    "at payload.object.id: the meeting id is a string in in-meeting events (ZOOM.md §6, Zoom's "
    "schema, a real 2024 delivery); this example has an integer"
)
EXPECTED_EXAMPLE_FAILURES = {
    "zoomnet:meeting.started": _INTEGER_ID,
    "zoomnet:meeting.sharing_started": _INTEGER_ID,
    "zoomnet:meeting.alert": (
        "at payload.object.id: a string in rivet's type of meeting.alert, as in the other "
        "in-meeting events (ZOOM.md §6) and in Zoom's webinar.alert example; this one has an "
        "integer"
    ),
    "zoomnet:user.created": _USER_TYPE,
    "openapi:users:user.created:json-example": _USER_TYPE,
    "zoomnet:user.activated": _USER_TYPE,
    "openapi:users:user.activated:json-example": _USER_TYPE,
    "zoomnet:user.deactivated": _USER_TYPE,
    "openapi:users:user.deactivated:json-example": _USER_TYPE,
    "zoomnet:user.signed_in": _LOGIN_TYPE,
    "openapi:users:user.signed_in:json-example": _LOGIN_TYPE,
    "zoomnet:user.signed_out": _LOGIN_TYPE,
    "openapi:users:user.signed_out:json-example": _LOGIN_TYPE,
    **dict.fromkeys(
        ("zoomnet:app_deauthorized", "openapi:marketplace:app_deauthorized:json-example"),
        "at payload.event_ts: a number (Unix ms) in Zoom's schema; the example has the string "
        "'2024-09-08 15:58:40'",
    ),
}

# One value per x-hookmock-fake kind, to build a body that fills every declared property.
KIND_SAMPLES: dict[str, Any] = {
    "zoom_id": "x1yCzABCDEfg23HiJKl4mN",
    "meeting_uuid": "4444AAAiAAAAAiAiAiiAii==",
    "meeting_number": 85393847045,
    "pmi": 5551234567,
    "uuid": "ed6c2f27-2ae7-42f4-b3d0-835b493e4fa8",
    "participant_uuid": "364B3A17-05C0-6B63-F4FA-2180DCC26971",
    "sha256_hex": "5d41402abc4b2a76b9719d911017c592" * 2,
    "jwt": "eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJ3ZWIifQ.c2lnbmF0dXJl",
    "email": "jill.chill@example.com",
    "name": "Jill Chill",
    "first_name": "Jill",
    "last_name": "Chill",
    "company": "Example Inc.",
    "job_title": "Chef",
    "phone_number": "15550100123",
    "ipv4": "203.0.113.7",
    "city": "Mountain View",
    "country_code": "US",
    "language": "en-US",
    "timezone": "America/New_York",
    "topic": "Q3 review",
    "text": "Looking forward to it.",
    "password": "Pa55word",
    "token": "abJhbGciOiJIUzUxMiJ9abJhbGciOiJI",
    "plain_token": "qgg8vlvZRS6UYooatFL8Aw",
    "join_url": "https://us05web.zoom.us/j/85393847045?pwd=abc",
    "start_url": "https://us05web.zoom.us/s/85393847045?zak=abc",
    "share_url": "https://us05web.zoom.us/rec/share/abc",
    "play_url": "https://us05web.zoom.us/rec/play/abc",
    "download_url": "https://us05web.zoom.us/rec/download/abc",
    "url": "https://example.com/abc",
    "datetime": "2024-07-11T14:12:55Z",
    "date": "2024-08-10",
    "event_ts": 1720707175904,
    "leave_reason": "Jill Chill left the meeting.<br>Reason: Host ended the meeting.",
    "file_size": 246560,
    "duration": 60,
    "count": 2,
    "version": "6.1.0 (41000)",
    "device": "Mac",
    "pin": "123456",
    "domain": "example.com",
    "department": "Sales",
    "label": "Main Queue",
}


def schema_of(event: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((SCHEMAS / f"{event}.json").read_text(encoding="utf-8"))
    return schema


def validator(schema: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def walk(node: Any, path: str = "$", generated: bool = True) -> Iterator[tuple[str, Any, bool]]:
    """Every schema node with its path; ``generated`` is false off the first anyOf branch."""
    if isinstance(node, list):
        for i, item in enumerate(node):
            yield from walk(item, f"{path}[{i}]", generated)
        return
    if not isinstance(node, dict):
        return
    yield path, node, generated
    for key, value in node.items():
        if key in ("anyOf", "oneOf"):
            for i, branch in enumerate(value):
                yield from walk(branch, f"{path}.{key}[{i}]", generated and i == 0)
        elif key in ("properties", "$defs"):
            for name, sub in value.items():
                yield from walk(sub, f"{path}.{name}", generated)
        elif key == "items":
            yield from walk(value, f"{path}[]", generated)


def fill(node: dict[str, Any], path: str = "$") -> Any:
    """A body with every declared property, taking the first anyOf branch (as hookmock does)."""
    if "const" in node:
        return node["const"]
    if "enum" in node:
        return node["enum"][0]
    if "anyOf" in node:
        return fill(node["anyOf"][0], path)
    typ = node.get("type")
    kind: str | None = node.get("x-hookmock-fake")
    if typ == "object":
        return {key: fill(sub, f"{path}.{key}") for key, sub in node["properties"].items()}
    if typ == "array":
        return [fill(node["items"], f"{path}[]") for _ in range(max(1, node["minItems"]))]
    if typ == "boolean":
        return True
    if typ in ("integer", "number"):
        return int(KIND_SAMPLES[kind]) if kind else node["minimum"]
    assert typ == "string", f"{path}: unexpected type {typ!r}"
    assert kind is not None, f"{path}: a string leaf without an x-hookmock-fake kind"
    return str(KIND_SAMPLES[kind])


def example_cases() -> list[Any]:
    if not zoom_reference.AVAILABLE:
        return []
    return [
        pytest.param(event, label, body, id=label)
        for event in EVENTS
        for label, body in zoom_reference.examples(event)
    ]


needs_reference = pytest.mark.skipif(
    not zoom_reference.AVAILABLE,
    reason=f"Zoom reference data not found at {zoom_reference.REFERENCE}",
)


@needs_reference
def test_schema_files_are_built_by_the_script() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_zoom_schemas.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@functools.cache
def catalog() -> dict[str, list[str]]:
    """Zoom's event names, each with the sources that have it (reference/zoom/README.md §5)."""
    path = zoom_reference.REFERENCE / "event-catalog.json"
    events: dict[str, list[str]] = json.loads(path.read_text(encoding="utf-8"))["events"]
    return events


@needs_reference
def test_every_meeting_webinar_and_recording_event_has_a_hand_written_schema() -> None:
    wanted = {name for name in catalog() if name.split(".")[0] in FAMILIES}
    written = {name for name in EVENTS if name.split(".")[0] in FAMILIES}
    assert sorted(wanted - written) == [], "events of the catalog without a hand-written schema"
    assert sorted(written - wanted) == [], "hand-written schemas of events not in the catalog"


# How a source of the event catalog shows in a schema's x-hookmock-source.based_on.
RIVET = "@zoom/rivet meetings/meetings.d.ts (zoom/rivet-javascript@7309ea3)"
PYATTENDER = "reference/zoom/" + zoom_reference.PYATTENDER


def expected_sources(event: str, listed: list[str]) -> set[str]:
    out = set()
    for source in listed:
        if source == "rivet:meetings":
            out.add(RIVET)
        elif source.startswith("zoom-openapi:"):
            out.add(f"reference/zoom/openapi/{source.split(':')[1]}.webhooks.json")
        elif source == "zoomnet-sample":
            out.add(f"reference/zoom/zoomnet-sample-webhooks/{event}.json")
        elif source == "pyattender-schema":
            out.add(PYATTENDER)
    return out


@needs_reference
@pytest.mark.parametrize("event", [e for e in EVENTS if e.split(".")[0] in FAMILIES])
def test_schema_names_the_sources_the_catalog_lists(event: str) -> None:
    """based_on names each source that has the event, and no reference file it does not use."""
    based_on = schema_of(event)["x-hookmock-source"]["based_on"]
    expected = expected_sources(event, catalog()[event])
    if event == "meeting.started":  # its key order is a real delivery's
        expected.add("reference/zoom/signature-test-vectors.json")
    claimed = {s for s in based_on if s.startswith("reference/") or s == RIVET}
    assert claimed == expected
    shared = zoom_reference.REFERENCE.parent.parent  # based_on paths start at reference/
    missing = [s for s in claimed - {RIVET} if not (shared / s).is_file()]
    assert missing == [], "based_on names files the reference folder does not have"


@pytest.mark.parametrize("event", EVENTS)
def test_schema_is_well_formed(event: str) -> None:
    schema = schema_of(event)
    Draft202012Validator.check_schema(schema)
    assert list(schema)[:5] == ["$schema", "$id", "title", "description", "x-hookmock-source"]
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"https://hookmock.dev/schemas/zoom/{event}.json"
    assert schema["title"] == event
    assert schema["x-hookmock-source"]["method"] == "hand-written"
    assert schema["x-hookmock-source"]["based_on"]
    envelope = ENVELOPES.get(event, ["event", "payload", "event_ts"])
    assert list(schema["properties"]) == envelope
    assert schema["properties"]["event"] == {"type": "string", "const": event}


@pytest.mark.parametrize("event", EVENTS)
def test_schema_follows_the_generator_conventions(event: str) -> None:
    problems = []
    for path, node, generated in walk(schema_of(event)):
        kind = node.get("x-hookmock-fake")
        if kind is not None and kind not in GENERATION.kinds:
            problems.append(f"{path}: unknown x-hookmock-fake {kind!r}")
        if node.get("additionalProperties") is False:
            problems.append(f"{path}: additionalProperties false (Zoom adds fields)")
        if not str(node.get("$ref", "#")).startswith("#"):
            problems.append(f"{path}: $ref to another file")
        if node.get("type") == "object":
            missing = set(node.get("required", [])) - set(node.get("properties", {}))
            problems += [f"{path}: required but not declared: {name}" for name in missing]
            for name, sub in node.get("properties", {}).items():
                share = sub.get("x-hookmock-presence")
                if share is not None and not (0 < share < 1 and name not in node["required"]):
                    problems.append(f"{path}.{name}: x-hookmock-presence {share} (0-1, optional)")
        if node.get("type") == "array" and "minItems" not in node:
            problems.append(f"{path}: array without minItems")
        if generated and "pattern" in node and kind is None and "enum" not in node:
            problems.append(f"{path}: pattern without a kind or enum (use a curated list)")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("event", EVENTS)
def test_a_body_with_every_property_validates(event: str) -> None:
    """What hookmock generates (every property, first branches) is valid, also for Zoom."""
    schema = schema_of(event)
    body = fill(schema)
    errors = [f"{e.json_path}: {e.message}" for e in validator(schema).iter_errors(body)]
    assert not errors, "\n".join(errors)
    official = zoom_reference.official_validator(event) if zoom_reference.AVAILABLE else None
    if official is not None:
        errors = [f"{e.json_path}: {e.message}" for e in official.iter_errors(body)]
        assert not errors, "Zoom's own schema rejects it:\n" + "\n".join(errors)


def test_format_checker_checks_every_format_the_schemas_use() -> None:
    # Without jsonschema's optional format packages, date-time and uri pass unchecked.
    # int64 and int32 annotate integers, as in Zoom's schemas; minimum and maximum check them.
    used = {
        node["format"]
        for event in EVENTS
        for _, node, _ in walk(schema_of(event))
        if "format" in node and node["format"] not in ("int64", "int32")
    }
    assert used <= {"date-time", "date", "email", "uri"}
    missing = used - set(Draft202012Validator.FORMAT_CHECKER.checkers)
    assert not missing, f"install jsonschema[format-nongpl] to check {sorted(missing)}"


@needs_reference
def test_every_event_has_an_example() -> None:
    assert [event for event in EVENTS if not zoom_reference.examples(event)] == []


@needs_reference
def test_expected_failures_name_real_examples() -> None:
    labels = {label for event in EVENTS for label, _ in zoom_reference.examples(event)}
    assert set(EXPECTED_EXAMPLE_FAILURES) - labels == set()


@needs_reference
@pytest.mark.parametrize(("event", "label", "body"), example_cases())
def test_example_validates(event: str, label: str, body: dict[str, Any]) -> None:
    zoom_reference.assert_example_verdict(schema_of(event), label, body, EXPECTED_EXAMPLE_FAILURES)


@needs_reference
@pytest.mark.parametrize(("event", "label", "body"), example_cases())
def test_payload_key_order_is_zooms(event: str, label: str, body: dict[str, Any]) -> None:
    """Below the envelope, every example orders its keys as the schema does, except where the
    schema follows real deliveries instead (their orders are tested below)."""
    if event in CAPTURED_ORDERS and event != "meeting.started":
        pytest.skip(f"{event} orders its keys as real deliveries do, not as Zoom's example")
    payload_schema = schema_of(event)["properties"]["payload"]
    problems = list(
        zoom_reference.key_order_problems(payload_schema, body.get("payload"), "payload")
    )
    assert not problems, "\n".join(problems)


def _node(schema: dict[str, Any], path: str) -> dict[str, Any]:
    for part in path.split(".") if path else ():
        schema = schema["properties"][part.removesuffix("[]")]
        if part.endswith("[]"):
            schema = schema["items"]
            schema = schema["anyOf"][0] if "anyOf" in schema else schema
    return schema


@pytest.mark.parametrize("event", sorted(CAPTURED_ORDERS))
def test_schemas_order_keys_as_real_deliveries(event: str) -> None:
    """The schema, which gives generated bodies their byte order, lists every key a real
    delivery carried, in the order it arrived (ZOOM.md §8)."""
    schema = schema_of(event)
    envelope = ENVELOPES.get(event, ["event", "payload", "event_ts"])
    assert list(schema["properties"]) == envelope == CAPTURED_ORDERS[event][""].split()
    for path, order in CAPTURED_ORDERS[event].items():
        declared = list(_node(schema, path)["properties"])
        captured = order.split()
        assert [key for key in declared if key in captured] == captured, path


def test_real_capture_key_order() -> None:
    """meeting.started follows the byte order of a real delivery (signature-test-vectors.json)."""
    schema = schema_of("meeting.started")
    assert list(schema["properties"]["payload"]["properties"]["object"]["properties"]) == [
        "duration",
        "start_time",
        "timezone",
        "topic",
        "id",
        "type",
        "uuid",
        "host_id",
        "host_email",
    ]


# Bodies with the shape, types and blanks of the real deliveries in ZOOM.md §8 (values made up
# here): every one must validate.
_MEETING = {
    "uuid": "q1w2E3r4T5y6U7i8O9p0Aw==",
    "id": "81234567890",
    "type": 2,
    "topic": "Weekly review",
    "host_id": "HostAbCdEfGhIjKlMnOp12",
    "duration": 30,
    "start_time": "2026-07-29T23:55:56Z",
    "timezone": "America/Santiago",
}
_GUEST = {
    "customer_key": "",
    "leave_time": "2026-07-30T00:01:25Z",
    "public_ip": "198.51.100.7",
    "user_id": "16788480",
    "user_name": "A Guest",
    "registrant_id": "",
    "participant_user_id": "",
    "id": "",
    "leave_reason": "left the meeting. Reason : left the meeting with Unknown Failover Reason",
    "email": "",
    "private_ip": "10.0.0.12",
    "participant_uuid": "0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0",
}
_FILE = {
    "id": "0b6a7c1e-2f3d-4e5f-8a9b-0c1d2e3f4a5b",
    "meeting_id": "q1w2E3r4T5y6U7i8O9p0Aw==",
    "recording_start": "2026-07-29T23:55:56Z",
    "recording_end": "2026-07-29T23:57:56Z",
    "file_type": "TIMELINE",
    "file_extension": "JSON",
    "file_size": 93,
    "download_url": "https://us02web.zoom.us/rec/webhook_download/abc/def",
    "status": "completed",
    "recording_type": "timeline",
}
REAL_SHAPES: dict[str, dict[str, Any]] = {
    "meeting.participant_left": {
        "payload": {
            "account_id": "AcctAbCdEfGhIjKlMnOp12",
            "object": {**_MEETING, "participant": _GUEST},
        },
        "event_ts": 1785369686564,
        "event": "meeting.participant_left",
    },
    "recording.started": {
        "event": "recording.started",
        "payload": {
            "account_id": "AcctAbCdEfGhIjKlMnOp12",
            "object": {
                **_MEETING,
                "id": 81234567890,
                "recording_file": {"recording_start": "2026-07-29T23:55:56Z", "recording_end": ""},
            },
        },
        "event_ts": 1785369357501,
    },
    "meeting.ended": {
        "event": "meeting.ended",
        "payload": {
            "account_id": "AcctAbCdEfGhIjKlMnOp12",
            "object": {
                **_MEETING,
                "end_time": "2026-07-30T00:03:26Z",
                "host_email": "host@example.com",
            },
        },
        "event_ts": 1785369806781,
    },
    "recording.completed": {
        "payload": {
            "account_id": "AcctAbCdEfGhIjKlMnOp12",
            "object": {
                **_MEETING,
                "id": 81234567890,
                "account_id": "AcctAbCdEfGhIjKlMnOp12",
                "host_email": "host@example.com",
                "total_size": 93,
                "recording_count": 1,
                "share_url": "https://us02web.zoom.us/rec/share/abc",
                "recording_files": [
                    {**_FILE, "encryption_fingerprint": "ab" * 32},
                ],
                "password": "000000",
                "recording_play_passcode": "abcdefABCDEF0123456789",
                "on_prem": False,
            },
        },
        "event_ts": 1785369807234,
        "event": "recording.completed",
        "download_token": "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJ6b29tIn0.c2ln",
    },
}


@pytest.mark.parametrize("event", sorted(REAL_SHAPES))
def test_the_schemas_accept_what_real_deliveries_send(event: str) -> None:
    body = REAL_SHAPES[event]
    errors = [f"{e.json_path}: {e.message}" for e in validator(schema_of(event)).iter_errors(body)]
    assert errors == []
    assert list(body) == ENVELOPES.get(event, ["event", "payload", "event_ts"])
