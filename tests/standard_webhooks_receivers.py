"""Standard Webhooks receivers for testing the battery: correct by default (built on the
``standardwebhooks`` reference library, or on ``svix``), and each named fault breaks one
behaviour the way real receivers get it wrong.

The receivers verify with the reference libraries or with :mod:`hmac` directly, never with
hookmock's own signing code: a receiver that shared the simulator's code would agree with it
even if both were wrong.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

from flask import Flask, request
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

__all__ = ["FAULTS", "PATH", "SLOW_SECONDS", "SLOW_TYPE", "flask_receiver", "svix_receiver"]

PATH = "/webhook"
#: The event type the ``slow-on-invoice`` fault works on before answering, and for how long
#: (the tests give the sender a deadline below it).
SLOW_TYPE = "invoice.paid"
SLOW_SECONDS = 0.6

FAULTS = {
    "accepts-everything": "verifies nothing",
    "rejects-everything": "answers 401 to everything",
    "first-item-only": "checks only the first item of webhook-signature",
    "no-timestamp-window": "verifies the signature but never compares the timestamp with a clock",
    "parses-first": "parses the body as JSON before verifying it, without catching errors",
    "slow-on-invoice": f"works {SLOW_SECONDS} s on {SLOW_TYPE} before answering",
    "rejects-duplicates": "answers 409 to a webhook-id it has seen",
    "processes-duplicates": "processes every delivery, duplicates included",
    "reserializes-compact": "verifies json.dumps(json.loads(body)) written compactly",
    "reserializes-python": "verifies json.dumps(json.loads(body)) with Python's default spaces",
    "hex-digest": "compares the HMAC written in hex",
    "secret-text-as-key": "keys the HMAC with the whole whsec_ text",
    "milliseconds-clock": "compares webhook-timestamp with a clock in milliseconds",
    "prefix-compare": "accepts a signature the right one starts with, refusing only an empty one",
}


def _hand_verified(
    secret: str, body: bytes, headers: dict[str, str], *, window: bool, fault: str
) -> bool:
    """Hand-written verification, for the faults the library cannot be made to have."""
    msg_id = headers.get("webhook-id", "")
    ts = headers.get("webhook-timestamp", "")
    items = headers.get("webhook-signature", "").split()
    if not (msg_id and ts and items) or not ts.isdigit():
        return False
    now = time.time() * (1000 if fault == "milliseconds-clock" else 1)
    if window and abs(now - int(ts)) > 300:
        return False
    key = base64.b64decode(secret.removeprefix("whsec_"))
    if fault == "secret-text-as-key":
        key = secret.encode()
    mac = hmac.new(key, f"{msg_id}.{ts}.".encode() + body, hashlib.sha256).digest()
    expected = mac.hex() if fault == "hex-digest" else base64.b64encode(mac).decode()
    if fault == "prefix-compare":
        return any(len(item) > len("v1,") and f"v1,{expected}".startswith(item) for item in items)
    return any(hmac.compare_digest(item, f"v1,{expected}") for item in items)


class Processed:
    """The receiver's side effects: one per processed message."""

    def __init__(self) -> None:
        self.count = 0
        self.ids: set[str] = set()

    def __call__(self) -> int:
        return self.count


def flask_receiver(secret: str, fault: str | None = None) -> Flask:
    """A Flask receiver on :data:`PATH`; its ``processed`` attribute is the probe."""
    assert fault is None or fault in FAULTS, fault
    app = Flask(__name__)
    webhook = Webhook(secret)
    processed = Processed()
    app.extensions["processed"] = processed

    @app.post(PATH)
    def receive() -> Any:
        body = request.get_data()
        headers = {k.lower(): v for k, v in request.headers.items()}
        if fault == "rejects-everything":
            return "unauthorized", 401
        if fault == "parses-first":
            json.loads(body)  # raises on what is not JSON: a 500
        try:
            if fault == "accepts-everything":
                payload = json.loads(body)
            elif fault == "first-item-only":
                first = headers.get("webhook-signature", "").split(" ")[0]
                payload = webhook.verify(body, {**headers, "webhook-signature": first})
            elif fault in ("reserializes-compact", "reserializes-python"):
                parsed = json.loads(body)
                compact = {"separators": (",", ":"), "ensure_ascii": False}
                text = json.dumps(parsed, **(compact if fault == "reserializes-compact" else {}))
                payload = webhook.verify(text.encode(), headers)
            elif fault in ("no-timestamp-window", "hex-digest", "secret-text-as-key") or (
                fault in ("milliseconds-clock", "prefix-compare")
            ):
                window = fault != "no-timestamp-window"
                if not _hand_verified(secret, body, headers, window=window, fault=fault):
                    return "bad signature", 401
                payload = json.loads(body)
            else:
                payload = webhook.verify(body, headers)
        except (WebhookVerificationError, ValueError):
            # The library raises ValueError, not its own error, on a malformed signature item
            # and on a body that is not UTF-8 or not JSON: both are refusals too.
            return "bad signature", 401
        msg_id = headers.get("webhook-id", "")
        if msg_id in processed.ids and fault != "processes-duplicates":
            if fault == "rejects-duplicates":
                return "duplicate", 409
            return "", 204
        processed.ids.add(msg_id)
        kind = payload.get("type") if isinstance(payload, dict) else None
        if fault == "slow-on-invoice" and kind == SLOW_TYPE:
            time.sleep(SLOW_SECONDS)
        processed.count += 1
        return "", 204

    return app


def svix_receiver(secret: str) -> Any:
    """A correct Starlette receiver on :data:`PATH` built on ``svix.webhooks.Webhook``, which
    reads Svix's own ``svix-id``... headers (and the specification's)."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route
    from svix.webhooks import Webhook as SvixWebhook
    from svix.webhooks import WebhookVerificationError as SvixError

    webhook = SvixWebhook(secret)
    seen: set[str] = set()

    async def receive(request: Request) -> Response:
        body = await request.body()
        headers = dict(request.headers)
        try:
            webhook.verify(body, headers)
        except (SvixError, ValueError):
            return Response("bad signature", status_code=401)
        seen.add(headers.get("svix-id") or headers.get("webhook-id") or "")
        return Response(status_code=204)

    return Starlette(routes=[Route(PATH, receive, methods=["POST"])])


def ed25519_receiver(public_key: str) -> Flask:
    """A correct receiver of ``v1a`` (Ed25519) signatures, verifying with ``cryptography``
    directly against the ``whpk_`` public key."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    verifier = Ed25519PublicKey.from_public_bytes(
        base64.b64decode(public_key.removeprefix("whpk_"))
    )
    app = Flask(__name__)

    @app.post(PATH)
    def receive() -> Any:
        body = request.get_data()
        msg_id = request.headers.get("webhook-id", "")
        ts = request.headers.get("webhook-timestamp", "")
        items = request.headers.get("webhook-signature", "").split()
        if not (msg_id and ts.isdigit() and items) or abs(time.time() - int(ts)) > 300:
            return "bad headers", 401
        content = f"{msg_id}.{ts}.".encode() + body
        for item in items:
            version, comma, signature = item.partition(",")
            if version != "v1a" or not comma:
                continue
            try:
                verifier.verify(base64.b64decode(signature, validate=True), content)
            except (InvalidSignature, ValueError):
                continue
            return "", 204
        return "bad signature", 401

    return app
