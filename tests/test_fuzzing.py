"""Zoom.fuzz: receivers that crash on an absent field, an empty string or a non-BMP character are
each found, shrunk to the field and reported with the seed; a correct receiver passes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from werkzeug.wrappers import Request, Response

from hookmock import Zoom
from hookmock.engine.fuzzing import FuzzReport
from hookmock.errors import ConfigurationError, UnknownEventError
from hookmock.generate import catalog
from hookmock.providers import zoom as zoom_protocol
from tests.receivers import serving

SECRET = "fuzzing-secret-token"
ROOT = Path(__file__).resolve().parent.parent

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def receiver(handle: Callable[[dict[str, Any]], None]) -> WSGIApp:
    """Verifies the signature over the raw bytes, then lets *handle* read the event; an exception
    in *handle* propagates (an in-process application error)."""

    @Request.application  # type: ignore[arg-type]
    def app(request: Request) -> Response:
        body = request.get_data()
        timestamp = request.headers.get("x-zm-request-timestamp", "")
        signature = request.headers.get("x-zm-signature", "")
        if not zoom_protocol.verify(SECRET, timestamp, body, signature):
            return Response("bad signature", status=401)
        app.bodies.append(body)  # type: ignore[attr-defined]
        handle(json.loads(body))
        return Response(status=204)

    app.bodies = []  # type: ignore[attr-defined]
    return app  # type: ignore[no-any-return]


def reads_timezone(event: dict[str, Any]) -> None:
    # Optional in the schema, absent from real deliveries (ZOOM.md §8).
    event["payload"]["object"]["timezone"].upper()


def reads_email_domain(event: dict[str, Any]) -> None:
    # A guest's email is the empty string (ZOOM.md §8).
    event["payload"]["object"]["participant"]["email"].split("@")[1].lower()


def stores_in_a_three_byte_utf8_column(event: dict[str, Any]) -> None:
    # MySQL's utf8 (utf8mb3) column refuses characters outside the BMP.
    topic = event["payload"]["object"].get("topic", "")
    if any(ord(ch) > 0xFFFF for ch in topic):
        raise ValueError("Incorrect string value for column 'topic'")


def fuzz(
    handle: Callable[[dict[str, Any]], None], events: str | list[str], **options: Any
) -> FuzzReport:
    zoom = Zoom(secret_token=SECRET, seed=7, clock=lambda: 1_780_000_000.0)
    return zoom.fuzz(receiver(handle), path="/zoom/webhook", events=events, **options)


@pytest.mark.parametrize(
    ("handle", "event", "path", "kind"),
    [
        (reads_timezone, "meeting.started", "payload.object.timezone", "absent"),
        (
            reads_email_domain,
            "meeting.participant_joined",
            "payload.object.participant.email",
            "empty",
        ),
        (
            stores_in_a_three_byte_utf8_column,
            "meeting.started",
            "payload.object.topic",
            "unusual text: non-BMP character",
        ),
    ],
    ids=["absent", "empty", "non-BMP"],
)
def test_a_crash_is_found_and_shrunk_to_the_field(
    handle: Callable[[dict[str, Any]], None], event: str, path: str, kind: str
) -> None:
    report = fuzz(handle, event, max_examples=200, seed=1234)
    assert not report.ok
    (failure,) = report.failures
    assert failure.event == event
    assert failure.signature.startswith("application error: ")
    assert [(c.dotted, c.kind) for c in failure.decisive] == [(path, kind)]
    # Shrunk: the generated event with that one change, and still valid against its schema.
    assert failure.changes == failure.decisive
    body = json.loads(failure.body)
    assert catalog.schema_errors(event, body) == []
    text = str(report)
    assert "; seed 1234" in text and "reproduce with seed=1234" in text
    assert f"the field that made the difference: {path}: " in text
    with pytest.raises(AssertionError, match=re.escape(path)):
        report.assert_all_acknowledged()


def test_the_shrunk_body_shows_the_field_as_it_was_sent() -> None:
    absent = fuzz(reads_timezone, "meeting.started", max_examples=200, seed=1234)
    assert "timezone" not in json.loads(absent.failures[0].body)["payload"]["object"]
    astral = fuzz(stores_in_a_three_byte_utf8_column, "meeting.started", max_examples=200)
    # The emoji travels as Zoom writes it: a surrogate-escaped pair.
    assert re.search(rb'"topic":"[^"]*\\uD[89AB]', astral.failures[0].body)


def test_a_correct_receiver_passes_200_examples_all_signed_and_schema_valid() -> None:
    app = receiver(lambda event: None)
    zoom = Zoom(secret_token=SECRET, seed=3)
    report = zoom.fuzz(
        app, events=["meeting.participant_joined", "recording.completed"], max_examples=200
    )
    assert report.ok, str(report)
    assert report.failures == [] and report.flaky is None
    # One unchanged event of each name first, then the examples.
    assert report.examples == 200 and report.deliveries == 202
    bodies = app.bodies  # type: ignore[attr-defined]
    assert len(bodies) == 202  # each one passed the signature check
    names = set()
    for raw in bodies:
        data = json.loads(raw)
        names.add(data["event"])
        assert catalog.schema_errors(data["event"], data) == []
    assert names == {"meeting.participant_joined", "recording.completed"}
    assert "all 202 deliveries were acknowledged in time" in str(report)
    report.assert_all_acknowledged()


def test_the_same_seed_gives_the_same_report() -> None:
    first = fuzz(reads_timezone, "meeting.started", max_examples=50, seed=99)
    second = fuzz(reads_timezone, "meeting.started", max_examples=50, seed=99)
    assert first.failures[0].body == second.failures[0].body
    assert first.deliveries == second.deliveries
    assert str(first) == str(second)


def test_the_seed_defaults_to_the_simulated_zooms_seed() -> None:
    report = fuzz(reads_timezone, "meeting.started", max_examples=20)
    assert report.seed == 7


def test_two_ways_of_failing_are_found_and_shrunk_separately() -> None:
    def two_bugs(event: dict[str, Any]) -> None:
        if event["event"] == "meeting.started":
            reads_timezone(event)
        else:
            reads_email_domain(event)

    report = fuzz(
        two_bugs, ["meeting.started", "meeting.participant_joined"], max_examples=200, seed=5
    )
    found = {(f.event, f.decisive[0].dotted, f.decisive[0].kind) for f in report.failures}
    assert found == {
        ("meeting.started", "payload.object.timezone", "absent"),
        ("meeting.participant_joined", "payload.object.participant.email", "empty"),
    }
    assert "2 ways the receiver failed" in str(report)


def test_a_receiver_that_fails_every_delivery_is_reported_without_a_field() -> None:
    def refuse(event: dict[str, Any]) -> None:
        raise RuntimeError("down for maintenance")

    report = fuzz(refuse, "meeting.started", max_examples=20, seed=1)
    # Found on the unchanged event, sent first; no example is sent after it.
    assert report.deliveries == 1 and report.examples == 0
    (failure,) = report.failures
    assert failure.changes == () and failure.decisive == ()
    assert "the event as hookmock generates it, unchanged, was not acknowledged" in str(report)


def test_the_hints_name_the_usual_causes() -> None:
    import dataclasses

    from hookmock.engine.fuzzing import FuzzFailure
    from hookmock.records.outcome import Outcome
    from hookmock.strategies import REMOVE, Change

    zoom = Zoom(secret_token=SECRET)
    zoom.subscribe(app_with_validation(receiver(lambda event: None)))
    delivery = zoom.send("meeting.started")
    absent = Change(("payload", "object", "timezone"), REMOVE, "absent")
    emoji = Change(("payload", "object", "topic"), "🎉", "unusual text: non-BMP character")

    def hint(change: Change, **fields: Any) -> str:
        shrunk = dataclasses.replace(delivery, **fields)
        return FuzzFailure("meeting.started", shrunk, (change,), (change,), "x").hint()

    assert "acknowledge first" in hint(emoji, outcome=Outcome.LATE)
    assert "read it with .get()" in hint(absent, outcome=Outcome.APP_ERROR)
    refused = dataclasses.replace(delivery.response, status=401)
    assert "re-serialized body" in hint(emoji, outcome=Outcome.REJECTED, response=refused)
    assert hint(emoji, outcome=Outcome.APP_ERROR) == ""


def test_a_receiver_over_http_answering_500() -> None:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        event = json.loads(body)
        ok = "timezone" in event["payload"]["object"]
        start_response("204 No Content" if ok else "500 Internal Server Error", [])
        return [] if ok else [b"KeyError: 'timezone'"]

    zoom = Zoom(secret_token=SECRET, seed=11)
    with serving(app) as base:
        report = zoom.fuzz(base + "/zoom/webhook", events="meeting.started", max_examples=40)
    (failure,) = report.failures
    assert failure.signature == "server error 500"
    assert [c.dotted for c in failure.decisive] == ["payload.object.timezone"]
    assert "answer: 500 KeyError: 'timezone'" in str(report)


def test_a_receiver_whose_answer_depends_on_more_than_the_body_is_inconclusive() -> None:
    calls = [0]

    def every_fifth(event: dict[str, Any]) -> None:
        calls[0] += 1
        if calls[0] % 5 == 0:
            raise RuntimeError("pool exhausted")

    report = fuzz(every_fifth, "meeting.started", max_examples=50, seed=2)
    assert not report.ok
    assert report.flaky is not None
    assert "inconclusive: the receiver answered the same delivery differently" in str(report)


def test_an_asgi_receiver_is_fuzzed_in_process() -> None:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        status = 204 if "timezone" in json.loads(body)["payload"]["object"] else 500
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    zoom = Zoom(secret_token=SECRET, seed=8)
    report = zoom.fuzz(app, path="/zoom/webhook", events="meeting.started", max_examples=100)
    (failure,) = report.failures
    assert failure.signature == "server error 500"
    assert [(c.dotted, c.kind) for c in failure.decisive] == [("payload.object.timezone", "absent")]


def test_a_subscription_brings_its_events_and_the_log_keeps_what_the_report_shows() -> None:
    zoom = Zoom(secret_token=SECRET, seed=4)
    app = receiver(lambda event: None)
    zoom.subscribe(app_with_validation(app), events=["meeting.ended"])
    before = len(zoom.deliveries)
    report = zoom.fuzz(zoom.subscriptions[0], max_examples=10)
    assert report.events == ("meeting.ended",) and report.ok
    assert report.deliveries == 11 and len(app.bodies) == 11  # type: ignore[attr-defined]
    # Only the unchanged event sent first is kept in the log, not the examples.
    assert len(zoom.deliveries) - before == 1
    assert zoom.deliveries[-1].event.name == "meeting.ended"


def test_a_failures_shrunk_delivery_is_kept_in_the_log() -> None:
    zoom = Zoom(secret_token=SECRET, seed=4)
    report = zoom.fuzz(receiver(reads_timezone), events="meeting.started", max_examples=100)
    (failure,) = report.failures
    assert list(zoom.deliveries)[-1] is failure.delivery
    assert len(zoom.deliveries) == 2  # the unchanged event, then the shrunk failure


def app_with_validation(app: WSGIApp) -> WSGIApp:
    """*app*, answering Zoom's URL validation first."""

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        raw = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        event = json.loads(raw)
        if event["event"] == "endpoint.url_validation":
            plain = event["payload"]["plainToken"]
            answer = {
                "plainToken": plain,
                "encryptedToken": zoom_protocol.encrypted_token(SECRET, plain),
            }
            start_response("200 OK", [("content-type", "application/json")])
            return [json.dumps(answer).encode()]
        import io

        environ["wsgi.input"] = io.BytesIO(raw)
        return app(environ, start_response)

    return wrapped


def test_bad_arguments_are_refused_with_what_to_do() -> None:
    zoom = Zoom(secret_token=SECRET)
    app = receiver(lambda event: None)
    with pytest.raises(ConfigurationError, match=r"say which events to fuzz"):
        zoom.fuzz(app)
    with pytest.raises(ConfigurationError, match="max_examples must be a positive integer"):
        zoom.fuzz(app, events="meeting.started", max_examples=0)
    with pytest.raises(ConfigurationError, match="seed must be a non-negative integer"):
        zoom.fuzz(app, events="meeting.started", seed=-1)
    with pytest.raises(UnknownEventError):
        zoom.fuzz(app, events="meeting.startd")


def test_the_report_as_json() -> None:
    report = fuzz(reads_timezone, "meeting.started", max_examples=50, seed=1234)
    data = json.loads(json.dumps(report.to_dict()))
    assert data["seed"] == 1234
    (failure,) = data["failures"]
    assert failure["decisive"] == [{"path": "payload.object.timezone", "kind": "absent"}]


# -- the README's examples -------------------------------------------------------------------------

README = (ROOT / "README.md").read_text(encoding="utf-8")
_TIMES = [
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"), "<time>"),
    (re.compile(r'"event_ts":\d+'), '"event_ts":<ms>'),
]


def _block(language: str, marker: str) -> str:
    blocks = re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)
    return next(block for block in blocks if marker in block)


def test_readme_given_pattern_with_the_zoom_fixture_runs(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ZOOM_WEBHOOK_SECRET_TOKEN", raising=False)
    example = _block("python", "def test_any_recording_is_acknowledged")
    pytester.syspathinsert(ROOT)
    pytester.makepyfile(test_example=example)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_readme_given_pattern_needs_the_clear(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without zoom.clear() the second example sees the first one's delivery too."""
    monkeypatch.delenv("ZOOM_WEBHOOK_SECRET_TOKEN", raising=False)
    example = _block("python", "def test_any_recording_is_acknowledged")
    pytester.syspathinsert(ROOT)
    pytester.makepyfile(test_example=example.replace("    zoom.clear()", "    pass"))
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*expected 1 acknowledged deliver* of 'recording.completed'*"])


def _normalized(text: str) -> str:
    for pattern, placeholder in _TIMES:
        text = pattern.sub(placeholder, text)
    return text.strip()


def test_readme_fuzz_output_is_real(capsys: pytest.CaptureFixture[str]) -> None:
    code = _block("python", "report = zoom.fuzz(app")
    shown = _block("text", "reproduce with seed=")
    with pytest.raises(AssertionError) as raised:
        exec(compile(code, "README.md", "exec"), {})
    printed = capsys.readouterr().out
    assert _normalized(printed) == _normalized(shown)
    assert _normalized(str(raised.value)) == _normalized(shown)


# -- hookmock check --fuzz -------------------------------------------------------------------------


def _check(app: WSGIApp, *extra: str) -> tuple[int, str]:
    import io

    from hookmock.cli import main

    out = io.StringIO()
    with serving(app) as base:
        code = main(
            ["check", base + "/zoom/webhook", "--secret-token", SECRET, "--seed", "3", *extra],
            stdout=out,
        )
    return code, out.getvalue()


def test_check_fuzz_finds_the_field_behind_a_refused_delivery(tmp_path: Path) -> None:
    from examples.faulty_receiver.app import create_app

    report = tmp_path / "report.json"
    code, out = _check(
        create_app(SECRET),
        *("--fuzz", "100", "--fuzz-seed", "7", "--event", "meeting.started"),
        *("--only", "fuzz-valid-events", "--report-json", str(report)),
    )
    assert code == 1, out
    assert "FAIL  fuzz-valid-events" in out
    assert "events: meeting.started; 100 examples; seed 7" in out
    assert "1. meeting.started: rejected 401" in out
    assert re.search(r"the field that made the difference: \S+: unusual text: non-BMP", out)
    assert "reproduce with seed=7 (on the command line: --fuzz-seed 7)" in out
    (check,) = [
        c for c in json.loads(report.read_text())["checks"] if c["id"] == "fuzz-valid-events"
    ]
    assert check["outcome"] == "fail" and "shrunk body" in check["detail"]


def test_check_fuzz_passes_a_correct_receiver_with_the_battery() -> None:
    from examples.flask_receiver.app import create_app

    code, out = _check(create_app(SECRET), "--fuzz", "60", "--event", "meeting.started")
    assert code == 0, out
    assert "PASS  fuzz-valid-events" in out
    assert "0 failed" in out


def test_check_without_fuzz_has_no_fuzz_check() -> None:
    from examples.flask_receiver.app import create_app

    code, out = _check(create_app(SECRET), "--only", "valid-event")
    assert code == 0 and "fuzz-valid-events" not in out


def test_check_fuzz_runs_beside_the_checks_only_picks() -> None:
    from examples.flask_receiver.app import create_app

    code, out = _check(
        create_app(SECRET), "--only", "valid-event", "--fuzz", "20", "--event", "meeting.started"
    )
    assert code == 0, out
    assert "PASS  valid-event:meeting.started" in out
    assert "PASS  fuzz-valid-events" in out


def test_check_fuzz_is_refused_before_anything_is_sent() -> None:
    import io

    from hookmock.cli import main

    out = io.StringIO()
    # Port 9 (discard) on 127.0.0.1: nothing is sent there, the argument is refused first.
    code = main(["check", "http://127.0.0.1:9/", "--fuzz", "-1"], stdout=out)
    assert code == 2
    with pytest.raises(ConfigurationError, match="it runs when asked for: fuzz=N"):
        Zoom().check("http://127.0.0.1:9/", only=["fuzz-valid-events"])
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys\nsys.modules['hypothesis'] = None\nfrom hookmock.cli import main\n"
            "sys.exit(main(['check', 'http://127.0.0.1:9/', '--secret-token', 'x', "
            "'--fuzz', '5']))",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "pip install 'hookmock[fuzz]'" in result.stderr
    assert "cannot reach" not in result.stderr


def test_readme_check_fuzz_output_is_real() -> None:
    from examples.faulty_receiver.app import create_app

    shown = _block("console", "--fuzz 200 --fuzz-seed 2026")
    command, _, output = shown.partition("--fuzz-seed 2026\n")
    argv = command.replace("\\\n", " ").split()[3:]
    assert argv[0] == "http://127.0.0.1:8000/zoom/webhook"
    code, out = _check(
        create_app(SECRET),
        *[a for a in argv[1:] if a not in ("--secret-token", '"$ZOOM_WEBHOOK_SECRET_TOKEN"')],
        "--fuzz-seed",
        "2026",
    )
    assert code == 1
    real = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:8000", out)
    assert _normalized(real) == _normalized(output)
