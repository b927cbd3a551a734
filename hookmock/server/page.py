"""The mock server's page at ``/``: subscriptions, scheduled retries and the delivery log of the
simulated provider, each delivery chain drawn on a time axis, filtered by event, outcome and
subscription, updating as events are sent, for a person debugging a receiver.

Plain HTML, CSS and JavaScript shipped as package data (``hookmock/server/assets/``), no build
step. The script polls the control API every second and inserts values from the log as text, never
as markup. Nothing is inline, so the page's Content-Security-Policy allows scripts and styles from
the server itself only.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from importlib import resources

from werkzeug.wrappers import Request, Response

from .state import ApiError, ServerState

__all__ = ["CONTENT_SECURITY_POLICY", "ROUTES", "asset", "page"]

#: Everything from the server itself and nothing inline; no frames, no forms posted elsewhere.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
_ASSETS = {
    "page.js": "text/javascript; charset=utf-8",
    "page.css": "text/css; charset=utf-8",
}


@functools.cache
def _read(name: str) -> bytes:
    return (resources.files("hookmock.server") / "assets" / name).read_bytes()


def _answer(body: bytes, content_type: str) -> Response:
    return Response(
        body,
        content_type=content_type,
        headers={
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            "Cache-Control": "no-store",
            "Referrer-Policy": "no-referrer",
        },
    )


def page(state: ServerState, request: Request) -> Response:
    return _answer(_read("index.html"), "text/html; charset=utf-8")


def asset(state: ServerState, request: Request, name: str) -> Response:
    content_type = _ASSETS.get(name)
    if content_type is None:
        raise ApiError(
            404, f"no asset {name!r}: the page's assets are {', '.join(sorted(_ASSETS))}"
        )
    return _answer(_read(name), content_type)


#: ``(path, methods, handler)`` for the routing table of :mod:`hookmock.server`.
ROUTES: list[tuple[str, tuple[str, ...], Callable[..., Response]]] = [
    ("/", ("GET",), page),
    ("/assets/<name>", ("GET",), asset),
]
