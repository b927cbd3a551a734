"""The conformance battery of a GitHub webhook receiver, in the order it runs: the ping, the
events GitHub sends (which finds one the receiver acknowledges), an event it does not know, then
what a forger sends, carried on an acknowledged event, bodies that are not events, and a
redelivery.

GitHub signs no timestamp, so there is no stale-timestamp replay to refuse: a receiver that
must not act twice on one delivery remembers ``X-GitHub-Delivery``, which a redelivery keeps.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Sequence

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
from ...conformance.verdicts import Refusals, bad_input_refused, refused, unknown_acknowledged
from ...engine.delivery import Delivery
from ...generate.events import Event
from ...records.exchange import Request
from .signature import HEADER_DELIVERY, HEADER_EVENT, HEADER_SIGNATURE, HEADER_SIGNATURE_256

__all__ = ["CHECKS", "CHECK_IDS", "DEFAULT_EVENTS", "SUITE", "UNKNOWN_EVENT", "build_checks"]

#: The events sent correctly signed by default: those receivers most often handle.
DEFAULT_EVENTS: tuple[str, ...] = ("push", "pull_request.opened", "issues.opened")
#: The ``X-GitHub-Event`` of the unknown-event check: a name GitHub does not send (yet).
UNKNOWN_EVENT = "hookmock_unknown_event"
OTHER_SECRET = "not-the-webhook-secret"

_VERIFY = (
    "verify X-Hub-Signature-256 (HMAC-SHA256 of the raw body, keyed by the webhook secret) "
    "before acting on a delivery, and answer 401 or 403 when it does not match"
)


_REFUSALS = Refusals(
    otherwise="the signature is checked over something other than the raw body (re-serialized "
    "JSON, a decoded form), or with another secret"
)


valid_event = _REFUSALS.valid_event


def ping(b: Battery) -> Found:
    if b.validation_baseline():
        assert b.validation is not None
        return Found(True, show(b.validation))
    problems = "; ".join(b.validation_problems) or "not acknowledged"
    hint = f"\nhint: {b.validation_hint}" if b.validation_hint else ""
    return Found(False, f"the ping of a new webhook: {problems}{hint}")


def unknown_event(b: Battery) -> Found:
    name = vehicle(b)
    delivery = b.deliver(b.event(name), headers={HEADER_EVENT: UNKNOWN_EVENT})
    return unknown_acknowledged(
        b,
        delivery,
        f"a correctly signed delivery with X-GitHub-Event: {UNKNOWN_EVENT}",
        refusal="GitHub adds events and actions, and shows each refused one as a failed delivery",
    )


def _sign(secret: str, body: bytes) -> dict[str, str | None]:
    key = secret.encode("utf-8")
    return {
        HEADER_SIGNATURE: "sha1=" + hmac.new(key, body, "sha1").hexdigest(),
        HEADER_SIGNATURE_256: "sha256=" + hmac.new(key, body, "sha256").hexdigest(),
    }


def _last_digit(signature: str | None) -> str | None:
    """*signature* with its last hex digit changed."""
    if not signature:
        return signature
    return signature[:-1] + ("0" if signature[-1] != "0" else "1")


def _truncated(request: Request) -> dict[str, str | None]:
    """X-Hub-Signature-256 cut to the first half of its digest, alone."""
    scheme, _, digest = (request.header(HEADER_SIGNATURE_256) or "").partition("=")
    return {HEADER_SIGNATURE: None, HEADER_SIGNATURE_256: f"{scheme}={digest[: len(digest) // 2]}"}


#: Forgeries: (title, what is sent, the headers that differ from an honest delivery).
FORGERIES: dict[str, tuple[str, str, Callable[[Request], dict[str, str | None]]]] = {
    "wrong-secret": (
        "rejects a delivery signed with another secret",
        "signed with another secret",
        lambda request: _sign(OTHER_SECRET, request.body),
    ),
    "no-signature": (
        "rejects a delivery without X-Hub-Signature-256 and X-Hub-Signature",
        "without X-Hub-Signature-256 and X-Hub-Signature",
        lambda request: {HEADER_SIGNATURE: None, HEADER_SIGNATURE_256: None},
    ),
    "empty-signature": (
        "rejects a delivery whose X-Hub-Signature-256 is 'sha256=' and nothing else",
        "whose X-Hub-Signature-256 is 'sha256=' and nothing else",
        lambda request: {HEADER_SIGNATURE: None, HEADER_SIGNATURE_256: "sha256="},
    ),
    # A receiver comparing as much as it was sent (expected.startswith(signature)) lets this
    # in: a forger then needs one right hex digit.
    "truncated-signature": (
        "rejects a delivery whose X-Hub-Signature-256 is cut to its first half",
        "whose X-Hub-Signature-256 is the right one cut to its first half",
        _truncated,
    ),
    # Both signatures changed: a receiver that verifies the legacy SHA-1 one correctly must
    # refuse this too.
    "last-digit": (
        "rejects a signature with its last hex digit changed",
        "with the last hex digit of X-Hub-Signature-256 (and of X-Hub-Signature) changed",
        lambda request: {
            HEADER_SIGNATURE: _last_digit(request.header(HEADER_SIGNATURE)),
            HEADER_SIGNATURE_256: _last_digit(request.header(HEADER_SIGNATURE_256)),
        },
    ),
}


def forged(kind: str) -> Callable[[Battery], Found]:
    _, what, change = FORGERIES[kind]

    def run(b: Battery) -> Found:
        name = vehicle(b)
        event = b.event(name)
        request = b.provider.adapter.build_request(
            event, b.subscription, sent_at=b.provider.clock(), timestamp=None
        )
        delivery = b.deliver(event, headers=change(request))
        return _judge_forgery(b, delivery, f"a {name} {what}")

    return run


def changed_body(b: Battery) -> Found:
    """A body changed after it was signed: the honest signature of the original."""
    name = vehicle(b)
    original = b.event(name)
    request = b.provider.adapter.build_request(
        original, b.subscription, sent_at=b.provider.clock(), timestamp=None
    )
    tampered = b.event(name)
    headers = {
        HEADER_SIGNATURE: request.header(HEADER_SIGNATURE),
        HEADER_SIGNATURE_256: request.header(HEADER_SIGNATURE_256),
    }
    delivery = b.deliver(tampered, headers=headers)
    return _judge_forgery(b, delivery, f"a {name} whose body was changed after it was signed")


def _judge_forgery(b: Battery, delivery: Delivery, sent: str) -> Found:
    return refused(
        b,
        delivery,
        sent,
        expected=f"a correct receiver refuses it with a 4xx: {_VERIFY}",
        cause="X-Hub-Signature-256 is not verified, or not compared in full",
        crash="the verification raises instead of refusing; GitHub shows a failed delivery",
        precise=True,
    )


#: Unsigned bodies an attacker (or a broken proxy) can send.
MALFORMED_BODIES: dict[str, tuple[bytes, str]] = {
    "not-json": (b"<xml>not json</xml>", "an unsigned body that is not JSON"),
    "empty-body": (b"", "an unsigned empty body"),
    "invalid-utf8": (b'{"action":"opened","x":"\xff\xfe\xc3("}', "an unsigned non-UTF-8 body"),
}


def malformed(kind: str) -> Callable[[Battery], Found]:
    body, what = MALFORMED_BODIES[kind]

    def run(b: Battery) -> Found:
        name = vehicle(b)
        event = Event(name, None, body, None, "verbatim")
        delivery = b.deliver(event, headers={HEADER_SIGNATURE: None, HEADER_SIGNATURE_256: None})
        # A receiver that refuses everything refuses this before reading it: inconclusive.
        return bad_input_refused(
            b,
            delivery,
            f"{what}: {show(delivery)}",
            "a correct receiver answers bad input with a 4xx, promptly; a 5xx shows the handler "
            "failing (does it parse the body before verifying it?)",
        )

    return run


def redelivery(b: Battery) -> Found:
    """A delivery redelivered (the same GUID, body and signature): acknowledged both times;
    with a probe, acted on once."""
    name = vehicle(b)
    if b.carrier is None:
        return Found(None, no_carrier(b))
    if b.probe is not None and b.probe_event:
        name = b.probe_event
    try:
        readings = [b.read_probe()]
        first = b.deliver(b.event(name))
        readings.append(b.read_probe())
        guid = first.request.header(HEADER_DELIVERY)
        # What GitHub's Redeliver button sends: the same bytes under the same delivery GUID.
        again = b.deliver(first.event, headers={HEADER_DELIVERY: guid})
        readings.append(b.read_probe())
    except ProbeFailure as failure:
        return Found(None, f"inconclusive: the probe raised {failure}")
    sent = (
        f"a redelivery of {guid} (same X-GitHub-Delivery, body and signature): first "
        f"{show(first)}, then {show(again)}"
    )
    if not (first.acknowledged and again.acknowledged):
        lines = [
            sent,
            "GitHub's Redeliver button sends it again after a failure: acknowledge it (and act "
            "once, remembering the delivery GUID)",
        ]
        if first.acknowledged and is_crash(again):
            lines.append(
                "likely cause: the receiver fails on a delivery it has already processed (a "
                "unique key, say); acknowledge it and skip the work"
            )
        return Found(False, "\n".join(lines))
    remark = "; without a probe, acting once was not verified"
    if None not in readings:
        before, once, twice = (int(r or 0) for r in readings)
        if once <= before:
            went = f"the probe went {before} → {once} → {twice}"
            return Found(None, f"{sent} ({went})\n{probe_unmoved(name)}")
        if twice > once:
            return Found(
                False,
                f"{sent}\nthe probe went {before} → {once} → {twice}: the redelivery was acted "
                "on again; a correct receiver acts once (remember the delivery GUID)",
            )
        remark = ""
    b.latencies += [first.elapsed, again.elapsed]
    return Found(True, f"both acknowledged ({show(again)}){remark}")


def build_checks(events: Sequence[str]) -> tuple[Check, ...]:
    """The battery, in the order it runs, with one ``valid-event:NAME`` check per event."""
    E, W, F = Severity.ERROR, Severity.WARNING, Family
    checks = [
        Check("ping", "acknowledges the ping of a new webhook", E, ping, F.VALIDATION),
        *(
            Check(
                f"valid-event:{name}",
                f"acknowledges a correctly signed {name} within 10 s",
                E,
                valid_event(name),
                F.EVENT,
            )
            for name in events
        ),
        Check(
            "unknown-event",
            "acknowledges an event it does not handle",
            W,
            unknown_event,
            F.UNKNOWN,
        ),
    ]
    checks += [
        Check(f"forged-{kind}", title, E, forged(kind), F.FORGED)
        for kind, (title, _, _) in FORGERIES.items()
    ]
    checks.append(
        Check(
            "forged-changed-body",
            "rejects a body changed after it was signed",
            E,
            changed_body,
            F.FORGED,
        )
    )
    checks += [
        Check(f"malformed-{kind}", f"answers {what} without a 5xx", E, malformed(kind), F.MALFORMED)
        for kind, (_, what) in MALFORMED_BODIES.items()
    ]
    checks.append(
        Check(
            "redelivery",
            "acknowledges a delivery redelivered with the same X-GitHub-Delivery (and acts once)",
            E,
            redelivery,
            F.DUPLICATE,
        )
    )
    return tuple(checks)


#: GitHub's words for the root causes every signing provider shares (GitHub signs no timestamp).
CAUSES = SignatureCauses(
    nothing_acknowledged="check the webhook secret (GITHUB_WEBHOOK_SECRET; in tests, "
    "github.secret), that X-Hub-Signature-256 is checked over the raw body, and the path",
    not_verified="a delivery signed with another secret was acknowledged: X-Hub-Signature-256 "
    "is not verified (an HMAC-SHA256 of the raw body keyed by the webhook secret, compared in "
    "constant time, as @octokit/webhooks-methods' verify does)",
)


SUITE = Suite(
    build=build_checks,
    default_events=DEFAULT_EVENTS,
    root_causes=CAUSES.find,
    signature_forgeries=("forged-wrong-secret",),
    serialization="zoom",
)
CHECKS: tuple[Check, ...] = build_checks(DEFAULT_EVENTS)
CHECK_IDS: tuple[str, ...] = tuple(check.id for check in CHECKS)
