from __future__ import annotations

import json

import pytest

from hookmock import SERIALIZATIONS, Event
from hookmock.engine.events import serialize

VALUE = {"event": "meeting.started", "payload": {"topic": "Go 🚒 – it’s/here", "n": 1}}


def test_zoom_serialization_escapes_astral_only() -> None:
    body = serialize(VALUE)
    assert (
        body
        == (
            '{"event":"meeting.started","payload":{"topic":"Go \\uD83D\\uDE92 – it’s/here","n":1}}'
        ).encode()
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ascii", b'"Go \\ud83d\\ude92 \\u2013 it\\u2019s/here"'),
        ("escaped-slashes", '"Go \\uD83D\\uDE92 – it’s\\/here"'.encode()),
        ("spaced", b'"event": "meeting.started", "payload"'),
        ("pretty", b'{\n  "event": "meeting.started",\n  "payload": {\n'),
        ("sorted-keys", b'{"event":"meeting.started","payload":{"n":1,"topic"'),
    ],
)
def test_variants_keep_the_value(name: str, expected: bytes) -> None:
    body = serialize(VALUE, name)
    assert expected in body
    assert json.loads(body) == VALUE
    assert body != serialize(VALUE)


def test_every_serialization_is_tested_above() -> None:
    assert set(SERIALIZATIONS) == {
        "zoom",
        "ascii",
        "escaped-slashes",
        "spaced",
        "pretty",
        "sorted-keys",
    }


def test_unknown_serialization_lists_choices() -> None:
    with pytest.raises(ValueError, match="unknown serialization 'yaml'; choose one of: zoom, "):
        serialize(VALUE, "yaml")


def test_event_keeps_bytes_given_by_hand() -> None:
    raw = b'{ "event" : "meeting.ended", "payload" : {} }'
    event = Event.from_body(raw)
    assert event.name == "meeting.ended"
    assert event.body is not None and event.body == raw
    assert event.serialization == "verbatim"


def test_event_from_non_json_needs_a_name() -> None:
    with pytest.raises(ValueError, match="pass name="):
        Event.from_body(b"not json")
    assert Event.from_body(b"not json", name="meeting.started").data is None


def test_reserialized_is_a_new_body_with_the_same_value() -> None:
    event = Event.build("meeting.started", VALUE)
    pretty = event.reserialized("pretty")
    assert pretty.body != event.body
    assert json.loads(pretty.body) == json.loads(event.body)
    assert pretty.serialization == "pretty"
