"""A subscription: an endpoint that receives a chosen set of a provider's events."""

from __future__ import annotations

from operator import attrgetter
from typing import TYPE_CHECKING, Any

from ..records.fields import REQUIRED, DataclassFields, replace_fields
from ..records.masking import mask_urls

if TYPE_CHECKING:
    from ..transports import Target

__all__ = ["Subscription"]

#: The fields, in order, with their defaults.
_FIELDS: dict[str, Any] = {
    "id": REQUIRED,
    "name": REQUIRED,
    "target": REQUIRED,
    "events": REQUIRED,
    "validated_at": None,
    "active": True,
    "failures": 0,
    "auth": None,
}
_values = attrgetter(*_FIELDS)


class Subscription:
    """An endpoint that receives a chosen set of events.

    :ivar events: the event names it covers, or ``None`` for every event.
    """

    __match_args__ = (
        "id",
        "name",
        "target",
        "events",
        "validated_at",
        "active",
        "failures",
        "auth",
    )
    __replace__ = replace_fields
    __dataclass_fields__ = DataclassFields(_FIELDS)
    # A mutable record compared field by field, as a dataclass with eq=True: not hashable.
    __hash__ = None  # type: ignore[assignment]

    id: str
    name: str
    target: Target
    events: frozenset[str] | None
    validated_at: float | None
    #: ``False`` once the provider disabled it (failed re-validations): nothing is delivered.
    active: bool
    #: Consecutive failed re-validations.
    failures: int
    #: Extra headers of the subscription's authentication option (see :mod:`hookmock.engine.auth`).
    auth: Any

    def __init__(
        self,
        id: str,
        name: str,
        target: Target,
        events: frozenset[str] | None,
        validated_at: float | None = None,
        active: bool = True,
        failures: int = 0,
        auth: Any = None,
    ) -> None:
        self.id = id
        self.name = name
        self.target = target
        self.events = events
        self.validated_at = validated_at
        self.active = active
        self.failures = failures
        self.auth = auth

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return _values(self) == _values(other)

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
