"""A task an in-process ASGI application starts and never awaits (``create_task(work())``, fire
and forget) and that fails while its delivery is in flight is recorded on the delivery, as
background work that raised is: the receiver acknowledged an event whose work was lost."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from hookmock import Outcome, Subscription, Zoom

SECRET = "detached-secret"


def detached_app(work: Callable[[bytes], Awaitable[None]]) -> Any:
    """Acknowledges every request with a 204 and hands its body to *work* in a task of its
    own, which nothing awaits."""
    started: list[asyncio.Task[None]] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        task = asyncio.get_running_loop().create_task(work(body))
        started.append(task)
        task.add_done_callback(started.remove)  # not kept once done: the task is freed
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    return app


def _deliver(zoom: Zoom, app: Any) -> Any:
    target = zoom._resolve_target(app, path="/")
    return zoom.deliver(zoom.fake("meeting.started"), Subscription("s", "direct", target, None))


async def _fails_at_once(body: bytes) -> None:
    raise LookupError(f"no meeting for {len(body)} bytes")


def test_a_task_that_fails_while_its_delivery_is_in_flight_fails_the_acknowledgement() -> None:
    zoom = Zoom(secret_token=SECRET, seed=1)
    delivery = _deliver(zoom, detached_app(_fails_at_once))
    # The answer was a 204 in time: the provider saw an acknowledgement and will not retry.
    assert delivery.outcome is Outcome.ACKNOWLEDGED
    error = delivery.after_response_error or ""
    assert error.startswith("a task the application started and did not await failed:")
    assert "LookupError: no meeting for" in error
    assert "in _fails_at_once" in error
    assert delivery.notes == [
        "after its response, a task the application started and did not await raised "
        f"LookupError: no meeting for {len(delivery.request.body)} bytes; the traceback is in "
        "delivery.after_response_error"
    ]
    with pytest.raises(AssertionError, match="did not await failed"):
        delivery.assert_acknowledged()


def test_a_task_that_fails_after_a_few_steps_is_seen_too() -> None:
    async def steps(body: bytes) -> None:
        for _ in range(3):
            await asyncio.sleep(0)
        raise ValueError("the queue refused the event")

    zoom = Zoom(secret_token=SECRET, seed=1)
    delivery = _deliver(zoom, detached_app(steps))
    assert "ValueError: the queue refused the event" in (delivery.after_response_error or "")


def test_a_task_that_succeeds_or_runs_on_leaves_the_delivery_clean() -> None:
    done: list[int] = []
    release = asyncio.Event()

    async def fine(body: bytes) -> None:
        done.append(len(body))

    async def worker(body: bytes) -> None:
        await release.wait()  # a long-lived task: never waited for

    zoom = Zoom(secret_token=SECRET, seed=1)
    first = _deliver(zoom, detached_app(fine))
    second = _deliver(zoom, detached_app(worker))
    for delivery in (first, second):
        assert delivery.outcome is Outcome.ACKNOWLEDGED
        assert delivery.after_response_error is None
        delivery.assert_acknowledged()
    assert done == [len(first.request.body)]
    from hookmock.transports.asgi import background_loop

    background_loop().call_soon_threadsafe(release.set)  # the worker ends with the test


def test_the_loops_own_task_factory_makes_the_tasks_and_is_back_after_the_delivery() -> None:
    made: list[str] = []

    def factory(loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> Any:
        made.append(coro.__qualname__)
        return asyncio.Task(coro, loop=loop, **kwargs)

    async def test() -> Any:
        loop = asyncio.get_running_loop()
        loop.set_task_factory(factory)
        zoom = Zoom(secret_token=SECRET, seed=1)
        target = zoom._resolve_target(detached_app(_fails_at_once), path="/")
        subscription = Subscription("s", "direct", target, None)
        # What the async methods do: the application runs on this loop, the rest in a thread.
        delivery = await zoom._in_worker(zoom.deliver, zoom.fake("meeting.started"), subscription)
        assert loop.get_task_factory() is factory
        return delivery

    delivery = asyncio.run(test())
    assert "LookupError" in (delivery.after_response_error or "")
    assert "_fails_at_once" in made  # the application's task went through the loop's factory


def test_a_task_whose_failure_the_application_handles_is_not_reported() -> None:
    async def flaky() -> None:
        raise ConnectionError("the cache is down")

    async def handled(body: bytes) -> None:
        # Tasks made and awaited inside the work: their exceptions are retrieved and handled.
        with contextlib.suppress(ConnectionError):
            await asyncio.wait_for(flaky(), timeout=1)
        task = asyncio.get_running_loop().create_task(flaky())
        await asyncio.wait([task])
        assert isinstance(task.exception(), ConnectionError)

    zoom = Zoom(secret_token=SECRET, seed=1)
    delivery = _deliver(zoom, detached_app(handled))
    assert delivery.outcome is Outcome.ACKNOWLEDGED
    assert delivery.after_response_error is None


def test_the_battery_names_work_lost_in_a_task_the_receiver_never_awaited() -> None:
    from .asgi_receivers import Database, fastapi_receiver

    async def lost(db: Database, event: dict[str, Any]) -> None:
        await db.insert(event["event"])
        raise KeyError("payload.object.host_id")

    async def kept(db: Database, event: dict[str, Any]) -> None:
        await db.insert(event["event"])

    only = ["valid-event", "forged-wrong-secret"]
    for work, failing in ((lost, True), (kept, False)):
        app = fastapi_receiver(SECRET, work=work, detach=True)
        with Zoom(secret_token=SECRET, seed=1) as zoom:
            zoom.subscribe(app, path="/zoom/webhook", lifespan=True)
            report = zoom.check(app, path="/zoom/webhook", only=only, events=["meeting.started"])
        outcomes = {r.id: r.outcome.value for r in report.results}
        causes = [c.id for c in report.root_causes]
        if failing:
            assert outcomes == {
                "valid-event:meeting.started": "fail",
                "forged-wrong-secret": "pass",
            }
            assert causes == ["fails-after-acknowledging"]
            assert "KeyError: 'payload.object.host_id'" in report.table() + "".join(
                r.detail for r in report.results
            )
        else:
            assert outcomes == {
                "valid-event:meeting.started": "pass",
                "forged-wrong-secret": "pass",
            }
            assert causes == []
