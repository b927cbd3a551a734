"""Slack's catalog: each event type's body, the ``event_callback`` envelope around its inner
event, registered as the ``slack`` catalog so that generation, overrides and validation work as
for any provider.

The envelope is what a delivery carries today (https://api.slack.com/apis/events-api, "Callback
field overview"): ``token``, ``team_id``, ``context_team_id``, ``context_enterprise_id``,
``api_app_id``, ``event``, ``type``, ``event_id``, ``event_time``, ``authorizations``,
``is_ext_shared_channel`` and ``event_context``. Slack's published wrapper schema
(``data/events_api.json``) still requires ``authed_users``, which Slack deprecated in 2020 and no
longer sends to new apps (``authorizations`` replaced it); hookmock leaves it out.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from ...generate import catalog
from .events import APP, ENTERPRISE, INNER, NEWER, SUBSCRIPTIONS, TEAM, TOP_LEVEL, TS, USER
from .interactive import FORM_CONTENT_TYPE, SCHEMAS, SLASH_COMMAND

__all__ = ["CATALOG_NAME", "DATA", "envelope", "published", "register"]

#: The name the catalog is registered under.
CATALOG_NAME = "slack"
#: The vendored description (``tools/build_slack_catalog.py``).
DATA = Path(__file__).with_name("data") / "events_api.json"

_AUTHORIZATION = {
    "type": "object",
    "properties": {
        "enterprise_id": {"type": ["string", "null"], "pattern": ENTERPRISE["pattern"]},
        "team_id": TEAM,
        "user_id": USER,
        "is_bot": {"type": "boolean"},
        "is_enterprise_install": {"type": "boolean"},
    },
    "required": ["enterprise_id", "team_id", "user_id", "is_bot", "is_enterprise_install"],
}


def envelope(inner: dict[str, Any]) -> dict[str, Any]:
    """The schema of an ``event_callback`` body around the inner event schema *inner*."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {
            "token": {"type": "string", "pattern": "^[A-Za-z0-9]{24}$"},
            "team_id": TEAM,
            "context_team_id": TEAM,
            "context_enterprise_id": {"type": ["string", "null"], "pattern": ENTERPRISE["pattern"]},
            "api_app_id": APP,
            "event": inner,
            "type": {"type": "string", "const": "event_callback"},
            "event_id": {"type": "string", "pattern": "^Ev[0-9A-Z]{8,10}$"},
            "event_time": {"type": "integer", "minimum": 1_000_000_000},
            "authorizations": {
                "type": "array",
                "items": _AUTHORIZATION,
                "minItems": 1,
                "maxItems": 1,
            },
            "is_ext_shared_channel": {"type": "boolean"},
            "event_context": {"type": "string", "pattern": "^4-[A-Za-z0-9_-]{20,}$"},
        },
        "required": [
            "token",
            "team_id",
            "api_app_id",
            "event",
            "type",
            "event_id",
            "event_time",
            "authorizations",
            "is_ext_shared_channel",
            "event_context",
        ],
    }


def _minimal(name: str) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"type": {"type": "string", "const": name}, "event_ts": TS},
        "required": ["type", "event_ts"],
        "additionalProperties": True,
    }


@functools.cache
def published() -> dict[str, Any]:
    """The vendored description: the wrapper schema and each event type's summary and page."""
    data: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    return data


@functools.cache
def _catalog() -> catalog.Catalog:
    described = {entry["name"]: entry for entry in published()["events"]}
    names = [*described, *(name for name in INNER if name not in described)]
    schemas: dict[str, dict[str, Any]] = {}
    notes: dict[str, list[str]] = {}
    for name in names:
        if name in TOP_LEVEL:
            schemas[name] = TOP_LEVEL[name]
        else:
            schemas[name] = envelope(INNER.get(name) or _minimal(name))
        entry = described.get(name)
        if entry is not None:
            notes[name] = [f"{entry['summary']} ({entry['docs']})"]
        else:
            notes[name] = [f"newer than Slack's published description ({NEWER[name]})"]
        if name in SUBSCRIPTIONS:
            notes[name].append(
                f"a subscription name: its events carry event.type {SUBSCRIPTIONS[name]!r}"
            )
        elif name not in INNER and name not in TOP_LEVEL:
            notes[name].append("its inner event carries only type and event_ts")
    for name, schema in SCHEMAS.items():
        schemas[name] = schema
        what = "a slash command" if name == SLASH_COMMAND else "an interactivity payload"
        notes[name] = [f"{what}, posted form-encoded ({FORM_CONTENT_TYPE})"]
    return catalog.Catalog(schemas, notes=notes)


def register() -> str:
    """Register the Slack catalog (once per process, and again should something replace it);
    the name it is registered under."""
    built = _catalog()
    if catalog.registered(CATALOG_NAME) is not built:
        catalog.register(CATALOG_NAME, built)
    return CATALOG_NAME
