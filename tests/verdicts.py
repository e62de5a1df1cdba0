"""Verdict scenarios for the renderer tests (golden files): built by hand, so they need no engine or report.

Each scenario is a function returning a ``Verdict``; ``SCENARIOS`` names them for parametrization. The values
are what a real run over a small Python service would give; the tool version is fixed so goldens are stable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from qualitygate.verdict import (
    ChangeInfo,
    Evidence,
    GateResult,
    InputInfo,
    Status,
    Verdict,
    overall_status,
    summarize,
)

POLICY = ".github/quality-gates.yml"
TOOL_VERSION = "0.1.0"

# An ugly test id: a table separator, an HTML tag, backticks, an @mention and a Markdown emphasis.
UGLY_TEST = "tests/test_ui.py::test_render[a|b-<script>alert(1)</script>]"
UGLY_MESSAGE = "AssertionError: `x | y` != <b>*bold*</b> (cc @octocat)\nsecond line of the traceback"


def verdict(gates: list[GateResult], inputs: list[InputInfo] | None = None, **kw: Any) -> Verdict:
    return Verdict(
        tool_version=TOOL_VERSION,
        policy=POLICY,
        status=overall_status(gates),
        summary=summarize(gates),
        gates=gates,
        inputs=inputs or [],
        **kw,
    )


def sha(seed: str) -> str:
    return (seed.encode().hex() * 64)[:64]


# ---------------------------------------------------------------------------------------------- gates


def coverage_gate(status: Status, actual: float | None, **kw: Any) -> GateResult:
    fields: dict[str, Any] = {
        "id": "coverage.backend",
        "title": "Backend line coverage",
        "metric": "coverage.lines.pct",
        "component": "backend",
        "paths": ["src/**"],
        "operator": ">=",
        "threshold": 80,
        "unit": "%",
        "actual": actual,
        "status": status,
        "message": "Line coverage is 82.5%, at least 80% is required.",
        "inputs": ["reports/coverage.xml"],
    }
    fields.update(kw)
    return GateResult(**fields)


def frontend_coverage_gate() -> GateResult:
    return GateResult(
        id="coverage.frontend",
        title="Frontend line coverage",
        metric="coverage.lines.pct",
        component="frontend",
        operator=">=",
        threshold=70,
        unit="%",
        actual=88.214,
        status=Status.PASS,
        message="Line coverage is 88.21%, at least 70% is required.",
        inputs=["web/coverage/lcov.info"],
    )


def tests_gate(status: Status = Status.PASS, actual: float = 0, **kw: Any) -> GateResult:
    fields: dict[str, Any] = {
        "id": "tests.failed",
        "title": "No failing tests",
        "metric": "tests.failed",
        "operator": "==",
        "threshold": 0,
        "actual": actual,
        "status": status,
        "message": "All 1,204 tests passed.",
        "inputs": ["reports/junit.xml"],
    }
    fields.update(kw)
    return GateResult(**fields)


def complexity_gate(status: Status = Status.PASS, actual: float = 12, **kw: Any) -> GateResult:
    fields: dict[str, Any] = {
        "id": "complexity.max",
        "title": "Cyclomatic complexity per function",
        "metric": "complexity.cyclomatic.max",
        "component": "backend",
        "operator": "<=",
        "threshold": 15,
        "actual": actual,
        "status": status,
        "message": "The most complex function scores 12; the limit is 15.",
        "inputs": ["reports/radon.json"],
    }
    fields.update(kw)
    return GateResult(**fields)


def findings_gate(status: Status = Status.PASS, actual: float = 0, **kw: Any) -> GateResult:
    fields: dict[str, Any] = {
        "id": "security.high",
        "title": "No high or critical security findings",
        "metric": "findings.high",
        "operator": "==",
        "threshold": 0,
        "actual": actual,
        "status": status,
        "message": "No high or critical findings.",
        "inputs": ["reports/trivy.sarif", "reports/semgrep.sarif"],
    }
    fields.update(kw)
    return GateResult(**fields)


def k6_gate(status: Status = Status.PASS, actual: float | None = 182.4, **kw: Any) -> GateResult:
    fields: dict[str, Any] = {
        "id": "k6.latency",
        "title": "API p95 latency",
        "metric": "k6.http_req_duration.p(95)",
        "component": "api",
        "operator": "<",
        "threshold": 250,
        "unit": "ms",
        "actual": actual,
        "status": status,
        "message": "p95 latency is 182.4 ms, under the 250 ms limit.",
        "inputs": ["reports/k6-summary.json"],
    }
    fields.update(kw)
    return GateResult(**fields)


def debt_gate(status: Status = Status.PASS, actual: float = 95, **kw: Any) -> GateResult:
    fields: dict[str, Any] = {
        "id": "debt.new",
        "title": "Technical debt",
        "metric": "debt.minutes",
        "operator": "<=",
        "threshold": 240,
        "unit": "min",
        "actual": actual,
        "level": "warn",
        "status": status,
        "message": "About 95 min of remediation effort, within the 240 min budget.",
        "estimate": True,
        "inputs": ["reports/semgrep.sarif"],
    }
    fields.update(kw)
    return GateResult(**fields)


def duplication_gate(status: Status = Status.PASS, actual: float | None = 2.1, **kw: Any) -> GateResult:
    fields: dict[str, Any] = {
        "id": "duplication",
        "title": "Duplicated lines",
        "metric": "duplication.lines.pct",
        "operator": "<=",
        "threshold": 3,
        "unit": "%",
        "actual": actual,
        "level": "warn",
        "status": status,
        "message": "2.1% of lines are duplicated; at most 3% is allowed.",
        "inputs": ["reports/jscpd-report.json"],
    }
    fields.update(kw)
    return GateResult(**fields)


# -------------------------------------------------------------------------------------------- inputs


def inputs_all() -> list[InputInfo]:
    return [
        InputInfo(
            path="reports/coverage.xml",
            kind="cobertura",
            size=48_213,
            sha256=sha("coverage"),
            component="backend",
            files_total=120,
            files_found=120,
        ),
        InputInfo(
            path="web/coverage/lcov.info",
            kind="lcov",
            size=9_812,
            sha256=sha("lcov"),
            component="frontend",
            files_total=41,
            files_found=41,
        ),
        InputInfo(path="reports/junit.xml", kind="junit", size=312_004, sha256=sha("junit")),
        InputInfo(path="reports/radon.json", kind="radon", size=20_480, sha256=sha("radon")),
        InputInfo(path="reports/trivy.sarif", kind="sarif", size=1_572_864, sha256=sha("trivy")),
        InputInfo(path="reports/semgrep.sarif", kind="sarif", size=65_300, sha256=sha("semgrep")),
        InputInfo(path="reports/k6-summary.json", kind="k6", size=3_100, sha256=sha("k6")),
    ]


# ------------------------------------------------------------------------------------------ scenarios


def all_pass() -> Verdict:
    gates = [
        coverage_gate(Status.PASS, 82.5),
        frontend_coverage_gate(),
        tests_gate(),
        complexity_gate(),
        findings_gate(),
        k6_gate(),
        debt_gate(),
    ]
    return verdict(gates, inputs_all())


def mixed_fail() -> Verdict:
    coverage_files = [
        ("src/api/export.py", 12.5),
        ("src/api/handlers.py", 41.18),
        ("src/billing/invoice.py", 55.0),
        ("src/billing/tax.py", 61.9),
        ("src/core/cache.py", 66.67),
        ("src/core/retry.py", 70.0),
        ("src/api/auth.py", 72.73),
    ]
    coverage = coverage_gate(
        Status.FAIL,
        78.43,
        message="Line coverage is 78.43%, at least 80% is required (1.57 points short).",
        reason="worst src/api/export.py (12.5%), 5 files below it",
        evidence=[
            Evidence(kind="file", title=p, path=p, value=v, unit="%", detail=None) for p, v in coverage_files
        ],
        evidence_total=14,
    )
    complexity = complexity_gate(
        Status.FAIL,
        23,
        message="2 functions are over the complexity limit of 15; the worst scores 23.",
        reason="worst Exporter.render_rows (23), 2 functions over it",
        evidence=[
            Evidence(
                kind="function",
                title="Exporter.render_rows",
                path="src/api/export.py",
                line=88,
                value=23,
                detail="rank D",
            ),
            Evidence(
                kind="function",
                title="apply_discounts",
                path="src/billing/invoice.py",
                line=214,
                value=17,
                detail="rank C",
            ),
        ],
        evidence_total=2,
    )
    tests = tests_gate(
        Status.FAIL,
        3,
        message="3 of 1,204 tests failed.",
        reason="first: tests/api/test_export.py::test_export_csv_large",
        evidence=[
            Evidence(
                kind="test",
                title="tests/api/test_export.py::test_export_csv_large",
                path="tests/api/test_export.py",
                line=57,
                detail="AssertionError: expected status 200, got 500\nassert 500 == 200",
            ),
            Evidence(
                kind="test",
                title="tests/billing/test_tax.py::TestVat::test_reverse_charge",
                path="tests/billing/test_tax.py",
                line=131,
                detail="decimal.InvalidOperation: [<class 'decimal.ConversionSyntax'>]",
            ),
            Evidence(kind="test", title=UGLY_TEST, path="tests/test_ui.py", line=12, detail=UGLY_MESSAGE),
        ],
        evidence_total=3,
    )
    findings = findings_gate(
        Status.FAIL,
        2,
        message="2 high or critical findings; none are allowed.",
        reason="worst CVE-2023-1234 (CRITICAL)",
        evidence=[
            Evidence(
                kind="finding",
                title="python.lang.security.audit.formatted-sql-query",
                path="src/db/query.py",
                line=42,
                detail="high: SQL built with an f-string; use bound parameters",
            ),
            Evidence(
                kind="finding",
                title="CVE-2024-34064",
                path="requirements.txt",
                line=7,
                detail="critical: jinja2 3.1.3, fixed in 3.1.4",
            ),
        ],
        evidence_total=2,
    )
    k6 = k6_gate(
        Status.FAIL,
        312.8,
        message="p95 latency is 312.8 ms; it must stay under 250 ms.",
        evidence=[
            Evidence(
                kind="metric",
                title="http_req_duration p(95)",
                value=312.8,
                unit="ms",
                detail="limit < 250 ms",
            ),
            Evidence(
                kind="metric",
                title="http_req_failed rate",
                value=0.0123,
                unit="ratio",
                detail="limit < 0.01",
            ),
        ],
        evidence_total=2,
    )
    duplication = duplication_gate(
        Status.WARN,
        3.4,
        message="3.4% of lines are duplicated; the warning level is 3%.",
        evidence=[
            Evidence(
                kind="clone",
                title="src/billing/invoice.py",
                path="src/billing/invoice.py",
                line=120,
                value=38,
                unit="lines",
                detail="same as src/billing/credit_note.py:96",
            ),
        ],
        evidence_total=1,
    )
    gates = [coverage, frontend_coverage_gate(), complexity, tests, findings, k6, duplication, debt_gate()]
    inputs = inputs_all()
    inputs[0] = replace(
        inputs[0],
        files_total=122,
        files_found=120,
        files_missing=["src/generated/api_pb2.py", "src/generated/api_pb2_grpc.py"],
    )
    inputs[2] = replace(
        inputs[2], warnings=["testsuite 'api' declares tests=212 but holds 211 testcases; counted 211"]
    )
    return verdict(
        gates, inputs, problems=["reports/bandit.sarif was given but no gate reads findings from it"]
    )


def error_missing_report() -> Verdict:
    coverage = coverage_gate(
        Status.ERROR,
        None,
        message="reports/coverage.xml: no such file; run the tests with coverage before the gate.",
        reason="no coverage report found (looked for reports/coverage.xml)",
    )
    k6 = k6_gate(
        Status.SKIP,
        None,
        message="No k6 summary was given; the policy skips this gate when the data is missing.",
        inputs=[],
    )
    gates = [coverage, tests_gate(), complexity_gate(), k6]
    inputs = [i for i in inputs_all() if i.kind in ("junit", "radon")]
    return verdict(gates, inputs, problems=["reports/coverage.xml: no such file"])


def warn_only() -> Verdict:
    gates = [
        coverage_gate(Status.PASS, 80.0, message="Line coverage is 80%, at least 80% is required."),
        duplication_gate(
            Status.WARN,
            3.4,
            message="3.4% of lines are duplicated; the warning level is 3%.",
            evidence=[
                Evidence(
                    kind="clone",
                    title="src/billing/invoice.py",
                    path="src/billing/invoice.py",
                    line=120,
                    value=38,
                    unit="lines",
                    detail="same as src/billing/credit_note.py:96",
                ),
                Evidence(
                    kind="clone",
                    title="src/api/handlers.py",
                    path="src/api/handlers.py",
                    line=310,
                    value=21,
                    unit="lines",
                    detail="same as src/api/admin.py:77",
                ),
            ],
            evidence_total=2,
        ),
        debt_gate(
            Status.WARN,
            300,
            message="About 300 min of remediation effort, over the 240 min budget.",
        ),
    ]
    return verdict(gates, [i for i in inputs_all() if i.kind == "cobertura"])


HUGE_ITEMS = 450


def huge_evidence() -> Verdict:
    """Hundreds of evidence items with long paths: far past GitHub's 65,536-character comment limit."""
    deep = "src/services/very/deeply/nested/package/structure/that/monorepos/love/module_{i:03d}.py"
    coverage = coverage_gate(
        Status.FAIL,
        31.4,
        message="Line coverage is 31.4%, at least 80% is required.",
        evidence=[
            Evidence(
                kind="file",
                title=deep.format(i=i),
                path=deep.format(i=i),
                value=round(i * 100 / HUGE_ITEMS, 2),
                unit="%",
            )
            for i in range(HUGE_ITEMS)
        ],
        evidence_total=HUGE_ITEMS + 200,
    )
    findings = findings_gate(
        Status.FAIL,
        HUGE_ITEMS // 2,
        message=f"{HUGE_ITEMS // 2} high or critical findings; none are allowed.",
        evidence=[
            Evidence(
                kind="finding",
                title=f"CVE-2024-{10000 + i}",
                path="poetry.lock",
                line=100 + i,
                detail=f"high: package-{i} 1.0.{i} has a known vulnerability, fixed in 1.0.{i + 1}",
            )
            for i in range(HUGE_ITEMS // 2)
        ],
        evidence_total=HUGE_ITEMS // 2,
    )
    tests = tests_gate(
        Status.FAIL,
        20,
        message="20 of 5,000 tests failed.",
        evidence=[
            Evidence(
                kind="test",
                title=f"tests/test_flow.py::test_step[{i}]",
                path="tests/test_flow.py",
                line=10,
                detail=f"AssertionError: step {i} | expected <ok>",
            )
            for i in range(20)
        ],
        evidence_total=20,
    )
    return verdict([coverage, findings, tests, complexity_gate()], inputs_all())


def base_for_mixed() -> Verdict:
    """The base branch's verdict for ``mixed_fail``: every gate but the k6 one, with other values."""
    gates = [
        coverage_gate(Status.PASS, 80.63),
        frontend_coverage_gate(),
        complexity_gate(Status.FAIL, 23),
        tests_gate(),
        findings_gate(),
        debt_gate(Status.PASS, 120),
        duplication_gate(Status.SKIP, None, message="No duplication report; skipped."),
    ]
    return verdict(gates, inputs_all())


def _new_gate(gate_id: str, title: str, metric: str, op: str, threshold: float, **kw: Any) -> GateResult:
    fields: dict[str, Any] = {
        "id": gate_id,
        "title": title,
        "metric": metric,
        "operator": op,
        "threshold": threshold,
        "actual": None,
        "status": Status.PASS,
        "message": "",
        "inputs": [],
    }
    fields.update(kw)
    return GateResult(**fields)


def new_code() -> Verdict:
    """A pull request judged on what it adds (``check --base origin/main``): new-code gates lead, with the
    uncovered changed lines as ranges (more than GitHub's 10 annotations), then the whole tree."""
    legacy = [(30, 31), (36, 38), (40, 40), (46, 46), (49, 50), (53, 54), (56, 56), (60, 61), (70, 78)]
    gates = [
        _new_gate(
            "new_code.coverage.backend",
            "New code line coverage (backend)",
            "new.coverage.lines.pct",
            ">=",
            80,
            unit="%",
            component="backend",
            actual=49 * 100 / 84,
            status=Status.FAIL,
            message="New code line coverage (backend) 58.33% is below the minimum of 80%: worst "
            "app/legacy.py (56.92%), 2 files with uncovered lines (not counted: 1 changed file the coverage "
            "report does not list (app/newmod.py), as diff-cover leaves them out).",
            reason="worst app/legacy.py (56.92%), 2 files with uncovered lines",
            inputs=["backend/coverage.xml"],
            evidence=[
                Evidence(
                    kind="file",
                    title="app/legacy.py",
                    path="app/legacy.py",
                    line=30,
                    value=56.92307692307692,
                    unit="%",
                    detail="30-31, 36-38, 40, 46, 49-50, 53-54, 56, 60-61, 70-78 not covered "
                    "(21 of 65 coverable new lines)",
                    line_ranges=legacy,
                ),
                Evidence(
                    kind="file",
                    title="app/orders.py",
                    path="app/orders.py",
                    line=68,
                    value=61.53846153846154,
                    unit="%",
                    detail="68, 100-103 not covered (5 of 13 coverable new lines)",
                    line_ranges=[(68, 68), (100, 103)],
                ),
            ],
            evidence_total=2,
        ),
        _new_gate(
            "new_code.security_hotspots",
            "New security hotspots",
            "new.security.blocking",
            "<=",
            0,
            actual=1,
            status=Status.FAIL,
            message="New security hotspots 1 exceeds the maximum of 0: worst B324 (HIGH); CRITICAL/HIGH by "
            "the scanner's severity.",
            reason="worst B324 (HIGH); CRITICAL/HIGH by the scanner's severity",
            inputs=["bandit.sarif"],
            evidence=[
                Evidence(
                    kind="finding",
                    title="Bandit B324",
                    path="app/legacy.py",
                    line=19,
                    detail="HIGH: Use of weak MD5 hash for security.",
                )
            ],
            evidence_total=1,
        ),
        _new_gate(
            "new_code.code_smells",
            "New code smells",
            "new.smells.count",
            "<=",
            0,
            actual=0,
            message="New code smells 0 is within the maximum of 0.",
            inputs=["ruff.sarif"],
        ),
        _new_gate(
            "new_code.complexity.cyclomatic",
            "New code cyclomatic complexity",
            "new.complexity.cyclomatic.max",
            "<=",
            10,
            status=Status.SKIP,
            message="New code cyclomatic complexity skipped: the change touches no function that "
            "radon-cc.json lists.",
            reason="the change touches no function that radon-cc.json lists",
            inputs=["radon-cc.json"],
        ),
        _new_gate(
            "new_code.failing_tests",
            "Newly failing tests",
            "new.tests.failing",
            "<=",
            0,
            status=Status.ERROR,
            message="Newly failing tests cannot be evaluated: needs the base's test results (--base-results, "
            "not yet available).",
            reason="needs the base's test results (--base-results, not yet available)",
        ),
        coverage_gate(Status.PASS, 89.33),
        tests_gate(),
    ]
    change = ChangeInfo(
        base_ref="origin/main",
        merge_base="3f9c2a1" + "0" * 33,
        files=4,
        lines=133,
        notes=[
            "not counted: 1 changed file the coverage report does not list (app/newmod.py), as diff-cover "
            "leaves them out"
        ],
    )
    return verdict(gates, change=change)


SCENARIOS: dict[str, Callable[[], Verdict]] = {
    "all_pass": all_pass,
    "mixed_fail": mixed_fail,
    "error_missing_report": error_missing_report,
    "warn_only": warn_only,
    "huge_evidence": huge_evidence,
    "new_code": new_code,
}
