"""Small WSGI receivers for the tests, each correct or with one deliberate fault."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from hookmock.providers import zoom

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def zoom_receiver(
    secret: str,
    *,
    token: Callable[[str, str], Any] | None = None,
    status: int = 204,
    verify: bool = True,
) -> WSGIApp:
    """A receiver that verifies Zoom's signature over the raw bytes and answers the challenge.

    :param token: computes the answer's encryptedToken from (secret, plainToken): a fault hook.
    """

    @Request.application  # type: ignore[arg-type]
    def app(request: Request) -> Response:
        body = request.get_data()
        app.bodies.append(body)  # type: ignore[attr-defined]
        timestamp = request.headers.get("x-zm-request-timestamp", "")
        signature = request.headers.get("x-zm-signature", "")
        if verify and not zoom.verify(secret, timestamp, body, signature):
            return Response("bad signature", status=401)
        event = json.loads(body)
        if event["event"] == "endpoint.url_validation":
            plain = event["payload"]["plainToken"]
            make = token or zoom.encrypted_token
            answer = {"plainToken": plain, "encryptedToken": make(secret, plain)}
            return Response(json.dumps(answer), status=200, content_type="application/json")
        return Response(status=status)

    app.bodies = []  # type: ignore[attr-defined]
    return app  # type: ignore[no-any-return]


@contextmanager
def serving(app: WSGIApp) -> Iterator[str]:
    """Serve *app* on 127.0.0.1 with a port the OS picks; yield its base URL. Stops within
    0.05 s: serve_forever polls for shutdown that often instead of every 0.5 s."""
    server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (the OS picked it, and it was let go)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port: int = sock.getsockname()[1]
    sock.close()
    return port
