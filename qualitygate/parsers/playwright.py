"""Playwright's JSON reporter file (``reporter: [["json", {outputFile: ...}]]``): every test of every project,
with every retry.

Shape (``@playwright/test`` 1.x, ``packages/playwright/src/reporters/json.ts``)::

    {"config": {"rootDir", "projects": [{"name", "retries", ...}], ...},
     "suites": [{"title", "file", "specs": [{"title", "file", "line",
                 "tests": [{"projectName", "expectedStatus", "status", "results": [{"status", "retry",
                            "duration", "error"?, ...}]}]}],
                 "suites": [...]}],             # describe() blocks nest
     "errors": [...], "stats": {"expected", "unexpected", "flaky", "skipped", "duration"}}

One test case per (spec, project), its outcome as Playwright decides it (``test.status``): ``expected`` is
passed, ``unexpected`` failed, ``flaky`` passed and flaky (failed, then passed on a retry), ``skipped``
skipped. ``retries`` = results - 1; the duration is the sum over all attempts. Playwright's own ``stats`` are
compared with the recount and a disagreement is a warning. The project is kept on each case so a gate can
read one project (``project: webkit``).
"""

from __future__ import annotations

import re
from typing import Any

from qualitygate.errors import ReportFormatError
from qualitygate.model import TestCase, TestReport, TestStatus, to_posix
from qualitygate.parsers import naming
from qualitygate.parsers.jsonload import load_object, no_gc, type_name

WHAT = "Playwright JSON report"

_CONFIG = re.compile(r'"config"\s*:\s*\{')
_OUTCOMES = {
    "expected": TestStatus.PASSED,
    "unexpected": TestStatus.FAILED,
    "flaky": TestStatus.PASSED,
    "skipped": TestStatus.SKIPPED,
}
_SEP = " \u203a "  # Playwright's own separator of title parts (a single right-pointing angle quote)
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


KIND = "playwright-json"
REFRESH: dict[str, str] = {}  # no command known: "re-run the tool that wrote ..."


def sniff(head: str) -> bool:
    """A ``"config"`` object with Playwright's ``"rootDir"`` and ``"projects"``, and ``"suites"`` or
    Playwright's ``"configFile"``."""
    if _CONFIG.search(head) is None or '"rootDir"' not in head or '"projects"' not in head:
        return False
    return '"suites"' in head or '"configFile"' in head


def parse(path: str, display: str | None = None) -> TestReport:
    with no_gc():
        doc = load_object(path, WHAT)
        suites = doc.get("suites")
        if not isinstance(suites, list) or not isinstance(doc.get("config"), dict):
            raise ReportFormatError(
                path, "not a Playwright JSON report: expected a 'config' object and 'suites'"
            )
        report = TestReport(
            path=display or path, kind="playwright-json", tool="playwright", retries_measured=True
        )
        counts = dict.fromkeys(_OUTCOMES, 0)
        for i, suite in enumerate(suites):
            _suite(path, suite, f"suites[{i}]", (), report.cases, counts)
    _compare(doc.get("stats"), counts, report.warnings)
    return report


def _object(path: str, v: object, where: str) -> dict[str, Any]:
    if not isinstance(v, dict):
        raise ReportFormatError(path, f"{where}: expected an object, got {type_name(v)}")
    return v


def _list(path: str, v: object, where: str) -> list[Any]:
    if v is None:
        return []
    if not isinstance(v, list):
        raise ReportFormatError(path, f"{where}: expected an array, got {type_name(v)}")
    return v


def _suite(  # noqa: PLR0917  # the recursion's state, passed down as is
    path: str,
    suite: object,
    where: str,
    titles: tuple[str, ...],
    cases: list[TestCase],
    counts: dict[str, int],
) -> None:
    suite = _object(path, suite, where)
    title = suite.get("title")
    titles = (*titles, title) if isinstance(title, str) and title else titles
    for i, spec in enumerate(_list(path, suite.get("specs"), f"{where}.specs")):
        _spec(path, spec, f"{where}.specs[{i}]", titles, cases, counts)
    for i, child in enumerate(_list(path, suite.get("suites"), f"{where}.suites")):
        _suite(path, child, f"{where}.suites[{i}]", titles, cases, counts)


def _spec(  # noqa: PLR0917
    path: str,
    spec: object,
    where: str,
    titles: tuple[str, ...],
    cases: list[TestCase],
    counts: dict[str, int],
) -> None:
    spec = _object(path, spec, where)
    title = spec.get("title")
    if not isinstance(title, str):
        raise ReportFormatError(path, f"{where}.title: expected a string, got {type_name(title)}")
    file = spec.get("file")
    posix = to_posix(file) if isinstance(file, str) else None
    line = spec.get("line")
    for i, test in enumerate(_list(path, spec.get("tests"), f"{where}.tests")):
        case = _case(path, _object(path, test, f"{where}.tests[{i}]"), f"{where}.tests[{i}]")
        case.suite = titles[0] if titles else ""
        case.classname = _SEP.join(titles)
        case.name = title
        case.file = posix and naming.paths()(posix)
        case.line = line if isinstance(line, int) and not isinstance(line, bool) else None
        counts[_outcome(path, test, where)] += 1
        cases.append(case)


def _outcome(path: str, test: dict[str, Any], where: str) -> str:
    status = test.get("status")
    if status not in _OUTCOMES:
        raise ReportFormatError(
            path, f"{where}.status: expected expected, unexpected, flaky or skipped, got {status!r}"
        )
    return str(status)


def _attempts(path: str, results: list[Any], where: str) -> tuple[float, str | None]:
    """The summed duration (ms) of every attempt, and the last attempt's error message (ANSI colours off)."""
    duration_ms = 0.0
    message = None
    for j, raw in enumerate(results):
        r = _object(path, raw, f"{where}.results[{j}]")
        d = r.get("duration")
        if isinstance(d, int | float) and not isinstance(d, bool) and d >= 0:
            duration_ms += d
        err = r.get("error")
        if isinstance(err, dict) and isinstance(err.get("message"), str):
            message = _ANSI.sub("", err["message"])
    return duration_ms, message


def _case(path: str, test: dict[str, Any], where: str) -> TestCase:
    outcome = _outcome(path, test, where)
    results = _list(path, test.get("results"), f"{where}.results")
    duration_ms, message = _attempts(path, results, where)
    project = test.get("projectName")
    return TestCase(
        suite="",
        classname="",
        name="",
        status=_OUTCOMES[outcome],
        time_s=duration_ms / 1000.0 if results else None,
        message=message if outcome != "expected" else None,
        flaky=outcome == "flaky",
        skip_type="playwright.skip" if outcome == "skipped" else None,
        project=project if isinstance(project, str) else None,
        retries=max(len(results) - 1, 0),
    )


def _compare(stats: object, counts: dict[str, int], warnings: list[str]) -> None:
    if not isinstance(stats, dict):
        return
    for outcome, n in counts.items():
        written = stats.get(outcome)
        if isinstance(written, int) and written != n:
            warnings.append(f"Playwright's stats say {written} {outcome}; its tests hold {n}")
