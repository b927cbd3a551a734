"""The conformance battery as methods of a provider: :meth:`Checkable.check` and
:meth:`Checkable.acheck`. A module apart from the runner, so that importing a provider imports
neither the runner nor the transports it sends with."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..engine.simulator import Provider

if TYPE_CHECKING:
    from .report import ConformanceReport

__all__ = ["Checkable"]


class Checkable(Provider):
    """A provider with a conformance battery (its adapter's ``conformance_suite()``), run by
    :meth:`check`."""

    # -- conformance ----------------------------------------------------------------------------

    def check(
        self,
        target: Any,
        *,
        path: str | None = None,
        only: Sequence[str] | None = None,
        events: Sequence[str] | None = None,
        overrides: Mapping[str, Any] | None = None,
        tolerance: float = 300.0,
        concurrency: int = 10,
        probe: Callable[[], int] | None = None,
        probe_event: str | None = None,
        progress: Callable[..., None] | None = None,
        fuzz: int = 0,
        fuzz_seed: int | None = None,
    ) -> ConformanceReport:
        """Run the receiver conformance battery against *target* and return its report.

        :param target: a URL, or a WSGI or ASGI application.
        :param only: check ids to run (:func:`check_ids` lists them; for Zoom,
            :data:`hookmock.providers.zoom.battery.CHECK_IDS`, for Standard Webhooks
            :data:`hookmock.providers.standard_webhooks.battery.CHECK_IDS`); all by default.
            The checks they rely on for a baseline send what they need.
        :param events: the event types sent correctly signed, one ``valid-event:NAME`` check
            each (default: the battery's, for Zoom
            :data:`hookmock.providers.zoom.battery.DEFAULT_EVENTS`; for Standard Webhooks the
            first of the sender's document).
        :param overrides: dotted paths set in every generated event.
        :param tolerance: the timestamp window, in seconds, a correct receiver enforces.
        :param concurrency: deliveries sent in the deadline-under-load check (at once to a URL;
            back to back on the calling thread to an in-process application).
        :param probe: returns a count of the receiver's side effects; with it the duplicate check
            also asserts that a retry and a duplicate of *probe_event* (default: the battery's
            first default event) are processed only once.
        :param progress: called as each check starts and ends
            (see :data:`hookmock.conformance.checks.Progress`).
        :param fuzz: add the ``fuzz-valid-events`` check: that many schema-valid variations of
            *events*, each to be acknowledged in time (see :meth:`fuzz`); *fuzz_seed* reproduces
            a run.
        :raises ReceiverUnreachableError: when the receiver cannot be reached at all.
        """
        # The arguments may hold secrets (a URL with a token, a secret token): pytest does not
        # show this frame, or its locals under --showlocals, in a failure's traceback.
        __tracebackhide__ = True
        from .checks import run_checks

        return run_checks(
            self,
            # An ASGI application keeps its running lifespan and, in acheck(), the caller's loop.
            self._resolve_target(target, path=path),
            path=None,
            suite=self.adapter.conformance_suite(),
            only=only,
            events=events,
            overrides=overrides,
            tolerance=tolerance,
            concurrency=concurrency,
            probe=probe,
            probe_event=probe_event,
            progress=progress,
            fuzz=fuzz,
            fuzz_seed=fuzz_seed,
        )

    async def acheck(
        self,
        target: Any,
        *,
        path: str | None = None,
        only: Sequence[str] | None = None,
        events: Sequence[str] | None = None,
        overrides: Mapping[str, Any] | None = None,
        tolerance: float = 300.0,
        concurrency: int = 10,
        probe: Callable[[], int] | None = None,
        probe_event: str | None = None,
        progress: Callable[..., None] | None = None,
        fuzz: int = 0,
        fuzz_seed: int | None = None,
    ) -> ConformanceReport:
        """:meth:`check` for async tests: an in-process ASGI application runs on the caller's
        event loop; nothing blocks it. *probe* and *progress* are called from a worker
        thread."""
        return await self._in_worker(
            self.check,
            target,
            path=path,
            only=only,
            events=events,
            overrides=overrides,
            tolerance=tolerance,
            concurrency=concurrency,
            probe=probe,
            probe_event=probe_event,
            progress=progress,
            fuzz=fuzz,
            fuzz_seed=fuzz_seed,
        )
