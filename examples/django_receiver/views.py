"""The webhook view: verify the signature over the raw bytes, answer the challenge, store."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .models import Recording

TOLERANCE_SECONDS = 300


def _signature_ok(request: HttpRequest, secret: bytes) -> bool:
    timestamp = request.headers.get("x-zm-request-timestamp", "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > TOLERANCE_SECONDS:
        return False
    # request.body is the raw bytes Zoom signed; json.dumps(json.loads(...)) would not match.
    message = b"v0:" + timestamp.encode() + b":" + request.body
    expected = "v0=" + hmac.new(secret, message, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, request.headers.get("x-zm-signature", ""))


@csrf_exempt  # Zoom cannot send a CSRF token; the signature authenticates the request
@require_POST
def zoom_webhook(request: HttpRequest) -> HttpResponse:
    secret = settings.ZOOM_WEBHOOK_SECRET_TOKEN.encode()
    if not _signature_ok(request, secret):
        return HttpResponse("invalid signature", status=401)
    try:
        event = json.loads(request.body)
        name, payload = event["event"], event["payload"]
    except (ValueError, KeyError, TypeError):
        return HttpResponse("malformed event", status=400)
    if name == "endpoint.url_validation":
        plain = payload["plainToken"]
        digest = hmac.new(secret, plain.encode(), hashlib.sha256).hexdigest()
        return JsonResponse({"plainToken": plain, "encryptedToken": digest})
    if name == "recording.completed":
        obj = payload["object"]
        # Zoom delivers at least once: a retry or a duplicate must not add a second row.
        Recording.objects.get_or_create(
            uuid=obj["uuid"],
            defaults={"topic": obj["topic"], "files": len(obj["recording_files"])},
        )
    return HttpResponse(status=204)
