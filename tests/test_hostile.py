"""Hostile receivers over the network: each attempt ends as a recorded, explained outcome within
the deadline, and a thousand of them leak no thread and no socket."""

from __future__ import annotations

import contextlib
import os
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from hookmock import Delivery, Outcome, Zoom
from hookmock.simulator import Subscription
from hookmock.transports import HTTPTarget

Handler = Callable[[socket.socket], None]


def _read_request(conn: socket.socket) -> None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    while len(rest) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return
        rest += chunk


#: How long a stalling receiver holds the connection open.
HOLD = 30.0


def _wait_for_close(conn: socket.socket) -> None:
    conn.settimeout(HOLD)
    with contextlib.suppress(OSError):
        while conn.recv(65536):
            pass


def never_answers(conn: socket.socket) -> None:
    _read_request(conn)
    _wait_for_close(conn)


def stalls_the_body(conn: socket.socket) -> None:
    _read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")
    _wait_for_close(conn)


def stalls_an_unsized_body(conn: socket.socket) -> None:
    _read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\npartial")
    _wait_for_close(conn)


def resets_mid_response(conn: socket.socket) -> None:
    _read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nabc")
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def cuts_the_body_short(conn: socket.socket) -> None:
    _read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nabc")
    conn.shutdown(socket.SHUT_WR)  # a clean close: FIN, not a reset


def cuts_a_chunked_body_short(conn: socket.socket) -> None:
    _read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3e8\r\nabc")
    conn.shutdown(socket.SHUT_WR)


#: Bytes of body each answers_gigabytes receiver got out before the client hung up.
GIGABYTES_SENT: list[int] = []


def answers_gigabytes(conn: socket.socket) -> None:
    _read_request(conn)
    size = 300 * 1024 * 1024
    chunk = b"x" * 65536
    sent = 0
    # The client stops reading at its cap and closes: the failing send ends this.
    try:
        conn.sendall(f"HTTP/1.1 200 OK\r\nContent-Length: {size}\r\n\r\n".encode())
        for _ in range(size // len(chunk)):
            conn.sendall(chunk)
            sent += len(chunk)
    except OSError:
        pass
    GIGABYTES_SENT.append(sent)


def answers_garbage(conn: socket.socket) -> None:
    _read_request(conn)
    conn.sendall(b"SSH-2.0-OpenSSH\r\n\r\n")


def redirects(conn: socket.socket) -> None:
    _read_request(conn)
    conn.sendall(b"HTTP/1.1 301 Moved\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n")


@contextmanager
def hostile(handler: Handler) -> Iterator[str]:
    """A raw TCP server on 127.0.0.1 (port picked by the OS) answering each connection with
    *handler*; yields its URL."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    server.settimeout(0.1)
    stop = threading.Event()
    workers: list[threading.Thread] = []

    def serve(conn: socket.socket) -> None:
        # The client going away mid-exchange is what several of these tests are about.
        with conn, contextlib.suppress(OSError):
            handler(conn)

    def loop() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            worker = threading.Thread(target=serve, args=(conn,), daemon=True)
            worker.start()
            workers.append(worker)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}/hook"
    finally:
        stop.set()
        thread.join(5)
        server.close()
        for worker in workers:
            worker.join(5)


def _deliver(url: str, deadline: float, zoom: Zoom | None = None) -> Delivery:
    zoom = zoom or Zoom(secret_token="hostile", seed=1, deadline=deadline)
    event = zoom.fake("meeting.started")
    return zoom.deliver(event, Subscription("h", "hostile", HTTPTarget(url), None))


@pytest.mark.parametrize(
    ("handler", "outcome", "message"),
    [
        (never_answers, Outcome.TIMEOUT, "deadline"),
        (stalls_the_body, Outcome.TIMEOUT, "deadline"),
        (stalls_an_unsized_body, Outcome.TIMEOUT, "deadline"),
        (resets_mid_response, None, None),
        (answers_garbage, Outcome.INVALID_RESPONSE, "invalid HTTP response"),
        (redirects, Outcome.REDIRECTED, None),
    ],
)
def test_each_hostile_receiver_is_an_explained_outcome(
    handler: Handler, outcome: Outcome | None, message: str | None
) -> None:
    deadline = 0.3
    with hostile(handler) as url:
        begin = time.perf_counter()
        delivery = _deliver(url, deadline)
        took = time.perf_counter() - begin
    # Bounded by the deadline, not by the receiver, which holds on for HOLD seconds; the margin
    # is for a loaded machine.
    assert took < HOLD / 3
    if outcome is None:  # a reset surfaces as a reset or as a truncated, invalid response
        assert delivery.outcome in (Outcome.CONNECTION_ERROR, Outcome.INVALID_RESPONSE)
        assert delivery.error
    else:
        assert delivery.outcome is outcome
    if message is not None:
        assert message in (delivery.error or "")


def test_a_body_cut_short_is_an_invalid_response() -> None:
    """Content-length 1000, 3 bytes, then a clean close: not an acknowledgement."""
    with hostile(cuts_the_body_short) as url:
        delivery = _deliver(url, 3.0)
    assert delivery.outcome is Outcome.INVALID_RESPONSE and not delivery.acknowledged
    assert delivery.error == (
        "truncated response: the receiver closed the connection after 3 of the 1000 body "
        "bytes its content-length announced"
    )
    assert delivery.response is not None
    assert (delivery.response.status, delivery.response.body) == (200, b"abc")
    assert "truncated response" in delivery.describe()
    with pytest.raises(AssertionError, match="invalid response"):
        delivery.assert_acknowledged()


def test_a_chunked_body_cut_short_is_an_invalid_response() -> None:
    with hostile(cuts_a_chunked_body_short) as url:
        delivery = _deliver(url, 3.0)
    assert delivery.outcome is Outcome.INVALID_RESPONSE
    assert "IncompleteRead" in (delivery.error or "")


def test_gigabytes_are_read_up_to_the_cap() -> None:
    GIGABYTES_SENT.clear()
    with hostile(answers_gigabytes) as url:
        delivery = _deliver(url, 3.0)
    assert delivery.outcome is Outcome.ACKNOWLEDGED
    response = delivery.response
    assert len(response.body) == 64 * 1024 and response.truncated
    # The client hung up after its cap: the receiver got out a few socket buffers' worth of its
    # 300 MB, not all of it (a count, not a clock, so a loaded machine cannot fail it).
    assert GIGABYTES_SENT and max(GIGABYTES_SENT) < 64 * 1024 * 1024


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc to count sockets")
def test_a_thousand_hostile_deliveries_leak_nothing() -> None:
    handlers = [resets_mid_response, answers_garbage, redirects, answers_gigabytes]
    zoom = Zoom(secret_token="hostile", seed=1, deadline=0.5)
    # Warm up lazily created state (value pools, loops) before counting.
    with hostile(redirects) as url:
        _deliver(url, 0.5, zoom)
    threads, fds = threading.active_count(), _open_fds()
    outcomes: dict[Outcome, int] = {}
    for handler in handlers:
        with hostile(handler) as url:
            for _ in range(248):
                delivery = _deliver(url, 0.5, zoom)
                outcomes[delivery.outcome] = outcomes.get(delivery.outcome, 0) + 1
    with hostile(never_answers) as url:
        for _ in range(8):
            delivery = _deliver(url, 0.05, Zoom(secret_token="h", seed=1, deadline=0.05))
            assert delivery.outcome is Outcome.TIMEOUT
    assert sum(outcomes.values()) == 992
    assert len(zoom.deliveries) == 993
    # Cancelled watchdog timers exit on their own schedule: wait for them (a hang guard of a
    # minute on a loaded machine), then require that none is left.
    give_up = time.monotonic() + 60
    while threading.active_count() > threads and time.monotonic() < give_up:
        time.sleep(0.05)
    assert threading.active_count() == threads
    assert _open_fds() == fds
