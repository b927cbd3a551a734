"""Payloads of the events whose structure Zoom publishes as a JSON Schema (its OpenAPI webhook
documents: QSS, RTMS, users, accounts, marketplace; reference/zoom/openapi/).

Zoom's schemas say ``additionalProperties: false`` and the tests validate generated events
against them, so these payloads declare nothing Zoom's schema lacks; hookmock's own schemas do
not say ``additionalProperties: false`` (Zoom adds fields over time).
"""

from __future__ import annotations

import hashlib

from zoom_schema_fragments import (
    MEETING_UUID,
    NUMBER_TEXT,
    PARTICIPANT_USER_ID,
    Schema,
    about,
    admin,
    array,
    boolean,
    consistent,
    const,
    datetime_,
    device_data,
    email,
    enum,
    hex_digits,
    integer,
    obj,
    pick,
    qos_items,
    string,
    typical,
    unix_ms,
    zoom_id,
)


def quality() -> dict[str, Schema]:
    """QoS and device data (Zoom's QSS schemas) and realtime media streams (Zoom's RTMS
    schemas); these schemas say additionalProperties false, so nothing else is declared."""
    # Zoom's *_qos_summary schemas accept an email only with a two-letter top-level domain.
    short_tld = typical(
        ["pat.lee@example.co.uk", "sam.ortiz@example.de", "ana.silva@example.com.br"],
        "Zoom's schema wants a two-letter top-level domain here; its example has .com.",
        {"anyOf": [email(), const("")]},
    )
    per_minute, summary = (
        qos_items(False, string(pattern=r"^-?\d+$")),
        qos_items(True, integer(-90, -20)),
    )
    who = {"user_id": PARTICIPANT_USER_ID, "participant_user_id": zoom_id(), "email": email()}
    qos = obj({**who, "qos": array(per_minute, 1, 3)}, "user_id qos")
    qos_summary = obj(
        {
            "participant_id": PARTICIPANT_USER_ID,
            "user_name": string("name"),
            "id": zoom_id(),
            "email": short_tld,
            "qos": array(summary, 1, 4),
        }
    )

    def data(detailed: bool = False, summary: bool = False, **extra: Schema) -> Schema:
        # Zoom's summaries require every field of a device reading but its browser and client.
        required = SUMMARY_DEVICE if summary else ""
        return obj(
            {
                "participant_id": PARTICIPANT_USER_ID,
                "participant_user_id": zoom_id(),
                "email": email(),
                "data": array(device_data(detailed, required, **extra), 1, 2),
            },
            "participant_id data",
        )

    out: dict[str, Schema] = {}
    for family in ("meeting", "webinar"):
        summary_id = NUMBER_TEXT if family == "meeting" else string("meeting_number")
        with_id = {"uuid": MEETING_UUID, "id": summary_id}
        out[f"{family}.participant_qos"] = about(obj({"uuid": MEETING_UUID, "participant": qos}))
        # Zoom's example of the meeting summary has no id, which its schema requires.
        needed = "uuid participant" if family == "meeting" else "*"
        out[f"{family}.participant_qos_summary"] = about(
            obj({**with_id, "participant": qos_summary}, needed)
        )
        # meeting.participant_data: Zoom's document also declares "Location", beside "location".
        extra = {"Location": {**string("city"), **SKIP}} if family == "meeting" else {}
        out[f"{family}.participant_data"] = about(
            obj({"uuid": MEETING_UUID, "participant": data(**extra)})
        )
    out["meeting.participant_data_summary"] = about(
        obj(
            {
                "uuid": MEETING_UUID,
                "id": NUMBER_TEXT,
                "participant": data(detailed=True, summary=True),
            },
            "uuid participant",
        )
    )
    out["webinar.participant_data_summary"] = about(
        obj({"uuid": MEETING_UUID, "participant": data(summary=True)})
    )
    stream_id = hex_digits(32, "rtms")
    servers = typical(
        ["wss://sjc.rtms.zoom.us:443", "wss://iad.rtms.zoom.us:443"],
        "A wss:// URL (host names made up; Zoom's example: wss://127.0.0.1:443).",
    )
    stop_reason = {**enum([1, 2, 3, 4, 7, 8, 9, 10, 11]), "format": "int32"}  # as Zoom's
    for family in ("meeting", "webinar"):
        uuid = {f"{family}_uuid": MEETING_UUID}
        out[f"{family}.rtms_started"] = obj(
            {**uuid, "operator_id": zoom_id(), "rtms_stream_id": stream_id, "server_urls": servers}
        )
        out[f"{family}.rtms_stopped"] = obj(
            {**uuid, "rtms_stream_id": stream_id, "stop_reason": stop_reason}
        )
        out[f"{family}.rtms_interrupted"] = obj({**uuid, "rtms_stream_id": stream_id})
    near = {"concurrency_limit": 2000, "concurrency_number": 1601, "percentage": 80}  # Zoom's
    number = {"type": "integer", "minimum": 0}
    out["meeting.rtms_concurrency_near_limit"] = consistent(near, dict.fromkeys(near, number))
    return out


SKIP: Schema = {"x-hookmock-skip": True}
SUMMARY_DEVICE = (
    "device location network_type microphone speaker camera data_center connection_type pc_name"
    " domain mac_addr harddisk_id version signaling_ip_address signaling_internal_ip_address"
    " signaling_internal_ip_port audio_internal_ip_address audio_internal_ip_port"
    " video_internal_ip_address video_internal_ip_port as_internal_ip_address as_internal_ip_port"
    " destination_ip_domain destination_ip_port"
)


def profile() -> dict[str, Schema]:
    """The other fields a user.updated object may name (Zoom's users document), left out of
    generated events."""
    attribute = obj({"key": zoom_id(), "name": string("label"), "value": integer(0, 100)})
    feature = obj(
        {
            "large_meeting_capacity": integer(0, 1000),
            "webinar": boolean(),
            "webinar_capacity": integer(0, 10000),
        },
        "",
    )
    settings = obj(
        {"feature": feature, "meeting_capacity": integer(0, 1000), "large_meeting": string("text")},
        "",
    )
    fields = {
        "first_name": string("first_name"),
        "last_name": string("last_name"),
        "display_name": string("name"),
        "type": enum([1, 2]),
        "phone_number": string("phone_number"),
        "phone_country": string("country_code"),
        "company": string("company"),
        "pmi": {**integer(1_000_000_000, 9_999_999_999, "pmi"), "format": "int64"},
        "use_pmi": boolean(),
        "timezone": string("timezone"),
        "pic_url": string("url"),
        "vanity_name": string("label"),
        "host_key": string("pin", maxLength=10),
        "role": string("label"),
        "dept": string("department"),
        "language": string("language"),
        "settings": settings,
        "custom_attributes": array(attribute, 1, 3),
        "primary_group_id": zoom_id(),
    }
    return {name: {**schema, **SKIP} for name, schema in fields.items()}


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
    # Every field Zoom's schema declares is accepted; generated changes name the email only.
    changed = obj({**pick(user, "email id"), **profile()}, "id")
    someone = pick(user, "id first_name last_name email type")
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
    support = {
        "account_support_name": string("name"),
        "account_support_email": email(),
        "managed_domains": array(string("domain"), 1, 3),
    }
    # Zoom's accounts document: more fields an update may name, left out of generated events.
    new_account = obj(
        {"id": zoom_id(), **names, **{k: {**v, **SKIP} for k, v in support.items()}}, "id"
    )
    domains = enum(
        [
            "apply_vanity_url",
            "managed_domains_added",
            "managed_domains_deleted",
            "managed_domains_verifying",
        ]
    )
    signatures = [hashlib.sha256(f"hookmock-{k}".encode()).hexdigest() for k in range(3)]
    stamp = {
        **{key: value for key, value in unix_ms().items() if key != "format"},
        "type": "number",
        "$comment": "A number in Zoom's schema (generated as integer milliseconds); its example: "
        "'2024-09-08 15:58:40'.",
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
    changes |= {"operation": {**enum(["change_password", "sign_out_from_all_devices"]), **SKIP}}
    return {
        "endpoint.url_validation": obj(
            {"plainToken": string("plain_token", pattern=r"^[A-Za-z0-9_-]{22}$")}
        ),
        "user.created": obj(admin({"creation_type": creation, "object": obj(user, required)})),
        "user.updated": obj(admin(changes), "account_id object"),
        "user.deleted": obj(admin({"object": obj(someone, required)})),
        "user.activated": obj(admin({"object": obj(someone)})),
        "user.deactivated": obj(admin({"object": obj(someone)})),
        "user.signed_in": about(obj(session)),
        "user.signed_out": about(obj(session)),
        "account.updated": obj(
            admin(
                {
                    "operation": {**domains, **SKIP},
                    "object": new_account,
                    "old_object": account,
                }
            ),
            "account_id operator operator_id object old_object",
        ),
        # Zoom's schema requires none of these, nor the envelope's fields.
        "app_deauthorized": obj(deauthorized, ""),
    }
