"""Pure HMAC helpers shared by the providers. No I/O, no provider knowledge."""

from __future__ import annotations

from typing import Any

#: An HMAC-SHA256 keyed with each key signed with lately, its message still empty: copying one
#: skips hashing the key into its inner and outer pads, as every signature would otherwise.
_KEYED: dict[bytes, Any] = {}


def hmac_sha256_hex(key: str | bytes, message: str | bytes) -> str:
    """Return the lowercase hex HMAC-SHA256 of *message* keyed by *key* (str is UTF-8 encoded)."""
    if isinstance(key, str):
        key = key.encode("utf-8")
    if isinstance(message, str):
        message = message.encode("utf-8")
    keyed = _KEYED.get(key)
    if keyed is None:
        # Imported with the first key: making a provider (``hookmock fake``) signs nothing, and
        # hashlib loads OpenSSL.
        import hashlib
        import hmac

        if len(_KEYED) >= 64:
            _KEYED.clear()
        wrapper = hmac.new(key, digestmod=hashlib.sha256)
        # With OpenSSL, the HMAC object wraps one of OpenSSL's, which copies, updates and
        # writes its digest alike, without the Python wrapper's extra steps (a new wrapper for
        # each copy); the wrapper itself serves where there is none.
        openssl = getattr(wrapper, "_hmac", None)
        keyed = _KEYED[key] = wrapper if openssl is None else openssl
    signer = keyed.copy()
    signer.update(message)
    return signer.hexdigest()


def constant_time_equal(a: str | bytes, b: str | bytes) -> bool:
    """Compare two signatures without leaking where they first differ."""
    if isinstance(a, str):
        a = a.encode("utf-8")
    if isinstance(b, str):
        b = b.encode("utf-8")
    import hmac

    return hmac.compare_digest(a, b)
