"""The cobertura parser: real reports from every producer, then one hand-written file per defect.

Real reports (../shared/real-reports) carry the numbers their own tools computed; the small files under
tests/data/cobertura/ are named after the defect they hold.
"""

from __future__ import annotations

from array import array
from pathlib import Path
from typing import Any

import pytest
from conftest import REAL_REPORTS, conformance_cases

from qualitygate.cli import main
from qualitygate.errors import ReportFormatError, UnsafeInputError
from qualitygate.model import CoverageReport, FileCoverage
from qualitygate.parsers import cobertura, parse_report
from qualitygate.parsers.registry import sniff_kind

DATA = Path(__file__).parent / "data" / "cobertura"


def parse(path: Path) -> CoverageReport:
    report = parse_report(str(path), "cobertura")
    assert isinstance(report, CoverageReport)
    return report


def by_path(report: CoverageReport) -> dict[str, FileCoverage]:
    return {f.path: f for f in report.files}


# ----------------------------------------------------------------------------------- real reports


@pytest.mark.parametrize("case", conformance_cases("cobertura"))
def test_real_report_counts_match_the_producing_tool(case: tuple[Path, dict[str, Any]]) -> None:
    path, spec = case
    got = parse(path).metrics()
    assert {k: got.get(k) for k in spec["metrics"]} == pytest.approx(spec["metrics"], rel=1e-12)


@pytest.mark.parametrize("case", conformance_cases("cobertura"))
def test_fast_path_and_attribute_by_name_path_agree(
    case: tuple[Path, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, _ = case
    fast = parse(path)
    monkeypatch.setattr(cobertura, "_read_lines_fast", lambda *_: None)
    slow = parse(path)
    assert fast.files == slow.files
    assert fast.warnings == slow.warnings


@pytest.fixture
def real(real_reports: Path) -> Path:
    return real_reports


def test_coverage_py_file_detail(real: Path) -> None:
    report = parse(real / "python/toolz/coverage.xml")
    assert report.tool == "coverage.py 7.17.5"
    # two <source>s: which one holds a file is decided later, so filenames stay relative
    assert report.sources == ["/home/runner/work/src/toolz-1.2.0", "/home/runner/work/src/toolz-1.2.0/toolz"]
    assert report.warnings == []  # coverage.py's root totals are exactly the recount
    assert report.functions_measured is False  # <methods/> is always empty in coverage.py's XML
    assert "coverage.functions.total" not in report.metrics()
    files = by_path(report)
    assert len(files) == 17
    build = files["tlz/_build_tlz.py"]
    assert (build.lines_covered, build.lines_total) == (57, 67)
    assert build.missing_lines() == [34, 35, 36, 41, 42, 43, 44, 45, 70, 71]
    assert (build.branches_covered, build.branches_total) == (11, 14)
    assert set(build.line_hits) == {0, 1}  # coverage.py writes hits 0/1, not execution counts
    assert files["toolz/tests/__init__.py"].lines_total == 0


def test_istanbul_root_branch_totals_disagree_and_are_only_warned_about(real: Path) -> None:
    report = parse(real / "js/change-case-v4/jest/coverage/cobertura-coverage.xml")
    assert report.tool == "istanbul"
    assert report.warnings == [
        "root branches-valid=63 but the <line> elements give 55; using the <line> count",
        "root branches-covered=50 but the <line> elements give 42; using the <line> count",
    ]
    m = report.metrics()
    assert (m["coverage.branches.covered"], m["coverage.branches.total"]) == (42, 55)
    # Istanbul writes <method hits="N">: functions are measured
    assert (m["coverage.functions.covered"], m["coverage.functions.total"]) == (33, 33)


def test_gcovr_missing_lines_and_branch_lines(real: Path) -> None:
    report = parse(real / "public/cobertura/gcovr-8.0_simple1_gcc-14_cobertura.xml")
    assert report.tool == "gcovr 8.0"
    (main_cpp,) = report.files
    assert main_cpp.path == "main.cpp"  # <source>.</source> adds nothing
    assert main_cpp.missing_lines() == [3, 4, 9, 22]
    assert list(main_cpp.branch_lines) == [8, 21]
    assert list(main_cpp.branch_covered) == [1, 1]
    assert list(main_cpp.branch_total) == [2, 2]
    assert main_cpp.function_names == ["not_called", "foo", "main"]
    assert list(main_cpp.function_hits) == [0, 1, 1]


def test_coverlet_capitalised_branch_and_windows_source(real: Path) -> None:
    report = parse(real / "public/cobertura/coverlet_list-picker_coverage.cobertura.xml")
    assert report.sources == ["C:/"]
    assert all(f.path.startswith("C:/Users/jigor/") and "\\" not in f.path for f in report.files)
    m = report.metrics()
    assert (m["coverage.branches.covered"], m["coverage.branches.total"]) == (20, 20)


def test_java_cobertura_doctype_is_not_fetched_and_method_lines_are_not_counted_twice(real: Path) -> None:
    report = parse(real / "public/cobertura/cobertura-1.9-java_coverage.xml")
    m = report.metrics()
    assert m["coverage.lines.total"] == 30  # its <method> elements repeat the lines: counted once
    assert report.functions_measured is True


# ------------------------------------------------------------------------------ hand-written cases


def test_inner_classes_of_one_file_merge_with_max_hits() -> None:
    report = parse(DATA / "inner-classes.same-file-twice.xml")
    (f,) = report.files
    assert f.path == "/src/main/java/com/example/Outer.java"
    # line 9: hits 0 in Outer, 1 in Outer$Inner -> one line, max(0, 1) = 1, covered
    assert list(f.line_numbers) == [3, 4, 6, 9]
    assert list(f.line_hits) == [2, 2, 5, 1]
    assert (f.branches_covered, f.branches_total) == (1, 2)
    assert f.function_names == ["run", "unused", "call"]
    assert list(f.function_lines) == [3, 9, 6]
    assert list(f.function_hits) == [2, 0, 5]  # no hits attribute: the max of the method's lines
    assert report.warnings == ["root lines-covered=3 but the <line> elements give 4; using the <line> count"]


def test_branch_rate_zero_without_branch_data_is_not_measured() -> None:
    report = parse(DATA / "branches.not-measured.xml")
    assert report.branches_measured is False
    assert report.tool == "coverage.py 7.6.10"
    assert report.metrics() == {
        "coverage.lines.covered": 2,
        "coverage.lines.total": 3,
        "coverage.lines.pct": pytest.approx(200 / 3),
        "coverage.files": 2,
    }
    assert by_path(report)["/builds/acme/app/pkg/empty.py"].lines_total == 0


def test_root_totals_that_disagree_are_warnings_never_used() -> None:
    report = parse(DATA / "root-totals.disagree-with-lines.xml")
    m = report.metrics()
    assert (m["coverage.lines.covered"], m["coverage.lines.total"]) == (1, 2)
    assert (m["coverage.branches.covered"], m["coverage.branches.total"]) == (1, 2)
    assert len(report.warnings) == 4
    assert report.warnings[0] == "root lines-valid=10 but the <line> elements give 2; using the <line> count"


def test_several_sources_keep_the_filename_relative_in_posix() -> None:
    report = parse(DATA / "sources.several-and-windows-paths.xml")
    assert report.sources == ["C:/build/src", "C:/build/tests"]
    assert [f.path for f in report.files] == ["App/Program.cs"]


def test_attribute_order_does_not_matter() -> None:
    (f,) = parse(DATA / "attributes.hits-before-number.xml").files
    assert f.path == "/repo/m.py"
    assert list(f.line_numbers) == [10, 11, 12]
    assert list(f.line_hits) == [7, 0, 3]
    assert (list(f.branch_lines), list(f.branch_covered), list(f.branch_total)) == ([12], [1], [2])


def test_repeated_and_unsorted_lines_of_one_class_count_once() -> None:
    (f,) = parse(DATA / "lines.unsorted-and-repeated.xml").files
    assert f.line_numbers == array("q", [2, 5, 9])
    assert f.line_hits == array("q", [4, 0, 2])
    assert f.missing_lines() == [5]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("line.hits-not-a-number.xml", ":11: <line> hits='many' is not an integer"),
        (
            "condition-coverage.malformed.xml",
            ":10: <line> condition-coverage='half': expected '<pct>% (<covered>/<valid>)'",
        ),
    ],
)
def test_malformed_values_name_file_and_line(name: str, message: str) -> None:
    path = DATA / name
    with pytest.raises(ReportFormatError) as err:
        parse(path)
    assert str(err.value) == f"{path}{message}"


# ---------------------------------------------------------------------------------- sniff, hostile


def test_sniff() -> None:
    head = (DATA / "branches.not-measured.xml").read_text()
    assert cobertura.sniff(head)
    assert not cobertura.sniff('<?xml version="1.0"?><coverage clover="4.4.1" generated="1"><project/>')
    assert not cobertura.sniff("<testsuites><testsuite/></testsuites>")
    assert sniff_kind(str(DATA / "inner-classes.same-file-twice.xml")) == "cobertura"


def test_billion_laughs_is_refused_before_expansion() -> None:
    if not REAL_REPORTS.is_dir():
        pytest.skip("../shared/real-reports not present")
    with pytest.raises(UnsafeInputError, match="declares entity"):
        parse(REAL_REPORTS / "hostile/billion-laughs-coverage.xml")


@pytest.mark.parametrize("name", ["billion-laughs-coverage.xml", "truncated-coverage.xml"])
def test_hostile_files_exit_3_with_one_line_naming_the_file(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    if not REAL_REPORTS.is_dir():
        pytest.skip("../shared/real-reports not present")
    path = str(REAL_REPORTS / "hostile" / name)
    assert main(["parse", path, "--kind", "cobertura", "--format", "json"]) == 3
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith(f"qualitygate: error: {path}")
    assert "lollol" not in err
