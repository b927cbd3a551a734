"""The inner events of Slack's Events API: the ``event`` object of each ``event_callback``.

Slack's published description (``data/events_api.json``, vendored by
``tools/build_slack_catalog.py``) names each event type and the envelope around it, not the
fields of the inner event. Those are written here, each from the event's own reference page
(``https://api.slack.com/events/<type>``, now ``https://docs.slack.dev/reference/events/<type>``),
with the fields every delivery carries; a type not written here gets a minimal inner event
(``type`` and ``event_ts``). :data:`NEWER` lists the types added beside the description's 66.

:data:`OPTIONAL` names fields a schema declares (so that an override may set them) but that a
generated event leaves out unless asked for (``full=True``): a message is not a thread reply
unless it says so.
"""

from __future__ import annotations

from typing import Any

__all__ = ["INNER", "NEWER", "OPTIONAL", "SUBSCRIPTIONS", "TOP_LEVEL"]


def _id(prefix: str) -> dict[str, Any]:
    # Slack's ids: a letter for the kind of object and 8 to 10 uppercase letters and digits.
    return {"type": "string", "pattern": f"^{prefix}[0-9A-Z]{{8,10}}$"}


USER = _id("U")
CHANNEL = _id("C")
DM = _id("D")
TEAM = _id("T")
APP = _id("A")
BOT = _id("B")
FILE = _id("F")
SUBTEAM = _id("S")
ENTERPRISE = _id("E")
#: A message timestamp: Unix seconds and six digits, unique per channel.
TS = {"type": "string", "pattern": r"^[0-9]{10}\.[0-9]{6}$"}
TEXT = {
    "type": "string",
    "minLength": 1,
    "maxLength": 120,
    "examples": [
        "Has anyone looked at the release notes?",
        "The build is green again :tada:",
        "Can we move standup to 10:30 tomorrow?",
        "Here is the draft for Thursday's review",
        "Who owns the on-call rotation this week?",
        "Déploiement terminé, merci à tous !",
        "lunch?",
        "I'll take a look after the meeting",
    ],
}
NAME = {"type": "string", "pattern": "^[a-z][a-z0-9-]{2,20}$"}
BOOL = {"type": "boolean"}
EPOCH = {"type": "integer", "minimum": 1_000_000_000, "maximum": 9_999_999_999}


def _obj(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
    }


def _event(name: str, properties: dict[str, Any], optional: tuple[str, ...] = ()) -> dict[str, Any]:
    """An inner event: ``type`` first and ``event_ts`` last, as Slack's pages show them."""
    props = {"type": {"type": "string", "const": name}, **properties, "event_ts": TS}
    return _obj(props, [key for key in props if key not in optional])


def _list(item: dict[str, Any], low: int = 1, high: int = 3) -> dict[str, Any]:
    return {"type": "array", "items": item, "minItems": low, "maxItems": high, "uniqueItems": True}


# -- shared objects -------------------------------------------------------------------------------

_CHANNEL_OBJECT = _obj({"id": CHANNEL, "name": NAME, "created": EPOCH, "creator": USER})
_PROFILE = _obj(
    {
        "real_name": {"type": "string", "minLength": 1, "maxLength": 40},
        "display_name": {"type": "string", "minLength": 1, "maxLength": 20},
        "status_text": {"type": "string", "maxLength": 40},
        "status_emoji": {"type": "string", "enum": ["", ":palm_tree:", ":calendar:", ":house:"]},
        "email": {"type": "string", "format": "email"},
    }
)
_USER_OBJECT = _obj(
    {
        "id": USER,
        "team_id": TEAM,
        "name": NAME,
        "deleted": {"type": "boolean", "const": False},
        "real_name": {"type": "string", "minLength": 1, "maxLength": 40},
        "tz": {"type": "string", "enum": ["Europe/Paris", "America/New_York", "Asia/Tokyo"]},
        "profile": _PROFILE,
        "is_admin": BOOL,
        "is_bot": {"type": "boolean", "const": False},
        "updated": EPOCH,
    }
)
_ITEM = _obj(
    {"type": {"type": "string", "const": "message"}, "channel": CHANNEL, "ts": TS},
)
_FILE_REF = _obj({"id": FILE})
_SUBTEAM_OBJECT = _obj(
    {
        "id": SUBTEAM,
        "team_id": TEAM,
        "is_usergroup": {"type": "boolean", "const": True},
        "name": {"type": "string", "minLength": 1, "maxLength": 30},
        "handle": NAME,
        "date_create": EPOCH,
        "created_by": USER,
        "user_count": {"type": "integer", "minimum": 0, "maximum": 50},
    }
)
_RESOURCE = _obj(
    {
        "resource": _obj(
            {
                "type": {"type": "string", "enum": ["im", "channel", "team"]},
                "grant": _obj(
                    {"type": {"type": "string", "const": "specific"}, "resource_id": CHANNEL}
                ),
            }
        ),
        "scopes": _list({"type": "string", "enum": ["channels:read", "chat:write", "im:read"]}),
    }
)
_ASSISTANT_THREAD = _obj(
    {
        "user_id": USER,
        "context": _obj(
            {"channel_id": CHANNEL, "team_id": TEAM, "enterprise_id": ENTERPRISE}, required=[]
        ),
        "channel_id": DM,
        "thread_ts": TS,
    }
)
#: Rich text: Block Kit blocks (https://api.slack.com/reference/block-kit/blocks).
BLOCKS = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {"type": {"type": "string", "const": "rich_text"}, "block_id": NAME},
        "required": ["type", "block_id"],
    },
    "minItems": 1,
    "maxItems": 1,
}
CLIENT_MSG_ID = {"type": "string", "format": "uuid"}
_CHANNEL_TYPES = {"type": "string", "enum": ["channel", "group", "im", "mpim", "app_home"]}


def _message(channel_type: dict[str, Any]) -> dict[str, Any]:
    return _event(
        "message",
        {
            "channel": CHANNEL,
            "user": USER,
            "text": TEXT,
            "ts": TS,
            "thread_ts": TS,
            "parent_user_id": USER,
            "client_msg_id": CLIENT_MSG_ID,
            "blocks": BLOCKS,
            "channel_type": channel_type,
        },
        optional=("thread_ts", "parent_user_id", "client_msg_id", "blocks"),
    )


# -- the inner events -----------------------------------------------------------------------------

INNER: dict[str, dict[str, Any]] = {
    "app_mention": _event(
        "app_mention",
        {
            "user": USER,
            "text": TEXT,
            "ts": TS,
            "team": TEAM,
            "channel": CHANNEL,
            "thread_ts": TS,
            "client_msg_id": CLIENT_MSG_ID,
            "blocks": BLOCKS,
        },
        optional=("thread_ts", "client_msg_id", "blocks"),
    ),
    "app_uninstalled": _event("app_uninstalled", {}),
    "channel_archive": _event("channel_archive", {"channel": CHANNEL, "user": USER}),
    "channel_created": _event("channel_created", {"channel": _CHANNEL_OBJECT}),
    "channel_deleted": _event("channel_deleted", {"channel": CHANNEL}),
    "channel_history_changed": _event("channel_history_changed", {"latest": TS, "ts": TS}),
    "channel_left": _event("channel_left", {"channel": CHANNEL, "actor_id": USER}),
    "channel_rename": _event(
        "channel_rename", {"channel": _obj({"id": CHANNEL, "name": NAME, "created": EPOCH})}
    ),
    "channel_unarchive": _event("channel_unarchive", {"channel": CHANNEL, "user": USER}),
    "dnd_updated": _event(
        "dnd_updated",
        {
            "user": USER,
            "dnd_status": _obj(
                {"dnd_enabled": BOOL, "next_dnd_start_ts": EPOCH, "next_dnd_end_ts": EPOCH}
            ),
        },
    ),
    "email_domain_changed": _event("email_domain_changed", {"email_domain": NAME}),
    "emoji_changed": _event(
        "emoji_changed",
        {
            "subtype": {"type": "string", "const": "add"},
            "name": NAME,
            "value": {"type": "string", "format": "uri"},
        },
    ),
    "file_change": _event("file_change", {"file_id": FILE, "file": _FILE_REF}),
    "file_created": _event("file_created", {"file_id": FILE, "file": _FILE_REF}),
    "file_deleted": _event("file_deleted", {"file_id": FILE}),
    "file_public": _event("file_public", {"file_id": FILE, "file": _FILE_REF}),
    "file_shared": _event(
        "file_shared",
        {"file_id": FILE, "user_id": USER, "file": _FILE_REF, "channel_id": CHANNEL},
    ),
    "file_unshared": _event("file_unshared", {"file_id": FILE, "file": _FILE_REF}),
    "group_archive": _event("group_archive", {"channel": _id("G")}),
    "group_close": _event("group_close", {"user": USER, "channel": _id("G")}),
    "group_left": _event("group_left", {"channel": _id("G")}),
    "group_open": _event("group_open", {"user": USER, "channel": _id("G")}),
    "group_rename": _event(
        "group_rename", {"channel": _obj({"id": _id("G"), "name": NAME, "created": EPOCH})}
    ),
    "group_unarchive": _event("group_unarchive", {"channel": _id("G")}),
    "im_close": _event("im_close", {"user": USER, "channel": DM}),
    "im_created": _event("im_created", {"user": USER, "channel": _obj({"id": DM})}),
    "im_open": _event("im_open", {"user": USER, "channel": DM}),
    "link_shared": _event(
        "link_shared",
        {
            "channel": CHANNEL,
            "is_bot_user_member": BOOL,
            "user": USER,
            "message_ts": TS,
            "unfurl_id": {"type": "string", "pattern": "^[A-Za-z0-9]{20,30}$"},
            "source": {"type": "string", "enum": ["conversations_history", "composer"]},
            "links": _list(
                _obj(
                    {
                        "domain": {"type": "string", "const": "example.com"},
                        "url": {"type": "string", "pattern": "^https://example\\.com/[a-z]{3,12}$"},
                    }
                )
            ),
        },
    ),
    "member_joined_channel": _event(
        "member_joined_channel",
        {
            "user": USER,
            "channel": CHANNEL,
            "channel_type": {"type": "string", "enum": ["C", "G"]},
            "team": TEAM,
            "inviter": USER,
        },
        optional=("inviter",),
    ),
    "member_left_channel": _event(
        "member_left_channel",
        {
            "user": USER,
            "channel": CHANNEL,
            "channel_type": {"type": "string", "enum": ["C", "G"]},
            "team": TEAM,
        },
    ),
    "message": _message(_CHANNEL_TYPES),
    "message.app_home": _message({"type": "string", "const": "app_home"}),
    "message.channels": _message({"type": "string", "const": "channel"}),
    "message.groups": _message({"type": "string", "const": "group"}),
    "message.im": _message({"type": "string", "const": "im"}),
    "message.mpim": _message({"type": "string", "const": "mpim"}),
    "pin_added": _event("pin_added", {"user": USER, "channel_id": CHANNEL, "item": _ITEM}),
    "pin_removed": _event(
        "pin_removed", {"user": USER, "channel_id": CHANNEL, "item": _ITEM, "has_pins": BOOL}
    ),
    "reaction_added": _event(
        "reaction_added",
        {
            "user": USER,
            "reaction": {
                "type": "string",
                "enum": ["thumbsup", "eyes", "tada", "white_check_mark"],
            },
            "item_user": USER,
            "item": _ITEM,
        },
    ),
    "reaction_removed": _event(
        "reaction_removed",
        {
            "user": USER,
            "reaction": {
                "type": "string",
                "enum": ["thumbsup", "eyes", "tada", "white_check_mark"],
            },
            "item_user": USER,
            "item": _ITEM,
        },
    ),
    "resources_added": _event("resources_added", {"resources": _list(_RESOURCE)}),
    "resources_removed": _event("resources_removed", {"resources": _list(_RESOURCE)}),
    "scope_denied": _event(
        "scope_denied",
        {
            "scopes": _list(
                {"type": "string", "enum": ["files:read", "files:write", "chat:write"]}
            ),
            "trigger_id": {"type": "string", "pattern": "^[0-9]{10}\\.[0-9]{10}\\.[0-9a-f]{32}$"},
        },
    ),
    "scope_granted": _event(
        "scope_granted",
        {
            "scopes": _list(
                {"type": "string", "enum": ["files:read", "files:write", "chat:write"]}
            ),
            "trigger_id": {"type": "string", "pattern": "^[0-9]{10}\\.[0-9]{10}\\.[0-9a-f]{32}$"},
        },
    ),
    "star_added": _event("star_added", {"user": USER, "item": _ITEM}),
    "star_removed": _event("star_removed", {"user": USER, "item": _ITEM}),
    "subteam_created": _event("subteam_created", {"subteam": _SUBTEAM_OBJECT}),
    "subteam_members_changed": _event(
        "subteam_members_changed",
        {
            "subteam_id": SUBTEAM,
            "team_id": TEAM,
            "date_previous_update": EPOCH,
            "date_update": EPOCH,
            "added_users": _list(USER, 0, 3),
            "added_users_count": {"type": "string", "pattern": "^[0-3]$"},
            "removed_users": _list(USER, 0, 3),
            "removed_users_count": {"type": "string", "pattern": "^[0-3]$"},
        },
    ),
    "subteam_self_added": _event("subteam_self_added", {"subteam_id": SUBTEAM}),
    "subteam_self_removed": _event("subteam_self_removed", {"subteam_id": SUBTEAM}),
    "subteam_updated": _event("subteam_updated", {"subteam": _SUBTEAM_OBJECT}),
    "team_domain_change": _event(
        "team_domain_change",
        {
            "url": {"type": "string", "pattern": "^https://[a-z]{4,12}\\.slack\\.com/$"},
            "domain": NAME,
            "team_id": TEAM,
        },
    ),
    "team_join": _event("team_join", {"user": _USER_OBJECT}),
    "team_rename": _event(
        "team_rename",
        {"name": {"type": "string", "minLength": 3, "maxLength": 30}, "team_id": TEAM},
    ),
    "tokens_revoked": _event(
        "tokens_revoked", {"tokens": _obj({"oauth": _list(USER, 0, 2), "bot": _list(USER, 0, 2)})}
    ),
    "user_change": _event("user_change", {"user": _USER_OBJECT, "cache_ts": EPOCH}),
    # -- newer than the published description (sources: each type's reference page) ----------
    "app_home_opened": _event(
        "app_home_opened",
        {"user": USER, "channel": DM, "tab": {"type": "string", "enum": ["home", "messages"]}},
    ),
    "assistant_thread_started": _event(
        "assistant_thread_started", {"assistant_thread": _ASSISTANT_THREAD}
    ),
    "assistant_thread_context_changed": _event(
        "assistant_thread_context_changed", {"assistant_thread": _ASSISTANT_THREAD}
    ),
    "channel_shared": _event("channel_shared", {"connected_team_id": TEAM, "channel": CHANNEL}),
    "channel_unshared": _event(
        "channel_unshared",
        {
            "previously_connected_team_id": TEAM,
            "channel": CHANNEL,
            "is_ext_shared": {"type": "boolean", "const": False},
        },
    ),
    "user_status_changed": _event("user_status_changed", {"user": _USER_OBJECT, "cache_ts": EPOCH}),
}

#: Event types Slack sends that its published description (2017-2018) predates, each with the
#: page that documents it.
NEWER: dict[str, str] = {
    name: f"https://docs.slack.dev/reference/events/{name}"
    for name in (
        "app_home_opened",
        "assistant_thread_started",
        "assistant_thread_context_changed",
        "channel_shared",
        "channel_unshared",
        "user_status_changed",
    )
}

#: Fields declared but left out of generated events unless set or ``full=True``, by event.
OPTIONAL: dict[str, tuple[str, ...]] = {
    name: tuple(
        key for key in schema["properties"] if key not in schema["required"] and key != "type"
    )
    for name, schema in INNER.items()
}

#: Subscription names (``message.channels``...) whose events carry another ``event.type``.
SUBSCRIPTIONS: dict[str, str] = {name: "message" for name in INNER if name.startswith("message.")}

#: Types that are not wrapped in an ``event_callback``: their own body at the top level.
TOP_LEVEL: dict[str, dict[str, Any]] = {
    # https://api.slack.com/events/url_verification: the handshake.
    "url_verification": {
        "type": "object",
        "properties": {
            "token": {"type": "string"},
            "challenge": {"type": "string", "pattern": "^[A-Za-z0-9]{48}$"},
            "type": {"type": "string", "const": "url_verification"},
        },
        "required": ["token", "challenge", "type"],
        "additionalProperties": False,
    },
    # https://api.slack.com/events/app_rate_limited: sent when an app exceeds 30,000 events an
    # hour in a workspace; minute_rate_limited is the minute (Unix seconds) it started.
    "app_rate_limited": {
        "type": "object",
        "properties": {
            "token": {"type": "string"},
            "type": {"type": "string", "const": "app_rate_limited"},
            "team_id": TEAM,
            "minute_rate_limited": EPOCH,
            "api_app_id": APP,
        },
        "required": ["token", "type", "team_id", "minute_rate_limited", "api_app_id"],
        "additionalProperties": False,
    },
}
