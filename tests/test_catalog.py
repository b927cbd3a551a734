"""The whole Zoom catalog: every event has a schema, made by its tool, generating valid and
meaningful events, and true to Zoom's own schemas and examples.

The converted (``tools/convert_zoom_openapi.py``), inferred and minimal
(``tools/infer_zoom_schemas.py``) schemas are tested here; the hand-written ones in
``test_schemas.py``.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from hookmock.cli import main
from hookmock.generate import fake
from hookmock.generate.catalog import event_names, load_schema, schema_errors
from hookmock.providers.zoom.coherence import GENERATION

from . import zoom_reference

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas" / "zoom"
NOW = 1_795_000_000.0
METHODS = {"hand-written", "converted", "inferred", "minimal"}
HAND_FAMILIES = ("meeting.", "webinar.", "recording.")
TOOLS = {
    "converted": "convert_zoom_openapi.py",
    "inferred": "infer_zoom_schemas.py",
    "minimal": "infer_zoom_schemas.py",
}
ALL = event_names("zoom")


def method(event: str) -> str:
    source: str = load_schema(event)["x-hookmock-source"]["method"]
    return source


#: The events these tools make (every family but the hand-written ones).
TOOL_MADE = [e for e in ALL if method(e) in TOOLS]


def _catalog() -> set[str]:
    if not zoom_reference.AVAILABLE:
        return set()
    text = (zoom_reference.REFERENCE / "event-catalog.json").read_text(encoding="utf-8")
    return set(json.loads(text)["events"])


CATALOG = _catalog()
#: Meeting, webinar and recording events still being written by hand (tools/build_zoom_schemas.py):
#: computed from which files are absent, so it shrinks to nothing as they land.
AWAITING_HAND_WRITTEN = {e for e in CATALOG - set(ALL) if e.startswith(HAND_FAMILIES)}


def generate(event: str, **options: Any) -> tuple[dict[str, Any], frozenset[str]]:
    """An event as Zoom generates it: its kinds of values and its consistency rules."""
    return fake.generate(event, profile=GENERATION, **options)


def _both(product: str, events: str, why: str) -> dict[str, str]:
    """Expected failures of ZoomNet's copy and Zoom's OpenAPI example of each event."""
    out = {}
    for event in events.split():
        out[f"zoomnet:{event}"] = why
        out[f"openapi:{product}:{event}:json-example"] = why
    return out


_STRING_TS = "at event_ts: Unix milliseconds as a number (ZOOM.md §1); the example has a string"
_NAMED = "at event: the webhook's name in Zoom's document; the example names another event"
_ZOOMNET_NAMED = "at event: the catalog's name (ZoomNet's file name); the example says another"
_SESSION_ID = "at payload.object.session_id: a string (Zoom's schema); the example has 1234567890"
_HOST = "at payload.object.user: is_original_host is required; ZoomNet's older copy lacks it"
#: Examples that hookmock's schemas reject on purpose: "at <path>[, <path>]: why". Each must
#: fail, and only at the paths named. The reasons are the converter's DECISIONS (_SOURCES.md).
EXPECTED_EXAMPLE_FAILURES: dict[str, str] = {
    **_both("marketplace", "app.authorization_request_created", _STRING_TS),
    **_both(
        "rooms",
        "visitor_management.checked_in visitor_management.checked_out workspace.created "
        "visitor_management.invitation_created visitor_management.invitation_deleted "
        "visitor_management.invitation_updated workspace.deleted workspace.updated "
        "workspace.reservation_checked_in workspace.reservation_checked_out "
        "workspace.reservation_deleted zoomroom.location_created zoomroom.location_deleted "
        "zoomroom.location_updated",
        _STRING_TS,
    ),
    **_both("rooms", "workspace.reservation_update", "at event, event_ts: both, as above"),
    **_both("users", "group.member_deleted", _NAMED),
    **_both("quality-management", "quality_management.evaluation_completed", _NAMED),
    **_both("iq", "revenue_accelerator.conversation_analysis_completed", _NAMED),
    **_both("team-chat", "team_chat.shared_spaces_edited", _NAMED),
    **_both("whiteboard", "whiteboard.share_settings_updated", _NAMED),
    **_both("rooms", "zoomroom.digital_signage_app_started", _NAMED),
    "zoomnet:rtms.concurrency_limited": _NAMED,
    "zoomnet:contact_center.queue_deleted": _ZOOMNET_NAMED,
    "zoomnet:contact_center.user_skills_assigned": _ZOOMNET_NAMED,
    "zoomnet:revenue_accelerator.conversation_crm_associations_changed": _ZOOMNET_NAMED,
    **_both(
        "accounts",
        "account.lock_settings_updated",
        "at payload.object.settings.recording.auto_recording, "
        "payload.old_object.settings.recording.auto_recording: a lock setting is a boolean; "
        "the example has 'cloud'",
    ),
    **_both("team-chat", "chat_channel.created", "at payload.object: the required id is missing"),
    **_both(
        "accounts",
        "information_barriers.policy_updated",
        "at payload.object: Zoom's schema has the policy flat, the example nests new_policy",
    ),
    **_both(
        "video-sdk",
        " ".join(
            f"session.recording_{action}"
            for action in [
                "completed",
                "deleted",
                "paused",
                "recovered",
                "resumed",
                "started",
                "stopped",
                "transcript_completed",
                "trashed",
            ]
        ),
        _SESSION_ID,
    ),
    **_both(
        "video-sdk",
        "session.recording_transcript_failed",
        "at event, payload.object.session_id: both, as above",
    ),
    **_both(
        "video-sdk",
        "session.alert",
        "at payload.object.issues: a list; the example has one string",
    ),
    "zoomnet:session.user_data": "at payload.object.user, payload.object.user.data.0.device: "
    "is_original_host is missing (ZoomNet's copy) and 'WIN' is not one of Zoom's devices",
    "openapi:qss:session.user_data:json-example": "at payload.object.user.data.0.device: "
    "'WIN' is not one of Zoom's device names",
    "zoomnet:session.user_data_summary": _HOST,
    "zoomnet:session.user_qos": _HOST,
    "zoomnet:session.user_qos_summary": _HOST,
    **_both(
        "team-chat",
        "team_chat.channel_join_approval_requested",
        "at payload.object.type: 'to_channel_admin' is not one of Zoom's approvers",
    ),
    **_both(
        "team-chat",
        "team_chat.dm_message_deleted team_chat.dm_message_posted team_chat.dm_message_updated",
        "at payload.object: the example spells contact_account_id with a trailing space",
    ),
    **_both(
        "users",
        "user.disassociated user.invitation_accepted",
        "at payload.object.type: Zoom's schema allows user types 1 and 2; the example has 3",
    ),
    **_both(
        "users",
        "user.presence_status_updated",
        "at payload.object: the example writes date-time for the required date_time",
    ),
    **_both(
        "rooms",
        "workspace.pre_check_in_questionnaire_response_created",
        "at payload.object: the example misspells the required questionnaire_response",
    ),
    **_both(
        "rooms",
        "zoomroom.thirdparty_meeting_attempted",
        "at payload.object.meeting_source_type: 'ZOOM' is not a third-party source",
    ),
}


def schema_of(event: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((SCHEMAS / f"{event}.json").read_text(encoding="utf-8"))
    return schema


def validator(schema: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def zoom_validator(event: str) -> Draft202012Validator | None:
    return zoom_reference.official_validator(event)


def walk(node: Any, path: str = "$") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema node with its path."""
    if isinstance(node, list):
        for i, item in enumerate(node):
            yield from walk(item, f"{path}[{i}]")
        return
    if not isinstance(node, dict):
        return
    yield path, node
    for key, value in node.items():
        if key in ("anyOf", "oneOf", "allOf"):
            yield from walk(value, f"{path}.{key}")
        elif key == "properties":
            for name, sub in value.items():
                yield from walk(sub, f"{path}.{name}")
        elif key in ("items", "additionalProperties"):
            yield from walk(value, f"{path}[]")


def pairs(schema: dict[str, Any], value: Any, path: str = "$") -> Iterator[tuple[str, Any, Any]]:
    """``(path, schema node, value)`` for every leaf of a generated event (first branches)."""
    for combinator in ("anyOf", "oneOf"):
        if combinator in schema:
            schema = {**schema, **schema[combinator][0]}
    if isinstance(value, dict):
        for key, sub in value.items():
            yield from pairs(schema.get("properties", {}).get(key, {}), sub, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from pairs(schema.get("items", {}), item, f"{path}[{i}]")
    else:
        yield path, schema, value


# -- coverage and the tools ------------------------------------------------------------------


@zoom_reference.needs_reference
def test_every_catalog_event_has_a_schema() -> None:
    missing = CATALOG - set(ALL) - AWAITING_HAND_WRITTEN
    assert missing == set()
    assert set(ALL) - CATALOG == set(), "schemas for events Zoom's catalog does not name"


@zoom_reference.needs_reference
@pytest.mark.xfail(
    bool(AWAITING_HAND_WRITTEN),
    reason=f"{len(AWAITING_HAND_WRITTEN)} meeting/webinar/recording events not written yet",
    strict=True,
)
def test_the_hand_written_families_are_complete() -> None:
    assert set() == AWAITING_HAND_WRITTEN


@zoom_reference.needs_reference
@pytest.mark.parametrize("tool", sorted(set(TOOLS.values())))
def test_tool_made_schemas_are_up_to_date(tool: str) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / tool), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_each_tool_made_family_is_its_tools() -> None:
    assert {method(e) for e in ALL} <= METHODS
    assert not [e for e in TOOL_MADE if e.startswith(HAND_FAMILIES)]


# -- every schema ----------------------------------------------------------------------------


@pytest.mark.parametrize("event", ALL)
def test_schema_is_well_formed(event: str) -> None:
    schema = schema_of(event)
    Draft202012Validator.check_schema(schema)
    assert list(schema)[:5] == ["$schema", "$id", "title", "description", "x-hookmock-source"]
    assert schema["$id"] == f"https://hookmock.dev/schemas/zoom/{event}.json"
    assert schema["title"] == event
    assert schema["x-hookmock-source"]["method"] in METHODS
    assert schema["x-hookmock-source"]["based_on"]
    assert schema["properties"]["event"]["const"] == event


@pytest.mark.parametrize("event", TOOL_MADE)
def test_tool_made_schema_follows_the_conventions(event: str) -> None:
    schema = schema_of(event)
    problems = []
    for path, node in walk(schema):
        kind = node.get("x-hookmock-fake")
        if kind is not None and kind not in GENERATION.kinds:
            problems.append(f"{path}: unknown x-hookmock-fake {kind!r}")
        if node.get("additionalProperties") is False:
            problems.append(f"{path}: additionalProperties false (Zoom adds fields)")
        if "$ref" in node:
            problems.append(f"{path}: a $ref (converted schemas are self-contained)")
        if "description" in node and path != "$":
            problems.append(f"{path}: a description (Zoom's prose does not carry over)")
        for name in node.get("required", []):
            sub = node.get("properties", {}).get(name)
            if sub is None:
                problems.append(f"{path}: required but not declared: {name}")
            elif sub.get("x-hookmock-skip"):
                problems.append(f"{path}.{name}: required, so it cannot be skipped")
    assert not problems, "\n".join(problems)
    assert schema["description"].endswith(".") and len(schema["description"]) < 100
    if method(event) == "minimal":
        assert "No published structure" in schema["$comment"]


def test_no_event_falls_back_to_a_minimal_schema() -> None:
    # Every catalog event outside the hand-written families has a schema or an example today;
    # a "minimal" one would mean Zoom's catalog named an event with no known body.
    assert [e for e in ALL if method(e) == "minimal"] == []


# -- generated events ------------------------------------------------------------------------


@pytest.mark.parametrize("event", TOOL_MADE)
def test_generated_events_validate_here_and_for_zoom(event: str) -> None:
    official = zoom_validator(event)
    for seed in range(5):
        data, _ = generate(event, seed=seed, now=NOW)
        assert schema_errors(event, data) == [], f"seed {seed}"
        if official is None:
            continue
        errors = [f"{e.json_path}: {e.message}" for e in official.iter_errors(data)]
        if event in zoom_reference.UNSATISFIABLE:
            assert errors, f"{event} now meets Zoom's schema; drop it from the exceptions"
        else:
            assert errors == [], f"seed {seed}: Zoom's own schema rejects it"


@zoom_reference.needs_reference
@pytest.mark.parametrize("event", sorted(zoom_reference.UNSATISFIABLE))
def test_zooms_own_example_fails_zooms_unsatisfiable_schema(event: str) -> None:
    official = zoom_validator(event)
    assert official is not None
    bodies = [body for label, body in zoom_reference.examples(event) if "openapi" in label]
    assert bodies and not official.is_valid(bodies[0])


def test_values_mean_what_their_fields_mean() -> None:
    checks = {
        "phone_e164": lambda v: re.fullmatch(r"\+1[2-9]\d{9}", v),
        "phone_number": lambda v: re.fullmatch(r"1\d{10}", v),
        "extension_number": lambda v: str(v).isdigit() and 3 <= len(str(v)) <= 6,
        "email": lambda v: re.fullmatch(r"[a-z0-9.]+@example\.(com|org|net)", v),
        "zoom_id": lambda v: re.fullmatch(r"[A-Za-z0-9_-]{22}", v),
        "uuid": lambda v: uuid.UUID(v),
        "hex_id": lambda v: re.fullmatch(r"[0-9a-f]{32}", v),
        "numeric_id": lambda v: re.fullmatch(r"\d{19}", v),
        "datetime": lambda v: dt.datetime.strptime(v, "%Y-%m-%dT%H:%M:%SZ"),
        "datetime_ms": lambda v: dt.datetime.strptime(v, "%Y-%m-%dT%H:%M:%S.%fZ"),
        "date": lambda v: dt.date.fromisoformat(v),
        "event_ts": lambda v: abs(int(v) - NOW * 1000) < 1000,
        "url": lambda v: v.startswith("https://"),
        "timezone": lambda v: "/" in v or v == "UTC",
    }
    seen: dict[str, int] = dict.fromkeys(checks, 0)
    bad = []
    for event in TOOL_MADE:
        schema = load_schema(event)
        data, _ = generate(event, seed=11, now=NOW)
        for path, node, value in pairs(schema, data):
            kind = node.get("x-hookmock-fake")
            if node.get("format") == "date-time" and isinstance(value, str):
                dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            if kind in checks and value is not None:
                seen[kind] += 1
                try:
                    ok = bool(checks[kind](value))
                except ValueError:
                    ok = False
                if not ok:
                    bad.append(f"{event} {path} ({kind}): {value!r}")
    assert bad == []
    assert [kind for kind, count in seen.items() if count == 0] == []


def test_phone_events_carry_phone_numbers() -> None:
    data, _ = generate("phone.callee_answered", seed=3, now=NOW)
    call = data["payload"]["object"]
    assert re.fullmatch(r"\+1\d{10}", call["caller"]["phone_number"])
    assert isinstance(call["callee"]["extension_number"], int)
    assert call["call_id"].isdigit()
    assert dt.datetime.strptime(call["answer_start_time"], "%Y-%m-%dT%H:%M:%SZ")


def test_settings_changes_name_a_few_settings() -> None:
    data, _ = generate("account.settings_updated", seed=5, now=NOW)
    settings = data["payload"]["object"]["settings"]
    assert 1 <= len(settings) <= 2
    assert all(1 <= len(group) <= 2 for group in settings.values() if isinstance(group, dict))


# -- Zoom's examples -------------------------------------------------------------------------


def example_cases() -> list[Any]:
    if not zoom_reference.AVAILABLE:
        return []
    return [
        pytest.param(event, label, body, id=label)
        for event in TOOL_MADE
        for label, body in zoom_reference.examples(event)
    ]


@zoom_reference.needs_reference
def test_expected_failures_name_real_examples() -> None:
    labels = {label for event in TOOL_MADE for label, _ in zoom_reference.examples(event)}
    assert set(EXPECTED_EXAMPLE_FAILURES) - labels == set()


@zoom_reference.needs_reference
@pytest.mark.parametrize(("event", "label", "body"), example_cases())
def test_example_validates(event: str, label: str, body: dict[str, Any]) -> None:
    zoom_reference.assert_example_verdict(schema_of(event), label, body, EXPECTED_EXAMPLE_FAILURES)


@zoom_reference.needs_reference
@pytest.mark.parametrize("event", TOOL_MADE)
def test_payload_key_order_is_the_examples(event: str) -> None:
    """The example a schema was made from orders its payload keys as the schema does."""
    source = "openapi:" if method(event) == "converted" else "zoomnet:"
    bodies = [body for label, body in zoom_reference.examples(event) if label.startswith(source)]
    schema = schema_of(event)["properties"]["payload"]
    problems = [
        p
        for body in bodies
        for p in zoom_reference.key_order_problems(schema, body["payload"], "$")
    ]
    assert not problems, "\n".join(problems)


# -- the tools' own parts --------------------------------------------------------------------


@pytest.fixture(scope="module")
def tools() -> Iterator[Any]:
    """The tools' modules (scripts in tools/, importable once it is on sys.path)."""
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import infer_zoom_schemas
        import zoom_common

        yield type("Tools", (), {"common": zoom_common, "infer": infer_zoom_schemas})
    finally:
        sys.path.remove(str(ROOT / "tools"))


def test_lenient_json_reads_zooms_annotated_and_broken_examples(tools: Any) -> None:
    lenient_json = tools.common.lenient_json
    commented = '{"a": "https://x.example/p", // who\n "b": "//not a comment"}'
    assert lenient_json(commented) == (
        {"a": "https://x.example/p", "b": "//not a comment"},
        "comments stripped",
    )
    doubled = r'{"e": "{\\"code\\":\\"131026\\"}"}'  # as contact_center.message_status
    assert lenient_json(doubled) == ({"e": '{"code":"131026"}'}, "escapes repaired")
    with pytest.raises(ValueError, match="not JSON"):
        lenient_json('{"a": ')


def test_a_minimal_schema_says_it_knows_little(tools: Any) -> None:
    schema = tools.infer.minimal("phone.example_event")
    Draft202012Validator.check_schema(schema)
    assert schema["x-hookmock-source"]["method"] == "minimal"
    assert schema["$comment"].startswith("No published structure")
    body = {"event": "phone.example_event", "event_ts": 1, "payload": {"account_id": "a"}}
    assert not validator(schema).is_valid(body)  # payload.object is required
    body["payload"]["object"] = {"anything": [1, "x"]}
    assert validator(schema).is_valid(body)


def test_descriptions_are_made_from_names(tools: Any) -> None:
    describe = tools.common.describe
    assert describe("phone.callee_answered") == "Zoom Phone: callee answered."
    assert describe("interactive_message_select") == "Team Chat apps: select."
    assert describe("node.server_cpu_alert") == "Zoom Node: server CPU alert."


# -- hookmock events --source ----------------------------------------------------------------


def test_events_source_prints_each_name_and_method() -> None:
    out = io.StringIO()
    assert main(["events", "--source"], stdout=out) == 0
    rows = [line.split("\t") for line in out.getvalue().splitlines()]
    assert [name for name, _ in rows] == list(ALL)
    assert all(source == method(name) for name, source in rows)
    assert {"hand-written", "converted", "inferred"} <= {source for _, source in rows}
    out = io.StringIO()
    assert main(["events", "phone.callee_", "--source"], stdout=out) == 0
    assert "phone.callee_answered\tinferred\n" in out.getvalue()
    assert all(line.startswith("phone.callee_") for line in out.getvalue().splitlines())
