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


# -- with pytest-django and its test database ---------------------------------------------------

DJANGO_PROJECT = {
    "zoomapp/__init__.py": "",
    "zoomapp/models.py": """
        from django.db import models


        class Meeting(models.Model):
            uuid = models.CharField(max_length=64)
            event_ts = models.BigIntegerField()
            topic = models.CharField(max_length=300, blank=True)

            class Meta:
                app_label = "zoomapp"
                unique_together = [("uuid", "event_ts")]
        """,
    "zoomapp/views.py": """
        import hashlib
        import hmac
        import json
        import time

        from django.conf import settings
        from django.http import HttpResponse, JsonResponse
        from django.views.decorators.csrf import csrf_exempt

        from .models import Meeting


        def _signed(request):
            secret = settings.ZOOM_WEBHOOK_SECRET_TOKEN.encode()
            timestamp = request.headers.get("x-zm-request-timestamp", "")
            if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > 300:
                return False
            message = b"v0:" + timestamp.encode() + b":" + request.body
            expected = "v0=" + hmac.new(secret, message, hashlib.sha256).hexdigest()
            return hmac.compare_digest(expected, request.headers.get("x-zm-signature", ""))


        @csrf_exempt
        def webhook(request):
            if not _signed(request):
                return HttpResponse("invalid signature", status=401)
            try:
                event = json.loads(request.body)
                name, payload = event["event"], event["payload"]
                if not isinstance(name, str) or not isinstance(payload, dict):
                    raise TypeError
            except (ValueError, KeyError, TypeError):
                return HttpResponse("malformed event", status=400)
            if name == "endpoint.url_validation":
                plain = payload["plainToken"]
                secret = settings.ZOOM_WEBHOOK_SECRET_TOKEN.encode()
                digest = hmac.new(secret, plain.encode(), hashlib.sha256).hexdigest()
                return JsonResponse({"plainToken": plain, "encryptedToken": digest})
            if name == "meeting.started":
                meeting = payload["object"]
                Meeting.objects.get_or_create(
                    uuid=meeting["uuid"],
                    event_ts=event["event_ts"],
                    defaults={"topic": meeting.get("topic", "")},
                )
            return HttpResponse(status=204)
        """,
    "project_urls.py": """
        from django.urls import path

        from zoomapp.views import webhook

        urlpatterns = [path("zoom/webhook", webhook)]
        """,
    "project_settings.py": """
        SECRET_KEY = "test"
        DEBUG = False
        ALLOWED_HOSTS = ["receiver.test"]
        ROOT_URLCONF = "project_urls"
        INSTALLED_APPS = ["django.contrib.contenttypes", "zoomapp"]
        MIDDLEWARE = ["django.middleware.csrf.CsrfViewMiddleware"]
        DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "zoom.sqlite3"}}
        USE_TZ = True
        ZOOM_WEBHOOK_SECRET_TOKEN = "django-webhook-secret"
        """,
    "test_receiver.py": """
        import pytest
        from django.conf import settings
        from django.core.wsgi import get_wsgi_application

        import hookmock
        from zoomapp.models import Meeting


        @pytest.fixture
        def hookmock_settings():
            return {"secret_token": settings.ZOOM_WEBHOOK_SECRET_TOKEN}


        @pytest.fixture
        def app(db):
            return get_wsgi_application()


        @pytest.fixture
        def processed(db):
            return lambda: Meeting.objects.count()


        def test_receiver_is_conformant(zoom, app):
            report = zoom.check(app, path="/zoom/webhook", probe=lambda: Meeting.objects.count())
            report.assert_passed()
            assert "not verified" not in report["duplicate-delivery"].detail
            assert Meeting.objects.count() >= 2


        test_zoom_conformance = hookmock.conformance_tests(
            "app", path="/zoom/webhook", probe="processed"
        )
        """,
}


def test_a_django_receiver_passes_the_battery_under_pytest_django(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("pytest_django")
    import textwrap

    from hookmock.providers.zoom.battery import CHECK_IDS

    for name, text in DJANGO_PROJECT.items():
        target = pytester.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", str(pytester.path))
    monkeypatch.delenv("ZOOM_WEBHOOK_SECRET_TOKEN", raising=False)
    result = pytester.runpytest_subprocess(
        "-p", "pytest_django", "--ds=project_settings", "-p", "no:cacheprovider", "-q"
    )
    result.assert_outcomes(passed=len(CHECK_IDS) + 1)
