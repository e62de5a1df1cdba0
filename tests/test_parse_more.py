"""istanbul-json, playwright-json, gitleaks, snyk, zap and locust: exact numbers, equal to the producing
tool's own summary (fixtures/more/logs/*.txt, written in the same run as the report; fixtures/regen-more.sh)."""

from __future__ import annotations

import contextlib
import json
import random
import re
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, REAL_REPORTS

from qualitygate.cli import main
from qualitygate.errors import InputError
from qualitygate.model import CoverageReport, FindingsReport, LocustReport, Severity, TestReport, TestStatus
from qualitygate.parsers import parse_report
from qualitygate.parsers.registry import sniff_kind

MORE = FIXTURES / "more"
LOGS = MORE / "logs"
JEST = MORE / "jest" / "coverage"
PUBLIC = MORE / "public"


def _floor2(x: float) -> float:
    """Istanbul's pct: rounded down to 2 decimals (istanbul-lib-coverage ``percent()``)."""
    return int(x * 100) / 100


def _jest_all_files() -> dict[str, float]:
    """Jest's own text summary: the ``All files`` row (% Stmts, % Branch, % Funcs, % Lines)."""
    row = next(line for line in (LOGS / "jest.txt").read_text().splitlines() if line.startswith("All files"))
    stmts, branch, funcs, lines = (float(c) for c in row.split("|")[1:5])
    return {"statements": stmts, "branches": branch, "functions": funcs, "lines": lines}


@pytest.mark.parametrize("name", ["coverage-summary.json", "coverage-final.json"])
def test_istanbul_json_equals_jests_all_files_row(name: str) -> None:
    path = str(JEST / name)
    assert sniff_kind(path) == "istanbul-json"
    report = parse_report(path)
    assert isinstance(report, CoverageReport)
    m = report.metrics()
    assert {k: v for k, v in m.items() if not k.endswith(".pct")} == {
        "coverage.lines.covered": 17,
        "coverage.lines.total": 23,
        "coverage.statements.covered": 21,
        "coverage.statements.total": 31,
        "coverage.branches.covered": 9,
        "coverage.branches.total": 17,
        "coverage.functions.covered": 8,
        "coverage.functions.total": 12,
        "coverage.files": 3,
    }
    assert {w: _floor2(m[f"coverage.{w}.pct"]) for w in _jest_all_files()} == _jest_all_files()
    assert m["coverage.functions.pct"] == 8 * 100.0 / 12  # unrounded: Jest prints 66.66
    assert report.warnings == []


def test_istanbul_final_keeps_lines_and_the_summary_per_file_counts() -> None:
    final = parse_report(str(JEST / "coverage-final.json"))
    summary = parse_report(str(JEST / "coverage-summary.json"))
    assert isinstance(final, CoverageReport) and isinstance(summary, CoverageReport)
    by_path = {Path(f.path).name: f for f in final.files}
    assert by_path["price.js"].missing_lines() == [14, 15]  # Jest: "Uncovered Line #s 14-15"
    assert by_path["untested.js"].missing_lines() == [2, 3, 4]
    for f in summary.files:
        g = by_path[Path(f.path).name]
        assert (f.statements_covered, f.statements_total) == (g.statements_covered, g.statements_total)
        assert (f.lines_covered, f.branches_total) == (g.lines_covered, g.branches_total)


def test_istanbul_summary_of_a_public_jest_run() -> None:
    path = REAL_REPORTS / "js/change-case-v4/jest/coverage/coverage-summary.json"
    if not path.is_file():
        pytest.skip("../shared/real-reports not present")
    total = json.loads(path.read_text())["total"]
    m = parse_report(str(path)).metrics()
    for w in ("lines", "statements", "branches", "functions"):
        assert (m[f"coverage.{w}.covered"], m[f"coverage.{w}.total"]) == (
            total[w]["covered"],
            total[w]["total"],
        )


def test_playwright_json_has_the_list_reporters_totals() -> None:
    path = str(MORE / "playwright" / "e2e-results.json")
    assert sniff_kind(path) == "playwright-json"
    report = parse_report(path)
    assert isinstance(report, TestReport)
    m = report.metrics()
    assert {
        k: m[k] for k in ("tests.total", "tests.passed", "tests.failed", "tests.skipped", "tests.flaky")
    } == {
        "tests.total": 10,
        "tests.passed": 6,  # 4 expected + 2 flaky (passed on a retry)
        "tests.failed": 2,
        "tests.skipped": 2,
        "tests.flaky": 2,
    }
    # failing: 2 retries each; flaky: 1 retry each (x 2 projects)
    assert m["tests.retries"] == 6
    assert m["tests.pass_rate"] == 75.0
    listed = dict(
        (word, int(n))
        for n, word in re.findall(
            r"^  (\d+) (failed|flaky|skipped|passed)", (LOGS / "playwright.txt").read_text(), re.M
        )
    )
    assert listed == {"failed": 2, "flaky": 2, "skipped": 2, "passed": 4}
    assert (m["tests.failed"], m["tests.flaky"], m["tests.skipped"]) == (
        listed["failed"],
        listed["flaky"],
        listed["skipped"],
    )
    assert m["tests.passed"] - m["tests.flaky"] == listed["passed"]
    assert report.warnings == []
    projects = {c.project for c in report.cases}
    assert projects == {"chromium", "Mobile Chrome"}
    flaky = [c for c in report.cases if c.flaky]
    assert [(c.project, c.name, c.status, c.retries) for c in flaky] == [
        ("chromium", "flaky: passes on the second attempt", TestStatus.PASSED, 1),
        ("Mobile Chrome", "flaky: passes on the second attempt", TestStatus.PASSED, 1),
    ]
    failing = next(c for c in report.cases if c.status is TestStatus.FAILED)
    assert failing.file == "shop.spec.js" and failing.line == 31
    assert failing.message is not None and "\x1b" not in failing.message


def test_gitleaks_every_leak_is_a_high_security_finding() -> None:
    path = str(PUBLIC / "gitleaks-v8-many.json")
    assert sniff_kind(path) == "gitleaks"
    report = parse_report(path)
    assert isinstance(report, FindingsReport)
    assert report.metrics()["findings.high"] == 4
    assert report.metrics()["findings.error"] == 4
    assert [(f.rule_id, f.path, f.line) for f in report.findings] == [
        ("aws-access-token", "/conf/aws.tf", 2),
        ("aws-access-token", "/conf/aws.tf", 2),
        ("RSA-PK", "conf/rsa.pk", 57),
        ("generic-api-key", "tests/api.py", 21),
    ]
    assert all(f.security and f.scanner_severity is Severity.HIGH for f in report.findings)
    assert all("secretAWSsecret" not in f.message for f in report.findings)  # the secret is never kept
    one = parse_report(str(PUBLIC / "gitleaks-json_simple.json"))
    assert isinstance(one, FindingsReport)
    assert [(f.rule_id, f.path, f.line, f.fingerprint) for f in one.findings] == [
        ("test-rule", "auth.py", 1, None)
    ]


def test_snyk_counts_vulnerabilities_as_snyks_unique_count() -> None:
    path = str(PUBLIC / "snyk-all-projects.json")
    assert sniff_kind(path) == "snyk"
    report = parse_report(path)
    assert isinstance(report, FindingsReport)
    doc = json.loads(Path(path).read_text())
    assert len(report.findings) == sum(p["uniqueCount"] for p in doc) == 4
    assert report.metrics()["findings.medium"] == 4
    assert sorted({f.path or "" for f in report.findings}) == [
        "pom.xml",
        "project-a/pom.xml",
        "project-b/pom.xml",
    ]
    one = parse_report(str(PUBLIC / "snyk-one-vuln.json"))
    assert isinstance(one, FindingsReport)
    (f,) = one.findings
    assert (f.rule_id, f.severity, f.path, f.fixed) == (
        "SNYK-JAVA-ORGAPACHESANTUARIO-460281",
        Severity.MEDIUM,
        "pom.xml",
        True,
    )


def test_zap_alerts_per_risk_equal_zaps_own_summary() -> None:
    path = str(PUBLIC / "zap-report_json.json")
    assert sniff_kind(path) == "zap"
    report = parse_report(path)
    assert isinstance(report, FindingsReport)
    summary = dict(
        re.findall(
            r"^\| (High|Medium|Low|Informational) \| (\d+) \|",
            (PUBLIC / "zap-report_md-summary.md").read_text(),
            re.M,
        )
    )
    m = report.metrics()
    assert (m["findings.high"], m["findings.medium"], m["findings.low"]) == (0, 2, 6)
    assert summary == {"High": "0", "Medium": "2", "Low": "6", "Informational": "5"}
    assert sum(1 for f in report.findings if f.severity is Severity.NONE) == 5
    assert m["findings.total"] == 13


def _locust_printed_aggregated() -> tuple[int, int, int, int]:
    """locust's printed summary, Aggregated row: # reqs, # fails, Max (ms); then its 95 % percentile."""
    text = (LOGS / "locust.txt").read_text()
    rows = [line.split() for line in text.splitlines() if line.strip().startswith("Aggregated")]
    stats, percentiles = rows[0], rows[1]
    return int(stats[1]), int(stats[2].split("(")[0]), int(stats[6]), int(percentiles[6])


def test_locust_aggregated_row_equals_locusts_printed_summary() -> None:
    path = str(MORE / "locust" / "locust_stats.csv")
    assert sniff_kind(path) == "locust"
    report = parse_report(path)
    assert isinstance(report, LocustReport)
    m = report.metrics()
    reqs, fails, max_ms, p95 = _locust_printed_aggregated()
    assert (m["locust.Aggregated.count"], m["locust.Aggregated.failures"]) == (reqs, fails) == (300, 39)
    assert int(m["locust.Aggregated.max"]) == max_ms
    assert m["locust.Aggregated.p(95)"] == p95 == 27
    assert m["locust.Aggregated.fail_ratio"] == 39 / 300
    assert m["locust./missing.fail_ratio"] == 1.0
    assert m["locust./slow.p(99.9)"] == 55
    # "/" is both a GET and a POST: keyed by method and name
    assert (m["locust.GET /.count"], m["locust.POST /.count"]) == (169, 25)
    assert "locust./.count" not in m


# ----------------------------------------------------------------------------------------- gates


def _check(root: Path, policy: str) -> dict[str, dict[str, object]]:
    (root / ".github").mkdir(parents=True, exist_ok=True)
    (root / ".github" / "quality-gates.yml").write_text(policy)
    out = root / "v.json"
    main(["check", "--root", str(root), "--format", "json", "--output", str(out)])
    return {g["id"]: g for g in json.loads(out.read_text())["gates"]}


def test_compact_jest_keys_gate_statements_on_istanbul_json(tmp_path: Path) -> None:
    (tmp_path / "frontend" / "coverage").mkdir(parents=True)
    shutil.copy(JEST / "coverage-summary.json", tmp_path / "frontend" / "coverage" / "coverage-summary.json")
    gates = _check(
        tmp_path,
        "quality_gates:\n  coverage: {frontend: {statements: 75, branches: 50, functions: 60, lines: 70}}\n",
    )
    assert {k: (g["status"], g["actual"]) for k, g in gates.items()} == {
        "coverage.frontend.statements": ("fail", 21 * 100.0 / 31),
        "coverage.frontend.branches": ("pass", 9 * 100.0 / 17),
        "coverage.frontend.functions": ("pass", 8 * 100.0 / 12),
        "coverage.frontend.lines": ("pass", 17 * 100.0 / 23),
    }


def test_a_gate_reads_one_playwright_project_and_locust_and_secrets_count_as_hotspots(tmp_path: Path) -> None:
    shutil.copy(MORE / "playwright" / "e2e-results.json", tmp_path / "e2e-results.json")
    shutil.copy(MORE / "locust" / "locust_stats.csv", tmp_path / "locust_stats.csv")
    shutil.copy(PUBLIC / "gitleaks-v8-many.json", tmp_path / "gitleaks.json")
    shutil.copy(PUBLIC / "zap-report_json.json", tmp_path / "report_json.json")
    policy = (
        "quality_gates:\n  security_hotspots: 0\n"
        "reports:\n  tests: [e2e-results.json]\n  findings: [gitleaks.json, report_json.json]\n"
        "gates:\n"
        "  - {metric: tests.flaky, max: 0, project: chromium}\n"
        "  - {metric: tests.total, max: 100, project: webkit}\n"
        "  - {metric: tests.retries, max: 10}\n"
        '  - {metric: "locust.Aggregated.p(95)", lt: 30ms}\n'
        "  - {metric: locust.Aggregated.fail_ratio, max: 5%}\n"
    )
    gates = _check(tmp_path, policy)
    assert (gates["tests.flaky:chromium"]["status"], gates["tests.flaky:chromium"]["actual"]) == ("fail", 1.0)
    assert gates["tests.total:webkit"]["status"] == "error"  # no such project: missing data, never a pass
    assert gates["tests.retries"]["actual"] == 6.0
    assert (gates["locust.Aggregated.p(95)"]["status"], gates["locust.Aggregated.p(95)"]["actual"]) == (
        "pass",
        27.0,
    )
    assert gates["locust.Aggregated.fail_ratio"]["status"] == "fail"
    assert gates["security_hotspots"]["actual"] == 4.0  # gitleaks' 4 HIGH; ZAP has no HIGH alert


# ------------------------------------------------------------------------------------------- fuzz

_FILES = [
    JEST / "coverage-summary.json",
    JEST / "coverage-final.json",
    MORE / "playwright" / "e2e-results.json",
    MORE / "locust" / "locust_stats.csv",
    PUBLIC / "gitleaks-v8-many.json",
    PUBLIC / "snyk-all-projects.json",
    PUBLIC / "zap-report_json.json",
]


def _mutate(data: bytes, rng: random.Random) -> bytes:
    n = rng.randrange(4)
    if n == 0:
        return data[: rng.randrange(len(data))]
    i = rng.randrange(len(data))
    if n == 1:
        return data[:i] + bytes([rng.randrange(256)]) + data[i + 1 :]
    if n == 2:
        return data[:i] + data[i + rng.randrange(1, 200) :]
    # swap a value for another JSON value
    return re.sub(
        rb'(?<=: )("[^"]*"|-?\d+(\.\d+)?|true|false|null)',
        lambda m: rng.choice([b"null", b"-1", b"[]", b"{}", b'"x"', b"1e400", m.group(0)]),
        data,
        count=50,
    )


@pytest.mark.parametrize("path", _FILES, ids=lambda p: p.name)
def test_mutated_reports_never_crash_the_parser(path: Path, tmp_path: Path) -> None:
    """A seeded, bounded fuzz of each new kind: every mutant parses or is refused with an InputError (exit 3),
    never another exception (the CLI would print a traceback and exit 5)."""
    rng = random.Random(f"qualitygate:{path.name}")
    data = path.read_bytes()
    kind = sniff_kind(str(path))
    target = tmp_path / path.name
    for _ in range(60):
        target.write_bytes(_mutate(data, rng))
        for k in (kind, None):
            with contextlib.suppress(InputError):
                parse_report(str(target), k).metrics()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "{frontend: {statements: 180}}",
            "2:37: quality_gates.coverage.frontend.statements: Input should be less",
        ),
        ("{frontend: {statemnts: 80}}", "2:25: quality_gates.coverage.frontend.statemnts: unknown key"),
        (
            "{frontend: 180}",
            "2:24: quality_gates.coverage.frontend: Input should be less than or equal to 100",
        ),
    ],
)
def test_compact_coverage_errors_name_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str, message: str
) -> None:
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "quality-gates.yml").write_text(f"quality_gates:\n  coverage: {value}\n")
    assert main(["check", "--root", str(tmp_path)]) == 2
    assert message in capsys.readouterr().err
