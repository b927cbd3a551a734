"""Stripe's adapter: signs, delivers and retries Stripe's snapshot events (``object: "event"``).

What it simulates (sources in the README's Stripe table):

- each attempt is a POST of the event's JSON, pretty-printed with two-space indentation as
  Stripe writes it, with ``user-agent: Stripe/1.0 (+https://stripe.com/docs/webhooks)``,
  ``content-type: application/json; charset=utf-8`` and ``stripe-signature: t=<ts>,v1=<hex>``
  (one ``v1`` per secret while a secret is rolled);
- no subscription handshake: Stripe sends to an endpoint as soon as it is created;
- an attempt succeeds on a 2xx; any other answer, a timeout or a failed connection is retried:
  in live mode with exponential back-off for up to three days, in test mode three times over a
  few hours (Stripe publishes the shape, not the delays: see :data:`LIVE_RETRY_DELAYS`).
"""

from __future__ import annotations

import os
import random
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ...engine.adapter import Adapter
from ...engine.delivery import Delivery
from ...engine.subscription import Subscription
from ...errors import ConfigurationError
from ...generate.events import Event
from ...records.exchange import Request, host_header
from ...records.outcome import Outcome
from .catalog import API_VERSION, CATALOG_NAME
from .catalog import register as register_catalog
from .signature import (
    CONTENT_TYPE,
    HEADER,
    USER_AGENT,
    generate_secret,
    signature_header,
    signed_headers,
)

if TYPE_CHECKING:
    from ...conformance.base import Suite

__all__ = [
    "DEADLINE",
    "LIVE_RETRY_DELAYS",
    "SECRET_ENV",
    "TEST_RETRY_DELAYS",
    "StripeAdapter",
    "new_id",
]

#: Seconds hookmock waits for an answer. Stripe does not publish its timeout ("Timed out" means
#: the server "took too long": support.stripe.com/questions/webhooks-how-to-investigate-and-fix-
#: timed-out); 20 s is within the range users report. ``deadline=`` sets another.
DEADLINE = 20.0
#: Live mode: "up to 3 days with an exponential back off" (docs.stripe.com/webhooks, "Retry
#: behavior"). The delays are not published: each is twice the one before, from 5 minutes, the
#: last shortened so that the final attempt comes 72 h after the first.
LIVE_RETRY_DELAYS: tuple[float, ...] = (
    *(300.0 * 2**n for n in range(9)),
    72 * 3600.0 - sum(300.0 * 2**n for n in range(9)),
)
#: Test mode (a sandbox): "three times over a few hours" (same page). The delays are not
#: published: 30 min, 1 h and 2 h, the last attempt 3.5 h after the first.
TEST_RETRY_DELAYS: tuple[float, ...] = (1800.0, 3600.0, 7200.0)
#: The environment variable the signing secret is read from when none is given (Stripe's own
#: samples use it).
SECRET_ENV = "STRIPE_WEBHOOK_SECRET"

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
#: An id Stripe made at random: a lowercase prefix (``cus_``, ``cs_test_``) and at least 14
#: letters and digits. Other ids in the fixtures (``card_payments``, coupon codes) are names.
_RANDOM_ID = re.compile(r"^((?:[a-z]+_)+)([0-9A-Za-z]{14,})$")
#: Actions that follow an API request (the event's ``request.id`` is set); other events are
#: Stripe's own doing (a payment that settles, a renewal) and carry ``request.id: null``.
_REQUESTED = frozenset(
    {"created", "updated", "deleted", "attached", "detached", "canceled", "voided", "sent"}
)
#: Fields whose earlier value is not shown in ``previous_attributes``.
_STABLE = frozenset({"id", "object", "created", "livemode", "currency", "type", "status"})


def _base62(rng: random.Random, length: int) -> str:
    return "".join(_BASE62[rng.randrange(62)] for _ in range(length))


def new_id(prefix: str, rng: random.Random, length: int = 24) -> str:
    """An id shaped like Stripe's: *prefix* (``"cus_"``) and *length* base62 characters."""
    return prefix + _base62(rng, length)


def _is_free(path: str, overridden: frozenset[str]) -> bool:
    """Whether nothing the user set touches *path* (it, a field inside it, or one around it)."""
    return not any(
        o == path or o.startswith(path + ".") or path.startswith(o + ".") for o in overridden
    )


class StripeAdapter(Adapter):
    """What Stripe does (see the module): the options are :class:`~hookmock.Stripe`'s
    ``secret``, ``livemode`` and ``api_version``."""

    name = CATALOG_NAME
    title = "Stripe"
    default_deadline = DEADLINE
    #: The keyword the secret is given by, and the environment variable it is read from.
    secret_option = "secret"
    secret_env = SECRET_ENV
    retry_delays = TEST_RETRY_DELAYS
    signature_headers = (HEADER,)
    #: Where a field given by name to :meth:`fake` is looked for, in order.
    field_levels = ("data.object", "data", "")
    #: Stripe writes its events indented by two spaces (``JSON.pretty_generate``).
    default_serialization = "pretty"

    def __init__(
        self,
        *,
        secret: str | Sequence[str] | None = None,
        livemode: bool = False,
        api_version: str | None = None,
    ) -> None:
        # The arguments may hold secrets: pytest does not show this frame's locals.
        __tracebackhide__ = True
        if secret is None:
            secret = os.environ.get(SECRET_ENV) or generate_secret()
        secrets = [secret] if isinstance(secret, str) else list(secret)
        if not secrets or any(not isinstance(s, str) or not s.strip() for s in secrets):
            raise ConfigurationError(
                "secret must be the endpoint's signing secret (whsec_..., shown on its page in "
                f"Stripe's Dashboard) or a list of them; set it or {SECRET_ENV}, or leave it "
                "out for a random one"
            )
        self._secrets = tuple(secrets)
        if not isinstance(livemode, bool):
            raise ConfigurationError(f"livemode must be True or False, got {livemode!r}")
        self.livemode = livemode
        self.retry_delays = LIVE_RETRY_DELAYS if livemode else TEST_RETRY_DELAYS
        if api_version is not None and (not isinstance(api_version, str) or not api_version):
            raise ConfigurationError(
                f"api_version must be a Stripe API version such as {API_VERSION!r}, "
                f"got {api_version!r}"
            )
        self.api_version = api_version or API_VERSION
        register_catalog()

    def scenarios(self) -> Mapping[str, tuple[str, Mapping[str, Any]]]:
        from .scenarios import SCENARIOS

        return {name: (about, defaults) for name, (about, defaults, _) in SCENARIOS.items()}

    def scenario_steps(self, name: str, **params: Any) -> Sequence[tuple[float, Event]]:
        """The events of scenario *name* and when each is due (see
        :mod:`hookmock.providers.stripe.scenarios`)."""
        from ..simulator import simulator_of
        from .scenarios import build_scenario

        return [
            (step.at, step.event) for step in build_scenario(simulator_of(self), name, **params)
        ]

    def conformance_suite(self) -> Suite:
        from .battery import SUITE

        return SUITE

    @classmethod
    def signer(cls, secrets: Sequence[str]) -> Callable[[bytes, int | None], dict[str, str]]:
        """``Stripe-Signature`` of a body: one ``v1=`` item per secret (a roll)."""
        keys = list(secrets)

        def sign_body(body: bytes, timestamp: int | None) -> dict[str, str]:
            return signed_headers(keys, body, timestamp=timestamp)

        return sign_body

    # -- what the provider is -------------------------------------------------------------------

    @property
    def secret(self) -> str:
        """The first secret deliveries are signed with."""
        return self._secrets[0]

    @property
    def signing_secrets(self) -> tuple[str, ...]:
        """Every secret deliveries are signed with, in order."""
        return self._secrets

    def secrets(self) -> tuple[str, ...]:
        found: list[str] = []
        for text in self._secrets:
            found.append(text)
            # A receiver may echo the secret without its prefix; both are masked.
            if text.startswith("whsec_") and len(text) > len("whsec_"):
                found.append(text[len("whsec_") :])
        return tuple(found)

    def retryable(self, outcome: Outcome) -> bool:
        # docs.stripe.com/webhooks: only a 2xx is a success; redirects are not followed, and
        # every other answer, a timeout or a failed connection is retried.
        return outcome is not Outcome.ACKNOWLEDGED

    def validate_endpoint(self, subscription: Subscription) -> Delivery | None:
        """Stripe has no subscription handshake: nothing is sent."""
        return None

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
            ("user-agent", USER_AGENT),
            ("content-length", str(len(body))),
            ("content-type", CONTENT_TYPE),
            (HEADER, signature_header(self._secrets, ts, body)),
        )
        return Request("POST", subscription.url, headers, body)

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
        """Make a generated event coherent, except where overrides set a value: a fresh
        ``evt_`` id, ``created`` at the event's time, this simulator's ``api_version`` and
        ``livemode``, ``request`` set for events that follow an API call (``*.created``,
        ``*.updated``...) and null for Stripe's own, a fresh id for ``data.object`` with its
        resource's prefix, its ``created`` at the event's time for ``*.created`` events (else
        earlier), and for ``*.updated`` events ``data.previous_attributes`` with an earlier
        value of one of the object's fields."""
        if not isinstance(data, dict):
            return
        name, when = event, now
        rng = random.Random(seed ^ 0x5712E)
        action = name.rpartition(".")[2]

        def put(node: dict[str, Any], path: str, key: str, value: Any) -> None:
            if _is_free(f"{path}{key}", overridden):
                node[key] = value

        put(data, "", "id", new_id("evt_", rng))
        put(data, "", "api_version", self.api_version)
        put(data, "", "created", int(when))
        put(data, "", "livemode", self.livemode)
        put(data, "", "pending_webhooks", 1)
        if action in _REQUESTED:
            request: dict[str, Any] = {
                "id": new_id("req_", rng, 14),
                "idempotency_key": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            }
        else:
            request = {"id": None, "idempotency_key": None}
        put(data, "", "request", request)
        body = data.get("data")
        obj = body.get("object") if isinstance(body, dict) else None
        if not isinstance(obj, dict):
            return
        assert isinstance(body, dict)
        at = "data.object."
        found = _RANDOM_ID.match(str(obj.get("id", "")))
        if found:
            put(obj, at, "id", new_id(found.group(1), rng, len(found.group(2))))
        if isinstance(obj.get("created"), int):
            earlier = int(when) - rng.randrange(3600, 30 * 86400)
            put(obj, at, "created", int(when) if action == "created" else earlier)
        if isinstance(obj.get("livemode"), bool):
            put(obj, at, "livemode", self.livemode)
        if name.endswith(".updated"):
            put(body, "data.", "previous_attributes", _previous(obj, rng))


def _previous(obj: Mapping[str, Any], rng: random.Random) -> dict[str, Any]:
    """``previous_attributes`` for an update of *obj*: one of its plain fields, as it was."""
    candidates = sorted(
        key
        for key, value in obj.items()
        if key not in _STABLE and isinstance(value, bool | int | str) and value != ""
    )
    if not candidates:
        return {"metadata": {}} if "metadata" in obj else {}
    key = candidates[rng.randrange(len(candidates))]
    value = obj[key]
    before: Any
    if isinstance(value, bool):
        before = not value
    elif isinstance(value, int):
        before = max(0, value - rng.randrange(1, 1000))
        if before == value:
            before = value + 1
    else:
        # A text field that was not set before.
        before = None
    return {key: before}
