"""The checks of the conformance battery, in the order they run: first what Zoom sends (which
finds the event types the receiver acknowledges), then what an attacker sends, carried on one of
those types, then duplicates and load."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .checkbase import (
    Battery,
    Check,
    Family,
    Found,
    ProbeFailure,
    Severity,
    is_crash,
    is_refusal,
    is_slow,
    show,
)
from .checkraw import CLOSED_WITHOUT_ANSWER, TruncatingTarget
from .delivery import Delivery, Outcome
from .errors import ConfigurationError
from .events import Event
from .providers.zoom import encrypted_token, sign
from .simulator import Subscription
from .transports import HTTPTarget, WSGITarget

__all__ = ["UNKNOWN_EVENT", "build_checks", "percentile"]

#: The size of the body in the huge-body check.
HUGE_BODY_BYTES = 5 * 1024 * 1024
# Text with characters outside the Basic Multilingual Plane (written as surrogate escapes by Zoom)
# beside other non-ASCII (written raw): the bytes that break re-serializing verifiers (ZOOM.md §1).
ZOOM_REALISTIC_TOPIC = "Q3 launch \U0001f680\U0001f692 – the team’s plan / ünïcödé"
UNKNOWN_EVENT = "hookmock.unknown_event"
URL_VALIDATION = "endpoint.url_validation"
# How many bytes the truncated-body check promises beyond those it sends.
MISSING_BYTES = 100


def _no_carrier(b: Battery) -> str:
    tried = ", ".join(b.signed) or "none"
    return (
        f"inconclusive: no correctly signed event was acknowledged (tried: {tried}), so this "
        "answer cannot be told from the answer to a correct request"
    )


def _vehicle(b: Battery) -> str:
    """The event type negative checks are carried on: one the receiver acknowledged."""
    b.establish_baseline()
    return b.carrier or b.events[0]


def _carried(b: Battery) -> str:
    name = b.carrier
    return f" (a correctly signed {name} was acknowledged)" if name else ""


# -- URL validation ------------------------------------------------------------------------------


def _url_validation(b: Battery) -> Found:
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
        f"HMAC-SHA256(secret token, plainToken)}} within {b.zoom.deadline:g} s"
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


def _oracle(kind: str) -> Callable[[Battery], Found]:
    def check(b: Battery) -> Found:
        baseline = b.validation_baseline()
        event = b.zoom.fake(URL_VALIDATION)
        plain = event.data["payload"]["plainToken"]
        ts = b.now()
        headers: dict[str, str | None]
        if kind == "unsigned":
            headers = {"x-zm-signature": None, "x-zm-request-timestamp": None}
            what = "endpoint.url_validation without x-zm-signature and x-zm-request-timestamp"
        else:
            headers = {"x-zm-signature": sign(b.zoom.secret_token + "-not", ts, event.body)}
            what = "endpoint.url_validation signed with another secret token"
        delivery = b.deliver(event, headers=headers, timestamp=ts)
        sent = f"sent: {what}; got {show(delivery)}"
        if _answered_token(delivery) == encrypted_token(b.zoom.secret_token, plain):
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


def _valid_event(name: str) -> Callable[[Battery], Found]:
    def check(b: Battery) -> Found:
        delivery = b.signed_delivery(name)
        if delivery.acknowledged:
            b.latencies.append(delivery.elapsed)
            return Found(True, show(delivery))
        lines = [
            f"sent: a correctly signed {name}; got {show(delivery)}",
            f"a correct receiver acknowledges it with a 2xx within {delivery.deadline:g} s",
        ]
        if delivery.status in (401, 403):
            lines.append(
                "likely cause: the signature check fails on a plain Zoom body: is the secret "
                "token the app's, and is the message 'v0:{x-zm-request-timestamp}:{raw body}'?"
            )
        elif is_slow(delivery):
            lines.append(
                f"likely cause: the receiver works on {name} before answering; acknowledge "
                "first, then work"
            )
        elif is_crash(delivery):
            lines.append(f"likely cause: the handler of {name} fails; see the response")
        elif is_refusal(delivery):
            lines.append(
                "likely cause: the receiver refuses event types it does not handle; Zoom does "
                "not retry a 4xx, so the event is lost"
            )
        return Found(False, "\n".join(lines))

    return check


_RESERIALIZED = (
    "the receiver verifies a re-serialized body (json.dumps(request.json), "
    "JSON.stringify(req.body)) instead of the raw bytes it received"
)


def _has_topic(name: str) -> bool:
    from .catalog import load_schema

    schema = load_schema(name)
    props = schema.get("properties", {}).get("payload", {}).get("properties", {})
    return "topic" in props.get("object", {}).get("properties", {})


def _variant(
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
                f"{_no_carrier(b)}\n(the check needs an acknowledged event type with a topic)",
            )
        twin = b.deliver(b.event(name, topic=plain_topic))
        delivery = b.deliver(b.event(name, topic=topic, serialization=serialization))
        sent = f"sent: a correctly signed {name} with {what}; got {show(delivery)}"
        if delivery.acknowledged:
            b.latencies.append(delivery.elapsed)
            return Found(True, show(delivery))
        if not twin.acknowledged:
            return Found(
                None,
                f"{sent}\ninconclusive: the same kind of event in Zoom's own bytes was refused "
                f"too ({show(twin)}), so the byte form is not what was refused",
            )
        lines = [
            sent,
            "a correct receiver acknowledges it: the signature is over the raw bytes, whatever "
            f"their form (the same event in Zoom's bytes was acknowledged: {show(twin)})",
        ]
        if delivery.status in (401, 403):
            lines.append(f"likely cause: {_RESERIALIZED}")
        elif is_slow(delivery):
            lines.append("likely cause: the work happens before the answer; acknowledge first")
        elif is_crash(delivery):
            lines.append(
                "likely cause: the handler fails on this byte form: does it read the raw text "
                "(a field's position, a fixed layout) instead of parsing the JSON?"
            )
        return Found(False, "\n".join(lines))

    return check


def _unknown_event(b: Battery) -> Found:
    data = dict(b.event(_vehicle(b)).data)
    data["event"] = UNKNOWN_EVENT
    delivery = b.deliver(Event.build(UNKNOWN_EVENT, data))
    if delivery.acknowledged:
        b.latencies.append(delivery.elapsed)
        return Found(True, show(delivery))
    lines = [
        f"sent: a correctly signed event of a type the receiver cannot know ({UNKNOWN_EVENT!r}); "
        f"got {show(delivery)}",
        f"a correct receiver acknowledges it with a 2xx within {delivery.deadline:g} s",
    ]
    if is_refusal(delivery) and b.carrier is not None:
        lines.append(
            "likely cause: the receiver refuses event types it does not handle; Zoom adds new "
            "ones, and a refused delivery is lost"
        )
    elif is_crash(delivery):
        lines.append("likely cause: the handler fails on an event type it does not know")
    return Found(False, "\n".join(lines))


# -- what an attacker sends -----------------------------------------------------------------------

_UNVERIFIED = (
    "the receiver acts on requests without verifying x-zm-signature over the raw body and "
    "x-zm-request-timestamp"
)


def _rejected(
    b: Battery, what: str, event: Event, *, cause: str = _UNVERIFIED, **send: Any
) -> Found:
    delivery = b.deliver(event, **send)
    sent = f"sent: {what}; got {show(delivery)}"
    if delivery.outcome is Outcome.REJECTED:
        if b.carrier is None:
            return Found(None, f"{sent}\n{_no_carrier(b)}")
        remark = "" if delivery.status in (401, 403) else "; 401 or 403 says more precisely why"
        return Found(True, f"{show(delivery)}{remark}{_carried(b)}")
    lines = [
        sent,
        f"a correct receiver refuses it with a 4xx (401 or 403) within {delivery.deadline:g} s",
    ]
    if delivery.acknowledged:
        lines.append(f"likely cause: {cause}")
    elif is_crash(delivery):
        lines.append("likely cause: the verification raises instead of refusing; Zoom retries 5xx")
    return Found(False, "\n".join(lines))


def _tampered(body: bytes) -> bytes:
    if b'"topic":"' in body:
        return body.replace(b'"topic":"', b'"topic":"X', 1)
    head, sep, tail = body.partition(b'"event_ts":')
    digits = len(tail) - len(tail.lstrip(b"0123456789"))
    return head + sep + str(int(tail[:digits]) + 1).encode() + tail[digits:]


def _forged(kind: str) -> Callable[[Battery], Found]:
    def check(b: Battery) -> Found:
        name = _vehicle(b)
        event = b.event(name)
        ts = b.now()
        secret = b.zoom.secret_token
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


def _replay(direction: int) -> Callable[[Battery], Found]:
    def check(b: Battery) -> Found:
        name = _vehicle(b)
        offset = int(b.tolerance) + 60
        then = b.zoom.clock.real() + direction * offset
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


_UNSIGNED = {"x-zm-signature": None, "x-zm-request-timestamp": None}


_PARSES_FIRST = "the handler parses or reads the body before checking it, and raises"


def _no_server_error(
    b: Battery, what: str, event: Event, *, cause: str = _PARSES_FIRST, **send: Any
) -> Found:
    delivery = b.deliver(event, **send)
    sent = f"sent: {what}; got {show(delivery)}"
    if delivery.status is not None and delivery.status < 500 and not is_slow(delivery):
        if b.carrier is None:
            return Found(None, f"{sent}\n{_no_carrier(b)}")
        return Found(True, show(delivery))
    return Found(
        False,
        "\n".join(
            [
                sent,
                "a correct receiver answers bad input with a 4xx (or acknowledges it), promptly; "
                "a 5xx or no answer makes Zoom retry it",
                f"likely cause: {cause}",
            ]
        ),
    )


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


def _malformed(kind: str) -> Callable[[Battery], Found]:
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
        name = _vehicle(b)
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


def _truncated(b: Battery) -> Found:
    b.establish_baseline()
    target = b.subscription.target
    event = b.event(_vehicle(b))
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
            return Found(None, f"sent: {what}; got {show(delivery)}\n{_no_carrier(b)}")
        return Found(True, "the receiver closed the connection without an answer (no 5xx)")
    if is_slow(delivery) and not isinstance(target, WSGITarget):
        if b.carrier is None:
            return Found(None, f"sent: {what}; got {show(delivery)}\n{_no_carrier(b)}")
        return Found(
            True, f"{show(delivery)}: the server kept waiting for the promised bytes (no 5xx)"
        )
    return _judged_no_server_error(b, what, delivery)


def _judged_no_server_error(b: Battery, what: str, delivery: Delivery) -> Found:
    sent = f"sent: {what}; got {show(delivery)}"
    if delivery.status is not None and delivery.status < 500 and not is_slow(delivery):
        if b.carrier is None:
            return Found(None, f"{sent}\n{_no_carrier(b)}")
        return Found(True, show(delivery))
    return Found(
        False,
        f"{sent}\na correct receiver answers a request cut short with a 4xx, promptly\n"
        "likely cause: the body is read without handling a stream that ends early",
    )


# -- duplicates and load --------------------------------------------------------------------------


def _duplicate(b: Battery) -> Found:
    b.establish_baseline()
    counted = b.probe is not None and b.probe_event is not None
    name = b.probe_event if counted and b.probe_event else _vehicle(b)
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
        if once - before < 1:
            remark = (
                f"; the probe did not change on the first delivery of {name!r}, so exactly-once "
                "processing was not verified (does the probe count its effects?)"
            )
        else:
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


def _under_load(b: Battery) -> Found:
    b.establish_baseline()
    name = b.carrier
    if name is None:
        return Found(None, _no_carrier(b))
    events = [b.event(name) for _ in range(b.concurrency)]
    if b.in_process:
        # An in-process application is called on the caller's thread, as a test expects (its
        # database connection, its transaction); concurrency needs a server in front of it.
        deliveries = [b.deliver(e) for e in events]
        how = (
            f"{len(events)} correctly signed {name} back to back on the calling thread "
            "(in-process; check a URL for concurrent deliveries)"
        )
    else:
        with ThreadPoolExecutor(max_workers=b.concurrency) as pool:
            deliveries = list(pool.map(b.deliver, events))
        how = f"{len(events)} correctly signed {name} at once"
    times = sorted(d.elapsed for d in deliveries)
    b.latencies += [d.elapsed for d in deliveries if d.acknowledged]
    figures = (
        f"p50 {percentile(times, 50) * 1000:.0f} ms, p95 {percentile(times, 95) * 1000:.0f} ms"
    )
    failed = [d for d in deliveries if not d.acknowledged]
    if not failed:
        return Found(True, f"{how}: all acknowledged; {figures}")
    slow = [d for d in failed if is_slow(d)]
    other = [d for d in failed if not is_slow(d)]
    lines = [f"sent: {how}; {figures}"]
    if slow:
        lines.append(f"{len(slow)} not answered within the {slow[0].deadline:g} s deadline")
    if other:
        lines.append(f"{len(other)} answered but not acknowledged (not a matter of time)")
    lines += [f"problem: {show(d)}" for d in failed[:5]]
    lines.append(
        f"a correct receiver acknowledges each within {deliveries[0].deadline:g} s under load"
    )
    if slow:
        lines.append(
            "likely cause: the work happens before the answer; acknowledge first, queue it"
        )
    return Found(False, "\n".join(lines))


def percentile(values: Sequence[float], percent: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(percent / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


# -- the battery ---------------------------------------------------------------------------------

E, W = Severity.ERROR, Severity.WARNING
F = Family

_VARIANTS = (
    (
        "valid-non-bmp",
        "acknowledges a body with emoji escapes beside raw UTF-8, as Zoom writes it",
        E,
        _variant(
            "zoom",
            ZOOM_REALISTIC_TOPIC,
            "Q3 launch – the team’s plan / ünïcödé",
            "a topic whose emoji are written as \\uD83D\\uDE80 surrogate escapes beside raw "
            "UTF-8 (as Zoom writes them)",
        ),
    ),
    (
        "valid-key-order",
        "acknowledges the same JSON in another key order",
        E,
        _variant("sorted-keys", "Design review", "Design review", "its keys in alphabetical order"),
    ),
    (
        "valid-escaped-slashes",
        "acknowledges the same JSON with \\/ escapes",
        E,
        _variant(
            "escaped-slashes",
            "Design review / planning",
            "Design review / planning",
            "every '/' written as '\\/'",
        ),
    ),
    (
        "valid-whitespace",
        "acknowledges the same JSON pretty-printed",
        E,
        _variant("pretty", "Design review", "Design review", "indentation and spaces"),
    ),
    (
        "valid-ascii-escapes",
        "acknowledges the same JSON with non-ASCII escaped",
        W,
        _variant(
            "ascii",
            "Design review – café",
            "Design review – café",
            "every non-ASCII character as a \\uXXXX escape",
        ),
    ),
)

_FORGERIES = (
    ("wrong-secret", "rejects a body signed with another secret"),
    ("tampered-body", "rejects a body changed after signing"),
    ("last-digit", "rejects a signature with its last hex digit changed"),
    ("signature-prefix", "rejects a signature with only its first half right"),
    ("missing-signature", "rejects a request without x-zm-signature"),
    ("missing-timestamp", "rejects a request without x-zm-request-timestamp"),
    ("non-numeric-timestamp", "rejects a non-numeric timestamp"),
    ("wrong-scheme", "rejects a signature under another scheme (v1=)"),
    ("empty-signature", "rejects an empty signature"),
)

_MALFORMED = (
    ("not-json", "answers a non-JSON body without a 5xx", E),
    ("empty-body", "answers an empty body without a 5xx", E),
    ("json-array", "answers a JSON array without a 5xx", E),
    ("json-null", "answers a JSON null without a 5xx", E),
    ("json-number", "answers a JSON number without a 5xx", E),
    ("json-string", "answers a JSON string without a 5xx", E),
    ("no-event", "answers an object without an event field without a 5xx", E),
    ("event-not-string", "answers an event field that is not a string without a 5xx", E),
    ("invalid-utf8", "answers a body that is not UTF-8 without a 5xx", E),
    ("duplicate-keys", "answers an object with a duplicated key without a 5xx", E),
    ("huge-body", "answers a body of several MB without a 5xx", E),
    ("content-type", "answers a text/plain content type without a 5xx", W),
    ("no-content-type", "answers a request without a content type without a 5xx", W),
)


def build_checks(events: Sequence[str]) -> tuple[Check, ...]:
    """The battery, in the order it runs, with one ``valid-event:NAME`` check per event type."""
    checks = [
        Check(
            "url-validation",
            "answers Zoom's URL validation challenge",
            E,
            _url_validation,
            F.VALIDATION,
        )
    ]
    checks += [
        Check(
            f"valid-event:{name}",
            f"acknowledges a correctly signed {name} within the deadline",
            E,
            _valid_event(name),
            F.EVENT,
        )
        for name in events
    ]
    checks += [Check(i, t, s, run, F.VARIANT) for i, t, s, run in _VARIANTS]
    checks.append(
        Check(
            "unknown-event",
            "acknowledges an event type it does not handle",
            E,
            _unknown_event,
            F.UNKNOWN,
        )
    )
    checks += [
        Check(
            "url-validation-unsigned",
            "does not answer an unsigned URL validation with the encryptedToken",
            E,
            _oracle("unsigned"),
            F.ORACLE,
        ),
        Check(
            "url-validation-forged",
            "does not answer a wrongly signed URL validation with the encryptedToken",
            E,
            _oracle("forged"),
            F.ORACLE,
        ),
    ]
    checks += [Check(f"forged-{k}", t, E, _forged(k), F.FORGED) for k, t in _FORGERIES]
    checks += [
        Check(
            "replay-stale",
            "rejects a correctly signed request older than the tolerance",
            E,
            _replay(-1),
            F.REPLAY,
        ),
        Check(
            "replay-future",
            "rejects a timestamp further ahead than the tolerance",
            E,
            _replay(+1),
            F.REPLAY,
        ),
    ]
    checks += [Check(f"malformed-{k}", t, s, _malformed(k), F.MALFORMED) for k, t, s in _MALFORMED]
    checks += [
        Check(
            "malformed-truncated-body",
            "answers a body shorter than its content-length without a 5xx",
            W,
            _truncated,
            F.MALFORMED,
        ),
        Check(
            "duplicate-delivery",
            "acknowledges a retry and a duplicate (and processes the event once)",
            E,
            _duplicate,
            F.DUPLICATE,
        ),
        Check(
            "deadline-under-load",
            "acknowledges a burst of deliveries within the deadline",
            E,
            _under_load,
            F.LOAD,
        ),
    ]
    return tuple(checks)
