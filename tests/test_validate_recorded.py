"""``hookmock validate``: recorded deliveries held against the catalog's schemas."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import pytest

from hookmock import Zoom
from hookmock.cli import main
from hookmock.records.traffic import CapturedDelivery, to_line
from hookmock.traffic.validate import validate_records


def _record(data: Any, *, line: int = 0, event: str | None = None) -> CapturedDelivery:
    body = json.dumps(data, separators=(",", ":")).encode()
    name = event if event is not None else data.get("event")
    return CapturedDelivery(1_720_705_455.0, "zoom", "POST", "/", (), body, event=name, line=line)


def _write(path: Path, records: list[CapturedDelivery]) -> Path:
    path.write_text("".join(to_line(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture
def started() -> dict[str, Any]:
    return Zoom(secret_token="s", seed=5).fake("meeting.started", full=True).data  # type: ignore[no-any-return]


def test_generated_events_show_no_differences() -> None:
    zoom = Zoom(secret_token="s", seed=11)
    names = ["meeting.started", "meeting.ended", "recording.completed", "endpoint.url_validation"]
    records = [_record(zoom.fake(name, full=True).data) for name in names for _ in range(3)]
    result = validate_records(records)
    assert result.findings == []
    assert result.records == 12 and result.events["meeting.started"] == 3


def test_each_kind_of_difference_is_found_and_counted(started: dict[str, Any]) -> None:
    unknown_field = copy.deepcopy(started)
    unknown_field["payload"]["object"]["customer_key"] = "ck-1"
    other_type = copy.deepcopy(started)
    other_type["payload"]["object"]["id"] = 81234567890
    other_type["payload"]["object"]["customer_key"] = "ck-2"
    outside_enum = copy.deepcopy(started)
    outside_enum["payload"]["object"]["type"] = 42
    missing = copy.deepcopy(started)
    del missing["payload"]["object"]["topic"]
    records = [
        _record(started, line=1),
        _record(unknown_field, line=2),
        _record(other_type, line=3),
        _record(outside_enum, line=4),
        _record(missing, line=5),
        _record({"event": "meeting.teleported", "payload": {}}, line=6),
    ]
    result = validate_records(records)
    found = {(f.event, f.kind, f.path): f for f in result.findings}
    assert set(found) == {
        ("meeting.teleported", "unknown event", ""),
        ("meeting.started", "unknown field", "payload.object.customer_key"),
        ("meeting.started", "other type", "payload.object.id"),
        ("meeting.started", "outside enum", "payload.object.type"),
        ("meeting.started", "missing required", "payload.object.topic"),
    }
    customer_key = found[("meeting.started", "unknown field", "payload.object.customer_key")]
    assert customer_key.count == 2 and customer_key.lines == [2, 3]
    assert dict(customer_key.values) == {"string": 2}
    id_type = found[("meeting.started", "other type", "payload.object.id")]
    assert dict(id_type.values) == {"integer": 1} and id_type.expected == "string"
    assert dict(found[("meeting.started", "outside enum", "payload.object.type")].values) == {
        "42": 1
    }


def test_fields_inside_lists_are_named_with_brackets() -> None:
    data = Zoom(secret_token="s", seed=3).fake("recording.completed", full=True).data
    for item in data["payload"]["object"]["recording_files"]:
        item["file_codec"] = "h265"
    result = validate_records([_record(data)])
    assert [(f.kind, f.path, f.count) for f in result.findings] == [
        ("unknown field", "payload.object.recording_files[].file_codec", 1)
    ]


def test_the_report_and_exit_status(tmp_path: Path, started: dict[str, Any]) -> None:
    changed = copy.deepcopy(started)
    changed["payload"]["object"]["customer_key"] = "ck"
    changed["payload"]["object"]["id"] = 5
    path = _write(
        tmp_path / "deliveries.jsonl",
        [
            _record(started),
            _record(changed),
            _record({"event": "meeting.teleported", "payload": {}}),
            CapturedDelivery(0.0, "zoom", "GET", "/", (), b"hello"),
        ],
    )
    out = io.StringIO()
    assert main(["validate", str(path)], stdout=out) == 1
    assert out.getvalue() == (
        f"{path}: 4 deliveries, 2 event types, against hookmock's zoom schemas\n"
        "not checked: 1 not JSON\n"
        "\n"
        "meeting.teleported: not in the catalog (1 delivery; line 3)\n"
        "\n"
        "meeting.started (2 deliveries)\n"
        "  + payload.object.customer_key: not in the schema (string), in 1 of 2; line 2\n"
        "  ~ payload.object.id: integer where the schema says string, in 1 of 2; line 2\n"
        "\n"
        "Differences: 1 unknown event type, 1 unknown field, 1 field of another type.\n"
    )
    out = io.StringIO()
    assert main(["validate", str(path), "--json"], stdout=out) == 1
    report = json.loads(out.getvalue())
    assert report["summary"]["unknown field"] == 1 and report["differences"] is True
    assert report["findings"][1]["path"] == "payload.object.customer_key"
    same = _write(tmp_path / "same.jsonl", [_record(started)])
    out = io.StringIO()
    assert main(["validate", str(same)], stdout=out) == 0
    assert out.getvalue().endswith(
        "No differences: every field of every delivery is in the catalog's schemas.\n"
    )


def test_bad_input_exits_2_naming_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], started: dict[str, Any]
) -> None:
    path = tmp_path / "deliveries.jsonl"
    good = to_line(_record(started))
    path.write_text(good + "\n" + '{"format": "hookmock-delivery", "version": 2}\n')
    assert main(["validate", str(path)]) == 2
    assert capsys.readouterr().err == (
        f"hookmock validate: error: {path}:2: version 2 of the record format; this hookmock "
        "reads version 1\n"
    )
    path.write_text(good + "\n" + good[:40] + "\n")
    assert main(["validate", str(path)]) == 2
    assert capsys.readouterr().err.startswith(f"hookmock validate: error: {path}:2: not JSON (")
    assert main(["validate", str(tmp_path / "missing.jsonl")]) == 2
    assert "cannot read" in capsys.readouterr().err
    path.write_bytes(b"\xff\xfe\n")
    assert main(["validate", str(path)]) == 2
    assert "not UTF-8 text" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("provider", "options"),
    [
        ("zoom", {"secret_token": "s"}),
        ("github", {"secret": "s"}),
        ("stripe", {"secret": "whsec_s"}),
        ("slack", {"secret": "s"}),
        ("standard-webhooks", {}),
    ],
)
def test_no_difference_is_found_in_any_generated_event(provider: str, options: Any) -> None:
    from hookmock.providers import provider_class

    sender = provider_class(provider)(seed=1, **options)
    records = [
        CapturedDelivery(0.0, provider, "POST", "/", (), event.body, event=name)
        for name in sender.event_names()
        for event in (sender.fake(name), sender.fake(name, full=True))
    ]
    result = validate_records(records, sender.name)
    assert [(f.event, f.kind, f.path) for f in result.findings] == []
    assert result.records == 2 * len(sender.event_names())
