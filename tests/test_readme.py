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


def _block(marker: str) -> str:
    blocks = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    return next(block for block in blocks if marker in block)


@pytest.mark.parametrize(
    ("marker", "tests"),
    [
        ("def test_a_timed_out_delivery", 4),
        ("def test_a_whole_meeting", 1),
        ("def test_a_standard_webhooks_receiver", 2),
        ("def test_slack_app_mention", 2),
        ("def test_a_provider_of_ones_own", 1),
        ("def test_a_scenario_of_ones_own", 1),
    ],
    ids=[
        "retries-and-ordering",
        "scenarios",
        "standard-webhooks",
        "slack",
        "own-provider",
        "own-scenario",
    ],
)
def test_readme_examples_run(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, marker: str, tests: int
) -> None:
    monkeypatch.delenv("ZOOM_WEBHOOK_SECRET_TOKEN", raising=False)
    monkeypatch.delenv("STANDARD_WEBHOOKS_SECRET", raising=False)
    monkeypatch.delenv("SLACK_SIGNING_SECRET", raising=False)
    example = _block(marker)
    if "def app(" not in example and "def create_app(" not in example:
        example = APP_FIXTURE + "\n\n" + example
    pytester.syspathinsert(ROOT)
    pytester.makepyfile(test_example=example)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=tests)


def test_first_example_runs_as_written_outside_the_repository(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first example is a whole test file: saved on its own and run by pytest in another
    directory, with hookmock installed and nothing of the repository on the path, it passes."""
    example = _block("def create_app(secret_token):")
    assert README.index(example) < README.index("## Cheat sheet")
    assert not re.search(r"^\s*(from|import) (examples|tests)\b", example, flags=re.M)
    pytester.makepyfile(test_zoom_webhook=example)
    monkeypatch.delenv("PYTHONPATH", raising=False)
    monkeypatch.delenv("ZOOM_WEBHOOK_SECRET_TOKEN", raising=False)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)


def test_django_excerpt_is_the_example_test() -> None:
    """The Django excerpt in the README is code from the example project's test file."""
    excerpt = _block("def test_recording_is_stored_once(zoom, webhook_app):")
    source = (ROOT / "examples" / "django_receiver" / "test_app.py").read_text(encoding="utf-8")
    lines = {line.strip() for line in source.splitlines()}
    missing = [line for line in excerpt.splitlines() if line.strip() and line.strip() not in lines]
    assert not missing


def test_readme_cites_only_what_is_shipped() -> None:
    assert "ZOOM.md" not in README
    links = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", README)
    relative = [link for link in links if "://" not in link]
    assert relative, "the README links to the examples"
    for link in relative:
        assert not link.startswith(".."), f"the README links outside the repository: {link}"
        assert (ROOT / link).exists(), f"the README links to {link}, which does not exist"
    assert "https://developers.zoom.us/docs/api/webhooks/" in README


def test_readme_names_every_cli_command() -> None:
    from hookmock.cli import _COMMANDS

    for command in _COMMANDS:
        assert f"hookmock {command}" in README


def test_readme_lists_every_conformance_check() -> None:
    from hookmock.providers.zoom.battery import CHECKS

    for check in CHECKS:
        assert f"| `{check.id}` | {check.severity.value} | {check.title} |" in README
