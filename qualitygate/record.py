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

import math
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


class RecordFormatError(ValueError):
    """A record (a verdict's ``record``, a git note's line) that is not what qualitygate writes: the message
    names the field (``record.findings.3.line: not an integer``)."""


_IDENT_TEXT = ("tool", "rule", "path", "message")
_IDENT_OPTIONAL = ("line_hash", "fingerprint")


def _need(ok: bool, where: str, what: str) -> None:
    if not ok:
        raise RecordFormatError(f"record.{where}: {what}")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: object, where: str) -> float:
    _need(_is_int(value) or isinstance(value, float), where, "not a number")
    _need(math.isfinite(float(value)), where, f"{value} is not a finite number")  # type: ignore[arg-type]
    return float(value)  # type: ignore[arg-type]


def _optional_strings(d: Mapping[str, Any], key: str) -> dict[str, str]:
    """An optional ``{str: str}`` field (absent in records written before it existed)."""
    if key not in d:
        return {}
    value = _mapping(d, key)
    _need(all(isinstance(v, str) for v in value.values()), key, "a value that is not a string")
    return {str(k): v for k, v in value.items()}


def _test_components(d: Mapping[str, Any]) -> dict[str, list[str]]:
    """``test_components``: each component's test ids (absent in records written before it existed)."""
    if "test_components" not in d:
        return {}
    value = _mapping(d, "test_components")
    for k, ids in value.items():
        ok = isinstance(ids, list) and all(isinstance(t, str) for t in ids)
        _need(ok, f"test_components.{k}", "not a list of test ids")
    return {str(k): list(v) for k, v in value.items()}


def _mapping(d: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = d.get(key)
    if not isinstance(value, dict):
        raise RecordFormatError(f"record.{key}: not an object")
    return dict(value)


def _ident(item: object, where: str) -> Ident:
    _need(isinstance(item, dict), where, "not an object")
    assert isinstance(item, dict)
    unknown = sorted(set(item) - {*_IDENT_TEXT, *_IDENT_OPTIONAL, "line"})
    _need(not unknown, where, f"unknown key {unknown[0]!r}" if unknown else "")
    for key in _IDENT_TEXT:
        _need(isinstance(item.get(key), str), f"{where}.{key}", "not a string")
    for key in _IDENT_OPTIONAL:
        _need(item.get(key) is None or isinstance(item[key], str), f"{where}.{key}", "not a string or null")
    line = item.get("line", 0)
    _need(_is_int(line) and 0 <= line < 2**31, f"{where}.line", "not a line number")
    return Ident(**item)


def record_from_dict(d: object) -> Record:
    """A record as JSON holds it (a verdict's ``record``, a git note's line), checked field by field: any
    other shape is a :class:`RecordFormatError` naming the field, never a value that fails later."""
    _need(isinstance(d, dict), "", "not an object")
    assert isinstance(d, dict)
    commit, version, findings = d.get("commit"), d.get("version"), d.get("findings")
    _need(commit is None or isinstance(commit, str), "commit", "not a string or null")
    _need(isinstance(version, str), "version", "not a string")
    _need(isinstance(findings, list), "findings", "not a list")
    tests = _mapping(d, "tests")
    _need(all(isinstance(v, str) for v in tests.values()), "tests", "an outcome that is not a string")
    return Record(
        commit=commit,
        version=str(version),
        metrics={str(k): _number(v, f"metrics.{k}") for k, v in _mapping(d, "metrics").items()},
        findings=[_ident(f, f"findings.{i}") for i, f in enumerate(findings or ())],
        tests=tests,
        test_components=_test_components(d),
        test_files=_optional_strings(d, "test_files"),
    )
