"""Stripe: snapshot events (``object: "event"``) signed with ``Stripe-Signature``, delivered
and retried as Stripe does, shaped from Stripe's own fixtures.

Sign a body by hand::

    from hookmock.providers import stripe
    headers = stripe.signed_headers("whsec_...", body)
"""

from __future__ import annotations

from .catalog import API_VERSION as API_VERSION
from .catalog import event_objects as event_objects
from .provider import DEADLINE as DEADLINE
from .provider import LIVE_RETRY_DELAYS as LIVE_RETRY_DELAYS
from .provider import SECRET_ENV as SECRET_ENV
from .provider import TEST_RETRY_DELAYS as TEST_RETRY_DELAYS
from .provider import Stripe as Stripe
from .provider import StripeAdapter as StripeAdapter
from .signature import CONTENT_TYPE as CONTENT_TYPE
from .signature import HEADER as HEADER
from .signature import TOLERANCE as TOLERANCE
from .signature import USER_AGENT as USER_AGENT
from .signature import generate_secret as generate_secret
from .signature import parse_header as parse_header
from .signature import sign as sign
from .signature import signature_header as signature_header
from .signature import signed_content as signed_content
from .signature import signed_headers as signed_headers
from .signature import verify as verify

__all__ = [
    "API_VERSION",
    "CONTENT_TYPE",
    "DEADLINE",
    "HEADER",
    "LIVE_RETRY_DELAYS",
    "SECRET_ENV",
    "TEST_RETRY_DELAYS",
    "TOLERANCE",
    "USER_AGENT",
    "Stripe",
    "StripeAdapter",
    "event_objects",
    "generate_secret",
    "parse_header",
    "sign",
    "signature_header",
    "signed_content",
    "signed_headers",
    "verify",
]
