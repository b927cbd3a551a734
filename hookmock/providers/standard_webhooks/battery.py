"""The conformance battery of a Standard Webhooks receiver, in the order it runs: first what the
sender sends (which finds the event types the receiver acknowledges), then what an attacker
sends, carried on one of those types, then duplicates and load. There is no subscription
handshake to check: Standard Webhooks has none.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from ...conformance.base import Check, Family, Severity, Suite
from ...conformance.load import under_load
from .inputs import duplicate, malformed
from .rootcauses import diagnose, find_root_causes
from .signed import (
    FORGERIES,
    ROTATION,
    UNKNOWN_EVENT,
    forged,
    replay,
    rotation,
    unknown_event,
    valid_event,
    variant,
)

__all__ = [
    "CHECKS",
    "CHECK_IDS",
    "DEFAULT_EVENTS",
    "MAX_DEFAULT_EVENTS",
    "SUITE",
    "UNKNOWN_EVENT",
    "build_checks",
    "suite_for",
]

#: The events of hookmock's example document, each sent correctly signed by default.
DEFAULT_EVENTS: tuple[str, ...] = (
    "contact.created",
    "contact.deleted",
    "contact.updated",
    "invoice.paid",
)
#: How many of another document's events (the first, by name) are sent by default.
MAX_DEFAULT_EVENTS = 6

E, W = Severity.ERROR, Severity.WARNING
F = Family

_VARIANTS = (
    ("valid-key-order", "acknowledges the same JSON in another key order", E, "sorted-keys"),
    ("valid-whitespace", "acknowledges the same JSON pretty-printed", E, "pretty"),
    ("valid-escaped-slashes", "acknowledges the same JSON with \\/ escapes", E, "escaped-slashes"),
    (
        "valid-ascii-escapes",
        "acknowledges the same JSON with non-ASCII written as \\uXXXX escapes",
        E,
        "ascii",
    ),
)
_VARIANT_WHAT = {
    "sorted-keys": "its keys in alphabetical order",
    "pretty": "indentation and spaces",
    "escaped-slashes": "every '/' written as '\\/'",
    "ascii": "every non-ASCII character as a \\uXXXX escape",
}

_MALFORMED = (
    ("not-json", "answers a non-JSON body without a 5xx", E),
    ("empty-body", "answers an empty body without a 5xx", E),
    ("json-array", "answers a JSON array without a 5xx", E),
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
            f"valid-event:{name}",
            f"acknowledges a correctly signed {name} within the deadline",
            E,
            valid_event(name),
            F.EVENT,
        )
        for name in events
    ]
    checks += [
        Check(i, t, s, variant(form, _VARIANT_WHAT[form]), F.VARIANT) for i, t, s, form in _VARIANTS
    ]
    checks.append(
        Check(
            ROTATION,
            "accepts a webhook-signature whose first item is wrong and second right (rotation)",
            E,
            rotation,
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
    checks += [
        Check(f"forged-{kind}", title, E, forged(kind), F.FORGED)
        for kind, (title, _, _) in FORGERIES.items()
    ]
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
            "duplicate-delivery",
            "acknowledges a message delivered twice with one webhook-id (and processes it once)",
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


#: The battery for hookmock's example document, as the runner takes it.
SUITE = Suite(
    build=build_checks,
    default_events=DEFAULT_EVENTS,
    root_causes=find_root_causes,
    diagnose=diagnose,
    # A body signed with another secret: a 2xx to it shows the receiver acknowledges a body
    # whatever its signature, so its 2xx to another byte form (or to a rotation) shows nothing.
    signature_forgeries=("forged-wrong-secret",),
    # Compact JSON, as the reference senders write it.
    serialization="zoom",
)
#: The battery with the default events, in the order it runs.
CHECKS: tuple[Check, ...] = build_checks(DEFAULT_EVENTS)
CHECK_IDS: tuple[str, ...] = tuple(check.id for check in CHECKS)


def suite_for(event_names: Sequence[str]) -> Suite:
    """The battery for a sender of *event_names* (its catalog, sorted): by default, the first
    :data:`MAX_DEFAULT_EVENTS` of them are sent correctly signed."""
    defaults = tuple(event_names[:MAX_DEFAULT_EVENTS])
    if defaults == DEFAULT_EVENTS or not defaults:
        return SUITE
    return dataclasses.replace(SUITE, default_events=defaults)
