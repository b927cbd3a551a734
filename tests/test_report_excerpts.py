"""The delivery log as a person reads it: bounded body excerpts, the last deliveries, short
application tracebacks."""

from __future__ import annotations

from hookmock import Zoom
from hookmock.engine.report import describe_log, excerpt, trim_traceback
from tests.receivers import zoom_receiver

SECRET = "excerpt-secret"


def test_excerpt_is_bounded_in_characters_and_lines() -> None:
    assert excerpt(b"", 10) == "(empty)"
    assert excerpt(b'{"ok": true}\n', 50) == '{"ok": true}'
    assert excerpt(b"x" * 1000, 10) == "xxxxxxxxxx… (1000 bytes)"
    page = b"\n".join(b"line %d" % i for i in range(100))
    shown = excerpt(page, 10_000, max_lines=3)
    assert shown.splitlines() == [
        "line 0",
        "          line 1",
        f"          line 2… ({len(page)} bytes)",
    ]


def test_describe_log_shows_the_last_deliveries() -> None:
    zoom = Zoom(secret_token=SECRET, seed=5)
    zoom.subscribe(zoom_receiver(SECRET))
    for _ in range(3):
        zoom.send("meeting.started")
    text = describe_log(zoom.deliveries, last=2)
    assert text.splitlines()[0] == "2 earlier deliveries not shown (#1-#2)"
    assert "\n#3 'meeting.started' → " in text and "\n#4 'meeting.started' → " in text
    assert "#1 " not in text and "#2 " not in text
    assert describe_log(zoom.deliveries, last=3).splitlines()[0] == (
        "1 earlier delivery not shown (#1)"
    )
    assert not describe_log(zoom.deliveries, last=4).startswith("0 ")
    assert describe_log([]) == "none"


def test_trim_traceback_hides_library_frames() -> None:
    text = "\n".join(
        [
            "Traceback (most recent call last):",
            '  File "/venv/site-packages/flask/app.py", line 1, in wsgi_app',
            "    response = self.full_dispatch_request()",
            '  File "/venv/site-packages/flask/app.py", line 2, in full_dispatch_request',
            "    rv = self.dispatch_request()",
            '  File "/project/receiver/views.py", line 30, in webhook',
            "    store(event)",
            '  File "/venv/site-packages/sqlalchemy/orm.py", line 9, in add',
            "    raise RuntimeError('database is down')",
            "RuntimeError: database is down",
        ]
    )
    assert trim_traceback(text, hidden_roots=["/venv/"]).splitlines() == [
        "Traceback (most recent call last):",
        "  (2 frames of libraries hidden)",
        '  File "/project/receiver/views.py", line 30, in webhook',
        "    store(event)",
        "  (1 frame of libraries hidden)",
        "RuntimeError: database is down",
    ]
