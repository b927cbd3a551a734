"""The provider adapter: a provider of one's own is an adapter given to ``hookmock.Provider``, no
subclass; and the provider classes are thin facades whose public names hold no protocol hook."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest
from flask import Flask, request

import hookmock
from hookmock import Adapter, ConfigurationError, Outcome, Provider, Request
from hookmock.engine.subscription import Subscription
from hookmock.generate.catalog import Catalog
from hookmock.generate.events import Event
from hookmock.records.exchange import host_header

SECRET = "acme-signing-secret"


def _order(name: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["type", "data"],
        "additionalProperties": False,
        "properties": {
            "type": {"const": name},
            "data": {
                "type": "object",
                "required": ["id", "amount"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string", "minLength": 8, "maxLength": 12},
                    "amount": {"type": "integer", "minimum": 1, "maximum": 1000},
                },
            },
        },
    }


class AcmeAdapter(Adapter):
    """A provider of one's own: ``X-Signature: sha256=<hex HMAC of the body>``, two events,
    retries of 5xx and timeouts after 1 and 10 minutes."""

    name = "acme-adapter-test"
    catalog = Catalog(
        {"order.created": _order("order.created"), "order.paid": _order("order.paid")}
    )
    default_deadline = 5.0
    field_levels = ("data", "")
    retry_delays = (60.0, 600.0)

    def __init__(self, *, secret: str) -> None:
        self._secret = secret

    @property
    def secret(self) -> str:
        return self._secret

    def secrets(self) -> tuple[str, ...]:
        return (self._secret,)

    def retryable(self, outcome: Outcome) -> bool:
        return outcome in (Outcome.SERVER_ERROR, Outcome.TIMEOUT, Outcome.CONNECTION_ERROR)

    def build_request(
        self,
        event: Event,
        subscription: Subscription,
        *,
        sent_at: float,
        timestamp: int | str | None = None,
    ) -> Request:
        body = event.body
        signature = hmac.new(self._secret.encode(), body, hashlib.sha256).hexdigest()
        headers = (
            ("host", host_header(subscription.url)),
            ("content-type", "application/json"),
            ("content-length", str(len(body))),
            ("x-event", event.name),
            ("x-signature", f"sha256={signature}"),
        )
        return Request("POST", subscription.url, headers, body)


def _receiver(failures: int) -> tuple[Flask, list[tuple[bytes, bool]]]:
    """A Flask receiver that verifies the signature and answers 503 *failures* times first."""
    app = Flask("acme-receiver")
    seen: list[tuple[bytes, bool]] = []

    @app.post("/hooks/acme")
    def hook() -> tuple[str, int]:
        body = request.get_data()
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        valid = hmac.compare_digest(request.headers.get("X-Signature", ""), expected)
        seen.append((body, valid))
        if not valid:
            return "bad signature", 401
        return ("busy", 503) if len(seen) <= failures else ("", 204)

    return app, seen


def test_a_provider_of_ones_own_needs_no_subclass() -> None:
    # A fixed clock: provider time is what moves.
    provider = Provider(adapter=AcmeAdapter(secret=SECRET), seed=7, clock=lambda: 1.7e9)
    assert type(provider) is hookmock.Provider
    assert provider.name == "acme-adapter-test" and provider.deadline == 5.0
    assert provider.event_names() == ("order.created", "order.paid")
    app, seen = _receiver(failures=2)
    provider.subscribe(app, path="/hooks/acme", events=["order.created"])
    assert seen == []  # no handshake: nothing sent on subscribing

    first = provider.send("order.created", amount=42)
    assert first.outcome is Outcome.SERVER_ERROR
    assert first.next_step == "retry 1 at +1 min"
    assert json.loads(first.event.body)["data"]["amount"] == 42

    retries = provider.run_until_idle()
    assert [d.attempt for d in retries] == [2, 3]
    assert [d.outcome for d in retries] == [Outcome.SERVER_ERROR, Outcome.ACKNOWLEDGED]
    # Virtual time: the last attempt was made 11 minutes after the first.
    assert retries[-1].sent_at - first.sent_at == 660.0
    # Every attempt carried the same bytes, correctly signed.
    assert [valid for _, valid in seen] == [True, True, True]
    assert {body for body, _ in seen} == {first.event.body}
    provider.assert_acknowledged_once("order.created")


def test_an_adapters_policy_decides_what_is_final() -> None:
    provider = Provider(adapter=AcmeAdapter(secret="another secret"), seed=1)
    app, _ = _receiver(failures=0)
    provider.subscribe(app, path="/hooks/acme")
    rejected = provider.send("order.paid")
    assert rejected.outcome is Outcome.REJECTED
    assert rejected.next_step == "final: acme-adapter-test does not retry a rejected"
    assert provider.pending() == []


def test_the_engine_asks_for_an_adapter() -> None:
    with pytest.raises(ConfigurationError, match=r"hookmock.Provider\(adapter=MyAdapter"):
        Provider(seed=1)
    with pytest.raises(ConfigurationError, match=r"must be a hookmock\.Adapter, got object"):
        Provider(adapter=object(), seed=1)  # type: ignore[arg-type]
    adapter = AcmeAdapter(secret=SECRET)
    Provider(adapter=adapter, seed=1)
    with pytest.raises(ConfigurationError, match="already serves another simulator"):
        Provider(adapter=adapter, seed=2)
    with pytest.raises(ConfigurationError, match="serves no simulator yet"):
        AcmeAdapter(secret=SECRET).sim  # noqa: B018


def test_an_adapter_without_a_request_says_so() -> None:
    class Bare(Adapter):
        name = AcmeAdapter.name
        catalog = AcmeAdapter.catalog

    provider = Provider(adapter=Bare(), seed=1)
    app, _ = _receiver(failures=0)
    provider.subscribe(app, path="/hooks/acme")
    with pytest.raises(NotImplementedError, match="Bare must say how a request is made"):
        provider.send("order.created")


#: The protocol hooks: what the engine asks a provider's adapter, never a provider's user.
HOOKS = {
    "bind",
    "build_request",
    "catalog",
    "cohere",
    "conformance_suite",
    "encode",
    "final_step",
    "judge",
    "redelivery_headers",
    "retry_request_headers",
    "retryable",
    "secrets",
    "server_routes",
    "server_extension",
    "signer",
    "validate_endpoint",
}


def test_every_hook_is_the_adapters() -> None:
    assert {name for name in HOOKS if callable(getattr(Adapter, name, None))} == HOOKS - {"catalog"}
    assert Adapter.catalog is None


@pytest.mark.parametrize(
    "cls",
    [
        hookmock.Provider,
        hookmock.Zoom,
        hookmock.StandardWebhooks,
        hookmock.GitHub,
        hookmock.Stripe,
        hookmock.Slack,
    ],
)
def test_a_provider_class_is_a_facade_without_hooks(cls: type[Provider]) -> None:
    public = {name for name in dir(cls) if not name.startswith("_")}
    assert public & HOOKS == set()
    assert issubclass(cls.adapter_class, Adapter)
    # Facts are said once, by the adapter class, and read through the provider class.
    assert cls.name == cls.adapter_class.name
    assert cls.secret_env == cls.adapter_class.secret_env
    assert cls.secret_option == cls.adapter_class.secret_option


def test_a_facades_attributes_are_its_adapters() -> None:
    zoom = hookmock.Zoom(secret_token="facade-secret", seed=3, traceparent=False)
    assert zoom.secret_token == zoom.adapter.secret_token == zoom.secret == "facade-secret"
    assert zoom.retry_delays == (300.0, 1200.0, 3600.0)
    assert zoom.name == "zoom" and hookmock.Zoom.name == "zoom"
    zoom.traceparent = True
    assert zoom.adapter.traceparent is True
