"""Stripe receivers for the tests, built on stripe-python: a correct one, and ones with one
deliberate fault each."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable, Iterable
from typing import Any

import stripe
from werkzeug.wrappers import Request, Response

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def sdk_receiver(secret: str, *, tolerance: int | None = 300, fault: str = "") -> WSGIApp:
    """A receiver that does what Stripe's own sample does: ``stripe.Webhook.construct_event``
    over the raw body, 400 when it raises, 200 otherwise. Each event it accepts is kept in
    ``app.events`` (parsed by stripe-python), each body in ``app.bodies``.

    :param tolerance: the timestamp window given to stripe-python (None: no window).
    :param fault: ``"no-verify"`` (parses without verifying), ``"reserialized"`` (verifies
        ``json.dumps`` of the parsed body), ``"any-scheme"`` (accepts a signature under any
        scheme, v0 included), ``"crash"`` (parses the body before verifying it, and answers
        a 500 when it cannot).
    """

    @Request.application  # type: ignore[arg-type]
    def app(request: Request) -> Response:
        body = request.get_data()
        app.bodies.append(body)  # type: ignore[attr-defined]
        header = request.headers.get("stripe-signature")
        try:
            if fault == "crash":
                json.loads(body)
            if fault == "no-verify":
                event = stripe.Event.construct_from(json.loads(body), "sk_test_hookmock")
            elif fault == "reserialized":
                again = json.dumps(json.loads(body)).encode()
                event = stripe.Webhook.construct_event(again, header, secret, tolerance=0)
            elif fault == "any-scheme":
                event = _any_scheme(body, header or "", secret)
            else:
                event = stripe.Webhook.construct_event(body, header, secret, tolerance=tolerance)
        except (ValueError, stripe.SignatureVerificationError) as error:
            if fault == "crash" and isinstance(error, ValueError):
                return Response("crashed", status=500)
            return Response(f"refused: {error}", status=400)
        except AttributeError as error:
            # stripe-python reads .get("object") of the parsed body: a signed JSON array.
            return Response(f"crashed: {error}", status=500)
        app.events.append(event)  # type: ignore[attr-defined]
        return Response(json.dumps({"received": True}), content_type="application/json")

    app.bodies = []  # type: ignore[attr-defined]
    app.events = []  # type: ignore[attr-defined]
    return app  # type: ignore[no-any-return]


def _any_scheme(body: bytes, header: str, secret: str) -> Any:
    items = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    t = items.pop("t", "")
    expected = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    if not any(hmac.compare_digest(expected, value) for value in items.values()):
        raise stripe.SignatureVerificationError("no match", header)
    if int(t) < time.time() - 300:
        raise stripe.SignatureVerificationError("too old", header)
    return stripe.Event.construct_from(json.loads(body), "sk_test_hookmock")
