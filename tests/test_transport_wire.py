"""The HTTP transport's reading of an answer's head gives what ``http.client``'s own does."""

from __future__ import annotations

import http.client
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hookmock.transports.wire import quick_answer, read_headers, response_class

HEADS = [
    b"Content-Length: 0\r\n\r\n",
    b"content-type: application/json\r\nX-Two: 1\r\nx-two: 2\r\n\r\n",
    b"X-Folded: first\r\n  second\r\n\tthird\r\nAfter: yes\r\n\r\n",
    b"X-Spaces:   padded value  \r\nX-Empty:\r\n\r\n",
    b"X-Bare-LF: yes\nOther: also\n\n",
    b"Good: 1\r\nno colon here\r\nLost: 2\r\n\r\n",
    b": no name\r\nKept: 1\r\n\r\n",
    b"  leading continuation\r\nKept: 1\r\n\r\n",
    b"From someone\r\nKept: 1\r\n\r\n",
    b"Latin: caf\xe9\r\nBad Name: x\r\n\r\n",
    b"X-A: a\rb\r\nY: 1\r\n\r\n",
    b"X-A: a\r\n\rY: 2\r\n\r\n",
    b"X-A: a\r\r\nY: 3\r\n\r\n",
    b"X: 1\r\n \rcont\r\n\r\n",
    b"X: \x0bv\x0c\x1c\x85\r\nY: 2\r\n\r\n",
    b"\r\n",
]


@pytest.mark.parametrize("head", HEADS)
def test_headers_read_as_http_client_reads_them(head: bytes) -> None:
    ours = read_headers(io.BytesIO(head))
    theirs = http.client.parse_headers(io.BytesIO(head))
    assert ours.items() == list(theirs.items())
    for name in ("content-length", "X-TWO", "x-folded", "kept", "lost", "missing"):
        assert ours.get(name) == theirs.get(name)
        assert ours.get_all(name) == theirs.get_all(name)


def test_a_head_past_http_clients_limits_is_refused_as_it_refuses_it() -> None:
    many = b"x-more: yes\r\n" * 100 + b"\r\n"
    with pytest.raises(http.client.HTTPException, match="got more than 100 headers"):
        read_headers(io.BytesIO(many))
    with pytest.raises(http.client.HTTPException, match="got more than 100 headers"):
        http.client.parse_headers(io.BytesIO(many))
    assert len(read_headers(io.BytesIO(b"x-more: yes\r\n" * 99 + b"\r\n"))) == 99
    long = b"x-long: " + b"a" * 70000 + b"\r\n\r\n"
    with pytest.raises(http.client.LineTooLong):
        read_headers(io.BytesIO(long))


class _Socket:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def makefile(self, mode: str) -> io.BufferedReader:
        return io.BufferedReader(io.BytesIO(self.data))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("answer", "method"),
    [
        (b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", "POST"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", "POST"),
        (b"HTTP/1.1 204 No Content\r\nContent-Length: 9\r\n\r\n", "POST"),
        (b"HTTP/1.1 100 Continue\r\nX-A: 1\r\n\r\nHTTP/1.1 202 Accepted\r\n\r\nrest", "POST"),
        (b"HTTP/1.0 200 OK\r\n\r\nto the close", "POST"),
        (b"HTTP/1.0 200 OK\r\nKeep-Alive: timeout=5\r\nContent-Length: 2\r\n\r\nok", "POST"),
        (b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: -3\r\n\r\nabc", "POST"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody", "HEAD"),
    ],
)
def test_an_answer_is_framed_as_http_client_frames_it(answer: bytes, method: str) -> None:
    ours = response_class()(_Socket(answer), method=method)  # type: ignore[arg-type]
    theirs = http.client.HTTPResponse(_Socket(answer), method=method)  # type: ignore[arg-type]
    ours.begin()
    theirs.begin()
    seen = [
        (r.status, r.reason, r.version, r.getheaders(), r.will_close, r.length, r.read())
        for r in (ours, theirs)
    ]
    assert seen[0] == seen[1]


def test_a_status_line_that_is_not_http_is_refused() -> None:
    answer = response_class()(_Socket(b"SSH-2.0-OpenSSH\r\n\r\n"), method="POST")  # type: ignore[arg-type]
    with pytest.raises(http.client.BadStatusLine):
        answer.begin()


#: What heads are made of: names, colons, blanks, line breaks of each kind, an envelope line's
#: start, a Latin-1 letter and a vertical tab (which str.splitlines, but not email, breaks at).
PIECES = [b"X-A", b"x-a", b"Y", b": ", b":", b" ", b"\t", b"v", b"\r\n", b"\n", b"\r"]
PIECES += [b"From ", b"\xe9", b"\x0b"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30))
def test_any_head_is_read_as_http_client_reads_it(pieces: list[bytes]) -> None:
    head = b"".join(pieces) + b"\r\n\r\n"
    ours = read_headers(io.BytesIO(head))
    theirs = http.client.parse_headers(io.BytesIO(head))
    assert ours.items() == list(theirs.items())


ANSWERS = [
    b"HTTP/1.1 204 No Content\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\nx-a: 2\r\n\r\nhello",
    b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
    b"HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok",
    b"HTTP/1.0 200 OK\r\nKeep-Alive: timeout=5\r\nContent-Length: 2\r\n\r\nok",
    b"HTTP/1.0 200 OK\r\nProxy-Connection: keep-alive\r\nContent-Length: 2\r\n\r\nok",
    b"HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n",
    b"HTTP/1.1 200 \r\nContent-Length:  3 \r\n\r\nabc",
    b"HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.1 401 Unauthorized\r\nX-Folded: a\r\n b\r\nContent-Length: 1\r\n\r\nx",
    b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabc",
    b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nX-Ab\x85c: caf\xe9\r\nContent-Length: 0\r\n\r\n",
]


@pytest.mark.parametrize("answer", ANSWERS)
@pytest.mark.parametrize("method", ["POST", "HEAD"])
def test_a_whole_answer_read_at_once_is_read_as_http_client_reads_it(
    answer: bytes, method: str
) -> None:
    quick = quick_answer(answer, method, 65536)
    theirs = http.client.HTTPResponse(_Socket(answer), method=method)  # type: ignore[arg-type]
    theirs.begin()
    body = theirs.read()
    if quick is None:
        # Left to http.client: an answer it reads to the close (no length it can read), or a
        # HEAD answer followed by bytes (a body a HEAD has not).
        assert theirs.length is None or (method == "HEAD" and not answer.endswith(b"\r\n\r\n"))
        return
    response, reusable = quick
    assert (response.status, response.reason, list(response.headers), response.body) == (
        theirs.status,
        theirs.reason,
        theirs.getheaders(),
        body,
    )
    assert reusable == (theirs.version == 11 and not theirs.will_close)


@pytest.mark.parametrize(
    "answer",
    [
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel",  # more to come
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA",  # bytes past the answer
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\n\r\nto the close",
        b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
        b"HTTP/1.1 200 OK\nContent-Length: 0\n\n",
        b"HTTP/1.1 200 OK\r\nX: a\rb\r\nContent-Length: 0\r\n\r\n",
        b"HTTP/2 200 OK\r\nContent-Length: 0\r\n\r\n",
        b"HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n",
        b"SSH-2.0-OpenSSH\r\n\r\n",
        b"HTTP/1.1 200 OK\r\n" + b"x-more: yes\r\n" * 100 + b"\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 70000\r\n\r\n" + b"x" * 70000,
    ],
)
def test_anything_else_is_left_to_http_client(answer: bytes) -> None:
    assert quick_answer(answer, "POST", 65536) is None
