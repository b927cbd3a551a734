"""``hookmock record``: a simulated Zoom (hookmock itself) delivers through the recorder to a
local receiver, and the recording is read back."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.wrappers import Request, Response

from hookmock import Event, Subscription, Zoom
from hookmock.errors import RecordFileError
from hookmock.providers import zoom as zoom_module
from hookmock.providers.github import GitHub
from hookmock.providers.slack import Slack
from hookmock.providers.standard_webhooks import StandardWebhooks
from hookmock.providers.stripe import Stripe
from hookmock.records.traffic import (
    INVALID,
    STALE,
    UNSIGNED,
    UNVERIFIED,
    VALID,
    CapturedDelivery,
    parse_record,
    read_records,
    to_line,
)
from hookmock.traffic.recorder import Recorder, event_name, forwarded_headers
from hookmock.traffic.verify import verifier
from hookmock.transports import HTTPTarget

from .receivers import closed_port, serving

SECRET = "4fv1RkqGQUq5sWbEz6hA5A"


class Receiver:
    """A Zoom receiver that verifies over the raw bytes, answers the challenge and keeps what
    it was sent (headers as the WSGI environment has them, and the body)."""

    def __init__(self, secret: str = SECRET, status: int = 204) -> None:
        self.secret = secret
        self.status = status
        self.seen: list[tuple[dict[str, str], bytes]] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        body = request.get_data()
        self.seen.append((dict(request.headers), body))
        timestamp = request.headers.get("x-zm-request-timestamp", "")
        signature = request.headers.get("x-zm-signature", "")
        if not zoom_module.verify(self.secret, timestamp, body, signature):
            response = Response("bad signature", status=401)
        else:
            event = json.loads(body)
            if event["event"] == "endpoint.url_validation":
                plain = event["payload"]["plainToken"]
                answer = {
                    "plainToken": plain,
                    "encryptedToken": zoom_module.encrypted_token(self.secret, plain),
                }
                response = Response(json.dumps(answer), content_type="application/json")
            else:
                response = Response(status=self.status, headers={"X-Receiver": "flask-like"})
        return response(environ, start_response)


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    app = Receiver()
    with serving(app) as url:
        yield app, url + "/zoom/webhook"


@pytest.fixture
def recording(receiver: tuple[Receiver, str]) -> Iterator[tuple[Recorder, io.StringIO]]:
    out = io.StringIO()
    recorder = Recorder(Zoom(secret_token=SECRET), receiver[1], secrets=[SECRET], out=out)
    with recorder:
        yield recorder, out


def _records(out: io.StringIO) -> list[CapturedDelivery]:
    return [parse_record(json.loads(line)) for line in out.getvalue().splitlines()]


def test_deliveries_pass_through_byte_for_byte_and_are_recorded(
    receiver: tuple[Receiver, str], recording: tuple[Recorder, io.StringIO]
) -> None:
    app, _ = receiver
    recorder, out = recording
    zoom = Zoom(secret_token=SECRET)
    # URL validation passes through: the receiver, not the recorder, answers the challenge.
    zoom.subscribe(recorder.url + "/zoom/webhook")
    event = zoom.fake("meeting.started", topic="Café 🚒 – Q3")
    delivery = zoom.send(event)
    delivery.assert_acknowledged()
    assert delivery.response is not None and delivery.response.status == 204
    assert delivery.response.header("x-receiver") == "flask-like"

    (_, validation_body), (headers, body) = app.seen
    assert body == event.body
    assert b"\\uD83D\\uDE92" in body  # Zoom's escapes reach the receiver unchanged
    sent = dict((k.lower(), v) for k, v in delivery.request.headers)
    for name in ("x-zm-signature", "x-zm-request-timestamp", "x-zm-request-id", "traceparent"):
        assert headers[name.title()] == sent[name]
    assert headers["Host"] == receiver[1].split("/")[2]
    assert headers["Content-Length"] == str(len(event.body))

    records = _records(out)
    assert [r.event for r in records] == ["endpoint.url_validation", "meeting.started"]
    validation, started = records
    assert validation.body == validation_body
    assert validation.verification == VALID and started.verification == VALID
    assert validation.status == 200
    assert json.loads(validation.response_body)["plainToken"] in validation.body.decode()
    assert started.body == event.body
    assert started.method == "POST" and started.path == "/zoom/webhook"
    assert started.status == 204 and started.outcome == "acknowledged"
    assert started.elapsed is not None and started.elapsed >= 0
    assert ("X-Receiver", "flask-like") in started.response_headers
    assert started.header("x-zm-signature") == "v0=(masked)"
    assert started.header("x-zm-request-id") == sent["x-zm-request-id"]


def test_the_secret_and_the_signatures_never_reach_the_file(
    recording: tuple[Recorder, io.StringIO],
) -> None:
    recorder, out = recording
    zoom = Zoom(secret_token=SECRET, verification_token="legacy-verification-token-1")
    zoom.subscribe(recorder.url + "/zoom/webhook")
    deliveries = [zoom.send("meeting.started"), zoom.send("recording.completed")]
    text = out.getvalue()
    assert SECRET not in text
    assert "legacy-verification-token-1" not in text
    for delivery in deliveries:
        signature = delivery.request.header("x-zm-signature")
        assert signature is not None and signature[3:] not in text
    assert text.count('["x-zm-signature", "v0=(masked)"]') == 3
    assert text.count('["authorization", "(masked)"]') == 3
    # One line each, whole, flushed as it ended.
    assert text.endswith("\n") and len(text.splitlines()) == 3


def test_forged_stale_and_unsigned_deliveries_get_their_verdicts(
    recording: tuple[Recorder, io.StringIO],
) -> None:
    recorder, out = recording
    zoom = Zoom(secret_token=SECRET, retries=False)
    zoom.subscribe(recorder.url + "/zoom/webhook")
    zoom.send("meeting.started", headers={"x-zm-signature": "v0=" + "0" * 64})
    zoom.send("meeting.started", timestamp=int(time.time()) - 3600)
    zoom.send("meeting.started", headers={"x-zm-signature": None})
    forger = Zoom(secret_token="another-secret-token-00")
    forged = forger.fake("meeting.ended")
    zoom.send(
        forged,
        headers=zoom_module.signed_headers("another-secret-token-00", forged.body),
    )
    verdicts = [r.verification for r in _records(out)]
    assert verdicts == [VALID, INVALID, STALE, UNSIGNED, INVALID]
    # The verdict is the recorder's own: this receiver checks no timestamp window and
    # acknowledged the stale one; it refused the others, recorded as rejected.
    records = _records(out)
    assert [r.status for r in records] == [200, 401, 204, 401, 401]
    assert [r.outcome for r in records][1:] == ["rejected", "acknowledged", "rejected", "rejected"]


def test_a_receiver_that_is_down_gives_502_and_is_still_recorded() -> None:
    out = io.StringIO()
    url = f"http://127.0.0.1:{closed_port()}/zoom/webhook"
    with Recorder(Zoom(secret_token=SECRET), url, secrets=[SECRET], out=out) as recorder:
        # Subscribing would fail (the challenge gets no answer): deliver without it.
        zoom = Zoom(secret_token=SECRET, retries=False)
        event = zoom.fake("meeting.started")
        target = HTTPTarget(recorder.url + "/zoom/webhook")
        delivery = zoom.deliver(event, Subscription("s", "recorder", target, None))
    assert delivery.response is not None and delivery.response.status == 502
    assert delivery.outcome.value == "server error"
    assert b"gave no answer" in delivery.response.body
    (record,) = _records(out)
    assert record.status is None and record.outcome == "connection error"
    assert record.error and "refused" in record.error
    assert record.verification == VALID and record.body == event.body
    assert json.loads(out.getvalue())["response"] is None


def test_hop_by_hop_headers_are_not_forwarded_and_host_names_the_receiver() -> None:
    headers = [
        ("Host", "abc.ngrok.app"),
        ("Connection", "keep-alive, X-Tunnel-Hop"),
        ("Keep-Alive", "timeout=5"),
        ("X-Tunnel-Hop", "1"),
        ("Transfer-Encoding", "chunked"),
        ("x-zm-signature", "v0=abc"),
        ("X-Forwarded-For", "203.0.113.7"),
    ]
    forwarded = forwarded_headers(headers, b"12345", "http://127.0.0.1:9999/hook")
    assert forwarded == (
        ("Host", "127.0.0.1:9999"),
        ("x-zm-signature", "v0=abc"),
        ("X-Forwarded-For", "203.0.113.7"),
        ("Content-Length", "5"),
    )


def test_a_body_that_is_not_utf8_is_kept_in_base64() -> None:
    record = CapturedDelivery(
        received_at=1_720_705_455.5,
        provider="zoom",
        method="POST",
        path="/hook",
        headers=(("content-type", "application/octet-stream"),),
        body=b"\xff\xfe\x00binary",
    )
    value = json.loads(to_line(record))
    assert "body" not in value["request"]
    assert base64.b64decode(value["request"]["body_base64"]) == b"\xff\xfe\x00binary"
    assert value["format"] == "hookmock-delivery" and value["version"] == 1
    assert value["received_at"] == "2024-07-11T13:44:15.500000Z"
    back = parse_record(value)
    assert back.body == record.body and back.received_at == record.received_at


def test_reading_a_file_names_the_bad_line(tmp_path: Path) -> None:
    good = to_line(CapturedDelivery(1.0, "zoom", "POST", "/", (), b'{"event":"meeting.started"}'))
    path = tmp_path / "deliveries.jsonl"
    path.write_text(good + "\n\n" + good + "\nnot json\n", encoding="utf-8")
    with pytest.raises(RecordFileError) as caught:
        read_records(path)
    assert str(caught.value).startswith(f"{path}:4: not JSON (")
    path.write_text(good + "\n" + good.replace('"version": 1', '"version": 7') + "\n")
    wrong = r":2: version 7 of the record format; this hookmock reads version 1"
    with pytest.raises(RecordFileError, match=wrong):
        read_records(path)
    path.write_text('{"format": "something-else"}\n')
    with pytest.raises(RecordFileError, match=r":1: not a recorded delivery: 'format' is"):
        read_records(path)


def test_verification_is_provider_neutral() -> None:
    body = b'{"action":"opened","number":1}'
    github = GitHub.signer(["hub-secret"])(body, None)
    verify = verifier(GitHub, ["hub-secret"])
    assert verify(list(github.items()), body, 0.0) == VALID
    assert verify(list(github.items()), body + b" ", 0.0) == INVALID
    assert verify([("content-type", "application/json")], body, 0.0) == UNSIGNED
    # Standard Webhooks signs a message id too: signing again cannot reproduce it.
    secret = "whsec_" + base64.b64encode(b"k" * 24).decode()
    assert verifier(StandardWebhooks, [secret])([], body, 0.0) == UNVERIFIED
    # Stripe's timestamp is inside its signature header: not checked here either.
    assert not verifier(Stripe, ["whsec_abc"]).checks
    slack = Slack.signer(["slack-signing-secret"])(body, 1_700_000_000)
    assert verifier(Slack, ["slack-signing-secret"])(list(slack.items()), body, 1.7e9) == VALID
    assert verifier(Slack, ["slack-signing-secret"])(list(slack.items()), body, 1.8e9) == STALE
    # No secret: nothing is verified.
    assert verifier(Zoom, [])([("x-zm-signature", "v0=00")], body, 0.0) == UNVERIFIED
    # An independent HMAC, as Zoom documents it (ZOOM.md §2), is what counts as valid.
    mac = hmac.new(SECRET.encode(), b"v0:1720705455:" + body, hashlib.sha256).hexdigest()
    headers = [("x-zm-request-timestamp", "1720705455"), ("x-zm-signature", f"v0={mac}")]
    assert verifier(Zoom, [SECRET])(headers, body, 1_720_705_455.0) == VALID
    assert verifier(Zoom, [SECRET])(headers, body, 1_720_705_455.0 + 301) == STALE


def test_event_names_are_read_where_each_provider_puts_them() -> None:
    zoom = Zoom(secret_token=SECRET)
    assert event_name(zoom, (), {"event": "meeting.started"}) == "meeting.started"
    assert event_name(zoom, (), {"payload": {}}) is None
    github = GitHub(secret="s")
    headers = [("X-GitHub-Event", "pull_request")]
    assert event_name(github, headers, {"action": "opened"}) == "pull_request.opened"
    assert Event.from_body(b'{"event":"meeting.ended"}').name == "meeting.ended"


def test_deliveries_from_several_threads_each_get_one_whole_line(
    recording: tuple[Recorder, io.StringIO],
) -> None:
    recorder, out = recording
    zoom = Zoom(secret_token=SECRET)
    zoom.subscribe(recorder.url + "/zoom/webhook")
    events = [zoom.fake("meeting.started") for _ in range(8)]
    threads = [threading.Thread(target=zoom.send, args=(e,)) for e in events]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    bodies = sorted(r.body for r in _records(out)[1:])
    assert bodies == sorted(e.body for e in events)


def test_a_chunked_request_is_forwarded_with_its_length(
    receiver: tuple[Receiver, str], recording: tuple[Recorder, io.StringIO]
) -> None:
    import http.client

    app, _ = receiver
    recorder, out = recording
    body = Zoom(secret_token=SECRET).fake("meeting.ended").body
    headers = zoom_module.signed_headers(SECRET, body)
    connection = http.client.HTTPConnection("127.0.0.1", recorder.port, timeout=10)
    try:
        connection.request(
            "POST",
            "/zoom/webhook?source=tunnel",
            body=iter([body[:10], body[10:]]),
            headers={**headers, "Transfer-Encoding": "chunked"},
            encode_chunked=True,
        )
        answer = connection.getresponse()
        assert answer.status == 204
    finally:
        connection.close()
    ((seen_headers, seen_body),) = app.seen
    assert seen_body == body
    assert seen_headers["Content-Length"] == str(len(body))
    assert "Transfer-Encoding" not in seen_headers
    (record,) = _records(out)
    assert record.body == body and record.verification == VALID
    assert record.path == "/zoom/webhook?source=***"
    assert ("Transfer-Encoding", "chunked") in record.headers


def test_a_compressed_answer_is_returned_as_the_receiver_meant_it() -> None:
    import gzip

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        payload = gzip.compress(b'{"ok":true}')
        start_response(
            "200 OK",
            [
                ("Content-Type", "application/json"),
                ("Content-Encoding", "gzip"),
                ("Content-Length", str(len(payload))),
            ],
        )
        return [payload]

    out = io.StringIO()
    with serving(app) as base, Recorder(Zoom(secret_token=SECRET), base, out=out) as recorder:
        zoom = Zoom(secret_token=SECRET)
        target = HTTPTarget(recorder.url + "/")
        delivery = zoom.deliver(zoom.fake("meeting.started"), Subscription("s", "r", target, None))
    assert delivery.response is not None
    assert delivery.response.body == b'{"ok":true}'
    assert delivery.response.header("content-encoding") is None
    (record,) = _records(out)
    assert record.response_body == b'{"ok":true}' and record.verification == UNVERIFIED


def test_listening_beyond_loopback_is_said_loudly() -> None:
    from hookmock.traffic.recorder import warn_if_exposed

    stream = io.StringIO()
    for host in ("127.0.0.1", "::1", "localhost"):
        warn_if_exposed(host, stream)
    assert stream.getvalue() == ""
    warn_if_exposed("0.0.0.0", stream)
    assert stream.getvalue().startswith(
        "hookmock: warning: the recorder listens on 0.0.0.0 (not a loopback address): "
    )


def test_the_record_command_in_process(receiver: tuple[Receiver, str], tmp_path: Path) -> None:
    from hookmock.cli import _parser
    from hookmock.traffic.cli import record_command

    path = tmp_path / "deliveries.jsonl"
    args = _parser("record").parse_args(
        ["record", "--forward", receiver[1], "--out", str(path), "--secret-token", SECRET]
    )
    stop = threading.Event()
    out = io.StringIO()
    done: list[int] = []
    provider = Zoom(secret_token=SECRET)
    thread = threading.Thread(
        target=lambda: done.append(
            record_command(args, out, provider=provider, secrets=[SECRET], stop=stop)
        )
    )
    thread.start()
    try:
        for _ in range(200):
            if out.getvalue().count("\n") >= 2:
                break
            time.sleep(0.01)
        url = out.getvalue().splitlines()[0]
        zoom = Zoom(secret_token=SECRET)
        zoom.subscribe(url + "/zoom/webhook")
        zoom.send("meeting.started").assert_acknowledged()
    finally:
        stop.set()
        thread.join(timeout=10)
    assert done == [0]
    lines = out.getvalue().splitlines()
    assert lines[1] == (
        f"hookmock record: zoom deliveries to {url} are forwarded to {receiver[1]} and "
        f"recorded to {path}, each verified with the secret; Ctrl-C stops it"
    )
    assert lines[2].startswith("endpoint.url_validation (valid) → 200 in ")
    assert lines[3].startswith("meeting.started (valid) → 204 in ")
    assert lines[-1] == f"hookmock record: 2 deliveries recorded to {path}"
    assert [r.event for r in read_records(path)] == ["endpoint.url_validation", "meeting.started"]


def test_the_record_command_as_a_process(receiver: tuple[Receiver, str], tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys

    path = tmp_path / "deliveries.jsonl"
    env = {**os.environ, "ZOOM_WEBHOOK_SECRET_TOKEN": SECRET}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hookmock",
            "record",
            "--forward",
            receiver[1],
            "--out",
            str(path),
            "--quiet",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        zoom = Zoom(secret_token=SECRET)
        zoom.subscribe(url + "/zoom/webhook")
        zoom.send("recording.completed").assert_acknowledged()
    finally:
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=20)
    assert process.returncode == 0, stderr
    assert stderr == ""
    assert stdout.splitlines()[-1] == f"hookmock record: 2 deliveries recorded to {path}"
    records = read_records(path)
    assert [r.verification for r in records] == [VALID, VALID]
    assert SECRET not in path.read_text(encoding="utf-8")


def test_record_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    from hookmock.cli import main

    assert main(["record", "--forward", "not a url", "--out", "-"]) == 2
    assert "hookmock record: error: cannot deliver to 'not a url'" in capsys.readouterr().err
    assert main(["record", "--forward", "http://127.0.0.1:1/", "--port", "70000"]) == 2
    assert "--port must be from 0 to 65535" in capsys.readouterr().err


def test_a_body_that_breaks_off_is_refused_and_not_forwarded(
    receiver: tuple[Receiver, str], recording: tuple[Recorder, io.StringIO]
) -> None:
    import socket

    app, _ = receiver
    recorder, out = recording
    with socket.create_connection(("127.0.0.1", recorder.port), timeout=10) as sock:
        sock.sendall(
            b"POST /zoom/webhook HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"zz\r\nnot a chunk\r\n0\r\n\r\n"
        )
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert app.seen == [] and out.getvalue() == ""


def test_a_real_captured_delivery_is_verified_with_its_secret(
    receiver: tuple[Receiver, str],
) -> None:
    """ZoomNet's captured meeting.started (tests/data, MIT), sent with the signature Zoom gave
    it: valid at the time it was sent, stale now."""
    vectors = json.loads(
        (Path(__file__).parent / "data" / "zoom-signature-vectors.json").read_text("utf-8")
    )["vectors"]
    capture = next(v for v in vectors if v["name"] == "zoomnet-meeting-started-non-ascii")
    body = base64.b64decode(capture["body_base64"])
    signed_at = int(capture["x-zm-request-timestamp"])
    verdicts = []
    for now in (signed_at + 2.0, time.time()):
        out = io.StringIO()
        recorder = Recorder(
            Zoom(secret_token=capture["secret_token"]),
            receiver[1],
            secrets=[capture["secret_token"]],
            out=out,
            clock=lambda now=now: now,
        )
        with recorder:
            zoom = Zoom(secret_token=SECRET)
            event = Event.from_body(body)
            headers = {
                "x-zm-request-timestamp": capture["x-zm-request-timestamp"],
                "x-zm-signature": capture["x-zm-signature"],
            }
            target = HTTPTarget(recorder.url + "/zoom/webhook")
            zoom.deliver(event, Subscription("s", "r", target, None), headers=headers)
        (record,) = _records(out)
        assert record.body == body and record.event == "meeting.started"
        verdicts.append(record.verification)
    assert verdicts == [VALID, STALE]


def test_a_provider_whose_signatures_cannot_be_checked_is_said_so(tmp_path: Path) -> None:
    from hookmock.cli import _parser
    from hookmock.traffic.cli import record_command

    secret = "whsec_" + base64.b64encode(b"k" * 24).decode()
    args = _parser("record").parse_args(
        ["record", "--forward", "http://127.0.0.1:1/", "--out", str(tmp_path / "d.jsonl")]
    )
    stop = threading.Event()
    stop.set()
    out = io.StringIO()
    provider = StandardWebhooks(secret=secret)
    assert record_command(args, out, provider=provider, secrets=[secret], stop=stop) == 0
    assert "recorded to " in out.getvalue()
    assert (
        "not verified (standard-webhooks signs more than the body and a timestamp: hookmock "
        "cannot check its signatures here)" in out.getvalue()
    )


def test_an_answer_after_zoom_s_deadline_is_returned_and_judged_late(
    receiver: tuple[Receiver, str],
) -> None:
    import itertools

    ticks = itertools.count(0.0, 1.0)  # every reading of the timer is a second later
    out = io.StringIO()
    recorder = Recorder(
        Zoom(secret_token=SECRET),
        receiver[1],
        secrets=[SECRET],
        out=out,
        deadline=1000.0,
        timer=lambda: next(ticks),
    )
    with recorder:
        zoom = Zoom(secret_token=SECRET)
        target = HTTPTarget(recorder.url + "/zoom/webhook")
        delivery = zoom.deliver(zoom.fake("meeting.started"), Subscription("s", "r", target, None))
    assert delivery.response is not None and delivery.response.status == 204
    (record,) = _records(out)
    assert record.status == 204 and record.outcome == "late"
    assert record.elapsed is not None and record.elapsed > 3.0
