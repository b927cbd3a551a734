"""The event: its JSON value and the exact bytes that are signed and sent.

The bytes are produced once, when the :class:`Event` is made, and never re-serialized: the
signature is computed over :attr:`Event.body` and the transport sends that same object.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from typing import Any

from ..records.fields import frozen_error

__all__ = ["SERIALIZATIONS", "Event", "serialize", "zoom_bytes"]


# Characters outside the Basic Multilingual Plane. Zoom writes them as UTF-16 surrogate escapes
# with uppercase hex (``\uD83D\uDE92``) while other non-ASCII text stays raw UTF-8: ZOOM.md §1 and
# the captured body in reference/zoom/signature-test-vectors.json. Compiled on first use: most
# events are ASCII.
@functools.cache
def _astral() -> re.Pattern[str]:
    return re.compile("[\U00010000-\U0010ffff]")


def _surrogate_escape(match: re.Match[str]) -> str:
    code = ord(match.group()) - 0x10000
    return f"\\u{0xD800 + (code >> 10):04X}\\u{0xDC00 + (code & 0x3FF):04X}"


# json.dumps(value, ensure_ascii=False, separators=(",", ":")), without making an encoder per call.
# (c_make_encoder is the C accelerator, None without it; typeshed does not declare it.)
_json_c_make_encoder: Any = getattr(json.encoder, "c_make_encoder", None)
_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_compact = _encoder.encode
# The C encoder that _compact makes anew on every call, made once: it writes the same text.
# Without the bookkeeping of containers being written, a value that contains itself exhausts
# the recursion limit instead of being reported; _compact then reports it as json.dumps does.
_c_encoder = (
    None
    if _json_c_make_encoder is None
    else _json_c_make_encoder(
        None, _encoder.default, json.encoder.encode_basestring, None, ":", ",", False, False, True
    )
)


def _compact_once(value: Any) -> str:
    if _c_encoder is None:
        return _compact(value)
    try:
        return "".join(_c_encoder(value, 0))
    except RecursionError:
        return _compact(value)


def _zoom(value: Any) -> str:
    text = _compact_once(value)
    return text if text.isascii() else _astral().sub(_surrogate_escape, text)


# orjson writes a generated body five to ten times faster than the json module, and the same
# bytes but in two cases, both found in its output and then written by json instead: characters
# outside the Basic Multilingual Plane (orjson writes their UTF-8; Zoom, surrogate escapes) and
# floats below 1e-4 (orjson writes 1e-05 as 0.00001 and 1e-07 as 1e-7). Importing orjson costs
# about 10 ms in a process that has not loaded dataclasses and inspect yet: a process turns to it
# once it has written _PLAIN_AFTER bodies, so that one send or one `hookmock fake` does not pay.
_PLAIN_AFTER = 32
_plain_written = 0
_dumps: Callable[..., bytes] | None = None
_options = 0
# Set with _dumps, on first use.
_astral_utf8: Callable[[bytes], object]
_exponents: re.Pattern[bytes]
_zeros: re.Pattern[bytes]


def _load_orjson() -> Callable[..., bytes]:
    global _dumps, _options, _astral_utf8, _exponents, _zeros
    import orjson

    # A 4-byte UTF-8 sequence's first byte: a character outside the Basic Multilingual Plane.
    _astral_utf8 = re.compile(rb"[\xf0-\xf4]").search
    # The two forms of a float below 1e-4 that orjson writes otherwise than json (1e-7 for
    # 1e-07; 0.00001 for 1e-05), where they may be: each found then looked at (_small_float).
    # Searched apart, each pattern starts with text that is found fast.
    _exponents = re.compile(rb"e-[0-9](?![0-9])")
    _zeros = re.compile(rb"0\.0000")
    # Subclasses of str, int, dict and list, dataclasses and datetimes are not written by orjson
    # but raise, as for json they may not mean what orjson would write.
    _options = (
        orjson.OPT_PASSTHROUGH_SUBCLASS
        | orjson.OPT_PASSTHROUGH_DATACLASS
        | orjson.OPT_PASSTHROUGH_DATETIME
    )
    _dumps = orjson.dumps
    return _dumps


def _small_float(body: bytes) -> bool:
    """Whether orjson's *body* has a float below 1e-4, which json writes otherwise: a match of
    the patterns above that starts a number (after a colon, a comma, a bracket or nothing),
    not text inside a string such as a UUID's ``6e-8``."""
    # Most bodies have neither: one search each says so, at less cost than walking matches.
    if _exponents.search(body) is None and _zeros.search(body) is None:
        return False
    for match in _exponents.finditer(body):
        start = match.start()
        while start and body[start - 1] in b"0123456789.":
            start -= 1
        if start and body[start - 1] == 0x2D:  # "-"
            start -= 1
        if not start or body[start - 1] in b":,[":
            return True
    for match in _zeros.finditer(body):
        start = match.start()
        if start and body[start - 1] == 0x2D:
            start -= 1
        if not start or body[start - 1] in b":,[":
            return True
    return False


def zoom_bytes(value: Any) -> bytes:
    """Zoom's bytes of a generated *value*: ``serialize(value, "zoom")``, written faster.

    For values made of JSON's own types only (dicts with string keys, lists, strings, integers,
    floats, booleans, None), as generation makes them: orjson writes other types (a UUID, an
    enum) that json refuses.
    """
    global _plain_written
    dumps = _dumps
    if dumps is None:
        _plain_written += 1
        if _plain_written <= _PLAIN_AFTER:
            return _zoom(value).encode("utf-8")
        dumps = _load_orjson()
    try:
        body = dumps(value, option=_options)
    except TypeError:  # orjson.JSONEncodeError: an integer beyond 64 bits, a key not a string
        return _zoom(value).encode("utf-8")
    if (body.isascii() or not _astral_utf8(body)) and not _small_float(body):
        # orjson's bytes keep the buffer it wrote into (4 KB or more, whatever the length): a
        # body kept in the delivery log is copied into bytes of its own size.
        return bytes(memoryview(body))
    return _zoom(value).encode("utf-8")


def _escaped_slashes(value: Any) -> str:
    # "/" occurs in JSON text only inside strings, so escaping every one keeps the value equal.
    return _zoom(value).replace("/", "\\/")


def _sorted_keys(value: Any) -> str:
    return _astral().sub(
        _surrogate_escape,
        json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True),
    )


SERIALIZATIONS: dict[str, Callable[[Any], str]] = {
    # What Zoom sends: compact, astral characters as surrogate escapes, other text raw UTF-8.
    "zoom": _zoom,
    # Indented with two spaces, as a person or a pretty-printing proxy would write it.
    "pretty": lambda value: json.dumps(value, ensure_ascii=False, indent=2),
    # Every non-ASCII character as a \\uXXXX escape (what json.dumps does by default).
    "ascii": lambda value: json.dumps(value, ensure_ascii=True, separators=(",", ":")),
    # Zoom's bytes with every "/" written as "\\/" (legal JSON, emitted by some PHP/Java encoders).
    "escaped-slashes": _escaped_slashes,
    # Spaces after ":" and "," (Python's json.dumps default separators).
    "spaced": lambda value: json.dumps(value, ensure_ascii=False),
    # Keys in alphabetical order: the same JSON value in another key order.
    "sorted-keys": _sorted_keys,
}


def serialize(value: Any, serialization: str = "zoom") -> bytes:
    """Return the UTF-8 bytes of *value* written in the named *serialization*.

    :raises ValueError: for a name not in :data:`SERIALIZATIONS`.
    """
    try:
        writer = SERIALIZATIONS[serialization]
    except KeyError:
        known = ", ".join(SERIALIZATIONS)
        raise ValueError(
            f"unknown serialization {serialization!r}; choose one of: {known}"
        ) from None
    return writer(value).encode("utf-8")


#: :attr:`Event.data` of an event that keeps only its bytes: parsed from them when read.
_FROM_BODY: Any = object()
# One empty set for every event without overrides (each frozenset() is a new object).
_NO_FIELDS: frozenset[str] = frozenset()


class Event:
    """One webhook event: its name, its JSON value and the exact bytes sent for it.

    Make one with :meth:`hookmock.Zoom.fake` (generated) or :meth:`Event.from_body` (your bytes).
    Events are immutable.

    :ivar name: the event name as the provider spells it (``"meeting.started"``).
    :ivar data: the JSON value of the body. Treat it as read-only: the body is not rebuilt from it.
        The events of recorded deliveries keep only their bytes, and parse them when it is read.
    :ivar body: the bytes that are signed and sent.
    :ivar seed: the seed the values were generated from, or ``None`` for a body given by hand.
    :ivar serialization: how :attr:`body` was written from :attr:`data`.
    """

    __slots__ = ("_data", "body", "name", "overridden", "seed", "serialization")

    name: str
    _data: Any
    body: bytes
    seed: int | None
    serialization: str
    overridden: frozenset[str]

    def __init__(
        self,
        name: str,
        data: Any,
        body: bytes,
        seed: int | None = None,
        serialization: str = "zoom",
        overridden: frozenset[str] = frozenset(),
    ) -> None:
        setter = object.__setattr__
        setter(self, "name", name)
        setter(self, "_data", data)
        setter(self, "body", body)
        setter(self, "seed", seed)
        setter(self, "serialization", serialization)
        setter(self, "overridden", overridden)

    @property
    def data(self) -> Any:
        data = self._data
        if data is _FROM_BODY:
            try:
                return json.loads(self.body)
            except ValueError:
                return None
        return data

    def without_data(self) -> Event:
        """This event keeping only its bytes: :attr:`data` is parsed from them each time it is
        read. What the delivery log keeps, so that a kept delivery costs its bytes, not the
        generated value too."""
        if self._data is _FROM_BODY:
            return self
        overridden = self.overridden or _NO_FIELDS
        return Event(self.name, _FROM_BODY, self.body, self.seed, self.serialization, overridden)

    def __setattr__(self, name: str, value: Any) -> None:
        raise frozen_error(name, kind="an Event")

    def __delattr__(self, name: str) -> None:
        raise frozen_error(name, deleting=True, kind="an Event")

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            Event,
            (self.name, self.data, self.body, self.seed, self.serialization, self.overridden),
        )

    def _key(self) -> tuple[Any, ...]:
        return (self.name, self.data, self.body, self.seed, self.serialization, self.overridden)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Event)
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"Event(name={self.name!r}, data={self.data!r}, body={self.body!r}, "
            f"seed={self.seed!r}, serialization={self.serialization!r})"
        )

    @classmethod
    def build(
        cls,
        name: str,
        data: Any,
        *,
        serialization: str = "zoom",
        seed: int | None = None,
        overridden: frozenset[str] = frozenset(),
    ) -> Event:
        """Write *data* once in *serialization* and wrap the result."""
        writer = SERIALIZATIONS.get(serialization)
        body = serialize(data, serialization) if writer is None else writer(data).encode("utf-8")
        return cls(name, data, body, seed, serialization, overridden)

    @classmethod
    def from_body(cls, body: bytes | str, *, name: str | None = None) -> Event:
        """Wrap bytes given by hand; they are sent exactly as given.

        The name is read from the body's ``"event"`` field unless *name* is given; a body that is
        not JSON needs *name*.
        """
        raw = body.encode("utf-8") if isinstance(body, str) else bytes(body)
        try:
            data: Any = json.loads(raw)
        except ValueError:
            data = None
        if name is None:
            if not (isinstance(data, dict) and isinstance(data.get("event"), str)):
                raise ValueError(
                    "the body has no string 'event' field to take the name from: pass name=..."
                )
            name = data["event"]
        return cls(name, data, raw, None, "verbatim")

    def reserialized(self, serialization: str) -> Event:
        """The same JSON value written in another serialization (a new, separately signed body)."""
        return Event.build(
            self.name,
            self.data,
            serialization=serialization,
            seed=self.seed,
            overridden=self.overridden,
        )

    @property
    def text(self) -> str:
        """The body decoded as UTF-8 (undecodable bytes replaced)."""
        return self.body.decode("utf-8", "replace")
