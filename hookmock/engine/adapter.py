"""The provider adapter: everything particular to one webhook provider, in one object.

The engine (:class:`~hookmock.engine.simulator.Provider`: generation, the clock, delivery,
retries, records, assertions) knows no provider. It holds an :class:`Adapter` and asks it, and
only it, what one provider does: its catalog and body form, its request headers and signature,
its subscription handshake, its deadline and retry policy, its secrets, its battery and its
endpoints on the mock server. A provider of one's own is an adapter, given to the engine::

    provider = hookmock.Provider(adapter=MyAdapter(secret="..."), seed=1)

The class facts (:attr:`Adapter.name`, :attr:`~Adapter.retry_delays`...) are read from the
adapter instance, so an adapter may set them per instance (a Standard Webhooks sender takes its
name from its document). The hooks have defaults where one makes sense; :meth:`build_request`
has none.

An adapter serves one simulator: the engine binds it once (:meth:`Adapter.bind`), and the
hooks that need the engine (to sign with its clock, to draw from its seed, to send a handshake
through it) reach it as :attr:`Adapter.sim`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, overload

from ..errors import ConfigurationError
from ..generate.profile import NEUTRAL, GenerationProfile
from ..records.outcome import Outcome

if TYPE_CHECKING:
    from ..generate.catalog import Catalog
    from ..generate.events import Event
    from ..records.exchange import Attempt, Request
    from .delivery import Delivery
    from .subscription import Subscription

__all__ = ["Adapter", "AdapterAttribute", "Route", "Simulator"]

T = TypeVar("T")

#: One endpoint of a provider on the mock server: its path (werkzeug's rule syntax), its methods
#: and its handler (see :meth:`Adapter.server_routes`).
Route = tuple[str, tuple[str, ...], Callable[..., Any]]


class Simulator(Protocol):
    """What an adapter may use of the simulator it is bound to (a
    :class:`~hookmock.engine.simulator.Provider`)."""

    #: The seed every generated value derives from.
    seed: int
    #: Seconds the simulator waits for an answer.
    deadline: float

    def signing_timestamp(self, sent_at: float, timestamp: int | str | None = None) -> str: ...

    def fake(
        self,
        event: str,
        overrides: Mapping[str, Any] | None = None,
        *,
        now: float | None = None,
        **fields: Any,
    ) -> Event: ...

    def event_time(self) -> float: ...

    def deliver(self, event: Event, subscription: Subscription) -> Delivery: ...

    def event_names(self) -> tuple[str, ...]: ...


class Adapter:
    """What is particular to one webhook provider. Subclass it, set the facts and write
    :meth:`build_request`; every other hook has a default that suits a provider without it."""

    # -- facts ----------------------------------------------------------------------------------

    #: The catalog's name (the folder of ``schemas/`` or a name :func:`catalog.register` knows)
    #: and the provider's name in messages.
    name = "provider"
    #: The provider's name as its vendor writes it (``"Zoom"``), for messages and the mock
    #: server's descriptions; ``None``: :attr:`name`.
    title: str | None = None
    #: The provider's events, when they are not one of hookmock's own catalogs: the engine
    #: registers it under :attr:`name` (again, when another catalog took that name since) before
    #: it looks an event up.
    catalog: Catalog | None = None
    #: Seconds the provider waits for an answer.
    default_deadline = 3.0
    #: The keyword argument that takes the signing secret, and the environment variable the
    #: command line and fixtures read it from.
    secret_option = "secret"
    secret_env: str | None = None
    #: Where a field given by name to :meth:`Provider.fake` is looked for, in order: dotted
    #: paths from the body's root (``""`` is the root itself).
    field_levels: tuple[str, ...] = ("",)
    #: How event bodies are written when no serialization is asked for: the provider's own
    #: byte form (see :data:`hookmock.SERIALIZATIONS`).
    default_serialization = "zoom"
    #: The provider's kinds of values and consistency rules for generation
    #: (:mod:`hookmock.generate.profile`); the provider-neutral ones by default.
    generation: GenerationProfile = NEUTRAL
    #: Delays between attempts: retry *n* comes ``retry_delays[n - 1]`` seconds after attempt *n*.
    retry_delays: tuple[float, ...] = ()
    #: Seconds between re-validations of a subscription (its handshake again); ``None``: never.
    revalidation_interval: float | None = None
    #: Consecutive failed re-validations after which the owner is warned.
    revalidation_warnings: tuple[int, ...] = ()
    #: Consecutive failed re-validations after which the subscription is disabled.
    revalidation_limit: int | None = None
    #: Headers that carry the signature: kept as they were when retries reuse the original.
    signature_headers: tuple[str, ...] = ()
    #: Headers every retry keeps from the first attempt (a request id that marks it a retry).
    retry_headers: tuple[str, ...] = ()
    #: The header that carries the signing timestamp, kept by retries when ``retry_timestamps``
    #: is ``"original"``.
    timestamp_header: str | None = None

    _sim: Simulator | None = None

    # -- the simulator --------------------------------------------------------------------------

    def bind(self, sim: Simulator) -> None:
        """Serve *sim*; called once, by the simulator's constructor, after its seed is set.
        An adapter that draws seeded values of its own (header ids) starts drawing here.

        :raises ConfigurationError: when the adapter already serves another simulator.
        """
        if self._sim is not None and self._sim is not sim:
            raise ConfigurationError(
                f"this {type(self).__name__} already serves another simulator; make one "
                "adapter per simulator"
            )
        self._sim = sim

    @property
    def sim(self) -> Simulator:
        """The simulator this adapter serves.

        :raises ConfigurationError: before :meth:`bind`.
        """
        if self._sim is None:
            raise ConfigurationError(
                f"this {type(self).__name__} serves no simulator yet: pass it to "
                "hookmock.Provider(adapter=...)"
            )
        return self._sim

    # -- secrets --------------------------------------------------------------------------------

    @property
    def secret(self) -> str:
        """The secret deliveries are signed with (the first, when there are several)."""
        raise ConfigurationError(f"{self.name} signs with no secret")

    def secrets(self) -> tuple[str, ...]:
        """Every value that must never appear in output (secrets, tokens, and any form of them
        a receiver may echo). Deliveries mask them in everything they print."""
        return ()

    @classmethod
    def signer(cls, secrets: Sequence[str]) -> Callable[[bytes, int | None], dict[str, str]]:
        """A function ``sign(body, timestamp)`` that gives the headers this provider signs
        *body* with (``timestamp``: Unix seconds, ``None`` for now), for signing by hand
        (``hookmock sign``). A class method: the command line signs without a simulator. The
        secrets are checked at once.

        :raises ConfigurationError: for a secret the provider cannot sign with.
        """
        raise ConfigurationError(f"hookmock cannot sign a body by hand for {cls.name}")

    # -- events ---------------------------------------------------------------------------------

    def cohere(
        self,
        event: str,
        data: Any,
        *,
        seed: int,
        now: float,
        overridden: frozenset[str],
        full: bool = False,
    ) -> None:
        """Make a generated body consistent where a schema cannot say how (ids that refer to
        each other, times that follow the event's), in place, before it is written once.
        Nothing by default; fields in *overridden* are the user's and must be left as given.

        :param seed: the event's seed, for any value drawn here.
        :param now: when the event happens (Unix seconds).
        :param full: every field the schema declares was asked for.
        """

    def encode(self, event: Event) -> Event:
        """The event as the provider puts it on the wire, from the event written in
        :attr:`default_serialization` (or the form asked for): *event* itself by default. A
        provider that posts some events in another form (a form-encoded body) returns a new
        :class:`~hookmock.Event` with those bytes."""
        return event

    # -- delivery -------------------------------------------------------------------------------

    def build_request(
        self,
        event: Event,
        subscription: Subscription,
        *,
        sent_at: float,
        timestamp: int | str | None = None,
    ) -> Request:
        """The provider's request for *event* to *subscription*: method, URL, headers (the
        signature included) and the body bytes, which are *event*'s bytes or a form of them
        made without re-serializing the JSON.

        :param sent_at: when the attempt is made (provider time).
        :param timestamp: the signing timestamp to sign with instead of the clock's; see
            :meth:`Provider.signing_timestamp`, which gives the one to use either way.
        """
        raise NotImplementedError(f"{type(self).__name__} must say how a request is made")

    def validate_endpoint(self, subscription: Subscription) -> Delivery | None:
        """Run the provider's subscription handshake against *subscription* (sent through the
        simulator's :meth:`~Provider.deliver`), set ``subscription.validated_at`` when it
        succeeds, and return its delivery; ``None`` for a provider without a handshake (the
        default). Called when an endpoint is subscribed and at each re-validation.

        :raises SubscriptionError: when the receiver fails it, with what was expected and a hint.
        """
        return None

    def judge(self, attempt: Attempt) -> Outcome:
        """The provider's verdict on one attempt: the transport's outcome for a failure, else
        the answer's class; an answer after the simulator's deadline is late."""
        if attempt.outcome is not None:
            return attempt.outcome
        assert attempt.response is not None
        status = attempt.response.status
        if attempt.elapsed > self.sim.deadline:
            return Outcome.LATE
        if 200 <= status < 300:
            return Outcome.ACKNOWLEDGED
        if 300 <= status < 400:
            return Outcome.REDIRECTED
        if 400 <= status < 500:
            return Outcome.REJECTED
        return Outcome.SERVER_ERROR

    def retryable(self, outcome: Outcome) -> bool:
        """Whether the provider retries an attempt that ended so (on :attr:`retry_delays`).
        Nothing by default."""
        return False

    def final_step(self, delivery: Delivery) -> str | None:
        """Why the provider makes no retry after *delivery*, a failed attempt whose outcome it
        retries (an answer that asks it not to, an event it never retries); ``None`` (the
        default): it retries on its schedule."""
        return None

    def retry_request_headers(self, failed: Delivery) -> dict[str, str]:
        """Headers the retry that follows the failed attempt *failed* carries (its number, why
        it is made), besides those :attr:`retry_headers` keeps. None by default."""
        return {}

    def redelivery_headers(self, delivery: Delivery) -> dict[str, str | None] | None:
        """How :meth:`Provider.resend` sends *delivery* again. ``None`` (the default): as a
        duplicate, a new message with new ids, retried on the schedule. Headers: as the same
        delivery made again by hand (GitHub's "Redeliver"), carrying those headers as they were
        (the delivery's id), counted as the next attempt of its chain, not retried."""
        return None

    # -- scenarios ------------------------------------------------------------------------------

    def scenarios(self) -> Mapping[str, tuple[str, Mapping[str, Any]]]:
        """The provider's scenarios by name, each with what it plays and its parameters'
        defaults (``hookmock scenario --list``). None by default."""
        return {}

    def scenario_steps(self, name: str, **params: Any) -> Sequence[tuple[float, Event]]:
        """The events of the provider's scenario *name*, each with the time it is due (provider
        time, Unix seconds), for :meth:`Provider.scenario` and :meth:`Provider.send_scenario`.

        :raises ConfigurationError: for an unknown scenario or parameter; the default knows no
            scenario.
        """
        raise ConfigurationError(
            f"hookmock has no scenarios for {self.title or self.name}; send its events one by "
            "one with send()"
        )

    # -- the battery and the mock server --------------------------------------------------------

    def conformance_suite(self) -> Any:
        """The provider's conformance battery, a :class:`hookmock.conformance.base.Suite`.

        :raises NotImplementedError: for a provider without one (the default).
        """
        raise NotImplementedError(f"hookmock has no conformance battery for {self.name}")

    @classmethod
    def server_extension(cls) -> Any:
        """What the provider adds to the mock server besides its endpoints, a
        :class:`hookmock.server.state.ServerExtension` (its options, what it does when the
        server attaches it); ``None`` (the default): nothing. A class method: ``hookmock serve``
        reads its options before any simulator is made."""
        return None

    def server_routes(self) -> Sequence[Route]:
        """The provider's own endpoints on the mock server (:mod:`hookmock.server`), as
        ``(path, methods, handler)``; the server calls ``handler(state, request, **arguments)``
        with its state, the werkzeug request and the path's variables. None by default: the
        server still serves its control API and its page."""
        return ()


class AdapterAttribute(Generic[T]):
    """An attribute of a simulator that is its adapter's: read (and set) on the adapter of an
    instance, and read on the ``adapter_class`` of a class (``Zoom.name``, before any Zoom is
    made). What is said once, on the adapter, is not written again on the simulator."""

    __slots__ = ("attribute", "doc")

    def __init__(self, doc: str = "") -> None:
        self.attribute = ""
        self.doc = doc

    def __set_name__(self, owner: type, name: str) -> None:
        self.attribute = name

    @overload
    def __get__(self, obj: None, owner: type) -> T: ...
    @overload
    def __get__(self, obj: object, owner: type | None = None) -> T: ...
    def __get__(self, obj: object, owner: type | None = None) -> T:
        if obj is None:
            value: T = getattr(owner.adapter_class, self.attribute)  # type: ignore[union-attr]
            return value
        found: T = getattr(obj.adapter, self.attribute)  # type: ignore[attr-defined]
        return found

    def __set__(self, obj: object, value: T) -> None:
        setattr(obj.adapter, self.attribute, value)  # type: ignore[attr-defined]
