"""Helpers for the mock server's tests: a small HTTP client for loopback only, and the
``receiver`` and ``api`` fixtures (a plugin, loaded by the project's conftest.py)."""

from __future__ import annotations

import base64
import io
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from hookmock import Zoom
from hookmock.server import MockServer
from hookmock.server.state import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from tests.receivers import serving, zoom_receiver

# No proxy, whatever the environment says: the tests talk to 127.0.0.1 only.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def message(self) -> str:
        return str(self.json()["message"])


def http(
    method: str,
    url: str,
    *,
    json_body: Any = None,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    assert url.startswith(("http://127.0.0.1:", "http://[::1]:")), url
    sent = dict(headers or {})
    if json_body is not None:
        data = json.dumps(json_body).encode()
        sent.setdefault("Content-Type", "application/json")
    request = urllib.request.Request(url, data=data, method=method, headers=sent)
    try:
        # A hang guard only: a first request that loads a library can be slow on a busy machine.
        with _OPENER.open(request, timeout=60) as answer:
            return Reply(answer.status, dict(answer.headers), answer.read())
    except urllib.error.HTTPError as error:
        with error:
            return Reply(error.code, dict(error.headers), error.read())


class Api:
    """Calls to one server: ``api.post("/_hookmock/trigger", {...})``."""

    def __init__(self, base_url: str) -> None:
        self.base = base_url

    def get(self, path: str, **kwargs: Any) -> Reply:
        return http("GET", self.base + path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Reply:
        """A POST of *body* as JSON; without a body, an empty one declared JSON all the same
        (control requests must declare it)."""
        return self.call("POST", path, body, **kwargs)

    def call(self, method: str, path: str, body: Any = None, **kwargs: Any) -> Reply:
        headers = {"Content-Type": "application/json", **kwargs.pop("headers", {})}
        return http(method, self.base + path, json_body=body, headers=headers, **kwargs)

    def token(
        self,
        grant: str = "account_credentials",
        *,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
    ) -> str:
        reply = self.post(
            f"/oauth/token?grant_type={grant}&account_id=acct-1",
            headers={"Authorization": basic(client_id, client_secret)},
        )
        assert reply.status == 200, reply.body
        return str(reply.json()["access_token"])

    def bearer(self) -> dict[str, str]:
        return {"Authorization": "Bearer " + self.token()}

    def subscribe(self, url: str, events: list[str] | None = None, **fields: Any) -> Reply:
        body = {
            "events": events or ["meeting.started", "recording.completed"],
            "event_subscription_name": "receiver",
            "event_webhook_url": url,
            **fields,
        }
        return self.post("/v2/marketplace/app/event_subscription", body, headers=self.bearer())


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.fixture
def receiver(zoom: Zoom) -> Iterator[Any]:
    """A correct Zoom receiver, served; its webhook URL is ``receiver.url``."""
    app = zoom_receiver(zoom.secret_token)
    with serving(app) as base:
        app.url = base + "/zoom/webhook"  # type: ignore[attr-defined]
        yield app


@pytest.fixture
def api(hookmock_server: MockServer) -> Api:
    """Calls to the session's mock server."""
    return Api(hookmock_server.url)


class FirstLine(io.StringIO):
    """Standard output that tells when the first line (the URL) has been printed."""

    def __init__(self) -> None:
        super().__init__()
        self.ready = threading.Event()

    def write(self, text: str) -> int:
        count = super().write(text)
        if "\n" in self.getvalue():
            self.ready.set()
        return count
