"""Zoom's signature formulas (ZOOM.md §2, §3): the ``x-zm-signature`` of a body and the
``encryptedToken`` of URL validation. A module of their own, with nothing but the standard HMAC
helpers beneath it, so the conformance battery can forge and check signatures without importing
the simulated Zoom that runs it; :mod:`hookmock.providers.zoom` re-exports them."""

from __future__ import annotations

from ...engine.signing import constant_time_equal, hmac_sha256_hex

__all__ = ["URL_VALIDATION", "encrypted_token", "sign", "verify"]

#: The event Zoom's URL validation challenge is sent as.
URL_VALIDATION = "endpoint.url_validation"


def sign(secret_token: str, timestamp: int | str, body: bytes) -> str:
    """``x-zm-signature`` for *body*: ``v0=`` + hex HMAC-SHA256 of ``v0:{timestamp}:{body}``."""
    # The body, the long part, is copied once.
    message = ("v0:" + str(timestamp) + ":").encode("ascii") + body
    return "v0=" + hmac_sha256_hex(secret_token, message)


def verify(secret_token: str, timestamp: int | str, body: bytes, signature: str) -> bool:
    """Whether *signature* is Zoom's signature of *body* at *timestamp* (constant-time)."""
    return constant_time_equal(sign(secret_token, timestamp, body), signature)


def encrypted_token(secret_token: str, plain_token: str) -> str:
    """The ``encryptedToken`` a receiver answers to URL validation: hex HMAC-SHA256."""
    return hmac_sha256_hex(secret_token, plain_token)
