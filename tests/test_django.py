"""A Django receiver, called in-process through its WSGI application."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import sys
import types
from collections.abc import Iterator
from typing import Any

import pytest

from hookmock import Zoom

SECRET = "django-secret"


@pytest.fixture(scope="module")
def django_app(request: pytest.FixtureRequest) -> Iterator[Any]:
    django = pytest.importorskip("django")
    from django.conf import settings

    if not settings.configured:
        settings.configure(
            DEBUG=False,
            SECRET_KEY="test",
            ROOT_URLCONF="hookmock_django_urls",
            ALLOWED_HOSTS=["receiver.test"],
            MIDDLEWARE=["django.middleware.csrf.CsrfViewMiddleware"],
        )
        django.setup()
    from django.core.wsgi import get_wsgi_application
    from django.http import HttpResponse, JsonResponse
    from django.urls import path
    from django.views.decorators.csrf import csrf_exempt

    received: list[str] = []

    @csrf_exempt
    def webhook(request: Any) -> HttpResponse:
        timestamp = request.headers.get("x-zm-request-timestamp", "")
        message = b"v0:" + timestamp.encode() + b":" + request.body
        expected = "v0=" + hmac.new(SECRET.encode(), message, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, request.headers.get("x-zm-signature", "")):
            return HttpResponse(status=401)
        event = json.loads(request.body)
        if event["event"] == "endpoint.url_validation":
            plain = event["payload"]["plainToken"]
            digest = hmac.new(SECRET.encode(), plain.encode(), hashlib.sha256).hexdigest()
            return JsonResponse({"plainToken": plain, "encryptedToken": digest})
        received.append(event["event"])
        return HttpResponse(status=200)

    urls = types.ModuleType("hookmock_django_urls")
    urls.urlpatterns = [path("zoom/webhook", webhook)]  # type: ignore[attr-defined]
    sys.modules["hookmock_django_urls"] = urls
    app = get_wsgi_application()
    app.received = received  # type: ignore[attr-defined]
    # Django may have been configured already (the example project's tests): route to this app.
    # With pytest-django, a request closes stale database connections, which it counts as
    # database access: allowed here, though this receiver stores nothing.
    from django.test.utils import override_settings

    unblocked = (
        request.getfixturevalue("django_db_blocker").unblock()
        if request.config.pluginmanager.hasplugin("django")
        else contextlib.nullcontext()
    )
    with override_settings(ROOT_URLCONF="hookmock_django_urls"), unblocked:
        yield app


def test_django_receiver(django_app: Any) -> None:
    zoom = Zoom(secret_token=SECRET, seed=2)
    zoom.subscribe(django_app, path="/zoom/webhook")
    zoom.send("recording.completed", topic="Django 🎸 review").assert_acknowledged()
    zoom.send("meeting.started", headers={"x-zm-signature": "v0=bad"}).assert_rejected(401)
    assert django_app.received == ["recording.completed"]
