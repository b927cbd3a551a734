"""Generated bodies are written with orjson when it writes json's bytes, and with json otherwise:
the bytes are those of ``serialize(value, "zoom")`` for every value made of JSON's own types."""

from __future__ import annotations

import subprocess
import sys
import tracemalloc
import uuid
from typing import Any

import orjson
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import hookmock
from hookmock.generate import events
from hookmock.generate.events import serialize, zoom_bytes

# Text that looks like the numbers orjson writes otherwise, inside strings and keys.
LOOKALIKES = st.sampled_from(["6e-8", "b008116e-8bab", "0.00001", ":1e-7", ",0.0000", "[-1e-5"])
TEXT = st.one_of(st.text(), LOOKALIKES, st.text(alphabet="🚒é–e-0.:,[1"))
NUMBERS = st.one_of(
    st.integers(),  # beyond 64 bits too, which orjson refuses
    st.floats(allow_nan=False, allow_infinity=False),
    st.floats(min_value=-1e-3, max_value=1e-3),
    st.sampled_from([1e-5, -1e-7, 1e-10, 5e-324, 1e16, 1.5e-4, 0.0, -0.0]),
)
JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), NUMBERS, TEXT),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=4)),
    max_leaves=20,
)


@pytest.fixture(autouse=True)
def _orjson_loaded() -> None:
    # As in a process that has written more than _PLAIN_AFTER bodies.
    events._load_orjson()


@given(JSON)
@example({"id": "b008116e-8bab-4ede", "n": 1e-7})
@example([1e-5, "0.00001"])
@example(-1e-9)
@example({"big": 2**64, "emoji": "🚒"})
def test_generated_bytes_are_json_s(value: Any) -> None:
    assert zoom_bytes(value) == serialize(value, "zoom")


@pytest.mark.parametrize(
    ("value", "small"),
    [
        ([1e-7], True),
        ({"n": -1e-5}, True),
        (1e-9, True),
        ({"id": "b008116e-8bab-4ede"}, False),
        ({"price": "0.00001"}, False),
        ({"n": 10.00001}, False),
        ({"n": 1e-10}, False),  # two-digit exponents are written alike
        ({"n": 0.5}, False),
    ],
)
def test_small_floats_are_told_from_lookalikes(value: Any, small: bool) -> None:
    body = orjson.dumps(value)
    assert events._small_float(body) is small
    # What the check is for: where it says no, the two writers agree.
    if not small:
        assert body == serialize(value, "zoom")


def test_a_catalog_is_written_alike() -> None:
    zoom = hookmock.Zoom(secret_token="bytes", seed=3)
    for name in zoom.event_names():
        event = zoom.fake(name, now=1_795_000_000.0)
        assert event.body == serialize(event.data, "zoom"), name


def test_overridden_values_are_written_by_json() -> None:
    # orjson writes a UUID as a string; json refuses it, and so does an override of one.
    zoom = hookmock.Zoom(secret_token="bytes", seed=3)
    with pytest.raises(TypeError, match="UUID is not JSON serializable"):
        zoom.fake("meeting.started", topic=uuid.UUID(int=1), validate=False)


def test_values_set_by_a_generation_hook_are_written_by_json() -> None:
    zoom = hookmock.Zoom(secret_token="bytes", seed=3)
    zoom.generation_hooks.append(lambda name, data: data.update(extra=uuid.UUID(int=1)))
    with pytest.raises(TypeError, match="UUID is not JSON serializable"):
        zoom.fake("meeting.started")


def test_one_send_does_not_import_orjson() -> None:
    script = (
        "import sys, hookmock\n"
        "z = hookmock.Zoom(secret_token='s', seed=1)\n"
        "z.fake('meeting.started'); z.fake('recording.completed')\n"
        "print('orjson' in sys.modules)\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert found.stdout.strip() == "False"


def test_a_kept_body_costs_its_length() -> None:
    # What the delivery log keeps of each delivery is its body: not a larger buffer behind it.
    value = {"event": "meeting.started", "payload": {"object": {"id": 1, "topic": "Q3 review"}}}
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = [zoom_bytes(value) for _ in range(200)]
        each = (tracemalloc.get_traced_memory()[0] - before) / len(kept)
    finally:
        tracemalloc.stop()
    assert kept[0] == serialize(value, "zoom")
    assert each < len(kept[0]) + 200
