"""A correct Zoom webhook receiver in Flask: the model to copy.

- verifies ``x-zm-signature`` over the raw body bytes (never a re-serialized body), with a
  constant-time comparison;
- refuses a timestamp more than five minutes from now (a replayed capture);
- answers Zoom's ``endpoint.url_validation`` challenge;
- acknowledges with 204 every verified event, including events it does not handle, so Zoom
  neither retries nor drops them; the work happens after the check;
- processes each event once: Zoom delivers at least once (retries, duplicates), so handlers key
  their effects on the event's identity (here the meeting or recording UUID and ``event_ts``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, jsonify, request

TOLERANCE_SECONDS = 300


def create_app(secret_token: str | None = None) -> Flask:
    secret = secret_token or os.environ["ZOOM_WEBHOOK_SECRET_TOKEN"]
    app = Flask(__name__)
    app.config["RECORDINGS"] = {}  # recording UUID -> topic
    app.config["MEETINGS_STARTED"] = {}  # (meeting UUID, event_ts) -> meeting id

    def recording_completed(event: dict[str, Any]) -> None:
        obj = event["payload"]["object"]
        app.config["RECORDINGS"].setdefault(obj["uuid"], obj["topic"])

    def meeting_started(event: dict[str, Any]) -> None:
        obj = event["payload"]["object"]
        app.config["MEETINGS_STARTED"].setdefault((obj["uuid"], event["event_ts"]), obj["id"])

    handlers: dict[str, Callable[[dict[str, Any]], None]] = {
        "recording.completed": recording_completed,
        "meeting.started": meeting_started,
    }

    def signature_ok(body: bytes) -> bool:
        timestamp = request.headers.get("x-zm-request-timestamp", "")
        signature = request.headers.get("x-zm-signature", "")
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > TOLERANCE_SECONDS:
            return False
        message = b"v0:" + timestamp.encode() + b":" + body
        expected = "v0=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, signature)

    @app.post("/zoom/webhook")
    def webhook() -> Any:
        body = request.get_data(cache=False)  # the raw bytes, exactly as signed
        if not signature_ok(body):
            return Response("invalid signature", status=401)
        try:
            event = json.loads(body)
            name = event["event"]
            payload = event["payload"]
        except (ValueError, KeyError, TypeError):
            return Response("malformed event", status=400)
        if name == "endpoint.url_validation":
            plain = payload["plainToken"]
            digest = hmac.new(secret.encode(), plain.encode(), hashlib.sha256).hexdigest()
            return jsonify(plainToken=plain, encryptedToken=digest)
        handler = handlers.get(name)
        if handler is not None:
            handler(event)
        return Response(status=204)

    return app
