"""``assert_*`` helpers: each failure reads like a bug report (STYLE.md, "Messages")."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from .outcome import Outcome
from .report import describe_delivery, summarize_delivery, trim_traceback

if TYPE_CHECKING:
    from .delivery import Delivery

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
    status = delivery.status
    if status in (401, 403) and delivery.event.serialization == "zoom":
        return (
            f"hint: the receiver answered {status} to a correctly signed body: does it verify a "
            "re-serialized body (json.dumps(request.json), JSON.stringify(req.body)) instead of "
            "the raw bytes, or use another secret token?"
        )
    if status == 404:
        return "hint: is the receiver's webhook route on this path? (subscribe(app, path=...))"
    if status == 405:
        return "hint: Zoom delivers with POST: does the route accept POST?"
    if delivery.outcome in (Outcome.LATE, Outcome.TIMEOUT):
        return (
            "hint: acknowledge first, then work: Zoom retries deliveries not answered within "
            f"{delivery.deadline:g} s, so slow handlers get duplicates"
        )
    if delivery.outcome is Outcome.REDIRECTED:
        return "hint: Zoom does not follow redirects; subscribe the final URL"
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
    """Exactly *count* deliveries of *event* ended with *outcome* (any outcome when ``None``)."""
    __tracebackhide__ = True
    of_event = [d for d in deliveries if d.event.name == event]
    matching = [d for d in of_event if outcome is None or d.outcome is outcome]
    if len(matching) == count:
        return
    word = f"{outcome.value} " if outcome is not None else ""
    plural = "y" if count == 1 else "ies"
    why: dict[int, str] = {}
    for index, delivery in enumerate(deliveries, start=1):
        if delivery.event.name != event:
            why[index] = f"another event ({delivery.event.name!r})"
        elif delivery in matching:
            why[index] = "matches"
        else:
            why[index] = f"ended {delivery.outcome.value}"
    lines = [
        f"expected {count} {word}deliver{plural} of {event!r}; got {len(matching)} of "
        f"{len(of_event)}",
        f"expected: {count} deliver{plural} of {event!r}"
        + (f" that ended {outcome.value}" if outcome is not None else ""),
        "deliveries:",
        *_listing(deliveries, why, remarkable=lambda d: d.event.name == event),
    ]
    mismatched = [
        (i, d) for i, d in enumerate(deliveries, start=1) if d in of_event and d not in matching
    ]
    lines += _details(mismatched)
    raise _describing("\n".join(lines), mismatched)


def assert_all_acknowledged(deliveries: Sequence[Delivery]) -> None:
    """Every delivery so far was acknowledged."""
    __tracebackhide__ = True
    failed = [(i, d) for i, d in enumerate(deliveries, start=1) if not d.acknowledged]
    if not failed:
        return
    why = {i: f"ended {d.outcome.value}" for i, d in failed}
    raise _describing(
        _message(
            f"expected every delivery to be acknowledged; {len(failed)} of {len(deliveries)} "
            "were not",
            "a 2xx within the deadline for each delivery",
            failed,
            _hint(failed[0][1]),
            listing=["deliveries:", *_listing(deliveries, why)],
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
        return ["  none"]
    numbered = list(enumerate(deliveries, start=1))
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
            "every one is in the provider's deliveries)"
        )
    return lines


def assert_acknowledged_once(deliveries: Sequence[Delivery], event: str | None = None) -> None:
    """Every event (of name *event*, when given) sent to a subscription was acknowledged exactly
    once, counting retries and duplicates."""
    __tracebackhide__ = True
    groups: dict[tuple[bytes, str], list[int]] = {}
    for index, delivery in enumerate(deliveries, start=1):
        if delivery.next_step is None or (event is not None and delivery.event.name != event):
            continue
        groups.setdefault((delivery.event.body, delivery.subscription), []).append(index)
    why: dict[int, str] = {}
    bad = 0
    for indexes in groups.values():
        acknowledged = [i for i in indexes if deliveries[i - 1].acknowledged]
        if len(acknowledged) != 1:
            bad += 1
            name = deliveries[indexes[0] - 1].event.name
            for i in indexes:
                why[i] = f"{name!r} acknowledged {len(acknowledged)} times"
    if not bad:
        return
    what = f"{event!r} " if event else ""
    lines = [
        f"expected each {what}event to be acknowledged exactly once; {bad} of {len(groups)} "
        "were not",
        "expected: one acknowledged attempt per event and subscription (retries and duplicates "
        "included)",
        "deliveries:",
        *_listing(deliveries, why),
        "hint: acknowledged twice means a duplicate reached a receiver that answered 2xx both "
        "times (fine if it deduplicates); never means the event was refused or dropped",
    ]
    raise AssertionError("\n".join(lines))


def assert_nothing_dropped(deliveries: Sequence[Delivery]) -> None:
    """The provider gave up on no event (every failed one was acknowledged on a retry)."""
    __tracebackhide__ = True
    why = {i: "dropped" for i, d in enumerate(deliveries, start=1) if d.dropped}
    if not why:
        return
    lines = [
        f"expected no dropped event; {len(why)} dropped after every retry failed",
        "expected: each failed delivery acknowledged on one of its retries",
        "deliveries:",
        *_listing(deliveries, why),
    ]
    raise AssertionError("\n".join(lines))


def assert_delivered_in_order(deliveries: Sequence[Delivery], events: Sequence[str]) -> None:
    """The first acknowledged deliveries of *events* happened in that order."""
    __tracebackhide__ = True
    first: dict[str, int] = {}
    for index, delivery in enumerate(deliveries, start=1):
        if delivery.acknowledged and delivery.event.name not in first:
            first[delivery.event.name] = index
    missing = [e for e in events if e not in first]
    positions = [first[e] for e in events if e in first]
    if not missing and positions == sorted(positions):
        return
    got = sorted((i, e) for e, i in first.items() if e in events)
    lines = [
        f"expected {', '.join(map(repr, events))} acknowledged in that order; got "
        + (", ".join(repr(e) for _, e in got) or "none")
        + (f" (never acknowledged: {', '.join(map(repr, missing))})" if missing else ""),
        "expected: the first acknowledged delivery of each, in the order given",
        "deliveries:",
        *_listing(deliveries, {i: "first acknowledged" for i in positions}),
    ]
    raise AssertionError("\n".join(lines))
