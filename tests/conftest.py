"""Settings every test shares."""

from __future__ import annotations

import importlib.util

import pytest


@pytest.fixture(autouse=True)
def _pytester_environment(request: pytest.FixtureRequest) -> None:
    """The pytest runs that tests start with pytester print as on a developer's machine, where
    the tests' expected output was written: pytest stops shortening long assertion messages and
    summary lines when ``CI`` or ``BUILD_NUMBER`` is set, as CI services set them. They have no
    ini file either: give them the suite's pytest-asyncio setting, or each warns that it is
    unset."""
    if "pytester" not in request.fixturenames:
        return
    # After pytester's set-up, which clears PYTEST_ADDOPTS.
    request.getfixturevalue("pytester")
    monkeypatch: pytest.MonkeyPatch = request.getfixturevalue("monkeypatch")
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("BUILD_NUMBER", raising=False)
    if importlib.util.find_spec("pytest_asyncio"):
        monkeypatch.setenv("PYTEST_ADDOPTS", "-o asyncio_default_fixture_loop_scope=function")
