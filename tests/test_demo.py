"""`make demo` keeps working: the demo script runs end to end and reports no surprise."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_demo_runs() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "demo.py")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "URL validation: 200" in result.stdout
    assert "meeting.started → http://127.0.0.1:" in result.stdout
    assert result.stdout.count("as expected") == 6
    from hookmock.providers.zoom.battery import CHECK_IDS

    assert f"{len(CHECK_IDS)} passed, 0 failed" in result.stdout
    assert "FAIL  valid-non-bmp" in result.stdout
    for cause in ("reserialized-body", "refuses-event-types", "no-timestamp-check"):
        assert f"fix first: {cause}: " in result.stdout
    assert "fix first: parses-before-verifying: " in result.stdout
    assert result.stdout.rstrip().endswith("== done ==")
