"""The README's examples run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


# README blocks that use the `app` fixture without defining it run after this one.
APP_FIXTURE = """
import pytest
from examples.flask_receiver.app import create_app


@pytest.fixture
def app(zoom):
    return create_app(secret_token=zoom.secret_token)
"""


@pytest.mark.parametrize(
    ("marker", "tests"),
    [
        ("def test_recording_is_stored", 3),
        ("def test_a_timed_out_delivery", 4),
        ("def test_a_whole_meeting", 1),
    ],
    ids=["cheat-sheet", "retries-and-ordering", "scenarios"],
)
def test_readme_examples_run(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, marker: str, tests: int
) -> None:
    monkeypatch.delenv("ZOOM_WEBHOOK_SECRET_TOKEN", raising=False)
    blocks = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    example = next(block for block in blocks if marker in block)
    if "def app(" not in example:
        example = APP_FIXTURE + "\n\n" + example
    pytester.syspathinsert(ROOT)
    pytester.makepyfile(test_example=example)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=tests)


def test_readme_names_every_cli_command() -> None:
    from hookmock.cli import _COMMANDS

    for command in _COMMANDS:
        assert f"hookmock {command}" in README


def test_readme_lists_every_conformance_check() -> None:
    from hookmock.checks import CHECKS

    for check in CHECKS:
        assert f"| `{check.id}` | {check.severity.value} | {check.title} |" in README
