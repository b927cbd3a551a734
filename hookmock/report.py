"""Text for people: a delivery described with its secrets masked, used by every failure message."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .delivery import Delivery

# Headers whose values authenticate a request: shown only by a short prefix.
_MASKED_HEADERS = frozenset({"x-zm-signature", "authorization", "clientid"})


def mask_value(name: str, value: str) -> str:
    if name.lower() not in _MASKED_HEADERS or not value:
        return value
    scheme, sep, rest = (
        value.partition("=") if name.lower() == "x-zm-signature" else ("", "", value)
    )
    if not sep:
        scheme, sep, rest = value.partition(" ")
        if not sep:
            return f"{value[:4]}…(masked)"
    return f"{scheme}{sep}{rest[:4]}…(masked)"


def redact(text: str, secrets: Iterable[str]) -> str:
    """Replace every occurrence of each secret in *text* with ``***``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def excerpt(data: bytes, limit: int) -> str:
    if not data:
        return "(empty)"
    text = data.decode("utf-8", "replace")
    if len(text) > limit:
        text = f"{text[:limit]}… ({len(data)} bytes)"
    # A multi-line body stays inside its delivery's indented block.
    return text.replace("\r\n", "\n").replace("\n", "\n          ")


def describe_delivery(
    delivery: Delivery, *, index: int | None = None, body_limit: int = 200
) -> str:
    d = delivery
    label = f"#{index} " if index is not None else ""
    what = f"{label}{d.event.name!r} → {d.target}"
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
            lines.append("  error: " + rest[-1].strip())
        else:
            lines.append("  error: " + first)
    lines.append(f"  request: {d.request.method} {d.request.url}")
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
        lines.append(f"  note: {note}")
    if d.next_step:
        lines.append(f"  next: {d.next_step}")
    return redact("\n".join(lines), d.secrets)


def describe_log(deliveries: Iterable[Delivery], *, body_limit: int = 200) -> str:
    text = "\n".join(
        describe_delivery(d, index=i, body_limit=body_limit)
        for i, d in enumerate(deliveries, start=1)
    )
    return text or "none"
