"""The FastAPI receiver's tests, written with hookmock's ``zoom`` fixture."""

from __future__ import annotations

import pytest

pytest.importorskip("fastapi")

from fastapi import FastAPI

from examples.fastapi_receiver.app import create_app
from hookmock import Zoom


@pytest.fixture
def app(zoom: Zoom) -> FastAPI:
    return create_app(secret_token=zoom.secret_token)


def test_url_validation_and_acknowledgement(zoom: Zoom, app: FastAPI) -> None:
    zoom.subscribe(app, path="/zoom/webhook")  # Zoom's signed challenge, answered
    zoom.send("meeting.started").assert_acknowledged()  # not handled, still acknowledged
    zoom.send("webinar.ended").assert_acknowledged()


def test_recording_is_stored_after_acknowledging(zoom: Zoom, app: FastAPI) -> None:
    zoom.subscribe(app, path="/zoom/webhook", events=["recording.completed"])
    delivery = zoom.send("recording.completed", topic="Q3 review")
    delivery.assert_acknowledged()
    obj = delivery.event.data["payload"]["object"]
    files = [f["file_type"] for f in obj["recording_files"]]
    assert app.state.store.recordings == {obj["uuid"]: files}


def test_forged_and_replayed_requests_are_refused(zoom: Zoom, app: FastAPI) -> None:
    zoom.subscribe(app, path="/zoom/webhook")
    zoom.send("recording.completed", headers={"x-zm-signature": "v0=" + "0" * 64}).assert_rejected(
        401
    )
    zoom.send("recording.completed", timestamp=int(zoom.clock()) - 3600).assert_rejected(401)
    assert app.state.store.recordings == {}


def test_the_battery_passes(zoom: Zoom, app: FastAPI) -> None:
    report = zoom.check(app, path="/zoom/webhook", concurrency=3)
    report.assert_passed()
