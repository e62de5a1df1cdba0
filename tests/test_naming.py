"""Each item's path is set once, by the parser, as the namer passed to ``parse_report`` names it; without one
(``qualitygate parse``) the paths stay as the report wrote them."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from qualitygate.model import CoverageReport, DuplicationReport, FindingsReport
from qualitygate.parsers import parse_report


class Recording:
    """A namer that prefixes ``repo/`` and records every call."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.readings: list[list[tuple[str, tuple[str, ...]]]] = []

    def name(self, path: str) -> str:
        self.calls.append(path)
        return f"repo/{path}"

    def coverage(self) -> Recording.Reading:
        self.readings.append([])
        return Recording.Reading(self.readings[-1])

    class Reading:
        def __init__(self, calls: list[tuple[str, tuple[str, ...]]]) -> None:
            self.calls = calls

        def name(self, path: str, sources: Sequence[str]) -> str:
            self.calls.append((path, tuple(sources)))
            return f"repo/{path}"


LCOV = "SF:a.py\nDA:1,1\nend_of_record\nSF:b.py\nDA:1,0\nend_of_record\nSF:a.py\nDA:2,3\nend_of_record\n"


def test_lcov_names_each_file_once_in_report_order_and_a_merged_file_keeps_its_name(tmp_path: Path) -> None:
    f = tmp_path / "lcov.info"
    f.write_text(LCOV)
    namer = Recording()
    report = parse_report(str(f), namer=namer)
    assert isinstance(report, CoverageReport)
    assert namer.readings == [
        [
            ("a.py", ()),
            ("b.py", ()),
        ]
    ]
    assert [x.path for x in report.files] == ["repo/a.py", "repo/b.py"]
    assert list(report.files[0].line_numbers) == [1, 2]


def test_without_a_namer_paths_stay_as_written(tmp_path: Path) -> None:
    f = tmp_path / "lcov.info"
    f.write_text(LCOV)
    report = parse_report(str(f))
    assert isinstance(report, CoverageReport)
    assert [x.path for x in report.files] == ["a.py", "b.py"]


COBERTURA_LATE_SOURCES = """<?xml version="1.0"?>
<coverage line-rate="1" branch-rate="0" version="7.4">
<!-- a comment: the careful path reads it -->
<packages><package name="p"><classes>
<class name="a.py" filename="a.py"><methods/><lines><line number="1" hits="1"/></lines></class>
</classes></package></packages>
<sources><source>/src/one</source><source>/src/two</source></sources>
</coverage>
"""


def test_cobertura_sources_read_after_the_classes_name_the_files_again_with_them(tmp_path: Path) -> None:
    f = tmp_path / "coverage.xml"
    f.write_text(COBERTURA_LATE_SOURCES)
    namer = Recording()
    report = parse_report(str(f), namer=namer)
    assert isinstance(report, CoverageReport)
    assert namer.readings[-1] == [("a.py", ("/src/one", "/src/two"))]
    assert [x.path for x in report.files] == ["repo/a.py"]


COBERTURA_GIVES_UP = """<?xml version="1.0"?>
<coverage line-rate="1" branch-rate="0" version="7.4">
<sources><source>/src</source></sources>
<packages><package name="p"><classes>
<class name="a.py" filename="a.py"><methods/><lines><line number="1" hits="1"/></lines></class>
text: a colon between classes, where the fast path gives up and the careful path reads it all again
<class name="b.py" filename="b.py"><methods/><lines><line number="1" hits="0"/></lines></class>
</classes></package></packages>
</coverage>
"""


def test_cobertura_read_again_by_the_careful_path_counts_its_own_reading(tmp_path: Path) -> None:
    f = tmp_path / "coverage.xml"
    f.write_text(COBERTURA_GIVES_UP)
    namer = Recording()
    report = parse_report(str(f), namer=namer)
    assert isinstance(report, CoverageReport)
    assert namer.readings == [
        [("/src/a.py", ("/src",))],
        [("/src/a.py", ("/src",)), ("/src/b.py", ("/src",))],
    ]
    assert [x.path for x in report.files] == ["repo//src/a.py", "repo//src/b.py"]


def test_clone_locations_and_findings_are_named_as_built(tmp_path: Path) -> None:
    jscpd = tmp_path / "jscpd-report.json"
    jscpd.write_text(
        '{"statistics": {"total": {"lines": 10, "sources": 2, "clones": 1, "duplicatedLines": 3,'
        ' "percentage": 30}}, "duplicates": [{"format": "python", "lines": 3,'
        ' "firstFile": {"name": "x.py", "start": 1, "end": 3}, "secondFile": {"name": "y.py", "start": 4,'
        ' "end": 6}}]}'
    )
    namer = Recording()
    dup = parse_report(str(jscpd), kind="jscpd", namer=namer)
    assert isinstance(dup, DuplicationReport)
    assert [(c.first.file, c.second.file) for c in dup.clones] == [("repo/x.py", "repo/y.py")]
    sarif = tmp_path / "r.sarif"
    sarif.write_text(
        '{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "ruff"}}, "results": ['
        '{"ruleId": "E1", "level": "error", "message": {"text": "m"}, "locations": [{"physicalLocation":'
        ' {"artifactLocation": {"uri": "src/a.py"}, "region": {"startLine": 3}}}]},'
        '{"ruleId": "E2", "level": "error", "message": {"text": "n"}}]}]}'
    )
    namer = Recording()
    found = parse_report(str(sarif), namer=namer)
    assert isinstance(found, FindingsReport)
    assert [fd.path for fd in found.findings] == ["repo/src/a.py", None]
    assert namer.calls == ["src/a.py"]
