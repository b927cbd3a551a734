from __future__ import annotations

from django.urls import path

from .views import zoom_webhook

urlpatterns = [path("zoom/webhook", zoom_webhook)]
