"""Hostile receivers over the network: each attempt ends as a recorded, explained outcome within
the deadline, however the receiver spreads its bytes; no attempt starts a thread, and a thousand
of them leak no socket."""

from __future__ import annotations

import contextlib
import gc
import os
import re
import socket
import struct
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from hookmock import Delivery, Outcome, Zoom
from hookmock.engine.simulator import Subscription
from hookmock.transports import HTTPTarget
from hookmock.transports.wire import ConnectionPool

from .receivers import closed_port

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


def stalls_after_the_head(conn: socket.socket) -> None:
    _read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n")
    _wait_for_close(conn)


#: Seconds between two bytes of a trickling receiver.
TRICKLE = 0.005


def _trickle(conn: socket.socket, start: bytes) -> None:
    """Send *start*, then ``a`` after ``a`` without end, one byte at a time, until the client
    hangs up (or HOLD seconds have passed)."""
    give_up = time.monotonic() + HOLD
    stream = iter(start)
    while time.monotonic() < give_up:
        conn.sendall(bytes([next(stream, ord("a"))]))
        time.sleep(TRICKLE)


def trickles_the_head(conn: socket.socket) -> None:
    _read_request(conn)
    _trickle(conn, b"HTTP/1.1 200 OK\r\nx-slow: ")


def trickles_the_body(conn: socket.socket) -> None:
    _read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n")
    _trickle(conn, b"")


def answers_endless_headers(conn: socket.socket) -> None:
    _read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\n")
    # The client stops after its header limit and closes: the failing send ends this.
    for _ in range(100_000):
        conn.sendall(b"x-more: yes\r\n" * 100)


def answers_at_once(conn: socket.socket) -> None:
    _read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")


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
def hostile(handler: Handler, *, one_thread: bool = False) -> Iterator[str]:
    """A raw TCP server on 127.0.0.1 (port picked by the OS) answering each connection with
    *handler*, each in a thread of its own or, with *one_thread*, one after the other in the
    server's thread; yields its URL."""
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
            if one_thread:
                serve(conn)
                continue
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


def _deliver(
    url: str, deadline: float, zoom: Zoom | None = None, target: HTTPTarget | None = None
) -> Delivery:
    zoom = zoom or Zoom(secret_token="hostile", seed=1, deadline=deadline)
    event = zoom.fake("meeting.started")
    return zoom.deliver(event, Subscription("h", "hostile", target or HTTPTarget(url), None))


@pytest.mark.parametrize(
    ("handler", "outcome", "message"),
    [
        (never_answers, Outcome.TIMEOUT, "no answer within the 0.3 s deadline"),
        (stalls_after_the_head, Outcome.TIMEOUT, "while reading the body (0 bytes read)"),
        (stalls_the_body, Outcome.TIMEOUT, "while reading the body (10 bytes read)"),
        (stalls_an_unsized_body, Outcome.TIMEOUT, "while reading the body (7 bytes read)"),
        (trickles_the_head, Outcome.TIMEOUT, "while reading the response head ("),
        (trickles_the_body, Outcome.TIMEOUT, "while reading the body ("),
        (resets_mid_response, None, None),
        (answers_garbage, Outcome.INVALID_RESPONSE, "invalid HTTP response"),
        (answers_endless_headers, Outcome.INVALID_RESPONSE, "got more than 100 headers"),
        (redirects, Outcome.REDIRECTED, None),
    ],
)
@pytest.mark.parametrize("kept", [False, True], ids=["new-connections", "kept-connections"])
def test_each_hostile_receiver_is_an_explained_outcome(
    handler: Handler, outcome: Outcome | None, message: str | None, kept: bool
) -> None:
    """The same whether connections are kept between attempts or not (twice, then: a second
    attempt may find one kept)."""
    deadline = 0.3
    pool = ConnectionPool() if kept else None
    with hostile(handler) as url:
        target = HTTPTarget(url, connections=pool)
        for _ in range(2 if kept else 1):
            begin = time.perf_counter()
            delivery = _deliver(url, deadline, target=target)
            took = time.perf_counter() - begin
            # Bounded by the deadline, not by the receiver, which holds on for HOLD seconds;
            # the margin is for a loaded machine.
            assert took < HOLD / 3
            if outcome is None:  # a reset surfaces as a reset or as a truncated, invalid response
                assert delivery.outcome in (Outcome.CONNECTION_ERROR, Outcome.INVALID_RESPONSE)
                assert delivery.error
            else:
                assert delivery.outcome is outcome
            if message is not None:
                assert message in (delivery.error or "")
        if pool is not None:
            pool.close()


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
    assert delivery.error == (
        "invalid HTTP response: IncompleteRead: the chunked body broke off after 3 bytes (the "
        "connection closed within a chunk, or a chunk size was not a hexadecimal number)"
    )


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
    # Another test's threads in this worker may end meanwhile: only new ones count.
    threads, fds = set(threading.enumerate()), _open_fds()
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
    # A receiver's thread may not have seen its client hang up yet: wait for it (a hang guard of
    # a minute on a loaded machine), then require that none is left.
    give_up = time.monotonic() + 60
    while set(threading.enumerate()) - threads and time.monotonic() < give_up:
        time.sleep(0.05)
    assert not set(threading.enumerate()) - threads
    assert _open_fds() <= fds


class SteppingClock:
    """A clock each reading of which is *step* seconds after the one before: the deadline
    passes after a known number of readings, however slow or fast the machine is."""

    def __init__(self, step: float) -> None:
        self.step = step
        self.now = 0.0
        self.readings = 0

    def __call__(self) -> float:
        self.readings += 1
        self.now += self.step
        return self.now


def _deliver_on(target: HTTPTarget, deadline: float = 3.0) -> Delivery:
    zoom = Zoom(secret_token="hostile", seed=1, deadline=deadline)
    return zoom.deliver(zoom.fake("meeting.started"), Subscription("h", "hostile", target, None))


@pytest.mark.parametrize(
    ("handler", "where"),
    [(trickles_the_head, "the response head"), (trickles_the_body, "the body")],
)
def test_a_trickling_receiver_is_cut_off_at_zooms_deadline(handler: Handler, where: str) -> None:
    """Each byte comes well within any per-read timeout, and the answer never ends: only a
    deadline for the whole attempt stops it. On a clock that moves a quarter second per
    reading, Zoom's 3 s pass after a dozen readings."""
    clock = SteppingClock(0.25)
    with hostile(handler) as url:
        delivery = _deliver_on(HTTPTarget(url, clock=clock))
    assert delivery.outcome is Outcome.TIMEOUT and delivery.response is None
    assert re.fullmatch(
        rf"cut off at the 3 s deadline while reading {where} \(\d+ bytes read\)",
        delivery.error or "",
    )
    # Connect, send and one reading per read of the answer: a dozen reads, not one per byte
    # of a 30-second trickle.
    assert 3 / 0.25 <= clock.readings <= 3 / 0.25 + 4
    assert delivery.elapsed >= 3.0  # measured on the same clock


def test_a_receiver_that_does_not_read_the_request_is_cut_off_while_sending() -> None:
    """A body larger than the sockets' buffers, to a receiver that never reads it: the write
    is bounded by the deadline too. On a clock that moves a second per reading, the deadline
    passes at the second write, which never waits."""
    from hookmock.records.exchange import Request

    done = threading.Event()

    def never_reads(conn: socket.socket) -> None:
        done.wait(HOLD)

    body = b"x" * (64 * 1024 * 1024)
    with hostile(never_reads) as url:
        target = HTTPTarget(url, clock=SteppingClock(1.0))
        request = Request("POST", url, (("content-length", str(len(body))),), body)
        try:
            attempt = target.send(request, deadline=3.0)
        finally:
            done.set()
    assert attempt.outcome is Outcome.TIMEOUT and attempt.response is None
    match = re.fullmatch(
        r"cut off at the 3 s deadline while sending the request \((\d+) of (\d+) bytes sent\)",
        attempt.error or "",
    )
    assert match, attempt.error
    assert 0 < int(match[1]) < int(match[2])


def test_no_attempt_starts_a_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fifty answered deliveries and a dozen cut off at the deadline start no thread: every
    thread start is counted while they run (each receiver serves in one thread, started
    before)."""
    started: list[str] = []
    start = threading.Thread.start

    def counting_start(thread: threading.Thread) -> None:
        started.append(thread.name)
        start(thread)

    with (
        hostile(answers_at_once, one_thread=True) as fast,
        hostile(never_answers, one_thread=True) as slow,
    ):
        _deliver(fast, 3.0)  # warm-up: lazily created state is not the attempt's
        threads = threading.active_count()
        monkeypatch.setattr(threading.Thread, "start", counting_start)
        zoom = Zoom(secret_token="hostile", seed=1, deadline=0.05)
        outcomes = [_deliver(fast, 3.0).outcome for _ in range(50)]
        outcomes += [_deliver(slow, 0.05, zoom).outcome for _ in range(12)]
        during = threading.active_count()
        monkeypatch.undo()
    assert outcomes == [Outcome.ACKNOWLEDGED] * 50 + [Outcome.TIMEOUT] * 12
    assert started == []
    assert during == threads


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc to count sockets")
def test_every_outcome_closes_its_socket() -> None:
    """No socket is left for the garbage collector to close (which it would do with a
    ResourceWarning), and none is left open, whatever the receiver did."""
    handlers: list[tuple[Handler, float]] = [
        (answers_at_once, 3.0),
        (never_answers, 0.05),
        (stalls_the_body, 0.05),
        (resets_mid_response, 3.0),
        (cuts_the_body_short, 3.0),
        (cuts_a_chunked_body_short, 3.0),
        (answers_garbage, 3.0),
        (answers_gigabytes, 3.0),
    ]
    with hostile(answers_at_once) as url:
        _deliver(url, 3.0)  # warm-up
    gc.collect()
    fds = _open_fds()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        for handler, deadline in handlers:
            with hostile(handler) as url:
                outcomes = {_deliver(url, deadline).outcome for _ in range(6)}
            assert outcomes and None not in outcomes
        with hostile(trickles_the_head) as url:
            assert _deliver_on(HTTPTarget(url, clock=SteppingClock(0.5))).outcome is Outcome.TIMEOUT
        closed = _deliver(f"http://127.0.0.1:{closed_port()}/hook", 3.0)
        assert closed.outcome is Outcome.CONNECTION_ERROR
        gc.collect()
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []
    assert _open_fds() == fds


def test_the_short_body_check_cuts_off_a_trickling_receiver_at_the_deadline() -> None:
    """The conformance battery's raw transport (a body shorter than its content-length) reads
    the answer under the same deadline."""
    from hookmock.conformance.raw import TruncatingTarget
    from hookmock.records.exchange import Request

    with hostile(trickles_the_head) as url:
        target = TruncatingTarget(HTTPTarget(url))
        request = Request("POST", url, (("content-length", "10"),), b"short")
        begin = time.perf_counter()
        attempt = target.send(request, deadline=0.3)
        took = time.perf_counter() - begin
    # Bounded by the deadline, not by the trickle, which goes on for HOLD seconds.
    assert took < HOLD / 3
    assert attempt.outcome is Outcome.TIMEOUT
    assert attempt.error == "no answer within the 0.3 s deadline"
