"""The duplicate checks of every battery with a probe: a probe is read, never ignored, and a probe
that did not count the first delivery leaves processing-once unverified (inconclusive), never
passed nor blamed on deduplication."""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Callable, Iterable
from typing import Any

import pytest

from hookmock import GitHub, Slack, StandardWebhooks, Stripe, Zoom
from hookmock.conformance.base import Verdict

from .conformance_receivers import receiver as zoom_receiver
from .github_receivers import SECRET as GITHUB_SECRET
from .github_receivers import receiver as github_receiver
from .github_receivers import warm_up
from .slack_receivers import slack_receiver
from .standard_webhooks_receivers import PATH, flask_receiver
from .stripe_receivers import sdk_receiver

ZOOM_SECRET = "Zq7vR2mXkP9tLw4sJd8yNc"
SW_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
STRIPE_SECRET = "whsec_duplicateprobe0123456789"
SLACK_SECRET = "0123456789abcdef0123456789abcdef"

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _never_counts() -> int:
    """A probe read before the receiver's work is done: the work lands after it answers, as
    with a receiver that acknowledges first and works in a background task or a queue."""
    return 0


def _counting(
    app: WSGIApp, key: Callable[[dict[str, Any], bytes], str] | None
) -> tuple[WSGIApp, Callable[[], int]]:
    """*app*, and a probe counting the distinct keys of the requests it answered with a 2xx;
    without a key, every such request counts (no deduplication)."""
    seen: list[str] = []
    serial = itertools.count()

    def counted(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        status: list[str] = []

        def start(line: str, headers: Any, *args: Any) -> Any:
            status.append(line)
            return start_response(line, headers, *args)

        answer = app(environ, start)
        if status and status[0].startswith("2"):
            seen.append(key(environ, body) if key else str(next(serial)))
        return answer

    return counted, lambda: len(set(seen))


def test_zoom_a_probe_that_never_counts_is_inconclusive_not_a_pass() -> None:
    # The receiver processes every copy; a probe that lags behind its work saw none of them.
    app = zoom_receiver(ZOOM_SECRET, "processes-duplicates")
    report = Zoom(secret_token=ZOOM_SECRET, seed=7).check(
        app, probe=_never_counts, only=["duplicate-delivery"]
    )
    result = report["duplicate-delivery"]
    assert result.outcome is Verdict.INCONCLUSIVE
    assert "all three acknowledged (the probe went 0 → 0 → 0 → 0)" in result.detail
    assert "the probe did not change on the first delivery of 'meeting.started'" in result.detail
    assert "needs a probe that waits for that work before it counts" in result.detail
    assert not report.passed


def test_standard_webhooks_a_probe_that_never_counts_is_inconclusive() -> None:
    report = StandardWebhooks(secret=SW_SECRET, seed=3).check(
        flask_receiver(SW_SECRET), path=PATH, probe=_never_counts, only=["duplicate-delivery"]
    )
    result = report["duplicate-delivery"]
    assert result.outcome is Verdict.INCONCLUSIVE
    assert "both acknowledged (the probe went 0 → 0 → 0)" in result.detail
    assert "the probe did not change on the first delivery" in result.detail


def test_slack_a_probe_that_never_counts_is_not_blamed_on_deduplication() -> None:
    report = Slack(secret=SLACK_SECRET, seed=11).check(
        slack_receiver(SLACK_SECRET), probe=_never_counts, only=["duplicate-delivery"]
    )
    result = report["duplicate-delivery"]
    assert result.outcome is Verdict.INCONCLUSIVE
    assert "the probe did not change on the first delivery" in result.detail
    assert "deduplicate on event_id" not in result.detail


def _stripe_event_id(environ: dict[str, Any], body: bytes) -> str:
    return str(json.loads(body)["id"])


@pytest.mark.parametrize("dedupes", [False, True])
def test_stripe_reads_the_probe(dedupes: bool) -> None:
    # sdk_receiver processes each copy it verifies; counting event ids is processing once.
    inner = sdk_receiver(STRIPE_SECRET)
    app, probe = _counting(inner, _stripe_event_id if dedupes else None)
    report = Stripe(secret=STRIPE_SECRET, seed=5).check(
        app, probe=probe, only=["duplicate-delivery"]
    )
    result = report["duplicate-delivery"]
    if dedupes:
        assert result.outcome is Verdict.PASS
        assert result.detail == "both acknowledged"
    else:
        assert result.outcome is Verdict.FAIL
        assert "problem: the second delivery was processed again (the probe went" in result.detail
        assert "deduplicate on the event's id" in result.detail


def test_stripe_without_a_probe_says_processing_once_was_not_verified() -> None:
    report = Stripe(secret=STRIPE_SECRET, seed=5).check(
        sdk_receiver(STRIPE_SECRET), only=["duplicate-delivery"]
    )
    result = report["duplicate-delivery"]
    assert result.outcome is Verdict.PASS
    assert result.detail == "both acknowledged; without a probe, processing once was not verified"


@pytest.mark.parametrize("dedupes", [False, True])
def test_github_reads_the_probe(dedupes: bool) -> None:
    warm_up(("ping", "push"))

    def delivery_guid(environ: dict[str, Any], body: bytes) -> str:
        return str(environ["HTTP_X_GITHUB_DELIVERY"])

    app, probe = _counting(github_receiver(), delivery_guid if dedupes else None)
    report = GitHub(secret=GITHUB_SECRET, seed=3).check(
        app, path="/github", probe=probe, probe_event="push", only=["redelivery"]
    )
    result = report["redelivery"]
    if dedupes:
        assert result.outcome is Verdict.PASS
    else:
        assert result.outcome is Verdict.FAIL
        assert "the redelivery was acted on again" in result.detail
        assert "remember the delivery GUID" in result.detail
