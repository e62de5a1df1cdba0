"""SARIF: one finding per result; level, CVSS band and the scanner's own severity kept apart."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest
from conftest import REAL_REPORTS, conformance_cases

from qualitygate.cli import main
from qualitygate.errors import ReportFormatError
from qualitygate.model import Level, Severity
from qualitygate.parsers import parse_report
from qualitygate.parsers import sarif as sarif_parser
from qualitygate.parsers.registry import read_head

DATA = Path(__file__).parent / "data" / "sarif"


@pytest.mark.parametrize("case", conformance_cases("sarif"))
def test_real_reports_match_the_reference_numbers(case: tuple[Path, dict[str, Any]]) -> None:
    path, spec = case
    metrics = parse_report(str(path), "sarif").metrics()
    assert {k: metrics[k] for k in spec["metrics"]} == spec["metrics"]


@pytest.mark.parametrize("case", conformance_cases("sarif"))
def test_real_reports_are_sniffed_as_sarif(case: tuple[Path, dict[str, Any]]) -> None:
    path, _ = case
    assert sarif_parser.sniff(read_head(str(path)))


def test_trivy_rule_properties_give_cvss_band_and_trivys_own_word(real_reports: Path) -> None:
    report = parse_report(
        str(real_reports / "public/trivy-sarif/trivy-action_image-sarif.test.sarif"), "sarif"
    )
    [f] = report.findings
    assert (f.rule_id, f.level, f.cvss, f.severity) == ("CVE-2021-36159", Level.ERROR, 9.1, Severity.CRITICAL)
    assert f.scanner_severity is Severity.CRITICAL
    assert f.security is True
    assert report.tool == "Trivy"


def test_old_trivy_without_security_severity_bands_from_the_tag(real_reports: Path) -> None:
    path = real_reports / "public/trivy-sarif/trivy_integration_alpine-310.sarif.golden@008b678"
    report = parse_report(str(path), "sarif")
    assert all(f.cvss is None for f in report.findings)
    assert sorted(f.severity.value for f in report.findings) == ["low"] * 2 + ["medium"] * 6
    assert all(f.scanner_severity is f.severity for f in report.findings)


def test_trivy_cvss_band_differs_from_trivys_own_severity() -> None:
    report = sarif_parser.parse(str(DATA / "sarif.trivy-cvss-vs-own-severity.sarif"))
    high_cve, unknown, suppressed, rejected = report.findings
    # CVSS 9.8 is critical for GitHub; Trivy itself says HIGH (3rd rule tag). Both are kept.
    assert (high_cve.severity, high_cve.scanner_severity, high_cve.cvss) == (
        Severity.CRITICAL,
        Severity.HIGH,
        9.8,
    )
    assert (high_cve.path, high_cve.line, high_cve.column) == ("web/package-lock.json", 12, 3)
    assert high_cve.fingerprint == "abc123:1"
    assert high_cve.fixed is True
    # security-severity 0.0 (Trivy UNKNOWN): no band; level from the rule's default; empty fixed version.
    assert (unknown.level, unknown.severity, unknown.fixed) == (Level.NOTE, Severity.NONE, False)
    assert unknown.path == "C:/work/app/Dockerfile"
    assert suppressed.suppressed is True
    assert suppressed.path == "infra/main copy.tf"
    assert suppressed.effort_min == 90.0
    assert suppressed.fixed is None
    assert rejected.suppressed is False  # a rejected suppression does not suppress
    assert report.metrics() == {
        "findings.total": 3,
        "findings.suppressed": 1,
        "findings.error": 1,
        "findings.warning": 1,
        "findings.note": 1,
        "findings.critical": 1,
        "findings.high": 0,
        "findings.medium": 1,
        "findings.low": 0,
    }


def test_several_runs_rules_by_id_index_and_extension() -> None:
    report = sarif_parser.parse(str(DATA / "sarif.two-runs-rules-by-id-and-extension.sarif"))
    assert report.tool == "CodeQL, ruff"
    sqli, unused, weak, passed, no_rule, ruff = report.findings
    # no ruleIndex: found by ruleId; level from the rule default; numeric security-severity
    assert (sqli.level, sqli.severity, sqli.cvss, sqli.path, sqli.line) == (
        Level.ERROR,
        Severity.HIGH,
        8.8,
        "src/db.py",  # artifactLocation.index -> run.artifacts[0]
        7,
    )
    assert sqli.fingerprint == "f00d"
    assert (unused.level, unused.security) == (Level.NOTE, False)  # rule in tool.extensions[0]
    assert (weak.rule_id, weak.level, weak.security, weak.effort_min) == (
        "py/weak-crypto",
        Level.WARNING,
        True,
        10.0,
    )
    assert (passed.level, passed.severity) == (Level.NONE, Severity.NONE)  # kind "pass"
    assert no_rule.level is Level.WARNING
    assert (ruff.tool, ruff.path) == ("ruff", "/home/runner/work/a b/x.py")
    assert report.metrics()["findings.total"] == 6


def test_only_accepted_suppressions_suppress_and_under_review_stays_active() -> None:
    """SARIF 2.1.0 §3.35.3 (as the SARIF SDK reads it): suppressed when one suppression is ``accepted`` (no
    ``status`` means accepted) and none is ``underReview`` or ``rejected``."""
    report = sarif_parser.parse(str(DATA / "sarif.suppression-under-review-and-pass-with-severity-tag.sarif"))
    under_review, accepted_and_rejected, no_status, _ = report.findings
    assert under_review.suppressed is False
    assert under_review.scanner_severity is Severity.HIGH
    assert accepted_and_rejected.suppressed is False
    assert no_status.suppressed is True
    assert under_review in report.active


def test_a_result_of_kind_pass_loses_the_rules_scanner_severity() -> None:
    """A ``"kind": "pass"`` result reports no problem: no severity of either kind, even when its rule carries
    Trivy's HIGH tag (the security gate prefers ``scanner_severity``)."""
    report = sarif_parser.parse(str(DATA / "sarif.suppression-under-review-and-pass-with-severity-tag.sarif"))
    passed = report.findings[3]
    assert (passed.level, passed.severity, passed.scanner_severity) == (Level.NONE, Severity.NONE, None)
    assert passed.security is True  # still a security check, one that passed
    assert report.metrics()["findings.high"] == 2  # the under-review and the accepted+rejected ones


def test_utf8_bom_is_accepted() -> None:
    assert sarif_parser.parse(str(DATA / "sarif.utf8-bom.sarif")).metrics()["findings.note"] == 1


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("sarif.result-not-an-object.sarif", "runs[0].results[1]: expected an object, got a string"),
        ("sarif.unknown-level.sarif", "runs[0].results[0].level: expected one of error, warning, note, none"),
        ("sarif.invalid-utf8.sarif", ":2:43: not UTF-8 (byte 0xe9)"),
        ("sarif.top-level-array.sarif", "top level is an array, expected an object"),
    ],
)
def test_defective_files_are_refused_with_the_place(name: str, message: str) -> None:
    with pytest.raises(ReportFormatError) as exc:
        sarif_parser.parse(str(DATA / name))
    assert message in str(exc.value)
    assert str(exc.value).startswith(str(DATA / name))


@pytest.mark.parametrize(
    ("name", "where"),
    [
        ("truncated.sarif", "truncated.sarif:1:99: not valid JSON: the text ends early"),
        ("wrong-shape.sarif", "wrong-shape.sarif: not a SARIF log: a string as 'runs'"),
    ],
)
def test_hostile_sarif_exits_3_with_one_line(
    name: str, where: str, capsys: pytest.CaptureFixture[str]
) -> None:
    if not REAL_REPORTS.is_dir():
        pytest.skip("../shared/real-reports not present")
    code = main(["parse", str(REAL_REPORTS / "hostile" / name), "--kind", "sarif"])
    err = capsys.readouterr().err
    assert code == 3
    assert err.count("\n") == 1
    assert where in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ('{"version": "2.1.0", "runs": []}', True),
        ('{"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "runs": [', True),
        ('{"runs": [{"tool": {}}]}', False),  # runs alone could be anything
        ('{"version": "2.1.0", "metrics": {}}', False),
    ],
)
def test_sniff(head: str, expected: bool) -> None:
    assert sarif_parser.sniff(head) is expected


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (10.0, "critical"),
        (9.0, "critical"),
        (8.9, "high"),
        (7.0, "high"),
        (4.0, "medium"),
        (0.1, "low"),
        (0, "none"),
    ],
)
def test_cvss_bands(score: float, band: str) -> None:
    assert sarif_parser.cvss_band(score).value == band


@pytest.mark.parametrize(
    ("value", "minutes"),
    [("5min", 5.0), ("1h 30min", 90.0), ("2d", 960.0), (15, 15.0), ("soon", None), (True, None), ("", None)],
)
def test_effort(value: object, minutes: float | None) -> None:
    assert sarif_parser.parse_effort(value) == minutes


def test_bandit_per_result_issue_severity_is_the_scanner_severity() -> None:
    """bandit writes its severity only as ``properties.issue_severity`` on each result (no
    security-severity, no severity tag): B324 (weak hash) is HIGH, B311 (random) LOW."""
    from qualitygate.model import Severity
    from qualitygate.parsers import parse_report
    from tests.conftest import FIXTURES

    report = parse_report(str(FIXTURES / "acme-failing" / "bandit.sarif"), "sarif")
    got = sorted((f.rule_id, f.scanner_severity, f.security) for f in report.findings)  # type: ignore[attr-defined]
    assert got == [("B311", Severity.LOW, True), ("B324", Severity.HIGH, True)]
    assert report.metrics()["findings.high"] == 1


def test_ruff_s_rules_are_security_findings() -> None:
    """ruff tags none of its rules; its S rules are flake8-bandit's security checks, so they are security
    findings (with no severity: they never block on their own) and not code smells."""
    from qualitygate.parsers import parse_report
    from tests.conftest import FIXTURES

    report = parse_report(str(FIXTURES / "acme-failing" / "ruff.sarif"), "sarif")
    security = sorted({f.rule_id for f in report.findings if f.security})  # type: ignore[attr-defined]
    assert security == ["S311", "S324"]
    assert sum(not f.security for f in report.findings) == 14  # type: ignore[attr-defined]


def test_a_parse_inside_a_longer_lived_process_freezes_nothing() -> None:
    """``gc.freeze()`` keeps every object alive at that moment out of collection for good: only the short-lived
    CLI process does it, not a test runner or a service using the parsers as a library."""
    before = gc.get_freeze_count()
    sarif_parser.parse(str(DATA / "sarif.utf8-bom.sarif"))
    assert gc.get_freeze_count() == before
    assert gc.isenabled()
