"""`make demo`: hookmock's main job against the bundled example receiver.

1. runs the example receiver's test suite, written with hookmock's ``zoom`` fixture;
2. serves the receiver on 127.0.0.1 (a port the OS picks), subscribes it the way Zoom does
   (signed URL validation) and triggers a few events at it with the ``hookmock`` command,
   printing what happened;
3. grades it with ``hookmock check`` (the conformance battery), then grades a deliberately
   faulty receiver (``examples/faulty_receiver``) the same way and shows what the report says.
"""

from __future__ import annotations

import io
import logging
import os
import secrets
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from examples.faulty_receiver.app import create_app as create_faulty_app  # noqa: E402
from examples.flask_receiver.app import create_app  # noqa: E402
from hookmock import Zoom  # noqa: E402


def banner(text: str, what: str = "") -> None:
    print(f"\n== {text} ==", flush=True)
    if what:
        print(what, flush=True)


def hookmock(*args: str, secret: str) -> int:
    command = [sys.executable, "-m", "hookmock", *args]
    print("$ hookmock " + " ".join(args), flush=True)
    env = {**os.environ, "ZOOM_WEBHOOK_SECRET_TOKEN": secret}
    return subprocess.run(command, env=env, check=False).returncode


def main() -> int:
    if isinstance(sys.stdout, io.TextIOWrapper):
        # Each line as it happens, in order with the commands' own output, even through a pipe.
        sys.stdout.reconfigure(line_buffering=True)
    banner(
        "1. the example receiver's test suite (pytest + the zoom fixture)",
        "pytest runs examples/flask_receiver/test_app.py: each test subscribes the Flask app "
        "in-process, sends it signed events and asserts how it answered.",
    )
    suite = subprocess.run(
        [sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider", "examples/flask_receiver"],
        cwd=ROOT,
        check=False,
    )
    if suite.returncode != 0:
        return suite.returncode

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no per-request access log
    secret = secrets.token_urlsafe(16)
    failures = 0
    with serving(create_app(secret_token=secret)) as url:
        banner(
            f"2. the receiver served at {url}",
            "Subscribing it as Zoom does (the signed URL validation challenge), then sending it "
            "events with `hookmock trigger`; the last one is signed with a wrong secret, so the "
            "receiver must refuse it.",
        )
        zoom = Zoom(secret_token=secret)
        subscription = zoom.subscribe(url)
        validation = zoom.deliveries.last
        print(
            f"URL validation: {validation.status} in {validation.elapsed * 1000:.1f} ms, "
            f"subscribed as {subscription.name!r}"
        )
        expectations = [
            (["trigger", "meeting.started", "--url", url], 0, secret),
            (
                [
                    "trigger",
                    "recording.completed",
                    "--url",
                    url,
                    "--set",
                    "payload.object.topic=Launch review \U0001f680 – Q3",
                ],
                0,
                secret,
            ),
            (["trigger", "user.signed_in", "--url", url], 0, secret),
            # Signed with another secret: a correct receiver refuses it (exit 1 is expected).
            (["trigger", "meeting.started", "--url", url], 1, "not-the-apps-secret"),
        ]
        for args, expected, token in expectations:
            failures += not expect(hookmock(*args, secret=token), expected)

        banner(
            "3. grading it: hookmock check (the conformance battery)",
            "Sending it what Zoom sends and what an attacker sends (forged, replayed, malformed, "
            "concurrent deliveries), one check at a time: a correct receiver passes them all.",
        )
        failures += not expect(hookmock("check", url, secret=secret), 0)

    faulty = create_faulty_app(secret_token=secret)
    faulty.logger.disabled = True  # its crashes are the point; the report shows them
    with serving(faulty) as url:
        banner(
            "4. grading a faulty receiver (examples/faulty_receiver): exit 1 expected",
            "The same battery against a receiver with the mistakes most often seen in the "
            "field; each failed check says what was sent, what came back and the likely cause.",
        )
        failures += not expect(hookmock("check", url, secret=secret), 1)
    banner("done" if not failures else f"{failures} unexpected result(s)")
    return 1 if failures else 0


def expect(code: int, expected: int) -> bool:
    verdict = "as expected" if code == expected else f"UNEXPECTED (wanted exit {expected})"
    print(f"  exit {code}: {verdict}")
    return code == expected


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """Serve *app* on 127.0.0.1, on a port the OS picks; yield its webhook URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}/zoom/webhook"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


if __name__ == "__main__":
    sys.exit(main())
