"""A Locust ``User`` that plays Zoom: it sends a receiver signed Zoom deliveries, as many and as
fast as Locust's users, and judges each by Zoom's rules.

Write a locustfile::

    from hookmock.locust import ZoomUser

    class Zoom(ZoomUser):
        events = {"meeting.participant_joined": 10, "meeting.ended": 1}

and run it as any other: ``locust -f locustfile.py --host https://staging.example.com/zoom/webhook``,
with the secret token in ``ZOOM_WEBHOOK_SECRET_TOKEN``. Or, without a locustfile,
``hookmock load URL --users N ...`` (:mod:`hookmock.load.command`).

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
from .providers.zoom import SECRET_TOKEN_ENV
from .records.outcome import Outcome

__all__ = ["DeliveryFailed", "ZoomUser"]


class DeliveryFailed(Exception):
    """A delivery Zoom would count as failed; Locust counts failures by this name."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name

    def __repr__(self) -> str:
        # Locust groups failures by the repr of their exception: the outcome's name alone.
        return self.name

    __str__ = __repr__


@events.init_command_line_parser.add_listener
def _add_options(parser: Any, **_kwargs: Any) -> None:
    # Locust sends these from the master to its workers; the secret token is not among them:
    # each process reads its own (ZOOM_WEBHOOK_SECRET_TOKEN), so it never crosses the network.
    parser.add_argument(
        "--zoom-events",
        default=None,
        metavar="NAME=WEIGHT,...",
        help="hookmock: the event mix, e.g. meeting.started=5,meeting.ended=5 (default: a busy "
        "account's mix of meetings, participants, sharing, chat and recordings)",
    )
    parser.add_argument(
        "--zoom-scenario",
        default=None,
        metavar="NAME[:KEY=VALUE,...];...",
        help="hookmock: users play these scenarios (meeting, webinar, user) instead of the mix, "
        "e.g. meeting:participants=20",
    )
    parser.add_argument(
        "--zoom-recorded",
        default=None,
        metavar="FILE",
        help="hookmock: users send the events hookmock record recorded in FILE, in order, "
        "instead of the mix (each worker reads the file at this path)",
    )
    parser.add_argument(
        "--zoom-deadline",
        type=float,
        default=None,
        help=f"hookmock: seconds within which a 2xx counts as acknowledged (Zoom: {DEADLINE:g})",
    )
    parser.add_argument(
        "--zoom-timeout",
        type=float,
        default=None,
        help="hookmock: seconds to wait for an answer before a timeout; later answers within "
        f"it are 'late' (default {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--zoom-pool",
        type=int,
        default=None,
        help="hookmock: different bodies generated per event before they are drawn again; 0 "
        f"generates each (default {DEFAULT_POOL})",
    )


#: One Traffic per process and configuration: every user of a worker draws from the same pools.
_TRAFFIC: dict[tuple[Any, ...], Traffic] = {}


class ZoomUser(FastHttpUser):
    """Sends signed Zoom deliveries to the host (the receiver's webhook URL) in a loop.

    Set these in a subclass, or with the ``--zoom-*`` options of ``locust`` (which win):

    :cvar secret_token: the secret token to sign with; default ``$ZOOM_WEBHOOK_SECRET_TOKEN``.
    :cvar events: event name → weight; default :data:`hookmock.load.generator.DEFAULT_EVENTS`.
    :cvar scenarios: scenarios each user plays one after another instead of the mix
        (``"meeting"``, ``"meeting:participants=20"``).
    :cvar recorded: a file ``hookmock record`` wrote: each user sends its events, byte for byte
        and signed anew, in their order, over and over, instead of the mix.
    :cvar deadline: seconds within which a 2xx is a success (Zoom: 3).
    :cvar timeout: seconds to wait for an answer (default 10).
    :cvar pool: different bodies generated per event before they are drawn again (0: every one).
    :cvar path: appended to the host for each delivery.

    It is a ``FastHttpUser`` (geventhttpclient): one core sends several times as many
    deliveries as with ``HttpUser`` (requests), see the README's load testing section. Like Zoom,
    it follows no redirect and retries nothing.
    """

    abstract = True
    wait_time = constant(0)
    # Zoom follows no redirect (a 3xx is a failed delivery) and retries nothing at once.
    max_redirects = 0
    max_retries = 0

    secret_token: ClassVar[str | None] = None
    events: ClassVar[Mapping[str, int]] = {}
    scenarios: ClassVar[Sequence[str]] = ()
    recorded: str | None = None
    deadline: float = DEADLINE
    timeout: float = DEFAULT_TIMEOUT
    pool: int = DEFAULT_POOL
    path: str = ""

    def __init__(self, environment: Environment) -> None:
        options = environment.parsed_options
        given = (lambda name: getattr(options, name, None)) if options is not None else _none
        self.deadline = _positive("deadline", given("zoom_deadline"), self.deadline)
        # A delivery is waited for at least until its deadline.
        self.timeout = max(self.deadline, _positive("timeout", given("zoom_timeout"), self.timeout))
        # FastHttpUser reads these when it makes its client.
        self.network_timeout = self.connection_timeout = self.timeout
        super().__init__(environment)
        self.traffic = _traffic(
            self,
            given("zoom_events"),
            given("zoom_scenario"),
            given("zoom_recorded"),
            given("zoom_pool"),
        )
        self._playing: list[tuple[str, bytes]] = []

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
        """Deliver *body*, signed now, as event *name*; report it to Locust and return Zoom's
        verdict."""
        headers = self.traffic.headers(body)
        headers["accept-encoding"] = "gzip"
        with self.client.post(
            self.path,
            data=body,  # type: ignore[arg-type]  # bytes are sent as they are
            headers=headers,
            name=name,
            catch_response=True,
        ) as response:
            status = response.status_code or None
            elapsed = float(response.request_meta["response_time"]) / 1000
            error = getattr(response, "error", None) if status is None else None
            outcome, failure = judge(status, elapsed, self.deadline, error)
            if failure is None:
                response.success()
            else:
                response.failure(DeliveryFailed(failure))
        return outcome


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
    user: ZoomUser,
    events: str | None,
    scenario: str | None,
    recorded: str | None,
    pool: int | None,
) -> Traffic:
    from .providers.zoom.scenarios import SCENARIOS

    secret = user.secret_token or os.environ.get(SECRET_TOKEN_ENV, "")
    if not secret:
        raise ConfigurationError(
            f"{type(user).__name__}: no secret token; set {SECRET_TOKEN_ENV} (or secret_token "
            "in the class), the token the receiver verifies signatures with"
        )
    weights = dict(user.events)
    if events:
        from .generate.catalog import event_names

        weights = parse_events([events], event_names("zoom"))
    specs = list(user.scenarios) if scenario is None else scenario.split(";")
    scenarios = parse_scenarios([s for s in specs if s.strip()], SCENARIOS)
    path = recorded or user.recorded
    size = user.pool if pool is None else pool
    if size < 0:
        raise ConfigurationError(f"the pool must be 0 or more bodies per event, got {size}")
    key = (secret, tuple(weights.items()), repr(scenarios), path, size)
    traffic = _TRAFFIC.get(key)
    if traffic is None:
        traffic = _TRAFFIC[key] = Traffic(
            secret_token=secret,
            events=weights,
            scenarios=scenarios,
            recorded=recorded_deliveries(path) if path else (),
            pool=size,
        )
    return traffic
