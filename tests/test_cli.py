"""The ``hookmock`` command, run in-process through ``main`` (and once as a subprocess)."""

from __future__ import annotations

import ast
import base64
import io
import json
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

import hookmock
from hookmock.cli import main
from hookmock.generate.events import serialize
from hookmock.providers.zoom import SECRET_TOKEN_ENV, verify

from . import zoom_reference

VECTORS = zoom_reference.VECTORS
SECRET = "cli-secret-9f2c7d41"
FAKE = ["fake", "meeting.started", "--seed", "7", "--time", "1700000000"]


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), stdout=out)
    return code, out.getvalue()


@pytest.fixture(autouse=True)
def _no_env_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SECRET_TOKEN_ENV, raising=False)


# -- events, schema, --version -------------------------------------------------------------------


def test_events_lists_sorted_names() -> None:
    code, out = run("events")
    names = out.splitlines()
    assert code == 0
    assert names == sorted(names)
    assert {"meeting.started", "endpoint.url_validation"} <= set(names)


def test_events_prefix_filters() -> None:
    code, out = run("events", "recording.")
    names = out.splitlines()
    assert code == 0
    assert "recording.completed" in names
    assert all(name.startswith("recording.") for name in names)


def test_schema_prints_the_event_schema() -> None:
    code, out = run("schema", "meeting.started")
    assert code == 0
    assert json.loads(out)["title"] == "meeting.started"


def test_unknown_event_suggests_close_names(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run("schema", "meeting.startd")
    err = capsys.readouterr().err
    assert code == 2
    assert out == ""
    assert "unknown zoom event 'meeting.startd'" in err
    assert "'meeting.started'" in err


def test_version() -> None:
    code, out = run("--version")
    assert code == 0
    assert out.strip() == f"hookmock {hookmock.__version__}"


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert run() == (2, "")
    assert "COMMAND" in capsys.readouterr().err


# -- fake ----------------------------------------------------------------------------------------


def test_fake_is_reproducible_and_compact() -> None:
    first, second = run(*FAKE), run(*FAKE)
    assert first == second
    code, out = first
    assert code == 0
    data = json.loads(out)
    assert data["event"] == "meeting.started"
    assert out == serialize(data, "zoom").decode() + "\n"  # compact, one line
    assert run("fake", "meeting.started", "--seed", "8", "--time", "1700000000")[1] != out


@pytest.mark.parametrize(
    ("key", "text", "expected"),
    [("topic", "Q3", "Q3"), ("duration", "45", 45)],
    ids=["string", "json-integer"],
)
def test_fake_set_overrides(key: str, text: str, expected: Any) -> None:
    code, out = run(*FAKE, "--set", f"payload.object.{key}={text}")
    assert code == 0
    value = json.loads(out)["payload"]["object"][key]
    assert value == expected
    assert type(value) is type(expected)


def test_fake_set_breaking_the_schema_names_the_path(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(*FAKE, "--set", 'payload.object.duration="x"')
    err = capsys.readouterr().err
    assert (code, out) == (2, "")
    assert "$.payload.object.duration: 'x' is not of type 'integer'" in err
    assert "--no-validate" in err


def test_fake_no_validate_allows_a_broken_event() -> None:
    code, out = run(*FAKE, "--set", 'payload.object.duration="x"', "--no-validate")
    assert code == 0
    assert json.loads(out)["payload"]["object"]["duration"] == "x"


def test_fake_pretty_serialization() -> None:
    code, out = run(*FAKE, "--serialization", "pretty")
    assert code == 0
    assert out.startswith('{\n  "event": "meeting.started",\n')
    assert json.loads(out) == json.loads(run(*FAKE)[1])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--set", "foo"], "--set 'foo': expected PATH=VALUE, e.g. payload.object.topic=Q3"),
        (["--set", "=3"], "--set '=3': expected PATH=VALUE"),
        (["--serialization", "bogus"], "unknown serialization 'bogus'; choose one of: zoom,"),
    ],
)
def test_fake_usage_errors(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(*FAKE, *argv) == (2, "")
    assert capsys.readouterr().err.startswith(f"hookmock fake: error: {message}")


# -- sign ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("vector", zoom_reference.signature_vectors(), ids=lambda v: v["name"])
def test_sign_matches_known_answer_vectors(
    vector: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = tmp_path / "body.json"
    body.write_bytes(base64.b64decode(vector["body_base64"]))
    timestamp = vector["x-zm-request-timestamp"]
    code, out = run(
        "sign", "--secret-token", vector["secret_token"], "--timestamp", timestamp, str(body)
    )
    assert code == 0
    lines = out.splitlines()
    assert f"x-zm-signature: {vector['x-zm-signature']}" in lines
    assert f"x-zm-request-timestamp: {timestamp}" in lines
    assert vector["secret_token"] not in out + capsys.readouterr().err


def test_sign_reads_stdin_and_env_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    vector = zoom_reference.signature_vectors()[0]
    stdin = type("Stdin", (), {"buffer": io.BytesIO(base64.b64decode(vector["body_base64"]))})
    monkeypatch.setattr(sys, "stdin", stdin())
    monkeypatch.setenv(SECRET_TOKEN_ENV, vector["secret_token"])
    code, out = run("sign", "--timestamp", vector["x-zm-request-timestamp"])
    assert code == 0
    assert f"x-zm-signature: {vector['x-zm-signature']}" in out.splitlines()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], f"no secret token: pass --secret-token TOKEN or set {SECRET_TOKEN_ENV}"),
        (["--secret-token", SECRET, "--timestamp", "soon"], "--timestamp must be Unix seconds"),
        (["--secret-token", SECRET, "--timestamp", "\u00b2"], "--timestamp must be Unix seconds"),
        (["--secret-token", SECRET, "/nonexistent/body.json"], "cannot read"),
    ],
    ids=["no-secret", "timestamp-word", "timestamp-superscript", "missing-file"],
)
def test_sign_usage_errors(
    argv: list[str],
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # A body on stdin, so that a command reading it first cannot hang the test.
    monkeypatch.setattr(sys, "stdin", type("Stdin", (), {"buffer": io.BytesIO(b"{}")})())
    assert run("sign", *argv) == (2, "")
    err = capsys.readouterr().err
    assert err.startswith(f"hookmock sign: error: {message}")
    assert SECRET not in err


# -- trigger -------------------------------------------------------------------------------------


@dataclass
class Receiver:
    """A real HTTP receiver on 127.0.0.1 that verifies Zoom's signature with :data:`SECRET`."""

    url: str
    bodies: list[bytes] = field(default_factory=list)


@pytest.fixture(scope="module")
def _server() -> Iterator[Receiver]:
    bodies: list[bytes] = []

    @Request.application
    def app(request: Request) -> Response:
        body = request.get_data()
        bodies.append(body)
        timestamp = request.headers.get("x-zm-request-timestamp", "")
        signature = request.headers.get("x-zm-signature", "")
        return Response(status=204 if verify(SECRET, timestamp, body, signature) else 401)

    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Receiver(f"http://127.0.0.1:{server.server_port}/zoom/webhook", bodies)
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


@pytest.fixture
def receiver(_server: Receiver) -> Receiver:
    _server.bodies.clear()  # at the start of a test, so a failing test's requests stay visible
    return _server


def _trigger(url: str, secret: str, *extra: str) -> tuple[int, str]:
    return run("trigger", "meeting.started", "--url", url, "--secret-token", secret, *extra)


@pytest.mark.parametrize("verbose", [[], ["-v"]], ids=["quiet", "verbose"])
def test_trigger_delivers_a_signed_event(
    receiver: Receiver, verbose: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _trigger(receiver.url, SECRET, "--seed", "3", *verbose)
    assert code == 0, out
    first = out.splitlines()[0]
    assert first.startswith(f"meeting.started → {receiver.url}: 204 in ")
    assert first.endswith("(acknowledged)")
    assert len(receiver.bodies) == 1
    assert json.loads(receiver.bodies[0])["event"] == "meeting.started"
    assert SECRET not in out + capsys.readouterr().err


def test_trigger_wrong_secret_is_a_receiver_failure(
    receiver: Receiver, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _trigger(receiver.url, "not-the-receivers-secret")
    assert code == 1
    assert ": 401 in " in out
    assert "(rejected)" in out
    assert "not-the-receivers-secret" not in out + capsys.readouterr().err


def test_trigger_closed_port_is_a_connection_error(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, out = _trigger(f"http://127.0.0.1:{port}/", SECRET)
    assert code == 2
    assert "(connection error)" in out
    assert "connection refused" in out
    assert SECRET not in out + capsys.readouterr().err


def test_trigger_without_secret(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run("trigger", "meeting.started", "--url", "http://127.0.0.1:9/")
    assert (code, out) == (2, "")
    assert "--secret-token" in capsys.readouterr().err


# -- as installed --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [[sys.executable, "-m", "hookmock"], [str(Path(sys.executable).with_name("hookmock"))]],
    ids=["python-m", "console-script"],
)
def test_runs_as_a_program(command: list[str], tmp_path: Path) -> None:
    done = subprocess.run(
        [*command, "events"], cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "meeting.started" in done.stdout.splitlines()
    assert done.stderr == ""


# -- what a command imports ------------------------------------------------------------------------

#: Runs the command line in a new process and prints which of the modules given after the
#: arguments it imported, leaving out those the bare interpreter had already loaded.
IMPORTS = """
import io, sys
before = set(sys.modules)
from hookmock.cli import main
split = sys.argv.index("--watched")
argv, watched = sys.argv[1:split], sys.argv[split + 1 :]
status = main(argv, stdout=io.StringIO())
print(repr((status, sorted(m for m in watched if m in sys.modules and m not in before))))
"""

#: What a command that does not need it should not import: libraries that take tens of
#: milliseconds (faker is not needed by any command), the commands' own machinery, and
#: standard modules imported only for that machinery.
HEAVY = [
    "faker",
    "jsonschema",
    "jsonschema_rs",
    "werkzeug",
    "asyncio",
    "asgiref",
    "hypothesis",
    "hookmock.transports.asgi",
    "hookmock.conformance.checks",
    "hookmock.providers.zoom.schemadiff",
    "hookmock.server",
    "hookmock.server.cli",
]


def _imported(argv: list[str], watched: list[str]) -> tuple[int, list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", IMPORTS, *argv, "--watched", *watched],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    status, imported = ast.literal_eval(done.stdout)
    return status, imported


def test_help_imports_no_command() -> None:
    lean = ["hookmock.generate.catalog", "hookmock.providers.zoom", "hookmock.engine.simulator"]
    # Standard modules too: typing and json are not needed to list the commands, and shutil
    # (argparse's way to the terminal's width) imports the compression modules.
    standard = ["typing", "json", "shutil", "socket", "threading", "dataclasses"]
    assert _imported(["--help"], HEAVY + lean + standard) == (0, [])


def test_fake_imports_only_generation() -> None:
    # Generating an event makes no delivery: the transports (sockets, threads, gzip) and the
    # in-process targets are loaded by a first subscription or send, not by the provider.
    transports = [
        "hookmock.transports",
        "hookmock.transports.targets",
        "socket",
        "gzip",
        "traceback",
    ]
    # Nor does it sign anything: hashlib (which loads OpenSSL) waits for a first signature.
    signing = ["hashlib", "hmac", "secrets"]
    watched = HEAVY + transports + signing
    assert _imported(["fake", "meeting.started", "--seed", "1"], watched) == (0, [])


def test_a_command_defined_elsewhere_is_imported_when_it_runs() -> None:
    assert _imported(["serve", "--help"], ["hookmock.server.cli"]) == (0, ["hookmock.server.cli"])
    assert _imported(["schema-diff", "--help"], ["hookmock.providers.zoom.schemadiff"]) == (
        0,
        ["hookmock.providers.zoom.schemadiff"],
    )


def test_the_list_of_commands_is_the_same_whichever_parser_is_built() -> None:
    from hookmock.cli import _PARSERS, _parser

    listed = _parser().format_help()
    for command in _PARSERS:
        assert _parser(command).format_help() == listed, command


@pytest.mark.parametrize("columns", [None, "60", "132", "0", "-3", "wide"])
def test_help_is_as_wide_as_argparse_makes_it(
    columns: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from hookmock.cli import _help_width

    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    assert _help_width() == shutil.get_terminal_size().columns - 2
