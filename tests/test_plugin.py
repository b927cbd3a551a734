"""The pytest plugin, driven through pytester."""

from __future__ import annotations

import subprocess
import sys

import pytest

from hookmock.plugin import _test_seed

pytest_plugins = ["pytester"]

RECEIVER = """
import json
from hookmock.providers import zoom as zoom_module

def make_app(secret, status="204 No Content"):
    def app(environ, start_response):
        body = environ["wsgi.input"].read()
        ok = zoom_module.verify(secret, environ.get("HTTP_X_ZM_REQUEST_TIMESTAMP", ""), body,
                                environ.get("HTTP_X_ZM_SIGNATURE", ""))
        if not ok:
            start_response("401 Unauthorized", [])
            return [b"bad signature"]
        event = json.loads(body)
        if event["event"] == "endpoint.url_validation":
            plain = event["payload"]["plainToken"]
            answer = json.dumps({"plainToken": plain,
                                 "encryptedToken": zoom_module.encrypted_token(secret, plain)})
            start_response("200 OK", [("Content-Type", "application/json")])
            return [answer.encode()]
        start_response(status, [])
        return [b"handled"]
    return app
"""


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, pytester: pytest.Pytester) -> None:
    for name in (
        "ZOOM_WEBHOOK_SECRET_TOKEN",
        "HOOKMOCK_SEED",
        "HOOKMOCK_DEADLINE",
        "HOOKMOCK_MAX_DELIVERIES",
    ):
        monkeypatch.delenv(name, raising=False)
    pytester.makepyfile(receiver=RECEIVER)


def test_report_header_prints_the_seed(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_nothing(): pass")
    result = pytester.runpytest("--hookmock-seed=1234")
    result.stdout.fnmatch_lines(
        ["hookmock: provider zoom, seed 1234 (replay with --hookmock-seed=1234)"]
    )
    result.assert_outcomes(passed=1)


def test_zoom_fixture_end_to_end(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from receiver import make_app

        def test_send(zoom):
            zoom.subscribe(make_app(zoom.secret_token), events=["meeting.started"])
            delivery = zoom.send("meeting.started", topic="Q3")
            delivery.assert_acknowledged()
            zoom.assert_delivered("meeting.started")
            assert len(zoom.deliveries) == 2

        def test_fresh_state(zoom):
            assert len(zoom.deliveries) == 0 and zoom.subscriptions == []
        """
    )
    pytester.runpytest().assert_outcomes(passed=2)


@pytest.mark.parametrize(
    ("args", "ini", "env", "expected"),
    [
        (["--hookmock-secret-token=from-cli"], "from-ini", "from-env", "from-cli"),
        ([], "from-ini", "from-env", "from-ini"),
        ([], None, "from-env", "from-env"),
    ],
)
def test_secret_token_precedence(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    ini: str | None,
    env: str,
    expected: str,
) -> None:
    if ini is not None:
        pytester.makeini(f"[pytest]\nhookmock_secret_token = {ini}\n")
    monkeypatch.setenv("ZOOM_WEBHOOK_SECRET_TOKEN", env)
    pytester.makepyfile(f"def test_secret(zoom): assert zoom.secret_token == {expected!r}")
    pytester.runpytest(*args).assert_outcomes(passed=1)


def test_marker_configures_one_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.hookmock(secret_token="marked", seed=5, deadline=1.5, client_id="cid")
        def test_marked(zoom, hookmock_seed):
            assert (zoom.secret_token, zoom.seed, zoom.deadline, zoom.client_id) == (
                "marked", 5, 1.5, "cid")
            assert hookmock_seed == 5

        def test_unmarked(zoom):
            assert zoom.secret_token != "marked" and len(zoom.secret_token) == 22
            assert zoom.deadline == 3.0
        """
    )
    pytester.runpytest("--hookmock-secret-token=", "-p", "no:cacheprovider").assert_outcomes(
        passed=2
    )


def test_marker_rejects_unknown_settings(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.hookmock(secret="x")
        def test_marked(zoom):
            pass
        """
    )
    result = pytester.runpytest()
    result.stdout.fnmatch_lines(["*@pytest.mark.hookmock takes keyword settings*got secret*"])


def test_per_test_seed_is_derived_and_replayable(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_seeds="""
        def test_a(zoom, hookmock_seed):
            obj = zoom.fake("meeting.started").data["payload"]["object"]
            print("SEED", hookmock_seed, obj["topic"], obj["uuid"], obj["id"], obj["host_id"])
        """
    )
    first = pytester.runpytest("--hookmock-seed=77", "-s")
    again = pytester.runpytest("--hookmock-seed=77", "-s")
    other = pytester.runpytest("--hookmock-seed=78", "-s")

    def seed_lines(result: pytest.RunResult) -> list[str]:
        return [x[x.index("SEED ") :] for x in result.outlines if "SEED " in x]

    line = seed_lines(first)
    assert len(line) == 1 and line == seed_lines(again)
    assert line != seed_lines(other)
    assert line[0].startswith(f"SEED {_test_seed(77, 'test_seeds.py::test_a')} ")


def test_failing_test_shows_the_delivery_log(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_log="""
        from receiver import make_app

        def test_fails(zoom):
            zoom.subscribe(make_app(zoom.secret_token, status="500 Internal Server Error"))
            zoom.send("meeting.started").assert_acknowledged()
        """
    )
    result = pytester.runpytest("--hookmock-seed=9", "--assert=plain")
    result.assert_outcomes(failed=1)
    seed = _test_seed(9, "test_log.py::test_fails")
    result.stdout.fnmatch_lines(
        [
            "E*AssertionError: expected 'meeting.started' to be acknowledged (2xx within 3 s); "
            "got status 500 after *",
            f"*- hookmock: zoom deliveries of test_log.py::test_fails (test seed {seed}) -*",
            "#1 'endpoint.url_validation' → https://receiver.test/ *: 200 OK in *acknowledged",
            # Described in full by the assertion message already: one line here.
            "#2 'meeting.started' → https://receiver.test/ (in-process WSGI: function 'app'): "
            "500 Internal Server Error in * ms, server error (in full above)",
        ]
    )
    # The delivery that failed is described in full once: in the message.
    assert result.stdout.str().count("x-zm-request-id: ") == 2


SCENARIO_RECEIVER = """
import json
from receiver import make_app

def crashing_app(secret):
    # Answers like make_app, but raises on recording.completed (retried, then dropped).
    inner = make_app(secret)
    def app(environ, start_response):
        body = environ["wsgi.input"].read()
        if json.loads(body)["event"] == "recording.completed":
            raise RuntimeError("cannot store the recording")
        import io
        environ["wsgi.input"] = io.BytesIO(body)
        return inner(environ, start_response)
    return app
"""


def test_failing_scenario_output_is_bounded(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(scenario_receiver=SCENARIO_RECEIVER)
    pytester.makepyfile(
        test_scenario="""
        from scenario_receiver import crashing_app

        def test_meeting(zoom):
            zoom.subscribe(crashing_app(zoom.secret_token))
            zoom.send_scenario("meeting", participants=8, duration=45)
            zoom.run_until_idle()
            zoom.assert_all_acknowledged()
        """
    )
    result = pytester.runpytest("--hookmock-seed=3", "--tb=long", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    output = result.stdout.lines
    assert len(output) < 150, "\n".join(output)
    text = result.stdout.str()
    # 30 deliveries: the validation, 25 scenario events, 4 attempts of recording.completed.
    summary = "AssertionError: expected every delivery to be acknowledged; 4 of 30 were not"
    assert f"E       {summary}" in text
    result.stdout.fnmatch_lines(
        [
            "E         (26 other deliveries not listed; every one is in the provider's deliveries)",
            "E       application traceback (library frames hidden; delivery.error has them all):",
            "E           (* frame* of libraries hidden)",
            '*  File "*scenario_receiver.py", line *, in app',
            "*raise RuntimeError(*cannot store the recording*)",
            "*- hookmock: zoom deliveries of test_scenario.py::test_meeting (test seed *) -*",
            "25 earlier deliveries not shown (#1-#25)",
            "#26 'recording.completed' → https://receiver.test/ (in-process WSGI: function 'app'): "
            "no response in * ms, application error (RuntimeError: cannot store the recording) "
            "(in full above)",
            "#27 'recording.transcript_completed' → https://receiver.test/ (in-process *",
            # Retries keep the request id; each attempt is still told apart.
            "#28 'recording.completed' → * (attempt 2): no response in *, application error "
            "(RuntimeError: cannot store the recording) (in full above)",
            "#29 'recording.completed' → * (attempt 3): no response in *, application error",
            "  error: RuntimeError: cannot store the recording",
            "#30 'recording.completed' → * (attempt 4): no response in *, application error",
        ]
    )
    # hookmock's own frames are not shown, and bodies are excerpts.
    assert "hookmock/engine/assertions.py" not in text
    assert "hookmock/engine/simulator.py" not in text
    assert max(len(line) for line in output) < 600


def test_hookmock_errors_are_shown_from_the_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_error="""
        from receiver import make_app

        def test_subscribe(zoom):
            zoom.subscribe(make_app("another secret"))
        """
    )
    result = pytester.runpytest("--tb=long", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    text = result.stdout.str()
    assert "E       hookmock.errors.SubscriptionError: Zoom's URL validation of " in text
    assert 'zoom.subscribe(make_app("another secret"))' in text
    assert "hookmock/engine/simulator.py" not in text and "def subscribe(" not in text
    # --full-trace shows everything, hookmock's frames included.
    full = pytester.runpytest("--full-trace", "-p", "no:cacheprovider")
    assert "hookmock/engine/simulator.py" in full.stdout.str()


@pytest.mark.parametrize(("setting", "sections"), [("0", 0), ("1", 1)])
def test_report_deliveries_setting(pytester: pytest.Pytester, setting: str, sections: int) -> None:
    pytester.makeini(f"[pytest]\nhookmock_report_deliveries = {setting}\n")
    pytester.makepyfile(
        test_setting="""
        from receiver import make_app

        def test_fails(zoom):
            zoom.subscribe(make_app(zoom.secret_token))
            zoom.send("meeting.started")
            assert False, "the receiver stored nothing"
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    text = result.stdout.str()
    assert text.count("hookmock: zoom deliveries of test_setting.py::test_fails") == sections
    if sections:
        result.stdout.fnmatch_lines(["1 earlier delivery not shown (#1)", "#2 'meeting.started'*"])


def test_bad_report_deliveries_setting(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nhookmock_report_deliveries = many\n")
    pytester.makepyfile("def test_fails(zoom): assert False")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.stderr.fnmatch_lines(
        [
            "*hookmock: hookmock_report_deliveries must be a number of deliveries (0 for none), "
            "got 'many'*"
        ]
    )


def test_disabled_plugin(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_uses(zoom): pass\n\ndef test_plain(): pass")
    result = pytester.runpytest("-p", "no:hookmock")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*fixture 'zoom' not found*"])
    assert "hookmock: provider zoom" not in result.stdout.str()


def test_bad_seed_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_nothing(): pass")
    result = pytester.runpytest("--hookmock-seed=abc")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*the seed from --hookmock-seed* must be a non-negative integer*"])


def test_xdist_workers_share_the_session_seed(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_x="""
        import pytest

        @pytest.mark.parametrize("n", range(4))
        def test_seed(hookmock_seed, n, request):
            from hookmock.plugin import _test_seed
            assert hookmock_seed == _test_seed(31, request.node.nodeid)
        """
    )
    result = pytester.runpytest_subprocess("-n", "2", "--hookmock-seed=31")
    result.assert_outcomes(passed=4)


def test_help_does_not_import_heavy_modules() -> None:
    code = (
        "import sys, pytest, io, contextlib\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out: pytest.main(['--help'])\n"
        "assert '--hookmock-seed' in out.getvalue()\n"
        "print(sorted(m for m in ('faker', 'jsonschema', 'jsonschema_rs', 'werkzeug')"
        " if m in sys.modules))"
    )
    # faker and schemathesis (a development tool) register pytest plugins of their own, which
    # import faker and jsonschema_rs; they are disabled here so that only hookmock's start-up is
    # measured.
    code = code.replace("['--help']", "['--help', '-p', 'no:faker', '-p', 'no:schemathesis']")
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd="/"
    )
    assert result.stdout.strip() == "[]"


def test_settings_fixture_can_be_overridden(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture
        def hookmock_settings():
            return {"secret_token": "from-conftest", "traceparent": False}
        """
    )
    pytester.makepyfile(
        """
        import pytest

        def test_conftest(zoom):
            assert (zoom.secret_token, zoom.traceparent) == ("from-conftest", False)

        @pytest.mark.hookmock(secret_token="from-marker")
        def test_marker_wins(zoom):
            assert zoom.secret_token == "from-marker"
        """
    )
    pytester.runpytest("--hookmock-secret-token=from-cli").assert_outcomes(passed=2)


def test_max_deliveries_from_the_command_line_ini_environment_and_marker(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(
        """
        import os
        import pytest

        def test_setting(zoom):
            assert zoom.deliveries.max_deliveries == int(os.environ["EXPECTED"])

        @pytest.mark.hookmock(max_deliveries=2)
        def test_marker(zoom):
            assert zoom.deliveries.max_deliveries == 2
        """
    )
    monkeypatch.setenv("HOOKMOCK_MAX_DELIVERIES", "30")
    monkeypatch.setenv("EXPECTED", "30")
    pytester.runpytest().assert_outcomes(passed=2)
    pytester.makeini("[pytest]\nhookmock_max_deliveries = 20\n")
    monkeypatch.setenv("EXPECTED", "20")
    pytester.runpytest().assert_outcomes(passed=2)
    monkeypatch.setenv("EXPECTED", "10")
    pytester.runpytest("--hookmock-max-deliveries=10").assert_outcomes(passed=2)
    result = pytester.runpytest("--hookmock-max-deliveries=0")
    result.stdout.fnmatch_lines(["*must be a whole number, at least 1, got '0'*"])


def test_bad_deadline_is_reported(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_uses(zoom): pass")
    result = pytester.runpytest("--hookmock-deadline=soon")
    result.stdout.fnmatch_lines(["*the deadline must be a number of seconds, got 'soon'*"])
    assert result.ret != 0


def test_every_assertion_helper_hides_its_frame() -> None:
    import importlib
    import inspect
    import pkgutil

    import hookmock

    helpers = []
    for info in pkgutil.walk_packages(hookmock.__path__, "hookmock."):
        # Importing the Locust modules would monkey-patch this process with gevent's.
        if info.name in ("hookmock.__main__", "hookmock.locust", "hookmock.load.locustfile"):
            continue
        module = importlib.import_module(info.name)
        for name, obj in inspect.getmembers(module):
            if getattr(obj, "__module__", None) != module.__name__:
                continue
            if inspect.isclass(obj):
                members = inspect.getmembers(obj)
            elif inspect.isfunction(obj):
                members = [(name, obj)]
            else:
                continue
            helpers += [
                f for name, f in members if name.startswith("assert_") and inspect.isfunction(f)
            ]
    assert len(helpers) >= 15
    unhidden = [
        f.__qualname__ for f in helpers if "__tracebackhide__ = True" not in inspect.getsource(f)
    ]
    assert not unhidden


def test_a_failing_fixture_shows_the_delivery_log_too(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_fixture="""
        import pytest
        from receiver import make_app

        @pytest.fixture
        def subscribed(zoom):
            zoom.subscribe(make_app("another secret"))

        def test_uses(subscribed):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "E       hookmock.errors.SubscriptionError: Zoom's URL validation of *",
            "*- hookmock: zoom deliveries of test_fixture.py::test_uses (test seed *) -*",
            "#1 'endpoint.url_validation' → *: 401 Unauthorized in * ms, rejected (in full above)",
        ]
    )
