"""radon cc: the blocks radon lists (top-level entries), JSON and text agreeing, error entries kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import conformance_cases

from qualitygate.errors import ReportFormatError
from qualitygate.model import FileProblem
from qualitygate.parsers import parse_report
from qualitygate.parsers import radon as radon_parser
from qualitygate.parsers.registry import read_head

DATA = Path(__file__).parent / "data" / "radon"


@pytest.mark.parametrize("case", conformance_cases("radon"))
def test_real_reports_match_radons_own_totals(case: tuple[Path, dict[str, Any]]) -> None:
    path, spec = case
    report = parse_report(str(path), "radon")
    metrics = report.metrics()
    assert {k: metrics[k] for k in spec["metrics"]} == spec["metrics"]
    assert report.warnings == []  # the text footer agrees with the listing
    assert radon_parser.sniff(read_head(str(path)))


@pytest.mark.parametrize("closures", ["", "-closures"])
def test_json_and_text_of_the_same_run_give_the_same_blocks(real_reports: Path, closures: str) -> None:
    toolz = real_reports / "python/toolz"
    from_json = radon_parser.parse(str(toolz / f"radon-cc{closures}.json"))
    from_text = radon_parser.parse(str(toolz / f"radon-cc{closures}.txt"))

    def key(r: Any) -> list[tuple[str, int, str, str, int, str | None]]:
        return sorted((b.file, b.line, b.qualname, b.kind, b.score, b.rank) for b in r.blocks)

    assert key(from_json) == key(from_text)


def test_methods_are_not_counted_twice_and_closures_only_when_listed(real_reports: Path) -> None:
    toolz = real_reports / "python/toolz"
    plain = radon_parser.parse(str(toolz / "radon-cc.json"))
    kinds = {
        k: sum(1 for b in plain.blocks if b.kind == k) for k in ("function", "method", "class", "closure")
    }
    # = expected.json top_level_by_type: function 267, method 88, class 15 (radon lists no closure without
    # --show-closures)
    assert kinds == {"function": 267, "method": 88, "class": 15, "closure": 0}
    shown = radon_parser.parse(str(toolz / "radon-cc-closures.json"))
    # --show-closures promotes 70 nested blocks (440 - 370): 61 closures, 2 inner classes, their 7 methods
    assert sum(1 for b in shown.blocks if b.kind == "closure") == 61
    assert sum(1 for b in shown.blocks if b.kind in ("class", "method")) == 15 + 88 + 2 + 7
    curry_init = [b for b in plain.blocks if b.qualname == "curry.__init__"]
    assert [(b.line, b.end_line, b.score, b.rank) for b in curry_init] == [(197, 229, 9, "B")]


def test_error_entries_are_kept_and_old_clojures_not_counted() -> None:
    report = radon_parser.parse(str(DATA / "radon.error-entries-and-old-clojures.json"))
    assert [(b.kind, b.qualname, b.score) for b in report.blocks] == [
        ("class", "Box", 3),
        ("method", "Box.get", 2),
        ("function", "outer", 7),
    ]
    assert report.errors == [
        FileProblem("pkg/broken.py", "invalid syntax (<unknown>, line 3)"),
        FileProblem("pkg/also_broken.py", "unexpected indent (<unknown>, line 8)"),
    ]
    assert report.metrics() == {
        "complexity.blocks": 3,
        "complexity.errors": 2,
        "complexity.cyclomatic.max": 7,
        "complexity.cyclomatic.mean": 4.0,
    }


def test_text_error_line_closure_and_crlf() -> None:
    report = radon_parser.parse(str(DATA / "radon.error-line-closures-crlf.txt"))
    assert [(b.kind, b.name, b.classname, b.line, b.score) for b in report.blocks] == [
        ("class", "Box", None, 1, 3),
        ("method", "get", "Box", 4, 2),
        ("function", "outer", None, 12, 7),
        ("closure", "outer.inner", None, 14, 4),
    ]
    assert report.errors == [FileProblem("pkg/broken.py", "invalid syntax (<unknown>, line 3)")]
    assert report.warnings == []


def test_text_footer_disagreement_is_a_warning() -> None:
    report = radon_parser.parse(str(DATA / "radon.footer-disagrees.txt"))
    assert report.metrics()["complexity.blocks"] == 2
    assert report.warnings == [
        "radon reports 3 blocks analyzed, the listing has 2",
        "radon reports average complexity 2.5, the listed blocks average 3.0",
    ]


def test_large_json_counts(tmp_path: Path) -> None:
    import json

    doc = {
        f"m{i}.py": [{"type": "function", "rank": "A", "complexity": i % 7 + 1, "name": "f", "lineno": 1}]
        for i in range(700)
    }
    (tmp_path / "r.json").write_text(json.dumps(doc))
    metrics = radon_parser.parse(str(tmp_path / "r.json")).metrics()
    assert (metrics["complexity.blocks"], metrics["complexity.cyclomatic.max"]) == (700, 7)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("radon.block-without-complexity.json", "'a.py'[0]: a radon block has no 'complexity'"),
        ("radon.ranks-without-scores.txt", ":2: radon cc text without complexity scores"),
    ],
)
def test_defective_files_are_refused(name: str, message: str) -> None:
    with pytest.raises(ReportFormatError) as exc:
        radon_parser.parse(str(DATA / name))
    assert message in str(exc.value)


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ('{"a.py": [{"type": "function", "rank": "A", "complexity": 2', True),
        ('{"bad.py": {"error": "invalid syntax (<unknown>, line 1)"}}', True),
        ("toolz/__init__.py\n    F 25:0 __getattr__ - A (2)\n", True),
        ('{"a.py": {"mi": 71.2, "rank": "A"}}', False),  # radon mi -j
        ('{"runs": [{"results": [{"level": "error"}]}]}', False),  # truncated SARIF
        ('[{"complexity": 1, "function_name": "f"}]', False),  # complexipy
    ],
)
def test_sniff(head: str, expected: bool) -> None:
    assert radon_parser.sniff(head) is expected
