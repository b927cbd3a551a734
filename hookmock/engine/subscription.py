"""A subscription: an endpoint that receives a chosen set of a provider's events."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .report import mask_urls

if TYPE_CHECKING:
    from ..transports import Target

__all__ = ["Subscription"]


@dataclass
class Subscription:
    """An endpoint that receives a chosen set of events.

    :ivar events: the event names it covers, or ``None`` for every event.
    """

    id: str
    name: str
    target: Target
    events: frozenset[str] | None
    validated_at: float | None = None
    #: ``False`` once the provider disabled it (failed re-validations): nothing is delivered.
    active: bool = True
    #: Consecutive failed re-validations.
    failures: int = 0
    #: Extra headers of the subscription's authentication option (see :mod:`hookmock.engine.auth`).
    auth: Any = None

    @property
    def url(self) -> str:
        return self.target.url

    def __repr__(self) -> str:
        events = "every event" if self.events is None else ", ".join(sorted(self.events))
        state = "active" if self.active else "disabled"
        auth = f", auth={self.auth!r}" if self.auth is not None else ""
        return (
            f"<Subscription {self.id} {self.name!r} → {mask_urls(self.target.describe())}: "
            f"{events}; {state}{auth}>"
        )

    def covers(self, event: str) -> bool:
        return self.active and (self.events is None or event in self.events)
