"""GitHub's adapter: repository (or organization, or App) webhooks as GitHub sends them.

What it simulates (https://docs.github.com/en/webhooks):

- each delivery is a POST with ``X-GitHub-Event`` (the event's name without its action),
  ``X-GitHub-Delivery`` (a GUID), ``X-GitHub-Hook-ID``, ``X-GitHub-Hook-Installation-Target-Type``
  and ``-ID`` (what the webhook is installed on), ``User-Agent: GitHub-Hookshot/<7 hex>``,
  ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`` and the legacy
  ``X-Hub-Signature: sha1=<hex>``; the body is the event's JSON, or with a webhook set to
  ``content_type="form"``, ``payload=<the JSON, URL-encoded>``
  (https://docs.github.com/en/webhooks/webhook-events-and-payloads#delivery-headers);
- creating a webhook sends it the ``ping`` event (``zen``, ``hook_id``, ``hook``);
- GitHub waits 10 s for an answer and counts only a 2xx as a success
  (https://docs.github.com/en/webhooks/using-webhooks/handling-failed-webhook-deliveries); it
  retries nothing by itself: a failed delivery is redelivered by hand (:meth:`GitHub.resend`),
  with the same body, signature and ``X-GitHub-Delivery``.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ...conformance.base import Suite
from ...engine.adapter import Adapter, Simulator
from ...engine.delivery import Delivery
from ...engine.subscription import Subscription
from ...errors import ConfigurationError, SubscriptionError
from ...generate.events import Event
from ...records.exchange import Request, host_header
from ...records.masking import mask_url
from ...records.outcome import Outcome
from .battery import SUITE
from .catalog import CATALOG_NAME, event_header
from .catalog import register as register_catalog
from .signature import (
    CONTENT_TYPES,
    HEADER_DELIVERY,
    HEADER_EVENT,
    HEADER_HOOK_ID,
    HEADER_SIGNATURE,
    HEADER_SIGNATURE_256,
    HEADER_TARGET_ID,
    HEADER_TARGET_TYPE,
    form_body,
    generate_secret,
    sign,
    sign_sha1,
)

__all__ = ["DEADLINE", "SECRET_ENV", "TARGET_TYPES", "GitHubAdapter", "Hook", "diagnose_ping"]

#: Seconds GitHub waits for an answer.
DEADLINE = 10.0
#: The environment variable the secret is read from when none is given.
SECRET_ENV = "GITHUB_WEBHOOK_SECRET"
#: What a webhook can be installed on (``X-GitHub-Hook-Installation-Target-Type``), and the
#: ``hook.type`` of its ping.
TARGET_TYPES = {"repository": "Repository", "organization": "Organization", "integration": "App"}
#: GitHub's zen sayings, one of which each ping carries (GET https://api.github.com/zen).
ZEN = (
    "Design for failure.",
    "Keep it logically awesome.",
    "Speak like a human.",
    "Half measures are as bad as nothing at all.",
    "Avoid administrative distraction.",
    "Mind your words, they are important.",
    "Non-blocking is better than blocking.",
    "Encourage flow.",
    "Anything added dilutes everything else.",
    "Approachable is better than simple.",
    "Practicality beats purity.",
    "Responsive is better than fast.",
    "It's not fully shipped until it's fast.",
)


@dataclass(frozen=True)
class Hook:
    """A webhook's settings on the simulated GitHub: its id, what it is installed on, and how
    it delivers."""

    id: int
    target_type: str
    target_id: int
    content_type: str


class GitHubAdapter(Adapter):
    """What GitHub does (see the module): the options are :class:`~hookmock.GitHub`'s
    ``secret``, ``target_type``, ``target_id`` and ``strict_ping``."""

    name = CATALOG_NAME
    title = "GitHub"
    default_deadline = DEADLINE
    secret_option = "secret"
    secret_env = SECRET_ENV
    # GitHub does not retry a failed delivery; it is redelivered by hand.
    retry_delays = ()
    signature_headers = (HEADER_SIGNATURE_256, HEADER_SIGNATURE)
    retry_headers = (HEADER_DELIVERY,)
    field_levels = ("",)

    def __init__(
        self,
        *,
        secret: str | None = None,
        target_type: str = "repository",
        target_id: int | None = None,
        strict_ping: bool = True,
    ) -> None:
        # The arguments may hold secrets: pytest does not show this frame's locals.
        __tracebackhide__ = True
        if secret is not None and (not isinstance(secret, str) or not secret):
            raise ConfigurationError(
                f"secret must be a non-empty string (the webhook's secret); set it or "
                f"{SECRET_ENV}, or leave it out for a random one"
            )
        if target_type not in TARGET_TYPES:
            raise ConfigurationError(
                f"target_type must be one of {', '.join(map(repr, TARGET_TYPES))} (what the "
                f"webhook is installed on), got {target_type!r}"
            )
        self._secret = secret or os.environ.get(SECRET_ENV) or generate_secret()
        self.target_type = target_type
        self.strict_ping = strict_ping
        self._target_id = target_id
        #: The id of the repository, organization or App the webhooks are installed on.
        self.target_id = target_id or 0
        #: ``User-Agent``: GitHub-Hookshot and 7 hex digits (a build of GitHub's sender).
        self.user_agent = ""
        self.hooks: dict[str, Hook] = {}
        #: The payload format of the webhook created next (:meth:`GitHub.subscribe` sets it).
        self.next_content_type = "json"
        self._header_ids = random.Random(0)
        register_catalog()

    def bind(self, sim: Simulator) -> None:
        super().bind(sim)
        # Header values draw from their own sequence, so that they leave every other seeded
        # value as it was.
        self._header_ids = random.Random(sim.seed ^ 0x6117)
        self.target_id = (
            self._target_id
            if self._target_id is not None
            else self._header_ids.randrange(10**8, 10**9)
        )
        self.user_agent = f"GitHub-Hookshot/{self._header_ids.getrandbits(28):07x}"

    @classmethod
    def signer(cls, secrets: Sequence[str]) -> Callable[[bytes, int | None], dict[str, str]]:
        """GitHub's signature headers of a body (GitHub signs no timestamp: *timestamp* is not
        used)."""
        if len(secrets) != 1:
            raise ConfigurationError(f"GitHub signs with one webhook secret, got {len(secrets)}")
        (secret,) = secrets

        def sign_body(body: bytes, timestamp: int | None) -> dict[str, str]:
            return {
                "content-type": "application/json",
                HEADER_SIGNATURE_256: sign(secret, body),
                HEADER_SIGNATURE: sign_sha1(secret, body),
            }

        return sign_body

    # -- what the provider is -------------------------------------------------------------------

    def scenarios(self) -> Mapping[str, tuple[str, Mapping[str, Any]]]:
        from .scenarios import SCENARIOS

        return SCENARIOS

    def scenario_steps(self, name: str, **params: Any) -> Sequence[tuple[float, Event]]:
        """The events of scenario *name* and when each is due (see
        :mod:`hookmock.providers.github.scenarios`)."""
        from ..simulator import simulator_of
        from .scenarios import build_scenario

        return build_scenario(simulator_of(self), name, **params)

    def conformance_suite(self) -> Suite:
        """The receiver conformance battery (:mod:`hookmock.providers.github.battery`)."""
        return SUITE

    @property
    def secret(self) -> str:
        """The secret deliveries are signed with."""
        return self._secret

    def secrets(self) -> tuple[str, ...]:
        return (self._secret,)

    def retryable(self, outcome: Outcome) -> bool:
        # GitHub retries nothing on its own.
        return False

    def hook_for(self, subscription: Subscription) -> Hook:
        """The webhook settings of *subscription*."""
        hook = self.hooks.get(subscription.id)
        if hook is None:
            hook = self.hooks[subscription.id] = Hook(
                id=self._header_ids.randrange(10**8, 10**9),
                target_type=self.target_type,
                target_id=self.target_id,
                content_type=self.next_content_type,
            )
        return hook

    def delivery_id(self) -> str:
        """A new ``X-GitHub-Delivery``: a (version 4) GUID drawn from the seed."""
        h = f"{self._header_ids.getrandbits(128):032x}"
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) % 4]}{h[17:20]}-{h[20:]}"

    # -- events ---------------------------------------------------------------------------------

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
        """What GitHub keeps consistent and a schema cannot say: the body names the
        repository (or organization) the webhook is installed on, and a pull request's number
        is the event's ``number``."""
        if not isinstance(data, dict):
            return
        owner = {"repository": "repository", "organization": "organization"}.get(self.target_type)
        if owner and isinstance(data.get(owner), dict):
            data[owner]["id"] = self.target_id
        pull = data.get("pull_request")
        if isinstance(data.get("number"), int) and isinstance(pull, dict) and "number" in pull:
            pull["number"] = data["number"]

    def redelivery_headers(self, delivery: Delivery) -> dict[str, str | None] | None:
        """A resent delivery is redelivered as GitHub's "Redeliver" button does: the same body
        and signature, and the same ``X-GitHub-Delivery``, so that a receiver that remembers
        delivery GUIDs can tell it is one it has seen."""
        return {HEADER_DELIVERY: delivery.request.header(HEADER_DELIVERY)}

    # -- webhooks -------------------------------------------------------------------------------

    def validate_endpoint(self, subscription: Subscription) -> Delivery:
        """Send the ``ping`` event GitHub sends to a new webhook, and check it is acknowledged.

        :raises SubscriptionError: with the request, the response and a hint, when it is not
            (and ``strict_ping`` is on).
        """
        __tracebackhide__ = True
        hook = self.hook_for(subscription)
        event = self.ping_event(subscription)
        delivery = self.sim.deliver(event, subscription)
        if delivery.acknowledged:
            subscription.validated_at = delivery.sent_at
            return delivery
        problems, hint = diagnose_ping(delivery)
        delivery.notes.extend(problems)
        if not self.strict_ping:
            return delivery
        lines = [
            f"GitHub's ping of webhook {hook.id} at {mask_url(subscription.url)} failed: "
            f"{problems[0]}",
            f"expected: a 2xx answer within {self.sim.deadline:g} s to the 'ping' event "
            "(X-GitHub-Event: ping)",
            "  GitHub would create the webhook anyway and list the failed ping among its recent "
            "deliveries; hookmock refuses it, so that the test sees the problem "
            "(GitHub(strict_ping=False) creates it as GitHub does)",
            "problems:",
            *(f"  - {p}" for p in problems),
            "the ping:",
            delivery.describe(body_limit=500),
        ]
        if hint:
            lines.append(f"hint: {hint}")
        raise SubscriptionError("\n".join(lines), delivery=delivery, problems=problems)

    def ping_event(self, subscription: Subscription) -> Event:
        """The ``ping`` event of *subscription*'s webhook."""
        hook = self.hook_for(subscription)
        events = sorted({event_header(e) for e in subscription.events or ()})
        overrides: dict[str, Any] = {
            "zen": ZEN[self._header_ids.randrange(len(ZEN))],
            "hook_id": hook.id,
            "hook.id": hook.id,
            "hook.type": TARGET_TYPES[hook.target_type],
            "hook.name": "web",
            "hook.active": True,
            "hook.events": events or ["*"],
            "hook.config.content_type": hook.content_type,
            "hook.config.url": subscription.url,
            "hook.config.insecure_ssl": "0",
            "hook.config.secret": "********",
        }
        return self.sim.fake("ping", overrides)

    def build_request(
        self,
        event: Event,
        subscription: Subscription,
        *,
        sent_at: float,
        timestamp: int | str | None = None,
    ) -> Request:
        hook = self.hook_for(subscription)
        body = event.body if hook.content_type == "json" else form_body(event.body)
        # The order of the example delivery in GitHub's documentation.
        headers = (
            ("host", host_header(subscription.url)),
            ("accept", "*/*"),
            (HEADER_DELIVERY, self.delivery_id()),
            (HEADER_SIGNATURE, sign_sha1(self._secret, body)),
            (HEADER_SIGNATURE_256, sign(self._secret, body)),
            ("user-agent", self.user_agent),
            ("content-type", CONTENT_TYPES[hook.content_type]),
            ("content-length", str(len(body))),
            (HEADER_EVENT, event_header(event.name)),
            (HEADER_HOOK_ID, str(hook.id)),
            (HEADER_TARGET_ID, str(hook.target_id)),
            (HEADER_TARGET_TYPE, hook.target_type),
        )
        return Request("POST", subscription.url, headers, body)


def diagnose_ping(delivery: Delivery) -> tuple[list[str], str]:
    """Why a ping was not acknowledged, and a hint."""
    response = delivery.response
    if response is None:
        return [f"no usable answer: {delivery.error}"], (
            f"GitHub gives up after {delivery.deadline:g} s"
            if delivery.outcome is Outcome.TIMEOUT
            else ""
        )
    if delivery.outcome is Outcome.LATE:
        return [
            f"answered after {delivery.elapsed:.2f} s; GitHub waits {delivery.deadline:g} s"
        ], "answer first, then do the work (a queue or a background task)"
    status = response.status
    problems = [f"status {status}, expected a 2xx"]
    hint = ""
    if status in (401, 403):
        hint = (
            "the ping is signed like every delivery: does the receiver verify "
            "X-Hub-Signature-256 over the raw body bytes, with the same secret?"
        )
    elif status in (400, 422):
        hint = (
            "does the receiver refuse events it does not handle? GitHub sends 'ping' "
            "(X-GitHub-Event: ping) first: acknowledge it, and any unknown event, with a 2xx"
        )
    elif status == 415:
        hint = (
            "the webhook's content type may differ from what the receiver parses: "
            "application/json, or form-encoded payload=... (subscribe(content_type=...))"
        )
    elif status in (404, 405):
        hint = "does the receiver listen for POST on this path?"
    elif 300 <= status < 400:
        hint = "GitHub does not follow redirects: give the final URL"
    return problems, hint
