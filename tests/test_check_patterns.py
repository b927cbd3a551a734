"""The receivers seen in the field that used to get meaningless verdicts: for each, the outcome
of every check and the root cause the report names."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable
from typing import Any

import pytest

from examples.flask_receiver.app import create_app
from hookmock import ConformanceReport, Zoom
from hookmock.conformance.base import Family
from hookmock.conformance.checks import Verdict
from hookmock.providers.zoom.battery import CHECK_IDS, CHECKS, DEFAULT_EVENTS

from .conformance_receivers import SLOW_EVENT_SECONDS, receiver
from .receivers import serving

SECRET = "Zq7vR2mXkP9tLw4sJd8yNc"
SEED = 7
TIGHT_DEADLINE = 0.6
assert TIGHT_DEADLINE < SLOW_EVENT_SECONDS

VALID_EVENTS = {f"valid-event:{name}" for name in DEFAULT_EVENTS}
FORGED_AND_REPLAYED = {c.id for c in CHECKS if c.family in (Family.FORGED, Family.REPLAY)}
ORACLE = {"url-validation-unsigned", "url-validation-forged"}
# What a receiver that acknowledges no correctly signed event fails: what needs an acknowledgement.
NO_CARRIER_FAILS = {"url-validation", *VALID_EVENTS, "unknown-event", "duplicate-delivery"}
NO_CARRIER_INCONCLUSIVE = set(CHECK_IDS) - NO_CARRIER_FAILS


def _grade(
    app: Any, *, secret: str = SECRET, deadline: float | None = None, **options: Any
) -> ConformanceReport:
    zoom = Zoom(secret_token=secret, seed=SEED, deadline=deadline)
    return zoom.check(app, **options)


def _assert_outcomes(
    report: ConformanceReport,
    *,
    fail: set[str] = frozenset(),  # type: ignore[assignment]
    inconclusive: set[str] = frozenset(),  # type: ignore[assignment]
) -> None:
    """Every check's outcome: those named fail (or warn) or are inconclusive, all others pass."""
    __tracebackhide__ = True
    expected = {}
    for result in report.results:
        if result.id in fail:
            expected[result.id] = "fail" if result.severity.value == "error" else "warn"
        elif result.id in inconclusive:
            expected[result.id] = "inconclusive"
        else:
            expected[result.id] = "pass"
    actual = {r.id: r.outcome.value for r in report.results}
    assert actual == expected, report.table()


def _assert_explained(report: ConformanceReport, *cause_ids: str) -> None:
    """Exactly these root causes, and each check that did not pass is explained by one."""
    __tracebackhide__ = True
    assert [c.id for c in report.root_causes] == list(cause_ids), report.table()
    for result in report.results:
        if result.outcome is not Verdict.PASS:
            assert result.explained_by in cause_ids, result.id


# -- receivers that acknowledge something -----------------------------------------------------


def test_fail_open_with_4xx_for_unhandled_events() -> None:
    # Verifies nothing, answers 400 to every type but recording.completed: its refusals of
    # forgeries of meeting.started used to pass. The forgeries ride on recording.completed now.
    report = _grade(receiver(SECRET, "refuses-all-but:recording.completed"))
    refused = VALID_EVENTS - {"valid-event:recording.completed"}
    byte_forms = {c.id for c in CHECKS if c.family is Family.VARIANT}
    _assert_outcomes(
        report,
        fail={*refused, "unknown-event", *ORACLE, *FORGED_AND_REPLAYED},
        # It acknowledges a body signed with another secret: its 2xx to other byte forms of the
        # JSON shows nothing about a signature check.
        inconclusive=byte_forms,
    )
    _assert_explained(report, "refuses-event-types", "no-signature-check")
    assert "acknowledging this byte form does not show" in report["valid-non-bmp"].detail
    assert report["forged-wrong-secret"].deliveries[-1].event.name == "recording.completed"
    assert "meeting.started (400)" in report.cause("refuses-event-types").summary


def test_url_validation_as_a_signing_oracle() -> None:
    report = _grade(receiver(SECRET, "validation-before-verify"))
    _assert_outcomes(report, fail=ORACLE)
    _assert_explained(report, "url-validation-oracle")
    detail = report["url-validation-unsigned"].detail
    assert "the receiver is a signing oracle" in detail
    assert "plainToken = 'v0:{timestamp}:{body}'" in detail


def test_a_500_on_a_json_null() -> None:
    report = _grade(receiver(SECRET, "assumes-object"))
    scalars = {"malformed-json-null", "malformed-json-number", "malformed-json-string"}
    _assert_outcomes(report, fail={*scalars, "malformed-json-array"})
    _assert_explained(report, "parses-before-verifying")
    assert "AttributeError: 'NoneType' object has no attribute 'get'" in (
        report["malformed-json-null"].detail
    )


def test_slow_on_one_event_type_is_caught_and_named() -> None:
    report = _grade(receiver(SECRET, "slow-on:recording.completed"), deadline=TIGHT_DEADLINE)
    _assert_outcomes(report, fail={"valid-event:recording.completed"})
    _assert_explained(report, "slow-before-answer")
    summary = report.cause("slow-before-answer").summary
    assert summary.startswith("the receiver works before answering recording.completed (")
    assert report["valid-event:recording.completed"].deliveries[0].outcome.value == "late"


def test_a_crash_on_one_event_type_is_named() -> None:
    report = _grade(receiver(SECRET, "crash-on:meeting.participant_left"))
    _assert_outcomes(report, fail={"valid-event:meeting.participant_left"})
    _assert_explained(report, "handler-crash")
    assert report.cause("handler-crash").summary.startswith(
        "the handler fails on meeting.participant_left (5xx or an exception)"
    )


def test_work_that_fails_after_the_acknowledgement_is_named() -> None:
    # An ASGI receiver that acknowledges at once and then fails in its background task on
    # guests' participant events: every answer is a 204, and the events are still lost.
    starlette = pytest.importorskip("starlette.applications")
    from starlette.background import BackgroundTask
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    flask_app = create_app(secret_token=SECRET)

    async def webhook(request: Request) -> Response:
        body = await request.body()
        environ_headers = [(k.decode(), v.decode()) for k, v in request.headers.raw]
        with flask_app.test_client() as client:
            answer = client.post("/zoom/webhook", data=body, headers=environ_headers)

        async def work() -> None:
            event = json.loads(body)
            if event.get("event") == "meeting.participant_joined":
                raise KeyError("participant")

        return Response(
            answer.data,
            answer.status_code,
            dict(answer.headers),
            background=(BackgroundTask(work) if answer.status_code == 204 else None),
        )

    app = starlette.Starlette(routes=[Route("/zoom/webhook", webhook, methods=["POST"])])
    report = _grade(app, path="/zoom/webhook")
    failing = "valid-event:meeting.participant_joined"
    # In-process ASGI cannot be sent a short body: that check says so instead of passing.
    _assert_outcomes(report, fail={failing}, inconclusive={"malformed-truncated-body"})
    assert "fails-after-acknowledging" in [c.id for c in report.root_causes]
    assert report[failing].explained_by == "fails-after-acknowledging"
    assert "KeyError: 'participant'" in report[failing].detail
    assert report.cause("fails-after-acknowledging").summary.startswith(
        "the work the receiver does after acknowledging meeting.participant_joined fails"
    )


def test_work_that_never_ends_after_the_acknowledgement_is_named_as_such() -> None:
    # A receiver whose background work on recording.completed waits forever (a lock, a queue
    # nobody reads): it was cancelled at the bound, it did not raise.
    starlette = pytest.importorskip("starlette.applications")
    from starlette.background import BackgroundTask
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    flask_app = create_app(secret_token=SECRET)

    async def webhook(request: Request) -> Response:
        body = await request.body()
        headers = [(k.decode(), v.decode()) for k, v in request.headers.raw]
        with flask_app.test_client() as client:
            answer = client.post("/zoom/webhook", data=body, headers=headers)
        event = json.loads(body).get("event")
        stuck = answer.status_code == 204 and event == "recording.completed"
        return Response(
            answer.data,
            answer.status_code,
            dict(answer.headers),
            background=BackgroundTask(asyncio.Event().wait) if stuck else None,
        )

    app = starlette.Starlette(routes=[Route("/zoom/webhook", webhook, methods=["POST"])])
    zoom = Zoom(secret_token=SECRET, seed=SEED, background_timeout=0.05)
    report = zoom.check(app, path="/zoom/webhook", only=["valid-event"])
    failing = "valid-event:recording.completed"
    assert [r.id for r in report.results if r.outcome is not Verdict.PASS] == [failing]
    assert report[failing].explained_by == "fails-after-acknowledging"
    summary = report.cause("fails-after-acknowledging").summary
    assert summary.startswith(
        "the work the receiver does after acknowledging recording.completed was still running "
        "at the bound (background_timeout) and was cancelled: raise the bound"
    )
    assert "a background task raised" not in summary


def test_refusing_with_a_500_is_one_root_cause_not_a_parser() -> None:
    # The example receiver, with every 401 turned into a 500: forged JSON gets one too, so the
    # 5xx to bad input is the refusal, not a parser failing before verification.
    flask_app = create_app(SECRET)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        def start(status: str, headers: Any, *exc_info: Any) -> Any:
            if status.startswith("401"):
                status = "500 Internal Server Error"
            return start_response(status, headers, *exc_info)

        return flask_app(environ, start)

    report = _grade(app, path="/zoom/webhook")
    assert [c.id for c in report.root_causes] == ["refuses-with-5xx"], report.table()
    assert report.cause("refuses-with-5xx").summary.startswith(
        "the receiver refuses what it cannot verify with a server error (500)"
    )
    for check in ("forged-wrong-secret", "replay-stale", "malformed-not-json"):
        assert report[check].explained_by == "refuses-with-5xx"


# -- receivers that acknowledge nothing signed: the negative checks are inconclusive ----------


def test_a_wrong_secret_token_is_one_root_cause() -> None:
    report = _grade(receiver(SECRET), secret="another-apps-secret-token")
    _assert_outcomes(report, fail=NO_CARRIER_FAILS, inconclusive=NO_CARRIER_INCONCLUSIVE)
    _assert_explained(report, "wrong-secret")
    assert "the secret token hookmock signs with is not the one the receiver verifies with" in (
        report.cause("wrong-secret").summary
    )
    assert not report.passed


def test_a_wrong_secret_with_an_unverified_url_validation_is_one_root_cause() -> None:
    # The challenge is answered, with an encryptedToken made with the receiver's own secret.
    report = _grade(receiver(SECRET, "validation-before-verify"), secret="another-apps-secret")
    _assert_outcomes(report, fail=NO_CARRIER_FAILS, inconclusive=NO_CARRIER_INCONCLUSIVE)
    _assert_explained(report, "wrong-secret")


def test_timestamps_read_as_milliseconds() -> None:
    report = _grade(receiver(SECRET, "timestamp-in-ms"))
    _assert_outcomes(report, fail=NO_CARRIER_FAILS, inconclusive=NO_CARRIER_INCONCLUSIVE)
    _assert_explained(report, "timestamp-milliseconds")
    assert report.facts is not None
    probe = report.facts.diagnosis["timestamp-milliseconds"]
    assert probe.acknowledged
    timestamp = probe.request.header("x-zm-request-timestamp") or ""
    assert len(timestamp) == 13 and timestamp.endswith("000")  # Unix milliseconds


def test_a_wrong_path() -> None:
    report = _grade(create_app(SECRET), path="/webhook")
    _assert_outcomes(report, fail=NO_CARRIER_FAILS, inconclusive=NO_CARRIER_INCONCLUSIVE)
    _assert_explained(report, "wrong-path")
    assert "every request got status 404, whatever was sent" in report.cause("wrong-path").summary


def test_a_wrong_path_over_http() -> None:
    app = create_app(SECRET)
    app.logger.disabled = True
    with serving(app) as base:
        report = _grade(f"{base}/hooks/zoom", concurrency=3)
    _assert_outcomes(report, fail=NO_CARRIER_FAILS, inconclusive=NO_CARRIER_INCONCLUSIVE)
    _assert_explained(report, "wrong-path")


def test_a_wrong_path_whose_server_drops_a_body_cut_short() -> None:
    # Some servers (aiohttp, now and then) close the connection on a body shorter than its
    # content-length instead of answering it: that request tells nothing about the route.
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if len(environ["wsgi.input"].read(length)) < length:
            raise ConnectionResetError("the client went away before the end of the body")
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    report = _grade(app)
    assert report["malformed-truncated-body"].deliveries[0].status is None
    assert [c.id for c in report.root_causes] == ["wrong-path"], report.table()
    assert report["valid-event:meeting.started"].explained_by == "wrong-path"
    assert "every request got status 404, whatever was sent" in report.cause("wrong-path").summary


def _refuses_everything(status: int) -> Callable[..., Any]:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        environ["wsgi.input"].read()
        start_response(f"{status} Refused", [("Content-Type", "text/plain")])
        return [b"no"]

    return app


def test_the_same_answer_to_everything_is_one_root_cause() -> None:
    report = _grade(_refuses_everything(400))
    _assert_outcomes(report, fail=NO_CARRIER_FAILS, inconclusive=NO_CARRIER_INCONCLUSIVE)
    _assert_explained(report, "same-answer")
    assert report.cause("same-answer").summary.startswith(
        "every request got status 400, whatever was sent (signed or not, JSON or not): "
        "something answers before the webhook handler"
    )


@pytest.mark.parametrize(
    "app",
    [
        pytest.param(receiver(SECRET), id="wrong-secret"),
        pytest.param(receiver(SECRET, "timestamp-in-ms"), id="milliseconds"),
        pytest.param(_refuses_everything(400), id="400-to-everything"),
        pytest.param(_refuses_everything(401), id="401-to-everything"),
        pytest.param(_refuses_everything(404), id="404-to-everything"),
        pytest.param(receiver(SECRET, "refuses-all-but:meeting.created"), id="fail-open"),
    ],
)
def test_no_negative_check_passes_when_nothing_signed_is_acknowledged(app: Any) -> None:
    report = _grade(app, secret="the-simulators-own-secret")
    assert report.facts is not None and report.facts.carrier is None
    negative = [r for r in report.results if r.family.negative]
    assert {r.id for r in negative} >= FORGED_AND_REPLAYED | ORACLE
    for result in negative:
        assert result.outcome is not Verdict.PASS, result.id
    assert not report.passed
    assert report.root_causes


def test_a_forgery_acknowledged_without_a_carrier_still_fails() -> None:
    # A failure is shown by the forgery itself: no baseline is needed to see a 2xx.
    report = _grade(receiver(SECRET, "refuses-all-but:meeting.created"), secret="other")
    assert report["forged-missing-signature"].outcome is Verdict.INCONCLUSIVE
    report = _grade(receiver(SECRET, "optional-signature"), secret="other")
    assert report["forged-missing-signature"].outcome is Verdict.FAIL
    assert report["forged-wrong-secret"].outcome is Verdict.INCONCLUSIVE


def test_a_truncated_body_is_inconclusive_for_an_in_process_asgi_app() -> None:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    report = _grade(app, only=["malformed-truncated-body"])
    result = report["malformed-truncated-body"]
    assert result.outcome is Verdict.INCONCLUSIVE
    assert "check it at a URL (hookmock check URL)" in result.detail
    assert report.passed  # a warning-severity check


def test_a_truncated_body_over_http_goes_over_a_raw_socket() -> None:
    app = receiver(SECRET, "reads-input-unguarded")
    with serving(app) as base:
        report = _grade(f"{base}/zoom/webhook", only=["malformed-truncated-body"])
    result = report["malformed-truncated-body"]
    (delivery,) = result.deliveries
    # The server saw the end of the stream after the short body and answered at once.
    assert delivery.status == 500
    assert int(delivery.request.header("content-length") or 0) == len(delivery.request.body) + 100
    assert result.outcome is Verdict.WARN
    assert "the body is read without handling a stream that ends early" in result.detail


def test_a_truncated_body_over_https_waits_for_the_rest(tmp_path: Any) -> None:
    # TLS has no half-close: the server cannot see the end of the body, so it keeps waiting for
    # the promised bytes; that is no 5xx.
    import ssl

    import trustme
    from werkzeug.serving import make_server

    from hookmock.transports import HTTPTarget

    authority = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    ca_file = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    server = make_server("127.0.0.1", 0, receiver(SECRET), threaded=True, ssl_context=context)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        target = HTTPTarget(f"https://127.0.0.1:{server.port}/zoom", cafile=str(ca_file))
        report = _grade(target, deadline=1.0, only=["malformed-truncated-body"])
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
    result = report["malformed-truncated-body"]
    assert result.outcome is Verdict.PASS, result.detail
    assert "the server kept waiting for the promised bytes (no 5xx)" in result.detail
    assert result.deliveries[0].outcome.value == "timeout"
