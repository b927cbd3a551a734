"""``hookmock schema-diff``: hookmock's schemas against Zoom's OpenAPI webhooks documents.

The 22 reference documents are the ones the catalog was made from: their converted events show
no drift, at most the converter's recorded decisions; only hand-written schemas drift. Edited
copies of ``whiteboard.webhooks.json`` (eight converted events, no decision) show each kind of
change exactly.
"""

from __future__ import annotations

import copy
import io
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import pytest

from hookmock.cli import main
from hookmock.engine.catalog import event_names, load_schema, schemas_root
from hookmock.providers.zoom import spec as zoomspec
from hookmock.providers.zoom.schemadiff import (
    DocumentDiff,
    compare_fields,
    diff_document,
    fields,
    read_document,
    recorded_decisions,
    render_path,
    zoom_schema,
)

from . import zoom_reference
from .zoom_reference import needs_reference

ROOT = Path(__file__).resolve().parent.parent
OPENAPI = zoom_reference.REFERENCE / "openapi"
DOCUMENTS = [
    "accounts", "calendar", "chatbot", "cobrowse-sdk", "events", "healthcare", "iq", "mail",
    "marketplace", "node", "number-management", "qss", "quality-management", "rooms", "rtms",
    "scheduler", "tasks", "team-chat", "users", "video-management", "video-sdk", "whiteboard",
]  # fmt: skip
WHITEBOARD = "whiteboard.webhooks.json"
HEADER = "Zoom's {name}, {n} events, against hookmock's schemas (each change reads hookmock → Zoom)"


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(["schema-diff", *argv], stdout=out)
    return code, out.getvalue()


def method(event: str) -> str:
    return str(load_schema(event)["x-hookmock-source"]["method"])


# -- the 22 reference documents --------------------------------------------------------------


@pytest.fixture(scope="module")
def reference_diffs() -> dict[str, DocumentDiff]:
    return {
        name: diff_document(read_document(str(OPENAPI / f"{name}.webhooks.json")), name)
        for name in DOCUMENTS
    }


@needs_reference
def test_the_reference_folder_holds_the_22_documents() -> None:
    assert sorted(p.name for p in OPENAPI.glob("*.webhooks.json")) == [
        f"{name}.webhooks.json" for name in DOCUMENTS
    ]


@needs_reference
@pytest.mark.parametrize("name", DOCUMENTS)
def test_a_reference_document_shows_drift_only_in_hand_written_schemas(name: str) -> None:
    code, out = run(str(OPENAPI / f"{name}.webhooks.json"), "--json")
    report = json.loads(out)
    events = report["events"]
    assert [e["event"] for e in events if e["status"] in ("added", "unreadable")] == []
    # Converted events differ from Zoom's schema only where a recorded decision says so.
    converted = [e for e in events if e["method"] == "converted"]
    assert [e["event"] for e in converted if e["drift"]] == []
    assert all(c["decision"] for e in converted for c in e["changes"])
    # Hand-written schemas are hookmock's own reading; where they differ, it is reported.
    assert {e["method"] for e in events if e["drift"]} <= {"hand-written"}
    assert [e["event"] for e in events if e["status"] == "removed"] == []
    assert code == (1 if report["drift"] else 0)
    document = json.loads((OPENAPI / f"{name}.webhooks.json").read_text(encoding="utf-8"))
    if all(method(event) == "converted" for event in document["webhooks"]):
        assert code == 0


@needs_reference
def test_every_structural_decision_shows_as_a_recorded_decision(
    reference_diffs: dict[str, DocumentDiff],
) -> None:
    """Each row of _SOURCES.md that changes structure is seen, and explains what it marks."""
    seen: set[int] = set()
    for diff in reference_diffs.values():
        for event in diff.events:
            if event.method != "converted":  # hand-written schemas record their own, below
                continue
            for change in event.changes:
                rows = [
                    i
                    for i, row in enumerate(recorded_decisions())
                    if row.applies_to(event.event) and row.explains(change)
                ]
                assert bool(rows) == bool(change.decision), (event.event, change)
                seen.update(rows)
    # "kept Zoom's schema" changes nothing hookmock compares; "not generated" only generation.
    structural = {
        i
        for i, row in enumerate(recorded_decisions())
        if row.verdict not in ("kept Zoom's schema", "not generated")
    }
    assert structural, "no structural decisions parsed from _SOURCES.md"
    assert structural - seen == set()


@needs_reference
def test_documents_of_converted_events_report_no_drift(
    reference_diffs: dict[str, DocumentDiff],
) -> None:
    drifting = sorted(name for name, diff in reference_diffs.items() if diff.drift)
    assert drifting == []
    decided = sorted(
        name for name, diff in reference_diffs.items() if diff.events and not diff.drift
    )
    assert decided == ["accounts", "chatbot", "qss", "rooms", "team-chat", "users"]


@needs_reference
@pytest.mark.parametrize("name", DOCUMENTS)
def test_schema_diff_exits_0_on_each_of_zooms_documents(name: str) -> None:
    """Every difference from Zoom's published schemas is a recorded decision with its reason."""
    code, out = run(str(OPENAPI / f"{name}.webhooks.json"))
    assert code == 0, out


@needs_reference
def test_hand_written_schemas_record_each_departure_they_make(
    reference_diffs: dict[str, DocumentDiff],
) -> None:
    """Every x-hookmock-decisions row of a hand-written schema marks a difference schema-diff
    finds, with its reason; none is left over."""
    used: set[tuple[str, str]] = set()
    for diff in reference_diffs.values():
        for event in diff.events:
            if event.method != "hand-written":
                continue
            rows = load_schema(event.event).get("x-hookmock-decisions", [])
            for change in event.changes:
                row = next(
                    (r for r in rows if r["path"] == change.path and change.kind in r["kinds"]),
                    None,
                )
                assert change.decision == (row["why"] if row else None)
                if row:
                    used.add((event.event, row["path"]))
    recorded = {
        (event, row["path"])
        for event in event_names("zoom")
        for row in load_schema(event).get("x-hookmock-decisions", [])
    }
    assert recorded and recorded == used


@needs_reference
def test_the_report_of_a_document_with_recorded_decisions() -> None:
    code, out = run(str(OPENAPI / "chatbot.webhooks.json"))
    why_editable = "A string in Zoom's schema; its example sends true and false: both are accepted."
    why_timestamp = (
        "Zoom's schema says a string; its example sends Unix milliseconds: both are accepted."
    )
    assert out.splitlines() == [
        HEADER.format(name="chatbot.webhooks.json", n=8),
        "",
        "interactive_message_fields_editable (hookmock's schema: converted)",
        "  ~ payload.original.body[].items[].editable: type boolean | string → string"
        "  [recorded decision]",
        f"    why (schemas/zoom/_SOURCES.md): {why_editable}",
        "  ~ payload.timestamp: type integer | string → string  [recorded decision]",
        "  ~ payload.timestamp: format int64 → (none)  [recorded decision]",
        f"    why (schemas/zoom/_SOURCES.md): {why_timestamp}",
        "",
        "No drift. Recorded decisions: 3. Unchanged: 7 events.",
    ]
    assert code == 0


@needs_reference
def test_an_unchanged_document_says_so() -> None:
    assert run(str(OPENAPI / WHITEBOARD)) == (
        0,
        f"{HEADER.format(name=WHITEBOARD, n=8)}\n\nNo differences. Unchanged: 8 events.\n",
    )


# -- edited copies of a reference document ---------------------------------------------------

Edit = Callable[[dict[str, Any]], None]


@pytest.fixture
def whiteboard() -> dict[str, Any]:
    document: dict[str, Any] = json.loads((OPENAPI / WHITEBOARD).read_text(encoding="utf-8"))
    return document


def schema_of(document: dict[str, Any], event: str) -> dict[str, Any]:
    schema: dict[str, Any] = zoomspec.body_of(document, event)["schema"]
    return schema


def obj(document: dict[str, Any], event: str = "whiteboard.created") -> dict[str, Any]:
    found: dict[str, Any] = schema_of(document, event)["properties"]["payload"]["properties"]
    return found["object"]  # type: ignore[no-any-return]


def diff_copy(
    tmp_path: Path, document: dict[str, Any], *argv: str, name: str = WHITEBOARD
) -> tuple[int, str]:
    path = tmp_path / name
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return run(str(path), *argv)


def add_event(document: dict[str, Any]) -> None:
    document["webhooks"]["whiteboard.restored"] = copy.deepcopy(
        document["webhooks"]["whiteboard.created"]
    )


def remove_event(document: dict[str, Any]) -> None:
    del document["webhooks"]["whiteboard.deleted"]


def add_field(document: dict[str, Any]) -> None:
    obj(document)["properties"]["color"] = {"type": "string", "description": "The colour."}


def remove_field(document: dict[str, Any]) -> None:
    del obj(document)["properties"]["meeting_uuid"]


def change_type(document: dict[str, Any]) -> None:
    obj(document)["properties"]["non_cloud"]["type"] = "string"


def add_enum_value(document: dict[str, Any]) -> None:
    obj(document)["properties"]["whiteboard_type"]["enum"].append(1)


def drop_enum(document: dict[str, Any]) -> None:
    del obj(document)["properties"]["whiteboard_type"]["enum"]


def make_required(document: dict[str, Any]) -> None:
    obj(document)["required"].append("meeting_id")


def change_format(document: dict[str, Any]) -> None:
    obj(document, "whiteboard.archive_available")["properties"]["expire_time"]["format"] = "date"


CREATED = "whiteboard.created (hookmock's schema: converted)"
EDITS: list[tuple[Edit, int, list[str], str]] = [
    (add_event, 9, ["whiteboard.restored: added (hookmock has no schema for it)"], "1 added"),
    (
        remove_event,
        7,
        [
            "whiteboard.deleted: removed (hookmock's converted schema cites "
            "whiteboard.webhooks.json, which does not list it)"
        ],
        "1 removed",
    ),
    (add_field, 8, [CREATED, "  + payload.object.color: string"], "1 changed (1 field difference)"),
    (
        remove_field,
        8,
        [CREATED, "  - payload.object.meeting_uuid: string"],
        "1 changed (1 field difference)",
    ),
    (
        change_type,
        8,
        [CREATED, "  ~ payload.object.non_cloud: type boolean → string"],
        "1 changed (1 field difference)",
    ),
    (
        add_enum_value,
        8,
        [CREATED, "  ~ payload.object.whiteboard_type: enum values added: 1"],
        "1 changed (1 field difference)",
    ),
    (
        drop_enum,
        8,
        [CREATED, "  ~ payload.object.whiteboard_type: enum 0 → (any value)"],
        "1 changed (1 field difference)",
    ),
    (
        make_required,
        8,
        [CREATED, "  ~ payload.object.meeting_id: now required"],
        "1 changed (1 field difference)",
    ),
    (
        change_format,
        8,
        [
            "whiteboard.archive_available (hookmock's schema: converted)",
            "  ~ payload.object.expire_time: format date-time → date",
        ],
        "1 changed (1 field difference)",
    ),
]


@needs_reference
@pytest.mark.parametrize(
    ("edit", "events", "block", "drift"), EDITS, ids=[e[0].__name__ for e in EDITS]
)
def test_an_edited_document_reports_exactly_its_change(
    tmp_path: Path,
    whiteboard: dict[str, Any],
    edit: Edit,
    events: int,
    block: list[str],
    drift: str,
) -> None:
    edit(whiteboard)
    code, out = diff_copy(tmp_path, whiteboard)
    unchanged = 8 if edit is add_event else 7
    assert out.splitlines() == [
        HEADER.format(name=WHITEBOARD, n=events),
        "",
        *block,
        "",
        f"Drift: {drift}. Unchanged: {unchanged} events.",
    ]
    assert code == 1


@needs_reference
def test_several_changes_are_grouped_by_event_in_path_order(
    tmp_path: Path, whiteboard: dict[str, Any]
) -> None:
    for edit in (add_field, change_type, make_required, add_enum_value, change_format):
        edit(whiteboard)
    code, out = diff_copy(tmp_path, whiteboard)
    assert out.splitlines()[2:] == [
        "whiteboard.archive_available (hookmock's schema: converted)",
        "  ~ payload.object.expire_time: format date-time → date",
        "",
        CREATED,
        "  + payload.object.color: string",
        "  ~ payload.object.meeting_id: now required",
        "  ~ payload.object.non_cloud: type boolean → string",
        "  ~ payload.object.whiteboard_type: enum values added: 1",
        "",
        "Drift: 2 changed (5 field differences). Unchanged: 6 events.",
    ]
    assert code == 1


@needs_reference
def test_a_new_object_field_is_one_line_with_its_fields_inside(
    tmp_path: Path, whiteboard: dict[str, Any]
) -> None:
    obj(whiteboard)["properties"]["owner"] = {
        "type": "object",
        "required": ["id"],
        "properties": {"id": {"type": "string"}, "email": {"type": "string", "format": "email"}},
    }
    code, out = diff_copy(tmp_path, whiteboard)
    assert out.splitlines()[3] == "  + payload.object.owner: object (and 2 fields inside)"
    assert code == 1
    _, out = diff_copy(tmp_path, whiteboard, "--json")
    (change,) = json.loads(out)["events"][0]["changes"]
    assert change["inside"] == ["payload.object.owner.email", "payload.object.owner.id"]


@needs_reference
def test_prose_order_and_what_the_converter_changes_on_purpose_are_not_differences(
    tmp_path: Path, whiteboard: dict[str, Any]
) -> None:
    created = obj(whiteboard)
    created["properties"] = dict(reversed(created["properties"].items()))  # property order
    created["description"] = "Reworded."
    created["properties"]["whiteboard_name"]["example"] = "Another board"
    created["additionalProperties"] = False  # the converter drops it (ZOOM.md §7)
    schema_of(whiteboard, "whiteboard.created")["properties"]["event_ts"] = {"type": "long"}
    archived = obj(whiteboard, "whiteboard.archive_available")["properties"]["expire_time"]
    archived["format"] = "datetime"  # Zoom's spelling, read as date-time
    obj(whiteboard, "whiteboard.deleted")["require"] = obj(whiteboard, "whiteboard.deleted").pop(
        "required"
    )  # Zoom's misspelling, read as required
    code, out = diff_copy(tmp_path, whiteboard)
    assert out.splitlines()[-1] == "No differences. Unchanged: 8 events."
    assert code == 0


@needs_reference
def test_a_schema_the_converter_cannot_read_is_reported(
    tmp_path: Path, whiteboard: dict[str, Any]
) -> None:
    obj(whiteboard)["nullable"] = True
    code, out = diff_copy(tmp_path, whiteboard)
    assert out.splitlines()[2] == (
        "whiteboard.created (hookmock's schema: converted): Zoom's schema cannot be read as the "
        "converter reads it: whiteboard.created.payload.object: unknown keywords ['nullable']"
    )
    assert out.splitlines()[-1] == "Drift: 1 unreadable. Unchanged: 7 events."
    assert code == 1


@needs_reference
def test_a_renamed_download_is_named_with_as(tmp_path: Path, whiteboard: dict[str, Any]) -> None:
    remove_event(whiteboard)
    code, out = diff_copy(tmp_path, whiteboard, name="webhooks.json")
    assert out.splitlines()[:2] == [
        HEADER.format(name="webhooks.json", n=7),
        "note: no hookmock schema cites a document named webhooks.json, so none is reported "
        "removed; this document's events cite whiteboard.webhooks.json "
        "(pass --as whiteboard.webhooks.json)",
    ]
    assert code == 0
    code, out = diff_copy(tmp_path, whiteboard, "--as", WHITEBOARD, name="webhooks.json")
    assert out.splitlines()[0].startswith(f"Zoom's webhooks.json (as {WHITEBOARD}), 7 events")
    assert "whiteboard.deleted: removed" in out
    assert code == 1


@needs_reference
def test_json_report_shape(tmp_path: Path, whiteboard: dict[str, Any]) -> None:
    for edit in (add_event, remove_event, add_enum_value, make_required):
        edit(whiteboard)
    code, out = diff_copy(tmp_path, whiteboard, "--json")
    report = json.loads(out)
    assert code == 1
    assert report == {
        "document": WHITEBOARD,
        "cited_as": WHITEBOARD,
        "events_in_document": 8,
        "drift": True,
        "note": None,
        "summary": {
            "added": 1,
            "removed": 1,
            "changed": 1,
            "unreadable": 0,
            "field_changes": 2,
            "recorded_decisions": 0,
            "unchanged": 6,
        },
        "events": [
            {
                "event": "whiteboard.created",
                "status": "changed",
                "method": "converted",
                "drift": True,
                "error": None,
                "changes": [
                    {
                        "path": "payload.object.meeting_id",
                        "kind": "required",
                        "hookmock": False,
                        "zoom": True,
                        "decision": None,
                    },
                    {
                        "path": "payload.object.whiteboard_type",
                        "kind": "enum",
                        "hookmock": [0],
                        "zoom": [0, 1],
                        "added": [1],
                        "removed": [],
                        "decision": None,
                    },
                ],
            },
            {
                "event": "whiteboard.deleted",
                "status": "removed",
                "method": "converted",
                "drift": True,
                "error": None,
                "changes": [],
            },
            {
                "event": "whiteboard.restored",
                "status": "added",
                "method": None,
                "drift": True,
                "error": None,
                "changes": [],
            },
        ],
    }


@needs_reference
def test_json_describes_an_added_field() -> None:
    document = json.loads((OPENAPI / WHITEBOARD).read_text(encoding="utf-8"))
    add_field(document)
    diff = diff_document(document, WHITEBOARD)
    (change,) = diff.events[0].changes
    assert (change.kind, change.hookmock, change.zoom, change.inside) == (
        "added",
        None,
        {"type": ["string"], "format": [], "enum": None, "required": False, "declared": True},
        (),
    )


# -- usage errors ----------------------------------------------------------------------------

EXPECTED = 'expected Zoom\'s OpenAPI 3.1 webhooks document: a JSON object whose "webhooks" object'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json {", "is not JSON (Expecting value: line 1 column 1 (char 0)); " + EXPECTED),
        (
            '{"openapi": "3.1.0", "paths": {}}',
            "it has no webhooks object (top-level keys: openapi, paths); one with paths is a "
            "REST API document, not the webhooks one; " + EXPECTED,
        ),
        ('{"webhooks": []}', "it has no webhooks object (top-level keys: webhooks); " + EXPECTED),
        ("[1, 2]", "it holds a JSON list, not an object; " + EXPECTED),
    ],
    ids=["not-json", "rest-api", "webhooks-not-an-object", "a-list"],
)
def test_a_file_that_is_no_webhooks_document_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    path = tmp_path / "users.webhooks.json"
    path.write_text(text, encoding="utf-8")
    code, out = run(str(path))
    err = capsys.readouterr().err
    assert (code, out) == (2, "")
    prefix = f"hookmock schema-diff: error: {str(path)!r}"
    assert err.startswith(prefix)
    assert message in err


def test_a_missing_file_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "nowhere.webhooks.json"
    assert run(str(path)) == (2, "")
    assert capsys.readouterr().err == (
        f"hookmock schema-diff: error: cannot read {str(path)!r}: No such file or directory\n"
    )


def test_schema_diff_needs_a_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert run() == (2, "")
    assert "the following arguments are required: file" in capsys.readouterr().err


def test_schema_diff_as_a_subprocess(tmp_path: Path) -> None:
    path = tmp_path / "users.webhooks.json"
    path.write_text('{"openapi": "3.1.0"}', encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "hookmock", "schema-diff", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "it has no webhooks object (top-level keys: openapi)" in done.stderr


# -- how schemas are read --------------------------------------------------------------------


def paths(schema: dict[str, Any]) -> dict[str, Any]:
    return {render_path(path): field for path, field in fields(schema).items()}


def test_fields_read_branches_lists_and_undeclared_names() -> None:
    schema = {
        "type": "object",
        "required": ["a", "ghost"],
        "additionalProperties": False,
        "properties": {
            "a": {"anyOf": [{"type": "string", "format": "email"}, {"const": ""}]},
            "tags": {"type": "array", "enum": ["x", "y"], "items": {"type": "string"}},
            "who": {
                "oneOf": [
                    {"properties": {"id": {"type": "integer"}}, "required": ["id"]},
                    {"properties": {"id": {"type": "string"}, "n": {}}, "required": ["id", "n"]},
                ]
            },
            "odd name": {"type": "object", "additionalProperties": {"type": "number"}},
        },
    }
    found = paths(schema)
    assert set(found) == {
        "a", "ghost", "tags", "tags[]", "who", "who.id", "who.n", '["odd name"]', '["odd name"].*'
    }  # fmt: skip
    assert found["a"].types == ("string",) and found["a"].formats == ("", "email")
    assert found["a"].enum is None and found["a"].required
    assert not found["ghost"].declared and found["ghost"].required
    assert found["tags"].enum is None and found["tags[]"].enum == ('"x"', '"y"')
    assert found["who.id"].types == ("integer", "string") and found["who.id"].required
    assert not found["who.n"].required  # required by one branch only
    assert found['["odd name"].*'].types == ("number",)


def test_an_undeclared_required_name_is_compared_on_required_ness_only() -> None:
    ours = fields({"required": ["id"], "properties": {"id": {"type": "string"}}})
    theirs = fields({"required": ["id"]})
    assert compare_fields(ours, theirs) == []
    assert [c.kind for c in compare_fields(ours, fields({}))] == ["removed"]


def test_zoom_schema_fixes_refs_types_and_the_envelope() -> None:
    pointer = "#/paths/demo.thing/post/requestBody/content/application~1json/schema/$defs/obj"
    text = json.dumps(
        {
            "openapi": "3.1.0",
            "webhooks": {
                "demo.thing": {
                    "post": {
                        "requestBody": {
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "$defs": {
                                            "obj": {
                                                "type": "object",
                                                "properties": {
                                                    "size": {"type": "long"},
                                                    "zone": {"type": "enum, country┃states"},
                                                    "at": {"type": "string", "format": "datetime"},
                                                },
                                            }
                                        },
                                        "type": "object",
                                        "properties": {
                                            "event": {"type": "string"},
                                            "event_ts": {"type": "integer"},
                                            "payload": {"$ref": pointer},
                                        },
                                    }
                                }
                            }
                        }
                    }
                }
            },
        }
    )
    found = paths(zoom_schema(zoomspec.parse_document(text), "demo.thing"))
    assert found["event"].enum == ('"demo.thing"',)
    assert found["event_ts"].formats == ("int64",)
    assert (found["payload.size"].types, found["payload.size"].formats) == (
        ("integer",),
        ("int64",),
    )
    assert found["payload.zone"].enum == ('"country"', '"states"')
    assert found["payload.at"].formats == ("date-time",)


def test_the_decision_table_is_read_whole() -> None:
    table = (schemas_root() / "zoom" / "_SOURCES.md").read_text(encoding="utf-8")
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    decisions = recorded_decisions()
    assert len(decisions) == len(rows) > 0
    dropped = [d for d in decisions if d.verdict == "dropped"]
    assert {d.path for d in dropped} == {"operator", "operator_id", "time_stamp"}
    assert all(fnmatchcase("user.settings_updated", p) for d in dropped for p in d.events)


# -- one implementation ----------------------------------------------------------------------


@pytest.fixture
def converter() -> Iterator[Any]:
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import convert_zoom_openapi
        import zoom_common

        yield type("Tools", (), {"convert": convert_zoom_openapi, "common": zoom_common})
    finally:
        sys.path.remove(str(ROOT / "tools"))


def test_the_converter_reads_zooms_documents_with_the_shipped_functions(converter: Any) -> None:
    for name in ("fix_keywords", "inline", "body_of", "KEYWORDS", "PROSE"):
        assert getattr(converter.convert, name) is getattr(zoomspec, name), name
    assert converter.common.parse_document is zoomspec.parse_document
    assert not hasattr(converter.common, "inline")
