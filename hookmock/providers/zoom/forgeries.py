"""The checks about what Zoom sends and what a forger sends: URL validation (and whether it is a
signing oracle), each chosen event correctly signed, other byte forms of the same JSON, an event
type nobody handles, forged signatures and replayed timestamps. Forgeries and replays ride on an
event type the receiver acknowledged (see
:meth:`hookmock.conformance.base.Battery.establish_baseline`).
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Callable
from typing import Any

from ...conformance.base import (
    Battery,
    Found,
    is_crash,
    is_refusal,
    is_slow,
    no_carrier,
    show,
    vehicle,
)
from ...conformance.verdicts import (
    Refusals,
    byte_form,
    refused,
    unknown_acknowledged,
)
from ...engine.delivery import Delivery
from ...errors import ConfigurationError
from ...generate.catalog import load_schema
from ...generate.events import Event
from .signature import URL_VALIDATION, encrypted_token, sign

__all__ = [
    "UNKNOWN_EVENT",
    "ZOOM_REALISTIC_TOPIC",
    "forged",
    "oracle",
    "replay",
    "unknown_event",
    "url_validation",
    "valid_event",
    "variant",
]

# Text with characters outside the Basic Multilingual Plane (written as surrogate escapes by Zoom)
# beside other non-ASCII (written raw): the bytes that break re-serializing verifiers (ZOOM.md §1).
ZOOM_REALISTIC_TOPIC = "Q3 launch \U0001f680\U0001f692 – the team’s plan / ünïcödé"
UNKNOWN_EVENT = "hookmock.unknown_event"


# -- URL validation ------------------------------------------------------------------------------


def url_validation(b: Battery) -> Found:
    b.validation_baseline()
    delivery = b.validation
    assert delivery is not None
    if b.validation_ok:
        b.latencies.append(delivery.elapsed)
        return Found(True, f"answered in {delivery.elapsed * 1000:.0f} ms")
    lines = [f"sent: a signed endpoint.url_validation; got {show(delivery)}"]
    lines += [f"problem: {p}" for p in b.validation_problems]
    lines.append(
        "a correct receiver answers 200 with JSON {plainToken, encryptedToken = hex "
        f"HMAC-SHA256(secret token, plainToken)}} within {b.provider.deadline:g} s"
    )
    if b.validation_hint:
        lines.append(f"likely cause: {b.validation_hint}")
    return Found(False, "\n".join(lines))


def _answered_token(delivery: Delivery) -> Any:
    if delivery.response is None:
        return None
    try:
        answer = json.loads(delivery.response.body)
    except ValueError:
        return None
    return answer.get("encryptedToken") if isinstance(answer, dict) else None


def oracle(kind: str) -> Callable[[Battery], Found]:
    def check(b: Battery) -> Found:
        baseline = b.validation_baseline()
        event = b.provider.fake(URL_VALIDATION)
        plain = event.data["payload"]["plainToken"]
        ts = b.now()
        headers: dict[str, str | None]
        if kind == "unsigned":
            headers = {"x-zm-signature": None, "x-zm-request-timestamp": None}
            what = "endpoint.url_validation without x-zm-signature and x-zm-request-timestamp"
        else:
            headers = {"x-zm-signature": sign(b.provider.secret + "-not", ts, event.body)}
            what = "endpoint.url_validation signed with another secret token"
        delivery = b.deliver(event, headers=headers, timestamp=ts)
        sent = f"sent: {what}; got {show(delivery)}"
        if _answered_token(delivery) == encrypted_token(b.provider.secret, plain):
            return Found(
                False,
                "\n".join(
                    [
                        sent,
                        "the answer carries the correct encryptedToken: the receiver is a signing "
                        "oracle. Anyone can post plainToken = 'v0:{timestamp}:{body}' for a body "
                        "of their choosing and read back HMAC-SHA256(secret token, that text), "
                        "which is exactly the x-zm-signature of that body: every forged event "
                        "then verifies",
                        "a correct receiver verifies the signature of endpoint.url_validation "
                        "like any other event's, and refuses it with a 401",
                        "likely cause: the URL validation is answered before (or without) "
                        "verifying x-zm-signature",
                    ]
                ),
            )
        if is_crash(delivery) or is_slow(delivery):
            return Found(
                False,
                f"{sent}\na correct receiver refuses it with a 4xx, promptly\n"
                "likely cause: the verification raises instead of refusing",
            )
        if not baseline:
            return Found(
                None,
                f"{sent}\ninconclusive: the correctly signed URL validation was not answered "
                "correctly either, so this answer cannot be told from the answer to it",
            )
        if is_refusal(delivery):
            return Found(True, show(delivery))
        return Found(True, f"{show(delivery)}; no encryptedToken given, but a 401 says why")

    return check


# -- events Zoom sends ---------------------------------------------------------------------------


_SIGNATURE_REFUSED = (
    "the signature check fails on a plain Zoom body: is the secret token the app's, and is the "
    "message 'v0:{x-zm-request-timestamp}:{raw body}'?"
)
_REFUSALS = Refusals(
    dict.fromkeys((401, 403), _SIGNATURE_REFUSED),
    otherwise="the receiver refuses event types it does not handle; Zoom does not retry a 4xx, "
    "so the event is lost",
)


def valid_event(name: str) -> Callable[[Battery], Found]:
    """The check that a correctly signed *name* is acknowledged (:func:`acknowledged_event`);
    for an event about a meeting participant, a guest too (see :func:`_guest_fields`)."""
    plain = _REFUSALS.valid_event(name)
    guest = _guest_fields(name)
    if guest is None:
        return plain

    def check(b: Battery) -> Found:
        found = plain(b)
        if found.ok is not True:
            return found
        event = b.provider.fake(name, {**b.overrides, **guest})
        delivery = b.deliver(event)
        sent = (
            f"sent: a correctly signed {name} whose participant is a guest (not signed in: "
            f"empty {', '.join(f.rsplit('.', 1)[1] for f in guest)}, as Zoom sends one); got "
            f"{show(delivery)}"
        )
        if delivery.acknowledged and not delivery.after_response_error:
            b.latencies.append(delivery.elapsed)
            return Found(True, f"{found.detail}; a guest participant: {show(delivery)}")
        what = "failed after its response" if delivery.acknowledged else "was not acknowledged"
        first = b.signed_delivery(name).event.data
        participant = first.get("payload", {}).get("object", {}).get("participant", {})
        signed = " with a signed-in participant" if participant.get("email") else ""
        return Found(
            False,
            f"{sent}\nthe same event type{signed} was acknowledged ({found.detail}); the "
            f"guest's {what}\na correct receiver acknowledges a guest "
            "as it does a signed-in participant\nlikely cause: the handler assumes a signed-in "
            "participant (an email, a user id) and fails on a guest's empty ones",
        )

    return check


@functools.cache
def _guest_fields(name: str) -> dict[str, str] | None:
    """The overrides that make *name*'s participant a guest, who is not signed in to Zoom:
    an empty email, id, participant user id and registrant id (ZOOM.md §8), for an event
    about someone in a meeting (a participant with a user name and a participant UUID);
    ``None`` for any other event."""
    payload = load_schema(name).get("properties", {}).get("payload", {})
    obj = payload.get("properties", {}).get("object", {}).get("properties", {})
    fields = obj.get("participant", {}).get("properties", {})
    if not {"user_name", "participant_uuid", "participant_user_id"} <= set(fields):
        return None
    return {
        f"payload.object.participant.{key}": ""
        for key in ("id", "participant_user_id", "email", "registrant_id")
        if key in fields
    }


def _has_topic(name: str) -> bool:
    schema = load_schema(name)
    props = schema.get("properties", {}).get("payload", {}).get("properties", {})
    return "topic" in props.get("object", {}).get("properties", {})


def variant(
    serialization: str, topic: str, plain_topic: str, what: str
) -> Callable[[Battery], Found]:
    """The same JSON value in another byte form. A twin in Zoom's own bytes, with the same kind
    of text, is sent first: the variant means something only if the twin is acknowledged."""

    def check(b: Battery) -> Found:
        b.establish_baseline()
        name = next((n for n in b.acknowledged_types() if _has_topic(n)), None)
        if name is None:
            return Found(
                None,
                f"{no_carrier(b)}\n(the check needs an acknowledged event type with a topic)",
            )
        twin = b.deliver(b.event(name, topic=plain_topic))
        # The twin's values (a guest in both, or in neither), so that only the byte form tells
        # the answers apart; a millisecond later, so that it is not a duplicate of the twin.
        data = copy.deepcopy(twin.event.data)
        data["payload"]["object"]["topic"] = topic
        data["event_ts"] += 1
        delivery = b.deliver(Event.build(name, data, serialization=serialization))
        return byte_form(
            b, twin, delivery, f"a correctly signed {name} with {what}", own="Zoom's own bytes"
        )

    return check


def unknown_event(b: Battery) -> Found:
    data = dict(b.event(vehicle(b)).data)
    data["event"] = UNKNOWN_EVENT
    delivery = b.deliver(Event.build(UNKNOWN_EVENT, data))
    return unknown_acknowledged(
        b,
        delivery,
        f"a correctly signed event of a type the receiver cannot know ({UNKNOWN_EVENT!r})",
        refusal="Zoom adds new ones, and a refused delivery is lost",
    )


# -- what an attacker sends -----------------------------------------------------------------------

_UNVERIFIED = (
    "the receiver acts on requests without verifying x-zm-signature over the raw body and "
    "x-zm-request-timestamp"
)


def _rejected(
    b: Battery, what: str, event: Event, *, cause: str = _UNVERIFIED, **send: Any
) -> Found:
    delivery = b.deliver(event, **send)
    return refused(
        b,
        delivery,
        what,
        expected=f"a correct receiver refuses it with a 4xx (401 or 403) within "
        f"{delivery.deadline:g} s",
        cause=cause,
        crash="the verification raises instead of refusing; Zoom retries 5xx",
        precise=True,
    )


def _tampered(body: bytes) -> bytes:
    if b'"topic":"' in body:
        return body.replace(b'"topic":"', b'"topic":"X', 1)
    head, sep, tail = body.partition(b'"event_ts":')
    digits = len(tail) - len(tail.lstrip(b"0123456789"))
    return head + sep + str(int(tail[:digits]) + 1).encode() + tail[digits:]


def forged(kind: str) -> Callable[[Battery], Found]:
    def check(b: Battery) -> Found:
        name = vehicle(b)
        event = b.event(name)
        ts = b.now()
        secret = b.provider.secret
        good = sign(secret, ts, event.body)
        headers: dict[str, str | None]
        cause = _UNVERIFIED
        if kind == "wrong-secret":
            headers = {"x-zm-signature": sign(secret + "-not", ts, event.body)}
            what = f"{name} signed with another secret token"
        elif kind == "tampered-body":
            what = f"{name} whose body was changed after signing"
            event = Event.from_body(_tampered(event.body), name=name)
            headers = {"x-zm-signature": good}
        elif kind == "last-digit":
            headers = {"x-zm-signature": good[:-1] + ("0" if good[-1] != "0" else "1")}
            what = f"{name} with the right signature except its last hex digit"
        elif kind == "signature-prefix":
            digest = good[3:]
            half = len(digest) // 2
            headers = {"x-zm-signature": "v0=" + digest[:half] + "0" * (len(digest) - half)}
            what = f"{name} whose signature has only its first half right"
        elif kind == "truncated-signature":
            half = (len(good) - len("v0=")) // 2
            headers = {"x-zm-signature": good[: len("v0=") + half]}
            what = f"{name} whose signature is the right one cut to its first half"
            cause = (
                "the receiver compares only part of the signature: as much as it was sent "
                "(expected.startswith(signature), which a forger passes with one right hex "
                "digit), or a fixed prefix of the digest"
            )
        elif kind == "missing-signature":
            headers = {"x-zm-signature": None}
            what = f"{name} without an x-zm-signature header"
        elif kind == "missing-timestamp":
            headers = {"x-zm-request-timestamp": None, "x-zm-signature": good}
            what = f"{name} without an x-zm-request-timestamp header"
        elif kind == "non-numeric-timestamp":
            headers = {
                "x-zm-request-timestamp": "yesterday",
                "x-zm-signature": sign(secret, "yesterday", event.body),
            }
            what = f"{name} signed with the timestamp 'yesterday'"
            cause = (
                "the receiver verifies the signature but never reads the timestamp as a "
                "number of seconds, so it cannot refuse old or odd ones"
            )
        elif kind == "wrong-scheme":
            headers = {"x-zm-signature": "v1=" + good[3:]}
            what = f"{name} with the right digest under the scheme 'v1='"
        elif kind == "empty-signature":
            headers = {"x-zm-signature": ""}
            what = f"{name} with an empty x-zm-signature"
        else:
            raise ConfigurationError(f"unknown forgery {kind!r}")
        return _rejected(b, what, event, cause=cause, headers=headers, timestamp=ts)

    return check


def replay(direction: int) -> Callable[[Battery], Found]:
    def check(b: Battery) -> Found:
        name = vehicle(b)
        offset = int(b.tolerance) + 60
        then = b.provider.clock.real() + direction * offset
        data = dict(b.event(name).data)
        data["event_ts"] = int(then * 1000)
        when = "older" if direction < 0 else "further in the future"
        return _rejected(
            b,
            f"a correctly signed {name} whose timestamp is {offset} s {when} than now "
            f"(tolerance {b.tolerance:g} s)",
            Event.build(name, data),
            timestamp=int(then),
            cause=f"the receiver does not refuse timestamps more than {b.tolerance:g} s "
            + ("in the past" if direction < 0 else "in the future")
            + " (a captured request can be replayed)",
        )

    return check
