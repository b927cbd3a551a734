"""The checks about signed requests: what a Standard Webhooks sender sends (each chosen event,
other byte forms of the same JSON, an event type nobody handles, a rotation's several signature
items) and what a forger sends (wrong keys, changed bodies, ids and timestamps, odd signature
headers, replays). Forgeries and replays ride on an event type the receiver acknowledged (see
:meth:`hookmock.conformance.base.Battery.establish_baseline`); each differs from an honest
delivery in one way only (see :mod:`hookmock.providers.standard_webhooks.forgeries`).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any, Protocol, cast

from ...conformance.base import (
    Battery,
    Found,
    is_crash,
    no_carrier,
    show,
    vehicle,
)
from ...conformance.verdicts import (
    TEXT_MEMBER,
    VARIANT_TEXT,
    Refusals,
    refused,
    text_variant,
    unknown_acknowledged,
)
from ...engine.delivery import Delivery
from ...errors import ConfigurationError
from ...generate.events import Event
from .forgeries import (
    SignedRequest,
    empty_signature,
    last_char,
    malformed_item,
    other_key,
    other_message_id,
    shifted_timestamp,
    signed_request,
    tampered_body,
    unknown_version,
    wrong_key,
)
from .signature import (
    HEADER_ID,
    HEADER_SIGNATURE,
    HEADER_TIMESTAMP,
    SigningKey,
    sign,
    signature_header,
)

__all__ = [
    "FORGERIES",
    "ROTATION",
    "UNKNOWN_EVENT",
    "VARIANT_TEXT",
    "forged",
    "free_text_path",
    "renamed",
    "replay",
    "rotation",
    "sender",
    "unknown_event",
    "valid_event",
    "variant",
]

UNKNOWN_EVENT = "hookmock.unknown_event"
#: The id of the check that a wrong first signature item does not hide a right second one.
ROTATION = "rotation-second-item"


class Sender(Protocol):
    """What the battery reads of a Standard Webhooks sender (its adapter)."""

    keys: tuple[SigningKey, ...]
    header_id: str
    header_timestamp: str
    header_signature: str

    def message_id(self, event: Event) -> str: ...


def sender(b: Battery) -> Sender:
    """The battery's sender: its keys, header names and message ids."""
    # Only the Standard Webhooks adapter hands this battery out (its conformance_suite).
    return cast(Sender, b.provider.adapter)


def _keys(b: Battery) -> tuple[SigningKey, ...]:
    return sender(b).keys


def renamed(b: Battery, headers: Mapping[str, str | None]) -> dict[str, str | None]:
    """*headers* under the provider's header names (``svix-id``... for a ``svix`` prefix)."""
    adapter = sender(b)
    names = {
        HEADER_ID: adapter.header_id,
        HEADER_TIMESTAMP: adapter.header_timestamp,
        HEADER_SIGNATURE: adapter.header_signature,
    }
    return {names.get(k, k): v for k, v in headers.items()}


def _honest(b: Battery, event: Event) -> tuple[str, int]:
    """The ``webhook-id`` and timestamp an honest delivery of *event* carries now."""
    return sender(b).message_id(event), b.now()


# -- events a sender sends -------------------------------------------------------------------------


_SIGNATURE_REFUSED = (
    "the signature check fails on an honest delivery: is the secret the endpoint's (whsec_ "
    "stripped, the rest base64-decoded), is the signed content "
    "'{webhook-id}.{webhook-timestamp}.{raw body}', and is the signature compared as base64?"
)
_REFUSALS = Refusals(
    dict.fromkeys((401, 403), _SIGNATURE_REFUSED),
    otherwise="the receiver refuses event types it does not handle; the sender retries every "
    "non-2xx for more than a day, then drops the message",
)


valid_event = _REFUSALS.valid_event


def free_text_path(schema: Mapping[str, Any], data: Any) -> tuple[str, ...] | None:
    """The keys leading to a string field of *data* that *schema* leaves free (no format,
    pattern, enum or const, room for :data:`VARIANT_TEXT`), depth first; None without one."""
    if not isinstance(data, dict) or not isinstance(schema, Mapping):
        return None
    properties = schema.get("properties") or {}
    for key, value in data.items():
        sub = properties.get(key)
        if not isinstance(sub, Mapping):
            continue
        if isinstance(value, str):
            constrained = any(k in sub for k in ("format", "pattern", "enum", "const"))
            room = sub.get("maxLength", len(VARIANT_TEXT))
            if sub.get("type") == "string" and not constrained and room >= len(VARIANT_TEXT):
                return (key,)
        elif isinstance(value, dict):
            found = free_text_path(sub, value)
            if found is not None:
                return (key, *found)
    return None


def _with_text(b: Battery, name: str) -> tuple[Any, str]:
    """A fresh *name* event's data carrying :data:`VARIANT_TEXT`, and where it was put."""
    from ...generate.catalog import load_schema

    data = copy.deepcopy(b.event(name).data)
    path = free_text_path(load_schema(name, b.provider.name), data)
    if path is None:
        # No free-text field: a member the schema does not know carries it. The twin carries
        # it too, so a receiver that refuses unknown members refuses both (inconclusive).
        data[TEXT_MEMBER] = VARIANT_TEXT
        return data, f"an added member {TEXT_MEMBER!r}"
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = VARIANT_TEXT
    return data, f"the field {'.'.join(path)!r}"


def variant(serialization: str, what: str) -> Callable[[Battery], Found]:
    """The same JSON value in another byte form, correctly signed. A twin in the sender's own
    bytes, with the same text, is sent first: the variant means something only if the twin is
    acknowledged."""
    return text_variant(
        serialization, what, with_text=_with_text, id_key=None, own="the sender's own bytes"
    )


def unknown_event(b: Battery) -> Found:
    data = copy.deepcopy(b.event(vehicle(b)).data)
    if isinstance(data, dict):
        data["type"] = UNKNOWN_EVENT  # the envelope's event type, as the specification has it
    delivery = b.deliver(Event.build(UNKNOWN_EVENT, data, serialization=b.suite.serialization))
    return unknown_acknowledged(
        b,
        delivery,
        f"a correctly signed event of a type the receiver cannot know ({UNKNOWN_EVENT!r})",
        refusal="senders add new ones, and a refused message is retried for a day, then dropped",
    )


def rotation(b: Battery) -> Found:
    """A header whose first item is a wrong signature and whose second is right, as during a
    key rotation: a correct receiver accepts it, whatever the order of the items."""
    b.establish_baseline()
    name = b.carrier
    if name is None:
        return Found(None, no_carrier(b))
    event = b.event(name)
    msg_id, ts = _honest(b, event)
    keys = _keys(b)
    wrong = wrong_key(keys[0], event.body, msg_id=msg_id, timestamp=ts)
    header = f"{wrong.headers[HEADER_SIGNATURE]} {signature_header(keys, msg_id, ts, event.body)}"
    delivery = b.deliver(event, headers=renamed(b, {HEADER_SIGNATURE: header}), timestamp=ts)
    sent = (
        f"sent: a correctly signed {name} whose webhook-signature has a wrong item first and "
        f"the right one after it (as while a secret is rotated); got {show(delivery)}"
    )
    if delivery.acknowledged:
        b.latencies.append(delivery.elapsed)
        return Found(True, show(delivery))
    lines = [
        sent,
        "a correct receiver accepts a header in which any item is a valid signature "
        "(items are space-separated 'version,signature' pairs)",
    ]
    if delivery.status in (401, 403):
        lines.append(
            "likely cause: the receiver checks only the first item of webhook-signature; split "
            "the header on spaces and accept when any v1 item matches"
        )
    elif is_crash(delivery):
        lines.append("likely cause: the receiver fails on a header with several items")
    return Found(False, "\n".join(lines))


# -- what a forger sends --------------------------------------------------------------------------

_UNVERIFIED = (
    "the receiver acts on requests without verifying webhook-signature over "
    "'{webhook-id}.{webhook-timestamp}.{raw body}'"
)

#: Each forgery: (title, what is sent, what a receiver that accepts it does wrong).
FORGERIES: dict[str, tuple[str, str, str]] = {
    "wrong-secret": (
        "rejects a body signed with another secret",
        "signed with another secret",
        _UNVERIFIED,
    ),
    "tampered-body": (
        "rejects a body changed after signing",
        "whose body was changed after signing (a member added)",
        _UNVERIFIED,
    ),
    "last-char": (
        "rejects a signature with its last character changed",
        "with the right signature but its last base64 character changed",
        "the signature is not compared in full (a prefix, or all but its last character); "
        "compare the whole signature, in constant time",
    ),
    "other-message-id": (
        "rejects a signature made for another webhook-id",
        "whose webhook-id is not the one its signature was made for",
        "the receiver leaves webhook-id out of the signed content; it is "
        "'{webhook-id}.{webhook-timestamp}.{body}'",
    ),
    "shifted-timestamp": (
        "rejects a webhook-timestamp moved after signing",
        "whose webhook-timestamp was moved 60 s after signing",
        "the receiver leaves webhook-timestamp out of the signed content, so a replayed "
        "request can be given any time; it is '{webhook-id}.{webhook-timestamp}.{body}'",
    ),
    "unknown-version": (
        "rejects the right signature under an unknown version (v2)",
        "with the right signature under the version 'v2'",
        "the receiver compares the bytes after the comma without checking the version is v1",
    ),
    "truncated-signature": (
        "rejects a signature cut to its first half",
        "whose signature is the right one cut to its first half",
        "the receiver compares only as much of the signature as it was sent (a prefix match "
        "such as expected.startswith(signature)): a forger then needs one right character",
    ),
    "empty-signature": (
        "rejects an empty webhook-signature",
        "with an empty webhook-signature",
        _UNVERIFIED,
    ),
    "malformed-item": (
        "rejects a signature item that is not 'version,signature'",
        "with the right signature written 'v1=<signature>'",
        "the receiver finds the signature in the header without parsing its items",
    ),
    "missing-id": (
        "rejects a request without webhook-id",
        "without a webhook-id header",
        "the receiver does not require webhook-id, which the signed content starts with",
    ),
    "missing-timestamp": (
        "rejects a request without webhook-timestamp",
        "without a webhook-timestamp header",
        "the receiver does not require webhook-timestamp, so it cannot refuse replays",
    ),
    "missing-signature": (
        "rejects a request without webhook-signature",
        "without a webhook-signature header",
        _UNVERIFIED,
    ),
    "non-numeric-timestamp": (
        "rejects a non-numeric webhook-timestamp",
        "signed with the webhook-timestamp 'yesterday'",
        "the receiver verifies the signature but never reads webhook-timestamp as Unix "
        "seconds, so it cannot refuse old or odd ones",
    ),
    "all-items-wrong": (
        "rejects a webhook-signature whose every item is wrong",
        "whose webhook-signature has two items, both signed with other secrets",
        "the receiver accepts a header with several items without a matching one",
    ),
}


def _rejected(
    b: Battery,
    what: str,
    event: Event,
    *,
    cause: str,
    headers: Mapping[str, str | None] | None = None,
    ts: int | str,
) -> Found:
    delivery = b.deliver(event, headers=renamed(b, headers or {}) or None, timestamp=ts)
    return refused(
        b,
        delivery,
        what,
        expected=f"a correct receiver refuses it with a 4xx (401 or 403) within "
        f"{delivery.deadline:g} s",
        cause=cause,
        crash="the verification raises instead of refusing (the standardwebhooks Python "
        "library raises ValueError, not WebhookVerificationError, on some malformed headers and "
        "bodies); the sender retries a 5xx",
        precise=True,
    )


def _forgery(b: Battery, kind: str, event: Event) -> tuple[Event, dict[str, str | None], int | str]:
    """The request of forgery *kind* on *event*: the event sent, the headers, the timestamp."""
    msg_id, ts = _honest(b, event)
    key = _keys(b)[0]
    body = event.body
    made: SignedRequest | None = None
    if kind == "wrong-secret":
        made = wrong_key(key, body, msg_id=msg_id, timestamp=ts)
    elif kind == "tampered-body":
        made = tampered_body(key, body, msg_id=msg_id, timestamp=ts)
    elif kind == "last-char":
        made = last_char(key, body, msg_id=msg_id, timestamp=ts)
    elif kind == "other-message-id":
        made = other_message_id(key, body, msg_id=msg_id, timestamp=ts)
    elif kind == "shifted-timestamp":
        made = shifted_timestamp(key, body, msg_id=msg_id, timestamp=ts)
    elif kind == "unknown-version":
        made = unknown_version(key, body, msg_id=msg_id, timestamp=ts)
    elif kind == "empty-signature":
        made = empty_signature(key, body, msg_id=msg_id, timestamp=ts)
    elif kind == "malformed-item":
        made = malformed_item(key, body, msg_id=msg_id, timestamp=ts)
    elif kind in ("missing-id", "missing-timestamp", "missing-signature"):
        header = {"missing-id": HEADER_ID, "missing-timestamp": HEADER_TIMESTAMP}.get(
            kind, HEADER_SIGNATURE
        )
        honest = signed_request(key, body, msg_id=msg_id, timestamp=ts)
        return event, {**honest.headers, header: None}, ts
    elif kind == "truncated-signature":
        honest = signed_request(key, body, msg_id=msg_id, timestamp=ts)
        version, _, signature = (honest.headers[HEADER_SIGNATURE] or "").partition(",")
        return (
            event,
            {**honest.headers, HEADER_SIGNATURE: f"{version},{signature[: len(signature) // 2]}"},
            ts,
        )
    elif kind == "non-numeric-timestamp":
        return event, {}, "yesterday"  # signed with that timestamp, as sent
    elif kind == "all-items-wrong":
        other = other_key(key)
        # Two wrong items of the key's own kind: one for another timestamp, one for this one.
        items = f"{sign(other, msg_id, ts + 1, body)} {sign(other, msg_id, ts, body)}"
        return event, {HEADER_SIGNATURE: items}, ts
    else:
        raise ConfigurationError(f"unknown forgery {kind!r}")
    if made.body != body:
        event = Event.from_body(made.body, name=event.name)
    return event, dict(made.headers), ts


def forged(kind: str) -> Callable[[Battery], Found]:
    _, what, cause = FORGERIES[kind]

    def check(b: Battery) -> Found:
        name = vehicle(b)
        event, headers, ts = _forgery(b, kind, b.event(name))
        return _rejected(b, f"{name} {what}", event, cause=cause, headers=headers, ts=ts)

    return check


def replay(direction: int) -> Callable[[Battery], Found]:
    def check(b: Battery) -> Found:
        name = vehicle(b)
        event = b.event(name)
        offset = int(b.tolerance) + 60
        # Signed with that timestamp, as a captured request replayed later (or early) is.
        ts = b.now() + direction * offset
        when = "older" if direction < 0 else "further in the future"
        return _rejected(
            b,
            f"a correctly signed {name} whose webhook-timestamp is {offset} s {when} than now "
            f"(tolerance {b.tolerance:g} s)",
            event,
            ts=ts,
            cause=f"the receiver does not refuse timestamps more than {b.tolerance:g} s "
            + ("in the past" if direction < 0 else "in the future")
            + " (a captured request can be replayed); compare webhook-timestamp, in seconds, "
            "with the clock",
        )

    return check


def signed_by(b: Battery, event: Event, key: SigningKey, *, timestamp: int | str) -> Delivery:
    """*event* signed with *key* instead of the provider's, for the battery's diagnosis."""
    msg_id, _ = _honest(b, event)
    header = sign(key, msg_id, timestamp, event.body)
    return b.deliver(event, headers=renamed(b, {HEADER_SIGNATURE: header}), timestamp=timestamp)
