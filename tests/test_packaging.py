"""The built wheel carries the schemas, py.typed and entry points, and works outside the checkout.

The wheel is unpacked into a fresh virtual environment whose only other path is the project
venv's site-packages (added by a ``.pth`` line, which does not process the editable install's own
``.pth`` there), so ``import hookmock`` can only find the wheel's copy.
"""

from __future__ import annotations

import configparser
import importlib.util
import json
import os
import subprocess
import sys
import sysconfig
import tarfile
import textwrap
import venv
import zipfile
from pathlib import Path

import pytest

from hookmock.generate.catalog import event_names

PROJECT = Path(__file__).resolve().parents[1]


def _run(argv: list[str | Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    # Without the caller's PYTHON*/PYTEST* settings, which could put the checkout back in reach,
    # and without HOOKMOCK_* ones: CI's HOOKMOCK_REQUIRE_REFERENCE requires reference data that a
    # user's unpacked archive does not have beside it.
    prefixes = ("PYTHON", "PYTEST", "HOOKMOCK_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    return subprocess.run(
        [str(a) for a in argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    outdir = tmp_path_factory.mktemp("dist")
    # Without isolation when the backend is at hand: no network and a fraction of the time.
    isolation = ["--no-isolation"] if importlib.util.find_spec("hatchling") else []
    built = _run(
        [sys.executable, "-m", "build", "--wheel", *isolation, "--outdir", outdir, PROJECT],
        cwd=outdir,
    )
    assert built.returncode == 0, f"building the wheel failed:\n{built.stdout}\n{built.stderr}"
    (found,) = outdir.glob("hookmock-*.whl")
    return found


@pytest.fixture(scope="module")
def fresh_python(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The python of a new venv with the wheel unpacked into it and the dependencies on a path."""
    root = tmp_path_factory.mktemp("venv")
    venv.create(root, with_pip=False)
    python = root / "bin" / "python"
    purelib = _run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], root)
    site_packages = Path(purelib.stdout.strip())
    assert site_packages.is_dir(), purelib.stderr
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site_packages)
    dependencies = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    (site_packages / "hookmock_test_dependencies.pth").write_text(
        "".join(f"{path}\n" for path in sorted(dependencies)), encoding="utf-8"
    )
    return python


def test_wheel_contents(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        (entry_points_txt,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        entry_points = configparser.ConfigParser()
        entry_points.read_string(archive.read(entry_points_txt).decode("utf-8"))
    assert "hookmock/py.typed" in names
    assert "hookmock/generate/data/pools.json" in names
    assert {
        "hookmock/providers/slack/data/events_api.json",
        "hookmock/providers/slack/data/LICENSE.slack-api-specs",
    } <= names
    assert {
        "hookmock/server/assets/index.html",
        "hookmock/server/assets/page.js",
        "hookmock/server/assets/page.css",
    } <= names
    assert "hookmock/schemas/zoom/meeting.started.json" in names
    shipped = {
        n.removeprefix("hookmock/schemas/zoom/").removesuffix(".json")
        for n in names
        if n.startswith("hookmock/schemas/zoom/") and not n.rsplit("/", 1)[1].startswith("_")
    }
    assert shipped == set(event_names("zoom"))
    assert entry_points["pytest11"]["hookmock"] == "hookmock.plugin"
    assert entry_points["console_scripts"]["hookmock"] == "hookmock.cli:main"
    assert not [n for n in names if n.startswith(("tests/", "examples/", "schemas/"))]


def test_library_works_outside_the_checkout(fresh_python: Path, tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import json, sys
        import hookmock
        from hookmock.generate.catalog import event_names
        event = hookmock.Zoom(secret_token="x", seed=1).fake("recording.completed")
        slack = hookmock.Slack(secret="x", seed=1).fake("app_mention")
        print(json.dumps({"file": hookmock.__file__, "prefix": sys.prefix,
                          "event": event.data["event"], "names": event_names("zoom"),
                          "slack": slack.data["event"]["type"]}))
        """
    )
    done = _run([fresh_python, "-c", script], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert Path(found["file"]).is_relative_to(fresh_python.parent.parent), found["file"]
    assert not Path(found["file"]).is_relative_to(PROJECT)
    assert found["event"] == "recording.completed"
    assert found["names"] == list(event_names("zoom"))
    assert found["slack"] == "app_mention"

    cli = _run([fresh_python, "-m", "hookmock", "events", "meeting."], cwd=tmp_path)
    assert cli.returncode == 0, cli.stderr
    assert "meeting.started" in cli.stdout.splitlines()


TEST_WITH_FIXTURE = """
import json
import sys

import pytest
from werkzeug.wrappers import Request, Response

import hookmock
from hookmock.providers.zoom import encrypted_token, verify

SECRET = "wheel-secret"


@Request.application
def receiver(request):
    body = request.get_data()
    headers = request.headers
    if not verify(SECRET, headers["x-zm-request-timestamp"], body, headers["x-zm-signature"]):
        return Response(status=401)
    data = json.loads(body)
    if data["event"] == "endpoint.url_validation":
        plain = data["payload"]["plainToken"]
        answer = {"plainToken": plain, "encryptedToken": encrypted_token(SECRET, plain)}
        return Response(json.dumps(answer), status=200, mimetype="application/json")
    return Response(status=204)


@pytest.mark.hookmock(secret_token=SECRET)
def test_zoom_fixture_from_the_wheel(zoom, request):
    assert hookmock.__file__.startswith(sys.prefix), hookmock.__file__
    plugin = request.config.pluginmanager.get_plugin("hookmock")  # its entry point's name
    assert plugin.__file__.startswith(sys.prefix), plugin.__file__
    zoom.subscribe(receiver, path="/zoom/webhook", events=["meeting.started"])
    zoom.send("meeting.started").assert_acknowledged()
    assert len(zoom.deliveries) == 2
"""


def test_plugin_loads_from_the_wheel(fresh_python: Path, tmp_path: Path) -> None:
    (tmp_path / "test_wheel_plugin.py").write_text(TEST_WITH_FIXTURE, encoding="utf-8")
    done = _run([fresh_python, "-m", "pytest", "-p", "no:cacheprovider"], cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "hookmock: provider zoom, seed " in done.stdout
    assert "1 passed" in done.stdout


# -- the sdist ------------------------------------------------------------------------------------

#: Tests run from the unpacked sdist: the messages, signing, the README's examples and every
#: example receiver's own suite (they need the sdist's tests/, examples/ and conftest.py).
SDIST_TESTS = [
    "tests/test_assertions.py",
    "tests/test_signing.py",
    "tests/test_readme.py",
    "tests/test_report_excerpts.py",
    "examples",
]


@pytest.fixture(scope="module")
def unpacked_sdist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    outdir = tmp_path_factory.mktemp("sdist")
    isolation = ["--no-isolation"] if importlib.util.find_spec("hatchling") else []
    built = _run(
        [sys.executable, "-m", "build", "--sdist", *isolation, "--outdir", outdir, PROJECT],
        cwd=outdir,
    )
    assert built.returncode == 0, f"building the sdist failed:\n{built.stdout}\n{built.stderr}"
    (archive,) = outdir.glob("hookmock-*.tar.gz")
    with tarfile.open(archive) as tar:
        tar.extractall(outdir / "unpacked", filter="data")  # Python 3.11.4 and later
    (root,) = (outdir / "unpacked").iterdir()
    return root


def test_sdist_contents(unpacked_sdist: Path) -> None:
    for name in ("LICENSE", "README.md", "CHANGELOG.md", "conftest.py", "pyproject.toml"):
        assert (unpacked_sdist / name).is_file(), name
    assert "MIT License" in (unpacked_sdist / "LICENSE").read_text(encoding="utf-8")
    for name in [*SDIST_TESTS, "schemas/zoom/meeting.started.json", "tools"]:
        assert (unpacked_sdist / name).exists(), name
    metadata = (unpacked_sdist / "PKG-INFO").read_text(encoding="utf-8")
    assert "License-File: LICENSE" in metadata
    assert "Project-URL: Homepage, https://github.com/hookmock/hookmock" in metadata
    for version in ("3.11", "3.12", "3.13"):
        assert f"Classifier: Programming Language :: Python :: {version}\n" in metadata
    assert not list(unpacked_sdist.rglob("__pycache__"))


def test_sdist_tests_run(unpacked_sdist: Path) -> None:
    # From the unpacked directory, its own hookmock comes first on the path (before the
    # development install's).
    where = _run(
        [sys.executable, "-c", "import hookmock.plugin as p; print(p.__file__)"], unpacked_sdist
    )
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(unpacked_sdist)
    done = _run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *SDIST_TESTS],
        cwd=unpacked_sdist,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    summary = done.stdout.strip().splitlines()[-1]
    passed = int(summary.split(" passed")[0].split()[-1])
    assert passed >= 25, summary
    assert " failed" not in summary and " error" not in summary, summary
