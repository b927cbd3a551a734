"""Text for people: a delivery described with its secrets masked (see
:mod:`hookmock.records.masking`), used by every failure message."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from ..records.masking import mask_url, mask_urls, mask_value, redact

if TYPE_CHECKING:
    from .recorded import RecordedDelivery as Delivery

#: Lines of a body shown in an excerpt.
EXCERPT_LINES = 5

#: The classes whose fields may hold a secret, by module: pytest's comparison of two of them
#: must not drill into their fields (see :func:`compare_records`).
_RECORDS = {
    "hookmock.engine.delivery": ("Delivery",),
    "hookmock.records.exchange": ("Request", "Response"),
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
