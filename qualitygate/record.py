"""The record: what a later comparison needs of one commit's results, and the base results read back.

Pure. The verdict carries a :class:`~qualitygate.verdict.Record` (``check`` fills the commit SHA at the
edge); ``check --base-results`` on a child commit reads it back as
:class:`~qualitygate.baseresults.BaseResults`. It holds:

* every measured value, keyed ``metric`` or ``metric@component`` (a gate scoped to ``paths`` adds
  ``[glob,glob]``): each gate's value, and per component the coverage and test totals and the findings'
  counts by level and severity band;
* an identity per finding (:class:`~qualitygate.identity.Ident`), the hash of its source line computed at
  the edge (``Collected.line_hashes``);
* the outcome per test id: ``passed``, ``failed``, ``error``, ``skipped``; ``flaky`` when it passed on a
  retry, or passed in one report and failed in another.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from qualitygate.baseresults import BaseResults, metric_key
from qualitygate.identity import Ident
from qualitygate.inputs import Collected
from qualitygate.model import (
    CoverageReport,
    Finding,
    FindingsReport,
    Metrics,
    Report,
    TestCase,
    TestReport,
    TestStatus,
)
from qualitygate.verdict import GateResult, Record


def gate_key(metric: str, component: str | None, paths: Sequence[str] = ()) -> str:
    """``coverage.lines.pct@backend``, ``smells.count[src/**]``: where a gate's value is recorded."""
    key = metric_key(metric, component)
    return f"{key}[{','.join(paths)}]" if paths else key


def findings_of(data: Collected) -> list[Finding]:
    """Every finding of the SARIF reports read, in report order (each report once)."""
    seen: set[str] = set()
    out: list[Finding] = []
    for (role, _), loaded in data.reports.items():
        if role != "findings":
            continue
        for entry in loaded:
            if entry.rel not in seen and isinstance(entry.report, FindingsReport):
                seen.add(entry.rel)
                out.extend(entry.report.findings)
    return out


def ident(f: Finding, line_hashes: Mapping[tuple[str, int], str]) -> Ident:
    h = line_hashes.get((f.path, f.line)) if f.path and f.line else None
    return Ident.of(
        f.tool, f.rule_id, f.path, f.message, line=f.line, line_hash=h, fingerprint=f.fingerprint or None
    )


def test_cases(data: Collected) -> list[TestCase]:
    """Every test case of every test report read (each report once)."""
    seen: set[str] = set()
    out: list[TestCase] = []
    for (role, _), loaded in data.reports.items():
        for entry in loaded:
            if role == "tests" and entry.rel not in seen and isinstance(entry.report, TestReport):
                seen.add(entry.rel)
                out.extend(entry.report.cases)
    return out


def _cases(reports: list[Report]) -> list[TestCase]:
    return [c for r in reports if isinstance(r, TestReport) for c in r.cases]


def _files(cases: list[TestCase], known: Mapping[str, str]) -> dict[str, str]:
    """The file of each test case that names one (the first report's, for a test listed twice)."""
    out: dict[str, str] = {}
    for c in cases:
        if c.file and c.id not in known:
            out.setdefault(c.id, c.file)
    return out


def test_scopes(data: Collected) -> tuple[dict[str, list[str]], dict[str, str]]:
    """The test ids per component (``""``: the repository-wide test reports) and the file of each test."""
    components: dict[str, set[str]] = {}
    files: dict[str, str] = {}
    for (role, component), loaded in data.reports.items():
        cases = _cases([e.report for e in loaded]) if role == "tests" else []
        if cases:
            components.setdefault(component or "", set()).update(c.id for c in cases)
            files.update(_files(cases, files))
    return {k: sorted(v) for k, v in sorted(components.items())}, dict(sorted(files.items()))


def _outcome(case: TestCase) -> str:
    return "flaky" if case.flaky and case.status is TestStatus.PASSED else case.status.value


def outcomes(cases: Iterable[TestCase]) -> dict[str, str]:
    """The outcome per test id; one id that both passed and failed (a rerun in another report) is flaky."""
    out: dict[str, str] = {}
    for case in cases:
        now = _outcome(case)
        before = out.get(case.id)
        if before is not None and before != now and {before, now} & {"passed", "flaky"}:
            failing = {before, now} & {"failed", "error"}
            now = "flaky" if failing else "passed"
        out[case.id] = now
    return dict(sorted(out.items()))


def _coverage_metrics(reports: list[Report]) -> Metrics:
    from qualitygate.rules.coverage import merge

    cov = [r for r in reports if isinstance(r, CoverageReport)]
    if not cov:
        return {}
    return (cov[0] if len(cov) == 1 else merge(cov)).metrics()


def _role_metrics(role: str, reports: list[Report]) -> Metrics:
    if role == "coverage":
        return _coverage_metrics(reports)
    if role == "tests":
        cases = [c for r in reports if isinstance(r, TestReport) for c in r.cases]
        return TestReport(path="", kind="junit", cases=cases).metrics() if cases else {}
    if role == "findings":
        return _findings_metrics(reports)
    return {}


def _findings_metrics(reports: list[Report]) -> Metrics:
    """Counts by level and severity band (``findings.high`` ...), for history and dashboards."""
    found = [f for r in reports if isinstance(r, FindingsReport) for f in r.findings]
    return FindingsReport(path="", kind="sarif", findings=found).metrics()


def _report_metrics(data: Collected) -> dict[str, float]:
    """Per component, the coverage and test totals (cheap: one report is read as it is)."""
    out: dict[str, float] = {}
    for (role, component), loaded in data.reports.items():
        metrics = _role_metrics(role, [e.report for e in loaded])
        out.update((metric_key(m, component), float(v)) for m, v in metrics.items())
    return out


def build(data: Collected, gates: Sequence[GateResult], *, version: str, commit: str | None = None) -> Record:
    metrics = _report_metrics(data)
    for g in gates:
        value = g.value if g.value is not None else g.actual  # a max_drop gate's actual is the drop
        if value is not None:
            metrics.setdefault(gate_key(g.metric, g.component, g.paths), float(value))
    components, files = test_scopes(data)
    return Record(
        commit=commit,
        version=version,
        metrics=dict(sorted(metrics.items())),
        findings=[ident(f, data.line_hashes) for f in findings_of(data)],
        tests=outcomes(test_cases(data)),
        test_components=components,
        test_files=files,
    )


def to_base(record: Record, source: str, warnings: Sequence[str] = ()) -> BaseResults:
    return BaseResults(
        commit=record.commit,
        version=record.version,
        source=source,
        metrics=dict(record.metrics),
        findings=tuple(record.findings),
        tests=dict(record.tests),
        test_components={k: tuple(v) for k, v in record.test_components.items()},
        test_files=dict(record.test_files),
        warnings=tuple(warnings),
    )


def record_from_dict(d: Mapping[str, Any]) -> Record:
    """A record as JSON holds it (a verdict's ``record``, a git note's line); KeyError/TypeError/ValueError
    on anything else."""
    return Record(
        commit=d.get("commit"),
        version=str(d["version"]),
        metrics={str(k): float(v) for k, v in d["metrics"].items()},
        findings=[Ident(**f) for f in d["findings"]],
        tests={str(k): str(v) for k, v in d["tests"].items()},
        test_components={str(k): [str(t) for t in v] for k, v in d.get("test_components", {}).items()},
        test_files={str(k): str(v) for k, v in d.get("test_files", {}).items()},
    )
