"""A request whose body is shorter than its ``content-length``, over a raw socket.

``http.client`` cannot send one and then stop: it would wait for an answer the server cannot
give before it has the promised bytes. Here the socket's sending side is closed after the short
body (for ``http://``), so a server sees the end of the stream at once and can answer.
"""

from __future__ import annotations

import http.client
import socket
import time
from urllib.parse import urlsplit

from ..engine.delivery import Attempt, Outcome, Request, Response
from ..transports import DeadlineStream, HTTPTarget

__all__ = ["CLOSED_WITHOUT_ANSWER", "TruncatingTarget"]

CLOSED_WITHOUT_ANSWER = "the receiver closed the connection without an answer"


class TruncatingTarget:
    """Sends each request to *target*'s URL as given, headers included, and for ``http://``
    closes the sending side after the body. Used for one check; not a general transport."""

    def __init__(self, target: HTTPTarget) -> None:
        self.target = target
        self.url = target.url

    def describe(self) -> str:
        return self.target.describe()

    def sibling(self, url_or_path: str) -> HTTPTarget:
        return self.target.sibling(url_or_path)  # type: ignore[return-value]

    def send(self, request: Request, *, deadline: float) -> Attempt:
        parts = urlsplit(self.url)
        secure = parts.scheme == "https"
        port = parts.port or (443 if secure else 80)
        begin = time.perf_counter()

        def failed(reason: str, outcome: Outcome) -> Attempt:
            return Attempt(None, time.perf_counter() - begin, reason, outcome)

        try:
            raw = socket.create_connection((parts.hostname or "", port), timeout=deadline)
        except OSError as exc:
            return failed(f"could not connect: {exc}", Outcome.CONNECTION_ERROR)
        sock: socket.socket = raw
        try:
            if secure:
                context = self.target._context  # the target's own trust settings
                assert context is not None
                sock = context.wrap_socket(raw, server_hostname=parts.hostname)
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            head = f"{request.method} {path} HTTP/1.1\r\n" + "".join(
                f"{name}: {value}\r\n" for name, value in request.headers
            )
            sock.sendall(head.encode("latin-1") + b"connection: close\r\n\r\n" + request.body)
            if not secure:
                # TLS has no half-close: over https the server keeps waiting for the rest.
                sock.shutdown(socket.SHUT_WR)
            # Each read gets what is left of the deadline: a trickled answer cannot outlast it.
            stream = DeadlineStream(sock, begin + deadline, time.perf_counter)
            answer = http.client.HTTPResponse(stream)  # type: ignore[arg-type]
            answer.begin()
            body = answer.read(self.target.max_response_bytes)
        except TimeoutError:
            return failed(f"no answer within the {deadline:g} s deadline", Outcome.TIMEOUT)
        except http.client.RemoteDisconnected:
            return failed(CLOSED_WITHOUT_ANSWER, Outcome.CONNECTION_ERROR)
        except (http.client.HTTPException, OSError) as exc:
            return failed(f"{type(exc).__name__}: {exc}", Outcome.CONNECTION_ERROR)
        finally:
            sock.close()
        response = Response(answer.status, answer.reason, tuple(answer.getheaders()), body)
        return Attempt(response, time.perf_counter() - begin)
