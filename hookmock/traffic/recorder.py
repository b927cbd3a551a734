"""``hookmock record``: a small reverse proxy between a real provider and a local receiver.

A real subscription points at the proxy (through whatever tunnel exposes it). Each request is
verified with the real secret, forwarded with its exact body bytes and its headers to the
receiver, the receiver's answer is returned to the caller as it is, and the exchange is written
as one line of JSON (:mod:`hookmock.records.traffic`), flushed at once.

What a proxy must change, it changes (RFC 9110 §7.6.1): hop-by-hop headers (``Connection``
and those it names, ``Keep-Alive``, ``Transfer-Encoding``, ``TE``, ``Trailer``, ``Upgrade``,
``Proxy-*``) are not forwarded either way; ``Host`` names the receiver; a chunked body is
forwarded with its ``Content-Length``. Everything else goes as received, in order. A provider's
handshake (Zoom's ``endpoint.url_validation``) is a delivery like the others: the receiver
answers it.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import IO, Any

from werkzeug.exceptions import HTTPException
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request as WerkzeugRequest
from werkzeug.wrappers import Response as WerkzeugResponse

from ..errors import ConfigurationError
from ..records.exchange import Attempt, Request, host_header
from ..records.masking import mask_url, masked_headers, redact, url_secrets
from ..records.outcome import Outcome
from ..records.traffic import CapturedDelivery, to_line
from ..transports import HTTPTarget
from .verify import DEFAULT_TOLERANCE, verifier

__all__ = [
    "HOP_BY_HOP",
    "MAX_BODY_BYTES",
    "Recorder",
    "event_name",
    "forwarded_headers",
    "warn_if_exposed",
]

#: Headers that concern one connection, never forwarded by a proxy (RFC 9110 §7.6.1).
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
    }
)
#: The largest request body accepted (a Zoom body is kilobytes) and response body kept.
MAX_BODY_BYTES = 32 * 1024 * 1024
#: Seconds a receiver may take before the proxy gives up on it, when the provider's deadline
#: is not asked for: the provider cuts its own request off at its deadline, and the outcome
#: says so, but the receiver's answer is still worth recording.
GRACE_SECONDS = 30.0


def event_name(provider: Any, headers: Sequence[tuple[str, str]], data: Any) -> str | None:
    """The event name of a received body: the first of the places providers put it that names
    an event of *provider*'s catalog (``event``, ``type``, an ``event`` object's ``type``, a
    ``…-event`` header with the body's ``action``), else the first found at all."""
    found: list[str] = []
    if isinstance(data, dict):
        inner = data.get("event")
        found += [inner] if isinstance(inner, str) else []
        if isinstance(inner, dict) and isinstance(inner.get("type"), str):
            found.append(inner["type"])
        found += [data["type"]] if isinstance(data.get("type"), str) else []
    for name, value in headers:
        if name.lower().endswith("-event") and value:
            action = data.get("action") if isinstance(data, dict) else None
            found += [f"{value}.{action}"] if isinstance(action, str) else []
            found.append(value)
    if not found:
        return None
    try:
        known = set(provider.event_names())
    except (OSError, ValueError, LookupError):
        known = set()
    return next((name for name in found if name in known), found[0])


def _connection_headers(headers: Sequence[tuple[str, str]]) -> set[str]:
    """The hop-by-hop headers of this message: the fixed ones and those ``Connection`` names."""
    named = set(HOP_BY_HOP)
    for name, value in headers:
        if name.lower() == "connection":
            named.update(token.strip().lower() for token in value.split(",") if token.strip())
    return named


def forwarded_headers(
    headers: Sequence[tuple[str, str]], body: bytes, url: str
) -> tuple[tuple[str, str], ...]:
    """The request headers as forwarded to *url*: hop-by-hop ones dropped, ``Host`` naming
    the receiver, ``Content-Length`` the body's length; the rest as received, in order."""
    dropped = _connection_headers(headers)
    out: list[tuple[str, str]] = []
    host_done = length_done = False
    for name, value in headers:
        lower = name.lower()
        if lower in dropped:
            continue
        if lower == "host":
            if not host_done:
                out.append((name, host_header(url)))
                host_done = True
            continue
        if lower == "content-length":
            if not length_done:
                out.append((name, str(len(body))))
                length_done = True
            continue
        out.append((name, value))
    if not host_done:
        out.insert(0, ("Host", host_header(url)))
    if not length_done and (body or _header(headers, "transfer-encoding") is not None):
        out.append(("Content-Length", str(len(body))))
    return tuple(out)


def _header(headers: Sequence[tuple[str, str]], name: str) -> str | None:
    lower = name.lower()
    return next((value for key, value in headers if key.lower() == lower), None)


def _returned_headers(attempt: Attempt) -> list[tuple[str, str]]:
    """The receiver's headers as returned to the caller: hop-by-hop ones and the length dropped
    (the proxy's server writes its own), and a compression the transport undid."""
    assert attempt.response is not None
    headers = attempt.response.headers
    dropped = _connection_headers(headers) | {"content-length"}
    encoding = (attempt.response.header("content-encoding") or "").lower()
    body = attempt.response.body
    # The transport undoes gzip and deflate; what it undid is returned undone, without the
    # header that announced it.
    if (encoding == "gzip" and body[:2] != b"\x1f\x8b") or (
        encoding == "deflate" and (not body or body[0] & 0x0F != 8)
    ):
        dropped.add("content-encoding")
    return [(name, value) for name, value in headers if name.lower() not in dropped]


class _Handler(WSGIRequestHandler):
    """werkzeug's handler, handing the application the request's headers as received (name,
    case, order and repeats), which the WSGI environment does not keep."""

    def make_environ(self) -> dict[str, Any]:
        environ = super().make_environ()
        environ["hookmock.raw_headers"] = list(self.headers.items())
        return environ

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class Recorder:
    """Forward every request to *forward* and record each exchange to *out*.

    :param provider: the provider whose deliveries arrive (its signature headers, signer,
        deadline and rules for judging an answer).
    :param forward: the receiver's webhook URL; every request goes there, whatever path it
        arrived on (the path is recorded).
    :param secrets: the real signing secret(s); none: each delivery is ``unverified``.
    :param out: a text stream the JSON lines are written to, each flushed at once.
    :param deadline: seconds the receiver may take before the proxy answers the caller 504
        (default: the provider's deadline plus :data:`GRACE_SECONDS`, so that a slow answer is
        recorded, and judged late).
    :param echo: a stream for one line per delivery, for people; ``None`` for none.
    :param clock: the wall clock, Unix seconds: when each request arrived.
    :param timer: the monotonic clock the receiver's time is measured on.
    """

    def __init__(
        self,
        provider: Any,
        forward: str,
        *,
        secrets: Sequence[str] = (),
        out: IO[str],
        host: str = "127.0.0.1",
        port: int = 0,
        tolerance: float = DEFAULT_TOLERANCE,
        deadline: float | None = None,
        echo: IO[str] | None = None,
        cafile: str | None = None,
        verify_tls: bool = True,
        clock: Callable[[], float] = time.time,
        timer: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.provider = provider
        self.target = HTTPTarget(
            forward,
            verify=verify_tls,
            cafile=cafile,
            max_response_bytes=MAX_BODY_BYTES,
            clock=timer,
        )
        self.forward = forward
        self.deadline = provider.deadline + GRACE_SECONDS if deadline is None else deadline
        self.verify = verifier(provider, secrets, tolerance=tolerance)
        self.secrets = tuple(s for s in secrets if s) + url_secrets(forward)
        self.out = out
        self.echo = echo
        self.clock = clock
        self.count = 0
        self._lock = threading.Lock()
        try:
            self._server: BaseWSGIServer = make_server(
                host, port, self, threaded=True, request_handler=_Handler
            )
        except (OSError, SystemExit) as error:
            raise ConfigurationError(f"cannot listen on {host}:{port}: {error}") from None
        self._thread: threading.Thread | None = None
        warn_if_exposed(host, sys.stderr)
        netloc = f"[{host}]" if ":" in host else host
        self.url = f"http://{netloc}:{self._server.server_port}"

    @property
    def port(self) -> int:
        return int(self._server.server_port)

    def start(self) -> Recorder:
        """Serve from a daemon thread; returns at once (the port is already bound)."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.1},
                name=f"hookmock-record-{self.port}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket (idempotent)."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> Recorder:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- one exchange ---------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        received_at = self.clock()
        incoming = WerkzeugRequest(environ)
        incoming.max_content_length = MAX_BODY_BYTES
        raw: list[tuple[str, str]] = environ.get("hookmock.raw_headers") or [
            (name, value) for name, value in incoming.headers.items()
        ]
        try:
            body = incoming.get_data(cache=False)
        except HTTPException as error:  # too large, or a chunked body that broke off
            if self.echo is not None:
                print(
                    f"{incoming.method} {mask_url(incoming.full_path)}: not forwarded: "
                    f"{error.description}",
                    file=self.echo,
                    flush=True,
                )
            return error(environ, start_response)
        except (OSError, ValueError) as error:
            answer = WerkzeugResponse(
                f"hookmock record: cannot read the request body: {error}\n",
                status=400,
                mimetype="text/plain",
            )
            return answer(environ, start_response)
        path = environ.get("RAW_URI") or incoming.full_path.rstrip("?")
        request = Request(
            incoming.method, self.forward, forwarded_headers(raw, body, self.forward), body
        )
        verdict = self.verify(raw, body, received_at)
        try:
            attempt = self.target.send(request, deadline=self.deadline)
        except ConfigurationError as error:  # a header HTTP cannot carry on
            attempt = Attempt(None, 0.0, str(error), Outcome.INVALID_RESPONSE)
        outcome = self.provider.judge(attempt)
        response = attempt.response
        record = CapturedDelivery(
            received_at=received_at,
            provider=self.provider.name,
            method=incoming.method,
            path=mask_url(path),
            headers=self._masked(raw),
            body=body,
            event=event_name(self.provider, raw, _json(body)),
            verification=verdict,
            status=None if response is None else response.status,
            reason="" if response is None else response.reason,
            response_headers=() if response is None else self._masked(response.headers),
            response_body=b"" if response is None else self._redacted(response.body),
            response_truncated=False if response is None else response.truncated,
            elapsed=attempt.elapsed,
            outcome=outcome.value,
            error=None if attempt.error is None else redact(attempt.error, self.secrets),
        )
        self._write(record)
        if response is None or outcome is Outcome.INVALID_RESPONSE:
            status = 504 if outcome is Outcome.TIMEOUT else 502
            answer = WerkzeugResponse(
                f"hookmock record: the receiver at {mask_url(self.forward)} gave no answer: "
                f"{record.error}\n",
                status=status,
                mimetype="text/plain",
            )
        else:
            answer = WerkzeugResponse(
                response.body,
                status=f"{response.status} {response.reason}".rstrip(),
                headers=_returned_headers(attempt),
            )
        return answer(environ, start_response)

    def _masked(self, headers: Sequence[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
        return tuple((name, redact(value, self.secrets)) for name, value in masked_headers(headers))

    def _redacted(self, body: bytes) -> bytes:
        # A receiver that echoes the secret (a debugging page) does not get it into the file.
        if not any(secret.encode() in body for secret in self.secrets):
            return body
        return redact(body.decode("utf-8", "replace"), self.secrets).encode("utf-8")

    def _write(self, record: CapturedDelivery) -> None:
        line = to_line(record)
        with self._lock:
            self.out.write(line + "\n")
            self.out.flush()
            self.count += 1
        if self.echo is not None:
            status = "-" if record.status is None else record.status
            elapsed = "" if record.elapsed is None else f" in {record.elapsed * 1000:.1f} ms"
            print(
                f"{record.event or record.method + ' ' + record.path} "
                f"({record.verification}) → {status}{elapsed} ({record.outcome})",
                file=self.echo,
                flush=True,
            )


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return None


def warn_if_exposed(host: str, stream: IO[str]) -> None:
    """Say loudly on *stream* that listening on *host* lets other machines in, unless it is a
    loopback address."""
    if not _is_loopback(host):
        print(
            f"hookmock: warning: the recorder listens on {host} (not a loopback address): "
            "whoever reaches it can send your receiver requests through it and fill the "
            "recording; use --host 127.0.0.1 and point your tunnel at it unless other "
            "machines must reach it directly",
            file=stream,
        )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    import ipaddress

    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
