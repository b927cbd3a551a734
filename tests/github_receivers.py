"""GitHub webhook receivers for the battery's tests: one built on githubkit as GitHub's docs
advise, and faulty ones, each wrong in one way."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from githubkit.webhooks import parse, verify

SECRET = "battery-secret"
Receiver = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _answer(start_response: Callable[..., Any], status: str) -> list[bytes]:
    start_response(status, [("Content-Type", "text/plain")])
    return [status.encode()]


def receiver(
    *,
    secret: str = SECRET,
    check_signature: bool = True,
    known_only: bool = False,
    reserialize: bool = False,
) -> Receiver:
    """A receiver: verifies the raw body with githubkit, then parses it into githubkit's models
    (400 for a body it cannot read), acknowledging what it does not handle."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        event = environ.get("HTTP_X_GITHUB_EVENT", "")
        signature = environ.get("HTTP_X_HUB_SIGNATURE_256", "")
        signed = body
        if reserialize:
            try:
                signed = json.dumps(json.loads(body)).encode()
            except ValueError:
                return _answer(start_response, "400 Bad Request")
        if check_signature and not (signature and verify(secret, signed, signature)):
            return _answer(start_response, "401 Unauthorized")
        if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
            body = parse_qs(body.decode("ascii")).get("payload", [""])[0].encode()
        try:
            parse(event, body)
        except Exception:  # githubkit raises for an unknown event name or a malformed body
            if known_only or not event or not body:
                return _answer(start_response, "400 Bad Request")
            try:
                json.loads(body)
            except ValueError:
                return _answer(start_response, "400 Bad Request")
            return _answer(start_response, "202 Accepted")
        return _answer(start_response, "200 OK")

    return app


def warm_up(events: Iterable[str]) -> None:
    """Build githubkit's models of *events* once (seconds for the largest), so that the time a
    receiver takes to answer is its own, not githubkit's first parse."""
    from hookmock.providers.github import GitHub

    github = GitHub(secret=SECRET, seed=0)
    for name in events:
        parse(name.partition(".")[0], github.fake(name).body)
