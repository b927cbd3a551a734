"""A Zoom webhook receiver in FastAPI: verify, acknowledge at once, then work.

Zoom waits 3 seconds for an answer and retries a delivery that gets none, so the receiver
answers as soon as the signature checks out and does the slow part (here: storing a recording's
files) in a ``BackgroundTasks`` task, which FastAPI runs after the response is sent.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
from dataclasses import dataclass, field
from typing import Any

from fastapi import BackgroundTasks, FastAPI, Request, Response
from fastapi.responses import JSONResponse

TOLERANCE_SECONDS = 300


@dataclass
class Store:
    """What the receiver remembers: recordings by UUID, and the events it has processed."""

    recordings: dict[str, list[str]] = field(default_factory=dict)
    processed: set[tuple[str, int]] = field(default_factory=set)


def create_app(secret_token: str | None = None, store: Store | None = None) -> FastAPI:
    secret = (secret_token or os.environ["ZOOM_WEBHOOK_SECRET_TOKEN"]).encode()
    app = FastAPI()
    app.state.store = store = store or Store()

    def signature_ok(timestamp: str, signature: str, body: bytes) -> bool:
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > TOLERANCE_SECONDS:
            return False  # a replayed capture, or a clock far off
        message = b"v0:" + timestamp.encode() + b":" + body  # the raw bytes, never re-serialized
        expected = "v0=" + hmac.new(secret, message, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, signature)

    def store_recording(event: dict[str, Any]) -> None:
        # Zoom delivers at least once: the event's identity makes a retry or duplicate harmless.
        obj = event["payload"]["object"]
        key = (obj["uuid"], event["event_ts"])
        if key in store.processed:
            return
        store.processed.add(key)
        store.recordings[obj["uuid"]] = [f["file_type"] for f in obj["recording_files"]]

    @app.post("/zoom/webhook")
    async def webhook(request: Request, background: BackgroundTasks) -> Response:
        body = await request.body()
        timestamp = request.headers.get("x-zm-request-timestamp", "")
        if not signature_ok(timestamp, request.headers.get("x-zm-signature", ""), body):
            return Response("invalid signature", status_code=401)
        try:
            event = json.loads(body)
            name, payload = event["event"], event["payload"]
        except (ValueError, KeyError, TypeError):
            return Response("malformed event", status_code=400)
        if name == "endpoint.url_validation":
            plain = payload["plainToken"]
            digest = hmac.new(secret, plain.encode(), hashlib.sha256).hexdigest()
            return JSONResponse({"plainToken": plain, "encryptedToken": digest})
        if name == "recording.completed":
            background.add_task(store_recording, event)  # runs after the 204 is sent
        return Response(status_code=204)  # every verified event, handled or not

    return app
