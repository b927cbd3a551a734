"""The mock Zoom server: lifecycle, Zoom's OAuth token, event subscription API and recording
downloads (ZOOM.md §3, §5, §6)."""

from __future__ import annotations

import json
import re
import socket
import threading
from typing import Any

import pytest
from werkzeug.wrappers import Request, Response

import hookmock.server
from hookmock import ConfigurationError, Zoom
from hookmock.providers import zoom as zoom_module
from hookmock.providers.zoom.server import (
    _ALIASES,
    _KINDS,
    ACCESS_TOKEN_SECONDS,
    DOWNLOAD_TOKEN_SECONDS,
    recording_content,
)
from hookmock.server import MockServer
from hookmock.server.state import ServedFile
from tests.receivers import serving, zoom_receiver
from tests.server_helpers import Api, basic, http

SUBSCRIPTIONS = "/v2/marketplace/app/event_subscription"


def _server_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("hookmock-server-")]


# -- lifecycle --------------------------------------------------------------------------------


def test_port_zero_is_bound_before_start_and_every_thread_stops() -> None:
    before = set(_server_threads())
    server = MockServer(Zoom(secret_token="s"))
    assert server.url == f"http://127.0.0.1:{server.port}" and server.port > 0
    # Bound at construction: a connection is accepted (and answered once serving starts).
    with socket.create_connection(("127.0.0.1", server.port), timeout=5):
        pass
    with server:
        assert server.running
        assert http("GET", server.url + "/_hookmock/state").status == 200
    assert not server.running
    assert set(_server_threads()) == before
    server.stop()  # idempotent
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", server.port), timeout=1).close()


def test_a_port_in_use_is_a_configuration_error_not_an_exit() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ConfigurationError, match=rf"cannot listen on 127.0.0.1:{port}: "):
            MockServer(Zoom(), host="127.0.0.1", port=port)
    with pytest.raises(ConfigurationError, match="port must be from 0 to 65535"):
        MockServer(Zoom(), port=-1)


@pytest.mark.parametrize(
    ("keywords", "says"),
    [
        ({"read_timeout": float("inf")}, "read_timeout must be a number of seconds above 0"),
        ({"read_timeout": float("nan")}, "read_timeout must be"),
        ({"read_timeout": 0}, "read_timeout must be"),
        ({"read_timeout": 1e9}, "read_timeout must be"),
        ({"max_body_bytes": 0}, "max_body_bytes must be a whole number of bytes from 1"),
        ({"max_body_bytes": 2**40}, "max_body_bytes must be"),
        ({"max_body_bytes": 1.5}, "max_body_bytes must be"),
        ({"control_token": ""}, "control_token must not be empty"),
        ({"allowed_hosts": ["a/b"]}, "allowed_hosts: not a host name or name:port: 'a/b'"),
    ],
)
def test_out_of_range_settings_are_configuration_errors(
    keywords: dict[str, Any], says: str
) -> None:
    before = set(_server_threads())
    with pytest.raises(ConfigurationError, match=re.escape(says)):
        MockServer(Zoom(), **keywords)
    assert set(_server_threads()) == before


def test_a_non_loopback_address_is_warned_about(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import hookmock.server

    # Binding another address is not allowed in the tests: the check is what is faked.
    monkeypatch.setattr(hookmock.server, "_is_loopback", lambda host: False)
    MockServer(Zoom()).stop()
    assert "not a loopback address" in capsys.readouterr().err
    assert hookmock.server._is_loopback.__name__ == "<lambda>"
    monkeypatch.undo()
    assert hookmock.server._is_loopback("127.0.0.1") and hookmock.server._is_loopback("::1")
    assert hookmock.server._is_loopback("localhost")
    assert not hookmock.server._is_loopback("0.0.0.0")
    assert not hookmock.server._is_loopback("example.com")


def test_zoom_server_url_without_a_server_says_how_to_get_one() -> None:
    with pytest.raises(ConfigurationError, match="hookmock_server fixture"):
        _ = Zoom(secret_token="s").server_url


def test_attaching_another_zoom_lets_the_previous_one_go() -> None:
    first, second = Zoom(secret_token="a"), Zoom(secret_token="b")
    with MockServer(first) as server:
        assert first.server_url == server.url
        server.attach(second)
        assert first.server is None and second.server is server
        assert first.generation_hooks == [] and len(second.generation_hooks) == 1
        # The first one's events no longer point at the server.
        url = first.fake("recording.completed").data["payload"]["object"]["recording_files"][0]
        assert url["download_url"].startswith("https://us05web.zoom.us/rec/webhook_download/")


def test_the_server_needs_the_provider_it_serves() -> None:
    with pytest.raises(TypeError, match="provider"):
        MockServer()  # type: ignore[call-arg]
    with pytest.raises(ConfigurationError, match=r"needs the provider to serve: MockServer\("):
        MockServer(None)  # type: ignore[arg-type]


def test_the_names_from_before_stay() -> None:
    from hookmock.providers.zoom.mockserver import MockZoomServer as defined
    from hookmock.server import MockServerApp, MockZoomApp, MockZoomServer

    assert MockZoomApp is MockServerApp and MockZoomServer is defined
    assert issubclass(MockZoomServer, MockServer)
    with MockZoomServer() as server:  # a new Zoom when none is given, as before
        assert isinstance(server.provider, Zoom) and server.zoom is server.provider
        assert repr(server).startswith("<MockZoomServer http://127.0.0.1:")
        assert http("POST", server.url + "/oauth/token").status == 401  # Zoom's endpoints
    zoom = Zoom(secret_token="kept")
    with MockZoomServer(zoom=zoom, client_id="kept-id") as server:
        assert server.zoom is zoom and server.client_id == "kept-id"
    with pytest.raises(AttributeError, match="has no attribute 'MockNothing'"):
        _ = hookmock.server.MockNothing  # type: ignore[attr-defined]


def test_zooms_endpoints_answer_in_zooms_shape_and_the_control_api_in_hookmocks() -> None:
    with MockServer(Zoom(secret_token="shapes")) as server:
        token = Api(server.url).token()
        zooms = http(
            "POST",
            server.url + "/v2/marketplace/app/event_subscription",
            data=b"{not json",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        own = http(
            "POST",
            server.url + "/_hookmock/trigger",
            data=b"{not json",
            headers={"Content-Type": "application/json"},
        )
    assert zooms.status == own.status == 400
    zoom_body, own_body = zooms.json(), own.json()
    # The same refusal, each in its API's shape: Zoom's {code, message}, hookmock's own
    # {status, message}.
    assert zoom_body["code"] == 400 and "status" not in zoom_body
    assert own_body["status"] == 400 and "code" not in own_body
    assert zoom_body["message"] == own_body["message"]
    assert own_body["message"].startswith("the body is not JSON (")


# -- OAuth (ZOOM.md §5) -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("?grant_type=account_credentials&account_id=acct-1", None),
        ("?grant_type=client_credentials", None),
        ("", b"grant_type=account_credentials&account_id=acct-1"),
    ],
)
def test_token_is_issued_for_both_grants(api: Api, query: str, form: bytes | None) -> None:
    headers = {"Authorization": basic("hookmock-client-id", "hookmock-client-secret")}
    if form is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    reply = http("POST", api.base + "/oauth/token" + query, data=form or b"", headers=headers)
    assert reply.status == 200, reply.body
    body = reply.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == ACCESS_TOKEN_SECONDS == 3599
    assert len(body["access_token"]) >= 40 and body["api_url"] == api.base
    assert reply.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("query", "authorization", "status", "error", "says"),
    [
        ("?grant_type=client_credentials", None, 401, "invalid_client", "Authorization: Basic"),
        (
            "?grant_type=client_credentials",
            basic("hookmock-client-id", "wrong"),
            401,
            "invalid_client",
            "Invalid client_id or client_secret",
        ),
        (
            "?grant_type=client_credentials",
            "Basic !!not-base64!!",
            401,
            "invalid_client",
            "Authorization: Basic",
        ),
        (
            "?grant_type=authorization_code",
            basic("hookmock-client-id", "hookmock-client-secret"),
            400,
            "unsupported_grant_type",
            "account_credentials",
        ),
        (
            "?grant_type=account_credentials",
            basic("hookmock-client-id", "hookmock-client-secret"),
            400,
            "invalid_request",
            "needs account_id",
        ),
    ],
)
def test_token_errors_say_what_to_fix(
    api: Api, query: str, authorization: str | None, status: int, error: str, says: str
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    reply = http("POST", api.base + "/oauth/token" + query, data=b"", headers=headers)
    assert reply.status == status
    body = reply.json()
    assert body["error"] == error and body["code"] == status and says in body["message"]
    assert "hookmock-client-secret" not in reply.body.decode()


def test_credentials_and_account_are_configurable() -> None:
    zoom = Zoom(secret_token="s", client_id="zoom-app-client")
    with MockServer(zoom, client_secret="shh", account_id="acct-9") as server:
        api = Api(server.url)
        assert server.client_id == "zoom-app-client"  # the app's client id, as in `clientid`
        assert api.token("client_credentials", client_id="zoom-app-client", client_secret="shh")
        wrong = http(
            "POST",
            server.url + "/oauth/token?grant_type=account_credentials&account_id=other",
            data=b"",
            headers={"Authorization": basic("zoom-app-client", "shh")},
        )
        assert wrong.status == 400 and "belongs to account 'acct-9'" in wrong.message


def test_api_needs_a_valid_unexpired_token(api: Api, zoom: Zoom) -> None:
    no_token = api.get(SUBSCRIPTIONS)
    assert no_token.status == 401 and no_token.json()["code"] == 124
    assert "POST " + api.base + "/oauth/token" in no_token.message
    unknown = api.get(SUBSCRIPTIONS, headers={"Authorization": "Bearer made-up"})
    assert unknown.status == 401 and "did not issue it" in unknown.message
    headers = api.bearer()
    assert api.get(SUBSCRIPTIONS, headers=headers).status == 200
    zoom.advance(ACCESS_TOKEN_SECONDS - 1)
    assert api.get(SUBSCRIPTIONS, headers=headers).status == 200
    zoom.advance(1)
    expired = api.get(SUBSCRIPTIONS, headers=headers)
    assert expired.status == 401 and expired.message.startswith("Access token is expired")


# -- event subscriptions (ZOOM.md §3) -----------------------------------------------------------


def test_creating_a_subscription_validates_the_url_first(
    api: Api, zoom: Zoom, receiver: Any
) -> None:
    reply = api.subscribe(receiver.url, user_ids=["u1", "u2"], account_id="acct-1")
    assert reply.status == 201, reply.body
    subscription_id = reply.json()["event_subscription_id"]
    # The receiver got Zoom's signed challenge before the subscription was saved.
    challenge = json.loads(receiver.bodies[0])
    assert challenge["event"] == "endpoint.url_validation"
    assert zoom.deliveries[0].event.name == "endpoint.url_validation"
    (subscription,) = zoom.subscriptions
    assert subscription.id == subscription_id and subscription.url == receiver.url
    listed = api.get(SUBSCRIPTIONS, headers=api.bearer()).json()
    assert listed["next_page_token"] == "" and listed["page_size"] == 1
    assert listed["event_subscriptions"] == [
        {
            "event_subscription_id": subscription_id,
            "event_subscription_name": "receiver",
            "event_webhook_url": receiver.url,
            "events": ["meeting.started", "recording.completed"],
            "subscription_scope": "user",
            "created_source": "openapi",
            "subscriber_id": "acct-1",
            "user_ids": ["u1", "u2"],
        }
    ]


def test_a_receiver_that_fails_validation_is_not_subscribed(api: Api, zoom: Zoom) -> None:
    wrong = zoom_receiver(zoom.secret_token, token=lambda secret, plain: plain)
    with serving(wrong) as base:
        reply = api.subscribe(base + "/hook")
    assert reply.status == 400
    body = reply.json()
    assert body["code"] == 300
    assert body["message"].startswith(f"Validation Failed: the URL validation of {base}/hook")
    assert "it is the plainToken itself, not its HMAC" in body["message"]
    assert body["errors"][0]["field"] == "event_webhook_url"
    assert zoom.subscriptions == []


def test_an_unreachable_receiver_is_not_subscribed(api: Api, zoom: Zoom) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    reply = api.subscribe(f"http://127.0.0.1:{port}/hook")
    assert reply.status == 400 and "connection refused" in reply.message
    assert zoom.subscriptions == []


@pytest.mark.parametrize(
    ("body", "field", "says"),
    [
        ({"event_webhook_url": "http://127.0.0.1:9/x"}, "events", "non-empty list"),
        (
            {"events": ["meeting.strated"], "event_webhook_url": "http://127.0.0.1:9/x"},
            "events[0]",
            "did you mean 'meeting.started'",
        ),
        ({"events": [7], "event_webhook_url": "http://127.0.0.1:9/x"}, "events[0]", "got 7"),
        ({"events": ["meeting.started"], "event_webhook_url": "ftp://x"}, "event_webhook_url", ""),
        (
            {
                "events": ["meeting.started"],
                "event_webhook_url": "http://127.0.0.1:9/x",
                "subscription_scope": "planet",
            },
            "subscription_scope",
            "user, account, master_account",
        ),
        (
            {
                "events": ["meeting.started"],
                "event_webhook_url": "http://127.0.0.1:9/x",
                "user_ids": 5,
            },
            "user_ids",
            "comma-separated",
        ),
        (["not", "an", "object"], "$", "expected a JSON object, got list"),
    ],
)
def test_invalid_subscriptions_are_refused_with_the_field(
    api: Api, body: Any, field: str, says: str
) -> None:
    reply = api.post(SUBSCRIPTIONS, body, headers=api.bearer())
    assert reply.status == 400
    answer = reply.json()
    assert answer["code"] == 300 and answer["errors"][0]["field"] == field
    assert (
        answer["message"].startswith(f"Validation Failed: {field}: ") and says in answer["message"]
    )


def test_twenty_subscriptions_at_most(api: Api, zoom: Zoom, receiver: Any) -> None:
    for _ in range(20):
        zoom.subscribe(receiver.url)
    reply = api.subscribe(receiver.url)
    assert reply.status == 400 and "at most 20 event subscriptions" in reply.message
    assert len(zoom.subscriptions) == 20


def test_subscribe_unsubscribe_and_delete(api: Api, zoom: Zoom, receiver: Any) -> None:
    subscription_id = api.subscribe(receiver.url).json()["event_subscription_id"]
    headers = api.bearer()
    path = f"{SUBSCRIPTIONS}/{subscription_id}"
    assert api.call("PATCH", path + "?user_ids=u1,u2", headers=headers).status == 204
    assert (
        api.call("PATCH", path, {"user_ids": ["u3"], "account_id": "a2"}, headers=headers).status
        == 204
    )
    (listed,) = api.get(SUBSCRIPTIONS, headers=headers).json()["event_subscriptions"]
    assert listed["user_ids"] == ["u1", "u2", "u3"] and listed["subscriber_id"] == "a2"
    missing = api.call("PATCH", path, headers=headers)
    assert missing.status == 400 and "pass user_ids or account_id" in missing.message
    unknown = api.call("PATCH", SUBSCRIPTIONS + "/nope?user_ids=u1", headers=headers)
    assert unknown.status == 404 and subscription_id in unknown.message
    assert api.call("DELETE", SUBSCRIPTIONS + "?user_ids=u2", headers=headers).status == 204
    (listed,) = api.get(SUBSCRIPTIONS, headers=headers).json()["event_subscriptions"]
    assert listed["user_ids"] == ["u1", "u3"]
    zoom.fail_next("timeout")
    zoom.send("meeting.started")
    assert [job.kind for job in zoom.pending()] == ["retry", "revalidation"]
    assert api.call("DELETE", path, headers=headers).status == 204
    assert zoom.subscriptions == [] and zoom.pending() == []
    assert api.get(SUBSCRIPTIONS, headers=headers).json()["event_subscriptions"] == []
    assert api.call("DELETE", path, headers=headers).status == 404


# -- recording downloads (ZOOM.md §6) ---------------------------------------------------------


def _files(body: dict[str, Any]) -> list[dict[str, Any]]:
    obj = body["payload"]["object"]
    return [*obj["recording_files"], *obj.get("participant_audio_files", [])]


def test_recording_downloads_point_at_the_server_and_need_the_download_token(
    api: Api, zoom: Zoom, receiver: Any
) -> None:
    zoom.subscribe(receiver.url)
    overrides = {
        "payload.object.recording_files.0.file_type": "TRANSCRIPT",
        "payload.object.recording_files.0.file_extension": "VTT",
        "payload.object.recording_files.0.recording_type": "audio_transcript",
    }
    sent = api.post("/_hookmock/trigger", {"event": "recording.completed", "overrides": overrides})
    assert sent.status == 200, sent.body
    body = sent.json()["body"]
    token = body["download_token"]
    files = _files(body)
    assert all(f["download_url"].startswith(api.base + "/rec/webhook_download/") for f in files)
    transcript = http("GET", files[0]["download_url"], headers={"Authorization": "Bearer " + token})
    assert transcript.status == 200 and transcript.body.startswith(b"WEBVTT\n")
    assert transcript.headers["Content-Type"] == "text/vtt; charset=utf-8"
    file_id = files[0]["download_url"].rsplit("/", 1)[1]
    assert f'filename="{file_id}.vtt"' in transcript.headers["Content-Disposition"]
    for file in files[1:]:
        got = http("GET", f"{file['download_url']}?access_token={token}")
        assert got.status == 200
        assert got.body[4:8] == b"ftyp"  # an MP4/M4A header, not the declared size
        assert got.body[8:12] == (b"M4A " if file["file_type"] == "M4A" else b"isom")
    no_token = http("GET", files[0]["download_url"])
    assert no_token.status == 401 and "download_token" in no_token.message
    wrong = http("GET", files[0]["download_url"] + "?access_token=wrong")
    assert wrong.status == 401 and "neither this recording's download_token" in wrong.message
    # An OAuth access token works too, and the API's /rec/download/ path serves the same file.
    assert http("GET", files[0]["download_url"], headers=api.bearer()).status == 200
    api_path = files[0]["download_url"].replace("/rec/webhook_download/", "/rec/download/")
    assert http("GET", api_path, headers=api.bearer()).body == transcript.body
    missing = http("GET", api.base + "/rec/download/nope?access_token=" + token)
    assert missing.status == 404 and missing.json()["code"] == 3301


def test_the_download_token_expires_after_24_hours_of_provider_time(
    api: Api, zoom: Zoom, receiver: Any
) -> None:
    zoom.subscribe(receiver.url)
    event = zoom.send("recording.completed").event  # zoom.send points downloads here too
    url = _files(event.data)[0]["download_url"]
    assert url.startswith(zoom.server_url + "/rec/webhook_download/")
    bearer = {"Authorization": "Bearer " + event.data["download_token"]}
    zoom.advance(DOWNLOAD_TOKEN_SECONDS - 1)
    assert http("GET", url, headers=bearer).status == 200
    zoom.advance(1)
    expired = http("GET", url, headers=bearer)
    assert expired.status == 401 and expired.message.startswith("Access token is expired")
    assert "valid 24 h of provider time" in expired.message


def test_a_download_url_set_by_the_test_is_left_alone(
    hookmock_server: MockServer, zoom: Zoom
) -> None:
    own = "https://files.example.com/rec/1.mp4"
    overrides = {"payload.object.recording_files.0.download_url": own}
    # A recording has one to four files: the first seed that gives it more than one.
    made = (zoom.fake("recording.completed", overrides, seed=seed) for seed in range(100))
    event = next(e for e in made if len(_files(e.data)) > 1)
    assert _files(event.data)[0]["download_url"] == own
    assert _files(event.data)[1]["download_url"].startswith(hookmock_server.url)


def test_a_receiver_can_download_while_it_handles_the_delivery(
    hookmock_server: MockServer, zoom: Zoom
) -> None:
    """The server does not hold the provider while serving downloads and tokens, so a receiver
    that fetches the recording before it answers is not blocked by the delivery in flight."""
    fetched: list[bytes] = []

    @Request.application  # type: ignore[arg-type]
    def app(request: Request) -> Response:
        event = json.loads(request.get_data())
        if event["event"] == "endpoint.url_validation":
            plain = event["payload"]["plainToken"]
            answer = {
                "plainToken": plain,
                "encryptedToken": zoom_module.encrypted_token(zoom.secret_token, plain),
            }
            return Response(json.dumps(answer), content_type="application/json")
        for file in _files(event):
            got = http("GET", f"{file['download_url']}?access_token={event['download_token']}")
            fetched.append(got.body[:4] if got.status == 200 else b"%d" % got.status)
        return Response(status=204)

    with serving(app) as base:
        api = Api(hookmock_server.url)
        assert api.subscribe(base + "/hook").status == 201
        reply = api.post("/_hookmock/trigger", {"event": "recording.completed"})
    (delivery,) = reply.json()["deliveries"]
    assert delivery["outcome"] == "acknowledged", delivery
    assert fetched and all(len(b) == 4 and not b.startswith(b"4") for b in fetched)


@pytest.mark.parametrize("kind", sorted({*_KINDS, *_ALIASES, "SOMETHING_ELSE"}))
def test_every_file_type_gets_a_small_file_of_its_type(kind: str) -> None:
    content, content_type, extension = recording_content(
        ServedFile("abc", kind, "recording.completed", "t", 0.0)
    )
    assert 0 < len(content) < 200 and "/" in content_type and extension.isalnum()
    expected = {"MP4": b"ftyp", "M4A": b"ftyp", "VTT": b"WEBVTT", "JSON": b"{", "PDF": b"%PDF"}
    key = _ALIASES.get(kind, kind)
    if key in expected:
        assert expected[key] in content[:12]
