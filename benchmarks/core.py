"""Timing in interleaved rounds, wall and CPU time, and the figures' table and JSON."""

from __future__ import annotations

import gc
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class BenchmarkError(Exception):
    """A benchmark could not be set up so that its figures mean anything."""


# -- samples --------------------------------------------------------------------------------------


@dataclass
class Samples:
    """Seconds per operation, one wall and one CPU time per round."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def add(self, wall: float, cpu: float) -> None:
        self.wall.append(wall)
        self.cpu.append(cpu)


@dataclass
class Timed:
    """One thing to time: a callable, and what to reset (untimed) before each round.

    :param cpu_clock: the CPU time to read around a round; this process's by default, a server
        subprocess's for the figures where the work happens there.
    """

    name: str
    fn: Callable[[], object]
    reset: Callable[[], None] | None = None
    cpu_clock: Callable[[], float] = time.process_time
    iterations: int = 1
    samples: Samples = field(default_factory=Samples)

    @property
    def median(self) -> float:
        return statistics.median(self.samples.wall)


def _per_op(timed: Timed, iterations: int) -> tuple[float, float]:
    fn = timed.fn
    loop = range(iterations)
    cpu = timed.cpu_clock()
    start = time.perf_counter()
    for _ in loop:
        fn()
    wall = time.perf_counter() - start
    return wall / iterations, (timed.cpu_clock() - cpu) / iterations


def _calibrate(timed: Timed, round_seconds: float) -> None:
    """Warm up, then pick the iteration count that makes one round last about *round_seconds*."""
    n = 1
    while True:
        if timed.reset is not None:
            timed.reset()
        per_op, _ = _per_op(timed, n)
        if per_op * n >= min(0.01, round_seconds / 4) or n >= 1 << 20:
            break
        n *= 2
    timed.iterations = max(1, min(1 << 20, round(round_seconds / max(per_op, 1e-9))))


def interleave(
    timeds: Sequence[Timed],
    *,
    rounds: int,
    round_seconds: float,
    progress: str | None = None,
    collect: bool = True,
) -> None:
    """Time every item once per round, alternating the order so no item always runs first.

    :param collect: run the garbage collector before each round (untimed), so that no round
        pays for another's garbage; a full collection costs milliseconds in a large process.
    """
    for timed in timeds:
        _calibrate(timed, round_seconds)
    for r in range(rounds):
        for timed in timeds if r % 2 == 0 else reversed(timeds):
            if timed.reset is not None:
                timed.reset()
            if collect:
                gc.collect()
            timed.samples.add(*_per_op(timed, timed.iterations))
        if progress:
            show_progress(f"{progress}: round {r + 1}/{rounds}", done=r + 1 == rounds)


_TTY = sys.stdout.isatty()


def show_progress(text: str, *, done: bool = False, milestone: bool = False) -> None:
    """Progress on one line, rewritten in place on a terminal; in a log (``make bench > log``),
    a line at each milestone and when done."""
    if _TTY:
        print(f"\r\033[K  {text}", end="", flush=True)
        if done:
            print("\r\033[K", end="", flush=True)
    elif done or milestone:
        print(f"  {text}", flush=True)


# -- subprocesses ---------------------------------------------------------------------------------


@dataclass
class Spawned:
    wall: float
    cpu: float
    returncode: int
    stdout: str
    stderr: str


def spawn(argv: Sequence[str], cwd: str | Path, env: Mapping[str, str]) -> Spawned:
    """Run *argv* to completion; its wall time, and its CPU time (user + system) from wait4."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            list(argv), cwd=cwd, env=dict(env), stdout=out, stderr=err, stdin=subprocess.DEVNULL
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Spawned(
            wall,
            usage.ru_utime + usage.ru_stime,
            proc.returncode,
            out.read().decode(errors="replace"),
            err.read().decode(errors="replace"),
        )


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def process_cpu(pid: int) -> Callable[[], float]:
    """A clock of another process's CPU time (Linux's /proc; 10 ms resolution)."""
    path = Path(f"/proc/{pid}/stat")

    def read() -> float:
        try:
            fields = path.read_text().rpartition(")")[2].split()
        except OSError:
            return float("nan")
        return (int(fields[11]) + int(fields[12])) / _TICKS

    return read


# -- results --------------------------------------------------------------------------------------


def _ratios(subject: Sequence[float], baseline: Sequence[float], throughput: bool) -> list[float]:
    pairs = zip(subject, baseline, strict=True)
    if throughput:
        return [b / s for s, b in pairs if s > 0]
    return [s / b for s, b in pairs if b > 0]


def _stats(values: Sequence[float]) -> dict[str, float | None]:
    clean = [v for v in values if v == v]  # NaN: a clock that could not be read
    if not clean:
        return {"median": None, "min": None, "max": None}
    return {"median": statistics.median(clean), "min": min(clean), "max": max(clean)}


@dataclass
class Result:
    """One figure: what is compared with its goal, and the rounds it comes from.

    :ivar subject: seconds per operation of the subject, per round (wall and CPU).
    :ivar baseline: the same of the baseline measured in the same rounds.
    :ivar throughput: the ratio is a throughput ratio (baseline time / subject time, higher is
        better) rather than a time ratio (subject time / baseline time, lower is better).
    :ivar value: the number the goal is about (by default the median wall-time ratio).
    :ivar shown: that value as printed (``"0.42"``, ``"14.2 ms"``, ``"3.9 KB"``).
    :ivar met: ``True``/``False`` against the goal; ``None`` for an informative figure.
    """

    group: str
    key: str
    name: str
    subject: Samples | None = None
    baseline: Samples | None = None
    throughput: bool = False
    value: float | None = None
    unit: str = "ratio"
    shown: str = ""
    goal: str = "-"
    met: bool | None = None
    note: str = ""

    def __post_init__(self) -> None:
        if self.value is None and self.wall_ratios:
            self.value = statistics.median(self.wall_ratios)
        if not self.shown and self.value is not None:
            self.shown = f"{self.value:.2f}" if self.unit == "ratio" else f"{self.value:g}"

    @property
    def wall_ratios(self) -> list[float]:
        if self.subject is None or self.baseline is None:
            return []
        return _ratios(self.subject.wall, self.baseline.wall, self.throughput)

    @property
    def cpu_ratios(self) -> list[float]:
        if self.subject is None or self.baseline is None:
            return []
        return _ratios(self.subject.cpu, self.baseline.cpu, self.throughput)

    def as_json(self) -> dict[str, Any]:
        def side(samples: Samples | None) -> dict[str, Any] | None:
            if samples is None:
                return None
            return {
                "wall_s": _stats(samples.wall),
                "cpu_s": _stats(samples.cpu),
                "rounds": len(samples.wall),
            }

        return {
            "key": self.key,
            "group": self.group,
            "name": self.name.strip(),
            "value": self.value,
            "unit": self.unit,
            "shown": self.shown,
            "goal": self.goal,
            "met": self.met,
            "ratio_kind": "throughput" if self.throughput else "time",
            "wall_ratio": _stats(self.wall_ratios),
            "cpu_ratio": _stats(self.cpu_ratios),
            "subject": side(self.subject),
            "baseline": side(self.baseline),
            "note": self.note,
        }


def duration(seconds: float | None) -> str:
    if seconds is None or seconds != seconds:
        return "-"
    if seconds >= 0.1:
        return f"{seconds * 1e3:.0f} ms"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} µs"


_HEAD = ("figure", "value", "goal", "result", "wall ratio [min-max]", "cpu", "subject", "baseline")
_WIDTHS = (56, 9, 10, 6, 19, 5, 9, 9)


def _row(cells: Sequence[str]) -> str:
    return "  ".join(
        c.ljust(w) if i == 0 else c.rjust(w)
        for i, (c, w) in enumerate(zip(cells, _WIDTHS, strict=True))
    )


def format_result(row: Result) -> list[str]:
    """A figure as a table row, and its note on the next line."""
    wall = _stats(row.wall_ratios)
    cpu = _stats(row.cpu_ratios)
    ratio = (
        "-"
        if wall["median"] is None
        else f"{wall['median']:.2f} [{wall['min']:.2f}-{wall['max']:.2f}]"
    )
    cells = (
        row.name,
        row.shown or "-",
        row.goal,
        {None: "info", True: "met", False: "MISSED"}[row.met],
        ratio,
        "-" if cpu["median"] is None else f"{cpu['median']:.2f}",
        duration(statistics.median(row.subject.wall) if row.subject else None),
        duration(statistics.median(row.baseline.wall) if row.baseline else None),
    )
    return [_row(cells)] + ([f"    {row.note}"] if row.note else [])


def print_table(results: Iterable[Result]) -> None:
    print(_row(_HEAD))
    print("-" * (sum(_WIDTHS) + 2 * (len(_WIDTHS) - 1)))
    group = None
    for row in results:
        if group is not None and row.group != group:
            print()
        group = row.group
        print("\n".join(format_result(row)))
