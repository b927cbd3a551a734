"""Replaying recorded real deliveries (:mod:`hookmock.records.traffic`): each body, byte for
byte, signed anew by the provider with its own secret and a fresh timestamp, and delivered by
its rules (deadline, retries, the delivery log).
"""

from __future__ import annotations

import os
import random
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from ..errors import ConfigurationError, NotSubscribedError
from ..generate.events import Event
from ..records.traffic import CapturedDelivery, records_of
from .delivery import Delivery

__all__ = ["ORDERS", "order_records", "replay"]

#: The orders recorded deliveries can be replayed in, and what each means.
ORDERS = {
    "recorded": "as they are in the file (the order they arrived)",
    "time": "by the time they arrived (for files joined from several recordings)",
    "event-time": "by the event's own time (a top-level event_ts), the order things happened",
    "reversed": "the file's order reversed",
    "shuffled": "shuffled by the provider's seed",
}


def _event_time(record: CapturedDelivery) -> float:
    data = record.data
    stamp = data.get("event_ts") if isinstance(data, dict) else None
    if isinstance(stamp, (int, float)) and not isinstance(stamp, bool):
        return float(stamp) / 1000.0
    return record.received_at


def order_records(
    records: list[CapturedDelivery], order: str, *, seed: int = 0
) -> list[CapturedDelivery]:
    """*records* in the named *order* (one of :data:`ORDERS`); sorts are stable."""
    if order == "recorded":
        return list(records)
    if order == "time":
        return sorted(records, key=lambda r: r.received_at)
    if order == "event-time":
        return sorted(records, key=_event_time)
    if order == "reversed":
        return records[::-1]
    if order == "shuffled":
        shuffled = list(records)
        random.Random(seed).shuffle(shuffled)
        return shuffled
    raise ConfigurationError(f"order must be one of {', '.join(ORDERS)}; got {order!r}")


def recorded_event(record: CapturedDelivery) -> Event:
    """The recorded body as an :class:`~hookmock.Event`, its bytes unchanged."""
    return Event.from_body(record.body, name=record.event or "(unnamed)")


def replay(
    provider: Any,
    source: str | os.PathLike[str] | Iterable[CapturedDelivery | Mapping[str, Any]],
    *,
    to: Any = None,
    order: str = "recorded",
    events: Collection[str] | None = None,
) -> list[Delivery]:
    """Deliver each recorded body with *provider* (see :meth:`hookmock.Provider.replay`)."""
    # A request that names no event (a tunnel's health check, a browser's GET) is no delivery.
    records = [r for r in records_of(source) if r.event is not None]
    if isinstance(events, str):
        events = [events]
    if events is not None:
        wanted = set(events)
        records = [r for r in records if r.event in wanted]
    chosen = order_records(records, order, seed=provider.seed)
    built = [recorded_event(record) for record in chosen]
    # Every event must be covered before anything is sent: a replay is not left half done by
    # a name no subscription covers.
    subscriptions = [to] if to is not None else list(provider.subscriptions)
    uncovered = sorted({e.name for e in built if not any(s.covers(e.name) for s in subscriptions)})
    if uncovered:
        where = "the subscription given does not cover" if to is not None else "nothing covers"
        raise NotSubscribedError(
            f"{where} {len(uncovered)} of the recorded event types: "
            f"{', '.join(uncovered[:10])}{', ...' if len(uncovered) > 10 else ''}; subscribe to "
            "them, or replay(..., events=[...]) replays only the events named"
        )
    return [provider.send(event, to=to) for event in built]
