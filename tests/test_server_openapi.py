"""A property-based run of Schemathesis against the control API's OpenAPI document: whatever a
client sends, the server answers as documented and never with a 5xx."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from hookmock import Zoom
from hookmock.server import MockServer
from hookmock.server.openapi import DOCUMENT
from tests.receivers import zoom_receiver

SECRET = "schemathesis-secret-token"
# Subscribing connects to the URL given: a fuzzed one would be looked up and reached beyond this
# machine. Its answers are tested in tests/test_server_providers.py.
schema = schemathesis.openapi.from_dict(DOCUMENT).exclude(path="/_hookmock/subscriptions")
# Valid requests and invalid ones (bodies and parameters that break the document): neither may
# get a 5xx.
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])


@pytest.fixture(scope="module")
def fuzzed_server() -> Iterator[MockServer]:
    zoom = Zoom(secret_token=SECRET, seed=1)
    with MockServer(zoom) as server:
        # A subscription, so that triggers make deliveries (until a fuzzed reset); in-process,
        # because a fuzzed advance of a year makes a hundred re-validations.
        zoom.subscribe(zoom_receiver(SECRET), path="/hook")
        yield server


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every connection the run makes (the client's, the server's deliveries) goes to 127.0.0.1."""
    real = socket.socket.connect

    def connect(self: socket.socket, address: Any) -> None:
        host = address[0] if isinstance(address, tuple) else str(address)
        if not ipaddress.ip_address(host).is_loopback:
            raise AssertionError(f"the Schemathesis run tried to reach {address!r}")
        real(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=2000,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_control_api_conforms_and_never_answers_5xx(
    case: schemathesis.Case, fuzzed_server: MockServer
) -> None:
    response = case.call(base_url=fuzzed_server.url, timeout=60)
    case.validate_response(
        response,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
