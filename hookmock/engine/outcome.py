"""How one delivery attempt ended. A module of its own, beneath the delivery records, so that
what judges deliveries (:mod:`hookmock.engine.assertions`) and the records
(:mod:`hookmock.engine.delivery`, whose ``assert_*`` methods call the judges) do not import each
other; :mod:`hookmock.engine.delivery` re-exports it."""

from __future__ import annotations

import enum

__all__ = ["Outcome"]


class Outcome(enum.Enum):
    """How one delivery attempt ended, from the provider's point of view."""

    #: A 2xx answer within the deadline.
    ACKNOWLEDGED = "acknowledged"
    #: A 4xx answer within the deadline (Zoom does not retry these).
    REJECTED = "rejected"
    #: A 3xx answer (Zoom does not follow redirects; the delivery failed).
    REDIRECTED = "redirected"
    #: A 5xx answer, or another status outside 2xx-4xx.
    SERVER_ERROR = "server error"
    #: An answer that came after the deadline (in-process targets, which cannot be cut off).
    LATE = "late"
    #: No answer within the deadline (network targets are cut off at it).
    TIMEOUT = "timeout"
    #: Connection refused or reset, DNS or TLS failure.
    CONNECTION_ERROR = "connection error"
    #: The answer was not valid HTTP.
    INVALID_RESPONSE = "invalid response"
    #: An in-process application raised instead of answering.
    APP_ERROR = "application error"
    #: The subscription's credentials could not be obtained (a failed token exchange).
    AUTH_ERROR = "authentication error"

    @property
    def acknowledged(self) -> bool:
        return self is Outcome.ACKNOWLEDGED
