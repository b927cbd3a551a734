"""Text for people: a delivery described with its secrets masked, used by every failure message.

A mask shows no character of what it hides: ``x-zm-signature: v0=(masked)``,
``authorization: Bearer (masked)``, ``https://user:***@host/hook?token=***``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .delivery import Delivery

#: What stands for a masked header value or setting.
MASK = "(masked)"
#: What stands for a masked part of a URL, and for a redacted secret in any text.
HIDDEN = "***"

# Headers whose values authenticate a request: shown only by their scheme.
_MASKED_HEADERS = frozenset({"x-zm-signature", "authorization", "clientid"})
# Authorization schemes that are named, not secret (RFC 9110 §11.4 and the IANA registry).
_SCHEMES = frozenset({"basic", "bearer", "digest", "token", "hoba", "negotiate"})
_SIGNATURE_VERSION = re.compile(r"v[0-9]{1,3}")
# A URL inside free text: a scheme, "://", then anything up to white space or a quote.
_URL = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>]+")
_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)([^/?#]*)@")
#: Lines of a body shown in an excerpt.
EXCERPT_LINES = 5


def mask_value(name: str, value: str) -> str:
    """*value* of header *name* fit to print: a signature or credential keeps only its scheme
    (``v0=``, ``Basic``, ``Bearer``), never a character of the secret; other headers as given."""
    if name.lower() not in _MASKED_HEADERS or not value:
        return value
    if name.lower() == "x-zm-signature":
        version, sep, _ = value.partition("=")
        if sep and _SIGNATURE_VERSION.fullmatch(version):
            return f"{version}={MASK}"
        return MASK
    scheme, sep, _ = value.partition(" ")
    if sep and scheme.lower() in _SCHEMES:
        return f"{scheme} {MASK}"
    return MASK


def mask_url(url: str) -> str:
    """*url* fit to print: its password (or a user name alone, which may be a token) and every
    query value replaced by ``***``; scheme, host, port, path and parameter names kept."""
    match = _USERINFO.match(url)
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
def url_secrets(url: str) -> tuple[str, ...]:
    """The parts of *url* that :func:`mask_url` hides, to redact them wherever else they show
    (a receiver that echoes its URL): the password or lone user name, and each query value, as
    written and decoded. Values shorter than 8 characters are left out: redacting ``1`` would
    blot out every digit of a message, and a token is longer than that."""
    from urllib.parse import unquote_plus

    found: list[str] = []
    match = _USERINFO.match(url)
    if match:
        user, colon, password = match.group(2).partition(":")
        found.append(password if colon else user)
    query = url.partition("?")[2].partition("#")[0]
    for item in query.split("&"):
        key, equals, value = item.partition("=")
        found.append(value if equals else key)
    decoded = [unquote_plus(value) for value in found]
    return tuple(dict.fromkeys(s for s in found + decoded if len(s) >= 8))


def mask_urls(text: str) -> str:
    """*text* with every URL in it passed through :func:`mask_url`."""
    if "://" not in text:
        return text

    def masked(match: re.Match[str]) -> str:
        url = match.group()
        # Punctuation that ends a sentence or closes a bracket is not part of the URL.
        kept = url.rstrip(".,;:!)]}")
        return mask_url(kept) + url[len(kept) :]

    return _URL.sub(masked, text)


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


#: The classes whose fields may hold a secret, by module: pytest's comparison of two of them
#: must not drill into their fields (see :func:`compare_records`).
_RECORDS = {
    "hookmock.engine.delivery": ("Delivery", "Request", "Response"),
    "hookmock.engine.subscription": ("Subscription",),
    "hookmock.engine.auth": ("BasicAuth", "HeaderAuth", "OAuthClientCredentials"),
}


def compare_records(op: str, left: Any, right: Any) -> list[str] | None:
    """pytest's explanation of ``left == right`` for two hookmock records of one type, or None.

    pytest explains a failed comparison of two dataclasses field by field, printing the values
    (request headers, credentials); this names the fields that differ and shows only the
    records' masked text forms.
    """
    kind = type(left)
    if (
        op != "=="
        or type(right) is not kind
        or kind.__name__ not in _RECORDS.get(kind.__module__, ())
    ):
        return None
    import dataclasses

    # A field kept in a compact form names the attribute it stands for (``headers``).
    differ: list[str] = []
    for f in dataclasses.fields(left):
        name = f.metadata.get("field", f.name)
        if f.compare and getattr(left, f.name) != getattr(right, f.name) and name not in differ:
            differ.append(name)
    return [
        f"{left!r} == {right!r}",
        f"differing {kind.__name__} fields: {', '.join(differ) or 'none'} (values not shown: "
        "they may hold secrets; compare the fields themselves to see them)",
    ]


#: Setting names whose values are secrets (``Zoom(...)`` keyword arguments and the server's).
SECRET_SETTINGS = frozenset({"secret_token", "verification_token", "client_secret", "password"})


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


def excerpt(data: bytes, limit: int, *, max_lines: int = EXCERPT_LINES) -> str:
    """At most *limit* characters and *max_lines* lines of a body, saying how long it was."""
    if not data:
        return "(empty)"
    text = data.decode("utf-8", "replace").replace("\r\n", "\n").rstrip()
    lines = text.split("\n")
    cut = len(text) > limit or len(lines) > max_lines
    if cut:
        text = "\n".join(lines[:max_lines])[:limit].rstrip() + f"… ({len(data)} bytes)"
    # A multi-line body stays inside its delivery's indented block.
    return text.replace("\n", "\n          ")


def describe_delivery(
    delivery: Delivery, *, index: int | None = None, body_limit: int = 200
) -> str:
    d = delivery
    label = f"#{index} " if index is not None else ""
    what = f"{label}{d.event.name!r} → {mask_urls(d.target)}"
    if d.attempt > 1:
        what += f" (attempt {d.attempt})"
    if d.response is not None:
        verdict = f"{d.response.status} {d.response.reason}".rstrip()
    else:
        verdict = "no response"
    lines = [f"{what}: {verdict} in {d.elapsed * 1000:.1f} ms, {d.outcome.value}"]
    if d.error:
        first, *rest = d.error.strip().splitlines() or [""]
        if rest:
            lines.append("  error: " + mask_urls(rest[-1].strip()))
        else:
            lines.append("  error: " + mask_urls(first))
    lines.append(f"  request: {d.request.method} {mask_url(d.request.url)}")
    for name, value in d.request.headers:
        lines.append(f"    {name}: {mask_value(name, value)}")
    lines.append(f"    body: {excerpt(d.request.body, body_limit)}")
    if d.response is not None:
        lines.append("  response headers:")
        for name, value in d.response.headers:
            lines.append(f"    {name}: {mask_value(name, value)}")
        body = excerpt(d.response.body, body_limit)
        if d.response.truncated:
            body += " (cut at the response cap)"
        lines.append(f"    body: {body}")
    for note in d.notes:
        lines.append(f"  note: {mask_urls(note)}")
    if d.next_step:
        lines.append(f"  next: {d.next_step}")
    return redact("\n".join(lines), d.secrets)


def summarize_delivery(delivery: Delivery, *, index: int | None = None) -> str:
    """One line: the event, where it went, what came back, how it ended, and the error if any.

    Made from :func:`describe_delivery`'s own lines, so it masks exactly what they mask."""
    first, *rest = describe_delivery(delivery, index=index, body_limit=0).splitlines()
    error = next((line for line in rest[:1] if line.startswith("  error: ")), None)
    return first if error is None else f"{first} ({error.removeprefix('  error: ')})"


def describe_log(
    deliveries: Iterable[Delivery],
    *,
    body_limit: int = 200,
    last: int | None = None,
    described: Callable[[Delivery], bool] | None = None,
) -> str:
    """Every delivery described, numbered from 1. With *last*, only the last *last* of them,
    after a line that says how many earlier ones are not shown; those for which *described*
    is true (already shown in full elsewhere) get their one-line summary."""
    # A log that forgot its first deliveries (max_deliveries) numbers the rest on from them.
    numbered = list(enumerate(deliveries, start=int(getattr(deliveries, "forgotten", 0)) + 1))
    lines: list[str] = []
    if last is not None and len(numbered) > last:
        numbered = numbered[len(numbered) - last :]
    hidden = numbered[0][0] - 1 if numbered else int(getattr(deliveries, "forgotten", 0))
    if hidden:
        which = "#1" if hidden == 1 else f"#1-#{hidden}"
        line = f"{hidden} earlier deliver{'y' if hidden == 1 else 'ies'} not shown ({which})"
        forgotten = int(getattr(deliveries, "forgotten", 0))
        if forgotten:
            line += (
                f"; the log no longer keeps #1-#{forgotten} "
                f"(max_deliveries={getattr(deliveries, 'max_deliveries', None)})"
            )
        lines.append(line)
    for index, delivery in numbered:
        if described is not None and described(delivery):
            lines.append(summarize_delivery(delivery, index=index) + " (in full above)")
        else:
            lines.append(describe_delivery(delivery, index=index, body_limit=body_limit))
    return "\n".join(lines) or "none"


def trim_traceback(text: str, *, hidden_roots: Iterable[str] = ()) -> str:
    """A formatted traceback without the frames of installed libraries and the standard library
    (Flask's, werkzeug's, asgiref's, hookmock's): each run of them becomes one line that says
    how many frames it hid. The application's own frames and the exception stay."""
    roots = tuple(hidden_roots) or _library_roots()
    kept: list[str] = []
    hidden = 0
    skipping = False
    for line in text.rstrip().splitlines():
        if line.startswith('  File "'):
            path = line[len('  File "') :].split('"', 1)[0]
            skipping = path.startswith(roots)
            if skipping:
                hidden += 1
                continue
            if hidden:
                kept.append(_hidden_frames(hidden))
                hidden = 0
        elif skipping and line.startswith("    "):
            continue  # the source line of a hidden frame
        else:
            skipping = False
            if hidden:
                kept.append(_hidden_frames(hidden))
                hidden = 0
        kept.append(line)
    if hidden:
        kept.append(_hidden_frames(hidden))
    return "\n".join(kept)


def _hidden_frames(count: int) -> str:
    return f"  ({count} frame{'' if count == 1 else 's'} of libraries hidden)"


def _library_roots() -> tuple[str, ...]:
    import os
    import sysconfig

    paths = sysconfig.get_paths()
    roots = {paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib") if key in paths}
    roots.add(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # hookmock itself
    return tuple(sorted(os.path.join(root, "") for root in roots))
