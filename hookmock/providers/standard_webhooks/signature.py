"""Standard Webhooks signatures: keys, ``webhook-signature`` items, headers, verification.

The scheme (https://www.standardwebhooks.com, spec/standard-webhooks.md, version 1.0.0):

- the signed content is ``{webhook-id}.{webhook-timestamp}.{body}``, the body as sent, byte for
  byte;
- ``v1,<base64 HMAC-SHA256>`` under a symmetric secret ``whsec_<base64 key>``;
- ``v1a,<base64 Ed25519 signature>`` under an asymmetric key pair, ``whsk_<base64 32-byte seed>``
  for signing and ``whpk_<base64 32-byte public key>`` for verifying (the reference Go library,
  libraries/go/webhook_asymmetric.go);
- ``webhook-signature`` is a space-delimited list of such items, one per active key, so that a
  secret can be rotated without downtime; a receiver accepts the delivery when any item matches.

Pure functions: the only inputs besides the arguments are the operating system's randomness (for
new ids and secrets) and, when no timestamp is given, the clock. Ed25519 uses the ``cryptography``
package, imported only when an asymmetric key is used (``pip install 'hookmock[ed25519]'``).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets as _secrets
import string
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeAlias

from ...engine.signing import constant_time_equal
from ...errors import ConfigurationError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

__all__ = [
    "CONTENT_TYPE",
    "HEADER_ID",
    "HEADER_SIGNATURE",
    "HEADER_TIMESTAMP",
    "PRIVATE_KEY_PREFIX",
    "PUBLIC_KEY_PREFIX",
    "SECRET_PREFIX",
    "TOLERANCE",
    "Ed25519SigningKey",
    "Ed25519VerifyingKey",
    "HmacKey",
    "Key",
    "KeyLike",
    "SigningKey",
    "generate_key_pair",
    "generate_secret",
    "new_message_id",
    "parse_key",
    "parse_signature_header",
    "public_key",
    "sign",
    "signature_header",
    "signed_content",
    "signed_headers",
    "verify",
    "within_tolerance",
]

HEADER_ID = "webhook-id"
HEADER_TIMESTAMP = "webhook-timestamp"
HEADER_SIGNATURE = "webhook-signature"
CONTENT_TYPE = "application/json"
SECRET_PREFIX = "whsec_"
PRIVATE_KEY_PREFIX = "whsk_"
PUBLIC_KEY_PREFIX = "whpk_"
#: Seconds a receiver allows between ``webhook-timestamp`` and its clock, either way: the
#: reference libraries' ``WEBHOOK_TOLERANCE_IN_SECONDS`` / ``timedelta(minutes=5)``.
TOLERANCE = 300
#: Bytes of a secret from :func:`generate_secret`: the spec's minimum (192 bits), and the size
#: Svix documents as recommended (``EndpointSecretOut.key``: "Recommended size: 24").
SECRET_BYTES = 24
_ED25519_BYTES = 32
_ID_ALPHABET = string.digits + string.ascii_uppercase + string.ascii_lowercase
#: Characters after ``msg_`` in a new id: the length of the spec's example
#: ``msg_2KWPBgLlAfxdpx2AI54pPJ85f4W`` (a 27-character KSUID).
_ID_LENGTH = 27
_INSTALL_HINT = "pip install 'hookmock[ed25519]'"
_VALID_FORMS = (
    "a Standard Webhooks secret is 'whsec_' followed by base64 (a symmetric key, e.g. "
    "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw), 'whsk_' followed by the base64 of a 32-byte "
    "Ed25519 seed (signing), 'whpk_' followed by the base64 of a 32-byte Ed25519 public key "
    "(verifying only), or the base64 of a symmetric key without prefix"
)


@dataclass(frozen=True, repr=False)
class HmacKey:
    """A symmetric key: signs and verifies ``v1`` items (HMAC-SHA256)."""

    key: bytes
    version = "v1"

    def __repr__(self) -> str:
        return f"HmacKey(<{len(self.key)} bytes>)"


@dataclass(frozen=True, repr=False)
class Ed25519VerifyingKey:
    """An Ed25519 public key (``whpk_``): verifies ``v1a`` items, cannot sign."""

    public: bytes
    version = "v1a"

    def __repr__(self) -> str:
        return f"Ed25519VerifyingKey({PUBLIC_KEY_PREFIX}{_b64(self.public)})"


@dataclass(frozen=True, repr=False)
class Ed25519SigningKey:
    """An Ed25519 private key (``whsk_``): signs and verifies ``v1a`` items."""

    seed: bytes
    public: bytes
    _private: Ed25519PrivateKey = field(compare=False)
    version = "v1a"

    def __repr__(self) -> str:
        return f"Ed25519SigningKey(public={PUBLIC_KEY_PREFIX}{_b64(self.public)})"


SigningKey: TypeAlias = HmacKey | Ed25519SigningKey
Key: TypeAlias = HmacKey | Ed25519SigningKey | Ed25519VerifyingKey
#: What the functions below accept as a key: its text form or a parsed key. ``bytes`` are a raw
#: symmetric key, as ``standardwebhooks.Webhook(bytes)`` takes them.
KeyLike: TypeAlias = str | bytes | Key


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _require_cryptography() -> None:
    """Check that the optional ``cryptography`` package (the ``ed25519`` extra) is installed."""
    try:
        import cryptography  # noqa: F401
    except ImportError as exc:
        raise ConfigurationError(
            "Standard Webhooks' asymmetric signatures (v1a, whsk_ and whpk_ keys) need the "
            f"'cryptography' package, which is not installed: {_INSTALL_HINT}"
        ) from exc


def _decode(text: str, *, what: str) -> bytes:
    """Strict base64 (standard alphabet); missing padding is tolerated, as the libraries do."""
    padded = text + "=" * (-len(text) % 4)
    try:
        return base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        raise ConfigurationError(f"{what} is not valid base64; {_VALID_FORMS}") from None


def _signing_key(seed: bytes) -> Ed25519SigningKey:
    _require_cryptography()
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    private = Ed25519PrivateKey.from_private_bytes(seed)

    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return Ed25519SigningKey(seed, public, private)


def parse_key(key: KeyLike) -> Key:
    """Parse a Standard Webhooks key from its text form.

    ``whsec_<base64>`` (or base64 without prefix, or raw ``bytes``) is a symmetric key;
    ``whsk_<base64>`` an Ed25519 private key (its 32-byte seed; the 64-byte ``seed || public``
    form of libsodium and the Svix server is accepted too); ``whpk_<base64>`` an Ed25519 public key.
    An already parsed key is returned as it is.

    :raises ConfigurationError: the text is none of these; the message says what a valid secret
        looks like and never repeats the secret.
    """
    if isinstance(key, HmacKey | Ed25519SigningKey | Ed25519VerifyingKey):
        return key
    if isinstance(key, bytes):
        if not key:
            raise ConfigurationError(f"the webhook secret is empty; {_VALID_FORMS}")
        return HmacKey(key)
    if not isinstance(key, str):
        raise ConfigurationError(
            f"a webhook secret must be a str, not {type(key).__name__}; {_VALID_FORMS}"
        )
    text = key.strip()
    if text.startswith(PRIVATE_KEY_PREFIX):
        raw = _decode(text[len(PRIVATE_KEY_PREFIX) :], what="the whsk_ key")
        if len(raw) not in (_ED25519_BYTES, 2 * _ED25519_BYTES):
            raise ConfigurationError(
                f"the whsk_ key decodes to {len(raw)} bytes, not 32 (an Ed25519 seed) or 64 "
                f"(seed and public key); {_VALID_FORMS}"
            )
        signing = _signing_key(raw[:_ED25519_BYTES])
        if len(raw) == 2 * _ED25519_BYTES and raw[_ED25519_BYTES:] != signing.public:
            raise ConfigurationError(
                "the whsk_ key's last 32 bytes are not the public key of its first 32 "
                f"(its seed); {_VALID_FORMS}"
            )
        return signing
    if text.startswith(PUBLIC_KEY_PREFIX):
        raw = _decode(text[len(PUBLIC_KEY_PREFIX) :], what="the whpk_ key")
        if len(raw) != _ED25519_BYTES:
            raise ConfigurationError(
                f"the whpk_ key decodes to {len(raw)} bytes, not 32; {_VALID_FORMS}"
            )
        _require_cryptography()
        return Ed25519VerifyingKey(raw)
    body = text[len(SECRET_PREFIX) :] if text.startswith(SECRET_PREFIX) else text
    what = "the whsec_ secret" if body is not text else "the webhook secret (no whsec_ prefix)"
    if not body:
        raise ConfigurationError(f"{what} is empty; {_VALID_FORMS}")
    raw = _decode(body, what=what)
    if not raw:
        raise ConfigurationError(f"{what} decodes to no bytes; {_VALID_FORMS}")
    return HmacKey(raw)


def _parse_signing_key(key: KeyLike) -> SigningKey:
    parsed = parse_key(key)
    if isinstance(parsed, Ed25519VerifyingKey):
        raise ConfigurationError(
            "a whpk_ key is an Ed25519 public key: it verifies v1a signatures but cannot make "
            "them; sign with the matching whsk_ private key"
        )
    return parsed


def public_key(secret: KeyLike) -> str:
    """The ``whpk_`` public key of a ``whsk_`` private key (or of a ``whpk_`` key itself)."""
    parsed = parse_key(secret)
    if isinstance(parsed, HmacKey):
        raise ConfigurationError(
            "a whsec_ secret is symmetric: it has no public key (only whsk_ keys have one)"
        )
    return PUBLIC_KEY_PREFIX + _b64(parsed.public)


def signed_content(msg_id: str, timestamp: int | str, body: bytes | str) -> bytes:
    """The bytes a signature covers: ``{msg_id}.{timestamp}.{body}`` (str body as UTF-8)."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    return f"{msg_id}.{timestamp}.".encode() + body


def _signature(key: SigningKey, content: bytes) -> bytes:
    if isinstance(key, HmacKey):
        return hmac.digest(key.key, content, "sha256")
    return key._private.sign(content)


def sign(secret: KeyLike, msg_id: str, timestamp: int | str, body: bytes | str) -> str:
    """One ``webhook-signature`` item for *body*: ``v1,<base64>`` under a ``whsec_`` secret,
    ``v1a,<base64>`` under a ``whsk_`` key.

    No check is made on *msg_id* or *timestamp*, so that a test can sign anything;
    :func:`signed_headers` checks what an honest provider would send.
    """
    key = _parse_signing_key(secret)
    return f"{key.version},{_b64(_signature(key, signed_content(msg_id, timestamp, body)))}"


def _key_list(secrets: KeyLike | Iterable[KeyLike]) -> list[KeyLike]:
    if isinstance(secrets, str | bytes | HmacKey | Ed25519SigningKey | Ed25519VerifyingKey):
        return [secrets]
    keys = list(secrets)
    if not keys:
        raise ConfigurationError("no webhook secret given: pass at least one whsec_ or whsk_ key")
    return keys


def signature_header(
    secrets: KeyLike | Iterable[KeyLike], msg_id: str, timestamp: int | str, body: bytes | str
) -> str:
    """The ``webhook-signature`` value: one item per secret, space-delimited, in the given
    order (several secrets while one is being rotated out)."""
    return " ".join(sign(s, msg_id, timestamp, body) for s in _key_list(secrets))


def new_message_id() -> str:
    """A fresh ``webhook-id`` shaped like the spec's example: ``msg_`` and 27 base62 characters."""
    return "msg_" + "".join(_secrets.choice(_ID_ALPHABET) for _ in range(_ID_LENGTH))


def _check_message_id(msg_id: str) -> None:
    # The spec: message ids must not contain '.', which would make the signed content ambiguous.
    bad = [c for c in msg_id if c == "." or not c.isascii() or not c.isprintable() or c.isspace()]
    if not msg_id or bad:
        problem = "is empty" if not msg_id else f"contains {''.join(sorted(set(bad)))!r}"
        raise ConfigurationError(
            f"webhook-id {msg_id!r} {problem}: an id is printable ASCII without spaces or '.', "
            "like msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"
        )


def signed_headers(
    secret_or_secrets: KeyLike | Iterable[KeyLike],
    body: bytes | str,
    *,
    msg_id: str | None = None,
    timestamp: int | None = None,
) -> dict[str, str]:
    """The headers a Standard Webhooks sender attaches to *body*: ``content-type``,
    ``webhook-id``, ``webhook-timestamp`` and ``webhook-signature`` (one item per secret).

    :param msg_id: the message id; a new ``msg_...`` id when omitted. Retries of one message
        keep its id.
    :param timestamp: Unix seconds of the attempt; the clock's current second when omitted.
    """
    msg_id = new_message_id() if msg_id is None else msg_id
    _check_message_id(msg_id)
    if timestamp is None:
        timestamp = int(time.time())
    if isinstance(timestamp, bool) or not isinstance(timestamp, int) or timestamp < 0:
        raise ConfigurationError(
            f"webhook-timestamp must be whole Unix seconds (an int >= 0), not {timestamp!r}"
        )
    return {
        "content-type": CONTENT_TYPE,
        HEADER_ID: msg_id,
        HEADER_TIMESTAMP: str(timestamp),
        HEADER_SIGNATURE: signature_header(secret_or_secrets, msg_id, timestamp, body),
    }


def parse_signature_header(header: str) -> list[tuple[str, str]]:
    """The ``(version, signature)`` items of a ``webhook-signature`` value, in order.

    Items are separated by spaces; an item without a comma is skipped, as the reference Go
    library does (the Python one raises on it).
    """
    items = []
    for item in header.split():
        version, comma, signature = item.partition(",")
        if comma:
            items.append((version, signature))
    return items


def _matches(key: Key, content: bytes, version: str, signature: str) -> bool:
    if version != key.version:
        return False
    if isinstance(key, HmacKey):
        expected = _b64(hmac.digest(key.key, content, "sha256"))
        return constant_time_equal(expected, signature)
    try:
        raw = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        return False
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    public = (
        key._private.public_key()
        if isinstance(key, Ed25519SigningKey)
        else Ed25519PublicKey.from_public_bytes(key.public)
    )
    try:
        public.verify(raw, content)
    except InvalidSignature:
        return False
    return True


def verify(
    secret: KeyLike, msg_id: str, timestamp: int | str, body: bytes | str, header: str
) -> bool:
    """Whether any item of the ``webhook-signature`` value *header* is *secret*'s signature of
    *body* with this id and timestamp (``v1`` items compared in constant time).

    The timestamp is not compared with a clock: :func:`within_tolerance` does that.
    """
    key = parse_key(secret)
    content = signed_content(msg_id, timestamp, body)
    # Every item is checked, so the time taken does not tell which one matched.
    results = [_matches(key, content, v, s) for v, s in parse_signature_header(header)]
    return any(results)


def within_tolerance(timestamp: int | str, *, now: float, tolerance: int = TOLERANCE) -> bool:
    """Whether a ``webhook-timestamp`` is within *tolerance* seconds of *now*, either way, as
    the reference libraries require (an unparsable value is not)."""
    try:
        value = int(timestamp)
    except ValueError:
        return False
    return abs(now - value) <= tolerance


def generate_secret() -> str:
    """A new random symmetric secret: ``whsec_`` and the base64 of 24 random bytes."""
    return SECRET_PREFIX + _b64(_secrets.token_bytes(SECRET_BYTES))


def generate_key_pair() -> tuple[str, str]:
    """A new Ed25519 key pair: (``whsk_`` private seed, ``whpk_`` public key)."""
    key = _signing_key(_secrets.token_bytes(_ED25519_BYTES))
    return PRIVATE_KEY_PREFIX + _b64(key.seed), PUBLIC_KEY_PREFIX + _b64(key.public)
