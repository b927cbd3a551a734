"""Pure HMAC helpers shared by the providers. No I/O, no provider knowledge."""

from __future__ import annotations

import hmac


def hmac_sha256_hex(key: str | bytes, message: str | bytes) -> str:
    """Return the lowercase hex HMAC-SHA256 of *message* keyed by *key* (str is UTF-8 encoded)."""
    if isinstance(key, str):
        key = key.encode("utf-8")
    if isinstance(message, str):
        message = message.encode("utf-8")
    return hmac.digest(key, message, "sha256").hex()  # one call into OpenSSL, no HMAC object


def constant_time_equal(a: str | bytes, b: str | bytes) -> bool:
    """Compare two signatures without leaking where they first differ."""
    if isinstance(a, str):
        a = a.encode("utf-8")
    if isinstance(b, str):
        b = b.encode("utf-8")
    return hmac.compare_digest(a, b)
