"""Authentication options a subscription can add to every delivery (ZOOM.md §5).

The signature headers are sent in any case; these add an ``authorization`` (or custom) header:

- :class:`BasicAuth`: ``authorization: Basic base64(user:password)``;
- :class:`HeaderAuth`: a fixed header sent verbatim;
- :class:`OAuthClientCredentials`: before delivering, the provider obtains a token from the
  receiver's token URL with the client-credentials grant, caches it until it expires (in provider
  time) and sends ``authorization: Bearer <token>``. A receiver that refuses or fails the exchange
  makes the delivery fail with the outcome ``authentication error``, which is retried.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import AuthenticationError, ConfigurationError
from ..records.exchange import Request, host_header
from ..records.masking import MASK, mask_url

if TYPE_CHECKING:
    from .simulator import Provider, Subscription

__all__ = ["BasicAuth", "HeaderAuth", "OAuthClientCredentials"]


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


@dataclass(frozen=True)
class BasicAuth:
    """``authorization: Basic base64(username:password)`` on every delivery."""

    username: str
    password: str = field(repr=False)

    def __repr__(self) -> str:
        return f"BasicAuth(username={self.username!r}, password={MASK!r})"

    def headers(self, provider: Provider, subscription: Subscription, now: float) -> dict[str, str]:
        return {"authorization": _basic(self.username, self.password)}

    def secrets(self) -> tuple[str, ...]:
        return (self.password, _basic(self.username, self.password).split(" ", 1)[1])


@dataclass(frozen=True)
class HeaderAuth:
    """A custom header (``x-my-token: value``) sent verbatim with every delivery."""

    name: str
    value: str = field(repr=False)

    def __repr__(self) -> str:
        return f"HeaderAuth(name={self.name!r}, value={MASK!r})"

    def __post_init__(self) -> None:
        if not self.name or any(c in self.name for c in " :\r\n"):
            raise ConfigurationError(f"{self.name!r} is not a valid header name")

    def headers(self, provider: Provider, subscription: Subscription, now: float) -> dict[str, str]:
        return {self.name: self.value}

    def secrets(self) -> tuple[str, ...]:
        return (self.value,)


@dataclass
class OAuthClientCredentials:
    """Zoom's "token" option: a client-credentials exchange with the receiver's token URL.

    :param token_url: an absolute URL, or a path on the subscribed in-process application.
    """

    token_url: str
    client_id: str
    client_secret: str = field(repr=False)
    _token: str | None = field(default=None, init=False, repr=False)
    _expires_at: float = field(default=0.0, init=False, repr=False)
    #: How many token exchanges were made (a cached token makes none).
    exchanges: int = field(default=0, init=False)

    def __repr__(self) -> str:
        return (
            f"OAuthClientCredentials(token_url={mask_url(self.token_url)!r}, "
            f"client_id={self.client_id!r}, client_secret={MASK!r}, exchanges={self.exchanges})"
        )

    def headers(self, provider: Provider, subscription: Subscription, now: float) -> dict[str, str]:
        if self._token is None or now >= self._expires_at:
            self._token, lifetime = self._exchange(provider, subscription)
            self._expires_at = now + lifetime
        return {"authorization": f"Bearer {self._token}"}

    def secrets(self) -> tuple[str, ...]:
        basic = _basic(self.client_id, self.client_secret).split(" ", 1)[1]
        return tuple(s for s in (self.client_secret, basic, self._token) if s)

    def _exchange(self, provider: Provider, subscription: Subscription) -> tuple[str, float]:
        target = subscription.target.sibling(self.token_url)
        body = b"grant_type=client_credentials"
        request = Request(
            "POST",
            target.url,
            (
                ("host", host_header(target.url)),
                ("authorization", _basic(self.client_id, self.client_secret)),
                ("content-type", "application/x-www-form-urlencoded"),
                ("content-length", str(len(body))),
            ),
            body,
        )
        self.exchanges += 1
        result = target.send(request, deadline=provider.deadline)
        where = f"the token exchange with {mask_url(target.url)}"
        if result.response is None:
            raise AuthenticationError(f"{where} failed: {result.error}")
        response = result.response
        if response.status != 200:
            raise AuthenticationError(
                f"{where} was answered {response.status}: {response.text[:200]!r}; expected 200 "
                'with {"access_token": ..., "token_type": "bearer", "expires_in": ...}'
            )
        try:
            answer: Any = json.loads(response.body)
            token = answer["access_token"]
            lifetime = float(answer.get("expires_in", 3599))
        except (ValueError, KeyError, TypeError):
            raise AuthenticationError(
                f"{where} answered {response.text[:200]!r}; expected JSON with access_token "
                "and expires_in"
            ) from None
        if not isinstance(token, str) or not token:
            raise AuthenticationError(f"{where} answered an empty or non-string access_token")
        return token, lifetime
