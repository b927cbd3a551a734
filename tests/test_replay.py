"""Replaying recorded deliveries: ``zoom.replay(...)``, ``hookmock replay`` and
``hookmock trigger --body``."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
from pathlib import Path
from typing import Any

import pytest
from werkzeug.wrappers import Request, Response

from hookmock import Zoom
from hookmock.cli import main
from hookmock.engine.replay import order_records
from hookmock.errors import ConfigurationError, NotSubscribedError, RecordFileError
from hookmock.providers import zoom as zoom_module
from hookmock.records.traffic import VALID, CapturedDelivery, read_records, to_line
from hookmock.traffic.recorder import Recorder

from .receivers import closed_port, serving

REAL_SECRET = "real-secret-token-0001"
TEST_SECRET = "test-secret-token-0002"


class Keeper:
    """A receiver that verifies with its secret, answers the challenge, and keeps each body with
    the signing headers it came with."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.seen: list[tuple[bytes, str, str]] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        body = request.get_data()
        timestamp = request.headers.get("x-zm-request-timestamp", "")
        signature = request.headers.get("x-zm-signature", "")
        self.seen.append((body, timestamp, signature))
        if not zoom_module.verify(self.secret, timestamp, body, signature):
            return Response("bad signature", status=401)(environ, start_response)
        event = json.loads(body)
        if event.get("event") == "endpoint.url_validation":
            plain = event["payload"]["plainToken"]
            answer = {
                "plainToken": plain,
                "encryptedToken": zoom_module.encrypted_token(self.secret, plain),
            }
            return Response(json.dumps(answer), content_type="application/json")(
                environ, start_response
            )
        return Response(status=204)(environ, start_response)


@pytest.fixture
def recorded(tmp_path: Path) -> tuple[Path, list[bytes]]:
    """A recording made through the recorder from a simulated real Zoom: its file and the
    bodies sent, in order."""
    path = tmp_path / "deliveries.jsonl"
    real = Zoom(secret_token=REAL_SECRET, seed=7)
    with serving(Keeper(REAL_SECRET)) as base, open(path, "a", encoding="utf-8") as out:
        recorder = Recorder(real, base + "/zoom/webhook", secrets=[REAL_SECRET], out=out)
        with recorder:
            real.subscribe(recorder.url + "/zoom/webhook")
            events = [
                real.fake("meeting.started", topic="Ünïcode 🎉 review"),
                real.fake("meeting.participant_joined"),
                real.fake("meeting.ended"),
            ]
            for event in events:
                real.send(event).assert_acknowledged()
    validation = read_records(path)[0].body
    return path, [validation, *(e.body for e in events)]


def _independent_signature(secret: str, timestamp: str, body: bytes) -> str:
    message = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def test_replay_sends_each_body_byte_for_byte_signed_anew(
    recorded: tuple[Path, list[bytes]],
) -> None:
    path, bodies = recorded
    assert all(r.verification == VALID for r in read_records(path))
    app = Keeper(TEST_SECRET)
    zoom = Zoom(secret_token=TEST_SECRET)
    zoom.subscribe(app, path="/zoom/webhook")
    app.seen.clear()
    deliveries = zoom.replay(path)
    assert [d.acknowledged for d in deliveries] == [True] * 4
    assert [d.event.name for d in deliveries] == [
        "endpoint.url_validation",
        "meeting.started",
        "meeting.participant_joined",
        "meeting.ended",
    ]
    assert [body for body, _, _ in app.seen] == bodies
    for body, timestamp, signature in app.seen:
        assert zoom_module.verify(TEST_SECRET, timestamp, body, signature)
        assert signature == _independent_signature(TEST_SECRET, timestamp, body)
        assert not zoom_module.verify(REAL_SECRET, timestamp, body, signature)
    assert len(zoom.deliveries) == 5  # the subscription's own validation, then the replay


def test_replay_follows_the_delivery_rules(recorded: tuple[Path, list[bytes]]) -> None:
    path, bodies = recorded
    seen: list[bytes] = []

    def failing(environ: dict[str, Any], start_response: Any) -> Any:
        seen.append(Request(environ).get_data())
        return Response("down", status=503)(environ, start_response)

    zoom = Zoom(secret_token=TEST_SECRET, clock=lambda: 1_800_000_000.0)
    from hookmock.engine.subscription import Subscription
    from hookmock.transports import WSGITarget

    target = Subscription("s", "down", WSGITarget(failing, path="/zoom/webhook"), None)
    zoom.subscriptions.append(target)
    deliveries = zoom.replay(path, events=["meeting.ended"])
    assert [d.outcome.value for d in deliveries] == ["server error"]
    zoom.advance(minutes=5)  # Zoom's first retry, with the same bytes
    assert seen == [bodies[3], bodies[3]]
    assert [d.attempt for d in zoom.deliveries] == [1, 2]


def test_replay_orders(recorded: tuple[Path, list[bytes]]) -> None:
    path, bodies = recorded
    records = read_records(path)
    assert [r.body for r in order_records(records, "reversed")] == bodies[::-1]
    assert [r.body for r in order_records(records, "time")] == bodies
    shuffled = order_records(records, "shuffled", seed=3)
    assert sorted(r.body for r in shuffled) == sorted(bodies)
    assert [r.body for r in order_records(records, "shuffled", seed=3)] == [
        r.body for r in shuffled
    ]
    late = CapturedDelivery(0.0, "zoom", "POST", "/", (), b'{"event":"a","event_ts":3000}')
    early = CapturedDelivery(9.0, "zoom", "POST", "/", (), b'{"event":"b","event_ts":1000}')
    assert order_records([late, early], "event-time") == [early, late]
    assert order_records([early, late], "time") == [late, early]
    with pytest.raises(ConfigurationError, match="order must be one of recorded, time"):
        order_records(records, "backwards")


def test_replay_refuses_events_no_subscription_covers_before_sending_any(
    recorded: tuple[Path, list[bytes]],
) -> None:
    path, _ = recorded
    app = Keeper(TEST_SECRET)
    zoom = Zoom(secret_token=TEST_SECRET)
    zoom.subscribe(app, path="/zoom/webhook", events=["meeting.started"])
    with pytest.raises(NotSubscribedError) as caught:
        zoom.replay(path)
    assert str(caught.value) == (
        "nothing covers 3 of the recorded event types: endpoint.url_validation, "
        "meeting.ended, meeting.participant_joined; subscribe to them, or "
        "replay(..., events=[...]) replays only the events named"
    )
    assert len(zoom.deliveries) == 1  # the validation on subscribe only
    (delivery,) = zoom.replay(path, events=["meeting.started"])
    delivery.assert_acknowledged()


def test_replay_takes_records_and_parsed_lines(recorded: tuple[Path, list[bytes]]) -> None:
    path, bodies = recorded
    zoom = Zoom(secret_token=TEST_SECRET)
    zoom.subscribe(Keeper(TEST_SECRET), path="/zoom/webhook")
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [d.event.body for d in zoom.replay(lines)] == bodies
    assert [d.event.body for d in zoom.replay(read_records(path)[1:2])] == bodies[1:2]
    with pytest.raises(RecordFileError, match="record 1: version 2 of the record format"):
        zoom.replay([{**lines[0], "version": 2}])


def test_the_replay_command(recorded: tuple[Path, list[bytes]]) -> None:
    path, bodies = recorded
    app = Keeper(TEST_SECRET)
    out = io.StringIO()
    with serving(app) as base:
        url = base + "/zoom/webhook"
        status = main(
            [
                "replay",
                str(path),
                "--url",
                url,
                "--secret-token",
                TEST_SECRET,
                "--order",
                "reversed",
            ],
            stdout=out,
        )
    assert status == 0
    assert [body for body, _, _ in app.seen] == bodies[::-1]
    lines = out.getvalue().splitlines()
    assert lines[0].startswith(f"meeting.ended → {url}: 204 in ")
    assert lines[0].endswith(" ms (acknowledged)")
    assert lines[-1] == (f"replayed 4 deliveries from {path} in reversed order: 4 acknowledged")
    assert TEST_SECRET not in out.getvalue()


def test_the_replay_command_exit_statuses(
    recorded: tuple[Path, list[bytes]], capsys: pytest.CaptureFixture[str]
) -> None:
    path, _ = recorded
    out = io.StringIO()
    with serving(Keeper("a-secret-it-does-not-know")) as base:
        status = main(
            ["replay", str(path), "--url", base, "--secret-token", TEST_SECRET], stdout=out
        )
    assert status == 1
    assert out.getvalue().splitlines()[-1].endswith(": 0 acknowledged, 4 rejected")
    down = f"http://127.0.0.1:{closed_port()}/hook"
    assert main(["replay", str(path), "--url", down, "--secret-token", TEST_SECRET]) == 2
    bad = path.with_name("bad.jsonl")
    bad.write_text("{}\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["replay", str(bad), "--url", down, "--secret-token", TEST_SECRET]) == 2
    assert capsys.readouterr().err == (
        f"hookmock replay: error: {bad}:1: not a recorded delivery: 'format' is None, "
        "expected 'hookmock-delivery' (a file written by hookmock record)\n"
    )


def test_trigger_body_sends_a_file_as_it_is(tmp_path: Path) -> None:
    body = '{"event":"meeting.started","payload":{"object":{"topic":"caf\\u00e9 – 🎉"}}}'
    path = tmp_path / "body.json"
    path.write_bytes(body.encode("utf-8"))
    app = Keeper(TEST_SECRET)
    out = io.StringIO()
    with serving(app) as base:
        argv = ["trigger", "--body", str(path), "--url", base, "--secret-token", TEST_SECRET]
        assert main(argv, stdout=out) == 0
        assert main(["trigger", "meeting.ended", *argv[1:]], stdout=out) == 0
    assert [b for b, _, _ in app.seen] == [body.encode("utf-8")] * 2
    first, second = out.getvalue().splitlines()
    assert first.startswith("meeting.started → ") and second.startswith("meeting.ended → ")


def test_trigger_body_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "body.json"
    path.write_bytes(b'{"payload":{}}')
    url = f"http://127.0.0.1:{closed_port()}/hook"
    base = ["trigger", "--url", url, "--secret-token", TEST_SECRET]
    assert main([*base, "--body", str(path)]) == 2
    assert "the body names no event; give its name" in capsys.readouterr().err
    assert main([*base, "--body", str(path), "--seed", "3", "meeting.started"]) == 2
    assert "--body sends the file's bytes as they are: --seed would change" in (
        capsys.readouterr().err
    )
    assert main(base) == 2
    assert "give the event to send" in capsys.readouterr().err
    assert main([*base, "--body", str(tmp_path / "missing.json")]) == 2
    assert "cannot read it (No such file or directory)" in capsys.readouterr().err


def test_a_recording_line_round_trips(recorded: tuple[Path, list[bytes]]) -> None:
    path, _ = recorded
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [to_line(r) for r in read_records(path)] == lines


def test_the_readme_example_replays_the_shipped_recording(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    from .test_readme import APP_FIXTURE, ROOT, _block

    monkeypatch.delenv("ZOOM_WEBHOOK_SECRET_TOKEN", raising=False)
    shipped = ROOT / "examples" / "recorded" / "deliveries.jsonl"
    copy = pytester.path / "examples" / "recorded" / "deliveries.jsonl"
    copy.parent.mkdir(parents=True)
    copy.write_bytes(shipped.read_bytes())
    pytester.syspathinsert(ROOT)
    example = _block("def test_recorded_traffic_is_acknowledged")
    pytester.makepyfile(test_example=APP_FIXTURE + "\n\n" + example)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_the_shipped_recording_is_whole_and_masked() -> None:
    from .test_readme import ROOT

    records = read_records(ROOT / "examples" / "recorded" / "deliveries.jsonl")
    assert [r.verification for r in records] == [VALID] * 6
    assert all(r.header("x-zm-signature") == "v0=(masked)" for r in records)
    assert all(r.outcome == "acknowledged" for r in records)


def test_requests_that_name_no_event_are_not_replayed(
    recorded: tuple[Path, list[bytes]],
) -> None:
    path, bodies = recorded
    probe = CapturedDelivery(2e9, "zoom", "GET", "/health", (), b"")
    with path.open("a", encoding="utf-8") as handle:
        handle.write(to_line(probe) + "\n")
    zoom = Zoom(secret_token=TEST_SECRET)
    zoom.subscribe(Keeper(TEST_SECRET), path="/zoom/webhook")
    assert [d.event.body for d in zoom.replay(path)] == bodies
    out = io.StringIO()
    with serving(Keeper(TEST_SECRET)) as base:
        status = main(
            ["replay", str(path), "--url", base, "--secret-token", TEST_SECRET], stdout=out
        )
    assert status == 0
    assert out.getvalue().splitlines()[-1] == (
        f"replayed 4 deliveries from {path} in recorded order: 4 acknowledged; 1 naming no "
        "event not replayed"
    )


def test_the_replay_command_shuffles_by_its_seed(recorded: tuple[Path, list[bytes]]) -> None:
    path, bodies = recorded
    orders = []
    for _ in range(2):
        app = Keeper(TEST_SECRET)
        with serving(app) as base:
            argv = ["replay", str(path), "--url", base, "--secret-token", TEST_SECRET]
            assert main([*argv, "--order", "shuffled", "--seed", "12"], stdout=io.StringIO()) == 0
        orders.append([body for body, _, _ in app.seen])
    assert orders[0] == orders[1] and sorted(orders[0]) == sorted(bodies)
    expected = order_records(read_records(path), "shuffled", seed=12)
    assert orders[0] == [r.body for r in expected]
