"""A probe read over HTTP: a receiver's count of processed events, for the duplicate check when
the receiver runs elsewhere (``hookmock check --probe-url URL``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ..engine.report import mask_url
from ..errors import ConfigurationError

__all__ = ["ProbeError", "parse_count", "url_probe"]


class ProbeError(ConfigurationError):
    """The probe could not be read, or did not answer a count."""


def parse_count(body: bytes, source: str) -> int:
    """The count in *body*: a JSON number, or a JSON object with exactly one numeric field.

    :raises ProbeError: saying what was found instead.
    """
    text = body.decode("utf-8", "replace").strip()
    try:
        value: Any = json.loads(text)
    except ValueError:
        raise ProbeError(
            f"the probe {source} answered {text[:80]!r}: expected a number of processed events, "
            'or JSON with one number ({"processed": 3})'
        ) from None
    if isinstance(value, dict):
        numbers = {k: v for k, v in value.items() if _is_number(v)}
        if len(numbers) != 1:
            found = ", ".join(numbers) or "none"
            raise ProbeError(
                f"the probe {source} answered a JSON object with {len(numbers)} numeric fields "
                f"({found}): expected exactly one, the count of processed events"
            )
        (value,) = numbers.values()
    if not _is_number(value):
        raise ProbeError(
            f"the probe {source} answered JSON {type(value).__name__} {text[:80]!r}: expected a "
            'number, or an object with one number ({"processed": 3})'
        )
    return int(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def url_probe(
    url: str, *, timeout: float = 5.0, cafile: str | None = None, verify: bool = True
) -> Callable[[], int]:
    """A probe that GETs *url* and reads a count from the answer (see :func:`parse_count`)."""
    import ssl
    import urllib.error
    import urllib.request

    context = None
    if url.startswith("https://"):
        context = ssl.create_default_context(cafile=cafile)
        if not verify:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE

    shown = mask_url(url)  # a token in the probe's URL is not printed

    def read() -> int:
        try:
            with urllib.request.urlopen(url, timeout=timeout, context=context) as answer:
                return parse_count(answer.read(64 * 1024), shown)
        except urllib.error.HTTPError as exc:
            raise ProbeError(f"the probe {shown} answered status {exc.code}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ProbeError(f"cannot read the probe {shown}: {reason}") from None

    return read
