"""Vendor what hookmock's Slack catalog needs from Slack's published Events API description.

``python tools/build_slack_catalog.py [REFERENCE_DIR]`` reads, from a checkout of the public
repository slackapi/slack-api-specs (MIT; by default the copy in ``../shared/reference/slack``):

- ``slack_events_api_async_v1.json`` (events-api/ in the repository): the AsyncAPI description
  of the Events API, one topic per event type, each with its summary, documentation page, scopes
  and token types;
- ``slack_common_event_wrapper_schema.json``: the JSON Schema of the ``event_callback`` envelope,
  with two example deliveries;
- ``LICENSE``.

It writes ``hookmock/providers/slack/data/events_api.json`` (the envelope's schema, its
examples, and each event type under the name Slack's events carry in ``event.type``, taken from
the topic's documentation link: topic ``app.mention`` is event ``app_mention``, topic
``message.channels`` the subscription ``message.channels``) and copies the license beside it as
``LICENSE.slack-api-specs``. The output is deterministic: two-space indentation, a final newline.
The shapes of the inner events are not in the description; hookmock writes them by hand
(``hookmock/providers/slack/events.py``).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_REFERENCE = ROOT.parent / "shared" / "reference" / "slack"
OUT = ROOT / "hookmock" / "providers" / "slack" / "data"
SOURCE = (
    "slackapi/slack-api-specs (MIT): events-api/slack_events_api_async_v1.json and "
    "events-api/slack_common_event_wrapper_schema.json"
)
_DOC_PREFIX = "Event documentation for "


def event_name(topic: str, entry: dict[str, Any]) -> str:
    """The event's name as Slack writes it: from the documentation link's title, which names it
    (``Event documentation for app_mention``), else from the topic with dots as underscores."""
    described = str(entry.get("externalDocs", {}).get("description", ""))
    if described.startswith(_DOC_PREFIX):
        return described[len(_DOC_PREFIX) :].strip()
    return topic.replace(".", "_")


def build(reference: Path) -> dict[str, Any]:
    """The vendored data, from the reference files in *reference*."""
    description = json.loads((reference / "slack_events_api_async_v1.json").read_text("utf-8"))
    wrapper = json.loads((reference / "slack_common_event_wrapper_schema.json").read_text("utf-8"))
    events = []
    for topic, item in sorted(description["topics"].items()):
        entry = item["subscribe"]
        events.append(
            {
                "name": event_name(topic, entry),
                "topic": topic,
                "summary": entry.get("summary", ""),
                "docs": entry.get("externalDocs", {}).get("url", ""),
                "scopes": entry.get("x-scopes-required", []),
                "tokens": entry.get("x-tokens-allowed", []),
            }
        )
    examples = wrapper.pop("examples", [])
    return {
        "source": SOURCE,
        "version": description.get("info", {}).get("version", ""),
        "wrapper": wrapper,
        "wrapper_examples": examples,
        "events": events,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reference", nargs="?", type=Path, default=DEFAULT_REFERENCE)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    data = build(args.reference)
    args.out.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    (args.out / "events_api.json").write_text(text, encoding="utf-8")
    shutil.copyfile(args.reference / "LICENSE", args.out / "LICENSE.slack-api-specs")
    print(f"wrote {len(data['events'])} event types to {args.out / 'events_api.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
