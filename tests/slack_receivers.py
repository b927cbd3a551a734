"""Slack receivers for the tests: a Bolt for Python app (Slack's own framework, the judge) served
in-process through its Flask adapter, and small WSGI receivers with one deliberate fault each."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

from flask import Flask, request
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient
from slack_sdk.signature import Clock, SignatureVerifier
from werkzeug.wrappers import Request, Response

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
PATH = "/slack/events"


class _Clock(Clock):
    """slack_sdk's clock reading another clock."""

    def __init__(self, read: Callable[[], float]) -> None:
        self.read = read

    def now(self) -> float:
        return self.read()


def bolt_app(secret: str, *, bot_user_id: str = "U0000000001") -> tuple[Flask, list[Any]]:
    """A Bolt app with ``app_mention``, ``message`` and ``reaction_added`` listeners, the
    ``/deploy`` command, the ``approve`` action, the ``open_report`` shortcut and the
    ``feedback`` view, served by Flask at :data:`PATH`; what its listeners received, in order.

    Nothing reaches the network: the app authorizes every workspace itself (no ``auth.test``)
    and its Web API client points at a closed local port.
    """
    received: list[Any] = []

    def authorize(enterprise_id: Any, team_id: Any, user_id: Any, logger: Any) -> AuthorizeResult:
        return AuthorizeResult(
            enterprise_id=enterprise_id,
            team_id=team_id,
            bot_token="xoxb-hookmock-test",
            bot_user_id=bot_user_id,
            bot_id="B0000000001",
        )

    app = App(
        signing_secret=secret,
        authorize=authorize,
        client=WebClient(base_url="http://127.0.0.1:9/"),
        # Listeners run before the answer, so that a test sees what they received.
        process_before_response=True,
    )

    @app.event("app_mention")
    def on_mention(event: dict[str, Any]) -> None:
        received.append(("app_mention", event))

    @app.event("message")
    def on_message(event: dict[str, Any]) -> None:
        received.append(("message", event))

    @app.event("reaction_added")
    def on_reaction(event: dict[str, Any]) -> None:
        received.append(("reaction_added", event))

    @app.command("/deploy")
    def on_command(ack: Any, command: dict[str, Any]) -> None:
        ack()
        received.append(("command", command))

    @app.action("approve")
    def on_action(ack: Any, body: dict[str, Any]) -> None:
        ack()
        received.append(("block_actions", body))

    @app.shortcut("open_report")
    def on_shortcut(ack: Any, shortcut: dict[str, Any]) -> None:
        ack()
        received.append(("shortcut", shortcut))

    @app.view("feedback")
    def on_view(ack: Any, view: dict[str, Any]) -> None:
        ack()
        received.append(("view_submission", view))

    flask_app = Flask("hookmock-slack-test")
    handler = SlackRequestHandler(app)

    @flask_app.route(PATH, methods=["POST"])
    def events() -> Any:
        return handler.handle(request)

    return flask_app, received


def slack_receiver(
    secret: str,
    *,
    answer: Callable[[str], Response] | None = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
    statuses: list[int] | None = None,
    clock: Callable[[], float] | None = None,
) -> WSGIApp:
    """A receiver that verifies the signature with slack_sdk and answers ``url_verification``
    with the challenge as plain text.

    :param answer: makes the answer to ``url_verification`` from the challenge: a fault hook.
    :param statuses: the statuses of the next events, in order (then *status*).
    :param clock: the clock the timestamp is checked against (the provider's, when it is
        frozen); the system's by default.
    """
    verifier = SignatureVerifier(secret, clock=_Clock(clock) if clock else Clock())
    pending = list(statuses or [])

    @Request.application  # type: ignore[arg-type]
    def app(req: Request) -> Response:
        body = req.get_data()
        app.requests.append((dict(req.headers), body))  # type: ignore[attr-defined]
        if not verifier.is_valid_request(body, dict(req.headers)):
            return Response("invalid signature", status=401)
        if req.mimetype == "application/x-www-form-urlencoded":
            form = dict(parse_qsl(body.decode(), keep_blank_values=True))
            data = json.loads(form["payload"]) if "payload" in form else form
        else:
            data = json.loads(body)
        if data.get("type") == "url_verification":
            if answer is not None:
                return answer(data["challenge"])
            return Response(data["challenge"], content_type="text/plain")
        code = pending.pop(0) if pending else status
        return Response(status=code, headers=headers or {})

    app.requests = []  # type: ignore[attr-defined]
    return app  # type: ignore[no-any-return]
