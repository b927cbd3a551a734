"""A simulated Slack Events API: the engine and
:class:`~hookmock.providers.slack.adapter.SlackAdapter` (what Slack sends, and how; see its
module)."""

from __future__ import annotations

from collections.abc import Callable

from ...conformance.checkable import Checkable
from ...engine.adapter import AdapterAttribute
from ...engine.scheduler import ProviderClock
from .adapter import SlackAdapter as SlackAdapter
from .adapter import retry_reason as retry_reason
from .protocol import USER_AGENT

__all__ = ["Slack", "SlackAdapter", "retry_reason"]


class Slack(Checkable):
    """A simulated Slack app's Events API: subscribes a Request URL (``url_verification``),
    signs and delivers events, retries as Slack does, records every attempt.

    :param secret: the app's signing secret; read from ``$SLACK_SIGNING_SECRET`` when omitted,
        random (32 hex characters) when that is not set either.
    :param verification_token: the app's legacy verification token, sent as ``token`` in every
        body; random (24 characters) when omitted.
    :param team_id: the workspace's id (``T...``); seeded when omitted.
    :param api_app_id: the app's id (``A...``); seeded when omitted.
    :param bot_user_id: the app's bot user (``U...``), named in ``authorizations`` and mentioned
        by ``app_mention``; seeded when omitted.
    :param user_agent: the ``user-agent`` header.

    The other settings (``seed``, ``deadline``, ``clock``, ``retries``, ``retry_timestamps``,
    ``timestamp_clock``, ``background_timeout``, ``max_deliveries``) are :class:`~hookmock.Zoom`'s.
    """

    adapter_class = SlackAdapter
    adapter: SlackAdapter

    #: The app's signing secret, and its legacy verification token.
    signing_secret = AdapterAttribute[str]()
    verification_token = AdapterAttribute[str]()
    #: The workspace, the app and the app's bot user.
    team_id = AdapterAttribute[str]()
    api_app_id = AdapterAttribute[str]()
    bot_user_id = AdapterAttribute[str]()
    #: The ``user-agent`` header.
    user_agent = AdapterAttribute[str]()

    def __init__(
        self,
        *,
        secret: str | None = None,
        verification_token: str | None = None,
        team_id: str | None = None,
        api_app_id: str | None = None,
        bot_user_id: str | None = None,
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
        # The arguments hold secrets: pytest does not show this frame's locals.
        __tracebackhide__ = True
        super().__init__(
            adapter=self.adapter_class(
                secret=secret,
                verification_token=verification_token,
                team_id=team_id,
                api_app_id=api_app_id,
                bot_user_id=bot_user_id,
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
            f"<Slack team={self.team_id} app={self.api_app_id} seed={self.seed} "
            f"subscriptions={len(self.subscriptions)} deliveries={self.deliveries.total}>"
        )
