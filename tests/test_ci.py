"""What CI runs; the oldest dependency versions it tests are pyproject.toml's minimums."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    not (ROOT / ".ci" / "run").is_file(),
    reason="no CI files here (a source distribution's tests run without them)",
)


def _minimums() -> dict[str, str]:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    found = {}
    for requirement in pyproject["project"]["dependencies"]:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)>=([0-9.]+)", requirement)
        assert match, f"{requirement!r}: a runtime dependency is declared as name>=minimum"
        found[match.group(1).lower()] = match.group(2)
    return found


def _pins() -> dict[str, str]:
    found = {}
    for line in (ROOT / "constraints-oldest.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            found[name.lower()] = version
    return found


def _padded(version: str) -> tuple[int, ...]:
    parts = tuple(int(p) for p in version.split("."))
    return parts + (0,) * (3 - len(parts))


def test_constraints_pin_each_runtime_dependency_to_its_declared_minimum() -> None:
    minimums, pins = _minimums(), _pins()
    assert sorted(pins) == sorted(minimums)
    differ = {n: (pins[n], minimums[n]) for n in pins if _padded(pins[n]) != _padded(minimums[n])}
    assert differ == {}, "constraints-oldest.txt pin vs pyproject.toml minimum"


def test_the_oldest_run_installs_the_dev_extra_less_linters_and_schemathesis() -> None:
    script = ROOT / ".ci" / "oldest_requirements.py"
    listed = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, check=True
    ).stdout.split()
    assert "pytest-xdist>=3.5" in listed and "hypothesis>=6.100" in listed
    assert not [r for r in listed if r.startswith(("mypy", "ruff", "schemathesis", "types-"))]


def test_ci_runs_lint_the_suite_and_the_oldest_dependencies() -> None:
    run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = [line for line in run.splitlines() if line.startswith("make ")]
    assert commands == ["make lint", "make test", "make test-oldest"]
