"""The mock server: a simulated provider as a real HTTP server, for receivers in any language.

It serves the provider it is given, and knows no provider: the provider's own endpoints, which the
provider supplies (its adapter's :meth:`~hookmock.engine.adapter.Adapter.server_routes`, with
what else it adds to the server:
:class:`~hookmock.server.state.ServerExtension`), a control API for test suites under
``/_hookmock/`` (:mod:`hookmock.server.control`, described at ``/_hookmock/openapi.json``) and a
page for a person at ``/`` (:mod:`hookmock.server.page`). werkzeug serves it from a daemon thread;
the port is bound before the constructor returns, so port 0 gives the real port at once::

    from hookmock import StandardWebhooks
    from hookmock.server import MockServer

    with MockServer(StandardWebhooks(secret="whsec_...")) as server:
        print(server.url)            # http://127.0.0.1:<port>

From the command line: ``hookmock serve --provider NAME``; in pytest: ``provider.server_url`` or
the ``hookmock_server`` fixture.

The names from before the server served any provider are kept: ``MockZoomApp`` is
:class:`MockServerApp`; ``MockZoomServer`` is :class:`MockServer` with the provider it had as its
default, defined with that provider (:mod:`hookmock.providers.zoom.mockserver`) and looked up
from there on first use.
"""

from __future__ import annotations

import contextlib
import http.client
import importlib
import ipaddress
import math
import selectors
import socket
import sys
import threading
import time
import traceback
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Self, TextIO

from werkzeug.exceptions import (
    ClientDisconnected,
    HTTPException,
    MethodNotAllowed,
    NotFound,
    RequestEntityTooLarge,
)
from werkzeug.routing import Map, RequestRedirect, Rule
from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler
from werkzeug.wrappers import Request, Response

from ..errors import ConfigurationError
from ..transports.wire import ConnectionPool, read_headers
from . import control as server_control
from . import openapi as server_openapi
from . import page as server_page
from .guard import Guard, control_post_error
from .state import DEFAULT_MAX_BODY_BYTES, ApiError, ServerState, json_response

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..engine.simulator import Provider, Route

__all__ = ["MockServer", "MockServerApp", "MockZoomApp", "MockZoomServer"]

#: The names kept from before the server served any provider, each looked up by name on first use
#: (this package imports no provider module): ``module:attribute``.
_KEPT_NAMES = {"MockZoomServer": "hookmock.providers.zoom.mockserver:MockZoomServer"}

#: Seconds a connection may stay silent (idle between requests, or stalled in one) before the
#: server closes it.
DEFAULT_READ_TIMEOUT = 10.0
# How long stop() waits for requests in flight once every connection is shut for reading.
_STOP_GRACE_SECONDS = 0.5
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class MockServerApp:
    """The WSGI application: routes each request to its endpoint and answers every error with a
    message that says what to fix: in hookmock's shape ``{"status", "message"}``
    (:class:`~hookmock.server.state.ApiError`), or in the provider's own shape where its own
    endpoints say so.

    Its endpoints are those of the provider *state* serves when the application is made
    (:meth:`~hookmock.engine.adapter.Adapter.server_routes`), the control API's and the page's.
    """

    def __init__(self, state: ServerState, *, guard: Guard | None = None) -> None:
        self.state = state
        #: Who is answered; ``None`` (the app called in-process, without a socket): anyone.
        self.guard = guard
        self._handlers: dict[str, Callable[..., Response]] = {}
        #: ``(path, methods, handler)`` of every endpoint.
        self.routes: list[Route] = [
            *state.provider.adapter.server_routes(),
            *server_control.ROUTES,
            *server_page.ROUTES,
        ]
        rules = []
        for path, methods, handler in self.routes:
            endpoint = f"{handler.__module__}.{handler.__name__}"
            self._handlers[endpoint] = handler
            rules.append(Rule(path, methods=list(methods), endpoint=endpoint))
        self.url_map = Map(rules, strict_slashes=False, merge_slashes=False)
        # The paths without a variable part, answered without binding the map to each request;
        # any other path or method goes through the map (its 404 and 405 included).
        self._static: dict[tuple[str, str], str] = {}
        for rule in rules:
            for method in rule.methods or () if not rule.arguments else ():
                self._static.setdefault((rule.rule, method), str(rule.endpoint))

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        request.max_content_length = self.state.max_body_bytes
        request.max_form_memory_size = self.state.max_body_bytes
        try:
            refused = self.guard.check(request) if self.guard is not None else None
            if refused is not None:
                raise refused
            endpoint: Any = self._static.get((environ.get("PATH_INFO", ""), request.method))
            arguments: Mapping[str, Any] = {}
            if endpoint is None:
                endpoint, arguments = self.url_map.bind_to_environ(environ).match()
            refused = control_post_error(request)
            if refused is not None:
                raise refused
            _read_body(request)
            response = self._handlers[str(endpoint)](self.state, request, **arguments)
        except ApiError as error:
            response = error.response()
        except HTTPException as error:
            response = self._http_error(request, error)
        except RecursionError:
            response = ApiError(
                422, f"the body of {request.method} {request.path} is nested too deeply"
            ).response()
        except Exception as error:  # a bug in hookmock: say so, never hang up on the client
            traceback.print_exc(file=sys.stderr)
            response = json_response(
                {
                    "code": 500,
                    "message": f"hookmock's mock server failed on {request.method} "
                    f"{request.path}: {type(error).__name__}: {error}. This is a bug in "
                    "hookmock: please report it with this request",
                },
                500,
            )
        # No answer of this server is to be read as anything but its declared type.
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response(environ, start_response)

    def _http_error(self, request: Request, error: HTTPException) -> Response:
        if isinstance(error, RequestRedirect):  # not expected: slashes are not strict
            return error.get_response(request.environ)
        where = f"{request.method} {request.path}"
        status = error.code or 400
        headers: dict[str, str] = {}
        if isinstance(error, MethodNotAllowed):
            allowed = sorted(set(error.valid_methods or ()) - {"HEAD"})
            headers["Allow"] = ", ".join(sorted(error.valid_methods or ()))
            message = f"{where} is not allowed: {request.path} accepts {', '.join(allowed)}"
        elif isinstance(error, NotFound):
            listed = ", ".join(
                f"{'/'.join(methods)} {path.replace('<', '{').replace('>', '}')}"
                for path, methods, _ in self.routes
                if path != "/" and not path.startswith("/assets/")
            )
            served = server_openapi.title(self.state.provider)
            message = (
                f"no endpoint at {where}. The mock {served} server serves: {listed}; the page "
                "at / and the control API's description at /_hookmock/openapi.json"
            )
        elif isinstance(error, RequestEntityTooLarge):
            message = (
                f"the body of {where} is larger than this server's limit of "
                f"{self.state.max_body_bytes} bytes"
            )
        else:
            message = f"{where}: {error.description or error.name}"
        return ApiError(status, message, headers=headers).response()


def _read_body(request: Request) -> None:
    """Read the body now (it is at most ``max_body_bytes``), so that a client that stalls or
    vanishes while sending it is answered here, once, whatever the endpoint."""
    try:
        if request.mimetype in _FORM_TYPES:
            _ = request.form
        else:
            request.get_data(cache=True)
    except (ClientDisconnected, OSError):
        raise ApiError(
            408,
            f"the body of {request.method} {request.path} stopped arriving: the connection "
            f"was silent too long or closed before the {request.content_length} bytes its "
            "Content-Length announced",
            headers={"Connection": "close"},
        ) from None


class _Handler(WSGIRequestHandler):
    """werkzeug's handler with a read timeout, without a line on stderr for every request or
    connection that timed out, and with ``nosniff`` on the errors of the HTTP layer too."""

    server: _Server

    def setup(self) -> None:
        # socketserver applies the handler's timeout to the connection's socket.
        self.timeout = self.server.read_timeout  # type: ignore[misc]
        super().setup()

    def parse_request(self) -> bool:
        """http.server's own, with the header lines read by
        :func:`~hookmock.transports.wire.read_headers`: the same lines, limits and rules,
        without the :mod:`email` parser http.server hands them to, which costs more than the
        rest of a request's parsing."""
        self.command = None  # type: ignore[assignment]
        self.request_version = version = self.default_request_version
        self.close_connection = True
        requestline = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
        self.requestline = requestline
        words = requestline.split()
        if not words:
            return False
        if len(words) >= 3:
            version = words[-1]
            try:
                if not version.startswith("HTTP/"):
                    raise ValueError
                base_version_number = version.split("/", 1)[1]
                parts = base_version_number.split(".")
                if len(parts) != 2 or not all(p.isdigit() and len(p) <= 10 for p in parts):
                    raise ValueError
                number = int(parts[0]), int(parts[1])
            except (ValueError, IndexError):
                self.send_error(HTTPStatus.BAD_REQUEST, f"Bad request version ({version!r})")
                return False
            if number >= (1, 1) and self.protocol_version >= "HTTP/1.1":
                self.close_connection = False
            if number >= (2, 0):
                self.send_error(
                    HTTPStatus.HTTP_VERSION_NOT_SUPPORTED,
                    f"Invalid HTTP version ({base_version_number})",
                )
                return False
            self.request_version = version
        if not 2 <= len(words) <= 3:
            self.send_error(HTTPStatus.BAD_REQUEST, f"Bad request syntax ({requestline!r})")
            return False
        command, path = words[:2]
        if len(words) == 2:
            self.close_connection = True
            if command != "GET":
                self.send_error(HTTPStatus.BAD_REQUEST, f"Bad HTTP/0.9 request type ({command!r})")
                return False
        self.command, self.path = command, path
        if self.path.startswith("//"):
            self.path = "/" + self.path.lstrip("/")
        try:
            self.headers = read_headers(self.rfile)  # type: ignore[assignment]
        except http.client.LineTooLong as error:
            self.send_error(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "Line too long", str(error))
            return False
        except http.client.HTTPException as error:
            self.send_error(
                HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "Too many headers", str(error)
            )
            return False
        connection = self.headers.get("Connection", "").lower()
        if connection == "close":
            self.close_connection = True
        elif connection == "keep-alive" and self.protocol_version >= "HTTP/1.1":
            self.close_connection = False
        expect = self.headers.get("Expect", "")
        if (
            expect.lower() == "100-continue"
            and self.protocol_version >= "HTTP/1.1"
            and self.request_version >= "HTTP/1.1"
        ):
            return bool(self.handle_expect_100())
        return True

    def run_wsgi(self) -> None:
        # Once stop() has begun, a request whose head is complete only because its connection
        # was shut (a half-sent one) is not run: the connection closes without an answer.
        if self.server.stopping:
            self.close_connection = True
            return
        super().run_wsgi()

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass

    def log_error(self, format: str, *args: Any) -> None:
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        self._http_layer_error = True
        super().send_error(code, message, explain)

    def end_headers(self) -> None:
        if getattr(self, "_http_layer_error", False):
            self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()


class _Server(ThreadedWSGIServer):
    """werkzeug's threaded server, keeping count of its connections so that :meth:`stop`
    can end them: idle, half-sent and stalled ones alike."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, *args: Any, read_timeout: float, **kwargs: Any) -> None:
        self.read_timeout = read_timeout
        self._open: dict[socket.socket, threading.Thread] = {}
        self._open_lock = threading.Lock()
        self.stopping = False
        self._accepting = True
        super().__init__(*args, **kwargs)  # closes the socket it was given: set up the rest after
        # stop_accepting() wakes the accept loop through this pair, at once (socketserver's
        # serve_forever notices a shutdown only at its next poll).
        self._wake_reader, self._wake_writer = socket.socketpair()

    def accept_loop(self) -> None:
        """Accept connections until :meth:`stop_accepting`; each is served by its own thread."""
        with selectors.DefaultSelector() as selector:
            selector.register(self.socket, selectors.EVENT_READ)
            selector.register(self._wake_reader, selectors.EVENT_READ)
            while self._accepting:
                ready = {key.fileobj for key, _ in selector.select()}
                if self._accepting and self.socket in ready:
                    self._handle_request_noblock()  # type: ignore[attr-defined]

    def stop_accepting(self) -> None:
        self._accepting = False
        with contextlib.suppress(OSError):
            self._wake_writer.send(b"\0")

    def close(self) -> None:
        """Close the listening socket and the wake-up pair."""
        self.server_close()
        self._wake_reader.close()
        self._wake_writer.close()

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name=f"hookmock-connection-{self.port}",
            daemon=True,
        )
        with self._open_lock:
            refused = self.stopping
            if not refused:
                self._open[request] = thread
        if refused:
            self.shutdown_request(request)
        else:
            thread.start()

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.pop(request, None)
        super().shutdown_request(request)

    def end_connections(self) -> list[threading.Thread]:
        """Shut every connection for reading: a request being read ends at once (its client
        gets an answer if it still listens), an answer being written is written. Returns the
        threads still serving them."""
        with self._open_lock:
            self.stopping = True
            connections = dict(self._open)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RD)
            except OSError:  # already closed by its client or its thread
                continue
        return list(connections.values())


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket; errors become :class:`ConfigurationError` (werkzeug would exit)."""
    if not 0 <= port <= 65535:
        raise ConfigurationError(f"port must be from 0 to 65535 (0: any free port), got {port}")
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as error:
        raise ConfigurationError(f"cannot listen on {host!r}: {error.strerror}") from None
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as error:
        sock.close()
        raise ConfigurationError(
            f"cannot listen on {host}:{port}: {error.strerror or error}"
        ) from None
    return sock


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class MockServer(ServerState):
    """The mock server: a :class:`ServerState` served over HTTP from a daemon thread.

    :param provider: the simulated provider to serve (its subscriptions, deliveries and clock);
        :meth:`attach` swaps it.
    :param host: the address to listen on: 127.0.0.1 unless told otherwise (another address is
        reachable from other machines, and is warned about on stderr).
    :param port: the port; 0 (the default) lets the OS pick a free one, read it from :attr:`url`.
    :param read_timeout: seconds a connection may stay silent before it is closed.
    :param control_token: when given, control requests (``/_hookmock/``) must carry it in the
        ``X-Hookmock-Control-Token`` header: for a machine other people use too.
    :param allowed_hosts: more names the server answers to besides its address (a proxy's or a
        container's name); other ``Host`` headers are refused (DNS rebinding).
    Other parameters as :class:`~hookmock.server.state.ServerState`.
    """

    def __init__(
        self,
        provider: Provider,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        client_id: str | None = None,
        client_secret: str | None = None,
        account_id: str | None = None,
        log: TextIO | None = None,
        echo: TextIO | None = None,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
        control_token: str | None = None,
        allowed_hosts: Iterable[str] = (),
    ) -> None:
        if not (isinstance(read_timeout, int | float) and math.isfinite(read_timeout)) or not (
            0 < read_timeout <= 3600
        ):
            raise ConfigurationError(
                f"read_timeout must be a number of seconds above 0 and at most 3600, got "
                f"{read_timeout!r}"
            )
        if control_token is not None and not control_token:
            raise ConfigurationError("control_token must not be empty (None: no token needed)")
        super().__init__(
            provider,
            client_id=client_id,
            client_secret=client_secret,
            account_id=account_id,
            log=log,
            echo=echo,
            max_body_bytes=max_body_bytes,
        )
        self.host = host
        server_openapi.prepare()
        sock = _listen(host, port)
        try:
            self._server = _Server(
                host, port, None, _Handler, fd=sock.fileno(), read_timeout=float(read_timeout)
            )
        finally:
            sock.close()  # werkzeug serves a duplicate of it
        self.port: int = self._server.port
        try:
            guard = Guard(host, self.port, allowed_hosts=allowed_hosts, control_token=control_token)
        except ValueError as error:
            self._server.close()
            raise ConfigurationError(f"allowed_hosts: {error}") from None
        self.app = MockServerApp(self, guard=guard)
        self._server.app = self.app
        # Deliveries to the URLs subscribed through the server keep their connections open
        # between attempts, until the server stops.
        self.connections = ConnectionPool()
        # A wildcard address is reached through the loopback one on this machine.
        shown = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
        netloc = f"[{shown}]" if ":" in shown else shown
        self.base_url = f"http://{netloc}:{self.port}"
        self._thread: threading.Thread | None = None
        if not _is_loopback(host):
            print(
                f"hookmock: warning: the mock server listens on {host} (not a loopback "
                f"address): whoever reaches it can drive the simulated {provider.name} and read "
                "its delivery log; use --host 127.0.0.1 unless other machines must reach it",
                file=sys.stderr,
            )

    def __repr__(self) -> str:
        running = "running" if self.running else "stopped"
        return f"<{type(self).__name__} {self.url} {running}>"

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> Self:
        """Serve from a daemon thread; returns at once (the port is already bound)."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.accept_loop,
                name=f"hookmock-server-{self.port}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket; within about a second, whatever the clients do
        (idempotent).

        Connections are shut for reading: idle and half-sent ones end at once; a request in
        flight gets half a second to finish its answer, and is then left to finish on its own
        (its thread is a daemon, and its client's socket is shut).
        """
        if self._thread is not None:
            self._server.stop_accepting()
            self._thread.join()
        self._server.close()
        if self.connections is not None:
            self.connections.close()
        waiting = self._server.end_connections()
        until = time.monotonic() + _STOP_GRACE_SECONDS
        for thread in waiting:
            thread.join(max(0.0, until - time.monotonic()))

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


#: The name of :class:`MockServerApp` from before the server served any provider.
MockZoomApp = MockServerApp


def __getattr__(name: str) -> Any:
    where = _KEPT_NAMES.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, _, attribute = where.partition(":")
    found = getattr(importlib.import_module(module), attribute)
    globals()[name] = found
    return found
