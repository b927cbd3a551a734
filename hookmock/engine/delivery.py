"""What was sent, what came back: the record of one delivery attempt, and the log of a provider."""

from __future__ import annotations

import bisect
import threading
from array import array
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, overload

from ..errors import ConfigurationError
from ..records.exchange import Attempt as Attempt
from ..records.exchange import Request as Request
from ..records.exchange import Response as Response
from ..records.outcome import Outcome as Outcome
from .assertions import assert_acknowledged, assert_rejected
from .recorded import RecordedDelivery
from .report import describe_delivery

if TYPE_CHECKING:
    from ..generate.events import Event

__all__ = ["Attempt", "Delivery", "DeliveryLog", "Outcome", "Request", "Response"]


class Delivery(RecordedDelivery):
    """One delivery attempt of one event to one subscription, and how it ended: the fields of
    :class:`~hookmock.engine.recorded.RecordedDelivery`, and the methods that describe and
    assert it."""

    __slots__ = ()

    def describe(self, *, index: int | None = None, body_limit: int = 200) -> str:
        """A multi-line account of this delivery with secrets masked (used in failure messages)."""
        return describe_delivery(self, index=index, body_limit=body_limit)

    def assert_acknowledged(self) -> None:
        """Assert the receiver answered 2xx within the deadline."""
        __tracebackhide__ = True
        assert_acknowledged(self)

    def assert_rejected(self, status: int | Sequence[int] | None = None) -> None:
        """Assert the receiver answered 4xx (or one of *status*) within the deadline."""
        __tracebackhide__ = True
        assert_rejected(self, status)


class DeliveryLog(Sequence[Delivery]):
    """The delivery attempts a simulated provider made, oldest first.

    With *max_deliveries*, the log keeps the last that many in full and counts the earlier ones
    (:attr:`forgotten`); every attempt keeps its number (:meth:`numbered`), 1 for the first
    one recorded since the log was made or cleared, so that a reader paging with ``since``
    misses nothing it can still see. Without it, the log keeps everything.

    As a sequence (``len``, indexing, iteration) it holds the deliveries it kept; :attr:`total`
    counts every one recorded.
    """

    def __init__(self, *, max_deliveries: int | None = None) -> None:
        if max_deliveries is not None and (
            isinstance(max_deliveries, bool)
            or not isinstance(max_deliveries, int)
            or max_deliveries < 1
        ):
            raise ConfigurationError(
                f"max_deliveries must be a whole number of deliveries, at least 1 (None: keep "
                f"every one), got {max_deliveries!r}"
            )
        #: How many deliveries the log keeps in full; ``None``: every one.
        self.max_deliveries = max_deliveries
        # Slots before _head hold forgotten deliveries (None); the list is cut from time to time,
        # so that forgetting one costs O(1) on average.
        self._items: list[Delivery | None] = []
        self._head = 0
        self._forgotten = 0
        # The forgotten deliveries, counted by (event, outcome, dropped): what assertions over
        # the whole log need of them.
        self._forgotten_counts: Counter[tuple[str, Outcome, bool]] = Counter()
        # The numbers of the kept deliveries of each event, for ``numbered(event=...)``.
        self._by_event: dict[str, _Numbers] = {}
        self._listeners: list[Callable[[Delivery], Any]] = []
        # Strings and tuples every delivery to one subscription repeats, held once.
        self._shared: dict[Any, Any] = {}
        self._last_event: tuple[Event | None, Event | None] = (None, None)
        self._lock = threading.RLock()

    def append(self, delivery: Delivery) -> None:
        with self._lock:
            self._compact(delivery)
            self._items.append(delivery)
            number = self._forgotten + len(self._items) - self._head
            numbers = self._by_event.get(delivery.event.name)
            if numbers is None:
                numbers = self._by_event[delivery.event.name] = _Numbers()
            numbers.append(number)
            if self.max_deliveries is not None and len(self._items) - self._head > (
                self.max_deliveries
            ):
                self._forget_oldest()
        if self._listeners:
            for listener in tuple(self._listeners):
                listener(delivery)

    def _compact(self, delivery: Delivery) -> None:
        """Let *delivery* share what deliveries before it repeat, and drop the parsed value of
        its event (its bytes are kept: :attr:`Event.data` parses them when read)."""
        shared = self._shared
        if len(shared) > _MAX_SHARED:
            shared.clear()
        delivery.target = shared.setdefault(delivery.target, delivery.target)
        delivery.secrets = shared.setdefault(delivery.secrets, delivery.secrets)
        # The deliveries of one event to several subscriptions share one event, as sent.
        event = delivery.event
        if event is not self._last_event[0]:
            self._last_event = (event, event.without_data())
        delivery.event = self._last_event[1]  # type: ignore[assignment]

    def _forget_oldest(self) -> None:
        oldest = self._items[self._head]
        assert oldest is not None
        self._items[self._head] = None
        self._head += 1
        self._forgotten += 1
        self._forgotten_counts[(oldest.event.name, oldest.outcome, oldest.dropped)] += 1
        numbers = self._by_event.get(oldest.event.name)
        if numbers is not None:
            numbers.popleft()
            if not numbers:
                del self._by_event[oldest.event.name]
        if self._head >= _CUT_AT and self._head * 2 >= len(self._items):
            del self._items[: self._head]
            self._head = 0

    def on_append(self, callback: Callable[[Delivery], Any]) -> Callable[[], None]:
        """Call ``callback(delivery)`` as each attempt is recorded (the mock server's live log
        file uses it). :returns: a function that stops the calls."""
        self._listeners.append(callback)

        def remove() -> None:
            if callback in self._listeners:
                self._listeners.remove(callback)

        return remove

    def clear(self) -> None:
        """Forget every delivery, and the counts: the next one recorded is number 1."""
        with self._lock:
            self._items = []
            self._head = 0
            self._forgotten = 0
            self._forgotten_counts.clear()
            self._by_event.clear()

    @property
    def total(self) -> int:
        """Every delivery recorded since the log was made or cleared, forgotten ones included."""
        with self._lock:
            return self._forgotten + len(self._items) - self._head

    @property
    def forgotten(self) -> int:
        """Deliveries recorded and no longer kept (past :attr:`max_deliveries`)."""
        return self._forgotten

    def count_forgotten(
        self,
        event: str | None = None,
        *,
        outcome: Outcome | None = None,
        dropped: bool | None = None,
    ) -> int:
        """How many forgotten deliveries were of *event*, ended with *outcome*, and were (or
        were not) the last attempt of a dropped event; each criterion only when given."""
        with self._lock:
            return sum(
                count
                for (name, ended, gave_up), count in self._forgotten_counts.items()
                if (event is None or name == event)
                and (outcome is None or ended is outcome)
                and (dropped is None or gave_up == dropped)
            )

    def _kept(self) -> list[Delivery]:
        with self._lock:
            return self._items[self._head :]  # type: ignore[return-value]

    @overload
    def __getitem__(self, index: int) -> Delivery: ...
    @overload
    def __getitem__(self, index: slice) -> list[Delivery]: ...
    def __getitem__(self, index: int | slice) -> Delivery | list[Delivery]:
        with self._lock:
            if isinstance(index, slice):
                return self._kept()[index]
            kept = len(self._items) - self._head
            if not -kept <= index < kept:
                raise IndexError(f"delivery index {index} out of range: the log keeps {kept}")
            found = self._items[self._head + index if index >= 0 else len(self._items) + index]
            assert found is not None
            return found

    def __len__(self) -> int:
        with self._lock:
            return len(self._items) - self._head

    def __iter__(self) -> Iterator[Delivery]:
        return iter(self._kept())

    @property
    def last(self) -> Delivery:
        """The most recent delivery. :raises IndexError: when there is none."""
        with self._lock:
            if len(self._items) == self._head:
                raise IndexError("no delivery has been made yet")
            found = self._items[-1]
            assert found is not None
            return found

    def numbered(
        self, since: int = 0, limit: int | None = None, *, event: str | None = None
    ) -> list[tuple[int, Delivery]]:
        """``(number, delivery)`` for the kept deliveries numbered above *since*, oldest first:
        at most *limit* of them, of the event named *event* when given. Costs what it returns.
        """
        with self._lock:
            first = self._forgotten + 1  # the number of the oldest kept delivery
            if event is None:
                start = max(since + 1, first)
                count = self._forgotten + len(self._items) - self._head - start + 1
                if limit is not None:
                    count = min(count, limit)
                if count <= 0:
                    return []
                offset = self._head + start - first
                found = self._items[offset : offset + count]
                return list(zip(range(start, start + count), found, strict=True))  # type: ignore[arg-type]
            numbers = self._by_event.get(event)
            if numbers is None:
                return []
            picked = numbers.after(since, limit)
            return [(n, self._items[self._head + n - first]) for n in picked]  # type: ignore[misc]

    def iter_matching(
        self,
        event: str | None = None,
        *,
        outcome: Outcome | None = None,
        subscription: str | None = None,
        attempt: int | None = None,
        where: Callable[[Delivery], bool] | None = None,
    ) -> Iterator[Delivery]:
        """Deliveries matching every criterion given: the event's name, the outcome, the
        subscription's name, the attempt number, and any predicate *where*."""
        candidates = self._kept() if event is None else [d for _, d in self.numbered(event=event)]
        for delivery in candidates:
            if outcome is not None and delivery.outcome is not outcome:
                continue
            if subscription is not None and delivery.subscription != subscription:
                continue
            if attempt is not None and delivery.attempt != attempt:
                continue
            if where is not None and not where(delivery):
                continue
            yield delivery

    def get(self, event: str | None = None, **criteria: Any) -> list[Delivery]:
        """:meth:`iter_matching` as a list (same criteria)."""
        return list(self.iter_matching(event, **criteria))

    def chains(self) -> dict[str, list[Delivery]]:
        """The attempts of each event to each subscription (first attempt and its retries),
        keyed by :attr:`Delivery.chain`, in the order the chains started."""
        found: dict[str, list[Delivery]] = {}
        for delivery in self._kept():
            found.setdefault(delivery.chain, []).append(delivery)
        return found

    @property
    def dropped(self) -> list[Delivery]:
        """The last attempts of events the provider gave up on."""
        return [d for d in self._kept() if d.dropped]

    def describe_counts(self) -> str:
        """How many deliveries the log holds, and how many it no longer keeps."""
        with self._lock:
            kept = len(self._items) - self._head
            forgotten = self._forgotten
        text = f"{kept} deliver{'y' if kept == 1 else 'ies'}"
        if forgotten:
            text += (
                f" kept of {kept + forgotten} made; the first {forgotten} (#1-#{forgotten}) "
                f"are forgotten (max_deliveries={self.max_deliveries})"
            )
        elif self.max_deliveries is not None:
            text += f" (keeps the last {self.max_deliveries})"
        return text

    def __repr__(self) -> str:
        return f"<DeliveryLog {self.describe_counts()}>"


#: How many distinct shared values (targets, secret tuples) a log holds before it starts over.
_MAX_SHARED = 256
#: Forgotten slots at the head of a log's list before it is cut.
_CUT_AT = 1024


class _Numbers:
    """Increasing delivery numbers, appended at the end and forgotten from the start, in 8 bytes
    each; :meth:`after` finds the first one above a number by bisection."""

    __slots__ = ("_head", "_values")

    def __init__(self) -> None:
        self._values = array("q")
        self._head = 0

    def __len__(self) -> int:
        return len(self._values) - self._head

    def append(self, number: int) -> None:
        self._values.append(number)

    def popleft(self) -> None:
        self._head += 1
        if self._head >= 64 and self._head * 2 >= len(self._values):
            del self._values[: self._head]
            self._head = 0

    def after(self, since: int, limit: int | None) -> list[int]:
        start = bisect.bisect_right(self._values, since, lo=self._head)
        stop = len(self._values) if limit is None else min(len(self._values), start + limit)
        return self._values[start:stop].tolist()
