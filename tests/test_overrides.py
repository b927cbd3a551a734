"""Override paths are checked against the event's schema: a typo is refused with the closest
valid paths, in the API, the CLI and the control API; new fields need hookmock.ADD (--add)."""

from __future__ import annotations

import re
from typing import Any

import pytest

import hookmock
from hookmock import ADD, REMOVE, OverrideError, UnknownFieldError, Zoom
from hookmock.cli import main
from hookmock.engine.overrides import check_paths, leaf_check
from hookmock.generate.catalog import Catalog, load_schema
from hookmock.generate.profile import GenerationProfile
from hookmock.providers.zoom.coherence import GENERATION
from tests.server_helpers import Api

MEETING_OBJECT_FIELDS = load_schema("meeting.started")["properties"]["payload"]["properties"][
    "object"
]["properties"]
HINT = (
    "hint: to create a field the schema does not know, wrap its value: "
    "{'payload.object.new_field': hookmock.ADD(value)} (CLI: --add PATH=VALUE); "
    "validate=False (CLI: --no-validate) turns off every schema check"
)


@pytest.fixture
def zoom() -> Zoom:
    return Zoom(secret_token="overrides", seed=11)


def test_a_typo_in_a_parent_names_the_closest_valid_path(zoom: Zoom) -> None:
    with pytest.raises(UnknownFieldError) as failure:
        zoom.fake("meeting.started", {"payload.objet.topic": "Q3"})
    assert str(failure.value) == "\n".join(
        [
            "an override path names no field in the schema of 'meeting.started':",
            "  'payload.objet.topic': no field 'objet' in payload; "
            "did you mean 'payload.object.topic'?",
            HINT,
        ]
    )
    assert failure.value.suggestions == {"payload.objet.topic": ["payload.object.topic"]}
    assert isinstance(failure.value, OverrideError)


@pytest.mark.parametrize(
    ("path", "reason", "suggestions"),
    [
        ("payload.object.topci", "no field 'topci' in payload.object", ["payload.object.topic"]),
        ("payload.topic", "no field 'topic' in payload", ["payload.object.topic"]),
        ("topic", "no field 'topic' in the body's top level", ["payload.object.topic"]),
        ("paylaod.object.uuid", "no field 'paylaod' in the body's top level", None),
        (
            "payload.object.topic.text",
            "payload.object.topic is a string in the schema, not an object or list",
            [],
        ),
        (
            "payload.object.zzz",
            # The schema's fields of payload.object, sorted.
            "no field 'zzz' in payload.object (its fields: "
            + ", ".join(sorted(MEETING_OBJECT_FIELDS))
            + ")",
            [],
        ),
    ],
)
def test_each_kind_of_unknown_path(
    zoom: Zoom, path: str, reason: str, suggestions: list[str] | None
) -> None:
    with pytest.raises(UnknownFieldError) as failure:
        zoom.fake("meeting.started", {path: 1})
    assert failure.value.reasons == {path: reason}
    expected = ["payload.object.uuid"] if suggestions is None else suggestions
    assert failure.value.suggestions[path] == expected


def test_every_unknown_path_is_listed_at_once(zoom: Zoom) -> None:
    overrides = {
        "payload.object.participant.user_nam": "Ada",
        "payload.object.topic": "fine",
        "payload.object.participant.emial": "ada@example.com",
    }
    with pytest.raises(UnknownFieldError) as failure:
        zoom.fake("meeting.participant_joined", overrides)
    lines = str(failure.value).splitlines()
    assert lines[0] == (
        "2 override paths name no field in the schema of 'meeting.participant_joined':"
    )
    assert lines[1].startswith(
        "  'payload.object.participant.user_nam': no field 'user_nam' in "
        "payload.object.participant; did you mean 'payload.object.participant.user_name'"
    )
    assert lines[2] == (
        "  'payload.object.participant.emial': no field 'emial' in payload.object.participant; "
        "did you mean 'payload.object.participant.email'?"
    )


def test_paths_through_lists_and_removals_are_checked(zoom: Zoom) -> None:
    event = zoom.fake("recording.completed", {"payload.object.recording_files.0.file_type": "MP4"})
    assert event.data["payload"]["object"]["recording_files"][0]["file_type"] == "MP4"
    removed = zoom.fake("meeting.started", {"payload.object.timezone": REMOVE})
    assert "timezone" not in removed.data["payload"]["object"]
    with pytest.raises(UnknownFieldError) as failure:
        zoom.fake("recording.completed", {"payload.object.recording_files.0.file_typ": "MP4"})
    assert failure.value.suggestions == {
        "payload.object.recording_files.0.file_typ": ["payload.object.recording_files.0.file_type"]
    }
    with pytest.raises(UnknownFieldError, match=re.escape("did you mean 'payload.object.topic'")):
        zoom.fake("meeting.started", {"payload.object.topik": REMOVE})


def test_a_path_found_in_one_event_is_still_checked_in_another(zoom: Zoom) -> None:
    files = "payload.object.recording_files.0.file_type"
    for _ in range(2):
        assert zoom.fake("recording.completed", {files: "MP4"}).overridden == {files}
    # The same path, valid for recording.completed, names no field of meeting.started: each
    # time it is asked for, also after a valid path of meeting.started was checked.
    zoom.fake("meeting.started", {"payload.object.topic": "Q3"})
    for _ in range(2):
        with pytest.raises(UnknownFieldError, match="no field 'recording_files'"):
            zoom.fake("meeting.started", {files: "MP4", "payload.object.topic": "Q3"})


def test_add_creates_a_field_the_schema_does_not_know(zoom: Zoom) -> None:
    event = zoom.fake(
        "meeting.started",
        {"payload.object.internal.ref": ADD("r-42"), "payload.object.topic": "Q3"},
    )
    assert event.data["payload"]["object"]["internal"] == {"ref": "r-42"}
    assert event.data["payload"]["object"]["topic"] == "Q3"
    assert b'"internal":{"ref":"r-42"}' in event.body
    assert repr(ADD("r-42")) == "hookmock.ADD('r-42')"
    assert hookmock.ADD is ADD


def test_validate_false_turns_the_path_check_off(zoom: Zoom) -> None:
    event = zoom.fake("meeting.started", {"payload.objet.topic": "Q3"}, validate=False)
    assert event.data["payload"]["objet"] == {"topic": "Q3"}


def test_send_refuses_a_typo_before_delivering(zoom: Zoom) -> None:
    from tests.receivers import zoom_receiver

    zoom.subscribe(zoom_receiver(zoom.secret_token))
    with pytest.raises(UnknownFieldError):
        zoom.send("meeting.started", {"payload.objet.topic": "Q3"})
    assert [d.event.name for d in zoom.deliveries] == ["endpoint.url_validation"]


def test_open_objects_take_any_path() -> None:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {
            "payload": {
                "type": "object",
                "properties": {
                    "settings": {"type": "object"},
                    "extra": {"type": "object", "additionalProperties": {"type": "string"}},
                    "choice": {"anyOf": [{"$ref": "#/$defs/a"}, {"type": "null"}]},
                },
            }
        },
        "$defs": {"a": {"type": "object", "properties": {"deep": {"type": "integer"}}}},
    }
    check_paths(
        "x.y",
        schema,
        {"payload.settings.any.thing": 1, "payload.extra.key": "v", "payload.choice.deep": 2},
    )
    with pytest.raises(UnknownFieldError, match=re.escape("did you mean 'payload.choice.deep'")):
        check_paths("x.y", schema, {"payload.choice.dep": 2})


# -- the CLI --------------------------------------------------------------------------------------


def test_cli_set_with_a_typo_exits_2_with_the_message(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["fake", "meeting.started", "--set", "payload.objet.topic=Q3"])
    assert code == 2
    assert capsys.readouterr().err == (
        "hookmock fake: error: an override path names no field in the schema of "
        "'meeting.started':\n"
        "  'payload.objet.topic': no field 'objet' in payload; did you mean "
        "'payload.object.topic'?\n"
        "hint: --add PATH=VALUE creates a field the schema does not know; --no-validate turns "
        "off every schema check\n"
    )


def test_cli_add_creates_a_field(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["fake", "meeting.started", "--seed", "1", "--time", "1700000000"]
    code = main([*argv, "--add", "payload.object.ref=42", "--set", "payload.object.topic=Q3"])
    out = capsys.readouterr().out
    assert code == 0
    assert '"topic":"Q3"' in out and '"ref":42' in out
    assert main([*argv, "--add", "no-equals-sign"]) == 2
    assert "--add 'no-equals-sign': expected PATH=VALUE" in capsys.readouterr().err


def test_cli_trigger_with_a_typo_sends_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    # The URL is never contacted: the typo is refused while the event is made.
    code = main(
        [
            "trigger",
            "meeting.started",
            "--url",
            "http://127.0.0.1:9/zoom/webhook",
            "--secret-token",
            "s",
            "--set",
            "payload.object.topicc=Q3",
        ]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("hookmock trigger: error: an override path names no field")
    assert "did you mean 'payload.object.topic'?" in err


# -- the control API ------------------------------------------------------------------------------


def test_control_api_answers_422_naming_the_path(api: Api) -> None:
    reply = api.post(
        "/_hookmock/trigger",
        {"event": "meeting.started", "overrides": {"payload.objet.topic": "Q3"}},
    )
    assert reply.status == 422
    body = reply.json()
    assert body["errors"] == [
        {
            "field": "$.overrides['payload.objet.topic']",
            "message": "'payload.objet.topic': no field 'objet' in payload; "
            "did you mean 'payload.object.topic'?",
        }
    ]
    assert reply.message.endswith(
        'hint: send "validate": false to set fields the schema does not know'
    )


# -- overrides judged alone ------------------------------------------------------------------------


def test_a_field_no_rule_reads_is_judged_alone() -> None:
    schema = load_schema("meeting.started")
    inputs = GENERATION.rule_inputs
    assert inputs is not None
    check = leaf_check(schema, "payload.object.topic", inputs)
    assert check is not None
    assert check.accepts("Q3 review")
    # topic: a string of 1 to 200 characters; a bool is no integer, an integer no string.
    for value in ("", "x" * 201, 5, None, True):
        assert not check.accepts(value)
    # Read by Zoom's rules (times follow start_time and duration), or checked by a format or
    # pattern only the validator knows: the event is validated whole.
    for path in ("payload.object.start_time", "payload.object.duration", "payload.object.id"):
        assert leaf_check(schema, path, inputs) is None
    assert leaf_check(schema, "payload.object.host_email", frozenset()) is None
    assert leaf_check(schema, "payload.object.uuid", frozenset()) is None


def test_a_field_of_several_types_is_judged_with_the_whole_event() -> None:
    # JSON Schema's list of types (OpenAPI 3.1's nullable fields): not a leaf judged alone.
    schema = {
        "type": "object",
        "required": ["note"],
        "properties": {"note": {"type": ["string", "null"], "maxLength": 5}},
    }
    assert leaf_check(schema, "note", frozenset()) is None


def test_a_field_judged_alone_lies_below_objects_that_are_always_there() -> None:
    schema: dict[str, Any] = {
        "type": "object",
        "required": ["a"],
        "properties": {
            "a": {"type": "object", "required": [], "properties": {"b": {"type": "string"}}},
            "c": {"type": "object", "properties": {"d": {"type": "string"}}},
            "e": {"type": "integer", "enum": [1, 2]},
            "f": {"type": "string", "enum": ["x", "y"]},
            "g": {"type": "integer", "minimum": 2, "maximum": 4, "x-hookmock-fake": "count"},
        },
    }
    # b may be optional itself; c, which holds d, may be missing (an override would make it
    # an empty object).
    assert leaf_check(schema, "a.b", frozenset()) is not None
    assert leaf_check(schema, "c.d", frozenset()) is None
    assert leaf_check(schema, "a.b", frozenset({"b"})) is None
    # An enum of integers is left to the validator (1 == True in Python, not in JSON).
    assert leaf_check(schema, "e", frozenset()) is None
    strings = leaf_check(schema, "f", frozenset())
    assert strings is not None and strings.accepts("y") and not strings.accepts("z")
    numbers = leaf_check(schema, "g", frozenset())
    assert numbers is not None
    assert [numbers.accepts(v) for v in (1, 2, 4, 5, 3.0, False)] == [False, True, True] + [
        False
    ] * 3
    schema["properties"]["a"]["anyOf"] = [{"required": ["b"]}]
    assert leaf_check(schema, "a.b", frozenset()) is None


def test_an_override_judged_alone_skips_validating_the_whole_event(
    zoom: Zoom, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hookmock.generate import catalog

    validated: list[str] = []
    real = catalog.validate

    def counting(name: str, data: Any, provider: str = "zoom") -> None:
        validated.append(name)
        real(name, data, provider)

    monkeypatch.setattr(catalog, "validate", counting)
    assert (
        zoom.fake("meeting.started", topic="Q3 review").data["payload"]["object"]["topic"]
        == "Q3 review"
    )
    assert validated == []
    zoom.fake("meeting.started", duration=30)
    assert validated == ["meeting.started"]
    # A value its field's schema refuses is still refused, with the validator's message.
    with pytest.raises(hookmock.SchemaViolationError, match=r"payload\.object\.topic"):
        zoom.fake("meeting.started", topic="")
    # A hook that changes the body may break it: then the event is validated whole.
    zoom.generation_hooks.append(lambda event, data: None)
    zoom.fake("meeting.started", topic="Q3 review")
    assert validated[-1] == "meeting.started" and len(validated) == 3


# -- what is kept of override paths ----------------------------------------------------------------


def _note(text: dict[str, Any]) -> dict[str, Any]:
    note = {"type": "object", "required": ["text"], "properties": {"text": text}}
    return {"type": "object", "required": ["note"], "properties": {"note": note}}


class _NoteAdapter(hookmock.Adapter):
    name = "overrides-kept-test"
    field_levels = ("note", "")
    # No rules: an override of a plain field is judged alone.
    generation = GenerationProfile(rule_inputs=())
    catalog = Catalog({"note.made": _note({"type": "string", "maxLength": 5})})


@pytest.fixture
def validated(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the events validated whole, in order."""
    from hookmock.generate import catalog

    names: list[str] = []
    real = catalog.validate

    def counting(name: str, data: Any, provider: str = "zoom") -> None:
        names.append(name)
        real(name, data, provider)

    monkeypatch.setattr(catalog, "validate", counting)
    return names


def test_what_is_kept_of_override_paths_follows_the_catalog(validated: list[str]) -> None:
    provider = hookmock.Provider(adapter=_NoteAdapter(), seed=1)
    for _ in range(2):
        assert provider.fake("note.made", text="short").data == {"note": {"text": "short"}}
        assert provider.fake("note.made", {"note.text": "brief"}).overridden == {"note.text"}
    assert validated == []
    # The same names and paths, in the catalog registered anew: text is an integer now.
    provider.adapter.catalog = Catalog({"note.made": _note({"type": "integer"})})
    for _ in range(2):
        with pytest.raises(hookmock.SchemaViolationError, match=r"note\.text"):
            provider.fake("note.made", text="short")
        with pytest.raises(hookmock.SchemaViolationError, match=r"note\.text"):
            provider.fake("note.made", {"note.text": "brief"})
        assert provider.fake("note.made", text=7).data == {"note": {"text": 7}}
    # And once more: the field is gone.
    provider.adapter.catalog = Catalog(
        {"note.made": {"type": "object", "properties": {"memo": {"type": "string"}}}}
    )
    with pytest.raises(OverrideError, match="has no field 'text' in note or the top level"):
        provider.fake("note.made", text="short")
    with pytest.raises(UnknownFieldError, match="no field 'note'"):
        provider.fake("note.made", {"note.text": "brief"})


def test_what_is_kept_of_field_names_follows_the_field_levels(zoom: Zoom) -> None:
    assert zoom.fake("meeting.started", topic="Q3").overridden == {"payload.object.topic"}
    zoom.adapter.field_levels = ("payload", "")
    with pytest.raises(OverrideError, match="has no field 'topic' in payload or the top level"):
        zoom.fake("meeting.started", topic="Q3")
    moment = 1_795_000_000_000
    assert zoom.fake("meeting.started", event_ts=moment).data["event_ts"] == moment


@pytest.mark.parametrize("value", [5, True, "", "x" * 201, None, 2.5])
def test_a_value_judged_alone_does_not_let_another_value_pass(
    zoom: Zoom, validated: list[str], value: Any
) -> None:
    for _ in range(2):
        zoom.fake("meeting.started", topic="Q3 review")
        zoom.fake("meeting.started", {"payload.object.topic": "Q3 review"})
    assert validated == []
    for _ in range(2):
        with pytest.raises(hookmock.SchemaViolationError, match=r"payload\.object\.topic"):
            zoom.fake("meeting.started", topic=value)
        with pytest.raises(hookmock.SchemaViolationError, match=r"payload\.object\.topic"):
            zoom.fake("meeting.started", {"payload.object.topic": value})
    assert len(validated) == 4
    zoom.fake("meeting.started", topic="Q3 review")
    assert len(validated) == 4


def test_a_removal_and_added_values_are_validated_whole(zoom: Zoom, validated: list[str]) -> None:
    for _ in range(2):
        zoom.fake("meeting.started", timezone="UTC")
    assert validated == []
    removed = zoom.fake("meeting.started", timezone=REMOVE)
    assert "timezone" not in removed.data["payload"]["object"]
    assert validated == ["meeting.started"]
    # A field the schema does not know cannot be judged alone; one it knows can.
    ref = "payload.object.internal_ref"
    added = zoom.fake("meeting.started", {ref: ADD("r-1")}, topic="Q3")
    assert added.data["payload"]["object"]["internal_ref"] == "r-1"
    assert added.overridden == {ref, "payload.object.topic"}
    assert validated == ["meeting.started"] * 2
    zoom.fake("meeting.started", {"payload.object.timezone": ADD("UTC")}, topic="Q3")
    assert validated == ["meeting.started"] * 2


def test_what_is_kept_follows_the_rules_inputs(
    zoom: Zoom, validated: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(2):
        zoom.fake("meeting.started", topic="Q3 review")
    assert validated == []
    # A rule that reads topic: the event is validated whole, and the rules see the value.
    monkeypatch.setattr(GENERATION, "rule_inputs", GENERATION.rule_inputs | {"topic"})
    for _ in range(2):
        event = zoom.fake("meeting.started", topic="Q3 review")
        assert event.data["payload"]["object"]["topic"] == "Q3 review"
    assert validated == ["meeting.started"] * 2


@pytest.mark.parametrize("value", [{"x": 1}, [1]])
@pytest.mark.parametrize(
    ("make", "event", "path", "where"),
    [
        (
            lambda: Zoom(secret_token="s", seed=1),
            "recording.recovered",
            "payload.object.recording_files.0.file_type",
            "$.payload.object.recording_files[0]",
        ),
        (
            lambda: hookmock.Slack(secret="s", seed=1),
            "app_home_opened",
            "event.type",
            "$.event.type",
        ),
    ],
)
def test_an_object_where_a_rule_reads_a_string_is_a_schema_violation(
    make: Any, event: str, path: str, where: str, value: object
) -> None:
    # The consistency rules read these fields as strings; an object or a list there is reported
    # by the schema check with its JSON path, not a TypeError from inside a rule.
    with pytest.raises(hookmock.SchemaViolationError, match=re.escape(where + ":")):
        make().fake(event, overrides={path: value})


def test_a_path_into_an_object_without_fields_says_so() -> None:
    schema = {"type": "object", "properties": {"meta": {"type": "object", "properties": {}}}}
    with pytest.raises(UnknownFieldError) as failure:
        check_paths("custom.event", schema, {"meta.note": "x"})
    assert "meta is an object that declares no fields in the schema" in str(failure.value)
    assert "not an object or list" not in str(failure.value)


@pytest.mark.parametrize(
    ("make", "event", "example"),
    [
        (lambda: Zoom(secret_token="s", seed=1), "meeting.started", "payload.object.new_field"),
        (lambda: hookmock.Stripe(secret="whsec_s", seed=1), None, "data.object.new_field"),
        (lambda: hookmock.GitHub(secret="s", seed=1), None, "new_field"),
    ],
)
def test_the_hint_shows_a_new_field_where_the_provider_keeps_its_fields(
    make: Any, event: str | None, example: str
) -> None:
    provider = make()
    name = event or provider.event_names()[0]
    with pytest.raises(UnknownFieldError) as failure:
        provider.fake(name, overrides={"no_such_field_at_all.x": 1})
    assert f"{{{example!r}: hookmock.ADD(value)}}" in str(failure.value)
