"""The simulated provider: subscriptions, sending, the delivery log.

:class:`Provider` is provider-neutral. What is particular to one provider (headers, signature,
URL validation, deadline, retries) is its adapter's (:class:`~hookmock.engine.adapter.Adapter`),
which it holds and asks; each of :mod:`hookmock.providers` is such an adapter and a thin class
(``Zoom``) that builds one.
"""

from __future__ import annotations

import importlib
import os
import random
from collections import deque
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import AuthenticationError, ConfigurationError, NotSubscribedError, OverrideError
from ..generate import catalog, fake
from ..generate.events import Event, zoom_bytes
from ..generate.profile import GenerationProfile
from ..records.exchange import Attempt, Request
from ..records.limits import DEFAULT_BACKGROUND_TIMEOUT, DETACHED_TASK_FAILED
from ..records.masking import mask_url, url_secrets
from ..records.outcome import Outcome
from .adapter import Adapter, AdapterAttribute
from .adapter import Route as Route
from .assertions import (
    assert_acknowledged_once,
    assert_all_acknowledged,
    assert_delivered,
    assert_delivered_in_order,
    assert_nothing_dropped,
)
from .delivery import Delivery, DeliveryLog
from .inprocess import InProcessLifecycle
from .overrides import ADD, KnownPaths, check_paths, unwrap
from .scheduler import ProviderClock, Scheduler
from .subscription import Subscription as Subscription
from .timeline import FAULTS, Notice, Timeline

if TYPE_CHECKING:
    from faker import Faker

    from .fuzzing import FuzzReport

__all__ = ["Provider", "Route", "Subscription", "register_signing"]

#: How each signing scheme's provider is made from an OpenAPI document, by scheme name; each
#: provider module registers its own (see :meth:`Provider.from_openapi`).
_SIGNINGS: dict[str, Callable[..., Provider]] = {}
#: The module that registers each of hookmock's own signing schemes.
_SIGNING_MODULES = {"standard-webhooks": "hookmock.providers.standard_webhooks"}


def register_signing(name: str, factory: Callable[..., Provider]) -> None:
    """Make ``Provider.from_openapi(source, signing=name, ...)`` call ``factory(source, ...)``."""
    _SIGNINGS[name] = factory


class Provider(InProcessLifecycle, Timeline):
    """A simulated webhook provider: the engine, and the adapter that says what is particular
    to one provider.

    :param adapter: the provider's :class:`~hookmock.engine.adapter.Adapter`; it serves this
        simulator only. A new one of :attr:`adapter_class` when omitted.

    The other settings are :class:`~hookmock.Zoom`'s.
    """

    #: The adapter class of the provider classes built on this one (``Zoom``'s is
    #: ``ZoomAdapter``): where the class facts below are read before an instance exists.
    adapter_class: type[Adapter] = Adapter
    #: The catalog's name, and the name used in messages.
    name = AdapterAttribute[str]()
    #: Seconds the provider waits for an answer unless told otherwise.
    default_deadline = AdapterAttribute[float]()
    #: The keyword argument that takes the signing secret, and the environment variable the
    #: command line and fixtures read it from.
    secret_option = AdapterAttribute[str]()
    secret_env = AdapterAttribute[str | None]()
    #: The provider's delays between attempts (see :attr:`Adapter.retry_delays`).
    retry_delays = AdapterAttribute[tuple[float, ...]]()
    #: Seconds between re-validations of a subscription; ``None``: never.
    revalidation_interval = AdapterAttribute[float | None]()
    #: The provider's kinds of values and consistency rules for generation.
    generation = AdapterAttribute[GenerationProfile]()
    #: The provider's name as its vendor writes it, if it says (``"Zoom"``).
    title = AdapterAttribute[str | None]()
    #: The headers that carry its signature, and the one that carries its signing timestamp.
    signature_headers = AdapterAttribute[tuple[str, ...]]()
    timestamp_header = AdapterAttribute[str | None]()
    #: The mock server (:mod:`hookmock.server`) serving this provider, if any; the server sets
    #: it when it attaches the provider.
    server: Any = None

    def __init__(
        self,
        *,
        adapter: Adapter | None = None,
        seed: int | None = None,
        deadline: float | None = None,
        clock: Callable[[], float] | ProviderClock | None = None,
        retries: bool = True,
        retry_timestamps: str = "fresh",
        timestamp_clock: str = "real",
        background_timeout: float | None = None,
        max_deliveries: int | None = None,
    ) -> None:
        if timestamp_clock not in ("real", "provider"):
            raise ConfigurationError(
                "timestamp_clock must be 'real' (signing timestamps read the receiver's clock) "
                f"or 'provider' (they read the provider's, advanced clock), got {timestamp_clock!r}"
            )
        self.timestamp_clock = timestamp_clock
        if seed is None:
            seed = random.SystemRandom().randrange(2**32)
        if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
            raise ConfigurationError(f"seed must be a non-negative integer, got {seed!r}")
        if adapter is None:
            if type(self).adapter_class is Adapter:
                raise ConfigurationError(
                    "a Provider needs an adapter, the object that says what is particular to "
                    "the provider: hookmock.Provider(adapter=MyAdapter(...)), where MyAdapter "
                    "subclasses hookmock.Adapter"
                )
            adapter = type(self).adapter_class()
        if not isinstance(adapter, Adapter):
            raise ConfigurationError(
                f"adapter must be a hookmock.Adapter, got {type(adapter).__name__}"
            )
        default = adapter.default_deadline
        deadline = default if deadline is None else float(deadline)
        # threading's waits overflow past TIMEOUT_MAX; a day is longer than any provider waits.
        if not 0 < deadline <= 86400:
            raise ConfigurationError(
                f"deadline must be a positive number of seconds, finite and at most 86400, got "
                f"{deadline} ({adapter.name}'s is {default:g})"
            )
        if retry_timestamps not in ("fresh", "original"):
            raise ConfigurationError(
                f"retry_timestamps must be 'fresh' (each retry signed anew) or 'original' "
                f"(retries keep the first attempt's timestamp and signature), got "
                f"{retry_timestamps!r}"
            )
        if background_timeout is None:
            background_timeout = DEFAULT_BACKGROUND_TIMEOUT
        if not background_timeout > 0:
            raise ConfigurationError(
                "background_timeout must be a positive number of seconds (how long an ASGI "
                f"application may work after its response), got {background_timeout}"
            )
        self.seed = seed
        self.deadline = deadline
        self.background_timeout = float(background_timeout)
        self._lifespans = {}
        self.clock = clock if isinstance(clock, ProviderClock) else ProviderClock(clock)
        self.scheduler = Scheduler(self.clock)
        self.retries = retries
        self.retry_timestamps = retry_timestamps
        self.deliveries = DeliveryLog(max_deliveries=max_deliveries)
        self.subscriptions: list[Subscription] = []
        self.notices: list[Notice] = []
        self._faults: deque[tuple[str, Subscription | None]] = deque()
        self._events = random.Random(seed)
        self._ids = random.Random(seed ^ 0x5EED)
        self._faker: Faker | None = None
        #: What is known of each event's sets of override paths (by event and paths, in order).
        self._known_paths: dict[tuple[str, ...], KnownPaths] = {}
        #: The dotted paths the field names given to :meth:`fake` stand for (by event and
        #: names, in order), what is known of them, and the field levels they were found at.
        self._field_places: dict[tuple[str, ...], KnownPaths] = {}
        #: Callbacks ``hook(event_name, data)`` that may change a generated body in place before
        #: it is validated and written to bytes (the mock server points download URLs at itself).
        self.generation_hooks: list[Callable[[str, Any], Any]] = []
        #: What is particular to this provider; bound to this simulator.
        self.adapter = adapter
        adapter.bind(self)

    @classmethod
    def from_openapi(
        cls, source: Any, *, signing: str = "standard-webhooks", **options: Any
    ) -> Provider:
        """A provider of the events of an OpenAPI 3.1 document's ``webhooks`` (a path, or the
        parsed document), signed and delivered as *signing* says.

        :param signing: the signing scheme and delivery rules: ``"standard-webhooks"``
            (:class:`~hookmock.StandardWebhooks`, whose options *options* are).
        :raises ConfigurationError: for an unknown scheme, or a document that cannot be read.
        """
        __tracebackhide__ = True
        if signing not in _SIGNINGS and signing in _SIGNING_MODULES:
            # A provider module registers its scheme when it is imported.
            importlib.import_module(_SIGNING_MODULES[signing])
        factory = _SIGNINGS.get(signing)
        if factory is None:
            known = ", ".join(sorted({*_SIGNINGS, *_SIGNING_MODULES}))
            raise ConfigurationError(f"unknown signing scheme {signing!r}; known: {known}")
        return factory(source, **options)

    @property
    def faker(self) -> Faker:
        """A ``faker.Faker`` seeded from this provider's seed, for a test's own values (a topic
        to override, a name to look up): the same seed gives the same values, so a failing test
        replays with its seed. faker is imported on first use; hookmock's own events draw from
        shipped value pools and never need it."""
        if self._faker is None:
            from faker import Faker

            self._faker = Faker()
            self._faker.seed_instance(self.seed)
        return self._faker

    # -- events ---------------------------------------------------------------------------------

    def event_names(self) -> tuple[str, ...]:
        """Every event name this provider's catalog knows."""
        return catalog.event_names(self._catalog_name())

    def _catalog_name(self) -> str:
        """The adapter's catalog name, its own catalog registered under it again if another
        took the name since (two documents of one file name, alive in one test)."""
        adapter = self.adapter
        own = adapter.catalog
        if own is not None and catalog.registered(adapter.name) is not own:
            catalog.register(adapter.name, own)
        return adapter.name

    def fake(
        self,
        event: str,
        overrides: Mapping[str, Any] | None = None,
        *,
        seed: int | None = None,
        validate: bool = True,
        serialization: str | None = None,
        now: float | None = None,
        full: bool = False,
        **fields: Any,
    ) -> Event:
        """Generate one event without sending it.

        :param overrides: dotted paths from the body's root to values
            (``{"payload.object.topic": "Q3"}``); :data:`hookmock.REMOVE` deletes a field.
            Each path must name a field of the event's schema; wrap a value in
            :class:`hookmock.ADD` to create a field the schema does not know.
        :param seed: this event's seed; drawn from the provider's seed when omitted.
        :param validate: check the override paths and the result against the event's schema
            when anything was overridden (generated values are valid by construction);
            ``False`` sends an invalid event, with any field names.
        :param serialization: how the body bytes are written (see :data:`hookmock.SERIALIZATIONS`);
            by default the provider's own form (its adapter's ``default_serialization``).
        :param now: when the event happens (Unix seconds): ``event_ts`` and the payload's times
            derive from it. By default, the time on the clock signing timestamps read
            (:meth:`event_time`), so that ``event_ts`` and ``x-zm-request-timestamp`` agree.
        :param full: every field the schema declares, also those real deliveries often leave out
            (by default they are there about as often as in real deliveries).
        :param fields: shorthand overrides by field name, looked up in ``payload.object``, then
            ``payload``, then the top level (``topic="Q3"``).
        :raises UnknownEventError: for a name the catalog does not know.
        :raises SchemaViolationError: for overrides that break the schema.
        :raises UnknownFieldError: for override paths the schema does not know (typos), with
            the closest valid paths.
        """
        adapter = self.adapter
        name = self._catalog_name()
        catalog.find_event(event, name)
        if seed is not None and (not isinstance(seed, int) or seed < 0):
            raise ConfigurationError(f"seed must be a non-negative integer, got {seed!r}")
        # The overrides: by dotted path, or (field names given alone) by name, in the order
        # of the paths known is of.
        paths: dict[str, Any] = dict(overrides or {})
        known: KnownPaths | None = None
        if fields:
            places = self._field_places.get((event, *fields))
            if (
                places is None
                or places.schema is not catalog.load_schema(event, name)
                or places.levels is not adapter.field_levels
            ):
                places = self._field_places_of(event, name, fields)
            if paths or places.split is None:
                paths.update(zip(places.paths, fields.values(), strict=False))
            else:
                paths, known = fields, places
        if paths:
            if known is None:
                known = self._paths_known(event, name, paths)
            for value in paths.values():
                if isinstance(value, ADD):
                    paths = dict(zip(known.paths, paths.values(), strict=False))
                    # Paths to create, with ADD values, are never checked.
                    if validate:
                        plain = {p: v for p, v in paths.items() if not isinstance(v, ADD)}
                        self._check_paths(event, self._paths_known(event, name, plain), plain)
                    paths = unwrap(paths)
                    known = self._paths_known(event, name, paths)
                    break
            else:
                if validate and not known.checked:
                    self._check_paths(
                        event, known, dict(zip(known.paths, paths.values(), strict=False))
                    )
        event_seed = self._events.getrandbits(63) if seed is None else seed
        when = self.event_time() if now is None else now
        data, overridden = fake.generate(
            event,
            seed=event_seed,
            now=when,
            overrides=paths,
            provider=name,
            full=full,
            profile=adapter.generation,
            split=None if known is None else known.split,
        )
        if type(adapter).cohere is not Adapter.cohere:
            adapter.cohere(event, data, seed=event_seed, now=when, overridden=overridden, full=full)
        if self.generation_hooks:
            for hook in tuple(self.generation_hooks):
                hook(event, data)
        if validate and overridden:
            # When no rule reads the fields overridden, nothing else changed the body, and each
            # value is one its field's schema accepts, judged alone (.overrides.leaf_check),
            # the event needs no validation of the whole.
            inputs = adapter.generation.rule_inputs
            if (
                inputs is None
                or self.generation_hooks
                or type(adapter).cohere is not Adapter.cohere
                or known is None
                or not (
                    known.settled[1](*paths.values())
                    if known.settled[0] is inputs
                    else known.alone(paths.values(), inputs, fake.REMOVE)
                )
            ):
                catalog.validate(event, data, name)
        if serialization is None:
            serialization = adapter.default_serialization
        if (
            serialization == "zoom"
            and not overridden
            and not self.generation_hooks
            and type(adapter).cohere.__module__.startswith("hookmock.")
        ):
            # Values hookmock's generation and rules made alone: JSON's own types only.
            return adapter.encode(Event(event, data, zoom_bytes(data), event_seed))
        return adapter.encode(
            Event.build(
                event, data, serialization=serialization, seed=event_seed, overridden=overridden
            )
        )

    def _paths_known(self, event: str, catalog_name: str, paths: Mapping[str, Any]) -> KnownPaths:
        """What is known of *event*'s override paths (those of *paths*, in order)."""
        schema = catalog.load_schema(event, catalog_name)
        key = (event, *paths)
        known = self._known_paths.get(key)
        if known is None or known.schema is not schema:
            if len(self._known_paths) > 4096:
                self._known_paths.clear()
            names = key[1:]
            known = self._known_paths[key] = KnownPaths(schema, names, fake.override_paths(names))
        return known

    def _check_paths(self, event: str, known: KnownPaths, paths: Mapping[str, Any]) -> None:
        """Check that each of *paths* (those *known* is of) names a field of the schema
        (:func:`.overrides.check_paths`), once for the same paths and schema."""
        if not known.checked:
            check_paths(event, known.schema, paths, fields_at=self.adapter.field_levels[0])
            known.checked = True

    def event_time(self) -> float:
        """When an event generated now happens: the time on the clock that signing timestamps
        read, so that a body's times and its signing timestamp agree after :meth:`advance`."""
        return self.clock() if self.timestamp_clock == "provider" else self.clock.real()

    def signing_timestamp(self, sent_at: float, timestamp: int | str | None = None) -> str:
        """The signing timestamp of an attempt made at *sent_at* (provider time), in whole Unix
        seconds: *timestamp* when given (a stale one, say), else the time on the clock that
        :attr:`timestamp_clock` names (``"real"``: the receiver's clock, without the time
        advanced; ``"provider"``: the provider's, advances included)."""
        if timestamp is None:
            timestamp = int(sent_at if self.timestamp_clock == "provider" else self.clock.real())
        return str(timestamp)

    def _field_places_of(
        self, event: str, catalog_name: str, fields: Mapping[str, Any]
    ) -> KnownPaths:
        """What is known of the dotted paths the field names *fields* stand for, in order;
        kept for the same names, schema and field levels (where a field name is found depends
        on these alone)."""
        schema = catalog.load_schema(event, catalog_name)
        field_levels = self.adapter.field_levels
        names = tuple(fields)
        places = tuple(self._field_path(event, schema, field_levels, name) for name in names)
        if len(self._field_places) > 4096:
            self._field_places.clear()
        known = KnownPaths(schema, places, fake.override_paths(places), field_levels)
        self._field_places[(event, *names)] = known
        return known

    @staticmethod
    def _field_path(
        event: str, schema: Mapping[str, Any], field_levels: Sequence[str], key: str
    ) -> str:
        levels = [
            (f"{level}." if level else "", tuple(level.split(".")) if level else ())
            for level in field_levels
        ]
        for prefix, steps in levels:
            node: Any = schema
            for step in steps:
                node = node.get("properties", {}).get(step, {})
            if key in node.get("properties", {}):
                return prefix + key
        places = [level or "the top level" for level in field_levels]
        where = " or ".join([", ".join(places[:-1]), places[-1]] if places[:-1] else places)
        node = schema
        for step in levels[0][1]:
            node = node.get("properties", {}).get(step, {})
        known = sorted(node.get("properties", {})) or sorted(schema.get("properties", {}))
        first = field_levels[0] or "the top level"
        raise OverrideError(
            f"{event!r} has no field {key!r} in {where}; "
            f"its {first} fields are: {', '.join(known) or 'none'}. "
            f"Use overrides={{'dotted.path': value}} to set any other field"
        )

    # -- subscriptions --------------------------------------------------------------------------

    def subscribe(
        self,
        target: Any,
        *,
        events: Collection[str] | None = None,
        path: str | None = None,
        name: str | None = None,
        auth: Any = None,
        lifespan: bool = False,
    ) -> Subscription:
        """Subscribe an endpoint and run the provider's URL validation against it.

        :param target: a URL, a WSGI or ASGI application, or a :class:`~hookmock.transports.Target`.
        :param events: the event names to deliver there; every event when omitted.
        :param path: for an in-process application, the path its webhook route listens on.
        :param auth: an authentication option of :mod:`hookmock.engine.auth` sent with every
            delivery.
        :param lifespan: for an ASGI application, run its lifespan startup first (once per
            application); :meth:`close` (the pytest fixture's teardown) runs its shutdown.
        :raises SubscriptionError: when the endpoint fails validation (nothing is subscribed).
        :raises LifespanError: when the application's lifespan startup fails.
        """
        # The arguments may hold secrets (a URL with a token, a secret token): pytest does not
        # show this frame, or its locals under --showlocals, in a failure's traceback.
        __tracebackhide__ = True
        if events is not None:
            if isinstance(events, str):
                events = [events]
            known = self._catalog_name()
            events = frozenset(catalog.find_event(e, known) for e in events)
        number = len(self.subscriptions) + 1
        resolved = self._resolve_target(target, path=path)
        if lifespan:
            self._start_lifespan(resolved)
        subscription = Subscription(
            id=self._new_id(22),
            name=name or f"subscription {number}",
            target=resolved,
            events=events,
            auth=auth,
        )
        self.adapter.validate_endpoint(subscription)
        self.subscriptions.append(subscription)
        self._schedule_revalidation(subscription, self.clock())
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        self.subscriptions.remove(subscription)
        subscription.active = False

    # -- sending --------------------------------------------------------------------------------

    def send(
        self,
        event: str | Event,
        overrides: Mapping[str, Any] | None = None,
        *,
        to: Subscription | None = None,
        validate: bool = True,
        serialization: str | None = None,
        headers: Mapping[str, str | None] | None = None,
        timestamp: int | str | None = None,
        **fields: Any,
    ) -> Delivery:
        """Generate (or take) one event and deliver it to the subscription that covers it.

        A failed attempt that the provider retries schedules the retry on the provider's clock
        (see :meth:`advance`, :meth:`run_until_idle`).

        :param event: an event name, or an :class:`~hookmock.Event` (its bytes are sent as-is).
        :param to: the subscription to deliver to; needed when several cover the event.
        :param headers: headers to replace or add; ``None`` as a value removes that header.
        :param timestamp: the signing timestamp to use instead of the clock's (a stale one, say).
        :returns: the recorded :class:`~hookmock.Delivery` of the first attempt, whatever the
            receiver did.
        :raises NotSubscribedError: when no subscription covers the event.
        """
        built = self._as_event(event, overrides, validate, serialization, fields)
        if to is None:
            to = self._only_subscription(built.name)
        elif not to.covers(built.name):
            raise NotSubscribedError(
                f"{to.name} → {mask_url(to.url)} does not cover {built.name!r}; "
                + (
                    f"it receives: {', '.join(sorted(to.events or ()))}"
                    if to.active
                    else "it is disabled"
                )
            )
        return self.deliver(built, to, headers=headers, timestamp=timestamp, retry=self.retries)

    def send_all(
        self,
        event: str | Event,
        overrides: Mapping[str, Any] | None = None,
        *,
        validate: bool = True,
        serialization: str | None = None,
        **fields: Any,
    ) -> list[Delivery]:
        """Deliver one event to every subscription that covers it, as the provider does."""
        built = self._as_event(event, overrides, validate, serialization, fields)
        targets = [s for s in self.subscriptions if s.covers(built.name)]
        if not targets:
            raise NotSubscribedError(self._not_covered(built.name))
        return [self.deliver(built, s, retry=self.retries) for s in targets]

    def send_batch(
        self,
        events: Sequence[str | Event],
        *,
        order: str = "given",
        concurrency: int = 1,
        to: Subscription | None = None,
    ) -> list[Delivery]:
        """Deliver several events: in the given order, reversed, or shuffled by the provider's
        seed; one at a time or from *concurrency* threads at once.

        :returns: the first attempt of each, in the order they were sent.
        """
        built = [self._as_event(e, None, True, "zoom", {}) for e in events]
        if order == "shuffled":
            random.Random(self._events.getrandbits(63)).shuffle(built)
        elif order == "reversed":
            built.reverse()
        elif order != "given":
            raise ConfigurationError(
                f"order must be 'given', 'reversed' or 'shuffled', got {order!r}"
            )
        if concurrency < 1:
            raise ConfigurationError(f"concurrency must be at least 1, got {concurrency}")
        if concurrency == 1:
            return [self.send(e, to=to) for e in built]
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            return list(pool.map(lambda e: self.send(e, to=to), built))

    def replay(
        self,
        records: str | os.PathLike[str] | Iterable[Any],
        *,
        to: Subscription | None = None,
        order: str = "recorded",
        events: Collection[str] | None = None,
    ) -> list[Delivery]:
        """Deliver recorded real deliveries again (a file written by ``hookmock record``, or
        its records): each body byte for byte, signed anew with this provider's secret and a
        fresh timestamp, by the provider's rules (deadline, retries, the delivery log).
        Requests that name no event (a tunnel's health check) are not replayed.

        :param records: the file's path, or :class:`~hookmock.records.traffic.CapturedDelivery`
            objects (or their parsed JSON lines).
        :param to: the subscription to deliver to; by default each event's one subscription.
        :param order: ``"recorded"`` (the file's), ``"time"`` (arrival), ``"event-time"``
            (the body's ``event_ts``), ``"reversed"`` or ``"shuffled"`` (by the seed).
        :param events: only the recorded events of these names.
        :returns: the first attempt of each, in the order sent.
        :raises RecordFileError: for a file that is not a recording (naming the line).
        :raises NotSubscribedError: when a recorded event is covered by no subscription
            (nothing is sent).
        """
        from .replay import replay

        return replay(self, records, to=to, order=order, events=events)

    # -- scenarios ------------------------------------------------------------------------------

    def scenario(self, name: str, **params: Any) -> list[Event]:
        """The events of one of the provider's coherent scenarios, in the order the provider
        sends them, without sending them (Zoom's ``"meeting"``, GitHub's ``"pull_request"``,
        Stripe's ``"subscription"``, Slack's ``"conversation"``...).

        :raises ConfigurationError: for an unknown scenario or parameter.
        """
        return [event for _, event in self.adapter.scenario_steps(name, **params)]

    def send_scenario(self, name: str, **params: Any) -> list[Delivery]:
        """Play a scenario: each event is delivered, at its time on the provider's clock, to
        every subscription that covers it (events nothing covers are skipped, as providers skip
        them). Retries of failed attempts that fall due on the way are made too.

        :returns: the first attempt of each delivered event, in order.
        :raises ConfigurationError: for an unknown scenario or parameter.
        :raises NotSubscribedError: when nothing is subscribed yet.
        """
        steps = self.adapter.scenario_steps(name, **params)
        if not self.subscriptions:
            raise NotSubscribedError(
                f"cannot play scenario {name!r}: nothing is subscribed yet; call "
                f"{self.adapter.name}.subscribe(app_or_url) first"
            )
        made: list[Delivery] = []
        for at, event in steps:
            self.scheduler.advance_to(at)
            for subscription in self.subscriptions:
                if subscription.covers(event.name):
                    made.append(self.deliver(event, subscription, retry=self.retries))
        return made

    async def asend_scenario(self, name: str, **params: Any) -> list[Delivery]:
        """:meth:`send_scenario` for async tests: an in-process ASGI application runs on the
        caller's event loop; nothing blocks it."""
        return await self._in_worker(self.send_scenario, name, **params)

    def resend(self, delivery: Delivery) -> Delivery:
        """Deliver the same event again to the same subscription: a duplicate, with the same
        bytes and a new request id, as the provider sends after a slow acknowledgement. For a
        provider whose resending is a redelivery by hand (GitHub's "Redeliver"), the same
        delivery again: the headers its adapter keeps (the delivery's id), the next attempt of
        the same chain, no retry."""
        subscription = self._subscription_named(delivery.subscription)
        kept = self.adapter.redelivery_headers(delivery)
        if kept is None:
            return self.deliver(delivery.event, subscription, retry=self.retries)
        return self.deliver(
            delivery.event,
            subscription,
            headers=kept,
            attempt=delivery.attempt + 1,
            chain=delivery.chain,
        )

    def _subscription_named(self, name: str) -> Subscription:
        for subscription in self.subscriptions:
            if subscription.name == name:
                return subscription
        raise NotSubscribedError(f"no subscription named {name!r} (was it removed?)")

    def _as_event(
        self,
        event: str | Event,
        overrides: Mapping[str, Any] | None,
        validate: bool,
        serialization: str | None,
        fields: Mapping[str, Any],
    ) -> Event:
        if isinstance(event, Event):
            if overrides or fields:
                raise OverrideError(
                    "overrides apply while generating; pass the event name instead of an Event"
                )
            return event
        return self.fake(event, overrides, validate=validate, serialization=serialization, **fields)

    def _only_subscription(self, event: str) -> Subscription:
        subscriptions = self.subscriptions
        if len(subscriptions) == 1 and subscriptions[0].covers(event):
            return subscriptions[0]
        covering = [s for s in subscriptions if s.covers(event)]
        if len(covering) == 1:
            return covering[0]
        if not covering:
            raise NotSubscribedError(self._not_covered(event))
        listed = "; ".join(f"{s.name} → {mask_url(s.url)}" for s in covering)
        raise NotSubscribedError(
            f"{event!r} is covered by {len(covering)} subscriptions ({listed}): "
            "pass to=<subscription> to pick one, or use send_all() to deliver to each"
        )

    def _not_covered(self, event: str) -> str:
        if not self.subscriptions:
            return (
                f"cannot send {event!r}: nothing is subscribed yet; call "
                f"{self.name}.subscribe(app_or_url, events=[{event!r}]) first"
            )

        def covers(s: Subscription) -> str:
            if not s.active:
                return "disabled"
            return ", ".join(sorted(s.events)) if s.events else "every event"

        listed = "\n".join(
            f"  {s.name} → {mask_url(s.url)}: {covers(s)}" for s in self.subscriptions
        )
        return f"no subscription covers {event!r}; subscriptions:\n{listed}"

    def deliver(
        self,
        event: Event,
        subscription: Subscription,
        *,
        headers: Mapping[str, str | None] | None = None,
        timestamp: int | str | None = None,
        attempt: int = 1,
        retry: bool = False,
        chain: str | None = None,
    ) -> Delivery:
        """Make one attempt to deliver *event*'s exact bytes to *subscription*, and record it.

        :param retry: schedule the provider's retries when the attempt fails.
        :param chain: the id shared by the attempts of one event to one subscription.
        """
        sent_at = self.clock()
        chain = chain or self._new_id(12)
        adapter = self.adapter
        request = adapter.build_request(event, subscription, sent_at=sent_at, timestamp=timestamp)
        if headers:
            request = _replace_headers(request, headers)
        fault = self._take_fault(subscription)
        if fault is not None:
            outcome, reason = FAULTS[fault]
            elapsed = self.deadline if outcome is Outcome.TIMEOUT else 0.0
            result = Attempt(None, elapsed, reason, outcome)
        else:
            try:
                request = self.authenticate(request, subscription, sent_at)
            except AuthenticationError as error:
                result = Attempt(None, 0.0, str(error), Outcome.AUTH_ERROR)
            else:
                result = subscription.target.send(request, deadline=self.deadline)
        # Every field given in order, without keywords: matching seventeen keywords to
        # parameters costs more than the rest of the call.
        delivery = Delivery(
            event,
            request,
            result.response,
            result.elapsed,
            adapter.judge(result),  # outcome
            self.deadline,
            sent_at,
            subscription.target.describe(),  # target
            subscription.name,
            result.error,
            attempt,
            None,  # _notes
            (  # secrets
                adapter.secrets()
                + (subscription.auth.secrets() if subscription.auth else ())
                + url_secrets(subscription.url)
            ),
            chain,
            None,  # next_step
            False,  # dropped
            result.after_response_error,
        )
        if result.after_response_error:
            delivery.notes.append(_after_response_note(result.after_response_error))
        if retry:
            self._plan_next(delivery, subscription)
        # Recorded once complete (next step included), for the log's listeners.
        self.deliveries.append(delivery)
        return delivery

    def authenticate(self, request: Request, subscription: Subscription, now: float) -> Request:
        """Add the subscription's authentication headers (see :mod:`hookmock.engine.auth`)."""
        if subscription.auth is None:
            return request
        extra = subscription.auth.headers(self, subscription, now)
        return _replace_headers(request, extra) if extra else request

    @property
    def secret(self) -> str:
        """The secret deliveries are signed with (the first, when there are several)."""
        return self.adapter.secret

    def _new_id(self, length: int) -> str:
        # One byte drawn per character, mapped onto the 64 URL-safe characters: uniform.
        raw = self._ids.getrandbits(8 * length).to_bytes(length, "little")
        return raw.translate(_ID_CHARACTERS).decode("ascii")

    def fuzz(
        self,
        target: Any,
        *,
        events: str | Sequence[str] | None = None,
        max_examples: int = 100,
        seed: int | None = None,
        path: str | None = None,
        overrides: Mapping[str, Any] | None = None,
    ) -> FuzzReport:
        """Deliver schema-valid variations of *events*, drawn and shrunk by Hypothesis, and
        report those the receiver did not acknowledge in time (see :mod:`hookmock.engine.fuzzing`).

        :param target: a subscription, or a URL or application (delivered to without URL
            validation).
        :param events: the event names; a subscription's own events when omitted.
        :param seed: Hypothesis's seed; the provider's seed when omitted.
        :param overrides: dotted paths pinned to values or strategies (not varied).

        The delivery log keeps the unchanged event of each name, sent first, and the shrunk
        delivery of each failure; the report counts every delivery made.
        """
        from .fuzzing import fuzz

        self._catalog_name()
        if not isinstance(target, Subscription):
            target = Subscription(
                "fuzzing", "fuzzing", self._resolve_target(target, path=path), None
            )
        return fuzz(
            self, target, events=events, max_examples=max_examples, seed=seed, overrides=overrides
        )

    # -- the log --------------------------------------------------------------------------------

    def clear(self) -> None:
        """Forget every delivery (subscriptions stay)."""
        self.deliveries.clear()

    def assert_delivered(
        self, event: str, *, count: int = 1, outcome: Outcome | None = Outcome.ACKNOWLEDGED
    ) -> None:
        """Assert exactly *count* deliveries of *event* ended with *outcome* (``None``: any)."""
        __tracebackhide__ = True
        assert_delivered(self.deliveries, event, count=count, outcome=outcome)

    def assert_acknowledged_once(self, event: str | None = None) -> None:
        """Assert each event sent (by :meth:`send` and its kin) was acknowledged exactly once,
        counting retries and duplicates."""
        __tracebackhide__ = True
        assert_acknowledged_once(self.deliveries, event)

    def assert_nothing_dropped(self) -> None:
        """Assert the provider gave up on no event."""
        __tracebackhide__ = True
        assert_nothing_dropped(self.deliveries)

    def assert_delivered_in_order(self, *events: str) -> None:
        """Assert the first acknowledged deliveries of *events* came in that order."""
        __tracebackhide__ = True
        assert_delivered_in_order(self.deliveries, events)

    def assert_all_acknowledged(self) -> None:
        """Assert every delivery so far was acknowledged."""
        __tracebackhide__ = True
        assert_all_acknowledged(self.deliveries)


_ID_CHARACTERS = bytes(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[i % 64] for i in range(256)
)


def _after_response_note(error: str) -> str:
    lines = error.strip().splitlines()
    if len(lines) == 1:
        return lines[0]
    if error.startswith(DETACHED_TASK_FAILED):
        return (
            f"after its response, a task the application started and did not await raised "
            f"{lines[-1].strip()}; the traceback is in delivery.after_response_error"
        )
    return (
        f"after its response the application raised {lines[-1].strip()} (a background task?); "
        "the traceback is in delivery.after_response_error"
    )


def _replace_headers(request: Request, changes: Mapping[str, str | None]) -> Request:
    lowered = {name.lower(): value for name, value in changes.items()}
    kept: list[tuple[str, str]] = []
    for name, value in request.headers:
        key = name.lower()
        if key in lowered:
            new = lowered.pop(key)
            if new is not None:
                kept.append((name, new))
        else:
            kept.append((name, value))
    kept += [(name, value) for name, value in lowered.items() if value is not None]
    return Request(request.method, request.url, tuple(kept), request.body)
