"""Coherent sequences of Zoom events: one meeting, webinar or user seen through every event Zoom
sends about it, sharing ids, people and times, in the order Zoom sends them.

A scenario is a plan of ``(seconds after the start, event, values)``. Each event is generated as
usual (seeded, realistic, schema-valid) and then given the scenario's values for the fields it
has: the meeting's id (as a string or a number, as that event types it), uuid, host, topic and
times; a participant's ids, name and email; and so on. A value the event's schema does not accept
is left as generated.
"""

from __future__ import annotations

import copy
import random
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...engine import catalog
from ...engine.events import Event
from ...errors import ConfigurationError

if TYPE_CHECKING:
    from ...engine.simulator import Provider

__all__ = ["SCENARIOS", "ScenarioEvent", "build_scenario"]


@dataclass(frozen=True)
class ScenarioEvent:
    """One event of a scenario, due *at* (provider time, Unix seconds)."""

    at: float
    event: Event


_Values = dict[str, Any]
_Step = tuple[float, str, dict[str, _Values]]


def _iso(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(epoch)))


def _coerce(value: Any, like: Any) -> Any:
    """*value* in the JSON type of *like*: meeting ids are strings in some events, numbers in
    others (ZOOM.md §6)."""
    if isinstance(like, bool) or like is None:
        return value
    if isinstance(like, int) and isinstance(value, str) and value.isdigit():
        return int(value)
    if isinstance(like, str) and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _merge(node: Any, values: Mapping[str, Any]) -> None:
    if not isinstance(node, dict):
        return
    for key, value in values.items():
        if key in node:
            node[key] = _coerce(value, node[key])


def _lookup(data: Any, path: Iterable[str]) -> Any:
    for part in path:
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


def _make(zoom: Provider, name: str, at: float, values: dict[str, _Values]) -> Event:
    """Generate *name*, then give it the scenario's values where it has the fields."""
    generated = zoom.fake(name, now=at)
    data = copy.deepcopy(generated.data)
    data["event_ts"] = int(at * 1000)
    for where, fields in values.items():
        if where.endswith("[]"):  # every item of a list: recording files, say
            items = _lookup(data, where[:-2].split("."))
            for item in items if isinstance(items, list) else ():
                _merge(item, fields)
        else:
            _merge(_lookup(data, where.split(".")) if where else data, fields)
    # A value this event's schema refuses (an enum that differs, say) keeps its generated value.
    for _ in range(3):
        errors = catalog.schema_errors(name, data, zoom.name)
        if not errors:
            break
        for path, _message in errors:
            parts = [p for p in path.lstrip("$").replace("[", ".").replace("]", "").split(".") if p]
            original, target = generated.data, data
            for part in parts[:-1]:
                key: Any = int(part) if part.isdigit() else part
                original, target = original[key], target[key]
            last: Any = int(parts[-1]) if parts and parts[-1].isdigit() else parts[-1]
            target[last] = copy.deepcopy(original[last])
    return Event.build(name, data, seed=generated.seed)


def _person(
    zoom: Provider,
    rng: random.Random,
    name: str = "meeting.participant_joined",
    *,
    signed_in: bool = False,
) -> _Values:
    """A participant's identity, drawn like any generated participant (some are guests, who
    are not signed in); *signed_in* draws one who is, as a host is."""
    for _ in range(100):
        person = dict(zoom.fake(name).data["payload"]["object"]["participant"])
        if person.get("email") or not signed_in:
            break
    person["user_id"] = str(16778240 + rng.randrange(1, 4000) * 1024)
    return person


def _shared(generated: _Values, *, zoom_type: int, start: float, duration: int) -> _Values:
    """What every event about one meeting or webinar says of it: the *generated* one's identity
    with the scenario's type, start and duration."""
    return {
        "id": generated["id"],
        "uuid": generated["uuid"],
        "host_id": generated["host_id"],
        "topic": generated["topic"],
        "type": zoom_type,
        "timezone": generated["timezone"],
        "duration": duration,
        "start_time": _iso(start),
    }


def _meeting(zoom: Provider, params: Mapping[str, Any]) -> list[_Step]:
    participants = int(params.get("participants", 3))
    duration = int(params.get("duration", 45))
    recording = bool(params.get("recording", True))
    if participants < 1 or duration < 5:
        raise ConfigurationError("a meeting needs at least 1 participant and 5 minutes")
    rng = random.Random(zoom.fake("meeting.created").seed)
    base = zoom.fake("meeting.created").data["payload"]
    meeting = dict(base["object"])
    start = (zoom.event_time() // 60 + 10) * 60
    end = start + duration * 60
    shared = _shared(meeting, zoom_type=2, start=start, duration=duration)  # 2: scheduled
    account = {"account_id": base["account_id"]}
    people = [_person(zoom, rng, signed_in=index == 0) for index in range(participants)]
    people[0]["id"] = people[0]["participant_user_id"] = meeting["host_id"]
    steps: list[_Step] = [
        (start - 600, "meeting.created", {"payload": account, "payload.object": shared}),
        (start, "meeting.started", {"payload": account, "payload.object": shared}),
    ]
    for index, person in enumerate(people):
        joined = start + 20 + 40 * index
        steps.append(
            (
                joined,
                "meeting.participant_joined",
                {
                    "payload": account,
                    "payload.object": shared,
                    "payload.object.participant": {**person, "join_time": _iso(joined)},
                },
            )
        )
        left = end - 30 * (participants - index)
        reason = f"{person['user_name']} left the meeting.<br>Reason: left the meeting."
        steps.append(
            (
                left,
                "meeting.participant_left",
                {
                    "payload": account,
                    "payload.object": shared,
                    "payload.object.participant": {
                        **person,
                        "leave_time": _iso(left),
                        "leave_reason": reason,
                    },
                },
            )
        )
    presenter = people[-1]
    share_start, share_end = start + 300, min(start + 900, end - 120)
    for at, name in (
        (share_start, "meeting.sharing_started"),
        (share_end, "meeting.sharing_ended"),
    ):
        steps.append(
            (
                at,
                name,
                {
                    "payload": account,
                    "payload.object": shared,
                    "payload.object.participant": presenter,
                    "payload.object.participant.sharing_details": {"date_time": _iso(at)},
                },
            )
        )
    chat_at = start + 420
    steps.append(
        (
            chat_at,
            "meeting.chat_message_sent",
            {
                "payload": account,
                "payload.object": shared,
                "payload.object.chat_message": {
                    "date_time": _iso(chat_at),
                    "sender_session_id": people[0]["user_id"],
                    "sender_name": people[0]["user_name"],
                    "sender_email": people[0].get("email", ""),
                    "sender_type": "host",
                    "recipient_type": "everyone",
                },
            },
        )
    )
    steps.append(
        (
            end,
            "meeting.ended",
            {"payload": account, "payload.object": {**shared, "end_time": _iso(end)}},
        )
    )
    if recording:
        rec_start, rec_end = start + 60, end - 60
        span = {"recording_start": _iso(rec_start), "recording_end": _iso(rec_end)}
        steps += [
            (
                rec_start,
                "recording.started",
                {
                    "payload": account,
                    "payload.object": shared,
                    "payload.object.recording_file": {"recording_start": _iso(rec_start)},
                },
            ),
            (
                rec_end,
                "recording.stopped",
                {
                    "payload": account,
                    "payload.object": shared,
                    "payload.object.recording_file": span,
                },
            ),
        ]
        steps.append(_recording_done("recording.completed", end + 300, account, shared, span))
        steps.append(
            _recording_done("recording.transcript_completed", end + 600, account, shared, span)
        )
    return steps


def _recording_done(
    name: str, at: float, account: _Values, shared: _Values, span: _Values
) -> _Step:
    values: dict[str, _Values] = {
        "payload": account,
        "payload.object": shared,
        "payload.object.recording_files[]": {**span, "meeting_id": shared["uuid"]},
    }
    return (at, name, values)


def _webinar(zoom: Provider, params: Mapping[str, Any]) -> list[_Step]:
    registrants = int(params.get("registrants", 4))
    attendees = int(params.get("attendees", min(3, registrants)))
    duration = int(params.get("duration", 60))
    if not 0 <= attendees <= registrants:
        raise ConfigurationError("a webinar needs 0 <= attendees <= registrants")
    rng = random.Random(zoom.fake("webinar.started").seed)
    base = zoom.fake("webinar.started").data["payload"]
    webinar = dict(base["object"])
    start = (zoom.event_time() // 3600 + 48) * 3600
    end = start + duration * 60
    shared = _shared(webinar, zoom_type=5, start=start, duration=duration)  # 5: a webinar
    account = {"account_id": base["account_id"]}
    steps: list[_Step] = []
    now = zoom.event_time()
    people: list[_Values] = []
    for index in range(registrants):
        registrant = dict(
            zoom.fake("webinar.registration_created").data["payload"]["object"]["registrant"]
        )
        people.append(registrant)
        steps.append(
            (
                now + 3600 * (index + 1),
                "webinar.registration_created",
                {
                    "payload": account,
                    "payload.object": shared,
                    "payload.object.registrant": registrant,
                },
            )
        )
    steps.append((start, "webinar.started", {"payload": account, "payload.object": shared}))
    for index, registrant in enumerate(people[:attendees]):
        person = _person(zoom, rng, "webinar.participant_joined")
        name = f"{registrant.get('first_name', '')} {registrant.get('last_name', '')}".strip()
        identity = {
            **person,
            "user_name": name or person["user_name"],
            "email": registrant.get("email", ""),
        }
        identity["registrant_id"] = registrant.get("id", identity.get("registrant_id"))
        joined, left = start + 30 * (index + 1), end - 20 * (index + 1)
        steps.append(
            (
                joined,
                "webinar.participant_joined",
                {
                    "payload": account,
                    "payload.object": shared,
                    "payload.object.participant": {**identity, "join_time": _iso(joined)},
                },
            )
        )
        steps.append(
            (
                left,
                "webinar.participant_left",
                {
                    "payload": account,
                    "payload.object": shared,
                    "payload.object.participant": {**identity, "leave_time": _iso(left)},
                },
            )
        )
    steps.append(
        (
            end,
            "webinar.ended",
            {"payload": account, "payload.object": {**shared, "end_time": _iso(end)}},
        )
    )
    return steps


def _user(zoom: Provider, params: Mapping[str, Any]) -> list[_Step]:
    base = zoom.fake("user.created").data["payload"]
    user = dict(base["object"])
    identity = {
        key: user[key]
        for key in ("id", "first_name", "last_name", "display_name", "email", "type")
        if key in user
    }
    account = {"account_id": base["account_id"]}
    now = zoom.event_time()
    names = [
        (0, "user.created"),
        (3600, "user.activated"),
        (7200, "user.updated"),
        (86400, "user.signed_in"),
        (86400 + 3 * 3600, "user.signed_out"),
        (30 * 86400, "user.deactivated"),
        (31 * 86400, "user.deleted"),
    ]
    return [
        (
            now + offset,
            name,
            {
                "payload": account,
                "payload.object": identity,
                "payload.old_object": {"id": identity["id"]},
            },
        )
        for offset, name in names
    ]


_Builder = Callable[["Provider", Mapping[str, Any]], list[_Step]]

#: Scenario name → (what it is, its parameters with defaults, builder).
SCENARIOS: dict[str, tuple[str, dict[str, Any], _Builder]] = {
    "meeting": (
        "a scheduled meeting: created, started, participants join, screen sharing, chat, "
        "participants leave, ended; with recording started, stopped, completed and its "
        "transcript",
        {"participants": 3, "duration": 45, "recording": True},
        _meeting,
    ),
    "webinar": (
        "a webinar: registrations over the days before, started, attendees (some of the "
        "registrants) join and leave, ended",
        {"registrants": 4, "attendees": 3, "duration": 60},
        _webinar,
    ),
    "user": (
        "a user's life: created, activated, updated, signs in and out, deactivated, deleted",
        {},
        _user,
    ),
}


#: The largest count or duration a scenario parameter takes (beyond it a scenario would make
#: tens of thousands of events).
MAX_PARAM = 10_000


def _check_param(scenario: str, key: str, value: Any, default: Any) -> None:
    """A parameter has its default's type: true or false, or a whole number up to MAX_PARAM."""
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigurationError(
                f"scenario {scenario!r}: {key} must be true or false, got {value!r}; "
                f"e.g. {key}=false"
            )
    elif not (isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_PARAM):
        raise ConfigurationError(
            f"scenario {scenario!r}: {key} must be a whole number from 0 to {MAX_PARAM}, got "
            f"{value!r}; e.g. {key}={default}"
        )


def build_scenario(zoom: Provider, name: str, **params: Any) -> list[ScenarioEvent]:
    """The events of scenario *name*, in the order Zoom sends them, timed from the provider's
    clock (the first event is due now, or shortly).

    :raises ConfigurationError: for an unknown scenario or parameter.
    """
    try:
        _about, defaults, builder = SCENARIOS[name]
    except KeyError:
        raise ConfigurationError(
            f"unknown scenario {name!r}; choose one of: {', '.join(SCENARIOS)}"
        ) from None
    unknown = set(params) - set(defaults)
    if unknown:
        allowed = ", ".join(f"{k}={v!r}" for k, v in defaults.items()) or "none"
        raise ConfigurationError(
            f"scenario {name!r} has no parameter {', '.join(sorted(unknown))}; it takes: {allowed}"
        )
    for key, value in params.items():
        _check_param(name, key, value, defaults[key])
    steps = sorted(builder(zoom, {**defaults, **params}), key=lambda step: step[0])
    # Bodies are timed on the clock signing timestamps read (zoom.event_time()); the steps are
    # due on the provider's clock, which advancing has put ahead of it by this much.
    ahead = zoom.clock() - zoom.event_time()
    return [
        ScenarioEvent(at + ahead, _make(zoom, event, at, values)) for at, event, values in steps
    ]
