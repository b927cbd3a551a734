"""`make bench` says what it is measuring, prints each figure as its benchmark finishes, and
writes every figure with its goal to a JSON file.

Only the order of the output, the shape of the file and the arithmetic of ratios are checked:
nothing here looks at a timing.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def _core() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_core", ROOT / "benchmarks" / "core.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_core"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_each_benchmark_prints_its_figures_and_writes_them_as_json(tmp_path: Path) -> None:
    out = tmp_path / "figures.json"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "run.py"),
            "--quick",
            "--only",
            "validation,retries,memory",
            "--rounds",
            "1",
            "--round-seconds",
            "0.001",
            "--memory-deliveries",
            "100",
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    first = lines.index("[1/3] memory: measuring...")
    second = lines.index("[2/3] validation: measuring...")
    third = lines.index("[3/3] retries: measuring...")
    table = lines.index("== all figures ==")
    assert first < second < third < table
    assert any(line.startswith("memory kept per delivery") for line in lines[first:second])
    assert any(line.startswith("schema_errors ") for line in lines[second:third])
    assert any(line.startswith("100 full retry chains") for line in lines[third:table])

    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["quick"] is True
    assert document["benchmarks"] == ["memory", "validation", "retries"]
    by_key = {row["key"]: row for row in document["results"]}
    assert {"memory.per_delivery", "memory.cap", "validation.schema_errors"} <= set(by_key)
    memory = by_key["memory.per_delivery"]
    assert memory["unit"] == "KB" and memory["goal"] == "<= 1.5 KB"
    assert memory["met"] == (memory["value"] <= 1.5)
    validation = by_key["validation.schema_errors"]
    assert validation["subject"]["rounds"] == validation["baseline"]["rounds"] == 1
    assert set(validation["wall_ratio"]) == {"median", "min", "max"}
    assert validation["cpu_ratio"]["median"] is not None
    assert by_key["memory.cap"]["goal"] in ("exists", "~0 KB")


def test_ratios_are_taken_per_round_in_the_direction_of_the_goal() -> None:
    core = _core()
    subject = core.Samples([2.0, 4.0, 3.0], [1.0, 2.0, 3.0])
    baseline = core.Samples([1.0, 1.0, 2.0], [1.0, 1.0, 1.0])
    as_time = core.Result("g", "k", "n", subject, baseline)
    assert as_time.wall_ratios == [2.0, 4.0, 1.5]
    assert as_time.value == 2.0  # the median of the per-round ratios, not of the times
    as_throughput = core.Result("g", "k", "n", subject, baseline, throughput=True)
    assert as_throughput.wall_ratios == [0.5, 0.25, 2.0 / 3.0]
    assert as_throughput.cpu_ratios == [1.0, 0.5, 1.0 / 3.0]
    row = as_throughput.as_json()
    assert row["ratio_kind"] == "throughput"
    assert row["wall_ratio"]["min"] == 0.25 and row["wall_ratio"]["max"] == 2.0 / 3.0
    assert row["subject"]["wall_s"]["min"] == 2.0


def test_a_figure_without_a_baseline_keeps_its_own_value() -> None:
    core = _core()
    row = core.Result("memory", "memory.cap", "cap", shown="no cap", unit="flag", met=False)
    assert row.value is None and row.wall_ratios == []
    assert row.as_json()["wall_ratio"] == {"median": None, "min": None, "max": None}
    assert "MISSED" in core.format_result(row)[0]


def _run() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "benchmarks" / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_run"] = module
    spec.loader.exec_module(module)
    return module


def test_the_shape_floor_draws_a_body_of_the_same_shape_one_value_per_leaf() -> None:
    data = {
        "event": "recording.completed",
        "payload": {"object": {"id": 7, "files": [{"a": 1.5, "b": None}, {"a": True}], "x": []}},
    }
    body, values = _run()._shape_floor(data)
    drawn = json.loads(body())
    assert values == 5  # "event", "id", and the three in "files"; an empty list holds none

    def shape(value: object) -> object:
        if isinstance(value, dict):
            return {key: shape(v) for key, v in value.items()}
        if isinstance(value, list):
            return [shape(v) for v in value]
        return "leaf"

    assert shape(drawn) == shape(data)
    leaves = drawn["payload"]["object"]["files"]
    assert all(isinstance(v, str) for item in leaves for v in item.values())
    assert body() != body()  # each call draws again
