"""Defaults that the transports and the simulated provider share, in a module with no imports of
its own, beneath both: creating a provider reads them without loading the transports (sockets,
threads, gzip), which are imported when a first delivery is made."""

from __future__ import annotations

__all__ = ["DEFAULT_BACKGROUND_TIMEOUT", "DETACHED_TASK_FAILED", "PAST_THE_BOUND"]

#: Seconds an in-process ASGI application's call may go on after its response (background
#: work) before it is cancelled and reported; also the bound of its lifespan startup/shutdown.
DEFAULT_BACKGROUND_TIMEOUT = 30.0
#: What an ASGI call's error after its response says when its work was still running at that
#: bound and was cancelled (rather than raising).
PAST_THE_BOUND = "background work past the bound"
#: How an ASGI call's error after its response begins when a task the application started and
#: never awaited (fire and forget) failed while its delivery was in flight.
DETACHED_TASK_FAILED = "a task the application started and did not await failed"
