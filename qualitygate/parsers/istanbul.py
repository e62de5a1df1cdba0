"""Istanbul's JSON coverage reports (Jest, nyc, c8, vitest's istanbul): the only ones with statements.

* ``coverage-final.json`` (the ``json`` reporter): per file ``{"path", "statementMap", "fnMap",
  "branchMap", "s", "f", "b"}``; the hit counts ``s``/``f``/``b`` are keyed like the maps. Counted as
  istanbul-lib-coverage's ``FileCoverage.toSummary()`` does: a statement, function or branch outcome is
  covered when its count is > 0; a line is a statement's start line with the highest count of the
  statements starting on it (``getLineCoverage()``); branches are every outcome of every ``b`` entry.
* ``coverage-summary.json`` (the ``json-summary`` reporter): ``{"total": {...}, "<file>": {"lines",
  "statements", "functions", "branches": {"total", "covered", "skipped", "pct"}}}``: per-file totals only,
  kept as each file's counts (no line numbers). ``total`` is compared with the files' sum (a warning).

Istanbul's own ``pct`` is rounded down to 2 decimals (``66.66``); qualitygate's is unrounded
(``66.666...``), from the same covered/total.
"""

from __future__ import annotations

import re
from typing import Any

from qualitygate.errors import ReportFormatError
from qualitygate.model import CoverageReport, CoverageTotals, FileCoverage, to_posix
from qualitygate.parsers import naming
from qualitygate.parsers.jsonload import load_object, no_gc, type_name

_COUNT_MAX = 2**63 - 1  # what FileCoverage's arrays hold
_LINE_MAX = 2**31 - 1

WHAT = "Istanbul JSON coverage report"

_FINAL = re.compile(r'"statementMap"\s*:\s*\{')
_SUMMARY = re.compile(r'"total"\s*:\s*\{\s*"(?:lines|statements|functions|branches)"\s*:\s*\{\s*"total"')
_KINDS = ("lines", "statements", "functions", "branches")


KIND = "istanbul-json"
REFRESH: dict[str, str] = {}  # no command known: "re-run the tool that wrote ..."


def sniff(head: str) -> bool:
    """``coverage-final.json``'s ``"statementMap"`` with ``"fnMap"``, or the summary's ``"total": {"lines":
    {"total"``."""
    if _FINAL.search(head) is not None and '"fnMap"' in head:
        return True
    return head.lstrip().startswith("{") and _SUMMARY.search(head) is not None


def parse(path: str, display: str | None = None) -> CoverageReport:
    with no_gc():
        doc = load_object(path, WHAT)
        report = CoverageReport(
            path=display or path,
            kind="istanbul-json",
            tool="istanbul",
            branches_measured=True,
            functions_measured=True,
            statements_measured=True,
        )
        if isinstance(doc.get("total"), dict):
            _read_summary(path, doc, report)
        else:
            _read_final(path, doc, report)
    return report


# ------------------------------------------------------------------------------------ coverage-final


def _count(path: str, v: object, where: str) -> int:
    if not isinstance(v, int) or isinstance(v, bool) or v < 0:
        raise ReportFormatError(path, f"{where}: expected a count, got {str(v)[:60]!r}")
    return min(v, _COUNT_MAX)  # an execution count past int64 is still "run": clamped, as lcov's DA is


def _object(path: str, v: object, where: str) -> dict[str, Any]:
    if not isinstance(v, dict):
        raise ReportFormatError(path, f"{where}: expected an object, got {type_name(v)}")
    return v


def _start(path: str, loc: object, where: str) -> tuple[int, int]:
    """``{"start": {"line", "column"}}`` -> (line, column)."""
    start = _object(path, _object(path, loc, where).get("start"), f"{where}.start")
    line = _line_number(path, start.get("line"), f"{where}.start.line")
    column = start.get("column")
    if isinstance(column, int) and not isinstance(column, bool) and 0 <= column <= _LINE_MAX:
        return line, column
    return line, 0


def _line_number(path: str, v: object, where: str) -> int:
    """A line number: a count no larger than a source file's lines can be (a larger one overflowed)."""
    n = _count(path, v, where)
    if n > _LINE_MAX:
        raise ReportFormatError(path, f"{where}: {str(v)[:30]} is not a line number")
    return n


def _line_of(path: str, item: dict[str, Any], loc: object, where: str) -> int:
    """An fnMap/branchMap entry's ``line``, else the line its location starts on."""
    line = item.get("line")
    if not isinstance(line, int) or isinstance(line, bool):
        return _start(path, loc, where)[0]
    return _line_number(path, line, f"{where}.line")


def _read_final(path: str, doc: dict[str, Any], report: CoverageReport) -> None:
    named = naming.coverage()
    for key, raw in doc.items():
        where = _quoted(key)
        body = _object(path, raw, where)
        if "statementMap" not in body:
            raise ReportFormatError(
                path,
                f"{where}: no statementMap: not a coverage-final.json file entry (Istanbul json reporter)",
            )
        name = body.get("path")
        fpath = named.name(to_posix(name if isinstance(name, str) else key), ())
        report.files.append(_final_file(path, fpath, body, where))


def _quoted(key: str) -> str:
    return f'["{key[:200]}"]'


def _final_file(path: str, name: str, body: dict[str, Any], where: str) -> FileCoverage:
    f = FileCoverage(path=name)
    smap = _object(path, body.get("statementMap"), f"{where}.statementMap")
    hits = _object(path, body.get("s"), f"{where}.s")
    lines: dict[int, int] = {}
    for sid, loc in smap.items():
        line, column = _start(path, loc, f"{where}.statementMap.{sid}")
        count = _count(path, hits.get(sid, 0), f"{where}.s.{sid}")
        f.statement_lines.append(line)
        f.statement_columns.append(column)
        f.statement_hits.append(count)
        if lines.get(line, -1) < count:
            lines[line] = count  # istanbul-lib-coverage getLineCoverage(): the line's highest count
    for n in sorted(lines):
        f.line_numbers.append(n)
        f.line_hits.append(lines[n])
    _functions(path, body, where, f)
    _branches(path, body, where, f)
    return f


def _functions(path: str, body: dict[str, Any], where: str, f: FileCoverage) -> None:
    fmap = _object(path, body.get("fnMap", {}), f"{where}.fnMap")
    hits = _object(path, body.get("f", {}), f"{where}.f")
    for fid, raw in fmap.items():
        fn = _object(path, raw, f"{where}.fnMap.{fid}")
        line = _line_of(path, fn, fn.get("decl", fn.get("loc")), f"{where}.fnMap.{fid}.decl")
        name = fn.get("name")
        f.function_names.append(name if isinstance(name, str) else f"(function {fid})")
        f.function_lines.append(line)
        f.function_hits.append(_count(path, hits.get(fid, 0), f"{where}.f.{fid}"))


def _branches(path: str, body: dict[str, Any], where: str, f: FileCoverage) -> None:
    bmap = _object(path, body.get("branchMap", {}), f"{where}.branchMap")
    hits = _object(path, body.get("b", {}), f"{where}.b")
    per_line: dict[int, tuple[int, int]] = {}
    for bid, raw in bmap.items():
        br = _object(path, raw, f"{where}.branchMap.{bid}")
        line = _line_of(path, br, br.get("loc"), f"{where}.branchMap.{bid}.loc")
        counts = hits.get(bid, [])
        if not isinstance(counts, list):
            raise ReportFormatError(path, f"{where}.b.{bid}: expected an array, got {type_name(counts)}")
        covered = sum(1 for i, c in enumerate(counts) if _count(path, c, f"{where}.b.{bid}[{i}]") > 0)
        c0, t0 = per_line.get(line, (0, 0))
        per_line[line] = (c0 + covered, t0 + len(counts))
    for n in sorted(per_line):
        f.branch_lines.append(n)
        f.branch_covered.append(per_line[n][0])
        f.branch_total.append(per_line[n][1])


# ---------------------------------------------------------------------------------- coverage-summary


def _pair(path: str, body: dict[str, Any], kind: str, where: str) -> tuple[int, int]:
    part = _object(path, body.get(kind), f"{where}.{kind}")
    covered = _count(path, part.get("covered"), f"{where}.{kind}.covered")
    total = _count(path, part.get("total"), f"{where}.{kind}.total")
    if covered > total:
        raise ReportFormatError(path, f"{where}.{kind}: {covered} covered of {total}")
    return covered, total


def _counts(path: str, body: object, where: str) -> CoverageTotals:
    body = _object(path, body, where)
    (lc, lt), (sc, st), (fc, ft), (bc, bt) = (_pair(path, body, k, where) for k in _KINDS)
    return CoverageTotals(lc, lt, bc, bt, fc, ft, sc, st)


def _read_summary(path: str, doc: dict[str, Any], report: CoverageReport) -> None:
    written = _counts(path, doc["total"], "total")
    named = naming.coverage()
    for key, body in doc.items():
        if key != "total":
            f = FileCoverage(path=named.name(to_posix(key), ()), counts=_counts(path, body, _quoted(key)))
            report.files.append(f)
    ours = report.totals()
    if report.files and ours != written:
        report.warnings.append(f"coverage-summary.json's total {written} differs from its files' sum {ours}")
    if not report.files and written.lines_total:
        raise ReportFormatError(
            path,
            "coverage-summary.json has a total but no file entries: qualitygate needs the per-file entries",
        )
