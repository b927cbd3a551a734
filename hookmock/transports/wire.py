"""Reading an answer off the wire for :class:`~hookmock.transports.HTTPTarget`: ``http.client``'s
response, whose body framing (content-length, chunked, read to the close) and limits are kept,
with its head parsed by a few lines of code instead of the :mod:`email` package.

``http.client`` hands the header lines of every answer to :mod:`email`'s feed parser, which costs
more than the rest of a loopback exchange's client side together; the lines are read under the
same limits (65,536 bytes a line, 100 headers) and split by the same rules (:mod:`email`'s
``compat32`` policy, which ``http.client`` uses): a header line is a name of printable characters
without a colon, a colon, and the value with leading blanks removed; a line that starts with a
blank continues the value before it; the first line that is neither ends the headers (the
:mod:`email` parser takes it and what follows for the body, which ``http.client`` never reads).
"""

from __future__ import annotations

import errno
import functools
import http.client
import io
import re
import select
import socket
import sys
import threading
import time
from collections.abc import Hashable
from typing import Any

from ..records.exchange import Response

__all__ = [
    "DEFAULT_IDLE_SECONDS",
    "ConnectionPool",
    "Headers",
    "quick_answer",
    "read_headers",
    "reset_after_close",
    "response_class",
    "still_open",
]

# http.client's limits on an answer's head.
_MAX_LINE = 65536
_MAX_HEADERS = 100
# email.feedparser's header line: a name of printable characters other than the colon, then one.
_NAME = re.compile(r"[\041-\071\073-\176]*:")
_ENDS = (b"\r\n", b"\n", b"")
# A line as email's feed parser splits them: ended by CRLF, CR or LF.
_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


class Headers:
    """An answer's headers in the order received, read as ``http.client``'s message is:
    :meth:`get` the first value of a name (any case), :meth:`items` every pair."""

    __slots__ = ("_pairs",)

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self._pairs = pairs

    def get(self, name: str, default: Any = None) -> Any:
        lower = name.lower()
        for key, value in self._pairs:
            if key.lower() == lower:
                return value
        return default

    def get_all(self, name: str, default: Any = None) -> Any:
        lower = name.lower()
        found = [value for key, value in self._pairs if key.lower() == lower]
        return found or default

    def items(self) -> list[tuple[str, str]]:
        return list(self._pairs)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def __len__(self) -> int:
        return len(self._pairs)


def read_headers(fp: Any) -> Headers:
    """The header lines of an answer, read from *fp* up to the empty line that ends them.

    :raises http.client.LineTooLong: for a line over 65,536 bytes.
    :raises http.client.HTTPException: for more than 100 header lines.
    """
    lines: list[bytes] = []
    while True:
        line = fp.readline(_MAX_LINE + 1)
        if len(line) > _MAX_LINE:
            raise http.client.LineTooLong("header line")
        if line in _ENDS:
            break
        lines.append(line)
        if len(lines) >= _MAX_HEADERS:
            raise http.client.HTTPException(f"got more than {_MAX_HEADERS} headers")
    pairs: list[tuple[str, str]] = []
    text = b"".join(lines).decode("iso-8859-1")
    # Each line read ends with a line feed; email splits at a carriage return alone too.
    if "\r" in text.replace("\r\n", ""):
        split = _LINES.findall(text)
    else:
        split = [line.decode("iso-8859-1") for line in lines]
    # Whether a continuation line belongs to the header before it: not after a line email
    # drops (an mbox envelope line, a line with an empty name), nor first.
    continues = False
    for line in split:
        if line[0] in " \t":
            if continues:  # kept with its line break, as email keeps it
                name, value = pairs[-1]
                pairs[-1] = (name, value + line)
            continue
        continues = False
        if line.startswith("From "):
            continue
        match = _NAME.match(line)
        if match is None:
            break
        if match.end() > 1:
            pairs.append((line[: match.end() - 1], line[match.end() :].lstrip(" \t")))
            continues = True
    return Headers([(name, value.rstrip("\r\n")) for name, value in pairs])


def quick_answer(data: bytes, method: str, cap: int) -> tuple[Response, bool] | None:
    """The answer in *data*, the first bytes read, when they hold it whole and plain: an
    HTTP/1.1 or HTTP/1.0 status line and headers, each line ended by CRLF, and a body of
    exactly the length its ``Content-Length`` gives (none for a 204, a 304 or a HEAD), at most
    *cap* bytes, without ``Transfer-Encoding``; read as ``http.client`` reads it, with whether
    the connection may carry another request. ``None`` for anything else, which
    ``http.client`` reads (the bytes are handed back to it).
    """
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = data[: end + 2]
    if head.count(b"\n") != head.count(b"\r") or head.count(b"\r\n") != head.count(b"\n"):
        return None  # a line ended otherwise, or a carriage return alone
    line_end = head.find(b"\r\n")
    parts = head[:line_end].decode("iso-8859-1").split(None, 2)
    if len(parts) < 2 or len(parts[1]) != 3 or not parts[1].isdigit():
        return None
    version, code = parts[0], int(parts[1])
    if version not in ("HTTP/1.1", "HTTP/1.0") or code < 200:
        return None
    if max(map(len, head.split(b"\r\n"))) + 2 > _MAX_LINE:
        return None  # http.client refuses it: let it say why
    try:
        headers = read_headers(io.BytesIO(data[line_end + 2 : end + 4]))
    except http.client.HTTPException:
        return None
    if headers.get("transfer-encoding") is not None:
        return None
    if code in (http.client.NO_CONTENT, http.client.NOT_MODIFIED) or method == "HEAD":
        length = 0
    else:
        try:
            length = int(headers.get("content-length") or "")
        except ValueError:
            return None
    body = data[end + 4 :]
    if length < 0 or length > cap or len(body) != length:
        return None
    connection = (headers.get("connection") or "").lower()
    if version == "HTTP/1.1":
        will_close = "close" in connection
    else:
        # http.client's rules for HTTP/1.0: kept alive only when the answer says so.
        proxy = (headers.get("proxy-connection") or "").lower()
        will_close = not (
            headers.get("keep-alive") or "keep-alive" in connection or "keep-alive" in proxy
        )
    reason = parts[2].strip() if len(parts) == 3 else ""
    response = Response(code, reason, headers.items(), body, False)
    return response, version == "HTTP/1.1" and not will_close


@functools.cache
def response_class() -> type[http.client.HTTPResponse]:
    """``http.client.HTTPResponse`` whose head is read by :func:`read_headers`."""

    class Answer(http.client.HTTPResponse):
        def begin(self) -> None:
            # http.client's begin(), the header parser aside.
            if self.headers is not None:
                return
            while True:
                version, status, reason = self._read_status()
                if status != http.client.CONTINUE:
                    break
                read_headers(self.fp)  # a 100 Continue's headers are skipped
            self.code = self.status = status
            self.reason = reason.strip()
            if version in ("HTTP/1.0", "HTTP/0.9"):
                self.version = 10
            elif version.startswith("HTTP/1."):
                self.version = 11
            else:
                raise http.client.UnknownProtocol(version)
            self.headers = self.msg = read_headers(self.fp)
            encoding = self.headers.get("transfer-encoding")
            self.chunked = bool(encoding and encoding.lower() == "chunked")
            if self.chunked:
                self.chunk_left = None
            self.will_close = self._check_close()
            self.length = None
            length = self.headers.get("content-length")
            if length and not self.chunked:
                try:
                    self.length = int(length)
                except ValueError:
                    self.length = None
                else:
                    if self.length < 0:
                        self.length = None
            if (
                status in (http.client.NO_CONTENT, http.client.NOT_MODIFIED)
                or 100 <= status < 200
                or self._method == "HEAD"
            ):
                self.length = 0
            if not self.will_close and not self.chunked and self.length is None:
                self.will_close = True

    return Answer


# -- connections kept alive -------------------------------------------------------------------

#: Seconds an idle connection is kept for reuse: well under the idle timeouts of common servers
#: (gunicorn's 2 s, Node's and uvicorn's 5 s, nginx's 75 s), so that a receiver seldom closes one
#: as a request goes out on it.
DEFAULT_IDLE_SECONDS = 1.0
#: Idle connections kept for one receiver (scheme, host and port).
_MAX_IDLE_PER_RECEIVER = 4


def still_open(sock: socket.socket) -> bool:
    """Whether *sock*, idle, is fit to carry a request: nothing to read on it (no close, no
    reset, no stray bytes from the receiver), seen without waiting."""
    try:
        if _poll is not None:
            poller = _poll()
            poller.register(sock, select.POLLIN | select.POLLPRI)
            return not poller.poll(0)
        readable, _, broken = select.select([sock], [], [sock], 0)
        return not (readable or broken)
    except (OSError, ValueError):
        return False


_poll = getattr(select, "poll", None)


def reset_after_close(sock: socket.socket, left: float) -> bool:
    """Whether the receiver's TCP stack reset *sock*, on which it closed its side, after what
    was written on it; waiting for the reset as long as it takes to come back (four round
    trips, and at least a tenth of a second; a second where the round trip is not known), and
    no longer than *left* seconds.

    A TCP stack resets a connection when data reaches it after its application closed it, or is
    still unread when its application closes it: a reset after the receiver's close means its
    application did not read the request to the end. Without a reset, it read what was sent.
    """
    if _reset_seen(sock):
        return True
    wait = min(left, _round_trip_wait(sock))
    if _poll is None or wait <= 0:
        return False
    poller = _poll()
    # No event asked for: poll() wakes for a hang-up or an error only (a reset brings both).
    poller.register(sock, 0)
    try:
        poller.poll(wait * 1000)
    except OSError:
        return False
    return _reset_seen(sock)


def _round_trip_wait(sock: socket.socket) -> float:
    """Seconds to wait for an answer from the other end's TCP stack: from the smoothed round
    trip time Linux keeps for the connection (``TCP_INFO``'s ``tcpi_rtt``, microseconds)."""
    option = getattr(socket, "TCP_INFO", None)
    if option is None:
        return 1.0
    try:
        info = sock.getsockopt(socket.IPPROTO_TCP, option, 104)
    except OSError:
        return 1.0
    if len(info) < 72:
        return 1.0
    rtt = int.from_bytes(info[68:72], sys.byteorder) / 1e6
    return max(0.1, 4 * rtt)


def _reset_seen(sock: socket.socket) -> bool:
    try:
        error = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    except OSError:
        return False
    return error in (errno.ECONNRESET, errno.EPIPE)


class ConnectionPool:
    """Idle connections to receivers, kept after a complete answer so that the next request to
    the same receiver skips the connection set-up (``hookmock serve`` keeps one for its
    deliveries). Each is kept for *idle_seconds*, and closed by :meth:`close` (and
    :meth:`clear`); a pool that is closed keeps nothing more.

    Which answers leave a connection fit for reuse, and what a delivery on a reused connection
    does when the receiver has closed it, :class:`~hookmock.transports.HTTPTarget` says.
    """

    def __init__(self, *, idle_seconds: float = DEFAULT_IDLE_SECONDS) -> None:
        self.idle_seconds = idle_seconds
        self._idle: dict[Hashable, list[tuple[socket.socket, float]]] = {}
        self._lock = threading.Lock()
        self._closed = False

    def take(self, key: Hashable) -> socket.socket | None:
        """The most recently kept connection to *key* that is still fit for a request, or
        ``None``; those found stale or closed by the receiver are closed."""
        now = time.monotonic()
        with self._lock:
            kept = self._idle.get(key)
            found = kept.pop() if kept else None
        while found is not None:
            sock, since = found
            if now - since < self.idle_seconds and still_open(sock):
                return sock
            sock.close()
            with self._lock:
                kept = self._idle.get(key)
                found = kept.pop() if kept else None
        return None

    def give(self, key: Hashable, sock: socket.socket) -> None:
        """Keep *sock*, idle after a complete answer, for the next request to *key*."""
        now = time.monotonic()
        drop: list[socket.socket] = []
        with self._lock:
            if self._closed:
                drop.append(sock)
            else:
                kept = self._idle.setdefault(key, [])
                kept.append((sock, now))
                while len(kept) > _MAX_IDLE_PER_RECEIVER:
                    drop.append(kept.pop(0)[0])
        for each in drop:
            each.close()

    def clear(self) -> None:
        """Close every idle connection."""
        with self._lock:
            kept, self._idle = self._idle, {}
        for connections in kept.values():
            for sock, _ in connections:
                sock.close()

    def close(self) -> None:
        """Close every idle connection, and keep none from now on."""
        with self._lock:
            self._closed = True
        self.clear()

    def __len__(self) -> int:
        with self._lock:
            return sum(len(kept) for kept in self._idle.values())
