"""What the receiver stores: one row per recording, whatever number of times Zoom delivers it."""

from __future__ import annotations

from django.db import models


class Recording(models.Model):
    uuid = models.CharField(max_length=64, unique=True)  # Zoom's meeting UUID
    topic = models.CharField(max_length=300)
    files = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.topic} ({self.files} files)"
