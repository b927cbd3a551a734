"""Slash commands and interactivity: what Slack posts, form-encoded, to an app's other Request
URLs.

- A slash command (https://api.slack.com/interactivity/slash-commands, "App command
  payload") is ``application/x-www-form-urlencoded`` fields: ``token``, ``team_id``,
  ``team_domain``, ``channel_id``, ``channel_name``, ``user_id``, ``user_name``, ``command``,
  ``text``, ``api_app_id``, ``is_enterprise_install``, ``response_url``, ``trigger_id``.
- An interactivity payload (https://api.slack.com/interactivity/handling, "Payloads") is one form
  field, ``payload``, holding JSON: ``block_actions`` (a button pressed), ``view_submission`` (a
  modal submitted), ``shortcut`` (a global shortcut), ``message_action`` (a message shortcut).

Both are signed like events, must be answered within 3 s, and are not retried (the user sees an
error instead).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from .events import CHANNEL, NAME, TEAM, TS, USER, _id, _list, _obj

__all__ = ["FORM_CONTENT_TYPE", "FORM_EVENTS", "SCHEMAS", "SLASH_COMMAND", "form_body"]

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
SLASH_COMMAND = "slash_command"

_URL = {
    "type": "string",
    "pattern": r"^https://hooks\.slack\.com/(commands|actions)/T[0-9A-Z]{8,10}/[0-9]{12}/[A-Za-z0-9]{24}$",
}
_TRIGGER = {"type": "string", "pattern": r"^[0-9]{12}\.[0-9]{12}\.[0-9a-f]{32}$"}
_TEAM = _obj({"id": TEAM, "domain": NAME})
_USER = _obj({"id": USER, "username": NAME, "name": NAME, "team_id": TEAM})
_NO_ENTERPRISE = {"type": "null"}
_FALSE = {"type": "boolean", "const": False}
_TOKEN = {"type": "string", "pattern": "^[A-Za-z0-9]{24}$"}
_APP = _id("A")
_PLAIN = _obj(
    {
        "type": {"type": "string", "const": "plain_text"},
        "text": {"type": "string", "minLength": 1, "maxLength": 30},
    }
)
_CALLBACK = {"type": "string", "pattern": "^[a-z][a-z_]{3,20}$"}

SCHEMAS: dict[str, dict[str, Any]] = {
    SLASH_COMMAND: _obj(
        {
            "token": _TOKEN,
            "team_id": TEAM,
            "team_domain": NAME,
            "channel_id": CHANNEL,
            "channel_name": NAME,
            "user_id": USER,
            "user_name": NAME,
            "command": {"type": "string", "pattern": "^/[a-z]{3,12}$"},
            "text": {"type": "string", "maxLength": 60},
            "api_app_id": _APP,
            "is_enterprise_install": {"type": "string", "const": "false"},
            "response_url": _URL,
            "trigger_id": _TRIGGER,
        }
    ),
    "block_actions": _obj(
        {
            "type": {"type": "string", "const": "block_actions"},
            "user": _USER,
            "api_app_id": _APP,
            "token": _TOKEN,
            "container": _obj(
                {
                    "type": {"type": "string", "const": "message"},
                    "message_ts": TS,
                    "channel_id": CHANNEL,
                    "is_ephemeral": _FALSE,
                }
            ),
            "trigger_id": _TRIGGER,
            "team": _TEAM,
            "enterprise": _NO_ENTERPRISE,
            "is_enterprise_install": _FALSE,
            "channel": _obj({"id": CHANNEL, "name": NAME}),
            "response_url": _URL,
            "actions": _list(
                _obj(
                    {
                        "action_id": _CALLBACK,
                        "block_id": NAME,
                        "text": _PLAIN,
                        "value": NAME,
                        "type": {"type": "string", "const": "button"},
                        "action_ts": TS,
                    }
                ),
                1,
                1,
            ),
        }
    ),
    "view_submission": _obj(
        {
            "type": {"type": "string", "const": "view_submission"},
            "team": _TEAM,
            "user": _USER,
            "api_app_id": _APP,
            "token": _TOKEN,
            "trigger_id": _TRIGGER,
            "view": _obj(
                {
                    "id": _id("V"),
                    "team_id": TEAM,
                    "type": {"type": "string", "const": "modal"},
                    "callback_id": _CALLBACK,
                    "private_metadata": {"type": "string", "maxLength": 0},
                    "title": _PLAIN,
                    "state": _obj({"values": {"type": "object"}}),
                    "hash": {"type": "string", "pattern": r"^[0-9]{10}\.[A-Za-z0-9]{8}$"},
                }
            ),
            "response_urls": {"type": "array", "maxItems": 0},
            "is_enterprise_install": _FALSE,
            "enterprise": _NO_ENTERPRISE,
        }
    ),
    "shortcut": _obj(
        {
            "type": {"type": "string", "const": "shortcut"},
            "token": _TOKEN,
            "action_ts": TS,
            "team": _TEAM,
            "user": _USER,
            "is_enterprise_install": _FALSE,
            "enterprise": _NO_ENTERPRISE,
            "callback_id": _CALLBACK,
            "trigger_id": _TRIGGER,
        }
    ),
    "message_action": _obj(
        {
            "type": {"type": "string", "const": "message_action"},
            "token": _TOKEN,
            "action_ts": TS,
            "team": _TEAM,
            "user": _USER,
            "channel": _obj({"id": CHANNEL, "name": NAME}),
            "is_enterprise_install": _FALSE,
            "enterprise": _NO_ENTERPRISE,
            "callback_id": _CALLBACK,
            "trigger_id": _TRIGGER,
            "response_url": _URL,
            "message_ts": TS,
            "message": _obj(
                {
                    "type": {"type": "string", "const": "message"},
                    "user": USER,
                    "ts": TS,
                    "text": {"type": "string", "minLength": 1, "maxLength": 60},
                }
            ),
        }
    ),
}
#: The catalog's names of what is posted form-encoded.
FORM_EVENTS = frozenset(SCHEMAS)


def form_body(name: str, data: dict[str, Any], json_bytes: bytes) -> bytes:
    """The form-encoded body Slack posts for *name*: a slash command's fields, or an
    interactivity payload's JSON (*json_bytes*, as written) as the ``payload`` field."""
    if name == SLASH_COMMAND:
        return urlencode({key: _text(value) for key, value in data.items()}).encode("ascii")
    return urlencode({"payload": json_bytes.decode("utf-8")}).encode("ascii")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)
