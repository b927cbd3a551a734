"""The verdicts and root causes every battery shares (hookmock.conformance.verdicts and
.explain), shown on GitHub's, Slack's and Stripe's batteries: a forgery acknowledged fails
whatever else the receiver did, a refusal shows something only once a correctly signed event was
acknowledged, an unknown event type that is not acknowledged fails, and one defect is named once
as the root cause of the failures it explains."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from werkzeug.wrappers import Request, Response

from hookmock import GitHub, Slack, Stripe
from hookmock.conformance.base import Verdict
from hookmock.providers.github import signature as github_signature
from hookmock.providers.slack import signature as slack_signature
from hookmock.providers.stripe import signature as stripe_signature

SECRET = "0123456789abcdef0123456789abcdef"
STRIPE_SECRET = "whsec_0123456789abcdefghijklmnopqrstuv"


def _github_signed(req: Request) -> bool:
    header = req.headers.get(github_signature.HEADER_SIGNATURE_256)
    return github_signature.verify(SECRET, req.get_data(), header)


def _slack_signed(req: Request, *, clock: bool = True) -> bool:
    timestamp = req.headers.get("x-slack-request-timestamp", "")
    signature = req.headers.get("x-slack-signature", "")
    if not timestamp.isdigit():
        return False
    if clock and not slack_signature.within_tolerance(timestamp, now=time.time()):
        return False
    return slack_signature.verify(SECRET, timestamp, req.get_data(), signature)


def _stripe_signed(req: Request, *, clock: bool = True) -> bool:
    header = req.headers.get(stripe_signature.HEADER, "")
    tolerance = stripe_signature.TOLERANCE if clock else None
    return stripe_signature.verify(STRIPE_SECRET, req.get_data(), header, tolerance=tolerance)


def _receiver(signed: Callable[[Request], bool], answer: Callable[[bool], int]) -> Any:
    """A receiver whose status depends only on whether the signature is right."""

    @Request.application
    def app(req: Request) -> Response:
        return Response("", status=answer(signed(req)))

    return app


def _github() -> GitHub:
    return GitHub(secret=SECRET, seed=3, strict_ping=False)


def _slack() -> Slack:
    return Slack(secret=SECRET, seed=3)


def _stripe() -> Stripe:
    return Stripe(secret=STRIPE_SECRET, seed=3)


Make = Callable[[], GitHub | Slack | Stripe]
PROVIDERS: dict[str, tuple[Make, Callable[[Request], bool]]] = {
    "github": (_github, _github_signed),
    "slack": (_slack, _slack_signed),
    "stripe": (_stripe, _stripe_signed),
}
#: How long the slow receiver takes to answer: five times the deadline it is given.
SLOW = 0.05
#: A failed check: FAIL, or WARN for one of warning severity.
FAILED = (Verdict.FAIL, Verdict.WARN)


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_a_forgery_acknowledged_fails_though_nothing_signed_was(provider: str) -> None:
    make, signed = PROVIDERS[provider]
    # Backwards: it refuses what is correctly signed and acknowledges what is not.
    report = make().check(_receiver(signed, lambda ok: 401 if ok else 200))
    forged = [r for r in report.results if r.id.startswith("forged-")]
    assert forged
    for result in forged:
        assert result.outcome in FAILED, (result.id, result.detail)
        assert "likely cause:" in result.detail


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_refusing_everything_leaves_forgeries_inconclusive(provider: str) -> None:
    make, signed = PROVIDERS[provider]
    report = make().check(_receiver(signed, lambda ok: 401))
    forged = [r for r in report.results if r.id.startswith("forged-")]
    assert forged
    for result in forged:
        assert result.outcome is Verdict.INCONCLUSIVE, (result.id, result.detail)
        assert "no correctly signed event was acknowledged" in result.detail
    # Not acknowledged: that is shown, whatever the reason; the cause is not guessed.
    unknown = report["unknown-event"]
    assert unknown.outcome in FAILED, unknown.detail
    assert "likely cause" not in unknown.detail


def test_a_redirected_forgery_is_not_put_down_to_a_raising_verifier() -> None:
    make, signed = PROVIDERS["github"]
    # Forgeries get a redirect: neither a refusal nor a crash.
    report = make().check(_receiver(signed, lambda ok: 200 if ok else 302))
    result = report["forged-wrong-secret"]
    assert result.outcome is Verdict.FAIL
    assert "raises" not in result.detail
    assert "a correct receiver refuses it with a 4xx" in result.detail


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_a_wrong_secret_is_one_root_cause(provider: str) -> None:
    make, signed = PROVIDERS[provider]
    report = make().check(_receiver(signed, lambda ok: 401))
    first = report.root_causes[0]
    assert first.id == "nothing-acknowledged"
    assert "no correctly signed event was acknowledged (answers: 401" in first.summary
    # Every check that did not pass, the refused ping or URL verification included.
    failing = {r.id for r in report.results if r.outcome is not Verdict.PASS}
    assert failing == set(first.checks)
    assert report["forged-wrong-secret"].explained_by == "nothing-acknowledged"


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_no_verification_is_one_root_cause(provider: str) -> None:
    make, _ = PROVIDERS[provider]
    report = make().check(_receiver(lambda req: True, lambda ok: 200))
    cause = report.cause("signature-not-verified")
    assert "forged-wrong-secret" in cause.checks
    assert all(report[check].outcome in FAILED for check in cause.checks)
    assert report["forged-wrong-secret"].explained_by == "signature-not-verified"


@pytest.mark.parametrize("provider", ["slack", "stripe"])
def test_a_timestamp_not_checked_is_one_root_cause(provider: str) -> None:
    make, _ = PROVIDERS[provider]
    verify = {"slack": _slack_signed, "stripe": _stripe_signed}[provider]
    report = make().check(
        _receiver(lambda req: verify(req, clock=False), lambda ok: 200 if ok else 401)
    )
    cause = report.cause("timestamp-not-checked")
    assert "replay-stale" in cause.checks
    assert report["forged-wrong-secret"].outcome is Verdict.PASS
    assert [c.id for c in report.root_causes] == ["timestamp-not-checked"]


async def _acknowledges_then_fails(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """An ASGI app that acknowledges every request, then fails in its work after the answer
    (as a background task does)."""
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b""})
    raise RuntimeError("the background work failed")


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_work_that_fails_after_the_answer_fails_the_event(provider: str) -> None:
    make, _ = PROVIDERS[provider]
    report = make().check(_acknowledges_then_fails)
    valid = [r for r in report.results if r.id.startswith("valid-event:")]
    assert valid
    for result in valid:
        assert result.outcome is Verdict.FAIL, (result.id, result.detail)
        assert "the background work failed" in result.detail
        assert "the sender saw a 2xx and will not retry" in result.detail


def test_a_clock_checked_one_way_is_named_and_warned() -> None:
    # As Bolt for JavaScript checks: a stale timestamp is refused, one ahead of the clock is not.
    def signed(req: Request) -> bool:
        timestamp = req.headers.get("x-slack-request-timestamp", "")
        if not timestamp.isdigit() or int(timestamp) < time.time() - 300:
            return False
        return _slack_signed(req, clock=False)

    report = _slack().check(_receiver(signed, lambda ok: 200 if ok else 401))
    assert report["replay-stale"].outcome is Verdict.PASS
    assert report["replay-future"].outcome is Verdict.WARN
    assert [c.id for c in report.root_causes] == ["future-timestamp-accepted"]
    # Besides the warning, only the URL verification fails: this receiver answers no challenge,
    # so its not answering an unsigned one shows nothing either.
    failed = {r.id for r in report.results if r.outcome is not Verdict.PASS}
    assert failed == {"url-verification", "replay-future", "url-verification-unsigned"}
    assert report["url-verification-unsigned"].outcome is Verdict.INCONCLUSIVE


def test_answers_all_late_are_not_put_down_to_the_secret() -> None:
    def slow(ok: bool) -> int:
        time.sleep(SLOW)
        return 200 if ok else 401

    slack = Slack(secret=SECRET, seed=3, deadline=SLOW / 5)
    report = slack.check(_receiver(_slack_signed, slow))
    cause = report.root_causes[0]
    assert cause.id == "nothing-acknowledged"
    assert "200 late" in cause.summary
    assert "acknowledge first, then do the work" in cause.summary
    assert "signing secret" not in cause.summary


def test_a_stripe_receiver_reading_only_the_first_signature_is_told_so() -> None:
    def first_only(req: Request) -> bool:
        header = req.headers.get(stripe_signature.HEADER, "")
        timestamp, items = stripe_signature.parse_header(header)
        firsts = [sig for scheme, sig in items if scheme == stripe_signature.SCHEME][:1]
        if timestamp is None or not firsts:
            return False
        expected = stripe_signature.sign(STRIPE_SECRET, timestamp, req.get_data())
        return firsts[0] == expected

    report = _stripe().check(_receiver(first_only, lambda ok: 200 if ok else 400))
    result = report["valid-rotated-secret"]
    assert result.outcome is Verdict.FAIL
    assert "likely cause: only the first v1 signature is compared" in result.detail
    assert "re-serialized" not in result.detail
