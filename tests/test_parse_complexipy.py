"""complexipy JSON: cognitive complexity per function, from a real complexipy 8.3.0 run."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualitygate.errors import ReportFormatError
from qualitygate.parsers import complexipy as complexipy_parser
from qualitygate.parsers import parse_report
from qualitygate.parsers.registry import read_head

DATA = Path(__file__).parent / "data" / "complexipy"
REAL = DATA / "complexipy-8.3.0_radon-6.0.1-cli.json"


def test_real_output_matches_complexipys_terminal_figures() -> None:
    report = parse_report(str(REAL), "complexipy")
    # README.md beside the file: 72 functions (67 PASSED + 5 FAILED), max 32, sum 257
    assert report.metrics() == {
        "complexity.blocks": 72,
        "complexity.errors": 0,
        "complexity.cognitive.max": 32,
        "complexity.cognitive.mean": 257 / 72,
    }
    assert sum(1 for b in report.blocks if b.score > 15) == 5
    assert (report.measure, report.tool) == ("cognitive", "complexipy")


def test_methods_are_split_from_their_class() -> None:
    report = complexipy_parser.parse(str(REAL))
    worst = max(report.blocks, key=lambda b: b.score)
    assert (worst.file, worst.name, worst.kind, worst.classname, worst.score) == (
        "radon/cli/tools.py",
        "detect_encoding",
        "function",
        None,
        32,
    )
    method = next(b for b in report.blocks if b.name == "_to_dicts" and b.classname == "CCHarvester")
    assert (method.kind, method.qualname, method.line) == ("method", "CCHarvester._to_dicts", 0)


def test_real_output_is_sniffed() -> None:
    assert complexipy_parser.sniff(read_head(str(REAL)))


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("complexipy.object-not-array.json", "top level is an object, expected an array"),
        ("complexipy.complexity-is-a-string.json", "[0].complexity: expected an integer, got '3'"),
    ],
)
def test_defective_files_are_refused(name: str, message: str) -> None:
    with pytest.raises(ReportFormatError) as exc:
        complexipy_parser.parse(str(DATA / name))
    assert message in str(exc.value)


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ('[\n  {\n    "complexity": 0,\n    "file_name": "a.py",\n    "function_name": "f",', True),
        ('{"a.py": [{"complexity": 1, "rank": "A"}]}', False),
        ("[]", False),
    ],
)
def test_sniff(head: str, expected: bool) -> None:
    assert complexipy_parser.sniff(head) is expected
