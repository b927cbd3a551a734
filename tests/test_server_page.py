"""The mock server's page at ``/``, rendered by a real headless browser (Debian's chromium, driven
by its command line): the subscriptions, the retry schedule and the delivery log appear as the
page's script polls the control API."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from hookmock import Zoom
from hookmock.server import MockZoomServer
from tests.receivers import zoom_receiver
from tests.server_helpers import Api

SECRET = "page-secret-token-1234"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None and os.environ.get("HOOKMOCK_REQUIRE_CHROMIUM"):
    raise RuntimeError(
        "chromium is required here (HOOKMOCK_REQUIRE_CHROMIUM is set) but not installed: "
        "apt-get install -y chromium"
    )
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="the page is tested in Debian's headless chromium, which is not installed: "
    "apt-get install -y chromium (.ci/run installs it)",
)


@pytest.fixture
def server() -> Iterator[MockZoomServer]:
    zoom = Zoom(secret_token=SECRET, seed=11)
    with MockZoomServer(zoom) as served:
        zoom.subscribe(zoom_receiver(SECRET), path="/zoom/webhook", name="flask app")
        api = Api(served.url)
        api.post("/_hookmock/faults", {"kind": "timeout"})
        api.post("/_hookmock/trigger", {"event": "meeting.started"})
        api.post(
            "/_hookmock/trigger",
            {"event": "recording.completed", "overrides": {"payload.object.topic": "Q3 review"}},
        )
        yield served


def _chromium(url: str, profile: Path, *command: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None and url.startswith("http://127.0.0.1:")
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--no-first-run",
            "--no-default-browser-check",
            # Loopback only: no proxy, and every other host name fails to resolve.
            "--no-proxy-server",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            f"--user-data-dir={profile}",
            "--window-size=1280,1600",
            # Virtual time lets the page's timers (the one-second polling) run at once.
            "--virtual-time-budget=4000",
            *command,
            url,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _text(markup: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


@needs_chromium
def test_the_page_shows_the_deliveries_as_they_happen(
    server: MockZoomServer, tmp_path: Path
) -> None:
    rendered = _chromium(server.url + "/", tmp_path / "profile", "--dump-dom")
    assert rendered.returncode == 0, rendered.stderr[-2000:]
    dom = rendered.stdout
    deliveries = re.findall(
        r'<details class="delivery (ok|fail)" id="delivery-(\d+)" data-event="([^"]+)" '
        r'data-outcome="([^"]+)"[^>]*>\s*<summary>(.*?)</summary>',
        dom,
        re.S,
    )
    found = [(verdict, int(i), event, outcome) for verdict, i, event, outcome, _ in deliveries]
    # Newest first.
    assert found == [
        ("ok", 3, "recording.completed", "acknowledged"),
        ("fail", 2, "meeting.started", "timeout"),
        ("ok", 1, "endpoint.url_validation", "acknowledged"),
    ]
    summaries = [_text(summary) for *_, summary in deliveries]
    assert summaries[0].startswith("#3 recording.completed → https://receiver.test/zoom/webhook")
    assert "· 204 acknowledged ·" in summaries[0] and "next: done: acknowledged" in summaries[0]
    assert "no response timeout" in summaries[1] and "next: retry 1 at +5 min" in summaries[1]
    assert "attempt 1" in summaries[1]
    page = _text(dom)
    assert "Deliveries (3)" in page
    assert "flask app https://receiver.test/zoom/webhook every event active" in page
    assert "(in 5.0 min): retry 1 of 'meeting.started' to flask app" in page
    assert "Request: POST https://receiver.test/zoom/webhook" in page
    assert "x-zm-signature: v0=" in page and "(masked)" in page
    assert '"topic": "Q3 review"' in page  # the body, pretty-printed
    assert "Response: 204 NO CONTENT" in page
    assert SECRET not in dom


@needs_chromium
def test_a_screenshot_of_the_page_is_kept(server: MockZoomServer, tmp_path: Path) -> None:
    path = tmp_path / "hookmock-page.png"
    shot = _chromium(server.url + "/", tmp_path / "profile", f"--screenshot={path}")
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    print(f"screenshot of the mock server's page: {path}")


def test_the_page_is_served_with_a_strict_policy(server: MockZoomServer) -> None:
    reply = Api(server.url).get("/")
    assert reply.status == 200 and reply.headers["Content-Type"] == "text/html; charset=utf-8"
    assert reply.headers["Content-Security-Policy"].startswith("default-src 'self'")
    text = reply.body.decode()
    # Values from the log are inserted as text, never parsed as markup.
    assert "innerHTML" not in text and "textContent" in text
