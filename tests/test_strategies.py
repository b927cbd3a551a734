"""hookmock.strategies: schema-valid events for every event of the catalog, exploring what the
schema allows, byte-exact, with pinned fields."""

from __future__ import annotations

import functools
import json
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hookmock.strategies as strategies
from hookmock import REMOVE, Event, Zoom
from hookmock.engine import catalog
from hookmock.engine.events import serialize
from hookmock.errors import OverrideError, SchemaViolationError, UnknownEventError

# Deterministic in CI: the same examples on every run, no example database.
FEW = settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
MANY = settings(max_examples=150, deadline=None, derandomize=True, database=None)


def _independent_errors(name: str, data: Any) -> list[str]:
    """Errors found by the pure-Python jsonschema, a second implementation beside the catalog's."""
    validator = _python_validator(name)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]


@functools.cache
def _python_validator(name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        catalog.load_schema(name), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


@pytest.mark.parametrize("name", catalog.event_names())
def test_every_event_of_the_catalog_has_a_strategy_of_valid_events(name: str) -> None:
    @FEW
    @given(strategies.variations(name))
    def check(variation: strategies.Variation) -> None:
        event = variation.event
        assert event.name == name
        assert catalog.schema_errors(name, event.data) == []
        assert _independent_errors(name, event.data) == []
        assert event.body == serialize(event.data)

    check()


def _collect(strategy: st.SearchStrategy[Any], run: settings = MANY) -> list[Any]:
    seen: list[Any] = []

    @run
    @given(strategy)
    def record(value: Any) -> None:
        seen.append(value)

    record()
    return seen


def test_examples_explore_what_the_schema_allows() -> None:
    seen = _collect(strategies.variations("meeting.participant_joined"))
    kinds = Counter(change.kind.split(" (")[0] for v in seen for change in v.changes)
    for kind in (
        "absent",
        "empty",
        "extra property",
        "boundary value",
        "enum member",
        "unusual text: non-BMP character",
        "unusual text: non-ASCII",
        "unusual text: control or invisible character",
    ):
        assert kinds[kind] > 0, f"no {kind!r} change in {len(seen)} examples: {kinds}"
    assert any(k.startswith("unusual text: long") for k in kinds), kinds
    # Every example is valid, and some stay close to the generated event.
    assert all(catalog.schema_errors(v.name, v.event.data) == [] for v in seen)
    assert any(len(v.changes) <= 2 for v in seen)


def test_optional_fields_the_generated_event_lacks_are_added() -> None:
    # A settings change names only some settings (x-hookmock-pick): the others can appear.
    seen = _collect(strategies.variations("user.settings_updated"))
    added = [c for v in seen for c in v.changes if c.kind == "present"]
    assert added
    assert all(catalog.schema_errors(v.name, v.event.data) == [] for v in seen)


def test_optional_fields_are_left_out_and_required_ones_never() -> None:
    schema = catalog.load_schema("meeting.participant_joined")
    obj = schema["properties"]["payload"]["properties"]["object"]
    required = set(obj["required"])
    optional = set(obj["properties"]) - required
    seen = _collect(strategies.bodies("meeting.participant_joined"))
    absent = {key for body in seen for key in optional if key not in body["payload"]["object"]}
    assert absent == optional
    assert all(required <= set(body["payload"]["object"]) for body in seen)


def test_the_body_is_written_as_zoom_writes_it() -> None:
    schema = catalog.load_schema("meeting.started")
    order = list(schema["properties"]["payload"]["properties"]["object"]["properties"])
    seen = _collect(strategies.events("meeting.started"))
    astral = [e for e in seen if any(ord(ch) >= 0x10000 for ch in e.body.decode() + e.text)]
    emoji = [
        e for e in seen if any(ord(ch) >= 0x10000 for ch in json.dumps(e.data, ensure_ascii=False))
    ]
    assert emoji, "no example carried a character outside the BMP"
    assert not astral, "a character outside the BMP was written raw instead of escaped"
    for event in emoji:
        # Surrogate escapes with uppercase hex, as in Zoom's captured bodies (ZOOM.md §1).
        assert re.search(rb"\\uD[89AB][0-9A-F]{2}\\uD[C-F][0-9A-F]{2}", event.body)
    for event in seen:
        assert event.body == serialize(event.data)
        assert list(event.data)[:3] == ["event", "payload", "event_ts"]  # extra keys go last
        named = [k for k in event.data["payload"]["object"] if k in order]
        assert named == sorted(named, key=order.index)


def test_a_strategy_value_can_be_sent_as_it_is() -> None:
    from tests.receivers import zoom_receiver

    zoom = Zoom(secret_token="fuzz-secret", seed=1)
    app = zoom_receiver("fuzz-secret")
    zoom.subscribe(app, events=["meeting.started"])

    @settings(max_examples=20, deadline=None, derandomize=True, database=None)
    @given(strategies.events("meeting.started"))
    def send(event: Event) -> None:
        delivery = zoom.send(event)
        delivery.assert_acknowledged()
        assert delivery.request.body == event.body

    send()
    assert app.bodies[-1] == zoom.deliveries[-1].request.body  # type: ignore[attr-defined]


def test_overrides_pin_fields_to_values_strategies_or_remove() -> None:
    seen = _collect(
        strategies.bodies(
            "meeting.started",
            overrides={
                "payload.object.topic": "Q3 review",
                "payload.object.type": st.sampled_from([2, 8]),
                "payload.object.timezone": REMOVE,
            },
        )
    )
    assert {body["payload"]["object"]["topic"] for body in seen} == {"Q3 review"}
    assert {body["payload"]["object"]["type"] for body in seen} == {2, 8}
    assert all("timezone" not in body["payload"]["object"] for body in seen)


def test_an_override_the_schema_rejects_is_refused_at_once() -> None:
    with pytest.raises(SchemaViolationError) as caught:
        strategies.events("meeting.started", overrides={"payload.object.type": 99})
    assert "$.payload.object.type" in str(caught.value)
    assert "the overrides make the event invalid" in str(caught.value)
    with pytest.raises(OverrideError, match="is not a dotted path"):
        strategies.events("meeting.started", overrides={"payload..topic": "x"})


def test_several_events_and_unknown_names() -> None:
    seen = _collect(strategies.events(["meeting.started", "meeting.ended"]))
    assert {e.name for e in seen} == {"meeting.started", "meeting.ended"}
    with pytest.raises(UnknownEventError, match=r"did you mean 'meeting\.started'"):
        strategies.events("meeting.startd")


# -- the compiler on schemas beyond the catalog's current ones ------------------------------------

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$defs": {
        "person": {
            "type": "object",
            "required": ["id"],
            "additionalProperties": False,
            "properties": {
                "id": {"type": "string", "minLength": 1, "maxLength": 4},
                "email": {"anyOf": [{"type": "string", "format": "email"}, {"const": ""}]},
            },
        }
    },
    "type": "object",
    "required": ["host", "count", "where"],
    "properties": {
        "host": {"$ref": "#/$defs/person"},
        "guests": {"type": "array", "items": {"$ref": "#/$defs/person"}, "maxItems": 2},
        "count": {"type": "integer", "exclusiveMinimum": 0, "maximum": 10},
        "ratio": {"type": "number", "minimum": 0, "maximum": 1},
        "note": {"type": ["string", "null"], "maxLength": 3},
        "step": {"type": "integer", "multipleOf": 7},
        "where": {
            "oneOf": [
                {"type": "object", "required": ["room"], "properties": {"room": {"const": "A"}}},
                {"type": "object", "required": ["url"], "properties": {"url": {"format": "uri"}}},
            ]
        },
        "both": {"allOf": [{"type": "string"}, {"pattern": "^[a-f]{2,3}$"}]},
    },
}
BASE = {
    "host": {"id": "ab", "email": "a@example.com"},
    "guests": [{"id": "c"}],
    "count": 3,
    "ratio": 0.5,
    "note": "ok",
    "step": 14,
    "where": {"room": "A"},
    "both": "abc",
}


def test_the_compiler_keeps_every_value_valid_on_a_schema_with_refs_and_combinators() -> None:
    node = strategies._compile(SCHEMA, SCHEMA)
    checker = jsonschema.Draft202012Validator(
        SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    assert checker.is_valid(BASE)
    kinds: Counter[str] = Counter()

    @settings(max_examples=200, deadline=None, derandomize=True, database=None)
    @given(st.data(), st.sampled_from(strategies._RATES))
    def vary(data: st.DataObject, rate: int) -> None:
        plan = strategies._Plan(data.draw, rate, [])
        changes: list[strategies.Change] = []
        node.vary(plan, BASE, (), changes)
        result = strategies._assemble(BASE, changes, {})
        assert checker.is_valid(result), [e.message for e in checker.iter_errors(result)]
        kinds.update(c.dotted for c in changes)
        # multipleOf is not compiled: that value is kept as generated.
        assert result.get("step", 14) == 14

    vary()
    for path in ("host.id", "guests", "count", "ratio", "note", "where", "both"):
        assert kinds[path] > 0, kinds
    assert not any(
        path.startswith("host.") and path != "host.id" and "email" not in path for path in kinds
    ), "an extra property where additionalProperties is false"


def test_importing_hookmock_and_its_plugin_does_not_import_hypothesis() -> None:
    code = (
        "import sys, hookmock, hookmock.plugin, hookmock.cli\n"
        "hookmock.Zoom\n"
        "assert 'hypothesis' not in sys.modules, 'hypothesis was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_hookmock_strategies_is_reached_from_import_hookmock() -> None:
    code = (
        "import sys, hookmock\n"
        "strategy = hookmock.strategies.events('meeting.started')\n"
        "assert 'hookmock.strategies' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def _without_hypothesis(code: str) -> subprocess.CompletedProcess[str]:
    blocked = "import sys\nsys.modules['hypothesis'] = None\n"
    return subprocess.run(
        [sys.executable, "-c", blocked + code],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    "code",
    [
        "import hookmock.strategies",
        "import hookmock\nhookmock.Zoom().fuzz('http://127.0.0.1:9/', events='meeting.started')",
    ],
    ids=["strategies", "fuzz"],
)
def test_without_the_extra_the_error_names_it(code: str) -> None:
    result = _without_hypothesis(code)
    assert result.returncode != 0
    assert "ImportError: hookmock.strategies needs Hypothesis" in result.stderr
    assert "pip install 'hookmock[fuzz]'" in result.stderr


def test_fuzzing_uses_the_strategies_compiled_from_the_schema_files(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []
    real: Callable[..., Any] = catalog.load_schema

    def spy(name: str, provider: str = "zoom") -> Any:
        calls.append(name)
        return real(name, provider)

    strategies._compiled.cache_clear()
    monkeypatch.setattr(catalog, "load_schema", spy)
    strategies.events("meeting.ended")
    strategies._compiled.cache_clear()
    assert "meeting.ended" in calls
