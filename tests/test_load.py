"""Load testing with Locust: ``hookmock load`` and :class:`hookmock.locust.ZoomUser`.

Locust monkey-patches the standard library when it is imported, so it never runs in this
process: ``hookmock load`` starts it in a process of its own, and the distributed run starts a
master and two workers. The receivers run here, in a werkzeug server thread on 127.0.0.1, and
count what they receive. The tests assert counts and outcomes, never times.
"""

from __future__ import annotations

import importlib.util
import io
import itertools
import json
import re
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Looked up, not imported: importing Locust would monkey-patch this process.
if importlib.util.find_spec("locust") is None:
    pytest.skip("hookmock load needs Locust (hookmock[load])", allow_module_level=True)

from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from hookmock.cli import main
from hookmock.load.command import format_summary
from hookmock.load.generator import (
    DEFAULT_EVENTS,
    Traffic,
    judge,
    outcome_of,
    parse_events,
    parse_scenarios,
)
from hookmock.providers.zoom import verify
from hookmock.providers.zoom.scenarios import SCENARIOS
from hookmock.records.outcome import Outcome

SECRET = "load-test-secret-token"
#: Deliveries hookmock record recorded from a local "Zoom" (the record/replay tests' example).
RECORDED = Path(__file__).resolve().parent.parent / "examples" / "recorded" / "deliveries.jsonl"
#: Each locust process may take this long at most (start-up included) on a loaded machine.
LIMIT = 60


class _Quiet(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class Receiver:
    """A Zoom receiver on 127.0.0.1 that verifies every signature and counts each event; it
    sleeps *slow* seconds before answering the events named in *slow_events*, and redirects the
    events named in *redirected*."""

    def __init__(
        self,
        *,
        slow: float = 0.0,
        slow_events: tuple[str, ...] = (),
        redirected: tuple[str, ...] = (),
    ) -> None:
        self.slow, self.slow_events, self.redirected = slow, slow_events, redirected
        self.events: Counter[str] = Counter()
        self.forged = self.elsewhere = 0
        self.request_ids: set[str] = set()
        self.bodies: set[bytes] = set()
        self.lock = threading.Lock()
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True, request_handler=_Quiet)
        self.url = f"http://127.0.0.1:{self.server.server_port}/zoom/webhook"

    @Request.application  # type: ignore[arg-type]
    def app(self, request: Request) -> Response:
        if request.path != "/zoom/webhook":
            with self.lock:
                self.elsewhere += 1
            return Response(status=204)
        body = request.get_data()
        timestamp = request.headers.get("x-zm-request-timestamp", "")
        signed = verify(SECRET, timestamp, body, request.headers.get("x-zm-signature", ""))
        name = json.loads(body)["event"]
        with self.lock:
            if not signed:
                self.forged += 1
            self.events[name] += 1
            self.request_ids.add(request.headers.get("x-zm-request-id", ""))
            self.bodies.add(body)
        if name in self.slow_events:
            time.sleep(self.slow)
        if name in self.redirected:
            return Response(status=302, headers={"location": "/moved"})
        return Response(status=204 if signed else 401)

    @property
    def total(self) -> int:
        with self.lock:
            return sum(self.events.values())


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    made = Receiver()
    thread = threading.Thread(target=made.server.serve_forever, daemon=True)
    thread.start()
    yield made
    made.server.shutdown()
    thread.join(5)


def _summary_counts(output: str) -> tuple[int, int]:
    """Deliveries and those acknowledged in time, as ``hookmock load`` printed them."""
    total = re.search(r"hookmock load: ([\d,]+) deliveries", output)
    acknowledged = re.search(r"acknowledged in time: ([\d,]+) of", output)
    assert total and acknowledged, output
    return int(total[1].replace(",", "")), int(acknowledged[1].replace(",", ""))


def _failures(output: str) -> dict[str, int]:
    """The failures ``hookmock load`` listed: name → count."""
    found: dict[str, int] = {}
    section = output.partition("failures by outcome:")[2].partition("response times:")[0]
    for line in section.splitlines()[1:]:
        name, _, count = line.strip().rpartition(" ")
        if name:
            found[name.strip()] = int(count.replace(",", ""))
    return found


def _run(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    monkeypatch.delenv("ZOOM_WEBHOOK_SECRET_TOKEN", raising=False)
    out = io.StringIO()
    code = main(["load", *argv], stdout=out)
    return code, out.getvalue()


# -- without Locust running: the traffic, the verdicts, the summary -------------------------------
# How each provider's receiver verifies what it was sent.


def _github_verified(headers: dict[str, str], body: bytes) -> bool:
    from hookmock.providers.github import signature

    return signature.verify(OTHER_SECRETS["github"], body, headers["x-hub-signature-256"])


def _stripe_verified(headers: dict[str, str], body: bytes) -> bool:
    from hookmock.providers.stripe import signature

    return signature.verify(OTHER_SECRETS["stripe"], body, headers["stripe-signature"])


def _slack_verified(headers: dict[str, str], body: bytes) -> bool:
    from hookmock.providers.slack import signature

    timestamp = headers["x-slack-request-timestamp"]
    now = time.time()
    return signature.within_tolerance(timestamp, now=now) and signature.verify(
        OTHER_SECRETS["slack"], timestamp, body, headers["x-slack-signature"]
    )


def _standard_verified(headers: dict[str, str], body: bytes) -> bool:
    from hookmock.providers.standard_webhooks import signature

    return signature.verify(
        OTHER_SECRETS["standard-webhooks"],
        headers["webhook-id"],
        headers["webhook-timestamp"],
        body,
        headers["webhook-signature"],
    )


OTHER_SECRETS = {
    "github": "load-test-github-secret",
    "stripe": "whsec_loadtest0123456789abcdefghijklm",
    "slack": "0123456789abcdef0123456789abcdef",
    "standard-webhooks": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
}
ANOTHER = {
    "github": "another-github-secret",
    "stripe": "whsec_another0123456789abcdefghijklmn",
    "slack": "fedcba9876543210fedcba9876543210",
    "standard-webhooks": "whsec_QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB",
}
VERIFIED = {
    "github": _github_verified,
    "stripe": _stripe_verified,
    "slack": _slack_verified,
    "standard-webhooks": _standard_verified,
}


@pytest.mark.parametrize("provider", sorted(VERIFIED))
def test_each_provider_signs_as_its_receivers_verify(provider: str) -> None:
    traffic = Traffic(secret=OTHER_SECRETS[provider], provider=provider, pool=0)
    from hookmock.providers import provider_class

    assert traffic.deadline == provider_class(provider).adapter_class.default_deadline
    other = Traffic(secret=ANOTHER[provider], provider=provider, pool=0)
    drawn = [traffic.draw() for _ in range(30)]
    assert {name for name, _ in drawn} <= set(traffic.weights)
    for name, body in drawn:
        headers, sent = traffic.request(name, body)
        assert VERIFIED[provider](headers, sent), (name, headers)
        assert "host" not in headers and "content-length" not in headers
        # Another secret does not verify: the check above could fail.
        assert not VERIFIED[provider](other.request(name, body)[0], sent)


def test_importing_hookmock_and_its_command_line_imports_neither_locust_nor_gevent() -> None:
    code = (
        "import sys, hookmock, hookmock.plugin, hookmock.cli, hookmock.load.command, "
        "hookmock.load.generator\n"
        "hookmock.cli._parser('load').format_help()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('locust', 'gevent')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=LIMIT
    )
    assert result.stdout.strip() == "[]"


def test_a_pytest_session_with_the_plugin_loads_neither_locust_nor_gevent(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import sys

        def test_nothing_patched(zoom):
            assert not [m for m in sys.modules if m.split(".")[0] in ("locust", "gevent")]
            import socket
            assert "gevent" not in socket.socket.__module__
        """
    )
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_the_verdicts_follow_zoom_and_name_the_outcome() -> None:
    assert judge(204, 0.1, 3.0) == (Outcome.ACKNOWLEDGED, None)
    assert judge(200, 3.5, 3.0) == (Outcome.LATE, "late")
    assert judge(500, 3.5, 3.0) == (Outcome.LATE, "late")
    assert judge(401, 0.1, 3.0) == (Outcome.REJECTED, "rejected: 401")
    assert judge(302, 0.1, 3.0) == (Outcome.REDIRECTED, "redirected: 302")
    assert judge(503, 0.1, 3.0) == (Outcome.SERVER_ERROR, "server error: 503")
    assert judge(0, 10.0, 3.0, TimeoutError()) == (Outcome.TIMEOUT, "timeout")
    assert judge(0, 0.0, 3.0, ConnectionRefusedError()) == (
        Outcome.CONNECTION_ERROR,
        "connection error",
    )
    assert outcome_of("rejected: 401") == Outcome.REJECTED.value
    assert outcome_of("late") == Outcome.LATE.value


def test_the_mix_draws_only_the_named_events_signed_now_with_new_request_ids() -> None:
    traffic = Traffic(secret=SECRET, events={"meeting.started": 3, "meeting.ended": 1}, pool=5)
    drawn = [traffic.draw() for _ in range(400)]
    names = Counter(name for name, _ in drawn)
    assert set(names) == {"meeting.started", "meeting.ended"}
    assert names["meeting.started"] > names["meeting.ended"]
    # The pool: at most five different bodies of each event.
    assert len({body for name, body in drawn if name == "meeting.ended"}) <= 5
    assert all(json.loads(body)["event"] == name for name, body in drawn)
    ids = set()
    for _, body in drawn[:50]:
        headers = traffic.headers(body)
        assert verify(SECRET, headers["x-zm-request-timestamp"], body, headers["x-zm-signature"])
        assert abs(int(headers["x-zm-request-timestamp"]) - time.time()) < 60
        assert re.fullmatch(
            r"[0-9a-f]{8}_[0-9a-f]{4}_4[0-9a-f]{3}_[89ab][0-9a-f]{3}_[0-9a-f]{12}",
            headers["x-zm-request-id"],
        )
        ids.add(headers["x-zm-request-id"])
    assert len(ids) == 50


def test_without_a_pool_every_body_is_new() -> None:
    traffic = Traffic(secret=SECRET, events={"meeting.started": 1}, pool=0)
    assert len({traffic.draw()[1] for _ in range(20)}) == 20


def test_the_default_mix_is_a_busy_accounts() -> None:
    traffic = Traffic(secret=SECRET)
    assert traffic.weights == DEFAULT_EVENTS
    assert max(DEFAULT_EVENTS, key=DEFAULT_EVENTS.__getitem__).startswith("meeting.participant_")


def test_a_scenario_is_played_in_zoom_order_and_has_already_happened() -> None:
    scenarios = parse_scenarios(["meeting:participants=2,recording=false"], SCENARIOS)
    traffic = Traffic(secret=SECRET, scenarios=scenarios, pool=0)
    played = traffic.play()
    names = [name for name, _ in played]
    assert names[0] == "meeting.created"
    assert names.index("meeting.started") < names.index("meeting.ended")
    assert names.count("meeting.participant_joined") == 2
    assert not any(name.startswith("recording.") for name in names)
    stamps = [json.loads(body)["event_ts"] for _, body in played]
    assert stamps == sorted(stamps)
    assert max(stamps) <= time.time() * 1000 + 1000


def test_unknown_events_and_scenarios_say_what_is_close() -> None:
    from hookmock.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match=r"did you mean 'meeting\.started'"):
        parse_events(["meeting.startd=2"], list(DEFAULT_EVENTS))
    with pytest.raises(ConfigurationError, match="weight must be a whole number"):
        parse_events(["meeting.started=many"], list(DEFAULT_EVENTS))
    with pytest.raises(ConfigurationError, match="did you mean 'meeting'"):
        parse_scenarios(["meetin"], SCENARIOS)


def test_the_summary_lists_failures_by_outcome_and_percentiles_against_the_deadline() -> None:
    summary: dict[str, Any] = {
        "requests": 1000,
        "failures": 30,
        "seconds": 10.0,
        "deadline": 3.0,
        "users": 10,
        "workers": 2,
        "percentiles": {"50": 12, "95": 90, "99": 3100},
        "max": 4200,
        "events": [
            {"name": "meeting.started", "requests": 600, "failures": 20},
            {"name": "meeting.ended", "requests": 400, "failures": 10},
            {"name": "Aggregated", "requests": 1000, "failures": 30},
        ],
        "errors": [
            {"name": "meeting.started", "error": "late", "occurrences": 18},
            {"name": "meeting.ended", "error": "late", "occurrences": 7},
            {"name": "meeting.started", "error": "rejected: 401", "occurrences": 2},
            {"name": "meeting.ended", "error": "server error: 503", "occurrences": 3},
        ],
    }
    text = format_summary(summary, url="http://127.0.0.1:1/zoom/webhook", users=10)
    assert "1,000 deliveries" in text and "on 2 workers" in text
    assert "acknowledged in time: 970 of 1,000 (97.0%)" in text
    assert _failures(text) == {"late": 25, "rejected: 401": 2, "server error: 503": 3}
    assert "p99 3,100 ms" in text and "deadline 3,000 ms (p99 past it)" in text
    assert "Aggregated" not in text


def test_a_recording_is_played_in_its_order_without_its_url_validation() -> None:
    from hookmock.load.generator import recorded_deliveries
    from hookmock.records.traffic import read_records

    events = [r for r in read_records(RECORDED) if r.event != "endpoint.url_validation"]
    played = Traffic(secret=SECRET, recorded=recorded_deliveries(str(RECORDED))).play()
    assert played == [(r.event, r.body) for r in events]
    assert len(played) >= 3


def test_a_file_without_zoom_events_is_refused(tmp_path: Path) -> None:
    from hookmock.errors import ConfigurationError
    from hookmock.load.generator import recorded_deliveries

    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="no recorded zoom event"):
        recorded_deliveries(str(empty))
    # The sample recording holds Zoom's deliveries only.
    with pytest.raises(ConfigurationError, match="no recorded github event"):
        recorded_deliveries(str(RECORDED), "github")


def _locust_argv(*words: str) -> list[str]:
    from hookmock.cli import _parser
    from hookmock.load.command import locust_argv

    return locust_argv(_parser("load").parse_args(["load", *words]))


def test_locust_gets_its_own_options_and_hookmocks_but_never_the_secret() -> None:
    local = _locust_argv(
        "http://127.0.0.1:1/hook",
        "--users",
        "5",
        "--run-time",
        "1m",
        "--secret-token",
        SECRET,
        "--events",
        "meeting.started=2",
        "--deadline",
        "20",
        "--csv",
        "out",
    )
    assert local[1:3] == ["-m", "locust"] and "--headless" in local
    pairs = dict(itertools.pairwise(local))
    assert pairs["--host"] == "http://127.0.0.1:1/hook" and pairs["--users"] == "5"
    assert pairs["--spawn-rate"] == "5" and pairs["--run-time"] == "1m"
    assert (
        pairs["--hookmock-events"] == "meeting.started=2" and pairs["--hookmock-deadline"] == "20"
    )
    assert pairs["--csv"] == "out"
    # Deliveries under way at the end are waited for: past the deadline and the timeout.
    assert int(pairs["--stop-timeout"]) > 20
    master = _locust_argv(
        "http://127.0.0.1:1/hook", "--master", "--expect-workers", "3", "--master-bind-port", "6000"
    )
    assert master[master.index("--master") :][:3] == ["--master", "--expect-workers", "3"]
    assert master[master.index("--master-bind-port") + 1] == "6000"
    worker = _locust_argv("--worker", "--master-host", "master.example", "--master-port", "6000")
    assert worker[-5:] == ["--worker", "--master-host", "master.example", "--master-port", "6000"]
    assert "--headless" not in worker and "--hookmock-events" not in worker
    assert not [word for word in local + master + worker if SECRET in word]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "the receiver's URL is missing"),
        (["ftp://x", "--secret-token", SECRET], "must start with http"),
        (["http://127.0.0.1:1/", "--secret-token", SECRET, "--users", "0"], "--users"),
        (["http://127.0.0.1:1/", "--secret-token", SECRET, "--run-time", "soon"], "--run-time"),
        (
            [
                "http://127.0.0.1:1/",
                "--secret-token",
                SECRET,
                "--events",
                "meeting.started",
                "--scenario",
                "meeting",
            ],
            "give one",
        ),
        (
            ["http://127.0.0.1:1/", "--secret-token", SECRET, "--events", "meeting.startd"],
            "did you mean 'meeting.started'",
        ),
        (
            ["http://127.0.0.1:1/"],
            "no secret token: pass --secret-token TOKEN or set ZOOM_WEBHOOK_SECRET_TOKEN",
        ),
        (
            ["http://127.0.0.1:1/", "--provider", "github"],
            "no secret: pass --secret SECRET or set GITHUB_WEBHOOK_SECRET",
        ),
        (
            ["http://127.0.0.1:1/", "--provider", "github", "--secret", SECRET, "--events", "pus"],
            "did you mean 'push'",
        ),
        (
            ["http://127.0.0.1:1/", "--provider", "standard-webhooks", "--scenario", "any"],
            "hookmock has no scenarios for standard-webhooks",
        ),
        (
            ["http://127.0.0.1:1/", "--openapi", "doc.yaml", "--secret", SECRET],
            "--openapi doc.yaml: hookmock load sends the events of a provider it knows",
        ),
        (
            [
                "http://127.0.0.1:1/",
                "--secret-token",
                SECRET,
                "--events",
                "meeting.started",
                "--recorded",
                str(RECORDED),
            ],
            "--events and --recorded: give one",
        ),
    ],
    ids=[
        "no-url",
        "scheme",
        "users",
        "run-time",
        "events-and-scenario",
        "unknown-event",
        "no-secret",
        "no-github-secret",
        "unknown-github-event",
        "no-scenarios",
        "openapi",
        "events-and-recorded",
    ],
)
def test_usage_errors_are_told_before_locust_starts(
    argv: list[str],
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out = _run(argv, monkeypatch)
    assert code == 2
    assert message in capsys.readouterr().err
    assert out == ""


# -- Locust running ------------------------------------------------------------------------------


def test_a_local_run_sends_signed_deliveries_and_counts_each_one(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out = _run(
        [
            receiver.url,
            "--users",
            "3",
            "--spawn-rate",
            "3",
            "--run-time",
            "3s",
            "--secret-token",
            SECRET,
            "--csv",
            "run",
            "--html",
            "run.html",
        ],
        monkeypatch,
    )
    total, acknowledged = _summary_counts(out)
    assert code == 0, out
    assert total > 0 and acknowledged == total
    assert receiver.forged == 0
    assert receiver.total == total
    assert len(receiver.request_ids) == total
    assert set(receiver.events) <= set(DEFAULT_EVENTS)
    assert "failures: none" in out
    assert (tmp_path / "run_stats.csv").exists() and (tmp_path / "run.html").exists()


def test_a_local_run_sends_another_providers_deliveries(monkeypatch: pytest.MonkeyPatch) -> None:
    from hookmock.providers.github import signature

    secret = OTHER_SECRETS["github"]
    counted: Counter[str] = Counter()
    forged = 0
    lock = threading.Lock()

    @Request.application
    def app(request: Request) -> Response:
        nonlocal forged
        signed = signature.verify(
            secret, request.get_data(), request.headers.get("x-hub-signature-256")
        )
        with lock:
            counted[request.headers.get("x-github-event", "")] += 1
            forged += not signed
        return Response(status=204 if signed else 401)

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        monkeypatch.delenv("GITHUB_WEBHOOK_SECRET", raising=False)
        url = f"http://127.0.0.1:{server.server_port}/github"
        argv = ["--provider", "github", "--users", "2", "--run-time", "2s", "--secret", secret]
        code, out = _run([url, *argv], monkeypatch)
    finally:
        server.shutdown()
        thread.join(5)
    total, acknowledged = _summary_counts(out)
    assert code == 0, out
    assert total > 0 and acknowledged == total
    assert forged == 0
    assert sum(counted.values()) == total
    # GitHub's most handled events, by their X-GitHub-Event; GitHub's 10 s deadline.
    assert set(counted) <= {"push", "pull_request", "issues"}
    assert "deadline 10,000 ms" in out


def test_users_play_scenarios_instead_of_the_mix(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out = _run(
        [
            receiver.url,
            "--users",
            "2",
            "--run-time",
            "2s",
            "--secret-token",
            SECRET,
            "--scenario",
            "meeting:participants=1,recording=false",
        ],
        monkeypatch,
    )
    total, acknowledged = _summary_counts(out)
    played = {
        name
        for name, _ in Traffic(
            secret=SECRET, scenarios=[("meeting", {"participants": 1, "recording": False})]
        ).play()
    }
    assert code == 0, out
    assert total == acknowledged == receiver.total
    assert receiver.forged == 0
    assert "meeting.created" in receiver.events
    assert set(receiver.events) <= played


def test_users_play_a_recording_byte_for_byte_signed_anew(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hookmock.load.generator import recorded_deliveries

    code, out = _run(
        [
            receiver.url,
            "--users",
            "2",
            "--run-time",
            "2s",
            "--secret-token",
            SECRET,
            "--recorded",
            str(RECORDED),
        ],
        monkeypatch,
    )
    total, acknowledged = _summary_counts(out)
    recorded = recorded_deliveries(str(RECORDED))
    assert code == 0, out
    assert total == acknowledged == receiver.total
    assert receiver.forged == 0
    assert receiver.bodies == {body for _, body in recorded}
    assert set(receiver.events) == {name for name, _ in recorded}


def test_late_and_redirected_deliveries_are_failures_named_by_their_outcome(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    odd = Receiver(slow=0.6, slow_events=("meeting.ended",), redirected=("meeting.started",))
    thread = threading.Thread(target=odd.server.serve_forever, daemon=True)
    thread.start()
    try:
        code, out = _run(
            [
                odd.url,
                "--users",
                "4",
                "--run-time",
                "3s",
                "--secret-token",
                SECRET,
                "--events",
                "meeting.started=1,meeting.ended=1",
                "--deadline",
                "0.3",
            ],
            monkeypatch,
        )
    finally:
        odd.server.shutdown()
        thread.join(5)
    total, acknowledged = _summary_counts(out)
    failures = _failures(out)
    assert code == 1, out
    assert total == odd.total
    assert odd.events["meeting.ended"] > 0 and odd.events["meeting.started"] > 0
    # No delivery is acknowledged; every slow answer is late, and a redirect is a failure that
    # is not followed. On a loaded machine a redirect may come late too, never the reverse.
    assert acknowledged == 0
    assert set(failures) <= {"late", "redirected: 302"}
    assert failures["late"] + failures.get("redirected: 302", 0) == total
    assert failures["late"] >= odd.events["meeting.ended"]
    assert odd.elsewhere == 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_distributed_run_counts_what_the_receiver_received(
    receiver: Receiver, tmp_path: Path
) -> None:
    port = _free_port()
    hookmock = [sys.executable, "-m", "hookmock", "load"]
    env = {**__import__("os").environ, "ZOOM_WEBHOOK_SECRET_TOKEN": SECRET}
    master = subprocess.Popen(
        [
            *hookmock,
            receiver.url,
            "--master",
            "--expect-workers",
            "2",
            "--expect-workers-max-wait",
            str(LIMIT),
            "--master-bind-host",
            "127.0.0.1",
            "--master-bind-port",
            str(port),
            "--users",
            "4",
            "--run-time",
            "4s",
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    workers = [
        subprocess.Popen(
            [*hookmock, "--worker", "--master-host", "127.0.0.1", "--master-port", str(port)],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        out, err = master.communicate(timeout=2 * LIMIT)
        for worker in workers:
            worker.communicate(timeout=LIMIT)
    finally:
        for proc in (master, *workers):
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert master.returncode == 0, out + err
    assert all(worker.returncode == 0 for worker in workers)
    total, acknowledged = _summary_counts(out)
    assert "on 2 workers" in out
    assert total > 0 and acknowledged == total
    assert receiver.forged == 0
    assert receiver.total == total


def test_a_receiver_that_is_not_there_is_a_connection_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = f"http://127.0.0.1:{_free_port()}/zoom/webhook"  # nothing listens there
    code, out = _run(
        [url, "--users", "2", "--run-time", "1s", "--secret-token", SECRET], monkeypatch
    )
    total, acknowledged = _summary_counts(out)
    assert code == 1, out
    assert total > 0 and acknowledged == 0
    assert _failures(out) == {"connection error": total}


@pytest.mark.parametrize(
    ("provider", "scenario", "first"),
    [
        ("github", "pull_request", "pull_request.opened"),
        ("stripe", "subscription", "customer.created"),
        ("slack", "conversation", "message"),
    ],
)
def test_another_providers_scenario_is_played_signed(
    provider: str, scenario: str, first: str
) -> None:
    traffic = Traffic(
        secret=OTHER_SECRETS[provider], provider=provider, scenarios=[(scenario, {})], pool=0
    )
    played = traffic.play()
    assert traffic.plays and played[0][0] == first and len(played) > 1
    for name, body in played:
        headers, sent = traffic.request(name, body)
        assert VERIFIED[provider](headers, sent), name


@pytest.mark.parametrize("pool", [0, 5])
def test_a_slash_command_is_sent_form_encoded_as_slack_sends_it(pool: int) -> None:
    traffic = Traffic(
        secret=OTHER_SECRETS["slack"], provider="slack", events={"slash_command": 1}, pool=pool
    )
    for _ in range(10):
        name, body = traffic.draw()
        headers, sent = traffic.request(name, body)
        assert headers["content-type"] == "application/x-www-form-urlencoded"
        # The body is written as Slack posts it (the provider's fake encodes it), sent as it is.
        assert sent == body and body.startswith(b"token=") and b"&command=" in body
        assert VERIFIED["slack"](headers, sent)
