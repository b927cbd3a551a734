from __future__ import annotations

from django.apps import AppConfig


class ZoomReceiverConfig(AppConfig):
    name = "examples.django_receiver"
    label = "zoom_receiver"
    default_auto_field = "django.db.models.BigAutoField"
