"""What was sent, what came back: the record of one delivery attempt, and the log of a provider."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, overload

from .outcome import Outcome as Outcome
from .report import MASK, mask_url, mask_urls, masked_headers, redact

if TYPE_CHECKING:
    from .events import Event

__all__ = ["Delivery", "DeliveryLog", "Outcome", "Request", "Response"]


@dataclass(frozen=True)
class Request:
    """A request exactly as sent: header names in sending order, the body's bytes unchanged."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def header(self, name: str) -> str | None:
        """The value of the first header called *name* (case-insensitive), or ``None``."""
        lower = name.lower()
        return next((v for k, v in self.headers if k.lower() == lower), None)

    def __repr__(self) -> str:
        # A header hookmock cannot tell is harmless may carry a credential (a custom
        # authentication header): its value is masked here; describe() redacts precisely.
        headers = tuple(
            (name, value if name.lower() in _PLAIN_HEADERS else MASK)
            for name, value in masked_headers(self.headers)
        )
        return (
            f"Request(method={self.method!r}, url={mask_url(self.url)!r}, "
            f"headers={headers!r}, body=<{len(self.body)} bytes>)"
        )


#: Request headers whose values are never secret; :meth:`Request.__repr__` masks the others.
_PLAIN_HEADERS = frozenset(
    {
        "host",
        "user-agent",
        "content-length",
        "content-type",
        "x-zm-request-timestamp",
        "x-zm-signature",  # already reduced to its version by masked_headers
        "x-zm-request-id",
        "x-zm-trackingid",
        "traceparent",
        "accept-encoding",
        "authorization",  # already reduced to its scheme by masked_headers
    }
)


@dataclass(frozen=True)
class Response:
    """A receiver's answer. :attr:`body` holds at most the transport's cap; :attr:`truncated`
    says whether more was sent."""

    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    truncated: bool = False

    def header(self, name: str) -> str | None:
        lower = name.lower()
        return next((v for k, v in self.headers if k.lower() == lower), None)

    def __repr__(self) -> str:
        # The body is not shown: a receiver may echo what it was sent, credentials included.
        return (
            f"Response(status={self.status!r}, reason={self.reason!r}, "
            f"headers={masked_headers(self.headers)!r}, body=<{len(self.body)} bytes>, "
            f"truncated={self.truncated!r})"
        )

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        """The body parsed as JSON. :raises ValueError: when it is not JSON."""
        return json.loads(self.body)


@dataclass(frozen=True)
class Attempt:
    """What a transport reports for one attempt, before the provider judges it."""

    response: Response | None
    elapsed: float
    error: str | None = None
    outcome: Outcome | None = None
    #: What went wrong in an in-process application's call after its response was complete.
    after_response_error: str | None = None


@dataclass
class Delivery:
    """One delivery attempt of one event to one subscription, and how it ended.

    :ivar event: what was sent (its exact bytes are :attr:`request` ``.body``).
    :ivar request: the request as sent.
    :ivar response: the answer, or ``None`` when there was none (timeout, connection error...).
    :ivar elapsed: seconds from sending to the end of the answer (or to the failure).
    :ivar outcome: how it ended; see :class:`Outcome`.
    :ivar error: why there was no usable answer, or the application's traceback.
    :ivar attempt: 1 for the first attempt of this event to this subscription.
    :ivar deadline: the provider's deadline in seconds.
    :ivar sent_at: the provider clock's reading (Unix seconds) when it was sent.
    :ivar target: a description of where it went (URL, or the in-process application).
    :ivar chain: the id shared by the attempts of one event to one subscription.
    :ivar next_step: what the provider does next (a retry and when, final, dropped).
    :ivar after_response_error: for an in-process ASGI application, what went wrong in its call
        after the response was complete: the traceback of an exception (a background task that
        raised, or a handler whose error response a middleware sent before re-raising), or a
        note that the call was still running at the bound and was cancelled. The provider's
        verdict does not change (the answer came in time), but :meth:`assert_acknowledged`
        fails.
    """

    event: Event
    request: Request
    response: Response | None
    elapsed: float
    outcome: Outcome
    deadline: float
    sent_at: float
    target: str
    subscription: str = ""
    error: str | None = None
    attempt: int = 1
    notes: list[str] = field(default_factory=list)
    secrets: tuple[str, ...] = field(default=(), repr=False)
    #: Shared by every attempt of one event to one subscription.
    chain: str = ""
    #: What the provider does next: ``"retry 1 at +5 min"``, ``"final: ..."``, ``"dropped ..."``;
    #: ``None`` for attempts outside the retry rules (URL validation, conformance checks).
    next_step: str | None = None
    #: True for the last attempt of an event the provider gave up on.
    dropped: bool = False
    after_response_error: str | None = None

    def __repr__(self) -> str:
        status = self.status if self.status is not None else "no response"
        text = (
            f"<Delivery {self.event.name!r} attempt {self.attempt} → {mask_urls(self.target)}: "
            f"{status}, {self.outcome.value} in {self.elapsed * 1000:.1f} ms>"
        )
        return redact(text, self.secrets)

    @property
    def status(self) -> int | None:
        """The response status, or ``None`` without a response."""
        return self.response.status if self.response is not None else None

    @property
    def acknowledged(self) -> bool:
        """True for a 2xx within the deadline."""
        return self.outcome is Outcome.ACKNOWLEDGED

    def describe(self, *, index: int | None = None, body_limit: int = 200) -> str:
        """A multi-line account of this delivery with secrets masked (used in failure messages)."""
        from .report import describe_delivery

        return describe_delivery(self, index=index, body_limit=body_limit)

    def assert_acknowledged(self) -> None:
        """Assert the receiver answered 2xx within the deadline."""
        __tracebackhide__ = True
        from .assertions import assert_acknowledged

        assert_acknowledged(self)

    def assert_rejected(self, status: int | Sequence[int] | None = None) -> None:
        """Assert the receiver answered 4xx (or one of *status*) within the deadline."""
        __tracebackhide__ = True
        from .assertions import assert_rejected

        assert_rejected(self, status)


class DeliveryLog(Sequence[Delivery]):
    """Every delivery attempt a simulated provider made, oldest first."""

    def __init__(self) -> None:
        self._items: list[Delivery] = []
        self._listeners: list[Callable[[Delivery], Any]] = []

    def append(self, delivery: Delivery) -> None:
        self._items.append(delivery)
        for listener in tuple(self._listeners):
            listener(delivery)

    def on_append(self, callback: Callable[[Delivery], Any]) -> Callable[[], None]:
        """Call ``callback(delivery)`` as each attempt is recorded (the mock server's live log
        file uses it). :returns: a function that stops the calls."""
        self._listeners.append(callback)

        def remove() -> None:
            if callback in self._listeners:
                self._listeners.remove(callback)

        return remove

    def clear(self) -> None:
        self._items.clear()

    @overload
    def __getitem__(self, index: int) -> Delivery: ...
    @overload
    def __getitem__(self, index: slice) -> list[Delivery]: ...
    def __getitem__(self, index: int | slice) -> Delivery | list[Delivery]:
        return self._items[index]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Delivery]:
        return iter(self._items)

    @property
    def last(self) -> Delivery:
        """The most recent delivery. :raises IndexError: when there is none."""
        if not self._items:
            raise IndexError("no delivery has been made yet")
        return self._items[-1]

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
        for delivery in self._items:
            if event is not None and delivery.event.name != event:
                continue
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
        for delivery in self._items:
            found.setdefault(delivery.chain, []).append(delivery)
        return found

    @property
    def dropped(self) -> list[Delivery]:
        """The last attempts of events the provider gave up on."""
        return [d for d in self._items if d.dropped]

    def __repr__(self) -> str:
        return f"<DeliveryLog {len(self._items)} deliveries>"
