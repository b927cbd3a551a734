"""GitHub's conformance battery: a receiver built on githubkit passes it; receivers wrong in one
way fail the checks about that way."""

from __future__ import annotations

from pathlib import Path

import pytest

from hookmock.conformance.base import Verdict
from hookmock.providers.github import GitHub
from hookmock.providers.github.battery import CHECK_IDS, DEFAULT_EVENTS

from .github_receivers import SECRET, receiver, warm_up

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True, scope="module")
def _githubkit_models() -> None:
    warm_up(("ping", *DEFAULT_EVENTS))


def run(**faults: bool) -> dict[str, Verdict]:
    github = GitHub(secret=SECRET, seed=3)
    report = github.check(receiver(**faults), path="/github")
    return {result.id: result.outcome for result in report.results}


def test_check_ids() -> None:
    assert CHECK_IDS == (
        "ping",
        "valid-event:push",
        "valid-event:pull_request.opened",
        "valid-event:issues.opened",
        "unknown-event",
        "forged-wrong-secret",
        "forged-no-signature",
        "forged-empty-signature",
        "forged-truncated-signature",
        "forged-last-digit",
        "forged-changed-body",
        "malformed-not-json",
        "malformed-empty-body",
        "malformed-invalid-utf8",
        "redelivery",
    )


def test_a_receiver_built_on_githubkit_passes() -> None:
    outcomes = run()
    assert outcomes == dict.fromkeys(CHECK_IDS, Verdict.PASS)


def test_a_receiver_that_does_not_verify_fails_the_forgeries() -> None:
    outcomes = run(check_signature=False)
    failed = {k for k, v in outcomes.items() if v is Verdict.FAIL}
    assert failed == {
        "forged-wrong-secret",
        "forged-no-signature",
        "forged-truncated-signature",
        "forged-empty-signature",
        "forged-last-digit",
        "forged-changed-body",
    }


def test_a_receiver_refusing_unknown_events_is_warned() -> None:
    outcomes = run(known_only=True)
    assert outcomes["unknown-event"] is Verdict.WARN
    assert outcomes["valid-event:push"] is Verdict.PASS


@pytest.mark.parametrize("check", ["valid-event:push", "ping"])
def test_a_receiver_verifying_reserialized_json_fails(check: str) -> None:
    outcomes = run(reserialize=True)
    assert outcomes[check] is Verdict.FAIL


_APP = """
import pytest
import hookmock
from tests.github_receivers import receiver

@pytest.fixture
def app(github):
    return receiver(secret=github.secret, check_signature={verifies!r})

test_github = hookmock.conformance_tests("app", provider="github", path="/github")
"""


def test_conformance_tests_run_the_github_battery(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_WEBHOOK_SECRET", raising=False)
    pytester.syspathinsert(ROOT)
    pytester.makepyfile(_APP.format(verifies=True))
    result = pytester.runpytest("-v", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=len(CHECK_IDS))
    result.stdout.fnmatch_lines(["*test_github?forged-wrong-secret? PASSED*"])


def test_a_failed_github_check_fails_its_test(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_WEBHOOK_SECRET", raising=False)
    pytester.syspathinsert(ROOT)
    pytester.makepyfile(_APP.format(verifies=False))
    result = pytester.runpytest("-v", "-p", "no:cacheprovider", "--assert=plain")
    result.assert_outcomes(passed=len(CHECK_IDS) - 6, failed=6)
    result.stdout.fnmatch_lines(
        ["E*AssertionError: conformance check 'forged-wrong-secret' failed*"]
    )
