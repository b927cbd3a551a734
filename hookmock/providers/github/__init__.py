"""GitHub webhooks: ``X-GitHub-Event``, ``X-GitHub-Delivery``, ``X-Hub-Signature-256``
(HMAC-SHA256) and the legacy ``X-Hub-Signature`` (HMAC-SHA1), the ``ping`` of a new webhook, and
every event and action of ``@octokit/webhooks-schemas``.

Sign a body by hand::

    from hookmock.providers import github
    headers = github.signed_headers(secret, body, event="push")
"""

from __future__ import annotations

from .provider import DEADLINE as DEADLINE
from .provider import SECRET_ENV as SECRET_ENV
from .provider import GitHub as GitHub
from .provider import GitHubAdapter as GitHubAdapter
from .provider import Hook as Hook
from .signature import CONTENT_TYPES as CONTENT_TYPES
from .signature import HEADER_DELIVERY as HEADER_DELIVERY
from .signature import HEADER_EVENT as HEADER_EVENT
from .signature import HEADER_HOOK_ID as HEADER_HOOK_ID
from .signature import HEADER_SIGNATURE as HEADER_SIGNATURE
from .signature import HEADER_SIGNATURE_256 as HEADER_SIGNATURE_256
from .signature import HEADER_TARGET_ID as HEADER_TARGET_ID
from .signature import HEADER_TARGET_TYPE as HEADER_TARGET_TYPE
from .signature import form_body as form_body
from .signature import generate_secret as generate_secret
from .signature import new_delivery_id as new_delivery_id
from .signature import sign as sign
from .signature import sign_sha1 as sign_sha1
from .signature import signed_headers as signed_headers
from .signature import verify as verify

__all__ = [
    "CONTENT_TYPES",
    "DEADLINE",
    "HEADER_DELIVERY",
    "HEADER_EVENT",
    "HEADER_HOOK_ID",
    "HEADER_SIGNATURE",
    "HEADER_SIGNATURE_256",
    "HEADER_TARGET_ID",
    "HEADER_TARGET_TYPE",
    "SECRET_ENV",
    "GitHub",
    "GitHubAdapter",
    "Hook",
    "form_body",
    "generate_secret",
    "new_delivery_id",
    "sign",
    "sign_sha1",
    "signed_headers",
    "verify",
]
