"""The mock server's control API (``/_hookmock/``), its robustness against bad requests, its
OpenAPI document and the live delivery log."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from hookmock import Delivery, Zoom
from hookmock.server import MockZoomServer
from hookmock.server_control import ROUTES as CONTROL_ROUTES
from hookmock.server_openapi import DOCUMENT
from hookmock.server_zoom import ROUTES as ZOOM_ROUTES
from tests.receivers import serving, zoom_receiver
from tests.server_helpers import Api, http

SECRET = "control-secret-token"


def test_the_curl_flow_of_the_readme(api: Api, zoom: Zoom, receiver: Any) -> None:
    """What the README's curl commands do, from a test suite in any language."""
    # 1. The receiver's own start-up: a token, then its subscription (URL validation runs).
    assert api.subscribe(receiver.url, events=["meeting.started"]).status == 201
    # 2. Trigger an event with an override.
    sent = api.post(
        "/_hookmock/trigger",
        {"event": "meeting.started", "overrides": {"payload.object.topic": "Q3 review"}},
    )
    assert sent.status == 200
    result = sent.json()
    assert result["body"]["payload"]["object"]["topic"] == "Q3 review"
    (delivery,) = result["deliveries"]
    assert delivery["outcome"] == "acknowledged" and delivery["status"] == 204
    assert delivery["next_step"] == "done: acknowledged" and delivery["index"] == 2
    # 3. Read the log: the URL validation, then the event.
    log = api.get("/_hookmock/deliveries").json()
    assert log["total"] == 2
    assert [d["event"] for d in log["deliveries"]] == ["endpoint.url_validation", "meeting.started"]
    assert api.get("/_hookmock/deliveries?since=1").json()["deliveries"] == [delivery]
    # 4. A lost delivery, retried 5 minutes later in provider time (curl -d sends a form
    # content type: the body is read as JSON all the same).
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    fault = http("POST", api.base + "/_hookmock/faults", data=b'{"kind": "timeout"}', headers=form)
    assert fault.json() == {"kind": "timeout", "times": 1, "subscription_id": None}
    failed = api.post("/_hookmock/trigger", {"event": "meeting.started"}).json()
    assert failed["deliveries"][0]["outcome"] == "timeout"
    assert failed["deliveries"][0]["next_step"] == "retry 1 at +5 min"
    pending = api.get("/_hookmock/state").json()["pending"]
    assert [job["kind"] for job in pending] == ["retry", "revalidation"]
    assert 299 < pending[0]["in_seconds"] <= 300
    moved = api.post("/_hookmock/clock/advance", {"minutes": 5}).json()
    (retry,) = moved["deliveries"]
    assert retry["attempt"] == 2 and retry["outcome"] == "acknowledged"
    assert retry["chain"] == failed["deliveries"][0]["chain"]
    # 5. Re-validation every 72 hours.
    idle = api.post("/_hookmock/run-until-idle").json()
    assert idle["deliveries"] == []
    later = api.post("/_hookmock/clock/advance", {"hours": 72}).json()
    assert [d["event"] for d in later["deliveries"]] == ["endpoint.url_validation"]
    # 6. Reset: nothing left, provider time stays.
    assert api.post("/_hookmock/reset").status == 200
    state = api.get("/_hookmock/state").json()
    assert state["subscriptions"] == [] and state["deliveries"] == 0 and state["pending"] == []
    assert state["now"] >= later["now"]
    assert zoom.subscriptions == [] and len(zoom.deliveries) == 0


def test_state_shows_what_the_page_needs(api: Api, zoom: Zoom, receiver: Any) -> None:
    zoom.subscribe(receiver.url, events=["meeting.started"], name="app")
    state = api.get("/_hookmock/state").json()
    assert state["seed"] == zoom.seed and state["server_url"] == api.base
    assert state["oauth"] == {
        "token_url": api.base + "/oauth/token",
        "client_id": "hookmock-client-id",
        "account_id": None,
    }
    (subscription,) = state["subscriptions"]
    assert subscription["name"] == "app" and subscription["events"] == ["meeting.started"]
    assert subscription["active"] is True and subscription["created_source"] == "default"
    assert subscription["validated_at_iso"].endswith("Z")
    events = api.get("/_hookmock/events?prefix=meeting.st").json()["events"]
    assert "meeting.started" in events and all(e.startswith("meeting.st") for e in events)


def test_deliveries_show_secrets_masked(api: Api, zoom: Zoom, receiver: Any) -> None:
    zoom.subscribe(receiver.url)
    api.post("/_hookmock/trigger", {"event": "meeting.started"})
    text = api.get("/_hookmock/deliveries").body.decode()
    assert zoom.secret_token not in text and "hookmock-client-secret" not in text
    record = json.loads(text)["deliveries"][-1]
    headers = dict(record["request"]["headers"])
    assert headers["x-zm-signature"] == "v0=(masked)"
    assert headers["user-agent"] == "Zoom Marketplace/1.0a"
    assert json.loads(record["request"]["body"])["event"] == "meeting.started"
    assert record["response"]["status"] == 204 and record["elapsed_ms"] >= 0
    only = api.get("/_hookmock/deliveries?event=meeting.started&limit=1").json()
    assert only["total"] == 2 and [d["index"] for d in only["deliveries"]] == [2]


def test_trigger_to_one_subscription(api: Api, zoom: Zoom, receiver: Any) -> None:
    first = zoom.subscribe(receiver.url, name="one")
    zoom.subscribe(receiver.url, name="two")
    both = api.post("/_hookmock/trigger", {"event": "meeting.started", "seed": 7}).json()
    assert [d["subscription"] for d in both["deliveries"]] == ["one", "two"]
    again = api.post(
        "/_hookmock/trigger", {"event": "meeting.started", "seed": 7, "subscription_id": first.id}
    ).json()
    assert [d["subscription"] for d in again["deliveries"]] == ["one"]
    # The same seed, the same values; start_time follows the clock, which may tick in between.
    for body in (again["body"], both["body"]):
        del body["payload"]["object"]["start_time"]
    assert again["body"]["payload"] == both["body"]["payload"]
    unknown = api.post("/_hookmock/trigger", {"event": "meeting.started", "subscription_id": "x"})
    assert unknown.status == 422 and first.id in unknown.message


@pytest.mark.parametrize(
    ("path", "body", "status", "says"),
    [
        (
            "/_hookmock/trigger",
            {"event": "meeting.strated"},
            422,
            "unknown zoom event 'meeting.strated': did you mean 'meeting.started'",
        ),
        (
            "/_hookmock/trigger",
            {"event": "meeting.started", "overrides": {"payload.object.duration": "long"}},
            422,
            "$.payload.object.duration: 'long' is not of type 'integer'",
        ),
        (
            "/_hookmock/trigger",
            {"event": "meeting.started", "overrides": {"payload.object.topic.x": 1}},
            422,
            "payload.object.topic is str",
        ),
        (
            "/_hookmock/trigger",
            {"event": "meeting.started", "seed": -1},
            422,
            "TriggerRequest in /_hookmock/openapi.json: $.seed: -1 is less than the minimum of 0",
        ),
        (
            "/_hookmock/trigger",
            {"event": "meeting.started", "color": "red"},
            422,
            "Additional properties are not allowed ('color' was unexpected)",
        ),
        ("/_hookmock/trigger", {}, 422, "$: 'event' is a required property"),
        ("/_hookmock/trigger", None, 400, "the request has no body"),
        ("/_hookmock/trigger", {"event": "meeting.started"}, 409, "nothing is subscribed yet"),
        ("/_hookmock/clock/advance", {"days": -1}, 422, "$.days: -1 is less than the minimum"),
        ("/_hookmock/clock/advance", {"days": 366, "hours": 1}, 422, "at most 366 days"),
        ("/_hookmock/faults", {"kind": "gremlins"}, 422, "$.kind: 'gremlins' is not one of"),
        ("/_hookmock/faults", {"kind": "reset", "subscription_id": "x"}, 422, "no subscription"),
    ],
)
def test_bad_control_requests_say_what_to_fix(
    api: Api, path: str, body: Any, status: int, says: str
) -> None:
    reply = api.post(path, body)
    assert reply.status == status, reply.body
    assert says in reply.message
    assert reply.json()["code"] == status


def test_overrides_breaking_the_schema_name_each_path(api: Api, zoom: Zoom, receiver: Any) -> None:
    zoom.subscribe(receiver.url)
    overrides = {"payload.object.duration": "long", "payload.object.type": "x"}
    reply = api.post("/_hookmock/trigger", {"event": "meeting.started", "overrides": overrides})
    errors = {e["field"] for e in reply.json()["errors"]}
    assert errors == {"$.payload.object.duration", "$.payload.object.type"}
    assert reply.message.endswith('hint: send "validate": false to deliver it anyway')
    anyway = api.post(
        "/_hookmock/trigger",
        {"event": "meeting.started", "overrides": overrides, "validate": False},
    )
    assert anyway.status == 200 and anyway.json()["body"]["payload"]["object"]["type"] == "x"


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"{not json", "the body is not JSON (Expecting property name"),
        (b"\xff\xfe{}", "the body is not UTF-8 (invalid byte at offset 0)"),
        (b'{"event": NaN}', "NaN is not JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b"   ", "the request has no body"),
        (b'{"event": "\\ud83d"}', "an unpaired surrogate escape (\\ud83d)"),
    ],
)
def test_malformed_bodies_are_400(api: Api, data: bytes, says: str) -> None:
    reply = http("POST", api.base + "/_hookmock/trigger", data=data)
    assert reply.status == 400 and says in reply.message


def test_wrong_methods_unknown_paths_and_oversized_bodies(api: Api) -> None:
    wrong = api.get("/_hookmock/trigger")
    assert wrong.status == 405 and wrong.headers["Allow"] == "POST"
    assert wrong.message == "GET /_hookmock/trigger is not allowed: /_hookmock/trigger accepts POST"
    assert api.call("PUT", "/oauth/token").status == 405
    missing = api.get("/_hookmock/nothing")
    assert missing.status == 404
    assert missing.message.startswith("no endpoint at GET /_hookmock/nothing. The mock Zoom server")
    assert "POST /_hookmock/trigger" in missing.message and "{file_id}" in missing.message
    huge = http("POST", api.base + "/_hookmock/trigger", data=b"x" * (1024 * 1024 + 1))
    assert huge.status == 413
    assert huge.message == (
        "the body of POST /_hookmock/trigger is larger than this server's limit of 1048576 bytes"
    )
    form = http(
        "POST",
        api.base + "/oauth/token",
        data=b"a=" + b"x" * (1024 * 1024),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert form.status == 413


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("POST", "/v2/marketplace/app/event_subscription", b"\x00\x01"),
        ("POST", "/v2/marketplace/app/event_subscription", b'{"events": {"a": 1}}'),
        ("POST", "/v2/marketplace/app/event_subscription", b'{"events": ["x"], "user_ids": [1]}'),
        (
            "POST",
            "/v2/marketplace/app/event_subscription",
            b'{"events": ["meeting.started"], "event_webhook_url": "http://[::1"}',
        ),
        (
            "POST",
            "/v2/marketplace/app/event_subscription",
            b'{"events": ["meeting.started"], "event_webhook_url": "http://127.0.0.1:99999/x"}',
        ),
        (
            "POST",
            "/v2/marketplace/app/event_subscription",
            b'{"events": ["meeting.started"], "event_webhook_url": "https://%s.test/x"}'
            % (b"a" * 300),
        ),
        ("PATCH", "/v2/marketplace/app/event_subscription/%00", b"[]"),
        ("DELETE", "/v2/marketplace/app/event_subscription", b'{"account_id": 5}'),
        ("GET", "/rec/download/..%2F..%2Fetc%2Fpasswd", b""),
        ("POST", "/oauth/token?grant_type=%ff", b"\xff"),
        ("GET", "/_hookmock/deliveries?since=-1", b""),
        ("GET", "/_hookmock/deliveries?limit=abc", b""),
        ("POST", "/_hookmock/clock/advance", b'{"seconds": 1e400}'),
        ("POST", "/_hookmock/clock/advance", b'{"seconds": "1"}'),
    ],
)
def test_hostile_requests_get_a_4xx_never_a_5xx(
    api: Api, method: str, path: str, data: bytes
) -> None:
    headers = api.bearer() if path.startswith("/v2/") else {}
    reply = http(method, api.base + path, data=data or None, headers=headers)
    assert 400 <= reply.status < 500, reply.body
    assert reply.json()["message"]


def test_the_openapi_document_describes_every_control_route(api: Api) -> None:
    served = api.get("/_hookmock/openapi.json").json()
    assert served == json.loads(json.dumps(DOCUMENT))
    assert served["openapi"] == "3.1.0"
    documented = {
        (path, method.upper()) for path, ops in DOCUMENT["paths"].items() for method in ops
    }
    routed = {(path, method) for path, methods, _ in CONTROL_ROUTES for method in methods}
    assert documented == routed
    # Zoom's own endpoints are Zoom's API, not part of the control API's document.
    assert not {path for path, _, _ in ZOOM_ROUTES} & set(DOCUMENT["paths"])


def test_the_log_file_gets_one_json_line_per_attempt_as_it_happens(tmp_path: Any) -> None:
    zoom = Zoom(secret_token=SECRET)
    path = tmp_path / "deliveries.jsonl"
    with (
        path.open("a", encoding="utf-8") as log,
        MockZoomServer(zoom, log=log) as server,
        serving(zoom_receiver(SECRET)) as base,
    ):
        api = Api(server.url)
        assert api.subscribe(base + "/hook").status == 201
        assert len(path.read_text().splitlines()) == 1  # flushed as it happened
        zoom.fail_next("refused")
        api.post("/_hookmock/trigger", {"event": "meeting.started"})
        lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [(r["index"], r["event"], r["outcome"]) for r in lines] == [
        (1, "endpoint.url_validation", "acknowledged"),
        (2, "meeting.started", "connection error"),
    ]
    assert lines[1]["next_step"] == "retry 1 at +5 min"  # recorded complete
    assert SECRET not in path.read_text()


def test_a_log_that_cannot_be_written_is_warned_about_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    zoom = Zoom(secret_token=SECRET)
    log = io.StringIO()
    with MockZoomServer(zoom, log=log) as server, serving(zoom_receiver(SECRET)) as base:
        log.close()
        zoom.subscribe(base + "/hook")
        zoom.send("meeting.started").assert_acknowledged()
        assert server.running
    assert capsys.readouterr().err.count("the delivery log stopped") == 1


def test_delivery_log_listeners_see_complete_records() -> None:
    zoom = Zoom(secret_token=SECRET)
    seen: list[tuple[int, str | None]] = []

    def listener(delivery: Delivery) -> None:
        seen.append((len(zoom.deliveries), delivery.next_step))

    stop = zoom.deliveries.on_append(listener)
    with serving(zoom_receiver(SECRET)) as base:
        zoom.subscribe(base + "/hook")
        zoom.fail_next("reset")
        zoom.send("meeting.started")
        stop()
        stop()  # twice is harmless
        zoom.send("meeting.started")
    assert seen == [(1, None), (2, "retry 1 at +5 min")]


def test_generation_hooks_change_the_body_before_it_is_signed() -> None:
    zoom = Zoom(secret_token=SECRET)

    def hook(name: str, data: Any) -> None:
        if name == "meeting.started":
            data["payload"]["object"]["topic"] = f"hooked {name}"

    zoom.generation_hooks.append(hook)
    with serving(zoom_receiver(SECRET)) as base:
        zoom.subscribe(base + "/hook", events=["meeting.started"])
        delivery = zoom.send("meeting.started", topic="ignored")
    delivery.assert_acknowledged()  # the receiver verified the signature over the new bytes
    assert b'"topic":"hooked meeting.started"' in delivery.request.body
