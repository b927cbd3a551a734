"""Transports: one delivery attempt each, request out, response or failure in.

- :class:`WSGITarget` calls a WSGI application in-process (no socket). It cannot interrupt the
  application, so an answer after the deadline is reported and judged late.
- :class:`~hookmock.asgi.ASGITarget` calls an ASGI application in-process (see
  :mod:`hookmock.asgi`).
- :class:`HTTPTarget` sends over the network stack with the standard library's ``http.client``,
  which writes the given header list and body bytes as they are. A watchdog closes the
  connection at the deadline, so a receiver that stalls cannot hold the test.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import io
import socket
import sys
import threading
import time
import traceback
import zlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import SplitResult, unquote, urlsplit

from .delivery import Attempt, Outcome, Request, Response
from .errors import ConfigurationError
from .report import mask_url

if TYPE_CHECKING:
    import ssl

__all__ = [
    "DEFAULT_BACKGROUND_TIMEOUT",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "HTTPTarget",
    "InProcessTarget",
    "Target",
    "WSGITarget",
]

#: How much of a response body is kept by default; the rest is read and discarded, or cut off.
DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024
#: Seconds an in-process ASGI application's call may go on after its response (background
#: work) before it is cancelled and reported; also the bound of its lifespan startup/shutdown.
DEFAULT_BACKGROUND_TIMEOUT = 30.0


class Target(Protocol):
    """Where deliveries go. :attr:`url` is the endpoint URL the provider is configured with."""

    url: str

    def send(self, request: Request, *, deadline: float) -> Attempt: ...

    def describe(self) -> str: ...

    def sibling(self, url_or_path: str) -> Target:
        """The same receiver at another path (or another URL)."""
        ...


class InProcessTarget:
    """What the in-process targets share: the application, and the URL it stands for."""

    def __init__(
        self,
        app: Any,
        *,
        path: str = "/",
        host: str = "receiver.test",
        scheme: str = "https",
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        if not path.startswith("/"):
            raise ConfigurationError(f"path must start with '/', got {path!r}")
        self.app = app
        self.host = host
        self.scheme = scheme
        self.max_response_bytes = max_response_bytes
        self.url = f"{scheme}://{host}{path}"
        self.path = path

    def send(self, request: Request, *, deadline: float) -> Attempt:
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}({mask_url(self.url)!r})"

    def sibling(self, url_or_path: str) -> Target:
        if "://" in url_or_path:
            return HTTPTarget(url_or_path)
        return type(self)(
            self.app,
            path=url_or_path,
            host=self.host,
            scheme=self.scheme,
            max_response_bytes=self.max_response_bytes,
        )


class WSGITarget(InProcessTarget):
    """Deliver to a WSGI application in-process.

    :param app: the WSGI callable (Flask's app, Django's ``get_wsgi_application()``).
    :param path: the request path the receiver's route expects (``"/zoom/webhook"``).
    :param host: the ``Host`` header and ``SERVER_NAME``.
    :param scheme: ``wsgi.url_scheme``; Zoom only delivers to ``https`` endpoints.
    """

    @functools.cached_property
    def _base_environ(self) -> dict[str, Any]:
        """The environ keys every delivery shares, built once."""
        raw_path, _, query = self.path.partition("?")
        return {
            "REQUEST_METHOD": "POST",
            "SCRIPT_NAME": "",
            "PATH_INFO": unquote(raw_path, "latin-1"),
            "QUERY_STRING": query,
            "SERVER_NAME": self.host,
            "SERVER_PORT": "443" if self.scheme == "https" else "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "REQUEST_URI": self.path,
            "RAW_URI": self.path,
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": self.scheme,
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }

    def describe(self) -> str:
        name = getattr(self.app, "name", None) or getattr(self.app, "__name__", None)
        label = f"{type(self.app).__name__} {name!r}" if name else repr(self.app)
        return f"{self.url} (in-process WSGI: {label})"

    def send(self, request: Request, *, deadline: float) -> Attempt:
        environ = dict(self._base_environ)
        environ["REQUEST_METHOD"] = request.method
        environ["wsgi.input"] = io.BytesIO(request.body)
        for name, value in request.headers:
            key = name.upper().replace("-", "_")
            if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                environ[key] = value
                continue
            key = "HTTP_" + key
            environ[key] = f"{environ[key]}, {value}" if key in environ else value
        started: list[Any] = []

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            started[:] = [status, headers]
            return lambda data: None

        begin = time.perf_counter()
        try:
            result = self.app(environ, start_response)
            try:
                body, truncated = _collect(result, self.max_response_bytes)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
        except Exception:
            elapsed = time.perf_counter() - begin
            return Attempt(None, elapsed, traceback.format_exc(), Outcome.APP_ERROR)
        elapsed = time.perf_counter() - begin
        if not started:
            return Attempt(
                None,
                elapsed,
                "the application returned without calling start_response",
                Outcome.APP_ERROR,
            )
        status_line, headers = started
        code, _, reason = status_line.partition(" ")
        try:
            status = int(code)
        except ValueError:
            return Attempt(
                None, elapsed, f"invalid status line {status_line!r}", Outcome.INVALID_RESPONSE
            )
        response = Response(status, reason, tuple(headers), body, truncated)
        return Attempt(_decoded(response, self.max_response_bytes), elapsed)


def _collect(chunks: Iterable[bytes], cap: int) -> tuple[bytes, bool]:
    buffer = bytearray()
    for chunk in chunks:
        room = cap - len(buffer)
        if len(chunk) > room:
            buffer += chunk[:room]
            return bytes(buffer), True
        buffer += chunk
    return bytes(buffer), False


def _decoded(response: Response, cap: int) -> Response:
    """Undo a gzip/deflate content-encoding (Zoom sends ``accept-encoding: gzip``)."""
    encoding = (response.header("content-encoding") or "").lower()
    if encoding not in ("gzip", "deflate") or response.truncated:
        return response
    try:
        if encoding == "gzip":
            body = gzip.GzipFile(fileobj=io.BytesIO(response.body)).read(cap + 1)
        else:
            body = zlib.decompressobj().decompress(response.body, cap + 1)
    except (OSError, EOFError, zlib.error):
        return response
    return Response(response.status, response.reason, response.headers, body[:cap], len(body) > cap)


class HTTPTarget:
    """Deliver over HTTP(S) to a URL.

    :param url: the endpoint, ``http://`` or ``https://``.
    :param verify: check the server's TLS certificate (Zoom requires a CA-signed one).
    :param cafile: a CA bundle to trust instead of the system's (a test CA).
    """

    def __init__(
        self,
        url: str,
        *,
        verify: bool = True,
        cafile: str | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 (raises ValueError for a port that is not one)
        except ValueError as exc:
            raise ConfigurationError(
                f"cannot deliver to {mask_url(url)!r}: {exc}; give an absolute http:// or "
                "https:// URL, with a port from 1 to 65535 if any"
            ) from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigurationError(
                f"cannot deliver to {mask_url(url)!r}: give an absolute http:// or https:// URL"
            )
        if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
            raise ConfigurationError(
                f"cannot deliver to {mask_url(url)!r}: a URL cannot contain spaces or control "
                "characters; percent-encode them (a space is %20)"
            )
        self.url = url
        self._parts = parts
        self._verify = verify
        self._cafile = cafile
        self.max_response_bytes = max_response_bytes
        self._context: ssl.SSLContext | None = None
        if parts.scheme == "https":
            import ssl

            try:
                context = ssl.create_default_context(cafile=cafile)
            except (OSError, ssl.SSLError) as exc:
                reason = exc.strerror if exc.strerror and not isinstance(exc, ssl.SSLError) else exc
                raise ConfigurationError(
                    f"cafile {cafile!r} cannot be read as CA certificates ({reason}); give a PEM "
                    "file of the CA's certificate"
                ) from None
            if not verify:
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            self._context = context

    def describe(self) -> str:
        return self.url

    def __repr__(self) -> str:
        return f"HTTPTarget({mask_url(self.url)!r})"

    def sibling(self, url_or_path: str) -> Target:
        from urllib.parse import urljoin

        return HTTPTarget(
            urljoin(self.url, url_or_path),
            verify=self._verify,
            cafile=self._cafile,
            max_response_bytes=self.max_response_bytes,
        )

    def send(self, request: Request, *, deadline: float) -> Attempt:
        import http.client
        import ssl

        parts = self._parts
        host = parts.hostname or ""
        begin = time.perf_counter()

        def failed(reason: str, outcome: Outcome) -> Attempt:
            return Attempt(None, time.perf_counter() - begin, reason, outcome)

        connection: http.client.HTTPConnection
        if self._context is not None:
            connection = http.client.HTTPSConnection(
                host, parts.port, timeout=deadline, context=self._context
            )
        else:
            connection = http.client.HTTPConnection(host, parts.port, timeout=deadline)
        cut_off = threading.Event()

        def watchdog() -> None:
            cut_off.set()
            sock = connection.sock
            if sock is not None:
                # Already closed by the sender is fine: then there is nothing to cut off.
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

        timer = threading.Timer(deadline, watchdog)
        timer.daemon = True
        timer.start()
        try:
            connection.connect()
        except TimeoutError:
            timer.cancel()
            connection.close()
            return failed(
                f"could not connect to {_host_port(parts)} within the {deadline:g} s deadline",
                Outcome.CONNECTION_ERROR,
            )
        except OSError as exc:
            timer.cancel()
            connection.close()
            if isinstance(exc, ssl.SSLError):
                reason = _describe_tls_error(exc, host)
            else:
                reason = _describe_os_error(exc, host)
            return failed(reason, Outcome.CONNECTION_ERROR)
        try:
            path = parts.path or "/"
            if parts.query:
                path += "?" + parts.query
            connection.putrequest(request.method, path, skip_host=True, skip_accept_encoding=True)
            for name, value in request.headers:
                connection.putheader(name, value)
            connection.endheaders(request.body)
            answer = connection.getresponse()
            body = answer.read(self.max_response_bytes)
            truncated = bool(answer.read(1)) if len(body) == self.max_response_bytes else False
            if cut_off.is_set():
                # The watchdog closed the connection mid-body: what was read is not an answer.
                return failed(
                    f"cut off at the {deadline:g} s deadline while reading the body "
                    f"({len(body)} bytes read)",
                    Outcome.TIMEOUT,
                )
            response = Response(
                answer.status, answer.reason, tuple(answer.getheaders()), body, truncated
            )
            # http.client returns what came before a clean close without complaint when the
            # body is shorter than its content-length: that answer was cut short, not given.
            missing = answer.length if not truncated else None
            if missing:
                declared = len(body) + missing
                return Attempt(
                    response,
                    time.perf_counter() - begin,
                    f"truncated response: the receiver closed the connection after {len(body)} "
                    f"of the {declared} body bytes its content-length announced",
                    Outcome.INVALID_RESPONSE,
                )
        except TimeoutError:
            return failed(f"no answer within the {deadline:g} s deadline", Outcome.TIMEOUT)
        except ssl.SSLError as exc:
            return failed(_describe_tls_error(exc, host), Outcome.CONNECTION_ERROR)
        except http.client.HTTPException as exc:
            if cut_off.is_set():
                return failed(f"cut off at the {deadline:g} s deadline", Outcome.TIMEOUT)
            return failed(
                f"invalid HTTP response: {type(exc).__name__}: {exc}", Outcome.INVALID_RESPONSE
            )
        except OSError as exc:
            if cut_off.is_set():
                return failed(f"cut off at the {deadline:g} s deadline", Outcome.TIMEOUT)
            return failed(_describe_os_error(exc, host), Outcome.CONNECTION_ERROR)
        finally:
            timer.cancel()
            connection.close()
        elapsed = time.perf_counter() - begin
        return Attempt(_decoded(response, self.max_response_bytes), elapsed)


def _host_port(parts: SplitResult) -> str:
    """``host:port`` of a URL, without its user-info."""
    return parts.netloc.rpartition("@")[2]


def _describe_tls_error(exc: Exception, host: str) -> str:
    import ssl

    if isinstance(exc, ssl.SSLCertVerificationError):
        return (
            f"TLS failure: the certificate of {host} failed verification "
            f"({exc.verify_message or exc}); Zoom only delivers to CA-signed certificates. "
            "For a test CA pass cafile= (CLI: --cafile); to skip the check, verify=False "
            "(CLI: --insecure)"
        )
    return f"TLS failure: {exc}"


def _describe_os_error(exc: OSError, host: str) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused (is the receiver running and listening on that port?)"
    if isinstance(exc, ConnectionResetError):
        return "connection reset by the receiver"
    if isinstance(exc, socket.gaierror):
        return f"DNS lookup of {host!r} failed: {exc.strerror}"
    return f"{type(exc).__name__}: {exc}"
