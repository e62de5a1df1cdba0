"""JUnit XML: pytest (xunit1/xunit2), jest-junit, vitest, mocha, Playwright, Maven Surefire, go-junit-report,
Ant, cucumber-jvm, ... (../shared/FORMATS.md section 4).

One outcome per ``<testcase>``: a ``<failure>`` = failed, else an ``<error>`` = error, else a ``<skipped>``
= skipped (pytest's xfail included, its ``type`` kept as ``skip_type``), else passed. Surefire and
Playwright (``includeRetries``) write ``<flakyFailure>``/``<flakyError>`` for a test that failed and then
passed on a rerun: without a ``<failure>``/``<error>`` it is passed and flaky; ``<rerunFailure>`` only ever
comes next to a ``<failure>``, which decides.

Counts come from the test cases only. Producers' suite attributes lie (Surefire counts every rerun in
``tests``/``failures``; jest-junit and Playwright compute them before retries are merged) or are missing;
the sums of the top-level suites' attributes are compared with the recount and a disagreement is a warning.

The document is streamed with libxml2 filtering for ``testsuite``/``testcase`` in C
(``xmlsafe.iterparse``); everything below a test case (tracebacks, ``system-out``) is dropped as soon
as the case is read, so memory stays bounded by the list of ``TestCase`` records (benchmarks/bench_junit.sh).
"""

from __future__ import annotations

import gc
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from qualitygate.errors import ReportFormatError
from qualitygate.model import LazyTestReport, TestCase, TestReport, TestStatus, new_test_case
from qualitygate.parsers import _junit_scan, naming, xmlsafe

if TYPE_CHECKING:
    from collections.abc import Callable

    from lxml import etree

ROOTS = ("testsuites", "testsuite")
MESSAGE_MAX = 500
_SUITE_KEYS = ("tests", "failures", "errors", "skipped")
_PASSED = TestStatus.PASSED
_FAILED = TestStatus.FAILED
_ERROR = TestStatus.ERROR
_SKIPPED = TestStatus.SKIPPED
# the child elements that decide a case's outcome, in precedence order
_DECIDERS = {"failure": _FAILED, "error": _ERROR, "skipped": _SKIPPED}
_FLAKY_TAGS = frozenset(("flakyFailure", "flakyError"))
_OUTCOME_TAGS = _FLAKY_TAGS.union(_DECIDERS)
_TAGS = ("testsuites", "testsuite", "testcase")

# Surefire 3.1.0 formatted times with a thousands separator ("2,120.532", SUREFIRE-2176 /
# apache/maven-surefire#2707); so do some JUnit 5 and xunit loggers (junit-team/junit-framework#1381).
# Only the d,ddd[.ddd] shape is a thousands separator: "1,5" (a decimal comma) stays unreadable.
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d*)?")
# kotest wrote "80.803us" (kotest#2756); "ms"/"s" suffixes appear in hand-rolled reporters.
_SUFFIXED = re.compile(r"(.*?)\s*(us|µs|ms|s)")
_SCALE = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6}
_MAX_TIME = 1e9  # ~31 years: anything above (or inf/nan/negative) is a corrupt value, not a duration
_TIMES_KEPT = 4096  # distinct time attributes remembered per file (_Oddities.times)


KIND = "junit"
REFRESH = {
    "pytest": "pytest --junitxml={path}",
    "jest": "JEST_JUNIT_OUTPUT_FILE={path} npx jest --reporters=default --reporters=jest-junit",
    "vitest": "npx vitest run --reporter=junit --outputFile={path}",
    "mocha": "MOCHA_FILE={path} npx mocha --reporter mocha-junit-reporter",
    "": "re-run the tests that wrote {path} with their JUnit reporter",
}
_ROOT_NAMES = (
    ('name="pytest tests"', "pytest"),
    ('<testsuite name="pytest"', "pytest"),
    ('name="jest tests"', "jest"),
    ('name="vitest tests"', "vitest"),
    ('name="Mocha Tests"', "mocha"),
)


def producer(tool: str | None, head: str) -> str | None:
    """pytest, jest-junit, vitest or mocha-junit-reporter, from the root element's ``name``."""
    return next((who for mark, who in _ROOT_NAMES if mark in head), None)


class _Attributes(Protocol):
    """An element's attributes: an lxml element, or the dict the fast path (``_junit_scan``) reads."""

    def get(self, key: str, /) -> str | None: ...


def sniff(head: str) -> bool:
    return xmlsafe.sniff_root(head) in ROOTS


def parse_time(value: str) -> float | None:
    """Seconds from a JUnit ``time`` attribute, or None when it cannot be read as a duration."""
    text = value.strip()
    scale = 1.0
    m = _SUFFIXED.fullmatch(text)
    if m:
        text, scale = m.group(1), _SCALE[m.group(2)]
    if _THOUSANDS.fullmatch(text):
        text = text.replace(",", "")
    try:
        seconds = float(text) * scale
    except ValueError:
        return None
    return seconds if 0.0 <= seconds < _MAX_TIME else None


def first_line(text: str | None) -> str | None:
    """The first non-empty line of ``text``, stripped and capped at MESSAGE_MAX characters."""
    if not text:
        return None
    for raw in text.splitlines():
        line = raw.strip()
        if line:
            return line if len(line) <= MESSAGE_MAX else line[: MESSAGE_MAX - 1] + "…"
    return None


def _message(elem: etree._Element) -> str | None:
    # The message attribute is the producer's summary (pytest: "assert 1 == 2", Surefire: the exception
    # message); jest-junit and mocha write a bare <failure> whose text is the stack.
    return first_line(elem.get("message")) or first_line(elem.text)


@dataclass(slots=True)
class _Oddities:
    """Per-file defects, aggregated so a 200k-case report yields a handful of warnings, not thousands."""

    bad_times: int = 0
    bad_time_example: str = ""
    bad_lines: int = 0
    bad_line_example: str = ""
    # the sums of the top-level suites' count attributes, and whether every such suite declared the key
    suite_sums: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_SUITE_KEYS, 0))
    suite_declared: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(_SUITE_KEYS, True))
    top_suites: int = 0
    # time attribute -> seconds, for the values float() reads in range (pytest, jest and Surefire write a few
    # hundred distinct ones): the parse loop looks each time up here before calling seconds(); None: no time
    times: dict[str | None, float | None] = field(default_factory=lambda: {None: None})

    def seconds(self, raw: str | None, name: str) -> float | None:
        """A time attribute not looked up before: ``float()``, remembered, or the slow path (``time()``)."""
        if raw is None:
            return None
        try:
            seconds = float(raw)
        except ValueError:
            return self.time(raw, name)
        if not 0.0 <= seconds < _MAX_TIME:  # also true for nan
            return self.time(raw, name)
        if len(self.times) < _TIMES_KEPT:
            self.times[raw] = seconds
        return seconds

    def time(self, raw: str, name: str) -> float | None:
        """The slow path for a time ``float()`` refused or found out of range."""
        seconds = parse_time(raw)
        if seconds is None:
            self.bad_times += 1
            if self.bad_times == 1:
                self.bad_time_example = f"time={raw!r} on {name!r}"
        return seconds

    def case(self, el: _Attributes, suite: str, name_path: Callable[[str], str]) -> TestCase:
        """A passed case read from its ``<testcase>`` attributes (both readers': an lxml element, or the fast
        path's dict); ``name_path`` names its file as the repository does (``naming``)."""
        get = el.get
        name = get("name") or ""
        raw_time = get("time")
        time_s = self.times.get(raw_time, -1.0)  # -1.0: not met yet (never a remembered value)
        if time_s == -1.0:
            time_s = self.seconds(raw_time, name)
        raw_line = get("line")
        line = None if raw_line is None else self.line(raw_line, name)
        file = get("file")
        return new_test_case(
            suite, get("classname") or "", name, _PASSED, time_s, file and name_path(file), line
        )

    def line(self, raw: str, name: str) -> int | None:
        try:
            return int(raw)
        except ValueError:
            self.bad_lines += 1
            if self.bad_lines == 1:
                self.bad_line_example = f"line={raw!r} on {name!r}"
            return None

    def top_level_suite(self, suite: _Attributes) -> None:
        self.top_suites += 1
        for key in _SUITE_KEYS:
            raw = suite.get(key)
            try:
                self.suite_sums[key] += int(raw) if raw is not None else 0
            except ValueError:
                raw = None
            if raw is None:
                self.suite_declared[key] = False

    def warnings(self, report: TestReport) -> list[str]:
        out: list[str] = []
        if self.bad_times:
            out.append(
                f"{self.bad_times} test case(s) have an unreadable time attribute "
                f"(first: {self.bad_time_example}); left out of tests.duration_s"
            )
        if self.bad_lines:
            out.append(
                f"{self.bad_lines} test case(s) have an unreadable line attribute ({self.bad_line_example})"
            )
        if self.top_suites:
            out.extend(self._suite_mismatch(report))
        return out

    def _suite_mismatch(self, report: TestReport) -> list[str]:
        """The warning when the top-level suites' declared counts differ from the test cases' (or none)."""
        tally = report.tally()  # one pass (or none: a LazyTestReport counts its compact cases)
        counted = {
            "tests": tally.total,
            "failures": tally.counts[_FAILED],
            "errors": tally.counts[_ERROR],
            "skipped": tally.counts[_SKIPPED],
        }
        keys = [k for k in _SUITE_KEYS if self.suite_declared[k] and self.suite_sums[k] != counted[k]]
        if not keys:
            return []
        said = " ".join(f"{k}={self.suite_sums[k]}" for k in keys)
        got = " ".join(f"{k}={counted[k]}" for k in keys)
        return [
            f"suite attributes say {said} but the test cases count {got}; the counts from the test "
            "cases are used"
        ]


def judge(case: TestCase, elem: etree._Element) -> None:
    """Set the outcome of a <testcase> that has children: status, message, skip type, flaky."""
    # the first child of each tag (built backwards, so an earlier child overwrites a later one); plain
    # iteration: measured cheaper than iterchildren(*tags), which builds a tag matcher per call
    firsts = {child.tag: child for child in reversed(elem)}
    if _OUTCOME_TAGS.isdisjoint(firsts):  # only <properties>, <system-out>...: passed, as built
        return
    for tag, status in _DECIDERS.items():
        decider = firsts.get(tag)
        if decider is not None:
            case.status = status
            case.message = _message(decider)
            if status is _SKIPPED:
                case.skip_type = decider.get("type")
            return
    case.flaky = not _FLAKY_TAGS.isdisjoint(firsts)


def parse(path: str, display: str | None = None) -> TestReport:
    from qualitygate.parsers.registry import read_head

    root = xmlsafe.sniff_root(read_head(path))
    if root is not None and root not in ROOTS:
        raise ReportFormatError(
            path, f"root element is <{root}>, not <testsuites> or <testsuite>: not JUnit XML"
        )
    report: TestReport
    odd = _Oddities()
    # 200k TestCase records: the cyclic GC would rescan the growing list on every generation-0 threshold
    # and cost more than the parse; nothing built here forms cycles.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        fast = _junit_scan.read(path, odd)
        if fast is None:  # not in a shape the scan reads exactly: the careful reader, from scratch
            odd = _Oddities()
            report = TestReport(path=display or path, kind="junit")
            seen = _read(path, report.cases, odd)
        else:  # the cases are built when something reads them (``qualitygate parse`` only counts them)
            compact, seen = fast
            report = LazyTestReport.of(display or path, "junit", compact)
    finally:
        if gc_was_enabled:
            gc.enable()
    if not seen:
        # the head looked like a JUnit root, but libxml2 matched no element: a namespaced root
        raise ReportFormatError(
            path, "no <testsuites> or <testsuite> element (namespaced JUnit is not supported)"
        )
    report.warnings.extend(odd.warnings(report))
    return report


def _read(path: str, cases: list[TestCase], odd: _Oddities) -> bool:
    """Append one TestCase per <testcase> to ``cases``; return whether any JUnit element was seen.

    This loop runs once per test case (200k in a monorepo run): one ``_Oddities.case`` call (three to five
    ``get()`` calls, times looked up among those already read), and functions only for what is rare or per
    suite (a new enclosing suite, a suite's end, a case with children, odd values).
    """
    append = cases.append
    name_path = naming.paths()
    seen = False
    parent: etree._Element | None = None
    suite = ""
    for _, el in xmlsafe.iterparse(path, _TAGS):
        up = el.getparent()
        if el.tag != "testcase":
            seen = True
            _suite_end(el, up, odd)
        else:
            if up is not parent:
                # lxml returns the same proxy for a node while one is alive (we hold `parent`), so identity
                # tells a new enclosing suite. The innermost suite is the direct parent in every producer.
                parent = up
                suite = _suite_name(up)
            case = odd.case(el, suite, name_path)
            if len(el):
                judge(case, el)
            append(case)
        # Drop what has been read: the element's subtree, and its finished previous siblings (earlier cases,
        # <properties>, suite-level <system-out>), so the tree never holds more than the open suites.
        el.clear()
        if up is not None:
            while el.getprevious() is not None:
                del up[0]
    return seen


def _suite_name(up: etree._Element | None) -> str:
    """The suite of the test cases under ``up``: its name if it is a <testsuite>, else ""."""
    if up is not None and up.tag == "testsuite":
        return up.get("name") or ""
    return ""


def _suite_end(el: etree._Element, up: etree._Element | None, odd: _Oddities) -> None:
    """A <testsuite> or <testsuites> ended: a top-level suite's count attributes are noted for the check."""
    if el.tag == "testsuite" and (up is None or up.tag == "testsuites"):
        odd.top_level_suite(el)
