"""The engine is a pure function: policy + collected reports -> verdict. Each gate family passes, fails
and reports missing data for the right reason, with the evidence that explains it."""

from __future__ import annotations

from array import array
from dataclasses import replace
from pathlib import Path

import pytest

from qualitygate.config import load_policy
from qualitygate.engine import evaluate
from qualitygate.inputs import Collected, Loaded
from qualitygate.model import (
    Clone,
    CloneLocation,
    ComplexityBlock,
    ComplexityReport,
    CoverageReport,
    DuplicationReport,
    FileCoverage,
    FileProblem,
    Finding,
    FindingsReport,
    K6Metric,
    K6Threshold,
    Level,
    LoadTestReport,
    Report,
    Severity,
    TestCase,
    TestReport,
    TestStatus,
)
from qualitygate.policy import Policy, source_key
from qualitygate.verdict import GateResult, InputInfo, Status, Verdict, verdict_to_json
from tests.conftest import FIXTURES


def policy_of(tmp_path: Path, text: str) -> Policy:
    p = tmp_path / "policy.yml"
    p.write_text(text)
    return load_policy(str(p))


def file_cov(path: str, hits: list[int], branches: list[tuple[int, int]] = ()) -> FileCoverage:  # type: ignore[assignment]
    return FileCoverage(
        path=path,
        line_numbers=array("q", range(1, len(hits) + 1)),
        line_hits=array("q", hits),
        branch_lines=array("q", range(1, len(branches) + 1)),
        branch_covered=array("q", [b[0] for b in branches]),
        branch_total=array("q", [b[1] for b in branches]),
    )


def run(policy: Policy, reports: dict[tuple[str, str | None], list[Report]]) -> Verdict:
    data = Collected()
    for gate in policy.gates:
        key = source_key(gate)
        data.sought[key] = ("somewhere/*.xml",)
        loaded = []
        for r in reports.get(key, []):
            info = InputInfo(path=r.path, kind=r.kind, size=1, sha256="0" * 64)
            loaded.append(Loaded(r.path, key[0], key[1], r, info))
        data.reports[key] = loaded
    return evaluate(policy, data, version="test")


def gate(verdict: Verdict, gate_id: str) -> GateResult:
    return next(g for g in verdict.gates if g.id == gate_id)


# ------------------------------------------------------------------------------------------ coverage


def test_coverage_gate_fails_below_minimum_and_names_the_worst_file(tmp_path: Path) -> None:
    policy = policy_of(tmp_path, "quality_gates:\n  coverage: {backend: 80}\n")
    cov = CoverageReport(
        path="backend/coverage.xml",
        kind="cobertura",
        files=[
            file_cov("backend/app/a.py", [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]),
            file_cov("backend/app/b.py", [1, 0, 0, 0]),
            file_cov("backend/app/c.py", [1, 1, 0]),
        ],
    )
    v = run(policy, {("coverage", "backend"): [cov]})
    g = gate(v, "coverage.backend")
    assert g.status is Status.FAIL and v.status == "fail"
    assert g.actual == pytest.approx(100 * 13 / 17)
    assert g.message == (
        "Line coverage (backend) 76.47% is below the minimum of 80%: worst backend/app/b.py (25%), 2 files below it."
    )
    assert [(e.path, round(e.value or 0, 2), e.line) for e in g.evidence] == [
        ("backend/app/b.py", 25.0, 2),
        ("backend/app/c.py", 66.67, 3),
    ]
    assert g.evidence[0].detail == "3 of 4 lines not covered"
    assert g.inputs == ["backend/coverage.xml"]


def test_coverage_exactly_at_minimum_passes_and_just_below_fails(tmp_path: Path) -> None:
    policy = policy_of(tmp_path, "quality_gates:\n  coverage: {backend: 80}\n")
    at = CoverageReport(path="c.xml", kind="cobertura", files=[file_cov("a.py", [1, 1, 1, 1, 0])])
    assert gate(run(policy, {("coverage", "backend"): [at]}), "coverage.backend").status is Status.PASS
    hits = [1] * 7999 + [0] * 2001  # 79.99 %: never rounded up to a pass
    below = CoverageReport(path="c.xml", kind="cobertura", files=[file_cov("a.py", hits)])
    g = gate(run(policy, {("coverage", "backend"): [below]}), "coverage.backend")
    assert g.status is Status.FAIL
    assert "79.99% is below the minimum of 80%" in g.message


def test_two_coverage_reports_of_one_component_merge_by_file(tmp_path: Path) -> None:
    policy = policy_of(tmp_path, "quality_gates:\n  coverage: {web: 75}\n")
    unit = CoverageReport(path="u.info", kind="lcov", files=[file_cov("web/x.js", [1, 0, 0, 0])])
    e2e = CoverageReport(path="e.info", kind="lcov", files=[file_cov("web/x.js", [0, 1, 1, 0])])
    g = gate(run(policy, {("coverage", "web"): [unit, e2e]}), "coverage.web")
    assert g.actual == 75.0 and g.status is Status.PASS  # lines 1-3 of 4 covered by one run or the other
    assert g.inputs == ["u.info", "e.info"]


def test_missing_report_is_an_error_never_a_pass(tmp_path: Path) -> None:
    policy = policy_of(tmp_path, "quality_gates:\n  coverage: {backend: 80}\n")
    v = run(policy, {})
    g = gate(v, "coverage.backend")
    assert g.status is Status.ERROR and g.actual is None and v.status == "error"
    assert g.message == (
        "Line coverage (backend) cannot be evaluated: no coverage report found (looked for somewhere/*.xml)."
    )


@pytest.mark.parametrize(
    ("missing", "status", "overall"), [("warn", Status.WARN, "warn"), ("skip", Status.SKIP, "pass")]
)
def test_missing_data_follows_the_policy_and_stays_visible(
    tmp_path: Path, missing: str, status: Status, overall: str
) -> None:
    policy = policy_of(
        tmp_path,
        f"gates:\n  - {{metric: coverage.lines.pct, min: 80, missing: {missing}}}\n  - {{metric: tests.failing, max: 0}}\n",
    )
    ok_tests = TestReport(
        path="j.xml",
        kind="junit",
        cases=[TestCase(suite="s", classname="c", name="t", status=TestStatus.PASSED)],
    )
    v = run(policy, {("tests", None): [ok_tests]})
    assert gate(v, "coverage.lines.pct").status is status
    assert v.status == overall
    assert v.summary.skipped == (1 if missing == "skip" else 0)


def test_coverage_report_with_zero_lines_is_missing_data(tmp_path: Path) -> None:
    policy = policy_of(tmp_path, "quality_gates:\n  coverage: {frontend: 75}\n")
    empty = CoverageReport(path="frontend/coverage/cobertura-coverage.xml", kind="cobertura", files=[])
    g = gate(run(policy, {("coverage", "frontend"): [empty]}), "coverage.frontend")
    assert g.status is Status.ERROR
    assert g.message == (
        "Line coverage (frontend) cannot be evaluated: the coverage report has no lines to measure (0 in total)."
    )


def test_branch_gate_on_a_report_without_branch_data_is_missing(tmp_path: Path) -> None:
    policy = policy_of(tmp_path, "gates:\n  - {metric: coverage.branches.pct, min: 70}\n")
    cov = CoverageReport(
        path="c.xml", kind="cobertura", files=[file_cov("a.py", [1])], branches_measured=False
    )
    g = gate(run(policy, {("coverage", None): [cov]}), "coverage.branches.pct")
    assert g.status is Status.ERROR and "does not measure branches" in g.message


def test_path_scoped_coverage_gate(tmp_path: Path) -> None:
    policy = policy_of(
        tmp_path, "gates:\n  - {id: core, metric: coverage.lines.pct, min: 90, paths: [src/core/**]}\n"
    )
    cov = CoverageReport(
        path="c.xml",
        kind="cobertura",
        files=[file_cov("src/core/a.py", [1, 1, 1, 1, 1, 1, 1, 1, 1, 0]), file_cov("src/ui/b.py", [0, 0])],
    )
    g = gate(run(policy, {("coverage", None): [cov]}), "core")
    assert g.actual == 90.0 and g.status is Status.PASS


# --------------------------------------------------------------------------------------------- tests


def case(name: str, status: TestStatus, message: str | None = None, flaky: bool = False) -> TestCase:
    return TestCase(
        suite="s", classname="tests.test_x", name=name, status=status, message=message, flaky=flaky
    )


def test_failing_tests_gate_lists_failures_with_first_message_line(tmp_path: Path) -> None:
    policy = policy_of(
        tmp_path,
        "gates:\n  - {metric: tests.failing, max: 0}\n  - {metric: tests.flaky, max: 0, level: warn}\n",
    )
    report = TestReport(
        path="junit.xml",
        kind="junit",
        cases=[
            case("test_ok", TestStatus.PASSED),
            case("test_total", TestStatus.FAILED, "AssertionError: assert 3 == 4\nfull traceback"),
            case("test_db", TestStatus.ERROR, "fixture 'db' not found"),
            case("test_retry", TestStatus.PASSED, flaky=True),
            case("test_skip", TestStatus.SKIPPED),
        ],
    )
    v = run(policy, {("tests", None): [report]})
    failing = gate(v, "tests.failing")
    assert failing.status is Status.FAIL and failing.actual == 2
    assert failing.message == "Failing tests 2 exceeds the maximum of 0: first: tests.test_x::test_total."
    assert [e.detail for e in failing.evidence] == [
        "failed: AssertionError: assert 3 == 4",
        "error: fixture 'db' not found",
    ]
    flaky = gate(v, "tests.flaky")
    assert flaky.status is Status.WARN and flaky.evidence[0].title == "tests.test_x::test_retry"
    assert v.status == "fail"


def test_zero_test_cases_is_missing_data(tmp_path: Path) -> None:
    policy = policy_of(tmp_path, "gates:\n  - {metric: tests.failing, max: 0}\n")
    g = gate(run(policy, {("tests", None): [TestReport(path="junit.xml", kind="junit")]}), "tests.failing")
    assert g.status is Status.ERROR
    assert (
        g.message
        == "Failed tests cannot be evaluated: the test reports hold no test case: the tests did not run.".replace(
            "Failed tests", "Failing tests"
        )
    )


# ---------------------------------------------------------------------------------------- complexity


def block(name: str, score: int, file: str = "app/m.py", line: int = 1) -> ComplexityBlock:
    return ComplexityBlock(file=file, line=line, name=name, kind="function", score=score)


def test_complexity_gate_lists_functions_over_the_limit(tmp_path: Path) -> None:
    policy = policy_of(tmp_path, "quality_gates:\n  complexity: {max_cyclomatic: 10}\n")
    cx = ComplexityReport(
        path="radon-cc.json",
        kind="radon",
        blocks=[
            block("small", 3),
            block("big", 14, line=40),
            block("bigger", 23, "app/n.py", 7),
            block("edge", 10),
        ],
    )
    g = gate(run(policy, {("complexity", None): [cx]}), "complexity.cyclomatic")
    assert g.status is Status.FAIL and g.actual == 23
    assert [(e.title, e.path, e.line, e.value) for e in g.evidence] == [
        ("bigger", "app/n.py", 7, 23.0),
        ("big", "app/m.py", 40, 14.0),
    ]
    assert (
        g.message
        == "Cyclomatic complexity 23 exceeds the maximum of 10: worst bigger (23), 2 functions over it."
    )


def test_radon_report_of_nothing_but_parse_errors_is_missing_data(tmp_path: Path) -> None:
    policy = policy_of(tmp_path, "quality_gates:\n  complexity: {max_cyclomatic: 10}\n")
    cx = ComplexityReport(
        path="radon-cc.json", kind="radon", errors=[FileProblem("app/x.py", "invalid syntax")]
    )
    g = gate(run(policy, {("complexity", None): [cx]}), "complexity.cyclomatic")
    assert g.status is Status.ERROR
    assert "1 file could not be analysed (app/x.py)" in g.message


def test_cognitive_gate_reads_the_complexipy_role(tmp_path: Path) -> None:
    policy = policy_of(tmp_path, "quality_gates:\n  complexity: {max_cognitive: 15}\n")
    cog = ComplexityReport(
        path="complexipy.json", kind="complexipy", measure="cognitive", blocks=[block("f", 15)]
    )
    assert gate(run(policy, {("cognitive", None): [cog]}), "complexity.cognitive").status is Status.PASS


# ------------------------------------------------------------------------------------------ findings


def finding(
    rule: str,
    *,
    security: bool,
    severity: Severity = Severity.NONE,
    scanner: Severity | None = None,
    level: Level = Level.WARNING,
    fixed: bool | None = None,
    suppressed: bool = False,
    effort: float | None = None,
) -> Finding:
    return Finding(
        rule_id=rule,
        level=level,
        severity=severity,
        scanner_severity=scanner,
        message=f"{rule} found",
        security=security,
        path="app/x.py",
        line=3,
        fixed=fixed,
        suppressed=suppressed,
        effort_min=effort,
    )


def test_security_hotspots_use_the_scanners_own_severity_by_default(tmp_path: Path) -> None:
    policy = policy_of(tmp_path, "quality_gates:\n  security_hotspots: 0\n")
    sarif = FindingsReport(
        path="trivy-results.sarif",
        kind="sarif",
        findings=[
            # Trivy says HIGH, CVSS says 9.8 (critical): blocking either way
            finding(
                "CVE-1", security=True, severity=Severity.CRITICAL, scanner=Severity.HIGH, level=Level.ERROR
            ),
            # Trivy says MEDIUM though the CVSS band is high: not blocking by the scanner's word
            finding("CVE-2", security=True, severity=Severity.HIGH, scanner=Severity.MEDIUM),
            finding("CVE-3", security=True, scanner=Severity.CRITICAL, suppressed=True),
            finding("E501", security=False, level=Level.ERROR),
        ],
    )
    g = gate(run(policy, {("findings", None): [sarif]}), "security_hotspots")
    assert g.status is Status.FAIL and g.actual == 1
    # the blocking finding first, then the security finding that does not block, said so
    assert [(e.title, e.detail) for e in g.evidence] == [
        ("CVE-1", "HIGH: CVE-1 found"),
        ("CVE-2", "MEDIUM, below the blocking severity: CVE-2 found"),
    ]
    assert g.evidence_total == 2
    reason = "worst CVE-1 (HIGH); 1 blocking, 1 below the blocking severity; CRITICAL/HIGH by the scanner's severity"
    assert g.message == f"Security hotspots 1 exceeds the maximum of 0: {reason}."
    assert g.reason == reason


def test_reason_is_the_why_clause_of_a_gate_that_did_not_pass(tmp_path: Path) -> None:
    policy = policy_of(tmp_path, "quality_gates:\n  coverage: {backend: 80, frontend: 75}\n")
    cov = CoverageReport(path="c.xml", kind="cobertura", files=[file_cov("backend/a.py", [1, 1, 1, 1, 1])])
    v = run(policy, {("coverage", "backend"): [cov]})
    assert gate(v, "coverage.backend").reason is None  # passed
    assert gate(v, "coverage.frontend").reason == "no coverage report found (looked for somewhere/*.xml)"


def test_security_by_cvss_band_and_ignore_unfixed(tmp_path: Path) -> None:
    policy = policy_of(
        tmp_path,
        "security: {source: cvss, ignore_unfixed: true}\nquality_gates:\n  security_hotspots: 0\n",
    )
    sarif = FindingsReport(
        path="t.sarif",
        kind="sarif",
        findings=[
            finding("CVE-2", security=True, severity=Severity.HIGH, scanner=Severity.MEDIUM, fixed=True),
            finding("CVE-4", security=True, severity=Severity.CRITICAL, fixed=False),  # no fix yet: ignored
        ],
    )
    g = gate(run(policy, {("findings", None): [sarif]}), "security_hotspots")
    assert g.actual == 1
    assert [(e.title, e.detail) for e in g.evidence] == [
        ("CVE-2", "HIGH: CVE-2 found"),
        ("CVE-4", "CRITICAL, no fixed version (ignore_unfixed): CVE-4 found"),
    ]
    assert g.reason == (
        "worst CVE-2 (HIGH); 1 blocking, 1 without a fixed version left out (ignore_unfixed); "
        "CRITICAL/HIGH by the CVSS's severity"
    )


def test_code_smells_count_and_estimated_debt(tmp_path: Path) -> None:
    policy = policy_of(tmp_path, "quality_gates:\n  code_smells: {max_count: 2, max_debt: 30min}\n")
    sarif = FindingsReport(
        path="ruff.sarif",
        kind="sarif",
        tool="ruff",
        findings=[
            finding("F401", security=False, level=Level.ERROR),  # 15 min by default
            finding("F401", security=False, level=Level.ERROR),
            finding("C901", security=False, level=Level.WARNING, effort=20.0),  # the report's own effort
            finding("B101", security=True, scanner=Severity.LOW),  # security: not a smell
        ],
    )
    v = run(policy, {("findings", None): [sarif]})
    count = gate(v, "code_smells.count")
    assert count.status is Status.FAIL and count.actual == 3
    assert count.message == "Code smells 3 exceeds the maximum of 2: F401 x2, C901 x1."
    debt = gate(v, "code_smells.debt")
    assert debt.actual == 50.0 and debt.estimate and debt.status is Status.FAIL
    assert debt.message == (
        "Technical debt (estimated) 50min exceeds the maximum of 30min: "
        "3 findings, 2 of them at the policy's default effort per finding."
    )


# --------------------------------------------------------------------------------------- duplication


def test_duplication_gate_lists_the_largest_clones(tmp_path: Path) -> None:
    policy = policy_of(tmp_path, "quality_gates:\n  duplications: {max_percentage: 3}\n")
    dup = DuplicationReport(
        path="jscpd-report.json",
        kind="jscpd",
        lines_total=1000,
        lines_duplicated=42,
        clones=[
            Clone(
                format="python",
                lines=12,
                first=CloneLocation("a.py", 1, 12),
                second=CloneLocation("b.py", 5, 16),
            ),
            Clone(
                format="python",
                lines=30,
                first=CloneLocation("c.py", 10, 39),
                second=CloneLocation("d.py", 1, 30),
            ),
        ],
    )
    g = gate(run(policy, {("duplication", None): [dup]}), "duplications")
    assert g.status is Status.FAIL and g.actual == pytest.approx(4.2)
    assert [e.title for e in g.evidence] == ["python clone, lines 10-39", "python clone, lines 1-12"]
    assert [(e.path, e.line) for e in g.evidence] == [("c.py", 10), ("a.py", 1)]
    assert g.evidence[0].detail == "30 lines also at d.py:1-30"


# ------------------------------------------------------------------------------------------------ k6


def k6_report(p95: float, fail_rate: float) -> LoadTestReport:
    return LoadTestReport(
        path="k6-summary.json",
        kind="k6",
        k6_metrics=[
            K6Metric(
                name="http_req_duration",
                type="trend",
                values={"avg": 80.0, "p(95)": p95},
                thresholds=[K6Threshold("p(95)<200", p95 < 200)],
            ),
            K6Metric(
                name="http_req_failed", type="rate", values={"rate": fail_rate, "passes": 3, "fails": 97}
            ),
        ],
    )


def test_k6_gates_in_k6s_own_threshold_syntax(tmp_path: Path) -> None:
    policy = policy_of(tmp_path, "k6:\n  http_req_duration: ['p(95)<200']\n  http_req_failed: ['rate<0.1']\n")
    ok = run(policy, {("k6", None): [k6_report(183.2, 0.03)]})
    assert ok.status == "pass"
    assert (
        gate(ok, "k6.http_req_duration:p(95)<200").message
        == "k6 http_req_duration p(95) 183.2 ms is below 200 ms."
    )
    bad = run(policy, {("k6", None): [k6_report(240.0, 0.12)]})
    slow = gate(bad, "k6.http_req_duration:p(95)<200")
    assert slow.status is Status.FAIL
    assert slow.message == (
        "k6 http_req_duration p(95) 240 ms is not below 200 ms: k6's own threshold p(95)<200 failed too."
    )
    errors = gate(bad, "k6.http_req_failed:rate<0.1")
    assert errors.status is Status.FAIL and errors.message.startswith(
        "k6 http_req_failed rate 12% is not below 10%"
    )


def test_k6_stat_absent_from_the_summary_is_missing(tmp_path: Path) -> None:
    policy = policy_of(tmp_path, "k6:\n  http_req_duration: ['p(99)<500']\n")
    g = gate(run(policy, {("k6", None): [k6_report(100.0, 0.0)]}), "k6.http_req_duration:p(99)<500")
    assert g.status is Status.ERROR
    assert g.message.endswith("k6-summary.json has no p(99) for http_req_duration (it has avg, p(95)).")


def test_two_k6_summaries_with_the_same_metric_are_ambiguous(tmp_path: Path) -> None:
    policy = policy_of(tmp_path, "k6:\n  http_req_duration: ['p(95)<200']\n")
    a, b = k6_report(100.0, 0.0), k6_report(300.0, 0.0)
    b.path = "other.json"
    g = gate(run(policy, {("k6", None): [a, b]}), "k6.http_req_duration:p(95)<200")
    assert g.status is Status.ERROR and "ambiguous: 2 k6 summaries" in g.message


def test_verdict_is_deterministic(tmp_path: Path) -> None:
    policy = policy_of(tmp_path, "k6:\n  http_req_duration: ['p(95)<200']\n")
    reports: dict[tuple[str, str | None], list[Report]] = {("k6", None): [k6_report(100.0, 0.0)]}
    assert verdict_to_json(run(policy, reports)) == verdict_to_json(run(policy, reports))


def test_security_gate_without_any_security_scan_is_missing_data(tmp_path: Path) -> None:
    """A clean ruff run is no security scan: if Trivy's step did not run, the gate must not pass."""
    policy = policy_of(tmp_path, "quality_gates:\n  security_hotspots: 0\n")
    ruff = FindingsReport(
        path="ruff.sarif",
        kind="sarif",
        tool="ruff",
        findings=[finding("E501", security=False, level=Level.ERROR)],
    )
    g = gate(run(policy, {("findings", None): [ruff]}), "security_hotspots")
    assert g.status is Status.ERROR
    assert "no security scan among the SARIF files (found: ruff)" in g.message
    empty_trivy = FindingsReport(path="trivy-results.sarif", kind="sarif", tool="Trivy")
    assert (
        gate(run(policy, {("findings", None): [ruff, empty_trivy]}), "security_hotspots").status
        is Status.PASS
    )


def test_each_complexity_gate_reads_its_own_measure_when_a_glob_catches_both(tmp_path: Path) -> None:
    policy = policy_of(
        tmp_path,
        "reports: {complexity: 'reports/*.json'}\ngates:\n  - {metric: complexity.cyclomatic.max, max: 10}\n",
    )
    cognitive = ComplexityReport(
        path="reports/complexipy.json", kind="complexipy", measure="cognitive", blocks=[block("f", 40)]
    )
    cyclomatic = ComplexityReport(path="reports/radon-cc.json", kind="radon", blocks=[block("f", 7)])
    g = gate(run(policy, {("complexity", None): [cognitive, cyclomatic]}), "complexity.cyclomatic.max")
    assert g.status is Status.PASS and g.actual == 7


# ------------------------------------------------------------------ issue 14: no accepted name, no finding lost

DATA = Path(__file__).parent / "data"


def test_complexity_errors_counts_the_files_radon_could_not_analyse(tmp_path: Path) -> None:
    """radon wrote two per-file errors: ``complexity.errors`` is 2 (it was always 0), and names them."""
    from qualitygate.parsers import radon

    policy = policy_of(tmp_path, "gates:\n  - {metric: complexity.errors, max: 0}\n")
    cx = radon.parse(str(DATA / "radon" / "radon.error-entries-and-old-clojures.json"))
    g = gate(run(policy, {("complexity", None): [cx]}), "complexity.errors")
    assert g.status is Status.FAIL and g.actual == 2
    assert [(e.path, e.detail) for e in g.evidence] == [
        ("pkg/broken.py", "invalid syntax (<unknown>, line 3)"),
        ("pkg/also_broken.py", "unexpected indent (<unknown>, line 8)"),
    ]
    assert g.message == "complexity.errors 2 exceeds the maximum of 0: 2 files not analysed."


def test_a_radon_class_block_is_no_function_over_the_limit(tmp_path: Path) -> None:
    policy = policy_of(tmp_path, "quality_gates:\n  complexity: {max_cyclomatic: 10}\n")
    cls = ComplexityBlock(file="app/m.py", line=1, name="Big", kind="class", score=12)
    method = ComplexityBlock(file="app/m.py", line=5, name="run", kind="method", score=11, classname="Big")
    cx = ComplexityReport(path="radon-cc.json", kind="radon", blocks=[cls, method, block("ok", 4)])
    g = gate(run(policy, {("complexity", None): [cx]}), "complexity.cyclomatic")
    assert g.actual == 12  # radon's max over its blocks, as `parse` says
    assert [e.title for e in g.evidence] == ["Big.run"] and g.evidence_total == 1
    assert g.reason == (
        "worst Big.run (11), 1 function over it; 1 class block over it (radon's class score: its methods' mean)"
    )


def test_the_verdict_lists_every_item_and_the_table_says_how_many_it_left_out(tmp_path: Path) -> None:
    from qualitygate.render import table

    policy = policy_of(tmp_path, "gates:\n  - {metric: tests.failing, max: 0}\n")
    cases = [case(f"test_{i:02}", TestStatus.FAILED, "boom") for i in range(14)]
    v = run(policy, {("tests", None): [TestReport(path="junit.xml", kind="junit", cases=cases)]})
    g = gate(v, "tests.failing")
    assert len(g.evidence) == g.evidence_total == 14  # was capped at 10
    assert "    ... and 9 more (--format json lists every item)" in table.render(v).splitlines()


def test_a_passing_coverage_gate_names_only_the_ten_least_covered_files_as_context(tmp_path: Path) -> None:
    policy = policy_of(tmp_path, "quality_gates:\n  coverage: {backend: 50}\n")
    files = [file_cov(f"backend/m{i:02}.py", [1] * (i + 1) + [0]) for i in range(15)]
    cov = CoverageReport(path="backend/coverage.xml", kind="cobertura", files=files)
    g = gate(run(policy, {("coverage", "backend"): [cov]}), "coverage.backend")
    assert g.status is Status.PASS
    assert len(g.evidence) == g.evidence_total == 10  # context, not every file: none is below the bound
    assert g.evidence[0].path == "backend/m00.py"


def test_k6_thresholds_failed_counts_k6s_own_failed_thresholds(tmp_path: Path) -> None:
    policy = policy_of(tmp_path, "gates:\n  - {metric: k6.thresholds.failed, max: 0}\n")
    g = gate(run(policy, {("k6", None): [k6_report(240.0, 0.0)]}), "k6.thresholds.failed")
    assert g.status is Status.FAIL and g.actual == 1
    assert [(e.title, e.detail) for e in g.evidence] == [
        ("http_req_duration p(95)<200", "k6 threshold failed")
    ]
    assert g.reason == "1 of 1 k6 thresholds failed"
    no_thresholds = LoadTestReport(
        path="k6-summary.json",
        kind="k6",
        k6_metrics=[K6Metric(name="vus", type="gauge", values={"value": 1})],
    )
    g = gate(run(policy, {("k6", None): [no_thresholds]}), "k6.thresholds.failed")
    assert g.status is Status.ERROR  # no threshold defined: nothing counted, never a vacuous 0
    assert g.reason == "no k6 threshold is defined in k6-summary.json"


def test_code_smells_fed_only_by_a_vulnerability_scan_is_missing_data(tmp_path: Path) -> None:
    """The mirror of the security rule: Trivy found no smell because it looks for none."""
    from qualitygate.parsers import sarif

    policy = policy_of(tmp_path, "quality_gates:\n  code_smells: {max_count: 10, max_debt: 1d}\n")
    trivy = sarif.parse(str(FIXTURES / "acme" / "trivy-results.sarif"))
    v = run(policy, {("findings", None): [trivy]})
    for gate_id in ("code_smells.count", "code_smells.debt"):
        g = gate(v, gate_id)
        assert g.status is Status.ERROR and g.actual is None
        assert g.reason == (
            "no linter run among the SARIF files (found: Trivy); a security scan's findings are no code smells"
        )
    clean_ruff = FindingsReport(path="ruff.sarif", kind="sarif", tool="ruff", tools=["ruff"])
    g = gate(run(policy, {("findings", None): [trivy, clean_ruff]}), "code_smells.count")
    assert g.status is Status.PASS and g.actual == 0
    # an unnamed tool is a linter when it reports a non-security finding, not when it reports none
    other = FindingsReport(path="x.sarif", kind="sarif", tool="acme-lint", tools=["acme-lint"])
    assert gate(run(policy, {("findings", None): [other]}), "code_smells.count").status is Status.ERROR
    other.findings.append(replace(finding("AL1", security=False), tool="acme-lint"))
    assert gate(run(policy, {("findings", None): [other]}), "code_smells.count").actual == 1


def test_every_finding_of_ruff_select_all_lands_in_exactly_one_family(tmp_path: Path) -> None:
    """ruff --select ALL on packaging 26.2 (licenses/__init__.py, _musllinux.py): 25 findings, 5 of them
    flake8-bandit S rules, which ruff gives no severity. They were in no gate; now the security gate lists
    them as below the blocking severity and the smells gates hold the other 20."""
    from qualitygate.parsers import sarif

    policy = policy_of(
        tmp_path, "quality_gates:\n  security_hotspots: 0\n  code_smells: {max_count: 100, max_debt: 1d}\n"
    )
    ruff = sarif.parse(str(DATA / "sarif" / "ruff.select-all-packaging.sarif"))
    assert ruff.metrics()["findings.total"] == 25
    v = run(policy, {("findings", None): [ruff]})
    security = gate(v, "security_hotspots")
    assert security.status is Status.PASS and security.actual == 0
    assert [(e.title, e.line) for e in security.evidence] == [
        ("ruff S101", 79),
        ("ruff S105", 130),
        ("ruff S105", 133),
        ("ruff S105", 136),
        ("ruff S603", 52),
    ]
    assert security.evidence_total == 5
    assert security.evidence[1].detail == (
        'error, below the blocking severity: Possible hardcoded password assigned to: "token"'
    )
    assert security.message == (
        "Security hotspots 0 is within the maximum of 0 "
        "(0 blocking, 5 below the blocking severity; CRITICAL/HIGH by the scanner's severity)."
    )
    smells = gate(v, "code_smells.count")
    assert smells.actual == 20 and smells.evidence_total == 20
    assert gate(v, "code_smells.debt").actual == 20 * 15
    seen = [(e.title, e.path, e.line) for e in security.evidence + smells.evidence]
    every = [(f"ruff {f.rule_id}", f.path, f.line) for f in ruff.findings]
    assert sorted(seen) == sorted(every)  # each finding exactly once
