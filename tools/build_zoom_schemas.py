"""Build hookmock's JSON Schemas for Zoom webhook events into ``schemas/zoom/``.

The shipped files are self-contained; the shared fragments live here so they are written once.
``python tools/build_zoom_schemas.py`` writes the files; ``--check`` exits 1 and names every file
on disk that differs from what would be written.

Conventions the generator (``hookmock/fake.py``) relies on: the order of keys in every
``properties`` object is the byte order of the generated JSON (Zoom's order), ``anyOf`` lists the
realistic branch first, and ``x-hookmock-fake`` names the kind of value a leaf holds.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

Schema = dict[str, Any]

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "schemas" / "zoom"
BASE_ID = "https://hookmock.dev/schemas/zoom/"

# Zoom writes times as 2021-07-13T21:44:51Z (ZOOM.md §6).
ZOOM_TIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"
MEETING_TYPES = [0, 1, 2, 3, 4, 7, 8]
WEBINAR_TYPES = [5, 6, 9]
RECORDING_TYPES = [1, 2, 3, 4, 5, 6, 7, 8, 9]

# Sources, as paths relative to /work/shared (the project's reference folder).
Z6 = "ZOOM.md §6"
PYATTENDER = "reference/zoom/meetings-partial-schemas.from-pyattender.json"
RIVET = "@zoom/rivet meetings/meetings.d.ts (zoom/rivet-javascript@7309ea3)"
USERS_API = "reference/zoom/openapi/users.webhooks.json"


def sample(event: str) -> str:
    return f"reference/zoom/zoomnet-sample-webhooks/{event}.json"


# ---------------------------------------------------------------- leaves


def string(kind: str | None = None, **kw: Any) -> Schema:
    out: Schema = {"type": "string", **kw}
    if kind:
        out["x-hookmock-fake"] = kind
    return out


def integer(minimum: int, maximum: int, kind: str | None = None) -> Schema:
    out: Schema = {"type": "integer", "minimum": minimum, "maximum": maximum}
    if kind:
        out["x-hookmock-fake"] = kind
    return out


def enum(values: list[Any]) -> Schema:
    kind = "integer" if all(isinstance(v, int) for v in values) else "string"
    return {"type": kind, "enum": values}


def datetime_() -> Schema:
    return string("datetime", format="date-time", pattern=ZOOM_TIME)


def email() -> Schema:
    return string("email", format="email")


def url(kind: str) -> Schema:
    return string(kind, format="uri")


def zoom_id() -> Schema:
    return string("zoom_id", minLength=1)


def maybe_empty(schema: Schema) -> Schema:
    """A value Zoom may send as the empty string; the realistic branch comes first."""
    return {"anyOf": [schema, {"const": ""}]}


def typical(schema: Schema, comment: str) -> Schema:
    """Generate the realistic shape, but accept any string Zoom documents for this field."""
    return {"$comment": comment, "anyOf": [schema, {"type": "string"}]}


def unix_ms() -> Schema:
    return integer(1_000_000_000_000, 9_999_999_999_999, "event_ts")


def obj(properties: dict[str, Schema], required: str = "*") -> Schema:
    """An object; ``required`` is a space-separated list, ``*`` for all properties."""
    names = list(properties) if required == "*" else required.split()
    missing = set(names) - set(properties)
    assert not missing, f"required but not declared: {missing}"
    return {"type": "object", "required": names, "properties": properties}


def array(items: Schema, min_items: int, max_items: int) -> Schema:
    return {"type": "array", "minItems": min_items, "maxItems": max_items, "items": items}


def pick(table: dict[str, Schema], order: str) -> dict[str, Schema]:
    """The fields named in ``order``, in that order (Zoom's key order)."""
    return {name: table[name] for name in order.split()}


# ---------------------------------------------------------------- shared fragments

PARTICIPANT_USER_ID = typical(
    string(pattern=r"^[0-9]{8,9}$"),
    "A per-meeting numeric id in real deliveries (16778240); Zoom's docs example shows other text.",
)
OCCURRENCE_ID = typical(
    string(pattern=r"^[0-9]{13}$"),
    "An occurrence id is a Unix-milliseconds start time; Zoom's docs example shows ABCDE12345.",
)


def common(id_as: str, types: list[int]) -> dict[str, Schema]:
    """Fields shared by meeting, webinar and recording objects; ``id_as``: string|integer."""
    meeting_number = (
        string("meeting_number", pattern=r"^[0-9]{9,11}$")
        if id_as == "string"
        else integer(100_000_000, 99_999_999_999, "meeting_number")
    )
    return {
        "id": meeting_number,
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


def participant(action: str) -> Schema:
    """``participant`` of meeting/webinar.participant_joined|left (``action``: join|leave)."""
    return {
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


VIDEO_TYPES = [
    "shared_screen_with_speaker_view",
    "shared_screen_with_gallery_view",
    "active_speaker",
    "gallery_view",
    "shared_screen",
    "shared_screen_with_speaker_view(CC)",
    "speaker_view",
    "host_video",
]
OTHER_FILES = {
    "file_type": enum(["TIMELINE", "TRANSCRIPT", "CHAT", "CC", "CSV", "SUMMARY"]),
    "file_extension": enum(["JSON", "VTT", "TXT", "CSV"]),
    "recording_type": enum(
        ["timeline", "audio_transcript", "chat_file", "closed_caption", "poll", "summary"]
    ),
}
FILE_KINDS: dict[str, dict[str, Schema]] = {
    "video": {
        "file_type": {"const": "MP4"},
        "file_extension": {"const": "MP4"},
        "recording_type": enum(VIDEO_TYPES),
    },
    "audio": {
        "file_type": {"const": "M4A"},
        "file_extension": {"const": "M4A"},
        "recording_type": enum(["audio_only", "audio_interpretation"]),
    },
    "other": OTHER_FILES,
    "transcript": {
        "file_type": {"const": "TRANSCRIPT"},
        "file_extension": {"const": "VTT"},
        "recording_type": {"const": "audio_transcript"},
    },
}


def recording_file(kind: str, order: str) -> Schema:
    fields: dict[str, Schema] = {
        "id": string(
            "uuid", pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
        ),
        "meeting_id": string("meeting_uuid", minLength=1),
        "recording_start": datetime_(),
        "recording_end": datetime_(),
        "file_name": string("name", minLength=1),
        "file_size": integer(1, 10_000_000_000, "file_size"),
        "play_url": url("play_url"),
        "download_url": url("download_url"),
        "status": {"const": "completed"},
        **FILE_KINDS[kind],
    }
    props = pick(fields, order)
    return obj(props, " ".join(n for n in props if n != "play_url"))


def recording_files(order: str, kinds: tuple[str, ...] = ("video", "audio", "other")) -> Schema:
    """Files of a recording: MP4 video first, so generated events carry a playable file."""
    branches = [recording_file(kind, order) for kind in kinds]
    return array(branches[0] if len(branches) == 1 else {"anyOf": branches}, 1, 4)


def participant_audio_files(order: str) -> Schema:
    return array(recording_file("audio", order), 1, 3)


FILE_ORDER = (
    "id meeting_id recording_start recording_end file_type file_size file_extension"
    " play_url download_url status recording_type"
)
AUDIO_ORDER = (
    "id recording_start recording_end recording_type file_type file_name file_size"
    " file_extension play_url download_url status"
)


def admin(payload: dict[str, Schema]) -> dict[str, Schema]:
    """Payload of an event an admin caused: account_id, operator, operator_id, then ``payload``."""
    return {"account_id": zoom_id(), "operator": email(), "operator_id": zoom_id(), **payload}


# ---------------------------------------------------------------- whole events


def event(
    name: str,
    description: str,
    based_on: list[str],
    payload: Schema,
    *,
    envelope: str = "event payload event_ts",
    comment: str | None = None,
) -> Schema:
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
        "description": description,
        "x-hookmock-source": {"method": "hand-written", "based_on": based_on},
    }
    if comment:
        head["$comment"] = comment
    return {**head, **obj(pick(fields, envelope))}


def meeting_event(name: str, description: str, order: str, required: str, **kw: Any) -> Schema:
    """meeting.started/ended/participant_*: string id (ZOOM.md §6) and Zoom's official schema."""
    fields = {**common("string", MEETING_TYPES), **kw.pop("extra", {})}
    fields["start_time"] = kw.pop("start_time", fields["start_time"])
    payload = obj({"account_id": zoom_id(), "object": obj(pick(fields, order), required)})
    return event(name, description, kw.pop("based_on"), payload, **kw)


def build() -> dict[str, Schema]:
    out: dict[str, Schema] = {}

    def add(schema: Schema) -> None:
        out[schema["title"]] = schema

    add(
        event(
            "endpoint.url_validation",
            "Challenge Zoom sends to prove the endpoint knows the secret token.",
            [
                "ZOOM.md §1, §3",
                sample("endpoint.url_validation"),
                "reference/zoom/signature-test-vectors.json",
            ],
            obj({"plainToken": string("plain_token", pattern=r"^[A-Za-z0-9_-]{22}$")}),
            envelope="payload event_ts event",
        )
    )

    # ---- meetings: created/updated/deleted carry an integer id (ZOOM.md §6)
    m_int = common("integer", MEETING_TYPES)
    settings = {
        "use_pmi": {"type": "boolean"},
        "alternative_hosts": maybe_empty(string("email")),
        "join_before_host": {"type": "boolean"},
        "jbh_time": enum([0, 5, 10, 15]),
        "meeting_invitees": array(obj({"email": email()}), 1, 3),
    }
    recurrence = {
        "type": enum([1, 2, 3]),
        "repeat_interval": integer(1, 10),
        "end_times": integer(1, 50),
    }
    created = {
        **m_int,
        "pmi": string("pmi", pattern=r"^[0-9]{10}$"),
        "occurrences": occurrences("occurrence_id start_time duration status"),
        "recurrence": obj(recurrence, "type"),
        "settings": obj(settings, "use_pmi alternative_hosts"),
    }
    created_order = (
        "uuid id host_id topic type start_time duration timezone join_url password pmi"
        " occurrences recurrence settings"
    )
    operation = {"operation": enum(["single", "all"])}
    add(
        event(
            "meeting.created",
            "A meeting was scheduled or an instant meeting was created.",
            [Z6, sample("meeting.created"), RIVET],
            obj(
                admin(
                    {
                        **operation,
                        "object": obj(
                            pick(created, created_order),
                            "uuid id host_id topic type duration join_url settings",
                        ),
                    }
                ),
                "account_id operator operator_id object",
            ),
        )
    )
    changed = obj(
        {
            "id": m_int["id"],
            "topic": m_int["topic"],
            "settings": obj({"audio": enum(["both", "telephony", "voip", "thirdParty"])}, ""),
        },
        "id",
    )
    add(
        event(
            "meeting.updated",
            "A meeting's settings changed; object holds the new values, old_object the old ones.",
            [Z6, sample("meeting.updated"), RIVET],
            obj(
                admin(
                    {
                        "scope": enum(["single", "all"]),
                        "time_stamp": unix_ms(),
                        "object": changed,
                        "old_object": changed,
                    }
                ),
                "account_id operator operator_id time_stamp object old_object",
            ),
        )
    )
    add(
        event(
            "meeting.deleted",
            "A meeting, or one occurrence of it, was deleted.",
            [Z6, sample("meeting.deleted"), RIVET],
            obj(
                admin(
                    {
                        **operation,
                        "object": obj(
                            pick(m_int, "uuid id host_id topic type duration timezone"),
                            "uuid id host_id type",
                        ),
                    }
                ),
                "account_id operator object",
            ),
        )
    )

    # ---- meetings in progress: string id; Zoom's schema (pyattender) is the authority
    in_meeting = [Z6, PYATTENDER, RIVET]
    add(
        meeting_event(
            "meeting.started",
            "A meeting began.",
            "duration start_time timezone topic id type uuid host_id",
            "id uuid host_id topic type start_time duration",
            based_on=[
                *in_meeting,
                sample("meeting.started"),
                "reference/zoom/signature-test-vectors.json",
            ],
            comment="Key order follows a real capture (signature-test-vectors.json), not the docs.",
        )
    )
    add(
        meeting_event(
            "meeting.ended",
            "A meeting ended.",
            "id uuid host_id topic type start_time timezone duration end_time",
            "id uuid host_id topic type start_time duration end_time",
            based_on=[*in_meeting, sample("meeting.ended")],
        )
    )
    blank_ok_start = maybe_empty(datetime_())
    p_order = (
        "user_id user_name id participant_uuid {t}_time {r}email registrant_id"
        " participant_user_id customer_key phone_number"
    )
    obj_order = "id uuid host_id topic type start_time timezone duration participant"
    joined = obj(
        pick(participant("join"), p_order.format(t="join", r="")),
        "user_id user_name email join_time",
    )
    left = obj(
        pick(participant("leave"), p_order.format(t="leave", r="leave_reason ")),
        "user_id email leave_time",
    )
    add(
        meeting_event(
            "meeting.participant_joined",
            "Someone joined a meeting.",
            obj_order,
            "uuid host_id type duration participant",
            extra={"participant": joined},
            start_time=blank_ok_start,
            based_on=[*in_meeting, sample("meeting.participant_joined")],
        )
    )
    add(
        meeting_event(
            "meeting.participant_left",
            "Someone left a meeting.",
            obj_order,
            "id uuid host_id topic type start_time duration participant",
            extra={"participant": left},
            start_time=blank_ok_start,
            based_on=[*in_meeting, sample("meeting.participant_left")],
        )
    )
    sharing_required = "id uuid host_id topic type start_time duration participant"
    add(
        meeting_event(
            "meeting.sharing_started",
            "A participant started sharing their screen or a file.",
            "duration start_time timezone topic id type uuid host_id participant",
            sharing_required,
            extra={
                "participant": sharing_participant(
                    "id user_id user_name sharing_details",
                    "link_source file_link source date_time content",
                )
            },
            based_on=[Z6, RIVET, sample("meeting.sharing_started")],
            comment="String id as in meeting.started (ZOOM.md §6, rivet); the docs example shows "
            "an integer.",
        )
    )
    add(
        meeting_event(
            "meeting.sharing_ended",
            "A participant stopped sharing.",
            "id uuid host_id topic type start_time timezone duration participant",
            sharing_required,
            extra={
                "participant": sharing_participant(
                    "user_id user_name id sharing_details",
                    "content link_source file_link date_time source",
                )
            },
            based_on=[Z6, RIVET, sample("meeting.sharing_ended")],
        )
    )
    session_id = string(pattern=r"^[0-9]{8,9}$")
    chat = {
        "date_time": datetime_(),
        "sender_session_id": session_id,
        "sender_name": string("name"),
        "sender_email": email(),
        "sender_type": enum(["host", "guest"]),
        "recipient_session_id": session_id,
        "recipient_name": string("name"),
        "recipient_email": email(),
        "recipient_type": enum(["everyone", "host", "guest", "group"]),
        # base64 of "1-{GUID}", as in Zoom's example
        "message_id": string(pattern=r"^MS17[A-Za-z0-9+/]{48}fQ==$"),
        "message_content": string("text", minLength=1),
        "file_ids": array(string(pattern=r"^MS17[A-Za-z0-9+/]{48}fQ==$"), 0, 2),
    }
    add(
        event(
            "meeting.chat_message_sent",
            "A participant sent an in-meeting chat message.",
            [Z6, PYATTENDER, RIVET, sample("meeting.chat_message_sent")],
            obj(
                {
                    "account_id": zoom_id(),
                    "object": obj(
                        {
                            "id": m_int["id"],
                            "uuid": m_int["uuid"],
                            "chat_message": obj(
                                chat,
                                "date_time sender_session_id sender_name sender_type"
                                " recipient_type message_id message_content",
                            ),
                        }
                    ),
                }
            ),
        )
    )

    # ---- recordings: integer id; download_token on events that carry files (samples, rivet)
    rec = common("integer", RECORDING_TYPES)
    rec_base = "id uuid host_id topic type start_time timezone duration"
    for name, description, end in (
        ("recording.started", "Cloud recording began in a meeting or webinar.", {"const": None}),
        ("recording.stopped", "Cloud recording stopped in a meeting or webinar.", datetime_()),
    ):
        span = obj({"recording_start": datetime_(), "recording_end": end})
        add(
            event(
                name,
                description,
                [Z6, RIVET, sample(name)],
                obj(
                    {
                        "account_id": zoom_id(),
                        "object": obj({**pick(rec, rec_base), "recording_file": span}),
                    }
                ),
                comment="recording_end is null while the recording runs (Zoom's example)."
                if end == {"const": None}
                else None,
            )
        )
    files_kw = {
        "auto_delete": {"type": "boolean"},
        "auto_delete_date": string("date", format="date"),
        "on_prem": {"type": "boolean"},
        "recording_play_passcode": string("token", minLength=1),
    }
    completed = {
        **rec,
        **files_kw,
        "recording_files": recording_files(
            "id meeting_id recording_start recording_end recording_type file_type file_size"
            " file_extension play_url download_url status"
        ),
        "participant_audio_files": participant_audio_files(
            "id recording_start recording_end file_type file_name file_size file_extension"
            " play_url download_url status"
        ),
    }
    rec_required = (
        "id uuid host_id account_id topic type start_time duration share_url total_size"
        " recording_count recording_files"
    )
    add(
        event(
            "recording.completed",
            "A cloud recording finished processing and its files can be downloaded.",
            [Z6, RIVET, sample("recording.completed")],
            obj(
                {
                    "account_id": zoom_id(),
                    "object": obj(
                        pick(
                            completed,
                            (
                                "id uuid host_id account_id topic type start_time password timezone host_email"
                                " duration share_url total_size recording_count auto_delete auto_delete_date"
                                " on_prem recording_play_passcode recording_files participant_audio_files"
                            ),
                        ),
                        rec_required + " host_email password",
                    ),
                }
            ),
            envelope="event download_token payload event_ts",
        )
    )
    transcript = {**rec, "recording_files": recording_files(FILE_ORDER, ("transcript",))}
    add(
        event(
            "recording.transcript_completed",
            "The audio transcript of a cloud recording is ready.",
            [Z6, RIVET, sample("recording.transcript_completed")],
            obj(
                {
                    "account_id": zoom_id(),
                    "object": obj(
                        pick(
                            transcript,
                            (
                                "id uuid host_id account_id host_email topic type start_time timezone password"
                                " duration share_url total_size recording_count recording_files"
                            ),
                        ),
                        rec_required + " host_email",
                    ),
                }
            ),
            envelope="event download_token payload event_ts",
        )
    )
    for name, description, order, audio_order, envelope in (
        (
            "recording.deleted",
            "A cloud recording was deleted for good.",
            "uuid id host_id account_id topic type start_time timezone duration",
            AUDIO_ORDER.replace("recording_type ", "") + " recording_type",
            "event payload event_ts",
        ),
        (
            "recording.trashed",
            "A cloud recording was moved to the trash.",
            "id uuid host_id account_id topic type start_time timezone host_email duration"
            " password",
            AUDIO_ORDER,
            "event download_token payload event_ts",
        ),
        (
            "recording.recovered",
            "A cloud recording was restored from the trash.",
            "id uuid host_id account_id topic type start_time timezone duration",
            AUDIO_ORDER,
            "event download_token payload event_ts",
        ),
    ):
        table = {
            **rec,
            "recording_files": recording_files(FILE_ORDER),
            "participant_audio_files": participant_audio_files(audio_order),
        }
        order += " share_url total_size recording_count recording_files participant_audio_files"
        add(
            event(
                name,
                description,
                [Z6, RIVET, sample(name)],
                obj(admin({"object": obj(pick(table, order), rec_required)})),
                envelope=envelope,
            )
        )

    # ---- webinars
    web = common("string", WEBINAR_TYPES)
    web_base = "id uuid host_id topic type start_time timezone duration"
    add(
        event(
            "webinar.started",
            "A webinar began.",
            [Z6, RIVET, sample("webinar.started")],
            obj({"account_id": zoom_id(), "object": obj(pick(web, web_base))}),
        )
    )
    ended = {**web, "practice_session": {"type": "boolean"}}
    add(
        event(
            "webinar.ended",
            "A webinar ended.",
            [Z6, RIVET, sample("webinar.ended")],
            obj(
                {
                    "account_id": zoom_id(),
                    "object": obj(pick(ended, web_base + " end_time practice_session"), web_base),
                }
            ),
        )
    )
    wp_order = (
        "user_id user_name id {t}_time {r}email registrant_id participant_user_id"
        " participant_uuid customer_key phone_number"
    )
    w_obj = "id uuid host_id topic type start_time duration timezone participant"
    for name, description, action, reason, required in (
        (
            "webinar.participant_joined",
            "Someone joined a webinar.",
            "join",
            "",
            "user_id user_name id join_time email",
        ),
        (
            "webinar.participant_left",
            "Someone left a webinar.",
            "leave",
            "leave_reason ",
            "user_id email",
        ),
    ):
        person = obj(pick(participant(action), wp_order.format(t=action, r=reason)), required)
        add(
            event(
                name,
                description,
                [Z6, RIVET, sample(name)],
                obj(
                    {
                        "account_id": zoom_id(),
                        "object": obj(pick({**web, "participant": person}, w_obj)),
                    }
                ),
            )
        )
    empty_ok = "Optional registration question; empty when not answered."
    registrant = {
        "id": zoom_id(),
        "first_name": string("first_name"),
        "last_name": string("last_name"),
        "email": email(),
        "address": typical(
            string(pattern=r"^[1-9][0-9]{1,3} [A-Z][a-z]{3,10} (Street|Avenue|Road|Blvd\.)$"),
            "Free text in Zoom; generated as a street address.",
        ),
        "city": string("city"),
        "country": string("country_code", pattern=r"^[A-Z]{2}$"),
        "zip": typical(string(pattern=r"^[0-9]{5}$"), "Free text in Zoom; generated as a US ZIP."),
        "state": typical(
            string(pattern=r"^[A-Z]{2}$"), "Free text in Zoom; generated as a US state."
        ),
        "phone": string("phone_number"),
        "industry": typical(
            enum(["Education", "Finance", "Food", "Healthcare", "Retail", "Technology"]),
            "Free text in Zoom.",
        ),
        "org": string("company"),
        "job_title": string("job_title"),
        "purchasing_time_frame": {
            "$comment": empty_ok,
            "anyOf": [
                enum(
                    [
                        "Within a month",
                        "1-3 months",
                        "4-6 months",
                        "More than 6 months",
                        "No timeframe",
                    ]
                ),
                {"const": ""},
            ],
        },
        "role_in_purchase_process": {
            "$comment": empty_ok,
            "anyOf": [
                enum(["Decision Maker", "Evaluator/Recommender", "Influencer", "Not involved"]),
                {"const": ""},
            ],
        },
        "no_of_employees": {
            "$comment": empty_ok,
            "anyOf": [
                enum(
                    [
                        "1-20",
                        "21-50",
                        "51-100",
                        "101-500",
                        "500-1,000",
                        "1,001-5,000",
                        "5,001-10,000",
                        "More than 10,000",
                    ]
                ),
                {"const": ""},
            ],
        },
        "comments": string("text"),
        "custom_questions": array(
            obj({"title": string("text", minLength=1), "value": string("text")}), 1, 2
        ),
        "status": enum(["approved", "pending"]),
        "join_url": url("join_url"),
        "tracking_source": obj(
            {
                "id": string(pattern=r"^[0-9]{10,13}$"),
                "source_name": typical(
                    enum(["general", "newsletter", "linkedin", "website"]), "Named by the host."
                ),
                "tracking_url": url("url"),
            }
        ),
    }
    reg_object = {
        **common("integer", WEBINAR_TYPES),
        "occurrences": occurrences("occurrence_id start_time"),
        "registrant": obj(registrant, "id first_name email status join_url"),
    }
    add(
        event(
            "webinar.registration_created",
            "Someone registered for a webinar.",
            [Z6, RIVET, sample("webinar.registration_created")],
            obj(
                {
                    "account_id": zoom_id(),
                    "object": obj(
                        pick(
                            reg_object,
                            (
                                "uuid id host_id topic type start_time duration timezone occurrences"
                                " registrant"
                            ),
                        ),
                        "uuid id host_id topic type start_time duration timezone registrant",
                    ),
                }
            ),
        )
    )

    # ---- users: Zoom's official schema is the authority (additionalProperties: false)
    user_type = {**enum([1, 2]), "$comment": "Zoom's schema allows 1 and 2; its examples show 3."}
    user = {
        "id": zoom_id(),
        "first_name": string("first_name"),
        "last_name": string("last_name"),
        "display_name": string("name"),
        "email": email(),
        "type": user_type,
    }
    users = [Z6, USERS_API]
    add(
        event(
            "user.created",
            "An admin or single sign-on added a user to the account.",
            [*users, sample("user.created")],
            obj(
                admin(
                    {
                        "creation_type": enum(["create", "ssoCreate", "autoCreate", "custCreate"]),
                        "object": obj(user, "id email type"),
                    }
                )
            ),
        )
    )
    changed_user = obj(pick(user, "email id"), "id")
    add(
        event(
            "user.updated",
            "A user's profile changed; object holds the new values, old_object the old ones.",
            [*users, sample("user.updated")],
            obj(
                admin(
                    {"time_stamp": unix_ms(), "old_object": changed_user, "object": changed_user}
                ),
                "account_id object",
            ),
        )
    )
    plain_user = pick(user, "id first_name last_name email type")
    for name, description, required in (
        ("user.deleted", "A user was removed from the account.", "id email type"),
        ("user.activated", "A deactivated user was activated again.", "*"),
        ("user.deactivated", "A user was deactivated.", "*"),
    ):
        add(
            event(
                name,
                description,
                [*users, sample(name)],
                obj(admin({"object": obj(plain_user, required)})),
            )
        )
    session = {
        "id": zoom_id(),
        "client_type": enum(
            ["browser", "mac", "win", "iphone", "android", "ipad", "chromeos", "linux"]
        ),
        "date_time": datetime_(),
        "email": email(),
        "version": string("version"),
        "login_type": {
            **enum([0, 1, 100, 101]),
            "$comment": "Integer in Zoom's schema; its examples show a string.",
        },
    }
    for name, description in (
        ("user.signed_in", "A user signed in to a Zoom client."),
        ("user.signed_out", "A user signed out of a Zoom client."),
    ):
        add(
            event(
                name,
                description,
                [*users, sample(name)],
                obj({"account_id": zoom_id(), "object": obj(session)}),
            )
        )

    account = obj(
        {
            "id": zoom_id(),
            "account_name": string("company", minLength=1),
            "account_alias": typical(
                string(pattern=r"^[A-Za-z][A-Za-z0-9_]{2,15}$"), "A short name the admin picks."
            ),
        },
        "id",
    )
    add(
        event(
            "account.updated",
            "An account's profile changed; object holds the new values, old_object the old ones.",
            [Z6, "reference/zoom/openapi/accounts.webhooks.json", sample("account.updated")],
            obj(admin({"object": account, "old_object": account})),
            comment="No time_stamp: neither Zoom's schema nor its example has one here.",
        )
    )
    add(
        event(
            "app_deauthorized",
            "A user or admin removed the app; the app must delete that user's data.",
            [Z6, "reference/zoom/openapi/marketplace.webhooks.json", sample("app_deauthorized")],
            obj(
                {
                    "account_id": zoom_id(),
                    "user_id": zoom_id(),
                    "signature": string(pattern=r"^[0-9a-f]{64}$"),
                    "deauthorization_time": string("datetime", format="date-time"),
                    "client_id": zoom_id(),
                    "event_ts": {
                        **unix_ms(),
                        "$comment": "A number in Zoom's schema; its example "
                        "shows '2024-09-08 15:58:40'.",
                    },
                }
            ),
            envelope="event payload",
            comment="event_ts sits inside payload, not at the top level (ZOOM.md §6).",
        )
    )
    return out


def render(schema: Schema) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale files; exit 1")
    args = parser.parse_args(argv)
    wanted = {f"{name}.json": render(schema) for name, schema in build().items()}
    if args.check:
        stale = sorted(
            name
            for name, text in wanted.items()
            if not (OUT_DIR / name).is_file()
            or (OUT_DIR / name).read_text(encoding="utf-8") != text
        )
        extra = sorted(p.name for p in OUT_DIR.glob("*.json") if p.name not in wanted)
        for name in stale:
            print(f"stale: schemas/zoom/{name}", file=sys.stderr)
        for name in extra:
            print(f"not built by this script: schemas/zoom/{name}", file=sys.stderr)
        if stale or extra:
            print("run: python tools/build_zoom_schemas.py", file=sys.stderr)
            return 1
        return 0
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for name, text in wanted.items():
        (OUT_DIR / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(wanted)} schemas to {OUT_DIR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
