"""Slack's adapter for the Events API: signs, delivers and retries events as Slack does.

What it simulates (Slack's pages "The Events API", https://api.slack.com/apis/events-api, and
"Verifying requests from Slack"):

- each request is a POST of the ``event_callback`` JSON with ``User-Agent: Slackbot 1.0
  (+https://api.slack.com/robots)``, ``Content-Type: application/json``,
  ``X-Slack-Request-Timestamp`` and ``X-Slack-Signature: v0=<hex HMAC-SHA256 of
  "v0:{timestamp}:{body}">`` keyed by the app's signing secret;
- the handshake is ``url_verification`` (``{"token", "challenge", "type"}``), signed like every
  request; the receiver must answer 200 with the challenge, as plain text, as JSON
  ``{"challenge": ...}`` or form-encoded ``challenge=...`` (the three answers Slack's
  ``url_verification`` page lists);
- a delivery succeeds on a 2xx within 3 s; anything else is retried up to 3 times: nearly at
  once, after 1 minute and after 5 minutes, each retry carrying ``X-Slack-Retry-Num`` (1, 2, 3)
  and ``X-Slack-Retry-Reason`` (``http_timeout``, ``connection_failed``, ``ssl_error``,
  ``http_error``, ``unknown_error``); a failed answer with the header ``X-Slack-No-Retry: 1`` is
  not retried.
"""

from __future__ import annotations

import base64
import json
import os
import random
import re
import string
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ...engine.adapter import Adapter, Simulator
from ...engine.delivery import Delivery
from ...engine.subscription import Subscription
from ...errors import ConfigurationError
from ...generate.events import Event
from ...records.exchange import Request, host_header
from ...records.outcome import Outcome
from .catalog import CATALOG_NAME
from .catalog import register as register_catalog
from .events import OPTIONAL
from .handshake import verify_endpoint
from .interactive import FORM_CONTENT_TYPE, FORM_EVENTS, form_body
from .protocol import (
    CONTENT_TYPE,
    DEADLINE,
    NO_RETRY_HEADER,
    RETRY_DELAYS,
    RETRY_NUM_HEADER,
    RETRY_REASON_HEADER,
    SECRET_ENV,
    URL_VERIFICATION,
    USER_AGENT,
)
from .signature import HEADER_SIGNATURE, HEADER_TIMESTAMP, generate_secret, sign, signed_headers

if TYPE_CHECKING:
    from ...conformance.base import Suite

__all__ = ["SlackAdapter", "retry_reason"]

_ID_CHARS = string.ascii_uppercase + string.digits
_TOKEN_CHARS = string.ascii_letters + string.digits
_TS = re.compile(r"^[0-9]{10}\.[0-9]{6}$")
#: Integer fields of inner events that hold a time: set around the event's time.
_PAST_EPOCHS = frozenset(
    {"created", "updated", "date_create", "date_update", "date_previous_update", "cache_ts"}
)
_FUTURE_EPOCHS = frozenset({"next_dnd_start_ts", "next_dnd_end_ts"})
#: Inner events whose ``ts`` is the event's own time (a message posted now).
_POSTED = frozenset({"message", "app_mention"})


def _posted(inner: dict[str, Any]) -> bool:
    """Whether an inner event is a posted message (its type may be any JSON an override set)."""
    kind = inner.get("type")
    return type(kind) is str and kind in _POSTED


def _slack_id(rng: random.Random, prefix: str, length: int = 10) -> str:
    return prefix + "".join(rng.choice(_ID_CHARS) for _ in range(length))


def retry_reason(delivery: Delivery) -> str:
    """The ``X-Slack-Retry-Reason`` of a retry after *delivery* failed."""
    outcome = delivery.outcome
    if outcome in (Outcome.TIMEOUT, Outcome.LATE):
        return "http_timeout"
    if outcome is Outcome.CONNECTION_ERROR:
        error = (delivery.error or "").lower()
        return "ssl_error" if "ssl" in error or "certificate" in error else "connection_failed"
    if outcome in (Outcome.REJECTED, Outcome.SERVER_ERROR, Outcome.REDIRECTED, Outcome.APP_ERROR):
        return "http_error"
    return "unknown_error"


class SlackAdapter(Adapter):
    """What Slack does (see the module): the options are :class:`~hookmock.Slack`'s
    ``secret``, ``verification_token``, ``team_id``, ``api_app_id``, ``bot_user_id`` and
    ``user_agent``; the ids left out are drawn from the simulator's seed when it binds the
    adapter."""

    name = CATALOG_NAME
    title = "Slack"
    default_deadline = DEADLINE
    secret_option = "secret"
    secret_env = SECRET_ENV
    retry_delays = RETRY_DELAYS
    signature_headers = (HEADER_TIMESTAMP, HEADER_SIGNATURE)
    timestamp_header = HEADER_TIMESTAMP
    field_levels = ("event", "")

    def __init__(
        self,
        *,
        secret: str | None = None,
        verification_token: str | None = None,
        team_id: str | None = None,
        api_app_id: str | None = None,
        bot_user_id: str | None = None,
        user_agent: str = USER_AGENT,
    ) -> None:
        # The arguments hold secrets: pytest does not show this frame's locals.
        __tracebackhide__ = True
        if secret is None:
            secret = os.environ.get(SECRET_ENV) or generate_secret()
        if not isinstance(secret, str) or not secret:
            raise ConfigurationError(
                "secret must be a non-empty string (the app's signing secret, under Basic "
                f"Information > App Credentials); set it or {SECRET_ENV}, or leave both out "
                "for a random one"
            )
        self.signing_secret = secret
        for label, value, prefix in (
            ("team_id", team_id, "T"),
            ("api_app_id", api_app_id, "A"),
            ("bot_user_id", bot_user_id, "U"),
        ):
            if value is not None and not re.fullmatch(f"{prefix}[0-9A-Z]{{8,10}}", value):
                raise ConfigurationError(
                    f"{label} must look like Slack's ids: {prefix!r} and 8 to 10 uppercase "
                    f"letters or digits, got {value!r}"
                )
        self._given = (verification_token, team_id, api_app_id, bot_user_id)
        self.verification_token = verification_token or ""
        self.team_id = team_id or ""
        self.api_app_id = api_app_id or ""
        self.bot_user_id = bot_user_id or ""
        self.user_agent = user_agent
        register_catalog()

    def bind(self, sim: Simulator) -> None:
        super().bind(sim)
        # Drawn whichever are given, so that giving one leaves the others as they were.
        ids = random.Random(sim.seed ^ 0x51AC)
        token = "".join(ids.choice(_TOKEN_CHARS) for _ in range(24))
        team, app, bot = _slack_id(ids, "T"), _slack_id(ids, "A"), _slack_id(ids, "U")
        verification_token, team_id, api_app_id, bot_user_id = self._given
        self.verification_token = verification_token or token
        self.team_id = team_id or team
        self.api_app_id = api_app_id or app
        self.bot_user_id = bot_user_id or bot

    def scenarios(self) -> Mapping[str, tuple[str, Mapping[str, Any]]]:
        from .scenarios import SCENARIOS

        return {name: (about, defaults) for name, (about, defaults, _) in SCENARIOS.items()}

    def scenario_steps(self, name: str, **params: Any) -> Sequence[tuple[float, Event]]:
        """The events of scenario *name* and when each is due (see
        :mod:`hookmock.providers.slack.scenarios`)."""
        from ..simulator import simulator_of
        from .scenarios import build_scenario

        return [
            (step.at, step.event)
            for step in build_scenario(
                simulator_of(self), name, bot_user_id=self.bot_user_id, **params
            )
        ]

    def conformance_suite(self) -> Suite:
        from .battery import SUITE

        return SUITE

    @classmethod
    def signer(cls, secrets: Sequence[str]) -> Callable[[bytes, int | None], dict[str, str]]:
        if len(secrets) != 1:
            raise ConfigurationError(f"Slack signs with one signing secret, got {len(secrets)}")
        (secret,) = secrets

        def sign_body(body: bytes, timestamp: int | None) -> dict[str, str]:
            return signed_headers(secret, body, timestamp=timestamp)

        return sign_body

    # -- what the provider is -------------------------------------------------------------------

    @property
    def secret(self) -> str:
        """The signing secret deliveries are signed with."""
        return self.signing_secret

    def secrets(self) -> tuple[str, ...]:
        return (self.signing_secret, self.verification_token)

    def retryable(self, outcome: Outcome) -> bool:
        # Slack retries every failure: a timeout, a failed connection, any answer outside 2xx.
        return outcome is not Outcome.ACKNOWLEDGED

    def final_step(self, delivery: Delivery) -> str | None:
        response = delivery.response
        if response is not None and (response.header(NO_RETRY_HEADER) or "").strip() == "1":
            return "the receiver answered X-Slack-No-Retry: 1"
        if delivery.event.name in FORM_EVENTS:
            # The person who typed the command or pressed the button sees an error; Slack
            # does not post it again.
            return "Slack does not retry slash commands and interactivity payloads"
        return None

    def retry_request_headers(self, failed: Delivery) -> dict[str, str]:
        """A retry carries ``X-Slack-Retry-Num`` (1 for the first) and
        ``X-Slack-Retry-Reason`` (why the attempt before it failed)."""
        return {RETRY_NUM_HEADER: str(failed.attempt), RETRY_REASON_HEADER: retry_reason(failed)}

    def build_request(
        self,
        event: Event,
        subscription: Subscription,
        *,
        sent_at: float,
        timestamp: int | str | None = None,
    ) -> Request:
        ts = self.sim.signing_timestamp(sent_at, timestamp)
        body = event.body
        headers = (
            ("host", host_header(subscription.url)),
            ("user-agent", self.user_agent),
            ("content-length", str(len(body))),
            ("accept", "*/*"),
            ("accept-encoding", "gzip,deflate"),
            (
                "content-type",
                FORM_CONTENT_TYPE if event.name in FORM_EVENTS else CONTENT_TYPE,
            ),
            (HEADER_TIMESTAMP, ts),
            (HEADER_SIGNATURE, sign(self.signing_secret, ts, body)),
        )
        return Request("POST", subscription.url, headers, body)

    # -- events ---------------------------------------------------------------------------------

    def encode(self, event: Event) -> Event:
        """Slash commands and interactivity payloads are posted form-encoded."""
        if event.name not in FORM_EVENTS:
            return event
        body = form_body(event.name, event.data, event.body)
        return Event(event.name, event.data, body, event.seed, "form", event.overridden)

    def cohere(
        self,
        event: str,
        data: Any,
        *,
        seed: int,
        now: float,
        overridden: frozenset[str],
        full: bool = False,
    ) -> None:
        """Make a generated body coherent as Slack's are: ``token``, ``team_id``,
        ``api_app_id`` and ``authorizations`` are this app's; ``event_time`` and
        ``event.event_ts`` are the event's time (*now*), and so is a posted message's ``ts``;
        other message timestamps come before it; ``event_context`` encodes the ids. Fields
        given as overrides are left as given."""
        if not isinstance(data, dict):
            return
        name = event
        when = int(now)

        def free(path: str) -> bool:
            return not any(
                o == path or o.startswith(path + ".") or path.startswith(o + ".")
                for o in overridden
            )

        def put(node: dict[str, Any], key: str, path: str, value: Any) -> None:
            if free(path) and key in node:
                node[key] = value

        put(data, "token", "token", self.verification_token)
        put(data, "team_id", "team_id", self.team_id)
        put(data, "api_app_id", "api_app_id", self.api_app_id)
        if name in FORM_EVENTS:
            self._cohere_form(data, when, free)
            return
        if name == URL_VERIFICATION or name == "app_rate_limited":
            put(data, "minute_rate_limited", "minute_rate_limited", when // 60 * 60)
            return
        put(data, "context_team_id", "context_team_id", self.team_id)
        put(data, "context_enterprise_id", "context_enterprise_id", None)
        put(data, "event_time", "event_time", when)
        put(data, "is_ext_shared_channel", "is_ext_shared_channel", False)
        if free("authorizations") and isinstance(data.get("authorizations"), list):
            data["authorizations"] = [
                {
                    "enterprise_id": None,
                    "team_id": self.team_id,
                    "user_id": self.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ]
        inner = data.get("event")
        if not isinstance(inner, dict):
            return
        if not full:
            for key in OPTIONAL.get(name, ()):
                if free(f"event.{key}"):
                    inner.pop(key, None)
        event_ts = inner.get("event_ts")
        if isinstance(event_ts, str) and _TS.match(event_ts) and free("event.event_ts"):
            event_ts = f"{when}.{event_ts[-6:]}"
            inner["event_ts"] = event_ts
        if _posted(inner) and isinstance(event_ts, str):
            put(inner, "ts", "event.ts", event_ts)
        if "team" in inner:
            put(inner, "team", "event.team", self.team_id)
        _times(inner, "event", when, free)
        if name == "app_mention" and free("event.text") and isinstance(inner.get("text"), str):
            inner["text"] = f"<@{self.bot_user_id}> {inner['text']}"
        if free("event_context"):
            channel = inner.get("channel")
            context = {
                "et": inner.get("type"),
                "tid": data.get("team_id"),
                "aid": data.get("api_app_id"),
            }
            if isinstance(channel, str):
                context["cid"] = channel
            raw = json.dumps(context, separators=(",", ":")).encode()
            put(
                data,
                "event_context",
                "event_context",
                "4-" + base64.urlsafe_b64encode(raw).decode().rstrip("="),
            )

    def _cohere_form(self, data: dict[str, Any], now: int, free: Callable[[str], bool]) -> None:
        """Slash commands and interactivity payloads: this app's team, the action's time."""
        for path in ("team.id", "user.team_id", "view.team_id"):
            head, _, key = path.partition(".")
            node = data.get(head)
            if isinstance(node, dict) and key in node and free(path):
                node[key] = self.team_id
        _times(data, "", now, free)
        if "action_ts" in data and free("action_ts"):
            data["action_ts"] = f"{now}.{str(data['action_ts'])[-6:]}"
        for index, action in enumerate(data.get("actions") or ()):
            if isinstance(action, dict) and free(f"actions.{index}.action_ts"):
                action["action_ts"] = f"{now}.{str(action.get('action_ts'))[-6:]}"
        message = data.get("message")
        if isinstance(message, dict) and "message_ts" in data and free("message.ts"):
            message["ts"] = data["message_ts"]

    # -- the handshake --------------------------------------------------------------------------

    def validate_endpoint(self, subscription: Subscription) -> Delivery:
        """Send Slack's signed ``url_verification`` and check that the challenge comes back.

        :raises SubscriptionError: with the request, the answer, what was expected and a hint.
        """
        __tracebackhide__ = True
        event = self.sim.fake(URL_VERIFICATION)
        delivery = self.sim.deliver(event, subscription)
        verify_endpoint(subscription, delivery, event.data["challenge"], self.verification_token)
        subscription.validated_at = delivery.sent_at
        return delivery


def _times(node: dict[str, Any], path: str, now: int, free: Callable[[str], bool]) -> None:
    """Put the timestamps below *node* (other than its ``event_ts`` and a posted ``ts``) before
    *now*, and the times to come after it; each keeps the digits it was drawn with."""
    for key, value in node.items():
        where = f"{path}.{key}"
        if isinstance(value, dict):
            _times(value, where, now, free)
        elif not free(where) or key in ("event_ts", "action_ts"):
            continue
        elif isinstance(value, str) and _TS.match(value):
            if key == "ts" and _posted(node) and path == "event":
                continue
            node[key] = f"{now - 1 - int(value[:10]) % 3600}.{value[-6:]}"
        elif isinstance(value, int) and not isinstance(value, bool):
            if key in _PAST_EPOCHS:
                node[key] = now - 1 - value % 86400
            elif key in _FUTURE_EPOCHS:
                node[key] = now + 1 + value % 86400
