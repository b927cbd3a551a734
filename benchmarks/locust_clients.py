"""The ``locust`` benchmark's locustfile: :class:`hookmock.locust.ZoomUser` as ``hookmock load``
runs it (``Zoom``, a ``FastHttpUser``), and its peer ``ZoomRequests``: the same deliveries, drawn
from the same :class:`hookmock.load.generator.Traffic` and judged the same way, sent with Locust's
``HttpUser`` (python-requests). The benchmark names the class to run on the command line.

The process's CPU time from the start of the test to its end (Locust's start-up and the pools'
first draws left out) is written to ``$HOOKMOCK_BENCH_CPU``.
"""

from __future__ import annotations

import os
import time
from typing import Any

from locust import HttpUser, constant, events, task

import hookmock.load.locustfile  # noqa: F401  # writes the run's figures, as hookmock load does
from hookmock.load.generator import Traffic, judge
from hookmock.locust import ZoomUser


class Zoom(ZoomUser):
    """Zoom's deliveries with ``FastHttpUser``, as ``hookmock load`` sends them."""


TRAFFIC = Traffic(secret=os.environ["ZOOM_WEBHOOK_SECRET_TOKEN"])
_started: list[float] = []


class ZoomRequests(HttpUser):
    wait_time = constant(0)

    @task
    def deliver(self) -> None:
        name, body = TRAFFIC.draw()
        headers = TRAFFIC.headers(body)
        headers["accept-encoding"] = "gzip"
        with self.client.post(
            "", data=body, headers=headers, name=name, catch_response=True, allow_redirects=False
        ) as response:
            _, failure = judge(response.status_code or None, response.elapsed.total_seconds(), 3.0)
            if failure is None:
                response.success()
            else:
                response.failure(failure)


@events.test_start.add_listener
def _start(**_kwargs: Any) -> None:
    _started.append(time.process_time())


@events.test_stop.add_listener
def _stop(**_kwargs: Any) -> None:
    with open(os.environ["HOOKMOCK_BENCH_CPU"], "w", encoding="utf-8") as handle:
        handle.write(str(time.process_time() - _started[0]))
