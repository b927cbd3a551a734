"""Slack's conformance battery, in the order it runs: what Slack sends (``url_verification``,
correctly signed events, the same events written other ways, an event type nobody handles),
then what a forger sends (wrong signatures, replayed timestamps, bodies that are not events),
then Slack's retries and duplicates.

Forgeries and replays ride on an event type the receiver acknowledged (see
:meth:`hookmock.conformance.base.Battery.establish_baseline`): a refusal shows something only
beside an acceptance.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any

from ...conformance.base import (
    Battery,
    Check,
    Family,
    Found,
    ProbeFailure,
    Severity,
    Suite,
    is_crash,
    is_refusal,
    is_slow,
    no_carrier,
    probe_unmoved,
    show,
    vehicle,
)
from ...conformance.explain import SignatureCauses
from ...conformance.verdicts import (
    DUPLICATE_CRASH,
    TEXT_MEMBER,
    VARIANT_TEXT,
    Refusals,
    bad_input_refused,
    refused,
    text_variant,
)
from ...engine.delivery import Delivery
from ...generate.events import Event
from .protocol import NO_RETRY_HEADER, RETRY_NUM_HEADER, RETRY_REASON_HEADER, URL_VERIFICATION
from .signature import HEADER_SIGNATURE, HEADER_TIMESTAMP, sign

__all__ = ["CHECKS", "CHECK_IDS", "DEFAULT_EVENTS", "SUITE", "UNKNOWN_EVENT", "build_checks"]

#: The events a Slack app most often handles, each sent correctly signed by default.
DEFAULT_EVENTS: tuple[str, ...] = ("app_mention", "message", "reaction_added")
#: The inner ``event.type`` of the unknown-event check.
UNKNOWN_EVENT = "hookmock_unknown_event"

E, W = Severity.ERROR, Severity.WARNING
F = Family

_UNSIGNED = {HEADER_SIGNATURE: None, HEADER_TIMESTAMP: None}
_REFUSE = (
    "a correct receiver refuses it with a 4xx (Bolt: 401), promptly, after checking "
    "X-Slack-Signature over the raw body and X-Slack-Request-Timestamp within 5 minutes"
)


# -- what Slack sends ------------------------------------------------------------------------------


def url_verification(b: Battery) -> Found:
    b.validation_baseline()
    delivery = b.validation
    assert delivery is not None
    if b.validation_ok:
        b.latencies.append(delivery.elapsed)
        return Found(True, f"answered in {delivery.elapsed * 1000:.0f} ms")
    lines = [f"sent: a signed url_verification; got {show(delivery)}"]
    lines += [f"problem: {p}" for p in b.validation_problems]
    lines.append(
        f"a correct receiver answers 200 within {b.provider.deadline:g} s with the challenge "
        '(plain text, challenge=... or {"challenge": ...})'
    )
    if b.validation_hint:
        lines.append(f"likely cause: {b.validation_hint}")
    return Found(False, "\n".join(lines))


_REFUSALS = Refusals(
    {
        404: "no listener for this event type (Bolt answers 404 to an event without a listener, "
        "and Slack retries it 3 times)"
    },
    otherwise="the receiver checks the signature with another signing secret, or over a "
    "re-serialized body instead of the raw bytes",
)


valid_event = _REFUSALS.valid_event


def _with_text(b: Battery, name: str) -> tuple[Any, str]:
    """A fresh *name* event's data carrying :data:`VARIANT_TEXT` (in its ``event.text``, or in
    a member added to its ``event``), and where it was put: a byte form then changes the bytes,
    whatever text the event was generated with."""
    data = copy.deepcopy(b.event(name).data)
    inner = data.get("event") if isinstance(data, dict) else None
    if not isinstance(inner, dict):
        return data, "nowhere"
    key = "text" if isinstance(inner.get("text"), str) else TEXT_MEMBER
    inner[key] = VARIANT_TEXT
    return data, f"event.{key}"


def variant(serialization: str, what: str) -> Callable[[Battery], Found]:
    return text_variant(
        serialization, what, with_text=_with_text, id_key="event_id", own="Slack's own bytes"
    )


def unknown_event(b: Battery) -> Found:
    name = vehicle(b)
    event = b.provider.fake(name, {**b.overrides, "event.type": UNKNOWN_EVENT}, validate=False)
    delivery = b.deliver(event)
    sent = f"sent: a correctly signed event_callback whose event.type is {UNKNOWN_EVENT!r}"
    if delivery.acknowledged:
        return Found(True, show(delivery))
    if (
        delivery.response is not None
        and (delivery.response.header(NO_RETRY_HEADER) or "").strip() == "1"
    ):
        return Found(True, f"{show(delivery)}, with X-Slack-No-Retry: 1 (Slack does not retry)")
    lines = [
        f"{sent}; got {show(delivery)}",
        "Slack retries every answer outside 2xx 3 times; a receiver that acknowledges the event "
        "types it does not handle (or answers X-Slack-No-Retry: 1) spares them",
    ]
    if is_refusal(delivery) and b.carrier is not None:
        # Without an acknowledged event, the refusal may be of everything (a wrong secret).
        lines.append(
            "likely cause: no listener for this type (Bolt answers 404 to an event without a "
            "listener)"
        )
    elif is_crash(delivery):
        # The warning is for Bolt's 404; failing on an event Slack sends is an error.
        lines.append("likely cause: the handler fails on an event type it does not know")
        return Found(False, "\n".join(lines), E)
    return Found(False, "\n".join(lines))


def unsigned_verification(b: Battery) -> Found:
    answered = b.validation_baseline()
    event = b.provider.fake(URL_VERIFICATION)
    delivery = b.deliver(event, headers=_UNSIGNED)
    challenge = event.data["challenge"]
    sent = (
        f"sent: url_verification without X-Slack-Signature and its timestamp; got {show(delivery)}"
    )
    if delivery.response is not None and challenge in delivery.response.text:
        return Found(
            False,
            f"{sent}\nthe challenge came back: the receiver answers before checking the "
            "signature, so anything reaching it passes as Slack\n" + _REFUSE,
        )
    if is_crash(delivery) or is_slow(delivery):
        return Found(False, f"{sent}\n{_REFUSE}\nlikely cause: the verification raises")
    if not answered:
        # A receiver that does not answer the signed challenge either shows nothing by not
        # answering this one.
        return Found(
            None,
            f"{sent}\ninconclusive: the signed url_verification was not answered with the "
            "challenge either, so not answering this one shows nothing about the signature",
        )
    return Found(True, show(delivery))


# -- what a forger sends ---------------------------------------------------------------------------

#: Each forgery: what it does to a correctly signed request, as (id, title, header changes).
_FORGERIES: tuple[tuple[str, str], ...] = (
    ("wrong-secret", "rejects a body signed with another secret"),
    ("tampered-body", "rejects a body changed after signing"),
    ("last-digit", "rejects a signature with its last hex digit changed"),
    ("signature-prefix", "rejects a signature with only its first half right"),
    ("timestamp-changed", "rejects a timestamp changed after signing"),
    ("missing-signature", "rejects a request without X-Slack-Signature"),
    ("missing-timestamp", "rejects a request without X-Slack-Request-Timestamp"),
    ("non-numeric-timestamp", "rejects a non-numeric X-Slack-Request-Timestamp"),
    ("wrong-version", "rejects a signature under another version (v1=)"),
    ("empty-signature", "rejects an empty X-Slack-Signature"),
)


# A 5xx to these accepts nothing, and Slack never sends them: a warning. Bolt for Python answers
# 500 to them (it reads the timestamp as a number, and parses the body, before verifying).
_FORGERY_SEVERITY = {"non-numeric-timestamp": W}


def _forge(b: Battery, kind: str) -> tuple[Event, dict[str, str | None], int | str, str]:
    """The request of forgery *kind*: the event, the header changes, the timestamp, what it is."""
    name = vehicle(b)
    secret = b.provider.secret
    event = b.event(name)
    ts = b.now()
    good = sign(secret, ts, event.body)
    headers: dict[str, str | None] = {}
    if kind == "wrong-secret":
        headers[HEADER_SIGNATURE] = sign(secret + "-not-the-apps", ts, event.body)
        what = "signed with another signing secret"
    elif kind == "tampered-body":
        original = event
        event = Event.from_body(event.body.replace(b'"type":"', b'"type":"x', 1), name=name)
        headers[HEADER_SIGNATURE] = sign(secret, ts, original.body)
        what = "with its body changed after signing"
    elif kind == "last-digit":
        headers[HEADER_SIGNATURE] = good[:-1] + ("0" if good[-1] != "0" else "1")
        what = "with the signature's last hex digit changed"
    elif kind == "signature-prefix":
        headers[HEADER_SIGNATURE] = good[: 3 + 32]
        what = "with only the first half of the signature"
    elif kind == "timestamp-changed":
        headers[HEADER_SIGNATURE] = good
        headers[HEADER_TIMESTAMP] = str(ts - 1)
        what = "with X-Slack-Request-Timestamp moved 1 s after signing"
    elif kind == "missing-signature":
        headers[HEADER_SIGNATURE] = None
        what = "without X-Slack-Signature"
    elif kind == "missing-timestamp":
        headers[HEADER_TIMESTAMP] = None
        what = "without X-Slack-Request-Timestamp"
    elif kind == "non-numeric-timestamp":
        headers[HEADER_TIMESTAMP] = "now"
        headers[HEADER_SIGNATURE] = sign(secret, "now", event.body)
        what = "with X-Slack-Request-Timestamp 'now' (signed with it)"
    elif kind == "wrong-version":
        headers[HEADER_SIGNATURE] = "v1=" + good[3:]
        what = "with the signature written v1= instead of v0="
    else:
        headers[HEADER_SIGNATURE] = ""
        what = "with an empty X-Slack-Signature"
    return event, headers, ts, f"{name} {what}"


def _refused(b: Battery, delivery: Delivery, sent: str, cause: str) -> Found:
    return refused(
        b,
        delivery,
        sent,
        expected=_REFUSE,
        cause=cause,
        crash="the verification raises instead of refusing; Slack retries a 5xx",
    )


def forged(kind: str) -> Callable[[Battery], Found]:
    def check(b: Battery) -> Found:
        event, headers, ts, what = _forge(b, kind)
        delivery = b.deliver(event, headers=headers, timestamp=ts)
        return _refused(b, delivery, what, "the signature is not checked, or not compared in full")

    return check


def replay(direction: int) -> Callable[[Battery], Found]:
    def check(b: Battery) -> Found:
        name = vehicle(b)
        ts = b.now() + direction * int(b.tolerance + 60)
        event = b.event(name)
        delivery = b.deliver(event, timestamp=ts)
        when = "older" if direction < 0 else "further ahead"
        return _refused(
            b,
            delivery,
            f"a correctly signed {name} whose timestamp is {b.tolerance + 60:g} s {when} than now",
            "X-Slack-Request-Timestamp is not compared with the clock (Slack's SDKs refuse a "
            "timestamp more than 5 minutes away)"
            if direction < 0
            else "X-Slack-Request-Timestamp is compared with the clock one way only, or not at "
            "all (Bolt for Python refuses a timestamp more than 5 minutes away either way, Bolt "
            "for JavaScript only a stale one)",
        )

    return check


_MALFORMED: dict[str, tuple[bytes, str]] = {
    "not-json": (b"<xml>not json</xml>", "an unsigned body that is not JSON"),
    "empty-body": (b"", "an unsigned empty body"),
    "json-array": (b'[{"type":"event_callback"}]', "an unsigned JSON array"),
    "no-event": (b'{"type":"event_callback","team_id":"T0"}', 'an unsigned object without "event"'),
    "invalid-utf8": (
        b'{"type":"event_callback","event":{"type":"message","text":"\xff\xfe"}}',
        "an unsigned body that is not UTF-8",
    ),
}


def malformed(kind: str) -> Callable[[Battery], Found]:
    body, what = _MALFORMED[kind]

    def check(b: Battery) -> Found:
        delivery = b.deliver(Event.from_body(body, name="(malformed)"), headers=_UNSIGNED)
        return bad_input_refused(
            b,
            delivery,
            f"sent: {what}; got {show(delivery)}",
            "a correct receiver answers bad input with a 4xx, promptly (Slack never sends it: a "
            "5xx accepts nothing, but fills the logs with errors an attacker chooses)\nlikely "
            "cause: the body is parsed before the signature is checked, and the parser raises",
        )

    return check


# -- retries and duplicates ------------------------------------------------------------------------


def duplicate(b: Battery) -> Found:
    name = b.probe_event or vehicle(b)
    try:
        before = b.read_probe()
        first = b.deliver(b.event(name))
        after_first = b.read_probe()
        retry = b.deliver(
            first.event, headers={RETRY_NUM_HEADER: "1", RETRY_REASON_HEADER: "http_timeout"}
        )
        again = b.deliver(first.event)
        after = b.read_probe()
    except ProbeFailure as error:
        return Found(None, f"inconclusive: the probe raised {error}")
    sent = (
        f"sent: a correctly signed {name}, then a retry of it (same body, X-Slack-Retry-Num: 1, "
        "X-Slack-Retry-Reason: http_timeout, fresh signature), then the same body again"
    )
    got = f"got {show(first)}; {show(retry)}; {show(again)}"
    if b.carrier is None and not first.acknowledged:
        return Found(None, f"{sent}; {got}\n{no_carrier(b)}")
    if not (first.acknowledged and retry.acknowledged and again.acknowledged):
        crashed = first.acknowledged and any(is_crash(d) for d in (retry, again))
        cause = (
            DUPLICATE_CRASH if crashed else "a retry is refused instead of acknowledged and ignored"
        )
        return Found(
            False,
            f"{sent}; {got}\na correct receiver acknowledges each (an unacknowledged retry is "
            f"retried again)\nlikely cause: {cause}",
        )
    if before is None or after_first is None or after is None:
        return Found(True, f"{got}; without a probe, processing once was not verified")
    processed = (after_first - before, after - after_first)
    if processed[0] < 1:
        went = f"the probe went {before} → {after_first} → {after}"
        return Found(None, f"{sent}; {got} ({went})\n{probe_unmoved(name)}")
    if processed[1] > 0:
        return Found(
            False,
            f"{sent}; {got}\nthe probe counted {processed[0]}, then {processed[1]} more; a "
            "correct receiver processes the event once\nlikely cause: retries are processed "
            "again: deduplicate on event_id",
        )
    return Found(True, got)


# -- the battery -----------------------------------------------------------------------------------


def build_checks(events: Sequence[str]) -> tuple[Check, ...]:
    """The battery, in the order it runs, with one ``valid-event:NAME`` check per event type."""
    checks = [
        Check(
            "url-verification",
            "answers Slack's url_verification with the challenge",
            E,
            url_verification,
            F.VALIDATION,
        )
    ]
    checks += [
        Check(
            f"valid-event:{name}",
            f"acknowledges a correctly signed {name} within the deadline",
            E,
            valid_event(name),
            F.EVENT,
        )
        for name in events
    ]
    checks += [
        Check(
            "valid-key-order",
            "acknowledges the same JSON in another key order",
            E,
            variant("sorted-keys", "its keys in alphabetical order"),
            F.VARIANT,
        ),
        Check(
            "valid-whitespace",
            "acknowledges the same JSON pretty-printed",
            E,
            variant("pretty", "indentation and spaces"),
            F.VARIANT,
        ),
        Check(
            "valid-escaped-slashes",
            "acknowledges the same JSON with \\/ escapes",
            E,
            variant("escaped-slashes", "every '/' written as '\\/'"),
            F.VARIANT,
        ),
        Check(
            "valid-ascii-escapes",
            "acknowledges the same JSON with non-ASCII escaped",
            W,
            variant("ascii", "every non-ASCII character as a \\uXXXX escape"),
            F.VARIANT,
        ),
        Check(
            "unknown-event",
            "acknowledges an event type it does not handle (or says X-Slack-No-Retry: 1)",
            W,
            unknown_event,
            F.UNKNOWN,
        ),
        Check(
            "url-verification-unsigned",
            "does not answer an unsigned url_verification with the challenge",
            W,
            unsigned_verification,
            F.ORACLE,
        ),
    ]
    checks += [
        Check(f"forged-{k}", t, _FORGERY_SEVERITY.get(k, E), forged(k), F.FORGED)
        for k, t in _FORGERIES
    ]
    checks += [
        Check(
            "replay-stale",
            "rejects a correctly signed request older than the tolerance",
            E,
            replay(-1),
            F.REPLAY,
        ),
        # A warning: Slack's documentation asks for 5 minutes either way, as Bolt for Python
        # checks, but Bolt for JavaScript refuses only stale timestamps.
        Check(
            "replay-future",
            "rejects a timestamp further ahead than the tolerance",
            W,
            replay(+1),
            F.REPLAY,
        ),
    ]
    checks += [
        Check(
            f"malformed-{k}",
            f"answers {what.removeprefix('an ')} without a 5xx",
            W,
            malformed(k),
            F.MALFORMED,
        )
        for k, (_, what) in _MALFORMED.items()
    ]
    checks.append(
        Check(
            "duplicate-delivery",
            "acknowledges a retry and a duplicate (and processes the event once)",
            E,
            duplicate,
            F.DUPLICATE,
        )
    )
    return tuple(checks)


#: Slack's words for the root causes every signing provider shares.
CAUSES = SignatureCauses(
    nothing_acknowledged="check the signing secret (SLACK_SIGNING_SECRET), that the signature "
    "is checked over the raw body, and the path",
    not_verified="a body signed with another secret was acknowledged: X-Slack-Signature is not "
    "verified (slack_sdk's SignatureVerifier.is_valid_request does it)",
    timestamp_not_checked="X-Slack-Request-Timestamp is not compared with the clock: refuse a "
    "timestamp more than 5 minutes away, as Slack's SDKs do",
    future_accepted="X-Slack-Request-Timestamp is compared with the clock one way only: a "
    "timestamp more than 5 minutes ahead was accepted, a stale one refused (Bolt for JavaScript "
    "checks so; Bolt for Python and Slack's documentation refuse 5 minutes either way)",
    stale_accepted="X-Slack-Request-Timestamp is compared with the clock one way only: a "
    "timestamp more than 5 minutes old was accepted, one as far ahead refused; refuse a "
    "timestamp more than 5 minutes away either way, as Slack's SDKs do",
)


#: Slack's battery as the runner takes it.
SUITE = Suite(
    build=build_checks,
    default_events=DEFAULT_EVENTS,
    root_causes=CAUSES.find,
    signature_forgeries=("forged-wrong-secret",),
    serialization="zoom",
)
#: The battery with the default events, in the order it runs.
CHECKS: tuple[Check, ...] = build_checks(DEFAULT_EVENTS)
CHECK_IDS: tuple[str, ...] = tuple(check.id for check in CHECKS)
