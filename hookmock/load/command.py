"""``hookmock load``: Locust, headless, with :class:`hookmock.locust.WebhookUser`, then a summary
judged by the provider's rules.

Locust runs in a process of its own (``python -m locust -f`` :mod:`hookmock.load.locustfile`): it
monkey-patches the standard library with gevent's when imported, which the process that runs
this command (a test, perhaps) must not undergo. Distributed runs use Locust's own master and
workers, with Locust's own option names; hookmock's options reach the workers from the master,
as Locust sends every option a locustfile adds. The secret does not: each process reads its
own, so that it never crosses the network.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, TextIO

from ..errors import ConfigurationError
from .generator import DEADLINE, DEFAULT_POOL, DEFAULT_TIMEOUT, outcome_of

__all__ = ["add_load_options", "check_arguments", "format_summary", "load_command", "locust_argv"]

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
#: Where the locustfile writes the run's figures (see :mod:`hookmock.load.locustfile`).
SUMMARY_ENV = "HOOKMOCK_LOAD_SUMMARY"
_RUN_TIME = re.compile(r"^(?:\d+|(?=\d)(?:\d+h)?(?:\d+m)?(?:\d+s)?)$")


def add_load_options(p: argparse.ArgumentParser) -> None:
    """The options of ``hookmock load``; the distributed ones are Locust's own."""
    p.description = (
        "Load a receiver with Locust: users send a provider's signed deliveries in a loop (Zoom's "
        "unless --provider says otherwise), each judged by the provider's rules (Zoom: a 2xx "
        f"within {DEADLINE:g} s). Prints requests, failures by outcome, "
        "response time percentiles and the share acknowledged in time. Exit 0 when every "
        "delivery was acknowledged in time, 1 when one was not, 2 for usage errors. Needs "
        "hookmock[load] (Locust). Locust's other options are read from its environment "
        "variables (LOCUST_LOGLEVEL=DEBUG) and its locust.conf."
    )
    p.add_argument("url", nargs="?", help="the receiver's webhook URL (not on a --worker)")
    p.add_argument("-u", "--users", type=int, default=10, help="concurrent users (10)")
    p.add_argument(
        "-r", "--spawn-rate", type=float, default=None, help="users started per second (--users)"
    )
    p.add_argument(
        "-t",
        "--run-time",
        default="30s",
        help="how long to send, Locust's form: 20s, 3m, 1h30m (30s)",
    )
    p.add_argument(
        "--events",
        action="append",
        default=[],
        metavar="NAME[=WEIGHT],...",
        help="the event mix, e.g. meeting.started=5,meeting.ended=5; repeatable (default: for "
        "Zoom a busy account's mix, see the README; for another provider the events its "
        "receivers most often handle)",
    )
    p.add_argument(
        "--scenario",
        action="append",
        default=[],
        metavar="NAME[:KEY=VALUE,...]",
        help="users play this scenario of the provider's (Zoom: meeting, webinar, user; hookmock "
        "scenario --list) over and over instead of the mix, e.g. meeting:participants=20; "
        "repeatable",
    )
    p.add_argument(
        "--recorded",
        metavar="FILE",
        help="users send the events hookmock record recorded in FILE, byte for byte and signed "
        "anew, in their order, over and over, instead of the mix (a worker reads the file at "
        "the same path)",
    )
    p.add_argument(
        "--deadline",
        type=float,
        default=None,
        help="seconds within which a 2xx counts as acknowledged (default: the provider's, "
        f"Zoom's {DEADLINE:g})",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=None,
        help=f"seconds to wait for an answer; later answers within it are 'late' "
        f"({DEFAULT_TIMEOUT:g})",
    )
    p.add_argument(
        "--pool",
        type=int,
        default=None,
        help=f"different bodies generated per event before they are drawn again; 0 generates "
        f"each ({DEFAULT_POOL})",
    )
    p.add_argument("--csv", metavar="PREFIX", help="Locust's CSV reports, PREFIX_stats.csv ...")
    p.add_argument("--html", metavar="FILE", help="Locust's HTML report")
    distributed = p.add_argument_group("distributed (Locust's options)")
    distributed.add_argument("--master", action="store_true", help="run as Locust's master")
    distributed.add_argument(
        "--expect-workers", type=int, default=1, help="workers the master waits for (1)"
    )
    distributed.add_argument(
        "--expect-workers-max-wait",
        type=int,
        default=0,
        metavar="SECONDS",
        help="how long the master waits for them (0: as long as it takes)",
    )
    distributed.add_argument(
        "--master-bind-host", default="*", help="the master's interface (*: all)"
    )
    distributed.add_argument(
        "--master-bind-port", type=int, default=5557, help="the master's port (5557)"
    )
    distributed.add_argument("--worker", action="store_true", help="run as a Locust worker")
    distributed.add_argument("--master-host", default="127.0.0.1", help="the master's host")
    distributed.add_argument("--master-port", type=int, default=5557, help="its port (5557)")


def check_arguments(args: argparse.Namespace) -> None:
    """Refuse what Locust could not run, before it starts (and before a secret is looked for)."""
    if args.master and args.worker:
        raise ConfigurationError("--master and --worker: give one, a process is one or the other")
    if not args.worker and not args.url:
        raise ConfigurationError("the receiver's URL is missing: hookmock load URL --users N ...")
    if args.url and not re.match(r"^https?://", args.url):
        raise ConfigurationError(f"URL must start with http:// or https://, got {args.url!r}")
    if args.users < 1:
        raise ConfigurationError(f"--users must be at least 1, got {args.users}")
    if args.spawn_rate is not None and not 0 < args.spawn_rate <= 100_000:
        raise ConfigurationError(f"--spawn-rate must be above 0, got {args.spawn_rate}")
    if not _RUN_TIME.match(args.run_time):
        raise ConfigurationError(
            f"--run-time {args.run_time!r}: expected seconds or Locust's form, e.g. 20s, 3m, 1h30m"
        )
    for option in ("deadline", "timeout"):
        value = getattr(args, option)
        if value is not None and not 0 < value <= 3600:
            raise ConfigurationError(
                f"--{option} must be a number of seconds above 0 and at most 3600, got {value}"
            )
    if args.deadline is not None and args.timeout is not None and args.timeout < args.deadline:
        raise ConfigurationError(
            f"--timeout {args.timeout:g} is shorter than --deadline {args.deadline:g}: a delivery "
            "is waited for at least until its deadline"
        )
    if args.pool is not None and args.pool < 0:
        raise ConfigurationError(f"--pool must be 0 or more, got {args.pool}")
    given = [
        option
        for option, value in (
            ("--events", args.events),
            ("--scenario", args.scenario),
            ("--recorded", args.recorded),
        )
        if value
    ]
    if len(given) > 1:
        raise ConfigurationError(
            f"{' and '.join(given)}: give one (users draw from a mix, play scenarios or play a "
            "recording)"
        )
    if args.expect_workers < 1:
        raise ConfigurationError(f"--expect-workers must be at least 1, got {args.expect_workers}")
    # Checked here, so that a mistake is told at once rather than by every worker.
    if args.events or args.scenario or args.recorded:
        from ..providers import provider_class

        sender = provider_class(_provider(args))(seed=0)
    if args.events:
        from .generator import parse_events

        parse_events(args.events, sender.event_names())
    if args.scenario:
        from .generator import parse_scenarios

        scenarios = sender.adapter.scenarios()
        if not scenarios:
            raise ConfigurationError(
                f"--scenario: hookmock has no scenarios for {sender.name}; send its events with "
                "--events"
            )
        parse_scenarios(args.scenario, scenarios)
    if args.recorded:
        from .generator import recorded_deliveries

        recorded_deliveries(args.recorded, sender.name)


def _provider(args: argparse.Namespace) -> str:
    return getattr(args, "provider", None) or "zoom"


def locust_argv(args: argparse.Namespace) -> list[str]:
    """The ``locust`` command line for *args*."""
    argv = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE)]
    if args.worker:
        return [
            *argv,
            "--worker",
            "--master-host",
            args.master_host,
            "--master-port",
            str(args.master_port),
        ]
    from ..providers import provider_class

    deadline = args.deadline or provider_class(_provider(args)).adapter_class.default_deadline
    timeout = args.timeout if args.timeout is not None else DEFAULT_TIMEOUT
    timeout = max(timeout, deadline)
    argv += [
        "--headless",
        "--host",
        args.url,
        "--users",
        str(args.users),
        "--spawn-rate",
        f"{args.spawn_rate if args.spawn_rate is not None else args.users:g}",
        "--run-time",
        args.run_time,
        # Deliveries under way when the time is up are waited for, and counted.
        "--stop-timeout",
        str(math.ceil(timeout) + 1),
        "--only-summary",
        "--hookmock-provider",
        _provider(args),
    ]
    if args.events:
        argv += ["--hookmock-events", ",".join(args.events)]
    if args.scenario:
        argv += ["--hookmock-scenario", ";".join(args.scenario)]
    if args.recorded:
        argv += ["--hookmock-recorded", os.path.abspath(args.recorded)]
    for option in ("deadline", "timeout", "pool"):
        if getattr(args, option) is not None:
            argv += [f"--hookmock-{option}", f"{getattr(args, option):g}"]
    if args.csv:
        argv += ["--csv", args.csv]
    if args.html:
        argv += ["--html", args.html]
    if args.master:
        argv += [
            "--master",
            "--expect-workers",
            str(args.expect_workers),
            "--master-bind-host",
            args.master_bind_host,
            "--master-bind-port",
            str(args.master_bind_port),
        ]
        if args.expect_workers_max_wait:
            argv += ["--expect-workers-max-wait", str(args.expect_workers_max_wait)]
    return argv


def load_command(args: argparse.Namespace, out: TextIO, *, secret: str | None) -> int:
    """Run Locust as *args* say; print the summary (not on a worker); return the exit status:
    0 every delivery acknowledged in time, 1 not, 2 Locust could not run."""
    import importlib.util

    check_arguments(args)
    if importlib.util.find_spec("locust") is None:
        raise ConfigurationError(
            "hookmock load runs Locust, which is not installed: pip install 'hookmock[load]'"
        )
    from ..providers import provider_class

    env = dict(os.environ)
    secret_env = provider_class(_provider(args)).secret_env
    if secret and secret_env:
        env[secret_env] = secret
    with tempfile.TemporaryDirectory(prefix="hookmock-load-") as tmp:
        summary_path = Path(tmp) / "summary.json"
        env[SUMMARY_ENV] = str(summary_path)
        # Locust's own output (its progress, its tables) goes to standard error; the summary
        # is this command's standard output.
        proc = subprocess.Popen(locust_argv(args), env=env, stdout=2, stdin=subprocess.DEVNULL)
        previous = _forward_sigterm(proc)
        try:
            code = proc.wait()
        except KeyboardInterrupt:
            # Locust got the interrupt too: it stops its users and reports what it has.
            code = proc.wait()
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)
        if args.worker:
            print(f"hookmock load: worker finished (exit {code}); the master reports", file=out)
            return 0 if code in (0, 1) else 2
        if not summary_path.exists():
            print(
                f"hookmock load: error: Locust exited with status {code} before the end of the "
                "run; its messages are above",
                file=sys.stderr,
            )
            return 2
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
    out.write(format_summary(summary, url=args.url, users=args.users))
    return 0 if summary["requests"] and not summary["failures"] else 1


def _forward_sigterm(proc: subprocess.Popen[bytes]) -> Any:
    """Pass a SIGTERM on to Locust, which stops and reports, rather than leave it running;
    the previous handler, or None where none can be set (not the main thread)."""

    def forward(_signum: int, _frame: Any) -> None:
        proc.terminate()

    try:
        return signal.signal(signal.SIGTERM, forward)
    except ValueError:
        return None


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f} ms"


def format_summary(summary: dict[str, Any], *, url: str, users: int) -> str:
    """The figures of a run, as ``hookmock load`` prints them."""
    from ..records.masking import mask_url

    requests, failures = summary["requests"], summary["failures"]
    seconds = summary["seconds"] or 0.0
    rate = f" ({requests / seconds:,.1f}/s)" if seconds else ""
    workers = f" on {summary['workers']} workers" if summary.get("workers") else ""
    deadline_ms = summary["deadline"] * 1000
    lines = [
        f"hookmock load: {requests:,} deliveries to {mask_url(url)} in {seconds:.1f} s{rate}, "
        f"{users} users{workers}"
    ]
    acknowledged = requests - failures
    share = f" ({acknowledged / requests:.1%})" if requests else ""
    lines.append(f"  acknowledged in time: {acknowledged:,} of {requests:,}{share}")
    # Locust counts failures per event and name; added up per name, sorted by outcome.
    by_name: dict[str, int] = {}
    for error in summary["errors"]:
        by_name[error["error"]] = by_name.get(error["error"], 0) + error["occurrences"]
    if by_name:
        lines.append(f"  failures by outcome: {failures:,}")
        width = max(len(name) for name in by_name)
        ordered = sorted(by_name.items(), key=lambda item: (outcome_of(item[0]), -item[1]))
        for name, count in ordered:
            lines.append(f"    {name:<{width}}  {count:>8,}")
    else:
        lines.append("  failures: none")
    percentiles = summary["percentiles"]
    p99 = percentiles.get("99")
    verdict = ""
    if p99 is not None:
        verdict = "p99 within it" if p99 <= deadline_ms else "p99 past it"
    lines.append(
        f"  response times: p50 {_ms(percentiles.get('50'))}, p95 {_ms(percentiles.get('95'))}, "
        f"p99 {_ms(p99)}, max {_ms(summary['max'])}; deadline {deadline_ms:,.0f} ms"
        + (f" ({verdict})" if verdict else "")
    )
    named = [e for e in summary["events"] if e["name"] != "Aggregated"]
    if named:
        lines.append("  by event:")
        width = max(len(e["name"]) for e in named)
        for entry in named:
            failed = f"  ({entry['failures']:,} failed)" if entry["failures"] else ""
            lines.append(f"    {entry['name']:<{width}}  {entry['requests']:>8,}{failed}")
    return "\n".join(lines) + "\n"
