"""The mock server's page at ``/``, rendered by a real headless browser (Debian's chromium, driven
by its command line): the subscriptions, the retry schedule, each delivery chain on a time axis
and the delivery log appear as the page's script polls the control API; filters come from the
page's address.

Provider time is frozen (an injected clock that only ``advance`` moves), so what the page
computes from it is exact whatever the machine's load.
"""

from __future__ import annotations

import datetime
import html
import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hookmock import Zoom
from hookmock.server import MockServer
from hookmock.server.page import CONTENT_SECURITY_POLICY
from tests.receivers import zoom_receiver
from tests.server_helpers import Api

SECRET = "page-secret-token-1234"


def _frozen_zoom() -> Zoom:
    # Read once: the receiver checks signing timestamps against its own clock, so provider time
    # starts at the real time and then stands still.
    start = time.time()
    return Zoom(secret_token=SECRET, seed=11, clock=lambda: start)


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
def server() -> Iterator[MockServer]:
    zoom = _frozen_zoom()
    with MockServer(zoom) as served:
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
def test_the_page_shows_the_deliveries_as_they_happen(server: MockServer, tmp_path: Path) -> None:
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
def test_a_screenshot_of_the_page_is_kept(server: MockServer, tmp_path: Path) -> None:
    path = tmp_path / "hookmock-page.png"
    shot = _chromium(server.url + "/", tmp_path / "profile", f"--screenshot={path}")
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    print(f"screenshot of the mock server's page: {path}")


def test_the_page_is_served_with_a_strict_policy(server: MockServer) -> None:
    api = Api(server.url)
    reply = api.get("/")
    assert reply.status == 200 and reply.headers["Content-Type"] == "text/html; charset=utf-8"
    policy = reply.headers["Content-Security-Policy"]
    assert policy == CONTENT_SECURITY_POLICY
    assert policy.startswith("default-src 'none'; script-src 'self'; style-src 'self'")
    assert "unsafe" not in policy
    page = reply.body.decode()
    # Nothing inline: scripts and styles come from the server's own files.
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/assets/page.js" defer>']
    assert "<style" not in page and " style=" not in page
    assert not re.search(r"\son[a-z]+=", page)  # no inline event handler
    script, style = api.get("/assets/page.js"), api.get("/assets/page.css")
    assert script.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert style.headers["Content-Type"] == "text/css; charset=utf-8"
    # Values from the log are inserted as text, never parsed as markup.
    text = script.body.decode()
    assert "innerHTML" not in text and "textContent" in text
    for answer in (reply, script, style, api.get("/assets/nothing.js")):
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
    missing = api.get("/assets/nothing.js")
    assert missing.status == 404 and "page.css, page.js" in missing.message


@pytest.fixture
def chains() -> Iterator[MockServer]:
    """Two subscriptions; a delivery that timed out twice with its second retry due; an event
    acknowledged by both; provider time frozen except for one advance of 5 minutes."""
    zoom = _frozen_zoom()
    with MockServer(zoom) as served:
        flask_app = zoom.subscribe(zoom_receiver(SECRET), path="/zoom/webhook", name="flask app")
        zoom.subscribe(
            zoom_receiver(SECRET), path="/hook", name="worker", events=["recording.completed"]
        )
        zoom.fail_next("timeout", times=2, to=flask_app)
        zoom.send("meeting.started")
        zoom.advance(minutes=5)
        zoom.send_all(zoom.fake("recording.completed"))
        yield served


def _attributes(markup: str) -> dict[str, str]:
    return dict(re.findall(r'([\w-]+)="([^"]*)"', markup))


def _rows(dom: str) -> list[tuple[dict[str, str], list[dict[str, str]]]]:
    """The time axis: each row's attributes, and its markers' (attempts and due jobs)."""
    found = []
    for row in re.split(r'(?=<div class="chain" )', dom)[1:]:
        head = row[: row.index(">")]
        found.append(
            (_attributes(head), [_attributes(m) for m in re.findall(r"<circle ([^>]*)>", row)])
        )
    return found


def _visible_deliveries(dom: str) -> list[int]:
    return [
        int(index)
        for index, rest in re.findall(
            r'<details class="delivery \w+" id="delivery-(\d+)"([^>]*)>', dom
        )
        if "hidden" not in rest
    ]


@needs_chromium
def test_each_delivery_chain_is_drawn_on_a_time_axis(chains: MockServer, tmp_path: Path) -> None:
    rendered = _chromium(chains.url + "/", tmp_path / "profile", "--dump-dom")
    assert rendered.returncode == 0, rendered.stderr[-2000:]
    rows = _rows(rendered.stdout)
    described = [(r["data-event"], r["data-subscription"], r["data-state"]) for r, _ in rows]
    assert described == [
        ("endpoint.url_validation", "flask app", "acknowledged"),
        ("endpoint.url_validation", "worker", "acknowledged"),
        ("meeting.started", "flask app", "retry due"),
        ("recording.completed", "flask app", "acknowledged"),
        ("recording.completed", "worker", "acknowledged"),
    ]
    markers = {(r["data-event"], r["data-subscription"]): m for r, m in rows}
    # The chain that failed: two attempts 5 minutes apart, the second retry due 20 minutes on.
    failed = markers[("meeting.started", "flask app")]
    assert [(m["class"], m.get("data-attempt"), m["data-at"]) for m in failed] == [
        ("due retry", None, "1500"),
        ("attempt fail", "1", "0"),
        ("attempt fail", "2", "300"),
    ]
    assert [m.get("data-outcome") for m in failed[1:]] == ["timeout", "timeout"]
    due, first, second = (float(m["cx"]) for m in failed)
    assert first < second < due  # later on the axis
    # Each subscription's URL validation, and its re-validation due 72 hours later.
    validations = markers[("endpoint.url_validation", "worker")]
    assert [(m["class"], m["data-at"]) for m in validations] == [
        ("due revalidation", "259200"),
        ("attempt ok", "0"),
    ]
    assert [m["class"] for m in markers[("recording.completed", "worker")]] == ["attempt ok"]
    assert SECRET not in rendered.stdout


@needs_chromium
@pytest.mark.parametrize(
    ("query", "deliveries", "rows", "shown"),
    [
        ("", [6, 5, 4, 3, 2, 1], 5, ""),
        ("?outcome=timeout", [4, 3], 1, "2 of 6 shown"),
        ("?event=recording.completed&subscription=worker", [6], 1, "1 of 6 shown"),
        ("?subscription=worker", [6, 2], 2, "2 of 6 shown"),
        ("?outcome=rejected", [], 0, "0 of 6 shown"),
    ],
)
def test_deliveries_are_filtered_by_event_outcome_and_subscription(
    chains: MockServer, tmp_path: Path, query: str, deliveries: list[int], rows: int, shown: str
) -> None:
    rendered = _chromium(chains.url + "/" + query, tmp_path / "profile", "--dump-dom")
    assert rendered.returncode == 0, rendered.stderr[-2000:]
    dom = rendered.stdout
    assert _visible_deliveries(dom) == deliveries
    drawn = _rows(dom)
    assert len(drawn) == rows
    for row, _ in drawn:
        for name, value in re.findall(r"[?&](\w+)=([^&]+)", query):
            if name != "outcome":
                assert row[f"data-{name}"] == value.replace("%20", " ")
    assert re.search(r'<span id="shown" class="muted">([^<]*)</span>', dom).group(1) == shown
    # The filter's value is offered even before any delivery has it.
    for _, value in re.findall(r"[?&](\w+)=([^&]+)", query):
        assert f'<option value="{value}">{value}</option>' in dom


@needs_chromium
def test_the_page_sends_the_control_token_from_its_address(tmp_path: Path) -> None:
    zoom = _frozen_zoom()
    with MockServer(zoom, control_token="page-control-token") as served:
        zoom.subscribe(zoom_receiver(SECRET), path="/hook", name="app")
        without = _chromium(served.url + "/", tmp_path / "one", "--dump-dom").stdout
        assert "came with no control token" in without and "/#token=&lt;token&gt;" in without
        with_token = _chromium(
            served.url + "/#token=page-control-token", tmp_path / "two", "--dump-dom"
        ).stdout
        assert "Cannot read the server's state" not in with_token
        assert _visible_deliveries(with_token) == [1]


class _DevToolsError(Exception):
    pass


class _DevTools:
    """Chromium driven over its DevTools protocol on a pipe (``--remote-debugging-pipe``: it
    reads commands from its fd 3 and answers on fd 4, each a JSON text ended by a NUL), to click
    the page's buttons; no driver library needed."""

    def __init__(self, profile: Path) -> None:
        assert CHROMIUM is not None
        commands_in, commands_out = os.pipe()
        answers_in, answers_out = os.pipe()

        def child() -> None:
            os.dup2(commands_in, 3)
            os.dup2(answers_out, 4)

        self.process = subprocess.Popen(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--no-proxy-server",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                f"--user-data-dir={profile}",
                "--remote-debugging-pipe",
                "about:blank",
            ],
            preexec_fn=child,  # only dup2 between fork and exec
            pass_fds=(3, 4),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(commands_in)
        os.close(answers_out)
        self._commands = os.fdopen(commands_out, "wb", buffering=0)
        self._answers = os.fdopen(answers_in, "rb", buffering=0)
        self._pending = b""
        self._count = 0
        self.session = ""

    def send(self, method: str, **params: object) -> dict[str, object]:
        self._count += 1
        message: dict[str, object] = {"id": self._count, "method": method, "params": params}
        if self.session:
            message["sessionId"] = self.session
        self._commands.write(json.dumps(message).encode() + b"\0")
        while True:
            while b"\0" not in self._pending:
                chunk = self._answers.read(65536)
                assert chunk, "chromium closed its DevTools pipe"
                self._pending += chunk
            raw, self._pending = self._pending.split(b"\0", 1)
            answer = json.loads(raw)
            if answer.get("id") == self._count:
                if "error" in answer:
                    raise _DevToolsError(answer["error"])
                return dict(answer["result"])

    def open(self, url: str) -> None:
        target = self.send("Target.createTarget", url=url)["targetId"]
        self.session = str(
            self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        )
        loaded = f"document.readyState === 'complete' && location.href === {json.dumps(url)}"
        for _ in range(600):  # a minute: a hang guard only
            try:
                if self.run(loaded):
                    return
            except _DevToolsError:  # about:blank's context, gone while the page loads
                pass
            time.sleep(0.1)
        raise AssertionError(f"chromium never loaded {url}")

    def run(self, expression: str) -> object:
        answer = self.send(
            "Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True
        )
        assert "exceptionDetails" not in answer, answer["exceptionDetails"]
        result = answer["result"]
        assert isinstance(result, dict)
        return result.get("value")

    def until(self, expression: str) -> object:
        """The value of *expression* once it is truthy (polled by the page's own timers; a
        minute is a hang guard only)."""
        return self.run(
            "(async () => { for (let i = 0; i < 600; i++) { const value = (() => "
            + expression
            + ")(); if (value) return value; await new Promise((r) => setTimeout(r, 100)); }"
            " throw new Error('never true: ' + " + json.dumps(expression) + "); })()"
        )

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(60)
        self._commands.close()
        self._answers.close()


@needs_chromium
def test_the_pages_buttons_drive_the_server(tmp_path: Path) -> None:
    """A person's clicks: each button's POST passes the server's checks on origin and content
    type, and the page shows what it did."""
    zoom = _frozen_zoom()
    with MockServer(zoom) as served:
        zoom.subscribe(zoom_receiver(SECRET), path="/hook", name="app")
        zoom.fail_next("timeout")
        zoom.send("meeting.started")
        browser = _DevTools(tmp_path / "profile")
        try:
            browser.open(served.url + "/")
            browser.until("document.querySelectorAll('details.delivery').length === 2")
            browser.run("document.querySelector('[data-advance=\"300\"]').click()")
            said = browser.until("document.getElementById('message').textContent")
            assert said == "Provider time is " + _when(zoom.clock()) + "; 1 deliveries"
            browser.until("document.querySelectorAll('details.delivery').length === 3")
            assert [d.attempt for d in zoom.deliveries] == [1, 1, 2]
            browser.run("document.getElementById('event').value = 'meeting.ended'")
            browser.run("document.querySelector('#trigger-form button').click()")
            browser.until("document.getElementById('message').textContent.startsWith('Sent')")
            assert zoom.deliveries[-1].event.name == "meeting.ended"
            browser.run("document.getElementById('reset').click()")
            browser.until("document.getElementById('message').textContent === 'Reset'")
            assert browser.run("document.getElementById('message').className") == "ok"
            assert len(zoom.deliveries) == 0 and zoom.subscriptions == []
        finally:
            browser.close()


def _when(seconds: float) -> str:
    """Provider time as the page writes it."""
    moment = datetime.datetime.fromtimestamp(seconds, datetime.UTC)
    iso = moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return iso.replace("T", " ").replace("Z", " UTC")


SW_SECRET = "whsec_" + "cGFnZS1zZWNyZXQtZm9yLXN3LXBhZ2U="


@needs_chromium
def test_the_page_serves_another_provider_by_its_name(tmp_path: Path) -> None:
    from hookmock import StandardWebhooks
    from tests.standard_webhooks_receivers import PATH, flask_receiver

    sender = StandardWebhooks(secret=SW_SECRET, seed=5)
    with MockServer(sender) as served:
        sender.subscribe(flask_receiver(SW_SECRET), path=PATH, name="sw app")
        Api(served.url).post("/_hookmock/trigger", {"event": "invoice.paid"})
        rendered = _chromium(served.url + "/", tmp_path / "profile", "--dump-dom")
    assert rendered.returncode == 0, rendered.stderr[-2000:]
    dom = rendered.stdout
    found = re.findall(
        r'<details class="delivery (ok|fail)" id="delivery-(\d+)" data-event="([^"]+)"', dom
    )
    assert found == [("ok", "1", "invoice.paid")]
    page = _text(dom)
    assert "hookmock · mock standard-webhooks server" in page
    assert "· standard-webhooks · seed 5" in page and "OAuth" not in page
    assert "webhook-signature: v1," in page and "(masked)" in page
    assert SW_SECRET not in dom and SW_SECRET.removeprefix("whsec_") not in dom
