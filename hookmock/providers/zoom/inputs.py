"""The checks about what else arrives: bodies that are not events (unsigned, as an attacker or a
broken proxy sends them), duplicates as Zoom makes them (a retry and a re-sent copy), and a
burst of deliveries under the deadline."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...conformance.base import (
    Battery,
    Found,
    ProbeFailure,
    is_slow,
    no_carrier,
    probe_unmoved,
    show,
    vehicle,
)
from ...conformance.raw import CLOSED_WITHOUT_ANSWER, TruncatingTarget
from ...conformance.verdicts import bad_input_refused
from ...engine.delivery import Delivery
from ...engine.subscription import Subscription
from ...errors import ConfigurationError
from ...generate.events import Event
from ...transports import HTTPTarget, WSGITarget

__all__ = ["MALFORMED_BODIES", "duplicate", "malformed", "truncated"]

#: The size of the body in the huge-body check.
HUGE_BODY_BYTES = 5 * 1024 * 1024
# How many bytes the truncated-body check promises beyond those it sends.
MISSING_BYTES = 100


_UNSIGNED = {"x-zm-signature": None, "x-zm-request-timestamp": None}


_PARSES_FIRST = "the handler parses or reads the body before checking it, and raises"


_BAD_INPUT = (
    "a correct receiver answers bad input with a 4xx (or acknowledges it), promptly; a 5xx or no "
    "answer makes Zoom retry it"
)


def _no_server_error(
    b: Battery, what: str, event: Event, *, cause: str = _PARSES_FIRST, **send: Any
) -> Found:
    return _judge(b, what, b.deliver(event, **send), correct=_BAD_INPUT, cause=cause)


def _judge(b: Battery, what: str, delivery: Delivery, *, correct: str, cause: str) -> Found:
    """Any answer below 500 within the deadline passes, when the receiver acknowledged a
    correctly signed event too (otherwise it shows nothing about this input)."""
    sent = f"sent: {what}; got {show(delivery)}"
    return bad_input_refused(b, delivery, sent, f"{correct}\nlikely cause: {cause}")


def _raw(body: bytes) -> Event:
    return Event.from_body(body, name="(malformed)")


#: Unsigned bodies an attacker (or a broken proxy) can send: (body, what it is).
MALFORMED_BODIES: dict[str, tuple[bytes, str]] = {
    "not-json": (b"<xml>not json</xml>", "an unsigned body that is not JSON"),
    "empty-body": (b"", "an unsigned empty body"),
    "json-array": (b'[{"event":"meeting.started"}]', "an unsigned JSON array"),
    "json-null": (b"null", "an unsigned body that is JSON null"),
    "json-number": (b"1720705455", "an unsigned body that is a JSON number"),
    "json-string": (b'"meeting.started"', "an unsigned body that is a JSON string"),
    "no-event": (
        b'{"payload":{"account_id":"x","object":{"id":"1"}},"event_ts":1720705455858}',
        'an unsigned JSON object without "event"',
    ),
    "event-not-string": (
        b'{"event":{"name":"meeting.started"},"payload":{},"event_ts":1720705455858}',
        'an unsigned JSON object whose "event" is an object, not a string',
    ),
    "invalid-utf8": (
        b'{"event":"meeting.started","payload":{"object":{"topic":"\xff\xfe\xc3("}}}',
        "an unsigned body with bytes that are not UTF-8",
    ),
    "duplicate-keys": (
        b'{"event":"meeting.started","payload":{"object":{}},"payload":null,'
        b'"event_ts":1720705455858}',
        'an unsigned JSON object with "payload" twice (the second one null)',
    ),
}


_CONTENT_TYPE = (
    "the body is decoded by its content type, and the handler raises on one it does not expect; "
    "read the raw bytes as JSON whatever the content type says"
)


def malformed(kind: str) -> Callable[[Battery], Found]:
    def check(b: Battery) -> Found:
        b.establish_baseline()
        if kind in MALFORMED_BODIES:
            body, what = MALFORMED_BODIES[kind]
            return _no_server_error(b, what, _raw(body), headers=_UNSIGNED)
        if kind == "huge-body":
            filler = b"x" * HUGE_BODY_BYTES
            body = b'{"event":"meeting.started","payload":{"topic":"' + filler + b'"}}'
            what = f"an unsigned {len(body) // (1024 * 1024)} MB JSON body"
            return _no_server_error(b, what, _raw(body), headers=_UNSIGNED)
        name = vehicle(b)
        if kind == "content-type":
            return _no_server_error(
                b,
                f"a correctly signed {name} sent as text/plain",
                b.event(name),
                cause=_CONTENT_TYPE,
                headers={"content-type": "text/plain"},
            )
        if kind == "no-content-type":
            return _no_server_error(
                b,
                f"a correctly signed {name} without a content-type header",
                b.event(name),
                cause=_CONTENT_TYPE,
                headers={"content-type": None},
            )
        raise ConfigurationError(f"unknown malformed input {kind!r}")

    return check


def truncated(b: Battery) -> Found:
    b.establish_baseline()
    target = b.subscription.target
    event = b.event(vehicle(b))
    body = event.body
    what = (
        f"an unsigned body of {len(body)} bytes under content-length: "
        f"{len(body) + MISSING_BYTES} (the connection ends before the rest)"
    )
    if isinstance(target, HTTPTarget):
        route = Subscription("conformance", "conformance", TruncatingTarget(target), None)
    elif isinstance(target, WSGITarget):
        # A WSGI server hands the application an input stream that ends early; so does this.
        route = b.subscription
    else:
        return Found(
            None,
            f"inconclusive: {target.describe()} cannot be sent a body shorter than its "
            "content-length in-process; check it at a URL (hookmock check URL)",
        )
    headers = {**_UNSIGNED, "content-length": str(len(body) + MISSING_BYTES)}
    delivery = b.deliver(event, headers=headers, subscription=route)
    if delivery.error == CLOSED_WITHOUT_ANSWER:
        if b.carrier is None:
            return Found(None, f"sent: {what}; got {show(delivery)}\n{no_carrier(b)}")
        return Found(True, "the receiver closed the connection without an answer (no 5xx)")
    if is_slow(delivery) and not isinstance(target, WSGITarget):
        if b.carrier is None:
            return Found(None, f"sent: {what}; got {show(delivery)}\n{no_carrier(b)}")
        return Found(
            True, f"{show(delivery)}: the server kept waiting for the promised bytes (no 5xx)"
        )
    return _judge(
        b,
        what,
        delivery,
        correct="a correct receiver answers a request cut short with a 4xx, promptly",
        cause="the body is read without handling a stream that ends early",
    )


# -- duplicates and load --------------------------------------------------------------------------


def duplicate(b: Battery) -> Found:
    b.establish_baseline()
    counted = b.probe is not None and b.probe_event is not None
    name = b.probe_event if counted and b.probe_event else vehicle(b)
    event = b.event(name)
    readings: list[int | None] = []
    try:
        readings.append(b.read_probe())
        first = b.deliver(event)
        readings.append(b.read_probe())
        request_id = first.request.header("x-zm-request-id")
        retry = b.deliver(event, headers={"x-zm-request-id": request_id})
        readings.append(b.read_probe())
        resent = b.deliver(event)
        readings.append(b.read_probe())
    except ProbeFailure as failure:
        return Found(None, f"inconclusive: the probe raised {failure}")
    sent = (
        f"sent: a correctly signed {name}, then a retry of it (same body and x-zm-request-id, "
        "fresh timestamp and signature, as Zoom retries), then a re-sent duplicate (same body, "
        "new x-zm-request-id, as Zoom sometimes sends)"
    )
    problems = [
        f"the {label} got {show(d)}"
        for label, d in (("first delivery", first), ("retry", retry), ("duplicate", resent))
        if not d.acknowledged
    ]
    advice = []
    remark = ""
    if None not in readings:
        before, once, after_retry, after_resent = (int(r or 0) for r in readings)
        went = f"the probe went {before} → {once} → {after_retry} → {after_resent}"
        if once - before < 1 and not problems:
            return Found(None, f"{sent}; all three acknowledged ({went})\n{probe_unmoved(name)}")
        if once - before >= 1:
            if after_retry != once:
                problems.append(f"the retry was processed again ({went})")
                advice.append("Zoom keeps x-zm-request-id on a retry: deduplicate retries on it")
            if after_resent != after_retry:
                problems.append(f"the re-sent duplicate was processed again ({went})")
                advice.append(
                    "a re-sent duplicate has a new x-zm-request-id: deduplicate on the event's "
                    "own identity (event, payload.object uuid or id, event_ts)"
                )
    elif b.probe is None:
        remark = "; without a probe, processing once was not verified"
    if not problems:
        b.latencies += [first.elapsed, retry.elapsed, resent.elapsed]
        return Found(True, f"all three acknowledged{remark}")
    lines = [sent, *(f"problem: {p}" for p in problems)]
    lines.append(
        "a correct receiver acknowledges all three and processes the event once: deduplicate "
        "retries on x-zm-request-id and re-sent duplicates on the event's own identity"
    )
    lines += [f"likely cause: {a}" for a in advice]
    return Found(False, "\n".join(lines))
