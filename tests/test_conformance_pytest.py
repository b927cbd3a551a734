"""The conformance battery as pytest tests, one per check, and from the CLI."""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from hookmock.checks import CHECK_IDS
from hookmock.cli import main

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
    result.assert_outcomes(passed=1, failed=3)
    result.stdout.fnmatch_lines(
        [
            "E*AssertionError: conformance check 'valid-non-bmp' failed: acknowledges a body with "
            "emoji escapes*",
            "*likely cause: the receiver verifies a re-serialized body*",
        ]
    )


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


def test_cli_check_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sys.path.insert(0, str(ROOT))
    try:
        from examples.faulty_receiver.app import create_app
    finally:
        sys.path.remove(str(ROOT))
    secret = "cli-check-secret"
    app = create_app(secret)
    app.logger.disabled = True
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
    data = json.loads(report.read_text())
    assert data["target"] == f"{base}/zoom/webhook"
    assert data["passed"] is False
    assert [c["id"] for c in data["checks"]] == list(CHECK_IDS)
    outcomes = {c["id"]: c["outcome"] for c in data["checks"]}
    assert outcomes["valid-non-bmp"] == "fail" and outcomes["valid-event"] == "pass"
    assert set(data["latency"]) == {"count", "p50_ms", "p95_ms", "max_ms"}
    cases = ET.parse(junit).getroot().findall("testsuite/testcase")
    assert [c.get("name") for c in cases] == list(CHECK_IDS)
    failed = {c.get("name") for c in cases if c.find("failure") is not None}
    assert failed == {c for c, o in outcomes.items() if o == "fail"}
    for text in (out.out, out.err, report.read_text(), junit.read_text()):
        assert secret not in text


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
