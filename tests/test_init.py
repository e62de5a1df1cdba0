"""``qualitygate init`` reads every report it proposes, as ``check`` will: a report it cannot read is left
out of the policy and named on stderr with the reason, one line each, so the first ``check`` never stops
at exit 3 on a report ``init`` wrote into the policy."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from qualitygate.cli import main
from tests.conftest import FIXTURES


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "acme", root)
    shutil.rmtree(root / ".github")
    return root


def test_init_leaves_out_the_reports_it_cannot_read_and_says_why(
    tree: Path, real_reports: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hostile = real_reports / "hostile"
    # the jest-junit report cut short, as a killed run leaves it; vitest's empty lcov; an XXE; a cut SARIF
    (tree / "frontend" / "junit.xml").write_bytes(
        (FIXTURES / "acme" / "frontend" / "junit.xml").read_bytes()[:700]
    )
    shutil.copy(
        real_reports / "js/change-case-v4/vitest/coverage/lcov.info", tree / "frontend/coverage/lcov.info"
    )
    shutil.copy(hostile / "xxe-local-junit.xml", tree / "backend" / "junit-xxe.xml")
    shutil.copy(hostile / "truncated.sarif", tree / "semgrep.sarif")
    (tree / "notes.txt").write_text("not a report, and not named like one\n")

    assert main(["init", "--root", str(tree)]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "qualitygate init: left out semgrep.sarif: cannot tell what kind of report this is "
        "(tried: cobertura, junit, lcov, sarif, locust, playwright-json, istanbul-json, gitleaks, zap, snyk, "
        "k6, jscpd, complexipy, radon)",
        "qualitygate init: left out backend/junit-xxe.xml: refused: the DOCTYPE declares entity 'leak'; "
        "reports never need entities and they are not expanded",
        "qualitygate init: left out frontend/junit.xml:8:120: not well-formed XML: AttValue: ' expected",
        "qualitygate init: left out frontend/coverage/lcov.info: empty file: no report was written",
        f"wrote {tree / '.github' / 'quality-gates.yml'}",
    ]
    policy = (tree / ".github" / "quality-gates.yml").read_text()
    for left_out in ("semgrep.sarif", "junit-xxe.xml", "frontend/junit.xml", "lcov.info"):
        assert left_out not in policy
    assert "    coverage: [frontend/coverage/cobertura-coverage.xml]\n" in policy
    assert "    tests: [backend/junit.xml]\n" in policy
    assert "  findings: [bandit.sarif, ruff.sarif, trivy-results.sarif]\n" in policy

    # the first check reads every report the policy names (exit 1 would be a gate, 3 an unreadable report)
    assert main(["check", "--root", str(tree), "--format", "json", "--output", str(tree / "v.json")]) == 0


def test_init_on_healthy_reports_leaves_nothing_out(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", "--root", str(tree)]) == 0
    assert capsys.readouterr().err == f"wrote {tree / '.github' / 'quality-gates.yml'}\n"
    text = (tree / ".github" / "quality-gates.yml").read_text()
    assert "    tests: [frontend/junit.xml]\n" in text
    assert "    coverage: [frontend/coverage/cobertura-coverage.xml, frontend/coverage/lcov.info]\n" in text


def test_init_with_only_unreadable_reports_names_them_before_the_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "junit.xml").write_text('<?xml version="1.0"?><testsuites><testsuite name="a"><testcase')
    assert main(["init", "--root", str(tmp_path)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("qualitygate init: left out junit.xml:1:")
    assert err[1].startswith(f"qualitygate: error: no report found under {tmp_path}")
