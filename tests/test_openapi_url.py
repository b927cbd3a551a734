"""OpenAPI documents named by URL: ``from_openapi``, ``StandardWebhooks(openapi=URL)``, the
command line's ``--openapi URL`` and the fixture's ``--hookmock-openapi URL``, each read from a
server on this machine (127.0.0.1, a port the OS picks)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from hookmock import Provider, StandardWebhooks
from hookmock.cli import main
from hookmock.errors import ConfigurationError
from hookmock.providers.standard_webhooks.adapter import EXAMPLE_DOCUMENT


class _Documents:
    """A server of OpenAPI documents that counts what it is asked for."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.text = EXAMPLE_DOCUMENT.read_text(encoding="utf-8")

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        self.asked.append(request.path)
        if request.path == "/specs/acme.json":
            response = Response(self.text, content_type="application/json")
        elif request.path == "/specs/acme.yaml":
            response = Response("openapi: 3.1.0\ninfo: {title: y, version: '1'}\nwebhooks: {}\n")
        elif request.path == "/specs/binary.json":
            response = Response(b"\xff\xfe{}", content_type="application/json")
        else:
            response = Response("no such document", status=404)
        return response(environ, start_response)


@pytest.fixture
def documents() -> Iterator[tuple[str, _Documents]]:
    app = _Documents()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", app
    finally:
        server.shutdown()
        thread.join()


def test_a_document_by_url_gives_its_events(documents: tuple[str, _Documents]) -> None:
    base, app = documents
    expected = sorted(json.loads(app.text)["webhooks"])
    sender = Provider.from_openapi(f"{base}/specs/acme.json", secret="whsec_" + "A" * 32)
    assert sorted(sender.event_names()) == expected
    assert sender.name == "acme"
    event = sender.fake(expected[0])
    assert json.loads(event.body)["type"] == expected[0]
    # A second sender of the same URL (a fixture makes one per test) reads it from memory.
    again = StandardWebhooks(openapi=f"{base}/specs/acme.json")
    assert sorted(again.event_names()) == expected
    assert app.asked == ["/specs/acme.json"]


def test_a_url_that_cannot_be_read_says_why(documents: tuple[str, _Documents]) -> None:
    base, _ = documents
    with pytest.raises(ConfigurationError, match=r"cannot fetch the OpenAPI document .*HTTP 404"):
        StandardWebhooks(openapi=f"{base}/specs/missing.json")
    with pytest.raises(ConfigurationError, match=r"binary\.json is not UTF-8 text"):
        StandardWebhooks(openapi=f"{base}/specs/binary.json")
    with pytest.raises(ConfigurationError, match=r"has an empty 'webhooks' section"):
        StandardWebhooks(openapi=f"{base}/specs/acme.yaml")


def test_a_url_nothing_answers_says_so() -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens on the port once the probe is closed.
    with pytest.raises(ConfigurationError, match=r"cannot fetch .*download it and pass its path"):
        StandardWebhooks(openapi=f"http://127.0.0.1:{port}/openapi.json")


def test_the_command_line_takes_a_url(
    documents: tuple[str, _Documents], capsys: pytest.CaptureFixture[str]
) -> None:
    base, app = documents
    name = sorted(json.loads(app.text)["webhooks"])[0]
    assert main(["fake", name, "--openapi", f"{base}/specs/acme.json", "--seed", "3"]) == 0
    assert json.loads(capsys.readouterr().out)["type"] == name


def test_the_fixture_takes_a_url(
    documents: tuple[str, _Documents], pytester: pytest.Pytester
) -> None:
    base, app = documents
    name = sorted(json.loads(app.text)["webhooks"])[0]
    pytester.makepyfile(
        f"""
        def test_sender(standard_webhooks):
            assert {name!r} in standard_webhooks.event_names()
        """
    )
    result = pytester.runpytest_inprocess(
        "-p", "no:cacheprovider", f"--hookmock-openapi={base}/specs/acme.json"
    )
    result.assert_outcomes(passed=1)
