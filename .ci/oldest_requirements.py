"""Print the development extra of pyproject.toml, one requirement a line, for the run against the
oldest dependencies: less the linters, which that run does not use, and Schemathesis,
pytest-asyncio and Locust, which need pytest 8 (8.3 for Locust's recent releases; their tests are
left out of that run), and the pinned faker that rebuilds the value pools (that run uses the oldest faker hookmock allows)."""

from __future__ import annotations

import tomllib
from pathlib import Path

#: Left out of the oldest-dependency run.
SKIPPED = ("mypy", "ruff", "types-", "schemathesis", "pytest-asyncio", "faker", "locust")

pyproject = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text("utf-8"))
for requirement in pyproject["project"]["optional-dependencies"]["dev"]:
    if not requirement.startswith(SKIPPED):
        print(requirement)
