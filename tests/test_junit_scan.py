"""The JUnit fast path (parsers/_junit_scan.py): it reads every real report — the tests prove it ran, not
only that its output agrees — and agrees with the careful lxml reader on all of them and on odd shapes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import REAL_REPORTS

from qualitygate.model import LazyTestReport, TestCase, TestReport
from qualitygate.parsers import _junit_scan, junit

ROOT = Path(__file__).parent.parent
REPORTS = sorted(
    p
    for p in [*REAL_REPORTS.rglob("*.xml"), *(ROOT / "fixtures").rglob("junit*.xml")]
    if b"<testcase" in p.read_bytes() or b"<testsuite" in p.read_bytes()
)
HOSTILE = [p for p in REPORTS if "hostile" in p.parts]


def outcome(path: Path) -> TestReport | str:
    try:
        return junit.parse(str(path))
    except Exception as exc:  # the error itself is what both readers must agree on
        return f"{type(exc).__name__}: {exc}"


def careful(path: Path, monkeypatch: pytest.MonkeyPatch) -> TestReport | str:
    with monkeypatch.context() as m:
        m.setattr(_junit_scan, "read", lambda *_: None)
        return outcome(path)


def same(fast: TestReport | str, slow: TestReport | str) -> None:
    if isinstance(slow, str):
        assert fast == slow
        return
    assert isinstance(fast, TestReport)
    assert fast.metrics() == slow.metrics()
    assert fast.warnings == slow.warnings
    assert fast.cases == slow.cases


@pytest.fixture
def ran(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each read went through the fast path: a fast path that silently fell back leaves False."""
    seen: list[bool] = []
    real = _junit_scan.read

    def spy(path: str, odd: junit._Oddities) -> object:
        got = real(path, odd)
        seen.append(got is not None)
        return got

    monkeypatch.setattr(_junit_scan, "read", spy)
    return seen


@pytest.mark.parametrize("path", REPORTS, ids=lambda p: str(p.relative_to(p.parents[2])))
def test_fast_path_ran_and_agrees_with_the_careful_reader_on_every_real_report(
    path: Path, ran: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = outcome(path)
    assert ran == [path not in HOSTILE]  # every real producer's shape is read by the scan
    same(fast, careful(path, monkeypatch))


def test_the_real_reports_cover_what_the_scan_must_read() -> None:
    text = b"".join(p.read_bytes() for p in REPORTS if p not in HOSTILE)
    for shape in (b"<![CDATA[", b"<flakyFailure", b"<skipped", b"<error", b"&apos;", b"<properties>"):
        assert shape in text


ODD = {
    "bad time": '<testsuite name="s"><testcase name="a" time="x"/><testcase name="b" time="y"/></testsuite>',
    "bad line": '<testsuite name="s"><testcase classname="c" name="a" line="x" time="1"/></testsuite>',
    "entities": '<testsuite name="s&amp;t"><testcase classname="a&#10;b" name="&lt;x&gt;\tq\r\nr" time=" 1 "/>'
    "</testsuite>",
    "entities in the common order": '<testsuite name="s"><testcase classname="a&amp;b" name="n\u00a0&#9;x\ty"'
    ' file="f&lt;1&gt;.py" line="3" time="1"/><testcase classname="a&amp;b" name="\u00e9" time="1"'
    ' file="f&lt;1&gt;.py"/></testsuite>',
    "line ends in the common order": '<testsuite name="s"><testcase classname="a\nb" name="x\ny" time="1"/>'
    '<testcase classname="a\nb" name="z" time="1"/></testsuite>',
    "single quotes": "<testsuite name='s'><testcase name='a' classname='b' time='2'/></testsuite>",
    "case under testsuites": '<testsuites><testcase name="a"/><testsuite name="s"/></testsuites>',
    "nested": '<testsuites><testsuite name="o"><testcase name="a"/><testsuite name="i"><testcase name="b">'
    '<failure message="m"/></testcase></testsuite><testcase name="c"/></testsuite></testsuites>',
    "case inside another element": '<testsuite name="s"><group><testcase name="a"/></group></testsuite>',
    "default namespace on a suite": '<testsuites><testsuite xmlns="urn:x" name="s"><testcase name="a"/>'
    "</testsuite></testsuites>",
    "namespaced root": '<j:testsuites xmlns:j="urn:j"><j:testsuite name="s"/></j:testsuites>',
    "CDATA hiding a case": '<testsuite name="s"><testcase name="a"><system-out><![CDATA[</testcase>'
    '<testcase name="fake"/>]]></system-out></testcase></testsuite>',
    "comment hiding a case": '<testsuite name="s"><!-- <testcase name="fake"/> --><testcase name="a"/>'
    "</testsuite>",
    "outcome in CDATA text only": '<testsuite name="s"><testcase name="a"><system-out><![CDATA[<failure>]]>'
    "</system-out></testcase></testsuite>",
    "flaky": '<testsuite name="s"><testcase name="a"><flakyFailure message="m"/></testcase></testsuite>',
    "latin-1": '<?xml version="1.0" encoding="ISO-8859-1"?><testsuite name="s\xe9"><testcase name="a"/>'
    "</testsuite>",
    "suite counts disagree": '<testsuites><testsuite name="s" tests="3" failures="1"><testcase name="a"/>'
    "</testsuite></testsuites>",
    "malformed": '<testsuite name="s"><testcase name="a"></testsuite>',
    "trailing comment": '<testsuite name="s"><testcase name="a"/></testsuite><!-- end -->',
}


@pytest.mark.parametrize("xml", ODD.values(), ids=ODD.keys())
def test_odd_shapes_read_the_same_by_both_readers(
    xml: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "junit.xml"
    path.write_bytes(xml.encode("latin-1" if "ISO-8859-1" in xml else "utf-8"))
    same(outcome(path), careful(path, monkeypatch))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("entities", True),
        ("entities in the common order", True),
        ("line ends in the common order", True),
        ("single quotes", True),
        ("nested", True),
        ("CDATA hiding a case", True),
        ("bad time", False),  # its warning names the first odd value: the careful reader's job
        ("default namespace on a suite", False),
        ("case inside another element", False),
        ("latin-1", False),
        ("malformed", False),
    ],
)
def test_which_shapes_the_scan_reads_itself(
    name: str, expected: bool, tmp_path: Path, ran: list[bool]
) -> None:
    path = tmp_path / "junit.xml"
    path.write_bytes(ODD[name].encode("latin-1" if name == "latin-1" else "utf-8"))
    outcome(path)
    assert ran == [expected]


def test_attribute_values_are_decoded_as_an_xml_parser_does() -> None:
    got = _junit_scan.attributes(' a="x&amp;y&#10;z&#x41;" b=\'1\t2\r\n3\' c=""')
    assert got == {"a": "x&y\nzA", "b": "1 2 3", "c": ""}


READ_BY_THE_SCAN = [p for p in REPORTS if p not in HOSTILE]


@pytest.mark.parametrize("block", [1, 7, 100, 4096])
def test_the_document_read_in_blocks_of_any_size_reads_the_same(
    block: int, ran: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    # blocks cut tokens, names and UTF-8 sequences anywhere; pieces are cut before a <testcase
    monkeypatch.setattr(_junit_scan, "BLOCK", block)
    for path in READ_BY_THE_SCAN:
        same(outcome(path), careful(path, monkeypatch))
    assert ran == [True] * len(READ_BY_THE_SCAN)


def big_suite(cases: int, tail: str = "</testsuite>") -> str:
    body = "".join(f'<testcase classname="c{i % 7}" name="t{i}" time="0.{i % 10}"/>\n' for i in range(cases))
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<testsuite name="s" tests="{cases}">\n{body}{tail}'


def test_a_case_longer_than_max_token_goes_to_the_careful_reader(
    tmp_path: Path, ran: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_junit_scan, "BLOCK", 64)
    monkeypatch.setattr(_junit_scan, "MAX_TOKEN", 50_000)
    path = tmp_path / "junit.xml"
    out = "x" * 100_000  # longer than the first read (_HEAD) too
    path.write_text(
        big_suite(3, f'<testcase name="long"><system-out>{out}</system-out></testcase></testsuite>')
    )
    got = outcome(path)
    assert ran == [False]
    same(got, careful(path, monkeypatch))
    assert isinstance(got, TestReport)
    assert len(got.cases) == 4


@pytest.mark.parametrize(
    "tail", ["</testsuite", "<testcase name='a'/></testsuite><x/>", "&bogus;</testsuite>"]
)
def test_an_error_after_the_first_blocks_goes_to_the_careful_reader_and_its_error(
    tail: str, tmp_path: Path, ran: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_junit_scan, "BLOCK", 4096)
    path = tmp_path / "junit.xml"
    path.write_text(big_suite(2000, tail))
    got = outcome(path)
    assert ran == [False]
    assert isinstance(got, str)
    assert got.startswith("ReportFormatError")
    assert got == careful(path, monkeypatch)


def test_many_blocks_read_by_the_scan(
    tmp_path: Path, ran: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_junit_scan, "BLOCK", 4096)
    path = tmp_path / "junit.xml"
    path.write_text(big_suite(2000))
    got = outcome(path)
    assert ran == [True]
    assert isinstance(got, TestReport)
    assert got.metrics()["tests.total"] == 2000
    assert got.metrics()["tests.duration_s"] == pytest.approx(900.0)
    assert {c.classname for c in got.cases} == {f"c{i}" for i in range(7)}
    same(got, careful(path, monkeypatch))


class Prefixing:
    """A namer (``parsers/naming.py``) that puts every file under ``repo/``."""

    def name(self, path: str) -> str:
        return f"repo/{path}"

    def coverage(self) -> object:
        raise AssertionError("a JUnit report names no coverage file")


WITH_FILES = [p for p in REPORTS if p not in HOSTILE and re.search(rb"<testcase[^>]* file=", p.read_bytes())]


@pytest.mark.parametrize("path", WITH_FILES, ids=lambda p: str(p.relative_to(p.parents[2])))
def test_both_readers_name_each_case_file_through_the_namer(
    path: Path, ran: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    from qualitygate.parsers import parse_report

    fast = parse_report(str(path), "junit", namer=Prefixing())  # type: ignore[arg-type]
    assert ran == [True]
    with monkeypatch.context() as m:
        m.setattr(_junit_scan, "read", lambda *_: None)
        slow = parse_report(str(path), "junit", namer=Prefixing())  # type: ignore[arg-type]
    assert isinstance(fast, TestReport) and isinstance(slow, TestReport)
    files = {c.file for c in fast.cases if c.file}
    assert files and all(f.startswith("repo/") for f in files)
    assert fast.cases == slow.cases


def test_some_real_reports_name_case_files() -> None:
    assert len(WITH_FILES) >= 2


OUTCOMES = REAL_REPORTS / "python" / "pytest-outcomes" / "junit.xml"


def test_parse_counts_the_cases_without_building_them(
    ran: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    # `qualitygate parse` prints metrics and warnings only: the scan's compact cases are counted, never built
    import io
    import json

    from qualitygate.commands import parse as parse_cmd

    with monkeypatch.context() as m:
        m.setattr(_junit_scan, "read", lambda *_: None)
        slow = junit.parse(str(OUTCOMES))
    with monkeypatch.context() as m:

        def refused(self: _junit_scan.Cases) -> list[TestCase]:
            raise AssertionError("parse built the cases")

        m.setattr(_junit_scan.Cases, "build", refused)
        out = io.StringIO()
        assert parse_cmd.run(str(OUTCOMES), "junit", "json", out) == 0
        fast = junit.parse(str(OUTCOMES))
        assert isinstance(fast, LazyTestReport)
        assert fast.metrics() == slow.metrics()
        assert fast.warnings == slow.warnings
        assert not fast.decoded
    doc = json.loads(out.getvalue())
    assert ran == [True, True]
    assert doc["metrics"] == slow.metrics()
    assert doc["metrics"]["tests.failed"] >= 1 and doc["metrics"]["tests.skipped"] >= 1
    assert fast.cases == slow.cases and fast.decoded  # built on first read, equal to the careful reader's
    assert fast == slow and slow == fast


def test_check_gets_the_same_cases_and_verdict_from_the_compact_cases(
    tmp_path: Path, ran: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    from qualitygate.verdict import verdict_to_json
    from tests.test_engine import policy_of, run

    policy = policy_of(
        tmp_path,
        "gates:\n  - {metric: tests.failing, max: 0}\n  - {metric: tests.pass_rate, min: 100}\n"
        "  - {metric: tests.duration_s, max: 0.001}\n  - {metric: tests.skipped, max: 0, level: warn}\n",
    )
    fast = junit.parse(str(OUTCOMES))
    slow = careful(OUTCOMES, monkeypatch)
    assert ran == [True]
    assert isinstance(fast, LazyTestReport) and not fast.decoded and isinstance(slow, TestReport)
    verdicts = [verdict_to_json(run(policy, {("tests", None): [r]})) for r in (fast, slow)]
    assert fast.decoded  # the failing-tests gate read the cases
    assert verdicts[0] == verdicts[1]
    assert '"fail"' in verdicts[0]
    assert fast.cases == slow.cases


def test_durations_are_added_in_document_order_across_runs_and_other_cases(
    tmp_path: Path, ran: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    # common-order passed cases (columns) between cases in another attribute order (records): the sum
    # is the careful reader's, bit for bit, only when added in document order
    body = "".join(
        f'<testcase classname="c" name="a{i}" time="0.{i % 10}01"/>\n'
        f'<testcase name="b{i}" time="{123456789.123 + i}" classname="c"/>\n'
        for i in range(300)
    )
    path = tmp_path / "junit.xml"
    path.write_text(f'<testsuite name="s">\n{body}</testsuite>')
    fast = junit.parse(str(path))
    slow = careful(path, monkeypatch)
    assert ran == [True]
    assert isinstance(fast, TestReport) and isinstance(slow, TestReport)
    got = fast.metrics()["tests.duration_s"]
    assert got == slow.metrics()["tests.duration_s"]
    runs_first = sum(c.time_s or 0.0 for c in slow.cases[::2]) + sum(
        c.time_s or 0.0 for c in slow.cases[1::2]
    )
    assert got != runs_first  # the order shows in the last bits: this test can fail
    same(fast, slow)


def test_a_copy_of_a_report_with_compact_cases_is_made_as_a_test_reports_is(
    ran: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    # dataclasses.replace (accepted.py narrows a report's cases so) calls the class with every field
    from dataclasses import replace

    fast = junit.parse(str(OUTCOMES))
    slow = careful(OUTCOMES, monkeypatch)
    assert isinstance(fast, LazyTestReport) and not fast.decoded and isinstance(slow, TestReport)
    copy = replace(fast, cases=fast.cases[1:], warnings=["narrowed"])
    assert copy.cases == slow.cases[1:] and copy.warnings == ["narrowed"]
    assert copy.metrics()["tests.total"] == slow.metrics()["tests.total"] - 1
    assert fast == slow
