"""The virtual environments the start-up figures run in, made once and kept in ``.bench-venvs/``.

- ``bare``: pytest alone, at the version of the environment running the benchmarks.
- ``hookmock``: the same pytest and hookmock installed from this checkout as a user installs it
  (a wheel, not an editable install), with its dependencies; reinstalled when the package's
  sources change.
- ``peer``: the same pytest and pytest-httpserver, the peer hookmock's mock server is compared
  with (installed here only: the test suite does not use it).
- ``rev-SHA``: hookmock as of an older commit, for ``--against``.

pip installs from its cache once a package was downloaded; ``make clean`` removes them all.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("HOOKMOCK_BENCH_VENVS", ROOT / ".bench-venvs"))
#: What makes the installed hookmock differ from the checkout: its sources and its metadata.
SOURCES = ("hookmock", "schemas", "pyproject.toml")


class VenvError(Exception):
    """A virtual environment could not be made."""


def _pip(python: Path, *args: str) -> None:
    proc = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise VenvError(f"pip install {' '.join(args)} failed:\n{proc.stdout}{proc.stderr}")


def _tree_hash(root: Path, parts: tuple[str, ...]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        path = root / part
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for file in files:
            if file.is_file() and "__pycache__" not in file.parts:
                digest.update(str(file.relative_to(root)).encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()[:16]


def _python(name: str) -> Path:
    return CACHE / name / "bin" / "python"


def _ensure(name: str, key: str, packages: list[str]) -> Path:
    """The venv *name*, with *packages* installed; remade when *key* changed."""
    python = _python(name)
    stamp = CACHE / name / ".bench-installed"
    if python.exists() and stamp.exists() and stamp.read_text() == key:
        return python
    print(f"  setting up {CACHE / name} (once; pip installs from its cache)...", flush=True)
    if not python.exists():
        proc = subprocess.run(
            [sys.executable, "-m", "venv", str(CACHE / name)],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise VenvError(f"python -m venv {CACHE / name} failed:\n{proc.stderr}")
    _pip(python, *packages)
    stamp.write_text(key)
    return python


def pytest_requirement() -> str:
    return f"pytest=={importlib.metadata.version('pytest')}"


def bare() -> Path:
    pin = pytest_requirement()
    return _ensure("bare", pin, [pin])


def peer() -> Path:
    pin = pytest_requirement()
    return _ensure("peer", pin + " pytest-httpserver", [pin, "pytest-httpserver"])


def with_hookmock() -> Path:
    """The venv with this checkout's hookmock installed from a wheel."""
    pin = pytest_requirement()
    key = pin + " " + _tree_hash(ROOT, SOURCES)
    python = _python("hookmock")
    stamp = CACHE / "hookmock" / ".bench-installed"
    if python.exists() and stamp.exists() and stamp.read_text() == key:
        return python
    _ensure("hookmock", "deps " + key, [pin, str(ROOT)])
    # Same version number, new sources: pip would keep the old build without being forced.
    _pip(python, "--no-deps", "--force-reinstall", str(ROOT))
    stamp.write_text(key)
    return python


def at_revision(rev: str) -> tuple[Path, str]:
    """A venv with hookmock as of git revision *rev*; returns its python and the full SHA."""
    proc = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--verify", f"{rev}^{{commit}}"],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise VenvError(f"--against {rev}: not a commit of this repository ({proc.stderr.strip()})")
    sha = proc.stdout.strip()
    name = f"rev-{sha[:12]}"
    python = _python(name)
    stamp = CACHE / name / ".bench-installed"
    if python.exists() and stamp.exists() and stamp.read_text() == sha:
        return python, sha
    with tempfile.TemporaryDirectory(prefix="hookmock-rev-") as tmp:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", "--format=tar", sha],
            capture_output=True,
            check=False,
        )
        if archive.returncode != 0:
            raise VenvError(f"git archive {sha} failed: {archive.stderr.decode(errors='replace')}")
        subprocess.run(["tar", "-x", "-C", tmp], input=archive.stdout, check=True)
        _ensure(name, "deps " + sha, [pytest_requirement(), tmp])
    stamp.write_text(sha)
    return python, sha
