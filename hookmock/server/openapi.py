"""The OpenAPI 3.1 document of the mock server's control API (``/_hookmock/``).

It is served at ``/_hookmock/openapi.json``, and the server checks request bodies against its
schemas, so the document and the server cannot drift apart. What the code already defines is
taken from the code when the document is built (:func:`build`), not written here again: the
response records' fields and JSON types from :mod:`hookmock.server.shapes`; the outcomes from
:class:`~hookmock.records.outcome.Outcome`; the serializations from
:data:`hookmock.generate.events.SERIALIZATIONS`; the scripted faults from
:data:`hookmock.engine.timeline.FAULTS`; the kinds of scheduled jobs from
:data:`hookmock.engine.timeline.JOB_KINDS`; a subscription's ``created_source`` values from
:data:`hookmock.server.state.CREATED_SOURCES`; the defaults of request fields from the signatures
of the engine's methods the requests call (:class:`hookmock.engine.simulator.Provider`'s); and,
in the document of a server of one provider (:func:`document_for`), that provider's name, retry
schedule and own endpoints, in the descriptions only.
This module holds what only the control API defines (its bounds, the request bodies' schemas, the
descriptions), once, for the document and for the handlers of :mod:`hookmock.server.control`. The
request bodies' schemas are the same for every provider, and the server checks requests against
those very objects (:data:`DOCUMENT`'s).
"""

from __future__ import annotations

import functools
import json
import types
import typing
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import hookmock.server.shapes as shapes
import hookmock.server.state as state

from ..engine import simulator, timeline
from ..generate import events
from ..records import outcome

__all__ = [
    "ADVANCE_UNITS",
    "DELIVERIES_QUERY",
    "DOCUMENT",
    "REQUEST_SCHEMAS",
    "body_errors",
    "build",
    "defaults",
    "document_for",
    "prepare",
    "title",
]

if TYPE_CHECKING:
    from ..engine.simulator import Provider

_REF = "#/components/schemas/"

# Bounds that keep one request cheap: provider time moves at most a year per call (a
# re-validation every 72 h is about 120 per subscription and year).
MAX_ADVANCE_SECONDS = 366 * 86400
MAX_SEED = 2**63 - 1
MAX_FAULT_TIMES = 100
#: The fields of ``POST /_hookmock/clock/advance``, each with its length in seconds; they are
#: added together.
ADVANCE_UNITS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
#: The integer query parameters of ``GET /_hookmock/deliveries``: the schemas the document shows,
#: whose bounds and defaults the handler applies.
DELIVERIES_QUERY: dict[str, dict[str, Any]] = {
    "since": {"type": "integer", "minimum": 0, "maximum": 2**31, "default": 0},
    "limit": {"type": "integer", "minimum": 1, "maximum": 10_000, "default": 1000},
}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": _REF + name}


def _json(name: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(name)}}}


def _error(description: str) -> dict[str, Any]:
    return _json("Error", description)


def _body(name: str, *, required: bool = True) -> dict[str, Any]:
    return {"required": required, "content": {"application/json": {"schema": _ref(name)}}}


_NULLABLE_STRING = {"type": ["string", "null"]}
_HEADERS = {
    "type": "array",
    "description": "Headers in order as [name, value] pairs; signature and credentials masked.",
    "items": {
        "type": "array",
        "prefixItems": [{"type": "string"}, {"type": "string"}],
        "minItems": 2,
        "maxItems": 2,
    },
}

# -- response records, from their typed dictionaries ----------------------------------------------

_JSON_TYPES: dict[Any, str] = {str: "string", int: "integer", float: "number", bool: "boolean"}
#: What the document adds to the schema derived from a typed dictionary, per field: descriptions,
#: bounds, enums. Built by :func:`_notes`, when the document is.
_Notes = Mapping[Any, Mapping[str, Mapping[str, Any]]]


def _type_schema(hint: Any, notes: _Notes, refs: Mapping[Any, str]) -> dict[str, Any]:
    """The JSON Schema of a field typed *hint*: a component's typed dictionary as a ``$ref``."""
    if hint is Any:
        return {}
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union) and type(None) in args:
        (inner,) = [arg for arg in args if arg is not type(None)]
        schema = _type_schema(inner, notes, refs)
        if "type" not in schema:
            raise TypeError(f"{hint}: only a field with a JSON type can be null in the document")
        schema["type"] = [schema["type"], "null"]
        return schema
    if origin is list:
        return {"type": "array", "items": _type_schema(args[0], notes, refs)}
    if typing.is_typeddict(hint):
        if hint in refs:
            return _ref(refs[hint])
        return _object_schema(hint, notes, refs)
    if hint in _JSON_TYPES:
        return {"type": _JSON_TYPES[hint]}
    raise TypeError(f"{hint!r} has no JSON type in the document: extend _type_schema")


def _object_schema(
    shape: Any, notes: _Notes, refs: Mapping[Any, str], description: str | None = None
) -> dict[str, Any]:
    """The schema of a record typed by the typed dictionary *shape*: every field required, each
    with the JSON type of its annotation and the document's notes about it."""
    hints = typing.get_type_hints(shape)
    shape_notes = notes.get(shape, {})
    unknown = sorted(set(shape_notes) - set(hints))
    if unknown:
        raise TypeError(
            f"the OpenAPI document describes fields that {shape.__name__} does not have: "
            f"{', '.join(unknown)}"
        )
    properties = {}
    for name, hint in hints.items():
        properties[name] = _type_schema(hint, notes, refs)
        properties[name].update(shape_notes.get(name, {}))
    schema: dict[str, Any] = {"type": "object"}
    if description is not None:
        schema["description"] = description
    schema["required"] = [name for name in hints if name in shape.__required_keys__]
    schema["properties"] = properties
    return schema


def _minutes(seconds: float) -> str:
    return f"+{seconds / 60:.4g}"


def _notes(provider: type[Provider] | None) -> _Notes:
    """The document's notes on the records' fields, with the enums taken from their sources."""
    delays = provider.retry_delays if provider is not None else ()
    if provider is None:
        next_step = (
            "'retry 1 at +5 min', 'done: acknowledged', 'final: ...', 'dropped after 3 "
            "retries' (by the provider's retry rules); null outside the retry rules (the "
            "endpoint check)."
        )
    elif delays:
        next_step = (
            f"'retry 1 at {_minutes(delays[0])} min', 'done: acknowledged', 'final: ...', "
            f"'dropped after {len(delays)} retries'; null outside the retry rules (URL "
            "validation)."
        )
    else:
        next_step = (
            f"'done: acknowledged', 'final: ...' ({provider.name} does not retry); null "
            "outside the delivery rules (the endpoint check)."
        )
    return {
        shapes.RequestRecord: {"headers": _HEADERS},
        shapes.ResponseRecord: {"headers": _HEADERS},
        shapes.DeliveryRecord: {
            "index": {"minimum": 1, "description": "Position in the log."},
            "subscription": {"description": "The subscription's name."},
            "attempt": {"minimum": 1},
            "chain": {"description": "Shared by the attempts of one event."},
            "outcome": {"enum": [member.value for member in outcome.Outcome]},
            "sent_at": {"description": "Provider time, Unix seconds."},
            "next_step": {"description": next_step},
            "retry_due": {
                "description": "When the retry this attempt planned falls due (provider time, "
                "Unix seconds); null when it planned none."
            },
        },
        shapes.SubscriptionRecord: {
            "id": {
                "description": "The subscription's id: subscription_id of the other requests "
                "(and the id the provider's own subscription API, if any, knows it by)."
            },
            "events": {"description": "null: every event."},
            "active": {"description": "false once disabled."},
            "failures": {"description": "Consecutive failed re-validations."},
            "created_source": {"enum": list(state.CREATED_SOURCES)},
        },
        shapes.JobRecord: {
            "kind": {"enum": list(timeline.JOB_KINDS)},
            "subscription": {"description": "The name of the subscription it is for."},
        },
        shapes.FaultRecord: {"kind": {"enum": list(timeline.FAULTS)}},
        shapes.StateRecord: {
            "now": {"description": "The provider's clock, Unix seconds."},
            "provider": {"description": "The name of the provider served."},
            "oauth": {
                "description": "The OAuth app of the provider's own endpoints, where they issue "
                "tokens at /oauth/token; null for a provider without one."
            },
            "faults": {
                "description": "Scripted network faults still to happen, in order; one entry "
                "per attempt they will fail."
            },
            "deliveries": {
                "description": "How many attempts were made since the start or the last reset, "
                "forgotten ones included: the number of the newest."
            },
            "deliveries_kept": {
                "description": "How many of them the log keeps in full (the last ones)."
            },
            "deliveries_forgotten": {
                "description": "How many of them the log no longer keeps (past max_deliveries): "
                "numbers 1 to this one."
            },
            "max_deliveries": {"description": "How many attempts the log keeps; null: every one."},
        },
        shapes.TriggerResult: {"body": {"description": "The event's JSON body as sent."}},
        shapes.DeliveryList: {
            "total": {
                "description": "Attempts made since the start or the last reset, forgotten "
                "ones included: the number (index) of the newest."
            },
            "forgotten": {
                "description": "Attempts the log no longer keeps (past max_deliveries): "
                "numbers 1 to this one are not listed."
            },
        },
        shapes.ClockResult: {
            "deliveries": {"description": "The retries and re-validations made on the way."}
        },
    }


def _records(provider: type[Provider] | None) -> dict[str, dict[str, Any]]:
    """The response records' component schemas, by component name."""
    components = {
        "Delivery": (
            shapes.DeliveryRecord,
            "One delivery attempt: what was sent, what came back, what happens next.",
        ),
        "Subscription": (shapes.SubscriptionRecord, None),
        "Job": (shapes.JobRecord, "A retry or re-validation the provider has scheduled."),
        "Notice": (shapes.NoticeRecord, None),
        "State": (shapes.StateRecord, None),
        "EventList": (shapes.EventList, None),
        "TriggerResult": (shapes.TriggerResult, None),
        "DeliveryList": (shapes.DeliveryList, None),
        "ClockResult": (shapes.ClockResult, None),
        "FaultResult": (shapes.FaultResult, None),
        "ResetResult": (shapes.ResetResult, None),
    }
    # The records that other records list refer to their component.
    refs = {components[name][0]: name for name in ("Delivery", "Subscription", "Job", "Notice")}
    notes = _notes(provider)
    return {
        name: _object_schema(shape, notes, refs, description)
        for name, (shape, description) in components.items()
    }


# -- request bodies -------------------------------------------------------------------------------


def _kwdefaults(provider: type[Provider], method: str, name: str) -> dict[str, Any]:
    """The keyword defaults of *provider*'s *method*, from the nearest class in its MRO whose
    *method* declares *name* (a provider may wrap the method with ``**options``)."""
    for cls in provider.__mro__:
        function = cls.__dict__.get(method)
        found = getattr(function, "__kwdefaults__", None) or {}
        if name in found:
            return dict(found)
    raise TypeError(f"{provider.__name__}.{method} declares no default for {name}")


def _requests() -> dict[str, dict[str, Any]]:
    """The request bodies' schemas, the same for every provider: the server validates requests
    against :data:`DOCUMENT`'s, these very objects."""
    # What the engine's methods do when the request leaves a field out (their keyword-only
    # parameters' defaults): the document's defaults, which the handlers apply (:func:`defaults`).
    engine = simulator.Provider
    fake = _kwdefaults(engine, "fake", "validate")
    fail_next = _kwdefaults(engine, "fail_next", "times")
    return {
        "TriggerRequest": {
            "type": "object",
            "required": ["event"],
            "additionalProperties": False,
            "properties": {
                "event": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 200,
                    "description": "An event name as the provider spells it (GET "
                    "/_hookmock/events lists them).",
                },
                "overrides": {
                    "type": "object",
                    "description": "Dotted paths from the body's root to JSON values, e.g. "
                    '{"payload.object.topic": "Q3 review"}.',
                    "additionalProperties": True,
                },
                "seed": {"type": "integer", "minimum": 0, "maximum": MAX_SEED},
                "validate": {
                    "type": "boolean",
                    "default": fake["validate"],
                    "description": "false sends overrides that break the event's schema.",
                },
                "serialization": {
                    "type": "string",
                    "enum": list(events.SERIALIZATIONS),
                    "default": fake["serialization"],
                },
                "subscription_id": {
                    "type": "string",
                    "description": "Deliver to this subscription only; by default to every "
                    "subscription that covers the event, as the provider does.",
                },
            },
        },
        "SubscribeRequest": {
            "type": "object",
            "required": ["url"],
            "additionalProperties": False,
            "properties": {
                "url": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 2000,
                    "description": "The receiver's absolute http:// or https:// URL; the "
                    "provider's own endpoint check (URL validation, challenge, ping) runs first, "
                    "where it has one.",
                },
                "events": {
                    "type": ["array", "null"],
                    "items": {"type": "string", "minLength": 1, "maxLength": 200},
                    "minItems": 1,
                    "maxItems": 1000,
                    "description": "The event names to deliver there; null or left out: every "
                    "event.",
                },
                "name": {"type": "string", "minLength": 1, "maxLength": 128},
            },
        },
        "AdvanceRequest": {
            "type": "object",
            "additionalProperties": False,
            "description": f"Added together; at most {MAX_ADVANCE_SECONDS // 86400} days per call.",
            "properties": {
                unit: {"type": "number", "minimum": 0, "maximum": MAX_ADVANCE_SECONDS / seconds}
                for unit, seconds in ADVANCE_UNITS.items()
            },
        },
        "FaultRequest": {
            "type": "object",
            "required": ["kind"],
            "additionalProperties": False,
            "properties": {
                "kind": {"type": "string", "enum": list(timeline.FAULTS)},
                "times": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": MAX_FAULT_TIMES,
                    "default": fail_next["times"],
                },
                "subscription_id": {"type": "string"},
            },
        },
        "EmptyRequest": {
            "type": "object",
            "additionalProperties": False,
            "description": "No parameters: an empty object, or no body.",
        },
    }


_ERROR = {
    "type": "object",
    "description": "hookmock's error shape: the HTTP status and a message that says what to fix.",
    "required": ["status", "message"],
    "properties": {
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "message": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "One entry per problem: a JSON path or field, and what is wrong.",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
        "suggestions": {
            "type": "array",
            "description": "For an unknown event name: the closest known names.",
            "items": {"type": "string"},
        },
    },
}


def _schemas(provider: type[Provider] | None) -> dict[str, Any]:
    records, requests = _records(provider), _requests()
    order = [
        "Delivery",
        "Subscription",
        "Job",
        "Notice",
        "State",
        "EventList",
        "SubscribeRequest",
        "TriggerRequest",
        "TriggerResult",
        "DeliveryList",
        "AdvanceRequest",
        "ClockResult",
        "FaultRequest",
        "FaultResult",
        "EmptyRequest",
        "ResetResult",
    ]
    found = {**records, **requests}
    return {"Error": _ERROR, **{name: found[name] for name in order}}


# -- the document ---------------------------------------------------------------------------------


def title(provider: type[Provider] | Provider) -> str:
    """A provider's name as its vendor writes it, where the provider says (its ``title``);
    else its name."""
    found = getattr(provider, "title", None)
    return found if isinstance(found, str) and found else str(provider.name)


def build(provider: type[Provider] | None = None) -> dict[str, Any]:
    """The document for a server of *provider*, made from the code's definitions as they are
    now; without one, the control API as every server has it (:data:`DOCUMENT`). A server
    serves :func:`document_for` the provider it serves."""
    max_body_mib = state.DEFAULT_MAX_BODY_BYTES / 2**20
    bad_body = {
        "400": _error("The body is not JSON, or not UTF-8."),
        "413": _error(
            f"The body is larger than the server's limit ({max_body_mib:g} MiB by default)."
        ),
        "415": _error("The request does not declare Content-Type: application/json."),
        "422": _error("The body does not match the schema; errors name each JSON path."),
    }
    # Every operation's refusals (hookmock.server.guard).
    refused = {
        "401": _error("The server has a control token and the request did not carry it."),
        "403": _error("A cross-origin browser request (Origin, Sec-Fetch-Site)."),
        "421": _error("The Host header is not the server's own address."),
    }
    if provider is None:
        served, timing, own = "provider", "retries on the provider's schedule", ""
    else:
        served = title(provider)
        retries = ", ".join(_minutes(delay) for delay in provider.retry_delays)
        timing = f"retries at {retries} min" if retries else f"{served} does not retry"
        if provider.revalidation_interval:
            timing += f"; re-validation every {provider.revalidation_interval / 3600:g} h"
        endpoints = state.extension_of(provider).endpoints
        own = (
            f" {served}'s own endpoints on the same server ({endpoints}) follow {served}'s API, "
            f"its errors included, and are not described here."
            if endpoints
            else ""
        )
    since, limit = DELIVERIES_QUERY["since"], DELIVERIES_QUERY["limit"]
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": f"hookmock mock {served} server: control API",
            "version": "1",
            "description": f"Drive the simulated {served} from a test suite in any language: "
            "subscribe receivers, trigger signed events to the subscriptions, read every "
            f"delivery attempt, move provider time ({timing}), script network faults, reset."
            f"{own} Errors: {{status, message}}, with errors (one {{field, message}} per "
            "problem, the field a JSON path) and suggestions where they help.",
        },
        "paths": {
            "/_hookmock/openapi.json": {
                "get": {
                    "operationId": "getOpenAPI",
                    "summary": "This document.",
                    "responses": {
                        "200": {
                            "description": "The OpenAPI document.",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                    },
                }
            },
            "/_hookmock/state": {
                "get": {
                    "operationId": "getState",
                    "summary": "Provider time, subscriptions, scheduled retries, notices.",
                    "responses": {"200": _json("State", "The state.")},
                }
            },
            "/_hookmock/events": {
                "get": {
                    "operationId": "listEvents",
                    "summary": "Event names the server can generate.",
                    "parameters": [
                        {
                            "name": "prefix",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string"},
                            "description": "Only names that start with it.",
                        }
                    ],
                    "responses": {"200": _json("EventList", "The names, sorted.")},
                }
            },
            "/_hookmock/subscriptions": {
                "post": {
                    "operationId": "subscribe",
                    "summary": "Subscribe a receiver's URL to the events.",
                    "description": f"{served}'s own endpoint check runs first, where it has one; "
                    "a receiver that fails it is not subscribed.",
                    "requestBody": _body("SubscribeRequest"),
                    "responses": {
                        "201": _json("Subscription", "Subscribed."),
                        "409": _error("The server holds its most subscriptions already."),
                        **bad_body,
                    },
                }
            },
            "/_hookmock/trigger": {
                "post": {
                    "operationId": "trigger",
                    "summary": "Generate, sign and deliver one event.",
                    "description": "Delivered to every subscription that covers the event (or to "
                    f"subscription_id); a failed attempt is retried on {served}'s schedule as "
                    "provider time moves. The answer is 200 whatever the receiver did: read each "
                    "delivery's outcome.",
                    "requestBody": _body("TriggerRequest"),
                    "responses": {
                        "200": _json("TriggerResult", "The event and its deliveries."),
                        "409": _error("No subscription covers the event."),
                        **bad_body,
                    },
                }
            },
            "/_hookmock/deliveries": {
                "get": {
                    "operationId": "listDeliveries",
                    "summary": "Delivery attempts, oldest first.",
                    "parameters": [
                        {
                            "name": "since",
                            "in": "query",
                            "required": False,
                            "schema": since,
                            "description": "Only attempts numbered above N (index > N): pass "
                            "the index of the last one read. Those the log no longer keeps are "
                            "skipped.",
                        },
                        {
                            "name": "limit",
                            "in": "query",
                            "required": False,
                            "schema": limit,
                            "description": "At most this many attempts, the oldest first "
                            f"(default {limit['default']}).",
                        },
                        {
                            "name": "event",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string"},
                            "description": "Only attempts of this event.",
                        },
                    ],
                    "responses": {
                        "200": _json("DeliveryList", "The attempts."),
                        "422": _error("A query parameter is not a number in range."),
                    },
                }
            },
            "/_hookmock/clock/advance": {
                "post": {
                    "operationId": "advanceClock",
                    "summary": "Move provider time ahead, making the retries and re-validations "
                    "due.",
                    "requestBody": _body("AdvanceRequest", required=False),
                    "responses": {"200": _json("ClockResult", "The new time."), **bad_body},
                }
            },
            "/_hookmock/run-until-idle": {
                "post": {
                    "operationId": "runUntilIdle",
                    "summary": "Make every pending retry, moving provider time to each.",
                    "requestBody": _body("EmptyRequest", required=False),
                    "responses": {
                        "200": _json("ClockResult", "The new time."),
                        "409": _error("Something keeps scheduling work."),
                        **bad_body,
                    },
                }
            },
            "/_hookmock/faults": {
                "post": {
                    "operationId": "failNext",
                    "summary": "Make the network fail the next attempts before they reach a "
                    "receiver.",
                    "requestBody": _body("FaultRequest"),
                    "responses": {"200": _json("FaultResult", "Scripted."), **bad_body},
                }
            },
            "/_hookmock/reset": {
                "post": {
                    "operationId": "reset",
                    "summary": "Forget subscriptions, deliveries, retries, tokens and files.",
                    "requestBody": _body("EmptyRequest", required=False),
                    "responses": {
                        "200": _json("ResetResult", "Reset; provider time stays."),
                        **bad_body,
                    },
                }
            },
        },
        "components": {"schemas": _schemas(provider)},
    }
    for path, operations in document["paths"].items():
        for operation in operations.values():
            operation["responses"].update(refused)
            if path == "/_hookmock/openapi.json":  # readable without the control token
                del operation["responses"]["401"]
    return document


DOCUMENT: dict[str, Any] = build()


_DOCUMENTS: dict[type[Provider], dict[str, Any]] = {}


def document_for(provider: type[Provider]) -> dict[str, Any]:
    """The document a server of *provider* serves, built once per provider: :data:`DOCUMENT`
    with the provider's name, retry schedule and own endpoints in its descriptions. Its request
    bodies' schemas are :data:`DOCUMENT`'s, the objects requests are checked against."""
    found = _DOCUMENTS.get(provider)
    if found is None:
        made = build(provider)
        shared = DOCUMENT["components"]["schemas"]
        made["components"]["schemas"].update({name: shared[name] for name in REQUEST_SCHEMAS})
        found = _DOCUMENTS.setdefault(provider, made)
    return found


def defaults(name: str) -> dict[str, Any]:
    """The defaults the request body schema *name* declares, by field: what a handler uses for a
    field the request leaves out."""
    properties = DOCUMENT["components"]["schemas"][name].get("properties", {})
    return {field: schema["default"] for field, schema in properties.items() if "default" in schema}


@functools.cache
def _validator(name: str) -> Any:
    # jsonschema-rs, which the send path loads anyway: importing pure-Python jsonschema on a
    # request would make a server's first control request take seconds.
    import jsonschema_rs

    schema = {"$ref": _REF + name, "components": DOCUMENT["components"]}
    return jsonschema_rs.Draft202012Validator(schema)


#: The schemas of request bodies, compiled when a server starts (:func:`prepare`).
REQUEST_SCHEMAS = (
    "AdvanceRequest",
    "EmptyRequest",
    "FaultRequest",
    "SubscribeRequest",
    "TriggerRequest",
)


def prepare() -> None:
    """Compile the request bodies' validators now, so that no request pays for it."""
    for name in REQUEST_SCHEMAS:
        _validator(name)


def _message(error: Any) -> str:
    options = getattr(error.kind, "options", None)
    if type(error.kind).__name__ == "Enum" and isinstance(options, list):
        listed = ", ".join(json.dumps(option) for option in options)
        return f"{json.dumps(error.instance, ensure_ascii=False)} is not one of {listed}"
    return str(error.message)


def body_errors(name: str, value: Any) -> list[tuple[str, str]]:
    """``(json path, message)`` for each way *value* breaks the component schema *name*, the
    shallowest first; empty when it is valid."""
    validator = _validator(name)
    if validator.is_valid(value):
        return []
    found = list(validator.iter_errors(value))
    found.sort(key=lambda error: (len(error.instance_path), list(map(str, error.instance_path))))
    errors = []
    for error in found:
        path = "$" + "".join(
            f"[{part}]" if isinstance(part, int) else f".{part}" for part in error.instance_path
        )
        errors.append((path, _message(error)))
    return errors
