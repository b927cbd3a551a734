"""In-process ASGI targets (FastAPI, Starlette, Django's ASGI handler), and their lifespan.

The application is driven through asgiref's ``ApplicationCommunicator`` (asgiref is the ASGI
reference implementation, maintained by the Django project). Like Starlette's ``TestClient``,
a delivery runs the application's call to completion: the deadline judges the response, then
whatever the application does after it (``BackgroundTasks``, work after the last body message)
is awaited, up to a bound. An exception raised there, or work still running at the bound (it is
then cancelled), is recorded on the delivery as :attr:`~hookmock.Delivery.after_response_error`;
so is the failure of a task the application started during its call and never awaited (fire
and forget), when it fails within :data:`DETACHED_GRACE` of the call's end.

Which event loop an application runs on:

- the loop its lifespan was started on, when it has one (``subscribe(app, lifespan=True)``);
- else the loop it was subscribed from with ``await zoom.asubscribe(...)``;
- else the caller's loop, inside hookmock's async methods (``await zoom.asend(...)``);
- else one loop per process that hookmock keeps in a background thread, so application state
  that belongs to a loop (connection pools) survives between deliveries.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time
import traceback
from collections.abc import Callable, Coroutine
from typing import Any, ClassVar, TypeVar
from urllib.parse import unquote

from asgiref.testing import ApplicationCommunicator

from ..errors import ConfigurationError, LifespanError
from ..records.exchange import Attempt, Request, Response
from ..records.limits import DETACHED_TASK_FAILED, PAST_THE_BOUND
from ..records.outcome import Outcome
from . import (
    DEFAULT_BACKGROUND_TIMEOUT,
    DEFAULT_MAX_RESPONSE_BYTES,
    InProcessTarget,
    Target,
    _decoded,
)

__all__ = ["DEFAULT_BACKGROUND_TIMEOUT", "ASGITarget", "Lifespan"]

#: The event loop of the caller of one of hookmock's async methods, seen by the worker thread
#: that does the blocking part of the work.
CALLER_LOOP: contextvars.ContextVar[asyncio.AbstractEventLoop | None] = contextvars.ContextVar(
    "hookmock_caller_loop", default=None
)

_T = TypeVar("_T")


class ASGITarget(InProcessTarget):
    """Deliver to an ASGI application (FastAPI, Starlette, Django's ASGI handler) in-process.

    :param background_timeout: seconds the application's call may go on after its response
        before it is cancelled and the delivery says so.
    :param loop: the event loop to run the application on (see the module's documentation).
    :param lifespan: the application's running :class:`Lifespan`; its state is given to each
        request, as ASGI servers do.
    """

    def __init__(
        self,
        app: Any,
        *,
        path: str = "/",
        host: str = "receiver.test",
        scheme: str = "https",
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        background_timeout: float = DEFAULT_BACKGROUND_TIMEOUT,
        loop: asyncio.AbstractEventLoop | None = None,
        lifespan: Lifespan | None = None,
    ) -> None:
        super().__init__(
            app, path=path, host=host, scheme=scheme, max_response_bytes=max_response_bytes
        )
        self.background_timeout = background_timeout
        self.loop = loop
        self.lifespan = lifespan

    def describe(self) -> str:
        return f"{self.url} (in-process ASGI: {type(self.app).__name__})"

    def sibling(self, url_or_path: str) -> Target:
        if "://" in url_or_path:
            return super().sibling(url_or_path)
        return ASGITarget(
            self.app,
            path=url_or_path,
            host=self.host,
            scheme=self.scheme,
            max_response_bytes=self.max_response_bytes,
            background_timeout=self.background_timeout,
            loop=self.loop,
            lifespan=self.lifespan,
        )

    def event_loop(self) -> asyncio.AbstractEventLoop:
        """The loop the next delivery runs on."""
        if self.lifespan is not None:
            return self.lifespan.loop
        return self.loop or CALLER_LOOP.get() or background_loop()

    def send(self, request: Request, *, deadline: float) -> Attempt:
        return run_on(
            self.event_loop(),
            lambda: self._call(request, deadline),
            what=f"the ASGI application at {self.url}",
        )

    def _scope(self, request: Request) -> dict[str, Any]:
        port = 443 if self.scheme == "https" else 80
        path, _, query = self.path.partition("?")
        scope: dict[str, Any] = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": request.method,
            "scheme": self.scheme,
            "path": unquote(path),
            "raw_path": path.encode("latin-1"),
            "query_string": query.encode("latin-1"),
            "root_path": "",
            "headers": [
                (name.lower().encode("latin-1"), value.encode("latin-1"))
                for name, value in request.headers
            ],
            "client": ("127.0.0.1", 0),
            "server": (self.host, port),
        }
        if self.lifespan is not None:
            # ASGI lifespan state: each request gets a shallow copy of what startup stored.
            scope["state"] = dict(self.lifespan.state)
        return scope

    async def _call(self, request: Request, deadline: float) -> Attempt:
        loop = asyncio.get_running_loop()
        watch = _Detached.on(loop)
        flight = watch.enter()
        try:
            attempt = await self._attempt(request, deadline, flight)
            if flight.alone:
                await self._detached(flight)
        finally:
            watch.leave(flight)
        if not flight.errors:
            return attempt
        detached = "\n".join(flight.errors)
        if attempt.response is None:
            failed: Attempt = attempt.__replace__(error=f"{attempt.error}\n\n{detached}")
            return failed
        after = attempt.after_response_error
        acknowledged: Attempt = attempt.__replace__(
            after_response_error=f"{after}\n\n{detached}" if after else detached
        )
        return acknowledged

    async def _detached(self, flight: _Flight) -> None:
        """Wait a little (:data:`DETACHED_GRACE`) for the tasks the application started during
        its call and did not await, and note on *flight* the errors of those that failed and
        that nothing awaited. A task still running then (a worker that lives on) is left to
        run, its end unseen."""
        own = {asyncio.current_task(), *flight.own}
        started = [task for task in flight.tasks if task not in own]
        running = [task for task in started if not task.done()]
        if running:
            await asyncio.wait(running, timeout=min(DETACHED_GRACE, self.background_timeout))
        for task in started:
            error = _failed_unawaited(task)
            if error is not None:
                flight.errors.append(f"{DETACHED_TASK_FAILED}:\n" + "".join(_format(error, set())))

    async def _attempt(self, request: Request, deadline: float, flight: _Flight) -> Attempt:
        begin = time.perf_counter()
        communicator = _Communicator(self.app, self._scope(request))
        flight.own.append(communicator.future)
        await communicator.send_input(
            {"type": "http.request", "body": request.body, "more_body": False}
        )
        status: int | None = None
        headers: list[tuple[str, str]] = []
        body = bytearray()
        truncated = False
        complete = False
        timer = asyncio.timeout(deadline)
        try:
            async with timer:
                while not complete:
                    message = await _next_output(communicator)
                    if message is None:
                        break
                    kind = message.get("type")
                    if kind == "http.response.start":
                        status = int(message["status"])
                        headers = [
                            (bytes(k).decode("latin-1"), bytes(v).decode("latin-1"))
                            for k, v in message.get("headers", [])
                        ]
                    elif kind == "http.response.body":
                        chunk = bytes(message.get("body", b""))
                        room = self.max_response_bytes - len(body)
                        if len(chunk) > room:
                            body += chunk[:room]
                            truncated = complete = True
                        else:
                            body += chunk
                            complete = not message.get("more_body", False)
        except TimeoutError:
            if not timer.expired():  # the application's own TimeoutError
                return Attempt(
                    None, time.perf_counter() - begin, _app_traceback(), Outcome.APP_ERROR
                )
            communicator.stop(exceptions=False)
            return Attempt(
                None,
                time.perf_counter() - begin,
                f"no complete answer within the {deadline:g} s deadline (the application was "
                "cancelled)",
                Outcome.TIMEOUT,
            )
        except Exception:
            return Attempt(None, time.perf_counter() - begin, _app_traceback(), Outcome.APP_ERROR)
        elapsed = time.perf_counter() - begin
        if status is None or not complete:
            communicator.stop(exceptions=False)
            what = "a response" if status is None else "the end of its response body"
            return Attempt(
                None, elapsed, f"the application returned without sending {what}", Outcome.APP_ERROR
            )
        if truncated:
            # A body past the cap is not read further: the application is stopped there.
            communicator.stop(exceptions=False)
            after = None
        else:
            after = await self._finish(communicator)
        response = Response(status, _reason(status), tuple(headers), bytes(body), truncated)
        return Attempt(
            _decoded(response, self.max_response_bytes), elapsed, after_response_error=after
        )

    async def _finish(self, communicator: Any) -> str | None:
        """Let the application's call run to its end, as a server does once the response is
        sent; return what went wrong there, or ``None``."""
        # A server answers every further receive() with a disconnect once the response is
        # complete (Starlette's TestClient and uvicorn do); background tasks may listen for it.
        communicator.input_queue.close()
        try:
            # wait() cancels the call at the bound and returns as if it had ended.
            await communicator.wait(timeout=self.background_timeout)
        except Exception:
            return _app_traceback()
        if communicator.future.cancelled():
            return (
                f"the application was still running {self.background_timeout:g} s after its "
                f"response ({PAST_THE_BOUND}) and was cancelled; raise the bound with "
                "background_timeout= if the work is meant to take that long"
            )
        return None


#: Seconds a delivery waits, after the application's call has ended, for the tasks it started
#: during the call and did not await (fire and forget) before it is recorded.
DETACHED_GRACE = 0.1


class _Flight:
    """One delivery in flight on a loop: the tasks created while it was, and whether it has
    been the only delivery in flight there (so that those tasks are its application's)."""

    __slots__ = ("alone", "errors", "own", "tasks")

    def __init__(self, alone: bool) -> None:
        self.alone = alone
        self.tasks: list[asyncio.Task[Any]] = []
        #: The tasks that drive the application's call itself (not ones it started).
        self.own: list[asyncio.Future[Any]] = []
        self.errors: list[str] = []


class _Detached:
    """The tasks created on a loop while deliveries are in flight there, so that those an
    application starts and never awaits (``create_task(work())``, fire and forget) are seen.

    Such a task is outside the application's call, so the call's end does not wait for it.
    While deliveries run on a loop, its task factory is this one, which notes each task made
    (through the loop's own factory, if it has one) and is removed once none runs. Tasks made
    while several deliveries are in flight cannot be told to be one's, and are left alone.
    """

    #: The watcher of each loop that has deliveries in flight.
    _of: ClassVar[dict[int, _Detached]] = {}

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.in_flight: list[_Flight] = []
        self.previous: Any = None

    @classmethod
    def on(cls, loop: asyncio.AbstractEventLoop) -> _Detached:
        watch = cls._of.get(id(loop))
        if watch is None or watch.loop is not loop:
            watch = cls._of[id(loop)] = cls(loop)
        return watch

    def enter(self) -> _Flight:
        if self.in_flight:
            for other in self.in_flight:
                other.alone = False
        else:
            self.previous = self.loop.get_task_factory()
            self.loop.set_task_factory(self._create)
        flight = _Flight(alone=not self.in_flight)
        self.in_flight.append(flight)
        return flight

    def leave(self, flight: _Flight) -> None:
        self.in_flight = [f for f in self.in_flight if f is not flight]
        if self.in_flight:
            return
        # The application may have set a factory of its own meanwhile: that one stays.
        if self.loop.get_task_factory() == self._create:
            self.loop.set_task_factory(self.previous)
        del self._of[id(self.loop)]

    def _create(self, loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> Any:
        previous = self.previous
        task = (
            previous(loop, coro, **kwargs) if previous else asyncio.Task(coro, loop=loop, **kwargs)
        )
        if len(self.in_flight) == 1:
            self.in_flight[0].tasks.append(task)
        return task


def _failed_unawaited(task: asyncio.Task[Any]) -> Exception | None:
    """The exception of a task that failed and whose exception nothing has retrieved (what
    asyncio would log as "Task exception was never retrieved"); retrieving it here keeps it
    out of that log."""
    if not task.done() or task.cancelled() or not getattr(task, "_log_traceback", False):
        return None
    error = task.exception()
    return error if isinstance(error, Exception) else None


class _Inbox(asyncio.Queue[dict[str, Any]]):
    """The messages an HTTP application receives: once closed, a disconnect for every call."""

    _closed = False

    def close(self) -> None:
        self._closed = True
        self.put_nowait({"type": "http.disconnect"})  # wakes a receive() already waiting

    async def get(self) -> dict[str, Any]:
        if self._closed and self.empty():
            return {"type": "http.disconnect"}
        return await super().get()


class _Communicator(ApplicationCommunicator):
    """asgiref's communicator for one HTTP call, with an inbox that can be closed."""

    @property
    def input_queue(self) -> _Inbox:
        if self._input_queue is None:
            self._input_queue = _Inbox()
        return self._input_queue


async def _next_output(communicator: Any) -> dict[str, Any] | None:
    """The application's next message, or ``None`` once it has returned without another.

    :raises Exception: what the application raised.
    """
    queue: asyncio.Queue[dict[str, Any]] = communicator.output_queue
    future: asyncio.Future[Any] = communicator.future
    if queue.empty() and not future.done():
        getter = asyncio.ensure_future(queue.get())
        try:
            await asyncio.wait({getter, future}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            if not getter.done():
                getter.cancel()
        if getter.done() and not getter.cancelled():
            return getter.result()
    if not queue.empty():
        return queue.get_nowait()
    future.result()
    return None


class Lifespan:
    """The ASGI lifespan of one application: started once, shut down by :meth:`shutdown`.

    :param app: the ASGI application.
    :param loop: the event loop the application runs on; deliveries to it run there too.
    :param timeout: seconds startup and shutdown may take.
    :param where: the endpoint URL, for messages.
    """

    def __init__(
        self, app: Any, *, loop: asyncio.AbstractEventLoop, timeout: float, where: str = ""
    ) -> None:
        self.app = app
        self.loop = loop
        self.timeout = timeout
        self.where = where
        #: The lifespan state the application filled at startup (``scope["state"]``).
        self.state: dict[str, Any] = {}
        self.running = False
        self._communicator: Any = None

    def label(self) -> str:
        title = getattr(self.app, "title", None)
        name = getattr(self.app, "__qualname__", None) or type(self.app).__name__
        text = f"{type(self.app).__name__} app {title!r}" if title else f"ASGI app {name}"
        return f"{text} at {self.where}" if self.where else text

    def on_running_loop(self) -> bool:
        """Whether its loop is the one running in this thread (a synchronous call would
        block it)."""
        try:
            return asyncio.get_running_loop() is self.loop
        except RuntimeError:
            return False

    def startup(self) -> None:
        """Send ``lifespan.startup`` and wait for the answer.

        :raises LifespanError: naming the application and what went wrong.
        """
        run_on(self.loop, self._startup, what=f"the lifespan of {self.label()}")

    def shutdown(self) -> None:
        """Send ``lifespan.shutdown`` and wait for the application's call to end.

        :raises LifespanError: naming the application and what went wrong.
        """
        if not self.running:
            return
        self.running = False
        if self.loop.is_closed():
            raise LifespanError(
                f"the lifespan shutdown of {self.label()} did not run: it was started on the "
                "event loop of an async test, which closed first; end such a test with "
                "'await zoom.aclose()'"
            )
        run_on(self.loop, self._shutdown, what=f"the lifespan of {self.label()}")

    async def _startup(self) -> None:
        scope = {
            "type": "lifespan",
            "asgi": {"version": "3.0", "spec_version": "2.0"},
            "state": self.state,
        }
        self._communicator = communicator = ApplicationCommunicator(self.app, scope)
        await communicator.send_input({"type": "lifespan.startup"})
        message = await self._answer("startup")
        if message is None:
            raise LifespanError(
                f"{self.label()} returned from its lifespan call without answering "
                "lifespan.startup: it does not take part in the ASGI lifespan protocol; "
                "subscribe it without lifespan=True and open its resources in a fixture"
            )
        if message.get("type") == "lifespan.startup.failed":
            reason = await self._settle(message)
            raise LifespanError(f"the lifespan startup of {self.label()} failed: {reason}")
        if message.get("type") != "lifespan.startup.complete":
            await self._settle(message)
            raise LifespanError(
                f"{self.label()} answered lifespan.startup with {message.get('type')!r}, "
                "expected 'lifespan.startup.complete' or 'lifespan.startup.failed'"
            )
        self.running = True

    async def _shutdown(self) -> None:
        communicator = self._communicator
        if communicator.future.done():
            # The application ended its lifespan call early; a failure there is still news.
            try:
                communicator.future.result()
            except Exception:
                raise LifespanError(
                    f"the lifespan of {self.label()} ended with an exception before "
                    f"shutdown:\n{_app_traceback()}"
                ) from None
            return
        communicator.input_queue.put_nowait({"type": "lifespan.shutdown"})
        message = await self._answer("shutdown")
        if message is not None and message.get("type") == "lifespan.shutdown.failed":
            reason = await self._settle(message)
            raise LifespanError(f"the lifespan shutdown of {self.label()} failed: {reason}")
        try:
            await communicator.wait(timeout=self.timeout)
        except Exception:
            raise LifespanError(
                f"the lifespan shutdown of {self.label()} raised:\n{_app_traceback()}"
            ) from None
        if communicator.future.cancelled():
            raise LifespanError(
                f"the lifespan call of {self.label()} did not return within {self.timeout:g} s "
                "of its shutdown (it was cancelled)"
            )

    async def _settle(self, message: dict[str, Any]) -> str:
        """Let a failed lifespan call end (Starlette re-raises after reporting a failure) and
        say what went wrong: what it raised, else the application's message."""
        raised = ""
        try:
            await self._communicator.wait(timeout=self.timeout)
        except Exception:
            raised = _app_traceback()
        # Starlette's message is the traceback as text; the exception itself reads better.
        return raised or str(message.get("message") or "") or "(the application gave no message)"

    async def _answer(self, phase: str) -> dict[str, Any] | None:
        communicator = self._communicator
        try:
            async with asyncio.timeout(self.timeout):
                return await _next_output(communicator)
        except TimeoutError:
            communicator.stop(exceptions=False)
            raise LifespanError(
                f"the lifespan {phase} of {self.label()} did not complete within "
                f"{self.timeout:g} s (it was cancelled); raise the bound with "
                "background_timeout="
            ) from None
        except Exception:
            raise LifespanError(
                f"the lifespan {phase} of {self.label()} raised:\n{_app_traceback()}"
            ) from None


def _app_traceback() -> str:
    """The traceback of the exception being handled, as a person reads it: without hookmock's
    and asgiref's own frames, and with each run of installed libraries' frames (Starlette's
    middleware, FastAPI's routing) folded into one line; the frame that raised always shows."""
    import sys

    error = sys.exc_info()[1]
    if error is None:
        return ""
    return "".join(_format(error, set()))


def _format(error: BaseException, seen: set[int]) -> list[str]:
    seen.add(id(error))
    lines: list[str] = []
    cause = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
    if cause is not None and id(cause) not in seen:
        lines += _format(cause, seen)
        lines.append(
            "\nThe above exception was the direct cause of the following exception:\n\n"
            if error.__cause__ is not None
            else "\nDuring handling of the above exception, another exception occurred:\n\n"
        )
    frames = [f for f in traceback.extract_tb(error.__traceback__) if not _driver(f.filename)]
    lines.append("Traceback (most recent call last):\n")
    folded: list[str] = []
    for index, frame in enumerate(frames):
        library = _library(frame.filename)
        if library and index < len(frames) - 1:
            folded.append(library)
            continue
        if folded:
            names = ", ".join(dict.fromkeys(folded))
            lines.append(f"  ... {len(folded)} frame(s) of {names}\n")
            folded = []
        lines += traceback.format_list([frame])
    lines += traceback.format_exception_only(type(error), error)
    return lines


def _driver(filename: str) -> bool:
    """A frame of hookmock itself or of asgiref, which drives the application."""
    import os

    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return filename.startswith(here + os.sep) or f"{os.sep}asgiref{os.sep}" in filename


def _library(filename: str) -> str:
    """The installed package a frame belongs to, or ``""`` for the user's own code."""
    import os

    for marker in ("site-packages", "dist-packages"):
        _, found, rest = filename.partition(f"{os.sep}{marker}{os.sep}")
        if found:
            return rest.split(os.sep, 1)[0].removesuffix(".py")
    return ""


def run_on(
    loop: asyncio.AbstractEventLoop,
    make: Callable[[], Coroutine[Any, Any, _T]],
    *,
    what: str,
) -> _T:
    """Run the coroutine ``make()`` on *loop* from synchronous code and return its result."""
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if loop.is_closed():
        raise ConfigurationError(
            f"{what} runs on an event loop that is closed now (the loop of an async test that "
            "has ended?); in an async test, end with 'await zoom.aclose()'"
        )
    if running is loop:
        raise ConfigurationError(
            f"{what} runs on this event loop, which a synchronous call would block: use "
            "hookmock's async methods here (await zoom.asend(...), zoom.asubscribe, "
            "zoom.asend_scenario, zoom.acheck, zoom.aclose)"
        )
    if loop.is_running():
        return asyncio.run_coroutine_threadsafe(make(), loop).result()
    # A caller's loop that is not running any more (a fixture's teardown after an async test).
    return loop.run_until_complete(make())


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


_loop_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None


def background_loop() -> asyncio.AbstractEventLoop:
    """The event loop that runs in-process ASGI applications outside hookmock's async methods,
    started on first use."""
    global _loop
    with _loop_lock:
        if _loop is None:
            loop = asyncio.new_event_loop()
            running = threading.Event()
            loop.call_soon(running.set)
            thread = threading.Thread(target=loop.run_forever, name="hookmock-asgi", daemon=True)
            thread.start()
            # Running before anyone sees it: run_on() tells a running loop from an idle one.
            running.wait()
            _loop = loop
        return _loop
