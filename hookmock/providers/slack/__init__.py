"""Slack's Events API: ``event_callback`` deliveries signed with ``X-Slack-Signature``
(``v0=`` HMAC-SHA256 of ``v0:{timestamp}:{body}``), the ``url_verification`` handshake, and
Slack's retries with ``X-Slack-Retry-Num`` and ``X-Slack-Retry-Reason``.

Sign a body by hand::

    from hookmock.providers import slack
    headers = slack.signed_headers(signing_secret, body)
"""

from __future__ import annotations

from .protocol import CONTENT_TYPE as CONTENT_TYPE
from .protocol import DEADLINE as DEADLINE
from .protocol import RETRY_DELAYS as RETRY_DELAYS
from .protocol import RETRY_REASONS as RETRY_REASONS
from .protocol import SECRET_ENV as SECRET_ENV
from .protocol import USER_AGENT as USER_AGENT
from .provider import Slack as Slack
from .provider import SlackAdapter as SlackAdapter
from .provider import retry_reason as retry_reason
from .signature import HEADER_SIGNATURE as HEADER_SIGNATURE
from .signature import HEADER_TIMESTAMP as HEADER_TIMESTAMP
from .signature import TOLERANCE as TOLERANCE
from .signature import base_string as base_string
from .signature import generate_secret as generate_secret
from .signature import sign as sign
from .signature import signed_headers as signed_headers
from .signature import verify as verify
from .signature import within_tolerance as within_tolerance

__all__ = [
    "CONTENT_TYPE",
    "DEADLINE",
    "HEADER_SIGNATURE",
    "HEADER_TIMESTAMP",
    "RETRY_DELAYS",
    "RETRY_REASONS",
    "SECRET_ENV",
    "TOLERANCE",
    "USER_AGENT",
    "Slack",
    "SlackAdapter",
    "base_string",
    "generate_secret",
    "retry_reason",
    "sign",
    "signed_headers",
    "verify",
    "within_tolerance",
]
