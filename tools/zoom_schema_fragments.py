"""The pieces hookmock's Zoom schemas are made of: leaves and the fragments several events share.

Leaves are one value of a known kind (a Zoom id, a time, an email); fragments are the objects
that recur across events (the fields of a meeting, a participant, a recording file, a registrant,
a chat message, a quality reading). ``zoom_schema_events.py`` assembles them into payloads.

Conventions ``hookmock/generate/fake.py`` relies on: the key order of every ``properties`` object
is the byte order of the generated JSON (Zoom's order); ``anyOf`` lists the realistic branch first;
``x-hookmock-fake`` names the kind of value of a leaf; a string with a ``pattern`` also needs a
kind or an ``enum``, so that generated values come from curated, realistic lists.
"""

from __future__ import annotations

import hashlib
from typing import Any

Schema = dict[str, Any]

ZOOM_TIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"  # ZOOM.md §6: 2021-07-13T21:44:51Z
MEETING_TYPES = [0, 1, 2, 3, 4, 7, 8]
WEBINAR_TYPES = [5, 6, 9]
RECORDING_TYPES = [1, 2, 3, 4, 5, 6, 7, 8, 9]

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
    # int64, as Zoom's published schemas say of event_ts and time_stamp.
    return {**integer(1_000_000_000_000, 9_999_999_999_999, "event_ts"), "format": "int64"}


# How often generated events carry a field a real delivery left out (ZOOM.md §8: real bodies are
# sparser than Zoom's examples). Zoom documents no frequency: one capture shows it absent.
SOMETIMES = 0.3


def sometimes(node: Schema, *names: str) -> Schema:
    """*node* (an object) with *names* marked as present in about SOMETIMES of the events."""
    for name in names:
        node["properties"][name] = {**node["properties"][name], "x-hookmock-presence": SOMETIMES}
    return node


def maybe_empty(schema: Schema) -> Schema:
    """A value Zoom may send as the empty string; the realistic branch comes first."""
    return {"anyOf": [schema, const("")]}


def typical(values: list[Any], comment: str, accept: Schema | None = None) -> Schema:
    """Generated from ``values``; validates anything ``accept`` allows (default: any string)."""
    return {"$comment": comment, "anyOf": [enum(values), accept or {"type": "string"}]}


def consistent(figures: dict[str, Any], general: dict[str, Schema], required: str = "*") -> Schema:
    """An object of figures that must agree with each other (a total and its parts): each field
    is generated from ``figures`` (one set that agrees) and validates anything ``general`` allows.
    """
    fields = {name: {"anyOf": [const(value), general[name]]} for name, value in figures.items()}
    return obj(fields, required)


def count(values: list[int], comment: str) -> Schema:
    """A non-negative integer generated from ``values``."""
    return typical(values, comment, {"type": "integer", "minimum": 0})


def hex_digits(length: int, salt: str) -> Schema:
    """``length`` lowercase hex digits, generated from a few fixed digests."""
    digests = [hashlib.sha256(f"hookmock-{salt}-{k}".encode()).hexdigest() for k in range(3)]
    accept = string(pattern=f"^[0-9a-f]{{{length}}}$")
    return typical([d[:length] for d in digests], f"{length} hex digits.", accept)


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


# ---------------------------------------------------------------- ids

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
MEETING_UUID = string("meeting_uuid", pattern=r"^[A-Za-z0-9+/]{22}==$")
NUMBER_TEXT = string("meeting_number", pattern=r"^[0-9]{9,11}$")
NUMBER = integer(100_000_000, 99_999_999_999, "meeting_number")


# ---------------------------------------------------------------- meetings and people


def common(id_type: str, types: list[int]) -> dict[str, Schema]:
    """Fields of meeting, webinar and recording objects; the id is a string or an integer."""
    return {
        "id": NUMBER_TEXT if id_type == "string" else NUMBER,
        "uuid": MEETING_UUID,
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


def admin(payload: dict[str, Schema]) -> dict[str, Schema]:
    """Payload fields of an event someone caused: account_id, operator, operator_id, ..."""
    return {"account_id": zoom_id(), "operator": email(), "operator_id": zoom_id(), **payload}


def about(thing: Schema) -> Schema:
    """The usual payload: ``{account_id, object}``."""
    return obj({"account_id": zoom_id(), "object": thing})


# Role changes, generated as promotions so that the old and new roles differ.
FORMER_ROLE = typical(["attendee"], "A role: host, co-host, attendee (panelist in webinars).")
NEW_ROLE = typical(["co-host", "host"], "A role: host, co-host, attendee (panelist in webinars).")


def person(order: str, required: str, **extra: Schema) -> Schema:
    """A participant of an in-meeting event: the fields named in ``order``."""
    fields = {
        "user_id": PARTICIPANT_USER_ID,
        "parent_user_id": PARTICIPANT_USER_ID,
        "bind_user_id": PARTICIPANT_USER_ID,
        "user_name": string("name"),
        "id": maybe_empty(zoom_id()),
        # A dashed UUID in real deliveries (ZOOM.md §8); Zoom's examples show other text.
        "participant_uuid": string("participant_uuid", minLength=1),
        "bind_participant_uuid": string("uuid", minLength=1),
        "participant_user_id": maybe_empty(zoom_id()),
        "date_time": datetime_(),
        "join_time": maybe_empty(datetime_()),
        "leave_time": maybe_empty(datetime_()),
        "leave_reason": string("leave_reason"),
        "email": maybe_empty(email()),
        "registrant_id": maybe_empty(zoom_id()),  # "" for a guest (ZOOM.md §8)
        "customer_key": string("token", maxLength=35),
        "public_ip": string("ipv4", minLength=1),
        "private_ip": string("ipv4", minLength=1),
        "phone_number": string("phone_number"),
        "old_role": FORMER_ROLE,
        "new_role": NEW_ROLE,
        **extra,
    }
    return obj(pick(fields, order), required)


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
        "parent_user_id": PARTICIPANT_USER_ID,
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


def recurrence() -> Schema:
    return obj(
        {"type": enum([1, 2, 3]), "repeat_interval": integer(1, 10), "end_times": integer(1, 50)},
        "type",
    )


def registrant(order: str, required: str) -> Schema:
    """Someone who registered for a meeting, webinar or recording: the fields in ``order``."""
    empty_ok, free = "An optional registration question; empty when not answered.", "Free text."
    time_frames = ["Within a month", "1-3 months", "4-6 months", "More than 6 months"]
    roles = ["Decision Maker", "Evaluator/Recommender", "Influencer", "Not involved"]
    sizes = ["1-20", "21-50", "51-100", "101-500", "500-1,000", "1,001-5,000", "5,001-10,000"]
    fields = {
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
            obj({"title": string("text", minLength=1), "value": string("text")}), 1, 2
        ),
        "status": enum(["approved", "pending"]),
        "join_url": url("join_url"),
        "participant_pin_code": integer(100_000, 999_999),
        "tracking_source": obj(
            {
                "id": string("meeting_number", pattern=r"^[0-9]{9,13}$"),
                "source_name": typical(["general", "newsletter", "website"], "Named by the host."),
                "tracking_url": url("url"),
            }
        ),
    }
    return obj(pick(fields, order), required)


# ---------------------------------------------------------------- chat

# Generated files are all images, so that the name and the type agree.
CHAT_FILES = typical(["screenshot.png", "whiteboard.png", "diagram.png"], "A file name.")
CHAT_FILE_TYPES = typical(["png"], "The file name's extension (Zoom's example: jpg).")


def chat(order: str, required: str) -> Schema:
    """An in-meeting chat message, or a file sent or downloaded in the chat."""
    fields = {
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
        "file_id": BASE64_ID,
        "file_name": CHAT_FILES,
        "file_owner_id": zoom_id(),
        "file_size": integer(1, 1_000_000_000, "file_size"),
        "file_type": CHAT_FILE_TYPES,
        "download_url": url("download_url"),
    }
    return obj(pick(fields, order), required)


# ---------------------------------------------------------------- recording files

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
FILE_ID = string("uuid", pattern=r"^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$")


def recording_file(kind: str, order: str, **extra: Schema) -> Schema:
    file_type, extension, recording_type = FILE_KINDS[kind]
    fields: Schema = {
        "id": FILE_ID,
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
        "encryption_fingerprint": string("sha256_hex", pattern=r"^[0-9a-f]{64}$"),
        **extra,
    }
    props = pick(fields, order)
    optional = ("play_url", "encryption_fingerprint")
    return obj(props, " ".join(name for name in props if name not in optional))


def recording_files(order: str, kinds: tuple[str, ...] = ("video", "audio", "other")) -> Schema:
    """1-4 files; the first kind is what generated events carry (an MP4 unless told otherwise)."""
    branches = [recording_file(kind, order) for kind in kinds]
    return array(branches[0] if len(branches) == 1 else {"anyOf": branches}, 1, 4)


# ---------------------------------------------------------------- quality of service


def reading(values: list[str], pattern: str) -> Schema:
    return typical(
        values, "A measurement as text, unit included, as Zoom sends it.", string(pattern=pattern)
    )


# Values by tier (low, typical, high), so that a generated minimum never exceeds its maximum.
TIERS = {
    "bitrate": (
        ["6 kbps", "27 kbps", "63 kbps"],
        ["91 kbps", "391 kbps"],
        ["898 kbps", "1232 kbps"],
    ),
    "latency": (["0 ms", "12 ms"], ["24 ms", "38 ms"], ["96 ms", "134 ms"]),
    "jitter": (["0 ms", "1 ms"], ["2 ms", "6 ms"], ["9 ms", "14 ms"]),
    "loss": (["0.0%"], ["0.0%", "0.2%"], ["0.4%", "1.4%"]),
    "frame_rate": (["0 fps", "10 fps"], ["15 fps", "24 fps"], ["25 fps", "30 fps"]),
    "cpu_usage": (["1%", "2%"], ["4%", "7%"], ["9%", "15%", "23%"]),
}
UNITS = {"bitrate": r"^\d+ kbps$", "latency": r"^\d+ ms$", "jitter": r"^\d+ ms$"}
UNITS |= {"loss": r"^\d+(\.\d+)?%$", "frame_rate": r"^\d+ fps$", "cpu_usage": r"^\d+%$"}


def measure(quantity: str, tier: str = "avg") -> Schema:
    """A reading of ``quantity`` (a key of :data:`TIERS`): its min, avg or max tier."""
    low, middle, high = TIERS[quantity]
    values = {"min": low, "avg": middle, "max": high}[tier]
    return reading(values, UNITS[quantity])


RESOLUTION = typical(["1280*720", "640*360", "1920*1080"], "Width*height; may be empty.")
QOS_TYPES = ["audio_input", "audio_output", "video_input", "video_output", "as_input"]
QOS_TYPES += ["as_output", "cpu_usage", "audio_device_from_crc", "audio_device_to_crc"]
QOS_TYPES += ["video_device_from_crc", "video_device_to_crc", "as_device_from_crc"]
QOS_TYPES += ["as_device_to_crc", "audio_device_from_rwg", "audio_device_to_rwg"]
QOS_TYPES += ["video_device_from_rwg", "video_device_to_rwg", "as_device_from_rwg"]
QOS_TYPES += ["as_device_to_rwg", "audio_quality", "video_quality", "as_quality", "wifi_rssi"]
QOS_TYPES += ["notification"]


def qos_items(summary: bool, rssi: Schema) -> Schema:
    """Quality readings, one anyOf branch per kind of reading (audio, video and screen share,
    CPU, Wi-Fi signal, anything else); generated events carry audio readings. A summary gives
    the minimum, average and maximum of each measure; a per-minute reading one value."""
    tiers = ("min", "avg", "max") if summary else ("",)

    def measures(*quantities: str) -> dict[str, Schema]:
        return {(f"{t}_{q}" if t else q): measure(q, t or "avg") for q in quantities for t in tiers}

    network = measures("bitrate", "latency", "jitter")
    loss = {
        f"{t}_loss": measure("loss", t)
        for t in (("min", "avg", "max") if summary else ("avg", "max"))
    }
    rates = measures("frame_rate")
    score = reading(["3.65", "4.12", "2.87"], r"^\d\.\d+$")
    quality = {"quality": enum(["good", "fair", "poor", "bad"]), "quality_score": score}
    cpu = {f"zoom_{t}_cpu_usage": measure("cpu_usage", t) for t in ("min", "avg", "max")}
    pressure = enum(["normal", "fair", "serious", "critical"])
    # Newer fields of Zoom's QSS document, accepted and not generated.
    cpu |= {
        f"system_{t}_cpu_pressure_level": {**pressure, "x-hookmock-skip": True}
        for t in ("min", "avg", "max")
    }
    wifi = {f"{t}_rssi": rssi for t in ("min", "avg", "max")}
    unit = typical(["dBm"], "Decibel-milliwatts in Zoom's example; Zoom's schema says text.")
    notice = enum(["internet connection unstable", "network bandwidth low"])
    notices = {} if summary else {"network_notification": {**notice, "x-hookmock-skip": True}}
    # A summary has no notification readings (Zoom's QSS document).
    kinds = [t for t in QOS_TYPES if t != "notification"] if summary else QOS_TYPES

    def item(types: list[str], details: dict[str, Schema]) -> Schema:
        head = {} if summary else {"date_time": datetime_()}
        return obj({**head, "type": enum(types), "details": obj(details, "")})

    return {
        "anyOf": [
            item(["audio_input", "audio_output"], {**network, **loss, **quality}),
            item(
                ["video_input", "video_output", "as_input", "as_output"],
                {**network, **loss, "resolution": RESOLUTION, **rates},
            ),
            item(["cpu_usage"], {**cpu, "system_max_cpu_usage": measure("cpu_usage", "max")}),
            item(["wifi_rssi"], {**wifi, "rssi_unit": unit}),
            item(kinds, notices),
        ]
    }


def device_data(detailed: bool, required: str = "", **extra: Schema) -> Schema:
    """What a participant joined with: device, network, addresses (QoS data events); only
    ``detailed`` ones (meeting.participant_data_summary) name the browser and the client app."""
    private = typical(
        ["192.168.1.23", "10.0.0.15", "172.16.4.7"],
        "A private IPv4 address.",
        string(pattern=r"^\d{1,3}(\.\d{1,3}){3}$"),
    )
    port = typical(
        ["5060", "8801", "8802", "443", "3478"], "A port, as text.", string(pattern=r"^\d{1,5}$")
    )
    # The values below are what both Zoom schemas (meeting and webinar) accept.
    fields = {
        "device": typical(["Windows", "Mac"], "Zoom's examples also show WIN."),
        "location": string("city"),
        "network_type": typical(["Wired", "Wifi"], "Also PPP, Cellular, 3G, Others."),
        "microphone": typical(
            ["Plantronics BT600", "MacBook Pro Microphone", "Jabra Evolve2 65"], "A device name."
        ),
        "speaker": typical(
            ["Plantronics BT600", "MacBook Pro Speakers", "Jabra Evolve2 65"], "A device name."
        ),
        "camera": typical(
            ["FaceTime HD Camera", "Logitech C920", "Integrated Webcam"], "A device name."
        ),
        "data_center": typical(["SC", "NY", "DV", "AMS"], "A Zoom data center (example: SC)."),
        "connection_type": typical(["UDP", "TCP", "P2P"], "How media travels."),
        "pc_name": typical(["JCHILL-LAPTOP", "MacBook-Pro", "DESKTOP-4F2K9Q1"], "A host name."),
        "domain": typical(["corp.example.com", "WORKGROUP", "my-workspace"], "A network domain."),
        "mac_addr": typical(
            [f"00:00:5E:00:53:{n:02X}" for n in (0, 42, 175)],
            "RFC 7042 documentation addresses.",
            string(pattern=r"^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$"),
        ),
        "harddisk_id": typical(["S4EWNX0N123456", "WD-WX12A3456789", "Disk01"], "A disk serial."),
        "version": string("version"),
        "signaling_ip_address": string("ipv4"),
        "signaling_internal_ip_address": private,
        "signaling_internal_ip_port": port,
        "audio_internal_ip_address": private,
        "audio_internal_ip_port": port,
        "video_internal_ip_address": private,
        "video_internal_ip_port": port,
        "as_internal_ip_address": private,
        "as_internal_ip_port": port,
        "destination_ip_domain": typical(["zoom.us"], "A Zoom domain (example: example.com)."),
        "destination_ip_port": port,
        "device_detail": typical(
            ["GoogleChromeSAB 130", "Windows 11", "macOS 14.5"], "The browser or system."
        ),
        "client": typical(["Web video sdk 1.12.10", "Zoom Workplace 6.1.0"], "The client app."),
    }
    if not detailed:
        del fields["device_detail"], fields["client"]
    return obj({**fields, **extra}, required)
