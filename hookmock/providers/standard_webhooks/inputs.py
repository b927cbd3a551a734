"""The checks about what else reaches a Standard Webhooks receiver: bodies that are not events
(unsigned, as an attacker or a broken proxy sends them), a message delivered twice under one
``webhook-id`` (a retry), and a burst of deliveries under the deadline."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ...conformance.base import (
    Battery,
    Found,
    ProbeFailure,
    is_crash,
    is_slow,
    probe_unmoved,
    show,
    vehicle,
)
from ...conformance.verdicts import bad_input_refused
from ...errors import ConfigurationError
from ...generate.events import Event
from .signature import HEADER_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP
from .signed import renamed, sender

__all__ = ["MALFORMED_BODIES", "duplicate", "malformed"]

#: The size of the body in the huge-body check.
HUGE_BODY_BYTES = 5 * 1024 * 1024

_UNSIGNED: dict[str, str | None] = {HEADER_ID: None, HEADER_TIMESTAMP: None, HEADER_SIGNATURE: None}

_BAD_INPUT = (
    "a correct receiver answers bad input with a 4xx (or acknowledges it), promptly; a 5xx or no "
    "answer is retried by the sender and shows the handler failing"
)
_PARSES_FIRST = (
    "the handler parses or decodes the body before verifying it, and raises (with the "
    "standardwebhooks Python library: verify() raises ValueError, not WebhookVerificationError, "
    "on a body that is not UTF-8 or JSON; answer 400 to both)"
)
_CONTENT_TYPE = (
    "the body is decoded by its content type, and the handler raises on one it does not expect; "
    "verify the raw bytes, whatever the content type says"
)

#: Unsigned bodies an attacker (or a broken proxy) can send: (body, what it is).
MALFORMED_BODIES: dict[str, tuple[bytes, str]] = {
    "not-json": (b"<xml>not json</xml>", "an unsigned body that is not JSON"),
    "empty-body": (b"", "an unsigned empty body"),
    "json-array": (b'[{"type":"contact.created"}]', "an unsigned JSON array"),
    "invalid-utf8": (
        b'{"type":"contact.created","data":{"name":"\xff\xfe\xc3("}}',
        "an unsigned body with bytes that are not UTF-8",
    ),
    "duplicate-keys": (
        b'{"type":"contact.created","data":{},"data":null,"timestamp":"2024-07-11T13:44:15Z"}',
        'an unsigned JSON object with "data" twice (the second one null)',
    ),
}


def _judge(
    b: Battery,
    what: str,
    event: Event,
    *,
    headers: Mapping[str, str | None],
    cause: str = _PARSES_FIRST,
) -> Found:
    """Any answer below 500 within the deadline passes, when the receiver acknowledged a
    correctly signed event too (otherwise it shows nothing about this input)."""
    delivery = b.deliver(event, headers=headers)
    sent = f"sent: {what}; got {show(delivery)}"
    if is_slow(delivery):
        if b.carrier is None and b.signed and all(is_slow(d) for d in b.signed.values()):
            # Every correctly signed event was late too: this one's lateness is not its input's.
            return Found(
                None,
                f"{sent}\ninconclusive: every correctly signed event was answered late too, so "
                "this answer shows nothing about this input",
            )
        cause = "the work happens before the answer; acknowledge first, then work"
    return bad_input_refused(b, delivery, sent, f"{_BAD_INPUT}\nlikely cause: {cause}")


def malformed(kind: str) -> Callable[[Battery], Found]:
    def check(b: Battery) -> Found:
        b.establish_baseline()
        unsigned = renamed(b, _UNSIGNED)
        if kind in MALFORMED_BODIES:
            body, what = MALFORMED_BODIES[kind]
            return _judge(b, what, Event.from_body(body, name="(malformed)"), headers=unsigned)
        if kind == "huge-body":
            filler = b"x" * HUGE_BODY_BYTES
            body = b'{"type":"contact.created","data":{"name":"' + filler + b'"}}'
            what = f"an unsigned {len(body) // (1024 * 1024)} MB JSON body"
            return _judge(b, what, Event.from_body(body, name="(malformed)"), headers=unsigned)
        name = vehicle(b)
        if kind == "content-type":
            return _judge(
                b,
                f"a correctly signed {name} sent as text/plain",
                b.event(name),
                cause=_CONTENT_TYPE,
                headers={"content-type": "text/plain"},
            )
        if kind == "no-content-type":
            return _judge(
                b,
                f"a correctly signed {name} without a content-type header",
                b.event(name),
                cause=_CONTENT_TYPE,
                headers={"content-type": None},
            )
        raise ConfigurationError(f"unknown malformed input {kind!r}")

    return check


def duplicate(b: Battery) -> Found:
    """One message delivered twice with the same ``webhook-id`` (a retry: fresh timestamp and
    signature), both to be acknowledged; with a probe, processed once."""
    b.establish_baseline()
    counted = b.probe is not None and b.probe_event is not None
    name = b.probe_event if counted and b.probe_event else vehicle(b)
    event = b.event(name)
    readings: list[int | None] = []
    try:
        readings.append(b.read_probe())
        first = b.deliver(event)
        readings.append(b.read_probe())
        again = b.deliver(event)
        readings.append(b.read_probe())
    except ProbeFailure as failure:
        return Found(None, f"inconclusive: the probe raised {failure}")
    msg_id = first.request.header(sender(b).header_id)
    sent = (
        f"sent: a correctly signed {name}, then the same message again (same body and "
        f"webhook-id {msg_id}, fresh timestamp and signature, as a sender retries when it "
        "did not see the first answer)"
    )
    problems = [
        f"the {label} got {show(d)}"
        for label, d in (("first delivery", first), ("second delivery", again))
        if not d.acknowledged
    ]
    remark = ""
    advice = []
    if None not in readings:
        before, once, twice = (int(r or 0) for r in readings)
        went = f"the probe went {before} → {once} → {twice}"
        if once - before < 1 and not problems:
            return Found(None, f"{sent}; both acknowledged ({went})\n{probe_unmoved(name)}")
        if once - before >= 1 and twice != once:
            problems.append(f"the second delivery was processed again ({went})")
            advice.append("deduplicate on webhook-id: every attempt of one message carries it")
    elif b.probe is None:
        remark = "; without a probe, processing once was not verified"
    if not problems:
        b.latencies += [first.elapsed, again.elapsed]
        return Found(True, f"both acknowledged{remark}")
    lines = [sent, *(f"problem: {p}" for p in problems)]
    lines.append(
        "a correct receiver acknowledges both (a 2xx to a message it already has, so that the "
        "sender stops retrying) and processes the message once"
    )
    if first.acknowledged and is_crash(again):
        advice.append(
            "the receiver fails on a webhook-id it has seen (a unique key, say); the sender then "
            "retries it for a day: answer 2xx to a duplicate and skip the work"
        )
    elif first.acknowledged and not again.acknowledged:
        advice.append(
            "the receiver refuses a webhook-id it has seen; the sender then retries it for a "
            "day: answer 2xx to a duplicate and skip the work"
        )
    lines += [f"likely cause: {a}" for a in advice]
    return Found(False, "\n".join(lines))
