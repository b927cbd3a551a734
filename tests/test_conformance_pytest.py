"""The conformance battery as pytest tests, one per check, and from the CLI."""

from __future__ import annotations

import io
import json
import re
import shlex
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from hookmock.cli import main
from hookmock.providers.zoom.battery import CHECK_IDS

from .receivers import serving

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _no_env_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZOOM_WEBHOOK_SECRET_TOKEN", raising=False)


def test_one_line_gives_one_test_per_check(pytester: pytest.Pytester) -> None:
    pytester.syspathinsert(ROOT)
    pytester.makepyfile(
        """
        import pytest
        import hookmock
        from examples.flask_receiver.app import create_app

        @pytest.fixture
        def app(zoom):
            return create_app(secret_token=zoom.secret_token)

        @pytest.fixture
        def processed(app):
            return lambda: len(app.config["MEETINGS_STARTED"])

        test_zoom_conformance = hookmock.conformance_tests(
            "app", path="/zoom/webhook", probe="processed"
        )
        """
    )
    result = pytester.runpytest("-v", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=len(CHECK_IDS))
    result.stdout.fnmatch_lines(["*test_zoom_conformance?url-validation? PASSED*"])


def test_failed_checks_are_failed_tests_with_the_detail(pytester: pytest.Pytester) -> None:
    pytester.syspathinsert(ROOT)
    pytester.makepyfile(
        """
        import pytest
        import hookmock
        from examples.faulty_receiver.app import create_app

        @pytest.fixture
        def app(zoom):
            app = create_app(zoom.secret_token)
            app.logger.disabled = True
            return app

        test_conformance = hookmock.conformance_tests(
            "app", path="/zoom/webhook",
            only=["valid-event", "valid-non-bmp", "replay-stale", "malformed-not-json"],
        )
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "--assert=plain")
    # The faulty receiver refuses three of the six default event types.
    result.assert_outcomes(passed=3, failed=6)
    result.stdout.fnmatch_lines(
        [
            "E*AssertionError: conformance check 'valid-non-bmp' failed: acknowledges a body with "
            "emoji escapes*",
            "*explained by reserialized-body: the receiver verifies a re-serialized body*",
        ]
    )


def test_inconclusive_checks_are_skipped_with_the_reason(pytester: pytest.Pytester) -> None:
    pytester.syspathinsert(ROOT)
    pytester.makepyfile(
        """
        import pytest
        import hookmock
        from examples.flask_receiver.app import create_app

        @pytest.fixture
        def app():
            return create_app(secret_token="not-the-simulated-apps-secret")

        test_conformance = hookmock.conformance_tests(
            "app", path="/zoom/webhook",
            only=["url-validation", "valid-event:meeting.started", "forged-wrong-secret",
                  "replay-stale", "malformed-json-null"],
        )
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-rs")
    result.assert_outcomes(failed=2, skipped=3)
    result.stdout.fnmatch_lines(
        [
            "SKIPPED*forged-wrong-secret inconclusive, explained by wrong-secret: no correctly "
            "signed request was accepted*",
        ]
    )
    result.stdout.no_fnmatch_line("*forged-wrong-secret*PASSED*")


def test_a_reason_that_says_inconclusive_is_not_prefixed_twice(pytester: pytest.Pytester) -> None:
    # An in-process ASGI app cannot be sent a short body: that check's own reason says so.
    pytester.makepyfile(
        """
        import json

        import pytest
        import hookmock
        from hookmock.providers.zoom import encrypted_token, verify

        @pytest.fixture
        def app(zoom):
            secret = zoom.secret_token

            async def receiver(scope, receive, send):
                body = b""
                while True:
                    message = await receive()
                    body += message.get("body", b"")
                    if not message.get("more_body"):
                        break
                headers = {k.decode(): v.decode() for k, v in scope["headers"]}
                timestamp = headers.get("x-zm-request-timestamp", "")
                status, answer = 401, b""
                if verify(secret, timestamp, body, headers.get("x-zm-signature", "")):
                    event = json.loads(body)
                    status = 204
                    if event["event"] == "endpoint.url_validation":
                        plain = event["payload"]["plainToken"]
                        token = encrypted_token(secret, plain)
                        status = 200
                        answer = json.dumps({"plainToken": plain, "encryptedToken": token})
                        answer = answer.encode()
                await send({"type": "http.response.start", "status": status, "headers": []})
                await send({"type": "http.response.body", "body": answer})

            return receiver

        test_conformance = hookmock.conformance_tests(
            "app", only=["valid-event", "malformed-truncated-body"]
        )
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-rs")
    result.assert_outcomes(passed=6, skipped=1)  # one test per valid-event:NAME
    result.stdout.fnmatch_lines(
        ["SKIPPED*malformed-truncated-body inconclusive: *cannot be sent a body shorter*"]
    )
    result.stdout.no_fnmatch_line("*inconclusive, inconclusive*")


def test_the_battery_runs_once_for_all_its_tests(pytester: pytest.Pytester) -> None:
    pytester.syspathinsert(ROOT)
    pytester.makepyfile(
        """
        import pytest
        import hookmock
        from examples.flask_receiver.app import create_app

        CALLS = []

        @pytest.fixture
        def app(zoom):
            flask_app = create_app(secret_token=zoom.secret_token)
            def counted(environ, start_response):
                CALLS.append(environ["PATH_INFO"])
                return flask_app(environ, start_response)
            return counted

        test_conformance = hookmock.conformance_tests("app", path="/zoom/webhook")

        def test_zz_one_battery():
            from hookmock import Zoom
            zoom = Zoom(secret_token="s", seed=1)
            app = create_app(secret_token="s")
            report = zoom.check(app, path="/zoom/webhook")
            sent = sum(len(r.deliveries) for r in report.results) + len(report.diagnostics)
            assert len(CALLS) == sent
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:randomly")
    result.assert_outcomes(passed=len(CHECK_IDS) + 1)


def test_warning_checks_warn_instead_of_failing(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import json
        import hookmock
        from hookmock.providers import zoom as z

        def strict_content_type(environ, start_response):
            if environ.get("CONTENT_TYPE", "").startswith("text/plain"):
                raise RuntimeError("unexpected content type")
            start_response("204 No Content", [])
            return []

        test_c = hookmock.conformance_tests(
            "strict", only=["malformed-content-type"]
        )

        import pytest

        @pytest.fixture
        def strict():
            return strict_content_type
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-W", "default")
    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines(["*HookmockWarning: malformed-content-type: sent: a correctly*"])


def test_unknown_check_id_is_refused_at_collection() -> None:
    import hookmock

    with pytest.raises(ValueError, match=r"unknown conformance check 'valid-evnt': did you mean"):
        hookmock.conformance_tests("app", only=["valid-evnt"])


def _faulty_app(secret: str) -> Any:
    sys.path.insert(0, str(ROOT))
    try:
        from examples.faulty_receiver.app import create_app
    finally:
        sys.path.remove(str(ROOT))
    app = create_app(secret)
    app.logger.disabled = True
    return app


def test_cli_check_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    secret = "cli-check-secret"
    app = _faulty_app(secret)
    report, junit = tmp_path / "report.json", tmp_path / "junit.xml"
    with serving(app) as base:
        code = main(
            [
                "check",
                f"{base}/zoom/webhook",
                "--secret-token",
                secret,
                "--report-json",
                str(report),
                "--junit-xml",
                str(junit),
                "--concurrency",
                "3",
            ]
        )
    out = capsys.readouterr()
    assert code == 1
    assert "FAIL  valid-non-bmp" in out.out
    assert "PASS  url-validation" in out.out
    assert out.out.splitlines()[2] == "baseline: meeting.started acknowledged when correctly signed"
    assert out.out.splitlines()[4].startswith("fix first: ")
    assert "\r" not in out.out and "\033" not in out.out  # no progress line when not a terminal
    data = json.loads(report.read_text())
    assert data["target"] == f"{base}/zoom/webhook"
    assert data["passed"] is False
    assert [c["id"] for c in data["checks"]] == list(CHECK_IDS)
    outcomes = {c["id"]: c["outcome"] for c in data["checks"]}
    assert outcomes["valid-non-bmp"] == "fail"
    assert outcomes["valid-event:meeting.started"] == "pass"
    assert {c["id"] for c in data["root_causes"]} >= {"reserialized-body", "refuses-event-types"}
    assert set(data["latency"]) == {"count", "p50_ms", "p95_ms", "max_ms"}
    cases = ET.parse(junit).getroot().findall("testsuite/testcase")
    assert [c.get("name") for c in cases] == list(CHECK_IDS)
    failed = {c.get("name") for c in cases if c.find("failure") is not None}
    assert failed == {c for c, o in outcomes.items() if o == "fail"}
    for text in (out.out, out.err, report.read_text(), junit.read_text()):
        assert secret not in text


def test_cli_check_events_sets_and_a_probe_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sys.path.insert(0, str(ROOT))
    try:
        from examples.flask_receiver.app import create_app
    finally:
        sys.path.remove(str(ROOT))
    secret = "cli-check-secret"
    app = create_app(secret)
    topics: list[str] = []

    def receiver(environ: dict[str, Any], start_response: Any) -> Any:
        if environ["PATH_INFO"] == "/processed":
            body = json.dumps({"processed": len(app.config["MEETINGS_STARTED"]), "ok": True})
            start_response("200 OK", [("Content-Type", "application/json")])
            return [body.encode()]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        environ["wsgi.input"] = io.BytesIO(environ["wsgi.input"].read(length))
        peek = environ["wsgi.input"].getvalue()
        if b'"topic":"' in peek:
            topics.append(json.loads(peek)["payload"]["object"]["topic"])
        return app(environ, start_response)

    report = tmp_path / "report.json"
    with serving(receiver) as base:
        code = main(
            [
                "check",
                f"{base}/zoom/webhook",
                "--secret-token",
                secret,
                "--event",
                "meeting.started",
                "--event",
                "webinar.ended",
                "--set",
                "payload.object.topic=Board review",
                "--probe-url",
                f"{base}/processed",
                "--only",
                "valid-event",
                "--only",
                "duplicate-delivery",
                "--report-json",
                str(report),
            ]
        )
    out = capsys.readouterr().out
    assert code == 0, out
    ids = [c["id"] for c in json.loads(report.read_text())["checks"]]
    assert ids == ["valid-event:meeting.started", "valid-event:webinar.ended", "duplicate-delivery"]
    assert topics and set(topics) == {"Board review"}
    duplicate = json.loads(report.read_text())["checks"][-1]
    assert duplicate["outcome"] == "pass"
    assert "not verified" not in duplicate["detail"]  # the probe counted the first delivery


def test_cli_check_a_probe_url_that_answers_no_count(capsys: pytest.CaptureFixture[str]) -> None:
    def app(environ: dict[str, Any], start_response: Any) -> Any:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"all good"]

    with serving(app) as base:
        code = main(["check", f"{base}/hook", "--secret-token", "x", "--probe-url", base])
    err = capsys.readouterr().err
    assert code == 2
    assert f"the probe {base} answered 'all good': expected a number of processed events" in err


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_cli_check_shows_progress_on_a_terminal() -> None:
    app = _faulty_app("s")
    out = _Terminal()
    with serving(app) as base:
        code = main(
            ["check", f"{base}/zoom/webhook", "--secret-token", "s", "--only", "replay-stale"],
            stdout=out,
        )
    text = out.getvalue()
    assert code == 1
    assert "\r\033[K[1/1] replay-stale ..." in text
    assert "\r\033[K[1/1] replay-stale: fail" in text
    table = text.rsplit("\r\033[K", 1)[1]  # the line is cleared before the table
    assert table.startswith("hookmock check ")


def test_cli_check_unreachable(capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    code = main(["check", f"http://127.0.0.1:{port}/hook", "--secret-token", "x"])
    err = capsys.readouterr().err
    assert code == 2
    assert f"cannot reach http://127.0.0.1:{port}/hook: connection refused" in err


def test_cli_check_needs_a_secret(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "http://127.0.0.1:9/hook"]) == 2
    assert "no secret token: pass --secret-token" in capsys.readouterr().err


def _normalized(text: str, base: str) -> str:
    text = text.replace(base, "http://127.0.0.1:8000")
    return re.sub(r"\d+(\.\d+)? ms", "N ms", text).rstrip()


def test_the_readme_shows_a_real_failing_run(capsys: pytest.CaptureFixture[str]) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    prompt = "$ hookmock check http://127.0.0.1:8000/zoom/webhook"
    block = readme[readme.index(prompt) :].split("```", 1)[0]
    command, _, shown = block.partition("\n")
    args = shlex.split(command)[3:]
    secret = "Zq7vR2mXkP9tLw4sJd8yNc"
    with serving(_faulty_app(secret)) as base:
        args[0] = args[0].replace("http://127.0.0.1:8000", base)
        code = main(["check", *args, "--secret-token", secret])
    out = capsys.readouterr().out
    assert code == 1
    assert _normalized(out, base) == _normalized(shown, base)


@pytest.mark.parametrize(
    ("body", "count"),
    [(b"3", 3), (b"3\n", 3), (b'{"processed": 7}', 7), (b'{"processed": 2, "ok": true}', 2)],
)
def test_a_probe_reads_a_number_or_json_with_one_number(body: bytes, count: int) -> None:
    from hookmock.conformance.probe import parse_count

    assert parse_count(body, "http://x/count") == count


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"ok", "the probe P answered 'ok': expected a number of processed events"),
        (b'{"a": 1, "b": 2}', "a JSON object with 2 numeric fields (a, b): expected exactly one"),
        (b'{"a": "1"}', "a JSON object with 0 numeric fields (none): expected exactly one"),
        (b'"3"', "the probe P answered JSON str '\"3\"': expected a number"),
        (b"true", "the probe P answered JSON bool 'true': expected a number"),
    ],
)
def test_a_probe_that_answers_no_count_says_what_it_got(body: bytes, message: str) -> None:
    from hookmock.conformance.probe import ProbeError, parse_count

    with pytest.raises(ProbeError) as caught:
        parse_count(body, "P")
    assert message in str(caught.value)


def test_cli_check_with_a_wrong_secret_names_it_once_and_exits_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    sys.path.insert(0, str(ROOT))
    try:
        from examples.flask_receiver.app import create_app
    finally:
        sys.path.remove(str(ROOT))
    with serving(create_app("the-receivers-secret")) as base:
        code = main(["check", f"{base}/zoom/webhook", "--secret-token", "a-mistyped-secret"])
    out = capsys.readouterr().out
    assert code == 1
    (cause,) = [ln for ln in out.splitlines() if ln.startswith("fix first: ")]
    assert cause.startswith("fix first: wrong-secret: no correctly signed request was accepted")
    assert "INCONCLUSIVE  forged-wrong-secret" in out
    assert "PASS  " not in out
    assert "a-mistyped-secret" not in out


def test_cli_check_refuses_a_bad_override_before_sending(
    capsys: pytest.CaptureFixture[str],
) -> None:
    calls: list[str] = []

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        calls.append(environ["PATH_INFO"])
        start_response("204 No Content", [])
        return []

    with serving(app) as base:
        code = main(
            ["check", f"{base}/hook", "--secret-token", "x", "--set", "payload.object.duration=a"]
        )
    assert code == 2
    assert "payload.object.duration" in capsys.readouterr().err
    assert calls == []
