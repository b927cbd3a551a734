"""The conformance battery judged against receivers we wrote: a correct one passes every check,
and for each check a receiver with that check's fault fails it, and only it (or, where two
checks are inherently coupled, exactly the documented set)."""

from __future__ import annotations

import json
import socket
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from werkzeug.wrappers import Request, Response

from examples.flask_receiver.app import create_app
from hookmock import ConformanceReport, ReceiverUnreachableError, Zoom
from hookmock.checks import CHECK_IDS, CHECKS, Severity, Verdict

from .conformance_receivers import (
    COLD_START_SECONDS,
    FAULTS,
    SLOW_WORK_SECONDS,
    Receiver,
    receiver,
)
from .receivers import serving

# Shaped like Zoom's (22 URL-safe characters) and unlike any word, so a partial leak shows.
SECRET = "Zq7vR2mXkP9tLw4sJd8yNc"
SEED = 20240711
# For the two timing faults only: above the per-event work of `serialized-processing` (so
# sequential deliveries are in time) and below the one-off `slow-cold-start`.
TIGHT_DEADLINE = 0.25
assert 3 * SLOW_WORK_SECONDS < TIGHT_DEADLINE < COLD_START_SECONDS


@dataclass(frozen=True)
class Fault:
    """The receiver fault that a check must catch."""

    name: str
    #: A phrase the check's detail must contain.
    cause: str
    #: Other checks the fault necessarily fails too (coupled checks; each says why).
    also: tuple[str, ...] = ()
    deadline: float | None = None


FAULT_FOR_CHECK: dict[str, Fault] = {
    "url-validation": Fault("base64-encrypted-token", "it is base64"),
    "valid-event": Fault("slow-cold-start", "acknowledge first", deadline=TIGHT_DEADLINE),
    "valid-non-bmp": Fault("unescapes-surrogates", "re-serialized body"),
    "valid-key-order": Fault("event-ts-from-tail", "the handler fails on this event"),
    "valid-escaped-slashes": Fault("unescapes-slashes", "re-serialized body"),
    "valid-whitespace": Fault("strips-whitespace", "re-serialized body"),
    "valid-ascii-escapes": Fault("unescapes-non-ascii", "re-serialized body"),
    "unknown-event": Fault("refuses-unknown-events", "status 400"),
    "forged-wrong-secret": Fault("accepts-other-app-secret", "without verifying x-zm-signature"),
    # Accepting a body changed after signing means not comparing the digest at all (the
    # receiver cannot know which body was signed), so every wrong-digest forgery gets in too.
    "forged-tampered-body": Fault(
        "format-only-signature",
        "without verifying x-zm-signature",
        also=("forged-wrong-secret", "forged-last-digit", "forged-signature-prefix"),
    ),
    "forged-last-digit": Fault("ignores-last-char", "without verifying x-zm-signature"),
    # A prefix comparison that accepts a half-right signature accepts an all-but-last-digit one.
    "forged-signature-prefix": Fault(
        "prefix-compare", "without verifying x-zm-signature", also=("forged-last-digit",)
    ),
    "forged-missing-signature": Fault("optional-signature", "without verifying x-zm-signature"),
    "forged-missing-timestamp": Fault("optional-timestamp", "without verifying x-zm-signature"),
    "forged-non-numeric-timestamp": Fault("int-timestamp", "the verification raises"),
    "forged-wrong-scheme": Fault("any-scheme", "without verifying x-zm-signature"),
    "forged-empty-signature": Fault("empty-signature-legacy", "without verifying x-zm-signature"),
    "replay-stale": Fault("accepts-stale-timestamps", "300 s in the past"),
    "replay-future": Fault("accepts-future-timestamps", "300 s in the future"),
    "malformed-not-json": Fault("parse-before-verify", "parses or reads the body"),
    "malformed-empty-body": Fault("sniffs-first-byte", "parses or reads the body"),
    "malformed-json-array": Fault("assumes-object", "parses or reads the body"),
    "malformed-huge-body": Fault("size-limit-raises", "parses or reads the body"),
    "malformed-content-type": Fault("json-content-type-only", "application error"),
    "duplicate-delivery": Fault("processes-duplicates", "the duplicate was processed again"),
    "deadline-under-load": Fault(
        "serialized-processing", "acknowledge first, queue the work", deadline=TIGHT_DEADLINE
    ),
}


def _zoom(deadline: float | None = None) -> Zoom:
    return Zoom(secret_token=SECRET, seed=SEED, deadline=deadline)


def _check(*faults: str, deadline: float | None = None) -> ConformanceReport:
    app = receiver(SECRET, *faults)
    return _zoom(deadline).check(app, probe=app.processed)


def _not_passed(report: ConformanceReport) -> set[str]:
    return {r.id for r in report.results if r.outcome is not Verdict.PASS}


def _outcome(report: ConformanceReport, verdict: Verdict) -> list[str]:
    return [r.id for r in report.results if r.outcome is verdict]


# -- a correct receiver passes -------------------------------------------------------------------


def test_a_correct_receiver_passes_every_check() -> None:
    app = receiver(SECRET)
    report = _zoom().check(app, probe=app.processed)
    report.assert_passed()
    assert report.passed
    assert report.warnings == []
    assert _outcome(report, Verdict.PASS) == list(CHECK_IDS)
    # The probe counted: the duplicate check verified exactly-once processing, not just the 2xx.
    assert app.processed() > 0
    assert "not verified" not in report["duplicate-delivery"].detail


def test_the_example_flask_receiver_passes_every_check() -> None:
    app = create_app(SECRET)
    report = _zoom().check(
        app, path="/zoom/webhook", probe=lambda: len(app.config["MEETINGS_STARTED"])
    )
    report.assert_passed()
    assert _outcome(report, Verdict.PASS) == list(CHECK_IDS)
    assert "not verified" not in report["duplicate-delivery"].detail


@pytest.fixture
def http_receiver() -> Iterator[tuple[str, Receiver]]:
    app = receiver(SECRET)
    with serving(app) as base:
        yield f"{base}/zoom/webhook", app


def test_a_correct_receiver_passes_over_http(http_receiver: tuple[str, Receiver]) -> None:
    url, app = http_receiver
    report = _zoom().check(url, probe=app.processed)
    report.assert_passed()
    assert report.target == url
    assert _outcome(report, Verdict.PASS) == list(CHECK_IDS)


def test_an_unreachable_receiver_raises() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(ReceiverUnreachableError, match="connection refused") as caught:
        _zoom().check(f"http://127.0.0.1:{port}/zoom/webhook")
    assert f"127.0.0.1:{port}" in str(caught.value)


# -- each fault fails its check ------------------------------------------------------------------


def test_every_check_has_a_fault() -> None:
    assert list(FAULT_FOR_CHECK) == list(CHECK_IDS)
    for fault in FAULT_FOR_CHECK.values():
        assert fault.name in FAULTS
        assert set(fault.also) <= set(CHECK_IDS)
    with pytest.raises(ValueError, match="unknown fault"):
        receiver(SECRET, "verifies-nothing-at-all")


@pytest.mark.parametrize("check_id", CHECK_IDS)
def test_a_fault_fails_its_check_and_no_other(check_id: str) -> None:
    fault = FAULT_FOR_CHECK[check_id]
    report = _check(fault.name, deadline=fault.deadline)
    assert _not_passed(report) == {check_id, *fault.also}
    result = report[check_id]
    expected = Verdict.FAIL if result.severity is Severity.ERROR else Verdict.WARN
    assert result.outcome is expected
    assert report.passed is (expected is Verdict.WARN and not fault.also)
    assert fault.cause in result.detail


def test_a_duplicate_refused_with_409_fails_the_duplicate_check() -> None:
    report = _check("duplicate-conflict")
    assert _not_passed(report) == {"duplicate-delivery"}
    assert "the second delivery got status 409" in report["duplicate-delivery"].detail


def test_without_a_probe_reprocessing_a_duplicate_goes_unseen() -> None:
    # Exactly-once processing is only observable through the probe; the 2xx answers are fine.
    report = _zoom().check(receiver(SECRET, "processes-duplicates"))
    assert report["duplicate-delivery"].outcome is Verdict.PASS


@pytest.mark.parametrize(
    ("faults", "fails"),
    [
        pytest.param(
            ("skips-verification",),
            {c for c in CHECK_IDS if c.startswith(("forged-", "replay-"))},
            id="skips-verification",
        ),
        pytest.param(
            ("reserializes-body",),
            {"valid-non-bmp", "valid-escaped-slashes", "valid-whitespace", "valid-ascii-escapes"},
            id="reserializes-body",
        ),
    ],
)
def test_common_receiver_bugs_fail_the_checks_they_should(
    faults: tuple[str, ...], fails: set[str]
) -> None:
    report = _check(*faults)
    assert _not_passed(report) == fails


def test_a_128_bit_truncated_comparison_fails_the_signature_prefix_check() -> None:
    report = _check("half-digest-compare")
    assert _not_passed(report) == {"forged-signature-prefix", "forged-last-digit"}


def test_a_400_to_an_unknown_event_names_the_likely_cause() -> None:
    detail = _check("refuses-unknown-events")["unknown-event"].detail
    assert "likely cause: the receiver refuses event types it does not handle" in detail


# -- the report ----------------------------------------------------------------------------------

FAULTY = ("unescapes-surrogates", "refuses-unknown-events", "json-content-type-only")
FAULTY_FAILS = ["valid-non-bmp", "unknown-event"]


@pytest.fixture(scope="module")
def faulty() -> ConformanceReport:
    # echoes-secret: every 401 body carries the secret token, so each output must redact it.
    return _check(*FAULTY, "echoes-secret")


def test_the_faulty_report_has_failures_and_a_warning(faulty: ConformanceReport) -> None:
    assert _outcome(faulty, Verdict.FAIL) == FAULTY_FAILS
    assert _outcome(faulty, Verdict.WARN) == ["malformed-content-type"]
    assert not faulty.passed


def test_assert_passed_names_the_failed_checks_first(faulty: ConformanceReport) -> None:
    with pytest.raises(AssertionError) as caught:
        faulty.assert_passed()
    message = str(caught.value)
    assert message.splitlines()[0] == (
        f"expected {faulty.target} to pass every conformance check; 2 of {len(CHECK_IDS)} "
        "failed: valid-non-bmp, unknown-event"
    )
    assert "[valid-non-bmp] acknowledges a body with emoji escapes" in message
    assert "(warning) [malformed-content-type]" in message


def test_warnings_do_not_fail_the_report() -> None:
    report = _check("json-content-type-only")
    assert report.passed
    report.assert_passed()
    assert [r.id for r in report.warnings] == ["malformed-content-type"]
    assert report.failures == []
    case = ET.fromstring(report.to_junit_xml()).find(".//testcase[@name='malformed-content-type']")
    assert case is not None and case.find("failure") is None
    assert (case.findtext("system-out") or "").startswith("WARNING: sent: a correctly signed")


def test_warning_checks_are_the_documented_ones() -> None:
    warning = [c.id for c in CHECKS if c.severity is Severity.WARNING]
    assert warning == ["valid-ascii-escapes", "malformed-content-type"]


def test_to_dict_shape(faulty: ConformanceReport) -> None:
    data = json.loads(json.dumps(faulty.to_dict()))
    assert {"target", "passed", "checks", "latency"} <= data.keys()
    assert data["target"] == "https://receiver.test/"
    assert data["passed"] is False
    assert [c["id"] for c in data["checks"]] == list(CHECK_IDS)
    for entry, result in zip(data["checks"], faulty.results, strict=True):
        assert {"id", "title", "severity", "outcome", "detail"} <= entry.keys()
        assert entry["title"] == result.title
        assert entry["severity"] == result.severity.value
        assert entry["outcome"] == result.outcome.value
        assert entry["detail"] == result.detail
    outcomes = {c["id"]: c["outcome"] for c in data["checks"]}
    assert outcomes["valid-non-bmp"] == "fail"
    assert outcomes["malformed-content-type"] == "warn"
    assert outcomes["url-validation"] == "pass"
    assert {"count", "p50_ms", "p95_ms", "max_ms"} <= data["latency"].keys()
    assert data["latency"]["count"] > 0


def test_junit_xml_has_a_testcase_per_check_and_failures_for_fail(
    faulty: ConformanceReport,
) -> None:
    root = ET.fromstring(faulty.to_junit_xml())
    suite = root.find("testsuite")
    assert root.tag == "testsuites" and suite is not None
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == list(CHECK_IDS)
    assert suite.get("tests") == str(len(CHECK_IDS))
    assert suite.get("failures") == "2"
    failed = [c.get("name") for c in cases if c.find("failure") is not None]
    assert failed == FAULTY_FAILS
    failure = suite.find("testcase[@name='valid-non-bmp']/failure")
    assert failure is not None
    assert failure.text == faulty["valid-non-bmp"].detail


def test_table_has_a_row_per_check_and_the_details_of_failures(
    faulty: ConformanceReport,
) -> None:
    lines = faulty.table().splitlines()
    rows = [line for line in lines if line[:4] in ("PASS", "FAIL", "WARN")]
    assert [row.split()[1] for row in rows] == list(CHECK_IDS)
    marks = {row.split()[1]: row[:4] for row in rows}
    assert marks["valid-non-bmp"] == "FAIL"
    assert marks["malformed-content-type"] == "WARN"
    assert marks["valid-event"] == "PASS"
    row = lines.index(next(r for r in rows if r.split()[1] == "valid-non-bmp"))
    assert lines[row + 1].startswith("      sent: a correctly signed meeting.started")
    passed = len(CHECK_IDS) - 3
    assert f"{passed} passed, 2 failed, 1 warnings" in lines


def test_the_secret_never_appears_in_any_output(faulty: ConformanceReport) -> None:
    with pytest.raises(AssertionError) as caught:
        faulty.assert_passed()
    with pytest.raises(AssertionError) as one:
        faulty["valid-non-bmp"].assert_passed()  # with every delivery, headers and bodies
    outputs = {
        "table": faulty.table(),
        "json": json.dumps(faulty.to_dict(), ensure_ascii=False),
        "junit": faulty.to_junit_xml(),
        "report.assert_passed": str(caught.value),
        "result.assert_passed": str(one.value),
    }
    for name, text in outputs.items():
        assert SECRET not in text, name
    # The receiver did echo it (so the test is not vacuous): in a failure and in passes.
    assert "secret token *** did not verify" in faulty["valid-non-bmp"].detail
    assert "secret token *** did not verify" in faulty["forged-wrong-secret"].detail


def test_a_secret_cut_by_the_excerpt_does_not_leak_partly() -> None:
    @Request.application
    def app(request: Request) -> Response:
        return Response("invalid signature; " + "." * 90 + "key " + SECRET, status=401)

    report = _zoom().check(app, only=["valid-event"])
    assert SECRET[:6] not in report["valid-event"].detail
