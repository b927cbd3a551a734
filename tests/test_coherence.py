"""Zoom's consistency rules applied to a body without overrides: the function compiled for each
event's plan, and the rules' shortcuts for bodies without overrides, give exactly what the
general walk of the plan (the one bodies with overrides take) gives."""

from __future__ import annotations

import functools
import json
import random
from collections.abc import Callable
from typing import Any

import pytest

from hookmock.generate import fake
from hookmock.generate.catalog import event_names
from hookmock.generate.kinds import Context
from hookmock.providers.zoom.coherence import GENERATION

NOW = 1_795_000_000.5
# The events where some rule applies.
EVENTS = [
    name for name in event_names("zoom") if fake._plan(name, "zoom", 0, GENERATION).node is not None
]
# Paths no event has: the rules then take their general path (the one for overrides), with
# nothing actually overridden, so they must give the same body as the shortcuts.
ELSEWHERE = frozenset({"payload.nothing.here"})


@functools.cache
def _compiled(event: str) -> Callable[[dict[str, Any], Context], None]:
    node = fake._plan(event, "zoom", 0, GENERATION).node
    assert node is not None
    return fake._compile_visit(node)


def _body(event: str, seed: int, *, full: bool, how: str) -> dict[str, Any]:
    plan = fake._plan(event, "zoom", 0, GENERATION)
    rng = random.Random(seed)
    ctx = Context(rng, NOW, full)
    data: dict[str, Any] = plan.draw(ctx)
    assert plan.node is not None, f"{event}: no rule applies"
    plan.begin(ctx)
    if how == "compiled":
        _compiled(event)(data, ctx)
    elif how == "walked":
        fake._visit(plan.node, data, "", ctx, None, fake._NOTHING)
    else:
        fake._visit(plan.node, data, "", ctx, None, ELSEWHERE)
    # What is left of the draw must be the same too: the next number drawn.
    data["__next__"] = rng.random()
    return data


@pytest.mark.parametrize("event", EVENTS)
def test_the_compiled_rules_give_what_the_walk_of_the_plan_gives(event: str) -> None:
    for seed in range(6):
        for full in (False, True):
            compiled = _body(event, seed, full=full, how="compiled")
            walked = _body(event, seed, full=full, how="walked")
            # Compared as written: equal values of other types (1 and 1.0, True and 1) differ.
            assert json.dumps(compiled) == json.dumps(walked), (event, seed, full)


RECORDING_EVENTS = [
    name for name in EVENTS if name.startswith(("recording.", "session.recording", "phone.rec"))
]


@pytest.mark.parametrize("event", sorted({*RECORDING_EVENTS, *EVENTS[::7]}))
def test_the_shortcuts_without_overrides_give_what_the_general_rules_give(event: str) -> None:
    for seed in range(12):
        for full in (False, True):
            shortcut = _body(event, seed, full=full, how="walked")
            general = _body(event, seed, full=full, how="general")
            assert json.dumps(shortcut) == json.dumps(general), (event, seed, full)


def test_rules_apply_in_most_events() -> None:
    assert len(EVENTS) > len(event_names("zoom")) / 2


def test_recording_events_are_among_those_compared() -> None:
    # The shortcuts are for recording files and the times within a meeting: the comparison
    # above must cover events that have them.
    assert "recording.completed" in RECORDING_EVENTS
    body = _body("recording.completed", 1, full=True, how="compiled")
    files = body["payload"]["object"]["recording_files"]
    assert files and all("recording_start" in item for item in files)
    assert body["payload"]["object"]["total_size"] == sum(item["file_size"] for item in files)


def test_an_event_walks_its_plan_once_and_then_runs_the_compiled_rules() -> None:
    # The first body of an event (a process's first send) is not worth compiling for.
    plan = fake._Plan("meeting.participant_joined", "zoom", GENERATION)
    stages = []
    for seed in range(3):
        stages.append(plan.cohere)
        ctx = Context(random.Random(seed), NOW, False)
        data = plan.draw(ctx)
        plan.begin(ctx)
        plan.cohere(data, ctx)
    walk, compile_, compiled = stages
    assert walk == plan._walk
    assert compile_ == plan._compile
    assert compiled not in (plan._walk, plan._compile)
    assert plan.cohere is compiled
