"""A byte-form check compares two answers: to an event in the provider's own bytes (the twin)
and to the same event in another form. Only the form may differ between them, or a receiver
that fails on some values (a guest participant, a field left out) is blamed on the form."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable
from typing import Any

import pytest

from examples.flask_receiver.app import create_app
from hookmock import Slack, Stripe, Zoom
from hookmock.conformance.base import Family, Verdict
from hookmock.providers.zoom.battery import CHECKS

from .slack_receivers import slack_receiver
from .stripe_receivers import sdk_receiver

SECRET = "Zq7vR2mXkP9tLw4sJd8yNc"
BYTE_FORMS = [c.id for c in CHECKS if c.family is Family.VARIANT]
EVENT = "meeting.participant_joined"


def _fails_on_guests(secret: str) -> Callable[..., Iterable[bytes]]:
    """The Flask example, answering 500 to a participant event of a guest (an empty email,
    as for a quarter of Zoom's participants): it reads the email's domain unguarded."""
    app = create_app(secret_token=secret)

    def receiver(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)
        try:
            participant = json.loads(body)["payload"]["object"]["participant"]
        except (ValueError, KeyError, TypeError):
            participant = None
        if isinstance(participant, dict) and participant.get("email") == "":
            start_response("500 Internal Server Error", [("Content-Type", "text/plain")])
            return [b"IndexError: list index out of range"]
        return app(environ, start_response)

    return receiver


@pytest.mark.parametrize("seed", range(8))
def test_a_failure_on_some_values_is_not_blamed_on_a_byte_form(seed: int) -> None:
    zoom = Zoom(secret_token=SECRET, seed=seed)
    report = zoom.check(
        _fails_on_guests(SECRET), path="/zoom/webhook", events=[EVENT], only=BYTE_FORMS
    )
    for check in BYTE_FORMS:
        result = report[check]
        assert result.outcome in (Verdict.PASS, Verdict.INCONCLUSIVE), result.detail
        if result.outcome is not Verdict.PASS:
            continue
        twin, variant = result.deliveries[-2:]
        # When no participant event was acknowledged, the forms ride on another type.
        if twin.event.name == EVENT:
            participants = [
                json.loads(d.request.body)["payload"]["object"] for d in (twin, variant)
            ]
            assert participants[0]["participant"] == participants[1]["participant"]


def _but(body: bytes, key: str) -> dict[str, Any]:
    data = json.loads(body)
    del data[key]
    return dict(data)


def test_stripes_byte_forms_send_the_twins_values_under_another_id() -> None:
    secret = "whsec_bytefortwins0123456789"
    report = Stripe(secret=secret, seed=2).check(
        sdk_receiver(secret), only=["valid-compact", "valid-key-order", "valid-rotated-secret"]
    )
    for result in report.results:
        assert result.outcome is Verdict.PASS, result.detail
        twin, other = (d.request.body for d in result.deliveries[-2:])
        assert _but(twin, "id") == _but(other, "id")
        assert json.loads(twin)["id"] != json.loads(other)["id"]  # not a duplicate


def test_slacks_byte_forms_send_the_twins_values_under_another_event_id() -> None:
    secret = "0123456789abcdef0123456789abcdef"
    report = Slack(secret=secret, seed=2).check(
        slack_receiver(secret), only=["valid-key-order", "valid-whitespace"]
    )
    for result in report.results:
        assert result.outcome is Verdict.PASS, result.detail
        twin, other = (d.request.body for d in result.deliveries[-2:])
        assert _but(twin, "event_id") == _but(other, "event_id")
        assert json.loads(twin)["event_id"] != json.loads(other)["event_id"]
