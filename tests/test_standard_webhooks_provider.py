"""The Standard Webhooks sender (:class:`hookmock.StandardWebhooks`): what it delivers verifies
with the specification's own libraries, it retries as Svix does, its events come from any
OpenAPI document, and its fixtures work as a ``conftest.py`` writes them.

The judges of ``v1`` signatures are ``standardwebhooks`` (the reference Python library) and
``svix`` (``svix.webhooks.Webhook``, which also reads ``svix-*`` headers). Both only verify
``v1`` (HMAC-SHA256) items: ``v1a`` (Ed25519) ones are judged by hookmock's ``verify`` with the
public key and by ``cryptography`` directly.
"""

from __future__ import annotations

import base64
import itertools
import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from standardwebhooks.webhooks import Webhook as StandardWebhook
from standardwebhooks.webhooks import WebhookVerificationError
from svix.webhooks import Webhook as SvixWebhook

import hookmock
from hookmock import (
    ConfigurationError,
    Outcome,
    OverrideError,
    Provider,
    SchemaViolationError,
    StandardWebhooks,
    UnknownEventError,
    UnknownFieldError,
)
from hookmock.engine.scheduler import ProviderClock
from hookmock.generate import catalog
from hookmock.providers import PROVIDERS, provider_class
from hookmock.providers import standard_webhooks as sw

pytest_plugins = ["pytester"]

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
OLD_SECRET = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"
# A fixed key pair: test ids name it, and pytest-xdist's workers must collect the same ones.
PRIVATE_KEY = "whsk_" + base64.b64encode(bytes(range(32))).decode()
PUBLIC_KEY = sw.public_key(PRIVATE_KEY)
T0 = 1_790_000_000.0
DATA = Path(__file__).resolve().parent / "data" / "openapi"
GITHUB = DATA / "github" / "api.github.com.json"
ADYEN = DATA / "adyen" / "BalancePlatformConfigurationNotification-v1.json"

Verifier = Callable[[bytes, Mapping[str, str]], None]
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _headers(environ: Mapping[str, Any]) -> dict[str, str]:
    found = {
        key[5:].lower().replace("_", "-"): value
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    found["content-type"] = environ.get("CONTENT_TYPE", "")
    return found


def verifying(verify: Verifier, *, status: str = "204 No Content") -> WSGIApp:
    """A receiver that answers *status* when *verify* accepts the raw body and headers, 401 when
    it raises; it keeps each body it accepted in ``app.accepted``."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        body = environ["wsgi.input"].read()
        try:
            verify(body, _headers(environ))
        except (WebhookVerificationError, ValueError) as error:
            start_response("401 Unauthorized", [("content-type", "text/plain")])
            return [f"bad signature: {error}".encode()]
        app.accepted.append(body)  # type: ignore[attr-defined]
        start_response(status, [])
        return []

    app.accepted = []  # type: ignore[attr-defined]
    return app


def by_standardwebhooks(secret: str) -> Verifier:
    def verify(body: bytes, headers: Mapping[str, str]) -> None:
        StandardWebhook(secret).verify(body, dict(headers))

    return verify


def by_svix(secret: str) -> Verifier:
    def verify(body: bytes, headers: Mapping[str, str]) -> None:
        SvixWebhook(secret).verify(body, dict(headers))

    return verify


LIBRARIES = [
    pytest.param(by_standardwebhooks, id="standardwebhooks"),
    pytest.param(by_svix, id="svix"),
]


def scripted(*statuses: str) -> WSGIApp:
    """A receiver that answers the given statuses in turn, then 204; it keeps every request's
    headers in ``app.seen``."""
    queue = list(statuses)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        environ["wsgi.input"].read()
        app.seen.append(_headers(environ))  # type: ignore[attr-defined]
        status = queue.pop(0) if queue else "204 No Content"
        headers = [("location", "https://elsewhere.test/")] if status.startswith("3") else []
        start_response(status, headers)
        return []

    app.seen = []  # type: ignore[attr-defined]
    return app


def frozen(**options: Any) -> StandardWebhooks:
    """A sender on a provider clock frozen at T0, signing with the provider's clock."""
    options.setdefault("secret", SECRET)
    options.setdefault("timestamp_clock", "provider")
    return StandardWebhooks(seed=5, clock=ProviderClock(lambda: T0), **options)


# -- signatures, judged by the libraries --------------------------------------------------------


@pytest.mark.parametrize("library", LIBRARIES)
def test_every_delivery_verifies_with_the_library(library: Callable[[str], Verifier]) -> None:
    sender = StandardWebhooks(secret=SECRET, seed=1)
    receiver = verifying(library(SECRET))
    sender.subscribe(receiver)
    deliveries = [sender.send(name) for name in sender.event_names()]
    assert [d.event.name for d in deliveries] == list(sender.event_names())
    assert len(deliveries) == 4
    for delivery in deliveries:
        assert delivery.outcome is Outcome.ACKNOWLEDGED, delivery.describe()
    assert receiver.accepted == [d.request.body for d in deliveries]  # type: ignore[attr-defined]


@pytest.mark.parametrize("library", LIBRARIES)
def test_a_receiver_with_the_wrong_secret_refuses(library: Callable[[str], Verifier]) -> None:
    sender = StandardWebhooks(secret=SECRET, seed=1, retries=False)
    sender.subscribe(verifying(library(OLD_SECRET)))
    delivery = sender.send("contact.created")
    assert delivery.status == 401


def test_the_headers_of_a_delivery() -> None:
    sender = frozen()
    sender.subscribe(scripted())
    delivery = sender.send("invoice.paid")
    request = delivery.request
    assert request.method == "POST"
    assert request.header("content-type") == "application/json"
    assert request.header("webhook-timestamp") == str(int(T0))
    msg_id = request.header("webhook-id") or ""
    assert msg_id == sender.message_id(delivery.event)
    assert msg_id.startswith("msg_") and len(msg_id) == 31 and msg_id[4:].isalnum()
    expected = sw.sign(SECRET, msg_id, int(T0), request.body)
    assert request.header("webhook-signature") == expected
    assert expected.startswith("v1,")
    assert request.header("svix-id") is None


@pytest.mark.parametrize("library", LIBRARIES)
@pytest.mark.parametrize("holds", [SECRET, OLD_SECRET])
def test_during_a_rotation_a_receiver_holding_either_secret_verifies(
    library: Callable[[str], Verifier], holds: str
) -> None:
    sender = StandardWebhooks(secret=[SECRET, OLD_SECRET], seed=2)
    receiver = verifying(library(holds))
    sender.subscribe(receiver)
    delivery = sender.send("contact.updated")
    assert delivery.acknowledged, delivery.describe()
    items = sw.parse_signature_header(delivery.request.header("webhook-signature") or "")
    # One item per secret, in the order they were given.
    assert [version for version, _ in items] == ["v1", "v1"]
    msg_id = delivery.request.header("webhook-id") or ""
    timestamp = delivery.request.header("webhook-timestamp") or ""
    assert [f"v1,{s}" for _, s in items] == [
        sw.sign(key, msg_id, timestamp, delivery.request.body) for key in (SECRET, OLD_SECRET)
    ]


def _v1a_items(header: str) -> list[bytes]:
    return [base64.b64decode(s) for v, s in sw.parse_signature_header(header) if v == "v1a"]


def test_v1a_signatures_verify_with_the_public_key() -> None:
    sender = StandardWebhooks(secret=PRIVATE_KEY, seed=3, retries=False)

    def verify(body: bytes, headers: Mapping[str, str]) -> None:
        if not sw.verify(
            PUBLIC_KEY,
            headers["webhook-id"],
            headers["webhook-timestamp"],
            body,
            headers["webhook-signature"],
        ):
            raise ValueError("no v1a item verifies")

    receiver = verifying(verify)
    sender.subscribe(receiver)
    deliveries = [sender.send(name) for name in sender.event_names()]
    assert all(d.acknowledged for d in deliveries)
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(PUBLIC_KEY.removeprefix("whpk_")))
    for delivery in deliveries:
        request = delivery.request
        header = request.header("webhook-signature") or ""
        assert header.startswith("v1a,") and " " not in header
        (signature,) = _v1a_items(header)
        content = sw.signed_content(
            request.header("webhook-id") or "",
            request.header("webhook-timestamp") or "",
            request.body,
        )
        public.verify(signature, content)  # raises InvalidSignature on a mismatch


@pytest.mark.parametrize("library", LIBRARIES)
def test_the_python_libraries_verify_v1_items_only(library: Callable[[str], Verifier]) -> None:
    """Neither library knows v1a: a header with only a v1a item is refused, whatever key the
    receiver holds; with a v1 item beside it (a sender moving from HMAC to Ed25519), the v1 item
    is verified and the v1a one skipped."""
    only_v1a = StandardWebhooks(secret=PRIVATE_KEY, seed=3, retries=False)
    seed_as_hmac = "whsec_" + PRIVATE_KEY.removeprefix("whsk_")
    only_v1a.subscribe(verifying(library(seed_as_hmac)))
    assert only_v1a.send("contact.created").status == 401

    both = StandardWebhooks(secret=[PRIVATE_KEY, SECRET], seed=3, retries=False)
    both.subscribe(verifying(library(SECRET)))
    delivery = both.send("contact.created")
    assert delivery.acknowledged
    header = delivery.request.header("webhook-signature") or ""
    assert [v for v, _ in sw.parse_signature_header(header)] == ["v1a", "v1"]


def test_svix_headers_verify_with_svix() -> None:
    sender = StandardWebhooks(secret=SECRET, seed=4, header_prefix="svix")
    receiver = verifying(by_svix(SECRET))
    sender.subscribe(receiver)
    delivery = sender.send("contact.deleted")
    assert delivery.acknowledged, delivery.describe()
    names = [name for name, _ in delivery.request.headers]
    assert {"svix-id", "svix-timestamp", "svix-signature"} <= set(names)
    assert not any(name.startswith("webhook-") for name in names)
    assert sender.header_signature == "svix-signature"
    # The reference library reads only webhook-* headers.
    with pytest.raises(WebhookVerificationError):
        StandardWebhook(SECRET).verify(delivery.request.body, dict(delivery.request.headers))


# -- delivery rules in virtual time --------------------------------------------------------------


def test_retries_follow_svixs_schedule_then_drop() -> None:
    sender = frozen()
    receiver = scripted(*["503 Service Unavailable"] * 8)
    sender.subscribe(receiver)
    first = sender.send("contact.created")
    assert first.outcome is Outcome.SERVER_ERROR
    assert first.next_step == "retry 1 at +5 s"
    assert [job.kind for job in sender.pending()] == ["retry"]  # no handshake to repeat
    assert sender.advance(seconds=4) == []
    (second,) = sender.advance(seconds=1)
    assert second.attempt == 2 and second.chain == first.chain
    later = sender.run_until_idle()
    attempts = [first, second, *later]
    assert [d.attempt for d in attempts] == [1, 2, 3, 4, 5, 6, 7, 8]
    gaps = [b.sent_at - a.sent_at for a, b in itertools.pairwise(attempts)]
    assert gaps == [5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600]
    assert tuple(gaps) == sw.RETRY_DELAYS
    assert [d.next_step for d in attempts] == [
        "retry 1 at +5 s",
        "retry 2 at +5 min",
        "retry 3 at +30 min",
        "retry 4 at +2 h",
        "retry 5 at +5 h",
        "retry 6 at +10 h",
        "retry 7 at +10 h",
        "dropped after 7 retries",
    ]
    assert attempts[-1].dropped and sender.deliveries.dropped == [attempts[-1]]
    assert len(receiver.seen) == 8  # type: ignore[attr-defined]
    assert sender.pending() == []
    assert sender.notices[-1].message == "dropped 'contact.created' after 8 failed attempts"
    with pytest.raises(AssertionError, match="expected no dropped event; 1 dropped"):
        sender.assert_nothing_dropped()


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        ("400 Bad Request", Outcome.REJECTED),
        ("401 Unauthorized", Outcome.REJECTED),
        ("404 Not Found", Outcome.REJECTED),
        ("410 Gone", Outcome.REJECTED),
        ("429 Too Many Requests", Outcome.REJECTED),
        ("301 Moved Permanently", Outcome.REDIRECTED),
        ("302 Found", Outcome.REDIRECTED),
        ("500 Internal Server Error", Outcome.SERVER_ERROR),
    ],
)
def test_3xx_and_4xx_are_retried_unlike_zoom(status: str, outcome: Outcome) -> None:
    sender = frozen()
    sender.subscribe(scripted(status))
    failed = sender.send("contact.created")
    assert failed.outcome is outcome
    assert failed.next_step == "retry 1 at +5 s"
    (retry,) = sender.run_until_idle()
    assert retry.acknowledged and retry.sent_at - failed.sent_at == 5
    sender.assert_nothing_dropped()


@pytest.mark.parametrize(
    ("fault", "outcome"), [("timeout", Outcome.TIMEOUT), ("refused", Outcome.CONNECTION_ERROR)]
)
def test_timeouts_and_connection_errors_are_retried(fault: str, outcome: Outcome) -> None:
    sender = frozen()
    receiver = scripted()
    sender.subscribe(receiver)
    sender.fail_next(fault, times=2)
    first = sender.send("invoice.paid")
    assert first.outcome is outcome
    second, third = sender.run_until_idle()
    assert second.outcome is outcome and third.acknowledged
    assert third.sent_at - first.sent_at == 5 + 300
    assert len(receiver.seen) == 1  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("fault", "hint"),
    [
        ("302 Found", "hint: webhook deliveries do not follow redirects; subscribe the final URL"),
        (
            "timeout",
            "hint: acknowledge first, then work: the provider retries deliveries not answered "
            "within 15 s, so slow handlers get duplicates",
        ),
        ("405 Method Not Allowed", "hint: webhooks are delivered with POST"),
    ],
)
def test_a_failures_hint_names_no_other_provider(fault: str, hint: str) -> None:
    sender = frozen(retries=False)
    if fault == "timeout":
        sender.fail_next("timeout")
        sender.subscribe(scripted())
    else:
        sender.subscribe(scripted(fault))
    delivery = sender.send("contact.created")
    with pytest.raises(AssertionError) as info:
        delivery.assert_acknowledged()
    message = str(info.value)
    assert hint in message
    assert "Zoom" not in message


def test_the_deadline_is_15_seconds() -> None:
    assert StandardWebhooks(secret=SECRET).deadline == sw.DEADLINE == 15.0
    assert StandardWebhooks(secret=SECRET, deadline=2).deadline == 2.0


def test_the_webhook_id_is_kept_across_retries_and_resends() -> None:
    sender = frozen()
    receiver = scripted("500 Internal Server Error", "500 Internal Server Error")
    sender.subscribe(receiver)
    first = sender.send("contact.created")
    retries = sender.run_until_idle()
    duplicate = sender.resend(retries[-1])
    other = sender.send("contact.created")
    ids = [h["webhook-id"] for h in receiver.seen]  # type: ignore[attr-defined]
    assert len(ids) == 5
    assert len(set(ids[:4])) == 1 and ids[0] == sender.message_id(first.event)
    assert duplicate.request.body == first.request.body and duplicate.acknowledged
    # A new message (same event type, new body) has an id of its own.
    assert ids[4] != ids[0] and other.request.body != first.request.body


def test_each_retry_is_signed_anew_with_a_fresh_timestamp() -> None:
    sender = frozen()
    sender.subscribe(scripted(*["500 Internal Server Error"] * 3))
    attempts = [sender.send("contact.created"), *sender.run_until_idle()]
    timestamps = [d.request.header("webhook-timestamp") for d in attempts]
    assert timestamps == [str(int(T0 + offset)) for offset in (0, 5, 305, 2105)]
    signatures = [d.request.header("webhook-signature") or "" for d in attempts]
    assert len(set(signatures)) == 4
    for delivery, timestamp, signature in zip(attempts, timestamps, signatures, strict=True):
        msg_id = delivery.request.header("webhook-id") or ""
        assert sw.verify(SECRET, msg_id, timestamp or "", delivery.request.body, signature)


def test_original_retry_timestamps_keep_the_first_signature() -> None:
    sender = frozen(retry_timestamps="original")
    sender.subscribe(scripted(*["500 Internal Server Error"] * 2))
    attempts = [sender.send("contact.created"), *sender.run_until_idle()]
    assert len(attempts) == 3
    assert {d.request.header("webhook-timestamp") for d in attempts} == {str(int(T0))}
    assert len({d.request.header("webhook-signature") for d in attempts}) == 1


def test_a_retry_hours_later_in_virtual_time_still_verifies_against_the_real_clock() -> None:
    """By default signing timestamps read the real clock, so a receiver enforcing the
    libraries' 5-minute tolerance accepts a retry made 35 minutes later in provider time."""
    sender = StandardWebhooks(secret=SECRET, seed=6)
    statuses = ["500 Internal Server Error"] * 3
    inner = verifying(by_standardwebhooks(SECRET))

    def flaky(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if statuses:
            statuses.pop()
            start_response("500 Internal Server Error", [])
            return []
        return inner(environ, start_response)

    sender.subscribe(flaky)
    first = sender.send("contact.created")
    *_, last = sender.run_until_idle()
    assert last.acknowledged and last.attempt == 4
    # Provider time moved on by the three delays (and the wall clock's few milliseconds).
    assert last.sent_at - first.sent_at >= 5 + 300 + 1800


# -- generation -----------------------------------------------------------------------------------


def test_fake_with_overrides_and_field_shorthand() -> None:
    sender = StandardWebhooks(secret=SECRET, seed=7)
    event = sender.fake(
        "contact.created",
        {"data.email": "ada@example.org"},
        name="Ada",
        timestamp="2030-01-02T03:04:05Z",
    )
    body = json.loads(event.body)
    assert body["type"] == "contact.created"
    assert body["data"]["name"] == "Ada"  # in data first
    assert body["data"]["email"] == "ada@example.org"
    assert body["timestamp"] == "2030-01-02T03:04:05Z"  # not in data: the top level
    # A name in both places goes to data.
    assert json.loads(sender.fake("contact.created", type="contact").body)["type"] == (
        "contact.created"
    )


def test_send_takes_the_same_overrides() -> None:
    sender = StandardWebhooks(secret=SECRET, seed=7)
    receiver = verifying(by_standardwebhooks(SECRET))
    sender.subscribe(receiver)
    delivery = sender.send("invoice.paid", {"data.amount": 4200})
    assert delivery.acknowledged
    assert json.loads(receiver.accepted[0])["data"]["amount"] == 4200  # type: ignore[attr-defined]


def test_an_unknown_event_suggests_close_ones() -> None:
    sender = StandardWebhooks(secret=SECRET)
    with pytest.raises(UnknownEventError) as info:
        sender.fake("contact.create")
    assert str(info.value) == (
        "unknown standard-webhooks event 'contact.create': did you mean 'contact.created', "
        "'contact.updated', 'contact.deleted'?"
    )


def test_override_paths_are_checked_against_the_schema() -> None:
    sender = StandardWebhooks(secret=SECRET)
    with pytest.raises(UnknownFieldError, match=r"'data.nmae': no field 'nmae' in data; did you "):
        sender.fake("contact.created", {"data.nmae": "x"})
    with pytest.raises(OverrideError) as info:
        sender.fake("contact.created", nmae="x")
    assert str(info.value).startswith(
        "'contact.created' has no field 'nmae' in data or the top level; its data fields are: "
        "created_at, email, id, name, type."
    )
    with pytest.raises(SchemaViolationError, match=r"\$\.data\.type: 'contact' was expected"):
        sender.fake("contact.created", {"data.type": "invoice"})
    assert json.loads(
        sender.fake("contact.created", {"data.type": "invoice"}, validate=False).body
    )["data"]["type"] == ("invoice")


# -- secrets ----------------------------------------------------------------------------------


def _echo_secret(secret: str) -> WSGIApp:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        environ["wsgi.input"].read()
        start_response("400 Bad Request", [("x-debug", secret)])
        bare = secret.partition("_")[2]
        return [f"expected {secret} (or {bare})".encode()]

    return app


@pytest.mark.parametrize("secret", [SECRET, PRIVATE_KEY], ids=["whsec", "whsk"])
def test_secrets_are_masked_in_what_is_shown(secret: str) -> None:
    sender = StandardWebhooks(secret=[secret, OLD_SECRET], seed=8, retries=False)
    sender.subscribe(_echo_secret(secret))
    delivery = sender.send("contact.created")
    shown = "\n".join(
        [delivery.describe(), repr(sender), repr(delivery), repr(sender.keys), str(sender.notices)]
    )
    for secret_text in (secret, secret.partition("_")[2], OLD_SECRET):
        assert secret_text not in shown
    assert "expected " in shown  # the echoed body is shown, masked
    with pytest.raises(AssertionError) as info:
        sender.assert_all_acknowledged()
    assert secret not in str(info.value) and secret.partition("_")[2] not in str(info.value)
    assert "(masked)" in str(info.value)


def test_the_secret_comes_from_the_environment_or_is_made_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("STANDARD_WEBHOOKS_SECRET", OLD_SECRET)
    assert StandardWebhooks().secret == OLD_SECRET
    assert StandardWebhooks(secret=SECRET).secret == SECRET
    monkeypatch.delenv("STANDARD_WEBHOOKS_SECRET")
    made = StandardWebhooks().secret
    assert made.startswith("whsec_") and len(base64.b64decode(made[6:])) == 24
    assert StandardWebhooks.secret_option == "secret"
    assert StandardWebhooks.secret_env == "STANDARD_WEBHOOKS_SECRET"


@pytest.mark.parametrize(
    ("secret", "message"),
    [
        (
            PUBLIC_KEY,
            "a whpk_ key is an Ed25519 public key: it verifies v1a signatures but cannot make "
            "them; give the sender the matching whsk_ private key",
        ),
        (
            [SECRET, PUBLIC_KEY],
            "a whpk_ key is an Ed25519 public key: it verifies v1a signatures but cannot make "
            "them; give the sender the matching whsk_ private key",
        ),
        (
            [],
            "secret must be a signing secret (whsec_...) or a list of them, got an empty list",
        ),
    ],
    ids=["public-key", "public-key-in-a-list", "empty-list"],
)
def test_a_secret_the_sender_cannot_sign_with(secret: Any, message: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        StandardWebhooks(secret=secret)
    assert str(info.value) == message


@pytest.mark.parametrize("secret", ["whsec_", "", "whsec_not base64!!"])
def test_a_malformed_secret_is_named_but_not_shown(secret: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        StandardWebhooks(secret=secret)
    message = str(info.value)
    assert "whsec_" in message  # it says what a valid one looks like
    if len(secret) > 6:
        assert secret not in message and "not base64!!" not in message


def test_an_unknown_header_prefix() -> None:
    with pytest.raises(ConfigurationError, match=r"header_prefix must be 'webhook' .* got 'x'"):
        StandardWebhooks(secret=SECRET, header_prefix="x")


def test_the_providers_are_named() -> None:
    assert {"zoom", "standard-webhooks", "slack", "github", "stripe"} <= set(PROVIDERS)
    assert provider_class("standard-webhooks") is StandardWebhooks
    assert provider_class("zoom") is hookmock.Zoom
    assert hookmock.Zoom.secret_option == "secret_token"
    assert hookmock.Zoom.secret_env == "ZOOM_WEBHOOK_SECRET_TOKEN"
    with pytest.raises(ConfigurationError) as info:
        provider_class("standard-webhook")
    assert str(info.value) == (
        "unknown provider 'standard-webhook'; did you mean standard-webhooks? "
        f"(known: {', '.join(sorted(PROVIDERS))})"
    )


# -- any OpenAPI document -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "name", "count"),
    [
        pytest.param(GITHUB, "api.github.com", 29, id="github"),
        pytest.param(ADYEN, "BalancePlatformConfigurationNotification-v1", 11, id="adyen"),
    ],
)
def test_from_openapi_sends_every_event_of_a_published_document(
    document: Path, name: str, count: int
) -> None:
    sender = Provider.from_openapi(document, secret=SECRET, seed=9)
    assert isinstance(sender, StandardWebhooks)
    assert sender.name == name and len(sender.event_names()) == count
    receiver = verifying(by_svix(SECRET))
    sender.subscribe(receiver)
    deliveries = [sender.send(name) for name in sender.event_names()]
    assert len(deliveries) == count
    assert [d.outcome for d in deliveries] == [Outcome.ACKNOWLEDGED] * count
    for delivery in deliveries:
        schema = catalog.load_schema(delivery.event.name, name)
        validator = jsonschema.Draft202012Validator(
            schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
        )
        errors = [e.message for e in validator.iter_errors(json.loads(delivery.request.body))]
        assert errors == [], delivery.event.name
    assert receiver.accepted == [d.request.body for d in deliveries]  # type: ignore[attr-defined]


def test_from_openapi_takes_a_parsed_document_and_a_name() -> None:
    document = json.loads(ADYEN.read_text(encoding="utf-8"))
    by_title = StandardWebhooks.from_openapi(document, secret=SECRET)
    assert by_title.name == "configuration-webhooks"
    named = Provider.from_openapi(document, secret=SECRET, name="adyen-config")
    assert named.name == "adyen-config"
    assert named.event_names() == by_title.event_names()


def _document(event: str) -> dict[str, Any]:
    schema = {"type": "object", "required": ["type"], "properties": {"type": {"const": event}}}
    body = {"content": {"application/json": {"schema": schema}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": event, "version": "1"},
        "webhooks": {event: {"post": {"requestBody": body}}},
    }


def test_two_documents_with_one_file_name_keep_their_own_events(tmp_path: Path) -> None:
    for service, event in (("billing", "invoice.sent"), ("shipping", "parcel.sent")):
        (tmp_path / service).mkdir()
        (tmp_path / service / "openapi.json").write_text(json.dumps(_document(event)))
    billing = StandardWebhooks(openapi=tmp_path / "billing" / "openapi.json", secret=SECRET)
    shipping = StandardWebhooks(openapi=tmp_path / "shipping" / "openapi.json", secret=SECRET)
    assert billing.name == shipping.name == "openapi"
    billing.subscribe(scripted(), events=["invoice.sent"])
    shipping.subscribe(scripted(), events=["parcel.sent"])
    for _ in range(2):
        assert billing.event_names() == ("invoice.sent",)
        assert json.loads(billing.send("invoice.sent").request.body) == {"type": "invoice.sent"}
        assert shipping.event_names() == ("parcel.sent",)
        assert json.loads(shipping.fake("parcel.sent").body) == {"type": "parcel.sent"}


def test_from_openapi_with_an_unknown_signing_scheme() -> None:
    with pytest.raises(ConfigurationError) as info:
        Provider.from_openapi(ADYEN, signing="hmac-sha1", secret=SECRET)
    assert str(info.value) == "unknown signing scheme 'hmac-sha1'; known: standard-webhooks"


# -- the pytest fixtures --------------------------------------------------------------------------

RECEIVER = """
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

def make_app(secret):
    def app(environ, start_response):
        body = environ["wsgi.input"].read()
        headers = {k[5:].lower().replace("_", "-"): v for k, v in environ.items()
                   if k.startswith("HTTP_")}
        try:
            Webhook(secret).verify(body, headers)
        except WebhookVerificationError:
            start_response("401 Unauthorized", [])
            return [b"bad signature"]
        start_response("204 No Content", [])
        return []
    return app
"""

DOCUMENT = {
    "openapi": "3.1.0",
    "info": {"title": "Acme", "version": "1"},
    "webhooks": {
        "order.shipped": {
            "post": {
                "requestBody": {
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["type", "data"],
                                "properties": {
                                    "type": {"const": "order.shipped"},
                                    "data": {
                                        "type": "object",
                                        "required": ["order_id"],
                                        "properties": {"order_id": {"type": "string"}},
                                    },
                                },
                            }
                        }
                    }
                },
                "responses": {"200": {"description": "ok"}},
            }
        }
    },
}


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    for name in ("STANDARD_WEBHOOKS_SECRET", "HOOKMOCK_OPENAPI", "HOOKMOCK_SEED"):
        monkeypatch.delenv(name, raising=False)
    pytester.makepyfile(receiver=RECEIVER)
    (pytester.path / "docs").mkdir()
    (pytester.path / "docs" / "acme.json").write_text(json.dumps(DOCUMENT), encoding="utf-8")
    return pytester


def test_the_standard_webhooks_fixture(project: pytest.Pytester) -> None:
    project.makepyfile(
        f"""
        import pytest
        from receiver import make_app

        def test_example_document(standard_webhooks):
            standard_webhooks.subscribe(make_app(standard_webhooks.secret))
            assert standard_webhooks.name == "standard-webhooks"
            standard_webhooks.send("contact.created").assert_acknowledged()

        @pytest.mark.hookmock(secret={SECRET!r}, header_prefix="svix", deadline=2)
        def test_marker(standard_webhooks):
            assert standard_webhooks.secret == {SECRET!r}
            assert standard_webhooks.deadline == 2
            assert standard_webhooks.header_id == "svix-id"
        """
    )
    project.runpytest().assert_outcomes(passed=2)


def test_the_fixture_reads_the_document_from_the_ini_file_relative_to_rootdir(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.makeini("[pytest]\nhookmock_openapi = docs/acme.json\n")
    tests = project.mkdir("suite")
    (tests / "test_acme.py").write_text(
        "from receiver import make_app\n"
        "def test_it(standard_webhooks):\n"
        "    assert standard_webhooks.name == 'acme'\n"
        "    assert standard_webhooks.event_names() == ('order.shipped',)\n"
        "    standard_webhooks.subscribe(make_app(standard_webhooks.secret))\n"
        "    standard_webhooks.send('order.shipped', order_id='A-1').assert_acknowledged()\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tests)
    monkeypatch.syspath_prepend(str(project.path))
    project.runpytest_inprocess().assert_outcomes(passed=1)


def test_the_document_from_the_command_line_or_the_environment(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.makepyfile(
        "def test_it(standard_webhooks):\n"
        "    assert standard_webhooks.event_names() == ('order.shipped',)\n"
    )
    project.runpytest("--hookmock-openapi", "docs/acme.json").assert_outcomes(passed=1)
    monkeypatch.setenv("HOOKMOCK_OPENAPI", str(project.path / "docs" / "acme.json"))
    project.runpytest().assert_outcomes(passed=1)


def test_provider_fixture_in_a_conftest(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.makeini("[pytest]\n")
    project.makeconftest(
        f"""
        import hookmock
        acme = hookmock.provider_fixture("docs/acme.json", secret={SECRET!r}, name="acme")
        example = hookmock.provider_fixture(secret={OLD_SECRET!r})
        """
    )
    tests = project.mkdir("suite")
    (tests / "test_acme.py").write_text(
        "import pytest\n"
        "from receiver import make_app\n"
        f"SECRET = {SECRET!r}\n"
        "def test_acme(acme, example):\n"
        "    assert acme.name == 'acme' and acme.secret == SECRET\n"
        "    assert example.name == 'standard-webhooks' and example.secret != SECRET\n"
        "    acme.subscribe(make_app(SECRET))\n"
        "    acme.send('order.shipped', order_id='A-1').assert_acknowledged()\n"
        "@pytest.mark.hookmock(seed=11, header_prefix='svix')\n"
        "def test_marker(acme):\n"
        "    assert acme.seed == 11 and acme.header_signature == 'svix-signature'\n"
        "def test_fails(acme):\n"
        "    acme.subscribe(make_app('whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD'))\n"
        "    acme.send('order.shipped', order_id='A-2')\n"
        "    acme.assert_all_acknowledged()\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tests)
    monkeypatch.syspath_prepend(str(project.path))
    result = project.runpytest_inprocess("-p", "no:randomly")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*- hookmock: acme deliveries of suite/test_acme.py::test_fails (test seed *) -*",
            "*'order.shipped' → *401 Unauthorized*",
        ]
    )
    assert SECRET not in result.stdout.str()
    assert "A-2" in result.stdout.str()
