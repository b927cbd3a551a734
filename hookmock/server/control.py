"""The mock server's control API under ``/_hookmock/``: what a test suite in any language uses to
drive the simulated provider (described by :func:`hookmock.server.openapi.document_for` it).

Its errors are hookmock's own: ``{"status", "message"}``, with ``errors`` (one
``{"field", "message"}`` per problem, the field a JSON path) and ``suggestions`` where they
help (:class:`~hookmock.server.state.ApiError`)."""

from __future__ import annotations

import contextlib
import http.client
import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from werkzeug.wrappers import Request, Response

from ..engine.nesting import depth
from ..errors import (
    ConfigurationError,
    HookmockError,
    NotSubscribedError,
    OverrideError,
    SchemaViolationError,
    SubscriptionError,
    UnknownEventError,
    UnknownFieldError,
)
from ..records.masking import mask_url
from .openapi import (
    ADVANCE_UNITS,
    DELIVERIES_QUERY,
    MAX_ADVANCE_SECONDS,
    body_errors,
    defaults,
    document_for,
)
from .shapes import (
    ClockResult,
    DeliveryList,
    DeliveryRecord,
    EventList,
    FaultResult,
    ResetResult,
    StateRecord,
    SubscriptionRecord,
    TriggerResult,
)
from .state import (
    MAX_SUBSCRIPTIONS,
    ApiError,
    ServerState,
    delivery_record,
    fault_records,
    iso,
    job_record,
    json_response,
    notice_record,
    read_json,
    subscription_record,
)

if TYPE_CHECKING:
    from ..engine.delivery import Delivery
    from ..engine.simulator import Provider

__all__ = ["ROUTES"]


def _body(request: Request, schema: str, *, default: Any = None) -> dict[str, Any]:
    """The request's JSON body, checked against the OpenAPI document's schema *schema*, with the
    defaults the schema declares for the fields it leaves out."""
    body = read_json(request, default=default)
    errors = body_errors(schema, body)
    if errors:
        path, message = errors[0]
        raise ApiError(
            422,
            f"the body does not match {schema} in /_hookmock/openapi.json: {path}: {message}",
            errors=[{"field": p, "message": m} for p, m in errors],
        )
    assert isinstance(body, dict)
    return {**defaults(schema), **body}


def _int_param(request: Request, name: str) -> int:
    """The integer query parameter *name* of ``GET /_hookmock/deliveries``, within the bounds of
    its schema in the document (:data:`~hookmock.server.openapi.DELIVERIES_QUERY`)."""
    schema = DELIVERIES_QUERY[name]
    low, high = schema["minimum"], schema["maximum"]
    text = request.args.get(name)
    if text is None:
        return int(schema["default"])
    try:
        value = int(text)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise ApiError(
            422,
            f"query parameter {name}={text!r}: expected an integer from {low} to {high}",
            errors=[{"field": name, "message": f"expected an integer from {low} to {high}"}],
        )
    return value


@contextlib.contextmanager
def _making(provider: Provider) -> Iterator[list[DeliveryRecord]]:
    """The records of the deliveries made inside the block, numbered as the log numbers them,
    each one, whatever the log keeps; the log is neither copied nor walked. The caller holds
    :meth:`ServerState.driving`, so the deliveries recorded meanwhile are the block's."""
    log = provider.deliveries
    made: list[Delivery] = []
    before = log.total
    stop = log.on_append(made.append)
    records: list[DeliveryRecord] = []
    try:
        yield records
    finally:
        stop()
    delays = provider.retry_delays
    records += [delivery_record(d, n, delays) for n, d in enumerate(made, start=before + 1)]


# Bounds on overrides, far beyond any event's shape, that keep a request from exhausting the
# recursion or integer-parsing limits of the code that applies them.
MAX_OVERRIDE_PATH_CHARS = 1000
MAX_OVERRIDE_SEGMENTS = 64
MAX_INDEX_DIGITS = 9
MAX_VALUE_DEPTH = 64


def _override_problem(path: str, value: Any) -> str | None:
    """What makes one override unusable, or ``None``."""
    if len(path) > MAX_OVERRIDE_PATH_CHARS:
        return f"the path is {len(path)} characters long; at most {MAX_OVERRIDE_PATH_CHARS}"
    parts = path.split(".")
    if len(parts) > MAX_OVERRIDE_SEGMENTS:
        return f"the path has {len(parts)} segments; at most {MAX_OVERRIDE_SEGMENTS}"
    for part in parts:
        if part.isdigit() and not (part.isascii() and len(part) <= MAX_INDEX_DIGITS):
            return (
                f"segment {part[:20]!r}{'…' if len(part) > 20 else ''} is neither a field name "
                f"nor a list index (ASCII digits 0-9, at most {MAX_INDEX_DIGITS} of them)"
            )
    if depth(value, MAX_VALUE_DEPTH) > MAX_VALUE_DEPTH:
        return f"the value nests arrays and objects more than {MAX_VALUE_DEPTH} deep"
    return None


def _check_overrides(overrides: dict[str, Any]) -> None:
    errors = []
    for path, value in overrides.items():
        problem = _override_problem(path, value)
        if problem is not None:
            shown = path if len(path) <= 80 else path[:80] + "…"
            errors.append((f"$.overrides[{shown!r}]", problem))
    if errors:
        field, problem = errors[0]
        raise ApiError(
            422,
            f"override {field}: {problem}",
            errors=[{"field": f, "message": m} for f, m in errors],
        )


def openapi(state: ServerState, request: Request) -> Response:
    return json_response(document_for(type(state.provider)))


def get_state(state: ServerState, request: Request) -> Response:
    provider = state.provider
    log = provider.deliveries
    now = provider.clock()
    body: StateRecord = {
        "now": now,
        "now_iso": iso(now),
        "provider": provider.name,
        "seed": provider.seed,
        "server_url": state.url,
        "deadline_s": provider.deadline,
        "oauth": {
            "token_url": state.url_for(OAUTH_TOKEN),
            "client_id": state.client_id,
            "account_id": state.account_id,
        }
        if any(path == OAUTH_TOKEN for path, _, _ in provider.adapter.server_routes())
        else None,
        "subscriptions": [
            subscription_record(s, state.details(s)) for s in list(provider.subscriptions)
        ],
        "pending": [job_record(job, now) for job in provider.pending()],
        "notices": [notice_record(n) for n in list(provider.notices)],
        "faults": fault_records(provider),
        "deliveries": log.total,
        "deliveries_kept": len(log),
        "deliveries_forgotten": log.forgotten,
        "max_deliveries": log.max_deliveries,
    }
    return json_response(body)


def list_events(state: ServerState, request: Request) -> Response:
    prefix = request.args.get("prefix", "")
    names = [n for n in state.provider.event_names() if n.startswith(prefix)]
    result: EventList = {"events": names}
    return json_response(result)


def trigger(state: ServerState, request: Request) -> Response:
    body = _body(request, "TriggerRequest")
    name = body["event"]
    _check_overrides(body.get("overrides") or {})
    with state.driving() as provider:
        try:
            event = provider.fake(
                name,
                body.get("overrides") or {},
                seed=body.get("seed"),
                validate=body["validate"],
                serialization=body["serialization"],
            )
        except UnknownEventError as error:
            raise ApiError(
                422,
                str(error),
                errors=[{"field": "$.event", "message": str(error)}],
                suggestions=error.suggestions,
            ) from None
        except SchemaViolationError as error:
            lines = [f"  {path}: {message}" for path, message in error.errors]
            raise ApiError(
                422,
                "\n".join(
                    [
                        f"the overrides make {name!r} break its schema "
                        f"({len(error.errors)} error(s)):",
                        *lines,
                        'hint: send "validate": false to deliver it anyway',
                    ]
                ),
                errors=[{"field": path, "message": message} for path, message in error.errors],
            ) from None
        except UnknownFieldError as error:
            raise ApiError(
                422,
                error.describe(
                    'hint: send "validate": false to set fields the schema does not know'
                ),
                errors=[
                    {"field": f"$.overrides[{path!r}]", "message": error.problem(path)}
                    for path in error.reasons
                ],
            ) from None
        except (OverrideError, ConfigurationError) as error:
            raise ApiError(
                422, str(error), errors=[{"field": "$.overrides", "message": str(error)}]
            ) from None
        target = body.get("subscription_id")
        try:
            with _making(provider) as made:
                if target is None:
                    provider.send_all(event)
                else:
                    subscription = state.find_subscription(target)
                    if subscription is None:
                        known = ", ".join(s.id for s in provider.subscriptions) or "none"
                        raise ApiError(
                            422,
                            f"no subscription has the id {target!r}; subscriptions: {known}",
                            errors=[{"field": "$.subscription_id", "message": "unknown"}],
                        )
                    provider.send(event, to=subscription)
        except NotSubscribedError as error:
            message = str(error)
            if not provider.subscriptions:
                message = (
                    f"cannot send {name!r}: nothing is subscribed yet; subscribe the receiver "
                    f'first: POST {SUBSCRIPTIONS} {{"url": ...}}'
                )
                hint = state.extension.subscribe_hint
                if hint is not None:
                    message += f", or {hint}"
            raise ApiError(409, message) from None
    result: TriggerResult = {
        "event": event.name,
        "seed": event.seed,
        "body": event.data,
        "deliveries": made,
    }
    return json_response(result)


#: The control API's subscription endpoint, for every provider.
SUBSCRIPTIONS = "/_hookmock/subscriptions"
#: Where a provider's own endpoints issue OAuth tokens (RFC 6749's token endpoint), shown in the
#: state when the provider served has one there.
OAUTH_TOKEN = "/oauth/token"
# What no URL may carry unencoded (RFC 3986 §2): white space and control characters.
_UNSAFE_URL = re.compile(r"[\s\x00-\x1f\x7f]")


def _url_problem(url: str) -> str | None:
    """Why *url* cannot be a receiver's URL, or ``None``."""
    bad = _UNSAFE_URL.search(url)
    if bad is not None:
        return (
            f"the URL contains {bad.group()!r} at offset {bad.start()}: spaces and control "
            "characters must be percent-encoded (%20 for a space)"
        )
    try:
        parts = urlsplit(url)
        _ = parts.port  # a port out of range raises here, not while delivering
    except ValueError as error:
        return f"not a URL ({error})"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"expected the receiver's absolute http:// or https:// URL, got {url!r}"
    return None


def subscribe(state: ServerState, request: Request) -> Response:
    """Subscribe a receiver's URL to the provider served, running the provider's own endpoint
    check first (a signed URL validation, a challenge, a ping), as it would."""
    body = _body(request, "SubscribeRequest")
    url = str(body["url"])
    problem = _url_problem(url)
    if problem is not None:
        raise ApiError(422, f"url: {problem}", errors=[{"field": "$.url", "message": problem}])
    with state.driving() as provider:
        if len(provider.subscriptions) >= MAX_SUBSCRIPTIONS:
            raise ApiError(
                409,
                f"the server keeps at most {MAX_SUBSCRIPTIONS} subscriptions; reset first "
                "(POST /_hookmock/reset)",
            )
        try:
            subscription = provider.subscribe(
                state.receiver(url), events=body.get("events"), name=body.get("name")
            )
        except UnknownEventError as error:
            raise ApiError(
                422,
                str(error),
                errors=[{"field": "$.events", "message": str(error)}],
                suggestions=error.suggestions,
            ) from None
        except (ValueError, http.client.InvalidURL) as error:
            raise ApiError(
                422,
                f"cannot deliver to {url!r}: {error}",
                errors=[{"field": "$.url", "message": str(error)}],
            ) from None
        except SubscriptionError as error:
            problems = error.problems or [str(error).splitlines()[0]]
            raise ApiError(
                422,
                f"the endpoint check of {mask_url(url)} failed: {problems[0]}",
                errors=[{"field": "$.url", "message": p} for p in problems],
            ) from None
    result: SubscriptionRecord = subscription_record(subscription, state.details(subscription))
    return json_response(result, 201)


def list_deliveries(state: ServerState, request: Request) -> Response:
    since = _int_param(request, "since")
    limit = _int_param(request, "limit")
    event = request.args.get("event")
    log = state.provider.deliveries
    delays = state.provider.retry_delays
    # Only the deliveries answered are formatted: the log finds them by number (and by event).
    total, forgotten = log.total, log.forgotten
    found = [delivery_record(d, n, delays) for n, d in log.numbered(since, limit, event=event)]
    result: DeliveryList = {"total": total, "forgotten": forgotten, "deliveries": found}
    return json_response(result)


def advance(state: ServerState, request: Request) -> Response:
    body = _body(request, "AdvanceRequest", default={})
    seconds = sum(float(body.get(name, 0)) * factor for name, factor in ADVANCE_UNITS.items())
    if seconds > MAX_ADVANCE_SECONDS:
        raise ApiError(
            422,
            f"advance at most {MAX_ADVANCE_SECONDS // 86400} days per call (asked: "
            f"{seconds / 86400:g} days); call again to go further",
        )
    with state.driving() as provider:
        with _making(provider) as made:
            provider.advance(seconds)
        now = provider.clock()
    result: ClockResult = {"now": now, "now_iso": iso(now), "deliveries": made}
    return json_response(result)


def run_until_idle(state: ServerState, request: Request) -> Response:
    _body(request, "EmptyRequest", default={})
    with state.driving() as provider:
        try:
            with _making(provider) as made:
                provider.run_until_idle()
        except HookmockError as error:
            raise ApiError(409, str(error)) from None
        now = provider.clock()
    result: ClockResult = {"now": now, "now_iso": iso(now), "deliveries": made}
    return json_response(result)


def fail_next(state: ServerState, request: Request) -> Response:
    body = _body(request, "FaultRequest")
    target = body.get("subscription_id")
    subscription = None
    if target is not None:
        subscription = state.find_subscription(target)
        if subscription is None:
            raise ApiError(
                422,
                f"no subscription has the id {target!r}",
                errors=[{"field": "$.subscription_id", "message": "unknown"}],
            )
    times = int(body["times"])
    with state.driving() as provider:
        provider.fail_next(body["kind"], times=times, to=subscription)
    result: FaultResult = {"kind": body["kind"], "times": times, "subscription_id": target}
    return json_response(result)


def reset(state: ServerState, request: Request) -> Response:
    _body(request, "EmptyRequest", default={})
    state.reset()
    now = state.provider.clock()
    result: ResetResult = {"now": now, "now_iso": iso(now)}
    return json_response(result)


#: ``(path, methods, handler)`` for the routing table of :mod:`hookmock.server`.
ROUTES: list[tuple[str, tuple[str, ...], Callable[..., Response]]] = [
    ("/_hookmock/openapi.json", ("GET",), openapi),
    ("/_hookmock/state", ("GET",), get_state),
    ("/_hookmock/events", ("GET",), list_events),
    ("/_hookmock/subscriptions", ("POST",), subscribe),
    ("/_hookmock/trigger", ("POST",), trigger),
    ("/_hookmock/deliveries", ("GET",), list_deliveries),
    ("/_hookmock/clock/advance", ("POST",), advance),
    ("/_hookmock/run-until-idle", ("POST",), run_until_idle),
    ("/_hookmock/faults", ("POST",), fail_next),
    ("/_hookmock/reset", ("POST",), reset),
]
