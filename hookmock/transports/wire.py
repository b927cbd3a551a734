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

import functools
import http.client
import re
from typing import Any

__all__ = ["Headers", "response_class"]

# http.client's limits on an answer's head.
_MAX_LINE = 65536
_MAX_HEADERS = 100
# email.feedparser's header line: a name of printable characters other than the colon, then one.
_NAME = re.compile(r"[\041-\071\073-\176]*:")
_ENDS = (b"\r\n", b"\n", b"")


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
    for raw in lines:
        line = raw.decode("iso-8859-1")
        if line[0] in " \t":
            if pairs:  # a continuation line: kept with its line break, as email keeps it
                name, value = pairs[-1]
                pairs[-1] = (name, value + line)
            continue
        if line.startswith("From "):  # an mbox envelope line: email skips it
            continue
        match = _NAME.match(line)
        if match is None:
            break
        if match.end() > 1:  # a line with an empty name is dropped
            pairs.append((line[: match.end() - 1], line[match.end() :].lstrip(" \t")))
    return Headers([(name, value.rstrip("\r\n")) for name, value in pairs])


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
