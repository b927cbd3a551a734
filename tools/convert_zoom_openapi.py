"""Convert Zoom's OpenAPI 3.1 webhook documents into hookmock's schemas in ``schemas/zoom/``.

``python tools/convert_zoom_openapi.py`` reads every ``reference/zoom/openapi/*.webhooks.json``
(the body schema of an event is at ``webhooks[event].post.requestBody.content
["application/json"].schema``, Zoom's example at ``...examples.<key>.value``, a JSON string) and
writes one schema per event, except the meeting, webinar and recording families and any file
that says ``"method": "hand-written"``: those are built by ``build_zoom_schemas.py``.
``--check`` writes nothing, names every stale file and exits 1 if there is one. Run it again
when Zoom publishes new documents.

On the way, Zoom's structure (names, types, formats, enums, ``required``, nesting) carries over
and its prose does not (descriptions, titles, summaries, example texts); each schema gets its own
one-line description. The rest of what changes:

- ``$ref``: Zoom's point at ``#/paths/...`` where the keys are under ``webhooks``; they are
  rewritten and then inlined, so every file stands alone.
- Invalid type names: ``long`` becomes ``integer`` (``format: int64``);
  ``"enum, country┃states┃..."`` a string ``enum`` of those values. Formats: ``datetime`` becomes
  ``date-time``, ``url`` ``uri``, ``int`` ``int32``. String ``minimum``/``maximum`` become numbers
  (and are dropped on strings, where they mean nothing).
- Misspelt keywords: ``require`` is ``required``; ``property`` is ``additionalProperties``;
  property schemas written beside a property's keywords move up beside it (where Zoom's
  examples have them: ``app_link.app_scopes`` is ``payload.app_scopes``); keywords written among
  the properties (``"type": "object"``, ``"additionalProperties": false``) are dropped; a node with
  only an ``example`` gets that example's type; ``required`` loses duplicates, and a required
  property Zoom's schema forgot to declare is declared from its example, where it has one.
- ``additionalProperties: false`` is dropped: Zoom adds fields over time (ZOOM.md §7), and a
  receiver test must not break when it does. Generated events still carry only declared fields,
  so they stay valid for Zoom's own schemas.
- ``oneOf``/``anyOf`` branches marked ``deprecated`` move last, because hookmock draws from the
  first branch.
- ``enum`` on a list (``languages``) moves to its items, and hookmock leaves such a field out
  of generated events (``x-hookmock-skip``): no list meets Zoom's version.
- ``*.settings_updated`` events get ``x-hookmock-pick`` on every object of their settings, so a
  generated change names one or two settings, as Zoom's examples do, not all seven hundred.
- Property order follows Zoom's example where the example has the property (it is the byte order
  of generated bodies); the rest keep Zoom's schema order, after them.
- ``x-hookmock-fake`` kinds are added where a leaf's name, Zoom's example value or its format
  says what it is (see ``zoom_kinds.py``); a leaf without one whose example value is a
  short token or an integer keeps it in ``examples``, which hookmock draws from.
- The envelope: ``event`` is a ``const``; ``event_ts`` is integer Unix milliseconds.

Where Zoom's schema contradicts Zoom's own example, :data:`DECISIONS` says what hookmock does and
why; each reason is also the ``$comment`` of the node it changes, and the table is rendered into
``schemas/zoom/_SOURCES.md`` (written and checked with the schemas).
"""

from __future__ import annotations

import json
import sys
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

from zoom_common import EVENT_TS, documents, head, lenient_json, merged_items, ours
from zoom_common import run as run_tool
from zoom_kinds import annotate, kind_for

# How Zoom's documents are read is shipped with hookmock: `hookmock schema-diff` reads them too.
from hookmock.providers.zoom.spec import (
    KEYWORDS,
    PROSE,
    TYPES,
    Schema,
    body_of,
    fix_keywords,
    inline,
)

SOURCE_PREFIX = "reference/zoom/openapi/"

ARRAY_ENUM = (
    "Zoom's schema puts the enum on the list, where no list can meet it; here it is on the items, "
    "and hookmock leaves the field out of generated events (Zoom's schema allows its absence)."
)
KEEP: Schema = {}  # hookmock keeps Zoom's schema: the example is what is wrong
BLANK: Schema = {"const": ""}
STRING_TS = "Unix milliseconds as a number (ZOOM.md §1, Zoom's schema); the example has a string."
ALSO_MS = "Zoom's schema says {}; its example{} Unix milliseconds: both are accepted."
SENT_MS = (
    "Zoom's schema says {}; its example{}, and real deliveries of every event send (ZOOM.md §8), "
    "Unix milliseconds as a number: hookmock sends that, and accepts both."
)
NAMED = "Zoom's name for the webhook (subscriptions use it); the example says {}."
EMPTY = "Zoom's example has the empty string ({}), as Zoom sends for some people: accepted."
RELAXED = "Zoom's schema requires {}; its example has none: not required here."


def optional(*names: str) -> Schema:
    return {"$optional": list(names)}


def also(schema: Schema, **change: Any) -> Schema:
    return {"$also": schema, **change}


def instead(schema: Schema, **change: Any) -> Schema:
    """Like :func:`also`, with *schema* first: hookmock draws it, and accepts Zoom's too."""
    return {"$also": schema, "$first": True, **change}


#: Where Zoom's schema and its example disagree: (event patterns, dotted path in the body,
#: change, why). The path steps through ``properties``, ``[]`` into ``items``. A change is
#: merged into the node; ``$optional`` drops names from its ``required``; ``$also`` makes the
#: node ``anyOf [node, $also]`` (hookmock draws the first: Zoom's), or with ``$first``
#: ``anyOf [$also, node]``; ``None`` drops the property.
#: :data:`KEEP` changes nothing: hookmock's tests list that example as a deliberate exception.
DECISIONS: list[tuple[str, str, Schema | None, str]] = [
    ("calendar.* app.authorization_request_created visitor_management.* zoomroom.location_*"
     " workspace.created workspace.deleted workspace.updated workspace.reservation_checked_*"
     " workspace.reservation_deleted workspace.reservation_update", "event_ts", KEEP, STRING_TS),
    ("chat_channel.member_removed", "event_ts",
     instead(EVENT_TS, **{"x-hookmock-fake": "event_ts"}), SENT_MS.format("a string", " sends")),
    ("workspace.user_*assigned workspace.*questionnaire_response_*", "event_ts", instead(EVENT_TS),
     SENT_MS.format("a date-time string", "s send")),
    ("team_chat.dm_reaction_*", "payload.object.emoji_time", also(EVENT_TS),
     ALSO_MS.format("a date-time string (as for channel reactions)", " sends")),
    ("interactive_message_fields_editable", "payload.timestamp",
     also(EVENT_TS, **{"x-hookmock-fake": "event_ts"}), ALSO_MS.format("a string", " sends")),
    ("interactive_message_fields_editable", "payload.original.body[].items[].editable",
     also({"type": "boolean"}, examples=["true", "false"]),
     "A string in Zoom's schema; its example sends true and false: both are accepted."),
    ("group.member_deleted", "event", KEEP, NAMED.format("group.members_deleted")),
    ("quality_management.evaluation_completed", "event", KEEP,
     NAMED.format("quality_management.interaction_analysis_completed")),
    ("revenue_accelerator.conversation_analysis_completed", "event", KEEP,
     NAMED.format("the same with a trailing space")),
    ("rtms.concurrency_limited", "event", KEEP, NAMED.format("(in ZoomNet's copy) meeting.rtms_*")),
    ("session.recording_transcript_failed", "event", KEEP,
     NAMED.format("session.recording_transcript_completed")),
    ("team_chat.shared_spaces_edited", "event", KEEP, NAMED.format("team_chat.shared_spaces_edit")),
    ("whiteboard.share_settings_updated", "event", KEEP,
     NAMED.format("whiteboard.share_setting_updated")),
    ("workspace.reservation_update", "event", KEEP, NAMED.format("workspace.reservation_updated")),
    ("zoomroom.digital_signage_app_started", "event", KEEP,
     NAMED.format("zoomroom.digital_signage_play_started")),
    ("account.lock_settings_updated", "payload.object.settings.recording.auto_recording", KEEP,
     "A lock setting is a boolean (is the setting locked); the example has the value 'cloud'."),
    ("account.lock_settings_updated", "payload.old_object.settings.recording.auto_recording",
     KEEP, "As in object: the example has the setting's value, 'cloud', not a boolean."),
    ("chat_channel.created", "payload.object", KEEP,
     "A created channel has an id, which Zoom's schema requires; its example leaves it out."),
    ("chat_message.*", "payload.object", optional("contact_id", "channel_id", "channel_name"),
     "A message goes to a contact or to a channel: the examples (to a channel) have no "
     "contact_id, so neither side's fields are required here, unlike in Zoom's schema."),
    ("information_barriers.policy_updated", "payload.object", KEEP,
     "Zoom's schema describes the policy flat, where its example nests new_policy and old_policy "
     "(and requires an undeclared id, which the example has: declared here)."),
    ("node.server_stat", "payload.object.stats[].server.os_image", {"x-hookmock-skip": True},
     "Zoom's schema declares os_image but requires osImage, which its example sends (declared "
     "here): hookmock sends osImage only."),
    ("session.recording_*", "payload.object.session_id", KEEP,
     "A session id is a string (Zoom's schema, other session events); the example has 1234567890."),
    ("session.alert", "payload.object.issues", KEEP,
     "A list of issues in Zoom's schema; the example sends one issue as a plain string."),
    ("session.user_data", "payload.object.user.data[].device", KEEP,
     "Zoom's schema lists the device names; the example has 'WIN'."),
    ("session.user_data* session.user_qos*", "payload.object.user", KEEP,
     "is_original_host is required by Zoom's schema and in Zoom's example; ZoomNet's older copy "
     "lacks it."),
    ("team_chat.channel_app_*", "payload.object", optional("members"),
     RELAXED.format("members") + " It declares, and its example has, app_members."),
    ("team_chat.channel_invitation_*", "payload.object.inviters[].user_email", also(BLANK),
     EMPTY.format("inviters outside the account")),
    ("team_chat.channel_invitation_created", "payload.object.inviters[]", optional("email"),
     RELAXED.format("an undeclared email") + " It declares user_email."),
    ("team_chat.channel_invitation_rejected", "payload.object.inviters[]", optional("user_id"),
     RELAXED.format("an undeclared user_id") + " It declares id."),
    ("team_chat.channel_join_*", "payload.object.requester.user_email", also(BLANK),
     EMPTY.format("a requester outside the account")),
    ("team_chat.channel_join_requested", "payload.object", optional("type"),
     RELAXED.format("an undeclared type")),
    ("team_chat.channel_join_approval_requested", "payload.object.type", KEEP,
     "Zoom's schema lists the approvers; the example has 'to_channel_admin'."),
    ("team_chat.dm_message_*", "payload.object", KEEP,
     "Zoom's examples spell contact_account_id with a trailing space."),
    ("user.disassociated user.invitation_accepted", "payload.object.type", KEEP,
     "Zoom's schema allows user types 1 and 2 (as for user.created); its example has 3."),
    ("user.personal_notes_updated", "payload.object.date_time", also(BLANK),
     EMPTY.format("notes cleared")),
    ("user.presence_status_updated", "payload.object", KEEP,
     "Zoom's example writes date-time for date_time, which Zoom's schema requires."),
    ("user.settings_updated", "operator", None, "declared at the top level and in payload by "
     "Zoom's schema; its example (and every admin event) has them in payload only."),
    ("user.settings_updated", "operator_id", None, "as operator."),
    ("user.settings_updated", "time_stamp", None, "as operator."),
    ("workspace.pre_check_in_questionnaire_response_created", "payload.object", KEEP,
     "Zoom's example misspells questionnaire_response, which Zoom's schema requires."),
    ("zoomroom.*alert", "payload.object", optional("alert_time"), RELAXED.format("alert_time")),
    ("zoomroom.thirdparty_meeting_attempted", "payload.object.meeting_source_type", KEEP,
     "A third-party meeting's source: Zoom's schema lists them; the example has 'ZOOM'."),
]  # fmt: skip


def convert(node: Any, example: Any, name: str, parent: str, where: str) -> Any:
    """hookmock's version of one of Zoom's schema nodes; *example* is Zoom's value there."""
    if not isinstance(node, dict):
        return node
    node = fix_keywords(node, where)
    out: Schema = {}
    for key in KEYWORDS:
        if key not in node or key in PROSE:
            continue
        value = node[key]
        if key == "properties":
            sample = example if isinstance(example, dict) else {}
            undeclared = [r for r in node.get("required", []) if r not in value and r in sample]
            value = {**value, **{r: {"type": TYPES[type(sample[r])]} for r in undeclared}}
            converted = {
                prop: convert(sub, sample.get(prop), prop, name, f"{where}.{prop}")
                for prop, sub in value.items()
            }
            order = [k for k in sample if k in converted]
            value = {k: converted[k] for k in [*order, *(k for k in converted if k not in order)]}
        elif key == "items":
            value = convert(value, merged_items(example), name, parent, f"{where}[]")
        elif key in ("anyOf", "oneOf", "allOf"):
            branches = [convert(b, example, name, parent, where) for b in value]
            value = sorted(branches, key=lambda b: bool(b.get("deprecated")))
        elif key == "additionalProperties":
            value = convert(value, None, name, parent, f"{where}.*")
        out[key] = value
    if out.get("type") == "array" and "enum" in out and isinstance(out.get("items"), dict):
        out["items"] = {**out["items"], "enum": out.pop("enum")}
        out["x-hookmock-skip"] = True
        out["$comment"] = ARRAY_ENUM
    typ = out.get("type")
    if isinstance(typ, str) and not ({"enum", "const", "x-hookmock-fake"} & out.keys()):
        annotate(out, kind_for(name, typ, out.get("format"), example, parent), example)
    return out


def decide(schema: Schema, event: str) -> None:
    """Apply the :data:`DECISIONS` rows matching *event*, each reason becoming a ``$comment``."""
    for patterns, path, change, why in DECISIONS:
        if not any(fnmatch(event, pattern) for pattern in patterns.split()):
            continue
        *steps, last = path.replace("[]", ".[]").split(".")
        parent = schema
        for step in steps:
            parent = parent["items"] if step == "[]" else parent["properties"][step]
        holder, key = (parent, "items") if last == "[]" else (parent["properties"], last)
        if change is None:
            del holder[key]
            parent["required"] = [r for r in parent.get("required", []) if r != key]
            parent["$comment"] = f"{parent.get('$comment', '')} No {key}: {why}".strip()
            continue
        node = holder[key]
        change = dict(change)
        dropped = set(change.pop("$optional", []))
        if dropped:
            node["required"] = [r for r in node["required"] if r not in dropped]
        node.update({k: v for k, v in change.items() if k not in ("$also", "$first")})
        if "$also" in change:
            branches = [node, change["$also"]]
            node = holder[key] = {"anyOf": branches[::-1] if change.get("$first") else branches}
        holder[key] = {"$comment": why, **node}


def verdict(change: Schema | None) -> str:
    """What a change of :data:`DECISIONS` does, in words."""
    if change is None:
        return "dropped"
    parts = [f"not required: {', '.join(change['$optional'])}"] if "$optional" in change else []
    parts += ["not generated"] if change.get("x-hookmock-skip") else []
    also = change.get("$also", {})
    other = also.get("type") or json.dumps(also.get("const"))
    if also and change.get("$first"):
        parts += [f"sends {other}, accepts Zoom's type too"]
    elif also:
        parts += [f"also accepts {other}"]
    return "; ".join(parts) or "kept Zoom's schema"


def sources_md() -> dict[str, str]:
    """``_SOURCES.md``: where the converted schemas come from, and the decisions table."""
    lines = [
        "# Converted schemas: where they come from, and where hookmock departs from Zoom",
        "",
        "Written by `tools/convert_zoom_openapi.py` (do not edit by hand). The method of each",
        "schema is in its `x-hookmock-source`; `hookmock events --source` lists them all.",
        "What the converter changes in every schema is in its module docstring. Where Zoom's",
        "schema and Zoom's own example disagree, it decides per case:",
        "",
        "| events | path | decision | why |",
        "| --- | --- | --- | --- |",
    ]
    for patterns, path, change, why in DECISIONS:
        lines.append(
            f"| `{'`, `'.join(patterns.split())}` | `{path}` | {verdict(change)} | {why} |"
        )
    return {"_SOURCES.md": "\n".join(lines) + "\n"}


def sparse(properties: Schema, name: str) -> None:
    """Mark the object *properties[name]*, and the objects in it, to carry a few of their
    properties: Zoom sends only the settings that changed (its examples)."""
    node = properties.get(name)
    if node is None or "properties" not in node:
        return
    node["x-hookmock-pick"] = 2
    for sub in node["properties"]:
        sparse(node["properties"], sub)


def schema_for(event: str, file: str, document: Schema) -> Schema:
    content = body_of(document, event)
    # Zoom's example, read leniently (some carry // comments), sets the order of properties.
    examples = [lenient_json(e["value"])[0] for e in content.get("examples", {}).values()]
    body = inline(content["schema"], document)
    converted: Schema = convert(body, examples[0] if examples else None, "", "", event)
    converted["type"] = "object"
    props = converted["properties"]
    props["event"] = {"type": "string", "const": event}
    if props.get("event_ts", {}).get("type") == "integer":
        props["event_ts"] = EVENT_TS
    if "settings_updated" in event:
        for side in ("object", "old_object"):
            sparse(props["payload"]["properties"].get(side, {}).get("properties", {}), "settings")
    decide(converted, event)
    comment = converted.pop("$comment", None)
    return {**head(event, "converted", [SOURCE_PREFIX + file], comment), **converted}


def build() -> dict[str, Schema]:
    """Every converted schema, by event name."""
    built = {
        event: schema_for(event, file, document)
        for event, (file, document) in sorted(documents().items())
        if ours(event)
    }
    unused = [p for p, *_ in DECISIONS if not any(fnmatch(e, q) for e in built for q in p.split())]
    if unused:
        raise ValueError(f"DECISIONS rows that match no event: {unused}")
    return built


def main(argv: list[str] | None = None) -> int:
    return run_tool(
        argv,
        build,
        methods={"converted"},
        script=Path(__file__).name,
        doc=__doc__ or "",
        notes=sources_md,
    )


if __name__ == "__main__":
    sys.exit(main())
