"""Every command writes on any console encoding: what a console cannot encode is replaced,
and the exit status still says how the delivery went."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from hookmock.cli import main
from hookmock.providers.zoom import SECRET_TOKEN_ENV

from .receivers import serving, zoom_receiver

SECRET = "encoding-secret-51c3"
TOPIC = "payload.object.topic=Launch \U0001f680 – Q3 review"


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with serving(zoom_receiver(SECRET)) as base:
        yield base + "/zoom/webhook"


def ascii_console() -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(), encoding="ascii", errors="strict")


def written(stream: io.TextIOWrapper) -> str:
    stream.flush()
    buffer = stream.buffer
    assert isinstance(buffer, io.BytesIO)
    return buffer.getvalue().decode("ascii")


@pytest.fixture(autouse=True)
def _no_env_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SECRET_TOKEN_ENV, raising=False)


def test_trigger_as_a_program_on_an_ascii_console(url: str) -> None:
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    argv = ["trigger", "meeting.started", "--url", url, "--secret-token", SECRET, "-v"]
    done = subprocess.run(
        [sys.executable, "-m", "hookmock", *argv, "--set", TOPIC],
        env=env,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr == b""
    out = done.stdout.decode("ascii")  # nothing but ASCII reached the console
    assert out.startswith(f"meeting.started ? {url}: 204 in ")
    assert "(acknowledged)" in out.splitlines()[0]


@pytest.mark.parametrize(
    ("secret", "status", "verdict"),
    [(SECRET, 0, "(acknowledged)"), ("another-secret", 1, "(rejected)")],
    ids=["acknowledged", "rejected"],
)
def test_trigger_in_process_on_an_ascii_console(
    url: str, secret: str, status: int, verdict: str
) -> None:
    console = ascii_console()
    argv = ["trigger", "meeting.started", "--url", url, "--secret-token", secret, "-v"]
    assert main([*argv, "--set", TOPIC], stdout=console) == status
    out = written(console)
    assert out.startswith(f"meeting.started ? {url}: ")
    assert verdict in out.splitlines()[0]
    assert "Launch \\uD83D\\uDE80 ? Q3 review" in out  # the body as sent; the dash replaced


def test_fake_on_an_ascii_console() -> None:
    console = ascii_console()
    argv = ["fake", "meeting.started", "--seed", "1", "--time", "1700000000", "--set", TOPIC]
    assert main(argv, stdout=console) == 0
    assert json.loads(written(console))["payload"]["object"]["topic"] == (
        "Launch \U0001f680 ? Q3 review"
    )


def test_an_error_on_an_ascii_console(monkeypatch: pytest.MonkeyPatch) -> None:
    console, errors = ascii_console(), ascii_console()
    monkeypatch.setattr(sys, "stderr", errors)
    assert main(["schema", "meeting.startéd"], stdout=console) == 2
    assert written(errors).startswith("hookmock schema: error: ")
    assert "meeting.start?d" in written(errors)
    assert written(console) == ""
