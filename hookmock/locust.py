"""Locust ``User`` classes that play a provider: they send a receiver signed deliveries, as many
and as fast as Locust's users, and judge each by the provider's rules (its deadline).

Write a locustfile::

    from hookmock.locust import WebhookUser, ZoomUser

    class Zoom(ZoomUser):
        events = {"meeting.participant_joined": 10, "meeting.ended": 1}

    class GitHub(WebhookUser):
        provider = "github"

and run it as any other: ``locust -f locustfile.py --host https://staging.example.com/zoom/webhook``,
with the secret in the provider's variable (``ZOOM_WEBHOOK_SECRET_TOKEN``,
``GITHUB_WEBHOOK_SECRET``...). Or, without a locustfile, ``hookmock load URL --users N ...``
(:mod:`hookmock.load.command`).

Importing this module imports Locust, which monkey-patches the standard library with gevent's:
import it in a locustfile, never in a test process; ``import hookmock`` does not import it.

Each delivery is a request named after its event in Locust's statistics. A 2xx within the
deadline is a success; any other answer is a failure named by its outcome (the names of
:class:`hookmock.Outcome`): ``late`` (an answer after the deadline, whatever its status),
``rejected: 401``, ``redirected: 302``, ``server error: 503``, ``timeout``, ``connection error``,
``invalid response``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from locust import FastHttpUser, constant, events, task
from locust.env import Environment

from .errors import ConfigurationError
from .load.generator import (
    DEADLINE,
    DEFAULT_POOL,
    DEFAULT_TIMEOUT,
    Traffic,
    judge,
    parse_events,
    parse_scenarios,
    recorded_deliveries,
)
from .records.outcome import Outcome

__all__ = ["DeliveryFailed", "WebhookUser", "ZoomUser"]


class DeliveryFailed(Exception):
    """A delivery the provider would count as failed; Locust counts failures by this name."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name

    def __repr__(self) -> str:
        # Locust groups failures by the repr of their exception: the outcome's name alone.
        return self.name

    __str__ = __repr__


@events.init_command_line_parser.add_listener
def _add_options(parser: Any, **_kwargs: Any) -> None:
    # Locust sends these from the master to its workers; the secret is not among them: each
    # process reads its own (ZOOM_WEBHOOK_SECRET_TOKEN...), so it never crosses the network.
    parser.add_argument(
        "--hookmock-provider",
        default=None,
        metavar="NAME",
        help="hookmock: the provider whose deliveries users send: zoom, github, stripe, slack, "
        "standard-webhooks (default: the user class's)",
    )
    parser.add_argument(
        "--hookmock-events",
        default=None,
        metavar="NAME=WEIGHT,...",
        help="hookmock: the event mix, e.g. meeting.started=5,meeting.ended=5 (default: for "
        "Zoom a busy account's mix of meetings, participants, sharing, chat and recordings; for "
        "another provider the events its receivers most often handle)",
    )
    parser.add_argument(
        "--hookmock-scenario",
        default=None,
        metavar="NAME[:KEY=VALUE,...];...",
        help="hookmock: users play these scenarios of the provider's instead of the mix, e.g. "
        "meeting:participants=20",
    )
    parser.add_argument(
        "--hookmock-recorded",
        default=None,
        metavar="FILE",
        help="hookmock: users send the events hookmock record recorded in FILE, in order, "
        "instead of the mix (each worker reads the file at this path)",
    )
    parser.add_argument(
        "--hookmock-deadline",
        type=float,
        default=None,
        help="hookmock: seconds within which a 2xx counts as acknowledged (default: the "
        f"provider's, Zoom's {DEADLINE:g})",
    )
    parser.add_argument(
        "--hookmock-timeout",
        type=float,
        default=None,
        help="hookmock: seconds to wait for an answer before a timeout; later answers within "
        f"it are 'late' (default {DEFAULT_TIMEOUT:g}, or the deadline when it is longer)",
    )
    parser.add_argument(
        "--hookmock-pool",
        type=int,
        default=None,
        help="hookmock: different bodies generated per event before they are drawn again; 0 "
        f"generates each (default {DEFAULT_POOL})",
    )


#: One Traffic per process and configuration: every user of a worker draws from the same pools.
_TRAFFIC: dict[tuple[Any, ...], Traffic] = {}


class WebhookUser(FastHttpUser):
    """Sends a provider's signed deliveries to the host (the receiver's webhook URL) in a loop.

    Set these in a subclass, or with the ``--hookmock-*`` options of ``locust`` (which win):

    :cvar provider: whose deliveries: ``"zoom"``, ``"github"``, ``"stripe"``, ``"slack"`` or
        ``"standard-webhooks"``.
    :cvar secret: the secret to sign with; default the provider's variable
        (``$ZOOM_WEBHOOK_SECRET_TOKEN``, ``$GITHUB_WEBHOOK_SECRET``, ``$STRIPE_WEBHOOK_SECRET``,
        ``$SLACK_SIGNING_SECRET``, ``$STANDARD_WEBHOOKS_SECRET``).
    :cvar events: event name → weight; default :func:`hookmock.load.generator.default_events`
        (for Zoom, a busy account's mix, :data:`~hookmock.load.generator.DEFAULT_EVENTS`).
    :cvar scenarios: the provider's scenarios each user plays one after another instead of the
        mix (``"meeting"``, ``"meeting:participants=20"``).
    :cvar recorded: a file ``hookmock record`` wrote: each user sends its events, byte for byte
        and signed anew, in their order, over and over, instead of the mix.
    :cvar deadline: seconds within which a 2xx is a success; default the provider's (Zoom: 3).
    :cvar timeout: seconds to wait for an answer (default 10, or the deadline when longer).
    :cvar pool: different bodies generated per event before they are drawn again (0: every one).
    :cvar path: appended to the host for each delivery.

    It is a ``FastHttpUser`` (geventhttpclient): one core sends several times as many
    deliveries as with ``HttpUser`` (requests), see the README's load testing section. Like the
    providers, it follows no redirect and retries nothing at once.
    """

    abstract = True
    wait_time = constant(0)
    # No provider follows a redirect (a 3xx is a failed delivery); none retries at once.
    max_redirects = 0
    max_retries = 0

    provider: ClassVar[str] = "zoom"
    secret: ClassVar[str | None] = None
    events: ClassVar[Mapping[str, int]] = {}
    scenarios: ClassVar[Sequence[str]] = ()
    recorded: str | None = None
    deadline: ClassVar[float | None] = None
    timeout: float = DEFAULT_TIMEOUT
    pool: int = DEFAULT_POOL
    path: str = ""

    def __init__(self, environment: Environment) -> None:
        options = environment.parsed_options
        given = (lambda name: getattr(options, name, None)) if options is not None else _none
        self.traffic = _traffic(
            self,
            given("hookmock_provider"),
            given("hookmock_events"),
            given("hookmock_scenario"),
            given("hookmock_recorded"),
            given("hookmock_pool"),
        )
        deadline = self.deadline if self.deadline is not None else self.traffic.deadline
        #: Seconds within which a 2xx is a success, as this user judges.
        self.acknowledge_within = _positive("deadline", given("hookmock_deadline"), deadline)
        # A delivery is waited for at least until its deadline.
        timeout = _positive("timeout", given("hookmock_timeout"), self.timeout)
        self.timeout = max(self.acknowledge_within, timeout)
        # FastHttpUser reads these when it makes its client.
        self.network_timeout = self.connection_timeout = self.timeout
        super().__init__(environment)
        self._playing: list[tuple[str, bytes]] = []

    def _secret(self) -> str | None:
        return self.secret

    @task
    def deliver(self) -> None:
        """Send the next event: the next of this user's scenario or recording, or one drawn
        from the mix."""
        if self.traffic.plays:
            if not self._playing:
                self._playing = self.traffic.play()[::-1]
            name, body = self._playing.pop()
        else:
            name, body = self.traffic.draw()
        self.send(name, body)

    def send(self, name: str, body: bytes) -> Outcome:
        """Deliver *body*, signed now, as event *name*; report it to Locust and return the
        provider's verdict."""
        headers, sent = self.traffic.request(name, body)
        headers.setdefault("accept-encoding", "gzip")
        with self.client.post(
            self.path,
            data=sent,  # type: ignore[arg-type]  # bytes are sent as they are
            headers=headers,
            name=name,
            catch_response=True,
        ) as response:
            status = response.status_code or None
            elapsed = float(response.request_meta["response_time"]) / 1000
            error = getattr(response, "error", None) if status is None else None
            outcome, failure = judge(status, elapsed, self.acknowledge_within, error)
            if failure is None:
                response.success()
            else:
                response.failure(DeliveryFailed(failure))
        return outcome


class ZoomUser(WebhookUser):
    """Sends signed Zoom deliveries: a :class:`WebhookUser` whose provider is Zoom.

    :cvar secret_token: the secret token to sign with; default ``$ZOOM_WEBHOOK_SECRET_TOKEN``
        (``secret`` says the same).
    """

    abstract = True
    provider = "zoom"
    secret_token: ClassVar[str | None] = None

    def _secret(self) -> str | None:
        return self.secret_token or self.secret


def _none(_name: str) -> None:
    return None


def _positive(what: str, given: float | None, default: float) -> float:
    value = float(default if given is None else given)
    if not 0 < value <= 3600:
        raise ConfigurationError(
            f"the {what} must be above 0 and at most 3600 seconds, got {value}"
        )
    return value


def _traffic(
    user: WebhookUser,
    provider: str | None,
    events: str | None,
    scenario: str | None,
    recorded: str | None,
    pool: int | None,
) -> Traffic:
    from .providers import provider_class

    name = provider or user.provider
    cls = provider_class(name)
    secret = user._secret() or (os.environ.get(cls.secret_env, "") if cls.secret_env else "")
    if not secret:
        raise ConfigurationError(
            f"{type(user).__name__}: no secret to sign {name}'s deliveries with; set "
            f"{cls.secret_env} (or secret in the class), the secret the receiver verifies "
            "signatures with"
        )
    weights = dict(user.events) if not events else parse_events([events], None)
    specs = list(user.scenarios) if scenario is None else scenario.split(";")
    specs = [s for s in specs if s.strip()]
    path = recorded or user.recorded
    size = user.pool if pool is None else pool
    if size < 0:
        raise ConfigurationError(f"the pool must be 0 or more bodies per event, got {size}")
    key = (name, secret, tuple(weights.items()), tuple(specs), path, size)
    traffic = _TRAFFIC.get(key)
    if traffic is None:
        traffic = Traffic(secret=secret, provider=name, events=weights, pool=size)
        if specs:
            traffic.scenarios = parse_scenarios(specs, traffic.sender.adapter.scenarios())
        if path:
            traffic.recorded = recorded_deliveries(path, traffic.sender.name)
        _TRAFFIC[key] = traffic
    return traffic
