"""New-code gates (``new.*`` metrics): the whole-tree rules' questions asked of what a change adds.

Pure, like every rule: the :class:`~qualitygate.change.Change` (the added lines of each file, new side,
repository paths) is data, and the reports' paths are already mapped to repository paths by
:mod:`qualitygate.collect`. Only added lines count.

* ``new.coverage.lines.*``: the changed lines the coverage report measures, covered / measured — the figure
  diff-cover's ``--total-percent-float`` gives on the same report (diff_cover ``report_generator.py``: a
  changed line the report does not list is neither covered nor missed; several reports: measured is the
  union, missed the intersection, which is what merging the reports by file and summing hits gives). A
  changed file the report does not list at all is left out of the figure too, as diff-cover does, but the
  gate names it. No measured changed line is a visible skip, never 100 %.
* ``new.coverage.branches.*``: the branch outcomes of the changed lines that have branches.
* ``new.security.blocking``, ``new.smells.*``: the findings whose line is a changed line (each finding
  counts), classified by :mod:`qualitygate.rules.findings` exactly as the whole-tree gates are.
* ``new.complexity.*.max``: over the functions whose lines (``line..end_line``) the change touches.
* ``new.duplication.lines.pct``: changed lines inside a jscpd clone / changed lines of the files jscpd scans.
* ``new.tests.failing``: needs the base's test results; missing data until they can be given.
"""

from __future__ import annotations

import bisect
import posixpath
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from qualitygate.change import Change, ChangedFile, ranges
from qualitygate.model import (
    ComplexityBlock,
    ComplexityReport,
    CoverageReport,
    DuplicationReport,
    FileCoverage,
    FindingsReport,
    Report,
)
from qualitygate.policy import NEW_PREFIX, Gate, Policy
from qualitygate.rules import complexity as whole_complexity
from qualitygate.rules import coverage as whole_coverage
from qualitygate.rules import findings as whole_findings
from qualitygate.rules.base import (
    Measured,
    in_scope,
    no_data,
    of_type,
    plural,
    scope,
    skipped,
    violates,
)
from qualitygate.units import format_value
from qualitygate.verdict import Evidence

NO_BASE_RESULTS = "needs the base's test results (--base-results, not yet available)"
MAX_NAMED_FILES = 5


def spans(lines: Iterable[int]) -> list[tuple[int, int]]:
    """``[(12, 15), (20, 20)]`` for the lines 12, 13, 14, 15, 20 (the ranges :func:`ranges` prints)."""
    out: list[tuple[int, int]] = []
    for n in sorted(set(lines)):
        if out and n == out[-1][1] + 1:
            out[-1] = (out[-1][0], n)
        else:
            out.append((n, n))
    return out


def _bare(gate: Gate) -> Gate:
    """The whole-tree twin of a new-code gate (``new.smells.count`` -> ``smells.count``)."""
    return replace(gate, metric=gate.metric[len(NEW_PREFIX) :])


def _changed(change: Change, globs: tuple[str, ...] = ()) -> list[ChangedFile]:
    return [f for f in change.files.values() if f.added and in_scope(f.path, globs)]


def _names(paths: Sequence[str]) -> str:
    shown = ", ".join(paths[:MAX_NAMED_FILES])
    return shown + (f" and {len(paths) - MAX_NAMED_FILES} more" if len(paths) > MAX_NAMED_FILES else "")


# ------------------------------------------------------------------------------------------ coverage


@dataclass(slots=True)
class _FileDelta:
    """One report file's changed lines: those it measures, those not covered, and branch outcomes."""

    path: str
    measured: int
    uncovered: list[int]
    branches_covered: int
    branches_total: int
    partial: list[int]  # changed lines with a branch outcome not taken

    @property
    def pct(self) -> float:
        return (self.measured - len(self.uncovered)) * 100.0 / self.measured


def _delta(f: FileCoverage, added: tuple[int, ...]) -> _FileDelta:
    """Walk the added lines against the file's measured lines (both sorted): cost in the change's size."""
    nums, hits = f.line_numbers, f.line_hits
    measured, uncovered = 0, []
    for n in added:
        i = bisect.bisect_left(nums, n)
        if i < len(nums) and nums[i] == n:
            measured += 1
            if hits[i] <= 0:
                uncovered.append(n)
    bc = bt = 0
    partial = []
    wanted = set(added) if f.branch_lines else set()
    for n, c, t in zip(f.branch_lines, f.branch_covered, f.branch_total, strict=True):
        if n in wanted:
            bc, bt = bc + c, bt + t
            if c < t:
                partial.append(n)
    return _FileDelta(f.path, measured, uncovered, bc, bt, partial)


def _unlisted(files: Sequence[FileCoverage], change: Change, globs: tuple[str, ...]) -> list[str]:
    """Changed files in the gate's scope, of a kind the report measures (its files' extensions), that the
    report does not list at all: not run under coverage, or a path mapping that missed them."""
    listed = {f.path for f in files}
    kinds = {posixpath.splitext(p)[1] for p in listed} - {""}
    return sorted(
        f.path
        for f in _changed(change, globs)
        if f.path not in listed and posixpath.splitext(f.path)[1] in kinds
    )


def _unlisted_caveat(unlisted: list[str]) -> str | None:
    if not unlisted:
        return None
    return (
        f"not counted: {plural(len(unlisted), 'changed file')} the coverage report does not list "
        f"({_names(unlisted)}), as diff-cover leaves them out"
    )


def coverage(gate: Gate, policy: Policy, reports: Sequence[Report], change: Change) -> Measured:
    merged = whole_coverage.merge(of_type(reports, CoverageReport), gate.paths)
    what = "branches" if gate.metric.startswith("new.coverage.branches.") else "lines"
    if what == "branches" and not merged.branches_measured:
        return no_data("the coverage report does not measure branches")
    globs = scope(gate, policy)
    deltas = [
        _delta(f, change.added_lines(f.path))
        for f in merged.files
        if change.added_lines(f.path) and in_scope(f.path, globs)
    ]
    unlisted = _unlisted(merged.files, change, globs)
    added = sum(len(f.added) for f in _changed(change, globs))  # in the gate's scope only
    return replace(_coverage_value(gate, what, deltas, added, unlisted), caveat=_unlisted_caveat(unlisted))


def _no_coverable_line(n: int, unlisted: list[str]) -> Measured:
    """``n``: the changed lines in the gate's scope."""
    if unlisted:
        return no_data(
            "no coverable changed line: the coverage report measures none of the "
            f"{plural(n, 'changed line')} and does not list {_names(unlisted)}"
        )
    if n == 0:
        return skipped("no coverable changed line (the change adds no line in the gate's paths)")
    return skipped(f"no coverable changed line (the coverage report measures none of the {n} added)")


def _coverage_value(
    gate: Gate, what: str, deltas: list[_FileDelta], added: int, unlisted: list[str]
) -> Measured:
    lines = sum(d.measured for d in deltas)
    if lines == 0:
        return _no_coverable_line(added, unlisted)
    if gate.min_lines is not None and lines < gate.min_lines:
        return skipped(f"{plural(lines, 'coverable changed line')} < {gate.min_lines}")
    covered, total = _totals(what, deltas)
    if total == 0:
        return skipped(f"no branch on the {plural(lines, 'coverable changed line')}")
    if gate.metric.endswith(".covered"):
        return Measured(float(covered))
    if gate.metric.endswith(".total"):
        return Measured(float(total))
    return _explain(gate, covered * 100.0 / total, deltas, what)


def _totals(what: str, deltas: list[_FileDelta]) -> tuple[int, int]:
    """(covered, total) changed lines, or branch outcomes of the changed lines."""
    if what == "lines":
        lines = sum(d.measured for d in deltas)
        return lines - sum(len(d.uncovered) for d in deltas), lines
    return sum(d.branches_covered for d in deltas), sum(d.branches_total for d in deltas)


def _explain(gate: Gate, value: float, deltas: list[_FileDelta], what: str) -> Measured:
    """Per file, the uncovered changed lines (or the changed lines with a branch not taken) as ranges,
    the least covered file first."""
    if what == "lines":
        rows = [(d.pct, d.uncovered, d) for d in deltas if d.uncovered]
    else:
        rows = [(d.branches_covered * 100.0 / d.branches_total, d.partial, d) for d in deltas if d.partial]
    rows.sort(key=lambda r: (r[0], -len(r[1]), r[2].path))
    note = None
    if rows and violates(value, gate):
        worst = rows[0]
        how = "uncovered" if what == "lines" else "partly taken"
        shown = format_value(worst[0], "%")
        note = f"worst {worst[2].path} ({shown}), {plural(len(rows), 'file')} with {how} lines"
    return Measured(
        value,
        evidence=[_evidence(p, lines, d, what) for p, lines, d in rows],
        evidence_total=len(rows),
        note=note,
    )


def _evidence(p: float, lines: list[int], d: _FileDelta, what: str) -> Evidence:
    if what == "lines":
        detail = f"{ranges(lines)} not covered ({len(lines)} of {plural(d.measured, 'coverable new line')})"
    else:
        detail = f"{ranges(lines)}: branches partly taken ({d.branches_covered} of {d.branches_total} taken)"
    return Evidence(
        kind="file",
        title=d.path,
        path=d.path,
        line=lines[0],
        value=p,
        unit="%",
        detail=detail,
        line_ranges=spans(lines),
    )


# ------------------------------------------------------------------------------------------ findings


def findings(gate: Gate, policy: Policy, reports: Sequence[Report], change: Change) -> Measured:
    """The findings on changed lines, classified by the whole-tree rule. Whether a SARIF file is a security
    scan is judged on the whole file (a scan with no finding on the change is still a scan)."""
    bare = _bare(gate)
    sarif = of_type(reports, FindingsReport)
    whole = whole_findings.measure(bare, policy, sarif)
    if whole.value is None:
        return whole
    on_change = [
        replace(r, findings=[f for f in r.findings if f.path and f.line and change.touches(f.path, f.line)])
        for r in sarif
    ]
    new = whole_findings.measure(bare, policy, on_change)
    return new if new.value is not None else Measured(0.0)


# ---------------------------------------------------------------------------------------- complexity


def _touched(b: ComplexityBlock, change: Change) -> bool:
    """A block with a line range is touched when the change adds a line in it; a block without one
    (complexipy writes no line numbers) when its file gains a line."""
    if b.line > 0:
        return change.touches(b.file, b.line, max(b.end_line or b.line, b.line))
    return bool(change.added_lines(b.file))


def _touched_blocks(report: ComplexityReport, change: Change) -> list[ComplexityBlock]:
    return [b for b in report.blocks if _touched(b, change)]


def complexity(gate: Gate, policy: Policy, reports: Sequence[Report], change: Change) -> Measured:
    """The whole-tree rule over the functions the change touches; none touched is a visible skip."""
    bare = _bare(gate)
    wanted = "cognitive" if bare.metric.startswith("complexity.cognitive.") else "cyclomatic"
    cx = [r for r in of_type(reports, ComplexityReport) if r.measure == wanted]
    if not cx:
        return whole_complexity.measure(bare, policy, reports)  # says which measure is missing
    touched = [replace(r, blocks=_touched_blocks(r, change), errors=[]) for r in cx]
    globs = scope(gate, policy)
    blocks = [b for r in touched for b in r.blocks if in_scope(b.file, globs)]
    if not blocks:
        return skipped(f"the change touches no function that {cx[0].path} lists")
    return _without_lines(whole_complexity.measure(bare, policy, touched), blocks, cx[0].path)


def _without_lines(measured: Measured, blocks: list[ComplexityBlock], report: str) -> Measured:
    """complexipy writes no line numbers: its functions are located by file only, and the value says so."""
    if any(b.line <= 0 for b in blocks):
        measured.estimate = True
        measured.caveat = f"{report} gives no line numbers: every function of a changed file counts"
    return measured


# --------------------------------------------------------------------------------------- duplication

# jscpd's format names (kucherenko/jscpd packages/tokenizer/src/formats.ts) -> file extensions, for the
# formats a change is likely to touch; a file of another format counts only where jscpd named it in a clone.
JSCPD_FORMATS: dict[str, tuple[str, ...]] = {
    "javascript": (".js", ".es", ".es6", ".mjs", ".cjs"),
    "jsx": (".jsx",),
    "typescript": (".ts", ".mts", ".cts"),
    "tsx": (".tsx",),
    "python": (".py", ".pyw"),
    "java": (".java",),
    "kotlin": (".kt", ".kts"),
    "scala": (".scala", ".sc"),
    "go": (".go",),
    "rust": (".rs",),
    "ruby": (".rb",),
    "php": (".php", ".phtml"),
    "c": (".c", ".h"),
    "cpp": (".cpp", ".cc", ".cxx", ".hpp", ".hh", ".hxx"),
    "csharp": (".cs",),
    "swift": (".swift",),
    "css": (".css",),
    "scss": (".scss",),
    "less": (".less",),
    "markup": (".html", ".htm", ".xml", ".svg"),
    "vue": (".vue",),
    "yaml": (".yml", ".yaml"),
    "json": (".json",),
    "markdown": (".md", ".markdown"),
    "sql": (".sql",),
    "bash": (".sh", ".bash"),
}


def _scanned(dup: list[DuplicationReport], change: Change, globs: tuple[str, ...]) -> list[ChangedFile]:
    """The changed files jscpd scanned: of a format its statistics list, or named in one of its clones."""
    exts = {e for d in dup for fmt in d.formats for e in JSCPD_FORMATS.get(fmt, ())}
    named = {loc.file for d in dup for c in d.clones for loc in (c.first, c.second)}
    return [f for f in _changed(change, globs) if f.path in named or posixpath.splitext(f.path)[1] in exts]


def _duplicated_lines(dup: list[DuplicationReport], files: list[ChangedFile]) -> dict[str, set[int]]:
    """Per changed file, its added lines that lie inside a clone (either side of it)."""
    by_path = {f.path: f for f in files}
    out: dict[str, set[int]] = {}
    for d in dup:
        for c in d.clones:
            for loc in (c.first, c.second):
                f = by_path.get(loc.file)
                if f is not None:
                    lo, hi = bisect.bisect_left(f.added, loc.start), bisect.bisect_right(f.added, loc.end)
                    out.setdefault(f.path, set()).update(f.added[lo:hi])
    return {p: lines for p, lines in out.items() if lines}


def _too_small_for_jscpd(dup: list[DuplicationReport], total: int, min_lines: int | None) -> Measured | None:
    if total == 0:
        formats = ", ".join(sorted({fmt for d in dup for fmt in d.formats})) or "none listed"
        return skipped(f"no changed line in a file jscpd scans (its formats: {formats})")
    if min_lines is not None and total < min_lines:
        return skipped(f"{plural(total, 'changed line')} jscpd scans < {min_lines}")
    return None


def duplication(gate: Gate, policy: Policy, reports: Sequence[Report], change: Change) -> Measured:
    dup = of_type(reports, DuplicationReport)
    files = _scanned(dup, change, scope(gate, policy))
    total = sum(len(f.added) for f in files)
    too_small = _too_small_for_jscpd(dup, total, gate.min_lines)
    if too_small is not None:
        return too_small
    lines = _duplicated_lines(dup, files)
    value = sum(len(v) for v in lines.values()) * 100.0 / total
    rows = sorted(lines.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    note = None
    if rows and violates(value, gate):
        note = f"most in {rows[0][0]} ({plural(len(rows[0][1]), 'changed line')} in clones)"
    return Measured(
        value,
        evidence=[_clone_evidence(path, ls) for path, ls in rows],
        evidence_total=len(rows),
        note=note,
    )


def _clone_evidence(path: str, lines: set[int]) -> Evidence:
    return Evidence(
        kind="clone",
        title=path,
        path=path,
        line=min(lines),
        value=float(len(lines)),
        detail=f"{ranges(lines)} inside a jscpd clone",
        line_ranges=spans(lines),
    )


# --------------------------------------------------------------------------------------------- tests


def tests(gate: Gate, policy: Policy, reports: Sequence[Report], change: Change) -> Measured:
    """Tests that fail now and did not on the base: without the base's results, missing data (the engine
    says so before it looks for any report)."""
    return no_data(NO_BASE_RESULTS)
