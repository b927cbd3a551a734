"""The public API: explicit, complete and sorted."""

from __future__ import annotations

import hookmock


def test_all_is_sorted_and_complete() -> None:
    public = {
        name
        for name in vars(hookmock)
        if not name.startswith("_")
        and name != "annotations"  # from __future__ import annotations
        and not isinstance(getattr(hookmock, name), type(hookmock))  # submodules
    }
    assert public | {"__version__"} == set(hookmock.__all__)
    assert hookmock.__all__ == sorted(hookmock.__all__, key=lambda n: (n.isupper() is False, n))


def test_version_matches_the_distribution() -> None:
    from importlib.metadata import version

    assert hookmock.__version__ == version("hookmock")
