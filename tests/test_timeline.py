"""Provider time: Zoom's retries and re-validation played in virtual time."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

import pytest

from hookmock import NotSubscribedError, Outcome, Zoom
from hookmock.engine.scheduler import ProviderClock
from hookmock.providers import zoom as zoom_module

from .receivers import zoom_receiver

SECRET = "timeline-secret"
T0 = 1_790_000_000.0


class Switchable:
    """A correct receiver whose answer to events (not to URL validation) can be scripted."""

    def __init__(self, *statuses: str) -> None:
        self.inner = zoom_receiver(SECRET)
        self.statuses = list(statuses)
        self.received: list[bytes] = []
        self.break_validation = False

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        body = environ["wsgi.input"].getvalue()
        if b"endpoint.url_validation" in body:
            if self.break_validation:
                start_response("500 Internal Server Error", [])
                return [b"down"]
            return self.inner(environ, start_response)
        self.received.append(body)
        status = self.statuses.pop(0) if self.statuses else "204 No Content"
        start_response(status, [])
        return []


def _zoom(**kwargs: Any) -> Zoom:
    kwargs.setdefault("timestamp_clock", "provider")
    return Zoom(secret_token=SECRET, seed=5, clock=ProviderClock(lambda: T0), **kwargs)


def test_retries_follow_zooms_schedule_then_drop() -> None:
    zoom = _zoom()
    receiver = Switchable(*["500 Internal Server Error"] * 4)
    zoom.subscribe(receiver)
    first = zoom.send("meeting.started")
    assert first.attempt == 1
    assert first.next_step == "retry 1 at +5 min"
    assert [j.kind for j in zoom.pending()] == ["retry", "revalidation"]
    assert zoom.advance(minutes=4, seconds=59) == []
    (second,) = zoom.advance(seconds=1)
    assert second.attempt == 2 and second.chain == first.chain
    later = zoom.run_until_idle()
    attempts = [first, second, *later]
    assert [d.attempt for d in attempts] == [1, 2, 3, 4]
    gaps = [b.sent_at - a.sent_at for a, b in itertools.pairwise(attempts)]
    assert gaps == [300, 1200, 3600]
    assert attempts[-1].sent_at - attempts[0].sent_at == 85 * 60
    assert [d.next_step for d in attempts] == [
        "retry 1 at +5 min",
        "retry 2 at +20 min",
        "retry 3 at +60 min",
        "dropped after 3 retries",
    ]
    assert attempts[-1].dropped and zoom.deliveries.dropped == [attempts[-1]]
    assert receiver.received == [first.request.body] * 4
    assert zoom.notices[-1].message == "dropped 'meeting.started' after 4 failed attempts"
    with pytest.raises(AssertionError, match="expected no dropped event; 1 dropped"):
        zoom.assert_nothing_dropped()


@pytest.mark.parametrize(
    "status", ["400 Bad Request", "401 Unauthorized", "429 Too Many Requests", "302 Found"]
)
def test_3xx_and_4xx_are_final(status: str) -> None:
    zoom = _zoom()
    zoom.subscribe(Switchable(status))
    delivery = zoom.send("meeting.started")
    assert delivery.next_step is not None and delivery.next_step.startswith("final: zoom does not")
    assert [j.kind for j in zoom.pending()] == ["revalidation"]
    assert zoom.run_until_idle() == []


@pytest.mark.parametrize("fault", ["timeout", "refused", "reset"])
def test_scripted_network_faults_are_retried(fault: str) -> None:
    zoom = _zoom()
    receiver = Switchable()
    zoom.subscribe(receiver)
    zoom.fail_next(fault)
    failed = zoom.send("recording.completed")
    assert failed.outcome is (Outcome.TIMEOUT if fault == "timeout" else Outcome.CONNECTION_ERROR)
    assert "scripted fault" in (failed.error or "")
    assert receiver.received == []  # the network failed before the receiver saw it
    (retry,) = zoom.run_until_idle()
    assert retry.acknowledged and retry.attempt == 2
    assert receiver.received == [failed.request.body]
    zoom.assert_acknowledged_once()
    zoom.assert_nothing_dropped()


def test_late_in_process_answer_and_app_errors_are_retried() -> None:
    zoom = _zoom(deadline=0.02)

    calls: list[str] = []

    def slow_then_broken(environ: dict[str, Any], start_response: Any) -> Any:
        body = environ["wsgi.input"].getvalue()
        if b"url_validation" in body:
            return zoom_receiver(SECRET)(environ, start_response)
        calls.append("x")
        if len(calls) == 1:
            time.sleep(0.05)
            start_response("204 No Content", [])
            return []
        if len(calls) == 2:
            raise RuntimeError("boom")
        start_response("204 No Content", [])
        return []

    zoom.subscribe(slow_then_broken)
    first = zoom.send("meeting.started")
    assert first.outcome is Outcome.LATE and first.next_step == "retry 1 at +5 min"
    second, third = zoom.run_until_idle()
    assert second.outcome is Outcome.APP_ERROR
    assert third.acknowledged


def test_retries_are_signed_fresh_by_default_or_keep_the_original() -> None:
    for mode in ("fresh", "original"):
        zoom = _zoom(retry_timestamps=mode)
        zoom.subscribe(Switchable("503 Service Unavailable"))
        first = zoom.send("meeting.started")
        (retry,) = zoom.run_until_idle()
        ts = retry.request.header("x-zm-request-timestamp")
        if mode == "fresh":
            assert ts == str(int(T0 + 300))
        else:
            assert ts == first.request.header("x-zm-request-timestamp") == str(int(T0))
        assert retry.request.header("x-zm-signature") == zoom_module.sign(
            SECRET, ts or "", retry.request.body
        )
        # ZOOM.md §8: a retry is recognisable by its request id, which it keeps.
        assert retry.request.header("x-zm-request-id") == first.request.header("x-zm-request-id")
    with pytest.raises(ValueError, match="retry_timestamps must be 'fresh'"):
        _zoom(retry_timestamps="sometimes")


def test_every_retry_keeps_the_request_id_and_a_resent_duplicate_gets_a_new_one() -> None:
    zoom = _zoom()
    zoom.subscribe(Switchable(*["500 Internal Server Error"] * 4))
    first = zoom.send("meeting.started")
    retries = zoom.run_until_idle()
    assert [d.attempt for d in retries] == [2, 3, 4]
    request_id = first.request.header("x-zm-request-id")
    assert [d.request.header("x-zm-request-id") for d in retries] == [request_id] * 3
    stamps = [d.request.header("x-zm-request-timestamp") for d in (first, *retries)]
    assert stamps == [str(int(T0 + offset)) for offset in (0, 300, 1500, 5100)]
    signatures = {d.request.header("x-zm-signature") for d in (first, *retries)}
    assert len(signatures) == 4
    assert {d.request.body for d in retries} == {first.request.body}
    duplicate = zoom.resend(first)
    assert duplicate.request.header("x-zm-request-id") not in (request_id, None)


def test_a_retry_keeps_a_request_id_set_by_hand() -> None:
    zoom = _zoom()
    zoom.subscribe(Switchable("500 Internal Server Error"))
    zoom.send("meeting.started", headers={"x-zm-request-id": "chosen"})
    (retry,) = zoom.run_until_idle()
    assert retry.request.header("x-zm-request-id") == "chosen"


@pytest.mark.parametrize("mode", ["real", "provider"])
def test_event_ts_and_the_signing_timestamp_agree_after_advance(mode: str) -> None:
    zoom = _zoom(timestamp_clock=mode)
    zoom.subscribe(Switchable("500 Internal Server Error"))
    zoom.advance(hours=2)
    first = zoom.send("meeting.started")
    signed = int(first.request.header("x-zm-request-timestamp") or "")
    # Real mode: both read the receiver's clock, which advancing does not move; provider mode:
    # both read the provider's.
    assert signed == int(T0 + (7200 if mode == "provider" else 0))
    assert 0 <= first.event.data["event_ts"] - signed * 1000 < 1000
    (retry,) = zoom.advance(minutes=5)
    retried = int(retry.request.header("x-zm-request-timestamp") or "")
    assert retried - signed == (300 if mode == "provider" else 0)


def test_a_receiver_that_follows_provider_time_rejects_stale_original_timestamps() -> None:
    time_machine = pytest.importorskip("time_machine")
    # The receiver reads time.time(); time-machine moves it along with the provider's clock.
    results = {}
    for mode in ("fresh", "original"):
        with time_machine.travel(T0, tick=False) as traveller:
            zoom = _zoom(retry_timestamps=mode)
            zoom.clock.on_advance(traveller.move_to)
            from examples.flask_receiver.app import create_app

            app = create_app(SECRET)
            zoom.subscribe(app, path="/zoom/webhook")
            zoom.fail_next("timeout", times=2)
            zoom.send("meeting.started")
            results[mode] = [(d.attempt, d.status) for d in zoom.run_until_idle()]
    assert results["fresh"] == [(2, None), (3, 204)]
    # Kept original timestamp: 25 min old at the third attempt, outside the 5-minute window.
    assert results["original"] == [(2, None), (3, 401)]


def test_revalidation_every_72_hours_warns_then_disables() -> None:
    zoom = _zoom()
    receiver = Switchable("500 Internal Server Error")
    subscription = zoom.subscribe(receiver, events=["meeting.started"])
    zoom.send("meeting.started")  # fails: a retry is pending
    receiver.break_validation = True
    made = zoom.advance(hours=72)
    validations = [d for d in made if d.event.name == "endpoint.url_validation"]
    assert len(validations) == 1 and validations[0].sent_at == T0 + 72 * 3600
    assert subscription.failures == 1 and subscription.active
    zoom.advance(hours=72)
    assert [n.message.split(":")[0] for n in zoom.notices] == ["warning to the app's owner"]
    assert "2 consecutive failed re-validations" in zoom.notices[0].message
    zoom.advance(hours=72 * 2)
    assert "4 consecutive" in zoom.notices[-1].message
    zoom.advance(hours=72 * 2)
    assert subscription.failures == 6 and not subscription.active
    assert zoom.notices[-1].message.startswith("disabled after 6 consecutive failed")
    assert zoom.pending() == []
    before = len(zoom.deliveries)
    zoom.advance(days=30)
    assert len(zoom.deliveries) == before  # nothing delivered, nothing re-validated
    with pytest.raises(NotSubscribedError, match="disabled"):
        zoom.send("meeting.started")


def test_a_successful_revalidation_resets_the_count() -> None:
    zoom = _zoom()
    receiver = Switchable()
    subscription = zoom.subscribe(receiver)
    receiver.break_validation = True
    zoom.advance(hours=72 * 3)
    assert subscription.failures == 3
    receiver.break_validation = False
    zoom.advance(hours=72)
    assert subscription.failures == 0 and subscription.active


def test_duplicates_and_acknowledged_once() -> None:
    zoom = _zoom()
    receiver = Switchable()
    zoom.subscribe(receiver)
    first = zoom.send("recording.completed")
    duplicate = zoom.resend(first)
    assert duplicate.request.body == first.request.body
    assert duplicate.request.header("x-zm-request-id") != first.request.header("x-zm-request-id")
    assert duplicate.chain != first.chain
    with pytest.raises(AssertionError) as info:
        zoom.assert_acknowledged_once()
    assert str(info.value).splitlines()[0] == (
        "expected each event to be acknowledged exactly once; 1 of 1 were not"
    )
    assert "['recording.completed' acknowledged 2 times]" in str(info.value)


def test_batches_in_order_reversed_and_seeded_shuffle() -> None:
    names = ["meeting.created", "meeting.started", "meeting.participant_joined", "meeting.ended"]
    zoom = _zoom()
    zoom.subscribe(Switchable())
    zoom.send_batch(names)
    zoom.assert_delivered_in_order(*names)
    zoom.clear()
    zoom.send_batch(names, order="reversed")
    with pytest.raises(AssertionError, match=r"acknowledged in that order; got 'meeting\.ended'"):
        zoom.assert_delivered_in_order(*names)

    def shuffled(seed: int) -> list[str]:
        z = Zoom(secret_token=SECRET, seed=seed, clock=ProviderClock(lambda: T0))
        z.subscribe(Switchable())
        return [d.event.name for d in z.send_batch(names, order="shuffled")]

    assert shuffled(1) == shuffled(1)
    assert sorted(shuffled(1)) == sorted(names)
    assert any(shuffled(s) != names for s in range(5))
    with pytest.raises(ValueError, match="order must be"):
        zoom.send_batch(names, order="random")


def test_concurrent_batch_to_a_url() -> None:
    from .receivers import serving

    receiver = zoom_receiver(SECRET)
    with serving(receiver) as base:
        zoom = Zoom(secret_token=SECRET, seed=2)
        zoom.subscribe(base + "/hook")
        deliveries = zoom.send_batch(["meeting.started"] * 12, concurrency=4)
    assert all(d.acknowledged for d in deliveries)
    assert len({d.request.body for d in deliveries}) == 12
    assert len(receiver.bodies) == 13  # type: ignore[attr-defined]


def test_log_queries() -> None:
    zoom = _zoom()
    zoom.subscribe(Switchable("500 Internal Server Error", "500 Internal Server Error"))
    zoom.send("meeting.started")
    zoom.send("meeting.ended")
    zoom.run_until_idle()
    log = zoom.deliveries
    assert [d.attempt for d in log.get("meeting.started")] == [1, 2]
    assert len(log.get(outcome=Outcome.SERVER_ERROR)) == 2
    assert len(log.get(attempt=2)) == 2
    assert len(log.get(where=lambda d: d.event.name.startswith("meeting."))) == 4
    chains = log.chains()
    assert [len(c) for c in chains.values()] == [1, 2, 2]  # validation, started, ended
    assert log.get(subscription="subscription 1", event="meeting.ended")[0].acknowledged is False


def test_events_generated_on_a_moved_clock_carry_its_time() -> None:
    zoom = _zoom()
    zoom.advance(hours=2)
    event = zoom.fake("meeting.started")
    assert event.data["event_ts"] == int((T0 + 7200) * 1000)
    assert json.loads(event.body)["event_ts"] == event.data["event_ts"]
    with pytest.raises(ValueError, match="only moves forward"):
        zoom.advance(-1)


def test_by_default_timestamps_read_the_receivers_clock() -> None:
    zoom = Zoom(secret_token=SECRET, seed=5, clock=ProviderClock(lambda: T0))
    zoom.subscribe(Switchable("500 Internal Server Error"))
    first = zoom.send("meeting.started")
    (retry,) = zoom.advance(minutes=5)
    # Provider time moved (event_ts, the schedule); the receiver's clock did not.
    assert retry.sent_at == T0 + 300
    assert retry.request.header("x-zm-request-timestamp") == str(int(T0))
    assert first.request.header("x-zm-request-timestamp") == str(int(T0))
    with pytest.raises(ValueError, match="timestamp_clock must be 'real'"):
        Zoom(timestamp_clock="wall")


def test_the_default_clock_ignores_faked_time() -> None:
    time_machine = pytest.importorskip("time_machine")
    clock = ProviderClock()
    before = clock()
    with time_machine.travel(0, tick=False):
        assert abs(clock() - before) < 5
    clock.advance(60)
    assert 59 < clock() - before < 65
    assert abs(clock.real() - time.time()) < 5


def test_a_notice_compares_hashes_and_shows_like_a_frozen_record() -> None:
    from dataclasses import FrozenInstanceError

    from hookmock.engine.timeline import Notice

    notice = Notice(at=5.0, subscription="receiver", message="disabled")
    assert notice == Notice(5.0, "receiver", "disabled")
    assert notice != Notice(5.0, "receiver", "dropped")
    assert len({notice, Notice(5.0, "receiver", "disabled")}) == 1
    assert repr(notice) == "Notice(at=5.0, subscription='receiver', message='disabled')"
    with pytest.raises(FrozenInstanceError, match="a Notice is immutable"):
        notice.message = "changed"  # type: ignore[misc]


def test_jobs_run_in_order_of_due_time_then_of_scheduling() -> None:
    from hookmock.engine.scheduler import Job

    def nothing() -> None:
        return None

    first, second, later = (
        Job(10.0, 2, "retry", "a", nothing),
        Job(10.0, 3, "retry", "b", nothing),
        Job(5.0, 9, "revalidate", "c", nothing),
    )
    assert sorted([second, first, later]) == [later, first, second]
    assert first <= second and second > first and not first > second
    assert first == Job(10.0, 2, "other", "other", nothing)
    assert "kind='retry'" in repr(first) and "run" not in repr(first)
