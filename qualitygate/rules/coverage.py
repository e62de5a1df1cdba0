"""Coverage gates: merge the component's reports by file (as ``coverage combine`` / ``lcov -a`` would),
restrict to the gate's paths, and point at the least-covered files."""

from __future__ import annotations

from array import array
from collections.abc import Callable, Sequence

from qualitygate.model import CoverageReport, FileCoverage, Report
from qualitygate.policy import Gate, Policy
from qualitygate.rules.base import Measured, in_scope, no_data, of_type, once, plural, violates
from qualitygate.units import format_value
from qualitygate.verdict import Evidence

# A gate with no file below its bound names the least-covered files as context, not every file.
MAX_CONTEXT_FILES = 10


def _sum_hits(files: Sequence[FileCoverage]) -> dict[int, int]:
    hits: dict[int, int] = {}
    for f in files:
        for n, h in zip(f.line_numbers, f.line_hits, strict=True):
            hits[n] = hits.get(n, 0) + h
    return hits


def _best_branches(files: Sequence[FileCoverage]) -> dict[int, tuple[int, int]]:
    """Per line, the best run's (covered, total): per-outcome data is gone once a report sums a line."""
    branches: dict[int, tuple[int, int]] = {}
    for f in files:
        for n, c, t in zip(f.branch_lines, f.branch_covered, f.branch_total, strict=True):
            pc, pt = branches.get(n, (0, 0))
            branches[n] = (max(pc, c), max(pt, t))
    return branches


def _sum_functions(files: Sequence[FileCoverage]) -> dict[tuple[str, int], int]:
    funcs: dict[tuple[str, int], int] = {}
    for f in files:
        for name, line, h in zip(f.function_names, f.function_lines, f.function_hits, strict=True):
            funcs[(name, line)] = funcs.get((name, line), 0) + h
    return funcs


def _sum_statements(files: Sequence[FileCoverage]) -> dict[tuple[int, int], int]:
    stmts: dict[tuple[int, int], int] = {}
    for f in files:
        for line, col, h in zip(f.statement_lines, f.statement_columns, f.statement_hits, strict=True):
            stmts[(line, col)] = stmts.get((line, col), 0) + h
    return stmts


def merge_files(files: Sequence[FileCoverage]) -> FileCoverage:
    """One file measured by several reports: union of lines (hits summed), per-line branches (the best
    run's), functions by (name, line) and statements by (line, column) with hits summed. A file known only
    by its totals (Istanbul's json-summary) cannot be merged line by line: the report that covers most of
    its lines is taken."""
    if len(files) == 1:
        return files[0]
    if any(f.counts is not None for f in files):
        return max(files, key=lambda f: (f.lines_covered, f.lines_total))
    merged = _merge_detail(files)
    stmts = _sum_statements(files)
    skeys = sorted(stmts)
    merged.statement_lines = array("q", (k[0] for k in skeys))
    merged.statement_columns = array("q", (k[1] for k in skeys))
    merged.statement_hits = array("q", (stmts[k] for k in skeys))
    return merged


def _merge_detail(files: Sequence[FileCoverage]) -> FileCoverage:
    """Lines, branches and functions of several reports of one file, merged."""
    hits = _sum_hits(files)
    branches = _best_branches(files)
    funcs = _sum_functions(files)
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
    """Files merged by path across reports. In a Cobertura report with several ``<source>`` roots, two
    entries with one path are two files (the roots share a relative name, see ``parsers/cobertura.py``,
    and the repository could not tell them apart): the n-th merges with the n-th of the other reports,
    never with each other. Elsewhere one path in one report is one file spelled twice, merged as before.

    Merged once per (reports, globs): every gate of the component and the record read the same merged
    report, whose totals are counted once (the parser's count handed on when the files are the report's)."""
    if not reports:
        return _merge(reports, globs)
    return once(reports, ("merge", globs), lambda: _merge(reports, globs))


def _merge(reports: Sequence[CoverageReport], globs: tuple[str, ...]) -> CoverageReport:
    by_path: dict[tuple[str, int], list[FileCoverage]] = {}
    for r in reports:
        nth: dict[str, int] = {}
        apart = len(r.sources) > 1
        for f in r.files:
            if in_scope(f.path, globs):
                n = nth[f.path] = nth.get(f.path, -1) + 1 if apart else 0
                by_path.setdefault((f.path, n), []).append(f)
    merged = CoverageReport(
        path=", ".join(r.path for r in reports),
        kind="+".join(sorted({r.kind for r in reports})),
        files=[merge_files(fs) for _, fs in sorted(by_path.items())],
        branches_measured=_all(reports, "branches_measured"),
        functions_measured=_all(reports, "functions_measured"),
        statements_measured=_all(reports, "statements_measured"),
        unplaced_branches=_unplaced(reports, globs),
    )
    if len(reports) == 1 and len(merged.files) == len(reports[0].files):
        merged.hand_on(reports[0].counted())  # the same files: the report's own count
    return merged


def _all(reports: Sequence[CoverageReport], flag: str) -> bool:
    """A measure is in the merged report when every report measured it."""
    return all(getattr(r, flag) for r in reports)


def _unplaced(reports: Sequence[CoverageReport], globs: tuple[str, ...]) -> tuple[int, int]:
    """Branches a producer counted on no file's line (Istanbul's Cobertura): in a whole-component total, as
    the producer counts them; a per-path gate cannot place them (the parser's warning says so)."""
    if globs:
        return 0, 0
    return sum(r.unplaced_branches[0] for r in reports), sum(r.unplaced_branches[1] for r in reports)


_STATS: dict[str, Callable[[FileCoverage], tuple[int, int]]] = {
    "lines": lambda f: (f.lines_covered, f.lines_total),
    "branches": lambda f: (f.branches_covered, f.branches_total),
    "functions": lambda f: (f.functions_covered, f.functions_total),
    "statements": lambda f: (f.statements_covered, f.statements_total),
}

Row = tuple[float, int, FileCoverage]  # (pct, not covered, file)


def _rows(files: list[FileCoverage], what: str) -> list[Row]:
    """Files with something to measure, least covered first (most missed first among equals)."""
    rows: list[Row] = []
    for f in files:
        covered, total = _STATS[what](f)
        if total:
            rows.append((covered * 100.0 / total, total - covered, f))
    rows.sort(key=lambda r: (r[0], -r[1], r[2].path))
    return rows


def _evidence(row: Row, what: str) -> Evidence:
    p, miss, f = row
    return Evidence(
        kind="file",
        title=f.path,
        path=f.path,
        line=next(iter(f.missing_lines()), None) if what == "lines" else None,
        value=p,
        unit="%",
        detail=f"{miss} of {_STATS[what](f)[1]} {what} not covered",
    )


def _why_missing(metrics: dict[str, float], what: str) -> Measured:
    if what != "lines" and f"coverage.{what}.total" not in metrics:
        return no_data(f"the coverage report does not measure {what}")
    total = metrics.get(f"coverage.{what}.total", 0)
    return no_data(f"the coverage report has no {what} to measure ({total:g} in total)")


def measure(gate: Gate, policy: Policy, reports: Sequence[Report]) -> Measured:
    merged = merge(of_type(reports, CoverageReport), gate.paths)
    if gate.paths and not merged.files:
        return no_data(f"no file of the coverage report matches {', '.join(gate.paths)}")
    metrics = merged.metrics()
    what = gate.metric.split(".")[1] if gate.metric.count(".") >= 2 else "lines"
    value = metrics.get(gate.metric)
    if value is None:
        return _why_missing(metrics, what)
    if not gate.metric.endswith(".pct"):
        return Measured(float(value))
    return _explain(gate, float(value), _rows(merged.files, what), what)


def _explain(gate: Gate, value: float, rows: list[Row], what: str) -> Measured:
    """Every file below the gate's bound as evidence (else the few least covered ones, as context)."""
    under = [r for r in rows if violates(r[0], gate)]
    shown = under or rows[:MAX_CONTEXT_FILES]
    note = None
    if under:
        worst = under[0]
        shown_worst = format_value(worst[0], "%", against=gate.threshold)
        note = f"worst {worst[2].path} ({shown_worst}), {plural(len(under), 'file')} below it"
    return Measured(
        value,
        evidence=[_evidence(r, what) for r in shown],
        evidence_total=len(shown),
        note=note,
    )
