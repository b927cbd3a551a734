"""The verdicts every battery shares (hookmock.conformance.verdicts), shown on GitHub's and
Slack's batteries: a forgery acknowledged fails whatever else the receiver did, a refusal shows
something only once a correctly signed event was acknowledged, and an unknown event type that is
not acknowledged fails."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from werkzeug.wrappers import Request, Response

from hookmock import GitHub, Slack
from hookmock.conformance.base import Verdict
from hookmock.providers.github import signature as github_signature
from hookmock.providers.slack import signature as slack_signature

SECRET = "0123456789abcdef0123456789abcdef"


def _github_signed(req: Request) -> bool:
    header = req.headers.get(github_signature.HEADER_SIGNATURE_256)
    return github_signature.verify(SECRET, req.get_data(), header)


def _slack_signed(req: Request) -> bool:
    timestamp = req.headers.get("x-slack-request-timestamp", "")
    signature = req.headers.get("x-slack-signature", "")
    return timestamp.isdigit() and slack_signature.verify(
        SECRET, timestamp, req.get_data(), signature
    )


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


PROVIDERS: dict[str, tuple[Callable[[], GitHub | Slack], Callable[[Request], bool]]] = {
    "github": (_github, _github_signed),
    "slack": (_slack, _slack_signed),
}
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
