"""Recorded real traffic: the file ``hookmock record`` writes, and reads back for ``replay`` and
``validate``.

One delivery a line, as a JSON object (JSON Lines, UTF-8), written and flushed as each exchange
ends, so that a recording cut short keeps every complete line::

    {"format": "hookmock-delivery", "version": 1,
     "received_at": "2026-07-14T09:30:01.204113Z", "provider": "zoom",
     "event": "meeting.started", "verification": "valid",
     "request": {"method": "POST", "path": "/zoom/webhook",
                 "headers": [["host", "abc.ngrok.app"], ["x-zm-signature", "v0=(masked)"], ...],
                 "body": "{\\"event\\":\\"meeting.started\\",...}"},
     "response": {"status": 204, "reason": "NO CONTENT", "headers": [...], "body": "",
                  "truncated": false},
     "elapsed": 0.0123, "outcome": "acknowledged", "error": null}

- ``request.body`` is the body as text when its bytes are UTF-8, which gives back the very bytes
  (``text.encode("utf-8")``); otherwise ``request.body_base64`` holds them. Exactly one of the two
  is present; the same goes for ``response.body``.
- Headers keep their order, case and repeats; signatures and credentials are masked as hookmock
  masks them everywhere (:func:`~hookmock.records.masking.mask_value`): ``v0=(masked)``.
- ``verification`` is the verdict on the signature with the real secret: one of
  :data:`VERDICTS`. The secret itself is never written.
- ``response`` is ``null`` when the receiver gave no answer (down, timed out); ``error`` says why
  and ``outcome`` how the provider would judge it.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..errors import RecordFileError

__all__ = [
    "FORMAT",
    "INVALID",
    "STALE",
    "UNSIGNED",
    "UNVERIFIED",
    "VALID",
    "VERDICTS",
    "VERSION",
    "CapturedDelivery",
    "parse_record",
    "read_records",
    "records_of",
    "to_line",
]

#: What the ``format`` field of every line says, and the version of the layout above.
FORMAT = "hookmock-delivery"
VERSION = 1

#: Verdicts on a recorded delivery's signature, checked with the real secret.
VALID = "valid"
INVALID = "invalid signature"
STALE = "stale timestamp"
UNSIGNED = "unsigned"
#: No secret was given, or hookmock cannot check this provider's signatures from a record.
UNVERIFIED = "unverified"
VERDICTS = (VALID, INVALID, STALE, UNSIGNED, UNVERIFIED)

Headers = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class CapturedDelivery:
    """One delivery received from a real provider, and what the receiver answered.

    :ivar received_at: when it arrived, Unix seconds.
    :ivar headers: the request's headers in order, signatures and credentials masked.
    :ivar body: the request body, byte for byte.
    :ivar event: the event name read from it, ``None`` when none could be.
    :ivar verification: one of :data:`VERDICTS`.
    :ivar status: the receiver's status, ``None`` without an answer.
    :ivar elapsed: seconds the receiver took (``None`` when never asked).
    :ivar outcome: how the provider judges the answer (an :class:`~hookmock.Outcome` value).
    :ivar line: the line of the file it was read from (0 when it was not read from a file).
    """

    received_at: float
    provider: str
    method: str
    path: str
    headers: Headers
    body: bytes
    event: str | None = None
    verification: str = UNVERIFIED
    status: int | None = None
    reason: str = ""
    response_headers: Headers = ()
    response_body: bytes = b""
    response_truncated: bool = False
    elapsed: float | None = None
    outcome: str | None = None
    error: str | None = None
    line: int = 0

    def header(self, name: str) -> str | None:
        """The first request header called *name* (case-insensitive), or ``None``."""
        lower = name.lower()
        return next((value for key, value in self.headers if key.lower() == lower), None)

    @property
    def data(self) -> Any:
        """The body parsed as JSON, ``None`` when it is not JSON."""
        try:
            return json.loads(self.body)
        except ValueError:
            return None


def _body_fields(body: bytes) -> dict[str, str]:
    try:
        return {"body": body.decode("utf-8")}
    except UnicodeDecodeError:
        return {"body_base64": base64.b64encode(body).decode("ascii")}


def _iso(when: float) -> str:
    return datetime.fromtimestamp(when, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def to_line(record: CapturedDelivery) -> str:
    """*record* as one line of the file (without the line break)."""
    response: dict[str, Any] | None = None
    if record.status is not None:
        response = {
            "status": record.status,
            "reason": record.reason,
            "headers": [list(pair) for pair in record.response_headers],
            **_body_fields(record.response_body),
            "truncated": record.response_truncated,
        }
    value = {
        "format": FORMAT,
        "version": VERSION,
        "received_at": _iso(record.received_at),
        "provider": record.provider,
        "event": record.event,
        "verification": record.verification,
        "request": {
            "method": record.method,
            "path": record.path,
            "headers": [list(pair) for pair in record.headers],
            **_body_fields(record.body),
        },
        "response": response,
        "elapsed": None if record.elapsed is None else round(record.elapsed, 6),
        "outcome": record.outcome,
        "error": record.error,
    }
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


class _Bad(Exception):
    pass


def _field(value: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if key not in value:
        raise _Bad(f"{where}{key!r} is missing")
    found = value[key]
    if not isinstance(found, kind) or (isinstance(found, bool) and bool not in _kinds(kind)):
        expected = " or ".join(k.__name__ for k in _kinds(kind)).replace("NoneType", "null")
        raise _Bad(f"{where}{key!r} must be {expected}, got {type(found).__name__}")
    return found


def _kinds(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _headers(value: Any, where: str) -> Headers:
    if not isinstance(value, list) or not all(
        isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)
        for pair in value
    ):
        raise _Bad(f"{where}'headers' must be a list of [name, value] pairs of strings")
    return tuple((name, text) for name, text in value)


def _body(value: Mapping[str, Any], where: str) -> bytes:
    if "body" in value and "body_base64" in value:
        raise _Bad(f"{where}has both 'body' and 'body_base64'; give one")
    if "body_base64" in value:
        encoded = _field(value, "body_base64", str, where)
        try:
            return base64.b64decode(encoded, validate=True)
        except ValueError:
            raise _Bad(f"{where}'body_base64' is not base64") from None
    return str(_field(value, "body", str, where)).encode("utf-8")


def _when(text: str) -> float:
    try:
        return datetime.fromisoformat(text).timestamp()
    except ValueError:
        raise _Bad(
            f"'received_at' must be an ISO 8601 time such as 2026-07-14T09:30:01.204113Z, "
            f"got {text[:40]!r}"
        ) from None


def parse_record(value: Any, *, line: int = 0) -> CapturedDelivery:
    """One parsed line of the file as a :class:`CapturedDelivery`.

    :raises RecordFileError: when it is not a delivery of this format and version (the message
        says what is wrong, not where: :func:`read_records` adds the file and line).
    """
    try:
        return _parse(value, line)
    except _Bad as bad:
        raise RecordFileError(str(bad)) from None


def _parse(value: Any, line: int) -> CapturedDelivery:
    if not isinstance(value, dict):
        raise _Bad(f"expected a JSON object (one delivery), got {type(value).__name__}")
    if value.get("format") != FORMAT:
        raise _Bad(
            f"not a recorded delivery: 'format' is {value.get('format')!r}, expected {FORMAT!r} "
            "(a file written by hookmock record)"
        )
    version = value.get("version")
    if version != VERSION:
        raise _Bad(
            f"version {version!r} of the record format; this hookmock reads version {VERSION}"
        )
    request = _field(value, "request", dict, "")
    response = _field(value, "response", (dict, type(None)), "")
    verification = _field(value, "verification", str, "")
    if verification not in VERDICTS:
        raise _Bad(f"'verification' must be one of {', '.join(VERDICTS)}; got {verification!r}")
    elapsed = _field(value, "elapsed", (int, float, type(None)), "")
    common: dict[str, Any] = {}
    if response is not None:
        status = _field(response, "status", int, "response: ")
        common = {
            "status": status,
            "reason": _field(response, "reason", str, "response: "),
            "response_headers": _headers(response.get("headers"), "response: "),
            "response_body": _body(response, "response: "),
            "response_truncated": bool(response.get("truncated", False)),
        }
    return CapturedDelivery(
        received_at=_when(_field(value, "received_at", str, "")),
        provider=_field(value, "provider", str, ""),
        method=_field(request, "method", str, "request: "),
        path=_field(request, "path", str, "request: "),
        headers=_headers(request.get("headers"), "request: "),
        body=_body(request, "request: "),
        event=_field(value, "event", (str, type(None)), ""),
        verification=verification,
        elapsed=None if elapsed is None else float(elapsed),
        outcome=_field(value, "outcome", (str, type(None)), ""),
        error=_field(value, "error", (str, type(None)), ""),
        line=line,
        **common,
    )


def _lines(path: str) -> Iterator[tuple[int, str]]:
    try:
        with open(path, encoding="utf-8") as handle:
            yield from enumerate(handle, start=1)
    except UnicodeDecodeError as exc:
        raise RecordFileError(
            f"{path}: not UTF-8 text (byte {exc.start} of its block cannot be decoded): a file "
            "of recorded deliveries is JSON lines in UTF-8"
        ) from None
    except OSError as exc:
        raise RecordFileError(f"cannot read {path!r}: {exc.strerror or exc}") from None


def read_records(path: str | os.PathLike[str]) -> list[CapturedDelivery]:
    """Every delivery in the file at *path*, in file order (blank lines are skipped).

    :raises RecordFileError: for a file that cannot be read, or a line that is not a recorded
        delivery of this version; the message names the file and the line.
    """
    name = os.fspath(path)
    records = []
    for number, text in _lines(name):
        if not text.strip():
            continue
        try:
            value = json.loads(text)
        except ValueError as exc:
            shown = text.strip()
            shown = shown if len(shown) <= 60 else shown[:57] + "..."
            raise RecordFileError(
                f"{name}:{number}: not JSON ({exc}): {shown!r}; each line of a recording is one "
                "delivery as a JSON object"
            ) from None
        except RecursionError:
            raise RecordFileError(f"{name}:{number}: the JSON nests too deeply") from None
        try:
            records.append(_parse(value, number))
        except _Bad as bad:
            raise RecordFileError(f"{name}:{number}: {bad}") from None
    return records


def records_of(
    source: str | os.PathLike[str] | Iterable[CapturedDelivery | Mapping[str, Any]],
) -> list[CapturedDelivery]:
    """Recorded deliveries from a file's path, or from records (or their parsed lines) given."""
    if isinstance(source, (str, os.PathLike)):
        return read_records(source)
    found = []
    for index, item in enumerate(source, start=1):
        if isinstance(item, CapturedDelivery):
            found.append(item)
            continue
        try:
            found.append(_parse(item, 0))
        except _Bad as bad:
            raise RecordFileError(f"record {index}: {bad}") from None
    return found
