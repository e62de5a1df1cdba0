"""Coverage gates: merge the component's reports by file (as ``coverage combine`` / ``lcov -a`` would),
restrict to the gate's paths, and point at the least-covered files."""

from __future__ import annotations

from array import array
from collections.abc import Sequence

from qualitygate.model import CoverageReport, FileCoverage, Report, pct
from qualitygate.policy import Gate, Policy
from qualitygate.rules.base import Measured, in_scope, missing, of_type, plural, violates
from qualitygate.verdict import Evidence

MAX_FILES = 10


def merge_files(files: Sequence[FileCoverage]) -> FileCoverage:
    """One file measured by several reports: union of lines (hits summed), per-line branches (the best
    run's), functions by (name, line) with hits summed."""
    if len(files) == 1:
        return files[0]
    hits: dict[int, int] = {}
    branches: dict[int, tuple[int, int]] = {}
    funcs: dict[tuple[str, int], int] = {}
    for f in files:
        for n, h in zip(f.line_numbers, f.line_hits, strict=True):
            hits[n] = hits.get(n, 0) + h
        for n, c, t in zip(f.branch_lines, f.branch_covered, f.branch_total, strict=True):
            pc, pt = branches.get(n, (0, 0))
            branches[n] = (max(pc, c), max(pt, t))
        for name, line, h in zip(f.function_names, f.function_lines, f.function_hits, strict=True):
            funcs[(name, line)] = funcs.get((name, line), 0) + h
    lines = sorted(hits)
    blines = sorted(branches)
    fkeys = sorted(funcs, key=lambda k: (k[1], k[0]))
    return FileCoverage(
        path=files[0].path,
        line_numbers=array("q", lines),
        line_hits=array("q", (hits[n] for n in lines)),
        branch_lines=array("q", blines),
        branch_covered=array("q", (branches[n][0] for n in blines)),
        branch_total=array("q", (branches[n][1] for n in blines)),
        function_names=[k[0] for k in fkeys],
        function_lines=array("q", (k[1] for k in fkeys)),
        function_hits=array("q", (funcs[k] for k in fkeys)),
    )


def merge(reports: Sequence[CoverageReport], globs: tuple[str, ...] = ()) -> CoverageReport:
    by_path: dict[str, list[FileCoverage]] = {}
    for r in reports:
        for f in r.files:
            if in_scope(f.path, globs):
                by_path.setdefault(f.path, []).append(f)
    return CoverageReport(
        path=", ".join(r.path for r in reports),
        kind="+".join(sorted({r.kind for r in reports})),
        files=[merge_files(fs) for _, fs in sorted(by_path.items())],
        branches_measured=all(r.branches_measured for r in reports),
        functions_measured=all(r.functions_measured for r in reports),
    )


def _file_stat(f: FileCoverage, what: str) -> tuple[int, int]:
    if what == "branches":
        return f.branches_covered, f.branches_total
    if what == "functions":
        return f.functions_covered, f.functions_total
    return f.lines_covered, f.lines_total


def measure(gate: Gate, policy: Policy, reports: Sequence[Report]) -> Measured:
    cov = of_type(reports, CoverageReport)
    merged = merge(cov, gate.paths)
    if gate.paths and not merged.files:
        return missing(f"no file of the coverage report matches {', '.join(gate.paths)}")
    metrics = merged.metrics()
    what = gate.metric.split(".")[1] if gate.metric.count(".") >= 2 else "lines"
    value = metrics.get(gate.metric)
    if value is None:
        if what in {"branches", "functions"} and f"coverage.{what}.total" not in metrics:
            return missing(f"the coverage report does not measure {what}")
        total = metrics.get(f"coverage.{what}.total", 0)
        return missing(f"the coverage report has no {what} to measure ({total} in total)")
    if not gate.metric.endswith(".pct"):
        return Measured(float(value))
    rows: list[tuple[float, int, FileCoverage]] = []
    for f in merged.files:
        covered, total = _file_stat(f, what)
        p = pct(covered, total)
        if p is not None:
            rows.append((p, total - covered, f))
    rows.sort(key=lambda r: (r[0], -r[1], r[2].path))
    under = [r for r in rows if violates(r[0], gate)]
    evidence = [
        Evidence(
            kind="file",
            title=f.path,
            path=f.path,
            line=next(iter(f.missing_lines()), None) if what == "lines" else None,
            value=p,
            unit="%",
            detail=f"{miss} of {_file_stat(f, what)[1]} {what} not covered",
        )
        for p, miss, f in (under or rows)[:MAX_FILES]
    ]
    note = None
    if under:
        worst = under[0]
        note = f"{plural(len(under), 'file')} below it, worst {worst[2].path}"
    return Measured(float(value), evidence=evidence, evidence_total=len(under) or len(rows), note=note)
