"""The simulated Stripe, judged by stripe-python: every delivery verifies with
``stripe.Webhook.construct_event`` and parses with ``stripe.Event.construct_from`` into the
class of its object; forgeries are refused; retries follow Stripe's rules in virtual time."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import sys
import time
import typing
from pathlib import Path
from typing import Any

import pytest
import stripe as sdk
from stripe._event import Event as SdkEvent
from stripe._object_classes import OBJECT_CLASSES

import hookmock
from hookmock import (
    ConfigurationError,
    OverrideError,
    SchemaViolationError,
    UnknownEventError,
)
from hookmock.engine.scheduler import ProviderClock
from hookmock.providers import PROVIDERS, provider_class
from hookmock.providers import stripe as stripe_module
from hookmock.providers.stripe import Stripe, battery
from hookmock.providers.stripe.catalog import event_objects

from .stripe_receivers import sdk_receiver

SECRET = "whsec_hookmockTestSecret0123456789abcd"
T0 = 1_790_000_000.0
ENVELOPE = [
    "id",
    "object",
    "api_version",
    "created",
    "data",
    "livemode",
    "pending_webhooks",
    "request",
    "type",
]


def _stripe(**kwargs: Any) -> Stripe:
    kwargs.setdefault("secret", SECRET)
    kwargs.setdefault("seed", 7)
    return Stripe(**kwargs)


# -- the signature, against stripe-python ----------------------------------------------------


def test_signature_is_stripe_pythons() -> None:
    body = b'{\n  "id": "evt_1",\n  "object": "event"\n}'
    header = stripe_module.signature_header(SECRET, 1_700_000_000, body)
    expected = sdk.WebhookSignature.generate_signature_header(
        body.decode(), SECRET, timestamp=1_700_000_000
    )
    assert header == expected


def test_the_whole_whsec_string_is_the_key() -> None:
    # Unlike a Standard Webhooks secret, the text after whsec_ is not base64-decoded.
    digest = hmac.new(SECRET.encode(), b"12.body", hashlib.sha256).hexdigest()
    assert stripe_module.sign(SECRET, 12, b"body") == digest


def test_signed_headers_verify_with_stripe_python() -> None:
    body = b'{"id": "evt_1", "object": "event", "data": {"object": {}}}'
    headers = stripe_module.signed_headers(SECRET, body)
    assert headers["user-agent"] == "Stripe/1.0 (+https://stripe.com/docs/webhooks)"
    assert headers["content-type"] == "application/json; charset=utf-8"
    event = sdk.Webhook.construct_event(body, headers["stripe-signature"], SECRET)
    assert event.id == "evt_1"
    assert stripe_module.verify(SECRET, body, headers["stripe-signature"])


@pytest.mark.parametrize(
    ("what", "make"),
    [
        ("another secret", lambda b, t: stripe_module.signature_header(SECRET + "x", t, b)),
        ("another body", lambda b, t: stripe_module.signature_header(SECRET, t, b + b" ")),
        ("an old timestamp", lambda b, t: stripe_module.signature_header(SECRET, t - 301, b)),
        (
            "only a v0 item",
            lambda b, t: f"t={t},v0={stripe_module.sign(SECRET, t, b)}",
        ),
        ("no timestamp", lambda b, t: f"v1={stripe_module.sign(SECRET, t, b)}"),
    ],
)
def test_forgeries_are_refused_by_both(what: str, make: Any) -> None:
    body = b'{"id": "evt_1", "object": "event"}'
    now = int(time.time())
    header = make(body, now)
    with pytest.raises(sdk.SignatureVerificationError):
        sdk.Webhook.construct_event(body, header, SECRET)
    assert not stripe_module.verify(SECRET, body, header, now=now), what


def test_parse_header() -> None:
    assert stripe_module.parse_header("t=5,v1=aa,v0=bb,v1=cc") == (
        "5",
        [("v1", "aa"), ("v0", "bb"), ("v1", "cc")],
    )
    assert stripe_module.parse_header("v1=aa") == (None, [("v1", "aa")])


def test_generated_secret_is_shaped_like_stripes() -> None:
    assert re.fullmatch(r"whsec_[0-9A-Za-z]{32}", stripe_module.generate_secret())


# -- every event, judged by stripe-python -----------------------------------------------------


def test_every_event_type_verifies_and_parses_into_its_class() -> None:
    provider = _stripe()
    receiver = sdk_receiver(SECRET)
    provider.subscribe(receiver, path="/stripe/webhook")
    names = provider.event_names()
    assert len(names) == len(event_objects()) > 250
    for name in names:
        delivery = provider.send(name)
        assert delivery.acknowledged, (name, delivery.describe())
    assert len(receiver.events) == len(names)
    for name, event, body in zip(names, receiver.events, receiver.bodies, strict=True):
        assert isinstance(event, SdkEvent) and event.type == name
        obj = event.data.object
        declared = obj["object"]
        assert declared == event_objects()[name]
        if declared in OBJECT_CLASSES:
            assert declared == type(obj).OBJECT_NAME, name  # type: ignore[attr-defined]
        again = sdk.Event.construct_from(json.loads(body), "sk_test_x")
        assert type(again.data.object) is type(obj) and again.id == event.id


def test_envelope_and_headers() -> None:
    provider = _stripe()
    receiver = sdk_receiver(SECRET)
    provider.subscribe(receiver)
    delivery = provider.send("customer.subscription.created")
    request = delivery.request
    assert [name for name, _ in request.headers] == [
        "host",
        "user-agent",
        "content-length",
        "content-type",
        "stripe-signature",
    ]
    assert request.header("user-agent") == "Stripe/1.0 (+https://stripe.com/docs/webhooks)"
    assert request.header("content-type") == "application/json; charset=utf-8"
    assert re.fullmatch(r"t=\d+,v1=[0-9a-f]{64}", request.header("stripe-signature") or "")
    data = json.loads(request.body)
    # Stripe writes its events indented by two spaces, in this key order.
    assert request.body == json.dumps(data, indent=2, ensure_ascii=False).encode()
    assert list(data) == ENVELOPE
    assert re.fullmatch(r"evt_[0-9A-Za-z]{24}", data["id"])
    assert data["object"] == "event"
    # The version the vendored catalog was built for (stripe-python 16.1 pins the same one).
    assert data["api_version"] == stripe_module.API_VERSION
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}\.\w+", data["api_version"])
    assert data["livemode"] is False and data["pending_webhooks"] == 1
    assert data["type"] == "customer.subscription.created"
    assert re.fullmatch(r"req_[0-9A-Za-z]{14}", data["request"]["id"])
    obj = data["data"]["object"]
    assert list(obj)[:2] == ["id", "object"]
    assert re.fullmatch(r"sub_[0-9A-Za-z]{24}", obj["id"])
    assert obj["created"] == data["created"]
    timestamp = request.header("stripe-signature").split(",")[0][2:]  # type: ignore[union-attr]
    assert int(timestamp) == data["created"]


def test_events_differ_and_repeat_with_the_seed() -> None:
    first = [_stripe(seed=3).fake("invoice.paid", now=T0).body for _ in range(1)]
    again = [_stripe(seed=3).fake("invoice.paid", now=T0).body for _ in range(1)]
    assert first == again
    provider = _stripe(seed=3)
    one, two = provider.fake("invoice.paid"), provider.fake("invoice.paid")
    assert one.data["id"] != two.data["id"]
    assert one.data["data"]["object"]["id"] != two.data["data"]["object"]["id"]


def test_updated_events_carry_previous_attributes() -> None:
    provider = _stripe()
    for name in ("customer.updated", "invoice.updated", "charge.updated"):
        data = provider.fake(name).data["data"]
        previous = data["previous_attributes"]
        assert previous and set(previous) <= set(data["object"]), name
        (key,) = previous
        assert previous[key] != data["object"][key]
    assert "previous_attributes" not in provider.fake("customer.created").data["data"]


def test_automatic_events_have_no_request_id() -> None:
    data = _stripe().fake("invoice.payment_succeeded").data
    assert data["request"] == {"id": None, "idempotency_key": None}


def test_livemode_and_api_version() -> None:
    provider = _stripe(livemode=True, api_version="2024-06-20")
    data = provider.fake("charge.succeeded").data
    assert data["livemode"] is True and data["data"]["object"]["livemode"] is True
    assert data["api_version"] == "2024-06-20"
    assert provider.retry_delays == stripe_module.LIVE_RETRY_DELAYS


def test_overrides_are_kept_and_checked() -> None:
    provider = _stripe()
    event = provider.fake(
        "customer.created",
        {"data.object.id": "cus_Mine", "id": "evt_000000000000000000000000"},
        email="ada@example.com",
    )
    assert event.data["id"] == "evt_000000000000000000000000"
    assert event.data["data"]["object"]["id"] == "cus_Mine"
    assert event.data["data"]["object"]["email"] == "ada@example.com"
    assert json.loads(event.body) == event.data
    with pytest.raises(OverrideError, match="no field 'emial'"):
        provider.fake("customer.created", emial="x")
    with pytest.raises(SchemaViolationError, match=r"\$\.data\.object\.balance"):
        provider.fake("customer.created", balance="lots")
    with pytest.raises(UnknownEventError, match=r"customer\.created"):
        provider.fake("customer.craeted")


def test_secret_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", "whsec_fromEnv")
    assert Stripe().secret == "whsec_fromEnv"
    monkeypatch.delenv("STRIPE_WEBHOOK_SECRET")
    assert Stripe().secret.startswith("whsec_")
    with pytest.raises(ConfigurationError, match="signing secret"):
        Stripe(secret=[])
    with pytest.raises(ConfigurationError, match="livemode"):
        Stripe(livemode="yes")  # type: ignore[arg-type]


def test_rolled_secrets_sign_once_each_and_are_masked() -> None:
    old, new = SECRET, "whsec_theNextOne0123456789abcdefghij"
    provider = _stripe(secret=[old, new])
    receiver_old, receiver_new = sdk_receiver(old), sdk_receiver(new)
    provider.subscribe(receiver_old, name="old")
    provider.subscribe(receiver_new, name="new")
    deliveries = provider.send_all("payment_intent.succeeded")
    assert [d.acknowledged for d in deliveries] == [True, True]
    header = deliveries[0].request.header("stripe-signature") or ""
    assert header.count(",v1=") == 2
    described = deliveries[0].describe()
    assert old not in described and new not in described
    assert old[len("whsec_") :] not in described


def test_no_handshake_and_registered() -> None:
    provider = _stripe()
    receiver = sdk_receiver(SECRET)
    subscription = provider.subscribe(receiver)
    assert provider.adapter.validate_endpoint(subscription) is None
    assert provider.deliveries.total == 0 and receiver.bodies == []
    assert PROVIDERS["stripe"] == "hookmock.providers.stripe:Stripe"
    assert provider_class("stripe") is Stripe is hookmock.Stripe
    assert Stripe.secret_env == "STRIPE_WEBHOOK_SECRET" and Stripe.secret_option == "secret"


# -- delivery rules, in virtual time ----------------------------------------------------------


class Scripted:
    """A receiver whose answers are scripted, then 200."""

    def __init__(self, *statuses: str) -> None:
        self.statuses = list(statuses)
        self.received: list[bytes] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        self.received.append(environ["wsgi.input"].read())
        start_response(self.statuses.pop(0) if self.statuses else "200 OK", [])
        return []


def _clocked(**kwargs: Any) -> Stripe:
    return _stripe(clock=ProviderClock(lambda: T0), timestamp_clock="provider", **kwargs)


def test_test_mode_retries_three_times_over_a_few_hours() -> None:
    provider = _clocked()
    receiver = Scripted(*["500 Internal Server Error"] * 4)
    provider.subscribe(receiver)
    first = provider.send("invoice.paid")
    assert first.next_step == "retry 1 at +30 min"
    attempts = [first, *provider.run_until_idle()]
    gaps = [b.sent_at - a.sent_at for a, b in itertools.pairwise(attempts)]
    assert gaps == [1800, 3600, 7200]
    assert attempts[-1].dropped and attempts[-1].next_step == "dropped after 3 retries"
    assert receiver.received == [first.request.body] * 4
    signatures = {d.request.header("stripe-signature") for d in attempts}
    assert len(signatures) == 4  # each retry is signed anew, with its own timestamp


def test_live_mode_backs_off_for_three_days() -> None:
    provider = _clocked(livemode=True)
    provider.subscribe(Scripted(*["503 Service Unavailable"] * 20))
    first = provider.send("invoice.paid")
    attempts = [first, *provider.run_until_idle()]
    gaps = [b.sent_at - a.sent_at for a, b in itertools.pairwise(attempts)]
    assert gaps[:9] == [300 * 2**n for n in range(9)]
    assert all(b >= a for a, b in itertools.pairwise(gaps[:9]))
    assert attempts[-1].sent_at - first.sent_at == 72 * 3600
    assert attempts[-1].dropped and len(attempts) == 11


@pytest.mark.parametrize(
    "status", ["400 Bad Request", "401 Unauthorized", "302 Found", "410 Gone", "500 Oops"]
)
def test_every_non_2xx_answer_is_retried(status: str) -> None:
    provider = _clocked()
    provider.subscribe(Scripted(status))
    first = provider.send("charge.succeeded")
    assert not first.acknowledged and first.next_step == "retry 1 at +30 min"
    (retry,) = provider.advance(minutes=30)
    assert retry.acknowledged and retry.attempt == 2
    assert retry.request.body == first.request.body


def test_timeouts_are_retried() -> None:
    provider = _clocked()
    provider.subscribe(Scripted())
    provider.fail_next("timeout")
    first = provider.send("charge.succeeded")
    assert first.outcome is hookmock.Outcome.TIMEOUT and first.deadline == 20
    assert provider.advance(minutes=30)[0].acknowledged


# -- the scenario -----------------------------------------------------------------------------


def test_subscription_scenario_is_coherent() -> None:
    provider = _stripe()
    events = provider.scenario("subscription", cycles=3)
    names = [e.name for e in events]
    assert names[:6] == [
        "customer.created",
        "customer.subscription.created",
        "invoice.created",
        "invoice.finalized",
        "invoice.paid",
        "invoice.payment_succeeded",
    ]
    assert names[6:11] == [
        "customer.subscription.updated",
        "invoice.created",
        "invoice.finalized",
        "invoice.paid",
        "invoice.payment_succeeded",
    ]
    objects = [e.data["data"]["object"] for e in events]
    customer = objects[0]["id"]
    subscription = objects[1]["id"]
    assert all(o["customer"] == customer for o in objects[1:])
    invoices = [o for o in objects if o["object"] == "invoice"]
    assert {o["subscription"] for o in invoices} == {subscription}
    assert len({o["id"] for o in invoices}) == 3
    for first, *rest in (invoices[i : i + 4] for i in range(0, 12, 4)):
        assert all(o["id"] == first["id"] for o in rest)
        assert [o["status"] for o in (first, *rest)] == ["draft", "open", "paid", "paid"]
    created = [e.data["created"] for e in events]
    assert created == sorted(created)
    assert events[6].data["created"] - events[0].data["created"] == 30 * 86400
    assert invoices[4]["billing_reason"] == "subscription_cycle"


def test_subscription_scenario_with_a_failed_renewal_is_delivered_in_order() -> None:
    provider = _clocked()
    receiver = sdk_receiver(SECRET, tolerance=None)
    provider.subscribe(receiver)
    delivered = provider.send_scenario("subscription", payment_fails=True)
    assert all(d.acknowledged for d in delivered)
    types = [e.type for e in receiver.events]
    assert types[-2:] == ["invoice.payment_failed", "customer.subscription.updated"]
    assert receiver.events[-1].data.object.status == "past_due"
    assert receiver.events[-1].data.previous_attributes.to_dict() == {"status": "active"}
    assert provider.clock() == T0 + 30 * 86400 + 3600 + 3
    with pytest.raises(ConfigurationError, match="has no parameter months; it takes: cycles=2"):
        provider.scenario("subscription", months=2)
    with pytest.raises(ConfigurationError, match="unknown scenario"):
        provider.scenario("meeting")


# -- the fixture and the README's example -----------------------------------------------------


def test_fixture_and_marker(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", "whsec_fromTheEnvironment")
    pytester.makepyfile(
        """
        import pytest
        import hookmock

        def test_default(stripe):
            assert isinstance(stripe, hookmock.Stripe)
            assert stripe.secret == "whsec_fromTheEnvironment"
            assert stripe.livemode is False

        @pytest.mark.hookmock(livemode=True, secret="whsec_marked", deadline=5)
        def test_marked(stripe):
            assert stripe.livemode and stripe.secret == "whsec_marked"
            assert stripe.deadline == 5

        @pytest.mark.hookmock(header_prefix="svix")
        def test_not_a_stripe_setting(stripe):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*takes keyword settings*header_prefix*"])


def test_readme_example_runs(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STRIPE_WEBHOOK_SECRET", raising=False)
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    example = next(b for b in blocks if "def test_a_paid_invoice_is_recorded" in b)
    pytester.makepyfile(test_stripe_example=example)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


# -- the conformance battery ------------------------------------------------------------------


def test_a_receiver_built_on_stripe_python_passes_the_battery() -> None:
    report = _stripe().check(sdk_receiver(SECRET))
    assert [r.id for r in report.results] == list(battery.CHECK_IDS)
    assert [r.id for r in report.results if not r.passed] == []
    assert {"forged-v0-scheme", "valid-rotated-secret", "replay-stale"} <= set(battery.CHECK_IDS)


@pytest.mark.parametrize(
    ("fault", "failed", "inconclusive"),
    [
        (
            "no-verify",
            {f"forged-{kind}" for kind, _ in battery._FORGERIES}
            | {"replay-stale", "malformed-json-array"},
            {"valid-compact", "valid-key-order", "valid-ascii-escapes", "valid-rotated-secret"},
        ),
        ("any-scheme", {"forged-v0-scheme"}, set()),
        ("crash", {"malformed-not-json", "malformed-empty-body", "malformed-invalid-utf8"}, set()),
    ],
)
def test_faulty_receivers_are_flagged(fault: str, failed: set[str], inconclusive: set[str]) -> None:
    report = _stripe().check(sdk_receiver(SECRET, fault=fault))
    outcomes = {r.id: r.outcome.value for r in report.results}
    assert {k for k, v in outcomes.items() if v == "fail"} == failed
    assert {k for k, v in outcomes.items() if v == "inconclusive"} == inconclusive


def test_a_reserializing_receiver_fails_every_valid_event_with_a_hint() -> None:
    report = _stripe().check(sdk_receiver(SECRET, fault="reserialized"))
    results = {r.id: r for r in report.results}
    first = results["valid-event:invoice.paid"]
    assert first.outcome.value == "fail"
    assert "re-serialized body" in first.detail
    assert results["forged-wrong-secret"].outcome.value == "inconclusive"


# -- the vendored data and the tool that rebuilds it -------------------------------------------

EVENTS_D_TS = """
export interface CustomerCreatedEvent extends EventBase {
    type: 'customer.created';
    data: CustomerCreatedEvent.Data;
}
export declare namespace CustomerCreatedEvent {
    interface Data extends Event.Data {
        object: Customer;
        previous_attributes?: Partial<Customer>;
    }
}
export interface CustomerSourceCreatedEvent extends EventBase {
    type: 'customer.source.created';
    data: CustomerSourceCreatedEvent.Data;
}
export declare namespace CustomerSourceCreatedEvent {
    interface Data extends Event.Data {
        object: CustomerSource;
    }
}
export interface SigmaScheduledQueryRunCreatedEvent extends EventBase {
    type: 'sigma.scheduled_query_run.created';
    data: SigmaScheduledQueryRunCreatedEvent.Data;
}
export declare namespace SigmaScheduledQueryRunCreatedEvent {
    interface Data extends Event.Data {
        object: Sigma.ScheduledQueryRun;
    }
}
export interface AppsInstallCreatedEvent extends EventBase {
    type: 'apps.install.created';
    data: AppsInstallCreatedEvent.Data;
}
export declare namespace AppsInstallCreatedEvent {
    interface Data extends Event.Data {
        object: Apps.Install;
    }
}
"""


def test_the_tool_maps_each_event_to_its_fixture(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root / "tools"))
    try:
        import build_stripe_catalog
    finally:
        sys.path.remove(str(root / "tools"))
    package = tmp_path / "package"
    (package / "cjs" / "resources").mkdir(parents=True)
    (package / "cjs" / "resources" / "Events.d.ts").write_text(EVENTS_D_TS)
    (package / "cjs" / "apiVersion.js").write_text("exports.ApiVersion = '2030-01-01.test';\n")
    (package / "package.json").write_text('{"version": "99.0.0"}')
    fixtures = tmp_path / "fixtures3.json"
    resources = {
        name: {"object": name, "id": f"x_{name}"}
        for name in ("customer", "card", "scheduled_query_run", "invoice")
    }
    fixtures.write_text(json.dumps({"resources": resources}))
    catalog, used, skipped = build_stripe_catalog.build(package, fixtures)
    assert catalog["api_version"] == "2030-01-01.test"
    assert catalog["events"] == {
        "customer.created": "customer",
        "customer.source.created": "card",
        "sigma.scheduled_query_run.created": "scheduled_query_run",
    }
    assert sorted(used) == ["card", "customer", "scheduled_query_run"]
    assert skipped == ["apps.install.created (Apps.Install)"]


def test_vendored_data_is_complete_and_licensed() -> None:
    data = Path(stripe_module.__file__).with_name("data")
    assert "MIT License" in (data / "LICENSE").read_text()
    events = json.loads((data / "events.json").read_text())
    fixtures = json.loads((data / "fixtures.json").read_text())["resources"]
    assert set(events["events"].values()) == set(fixtures)
    assert all(fixture["object"] == name for name, fixture in fixtures.items())
    # Every event type stripe-python names that has a fixture is in the catalog.
    python_types = set(typing.get_args(SdkEvent.__annotations__["type"]))
    assert set(events["events"]) <= python_types


def test_conformance_tests_run_stripes_battery(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STRIPE_WEBHOOK_SECRET", raising=False)
    pytester.syspathinsert(Path(__file__).resolve().parent.parent)
    pytester.makepyfile(
        """
        import pytest
        import hookmock
        from tests.stripe_receivers import sdk_receiver

        @pytest.fixture
        def app(stripe):
            return sdk_receiver(stripe.secret)

        test_stripe_conformance = hookmock.conformance_tests(
            "app", provider="stripe", events=["invoice.paid", "customer.created"]
        )
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-v")
    checks = len(battery.build_checks(["invoice.paid", "customer.created"]))
    result.assert_outcomes(passed=checks)
    result.stdout.fnmatch_lines(["*valid-event:customer.created*PASSED*", "*forged-v0-scheme*"])
