"""The conformance battery judged against receivers we wrote: a correct one passes every check,
and for each check a receiver with that check's fault fails it, and only it (or, where two
checks are inherently coupled, exactly the documented set)."""

from __future__ import annotations

import json
import socket
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from werkzeug.wrappers import Request, Response

from examples.flask_receiver.app import create_app
from hookmock import ConformanceReport, ReceiverUnreachableError, Zoom
from hookmock.conformance.checks import Severity, Verdict
from hookmock.providers.zoom.battery import CHECK_IDS, CHECKS, DEFAULT_EVENTS

from .conformance_receivers import (
    COLD_START_SECONDS,
    EVENT_FAULTS,
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
TIGHT_DEADLINE = 0.6
assert 3 * SLOW_WORK_SECONDS < TIGHT_DEADLINE < COLD_START_SECONDS


@dataclass(frozen=True)
class Fault:
    """The receiver fault that a check must catch."""

    name: str
    #: A phrase the check's detail must contain.
    cause: str
    #: Other checks the fault necessarily fails (or leaves inconclusive) too; each says why.
    also: tuple[str, ...] = ()
    deadline: float | None = None
    #: Graded over HTTP: concurrency needs a server (in-process deliveries run one at a time).
    http: bool = False


# The same JSON in other byte forms: a receiver that acknowledges a body signed with another
# secret acknowledges these whatever its signature check does, so they are inconclusive.
BYTE_FORMS = (
    "valid-non-bmp",
    "valid-key-order",
    "valid-escaped-slashes",
    "valid-whitespace",
    "valid-ascii-escapes",
)
_OBJECT_ASSUMED = ("malformed-json-array", "malformed-json-null", "malformed-json-number")
_OBJECT_ASSUMED += ("malformed-json-string",)

FAULT_FOR_CHECK: dict[str, Fault] = {
    # Without a correct answer to the signed challenge, refusing unsigned ones proves nothing.
    "url-validation": Fault(
        "base64-encrypted-token",
        "it is base64",
        also=("url-validation-unsigned", "url-validation-forged"),
    ),
    "valid-event:meeting.started": Fault(
        "slow-cold-start", "acknowledge first", deadline=TIGHT_DEADLINE
    ),
    **{
        f"valid-event:{name}": Fault(f"crash-on:{name}", f"the handler of {name} fails")
        for name in DEFAULT_EVENTS[1:]
    },
    "valid-non-bmp": Fault("unescapes-surrogates", "re-serialized body"),
    # Real participant events and recording.completed end with "event" (ZOOM.md §8), so a
    # receiver that reads event_ts from the tail fails them too.
    "valid-key-order": Fault(
        "event-ts-from-tail",
        "the handler fails on this byte form",
        also=tuple(
            f"valid-event:{name}"
            for name in (
                "meeting.participant_joined",
                "meeting.participant_left",
                "recording.completed",
            )
        ),
    ),
    "valid-escaped-slashes": Fault("unescapes-slashes", "re-serialized body"),
    "valid-whitespace": Fault("strips-whitespace", "re-serialized body"),
    "valid-ascii-escapes": Fault("unescapes-non-ascii", "re-serialized body"),
    "unknown-event": Fault("refuses-unknown-events", "status 400"),
    # The same shortcut answers both: unsigned and wrongly signed challenges alike.
    "url-validation-unsigned": Fault(
        "validation-before-verify", "signing oracle", also=("url-validation-forged",)
    ),
    "url-validation-forged": Fault(
        "validation-before-verify", "signing oracle", also=("url-validation-unsigned",)
    ),
    # The forged challenge is signed with that same other secret.
    "forged-wrong-secret": Fault(
        "accepts-other-app-secret",
        "without verifying x-zm-signature",
        also=("url-validation-forged", *BYTE_FORMS),
    ),
    # Accepting a body changed after signing means not comparing the digest at all (the
    # receiver cannot know which body was signed), so every wrong-digest forgery gets in too.
    "forged-tampered-body": Fault(
        "format-only-signature",
        "without verifying x-zm-signature",
        also=(
            *BYTE_FORMS,
            "forged-wrong-secret",
            "forged-last-digit",
            "forged-signature-prefix",
            "url-validation-forged",
        ),
    ),
    "forged-last-digit": Fault("ignores-last-char", "without verifying x-zm-signature"),
    # A prefix comparison that accepts a half-right signature accepts an all-but-last-digit one,
    # and one cut to its first half.
    "forged-signature-prefix": Fault(
        "prefix-compare",
        "without verifying x-zm-signature",
        also=("forged-last-digit", "forged-truncated-signature"),
    ),
    "forged-truncated-signature": Fault("startswith-compare", "expected.startswith(signature)"),
    # A receiver that lets requests without a signature (or timestamp) through answers the
    # unsigned challenge too: it is a signing oracle.
    "forged-missing-signature": Fault(
        "optional-signature",
        "without verifying x-zm-signature",
        also=("url-validation-unsigned",),
    ),
    "forged-missing-timestamp": Fault(
        "optional-timestamp",
        "without verifying x-zm-signature",
        also=("url-validation-unsigned",),
    ),
    "forged-non-numeric-timestamp": Fault("int-timestamp", "the verification raises"),
    "forged-wrong-scheme": Fault("any-scheme", "without verifying x-zm-signature"),
    "forged-empty-signature": Fault("empty-signature-legacy", "without verifying x-zm-signature"),
    "replay-stale": Fault("accepts-stale-timestamps", "300 s in the past"),
    "replay-future": Fault("accepts-future-timestamps", "300 s in the future"),
    # json.loads raises on bytes that are not UTF-8 as it does on text that is not JSON.
    "malformed-not-json": Fault(
        "parse-before-verify", "parses or reads the body", also=("malformed-invalid-utf8",)
    ),
    "malformed-empty-body": Fault("sniffs-first-byte", "parses or reads the body"),
    # .get() on whatever JSON value the body holds fails alike on each value that is no object.
    **{
        check: Fault(
            "assumes-object",
            "parses or reads the body",
            also=tuple(c for c in _OBJECT_ASSUMED if c != check),
        )
        for check in _OBJECT_ASSUMED
    },
    "malformed-no-event": Fault("peeks-event-key", "parses or reads the body"),
    "malformed-event-not-string": Fault("routes-by-prefix", "parses or reads the body"),
    "malformed-invalid-utf8": Fault("decodes-strictly", "parses or reads the body"),
    "malformed-duplicate-keys": Fault("strict-duplicate-keys", "parses or reads the body"),
    "malformed-huge-body": Fault("size-limit-raises", "parses or reads the body"),
    # No decoder for "" either: a missing content type fails like text/plain.
    "malformed-content-type": Fault(
        "json-content-type-only", "application error", also=("malformed-no-content-type",)
    ),
    "malformed-no-content-type": Fault("reads-content-type-header", "application error"),
    "malformed-truncated-body": Fault("reads-input-unguarded", "ends early"),
    "duplicate-delivery": Fault("processes-duplicates", "the retry was processed again"),
    "deadline-under-load": Fault(
        "serialized-processing",
        "acknowledge first, queue it",
        deadline=TIGHT_DEADLINE,
        http=True,
    ),
}


def _zoom(deadline: float | None = None, secret: str = SECRET) -> Zoom:
    return Zoom(secret_token=secret, seed=SEED, deadline=deadline)


def _check(*faults: str, deadline: float | None = None) -> ConformanceReport:
    app = receiver(SECRET, *faults)
    return _zoom(deadline).check(app, probe=app.processed)


def _not_passed(report: ConformanceReport) -> set[str]:
    return {r.id for r in report.results if r.outcome is not Verdict.PASS}


def _outcome(report: ConformanceReport, verdict: Verdict) -> list[str]:
    return [r.id for r in report.results if r.outcome is verdict]


def _causes(report: ConformanceReport) -> list[str]:
    return [c.id for c in report.root_causes]


# -- a correct receiver passes -------------------------------------------------------------------


def test_a_correct_receiver_passes_every_check() -> None:
    app = receiver(SECRET)
    report = _zoom().check(app, probe=app.processed)
    report.assert_passed()
    assert report.passed
    assert report.warnings == [] and report.inconclusive == []
    assert _outcome(report, Verdict.PASS) == list(CHECK_IDS)
    assert report.root_causes == []
    # The probe counted: the duplicate check verified exactly-once processing, not just the 2xx.
    assert app.processed() > 0
    assert "not verified" not in report["duplicate-delivery"].detail
    # In-process, the burst runs on this thread and says so.
    assert "back to back on the calling thread" in report["deadline-under-load"].detail


def test_the_default_events_are_sent_and_each_is_a_check() -> None:
    assert [c for c in CHECK_IDS if c.startswith("valid-event:")] == [
        f"valid-event:{name}" for name in DEFAULT_EVENTS
    ]
    assert {
        "meeting.started",
        "meeting.ended",
        "meeting.participant_joined",
        "meeting.participant_left",
        "recording.completed",
        "recording.transcript_completed",
    } <= set(DEFAULT_EVENTS)


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
    # Over the network the burst is concurrent, and the truncated body got a real answer.
    assert "at once" in report["deadline-under-load"].detail
    assert report["malformed-truncated-body"].deliveries[0].status == 400


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
        assert fault.name in FAULTS or fault.name.partition(":")[0] in EVENT_FAULTS
        assert set(fault.also) <= set(CHECK_IDS)
    with pytest.raises(ValueError, match="unknown fault"):
        receiver(SECRET, "verifies-nothing-at-all")


@pytest.mark.parametrize("check_id", CHECK_IDS)
def test_a_fault_fails_its_check_and_no_other(check_id: str) -> None:
    fault = FAULT_FOR_CHECK[check_id]
    app = receiver(SECRET, fault.name)
    zoom = _zoom(fault.deadline)
    if fault.http:
        with serving(app) as base:
            report = zoom.check(f"{base}/zoom/webhook", probe=app.processed)
    else:
        report = zoom.check(app, probe=app.processed)
    assert _not_passed(report) == {check_id, *fault.also}
    result = report[check_id]
    expected = Verdict.FAIL if result.severity is Severity.ERROR else Verdict.WARN
    assert result.outcome is expected
    assert report.passed is all(report[c].severity is Severity.WARNING for c in _not_passed(report))
    assert fault.cause in result.detail


def test_a_duplicate_refused_with_409_fails_the_duplicate_check() -> None:
    report = _check("duplicate-conflict")
    assert _not_passed(report) == {"duplicate-delivery"}
    assert "the retry got status 409" in report["duplicate-delivery"].detail
    assert "the duplicate got status 409" in report["duplicate-delivery"].detail


def test_the_duplicate_check_sends_a_retry_and_a_resent_duplicate_as_zoom_does() -> None:
    report = _check()
    first, retry, resent = report["duplicate-delivery"].deliveries
    assert first.request.body == retry.request.body == resent.request.body
    request_id = first.request.header("x-zm-request-id")
    assert retry.request.header("x-zm-request-id") == request_id
    assert resent.request.header("x-zm-request-id") != request_id
    # The retry is signed anew; its signature verifies with its own timestamp.
    from hookmock.providers.zoom import verify

    for delivery in (retry, resent):
        timestamp = delivery.request.header("x-zm-request-timestamp") or ""
        signature = delivery.request.header("x-zm-signature") or ""
        assert verify(SECRET, timestamp, delivery.request.body, signature)


def test_deduplicating_on_the_request_id_alone_misses_resent_duplicates() -> None:
    detail = _check("dedupes-on-request-id")["duplicate-delivery"].detail
    assert "problem: the re-sent duplicate was processed again" in detail
    assert "the retry was processed again" not in detail
    assert "likely cause: a re-sent duplicate has a new x-zm-request-id: deduplicate on the " in (
        detail
    )
    assert "deduplicate retries on it" not in detail


def test_processing_every_copy_gets_both_pieces_of_advice() -> None:
    detail = _check("processes-duplicates")["duplicate-delivery"].detail
    assert "likely cause: Zoom keeps x-zm-request-id on a retry: deduplicate retries on it" in (
        detail
    )
    assert "deduplicate on the event's own identity" in detail


def test_without_a_probe_reprocessing_a_duplicate_goes_unseen() -> None:
    # Exactly-once processing is only observable through the probe; the 2xx answers are fine.
    report = _zoom().check(receiver(SECRET, "processes-duplicates"))
    assert report["duplicate-delivery"].outcome is Verdict.PASS
    assert "without a probe, processing once was not verified" in (
        report["duplicate-delivery"].detail
    )


def test_a_probe_that_raises_makes_the_duplicate_check_inconclusive() -> None:
    def probe() -> int:
        raise RuntimeError("database is locked")

    report = _zoom().check(receiver(SECRET), probe=probe, only=["duplicate-delivery"])
    result = report["duplicate-delivery"]
    assert result.outcome is Verdict.INCONCLUSIVE
    assert result.detail == "inconclusive: the probe raised RuntimeError: database is locked"
    assert not report.passed


@pytest.mark.parametrize(
    ("faults", "fails"),
    [
        pytest.param(
            ("skips-verification",),
            {c for c in CHECK_IDS if c.startswith(("forged-", "replay-", "url-validation-"))}
            | set(BYTE_FORMS),
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


def test_a_reserialized_body_refused_with_a_400_is_named() -> None:
    # As Zoom's Rivet SDK for Node.js: JSON.stringify of the parsed body, refusals answered 400.
    report = _check("reserializes-body", "refuses-with-400")
    variants = {"valid-non-bmp", "valid-escaped-slashes", "valid-whitespace", "valid-ascii-escapes"}
    assert _not_passed(report) == variants
    assert set(report.cause("reserialized-body").checks) == variants
    assert all(report[check].deliveries[-1].status == 400 for check in variants)
    assert "likely cause: the receiver verifies a re-serialized body" in (
        report["valid-whitespace"].detail
    )


def test_a_128_bit_truncated_comparison_fails_the_signature_prefix_check() -> None:
    report = _check("half-digest-compare")
    assert _not_passed(report) == {
        "forged-signature-prefix",
        "forged-last-digit",
        "forged-truncated-signature",
    }


def test_a_400_to_an_unknown_event_names_the_likely_cause() -> None:
    detail = _check("refuses-unknown-events")["unknown-event"].detail
    assert "likely cause: the receiver refuses event types it does not handle" in detail


def test_a_lockout_makes_the_refusals_of_forgeries_inconclusive() -> None:
    report = _check("locks-out")
    negatives = [r for r in report.results if r.family.negative]
    assert negatives and all(r.outcome is Verdict.INCONCLUSIVE for r in negatives)
    assert "stopped-acknowledging" in _causes(report)
    assert report.facts is not None and report.facts.control is not None
    assert report.facts.control.status == 403
    assert not report.passed


def test_only_runs_the_named_checks_with_the_baseline_they_need() -> None:
    app = receiver(SECRET)
    report = _zoom().check(app, only=["forged-wrong-secret", "valid-event"])
    assert [r.id for r in report.results] == [
        *(f"valid-event:{name}" for name in DEFAULT_EVENTS),
        "forged-wrong-secret",
    ]
    assert report["forged-wrong-secret"].outcome is Verdict.PASS
    assert "a correctly signed meeting.started was acknowledged" in (
        report["forged-wrong-secret"].detail
    )
    with pytest.raises(ValueError, match="unknown conformance check 'forged-wrong-secrt'"):
        _zoom().check(app, only=["forged-wrong-secrt"])


def test_events_and_overrides_choose_what_is_sent() -> None:
    app = receiver(SECRET)
    report = _zoom().check(
        app,
        events=["webinar.started", "meeting.ended"],
        overrides={"payload.object.topic": "Board review"},
        only=["valid-event", "forged-last-digit"],
    )
    assert [r.id for r in report.results] == [
        "valid-event:webinar.started",
        "valid-event:meeting.ended",
        "forged-last-digit",
    ]
    sent = [d for r in report.results for d in r.deliveries]
    assert {d.event.name for d in sent} == {"webinar.started", "meeting.ended"}
    assert all(d.event.data["payload"]["object"]["topic"] == "Board review" for d in sent)
    # The forgery is carried on the first chosen event the receiver acknowledged.
    assert report["forged-last-digit"].deliveries[-1].event.name == "webinar.started"
    with pytest.raises(ValueError, match=r"choose them with events=\[\.\.\.\]"):
        _zoom().check(app, only=["valid-event:webinar.ended"])
    with pytest.raises(LookupError, match=r"meeting\.startd"):
        _zoom().check(app, events=["meeting.startd"])


def test_progress_is_called_as_each_check_runs() -> None:
    calls: list[tuple[int, str, str | None]] = []

    def progress(index: int, total: int, check: Any, result: Any) -> None:
        calls.append((index, check.id, None if result is None else result.outcome.value))
        assert total == 2

    _zoom().check(receiver(SECRET), only=["url-validation", "replay-stale"], progress=progress)
    assert calls == [
        (0, "url-validation", None),
        (0, "url-validation", "pass"),
        (1, "replay-stale", None),
        (1, "replay-stale", "pass"),
    ]


# -- the report ----------------------------------------------------------------------------------

FAULTY = ("unescapes-surrogates", "refuses-unknown-events", "json-content-type-only")
FAULTY_FAILS = ["valid-non-bmp", "unknown-event"]
FAULTY_WARNS = ["malformed-content-type", "malformed-no-content-type"]


@pytest.fixture(scope="module")
def faulty() -> ConformanceReport:
    # echoes-secret: every 401 body carries the secret token, so each output must redact it.
    return _check(*FAULTY, "echoes-secret")


@pytest.fixture(scope="module")
def unsure() -> ConformanceReport:
    """A report with inconclusive checks: the receiver verifies with another secret."""
    return _zoom(secret="not-the-receivers-secret").check(receiver(SECRET))


def test_the_faulty_report_has_failures_warnings_and_root_causes(
    faulty: ConformanceReport,
) -> None:
    assert _outcome(faulty, Verdict.FAIL) == FAULTY_FAILS
    assert _outcome(faulty, Verdict.WARN) == FAULTY_WARNS
    assert _causes(faulty) == ["reserialized-body", "refuses-event-types"]
    assert faulty["valid-non-bmp"].explained_by == "reserialized-body"
    assert faulty["unknown-event"].explained_by == "refuses-event-types"
    assert not faulty.passed


def test_assert_passed_names_the_root_causes_and_the_failed_checks(
    faulty: ConformanceReport,
) -> None:
    with pytest.raises(AssertionError) as caught:
        faulty.assert_passed()
    lines = str(caught.value).splitlines()
    assert lines[0] == (
        f"expected {faulty.target} to pass every conformance check; 2 of {len(CHECK_IDS)} "
        "failed: valid-non-bmp, unknown-event"
    )
    assert lines[1].startswith("fix first: reserialized-body: the receiver verifies a re-")
    assert lines[2] == "  explains: valid-non-bmp"
    assert "[valid-non-bmp] acknowledges a body with emoji escapes beside raw UTF-8, as Zoom " in (
        "\n".join(lines)
    )
    assert any(ln.startswith("  explained by reserialized-body: the receiver") for ln in lines)
    assert "(warning) [malformed-content-type]" in str(caught.value)


def test_warnings_do_not_fail_the_report() -> None:
    report = _check("json-content-type-only")
    assert report.passed
    report.assert_passed()
    assert [r.id for r in report.warnings] == FAULTY_WARNS
    assert report.failures == []
    case = ET.fromstring(report.to_junit_xml()).find(".//testcase[@name='malformed-content-type']")
    assert case is not None and case.find("failure") is None
    assert (case.findtext("system-out") or "").startswith("WARNING: sent: a correctly signed")


def test_warning_checks_are_the_documented_ones() -> None:
    warning = [c.id for c in CHECKS if c.severity is Severity.WARNING]
    assert warning == [
        "valid-ascii-escapes",
        "malformed-content-type",
        "malformed-no-content-type",
        "malformed-truncated-body",
    ]


def test_to_dict_shape(faulty: ConformanceReport) -> None:
    data = json.loads(json.dumps(faulty.to_dict()))
    assert {"target", "passed", "checks", "latency", "root_causes"} <= data.keys()
    assert data["target"] == "https://receiver.test/"
    assert data["passed"] is False
    assert [c["id"] for c in data["checks"]] == list(CHECK_IDS)
    for entry, result in zip(data["checks"], faulty.results, strict=True):
        assert {"id", "title", "severity", "outcome", "detail", "explained_by"} <= entry.keys()
        assert entry["title"] == result.title
        assert entry["severity"] == result.severity.value
        assert entry["outcome"] == result.outcome.value
        assert entry["outcome"] in ("pass", "fail", "warn", "inconclusive")
        assert entry["detail"] == result.detail
        assert entry["explained_by"] == result.explained_by
    outcomes = {c["id"]: c["outcome"] for c in data["checks"]}
    assert outcomes["valid-non-bmp"] == "fail"
    assert outcomes["malformed-content-type"] == "warn"
    assert outcomes["url-validation"] == "pass"
    assert [c["id"] for c in data["root_causes"]] == ["reserialized-body", "refuses-event-types"]
    assert data["root_causes"][1]["checks"] == ["unknown-event"]
    assert set(data["root_causes"][1]) == {"id", "summary", "checks"}
    assert {"count", "p50_ms", "p95_ms", "max_ms"} <= data["latency"].keys()
    assert data["latency"]["count"] > 0


def test_inconclusive_checks_in_json_junit_and_table(unsure: ConformanceReport) -> None:
    outcomes = {c["id"]: c["outcome"] for c in unsure.to_dict()["checks"]}
    assert outcomes["forged-wrong-secret"] == "inconclusive"
    assert unsure.to_dict()["passed"] is False
    suite = ET.fromstring(unsure.to_junit_xml()).find("testsuite")
    assert suite is not None
    skipped = suite.find("testcase[@name='forged-wrong-secret']/skipped")
    assert skipped is not None
    assert (skipped.get("message") or "").startswith("inconclusive, explained by wrong-secret: ")
    assert suite.get("skipped") == str(len(unsure.inconclusive))
    assert suite.find("testcase[@name='forged-wrong-secret']/failure") is None
    lines = unsure.table().splitlines()
    assert lines[2] == "baseline: no correctly signed event acknowledged"
    assert unsure.carrier is None and unsure.to_dict()["carrier"] is None
    assert lines[4].startswith("fix first: wrong-secret: no correctly signed request was accepted")
    row = next(ln for ln in lines if ln.split()[1:2] == ["forged-wrong-secret"])
    assert row.startswith("INCONCLUSIVE  forged-wrong-secret")
    assert lines[lines.index(row) + 1] == "      explained by wrong-secret (see fix first)"
    assert lines[-1].endswith(f"{len(unsure.inconclusive)} inconclusive")


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
    assert suite.get("skipped") == "0"
    failed = [c.get("name") for c in cases if c.find("failure") is not None]
    assert failed == FAULTY_FAILS
    failure = suite.find("testcase[@name='valid-non-bmp']/failure")
    assert failure is not None
    assert failure.text == faulty["valid-non-bmp"].shown_detail()
    assert (failure.text or "").startswith("explained by reserialized-body: the receiver")
    prop = suite.find("properties/property[@name='root-cause:reserialized-body']")
    assert prop is not None


def test_table_opens_with_the_root_causes_and_has_a_row_per_check(
    faulty: ConformanceReport,
) -> None:
    lines = faulty.table().splitlines()
    assert lines[2] == "baseline: meeting.started acknowledged when correctly signed"
    assert faulty.to_dict()["carrier"] == "meeting.started"
    assert lines[4].startswith("fix first: reserialized-body: ")
    explains = lines.index("  explains: valid-non-bmp")
    assert all(line.startswith("    ") for line in lines[5:explains])  # the summary, wrapped
    assert lines[explains + 1].startswith("fix first: refuses-event-types: ")
    assert max(len(line) for line in lines[: lines.index("", 4)]) <= 100
    rows = [line for line in lines if line[:4] in ("PASS", "FAIL", "WARN")]
    assert [row.split()[1] for row in rows] == list(CHECK_IDS)
    marks = {row.split()[1]: row[:4] for row in rows}
    assert marks["valid-non-bmp"] == "FAIL"
    assert marks["malformed-content-type"] == "WARN"
    assert marks["valid-event:meeting.started"] == "PASS"
    row = lines.index(next(r for r in rows if r.split()[1] == "valid-non-bmp"))
    assert lines[row + 1] == "      explained by reserialized-body (see fix first)"
    assert lines[row + 2].startswith("      sent: a correctly signed meeting.started")
    # The check's own guess at a cause gives way to the root cause.
    assert not lines[row + 4].startswith("      likely cause:")
    passed = len(CHECK_IDS) - 4
    assert f"{passed} passed, 2 failed, 2 warnings" in lines


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

    report = _zoom().check(app, only=["valid-event:meeting.started"])
    assert SECRET[:6] not in report["valid-event:meeting.started"].detail


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_a_handler_that_fails_on_guests_fails_the_participant_events_whatever_the_seed(
    seed: int,
) -> None:
    # A guest (not signed in) has an empty email and ids; a quarter of generated participants
    # are guests, so without a guest of its own the battery found this on about half the seeds.
    app = receiver(SECRET, "crashes-on-guests")
    report = Zoom(secret_token=SECRET, seed=seed).check(app, probe=app.processed)
    participant_events = {
        "valid-event:meeting.participant_joined",
        "valid-event:meeting.participant_left",
    }
    assert participant_events <= _not_passed(report)
    detail = report["valid-event:meeting.participant_joined"].detail
    assert "LookupError: no user with email ''" in detail
    if "whose participant is a guest" in detail:
        assert "fails on a guest's empty ones" in detail
    assert "handler-crash" in _causes(report)


def test_a_correct_receiver_is_sent_a_guest_beside_each_participant_event() -> None:
    report = _check()
    deliveries = report["valid-event:meeting.participant_left"].deliveries
    participants = [d.event.data["payload"]["object"]["participant"] for d in deliveries]
    assert len(participants) == 2
    guest = participants[-1]
    assert guest["email"] == guest["participant_user_id"] == ""
    assert guest["user_name"] and guest["participant_uuid"]
    assert (
        "a guest participant: status 204" in report["valid-event:meeting.participant_left"].detail
    )
    # Events about no one in a meeting are sent once.
    assert len(report["valid-event:meeting.started"].deliveries) == 1
