from __future__ import annotations

import base64
import datetime as dt
import io
import json
import re
import time
from typing import Any

import pytest

from hookmock import (
    REMOVE,
    ConfigurationError,
    OverrideError,
    SchemaViolationError,
    UnknownEventError,
    Zoom,
)
from hookmock.generate import fake
from hookmock.generate.catalog import event_names, schema_errors
from hookmock.generate.profile import GenerationProfile
from hookmock.providers.zoom.coherence import GENERATION

from . import zoom_reference
from .test_schemas import CAPTURED_ORDERS

NOW = 1_795_000_000.5  # a fixed clock reading
EVENTS = event_names("zoom")


def generate(event: str, **options: Any) -> tuple[dict[str, Any], frozenset[str]]:
    """An event as Zoom generates it: its kinds of values and its consistency rules."""
    return fake.generate(event, profile=GENERATION, **options)


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


# -- what real deliveries show (ZOOM.md §8), held over many seeds ------------------------------

SEEDS = range(40)
HAND_WRITTEN = [e for e in EVENTS if e.split(".")[0] in ("meeting", "webinar", "recording")]
# Events about something planned: their start and end times lie ahead.
_PLANNED = ("created", "updated", "registration_created", "registration_approved")


def _stamps(node: Any, path: str = "$") -> list[tuple[str, str]]:
    if isinstance(node, dict):
        return [s for k, v in node.items() for s in _stamps(v, f"{path}.{k}")]
    if isinstance(node, list):
        return [s for v in node for s in _stamps(v, f"{path}[]")]
    if isinstance(node, str) and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", node):
        return [(path, node)]
    return []


def _ms(stamp: str) -> float:
    moment = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return moment.timestamp() * 1000


@pytest.mark.parametrize("event", EVENTS)
def test_event_ts_is_an_integer_of_milliseconds(event: str) -> None:
    for seed in range(5):
        data, _ = generate(event, seed=seed, now=NOW)
        if "event_ts" in data:
            assert type(data["event_ts"]) is int and data["event_ts"] == int(NOW * 1000)


@pytest.mark.parametrize("event", HAND_WRITTEN)
def test_no_time_but_a_planned_one_is_after_event_ts(event: str) -> None:
    planned = event.rsplit(".", 1)[1].endswith(_PLANNED)
    for seed in SEEDS:
        data, _ = generate(event, seed=seed, now=NOW)
        for path, stamp in _stamps(data["payload"]):
            if planned and path.endswith(("start_time", "end_time")):
                continue
            assert _ms(stamp) <= data["event_ts"], f"seed {seed}: {path} {stamp}"


# The field that reports each event's moment (ZOOM.md §8: join_time <= event_ts, within about a
# second).
MOMENTS = {
    "meeting.started": "object.start_time",
    "meeting.ended": "object.end_time",
    "meeting.participant_joined": "object.participant.join_time",
    "meeting.participant_left": "object.participant.leave_time",
    "webinar.started": "object.start_time",
    "webinar.ended": "object.end_time",
    "webinar.participant_joined": "object.participant.join_time",
    "webinar.participant_left": "object.participant.leave_time",
    "recording.started": "object.recording_file.recording_start",
    "recording.stopped": "object.recording_file.recording_end",
    "meeting.sharing_started": "object.participant.sharing_details.date_time",
    "meeting.chat_message_sent": "object.chat_message.date_time",
    "meeting.participant_admitted": "object.participant.date_time",
}


@pytest.mark.parametrize(("event", "path"), sorted(MOMENTS.items()))
def test_the_reported_moment_is_within_seconds_before_event_ts(event: str, path: str) -> None:
    for seed in SEEDS:
        data, _ = generate(event, seed=seed, now=NOW)
        node: Any = data["payload"]
        for part in path.split("."):
            node = node[part]
        assert 0 <= data["event_ts"] - _ms(node) <= 2000, f"seed {seed}: {node}"


def test_meetings_end_when_they_end_not_when_they_were_scheduled_to() -> None:
    lengths = []
    for seed in SEEDS:
        obj = generate("meeting.ended", seed=seed, now=NOW)[0]["payload"]["object"]
        length = (_ms(obj["end_time"]) - _ms(obj["start_time"])) / 1000
        assert length >= 60
        lengths.append(length == obj["duration"] * 60)
    assert lengths.count(True) <= 2


def test_times_inside_a_meeting_agree() -> None:
    for seed in SEEDS:
        left = generate("recording.completed", seed=seed, now=NOW)[0]["payload"]["object"]
        start = _ms(left["start_time"])
        for file in left["recording_files"]:
            assert start <= _ms(file["recording_start"]) <= _ms(file["recording_end"])
        stopped = generate("recording.stopped", seed=seed, now=NOW)[0]["payload"]["object"]
        recording = stopped["recording_file"]
        assert _ms(stopped["start_time"]) <= _ms(recording["recording_start"])
        assert _ms(recording["recording_start"]) <= _ms(recording["recording_end"])


PARTICIPANT_EVENTS = [
    "meeting.participant_joined",
    "meeting.participant_left",
    "webinar.participant_joined",
    "webinar.participant_left",
]


@pytest.mark.parametrize("event", PARTICIPANT_EVENTS)
def test_participants_ids_agree_and_some_are_guests(event: str) -> None:
    guests = 0
    for seed in range(200):
        person = generate(event, seed=seed, now=NOW)[0]["payload"]["object"]["participant"]
        assert re.fullmatch(
            r"[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}", person["participant_uuid"]
        )
        assert person["id"] == person["participant_user_id"]
        if person["email"] == "":
            guests += 1
            # ZOOM.md §8: a participant who is not signed in.
            assert person["id"] == person.get("registrant_id", "") == ""
        else:
            assert person["id"]
    assert 20 <= guests <= 80, f"{guests} guests among 200 participants"


@pytest.mark.parametrize(
    ("event", "paths"),
    [
        ("meeting.started", ["object.uuid", "object.host_id", "account_id"]),
        ("meeting.participant_joined", ["object.uuid", "object.host_id"]),
        ("recording.completed", ["object.uuid", "object.host_id", "account_id"]),
        ("webinar.ended", ["object.uuid", "object.host_id"]),
        ("user.created", ["object.id", "account_id"]),
    ],
)
def test_sixteen_byte_ids_are_real_base64(event: str, paths: list[str]) -> None:
    for seed in SEEDS:
        payload = generate(event, seed=seed, now=NOW)[0]["payload"]
        for path in paths:
            value: Any = payload
            for part in path.split("."):
                value = value[part]
            if path.endswith("uuid"):
                raw = base64.b64decode(value, validate=True)
                assert base64.b64encode(raw).decode() == value
            else:
                raw = base64.urlsafe_b64decode(value + "==")
                assert base64.urlsafe_b64encode(raw).decode().rstrip("=") == value
            assert len(raw) == 16, f"seed {seed}: {path} {value}"


def _seconds(file: dict[str, Any]) -> float:
    return max(1.0, (_ms(file["recording_end"]) - _ms(file["recording_start"])) / 1000)


# Bytes per second of recording by file type (coherence.py's rates, from ZOOM.md §8).
RATES = {"MP4": (3_000, 80_000), "M4A": (500, 4_000), "TRANSCRIPT": (15, 40)}


@pytest.mark.parametrize(
    ("event", "file_type"),
    [
        ("recording.completed", "MP4"),
        ("recording.completed", "M4A"),
        ("recording.transcript_completed", "TRANSCRIPT"),
    ],
)
def test_recording_files_weigh_what_their_type_and_length_make(event: str, file_type: str) -> None:
    low, high = RATES[file_type]
    for seed in range(40):
        # Generated recordings carry MP4s; a file of another type named by an override is sized
        # as that type.
        overrides = {"payload.object.recording_files.0.file_type": file_type}
        obj = generate(event, seed=seed, now=NOW, overrides=overrides)[0]["payload"]["object"]
        for file in obj["recording_files"]:
            assert file["download_url"].startswith("https://us05web.zoom.us/rec/webhook_download/")
        file = obj["recording_files"][0]
        seconds = _seconds(file)
        assert low * seconds - 1 <= file["file_size"] <= high * seconds or file["file_size"] == 20
        if file_type == "TRANSCRIPT":
            assert 20 <= file["file_size"] < 1_000_000  # kilobytes, not a video's megabytes
        assert obj["total_size"] == sum(f["file_size"] for f in obj["recording_files"])


def _decode(part: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


@pytest.mark.parametrize("event", ["recording.completed", "recording.transcript_completed"])
def test_the_download_token_is_a_jwt_valid_a_day(event: str) -> None:
    for seed in range(10):
        token = generate(event, seed=seed, now=NOW)[0]["download_token"]
        header, claims, signature = token.split(".")
        assert _decode(header) == {"alg": "HS512", "typ": "JWT"}
        assert _decode(claims)["exp"] - _decode(claims)["iat"] == 86400
        assert _decode(claims)["iat"] == int(NOW)
        assert re.fullmatch(r"[A-Za-z0-9_-]{86}", signature)


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
        assert end.timestamp() <= NOW
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


def test_an_override_inside_a_list_item_stays_and_the_sizes_add_up() -> None:
    # The rules below payload.object run with the override, so the file keeps its size and
    # the total counts it.
    event = _zoom().fake("recording.completed", {"payload.object.recording_files.0.file_size": 7})
    obj = event.data["payload"]["object"]
    assert obj["recording_files"][0]["file_size"] == 7
    assert obj["total_size"] == sum(f["file_size"] for f in obj["recording_files"])


@pytest.mark.parametrize("event", ["recording.completed", "meeting.started", "webinar.created"])
def test_an_override_changes_its_field_and_nothing_else(event: str) -> None:
    zoom = _zoom()
    plain = zoom.fake(event, seed=11, now=NOW).data
    overridden = zoom.fake(event, seed=11, now=NOW, topic="Q3 review").data
    assert overridden["payload"]["object"]["topic"] == "Q3 review"
    plain["payload"]["object"]["topic"] = "Q3 review"
    assert overridden == plain


def test_the_same_override_path_applied_again_gives_the_same_result() -> None:
    first, second = {"a": {"b": [1, 2]}}, {"a": {"b": [1, 2]}}
    for data in (first, second):
        assert fake.apply_overrides(data, {"a.b.1": 5, "a.c": REMOVE}) == {"a.b.1", "a.c"}
    assert first == second == {"a": {"b": [1, 5]}}
    for _ in range(2):
        with pytest.raises(OverrideError, match=r"index 4 is past the end of a\.b "):
            fake.apply_overrides(first, {"a.b.4.c": 1})
        with pytest.raises(OverrideError, match="not a dotted path"):
            fake.apply_overrides(first, {"a..b": 1})


# Bodies to override, and overrides of each kind: values of every type, paths through objects
# and lists, paths the body lacks, paths that end inside a value.
SPLIT_BODIES: list[dict[str, Any]] = [
    {"payload": {"object": {"topic": "t", "id": 5, "files": [{"size": 1}], "settings": {}}}},
    {"payload": {"object": None}},
    {"payload": []},
    {},
]
SPLIT_OVERRIDES: list[dict[str, Any]] = [
    {"payload.object.topic": "Q3"},
    {"payload.object.topic": 7},
    {"payload.object.topic": True},
    {"payload.object.topic": 1.5},
    {"payload.object.topic": None},
    {"payload.object.topic": REMOVE},
    {"payload.object.topic": {"a": 1}},
    {"payload.object.settings": "s"},
    {"payload.object.files": "f"},
    {"payload": "p"},
    {"payload.object.files.0.size": 9},
    {"payload.object.files.3.size": 9},
    {"payload.object.files.0": "f"},
    {"payload.object.topic.deeper": "x"},
    {"payload.object.new.field": "n", "payload.object.id": 6},
    {"payload.object.id": 6, "payload.object.new.field": REMOVE},
    {"payload.0": "x"},
    {"payload.object.start_time": "2026-01-01T00:00:00Z"},
]


@pytest.mark.parametrize("overrides", SPLIT_OVERRIDES, ids=repr)
def test_paths_split_once_do_what_the_overrides_do(overrides: dict[str, Any]) -> None:
    # A set of paths is split once and kept (fake.OverridePaths), and its walks written out
    # once used twice: each body, with values of any type, decides and applies anew.
    import copy

    for inputs in (GENERATION.rule_inputs, frozenset({"topic", "id"}), frozenset(), None):
        split = fake.override_paths(overrides)
        assert split is fake.override_paths(dict(overrides))
        for body in SPLIT_BODIES:
            assert split.after_rules(body, overrides, inputs) == fake._after_rules(
                body, overrides, inputs
            )
            kept, fresh = copy.deepcopy(body), copy.deepcopy(body)
            try:
                expected: Any = fake.apply_overrides(fresh, overrides)
            except OverrideError as error:
                expected = str(error)
            try:
                got: Any = split.apply(kept, overrides)
            except OverrideError as error:
                got = str(error)
            assert (got, kept) == (expected, fresh)
    # Written out unless a path goes through a list: the bodies above ran both forms.
    written = all(names for _, _, names, _ in split.walks)
    assert (split.apply != split._walk_apply) == written


def test_paths_that_are_not_dotted_are_not_kept() -> None:
    # Their errors come as the paths are applied, in order, as without anything kept.
    assert fake.override_paths({"a..b": 1}) is None
    assert fake.override_paths({"a.b": 1, 3: 2}) is None
    overrides = {"payload.object.topic.text": 1, "c..d": 1}
    for _ in range(2):
        with pytest.raises(OverrideError, match=r"payload\.object\.topic is str "):
            generate("meeting.started", seed=1, now=NOW, overrides=overrides)


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
        ({"payload.object.topic.x": 1}, "payload.object.topic is a string in the schema"),
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


def test_no_generated_object_has_a_key_named_empty() -> None:
    # Zoom's schema of interactive_message_editable wraps its body items in a property named "";
    # Zoom's example, and so hookmock, has the item's fields in the item itself.
    def keys(node: Any) -> list[str]:
        if isinstance(node, dict):
            return [*node, *(k for v in node.values() for k in keys(v))]
        if isinstance(node, list):
            return [k for v in node for k in keys(v)]
        return []

    for event in EVENTS:
        assert "" not in keys(generate(event, seed=1, now=NOW)[0]), event
    body = generate("interactive_message_editable", seed=1, now=NOW)[0]["payload"]["original"]
    assert {"editable", "text", "type"} <= set(body["body"][0])


SETTINGS_EVENTS = [
    "account.lock_settings_updated",
    "account.settings_updated",
    "group.lock_settings_updated",
    "group.settings_updated",
    "user.settings_updated",
]


@pytest.mark.parametrize("event", SETTINGS_EVENTS)
def test_a_settings_change_names_the_same_settings_before_and_after(event: str) -> None:
    def leaves(node: Any, path: str = "") -> dict[str, Any]:
        if isinstance(node, dict):
            return {
                k: v for key, sub in node.items() for k, v in leaves(sub, f"{path}.{key}").items()
            }
        return {path: node}

    for seed in range(20):
        payload = generate(event, seed=seed, now=NOW)[0]["payload"]
        after = leaves(payload["object"]["settings"])
        before = leaves(payload["old_object"]["settings"])
        assert after.keys() == before.keys(), f"seed {seed}"
        switches = [path for path, value in after.items() if type(value) is bool]
        assert all(before[path] is not after[path] for path in switches), f"seed {seed}"


@pytest.mark.parametrize("event", ["meeting.created", "webinar.created", "meeting.recovered"])
def test_an_occurrence_id_is_its_start_time_in_milliseconds(event: str) -> None:
    seen = 0
    for seed in range(20):
        obj = generate(event, seed=seed, now=NOW)[0]["payload"]["object"]
        for occurrence in obj.get("occurrences", []):
            if occurrence["occurrence_id"].isdigit():
                assert int(occurrence["occurrence_id"]) == _ms(occurrence["start_time"])
                seen += 1
    assert seen


# Fields a real delivery left out (ZOOM.md §8), there in about 30% of generated events.
SPARSE = {
    "meeting.participant_joined": (
        "object.participant",
        ["registrant_id", "private_ip", "phone_number"],
    ),
    "meeting.participant_left": ("object.participant", ["phone_number"]),
    "recording.completed": (
        "object",
        ["auto_delete", "auto_delete_date", "participant_audio_files"],
    ),
}


@pytest.mark.parametrize("event", sorted(SPARSE))
def test_fields_real_deliveries_leave_out_are_there_sometimes_or_with_full(event: str) -> None:
    where, names = SPARSE[event]
    counts = dict.fromkeys(names, 0)
    for seed in range(200):
        node: Any = generate(event, seed=seed, now=NOW)[0]["payload"]
        full: Any = generate(event, seed=seed, now=NOW, full=True)[0]["payload"]
        for part in where.split("."):
            node, full = node[part], full[part]
        for name in names:
            counts[name] += name in node
            assert name in full
    assert all(30 <= count <= 90 for count in counts.values()), counts


def test_full_reaches_fake_and_the_command_line() -> None:
    event = "recording.completed"
    bodies = [_zoom(seed).fake(event, full=True).data["payload"]["object"] for seed in range(10)]
    assert all("participant_audio_files" in body for body in bodies)
    from hookmock.cli import main

    out = io.StringIO()
    assert main(["fake", event, "--seed", "3", "--time", str(NOW), "--full"], stdout=out) == 0
    assert "participant_audio_files" in json.loads(out.getvalue())["payload"]["object"]


@pytest.mark.parametrize(
    ("event", "overrides", "path"),
    [
        # Each override takes away what a consistency rule needs: the field the rule would have
        # set is then drawn as usual.
        ("recording.completed", {"payload.account_id": REMOVE}, "payload.object.account_id"),
        ("meeting.created", {"payload.object.id": REMOVE}, "payload.object.join_url"),
        ("meeting.created", {"payload.object.id": "abc"}, "payload.object.join_url"),
        (
            "meeting.participant_joined",
            {"payload.object.participant.id": REMOVE},
            "payload.object.participant.participant_user_id",
        ),
        ("meeting.started", {"payload.object.start_time": REMOVE}, "payload.object.uuid"),
        (
            "recording.completed",
            {"payload.object.recording_files": REMOVE},
            "payload.object.participant_audio_files.0.file_size",
        ),
        (
            "recording.completed",
            {"payload.object.uuid": 1},
            "payload.object.recording_files.0.meeting_id",
        ),
        ("user.updated", {"payload.object.id": REMOVE}, "payload.old_object.id"),
    ],
)
def test_a_field_a_rule_cannot_set_is_drawn(
    event: str, overrides: dict[str, Any], path: str
) -> None:
    for seed in range(10):
        data, _ = generate(event, seed=seed, now=NOW, overrides=overrides, full=True)
        node: Any = data
        for part in path.split("."):
            node = node[int(part) if part.isdigit() else part]
        assert type(node) in (str, int), f"seed {seed}: {path} is {node!r}"
        json.dumps(data)  # every value is plain JSON


def test_an_override_below_a_generated_value_says_what_is_there() -> None:
    with pytest.raises(OverrideError) as info:
        _zoom().fake("meeting.started", {"payload.object.start_time.day": 1}, validate=False)
    assert str(info.value) == (
        "override 'payload.object.start_time.day': payload.object.start_time is a generated str,"
        " not an object or list, so it has no fields to set"
    )


def test_values_written_inline_are_those_the_kinds_draw(monkeypatch: pytest.MonkeyPatch) -> None:
    """The compiled plans write the common kinds (names, ids, pool values, times) as inline
    expressions: they give exactly the values the kinds' own functions give."""

    def every_event() -> list[Any]:
        fake._plan.cache_clear()
        return [
            generate(name, seed=seed, now=1_795_000_000.5 + seed, full=seed == 2)[0]
            for name in event_names()
            for seed in (1, 2)
        ]

    compiler = fake._Compiler({}, GENERATION)
    strings = (
        "zoom_id",
        "meeting_uuid",
        "name",
        "topic",
        "datetime",
        "token",
        "share_url",
        "device",
    )
    kinds = [GENERATION.string_kinds[k] for k in strings]
    kinds += [GENERATION.number_kinds[k] for k in ("event_ts", "file_size")]
    assert all(compiler.inline(kind) for kind in kinds)
    inline = every_event()
    monkeypatch.setattr(fake._Compiler, "inline", lambda self, draw: None)
    called = every_event()
    fake._plan.cache_clear()
    assert inline == called


def test_generation_knows_no_providers_kinds_by_itself() -> None:
    # Zoom's schemas name Zoom's kinds, which only Zoom's profile knows.
    with pytest.raises(ConfigurationError, match="unknown x-hookmock-fake kind 'zoom_id'"):
        fake.generate("meeting.started", seed=1, now=NOW)
    assert "zoom_id" in GENERATION.kinds and "zoom_id" not in fake.FAKE_KINDS
    assert GENERATION.kinds > fake.FAKE_KINDS


def test_a_provider_hands_its_profile_to_the_generator() -> None:
    assert Zoom.generation is GENERATION
    data = _zoom().fake("meeting.started", seed=4).data
    assert data == generate("meeting.started", seed=4, now=NOW)[0]


def test_iso_times_are_strftimes_at_every_minute_and_second() -> None:
    from hookmock.generate.kinds import iso, parse_iso

    day = 1_795_000_000 - 1_795_000_000 % 86400
    for epoch in [*range(day, day + 86400, 61), day + 86399, 0, 951_782_400]:
        text = iso(epoch)
        assert text == time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))
        assert parse_iso(text) == epoch


def _without_rule_inputs() -> GenerationProfile:
    """Zoom's profile, not saying which fields its rules read: overrides go before the rules."""
    return GenerationProfile(
        string_kinds=GENERATION.string_kinds,
        number_kinds=GENERATION.number_kinds,
        name_kinds=GENERATION.name_kinds,
        format_kinds=GENERATION.format_kinds,
        suffix_kinds=GENERATION.suffix_kinds,
        coherence=GENERATION.coherence,
    )


@pytest.mark.parametrize("event", [*EVENTS[::9], "recording.completed", "meeting.participant_left"])
def test_overrides_of_fields_no_rule_reads_give_what_overrides_before_the_rules_give(
    event: str,
) -> None:
    # Overrides of fields no rule reads are set once the rules have run, which must make the
    # same body as setting them first and leaving them alone in the rules.
    before_rules = _without_rule_inputs()
    inputs = GENERATION.rule_inputs
    assert inputs is not None
    sample = fake.generate(event, seed=3, now=NOW, profile=GENERATION)[0]
    paths: dict[str, Any] = {}
    for level in ("", "payload", "payload.object"):
        node: Any = sample
        for step in filter(None, level.split(".")):
            node = node.get(step) if isinstance(node, dict) else None
        for key, value in (node or {}).items() if isinstance(node, dict) else ():
            if key not in inputs and type(value) in (str, int):
                paths[f"{level}.{key}".lstrip(".")] = "Q3 review" if type(value) is str else 7
    if not paths:
        pytest.skip(f"{event} has no field to override that no rule reads")
    for seed in range(3, 8):
        after, overridden = fake.generate(
            event, seed=seed, now=NOW, overrides=paths, profile=GENERATION
        )
        first, _ = fake.generate(event, seed=seed, now=NOW, overrides=paths, profile=before_rules)
        assert after == first
        assert overridden == set(paths)
