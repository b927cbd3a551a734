"""Connections kept between attempts (:class:`~hookmock.transports.wire.ConnectionPool`): a kept
connection carries the next request; a receiver that closes one is never blamed for it nor sent
a request twice; the deadline holds; nothing is left open."""

from __future__ import annotations

import contextlib
import gc
import os
import select
import socket
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest

from hookmock import Outcome, Zoom
from hookmock.engine.simulator import Subscription
from hookmock.records.exchange import Attempt
from hookmock.transports import HTTPTarget, wire
from hookmock.transports.wire import ConnectionPool

NO_CONTENT = b"HTTP/1.1 204 No Content\r\n\r\n"
#: How long a receiver's connection thread waits for its client before it gives up.
HOLD = 30.0


@dataclass
class Receiver:
    """What a keep-alive receiver saw: connections accepted, whole requests read."""

    url: str
    connections: int = 0
    requests: list[bytes] = field(default_factory=list)
    closed: threading.Event = field(default_factory=threading.Event)


class Connection:
    """One accepted connection, read a request at a time."""

    def __init__(self, sock: socket.socket, receiver: Receiver) -> None:
        self.sock = sock
        self.receiver = receiver
        self.buffer = b""

    def read_request(self) -> bool:
        """Read one whole request (head and content-length body); False when the client closed."""
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                return False
            self.buffer += chunk
        head, _, rest = self.buffer.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        while len(rest) < length:
            chunk = self.sock.recv(65536)
            if not chunk:
                return False
            rest += chunk
        self.receiver.requests.append(rest[:length])
        self.buffer = rest[length:]
        return True

    def wait_for_bytes(self) -> bool:
        """Wait until the client sends something (unread); False when it closed first."""
        readable, _, _ = select.select([self.sock], [], [], HOLD)
        return bool(readable) and bool(self.sock.recv(1, socket.MSG_PEEK))


Script = Callable[[Connection, int], None]


@contextmanager
def keep_alive_receiver(script: Script) -> Iterator[Receiver]:
    """A raw HTTP/1.1 receiver on 127.0.0.1 (port 0) running ``script(connection, number)`` for
    each connection it accepts (numbered from 1), each in a thread of its own."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.05)
    receiver = Receiver(f"http://127.0.0.1:{server.getsockname()[1]}/hook")
    stop = threading.Event()
    workers: list[threading.Thread] = []

    def serve(sock: socket.socket, number: int) -> None:
        sock.settimeout(HOLD)
        with sock, contextlib.suppress(OSError):
            script(Connection(sock, receiver), number)

    def loop() -> None:
        while not stop.is_set():
            try:
                sock, _ = server.accept()
            except TimeoutError:
                continue
            receiver.connections += 1
            worker = threading.Thread(target=serve, args=(sock, receiver.connections))
            worker.start()
            workers.append(worker)

    thread = threading.Thread(target=loop)
    thread.start()
    try:
        yield receiver
    finally:
        stop.set()
        thread.join(5)
        server.close()
        for worker in workers:
            worker.join(HOLD + 5)


def answers_each(connection: Connection, number: int) -> None:
    while connection.read_request():
        connection.sock.sendall(NO_CONTENT)


def answers_one_then_closes(connection: Connection, number: int) -> None:
    """Answers a request, then closes the connection, as a receiver with a short idle timeout."""
    if connection.read_request():
        connection.sock.sendall(NO_CONTENT)
    connection.sock.close()
    connection.receiver.closed.set()


def _sender(
    receiver: Receiver, pool: ConnectionPool, deadline: float = 3.0
) -> Callable[[], Attempt]:
    target = HTTPTarget(receiver.url, connections=pool)
    zoom = Zoom(secret_token="keep-alive", seed=1, deadline=deadline)
    subscription = Subscription("k", "keep-alive", target, None)
    event = zoom.fake("meeting.started")

    def send() -> Attempt:
        delivery = zoom.deliver(event, subscription)
        return Attempt(delivery.response, delivery.elapsed, delivery.error, delivery.outcome)

    return send


def test_a_kept_connection_carries_the_next_requests() -> None:
    pool = ConnectionPool()
    with keep_alive_receiver(answers_each) as receiver:
        send = _sender(receiver, pool)
        outcomes = [send().outcome for _ in range(5)]
        assert len(pool) == 1
        pool.close()
    assert outcomes == [Outcome.ACKNOWLEDGED] * 5
    assert (receiver.connections, len(receiver.requests)) == (1, 5)
    assert len(pool) == 0


def test_a_receiver_that_closes_each_connection_gets_each_request_once() -> None:
    """Its close may come before the next request or as it goes out: either way each request
    is read once, and none is recorded as a failure."""
    pool = ConnectionPool()
    with keep_alive_receiver(answers_one_then_closes) as receiver:
        send = _sender(receiver, pool)
        outcomes = [send().outcome for _ in range(20)]
        pool.close()
    assert outcomes == [Outcome.ACKNOWLEDGED] * 20
    assert len(receiver.requests) == 20
    assert receiver.connections == 20


def test_a_request_the_receiver_closes_unread_is_sent_again_on_a_new_connection() -> None:
    """The receiver closes the kept connection as the second request arrives, without reading
    it: its TCP stack resets the connection, so the request is known not to have been read."""

    def closes_on_the_second(connection: Connection, number: int) -> None:
        if number == 1:
            if connection.read_request():
                connection.sock.sendall(NO_CONTENT)
            connection.wait_for_bytes()
            return  # closed with the request unread
        answers_each(connection, number)

    pool = ConnectionPool()
    with keep_alive_receiver(closes_on_the_second) as receiver:
        send = _sender(receiver, pool)
        first, second = send(), send()
        pool.close()
    assert (first.outcome, second.outcome) == (Outcome.ACKNOWLEDGED, Outcome.ACKNOWLEDGED)
    assert second.error is None
    assert len(receiver.requests) == 2
    assert receiver.connections == 2


def test_a_request_written_after_the_receiver_closed_is_sent_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The receiver's close arrives just after the check made before reuse (the check is made
    to miss it here): the request reaches a closed connection, whose reset tells it was never
    read; it goes again on a new connection."""
    pool = ConnectionPool()
    with keep_alive_receiver(answers_one_then_closes) as receiver:
        send = _sender(receiver, pool)
        assert send().outcome is Outcome.ACKNOWLEDGED
        assert receiver.closed.wait(HOLD)
        monkeypatch.setattr(wire, "still_open", lambda sock: True)
        second = send()
        pool.close()
    assert second.outcome is Outcome.ACKNOWLEDGED and second.error is None
    assert len(receiver.requests) == 2
    assert receiver.connections == 2


def test_a_receiver_that_reads_a_request_and_hangs_up_is_not_sent_it_again() -> None:
    """Without a reset, the receiver read the whole request: closing without an answer is its
    failure, recorded as on a new connection, and the request is not sent twice."""

    def hangs_up_on_the_second(connection: Connection, number: int) -> None:
        if connection.read_request():
            connection.sock.sendall(NO_CONTENT)
        connection.read_request()

    pool = ConnectionPool()
    with keep_alive_receiver(hangs_up_on_the_second) as receiver:
        send = _sender(receiver, pool)
        first, second = send(), send()
        pool.close()
    assert first.outcome is Outcome.ACKNOWLEDGED
    assert second.outcome is Outcome.INVALID_RESPONSE
    assert second.error == (
        "invalid HTTP response: RemoteDisconnected: Remote end closed connection without response"
    )
    assert len(receiver.requests) == 2
    assert receiver.connections == 1


def test_a_receiver_silent_on_a_kept_connection_is_cut_off_at_the_deadline() -> None:
    def silent_on_the_second(connection: Connection, number: int) -> None:
        if connection.read_request():
            connection.sock.sendall(NO_CONTENT)
        if connection.read_request():
            connection.read_request()  # until the client hangs up

    pool = ConnectionPool()
    with keep_alive_receiver(silent_on_the_second) as receiver:
        send = _sender(receiver, pool, deadline=0.3)
        first = send()
        begin = time.perf_counter()
        second = send()
        took = time.perf_counter() - begin
        pool.close()
    assert first.outcome is Outcome.ACKNOWLEDGED
    assert second.outcome is Outcome.TIMEOUT
    assert second.error == "no answer within the 0.3 s deadline"
    assert took < HOLD / 3  # bounded by the deadline, not by the receiver
    assert len(receiver.requests) == 2
    assert len(pool) == 0


@pytest.mark.parametrize(
    "answer",
    [
        b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n",
        b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\n\r\nread to the close",
        b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b"x" * 100000,
    ],
    ids=["connection-close", "http-1.0", "unframed", "over-the-cap"],
)
def test_a_connection_is_kept_only_after_a_whole_framed_http_1_1_answer(answer: bytes) -> None:
    def answers(connection: Connection, number: int) -> None:
        while connection.read_request():
            connection.sock.sendall(answer)
            if b"Content-Length" not in answer:
                return

    pool = ConnectionPool()
    with keep_alive_receiver(answers) as receiver:
        send = _sender(receiver, pool)
        outcomes = [send().outcome for _ in range(3)]
        kept = len(pool)
        pool.close()
    assert outcomes == [Outcome.ACKNOWLEDGED] * 3
    assert kept == 0
    assert receiver.connections == 3


def test_chunked_answers_keep_the_connection() -> None:
    def answers(connection: Connection, number: int) -> None:
        while connection.read_request():
            connection.sock.sendall(
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"
            )

    pool = ConnectionPool()
    with keep_alive_receiver(answers) as receiver:
        send = _sender(receiver, pool)
        bodies = [send().response.body for _ in range(3)]  # type: ignore[union-attr]
        pool.close()
    assert bodies == [b"ok"] * 3
    assert receiver.connections == 1


def test_a_connection_idle_too_long_is_not_reused() -> None:
    pool = ConnectionPool(idle_seconds=0.0)
    with keep_alive_receiver(answers_each) as receiver:
        send = _sender(receiver, pool)
        outcomes = [send().outcome for _ in range(3)]
        pool.close()
    assert outcomes == [Outcome.ACKNOWLEDGED] * 3
    assert receiver.connections == 3


def test_https_targets_keep_no_connection() -> None:
    target = HTTPTarget("https://127.0.0.1:1/hook", connections=ConnectionPool())
    assert target._connections is None


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc to count sockets")
def test_a_closed_pool_leaves_nothing_open() -> None:
    gc.collect()
    fds = len(os.listdir("/proc/self/fd"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        pool = ConnectionPool()
        with keep_alive_receiver(answers_each) as receiver:
            send = _sender(receiver, pool)
            for _ in range(3):
                send()
            pool.close()
            send()  # a closed pool keeps nothing more
            assert len(pool) == 0
        gc.collect()
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []
    assert len(os.listdir("/proc/self/fd")) == fds
    assert receiver.connections == 2


def test_the_mock_server_keeps_its_delivery_connections_until_it_stops() -> None:
    import json
    import urllib.request

    from hookmock.server import MockServer

    zoom = Zoom(secret_token="keep-alive", seed=1)

    def receives(connection: Connection, number: int) -> None:
        while connection.read_request():
            body = connection.receiver.requests[-1]
            if b"endpoint.url_validation" in body:
                from hookmock.providers.zoom import encrypted_token

                plain = json.loads(body)["payload"]["plainToken"]
                token = encrypted_token("keep-alive", plain)
                answer = json.dumps({"plainToken": plain, "encryptedToken": token}).encode()
                connection.sock.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\n\r\n%s" % (len(answer), answer)
                )
            else:
                connection.sock.sendall(NO_CONTENT)
        connection.receiver.closed.set()

    def post(server: MockServer, path: str, value: object) -> int:
        request = urllib.request.Request(
            server.url + path,
            data=json.dumps(value).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request) as answer:
            return int(answer.status)

    with keep_alive_receiver(receives) as receiver:
        with MockServer(zoom) as server:
            assert post(server, "/_hookmock/subscriptions", {"url": receiver.url}) == 201
            for _ in range(3):
                assert post(server, "/_hookmock/trigger", {"event": "meeting.started"}) == 200
            assert receiver.connections == 1
        # Stopping the server closed the connection it kept.
        assert receiver.closed.wait(HOLD)
    assert [d.outcome for d in zoom.deliveries] == [Outcome.ACKNOWLEDGED] * 4
    assert len(receiver.requests) == 4  # the URL validation and three events
