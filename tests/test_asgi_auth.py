"""ASGI targets in-process, and Zoom's authentication options on a subscription."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import pytest

from hookmock import Outcome, Zoom
from hookmock.engine.auth import BasicAuth, HeaderAuth, OAuthClientCredentials
from hookmock.engine.scheduler import ProviderClock
from hookmock.providers import zoom as zoom_module
from hookmock.transports.asgi import ASGITarget
from hookmock.transports.targets import as_target

from .receivers import serving, zoom_receiver

SECRET = "asgi-secret"
T0 = 1_790_000_000.0

starlette = pytest.importorskip("starlette")


def starlette_receiver(*, sleep: float = 0.0, crash: bool = False) -> Any:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    async def hook(request: Request) -> Response:
        body = await request.body()
        ts = request.headers.get("x-zm-request-timestamp", "")
        if not zoom_module.verify(SECRET, ts, body, request.headers.get("x-zm-signature", "")):
            return Response("bad signature", status_code=401)
        event = json.loads(body)
        if event["event"] == "endpoint.url_validation":
            plain = event["payload"]["plainToken"]
            token = zoom_module.encrypted_token(SECRET, plain)
            return JSONResponse({"plainToken": plain, "encryptedToken": token})
        if crash:
            raise RuntimeError("handler crashed")
        await asyncio.sleep(sleep)
        app.state.received.append(event["event"])
        return Response(status_code=204)

    app = Starlette(routes=[Route("/zoom/webhook", hook, methods=["POST"])])
    app.state.received = []
    return app


def test_asgi_apps_are_detected_and_delivered_to() -> None:
    app = starlette_receiver()
    assert isinstance(as_target(app, path="/zoom/webhook"), ASGITarget)
    zoom = Zoom(secret_token=SECRET, seed=1)
    zoom.subscribe(app, path="/zoom/webhook")
    delivery = zoom.send("meeting.started", topic="ASGI 🚀 review")
    delivery.assert_acknowledged()
    assert delivery.response is not None and delivery.response.reason == "No Content"
    assert app.state.received == ["meeting.started"]
    assert "in-process ASGI: Starlette" in delivery.target


def test_slow_asgi_app_is_cut_off_at_the_deadline_and_retried() -> None:
    zoom = Zoom(secret_token=SECRET, seed=1, deadline=0.1, clock=ProviderClock(lambda: T0))
    app = starlette_receiver(sleep=0.5)
    zoom.subscribe(app, path="/zoom/webhook")
    delivery = zoom.send("meeting.started")
    assert delivery.outcome is Outcome.TIMEOUT
    assert "the application was cancelled" in (delivery.error or "")
    assert delivery.elapsed < 0.5
    assert app.state.received == []
    assert delivery.next_step == "retry 1 at +5 min"


def test_asgi_app_exception_is_recorded() -> None:
    zoom = Zoom(secret_token=SECRET, seed=1)
    zoom.subscribe(starlette_receiver(crash=True), path="/zoom/webhook")
    delivery = zoom.send("meeting.started")
    # Starlette's error middleware answers 500, then re-raises: the traceback is kept.
    assert delivery.outcome is Outcome.SERVER_ERROR
    assert "RuntimeError: handler crashed" in (delivery.after_response_error or "")
    assert delivery.next_step == "retry 1 at +5 min"


def _auth_receiver(expected: dict[str, str], token_answers: list[tuple[str, bytes]]) -> Any:
    good = zoom_receiver(SECRET)
    seen: list[dict[str, str]] = []

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        if environ["PATH_INFO"] == "/oauth/token":
            seen.append({"token-request": environ.get("HTTP_AUTHORIZATION", "")})
            status, body = token_answers.pop(0) if token_answers else ("500 Oops", b"")
            start_response(status, [("Content-Type", "application/json")])
            return [body]
        headers = {k: v for k, v in environ.items() if k.startswith("HTTP_")}
        seen.append(headers)
        for key, value in expected.items():
            if headers.get(key) != value:
                start_response("401 Unauthorized", [])
                return [b"missing auth"]
        return good(environ, start_response)

    app.seen = seen  # type: ignore[attr-defined]
    return app


def test_basic_and_header_auth() -> None:
    basic = "Basic " + base64.b64encode(b"zoom:s3cr3t-pass").decode()
    zoom = Zoom(secret_token=SECRET, seed=1)
    app = _auth_receiver({"HTTP_AUTHORIZATION": basic}, [])
    zoom.subscribe(app, auth=BasicAuth("zoom", "s3cr3t-pass"))
    delivery = zoom.send("meeting.started")
    delivery.assert_acknowledged()
    text = delivery.describe()
    assert "s3cr3t-pass" not in text and basic.split()[1] not in text
    zoom2 = Zoom(secret_token=SECRET, seed=1)
    app2 = _auth_receiver({"HTTP_X_WEBHOOK_KEY": "k-123"}, [])
    zoom2.subscribe(app2, auth=HeaderAuth("x-webhook-key", "k-123"))
    zoom2.send("meeting.started").assert_acknowledged()
    with pytest.raises(ValueError, match="not a valid header name"):
        HeaderAuth("bad name", "v")


def test_oauth_token_is_fetched_cached_and_refreshed() -> None:
    answer = json.dumps(
        {"access_token": "tok-1", "token_type": "bearer", "expires_in": "3599"}
    ).encode()
    answer2 = answer.replace(b"tok-1", b"tok-2")
    app = _auth_receiver({"HTTP_AUTHORIZATION": "Bearer tok-1"}, [("200 OK", answer)] * 1)
    auth = OAuthClientCredentials("/oauth/token", "client-id", "client-secret")
    zoom = Zoom(secret_token=SECRET, seed=1, clock=ProviderClock(lambda: T0))
    zoom.subscribe(app, auth=auth)
    zoom.send("meeting.started").assert_acknowledged()
    zoom.send("meeting.ended").assert_acknowledged()
    assert auth.exchanges == 1
    client = base64.b64encode(b"client-id:client-secret").decode()
    assert app.seen[0] == {"token-request": f"Basic {client}"}  # type: ignore[attr-defined]
    app_tokens = app.seen  # type: ignore[attr-defined]
    zoom.advance(seconds=3600)
    # Expired: a new exchange, answered with another token that the receiver does not accept.
    new_app = _auth_receiver({"HTTP_AUTHORIZATION": "Bearer tok-2"}, [("200 OK", answer2)])
    zoom.subscriptions[0].target = as_target(new_app)
    zoom.send("meeting.started").assert_acknowledged()
    assert auth.exchanges == 2
    assert app_tokens is not new_app.seen  # type: ignore[attr-defined]


def test_failed_token_exchange_is_a_recorded_retried_failure() -> None:
    short = json.dumps({"access_token": "tok", "expires_in": 1}).encode()
    app = _auth_receiver({}, [("200 OK", short), ("403 Forbidden", b'{"error":"invalid_client"}')])
    auth = OAuthClientCredentials("/oauth/token", "client-id", "client-secret")
    zoom = Zoom(secret_token=SECRET, seed=1, clock=ProviderClock(lambda: T0))
    zoom.subscribe(app, auth=auth)  # the validation request carries the token too
    zoom.advance(seconds=2)
    delivery = zoom.send("meeting.started")
    assert delivery.outcome is Outcome.AUTH_ERROR
    assert "token exchange with https://receiver.test/oauth/token was answered 403" in (
        delivery.error or ""
    )
    assert delivery.next_step == "retry 1 at +5 min"
    assert "client-secret" not in delivery.describe()


def test_oauth_token_exchange_over_http_names_its_host() -> None:
    """HTTP/1.1 requires a Host header: a server that enforces it answers the exchange."""
    answer = json.dumps({"access_token": "tok-1", "token_type": "bearer"}).encode()
    inner = _auth_receiver({"HTTP_AUTHORIZATION": "Bearer tok-1"}, [("200 OK", answer)])
    hosts: list[str] = []

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        hosts.append(environ.get("HTTP_HOST", ""))
        return inner(environ, start_response)

    auth = OAuthClientCredentials("/oauth/token", "client-id", "client-secret")
    with serving(app) as base:
        zoom = Zoom(secret_token=SECRET, seed=1)
        zoom.subscribe(base + "/zoom/webhook", auth=auth)
        zoom.send("meeting.started").assert_acknowledged()
    netloc = base.removeprefix("http://")
    assert auth.exchanges == 1
    assert hosts and set(hosts) == {netloc}, hosts


def test_oauth_token_exchange_host_leaves_out_user_info() -> None:
    """A token URL with user-info (``https://user:pass@host/...``) names only its host in the
    Host header: the credentials are not sent, nor recorded, as a host."""
    answer = json.dumps({"access_token": "tok-1", "token_type": "bearer"}).encode()
    inner = _auth_receiver({"HTTP_AUTHORIZATION": "Bearer tok-1"}, [("200 OK", answer)])
    hosts: list[str] = []

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        hosts.append(environ.get("HTTP_HOST", ""))
        return inner(environ, start_response)

    with serving(app) as base:
        netloc = base.removeprefix("http://")
        auth = OAuthClientCredentials(
            f"http://someone:pa55word@{netloc}/oauth/token", "client-id", "client-secret"
        )
        zoom = Zoom(secret_token=SECRET, seed=1)
        zoom.subscribe(base + "/zoom/webhook", auth=auth)
        zoom.send("meeting.started").assert_acknowledged()
    assert auth.exchanges == 1
    assert hosts and set(hosts) == {netloc}, hosts
