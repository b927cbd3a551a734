"""The verdict on a received delivery's signature, with the real secret, for any provider.

A provider says which headers carry its signature and timestamp (``signature_headers``,
``timestamp_header``) and signs a body with :meth:`~hookmock.Provider.signer`. A delivery is
verified by signing its body again with the timestamp it carries and comparing the signature
headers, in constant time. A provider whose signature covers more than the body and a timestamp
header (Standard Webhooks signs the message id; Stripe's timestamp is inside its signature
header) cannot be checked this way: :func:`verifier` finds that out by signing and checking a
sample of its own, and says :data:`~hookmock.records.traffic.UNVERIFIED` for each delivery.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Sequence
from typing import Any

from ..records.traffic import INVALID, STALE, UNSIGNED, UNVERIFIED, VALID

__all__ = ["DEFAULT_TOLERANCE", "Verifier", "verifier"]

#: Seconds a signing timestamp may be away from the time of arrival. Zoom documents no window
#: (ZOOM.md §2); five minutes is the norm of Slack, Stripe and Standard Webhooks.
DEFAULT_TOLERANCE = 300.0

# A sample signed and checked to learn whether a provider's signature can be checked here.
_SAMPLE_BODY = b'{"event":"hookmock.sample","payload":{}}'
_SAMPLE_TIME = 1_720_705_455


def _header(headers: Sequence[tuple[str, str]], name: str) -> str | None:
    lower = name.lower()
    return next((value for key, value in headers if key.lower() == lower), None)


class Verifier:
    """``verifier(headers, body, now)``: the verdict on one delivery. :attr:`checks` says
    whether signatures are checked at all (``False``: every verdict is ``unverified``)."""

    def __init__(
        self, check: Callable[[Sequence[tuple[str, str]], bytes, float], str] | None
    ) -> None:
        self._check = check
        self.checks = check is not None

    def __call__(self, headers: Sequence[tuple[str, str]], body: bytes, now: float) -> str:
        return UNVERIFIED if self._check is None else self._check(headers, body, now)


def verifier(
    provider: Any, secrets: Sequence[str], *, tolerance: float = DEFAULT_TOLERANCE
) -> Verifier:
    """A :class:`Verifier`, ``verify(headers, body, now)``, that gives the verdict on one delivery:
    ``valid``, ``invalid signature``, ``stale timestamp`` (valid, but its timestamp is more
    than *tolerance* seconds away from *now*), ``unsigned`` (no signature header), or
    ``unverified`` (no secret given, or a provider whose signatures cannot be checked so).

    :param provider: a provider class or instance (its signature headers and signer).
    :raises ConfigurationError: for a secret the provider cannot sign with.
    """
    timestamp_header: str | None = getattr(provider, "timestamp_header", None)
    names = [
        name
        for name in getattr(provider, "signature_headers", ())
        if timestamp_header is None or name.lower() != timestamp_header.lower()
    ]
    if not secrets or not names:
        return Verifier(None)
    sign = provider.signer(list(secrets))

    def verify(headers: Sequence[tuple[str, str]], body: bytes, now: float) -> str:
        given = {name: _header(headers, name) for name in names}
        if all(value is None for value in given.values()):
            return UNSIGNED
        timestamp: int | None = None
        if timestamp_header is not None:
            text = _header(headers, timestamp_header)
            if text is None or not (text.isascii() and text.isdigit()) or len(text) > 12:
                return INVALID
            timestamp = int(text)
        expected = {key.lower(): value for key, value in sign(body, timestamp).items()}
        for name, value in given.items():
            wanted = expected.get(name.lower())
            if value is None:
                continue
            if wanted is None or not hmac.compare_digest(wanted.encode(), value.encode()):
                return INVALID
        if timestamp is not None and abs(now - timestamp) > tolerance:
            return STALE
        return VALID

    # Whether signing again reproduces a signature: a provider that signs more than the body
    # and the timestamp header (a random message id) never does.
    sample = list(sign(_SAMPLE_BODY, _SAMPLE_TIME).items())
    if verify(sample, _SAMPLE_BODY, _SAMPLE_TIME) != VALID:
        return Verifier(None)
    return Verifier(verify)
