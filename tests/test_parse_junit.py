"""The junit parser: real reports from every producer, then one hand-written file per defect.

Real reports (../shared/real-reports) carry the numbers their own tools printed; the small files under
tests/data/junit/ are named after the defect they hold.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import REAL_REPORTS, conformance_cases

from qualitygate.cli import main
from qualitygate.errors import InputError, ReportFormatError, UnsafeInputError
from qualitygate.model import TestCase, TestReport, new_test_case
from qualitygate.model import TestStatus as Status  # not a name pytest collects
from qualitygate.parsers import junit, parse_report

DATA = Path(__file__).parent / "data" / "junit"
PASSED, FAILED, ERROR, SKIPPED = Status.PASSED, Status.FAILED, Status.ERROR, Status.SKIPPED


def parse(path: Path) -> TestReport:
    report = parse_report(str(path), "junit")
    assert isinstance(report, TestReport)
    return report


def by_name(report: TestReport) -> dict[str, TestCase]:
    return {c.name: c for c in report.cases}


# ----------------------------------------------------------------------------------- real reports


@pytest.mark.parametrize("case", conformance_cases("junit"))
def test_real_report_counts_match_the_producing_tool(case: tuple[Path, dict[str, Any]]) -> None:
    path, spec = case
    got = parse(path).metrics()
    assert {k: got.get(k) for k in spec["metrics"]} == spec["metrics"]


@pytest.fixture
def real(real_reports: Path) -> Path:
    return real_reports


def test_surefire_flaky_failure_alone_is_a_flaky_pass(real: Path) -> None:
    report = parse(real / "public/junit/surefire-3.0.2_TEST-io.olamy.FlakyTest.xml")
    (case,) = report.cases
    assert (case.status, case.flaky, case.message) == (PASSED, True, None)
    assert case.id == "io.olamy.FlakyTest::testApp"
    # Surefire counted the two failed attempts in the suite attributes: kept as a warning, never used
    assert report.warnings == [
        "suite attributes say tests=3 failures=2 but the test cases count tests=1 failures=0; "
        "the counts from the test cases are used"
    ]


def test_surefire_failure_with_reruns_stays_failed_and_is_not_flaky(real: Path) -> None:
    (case,) = parse(real / "public/junit/surefire-3.0.2_TEST-io.olamy.AlwaysFailTest.xml").cases
    assert (case.status, case.flaky, case.message) == (FAILED, False, "built to fail")


@pytest.mark.parametrize("name", ["junit.xml", "junit-xunit1.xml"])
def test_pytest_outcomes_keep_skip_type_and_first_message_line(real: Path, name: str) -> None:
    report = parse(real / "python/pytest-outcomes" / name)
    cases = by_name(report)
    assert (cases["test_xfail"].status, cases["test_xfail"].skip_type) == (SKIPPED, "pytest.xfail")
    assert (cases["test_skipped"].skip_type, cases["test_skipped"].message) == (
        "pytest.skip",
        "not on this platform",
    )
    assert cases["test_xpass"].status is PASSED
    assert cases["test_errors_in_setup"].status is ERROR
    # pytest's message= holds the whole multi-line assertion diff; only its first line is kept
    assert cases["test_fails"].message == "AssertionError: assert {'a': 1} == {'a': 2}"
    assert cases["test_method"].id == "test_outcomes.TestGroup::test_method"
    assert {c.suite for c in report.cases} == {"pytest"}
    assert report.warnings == []


def test_pytest_xunit1_keeps_file_and_line_and_xunit2_has_none(real: Path) -> None:
    x1 = by_name(parse(real / "python/pytest-outcomes/junit-xunit1.xml"))
    x2 = by_name(parse(real / "python/pytest-outcomes/junit.xml"))
    assert (x1["test_fails"].file, x1["test_fails"].line) == ("test_outcomes.py", 5)
    assert (x2["test_fails"].file, x2["test_fails"].line) == (None, None)


def test_jest_junit_classname_equal_to_name_gives_the_name_as_id(real: Path) -> None:
    case = parse(real / "js/change-case-v4/jest/junit.xml").cases[0]
    assert case.classname == case.name == "swap case '' -> ''"
    assert (case.id, case.suite) == ("swap case '' -> ''", "swap case")


def test_nested_suites_in_a_public_fixture_count_every_level(real: Path) -> None:
    report = parse(real / "public/junit/junitparser_nested-testsuites.xml")
    assert [c.status for c in report.cases] == [FAILED, SKIPPED, PASSED]
    assert report.cases[0].message == "test failure"


def test_jest_run_that_loaded_no_suite_parses_to_zero_tests(real: Path) -> None:
    report = parse(real / "js/numeral-2.0.6/jest-misrun/junit.xml")
    assert report.metrics()["tests.total"] == 0
    assert "tests.pass_rate" not in report.metrics()


def hostile_junit_inputs() -> list[Any]:
    spec_path = REAL_REPORTS / "hostile" / "conformance.json"
    if not spec_path.is_file():
        return [pytest.param(None, marks=pytest.mark.skip(reason="../shared/real-reports not present"))]
    spec = json.loads(spec_path.read_text())
    return [
        pytest.param((spec_path.parent / b["file"], b.get("must_not_print", [])), id=b["file"])
        for b in spec["bad_inputs"]
        if b.get("kind") == "junit"
    ]


@pytest.mark.parametrize("bad", hostile_junit_inputs())
def test_hostile_input_exits_3_with_one_line_naming_the_file(
    bad: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    path, secrets = bad
    assert main(["parse", str(path), "--kind", "junit", "--format", "json"]) == 3
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.splitlines()) == 1
    assert err.startswith(f"qualitygate: error: {path}")
    assert "Traceback" not in err
    for secret in secrets:
        assert secret not in err


def test_entity_declaration_is_refused_as_unsafe(real: Path) -> None:
    with pytest.raises(UnsafeInputError, match="declares entity 'ext'"):
        junit.parse(str(real / "hostile/parameter-entity-junit.xml"))


# ------------------------------------------------------------------------------- hand-written defects


def test_surefire_thousands_comma_time_is_read_as_seconds() -> None:
    report = parse(DATA / "surefire.thousands-comma-time.xml")
    assert [c.time_s for c in report.cases] == [2120.532, 0.25]
    assert report.metrics()["tests.duration_s"] == pytest.approx(2120.782)
    assert report.warnings == []


def test_time_suffixes_are_converted_and_garbage_is_none_with_one_warning() -> None:
    report = parse(DATA / "time.unit-suffixes-and-garbage.xml")
    times = {c.name: c.time_s for c in report.cases}
    assert times == {
        "micro": pytest.approx(80.803e-6),
        "milli": pytest.approx(0.012),
        "seconds": 1.5,
        "spaces": 2.0,
        "word": None,
        "decimal-comma": None,
        "not-a-number": None,
        "negative": None,
        "absent": None,
    }
    assert report.warnings == [
        "4 test case(s) have an unreadable time attribute (first: time='fast' on 'word'); "
        "left out of tests.duration_s"
    ]


def test_nested_suites_name_the_innermost_suite_at_every_depth() -> None:
    report = parse(DATA / "nested-suites.depth-3-and-cases-after.xml")
    assert [(c.name, c.suite, c.status) for c in report.cases] == [
        ("first", "outer", PASSED),
        ("m1", "middle", SKIPPED),
        ("deepest", "inner", FAILED),
        ("m2", "middle", PASSED),
        ("last", "outer", PASSED),
        ("orphan", "", PASSED),
    ]
    # the top-level suites' attributes (outer 5 + sibling 0) miss the orphan directly under the root
    assert report.warnings == [
        "suite attributes say tests=5 but the test cases count tests=6; "
        "the counts from the test cases are used"
    ]


def test_suite_attributes_that_disagree_are_a_warning_and_never_the_count() -> None:
    report = parse(DATA / "suite-attributes.disagree-with-cases.xml")
    m = report.metrics()
    assert (m["tests.total"], m["tests.failed"], m["tests.errors"]) == (3, 1, 0)
    assert report.warnings == [
        "suite attributes say tests=5 failures=3 but the test cases count tests=3 failures=1; "
        "the counts from the test cases are used"
    ]


def test_one_outcome_per_case_when_several_result_elements_are_present() -> None:
    cases = by_name(parse(DATA / "outcome.several-result-elements.xml"))
    got = {name: (c.status, c.flaky, c.message) for name, c in cases.items()}
    assert got == {
        "error-then-failure": (FAILED, False, "F"),
        "skipped-then-error": (ERROR, False, "E"),
        "flaky-error-only": (PASSED, True, None),
        "flaky-failure-twice": (PASSED, True, None),
        "failure-with-reruns": (FAILED, False, "always"),
        "flaky-then-skipped": (SKIPPED, False, "later skipped"),
        "only-output": (PASSED, False, None),
    }


def test_messages_are_the_first_non_empty_line_capped() -> None:
    cases = by_name(parse(DATA / "message.multiline-blank-and-long.xml"))
    assert cases["multiline-attribute"].message == "assert 1 == 2"
    assert cases["bare-failure-text"].message == "Error: expect(received).toBe(expected)"
    assert cases["empty-message-attribute"].message == "TypeError: x is undefined"
    long = cases["very-long-line"].message
    assert long is not None
    assert len(long) == junit.MESSAGE_MAX
    assert long.endswith("…")


def test_unreadable_line_is_none_with_a_warning() -> None:
    report = parse(DATA / "attribute.line-not-a-number.xml")
    assert [(c.file, c.line) for c in report.cases] == [("t.py", 7), ("t.py", None)]
    assert report.warnings == ["1 test case(s) have an unreadable line attribute (line='seven' on 'bad')"]


def test_empty_testsuites_is_zero_tests_not_an_error() -> None:
    report = parse(DATA / "empty.testsuites-no-cases.xml")
    assert report.cases == []
    assert report.metrics()["tests.total"] == 0
    assert report.warnings == []


@pytest.mark.parametrize(
    ("name", "error", "message"),
    [
        ("root.not-junit.xml", ReportFormatError, "root element is <coverage>"),
        ("root.namespaced.xml", ReportFormatError, "namespaced JUnit is not supported"),
        (
            "truncated.mid-attribute.xml",
            ReportFormatError,
            r"truncated\.mid-attribute\.xml:5:\d+: not well-formed",
        ),
    ],
)
def test_unreadable_files_raise_an_input_error_naming_the_file(
    name: str, error: type[InputError], message: str
) -> None:
    with pytest.raises(error, match=message) as info:
        junit.parse(str(DATA / name))
    assert info.value.path == str(DATA / name)


# ----------------------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ('<?xml version="1.0"?>\n<testsuites name="jest tests">', True),
        ("<!-- made by Surefire --><testsuite name='x'>", True),
        ('<?xml version="1.0"?><!DOCTYPE testsuite [ <!ENTITY a "b"> ]><testsuite>', True),
        ('<?xml version="1.0" ?><coverage version="7">', False),
        ('{"testsuites": []}', False),
        ("TN:\nSF:testsuites.js", False),
    ],
)
def test_sniff_recognises_junit_roots_only(head: str, expected: bool) -> None:
    assert junit.sniff(head) is expected


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [
        ("0.5", 0.5),
        ("2,120.532", 2120.532),
        ("1,000,000", 1e6),
        ("80.803us", 80.803e-6),
        ("80.803µs", 80.803e-6),
        ("250ms", 0.25),
        ("3s", 3.0),
        ("1,5", None),
        ("12,34.5", None),
        ("", None),
        ("inf", None),
        ("-1", None),
        ("ms", None),
    ],
)
def test_parse_time(raw: str, seconds: float | None) -> None:
    assert junit.parse_time(raw) == (pytest.approx(seconds) if seconds is not None else None)


def test_new_test_case_sets_every_field_like_the_constructor() -> None:
    """The parser's cheap constructor must stay in step with TestCase's fields and defaults."""
    import dataclasses

    fast = new_test_case("s", "c", "n", Status.FAILED, 1.5, "f.py", 3)
    assert fast == TestCase(
        suite="s", classname="c", name="n", status=Status.FAILED, time_s=1.5, file="f.py", line=3
    )
    for f in dataclasses.fields(TestCase):
        getattr(fast, f.name)  # every slot is set (an unset slot raises AttributeError)
