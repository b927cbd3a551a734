"""The delivery log as a bounded, numbered store: ``max_deliveries`` keeps the last deliveries in
full and counts the rest; pages by number cost what they return; assertions over a log that
forgot deliveries count them or say they cannot tell; the control API pages it the same way."""

from __future__ import annotations

import argparse
import dataclasses
import json
from typing import Any

import pytest
from werkzeug.test import Client

from hookmock import ConfigurationError, DeliveryLog, Event, Outcome, Zoom
from hookmock.engine.report import describe_log
from hookmock.records.exchange import Request, Response
from hookmock.server import MockServerApp
from hookmock.server.cli import DEFAULT_MAX_DELIVERIES, add_serve_parser
from hookmock.server.state import ServerState
from tests.receivers import zoom_receiver

SECRET = "log-secret-token"


def _zoom(max_deliveries: int | None, *, status: int = 204) -> Zoom:
    zoom = Zoom(secret_token=SECRET, seed=3, max_deliveries=max_deliveries)
    zoom.subscribe(zoom_receiver(SECRET, status=status))
    return zoom  # the URL validation is delivery #1


def _numbers(log: DeliveryLog, *args: Any, **kwargs: Any) -> list[int]:
    return [number for number, _ in log.numbered(*args, **kwargs)]


def test_the_log_keeps_the_last_deliveries_and_counts_the_rest() -> None:
    zoom = _zoom(3)
    sent = [zoom.send("meeting.started") for _ in range(4)]
    log = zoom.deliveries
    assert (len(log), log.total, log.forgotten) == (3, 5, 2)
    assert list(log) == sent[1:] and log.last is sent[-1] and log[0] is sent[1]
    assert log[-3] is sent[1] and log[1:] == sent[2:]
    with pytest.raises(IndexError, match="the log keeps 3"):
        log[3]
    assert repr(log) == (
        "<DeliveryLog 3 deliveries kept of 5 made; the first 2 (#1-#2) are forgotten "
        "(max_deliveries=3)>"
    )
    assert repr(zoom).endswith("deliveries=5>")
    log.clear()
    assert (len(log), log.total, log.forgotten, _numbers(log)) == (0, 0, 0, [])
    assert repr(log) == "<DeliveryLog 0 deliveries (keeps the last 3)>"
    assert zoom.send("meeting.started") is log.last and _numbers(log) == [1]


def test_the_report_of_a_failing_test_numbers_on_from_the_forgotten() -> None:
    zoom = _zoom(3)
    for _ in range(4):
        zoom.send("meeting.started")
    text = describe_log(zoom.deliveries, last=2)
    assert text.splitlines()[0] == (
        "3 earlier deliveries not shown (#1-#3); the log no longer keeps #1-#2 (max_deliveries=3)"
    )
    assert text.splitlines()[1].startswith("#4 'meeting.started'")
    assert "#5 'meeting.started'" in text


def test_unbounded_by_default() -> None:
    zoom = _zoom(None)
    for _ in range(5):
        zoom.send("meeting.started")
    assert (len(zoom.deliveries), zoom.deliveries.forgotten) == (6, 0)
    assert zoom.deliveries.max_deliveries is None
    assert repr(zoom.deliveries) == "<DeliveryLog 6 deliveries>"


@pytest.mark.parametrize("bad", [0, -1, 1.5, "10", True])
def test_max_deliveries_must_be_a_positive_whole_number(bad: Any) -> None:
    with pytest.raises(ConfigurationError, match="max_deliveries must be a whole number"):
        Zoom(secret_token=SECRET, max_deliveries=bad)


def test_pages_by_number_at_the_boundaries_after_deliveries_were_forgotten() -> None:
    zoom = _zoom(4)
    for name in ["meeting.started", "meeting.ended"] * 4:
        zoom.send(name)
    log = zoom.deliveries  # 9 made: #6-#9 kept
    assert _numbers(log) == [6, 7, 8, 9]
    assert _numbers(log, 0, 2) == [6, 7]  # since before the first kept: from the first kept
    assert _numbers(log, 5, 1) == [6]
    assert _numbers(log, 6) == [7, 8, 9]
    assert _numbers(log, 8, 10) == [9]
    assert _numbers(log, 9) == [] and _numbers(log, 1000) == []
    assert [d for _, d in log.numbered(7, 1)] == [log[2]]
    # By event: #6 and #8 are meeting.started (#1 was the URL validation).
    assert _numbers(log, event="meeting.started") == [6, 8]
    assert _numbers(log, event="meeting.ended") == [7, 9]
    assert _numbers(log, 6, event="meeting.started") == [8]
    assert _numbers(log, 0, 1, event="meeting.ended") == [7]
    assert _numbers(log, event="endpoint.url_validation") == []  # forgotten
    assert all(d.event.name == "meeting.ended" for _, d in log.numbered(event="meeting.ended"))
    assert log.get("meeting.ended") == [log[1], log[3]]


def test_many_deliveries_through_a_small_log_keep_the_numbers_right() -> None:
    log = DeliveryLog(max_deliveries=5)
    delivery = _zoom(None).send("meeting.started")
    for _ in range(3000):  # past the point where the log cuts its list
        log.append(delivery)
    assert (len(log), log.total, log.forgotten) == (5, 3000, 2995)
    assert _numbers(log) == [2996, 2997, 2998, 2999, 3000]
    assert _numbers(log, 2998, event="meeting.started") == [2999, 3000]
    assert log.count_forgotten("meeting.started", outcome=Outcome.ACKNOWLEDGED) == 2995


def test_advance_returns_every_delivery_it_made_whatever_the_log_keeps() -> None:
    zoom = _zoom(2)
    zoom.fail_next("timeout", times=4)
    zoom.send("meeting.started")
    made = zoom.run_until_idle()
    assert [d.attempt for d in made] == [2, 3, 4]
    assert zoom.deliveries.total == 5 and len(zoom.deliveries) == 2


def test_assert_delivered_counts_the_forgotten_deliveries() -> None:
    zoom = _zoom(2)
    for _ in range(3):
        zoom.send("meeting.started")
    zoom.assert_delivered("meeting.started", count=3)
    with pytest.raises(AssertionError) as raised:
        zoom.assert_delivered("meeting.started", count=2)
    message = str(raised.value)
    assert message.splitlines()[0] == (
        "expected 2 acknowledged deliveries of 'meeting.started'; got 3 of 3"
    )
    assert (
        "  (2 earlier deliveries (#1-#2) no longer kept: the log keeps the last 2 "
        "(max_deliveries); 1 were of 'meeting.started', counted: 1 of them matched, 0 did not)"
    ) in message
    assert "#3 'meeting.started'" in message


def test_assert_all_acknowledged_and_nothing_dropped_count_the_forgotten() -> None:
    zoom = _zoom(2)
    zoom.fail_next("timeout", times=4)
    zoom.send("meeting.started")
    zoom.run_until_idle()  # dropped after the 4th attempt
    for _ in range(2):
        zoom.send("meeting.ended")
    assert all(d.acknowledged for d in zoom.deliveries)  # what is kept looks fine...
    with pytest.raises(AssertionError, match=r"^expected no dropped event; 1 dropped") as raised:
        zoom.assert_nothing_dropped()
    assert "1 of them were dropped events" in str(raised.value)
    with pytest.raises(
        AssertionError, match=r"^expected every delivery to be acknowledged; 4 of 7"
    ):
        zoom.assert_all_acknowledged()


def test_assertions_that_need_forgotten_deliveries_say_they_cannot_tell() -> None:
    zoom = _zoom(2)
    for name in ["meeting.started", "meeting.ended", "meeting.started"]:
        zoom.send(name)
    with pytest.raises(AssertionError, match=r"^cannot tell whether each event was") as raised:
        zoom.assert_acknowledged_once()
    assert "raise max_deliveries" in str(raised.value)
    zoom.assert_acknowledged_once("meeting.ended")  # none of its deliveries was forgotten
    with pytest.raises(AssertionError, match=r"^cannot tell whether 'meeting\.started'"):
        zoom.assert_delivered_in_order("meeting.started", "meeting.ended")
    zoom.assert_delivered_in_order("meeting.ended")


def test_records_have_no_dict_and_the_log_keeps_bytes_not_values() -> None:
    zoom = _zoom(None)
    event = zoom.fake("recording.completed")
    zoom.subscribe(zoom_receiver(SECRET), path="/b")
    first, second = zoom.send_all(event)
    for record in (first, first.request, first.response, first.event, event):
        assert not hasattr(record, "__dict__"), type(record).__name__
    # The recorded event keeps the bytes sent; its value is parsed from them when read.
    assert first.event is second.event and first.event is not event
    assert first.event.body is event.body and first.request.body is event.body
    assert first.event.data == event.data and first.event.name == event.name
    assert first.event.seed == event.seed and first.event == event.without_data()
    with pytest.raises(AttributeError):
        first.event.name = "x"  # type: ignore[misc]


def test_headers_kept_compactly_read_as_before() -> None:
    pairs = (("content-type", "application/json"), ("x-a", "1"), ("X-A", "2"), ("x-b", ""))
    request = Request("POST", "http://127.0.0.1:1/", pairs, b"{}")
    assert request.headers == pairs and request.header("x-a") == "1"
    assert request.header("missing") is None
    odd = Request("POST", "http://127.0.0.1:1/", [("x-nul", "a\0b")], b"")
    assert odd.headers == (("x-nul", "a\0b"),) and odd.header("X-NUL") == "a\0b"
    empty = Response(204, "No Content", (), b"")
    assert empty.headers == () and empty.header("content-type") is None
    response = Response(200, "OK", [("Content-Type", "text/plain")], b"ok")
    assert dataclasses.replace(response, status=401).headers == response.headers
    assert request == Request("POST", "http://127.0.0.1:1/", list(pairs), b"{}")


def test_a_lone_header_is_kept_as_it_is_among_others() -> None:
    class Text(str):
        pass

    # A plain string stands for itself; a value with a NUL, or of another type, stays as given.
    for value, kept in [
        ("text/plain", "text/plain"),
        ("", ""),
        ("a\0b", ("a\0b",)),
        (Text("x"), (Text("x"),)),
        (b"raw", (b"raw",)),
    ]:
        for pair in [("X-One", value), ["X-One", value]]:
            response = Response(200, "OK", [pair], b"")  # type: ignore[list-item]
            assert (response._names, response._values) == (("X-One",), kept), pair
            assert type(response._values) is type(kept)
            assert response.headers == (("X-One", value),) and response.header("x-one") == value
            assert response == Response(200, "OK", (("X-One", value),), b"")  # type: ignore[arg-type]
    first = Response(200, "OK", [("X-Lone", "1")], b"")
    assert first._names is Response(200, "OK", [("X-Lone", "2")], b"")._names


def test_an_event_made_by_hand_keeps_working_without_data() -> None:
    event = Event.from_body(b"not json", name="meeting.started")
    assert event.without_data().data is None
    kept = Event.from_body(b'{"event": "meeting.started", "payload": {}}').without_data()
    assert kept.data == {"event": "meeting.started", "payload": {}}
    assert kept.without_data() is kept


# -- the control API ------------------------------------------------------------------------


def _client(zoom: Zoom) -> Client:
    return Client(MockServerApp(ServerState(zoom)))


def _get(client: Client, path: str) -> Any:
    answer = client.get(path)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return json.loads(answer.get_data())


def test_the_control_api_pages_by_number_after_deliveries_were_forgotten() -> None:
    zoom = _zoom(3)
    client = _client(zoom)
    for _ in range(5):
        zoom.send("meeting.started")  # 6 made: #4-#6 kept
    listed = _get(client, "/_hookmock/deliveries")
    assert (listed["total"], listed["forgotten"]) == (6, 3)
    assert [d["index"] for d in listed["deliveries"]] == [4, 5, 6]
    pages = {
        "since=0&limit=1": [4],
        "since=4&limit=1": [5],
        "since=5": [6],
        "since=6": [],
        "since=600": [],
        "since=2&limit=2": [4, 5],
        "event=meeting.started&since=4": [5, 6],
        "event=endpoint.url_validation": [],
    }
    for query, indexes in pages.items():
        got = _get(client, f"/_hookmock/deliveries?{query}")["deliveries"]
        assert [d["index"] for d in got] == indexes, query
    # Each record is the one with that number.
    assert _get(client, "/_hookmock/deliveries?since=4&limit=1")["deliveries"][0]["chain"] == (
        zoom.deliveries[1].chain
    )
    state = _get(client, "/_hookmock/state")
    assert state["deliveries"] == 6 and state["deliveries_kept"] == 3
    assert state["deliveries_forgotten"] == 3 and state["max_deliveries"] == 3


def test_trigger_and_advance_number_what_they_made_past_the_cap() -> None:
    zoom = _zoom(2)
    client = _client(zoom)
    zoom.fail_next("timeout", times=2)
    answer = client.post("/_hookmock/trigger", json={"event": "meeting.started"})
    assert answer.status_code == 200
    (made,) = json.loads(answer.get_data())["deliveries"]
    assert made["index"] == 2 and made["outcome"] == "timeout"
    answer = client.post("/_hookmock/run-until-idle", json={})
    assert answer.status_code == 200
    retried = json.loads(answer.get_data())["deliveries"]
    assert [(d["index"], d["attempt"]) for d in retried] == [(3, 2), (4, 3)]
    assert [d["index"] for d in _get(client, "/_hookmock/deliveries")["deliveries"]] == [3, 4]


def test_serve_keeps_ten_thousand_deliveries_unless_told() -> None:
    parser = argparse.ArgumentParser()
    add_serve_parser(parser.add_subparsers(dest="command"))
    assert parser.parse_args(["serve"]).max_deliveries == DEFAULT_MAX_DELIVERIES == 10_000
    assert parser.parse_args(["serve", "--max-deliveries", "50"]).max_deliveries == 50


@pytest.mark.parametrize("bad", ["0", "-3", "many"])
def test_serve_refuses_a_bad_max_deliveries(bad: str, capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser()
    add_serve_parser(parser.add_subparsers(dest="command"))
    with pytest.raises(SystemExit):
        parser.parse_args(["serve", "--max-deliveries", bad])
    assert f"expected a whole number of deliveries, at least 1, got {bad!r}" in (
        capsys.readouterr().err
    )
