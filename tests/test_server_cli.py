"""``hookmock serve`` (in-process and as a process stopped by a signal) and the pytest wiring of
the mock server (one per session, started on first use, state cleared when a test starts)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from hookmock import Zoom
from hookmock.cli import main
from hookmock.server.cli import serve_command
from tests.receivers import serving, zoom_receiver
from tests.server_helpers import Api, FirstLine

SECRET = "serve-secret-token"


def _server_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("hookmock-server-")]


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["serve"], "no secret token: pass --secret-token TOKEN or set ZOOM_WEBHOOK_SECRET_TOKEN"),
        (["serve", "--secret-token", "t", "--port", "70000"], "port must be from 0 to 65535"),
        (
            ["serve", "--secret-token", "t", "--seed", "-1"],
            "argument --seed: expected a whole number from 0 to 9223372036854775807, got '-1'",
        ),
        (["serve", "--secret-token", "t", "--seed", str(2**63)], "argument --seed: "),
        (["serve", "--secret-token", "t", "--log", "/nonexistent/dir/log.jsonl"], "cannot write"),
        (
            ["serve", "--secret-token", "t", "--deadline", "inf"],
            "argument --deadline: expected a number of seconds above 0 and at most 3600, got 'inf'",
        ),
        (["serve", "--secret-token", "t", "--deadline", "nan"], "argument --deadline: "),
        (["serve", "--secret-token", "t", "--deadline", "-1"], "argument --deadline: "),
        (["serve", "--secret-token", "t", "--deadline", "0"], "argument --deadline: "),
        (["serve", "--secret-token", "t", "--deadline", "1e20"], "argument --deadline: "),
        (["serve", "--secret-token", "t", "--deadline", "soon"], "got 'soon'"),
        (["serve", "--secret-token", "t", "--read-timeout", "Infinity"], "--read-timeout: "),
        (["serve", "--secret-token", "t", "--port", "1e3"], "argument --port: invalid int"),
        (["serve", "--secret-token", "t", "--seed", "inf"], "argument --seed: "),
        (["serve", "--secret-token", "t", "--allow-host", "a b"], "not a host name"),
    ],
)
def test_serve_usage_errors(
    argv: list[str], says: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("ZOOM_WEBHOOK_SECRET_TOKEN", raising=False)
    before = _server_threads()
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err
    assert _server_threads() == before


def test_serve_in_process_prints_the_url_first_and_stops_cleanly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ZOOM_CLIENT_ID", "from-env")
    import argparse

    from hookmock.server.cli import add_serve_parser

    parser = argparse.ArgumentParser()
    add_serve_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["serve", "--secret-token", SECRET, "--seed", "5"])
    out, stop = FirstLine(), threading.Event()
    status: list[int] = []
    before = _server_threads()
    thread = threading.Thread(
        target=lambda: status.append(serve_command(args, out, provider=Zoom, stop=stop))
    )
    thread.start()
    try:
        assert out.ready.wait(60)
        url = out.getvalue().splitlines()[0]
        assert url.startswith("http://127.0.0.1:") and url.rsplit(":", 1)[1].isdigit()
        state = Api(url).get("/_hookmock/state").json()
        assert state["seed"] == 5 and state["oauth"]["client_id"] == "from-env"
        assert SECRET not in out.getvalue()
    finally:
        stop.set()
        thread.join(60)
    assert status == [0] and _server_threads() == before


def _start(tmp_path: Path, *extra: str) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "ZOOM_WEBHOOK_SECRET_TOKEN": SECRET, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "hookmock", "serve", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert process.stdout is not None
    url, banner = process.stdout.readline().strip(), process.stdout.readline()
    assert banner.startswith("hookmock serve: a mock Zoom"), banner
    return process, url


def test_serve_as_a_process_logs_every_attempt_and_exits_0_on_sigterm(tmp_path: Path) -> None:
    log = tmp_path / "deliveries.jsonl"
    process, url = _start(tmp_path, "--port", "0", "--log", str(log))
    try:
        assert url.startswith("http://127.0.0.1:"), url
        api = Api(url)
        with serving(zoom_receiver(SECRET)) as base:
            assert api.subscribe(base + "/zoom/webhook").status == 201
            sent = api.post("/_hookmock/trigger", {"event": "meeting.started"}).json()
        assert sent["deliveries"][0]["outcome"] == "acknowledged"
        # Written and flushed as it happened, while the process still runs.
        lines = [json.loads(line) for line in log.read_text().splitlines()]
        assert [r["event"] for r in lines] == ["endpoint.url_validation", "meeting.started"]
    finally:
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    assert SECRET not in stdout + stderr
    assert "Traceback" not in stderr
    # One line per delivery attempt on stderr, for the person watching.
    lines = [line for line in stderr.splitlines() if " attempt " in line]
    assert [re.sub(r"^\S+ | in [\d.]+ ms$", "", line) for line in lines] == [
        "endpoint.url_validation -> receiver attempt 1: acknowledged 200",
        "meeting.started -> receiver attempt 1: acknowledged 204",
    ]
    assert all(re.match(r"\d{4}-\d\d-\d\dT[\d:.]+Z ", line) for line in lines)


def test_serve_stops_on_ctrl_c_and_is_quiet_when_told(tmp_path: Path) -> None:
    process, url = _start(tmp_path, "--seed", "3", "--quiet")
    try:
        api = Api(url)
        assert api.get("/_hookmock/state").json()["seed"] == 3
        with serving(zoom_receiver(SECRET)) as base:
            assert api.subscribe(base + "/zoom/webhook").status == 201
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    assert process.returncode == 0 and "Traceback" not in stderr
    assert stderr == ""


def test_a_failed_delivery_is_one_line_with_its_next_step(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import argparse

    from hookmock.server.cli import add_serve_parser

    parser = argparse.ArgumentParser()
    add_serve_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["serve", "--secret-token", SECRET])
    out, stop = FirstLine(), threading.Event()
    thread = threading.Thread(target=lambda: serve_command(args, out, provider=Zoom, stop=stop))
    thread.start()
    try:
        assert out.ready.wait(60)
        api = Api(out.getvalue().splitlines()[0])
        with serving(zoom_receiver(SECRET)) as base:
            assert (
                api.subscribe(base + "/zoom/webhook", event_subscription_name="app").status == 201
            )
            api.post("/_hookmock/faults", {"kind": "refused"})
            api.post("/_hookmock/trigger", {"event": "meeting.started"})
    finally:
        stop.set()
        thread.join(60)
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2
    assert re.fullmatch(
        r"\S+Z meeting\.started -> app attempt 1: connection error - in [\d.]+ ms "
        r"\(retry 1 at \+5 min\)",
        lines[1],
    ), lines[1]


def test_building_the_parser_does_not_import_the_server() -> None:
    code = (
        "import sys\n"
        "from hookmock.cli import _parser\n"
        "_parser()\n"
        "print(sorted(m for m in ('werkzeug', 'hookmock.server', 'jsonschema') "
        "if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd="/"
    )
    assert result.stdout.strip() == "[]"


def test_serve_takes_the_options_of_each_providers_own_endpoints(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["serve", "--help"]) == 0
    shown = " ".join(capsys.readouterr().out.split())
    assert "Zoom's own endpoints (--provider zoom): --client-id CLIENT_ID the OAuth client id " in (
        shown
    )
    assert "(default: $ZOOM_CLIENT_ID, else the simulated Zoom's client_id, else hookmock-" in (
        shown
    )


def test_serve_is_in_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--help"]) == 0
    text = capsys.readouterr().out
    for option in (
        "--host",
        "--port",
        "--secret-token",
        "--seed",
        "--log",
        "--client-id",
        "--quiet",
        "--control-token",
        "--allow-host",
        "--read-timeout",
    ):
        assert option in text


PLUGIN_TESTS = """
import threading

from hookmock.server import MockServer

seen = {}


def server_threads():
    return {t for t in threading.enumerate() if t.name.startswith("hookmock-server-")}


# The servers of the session running this one (and its other tests), if any.
outer = server_threads()


def test_a_test_without_the_server_starts_none(zoom):
    zoom.fake("meeting.started")
    assert server_threads() == outer


def test_zoom_server_url_starts_it_on_first_use(zoom, api):
    url = zoom.server_url
    assert url.startswith("http://127.0.0.1:") and len(server_threads() - outer) == 1
    seen["url"] = url
    seen["token"] = api(url).token()
    seen["zoom"] = zoom


def test_the_next_test_shares_it_with_fresh_state(zoom, hookmock_server, api):
    assert isinstance(hookmock_server, MockServer)
    assert hookmock_server.url == zoom.server_url == seen["url"]
    assert len(server_threads() - outer) == 1
    reply = api(hookmock_server.url).get(
        "/v2/marketplace/app/event_subscription",
        headers={"Authorization": "Bearer " + seen["token"]},
    )
    assert reply.status == 401 and "did not issue it" in reply.message
    assert seen["zoom"].server is None and zoom.server is hookmock_server
"""

PLUGIN_CONFTEST = """
import pytest

from tests.server_helpers import Api, FirstLine


@pytest.fixture
def api():
    return Api
"""


def test_the_plugin_serves_one_server_per_session_started_on_first_use(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(PLUGIN_CONFTEST)
    pytester.makepyfile(test_server_plugin=PLUGIN_TESTS)
    pytester.syspathinsert(str(Path(__file__).resolve().parent.parent))
    before = _server_threads()
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)
    assert _server_threads() == before


def test_a_failing_test_reports_the_deliveries_made_through_the_server(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        from tests.receivers import zoom_receiver
        from tests.server_helpers import Api, FirstLine

        def test_fails(zoom):
            zoom.subscribe(zoom_receiver(zoom.secret_token), path="/hook")
            reply = Api(zoom.server_url).post("/_hookmock/trigger", {"event": "meeting.started"})
            assert reply.status == 200
            assert False, "the receiver did not store it"
        """
    )
    pytester.syspathinsert(str(Path(__file__).resolve().parent.parent))
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*hookmock: zoom deliveries*",
            "#1 'endpoint.url_validation'*acknowledged",
            "#2 'meeting.started'*204*acknowledged",
        ]
    )


def test_the_readme_example_runs(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = Path(__file__).resolve().parent.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    (example,) = [b for b in blocks if "def test_recording_files_can_be_downloaded" in b]
    monkeypatch.delenv("ZOOM_WEBHOOK_SECRET_TOKEN", raising=False)
    for proxy in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        monkeypatch.delenv(proxy, raising=False)
    pytester.syspathinsert(root)
    pytester.makepyfile(test_example=example)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


STALLED_CLIENTS = """
import socket


def test_leaves_clients_waiting(zoom):
    port = int(zoom.server_url.rsplit(":", 1)[1])
    opened = []
    for kind in range(60):
        client = socket.create_connection(("127.0.0.1", port))
        if kind % 3 == 1:
            client.sendall(b"POST /_hookmock/trigger HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nConte")
        elif kind % 3 == 2:
            client.sendall(
                b"POST /_hookmock/trigger HTTP/1.1\\r\\nHost: 127.0.0.1:%d\\r\\n"
                b"Content-Type: application/json\\r\\nContent-Length: 900\\r\\n\\r\\n{" % port
            )
        opened.append(client)
    # Kept open past the end of the session: its teardown must not wait for them.
    socket.__dict__.setdefault("kept", []).extend(opened)
"""


def test_the_session_ends_although_clients_keep_connections_open(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_stalled=STALLED_CLIENTS)
    # A hang guard only: a teardown that waited for the clients would never end. (The plugins
    # that import much at start-up are left out: the inner session needs none of them.)
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-p", "no:schemathesis", "-p", "no:faker", timeout=300
    )
    result.assert_outcomes(passed=1)
