"""The async methods: an ASGI application runs on the test's own event loop (pytest-asyncio and
anyio's plugin), and blocking targets never block it."""

from __future__ import annotations

import asyncio
import re
import threading
from pathlib import Path
from typing import Any

import pytest

from hookmock import ConfigurationError, Outcome, Zoom

from .asgi_receivers import Database, fastapi_receiver
from .receivers import zoom_receiver

SECRET = "async-secret"
PATH = "/zoom/webhook"
ROOT = Path(__file__).resolve().parent.parent


def queueing_receiver(queue: asyncio.Queue[str]) -> Any:
    """A receiver whose background task hands each event to the test through *queue*, with
    the database opened by the test (both belong to the test's loop)."""

    async def hand_over(db: Database, event: dict[str, Any]) -> None:
        await db.insert(event["event"])
        await queue.put(event["event"])

    app = fastapi_receiver(SECRET, work=hand_over, lifespan=False)
    app.state.database = Database()
    return app


async def _deliver_on_the_test_loop(zoom: Zoom) -> None:
    queue: asyncio.Queue[str] = asyncio.Queue()
    app = queueing_receiver(queue)
    await zoom.asubscribe(app, path=PATH)
    delivery = await zoom.asend("meeting.started", topic="on the test's loop")
    delivery.assert_acknowledged()
    # The background task ran on this loop, to completion, before asend returned.
    assert queue.get_nowait() == "meeting.started"
    assert app.state.database.rows == ["meeting.started"]
    assert app.state.database.loop is asyncio.get_running_loop()


@pytest.mark.asyncio
@pytest.mark.hookmock(secret_token=SECRET)
async def test_asend_runs_the_app_on_the_pytest_asyncio_loop(zoom: Zoom) -> None:
    await _deliver_on_the_test_loop(zoom)


@pytest.mark.anyio
@pytest.mark.hookmock(secret_token=SECRET)
async def test_asend_runs_the_app_on_the_anyio_loop(zoom: Zoom) -> None:
    await _deliver_on_the_test_loop(zoom)


@pytest.mark.asyncio
async def test_lifespan_scenario_and_retries_on_the_test_loop() -> None:
    app = fastapi_receiver(SECRET)
    async with Zoom(secret_token=SECRET, seed=3) as zoom:
        await zoom.asubscribe(app, path=PATH, lifespan=True)
        db = app.state.database
        assert db.loop is asyncio.get_running_loop()
        made = await zoom.asend_scenario("meeting", participants=1)
        assert made and all(d.acknowledged for d in made)
        assert db.rows == [d.event.name for d in made]
        zoom.fail_next("timeout")
        first = await zoom.asend("meeting.deleted")
        assert first.outcome is Outcome.TIMEOUT
        retries = await zoom.aadvance(minutes=5)
        assert [(d.attempt, d.outcome) for d in retries] == [(2, Outcome.ACKNOWLEDGED)]
        assert db.rows[-1] == "meeting.deleted"
        assert await zoom.arun_until_idle() == []
    assert app.state.events == ["startup", "shutdown"]
    assert db.closed


@pytest.mark.anyio
async def test_acheck_runs_the_battery_on_the_test_loop() -> None:
    app = fastapi_receiver(SECRET)
    zoom = Zoom(secret_token=SECRET, seed=4)
    await zoom.asubscribe(app, path=PATH, lifespan=True)
    report = await zoom.acheck(
        app,
        path=PATH,
        only=["valid-event", "forged-tampered-body", "deadline-under-load"],
        events=["meeting.started"],
        concurrency=3,
    )
    assert [(r.id, r.outcome.value) for r in report.results] == [
        ("valid-event:meeting.started", "pass"),
        ("forged-tampered-body", "pass"),
        ("deadline-under-load", "pass"),
    ]
    # Every valid delivery, the load check's included, reached the database on this loop: any
    # other loop would have made the database raise in the background task.
    acknowledged = [
        d for d in zoom.deliveries if d.acknowledged and d.event.name == "meeting.started"
    ]
    assert len(report.results[-1].deliveries) >= 3
    assert all(d.after_response_error is None for d in acknowledged)
    assert app.state.database.rows == [d.event.name for d in acknowledged]
    await zoom.aclose()
    assert app.state.events == ["startup", "shutdown"]


@pytest.mark.asyncio
async def test_a_wsgi_target_does_not_block_the_loop() -> None:
    loop_ran = threading.Event()
    good = zoom_receiver(SECRET)
    seen: list[bool] = []

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        # Only the test's loop sets the flag: a blocked loop would leave it unset.
        if b'"meeting.started"' in environ["wsgi.input"].getvalue():
            seen.append(loop_ran.wait(timeout=10))
        return good(environ, start_response)

    zoom = Zoom(secret_token=SECRET, seed=5)
    await zoom.asubscribe(app)
    # Runs when the loop next gets control: while the application waits, unless it is blocked.
    asyncio.get_running_loop().call_soon(loop_ran.set)
    delivery = await zoom.asend("meeting.started")
    delivery.assert_acknowledged()
    assert seen == [True]


@pytest.mark.asyncio
async def test_a_synchronous_call_on_the_apps_own_loop_says_what_to_use() -> None:
    zoom = Zoom(secret_token=SECRET, seed=6)
    await zoom.asubscribe(queueing_receiver(asyncio.Queue()), path=PATH)
    with pytest.raises(ConfigurationError) as failure:
        zoom.send("meeting.started")
    assert str(failure.value) == (
        "the ASGI application at https://receiver.test/zoom/webhook runs on this event loop, "
        "which a synchronous call would block: use hookmock's async methods here (await "
        "zoom.asend(...), zoom.asubscribe, zoom.asend_scenario, zoom.acheck, zoom.aclose)"
    )


@pytest.mark.asyncio
async def test_a_synchronous_close_on_the_lifespans_loop_keeps_it_for_aclose() -> None:
    app = fastapi_receiver(SECRET)
    zoom = Zoom(secret_token=SECRET, seed=8)
    await zoom.asubscribe(app, path=PATH, lifespan=True)
    with pytest.raises(ConfigurationError, match=re.escape("use 'await zoom.aclose()' here")):
        zoom.close()
    assert app.state.events == ["startup"]
    await zoom.aclose()
    assert app.state.events == ["startup", "shutdown"]


def test_async_methods_need_asyncio() -> None:
    zoom = Zoom(secret_token=SECRET, seed=7)
    coroutine = zoom.asend("meeting.started")
    with pytest.raises(ConfigurationError, match="async methods run on asyncio"):
        coroutine.send(None)


def test_a_lifespan_on_the_test_loop_is_shut_down_by_aclose_or_reported(
    pytester: pytest.Pytester,
) -> None:
    pytester.syspathinsert(str(ROOT))
    pytester.makepyfile(
        test_lifespans="""
        import pytest

        from tests.asgi_receivers import fastapi_receiver

        CLOSED = fastapi_receiver("s")
        LEFT_OPEN = fastapi_receiver("s")

        @pytest.mark.asyncio
        @pytest.mark.hookmock(secret_token="s")
        async def test_closed(zoom):
            await zoom.asubscribe(CLOSED, path="/zoom/webhook", lifespan=True)
            (await zoom.asend("meeting.started")).assert_acknowledged()
            await zoom.aclose()
            assert CLOSED.state.events == ["startup", "shutdown"]

        @pytest.mark.asyncio
        @pytest.mark.hookmock(secret_token="s")
        async def test_left_open(zoom):
            await zoom.asubscribe(LEFT_OPEN, path="/zoom/webhook", lifespan=True)
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_left_open*",
            "*LifespanError: the lifespan shutdown of FastAPI app 'Receiver' at "
            "https://receiver.test/zoom/webhook did not run: it was started on the event loop "
            "of an async test, which closed first; end such a test with 'await zoom.aclose()'",
        ]
    )


def test_the_readme_async_example_runs(pytester: pytest.Pytester) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    example = next(b for b in blocks if "def test_on_the_tests_own_loop" in b)
    pytester.makepyfile(test_readme_async=example)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)
