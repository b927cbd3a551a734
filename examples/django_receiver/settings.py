"""Django settings for the example receiver: a test configuration, sqlite in memory."""

from __future__ import annotations

import os

SECRET_KEY = "django-insecure-example-receiver"  # a test setting, never a real key
DEBUG = False
ALLOWED_HOSTS = ["receiver.test", "127.0.0.1", "localhost", "testserver"]
INSTALLED_APPS = ["examples.django_receiver"]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
]
ROOT_URLCONF = "examples.django_receiver.urls"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True

# The secret token of the Zoom app, from Zoom's app settings ("Feature" > "Event subscriptions").
ZOOM_WEBHOOK_SECRET_TOKEN = os.environ.get("ZOOM_WEBHOOK_SECRET_TOKEN", "django-example-secret")
