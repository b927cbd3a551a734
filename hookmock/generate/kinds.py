"""Kinds of values: the drawing context, the value pools, the provider-neutral kinds, and the
makers a provider builds its own kinds with.

A kind is a function of a :class:`Context` that draws one value. The compiler of
:mod:`hookmock.generate.fake` writes the draw of the commonest kinds inline (:data:`INLINE`); the
makers here (:func:`chars`, :func:`pick`, :func:`between`...) register what their kinds do, so that
a provider's kinds made with them are written inline too. Whatever a kind draws, it draws the same
numbers in the same order inline and called.
"""

from __future__ import annotations

import binascii
import functools
import json
import os
import random
import re
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

__all__ = [
    "ALNUM",
    "DIGITS",
    "FORMAT_KINDS",
    "INLINE",
    "NAME_KINDS",
    "NUMBER_KINDS",
    "STRING_KINDS",
    "URLSAFE",
    "Context",
    "Kind",
    "b64url",
    "base64_id",
    "between",
    "between_text",
    "chars",
    "choice",
    "datetime",
    "email",
    "email_for",
    "full_name",
    "hex_of",
    "hex_text",
    "iso",
    "label",
    "local_part",
    "now_ms",
    "one_of",
    "parse_iso",
    "pick",
    "pools",
    "prefixed",
    "uuid",
    "uuid_of",
]

# string.ascii_letters and string.digits, written out: the string module is not imported for them.
DIGITS = "0123456789"
ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" + DIGITS
URLSAFE = ALNUM + "-_"
_URLSAFE_B64 = bytes.maketrans(b"+/", b"-_")
_T = TypeVar("_T")


class Context:
    """What one event's values are drawn from: its seeded generator, the provider clock's
    reading, and what the provider's consistency rules share while they run."""

    __slots__ = ("epochs", "full", "moment", "now", "picks", "random", "rng")

    def __init__(self, rng: random.Random, now: float, full: bool = False) -> None:
        self.rng = rng
        self.random = rng.random
        self.now = now
        #: Every property, also those real deliveries often leave out (x-hookmock-presence).
        self.full = full
        #: When what the event reports happened; the provider's rules set it.
        self.moment = now
        #: The optional properties drawn for each shape of "x-hookmock-pick" object, so that a
        #: change event's object and old_object name the same settings.
        self.picks: dict[frozenset[str], frozenset[str]] = {}
        #: The Unix seconds of each time written by the rules, so that none is parsed back.
        self.epochs: dict[str, float] = {}

    def between(self, low: int, high: int) -> int:
        """An integer in [low, high): randrange's job, without its argument checks."""
        return low + int(self.random() * (high - low))

    def stamp(self, epoch: float, ms: bool) -> str:
        """*epoch* as an ISO time (``YYYY-MM-DDTHH:MM:SSZ``), with milliseconds or without."""
        # What iso() does, written out: the rules write several times per event.
        second = int(epoch)
        minute = second // 60
        start = _MINUTES.get(minute)
        if start is None:
            start = _minute_start(minute)
        text = start + _SECONDS[second - minute * 60]
        if ms:
            return f"{text[:-1]}.{int(epoch * 1000) % 1000:03d}Z"
        self.epochs[text] = float(second)
        return text

    def parse(self, text: str) -> float | None:
        """Unix seconds of a ``YYYY-MM-DDTHH:MM:SSZ`` time, or None."""
        epoch = self.epochs.get(text)
        return parse_iso(text) if epoch is None else epoch


#: A kind: draws one value.
Kind = Callable[[Context], Any]

#: What each kind made by the makers of this module does, for the compiler to write inline:
#: a form and its parameters (see :meth:`hookmock.generate.fake._Compiler.inline`).
INLINE: dict[Callable[[Context], Any], tuple[str, Any]] = {}


@functools.cache
def byte_table(alphabet: str) -> bytes:
    """Maps every byte onto *alphabet*, so one randbytes() call draws a whole string. For the
    64-character alphabets the draw is uniform; for the 62-character one nearly so."""
    return bytes(ord(alphabet[i % len(alphabet)]) for i in range(256))


def chars(alphabet: str, n: int) -> Callable[[Context], str]:
    """*n* characters of *alphabet*."""
    table = byte_table(alphabet)
    bits = 8 * n

    def make(ctx: Context) -> str:
        return ctx.rng.getrandbits(bits).to_bytes(n, "little").translate(table).decode("ascii")

    INLINE[make] = ("chars", ("", alphabet, n))
    return make


def prefixed(prefix: str, alphabet: str, n: int) -> Callable[[Context], str]:
    """*prefix* followed by *n* characters of *alphabet*."""
    draw = chars(alphabet, n)

    def make(ctx: Context) -> str:
        return prefix + draw(ctx)

    INLINE[make] = ("chars", (prefix, alphabet, n))
    return make


def one_of(ctx: Context, choices: Sequence[_T]) -> _T:
    """One of *choices*: random.choice's job, without its checks."""
    return choices[int(ctx.random() * len(choices))]


def iso(epoch: float) -> str:
    """*epoch* as ``YYYY-MM-DDTHH:MM:SSZ``."""
    second = int(epoch)
    minute = second // 60
    start = _MINUTES.get(minute)
    if start is None:
        start = _minute_start(minute)
    return start + _SECONDS[second - minute * 60]


def _minute_start(minute: int) -> str:
    """``YYYY-MM-DDTHH:MM:`` of the *minute*-th minute since the epoch, kept for the next time."""
    day, clock = divmod(minute, 1440)
    date = _DATES.get(day)
    if date is None:
        if len(_DATES) > 4096:
            _DATES.clear()
        date = _DATES[day] = time.strftime("%Y-%m-%d", time.gmtime(day * 86400))
    if len(_MINUTES) > 4096:
        _MINUTES.clear()
    start = _MINUTES[minute] = date + _CLOCK[clock]
    return start


# An ISO time assembled from parts made once: strftime's job, a few times faster. The times of
# one event fall within a few hours (a few hundred minutes), each minute's start made once.
_DATES: dict[int, str] = {}
_MINUTES: dict[int, str] = {}
# Joined from two-digit numbers formatted once: 1,440 f-strings cost a first send a millisecond.
_TWO_DIGITS = [f"{number:02d}" for number in range(60)]
_CLOCK = [
    hour + minute + ":"
    for hour in ["T" + h + ":" for h in _TWO_DIGITS[:24]]
    for minute in _TWO_DIGITS
]
_SECONDS = [second + "Z" for second in _TWO_DIGITS]


# Compiled on first use: a time is parsed back only after an override.
@functools.cache
def _iso() -> re.Pattern[str]:
    return re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)Z")


def parse_iso(text: str) -> float | None:
    """Unix seconds of a ``YYYY-MM-DDTHH:MM:SSZ`` time, or None (strptime's job, faster)."""
    match = _iso().fullmatch(text)
    if match is None:
        return None
    # Imported when a time is parsed back (after an override): most events never are.
    import datetime as dt

    try:
        year, month, day, hour, minute, second = map(int, match.groups())
        moment = dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC)
    except ValueError:
        return None
    return moment.timestamp()


@functools.cache
def pools() -> dict[str, tuple[str, ...]]:
    """Realistic values: faker's, built by ``tools/build_pools.py`` and shipped in
    ``hookmock/generate/data/pools.json`` (read once per process), and those written out here."""
    try:
        # os.path, not pathlib: a first send need not import pathlib.
        with open(os.path.join(os.path.dirname(__file__), "data", "pools.json"), "rb") as file:
            shipped = file.read()
    except OSError as exc:
        # Installed in a zip archive: importlib.resources reads it (and is imported only then).
        from importlib import resources

        try:
            shipped = (
                resources.files("hookmock.generate").joinpath("data", "pools.json").read_bytes()
            )
        except OSError:
            raise RuntimeError(
                "hookmock's value pools are missing "
                f"(hookmock/generate/data/pools.json: {exc.strerror}); "
                "reinstall hookmock, or in a checkout run python tools/build_pools.py"
            ) from None
    built: dict[str, list[str]] = json.loads(shipped)["pools"]
    return {name: tuple(values) for name, values in built.items()} | {
        "domain": ("example.com", "example.org", "example.net"),
        "language": ("en-US", "en-GB", "de-DE", "fr-FR", "es-ES", "ja-JP", "pt-BR", "zh-CN"),
        "label_word": (
            "Main",
            "Support",
            "Sales",
            "Billing",
            "Onboarding",
            "Priority",
            "Escalations",
            "West Coast",
            "EMEA",
            "APAC",
            "Tier 2",
            "VIP",
            "After Hours",
            "Product",
            "Partner",
        ),
        "department": (
            "Sales",
            "Support",
            "Engineering",
            "Marketing",
            "Finance",
            "Operations",
            "Legal",
        ),
        "state_code": ("CA", "NY", "TX", "WA", "IL", "MA", "CO", "GA", "FL", "OR"),
        "calling_code": ("1", "1", "1", "44", "49", "33", "81", "61", "91"),
        # Emoji outside the Basic Multilingual Plane reach receivers as surrogate escapes.
        "emoji": ("👍", "🎉", "😀", "✅", "❤️", "🚀", "👀"),
    }


def pick(pool: str) -> Callable[[Context], str]:
    """One value of the pool named *pool* (see :func:`pools`)."""

    values: tuple[str, ...] = ()

    def make(ctx: Context) -> str:
        # The pool is looked up on the first draw: the pools are read on first use.
        nonlocal values
        if not values:
            values = pools()[pool]
        return values[int(ctx.random() * len(values))]

    INLINE[make] = ("pick", pool)
    return make


def choice(values: Sequence[_T]) -> Callable[[Context], _T]:
    """One of *values*."""
    fixed = tuple(values)

    def make(ctx: Context) -> _T:
        return one_of(ctx, fixed)

    INLINE[make] = ("choice", fixed)
    return make


def full_name(ctx: Context) -> str:
    """A first name and a last name."""
    names = pools()
    return f"{one_of(ctx, names['first_name'])} {one_of(ctx, names['last_name'])}"


INLINE[full_name] = ("full_name", None)


def email(ctx: Context) -> str:
    """The address of a person with a name, at an example domain."""
    return email_for(full_name(ctx), one_of(ctx, pools()["domain"]))


def email_for(name: str, domain: str) -> str:
    """The address a person called *name* has at *domain*."""
    return f"{local_part(name) or 'user'}@{domain}"


def local_part(name: str) -> str:
    """What of *name* an address at a domain starts with: its words in lowercase letters and
    digits, joined by dots; empty when none is left."""
    return ".".join(filter(None, map(_slug, name.split())))


INLINE[email] = ("email", None)


@functools.lru_cache(maxsize=4096)
def _slug(word: str) -> str:
    return re.sub(r"[^a-z0-9]", "", word.lower())


def base64_id(n: int, *, urlsafe: bool, padded: bool) -> Callable[[Context], str]:
    """*n* random bytes in base64: standard or URL-safe, with its padding or without."""
    length = (n + 2) // 3 * 4 if padded else (4 * n + 2) // 3
    table = _URLSAFE_B64 if urlsafe else None

    def make(ctx: Context) -> str:
        raw = ctx.rng.getrandbits(8 * n).to_bytes(n, "little")
        text = binascii.b2a_base64(raw, newline=False)[:length]
        return (text.translate(table) if table is not None else text).decode("ascii")

    INLINE[make] = ("base64", (n, length, table))
    return make


def b64url(raw: bytes) -> str:
    """*raw* in unpadded URL-safe base64."""
    return binascii.b2a_base64(raw, newline=False).translate(_URLSAFE_B64).decode().rstrip("=")


def uuid(ctx: Context) -> str:
    """A version 4 UUID: version digit 4, variant bits 10."""
    h = "%032x" % (ctx.rng.getrandbits(128) & _UUID_CLEAR | _UUID_SET)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


_UUID_CLEAR = ~((0xF << 76) | (0x3 << 62))
_UUID_SET = (0x4 << 76) | (0x2 << 62)


def uuid_of(bits: int) -> str:
    """The version 4 UUID made of 128 random *bits* (what :func:`uuid` draws)."""
    h = "%032x" % (bits & _UUID_CLEAR | _UUID_SET)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


INLINE[uuid] = ("uuid", None)


def datetime(ctx: Context) -> str:
    """An ISO time in the two hours before the clock's reading."""
    return iso(ctx.now - ctx.between(0, 7200))


INLINE[datetime] = ("datetime", None)


def _date(ctx: Context) -> str:
    return iso(ctx.now + ctx.between(0, 30) * 86400)[:10]


def _phone(ctx: Context) -> str:
    return f"1{ctx.between(2_000_000_000, 10_000_000_000)}"


def _phone_e164(ctx: Context) -> str:
    # A North American number: +1, then an area code and exchange that do not start with 0 or 1.
    number = int(ctx.random() * (800 * 800 * 10000))
    return f"+1{200 + number // 8_000_000}{200 + number // 10000 % 800}{number % 10000:04d}"


def _datetime_ms(ctx: Context) -> str:
    moment = ctx.now - int(ctx.random() * 7_200_000) / 1000
    return f"{iso(moment)[:-1]}.{int(moment * 1000) % 1000:03d}Z"


def hex_text(ctx: Context, digits: int) -> str:
    """*digits* random lowercase hexadecimal digits."""
    return f"{ctx.rng.getrandbits(4 * digits):0{digits}x}"


def hex_of(digits: int) -> Callable[[Context], str]:
    """*digits* random lowercase hexadecimal digits."""

    def make(ctx: Context) -> str:
        return hex_text(ctx, digits)

    INLINE[make] = ("hex", digits)
    return make


def now_ms(ctx: Context) -> int:
    """The clock's reading in Unix milliseconds."""
    return int(ctx.now * 1000)


INLINE[now_ms] = ("now_ms", None)


def label(noun: str) -> Callable[[Context], str]:
    """A short name for a thing, such as "Billing Queue" for ``queue_name``."""
    if not noun:
        return pick("topic")

    def make(ctx: Context) -> str:
        return f"{one_of(ctx, pools()['label_word'])} {noun}"

    INLINE[make] = ("label", noun)
    return make


def between(low: int, high: int) -> Callable[[Context], int]:
    """An integer in [low, high)."""

    def make(ctx: Context) -> int:
        return ctx.between(low, high)

    INLINE[make] = ("between", (low, high))
    return make


def between_text(low: int, high: int) -> Callable[[Context], str]:
    """An integer in [low, high), written as text."""

    def make(ctx: Context) -> str:
        return str(ctx.between(low, high))

    INLINE[make] = ("between_text", (low, high))
    return make


_alnum_10 = chars(ALNUM, 10)

#: The provider-neutral kinds of strings.
STRING_KINDS: Mapping[str, Kind] = {
    "uuid": uuid,
    "email": email,
    "name": full_name,
    "first_name": pick("first_name"),
    "last_name": pick("last_name"),
    "company": pick("company"),
    "job_title": pick("job_title"),
    "phone_number": _phone,
    "ipv4": pick("ipv4"),
    "city": pick("city"),
    "country_code": pick("country_code"),
    "language": pick("language"),
    "timezone": pick("timezone"),
    "topic": pick("topic"),
    "text": pick("text"),
    "password": chars(ALNUM, 8),
    "token": chars(URLSAFE, 32),
    "url": lambda ctx: f"https://{one_of(ctx, pools()['domain'])}/{_alnum_10(ctx)}",
    "datetime": datetime,
    "date": _date,
    "phone_e164": _phone_e164,
    "numeric_id": between_text(10**18, 10**19),
    "hex_id": hex_of(32),
    "sha256_hex": hex_of(64),
    "datetime_ms": _datetime_ms,
    "time_of_day": lambda ctx: f"{ctx.between(6, 21):02d}:{one_of(ctx, ('00', '30'))}",
    "label": label(""),
    "calling_code": pick("calling_code"),
    "state_code": pick("state_code"),
    "zip_code": lambda ctx: f"{ctx.between(1000, 100000):05d}",
    "street_address": pick("street_address"),
    "department": pick("department"),
    "port": between_text(1024, 65536),
    "mac_address": lambda ctx: ":".join(hex_text(ctx, 12)[i : i + 2] for i in range(0, 12, 2)),
    "domain": pick("domain"),
    "pin": lambda ctx: f"{ctx.between(0, 1_000_000):06d}",
    "emoji": pick("emoji"),
}

#: The provider-neutral kinds of integers.
NUMBER_KINDS: Mapping[str, Kind] = {
    "file_size": between(50_000, 400_000_000),
    "duration": choice((15, 30, 30, 45, 60, 60, 90)),
    "count": between(1, 6),
    "unix_seconds": lambda ctx: int(ctx.now) - ctx.between(0, 7200),
    "unix_ms": now_ms,
    "seconds": between(1, 600),
    "port": between(1024, 65536),
}

#: Kinds guessed from a property's name when the schema names none: names that mean the same
#: whoever sends them.
NAME_KINDS: Mapping[str, str] = {
    "email": "email",
    "user_name": "name",
    "display_name": "name",
    "first_name": "first_name",
    "last_name": "last_name",
    "company": "company",
    "job_title": "job_title",
    "phone_number": "phone_number",
    "ip_address": "ipv4",
    "timezone": "timezone",
    "topic": "topic",
    "agenda": "text",
    "password": "password",
    "file_size": "file_size",
    "total_size": "file_size",
    "duration": "duration",
}

#: Kinds of strings guessed from a schema's ``format``.
FORMAT_KINDS: Mapping[str, str] = {
    "date-time": "datetime",
    "date": "date",
    "email": "email",
    "uri": "url",
}
