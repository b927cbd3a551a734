"""A simulated GitHub: the engine and :class:`~hookmock.providers.github.adapter.GitHubAdapter`
(what GitHub sends, and how; see its module)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from ...conformance.checkable import Checkable
from ...engine.adapter import AdapterAttribute
from ...engine.scheduler import ProviderClock
from ...engine.subscription import Subscription
from ...errors import ConfigurationError
from .adapter import DEADLINE as DEADLINE
from .adapter import SECRET_ENV as SECRET_ENV
from .adapter import TARGET_TYPES as TARGET_TYPES
from .adapter import GitHubAdapter as GitHubAdapter
from .adapter import Hook as Hook
from .adapter import diagnose_ping as diagnose_ping
from .signature import CONTENT_TYPES

__all__ = ["DEADLINE", "SECRET_ENV", "TARGET_TYPES", "GitHub", "Hook"]


class GitHub(Checkable):
    """A simulated GitHub: creates webhooks (pinging each), signs and delivers events, records
    every attempt.

    :param secret: the webhook's secret; read from ``$GITHUB_WEBHOOK_SECRET`` when omitted, a
        random one when that is not set either.
    :param target_type: what the webhooks are installed on: ``"repository"``,
        ``"organization"`` or ``"integration"`` (a GitHub App).
    :param target_id: the id of that repository, organization or App; drawn from the seed when
        omitted. Generated events' ``repository.id`` (or ``organization.id``) is this id.
    :param strict_ping: a webhook whose ping is not acknowledged is not created
        (:meth:`subscribe` raises :class:`~hookmock.SubscriptionError`). GitHub itself creates
        the webhook anyway and shows the failed ping among its recent deliveries; ``False``
        does the same (the failure is kept as a note on the ping's delivery).

    The other settings (``seed``, ``deadline``, ``clock``, ``timestamp_clock``,
    ``background_timeout``, ``max_deliveries``) are :class:`~hookmock.Zoom`'s. GitHub retries
    nothing on its own, so there is no ``retries`` setting: see :meth:`resend`.
    """

    adapter_class = GitHubAdapter
    adapter: GitHubAdapter

    #: What the webhooks are installed on, and its id.
    target_type = AdapterAttribute[str]()
    target_id = AdapterAttribute[int]()
    #: Whether a webhook whose ping fails is refused.
    strict_ping = AdapterAttribute[bool]()
    #: ``User-Agent``: GitHub-Hookshot and 7 hex digits (a build of GitHub's sender).
    user_agent = AdapterAttribute[str]()
    #: Each webhook's settings, by subscription id.
    hooks = AdapterAttribute[dict[str, Hook]]()

    def __init__(
        self,
        *,
        secret: str | None = None,
        target_type: str = "repository",
        target_id: int | None = None,
        strict_ping: bool = True,
        seed: int | None = None,
        deadline: float | None = None,
        clock: Callable[[], float] | ProviderClock | None = None,
        timestamp_clock: str = "real",
        background_timeout: float | None = None,
        max_deliveries: int | None = None,
    ) -> None:
        # The arguments may hold secrets: pytest does not show this frame's locals.
        __tracebackhide__ = True
        super().__init__(
            adapter=self.adapter_class(
                secret=secret,
                target_type=target_type,
                target_id=target_id,
                strict_ping=strict_ping,
            ),
            seed=seed,
            deadline=deadline,
            clock=clock,
            # Failed attempts are judged (and recorded as final): none is retried.
            retries=True,
            timestamp_clock=timestamp_clock,
            background_timeout=background_timeout,
            max_deliveries=max_deliveries,
        )

    def __repr__(self) -> str:
        return (
            f"<GitHub seed={self.seed} hooks={len(self.subscriptions)} "
            f"deliveries={self.deliveries.total}>"
        )

    def subscribe(
        self,
        target: Any,
        *,
        events: Collection[str] | None = None,
        path: str | None = None,
        name: str | None = None,
        auth: Any = None,
        lifespan: bool = False,
        content_type: str = "json",
    ) -> Subscription:
        """Create a webhook for *target* and ping it (see :meth:`Provider.subscribe`).

        :param events: the events to deliver, as GitHub names them with their action
            (``pull_request.opened``); every event when omitted.
        :param content_type: ``"json"`` (the body is the event's JSON) or ``"form"``
            (``payload=`` and the JSON, URL-encoded), as the webhook's setting says.
        :raises SubscriptionError: when the ping is not acknowledged (with ``strict_ping``).
        """
        __tracebackhide__ = True
        if content_type not in CONTENT_TYPES:
            raise ConfigurationError(
                f"content_type must be 'json' or 'form' (a webhook's two payload formats), "
                f"got {content_type!r}"
            )
        self.adapter.next_content_type = content_type
        try:
            return super().subscribe(
                target, events=events, path=path, name=name, auth=auth, lifespan=lifespan
            )
        finally:
            self.adapter.next_content_type = "json"
