"""In-process applications over time: their ASGI lifespans, the event loop they run on, and the
provider's async methods. Mixed into :class:`~hookmock.engine.simulator.Provider`.

The async methods (``asend``, ``asubscribe``, ...) do what their synchronous namesakes do, with
the blocking part in a worker thread (``asyncio.to_thread``), so the caller's event loop stays
free: an in-process ASGI application runs on that loop, where it can use the test's loop-bound
resources (an ``asyncio.Queue``, an async database engine), and a WSGI application or a URL
target never blocks it. They need asyncio (pytest-asyncio, or anyio's default backend).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Collection, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import ConfigurationError, LifespanError

if TYPE_CHECKING:
    from ..generate.events import Event
    from ..transports import Target
    from ..transports.asgi import Lifespan
    from .delivery import Delivery
    from .subscription import Subscription

__all__ = ["InProcessLifecycle"]

_T = TypeVar("_T")


class InProcessLifecycle:
    """Lifespans of in-process ASGI applications, ``close()``, and the async methods."""

    #: Seconds an ASGI application's call may go on after its response (background tasks),
    #: and its lifespan startup or shutdown may take, before it is cancelled and reported.
    background_timeout: float
    _lifespans: dict[int, Lifespan]

    send: Callable[..., Delivery]
    send_all: Callable[..., list[Delivery]]
    subscribe: Callable[..., Subscription]
    advance: Callable[..., list[Delivery]]
    run_until_idle: Callable[[], list[Delivery]]

    def _resolve_target(self, target: Any, *, path: str | None) -> Target:
        """The target for *target*; an ASGI application gets this provider's bound for
        background work, its running lifespan, and the caller's loop in the async methods."""
        # Imported at the first subscription, not with the provider: the transports load
        # sockets, threads and gzip, which generating an event (``hookmock fake``) never needs.
        from ..transports.targets import as_target

        resolved = as_target(target, path=path)
        given = resolved is target
        # as_target imports hookmock.transports.asgi for an ASGI application only: a WSGI
        # application or a URL leaves asyncio and asgiref unloaded.
        if given or "hookmock.transports.asgi" not in sys.modules:
            return resolved
        from ..transports.asgi import CALLER_LOOP, ASGITarget

        if isinstance(resolved, ASGITarget):
            resolved.background_timeout = self.background_timeout
            resolved.loop = CALLER_LOOP.get()
            resolved.lifespan = self._lifespans.get(id(resolved.app))
        return resolved

    def _start_lifespan(self, target: Target) -> None:
        """Run the ASGI lifespan startup of *target*'s application, once per application."""
        from ..transports.asgi import ASGITarget, Lifespan, background_loop

        if not isinstance(target, ASGITarget):
            raise ConfigurationError(
                f"lifespan=True is for in-process ASGI applications (FastAPI, Starlette); "
                f"{target.describe()} is not one: start what it needs in a fixture"
            )
        running = self._lifespans.get(id(target.app))
        if running is None:
            running = Lifespan(
                target.app,
                loop=target.loop or background_loop(),
                timeout=self.background_timeout,
                where=target.url,
            )
            running.startup()
            self._lifespans[id(target.app)] = running
        target.lifespan = running

    def close(self) -> None:
        """Shut down the lifespan of every ASGI application started with ``lifespan=True``,
        the last started first. The pytest fixture calls it at teardown.

        :raises LifespanError: naming each application whose shutdown failed (every one is
            shut down all the same).
        """
        if any(lifespan.on_running_loop() for lifespan in self._lifespans.values()):
            raise ConfigurationError(
                "an ASGI application's lifespan runs on this event loop, which close() would "
                "block: use 'await zoom.aclose()' here"
            )
        failures: list[str] = []
        lifespans = list(self._lifespans.values())
        self._lifespans.clear()
        for lifespan in reversed(lifespans):
            try:
                lifespan.shutdown()
            except (LifespanError, ConfigurationError) as error:
                failures.append(str(error))
        if failures:
            raise LifespanError("\n".join(failures))

    def __enter__(self: _T) -> _T:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    async def __aenter__(self: _T) -> _T:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # -- the async methods ----------------------------------------------------------------------

    async def _in_worker(self, function: Callable[..., _T], /, *args: Any, **kwargs: Any) -> _T:
        """Run *function* in a worker thread; in-process ASGI applications run on this loop."""
        import asyncio

        from ..transports.asgi import CALLER_LOOP

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            raise ConfigurationError(
                "hookmock's async methods run on asyncio (pytest-asyncio, or anyio's asyncio "
                "backend); under another event loop use the synchronous methods"
            ) from None
        token = CALLER_LOOP.set(loop)
        try:
            return await asyncio.to_thread(function, *args, **kwargs)
        finally:
            CALLER_LOOP.reset(token)

    async def asend(
        self,
        event: str | Event,
        overrides: Mapping[str, Any] | None = None,
        *,
        to: Subscription | None = None,
        validate: bool = True,
        serialization: str = "zoom",
        headers: Mapping[str, str | None] | None = None,
        timestamp: int | str | None = None,
        **fields: Any,
    ) -> Delivery:
        """:meth:`send` for async tests: an in-process ASGI application runs on the caller's
        event loop; nothing blocks it."""
        return await self._in_worker(
            self.send,
            event,
            overrides,
            to=to,
            validate=validate,
            serialization=serialization,
            headers=headers,
            timestamp=timestamp,
            **fields,
        )

    async def asend_all(
        self,
        event: str | Event,
        overrides: Mapping[str, Any] | None = None,
        *,
        validate: bool = True,
        serialization: str = "zoom",
        **fields: Any,
    ) -> list[Delivery]:
        """:meth:`send_all` for async tests."""
        return await self._in_worker(
            self.send_all,
            event,
            overrides,
            validate=validate,
            serialization=serialization,
            **fields,
        )

    async def asubscribe(
        self,
        target: Any,
        *,
        events: Collection[str] | None = None,
        path: str | None = None,
        name: str | None = None,
        auth: Any = None,
        lifespan: bool = False,
    ) -> Subscription:
        """:meth:`subscribe` for async tests: an in-process ASGI application is bound to the
        caller's event loop (its lifespan, URL validation and every delivery run there).
        With ``lifespan=True``, end the test with ``await zoom.aclose()``."""
        return await self._in_worker(
            self.subscribe,
            target,
            events=events,
            path=path,
            name=name,
            auth=auth,
            lifespan=lifespan,
        )

    async def aadvance(
        self, seconds: float = 0, *, minutes: float = 0, hours: float = 0, days: float = 0
    ) -> list[Delivery]:
        """:meth:`advance` for async tests (retries and re-validations made on the way)."""
        return await self._in_worker(self.advance, seconds, minutes=minutes, hours=hours, days=days)

    async def arun_until_idle(self) -> list[Delivery]:
        """:meth:`run_until_idle` for async tests."""
        return await self._in_worker(self.run_until_idle)

    async def aclose(self) -> None:
        """:meth:`close` for async tests: shuts down lifespans started on the caller's loop."""
        await self._in_worker(self.close)
