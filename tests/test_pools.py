"""The value pools: built by ``tools/build_pools.py`` with faker, shipped, read without faker.

The check that the shipped file is what the tool builds needs the faker version the file records
(the development extra pins it); with another faker it skips, unless ``HOOKMOCK_REQUIRE_POOLS``
is set (CI sets it), which makes a different faker an error.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

from hookmock.generate import kinds

ROOT = Path(__file__).resolve().parent.parent
TOOL = ROOT / "tools" / "build_pools.py"
SHIPPED = ROOT / "hookmock" / "generate" / "data" / "pools.json"


@pytest.fixture(scope="module")
def tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_pools", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _require_recorded_faker(tool: ModuleType) -> None:
    """Skip (or fail, with HOOKMOCK_REQUIRE_POOLS set) unless faker is the version the file
    records: another version may draw other values from the same seed."""
    recorded = json.loads(SHIPPED.read_text(encoding="utf-8"))["faker"]
    try:
        installed = tool.faker_version()
    except ImportError:
        installed = None
    if installed == recorded:
        return
    reason = (
        f"hookmock/generate/data/pools.json was built with faker {recorded}, and faker "
        f"{installed or 'is not installed'} here: pip install faker=={recorded} "
        "(the development extra pins it)"
    )
    if os.environ.get("HOOKMOCK_REQUIRE_POOLS"):
        pytest.fail(f"{reason}; HOOKMOCK_REQUIRE_POOLS is set, so this is not skipped")
    pytest.skip(reason)


def test_the_shipped_pools_are_what_the_tool_builds(tool: ModuleType) -> None:
    _require_recorded_faker(tool)
    built = tool.render(tool.build())
    assert json.loads(built)["seed"] == tool.SEED
    assert SHIPPED.read_text(encoding="utf-8") == built, (
        "hookmock/generate/data/pools.json differs from what tools/build_pools.py builds: "
        "rebuild it"
    )


def test_the_tools_check_passes_on_the_shipped_pools(tool: ModuleType) -> None:
    _require_recorded_faker(tool)
    done = subprocess.run(
        [sys.executable, str(TOOL), "--check"], capture_output=True, text=True, check=False
    )
    assert (done.returncode, done.stderr) == (0, "")


def test_the_shipped_file_says_how_it_was_made() -> None:
    content = json.loads(SHIPPED.read_text(encoding="utf-8"))
    assert sorted(content) == ["faker", "locale", "pools", "seed"]
    assert (content["locale"], content["seed"]) == ("en_US", 20221024)
    assert content["faker"].count(".") == 2, content["faker"]
    for name, values in content["pools"].items():
        assert values, f"pool {name!r} is empty"
        assert len(set(values)) == len(values), f"pool {name!r} has duplicates"
        assert all(isinstance(v, str) and v for v in values), name


def test_the_pools_are_the_shipped_ones_and_the_written_out_ones() -> None:
    pools = kinds.pools()
    shipped = json.loads(SHIPPED.read_text(encoding="utf-8"))["pools"]
    assert {name: list(pools[name]) for name in shipped} == shipped
    assert pools["department"][0] == "Sales"
    assert set(pools) > set(shipped)


def test_missing_pools_say_how_to_fix_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Neither beside the module nor where importlib.resources looks (an installed zip archive).
    monkeypatch.setattr(kinds, "__file__", str(tmp_path / "kinds.py"))
    monkeypatch.setattr("importlib.resources.files", lambda package: tmp_path)
    with pytest.raises(RuntimeError) as raised:
        kinds.pools.__wrapped__()
    assert str(raised.value) == (
        "hookmock's value pools are missing (hookmock/generate/data/pools.json: No such file or "
        "directory); reinstall hookmock, or in a checkout run python tools/build_pools.py"
    )


#: Generates and sends events in a new process, then says whether faker was imported.
WITHOUT_FAKER = textwrap.dedent(
    """
    import json, sys
    from hookmock.providers.zoom import Zoom, encrypted_token

    def app(environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        data = json.loads(body)
        if data["event"] == "endpoint.url_validation":
            plain = data["payload"]["plainToken"]
            answer = {"plainToken": plain, "encryptedToken": encrypted_token("secret", plain)}
            start_response("200 OK", [("Content-Type", "application/json")])
            return [json.dumps(answer).encode()]
        start_response("204 No Content", [])
        return [b""]

    zoom = Zoom(secret_token="secret", seed=7)
    events = ["meeting.started", "meeting.participant_joined", "recording.completed"]
    zoom.subscribe(app, events=events)
    sent = [json.loads(zoom.send(name).request.body) for name in events]
    topics = [body["payload"]["object"]["topic"] for body in sent]
    names = [zoom.fake("user.created").data["payload"]["object"]["first_name"] for _ in range(3)]
    print(json.dumps({"faker": "faker" in sys.modules, "values": topics + names}))
    """
)


def test_generating_and_sending_events_does_not_import_faker() -> None:
    done = subprocess.run(
        [sys.executable, "-c", WITHOUT_FAKER], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["faker"] is False
    pools = kinds.pools()
    values = found["values"]
    assert all(topic in pools["topic"] for topic in values[:3]), values
    assert all(name in pools["first_name"] for name in values[3:]), values


def test_zoom_faker_is_seeded_from_the_providers_seed() -> None:
    from hookmock import Zoom

    first, again, other = (Zoom(secret_token="s", seed=seed) for seed in (11, 11, 12))
    assert first.faker is first.faker  # one instance: its sequence goes on
    drawn = [first.faker.name() for _ in range(5)]
    assert drawn == [again.faker.name() for _ in range(5)]
    assert drawn != [other.faker.name() for _ in range(5)]


def test_the_zoom_fixture_faker_replays_with_the_test_seed(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_names(zoom):
            print("NAMES", [zoom.faker.name() for _ in range(3)])
        """
    )
    runs = [
        pytester.runpytest("-s", "--hookmock-seed=5", "-p", "no:cacheprovider") for _ in range(2)
    ]
    lines = [
        [line.partition("NAMES")[2] for line in run.outlines if "NAMES" in line] for run in runs
    ]
    assert lines[0] and lines[0] == lines[1]
