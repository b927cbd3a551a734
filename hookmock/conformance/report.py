"""The conformance report: a verdict per check, the root causes behind the failures, latency
figures, and the ways to show them (a table for people, JSON and JUnit XML for CI)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..engine.delivery import Delivery
from .base import CheckResult, Severity, Verdict
from .rootcauses import Facts, RootCause

__all__ = ["ConformanceReport"]

_MARKS = {
    Verdict.PASS: "PASS",
    Verdict.FAIL: "FAIL",
    Verdict.WARN: "WARN",
    Verdict.INCONCLUSIVE: "INCONCLUSIVE",
}


@dataclass
class ConformanceReport:
    """The results of a conformance run against one receiver.

    :ivar target: the endpoint URL.
    :ivar results: one :class:`~hookmock.conformance.checks.CheckResult` per check, in the order
        they ran.
    :ivar latency: figures over the acknowledged deliveries: ``count``, ``p50_ms``, ``p95_ms``,
        ``max_ms``.
    :ivar root_causes: the likely defects behind the failures, most fundamental first, each with
        the checks it explains.
    :ivar diagnostics: deliveries made outside any check (finding an acknowledged event type,
        telling causes apart, the control after the forgeries).
    """

    target: str
    results: list[CheckResult]
    latency: dict[str, float | int]
    tolerance: float = 300.0
    root_causes: list[RootCause] = field(default_factory=list)
    facts: Facts | None = None
    diagnostics: list[Delivery] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when no error-severity check failed or was inconclusive (warnings do not count)."""
        return not self.failures and not self.blocking_inconclusive

    @property
    def failures(self) -> list[CheckResult]:
        return [r for r in self.results if r.outcome is Verdict.FAIL]

    @property
    def warnings(self) -> list[CheckResult]:
        return [r for r in self.results if r.outcome is Verdict.WARN]

    @property
    def inconclusive(self) -> list[CheckResult]:
        return [r for r in self.results if r.outcome is Verdict.INCONCLUSIVE]

    @property
    def blocking_inconclusive(self) -> list[CheckResult]:
        """Inconclusive error-severity checks: what they check was not shown, so no pass."""
        return [r for r in self.inconclusive if r.severity is Severity.ERROR]

    def __getitem__(self, check_id: str) -> CheckResult:
        for result in self.results:
            if result.id == check_id:
                return result
        raise KeyError(check_id)

    @property
    def carrier(self) -> str | None:
        """The event type the forgeries and replays were carried on: the first the receiver
        acknowledged when correctly signed (None when it acknowledged none)."""
        return self.facts.carrier if self.facts is not None else None

    def cause(self, cause_id: str) -> RootCause:
        for cause in self.root_causes:
            if cause.id == cause_id:
                return cause
        raise KeyError(cause_id)

    def assert_passed(self) -> None:
        """Fail listing the root causes, then every failed and inconclusive check with its
        detail, unless every error-severity check passed."""
        __tracebackhide__ = True
        if self.passed:
            return
        failed, unsure = self.failures, self.blocking_inconclusive
        head = f"expected {self.target} to pass every conformance check; "
        parts = []
        if failed:
            parts.append(
                f"{len(failed)} of {len(self.results)} failed: {', '.join(r.id for r in failed)}"
            )
        if unsure:
            parts.append(f"{len(unsure)} inconclusive: {', '.join(r.id for r in unsure)}")
        lines = [head + "; ".join(parts)]
        lines += self._cause_lines()
        for result in (*failed, *unsure):
            lines.append(f"[{result.id}] {result.title}")
            lines += ["  " + line for line in result.shown_detail().splitlines()]
        for result in self.warnings:
            lines.append(f"(warning) [{result.id}] {result.title}: {result.detail.splitlines()[0]}")
        raise AssertionError("\n".join(lines))

    def _cause_lines(self) -> list[str]:
        lines = []
        for cause in self.root_causes:
            lines.append(f"fix first: {cause.id}: {cause.summary}")
            lines.append(f"  explains: {', '.join(cause.checks)}")
        return lines

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "passed": self.passed,
            "tolerance_s": self.tolerance,
            "carrier": self.carrier,
            "root_causes": [
                {"id": c.id, "summary": c.summary, "checks": list(c.checks)}
                for c in self.root_causes
            ],
            "checks": [
                {
                    "id": r.id,
                    "title": r.title,
                    "severity": r.severity.value,
                    "outcome": r.outcome.value,
                    "detail": r.detail,
                    "explained_by": r.explained_by,
                    "elapsed_ms": round(r.elapsed * 1000, 2),
                }
                for r in self.results
            ],
            "latency": self.latency,
        }

    def table(self) -> str:
        """Plain text: the root causes first, then one row per check with the detail of each
        check that did not pass under its row."""
        width = max((len(r.id) for r in self.results), default=10)
        mark_width = max((len(_MARKS[r.outcome]) for r in self.results), default=4)
        lines = [f"hookmock check {self.target}", ""]
        if self.facts is not None and self.facts.signed:
            if self.carrier:
                lines += [f"baseline: {self.carrier} acknowledged when correctly signed", ""]
            else:
                lines += ["baseline: no correctly signed event acknowledged", ""]
        if self.root_causes:
            import textwrap

            for cause in self.root_causes:
                wrap = textwrap.TextWrapper(
                    width=100, subsequent_indent="    ", break_on_hyphens=False
                )
                lines += wrap.wrap(f"fix first: {cause.id}: {cause.summary}")
                lines += wrap.wrap(f"  explains: {', '.join(cause.checks)}")
            lines.append("")
        for result in self.results:
            mark = _MARKS[result.outcome]
            lines.append(f"{mark:<{mark_width}}  {result.id:<{width}}  {result.title}")
            if result.outcome is not Verdict.PASS:
                shown = result.shown_detail(with_summary=False)
                lines += ["      " + line for line in shown.splitlines()]
        counts = {v: sum(r.outcome is v for r in self.results) for v in Verdict}
        lines.append("")
        summary = (
            f"{counts[Verdict.PASS]} passed, {counts[Verdict.FAIL]} failed, "
            f"{counts[Verdict.WARN]} warnings"
        )
        if counts[Verdict.INCONCLUSIVE]:
            summary += f", {counts[Verdict.INCONCLUSIVE]} inconclusive"
        lines.append(summary)
        if self.latency.get("count"):
            lines.append(
                f"latency over {self.latency['count']} acknowledged deliveries: "
                f"p50 {self.latency['p50_ms']} ms, p95 {self.latency['p95_ms']} ms, "
                f"max {self.latency['max_ms']} ms"
            )
        return "\n".join(lines)

    def to_junit_xml(self) -> str:
        """JUnit XML: one testcase per check; failures carry the detail, inconclusive checks are
        skipped with the reason, warnings pass with it."""
        import xml.etree.ElementTree as ET

        suite = ET.Element(
            "testsuite",
            name="hookmock.conformance",
            tests=str(len(self.results)),
            failures=str(len(self.failures)),
            errors="0",
            skipped=str(len(self.inconclusive)),
            time=f"{sum(r.elapsed for r in self.results):.3f}",
        )
        properties = ET.SubElement(suite, "properties")
        ET.SubElement(properties, "property", name="target", value=self.target)
        for cause in self.root_causes:
            ET.SubElement(
                properties, "property", name=f"root-cause:{cause.id}", value=cause.summary
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
                failure.text = result.shown_detail()
            elif result.outcome is Verdict.INCONCLUSIVE:
                message = result.inconclusive_reason()
                ET.SubElement(case, "skipped", message=message).text = result.shown_detail()
            elif result.outcome is Verdict.WARN:
                ET.SubElement(case, "system-out").text = f"WARNING: {result.shown_detail()}"
        root = ET.Element("testsuites")
        root.append(suite)
        ET.indent(root)
        return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode")
