"""Numbers no producer writes are refused with exit 3 and one line naming file:line, never read as a count
(``50% (5/2)`` would be 250 %) and never an internal error (a 20-digit line number, ``inf``, 5000 digits).

Cobertura files are also read by both of its readers (``assert_same_as_careful``): one outcome whichever
reads them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_parse_cobertura import assert_same_as_careful

from qualitygate.cli import main

LINE = '<line number="4" hits="1" branch="true" condition-coverage="50% (1/2)"/>'


def cobertura(line: str = LINE, root: str = "") -> str:
    return (
        '<?xml version="1.0" ?>\n'
        f'<coverage line-rate="1" branch-rate="0.5" version="7.4.0"{root}>\n'
        '<packages><package name="p"><classes><class name="a.py" filename="a.py"><methods/><lines>\n'
        '<line number="3" hits="1"/>\n'
        f"{line}\n"
        "</lines></class></classes></package></packages></coverage>\n"
    )


COBERTURA = {
    "covered-above-valid": (
        cobertura(LINE.replace("(1/2)", "(5/2)")),
        ":5: <line> condition-coverage='50% (5/2)'",
    ),
    "line-number-beyond-64-bits": (
        cobertura(LINE.replace('number="4"', 'number="99999999999999999999"')),
        ":5: <line> number='99999999999999999999' is not a line number",
    ),
    "line-number-beyond-4-bytes": (
        cobertura(LINE.replace('number="4"', 'number="4294967296"')),
        ":5: <line> number='4294967296' is not a line number",
    ),
    "negative-hits": (
        cobertura(LINE.replace('hits="1"', 'hits="-1"')),
        ":5: <line> hits='-1' is a negative count",
    ),
    "negative-line-number": (
        cobertura(LINE.replace('number="4"', 'number="-4"')),
        ":5: <line> number='-4' is a negative count",
    ),
    "5000-digit-hits": (
        cobertura(LINE.replace('hits="1"', f'hits="{"9" * 5000}"')),
        f":5: <line> hits='{'9' * 40}...' is not an integer",
    ),
    "branch-total-beyond-64-bits": (
        cobertura(LINE.replace("(1/2)", "(1/99999999999999999999)")),
        ":5: <line> condition-coverage='50% (1/99999999999999999999)'",
    ),
    "root-branches-covered-inf": (
        cobertura(root=' branches-covered="inf" branches-valid="2"'),
        ":2: <coverage> branches-covered='inf' is not a count",
    ),
    "root-covered-above-valid": (
        cobertura(root=' lines-covered="3" lines-valid="2"'),
        ":2: <coverage> lines-covered=3 is more than lines-valid=2",
    ),
    "root-negative": (
        cobertura(root=' branches-valid="-2"'),
        ":2: <coverage> branches-valid='-2' is a negative count",
    ),
}


def one_line_error(path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["parse", str(path), *args]) == 3
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert "Traceback" not in err
    return err


@pytest.mark.parametrize("name", sorted(COBERTURA))
def test_impossible_cobertura_numbers_are_refused_with_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    text, where = COBERTURA[name]
    path = tmp_path / "coverage.xml"
    path.write_text(text)
    err = one_line_error(path, capsys)
    assert err.startswith(f"qualitygate: error: {path}{where}")
    assert_same_as_careful(path)


def test_a_plausible_cobertura_file_still_reads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The control: the template itself is fine, so the refusals above are about the numbers."""
    path = tmp_path / "coverage.xml"
    path.write_text(
        cobertura(root=' lines-covered="2" lines-valid="2" branches-covered="1" branches-valid="2"')
    )
    assert main(["parse", str(path)]) == 0
    assert_same_as_careful(path, fast=True)


LCOV = {
    "negative-DA-count": ("DA:2,-3\n", ":3: DA record: negative count -3"),
    "negative-BRDA-taken": ("DA:2,1\nBRDA:2,0,0,-1\nBRDA:2,0,1,1\n", ":4: BRDA record: negative count -1"),
    "negative-FNDA-count": ("FN:2,f\nFNDA:-1,f\nDA:2,1\n", ":4: FNDA record: negative count -1"),
    "DA-line-beyond-64-bits": (
        "DA:99999999999999999999999,1\n",
        ":3: DA record: line number 99999999999999999999999",
    ),
    "BRDA-line-beyond-4-bytes": (
        "DA:2,1\nBRDA:4294967296,0,0,1\n",
        ":4: BRDA record: line number 4294967296",
    ),
    "FNL-line-beyond-64-bits": (
        "FNL:0,99999999999999999999999\nFNA:0,1,f\n",
        ":3: FNL record: line number 9",
    ),
    "negative-FNA-count": ("FNL:0,2\nFNA:0,-1,f\n", ":4: FNA record: negative count -1"),
}


@pytest.mark.parametrize("name", sorted(LCOV))
@pytest.mark.parametrize("layout", ["geninfo", "istanbul"])
def test_impossible_lcov_numbers_are_refused_with_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, layout: str
) -> None:
    body, where = LCOV[name]
    path = tmp_path / "lcov.info"
    summary = "LF:1\nLH:1\nBRF:0\nBRH:0\n" if layout == "istanbul" else ""
    path.write_text(f"TN:\nSF:a.js\n{body}{summary}end_of_record\n")
    err = one_line_error(path, capsys)
    assert err.startswith(f"qualitygate: error: {path}{where}")


def test_a_huge_brda_taken_count_is_clamped_like_a_da_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An execution count beyond int64 is still an execution count: taken, as DA counts are clamped."""
    path = tmp_path / "lcov.info"
    path.write_text("SF:a.py\nDA:1,1\nBRDA:1,0,0,99999999999999999999999\nBRDA:1,0,1,0\nend_of_record\n")
    assert main(["parse", str(path), "--format", "json"]) == 0
    assert '"coverage.branches.covered": 1,' in capsys.readouterr().out


def test_a_huge_cobertura_method_hit_count_is_clamped_like_a_line_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Istanbul's ``<method hits>`` beyond int64 ended in OverflowError (exit 5); a line's is clamped."""
    nyc = Path(__file__).resolve().parent.parent / "fixtures/acme/frontend/coverage/cobertura-coverage.xml"
    path = tmp_path / "coverage.xml"
    one = '<method name="(anonymous_0)" hits="2"'
    path.write_text(nyc.read_text().replace(one, one.replace('"2"', '"99999999999999999999"')))
    assert main(["parse", str(path), "--format", "json"]) == 0
    assert '"coverage.functions.covered": 22,' in capsys.readouterr().out


RADON_JUNK = {
    "whitespace-only": (" \n\t\n", "only whitespace: no radon cc report was written"),
    "bom-only": ("\ufeff", "only whitespace: no radon cc report was written"),
    "nested-lists": ("[[[]]]", "top level is an array, expected an object"),
    "random-text": (
        "lorem ipsum\ndolor sit amet\n",
        "no block, ERROR or summary line: not a radon cc report",
    ),
    "5000-digit-score": (
        f"a.py\n    F 1:0 f - A ({'9' * 5000})\n",
        ":2: a number too long to be a line or a score",
    ),
}


@pytest.mark.parametrize("name", sorted(RADON_JUNK))
def test_radon_junk_is_refused_like_an_empty_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    text, message = RADON_JUNK[name]
    path = tmp_path / "radon-cc.txt"
    path.write_text(text, encoding="utf-8")
    err = one_line_error(path, capsys, "--kind", "radon")
    assert message in err


FIX = Path(__file__).resolve().parent.parent / "fixtures"
D5000 = "9" * 5000
# (seed file, kind, text replaced, its replacement, exit code, the error's tail or a line of the JSON output):
# each ended in exit 5 (int() of 5000 digits, array("q") overflow, csv.Error) before
HUGE_NEW_KINDS = {
    "zap-riskcode-5000-digits": (
        "more/public/zap-report_json.json",
        "zap",
        '"riskcode": "2"',
        f'"riskcode": "{D5000}"',
        3,
        "riskcode: expected a number, got '" + "9" * 56 + "...",
    ),
    "zap-riskcode-superscript": (
        "more/public/zap-report_json.json",
        "zap",
        '"riskcode": "2"',
        '"riskcode": "\\u00b2"',
        3,
        "riskcode: expected a number, got '²'",
    ),
    "istanbul-count-past-int64": (
        "more/jest/coverage/coverage-final.json",
        "istanbul-json",
        '"s":{"0":1',
        '"s":{"0":99999999999999999999',
        0,
        '"coverage.lines.total": ',
    ),
    "istanbul-line-past-any-file": (
        "more/jest/coverage/coverage-final.json",
        "istanbul-json",
        '"start":{"line":1,"column":26',
        '"start":{"line":99999999999999999999,"column":26',
        3,
        ".start.line: 99999999999999999999 is not a line number",
    ),
    "istanbul-column-past-int64": (
        "more/jest/coverage/coverage-final.json",
        "istanbul-json",
        '"start":{"line":1,"column":26',
        '"start":{"line":1,"column":99999999999999999999',
        0,
        '"coverage.lines.total": ',
    ),
    "radon-block-count-5000-digits": (
        "../tests/data/radon/radon.error-line-closures-crlf.txt",
        "radon",
        "4 blocks",
        f"{D5000} blocks",
        3,
        ":9: a block count too long to be one",
    ),
    "lcov-lf-5000-digits": (
        "acme/frontend/coverage/lcov.info",
        "lcov",
        "LF:22\n",
        f"LF:{D5000}\n",
        3,
        ":41: ",
    ),
    "locust-lone-cr": (
        "more/locust/locust_stats.csv",
        "locust",
        "GET,/,169",
        "GET,/\r,169",
        3,
        ":2: not a CSV file: new-line character seen in unquoted field",
    ),
}


@pytest.mark.parametrize("name", sorted(HUGE_NEW_KINDS))
def test_huge_numbers_in_the_new_kinds_are_clamped_or_refused_with_the_place(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed, kind, old, new, code, expected = HUGE_NEW_KINDS[name]
    text = (FIX / seed).read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / Path(seed).name
    path.write_text(text.replace(old, new, 1), encoding="utf-8", newline="")
    assert main(["parse", str(path), "--kind", kind, "--format", "json"]) == code
    out, err = capsys.readouterr()
    if code == 0:
        assert expected in out
    else:
        assert err.startswith(f"qualitygate: error: {path}"), err[:300]
        assert expected in err.splitlines()[0], err[:300]
        assert len(err.splitlines()) <= 2
