from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest

from hookmock import REMOVE, OverrideError, SchemaViolationError, UnknownEventError, Zoom
from hookmock.catalog import event_names, schema_errors
from hookmock.fake import generate

from . import zoom_reference
from .test_schemas import CAPTURED_ORDERS

NOW = 1_795_000_000.5  # a fixed clock reading
EVENTS = event_names("zoom")


def _zoom(seed: int = 7) -> Zoom:
    return Zoom(secret_token="s", seed=seed, clock=lambda: NOW)


def _time(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize("event", EVENTS)
def test_generated_events_validate_for_many_seeds(event: str) -> None:
    for seed in range(25):
        data, _ = generate(event, seed=seed, now=NOW)
        assert schema_errors(event, data) == [], f"seed {seed}"


def test_same_seed_same_bytes_other_seed_other_bytes() -> None:
    first = _zoom().fake("recording.completed", seed=42)
    again = _zoom(seed=999).fake("recording.completed", seed=42)
    other = _zoom().fake("recording.completed", seed=43)
    assert first.body == again.body
    assert first.body != other.body
    assert first.seed == 42


def test_provider_seed_makes_the_sequence_reproducible() -> None:
    bodies = [_zoom(5).fake("meeting.started").body for _ in range(2)]
    assert bodies[0] == bodies[1]
    zoom = _zoom(5)
    assert zoom.fake("meeting.started").body != zoom.fake("meeting.started").body


def test_envelope_key_order_and_timestamps() -> None:
    validation = _zoom().fake("endpoint.url_validation")
    assert list(validation.data) == ["payload", "event_ts", "event"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", validation.data["payload"]["plainToken"])
    started = _zoom().fake("meeting.started")
    assert list(started.data) == ["event", "payload", "event_ts"]
    assert started.data["event_ts"] == int(NOW * 1000)
    assert started.body.startswith(b'{"event":"meeting.started","payload":{')


def test_meeting_started_keeps_the_captured_key_order() -> None:
    obj = _zoom().fake("meeting.started").data["payload"]["object"]
    captured = ["duration", "start_time", "timezone", "topic", "id", "type", "uuid", "host_id"]
    assert [k for k in obj if k in captured] == captured


def _at(data: Any, path: str) -> list[dict[str, Any]]:
    """The objects at *path* ("" the body; "a.b[]" every item of the list a.b)."""
    nodes = [data]
    for part in path.split(".") if path else ():
        nodes = [n[part.removesuffix("[]")] for n in nodes]
        if part.endswith("[]"):
            nodes = [item for n in nodes for item in n]
    return nodes


@pytest.mark.parametrize("event", sorted(CAPTURED_ORDERS))
def test_generated_bodies_order_keys_as_real_deliveries(event: str) -> None:
    for seed in range(30):
        body = _zoom(seed).fake(event).body
        data = json.loads(body)  # a dict keeps the order the bytes had
        for path, order in CAPTURED_ORDERS[event].items():
            captured = order.split()
            for node in _at(data, path):
                present = [key for key in node if key in captured]
                assert present == [key for key in captured if key in node], (seed, path)
        first = CAPTURED_ORDERS[event][""].split()[0]
        assert body.startswith(b'{"' + first.encode() + b'":')


def test_meeting_id_types_follow_zoom() -> None:
    zoom = _zoom()
    assert isinstance(zoom.fake("meeting.started").data["payload"]["object"]["id"], str)
    assert isinstance(zoom.fake("meeting.created").data["payload"]["object"]["id"], int)
    assert isinstance(zoom.fake("recording.completed").data["payload"]["object"]["id"], int)


def test_values_are_realistic_and_coherent() -> None:
    zoom = _zoom()
    for _ in range(20):
        obj = zoom.fake("meeting.created").data["payload"]["object"]
        assert f"/j/{obj['id']}?pwd=" in obj["join_url"]
        ended = zoom.fake("meeting.ended").data["payload"]["object"]
        start, end = _time(ended["start_time"]), _time(ended["end_time"])
        assert end > start
        assert end - start == dt.timedelta(minutes=ended["duration"])
        assert end.timestamp() <= NOW + 1
        recording = zoom.fake("recording.completed").data
        files = recording["payload"]["object"]["recording_files"]
        assert recording["payload"]["object"]["total_size"] == sum(f["file_size"] for f in files)
        assert recording["payload"]["object"]["recording_count"] == len(files)
        assert all(f["meeting_id"] == recording["payload"]["object"]["uuid"] for f in files)
        left = zoom.fake("meeting.participant_left").data["payload"]["object"]["participant"]
        assert left["leave_reason"].startswith(f"{left['user_name']} left the meeting.")
        if left["email"]:
            assert re.fullmatch(r"[a-z0-9.]+@example\.(com|org|net)", left["email"])
            assert left["email"].split("@")[0].split(".")[-1] in left["user_name"].lower()


def test_keyword_and_path_overrides() -> None:
    zoom = _zoom()
    event = zoom.fake(
        "meeting.created",
        {"payload.object.duration": 45, "payload.operator": "ops@example.com"},
        topic="Q3 review",
        id=12345678901,
    )
    obj = event.data["payload"]["object"]
    assert obj["topic"] == "Q3 review"
    assert obj["duration"] == 45
    assert obj["join_url"].startswith("https://us05web.zoom.us/j/12345678901?pwd=")
    assert event.data["payload"]["operator"] == "ops@example.com"
    assert b'"topic":"Q3 review"' in event.body
    assert event.overridden == {
        "payload.object.topic",
        "payload.object.id",
        "payload.object.duration",
        "payload.operator",
    }


def test_overridden_fields_are_not_made_coherent() -> None:
    event = _zoom().fake(
        "recording.completed", {"payload.object.total_size": 1, "payload.object.recording_count": 9}
    )
    assert event.data["payload"]["object"]["total_size"] == 1
    assert event.data["payload"]["object"]["recording_count"] == 9


def test_remove_and_list_index() -> None:
    event = _zoom().fake(
        "recording.completed",
        {"payload.object.recording_files.0.file_type": "M4A", "download_token": REMOVE},
        validate=False,
    )
    assert "download_token" not in event.data
    assert event.data["payload"]["object"]["recording_files"][0]["file_type"] == "M4A"


def test_override_breaking_the_schema_names_the_path_and_rule() -> None:
    with pytest.raises(SchemaViolationError) as info:
        _zoom().fake("meeting.started", {"payload.object.type": "scheduled"})
    message = str(info.value)
    assert message.splitlines()[0] == "'meeting.started' does not match its schema (2 error(s)):"
    assert "  $.payload.object.type: 'scheduled' is not of type 'integer' (rule: type" in message
    assert "validate=False" in message
    assert info.value.errors[0][0] == "$.payload.object.type"


def test_validate_false_sends_an_invalid_event() -> None:
    event = _zoom().fake("meeting.started", {"payload.object.type": "scheduled"}, validate=False)
    assert json.loads(event.body)["payload"]["object"]["type"] == "scheduled"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"payload.object.topic.x": 1}, "payload.object.topic is str"),
        ({"payload..x": 1}, "is not a dotted path"),
        ({"payload.object.recording_files.99.id": "x"}, "index 99 is past the end"),
    ],
)
def test_bad_override_paths(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(OverrideError, match=re.escape(message)):
        _zoom().fake("recording.completed", overrides)


def test_unknown_keyword_lists_fields() -> None:
    with pytest.raises(OverrideError, match=r"no field 'topik'.* fields are: .*topic"):
        _zoom().fake("meeting.started", topik="x")


def test_unknown_event_lists_close_names() -> None:
    with pytest.raises(UnknownEventError) as info:
        _zoom().fake("meeting.startd")
    assert str(info.value).startswith("unknown zoom event 'meeting.startd': did you mean ")
    assert info.value.suggestions[0] == "meeting.started"
    with pytest.raises(UnknownEventError, match="run 'hookmock events'"):
        _zoom().fake("zzz")


@pytest.mark.parametrize(
    "event",
    [
        e
        for e in EVENTS
        if e not in zoom_reference.UNSATISFIABLE and zoom_reference.official_validator(e)
    ],
)
def test_generated_events_validate_against_zooms_own_schema(event: str) -> None:
    validator = zoom_reference.official_validator(event)
    assert validator is not None
    for seed in range(25):
        data, _ = generate(event, seed=seed, now=NOW)
        errors = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(data)]
        assert errors == [], f"seed {seed}"


@zoom_reference.needs_reference
def test_zoom_publishes_schemas_for_the_expected_events() -> None:
    published = {e for e in EVENTS if zoom_reference.official_validator(e) is not None}
    assert {"user.created", "account.updated", "app_deauthorized", "meeting.started"} <= published


@pytest.mark.parametrize("event", ["user.updated", "meeting.updated", "recording.renamed"])
def test_change_events_describe_one_thing_before_and_after(event: str) -> None:
    for seed in range(5):
        payload = _zoom(seed).fake(event).data["payload"]
        assert payload["old_object"]["id"] == payload["object"]["id"]


def test_recording_events_are_about_past_meetings() -> None:
    obj = _zoom().fake("recording.registration_created").data["payload"]["object"]
    assert _time(obj["start_time"]).timestamp() <= NOW
