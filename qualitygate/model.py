"""The unified metrics model: what every parser produces and what the engine reads.

One report type per *family* of formats (coverage, tests, complexity, findings, load test, duplication),
whatever tool wrote it. Each keeps the per-item detail its format has (line hits, test cases, complexity
blocks, findings, k6 metrics, clones) and derives its totals from that detail, never from a summary the
producer wrote (producers' summaries are compared and disagreements kept as warnings).

The records are slotted dataclasses, not pydantic models: a monorepo report holds millions of lines and
hundreds of thousands of test cases, and constructing a pydantic model per item would cost more than the
parse itself (see benchmarks/). Per-line coverage is kept in ``array`` columns, not one object per line.
The boundaries that need validation or a JSON Schema (the policy, the verdict) are pydantic.

Metric keys (``Report.metrics()``) are the names the policy language uses; README "Metric names".
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Hashable
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from typing import ClassVar, Generic, Protocol, TypeVar, cast

Number = int | float
T = TypeVar("T")
Metrics = dict[str, Number]


def pct(covered: int, total: int) -> float | None:
    """covered / total x 100, unrounded; None when there is nothing to measure (never 100 or 0 by default)."""
    return covered * 100.0 / total if total else None


def to_posix(path: str) -> str:
    r"""Normalise a report path to POSIX separators (``C:\a\b.py`` -> ``C:/a/b.py``)."""
    return path.replace("\\", "/")


# --------------------------------------------------------------------------------------------- base


@dataclass(slots=True, kw_only=True)
class Report:
    """What every parser returns: the file it read, its kind, and warnings about the content."""

    family: ClassVar[str] = "report"
    path: str
    kind: str
    tool: str | None = None
    warnings: list[str] = field(default_factory=list)
    # What the rules computed once from this report and the reports beside it (``rules.base.once``): per
    # (the other reports' ids, a key), the other reports (kept alive so that their ids stay theirs) and the
    # result, so that every gate of one scope, and the record, read one merge or count.
    _once: dict[tuple[tuple[int, ...], Hashable], tuple[tuple[Report, ...], object]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def metrics(self) -> Metrics:  # pragma: no cover - every family overrides it
        raise NotImplementedError


# ----------------------------------------------------------------------------------------- coverage


def _int_array() -> array[int]:
    return array("q")


def count_positive(counts: array[int]) -> int:
    """How many counts are > 0: in C when none is negative (``min`` and ``count`` are C loops; the generator
    they replace cost ~70 ns an item, 0.3 s over a 4 M-line report)."""
    if not counts:
        return 0
    if min(counts) >= 0:
        return len(counts) - counts.count(0)
    return sum(1 for h in counts if h > 0)  # geninfo can write negative counts (gcov overflow)


@dataclass(slots=True, kw_only=True)
class FileCoverage:
    """Coverage of one source file, in columns.

    ``line_numbers``/``line_hits`` are parallel and sorted by line, one entry per measured line.
    ``branch_lines``/``branch_covered``/``branch_total`` are parallel: per line with branches, how many of its
    branch outcomes were taken. ``function_*`` are parallel: name, first line and hit count per function.
    """

    path: str
    line_numbers: array[int] = field(default_factory=_int_array)
    line_hits: array[int] = field(default_factory=_int_array)
    branch_lines: array[int] = field(default_factory=_int_array)
    branch_covered: array[int] = field(default_factory=_int_array)
    branch_total: array[int] = field(default_factory=_int_array)
    function_names: list[str] = field(default_factory=list)
    function_lines: array[int] = field(default_factory=_int_array)
    function_hits: array[int] = field(default_factory=_int_array)
    statement_lines: array[int] = field(default_factory=_int_array)
    statement_columns: array[int] = field(default_factory=_int_array)
    statement_hits: array[int] = field(default_factory=_int_array)
    counts: CoverageTotals | None = None  # the file's totals, when the format has no per-item detail

    @property
    def lines_total(self) -> int:
        return self.counts.lines_total if self.counts else len(self.line_numbers)

    @property
    def lines_covered(self) -> int:
        return self.counts.lines_covered if self.counts else count_positive(self.line_hits)

    @property
    def branches_total(self) -> int:
        return self.counts.branches_total if self.counts else sum(self.branch_total)

    @property
    def branches_covered(self) -> int:
        return self.counts.branches_covered if self.counts else sum(self.branch_covered)

    @property
    def functions_total(self) -> int:
        return self.counts.functions_total if self.counts else len(self.function_names)

    @property
    def functions_covered(self) -> int:
        return self.counts.functions_covered if self.counts else count_positive(self.function_hits)

    @property
    def statements_total(self) -> int:
        return self.counts.statements_total if self.counts else len(self.statement_hits)

    @property
    def statements_covered(self) -> int:
        return self.counts.statements_covered if self.counts else count_positive(self.statement_hits)

    def missing_lines(self) -> list[int]:
        return [n for n, h in zip(self.line_numbers, self.line_hits, strict=True) if h == 0]


class _Column(Generic[T]):
    """One column of a LazyFileCoverage: read from (and written to) the decoded detail."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, obj: LazyFileCoverage, owner: object = None) -> T:
        return cast(T, getattr(obj.detail(), self.name))

    def __set__(self, obj: LazyFileCoverage, value: T) -> None:
        setattr(obj.detail(), self.name, value)


class LazyFileCoverage(FileCoverage):
    """A file whose totals are known and whose per-line columns are decoded on first use.

    A fast reader (lcov's Istanbul path) counts a record's totals from its text and keeps the text; the
    columns (``line_numbers`` ... ``function_hits``) are decoded by the careful reader only when something
    reads them (a new-code gate, evidence), so a report of 10^5 files holds text, not 8 arrays per file.
    Subclasses say how with ``decode``. It equals a ``FileCoverage`` with the same path and columns.
    """

    __slots__ = ("_bc", "_bt", "_detail", "_fc", "_ft", "_lc", "_lt", "_text")

    def __init__(self, path: str, text: str, totals: tuple[int, int, int, int, int, int]) -> None:
        # FileCoverage.__init__ is not called: its eight empty arrays are what this class saves
        self.path = path
        self._text = text
        # lines covered/total, branches covered/total, functions covered/total (slots: no tuple per file)
        self._lc, self._lt, self._bc, self._bt, self._fc, self._ft = totals
        self._detail: FileCoverage | None = None
        self.counts = None  # the totals are the slots below

    def decode(self, text: str) -> FileCoverage:  # pragma: no cover - every reader overrides it
        raise NotImplementedError

    def detail(self) -> FileCoverage:
        """The decoded columns (decoded once, kept)."""
        d = self._detail
        if d is None:
            d = self._detail = self.decode(self._text)
        return d

    @property
    def decoded(self) -> bool:
        return self._detail is not None

    line_numbers: _Column[array[int]] = _Column("line_numbers")
    line_hits: _Column[array[int]] = _Column("line_hits")
    branch_lines: _Column[array[int]] = _Column("branch_lines")
    branch_covered: _Column[array[int]] = _Column("branch_covered")
    branch_total: _Column[array[int]] = _Column("branch_total")
    function_names: _Column[list[str]] = _Column("function_names")
    function_lines: _Column[array[int]] = _Column("function_lines")
    function_hits: _Column[array[int]] = _Column("function_hits")
    statement_lines: _Column[array[int]] = _Column("statement_lines")
    statement_columns: _Column[array[int]] = _Column("statement_columns")
    statement_hits: _Column[array[int]] = _Column("statement_hits")

    @property
    def lines_covered(self) -> int:
        return self._lc

    @property
    def lines_total(self) -> int:
        return self._lt

    @property
    def branches_covered(self) -> int:
        return self._bc

    @property
    def branches_total(self) -> int:
        return self._bt

    @property
    def functions_covered(self) -> int:
        return self._fc

    @property
    def functions_total(self) -> int:
        return self._ft

    @property
    def statements_covered(self) -> int:
        return 0  # lcov has no statements (Istanbul's JSON reports do)

    @property
    def statements_total(self) -> int:
        return 0

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FileCoverage):
            return NotImplemented
        return _columns(self) == _columns(other)

    __hash__ = None  # type: ignore[assignment]  # as FileCoverage: mutable, compared by value

    def __repr__(self) -> str:
        totals = (self._lc, self._lt, self._bc, self._bt, self._fc, self._ft)
        return f"{type(self).__name__}(path={self.path!r}, totals={totals!r}, decoded={self.decoded})"


def _columns(f: FileCoverage) -> tuple[object, ...]:
    return (
        f.path,
        f.line_numbers,
        f.line_hits,
        f.branch_lines,
        f.branch_covered,
        f.branch_total,
        f.function_names,
        f.function_lines,
        f.function_hits,
    )


@dataclass(slots=True, frozen=True)
class CoverageTotals:
    lines_covered: int
    lines_total: int
    branches_covered: int
    branches_total: int
    functions_covered: int
    functions_total: int
    statements_covered: int = 0
    statements_total: int = 0


def sum_files(files: list[FileCoverage]) -> CoverageTotals:
    """Line, branch, function and statement counts summed over ``files``."""
    lc = lt = bc = bt = fc = ft = sc = st = 0
    for f in files:
        lc += f.lines_covered
        lt += f.lines_total
        bc += f.branches_covered
        bt += f.branches_total
        fc += f.functions_covered
        ft += f.functions_total
        sc += f.statements_covered
        st += f.statements_total
    return CoverageTotals(lc, lt, bc, bt, fc, ft, sc, st)


@dataclass(slots=True, kw_only=True)
class CoverageReport(Report):
    """Line/branch/function coverage of a set of files (Cobertura, lcov).

    ``branches_measured``/``functions_measured`` say whether the format carried that data at all: a
    Cobertura file with ``branches-valid="0"`` did not measure branches, which is not 0 %.
    ``sources`` are the Cobertura ``<source>`` roots (empty for lcov), kept for path mapping.
    ``unplaced_branches`` (covered, total): branches the producer counted but put on no line of any file
    (Istanbul's Cobertura, see ``parsers/cobertura.py``); in the report's totals, never in a file's.
    """

    family: ClassVar[str] = "coverage"
    files: list[FileCoverage] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    branches_measured: bool = True
    functions_measured: bool = False
    unplaced_branches: tuple[int, int] = (0, 0)
    statements_measured: bool = False  # Istanbul's JSON reports only
    # The files' sums, counted once (the parser's cross-check, else the first gate) and handed on; the files
    # are final by then (a parser asks last; path mapping changes no count; a merge is a new report).
    _counted: CoverageTotals | None = field(default=None, init=False, repr=False, compare=False)

    def counted(self) -> CoverageTotals:
        """The sums over the files (without :attr:`unplaced_branches`), counted on first use."""
        if self._counted is None:
            self._counted = sum_files(self.files)
        return self._counted

    def hand_on(self, totals: CoverageTotals) -> None:
        """The files' sums, counted by whoever built the files (a merge of one report's same files)."""
        self._counted = totals

    def totals(self) -> CoverageTotals:
        t = self.counted()
        bc, bt = self.unplaced_branches
        if not (bc or bt):
            return t
        return replace(t, branches_covered=t.branches_covered + bc, branches_total=t.branches_total + bt)

    def metrics(self) -> Metrics:
        t = self.totals()
        out: Metrics = {}
        parts = [("lines", t.lines_covered, t.lines_total, True)]
        parts.append(("statements", t.statements_covered, t.statements_total, self.statements_measured))
        parts.append(("branches", t.branches_covered, t.branches_total, self.branches_measured))
        parts.append(("functions", t.functions_covered, t.functions_total, self.functions_measured))
        for name, covered, total, measured in parts:
            if not measured:
                continue
            out[f"coverage.{name}.covered"] = covered
            out[f"coverage.{name}.total"] = total
            p = pct(covered, total)
            if p is not None:
                out[f"coverage.{name}.pct"] = p
        out["coverage.files"] = len(self.files)
        return out


# -------------------------------------------------------------------------------------------- tests


class TestStatus(StrEnum):
    __test__ = False  # not a pytest test class (dunder names are never enum members)
    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    SKIPPED = "skipped"


@dataclass(slots=True, kw_only=True)
class TestCase:
    """One ``<testcase>``. ``flaky``: passed only after a retry (Surefire/Playwright ``flakyFailure``)."""

    __test__: ClassVar[bool] = False  # not a pytest test class
    suite: str
    classname: str
    name: str
    status: TestStatus
    time_s: float | None = None
    message: str | None = None
    flaky: bool = False
    skip_type: str | None = None  # pytest.xfail, pytest.skip, ...
    file: str | None = None
    line: int | None = None
    project: str | None = None  # Playwright's project (chromium, firefox, "Mobile Chrome", ...)
    retries: int = 0  # attempts after the first (Playwright JSON keeps every retry)

    @property
    def id(self) -> str:
        if self.classname and self.classname != self.name:
            return f"{self.classname}::{self.name}"
        return self.name


_new_object = object.__new__


def new_test_case(  # noqa: PLR0917  # positional: the point is a cheaper call
    suite: str,
    classname: str,
    name: str,
    status: TestStatus,
    time_s: float | None,
    file: str | None,
    line: int | None,
) -> TestCase:
    """``TestCase(...)`` with the other fields at their defaults, without the keyword-only ``__init__``: about
    4x cheaper, for parsers that build 200k of them. Sets every field (tests/test_parse_junit.py checks it
    against ``dataclasses.fields``): keep it in step with TestCase."""
    case = _new_object(TestCase)
    case.suite = suite
    case.classname = classname
    case.name = name
    case.status = status
    case.time_s = time_s
    case.message = None
    case.flaky = False
    case.skip_type = None
    case.file = file
    case.line = line
    case.project = None
    case.retries = 0
    return case


@dataclass(slots=True, kw_only=True)
class TestReport(Report):
    """Test results (JUnit XML from pytest, jest-junit, Playwright, Surefire, go-junit-report, ...)."""

    __test__: ClassVar[bool] = False
    family: ClassVar[str] = "tests"
    cases: list[TestCase] = field(default_factory=list)
    retries_measured: bool = False  # the format records retries (Playwright JSON), so tests.retries exists

    def count(self, status: TestStatus) -> int:
        return sum(1 for c in self.cases if c.status is status)

    def tally(self) -> CaseTally:
        """The cases counted: one pass, durations added in document order."""
        counts = dict.fromkeys(TestStatus, 0)
        flaky = retries = 0
        duration = 0.0
        for c in self.cases:
            counts[c.status] += 1
            flaky += c.flaky
            retries += c.retries
            if c.time_s is not None:
                duration += c.time_s
        return CaseTally(len(self.cases), counts, flaky, duration, retries)

    def metrics(self) -> Metrics:
        return self.tally().metrics(self.retries_measured)


class CaseTally:
    """What a TestReport's metrics count: cases, cases per status, flaky cases, the durations' sum (added in
    document order, as a loop over the cases adds them) and retries. A plain class: a dataclass costs
    start-up (its methods are compiled at import), and nothing compares tallies."""

    __slots__ = ("counts", "duration_s", "flaky", "retries", "total")

    def __init__(  # positional: built in one place per reader
        self, total: int, counts: dict[TestStatus, int], flaky: int, duration_s: float, retries: int
    ) -> None:
        self.total, self.counts, self.flaky, self.duration_s, self.retries = (
            total,
            counts,
            flaky,
            duration_s,
            retries,
        )

    def metrics(self, retries_measured: bool) -> Metrics:
        counts = self.counts
        out: Metrics = {
            "tests.total": self.total,
            "tests.passed": counts[TestStatus.PASSED],
            "tests.failed": counts[TestStatus.FAILED],
            "tests.errors": counts[TestStatus.ERROR],
            "tests.skipped": counts[TestStatus.SKIPPED],
            "tests.flaky": self.flaky,
            "tests.duration_s": self.duration_s,
        }
        executed = self.total - counts[TestStatus.SKIPPED]
        if executed:
            out["tests.pass_rate"] = counts[TestStatus.PASSED] * 100.0 / executed
        if retries_measured:
            out["tests.retries"] = self.retries
        return out


class CompactCases(Protocol):
    """Test cases a fast reader keeps in its own compact form: counted without building them, built on
    demand (the same TestCase records, in the same order, every time)."""

    def tally(self) -> CaseTally: ...

    def build(self) -> list[TestCase]: ...


_CASES = TestReport.__dict__["cases"]  # TestReport's own slot, behind LazyTestReport's property


class LazyTestReport(TestReport):
    """A TestReport whose ``cases`` are built on first use.

    A fast reader (JUnit's scan) keeps its cases compact; ``tally()`` and ``metrics()`` count them there,
    and the TestCase records are built only when something reads ``cases`` (a rule's scope, a record, a
    baseline), so ``qualitygate parse`` of 200k cases builds none. It equals a TestReport with the same
    fields.
    """

    __slots__ = ("_compact",)
    _compact: CompactCases | None  # set by ``cases``'s setter, which TestReport's __init__ calls

    # TestReport's __init__ is kept (``dataclasses.replace`` calls it with every field: a copy whose cases
    # are given, as a TestReport's are); ``of`` makes one whose cases are compact.
    @classmethod
    def of(cls, path: str, kind: str, compact: CompactCases) -> LazyTestReport:
        report = cls(path=path, kind=kind)
        report._compact = compact
        return report

    @property  # a field of TestReport, read and written here
    def cases(self) -> list[TestCase]:
        compact = self._compact
        if compact is not None:
            self._compact = None
            _CASES.__set__(self, compact.build())
        return cast(list[TestCase], _CASES.__get__(self))

    @cases.setter
    def cases(self, value: list[TestCase]) -> None:
        self._compact = None
        _CASES.__set__(self, value)

    @property
    def decoded(self) -> bool:
        """Whether the cases were built."""
        return self._compact is None

    def tally(self) -> CaseTally:
        if self._compact is not None:
            return self._compact.tally()
        return TestReport.tally(self)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TestReport):
            return NotImplemented
        return _compared(self) == _compared(other)

    __hash__ = None  # type: ignore[assignment]  # as TestReport: mutable, compared by value


def _compared(report: TestReport) -> tuple[object, ...]:
    return tuple(getattr(report, f.name) for f in fields(TestReport) if f.compare)


# --------------------------------------------------------------------------------------- complexity


@dataclass(slots=True, kw_only=True)
class ComplexityBlock:
    """One function, method, class or closure with its score (radon: cyclomatic; complexipy: cognitive)."""

    file: str
    line: int
    name: str
    kind: str  # function | method | class | closure
    score: int
    end_line: int | None = None
    rank: str | None = None
    classname: str | None = None

    @property
    def qualname(self) -> str:
        return f"{self.classname}.{self.name}" if self.classname else self.name


@dataclass(slots=True, frozen=True)
class FileProblem:
    """A file the producing tool could not analyse (radon's per-file ``{"error": ...}``)."""

    file: str
    message: str


@dataclass(slots=True, kw_only=True)
class ComplexityReport(Report):
    """Complexity blocks. ``measure`` is ``cyclomatic`` (radon) or ``cognitive`` (complexipy)."""

    family: ClassVar[str] = "complexity"
    measure: str = "cyclomatic"
    blocks: list[ComplexityBlock] = field(default_factory=list)
    errors: list[FileProblem] = field(default_factory=list)

    def metrics(self) -> Metrics:
        out: Metrics = {"complexity.blocks": len(self.blocks), "complexity.errors": len(self.errors)}
        if self.blocks:
            scores = [b.score for b in self.blocks]
            out[f"complexity.{self.measure}.max"] = max(scores)
            out[f"complexity.{self.measure}.mean"] = math.fsum(scores) / len(scores)
        return out


# ----------------------------------------------------------------------------------------- findings


class Level(StrEnum):
    """SARIF ``level``."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"
    NONE = "none"


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    NONE = "none"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {
    Severity.CRITICAL: 4,
    Severity.HIGH: 3,
    Severity.MEDIUM: 2,
    Severity.LOW: 1,
    Severity.NONE: 0,
}


@dataclass(slots=True, kw_only=True)
class Finding:
    """One SARIF result.

    ``severity`` is the band used by ``findings.<band>``: the CVSS band of the rule's ``security-severity``
    where it has one, else the scanner's own word. Both inputs are kept (``cvss``, ``scanner_severity``) so a
    policy can choose Trivy's own CRITICAL/HIGH over the CVSS band.
    """

    rule_id: str
    level: Level
    severity: Severity
    message: str
    tool: str = ""
    scanner_severity: Severity | None = None
    cvss: float | None = None
    security: bool = False
    path: str | None = None
    line: int | None = None
    column: int | None = None
    fingerprint: str | None = None
    suppressed: bool = False
    fixed: bool | None = None  # Trivy: a fixed version exists (None: not known)
    effort_min: float | None = None  # remediation effort where the report carries one


@dataclass(slots=True, kw_only=True)
class FindingsReport(Report):
    """Findings of one or more SARIF runs. Suppressed results are kept but counted apart."""

    family: ClassVar[str] = "findings"
    findings: list[Finding] = field(default_factory=list)
    tools: list[str] = field(default_factory=list)  # the tool of each run, each once, in order

    @property
    def active(self) -> list[Finding]:
        return [f for f in self.findings if not f.suppressed]

    def metrics(self) -> Metrics:
        out: Metrics = {"findings.total": 0, "findings.suppressed": 0}
        for lv in (Level.ERROR, Level.WARNING, Level.NOTE):
            out[f"findings.{lv.value}"] = 0
        for sv in (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW):
            out[f"findings.{sv.value}"] = 0
        for f in self.findings:
            if f.suppressed:
                out["findings.suppressed"] += 1
                continue
            out["findings.total"] += 1
            if f.level is not Level.NONE:
                out[f"findings.{f.level.value}"] += 1
            if f.severity is not Severity.NONE:
                out[f"findings.{f.severity.value}"] += 1
        return out


# --------------------------------------------------------------------------------------------- k6


@dataclass(slots=True, frozen=True)
class K6Threshold:
    expression: str  # as k6 wrote it: "p(95)<200"
    ok: bool  # normalised: True = the threshold passed (summary-export's booleans are inverted)


@dataclass(slots=True, kw_only=True)
class K6Metric:
    """A k6 metric or sub-metric (``http_req_duration{expected_response:true}``)."""

    name: str  # full name, tags included
    type: str  # trend | rate | counter | gauge (inferred for --summary-export)
    values: dict[str, float]  # named as handleSummary() names them: a rate's value is "rate"
    contains: str | None = None  # time | data | default
    thresholds: list[K6Threshold] = field(default_factory=list)

    @property
    def base_name(self) -> str:
        return self.name.split("{", 1)[0]


@dataclass(slots=True, kw_only=True)
class LoadTestReport(Report):
    """A k6 end-of-test summary, in either JSON shape (``shape``: ``handleSummary`` or ``summary-export``)."""

    family: ClassVar[str] = "k6"
    shape: str = "handleSummary"
    k6_metrics: list[K6Metric] = field(default_factory=list)
    duration_ms: float | None = None

    def metric(self, name: str) -> K6Metric | None:
        for m in self.k6_metrics:
            if m.name == name:
                return m
        return None

    def metrics(self) -> Metrics:
        out: Metrics = {}
        for m in self.k6_metrics:
            for stat, value in m.values.items():
                out[f"k6.{m.name}.{stat}"] = value
        outcomes = [t.ok for m in self.k6_metrics for t in m.thresholds]
        if outcomes:  # no threshold defined: nothing to count, absent (never a vacuous 0)
            out["k6.thresholds.failed"] = outcomes.count(False)
        return out


# ------------------------------------------------------------------------------------------ locust


@dataclass(slots=True, kw_only=True)
class LocustRow:
    """One row of ``locust --csv``'s ``_stats.csv``: a request name (and method), or ``Aggregated``.

    ``key`` is the name in metric keys (``locust.<key>.<stat>``); ``stats`` are named as k6 names a
    trend's (``avg``, ``min``, ``med``, ``max``, ``p(95)``) plus ``count``, ``failures``, ``fail_ratio``,
    ``rps``, ``fails_per_s``, ``avg_size``.
    """

    method: str
    name: str
    key: str
    stats: dict[str, float]


@dataclass(slots=True, kw_only=True)
class LocustReport(Report):
    """A Locust run's request statistics (``PREFIX_stats.csv``); the ``Aggregated`` row is the whole run."""

    family: ClassVar[str] = "locust"
    rows: list[LocustRow] = field(default_factory=list)

    def row(self, key: str) -> LocustRow | None:
        for r in self.rows:
            if r.key == key:
                return r
        return None

    def metrics(self) -> Metrics:
        return {f"locust.{r.key}.{stat}": v for r in self.rows for stat, v in r.stats.items()}


# ------------------------------------------------------------------------------------- duplication


@dataclass(slots=True, frozen=True)
class CloneLocation:
    file: str
    start: int
    end: int


@dataclass(slots=True, kw_only=True)
class Clone:
    format: str
    lines: int
    first: CloneLocation
    second: CloneLocation


@dataclass(slots=True, kw_only=True)
class DuplicationReport(Report):
    """Copy/paste detection (jscpd). Totals are jscpd's own: it is the only one that knows the sources."""

    family: ClassVar[str] = "duplication"
    lines_total: int = 0
    lines_duplicated: int = 0
    files_total: int = 0
    clones: list[Clone] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)  # the formats jscpd scanned (statistics.formats)

    def metrics(self) -> Metrics:
        out: Metrics = {
            "duplication.lines.total": self.lines_total,
            "duplication.lines.duplicated": self.lines_duplicated,
            "duplication.clones": len(self.clones),
            "duplication.files": self.files_total,
        }
        p = pct(self.lines_duplicated, self.lines_total)
        if p is not None:
            out["duplication.lines.pct"] = p
        return out
