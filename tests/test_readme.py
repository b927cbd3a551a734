"""The README's examples run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_cheat_sheet_runs(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZOOM_WEBHOOK_SECRET_TOKEN", raising=False)
    blocks = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    cheat_sheet = next(block for block in blocks if "def test_recording_is_stored" in block)
    pytester.syspathinsert(ROOT)
    pytester.makepyfile(test_cheat_sheet=cheat_sheet)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=3)


def test_readme_names_every_cli_command() -> None:
    from hookmock.cli import _COMMANDS

    for command in _COMMANDS:
        assert f"hookmock {command}" in README


def test_readme_lists_every_conformance_check() -> None:
    from hookmock.checks import CHECKS

    for check in CHECKS:
        assert f"| `{check.id}` | {check.severity.value} | {check.title} |" in README


def test_retries_section_runs(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZOOM_WEBHOOK_SECRET_TOKEN", raising=False)
    blocks = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    section = next(block for block in blocks if "def test_a_timed_out_delivery" in block)
    pytester.syspathinsert(ROOT)
    pytester.makepyfile(test_retries=section)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=4)
