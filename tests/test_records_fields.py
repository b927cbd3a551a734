"""The records a send makes are plain ``__slots__`` classes that the dataclasses module, pickle
and pytest still treat as the dataclasses they were."""

from __future__ import annotations

import dataclasses
import functools
import inspect
import pickle
import subprocess
import sys
from typing import Any

import pytest

from hookmock import Delivery, Outcome, Request, Response
from hookmock.engine.subscription import Subscription
from hookmock.generate.events import Event
from hookmock.records.exchange import Attempt
from hookmock.transports.targets import is_asgi


def _delivery() -> Delivery:
    request = Request(
        "POST", "http://127.0.0.1/hook", [("Content-Type", "application/json")], b"{}"
    )
    response = Response(200, "OK", [("X-A", "1")], b"ok")
    event = Event.from_body(b'{"event":"meeting.started"}', name="meeting.started")
    return Delivery(event, request, response, 0.01, Outcome.ACKNOWLEDGED, 3.0, 1.0, "app")


def test_fields_are_the_dataclasses_ones() -> None:
    assert [f.name for f in dataclasses.fields(Request)] == [
        "method",
        "url",
        "_names",
        "_values",
        "body",
    ]
    assert [f.name for f in dataclasses.fields(Response)][-1] == "truncated"
    assert [f.name for f in dataclasses.fields(Attempt)] == [
        "response",
        "elapsed",
        "error",
        "outcome",
        "after_response_error",
    ]
    names = [f.name for f in dataclasses.fields(Delivery)]
    assert names[:3] == ["event", "request", "response"] and names[-1] == "after_response_error"
    assert dataclasses.fields(Subscription)[4].default is None
    headers = {f.name: f for f in dataclasses.fields(Request)}["_names"]
    assert headers.metadata["field"] == "headers" and not headers.repr
    assert all(dataclasses.is_dataclass(kind) for kind in (Request, Delivery, Subscription))


def test_replace_and_asdict() -> None:
    delivery = _delivery()
    again = dataclasses.replace(delivery, attempt=2)
    assert type(again) is Delivery and again.attempt == 2 and again.request == delivery.request
    assert dataclasses.replace(delivery.request, body=b"[]").headers == delivery.request.headers
    attempt = Attempt(delivery.response, 0.5)
    assert dataclasses.asdict(attempt)["elapsed"] == 0.5
    subscription = Subscription("s1", "name", "target", None)
    assert dataclasses.replace(subscription, active=False).active is False
    # What copy.replace() calls (Python 3.13), as a dataclass has it.
    assert subscription.__replace__(failures=2).failures == 2
    assert delivery.response.__replace__(status=500).status == 500
    assert attempt.__replace__(error="late").error == "late"


def test_equality_hash_and_immutability() -> None:
    first, second = _delivery(), _delivery()
    assert first.request == second.request and hash(first.request) == hash(second.request)
    assert first.response == second.response and hash(first.response) == hash(second.response)
    assert first == second and dataclasses.replace(first, attempt=2) != second
    assert first != first.request
    with pytest.raises(TypeError):
        hash(first)
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'body'"):
        first.request.body = b""  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot delete field 'status'"):
        del first.response.status  # type: ignore[misc]
    assert Attempt(None, 1.0) == Attempt(None, 1.0) != Attempt(None, 2.0)
    assert repr(Attempt(None, 1.0, "late")) == (
        "Attempt(response=None, elapsed=1.0, error='late', outcome=None, after_response_error=None)"
    )


def test_pickled_and_copied() -> None:
    delivery = _delivery()
    for record in (delivery.request, delivery.response, Attempt(delivery.response, 0.5)):
        assert pickle.loads(pickle.dumps(record)) == record


async def _asgi(scope: Any, receive: Any, send: Any) -> None:
    return None


def _wsgi(environ: Any, start_response: Any) -> list[bytes]:
    return []


class _CallableWSGI:
    def __call__(self, environ: Any, start_response: Any) -> list[bytes]:
        return []


class _CallableASGI:
    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        return None

    async def method(self, scope: Any, receive: Any, send: Any) -> None:
        return None


@pytest.mark.parametrize(
    "app",
    [
        _asgi,
        _wsgi,
        _CallableWSGI(),
        _CallableASGI(),
        _CallableASGI().method,
        functools.partial(_asgi),
        functools.partial(_wsgi),
        _CallableASGI,
        lambda environ, start_response: [],
    ],
)
def test_is_asgi_answers_as_inspect_does(app: Any) -> None:
    expected = inspect.iscoroutinefunction(app) or inspect.iscoroutinefunction(type(app).__call__)
    assert is_asgi(app) is expected


FIRST_SEND = """
import hashlib, hmac, json, sys
import hookmock

def app(environ, start_response):
    body = json.loads(environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"])))
    if body["event"] == "endpoint.url_validation":
        plain = body["payload"]["plainToken"]
        token = hmac.new(b"s", plain.encode(), hashlib.sha256).hexdigest()
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps({"plainToken": plain, "encryptedToken": token}).encode()]
    start_response("204 No Content", [])
    return []

zoom = hookmock.Zoom(secret_token="s", seed=1)
zoom.subscribe(app, path="/hook")
assert zoom.send("meeting.started").acknowledged
print(sorted(m for m in ("dataclasses", "inspect", "difflib", "ast") if m in sys.modules))
"""


def test_first_send_imports_neither_dataclasses_nor_inspect() -> None:
    done = subprocess.run(
        [sys.executable, "-c", FIRST_SEND], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
