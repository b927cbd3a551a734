"""What ``convert_zoom_openapi.py`` and ``infer_zoom_schemas.py`` share: where things are,
tolerant reading of Zoom's examples and documents, the envelope and head of every schema (with a
description made from the event's name), and the write / ``--check`` loop. The kinds of leaves
are in ``zoom_kinds.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hookmock.providers.zoom.spec import Schema, parse_document

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "schemas" / "zoom"
BASE_ID = "https://hookmock.dev/schemas/zoom/"
REFERENCE = Path(
    os.environ.get("HOOKMOCK_ZOOM_REFERENCE", ROOT.parent / "shared" / "reference" / "zoom")
)
#: Families written by hand in tools/build_zoom_schemas.py, never by these tools.
HAND_FAMILIES = ("meeting", "webinar", "recording")
#: The envelope's event_ts: Unix milliseconds (ZOOM.md §1). No bounds: Zoom's schemas set none,
#: and its examples use placeholders such as 290112312321.
EVENT_TS: Schema = {"type": "integer", "format": "int64", "x-hookmock-fake": "event_ts"}


def existing_method(event: str) -> str | None:
    """The ``x-hookmock-source.method`` of the schema on disk, or None."""
    path = OUT_DIR / f"{event}.json"
    if not path.is_file():
        return None
    method: str = json.loads(path.read_text(encoding="utf-8"))["x-hookmock-source"]["method"]
    return method


def ours(event: str) -> bool:
    """Whether these tools may write *event*: not a hand-written family or file."""
    return event.split(".")[0] not in HAND_FAMILIES and existing_method(event) != "hand-written"


def catalog() -> dict[str, list[str]]:
    """``{event: [sources]}`` from the reference folder's event-catalog.json."""
    events: dict[str, list[str]] = json.loads(
        (REFERENCE / "event-catalog.json").read_text(encoding="utf-8")
    )["events"]
    return events


# -- reading Zoom's not-quite-JSON -----------------------------------------------------------


def strip_comments(text: str) -> str:
    """*text* without ``// ...`` comments outside strings (Zoom's docs annotate examples so)."""
    out: list[str] = []
    in_string = escaped = False
    i = 0
    while i < len(text):
        ch = text[i]
        if escaped:
            escaped = False
        elif in_string:
            escaped, in_string = ch == "\\", ch != '"'
        elif ch == '"':
            in_string = True
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = len(text) if end < 0 else end
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def lenient_json(text: str) -> tuple[Any, str]:
    """Parse Zoom's example text; return the value and how (``strict``, ``comments stripped``,
    ``escapes repaired``). Raises ``ValueError`` when nothing helps."""
    attempts: list[tuple[str, Callable[[str], str]]] = [
        ("strict", lambda t: t),
        ("comments stripped", strip_comments),
        # A doubled backslash before a quote ends the string early ("{\\"code\\":...}").
        ("escapes repaired", lambda t: strip_comments(t.replace('\\\\"', '\\"'))),
        # A backslash at a line's end continues a string over the line break.
        ("escapes repaired", lambda t: strip_comments(t.replace("\\\n", "\\n"))),
    ]
    for how, fix in attempts:
        try:
            return json.loads(fix(text)), how
        except json.JSONDecodeError:
            continue
    raise ValueError("not JSON, even with comments stripped and escapes repaired")


# -- Zoom's OpenAPI documents ----------------------------------------------------------------


def documents() -> dict[str, tuple[str, Schema]]:
    """``{event: (document file name, document)}`` for every event Zoom's documents describe."""
    found: dict[str, tuple[str, Schema]] = {}
    for path in sorted((REFERENCE / "openapi").glob("*.webhooks.json")):
        document = parse_document(path.read_text(encoding="utf-8"))
        for event in document["webhooks"]:
            found[event] = (path.name, document)
    return found


def merge_orders(orders: list[list[str]]) -> list[str]:
    """One key order that keeps each list's order (where they agree): a key new to the result
    goes right after the key that precedes it in its own list."""
    out: list[str] = []
    for keys in orders:
        previous: str | None = None
        for key in keys:
            if key not in out:
                out.insert(out.index(previous) + 1 if previous is not None else 0, key)
            previous = key
    return out


def merged_items(example: Any) -> Any:
    """One element standing for a list's elements: their keys in an order each of them keeps,
    each with its first value; or the first element when they are not objects."""
    if not isinstance(example, list) or not example:
        return None
    dicts = [item for item in example if isinstance(item, dict)]
    if not dicts:
        return example[0]
    order = merge_orders([list(item) for item in dicts])
    return {key: next(item[key] for item in dicts if key in item) for key in order}


# -- descriptions ----------------------------------------------------------------------------

PRODUCTS = {
    "account": "Accounts", "app": "Marketplace", "bot_installed": "Team Chat apps",
    "bot_notification": "Team Chat apps", "calendar": "Zoom Calendar",
    "chat_channel": "Team Chat channel", "chat_message": "Team Chat message",
    "clinical_notes": "Healthcare",
    "cobrowse": "Cobrowse SDK", "contact_center": "Contact Center", "group": "Groups",
    "information_barriers": "Information barriers", "interactive_message": "Team Chat apps",
    "mail": "Zoom Mail", "node": "Zoom Node", "number_management": "Number management",
    "phone": "Zoom Phone", "quality_management": "Quality management",
    "revenue_accelerator": "Revenue Accelerator", "rtms": "Realtime media streams",
    "scheduler": "Zoom Scheduler", "session": "Video SDK session", "task": "Zoom Tasks",
    "team_chat": "Team Chat", "user": "Users", "video_management": "Video management",
    "visitor_management": "Visitor management", "whiteboard": "Zoom Whiteboard",
    "workspace": "Workspaces", "zoom_events": "Zoom Events", "zoomroom": "Zoom Rooms",
}  # fmt: skip
WORDS = {
    "acl": "access rule", "calendarlist": "calendar list", "cnam": "caller ID name (CNAM)",
    "cx": "customer experience", "dm": "direct message", "dtmf": "DTMF", "mc": "meeting connector",
    "nfs": "NFS", "qos": "quality of service", "rc": "recording connector", "sla": "SLA",
    "rtms": "realtime media stream", "sms": "SMS", "stat": "statistics", "vod": "on-demand",
    "zhm": "hybrid meeting", "tsp": "TSP", "url": "URL", "cpu": "CPU", "ai": "AI", "crm": "CRM",
    "thirdparty": "third-party",
    "unhold": "resumed from hold", "hold": "put on hold", "mute": "muted", "unmute": "unmuted",
}  # fmt: skip


def describe(event: str) -> str:
    """One sentence naming the product and what happened, made from the event's name."""
    family, _, action = event.partition(".")
    if not action:  # legacy names without a dot: bot_installed, interactive_message_select
        family, action = next(
            ((p, event[len(p) + 1 :]) for p in PRODUCTS if event.startswith(p + "_")),
            (event, event),
        )
    words = " ".join(WORDS.get(word, word) for word in action.split("_"))
    return f"{PRODUCTS.get(family, family.replace('_', ' ').title())}: {words}."


# -- the head and the write / --check loop ---------------------------------------------------


def head(event: str, method: str, based_on: list[str], comment: str | None = None) -> Schema:
    """The keys every hookmock schema starts with, in the catalog's order."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{BASE_ID}{event}.json",
        "title": event,
        "description": describe(event),
        "x-hookmock-source": {"method": method, "based_on": based_on},
        **({"$comment": comment} if comment else {}),
    }


def render(schema: Schema) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def run(
    argv: list[str] | None,
    build: Callable[[], dict[str, Schema]],
    *,
    methods: set[str],
    script: str,
    doc: str,
    notes: Callable[[], dict[str, str]] | None = None,
) -> int:
    """Write the schemas *build* returns, or with ``--check`` name each stale one and exit 1.

    A file on disk whose method is one of *methods* but which *build* no longer makes is stale.
    :param notes: other files of ``schemas/zoom/`` to write, name to text.
    """
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale")
    args = parser.parse_args(argv)
    if not (REFERENCE / "event-catalog.json").is_file():
        print(f"Zoom reference data not found at {REFERENCE}", file=sys.stderr)
        return 2
    wanted = {f"{name}.json": render(schema) for name, schema in build().items()}
    wanted |= notes() if notes else {}
    if not args.check:
        OUT_DIR.mkdir(parents=True, exist_ok=True)
        for name, text in wanted.items():
            (OUT_DIR / name).write_text(text, encoding="utf-8")
        print(f"wrote {sum(n.endswith('.json') for n in wanted)} schemas to {OUT_DIR}")
        return 0
    stale = [
        name
        for name, text in sorted(wanted.items())
        if not (OUT_DIR / name).is_file() or (OUT_DIR / name).read_text(encoding="utf-8") != text
    ]
    orphans = sorted(
        path.name
        for path in OUT_DIR.glob("*.json")
        if path.name not in wanted and existing_method(path.stem) in methods
    )
    for name in stale:
        print(f"stale: schemas/zoom/{name}", file=sys.stderr)
    for name in orphans:
        print(f"no longer made: schemas/zoom/{name}", file=sys.stderr)
    if stale or orphans:
        print(f"run: python tools/{script}", file=sys.stderr)
        return 1
    return 0
