"""Provider time: a clock that tests move, and the jobs due on it (retries, re-validations).

Nothing here sleeps. Moving the clock runs every job that falls due, in time order, so hours of
provider time play in milliseconds.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import time
from collections.abc import Callable
from typing import Any

from ..errors import ConfigurationError

__all__ = ["Job", "ProviderClock", "Scheduler"]


class ProviderClock:
    """The simulated provider's clock, in Unix seconds.

    It reads *source* plus an offset that :meth:`advance` grows, so a test that never advances it
    sees the source's time, and one that does jumps ahead at once. ``event_ts``, payload times and
    the schedule of retries and re-validations come from it. Without a *source* it reads the wall
    clock at its creation plus the monotonic time elapsed since, which libraries that fake the
    time (time-machine, freezegun) leave alone.

    :meth:`real` reads the source without the offset: the time the receiver's own clock shows,
    which Zoom's signing timestamps use by default (see ``timestamp_clock`` on
    :class:`~hookmock.Zoom`).
    """

    def __init__(self, source: Callable[[], float] | None = None, *, offset: float = 0.0) -> None:
        if source is None:
            wall, mono = time.time(), time.monotonic()

            def source() -> float:
                return wall + (time.monotonic() - mono)

        self._source: Callable[[], float] = source
        self.offset = offset
        self._listeners: list[Callable[[float], Any]] = []

    def __call__(self) -> float:
        return self._source() + self.offset

    def real(self) -> float:
        """The source's reading, without the offset that advancing added."""
        return self._source()

    def now(self) -> float:
        return self()

    def advance(self, seconds: float) -> float:
        """Move the clock *seconds* ahead; return the new reading."""
        if seconds < 0:
            raise ConfigurationError(f"provider time only moves forward; got {seconds} s")
        self.offset += seconds
        reading = self()
        for listener in self._listeners:
            listener(reading)
        return reading

    def advance_to(self, when: float) -> float:
        """Move the clock to *when* if that is ahead of now."""
        return self.advance(max(0.0, when - self()))

    def on_advance(self, callback: Callable[[float], Any]) -> None:
        """Call ``callback(new_reading)`` after every advance."""
        self._listeners.append(callback)


@functools.total_ordering
class Job:
    """Work due at :attr:`due` (provider time): a retry or a re-validation. Jobs order by
    :attr:`due`, then by :attr:`seq` (the order they were scheduled in)."""

    # A plain class: this module is imported with every provider, and a dataclass's generated
    # methods cost start-up time (``hookmock fake``).
    __slots__ = ("cancelled", "description", "due", "kind", "owner", "periodic", "run", "seq")

    def __init__(
        self,
        due: float,
        seq: int,
        kind: str,
        description: str,
        run: Callable[[], Any],
        periodic: bool = False,
        cancelled: bool = False,
        owner: Any = None,
    ) -> None:
        self.due = due
        self.seq = seq
        self.kind = kind
        self.description = description
        self.run = run
        self.periodic = periodic
        self.cancelled = cancelled
        #: What the job is about (a subscription), so that its jobs can be found and cancelled.
        self.owner = owner

    def __repr__(self) -> str:
        return (
            f"Job(due={self.due!r}, seq={self.seq!r}, kind={self.kind!r}, "
            f"description={self.description!r}, periodic={self.periodic!r}, "
            f"cancelled={self.cancelled!r})"
        )

    def __eq__(self, other: object) -> bool:
        if type(other) is not Job:
            return NotImplemented
        return (self.due, self.seq) == (other.due, other.seq)

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value

    def __lt__(self, other: Job) -> bool:
        if type(other) is not Job:
            return NotImplemented
        return (self.due, self.seq) < (other.due, other.seq)


class Scheduler:
    """A time-ordered queue of jobs on a :class:`ProviderClock`."""

    def __init__(self, clock: ProviderClock) -> None:
        self.clock = clock
        self._heap: list[Job] = []
        self._seq = itertools.count()
        self._one_off = 0  # pending jobs that are not periodic

    def schedule(
        self,
        due: float,
        kind: str,
        description: str,
        run: Callable[[], Any],
        *,
        periodic: bool = False,
        owner: Any = None,
    ) -> Job:
        job = Job(due, next(self._seq), kind, description, run, periodic, owner=owner)
        heapq.heappush(self._heap, job)
        self._one_off += not periodic
        return job

    def pending(self) -> list[Job]:
        """Jobs not yet run, soonest first."""
        return sorted(job for job in self._heap if not job.cancelled)

    def advance(self, seconds: float) -> int:
        """Move the clock *seconds* ahead, running each job that falls due at its own time.

        :returns: how many jobs ran.
        """
        if seconds < 0:
            raise ConfigurationError(f"provider time only moves forward; got {seconds} s")
        return self._run_until(self.clock() + seconds)

    def advance_to(self, when: float) -> int:
        """Move the clock to *when* exactly (if that is ahead), running each job due before
        then; a job due at *when* itself runs after what the caller does at that moment.

        Unlike ``advance(when - clock())``, no time passes between reading the clock and moving
        it, so the order of two things due at about the same moment does not depend on how fast
        the machine is, nor on whether the clock is frozen.

        :returns: how many jobs ran.
        """
        ran = 0
        while self._heap and self._heap[0].due < when:
            ran += self._run_next()
        self.clock.advance_to(when)
        return ran

    def run_until_idle(self, *, limit: int = 100_000) -> int:
        """Run every pending one-off job (retries), moving the clock to each; periodic jobs
        (re-validations) that fall due on the way run too, but do not keep the loop going.

        :returns: how many jobs ran.
        """
        ran = 0
        while self._one_off:
            if ran >= limit:
                raise ConfigurationError(
                    f"still busy after {limit} jobs: does something keep scheduling work?"
                )
            ran += self._run_next()
        return ran

    def cancel(self, job: Job) -> None:
        """Drop a job that has not run yet."""
        if not job.cancelled:
            job.cancelled = True
            if not job.periodic:
                self._one_off -= 1

    def _run_until(self, target: float) -> int:
        ran = 0
        while self._heap and self._heap[0].due <= target:
            ran += self._run_next()
        self.clock.advance_to(target)
        return ran

    def _run_next(self) -> int:
        job = heapq.heappop(self._heap)
        if job.cancelled:
            return 0
        if not job.periodic:
            self._one_off -= 1
        self.clock.advance_to(job.due)
        job.run()
        return 1
