"""hookmock's benchmarks: every figure against a baseline measured in the same run.

The machines that run this are shared and noisy, so no figure is compared with one from another
run. Each benchmark times its subject and its baseline in interleaved rounds (the order reversed
every other round), in wall time and CPU time; a ratio is the median of the per-round ratios,
shown with its minimum and maximum. Each figure states its goal and whether it is met.

Run it with ``make bench`` (or ``python benchmarks/run.py --only send,serve --quick``). It prints
each figure as its benchmark finishes, then the whole table, and writes every figure to a JSON file
(``benchmarks/results.json`` unless ``--json FILE`` or ``HOOKMOCK_BENCH_JSON`` says otherwise). It
exits 0, or 1 when a goal is missed and ``--strict`` is given, or 2 when a benchmark could not be
set up (a receiver that does not acknowledge would make every figure meaningless). The start-up
figures run in virtual environments made once in ``.bench-venvs/``. Nothing here is a test: the
test suite asserts no timing.

Figures (see the README's benchmark section for each one's goal):

- ``http``: ``zoom.send`` of a pre-built event to a loopback receiver (bare sockets; werkzeug), in a
  process of its own, against ``http.client`` posting the same bytes with the same headers.
- ``send``: ``zoom.send`` to the example Flask receiver in-process against posting the same
  pre-built body with Flask's ``test_client``, for three cases and for every catalog event; for
  the slowest events, the same send without generation (a pre-built event) and the least that
  drawing bodies of their shapes costs in a send.
- ``catalog``: generating and signing every catalog event round-robin, events per second on one
  core, against ``json.dumps`` and an HMAC of pre-built bodies (and against an older commit with
  ``--against REV``).
- ``first-send``: a new process that imports hookmock, makes a Zoom and sends one event.
- ``cli``: ``hookmock --help`` and ``hookmock fake EVENT`` against ``python -c pass``.
- ``startup``: ``pytest --collect-only`` of a small test file in a venv with hookmock installed
  against one without; the same for pytest-httpserver; faker's own plugin shown apart.
- ``teardown``: stopping the mock server, idle and after a request, against pytest-httpserver's.
- ``serve``: ``hookmock serve``'s trigger throughput against a bare werkzeug JSON endpoint, at the
  start and after many deliveries, and ``GET /_hookmock/deliveries?limit=10`` as the log grows.
- ``memory``: memory kept per delivery (tracemalloc), and whether a cap on the log exists.
- ``validation``, ``generation``, ``retries``, ``battery``: further figures on the send path.
- ``locust``: the load generator of ``hookmock load``: deliveries drawn and signed per
  CPU-second in :class:`hookmock.locust.ZoomUser`'s code path (pooled bodies, and every body
  generated) against an HMAC of a pre-built body; and Locust itself, ``FastHttpUser`` against
  ``HttpUser``, sending those deliveries to a bare-socket receiver, per CPU-second of its
  process; the generator's headroom is the first over the second.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import hmac
import http.client
import io
import itertools
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import venvs
from core import (
    BenchmarkError,
    Result,
    Samples,
    Timed,
    duration,
    format_result,
    interleave,
    print_table,
    process_cpu,
    show_progress,
    spawn,
)

ROOT = Path(__file__).resolve().parent.parent
HELPERS = Path(__file__).resolve().parent / "helpers.py"
SECRET = "bench-secret-token-0001"
WEBHOOK_PATH = "/zoom/webhook"
BASE_URL = "https://receiver.test"
HEAVY_MODULES = ("faker", "jsonschema", "werkzeug")
BENCHMARKS = (
    "http",
    "send",
    "catalog",
    "first-send",
    "cli",
    "startup",
    "teardown",
    "serve",
    "memory",
    "validation",
    "generation",
    "retries",
    "battery",
    "providers",
    "locust",
)
DEFAULT_JSON = ROOT / "benchmarks" / "results.json"

# Goals, from the project's performance plan.
HTTP_GOAL = 0.9  # throughput of zoom.send over HTTP / bare http.client, at least
SEND_GOAL = 0.8  # in-process send / test_client, at most, for every event
CATALOG_GOAL = 10_000  # events generated and signed per second on one core, at least
FIRST_SEND_GOAL = 0.020  # seconds after the imports, at most
HELP_GOAL = 3.0  # hookmock --help / python -c pass, at most
FAKE_GOAL = 5.0  # hookmock fake EVENT / python -c pass, at most
STARTUP_GOAL = 1.10  # pytest --collect-only with hookmock / without, at most
TEARDOWN_GOAL = 0.005  # seconds to stop the mock server, at most
SERVE_GOAL = 0.6  # trigger throughput / bare werkzeug JSON endpoint, at least
FLAT_GOAL = 1.5  # a figure after many deliveries / the same at the start, at most
MEMORY_GOAL = 1.5  # KB kept per delivery, at most
BATTERY_GOAL = 3.0  # seconds for the whole battery against a correct receiver, at most
LOCUST_GOAL = 10.0  # deliveries drawn and signed per CPU-second / deliveries sent, at least

SEND_VARIANTS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("meeting.started", {}),
    ("meeting.started", {"topic": "Q3 review"}),
    ("recording.completed", {}),
)


def _env() -> dict[str, str]:
    """The subprocesses' environment, without what would change which plugins or code load."""
    drop = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP")
    return {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_") and k not in drop}


def _say(text: str) -> None:
    print(f"  {text}", flush=True)


# -- servers in processes of their own ------------------------------------------------------------


@contextlib.contextmanager
def _server(
    argv: Sequence[str], cwd: str | Path = ROOT
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """Start a server that prints its port or URL on its first line; stop it on leaving."""
    proc = subprocess.Popen(
        list(argv),
        cwd=cwd,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline().strip()
        if not first:
            raise BenchmarkError(f"{' '.join(argv)} printed no address (exit {proc.poll()})")
        # Keep reading what it prints, so that a full pipe never blocks it.
        threading.Thread(target=proc.stdout.read, daemon=True).start()
        yield proc, first
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _helper(python: Path | str, *args: str) -> list[str]:
    return [str(python), str(HELPERS), *args]


def _post(
    port: int, path: str, body: bytes, headers: Sequence[tuple[str, str]], method: str = "POST"
) -> tuple[int, bytes]:
    """One request on a new connection, the headers written as given (no Host added)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for name, value in headers:
            conn.putheader(name, value)
        conn.endheaders(body if method == "POST" else None)
        answer = conn.getresponse()
        return answer.status, answer.read()
    finally:
        conn.close()


# -- http: delivery over HTTP ---------------------------------------------------------------------


def bench_http(args: argparse.Namespace) -> list[Result]:
    import hookmock

    results: list[Result] = []
    for kind, label in (("raw", "bare-socket receiver"), ("werkzeug", "werkzeug receiver")):
        with _server(_helper(sys.executable, kind, SECRET)) as (_, first):
            port = int(first)
            zoom = hookmock.Zoom(secret_token=SECRET, seed=1)
            zoom.subscribe(f"http://127.0.0.1:{port}{WEBHOOK_PATH}")
            event = zoom.fake("meeting.started")
            model = zoom.send(event)
            if not model.acknowledged or model.status != 204:
                raise BenchmarkError(f"http {kind}: the receiver answered {model.status}, not 204")
            body, headers = model.request.body, list(model.request.headers)
            if not any(k.lower() == "host" for k, _ in headers):
                headers.insert(0, ("Host", f"127.0.0.1:{port}"))
            if _post(port, WEBHOOK_PATH, body, headers)[0] != 204:
                raise BenchmarkError(f"http {kind}: http.client's post was not answered 204")

            def send(zoom: Any = zoom, event: Any = event) -> object:
                return zoom.send(event)

            def bare(port: int = port, body: bytes = body, headers: Any = headers) -> object:
                return _post(port, WEBHOOK_PATH, body, headers)

            subject = Timed("zoom.send", send, zoom.clear)
            baseline = Timed("http.client", bare)
            interleave(
                [subject, baseline],
                rounds=args.rounds,
                round_seconds=args.http_round_seconds,
                progress=f"http {kind}",
            )
            if not all(d.acknowledged for d in zoom.deliveries):
                raise BenchmarkError(f"http {kind}: some timed deliveries were not acknowledged")
            result = Result(
                "http",
                f"http.{kind}",
                f"HTTP delivery / http.client, {label}",
                subject.samples,
                baseline.samples,
                throughput=True,
                goal=f">= {HTTP_GOAL}",
                note=f"throughput ratio; {1 / subject.median:,.0f} sends/s against "
                f"{1 / baseline.median:,.0f} posts/s, new connection each; the receiver runs "
                "in a process of its own, so CPU time is the sender's",
            )
            result.met = result.value is not None and result.value >= HTTP_GOAL
            results.append(result)
    return results


# -- send: in-process against Flask's test_client -------------------------------------------------


def _import_receiver() -> Callable[[str], Any]:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from examples.flask_receiver.app import create_app

    return create_app


def _send_pair(zoom: Any, app: Any, event: str, fields: dict[str, Any]) -> tuple[Timed, Timed]:
    """``zoom.send(event)`` and Flask's test_client posting the bytes of one real delivery."""
    model = zoom.send(event, **fields)
    if not model.acknowledged:
        raise BenchmarkError(f"send {event}: the receiver answered {model.status}")
    body, headers = model.request.body, list(model.request.headers)
    client = app.test_client()

    def post() -> Any:
        return client.post(WEBHOOK_PATH, base_url=BASE_URL, data=body, headers=headers)

    if post().status_code != model.status:
        raise BenchmarkError(f"test_client {event}: the receiver answered otherwise than to send")

    def reset() -> None:
        # The log would otherwise grow for the whole run; appends within a round are timed.
        zoom.clear()
        app.config["MEETINGS_STARTED"].clear()
        app.config["RECORDINGS"].clear()

    def send() -> object:
        return zoom.send(event, **fields)

    return Timed("send", send, reset), Timed("test_client", post, reset)


def _shape_floor(data: Any) -> tuple[Callable[[], bytes], int]:
    """A body of *data*'s shape drawn at the least a generator can spend: each value one pick
    from a pool of 200 strings, the whole written by orjson. Returns the function and how many
    values it draws."""
    import random

    import orjson

    drawn = 0

    def display(value: Any) -> str:
        nonlocal drawn
        if isinstance(value, dict):
            return "{" + ", ".join(f"{key!r}: {display(v)}" for key, v in value.items()) + "}"
        if isinstance(value, list):
            return "[" + ", ".join(map(display, value)) + "]"
        drawn += 1
        return "pool[int(r() * 200)]"

    namespace: dict[str, Any] = {
        "pool": tuple(f"value-{i}" for i in range(200)),
        "r": random.Random(0).random,
        "dumps": orjson.dumps,
    }
    exec(f"def body():\n    return dumps({display(data)})\n", namespace)
    return namespace["body"], drawn


#: The steps of generating an event in a send, in order; "the rest" is what is left: writing
#: the JSON text, making the event's record, and what a send does with an event's name.
_STEPS = ("seeding", "drawing", "rules", "the rest")


def _generation_steps(zoom: Any, event: str, built: Any, reset: Callable[[], None]) -> list[Timed]:
    """The send of *built* with the first steps of generating *event* before it: seeding the
    event's generator; that and drawing its body; those and its consistency rules (hookmock's
    own internals: what each step costs, in a send)."""
    import random

    from hookmock.generate import fake
    from hookmock.generate.kinds import Context

    profile = zoom.adapter.generation
    plan = fake._plan(event, "zoom", fake.revision("zoom"), profile)
    rng = random.Random()
    now = 1_795_000_000.0
    seeds = itertools.count(1).__next__

    def seeding() -> object:
        fake._reseed(rng, seeds())
        return zoom.send(built)

    def drawing() -> object:
        fake._reseed(rng, seeds())
        plan.draw(Context(rng, now))
        return zoom.send(built)

    def rules() -> object:
        fake.generate(event, seed=seeds(), now=now, provider="zoom", profile=profile)
        return zoom.send(built)

    timed = (seeding, drawing, rules)
    return [Timed(name, fn, reset) for name, fn in zip(_STEPS[: len(timed)], timed, strict=True)]


def _send_parts(
    zoom: Any, app: Any, event: str, args: argparse.Namespace
) -> tuple[Result, dict[str, float]]:
    """How much of a send of *event* its generation takes, and how much the goal leaves it:
    ``zoom.send(event)``, ``zoom.send`` of one pre-built event (its bytes signed and delivered
    again, nothing generated), Flask's test_client, and :func:`_shape_floor` of the event, in
    the same rounds."""
    subject, baseline = _send_pair(zoom, app, event, {})
    built = zoom.fake(event)
    # Bodies vary in size from seed to seed (lists of one to three, optional fields): the floor
    # goes round the shapes of several.
    floors = [_shape_floor(zoom.fake(event).data) for _ in range(16)]
    values = statistics.mean(n for _, n in floors)
    turn = iter(itertools.cycle([floor for floor, _ in floors])).__next__
    prebuilt = Timed("send pre-built", lambda: zoom.send(built), subject.reset)

    def floor_and_send() -> object:
        turn()()
        return zoom.send(built)

    shape = Timed("send pre-built, floor", floor_and_send, subject.reset)
    steps = _generation_steps(zoom, event, built, subject.reset)
    interleave(
        [subject, prebuilt, baseline, shape, *steps],
        rounds=args.rounds,
        round_seconds=args.round_seconds,
        progress=f"send {event}, generation apart",
    )
    micro = {
        "send": subject.median * 1e6,
        "prebuilt": prebuilt.median * 1e6,
        "test_client": baseline.median * 1e6,
        "floor": (shape.median - prebuilt.median) * 1e6,
    }
    # Each step's share: what it adds to the one before it, the first to the pre-built send.
    before = prebuilt.median
    for step in steps:
        micro[step.name] = (step.median - before) * 1e6
        before = step.median
    micro["the rest"] = (subject.median - before) * 1e6
    generation = micro["send"] - micro["prebuilt"]
    budget = SEND_GOAL * micro["test_client"] - micro["prebuilt"]
    result = Result(
        "send",
        f"send.{event}.prebuilt",
        f"send of a pre-built {event} / test_client",
        prebuilt.samples,
        baseline.samples,
        note=(
            f"nothing generated; generating it costs {generation:.0f} µs of a send "
            f"({micro['send']:.0f} µs); at {SEND_GOAL} it may cost {budget:.0f} µs; bodies of "
            f"its shapes ({values:.0f} values on average), each value one pool pick and "
            f"written by orjson, cost {micro['floor']:.0f} µs in a send; of the generation, "
            + ", ".join(f"{name} {micro[name]:.0f} µs" for name in _STEPS)
        ),
    )
    return result, micro


def bench_send(args: argparse.Namespace) -> list[Result]:
    import hookmock

    create_app = _import_receiver()
    app = create_app(SECRET)
    zoom = hookmock.Zoom(secret_token=SECRET, seed=1)
    zoom.subscribe(app, path=WEBHOOK_PATH)
    results: list[Result] = []
    #: The events measured with full rounds: candidates for the worst of the catalog.
    plain: list[tuple[float, str, Samples, Samples]] = []
    for event, fields in SEND_VARIANTS:
        label = event + "".join(f" {k}={v!r}" for k, v in fields.items())
        subject, baseline = _send_pair(zoom, app, event, fields)
        interleave(
            [subject, baseline],
            rounds=args.rounds,
            round_seconds=args.round_seconds,
            progress=f"send {label}",
        )
        result = Result(
            "send",
            "send." + event + "".join(f"+{k}" for k in fields),
            f"send {label} / test_client",
            subject.samples,
            baseline.samples,
            goal=f"<= {SEND_GOAL}",
        )
        result.met = result.value is not None and result.value <= SEND_GOAL
        results.append(result)
        if not fields and result.value is not None:
            plain.append((result.value, event, subject.samples, baseline.samples))

    # Every event of the catalog, with fewer and shorter rounds: the worst one is the figure.
    names = list(zoom.event_names())[:: args.sweep_step]
    per_event: list[tuple[float, str, Samples, Samples]] = []
    for number, name in enumerate(names, start=1):
        subject, baseline = _send_pair(zoom, app, name, {})
        interleave([subject, baseline], rounds=args.sweep_rounds, round_seconds=0.01, collect=False)
        # In CPU time: a round of 10 ms that another process preempts doubles its wall time, and
        # an event so measured would take the place of a slow one among those measured again.
        ratio = statistics.median(
            s / b for s, b in zip(subject.samples.cpu, baseline.samples.cpu, strict=True)
        )
        per_event.append((ratio, name, subject.samples, baseline.samples))
        show_progress(
            f"send, every event: {number}/{len(names)} ({name})",
            done=number == len(names),
            milestone=number % 100 == 0,
        )
    per_event.sort(key=lambda item: -item[0])
    meeting = sum(r <= SEND_GOAL for r, *_ in per_event)
    # Short rounds on a shared machine make some events look slow by chance: the worst few are
    # measured again with full rounds, and the worst of those is the figure.
    again = list(plain)
    measured = {name for _, name, *_ in plain}
    slowest = [name for _, name, *_ in per_event if name not in measured]
    for name in slowest[: args.sweep_remeasure]:
        subject, baseline = _send_pair(zoom, app, name, {})
        interleave(
            [subject, baseline],
            rounds=args.rounds,
            round_seconds=args.round_seconds,
            progress=f"send {name}, measured again",
        )
        ratio = statistics.median(
            s / b for s, b in zip(subject.samples.wall, baseline.samples.wall, strict=True)
        )
        again.append((ratio, name, subject.samples, baseline.samples))
    again.sort(key=lambda item: -item[0])
    worst_ratio, _, worst_subject, worst_baseline = again[0]
    worst = ", ".join(f"{name} {r:.2f}" for r, name, *_ in again[:3])
    results.append(
        Result(
            "send",
            "send.catalog.worst",
            f"send / test_client, worst of {len(names)} catalog events",
            worst_subject,
            worst_baseline,
            value=worst_ratio,
            goal=f"<= {SEND_GOAL}",
            met=worst_ratio <= SEND_GOAL,
            note=f"{meeting} of {len(names)} events meet the goal in a sweep of "
            f"{args.sweep_rounds} rounds of ~10 ms each (CPU time)"
            + (f" (every {args.sweep_step}th event)" if args.sweep_step > 1 else "")
            + f"; median event {statistics.median(r for r, *_ in per_event):.2f}; the "
            f"{len(again) - len(plain)} worst measured again like the rows above; worst of "
            f"those and the rows above: {worst}",
        )
    )
    # Where the time of the largest events goes: the send without its generation, and the
    # least that drawing a body of the same shape costs.
    apart = dict.fromkeys(["recording.completed", *(name for _, name, *_ in again[:2])])
    for name in apart:
        results.append(_send_parts(zoom, app, name, args)[0])
    return results


# -- catalog: generation and signing --------------------------------------------------------------


def bench_catalog(args: argparse.Namespace) -> list[Result]:
    import hookmock

    zoom = hookmock.Zoom(secret_token=SECRET, seed=1)
    names = zoom.event_names()
    now = 1_795_000_000.0
    key = SECRET.encode()
    stamp = b"v0:1795000000:"
    prebuilt = [zoom.fake(name, now=now).data for name in names]
    for name in names:  # each event's second body compiles its rules: the rate is the steady one
        zoom.fake(name, now=now)

    def every_event() -> None:
        # One operation is one round-robin pass over the catalog, each event with a new seed.
        for name in names:
            body = zoom.fake(name, now=now).body
            hmac.new(key, stamp + body, hashlib.sha256).hexdigest()

    def dumps_and_sign() -> None:
        for data in prebuilt:
            body = json.dumps(data).encode()
            hmac.new(key, stamp + body, hashlib.sha256).hexdigest()

    subject = Timed("generate+sign", every_event)
    baseline = Timed("json.dumps+hmac", dumps_and_sign)
    interleave(
        [subject, baseline],
        rounds=args.rounds,
        round_seconds=max(args.round_seconds, 0.2),
        progress="catalog",
    )
    per_event = Samples(
        [t / len(names) for t in subject.samples.wall],
        [t / len(names) for t in subject.samples.cpu],
    )
    rate = 1 / statistics.median(per_event.cpu)
    best = 1 / min(per_event.cpu)
    results = [
        Result(
            "catalog",
            "catalog.events_per_second",
            f"generate+sign, all {len(names)} events, per CPU-second",
            subject.samples,
            baseline.samples,
            value=rate,
            unit="events/s",
            shown=f"{rate / 1000:.1f}k/s",
            goal=f">= {CATALOG_GOAL // 1000}k/s",
            met=rate >= CATALOG_GOAL,
            note=f"median {rate:,.0f}, best round {best:,.0f} events per CPU-second; the ratio "
            "is against json.dumps + HMAC of a pre-built body of each event (the floor)",
        )
    ]
    if args.against:
        results.append(_catalog_against(args, rate))
    else:
        results.append(
            Result(
                "catalog",
                "catalog.vs_older",
                "  against an older commit (--against REV)",
                goal=">= 2x",
                note="not measured in this run: give --against REV (or HOOKMOCK_BENCH_AGAINST) "
                "to measure the same in a venv with that commit installed",
            )
        )
    return results


def _catalog_against(args: argparse.Namespace, rate: float) -> Result:
    """The catalog rate of this checkout against an older commit's, in interleaved processes."""
    _say(f"setting up hookmock as of {args.against}...")
    now_python = venvs.with_hookmock()
    old_python, sha = venvs.at_revision(args.against)
    seconds = 1.0 if args.quick else 2.0
    ours, theirs = Samples(), Samples()
    with tempfile.TemporaryDirectory(prefix="hookmock-bench-") as tmp:
        for r in range(max(3, args.rounds // 2)):
            pair = ((ours, now_python), (theirs, old_python))
            for samples, python in pair if r % 2 == 0 else reversed(pair):
                proc = spawn(_helper(python, "catalog", str(seconds)), tmp, _env())
                if proc.returncode != 0:
                    raise BenchmarkError(f"the catalog probe failed:\n{proc.stderr[-2000:]}")
                found = json.loads(proc.stdout)
                samples.add(found["wall"] / found["events"], found["cpu"] / found["events"])
    result = Result(
        "catalog",
        "catalog.vs_older",
        f"  generate+sign, this checkout / {sha[:10]}",
        ours,
        theirs,
        throughput=True,
        goal=">= 2x",
        note=f"CPU-time throughput ratio, each in a process of its own, public API only; "
        f"{1 / statistics.median(ours.cpu):,.0f} against {1 / statistics.median(theirs.cpu):,.0f}"
        " events per CPU-second",
    )
    # Per core: the CPU-time ratio (a process waiting for a core shows in wall time only).
    cpu = result.cpu_ratios
    result.value = statistics.median(cpu) if cpu else None
    result.shown = f"{result.value:.2f}x" if result.value is not None else "-"
    result.met = result.value is not None and result.value >= 2.0
    return result


# -- first send in a new process ------------------------------------------------------------------


def bench_first_send(args: argparse.Namespace) -> list[Result]:
    python = venvs.with_hookmock()
    after, second = Samples(), Samples()
    imports: list[float] = []
    first_only: list[float] = []
    with tempfile.TemporaryDirectory(prefix="hookmock-bench-") as tmp:
        for run in range(args.startup_runs):
            proc = spawn(_helper(python, "first-send", SECRET), tmp, _env())
            if proc.returncode != 0:
                raise BenchmarkError(f"the first-send probe failed:\n{proc.stderr[-2000:]}")
            found = json.loads(proc.stdout)
            after.add(found["after_import"], found["after_import_cpu"])
            second.add(found["second_send"], found["second_send_cpu"])
            imports.append(found["import"])
            first_only.append(found["first_send"])
            show_progress(
                f"first send: process {run + 1}/{args.startup_runs}",
                done=run + 1 == args.startup_runs,
            )
    value = statistics.median(after.wall)
    return [
        Result(
            "first-send",
            "first_send.after_import",
            "first send in a new process (after import) / 2nd send",
            after,
            second,
            value=value,
            unit="s",
            shown=duration(value),
            goal=f"<= {FIRST_SEND_GOAL * 1e3:g} ms",
            met=value <= FIRST_SEND_GOAL,
            note=f"make a Zoom, subscribe a trivial WSGI app (URL validation), send one event; "
            f"of which the send {duration(statistics.median(first_only))}; import hookmock "
            f"{duration(statistics.median(imports))}, not counted; {len(imports)} processes",
        )
    ]


# -- the command line's start-up ------------------------------------------------------------------


def _interleaved_runs(
    commands: dict[str, list[str]], runs: int, cwd: str, label: str
) -> dict[str, Samples]:
    found = {name: Samples() for name in commands}
    order = list(commands)
    for run in range(runs):
        for name in order if run % 2 == 0 else reversed(order):
            proc = spawn(commands[name], cwd, _env())
            if proc.returncode not in (0, 5):
                raise BenchmarkError(
                    f"{' '.join(commands[name])} exited {proc.returncode}:\n"
                    f"{proc.stdout[-1500:]}{proc.stderr[-1500:]}"
                )
            found[name].add(proc.wall, proc.cpu)
        show_progress(f"{label}: run {run + 1}/{runs}", done=run + 1 == runs)
    return found


def bench_cli(args: argparse.Namespace) -> list[Result]:
    python = venvs.with_hookmock()
    hookmock = str(python.parent / "hookmock")
    commands = {
        "pass": [str(python), "-c", "pass"],
        "help": [hookmock, "--help"],
        "fake": [hookmock, "fake", "meeting.started", "--seed", "7"],
    }
    with tempfile.TemporaryDirectory(prefix="hookmock-bench-") as tmp:
        for argv in commands.values():  # warm the OS's file cache
            spawn(argv, tmp, _env())
        found = _interleaved_runs(commands, args.startup_runs, tmp, "cli")
    results = []
    for name, label, goal in (
        ("help", "hookmock --help", HELP_GOAL),
        ("fake", "hookmock fake meeting.started", FAKE_GOAL),
    ):
        result = Result(
            "cli",
            f"cli.{name}",
            f"{label} / python -c pass",
            found[name],
            found["pass"],
            goal=f"<= {goal:g}x",
            note=f"{args.startup_runs} runs each, interleaved, installed from a wheel in "
            f"{venvs.CACHE.name}/hookmock",
        )
        result.shown = f"{result.value:.1f}x" if result.value is not None else "-"
        result.met = result.value is not None and result.value <= goal
        results.append(result)
    return results


# -- pytest start-up as a user meets it -----------------------------------------------------------

SMALL_TEST_FILE = """\
import json


def test_parses():
    assert json.loads("{}") == {}


def test_adds():
    assert 1 + 1 == 2
"""


def bench_startup(args: argparse.Namespace) -> list[Result]:
    bare, with_hookmock, peer = venvs.bare(), venvs.with_hookmock(), venvs.peer()
    collect = ["-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "test_small.py"]
    commands = {
        "bare": [str(bare), *collect],
        "hookmock": [str(with_hookmock), *collect],
        "hookmock_no_faker": [str(with_hookmock), *collect, "-p", "no:faker"],
        "hookmock_disabled": [str(with_hookmock), *collect, "-p", "no:hookmock", "-p", "no:faker"],
        "peer": [str(peer), *collect],
    }
    with tempfile.TemporaryDirectory(prefix="hookmock-bench-") as tmp:
        Path(tmp, "test_small.py").write_text(SMALL_TEST_FILE, encoding="utf-8")
        loaded = spawn([str(with_hookmock), *collect[:-1], "-v", "test_small.py"], tmp, _env())
        if "hookmock: provider zoom" not in loaded.stdout:
            raise BenchmarkError(f"the plugin did not load in the venv:\n{loaded.stdout[:800]}")
        for argv in commands.values():
            spawn(argv, tmp, _env())
        found = _interleaved_runs(commands, args.startup_runs, tmp, "pytest --collect-only")
        heavy = _heavy_modules(with_hookmock, tmp)
    rows = (
        ("hookmock_no_faker", "hookmock's own: venv with hookmock, -p no:faker / without", True),
        ("hookmock", "  the same with faker's pytest plugin (as installed)", False),
        ("hookmock_disabled", "  venv with hookmock, -p no:hookmock -p no:faker / without", False),
        ("peer", "  peer: venv with pytest-httpserver / without", False),
    )
    results = []
    for name, label, has_goal in rows:
        result = Result(
            "startup",
            f"startup.{name}",
            label,
            found[name],
            found["bare"],
            goal=f"<= {STARTUP_GOAL:g}" if has_goal else "-",
        )
        if has_goal:
            result.met = result.value is not None and result.value <= STARTUP_GOAL
            result.note = (
                f"pytest --collect-only of a two-test file, {args.startup_runs} runs each, "
                f"interleaved; the baseline is a venv with only {venvs.pytest_requirement()}"
            )
        results.append(result)
    results.append(heavy)
    return results


def _heavy_modules(python: Path, cwd: str) -> Result:
    """Which heavy modules a pytest session imports because of hookmock's plugin."""

    def session(extra: list[str]) -> set[str]:
        code = (
            "import sys, pytest\n"
            f"pytest.main(['--collect-only', '-q', '-p', 'no:cacheprovider', *{extra!r}, "
            "'test_small.py'])\n"
            f"print('MODULES', *(m for m in {HEAVY_MODULES!r} if m in sys.modules))\n"
        )
        proc = spawn([str(python), "-c", code], cwd, _env())
        line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("MODULES")), None)
        if line is None:
            raise BenchmarkError(f"the import check failed:\n{proc.stdout}{proc.stderr}")
        return set(line.split()[1:])

    with_plugin = session(["-p", "no:faker"])
    without = session(["-p", "no:faker", "-p", "no:hookmock"])
    blamed = sorted(with_plugin - without)
    return Result(
        "startup",
        "startup.heavy_imports",
        "  faker, jsonschema, werkzeug not imported by the plugin",
        shown=", ".join(blamed) or "none",
        unit="modules",
        goal="none",
        met=not blamed,
        note=f"imported because of hookmock: {', '.join(blamed)}" if blamed else "",
    )


# -- teardown: stopping the mock server -----------------------------------------------------------

TEARDOWN_CONFTEST = """\
import json
import os
import time

import pytest


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        return (yield)
    finally:
        with open(os.environ["BENCH_TEARDOWN_OUT"], "w") as out:
            json.dump([time.perf_counter() - wall, time.process_time() - cpu], out)
"""

TEARDOWN_TESTS = {
    "hookmock": """\
import urllib.request


def test_idle(hookmock_server):
    assert hookmock_server.url


def test_request(hookmock_server):
    with urllib.request.urlopen(hookmock_server.url + "/_hookmock/state") as answer:
        assert answer.status == 200
""",
    "httpserver": """\
import urllib.request


def test_idle(httpserver):
    assert httpserver.url_for("/")


def test_request(httpserver):
    httpserver.expect_request("/state").respond_with_json({"ok": True})
    with urllib.request.urlopen(httpserver.url_for("/state")) as answer:
        assert answer.status == 200
""",
}


def bench_teardown(args: argparse.Namespace) -> list[Result]:
    """The teardown of a one-test session that used the mock server, as pytest runs it."""
    pythons = {"hookmock": venvs.with_hookmock(), "httpserver": venvs.peer()}
    results = []
    with tempfile.TemporaryDirectory(prefix="hookmock-bench-") as tmp:
        Path(tmp, "conftest.py").write_text(TEARDOWN_CONFTEST, encoding="utf-8")
        for kind, text in TEARDOWN_TESTS.items():
            Path(tmp, f"test_{kind}.py").write_text(text, encoding="utf-8")
        out = Path(tmp, "teardown.json")
        env = {**_env(), "BENCH_TEARDOWN_OUT": str(out)}
        for mode, label in (("idle", "idle"), ("request", "after one request")):
            found = {"hookmock": Samples(), "httpserver": Samples()}
            order = list(pythons)
            for run in range(args.startup_runs):
                for kind in order if run % 2 == 0 else reversed(order):
                    argv = [
                        str(pythons[kind]),
                        "-m",
                        "pytest",
                        "-q",
                        "-p",
                        "no:cacheprovider",
                        "-p",
                        "no:faker",
                        f"test_{kind}.py::test_{mode}",
                    ]
                    proc = spawn(argv, tmp, env)
                    if proc.returncode != 0:
                        raise BenchmarkError(
                            f"the {kind} teardown session failed:\n{proc.stdout[-2000:]}"
                        )
                    found[kind].add(*json.loads(out.read_text()))
                show_progress(
                    f"teardown {mode}: run {run + 1}/{args.startup_runs}",
                    done=run + 1 == args.startup_runs,
                )
            value = statistics.median(found["hookmock"].wall)
            results.append(
                Result(
                    "teardown",
                    f"teardown.{mode}",
                    f"session teardown, mock server {label} / pytest-httpserver",
                    found["hookmock"],
                    found["httpserver"],
                    value=value,
                    unit="s",
                    shown=duration(value),
                    goal=f"<= {TEARDOWN_GOAL * 1e3:g} ms",
                    met=value <= TEARDOWN_GOAL,
                    note="the teardown of a one-test session (its fixtures and the server's "
                    "stop); pytest-httpserver's: "
                    f"{duration(statistics.median(found['httpserver'].wall))}; "
                    f"{args.startup_runs} sessions each, interleaved",
                )
            )
    return results


# -- serve: the mock server's throughput as its log grows -----------------------------------------


class _Serve:
    """A running ``hookmock serve`` with one subscription to a bare-socket receiver."""

    def __init__(self, url: str, receiver_port: int) -> None:
        found = re.fullmatch(r"http://127\.0\.0\.1:(\d+)/?", url)
        if found is None:
            raise BenchmarkError(f"hookmock serve printed {url!r} first, not its base URL")
        self.port = int(found[1])
        self.host = f"127.0.0.1:{self.port}"
        basic = base64.b64encode(b"bench-client-id:bench-client-secret").decode()
        status, body = self.request(
            "POST",
            "/oauth/token?grant_type=client_credentials",
            b"",
            [("Authorization", f"Basic {basic}")],
        )
        if status != 200:
            raise BenchmarkError(f"hookmock serve: /oauth/token answered {status}: {body!r}")
        token = json.loads(body)["access_token"]
        subscription = {
            "events": ["meeting.started"],
            "event_subscription_name": "bench",
            "event_webhook_url": f"http://127.0.0.1:{receiver_port}{WEBHOOK_PATH}",
            "subscription_scope": "account",
        }
        status, body = self.request(
            "POST",
            "/v2/marketplace/app/event_subscription",
            json.dumps(subscription).encode(),
            [("Authorization", f"Bearer {token}"), ("Content-Type", "application/json")],
        )
        if status != 201:
            raise BenchmarkError(f"hookmock serve: subscribing answered {status}: {body!r}")
        self.trigger_body = json.dumps({"event": "meeting.started"}).encode()

    def request(
        self, method: str, path: str, body: bytes, headers: list[tuple[str, str]]
    ) -> tuple[int, bytes]:
        given = [("Host", self.host), ("Content-Length", str(len(body))), *headers]
        return _post(self.port, path, body, given, method)

    def trigger(self) -> None:
        status, body = self.request(
            "POST", "/_hookmock/trigger", self.trigger_body, [("Content-Type", "application/json")]
        )
        if status != 200:
            raise BenchmarkError(f"hookmock serve: /_hookmock/trigger answered {status}: {body!r}")

    def recent(self) -> None:
        status, _ = self.request("GET", "/_hookmock/deliveries?limit=10", b"", [])
        if status != 200:
            raise BenchmarkError(f"hookmock serve: /_hookmock/deliveries answered {status}")

    def total(self) -> int:
        _, body = self.request("GET", "/_hookmock/deliveries?limit=1", b"", [])
        return int(json.loads(body)["total"])


def bench_serve(args: argparse.Namespace) -> list[Result]:
    python = venvs.with_hookmock()
    hookmock = str(python.parent / "hookmock")
    has_cap = "--max-deliveries" in spawn([hookmock, "serve", "--help"], ROOT, _env()).stdout
    serve_argv = [
        hookmock,
        "serve",
        "--port",
        "0",
        "--quiet",
        "--seed",
        "1",
        "--secret-token",
        SECRET,
        "--client-id",
        "bench-client-id",
        "--client-secret",
        "bench-client-secret",
    ]
    results: list[Result] = []
    with contextlib.ExitStack() as stack:
        tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="hookmock-bench-"))
        _, receiver = stack.enter_context(_server(_helper(python, "raw", SECRET), tmp))
        serve_proc, url = stack.enter_context(_server(serve_argv, tmp))
        json_proc, json_port = stack.enter_context(_server(_helper(python, "json"), tmp))
        serve = _Serve(url, int(receiver))
        bare_port = int(json_port)
        bare_headers = [
            ("Host", f"127.0.0.1:{bare_port}"),
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(serve.trigger_body))),
        ]

        def bare_post() -> None:
            _post(bare_port, "/", serve.trigger_body, bare_headers)

        def bare_get() -> None:
            _post(bare_port, "/?limit=10", b"", bare_headers[:1], "GET")

        serve_cpu, bare_cpu = process_cpu(serve_proc.pid), process_cpu(json_proc.pid)
        round_seconds = max(args.http_round_seconds, 0.25)

        def phase(label: str, get_rounds: int) -> tuple[Result, Timed, Timed]:
            total = serve.total()
            subject = Timed("trigger", serve.trigger, cpu_clock=serve_cpu)
            baseline = Timed("bare", bare_post, cpu_clock=bare_cpu)
            interleave(
                [subject, baseline],
                rounds=args.rounds,
                round_seconds=round_seconds,
                progress=f"serve, {label}",
            )
            result = Result(
                "serve",
                f"serve.trigger.{label}",
                f"serve: trigger / bare werkzeug JSON endpoint, {total:,} in log",
                subject.samples,
                baseline.samples,
                throughput=True,
                goal=f">= {SERVE_GOAL}",
                note=f"throughput ratio; {1 / subject.median:,.0f} triggers/s (each delivered "
                f"to a bare-socket receiver) against {1 / baseline.median:,.0f} requests/s; "
                "CPU is each server process's",
            )
            result.met = result.value is not None and result.value >= SERVE_GOAL
            recent = Timed("deliveries?limit=10", serve.recent, cpu_clock=serve_cpu)
            bare = Timed("bare GET", bare_get, cpu_clock=bare_cpu)
            # Rounds of at least 0.3 s: a server's CPU time is read in 10 ms ticks.
            interleave(
                [recent, bare],
                rounds=get_rounds,
                round_seconds=0.3,
                progress=f"serve, deliveries?limit=10, {label}",
                collect=False,
            )
            return result, recent, bare

        while serve.total() < 100:
            serve.trigger()
        start, recent_start, bare_start = phase("start", max(args.rounds, 15))
        results.append(start)
        _fill(serve, args.serve_deliveries)
        end, recent_end, bare_end = phase("grown", max(3, min(args.rounds, 7)))
        total = serve.total()
        end.key = "serve.trigger.grown"
        end.met = (end.met or False) and _flat(start, end)
        end.goal = f">= {SERVE_GOAL}, flat"
        end.note += f"; at the start {start.shown}"
        results.append(end)
        value = statistics.median(recent_end.samples.wall)
        results.append(
            Result(
                "serve",
                "serve.deliveries_limit_10",
                f"  GET deliveries?limit=10, {total:,} in log / bare GET",
                recent_end.samples,
                bare_end.samples,
                value=value,
                unit="s",
                shown=duration(value),
                note=f"at the start: {duration(statistics.median(recent_start.samples.wall))}",
            )
        )
        growth = _median_ratio(recent_end.samples, bare_end.samples) / _median_ratio(
            recent_start.samples, bare_start.samples
        )
        results.append(
            Result(
                "serve",
                "serve.deliveries_limit_10.growth",
                "  the same, grown log / start (each / bare GET)",
                value=growth,
                shown=f"{growth:.2f}",
                goal=f"<= {FLAT_GOAL:g}",
                met=growth <= FLAT_GOAL,
                note="O(limit): the cost of a page must not grow with the log",
            )
        )
        results.append(
            Result(
                "serve",
                "serve.max_deliveries",
                "  hookmock serve --max-deliveries (a cap on the log)",
                shown="yes" if has_cap else "no cap",
                unit="flag",
                goal="exists",
                met=has_cap,
                note="" if has_cap else "hookmock serve --help lists no --max-deliveries",
            )
        )
    return results


def _median_ratio(subject: Samples, baseline: Samples) -> float:
    return statistics.median(s / b for s, b in zip(subject.wall, baseline.wall, strict=True))


def _flat(start: Result, end: Result) -> bool:
    if start.value is None or end.value is None:
        return False
    return end.value >= start.value / FLAT_GOAL


def _fill(serve: _Serve, target: int) -> None:
    have = serve.total()
    if have >= target:
        return
    began = time.perf_counter()
    step = max(1, (target - have) // 100)
    for n in range(have, target):
        serve.trigger()
        done = n - have + 1
        if done % step == 0 or n + 1 == target:
            rate = done / max(time.perf_counter() - began, 1e-9)
            show_progress(
                f"serve: filling the log {n + 1:,}/{target:,} ({rate:,.0f} triggers/s)",
                done=n + 1 == target,
                milestone=done % (step * 10) == 0,
            )


# -- memory kept per delivery ---------------------------------------------------------------------


def _trivial_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    if b"endpoint.url_validation" in body:
        plain = json.loads(body)["payload"]["plainToken"]
        digest = hmac.new(SECRET.encode(), plain.encode(), hashlib.sha256).hexdigest()
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps({"plainToken": plain, "encryptedToken": digest}).encode()]
    start_response("204 No Content", [])
    return []


def _memory_per_delivery(zoom: Any, count: int, *, fill: int = 0) -> tuple[float, int]:
    """Bytes kept per delivery over *count* sends, and the body size of one. The *fill* sends
    before them are traced but not counted: the records a capped log then forgets were traced
    when made, so that freeing them is subtracted."""
    for _ in range(50):  # warm-up: schemas, pools, caches
        zoom.send("meeting.started")
    import gc

    gc.collect()
    tracemalloc.start()
    try:
        for _ in range(fill):
            zoom.send("meeting.started")
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        last = None
        for n in range(count):
            last = zoom.send("meeting.started")
            if n % 1000 == 999 or n + 1 == count:
                show_progress(f"memory: {n + 1:,}/{count:,} deliveries", done=n + 1 == count)
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert last is not None
    return (after - before) / count, len(last.request.body)


def bench_memory(args: argparse.Namespace) -> list[Result]:
    import hookmock

    count = args.memory_deliveries
    zoom = hookmock.Zoom(secret_token=SECRET, seed=1)
    zoom.subscribe(_trivial_app, path=WEBHOOK_PATH)
    kept, body = _memory_per_delivery(zoom, count)
    if len(zoom.deliveries) < count:
        note = f"the log holds {len(zoom.deliveries):,} of {count:,} deliveries"
    else:
        note = f"all {count:,} kept"
    results = [
        Result(
            "memory",
            "memory.per_delivery",
            f"memory kept per delivery, {count:,} meeting.started",
            value=kept / 1024,
            unit="KB",
            shown=f"{kept / 1024:.2f} KB",
            goal=f"<= {MEMORY_GOAL:g} KB",
            met=kept / 1024 <= MEMORY_GOAL,
            note=f"tracemalloc, Zoom() with its defaults; {note}; the body alone is {body} bytes "
            f"({kept / body:.1f}x); {kept * 100_000 / 2**20:,.0f} MiB per 100k deliveries",
        )
    ]
    cap = min(1000, max(10, count // 10))
    try:
        capped = hookmock.Zoom(secret_token=SECRET, seed=1, max_deliveries=cap)
    except TypeError:
        results.append(
            Result(
                "memory",
                "memory.cap",
                "  a cap: Zoom(max_deliveries=N)",
                shown="no cap",
                unit="flag",
                goal="exists",
                met=False,
                note="Zoom() takes no max_deliveries: the log grows without bound",
            )
        )
        return results
    capped.subscribe(_trivial_app, path=WEBHOOK_PATH)
    # Full after the fill: from there on, each delivery replaces the oldest.
    grown, _ = _memory_per_delivery(capped, count, fill=cap)
    results.append(
        Result(
            "memory",
            "memory.cap",
            f"  with Zoom(max_deliveries={cap}), once full",
            value=grown / 1024,
            unit="KB",
            shown=f"{grown / 1024:.2f} KB",
            goal="~0 KB",
            met=grown < 0.05 * 1024,
            note=f"memory grown per delivery over {count:,} more deliveries with the log full; "
            f"the log holds {len(capped.deliveries):,}",
        )
    )
    return results


# -- further figures on the send path -------------------------------------------------------------


def bench_validation(args: argparse.Namespace) -> list[Result]:
    import jsonschema

    import hookmock

    try:  # the fast validation path is internal: say so if it moved, rather than fail the run
        from hookmock.generate.catalog import load_schema, schema_errors
    except ImportError as error:
        return [
            Result(
                "validation",
                "validation.schema_errors",
                "schema_errors / jsonschema",
                note=f"not measured: {error}",
            )
        ]
    event = "recording.completed"
    data = hookmock.Zoom(secret_token=SECRET, seed=1).fake(event).data
    schema = load_schema(event)
    validator = jsonschema.Draft202012Validator(schema)
    if schema_errors(event, data) or not validator.is_valid(data):
        raise BenchmarkError(f"the generated {event} is not valid")

    subject = Timed("schema_errors", lambda: schema_errors(event, data))
    baseline = Timed("jsonschema", lambda: validator.is_valid(data))
    interleave([subject, baseline], rounds=args.rounds, round_seconds=args.round_seconds)
    value = subject.median
    return [
        Result(
            "validation",
            "validation.schema_errors",
            f"schema_errors {event} / jsonschema",
            subject.samples,
            baseline.samples,
            value=value,
            unit="s",
            shown=duration(value),
            goal="<= 20 µs",
            met=value <= 20e-6,
            note="baseline: Draft202012Validator(schema).is_valid(data), built once",
        )
    ]


def bench_generation(args: argparse.Namespace) -> list[Result]:
    import hookmock

    results = []
    for event in ("meeting.started", "recording.completed"):
        zoom = hookmock.Zoom(secret_token=SECRET, seed=1)
        data = zoom.fake(event).data
        subject = Timed("fake", lambda zoom=zoom, event=event: zoom.fake(event))
        baseline = Timed("json.dumps", lambda data=data: json.dumps(data))
        interleave([subject, baseline], rounds=args.rounds, round_seconds=args.round_seconds)
        results.append(
            Result(
                "generation",
                f"generation.{event}",
                f"zoom.fake {event} / json.dumps(same data)",
                subject.samples,
                baseline.samples,
                note=f"{duration(subject.median)} per event",
            )
        )
    return results


RETRY_EVENTS = 100


def bench_retries(args: argparse.Namespace) -> list[Result]:
    """Zoom's whole retry chain for 100 events against the same 400 attempts unscheduled."""
    import hookmock

    def failing(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("503 Service Unavailable", [])
        return []

    def provider(retries: bool) -> Any:
        zoom = hookmock.Zoom(secret_token=SECRET, seed=1, retries=retries, clock=lambda: 1.79e9)
        zoom.subscribe(_ValidatingThen(failing))
        zoom.clear()
        return zoom

    events = [provider(True).fake("meeting.started") for _ in range(RETRY_EVENTS)]

    def chains() -> None:
        zoom = provider(True)
        for event in events:
            zoom.send(event)
        zoom.run_until_idle()

    def attempts() -> None:
        zoom = provider(False)
        for event in events:
            for _ in range(4):
                zoom.send(event)

    subject = Timed("100 retry chains", chains)
    baseline = Timed("400 attempts", attempts)
    interleave([subject, baseline], rounds=args.rounds, round_seconds=args.round_seconds)
    return [
        Result(
            "retries",
            "retries.chain_100_events",
            f"{RETRY_EVENTS} full retry chains / {4 * RETRY_EVENTS} attempts unscheduled",
            subject.samples,
            baseline.samples,
            note=f"85 min of provider time per chain played in {duration(subject.median)}",
        )
    ]


class _ValidatingThen:
    """A WSGI app that answers URL validation, and hands every other request to *app*."""

    def __init__(self, app: Callable[[dict[str, Any], Any], list[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        if b"endpoint.url_validation" in body:
            environ["wsgi.input"] = io.BytesIO(body)
            return _trivial_app(environ, start_response)
        environ["wsgi.input"] = io.BytesIO(body)
        return self.app(environ, start_response)


def bench_battery(args: argparse.Namespace) -> list[Result]:
    import hookmock

    app = _import_receiver()(SECRET)
    zoom = hookmock.Zoom(secret_token=SECRET, seed=1)
    report = zoom.check(app, path=WEBHOOK_PATH)
    if not report.passed:
        raise BenchmarkError("battery: the example receiver did not pass")
    deliveries = sum(len(r.deliveries) for r in report.results) + len(report.diagnostics)
    zoom.subscribe(app, path=WEBHOOK_PATH)

    def reset() -> None:
        zoom.clear()
        app.config["MEETINGS_STARTED"].clear()
        app.config["RECORDINGS"].clear()

    subject = Timed("battery", lambda: zoom.check(app, path=WEBHOOK_PATH), reset)
    baseline = Timed(
        "plain sends", lambda: [zoom.send("meeting.started") for _ in range(deliveries)], reset
    )
    interleave([subject, baseline], rounds=args.rounds, round_seconds=args.round_seconds)
    value = subject.median
    return [
        Result(
            "battery",
            "battery.correct_receiver",
            f"the conformance battery / {deliveries} plain sends",
            subject.samples,
            baseline.samples,
            value=value,
            unit="s",
            shown=duration(value),
            goal=f"<= {BATTERY_GOAL:g} s",
            met=value <= BATTERY_GOAL,
            note=f"{len(report.results)} checks against the example Flask receiver in-process",
        )
    ]


# -- main -----------------------------------------------------------------------------------------

# -- every provider: generation and in-process send -------------------------------------------

#: Each provider and the event its send is measured with.
PROVIDER_EVENTS = (
    ("zoom", "meeting.started"),
    ("standard-webhooks", "contact.created"),
    ("github", "pull_request.opened"),
    ("stripe", "customer.created"),
    ("slack", "app_mention"),
)


def _accepting_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """A receiver that answers every provider's handshake and acknowledges everything else: the
    smallest WSGI application each provider's send can be measured against."""
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    if b"endpoint.url_validation" in body:
        return _trivial_app({**environ, "wsgi.input": io.BytesIO(body)}, start_response)
    if b'"url_verification"' in body:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [json.loads(body)["challenge"].encode()]
    start_response("204 No Content", [])
    return []


def _provider(name: str) -> Any:
    from hookmock.providers import provider_class

    cls = provider_class(name)
    secret = SECRET if name in ("zoom", "github", "slack") else "whsec_" + "A" * 32
    return cls(**{cls.secret_option: secret, "seed": 1})


def bench_providers(args: argparse.Namespace) -> list[Result]:
    """For each provider: its whole catalog generated per CPU-second (against json.dumps of the
    same data), and an in-process send against werkzeug's test client posting the same bytes to
    the same application."""
    from werkzeug.test import Client

    results: list[Result] = []
    now = 1_795_000_000.0
    for name, event in PROVIDER_EVENTS:
        provider = _provider(name)
        names = provider.event_names()[:: args.sweep_step]
        prebuilt = [provider.fake(n, now=now).data for n in names]

        def every_event(provider: Any = provider, names: Sequence[str] = names) -> None:
            for n in names:
                provider.fake(n, now=now)

        def dumps(prebuilt: list[Any] = prebuilt) -> None:
            for data in prebuilt:
                json.dumps(data)

        subject = Timed("generate", every_event)
        baseline = Timed("json.dumps", dumps)
        interleave(
            [subject, baseline],
            rounds=args.rounds,
            round_seconds=max(args.round_seconds, 0.1),
            progress=f"providers: {name} catalog",
        )
        rate = len(names) / statistics.median(subject.samples.cpu)
        results.append(
            Result(
                "providers",
                f"providers.{name}.generation",
                f"{name}: generate, {len(names)} events, per CPU-second",
                subject.samples,
                baseline.samples,
                value=rate,
                unit="events/s",
                shown=f"{rate / 1000:.1f}k/s",
                note="the ratio is against json.dumps of the same events' data",
            )
        )

        provider.subscribe(_accepting_app, path=WEBHOOK_PATH)
        model = provider.send(event)
        if not model.acknowledged:
            raise BenchmarkError(f"{name} send {event}: the receiver answered {model.status}")
        body, headers = model.request.body, list(model.request.headers)
        client = Client(_accepting_app)

        def post(client: Any = client, body: bytes = body, headers: Any = headers) -> object:
            return client.post(WEBHOOK_PATH, base_url=BASE_URL, data=body, headers=headers)

        def send(provider: Any = provider, event: str = event) -> object:
            return provider.send(event)

        def reset(provider: Any = provider) -> None:
            provider.clear()

        subject, baseline = Timed("send", send, reset), Timed("test client", post, reset)
        interleave(
            [subject, baseline],
            rounds=args.rounds,
            round_seconds=args.round_seconds,
            progress=f"providers: {name} send",
        )
        results.append(
            Result(
                "providers",
                f"providers.{name}.send",
                f"{name}: send {event} / werkzeug test client",
                subject.samples,
                baseline.samples,
                note=f"{duration(statistics.median(subject.samples.wall))} per send; the same "
                "bytes posted by werkzeug's test client to the same application",
            )
        )
        provider.close()
    return results


# -- locust: the load generator ------------------------------------------------------------------

LOCUST_CLIENTS = Path(__file__).resolve().parent / "locust_clients.py"


def _locust_run(user: str, url: str, seconds: int, tmp: Path) -> tuple[int, float, float]:
    """Deliveries, wall and CPU seconds (from the test's start to its end) of one headless
    Locust process running *user* of ``locust_clients.py`` against *url*."""
    summary, cpu = tmp / "summary.json", tmp / "cpu"
    env = {
        **_env(),
        "ZOOM_WEBHOOK_SECRET_TOKEN": SECRET,
        "HOOKMOCK_LOAD_SUMMARY": str(summary),
        "HOOKMOCK_BENCH_CPU": str(cpu),
    }
    argv = [sys.executable, "-m", "locust", "-f", str(LOCUST_CLIENTS), "--headless", "--host", url]
    argv += ["--users", "10", "--spawn-rate", "100", "--run-time", f"{seconds}s"]
    argv += ["--stop-timeout", "5", "--only-summary", "--loglevel", "WARNING", user]
    summary.unlink(missing_ok=True)
    proc = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if not summary.exists() or not cpu.exists():
        raise BenchmarkError(f"locust ({user}) wrote no figures: {proc.stderr[-800:]}")
    figures = json.loads(summary.read_text(encoding="utf-8"))
    if not figures["requests"] or figures["failures"]:
        raise BenchmarkError(
            f"locust ({user}): {figures['failures']} of {figures['requests']} deliveries failed"
        )
    return int(figures["requests"]), float(figures["seconds"]), float(cpu.read_text())


def bench_locust(args: argparse.Namespace) -> list[Result]:
    import importlib.util

    from hookmock.load.generator import DEFAULT_POOL, Traffic

    key = SECRET.encode()
    pooled = Traffic(secret=SECRET, seed=1)
    fresh = Traffic(secret=SECRET, seed=1, pool=0)
    # The pools fill as they are drawn from: a run's first deliveries; the figure is after.
    for _ in range(DEFAULT_POOL * len(pooled.weights) * 3):
        pooled.draw()
    body = pooled.draw()[1]

    def draw_and_sign(traffic: Any = pooled) -> object:
        return traffic.headers(traffic.draw()[1])

    def hmac_only() -> object:
        stamp = b"v0:" + str(int(time.time())).encode() + b":"
        return hmac.new(key, stamp + body, hashlib.sha256).hexdigest()

    subject = Timed("draw+sign, pooled", draw_and_sign)
    generated = Timed("draw+sign, generated", lambda: draw_and_sign(fresh))
    baseline = Timed("hmac of a pre-built body", hmac_only)
    interleave(
        [subject, generated, baseline],
        rounds=args.rounds,
        round_seconds=max(args.round_seconds, 0.1),
        progress="locust generator",
    )
    rate = 1 / statistics.median(subject.samples.cpu)
    fresh_rate = 1 / statistics.median(generated.samples.cpu)
    results = [
        Result(
            "locust",
            "locust.events_per_second",
            f"ZoomUser: draw and sign a delivery (pool {DEFAULT_POOL}), per CPU-second",
            subject.samples,
            baseline.samples,
            throughput=True,
            value=rate,
            unit="events/s",
            shown=f"{rate / 1000:.1f}k/s",
            note="Traffic.draw() and Traffic.headers(body), what ZoomUser does before each post; "
            "the ratio is against an HMAC of a pre-built body (the floor of any signer)",
        ),
        Result(
            "locust",
            "locust.generated_per_second",
            "  the same, every body generated (--pool 0)",
            generated.samples,
            baseline.samples,
            throughput=True,
            value=fresh_rate,
            unit="events/s",
            shown=f"{fresh_rate / 1000:.1f}k/s",
            note="each body made by zoom.fake, as the pool's first draws are",
        ),
    ]
    if importlib.util.find_spec("locust") is None:
        results.append(
            Result(
                "locust",
                "locust.client",
                "  Locust's clients: FastHttpUser / HttpUser",
                note="not measured: Locust is not installed (pip install 'hookmock[load]')",
            )
        )
        return results
    seconds = 2 if args.quick else 4
    fast, slow = Samples(), Samples()
    with _server(_helper(sys.executable, "raw", SECRET)) as (_, first):
        url = f"http://127.0.0.1:{int(first)}{WEBHOOK_PATH}"
        with tempfile.TemporaryDirectory() as tmp:
            runs = [("Zoom", fast), ("ZoomRequests", slow)]
            for number in range(min(args.rounds, 3)):
                for user, samples in runs if number % 2 == 0 else runs[::-1]:
                    sent, wall, cpu = _locust_run(user, url, seconds, Path(tmp))
                    samples.add(wall / sent, cpu / sent)
                show_progress(f"locust clients: round {number + 1}", done=number + 1 == 3)
    sent_rate = 1 / statistics.median(fast.cpu)
    headroom = rate / sent_rate
    results += [
        Result(
            "locust",
            "locust.client",
            "  Locust's clients: FastHttpUser / HttpUser, deliveries per CPU-second",
            fast,
            slow,
            throughput=True,
            note=f"{sent_rate:,.0f} deliveries per CPU-second with FastHttpUser (ZoomUser), "
            f"{1 / statistics.median(slow.cpu):,.0f} with HttpUser; 10 users, {seconds} s runs "
            "against a bare-socket receiver in a process of its own; CPU time is the Locust "
            "process's from the test's start to its end",
        ),
        Result(
            "locust",
            "locust.headroom",
            "  generator headroom: drawn and signed / sent, per CPU-second",
            value=headroom,
            shown=f"{headroom:.0f}x",
            goal=f">= {LOCUST_GOAL:g}x",
            met=headroom >= LOCUST_GOAL,
            note=f"{rate:,.0f} deliveries drawn and signed against {sent_rate:,.0f} sent per "
            "CPU-second: the share of a worker's core that making deliveries takes is the "
            "inverse",
        ),
    ]
    return results


RUNNERS: dict[str, Callable[[argparse.Namespace], list[Result]]] = {
    "http": bench_http,
    "send": bench_send,
    "catalog": bench_catalog,
    "first-send": bench_first_send,
    "cli": bench_cli,
    "startup": bench_startup,
    "teardown": bench_teardown,
    "serve": bench_serve,
    "memory": bench_memory,
    "validation": bench_validation,
    "generation": bench_generation,
    "retries": bench_retries,
    "battery": bench_battery,
    "providers": bench_providers,
    "locust": bench_locust,
}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="hookmock's benchmarks: each figure against a baseline measured in the same "
        "run, with its goal."
    )
    parser.add_argument("--strict", action="store_true", help="Exit 1 when a goal is missed.")
    parser.add_argument(
        "--json",
        metavar="FILE",
        default=os.environ.get("HOOKMOCK_BENCH_JSON", str(DEFAULT_JSON)),
        help="Write the figures to FILE as JSON (default: $HOOKMOCK_BENCH_JSON or "
        "benchmarks/results.json); '-' writes none.",
    )
    parser.add_argument(
        "--only",
        metavar="NAMES",
        default=",".join(BENCHMARKS),
        help=f"Comma-separated benchmarks to run (default: all of {', '.join(BENCHMARKS)}).",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="Few and short rounds, a small log and every 25th event: a check that each "
        "benchmark runs, not figures to compare.",
    )
    parser.add_argument("--rounds", type=int, help="Interleaved rounds (default 11; quick 3).")
    parser.add_argument(
        "--round-seconds",
        type=float,
        help="About how long one round of an in-process subject lasts (default 0.04).",
    )
    parser.add_argument(
        "--startup-runs", type=int, help="Processes per start-up figure (default 10; quick 3)."
    )
    parser.add_argument(
        "--serve-deliveries",
        type=int,
        help="Deliveries in the mock server's log for the grown figures (default 20000).",
    )
    parser.add_argument(
        "--memory-deliveries",
        type=int,
        help="Deliveries the memory figure keeps (default 10000).",
    )
    parser.add_argument(
        "--against",
        metavar="REV",
        default=os.environ.get("HOOKMOCK_BENCH_AGAINST") or None,
        help="Also measure catalog generation against this git revision, installed in a venv "
        "of its own (or $HOOKMOCK_BENCH_AGAINST).",
    )
    parser.add_argument(
        "--markdown",
        metavar="FILE",
        help="Measure nothing: print the figures of a JSON file this wrote as a Markdown table "
        "(the README's).",
    )
    args = parser.parse_args(argv)
    quick = args.quick
    defaults = {
        "rounds": 3 if quick else 11,
        "round_seconds": 0.02 if quick else 0.04,
        "startup_runs": 3 if quick else 10,
        "serve_deliveries": 500 if quick else 20_000,
        "memory_deliveries": 1000 if quick else 10_000,
    }
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    args.http_round_seconds = max(args.round_seconds, 0.1 if quick else 0.3)
    args.sweep_step = 25 if quick else 1
    args.sweep_rounds = 3
    args.sweep_remeasure = 2 if quick else 8
    args.only = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = sorted(set(args.only) - set(BENCHMARKS))
    if unknown:
        parser.error(
            f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}"
        )
    if args.rounds < 1 or args.startup_runs < 1 or args.round_seconds <= 0:
        parser.error("--rounds and --startup-runs must be at least 1, --round-seconds positive")
    if args.serve_deliveries < 200 or args.memory_deliveries < 100:
        parser.error("--serve-deliveries must be at least 200, --memory-deliveries at least 100")
    return args


def markdown(document: dict[str, Any]) -> str:
    """The figures of a results file as the README's table."""

    def ratio(stats: dict[str, float | None]) -> str:
        if stats["median"] is None:
            return "-"
        return f"{stats['median']:.2f} ({stats['min']:.2f}-{stats['max']:.2f})"

    verdicts = {None: "info", True: "met", False: "**missed**"}
    lines = [
        "| figure | value | goal | result | wall ratio (min-max) | CPU ratio (min-max) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in document["results"]:
        cells = (
            row["name"].replace("|", "\\|"),
            row["shown"] or "-",
            row["goal"],
            verdicts[row["met"]],
            ratio(row["wall_ratio"]),
            ratio(row["cpu_ratio"]),
        )
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.markdown:
        print(markdown(json.loads(Path(args.markdown).read_text(encoding="utf-8"))))
        return 0
    began = time.perf_counter()
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(line_buffering=True)  # `make bench` pipes it: no waiting
    print(
        f"hookmock benchmarks: Python {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs; {args.rounds} interleaved rounds; a ratio is the median of "
        "the per-round ratios [min-max], wall time; cpu = the same in CPU time"
        + ("; QUICK: figures not to compare" if args.quick else "")
    )
    results: list[Result] = []
    chosen = [name for name in BENCHMARKS if name in args.only]
    try:
        for number, name in enumerate(chosen, start=1):
            # Each figure is printed as its benchmark finishes; the table at the end repeats them.
            print(f"\n[{number}/{len(chosen)}] {name}: measuring...", flush=True)
            started = time.perf_counter()
            done = RUNNERS[name](args)
            for row in done:
                print("\n".join(format_result(row)), flush=True)
            print(f"  ({time.perf_counter() - started:.0f} s)")
            results += done
    except (BenchmarkError, venvs.VenvError) as exc:
        print(f"\nbenchmark set-up failed: {exc}", file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - began
    print("\n== all figures ==")
    print_table(results)
    missed = [r for r in results if r.met is False]
    print(
        f"\n{sum(r.met is True for r in results)} goals met, {len(missed)} missed"
        + (": " + "; ".join(r.name.strip() for r in missed) if missed else "")
        + f". Total time {elapsed:.0f} s."
    )
    if args.json != "-":
        document = {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "commit": _commit(),
            "quick": args.quick,
            "rounds": args.rounds,
            "round_seconds": args.round_seconds,
            "startup_runs": args.startup_runs,
            "serve_deliveries": args.serve_deliveries,
            "memory_deliveries": args.memory_deliveries,
            "against": args.against,
            "elapsed_seconds": elapsed,
            "benchmarks": chosen,
            "all_met": not missed,
            "results": [r.as_json() for r in results],
        }
        Path(args.json).write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        print(f"figures written to {args.json}")
    return 1 if missed and args.strict else 0


def _commit() -> str | None:
    proc = subprocess.run(
        ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
        capture_output=True,
        text=True,
        check=False,
    )
    return proc.stdout.strip() or None


if __name__ == "__main__":
    sys.exit(main())
