"""``assert_*`` helpers: each failure reads like a bug report (STYLE.md, "Messages")."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ..records.outcome import Outcome
from .report import describe_delivery, summarize_delivery, trim_traceback

if TYPE_CHECKING:
    from .recorded import RecordedDelivery as Delivery

__all__ = [
    "assert_acknowledged",
    "assert_acknowledged_once",
    "assert_all_acknowledged",
    "assert_delivered",
    "assert_delivered_in_order",
    "assert_nothing_dropped",
    "assert_rejected",
]


def _hint(delivery: Delivery) -> str:
    # Every provider's deliveries come here: the hints name none (Zoom's and Standard Webhooks'
    # rules alike: POST, retried when not answered in time, redirects not followed).
    status = delivery.status
    if status in (401, 403) and delivery.event.serialization == "zoom":
        return (
            f"hint: the receiver answered {status} to a correctly signed body: does it verify a "
            "re-serialized body (json.dumps(request.json), JSON.stringify(req.body)) instead of "
            "the raw bytes, or use another secret?"
        )
    if status == 404:
        return "hint: is the receiver's webhook route on this path? (subscribe(app, path=...))"
    if status == 405:
        return "hint: webhooks are delivered with POST: does the route accept POST?"
    if delivery.outcome in (Outcome.LATE, Outcome.TIMEOUT):
        return (
            "hint: acknowledge first, then work: the provider retries deliveries not answered "
            f"within {delivery.deadline:g} s, so slow handlers get duplicates"
        )
    if delivery.outcome is Outcome.REDIRECTED:
        return "hint: webhook deliveries do not follow redirects; subscribe the final URL"
    if delivery.outcome is Outcome.APP_ERROR:
        return "hint: the application raised; its traceback is above"
    return ""


#: Deliveries a message lists, one a line, before it leaves out the unremarkable ones.
LISTED = 20
#: Deliveries a message describes in full (headers, body excerpts).
DETAILED = 2


def _message(
    summary: str,
    expected: str,
    failed: Sequence[tuple[int | None, Delivery]],
    hint: str,
    *,
    listing: Sequence[str] = (),
) -> str:
    """*failed* are (number in the log, delivery) pairs; the first few are described in full."""
    lines = [summary, f"expected: {expected}", *listing]
    lines += _details(failed, alone=not listing)
    crashed = next((d for _, d in failed if d.outcome is Outcome.APP_ERROR and d.error), None)
    if crashed is not None and crashed.error:
        lines.append("application traceback (library frames hidden; delivery.error has them all):")
        lines += ["  " + line for line in trim_traceback(crashed.error).splitlines()]
    late = next((d for _, d in failed if d.after_response_error), None)
    if late is not None and late.after_response_error:
        lines.append("after the response, the application's call:")
        lines += ["  " + line for line in late.after_response_error.rstrip().splitlines()]
    if hint:
        lines.append(hint)
    return "\n".join(lines)


#: The attribute of a failed assertion that holds the deliveries its message describes in full;
#: the pytest plugin lists those in one line in the report's delivery log instead of repeating them.
DESCRIBED = "hookmock_described"


def _describing(message: str, numbered: Sequence[tuple[int | None, Delivery]]) -> AssertionError:
    """The AssertionError for *message*, which describes the first of *numbered* in full."""
    error = AssertionError(message)
    setattr(error, DESCRIBED, tuple(delivery for _, delivery in numbered[:DETAILED]))
    return error


def _details(numbered: Sequence[tuple[int | None, Delivery]], *, alone: bool = False) -> list[str]:
    """Full descriptions of the first :data:`DETAILED` deliveries given; *alone* when no
    listing of the log comes before them."""
    if not numbered:
        return []
    shown = numbered[:DETAILED]
    if alone:
        lines = ["deliveries:"]
    elif len(numbered) > len(shown):
        lines = [f"the first {len(shown)} of them in full:"]
    else:
        lines = ["in full:"]
    for index, delivery in shown:
        lines += ["  " + line for line in describe_delivery(delivery, index=index).splitlines()]
    return lines


def _first_number(deliveries: Sequence[Delivery]) -> int:
    """The number of the first delivery given: a log that forgot its first ones (its
    ``max_deliveries``) goes on numbering from where they left off."""
    return int(getattr(deliveries, "forgotten", 0)) + 1


def _count_forgotten(deliveries: Sequence[Delivery], *args: Any, **criteria: Any) -> int:
    """How many of the deliveries a log forgot match *criteria* (0 for a plain sequence)."""
    count = getattr(deliveries, "count_forgotten", None)
    return int(count(*args, **criteria)) if count is not None else 0


def _forgotten_line(deliveries: Sequence[Delivery], what: str = "") -> list[str]:
    """The line that says which deliveries the log no longer keeps, if any."""
    forgotten = int(getattr(deliveries, "forgotten", 0))
    if not forgotten:
        return []
    which = "#1" if forgotten == 1 else f"#1-#{forgotten}"
    kept = getattr(deliveries, "max_deliveries", None)
    return [
        f"  ({forgotten} earlier deliver{'y' if forgotten == 1 else 'ies'} ({which}) no longer "
        f"kept: the log keeps the last {kept} (max_deliveries){what})"
    ]


def assert_acknowledged(delivery: Delivery) -> None:
    """The receiver answered 2xx within the deadline."""
    __tracebackhide__ = True
    if delivery.outcome is Outcome.ACKNOWLEDGED and not delivery.after_response_error:
        return
    if delivery.outcome is Outcome.ACKNOWLEDGED:
        raise _describing(
            _message(
                f"expected {delivery.event.name!r} to be acknowledged and the application's "
                f"work to end cleanly; it answered {delivery.status} within "
                f"{delivery.deadline:g} s, then failed after its response",
                f"a 2xx answer within {delivery.deadline:g} s, and the application's call "
                "(background tasks included) ending without an exception",
                [(None, delivery)],
                "hint: Zoom saw an acknowledgement and will not retry: work that fails after "
                "the answer is lost unless the receiver records or re-queues it",
            ),
            [(None, delivery)],
        )
    got = f"status {delivery.status}" if delivery.status is not None else delivery.outcome.value
    raise _describing(
        _message(
            f"expected {delivery.event.name!r} to be acknowledged (2xx within "
            f"{delivery.deadline:g} s); got {got} after {delivery.elapsed:.3f} s",
            f"a 2xx answer within {delivery.deadline:g} s",
            [(None, delivery)],
            _hint(delivery),
        ),
        [(None, delivery)],
    )


def assert_rejected(delivery: Delivery, status: int | Sequence[int] | None = None) -> None:
    """The receiver answered 4xx (or one of *status*) within the deadline."""
    __tracebackhide__ = True
    wanted = (status,) if isinstance(status, int) else tuple(status or ())
    got = delivery.status
    if wanted:
        ok = got in wanted and delivery.outcome is not Outcome.LATE
        expected = "status " + " or ".join(map(str, wanted))
    else:
        ok = delivery.outcome is Outcome.REJECTED
        expected = "a 4xx status"
    if ok:
        return
    shown = f"status {got}" if got is not None else delivery.outcome.value
    hint = ""
    if got is not None and 200 <= got < 300:
        hint = (
            "hint: the receiver accepted a request it should have refused: does it check "
            "x-zm-signature (and the timestamp) before acting on the body?"
        )
    elif got is not None and got >= 500:
        hint = "hint: a refused request must get a 4xx; a 5xx makes Zoom retry it"
    raise _describing(
        _message(
            f"expected {delivery.event.name!r} to be rejected with {expected}; got {shown}",
            f"{expected} within {delivery.deadline:g} s",
            [(None, delivery)],
            hint,
        ),
        [(None, delivery)],
    )


def assert_delivered(
    deliveries: Sequence[Delivery],
    event: str,
    *,
    count: int = 1,
    outcome: Outcome | None = Outcome.ACKNOWLEDGED,
) -> None:
    """Exactly *count* deliveries of *event* ended with *outcome* (any outcome when ``None``).

    Deliveries a log no longer keeps (its ``max_deliveries``) count too: the log counts them
    by event and outcome."""
    __tracebackhide__ = True
    of_event = [d for d in deliveries if d.event.name == event]
    matching = [d for d in of_event if outcome is None or d.outcome is outcome]
    forgotten_of_event = _count_forgotten(deliveries, event)
    forgotten_matching = _count_forgotten(deliveries, event, outcome=outcome)
    if len(matching) + forgotten_matching == count:
        return
    word = f"{outcome.value} " if outcome is not None else ""
    plural = "y" if count == 1 else "ies"
    why: dict[int, str] = {}
    first = _first_number(deliveries)
    for index, delivery in enumerate(deliveries, start=first):
        if delivery.event.name != event:
            why[index] = f"another event ({delivery.event.name!r})"
        elif delivery in matching:
            why[index] = "matches"
        else:
            why[index] = f"ended {delivery.outcome.value}"
    counted = ""
    if forgotten_of_event:
        counted = (
            f", counted: {forgotten_matching} of them matched, "
            f"{forgotten_of_event - forgotten_matching} did not"
        )
    lines = [
        f"expected {count} {word}deliver{plural} of {event!r}; got "
        f"{len(matching) + forgotten_matching} of {len(of_event) + forgotten_of_event}",
        f"expected: {count} deliver{plural} of {event!r}"
        + (f" that ended {outcome.value}" if outcome is not None else ""),
        "deliveries:",
        *_forgotten_line(deliveries, f"; {forgotten_of_event} were of {event!r}{counted}"),
        *_listing(deliveries, why, remarkable=lambda d: d.event.name == event),
    ]
    mismatched = [
        (i, d) for i, d in enumerate(deliveries, start=first) if d in of_event and d not in matching
    ]
    lines += _details(mismatched)
    raise _describing("\n".join(lines), mismatched)


def assert_all_acknowledged(deliveries: Sequence[Delivery]) -> None:
    """Every delivery so far was acknowledged, those a log no longer keeps included (it counts
    them by outcome)."""
    __tracebackhide__ = True
    first = _first_number(deliveries)
    failed = [(i, d) for i, d in enumerate(deliveries, start=first) if not d.acknowledged]
    forgotten = first - 1
    forgotten_failed = forgotten - _count_forgotten(deliveries, outcome=Outcome.ACKNOWLEDGED)
    if not failed and not forgotten_failed:
        return
    why = {i: f"ended {d.outcome.value}" for i, d in failed}
    counted = f"; {forgotten_failed} of them were not acknowledged" if forgotten else ""
    raise _describing(
        _message(
            f"expected every delivery to be acknowledged; {len(failed) + forgotten_failed} of "
            f"{len(deliveries) + forgotten} were not",
            "a 2xx within the deadline for each delivery",
            failed,
            _hint(failed[0][1]) if failed else "",
            listing=[
                "deliveries:",
                *_forgotten_line(deliveries, counted),
                *_listing(deliveries, why),
            ],
        ),
        failed,
    )


def _listing(
    deliveries: Sequence[Delivery],
    why: dict[int, str],
    *,
    remarkable: Callable[[Delivery], bool] | None = None,
) -> list[str]:
    """One line per delivery, with the reason it matters in brackets. Past :data:`LISTED`
    deliveries, only those with a reason (and, given *remarkable*, for which it is true) are."""
    if not deliveries:
        return ["  none" if _first_number(deliveries) == 1 else "  none kept"]
    numbered = list(enumerate(deliveries, start=_first_number(deliveries)))
    if len(numbered) > LISTED:
        numbered = [
            (i, d) for i, d in numbered if i in why and (remarkable is None or remarkable(d))
        ][:LISTED]
    lines = []
    for index, delivery in numbered:
        reason = f" [{why[index]}]" if index in why else ""
        lines.append("  " + summarize_delivery(delivery, index=index) + reason)
    left_out = len(deliveries) - len(numbered)
    if left_out:
        lines.append(
            f"  ({left_out} other deliver{'y' if left_out == 1 else 'ies'} not listed; "
            f"every one {'kept ' if _first_number(deliveries) > 1 else ''}is in the provider's "
            "deliveries)"
        )
    return lines


def assert_acknowledged_once(deliveries: Sequence[Delivery], event: str | None = None) -> None:
    """Every event (of name *event*, when given) sent to a subscription was acknowledged exactly
    once, counting retries and duplicates.

    Over a log that forgot deliveries of those events (its ``max_deliveries``) this cannot be
    told, and fails saying so: an event's other attempts may be among them."""
    __tracebackhide__ = True
    kept = list(deliveries)
    first = _first_number(deliveries)
    groups: dict[tuple[bytes, str], list[int]] = {}
    for index, delivery in enumerate(kept, start=first):
        if delivery.next_step is None or (event is not None and delivery.event.name != event):
            continue
        groups.setdefault((delivery.event.body, delivery.subscription), []).append(index)
    why: dict[int, str] = {}
    bad = 0
    for indexes in groups.values():
        acknowledged = [i for i in indexes if kept[i - first].acknowledged]
        if len(acknowledged) != 1:
            bad += 1
            name = kept[indexes[0] - first].event.name
            for i in indexes:
                why[i] = f"{name!r} acknowledged {len(acknowledged)} times"
    unknowable = _count_forgotten(deliveries, event)
    if not bad and not unknowable:
        return
    what = f"{event!r} " if event else ""
    if bad:
        summary = (
            f"expected each {what}event to be acknowledged exactly once; {bad} of "
            f"{len(groups)} were not"
        )
    else:
        summary = (
            f"cannot tell whether each {what}event was acknowledged exactly once: the log no "
            f"longer keeps {unknowable} of their deliveries (max_deliveries), and an event's "
            "other attempts may be among them"
        )
    lines = [
        summary,
        "expected: one acknowledged attempt per event and subscription (retries and duplicates "
        "included)",
        "deliveries:",
        *_forgotten_line(deliveries),
        *_listing(deliveries, why),
        "hint: acknowledged twice means a duplicate reached a receiver that answered 2xx both "
        "times (fine if it deduplicates); never means the event was refused or dropped",
    ]
    if unknowable:
        lines.append(
            "hint: raise max_deliveries (Zoom(max_deliveries=...), hookmock serve "
            "--max-deliveries) above the deliveries a test makes, or clear() the log between "
            "its parts"
        )
    raise AssertionError("\n".join(lines))


def assert_nothing_dropped(deliveries: Sequence[Delivery]) -> None:
    """The provider gave up on no event (every failed one was acknowledged on a retry), those
    a log no longer keeps included (it counts them)."""
    __tracebackhide__ = True
    first = _first_number(deliveries)
    why = {i: "dropped" for i, d in enumerate(deliveries, start=first) if d.dropped}
    forgotten = _count_forgotten(deliveries, dropped=True)
    if not why and not forgotten:
        return
    counted = f"; {forgotten} of them were dropped events" if first > 1 else ""
    lines = [
        f"expected no dropped event; {len(why) + forgotten} dropped after every retry failed",
        "expected: each failed delivery acknowledged on one of its retries",
        "deliveries:",
        *_forgotten_line(deliveries, counted),
        *_listing(deliveries, why),
    ]
    raise AssertionError("\n".join(lines))


def assert_delivered_in_order(deliveries: Sequence[Delivery], events: Sequence[str]) -> None:
    """The first acknowledged deliveries of *events* happened in that order.

    Over a log that forgot an acknowledged delivery of one of them (its ``max_deliveries``)
    this cannot be told, and fails saying so."""
    __tracebackhide__ = True
    first_number = _first_number(deliveries)
    first: dict[str, int] = {}
    for index, delivery in enumerate(deliveries, start=first_number):
        if delivery.acknowledged and delivery.event.name not in first:
            first[delivery.event.name] = index
    missing = [e for e in events if e not in first]
    positions = [first[e] for e in events if e in first]
    unknowable = [
        e for e in events if _count_forgotten(deliveries, e, outcome=Outcome.ACKNOWLEDGED)
    ]
    if not missing and positions == sorted(positions) and not unknowable:
        return
    got = sorted((i, e) for e, i in first.items() if e in events)
    if unknowable:
        summary = (
            f"cannot tell whether {', '.join(map(repr, events))} were first acknowledged in "
            "that order: the log no longer keeps the first acknowledged deliveries of "
            f"{', '.join(map(repr, unknowable))} (max_deliveries)"
        )
    else:
        summary = (
            f"expected {', '.join(map(repr, events))} acknowledged in that order; got "
            + (", ".join(repr(e) for _, e in got) or "none")
            + (f" (never acknowledged: {', '.join(map(repr, missing))})" if missing else "")
        )
    lines = [
        summary,
        "expected: the first acknowledged delivery of each, in the order given",
        "deliveries:",
        *_forgotten_line(deliveries),
        *_listing(deliveries, {i: "first acknowledged" for i in positions}),
    ]
    raise AssertionError("\n".join(lines))
