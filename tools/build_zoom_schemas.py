"""Build hookmock's JSON Schemas for Zoom webhook events into ``schemas/zoom/``.

``python tools/build_zoom_schemas.py`` writes the files; ``--check`` writes nothing, names every
file on disk that differs from what would be written, and exits 1 if there is one.

The shared fragments live here so they are written once; each shipped file is self-contained.
Conventions ``hookmock/fake.py`` relies on: the key order of every ``properties`` object is the
byte order of the generated JSON (Zoom's order); ``anyOf`` lists the realistic branch first;
``x-hookmock-fake`` names the kind of value of a leaf; a string with a ``pattern`` also needs a
kind or an ``enum`` (the generator does not draw from regular expressions).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

Schema = dict[str, Any]

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "schemas" / "zoom"
BASE_ID = "https://hookmock.dev/schemas/zoom/"

ZOOM_TIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"  # ZOOM.md §6: 2021-07-13T21:44:51Z
MEETING_TYPES = [0, 1, 2, 3, 4, 7, 8]
WEBINAR_TYPES = [5, 6, 9]
RECORDING_TYPES = [1, 2, 3, 4, 5, 6, 7, 8, 9]

# Sources (paths relative to the project's shared reference folder).
Z6 = "ZOOM.md §6"
PYATTENDER = "reference/zoom/meetings-partial-schemas.from-pyattender.json"
RIVET = "@zoom/rivet meetings/meetings.d.ts (zoom/rivet-javascript@7309ea3)"
VECTORS = "reference/zoom/signature-test-vectors.json"
USERS_API = "reference/zoom/openapi/users.webhooks.json"

# Key orders, as in Zoom's documented examples (or a real capture where noted).
CREATED = "uuid id host_id topic type start_time duration timezone join_url password pmi"
CREATED += " occurrences recurrence settings"
STARTED = "duration start_time timezone topic id type uuid host_id"  # the real capture's order
IN_MEETING = "id uuid host_id topic type start_time timezone duration"
PARTICIPANT = "user_id user_name id participant_uuid {t}_time {r}email registrant_id"
PARTICIPANT += " participant_user_id customer_key phone_number"
W_PARTICIPANT = "user_id user_name id {t}_time {r}email registrant_id participant_user_id"
W_PARTICIPANT += " participant_uuid customer_key phone_number"
REC_FILE = "id meeting_id recording_start recording_end file_type file_size file_extension"
REC_FILE += " play_url download_url status recording_type"
REC_FILE_COMPLETED = REC_FILE.replace(" recording_type", "").replace(
    "recording_end", "recording_end recording_type"
)
AUDIO = "id recording_start recording_end file_type file_name file_size file_extension"
AUDIO += " play_url download_url status"
AUDIO_TYPED = AUDIO.replace("recording_end", "recording_end recording_type")
COMPLETED = "id uuid host_id account_id topic type start_time password timezone host_email"
COMPLETED += " duration share_url total_size recording_count auto_delete auto_delete_date"
COMPLETED += " on_prem recording_play_passcode recording_files participant_audio_files"
TRANSCRIPT = "id uuid host_id account_id host_email topic type start_time timezone password"
TRANSCRIPT += " duration share_url total_size recording_count recording_files"
REC_TAIL = " share_url total_size recording_count recording_files participant_audio_files"
REC_REQUIRED = "id uuid host_id account_id topic type start_time duration share_url"
REC_REQUIRED += " total_size recording_count recording_files"
ADMIN = "account_id operator object"


def sample(event: str) -> str:
    return f"reference/zoom/zoomnet-sample-webhooks/{event}.json"


# ---------------------------------------------------------------- leaves


def string(kind: str | None = None, **kw: Any) -> Schema:
    return {"type": "string", **kw, **({"x-hookmock-fake": kind} if kind else {})}


def integer(minimum: int, maximum: int, kind: str | None = None) -> Schema:
    out: Schema = {"type": "integer", "minimum": minimum, "maximum": maximum}
    return {**out, **({"x-hookmock-fake": kind} if kind else {})}


def enum(values: list[Any], comment: str | None = None) -> Schema:
    typ = "integer" if all(isinstance(v, int) for v in values) else "string"
    return {"type": typ, "enum": values, **({"$comment": comment} if comment else {})}


def const(value: Any) -> Schema:
    return {"const": value}


def boolean() -> Schema:
    return {"type": "boolean"}


def datetime_() -> Schema:
    return string("datetime", format="date-time", pattern=ZOOM_TIME)


def email() -> Schema:
    return string("email", format="email")


def url(kind: str) -> Schema:
    return string(kind, format="uri")


def zoom_id() -> Schema:
    return string("zoom_id", minLength=1)


def unix_ms() -> Schema:
    return integer(1_000_000_000_000, 9_999_999_999_999, "event_ts")


def maybe_empty(schema: Schema) -> Schema:
    """A value Zoom may send as the empty string; the realistic branch comes first."""
    return {"anyOf": [schema, const("")]}


def typical(values: list[str], comment: str, accept: Schema | None = None) -> Schema:
    """Generated from ``values``; validates anything ``accept`` allows (default: any string)."""
    return {"$comment": comment, "anyOf": [enum(values), accept or {"type": "string"}]}


def obj(properties: dict[str, Schema], required: str = "*") -> Schema:
    """An object; ``required`` is a space-separated list of names, ``*`` for all of them."""
    names = list(properties) if required == "*" else required.split()
    missing = set(names) - set(properties)
    if missing:
        raise ValueError(f"required but not declared: {sorted(missing)}")
    return {"type": "object", "required": names, "properties": properties}


def array(items: Schema, min_items: int, max_items: int) -> Schema:
    return {"type": "array", "minItems": min_items, "maxItems": max_items, "items": items}


def pick(table: dict[str, Schema], order: str) -> dict[str, Schema]:
    """The fields named in ``order``, in that order."""
    return {name: table[name] for name in order.split()}


# ---------------------------------------------------------------- shared fragments

# Per-meeting session numbers, like 16778240 in real deliveries (multiples of 1024).
SESSION_NUMBERS = [str(16_778_240 + 1024 * k) for k in range(8)]
PARTICIPANT_USER_ID = typical(
    SESSION_NUMBERS, "A per-meeting number in real deliveries; Zoom's examples show other text."
)
SESSION_ID = typical(SESSION_NUMBERS, "A per-meeting number.", string(pattern=r"^[0-9]{8,9}$"))
OCCURRENCE_ID = typical(
    [str(1_767_258_000_000 + 604_800_000 * k) for k in range(3)],
    "A Unix-milliseconds start time in Zoom's API; its webhook example shows ABCDE12345.",
    string(minLength=1),
)
BASE64_ID = string("meeting_uuid", pattern=r"^[A-Za-z0-9+/]+={0,2}$")


def common(id_type: str, types: list[int]) -> dict[str, Schema]:
    """Fields of meeting, webinar and recording objects; the id is a string or an integer."""
    number = (
        string("meeting_number", pattern=r"^[0-9]{9,11}$")
        if id_type == "string"
        else integer(100_000_000, 99_999_999_999, "meeting_number")
    )
    return {
        "id": number,
        "uuid": string("meeting_uuid", pattern=r"^[A-Za-z0-9+/]{22}==$"),
        "host_id": zoom_id(),
        "account_id": zoom_id(),
        "host_email": email(),
        "topic": string("topic", minLength=1, maxLength=200),
        "type": enum(types),
        "start_time": datetime_(),
        "end_time": datetime_(),
        "timezone": string("timezone"),
        "duration": integer(0, 1440, "duration"),
        "password": string("password", maxLength=10),
        "join_url": url("join_url"),
        "share_url": url("share_url"),
        "total_size": integer(1, 10_000_000_000, "file_size"),
        "recording_count": integer(1, 10, "count"),
    }


def participant(order: str, action: str, reason: str, required: str) -> Schema:
    """The participant of a *.participant_joined/left event (``action``: join or leave)."""
    fields = {
        "user_id": PARTICIPANT_USER_ID,
        "user_name": string("name"),
        "id": maybe_empty(zoom_id()),
        "participant_uuid": zoom_id(),
        f"{action}_time": maybe_empty(datetime_()),
        "leave_reason": string("leave_reason"),
        "email": maybe_empty(email()),
        "registrant_id": zoom_id(),
        "participant_user_id": maybe_empty(zoom_id()),
        "customer_key": string("token", maxLength=35),
        "phone_number": string("phone_number"),
    }
    return obj(pick(fields, order.format(t=action, r=reason)), required)


def sharing_participant(order: str, details_order: str) -> Schema:
    details = {
        "content": enum(["application", "desktop", "whiteboard", "unknown"]),
        "link_source": enum(["in_meeting", "deep_link", ""]),
        "file_link": maybe_empty(url("url")),
        "source": enum(["dropbox", "google_drive", "one_drive", "box", "sharepoint", ""]),
        "date_time": datetime_(),
    }
    fields = {
        "id": zoom_id(),
        "user_id": PARTICIPANT_USER_ID,
        "user_name": string("name"),
        "sharing_details": obj(pick(details, details_order)),
    }
    return obj(pick(fields, order), "user_id sharing_details")


def occurrences(order: str) -> Schema:
    fields = {
        "occurrence_id": OCCURRENCE_ID,
        "start_time": datetime_(),
        "duration": integer(0, 1440, "duration"),
        "status": enum(["available", "deleted"]),
    }
    return array(obj(pick(fields, order), "occurrence_id start_time"), 1, 3)


VIDEO_TYPES = ["shared_screen_with_speaker_view", "shared_screen_with_gallery_view"]
VIDEO_TYPES += ["active_speaker", "gallery_view", "shared_screen", "speaker_view", "host_video"]
VIDEO_TYPES += ["shared_screen_with_speaker_view(CC)"]
OTHER_TYPES = ["timeline", "audio_transcript", "chat_file", "closed_caption", "poll", "summary"]
FILE_KINDS: dict[str, tuple[Schema, Schema, Schema]] = {  # file_type, extension, recording_type
    "video": (const("MP4"), const("MP4"), enum(VIDEO_TYPES)),
    "audio": (const("M4A"), const("M4A"), enum(["audio_only", "audio_interpretation"])),
    "other": (
        enum(["TIMELINE", "TRANSCRIPT", "CHAT", "CC", "CSV", "SUMMARY"]),
        enum(["JSON", "VTT", "TXT", "CSV"]),
        enum(OTHER_TYPES),
    ),
    "transcript": (const("TRANSCRIPT"), const("VTT"), const("audio_transcript")),
}


def recording_file(kind: str, order: str) -> Schema:
    file_type, extension, recording_type = FILE_KINDS[kind]
    fields: Schema = {
        "id": string("uuid", pattern=r"^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$"),
        "meeting_id": string("meeting_uuid", minLength=1),
        "recording_start": datetime_(),
        "recording_end": datetime_(),
        "recording_type": recording_type,
        "file_type": file_type,
        "file_name": string("name", minLength=1),
        "file_size": integer(1, 10_000_000_000, "file_size"),
        "file_extension": extension,
        "play_url": url("play_url"),
        "download_url": url("download_url"),
        "status": const("completed"),
    }
    props = pick(fields, order)
    return obj(props, " ".join(name for name in props if name != "play_url"))


def recording_files(order: str, kinds: tuple[str, ...] = ("video", "audio", "other")) -> Schema:
    """1-4 files; the first kind is what generated events carry (an MP4 unless told otherwise)."""
    branches = [recording_file(kind, order) for kind in kinds]
    return array(branches[0] if len(branches) == 1 else {"anyOf": branches}, 1, 4)


def admin(payload: dict[str, Schema]) -> dict[str, Schema]:
    """Payload fields of an event someone caused: account_id, operator, operator_id, ..."""
    return {"account_id": zoom_id(), "operator": email(), "operator_id": zoom_id(), **payload}


# ---------------------------------------------------------------- whole events

DESCRIPTIONS = {
    "endpoint.url_validation": "Zoom's challenge: does the endpoint know the secret token?",
    "meeting.created": "A meeting was scheduled, or an instant meeting was created.",
    "meeting.updated": "A meeting changed; object has the new values, old_object the old ones.",
    "meeting.deleted": "A meeting, or one occurrence of it, was deleted.",
    "meeting.started": "A meeting began.",
    "meeting.ended": "A meeting ended.",
    "meeting.participant_joined": "Someone joined a meeting.",
    "meeting.participant_left": "Someone left a meeting.",
    "meeting.sharing_started": "A participant started sharing their screen or a file.",
    "meeting.sharing_ended": "A participant stopped sharing.",
    "meeting.chat_message_sent": "A participant sent an in-meeting chat message.",
    "recording.started": "Cloud recording began in a meeting or webinar.",
    "recording.stopped": "Cloud recording stopped in a meeting or webinar.",
    "recording.completed": "A cloud recording is processed and its files can be downloaded.",
    "recording.transcript_completed": "The audio transcript of a cloud recording is ready.",
    "recording.deleted": "A cloud recording was deleted for good.",
    "recording.trashed": "A cloud recording was moved to the trash.",
    "recording.recovered": "A cloud recording was restored from the trash.",
    "webinar.started": "A webinar began.",
    "webinar.ended": "A webinar ended.",
    "webinar.participant_joined": "Someone joined a webinar.",
    "webinar.participant_left": "Someone left a webinar.",
    "webinar.registration_created": "Someone registered for a webinar.",
    "user.created": "An admin, or single sign-on, added a user to the account.",
    "user.updated": "A user's profile changed; object has the new values, old_object the old.",
    "user.deleted": "A user was removed from the account.",
    "user.activated": "A deactivated user was activated again.",
    "user.deactivated": "A user was deactivated.",
    "user.signed_in": "A user signed in to a Zoom client.",
    "user.signed_out": "A user signed out of a Zoom client.",
    "account.updated": "An account's profile changed; object has new values, old_object the old.",
    "app_deauthorized": "A user or admin removed the app, which must now delete their data.",
}
FAMILY_SOURCES = {
    "endpoint": ["ZOOM.md §1, §3"],
    "user": [Z6, USERS_API],
    "account": [Z6, "reference/zoom/openapi/accounts.webhooks.json"],
    "app_deauthorized": [Z6, "reference/zoom/openapi/marketplace.webhooks.json"],
}
PYATTENDER_EVENTS = {"meeting.started", "meeting.ended", "meeting.chat_message_sent"}
PYATTENDER_EVENTS |= {"meeting.participant_joined", "meeting.participant_left"}
COMMENTS = {
    "meeting.started": "Key order and string id of a real delivery (signature-test-vectors.json)"
    "; Zoom's example has another order and an integer id.",
    "meeting.sharing_started": "A string id as in meeting.started (ZOOM.md §6, rivet); Zoom's "
    "example has an integer.",
    "recording.started": "recording_end is null while recording (Zoom's example).",
    "account.updated": "No time_stamp: neither Zoom's schema nor its example has one here.",
    "app_deauthorized": "event_ts sits inside payload; there is none at the top level.",
}
WITH_TOKEN = "event download_token payload event_ts"
ENVELOPES = {
    "endpoint.url_validation": "payload event_ts event",
    "app_deauthorized": "event payload",
    "recording.completed": WITH_TOKEN,
    "recording.transcript_completed": WITH_TOKEN,
    "recording.trashed": WITH_TOKEN,
    "recording.recovered": WITH_TOKEN,
}


def sources(name: str) -> list[str]:
    family = FAMILY_SOURCES.get(name.split(".")[0], [Z6, RIVET])
    extra = [VECTORS] if name in ("endpoint.url_validation", "meeting.started") else []
    return [*family, *([PYATTENDER] if name in PYATTENDER_EVENTS else []), sample(name), *extra]


def event(name: str, payload: Schema) -> Schema:
    fields = {
        "event": {"type": "string", "const": name},
        "download_token": string("token", minLength=1),
        "payload": payload,
        "event_ts": unix_ms(),
    }
    head: Schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{BASE_ID}{name}.json",
        "title": name,
        "description": DESCRIPTIONS[name],
        "x-hookmock-source": {"method": "hand-written", "based_on": sources(name)},
        **({"$comment": COMMENTS[name]} if name in COMMENTS else {}),
    }
    return {**head, **obj(pick(fields, ENVELOPES.get(name, "event payload event_ts")))}


def about(thing: Schema) -> Schema:
    """The usual payload: ``{account_id, object}``."""
    return obj({"account_id": zoom_id(), "object": thing})


def meetings() -> dict[str, Schema]:
    m_int, m_str = common("integer", MEETING_TYPES), common("string", MEETING_TYPES)
    settings = {
        "use_pmi": boolean(),
        "alternative_hosts": maybe_empty(string("email")),
        "join_before_host": boolean(),
        "jbh_time": enum([0, 5, 10, 15]),
        "meeting_invitees": array(obj({"email": email()}), 1, 3),
    }
    recurrence = {"type": enum([1, 2, 3]), "repeat_interval": integer(1, 10)}
    created = {
        **m_int,
        "pmi": string("pmi"),
        "occurrences": occurrences("occurrence_id start_time duration status"),
        "recurrence": obj({**recurrence, "end_times": integer(1, 50)}, "type"),
        "settings": obj(settings, "use_pmi alternative_hosts"),
    }
    scope = enum(["single", "all"])
    created_required = "uuid id host_id topic type duration join_url settings"
    audio = {"audio": enum(["both", "telephony", "voip", "thirdParty"])}
    changed = obj({"id": m_int["id"], "topic": m_int["topic"], "settings": obj(audio, "")}, "id")
    change = "account_id operator operator_id time_stamp object old_object"
    updated = {"scope": scope, "time_stamp": unix_ms(), "object": changed, "old_object": changed}
    deleted = obj(
        pick(m_int, "uuid id host_id topic type duration timezone"), "uuid id host_id type"
    )
    blank_start = {**m_str, "start_time": maybe_empty(datetime_())}  # Zoom's schema allows blank
    joined = participant(PARTICIPANT, "join", "", "user_id user_name email join_time")
    left = participant(PARTICIPANT, "leave", "leave_reason ", "user_id email leave_time")
    sharing = "id uuid host_id topic type start_time duration participant"
    started = sharing_participant(
        "id user_id user_name sharing_details", "link_source file_link source date_time content"
    )
    ended = sharing_participant(
        "user_id user_name id sharing_details", "content link_source file_link date_time source"
    )
    chat = {
        "date_time": datetime_(),
        "sender_session_id": SESSION_ID,
        "sender_name": string("name"),
        "sender_email": email(),
        "sender_type": enum(["host", "guest"]),
        "recipient_session_id": SESSION_ID,
        "recipient_name": string("name"),
        "recipient_email": email(),
        "recipient_type": enum(["everyone", "host", "guest", "group"]),
        "message_id": BASE64_ID,
        "message_content": string("text", minLength=1),
        "file_ids": array(BASE64_ID, 0, 2),
    }
    chat_required = "date_time sender_session_id sender_name sender_type recipient_type"
    message = obj(chat, chat_required + " message_id message_content")
    must = "id uuid host_id topic type start_time duration"
    return {
        "meeting.created": obj(admin({"operation": scope, "object": obj(
            pick(created, CREATED), created_required)}), "account_id operator operator_id object"),
        "meeting.updated": obj(admin(updated), change),
        "meeting.deleted": obj(admin({"operation": scope, "object": deleted}), ADMIN),
        "meeting.started": about(obj(pick(m_str, STARTED), must)),
        "meeting.ended": about(obj(pick(m_str, IN_MEETING + " end_time"), must + " end_time")),
        "meeting.participant_joined": about(
            obj(pick({**blank_start, "participant": joined}, IN_MEETING + " participant"),
                "uuid host_id type duration participant")),
        "meeting.participant_left": about(
            obj(pick({**blank_start, "participant": left}, IN_MEETING + " participant"),
                must + " participant")),
        "meeting.sharing_started": about(
            obj(pick({**m_str, "participant": started}, STARTED + " participant"), sharing)),
        "meeting.sharing_ended": about(
            obj(pick({**m_str, "participant": ended}, IN_MEETING + " participant"), sharing)),
        "meeting.chat_message_sent": about(
            obj({"id": m_int["id"], "uuid": m_int["uuid"], "chat_message": message})),
    }  # fmt: skip


def recordings() -> dict[str, Schema]:
    rec = common("integer", RECORDING_TYPES)
    base = pick(rec, "id uuid host_id topic type start_time timezone duration")
    null = const(None)
    running = obj({"recording_start": datetime_(), "recording_end": null})
    stopped = obj({"recording_start": datetime_(), "recording_end": datetime_()})
    completed = {
        **rec,
        "auto_delete": boolean(),
        "auto_delete_date": string("date", format="date"),
        "on_prem": boolean(),
        "recording_play_passcode": string("token", minLength=1),
        "recording_files": recording_files(REC_FILE_COMPLETED),
        "participant_audio_files": array(recording_file("audio", AUDIO), 1, 3),
    }
    transcript = {**rec, "recording_files": recording_files(REC_FILE, ("transcript",))}
    out = {
        "recording.started": about(obj({**base, "recording_file": running})),
        "recording.stopped": about(obj({**base, "recording_file": stopped})),
        "recording.completed": about(
            obj(pick(completed, COMPLETED), REC_REQUIRED + " host_email password")),
        "recording.transcript_completed": about(
            obj(pick(transcript, TRANSCRIPT), REC_REQUIRED + " host_email")),
    }  # fmt: skip
    for name, order, audio in (
        ("deleted", "uuid id host_id account_id topic type start_time timezone duration",
         AUDIO + " recording_type"),
        ("trashed", "id uuid host_id account_id topic type start_time timezone host_email"
         " duration password", AUDIO_TYPED),
        ("recovered", "id uuid host_id account_id topic type start_time timezone duration",
         AUDIO_TYPED),
    ):  # fmt: skip
        table = {
            **rec,
            "recording_files": recording_files(REC_FILE),
            "participant_audio_files": array(recording_file("audio", audio), 1, 3),
        }
        thing = obj(pick(table, order + REC_TAIL), REC_REQUIRED)
        out[f"recording.{name}"] = obj(admin({"object": thing}))
    return out


def webinars() -> dict[str, Schema]:
    web = {**common("string", WEBINAR_TYPES), "practice_session": boolean()}
    base = "id uuid host_id topic type start_time timezone duration"
    w_obj = "id uuid host_id topic type start_time duration timezone participant"
    joined = participant(W_PARTICIPANT, "join", "", "user_id user_name id join_time email")
    left = participant(W_PARTICIPANT, "leave", "leave_reason ", "user_id email")
    empty_ok, free = "An optional registration question; empty when not answered.", "Free text."
    time_frames = ["Within a month", "1-3 months", "4-6 months", "More than 6 months"]
    roles = ["Decision Maker", "Evaluator/Recommender", "Influencer", "Not involved"]
    sizes = ["1-20", "21-50", "51-100", "101-500", "500-1,000", "1,001-5,000", "5,001-10,000"]
    registrant = {
        "id": zoom_id(),
        "first_name": string("first_name"),
        "last_name": string("last_name"),
        "email": email(),
        "address": typical(["350 Fifth Avenue", "1 Market Street", "55 Water Street"], free),
        "city": string("city"),
        "country": string("country_code", pattern=r"^[A-Z]{2}$"),
        "zip": typical(["10118", "94105", "10041", "60601"], free),
        "state": typical(["NY", "CA", "IL", "WA", "TX"], free),
        "phone": string("phone_number"),
        "industry": typical(["Education", "Finance", "Healthcare", "Retail", "Software"], free),
        "org": string("company"),
        "job_title": string("job_title"),
        "purchasing_time_frame": typical([*time_frames, "No timeframe"], empty_ok, const("")),
        "role_in_purchase_process": typical(roles, empty_ok, const("")),
        "no_of_employees": typical([*sizes, "More than 10,000"], empty_ok, const("")),
        "comments": string("text"),
        "custom_questions": array(
            obj({"title": string("text", minLength=1), "value": string("text")}), 1, 2),
        "status": enum(["approved", "pending"]),
        "join_url": url("join_url"),
        "tracking_source": obj({
            "id": string("meeting_number", pattern=r"^[0-9]{9,13}$"),
            "source_name": typical(["general", "newsletter", "website"], "Named by the host."),
            "tracking_url": url("url"),
        }),
    }  # fmt: skip
    registration = {
        **common("integer", WEBINAR_TYPES),
        "occurrences": occurrences("occurrence_id start_time"),
        "registrant": obj(registrant, "id first_name email status join_url"),
    }
    reg_order = "uuid id host_id topic type start_time duration timezone occurrences registrant"
    reg_required = "uuid id host_id topic type start_time duration timezone registrant"
    return {
        "webinar.started": about(obj(pick(web, base))),
        "webinar.ended": about(obj(pick(web, base + " end_time practice_session"), base)),
        "webinar.participant_joined": about(obj(pick({**web, "participant": joined}, w_obj))),
        "webinar.participant_left": about(obj(pick({**web, "participant": left}, w_obj))),
        "webinar.registration_created": about(obj(pick(registration, reg_order), reg_required)),
    }


def official() -> dict[str, Schema]:
    """Events with an official Zoom schema (additionalProperties: false): declare nothing else."""
    user = {
        "id": zoom_id(),
        "first_name": string("first_name"),
        "last_name": string("last_name"),
        "display_name": string("name"),
        "email": email(),
        "type": enum([1, 2], "Zoom's schema allows 1 and 2; its examples show 3."),
    }
    creation = enum(["create", "ssoCreate", "autoCreate", "custCreate"])
    changed = obj(pick(user, "email id"), "id")
    person = pick(user, "id first_name last_name email type")
    clients = ["browser", "mac", "win", "iphone", "android", "ipad", "chromeos", "linux"]
    session = {
        "id": zoom_id(),
        "client_type": enum(clients),
        "date_time": datetime_(),
        "email": email(),
        "version": string("version"),
        "login_type": enum([0, 1, 100, 101], "An integer in Zoom's schema; its examples: '100'."),
    }
    alias = typical(["acme", "globex", "initech", "northwind"], "A short name the admin picks.")
    names = {"account_name": string("company", minLength=1), "account_alias": alias}
    account = obj({"id": zoom_id(), **names}, "id")
    signatures = [hashlib.sha256(f"hookmock-{k}".encode()).hexdigest() for k in range(3)]
    stamp = {
        **unix_ms(),
        "$comment": "A number in Zoom's schema; its example: '2024-09-08 15:58:40'.",
    }
    deauthorized = {
        "account_id": zoom_id(),
        "user_id": zoom_id(),
        "signature": typical(signatures, "64 hex digits.", string(pattern=r"^[0-9a-f]{64}$")),
        "deauthorization_time": string("datetime", format="date-time"),
        "client_id": zoom_id(),
        "event_ts": stamp,
    }
    required = "id email type"
    changes = {"time_stamp": unix_ms(), "old_object": changed, "object": changed}
    return {
        "endpoint.url_validation": obj(
            {"plainToken": string("plain_token", pattern=r"^[A-Za-z0-9_-]{22}$")}),
        "user.created": obj(admin({"creation_type": creation, "object": obj(user, required)})),
        "user.updated": obj(admin(changes), "account_id object"),
        "user.deleted": obj(admin({"object": obj(person, required)})),
        "user.activated": obj(admin({"object": obj(person)})),
        "user.deactivated": obj(admin({"object": obj(person)})),
        "user.signed_in": about(obj(session)),
        "user.signed_out": about(obj(session)),
        "account.updated": obj(admin({"object": account, "old_object": account})),
        "app_deauthorized": obj(deauthorized),
    }  # fmt: skip


def build() -> dict[str, Schema]:
    """Every schema, by event name."""
    payloads = {**official(), **meetings(), **recordings(), **webinars()}
    if sorted(payloads) != sorted(DESCRIPTIONS):
        raise ValueError(
            f"events without a description or payload: {payloads.keys() ^ DESCRIPTIONS.keys()}"
        )
    return {name: event(name, payload) for name, payload in payloads.items()}


def render(schema: Schema) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build schemas/zoom/*.json.")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale")
    args = parser.parse_args(argv)
    wanted = {f"{name}.json": render(schema) for name, schema in build().items()}
    if not args.check:
        OUT_DIR.mkdir(parents=True, exist_ok=True)
        for name, text in wanted.items():
            (OUT_DIR / name).write_text(text, encoding="utf-8")
        print(f"wrote {len(wanted)} schemas to {OUT_DIR}")
        return 0
    stale = [
        name
        for name, text in sorted(wanted.items())
        if not (OUT_DIR / name).is_file() or (OUT_DIR / name).read_text(encoding="utf-8") != text
    ]
    unknown = sorted(path.name for path in OUT_DIR.glob("*.json") if path.name not in wanted)
    for name in stale:
        print(f"stale: schemas/zoom/{name}", file=sys.stderr)
    for name in unknown:
        print(f"not made by this script: schemas/zoom/{name}", file=sys.stderr)
    if stale or unknown:
        print("run: python tools/build_zoom_schemas.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
