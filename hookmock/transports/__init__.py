"""Transports: one delivery attempt each, request out, response or failure in.

- :class:`WSGITarget` calls a WSGI application in-process (no socket). It cannot interrupt the
  application, so an answer after the deadline is reported and judged late.
- :class:`~hookmock.transports.asgi.ASGITarget` calls an ASGI application in-process (see
  :mod:`hookmock.transports.asgi`).
- :class:`HTTPTarget` sends over the network stack: the given header list and body bytes go out
  as they are, and the standard library's ``http.client`` parses the answer. Every read and
  write is bounded by what is left of the deadline, so a receiver that stalls or trickles
  cannot hold the test.
"""

from __future__ import annotations

import functools
import io
import re
import socket
import sys
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import ConfigurationError
from ..records.exchange import Attempt, Request, Response
from ..records.limits import DEFAULT_BACKGROUND_TIMEOUT as DEFAULT_BACKGROUND_TIMEOUT
from ..records.masking import mask_url
from ..records.outcome import Outcome

if TYPE_CHECKING:
    import ssl
    from urllib.parse import SplitResult

    from .wire import ConnectionPool

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

    #: The application, URL and description that :meth:`describe` last gave.
    _described: tuple[Any, str, str] | None = None

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
        if "%" in raw_path:
            from urllib.parse import unquote

            raw_path = unquote(raw_path, "latin-1")
        return {
            "REQUEST_METHOD": "POST",
            "SCRIPT_NAME": "",
            "PATH_INFO": raw_path,
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
        # Every delivery records it: worked out once per application and URL.
        described = self._described
        if described is not None and described[0] is self.app and described[1] == self.url:
            return described[2]
        name = getattr(self.app, "name", None) or getattr(self.app, "__name__", None)
        label = f"{type(self.app).__name__} {name!r}" if name else repr(self.app)
        text = f"{self.url} (in-process WSGI: {label})"
        self._described = (self.app, self.url, text)
        return text

    def send(self, request: Request, *, deadline: float) -> Attempt:
        environ = self._base_environ.copy()
        environ["REQUEST_METHOD"] = request.method
        environ["wsgi.input"] = io.BytesIO(request.body)
        names = request.header_names
        keys = _KEYS_OF.get(names)
        if keys is None:
            keys = _environ_keys(names)
        if keys:
            environ.update(zip(keys, request.header_values, strict=True))
        else:
            for name, value in zip(names, request.header_values, strict=True):
                key = _environ_key(name)
                if key in environ and key[0] == "H":  # HTTP_*: a repeated header joins the first
                    environ[key] = f"{environ[key]}, {value}"
                else:
                    environ[key] = value
        started: list[Any] = []

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            started[:] = status, headers
            return _ignore_write

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
            # Imported when an application fails: a first delivery need not pay for it.
            import traceback

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
        response = Response(status, reason, headers, body, truncated)
        return Attempt(_decoded(response, self.max_response_bytes), elapsed)


def _ignore_write(data: bytes) -> None:
    """The ``write`` callable that ``start_response`` returns: what an application writes
    through it is not kept (PEP 3333 keeps it only for legacy applications)."""


#: The environ keys of each list of header names seen (``x-zm-signature``:
#: ``HTTP_X_ZM_SIGNATURE``), worked out once: an empty tuple where two names share a key, whose
#: values are then joined one header at a time.
_KEYS_OF: dict[tuple[str, ...], tuple[str, ...]] = {}
#: The headers whose environ keys have no ``HTTP_`` prefix (PEP 3333).
_UNPREFIXED = frozenset({"CONTENT_TYPE", "CONTENT_LENGTH"})


def _environ_key(name: str) -> str:
    key = name.upper().replace("-", "_")
    if key not in _UNPREFIXED:
        key = "HTTP_" + key
    return key


def _environ_keys(names: tuple[str, ...]) -> tuple[str, ...]:
    keys = tuple(map(_environ_key, names))
    if len(set(keys)) != len(keys):
        keys = ()
    if len(_KEYS_OF) > 256:
        _KEYS_OF.clear()
    _KEYS_OF[names] = keys
    return keys


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
    # Imported for an encoded answer only: most receivers send none.
    import gzip
    import zlib

    try:
        if encoding == "gzip":
            body = gzip.GzipFile(fileobj=io.BytesIO(response.body)).read(cap + 1)
        else:
            body = zlib.decompressobj().decompress(response.body, cap + 1)
    except (OSError, EOFError, zlib.error):
        return response
    return Response(response.status, response.reason, response.headers, body[:cap], len(body) > cap)


@functools.cache
def _wire_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """Compiled with the first request over HTTP (an in-process target needs none): a request
    method, a token (RFC 9110 §9.1, §5.6.2); what a header name may be, as ``http.client`` has
    it: no colon, no line break, no white space first; a line break in a header value that does
    not fold onto a continuation line."""
    return (
        re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"),
        re.compile(r"[^:\s][^:\r\n]*"),
        re.compile(r"\n(?![ \t])|\r(?![ \t\n])"),
    )


#: The methods and lists of header names found fit for the wire (each list is checked once).
_SENDABLE: set[tuple[str, tuple[str, ...]]] = set()


def _check_sendable(method: str, names: tuple[str, ...]) -> None:
    """:raises ConfigurationError: for a method that is not a token or a header name HTTP
    cannot carry."""
    method_pattern, header_name, _ = _wire_patterns()
    if not method_pattern.fullmatch(method):
        raise ConfigurationError(
            f"cannot send a {method!r} request: a method is a token such as 'POST'"
        )
    for name in names:
        if not (name.isascii() and header_name.fullmatch(name)):
            raise ConfigurationError(
                f"cannot send a header named {name!r} over HTTP: a header name is ASCII "
                "without colons or line breaks"
            )
    if len(_SENDABLE) > 256:
        _SENDABLE.clear()
    _SENDABLE.add((method, names))


def _header_line(name: str, value: str) -> str:
    return f"{name}: {value}"


class HTTPTarget:
    """Deliver over HTTP(S) to a URL, on a new connection for each attempt, or over plain HTTP
    on a connection kept from the one before when given a pool of *connections*.

    The deadline bounds the whole attempt, not each step: before every connect, write and read,
    the socket's timeout is set to what is left of it, so a receiver that trickles its answer a
    byte at a time is cut off at the deadline just like one that never answers, and no thread
    is started for it. A DNS lookup is the one step it cannot bound (the resolver's own timeout
    does); an IP address in the URL is used as it is, without a lookup.

    Connections kept (:class:`~hookmock.transports.wire.ConnectionPool`): after an HTTP/1.1
    answer read to its end as its length or chunks frame it, without ``Connection: close``,
    the connection is kept idle for at most a second. It carries the next request only if,
    just before, nothing can be read on it (the receiver has not closed or reset it, nor sent
    stray bytes). A receiver may still close it as the request goes out; when that happens
    before any byte of an answer came back, the request is sent again on a new connection,
    within the same deadline, only when the receiver's application cannot have read it whole:
    nothing was written, or the receiver's TCP stack reset the connection (which it does for
    data that reaches a connection its application closed, or that is unread when it closes
    it). A clean close without a reset means the receiver read the request and hung up without
    answering: that is recorded as on a new connection, and the request is not sent again.

    :param url: the endpoint, ``http://`` or ``https://``.
    :param verify: check the server's TLS certificate (Zoom requires a CA-signed one).
    :param cafile: a CA bundle to trust instead of the system's (a test CA).
    :param max_response_bytes: how much of a response body is kept; the rest is cut off.
    :param clock: a monotonic clock in seconds, read before each step of an attempt: the
        deadline and the elapsed time are measured on it (a test can step it).
    """

    def __init__(
        self,
        url: str,
        *,
        verify: bool = True,
        cafile: str | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        clock: Callable[[], float] = time.perf_counter,
        connections: ConnectionPool | None = None,
    ) -> None:
        from urllib.parse import urlsplit

        try:
            parts = urlsplit(url)
            port = parts.port
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
        # The request line is built once: path and query as given, which must be ASCII.
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if not path.isascii():
            raise ConfigurationError(
                f"cannot deliver to {mask_url(url)!r}: a URL's path and query are ASCII; "
                "percent-encode other characters as UTF-8 bytes (é is %C3%A9)"
            )
        self.url = url
        self._parts = parts
        self._path = path
        self._host = parts.hostname
        self._port = port or (443 if parts.scheme == "https" else 80)
        self._address = _literal_address(self._host, self._port)
        self._verify = verify
        self._cafile = cafile
        self._clock = clock
        self.max_response_bytes = max_response_bytes
        # Connections are kept over plain HTTP only.
        self._connections = connections if parts.scheme == "http" else None
        self._key = (self._host, self._port)
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
            clock=self._clock,
            connections=self._connections,
        )

    def send(self, request: Request, *, deadline: float) -> Attempt:
        import ssl

        message = self._head(request) + request.body
        clock = self._clock
        begin = clock()
        ends = begin + deadline
        pool = self._connections
        sock = pool.take(self._key) if pool is not None else None
        while True:
            reused = sock is not None
            if sock is None:
                try:
                    sock = self._connect(ends)
                except TimeoutError:
                    return Attempt(
                        None,
                        clock() - begin,
                        f"could not connect to {_host_port(self._parts)} within the "
                        f"{deadline:g} s deadline",
                        Outcome.CONNECTION_ERROR,
                    )
                except ssl.SSLError as exc:
                    reason = _describe_tls_error(exc, self._host)
                    return Attempt(None, clock() - begin, reason, Outcome.CONNECTION_ERROR)
                except OSError as exc:
                    reason = _describe_os_error(exc, self._host)
                    return Attempt(None, clock() - begin, reason, Outcome.CONNECTION_ERROR)
            keep = False
            try:
                attempt, keep = self._exchange(sock, message, request, ends, begin, reused)
            finally:
                if keep and pool is not None:
                    pool.give(self._key, sock)
                else:
                    sock.close()
            if attempt is not None:
                return attempt
            sock = None  # the request never reached the receiver: once more, connected anew

    def _exchange(
        self,
        sock: socket.socket,
        message: bytes,
        request: Request,
        ends: float,
        begin: float,
        reused: bool,
    ) -> tuple[Attempt | None, bool]:
        """One request and its answer on *sock*: the attempt, and whether the connection is
        fit for another request. On a *reused* connection that the receiver closed before its
        application read the request, no attempt (``None``): see :class:`HTTPTarget`."""
        import http.client
        import ssl

        from .wire import quick_answer, reset_after_close, response_class

        clock = self._clock
        host = self._host
        deadline = ends - begin

        def failed(reason: str, outcome: Outcome) -> tuple[Attempt | None, bool]:
            return Attempt(None, clock() - begin, reason, outcome), False

        stream = DeadlineStream(sock, ends, clock)
        answer: http.client.HTTPResponse | None = None
        body = bytearray()
        head_read = False
        try:
            try:
                stream.send_all(message)
                first = stream.read_some(_FIRST_READ)
                quick = quick_answer(first, request.method, self.max_response_bytes)
                if quick is None:
                    # http.client parses what comes back, reading through the stream's deadline.
                    stream.unread(first)
                    answer = response_class()(stream, method=request.method)  # type: ignore[arg-type]
                    answer.begin()
            except (OSError, http.client.HTTPException) as exc:
                if reused and stream.received == 0 and not isinstance(exc, TimeoutError):
                    # Closed or reset before a byte of an answer: resent only when the
                    # receiver's application cannot have read the whole request.
                    reset = isinstance(exc, ConnectionResetError | BrokenPipeError)
                    if stream.sent == 0 or (
                        reset and not isinstance(exc, http.client.RemoteDisconnected)
                    ):
                        return None, False
                    if reset_after_close(sock, ends - clock()):
                        return None, False
                raise
            if quick is not None:
                response, reusable = quick
                elapsed = clock() - begin
                keep = self._connections is not None and reusable
                return Attempt(_decoded(response, self.max_response_bytes), elapsed), keep
            assert answer is not None
            head_read = True
            cap = self.max_response_bytes
            while len(body) < cap:
                chunk = answer.read1(cap - len(body))
                if not chunk:
                    break
                body += chunk
            truncated = len(body) == cap and bool(answer.read(1))
            # Read to its end, as framed by its length or its chunks (http.client lets go of
            # the stream after the last chunk).
            complete = not truncated and (
                answer.fp is None if answer.chunked else answer.length == 0
            )
        except TimeoutError:
            return failed(
                _cut_off(deadline, stream, len(body) if head_read else None), Outcome.TIMEOUT
            )
        except ssl.SSLError as exc:
            return failed(_describe_tls_error(exc, host), Outcome.CONNECTION_ERROR)
        except http.client.IncompleteRead:
            # What came before is not shown as an answer: the chunked body never ended.
            return failed(
                f"invalid HTTP response: IncompleteRead: the chunked body broke off after "
                f"{len(body)} bytes (the connection closed within a chunk, or a chunk size "
                "was not a hexadecimal number)",
                Outcome.INVALID_RESPONSE,
            )
        except http.client.HTTPException as exc:
            return failed(
                f"invalid HTTP response: {type(exc).__name__}: {exc}", Outcome.INVALID_RESPONSE
            )
        except OSError as exc:
            return failed(_describe_os_error(exc, host), Outcome.CONNECTION_ERROR)
        finally:
            if answer is not None:
                answer.close()
        elapsed = clock() - begin
        response = Response(
            answer.status, answer.reason, tuple(answer.getheaders()), bytes(body), truncated
        )
        # http.client returns what came before a clean close without complaint when the body
        # is shorter than its content-length: that answer was cut short, not given.
        missing = answer.length if not truncated else None
        if missing:
            return Attempt(
                response,
                elapsed,
                f"truncated response: the receiver closed the connection after {len(body)} "
                f"of the {len(body) + missing} body bytes its content-length announced",
                Outcome.INVALID_RESPONSE,
            ), False
        # Kept for another request only after an answer read to its end, framed by its length
        # or its chunks, in HTTP/1.1 without "Connection: close".
        keep = (
            self._connections is not None
            and complete
            and answer.version == 11
            and not answer.will_close
        )
        return Attempt(_decoded(response, self.max_response_bytes), elapsed), keep

    def _head(self, request: Request) -> bytes:
        """The request line and headers as they go on the wire.

        :raises ConfigurationError: for a method or header HTTP cannot carry (a line break in
            a value would start a header of its own).
        """
        names = request.header_names
        values = request.header_values
        if (request.method, names) not in _SENDABLE:
            _check_sendable(request.method, names)
        joined = "".join(values)
        if "\r" in joined or "\n" in joined:
            line_break = _wire_patterns()[2]
            for name, value in zip(names, values, strict=True):
                # The value is not shown: it may be a credential.
                if line_break.search(value):
                    raise ConfigurationError(
                        f"cannot send the {name!r} header over HTTP: its value has a line "
                        "break; remove it"
                    )
        lines = [f"{request.method} {self._path} HTTP/1.1"]
        lines += map(_header_line, names, values)
        lines += ("", "")
        text = "\r\n".join(lines)
        try:
            return text.encode("latin-1")
        except UnicodeEncodeError as exc:
            char = text[exc.start]
            name = next(
                (name for name, value in request.headers if char in name or char in value), "?"
            )
            raise ConfigurationError(
                f"cannot send the {name!r} header over HTTP: it has a character outside "
                f"Latin-1 (U+{ord(char):04X}); encode the value to ASCII first (percent- or "
                "base64-encoding)"
            ) from None

    def _connect(self, ends: float) -> socket.socket:
        """A connection, TLS included for ``https://``, within what is left until *ends*."""
        if self._address is not None:
            candidates = [self._address]
        else:
            candidates = [
                (family, address)
                for family, _, _, _, address in socket.getaddrinfo(
                    self._host, self._port, type=socket.SOCK_STREAM
                )
            ]
        error: OSError = OSError(f"no address found for {self._host!r}")
        for family, address in candidates:
            sock = socket.socket(family, socket.SOCK_STREAM)
            try:
                _bound(sock, ends, self._clock)
                sock.connect(address)
            except OSError as exc:
                sock.close()
                error = exc
                continue
            break
        else:
            raise error
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self._context is None:
                return sock
            _bound(sock, ends, self._clock)
            return self._context.wrap_socket(sock, server_hostname=self._host)
        except BaseException:
            sock.close()
            raise


def _literal_address(host: str, port: int) -> tuple[socket.AddressFamily, tuple[Any, ...]] | None:
    """The socket address of a host given as an IP address, which needs no lookup."""
    for family, address in (
        (socket.AF_INET, (host, port)),
        (socket.AF_INET6, (host, port, 0, 0)),
    ):
        try:
            socket.inet_pton(family, host)
        except OSError:
            continue
        return family, address
    return None


def _bound(sock: socket.socket, ends: float, clock: Callable[[], float]) -> None:
    """Give *sock* what is left until *ends* as its timeout.

    :raises TimeoutError: when nothing is left.
    """
    left = ends - clock()
    if left <= 0:
        raise TimeoutError("the deadline has passed")
    sock.settimeout(left)


class DeadlineStream(io.RawIOBase):
    """A connected socket whose every write and read gets what is left of the deadline as its
    timeout, so the deadline holds however a receiver spreads its bytes. ``http.client``'s
    response reads through it (:meth:`makefile`); it counts the bytes each way."""

    def __init__(self, sock: socket.socket, ends: float, clock: Callable[[], float]) -> None:
        super().__init__()
        self._sock = sock
        self._ends = ends
        self._clock = clock
        self.total = 0
        self.sent = 0
        self.received = 0
        # Bytes read and handed back (:meth:`unread`), which the next reads return first.
        self._pending = b""

    def send_all(self, data: bytes) -> None:
        self.total = len(data)
        with memoryview(data) as view:
            while self.sent < self.total:
                _bound(self._sock, self._ends, self._clock)
                self.sent += self._sock.send(view[self.sent :])

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        pending = self._pending
        if pending:
            count = min(len(buffer), len(pending))
            buffer[:count] = pending[:count]
            self._pending = pending[count:]
            return count
        _bound(self._sock, self._ends, self._clock)
        count = self._sock.recv_into(buffer)
        self.received += count
        return count

    def read_some(self, size: int) -> bytes:
        """What one read of at most *size* bytes gets (``b""``: the other end closed)."""
        _bound(self._sock, self._ends, self._clock)
        data = self._sock.recv(size)
        self.received += len(data)
        return data

    def unread(self, data: bytes) -> None:
        """Hand back *data*, read with :meth:`read_some`, for the next reads to return first."""
        self._pending = data + self._pending

    def makefile(self, mode: str) -> io.BufferedReader:
        return io.BufferedReader(self)


#: The most an attempt reads at first: an answer that fits, whole, is read without http.client.
_FIRST_READ = 65536


def _cut_off(deadline: float, stream: DeadlineStream, body_bytes: int | None) -> str:
    """Where an attempt stood when its deadline passed; *body_bytes* is ``None`` before the
    response head was complete."""
    if stream.sent < stream.total:
        return (
            f"cut off at the {deadline:g} s deadline while sending the request ({stream.sent} "
            f"of {stream.total} bytes sent)"
        )
    if stream.received == 0:
        return f"no answer within the {deadline:g} s deadline"
    if body_bytes is None:
        return (
            f"cut off at the {deadline:g} s deadline while reading the response head "
            f"({stream.received} bytes read)"
        )
    return (
        f"cut off at the {deadline:g} s deadline while reading the body ({body_bytes} bytes read)"
    )


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
