"""In-process ASGI targets (FastAPI, Starlette, Django's ASGI handler).

The application is driven through asgiref's ``ApplicationCommunicator`` (asgiref is the ASGI
reference implementation, maintained by the Django project) on one event loop that hookmock keeps
in a background thread. Unlike a WSGI application, an asynchronous one can be cut off: it is
cancelled at the deadline.
"""

from __future__ import annotations

import threading
import time
import traceback
from typing import Any
from urllib.parse import unquote

from .delivery import Attempt, Outcome, Request, Response
from .transports import InProcessTarget, _decoded

__all__ = ["ASGITarget"]


class ASGITarget(InProcessTarget):
    """Deliver to an ASGI application (FastAPI, Starlette, Django's ASGI handler) in-process.

    Requests run on one event loop per process, in a daemon thread, so application state that
    belongs to a loop (connection pools) survives between deliveries. Lifespan events are not
    sent: start what the application needs in your fixture.
    """

    def describe(self) -> str:
        return f"{self.url} (in-process ASGI: {type(self.app).__name__})"

    def send(self, request: Request, *, deadline: float) -> Attempt:
        import asyncio

        loop = _background_loop()
        future = asyncio.run_coroutine_threadsafe(self._call(request, deadline), loop)
        return future.result()

    async def _call(self, request: Request, deadline: float) -> Attempt:

        from asgiref.testing import ApplicationCommunicator

        port = 443 if self.scheme == "https" else 80
        path, _, query = self.path.partition("?")
        scope = {
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
        begin = time.perf_counter()
        communicator = ApplicationCommunicator(self.app, scope)
        await communicator.send_input(
            {"type": "http.request", "body": request.body, "more_body": False}
        )
        status: int | None = None
        headers: list[tuple[str, str]] = []
        body = bytearray()
        truncated = False
        try:
            while True:
                remaining = deadline - (time.perf_counter() - begin)
                message = await communicator.receive_output(timeout=max(remaining, 0.001))
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
                        truncated = True
                        break
                    body += chunk
                    if not message.get("more_body", False):
                        break
        except TimeoutError:
            communicator.stop(exceptions=False)
            return Attempt(
                None,
                time.perf_counter() - begin,
                f"no complete answer within the {deadline:g} s deadline (the application was "
                "cancelled)",
                Outcome.TIMEOUT,
            )
        except Exception:
            return Attempt(
                None, time.perf_counter() - begin, traceback.format_exc(), Outcome.APP_ERROR
            )
        finally:
            communicator.stop(exceptions=False)
        elapsed = time.perf_counter() - begin
        if status is None:
            return Attempt(
                None, elapsed, "the application sent a body before its status", Outcome.APP_ERROR
            )
        reason = _reason(status)
        response = Response(status, reason, tuple(headers), bytes(body), truncated)
        return Attempt(_decoded(response, self.max_response_bytes), elapsed)


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


_loop_lock = threading.Lock()
_loop: Any = None


def _background_loop() -> Any:
    """The event loop that runs in-process ASGI applications, started on first use."""
    import asyncio

    global _loop
    with _loop_lock:
        if _loop is None:
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_forever, name="hookmock-asgi", daemon=True)
            thread.start()
            _loop = loop
        return _loop
