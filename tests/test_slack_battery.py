"""Slack's conformance battery: a Bolt for Python app passes it; receivers with one defect each
are flagged by the checks that show it, with the root cause named."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.signature import SignatureVerifier
from werkzeug.wrappers import Request, Response

from hookmock import Slack
from hookmock.conformance.base import Verdict
from hookmock.providers.slack import battery

from .slack_receivers import PATH, bolt_app

SECRET = "0123456789abcdef0123456789abcdef"


def _slack() -> Slack:
    return Slack(secret=SECRET, seed=11)


def _receiver(
    *, verify: str = "raw", tolerance: bool = True, echo: bool = True, listens: bool = True
) -> Any:
    """A hand-written receiver with the faults asked for.

    :param verify: ``"raw"`` (the bytes received), ``"reserialized"`` (json.dumps of the parsed
        body, a classic mistake) or ``"none"``.
    :param tolerance: refuse timestamps more than 5 minutes away.
    """
    verifier = SignatureVerifier(SECRET)

    @Request.application  # type: ignore[arg-type]
    def app(req: Request) -> Response:
        body = req.get_data()
        try:
            data = json.loads(body)
        except ValueError:
            return Response("not JSON", status=400)
        if not isinstance(data, dict):
            return Response("not an object", status=400)
        timestamp = req.headers.get("x-slack-request-timestamp", "")
        signature = req.headers.get("x-slack-signature", "")
        signed = body if verify != "reserialized" else json.dumps(data).encode()
        if verify != "none":
            if not timestamp.isdigit():
                return Response("bad timestamp", status=401)
            expected = verifier.generate_signature(timestamp=timestamp, body=signed)
            if signature != expected:
                return Response("bad signature", status=401)
            if tolerance and not SignatureVerifier(SECRET).is_valid(signed, timestamp, signature):
                return Response("stale", status=401)
        if data.get("type") == "url_verification":
            return Response(data["challenge"] if echo else "ok", content_type="text/plain")
        if not listens and data.get("event", {}).get("type") == "message":
            return Response(status=404)
        return Response(status=200)

    return app


def test_a_bolt_app_passes_the_battery() -> None:
    slack = _slack()
    app, received = bolt_app(SECRET, bot_user_id=slack.bot_user_id)
    report = slack.check(app, path=PATH)
    assert report.passed, report.table()
    assert not report.failures and not report.inconclusive
    # Bolt answers 404 to an event without a listener, and 500 to bodies it cannot parse and to
    # a timestamp that is not a number: warnings.
    assert {r.id for r in report.warnings} <= {
        "unknown-event",
        "forged-non-numeric-timestamp",
        "malformed-not-json",
        "malformed-json-array",
    }
    assert report["unknown-event"].outcome is Verdict.WARN
    assert "Bolt answers 404" in report["unknown-event"].detail
    assert {kind for kind, _ in received} == {"app_mention", "message", "reaction_added"}


def test_a_correct_hand_written_receiver_passes_every_check() -> None:
    report = _slack().check(_receiver())
    assert [r.id for r in report.results if not r.passed] == []
    assert tuple(r.id for r in report.results) == battery.CHECK_IDS


def test_a_receiver_that_does_not_verify_the_signature_is_flagged() -> None:
    report = _slack().check(_receiver(verify="none"))
    assert not report.passed
    failed = {r.id for r in report.failures}
    assert {
        "forged-wrong-secret",
        "forged-tampered-body",
        "forged-missing-signature",
        "replay-stale",
    } <= failed
    cause = report.cause("signature-not-verified")
    assert "forged-wrong-secret" in cause.checks
    assert "got status 200" in report["forged-wrong-secret"].detail


def test_a_receiver_that_ignores_the_timestamp_is_flagged() -> None:
    report = _slack().check(_receiver(tolerance=False))
    assert {r.id for r in report.failures} == {"replay-stale"}
    assert report["replay-future"].outcome is Verdict.WARN
    assert report.cause("timestamp-not-checked").checks == ("replay-stale", "replay-future")


def test_a_receiver_that_verifies_a_reserialized_body_is_flagged() -> None:
    report = _slack().check(_receiver(verify="reserialized"))
    failed = {r.id for r in report.failures}
    assert "valid-event:app_mention" in failed
    assert "re-serialized body" in report["valid-event:app_mention"].detail


def test_a_receiver_that_does_not_echo_the_challenge_is_flagged() -> None:
    report = _slack().check(_receiver(echo=False))
    result = report["url-verification"]
    assert result.outcome is Verdict.FAIL
    assert "problem: the challenge was not echoed: got 'ok' (plain text)" in result.detail


def test_a_receiver_without_a_listener_fails_that_event_with_the_cause() -> None:
    report = _slack().check(_receiver(listens=False))
    result = report["valid-event:message"]
    assert result.outcome is Verdict.FAIL
    assert "no listener for this event type" in result.detail


def test_a_receiver_that_processes_retries_again_is_flagged_with_a_probe() -> None:
    processed: list[bytes] = []
    inner = _receiver()

    def counting(environ: dict[str, Any], start_response: Any) -> Any:
        # Counts every event it acknowledges, retries included: no deduplication.
        body = environ["wsgi.input"].read()
        environ["wsgi.input"] = io.BytesIO(body)
        if b'"event_callback"' in body:
            processed.append(body)
        return inner(environ, start_response)

    report = _slack().check(counting, probe=lambda: len(processed), only=["duplicate-delivery"])
    result = report["duplicate-delivery"]
    assert result.outcome is Verdict.FAIL
    assert "the probe counted 1, then 2 more" in result.detail
    assert "deduplicate on event_id" in result.detail


# -- as pytest tests: conformance_tests(provider="slack") ------------------------------------------

ROOT = Path(__file__).resolve().parent.parent


def test_one_line_gives_slacks_battery_as_tests_against_a_bolt_app(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SLACK_SIGNING_SECRET", raising=False)
    pytester.syspathinsert(ROOT)
    pytester.makepyfile(
        """
import pytest
import hookmock
from tests.slack_receivers import PATH, bolt_app

@pytest.fixture
def app(slack):
    return bolt_app(slack.secret, bot_user_id=slack.bot_user_id)[0]

test_slack_conformance = hookmock.conformance_tests("app", provider="slack", path=PATH)
"""
    )
    result = pytester.runpytest("-v", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=len(battery.CHECK_IDS))
    result.stdout.fnmatch_lines(
        [
            "*test_slack_conformance?url-verification? PASSED*",
            "*test_slack_conformance?forged-wrong-secret? PASSED*",
        ]
    )
