"""Failure messages read like bug reports: summary, expectation, every delivery, a hint."""

from __future__ import annotations

from typing import Any

import pytest

from hookmock import Outcome, Zoom

from .receivers import zoom_receiver

SECRET = "assert-secret"


def _app(status: str) -> Any:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response(status, [("Content-Type", "text/plain")])
        return [b"nope"]

    return app


def _subscribed(status: str = "204 No Content") -> Zoom:
    zoom = Zoom(secret_token=SECRET, seed=11)
    good = zoom_receiver(SECRET)

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        if b"url_validation" in environ["wsgi.input"].getvalue():
            return good(environ, start_response)
        return _app(status)(environ, start_response)

    zoom.subscribe(app, path="/zoom")
    zoom.clear()
    return zoom


def test_assert_acknowledged_message() -> None:
    zoom = _subscribed("401 Unauthorized")
    delivery = zoom.send("meeting.started")
    with pytest.raises(AssertionError) as info:
        delivery.assert_acknowledged()
    lines = str(info.value).splitlines()
    assert lines[0] == (
        "expected 'meeting.started' to be acknowledged (2xx within 3 s); got status 401 after "
        f"{delivery.elapsed:.3f} s"
    )
    assert lines[1] == "expected: a 2xx answer within 3 s"
    assert lines[2] == "deliveries:"
    assert lines[3].startswith("  'meeting.started' → https://receiver.test/zoom (in-process ")
    assert lines[3].endswith(f"401 Unauthorized in {delivery.elapsed * 1000:.1f} ms, rejected")
    assert "    request: POST https://receiver.test/zoom" in lines
    assert "      body: nope" in lines
    assert lines[-1].startswith(
        "hint: the receiver answered 401 to a correctly signed body: does it verify a "
        "re-serialized body"
    )
    assert SECRET not in str(info.value)


def test_assert_rejected_message() -> None:
    zoom = _subscribed("200 OK")
    delivery = zoom.send("meeting.started", headers={"x-zm-signature": "v0=00"})
    with pytest.raises(AssertionError) as info:
        delivery.assert_rejected(401)
    lines = str(info.value).splitlines()
    assert lines[0] == "expected 'meeting.started' to be rejected with status 401; got status 200"
    assert lines[1] == "expected: status 401 within 3 s"
    assert lines[-1].startswith("hint: the receiver accepted a request it should have refused")
    with pytest.raises(AssertionError, match="rejected with a 4xx status; got status 200"):
        delivery.assert_rejected()


def test_assert_rejected_passes() -> None:
    zoom = _subscribed("403 Forbidden")
    delivery = zoom.send("meeting.started")
    delivery.assert_rejected()
    delivery.assert_rejected([401, 403])
    with pytest.raises(AssertionError):
        delivery.assert_rejected(401)


def test_assert_delivered_lists_every_delivery_and_why() -> None:
    zoom = _subscribed("500 Internal Server Error")
    zoom.send("meeting.started")
    zoom.send("meeting.ended")
    with pytest.raises(AssertionError) as info:
        zoom.assert_delivered("meeting.started")
    lines = str(info.value).splitlines()
    assert lines[0] == "expected 1 acknowledged delivery of 'meeting.started'; got 0 of 1"
    assert lines[1] == "expected: 1 delivery of 'meeting.started' that ended acknowledged"
    target = "https://receiver.test/zoom (in-process WSGI: function 'app')"
    assert lines[3].startswith(f"  #1 'meeting.started' → {target}: 500 Internal")
    assert lines[3].endswith("ms, server error [ended server error]")
    assert lines[4].startswith(f"  #2 'meeting.ended' → {target}: 500 Internal")
    assert lines[4].endswith(" [another event ('meeting.ended')]")
    # The one that did not match is then described in full, the other event is not.
    assert lines[5] == "in full:"
    assert lines[6].startswith("  #1 'meeting.started' → https://receiver.test/zoom (in-process ")
    assert not [line for line in lines[7:] if "'meeting.ended'" in line]
    zoom.assert_delivered("meeting.started", outcome=Outcome.SERVER_ERROR)
    zoom.assert_delivered("meeting.ended", count=1, outcome=None)


def test_assert_delivered_with_no_deliveries() -> None:
    zoom = _subscribed()
    with pytest.raises(AssertionError) as info:
        zoom.assert_delivered("meeting.started", count=2)
    assert str(info.value).splitlines() == [
        "expected 2 acknowledged deliveries of 'meeting.started'; got 0 of 0",
        "expected: 2 deliveries of 'meeting.started' that ended acknowledged",
        "deliveries:",
        "  none",
    ]


def test_assert_all_acknowledged() -> None:
    zoom = Zoom(secret_token=SECRET, seed=11)
    zoom.subscribe(zoom_receiver(SECRET))
    zoom.send("meeting.started")
    zoom.assert_all_acknowledged()
    zoom.send("meeting.started", headers={"x-zm-signature": None})
    with pytest.raises(AssertionError, match="expected every delivery to be acknowledged; 1 of 3"):
        zoom.assert_all_acknowledged()


def test_application_traceback_is_shown() -> None:
    zoom = _subscribed()

    def broken(environ: dict[str, Any], start_response: Any) -> Any:
        raise RuntimeError("database is down")

    from hookmock.engine.simulator import Subscription
    from hookmock.transports import WSGITarget

    delivery = zoom.deliver(
        zoom.fake("meeting.started"), Subscription("b", "broken", WSGITarget(broken), None)
    )
    with pytest.raises(AssertionError) as info:
        delivery.assert_acknowledged()
    message = str(info.value)
    assert "got application error after" in message.splitlines()[0]
    assert "application traceback (library frames hidden; delivery.error has them all):" in message
    assert "RuntimeError: database is down" in message
    assert message.splitlines()[-1] == "hint: the application raised; its traceback is above"


def test_assertions_work_under_python_O_semantics() -> None:
    # The helpers raise AssertionError explicitly instead of using `assert` statements.
    import inspect

    from hookmock.engine import assertions

    source = inspect.getsource(assertions)
    assert "\n    assert " not in source and "raise AssertionError(" in source
