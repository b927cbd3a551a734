"""A simulated Stripe: the engine and :class:`~hookmock.providers.stripe.adapter.StripeAdapter`
(what Stripe sends, and how; see its module)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ...conformance.checkable import Checkable
from ...engine.adapter import AdapterAttribute
from ...engine.scheduler import ProviderClock
from .adapter import DEADLINE as DEADLINE
from .adapter import LIVE_RETRY_DELAYS as LIVE_RETRY_DELAYS
from .adapter import SECRET_ENV as SECRET_ENV
from .adapter import TEST_RETRY_DELAYS as TEST_RETRY_DELAYS
from .adapter import StripeAdapter as StripeAdapter

__all__ = [
    "DEADLINE",
    "LIVE_RETRY_DELAYS",
    "SECRET_ENV",
    "TEST_RETRY_DELAYS",
    "Stripe",
]


class Stripe(Checkable):
    """A simulated Stripe account's webhook endpoint: signs, delivers and retries events,
    records every attempt.

    :param secret: the endpoint's signing secret (``whsec_...``), or several: a rolled secret
        and its successor, one ``v1`` signature each, in order. Read from
        ``$STRIPE_WEBHOOK_SECRET`` when omitted; a random one when that is not set either.
    :param livemode: live mode (events say ``livemode: true``; retries for up to three days)
        or test mode (the default: a sandbox, three retries over a few hours).
    :param api_version: the ``api_version`` events are rendered in (default: the version the
        vendored catalog was built for, :data:`hookmock.providers.stripe.API_VERSION`).

    The other settings (``seed``, ``deadline``, ``clock``, ``retries``, ``retry_timestamps``,
    ``timestamp_clock``, ``background_timeout``, ``max_deliveries``) are :class:`~hookmock.Zoom`'s.
    """

    adapter_class = StripeAdapter
    adapter: StripeAdapter

    #: Live mode (``True``) or test mode.
    livemode = AdapterAttribute[bool]()
    #: The ``api_version`` events are rendered in.
    api_version = AdapterAttribute[str]()

    def __init__(
        self,
        *,
        secret: str | Sequence[str] | None = None,
        livemode: bool = False,
        api_version: str | None = None,
        seed: int | None = None,
        deadline: float | None = None,
        clock: Callable[[], float] | ProviderClock | None = None,
        retries: bool = True,
        retry_timestamps: str = "fresh",
        timestamp_clock: str = "real",
        background_timeout: float | None = None,
        max_deliveries: int | None = None,
    ) -> None:
        # The arguments may hold secrets: pytest does not show this frame's locals.
        __tracebackhide__ = True
        super().__init__(
            adapter=self.adapter_class(secret=secret, livemode=livemode, api_version=api_version),
            seed=seed,
            deadline=deadline,
            clock=clock,
            retries=retries,
            retry_timestamps=retry_timestamps,
            timestamp_clock=timestamp_clock,
            background_timeout=background_timeout,
            max_deliveries=max_deliveries,
        )

    def __repr__(self) -> str:
        mode = "live" if self.livemode else "test"
        return (
            f"<Stripe {mode} mode seed={self.seed} subscriptions={len(self.subscriptions)} "
            f"deliveries={self.deliveries.total}>"
        )

    @property
    def signing_secrets(self) -> tuple[str, ...]:
        """Every secret deliveries are signed with, in order."""
        return self.adapter.signing_secrets
