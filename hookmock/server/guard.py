"""Who the mock server answers: requests addressed to it, from its own callers.

A web page in a browser on the same machine can reach ``127.0.0.1``: with a cross-origin form
post, or by DNS rebinding (a host name of the attacker's that resolves to 127.0.0.1 after the
page has loaded). :class:`Guard` refuses what such a page can send: a ``Host`` that is not the
server's own address (421), a cross-origin ``Origin`` or ``Sec-Fetch-Site`` (403), a control
request whose body is not declared JSON (415, which no cross-origin form or simple request can
declare without the browser asking first), and, when the server has a control token, a control
request without it (401).
"""

from __future__ import annotations

import hmac
import ipaddress
import re
from collections.abc import Iterable

from werkzeug.wrappers import Request

from .state import ApiError

__all__ = [
    "CONTROL_PREFIX",
    "TOKEN_ENV",
    "TOKEN_HEADER",
    "Guard",
    "control_post_error",
    "is_control",
]

CONTROL_PREFIX = "/_hookmock/"
#: The header that carries the control token, and the environment variable ``hookmock serve``
#: reads it from.
TOKEN_HEADER = "X-Hookmock-Control-Token"
TOKEN_ENV = "HOOKMOCK_CONTROL_TOKEN"
# What anyone may read without the control token: the API's description.
_OPEN = frozenset({"/_hookmock/openapi.json"})
_WILDCARDS = frozenset({"", "0.0.0.0", "::"})
_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
# How many allowed Host values a guard remembers; others are worked out each time.
_HOSTS_REMEMBERED = 64
_HOST = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[^:\[\]/@\s]+)(?::(\d{1,5}))?")


def is_control(path: str) -> bool:
    """Whether *path* belongs to the control API."""
    return path.startswith(CONTROL_PREFIX)


def _ip(name: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(name)
    except ValueError:
        return None


def _split(value: str) -> tuple[str, int] | None:
    """``(host name, port)`` of a ``Host`` header value (port 80 when absent)."""
    match = _HOST.fullmatch(value.strip())
    if match is None:
        return None
    name, port = match.group(1).lower(), match.group(2)
    return name.strip("[]").rstrip("."), int(port) if port else 80


def control_post_error(request: Request) -> ApiError | None:
    """415 for a control ``POST`` whose body is not declared JSON."""
    if request.method != "POST" or not is_control(request.path):
        return None
    kind = request.mimetype
    if kind == "application/json" or (kind.startswith("application/") and kind.endswith("+json")):
        return None
    declared = f"Content-Type {kind!r}" if kind else "no Content-Type"
    return ApiError(
        415,
        f"{request.method} {request.path} sent {declared}: control requests must declare "
        "Content-Type: application/json (with curl: -H 'content-type: application/json'), "
        "even with an empty body",
    )


class Guard:
    """The checks above, for a server listening on *host* and *port*.

    :param allowed_hosts: more names the server answers to (a proxy's or a container's name),
        as ``name`` (any port) or ``name:port``.
    :param control_token: when given, every control request but ``/_hookmock/openapi.json``
        must carry it in the :data:`TOKEN_HEADER` header.
    """

    def __init__(
        self,
        host: str,
        port: int,
        *,
        allowed_hosts: Iterable[str] = (),
        control_token: str | None = None,
    ) -> None:
        bound = host.strip("[]").lower()
        self.port = port
        self.wildcard = bound in _WILDCARDS
        names = {bound}
        address = _ip(bound)
        if self.wildcard or bound == "localhost" or (address is not None and address.is_loopback):
            names |= _LOOPBACK_NAMES
        self.names = frozenset(names)
        self.extra: set[tuple[str, int | None]] = set()
        for entry in allowed_hosts:
            match = _HOST.fullmatch(entry.strip())
            if match is None:
                raise ValueError(f"not a host name or name:port: {entry!r}")
            digits = match.group(2)
            self.extra.add((match.group(1).lower().strip("[]"), int(digits) if digits else None))
        self.control_token = control_token
        # Host values found to name this server (a client sends the same one every time).
        self._allowed: set[str] = set()

    def host_allowed(self, value: str | None) -> bool:
        """Whether a ``Host`` header names this server."""
        if not value:
            return False
        if value in self._allowed:
            return True
        allowed = self._host_allowed(value)
        if allowed and len(self._allowed) < _HOSTS_REMEMBERED:
            self._allowed.add(value)
        return allowed

    def _host_allowed(self, value: str) -> bool:
        split = _split(value)
        if split is None:
            return False
        name, port = split
        if (name, None) in self.extra or (name, port) in self.extra:
            return True
        if port != self.port:
            return False
        # Any address literal is one of this machine's when listening on all of them; a name is
        # what DNS rebinding sends, so names are only the ones configured.
        return name in self.names or (self.wildcard and _ip(name) is not None)

    def check(self, request: Request) -> ApiError | None:
        """The refusal for *request*, or ``None`` when it may be answered."""
        host = request.headers.get("Host")
        if not self.host_allowed(host):
            allowed = sorted(f"[{n}]" if ":" in n else n for n in self.names)
            allowed = [f"{name}:{self.port}" for name in allowed]
            allowed += sorted(n if p is None else f"{n}:{p}" for n, p in self.extra)
            return ApiError(
                421,
                f"this server does not answer to Host {host!r}: it answers to "
                f"{', '.join(allowed)}. A name that resolves here is allowed with hookmock serve "
                "--allow-host NAME (MockServer(allowed_hosts=[...])); a web page that "
                "resolved its own name to this address is refused on purpose",
            )
        origin = request.headers.get("Origin")
        if origin is not None and origin.lower() != f"http://{host}".lower():
            return ApiError(
                403,
                f"cross-origin request refused: Origin {origin!r} is not this server "
                f"(http://{host}); the mock server answers programs and its own page, not "
                "other web pages",
            )
        site = request.headers.get("Sec-Fetch-Site")
        if site is not None and site.lower() not in ("same-origin", "none"):
            return ApiError(
                403,
                f"cross-site request refused (Sec-Fetch-Site: {site}): the mock server answers "
                "programs and its own page, not other web pages",
            )
        if (
            self.control_token is not None
            and is_control(request.path)
            and request.path not in _OPEN
        ):
            given = request.headers.get(TOKEN_HEADER, "")
            if not hmac.compare_digest(given.encode(), self.control_token.encode()):
                what = "a wrong" if given else "no"
                return ApiError(
                    401,
                    f"{request.method} {request.path} came with {what} control token: this "
                    f"server was started with one (--control-token or ${TOKEN_ENV}); send it "
                    f"as {TOKEN_HEADER}: <token>. The page takes it as /#token=<token>",
                )
        return None
