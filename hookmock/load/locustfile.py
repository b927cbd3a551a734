"""The locustfile ``hookmock load`` runs (``locust -f`` this file): one user class, whose
provider ``--hookmock-provider`` names, and the figures of the run written as JSON for the
command to print.

Not imported by hookmock itself: Locust imports it, in a process of its own.
"""

from __future__ import annotations

import json
import os
from typing import Any

from locust import events
from locust.env import Environment
from locust.runners import MasterRunner, WorkerRunner
from locust.stats import StatsError

from hookmock.load.command import SUMMARY_ENV
from hookmock.locust import WebhookUser
from hookmock.providers import provider_class


class Deliveries(WebhookUser):
    """A provider's deliveries, configured by ``hookmock load``'s options (``--hookmock-*``)."""


@events.test_stop.add_listener
def _report_now(environment: Environment, **_kwargs: Any) -> None:
    # A worker's last figures otherwise reach the master with its next report (every few
    # seconds) or when it quits; sent at once, the master's totals count every delivery made.
    runner = environment.runner
    send = getattr(runner, "_send_stats", None)
    if isinstance(runner, WorkerRunner) and callable(send):
        send()


#: This process's runner, and the most workers a master has had at once (they leave its list
#: as they stop, before the figures are written).
_seen: dict[str, Any] = {"runner": None, "workers": 0}


@events.init.add_listener
def _remember(environment: Environment, **_kwargs: Any) -> None:
    _seen["runner"] = environment.runner


@events.spawning_complete.add_listener
def _count_workers(**_kwargs: Any) -> None:
    runner = _seen["runner"]
    if isinstance(runner, MasterRunner):
        _seen["workers"] = max(_seen["workers"], len(runner.clients))


@events.quitting.add_listener
def _write_summary(environment: Environment, **_kwargs: Any) -> None:
    path = os.environ.get(SUMMARY_ENV)
    if not path or isinstance(environment.runner, WorkerRunner):
        return
    stats = environment.stats
    total = stats.total
    options = environment.parsed_options
    provider = getattr(options, "hookmock_provider", None) or Deliveries.provider
    deadline = (
        getattr(options, "hookmock_deadline", None)
        or provider_class(provider).adapter_class.default_deadline
    )
    summary = {
        "requests": total.num_requests,
        "failures": total.num_failures,
        "seconds": max(0.0, (total.last_request_timestamp or total.start_time) - total.start_time),
        "deadline": deadline,
        "users": environment.runner.user_count if environment.runner else 0,
        "workers": _seen["workers"],
        "percentiles": {
            str(p): total.get_response_time_percentile(p / 100) if total.num_requests else None
            for p in (50, 95, 99)
        },
        "max": total.max_response_time if total.num_requests else None,
        "events": [
            {"name": entry.name, "requests": entry.num_requests, "failures": entry.num_failures}
            for entry in sorted(stats.entries.values(), key=lambda e: -e.num_requests)
        ],
        "errors": [
            {
                "name": error.name,
                "error": StatsError.parse_error(error.error),
                "occurrences": error.occurrences,
            }
            for error in stats.errors.values()
        ],
    }
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(summary, handle)
