"""Test gates: concatenate the component's JUnit reports; point at the failing (or flaky) tests."""

from __future__ import annotations

from collections.abc import Sequence

from qualitygate.model import Report, TestCase, TestReport, TestStatus
from qualitygate.policy import Gate, Policy
from qualitygate.rules.base import MAX_EVIDENCE, Measured, in_scope, missing, of_type
from qualitygate.verdict import Evidence

_FAILING = (TestStatus.FAILED, TestStatus.ERROR)


def _evidence(case: TestCase) -> Evidence:
    first = (case.message or "").strip().splitlines()
    return Evidence(
        kind="test",
        title=case.id,
        path=case.file,
        line=case.line,
        value=case.time_s,
        unit="s" if case.time_s is not None else None,
        detail=(f"{case.status.value}: {first[0][:300]}" if first else case.status.value)
        + (" (passed on retry)" if case.flaky and case.status is TestStatus.PASSED else ""),
    )


def measure(gate: Gate, policy: Policy, reports: Sequence[Report]) -> Measured:
    cases = [c for r in of_type(reports, TestReport) for c in r.cases if in_scope(c.file, gate.paths)]
    if not cases:
        where = f" under {', '.join(gate.paths)}" if gate.paths else ""
        return missing(f"the test reports hold no test case{where}: the tests did not run")
    merged = TestReport(path="", kind="junit", cases=cases)
    metrics = merged.metrics()
    metrics["tests.failing"] = metrics["tests.failed"] + metrics["tests.errors"]
    value = metrics.get(gate.metric)
    if value is None:
        return missing(f"{gate.metric} cannot be computed: every test was skipped")
    if gate.metric == "tests.flaky":
        picked = [c for c in cases if c.flaky]
    elif gate.metric == "tests.skipped":
        picked = [c for c in cases if c.status is TestStatus.SKIPPED]
    else:
        picked = [c for c in cases if c.status in _FAILING]
    note = None
    if picked and gate.metric != "tests.skipped":
        note = f"first: {picked[0].id}"
    return Measured(
        float(value),
        evidence=[_evidence(c) for c in picked[:MAX_EVIDENCE]],
        evidence_total=len(picked),
        note=note,
    )
