"""The ``x-hookmock-fake`` kind of a leaf of a Zoom schema, for ``convert_zoom_openapi.py`` and
``infer_zoom_schemas.py``, and the ``examples`` of a leaf without one.

A kind is guessed in this order: a name that says what the value is (``caller_email``,
``timezone``); the shape of Zoom's example value (``+12092592844``, ``2022-02-15T09:27:15.987Z``,
a UUID, 32 hex digits); the schema's ``format``; a suffix (``_id``, ``_time``). A leaf whose
meaning none of these settles gets no kind, and hookmock draws it by its type (or from its
``examples``).
"""

from __future__ import annotations

import re
from typing import Any

Schema = dict[str, Any]

PERSON = r"(user|owner|operator|agent|inviter|invitee|consumer|contact|caller|callee|visitor"
PERSON += r"|collaborator|host|display|sender|speaker|member|participant|requester|assignee)"
# (pattern over the property name, kind); the first match wins.
NAME_RULES: list[tuple[str, str]] = [
    (r"(^|_)(e_?mail|email_address)$|^operator$|_email$", "email"),
    (r"^(first_name|.*_first_name)$", "first_name"),
    (r"^(last_name|.*_last_name)$", "last_name"),
    (rf"(^|_){PERSON}(_display)?_?name$|^display_name$|^username$|^userName$", "name"),
    (r"^(time_?zone|timezone_id)$|_timezone$", "timezone"),
    (r"^(country|country_code|country_iso_code|phone_country)$|_country_iso_code$", "country_code"),
    (r"_country_code$", "calling_code"),
    (r"^(city)$|_city$", "city"),
    (r"^(state_code|state)$", "state_code"),
    (r"^(zip|zip_code|postal_code)$", "zip_code"),
    (r"^address(_line1)?$", "street_address"),
    (r"(^|_)(language|primary_language)$|_language_code$", "language"),
    (r"^(company|org_name|organization|account_name)$", "company"),
    (r"^job_title$", "job_title"),
    (r"^(dept|department)$|_department$", "department"),
    (r"(^|_)topic$", "topic"),
    (r"(^|_)(ip|ip_address|device_ip)$|_ip_address$|_ip$", "ipv4"),
    (r"_ip_port$|^(port|max_port|min_port)$", "port"),
    (r"^(mac_addr|mac_address|bssid)$", "mac_address"),
    (r"^(domain|sip_domain|outbound_proxy|secondary_outbound_proxy)$", "domain"),
    (r"(^|_)version$", "version"),
    (r"^(device_type|client_type)$", "device"),
    (r"(^|_)(password|passcode)$", "password"),
    (r"_pin$|^host_key$", "pin"),
    (r"^(join_url|meeting_join_url|zoom_join_url|join_link)$", "join_url"),
    (r"^start_url$", "start_url"),
    (r"(^|_)download_(url|link)$", "download_url"),
    (r"(^|_)(url|link|avatar)$|_uri$", "url"),
    (r"^(meeting_uuid|webinar_uuid|uuid)$", "meeting_uuid"),
    (r"^udid$", "uuid"),
    (r"^(meeting_id|zoom_meeting_id|meeting_number|personal_meeting_id|pmi)$", "meeting_number"),
    (r"(^|_)(ext|extension)_number$", "extension_number"),
    (r"(^|_)(phone_number|phone|did_number|outbound_caller_id)$", "phone_number"),
    (r"^(caller|callee|consumer|flow|transfer_to|contact_center)_number$", "phone_number"),
    (r"^emoji$", "emoji"),
    (r"(_loss|_cpu_usage)$", "percent_text"),
    (r"(^|_)(latency|jitter)$", "ms_text"),
    (r"bitrate$", "kbps_text"),
    (r"frame_rate$", "fps_text"),
    (r"^resolution$", "resolution"),
    (r"^(gps|coordinates)$", "gps"),
    (r"(^|_)(description|desc|message|text|content|content_text|note|comment|comments)$", "text"),
    (r"(^|_)(error|error_message|detail|details|error_detail)$", "text"),
    (r"(^|_)(reason|answer|question|summary|agenda|release_note|meeting_notes)$", "text"),
    (r"(^|_)(name|title|subject|label)$|^(group|zone|site|queue|team)$", "label"),
    (r"(^|_)(ts|timestamp|time_stamp)$|^(create|update|delete|changed)_(time|at)$", "event_ts"),
    (r"(^|_)(talk|hold|wait|waiting|wrap_up)_time$|_in_seconds$|_seconds$", "seconds"),
    (r"(^|_)duration$", "duration"),
    (r"^(file_size|size|total_size)$", "file_size"),
    (r"_count$", "count"),
]
_NAME_RULES = [(re.compile(pattern), kind) for pattern, kind in NAME_RULES]
TIMELY = re.compile(r"(time|ts|date|_at|stamp)$", re.IGNORECASE)  # a number that is a moment
NUMBER_KINDS = {"event_ts", "unix_seconds", "seconds", "duration", "file_size", "count"}
BOTH_KINDS = {"meeting_number", "extension_number", "port"}  # a string or a number
# (pattern over an example string, kind): how a value looks when its name says little.
SHAPES: list[tuple[str, str]] = [
    (r"\+[1-9]\d{7,14}", "phone_e164"),
    (r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", "datetime_ms"),
    (r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", "datetime"),
    (r"\d{4}-\d\d-\d\d", "date"),
    (r"\d\d:\d\d", "time_of_day"),
    (r"\d{8}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "dated_uuid"),
    (r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}", "uuid"),
    (r"[0-9a-f]{32}", "hex_id"),
    (r"Z[A-Z]{2}[0-9A-F]{32}", "zw_id"),
    (r"[A-Za-z0-9+/]{22}==", "meeting_uuid"),
    (r"[^@\s]+@[^@\s]+\.[a-z]{2,}", "email"),
    (r"https?://\S+", "url"),
    (r"\d{15,20}", "numeric_id"),
]
_SHAPES = [(re.compile(pattern), kind) for pattern, kind in SHAPES]
FORMAT_KINDS = {"date-time": "datetime", "date": "date", "email": "email", "uri": "url"}
NUMBERED = {"phone_number", "extension_number"}


def shape_of(value: str) -> str | None:
    """The kind an example string looks like, if any."""
    return next((kind for rx, kind in _SHAPES if rx.fullmatch(value)), None)


def kind_for(
    name: str, typ: str, fmt: str | None = None, value: Any = None, parent: str = ""
) -> str | None:
    """The ``x-hookmock-fake`` kind of a leaf named *name* of JSON type *typ*, or None.

    :param value: Zoom's example value, when there is one.
    :param parent: the name of the object that holds the leaf (a ``callee``'s ``name`` is a
        person's).
    """
    if name == "name" and re.search(PERSON, parent):
        return "name"
    if name in ("number", "display_number") and "number" in parent and typ == "string":
        return "phone_e164"  # toll_call.numbers[].number
    by_name = next((kind for rx, kind in _NAME_RULES if rx.search(name)), None)
    if typ in ("integer", "number"):
        big = isinstance(value, int) and not isinstance(value, bool) and value >= 10**9
        if big and TIMELY.search(name) and by_name not in BOTH_KINDS:
            return "event_ts" if value >= 10**12 else "unix_seconds"
        return by_name if by_name in NUMBER_KINDS | BOTH_KINDS else None
    if typ != "string":
        return None
    shape = shape_of(value) if isinstance(value, str) and value else None
    if by_name in NUMBERED and isinstance(value, str) and value:
        digits = value.removeprefix("+")
        if value.startswith("+"):
            return "phone_e164"
        if digits.isdigit():
            return "phone_number" if len(digits) >= 10 else "extension_number"
    if by_name in NUMBER_KINDS or (shape and by_name in ("label", "text")):
        by_name = None  # a string called *_ts or *_time, a date called "summary" ...
    if by_name is not None:
        return by_name
    if shape is not None:
        return shape
    if fmt in FORMAT_KINDS:
        kind = FORMAT_KINDS[fmt]
        return "datetime_ms" if kind == "datetime" and name.endswith("_ms") else kind
    if name.endswith(("_id", "Id", "_key", "_token")) or name in ("id", "key"):
        return "zoom_id"
    if name.endswith(("_time", "_at")) or name in ("date_time", "created", "updated"):
        return "datetime"
    return None


TOKEN = re.compile(r"[\w.:/()*+#%&,-]+( [\w.:/()*+#%&,-]+){0,2}")


def typical(node: Schema, value: Any) -> list[Any] | None:
    """``examples`` for a leaf that has no kind: Zoom's example value when it is a short token
    (``voip``, ``callQueue``, ``*869``) or an integer, so hookmock sends what the field holds
    rather than random text. None when the value would not meet the node."""
    if {"enum", "const", "pattern", "minLength", "maxLength", "format"} & node.keys():
        return None
    if node.get("type") == "integer" and type(value) is int:
        return [value]
    if node.get("type") == "string" and isinstance(value, str) and len(value) <= 32:
        return [value] if TOKEN.fullmatch(value) else None
    return None


def annotate(node: Schema, kind: str | None, value: Any) -> None:
    """Mark *node* with its value kind, or else with Zoom's value as a typical example."""
    if kind is not None:
        node["x-hookmock-fake"] = kind
        return
    examples = typical(node, value)
    if examples:
        node["examples"] = examples
