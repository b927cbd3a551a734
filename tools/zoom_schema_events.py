"""Payloads of the meeting, webinar and recording events Zoom has no published schema for.

Structure comes from Zoom's documented examples (the ZoomNet samples), the @zoom/rivet types
(which fields are optional, string or number), the official schemas of five meeting events
(pyattender) and ZOOM.md §6; ``build_zoom_schemas.py`` wraps each payload in its envelope. Key
orders follow Zoom's examples.
"""

from __future__ import annotations

from zoom_schema_fragments import (
    BASE64_ID,
    FILE_ID,
    MEETING_TYPES,
    MEETING_UUID,
    NUMBER,
    NUMBER_TEXT,
    PARTICIPANT_USER_ID,
    RECORDING_TYPES,
    WEBINAR_TYPES,
    Schema,
    about,
    admin,
    array,
    boolean,
    chat,
    common,
    consistent,
    const,
    count,
    datetime_,
    email,
    enum,
    hex_digits,
    integer,
    maybe_empty,
    obj,
    occurrences,
    person,
    pick,
    recording_file,
    recording_files,
    recurrence,
    registrant,
    sharing_participant,
    sometimes,
    string,
    typical,
    unix_ms,
    url,
    zoom_id,
)

# Key orders, as in Zoom's documented examples (or a real capture where noted).
CREATED = "uuid id host_id topic type start_time duration timezone join_url password pmi"
CREATED += " occurrences recurrence settings"
# The orders of real deliveries (ZOOM.md §8; meeting.started also signature-test-vectors.json).
STARTED = "duration start_time timezone topic id type uuid host_id"
ENDED = "duration start_time timezone end_time topic id type uuid host_id host_email"
CAPTURED_PARTICIPANT = "customer_key {t} public_ip user_id user_name registrant_id"
CAPTURED_PARTICIPANT += " participant_user_id id {r}email private_ip participant_uuid phone_number"
IN_MEETING_CAPTURED = "uuid participant id type topic host_id duration start_time timezone"
REC_CAPTURED = "uuid id host_id topic type start_time timezone duration recording_file"
COMPLETED_CAPTURED = "uuid id account_id host_id topic type start_time timezone host_email"
COMPLETED_CAPTURED += " duration total_size recording_count share_url recording_files password"
COMPLETED_CAPTURED += " recording_play_passcode on_prem auto_delete auto_delete_date"
COMPLETED_CAPTURED += " participant_audio_files"
REC_FILE_CAPTURED = "id meeting_id recording_start recording_end file_type file_extension"
REC_FILE_CAPTURED += " file_size play_url download_url status recording_type"
REC_FILE_CAPTURED += " encryption_fingerprint"  # newer than Zoom's example (ZOOM.md §8)
IN_MEETING = "id uuid host_id topic type start_time timezone duration"
SCHEDULED = "uuid id host_id topic type start_time duration timezone"
JBH = "id uuid host_id topic type start_time duration timezone"
BREAKOUT = "id uuid breakout_room_uuid host_id topic type start_time timezone duration"
W_PARTICIPANT = "user_id user_name id {t}_time {r}email registrant_id participant_user_id"
W_PARTICIPANT += " participant_uuid customer_key phone_number"
B_PARTICIPANT = "user_id parent_user_id user_name id participant_uuid {t}_time {r}email"
B_PARTICIPANT += " registrant_id participant_user_id phone_number customer_key"
WAITING = "user_id user_name id participant_uuid date_time email phone_number"
WAITING += " participant_user_id customer_key registrant_id"
DETAILS = "content link_source file_link date_time source"
CHAT = "date_time sender_session_id sender_name sender_email sender_type recipient_session_id"
CHAT += " recipient_name recipient_email recipient_type message_id"
CHAT_REQUIRED = "date_time sender_session_id sender_name sender_type recipient_type message_id"
FULL_REGISTRANT = "id first_name last_name email address city country zip state phone industry"
FULL_REGISTRANT += " org job_title purchasing_time_frame role_in_purchase_process"
FULL_REGISTRANT += " no_of_employees comments custom_questions status join_url"
REC_FILE = "id meeting_id recording_start recording_end file_type file_size file_extension"
REC_FILE += " play_url download_url status recording_type"
AUDIO = "id recording_start recording_end file_type file_name file_size file_extension"
AUDIO += " play_url download_url status"
AUDIO_TYPED = AUDIO.replace("recording_end", "recording_end recording_type")
TRANSCRIPT = "id uuid host_id account_id host_email topic type start_time timezone password"
TRANSCRIPT += " duration share_url total_size recording_count recording_files"
REC_TAIL = " share_url total_size recording_count recording_files participant_audio_files"
REC_REQUIRED = "id uuid host_id account_id topic type start_time duration share_url"
REC_REQUIRED += " total_size recording_count recording_files"
SUMMARY = "meeting_host_id meeting_host_email meeting_uuid meeting_id meeting_topic"
SUMMARY += " meeting_start_time meeting_end_time summary_start_time summary_end_time"
SUMMARY += " summary_created_time summary_last_modified_time summary_title"
ADMIN = "account_id operator object"
MUST = "id uuid host_id topic type start_time duration"  # what most meeting objects require

ISSUES = ["Unstable audio quality", "Unstable video quality", "Unstable screen share quality"]
ISSUES += ["High CPU occupation", "Call Reconnection"]


def in_meeting(table: dict[str, Schema], order: str, required: str, **extra: Schema) -> Schema:
    """A meeting or webinar object (fields from ``table`` or ``extra``) in ``order``."""
    return obj(pick({**table, **extra}, order), required)


def scheduled(types: list[int], order: str, required: str, **extra: Schema) -> Schema:
    """A scheduled meeting or webinar (integer id), as in created/deleted/registration events."""
    fields = {
        **common("integer", types),
        "occurrences": occurrences("occurrence_id start_time"),
        **extra,
    }
    return obj(pick(fields, order), required)


def feedback() -> Schema:
    reason = obj({"id": const("2"), "name": const("Poor audio quality")})
    details = array({"anyOf": [reason, obj({"id": string(), "name": string()})]}, 1, 1)
    return obj(
        {"satisfied": boolean(), "feedback_details": details, "comments": string("text")},
        "satisfied",
    )


def feedback_event() -> Schema:
    who = "participant_uuid participant_user_id user_name"
    fields = {"feedback": feedback()}  # a guest's participant_user_id is empty
    return about(
        obj(
            {
                "id": NUMBER_TEXT,
                "uuid": MEETING_UUID,
                "participant": person(f"{who} feedback", "*", **fields),
            }
        )
    )


# ---------------------------------------------------------------- meeting.*


def meeting_lifecycle() -> dict[str, Schema]:
    """Scheduling a meeting and changing it: created, updated, deleted, recovered, ..."""
    m_int = common("integer", MEETING_TYPES)
    settings = {
        "use_pmi": boolean(),
        "alternative_hosts": maybe_empty(string("email")),
        "join_before_host": boolean(),
        "jbh_time": enum([0, 5, 10, 15]),
        "meeting_invitees": array(obj({"email": email()}), 1, 3),
    }
    created = {
        **m_int,
        "pmi": string("pmi"),
        "occurrences": occurrences("occurrence_id start_time duration status"),
        "recurrence": recurrence(),
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
    gone = scheduled(MEETING_TYPES, SCHEDULED + " occurrences", MUST + " timezone")
    required = "account_id operator operator_id object"
    out = {
        "meeting.created": obj(
            admin({"operation": scope, "object": obj(pick(created, CREATED), created_required)}),
            required,
        ),
        "meeting.updated": obj(admin(updated), change),
        "meeting.deleted": obj(admin({"operation": scope, "object": deleted}), ADMIN),
        "meeting.permanently_deleted": obj(admin({"operation": scope, "object": gone}), required),
        "meeting.recovered": obj(admin({"operation": scope, "object": gone}), required),
        "meeting.converted_to_webinar": obj(
            admin({"object": obj(pick(common("integer", WEBINAR_TYPES), SCHEDULED), MUST)}),
            required,
        ),
    }
    for action, who, extra in (
        ("created", FULL_REGISTRANT + " participant_pin_code", "status join_url"),
        ("approved", "id first_name last_name email join_url participant_pin_code", "join_url"),
        ("cancelled", "id first_name last_name email", ""),
        ("denied", "id first_name last_name email", ""),
    ):
        person_ = registrant(who, f"id first_name email {extra}".strip())
        thing = scheduled(
            MEETING_TYPES,
            SCHEDULED + " occurrences registrant",
            MUST + " timezone registrant",
            registrant=person_,
        )
        payload = about(thing) if action == "created" else obj(admin({"object": thing}), ADMIN)
        out[f"meeting.registration_{action}"] = payload
    return out


def meeting_participants() -> dict[str, Schema]:
    """Someone joining, leaving, waiting, changing role, ... in a running meeting."""
    m_str = common("string", MEETING_TYPES)
    blank_start = {**m_str, "start_time": maybe_empty(datetime_())}  # Zoom's schema allows blank
    # Fields a real delivery left out are in some generated events only (ZOOM.md §8).
    joined = sometimes(
        person(
            CAPTURED_PARTICIPANT.format(t="", r="join_time "),
            "user_id user_name email join_time",
        ),
        "registrant_id",
        "private_ip",
        "phone_number",
    )
    left = sometimes(
        person(
            CAPTURED_PARTICIPANT.format(t="leave_time", r="leave_reason "),
            "user_id email leave_time",
        ),
        "phone_number",
    )
    order = IN_MEETING + " participant"
    out = {
        "meeting.participant_joined": about(
            in_meeting(
                blank_start,
                IN_MEETING_CAPTURED,
                "uuid host_id type duration participant",
                participant=joined,
            )
        ),
        "meeting.participant_left": about(
            in_meeting(blank_start, IN_MEETING_CAPTURED, MUST + " participant", participant=left)
        ),
    }
    at_time = "user_id date_time email"
    people = {
        "admitted": person(
            "user_id user_name id participant_user_id participant_uuid date_time email"
            " customer_key phone_number registrant_id",
            at_time,
        ),
        "joined_waiting_room": person(WAITING, at_time),
        "left_waiting_room": person(WAITING, at_time),
        "put_in_waiting_room": person(
            "user_id user_name id participant_uuid date_time email participant_user_id"
            " customer_key registrant_id phone_number",
            at_time,
        ),
        "role_changed": person(
            "user_id participant_uuid user_name id email registrant_id participant_user_id"
            " date_time old_role new_role",
            "user_id user_name email date_time old_role new_role",
        ),
        "bind": person(
            "user_id bind_user_id user_name id participant_user_id participant_uuid"
            " bind_participant_uuid date_time email registrant_id phone_number",
            "user_id bind_user_id date_time phone_number",
        ),
    }
    for action, who in people.items():
        required = "uuid host_id type" if action == "bind" else MUST
        thing = in_meeting(m_str, order, required + " participant", participant=who)
        out[f"meeting.participant_{action}"] = about(thing)
    jbh = "id user_name customer_key registrant_id"
    for action, who, table, head in (
        ("joined", person(jbh, ""), m_str, JBH),
        ("waiting", person("id user_name customer_key", "user_name"), m_str, JBH),
        ("waiting_left", person(jbh, "user_name"), common("integer", MEETING_TYPES), SCHEDULED),
    ):
        thing = in_meeting(
            table,
            head + " participant",
            "id uuid host_id topic type duration participant",
            participant=who,
        )
        out[f"meeting.participant_jbh_{action}"] = about(thing)
    breakout = {**m_str, "breakout_room_uuid": MEETING_UUID}
    for action, reason, name in (("join", "", "joined"), ("leave", "leave_reason ", "left")):
        who = person(
            B_PARTICIPANT.format(t=action, r=reason), f"user_id user_name {action}_time email"
        )
        thing = in_meeting(
            breakout,
            BREAKOUT + " participant",
            MUST + " breakout_room_uuid participant",
            participant=who,
        )
        out[f"meeting.participant_{name}_breakout_room"] = about(thing)
    return out


def meeting_activity() -> dict[str, Schema]:
    """What happens inside a running meeting besides people coming and going."""
    m_int, m_str = common("integer", MEETING_TYPES), common("string", MEETING_TYPES)
    sharing = MUST + " participant"
    started = sharing_participant(
        "id user_id user_name sharing_details", "link_source file_link source date_time content"
    )
    ended = sharing_participant(
        "user_id user_name id sharing_details", "content link_source file_link date_time source"
    )
    in_breakout = sharing_participant(
        "user_id parent_user_id user_name id sharing_details", DETAILS
    )
    breakout = {**m_str, "breakout_room_uuid": MEETING_UUID}
    message = chat(CHAT + " message_content file_ids", CHAT_REQUIRED + " message_content")
    file_sent = chat(
        CHAT + " file_id file_name file_size file_type download_url",
        CHAT_REQUIRED + " file_id file_name file_size file_type download_url",
    )
    issues = array(typical(ISSUES, "What Zoom noticed."), 1, 2)
    test_status = count([0, 1, 2], "Zoom's example shows 0, 1 and 2.")
    test_result = {
        "user_id": PARTICIPANT_USER_ID,
        "user_name": string("name"),
        "camera_status": test_status,
        "speaker_status": test_status,
        "microphone_status": test_status,
        "os": typical(["win", "mac", "ios", "android"], "The participant's system."),
    }
    stream = {
        "service": typical(
            ["Custom_Live_Streaming_Service", "YouTube", "Facebook", "Workplace_by_Facebook"],
            "Where the meeting is streamed.",
        ),
        "custom_live_streaming_settings": obj(
            {
                "stream_url": url("url"),
                "stream_key": string("token", minLength=1),
                "page_url": url("url"),
                "resolution": typical(["720p", "1080p"], "The stream's resolution."),
            },
            "stream_url stream_key page_url",
        ),
        "date_time": datetime_(),
    }
    live = in_meeting(
        m_int,
        IN_MEETING + " live_streaming",
        MUST + " live_streaming",
        live_streaming=obj(stream, "service date_time"),
    )
    settings = typical(
        ["enablePassword", "enableWaitingRoom", "enableScreenShareHostOnly", "enableMeetingChat"],
        "A meeting setting.",
    )
    armn = {
        "post_platform": typical(["twitter", "facebook", "reddit"], "Where the link was posted."),
        "social_link": url("url"),
        "post_time": datetime_(),
        "post_user": string("name"),
        "meeting_url": url("join_url"),
        "recommended_enable_settings": array(settings, 1, 2),
        "recommended_disable_settings": array(settings, 1, 2),
    }
    return {
        "meeting.started": about(in_meeting(m_str, STARTED + " host_email", MUST)),
        "meeting.ended": about(in_meeting(m_str, ENDED, MUST + " end_time")),
        "meeting.alert": about(
            in_meeting(m_str, IN_MEETING + " issues", MUST + " issues", issues=issues)
        ),
        "meeting.sharing_started": about(
            in_meeting(m_str, STARTED + " participant", sharing, participant=started)
        ),
        "meeting.sharing_ended": about(
            in_meeting(m_str, IN_MEETING + " participant", sharing, participant=ended)
        ),
        "meeting.breakout_room_sharing_started": about(
            in_meeting(breakout, BREAKOUT + " participant", sharing, participant=in_breakout)
        ),
        "meeting.breakout_room_sharing_ended": about(
            in_meeting(breakout, BREAKOUT + " participant", sharing, participant=in_breakout)
        ),
        "meeting.chat_message_sent": about(
            obj({"id": m_int["id"], "uuid": m_int["uuid"], "chat_message": message})
        ),
        "meeting.chat_message_file_sent": about(
            obj(
                {"meeting_id": NUMBER, "meeting_uuid": MEETING_UUID, "chat_message_file": file_sent}
            )
        ),
        "meeting.chat_message_file_downloaded": downloaded(),
        "meeting.device_tested": about(
            obj(
                {
                    "id": NUMBER,
                    "uuid": MEETING_UUID,
                    "test_result": obj(
                        test_result,
                        "user_id user_name camera_status speaker_status microphone_status",
                    ),
                }
            )
        ),
        "meeting.participant_feedback": feedback_event(),
        "meeting.live_streaming_started": obj(admin({"object": live})),
        "meeting.live_streaming_stopped": obj(admin({"object": live})),
        "meeting.risk_alert": about(
            in_meeting(
                m_int,
                "id uuid host_id host_email topic type start_time timezone armn_details",
                "id uuid host_id host_email type armn_details",
                armn_details=obj(armn, ""),
            )
        ),
    }


def downloaded() -> Schema:
    """*.chat_message_file_downloaded: someone downloaded a file sent in the chat."""
    file = chat("file_id file_name file_owner_id file_size file_type", "*")
    thing = {
        "id": NUMBER,
        "uuid": MEETING_UUID,
        "host_account_id": zoom_id(),
        "chat_message_file": file,
    }
    return obj(admin({"object": obj(thing)}))


def meeting_calls() -> dict[str, Schema]:
    """Zoom calling a phone or a room system into a meeting, and the invitations it sends."""
    out: dict[str, Schema] = {}
    head = {"id": NUMBER, "uuid": MEETING_UUID, "host_id": zoom_id()}
    phone = {
        "$comment": "A number here, unlike other phone numbers.",
        "anyOf": [integer(12_002_000_000, 19_899_999_999), {"type": "integer", "minimum": 1}],
    }
    callee = obj({"invitee_name": string("name"), "phone_number": phone})
    room = obj(
        {
            "call_type": typical(["h323", "sip"], "The room system's protocol."),
            "device_ip": string("ipv4"),
        }
    )
    reason = count([1], "Zoom's example shows 1; the codes are not documented here.")
    for outcome in ("accepted", "missed", "rejected", "ringing"):
        out[f"meeting.participant_phone_callout_{outcome}"] = about(
            obj({**head, "participant": callee})
        )
    for outcome in ("accepted", "failed", "missed", "rejected", "ringing"):
        fields = {
            **head,
            "message_id": BASE64_ID,
            "inviter_name": string("name"),
            **({"reason_type": reason} if outcome == "failed" else {}),
            "participant": room,
        }
        out[f"meeting.participant_room_system_callout_{outcome}"] = about(obj(fields))
    invitee = obj({"participant_user_id": zoom_id(), "email": email()}, "email")
    m_str = common("string", MEETING_TYPES)
    invited = in_meeting(
        m_str,
        "id uuid host_id topic participant",
        "id uuid host_id participant",
        participant=invitee,
    )
    payload = {
        "account_id": zoom_id(),
        "operator_id": zoom_id(),
        "operator": email(),
        "object": invited,
    }
    for outcome in ("accepted", "dispatched", "rejected", "timeout"):
        out[f"meeting.invitation_{outcome}"] = obj(payload, "account_id object")
    return out


def meeting_ai() -> dict[str, Schema]:
    """AI Companion: its summaries, transcripts and assets."""
    head = {"meeting_number": NUMBER, "meeting_uuid": MEETING_UUID, "host_id": zoom_id()}
    features = obj({"summary": boolean(), "questions": boolean()}, "")
    assets = array(typical(["transcripts"], "What was deleted; Zoom's example: transcripts."), 1, 1)
    m = common("integer", MEETING_TYPES)
    summary = {
        "meeting_host_id": zoom_id(),
        "meeting_host_email": email(),
        "meeting_uuid": MEETING_UUID,
        "meeting_id": NUMBER,
        "meeting_topic": m["topic"],
        **{
            f"{what}_{at}": datetime_()
            for what in ("meeting", "summary")
            for at in ("start_time", "end_time")
        },
        "summary_created_time": datetime_(),
        "summary_last_modified_time": datetime_(),
        "summary_title": string("text", minLength=1),
        "summary_last_modified_user_id": zoom_id(),
        "summary_last_modified_user_email": email(),
        "summary_content": string("text"),
        "summary_doc_url": url("url"),
        "share_with_users": array(obj({"user_email": email()}), 1, 2),
    }
    done = obj(pick(summary, SUMMARY + " summary_content summary_doc_url"), SUMMARY)
    edited = SUMMARY + " summary_last_modified_user_id summary_last_modified_user_email"
    out = {
        "meeting.ai_companion_started": about(obj({**head, "ai_companion": features})),
        "meeting.ai_companion_stopped": about(obj({**head, "ai_companion": features})),
        "meeting.ai_companion_assets_deleted": about(
            obj({**head, "ai_companion": obj({"deleted_assets": assets})})
        ),
        "meeting.aic_transcript_completed": about(
            obj(
                {
                    "host_id": zoom_id(),
                    "meeting_uuid": MEETING_UUID,
                    "meeting_id": NUMBER,
                    "meeting_topic": m["topic"],
                    "meeting_start_time": datetime_(),
                    "file_id": string("uuid", minLength=1),
                    "attach_type": typical(
                        ["durable_transcript"], "Zoom's example: durable_transcript."
                    ),
                }
            )
        ),
        "meeting.summary_completed": about(done),
        "meeting.summary_updated": obj(
            admin(
                {"object": obj(pick(summary, edited + " summary_content summary_doc_url"), SUMMARY)}
            )
        ),
        "meeting.summary_shared": obj(
            admin({"object": obj(pick(summary, SUMMARY + " share_with_users"))})
        ),
    }
    for action in ("deleted", "recovered", "trashed"):
        out[f"meeting.summary_{action}"] = obj(admin({"object": obj(pick(summary, SUMMARY))}))
    return out


# ---------------------------------------------------------------- webinar.*


def webinars() -> dict[str, Schema]:
    web = {**common("string", WEBINAR_TYPES), "practice_session": boolean()}
    w_obj = "id uuid host_id topic type start_time duration timezone participant"
    joined = person(W_PARTICIPANT.format(t="join", r=""), "user_id user_name id join_time email")
    left = person(W_PARTICIPANT.format(t="leave", r="leave_reason "), "user_id email")
    sharer = sharing_participant("user_id user_name id sharing_details", DETAILS)
    role = person(
        "user_id user_name participant_uuid id email registrant_id participant_user_id"
        " date_time old_role new_role",
        "user_id user_name email date_time old_role new_role",
        new_role=typical(["panelist", "co-host"], "A role in a webinar."),
    )
    bound = person(
        "user_id bind_user_id user_name id participant_uuid bind_participant_uuid"
        " registrant_id phone_number join_time",
        "user_id bind_user_id join_time phone_number",
    )
    issues = array(typical(ISSUES, "What Zoom noticed."), 1, 2)
    message = chat(CHAT + " message_content file_ids", CHAT_REQUIRED + " message_content")
    file_sent = chat(
        CHAT + " file_id file_name file_size file_type download_url",
        CHAT_REQUIRED + " file_id file_name file_size file_type download_url",
    )
    return {
        "webinar.started": about(in_meeting(web, IN_MEETING, "*")),
        "webinar.ended": about(
            in_meeting(web, IN_MEETING + " end_time practice_session", IN_MEETING)
        ),
        "webinar.alert": about(
            in_meeting(web, IN_MEETING + " issues", MUST + " issues", issues=issues)
        ),
        "webinar.participant_joined": about(in_meeting(web, w_obj, "*", participant=joined)),
        "webinar.participant_left": about(in_meeting(web, w_obj, "*", participant=left)),
        "webinar.participant_role_changed": about(
            in_meeting(web, w_obj, MUST + " participant", participant=role)
        ),
        "webinar.participant_bind": about(
            in_meeting(
                web, IN_MEETING + " participant", "uuid host_id type participant", participant=bound
            )
        ),
        "webinar.participant_feedback": feedback_event(),
        "webinar.sharing_started": about(
            in_meeting(web, IN_MEETING + " participant", MUST + " participant", participant=sharer)
        ),
        "webinar.sharing_ended": about(
            in_meeting(web, IN_MEETING + " participant", MUST + " participant", participant=sharer)
        ),
        "webinar.chat_message_sent": about(
            obj({"id": NUMBER, "uuid": MEETING_UUID, "chat_message": message})
        ),
        "webinar.chat_message_file_sent": about(
            obj(
                {"webinar_id": NUMBER, "webinar_uuid": MEETING_UUID, "chat_message_file": file_sent}
            )
        ),
        "webinar.chat_message_file_downloaded": downloaded(),
        **webinar_lifecycle(),
    }


def webinar_lifecycle() -> dict[str, Schema]:
    scope = enum(["single", "all"])
    required = "account_id operator operator_id object"
    password = {
        "type": "string",
        "minLength": 1,
        "x-hookmock-fake": "password",
        "$comment": "Zoom's webinar examples show 12 characters.",
    }
    created = scheduled(
        WEBINAR_TYPES,
        SCHEDULED + " join_url password creation_source occurrences settings recurrence",
        MUST + " timezone join_url settings",
        password=password,
        creation_source=typical(["open_api", "web_portal", "other"], "How it was scheduled."),
        occurrences=occurrences("occurrence_id start_time duration status"),
        settings=obj({"use_pmi": boolean(), "alternative_hosts": maybe_empty(string("email"))}),
        recurrence=recurrence(),
    )
    settings = {
        "email_in_attendee_report": boolean(),
        "allow_host_control_participant_mute_state": boolean(),
    }
    changed = obj(
        {
            "id": NUMBER,
            "topic": common("integer", WEBINAR_TYPES)["topic"],
            "settings": obj(settings, ""),
        },
        "id",
    )
    updated = {"scope": scope, "time_stamp": unix_ms(), "object": changed, "old_object": changed}
    gone = scheduled(WEBINAR_TYPES, SCHEDULED + " occurrences", "uuid id host_id type")
    out = {
        "webinar.created": obj(admin({"operation": scope, "object": created}), required),
        "webinar.updated": obj(admin(updated)),
        "webinar.deleted": obj(admin({"operation": scope, "object": gone}), ADMIN),
        "webinar.permanently_deleted": obj(admin({"operation": scope, "object": gone}), required),
        "webinar.recovered": obj(admin({"operation": scope, "object": gone}), required),
        "webinar.converted_to_meeting": obj(
            admin({"object": obj(pick(common("integer", MEETING_TYPES), SCHEDULED), MUST)}),
            required,
        ),
    }
    tracking = " tracking_source"
    for action, who, extra in (
        ("created", FULL_REGISTRANT + tracking, "status join_url"),
        ("approved", "id first_name last_name email join_url" + tracking, "join_url"),
        ("cancelled", "id first_name last_name email" + tracking, ""),
        ("denied", "id first_name last_name email" + tracking, ""),
    ):
        person_ = registrant(who, f"id first_name email {extra}".strip())
        thing = scheduled(
            WEBINAR_TYPES,
            SCHEDULED + " occurrences registrant",
            SCHEDULED + " registrant",
            registrant=person_,
        )
        out[f"webinar.registration_{action}"] = (
            about(thing) if action == "created" else obj(admin({"object": thing}), ADMIN)
        )
    return out


# ---------------------------------------------------------------- recording.*


def recordings() -> dict[str, Schema]:
    rec = common("integer", RECORDING_TYPES)
    base = pick(rec, "id uuid host_id topic type start_time timezone duration")
    # A real recording.started sends recording_end "" (ZOOM.md §8); Zoom's example has null.
    while_running = {"anyOf": [const(""), {"type": "null"}]}
    running = obj({"recording_start": datetime_(), "recording_end": while_running})
    stopped = obj({"recording_start": datetime_(), "recording_end": datetime_()})
    completed = {
        **rec,
        "auto_delete": boolean(),
        "auto_delete_date": string("date", format="date"),
        "on_prem": boolean(),
        "recording_play_passcode": string("token", minLength=1),
        "recording_files": recording_files(REC_FILE_CAPTURED),
        "participant_audio_files": array(recording_file("audio", AUDIO), 1, 3),
    }
    transcript = {**rec, "recording_files": recording_files(REC_FILE, ("transcript",))}
    renamed = obj(pick(rec, "uuid id topic type host_id"))
    out = {
        "recording.started": about(obj(pick({**rec, "recording_file": running}, REC_CAPTURED))),
        "recording.stopped": about(obj(pick({**rec, "recording_file": stopped}, REC_CAPTURED))),
        "recording.paused": about(obj({**base, "recording_file": stopped})),
        "recording.resumed": about(obj({**base, "recording_file": running})),
        "recording.completed": about(
            sometimes(
                obj(pick(completed, COMPLETED_CAPTURED), REC_REQUIRED + " host_email password"),
                "auto_delete",
                "auto_delete_date",
                "participant_audio_files",
            )
        ),
        "recording.transcript_completed": about(
            obj(pick(transcript, TRANSCRIPT), REC_REQUIRED + " host_email")
        ),
        "recording.renamed": obj(
            admin({"time_stamp": unix_ms(), "object": renamed, "old_object": renamed})
        ),
        "recording.archive_files_completed": about(archive()),
        **batches(),
        "recording.cloud_storage_usage_updated": about(storage()),
    }
    for name, order, audio in (
        (
            "deleted",
            "uuid id host_id account_id topic type start_time timezone duration",
            AUDIO + " recording_type",
        ),
        (
            "trashed",
            "id uuid host_id account_id topic type start_time timezone host_email"
            " duration password",
            AUDIO_TYPED,
        ),
        (
            "recovered",
            "id uuid host_id account_id topic type start_time timezone duration",
            AUDIO_TYPED,
        ),
    ):
        table = {
            **rec,
            "recording_files": recording_files(REC_FILE),
            "participant_audio_files": array(recording_file("audio", audio), 1, 3),
        }
        thing = obj(pick(table, order + REC_TAIL), REC_REQUIRED)
        out[f"recording.{name}"] = obj(admin({"object": thing}))
    short = "id email first_name last_name"
    full = short + " address city country zip state phone industry org job_title"
    full += " purchasing_time_frame role_in_purchase_process no_of_employees comments"
    full += " custom_questions status"
    for action, who in (("created", full), ("approved", short), ("denied", short)):
        required = "email first_name last_name" + (" status" if action == "created" else "")
        thing = obj({**base, "registrant": registrant(who, required)})
        # Zoom's example of recording.registration_denied has no operator; rivet's type has one.
        payload = (
            about(thing)
            if action == "created"
            else obj(admin({"object": thing}), "account_id object")
        )
        out[f"recording.registration_{action}"] = payload
    return out


def archive() -> Schema:
    """recording.archive_files_completed: the archived files of a meeting (audio, video, ...)."""
    order = "id file_type file_extension file_size download_url status recording_type"
    order += " individual participant_email participant_join_time participant_leave_time"
    order += " encryption_fingerprint storage_location"
    extra = {
        "individual": boolean(),
        "participant_email": email(),
        "participant_join_time": datetime_(),
        "participant_leave_time": datetime_(),
        "encryption_fingerprint": hex_digits(64, "archive"),
        "storage_location": typical(["US", "EU", "AU", "JP", "CA"], "A region code."),
    }
    files = [recording_file(kind, order, **extra) for kind in ("audio", "video")]
    fields = {
        **common("integer", RECORDING_TYPES),
        "duration_in_second": integer(0, 86_400),
        "meeting_type": enum(["internal", "external"]),
        "account_name": string("company"),
        "complete_time": datetime_(),
        "is_breakout_room": boolean(),
        "status": typical(["completed"], "The archive's state: completed, in this event."),
        "group_id": zoom_id(),
        "archive_files": array({"anyOf": files}, 1, 4),
    }
    order = "uuid id host_id topic type start_time timezone duration duration_in_second"
    order += " total_size recording_count meeting_type account_name complete_time"
    order += " is_breakout_room status group_id archive_files"
    return obj(pick(fields, order), "uuid id host_id topic type start_time archive_files")


def batches() -> dict[str, Schema]:
    """recording.batch_*: many recordings trashed, deleted or recovered at once."""
    meetings = array(
        obj({"meeting_uuid": MEETING_UUID, "recording_file_ids": array(FILE_ID, 1, 3)}), 1, 3
    )
    trash = typical(["trash_user_recordings", "trash_account_recordings"], "What was trashed.")
    uuids = obj({"meeting_uuids": array(MEETING_UUID, 1, 3)})
    return {
        "recording.batch_deleted": obj(admin({"object": obj({"meetings": meetings})})),
        "recording.batch_recovered": obj(admin({"object": obj({"meetings": meetings})})),
        "recording.batch_trashed": obj(admin({"operation": trash, "object": uuids})),
    }


def storage() -> Schema:
    """recording.cloud_storage_usage_updated: the figures of Zoom's example, which agree."""
    size = string(pattern=r"^\d+(\.\d+)? [KMGT]B$")
    example = {
        "free_storage": "1.65 GB",
        "plan_storage": "40 GB",
        "plan_type": "cmr_monthly_commitment_40",
        "storage_used": "38.35 GB",
        "storage_used_percentage": 95,
        "storage_exceed": "0",
        "max_exceed_date": "2023-03-01",
    }
    general = {
        "free_storage": size,
        "plan_storage": size,
        "plan_type": string(minLength=1),
        "storage_used": size,
        "storage_used_percentage": {"type": "integer", "minimum": 0},
        "storage_exceed": string(),
        "max_exceed_date": string(format="date"),
    }
    return consistent(example, general, " ".join(list(example)[:-1]))  # rivet: date optional
