"""The lcov fast path (parsers/_lcov_istanbul.py): it reads Istanbul's layout — the tests prove it ran, not
only that its output agrees — counts totals without decoding a line, and agrees with the careful reader on
every real report."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REAL_REPORTS

from qualitygate.errors import ReportFormatError
from qualitygate.model import CoverageReport, FileCoverage, LazyFileCoverage
from qualitygate.parsers import _lcov_istanbul, lcov

ROOT = Path(__file__).parent.parent
REPORTS = sorted(
    [*REAL_REPORTS.rglob("*.info"), *REAL_REPORTS.rglob("*.lcov"), *(ROOT / "fixtures").rglob("lcov.info")]
)
# written by Istanbul (jest, nyc, c8): every record of these must be read by the fast path
ISTANBUL = [p for p in REPORTS if ("/js/" in str(p) or "fixtures" in str(p)) and p.stat().st_size]


def outcome(path: Path) -> CoverageReport | str:
    try:
        return lcov.parse(str(path))
    except ReportFormatError as exc:
        return str(exc)


def columns(f: FileCoverage) -> tuple[object, ...]:
    return (
        f.path,
        list(f.line_numbers),
        list(f.line_hits),
        list(f.branch_lines),
        list(f.branch_covered),
        list(f.branch_total),
        f.function_names,
        list(f.function_lines),
        list(f.function_hits),
    )


def totals(f: FileCoverage) -> tuple[int, ...]:
    return (
        f.lines_covered,
        f.lines_total,
        f.branches_covered,
        f.branches_total,
        f.functions_covered,
        f.functions_total,
    )


@pytest.mark.parametrize("path", REPORTS, ids=lambda p: str(p.relative_to(p.parents[2])))
def test_fast_path_agrees_with_the_careful_reader_on_every_real_report(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = outcome(path)
    monkeypatch.setattr(lcov, "_fast_chunk", lambda *_: False)
    careful = outcome(path)
    if isinstance(careful, str):
        assert fast == careful
        return
    assert isinstance(fast, CoverageReport)
    assert fast.metrics() == careful.metrics()
    assert fast.warnings == careful.warnings
    assert list(map(totals, fast.files)) == list(map(totals, careful.files))
    assert list(map(columns, fast.files)) == list(map(columns, careful.files))
    assert fast.files == careful.files


@pytest.mark.parametrize("path", ISTANBUL, ids=lambda p: str(p.relative_to(p.parents[2])))
def test_istanbul_reports_are_read_by_the_fast_path_without_decoding_a_line(path: Path) -> None:
    report = lcov.parse(str(path))
    report.metrics()
    assert report.files
    assert all(type(f) is lcov._LcovFile for f in report.files)
    assert not any(f.decoded for f in report.files if isinstance(f, LazyFileCoverage))


def test_the_fast_path_runs_on_real_istanbul_output(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fast path that silently fell back would leave these counters at zero."""
    seen: list[int] = []
    real = _lcov_istanbul.read_chunk

    def spy(chunk: str) -> list[_lcov_istanbul.Record | _lcov_istanbul.Misfit] | None:
        got = real(chunk)
        seen.append(sum(isinstance(r, _lcov_istanbul.Record) for r in got or []))
        return got

    monkeypatch.setattr(_lcov_istanbul, "read_chunk", spy)
    report = lcov.parse(str(ROOT / "fixtures/acme/frontend/coverage/lcov.info"))
    assert sum(seen) == len(report.files) == 4


def _record(sf: str, da: str, summary: str = "LF:2\nLH:1\n") -> str:
    return f"TN:\nSF:{sf}\nFN:1,f\nFNF:1\nFNH:1\nFNDA:3,f\n{da}{summary}BRDA:1,0,0,1\nBRDA:1,0,1,-\nBRF:2\nBRH:1\nend_of_record\n"


def test_totals_come_from_the_text_and_lines_are_decoded_on_demand(tmp_path: Path) -> None:
    path = tmp_path / "lcov.info"
    path.write_text(_record("src/a.js", "DA:1,3\nDA:2,0\n"))
    (f,) = lcov.parse(str(path)).files
    assert isinstance(f, LazyFileCoverage)
    assert (f.lines_covered, f.lines_total, f.branches_covered, f.branches_total) == (1, 2, 1, 2)
    assert (f.functions_covered, f.functions_total) == (1, 1)
    assert not f.decoded
    assert f.missing_lines() == [2]
    assert f.decoded
    assert (list(f.branch_lines), list(f.branch_covered), list(f.branch_total)) == ([1], [1], [2])


@pytest.mark.parametrize(
    ("da", "block_read"),
    [
        ("DA:2,1\nDA:2,0\n", True),  # a line twice: the careful reader merges it into one
        ("DA:3,1\nDA:2,0\n", True),  # not increasing
        # DA lines JSON would read otherwise than int: the whole block goes to the careful reader
        ("DA:1,01\n", False),  # a leading zero
        ("DA:1,1,abc\n", False),  # a checksum
    ],
)
def test_records_the_fast_path_cannot_count_exactly_go_to_the_careful_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, da: str, block_read: bool
) -> None:
    path = tmp_path / "lcov.info"
    path.write_text(_record("src/a.js", "DA:1,1\n") + _record("src/b.js", da))
    fast = lcov.parse(str(path))
    assert [type(f) is lcov._LcovFile for f in fast.files] == [block_read, False]
    monkeypatch.setattr(lcov, "_fast_chunk", lambda *_: False)
    assert fast.files == lcov.parse(str(path)).files


@pytest.mark.parametrize(
    ("da", "why"),
    [
        ("DA:1,-1\n", "negative"),  # no tool writes a negative count
        ("DA:99999999999999999999,1\n", "out of range"),  # a line number beyond 4 bytes
    ],
)
def test_impossible_numbers_are_refused_by_either_reader_with_the_same_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, da: str, why: str
) -> None:
    path = tmp_path / "lcov.info"
    path.write_text(_record("src/a.js", "DA:1,1\n") + _record("src/b.js", da))
    with pytest.raises(ReportFormatError) as fast:
        lcov.parse(str(path))
    monkeypatch.setattr(lcov, "_fast_chunk", lambda *_: False)
    with pytest.raises(ReportFormatError) as careful:
        lcov.parse(str(path))
    assert str(fast.value) == str(careful.value)
    assert why in str(fast.value)


def test_a_repeated_file_read_by_the_fast_path_is_merged_like_lcov_add(tmp_path: Path) -> None:
    path = tmp_path / "lcov.info"
    path.write_text(_record("src/a.js", "DA:1,1\nDA:2,0\n") + _record("src/a.js", "DA:2,4\n", "LF:1\nLH:1\n"))
    (f,) = lcov.parse(str(path)).files
    assert (list(f.line_numbers), list(f.line_hits)) == ([1, 2], [1, 4])
    assert (f.lines_covered, f.lines_total, f.branches_covered, f.branches_total) == (2, 2, 1, 2)


def _istanbul(sf: str, fn: str = "FN:1,f\n", fnda: str = "FNDA:3,f\n", brda: str = "BRDA:1,0,0,1\n") -> str:
    return f"TN:\nSF:{sf}\n{fn}FNF:1\nFNH:1\n{fnda}DA:1,3\nDA:2,0\nLF:2\nLH:1\n{brda}BRF:1\nBRH:1\nend_of_record\n"


BIG = "9" * 5000  # beyond int()'s 4300 digits: the careful reader refuses the line


@pytest.mark.parametrize(
    "record",
    [
        # numbers the careful reader refuses: the fast path must not count them
        _istanbul("b.js").replace("DA:2,0", "DA:3000000000,0"),  # a line number beyond 4 bytes, 10 digits
        _istanbul("b.js", brda="BRDA:3000000000,0,0,1\n"),
        _istanbul("b.js", fn="FN:3000000000,f\n"),
        _istanbul("b.js", fnda=f"FNDA:{BIG},f\n"),
        _istanbul("b.js", brda=f"BRDA:1,0,0,{BIG}\n"),
        _istanbul("b.js").replace("DA:2,0", f"DA:2,{BIG}"),
        _istanbul("b.js", brda="BRDA:,0,0,1\n"),  # an empty line number
        _istanbul("b.js", brda="BRDA:1,0,0,\n"),  # an empty count
        # read, but not as the fast path would count them
        _istanbul("b.js", brda="BRDA:1,0,0,00\n"),  # a leading zero: taken 0
        _istanbul("b.js", brda="BRDA:1,0,0,1\nBRDA:1,0,0,-1\n"),  # a negative count
        _istanbul(
            "b.js", fn="FN:1,end_of_record\n", fnda="FNDA:3,end_of_record\n"
        ),  # the careful reader cuts there
        _istanbul("b.js", fn="FN:1,xend_of_record\n", fnda="FNDA:3,xend_of_record\n"),
        _istanbul("b.js", fn="FN:1,end_of_recordx\n", fnda="FNDA:3,end_of_recordx\n"),  # the block goes there
        _istanbul("b.js").replace("\n", "\r\n"),  # CRLF: the block goes there
        _istanbul("b.js", fn="FN:1,f\nFN:2,g\n", fnda="FNDA:3,g\nFNDA:0,f\n"),  # FNDA in another order
        _istanbul("b.js", fn="FN:1,2,f\n", fnda="FNDA:3,f\n"),  # FN:<start>,<end>,<name>
        _istanbul("b.js").replace("LF:2\n", "LF:2\nLF:7\n"),  # a second LF line
        _istanbul("b.js").replace("BRF:1\n", "BRF:1\nBRF:1\n"),
        _istanbul("b.js").replace("DA:2,0\n", "DA:2,0\nFNDA:1,f\n"),  # an FNDA line among the DA lines
    ],
    ids=[
        *("DA-line-10-digits", "BRDA-line-10-digits", "FN-line-10-digits", "FNDA-5000-digits"),
        *("BRDA-taken-5000-digits", "DA-count-5000-digits", "BRDA-empty-line", "BRDA-empty-taken"),
        *(
            "BRDA-leading-zero",
            "BRDA-negative",
            "name-end_of_record",
            "name-xend_of_record",
            "name-end_of_recordx",
        ),
        "CRLF",
        *("FNDA-reordered", "FN-start-end-name", "two-LF", "two-BRF", "FNDA-among-DA"),
    ],
)
def test_both_readers_give_the_same_outcome_on_records_near_istanbuls_layout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, record: str
) -> None:
    path = tmp_path / "lcov.info"
    path.write_text(_istanbul("a.js") + record + _istanbul("c.js"))
    fast = outcome(path)
    monkeypatch.setattr(lcov, "_fast_chunk", lambda *_: False)
    careful = outcome(path)
    if isinstance(careful, str):
        assert fast == careful
        return
    assert isinstance(fast, CoverageReport)
    assert (fast.metrics(), fast.warnings) == (careful.metrics(), careful.warnings)
    assert list(map(columns, fast.files)) == list(map(columns, careful.files))


@pytest.mark.parametrize(
    "record",
    [
        _istanbul("b.js", fn="FN:1,\u0663f\n", fnda="FNDA:3,\u0663f\n"),  # a name starting with a digit
        _istanbul("b.js", fn="FN:1,a,\u0663f\n", fnda="FNDA:3,a,\u0663f\n"),  # (with a comma)
        _istanbul("b.js", fn="FN:1,a,b\n", fnda="FNDA:3,a,b\n"),  # a name with a comma: read
        _istanbul("b.js", fn="FN:1\nFN:2,FN:3,x\n", fnda="FNDA:1,FN:2\nFNDA:0,x\n"),  # commas elsewhere
        _istanbul("b.js", fn="FN:,f\n"),  # an empty line number
        _istanbul("b.js", fnda="FNDA:,f\n"),  # an empty count
        _istanbul("b.js", fnda="FNDA:00,f\n"),  # a leading zero: not covered
        _istanbul("b.js", fn="FN:01,f\n"),
        _istanbul("b.js", fnda=f"FNDA:{'9' * 19},f\n"),  # a count beyond 18 digits
        _istanbul("b.js", fn="FN:1,f\nFN:2,g\n", fnda="FNDA:3,f\nFNDA:0,h\n"),  # another name
        _istanbul("b.js", fn="FN:1,f\n", fnda="FNDA:3,f\nFNDA:0,f\n"),  # one FNDA too many
        _istanbul("b.js", fn="FN:1,f\u00e9\n", fnda="FNDA:0,f\u00e9\n"),  # a name beyond ASCII
        _istanbul("b.js", fn="FN:1,f\nXN:2,g\n", fnda="FNDA:3,f\nFNDA:3,g\n"),  # not an FN line
    ],
    ids=[
        *("name-starts-with-arabic-digit", "comma-name-starts-with-arabic-digit", "name-with-comma"),
        *("commas-misaligned", "FN-empty-line", "FNDA-empty-count", "FNDA-leading-zero", "FN-leading-zero"),
        *("FNDA-19-digits", "FNDA-other-name", "FNDA-extra", "name-non-ascii", "XN-line"),
    ],
)
def test_both_readers_give_the_same_outcome_on_function_lines_near_istanbuls_layout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, record: str
) -> None:
    test_both_readers_give_the_same_outcome_on_records_near_istanbuls_layout(tmp_path, monkeypatch, record)
