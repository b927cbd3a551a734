"""The adapter of a sender that follows Standard Webhooks: any provider that publishes its
events as an OpenAPI document's ``webhooks`` and signs and retries as the specification says
(Svix and the products that send through it).

What it simulates (https://www.standardwebhooks.com, and Svix's documentation of its sender):

- each attempt is a POST of the event's JSON with ``webhook-id`` (the message id, the same for
  every attempt of one message), ``webhook-timestamp`` (Unix seconds of the attempt) and
  ``webhook-signature``: one ``v1,<base64 HMAC-SHA256>`` item per ``whsec_`` secret, or
  ``v1a,<base64 Ed25519>`` per ``whsk_`` key, of ``{id}.{timestamp}.{body}``; several secrets
  give several items, as during a rotation. Svix's own header names (``svix-id``...) with
  ``header_prefix="svix"``;
- no subscription handshake: an endpoint is subscribed as it is given;
- an attempt succeeds on a 2xx within 15 s; anything else (3xx, 4xx, 5xx, a timeout, a refused
  connection) is retried after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h, then dropped.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ...engine.adapter import Adapter
from ...engine.subscription import Subscription
from ...errors import ConfigurationError
from ...generate import catalog
from ...generate.events import Event
from ...records.exchange import Request, host_header
from ...records.outcome import Outcome
from ..openapi import is_url, read_openapi
from .signature import (
    CONTENT_TYPE,
    Ed25519SigningKey,
    Ed25519VerifyingKey,
    HmacKey,
    KeyLike,
    SigningKey,
    generate_secret,
    parse_key,
    signature_header,
    signed_headers,
)

if TYPE_CHECKING:
    from ...conformance.base import Suite
    from ...engine.delivery import Delivery

__all__ = [
    "DEADLINE",
    "EXAMPLE_DOCUMENT",
    "RETRY_DELAYS",
    "SECRET_ENV",
    "StandardWebhooksAdapter",
]

#: Seconds a Standard Webhooks sender (Svix) waits for an answer.
DEADLINE = 15.0
#: The delays after each failed attempt: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
RETRY_DELAYS = (5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 36000.0)
#: The environment variable the secret is read from when none is given.
SECRET_ENV = "STANDARD_WEBHOOKS_SECRET"
#: The OpenAPI document of the events sent when no document is given.
EXAMPLE_DOCUMENT = Path(__file__).with_name("example.json")
#: The catalog name of :data:`EXAMPLE_DOCUMENT`'s events.
EXAMPLE_NAME = "standard-webhooks"
USER_AGENT = "hookmock-standard-webhooks/1.0"
HEADER_PREFIXES = ("webhook", "svix")

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _key_text(key: KeyLike) -> str | None:
    return key if isinstance(key, str) else None


class StandardWebhooksAdapter(Adapter):
    """What a Standard Webhooks sender does (see the module): the options are
    :class:`~hookmock.StandardWebhooks`'s ``secret``, ``openapi``, ``name``, ``header_prefix``
    and ``user_agent``."""

    name = EXAMPLE_NAME
    default_deadline = DEADLINE
    secret_option = "secret"
    secret_env = SECRET_ENV
    retry_delays = RETRY_DELAYS
    field_levels = ("data", "")

    def __init__(
        self,
        *,
        secret: KeyLike | Sequence[KeyLike] | None = None,
        openapi: str | os.PathLike[str] | Mapping[str, Any] | None = None,
        name: str | None = None,
        header_prefix: str = "webhook",
        user_agent: str = USER_AGENT,
    ) -> None:
        # The arguments may hold secrets: pytest does not show this frame's locals.
        __tracebackhide__ = True
        if header_prefix not in HEADER_PREFIXES:
            raise ConfigurationError(
                f"header_prefix must be 'webhook' (webhook-id, webhook-timestamp, "
                f"webhook-signature) or 'svix' (svix-id...), got {header_prefix!r}"
            )
        if secret is None:
            secret = os.environ.get(SECRET_ENV) or generate_secret()
        keys: list[KeyLike] = (
            [secret]
            if isinstance(secret, str | bytes | HmacKey | Ed25519SigningKey | Ed25519VerifyingKey)
            else list(secret)
        )
        if not keys:
            raise ConfigurationError(
                "secret must be a signing secret (whsec_...) or a list of them, got an empty list"
            )
        parsed = [parse_key(key) for key in keys]
        signing = tuple(key for key in parsed if isinstance(key, HmacKey | Ed25519SigningKey))
        if len(signing) != len(parsed):
            raise ConfigurationError(
                "a whpk_ key is an Ed25519 public key: it verifies v1a signatures but cannot "
                "make them; give the sender the matching whsk_ private key"
            )
        self.keys: tuple[SigningKey, ...] = signing
        self._secret_texts = tuple(k for k in (_key_text(key) for key in keys) if k is not None)
        self.header_prefix = header_prefix
        self.header_id = f"{header_prefix}-id"
        self.header_timestamp = f"{header_prefix}-timestamp"
        self.header_signature = f"{header_prefix}-signature"
        self.signature_headers = (self.header_timestamp, self.header_signature)
        self.timestamp_header = self.header_timestamp
        self.user_agent = user_agent
        self.name, self.catalog = _register(openapi, name)

    @classmethod
    def signer(cls, secrets: Sequence[str]) -> Callable[[bytes, int | None], dict[str, str]]:
        keys = [parse_key(secret) for secret in secrets]
        if any(isinstance(key, Ed25519VerifyingKey) for key in keys):
            raise ConfigurationError(
                "a whpk_ key is an Ed25519 public key: it verifies v1a signatures but cannot "
                "make them; give the matching whsk_ private key"
            )

        def sign_body(body: bytes, timestamp: int | None) -> dict[str, str]:
            return signed_headers(keys, body, timestamp=timestamp)

        return sign_body

    def conformance_suite(self) -> Suite:
        """The receiver conformance battery (:mod:`hookmock.providers.standard_webhooks.battery`);
        its default events are the first of this sender's catalog, by name."""
        from .battery import suite_for

        return suite_for(self.sim.event_names())

    # -- what the provider is -------------------------------------------------------------------

    @property
    def secret(self) -> str:
        """The first secret deliveries are signed with, as it was given."""
        if not self._secret_texts:
            raise ConfigurationError("this sender's secret was given as bytes or a parsed key")
        return self._secret_texts[0]

    def secrets(self) -> tuple[str, ...]:
        found: list[str] = []
        for text in self._secret_texts:
            found.append(text)
            # A receiver may echo the secret without its prefix; both are masked.
            _, sep, rest = text.partition("_")
            if sep and text.startswith(("whsec_", "whsk_")) and rest:
                found.append(rest)
        return tuple(found)

    def retryable(self, outcome: Outcome) -> bool:
        # Svix: only a 2xx in time is a success; every other answer, and no answer, is retried.
        return outcome is not Outcome.ACKNOWLEDGED

    def validate_endpoint(self, subscription: Subscription) -> Delivery | None:
        """Standard Webhooks has no subscription handshake: nothing is sent."""
        return None

    def message_id(self, event: Event) -> str:
        """The ``webhook-id`` of *event*: ``msg_`` and 27 base62 characters, derived from the
        simulator's seed and the event's bytes. Every attempt of one event carries it, retries
        and duplicates alike, so that a receiver can tell them apart from new messages."""
        digest = hashlib.sha256(f"{self.sim.seed}:{event.name}:".encode() + event.body).digest()
        number = int.from_bytes(digest, "big")
        chars = []
        for _ in range(27):
            number, digit = divmod(number, 62)
            chars.append(_BASE62[digit])
        return "msg_" + "".join(chars)

    def build_request(
        self,
        event: Event,
        subscription: Subscription,
        *,
        sent_at: float,
        timestamp: int | str | None = None,
    ) -> Request:
        ts = self.sim.signing_timestamp(sent_at, timestamp)
        body = event.body
        msg_id = self.message_id(event)
        headers = (
            ("host", host_header(subscription.url)),
            ("user-agent", self.user_agent),
            ("content-length", str(len(body))),
            ("content-type", CONTENT_TYPE),
            (self.header_id, msg_id),
            (self.header_timestamp, ts),
            (self.header_signature, signature_header(self.keys, msg_id, ts, body)),
        )
        return Request("POST", subscription.url, headers, body)


#: Documents read, by (path, modification time, name): a sender made anew for each test reads
#: its document once.
_READ: dict[tuple[str, int, str], catalog.Catalog] = {}


def _register(
    source: str | os.PathLike[str] | Mapping[str, Any] | None, name: str | None
) -> tuple[str, catalog.Catalog]:
    """Read *source*'s events and register them under *name*; the name they are known by, and
    the catalog."""
    if source is None or (
        not isinstance(source, Mapping) and os.fspath(source) == os.fspath(EXAMPLE_DOCUMENT)
    ):
        # The example document by its path (as provider_fixture() passes it) is the example.
        source, name = EXAMPLE_DOCUMENT, name or EXAMPLE_NAME
    if name is None:
        if isinstance(source, Mapping):
            title = str((source.get("info") or {}).get("title") or "openapi")
            name = "-".join("".join(c if c.isalnum() else " " for c in title).lower().split())
        elif is_url(source):
            name = PurePosixPath(urlsplit(str(source)).path).stem
        else:
            name = Path(source).stem
    name = name or "openapi"
    if isinstance(source, Mapping):
        parsed = read_openapi(source)
        catalog.register(name, parsed)
        return name, parsed
    if is_url(source):
        # A document given by URL is fetched once per process (a fixture makes a sender per test).
        url_key = (str(source), 0, name)
        fetched = _READ.get(url_key)
        if fetched is None:
            fetched = _READ[url_key] = read_openapi(source)
        if catalog.registered(name) is not fetched:
            catalog.register(name, fetched)
        return name, fetched
    path = Path(source)
    try:
        key = (str(path.resolve()), path.stat().st_mtime_ns, name)
    except OSError:
        key = None
    read = _READ.get(key) if key is not None else None
    if read is None:
        read = read_openapi(path)
        if key is not None:
            _READ[key] = read
    if catalog.registered(name) is not read:
        catalog.register(name, read)
    return name, read
