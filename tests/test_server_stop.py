"""Stopping the mock server always works: :meth:`MockServer.stop`, ``hookmock serve`` on
SIGTERM or SIGINT, and so a pytest session's teardown, end whatever the clients do (idle,
half-sent, stalled), and silent connections are closed by a read timeout while it serves.

Waits here are bounded by generous hang guards, so that a regression fails instead of hanging the
run; nothing asserts how long anything took.
"""

from __future__ import annotations

import argparse
import faulthandler
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from hookmock import Zoom
from hookmock.server import MockServer
from hookmock.server.cli import add_serve_parser, serve_command
from tests.server_helpers import Api, FirstLine

HANG_GUARD = 60.0  # seconds: only so that a server that never stops fails the test
# Where stop() is what ends the connections, the read timeout must not end them first, however
# slowly a loaded machine opens them.
NO_READ_TIMEOUT = 3600.0
SECRET = "stop-secret-token"


def _connection_threads(port: int) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == f"hookmock-connection-{port}"]


def _server_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name.startswith("hookmock-")}


def _no_new_server_threads(before: set[threading.Thread]) -> None:
    """Every server thread started since ``before`` ended. Threads that were already running (other
    tests' in the same worker) may end meanwhile or go on; only the new ones count."""
    _eventually(
        lambda: not (_server_threads() - before),
        "every server thread ended",
        lambda: sorted(t.name for t in _server_threads() - before),
    )


def _eventually(
    condition: Callable[[], bool], what: str, left: Callable[[], object] | None = None
) -> None:
    until = time.monotonic() + HANG_GUARD
    while not condition():
        if time.monotonic() > until:
            still = f"; still there: {left()}" if left else ""
            raise AssertionError(
                f"still not true after the hang guard of {HANG_GUARD:g} s: {what}{still}"
            )
        time.sleep(0.01)


def _open(port: int, kind: str) -> socket.socket:
    """A client connection that leaves the server waiting."""
    client = socket.create_connection(("127.0.0.1", port), timeout=HANG_GUARD)
    head = f"POST /_hookmock/trigger HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
    if kind == "half-sent":
        client.sendall(head.encode() + b"Content-Ty")
    elif kind == "stalled body":
        client.sendall(
            head.encode()
            + b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
            + b'{"event": '
        )
    else:
        assert kind == "idle"
    return client


def _answer(client: socket.socket) -> bytes:
    """What the server sent before closing the connection (it must close it)."""
    received = b""
    while chunk := client.recv(65536):
        received += chunk
    client.close()
    return received


@contextmanager
def _clients(server: MockServer, kinds: dict[str, int]) -> Iterator[list[socket.socket]]:
    opened = [_open(server.port, kind) for kind, count in kinds.items() for _ in range(count)]
    try:
        # Each is being served (its thread waits on it), not waiting in the listen backlog.
        _eventually(
            lambda: len(_connection_threads(server.port)) == len(opened),
            f"the server took all {len(opened)} connections",
        )
        yield opened
    finally:
        for client in opened:
            client.close()


def _stop(server: MockServer) -> None:
    stopper = threading.Thread(target=server.stop, name="test-stopper", daemon=True)
    stopper.start()
    stopper.join(HANG_GUARD)
    assert not stopper.is_alive(), "MockServer.stop() never returned"


@pytest.mark.parametrize(
    "kinds",
    [
        {"idle": 100},
        {"half-sent": 100},
        {"stalled body": 800},
        {"idle": 30, "half-sent": 30, "stalled body": 30},
    ],
    ids=["100 idle", "100 half-sent", "800 stalled bodies", "mixed"],
)
def test_stop_ends_every_connection_whatever_the_clients_do(kinds: dict[str, int]) -> None:
    before = _server_threads()
    server = MockServer(Zoom(secret_token=SECRET), read_timeout=NO_READ_TIMEOUT).start()
    with _clients(server, kinds) as clients:
        _stop(server)
        assert not server.running
        answers = [_answer(client) for client in clients]
    # Closed, each with nothing or with an answer that says why; no thread is left.
    assert {a[:12] for a in answers} <= {b"", b"HTTP/1.1 408", b"HTTP/1.1 400"}
    assert any(a == b"" for a in answers) or "idle" not in kinds
    _no_new_server_threads(before)


def test_silent_connections_are_closed_by_the_read_timeout_while_serving() -> None:
    with MockServer(Zoom(secret_token=SECRET), read_timeout=0.2) as server:
        idle, stalled = _open(server.port, "idle"), _open(server.port, "stalled body")
        assert _answer(idle) == b""
        answer = _answer(stalled).decode()
        assert answer.startswith("HTTP/1.1 408 ")
        assert "the body of POST /_hookmock/trigger stopped arriving" in answer
        assert "before the 1000 bytes its Content-Length announced" in answer
        _eventually(lambda: not _connection_threads(server.port), "the connections' threads end")
        # The server goes on serving.
        assert Api(server.url).get("/_hookmock/state").status == 200


def test_hundreds_of_start_stop_cycles_with_waiting_clients_never_stick() -> None:
    before = _server_threads()
    zoom = Zoom(secret_token=SECRET)
    rng = random.Random(7)
    for cycle in range(200):
        server = MockServer(zoom, read_timeout=NO_READ_TIMEOUT).start()
        kinds = {"idle": rng.randint(0, 2), "half-sent": rng.randint(0, 2), "stalled body": 1}
        with _clients(server, kinds):
            _stop(server)
        assert not server.running, f"cycle {cycle}"
    _no_new_server_threads(before)


@pytest.fixture
def signals_cannot_end_the_test_run() -> Iterator[list[int]]:
    """SIGTERM and SIGINT only counted while the test runs: one that arrives after
    ``hookmock serve`` has restored the handlers it found must not end pytest."""
    seen: list[int] = []
    previous = {s: signal.signal(s, lambda n, f: seen.append(n)) for s in _SIGNALS}
    # A last resort: a main thread stuck for good would otherwise hang the whole run.
    faulthandler.dump_traceback_later(HANG_GUARD * 5, exit=True)
    try:
        yield seen
    finally:
        faulthandler.cancel_dump_traceback_later()
        for signum, handler in previous.items():
            signal.signal(signum, handler)


_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def test_serve_stops_on_every_burst_of_signals_in_process(
    signals_cannot_end_the_test_run: list[int],
) -> None:
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signal handlers can only be installed from the main thread")
    parser = argparse.ArgumentParser()
    add_serve_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(
        ["serve", "--secret-token", SECRET, "--quiet", "--read-timeout", str(NO_READ_TIMEOUT)]
    )
    rng = random.Random(11)
    before = _server_threads()
    for cycle in range(150):
        out, watchdog_stop = FirstLine(), threading.Event()
        burst = [rng.choice(_SIGNALS) for _ in range(rng.randint(1, 6))]

        def send(out: FirstLine = out, burst: list[signal.Signals] = burst) -> None:
            if out.ready.wait(HANG_GUARD):
                url = out.getvalue().splitlines()[0]
                port = int(url.rsplit(":", 1)[1])
                _open(port, "stalled body")  # left open: stop must not wait for it
                for signum in burst:
                    os.kill(os.getpid(), signum)

        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        # The watchdog can only end a loop that still runs; a deadlock in the handler is left
        # to the fixture's last resort.
        watchdog = threading.Timer(HANG_GUARD, watchdog_stop.set)
        watchdog.start()
        try:
            status = serve_command(args, out, provider=Zoom, stop=watchdog_stop)
        finally:
            watchdog.cancel()
        sender.join(HANG_GUARD)
        assert not watchdog_stop.is_set(), f"cycle {cycle}: the signals {burst} did not stop it"
        assert status == 0
    assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL  # the test's own, restored
    _no_new_server_threads(before)


def _serve_process(tmp_path: Path) -> tuple[subprocess.Popen[str], int]:
    env = {**os.environ, "ZOOM_WEBHOOK_SECRET_TOKEN": SECRET, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "hookmock", "serve", "--quiet", "--read-timeout", "3600"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert process.stdout is not None
    url = process.stdout.readline().strip()
    assert url.startswith("http://127.0.0.1:"), url
    return process, int(url.rsplit(":", 1)[1])


def test_serve_processes_exit_on_sigterm_with_clients_waiting(tmp_path: Path) -> None:
    """As a process: each gets idle, half-sent and stalled clients, then one SIGTERM or a
    burst of them; every one exits, with status 0 when one signal was sent."""
    bursts = [1, 1, 1, 1, 2, 3, 5, 10, 20, 50]
    started = [_serve_process(tmp_path) for _ in bursts]
    clients: list[Any] = []
    try:
        for _, port in started:
            clients += [_open(port, kind) for kind in ("idle", "half-sent", "stalled body")]
            clients.append(Api(f"http://127.0.0.1:{port}").get("/_hookmock/state").status)
        assert set(clients[3::4]) == {200}
        for (process, _), count in zip(started, bursts, strict=True):
            for _ in range(count):
                if process.poll() is not None:
                    break
                process.send_signal(signal.SIGTERM)
        for (process, _), count in zip(started, bursts, strict=True):
            _, stderr = process.communicate(timeout=HANG_GUARD)
            assert "Traceback" not in stderr
            # A signal that arrives once serve has stopped and given the signal back ends the
            # process as SIGTERM does by default.
            assert process.returncode in ((0,) if count == 1 else (0, -signal.SIGTERM)), stderr
    finally:
        for item in clients:
            if isinstance(item, socket.socket):
                item.close()
        for process, _ in started:
            if process.poll() is None:
                process.kill()
                process.communicate()
