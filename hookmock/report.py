"""Text for people: a delivery described with its secrets masked, used by every failure message."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .delivery import Delivery

# Headers whose values authenticate a request: shown only by a short prefix.
_MASKED_HEADERS = frozenset({"x-zm-signature", "authorization", "clientid"})
#: Lines of a body shown in an excerpt.
EXCERPT_LINES = 5


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
    numbered = list(enumerate(deliveries, start=1))
    lines: list[str] = []
    if last is not None and len(numbered) > last:
        hidden = len(numbered) - last
        numbered = numbered[hidden:]
        which = "#1" if hidden == 1 else f"#1-#{hidden}"
        lines.append(f"{hidden} earlier deliver{'y' if hidden == 1 else 'ies'} not shown ({which})")
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
    roots.add(os.path.dirname(os.path.abspath(__file__)))  # hookmock itself
    return tuple(sorted(os.path.join(root, "") for root in roots))
