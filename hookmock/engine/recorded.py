"""The record of one delivery attempt, as data: what was sent, what came back, how it ended.

:mod:`hookmock.engine.report` and :mod:`hookmock.engine.assertions` read it;
:class:`hookmock.engine.delivery.Delivery` adds the methods that call them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..records.exchange import Request, Response
from ..records.masking import mask_urls, redact
from ..records.outcome import Outcome

if TYPE_CHECKING:
    from ..generate.events import Event

__all__ = ["RecordedDelivery"]


@dataclass(slots=True)
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
    # Made on first use: most deliveries have no note (see :attr:`notes`).
    _notes: list[str] | None = field(default=None, repr=False)
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
