"""The record of one delivery attempt, as data: what was sent, what came back, how it ended.

:mod:`hookmock.engine.report` and :mod:`hookmock.engine.assertions` read it;
:class:`hookmock.engine.delivery.Delivery` adds the methods that call them.
"""

from __future__ import annotations

from operator import attrgetter
from typing import TYPE_CHECKING, Any

from ..records.exchange import Request, Response
from ..records.fields import REQUIRED, DataclassFields, replace_fields
from ..records.masking import mask_urls, redact
from ..records.outcome import Outcome

if TYPE_CHECKING:
    from ..generate.events import Event

__all__ = ["RecordedDelivery"]

#: The fields, in order, with their defaults.
_FIELDS: dict[str, Any] = {
    "event": REQUIRED,
    "request": REQUIRED,
    "response": REQUIRED,
    "elapsed": REQUIRED,
    "outcome": REQUIRED,
    "deadline": REQUIRED,
    "sent_at": REQUIRED,
    "target": REQUIRED,
    "subscription": "",
    "error": None,
    "attempt": 1,
    "_notes": None,
    "secrets": (),
    "chain": "",
    "next_step": None,
    "dropped": False,
    "after_response_error": None,
}
_values = attrgetter(*_FIELDS)


class RecordedDelivery:
    """One delivery attempt of one event to one subscription, and how it ended, as data.

    :class:`~hookmock.Delivery` adds the methods that describe and assert it; the reports and
    the assertions read this one.

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

    __match_args__ = (
        "event",
        "request",
        "response",
        "elapsed",
        "outcome",
        "deadline",
        "sent_at",
        "target",
        "subscription",
        "error",
        "attempt",
        "_notes",
        "secrets",
        "chain",
        "next_step",
        "dropped",
        "after_response_error",
    )
    __slots__ = __match_args__
    __replace__ = replace_fields
    __dataclass_fields__ = DataclassFields(
        _FIELDS, options={"_notes": {"repr": False}, "secrets": {"repr": False}}
    )
    # A mutable record compared field by field, as a dataclass with eq=True: not hashable.
    __hash__ = None  # type: ignore[assignment]

    event: Event
    request: Request
    response: Response | None
    elapsed: float
    outcome: Outcome
    deadline: float
    sent_at: float
    target: str
    subscription: str
    error: str | None
    attempt: int
    # Made on first use: most deliveries have no note (see :attr:`notes`).
    _notes: list[str] | None
    secrets: tuple[str, ...]
    #: Shared by every attempt of one event to one subscription.
    chain: str
    #: What the provider does next: ``"retry 1 at +5 min"``, ``"final: ..."``, ``"dropped ..."``;
    #: ``None`` for attempts outside the retry rules (URL validation, conformance checks).
    next_step: str | None
    #: True for the last attempt of an event the provider gave up on.
    dropped: bool
    after_response_error: str | None

    def __init__(
        self,
        event: Event,
        request: Request,
        response: Response | None,
        elapsed: float,
        outcome: Outcome,
        deadline: float,
        sent_at: float,
        target: str,
        subscription: str = "",
        error: str | None = None,
        attempt: int = 1,
        _notes: list[str] | None = None,
        secrets: tuple[str, ...] = (),
        chain: str = "",
        next_step: str | None = None,
        dropped: bool = False,
        after_response_error: str | None = None,
    ) -> None:
        self.event = event
        self.request = request
        self.response = response
        self.elapsed = elapsed
        self.outcome = outcome
        self.deadline = deadline
        self.sent_at = sent_at
        self.target = target
        self.subscription = subscription
        self.error = error
        self.attempt = attempt
        self._notes = _notes
        self.secrets = secrets
        self.chain = chain
        self.next_step = next_step
        self.dropped = dropped
        self.after_response_error = after_response_error

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return _values(self) == _values(other)

    def __repr__(self) -> str:
        status = self.status if self.status is not None else "no response"
        text = (
            f"<{type(self).__name__} {self.event.name!r} attempt {self.attempt} → "
            f"{mask_urls(self.target)}: "
            f"{status}, {self.outcome.value} in {self.elapsed * 1000:.1f} ms>"
        )
        return redact(text, self.secrets)

    @property
    def notes(self) -> list[str]:
        """What hookmock noticed about this delivery (a problem with a URL validation's answer,
        an application's error after its response), one sentence each; append to it freely."""
        if self._notes is None:
            self._notes = []
        return self._notes

    @property
    def status(self) -> int | None:
        """The response status, or ``None`` without a response."""
        return self.response.status if self.response is not None else None

    @property
    def acknowledged(self) -> bool:
        """True for a 2xx within the deadline."""
        return self.outcome is Outcome.ACKNOWLEDGED
