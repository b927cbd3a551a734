"""Build hookmock's JSON Schemas for Zoom webhook events into ``schemas/zoom/``.

``python tools/build_zoom_schemas.py`` writes the files; ``--check`` writes nothing, names every
file on disk that differs from what would be written, and exits 1 if there is one.

The modules: ``zoom_schema_fragments.py`` holds the leaves and the fragments events share;
``zoom_schema_events.py`` the payloads of the meeting, webinar and recording events, by family;
``zoom_schema_published.py`` the payloads of events whose structure Zoom publishes as a schema;
this one each schema's envelope, description and sources. Each shipped file is self-contained.
The conventions the generator (``hookmock/generate/fake.py``) relies on are in
``zoom_schema_fragments.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from zoom_common import run as run_tool
from zoom_schema_events import (
    meeting_activity,
    meeting_ai,
    meeting_calls,
    meeting_lifecycle,
    meeting_participants,
    recordings,
    webinars,
)
from zoom_schema_fragments import Schema, obj, pick, string, unix_ms
from zoom_schema_published import official, quality

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "schemas" / "zoom"
BASE_ID = "https://hookmock.dev/schemas/zoom/"

# Sources (paths relative to the project's shared reference folder).
Z6 = "ZOOM.md §6"
PYATTENDER = "reference/zoom/meetings-partial-schemas.from-pyattender.json"
RIVET = "@zoom/rivet meetings/meetings.d.ts (zoom/rivet-javascript@7309ea3)"
VECTORS = "reference/zoom/signature-test-vectors.json"


def sample(event: str) -> str:
    return f"reference/zoom/zoomnet-sample-webhooks/{event}.json"


def openapi(product: str) -> str:
    return f"reference/zoom/openapi/{product}.webhooks.json"


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
    # meeting.*: scheduling
    "meeting.permanently_deleted": "A deleted meeting was removed from the trash for good.",
    "meeting.recovered": "A deleted meeting was restored from the trash.",
    "meeting.converted_to_webinar": "A scheduled meeting was turned into a webinar.",
    "meeting.registration_created": "Someone registered for a meeting.",
    "meeting.registration_approved": "The host approved someone's registration for a meeting.",
    "meeting.registration_cancelled": "A registration for a meeting was cancelled.",
    "meeting.registration_denied": "The host turned down someone's registration for a meeting.",
    # meeting.*: people in a running meeting
    "meeting.participant_admitted": "The host let someone in from the waiting room.",
    "meeting.participant_joined_waiting_room": "Someone arrived in a meeting's waiting room.",
    "meeting.participant_left_waiting_room": "Someone left a meeting's waiting room.",
    "meeting.participant_put_in_waiting_room": "The host moved a participant to the waiting room.",
    "meeting.participant_role_changed": "A participant became host, co-host or attendee.",
    "meeting.participant_bind": "A participant's phone audio was linked to their video session.",
    "meeting.participant_jbh_joined": "Someone joined before the host, as the meeting allows.",
    "meeting.participant_jbh_waiting": "Someone is waiting for the host to start the meeting.",
    "meeting.participant_jbh_waiting_left": "Someone stopped waiting for the host and left.",
    "meeting.participant_joined_breakout_room": "A participant entered a breakout room.",
    "meeting.participant_left_breakout_room": "A participant left a breakout room.",
    "meeting.participant_feedback": "A participant rated the meeting's quality when leaving it.",
    "meeting.participant_phone_callout_ringing": "Zoom is calling a phone to bring it in.",
    "meeting.participant_phone_callout_accepted": "A phone Zoom called into a meeting answered.",
    "meeting.participant_phone_callout_missed": "A phone Zoom called did not answer.",
    "meeting.participant_phone_callout_rejected": "A phone Zoom called declined to join.",
    "meeting.participant_room_system_callout_ringing": "Zoom is calling a room system (H.323/SIP).",
    "meeting.participant_room_system_callout_accepted": "A called room system joined the meeting.",
    "meeting.participant_room_system_callout_failed": "Calling a room system in failed.",
    "meeting.participant_room_system_callout_missed": "A called room system did not answer.",
    "meeting.participant_room_system_callout_rejected": "A called room system declined the call.",
    "meeting.invitation_dispatched": "Zoom sent a meeting invitation to a contact.",
    "meeting.invitation_accepted": "A contact accepted a meeting invitation.",
    "meeting.invitation_rejected": "A contact declined a meeting invitation.",
    "meeting.invitation_timeout": "A meeting invitation went unanswered.",
    # meeting.*: activity in a running meeting
    "meeting.alert": "Zoom saw quality trouble in a running meeting (audio, video, CPU, ...).",
    "meeting.breakout_room_sharing_started": "Someone started sharing in a breakout room.",
    "meeting.breakout_room_sharing_ended": "Someone stopped sharing in a breakout room.",
    "meeting.chat_message_file_sent": "A participant sent a file in the meeting chat.",
    "meeting.chat_message_file_downloaded": "Someone downloaded a file sent in a meeting chat.",
    "meeting.device_tested": "A participant tested their camera, speaker and microphone.",
    "meeting.live_streaming_started": "A meeting began streaming to a live-streaming service.",
    "meeting.live_streaming_stopped": "A meeting stopped streaming to a live-streaming service.",
    "meeting.risk_alert": "A meeting's link was found posted publicly; Zoom suggests settings.",
    # meeting.*: AI Companion
    "meeting.ai_companion_started": "AI Companion features were turned on in a meeting.",
    "meeting.ai_companion_stopped": "AI Companion features were turned off in a meeting.",
    "meeting.ai_companion_assets_deleted": "What AI Companion kept for a meeting was deleted.",
    "meeting.aic_transcript_completed": "AI Companion's transcript of a meeting is ready.",
    "meeting.summary_completed": "AI Companion finished a meeting's summary.",
    "meeting.summary_updated": "Someone edited a meeting summary.",
    "meeting.summary_shared": "A meeting summary was shared with other users.",
    "meeting.summary_trashed": "A meeting summary was moved to the trash.",
    "meeting.summary_deleted": "A meeting summary was deleted for good.",
    "meeting.summary_recovered": "A meeting summary was restored from the trash.",
    # meeting.*: Zoom's QSS and RTMS schemas
    "meeting.participant_qos": "Per-minute audio, video and CPU readings for one participant.",
    "meeting.participant_qos_summary": "A participant's quality readings over the whole meeting.",
    "meeting.participant_data": "The device and network a participant joined a meeting with.",
    "meeting.participant_data_summary": "A participant's device and network, once they left.",
    "meeting.rtms_started": "A realtime media stream of a meeting is ready to connect to.",
    "meeting.rtms_stopped": "A meeting's realtime media stream stopped.",
    "meeting.rtms_interrupted": "A meeting's realtime media stream was cut off unexpectedly.",
    "meeting.rtms_concurrency_near_limit": "The account nears its limit of concurrent streams.",
    # webinar.*
    "webinar.created": "A webinar was scheduled.",
    "webinar.updated": "A webinar changed; object has the new values, old_object the old ones.",
    "webinar.deleted": "A webinar, or one occurrence of it, was deleted.",
    "webinar.permanently_deleted": "A deleted webinar was removed from the trash for good.",
    "webinar.recovered": "A deleted webinar was restored from the trash.",
    "webinar.converted_to_meeting": "A scheduled webinar was turned into a meeting.",
    "webinar.registration_approved": "The host approved someone's registration for a webinar.",
    "webinar.registration_cancelled": "A registration for a webinar was cancelled.",
    "webinar.registration_denied": "The host turned down someone's registration for a webinar.",
    "webinar.alert": "Zoom saw quality trouble in a running webinar (audio, video, CPU, ...).",
    "webinar.participant_role_changed": "A webinar participant's role changed.",
    "webinar.participant_bind": "A participant's phone audio was linked to their webinar session.",
    "webinar.participant_feedback": "A participant rated the webinar's quality when leaving it.",
    "webinar.sharing_started": "Someone started sharing their screen or a file in a webinar.",
    "webinar.sharing_ended": "Someone stopped sharing in a webinar.",
    "webinar.chat_message_sent": "Someone sent a chat message in a webinar.",
    "webinar.chat_message_file_sent": "Someone sent a file in the webinar chat.",
    "webinar.chat_message_file_downloaded": "Someone downloaded a file sent in a webinar chat.",
    "webinar.participant_qos": "Per-minute audio, video and CPU readings for one attendee.",
    "webinar.participant_qos_summary": "An attendee's quality readings over the whole webinar.",
    "webinar.participant_data": "The device and network an attendee joined a webinar with.",
    "webinar.participant_data_summary": "An attendee's device and network, once they left.",
    "webinar.rtms_started": "A realtime media stream of a webinar is ready to connect to.",
    "webinar.rtms_stopped": "A webinar's realtime media stream stopped.",
    "webinar.rtms_interrupted": "A webinar's realtime media stream was cut off unexpectedly.",
    # recording.*
    "recording.paused": "Cloud recording was paused in a meeting or webinar.",
    "recording.resumed": "Paused cloud recording went on in a meeting or webinar.",
    "recording.renamed": "A cloud recording's topic was changed.",
    "recording.archive_files_completed": "A meeting's archived files can be downloaded.",
    "recording.batch_trashed": "Many cloud recordings were moved to the trash at once.",
    "recording.batch_deleted": "Many cloud recording files were deleted at once.",
    "recording.batch_recovered": "Many cloud recording files were restored at once.",
    "recording.cloud_storage_usage_updated": "The account's cloud recording storage nears full.",
    "recording.registration_created": "Someone registered to watch a cloud recording.",
    "recording.registration_approved": "The host let someone watch a cloud recording.",
    "recording.registration_denied": "The host refused someone access to a cloud recording.",
}
# Events of the three families the @zoom/rivet typings do not have, besides those typed by one
# of Zoom's OpenAPI documents (OPENAPI below); the event catalog lists ZoomNet's sample only.
NOT_IN_RIVET = {
    "meeting.ai_companion_assets_deleted",
    "meeting.ai_companion_started",
    "meeting.ai_companion_stopped",
    "meeting.aic_transcript_completed",
    "meeting.chat_message_file_downloaded",
    "meeting.converted_to_webinar",
    "webinar.chat_message_file_downloaded",
    "webinar.converted_to_meeting",
    *(f"meeting.invitation_{outcome}" for outcome in ("accepted", "dispatched", "rejected")),
    "meeting.invitation_timeout",
    "meeting.rtms_concurrency_near_limit",
}
# Events in one of Zoom's published OpenAPI documents (reference/zoom/openapi/).
QSS = ("participant_qos", "participant_qos_summary", "participant_data")
QSS += ("participant_data_summary",)
RTMS = ("rtms_started", "rtms_stopped", "rtms_interrupted")
OPENAPI = {
    **{f"{family}.{name}": "qss" for family in ("meeting", "webinar") for name in QSS},
    **{f"{family}.{name}": "rtms" for family in ("meeting", "webinar") for name in RTMS},
    "user": "users",
    "account": "accounts",
    "app_deauthorized": "marketplace",
}
PYATTENDER_EVENTS = {"meeting.started", "meeting.ended", "meeting.chat_message_sent"}
PYATTENDER_EVENTS |= {"meeting.participant_joined", "meeting.participant_left"}
INTEGER_ID = "An integer id, as in rivet's type and Zoom's example, unlike most in-meeting events."
OLD_SUMMARY = (
    "Fields of Zoom's current example; rivet's older type has summary_overview, "
    "summary_details and next_steps instead of summary_content and summary_doc_url."
)
CAPTURED = "Key order of a real delivery (ZOOM.md §8)"
COMMENTS = {
    "meeting.started": "Key order and string id of real deliveries (signature-test-vectors.json, "
    "ZOOM.md §8); Zoom's example has another order and an integer id.",
    "meeting.ended": f"{CAPTURED}; Zoom's example has another.",
    "meeting.participant_joined": f"{CAPTURED}; Zoom's example has another.",
    "meeting.participant_left": f"{CAPTURED}; Zoom's example has another.",
    "recording.stopped": f"{CAPTURED}; Zoom's example has another.",
    "recording.completed": f"{CAPTURED}; Zoom's example has another.",
    "meeting.sharing_started": "A string id as in meeting.started (ZOOM.md §6, rivet); Zoom's "
    "example has an integer.",
    "meeting.alert": "A string id as in rivet's type and other in-meeting events (ZOOM.md §6); "
    "Zoom's example has an integer.",
    "meeting.participant_jbh_waiting_left": INTEGER_ID,
    "meeting.live_streaming_started": INTEGER_ID,
    "meeting.live_streaming_stopped": INTEGER_ID,
    "meeting.participant_bind": "date_time as in Zoom's example; rivet's type calls it join_time, "
    "as webinar.participant_bind's example does.",
    "meeting.summary_completed": OLD_SUMMARY,
    "meeting.summary_updated": OLD_SUMMARY,
    "meeting.rtms_concurrency_near_limit": "Only ZoomNet has an example under this name; the "
    "types follow rtms.concurrency_near_limit in Zoom's RTMS document.",
    "recording.started": f'{CAPTURED}. recording_end is "" while recording, as real '
    "deliveries send it; Zoom's example has null, which is accepted too.",
    "recording.resumed": 'recording_end is "" while recording, as in real recording.started '
    "deliveries; Zoom's example has null, which is accepted too.",
    "recording.registration_denied": "operator as in rivet's type; Zoom's example has none.",
    "account.updated": "No time_stamp: neither Zoom's schema nor its example has one here.",
    "app_deauthorized": "event_ts sits inside payload; there is none at the top level.",
}
# Where a hand-written schema departs from the published Zoom schema it cites, on purpose:
# event -> (dotted path, the kinds of difference `hookmock schema-diff` reports there, why).
# Written into the schema as x-hookmock-decisions, which schema-diff reads.
_EVERY_DELIVERY = "Every delivery carries it (ZOOM.md §1, §6); Zoom's schema requires nothing here."
_PLACEHOLDER = (
    "Zoom's schema names the changed fields with a placeholder, $changed_field_name; hookmock "
    "declares the account's fields, as Zoom's example sends them."
)
DEPARTURES: dict[str, list[tuple[str, list[str], str]]] = {
    "account.updated": [
        *(
            (path, ["required"], _EVERY_DELIVERY)
            for path in ("event", "event_ts", "payload", "payload.account_id", "payload.object")
        ),
        ("payload.operator", ["required"], _EVERY_DELIVERY),
        ("payload.object.id", ["required"], "The account changed: every delivery names it."),
        ("payload.old_object", ["required"], "A change event carries the values before it."),
        (
            "payload.operator_id",
            ["removed"],
            "Every admin event's payload carries operator_id beside operator, as Zoom's example "
            "of this event does; Zoom's schema leaves it out.",
        ),
        ("payload.old_object.$changed_field_name", ["added"], _PLACEHOLDER),
        *(
            (f"payload.old_object.{name}", ["removed"], _PLACEHOLDER)
            for name in ("id", "account_name", "account_alias")
        ),
    ],
}
_DEVICE = (
    "payload.object.participant.data[].device",
    ["enum"],
    "Zoom's examples send WIN, outside its enum: any text is accepted; generated values "
    "(Windows, Mac) are in the enum.",
)
_NETWORK = (
    "payload.object.participant.data[].network_type",
    ["enum"],
    "Zoom's meeting and webinar documents list different values (Cellular, 3G): any text is "
    "accepted; generated values (Wired, Wifi) are in both.",
)
_SHORT_TLD = (
    "payload.object.participant.email",
    ["format"],
    "Generated from addresses with a two-letter top-level domain, which Zoom's schema wants here; "
    'any email address, or none (""), is accepted.',
)
DEPARTURES |= {
    "meeting.participant_data": [_DEVICE, _NETWORK],
    "meeting.participant_data_summary": [_DEVICE, _NETWORK],
    "webinar.participant_data_summary": [_DEVICE, _NETWORK],
    "meeting.participant_qos_summary": [
        _SHORT_TLD,
        (
            "payload.object.id",
            ["required"],
            "Zoom's schema requires it; Zoom's example of this event has none: not required.",
        ),
    ],
    "webinar.participant_qos_summary": [_SHORT_TLD],
    "webinar.participant_qos": [
        (
            "payload.object.participant.qos[].date_time",
            ["format"],
            "A time as in every Zoom event: the meeting document says date-time here, the "
            "webinar one nothing.",
        )
    ],
}
WITH_TOKEN = "event download_token payload event_ts"
# The body's top-level key order; "event payload event_ts" unless listed. Participant events and
# recording.completed follow real deliveries (ZOOM.md §8).
ENVELOPES = {
    "endpoint.url_validation": "payload event_ts event",
    "app_deauthorized": "event payload",
    "meeting.participant_joined": "payload event_ts event",
    "meeting.participant_left": "payload event_ts event",
    "recording.completed": "payload event_ts event download_token",
    "recording.transcript_completed": WITH_TOKEN,
    "recording.trashed": WITH_TOKEN,
    "recording.recovered": WITH_TOKEN,
    "recording.archive_files_completed": WITH_TOKEN,
}


def sources(name: str) -> list[str]:
    """What a schema is based on, most general first."""
    if name == "endpoint.url_validation":
        return ["ZOOM.md §1, §3", sample(name), VECTORS]
    family = name.split(".")[0]
    product = OPENAPI.get(name) or OPENAPI.get(family)
    if family in FAMILIES and not product and name not in NOT_IN_RIVET:
        out = [Z6, RIVET]
    else:
        out = [Z6, *([openapi(product)] if product else [])]
    out += [PYATTENDER] if name in PYATTENDER_EVENTS else []
    return [*out, sample(name), *([VECTORS] if name == "meeting.started" else [])]


FAMILIES = ("meeting", "webinar", "recording")


def event(name: str, payload: Schema) -> Schema:
    fields = {
        "event": {"type": "string", "const": name},
        "download_token": string("jwt", minLength=1),  # a JWT in real deliveries (ZOOM.md §8)
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
    if name in DEPARTURES:
        head["x-hookmock-decisions"] = [
            {"path": path, "kinds": kinds, "why": why} for path, kinds, why in DEPARTURES[name]
        ]
    envelope = pick(fields, ENVELOPES.get(name, "event payload event_ts"))
    # app_deauthorized: Zoom's published schema requires nothing (marketplace.webhooks.json).
    return {**head, **obj(envelope, "" if name == "app_deauthorized" else "*")}


def build() -> dict[str, Schema]:
    """Every schema, by event name."""
    payloads = {
        **official(),
        **meeting_lifecycle(),
        **meeting_participants(),
        **meeting_activity(),
        **meeting_calls(),
        **meeting_ai(),
        **quality(),
        **recordings(),
        **webinars(),
    }
    if sorted(payloads) != sorted(DESCRIPTIONS):
        raise ValueError(
            f"events without a description or payload: {payloads.keys() ^ DESCRIPTIONS.keys()}"
        )
    return {name: event(name, payload) for name, payload in payloads.items()}


def main(argv: list[str] | None = None) -> int:
    return run_tool(
        argv, build, methods={"hand-written"}, script="build_zoom_schemas.py", doc=__doc__ or ""
    )


if __name__ == "__main__":
    sys.exit(main())
