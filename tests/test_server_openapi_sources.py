"""The control API's OpenAPI document follows the code: each value the code defines (an enum, a
record's fields, a default, a bound) is taken from its one definition, so a value added there
appears in the document, and the server validates and answers by the same definitions."""

from __future__ import annotations

import enum
import inspect
import json
from collections.abc import Callable, Iterator
from typing import Any, TypedDict

import pytest
from werkzeug.test import Client

from hookmock import Zoom
from hookmock.engine import timeline
from hookmock.engine.simulator import Provider
from hookmock.generate import events
from hookmock.records import outcome
from hookmock.server import MockServerApp, openapi, shapes, state
from hookmock.server.state import ServerState
from tests.receivers import zoom_receiver

SECRET = "openapi-sources-secret"


def _at(document: Any, pointer: str) -> Any:
    for part in pointer.strip("/").split("/"):
        document = document[part]
    return document


def _enums(node: Any, pointer: str = "") -> Iterator[str]:
    """The JSON pointer of every ``enum`` in *node*."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "enum":
                yield pointer + "/enum"
            else:
                yield from _enums(value, f"{pointer}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _enums(value, f"{pointer}/{index}")


def _more_outcomes(monkeypatch: pytest.MonkeyPatch) -> None:
    members = {member.name: member.value for member in outcome.Outcome}
    members["BOUNCED"] = "bounced"
    monkeypatch.setattr(outcome, "Outcome", enum.Enum("Outcome", members))


def _more_faults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(timeline.FAULTS, "bounced", (outcome.Outcome.CONNECTION_ERROR, "bounced"))


# Where the document has an enum: its place, its source now, and how to add "bounced" to it.
_SCHEMAS = "/components/schemas"
ENUMS: list[tuple[str, Callable[[], list[Any]], Callable[[pytest.MonkeyPatch], None]]] = [
    (
        f"{_SCHEMAS}/Delivery/properties/outcome/enum",
        lambda: [member.value for member in outcome.Outcome],
        _more_outcomes,
    ),
    (
        f"{_SCHEMAS}/Subscription/properties/created_source/enum",
        lambda: list(state.CREATED_SOURCES),
        lambda mp: mp.setattr(state, "CREATED_SOURCES", (*state.CREATED_SOURCES, "bounced")),
    ),
    (
        f"{_SCHEMAS}/Job/properties/kind/enum",
        lambda: list(timeline.JOB_KINDS),
        lambda mp: mp.setattr(timeline, "JOB_KINDS", (*timeline.JOB_KINDS, "bounced")),
    ),
    (
        f"{_SCHEMAS}/State/properties/faults/items/properties/kind/enum",
        lambda: list(timeline.FAULTS),
        _more_faults,
    ),
    (f"{_SCHEMAS}/FaultRequest/properties/kind/enum", lambda: list(timeline.FAULTS), _more_faults),
    (
        f"{_SCHEMAS}/TriggerRequest/properties/serialization/enum",
        lambda: list(events.SERIALIZATIONS),
        lambda mp: mp.setitem(events.SERIALIZATIONS, "bounced", events.SERIALIZATIONS["zoom"]),
    ),
]


def test_every_enum_of_the_document_has_a_source() -> None:
    """An enum written into the document by hand fails here: give it a source in ENUMS."""
    assert sorted(_enums(openapi.DOCUMENT)) == sorted(pointer for pointer, _, _ in ENUMS)


@pytest.mark.parametrize(("pointer", "source", "add"), ENUMS, ids=[p for p, _, _ in ENUMS])
def test_a_value_added_to_an_enums_source_appears_in_the_document(
    monkeypatch: pytest.MonkeyPatch,
    pointer: str,
    source: Callable[[], list[Any]],
    add: Callable[[pytest.MonkeyPatch], None],
) -> None:
    assert _at(openapi.DOCUMENT, pointer) == source()
    assert "bounced" not in source()
    add(monkeypatch)
    assert "bounced" in source()
    assert _at(openapi.build(), pointer) == source()


# -- records ------------------------------------------------------------------------------------

RECORDS = {
    "Delivery": shapes.DeliveryRecord,
    "Subscription": shapes.SubscriptionRecord,
    "Job": shapes.JobRecord,
    "Notice": shapes.NoticeRecord,
    "State": shapes.StateRecord,
    "EventList": shapes.EventList,
    "TriggerResult": shapes.TriggerResult,
    "DeliveryList": shapes.DeliveryList,
    "ClockResult": shapes.ClockResult,
    "FaultResult": shapes.FaultResult,
    "ResetResult": shapes.ResetResult,
}


@pytest.mark.parametrize("name", sorted(RECORDS))
def test_each_records_schema_lists_the_fields_of_its_typed_dictionary(name: str) -> None:
    schema = openapi.DOCUMENT["components"]["schemas"][name]
    fields = list(RECORDS[name].__annotations__)
    assert schema["required"] == fields
    assert list(schema["properties"]) == fields


def test_a_field_added_to_a_record_appears_in_the_document(monkeypatch: pytest.MonkeyPatch) -> None:
    job = TypedDict(  # type: ignore[misc]
        "JobRecord",
        {**shapes.JobRecord.__annotations__, "attempts": int, "owners": list[str] | None},
    )
    monkeypatch.setattr(shapes, "JobRecord", job)
    schemas = openapi.build()["components"]["schemas"]
    assert schemas["Job"]["required"][-2:] == ["attempts", "owners"]
    assert schemas["Job"]["properties"]["attempts"] == {"type": "integer"}
    assert schemas["Job"]["properties"]["owners"] == {
        "type": ["array", "null"],
        "items": {"type": "string"},
    }
    # The notes on the other fields stay, and the state still refers to the component.
    assert schemas["Job"]["properties"]["kind"]["enum"] == list(timeline.JOB_KINDS)
    assert schemas["State"]["properties"]["pending"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/Job"},
    }


def test_notes_on_a_field_a_record_no_longer_has_are_an_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fields = dict(shapes.JobRecord.__annotations__)
    del fields["subscription"]
    monkeypatch.setattr(shapes, "JobRecord", TypedDict("JobRecord", fields))  # type: ignore[misc]
    with pytest.raises(TypeError, match="describes fields that JobRecord does not have: subscr"):
        openapi.build()


def _exact(document: dict[str, Any], schema: dict[str, Any], value: Any, path: str) -> None:
    """Every object in *value* has exactly the properties its schema lists."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        schema = document["components"]["schemas"][name]
    if isinstance(value, dict) and "properties" in schema:
        assert sorted(value) == sorted(schema["properties"]), path
        for key, item in value.items():
            _exact(document, schema["properties"][key], item, f"{path}.{key}")
    elif isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            _exact(document, schema["items"], item, f"{path}[{index}]")


def test_the_servers_records_have_exactly_the_documented_fields() -> None:
    """Schemathesis checks the required fields and their types; this, that nothing else comes."""
    zoom = Zoom(secret_token=SECRET, seed=5)
    zoom.subscribe(zoom_receiver(SECRET), path="/hook")
    client = Client(MockServerApp(ServerState(zoom)))
    document = openapi.DOCUMENT
    json = {"Content-Type": "application/json"}
    answers = [
        ("FaultResult", client.post("/_hookmock/faults", json={"kind": "timeout"})),
        ("TriggerResult", client.post("/_hookmock/trigger", json={"event": "meeting.started"})),
        ("State", client.get("/_hookmock/state")),
        ("DeliveryList", client.get("/_hookmock/deliveries")),
        ("EventList", client.get("/_hookmock/events?prefix=meeting.st")),
        ("ClockResult", client.post("/_hookmock/clock/advance", json={"minutes": 5})),
        ("ClockResult", client.post("/_hookmock/run-until-idle", headers=json)),
        ("ResetResult", client.post("/_hookmock/reset", headers=json)),
    ]
    for name, reply in answers:
        assert reply.status_code == 200, reply.get_data(as_text=True)
        _exact(document, {"$ref": "#/components/schemas/" + name}, reply.get_json(), name)
    state_now = answers[2][1].get_json()
    assert state_now["pending"] and state_now["subscriptions"]  # records of each kind were seen
    assert answers[1][1].get_json()["deliveries"][0]["response"] is None  # the scripted timeout


# -- request bodies, defaults and bounds --------------------------------------------------------


def test_the_server_validates_bodies_with_the_documents_schema_objects(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kind = openapi.DOCUMENT["components"]["schemas"]["FaultRequest"]["properties"]["kind"]
    assert openapi.body_errors("FaultRequest", {"kind": "bounced"})
    openapi._validator.cache_clear()
    monkeypatch.setitem(kind, "enum", [*kind["enum"], "bounced"])
    try:
        assert openapi.body_errors("FaultRequest", {"kind": "bounced"}) == []
    finally:
        openapi._validator.cache_clear()


def test_the_request_defaults_are_those_of_the_methods_the_requests_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The engine's methods, which the requests call whatever the provider: not a provider's.
    fake = Provider.fake.__kwdefaults__
    fail_next = Provider.fail_next.__kwdefaults__
    assert fake is not None and fail_next is not None
    assert openapi.defaults("TriggerRequest") == {
        "validate": fake["validate"],
        "serialization": fake["serialization"],
    }
    assert openapi.defaults("FaultRequest") == {"times": fail_next["times"]}
    monkeypatch.setitem(fake, "serialization", "pretty")
    monkeypatch.setitem(fail_next, "times", 3)
    schemas = openapi.build()["components"]["schemas"]
    assert schemas["TriggerRequest"]["properties"]["serialization"]["default"] == "pretty"
    assert schemas["FaultRequest"]["properties"]["times"]["default"] == 3


def test_a_fault_request_without_times_is_scripted_with_the_documented_default() -> None:
    zoom = Zoom(secret_token=SECRET)
    client = Client(MockServerApp(ServerState(zoom)))
    reply = client.post("/_hookmock/faults", json={"kind": "reset"})
    assert reply.get_json()["times"] == openapi.defaults("FaultRequest")["times"]
    assert len(client.get("/_hookmock/state").get_json()["faults"]) == reply.get_json()["times"]


def test_the_advance_units_are_the_clocks_own() -> None:
    parameters = inspect.signature(timeline.Timeline.advance).parameters
    assert list(openapi.ADVANCE_UNITS) == [name for name in parameters if name != "self"]
    advance = openapi.DOCUMENT["components"]["schemas"]["AdvanceRequest"]
    assert list(advance["properties"]) == list(openapi.ADVANCE_UNITS)
    for unit, seconds in openapi.ADVANCE_UNITS.items():
        assert advance["properties"][unit]["maximum"] * seconds == openapi.MAX_ADVANCE_SECONDS


def test_the_deliveries_query_bounds_are_documented_and_applied_from_one_place(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parameters = openapi.DOCUMENT["paths"]["/_hookmock/deliveries"]["get"]["parameters"]
    documented = {p["name"]: p["schema"] for p in parameters if p["name"] in ("since", "limit")}
    for name, schema in openapi.DELIVERIES_QUERY.items():
        assert documented[name] is schema
    monkeypatch.setitem(openapi.DELIVERIES_QUERY["limit"], "maximum", 5)
    client = Client(MockServerApp(ServerState(Zoom(secret_token=SECRET))))
    assert client.get("/_hookmock/deliveries?limit=5").status_code == 200
    refused = client.get("/_hookmock/deliveries?limit=6")
    assert refused.status_code == 422
    assert refused.get_json()["message"] == (
        "query parameter limit='6': expected an integer from 1 to 5"
    )


def test_the_retry_schedule_in_the_descriptions_is_zooms(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    description = openapi.document_for(Zoom)["info"]["description"]
    assert "(retries at +5, +20, +60 min; re-validation every 72 h)" in description
    # The control API's own document names no provider's schedule.
    assert "retries at" not in openapi.DOCUMENT["info"]["description"]
    monkeypatch.setattr(Zoom, "retry_delays", (60.0, 90.0))
    monkeypatch.setattr(Zoom, "revalidation_interval", 24 * 3600.0)
    document = openapi.build(Zoom)
    assert "(retries at +1, +1.5 min; re-validation every 24 h)" in document["info"]["description"]
    next_step = document["components"]["schemas"]["Delivery"]["properties"]["next_step"]
    assert next_step["description"].startswith("'retry 1 at +1 min', 'done: acknowledged', ")
    assert "'dropped after 2 retries'" in next_step["description"]


def test_the_control_apis_own_document_names_no_provider() -> None:
    """The document the requests are checked against is hookmock's own: its request schemas
    and error shape come from hookmock's code, whatever provider a server serves."""
    document = json.loads(json.dumps(openapi.DOCUMENT))
    # Serialization names come from the code's own list (one is named after the provider whose
    # byte form it is), as the other enums do.
    serialization = document["components"]["schemas"]["TriggerRequest"]["properties"]
    assert serialization["serialization"].pop("enum") == list(events.SERIALIZATIONS)
    text = json.dumps(document).lower()
    for name in ("zoom", "github", "stripe", "slack", "meeting"):
        assert name not in text, name
    error = openapi.DOCUMENT["components"]["schemas"]["Error"]
    assert error["required"] == ["status", "message"]
    served = openapi.document_for(Zoom)["components"]["schemas"]
    for name in openapi.REQUEST_SCHEMAS:
        assert served[name] is openapi.DOCUMENT["components"]["schemas"][name]
    assert served["Error"] == error  # Zoom's own endpoints are not the control API
