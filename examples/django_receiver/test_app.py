"""The Django receiver's tests, written with hookmock's ``zoom`` fixture."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("django")

from django.conf import settings

from examples.django_receiver.models import Recording
from hookmock import Zoom

pytestmark = pytest.mark.django_db


# The simulated Zoom app signs with the secret token the Django settings verify with.
@pytest.fixture
def hookmock_settings():
    return {"secret_token": settings.ZOOM_WEBHOOK_SECRET_TOKEN}


def test_recording_is_stored_once(zoom, webhook_app):
    zoom.subscribe(webhook_app, path="/zoom/webhook", events=["recording.completed"])
    first = zoom.send("recording.completed", topic="Q3 review")
    zoom.resend(first).assert_acknowledged()  # a duplicate: same bytes, new request id
    assert Recording.objects.get().topic == "Q3 review"
    first.assert_acknowledged()
    assert Recording.objects.get().files == len(
        first.event.data["payload"]["object"]["recording_files"]
    )


def test_forged_and_replayed_requests_are_refused(zoom: Zoom, webhook_app: Any) -> None:
    zoom.subscribe(webhook_app, path="/zoom/webhook")
    zoom.send("recording.completed", headers={"x-zm-signature": "v0=" + "0" * 64}).assert_rejected(
        401
    )
    zoom.send("recording.completed", timestamp=int(zoom.clock()) - 3600).assert_rejected(401)
    assert not Recording.objects.exists()


def test_a_retried_delivery_is_stored_once(zoom: Zoom, webhook_app: Any) -> None:
    zoom.subscribe(webhook_app, path="/zoom/webhook")
    zoom.fail_next("timeout")  # the network loses the first attempt
    zoom.send("recording.completed", topic="Retried")
    (retry,) = zoom.advance(minutes=5)
    retry.assert_acknowledged()
    zoom.assert_acknowledged_once()
    assert list(Recording.objects.values_list("topic", flat=True)) == ["Retried"]
