"""Test gates: concatenate the component's JUnit reports; point at the failing (or flaky) tests."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from qualitygate.model import Metrics, Report, TestCase, TestReport, TestStatus
from qualitygate.policy import Gate, Policy
from qualitygate.rules.base import Measured, in_scope, no_data, of_type, once
from qualitygate.verdict import Evidence

_FAILING = (TestStatus.FAILED, TestStatus.ERROR)


def _evidence(case: TestCase) -> Evidence:
    first = (case.message or "").strip().splitlines()
    return Evidence(
        kind="test",
        title=f"[{case.project}] {case.id}" if case.project else case.id,
        path=case.file,
        line=case.line,
        value=case.time_s,
        unit="s" if case.time_s is not None else None,
        detail=(f"{case.status.value}: {first[0][:300]}" if first else case.status.value)
        + (" (passed on retry)" if case.flaky and case.status is TestStatus.PASSED else ""),
    )


# Which test cases explain each metric (everything else: the failing ones).
_PICKERS: dict[str, Callable[[TestCase], bool]] = {
    "tests.flaky": lambda c: c.flaky,
    "tests.skipped": lambda c: c.status is TestStatus.SKIPPED,
}


def _failing(case: TestCase) -> bool:
    return case.status in _FAILING


def _no_cases(gate: Gate) -> Measured:
    where = f" under {', '.join(gate.paths)}" if gate.paths else ""
    where += f" in Playwright project {gate.project!r}" if gate.project else ""
    return no_data(f"the test reports hold no test case{where}: the tests did not run")


def _cases(gate: Gate, tests: list[TestReport]) -> list[TestCase]:
    """The test cases under the gate's paths and, with ``project:``, of that Playwright project only."""
    cases = [c for r in tests for c in r.cases if in_scope(c.file, gate.paths)]
    if gate.project is not None:
        cases = [c for c in cases if c.project == gate.project]
    return cases


def _counted(cases: list[TestCase], tests: list[TestReport]) -> Metrics:
    retries = any(r.retries_measured for r in tests)
    metrics = TestReport(path="", kind="junit", cases=cases, retries_measured=retries).metrics()
    metrics["tests.failing"] = metrics["tests.failed"] + metrics["tests.errors"]
    return metrics


def scoped(gate: Gate, tests: list[TestReport]) -> tuple[list[TestCase], Metrics]:
    """The cases in the gate's scope and their metrics, counted once per (reports, paths, project): every
    test gate of one scope reads the same (not to be changed)."""
    if not tests:
        return [], {}
    return once(tests, ("tests", gate.paths, gate.project), lambda: _in_scope(gate, tests))


def _in_scope(gate: Gate, tests: list[TestReport]) -> tuple[list[TestCase], Metrics]:
    cases = _cases(gate, tests)
    return cases, _counted(cases, tests) if cases else {}


def measure(gate: Gate, policy: Policy, reports: Sequence[Report]) -> Measured:
    tests = of_type(reports, TestReport)
    cases, metrics = scoped(gate, tests)
    if not cases:
        return _no_cases(gate)
    value = metrics.get(gate.metric)
    if value is None and gate.metric == "tests.retries":
        kinds = ", ".join(sorted({r.kind for r in tests}))
        return no_data(f"tests.retries needs a report that records retries (playwright-json); found {kinds}")
    if value is None:
        return no_data(f"{gate.metric} cannot be computed: every test was skipped")
    picked = list(filter(_PICKERS.get(gate.metric, _failing), cases))
    named = picked and gate.metric != "tests.skipped"
    return Measured(
        float(value),
        evidence=[_evidence(c) for c in picked],
        evidence_total=len(picked),
        note=f"first: {picked[0].id}" if named else None,
    )
