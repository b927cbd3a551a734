"""The conformance report: a verdict per check, latency figures, and the ways to show them
(a table for people, JSON and JUnit XML for CI)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .checks import CheckResult, Verdict

__all__ = ["ConformanceReport"]


@dataclass
class ConformanceReport:
    """The results of a conformance run against one receiver.

    :ivar target: the endpoint URL.
    :ivar results: one :class:`~hookmock.checks.CheckResult` per check, in the order they ran.
    :ivar latency: figures over the acknowledged deliveries: ``count``, ``p50_ms``, ``p95_ms``,
        ``max_ms``.
    """

    target: str
    results: list[CheckResult]
    latency: dict[str, float | int]
    tolerance: float = 300.0

    @property
    def passed(self) -> bool:
        """True when no error-severity check failed (warnings do not count)."""
        return not self.failures

    @property
    def failures(self) -> list[CheckResult]:
        return [r for r in self.results if r.outcome is Verdict.FAIL]

    @property
    def warnings(self) -> list[CheckResult]:
        return [r for r in self.results if r.outcome is Verdict.WARN]

    def __getitem__(self, check_id: str) -> CheckResult:
        for result in self.results:
            if result.id == check_id:
                return result
        raise KeyError(check_id)

    def assert_passed(self) -> None:
        """Fail listing every failed check with its detail, unless all error checks passed."""
        __tracebackhide__ = True
        if self.passed:
            return
        failed = self.failures
        lines = [
            f"expected {self.target} to pass every conformance check; {len(failed)} of "
            f"{len(self.results)} failed: {', '.join(r.id for r in failed)}",
        ]
        for result in failed:
            lines.append(f"[{result.id}] {result.title}")
            lines += ["  " + line for line in result.detail.splitlines()]
        for result in self.warnings:
            lines.append(f"(warning) [{result.id}] {result.title}: {result.detail.splitlines()[0]}")
        raise AssertionError("\n".join(lines))

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "passed": self.passed,
            "tolerance_s": self.tolerance,
            "checks": [
                {
                    "id": r.id,
                    "title": r.title,
                    "severity": r.severity.value,
                    "outcome": r.outcome.value,
                    "detail": r.detail,
                    "elapsed_ms": round(r.elapsed * 1000, 2),
                }
                for r in self.results
            ],
            "latency": self.latency,
        }

    def table(self) -> str:
        """A plain-text table: one row per check, the detail of each failure under its row."""
        width = max(len(r.id) for r in self.results) if self.results else 10
        lines = [f"hookmock check {self.target}", ""]
        for result in self.results:
            mark = {Verdict.PASS: "PASS", Verdict.FAIL: "FAIL", Verdict.WARN: "WARN"}[
                result.outcome
            ]
            lines.append(f"{mark}  {result.id:<{width}}  {result.title}")
            if result.outcome is not Verdict.PASS:
                lines += ["      " + line for line in result.detail.splitlines()]
        counts = {v: sum(r.outcome is v for r in self.results) for v in Verdict}
        lines.append("")
        lines.append(
            f"{counts[Verdict.PASS]} passed, {counts[Verdict.FAIL]} failed, "
            f"{counts[Verdict.WARN]} warnings"
        )
        if self.latency.get("count"):
            lines.append(
                f"latency over {self.latency['count']} acknowledged deliveries: "
                f"p50 {self.latency['p50_ms']} ms, p95 {self.latency['p95_ms']} ms, "
                f"max {self.latency['max_ms']} ms"
            )
        return "\n".join(lines)

    def to_junit_xml(self) -> str:
        """JUnit XML: one testcase per check; failures carry the detail, warnings pass with it."""
        import xml.etree.ElementTree as ET

        suite = ET.Element(
            "testsuite",
            name="hookmock.conformance",
            tests=str(len(self.results)),
            failures=str(len(self.failures)),
            errors="0",
            skipped="0",
            time=f"{sum(r.elapsed for r in self.results):.3f}",
        )
        ET.SubElement(
            ET.SubElement(suite, "properties"), "property", name="target", value=self.target
        )
        for result in self.results:
            case = ET.SubElement(
                suite,
                "testcase",
                classname="hookmock.conformance",
                name=result.id,
                time=f"{result.elapsed:.3f}",
            )
            if result.outcome is Verdict.FAIL:
                failure = ET.SubElement(case, "failure", message=result.title, type="conformance")
                failure.text = result.detail
            elif result.outcome is Verdict.WARN:
                ET.SubElement(case, "system-out").text = f"WARNING: {result.detail}"
        root = ET.Element("testsuites")
        root.append(suite)
        ET.indent(root)
        return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode")
