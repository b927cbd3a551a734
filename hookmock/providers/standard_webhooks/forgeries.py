"""Requests a Standard Webhooks receiver must refuse, one small pure function each.

Each forgery takes the receiver's secret, a body, and the id and timestamp an honest delivery
would carry, and returns a :class:`SignedRequest` that differs from the honest one in exactly one
way, so that a refusal can be put down to that one difference. The honest request is
:func:`signed_request`. Bodies that are JSON objects stay JSON objects: a receiver refuses a
forgery for its signature, not for its syntax.
"""

from __future__ import annotations

from dataclasses import dataclass

from .signature import (
    HEADER_ID,
    HEADER_SIGNATURE,
    HEADER_TIMESTAMP,
    TOLERANCE,
    HmacKey,
    KeyLike,
    SigningKey,
    _parse_signing_key,
    _signing_key,
    sign,
    signed_headers,
)

__all__ = [
    "SignedRequest",
    "empty_signature",
    "last_char",
    "malformed_item",
    "other_key",
    "other_message_id",
    "shifted_timestamp",
    "signed_request",
    "stale_timestamp",
    "tampered_body",
    "unknown_version",
    "wrong_key",
]

_ID_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class SignedRequest:
    """A body and the headers to send with it."""

    body: bytes
    headers: dict[str, str]


def _bytes(body: bytes | str) -> bytes:
    return body.encode("utf-8") if isinstance(body, str) else body


def signed_request(
    secret: KeyLike, body: bytes | str, *, msg_id: str, timestamp: int
) -> SignedRequest:
    """The honest delivery the forgeries below depart from."""
    body = _bytes(body)
    return SignedRequest(body, signed_headers(secret, body, msg_id=msg_id, timestamp=timestamp))


def _replace(request: SignedRequest, **headers: str) -> SignedRequest:
    return SignedRequest(request.body, {**request.headers, **headers})


def other_key(key: SigningKey) -> SigningKey:
    """A key of the same kind and size that differs from *key* in every byte."""
    if isinstance(key, HmacKey):
        return HmacKey(bytes(b ^ 0xFF for b in key.key))
    return _signing_key(bytes(b ^ 0xFF for b in key.seed))


def wrong_key(secret: KeyLike, body: bytes | str, *, msg_id: str, timestamp: int) -> SignedRequest:
    """Signed under another key of the same kind (``v1`` or ``v1a``) as *secret*."""
    return signed_request(
        other_key(_parse_signing_key(secret)), body, msg_id=msg_id, timestamp=timestamp
    )


def _tamper(body: bytes) -> bytes:
    stripped = body.lstrip()
    if stripped.startswith(b"{"):
        # One more member, first: the body stays a JSON object and says something else.
        rest = stripped[1:]
        separator = b"" if rest.lstrip().startswith(b"}") else b","
        return b'{"hookmock_tampered":true' + separator + rest
    return body + b" "


def tampered_body(
    secret: KeyLike,
    body: bytes | str,
    *,
    msg_id: str,
    timestamp: int,
    tampered: bytes | None = None,
) -> SignedRequest:
    """The signature of *body*, sent with another body: *tampered*, or by default *body* with
    a member ``"hookmock_tampered": true`` added (a JSON object), or a space appended."""
    original = signed_request(secret, body, msg_id=msg_id, timestamp=timestamp)
    new_body = _tamper(original.body) if tampered is None else tampered
    return SignedRequest(new_body, original.headers)


_BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def last_char(secret: KeyLike, body: bytes | str, *, msg_id: str, timestamp: int) -> SignedRequest:
    """The right signature with the last base64 character of its item changed, in a bit that
    carries data (the last character before the padding also carries zero bits, which a
    lenient decoder ignores): only a receiver that compares the whole signature refuses it."""
    version, _, signature = sign(secret, msg_id, timestamp, body).partition(",")
    data = signature.rstrip("=")
    changed = _BASE64[_BASE64.index(data[-1]) ^ 0b100000]
    item = f"{version},{data[:-1]}{changed}{signature[len(data) :]}"
    original = signed_request(secret, body, msg_id=msg_id, timestamp=timestamp)
    return _replace(original, **{HEADER_SIGNATURE: item})


def stale_timestamp(
    secret: KeyLike,
    body: bytes | str,
    *,
    msg_id: str,
    timestamp: int,
    age: int = TOLERANCE + 60,
) -> SignedRequest:
    """Correctly signed, but *age* seconds before *timestamp* (the receiver's now): outside the
    5-minute tolerance by default. A negative *age* dates it in the future."""
    return signed_request(secret, body, msg_id=msg_id, timestamp=timestamp - age)


def shifted_timestamp(
    secret: KeyLike,
    body: bytes | str,
    *,
    msg_id: str,
    timestamp: int,
    shift: int = -60,
) -> SignedRequest:
    """Signed at *timestamp*, sent with ``webhook-timestamp`` moved by *shift* seconds (within
    the tolerance by default): only the signature can tell."""
    original = signed_request(secret, body, msg_id=msg_id, timestamp=timestamp)
    return _replace(original, **{HEADER_TIMESTAMP: str(timestamp + shift)})


def _altered_id(msg_id: str) -> str:
    last = msg_id[-1:]
    index = _ID_ALPHABET.find(last)
    return msg_id[:-1] + _ID_ALPHABET[(index + 1) % len(_ID_ALPHABET)]


def other_message_id(
    secret: KeyLike,
    body: bytes | str,
    *,
    msg_id: str,
    timestamp: int,
    other: str | None = None,
) -> SignedRequest:
    """Signed with *msg_id*, sent with ``webhook-id`` *other* (by default *msg_id* with its last
    character changed)."""
    original = signed_request(secret, body, msg_id=msg_id, timestamp=timestamp)
    return _replace(original, **{HEADER_ID: _altered_id(msg_id) if other is None else other})


def unknown_version(
    secret: KeyLike,
    body: bytes | str,
    *,
    msg_id: str,
    timestamp: int,
    version: str = "v2",
) -> SignedRequest:
    """The right signature under a version the spec does not define (``v2,<signature>``): a
    receiver must check the version, not only the bytes after the comma."""
    item = sign(secret, msg_id, timestamp, body)
    original = signed_request(secret, body, msg_id=msg_id, timestamp=timestamp)
    return _replace(original, **{HEADER_SIGNATURE: version + "," + item.partition(",")[2]})


def empty_signature(
    secret: KeyLike, body: bytes | str, *, msg_id: str, timestamp: int
) -> SignedRequest:
    """``webhook-signature`` present but empty."""
    original = signed_request(secret, body, msg_id=msg_id, timestamp=timestamp)
    return _replace(original, **{HEADER_SIGNATURE: ""})


def malformed_item(
    secret: KeyLike,
    body: bytes | str,
    *,
    msg_id: str,
    timestamp: int,
    item: str | None = None,
) -> SignedRequest:
    """``webhook-signature`` holding one item that is not ``version,signature``: *item*, or by
    default the right signature written with ``=`` for the comma (``v1=<signature>``, the way
    other providers write theirs)."""
    if item is None:
        version, _, signature = sign(secret, msg_id, timestamp, body).partition(",")
        item = f"{version}={signature}"
    original = signed_request(secret, body, msg_id=msg_id, timestamp=timestamp)
    return _replace(original, **{HEADER_SIGNATURE: item})
