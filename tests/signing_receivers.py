"""Receivers of Slack, Stripe, GitHub and Standard Webhooks deliveries for auditing their
batteries: correct by default, and each named fault breaks one behaviour.

Every receiver verifies with :mod:`hmac` directly, from the provider's published rules, never
with hookmock's own signing code: a receiver that shared the simulator's code would agree with
it even if both were wrong. The flow is the same for the four: verify, parse, answer the
provider's handshake, acknowledge what it does not handle, deduplicate, then process. What a
correct receiver does, per provider:

- Slack (https://api.slack.com/authentication/verifying-requests-from-slack): ``v0=`` and the
  hex HMAC-SHA256 of ``v0:{timestamp}:{body}``, the timestamp within 5 minutes either way,
  the ``url_verification`` challenge echoed, deduplicated on ``event_id``;
- Stripe (https://docs.stripe.com/webhooks#verify-manually, stripe-python's
  ``WebhookSignature``): any ``v1`` item of ``Stripe-Signature`` matching the hex HMAC-SHA256 of
  ``{t}.{body}`` keyed by the whole ``whsec_`` text, ``t`` at most 300 s old (stripe-python does
  not refuse one ahead of the clock), deduplicated on the event's ``id``;
- GitHub (https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries):
  ``X-Hub-Signature-256: sha256=`` and the hex HMAC-SHA256 of the body, the ping acknowledged,
  deduplicated on ``X-GitHub-Delivery``;
- Standard Webhooks (spec 1.0.0, ``../shared/reference/standard-webhooks``): any ``v1`` item of
  ``webhook-signature`` matching the base64 HMAC-SHA256 of ``{id}.{timestamp}.{body}`` keyed by
  the base64-decoded secret after ``whsec_``, the timestamp within 5 minutes either way,
  deduplicated on ``webhook-id``.

The ``slow`` faults do not sleep: they step :class:`SteppedClock`, the clock the in-process
transport measures an answer's time on, past every provider's deadline.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.wrappers import Request, Response

__all__ = [
    "FAULTS",
    "HANDLED",
    "PROVIDER_FAULTS",
    "SLOW_STEP_SECONDS",
    "TOLERANCE_SECONDS",
    "SignedReceiver",
    "SteppedClock",
    "receiver",
]

#: The timestamp window of a correct receiver (all four providers' libraries: 5 minutes).
TOLERANCE_SECONDS = 300
#: How far a ``slow`` fault steps the clock: beyond every provider's deadline (Stripe's 20 s).
SLOW_STEP_SECONDS = 60.0
#: The header the ``requires-header`` fault insists on; no provider sends it.
REQUIRED_HEADER = "x-api-key"
#: The event types each receiver acts on (and counts); any other verified one is acknowledged.
HANDLED: dict[str, frozenset[str]] = {
    "slack": frozenset({"app_mention", "message", "reaction_added"}),
    "stripe": frozenset(
        {
            "checkout.session.completed",
            "customer.subscription.created",
            "customer.subscription.updated",
            "customer.subscription.deleted",
            "invoice.paid",
            "invoice.payment_failed",
            "payment_intent.succeeded",
        }
    ),
    "github": frozenset({"push", "pull_request", "issues"}),
    "standard_webhooks": frozenset(
        {"contact.created", "contact.deleted", "contact.updated", "invoice.paid"}
    ),
}
#: The one event type the ``slow-on-one`` fault works on before answering.
SLOW_ONE: dict[str, str] = {
    "slack": "message",
    "stripe": "invoice.paid",
    "github": "issues",
    "standard_webhooks": "invoice.paid",
}

#: Every fault: what the receiver does wrong.
FAULTS: dict[str, str] = {
    # -- verification
    "accepts-any-signature": "requires the signature header but never compares its value",
    "reserializes-body": "verifies json.dumps(json.loads(body)), Python's default spacing",
    "reserializes-compact": "verifies the body re-serialized compactly, as JSON.stringify does",
    "no-timestamp-check": "verifies the signature but never compares the timestamp with a clock",
    "stale-only": "refuses timestamps too old, but not ones ahead of the clock",
    "future-only": "refuses timestamps too far ahead, but not old ones",
    "prefix-compare": "compares only the first 16 characters (64 bits) of the signature",
    "wrong-secret": "verifies with another secret than the provider signs with",
    "first-signature-only": "compares only the first of several signatures (Stripe's v1 items, "
    "Standard Webhooks' space-separated items)",
    "signs-body-only": "leaves the timestamp (and webhook-id) out of the signed content",
    # -- answers
    "refuses-with-400": "refuses what it cannot verify with 400 instead of 401 (not a fault: "
    "any 4xx is a refusal)",
    "raises-on-unknown": "raises on an event type it does not handle (a 500)",
    "500-on-unknown": "answers 500 to an event type it does not handle",
    "500-on-duplicate": "answers 500 to a delivery of an event it has processed",
    "processes-duplicates": "processes every delivery again, duplicates included",
    "slow": "works beyond the provider's deadline on every event it handles, then acknowledges",
    "slow-on-one": "works beyond the provider's deadline on one event type it handles",
    "refuses-all": "answers 401 to everything",
    "accepts-all": "answers 200 to everything, garbage included, verifying nothing",
    "requires-header": f"answers 400 to a request without {REQUIRED_HEADER}, which no provider "
    "sends, before verifying anything",
}
#: The faults each provider's receiver can have (GitHub signs no timestamp; Slack and GitHub
#: send one signature).
PROVIDER_FAULTS: dict[str, tuple[str, ...]] = {
    "slack": tuple(f for f in FAULTS if f != "first-signature-only"),
    "stripe": tuple(f for f in FAULTS if f != "stale-only"),
    "github": tuple(
        f
        for f in FAULTS
        if f
        not in (
            "no-timestamp-check",
            "stale-only",
            "future-only",
            "first-signature-only",
            "signs-body-only",
        )
    ),
    "standard_webhooks": tuple(FAULTS),
}


class SteppedClock:
    """``time.perf_counter`` plus the time the receiver's faults say their work took: the clock
    the in-process transport times each answer on, patched in by the tests."""

    def __init__(self, read: Callable[[], float] = time.perf_counter) -> None:
        self.read = read
        self.offset = 0.0

    def step(self, seconds: float) -> None:
        self.offset += seconds

    def __call__(self) -> float:
        return self.read() + self.offset


class ProcessedCounter:
    """The events a receiver acted on; call it for the count (a check's probe)."""

    def __init__(self) -> None:
        self.keys: list[str] = []

    def __call__(self) -> int:
        return len(self.keys)


def _hmac(key: bytes, message: bytes) -> bytes:
    return hmac.new(key, message, hashlib.sha256).digest()


def _same(expected: str, given: str, faults: frozenset[str]) -> bool:
    if "prefix-compare" in faults:
        expected, given = expected[:16], given[:16]
    return hmac.compare_digest(expected.encode(), given.encode())


def _window_refusal(timestamp: int, now: float, faults: frozenset[str]) -> str | None:
    if "no-timestamp-check" in faults:
        return None
    if timestamp < now - TOLERANCE_SECONDS and "future-only" not in faults:
        return "timestamp too old"
    if timestamp > now + TOLERANCE_SECONDS and "stale-only" not in faults:
        return "timestamp in the future"
    return None


class SignedReceiver:
    """A receiver of one provider's deliveries as a WSGI application. See :func:`receiver`."""

    def __init__(
        self,
        provider: str,
        secret: str,
        faults: frozenset[str],
        *,
        clock: SteppedClock | None,
        now: Callable[[], float],
    ) -> None:
        self.provider = provider
        self.secret = secret
        self.faults = faults
        self.clock = clock
        self.now = now
        self.processed = ProcessedCounter()
        self._seen: set[str] = set()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        return self.handle(Request(environ))(environ, start_response)

    def handle(self, request: Request) -> Response:
        faults = self.faults
        if "refuses-all" in faults:
            return _text(401, "unauthorized")
        if "accepts-all" in faults:
            return _text(200, "ok")
        if "requires-header" in faults and REQUIRED_HEADER not in request.headers:
            return _text(400, f"missing header {REQUIRED_HEADER}")
        body = request.get_data(cache=False)
        refusal = self.refusal(request, body)
        if refusal is not None:
            return _text(400 if "refuses-with-400" in faults else 401, refusal)
        try:
            data = json.loads(body)
        except ValueError:
            return _text(400, "not JSON")
        if not isinstance(data, dict):
            return _text(400, "not a JSON object")
        handshake = self.handshake(request, data)
        if handshake is not None:
            return handshake
        kind, key = self.kind_and_key(request, data)
        if kind not in HANDLED[self.provider]:
            if "raises-on-unknown" in faults:
                raise KeyError(f"no handler for {kind!r}")
            if "500-on-unknown" in faults:
                return _text(500, f"no handler for {kind!r}")
            return _text(200, "ignored")
        if key in self._seen and "processes-duplicates" not in faults:
            if "500-on-duplicate" in faults:
                return _text(500, "duplicate key value violates unique constraint")
            return _text(200, "already processed")
        slow = "slow" in faults or ("slow-on-one" in faults and kind == SLOW_ONE[self.provider])
        if slow and self.clock is not None:
            self.clock.step(SLOW_STEP_SECONDS)  # the work done before the answer
        self._seen.add(key)
        self.processed.keys.append(key)
        return _text(200, "processed")

    # -- verification, per provider -------------------------------------------------------------

    def _signed_bytes(self, body: bytes) -> bytes:
        if "reserializes-body" in self.faults or "reserializes-compact" in self.faults:
            try:
                value = json.loads(body)
            except ValueError:
                return body
            if "reserializes-compact" in self.faults:
                return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
            return json.dumps(value).encode()
        return body

    def _key_text(self) -> str:
        return self.secret + ("-not-this-one" if "wrong-secret" in self.faults else "")

    def refusal(self, request: Request, body: bytes) -> str | None:
        """Why the request is refused, or None when it verifies."""
        verify = {
            "slack": self._slack,
            "stripe": self._stripe,
            "github": self._github,
            "standard_webhooks": self._standard_webhooks,
        }[self.provider]
        return verify(request, self._signed_bytes(body))

    def _slack(self, request: Request, body: bytes) -> str | None:
        timestamp = request.headers.get("x-slack-request-timestamp", "")
        signature = request.headers.get("x-slack-signature")
        if not timestamp.isascii() or not timestamp.isdigit():
            return "bad timestamp"
        if signature is None:
            return "no signature"
        late = _window_refusal(int(timestamp), self.now(), self.faults)
        if late is not None:
            return late
        if "accepts-any-signature" in self.faults:
            return None
        signed = b"v0:" + (b"" if "signs-body-only" in self.faults else timestamp.encode()) + b":"
        digest = _hmac(self._key_text().encode(), signed + body).hex()
        return None if _same("v0=" + digest, signature, self.faults) else "invalid signature"

    def _stripe(self, request: Request, body: bytes) -> str | None:
        header = request.headers.get("stripe-signature")
        if header is None:
            return "no Stripe-Signature"
        timestamp: str | None = None
        v1: list[str] = []
        for part in header.split(","):
            name, sep, value = part.strip().partition("=")
            if sep and name == "t" and timestamp is None:
                timestamp = value
            elif sep and name == "v1":
                v1.append(value)
        if timestamp is None or not timestamp.isascii() or not timestamp.isdigit():
            return "no timestamp"
        if not v1:
            return "no v1 signature"
        late = _window_refusal(int(timestamp), self.now(), self.faults)
        if late is not None:
            return late
        if "accepts-any-signature" in self.faults:
            return None
        content = body if "signs-body-only" in self.faults else timestamp.encode() + b"." + body
        expected = _hmac(self._key_text().encode(), content).hex()
        candidates = v1[:1] if "first-signature-only" in self.faults else v1
        matches = [_same(expected, given, self.faults) for given in candidates]
        return None if any(matches) else "no matching v1 signature"

    def _github(self, request: Request, body: bytes) -> str | None:
        signature = request.headers.get("x-hub-signature-256")
        if signature is None:
            return "no X-Hub-Signature-256"
        if "accepts-any-signature" in self.faults:
            return None
        expected = "sha256=" + _hmac(self._key_text().encode(), body).hex()
        return None if _same(expected, signature, self.faults) else "invalid signature"

    def _standard_webhooks(self, request: Request, body: bytes) -> str | None:
        if self.secret.startswith("whpk_"):
            return self._standard_webhooks_v1a(request, body)
        refusal, (msg_id, timestamp, items) = self._standard_webhooks_headers(request)
        if refusal is not None or "accepts-any-signature" in self.faults:
            return refusal
        key = base64.b64decode(self.secret.removeprefix("whsec_"))
        if "wrong-secret" in self.faults:
            key = bytes(b ^ 0x55 for b in key)
        prefix = b"" if "signs-body-only" in self.faults else f"{msg_id}.{timestamp}.".encode()
        expected = base64.b64encode(_hmac(key, prefix + body)).decode()
        candidates = items[:1] if "first-signature-only" in self.faults else items
        for item in candidates:
            version, comma, given = item.partition(",")
            if version == "v1" and comma and _same(expected, given, self.faults):
                return None
        return "no matching v1 signature"

    def _standard_webhooks_headers(
        self, request: Request
    ) -> tuple[str | None, tuple[str, str, list[str]]]:
        """Why the request is refused before its signature is looked at (or None), and its
        webhook-id, webhook-timestamp and signature items."""
        msg_id = request.headers.get("webhook-id", "")
        timestamp = request.headers.get("webhook-timestamp", "")
        items = request.headers.get("webhook-signature", "").split()
        parts = (msg_id, timestamp, items)
        if not msg_id or not items:
            return "missing webhook-id or webhook-signature", parts
        if not timestamp.isascii() or not timestamp.isdigit():
            return "bad webhook-timestamp", parts
        return _window_refusal(int(timestamp), self.now(), self.faults), parts

    def _standard_webhooks_v1a(self, request: Request, body: bytes) -> str | None:
        """``v1a`` items: the Ed25519 signature of ``{id}.{timestamp}.{body}``, in base64,
        checked against the ``whpk_`` public key (the reference Go library's asymmetric
        scheme)."""
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import (
            Ed25519PrivateKey,
            Ed25519PublicKey,
        )

        refusal, (msg_id, timestamp, items) = self._standard_webhooks_headers(request)
        if refusal is not None or "accepts-any-signature" in self.faults:
            return refusal
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(self.secret[len("whpk_") :]))
        if "wrong-secret" in self.faults:
            key = Ed25519PrivateKey.from_private_bytes(bytes(32)).public_key()
        prefix = b"" if "signs-body-only" in self.faults else f"{msg_id}.{timestamp}.".encode()
        candidates = items[:1] if "first-signature-only" in self.faults else items
        for item in candidates:
            version, comma, given = item.partition(",")
            if version != "v1a" or not comma:
                continue
            try:
                key.verify(base64.b64decode(given, validate=True), prefix + body)
            except (InvalidSignature, ValueError):
                continue
            return None
        return "no matching v1a signature"

    # -- what the event is ----------------------------------------------------------------------

    def handshake(self, request: Request, data: dict[str, Any]) -> Response | None:
        if self.provider == "slack" and data.get("type") == "url_verification":
            return Response(str(data.get("challenge", "")), content_type="text/plain")
        if self.provider == "github" and request.headers.get("x-github-event") == "ping":
            return _text(200, "pong")
        return None

    def kind_and_key(self, request: Request, data: dict[str, Any]) -> tuple[str, str]:
        """The event's type, and what makes two deliveries the same event."""
        if self.provider == "slack":
            event = data.get("event")
            kind = event.get("type") if isinstance(event, dict) else None
            return str(kind), str(data.get("event_id"))
        if self.provider == "stripe":
            return str(data.get("type")), str(data.get("id"))
        if self.provider == "github":
            return (
                request.headers.get("x-github-event", ""),
                request.headers.get("x-github-delivery", ""),
            )
        return str(data.get("type")), request.headers.get("webhook-id", "")


def _text(status: int, text: str) -> Response:
    return Response(text, status=status, content_type="text/plain; charset=utf-8")


def receiver(
    provider: str,
    secret: str,
    *faults: str,
    clock: SteppedClock | None = None,
    now: Callable[[], float] = time.time,
) -> SignedReceiver:
    """A receiver of *provider*'s deliveries (a WSGI application) with the named *faults*;
    correct without any. Its ``processed`` attribute is a probe.

    :param clock: what the ``slow`` faults step instead of sleeping.
    :param now: the clock timestamps are compared with.
    :raises ValueError: for a provider or fault it does not know.
    """
    if provider not in PROVIDER_FAULTS:
        raise ValueError(f"unknown provider {provider!r}; known: {', '.join(PROVIDER_FAULTS)}")
    unknown = [f for f in faults if f not in PROVIDER_FAULTS[provider]]
    if unknown:
        known = ", ".join(PROVIDER_FAULTS[provider])
        raise ValueError(f"unknown fault(s) {unknown} for {provider}; known: {known}")
    return SignedReceiver(provider, secret, frozenset(faults), clock=clock, now=now)


def iter_cases() -> Iterable[tuple[str, str | None]]:
    """Every (provider, fault) pair, ``None`` for the correct receiver."""
    for provider, faults in PROVIDER_FAULTS.items():
        yield provider, None
        for fault in faults:
            yield provider, fault
