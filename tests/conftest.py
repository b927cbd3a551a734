"""Settings every test shares."""

from __future__ import annotations

import importlib.util

import pytest


@pytest.fixture(autouse=True)
def _pytester_loop_scope(request: pytest.FixtureRequest) -> None:
    """The pytest runs that tests start with pytester have no ini file: give them the suite's
    pytest-asyncio setting, or each warns that it is unset."""
    if "pytester" in request.fixturenames and importlib.util.find_spec("pytest_asyncio"):
        # After pytester's set-up, which clears PYTEST_ADDOPTS.
        request.getfixturevalue("pytester")
        monkeypatch: pytest.MonkeyPatch = request.getfixturevalue("monkeypatch")
        monkeypatch.setenv("PYTEST_ADDOPTS", "-o asyncio_default_fixture_loop_scope=function")
