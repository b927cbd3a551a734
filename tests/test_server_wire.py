"""The mock server reads a request's head as http.server does: the same answers to malformed,
oversized and unusual request heads."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import pytest

from hookmock import Zoom
from hookmock.server import MockServer


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer(Zoom(secret_token="wire", seed=1)) as running:
        yield running


def _exchange(server: MockServer, raw: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(raw)
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def _status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def test_headers_reach_the_application(server: MockServer) -> None:
    host = f"127.0.0.1:{server.port}"
    body = json.dumps({"event": "meeting.started"}).encode()
    raw = (
        f"POST /_hookmock/trigger HTTP/1.1\r\nHost: {host}\r\n"
        "Content-Type:\r\n application/json\r\n"  # folded onto a continuation line
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body
    answer = _exchange(server, raw)
    # No subscription: 409 from the trigger endpoint, which read the folded Content-Type.
    assert _status(answer) == 409, answer
    assert b"nothing is subscribed yet" in answer


@pytest.mark.parametrize(
    ("head", "status", "text"),
    [
        (b"GET / HTTP/1.1\r\n" + b"x-many: 1\r\n" * 101 + b"\r\n", 431, b"Too many headers"),
        (b"GET / HTTP/1.1\r\nx-long: " + b"a" * 70000 + b"\r\n\r\n", 431, b"Line too long"),
        (b"GET / HTTP/2.0\r\n\r\n", 505, b"Invalid HTTP version"),
        (b"GET / HTTX/1.1\r\n\r\n", 400, b"Bad request version"),
        (b"GET / HTTP/1.1 extra\r\n\r\n", 400, b"Bad request"),
        (b"POST /\r\n\r\n", 400, b"Bad HTTP/0.9 request type"),
    ],
    ids=["too-many-headers", "line-too-long", "http-2", "bad-version", "bad-syntax", "http-0.9"],
)
def test_a_malformed_head_is_answered_as_http_server_answers_it(
    server: MockServer, head: bytes, status: int, text: bytes
) -> None:
    answer = _exchange(server, head)
    # Before the request's version is known, http.server answers as to HTTP/0.9: no status line.
    if answer.startswith(b"HTTP/"):
        assert _status(answer) == status, answer[:200]
    assert text in answer
    assert f"Error code: {status}".encode() in answer


def test_expect_100_continue_is_answered_first(server: MockServer) -> None:
    host = f"127.0.0.1:{server.port}"
    raw = (
        f"GET /_hookmock/state HTTP/1.1\r\nHost: {host}\r\nExpect: 100-continue\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    answer = _exchange(server, raw)
    head, _, rest = answer.partition(b"HTTP/1.1 200 OK\r\n")
    assert head.startswith(b"HTTP/1.1 100 Continue\r\n\r\n"), answer[:200]
    assert b'"deliveries": 0' in rest
