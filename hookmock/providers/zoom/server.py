"""Zoom's own endpoints on the mock server (ZOOM.md §3, §5, §6): the OAuth token, the event
subscription API and recording downloads, and what else Zoom adds to the server
(:data:`EXTENSION`: the options of its OAuth app, download URLs of generated events pointed at
the server).

Errors use Zoom's shape ``{"code": <int>, "message": "..."}`` (:class:`ZoomApiError`); the
message says what to fix.
Simplifications, said where they matter: one app and one account; the list of subscriptions
ignores its filters and pagination; a recording file is a small file of the declared type, not
of the declared size, served directly (Zoom answers with a redirect to its storage).
"""

from __future__ import annotations

import functools
import http.client
import json
import re
import struct
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from werkzeug.wrappers import Request, Response

from ...errors import SubscriptionError, UnknownEventError
from ...generate import catalog
from ...server.state import (
    CREATED_BY_API,
    AccessToken,
    ApiError,
    ServedFile,
    ServerExtension,
    ServerOption,
    ServerState,
    iso,
    json_response,
    read_json,
)

__all__ = [
    "ACCESS_TOKEN_SECONDS",
    "DOWNLOAD_TOKEN_SECONDS",
    "EXTENSION",
    "MAX_SUBSCRIPTIONS",
    "ROUTES",
    "ZoomApiError",
    "recording_content",
    "require_token",
]

#: ZOOM.md §5: access tokens come with ``expires_in`` 3599 (seconds).
ACCESS_TOKEN_SECONDS = 3599
#: ZOOM.md §6: a recording event's ``download_token`` is valid for 24 hours.
DOWNLOAD_TOKEN_SECONDS = 24 * 3600
#: ZOOM.md §3: an app has at most 20 event subscriptions.
MAX_SUBSCRIPTIONS = 20
#: The environment variables of the OAuth app's settings, as Zoom's own tools name them.
CLIENT_ID_ENV = "ZOOM_CLIENT_ID"
CLIENT_SECRET_ENV = "ZOOM_CLIENT_SECRET"
ACCOUNT_ID_ENV = "ZOOM_ACCOUNT_ID"

_GRANTS = ("account_credentials", "client_credentials")
_SCOPES = ("user", "account", "master_account")
_SCOPE = (
    "marketplace:read:list_event_subscriptions marketplace:write:event_subscription "
    "marketplace:update:event_subscription marketplace:delete:event_subscription"
)
_SUBSCRIPTIONS = "/v2/marketplace/app/event_subscription"
# What no URL may carry unencoded (RFC 3986 §2): white space and control characters.
_UNSAFE_URL = re.compile(r"[\s\x00-\x1f\x7f]")


class ZoomApiError(ApiError):
    """An answer in Zoom's error shape: ``{"code": <int>, "message": "...", ...}``.

    :param code: Zoom's error code where Zoom documents one (124: invalid access token; 300:
        validation failed; 3301: no such recording); the HTTP status otherwise.
    """

    def __init__(self, status: int, message: str, *, code: int | None = None, **extra: Any) -> None:
        super().__init__(status, message, **extra)
        self.code = status if code is None else code

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, **self.extra}


def _in_zooms_shape(handler: Callable[..., Response]) -> Callable[..., Response]:
    """*handler*, answering the server's own errors (a body that is not JSON, a busy provider)
    in Zoom's shape too, the HTTP status as the code."""

    @functools.wraps(handler)
    def answer(state: ServerState, request: Request, **arguments: Any) -> Response:
        try:
            return handler(state, request, **arguments)
        except ZoomApiError:
            raise
        except ApiError as error:
            raise ZoomApiError(
                error.status, error.message, headers=error.headers, **error.extra
            ) from None

    return answer


# -- OAuth (ZOOM.md §5) -------------------------------------------------------------------------


def _oauth_error(status: int, error: str, reason: str) -> ApiError:
    # Zoom's OAuth errors carry RFC 6749's "error" and a "reason"; code and message are added so
    # every error of Zoom's endpoints has one shape.
    return ZoomApiError(status, reason, error=error, reason=reason)


def oauth_token(state: ServerState, request: Request) -> Response:
    """``POST /oauth/token``: client credentials by HTTP Basic; ``grant_type`` and
    ``account_id`` in the query string or a form body."""
    params = {**request.args.to_dict(), **request.form.to_dict()}
    auth = request.authorization
    if auth is None or auth.type != "basic" or auth.username is None:
        raise _oauth_error(
            401,
            "invalid_client",
            "send the app's client credentials as Authorization: Basic "
            "base64(client_id:client_secret)",
        )
    if not state.credentials_match(auth.username, auth.password or ""):
        raise _oauth_error(
            401,
            "invalid_client",
            f"Invalid client_id or client_secret: this server's app has client id "
            f"{state.client_id!r} (hookmock serve --client-id/--client-secret, or "
            "MockServer(zoom, client_id=..., client_secret=...))",
        )
    grant = params.get("grant_type")
    if grant not in _GRANTS:
        raise _oauth_error(
            400,
            "unsupported_grant_type",
            f"unsupported grant_type {grant!r}: the mock Zoom server issues tokens for "
            "grant_type=account_credentials (Server-to-Server OAuth, with account_id) and "
            "grant_type=client_credentials",
        )
    account_id = params.get("account_id") or None
    if grant == "account_credentials":
        if account_id is None:
            raise _oauth_error(
                400,
                "invalid_request",
                "grant_type=account_credentials needs account_id (the Zoom account the "
                "Server-to-Server OAuth app belongs to)",
            )
        if state.account_id is not None and account_id != state.account_id:
            raise _oauth_error(
                400,
                "invalid_request",
                f"Invalid account_id {account_id!r}: this server's app belongs to account "
                f"{state.account_id!r}",
            )
    token = state.issue_token(grant, account_id, lifetime=ACCESS_TOKEN_SECONDS)
    answer = {
        "access_token": token.value,
        "token_type": "bearer",
        "expires_in": ACCESS_TOKEN_SECONDS,
        "scope": _SCOPE,
        "api_url": state.url,
    }
    return json_response(answer, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


def _bearer(request: Request) -> str | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


def require_token(state: ServerState, request: Request) -> AccessToken:
    """The request's valid, unexpired access token. :raises ApiError: 401 otherwise."""
    get_one = f"get one from POST {state.url_for('/oauth/token')}"
    value = _bearer(request)
    if value is None:
        raise ZoomApiError(
            401,
            f"Invalid access token: send Authorization: Bearer <access_token>; {get_one}",
            code=124,
        )
    token = state.find_token(value)
    if token is None:
        raise ZoomApiError(
            401,
            f"Invalid access token: this server did not issue it (tokens are forgotten when a "
            f"test starts and on reset); {get_one}",
            code=124,
        )
    if state.provider.clock() >= token.expires_at:
        raise ZoomApiError(
            401,
            f"Access token is expired: it was valid {ACCESS_TOKEN_SECONDS} s of provider time, "
            f"until {iso(token.expires_at)}; {get_one}",
            code=124,
        )
    return token


# -- event subscriptions (ZOOM.md §3) -----------------------------------------------------------


def _invalid(errors: list[tuple[str, str]]) -> ZoomApiError:
    field, message = errors[0]
    return ZoomApiError(
        400,
        f"Validation Failed: {field}: {message}",
        code=300,
        errors=[{"field": f, "message": m} for f, m in errors],
    )


def _ids(value: Any, name: str, errors: list[tuple[str, str]]) -> list[str]:
    """``user_ids`` as a JSON list of strings or a comma-separated string."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return list(value)
    errors.append((name, "expected a list of user ids, or a comma-separated string"))
    return []


def create_subscription(state: ServerState, request: Request) -> Response:
    """``POST /v2/marketplace/app/event_subscription``: validates the URL first, as Zoom."""
    require_token(state, request)
    body = read_json(request)
    if not isinstance(body, dict):
        raise _invalid([("$", f"expected a JSON object, got {type(body).__name__}")])
    errors: list[tuple[str, str]] = []
    events = body.get("events")
    names: list[str] = []
    if not isinstance(events, list) or not events:
        errors.append(("events", "expected a non-empty list of event names"))
    else:
        for index, name in enumerate(events):
            try:
                if not isinstance(name, str):
                    raise TypeError
                names.append(_known(state, name))
            except TypeError:
                errors.append((f"events[{index}]", f"expected an event name, got {name!r}"))
            except UnknownEventError as error:
                errors.append((f"events[{index}]", str(error)))
    url = body.get("event_webhook_url")
    try:
        parts = urlsplit(url) if isinstance(url, str) else None
        _ = parts and parts.port  # a port out of range raises here, not while delivering
    except ValueError:
        parts = None
    if isinstance(url, str) and _UNSAFE_URL.search(url):
        bad = _UNSAFE_URL.search(url)
        assert bad is not None
        errors.append(
            (
                "event_webhook_url",
                f"the URL {url!r} contains {bad.group()!r} at offset {bad.start()}: spaces and "
                "control characters must be percent-encoded (%20 for a space)",
            )
        )
    elif parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        errors.append(
            (
                "event_webhook_url",
                f"expected the receiver's absolute http:// or https:// URL, got {url!r}",
            )
        )
    name = body.get("event_subscription_name")
    if name is not None and (not isinstance(name, str) or not 0 < len(name) <= 128):
        errors.append(("event_subscription_name", "expected a name of 1 to 128 characters"))
    scope = body.get("subscription_scope", "user")
    if scope not in _SCOPES:
        errors.append(("subscription_scope", f"expected one of {', '.join(_SCOPES)}"))
    user_ids = _ids(body.get("user_ids"), "user_ids", errors)
    account_id = body.get("account_id")
    if account_id is not None and not isinstance(account_id, str):
        errors.append(("account_id", "expected a string"))
    if errors:
        raise _invalid(errors)
    with state.driving() as zoom:
        if len(zoom.subscriptions) >= MAX_SUBSCRIPTIONS:
            raise _invalid(
                [
                    (
                        "$",
                        f"an app has at most {MAX_SUBSCRIPTIONS} event subscriptions (Zoom's "
                        f"limit); delete one first: DELETE {_SUBSCRIPTIONS}/{{id}}",
                    )
                ]
            )
        try:
            subscription = zoom.subscribe(state.receiver(str(url)), events=names, name=name)
        # A URL the transport cannot use (an invalid host name).
        except (ValueError, http.client.InvalidURL) as error:
            raise _invalid([("event_webhook_url", f"cannot deliver to {url!r}: {error}")]) from None
        except SubscriptionError as error:
            problems = error.problems or [str(error).splitlines()[0]]
            hint = str(error).rsplit("\nhint: ", 1)
            extra: dict[str, Any] = {"hint": hint[1]} if len(hint) == 2 else {}
            raise ZoomApiError(
                400,
                f"Validation Failed: the URL validation of {url} failed: {problems[0]} (Zoom "
                "saves a subscription only after its endpoint answers the signed "
                "endpoint.url_validation challenge)",
                code=300,
                errors=[{"field": "event_webhook_url", "message": p} for p in problems],
                **extra,
            ) from None
    details = state.details(subscription)
    details.created_source = CREATED_BY_API
    details.subscription_scope = str(scope)
    details.account_id = account_id
    details.user_ids = user_ids
    return json_response({"event_subscription_id": subscription.id}, 201)


def _known(state: ServerState, name: str) -> str:
    return catalog.find_event(name, state.provider.name)


def list_subscriptions(state: ServerState, request: Request) -> Response:
    """``GET /v2/marketplace/app/event_subscription``: every subscription, in one page."""
    require_token(state, request)
    found = []
    for subscription in list(state.provider.subscriptions):
        details = state.details(subscription)
        found.append(
            {
                "event_subscription_id": subscription.id,
                "event_subscription_name": subscription.name,
                "event_webhook_url": subscription.url,
                "events": sorted(subscription.events or ()),
                "subscription_scope": details.subscription_scope,
                "created_source": details.created_source,
                "subscriber_id": details.account_id or "",
                "user_ids": list(details.user_ids),
            }
        )
    body = {"next_page_token": "", "page_size": len(found), "event_subscriptions": found}
    return json_response(body)


def _params(request: Request) -> dict[str, Any]:
    """``user_ids`` and ``account_id`` from the query string (Zoom's way) or a JSON body."""
    found: dict[str, Any] = {}
    if request.get_data(cache=True).strip():
        body = read_json(request)
        if not isinstance(body, dict):
            raise _invalid([("$", f"expected a JSON object, got {type(body).__name__}")])
        found.update(body)
    found.update(request.args.to_dict())
    return found


def _subscription_users(params: dict[str, Any], action: str) -> tuple[list[str], str | None]:
    errors: list[tuple[str, str]] = []
    user_ids = _ids(params.get("user_ids"), "user_ids", errors)
    account_id = params.get("account_id")
    if account_id is not None and not isinstance(account_id, str):
        errors.append(("account_id", "expected a string"))
    if not errors and not user_ids and not account_id:
        errors.append(("user_ids", f"pass user_ids or account_id to {action}"))
    if errors:
        raise _invalid(errors)
    return user_ids, account_id or None


def subscribe_users(state: ServerState, request: Request, subscription_id: str) -> Response:
    """``PATCH …/event_subscription/{id}``: subscribes users or an account to it."""
    require_token(state, request)
    subscription = _subscription(state, subscription_id)
    user_ids, account_id = _subscription_users(_params(request), "subscribe")
    details = state.details(subscription)
    details.user_ids += [u for u in user_ids if u not in details.user_ids]
    if account_id:
        details.account_id = account_id
    return Response(status=204)


def unsubscribe_users(state: ServerState, request: Request) -> Response:
    """``DELETE …/event_subscription``: unsubscribes users or an account from every one."""
    require_token(state, request)
    user_ids, account_id = _subscription_users(_params(request), "unsubscribe")
    for subscription in list(state.provider.subscriptions):
        details = state.details(subscription)
        details.user_ids = [u for u in details.user_ids if u not in user_ids]
        if account_id and details.account_id == account_id:
            details.account_id = None
    return Response(status=204)


def delete_subscription(state: ServerState, request: Request, subscription_id: str) -> Response:
    """``DELETE …/event_subscription/{id}``: nothing more is delivered to it."""
    require_token(state, request)
    with state.driving() as zoom:
        subscription = _subscription(state, subscription_id)
        zoom.unsubscribe(subscription)
        for job in zoom.scheduler.pending():
            if job.owner is subscription:
                zoom.scheduler.cancel(job)
    return Response(status=204)


def _subscription(state: ServerState, subscription_id: str) -> Any:
    found = state.find_subscription(subscription_id)
    if found is None:
        known = ", ".join(s.id for s in state.provider.subscriptions) or "none"
        raise ZoomApiError(
            404,
            f"Event subscription {subscription_id!r} does not exist; subscriptions: {known}",
        )
    return found


# -- recording downloads (ZOOM.md §6) -----------------------------------------------------------


def download(state: ServerState, request: Request, file_id: str) -> Response:
    """``GET /rec/download/{id}`` (and ``/rec/webhook_download/{id}``): the file, with the
    event's ``download_token`` (as a bearer token or ``?access_token=``) within 24 h of
    provider time, or a valid access token."""
    found = state.find_file(file_id)
    if found is None:
        raise ZoomApiError(
            404,
            f"This recording does not exist: no event from this server announced a file "
            f"{file_id!r} (files are forgotten when a test starts and on reset)",
            code=3301,
        )
    token = _bearer(request) or request.args.get("access_token")
    how = (
        "send the download_token of the event that carried this download_url, as "
        "Authorization: Bearer <download_token> or ?access_token=<download_token>"
    )
    if token is None:
        raise ZoomApiError(401, f"Invalid access token: {how}", code=124)
    now = state.provider.clock()
    if found.token is not None and token == found.token:
        expires = found.issued_at + DOWNLOAD_TOKEN_SECONDS
        if now >= expires:
            raise ZoomApiError(
                401,
                f"Access token is expired: a download_token is valid 24 h of provider time, "
                f"this one until {iso(expires)} (now {iso(now)})",
                code=124,
            )
    else:
        issued = state.find_token(token)
        if issued is None or now >= issued.expires_at:
            raise ZoomApiError(
                401,
                f"Invalid access token: it is neither this recording's download_token nor a "
                f"valid access token; {how}",
                code=124,
            )
    content, content_type, extension = recording_content(found)
    return Response(
        content,
        content_type=content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{found.id}.{extension}"',
            "Cache-Control": "no-store",
        },
    )


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def _mp4(brand: bytes, compatible: tuple[bytes, ...], label: str) -> bytes:
    # An ISO base media file header (ISO/IEC 14496-12): an ftyp box naming the brand, then a
    # free box; enough for tools that sniff the type, not a playable movie.
    return _box(b"ftyp", brand + struct.pack(">I", 512) + b"".join(compatible)) + _box(
        b"free", label.encode()
    )


def _text_file(kind: str, file: ServedFile) -> bytes:
    label = f"hookmock recording file {file.id} ({file.event})"
    texts: dict[str, str] = {
        "VTT": f"WEBVTT\n\n1\n00:00:01.000 --> 00:00:04.000\nHost: {label}.\n",
        "TXT": f"00:00:05\t From  Host to  Everyone:\n\t{label}\n",
        "CSV": f"#,Name,Email,Answer\n1,Host,host@example.com,{label}\n",
    }
    return texts[kind].encode()


def _json_file(file: ServedFile) -> bytes:
    return json.dumps({"file_id": file.id, "event": file.event, "timeline": []}).encode()


_JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9")

_KINDS: dict[str, tuple[str, str, Callable[[ServedFile], bytes]]] = {
    # kind: (content type, file extension, contents)
    "MP4": ("video/mp4", "mp4", lambda f: _mp4(b"isom", (b"isom", b"iso2", b"mp41"), f.id)),
    "M4A": ("audio/mp4", "m4a", lambda f: _mp4(b"M4A ", (b"M4A ", b"mp42", b"isom"), f.id)),
    "VTT": ("text/vtt; charset=utf-8", "vtt", lambda f: _text_file("VTT", f)),
    "TXT": ("text/plain; charset=utf-8", "txt", lambda f: _text_file("TXT", f)),
    "CSV": ("text/csv; charset=utf-8", "csv", lambda f: _text_file("CSV", f)),
    "JSON": ("application/json", "json", _json_file),
    "JPG": ("image/jpeg", "jpg", lambda f: _JPEG),
    "PDF": ("application/pdf", "pdf", lambda f: b"%PDF-1.4\n%%EOF\n"),
    "BIN": ("application/octet-stream", "bin", lambda f: f"hookmock file {f.id}\n".encode()),
}
# Zoom's file types (ZOOM.md §6, recording_files[].file_type) to the kinds above.
_ALIASES = {
    "TRANSCRIPT": "VTT",
    "CC": "VTT",
    "CHAT": "TXT",
    "CHAT_MESSAGE": "TXT",
    "TB": "JSON",
    "TIMELINE": "JSON",
    "SUMMARY": "JSON",
    "IMAGE": "JPG",
    "JPEG": "JPG",
    "APPLICATION/PDF": "PDF",
}


def recording_content(file: ServedFile) -> tuple[bytes, str, str]:
    """A small generated file of *file*'s declared type: its bytes, content type, extension.

    Its size is not the ``file_size`` the event declared (those run to hundreds of MB).
    """
    kind = _ALIASES.get(file.kind, file.kind)
    content_type, extension, make = _KINDS.get(kind, _KINDS["BIN"])
    return make(file), content_type, extension


#: ``(path, methods, handler)`` for the routing table of :mod:`hookmock.server`.
_ENDPOINTS: list[tuple[str, tuple[str, ...], Callable[..., Response]]] = [
    ("/oauth/token", ("POST",), oauth_token),
    (_SUBSCRIPTIONS, ("GET",), list_subscriptions),
    (_SUBSCRIPTIONS, ("POST",), create_subscription),
    (_SUBSCRIPTIONS, ("DELETE",), unsubscribe_users),
    (_SUBSCRIPTIONS + "/<subscription_id>", ("PATCH",), subscribe_users),
    (_SUBSCRIPTIONS + "/<subscription_id>", ("DELETE",), delete_subscription),
    ("/rec/download/<file_id>", ("GET",), download),
    ("/rec/webhook_download/<file_id>", ("GET",), download),
]
ROUTES: list[tuple[str, tuple[str, ...], Callable[..., Response]]] = [
    (path, methods, _in_zooms_shape(handler)) for path, methods, handler in _ENDPOINTS
]


# -- download URLs of generated events (ZOOM.md §6) ---------------------------------------------

# Where generated events point for a download (https://us05web.zoom.us/rec/download/…, or
# /rec/webhook_download/… as recording events do).
_DOWNLOAD = re.compile(
    r"^https://[A-Za-z0-9.-]*zoom\.us/rec/(?:webhook_)?download/([A-Za-z0-9_.~-]+)$"
)


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
                match = _DOWNLOAD.match(value)
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


def _point_downloads_at(state: ServerState) -> Callable[[str, Any], None]:
    """A generation hook: every Zoom download URL in a generated body is pointed at the server
    of *state*, and the file is remembered with the event's ``download_token``."""

    def point(event: str, data: Any) -> None:
        links = _download_links(data)
        if not links:
            return
        token = data.get("download_token") if isinstance(data, dict) else None
        issued = state.provider.clock()
        for holder, key, file_id in links:
            webhook = "/rec/webhook_download/" in holder[key]
            holder[key] = f"{state.url}/rec/{'webhook_' * webhook}download/{file_id}"
            kind = "VTT" if key == "transcript_download_url" else _file_kind(holder)
            state.remember_file(
                ServedFile(file_id, kind, event, token if isinstance(token, str) else None, issued)
            )

    return point


def _attach(state: ServerState) -> Callable[[], None]:
    """Point the download URLs of the events generated from now on at the server; returns what
    stops it."""
    hooks = state.provider.generation_hooks
    hook = _point_downloads_at(state)
    hooks.append(hook)

    def detach() -> None:
        if hook in hooks:
            hooks.remove(hook)

    return detach


def _describe(state: ServerState) -> str:
    return (
        f"OAuth at {state.url_for('/oauth/token')} (client id {state.client_id!r}), event "
        f"subscriptions at {state.url_for(_SUBSCRIPTIONS)}"
    )


#: What Zoom adds to the mock server besides :data:`ROUTES` (``Zoom.server_extension()``).
EXTENSION = ServerExtension(
    options=(
        ServerOption(
            "--client-id",
            "client_id",
            "the OAuth client id POST /oauth/token accepts",
            env=CLIENT_ID_ENV,
            default="the simulated Zoom's client_id, else hookmock-client-id",
        ),
        ServerOption(
            "--client-secret",
            "client_secret",
            "the OAuth client secret it accepts",
            env=CLIENT_SECRET_ENV,
            default="hookmock-client-secret",
        ),
        ServerOption(
            "--account-id",
            "account_id",
            "the account grant_type=account_credentials must name",
            env=ACCOUNT_ID_ENV,
            default="any",
        ),
    ),
    attach=_attach,
    endpoints=f"POST /oauth/token, {_SUBSCRIPTIONS}, /rec/download/{{id}}",
    subscribe_hint=f"Zoom's POST {_SUBSCRIPTIONS} (with an access token from POST /oauth/token)",
    describe=_describe,
)
