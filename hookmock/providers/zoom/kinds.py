"""Zoom's kinds of values, and how the names of Zoom's fields say which kind they hold.

The kinds every provider knows (names, emails, times...) are :mod:`hookmock.generate.kinds`';
these add Zoom's ids, links, tokens and texts as real deliveries carry them (ZOOM.md §6, §8).
A schema names a kind with ``x-hookmock-fake``; a field that names none gets the kind of its
name (:data:`NAME_KINDS`), of its ``format``, or of the end of its name (``_id``, ``_time``).
"""

from __future__ import annotations

from binascii import b2a_base64
from collections.abc import Callable, Mapping
from typing import Any

from ...generate import kinds
from ...generate.kinds import (
    ALNUM,
    URLSAFE,
    Context,
    b64url,
    base64_id,
    between,
    between_text,
    byte_table,
    chars,
    choice,
    full_name,
    hex_text,
    iso,
    now_ms,
    one_of,
    prefixed,
    uuid_of,
)

__all__ = ["NAME_KINDS", "NUMBER_KINDS", "STRING_KINDS", "SUFFIX_KINDS", "ZOOM_WEB"]

#: Where Zoom's links point.
ZOOM_WEB = "https://us05web.zoom.us"

# Zoom's user and account ids are 16 bytes in unpadded URL-safe base64 (22 characters).
zoom_id = base64_id(16, urlsafe=True, padded=False)
# A meeting's UUID is 16 bytes in standard base64, padding included (ZOOM.md §6).
meeting_uuid = base64_id(16, urlsafe=False, padded=True)
#: 32 letters and digits: the token of a join or start link.
alnum_32 = chars(ALNUM, 32)


def _meeting_number(ctx: Context) -> int:
    return ctx.between(10**9, 10**11)


def _participant_uuid(ctx: Context) -> str:
    # Uppercase and dashed, as in real deliveries (ZOOM.md §8).
    h = f"{ctx.rng.getrandbits(128):032X}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _jwt(ctx: Context) -> str:
    """A token shaped like a JWT, as Zoom's ``download_token`` is (ZOOM.md §8): a header and
    claims that decode, valid 24 hours, and a signature of the right length that nothing checks."""
    issued = int(ctx.now)
    rest = f'{zoom_id(ctx)}","iat":{issued},"exp":{issued + 86400}}}'.encode()
    claims = b2a_base64(rest, newline=False).translate(_URLSAFE_B64).rstrip(b"=")
    # 64 bytes are 88 characters of base64, the last two of them padding.
    signature = b2a_base64(ctx.rng.randbytes(64), newline=False)[:86].translate(_URLSAFE_B64)
    return _JWT_HEAD + (claims + b"." + signature).decode("ascii")


# What every download token starts with: its header, and its claims up to the user id. Both are
# a whole number of 3-byte groups long, so their base64 is that of the token's start.
_JWT_HEADER = b'{"alg":"HS512","typ":"JWT"}'
_JWT_CLAIMS = b'{"iss":"web","aud":"webhook_download","uid":"'
_JWT_HEAD = f"{b64url(_JWT_HEADER)}.{b64url(_JWT_CLAIMS)}"
_URLSAFE_B64 = bytes.maketrans(b"+/", b"-_")
_URLSAFE_BYTES = byte_table(URLSAFE)
_DOWNLOAD = f"{ZOOM_WEB}/rec/webhook_download/"


def _webhook_download_url(ctx: Context) -> str:
    # Recording events point at /rec/webhook_download/ (ZOOM.md §8), the API at /rec/download/:
    # 48 random bytes in URL-safe base64 (64 characters, no padding), a dot, 16 characters.
    bits = ctx.rng.getrandbits
    token = b2a_base64(bits(384).to_bytes(48, "little"), newline=False).translate(_URLSAFE_B64)
    tail = bits(128).to_bytes(16, "little").translate(_URLSAFE_BYTES)
    return _DOWNLOAD + (token + b"." + tail).decode("ascii")


def _dated_uuid(ctx: Context) -> str:
    # A phone call's id: the day's date (YYYYMMDD), then a UUID.
    day = int(ctx.now) // 86400
    date = _DAYS.get(day)
    if date is None:
        if len(_DAYS) > 64:
            _DAYS.clear()
        date = _DAYS[day] = iso(day * 86400)[:10].replace("-", "") + "-"
    return date + uuid_of(ctx.rng.getrandbits(128))


_DAYS: dict[int, str] = {}


def _version(ctx: Context) -> str:
    # A Zoom client's version and build.
    build = ctx.between(10000, 60000)
    return f"{ctx.between(5, 7)}.{ctx.between(0, 10)}.{ctx.between(0, 10)} ({build})"


_LEAVE_REASONS = (
    "left the meeting.<br>Reason: Host ended the meeting.",
    "left the meeting.<br>Reason: left the meeting.",
    "left the meeting.<br>Reason: Connection lost.",
    "left the meeting.<br>Reason: Removed by host.",
)


def _leave_reason(ctx: Context) -> str:
    return f"{full_name(ctx)} {one_of(ctx, _LEAVE_REASONS)}"


#: The kinds of strings: the provider-neutral ones and Zoom's.
STRING_KINDS: Mapping[str, Callable[[Context], Any]] = {
    **kinds.STRING_KINDS,
    "zoom_id": zoom_id,
    "meeting_uuid": meeting_uuid,
    "meeting_number": between_text(10**9, 10**11),
    "pmi": between_text(10**9, 10**10),
    "participant_uuid": _participant_uuid,
    "plain_token": chars(URLSAFE, 22),
    "join_url": lambda ctx: f"{ZOOM_WEB}/j/{_meeting_number(ctx)}",
    "start_url": lambda ctx: f"{ZOOM_WEB}/s/{_meeting_number(ctx)}",
    "share_url": prefixed(f"{ZOOM_WEB}/rec/share/", URLSAFE, 32),
    "play_url": prefixed(f"{ZOOM_WEB}/rec/play/", URLSAFE, 32),
    "download_url": _webhook_download_url,
    "jwt": _jwt,
    "leave_reason": _leave_reason,
    "version": _version,
    "device": choice(("Windows", "Mac", "iOS", "Android", "Linux", "Zoom Rooms", "Web")),
    "extension_number": between_text(100, 1_000_000),
    "dated_uuid": _dated_uuid,
    "zw_id": lambda ctx: f"ZW{one_of(ctx, 'TRW')}{hex_text(ctx, 32).upper()}",
    "event_ts": lambda ctx: str(int(ctx.now * 1000)),  # where Zoom's schema says a string
    # Quality-of-service figures, which Zoom sends as text with their unit.
    "percent_text": lambda ctx: f"{ctx.between(0, 300) / 100:g}%",
    "ms_text": lambda ctx: f"{ctx.between(1, 250)} ms",
    "kbps_text": lambda ctx: f"{ctx.between(20, 2500)} kbps",
    "fps_text": lambda ctx: f"{one_of(ctx, (15, 24, 25, 30))} fps",
    "resolution": lambda ctx: one_of(ctx, ("640*360", "1280*720", "1920*1080")),
    "gps": lambda ctx: (
        f"{ctx.between(-6000, 6000) / 100:.5f},{ctx.between(-18000, 18000) / 100:.5f}"
    ),
}

#: The kinds of integers: the provider-neutral ones and Zoom's.
NUMBER_KINDS: Mapping[str, Callable[[Context], Any]] = {
    **kinds.NUMBER_KINDS,
    "meeting_number": between(10**9, 10**11),
    "pmi": between(10**9, 10**10),
    "event_ts": now_ms,
    "extension_number": between(100, 1_000_000),
}

#: The kind of a field of this name, where its schema names none.
NAME_KINDS: Mapping[str, str] = {
    **kinds.NAME_KINDS,
    "account_id": "zoom_id",
    "host_id": "zoom_id",
    "user_id": "zoom_id",
    "operator_id": "zoom_id",
    "participant_user_id": "zoom_id",
    "registrant_id": "zoom_id",
    "uuid": "meeting_uuid",
    "host_email": "email",
    "operator": "email",
    "join_url": "join_url",
    "start_url": "start_url",
    "share_url": "share_url",
    "play_url": "play_url",
    "download_url": "download_url",
    "download_token": "jwt",
    "plainToken": "plain_token",
    "leave_reason": "leave_reason",
    "event_ts": "event_ts",
}

#: The kind of a string field whose name ends so, where nothing else says: Zoom's ids and times.
SUFFIX_KINDS = (("_id", "zoom_id"), ("_time", "datetime"))
