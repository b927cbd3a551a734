"""The simulated Zoom: subscription handshake, headers, delivery records and routing."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
import re
from typing import Any

import pytest

from hookmock import NotSubscribedError, Outcome, SubscriptionError, UnknownEventError, Zoom
from hookmock.providers import zoom as zoom_module

from .receivers import zoom_receiver

SECRET = "hookmock-test-secret"


def _zoom(**kwargs: Any) -> Zoom:
    return Zoom(secret_token=SECRET, seed=3, **kwargs)


def test_subscribe_runs_a_signed_url_validation() -> None:
    zoom = _zoom()
    app = zoom_receiver(SECRET)
    subscription = zoom.subscribe(app, path="/zoom", events=["meeting.started"])
    validation = zoom.deliveries.last
    assert validation.event.name == "endpoint.url_validation"
    assert validation.acknowledged
    assert validation.request.url == "https://receiver.test/zoom"
    assert subscription.validated_at == validation.sent_at
    assert app.bodies == [validation.request.body]  # type: ignore[attr-defined]
    assert validation.request.body.startswith(b'{"payload":{"plainToken":"')


def test_a_generated_secret_token_is_shaped_like_zooms() -> None:
    tokens = {zoom_module.generate_secret_token() for _ in range(50)}
    assert len(tokens) == 50
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{22}", token) for token in tokens)
    assert Zoom().secret_token not in tokens


def test_headers_are_zooms_in_order() -> None:
    zoom = _zoom(client_id="abcClient", verification_token="legacy")
    zoom.subscribe(zoom_receiver(SECRET))
    delivery = zoom.send("meeting.started")
    request = delivery.request
    assert [name for name, _ in request.headers] == [
        "host",
        "user-agent",
        "content-length",
        "content-type",
        "x-zm-request-timestamp",
        "x-zm-signature",
        "x-zm-request-id",
        "x-zm-trackingid",
        "authorization",
        "clientid",
        "traceparent",
        "zm-trace-upstream",
        "accept-encoding",
    ]
    assert request.header("User-Agent") == "Zoom Marketplace/1.0a"
    assert request.header("content-type") == "application/json; charset=utf-8"
    assert request.header("content-length") == str(len(request.body))
    ts = request.header("x-zm-request-timestamp")
    assert ts is not None and ts == str(int(delivery.sent_at))
    assert request.header("x-zm-signature") == zoom_module.sign(SECRET, ts, request.body)
    assert re.fullmatch(r"00-[0-9a-f]{32}-[0-9a-f]{16}-02", request.header("traceparent") or "")
    assert request.body is delivery.event.body
    event_ts = json.loads(request.body)["event_ts"]
    assert abs(event_ts - delivery.sent_at * 1000) < 5000


# ZOOM.md §8: what every captured delivery carries.
REQUEST_ID = r"[0-9a-f]{8}_[0-9a-f]{4}_4[0-9a-f]{3}_[89ab][0-9a-f]{3}_[0-9a-f]{12}"
TRACKING_ID = r"v=2\.0;clid=us02;rid=WEB_[0-9a-f]{32}"
TRACEPARENT = r"00-[0-9a-f]{32}-[0-9a-f]{16}-02"


def test_default_headers_are_those_of_real_deliveries() -> None:
    zoom = _zoom()
    zoom.subscribe(zoom_receiver(SECRET))
    requests = [zoom.send("meeting.started").request for _ in range(50)]
    for request in requests:
        assert [name for name, _ in request.headers] == [
            "host",
            "user-agent",
            "content-length",
            "content-type",
            "x-zm-request-timestamp",
            "x-zm-signature",
            "x-zm-request-id",
            "x-zm-trackingid",
            "traceparent",
            "zm-trace-upstream",
            "accept-encoding",
        ]
        assert re.fullmatch(REQUEST_ID, request.header("x-zm-request-id") or "")
        assert re.fullmatch(TRACKING_ID, request.header("x-zm-trackingid") or "")
        assert re.fullmatch(TRACEPARENT, request.header("traceparent") or "")
        assert request.header("zm-trace-upstream") == "Meeting_Web_marketplace-consumer"
    for header in ("x-zm-request-id", "x-zm-trackingid", "traceparent"):
        assert len({r.header(header) for r in requests}) == 50, header


def test_header_ids_are_the_seeded_draws_written_in_hex() -> None:
    # Each attempt draws a request id, a tracking id and a traceparent's ids, in that order,
    # from its own seeded sequence (the URL validation's attempt first).
    zoom = _zoom()
    zoom.subscribe(zoom_receiver(SECRET))
    rng = random.Random(3 ^ 0x7EAD)
    rng.getrandbits(448)
    event = zoom.fake("meeting.started")
    for _ in range(200):
        request = zoom.send(event).request
        assert request.header("x-zm-request-id") == zoom_module.request_id(rng)
        assert (
            request.header("x-zm-trackingid")
            == f"v=2.0;clid=us02;rid=WEB_{rng.getrandbits(128):032x}"
        )
        trace_id, parent_id = rng.getrandbits(128), rng.getrandbits(64)
        assert request.header("traceparent") == f"00-{trace_id:032x}-{parent_id:016x}-02"


@pytest.mark.parametrize(
    ("switch", "header"),
    [
        ("traceparent", "traceparent"),
        ("tracking_id", "x-zm-trackingid"),
        ("trace_upstream", "zm-trace-upstream"),
    ],
)
def test_each_tracing_header_can_be_switched_off(switch: str, header: str) -> None:
    on = _zoom(clock=lambda: 1_790_000_000.0)
    off = _zoom(clock=lambda: 1_790_000_000.0, **{switch: False})
    for zoom in (on, off):
        zoom.subscribe(zoom_receiver(SECRET))
    sent_on, sent_off = on.send("meeting.started"), off.send("meeting.started")
    names_on = [name for name, _ in sent_on.request.headers]
    assert [name for name, _ in sent_off.request.headers] == [n for n in names_on if n != header]
    # The other values, bodies and ids included, stay as they were.
    assert sent_on.request.body == sent_off.request.body
    assert sent_on.request.header("x-zm-request-id") == sent_off.request.header("x-zm-request-id")


def test_request_id_is_fresh_per_attempt() -> None:
    zoom = _zoom()
    zoom.subscribe(zoom_receiver(SECRET))
    event = zoom.fake("meeting.started")
    ids = {zoom.send(event).request.header("x-zm-request-id") for _ in range(3)}
    assert len(ids) == 3


def test_header_replacement_and_stale_timestamp() -> None:
    zoom = _zoom()
    zoom.subscribe(zoom_receiver(SECRET))
    delivery = zoom.send(
        "meeting.started", headers={"x-zm-signature": None, "x-custom": "1"}, timestamp=5
    )
    assert delivery.request.header("x-zm-signature") is None
    assert delivery.request.header("x-custom") == "1"
    assert delivery.request.header("x-zm-request-timestamp") == "5"
    assert delivery.outcome is Outcome.REJECTED


def _first_line(excinfo: pytest.ExceptionInfo[SubscriptionError]) -> str:
    return str(excinfo.value).splitlines()[0]


@pytest.mark.parametrize(
    ("token", "problem"),
    [
        (
            lambda s, p: base64.b64encode(
                hmac.new(s.encode(), p.encode(), "sha256").digest()
            ).decode(),
            "encryptedToken is wrong: it is base64; Zoom expects lowercase hex",
        ),
        (
            lambda s, p: hmac.new(s.encode(), p.encode(), "sha1").hexdigest(),
            "encryptedToken is wrong: it is HMAC-SHA1; Zoom uses HMAC-SHA256",
        ),
        (
            lambda s, p: hashlib.sha256(p.encode()).hexdigest(),
            "encryptedToken is wrong: it is a plain SHA-256 of plainToken, without the secret",
        ),
        (
            lambda s, p: hmac.new(p.encode(), s.encode(), "sha256").hexdigest(),
            "encryptedToken is wrong: key and message are swapped",
        ),
        (lambda s, p: p, "encryptedToken is wrong: it is the plainToken itself, not its HMAC"),
        (lambda s, p: None, "encryptedToken missing from the answer"),
    ],
)
def test_url_validation_mistakes_are_told_apart(token: Any, problem: str) -> None:
    zoom = _zoom()
    with pytest.raises(SubscriptionError) as excinfo:
        zoom.subscribe(zoom_receiver(SECRET, token=token))
    assert _first_line(excinfo).startswith(
        "Zoom's URL validation of https://receiver.test/ failed: " + problem
    )
    assert zoom.subscriptions == []
    assert len(zoom.deliveries) == 1  # the failed attempt is recorded all the same


def test_url_validation_with_another_secret_hints_at_the_secret() -> None:
    zoom = _zoom()
    with pytest.raises(SubscriptionError) as excinfo:
        zoom.subscribe(zoom_receiver("another-secret", verify=False))
    message = str(excinfo.value)
    expected = zoom_module.encrypted_token(
        SECRET, zoom.deliveries.last.event.data["payload"]["plainToken"]
    )
    assert f'"encryptedToken": "{expected}"' in message
    assert "hint: the receiver's secret token differs from the simulated app's" in message
    assert SECRET not in message


def test_url_validation_rejected_as_unsigned() -> None:
    zoom = _zoom()
    with pytest.raises(SubscriptionError) as excinfo:
        zoom.subscribe(zoom_receiver("another-secret"))
    message = str(excinfo.value)
    assert _first_line(excinfo).endswith("failed: status 401, expected 200")
    assert "hint: the validation request is signed like every event" in message
    assert "x-zm-signature: v0=(masked)" in message


def test_url_validation_not_json() -> None:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    with pytest.raises(SubscriptionError) as excinfo:
        _zoom().subscribe(app)
    assert "the body is not JSON: 'ok'" in str(excinfo.value)
    assert 'hint: answer with a JSON object {"plainToken"' in str(excinfo.value)


def test_sending_needs_a_covering_subscription() -> None:
    zoom = _zoom()
    with pytest.raises(
        NotSubscribedError, match=r"nothing is subscribed yet; call zoom\.subscribe"
    ):
        zoom.send("meeting.started")
    zoom.subscribe(zoom_receiver(SECRET), events=["meeting.ended"], name="ended-only")
    with pytest.raises(NotSubscribedError) as excinfo:
        zoom.send("meeting.started")
    assert str(excinfo.value) == (
        "no subscription covers 'meeting.started'; subscriptions:\n"
        "  ended-only → https://receiver.test/: meeting.ended"
    )


def test_several_subscriptions_need_to_or_send_all() -> None:
    zoom = _zoom()
    first = zoom.subscribe(zoom_receiver(SECRET), path="/a")
    second = zoom.subscribe(zoom_receiver(SECRET), path="/b", events=["meeting.started"])
    with pytest.raises(NotSubscribedError, match="covered by 2 subscriptions"):
        zoom.send("meeting.started")
    assert zoom.send("meeting.started", to=second).request.url.endswith("/b")
    deliveries = zoom.send_all("meeting.started")
    assert [d.subscription for d in deliveries] == [first.name, second.name]
    assert deliveries[0].event is deliveries[1].event
    assert zoom.send("meeting.ended").request.url.endswith("/a")


def test_subscribe_rejects_unknown_events() -> None:
    with pytest.raises(UnknownEventError, match=r"did you mean 'meeting\.started'"):
        _zoom().subscribe(zoom_receiver(SECRET), events=["meeting.startd"])


def test_secret_never_in_descriptions() -> None:
    zoom = _zoom(verification_token="legacy-token-value")

    def leaky(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("500 Internal Server Error", [])
        return [f"expected secret {SECRET}".encode()]

    zoom.subscribe(zoom_receiver(SECRET), path="/ok")
    zoom.unsubscribe(zoom.subscriptions[0])
    from hookmock.engine.simulator import Subscription
    from hookmock.transports import WSGITarget

    delivery = zoom.deliver(
        zoom.fake("meeting.started"), Subscription("x", "leaky", WSGITarget(leaky), None)
    )
    text = delivery.describe()
    assert SECRET not in text and "legacy-token-value" not in text
    assert "expected secret ***" in text
    assert "authorization: (masked)" in text


def test_invalid_settings() -> None:
    with pytest.raises(ValueError, match="secret_token must be a non-empty string"):
        Zoom(secret_token="")
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        Zoom(seed=-1)
    with pytest.raises(ValueError, match="deadline must be a positive number"):
        Zoom(deadline=0)


def test_to_must_cover_the_event() -> None:
    zoom = _zoom()
    ended = zoom.subscribe(zoom_receiver(SECRET), events=["meeting.ended"], name="ended")
    with pytest.raises(NotSubscribedError) as excinfo:
        zoom.send("meeting.started", to=ended)
    assert str(excinfo.value) == (
        "ended → https://receiver.test/ does not cover 'meeting.started'; it receives: "
        "meeting.ended"
    )


def test_the_marker_switches_the_tracing_headers_off(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.hookmock(tracking_id=False, trace_upstream=False, traceparent=False)
        def test_marked(zoom):
            assert (zoom.tracking_id, zoom.trace_upstream, zoom.traceparent) == (
                False, False, False)

        def test_unmarked(zoom):
            assert (zoom.tracking_id, zoom.trace_upstream, zoom.traceparent) == (True, True, True)
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)
