"""What went over the wire in one attempt: the request as sent, the receiver's answer, and
what a transport reports before the provider judges it."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Sequence
from typing import Any

from .fields import REQUIRED, DataclassFields, FrozenRecord, replace_fields
from .masking import MASK, mask_url, masked_headers
from .outcome import Outcome

__all__ = ["Attempt", "Request", "Response", "host_header"]


@functools.lru_cache(maxsize=256)
def host_header(url: str) -> str:
    """The Host header of a request to *url*: its authority without user-info (RFC 9110 §7.2)."""
    scheme, separator, rest = url.partition("://")
    if (
        separator
        and scheme.isascii()
        and scheme.isalpha()
        and url.isascii()
        and url.isprintable()
        and not url.startswith(" ")
        and "[" not in url
        and "]" not in url
    ):
        # A plain URL (every in-process target's) is split here as urlsplit splits it: the
        # authority ends at the first "/", "?" or "#". urllib.parse is imported for the others.
        ends = [at for at in map(rest.find, "/?#") if at >= 0]
        return rest[: min(ends, default=len(rest))].rpartition("@")[2]
    from urllib.parse import urlsplit

    return urlsplit(url).netloc.rpartition("@")[2]


_SEPARATOR = "\0"
_new = object.__new__
_set = object.__setattr__
# Reason phrases, repeated by every answer of a receiver.
_REASONS: dict[str, str] = {}
_NAMES: dict[tuple[str, ...], tuple[str, ...]] = {}
# What the compact fields stand for, in pytest's comparison of two records.
_HEADER_FIELD = {"repr": False, "metadata": {"field": "headers"}}
_STR_ONLY = {str}


def _pack(headers: Iterable[tuple[str, str]]) -> tuple[tuple[str, ...], str | tuple[str, ...]]:
    pairs = headers if type(headers) is tuple or type(headers) is list else tuple(headers)
    if not pairs:
        return (), ()
    if len(_NAMES) > 512:
        _NAMES.clear()
    if len(pairs) == 1:
        # One header (a Flask or Starlette answer without a body: its content type): packed
        # as below, without the zip, the set of types and the join.
        pair = pairs[0]
        if type(pair) is tuple and len(pair) == 2:
            name, value = pair
            lone: tuple[str, ...] = (name,)
            lone = _NAMES.setdefault(lone, lone)
            if type(value) is str and _SEPARATOR not in value:
                return lone, value
            return lone, (value,)
    # Every request and response is packed: zip, map and join do it without a Python loop.
    names, values = zip(*pairs, strict=True)
    names = _NAMES.setdefault(names, names)
    if {*map(type, values)} != _STR_ONLY:
        return names, values
    joined = _SEPARATOR.join(values)
    # A value that contains the separator itself keeps the tuple form.
    if joined.count(_SEPARATOR) != len(values) - 1:
        return names, values
    return names, joined


def _unpack(values: str | tuple[str, ...]) -> tuple[str, ...] | list[str]:
    if isinstance(values, tuple):
        return values
    return values.split(_SEPARATOR)


class _HeaderRecord(FrozenRecord):
    """A request or a response: its headers kept as names and values apart (see
    :class:`Request`)."""

    __slots__ = ()

    _names: tuple[str, ...]
    _values: str | tuple[str, ...]

    @property
    def headers(self) -> tuple[tuple[str, str], ...]:
        return tuple(zip(self._names, _unpack(self._values), strict=True))

    def header(self, name: str) -> str | None:
        """The value of the first header called *name* (case-insensitive), or ``None``."""
        lower = name.lower()
        for index, each in enumerate(self._names):
            if each.lower() == lower:
                return _unpack(self._values)[index]
        return None


class Request(_HeaderRecord):
    """A request exactly as sent: header names in sending order, the body's bytes unchanged.

    :ivar headers: ``((name, value), ...)`` in sending order.
    """

    # The headers in 2 objects instead of 1 + 2 per header (a log keeps many requests): the
    # names as a tuple shared by every request with the same ones, the values joined by NUL
    # (or a tuple, should a value contain one).
    __match_args__ = ("method", "url", "_names", "_values", "body")
    __slots__ = __match_args__
    __replace__ = replace_fields
    __dataclass_fields__ = DataclassFields(
        dict.fromkeys(__slots__, REQUIRED),
        options={"_names": _HEADER_FIELD, "_values": _HEADER_FIELD},
        frozen=True,
    )

    method: str
    url: str
    _names: tuple[str, ...]
    _values: str | tuple[str, ...]
    body: bytes

    def __init__(
        self,
        method: str,
        url: str,
        headers: Iterable[tuple[str, str]] | None = None,
        body: bytes = b"",
        *,
        _names: tuple[str, ...] = (),
        _values: str | tuple[str, ...] = (),
    ) -> None:
        # _names and _values: what dataclasses.replace() passes on when headers are not given.
        names, values = _pack(headers) if headers is not None else (_names, _values)
        setter = object.__setattr__
        setter(self, "method", method)
        setter(self, "url", url)
        setter(self, "body", body)
        setter(self, "_names", names)
        setter(self, "_values", values)

    def _key(self) -> tuple[Any, ...]:
        return (self.method, self.url, self._names, self._values, self.body)

    @classmethod
    def from_parts(
        cls, method: str, url: str, names: tuple[str, ...], values: list[str], body: bytes
    ) -> Request:
        """The request with the headers *names* and *values*, given apart, in sending order:
        what an adapter that writes every request's headers itself makes without pairing them
        up first. Each value must be a string."""
        joined = _SEPARATOR.join(values)
        if len(_NAMES) > 512:
            _NAMES.clear()
        # Filled in here, as __init__ fills it in (an adapter makes one for every attempt):
        # without a call through __init__'s keyword arguments.
        request = _new(cls)
        _set(request, "method", method)
        _set(request, "url", url)
        _set(request, "body", body)
        _set(request, "_names", _NAMES.setdefault(names, names))
        # A value that contains the separator itself keeps the tuple form.
        _set(
            request,
            "_values",
            joined if joined.count(_SEPARATOR) == len(values) - 1 else tuple(values),
        )
        return request

    @property
    def header_names(self) -> tuple[str, ...]:
        """The header names in sending order: one tuple shared by requests with the same ones."""
        return self._names

    @property
    def header_values(self) -> Sequence[str]:
        """The header values, in the order of :attr:`header_names`."""
        return _unpack(self._values)

    def __repr__(self) -> str:
        # A header hookmock cannot tell is harmless may carry a credential (a custom
        # authentication header): its value is masked here; describe() redacts precisely.
        headers = tuple(
            (name, value if _plain(name) else MASK) for name, value in masked_headers(self.headers)
        )
        return (
            f"Request(method={self.method!r}, url={mask_url(self.url)!r}, "
            f"headers={headers!r}, body=<{len(self.body)} bytes>)"
        )


#: Request headers whose values are never secret; :meth:`Request.__repr__` masks the others.
_PLAIN_HEADERS = frozenset(
    {
        "host",
        "user-agent",
        "content-length",
        "content-type",
        "traceparent",
        "accept-encoding",
        "authorization",  # already reduced to its scheme by masked_headers
        "x-zm-trackingid",
    }
)
# A provider's ids, timestamps, event names and retry counters (x-zm-request-id,
# webhook-timestamp, x-github-event, x-slack-retry-num): never secret.
_PLAIN_SUFFIXES = ("-id", "-timestamp", "-event", "-delivery", "-retry-num", "-retry-reason")


def _plain(name: str) -> bool:
    lower = name.lower()
    # A signature is already reduced to its version by masked_headers.
    return lower in _PLAIN_HEADERS or lower.endswith(_PLAIN_SUFFIXES) or "signature" in lower


class Response(_HeaderRecord):
    """A receiver's answer. :attr:`body` holds at most the transport's cap; :attr:`truncated`
    says whether more was sent.

    :ivar headers: ``((name, value), ...)`` in the order received.
    """

    __match_args__ = ("status", "reason", "_names", "_values", "body", "truncated")
    __slots__ = __match_args__
    __replace__ = replace_fields
    __dataclass_fields__ = DataclassFields(
        dict.fromkeys(__slots__, REQUIRED),
        options={"_names": _HEADER_FIELD, "_values": _HEADER_FIELD},
        frozen=True,
    )

    status: int
    reason: str
    _names: tuple[str, ...]
    _values: str | tuple[str, ...]
    body: bytes
    truncated: bool

    def __init__(
        self,
        status: int,
        reason: str,
        headers: Iterable[tuple[str, str]] | None = None,
        body: bytes = b"",
        truncated: bool = False,
        *,
        _names: tuple[str, ...] = (),
        _values: str | tuple[str, ...] = (),
    ) -> None:
        names, values = _pack(headers) if headers is not None else (_names, _values)
        if len(_REASONS) > 256:
            _REASONS.clear()
        setter = object.__setattr__
        setter(self, "status", status)
        setter(self, "reason", _REASONS.setdefault(reason, reason))
        setter(self, "body", body)
        setter(self, "truncated", truncated)
        setter(self, "_names", names)
        setter(self, "_values", values)

    def _key(self) -> tuple[Any, ...]:
        return (self.status, self.reason, self._names, self._values, self.body, self.truncated)

    def __repr__(self) -> str:
        # The body is not shown: a receiver may echo what it was sent, credentials included.
        return (
            f"Response(status={self.status!r}, reason={self.reason!r}, "
            f"headers={masked_headers(self.headers)!r}, body=<{len(self.body)} bytes>, "
            f"truncated={self.truncated!r})"
        )

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        """The body parsed as JSON. :raises ValueError: when it is not JSON."""
        return json.loads(self.body)


class Attempt(FrozenRecord):
    """What a transport reports for one attempt, before the provider judges it."""

    __match_args__ = ("response", "elapsed", "error", "outcome", "after_response_error")
    __slots__ = __match_args__
    __replace__ = replace_fields
    __dataclass_fields__ = DataclassFields(
        {
            "response": REQUIRED,
            "elapsed": REQUIRED,
            "error": None,
            "outcome": None,
            "after_response_error": None,
        },
        frozen=True,
    )

    response: Response | None
    elapsed: float
    error: str | None
    outcome: Outcome | None
    #: What went wrong in an in-process application's call after its response was complete.
    after_response_error: str | None

    def __init__(
        self,
        response: Response | None,
        elapsed: float,
        error: str | None = None,
        outcome: Outcome | None = None,
        after_response_error: str | None = None,
    ) -> None:
        setter = object.__setattr__
        setter(self, "response", response)
        setter(self, "elapsed", elapsed)
        setter(self, "error", error)
        setter(self, "outcome", outcome)
        setter(self, "after_response_error", after_response_error)

    def _key(self) -> tuple[Any, ...]:
        return (self.response, self.elapsed, self.error, self.outcome, self.after_response_error)

    def __repr__(self) -> str:
        return (
            f"{type(self).__qualname__}(response={self.response!r}, elapsed={self.elapsed!r}, "
            f"error={self.error!r}, outcome={self.outcome!r}, "
            f"after_response_error={self.after_response_error!r})"
        )
