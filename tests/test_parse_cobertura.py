"""The cobertura parser: real reports from every producer, then one hand-written file per defect.

Real reports (../shared/real-reports) carry the numbers their own tools computed; the small files under
tests/data/cobertura/ are named after the defect they hold.
"""

from __future__ import annotations

import subprocess
import sys
from array import array
from pathlib import Path
from typing import Any

import pytest
from conftest import REAL_REPORTS, SHARED, conformance_cases

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


def _istanbul_root_branches(path: Path, want: dict[str, Any]) -> dict[str, Any]:
    """The corpus recounts branches from ``<line>`` (its ``how``); for Istanbul's Cobertura the producer's
    own figure is the root's (nyc's summary: js/numeral-2.0.6/README.md), which qualitygate now reports."""
    import re

    head = path.read_text()[:2048]
    root = dict(re.findall(r'(branches-(?:valid|covered))="(\d+)"', head))
    if 'version="0.1"' not in head or "coverage.branches.total" not in want or not root:
        return want
    valid, covered = int(root["branches-valid"]), int(root["branches-covered"])
    out = dict(want, **{"coverage.branches.total": valid, "coverage.branches.covered": covered})
    out["coverage.branches.pct"] = covered * 100 / valid
    return out


@pytest.mark.parametrize("case", conformance_cases("cobertura"))
def test_real_report_counts_match_the_producing_tool(case: tuple[Path, dict[str, Any]]) -> None:
    path, spec = case
    got = parse(path).metrics()
    want = _istanbul_root_branches(path, spec["metrics"])
    assert {k: got.get(k) for k in want} == pytest.approx(want, rel=1e-12)


NYC = DATA / "istanbul-nyc-17"


def test_istanbul_branches_on_no_line_count_as_nyc_counts_them() -> None:
    """nyc says 7/9 branches (text-summary, lcov); the <line> elements carry 5/7 (README.md there)."""
    cob = parse(NYC / "cobertura-coverage.xml")
    lcov = parse_report(str(NYC / "lcov.info"))
    assert (cob.totals().branches_covered, cob.totals().branches_total) == (7, 9)
    assert cob.metrics()["coverage.branches.pct"] == lcov.metrics()["coverage.branches.pct"] == 700 / 9
    assert cob.unplaced_branches == (2, 2)
    (f,) = cob.files
    assert (f.branches_covered, f.branches_total) == (5, 7)  # per file: what the lines say
    assert cob.warnings == [
        "2 of Istanbul's 9 branches (2 covered) are on no <line> (Istanbul's Cobertura writes branches only "
        "on lines where a statement starts): totals use Istanbul's root count, per-file and per-path branch "
        "figures leave them out"
    ]
    assert_same_as_careful(NYC / "cobertura-coverage.xml", fast=True)


def test_istanbul_unplaced_branches_count_in_a_component_gate_not_in_a_per_path_one() -> None:
    from qualitygate.rules.coverage import merge

    cob = parse(NYC / "cobertura-coverage.xml")
    assert merge([cob]).totals().branches_total == 9
    assert merge([cob], (cob.files[0].path,)).totals().branches_total == 7


def test_other_producers_root_disagreement_stays_a_warning(tmp_path: Path) -> None:
    text = (NYC / "cobertura-coverage.xml").read_text().replace('version="0.1"', 'version="gcovr 8.0"')
    path = tmp_path / "coverage.xml"
    path.write_text(text)
    r = parse(path)
    assert (r.totals().branches_covered, r.totals().branches_total) == (5, 7)
    assert "root branches-valid=9 but the <line> elements give 7; using the <line> count" in r.warnings


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


def test_istanbul_root_branch_totals_are_the_producers_and_the_lines_loss_is_said(real: Path) -> None:
    report = parse(real / "js/change-case-v4/jest/coverage/cobertura-coverage.xml")
    assert report.tool == "istanbul"
    assert report.warnings == [
        "8 of Istanbul's 63 branches (8 covered) are on no <line> (Istanbul's Cobertura writes branches only "
        "on lines where a statement starts): totals use Istanbul's root count, per-file and per-path branch "
        "figures leave them out"
    ]
    m = report.metrics()
    assert (m["coverage.branches.covered"], m["coverage.branches.total"]) == (50, 63)  # the lines: 42/55
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


def test_several_sources_with_one_relative_name_are_two_files_not_one() -> None:
    """Sources /src/pkg_a and /src/pkg_b each hold an ``__init__.py``: merged line by line they would be
    3 lines with 1 covered (33 %); they are 4 lines with 1 covered (25 %), as the root says."""
    path = DATA / "cobertura.two-sources-same-relative-name.xml"
    report = parse(path)
    assert report.sources == ["/src/pkg_a", "/src/pkg_b"]
    assert [(f.path, list(f.line_numbers), list(f.line_hits)) for f in report.files] == [
        ("__init__.py", [1, 2, 3], [0, 0, 0]),
        ("__init__.py", [1], [1]),
    ]
    m = report.metrics()
    assert (m["coverage.lines.total"], m["coverage.lines.covered"]) == (4, 1)
    assert m["coverage.lines.pct"] == pytest.approx(25.0)
    assert report.warnings == [
        "2 files share a relative name across several <source> roots (__init__.py) and are kept apart, "
        "not merged"
    ]
    assert_same_as_careful(path, fast=True)


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


# ------------------------------------------------------------------------- fast path == careful path
#
# ``parse`` reads plain producer output with a verified byte scan after an expat safety pass, and everything
# else with the careful lxml path. Whatever the input, the outcome (report or error) must be the careful
# path's.


def outcome(fn: Any, path: Path) -> Any:
    try:
        r = fn(str(path))
    except Exception as exc:  # the error itself is the outcome
        return (type(exc).__name__, str(exc))
    if r is None:
        return None
    return (r.files, r.warnings, r.sources, r.tool, r.functions_measured, r.branches_measured)


def assert_same_as_careful(path: Path, *, fast: bool | None = None) -> None:
    """``parse`` agrees with the careful path; ``fast``: whether the fast path must (not) give the answer."""
    want = outcome(cobertura._parse_careful, path)
    assert outcome(cobertura.parse, path) == want
    got_fast = outcome(cobertura._parse_fast, path)
    if got_fast is not None:
        assert got_fast == want
    if fast is not None:
        assert (got_fast is not None) is fast


def _all_cobertura_files() -> list[Any]:
    files = sorted(DATA.glob("*.xml"))
    if REAL_REPORTS.is_dir():
        files += sorted(
            p for p in REAL_REPORTS.rglob("*.xml") if "line-rate" in p.read_text(errors="replace")[:4096]
        )
    return [
        pytest.param(p, id=p.name if p.parent == DATA else str(p.relative_to(REAL_REPORTS))) for p in files
    ]


@pytest.mark.parametrize("path", _all_cobertura_files())
def test_fast_path_agrees_with_careful_path_on_every_real_and_test_file(path: Path) -> None:
    assert_same_as_careful(path)


@pytest.mark.parametrize(
    "name",
    [
        "python/toolz/coverage.xml",  # coverage.py: every class on the byte scan
        "js/change-case-v4/jest/coverage/cobertura-coverage.xml",  # Istanbul: DOCTYPE SYSTEM, <methods> via lxml
        "public/cobertura/gcovr-8.0_simple1_gcc-14_cobertura.xml",
        "public/cobertura/coverlet_list-picker_coverage.cobertura.xml",
        "hostile/doctype-system-coverage.xml",  # accepted, never fetched
    ],
)
def test_plain_producer_output_takes_the_fast_path(real: Path, name: str) -> None:
    assert cobertura._parse_fast(str(real / name)) is not None


def test_generated_coverage_py_report_fast_equals_careful(tmp_path: Path) -> None:
    gen = SHARED / "bench" / "gen_reports.py"
    if not gen.is_file():
        pytest.skip("../shared/bench not present")
    subprocess.run(
        [sys.executable, str(gen), "--out", str(tmp_path), "--scale", "0.005", "--formats", "coverage"],
        check=True,
        capture_output=True,
    )
    path = tmp_path / "coverage.xml"
    fast = cobertura._parse_fast(str(path))
    assert fast is not None
    careful = cobertura._parse_careful(str(path))
    assert fast.files == careful.files
    assert fast.warnings == careful.warnings == []


HEAD = '<?xml version="1.0" ?>\n'
ROOT = (
    '<coverage version="7.6.10" timestamp="1" lines-valid="4" lines-covered="3" line-rate="0.75" '
    'branches-valid="2" branches-covered="1" branch-rate="0.5" complexity="0">\n'
    "\t<!-- Generated by coverage.py: https://coverage.readthedocs.io/en/7.6.10 -->\n"
    "\t<sources>\n\t\t<source>/src</source>\n\t</sources>\n\t<packages>\n"
    '\t\t<package name="." line-rate="0.75" branch-rate="0.5" complexity="0">\n\t\t\t<classes>\n'
)
CLASS_A = (
    '\t\t\t\t<class name="a.py" filename="a.py" complexity="0" line-rate="0.75" branch-rate="0.5">\n'
    "\t\t\t\t\t<methods/>\n\t\t\t\t\t<lines>\n"
    '\t\t\t\t\t\t<line number="1" hits="1"/>\n'
    '\t\t\t\t\t\t<line number="2" hits="1" branch="true" condition-coverage="50% (1/2)" missing-branches="4"/>\n'
    '\t\t\t\t\t\t<line number="3" hits="0"/>\n'
    '\t\t\t\t\t\t<line number="4" hits="1"/>\n'
    "\t\t\t\t\t</lines>\n\t\t\t\t</class>\n"
)
CLASS_B = (
    '\t\t\t\t<class name="b.py" filename="b.py" complexity="0" line-rate="1" branch-rate="1">\n'
    '\t\t\t\t\t<methods/>\n\t\t\t\t\t<lines>\n\t\t\t\t\t\t<line number="7" hits="3"/>\n\t\t\t\t\t</lines>\n'
    "\t\t\t\t</class>\n"
)
TAIL = "\t\t\t</classes>\n\t\t</package>\n\t</packages>\n</coverage>"


def doc(a: str = CLASS_A, *, head: str = HEAD, root: str = ROOT, b: str = CLASS_B, tail: str = TAIL) -> str:
    return head + root + a + b + tail


def write(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "coverage.xml"
    path.write_bytes(text.encode(encoding))
    return path


def test_base_document_is_read_by_the_fast_path(tmp_path: Path) -> None:
    path = write(tmp_path, doc())
    assert_same_as_careful(path, fast=True)
    files = by_path(parse(path))
    assert list(files["/src/a.py"].line_hits) == [1, 1, 0, 1]
    assert list(files["/src/a.py"].branch_total) == [2]
    assert parse(path).warnings == [
        "root lines-valid=4 but the <line> elements give 5; using the <line> count",
        "root lines-covered=3 but the <line> elements give 4; using the <line> count",
    ]


SEVERAL_SOURCES = ROOT.replace(
    "<source>/src</source>", "<source>/src/pkg_a</source>\n\t\t<source>/src/pkg_b</source>"
)
A_AGAIN = CLASS_A.replace('number="1" hits="1"', 'number="1" hits="0"').replace(
    '<line number="4" hits="1"/>', '<line number="5" hits="1"/>'
)
A_INNER = CLASS_B.replace('name="b.py" filename="b.py"', 'name="a.py$Inner" filename="a.py"')


@pytest.mark.parametrize(
    ("root", "classes", "entries"),
    [
        # one source: a repeated class is the same file, merged (hits = max)
        (ROOT, CLASS_A + A_AGAIN, [("/src/a.py", 5)]),
        # several sources, same name and filename: another file under another root
        (SEVERAL_SOURCES, CLASS_A + A_AGAIN, [("a.py", 4), ("a.py", 4)]),
        # several sources, same filename but another class name (an inner class): merged
        (SEVERAL_SOURCES, CLASS_A + A_INNER, [("a.py", 5)]),
        # the second file's inner class joins the first file (the one its class name did not repeat)
        (SEVERAL_SOURCES, CLASS_A + A_INNER + A_AGAIN, [("a.py", 5), ("a.py", 4)]),
        # a name that needs XML decoding still tells the files apart, fast or careful
        (
            SEVERAL_SOURCES,
            (CLASS_A + A_AGAIN).replace('<class name="a.py"', '<class name="a&amp;.py"'),
            [("a.py", 4), ("a.py", 4)],
        ),
    ],
    ids=["one-source", "several-sources", "inner-class", "inner-then-second-file", "escaped-name"],
)
def test_same_relative_name_is_split_only_with_several_sources_and_the_same_class_name(
    tmp_path: Path, root: str, classes: str, entries: list[tuple[str, int]]
) -> None:
    path = write(tmp_path, doc(classes, root=root, b=""))
    assert [(f.path, f.lines_total) for f in parse(path).files] == entries
    assert any("share a relative name" in w for w in parse(path).warnings) is (len(entries) > 1)
    assert_same_as_careful(path)


# Classes in another shape: read alone by lxml, same numbers (the fast path still answers).
CLASS_EDGE = {
    "hits-before-number": CLASS_A.replace('number="3" hits="0"', 'hits="0" number="3"'),
    "single-quotes": CLASS_A.replace('<line number="3" hits="0"/>', "<line number='3' hits='0'/>"),
    "newline-in-tag": CLASS_A.replace('<line number="3" hits="0"/>', '<line number="3"\n hits="0"/>'),
    "line-with-children": CLASS_A.replace(
        'missing-branches="4"/>',
        'missing-branches="4"><conditions><condition number="0"/></conditions></line>',
    ),
    "java-lines-inside-methods": CLASS_A.replace(
        "<methods/>",
        '<methods><method name="&lt;init&gt;" signature="()V"><lines><line number="1" hits="1"/>'
        '<line number="9" hits="5"/></lines></method></methods>',
    ),
    "branch-true-without-conditions": CLASS_A.replace(
        '<line number="3" hits="0"/>', '<line number="3" hits="0" branch="true"/>'
    ),
    "branch-capitalised-and-reordered": CLASS_A.replace(
        'branch="true" condition-coverage="50% (1/2)"', 'condition-coverage="50% (1/2)" branch="True"'
    ),
    "branch-mixed-case": CLASS_A.replace('branch="true"', 'branch="tRUE"'),
    "branch-spaces-around-equals": CLASS_A.replace('branch="true"', 'branch = "true"'),
    "branch-text-inside-a-value": CLASS_A.replace(
        'missing-branches="4"', 'missing-branches=\'x" branch="true"\''
    ),
    "condition-coverage-decimal": CLASS_A.replace("50% (1/2)", "50.0% (1/2)"),
    "character-reference-in-number": CLASS_A.replace('number="4"', 'number="&#52;"'),
    "leading-zeros": CLASS_A.replace('number="4"', 'number="004"'),
    "hits-beyond-64-bits": CLASS_A.replace('number="4" hits="1"', 'number="4" hits="99999999999999999999"'),
    "entity-reference-in-filename": CLASS_A.replace('filename="a.py"', 'filename="a&amp;b.py"'),
    "tab-in-filename": CLASS_A.replace('filename="a.py"', 'filename="a\tb.py"'),
    "two-lines-elements": CLASS_A.replace("</lines>", '</lines><lines><line number="99" hits="1"/></lines>'),
    "empty-lines-before-lines": CLASS_A.replace("<methods/>", "<methods/><lines/>"),
    "self-closing-class": '<class name="e.py" filename="e.py"/>',
    "class-without-lines": '<class name="e.py" filename="e.py"><methods/></class>',
    "unicode-filename": CLASS_A.replace('filename="a.py"', 'filename="ü/ß.py"'),
    "class-name-only": CLASS_A.replace(' filename="a.py"', ""),
}


# Read by the byte scan itself (the others are handed to lxml one class at a time).
SCANNED = {"self-closing-class", "class-without-lines", "unicode-filename", "class-name-only"}


@pytest.mark.parametrize("name", sorted(CLASS_EDGE))
def test_classes_in_another_shape_give_the_careful_answer(
    tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, doc(CLASS_EDGE[name]))
    assert_same_as_careful(path, fast=True)
    handed_over: list[bytes] = []
    real_careful_class = cobertura._FastScan._careful_class

    def spy(self: Any, chunk: bytes, body_start: int) -> None:
        handed_over.append(chunk)
        real_careful_class(self, chunk, body_start)

    monkeypatch.setattr(cobertura._FastScan, "_careful_class", spy)
    assert cobertura._parse_fast(str(path)) is not None
    assert len(handed_over) == (0 if name in SCANNED else 1)


# Documents the byte scan must not read at all: the careful path answers.
DOC_EDGE = {
    # a comment could hide <line> text: after the first <class>, any comment/CDATA/PI means the careful path
    "comment-inside-class": doc(CLASS_A.replace("<lines>", '<lines><!-- <line number="9" hits="1"/> -->')),
    "comment-with-class-end": doc(CLASS_A.replace("<methods/>", "<methods/><!-- </class> -->")),
    "cdata-inside-class": doc(CLASS_A.replace("<lines>", '<lines><![CDATA[<line number="9" hits="1"/>]]>')),
    "processing-instruction-in-class": doc(CLASS_A.replace("<lines>", "<lines><?pi x?>")),
    "comment-between-classes": doc(b="<!-- x -->" + CLASS_B),
    "comment-at-the-end": doc() + "<!-- end -->",
    "default-namespace": doc(root=ROOT.replace("<coverage ", '<coverage xmlns="urn:x" ')),
    "namespace-on-package": doc(root=ROOT.replace('<package name="."', '<package xmlns="urn:x" name="."')),
    "prefixed-class": doc(
        b=CLASS_B.replace("<class ", '<p:class xmlns:p="urn:p" ').replace("</class>", "</p:class>")
    ),
    "sources-after-classes": doc(
        tail=TAIL.replace("</packages>", "</packages><sources><source>/other</source></sources>")
    ),
    "package-inside-class": doc(CLASS_A.replace("<methods/>", '<methods/><package name="x"/>')),
    "nested-class": doc(CLASS_A.replace("<methods/>", '<methods/><class name="n" filename="n.py"/>')),
    "unknown-element-between-classes": doc(b="<extra/>" + CLASS_B),
    "root-not-coverage": "<report>" + doc(head="").replace("</coverage>", "</coverage></report>"),
    "internal-subset-attlist": doc(head=HEAD + '<!DOCTYPE coverage [<!ATTLIST line hits CDATA "5">]>\n'),
    "latin-1": doc(
        CLASS_A.replace('filename="a.py"', 'filename="é.py"'),
        head='<?xml version="1.0" encoding="ISO-8859-1"?>\n',
    ),
    "entity-in-source-with-external-dtd": doc(
        head=HEAD + '<!DOCTYPE coverage SYSTEM "http://127.0.0.1:9/x.dtd">\n',
        root=ROOT.replace("<source>/src</source>", "<source>&undeclared;</source>"),
    ),
    "entity-in-line-with-external-dtd": doc(
        CLASS_A.replace('hits="0"', 'hits="&undeclared;"'),
        head=HEAD + '<!DOCTYPE coverage SYSTEM "http://127.0.0.1:9/x.dtd">\n',
    ),
    "comment-in-source": doc(root=ROOT.replace("<source>/src</source>", "<source>/s<!--x-->rc</source>")),
    "two-sources-elements": doc(
        root=ROOT.replace("<packages>", "<sources><source>/b</source></sources><packages>")
    ),
}


@pytest.mark.parametrize("name", sorted(DOC_EDGE))
def test_documents_the_byte_scan_must_not_read_go_to_the_careful_path(tmp_path: Path, name: str) -> None:
    assert_same_as_careful(
        write(tmp_path, DOC_EDGE[name], "latin-1" if name == "latin-1" else "utf-8"), fast=False
    )


# Other structures either path may read: same answer.
DOC_VARIANTS = {
    "class-outside-packages": doc().replace("<packages>", '<class name="z" filename="z.py"/><packages>'),
    "empty-packages-between": doc(b='<package name="e"/><package name="f"><classes/></package>' + CLASS_B),
    "no-sources": doc(root=ROOT.replace("<sources>\n\t\t<source>/src</source>\n\t</sources>", "")),
    "two-sources": doc(root=ROOT.replace("<source>/src</source>", "<source>/a</source><source>/b</source>")),
    "no-classes": doc("", b=""),
    "bom": "\ufeff" + doc(),
    "doctype-system": doc(head=HEAD + '<!DOCTYPE coverage SYSTEM "http://127.0.0.1:9/coverage-04.dtd">\n'),
    "pi-and-comment-before-root": doc(head=HEAD + "<?xml-stylesheet href='x'?><!-- c -->\n"),
    "crlf": doc().replace("\n", "\r\n"),
    "repeated-file": doc(b=CLASS_A.replace('number="1" hits="1"', 'number="1" hits="0"')),
}


@pytest.mark.parametrize("name", sorted(DOC_VARIANTS))
def test_structure_variants_agree(tmp_path: Path, name: str) -> None:
    assert_same_as_careful(write(tmp_path, DOC_VARIANTS[name]))


def test_utf16_document_goes_to_the_careful_path(tmp_path: Path) -> None:
    path = write(tmp_path, doc(head='<?xml version="1.0" encoding="UTF-16"?>\n'), "utf-16")
    assert_same_as_careful(path, fast=False)
    assert parse(path).metrics()["coverage.lines.total"] == 5


ENTITY_DOCTYPES = {
    "internal": '<!DOCTYPE coverage [<!ENTITY a "aaaa">]>',
    "external": '<!DOCTYPE coverage [<!ENTITY x SYSTEM "file:///etc/hostname">]>',
    "parameter": '<!DOCTYPE coverage [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd"> %p;]>',
    "unparsed": '<!DOCTYPE coverage [<!NOTATION n SYSTEM "n"><!ENTITY u SYSTEM "u.bin" NDATA n>]>',
}


@pytest.mark.parametrize("kind", sorted(ENTITY_DOCTYPES))
def test_any_entity_declaration_is_refused_by_the_fast_pass_itself(tmp_path: Path, kind: str) -> None:
    path = write(tmp_path, doc(head=HEAD + ENTITY_DOCTYPES[kind] + "\n"))
    with pytest.raises(UnsafeInputError, match="refused: the DOCTYPE declares entity"):
        cobertura._parse_fast(str(path))
    with pytest.raises(UnsafeInputError, match="refused: the DOCTYPE declares entity"):
        parse(path)


@pytest.mark.parametrize("cut", [0.3, 0.6, 0.99])
def test_truncated_document_is_exit_3_with_line_and_column(
    tmp_path: Path, cut: int, capsys: pytest.CaptureFixture[str]
) -> None:
    text = doc()
    path = write(tmp_path, text[: int(len(text) * cut)])
    assert cobertura._parse_fast(str(path)) is None  # the careful path words the error
    assert main(["parse", str(path), "--kind", "cobertura", "--format", "json"]) == 3
    err = capsys.readouterr().err
    assert err.startswith(f"qualitygate: error: {path}:")
    line, col = err.split(f"{path}:", 1)[1].split(":")[:2]
    assert line.isdigit() and col.isdigit()


def test_errors_in_a_class_keep_the_careful_paths_line_number(tmp_path: Path) -> None:
    path = write(tmp_path, doc(CLASS_A.replace('hits="0"', 'hits="many"')))
    with pytest.raises(ReportFormatError, match=r"coverage\.xml:15: <line> hits='many' is not an integer"):
        parse(path)


def test_random_mutations_never_make_the_paths_disagree(tmp_path: Path) -> None:
    """Seeded fuzzing: markup fragments inserted into / bytes cut out of a plain report."""
    import random

    palette = [
        '<line number="5" hits="2"/>',
        '<!-- <line number="9" hits="1"/> -->',
        "<![CDATA[<line number='3' hits='1'/>]]>",
        ' branch="true"',
        ' condition-coverage="100% (2/2)"',
        "'",
        '"',
        "&amp;",
        "&#49;",
        "<",
        ">",
        "/>",
        "</class>",
        '<class name="q" filename="q.py">',
        "<lines>",
        "</lines>",
        "<lines/>",
        "<methods/>",
        "<methods>",
        "</methods>",
        " ",
        "\t",
        "\n",
        "1",
        "0",
        "x",
        "branch",
        ' missing-branches="',
        '" branch="false"',
        "xmlns",
        ":",
        "=",
        "<?pi?>",
        '<line number="7" hits="1" branch="true" condition-coverage="50% (1/2)"/>',
        "<package name='z'>",
        "</package>",
        "<sources>",
        '<!DOCTYPE coverage SYSTEM "x.dtd">',
        "<!DOCTYPE coverage [<!ELEMENT line ANY>]>",
        "é",
        "&lt;",
    ]
    rng = random.Random(20250115)
    base = doc(b=CLASS_B + CLASS_A.replace("a.py", "c.py"))
    fast_answers = 0
    for _ in range(300):
        text = base
        for _ in range(rng.randint(1, 3)):
            pos = rng.randrange(len(text))
            if rng.random() < 0.3:
                text = text[:pos] + text[pos + rng.randint(1, 5) :]
            else:
                text = text[:pos] + rng.choice(palette) + text[pos:]
        path = write(tmp_path, text)
        want = outcome(cobertura._parse_careful, path)
        assert outcome(cobertura.parse, path) == want, text
        got = outcome(cobertura._parse_fast, path)
        assert got is None or got == want, text
        fast_answers += got is not None and len(got) != 2
    assert fast_answers > 20  # the fast path did answer for a good share of the valid mutants


# Big files: a forked child runs the expat pass while the parent scans; nothing is returned before the child
# confirmed the whole file.
PARALLEL_CASES = {
    "plain": doc(),
    "comment-inside-class": DOC_EDGE["comment-inside-class"],
    "comment-at-the-end": DOC_EDGE["comment-at-the-end"],
    "truncated": doc()[:-40],
    "entity-declared": doc(head=HEAD + ENTITY_DOCTYPES["internal"] + "\n"),
    "prefixed-class": DOC_EDGE["prefixed-class"],
}


@pytest.mark.parametrize("name", sorted(PARALLEL_CASES))
def test_parallel_expat_child_gives_the_same_outcome(
    tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    path = write(tmp_path, PARALLEL_CASES[name])
    want = outcome(cobertura._parse_careful, path)
    monkeypatch.setattr(cobertura, "_PARALLEL_MIN_BYTES", 0)
    # whatever the machine and the threads earlier tests left behind (the GitHub client abandons a request
    # thread past its deadline): the child is what is tested here
    monkeypatch.setattr(cobertura, "_forkable", lambda: True)
    monkeypatch.setattr(cobertura, "usable_cpus", lambda: 2)
    assert cobertura._parallel_ok(str(path))
    assert outcome(cobertura.parse, path) == want
    fast = outcome(cobertura._parse_fast, path)
    assert fast == (want if name == "plain" else None if name != "entity-declared" else want)
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # every child was reaped


@pytest.mark.parametrize(
    ("affinity", "cgroup", "want"),
    [
        ({0, 1}, {}, 2),  # no cgroup quota
        ({0, 1}, {"cpu.max": "max 100000\n"}, 2),  # a v2 cgroup without a limit
        ({0, 1}, {"cpu.max": "150000 100000\n"}, 1),  # 1.5 CPUs: not two whole ones, so no second process
        ({0, 1, 2, 3}, {"cpu.max": "200000 100000\n"}, 2),
        ({0}, {"cpu.max": "400000 100000\n"}, 1),  # pinned to one CPU
        ({0, 1}, {"cpu/cpu.cfs_quota_us": "100000\n", "cpu/cpu.cfs_period_us": "100000\n"}, 1),  # v1
        ({0, 1}, {"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"}, 2),  # v1, no limit
    ],
)
def test_usable_cpus_is_the_affinity_capped_by_the_cgroup_quota(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, affinity: set[int], cgroup: dict[str, str], want: int
) -> None:
    import builtins
    import os

    real_open = builtins.open
    for name, text in cgroup.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)

    def fake_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        if str(file).startswith("/sys/fs/cgroup/"):
            name = str(file).removeprefix("/sys/fs/cgroup/")
            if name not in cgroup:
                raise FileNotFoundError(file)
            return real_open(tmp_path / name, *args, **kwargs)
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: affinity)
    monkeypatch.setattr(builtins, "open", fake_open)
    assert cobertura.usable_cpus() == want


def test_the_load_average_does_not_decide_the_fork(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "coverage.xml"
    path.write_bytes(b"<coverage/>")
    monkeypatch.setattr(cobertura, "_PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(cobertura, "_forkable", lambda: True)
    monkeypatch.setattr(cobertura, "usable_cpus", lambda: 2)
    monkeypatch.setattr("os.getloadavg", lambda: (64.0, 64.0, 64.0))
    assert cobertura._parallel_ok(str(path))
    monkeypatch.setattr(cobertura, "usable_cpus", lambda: 1)
    assert not cobertura._parallel_ok(str(path))


def test_the_expat_pass_refuses_entities_with_defusedxmls_handlers(monkeypatch: pytest.MonkeyPatch) -> None:
    """The expat safety pass installs defusedxml's refusals (``DefusedExpatBuilder``), told in our words."""
    from defusedxml.expatbuilder import DefusedExpatBuilder

    from qualitygate.errors import UnsafeInputError
    from qualitygate.parsers import xmlsafe

    seen: list[str] = []
    real = DefusedExpatBuilder.defused_entity_decl

    def spy(self: Any, name: str, *rest: Any) -> None:
        seen.append(name)
        real(self, name, *rest)

    monkeypatch.setattr(DefusedExpatBuilder, "defused_entity_decl", spy)
    p = xmlsafe.expat_checker("x.xml")
    with pytest.raises(UnsafeInputError) as err:
        p.Parse(b'<!DOCTYPE c [<!ENTITY lol "lol">]><c/>', True)
    assert seen == ["lol"]
    assert str(err.value).endswith(
        "refused: the DOCTYPE declares entity 'lol'; reports never need entities and they are not expanded"
    )
