"""Standard Webhooks (https://www.standardwebhooks.com), the open specification behind Svix:
``webhook-id``, ``webhook-timestamp`` and ``webhook-signature`` headers, ``v1`` (HMAC-SHA256,
``whsec_`` secrets) and ``v1a`` (Ed25519, ``whsk_``/``whpk_`` keys) signatures.

Sign a body by hand::

    from hookmock.providers import standard_webhooks as sw
    headers = sw.signed_headers("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", body)
"""

from __future__ import annotations

from . import forgeries as forgeries
from .adapter import StandardWebhooksAdapter as StandardWebhooksAdapter
from .provider import DEADLINE as DEADLINE
from .provider import RETRY_DELAYS as RETRY_DELAYS
from .provider import SECRET_ENV as SECRET_ENV
from .provider import StandardWebhooks as StandardWebhooks
from .signature import HEADER_ID as HEADER_ID
from .signature import HEADER_SIGNATURE as HEADER_SIGNATURE
from .signature import HEADER_TIMESTAMP as HEADER_TIMESTAMP
from .signature import TOLERANCE as TOLERANCE
from .signature import Ed25519SigningKey as Ed25519SigningKey
from .signature import Ed25519VerifyingKey as Ed25519VerifyingKey
from .signature import HmacKey as HmacKey
from .signature import KeyLike as KeyLike
from .signature import generate_key_pair as generate_key_pair
from .signature import generate_secret as generate_secret
from .signature import new_message_id as new_message_id
from .signature import parse_key as parse_key
from .signature import parse_signature_header as parse_signature_header
from .signature import public_key as public_key
from .signature import sign as sign
from .signature import signature_header as signature_header
from .signature import signed_content as signed_content
from .signature import signed_headers as signed_headers
from .signature import verify as verify
from .signature import within_tolerance as within_tolerance

__all__ = [
    "DEADLINE",
    "HEADER_ID",
    "HEADER_SIGNATURE",
    "HEADER_TIMESTAMP",
    "RETRY_DELAYS",
    "SECRET_ENV",
    "TOLERANCE",
    "Ed25519SigningKey",
    "Ed25519VerifyingKey",
    "HmacKey",
    "KeyLike",
    "StandardWebhooks",
    "StandardWebhooksAdapter",
    "forgeries",
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
