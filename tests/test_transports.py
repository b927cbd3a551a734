"""One attempt over each transport, and how the provider judges what came back."""

from __future__ import annotations

import gzip
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from hookmock import HTTPTarget, Outcome, WSGITarget, Zoom
from hookmock.engine.simulator import Subscription
from hookmock.errors import ConfigurationError
from hookmock.transports.targets import as_target

from .receivers import closed_port, serving, zoom_receiver

SECRET = "transport-secret"


def _deliver(target: Any, *, deadline: float = 3.0, event: str = "meeting.started") -> Any:
    zoom = Zoom(secret_token=SECRET, seed=1, deadline=deadline)
    return zoom.deliver(zoom.fake(event), Subscription("id", "test", as_target(target), None))


def _app(status: str, body: bytes = b"", headers: list[tuple[str, str]] | None = None) -> Any:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response(status, headers or [])
        return [body]

    return app


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        ("200 OK", Outcome.ACKNOWLEDGED),
        ("204 No Content", Outcome.ACKNOWLEDGED),
        ("302 Found", Outcome.REDIRECTED),
        ("401 Unauthorized", Outcome.REJECTED),
        ("429 Too Many Requests", Outcome.REJECTED),
        ("500 Internal Server Error", Outcome.SERVER_ERROR),
        ("503 Service Unavailable", Outcome.SERVER_ERROR),
    ],
)
def test_status_outcomes_in_process(status: str, outcome: Outcome) -> None:
    delivery = _deliver(_app(status))
    assert delivery.outcome is outcome
    assert delivery.status == int(status.split()[0])


def test_wsgi_environ_carries_the_exact_request() -> None:
    seen: dict[str, Any] = {}

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        seen.update(environ)
        seen["body"] = environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"]))
        start_response("204 No Content", [])
        return []

    delivery = _deliver(WSGITarget(app, path="/hooks/zoom?x=1", host="api.example.com"))
    assert seen["body"] == delivery.request.body
    assert seen["PATH_INFO"] == "/hooks/zoom"
    assert seen["QUERY_STRING"] == "x=1"
    assert seen["HTTP_HOST"] == "api.example.com"
    assert seen["CONTENT_TYPE"] == "application/json; charset=utf-8"
    assert seen["HTTP_X_ZM_SIGNATURE"] == delivery.request.header("x-zm-signature")
    assert seen["wsgi.url_scheme"] == "https"
    assert delivery.request.url == "https://api.example.com/hooks/zoom?x=1"


def test_application_error_is_recorded_not_raised() -> None:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        raise KeyError("payload")

    delivery = _deliver(app)
    assert delivery.outcome is Outcome.APP_ERROR
    assert delivery.response is None
    assert delivery.error is not None and "KeyError: 'payload'" in delivery.error


def test_late_in_process_answer_is_late() -> None:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        time.sleep(0.05)
        start_response("200 OK", [])
        return []

    delivery = _deliver(app, deadline=0.01)
    assert delivery.outcome is Outcome.LATE
    assert delivery.status == 200


def test_response_body_is_capped_and_gzip_decoded() -> None:
    big = _deliver(WSGITarget(_app("200 OK", b"x" * 100_000), max_response_bytes=1000))
    assert len(big.response.body) == 1000 and big.response.truncated
    packed = gzip.compress(b'{"ok":true}')
    decoded = _deliver(_app("200 OK", packed, [("Content-Encoding", "gzip")]))
    assert decoded.response.json() == {"ok": True}


def test_wsgi_result_is_closed() -> None:
    closed = []

    class Body:
        def __iter__(self) -> Iterator[bytes]:
            yield b"ok"

        def close(self) -> None:
            closed.append(True)

    def app(environ: dict[str, Any], start_response: Any) -> Body:
        start_response("200 OK", [])
        return Body()

    _deliver(app)
    assert closed == [True]


def test_http_delivery_sends_the_exact_bytes() -> None:
    receiver = zoom_receiver(SECRET)
    with serving(receiver) as base:
        delivery = _deliver(base + "/zoom/webhook")
    assert delivery.outcome is Outcome.ACKNOWLEDGED
    assert delivery.status == 204
    assert receiver.bodies == [delivery.request.body]  # type: ignore[attr-defined]


def _capture_one_request() -> tuple[str, Any]:
    """A raw server on 127.0.0.1 that answers one request 204 and keeps every byte of it;
    returns its URL and a function that waits for those bytes."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    received: list[bytes] = []

    def serve() -> None:
        connection, _ = server.accept()
        with connection, server:
            data = b""
            while b"\r\n\r\n" not in data:
                data += connection.recv(65536)
            head = data.partition(b"\r\n\r\n")[0].lower()
            length = int(head.split(b"content-length: ")[1].split(b"\r\n")[0])
            while len(data.partition(b"\r\n\r\n")[2]) < length:
                data += connection.recv(65536)
            received.append(data)
            connection.sendall(b"HTTP/1.1 204 No Content\r\n\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()

    def wait() -> bytes:
        thread.join(10)
        return received[0]

    return f"http://127.0.0.1:{server.getsockname()[1]}/zoom/webhook?app=1", wait


def test_http_request_on_the_wire_is_the_recorded_one() -> None:
    """Request line, the headers in their order and spelling, the body: nothing added."""
    url, wait = _capture_one_request()
    delivery = _deliver(url)
    request = delivery.request
    expected = (
        "POST /zoom/webhook?app=1 HTTP/1.1\r\n"
        + "".join(f"{name}: {value}\r\n" for name, value in request.headers)
        + "\r\n"
    ).encode("latin-1") + request.body
    assert wait() == expected
    assert delivery.outcome is Outcome.ACKNOWLEDGED


def test_http_to_a_host_name_tries_each_address() -> None:
    """``localhost`` may name ::1 before 127.0.0.1, where the receiver listens: the attempt
    goes on to the next address."""
    receiver = zoom_receiver(SECRET)
    with serving(receiver) as base:
        delivery = _deliver(base.replace("127.0.0.1", "localhost") + "/zoom/webhook")
    assert delivery.outcome is Outcome.ACKNOWLEDGED


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        (
            {"x-custom": "one\r\nx-injected: two"},
            "cannot send the 'x-custom' header over HTTP: its value has a line break; remove it",
        ),
        (
            {"x-custom": "caf\u00e9 \u2019"},
            "cannot send the 'x-custom' header over HTTP: it has a character outside Latin-1 "
            "(U+2019); encode the value to ASCII first (percent- or base64-encoding)",
        ),
        (
            {"x-caf\u00e9": "1"},
            "cannot send a header named 'x-caf\u00e9' over HTTP: a header name is ASCII without "
            "colons or line breaks",
        ),
    ],
)
def test_http_header_that_cannot_go_on_the_wire(headers: dict[str, str], message: str) -> None:
    zoom = Zoom(secret_token=SECRET, seed=1)
    # Nothing listens there: the request is refused before any connection.
    target = HTTPTarget(f"http://127.0.0.1:{closed_port()}/")
    subscription = Subscription("id", "test", target, None)
    with pytest.raises(ConfigurationError) as raised:
        zoom.deliver(zoom.fake("meeting.started"), subscription, headers=headers)
    assert str(raised.value) == message


def test_http_redirect_is_not_followed() -> None:
    with serving(_app("301 Moved Permanently", b"", [("Location", "/elsewhere")])) as base:
        delivery = _deliver(base + "/")
    assert delivery.outcome is Outcome.REDIRECTED
    assert delivery.response.header("location") == "/elsewhere"


def test_http_cut_off_at_the_deadline() -> None:
    release = threading.Event()

    def hang(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        release.wait(10)
        start_response("200 OK", [])
        return []

    with serving(hang) as base:
        try:
            delivery = _deliver(base + "/", deadline=0.2)
        finally:
            release.set()
    assert delivery.outcome is Outcome.TIMEOUT
    assert delivery.response is None
    assert "0.2 s deadline" in (delivery.error or "")


def test_http_connection_refused() -> None:
    delivery = _deliver(f"http://127.0.0.1:{closed_port()}/")
    assert delivery.outcome is Outcome.CONNECTION_ERROR
    assert "connection refused" in (delivery.error or "")


def test_http_invalid_response() -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)

    def answer_garbage() -> None:
        connection, _ = server.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(b"garbage\r\n\r\n")

    thread = threading.Thread(target=answer_garbage, daemon=True)
    thread.start()
    try:
        delivery = _deliver(f"http://127.0.0.1:{server.getsockname()[1]}/")
    finally:
        thread.join(5)
        server.close()
    assert delivery.outcome is Outcome.INVALID_RESPONSE
    assert "invalid HTTP response" in (delivery.error or "")


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("ftp://example.com/", "give an absolute http:// or https:// URL"),
        ("/relative", "give an absolute http:// or https:// URL"),
        (42, "cannot deliver to 42: give a URL"),
        (
            "http://127.0.0.1/caf\u00e9",
            "a URL's path and query are ASCII; percent-encode other characters as UTF-8 bytes",
        ),
    ],
)
def test_bad_targets(target: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        as_target(target)


def test_https_target_verifies_by_default() -> None:
    target = HTTPTarget("https://127.0.0.1:1/")
    assert target._context is not None and target._context.check_hostname
    assert not HTTPTarget("https://127.0.0.1:1/", verify=False)._context.check_hostname  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def tls_receiver() -> Iterator[tuple[str, str]]:
    """An HTTPS receiver on 127.0.0.1 with a certificate signed by a test CA; yields (URL, CA)."""
    import ssl
    import tempfile

    import trustme
    from werkzeug.serving import make_server

    authority = trustme.CA()
    certificate = authority.issue_cert("127.0.0.1")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate.configure_cert(context)
    server = make_server("127.0.0.1", 0, zoom_receiver(SECRET), ssl_context=context)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    with tempfile.TemporaryDirectory() as folder:
        ca_file = f"{folder}/ca.pem"
        authority.cert_pem.write_to_path(ca_file)
        try:
            yield f"https://127.0.0.1:{server.port}/zoom", ca_file
        finally:
            server.shutdown()
            server.server_close()
            thread.join(5)


def test_https_with_a_trusted_test_ca(tls_receiver: tuple[str, str]) -> None:
    url, ca_file = tls_receiver
    delivery = _deliver(HTTPTarget(url, cafile=ca_file))
    assert delivery.outcome is Outcome.ACKNOWLEDGED


def test_https_with_an_untrusted_certificate(tls_receiver: tuple[str, str]) -> None:
    url, _ = tls_receiver
    delivery = _deliver(HTTPTarget(url))
    assert delivery.outcome is Outcome.CONNECTION_ERROR
    assert "TLS failure" in (delivery.error or "")
    assert "failed verification (unable to get local issuer certificate)" in (delivery.error or "")
    assert "pass cafile=" in (delivery.error or "")
    assert _deliver(HTTPTarget(url, verify=False)).outcome is Outcome.ACKNOWLEDGED
