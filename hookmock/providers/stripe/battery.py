"""Stripe's conformance battery, in the order it runs: what Stripe sends (which finds the event
types the receiver acknowledges), other byte forms of it and a header with several ``v1``
signatures, then what an attacker sends, carried on an acknowledged type, then bad input and
duplicates.

What a correct receiver does is what stripe-python's ``Webhook.construct_event`` does over the
raw body: accept any ``v1`` signature that matches, ignore other schemes (``v0``), refuse a
timestamp more than the tolerance old. stripe-python does not refuse timestamps in the future,
so neither does the battery.
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
    no_carrier,
    probe_unmoved,
    show,
    vehicle,
)
from ...conformance.explain import SignatureCauses
from ...conformance.verdicts import (
    DUPLICATE_CRASH,
    RESERIALIZED,
    TEXT_MEMBER,
    VARIANT_TEXT,
    Refusals,
    bad_input_refused,
    beside_twin,
    refused,
    text_variant,
    unknown_acknowledged,
)
from ...engine.delivery import Delivery
from ...errors import ConfigurationError
from ...generate.events import Event
from .signature import HEADER, SCHEME, sign

__all__ = ["CHECKS", "CHECK_IDS", "DEFAULT_EVENTS", "SUITE", "UNKNOWN_EVENT", "build_checks"]

#: The events a receiver most often handles (Stripe's Billing and Checkout guides), each sent
#: correctly signed by default.
DEFAULT_EVENTS: tuple[str, ...] = (
    "checkout.session.completed",
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "invoice.paid",
    "invoice.payment_failed",
    "payment_intent.succeeded",
)
UNKNOWN_EVENT = "hookmock.unknown_event"

_UNVERIFIED = (
    "the receiver acts on requests without verifying Stripe-Signature over the raw body "
    "(stripe.Webhook.construct_event(raw_body, header, endpoint_secret))"
)


# -- what Stripe sends -----------------------------------------------------------------------------


_SIGNATURE_REFUSED = (
    "the signature check fails on a plain Stripe delivery: is the endpoint secret the "
    "simulated one (stripe.secret), and is the signature checked over the raw body? "
    f"Or: {RESERIALIZED}"
)
_REFUSALS = Refusals(dict.fromkeys((400, 401, 403), _SIGNATURE_REFUSED))


valid_event = _REFUSALS.valid_event


def _carrier_and_twin(b: Battery) -> tuple[str, Delivery] | None:
    """The carrier, and a delivery of it in Stripe's own form: what a check that sends it in
    another form compares with."""
    b.establish_baseline()
    name = b.carrier
    if name is None:
        return None
    return name, b.deliver(b.event(name))


def _with_text(b: Battery, name: str) -> tuple[Any, str]:
    """A fresh *name* event's data carrying :data:`VARIANT_TEXT` in its object's ``metadata``
    (Stripe's free-form strings; added when the object has none), and where it was put: Stripe's
    fixtures are ASCII without escapes, so a byte form would otherwise change little."""
    data = copy.deepcopy(b.event(name).data)
    obj = data.get("data", {}).get("object") if isinstance(data, dict) else None
    if not isinstance(obj, dict):
        return data, "nowhere"
    metadata = obj.get("metadata")
    if isinstance(metadata, dict):
        metadata[TEXT_MEMBER] = VARIANT_TEXT
        return data, f"data.object.metadata.{TEXT_MEMBER}"
    obj["metadata"] = {TEXT_MEMBER: VARIANT_TEXT}
    return data, f"data.object.metadata.{TEXT_MEMBER} (added)"


def variant(serialization: str, what: str) -> Callable[[Battery], Found]:
    return text_variant(
        serialization, what, with_text=_with_text, id_key="id", own="Stripe's own form"
    )


def rotated(b: Battery) -> Found:
    """A header as Stripe sends it while the endpoint's secret is rolled: a ``v1`` under a
    secret the receiver does not have, then one under its own."""
    found = _carrier_and_twin(b)
    if found is None:
        return Found(None, no_carrier(b))
    name, twin = found
    # The twin's values under an id of its own: only the header tells the answers apart.
    data = {**copy.deepcopy(twin.event.data), "id": b.event(name).data["id"]}
    event = Event.build(name, data, serialization=b.suite.serialization)
    ts = b.now()
    other = sign(b.provider.secret + "-previous", ts, event.body)
    own = sign(b.provider.secret, ts, event.body)
    delivery = b.deliver(event, headers={HEADER: f"t={ts},{SCHEME}={other},{SCHEME}={own}"})
    return beside_twin(
        b,
        twin,
        delivery,
        f"a correctly signed {name} with two v1 signatures, the first under another secret (as "
        "during a secret roll)",
        own="Stripe's own form",
        expected="one v1 signature matches, and Stripe's libraries accept a header when any does",
        refusal="only the first v1 signature is compared; while a secret is rolled, Stripe "
        "signs with the old secret and the new one, and the receiver's may come second",
        crash="the verification raises on a header with several v1 signatures",
    )


def unknown_event(b: Battery) -> Found:
    data = dict(b.event(vehicle(b)).data)
    data["type"] = UNKNOWN_EVENT
    delivery = b.deliver(Event.build(UNKNOWN_EVENT, data, serialization="pretty"))
    return unknown_acknowledged(
        b,
        delivery,
        f"a correctly signed event of a type the receiver cannot know ({UNKNOWN_EVENT!r})",
        refusal="Stripe retries them for days and may disable an endpoint that keeps failing",
    )


# -- what an attacker sends ------------------------------------------------------------------------


def _rejected(
    b: Battery, what: str, event: Event, headers: dict[str, str | None], cause: str
) -> Found:
    delivery = b.deliver(event, headers=headers)
    return refused(
        b,
        delivery,
        what,
        expected=f"a correct receiver refuses it with a 4xx within {delivery.deadline:g} s",
        cause=cause,
        crash="the verification raises instead of refusing (catch "
        "stripe.SignatureVerificationError and ValueError); Stripe retries a 5xx",
    )


def _tampered(body: bytes) -> bytes:
    # One more member, first: the body stays a JSON object and says something else.
    stripped = body.lstrip()
    if stripped.startswith(b"{"):
        return b'{\n  "hookmock_tampered": true,' + stripped[1:]
    return body + b" "


def forged(kind: str) -> Callable[[Battery], Found]:
    def check(b: Battery) -> Found:
        name = vehicle(b)
        event = b.event(name)
        ts = b.now()
        secret = b.provider.secret
        good = sign(secret, ts, event.body)
        cause = _UNVERIFIED
        header: str | None
        if kind == "wrong-secret":
            header = f"t={ts},v1={sign(secret + '-not', ts, event.body)}"
            what = f"{name} signed with another secret"
        elif kind == "tampered-body":
            event = Event.from_body(_tampered(event.body), name=name)
            header = f"t={ts},v1={good}"
            what = f"{name} whose body was changed after signing"
        elif kind == "last-digit":
            header = f"t={ts},v1={good[:-1]}{'0' if good[-1] != '0' else '1'}"
            what = f"{name} with the right signature except its last hex digit"
            cause = (
                "the signature is not compared in full (a prefix, or all but its last "
                "digit); compare the whole hex digest, in constant time"
            )
        elif kind == "truncated-signature":
            header = f"t={ts},v1={good[: len(good) // 2]}"
            what = f"{name} whose v1 signature is the right one cut to its first half"
            cause = (
                "the receiver compares only as much of the signature as it was sent "
                "(expected.startswith(v1)): a forger then needs one right hex digit"
            )
        elif kind == "missing-signature":
            header = None
            what = f"{name} without a Stripe-Signature header"
        elif kind == "missing-timestamp":
            header = f"v1={good}"
            what = f"{name} whose Stripe-Signature has no t= item"
        elif kind == "other-timestamp":
            header = f"t={ts - 60},v1={good}"
            what = f"{name} signed at t={ts}, sent with t={ts - 60} (the signature covers t)"
            cause = (
                "the receiver checks the signature of the body alone, not of '{t}.{body}', so "
                "a captured signature can be sent with any timestamp"
            )
        elif kind == "v0-scheme":
            header = f"t={ts},v0={good}"
            what = f"{name} whose only signature is under the scheme v0 (a downgrade)"
            cause = (
                "the receiver accepts signatures under schemes other than v1; Stripe's docs: "
                "ignore every scheme that is not v1"
            )
        elif kind == "empty-signature":
            header = f"t={ts},v1="
            what = f"{name} with an empty v1 signature"
        else:
            raise ConfigurationError(f"unknown forgery {kind!r}")
        return _rejected(b, what, event, {HEADER: header}, cause)

    return check


def replay_stale(b: Battery) -> Found:
    name = vehicle(b)
    age = int(b.tolerance) + 60
    then = int(b.provider.clock.real()) - age
    event = b.event(name)
    header = f"t={then},v1={sign(b.provider.secret, then, event.body)}"
    return _rejected(
        b,
        f"a correctly signed {name} whose timestamp is {age} s old (tolerance {b.tolerance:g} s)",
        event,
        {HEADER: header},
        f"the receiver does not refuse timestamps more than {b.tolerance:g} s old (a captured "
        "request can be replayed): keep construct_event's tolerance",
    )


# -- bad input and duplicates ----------------------------------------------------------------------

MALFORMED_BODIES: dict[str, tuple[bytes, str]] = {
    "not-json": (b"<xml>not json</xml>", "a body that is not JSON"),
    "empty-body": (b"", "an empty body"),
    "json-array": (b'[{"object": "event"}]', "a JSON array"),
    "invalid-utf8": (b'{"object": "event", "type": "\xff\xfe("}', "bytes that are not UTF-8"),
}


def malformed(kind: str) -> Callable[[Battery], Found]:
    """A body that is no event, unsigned (an attacker, or a broken proxy): any answer below 500,
    in time, is right."""

    def check(b: Battery) -> Found:
        b.establish_baseline()
        body, what = MALFORMED_BODIES[kind]
        event = Event.from_body(body, name="(malformed)")
        delivery = b.deliver(event, headers={HEADER: None})
        return bad_input_refused(
            b,
            delivery,
            f"sent: {what}, without Stripe-Signature; got {show(delivery)}",
            "a correct receiver answers bad input with a 4xx, promptly; Stripe retries "
            "a 5xx\nlikely cause: the handler parses the body before verifying it, and raises "
            "(verify first: construct_event refuses an unsigned body with "
            "SignatureVerificationError)",
        )

    return check


def duplicate(b: Battery) -> Found:
    """The same event delivered twice, both to be acknowledged; with a probe, processed once."""
    b.establish_baseline()
    name = b.probe_event if b.probe is not None and b.probe_event else vehicle(b)
    event = b.event(name)
    try:
        readings = [b.read_probe()]
        first = b.deliver(event)
        readings.append(b.read_probe())
        again = b.deliver(event)
        readings.append(b.read_probe())
    except ProbeFailure as failure:
        return Found(None, f"inconclusive: the probe raised {failure}")
    problems = [
        f"the {label} got {show(d)}"
        for label, d in (("first delivery", first), ("second delivery", again))
        if not d.acknowledged
    ]
    remark = "; without a probe, processing once was not verified"
    if None not in readings:
        before, once, twice = (int(r or 0) for r in readings)
        went = f"the probe went {before} → {once} → {twice}"
        if once <= before and not problems:
            return Found(None, f"both acknowledged ({went})\n{probe_unmoved(name)}")
        if once > before and twice > once:
            problems.append(
                f"the second delivery was processed again ({went}): deduplicate on the event's id"
            )
        remark = ""
    if not problems:
        b.latencies += [first.elapsed, again.elapsed]
        return Found(True, f"both acknowledged{remark}")
    lines = [
        f"sent: a correctly signed {name}, then the same event again (same body and id, a fresh "
        "timestamp and signature, as Stripe retries and sometimes duplicates)",
        *(f"problem: {p}" for p in problems),
        "a correct receiver acknowledges both, and processes the event once (deduplicate on "
        "the event's id)",
    ]
    if first.acknowledged and is_crash(again):
        lines.append(f"likely cause: {DUPLICATE_CRASH}")
    return Found(False, "\n".join(lines))


# -- the battery -----------------------------------------------------------------------------------

E, W = Severity.ERROR, Severity.WARNING
F = Family

_VARIANTS = (
    ("valid-compact", "acknowledges the same JSON written compactly", "zoom", "no indentation"),
    (
        "valid-key-order",
        "acknowledges the same JSON in another key order",
        "sorted-keys",
        "its keys in alphabetical order",
    ),
    (
        "valid-ascii-escapes",
        "acknowledges the same JSON with non-ASCII escaped",
        "ascii",
        "every non-ASCII character as a \\uXXXX escape",
    ),
)
_FORGERIES = (
    ("wrong-secret", "rejects a body signed with another secret"),
    ("tampered-body", "rejects a body changed after signing"),
    ("last-digit", "rejects a signature with its last hex digit changed"),
    ("truncated-signature", "rejects a v1 signature cut to its first half"),
    ("missing-signature", "rejects a request without Stripe-Signature"),
    ("missing-timestamp", "rejects a Stripe-Signature without t="),
    ("other-timestamp", "rejects a signature sent with another timestamp"),
    ("v0-scheme", "rejects a signature under the scheme v0 only"),
    ("empty-signature", "rejects an empty v1 signature"),
)


def build_checks(events: Sequence[str]) -> tuple[Check, ...]:
    """The battery, in the order it runs, with one ``valid-event:NAME`` check per event type."""
    checks = [
        Check(
            f"valid-event:{name}",
            f"acknowledges a correctly signed {name} within the deadline",
            E,
            valid_event(name),
            F.EVENT,
        )
        for name in events
    ]
    checks += [Check(i, t, E, variant(s, what), F.VARIANT) for i, t, s, what in _VARIANTS]
    checks.append(
        Check(
            "valid-rotated-secret",
            "acknowledges a header with two v1 signatures, one of them its own",
            E,
            rotated,
            F.VARIANT,
        )
    )
    checks.append(
        Check(
            "unknown-event",
            "acknowledges an event type it does not handle",
            E,
            unknown_event,
            F.UNKNOWN,
        )
    )
    checks += [Check(f"forged-{k}", t, E, forged(k), F.FORGED) for k, t in _FORGERIES]
    checks.append(
        Check(
            "replay-stale",
            "rejects a correctly signed request older than the tolerance",
            E,
            replay_stale,
            F.REPLAY,
        )
    )
    checks += [
        Check(f"malformed-{k}", f"answers {what} without a 5xx", E, malformed(k), F.MALFORMED)
        for k, (_, what) in MALFORMED_BODIES.items()
    ]
    checks.append(
        Check(
            "duplicate-delivery",
            "acknowledges the same event delivered twice (and processes it once)",
            E,
            duplicate,
            F.DUPLICATE,
        )
    )
    return tuple(checks)


#: Stripe's words for the root causes every signing provider shares.
CAUSES = SignatureCauses(
    nothing_acknowledged="check the endpoint's signing secret (whsec_..., STRIPE_WEBHOOK_SECRET; "
    "in tests, stripe.secret), that the signature is checked over the raw body "
    "(stripe.Webhook.construct_event takes the bytes received), and the path",
    not_verified="a body signed with another secret was acknowledged: Stripe-Signature is not "
    "verified (stripe.Webhook.construct_event does it)",
    timestamp_not_checked="the t= timestamp of Stripe-Signature is not compared with the clock: "
    "keep the tolerance of Stripe's libraries (construct_event, constructEvent: 300 s by "
    "default)",
)


#: Stripe's battery as the runner takes it.
SUITE = Suite(
    build=build_checks,
    default_events=DEFAULT_EVENTS,
    root_causes=CAUSES.find,
    signature_forgeries=("forged-wrong-secret",),
    serialization="pretty",
)
#: The battery with the default events, in the order it runs.
CHECKS: tuple[Check, ...] = build_checks(DEFAULT_EVENTS)
CHECK_IDS: tuple[str, ...] = tuple(check.id for check in CHECKS)
