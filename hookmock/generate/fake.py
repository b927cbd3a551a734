"""Seeded generation of schema-valid events, and overrides.

How a value is chosen, in order: the schema's ``const``, ``enum`` or ``examples``; its
``x-hookmock-fake`` kind (one of :data:`FAKE_KINDS`); a kind guessed from the property's name;
its ``format``; its type. Then a coherence pass makes related fields agree as in real
deliveries (ZOOM.md §8), leaving alone every field a caller overrode: the field that reports the
event (``join_time``, a meeting's ``end_time``...) lies within a second and a half before
``event_ts`` and nothing but a scheduled time after it; join URLs contain the meeting id; a
participant's ``id`` is its ``participant_user_id``, and some participants are guests with empty
ids and email; recording files weigh what their type and length make and add up to
``total_size``; an email matches its person's name. Each event's schema is compiled once into a
plan: a function that draws the body, and the objects where each rule applies; a value that a
rule sets is not drawn first, unless an override took away what the rule needs.

Every declared property is generated, except that a property with ``"x-hookmock-skip": true``
is left out (unless required), one with ``"x-hookmock-presence": p`` is there with probability
*p* (always with ``full=True``), and an object with ``"x-hookmock-pick": n`` carries its required
properties and one to *n* of the others (a settings change names only the settings that
changed, the same ones in ``object`` and ``old_object``). A list has minItems to maxItems items,
or one to three when maxItems is large (Zoom's limits of 20 or 100 are no typical size).

Reproducible: the same event name, seed, clock reading and overrides give the same bytes (with the
same version of hookmock). Realistic values come from pools that faker fills at build time
(``tools/build_pools.py``, from a fixed seed) and the package ships; each event draws from the
pools with a ``random.Random`` seeded with its seed (reseeded, not made anew), which keeps one
generation in the tens of microseconds.
"""

from __future__ import annotations

import _random
import binascii
import functools
import json
import os
import random
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from ..errors import ConfigurationError, OverrideError
from .catalog import load_schema, registered, revision

__all__ = ["FAKE_KINDS", "REMOVE", "apply_overrides", "generate"]


class _Remove:
    def __repr__(self) -> str:
        return "hookmock.REMOVE"


#: Use as an override value to delete a field from the generated event.
REMOVE: Any = _Remove()

# string.ascii_letters and string.digits, written out: the string module is not imported for them.
_DIGITS = "0123456789"
_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" + _DIGITS
_URLSAFE = _ALNUM + "-_"
_ZOOM_WEB = "https://us05web.zoom.us"
_URLSAFE_B64 = bytes.maketrans(b"+/", b"-_")
_T = TypeVar("_T")


class _Ctx:
    __slots__ = (
        "anchor",
        "epochs",
        "full",
        "marks",
        "moment",
        "now",
        "picks",
        "random",
        "rng",
    )

    def __init__(self, rng: random.Random, now: float, full: bool = False) -> None:
        self.rng = rng
        self.random = rng.random
        self.now = now
        #: Every property, also those real deliveries often leave out (x-hookmock-presence).
        self.full = full
        #: When what the event reports happened, the fields that report it, and where the
        #: event's meeting is in time (see _anchor).
        self.moment = now
        self.marks: frozenset[str] = frozenset()
        self.anchor = "running"
        #: The optional properties drawn for each shape of "x-hookmock-pick" object, so that a
        #: change event's object and old_object name the same settings.
        self.picks: dict[frozenset[str], frozenset[str]] = {}
        #: The Unix seconds of each time written by the rules, so that none is parsed back.
        self.epochs: dict[str, float] = {}

    def between(self, low: int, high: int) -> int:
        """An integer in [low, high): randrange's job, without its argument checks."""
        return low + int(self.random() * (high - low))

    def stamp(self, epoch: float, ms: bool) -> str:
        """*epoch* as one of Zoom's ISO times, with milliseconds or without."""
        text = _iso(epoch)
        if ms:
            return f"{text[:-1]}.{int(epoch * 1000) % 1000:03d}Z"
        self.epochs[text] = float(int(epoch))
        return text

    def parse(self, text: str) -> float | None:
        """Unix seconds of a ``YYYY-MM-DDTHH:MM:SSZ`` time, or None."""
        epoch = self.epochs.get(text)
        return _parse_iso(text) if epoch is None else epoch


@functools.cache
def _byte_table(alphabet: str) -> bytes:
    # Maps every byte onto the alphabet, so one randbytes() call draws a whole string. For the
    # 64-character alphabets the draw is uniform; for the 62-character one nearly so.
    return bytes(ord(alphabet[i % len(alphabet)]) for i in range(256))


def _chars(alphabet: str, n: int) -> Callable[[_Ctx], str]:
    table = _byte_table(alphabet)
    bits = 8 * n

    def make(ctx: _Ctx) -> str:
        return ctx.rng.getrandbits(bits).to_bytes(n, "little").translate(table).decode("ascii")

    _CHARS[make] = ("", alphabet, n)
    return make


def _prefixed(prefix: str, alphabet: str, n: int) -> Callable[[_Ctx], str]:
    """*prefix* followed by *n* characters of *alphabet*."""
    chars = _chars(alphabet, n)

    def make(ctx: _Ctx) -> str:
        return prefix + chars(ctx)

    _CHARS[make] = (prefix, alphabet, n)
    return make


#: What each function made by _chars and _prefixed writes (the compiler writes it inline).
_CHARS: dict[Callable[[_Ctx], str], tuple[str, str, int]] = {}


def _one_of(ctx: _Ctx, choices: Sequence[_T]) -> _T:
    """One of *choices*: random.choice's job, without its checks."""
    return choices[int(ctx.random() * len(choices))]


def _iso(epoch: float) -> str:
    day, second = divmod(int(epoch), 86400)
    date = _DATES.get(day)
    if date is None:
        if len(_DATES) > 4096:
            _DATES.clear()
        date = _DATES[day] = time.strftime("%Y-%m-%d", time.gmtime(day * 86400))
    minute, second = divmod(second, 60)
    return date + _CLOCK[minute] + _SECONDS[second]


# An ISO time assembled from parts made once: strftime's job, a few times faster.
_DATES: dict[int, str] = {}
_CLOCK = [f"T{hour:02d}:{minute:02d}:" for hour in range(24) for minute in range(60)]
_SECONDS = [f"{second:02d}Z" for second in range(60)]


_ISO = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)Z")


def _parse_iso(text: str) -> float | None:
    """Unix seconds of a ``YYYY-MM-DDTHH:MM:SSZ`` time, or None (strptime's job, faster)."""
    match = _ISO.fullmatch(text)
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
def _pools() -> dict[str, tuple[str, ...]]:
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
        "device": ("Windows", "Mac", "iOS", "Android", "Linux", "Zoom Rooms", "Web"),
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
        "leave_reason": (
            "left the meeting.<br>Reason: Host ended the meeting.",
            "left the meeting.<br>Reason: left the meeting.",
            "left the meeting.<br>Reason: Connection lost.",
            "left the meeting.<br>Reason: Removed by host.",
        ),
    }


def _pick(pool: str) -> Callable[[_Ctx], str]:
    def make(ctx: _Ctx) -> str:
        return _one_of(ctx, _pools()[pool])

    _PICKS[make] = pool
    return make


#: The pool each function made by _pick draws from (the compiler writes its draw inline).
_PICKS: dict[Callable[[_Ctx], str], str] = {}


def _full_name(ctx: _Ctx) -> str:
    pools = _pools()
    return f"{_one_of(ctx, pools['first_name'])} {_one_of(ctx, pools['last_name'])}"


def _email(ctx: _Ctx) -> str:
    return _email_for(_full_name(ctx), _one_of(ctx, _pools()["domain"]))


def _email_for(name: str, domain: str) -> str:
    local = ".".join(filter(None, map(_slug, name.split())))
    return f"{local or 'user'}@{domain}"


@functools.lru_cache(maxsize=4096)
def _slug(word: str) -> str:
    return re.sub(r"[^a-z0-9]", "", word.lower())


def _meeting_number(ctx: _Ctx) -> int:
    return ctx.between(10**9, 10**11)


def _zoom_id(ctx: _Ctx) -> str:
    # Zoom's user and account ids are 16 bytes in unpadded URL-safe base64 (22 characters).
    raw = ctx.rng.getrandbits(128).to_bytes(16, "little")
    return binascii.b2a_base64(raw, newline=False)[:22].translate(_URLSAFE_B64).decode("ascii")


def _meeting_uuid(ctx: _Ctx) -> str:
    # A meeting's UUID is 16 bytes in standard base64, padding included (ZOOM.md §6).
    raw = ctx.rng.getrandbits(128).to_bytes(16, "little")
    return binascii.b2a_base64(raw, newline=False).decode("ascii")


_urlsafe_32 = _chars(_URLSAFE, 32)
_urlsafe_16 = _chars(_URLSAFE, 16)
_alnum_10 = _chars(_ALNUM, 10)
_alnum_32 = _chars(_ALNUM, 32)


def _uuid(ctx: _Ctx) -> str:
    # A version 4 UUID: version digit 4, variant bits 10.
    h = "%032x" % (ctx.rng.getrandbits(128) & _UUID_CLEAR | _UUID_SET)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


_UUID_CLEAR = ~((0xF << 76) | (0x3 << 62))
_UUID_SET = (0x4 << 76) | (0x2 << 62)


def _participant_uuid(ctx: _Ctx) -> str:
    # Uppercase and dashed, as in real deliveries (ZOOM.md §8).
    h = f"{ctx.rng.getrandbits(128):032X}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _b64url(raw: bytes) -> str:
    return binascii.b2a_base64(raw, newline=False).translate(_URLSAFE_B64).decode().rstrip("=")


def _jwt(ctx: _Ctx) -> str:
    """A token shaped like a JWT, as Zoom's ``download_token`` is (ZOOM.md §8): a header and
    claims that decode, valid 24 hours, and a signature of the right length that nothing checks."""
    header = b'{"alg":"HS512","typ":"JWT"}'
    issued = int(ctx.now)
    claims = (
        f'{{"iss":"web","aud":"webhook_download","uid":"{_zoom_id(ctx)}",'
        f'"iat":{issued},"exp":{issued + 86400}}}'
    )
    return f"{_b64url(header)}.{_b64url(claims.encode())}.{_b64url(ctx.rng.randbytes(64))}"


def _webhook_download_url(ctx: _Ctx) -> str:
    # Recording events point at /rec/webhook_download/ (ZOOM.md §8), the API at /rec/download/.
    return f"{_ZOOM_WEB}/rec/webhook_download/{_b64url(ctx.rng.randbytes(48))}.{_urlsafe_16(ctx)}"


def _datetime(ctx: _Ctx) -> str:
    return _iso(ctx.now - ctx.between(0, 7200))


def _date(ctx: _Ctx) -> str:
    return _iso(ctx.now + ctx.between(0, 30) * 86400)[:10]


def _phone(ctx: _Ctx) -> str:
    return f"1{ctx.between(2_000_000_000, 10_000_000_000)}"


def _phone_e164(ctx: _Ctx) -> str:
    # A North American number: +1, then an area code and exchange that do not start with 0 or 1.
    number = ctx.between(0, 800 * 800 * 10000)
    return f"+1{200 + number // 8_000_000}{200 + number // 10000 % 800}{number % 10000:04d}"


def _datetime_ms(ctx: _Ctx) -> str:
    moment = ctx.now - ctx.between(0, 7_200_000) / 1000
    return f"{_iso(moment)[:-1]}.{int(moment * 1000) % 1000:03d}Z"


def _hex(ctx: _Ctx, digits: int) -> str:
    return f"{ctx.rng.getrandbits(4 * digits):0{digits}x}"


def _hex_of(digits: int) -> Callable[[_Ctx], str]:
    def make(ctx: _Ctx) -> str:
        return _hex(ctx, digits)

    _HEX_DIGITS[make] = digits
    return make


#: The number of digits of each function made by _hex_of (written inline).
_HEX_DIGITS: dict[Callable[[_Ctx], str], int] = {}


def _event_ts(ctx: _Ctx) -> int:
    return int(ctx.now * 1000)


def _label(noun: str) -> Callable[[_Ctx], str]:
    """A short name for a thing, such as "Billing Queue" for ``queue_name``."""
    if not noun:
        return _pick("topic")

    def make(ctx: _Ctx) -> str:
        return f"{_one_of(ctx, _pools()['label_word'])} {noun}"

    return make


def _version(ctx: _Ctx) -> str:
    build = ctx.between(10000, 60000)
    return f"{ctx.between(5, 7)}.{ctx.between(0, 10)}.{ctx.between(0, 10)} ({build})"


def _leave_reason(ctx: _Ctx) -> str:
    return f"{_full_name(ctx)} {_one_of(ctx, _pools()['leave_reason'])}"


def _between(low: int, high: int) -> Callable[[_Ctx], int]:
    def make(ctx: _Ctx) -> int:
        return ctx.between(low, high)

    _BETWEEN[make] = (low, high)
    return make


def _between_text(low: int, high: int) -> Callable[[_Ctx], str]:
    def make(ctx: _Ctx) -> str:
        return str(ctx.between(low, high))

    _BETWEEN_TEXT[make] = (low, high)
    return make


#: The bounds of each function made by _between and _between_text (written inline).
_BETWEEN: dict[Callable[[_Ctx], int], tuple[int, int]] = {}
_BETWEEN_TEXT: dict[Callable[[_Ctx], str], tuple[int, int]] = {}

_STRING_KINDS: dict[str, Callable[[_Ctx], Any]] = {
    "zoom_id": _zoom_id,
    "meeting_uuid": _meeting_uuid,
    "meeting_number": _between_text(10**9, 10**11),
    "pmi": _between_text(10**9, 10**10),
    "uuid": _uuid,
    "participant_uuid": _participant_uuid,
    "email": _email,
    "name": _full_name,
    "first_name": _pick("first_name"),
    "last_name": _pick("last_name"),
    "company": _pick("company"),
    "job_title": _pick("job_title"),
    "phone_number": _phone,
    "ipv4": _pick("ipv4"),
    "city": _pick("city"),
    "country_code": _pick("country_code"),
    "language": _pick("language"),
    "timezone": _pick("timezone"),
    "topic": _pick("topic"),
    "text": _pick("text"),
    "password": _chars(_ALNUM, 8),
    "token": _chars(_URLSAFE, 32),
    "plain_token": _chars(_URLSAFE, 22),
    "join_url": lambda ctx: f"{_ZOOM_WEB}/j/{_meeting_number(ctx)}",
    "start_url": lambda ctx: f"{_ZOOM_WEB}/s/{_meeting_number(ctx)}",
    "share_url": _prefixed(f"{_ZOOM_WEB}/rec/share/", _URLSAFE, 32),
    "play_url": _prefixed(f"{_ZOOM_WEB}/rec/play/", _URLSAFE, 32),
    "download_url": _webhook_download_url,
    "jwt": _jwt,
    "url": lambda ctx: f"https://{_one_of(ctx, _pools()['domain'])}/{_alnum_10(ctx)}",
    "datetime": _datetime,
    "date": _date,
    "leave_reason": _leave_reason,
    "version": _version,
    "device": _pick("device"),
    "phone_e164": _phone_e164,
    "extension_number": _between_text(100, 1_000_000),
    "numeric_id": _between_text(10**18, 10**19),
    "hex_id": _hex_of(32),
    "sha256_hex": _hex_of(64),
    "dated_uuid": lambda ctx: f"{_iso(ctx.now)[:10].replace('-', '')}-{_uuid(ctx)}",
    "zw_id": lambda ctx: f"ZW{_one_of(ctx, 'TRW')}{_hex(ctx, 32).upper()}",
    "datetime_ms": _datetime_ms,
    "time_of_day": lambda ctx: f"{ctx.between(6, 21):02d}:{_one_of(ctx, ('00', '30'))}",
    "label": _label(""),
    "calling_code": _pick("calling_code"),
    "state_code": _pick("state_code"),
    "zip_code": lambda ctx: f"{ctx.between(1000, 100000):05d}",
    "street_address": _pick("street_address"),
    "department": _pick("department"),
    "port": _between_text(1024, 65536),
    "mac_address": lambda ctx: ":".join(_hex(ctx, 12)[i : i + 2] for i in range(0, 12, 2)),
    "domain": _pick("domain"),
    "pin": lambda ctx: f"{ctx.between(0, 1_000_000):06d}",
    "emoji": _pick("emoji"),
    "event_ts": lambda ctx: str(int(ctx.now * 1000)),  # where Zoom's schema says a string
    # Quality-of-service figures, which Zoom sends as text with their unit.
    "percent_text": lambda ctx: f"{ctx.between(0, 300) / 100:g}%",
    "ms_text": lambda ctx: f"{ctx.between(1, 250)} ms",
    "kbps_text": lambda ctx: f"{ctx.between(20, 2500)} kbps",
    "fps_text": lambda ctx: f"{_one_of(ctx, (15, 24, 25, 30))} fps",
    "resolution": lambda ctx: _one_of(ctx, ("640*360", "1280*720", "1920*1080")),
    "gps": lambda ctx: (
        f"{ctx.between(-6000, 6000) / 100:.5f},{ctx.between(-18000, 18000) / 100:.5f}"
    ),
}

_NUMBER_KINDS: dict[str, Callable[[_Ctx], int]] = {
    "meeting_number": _between(10**9, 10**11),
    "pmi": _between(10**9, 10**10),
    "event_ts": _event_ts,
    "file_size": _between(50_000, 400_000_000),
    "duration": lambda ctx: _one_of(ctx, (15, 30, 30, 45, 60, 60, 90)),
    "count": _between(1, 6),
    "unix_seconds": lambda ctx: int(ctx.now) - ctx.between(0, 7200),
    "seconds": _between(1, 600),
    "extension_number": _between(100, 1_000_000),
    "port": _between(1024, 65536),
}

#: Every value of ``x-hookmock-fake`` a schema may use.
FAKE_KINDS: frozenset[str] = frozenset(_STRING_KINDS) | frozenset(_NUMBER_KINDS)

# Kinds guessed from a property's name when the schema names none.
_NAME_KINDS = {
    "account_id": "zoom_id",
    "host_id": "zoom_id",
    "user_id": "zoom_id",
    "operator_id": "zoom_id",
    "participant_user_id": "zoom_id",
    "registrant_id": "zoom_id",
    "uuid": "meeting_uuid",
    "email": "email",
    "host_email": "email",
    "operator": "email",
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
    "join_url": "join_url",
    "start_url": "start_url",
    "share_url": "share_url",
    "play_url": "play_url",
    "download_url": "download_url",
    "download_token": "jwt",
    "plainToken": "plain_token",
    "leave_reason": "leave_reason",
    "file_size": "file_size",
    "total_size": "file_size",
    "duration": "duration",
    "event_ts": "event_ts",
}
_FORMAT_KINDS = {"date-time": "datetime", "date": "date", "email": "email", "uri": "url"}

_Gen = Callable[[_Ctx], Any]


def _resolve(node: Mapping[str, Any], root: Mapping[str, Any], where: str) -> Mapping[str, Any]:
    """*node* with its ``$ref`` followed and its first combinator branch merged in (the first
    branch is the realistic one by the catalog's convention): the node a value is drawn for."""
    while True:
        if "$ref" in node:
            ref = node["$ref"]
            if not ref.startswith("#/"):
                raise ConfigurationError(f"{where}: only local $refs are supported, got {ref!r}")
            target: Any = root
            for part in ref[2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = target
            continue
        if "const" in node or "enum" in node:
            return node
        if "examples" in node and "x-hookmock-fake" not in node:
            return node
        for combinator in ("anyOf", "oneOf", "allOf"):
            if combinator in node:
                merged = {k: v for k, v in node.items() if k != combinator}
                merged.update(node[combinator][0])
                node = merged
                break
        else:
            return node


def _type(node: Mapping[str, Any]) -> str:
    types = node.get("type", "object" if "properties" in node else "string")
    return str(types[0] if isinstance(types, list) else types)


def _string_kind(node: Mapping[str, Any], name: str) -> str | None:
    """The kind of value drawn for a string *node* named *name*; None for a pattern or
    random letters."""
    explicit = node.get("x-hookmock-fake")
    if explicit is None and "pattern" in node:
        return None
    kind = explicit or _NAME_KINDS.get(name) or _FORMAT_KINDS.get(node.get("format", ""))
    if kind is None and name.endswith("_id"):
        kind = "zoom_id"
    if kind is None and name.endswith("_time"):
        kind = "datetime"
    return kind


class _Compiler:
    """Compiles one event's schema into a function that draws its body, and a plan of where
    the consistency rules apply (:class:`_Node`) so that a value a rule sets is not drawn.

    The body is drawn by Python source written here and compiled once per event: one dict
    display per object, with constants, enums, booleans and integer ranges drawn inline, so
    that drawing a field costs no call of its own; so are names, ids and picks from the value
    pools (:meth:`inline`). The source holds only names of values bound in :attr:`env`,
    integers, and the property names written with ``repr``.
    """

    def __init__(self, root: Mapping[str, Any], anchor: str) -> None:
        self.root = root
        self.anchor = anchor
        self.env: dict[str, Any] = {}
        self.source: list[str] = []
        self.later: list[tuple[_Later, str]] = []

    def bind(self, value: Any) -> str:
        name = f"_v{len(self.env)}"
        self.env[name] = value
        return name

    def function(self, lines: Iterable[str]) -> str:
        """The name of a function of ``ctx`` with *lines* as its body (``r`` is ``ctx.random``,
        ``g`` its getrandbits), defined by :meth:`finish`."""
        name = self.bind(None)
        body = "".join(f"    {line}\n" for line in lines)
        head = "    r = ctx.random\n    g = ctx.rng.getrandbits\n"
        self.source.append(f"def {name}(ctx):\n{head}{body}")
        return name

    def finish(self, expr: str) -> _Gen:
        """Define every function written (compiling the source once), and return one that
        evaluates *expr*."""
        name = self.function([f"return {expr}"])
        exec("\n".join(self.source), self.env)
        for later, draw in self.later:
            later.draw = self.env[draw]
        gen: _Gen = self.env[name]
        return gen

    def compile(
        self,
        node: Mapping[str, Any],
        name: str,
        where: str,
        defer: frozenset[str] = frozenset(),
    ) -> tuple[str, _Node | _Items | None]:
        """An expression that draws one value for *node*, and where rules apply inside it.

        :param defer: the properties a rule of the enclosing object sets, when this is an
            object (or a list of objects).
        """
        node = _resolve(node, self.root, where)
        if "const" in node:
            return self.bind(node["const"]), None
        if "enum" in node or ("examples" in node and "x-hookmock-fake" not in node):
            choices = tuple(node["enum"] if "enum" in node else node["examples"])
            if len(choices) == 1:
                return self.bind(choices[0]), None
            return f"{self.bind(choices)}[int(r() * {len(choices)})]", None
        typ = _type(node)
        if typ == "object":
            return self.compile_object(node, where, defer)
        if typ == "array":
            if "items" not in node:
                return "[]", None  # nothing is known of the elements
            item, plan = self.compile(node["items"], name, where + "[]", defer)
            low = int(node.get("minItems", 1))
            high = int(node.get("maxItems", max(low, 3)))
            high = high if high <= 10 else max(low, 3)  # Zoom allows 100 (and 20): 3 will do
            count = _uniform_int(low, high)
            return f"[{item} for _ in range({count})]", (None if plan is None else _Items(plan))
        if typ == "boolean":
            return "(r() < 0.5)", None
        if typ == "integer" and (node.get("x-hookmock-fake") or _NAME_KINDS.get(name)) not in (
            _NUMBER_KINDS
        ):
            low = int(node.get("minimum", 0))
            return _uniform_int(low, int(node.get("maximum", max(low, 100)))), None
        draw = _leaf(node, name, where)
        return self.inline(draw) or f"{self.bind(draw)}(ctx)", None

    def inline(self, draw: _Gen) -> str | None:
        """An expression that does what *draw* does, drawing the same numbers in the same
        order, for the most common kinds; None for the others."""
        if draw in _PICKS:
            pool = _pools()[_PICKS[draw]]
            return f"{self.bind(pool)}[int(r() * {len(pool)})]"
        if draw is _full_name:
            first, last = _pools()["first_name"], _pools()["last_name"]
            return (
                f"f'{{{self.bind(first)}[int(r() * {len(first)})]}} "
                f"{{{self.bind(last)}[int(r() * {len(last)})]}}'"
            )
        if draw is _zoom_id:
            b2a, table = self.bind(binascii.b2a_base64), self.bind(_URLSAFE_B64)
            return (
                f"{b2a}(g(128).to_bytes(16, 'little'), newline=False)[:22]"
                f".translate({table}).decode('ascii')"
            )
        chars = _CHARS.get(draw)
        if chars is not None:
            prefix, alphabet, n = chars
            text = (
                f"g({8 * n}).to_bytes({n}, 'little')"
                f".translate({self.bind(_byte_table(alphabet))}).decode('ascii')"
            )
            return f"({self.bind(prefix)} + {text})" if prefix else text
        if draw is _datetime:
            return f"{self.bind(_iso)}(ctx.now - int(r() * 7200))"
        if draw is _event_ts:
            return "int(ctx.now * 1000)"
        digits = _HEX_DIGITS.get(draw)
        if digits is not None:
            return f"f'{{g({4 * digits}):0{digits}x}}'"
        between = _BETWEEN.get(draw)
        if between is not None:
            low, high = between
            return f"({low} + int(r() * {high - low}))"
        between = _BETWEEN_TEXT.get(draw)
        if between is not None:
            low, high = between
            return f"str({low} + int(r() * {high - low}))"
        return None

    def compile_object(
        self, node: Mapping[str, Any], where: str, defer: frozenset[str]
    ) -> tuple[str, _Node | None]:
        required = set(node.get("required", ()))
        properties = {
            key: sub
            for key, sub in node.get("properties", {}).items()
            if key in required or not sub.get("x-hookmock-skip")
        }
        resolved = {k: _resolve(sub, self.root, f"{where}.{k}") for k, sub in properties.items()}
        plan = _Node(frozenset(properties), where, self.anchor)
        # Which properties a rule of this object sets (drawn only if it does not), and which
        # ones a rule sets in the objects below.
        own = _deferred(plan, resolved) | (defer & _drawable(resolved))
        below = _deferred_below(plan, resolved)
        exprs: dict[str, str] = {}
        for key, sub in properties.items():
            expr, child = self.compile(sub, key, f"{where}.{key}", below.get(key, frozenset()))
            if key in own:
                later = _Later(resolved[key], key)
                self.later.append((later, self.function([f"return {expr}"])))
                if key not in defer:
                    plan.later.append((key, later))
                expr = self.bind(later)
            exprs[key] = expr
            if child is not None:
                plan.children.append((key, child))
        return self.object_maker(node, properties, required, exprs), (plan if plan.needed else None)

    def object_maker(
        self,
        node: Mapping[str, Any],
        properties: Mapping[str, Any],
        required: set[str],
        exprs: Mapping[str, str],
    ) -> str:
        pick = node.get("x-hookmock-pick")
        # When each property is there: always (None), with a probability (a float), or when
        # drawn among the optional properties of an "x-hookmock-pick" object ("pick").
        when: dict[str, float | str | None] = dict.fromkeys(properties)
        if pick is not None:
            when.update((key, "pick") for key in properties if key not in required)
        else:
            when.update(
                (key, float(sub["x-hookmock-presence"]))
                for key, sub in properties.items()
                if "x-hookmock-presence" in sub and key not in required
            )
        if all(w is None for w in when.values()):
            return "{" + ", ".join(f"{key!r}: {exprs[key]}" for key in properties) + "}"
        lines = ["d = {}"]
        if pick is not None:
            optional = [key for key, w in when.items() if w == "pick"]
            choose = self.bind(_chooser(optional, int(pick), frozenset(properties)))
            lines.append(f"chosen = {choose}(ctx)")
        for key, w in when.items():
            if w is None:
                lines.append(f"d[{key!r}] = {exprs[key]}")
            elif w == "pick":
                lines.append(f"if {key!r} in chosen: d[{key!r}] = {exprs[key]}")
            else:
                # A property real deliveries often leave out is there as often as they carry it.
                lines.append(f"if ctx.full or r() < {self.bind(w)}: d[{key!r}] = {exprs[key]}")
        lines.append("return d")
        return f"{self.function(lines)}(ctx)"


def _uniform_int(low: int, high: int) -> str:
    """An expression for an integer in [low, high]."""
    return str(low) if high <= low else f"({low} + int(r() * {high + 1 - low}))"


def _chooser(optional: list[str], pick: int, shape: frozenset[str]) -> Callable[[_Ctx], Any]:
    most = min(pick, len(optional))

    def choose(ctx: _Ctx) -> frozenset[str]:
        # One to `pick` of the optional properties; the same ones wherever an object of the
        # same properties recurs in the event (a change event's object and old_object).
        chosen = ctx.picks.get(shape)
        if chosen is None:
            drawn = ctx.rng.sample(optional, ctx.between(1, most + 1)) if most else []
            chosen = ctx.picks[shape] = frozenset(drawn)
        return chosen

    return choose


def _leaf(node: Mapping[str, Any], name: str, where: str) -> _Gen:
    typ = _type(node)
    if typ in ("integer", "number"):
        kind = node.get("x-hookmock-fake") or _NAME_KINDS.get(name)
        if kind in _NUMBER_KINDS:
            return _NUMBER_KINDS[kind]
        low = int(node.get("minimum", 0))
        high = int(node.get("maximum", max(low, 100)))
        return lambda ctx: round(ctx.rng.uniform(low, high), 2)
    if typ == "null":
        return lambda ctx: None
    kind = _string_kind(node, name)
    if kind is None and node.get("x-hookmock-fake") is None and "pattern" in node:
        return _pattern_generator(node["pattern"], where)
    if kind == "label":
        # "queue_name" is a queue's name, "group" a group's; "name" or "title" says nothing.
        words = name.split("_")
        words = words[:-1] if words[-1] in ("name", "title", "subject", "label") else words
        return _label(" ".join(words).title())
    if kind is not None:
        if kind not in _STRING_KINDS:
            raise ConfigurationError(f"{where}: unknown x-hookmock-fake kind {kind!r}")
        return _STRING_KINDS[kind]
    low = node.get("minLength", 8)
    high = min(node.get("maxLength", max(low, 16)), max(low, 16))
    table = _byte_table(_ALNUM)

    def letters(ctx: _Ctx) -> str:
        n = ctx.between(low, high + 1)
        return ctx.rng.getrandbits(8 * n).to_bytes(n, "little").translate(table).decode()

    return letters


_Emit = Callable[[_Ctx, list[str]], None]


def _emit_one_of(pool: list[str]) -> _Emit:
    def emit(ctx: _Ctx, out: list[str]) -> None:
        out.append(pool[0] if len(pool) == 1 else _one_of(ctx, pool))

    return emit


def _one_branch(branches: list[_Emit]) -> _Emit:
    def emit(ctx: _Ctx, out: list[str]) -> None:
        _one_of(ctx, branches)(ctx, out)

    return emit


def _pattern_generator(pattern: str, where: str) -> _Gen:
    """Strings matching a regular expression: literals, classes, groups, alternation and
    repeats (unbounded repeats draw at most 8 more than their minimum)."""
    from re import _constants as c  # type: ignore[attr-defined]
    from re import _parser  # type: ignore[attr-defined]

    printable = [chr(i) for i in range(0x20, 0x7F)]

    def class_chars(items: Any) -> list[str]:
        chars: list[str] = []
        negate = False
        for op, arg in items:
            if op is c.NEGATE:
                negate = True
            elif op is c.LITERAL:
                chars.append(chr(arg))
            elif op is c.RANGE:
                chars += [chr(i) for i in range(arg[0], arg[1] + 1)]
            elif op is c.CATEGORY:
                chars += {
                    c.CATEGORY_DIGIT: list(_DIGITS),
                    c.CATEGORY_WORD: list(_ALNUM + "_"),
                    c.CATEGORY_SPACE: [" "],
                }.get(arg, list(_ALNUM))
            else:
                raise ConfigurationError(f"{where}: unsupported pattern {pattern!r}")
        if negate:
            chars = [ch for ch in printable if ch not in set(chars)]
        return chars

    def build(parsed: Any) -> Callable[[_Ctx, list[str]], None]:
        steps: list[Callable[[_Ctx, list[str]], None]] = []
        for op, arg in parsed:
            if op is c.LITERAL:
                steps.append(_emit_one_of([chr(arg)]))
            elif op in (c.IN, c.ANY):
                steps.append(_emit_one_of(class_chars(arg) if op is c.IN else list(_ALNUM)))
            elif op in (c.MAX_REPEAT, c.MIN_REPEAT):
                low, high, sub = arg
                high = low + 8 if high is c.MAXREPEAT else high
                inner = build(sub)

                def repeat(
                    ctx: _Ctx, out: list[str], low: int = low, high: int = high, inner: Any = inner
                ) -> None:
                    for _ in range(ctx.between(low, high + 1)):
                        inner(ctx, out)

                steps.append(repeat)
            elif op is c.SUBPATTERN:
                steps.append(build(arg[-1]))
            elif op is c.BRANCH:
                steps.append(_one_branch([build(b) for b in arg[1]]))
            elif op is c.AT:
                continue
            else:
                raise ConfigurationError(f"{where}: unsupported pattern {pattern!r}")

        def run(ctx: _Ctx, out: list[str]) -> None:
            for step in steps:
                step(ctx, out)

        return run

    program = build(_parser.parse(pattern))

    def make(ctx: _Ctx) -> str:
        out: list[str] = []
        program(ctx, out)
        return "".join(out)

    return make


class _Plan:
    """One event compiled: how its body is drawn, and where its consistency rules apply."""

    __slots__ = ("anchor", "draw", "marks", "node")
    anchor: str
    draw: _Gen
    marks: frozenset[str]
    node: _Node | None

    def __init__(self, event: str, provider: str) -> None:
        schema = load_schema(event, provider)
        if registered(provider) is not None:
            # A catalog held in memory (read from an OpenAPI document, say) is any provider's:
            # generic values, and none of Zoom's kinds and rules.
            from .schema import compile_schema

            self.marks, self.anchor, self.node = frozenset(), "running", None
            self.draw = compile_schema(
                schema, pools=_pools(), pattern=_pattern_generator, where=f"{event}: $"
            )
            return
        family, _, action = event.rpartition(".")
        self.marks = _moment_fields(family, action)
        self.anchor = _anchor(family, action, self.marks)
        compiler = _Compiler(schema, self.anchor)
        expr, node = compiler.compile(schema, "", "$")
        self.draw = compiler.finish(expr)
        self.node = node if isinstance(node, _Node) else None


@functools.cache
def _plan(event: str, provider: str, revision: int = 0) -> _Plan:
    # revision: how many times the provider's catalog was registered, so that a catalog
    # registered anew under the same name is compiled anew.
    return _Plan(event, provider)


def generate(
    event: str,
    *,
    seed: int,
    now: float,
    overrides: Mapping[str, Any] | None = None,
    provider: str = "zoom",
    full: bool = False,
) -> tuple[dict[str, Any], frozenset[str]]:
    """Draw a body for *event*; return it and the set of overridden dotted paths.

    :param seed: the seed of this one event.
    :param now: the provider clock's reading (Unix seconds): ``event_ts`` and every time derive
        from it.
    :param overrides: dotted paths from the body's root (``"payload.object.topic"``, list indexes
        as numbers) to values; :data:`REMOVE` deletes the field.
    :param full: every property, also those real deliveries often leave out (which are
        otherwise there as often as in real deliveries, ``x-hookmock-presence``).
    """
    plan = _plan(event, provider, revision(provider))
    # Seeding a generator costs less than making one; each thread takes its own from the pool.
    rng = _IDLE.pop() if _IDLE else random.Random()
    if type(seed) is int:
        _reseed(rng, seed)
    else:
        rng.seed(seed)
    ctx = _Ctx(rng, now, full)
    data: dict[str, Any] = plan.draw(ctx)
    overridden = apply_overrides(data, overrides) if overrides else _NOTHING
    if plan.node is not None and type(data) is dict:
        ctx.marks, ctx.anchor = plan.marks, plan.anchor
        # What happened, happened before it was reported: up to a second and a half before
        # event_ts, and at most at event_ts once written in whole seconds.
        ctx.moment = now - ctx.between(0, 1500) / 1000
        _visit(plan.node, data, "", ctx, None, overridden)
    _IDLE.append(rng)
    return data, overridden


#: Generators not in use. list.pop and list.append are atomic, so two threads never share one.
_IDLE: list[random.Random] = []
#: What random.Random.seed does with an integer: the C base class's seed, called directly.
_reseed: Callable[[random.Random, int], None] = _random.Random.seed
_NOTHING: frozenset[str] = frozenset()


def _split(path: str) -> list[str | int]:
    if not path or path.startswith(".") or path.endswith(".") or ".." in path:
        raise OverrideError(
            f"override path {path!r} is not a dotted path such as 'payload.object.topic'"
        )
    # Only short ASCII digit runs are list indexes: "²" is a digit to str.isdigit, and int()
    # refuses runs of more than 4300 digits.
    return [int(p) if p.isascii() and p.isdigit() and len(p) <= 9 else p for p in path.split(".")]


def apply_overrides(data: Any, overrides: Mapping[str, Any]) -> frozenset[str]:
    """Set (or, with :data:`REMOVE`, delete) each dotted path in *data*; return the paths set.

    Missing objects along a path are created; a path through a list needs an existing index.
    """
    for path, value in overrides.items():
        parts = _split(path)
        node = data
        for depth, part in enumerate(parts[:-1]):
            node = _step(node, part, path, parts[: depth + 1], create=value is not REMOVE)
        last = parts[-1]
        if isinstance(node, dict):
            if value is REMOVE:
                node.pop(str(last), None)
            else:
                node[str(last)] = value
        elif isinstance(node, list) and isinstance(last, int) and last < len(node):
            if value is REMOVE:
                del node[last]
            else:
                node[last] = value
        else:
            raise OverrideError(_not_container(path, parts, node))
    return frozenset(overrides)


def _step(node: Any, part: str | int, path: str, done: list[str | int], *, create: bool) -> Any:
    if isinstance(node, dict):
        key = str(part)
        if key not in node or node[key] is None:
            if not create:
                return {}
            node[key] = {}
        return node[key]
    if isinstance(node, list) and isinstance(part, int):
        if part >= len(node):
            raise OverrideError(
                f"override {path!r}: index {part} is past the end of "
                f"{'.'.join(map(str, done[:-1]))} (length {len(node)})"
            )
        return node[part]
    raise OverrideError(_not_container(path, done, node))


def _not_container(path: str, parts: Iterable[str | int], node: Any) -> str:
    where = ".".join(map(str, list(parts)[:-1])) or "the body"
    if type(node) is _Later:
        return (
            f"override {path!r}: {where} is {node!r}, "
            "not an object or list, so it has no fields to set"
        )
    return (
        f"override {path!r}: {where} is {type(node).__name__} {node!r:.40}, "
        "not an object or list, so it has no fields to set"
    )


# -- coherence -------------------------------------------------------------------------------
#
# Related fields agree as in real deliveries (ZOOM.md §8). Where each rule applies is worked out
# once per event from its schema (:class:`_Node`); a value a rule sets is not drawn first: its
# place in the object holds a :class:`_Later` until the rule sets it, or draws it when the rule
# does not apply (an override removed what it needs, say). Overrides are applied before the
# rules, which leave every overridden field alone.

# How an event's main object sits in time relative to the moment the event is sent.
_ENDED_ACTIONS = ("ended", "completed", "stopped", "left", "deleted", "trashed", "recovered")
_SCHEDULED_ACTIONS = ("created", "updated", "registration_created")
_FILE_EXTENSIONS = {
    "MP4": "MP4",
    "M4A": "M4A",
    "CHAT": "TXT",
    "TRANSCRIPT": "VTT",
    "CC": "VTT",
    "CSV": "CSV",
    "TIMELINE": "JSON",
    "SUMMARY": "JSON",
}


def _moment_fields(family: str, action: str) -> frozenset[str]:
    """The time fields that report the moment the event is about: they sit within about a
    second before ``event_ts`` (ZOOM.md §8). ``date_time`` always does."""
    fields = {"date_time"}
    if family == "recording":
        if action in ("started", "resumed"):
            fields.add("recording_start")
        elif action in ("stopped", "paused"):
            fields.add("recording_end")
    elif action == "started":
        fields.add("start_time")
    elif action == "ended":
        fields.add("end_time")
    elif "joined" in action:
        fields.add("join_time")
    elif "left" in action:
        fields.add("leave_time")
    return frozenset(fields)


# Events about a moment inside a meeting that is still going on (someone joined or left;
# recording started or stopped), whatever their name says.
_RUNNING_MARKS = frozenset({"join_time", "leave_time", "recording_start", "recording_end"})


def _anchor(family: str, action: str, marks: frozenset[str]) -> str:
    """Where the event's meeting is in time: scheduled, running, ended, or ended and processed."""
    if action in ("completed", "transcript_completed") and family == "recording":
        return "processed"  # a recording is processed some minutes after the meeting ended
    if (action.endswith(_ENDED_ACTIONS) or family == "recording") and not (marks & _RUNNING_MARKS):
        # Every other recording event is about a meeting that already took place.
        return "ended"
    if action.endswith(_SCHEDULED_ACTIONS):
        return "scheduled"
    return "running"


def _unset(ctx: _Ctx) -> Any:
    raise AssertionError("the plan was not finished")


class _Later:
    """The place of a value that a rule sets once the body is drawn; drawn only if the rule
    does not set it."""

    __slots__ = ("draw", "ms", "stamp", "typ")

    def __init__(self, node: Mapping[str, Any], name: str) -> None:
        self.draw: _Gen = _unset
        self.typ = _value_type(node)
        kind = _string_kind(node, name) if self.typ is str else None
        #: One of Zoom's ISO times (and whether with milliseconds).
        self.stamp = kind in ("datetime", "datetime_ms")
        self.ms = kind == "datetime_ms"

    def __repr__(self) -> str:
        return f"a generated {getattr(self.typ, '__name__', 'value')}"


def _value_type(node: Mapping[str, Any]) -> type | None:
    """The type of the values drawn for *node*, if a rule may set them instead."""
    if "const" in node or "enum" in node or "examples" in node:
        return None
    return {"string": str, "integer": int}.get(_type(node))


_SPAN_KEYS = frozenset({"join_time", "leave_time", "recording_start", "recording_end"})
_SPAN_PAIRS = (("join_time", "leave_time"), ("recording_start", "recording_end"))
_LINK_KEYS = frozenset({"join_url", "start_url"})
_NAME_KEYS = ("user_name", "display_name", "name")


class _Items:
    """The plan of every item of a list."""

    __slots__ = ("item",)

    def __init__(self, item: _Node | _Items) -> None:
        self.item = item


class _Node:
    """The rules that apply in one object of an event, from the properties its schema has."""

    __slots__ = (
        "children",
        "date_time",
        "keys",
        "later",
        "links",
        "occurrence",
        "participant",
        "payload",
        "person",
        "recording",
        "rules",
        "spans",
        "times",
    )

    def __init__(self, keys: frozenset[str], where: str, anchor: str) -> None:
        self.keys = keys
        self.payload = where == "$.payload" and "object" in keys
        self.times = "start_time" in keys or bool(keys & _SPAN_KEYS)
        #: The pairs of times within a meeting's span that this object has one of.
        self.spans = tuple(pair for pair in _SPAN_PAIRS if keys.intersection(pair))
        self.occurrence = "occurrence_id" in keys and "start_time" in keys
        self.date_time = "date_time" in keys and anchor != "scheduled"
        self.links = "id" in keys and bool(keys & _LINK_KEYS)
        self.participant = "participant_user_id" in keys
        self.person = "email" in keys
        self.recording = "recording_files" in keys
        #: Whether any rule applies here before the objects inside are visited.
        self.rules = (
            self.payload
            or self.times
            or self.occurrence
            or self.date_time
            or self.links
            or self.participant
            or self.person
        )
        #: The properties drawn here only if this object's rules do not set them.
        self.later: list[tuple[str, _Later]] = []
        #: The properties with rules to apply inside them.
        self.children: list[tuple[str, _Node | _Items]] = []

    @property
    def needed(self) -> bool:
        return bool(self.rules or self.recording or self.later or self.children)


def _drawable(resolved: Mapping[str, Mapping[str, Any]]) -> frozenset[str]:
    return frozenset(key for key, node in resolved.items() if _value_type(node) is not None)


def _is_stamp_kind(node: Mapping[str, Any], name: str) -> bool:
    return _value_type(node) is str and _string_kind(node, name) in ("datetime", "datetime_ms")


def _deferred(plan: _Node, resolved: Mapping[str, Mapping[str, Any]]) -> frozenset[str]:
    """The properties of an object that its own rules set whenever they apply."""
    keys = plan.keys
    drawable = _drawable(resolved)
    out: set[str] = set()
    if plan.times:
        times = _SPAN_KEYS | ({"start_time", "end_time"} if "start_time" in keys else set())
        out.update(k for k in keys & times if _is_stamp_kind(resolved[k], k))
    if plan.date_time and _is_stamp_kind(resolved["date_time"], "date_time"):
        out.add("date_time")
    if plan.links:
        out.update(keys & _LINK_KEYS & drawable)
    if plan.participant and "id" in keys and _value_type(resolved["participant_user_id"]) is str:
        out.add("participant_user_id")
    named = ("first_name" in keys and "last_name" in keys) or any(k in keys for k in _NAME_KEYS)
    email = resolved.get("email")
    if plan.person and named and email is not None and _value_type(email) is str:
        out.update(("email",) if _string_kind(email, "email") == "email" else ())
    if plan.recording:
        out.update(keys & {"total_size", "recording_count"} & drawable)
    return frozenset(out)


def _deferred_below(
    plan: _Node, resolved: Mapping[str, Mapping[str, Any]]
) -> dict[str, frozenset[str]]:
    """The properties of the objects inside an object that the outer object's rules set."""
    below: dict[str, frozenset[str]] = {}
    if plan.payload:
        if "account_id" in plan.keys:
            below["object"] = frozenset({"account_id"})
        below["old_object"] = frozenset({"id", "uuid"})
    if plan.recording:
        files = {"file_size"} | ({"meeting_id"} if "uuid" in plan.keys else set())
        below["recording_files"] = frozenset(files)
        below["participant_audio_files"] = frozenset({"file_size"})
    return below


def _visit(
    plan: _Node,
    obj: dict[str, Any],
    path: str,
    ctx: _Ctx,
    span: tuple[float, float] | None,
    overridden: frozenset[str],
) -> None:
    if plan.rules:
        span = _apply_rules(plan, obj, path, ctx, span, overridden)
    for key, child in plan.children:
        value = obj.get(key)
        if value is None:
            continue
        sub = f"{path}.{key}".lstrip(".") if overridden else ""
        if type(child) is _Node:
            if type(value) is dict:
                _visit(child, value, sub, ctx, span, overridden)
        else:
            _descend(child, value, sub, ctx, span, overridden)
    if plan.recording:
        _fix_recording(obj, path, ctx, overridden)
    for key, later in plan.later:
        if obj.get(key) is later:
            obj[key] = later.draw(ctx)


def _apply_rules(
    plan: _Node,
    obj: dict[str, Any],
    path: str,
    ctx: _Ctx,
    span: tuple[float, float] | None,
    overridden: frozenset[str],
) -> tuple[float, float] | None:
    """Apply the rules of one object that come before those of the objects inside it; return
    the span of the meeting the objects inside take place in."""
    if plan.payload:
        _fix_payload(obj, ctx, overridden)
    if plan.times:
        span = _fix_times(plan, obj, path, ctx, span, overridden)
    if plan.occurrence:
        occurrence, stamp = obj.get("occurrence_id"), obj.get("start_time")
        start = ctx.parse(stamp) if isinstance(stamp, str) else None
        if isinstance(occurrence, str) and occurrence.isdigit() and start is not None:
            # An occurrence's id is its start time in Unix milliseconds (Zoom's API).
            _set(obj, "occurrence_id", str(int(start * 1000)), path, overridden)
    if plan.date_time and "date_time" in obj:
        # When a message was sent, a participant admitted, sharing begun: the event's moment.
        _put_time(obj, "date_time", ctx.moment, path, ctx, overridden)
    if plan.links:
        _fix_links(obj, path, ctx, overridden)
    if plan.participant and "participant_user_id" in obj:
        _fix_participant(obj, path, ctx, overridden)
    if plan.person and "email" in obj:
        _fix_person(obj, path, ctx, overridden)
    return span


def _descend(
    plan: _Node | _Items,
    value: Any,
    path: str,
    ctx: _Ctx,
    span: tuple[float, float] | None,
    overridden: frozenset[str],
) -> None:
    if type(plan) is _Items:
        if type(value) is list:
            for i, item in enumerate(value):
                _descend(
                    plan.item, item, f"{path}.{i}" if overridden else "", ctx, span, overridden
                )
    elif type(value) is dict:
        assert type(plan) is _Node
        _visit(plan, value, path, ctx, span, overridden)


def _settle(obj: dict[str, Any], key: str, ctx: _Ctx) -> Any:
    """The value of *key*, drawn now if no rule has set it."""
    value = obj.get(key)
    if type(value) is _Later:
        value = obj[key] = value.draw(ctx)
    return value


def _is_text(value: Any) -> bool:
    return isinstance(value, str) or (type(value) is _Later and value.typ is str)


def _is_count(value: Any) -> bool:
    return isinstance(value, int) or (type(value) is _Later and value.typ is int)


def _fix_payload(payload: dict[str, Any], ctx: _Ctx, overridden: frozenset[str]) -> None:
    obj, old = payload.get("object"), payload.get("old_object")
    if isinstance(obj, dict) and "account_id" in obj:
        if "account_id" in payload:
            _set(obj, "account_id", payload["account_id"], "payload.object", overridden)
        _settle(obj, "account_id", ctx)
    if not isinstance(old, dict):
        return
    if isinstance(obj, dict):
        # A change event describes one thing before and after: the same identity.
        for key in ("id", "uuid"):
            if key in obj and key in old:
                before = old[key]
                kind = before.typ if type(before) is _Later else type(before)
                if type(obj[key]) is kind:
                    _set(old, key, obj[key], "payload.old_object", overridden)
    for key in ("id", "uuid"):
        _settle(old, key, ctx)
    if isinstance(obj, dict):
        _contrast(obj, old, "payload.old_object", overridden)


def _contrast(
    new: dict[str, Any], old: dict[str, Any], path: str, overridden: frozenset[str]
) -> None:
    """A switch that changed was off before it was on, or on before it was off."""
    for key, value in new.items():
        before = old.get(key)
        if type(value) is bool and type(before) is bool:
            _set(old, key, not value, path, overridden)
        elif type(value) is dict and type(before) is dict:
            _contrast(value, before, f"{path}.{key}", overridden)


def _set(obj: dict[str, Any], key: str, value: Any, path: str, overridden: frozenset[str]) -> None:
    if key in obj and (not overridden or f"{path}.{key}".lstrip(".") not in overridden):
        obj[key] = value


def _is_stamp(value: Any) -> bool:
    """Whether *value* is one of Zoom's ISO times (``...T...Z``), not "09:00" or milliseconds."""
    if isinstance(value, str):
        return len(value) >= 20 and value[10] == "T" and value[-1] == "Z"
    return type(value) is _Later and value.stamp


def _put_time(
    obj: dict[str, Any], key: str, epoch: float, path: str, ctx: _Ctx, overridden: frozenset[str]
) -> None:
    """Set the time *key* to *epoch*, written as its value is (with milliseconds or not)."""
    value = obj.get(key)
    if type(value) is _Later:
        if value.stamp:
            obj[key] = ctx.stamp(epoch, value.ms)
    elif isinstance(value, str) and _is_stamp(value):
        _set(obj, key, ctx.stamp(epoch, "." in value), path, overridden)


def _fix_times(
    plan: _Node,
    obj: dict[str, Any],
    path: str,
    ctx: _Ctx,
    span: tuple[float, float] | None,
    overridden: frozenset[str],
) -> tuple[float, float] | None:
    """Times that agree: a meeting's start and end, people's join and leave times and a
    recording's start and end inside them, the field that reports the event at its moment,
    and nothing but scheduled times after ``event_ts``. Returns the span of the meeting."""
    moment, marks, anchor = ctx.moment, ctx.marks, ctx.anchor
    # Only the times its schema declares, unless an override may have added others.
    known = not overridden
    if (not known or "start_time" in plan.keys) and _is_stamp(obj.get("start_time")):
        duration: int = obj["duration"] if isinstance(obj.get("duration"), int) else 60
        # A meeting rarely lasts exactly as long as it was scheduled for.
        length = max(60.0, duration * 60 * (0.6 + 0.55 * ctx.random()) + ctx.between(0, 60))
        if overridden and f"{path}.start_time".lstrip(".") in overridden:
            start = ctx.parse(obj["start_time"]) or ctx.now
            end = start + (duration * 60 if anchor == "scheduled" else length)
        elif anchor == "scheduled":
            start = (ctx.now // 3600 + ctx.between(24, 24 * 14)) * 3600
            end = start + duration * 60
        elif "start_time" in marks:
            start = end = moment
        elif "end_time" in marks:
            start, end = moment - length, moment
        elif anchor == "processed":
            end = moment - ctx.between(60, 1200)
            start = end - length
        elif anchor == "ended":
            end = moment - ctx.between(3600, 7 * 86400)
            start = end - length
        else:  # under way: begun a while ago, and nothing in it has happened after now
            start = moment - ctx.between(120, max(121, min(int(length), 3600)))
            end = moment
        _put_time(obj, "start_time", start, path, ctx, overridden)
        if "end_time" in obj:
            finish = end if anchor != "running" else start + duration * 60
            _put_time(obj, "end_time", finish, path, ctx, overridden)
        span = (start, end)
    if span is None:
        return None
    start, end = span
    for first, last in plan.spans if known else _SPAN_PAIRS:
        has_first, has_last = _is_stamp(obj.get(first)), _is_stamp(obj.get(last))
        if not (has_first or has_last):
            continue
        if last in marks:
            finish = moment
        elif first in marks:
            finish = end
        else:
            finish = end - ctx.between(0, max(1, min(300, int(end - start) // 4)))
        if first in marks:
            begin = moment
        else:
            room = max(1, min(300, int(finish - start) // 2))
            begin = start + ctx.between(0, room)
        if has_first:
            _put_time(obj, first, min(begin, finish), path, ctx, overridden)
        if has_last:
            _put_time(obj, last, max(finish, begin) if has_first else finish, path, ctx, overridden)
    return span


def _fix_links(obj: dict[str, Any], path: str, ctx: _Ctx, overridden: frozenset[str]) -> None:
    number = obj.get("id")
    if not isinstance(number, int | str) or not str(number).isdigit():
        return
    if "join_url" not in obj and "start_url" not in obj:
        return
    token = _alnum_32(ctx)
    if "join_url" in obj:
        _set(obj, "join_url", f"{_ZOOM_WEB}/j/{number}?pwd={token}", path, overridden)
    if "start_url" in obj:
        _set(obj, "start_url", f"{_ZOOM_WEB}/s/{number}?zak={token}", path, overridden)


#: The share of meeting participants who are not signed in to Zoom. In the captured deliveries
#: of ZOOM.md §8 one participant in two was; a quarter keeps signed-in people the usual case.
GUEST_SHARE = 0.25
_GUEST_BLANKS = ("id", "participant_user_id", "email", "registrant_id")


def _fix_participant(obj: dict[str, Any], path: str, ctx: _Ctx, overridden: frozenset[str]) -> None:
    """A participant's ids agree (``id`` is ``participant_user_id``, ZOOM.md §8), and some are
    guests, who are not signed in: their email, ids and registrant id are empty."""
    # Only someone in a meeting (a user name and a participant UUID) can be a guest; invitations
    # and the like name Zoom users.
    in_meeting = "user_name" in obj and "participant_uuid" in obj
    if in_meeting and ctx.random() < GUEST_SHARE and _is_text(obj["participant_user_id"]):
        for key in _GUEST_BLANKS:
            if _is_text(obj.get(key)):
                _set(obj, key, "", path, overridden)
        return
    own = obj.get("id")
    if isinstance(own, str) and own:
        _set(obj, "participant_user_id", own, path, overridden)
    elif _is_text(obj.get("participant_user_id")) and "id" in obj:
        _set(obj, "id", _settle(obj, "participant_user_id", ctx), path, overridden)


def _fix_person(obj: dict[str, Any], path: str, ctx: _Ctx, overridden: frozenset[str]) -> None:
    reason = obj.get("leave_reason")
    if isinstance(reason, str) and isinstance(obj.get("user_name"), str) and " left " in reason:
        tail = reason.split(" left ", 1)[1]
        _set(obj, "leave_reason", f"{obj['user_name']} left {tail}", path, overridden)
    email = obj.get("email")
    later = type(email) is _Later
    if not later and (not isinstance(email, str) or "@" not in email):
        return
    if isinstance(obj.get("first_name"), str) and isinstance(obj.get("last_name"), str):
        name = f"{obj['first_name']} {obj['last_name']}"
    else:
        name = next((obj[k] for k in _NAME_KEYS if isinstance(obj.get(k), str)), "")
    if name:
        domain = _STRING_KINDS["domain"](ctx) if later else str(email).rsplit("@", 1)[1]
        _set(obj, "email", _email_for(name, domain), path, overridden)


# Bytes per second of recording, by file type: low and high. From real deliveries (ZOOM.md §8:
# a 2-minute MP4 of 361 kB, its M4A of 69 kB, a timeline of 93 bytes; transcripts are kilobytes)
# and what Zoom's recordings commonly weigh (video up to some hundred MB an hour).
_BYTE_RATES = {
    "MP4": (3_000.0, 80_000.0),
    "M4A": (500.0, 4_000.0),
    "TRANSCRIPT": (15.0, 40.0),
    "CC": (15.0, 40.0),
    "CHAT": (0.5, 10.0),
    "TIMELINE": (0.2, 2.0),
    "CSV": (0.2, 3.0),
    "SUMMARY": (1.0, 5.0),
}


def _file_size(item: dict[str, Any], ctx: _Ctx) -> int | None:
    """A size that fits the file's type and how long it runs, or None if that is unknown."""
    rates = _BYTE_RATES.get(str(item.get("file_type")))
    start, end = item.get("recording_start"), item.get("recording_end")
    if rates is None or not (isinstance(start, str) and isinstance(end, str)):
        return None
    began, ended = ctx.parse(start), ctx.parse(end)
    if began is None or ended is None:
        return None
    seconds = max(1.0, ended - began)
    low, high = rates
    return max(20, int(seconds * (low + (high - low) * ctx.random())))


def _size_file(item: dict[str, Any], path: str, ctx: _Ctx, overridden: frozenset[str]) -> None:
    if _is_count(item.get("file_size")):
        size = _file_size(item, ctx)
        if size is not None:
            _set(item, "file_size", size, path, overridden)
    _settle(item, "file_size", ctx)


def _fix_recording(obj: dict[str, Any], path: str, ctx: _Ctx, overridden: frozenset[str]) -> None:
    files = obj.get("recording_files")
    if isinstance(files, list):
        uuid = obj.get("uuid")
        for i, item in enumerate(files):
            if not isinstance(item, dict):
                continue
            item_path = f"{path}.recording_files.{i}".lstrip(".") if overridden else ""
            if "meeting_id" in item and isinstance(uuid, str):
                _set(item, "meeting_id", uuid, item_path, overridden)
            _settle(item, "meeting_id", ctx)
            if item.get("file_type") in _FILE_EXTENSIONS:
                extension = _FILE_EXTENSIONS[item["file_type"]]
                _set(item, "file_extension", extension, item_path, overridden)
            _size_file(item, item_path, ctx, overridden)
    audio = obj.get("participant_audio_files")
    for i, item in enumerate(audio if isinstance(audio, list) else ()):
        if isinstance(item, dict):
            item_path = f"{path}.participant_audio_files.{i}".lstrip(".") if overridden else ""
            if isinstance(files, list):
                _size_file(item, item_path, ctx, overridden)
            _settle(item, "file_size", ctx)
    if not isinstance(files, list):
        return
    sizes = [f["file_size"] for f in files if isinstance(f, dict) and "file_size" in f]
    if all(isinstance(s, int) for s in sizes):
        _set(obj, "total_size", sum(sizes), path, overridden)
    _set(obj, "recording_count", len(files), path, overridden)
