"""Masks for secrets in text meant for people. A mask shows no character of what it hides:
``x-zm-signature: v0=(masked)``, ``webhook-signature: v1,(masked)``,
``authorization: Bearer (masked)``, ``https://user:***@host/hook?token=***``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "HIDDEN",
    "MASK",
    "SECRET_SETTINGS",
    "Settings",
    "mask_url",
    "mask_urls",
    "mask_value",
    "masked_headers",
    "masked_settings",
    "redact",
    "url_secrets",
]

#: What stands for a masked header value or setting.
MASK = "(masked)"
#: What stands for a masked part of a URL, and for a redacted secret in any text.
HIDDEN = "***"

# Headers whose values authenticate a request: shown only by their scheme.
# Every header whose name says "signature" is masked too (x-zm-signature, webhook-signature,
# x-hub-signature-256, stripe-signature, x-slack-signature): a provider's signature.
_MASKED_HEADERS = frozenset({"authorization", "proxy-authorization", "clientid", "cookie"})
# Authorization schemes that are named, not secret (RFC 9110 §11.4 and the IANA registry).
_SCHEMES = frozenset({"basic", "bearer", "digest", "token", "hoba", "negotiate"})
# The patterns are compiled on first use: a send need not mask anything.


@functools.cache
def _signature_version() -> re.Pattern[str]:
    # The version or algorithm before a signature: v0=, v1,, v1a,, sha256=, t= (kept, not secret).
    return re.compile(r"(v[0-9]{1,3}[a-z]?|sha[0-9]{1,3}|t)")


@functools.cache
def _url() -> re.Pattern[str]:
    # A URL inside free text: a scheme, "://", then anything up to white space or a quote.
    return re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>]+")


@functools.cache
def _userinfo() -> re.Pattern[str]:
    return re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)([^/?#]*)@")


def mask_value(name: str, value: str) -> str:
    """*value* of header *name* fit to print: a signature or credential keeps only its scheme or
    version (``v0=``, ``v1,``, ``sha256=``, ``Basic``, ``Bearer``), never a character of the
    secret; other headers as given."""
    lower = name.lower()
    if not value:
        return value
    if "signature" in lower:
        return _masked_signature(value)
    if lower not in _MASKED_HEADERS:
        return value
    scheme, sep, _ = value.partition(" ")
    if sep and scheme.lower() in _SCHEMES:
        return f"{scheme} {MASK}"
    return MASK


def _masked_signature(value: str) -> str:
    """Each signature of a header (several during a secret rotation, separated by spaces or
    commas) reduced to its version: ``v0=(masked)``, ``v1,(masked) v1,(masked)``."""
    items = []
    for item in value.split(" "):
        parts = []
        for part in item.split(","):
            version, sep, _ = part.partition("=")
            if sep and _signature_version().fullmatch(version):
                parts.append(f"{version}={MASK}")
            elif not sep and _signature_version().fullmatch(part) and "," in item:
                parts.append(part)
            else:
                parts.append(MASK)
        items.append(",".join(parts).replace(f"{MASK},{MASK}", MASK))
    masked = " ".join(items)
    # "v1,<signature>" is one item: its version, then the signature.
    return masked if masked.strip(f" ,{MASK}") else MASK


def mask_url(url: str) -> str:
    """*url* fit to print: its password (or a user name alone, which may be a token) and every
    query value replaced by ``***``; scheme, host, port, path and parameter names kept."""
    match = _userinfo().match(url) if "@" in url else None
    if match:
        user, colon, _ = match.group(2).partition(":")
        userinfo = f"{user}:{HIDDEN}" if colon else HIDDEN
        url = f"{match.group(1)}{userinfo}@{url[match.end() :]}"
    base, question, rest = url.partition("?")
    if not question:
        return url
    query, hash_, fragment = rest.partition("#")
    masked = []
    for item in query.split("&"):
        key, equals, value = item.partition("=")
        if equals:
            masked.append(f"{key}={HIDDEN if value else ''}")
        else:
            masked.append(HIDDEN if key else "")
    return f"{base}?{'&'.join(masked)}{hash_}{fragment}"


@functools.lru_cache(maxsize=256)
@functools.lru_cache(maxsize=256)
def url_secrets(url: str) -> tuple[str, ...]:
    """The parts of *url* that :func:`mask_url` hides, to redact them wherever else they show
    (a receiver that echoes its URL): the password or lone user name, and each query value, as
    written and decoded. Values shorter than 8 characters are left out: redacting ``1`` would
    blot out every digit of a message, and a token is longer than that."""
    found: list[str] = []
    match = _userinfo().match(url) if "@" in url else None
    if match:
        user, colon, password = match.group(2).partition(":")
        found.append(password if colon else user)
    query = url.partition("?")[2].partition("#")[0]
    for item in query.split("&"):
        key, equals, value = item.partition("=")
        found.append(value if equals else key)
    # Only an escape or a "+" decodes to something else (urllib.parse is imported for them).
    decoded = [_unquote_plus(value) if "%" in value or "+" in value else value for value in found]
    return tuple(dict.fromkeys(s for s in found + decoded if len(s) >= 8))


def _unquote_plus(value: str) -> str:
    from urllib.parse import unquote_plus

    return unquote_plus(value)


def mask_urls(text: str) -> str:
    """*text* with every URL in it passed through :func:`mask_url`."""
    if "://" not in text:
        return text

    def masked(match: re.Match[str]) -> str:
        url = match.group()
        # Punctuation that ends a sentence or closes a bracket is not part of the URL.
        kept = url.rstrip(".,;:!)]}")
        return mask_url(kept) + url[len(kept) :]

    return _url().sub(masked, text)


#: A secret shorter than this is hidden only where it stands alone: replacing every "s" of a
#: one-letter secret would hide the text, not the secret.
SHORT_SECRET = 8


def redact(text: str, secrets: Iterable[str]) -> str:
    """Replace each secret in *text* with ``***``: everywhere, or, for a secret shorter than
    :data:`SHORT_SECRET` characters, wherever no letter, digit, ``_`` or ``-`` touches it."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        if len(secret) >= SHORT_SECRET:
            text = text.replace(secret, HIDDEN)
        elif secret in text:
            text = re.sub(rf"(?<![\w-]){re.escape(secret)}(?![\w-])", HIDDEN, text)
    return text


def masked_headers(headers: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """*headers* with :func:`mask_value` applied to each value."""
    return tuple((name, mask_value(name, value)) for name, value in headers)


#: Setting names whose values are secrets (``Zoom(...)`` keyword arguments and the server's).
SECRET_SETTINGS = frozenset(
    {"secret", "secret_token", "verification_token", "client_secret", "password"}
)


class Settings(dict[str, Any]):
    """A dict of settings whose text form (``repr``) masks the secret ones, so that pytest's
    ``--showlocals`` and failure introspection cannot print a secret token."""

    def __repr__(self) -> str:
        return repr(masked_settings(self))


def masked_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of *settings* with :data:`SECRET_SETTINGS` values replaced by ``(masked)``."""
    return {
        key: MASK if key in SECRET_SETTINGS and value is not None else value
        for key, value in settings.items()
    }
