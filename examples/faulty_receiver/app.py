"""A Zoom receiver with the mistakes most often seen in the field, for `make demo` to grade.

Do not copy it: `examples/flask_receiver/app.py` is the correct one. Its faults:
- it verifies the signature over ``json.dumps(request.json)``, a re-serialized body, so real
  Zoom bodies with emoji (and other byte-level forms of the same JSON) are refused;
- it never looks at the timestamp, so a captured request can be replayed at any time;
- it parses the body before verifying it, and a body that is not JSON makes it crash (500);
- it answers 400 to event types it does not handle; Zoom does not retry a 4xx, so they are lost.

``hookmock check`` names each of these as a root cause ("fix first: reserialized-body",
"refuses-event-types", "no-timestamp-check", "parses-before-verifying") and lists the checks
each one explains.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from flask import Flask, Response, jsonify, request


def create_app(secret_token: str) -> Flask:
    app = Flask(__name__)
    handled = {"endpoint.url_validation", "meeting.started", "meeting.ended", "recording.completed"}

    @app.post("/zoom/webhook")
    def webhook() -> Any:
        event = json.loads(request.get_data())  # raises on non-JSON: a 500
        body = json.dumps(event, separators=(",", ":"), ensure_ascii=False)  # not the raw bytes
        timestamp = request.headers.get("x-zm-request-timestamp", "")
        message = f"v0:{timestamp}:{body}".encode()
        expected = "v0=" + hmac.new(secret_token.encode(), message, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, request.headers.get("x-zm-signature", "")):
            return Response("invalid signature", status=401)
        if event["event"] not in handled:
            return Response("unsupported event", status=400)
        if event["event"] == "endpoint.url_validation":
            plain = event["payload"]["plainToken"]
            digest = hmac.new(secret_token.encode(), plain.encode(), hashlib.sha256).hexdigest()
            return jsonify(plainToken=plain, encryptedToken=digest)
        return Response(status=200)

    return app
