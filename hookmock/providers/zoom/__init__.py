"""Zoom: :class:`Zoom`, the engine with :class:`ZoomAdapter` (headers, signature, URL
validation, deadline and retries; facts and sources in ZOOM.md), and Zoom's conveniences.

The signature helpers are public so a test can sign a body by hand::

    from hookmock.providers import zoom
    headers = zoom.signed_headers(secret_token, body)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...conformance.checkable import Checkable
from ...engine.adapter import AdapterAttribute
from ...engine.scheduler import ProviderClock
from ...errors import ConfigurationError
from .adapter import DEADLINE as DEADLINE
from .adapter import SECRET_TOKEN_ENV as SECRET_TOKEN_ENV
from .adapter import USER_AGENT as USER_AGENT
from .adapter import ZoomAdapter as ZoomAdapter
from .adapter import diagnose_validation as diagnose_validation
from .adapter import generate_secret_token as generate_secret_token
from .adapter import request_id as request_id
from .adapter import signed_headers as signed_headers
from .signature import encrypted_token as encrypted_token
from .signature import sign as sign
from .signature import verify as verify

__all__ = [
    "DEADLINE",
    "SECRET_TOKEN_ENV",
    "USER_AGENT",
    "Zoom",
    "ZoomAdapter",
    "encrypted_token",
    "sign",
    "signed_headers",
    "verify",
]


class Zoom(Checkable):
    """A simulated Zoom: subscribes endpoints, signs and delivers events, records every attempt.

    :param secret_token: the app's webhook secret token; a random one when omitted.
    :param seed: the seed all generated values derive from (printed by the pytest plugin).
    :param deadline: seconds to wait for an answer (Zoom: 3).
    :param verification_token: a legacy verification token, sent as ``authorization``.
    :param client_id: sent as the ``clientid`` header, as in older captures.
    :param traceparent: send a W3C ``traceparent`` header (flags ``02``), as every captured
        delivery has (ZOOM.md §8).
    :param tracking_id: send ``x-zm-trackingid`` (``v=2.0;clid=us02;rid=WEB_<32 hex>``), as every
        captured delivery has.
    :param trace_upstream: send ``zm-trace-upstream: Meeting_Web_marketplace-consumer``, as every
        captured delivery has.
    :param clock: the provider's clock (Unix seconds): a :class:`~hookmock.ProviderClock` or a
        function; ``event_ts``, times in payloads, signing timestamps and the schedule of retries
        and re-validations come from it.
    :param retries: retry failed deliveries on Zoom's schedule (ZOOM.md §4) as provider time
        moves (:meth:`advance`, :meth:`run_until_idle`).
    :param retry_timestamps: ``"fresh"``: each retry is signed anew with the time it is sent;
        ``"original"``: retries keep the first attempt's timestamp and signature. Zoom does not
        document which it does.
    :param timestamp_clock: what ``x-zm-request-timestamp`` reads. ``"real"``: the clock the
        receiver reads too (the provider clock without the time advanced), so a receiver checking
        its timestamp window accepts deliveries made after :meth:`advance`. ``"provider"``: the
        provider clock, advances included; for a receiver whose clock follows provider time
        (``zoom.clock.on_advance(...)`` with time-machine).
    :param background_timeout: seconds an in-process ASGI application may go on working after
        its response (background tasks), and its lifespan startup or shutdown may take, before
        it is cancelled and the delivery (or a :class:`~hookmock.LifespanError`) says so.
        Default 30.
    :param max_deliveries: how many deliveries :attr:`deliveries` keeps in full, the last ones;
        earlier ones are counted, not kept (see :class:`~hookmock.DeliveryLog`). Default: every
        one.
    """

    adapter_class = ZoomAdapter
    adapter: ZoomAdapter

    #: The app's webhook secret token.
    secret_token = AdapterAttribute[str]()
    #: The legacy verification token sent as ``authorization``, if any.
    verification_token = AdapterAttribute[str | None]()
    #: The ``clientid`` header, if any.
    client_id = AdapterAttribute[str | None]()
    #: Whether ``traceparent``, ``x-zm-trackingid`` and ``zm-trace-upstream`` are sent.
    traceparent = AdapterAttribute[bool]()
    tracking_id = AdapterAttribute[bool]()
    trace_upstream = AdapterAttribute[bool]()

    def __init__(
        self,
        *,
        secret_token: str | None = None,
        seed: int | None = None,
        deadline: float | None = None,
        verification_token: str | None = None,
        client_id: str | None = None,
        traceparent: bool = True,
        tracking_id: bool = True,
        trace_upstream: bool = True,
        clock: Callable[[], float] | ProviderClock | None = None,
        retries: bool = True,
        retry_timestamps: str = "fresh",
        timestamp_clock: str = "real",
        background_timeout: float | None = None,
        max_deliveries: int | None = None,
    ) -> None:
        # The arguments may hold secrets (a URL with a token, a secret token): pytest does not
        # show this frame, or its locals under --showlocals, in a failure's traceback.
        __tracebackhide__ = True
        super().__init__(
            adapter=self.adapter_class(
                secret_token=secret_token,
                verification_token=verification_token,
                client_id=client_id,
                traceparent=traceparent,
                tracking_id=tracking_id,
                trace_upstream=trace_upstream,
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
            f"<Zoom seed={self.seed} subscriptions={len(self.subscriptions)} "
            f"deliveries={self.deliveries.total}>"
        )

    # -- the mock Zoom server (hookmock.server) -------------------------------------------------

    #: Starts a server for :attr:`server_url` on first use (the pytest plugin sets it).
    server_starter: Callable[[], Any] | None = None

    @property
    def server_url(self) -> str:
        """The base URL of the mock Zoom server serving this simulated Zoom: its OAuth token,
        event subscription and recording download endpoints, control API and debugging page.

        :raises ConfigurationError: when no server serves it.
        """
        if self.server is None and self.server_starter is not None:
            self.server_starter()
        if self.server is None:
            raise ConfigurationError(
                "no mock Zoom server serves this simulated Zoom: in pytest, use zoom.server_url "
                "from the zoom fixture or ask for the hookmock_server fixture; elsewhere, "
                "start one: hookmock.server.MockServer(zoom).start()"
            )
        return str(self.server.url)
