"""What a load test sends and how it judges each answer, without Locust: a weighted event mix
(for Zoom, a busy account's), scenarios played per user, the request of each delivery (signed
when it is sent, with the provider's headers) and the provider's verdict on the answer.

:class:`hookmock.locust.WebhookUser` draws its deliveries from a :class:`Traffic`; the benchmarks
time the same calls.
"""

from __future__ import annotations

import difflib
import json
import os
import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import ConfigurationError
from ..providers.zoom import DEADLINE, USER_AGENT, sign
from ..records.outcome import Outcome

if TYPE_CHECKING:
    from ..engine.simulator import Provider
    from ..engine.subscription import Subscription
    from ..generate.events import Event

__all__ = [
    "DEADLINE",
    "DEFAULT_EVENTS",
    "DEFAULT_POOL",
    "DEFAULT_TIMEOUT",
    "Traffic",
    "default_events",
    "failure_name",
    "judge",
    "outcome_of",
    "parse_events",
    "parse_scenarios",
    "recorded_deliveries",
]

#: The event mix of a busy Zoom account, as weights out of 100: most deliveries are people
#: joining and leaving meetings (a meeting of eight sends sixteen of those for one started and
#: one ended), then meetings starting and ending, screen sharing, chat and recordings.
DEFAULT_EVENTS: dict[str, int] = {
    "meeting.participant_joined": 34,
    "meeting.participant_left": 34,
    "meeting.started": 6,
    "meeting.ended": 6,
    "meeting.sharing_started": 4,
    "meeting.sharing_ended": 4,
    "meeting.chat_message_sent": 4,
    "meeting.created": 2,
    "recording.completed": 3,
    "recording.transcript_completed": 3,
}

#: How many different bodies of each event (or plays of each scenario) a load-generating
#: process generates before it draws from those again. Generating a body costs more than
#: sending it; pooling keeps the generator far ahead of the network (see the ``locust``
#: benchmark). Each delivery is still signed when it is sent, with a new request id.
DEFAULT_POOL = 1000

#: The most encoded events a process keeps for the bodies it sends again (see
#: :meth:`Traffic.request`).
_REMEMBERED = 100_000

#: Seconds a delivery waits for its answer before it is given up as a timeout. Answers after
#: the deadline (3 s) but within this are failures named "late", with their real time.
DEFAULT_TIMEOUT = 10.0


def _unknown(name: str, known: Sequence[str], what: str) -> ConfigurationError:
    close = difflib.get_close_matches(name, known, n=3)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return ConfigurationError(f"unknown {what} {name!r}{hint}")


def default_events(provider: Provider) -> dict[str, int]:
    """The event mix users draw from unless told otherwise: a busy Zoom account's for Zoom
    (:data:`DEFAULT_EVENTS`); for another provider, the events its receivers most often handle
    (its conformance battery's default events), equally weighted."""
    if provider.name == "zoom":
        return dict(DEFAULT_EVENTS)
    try:
        names = provider.adapter.conformance_suite().default_events
    except NotImplementedError:
        names = ()
    return dict.fromkeys(names or provider.event_names()[:3], 1)


def parse_events(specs: Sequence[str], known: Sequence[str] | None) -> dict[str, int]:
    """The weights ``--events`` gives: ``NAME=WEIGHT`` or ``NAME`` (weight 1), comma-separated
    or repeated; each name must be one of *known* (when given: :class:`Traffic` checks them
    too)."""
    weights: dict[str, int] = {}
    for spec in specs:
        for item in filter(None, (part.strip() for part in spec.split(","))):
            name, sep, text = item.partition("=")
            name = name.strip()
            if known is not None and name not in known:
                raise _unknown(name, known, "event")
            try:
                weight = int(text) if sep else 1
            except ValueError:
                weight = -1
            if weight < 0 or weight > 1_000_000:
                raise ConfigurationError(
                    f"--events {item!r}: the weight must be a whole number from 0 to 1000000, "
                    f"e.g. {name}=5"
                )
            weights[name] = weight
    if weights and not any(weights.values()):
        raise ConfigurationError("--events: every weight is 0; give at least one a weight")
    return {name: weight for name, weight in weights.items() if weight}


def parse_scenarios(
    specs: Sequence[str], known: Mapping[str, Any]
) -> list[tuple[str, dict[str, Any]]]:
    """The scenarios ``--scenario`` names: ``NAME`` or ``NAME:KEY=VALUE,...`` (values read as
    JSON, ``participants=20``, ``recording=false``), repeated for several."""
    found: list[tuple[str, dict[str, Any]]] = []
    for spec in specs:
        name, _, rest = spec.partition(":")
        name = name.strip()
        if name not in known:
            raise _unknown(name, list(known), "scenario")
        params: dict[str, Any] = {}
        for item in filter(None, (part.strip() for part in rest.split(","))):
            key, sep, text = item.partition("=")
            if not sep:
                raise ConfigurationError(
                    f"--scenario {spec!r}: expected NAME:KEY=VALUE,..., "
                    "e.g. meeting:participants=20"
                )
            try:
                params[key.strip()] = json.loads(text)
            except ValueError:
                params[key.strip()] = text
        found.append((name, params))
    return found


def recorded_deliveries(path: str, provider: str = "zoom") -> list[tuple[str, bytes]]:
    """The events of *provider* that ``hookmock record`` recorded in the file at *path*, as
    (name, body bytes) in the recorded order; Zoom's URL validation challenges are left out
    (they are a handshake, not an event, and need a token of the moment).

    :raises ConfigurationError: when the file holds no event of *provider*.
    """
    from ..providers.zoom.signature import URL_VALIDATION
    from ..records.traffic import read_records

    found = [
        (record.event, record.body)
        for record in read_records(path)
        if record.provider == provider
        and record.method == "POST"
        and record.event is not None
        and not (provider == "zoom" and record.event == URL_VALIDATION)
    ]
    if not found:
        left_out = " (URL validations are left out)" if provider == "zoom" else ""
        raise ConfigurationError(
            f"{path}: no recorded {provider} event to send{left_out}; record some with "
            f"hookmock record --provider {provider}"
        )
    return found


def judge(
    status: int | None, elapsed: float, deadline: float, error: BaseException | None = None
) -> tuple[Outcome, str | None]:
    """Zoom's verdict on one answer, and the name its failure is counted under (None for a
    success): a 2xx within *deadline* is acknowledged; an answer after it is ``late``, whatever
    its status (Zoom stopped waiting at the deadline); a 3xx, 4xx or 5xx is named with its status
    (``rejected: 401``); no answer is a ``timeout``, a ``connection error`` or an ``invalid
    response``."""
    if status is None or status == 0:
        if error is not None and _is_timeout(error):
            outcome = Outcome.TIMEOUT
        elif error is not None and _is_parse_error(error):
            outcome = Outcome.INVALID_RESPONSE
        else:
            outcome = Outcome.CONNECTION_ERROR
        return outcome, outcome.value
    if elapsed > deadline:
        return Outcome.LATE, Outcome.LATE.value
    if 200 <= status < 300:
        return Outcome.ACKNOWLEDGED, None
    if 300 <= status < 400:
        outcome = Outcome.REDIRECTED
    elif 400 <= status < 500:
        outcome = Outcome.REJECTED
    else:
        outcome = Outcome.SERVER_ERROR
    return outcome, failure_name(outcome, status)


def failure_name(outcome: Outcome, status: int | None = None) -> str:
    """How a failure is named in Locust's statistics: the outcome, with the status when the
    receiver answered one (``rejected: 401``)."""
    return f"{outcome.value}: {status}" if status is not None else outcome.value


def outcome_of(name: str) -> str:
    """The outcome a failure's name starts with (``rejected`` for ``rejected: 401``)."""
    return name.partition(":")[0]


def _is_timeout(error: BaseException) -> bool:
    # socket.timeout is TimeoutError; gevent's Timeout is a BaseException of its own.
    return isinstance(error, TimeoutError) or type(error).__name__ == "Timeout"


def _is_parse_error(error: BaseException) -> bool:
    # geventhttpclient's HTTPParseError, http.client's and requests' bad status lines.
    return any(
        klass.__name__ in ("HTTPParseError", "BadStatusLine", "InvalidHeader", "ProtocolError")
        for klass in type(error).__mro__
    )


@dataclass
class Traffic:
    """The deliveries of one load-generating process, shared by its users.

    :param secret: the secret deliveries are signed with (Zoom's secret token, a GitHub
        webhook's secret, a Stripe endpoint's ``whsec_...``).
    :param provider: the provider whose deliveries these are (``"zoom"``, ``"github"``...).
    :param events: event name → weight; :func:`default_events` when empty.
    :param scenarios: ``(name, params)`` of the provider's scenarios users play; when given,
        users play them instead of the mix.
    :param recorded: (name, body) of recorded deliveries (:func:`recorded_deliveries`); when
        given, users play them, in their order, instead of the mix, each body byte for byte.
    :param pool: different bodies generated per event (or plays per scenario) before they are
        drawn again; 0 generates every one.
    :param seed: the generated values' seed (default: random, so that workers differ).
    """

    secret: str
    provider: str = "zoom"
    events: Mapping[str, int] = field(default_factory=dict)
    scenarios: Sequence[tuple[str, Mapping[str, Any]]] = ()
    recorded: Sequence[tuple[str, bytes]] = ()
    pool: int = DEFAULT_POOL
    seed: int | None = None

    def __post_init__(self) -> None:
        from ..providers import provider_class

        if not self.secret:
            raise ConfigurationError("the secret is empty")
        self._shift = 0.0
        cls: Any = provider_class(self.provider)
        self.sender: Provider = cls(
            **{cls.secret_option: self.secret}, seed=self.seed, clock=self._clock
        )
        self._zoom = self.sender.name == "zoom"
        weights = dict(self.events or default_events(self.sender))
        known = set(self.sender.event_names())
        for name in weights:
            if name not in known:
                raise _unknown(name, sorted(known), "event")
        self._names = list(weights)
        self._cumulative: list[int] = []
        total = 0
        for weight in weights.values():
            total += weight
            self._cumulative.append(total)
        self._bodies: dict[str, list[bytes]] = {name: [] for name in self._names}
        self._plays: dict[int, list[list[tuple[str, bytes]]]] = {}
        self._spans: dict[int, float] = {}
        self._random = random.Random(int.from_bytes(os.urandom(8), "little"))
        self._subscription: Subscription | None = None
        #: The events of pooled and recorded bodies, by body: another provider's requests are
        #: built from them (Zoom's from the body alone), without parsing a body again.
        self._events: dict[bytes, Event] = {}

    def _clock(self) -> float:
        return time.time() - self._shift

    @property
    def deadline(self) -> float:
        """The provider's deadline: a 2xx within it is acknowledged."""
        return self.sender.deadline

    @property
    def weights(self) -> dict[str, int]:
        """The event mix: name → weight."""
        previous = 0
        found = {}
        for name, cumulative in zip(self._names, self._cumulative, strict=True):
            found[name] = cumulative - previous
            previous = cumulative
        return found

    def draw(self) -> tuple[str, bytes]:
        """The next event of the mix: its name and body."""
        (name,) = self._random.choices(self._names, cum_weights=self._cumulative)
        bodies = self._bodies[name]
        if len(bodies) >= self.pool > 0:
            return name, bodies[self._random.randrange(len(bodies))]
        event = self.sender.fake(name)
        body = event.body
        if self.pool:
            bodies.append(body)
            if not self._zoom:
                self._remember(event)
        return name, body

    @property
    def plays(self) -> bool:
        """Whether users play sequences (scenarios, a recording) rather than draw from the mix."""
        return bool(self.scenarios or self.recorded)

    def play(self) -> list[tuple[str, bytes]]:
        """The events of one play: the recording, in its order; or a scenario (one of
        :attr:`scenarios`, at random), in the order the provider sends them, their times in the
        past: the scenario has just finished."""
        if self.recorded:
            return list(self.recorded)
        if not self.scenarios:
            raise ConfigurationError("nothing to play: give scenarios or a recording, or draw")
        index = self._random.randrange(len(self.scenarios))
        plays = self._plays.setdefault(index, [])
        if len(plays) >= self.pool > 0:
            return plays[self._random.randrange(len(plays))]
        name, params = self.scenarios[index]
        if index not in self._spans:
            due = [at for at, _ in self.sender.adapter.scenario_steps(name, **params)]
            self._spans[index] = max(due) - min(due) if due else 0.0
        self._shift = self._spans[index]
        try:
            events = [(event.name, event.body) for event in self.sender.scenario(name, **params)]
        finally:
            self._shift = 0.0
        if self.pool:
            plays.append(events)
        return events

    def request(self, name: str, body: bytes) -> tuple[dict[str, str], bytes]:
        """The headers and body of a delivery of *body* as event *name*, signed now, as the
        provider sends it (a new delivery id each time). The host and the content length are
        the HTTP client's to write."""
        if self._zoom:
            return self.headers(body), body
        event = self._events.get(body)
        if event is None:
            from ..generate.events import Event

            event = Event.from_body(body, name=name)
            if self.pool:  # a body of the pools or of the recording comes again
                self._remember(event)
        if self._subscription is None:
            from ..engine.subscription import Subscription
            from ..transports.targets import as_target

            # Never sent to: the HTTP client posts to the host Locust was given.
            target = as_target("http://receiver.invalid/")
            self._subscription = Subscription("load", "load", target, None)
        built = self.sender.adapter.build_request(
            event, self._subscription, sent_at=time.time(), timestamp=None
        )
        headers = {
            key: value
            for key, value in built.headers
            if key.lower() not in ("host", "content-length")
        }
        return headers, built.body

    def _remember(self, event: Event) -> None:
        if len(self._events) >= _REMEMBERED:
            self._events.clear()
        self._events[event.body] = event

    def headers(self, body: bytes) -> dict[str, str]:
        """Zoom's headers for *body*, signed now with a new request id (ZOOM.md §1, §8): what
        :meth:`request` gives for Zoom, built by hand, as this runs once per delivery."""
        timestamp = str(int(time.time()))
        bits = self._random.getrandbits(128)
        h = f"{bits:032x}"
        return {
            "user-agent": USER_AGENT,
            "content-type": "application/json; charset=utf-8",
            "x-zm-request-timestamp": timestamp,
            "x-zm-signature": sign(self.secret, timestamp, body),
            # A version 4 UUID written with underscores, as Zoom writes it (ZOOM.md §8).
            "x-zm-request-id": (
                f"{h[:8]}_{h[8:12]}_4{h[13:16]}_{'89ab'[(bits >> 60) & 3]}{h[17:20]}_{h[20:]}"
            ),
            "x-zm-trackingid": f"v=2.0;clid=us02;rid=WEB_{self._random.getrandbits(128):032x}",
            "traceparent": (
                f"00-{self._random.getrandbits(128):032x}-{self._random.getrandbits(64):016x}-02"
            ),
            "zm-trace-upstream": "Meeting_Web_marketplace-consumer",
        }
