"""Coherent scenarios: shared ids, people and times, in Zoom's order, valid event by event."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest

from hookmock import Zoom
from hookmock.cli import main
from hookmock.engine.catalog import schema_errors
from hookmock.engine.scheduler import ProviderClock
from hookmock.providers.zoom.scenarios import build_scenario

from .receivers import zoom_receiver

T0 = 1_790_000_000.0


def _zoom(seed: int = 4) -> Zoom:
    return Zoom(secret_token="scenario", seed=seed, clock=ProviderClock(lambda: T0))


def _time(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")


def _obj(event: Any) -> dict[str, Any]:
    obj: dict[str, Any] = event.data["payload"]["object"]
    return obj


@pytest.mark.parametrize("name", ["meeting", "webinar", "user"])
def test_every_event_is_valid_and_in_time_order(name: str) -> None:
    steps = build_scenario(_zoom(), name)
    assert steps
    for step in steps:
        assert schema_errors(step.event.name, step.event.data) == [], step.event.name
        assert step.event.data["event_ts"] == int(step.at * 1000)
    stamps = [s.event.data["event_ts"] for s in steps]
    assert stamps == sorted(stamps)
    accounts = {s.event.data["payload"]["account_id"] for s in steps}
    assert len(accounts) == 1


def test_meeting_shares_ids_people_and_times() -> None:
    steps = build_scenario(_zoom(), "meeting", participants=3, duration=30)
    events = [s.event for s in steps]
    names = [e.name for e in events]
    assert names[0] == "meeting.created" and names[1] == "meeting.started"
    assert names.index("meeting.ended") < names.index("recording.completed")
    assert names.count("meeting.participant_joined") == names.count("meeting.participant_left") == 3
    assert {_obj(e)["uuid"] for e in events} == {_obj(events[0])["uuid"]}
    assert {str(_obj(e)["id"]) for e in events} == {str(_obj(events[0])["id"])}
    assert isinstance(_obj(events[1])["id"], str)  # meeting.started types it as a string
    assert isinstance(_obj(names_of(events, "recording.completed")[0])["id"], int)
    joined = {
        p["user_id"]: p
        for p in (_obj(e)["participant"] for e in names_of(events, "meeting.participant_joined"))
    }
    left = {
        p["user_id"]: p
        for p in (_obj(e)["participant"] for e in names_of(events, "meeting.participant_left"))
    }
    assert joined.keys() == left.keys()
    for user_id, person in joined.items():
        assert left[user_id]["user_name"] == person["user_name"]
        assert left[user_id]["email"] == person["email"]
        assert _time(person["join_time"]) < _time(left[user_id]["leave_time"])
        assert left[user_id]["leave_reason"].startswith(person["user_name"] + " left")
    ended = _obj(names_of(events, "meeting.ended")[0])
    assert _time(ended["end_time"]) - _time(ended["start_time"]) == dt.timedelta(minutes=30)
    start, end = _time(ended["start_time"]), _time(ended["end_time"])
    for recording_file in _obj(names_of(events, "recording.completed")[0])["recording_files"]:
        assert (
            start
            <= _time(recording_file["recording_start"])
            < _time(recording_file["recording_end"])
            <= end
        )
        assert recording_file["meeting_id"] == ended["uuid"]


def names_of(events: list[Any], name: str) -> list[Any]:
    return [e for e in events if e.name == name]


def test_parameters() -> None:
    steps = build_scenario(_zoom(), "meeting", participants=1, recording=False)
    names = [s.event.name for s in steps]
    assert names.count("meeting.participant_joined") == 1
    assert not [n for n in names if n.startswith("recording.")]
    with pytest.raises(ValueError, match="has no parameter speakers; it takes: participants=3"):
        build_scenario(_zoom(), "meeting", speakers=2)
    with pytest.raises(ValueError, match="unknown scenario 'standup'; choose one of: meeting"):
        build_scenario(_zoom(), "standup")


def test_webinar_attendees_are_registrants() -> None:
    steps = build_scenario(_zoom(), "webinar", registrants=3, attendees=2)
    emails = {
        _obj(s.event)["registrant"]["email"]
        for s in steps
        if s.event.name == "webinar.registration_created"
    }
    attendees = [
        _obj(s.event)["participant"]["email"]
        for s in steps
        if s.event.name == "webinar.participant_joined"
    ]
    assert len(emails) == 3 and len(attendees) == 2
    assert set(attendees) <= emails


def test_user_lifecycle_is_one_user() -> None:
    steps = build_scenario(_zoom(), "user")
    assert [s.event.name for s in steps][:2] == ["user.created", "user.activated"]
    assert len({_obj(s.event)["id"] for s in steps}) == 1


def test_same_seed_same_bodies() -> None:
    first = [e.body for e in _zoom(9).scenario("meeting")]
    again = [e.body for e in _zoom(9).scenario("meeting")]
    other = [e.body for e in _zoom(10).scenario("meeting")]
    assert first == again != other


def test_send_scenario_plays_in_provider_time() -> None:
    zoom = _zoom()
    receiver = zoom_receiver("scenario")
    zoom.subscribe(receiver)
    deliveries = zoom.send_scenario("meeting", participants=2, duration=20)
    assert all(d.acknowledged for d in deliveries)
    assert [d.event.name for d in deliveries] == [
        s.event.name for s in build_scenario(_zoom(), "meeting", participants=2, duration=20)
    ]
    assert deliveries[-1].sent_at - deliveries[1].sent_at == pytest.approx(30 * 60, abs=60)
    assert zoom.clock() >= deliveries[-1].sent_at
    zoom.assert_delivered_in_order("meeting.started", "meeting.ended", "recording.completed")


@pytest.mark.parametrize("clock", ["frozen", "moving"])
def test_a_retry_due_with_a_scenario_step_comes_after_it_however_the_clock_moves(
    clock: str,
) -> None:
    """recording.completed fails; its first retry (+5 min) falls due at the moment of
    recording.transcript_completed (5 min later): the step goes first, whether the clock stands
    still or moves between readings (by a microsecond each, as a fast or a slow machine's)."""
    ticks = iter(range(10**9))
    source = (lambda: T0) if clock == "frozen" else (lambda: T0 + next(ticks) * 1e-6)
    zoom = Zoom(secret_token="scenario", seed=3, clock=ProviderClock(source))
    good = zoom_receiver("scenario")

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        body = environ["wsgi.input"].read()
        if json.loads(body)["event"] == "recording.completed":
            start_response("500 Internal Server Error", [])
            return [b"cannot store the recording"]
        environ["wsgi.input"] = io.BytesIO(body)
        return good(environ, start_response)

    zoom.subscribe(app)
    zoom.send_scenario("meeting", participants=2, duration=20)
    zoom.run_until_idle()
    names = [(d.event.name, d.attempt) for d in zoom.deliveries][-5:]
    assert names == [
        ("recording.completed", 1),
        ("recording.transcript_completed", 1),
        ("recording.completed", 2),
        ("recording.completed", 3),
        ("recording.completed", 4),
    ]


def test_send_scenario_only_to_covering_subscriptions() -> None:
    zoom = _zoom()
    zoom.subscribe(zoom_receiver("scenario"), events=["meeting.started", "meeting.ended"])
    deliveries = zoom.send_scenario("meeting")
    assert [d.event.name for d in deliveries] == ["meeting.started", "meeting.ended"]
    with pytest.raises(LookupError, match="nothing is subscribed yet"):
        _zoom().send_scenario("meeting")


def test_cli_prints_a_scenario() -> None:
    args = ["scenario", "meeting", "participants=2", "--seed", "3", "--time", str(T0)]
    out, again = io.StringIO(), io.StringIO()
    assert main(args, stdout=out) == 0
    assert main(args, stdout=again) == 0
    lines = out.getvalue().splitlines()
    assert lines == again.getvalue().splitlines()
    assert [json.loads(line)["event"] for line in lines][:2] == [
        "meeting.created",
        "meeting.started",
    ]
    summary = io.StringIO()
    assert main([*args, "--summary"], stdout=summary) == 0
    assert summary.getvalue().splitlines()[1] == "+0:10:00  meeting.started"
    listing = io.StringIO()
    assert main(["scenario", "--list"], stdout=listing) == 0
    assert listing.getvalue().startswith("meeting: a scheduled meeting")


@pytest.mark.parametrize("mode", ["real", "provider"])
def test_scenario_bodies_follow_the_clock_signing_timestamps_read(mode: str) -> None:
    zoom = Zoom(
        secret_token="scenario", seed=4, clock=ProviderClock(lambda: T0), timestamp_clock=mode
    )
    zoom.advance(hours=3)
    steps = build_scenario(zoom, "meeting")
    signing_clock = T0 + (3 * 3600 if mode == "provider" else 0)
    first = steps[0]
    # The first event is due now (the meeting is created ten minutes before it starts, on the
    # next whole minute), as far from now on either clock.
    assert first.event.data["event_ts"] // 1000 - signing_clock == first.at - zoom.clock()
    assert -60 < first.at - zoom.clock() <= 0
    for step in steps:
        assert step.event.data["event_ts"] == int((step.at - (zoom.clock() - signing_clock)) * 1000)


def test_a_scenarios_host_is_signed_in_and_its_guests_have_no_ids() -> None:
    hosts, guests = 0, 0
    for seed in range(15):
        steps = build_scenario(_zoom(seed), "meeting", participants=4)
        joined = [_obj(s.event)["participant"] for s in steps if s.event.name.endswith("joined")]
        host = joined[0]
        assert host["id"] == host["participant_user_id"] == _obj(steps[0].event)["host_id"]
        hosts += bool(host["email"])
        for person in joined[1:]:
            assert person["id"] == person["participant_user_id"]
            guests += person["email"] == ""
    assert hosts == 15
    assert guests > 0
