"""The public API: explicit, complete and sorted."""

from __future__ import annotations

import hookmock


def test_all_is_sorted_and_complete() -> None:
    exported = set(hookmock._EXPORTS) | {"__version__"}
    assert exported == set(hookmock.__all__)
    assert hookmock.__all__ == sorted(hookmock.__all__, key=lambda n: (n.isupper() is False, n))
    for name in hookmock.__all__:
        assert getattr(hookmock, name) is not None
    assert set(hookmock.__all__) <= set(dir(hookmock))


def test_unknown_attribute() -> None:
    import pytest

    with pytest.raises(AttributeError, match="module 'hookmock' has no attribute 'Nope'"):
        hookmock.Nope  # noqa: B018


def test_import_is_light() -> None:
    import subprocess
    import sys

    code = (
        "import sys, hookmock.plugin; "
        "print(sorted(m for m in sys.modules if m.startswith('hookmock')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['hookmock', 'hookmock.plugin']"


def test_version_matches_the_distribution() -> None:
    from importlib.metadata import version

    assert hookmock.__version__ == version("hookmock")
