"""The mock server's control API (``/_hookmock/``), its robustness against bad requests, its
OpenAPI document and the live delivery log."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import Client

from hookmock import ConfigurationError, Delivery, Zoom
from hookmock.providers.zoom.server import ROUTES as ZOOM_ROUTES
from hookmock.server import MockServer, MockServerApp
from hookmock.server.control import ROUTES as CONTROL_ROUTES
from hookmock.server.guard import Guard
from hookmock.server.openapi import DOCUMENT, document_for
from hookmock.server.state import ServerState
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
    # 4. A lost delivery, retried 5 minutes later in provider time.
    fault = http(
        "POST",
        api.base + "/_hookmock/faults",
        data=b'{"kind": "timeout"}',
        headers={"content-type": "application/json"},
    )
    assert fault.json() == {"kind": "timeout", "times": 1, "subscription_id": None}
    assert api.get("/_hookmock/state").json()["faults"] == [
        {"kind": "timeout", "subscription": None}
    ]
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
            "payload.object.topic is a string in the schema",
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
        ("/_hookmock/trigger", {}, 422, '$: "event" is a required property'),
        ("/_hookmock/trigger", None, 400, "the request has no body"),
        ("/_hookmock/trigger", {"event": "meeting.started"}, 409, "nothing is subscribed yet"),
        ("/_hookmock/clock/advance", {"days": -1}, 422, "$.days: -1 is less than the minimum"),
        ("/_hookmock/clock/advance", {"days": 366, "hours": 1}, 422, "at most 366 days"),
        (
            "/_hookmock/faults",
            {"kind": "gremlins"},
            422,
            '$.kind: "gremlins" is not one of "refused", "reset", "timeout"',
        ),
        ("/_hookmock/faults", {"kind": "reset", "subscription_id": "x"}, 422, "no subscription"),
    ],
)
def test_bad_control_requests_say_what_to_fix(
    api: Api, path: str, body: Any, status: int, says: str
) -> None:
    reply = api.post(path, body)
    assert reply.status == status, reply.body
    assert says in reply.message
    assert reply.json()["status"] == status and "code" not in reply.json()  # hookmock's shape


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
    reply = http(
        "POST",
        api.base + "/_hookmock/trigger",
        data=data,
        headers={"Content-Type": "application/json"},
    )
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
    huge = http(
        "POST",
        api.base + "/_hookmock/trigger",
        data=b"x" * (1024 * 1024 + 1),
        headers={"Content-Type": "application/json"},
    )
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
    headers = api.bearer() if path.startswith("/v2/") else {"Content-Type": "application/json"}
    reply = http(method, api.base + path, data=data or None, headers=headers)
    assert 400 <= reply.status < 500, reply.body
    assert reply.json()["message"]


def test_the_openapi_document_describes_every_control_route(api: Api) -> None:
    served = api.get("/_hookmock/openapi.json").json()
    assert served == json.loads(json.dumps(document_for(Zoom)))
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
        MockServer(zoom, log=log) as server,
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
    assert lines[1]["retry_due"] == lines[1]["sent_at"] + 300
    assert SECRET not in path.read_text()


def test_a_log_that_cannot_be_written_is_warned_about_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    zoom = Zoom(secret_token=SECRET)
    log = io.StringIO()
    with MockServer(zoom, log=log) as server, serving(zoom_receiver(SECRET)) as base:
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


# -- who is answered ----------------------------------------------------------------------------


def _port(api: Api) -> int:
    return int(api.base.rsplit(":", 1)[1])


@pytest.mark.parametrize(
    "host",
    [
        "evil.example:{port}",
        "evil.example",
        "localhost.evil.example:{port}",
        "127.0.0.1:1",
        "127.0.0.1",
        "[::2]:{port}",
        "127.0.0.1:{port}@evil.example",
        "",
    ],
)
@pytest.mark.parametrize("path", ["/_hookmock/state", "/", "/oauth/token"])
def test_a_host_that_is_not_the_servers_address_is_refused(api: Api, host: str, path: str) -> None:
    """DNS rebinding: a page whose own name now resolves to 127.0.0.1 sends its name."""
    method = "POST" if path == "/oauth/token" else "GET"
    reply = http(method, api.base + path, headers={"Host": host.format(port=_port(api))})
    assert reply.status == 421, reply.body
    assert reply.message.startswith("this server does not answer to Host ")
    assert f"it answers to 127.0.0.1:{_port(api)}, [::1]:{_port(api)}, localhost:" in reply.message
    assert "--allow-host NAME" in reply.message
    assert reply.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}"])
def test_the_servers_own_names_are_answered(api: Api, host: str) -> None:
    reply = api.get("/_hookmock/state", headers={"Host": host.format(port=_port(api))})
    assert reply.status == 200


def test_more_host_names_can_be_allowed() -> None:
    with MockServer(Zoom(), allowed_hosts=["hookmock", "proxy.test:8080"]) as server:
        api = Api(server.url)
        for host, status in [
            ("hookmock:1234", 200),
            ("hookmock", 200),
            ("proxy.test:8080", 200),
            ("proxy.test:9", 421),
            ("other.test:8080", 421),
        ]:
            assert api.get("/_hookmock/state", headers={"Host": host}).status == status, host
    with pytest.raises(ConfigurationError, match="allowed_hosts: not a host name"):
        MockServer(Zoom(), allowed_hosts=["a b"])


@pytest.mark.parametrize(
    ("bound", "host", "allowed"),
    [
        ("0.0.0.0", "192.0.2.7:8765", True),  # any of this machine's addresses
        ("0.0.0.0", "[2001:db8::1]:8765", True),
        ("0.0.0.0", "localhost:8765", True),
        ("0.0.0.0", "evil.example:8765", False),  # a name: what DNS rebinding sends
        ("0.0.0.0", "192.0.2.7:80", False),
        ("192.0.2.7", "192.0.2.7:8765", True),
        ("192.0.2.7", "192.0.2.8:8765", False),
        ("192.0.2.7", "localhost:8765", False),
        ("ci-runner.internal", "CI-RUNNER.internal.:8765", True),
        ("::1", "[::1]:8765", True),
        ("::1", "127.0.0.1:8765", True),
    ],
)
def test_which_hosts_a_server_answers_to(bound: str, host: str, allowed: bool) -> None:
    assert Guard(bound, 8765).host_allowed(host) is allowed


@pytest.mark.parametrize(
    ("headers", "says"),
    [
        ({"Origin": "http://evil.example"}, "Origin 'http://evil.example' is not this server"),
        ({"Origin": "null"}, "Origin 'null' is not this server"),
        ({"Origin": "http://127.0.0.1:1"}, "is not this server"),
        ({"Origin": "https://127.0.0.1:{port}"}, "is not this server"),
        ({"Sec-Fetch-Site": "cross-site"}, "cross-site request refused (Sec-Fetch-Site"),
        ({"Sec-Fetch-Site": "same-site"}, "(Sec-Fetch-Site: same-site)"),
    ],
)
def test_cross_origin_browser_requests_are_refused(
    api: Api, zoom: Zoom, headers: dict[str, str], says: str
) -> None:
    sent = {name: value.format(port=_port(api)) for name, value in headers.items()}
    for method, path in [("POST", "/_hookmock/reset"), ("GET", "/_hookmock/state")]:
        reply = api.call(method, path, headers=sent)
        assert reply.status == 403 and says in reply.message, reply.body
    zoom.fail_next("timeout")
    api.post("/_hookmock/reset", headers=sent)
    assert len(api.get("/_hookmock/state").json()["faults"]) == 1  # nothing was reset


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://127.0.0.1:{port}", "Sec-Fetch-Site": "same-origin"},
        {"Sec-Fetch-Site": "none"},  # typed in the address bar
    ],
)
def test_the_servers_own_page_is_answered(api: Api, headers: dict[str, str]) -> None:
    sent = {name: value.format(port=_port(api)) for name, value in headers.items()}
    assert api.post("/_hookmock/reset", headers=sent).status == 200


@pytest.mark.parametrize(
    ("content_type", "status"),
    [
        (None, 415),
        ("text/plain", 415),
        ("application/x-www-form-urlencoded", 415),
        ("multipart/form-data; boundary=x", 415),
        ("application/json", 200),
        ("application/json; charset=utf-8", 200),
        ("Application/JSON", 200),
    ],
)
@pytest.mark.parametrize("body", [b"", b"{}"])
def test_control_posts_must_declare_json(
    api: Api, content_type: str | None, status: int, body: bytes
) -> None:
    """What a cross-origin page can send without the browser asking first (a "simple"
    request: text/plain, a form, or no type) is refused."""
    headers = {} if content_type is None else {"Content-Type": content_type}
    reply = http("POST", api.base + "/_hookmock/reset", data=body, headers=headers)
    assert reply.status == status, reply.body
    if status == 415:
        assert "control requests must declare Content-Type: application/json" in reply.message
        assert "-H 'content-type: application/json'" in reply.message


def test_a_control_token_guards_the_control_api_only() -> None:
    with (
        MockServer(Zoom(secret_token=SECRET), control_token="s3cret-control") as server,
        serving(zoom_receiver(SECRET)) as base,
    ):
        api = Api(server.url)
        missing = api.get("/_hookmock/state")
        assert missing.status == 401
        assert missing.message == (
            "GET /_hookmock/state came with no control token: this server was started with one "
            "(--control-token or $HOOKMOCK_CONTROL_TOKEN); send it as X-Hookmock-Control-Token: "
            "<token>. The page takes it as /#token=<token>"
        )
        wrong = api.post("/_hookmock/reset", headers={"X-Hookmock-Control-Token": "guess"})
        assert wrong.status == 401 and "came with a wrong control token" in wrong.message
        token = {"X-Hookmock-Control-Token": "s3cret-control"}
        assert api.post("/_hookmock/reset", headers=token).status == 200
        state = api.get("/_hookmock/state", headers=token)
        assert state.status == 200 and "s3cret-control" not in state.body.decode()
        # The description of the API, the page and Zoom's own endpoints need no token.
        assert api.get("/_hookmock/openapi.json").status == 200
        assert api.get("/").status == 200
        assert api.subscribe(base + "/hook").status == 201
    with pytest.raises(ConfigurationError, match="control_token must not be empty"):
        MockServer(Zoom(), control_token="")


def test_every_answer_says_nosniff(api: Api) -> None:
    for reply in (
        api.get("/_hookmock/state"),
        api.get("/_hookmock/nothing"),
        api.get("/_hookmock/trigger"),
        api.get("/rec/download/x"),
        api.post("/oauth/token"),
    ):
        assert reply.headers["X-Content-Type-Options"] == "nosniff", reply.status
    # Also when the HTTP layer refuses a request before the application sees it.
    with socket.create_connection(("127.0.0.1", _port(api)), timeout=60) as raw:
        many = b"".join(b"X-%d: y\r\n" % i for i in range(200))
        raw.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + many + b"\r\n")
        answer = b""
        while chunk := raw.recv(65536):
            answer += chunk
    head = answer.decode("latin-1").split("\r\n\r\n")[0]
    assert head.startswith("HTTP/1.1 431 Too many headers")
    assert "X-Content-Type-Options: nosniff" in head.splitlines()


# -- bad input ----------------------------------------------------------------------------------

_DEEP: Any = 1
for _ in range(300):
    _DEEP = [_DEEP]


@pytest.mark.parametrize(
    ("overrides", "field", "says"),
    [
        (
            {"payload.object.²": 1},
            "$.overrides['payload.object.²']",
            "segment '²' is neither a field name nor a list index (ASCII digits 0-9",
        ),
        (
            {"payload.object.participants.١": 1},
            "$.overrides['payload.object.participants.١']",
            "segment '١' is neither a field name nor a list index",
        ),
        (
            {"payload.object." + "7" * 5000: 1},
            "$.overrides['payload.object.7777777",
            "the path is 5015 characters long; at most 1000",
        ),
        (
            {"payload.object.participants." + "9" * 12: 1},
            "$.overrides['payload.object.participants.999999999999']",
            "segment '999999999999' is neither a field name nor a list index",
        ),
        (
            {".".join(["a"] * 20_000): 1},
            "$.overrides['a.a.a.a",
            "the path is 39999 characters long; at most 1000",
        ),
        (
            {".".join(["a"] * 100): 1},
            "$.overrides['a.a.a.a",
            "the path has 100 segments; at most 64",
        ),
        (
            {"payload.object.topic": _DEEP},
            "$.overrides['payload.object.topic']",
            "the value nests arrays and objects more than 64 deep",
        ),
    ],
    ids=[
        "superscript digit",
        "arabic digit",
        "5000 digits",
        "huge index",
        "20000 segments",
        "100 segments",
        "300 deep",
    ],
)
def test_overrides_beyond_reason_are_422_naming_the_override(
    api: Api, zoom: Zoom, receiver: Any, overrides: dict[str, Any], field: str, says: str
) -> None:
    zoom.subscribe(receiver.url)
    reply = api.post("/_hookmock/trigger", {"event": "meeting.started", "overrides": overrides})
    assert reply.status == 422, reply.body
    assert reply.message.startswith("override " + field) and says in reply.message
    assert reply.json()["errors"][0]["field"].startswith(field)
    assert len(zoom.deliveries) == 1  # only the URL validation: nothing was sent


@pytest.mark.parametrize(
    "url",
    ["http://a b/x", "http://example.test/a b", "http://exa\tmple.test/", "http://x.test/\x7f"],
)
def test_a_webhook_url_with_spaces_or_control_characters_is_refused(api: Api, url: str) -> None:
    reply = api.subscribe(url)
    assert reply.status == 400 and reply.json()["code"] == 300, reply.body
    assert reply.message.startswith("Validation Failed: event_webhook_url: the URL ")
    assert "must be percent-encoded (%20 for a space)" in reply.message


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b'{"seconds": 1e400}', "the number 1e400 is beyond the range of a double"),
        (b'{"seconds": -1e999}', "the number -1e999 is beyond the range of a double"),
        (b'{"seconds": Infinity}', "Infinity is not JSON"),
        (b'{"seconds": NaN}', "NaN is not JSON"),
    ],
)
def test_non_finite_numbers_are_refused(api: Api, data: bytes, says: str) -> None:
    reply = http(
        "POST",
        api.base + "/_hookmock/clock/advance",
        data=data,
        headers={"Content-Type": "application/json"},
    )
    assert reply.status == 400 and says in reply.message


def test_scripted_faults_are_listed_and_cleared_by_reset(
    api: Api, zoom: Zoom, receiver: Any
) -> None:
    subscription = zoom.subscribe(receiver.url, name="app")
    api.post("/_hookmock/faults", {"kind": "reset", "times": 2, "subscription_id": subscription.id})
    api.post("/_hookmock/faults", {"kind": "refused"})
    assert api.get("/_hookmock/state").json()["faults"] == [
        {"kind": "reset", "subscription": "app"},
        {"kind": "reset", "subscription": "app"},
        {"kind": "refused", "subscription": None},
    ]
    assert api.post("/_hookmock/reset").status == 200
    assert api.get("/_hookmock/state").json()["faults"] == []
    zoom.subscribe(receiver.url)
    zoom.send("meeting.started").assert_acknowledged()  # no fault was left behind


def test_the_first_control_request_needs_no_import() -> None:
    """Request bodies are checked with validators compiled when the server starts, so the
    first request does not import a validation library."""
    code = (
        "import sys\n"
        "from hookmock import Zoom\n"
        "from hookmock.server import MockServer\n"
        "server = MockServer(Zoom())\n"
        "before = set(sys.modules)\n"
        "from hookmock.server.openapi import body_errors\n"
        "print(body_errors('TriggerRequest', {'event': 5}))\n"
        "print(sorted(m for m in set(sys.modules) - before if not m.startswith('encodings')))\n"
        "server.stop()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd="/"
    )
    errors, imported = result.stdout.splitlines()
    assert errors == "[('$.event', '5 is not of type \"string\"')]"
    assert imported == "[]"


CURL = shutil.which("curl")


@pytest.mark.skipif(CURL is None, reason="the README's shell example uses curl: not installed")
def test_the_readmes_curl_lines_run_as_written() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    # The Zoom example ($Z); the one serving another provider is run in test_server_providers.
    blocks = re.findall(r"```console\n(.*?)```", readme, re.S)
    (block,) = [b for b in blocks if "$ curl" in b and "$Z/" in b]
    lines = [re.sub(r"\s+#\s.*$", "", line[2:]) for line in block.splitlines()]
    commands = [line for line in lines if line.startswith("curl ")]
    assert len(commands) == 6
    zoom = Zoom(secret_token=SECRET)
    with MockServer(zoom) as server, serving(zoom_receiver(SECRET)) as base:
        zoom.subscribe(base + "/zoom/webhook", events=["recording.completed"], name="receiver")
        # Only PATH: no proxy variable reaches curl.
        env = {"PATH": os.environ["PATH"], "Z": server.url + "/_hookmock"}
        answers = []
        for command in commands:
            result = subprocess.run(
                ["bash", "-c", command + " -w '\\n%{http_code}'"],
                capture_output=True,
                text=True,
                env=env,
                timeout=60,
                check=False,
            )
            body, _, status = result.stdout.rpartition("\n")
            assert (result.returncode, status) == (0, "200"), (command, result.stdout)
            answers.append(json.loads(body))
    trigger, log, fault, lost, advanced, reset = answers
    assert trigger["body"]["payload"]["object"]["topic"] == "Q3 review"
    assert [d["event"] for d in log["deliveries"]] == ["recording.completed"]
    assert fault["kind"] == "timeout"
    assert lost["deliveries"][0]["next_step"] == "retry 1 at +5 min"
    assert [(d["attempt"], d["outcome"]) for d in advanced["deliveries"]] == [(2, "acknowledged")]
    assert set(reset) == {"now", "now_iso"}


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=12,
)
_SEGMENT = st.sampled_from(
    ["payload", "object", "topic", "participant", "0", "1", "²", "07", ""]
) | st.text(max_size=6)
_PATH = st.lists(_SEGMENT, min_size=1, max_size=8).map(".".join)


@pytest.fixture(scope="module")
def in_process_app() -> Client:
    """The server's WSGI application without a socket, for many requests fast."""
    zoom = Zoom(secret_token=SECRET, seed=3)
    zoom.subscribe(zoom_receiver(SECRET), path="/hook")
    return Client(MockServerApp(ServerState(zoom)))


@settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    overrides=st.dictionaries(_PATH, _JSON, max_size=4),
    event=st.sampled_from(["meeting.started", "recording.completed", "webinar.participant_joined"]),
)
def test_fuzzed_overrides_are_answered_200_or_4xx_never_5xx(
    in_process_app: Any, overrides: dict[str, Any], event: str
) -> None:
    reply = in_process_app.post("/_hookmock/trigger", json={"event": event, "overrides": overrides})
    assert reply.status_code == 200 or 400 <= reply.status_code < 500, reply.get_data(as_text=True)
    body = reply.get_json()
    if reply.status_code != 200:
        assert body["message"] and body["status"] == reply.status_code


def test_a_guard_that_allowed_a_host_still_refuses_the_others() -> None:
    guard = Guard("0.0.0.0", 8765)
    # More allowed Host values than the guard remembers, each asked twice, a refused one between.
    for n in range(1, 200):
        for _ in range(2):
            assert guard.host_allowed(f"192.0.2.{n % 250}:8765") is True
            assert guard.host_allowed("evil.example:8765") is False
            assert guard.host_allowed(f"192.0.2.{n % 250}:8766") is False
    assert guard.host_allowed("192.0.2.1:8765") is True
    assert guard.host_allowed("192.0.2.199:8765") is True
    assert guard.host_allowed(None) is False


def test_every_path_is_routed_whether_fixed_or_not(in_process_app: Any) -> None:
    """The fixed paths are found without the routing map, the rest through it: same answers."""
    assert in_process_app.post("/_hookmock/trigger/", json={"event": "nope"}).status_code == 422
    assert in_process_app.head("/_hookmock/state").status_code == 200
    assert in_process_app.get("/_hookmock/state/").status_code == 200
    wrong = in_process_app.delete("/_hookmock/state")
    assert wrong.status_code == 405 and wrong.headers["Allow"] == "GET, HEAD"
    assert in_process_app.get("/rec/download/nothing").status_code == 404
    assert in_process_app.get("/_hookmock/stat").status_code == 404


@pytest.mark.parametrize(
    "body",
    [b'{"event": "meeting.\\u0073tarted"}', b'{"event": "meeting.started", "seed": 1}'],
)
def test_bodies_with_and_without_escapes_are_read_alike(in_process_app: Any, body: bytes) -> None:
    reply = in_process_app.post(
        "/_hookmock/trigger", data=body, headers={"Content-Type": "application/json"}
    )
    assert reply.status_code == 200, reply.get_data(as_text=True)
    assert reply.get_json()["event"] == "meeting.started"


def test_a_receiver_that_echoes_the_secret_has_it_hidden_in_the_log() -> None:
    validating = zoom_receiver(SECRET)

    def echo(environ: dict[str, Any], start_response: Any) -> Any:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        if b"endpoint.url_validation" in body:
            environ["wsgi.input"] = io.BytesIO(body)
            return validating(environ, start_response)
        start_response("200 OK", [("X-Echo", f"token={SECRET}"), ("X-Plain", "nothing here")])
        return [f'{{"seen": "{SECRET}", "again": "{SECRET}x", "other": "kept"}}'.encode()]

    zoom = Zoom(secret_token=SECRET, seed=3)
    zoom.subscribe(echo, path="/hook")
    client = Client(MockServerApp(ServerState(zoom)))
    reply = client.post("/_hookmock/trigger", json={"event": "meeting.started"})
    assert reply.status_code == 200, reply.get_data(as_text=True)
    assert SECRET not in reply.get_data(as_text=True)
    (record,) = reply.get_json()["deliveries"]
    assert record["response"]["body"] == '{"seen": "***", "again": "***x", "other": "kept"}'
    headers = dict(record["response"]["headers"])
    assert headers["X-Echo"] == "token=***" and headers["X-Plain"] == "nothing here"
