"""Slack's request signatures: ``X-Slack-Signature`` and ``X-Slack-Request-Timestamp``.

The scheme ("Verifying requests from Slack", https://api.slack.com/authentication/verifying-requests-from-slack):

- the signed content is the *base string* ``v0:{timestamp}:{body}``, the body as sent, byte for
  byte (JSON for events, ``application/x-www-form-urlencoded`` for slash commands and
  interactivity);
- the signature is ``v0=`` and the lowercase hex HMAC-SHA256 of the base string, keyed by the
  app's signing secret (32 lowercase hex characters in the app's settings);
- a receiver refuses a timestamp more than five minutes from its clock (Slack's SDKs:
  ``slack_sdk.signature.SignatureVerifier``, Bolt's ``RequestVerification``), so that a captured
  request cannot be replayed later.

Pure functions: the only inputs besides the arguments are the operating system's randomness
(:func:`generate_secret`) and, when no timestamp is given, the clock.
"""

from __future__ import annotations

import hmac
import secrets as _secrets
import time

from ...errors import ConfigurationError

__all__ = [
    "HEADER_SIGNATURE",
    "HEADER_TIMESTAMP",
    "TOLERANCE",
    "VERSION",
    "base_string",
    "generate_secret",
    "sign",
    "signed_headers",
    "verify",
    "within_tolerance",
]

HEADER_SIGNATURE = "x-slack-signature"
HEADER_TIMESTAMP = "x-slack-request-timestamp"
#: The only signature version Slack has published.
VERSION = "v0"
#: Seconds between the timestamp and the receiver's clock that Slack's SDKs tolerate, either way.
TOLERANCE = 300


def _bytes(body: bytes | str) -> bytes:
    return body.encode("utf-8") if isinstance(body, str) else body


def base_string(timestamp: int | str, body: bytes | str) -> bytes:
    """The bytes a signature covers: ``v0:{timestamp}:{body}`` (a str body as UTF-8)."""
    return f"{VERSION}:{timestamp}:".encode() + _bytes(body)


def _secret_bytes(secret: str | bytes) -> bytes:
    if isinstance(secret, str):
        secret = secret.encode("utf-8")
    if not isinstance(secret, bytes) or not secret:
        raise ConfigurationError(
            "a Slack signing secret is a non-empty string (32 hex characters under Basic "
            "Information > App Credentials in the app's settings)"
        )
    return secret


def sign(secret: str | bytes, timestamp: int | str, body: bytes | str) -> str:
    """The ``X-Slack-Signature`` of *body* sent at *timestamp*: ``v0=<lowercase hex>``.

    No check is made on *timestamp*, so that a test can sign a stale or malformed one.
    """
    digest = hmac.new(_secret_bytes(secret), base_string(timestamp, body), "sha256").hexdigest()
    return f"{VERSION}={digest}"


def verify(secret: str | bytes, timestamp: int | str, body: bytes | str, signature: str) -> bool:
    """Whether *signature* is *secret*'s signature of *body* at *timestamp* (compared in
    constant time). The timestamp is not compared with a clock: :func:`within_tolerance` does."""
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def within_tolerance(timestamp: int | str, *, now: float, tolerance: int = TOLERANCE) -> bool:
    """Whether a request timestamp is within *tolerance* seconds of *now*, either way, as
    Slack's SDKs require (an unparsable value is not)."""
    try:
        value = int(timestamp)
    except ValueError:
        return False
    return abs(now - value) <= tolerance


def signed_headers(
    secret: str | bytes,
    body: bytes | str,
    *,
    timestamp: int | None = None,
    content_type: str = "application/json",
) -> dict[str, str]:
    """The headers Slack attaches to *body*: ``content-type``, ``x-slack-request-timestamp`` and
    ``x-slack-signature``.

    :param timestamp: Unix seconds of the request; the clock's current second when omitted.
    :param content_type: ``application/json`` for the Events API,
        ``application/x-www-form-urlencoded`` for slash commands and interactivity.
    """
    if timestamp is None:
        timestamp = int(time.time())
    if isinstance(timestamp, bool) or not isinstance(timestamp, int) or timestamp < 0:
        raise ConfigurationError(
            f"X-Slack-Request-Timestamp must be whole Unix seconds (an int >= 0), not {timestamp!r}"
        )
    return {
        "content-type": content_type,
        HEADER_TIMESTAMP: str(timestamp),
        HEADER_SIGNATURE: sign(secret, timestamp, body),
    }


def generate_secret() -> str:
    """A random signing secret shaped like Slack's: 32 lowercase hex characters."""
    return _secrets.token_hex(16)
