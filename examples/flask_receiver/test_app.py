"""The example receiver's test suite, written with hookmock's ``zoom`` fixture."""

from __future__ import annotations

import pytest
from flask import Flask

from examples.flask_receiver.app import create_app
from hookmock import Zoom


@pytest.fixture
def app(zoom: Zoom) -> Flask:
    # The receiver verifies with the same secret token the simulated Zoom app signs with.
    return create_app(secret_token=zoom.secret_token)


def test_recording_is_stored(zoom: Zoom, app: Flask) -> None:
    zoom.subscribe(app, path="/zoom/webhook", events=["recording.completed"])
    delivery = zoom.send("recording.completed", topic="Q3 review")
    delivery.assert_acknowledged()
    assert list(app.config["RECORDINGS"].values()) == ["Q3 review"]


def test_emoji_topic_verifies_over_raw_bytes(zoom: Zoom, app: Flask) -> None:
    zoom.subscribe(app, path="/zoom/webhook")
    delivery = zoom.send("meeting.started", topic="Launch \U0001f680 – go’s")
    assert b"\\uD83D\\uDE80" in delivery.request.body  # as Zoom writes it
    delivery.assert_acknowledged()


def test_unhandled_event_is_acknowledged(zoom: Zoom, app: Flask) -> None:
    zoom.subscribe(app, path="/zoom/webhook")
    zoom.send("user.signed_in").assert_acknowledged()


def test_forged_signature_is_rejected(zoom: Zoom, app: Flask) -> None:
    zoom.subscribe(app, path="/zoom/webhook")
    forged = zoom.send("meeting.started", headers={"x-zm-signature": "v0=" + "0" * 64})
    forged.assert_rejected(401)


def test_replayed_timestamp_is_rejected(zoom: Zoom, app: Flask) -> None:
    zoom.subscribe(app, path="/zoom/webhook")
    stale = int(zoom.clock()) - 3600
    zoom.send("meeting.started", timestamp=stale).assert_rejected()


def test_duplicate_is_acknowledged_and_processed_once(zoom: Zoom, app: Flask) -> None:
    zoom.subscribe(app, path="/zoom/webhook", events=["meeting.started"])
    event = zoom.fake("meeting.started")
    zoom.send(event).assert_acknowledged()
    zoom.send(event).assert_acknowledged()
    zoom.assert_delivered("meeting.started", count=2)
    assert list(app.config["MEETINGS_STARTED"].values()) == [event.data["payload"]["object"]["id"]]


def test_passes_the_conformance_battery(zoom: Zoom, app: Flask) -> None:
    report = zoom.check(
        app, path="/zoom/webhook", probe=lambda: len(app.config["MEETINGS_STARTED"])
    )
    report.assert_passed()
    assert not report.warnings
