"""The mock Zoom server's state, without the network: the simulated Zoom it serves, the OAuth
tokens it issued, the recording files its events announced, what Zoom's subscription API knows
beyond the provider's subscriptions, and the JSON shapes of its answers.

:class:`ServerState` is what the endpoints of :mod:`hookmock.providers.zoom.server` and
:mod:`hookmock.server.control` work on; :class:`~hookmock.server.MockZoomServer` adds the socket
and the thread.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import hmac
import importlib
import json
import math
import re
import secrets
import sys
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
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

__all__ = [
    "ACCESS_TOKEN_SECONDS",
    "CREATED_BY_API",
    "CREATED_OTHERWISE",
    "CREATED_SOURCES",
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "DEFAULT_PROVIDER",
    "DOWNLOAD_TOKEN_SECONDS",
    "MAX_SUBSCRIPTIONS",
    "ApiError",
    "ServerState",
    "default_provider_class",
    "delivery_record",
    "json_response",
    "read_json",
    "subscription_record",
]

#: The provider the server serves when it is given none, as ``module:Class`` (the form of
#: :data:`hookmock.providers.PROVIDERS`). Looked up by name when it is needed: the server takes
#: what it serves from the provider object and imports no provider module.
DEFAULT_PROVIDER = "hookmock.providers.zoom:Zoom"
#: The OAuth client credentials the server accepts unless told otherwise.
DEFAULT_CLIENT_ID = "hookmock-client-id"
DEFAULT_CLIENT_SECRET = "hookmock-client-secret"
#: ZOOM.md §5: access tokens come with ``expires_in`` 3599 (seconds).
ACCESS_TOKEN_SECONDS = 3599
#: ZOOM.md §6: a recording event's ``download_token`` is valid for 24 hours.
DOWNLOAD_TOKEN_SECONDS = 24 * 3600
#: ZOOM.md §3: an app has at most 20 event subscriptions.
MAX_SUBSCRIPTIONS = 20
#: Request bodies above this size are refused with 413.
DEFAULT_MAX_BODY_BYTES = 1024 * 1024
#: Seconds a request waits for another one that is driving the simulated Zoom (delivering).
BUSY_WAIT_SECONDS = 60.0
# A long-running `hookmock serve` forgets the oldest tokens and files beyond this many.
_MAX_ENTRIES = 10_000
# Where generated events point for a download (fake.py: https://us05web.zoom.us/rec/download/…,
# or /rec/webhook_download/… as recording events do).
_ZOOM_DOWNLOAD = re.compile(
    r"^https://[A-Za-z0-9.-]*zoom\.us/rec/(?:webhook_)?download/([A-Za-z0-9_.~-]+)$"
)


class ApiError(Exception):
    """An answer in Zoom's error shape: ``{"code": <int>, "message": "...", ...}``.

    :param code: Zoom's error code where Zoom documents one (124: invalid access token; 300:
        validation failed; 3301: no such recording); the HTTP status otherwise.
    :param extra: more fields of the body (``errors``, ``suggestions``...).
    """

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: int | None = None,
        headers: Mapping[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = status if code is None else code
        self.message = message
        self.headers = dict(headers or {})
        self.extra = extra

    def response(self) -> Response:
        body = {"code": self.code, "message": self.message, **self.extra}
        return json_response(body, self.status, headers=self.headers)


def json_response(
    value: Any, status: int = 200, *, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(
        json.dumps(value, ensure_ascii=False),
        status=status,
        headers=dict(headers) if headers else None,
        content_type="application/json; charset=utf-8",
    )


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
    if seconds is None:
        return None
    try:
        moment = datetime.datetime.fromtimestamp(seconds, datetime.UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class AccessToken:
    """An OAuth access token the server issued; it expires on the provider's clock."""

    value: str = field(repr=False)
    grant: str
    account_id: str | None
    expires_at: float


@dataclass(frozen=True)
class RecordingFile:
    """A file that a generated event announced by a ``download_url`` pointing at the server."""

    id: str
    file_type: str
    event: str
    download_token: str | None = field(repr=False)
    issued_at: float


#: A subscription's ``created_source``: made through Zoom's event subscription API, or otherwise
#: (``zoom.subscribe``, the app's settings).
CREATED_BY_API = "openapi"
CREATED_OTHERWISE = "default"
CREATED_SOURCES = (CREATED_BY_API, CREATED_OTHERWISE)


@dataclass
class ApiDetails:
    """What Zoom's event subscription API records beyond the provider's subscription."""

    created_source: str = CREATED_OTHERWISE
    subscription_scope: str = "user"
    account_id: str | None = None
    user_ids: list[str] = field(default_factory=list)


def default_provider_class() -> type[Provider]:
    """The class of the provider served when none is given (:data:`DEFAULT_PROVIDER`)."""
    module, _, name = DEFAULT_PROVIDER.partition(":")
    cls: type[Provider] = getattr(importlib.import_module(module), name)
    return cls


class ServerState:
    """What the mock Zoom server serves: a simulated :class:`~hookmock.Zoom`, and the state of
    Zoom's own endpoints around it.

    :param zoom: the simulated provider to serve; a new one of :data:`DEFAULT_PROVIDER` (Zoom,
        with a random secret token) when omitted.
    :param client_id: the OAuth client id ``POST /oauth/token`` accepts; by default the Zoom's
        ``client_id`` when it has one, else :data:`DEFAULT_CLIENT_ID`.
    :param client_secret: the OAuth client secret it accepts (:data:`DEFAULT_CLIENT_SECRET`).
    :param account_id: the account ``grant_type=account_credentials`` must name; any when omitted.
    :param log: a text stream that receives every delivery attempt as one JSON line, flushed.
    :param echo: a text stream that receives one line per delivery attempt for a person (event,
        subscription, attempt, outcome, status, milliseconds): ``hookmock serve``'s stderr.
    :param max_body_bytes: request bodies above this size are refused with 413.
    """

    def __init__(
        self,
        zoom: Provider | None = None,
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
        if zoom is None:
            zoom = default_provider_class()()
        #: Held by every request that drives the simulated Zoom (deliveries, the clock), one at a
        #: time; never by the requests a receiver makes while it handles a delivery (tokens,
        #: downloads, the log), so a receiver that downloads before it answers does not block.
        self.lock = threading.RLock()
        self._data_lock = threading.Lock()
        self._defaults = (client_id, client_secret, account_id)
        self.max_body_bytes = max_body_bytes
        self.base_url = "http://127.0.0.1"
        self._log = log
        self._echo = echo
        self._tokens: OrderedDict[str, AccessToken] = OrderedDict()
        self._files: OrderedDict[str, RecordingFile] = OrderedDict()
        self._api: dict[str, ApiDetails] = {}
        self._zoom: Provider | None = None
        self._stop_listening: Any = None
        self.attach(zoom)

    @property
    def url(self) -> str:
        """The server's base URL, which the download URLs of generated events start with."""
        return self.base_url

    def url_for(self, path: str) -> str:
        """The absolute URL of *path* on the server (``url_for("/oauth/token")``)."""
        return self.base_url + "/" + path.lstrip("/")

    @property
    def zoom(self) -> Provider:
        """The simulated Zoom being served."""
        assert self._zoom is not None
        return self._zoom

    def attach(self, zoom: Provider) -> None:
        """Serve *zoom* from now on, with fresh server state: no tokens, no recording files, the
        configured OAuth credentials. The provider served before is let go."""
        with self.lock:
            previous = self._zoom
            if previous is not None:
                with contextlib.suppress(ValueError):
                    previous.generation_hooks.remove(self._point_downloads_here)
                if self._stop_listening is not None:
                    self._stop_listening()
                if previous.server is self:
                    previous.server = None
            self._zoom = zoom
            zoom.generation_hooks.append(self._point_downloads_here)
            self._stop_listening = zoom.deliveries.on_append(self._log_delivery)
            zoom.server = self
            client_id, client_secret, account_id = self._defaults
            self.client_id = client_id or getattr(zoom, "client_id", None) or DEFAULT_CLIENT_ID
            self.client_secret = client_secret or DEFAULT_CLIENT_SECRET
            self.account_id = account_id
            self._clear_data()

    def reset(self) -> None:
        """Forget every subscription, delivery, scheduled retry, scripted fault, notice, token
        and file; the provider, its seed and its clock stay."""
        with self.lock:
            zoom = self.zoom
            for subscription in list(zoom.subscriptions):
                zoom.unsubscribe(subscription)
            for job in zoom.scheduler.pending():
                zoom.scheduler.cancel(job)
            zoom.deliveries.clear()
            zoom.notices.clear()
            faults(zoom).clear()
            self._clear_data()

    def _clear_data(self) -> None:
        with self._data_lock:
            self._tokens.clear()
            self._files.clear()
            self._api.clear()

    @contextlib.contextmanager
    def driving(self) -> Iterator[Provider]:
        """Hold the simulated Zoom for one request that makes deliveries or moves its clock.

        :raises ApiError: 409 when another request holds it for longer than
            :data:`BUSY_WAIT_SECONDS`.
        """
        if not self.lock.acquire(timeout=BUSY_WAIT_SECONDS):
            raise ApiError(
                409,
                f"the simulated Zoom has been busy for {BUSY_WAIT_SECONDS:g} s with another "
                "request's deliveries: is a receiver calling this endpoint while it handles a "
                "delivery? Answer the delivery first",
            )
        try:
            yield self.zoom
        finally:
            self.lock.release()

    # -- OAuth tokens ---------------------------------------------------------------------------

    def credentials_match(self, client_id: str, client_secret: str) -> bool:
        """Whether the pair is the configured client id and secret (constant-time)."""
        id_ok = hmac.compare_digest(client_id.encode(), self.client_id.encode())
        secret_ok = hmac.compare_digest(client_secret.encode(), self.client_secret.encode())
        return id_ok and secret_ok

    def issue_token(self, grant: str, account_id: str | None) -> AccessToken:
        token = AccessToken(
            secrets.token_urlsafe(32),
            grant,
            account_id,
            self.zoom.clock() + ACCESS_TOKEN_SECONDS,
        )
        with self._data_lock:
            self._tokens[token.value] = token
            while len(self._tokens) > _MAX_ENTRIES:
                self._tokens.popitem(last=False)
        return token

    def find_token(self, value: str) -> AccessToken | None:
        with self._data_lock:
            return self._tokens.get(value)

    # -- recording files ------------------------------------------------------------------------

    def _point_downloads_here(self, event: str, data: Any) -> None:
        """A generation hook: every Zoom download URL in a generated body is pointed at this
        server, and the file is remembered with the event's ``download_token``."""
        links = _download_links(data)
        if not links:
            return
        token = data.get("download_token") if isinstance(data, dict) else None
        issued = self.zoom.clock()
        for holder, key, file_id in links:
            webhook = "/rec/webhook_download/" in holder[key]
            holder[key] = f"{self.base_url}/rec/{'webhook_' * webhook}download/{file_id}"
            kind = "VTT" if key == "transcript_download_url" else _file_kind(holder)
            found = RecordingFile(
                file_id, kind, event, token if isinstance(token, str) else None, issued
            )
            with self._data_lock:
                self._files[file_id] = found
                while len(self._files) > _MAX_ENTRIES:
                    self._files.popitem(last=False)

    def find_file(self, file_id: str) -> RecordingFile | None:
        with self._data_lock:
            return self._files.get(file_id)

    # -- subscriptions made through Zoom's API --------------------------------------------------

    def details(self, subscription: Subscription) -> ApiDetails:
        with self._data_lock:
            return self._api.setdefault(subscription.id, ApiDetails())

    def find_subscription(self, subscription_id: str) -> Subscription | None:
        return next((s for s in self.zoom.subscriptions if s.id == subscription_id), None)

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
        record = delivery_record(delivery, self.zoom.deliveries.total, self.zoom.retry_delays)
        try:
            self._log.write(json.dumps(record, ensure_ascii=False) + "\n")
            self._log.flush()
        except (OSError, ValueError) as error:
            self._log = None
            print(f"hookmock serve: warning: the delivery log stopped: {error}", file=sys.stderr)


def _download_links(node: Any) -> list[tuple[Any, Any, str]]:
    """``(container, key, file id)`` for every string in *node* that is a Zoom download URL, in
    document order."""
    found: list[tuple[Any, Any, str]] = []
    _collect_links(node, found)
    return found


def _collect_links(node: Any, found: list[tuple[Any, Any, str]]) -> None:
    if isinstance(node, dict):
        items: Any = node.items()
    elif isinstance(node, list):
        items = enumerate(node)
    else:
        return
    for key, value in items:
        if isinstance(value, str):
            # Every download URL has this in it: most strings are passed over without the regex.
            if "zoom.us/rec/" in value:
                match = _ZOOM_DOWNLOAD.match(value)
                if match:
                    found.append((node, key, match.group(1)))
        elif isinstance(value, dict | list):
            _collect_links(value, found)


def _file_kind(holder: Any) -> str:
    if isinstance(holder, dict):
        for key in ("file_extension", "file_type"):
            value = holder.get(key)
            if isinstance(value, str) and value:
                return value.upper()
    return "BIN"


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
    return [[name, _hide(mask_value(name, value), ordered)] for name, value in headers]


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


def faults(zoom: Provider) -> Any:
    """The provider's queue of scripted network faults (``(kind, subscription or None)``)."""
    return zoom._faults


def fault_records(zoom: Provider) -> list[FaultRecord]:
    """The scripted faults still to happen, in order, one entry per attempt they will fail."""
    return [
        {"kind": kind, "subscription": to.name if to is not None else None}
        for kind, to in list(faults(zoom))
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
