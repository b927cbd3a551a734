"""The mock Zoom server: a simulated Zoom as a real HTTP server, for receivers in any language.

It serves Zoom's own endpoints (``POST /oauth/token``, the event subscription API, recording
downloads; :mod:`hookmock.server_zoom`), a control API for test suites under ``/_hookmock/``
(:mod:`hookmock.server_control`, described at ``/_hookmock/openapi.json``) and a page for a
person at ``/`` (:mod:`hookmock.server_page`). werkzeug serves it from a daemon thread; the port
is bound before the constructor returns, so port 0 gives the real port at once::

    from hookmock import Zoom
    from hookmock.server import MockZoomServer

    with MockZoomServer(Zoom(secret_token="...")) as server:
        print(server.url)            # http://127.0.0.1:<port>

From the command line: ``hookmock serve``; in pytest: ``zoom.server_url`` or the
``hookmock_server`` fixture.
"""

from __future__ import annotations

import ipaddress
import socket
import sys
import threading
import traceback
from typing import TYPE_CHECKING, Any, TextIO

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound, RequestEntityTooLarge
from werkzeug.routing import Map, RequestRedirect, Rule
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from . import server_control, server_page, server_zoom
from .errors import ConfigurationError
from .server_state import DEFAULT_MAX_BODY_BYTES, ApiError, ServerState, json_response

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from .providers.zoom import Zoom

__all__ = ["MockZoomApp", "MockZoomServer"]

_ROUTES = [*server_zoom.ROUTES, *server_control.ROUTES, ("/", ("GET",), server_page.page)]


class MockZoomApp:
    """The WSGI application: routes each request to its endpoint and answers every error in
    Zoom's shape ``{"code", "message"}`` with a message that says what to fix."""

    def __init__(self, state: ServerState) -> None:
        self.state = state
        self._handlers: dict[str, Callable[..., Response]] = {}
        rules = []
        for path, methods, handler in _ROUTES:
            endpoint = f"{handler.__module__}.{handler.__name__}"
            self._handlers[endpoint] = handler
            rules.append(Rule(path, methods=list(methods), endpoint=endpoint))
        self.url_map = Map(rules, strict_slashes=False, merge_slashes=False)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        request.max_content_length = self.state.max_body_bytes
        request.max_form_memory_size = self.state.max_body_bytes
        try:
            endpoint, arguments = self.url_map.bind_to_environ(environ).match()
            response = self._handlers[str(endpoint)](self.state, request, **arguments)
        except ApiError as error:
            response = error.response()
        except HTTPException as error:
            response = self._http_error(request, error)
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
                for path, methods, _ in _ROUTES
                if path != "/"
            )
            message = (
                f"no endpoint at {where}. The mock Zoom server serves: {listed}; the page at "
                "/ and the control API's description at /_hookmock/openapi.json"
            )
        elif isinstance(error, RequestEntityTooLarge):
            message = (
                f"the body of {where} is larger than this server's limit of "
                f"{self.state.max_body_bytes} bytes"
            )
        else:
            message = f"{where}: {error.description or error.name}"
        return ApiError(status, message, headers=headers).response()


class _Handler(WSGIRequestHandler):
    """werkzeug's handler without a line on stderr for every request."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


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


class MockZoomServer(ServerState):
    """The mock Zoom server: a :class:`ServerState` served over HTTP from a daemon thread.

    :param zoom: the simulated Zoom to serve (its subscriptions, deliveries and clock); a new one
        with a random secret token when omitted. :meth:`attach` swaps it.
    :param host: the address to listen on: 127.0.0.1 unless told otherwise (another address is
        reachable from other machines, and is warned about on stderr).
    :param port: the port; 0 (the default) lets the OS pick a free one, read it from :attr:`url`.
    Other parameters as :class:`~hookmock.server_state.ServerState`.
    """

    def __init__(
        self,
        zoom: Zoom | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        client_id: str | None = None,
        client_secret: str | None = None,
        account_id: str | None = None,
        log: TextIO | None = None,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    ) -> None:
        super().__init__(
            zoom,
            client_id=client_id,
            client_secret=client_secret,
            account_id=account_id,
            log=log,
            max_body_bytes=max_body_bytes,
        )
        self.host = host
        self.app = MockZoomApp(self)
        sock = _listen(host, port)
        try:
            self._server: BaseWSGIServer = make_server(
                host, port, self.app, threaded=True, request_handler=_Handler, fd=sock.fileno()
            )
        finally:
            sock.close()  # werkzeug serves a duplicate of it
        # In-flight requests are joined when the server closes (werkzeug's threads are daemons).
        self._server.daemon_threads = False  # type: ignore[attr-defined]
        self.port: int = self._server.port
        # A wildcard address is reached through the loopback one on this machine.
        shown = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
        netloc = f"[{shown}]" if ":" in shown else shown
        self.base_url = f"http://{netloc}:{self.port}"
        self._thread: threading.Thread | None = None
        if not _is_loopback(host):
            print(
                f"hookmock: warning: the mock Zoom server listens on {host} (not a loopback "
                "address): whoever reaches it can drive the simulated Zoom and read its "
                "delivery log; use --host 127.0.0.1 unless other machines must reach it",
                file=sys.stderr,
            )

    def __repr__(self) -> str:
        running = "running" if self.running else "stopped"
        return f"<MockZoomServer {self.url} {running}>"

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> MockZoomServer:
        """Serve from a daemon thread; returns at once (the port is already bound)."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"hookmock-server-{self.port}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, wait for requests in flight and close the socket (idempotent)."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()

    def __enter__(self) -> MockZoomServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
