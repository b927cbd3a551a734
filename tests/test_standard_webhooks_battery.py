"""The Standard Webhooks conformance battery judged against receivers we wrote: correct ones
(on the ``standardwebhooks`` and ``svix`` libraries) pass every check, and each faulty one fails
exactly the checks its fault breaks, with the root cause named. Time is frozen: the receivers'
clock and the sender's read the same instant."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import time_machine

from hookmock import ConformanceReport, StandardWebhooks
from hookmock.conformance.base import Family, Verdict
from hookmock.providers.standard_webhooks import battery
from hookmock.providers.standard_webhooks.battery import (
    CHECK_IDS,
    DEFAULT_EVENTS,
    SUITE,
    build_checks,
    suite_for,
)
from hookmock.providers.standard_webhooks.signed import VARIANT_TEXT, free_text_path

from .standard_webhooks_receivers import (
    PATH,
    SLOW_SECONDS,
    SLOW_TYPE,
    ed25519_receiver,
    flask_receiver,
    svix_receiver,
)

# The specification's example secret.
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SEED = 20240711
NOW = 1_750_000_000
# Below the slow receiver's work, far above a healthy in-process answer.
TIGHT_DEADLINE = SLOW_SECONDS / 2


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    """Both clocks stopped at NOW: the sender signs with it, the libraries compare with it."""
    with time_machine.travel(NOW, tick=False):
        yield


def _sender(**options: object) -> StandardWebhooks:
    return StandardWebhooks(secret=SECRET, seed=SEED, **options)  # type: ignore[arg-type]


def _check(fault: str | None = None, **options: object) -> ConformanceReport:
    app = flask_receiver(SECRET, fault)
    return _sender(**options).check(app, path=PATH, probe=app.extensions["processed"])


def _not_passed(report: ConformanceReport) -> dict[str, Verdict]:
    return {r.id: r.outcome for r in report.results if r.outcome is not Verdict.PASS}


def _causes(report: ConformanceReport) -> list[str]:
    return [c.id for c in report.root_causes]


# -- the battery's shape ---------------------------------------------------------------------------


def test_the_battery_has_every_check_the_specification_calls_for() -> None:
    assert CHECK_IDS[: len(DEFAULT_EVENTS)] == tuple(f"valid-event:{n}" for n in DEFAULT_EVENTS)
    expected = {
        "valid-key-order",
        "valid-whitespace",
        "valid-escaped-slashes",
        "valid-ascii-escapes",
        "rotation-second-item",
        "unknown-event",
        "forged-wrong-secret",
        "forged-tampered-body",
        "forged-other-message-id",
        "forged-unknown-version",
        "forged-truncated-signature",
        "forged-empty-signature",
        "forged-malformed-item",
        "forged-missing-id",
        "forged-missing-timestamp",
        "forged-missing-signature",
        "forged-non-numeric-timestamp",
        "forged-all-items-wrong",
        "replay-stale",
        "replay-future",
        "malformed-not-json",
        "malformed-empty-body",
        "malformed-json-array",
        "malformed-invalid-utf8",
        "malformed-duplicate-keys",
        "malformed-huge-body",
        "malformed-content-type",
        "malformed-no-content-type",
        "duplicate-delivery",
        "deadline-under-load",
    }
    assert expected <= set(CHECK_IDS)
    assert len(set(CHECK_IDS)) == len(CHECK_IDS)
    assert not any(c.family is Family.VALIDATION for c in battery.CHECKS)


def test_the_sender_gives_its_battery_with_its_own_events() -> None:
    assert _sender().adapter.conformance_suite() is SUITE
    assert SUITE.default_events == _sender().event_names()
    document = {
        "openapi": "3.1.0",
        "info": {"title": "Acme", "version": "1"},
        "webhooks": {
            name: {
                "post": {
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["type"],
                                    "properties": {"type": {"const": name}},
                                }
                            }
                        }
                    }
                }
            }
            for name in ("b.one", "a.two")
        },
    }
    suite = StandardWebhooks(
        secret=SECRET, openapi=document, name="acme"
    ).adapter.conformance_suite()
    assert suite.default_events == ("a.two", "b.one")
    assert suite.build is build_checks
    assert suite_for(()) is SUITE


def test_the_variant_text_goes_into_a_free_text_field_of_the_schema() -> None:
    schema = {
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "data": {
                "properties": {
                    "code": {"type": "string", "pattern": "^x"},
                    "short": {"type": "string", "maxLength": 3},
                    "name": {"type": "string"},
                }
            },
        }
    }
    data = {"id": "u", "data": {"code": "x1", "short": "ab", "name": "n"}}
    assert free_text_path(schema, data) == ("data", "name")
    assert free_text_path(schema, {"id": "u"}) is None
    assert len(VARIANT_TEXT) > 3


# -- correct receivers -----------------------------------------------------------------------------


def test_a_receiver_on_the_standardwebhooks_library_passes_every_check() -> None:
    report = _check()
    assert _not_passed(report) == {}
    assert report.root_causes == []
    duplicate = report["duplicate-delivery"]
    # The probe counted the first delivery and not the second: processing once was verified.
    assert "not verified" not in duplicate.detail


def test_a_svix_receiver_passes_every_check_under_svix_header_names() -> None:
    sender = _sender(header_prefix="svix")
    report = sender.check(svix_receiver(SECRET), path=PATH)
    assert _not_passed(report) == {}
    honest = report["valid-event:contact.created"].deliveries[0].request
    assert all(honest.header(f"svix-{h}") for h in ("id", "timestamp", "signature"))
    # Forgeries and unsigned bodies use the sender's names too: none has a webhook-* header.
    sent = [d.request for r in report.results for d in r.deliveries]
    assert not any(q.header(f"webhook-{h}") for q in sent for h in ("id", "timestamp", "signature"))


def test_a_receiver_of_ed25519_signatures_passes_every_check() -> None:
    pytest.importorskip("cryptography")
    from hookmock.providers.standard_webhooks import generate_key_pair

    private, public = generate_key_pair()
    report = StandardWebhooks(secret=private, seed=SEED).check(ed25519_receiver(public), path=PATH)
    assert _not_passed(report) == {}
    honest = report["valid-event:contact.created"].deliveries[0].request
    assert honest.header("webhook-signature").startswith("v1a,")


# -- faulty receivers: each caught by the right check ---------------------------------------------


@dataclass(frozen=True)
class Fault:
    name: str
    #: The checks it fails, and nothing else.
    fails: tuple[str, ...]
    #: The root cause the report names first.
    cause: str | None
    #: A phrase the first failed check's detail says.
    phrase: str
    deadline: float | None = None


FAULT_CASES = (
    Fault("first-item-only", ("rotation-second-item",), "first-signature-only", "first item"),
    Fault(
        "no-timestamp-window",
        ("replay-stale", "replay-future"),
        "no-timestamp-check",
        "does not refuse timestamps",
    ),
    Fault(
        "parses-first",
        ("malformed-not-json", "malformed-empty-body", "malformed-invalid-utf8"),
        "parses-before-verifying",
        "ValueError",
    ),
    Fault(
        "slow-on-invoice",
        (f"valid-event:{SLOW_TYPE}",),
        "slow-before-answer",
        "acknowledge first",
        deadline=TIGHT_DEADLINE,
    ),
    Fault("rejects-duplicates", ("duplicate-delivery",), "refuses-duplicates", "answer 2xx"),
    Fault("processes-duplicates", ("duplicate-delivery",), None, "processed again"),
    Fault("prefix-compare", ("forged-truncated-signature",), None, "startswith(signature)"),
    Fault(
        "reserializes-compact",
        ("valid-whitespace", "valid-escaped-slashes", "valid-ascii-escapes"),
        "reserialized-body",
        "re-serialized body",
    ),
)


@pytest.mark.parametrize("fault", FAULT_CASES, ids=lambda f: f.name)
def test_each_fault_fails_its_checks_and_no_other(fault: Fault) -> None:
    report = _check(fault.name, deadline=fault.deadline)
    assert _not_passed(report) == dict.fromkeys(fault.fails, Verdict.FAIL)
    first = report[fault.fails[0]]
    assert fault.phrase in first.detail or fault.phrase in first.cause_summary
    if fault.cause is None:
        assert report.root_causes == []
    else:
        assert _causes(report) == [fault.cause]
        assert set(report.root_causes[0].checks) == set(fault.fails)


def test_a_receiver_that_accepts_everything_fails_every_forgery() -> None:
    report = _check("accepts-everything")
    negative = [c.id for c in battery.CHECKS if c.family in (Family.FORGED, Family.REPLAY)]
    for check_id in negative:
        assert report[check_id].outcome is Verdict.FAIL, check_id
    # Acknowledging other byte forms (and a rotation) shows nothing when anything is accepted.
    for check_id in (
        "valid-key-order",
        "valid-whitespace",
        "valid-escaped-slashes",
        "valid-ascii-escapes",
        "rotation-second-item",
    ):
        assert report[check_id].outcome is Verdict.INCONCLUSIVE, check_id
    assert _causes(report)[0] == "no-signature-check"
    assert "likely cause" in report["forged-wrong-secret"].detail


def test_a_receiver_that_rejects_everything_leaves_the_forgeries_inconclusive() -> None:
    report = _check("rejects-everything")
    for check in battery.CHECKS:
        outcome = report[check.id].outcome
        if check.family.negative:
            assert outcome is Verdict.INCONCLUSIVE, check.id
        assert outcome is not Verdict.PASS, check.id
    assert "no correctly signed event was acknowledged" in report["forged-wrong-secret"].detail
    assert _causes(report) == ["wrong-secret"]


@pytest.mark.parametrize(
    ("fault", "cause", "phrase"),
    [
        ("reserializes-python", "reserialized-body", "json.dumps"),
        ("hex-digest", "hex-signature", "base64"),
        ("secret-text-as-key", "secret-text-as-key", "base64-decode"),
        ("milliseconds-clock", "timestamp-milliseconds", "milliseconds"),
    ],
)
def test_when_nothing_honest_is_acknowledged_the_diagnosis_names_the_cause(
    fault: str, cause: str, phrase: str
) -> None:
    report = _check(fault)
    assert all(report[f"valid-event:{name}"].outcome is Verdict.FAIL for name in DEFAULT_EVENTS)
    assert report["forged-wrong-secret"].outcome is Verdict.INCONCLUSIVE
    assert _causes(report) == [cause]
    assert phrase in report.root_causes[0].summary
    assert report["valid-event:contact.created"].explained_by == cause


def test_the_secret_never_appears_in_a_report() -> None:
    import json

    report = _check("accepts-everything")
    text = json.dumps(report.to_dict()) + report.table() + report.to_junit_xml()
    assert "forged-wrong-secret" in text
    assert SECRET not in text
    assert SECRET.removeprefix("whsec_") not in text


# -- as pytest tests: conformance_tests(provider="standard_webhooks") -----------------------------

ROOT = Path(__file__).resolve().parent.parent

_APP = """
import pytest
import hookmock
from tests.standard_webhooks_receivers import flask_receiver

@pytest.fixture
def app(standard_webhooks):
    return flask_receiver(standard_webhooks.secret, {fault!r})

@pytest.fixture
def processed(app):
    return app.extensions["processed"]
"""


def test_one_line_gives_the_standard_webhooks_battery_as_tests(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STANDARD_WEBHOOKS_SECRET", raising=False)
    pytester.syspathinsert(ROOT)
    pytester.makepyfile(
        _APP.format(fault=None)
        + """
test_sw = hookmock.conformance_tests(
    "app", provider="standard_webhooks", path="/webhook", probe="processed"
)
"""
    )
    result = pytester.runpytest("-v", "-p", "no:cacheprovider")
    # One test covers the valid-event checks of whatever events the sender's document has.
    others = [i for i in CHECK_IDS if not i.startswith("valid-event:")]
    result.assert_outcomes(passed=len(others) + 1)
    result.stdout.fnmatch_lines(
        ["*test_sw?valid-event? PASSED*", "*test_sw?rotation-second-item? PASSED*"]
    )


def test_a_failed_standard_webhooks_check_fails_its_test_with_the_cause(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STANDARD_WEBHOOKS_SECRET", raising=False)
    pytester.syspathinsert(ROOT)
    pytester.makepyfile(
        _APP.format(fault="first-item-only")
        + """
test_sw = hookmock.conformance_tests(
    "app",
    provider="standard_webhooks",
    path="/webhook",
    events=["invoice.paid"],
    only=["valid-event:invoice.paid", "rotation-second-item", "forged-all-items-wrong"],
)
"""
    )
    result = pytester.runpytest("-v", "-p", "no:cacheprovider", "--assert=plain")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*test_sw?valid-event:invoice.paid? PASSED*",
            "E*AssertionError: conformance check 'rotation-second-item' failed*",
            "*explained by first-signature-only: the receiver checks only the first item*",
        ]
    )


def test_a_provider_fixture_of_another_battery_is_refused(pytester: pytest.Pytester) -> None:
    pytester.syspathinsert(ROOT)
    pytester.makepyfile(
        _APP.format(fault=None)
        + """
test_other = hookmock.conformance_tests(
    "app", provider="hookmock_seed", path="/webhook", only=["unknown-event"]
)
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*the fixture 'hookmock_seed' gives int, not a provider of that battery*"]
    )


def test_the_readme_example_runs(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    import re

    monkeypatch.delenv("STANDARD_WEBHOOKS_SECRET", raising=False)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    example = next(b for b in blocks if 'provider="standard_webhooks"' in b)
    pytester.makepyfile(test_example=example)
    result = pytester.runpytest("-p", "no:cacheprovider")
    others = [i for i in CHECK_IDS if not i.startswith("valid-event:")]
    result.assert_outcomes(passed=len(others) + 2)
