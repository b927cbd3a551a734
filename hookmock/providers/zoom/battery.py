"""Zoom's conformance battery, in the order it runs: first what Zoom sends (which finds the event
types the receiver acknowledges), then what an attacker sends, carried on one of those types, then
duplicates and load."""

from __future__ import annotations

import json
from collections.abc import Sequence

from ...conformance.base import Battery, Check, Family, Severity, Suite
from ...conformance.load import under_load
from ...generate.events import Event
from .forgeries import (
    UNKNOWN_EVENT,
    ZOOM_REALISTIC_TOPIC,
    forged,
    oracle,
    replay,
    unknown_event,
    url_validation,
    valid_event,
    variant,
)
from .inputs import duplicate, malformed, truncated
from .rootcauses import find_root_causes

__all__ = ["CHECKS", "CHECK_IDS", "DEFAULT_EVENTS", "SUITE", "UNKNOWN_EVENT", "build_checks"]

#: The events a receiver most often handles, each sent correctly signed by default.
DEFAULT_EVENTS: tuple[str, ...] = (
    "meeting.started",
    "meeting.ended",
    "meeting.participant_joined",
    "meeting.participant_left",
    "recording.completed",
    "recording.transcript_completed",
)


# -- the battery ---------------------------------------------------------------------------------

E, W = Severity.ERROR, Severity.WARNING
F = Family

_VARIANTS = (
    (
        "valid-non-bmp",
        "acknowledges a body with emoji escapes beside raw UTF-8, as Zoom writes it",
        E,
        variant(
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
        variant("sorted-keys", "Design review", "Design review", "its keys in alphabetical order"),
    ),
    (
        "valid-escaped-slashes",
        "acknowledges the same JSON with \\/ escapes",
        E,
        variant(
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
        variant("pretty", "Design review", "Design review", "indentation and spaces"),
    ),
    (
        "valid-ascii-escapes",
        "acknowledges the same JSON with non-ASCII escaped",
        W,
        variant(
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
    ("truncated-signature", "rejects a signature cut to its first half"),
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
            url_validation,
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
    checks += [Check(i, t, s, run, F.VARIANT) for i, t, s, run in _VARIANTS]
    checks.append(
        Check(
            "unknown-event",
            "acknowledges an event type it does not handle",
            E,
            unknown_event,
            F.UNKNOWN,
        )
    )
    checks += [
        Check(
            "url-validation-unsigned",
            "does not answer an unsigned URL validation with the encryptedToken",
            E,
            oracle("unsigned"),
            F.ORACLE,
        ),
        Check(
            "url-validation-forged",
            "does not answer a wrongly signed URL validation with the encryptedToken",
            E,
            oracle("forged"),
            F.ORACLE,
        ),
    ]
    checks += [Check(f"forged-{k}", t, E, forged(k), F.FORGED) for k, t in _FORGERIES]
    checks += [
        Check(
            "replay-stale",
            "rejects a correctly signed request older than the tolerance",
            E,
            replay(-1),
            F.REPLAY,
        ),
        Check(
            "replay-future",
            "rejects a timestamp further ahead than the tolerance",
            E,
            replay(+1),
            F.REPLAY,
        ),
    ]
    checks += [Check(f"malformed-{k}", t, s, malformed(k), F.MALFORMED) for k, t, s in _MALFORMED]
    checks += [
        Check(
            "malformed-truncated-body",
            "answers a body shorter than its content-length without a 5xx",
            W,
            truncated,
            F.MALFORMED,
        ),
        Check(
            "duplicate-delivery",
            "acknowledges a retry and a duplicate (and processes the event once)",
            E,
            duplicate,
            F.DUPLICATE,
        ),
        Check(
            "deadline-under-load",
            "acknowledges a burst of deliveries within the deadline",
            E,
            under_load,
            F.LOAD,
        ),
    ]
    return tuple(checks)


def diagnose(battery: Battery) -> None:
    """When no correctly signed event was acknowledged: the requests that tell Zoom receivers'
    usual causes apart."""
    name = battery.events[0]
    # A receiver that reads x-zm-request-timestamp as milliseconds refuses Unix seconds.
    ms = battery.now() * 1000
    battery.diagnosis["timestamp-milliseconds"] = battery.deliver(battery.event(name), timestamp=ms)
    # A receiver that verifies json.dumps(request.json) accepts exactly what Python writes.
    data = battery.event(name).data
    python = Event(name, data, json.dumps(data).encode(), None, "python-json-dumps")
    battery.diagnosis["python-json"] = battery.deliver(python)


#: Zoom's battery as the runner takes it.
SUITE = Suite(
    build=build_checks,
    default_events=DEFAULT_EVENTS,
    root_causes=find_root_causes,
    diagnose=diagnose,
    # A body signed with another secret: a 2xx to it shows the receiver acknowledges a body
    # whatever its signature (a near miss, such as one wrong digit, could be a weak comparison).
    signature_forgeries=("forged-wrong-secret",),
    serialization="zoom",
)
#: The battery with the default events, in the order it runs.
CHECKS: tuple[Check, ...] = build_checks(DEFAULT_EVENTS)
CHECK_IDS: tuple[str, ...] = tuple(check.id for check in CHECKS)
