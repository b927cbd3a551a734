"""A simulated sender that follows Standard Webhooks: the engine and the
:class:`~hookmock.providers.standard_webhooks.adapter.StandardWebhooksAdapter` (which says what
it sends, and how; see its module)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ...conformance.checkable import Checkable
from ...engine.adapter import AdapterAttribute
from ...engine.scheduler import ProviderClock
from ...engine.simulator import register_signing
from ...generate.events import Event
from .adapter import DEADLINE as DEADLINE
from .adapter import EXAMPLE_DOCUMENT as EXAMPLE_DOCUMENT
from .adapter import RETRY_DELAYS as RETRY_DELAYS
from .adapter import SECRET_ENV as SECRET_ENV
from .adapter import USER_AGENT, StandardWebhooksAdapter
from .signature import Key, KeyLike

__all__ = [
    "DEADLINE",
    "EXAMPLE_DOCUMENT",
    "RETRY_DELAYS",
    "SECRET_ENV",
    "StandardWebhooks",
]


class StandardWebhooks(Checkable):
    """A simulated Standard Webhooks sender: signs, delivers and retries the events of an
    OpenAPI document (hookmock's example document when none is given), records every attempt.

    :param secret: the endpoint's signing secret (``whsec_...``, or an Ed25519 ``whsk_...`` key
        for ``v1a`` signatures), or several (a rotation: one signature item each, in order).
        Read from ``$STANDARD_WEBHOOKS_SECRET`` when omitted; a random ``whsec_`` one when that
        is not set either.
    :param openapi: the OpenAPI 3.1 document whose ``webhooks`` are the events (a path, or the
        parsed document); see :func:`hookmock.providers.openapi.read_openapi`.
    :param name: the name its events are known by in this process (the catalog's name, used in
        messages); by default the document's file name without its suffix, or
        ``standard-webhooks`` for the example document.
    :param header_prefix: ``"webhook"`` (the specification's ``webhook-id``...) or ``"svix"``
        (``svix-id``..., as Svix sends them unless white-labelled).
    :param user_agent: the ``user-agent`` header.

    The other settings (``seed``, ``deadline``, ``clock``, ``retries``, ``retry_timestamps``,
    ``timestamp_clock``, ``background_timeout``, ``max_deliveries``) are :class:`~hookmock.Zoom`'s.
    """

    adapter_class = StandardWebhooksAdapter
    adapter: StandardWebhooksAdapter

    #: The keys deliveries are signed with, parsed, in order.
    keys = AdapterAttribute[tuple[Key, ...]]()
    #: ``"webhook"`` or ``"svix"``, and the three header names it gives.
    header_prefix = AdapterAttribute[str]()
    header_id = AdapterAttribute[str]()
    header_timestamp = AdapterAttribute[str]()
    header_signature = AdapterAttribute[str]()
    #: The ``user-agent`` header.
    user_agent = AdapterAttribute[str]()

    def __init__(
        self,
        *,
        secret: KeyLike | Sequence[KeyLike] | None = None,
        openapi: str | os.PathLike[str] | Mapping[str, Any] | None = None,
        name: str | None = None,
        header_prefix: str = "webhook",
        user_agent: str = USER_AGENT,
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
            adapter=self.adapter_class(
                secret=secret,
                openapi=openapi,
                name=name,
                header_prefix=header_prefix,
                user_agent=user_agent,
            ),
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
        return (
            f"<StandardWebhooks {self.name!r} seed={self.seed} "
            f"subscriptions={len(self.subscriptions)} deliveries={self.deliveries.total}>"
        )

    @classmethod
    def from_openapi(
        cls,
        source: str | os.PathLike[str] | Mapping[str, Any],
        **options: Any,
    ) -> StandardWebhooks:
        """A sender of the events of the OpenAPI document *source* (see the class for the
        options)."""
        __tracebackhide__ = True
        return cls(openapi=source, **options)

    def message_id(self, event: Event) -> str:
        """The ``webhook-id`` of *event*: ``msg_`` and 27 base62 characters, derived from the
        provider's seed and the event's bytes. Every attempt of one event carries it, retries and
        duplicates (:meth:`resend`) alike, so that a receiver can tell them apart from new
        messages."""
        return self.adapter.message_id(event)


register_signing("standard-webhooks", StandardWebhooks.from_openapi)
