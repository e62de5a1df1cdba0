"""The lcov parser: real tracefiles from geninfo-style and Istanbul-style writers, then one hand-written file
per defect (tests/data/lcov/, named after it)."""

from __future__ import annotations

from array import array
from pathlib import Path
from typing import Any

import pytest
from conftest import REAL_REPORTS, conformance_cases

from qualitygate.cli import main
from qualitygate.errors import ReportFormatError
from qualitygate.model import CoverageReport, FileCoverage, count_positive
from qualitygate.parsers import lcov, parse_report

DATA = Path(__file__).parent / "data" / "lcov"


def parse(path: Path) -> CoverageReport:
    report = parse_report(str(path), "lcov")
    assert isinstance(report, CoverageReport)
    return report


def only(report: CoverageReport) -> FileCoverage:
    (f,) = report.files
    return f


def functions(f: FileCoverage) -> list[tuple[str, int, int]]:
    return list(zip(f.function_names, f.function_lines, f.function_hits, strict=True))


# ----------------------------------------------------------------------------------- real reports


@pytest.mark.parametrize("case", conformance_cases("lcov"))
def test_real_report_counts_match_the_producing_tool(case: tuple[Path, dict[str, Any]]) -> None:
    path, spec = case
    got = parse(path).metrics()
    assert {k: got.get(k) for k in spec["metrics"]} == pytest.approx(spec["metrics"], rel=1e-12)


@pytest.mark.parametrize("case", conformance_cases("lcov"))
def test_json_scanner_path_and_field_by_field_path_agree(
    case: tuple[Path, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, _ = case
    fast = parse(path)
    monkeypatch.setattr(lcov, "_json_columns", lambda *_: None)
    monkeypatch.setattr(lcov, "_fast_chunk", lambda *_: False)
    careful = parse(path)
    assert fast.files == careful.files
    assert fast.warnings == careful.warnings


def _istanbul(sf: str, fn: str, fnda: str, da: str, brda: str, summary: tuple[int, ...]) -> str:  # noqa: PLR0917
    lf, lh, brf, brh, fnf, fnh = summary
    return (
        f"TN:\nSF:{sf}\n{fn}FNF:{fnf}\nFNH:{fnh}\n{fnda}{da}LF:{lf}\nLH:{lh}\n{brda}BRF:{brf}\nBRH:{brh}\n"
        "end_of_record\n"
    )


ODD_ISTANBUL = [
    # plain
    _istanbul(
        "src/a.js",
        "FN:1,f\nFN:5,g\n",
        "FNDA:2,f\nFNDA:0,g\n",
        "DA:1,2\nDA:2,0\n",
        "BRDA:2,0,0,1\nBRDA:2,0,1,0\n",
        (2, 1, 2, 1, 2, 1),
    ),
    # DA lines out of order and repeated (merged), FNDA in another order than FN
    _istanbul(
        "src\\b.js",
        "FN:1,f\nFN:5,f\nFN:9,h\n",
        "FNDA:3,h\nFNDA:1,f\n",
        "DA:7,1\nDA:3,0\nDA:7,2\nDA:9,0\n",
        "",
        (3, 1, 0, 0, 3, 2),
    ),
    # no functions, no lines; branches on unsorted lines
    _istanbul("src/c.js", "", "", "", "BRDA:9,0,0,1\nBRDA:4,1,0,0\nBRDA:9,0,1,3\n", (0, 0, 3, 2, 0, 0)),
    # the same file again: merged like lcov -a; FNDA naming a function no FN has
    _istanbul(
        "src/a.js",
        "FN:1,f\n",
        "FNDA:1,f\nFNDA:4,zz\n",
        "DA:2,5\nDA:3,1\n",
        "BRDA:2,0,1,2\n",
        (2, 2, 1, 1, 1, 1),
    ),
    # summary lines that disagree
    _istanbul(
        "src/d.js", "FN:3,(anonymous_0)\n", "FNDA:0,(anonymous_0)\n", "DA:3,0\n", "", (9, 9, 0, 0, 1, 0)
    ),
]


@pytest.mark.parametrize("block", [1 << 20, 97])
def test_istanbul_fast_path_and_general_reader_agree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int
) -> None:
    """Istanbul-layout records with every oddity the block reader must hand to the per-record logic."""
    path = tmp_path / "lcov.info"
    path.write_text("".join(ODD_ISTANBUL))
    monkeypatch.setattr(lcov, "_BLOCK", block)
    calls: list[bool] = []
    real_fast = lcov._fast_chunk
    monkeypatch.setattr(lcov, "_fast_chunk", lambda *a: calls.append(real_fast(*a)) or calls[-1])
    fast = parse(path)
    assert any(calls)  # the fast path did read these records
    monkeypatch.setattr(lcov, "_fast_chunk", lambda *_: False)
    careful = parse(path)
    assert fast.files == careful.files
    assert fast.warnings == careful.warnings
    assert [f.path for f in fast.files] == ["src/a.js", "src/b.js", "src/c.js", "src/d.js"]
    b = fast.files[1]
    assert (list(b.line_numbers), list(b.line_hits)) == ([3, 7, 9], [0, 3, 0])
    assert functions(b) == [("f", 1, 1), ("f", 5, 0), ("h", 9, 3)]


@pytest.mark.parametrize(
    "odd",
    [
        "DA:1,1,abc\n",  # checksum
        "DA:01,1\n",  # leading zero: int() reads it, JSON does not
        "DA:1,true\n",
        "DA:1,1.5\n",
        "DA:1,99999999999999999999\n",  # beyond int64: clamped by the general reader
        "DA:1,1\nXX:2,2\n",  # a foreign line among the DA lines
        "DA:1,1\n\nDA:2,1\n",  # a blank line
    ],
)
def test_istanbul_fast_path_hands_odd_blocks_to_the_general_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, odd: str
) -> None:
    path = tmp_path / "lcov.info"
    path.write_text(ODD_ISTANBUL[0] + _istanbul("src/x.js", "FN:1,1st\n", "", odd, "", (1, 1, 0, 0, 1, 0)))
    outcome = []
    for fast_path in (True, False):
        if not fast_path:
            monkeypatch.setattr(lcov, "_fast_chunk", lambda *_: False)
        try:
            r = parse(path)
            outcome.append((r.files, r.warnings))
        except ReportFormatError as exc:
            outcome.append(str(exc))
    assert outcome[0] == outcome[1]


@pytest.fixture
def real(real_reports: Path) -> Path:
    return real_reports


def test_istanbul_repeated_anonymous_names_count_one_function_per_fn(real: Path) -> None:
    report = parse(real / "js/numeral-2.0.6/nyc/coverage/lcov.info")
    assert report.warnings == []  # Istanbul's own LF/LH/BRF/BRH/FNF/FNH agree with the recount
    f = next(f for f in report.files if f.path == "locales.js")
    assert f.function_names[:2] == ["(anonymous_0)", "(anonymous_1)"]
    assert (f.functions_total, f.lines_total) == (len(f.function_names), len(set(f.line_numbers)))


def test_coverage_py_lcov_detail(real: Path) -> None:
    report = parse(real / "python/toolz/coverage.lcov")
    files = {f.path: f for f in report.files}
    build = files["tlz/_build_tlz.py"]
    # the same file and numbers as coverage.py's XML of the same run (tests/test_parse_cobertura.py)
    assert (build.lines_covered, build.lines_total) == (57, 67)
    assert build.missing_lines() == [34, 35, 36, 41, 42, 43, 44, 45, 70, 71]
    assert (build.branches_covered, build.branches_total) == (11, 14)
    # coverage.py writes FN:<start>,<end>,<name>: the end line is not part of the name
    assert functions(files["tlz/_build_tlz.py"])[0] == ("TlzLoader.__init__", 11, 1)


def test_gcovr_checksums_and_dash_branches(real: Path) -> None:
    report = parse(real / "public/lcov/gcovr_nested_gcc-8_coverage.lcov")
    f = next(f for f in report.files if f.path == "gcovr/tests/nested/subdir/A/C/D/File6.cpp")
    assert f.line_numbers == array("q", [1, 3, 4, 6])
    assert f.missing_lines() == [4]
    assert (list(f.branch_lines), list(f.branch_covered), list(f.branch_total)) == ([3], [1], [2])
    assert functions(f) == [("foo6(int)", 1, 1)]


def test_empty_file_is_an_error(real: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(real / "js/change-case-v4/vitest/coverage/lcov.info")
    assert main(["parse", path, "--kind", "lcov"]) == 3
    assert capsys.readouterr().err == f"qualitygate: error: {path}: empty file: no lcov report was written\n"


def test_invalid_utf8_names_file_and_line(real: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(real / "hostile/invalid-utf8.info")
    with pytest.raises(ReportFormatError, match=r"invalid-utf8\.info:4: invalid UTF-8 \(byte 0xff\)"):
        parse(Path(path))
    assert main(["parse", path, "--kind", "lcov", "--format", "json"]) == 3
    out, err = capsys.readouterr()
    assert (out, err.count("\n")) == ("", 1)
    assert "Traceback" not in err


# ------------------------------------------------------------------------------ hand-written cases


def test_missing_end_of_record_at_eof_is_read_with_a_warning() -> None:
    path = DATA / "lcov.missing-end-of-record.info"
    report = parse(path)
    assert [f.path for f in report.files] == ["src/a.js", "src/b.js"]
    assert report.files[1].line_hits == array("q", [1, 1])
    assert report.warnings == [
        f"{path}:12: the last record has no end_of_record (truncated file?); read anyway"
    ]


def test_last_end_of_record_without_a_newline_is_complete_and_not_truncated() -> None:
    """Two Istanbul records, the file ending right after the last ``end_of_record`` (no newline): the fast
    path reads the first block up to the last ``end_of_record\\n``; the rest is a whole record, no warning."""
    path = DATA / "lcov.last-end-of-record-without-newline.info"
    assert not path.read_bytes().endswith(b"\n")
    report = parse(path)
    assert report.warnings == []
    assert [(f.path, f.lines_covered, f.lines_total, f.branches_total) for f in report.files] == [
        ("src/a.js", 1, 2, 0),
        ("src/b.js", 1, 2, 2),
    ]


def test_missing_end_of_record_between_files_splits_them() -> None:
    path = DATA / "lcov.missing-end-of-record-between-files.info"
    report = parse(path)
    assert [(f.path, f.lines_covered, f.lines_total) for f in report.files] == [
        ("src/a.js", 1, 2),
        ("src/b.js", 1, 1),
    ]
    assert report.warnings == [f"{path}:7: SF without end_of_record before it; records split there"]


def test_repeated_sf_is_merged_like_lcov_add() -> None:
    f = only(parse(DATA / "lcov.repeated-sf.info"))
    assert f.line_numbers == array("q", [3, 4, 9, 10])
    assert f.line_hits == array("q", [5, 0, 2, 1])  # summed per line
    # (4,0,0): "-" + 2 = taken; (4,0,1): "-" + "-" = never taken, still counted
    assert (list(f.branch_lines), list(f.branch_covered), list(f.branch_total)) == ([4], [1], [2])
    assert functions(f) == [("helper", 3, 5)]  # one function: same name and line, counts summed


def test_dash_means_not_taken_and_checksums_are_ignored() -> None:
    f = only(parse(DATA / "lcov.brda-dash-and-geninfo-order.info"))
    assert f.path == "/build/src/main.cpp"
    assert f.line_hits == array("q", [1, 1, 0, 4])
    assert (list(f.branch_lines), list(f.branch_covered), list(f.branch_total)) == ([3, 8], [1, 1], [2, 2])


def test_repeated_function_names_pair_fnda_with_fn_by_occurrence() -> None:
    f = only(parse(DATA / "lcov.function-names-repeat.info"))
    assert functions(f) == [
        ("(anonymous_0)", 2, 0),
        ("(anonymous_1)", 7, 3),
        ("(anonymous_0)", 12, 6),
        ("render", 20, 0),
    ]


def test_fnda_before_fn_in_another_order() -> None:
    f = only(parse(DATA / "lcov.fnda-before-fn-out-of-order.info"))
    assert functions(f) == [("a", 1, 0), ("b", 5, 4)]


def test_lcov2_fnl_fna_aliases_are_one_function_and_branch_expressions_keep_commas() -> None:
    report = parse(DATA / "lcov.v2-fnl-fna-aliases.info")
    f = only(report)
    assert functions(f) == [("void f<int>()", 10, 3), ("g()", 30, 0)]
    assert (list(f.branch_lines), list(f.branch_covered), list(f.branch_total)) == ([10], [1], [2])
    assert report.warnings == []  # FNF/FNH/BRF/BRH agree


def test_summary_lines_that_disagree_are_warnings_never_used() -> None:
    report = parse(DATA / "lcov.summary-lines-disagree.info")
    m = report.metrics()
    assert (m["coverage.lines.covered"], m["coverage.lines.total"]) == (1, 2)
    assert report.warnings == [
        "summary lines disagree with the DA/BRDA/FN records (recounts used): LF 5 vs 2, LH 5 vs 1 "
        "(first file: src/a.js)"
    ]


def test_crlf_line_ends_and_backslash_paths() -> None:
    f = only(parse(DATA / "lcov.crlf-and-backslashes.info"))
    assert f.path == "src/win/a.js"
    assert f.line_hits == array("q", [1, 0])
    assert functions(f) == [("main", 1, 1)]
    assert (f.branches_covered, f.branches_total) == (1, 2)


def test_unknown_records_are_ignored() -> None:
    report = parse(DATA / "lcov.unknown-records.info")
    assert only(report).line_hits == array("q", [1])
    assert report.warnings == []


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("lcov.da-not-a-number.info", ":5: malformed DA record: 'DA:3,x7'"),
        ("lcov.no-sf-record.info", ": no SF record: this lcov file holds no coverage at all"),
    ],
)
def test_malformed_files_name_file_and_line(name: str, message: str) -> None:
    path = DATA / name
    with pytest.raises(ReportFormatError) as err:
        parse(path)
    assert str(err.value) == f"{path}{message}"


def test_records_span_read_blocks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tiny read blocks: records and lines cut anywhere must read the same as one block."""
    if not REAL_REPORTS.is_dir():
        pytest.skip("../shared/real-reports not present")
    src = REAL_REPORTS / "js/numeral-2.0.6/c8/coverage/lcov.info"
    whole = parse(src)
    monkeypatch.setattr(lcov, "_BLOCK", 97)
    assert parse(src).files == whole.files


def test_sniff() -> None:
    assert lcov.sniff("TN:\nSF:src/a.js\n")
    assert lcov.sniff("\n\nSF:/abs/a.c\nDA:1,1\n")
    assert not lcov.sniff("<?xml version='1.0'?><coverage/>")
    assert not lcov.sniff("Name    Stmts   Miss  Cover\n")


# ------------------------------------------- shared parser helpers (xmlsafe has no test file of its own here)


def test_huge_tree_only_where_libxml2_keeps_its_amplification_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Before libxml2 2.11, XML_PARSE_HUGE (lxml's ``huge_tree``) also switched off the entity-expansion
    limits: only ask for it from 2.11 on. Decided once per process, on the first parse."""
    from lxml import etree

    from qualitygate.parsers import xmlsafe

    monkeypatch.setattr(xmlsafe, "_HUGE_TREE_OK", [])
    assert etree.LIBXML_VERSION >= (2, 11)
    assert xmlsafe._safe_kwargs()["huge_tree"] is True  # unchanged on the installed libxml2
    monkeypatch.setattr(etree, "LIBXML_VERSION", (2, 10, 4))
    assert xmlsafe._safe_kwargs()["huge_tree"] is True  # cached: asked once
    monkeypatch.setattr(xmlsafe, "_HUGE_TREE_OK", [])
    assert xmlsafe._safe_kwargs()["huge_tree"] is False


def test_lxml_and_expat_refuse_a_declared_entity_with_the_same_message(tmp_path: Path) -> None:
    from qualitygate.errors import UnsafeInputError
    from qualitygate.parsers import xmlsafe

    doc = b'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY e "x">]>\n<r>&e;</r>\n'
    path = tmp_path / "entity.xml"
    path.write_bytes(doc)
    with pytest.raises(UnsafeInputError) as by_lxml:
        list(xmlsafe.iterparse(str(path), ("r",)))
    with pytest.raises(UnsafeInputError) as by_expat:
        xmlsafe.expat_checker(str(path)).Parse(doc, True)
    assert str(by_lxml.value) == str(by_expat.value)
    assert "refused: the DOCTYPE declares entity 'e'; reports never need entities" in str(by_lxml.value)


def test_lcov_recount_uses_the_models_positive_count_negative_counts_included() -> None:
    assert count_positive(array("q", [3, 0, -1, 2])) == 2
    assert lcov.count_positive is count_positive  # one implementation, the model's
