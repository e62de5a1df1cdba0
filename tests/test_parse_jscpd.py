"""jscpd JSON: jscpd's own totals, clones from duplicates, checked against expected.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import REAL_REPORTS

from qualitygate.errors import ReportFormatError
from qualitygate.model import CloneLocation
from qualitygate.parsers import jscpd as jscpd_parser
from qualitygate.parsers import parse_report
from qualitygate.parsers.registry import read_head

DATA = Path(__file__).parent / "data" / "jscpd"
PROJECTS = ["change-case-v4", "numeral-2.0.6"]


@pytest.mark.parametrize("project", PROJECTS)
def test_real_reports_match_expected_json(project: str) -> None:
    if not REAL_REPORTS.is_dir():
        pytest.skip("../shared/real-reports not present")
    folder = REAL_REPORTS / "js" / project
    expected = json.loads((folder / "expected.json").read_text())["reports"]["jscpd/jscpd-report.json"]
    total = expected["statistics_total"]
    report = parse_report(str(folder / "jscpd/jscpd-report.json"), "jscpd")
    metrics = report.metrics()
    assert metrics["duplication.lines.total"] == total["lines"]
    assert metrics["duplication.lines.duplicated"] == total["duplicatedLines"]
    assert metrics["duplication.files"] == total["sources"]
    assert metrics["duplication.clones"] == expected["duplicates_entries"] == total["clones"]
    assert metrics["duplication.lines.pct"] == pytest.approx(total["percentage"], rel=1e-12)
    assert report.warnings == []
    by_format: dict[str, int] = {}
    for c in report.clones:
        by_format[c.format] = by_format.get(c.format, 0) + 1
    assert by_format == expected["duplicates_by_format"]
    assert jscpd_parser.sniff(read_head(str(folder / "jscpd/jscpd-report.json")))


def test_clone_locations_and_embedded_format_suffix(real_reports: Path) -> None:
    report = jscpd_parser.parse(str(real_reports / "js/change-case-v4/jscpd/jscpd-report.json"))
    first = report.clones[0]
    assert (first.format, first.lines) == ("markdown", 7)
    # jscpd names it "camel-case/README.md:markdown"
    assert first.first == CloneLocation("camel-case/README.md", 1, 7)
    assert first.second == CloneLocation("capital-case/README.md", 1, 7)


def test_clone_count_disagreement_is_a_warning_and_paths_are_posix() -> None:
    report = jscpd_parser.parse(str(DATA / "jscpd.clone-count-disagrees.json"))
    assert report.metrics() == {
        "duplication.lines.total": 200,
        "duplication.lines.duplicated": 9,
        "duplication.clones": 2,
        "duplication.files": 4,
        "duplication.lines.pct": 4.5,
    }
    assert report.warnings == ["jscpd reports 3 clones in statistics.total; the duplicates array has 2"]
    assert report.clones[0].first == CloneLocation("src/a.py", 1, 6)
    assert report.clones[1].second == CloneLocation("docs/README.md", 1, 3)


def test_nothing_scanned_has_no_percentage() -> None:
    metrics = jscpd_parser.parse(str(DATA / "jscpd.nothing-scanned.json")).metrics()
    assert "duplication.lines.pct" not in metrics
    assert metrics["duplication.files"] == 0


def test_missing_statistics_is_refused() -> None:
    with pytest.raises(ReportFormatError) as exc:
        jscpd_parser.parse(str(DATA / "jscpd.no-statistics.json"))
    assert "not a jscpd report: expected a 'statistics' object and a 'duplicates' array" in str(exc.value)


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ('{"duplicates": [{"firstFile": {"name": "a.js"', True),
        ('{"duplicates": [], "statistics": {"total": {}}}', True),
        ('{"statistics": {"total": {}}}', False),
        ('{"duplicates": [1, 2]}', False),
    ],
)
def test_sniff(head: str, expected: bool) -> None:
    assert jscpd_parser.sniff(head) is expected
