"""The refresh command shown next to a stale report fits the tool that wrote it, told from the report's own
content; where the content cannot tell producers apart (jest, vitest, nyc and c8 all write Istanbul lcov and
Cobertura), the hint names the family and gives no command that would be wrong for one of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualitygate import refresh
from qualitygate.inputs import Loaded
from qualitygate.parsers import lcov, parse_report
from qualitygate.verdict import InputInfo
from tests.conftest import FIXTURES

ISTANBUL = "re-run the JavaScript tests with coverage that wrote {path} (Istanbul: jest, vitest, nyc or c8)"


def hint_for(path: Path, rel: str = "r/report") -> str:
    report = parse_report(str(path))
    info = InputInfo(path=rel, kind=report.kind, size=0, sha256="")
    return refresh.refresh_hint(Loaded(rel, "role", None, report, info), str(path))


@pytest.mark.parametrize(
    ("file", "expected"),
    [
        # the same JavaScript project measured by nyc and by c8, and another by jest: one neutral hint
        ("js/numeral-2.0.6/nyc/coverage/lcov.info", ISTANBUL),
        ("js/numeral-2.0.6/c8/coverage/lcov.info", ISTANBUL),
        ("js/change-case-v4/jest/coverage/lcov.info", ISTANBUL),
        ("js/numeral-2.0.6/nyc/coverage/cobertura-coverage.xml", ISTANBUL),
        ("js/change-case-v4/jest/coverage/cobertura-coverage.xml", ISTANBUL),
        ("python/toolz/coverage.lcov", "pytest --cov --cov-report=lcov:{path}"),
        ("python/toolz/coverage.xml", "pytest --cov --cov-report=xml:{path}"),
        ("public/lcov/gcovr_nested_gcc-8_coverage.lcov", "gcovr --lcov {path}"),
        ("public/cobertura/gcovr-8.0_simple1_gcc-14_cobertura.xml", "gcovr --cobertura {path}"),
        (
            "public/cobertura/cobertura-1.9-java_coverage.xml",
            "re-run the coverage tool that wrote {path} (Cobertura XML)",
        ),
        ("python/toolz/junit.xml", "pytest --junitxml={path}"),
        (
            "js/change-case-v4/jest/junit.xml",
            "JEST_JUNIT_OUTPUT_FILE={path} npx jest --reporters=default --reporters=jest-junit",
        ),
        ("js/change-case-v4/vitest/junit.xml", "npx vitest run --reporter=junit --outputFile={path}"),
        ("js/numeral-2.0.6/mocha/junit.xml", "MOCHA_FILE={path} npx mocha --reporter mocha-junit-reporter"),
        ("public/junit/playwright_junit.xml", "re-run the tests that wrote {path} with their JUnit reporter"),
        ("python/toolz/bandit.sarif", "re-run Bandit, which wrote {path}"),
        ("python/toolz/radon-cc.json", "radon cc -j -O {path} ."),
    ],
)
def test_the_hint_fits_the_producer_of_a_real_report(real_reports: Path, file: str, expected: str) -> None:
    assert hint_for(real_reports / file) == expected.format(path="r/report")


def test_complexipy_8_is_refreshed_with_the_options_it_has() -> None:
    # complexipy 8.3.0 rejects --output-json ("unexpected argument"); its JSON is --output-format json --output
    assert hint_for(FIXTURES / "acme" / "complexipy.json", "complexipy.json") == (
        "complexipy . --output-format json --output complexipy.json"
    )


def test_jscpd_and_k6_keep_their_commands() -> None:
    assert hint_for(FIXTURES / "acme" / "jscpd-report.json", "out/jscpd-report.json") == (
        "npx jscpd --reporters json --output out ."
    )
    assert hint_for(FIXTURES / "acme" / "k6-summary.json", "k6-summary.json") == (
        "k6 run --summary-export=k6-summary.json SCRIPT"
    )


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ("TN:\nSF:src/index.ts\nDA:1,1\n", "istanbul"),
        ("SF:pkg/mod.py\nDA:1,1,abc\n", "coverage.py"),
        ("TN:GCOVR report\nSF:a.cpp\n", "gcovr"),
        ("TN:\nSF:/src/a.c\nDA:1,1\n", None),  # geninfo: the lcov tool itself, for many languages
        ("", None),
    ],
)
def test_an_lcov_producer_is_told_by_its_content(head: str, expected: str | None) -> None:
    assert lcov.producer(None, head) == expected
