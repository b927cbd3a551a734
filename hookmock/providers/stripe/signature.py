"""Stripe's webhook signatures: the ``Stripe-Signature`` header, signing and verifying.

The scheme (https://docs.stripe.com/webhooks#verify-manually, and stripe-python's
``stripe.WebhookSignature``):

- the signed content is ``{t}.{body}``: the header's timestamp, a dot, and the body as sent,
  byte for byte;
- the signature is the lowercase hex HMAC-SHA256 of that content, keyed by the endpoint's
  signing secret *as a string*: the whole ``whsec_...`` text, prefix included, encoded as UTF-8
  (stripe-python: ``hmac.new(secret.encode("utf-8"), ...)``); it is not base64-decoded, unlike
  a Standard Webhooks secret;
- ``Stripe-Signature: t=<unix seconds>,v1=<hex>``, with one ``v1`` item per active secret
  while a secret is being rolled (the old one stays valid for a while);
- receivers must ignore every scheme but ``v1`` (a ``v0`` item is a legacy test-mode
  signature), and by default refuse a timestamp more than 300 s old.

Pure functions: no clock is read unless no timestamp is given.
"""

from __future__ import annotations

import secrets as _secrets
import time
from collections.abc import Iterable

from ...engine.signing import constant_time_equal, hmac_sha256_hex
from ...errors import ConfigurationError

__all__ = [
    "CONTENT_TYPE",
    "HEADER",
    "SCHEME",
    "TOLERANCE",
    "USER_AGENT",
    "generate_secret",
    "parse_header",
    "sign",
    "signature_header",
    "signed_content",
    "signed_headers",
    "verify",
]

HEADER = "stripe-signature"
SCHEME = "v1"
#: The header values of Stripe's deliveries (https://docs.stripe.com/webhooks, the example
#: request and the IP/user-agent notes).
USER_AGENT = "Stripe/1.0 (+https://stripe.com/docs/webhooks)"
CONTENT_TYPE = "application/json; charset=utf-8"
#: stripe-python's ``Webhook.DEFAULT_TOLERANCE``: seconds a timestamp may be old.
TOLERANCE = 300
SECRET_PREFIX = "whsec_"
#: Characters after ``whsec_`` in a secret Stripe makes (32 base62 characters).
_SECRET_LENGTH = 32
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _secret_list(secrets: str | Iterable[str]) -> list[str]:
    found = [secrets] if isinstance(secrets, str) else list(secrets)
    if not found:
        raise ConfigurationError("no signing secret given: pass at least one whsec_ secret")
    for secret in found:
        if not isinstance(secret, str) or not secret.strip():
            raise ConfigurationError(
                "a Stripe signing secret is a non-empty string (whsec_ and 32 characters, "
                "shown on the webhook endpoint's page in Stripe's Dashboard)"
            )
    return found


def signed_content(timestamp: int | str, body: bytes | str) -> bytes:
    """The bytes a signature covers: ``{timestamp}.{body}`` (a str body as UTF-8)."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    return f"{timestamp}.".encode() + body


def sign(secret: str, timestamp: int | str, body: bytes | str) -> str:
    """The ``v1`` signature of *body* at *timestamp*: lowercase hex HMAC-SHA256 keyed by the
    secret's UTF-8 text."""
    (secret,) = _secret_list(secret)
    return hmac_sha256_hex(secret, signed_content(timestamp, body))


def signature_header(secrets: str | Iterable[str], timestamp: int | str, body: bytes | str) -> str:
    """The ``Stripe-Signature`` value: ``t=<timestamp>`` and one ``v1=`` item per secret, in
    the given order (several while a secret is being rolled)."""
    items = [f"t={timestamp}"]
    items += [f"{SCHEME}={sign(s, timestamp, body)}" for s in _secret_list(secrets)]
    return ",".join(items)


def signed_headers(
    secret_or_secrets: str | Iterable[str], body: bytes | str, *, timestamp: int | None = None
) -> dict[str, str]:
    """The headers Stripe would send with *body*: ``user-agent``, ``content-type`` and
    ``stripe-signature``; *timestamp* (Unix seconds) defaults to the clock's current second."""
    if timestamp is None:
        timestamp = int(time.time())
    if isinstance(timestamp, bool) or not isinstance(timestamp, int) or timestamp < 0:
        raise ConfigurationError(
            f"the Stripe-Signature timestamp must be whole Unix seconds (an int >= 0), "
            f"not {timestamp!r}"
        )
    return {
        "user-agent": USER_AGENT,
        "content-type": CONTENT_TYPE,
        HEADER: signature_header(secret_or_secrets, timestamp, body),
    }


def parse_header(header: str) -> tuple[str | None, list[tuple[str, str]]]:
    """The timestamp (``None`` without a ``t`` item) and the ``(scheme, signature)`` items of a
    ``Stripe-Signature`` value, in order."""
    timestamp: str | None = None
    items: list[tuple[str, str]] = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            continue
        if key == "t" and timestamp is None:
            timestamp = value
        elif key != "t":
            items.append((key, value))
    return timestamp, items


def verify(
    secret: str,
    body: bytes | str,
    header: str,
    *,
    now: float | None = None,
    tolerance: int | None = TOLERANCE,
) -> bool:
    """Whether *header* carries a ``v1`` signature of *body* under *secret* (compared in
    constant time) with a timestamp no more than *tolerance* seconds before *now* (the clock's
    time by default; ``tolerance=None`` skips the check), as stripe-python verifies."""
    timestamp, items = parse_header(header)
    if timestamp is None or not timestamp.isascii() or not timestamp.isdigit():
        return False
    expected = sign(secret, timestamp, body)
    # Every item is compared, so the time taken does not tell which one matched.
    matches = [constant_time_equal(expected, sig) for scheme, sig in items if scheme == SCHEME]
    if not any(matches):
        return False
    if tolerance is None:
        return True
    current = time.time() if now is None else now
    return int(timestamp) >= current - tolerance


def generate_secret() -> str:
    """A new random signing secret shaped like Stripe's: ``whsec_`` and 32 base62 characters."""
    return SECRET_PREFIX + "".join(_secrets.choice(_ALPHABET) for _ in range(_SECRET_LENGTH))
