"""GitHub's webhook signatures, and the headers of a delivery.

GitHub signs the body of each delivery, byte for byte as sent, with HMAC-SHA256 keyed by the
webhook's secret, and sends the lowercase hex digest as ``X-Hub-Signature-256: sha256=<hex>``;
the legacy ``X-Hub-Signature: sha1=<hex>`` (HMAC-SHA1) comes along for older receivers. No
timestamp is signed: a delivery stays valid forever, which is why a receiver should remember
``X-GitHub-Delivery`` to refuse a replay
(https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries).

Pure functions: the only input besides the arguments is the operating system's randomness, for
new secrets and delivery GUIDs.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets as _secrets
import uuid
from urllib.parse import urlencode

from ...engine.signing import constant_time_equal

__all__ = [
    "CONTENT_TYPES",
    "HEADER_DELIVERY",
    "HEADER_EVENT",
    "HEADER_HOOK_ID",
    "HEADER_SIGNATURE",
    "HEADER_SIGNATURE_256",
    "HEADER_TARGET_ID",
    "HEADER_TARGET_TYPE",
    "form_body",
    "generate_secret",
    "new_delivery_id",
    "sign",
    "sign_sha1",
    "signed_headers",
    "verify",
]

HEADER_DELIVERY = "x-github-delivery"
HEADER_EVENT = "x-github-event"
HEADER_HOOK_ID = "x-github-hook-id"
HEADER_TARGET_ID = "x-github-hook-installation-target-id"
HEADER_TARGET_TYPE = "x-github-hook-installation-target-type"
HEADER_SIGNATURE = "x-hub-signature"
HEADER_SIGNATURE_256 = "x-hub-signature-256"
#: The content types a GitHub webhook can be set to deliver: its JSON as the body, or
#: form-encoded as the single field ``payload``.
CONTENT_TYPES = {"json": "application/json", "form": "application/x-www-form-urlencoded"}


def _key(secret: str | bytes) -> bytes:
    return secret.encode("utf-8") if isinstance(secret, str) else secret


def sign(secret: str | bytes, body: bytes) -> str:
    """``X-Hub-Signature-256`` of *body*: ``sha256=`` and the lowercase hex HMAC-SHA256."""
    return "sha256=" + hmac.new(_key(secret), body, hashlib.sha256).hexdigest()


def sign_sha1(secret: str | bytes, body: bytes) -> str:
    """The legacy ``X-Hub-Signature`` of *body*: ``sha1=`` and the lowercase hex HMAC-SHA1."""
    return "sha1=" + hmac.new(_key(secret), body, hashlib.sha1).hexdigest()


def verify(secret: str | bytes, body: bytes, signature: str | None) -> bool:
    """Whether *signature* (an ``X-Hub-Signature-256`` value, or a legacy ``X-Hub-Signature``
    one) is *body*'s under *secret*; compared in constant time."""
    if not signature:
        return False
    if signature.startswith("sha256="):
        return constant_time_equal(signature, sign(secret, body))
    if signature.startswith("sha1="):
        return constant_time_equal(signature, sign_sha1(secret, body))
    return False


def form_body(payload: bytes) -> bytes:
    """The body of a form-encoded delivery: ``payload=`` and the JSON, URL-encoded."""
    return urlencode({"payload": payload.decode("utf-8")}).encode("ascii")


def new_delivery_id() -> str:
    """A random ``X-GitHub-Delivery`` GUID."""
    return str(uuid.uuid4())


def generate_secret() -> str:
    """A random webhook secret (GitHub takes any text; 40 hex digits, as ``openssl rand -hex 20``
    gives)."""
    return _secrets.token_hex(20)


def signed_headers(
    secret: str | bytes,
    body: bytes,
    *,
    event: str,
    delivery: str | None = None,
    content_type: str = "json",
) -> dict[str, str]:
    """The headers GitHub would send with *body* for *event* (``pull_request``, without the
    action): the delivery GUID, both signatures, content type and event name. *body* is what is
    sent: for ``content_type="form"``, already :func:`form_body`."""
    return {
        HEADER_DELIVERY: delivery or new_delivery_id(),
        HEADER_SIGNATURE: sign_sha1(secret, body),
        HEADER_SIGNATURE_256: sign(secret, body),
        "content-type": CONTENT_TYPES[content_type],
        HEADER_EVENT: event,
    }
