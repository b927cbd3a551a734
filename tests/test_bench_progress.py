"""`make bench` says what it is measuring and prints each figure as its benchmark finishes.

Only the order of the output is checked: nothing here looks at a timing.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_each_benchmark_prints_its_figures_when_it_finishes() -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "run.py"),
            "--only",
            "validation,retries",
            "--rounds",
            "1",
            "--round-seconds",
            "0.001",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    first = lines.index("[1/2] validation: measuring...")
    second = lines.index("[2/2] retries: measuring...")
    table = lines.index("== all figures ==")
    assert first < second < table
    assert any(line.startswith("schema_errors ") for line in lines[first:second])
    assert any(line.startswith("100 full retry chains") for line in lines[second:table])
