"""In-process ASGI applications run to completion (background tasks included), and their
lifespan runs once per application, shut down by close() or the fixture's teardown."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from hookmock import ConfigurationError, LifespanError, Outcome, Zoom

from .asgi_receivers import Database, fastapi_receiver
from .receivers import zoom_receiver

SECRET = "lifespan-secret"
PATH = "/zoom/webhook"
ROOT = Path(__file__).resolve().parent.parent


def test_background_task_runs_before_send_returns_with_the_lifespan_database() -> None:
    app = fastapi_receiver(SECRET)
    with Zoom(secret_token=SECRET, seed=1) as zoom:
        zoom.subscribe(app, path=PATH, lifespan=True)
        assert app.state.events == ["startup"]
        db = app.state.database
        delivery = zoom.send("meeting.started")
        delivery.assert_acknowledged()
        assert delivery.status == 204
        assert delivery.after_response_error is None
        assert db.rows == ["meeting.started"]
        zoom.send("meeting.ended").assert_acknowledged()
        assert db.rows == ["meeting.started", "meeting.ended"]
    assert app.state.events == ["startup", "shutdown"]
    assert db.closed


def test_the_deadline_judges_the_response_not_the_background_work() -> None:
    async def slow(db: Database, event: dict[str, Any]) -> None:
        await asyncio.sleep(0.6)  # longer than the deadline below
        await db.insert(event["event"])

    app = fastapi_receiver(SECRET, work=slow)
    with Zoom(secret_token=SECRET, seed=1, deadline=0.5) as zoom:
        zoom.subscribe(app, path=PATH, lifespan=True)
        delivery = zoom.send("meeting.started")
        # The work took longer than the deadline, and ran to its end: only the answer was timed.
        assert delivery.outcome is Outcome.ACKNOWLEDGED
        assert app.state.database.rows == ["meeting.started"]


def test_lifespan_starts_once_per_app_and_its_state_reaches_the_battery() -> None:
    app = fastapi_receiver(SECRET)
    zoom = Zoom(secret_token=SECRET, seed=1)
    zoom.subscribe(app, path=PATH, lifespan=True, events=["meeting.started"])
    zoom.subscribe(app, path=PATH, lifespan=True, events=["meeting.ended"])
    assert app.state.events == ["startup"]
    report = zoom.check(
        app, path=PATH, only=["valid-event", "forged-wrong-secret"], events=["meeting.started"]
    )
    assert [(r.id, r.outcome.value) for r in report.results] == [
        ("valid-event:meeting.started", "pass"),
        ("forged-wrong-secret", "pass"),
    ]
    # The battery's valid events went through the lifespan's database too.
    acknowledged = [
        d for d in zoom.deliveries if d.acknowledged and d.event.name == "meeting.started"
    ]
    assert acknowledged
    assert app.state.database.rows == [d.event.name for d in acknowledged]
    zoom.close()
    zoom.close()  # a second close has nothing left to shut down
    assert app.state.events == ["startup", "shutdown"]


def test_background_exception_is_recorded_and_fails_assert_acknowledged() -> None:
    async def broken(db: Database, event: dict[str, Any]) -> None:
        raise KeyError("payload.object.uuid")

    app = fastapi_receiver(SECRET, work=broken)
    with Zoom(secret_token=SECRET, seed=1) as zoom:
        zoom.subscribe(app, path=PATH, lifespan=True)
        delivery = zoom.send("meeting.started")
    # Zoom saw a 204 in time: acknowledged, not retried.
    assert delivery.outcome is Outcome.ACKNOWLEDGED
    assert delivery.next_step == "done: acknowledged"
    assert "KeyError: 'payload.object.uuid'" in (delivery.after_response_error or "")
    assert "in broken" in (delivery.after_response_error or "")
    assert any("after its response the application raised KeyError" in n for n in delivery.notes)
    with pytest.raises(AssertionError) as failure:
        delivery.assert_acknowledged()
    message = str(failure.value)
    assert message.startswith(
        "expected 'meeting.started' to be acknowledged and the application's work to end "
        "cleanly; it answered 204 within 3 s, then failed after its response"
    )
    assert "after the response, the application's call:" in message
    assert 'raise KeyError("payload.object.uuid")' in message
    assert "Zoom saw an acknowledgement and will not retry" in message
    # Only the application's frames are shown: the framework's are folded into one line, and
    # hookmock's and asgiref's are left out.
    traceback = delivery.after_response_error or ""
    assert "frame(s) of fastapi, starlette" in traceback or "frame(s) of starlette" in traceback
    assert "in _finish" not in traceback and "testing.py" not in traceback


def test_background_work_past_the_bound_is_cancelled_and_reported() -> None:
    cancelled: list[str] = []

    async def never_ends(db: Database, event: dict[str, Any]) -> None:
        try:
            await asyncio.Event().wait()  # nothing sets it
        except asyncio.CancelledError:
            cancelled.append(event["event"])
            raise

    app = fastapi_receiver(SECRET, work=never_ends)
    with Zoom(secret_token=SECRET, seed=1, background_timeout=0.05) as zoom:
        zoom.subscribe(app, path=PATH, lifespan=True)
        delivery = zoom.send("meeting.started")
    assert delivery.outcome is Outcome.ACKNOWLEDGED
    assert cancelled == ["meeting.started"]
    assert (delivery.after_response_error or "").startswith(
        "the application was still running 0.05 s after its response (background work past "
        "the bound) and was cancelled"
    )
    assert delivery.notes == [delivery.after_response_error]
    with pytest.raises(AssertionError, match="background work past the bound"):
        delivery.assert_acknowledged()


def test_a_handler_error_behind_a_500_keeps_its_traceback() -> None:
    from fastapi import FastAPI

    app = FastAPI()

    @app.post("/")
    async def hook() -> None:
        raise ZeroDivisionError("handler crashed")

    zoom = Zoom(secret_token=SECRET, seed=1)
    target = zoom._resolve_target(app, path="/")
    delivery = zoom.deliver(zoom.fake("meeting.started"), _subscription(target))
    assert delivery.status == 500
    assert "ZeroDivisionError: handler crashed" in (delivery.after_response_error or "")
    with pytest.raises(AssertionError) as failure:
        delivery.assert_acknowledged()
    assert "ZeroDivisionError: handler crashed" in str(failure.value)


def _subscription(target: Any) -> Any:
    from hookmock import Subscription

    return Subscription("s", "direct", target, None)


def test_an_app_that_returns_without_answering_is_an_application_error() -> None:
    async def silent(scope: Any, receive: Any, send: Any) -> None:
        await receive()

    zoom = Zoom(secret_token=SECRET, seed=1)
    delivery = zoom.deliver(
        zoom.fake("meeting.started"), _subscription(zoom._resolve_target(silent, path="/"))
    )
    assert delivery.outcome is Outcome.APP_ERROR
    assert delivery.error == "the application returned without sending a response"


def test_startup_failure_names_the_app_and_the_exception() -> None:
    app = fastapi_receiver(SECRET, startup_error=ConnectionRefusedError("database is down"))
    zoom = Zoom(secret_token=SECRET, seed=1)
    with pytest.raises(LifespanError) as failure:
        zoom.subscribe(app, path=PATH, lifespan=True)
    message = str(failure.value)
    assert message.startswith(
        "the lifespan startup of FastAPI app 'Receiver' at https://receiver.test/zoom/webhook "
        "failed: "
    )
    assert "ConnectionRefusedError: database is down" in message
    assert "in opened\n    raise startup_error" in message
    assert "testing.py" not in message
    assert zoom.subscriptions == []
    zoom.close()  # nothing was started, nothing to shut down


def test_shutdown_failure_names_the_app_and_the_exception() -> None:
    app = fastapi_receiver(SECRET, shutdown_error=OSError("flush failed"))
    zoom = Zoom(secret_token=SECRET, seed=1)
    zoom.subscribe(app, path=PATH, lifespan=True)
    with pytest.raises(LifespanError) as failure:
        zoom.close()
    message = str(failure.value)
    assert message.startswith("the lifespan shutdown of FastAPI app 'Receiver' at ")
    assert "OSError: flush failed" in message


def test_an_app_without_lifespan_support_is_told_apart() -> None:
    async def http_only(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return

    zoom = Zoom(secret_token=SECRET, seed=1)
    with pytest.raises(LifespanError, match="does not take part in the ASGI lifespan protocol"):
        zoom.subscribe(http_only, lifespan=True)


def test_lifespan_is_for_asgi_apps_only() -> None:
    zoom = Zoom(secret_token=SECRET, seed=1)
    with pytest.raises(ConfigurationError, match="lifespan=True is for in-process ASGI"):
        zoom.subscribe(zoom_receiver(SECRET), lifespan=True)


def test_background_timeout_must_be_positive() -> None:
    with pytest.raises(ConfigurationError, match="background_timeout must be a positive"):
        Zoom(background_timeout=0)


def test_the_fixture_shuts_the_lifespan_down_and_reports_failures(
    pytester: pytest.Pytester,
) -> None:
    pytester.syspathinsert(str(ROOT))
    pytester.makepyfile(
        receivers_under_test="""
        from tests.asgi_receivers import fastapi_receiver

        SECRET = "s"
        GOOD = fastapi_receiver(SECRET)
        BAD = fastapi_receiver(SECRET, shutdown_error=OSError("flush failed"))
        """,
        test_lifespan_teardown="""
        import pytest
        from receivers_under_test import BAD, GOOD, SECRET

        @pytest.mark.hookmock(secret_token=SECRET, background_timeout=5)
        def test_good(zoom):
            zoom.subscribe(GOOD, path="/zoom/webhook", lifespan=True)
            zoom.send("meeting.started").assert_acknowledged()
            assert zoom.background_timeout == 5

        def test_good_was_shut_down():
            assert GOOD.state.events == ["startup", "shutdown"]
            assert GOOD.state.database.rows == ["meeting.started"]

        @pytest.mark.hookmock(secret_token=SECRET)
        def test_bad(zoom):
            zoom.subscribe(BAD, path="/zoom/webhook", lifespan=True)
        """,
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_bad*",
            "*LifespanError: the lifespan shutdown of FastAPI app 'Receiver' at "
            "https://receiver.test/zoom/webhook failed:*",
        ]
    )


def test_every_receive_after_the_response_is_a_disconnect() -> None:
    received: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})
        # Background work that polls for the client, as Request.is_disconnected() does.
        for _ in range(3):
            received.append((await receive())["type"])

    zoom = Zoom(secret_token=SECRET, seed=1, background_timeout=5)
    delivery = zoom.deliver(
        zoom.fake("meeting.started"), _subscription(zoom._resolve_target(app, path="/"))
    )
    delivery.assert_acknowledged()
    assert received == ["http.disconnect"] * 3


def test_the_apps_own_timeout_error_is_an_application_error() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise TimeoutError("the upstream API did not answer")

    zoom = Zoom(secret_token=SECRET, seed=1)
    delivery = zoom.deliver(
        zoom.fake("meeting.started"), _subscription(zoom._resolve_target(app, path="/"))
    )
    assert delivery.outcome is Outcome.APP_ERROR
    assert "TimeoutError: the upstream API did not answer" in (delivery.error or "")
