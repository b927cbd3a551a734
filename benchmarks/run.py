"""hookmock's benchmarks: every figure is a ratio against a baseline measured in the same run.

The machines that run this are shared and noisy, so no figure is compared with one from another
run. Each benchmark times its subject and its baselines in interleaved rounds (the order reversed
every other round), each round timing many iterations with :func:`time.perf_counter`. A ratio is
the median of the per-round ratios; a time is the median of the per-round times.

Run it with ``make bench``; it prints a table and exits 0, or 1 when a target is missed and
``--strict`` is given. It exits 2 when a benchmark could not be set up (a receiver that does not
answer 204 would make every figure meaningless). Nothing here asserts timings in the test suite.

Benchmarks (targets from the project's issue):

- ``send``: ``zoom.send(...)`` to the example Flask receiver in-process, against posting the same
  bytes with the same headers through Flask's ``test_client()`` (target: ratio <= 1.0), and
  against a direct WSGI call of the app with a prebuilt environ (hookmock's own time is the
  difference).
- ``startup``: ``pytest --collect-only -q`` of an empty file with the plugin against
  ``-p no:hookmock`` (target: <= 1.10), and that loading the plugin imports neither faker,
  jsonschema nor werkzeug.
- ``validation``: ``hookmock.catalog.schema_errors`` on a valid event (target: <= 20 us), against
  the pure-Python ``jsonschema`` validator.
- ``generation``: ``zoom.fake(...)`` against ``json.dumps`` of the same data (informative).
- ``retries``: Zoom's full retry chain (85 minutes of provider time) for 100 events, against the
  same 400 attempts made without the scheduler; reports the wall time.
- ``catalog``: generating and signing every event of the catalog once, round-robin
  (``hookmock.fake.generate``, the Zoom serialization, ``hookmock.providers.zoom.sign``), against
  ``json.dumps`` of a pre-built body of each event; and the same as events per second on one
  core (target: >= 10,000).
- ``battery``: the whole conformance battery against the example Flask receiver in-process,
  against as many plain ``zoom.send(...)`` calls as the battery makes deliveries; reports the
  battery's wall time (target: a few seconds, <= 3 s).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import platform
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret-token-0001"
WEBHOOK_PATH = "/zoom/webhook"
BASE_URL = "https://receiver.test"
HEAVY_MODULES = ("faker", "jsonschema", "werkzeug")
BENCHMARKS = ("send", "startup", "validation", "generation", "catalog", "retries", "battery")
#: Seconds the whole conformance battery may take against a correct in-process receiver.
BATTERY_TARGET_SECONDS = 3.0
#: Events per second that generating and signing must reach, per core, over the whole catalog.
CATALOG_TARGET = 10_000
#: (event, keyword overrides) for the send benchmark; an override triggers schema validation.
SEND_VARIANTS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("meeting.started", {}),
    ("meeting.started", {"topic": "Q3 review"}),
    ("recording.completed", {}),
)


class BenchmarkError(Exception):
    """A benchmark could not be set up so that its figures mean anything."""


# -- timing ---------------------------------------------------------------------------------------


@dataclass
class Timed:
    """One thing to time: a callable, and what to reset (untimed) before each round."""

    name: str
    fn: Callable[[], object]
    reset: Callable[[], None] | None = None
    iterations: int = 1
    samples: list[float] = field(default_factory=list)  # seconds per operation, one per round

    @property
    def median(self) -> float:
        return statistics.median(self.samples)


def _per_op(fn: Callable[[], object], iterations: int) -> float:
    loop = range(iterations)
    start = time.perf_counter()
    for _ in loop:
        fn()
    return (time.perf_counter() - start) / iterations


def _calibrate(timed: Timed, round_seconds: float) -> None:
    """Warm up, then pick the iteration count that makes one round last about *round_seconds*."""
    n = 1
    while True:
        if timed.reset is not None:
            timed.reset()
        per_op = _per_op(timed.fn, n)
        if per_op * n >= 0.01 or n >= 1 << 20:
            break
        n *= 2
    timed.iterations = max(1, min(1 << 20, round(round_seconds / per_op)))


def interleave(timeds: Sequence[Timed], *, rounds: int, round_seconds: float) -> None:
    """Time every item once per round, alternating the order so no item always runs first."""
    for timed in timeds:
        _calibrate(timed, round_seconds)
    for r in range(rounds):
        for timed in timeds if r % 2 == 0 else reversed(timeds):
            if timed.reset is not None:
                timed.reset()
            gc.collect()
            timed.samples.append(_per_op(timed.fn, timed.iterations))


def paired_ratios(subject: Sequence[float], baseline: Sequence[float]) -> list[float]:
    return [s / b for s, b in zip(subject, baseline, strict=True)]


# -- results --------------------------------------------------------------------------------------


@dataclass
class Result:
    """One row of the table. Times are seconds per operation (or per run, for start-up)."""

    group: str
    #: A stable identifier for tools that compare runs.
    key: str
    name: str
    subject: float | None
    baseline: float | None
    ratios: list[float] = field(default_factory=list)
    target: str = "-"
    #: ``None`` for an informative row without a target.
    met: bool | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return statistics.median(self.ratios) if self.ratios else None

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "group": self.group,
            "name": self.name.strip(),
            "subject_us": None if self.subject is None else self.subject * 1e6,
            "baseline_us": None if self.baseline is None else self.baseline * 1e6,
            "ratio": self.ratio,
            "ratio_min": min(self.ratios) if self.ratios else None,
            "ratio_max": max(self.ratios) if self.ratios else None,
            "rounds": len(self.ratios),
            "target": self.target,
            "met": self.met,
            "note": self.note,
        }


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds >= 0.1:
        return f"{seconds * 1e3:.0f} ms"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} µs"


_WIDTHS = (54, 10, 10, 6, 11, 8, 6)


def _row(cells: Sequence[str]) -> str:
    return "  ".join(
        c.ljust(w) if i == 0 else c.rjust(w)
        for i, (c, w) in enumerate(zip(cells, _WIDTHS, strict=True))
    )


def format_result(row: Result) -> list[str]:
    """A result as a table row, and its note on the next line."""
    ratio = "-" if row.ratio is None else f"{row.ratio:.2f}"
    spread = f"{min(row.ratios):.2f}-{max(row.ratios):.2f}" if row.ratios else "-"
    verdict = {None: "info", True: "met", False: "MISSED"}[row.met]
    cells = (
        row.name,
        _duration(row.subject),
        _duration(row.baseline),
        ratio,
        spread,
        row.target,
        verdict,
    )
    return [_row(cells)] + ([f"    {row.note}"] if row.note else [])


def print_table(results: Iterable[Result]) -> None:
    print(_row(("benchmark", "subject", "baseline", "ratio", "range", "target", "result")))
    print("-" * (sum(_WIDTHS) + 2 * (len(_WIDTHS) - 1)))
    group = None
    for row in results:
        if group is not None and row.group != group:
            print()
        group = row.group
        print("\n".join(format_result(row)))


# -- 1. in-process send ---------------------------------------------------------------------------


def _import_receiver() -> Callable[[str], Any]:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from examples.flask_receiver.app import create_app

    return create_app


def _discard(data: bytes) -> None:
    return None


def bench_send(args: argparse.Namespace) -> list[Result]:
    from werkzeug.test import EnvironBuilder

    import hookmock

    create_app = _import_receiver()
    results: list[Result] = []
    for event, fields in SEND_VARIANTS:
        label = event + "".join(f" {k}={v!r}" for k, v in fields.items())
        key = event + "".join(f"+{k}" for k in fields)
        app = create_app(SECRET)
        zoom = hookmock.Zoom(secret_token=SECRET, seed=1)
        zoom.subscribe(app, path=WEBHOOK_PATH)

        # One real delivery is the model for the baselines: the same bytes and the same headers
        # (signature, timestamp, request id and all), so the receiver does the same work.
        model = zoom.send(event, **fields)
        if not model.acknowledged or model.status != 204:
            raise BenchmarkError(f"send {label}: the receiver answered {model.status}, not 204")
        body = model.request.body
        headers = list(model.request.headers)
        client = app.test_client()

        def post(client: Any = client, body: bytes = body, headers: Any = headers) -> Any:
            return client.post(WEBHOOK_PATH, base_url=BASE_URL, data=body, headers=headers)

        if post().status_code != 204:
            raise BenchmarkError(f"test_client {label}: the receiver did not answer 204")

        environ = EnvironBuilder(
            path=WEBHOOK_PATH, base_url=BASE_URL, method="POST", data=body, headers=headers
        ).get_environ()
        status: list[str] = []

        def start_response(line: str, _headers: Any, _exc: Any = None, status: Any = status) -> Any:
            status[:] = [line]
            return _discard

        def direct(
            app: Any = app,
            environ: Any = environ,
            body: bytes = body,
            respond: Any = start_response,
        ) -> None:
            env = dict(environ)
            env["wsgi.input"] = io.BytesIO(body)
            result = app(env, respond)
            try:
                b"".join(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()

        direct()
        if status != ["204 NO CONTENT"]:
            raise BenchmarkError(f"direct WSGI {label}: the receiver answered {status}")

        def reset(zoom: Any = zoom, app: Any = app) -> None:
            # The log would otherwise grow for the whole run; appends within a round are timed.
            zoom.clear()
            app.config["MEETINGS_STARTED"].clear()
            app.config["RECORDINGS"].clear()

        def send(zoom: Any = zoom, event: str = event, fields: Any = fields) -> Any:
            return zoom.send(event, **fields)

        def send_prebuilt(zoom: Any = zoom, prebuilt: Any = model.event) -> Any:
            return zoom.send(prebuilt)

        subject = Timed("send", send, reset)
        prebuilt = Timed("send prebuilt", send_prebuilt, reset)
        via_client = Timed("test_client", post, reset)
        via_wsgi = Timed("wsgi", direct, reset)
        interleave(
            [subject, prebuilt, via_client, via_wsgi],
            rounds=args.rounds,
            round_seconds=args.round_seconds,
        )
        if not all(d.acknowledged for d in zoom.deliveries):
            raise BenchmarkError(f"send {label}: some timed deliveries were not acknowledged")
        if args.profile:
            _profile(f"zoom.send({label})", send, reset, args.profile_top)

        own = [s - w for s, w in zip(subject.samples, via_wsgi.samples, strict=True)]
        client_own = [c - w for c, w in zip(via_client.samples, via_wsgi.samples, strict=True)]
        ratio_client = paired_ratios(subject.samples, via_client.samples)
        results += [
            Result(
                "send",
                f"send.{key}.vs_test_client",
                f"send {label} / test_client",
                subject.median,
                via_client.median,
                ratio_client,
                "<= 1.00",
                statistics.median(ratio_client) <= 1.0,
            ),
            Result(
                "send",
                f"send.{key}.vs_wsgi",
                "  send / direct WSGI call",
                subject.median,
                via_wsgi.median,
                paired_ratios(subject.samples, via_wsgi.samples),
            ),
            Result(
                "send",
                f"send.{key}.prebuilt_vs_wsgi",
                "  send(prebuilt Event) / direct WSGI call",
                prebuilt.median,
                via_wsgi.median,
                paired_ratios(prebuilt.samples, via_wsgi.samples),
            ),
            Result(
                "send",
                f"send.{key}.own_time",
                "  own time: send - WSGI / test_client - WSGI",
                statistics.median(own),
                statistics.median(client_own),
                paired_ratios(own, client_own),
                note=f"body {len(body)} bytes",
            ),
        ]
    return results


# -- 2. plugin start-up ---------------------------------------------------------------------------


def _env(pycache: str | None) -> dict[str, str]:
    """The subprocesses' environment, without what would change which plugins load.

    :param pycache: a private bytecode cache (``PYTHONPYCACHEPREFIX``), so that start-up is
        measured with compiled modules, as on a developer's machine, without writing
        ``__pycache__`` folders into the tree; ``None`` keeps the inherited bytecode settings.
    """
    # PYTEST_ADDOPTS, PYTEST_PLUGINS or PYTEST_DISABLE_PLUGIN_AUTOLOAD would change what loads.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    if pycache is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = pycache
    return env


def _run(argv: Sequence[str], cwd: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(argv), cwd=cwd, env=env, capture_output=True, text=True, check=False)


PYTEST = (sys.executable, "-m", "pytest")
WITHOUT_PLUGIN = ("-p", "no:hookmock")


def _collect_times(cwd: str, env: dict[str, str], runs: int) -> tuple[list[float], list[float]]:
    """Wall times of ``pytest --collect-only -q`` with and without the plugin, interleaved."""

    def timed(extra: Sequence[str]) -> float:
        start = time.perf_counter()
        proc = _run([*PYTEST, "--collect-only", "-q", *extra, "test_empty.py"], cwd, env)
        elapsed = time.perf_counter() - start
        if proc.returncode not in (0, 5):  # 5: no tests collected
            raise BenchmarkError(f"pytest {' '.join(extra)} failed:\n{proc.stdout}{proc.stderr}")
        return elapsed

    with_plugin: list[float] = []
    without: list[float] = []
    for r in range(runs):
        pair: tuple[tuple[list[float], Sequence[str]], ...] = (
            (with_plugin, ()),
            (without, WITHOUT_PLUGIN),
        )
        for samples, extra in pair if r % 2 == 0 else reversed(pair):
            samples.append(timed(extra))
    return with_plugin, without


def _startup_row(
    key: str, name: str, times: tuple[list[float], list[float]], target: bool
) -> Result:
    with_plugin, without = times
    ratios = paired_ratios(with_plugin, without)
    of_medians = statistics.median(with_plugin) / statistics.median(without)
    return Result(
        "startup",
        key,
        name,
        statistics.median(with_plugin),
        statistics.median(without),
        ratios,
        "<= 1.10" if target else "-",
        statistics.median(ratios) <= 1.10 if target else None,
        note=f"{len(ratios)} runs each, interleaved; ratio of the medians {of_medians:.2f}",
    )


def _heavy_in_session(cwd: str, env: dict[str, str], extra: Sequence[str]) -> tuple[bool, set[str]]:
    """Whether a pytest session loaded hookmock's plugin, and which heavy modules it imported."""
    code = (
        "import sys, pytest\n"
        f"pytest.main(['--collect-only', '-q', '-p', 'no:cacheprovider', *{list(extra)!r}, "
        "'test_empty.py'])\n"
        f"print('MODULES', 'hookmock.plugin' in sys.modules, *(m for m in {HEAVY_MODULES!r} "
        "if m in sys.modules))\n"
    )
    proc = _run([sys.executable, "-c", code], cwd, env)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("MODULES ")), None)
    if line is None:
        raise BenchmarkError(f"the in-session import check failed:\n{proc.stdout}{proc.stderr}")
    words = line.split()[1:]
    return words[0] == "True", set(words[1:])


def bench_startup(args: argparse.Namespace) -> list[Result]:
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="hookmock-bench-") as tmp:
        Path(tmp, "test_empty.py").write_text("", encoding="utf-8")
        cached = _env(str(Path(tmp, "pycache")))

        # The plugin must load by default and not with -p no:hookmock (its report header says
        # which); these runs also fill the private bytecode cache.
        for extra, expected in (((), True), (WITHOUT_PLUGIN, False)):
            proc = _run([*PYTEST, "--collect-only", *extra, "test_empty.py"], tmp, cached)
            if proc.returncode not in (0, 5):
                raise BenchmarkError(f"pytest {extra} failed:\n{proc.stdout}{proc.stderr}")
            if ("hookmock: provider zoom" in proc.stdout) != expected:
                raise BenchmarkError(
                    f"pytest --collect-only {' '.join(extra)}: the plugin was "
                    f"{'not ' if expected else ''}loaded; output:\n{proc.stdout[:600]}"
                )
        results.append(
            _startup_row(
                "startup.collect_only",
                "pytest --co -q, empty file / -p no:hookmock",
                _collect_times(tmp, cached, args.startup_runs),
                target=True,
            )
        )
        if os.environ.get("PYTHONDONTWRITEBYTECODE"):
            inherited = _env(None)
            results.append(
                _startup_row(
                    "startup.collect_only_no_bytecode_cache",
                    "  same, PYTHONDONTWRITEBYTECODE as inherited",
                    _collect_times(tmp, inherited, args.startup_runs),
                    target=False,
                )
            )
            results[-1].note += (
                "; this environment sets PYTHONDONTWRITEBYTECODE, so an editable hookmock is "
                "compiled from source on every run (site-packages have .pyc files from pip)"
            )

        # The check, verbatim; then the same question asked of real pytest sessions,
        # with and without the plugin, so that modules other plugins import are not blamed on it.
        code = (
            "import hookmock.plugin, sys; "
            f"print({', '.join(f'{m!r} in sys.modules' for m in HEAVY_MODULES)})"
        )
        proc = _run([sys.executable, "-c", code], tmp, cached)
        answers = proc.stdout.split()
        if len(answers) != len(HEAVY_MODULES):
            raise BenchmarkError(f"the import check failed:\n{proc.stdout}{proc.stderr}")
        print(f"$ python -c {code!r}\n{proc.stdout.strip()}")
        plain = {m for m, answer in zip(HEAVY_MODULES, answers, strict=True) if answer == "True"}
        loaded, with_plugin = _heavy_in_session(tmp, cached, ())
        not_loaded, without = _heavy_in_session(tmp, cached, WITHOUT_PLUGIN)
        if not loaded or not_loaded:
            raise BenchmarkError("the in-session import check did not load the plugin as asked")
        print(
            f"heavy modules in a pytest session: with the plugin {sorted(with_plugin) or 'none'}, "
            f"with -p no:hookmock {sorted(without) or 'none'}"
        )
        blamed = sorted(plain | (with_plugin - without))
        others = sorted(with_plugin & without)
        note = f"imported because of hookmock: {', '.join(blamed)}" if blamed else ""
        if others:
            note += ("; " if note else "") + (
                f"{', '.join(others)} imported in every session by another plugin "
                "(faker ships its own pytest plugin)"
            )
        results.append(
            Result(
                "startup",
                "startup.heavy_imports",
                "faker, jsonschema, werkzeug not imported by plugin",
                None,
                None,
                target="none",
                met=not blamed,
                note=note,
            )
        )
        results.append(_import_cost(tmp, cached))
    return results


def _import_cost(cwd: str, env: dict[str, str]) -> Result:
    """What ``import hookmock.plugin`` costs once pytest is loaded (``-X importtime``)."""
    totals: list[float] = []
    selves: dict[str, list[int]] = {}
    for _ in range(3):
        proc = _run(
            [sys.executable, "-X", "importtime", "-c", "import pytest, hookmock.plugin"], cwd, env
        )
        total = 0
        subtree: list[tuple[str, int]] = []
        for line in proc.stderr.splitlines():
            fields = line.removeprefix("import time:").split("|")
            if not line.startswith("import time:") or len(fields) != 3 or "self" in fields[0]:
                continue
            own, cumulative, label = int(fields[0]), int(fields[1]), fields[2]
            name = label.strip()
            subtree.append((name, own))
            # Children come before their parent; a top-level line (one space) closes a subtree.
            if len(label) - len(label.lstrip()) == 1:
                if name.startswith("hookmock"):
                    total += cumulative
                    for module, us in subtree:
                        selves.setdefault(module, []).append(us)
                subtree = []
        totals.append(total / 1e6)
    heaviest = sorted(selves.items(), key=lambda item: -statistics.median(item[1]))[:5]
    listed = ", ".join(f"{m} {statistics.median(us) / 1e3:.1f}" for m, us in heaviest)
    return Result(
        "startup",
        "startup.import_time",
        "  import hookmock.plugin after pytest (-X importtime)",
        statistics.median(totals),
        None,
        note=f"informative, 3 runs; most own time (ms): {listed}",
    )


# -- 3. schema validation -------------------------------------------------------------------------


def bench_validation(args: argparse.Namespace) -> list[Result]:
    import jsonschema
    import jsonschema_rs

    import hookmock
    from hookmock import catalog

    event = "recording.completed"
    data = hookmock.Zoom(secret_token=SECRET, seed=1).fake(event).data
    schema = catalog.load_schema(event)
    if catalog.schema_errors(event, data):
        raise BenchmarkError(
            f"the generated {event} is not valid: {catalog.schema_errors(event, data)}"
        )
    # Built once, outside the timed loop, and without a format checker: the baseline's best case.
    validator = jsonschema.Draft202012Validator(schema)
    if not validator.is_valid(data):
        raise BenchmarkError(f"jsonschema finds the generated {event} invalid")
    rust = jsonschema_rs.Draft202012Validator(schema, validate_formats=True)

    def fast() -> object:
        return catalog.schema_errors(event, data)

    subject = Timed("schema_errors", fast)
    raw = Timed("jsonschema_rs", lambda: rust.is_valid(data))
    baseline = Timed("jsonschema", lambda: validator.is_valid(data))
    interleave([subject, raw, baseline], rounds=args.rounds, round_seconds=args.round_seconds)
    if args.profile:
        _profile(f"schema_errors({event!r})", fast, None, args.profile_top)
    return [
        Result(
            "validation",
            "validation.schema_errors",
            f"schema_errors {event} / jsonschema",
            subject.median,
            baseline.median,
            paired_ratios(subject.samples, baseline.samples),
            "<= 20 µs",
            subject.median <= 20e-6,
            note="baseline: Draft202012Validator(schema).is_valid(data), validator built once, "
            "no format checker",
        ),
        Result(
            "validation",
            "validation.jsonschema_rs",
            "  jsonschema_rs is_valid alone / jsonschema",
            raw.median,
            baseline.median,
            paired_ratios(raw.samples, baseline.samples),
        ),
    ]


# -- 4. generation --------------------------------------------------------------------------------


def bench_generation(args: argparse.Namespace) -> list[Result]:
    import hookmock

    results = []
    for event in ("meeting.started", "recording.completed"):
        zoom = hookmock.Zoom(secret_token=SECRET, seed=1)
        data = zoom.fake(event).data

        def fake(zoom: Any = zoom, event: str = event) -> object:
            return zoom.fake(event)

        def dumps(data: Any = data) -> object:
            return json.dumps(data)

        subject = Timed("fake", fake)
        baseline = Timed("json.dumps", dumps)
        interleave([subject, baseline], rounds=args.rounds, round_seconds=args.round_seconds)
        if args.profile:
            _profile(f"zoom.fake({event!r})", fake, None, args.profile_top)
        results.append(
            Result(
                "generation",
                f"generation.{event}",
                f"zoom.fake {event} / json.dumps(same data)",
                subject.median,
                baseline.median,
                paired_ratios(subject.samples, baseline.samples),
            )
        )
    return results


# -- 5. the whole catalog -------------------------------------------------------------------------


def bench_catalog(args: argparse.Namespace) -> list[Result]:
    from hookmock.catalog import event_names
    from hookmock.events import serialize
    from hookmock.fake import generate
    from hookmock.providers.zoom import sign

    names = event_names("zoom")
    now = 1_795_000_000.0
    timestamp = int(now)
    seeds = iter(range(1 << 62))
    prebuilt = [generate(name, seed=0, now=now)[0] for name in names]

    def every_event() -> None:
        # One operation is one round-robin pass over the catalog, each event with a new seed.
        for name in names:
            data, _ = generate(name, seed=next(seeds), now=now)
            sign(SECRET, timestamp, serialize(data))

    def dumps_each() -> None:
        for data in prebuilt:
            json.dumps(data)

    subject = Timed("generate+sign", every_event)
    baseline = Timed("json.dumps", dumps_each)
    interleave([subject, baseline], rounds=args.rounds, round_seconds=args.round_seconds)
    if args.profile:
        _profile("every event of the catalog, generated and signed", every_event, None, 5)
    per_event = [t / len(names) for t in subject.samples]
    rate = 1 / statistics.median(per_event)
    return [
        Result(
            "catalog",
            "catalog.generate_sign.vs_dumps",
            f"catalog: generate+sign all {len(names)} events / json.dumps",
            subject.median,
            baseline.median,
            paired_ratios(subject.samples, baseline.samples),
            note="baseline: json.dumps of a pre-built body of each event",
        ),
        Result(
            "catalog",
            "catalog.events_per_second",
            "  per event, round-robin over the catalog, one core",
            statistics.median(per_event),
            baseline.median / len(names),
            paired_ratios(subject.samples, baseline.samples),
            f">= {CATALOG_TARGET // 1000}k/s",
            rate >= CATALOG_TARGET,
            note=f"{rate:,.0f} events/s generated and signed (target: {CATALOG_TARGET:,} per core)",
        ),
    ]


# -- 6. provider time: a full retry chain ----------------------------------------------------------

RETRY_EVENTS = 100


def bench_retries(args: argparse.Namespace) -> list[Result]:
    """Zoom's whole retry chain (4 attempts over 85 minutes of provider time) for 100 events,
    against the same 400 attempts made without the scheduler."""
    import hookmock
    from hookmock.scheduler import ProviderClock

    def failing(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        body = environ["wsgi.input"].read()
        if b"endpoint.url_validation" in body:
            plain = json.loads(body)["payload"]["plainToken"]
            from hookmock.providers.zoom import encrypted_token

            answer = json.dumps(
                {"plainToken": plain, "encryptedToken": encrypted_token(SECRET, plain)}
            )
            start_response("200 OK", [("Content-Type", "application/json")])
            return [answer.encode()]
        start_response("503 Service Unavailable", [])
        return []

    def provider(retries: bool) -> Any:
        zoom = hookmock.Zoom(
            secret_token=SECRET, seed=1, retries=retries, clock=ProviderClock(lambda: 1.79e9)
        )
        zoom.subscribe(failing)
        zoom.clear()
        return zoom

    events = [provider(True).fake("meeting.started") for _ in range(RETRY_EVENTS)]
    played: list[float] = []

    def chains() -> None:
        zoom = provider(True)
        for event in events:
            zoom.send(event)
        zoom.run_until_idle()
        played.append(zoom.clock() - 1.79e9)

    def attempts() -> None:
        zoom = provider(False)
        for event in events:
            for _ in range(4):
                zoom.send(event)

    subject = Timed("100 retry chains", chains)
    baseline = Timed("400 attempts", attempts)
    interleave([subject, baseline], rounds=args.rounds, round_seconds=args.round_seconds)
    if args.profile:
        _profile("100 retry chains", chains, None, args.profile_top)
    minutes = statistics.median(played) / 60
    return [
        Result(
            "retries",
            "retries.chain_100_events",
            f"{RETRY_EVENTS} full retry chains / the same {4 * RETRY_EVENTS} attempts unscheduled",
            subject.median,
            baseline.median,
            paired_ratios(subject.samples, baseline.samples),
            note=f"{minutes:.0f} min of provider time played in "
            f"{subject.median * 1000:.0f} ms of wall time (4 attempts per event, the last dropped)",
        )
    ]


# -- 7. the conformance battery against a correct receiver -----------------------------------------


def bench_battery(args: argparse.Namespace) -> list[Result]:
    """``zoom.check(app)`` against the same number of plain sends to the same receiver."""
    import hookmock

    app = _import_receiver()(SECRET)
    zoom = hookmock.Zoom(secret_token=SECRET, seed=1)
    report = zoom.check(app, path=WEBHOOK_PATH)
    if not report.passed:
        failed = ", ".join(r.id for r in report.failures + report.inconclusive)
        raise BenchmarkError(f"battery: the example receiver did not pass ({failed})")
    deliveries = sum(len(r.deliveries) for r in report.results) + len(report.diagnostics)
    zoom.subscribe(app, path=WEBHOOK_PATH)

    def reset() -> None:
        zoom.clear()
        app.config["MEETINGS_STARTED"].clear()
        app.config["RECORDINGS"].clear()

    def battery() -> None:
        zoom.check(app, path=WEBHOOK_PATH)

    def sends() -> None:
        for _ in range(deliveries):
            zoom.send("meeting.started")

    subject = Timed("battery", battery, reset)
    baseline = Timed("plain sends", sends, reset)
    interleave([subject, baseline], rounds=args.rounds, round_seconds=args.round_seconds)
    if args.profile:
        _profile("the battery", battery, reset, args.profile_top)
    return [
        Result(
            "battery",
            "battery.correct_receiver",
            f"the conformance battery ({len(report.results)} checks) / {deliveries} plain sends",
            subject.median,
            baseline.median,
            paired_ratios(subject.samples, baseline.samples),
            f"<= {BATTERY_TARGET_SECONDS:g} s",
            subject.median <= BATTERY_TARGET_SECONDS,
            note=f"{subject.median * 1000:.0f} ms for the whole battery ({deliveries} deliveries, "
            "one of them a 5 MB body) against a correct in-process receiver",
        )
    ]


# -- profiling ------------------------------------------------------------------------------------


def _profile(
    label: str, fn: Callable[[], object], reset: Callable[[], None] | None, top: int
) -> None:
    if reset is not None:
        reset()
    iterations = 2000
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(iterations):
        fn()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.strip_dirs().sort_stats("tottime").print_stats(top)
    print(f"\n== cProfile: {label}, {iterations} calls, top {top} by own time ==")
    print("\n".join(line for line in out.getvalue().splitlines()[4:] if line.strip()))


# -- main -----------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="hookmock's benchmarks: ratios against baselines measured in the same run."
    )
    parser.add_argument("--strict", action="store_true", help="Exit 1 when a target is missed.")
    parser.add_argument("--json", metavar="FILE", help="Also write the figures to FILE as JSON.")
    parser.add_argument(
        "--only",
        metavar="NAMES",
        default=",".join(BENCHMARKS),
        help=f"Comma-separated benchmarks to run (default: all of {', '.join(BENCHMARKS)}).",
    )
    parser.add_argument(
        "--rounds", type=int, default=11, help="Interleaved rounds per in-process benchmark."
    )
    parser.add_argument(
        "--round-seconds",
        type=float,
        default=0.04,
        help="About how long one round of one subject or baseline lasts.",
    )
    parser.add_argument(
        "--startup-runs", type=int, default=10, help="pytest runs with and without the plugin."
    )
    parser.add_argument(
        "--profile", action="store_true", help="Also print a cProfile summary of each subject."
    )
    parser.add_argument("--profile-top", type=int, default=15, help="Rows per cProfile summary.")
    args = parser.parse_args(argv)
    args.only = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = sorted(set(args.only) - set(BENCHMARKS))
    if unknown:
        parser.error(
            f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}"
        )
    if args.rounds < 1 or args.startup_runs < 1 or args.round_seconds <= 0:
        parser.error("--rounds and --startup-runs must be at least 1, --round-seconds positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    runners = {
        "send": bench_send,
        "startup": bench_startup,
        "validation": bench_validation,
        "generation": bench_generation,
        "catalog": bench_catalog,
        "retries": bench_retries,
        "battery": bench_battery,
    }
    began = time.perf_counter()
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(line_buffering=True)  # `make bench` pipes it: no waiting
    print(
        f"hookmock benchmarks: Python {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs; {args.rounds} interleaved rounds of ~{args.round_seconds * 1e3:g} "
        f"ms each; ratio = median of per-round subject/baseline ratios; range = min-max"
    )
    results: list[Result] = []
    chosen = [name for name in BENCHMARKS if name in args.only]
    try:
        for number, name in enumerate(chosen, start=1):
            # Each figure is printed as its benchmark finishes; the table at the end repeats them.
            print(f"\n[{number}/{len(chosen)}] {name}: measuring...", flush=True)
            done = runners[name](args)
            for row in done:
                print("\n".join(format_result(row)), flush=True)
            results += done
    except BenchmarkError as exc:
        print(f"benchmark setup failed: {exc}", file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - began
    print("\n== all figures ==")
    print_table(results)
    missed = [r for r in results if r.met is False]
    print()
    if "send" in args.only:
        print(
            "The send benchmark clears zoom.deliveries and the receiver's records before each "
            "round (untimed); appending to them within a round is timed."
        )
    print(
        f"{len(missed)} of {sum(r.met is not None for r in results)} targets missed"
        + (": " + "; ".join(r.name.strip() for r in missed) if missed else "")
        + f". Total time {elapsed:.1f} s."
    )
    if args.json:
        document = {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "rounds": args.rounds,
            "round_seconds": args.round_seconds,
            "startup_runs": args.startup_runs,
            "elapsed_seconds": elapsed,
            "all_met": not missed,
            "results": [r.as_json() for r in results],
        }
        Path(args.json).write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        print(f"figures written to {args.json}")
    return 1 if missed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
