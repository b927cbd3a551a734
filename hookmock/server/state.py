"""The mock server's state, without the network: the simulated provider it serves, the OAuth
tokens it issued, the files its events announced, what a provider's own subscription API knows
beyond the provider's subscriptions, and the JSON shapes of its answers.

:class:`ServerState` is what the control API (:mod:`hookmock.server.control`) and a provider's own
endpoints (its adapter's ``server_routes()``) work on; :class:`~hookmock.server.MockServer`
adds the socket and the thread. The server knows no provider: it is given the one it serves, and
what a provider adds to it (options, endpoints' set-up) comes with the provider
(:class:`ServerExtension`).
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import hmac
import json
import math
import secrets
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TextIO

from werkzeug.wrappers import Request, Response

from ..errors import ConfigurationError
from ..records.masking import mask_url, mask_urls, mask_value, redact
from .shapes import (
    DeliveryRecord,
    FaultRecord,
    JobRecord,
    NoticeRecord,
    ResponseRecord,
    SubscriptionRecord,
)

if TYPE_CHECKING:
    from ..engine.delivery import Delivery
    from ..engine.scheduler import Job
    from ..engine.simulator import Provider
    from ..engine.subscription import Subscription
    from ..engine.timeline import Notice
    from ..transports.wire import ConnectionPool

__all__ = [
    "CREATED_BY_API",
    "CREATED_OTHERWISE",
    "CREATED_SOURCES",
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "MAX_SUBSCRIPTIONS",
    "ApiError",
    "ServedFile",
    "ServerExtension",
    "ServerOption",
    "ServerState",
    "delivery_record",
    "extension_of",
    "json_response",
    "read_json",
    "subscription_record",
]

#: The OAuth client credentials the server accepts unless told otherwise.
DEFAULT_CLIENT_ID = "hookmock-client-id"
DEFAULT_CLIENT_SECRET = "hookmock-client-secret"
#: The most subscriptions the server keeps, whichever way they are made: a bound that keeps a
#: long-running server's work per event small.
MAX_SUBSCRIPTIONS = 20
#: Request bodies above this size are refused with 413.
DEFAULT_MAX_BODY_BYTES = 1024 * 1024
#: Seconds a request waits for another one that is driving the simulated provider (delivering).
BUSY_WAIT_SECONDS = 60.0
# A long-running `hookmock serve` forgets the oldest tokens and files beyond this many.
_MAX_ENTRIES = 10_000


class ApiError(Exception):
    """An answer in hookmock's error shape: ``{"status": <int>, "message": "...", ...}``, the
    HTTP status repeated in the body and a message that says what to fix.

    A provider's own endpoints answer in the provider's shape with a subclass that overrides
    :meth:`body`.

    :param extra: more fields of the body (``errors``: a list of ``{"field", "message"}``, one
        per problem; ``suggestions``: the closest known names).
    """

    def __init__(
        self,
        status: int,
        message: str,
        *,
        headers: Mapping[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})
        self.extra = extra

    def body(self) -> dict[str, Any]:
        """The JSON body of the answer."""
        return {"status": self.status, "message": self.message, **self.extra}

    def response(self) -> Response:
        return json_response(self.body(), self.status, headers=self.headers)


def json_response(
    value: Any, status: int = 200, *, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(
        _ENCODER.encode(value),
        status=status,
        headers=dict(headers) if headers else None,
        content_type="application/json; charset=utf-8",
    )


_ENCODER = json.JSONEncoder(ensure_ascii=False)


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON (JavaScript's NaN and Infinity have no JSON form)")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text} is beyond the range of a double")
    return value


def read_json(request: Request, *, default: Any = None) -> Any:
    """The request's body parsed as JSON; *default* for an empty body when given.

    :raises ApiError: 400 for an empty body (without *default*), bytes that are not UTF-8, or
        text that is not JSON; werkzeug's 413 for a body over the size limit.
    """
    raw = request.get_data(cache=True)
    if not raw.strip():
        if default is not None:
            return default
        raise ApiError(
            400, "the request has no body: send a JSON object (Content-Type: application/json)"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ApiError(
            400, f"the body is not UTF-8 (invalid byte at offset {error.start}): send UTF-8 JSON"
        ) from None
    try:
        value = json.loads(text, parse_constant=_no_constants, parse_float=_finite)
    except RecursionError:
        raise ApiError(400, "the body's JSON is nested too deeply to read") from None
    except ValueError as error:
        raise ApiError(
            400,
            f"the body is not JSON ({error}): send a JSON object with "
            "Content-Type: application/json",
        ) from None
    if b"\\u" not in raw:
        return value  # no escape, so no escaped surrogate: UTF-8 itself cannot carry one
    try:
        # JSON lets a string escape half a UTF-16 surrogate pair ("\ud800"), which no UTF-8
        # body, and so no event, can carry.
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as error:
        escape = f"\\u{ord(error.object[error.start]):04x}"
        raise ApiError(
            400,
            f"the body's JSON has an unpaired surrogate escape ({escape}) in a string: escape "
            "characters outside the BMP as a pair, or send them as UTF-8",
        ) from None
    return value


def iso(seconds: float | None) -> str | None:
    """Unix seconds as ``2024-07-11T13:44:15.858Z``; ``None`` when out of the calendar's range."""
    if seconds is None or not math.isfinite(seconds):
        return None
    # Split as datetime.fromtimestamp() splits it: microseconds rounded half to even.
    fraction, whole = math.modf(seconds)
    micro = round(fraction * 1e6)
    if micro >= 1_000_000:
        micro -= 1_000_000
        whole += 1
    elif micro < 0:
        micro += 1_000_000
        whole -= 1
    # The deliveries shown together fall in a few seconds: each second is written once.
    second = _ISO_SECONDS.get(whole)
    if second is None:
        try:
            moment = datetime.datetime.fromtimestamp(whole, datetime.UTC)
        except (OverflowError, OSError, ValueError):
            return None
        if len(_ISO_SECONDS) > 64:
            _ISO_SECONDS.clear()
        second = _ISO_SECONDS[whole] = moment.isoformat().replace("+00:00", "")
    return f"{second}.{micro // 1000:03d}Z"


_ISO_SECONDS: dict[float, str] = {}


@dataclass(frozen=True)
class AccessToken:
    """An OAuth access token the server issued; it expires on the provider's clock."""

    value: str = field(repr=False)
    grant: str
    account_id: str | None
    expires_at: float


@dataclass(frozen=True)
class ServedFile:
    """A file that a generated event announced by a URL pointing at the server, which the
    provider's own endpoints serve.

    :param kind: the file's type as the event declared it (``MP4``, ``VTT``...).
    :param token: the token that lets its announced URL be fetched, if the event carried one.
    :param issued_at: provider time when the event announced it.
    """

    id: str
    kind: str
    event: str
    token: str | None = field(repr=False)
    issued_at: float


#: A subscription's ``created_source``: made through the provider's own subscription API, or
#: otherwise (the control API, ``provider.subscribe``).
CREATED_BY_API = "openapi"
CREATED_OTHERWISE = "default"
CREATED_SOURCES = (CREATED_BY_API, CREATED_OTHERWISE)


@dataclass
class ApiDetails:
    """What a provider's own subscription API records beyond the provider's subscription."""

    created_source: str = CREATED_OTHERWISE
    subscription_scope: str = "user"
    account_id: str | None = None
    user_ids: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ServerOption:
    """A setting of a provider's own endpoints, which ``hookmock serve`` takes as an option
    and :class:`~hookmock.server.MockServer` as a keyword argument.

    :param flag: the command line's option (``--client-id``).
    :param keyword: the keyword argument of :class:`~hookmock.server.MockServer` it sets.
    :param help: the option's help, a phrase.
    :param env: the environment variable read when the option is not given, if any.
    :param default: what applies when neither is given, in words.
    """

    flag: str
    keyword: str
    help: str
    env: str | None = None
    default: str = "none"


@dataclass(frozen=True)
class ServerExtension:
    """What a provider adds to the mock server besides its endpoints
    (:meth:`~hookmock.engine.adapter.Adapter.server_routes`): a provider's adapter declares it
    with its ``server_extension`` class method; one without it adds nothing.

    :param options: the settings its endpoints take (:class:`ServerOption`).
    :param attach: called with the :class:`ServerState` when it starts serving the provider
        (to point the URLs of generated events at the server, say); returns what undoes it,
        called when the state serves another provider.
    :param endpoints: its endpoints in a phrase, for the control API's description
        (``"POST /oauth/token and ..."``).
    :param subscribe_hint: another way to subscribe a receiver, for messages
        (``"POST /v2/... with an access token"``).
    :param describe: a line about its endpoints on a running server, for ``hookmock serve``.
    """

    options: tuple[ServerOption, ...] = ()
    attach: Callable[[ServerState], Callable[[], None]] | None = None
    endpoints: str | None = None
    subscribe_hint: str | None = None
    describe: Callable[[ServerState], str] | None = None


#: What a provider without a ``server_extension`` adds: nothing.
NO_EXTENSION = ServerExtension()


def extension_of(provider: type[Provider] | Provider) -> ServerExtension:
    """What *provider* (a class or an instance) adds to the server: its adapter class's
    ``server_extension()``, or :data:`NO_EXTENSION`."""
    extension: ServerExtension | None = provider.adapter_class.server_extension()
    return NO_EXTENSION if extension is None else extension


class ServerState:
    """What the mock server serves: a simulated provider, and the state of the provider's own
    endpoints around it (OAuth tokens, announced files, subscription details).

    :param provider: the simulated provider to serve. :meth:`attach` swaps it.
    :param client_id: the OAuth client id the provider's token endpoint accepts, if it has one;
        by default the provider's ``client_id`` when it has one, else :data:`DEFAULT_CLIENT_ID`.
    :param client_secret: the OAuth client secret it accepts (:data:`DEFAULT_CLIENT_SECRET`).
    :param account_id: the account a grant must name; any when omitted.
    :param log: a text stream that receives every delivery attempt as one JSON line, flushed.
    :param echo: a text stream that receives one line per delivery attempt for a person (event,
        subscription, attempt, outcome, status, milliseconds): ``hookmock serve``'s stderr.
    :param max_body_bytes: request bodies above this size are refused with 413.
    """

    #: Where deliveries to the URLs subscribed through the server keep their idle connections
    #: (the running server's); ``None``: a new connection for each attempt.
    connections: ConnectionPool | None = None

    def __init__(
        self,
        provider: Provider,
        *,
        client_id: str | None = None,
        client_secret: str | None = None,
        account_id: str | None = None,
        log: TextIO | None = None,
        echo: TextIO | None = None,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    ) -> None:
        if (
            isinstance(max_body_bytes, bool)
            or not isinstance(max_body_bytes, int)
            or not 0 < max_body_bytes <= 2**31
        ):
            raise ConfigurationError(
                f"max_body_bytes must be a whole number of bytes from 1 to 2**31, got "
                f"{max_body_bytes!r}"
            )
        if provider is None:
            raise ConfigurationError(
                "the mock server needs the provider to serve: MockServer(provider), e.g. "
                "MockServer(StandardWebhooks(secret=...))"
            )
        #: Held by every request that drives the simulated provider (deliveries, the clock), one
        #: at a time; never by the requests a receiver makes while it handles a delivery (tokens,
        #: downloads, the log), so a receiver that downloads before it answers does not block.
        self.lock = threading.RLock()
        self._data_lock = threading.Lock()
        self._defaults = (client_id, client_secret, account_id)
        self.max_body_bytes = max_body_bytes
        self.base_url = "http://127.0.0.1"
        self._log = log
        self._echo = echo
        self._tokens: OrderedDict[str, AccessToken] = OrderedDict()
        self._files: OrderedDict[str, ServedFile] = OrderedDict()
        self._api: dict[str, ApiDetails] = {}
        self._provider: Provider | None = None
        self._detach: list[Callable[[], None]] = []
        self.attach(provider)

    @property
    def url(self) -> str:
        """The server's base URL, which the URLs the server puts in generated events start
        with."""
        return self.base_url

    def url_for(self, path: str) -> str:
        """The absolute URL of *path* on the server (``url_for("/oauth/token")``)."""
        return self.base_url + "/" + path.lstrip("/")

    @property
    def provider(self) -> Provider:
        """The simulated provider being served."""
        assert self._provider is not None
        return self._provider

    @property
    def extension(self) -> ServerExtension:
        """What the provider served adds to the server (:func:`extension_of`)."""
        return extension_of(self.provider)

    def attach(self, provider: Provider) -> None:
        """Serve *provider* from now on, with fresh server state: no tokens, no files, the
        configured OAuth credentials. The provider served before is let go."""
        with self.lock:
            previous = self._provider
            for undo in reversed(self._detach):
                undo()
            self._detach.clear()
            if previous is not None and previous.server is self:
                previous.server = None
            self._provider = provider
            self._detach.append(provider.deliveries.on_append(self._log_delivery))
            provider.server = self
            client_id, client_secret, account_id = self._defaults
            self.client_id = client_id or getattr(provider, "client_id", None) or DEFAULT_CLIENT_ID
            self.client_secret = client_secret or DEFAULT_CLIENT_SECRET
            self.account_id = account_id
            self._clear_data()
            attach = extension_of(provider).attach
            if attach is not None:
                self._detach.append(attach(self))

    def reset(self) -> None:
        """Forget every subscription, delivery, scheduled retry, scripted fault, notice, token
        and file; the provider, its seed and its clock stay."""
        with self.lock:
            provider = self.provider
            for subscription in list(provider.subscriptions):
                provider.unsubscribe(subscription)
            for job in provider.scheduler.pending():
                provider.scheduler.cancel(job)
            provider.deliveries.clear()
            provider.notices.clear()
            if self.connections is not None:
                self.connections.clear()
            faults(provider).clear()
            self._clear_data()

    def _clear_data(self) -> None:
        with self._data_lock:
            self._tokens.clear()
            self._files.clear()
            self._api.clear()

    @contextlib.contextmanager
    def driving(self) -> Iterator[Provider]:
        """Hold the simulated provider for one request that makes deliveries or moves its clock.

        :raises ApiError: 409 when another request holds it for longer than
            :data:`BUSY_WAIT_SECONDS`.
        """
        if not self.lock.acquire(timeout=BUSY_WAIT_SECONDS):
            raise ApiError(
                409,
                f"the simulated {self.provider.name} has been busy for {BUSY_WAIT_SECONDS:g} s "
                "with another request's deliveries: is a receiver calling this endpoint while it "
                "handles a delivery? Answer the delivery first",
            )
        try:
            yield self.provider
        finally:
            self.lock.release()

    # -- OAuth tokens ---------------------------------------------------------------------------

    def credentials_match(self, client_id: str, client_secret: str) -> bool:
        """Whether the pair is the configured client id and secret (constant-time)."""
        id_ok = hmac.compare_digest(client_id.encode(), self.client_id.encode())
        secret_ok = hmac.compare_digest(client_secret.encode(), self.client_secret.encode())
        return id_ok and secret_ok

    def issue_token(self, grant: str, account_id: str | None, *, lifetime: float) -> AccessToken:
        """A new access token, valid *lifetime* seconds of provider time."""
        token = AccessToken(
            secrets.token_urlsafe(32), grant, account_id, self.provider.clock() + lifetime
        )
        with self._data_lock:
            self._tokens[token.value] = token
            while len(self._tokens) > _MAX_ENTRIES:
                self._tokens.popitem(last=False)
        return token

    def find_token(self, value: str) -> AccessToken | None:
        with self._data_lock:
            return self._tokens.get(value)

    # -- files announced by events --------------------------------------------------------------

    def remember_file(self, file: ServedFile) -> None:
        """Keep *file* for the provider's endpoints to serve (the oldest are forgotten past
        ten thousand)."""
        with self._data_lock:
            self._files[file.id] = file
            while len(self._files) > _MAX_ENTRIES:
                self._files.popitem(last=False)

    def find_file(self, file_id: str) -> ServedFile | None:
        with self._data_lock:
            return self._files.get(file_id)

    # -- subscriptions made through the provider's own API --------------------------------------

    def details(self, subscription: Subscription) -> ApiDetails:
        with self._data_lock:
            return self._api.setdefault(subscription.id, ApiDetails())

    def receiver(self, url: str) -> Any:
        """What to subscribe for a receiver's *url* given to the server: a target that keeps
        its connections in :attr:`connections` when the server has them, else the URL."""
        if self.connections is None:
            return url
        from ..transports import HTTPTarget

        return HTTPTarget(url, connections=self.connections)

    def find_subscription(self, subscription_id: str) -> Subscription | None:
        return next((s for s in self.provider.subscriptions if s.id == subscription_id), None)

    # -- the live log ---------------------------------------------------------------------------

    def _log_delivery(self, delivery: Delivery) -> None:
        if self._echo is not None:
            try:
                self._echo.write(delivery_line(delivery) + "\n")
                self._echo.flush()
            except (OSError, ValueError):
                self._echo = None  # a closed terminal: the deliveries go on
        if self._log is None:
            return
        provider = self.provider
        record = delivery_record(delivery, provider.deliveries.total, provider.retry_delays)
        try:
            self._log.write(json.dumps(record, ensure_ascii=False) + "\n")
            self._log.flush()
        except (OSError, ValueError) as error:
            self._log = None
            print(f"hookmock serve: warning: the delivery log stopped: {error}", file=sys.stderr)


# -- JSON shapes --------------------------------------------------------------------------------

# Request and response bodies longer than this are cut in records (responses are already capped
# by the transport at 64 KiB).
_BODY_LIMIT = 256 * 1024


@functools.lru_cache(maxsize=256)
def _ordered(secrets: tuple[str, ...]) -> tuple[str, ...]:
    """A delivery's secrets as :func:`~hookmock.engine.report.redact` applies them, longest
    first (the log's deliveries share a few tuples of secrets: each is put in order once)."""
    return tuple(sorted((s for s in secrets if s), key=len, reverse=True))


def _hide(text: str, ordered: tuple[str, ...]) -> str:
    """:func:`~hookmock.engine.report.redact`, answering at once for a text without any secret
    in it."""
    for secret in ordered:
        if secret in text:
            return redact(text, ordered)
    return text


def _text(body: bytes, ordered: tuple[str, ...]) -> tuple[str, bool]:
    cut = len(body) > _BODY_LIMIT
    return _hide(body[:_BODY_LIMIT].decode("utf-8", "replace"), ordered), cut


def _headers(headers: tuple[tuple[str, str], ...], ordered: tuple[str, ...]) -> list[list[str]]:
    if not headers:
        return []
    names, values = zip(*headers, strict=True)
    masked = _masked_at(names)
    shown = list(values)
    for index in masked:
        shown[index] = mask_value(names[index], shown[index])
    # Most values carry no secret: they are looked through at once.
    joined = "\0".join(shown)
    if any(secret in joined for secret in ordered):
        shown = [_hide(value, ordered) for value in shown]
    return [[name, value] for name, value in zip(names, shown, strict=True)]


@functools.lru_cache(maxsize=256)
def _masked_at(names: tuple[str, ...]) -> tuple[int, ...]:
    """Where in a list of header *names* are the values :func:`mask_value` may change (each
    list of names is worked out once)."""
    return tuple(i for i, name in enumerate(names) if mask_value(name, "x") != "x")


def delivery_record(
    delivery: Delivery, index: int, retry_delays: Sequence[float] = ()
) -> DeliveryRecord:
    """One delivery attempt as JSON, with the signature and credentials masked and the secret
    token redacted: what the control API, the page and the ``--log`` file show.

    :param retry_delays: the provider's retry schedule, for ``retry_due`` (when the retry this
        attempt planned falls due, in provider time; ``None`` when it planned none).
    """
    d = delivery
    retry_due = None
    if (d.next_step or "").startswith("retry ") and 0 < d.attempt <= len(retry_delays):
        retry_due = d.sent_at + retry_delays[d.attempt - 1]
    hidden = _ordered(tuple(d.secrets))
    body, body_cut = _text(d.request.body, hidden)
    response: ResponseRecord | None = None
    if d.response is not None:
        text, _ = _text(d.response.body, hidden)
        response = {
            "status": d.response.status,
            "reason": d.response.reason,
            "headers": _headers(d.response.headers, hidden),
            "body": text,
            "truncated": d.response.truncated,
        }
    return {
        "index": index,
        "event": d.event.name,
        "subscription": d.subscription,
        "target": mask_urls(_hide(d.target, hidden)),
        "attempt": d.attempt,
        "chain": d.chain,
        "outcome": d.outcome.value,
        "acknowledged": d.acknowledged,
        "status": d.status,
        "sent_at": d.sent_at,
        "sent_at_iso": iso(d.sent_at),
        "elapsed_ms": round(d.elapsed * 1000, 3),
        "deadline_s": d.deadline,
        "next_step": d.next_step,
        "retry_due": retry_due,
        "retry_due_iso": iso(retry_due),
        "dropped": d.dropped,
        "error": mask_urls(_hide(d.error, hidden)) if d.error else None,
        "notes": [mask_urls(_hide(note, hidden)) for note in d.notes],
        "request": {
            "method": d.request.method,
            "url": mask_url(d.request.url),
            "headers": _headers(d.request.headers, hidden),
            "body": body,
            "truncated": body_cut,
        },
        "response": response,
    }


def subscription_record(subscription: Subscription, details: ApiDetails) -> SubscriptionRecord:
    """A subscription as the control API and the page show it."""
    return {
        "id": subscription.id,
        "name": subscription.name,
        "url": mask_url(subscription.url),
        "events": sorted(subscription.events) if subscription.events is not None else None,
        "active": subscription.active,
        "failures": subscription.failures,
        "validated_at": subscription.validated_at,
        "validated_at_iso": iso(subscription.validated_at),
        "created_source": details.created_source,
        "subscription_scope": details.subscription_scope,
        "account_id": details.account_id,
        "user_ids": list(details.user_ids),
    }


def job_record(job: Job, now: float) -> JobRecord:
    owner = getattr(job.owner, "name", None)
    return {
        "kind": job.kind,
        "subscription": owner if isinstance(owner, str) else None,
        "description": job.description,
        "due": job.due,
        "due_iso": iso(job.due),
        "in_seconds": round(job.due - now, 3),
    }


def faults(provider: Provider) -> Any:
    """The provider's queue of scripted network faults (``(kind, subscription or None)``)."""
    return provider._faults


def fault_records(provider: Provider) -> list[FaultRecord]:
    """The scripted faults still to happen, in order, one entry per attempt they will fail."""
    return [
        {"kind": kind, "subscription": to.name if to is not None else None}
        for kind, to in list(faults(provider))
    ]


def delivery_line(delivery: Delivery) -> str:
    """One delivery attempt on one line for a person: ``hookmock serve``'s stderr."""
    d = delivery
    status = "-" if d.status is None else str(d.status)
    line = (
        f"{iso(d.sent_at) or d.sent_at} {d.event.name} -> {d.subscription} "
        f"attempt {d.attempt}: {d.outcome.value} {status} in {d.elapsed * 1000:.1f} ms"
    )
    if d.next_step and not d.acknowledged:
        line += f" ({d.next_step})"
    return redact(line, d.secrets)


def notice_record(notice: Notice) -> NoticeRecord:
    return {
        "at": notice.at,
        "at_iso": iso(notice.at),
        "subscription": notice.subscription,
        "message": mask_urls(notice.message),
    }
