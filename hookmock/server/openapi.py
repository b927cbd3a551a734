"""The OpenAPI 3.1 document of the mock server's control API (``/_hookmock/``), hand-written.

It is served at ``/_hookmock/openapi.json``, and the server checks request bodies against its
schemas, so the document and the server cannot drift apart.
"""

from __future__ import annotations

import functools
import json
from typing import Any

__all__ = ["DOCUMENT", "REQUEST_SCHEMAS", "body_errors", "prepare"]

_REF = "#/components/schemas/"

# Bounds that keep one request cheap: provider time moves at most a year per call (a
# re-validation every 72 h is about 120 per subscription and year).
MAX_ADVANCE_SECONDS = 366 * 86400
MAX_SEED = 2**63 - 1


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": _REF + name}


def _json(name: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(name)}}}


def _error(description: str) -> dict[str, Any]:
    return _json("Error", description)


_NULLABLE_STRING = {"type": ["string", "null"]}
_NULLABLE_NUMBER = {"type": ["number", "null"]}
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

_SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "description": "Zoom's error shape; the message says what to fix.",
        "required": ["code", "message"],
        "properties": {
            "code": {"type": "integer"},
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
    },
    "Delivery": {
        "type": "object",
        "description": "One delivery attempt: what was sent, what came back, what happens next.",
        "required": [
            "index",
            "event",
            "subscription",
            "target",
            "attempt",
            "chain",
            "outcome",
            "acknowledged",
            "status",
            "sent_at",
            "sent_at_iso",
            "elapsed_ms",
            "deadline_s",
            "next_step",
            "retry_due",
            "retry_due_iso",
            "dropped",
            "error",
            "notes",
            "request",
            "response",
        ],
        "properties": {
            "index": {"type": "integer", "minimum": 1, "description": "Position in the log."},
            "event": {"type": "string"},
            "subscription": {"type": "string", "description": "The subscription's name."},
            "target": {"type": "string"},
            "attempt": {"type": "integer", "minimum": 1},
            "chain": {"type": "string", "description": "Shared by the attempts of one event."},
            "outcome": {
                "type": "string",
                "enum": [
                    "acknowledged",
                    "rejected",
                    "redirected",
                    "server error",
                    "late",
                    "timeout",
                    "connection error",
                    "invalid response",
                    "application error",
                    "authentication error",
                ],
            },
            "acknowledged": {"type": "boolean"},
            "status": {"type": ["integer", "null"]},
            "sent_at": {"type": "number", "description": "Provider time, Unix seconds."},
            "sent_at_iso": _NULLABLE_STRING,
            "elapsed_ms": {"type": "number"},
            "deadline_s": {"type": "number"},
            "next_step": {
                "type": ["string", "null"],
                "description": "'retry 1 at +5 min', 'done: acknowledged', 'final: ...', "
                "'dropped after 3 retries'; null outside the retry rules (URL validation).",
            },
            "retry_due": {
                "type": ["number", "null"],
                "description": "When the retry this attempt planned falls due (provider time, "
                "Unix seconds); null when it planned none.",
            },
            "retry_due_iso": _NULLABLE_STRING,
            "dropped": {"type": "boolean"},
            "error": _NULLABLE_STRING,
            "notes": {"type": "array", "items": {"type": "string"}},
            "request": {
                "type": "object",
                "required": ["method", "url", "headers", "body", "truncated"],
                "properties": {
                    "method": {"type": "string"},
                    "url": {"type": "string"},
                    "headers": _HEADERS,
                    "body": {"type": "string"},
                    "truncated": {"type": "boolean"},
                },
            },
            "response": {
                "type": ["object", "null"],
                "required": ["status", "reason", "headers", "body", "truncated"],
                "properties": {
                    "status": {"type": "integer"},
                    "reason": {"type": "string"},
                    "headers": _HEADERS,
                    "body": {"type": "string"},
                    "truncated": {"type": "boolean"},
                },
            },
        },
    },
    "Subscription": {
        "type": "object",
        "required": [
            "id",
            "name",
            "url",
            "events",
            "active",
            "failures",
            "validated_at",
            "validated_at_iso",
            "created_source",
            "subscription_scope",
            "account_id",
            "user_ids",
        ],
        "properties": {
            "id": {"type": "string", "description": "Zoom's event_subscription_id."},
            "name": {"type": "string"},
            "url": {"type": "string"},
            "events": {
                "type": ["array", "null"],
                "items": {"type": "string"},
                "description": "null: every event.",
            },
            "active": {"type": "boolean", "description": "false once disabled."},
            "failures": {"type": "integer", "description": "Consecutive failed re-validations."},
            "validated_at": _NULLABLE_NUMBER,
            "validated_at_iso": _NULLABLE_STRING,
            "created_source": {"type": "string", "enum": ["openapi", "default"]},
            "subscription_scope": {"type": "string"},
            "account_id": _NULLABLE_STRING,
            "user_ids": {"type": "array", "items": {"type": "string"}},
        },
    },
    "Job": {
        "type": "object",
        "description": "A retry or re-validation the provider has scheduled.",
        "required": ["kind", "subscription", "description", "due", "due_iso", "in_seconds"],
        "properties": {
            "kind": {"type": "string", "enum": ["retry", "revalidation"]},
            "subscription": {
                "type": ["string", "null"],
                "description": "The name of the subscription it is for.",
            },
            "description": {"type": "string"},
            "due": {"type": "number"},
            "due_iso": _NULLABLE_STRING,
            "in_seconds": {"type": "number"},
        },
    },
    "Notice": {
        "type": "object",
        "required": ["at", "at_iso", "subscription", "message"],
        "properties": {
            "at": {"type": "number"},
            "at_iso": _NULLABLE_STRING,
            "subscription": {"type": "string"},
            "message": {"type": "string"},
        },
    },
    "State": {
        "type": "object",
        "required": [
            "now",
            "now_iso",
            "seed",
            "server_url",
            "deadline_s",
            "oauth",
            "subscriptions",
            "pending",
            "notices",
            "faults",
            "deliveries",
            "deliveries_kept",
            "deliveries_forgotten",
            "max_deliveries",
        ],
        "properties": {
            "now": {"type": "number", "description": "The provider's clock, Unix seconds."},
            "now_iso": _NULLABLE_STRING,
            "seed": {"type": "integer"},
            "server_url": {"type": "string"},
            "deadline_s": {"type": "number"},
            "oauth": {
                "type": "object",
                "required": ["token_url", "client_id", "account_id"],
                "properties": {
                    "token_url": {"type": "string"},
                    "client_id": {"type": "string"},
                    "account_id": _NULLABLE_STRING,
                },
            },
            "subscriptions": {"type": "array", "items": _ref("Subscription")},
            "pending": {"type": "array", "items": _ref("Job")},
            "notices": {"type": "array", "items": _ref("Notice")},
            "faults": {
                "type": "array",
                "description": "Scripted network faults still to happen, in order; one entry "
                "per attempt they will fail.",
                "items": {
                    "type": "object",
                    "required": ["kind", "subscription"],
                    "properties": {
                        "kind": {"type": "string", "enum": ["refused", "reset", "timeout"]},
                        "subscription": _NULLABLE_STRING,
                    },
                },
            },
            "deliveries": {
                "type": "integer",
                "description": "How many attempts were made since the start or the last reset, "
                "forgotten ones included: the number of the newest.",
            },
            "deliveries_kept": {
                "type": "integer",
                "description": "How many of them the log keeps in full (the last ones).",
            },
            "deliveries_forgotten": {
                "type": "integer",
                "description": "How many of them the log no longer keeps (past max_deliveries): "
                "numbers 1 to this one.",
            },
            "max_deliveries": {
                "type": ["integer", "null"],
                "description": "How many attempts the log keeps; null: every one.",
            },
        },
    },
    "EventList": {
        "type": "object",
        "required": ["events"],
        "properties": {"events": {"type": "array", "items": {"type": "string"}}},
    },
    "TriggerRequest": {
        "type": "object",
        "required": ["event"],
        "additionalProperties": False,
        "properties": {
            "event": {
                "type": "string",
                "minLength": 1,
                "maxLength": 200,
                "description": "An event name as Zoom spells it, e.g. meeting.started.",
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
                "default": True,
                "description": "false sends overrides that break the event's schema.",
            },
            "serialization": {
                "type": "string",
                "enum": ["zoom", "pretty", "ascii", "escaped-slashes", "spaced", "sorted-keys"],
                "default": "zoom",
            },
            "subscription_id": {
                "type": "string",
                "description": "Deliver to this subscription only; by default to every "
                "subscription that covers the event, as Zoom.",
            },
        },
    },
    "TriggerResult": {
        "type": "object",
        "required": ["event", "seed", "body", "deliveries"],
        "properties": {
            "event": {"type": "string"},
            "seed": {"type": ["integer", "null"]},
            "body": {"description": "The event's JSON body as sent."},
            "deliveries": {"type": "array", "items": _ref("Delivery")},
        },
    },
    "DeliveryList": {
        "type": "object",
        "required": ["total", "forgotten", "deliveries"],
        "properties": {
            "total": {
                "type": "integer",
                "description": "Attempts made since the start or the last reset, forgotten "
                "ones included: the number (index) of the newest.",
            },
            "forgotten": {
                "type": "integer",
                "description": "Attempts the log no longer keeps (past max_deliveries): "
                "numbers 1 to this one are not listed.",
            },
            "deliveries": {"type": "array", "items": _ref("Delivery")},
        },
    },
    "AdvanceRequest": {
        "type": "object",
        "additionalProperties": False,
        "description": "Added together; at most 366 days per call.",
        "properties": {
            "seconds": {"type": "number", "minimum": 0, "maximum": MAX_ADVANCE_SECONDS},
            "minutes": {"type": "number", "minimum": 0, "maximum": MAX_ADVANCE_SECONDS / 60},
            "hours": {"type": "number", "minimum": 0, "maximum": MAX_ADVANCE_SECONDS / 3600},
            "days": {"type": "number", "minimum": 0, "maximum": MAX_ADVANCE_SECONDS / 86400},
        },
    },
    "ClockResult": {
        "type": "object",
        "required": ["now", "now_iso", "deliveries"],
        "properties": {
            "now": {"type": "number"},
            "now_iso": _NULLABLE_STRING,
            "deliveries": {
                "type": "array",
                "items": _ref("Delivery"),
                "description": "The retries and re-validations made on the way.",
            },
        },
    },
    "FaultRequest": {
        "type": "object",
        "required": ["kind"],
        "additionalProperties": False,
        "properties": {
            "kind": {"type": "string", "enum": ["refused", "reset", "timeout"]},
            "times": {"type": "integer", "minimum": 1, "maximum": 100, "default": 1},
            "subscription_id": {"type": "string"},
        },
    },
    "FaultResult": {
        "type": "object",
        "required": ["kind", "times", "subscription_id"],
        "properties": {
            "kind": {"type": "string"},
            "times": {"type": "integer"},
            "subscription_id": _NULLABLE_STRING,
        },
    },
    "EmptyRequest": {
        "type": "object",
        "additionalProperties": False,
        "description": "No parameters: an empty object, or no body.",
    },
    "ResetResult": {
        "type": "object",
        "required": ["now", "now_iso"],
        "properties": {"now": {"type": "number"}, "now_iso": _NULLABLE_STRING},
    },
}

_BAD_BODY = {
    "400": _error("The body is not JSON, or not UTF-8."),
    "413": _error("The body is larger than the server's limit (1 MiB by default)."),
    "415": _error("The request does not declare Content-Type: application/json."),
    "422": _error("The body does not match the schema; errors name each JSON path."),
}
# Every operation's refusals (hookmock.server.guard).
_REFUSED = {
    "401": _error("The server has a control token and the request did not carry it."),
    "403": _error("A cross-origin browser request (Origin, Sec-Fetch-Site)."),
    "421": _error("The Host header is not the server's own address."),
}


def _body(name: str, *, required: bool = True) -> dict[str, Any]:
    return {"required": required, "content": {"application/json": {"schema": _ref(name)}}}


DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "hookmock mock Zoom server: control API",
        "version": "1",
        "description": "Drive the simulated Zoom from a test suite in any language: trigger "
        "signed events to the subscriptions, read every delivery attempt, move provider time "
        "(retries at +5, +20, +60 min; re-validation every 72 h), script network faults, "
        "reset. Zoom's own endpoints on the same server (POST /oauth/token, "
        "/v2/marketplace/app/event_subscription, /rec/download/{id}) follow Zoom's API "
        "and are not described here. Errors: {code, message}.",
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
        "/_hookmock/trigger": {
            "post": {
                "operationId": "trigger",
                "summary": "Generate, sign and deliver one event.",
                "description": "Delivered to every subscription that covers the event (or to "
                "subscription_id); a failed attempt is retried on Zoom's schedule as provider "
                "time moves. The answer is 200 whatever the receiver did: read each delivery's "
                "outcome.",
                "requestBody": _body("TriggerRequest"),
                "responses": {
                    "200": _json("TriggerResult", "The event and its deliveries."),
                    "409": _error("No subscription covers the event."),
                    **_BAD_BODY,
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
                        "schema": {"type": "integer", "minimum": 0},
                        "description": "Only attempts numbered above N (index > N): pass "
                        "the index of the last one read. Those the log no longer keeps are "
                        "skipped.",
                    },
                    {
                        "name": "limit",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "integer", "minimum": 1, "maximum": 10000},
                        "description": "At most this many attempts, the oldest first "
                        "(default 1000).",
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
                "summary": "Move provider time ahead, making the retries and re-validations due.",
                "requestBody": _body("AdvanceRequest", required=False),
                "responses": {"200": _json("ClockResult", "The new time."), **_BAD_BODY},
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
                    **_BAD_BODY,
                },
            }
        },
        "/_hookmock/faults": {
            "post": {
                "operationId": "failNext",
                "summary": "Make the network fail the next attempts before they reach a receiver.",
                "requestBody": _body("FaultRequest"),
                "responses": {"200": _json("FaultResult", "Scripted."), **_BAD_BODY},
            }
        },
        "/_hookmock/reset": {
            "post": {
                "operationId": "reset",
                "summary": "Forget subscriptions, deliveries, retries, tokens and files.",
                "requestBody": _body("EmptyRequest", required=False),
                "responses": {
                    "200": _json("ResetResult", "Reset; provider time stays."),
                    **_BAD_BODY,
                },
            }
        },
    },
    "components": {"schemas": _SCHEMAS},
}
for _path, _operations in DOCUMENT["paths"].items():
    for _operation in _operations.values():
        _operation["responses"].update(_REFUSED)
        if _path == "/_hookmock/openapi.json":  # readable without the control token
            del _operation["responses"]["401"]


@functools.cache
def _validator(name: str) -> Any:
    # jsonschema-rs, which the send path loads anyway: importing pure-Python jsonschema on a
    # request would make a server's first control request take seconds.
    import jsonschema_rs

    schema = {"$ref": _REF + name, "components": DOCUMENT["components"]}
    return jsonschema_rs.Draft202012Validator(schema)


#: The schemas of request bodies, compiled when a server starts (:func:`prepare`).
REQUEST_SCHEMAS = ("AdvanceRequest", "EmptyRequest", "FaultRequest", "TriggerRequest")


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
