"""``qualitygate init --from-tools``: the thresholds the project's tools already keep, in real-shaped files."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from qualitygate import tool_thresholds
from qualitygate.tool_thresholds import Threshold
from tests.conftest import FIXTURES
from tests.test_cli import qg

JEST_PACKAGE = """{
  "name": "web",
  "scripts": {"test": "jest --coverage"},
  "jest": {
    "coverageReporters": ["json-summary", "lcov"],
    "coverageThreshold": {
      "global": {"statements": 80, "branches": 75, "functions": 75, "lines": 80},
      "./src/legacy/": {"lines": 40}
    }
  }
}
"""


def test_coverage_py_in_each_of_its_files(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / ".coveragerc").write_text("[run]\nbranch = true\n\n[report]\nfail_under = 85.5\n")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "setup.cfg").write_text("[metadata]\nname = b\n\n[coverage:report]\nfail_under = 70\n")
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "pyproject.toml").write_text(
        '[project]\nname = "c"\n\n[tool.coverage.report]\nfail_under = 92\n'
    )
    found, left_out = tool_thresholds.read(str(tmp_path))
    assert found == [
        Threshold("coverage.lines.pct", 85.5, "a", "a/.coveragerc [report] fail_under"),
        Threshold("coverage.lines.pct", 70.0, "b", "b/setup.cfg [coverage:report] fail_under"),
        Threshold("coverage.lines.pct", 92.0, "c", "c/pyproject.toml [tool.coverage.report] fail_under"),
    ]
    assert left_out == []


def test_coveragerc_wins_over_pyproject_as_in_coverage_py(tmp_path: Path) -> None:
    (tmp_path / ".coveragerc").write_text("[report]\nfail_under = 60\n")
    (tmp_path / "pyproject.toml").write_text("[tool.coverage.report]\nfail_under = 99\n")
    assert [t.minimum for t in tool_thresholds.coverage_py(str(tmp_path), "")] == [60.0]


def test_jest_global_thresholds_and_a_negative_one_left_out(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text(JEST_PACKAGE)
    found, _ = tool_thresholds.jest(str(tmp_path), "")
    assert [(t.metric, t.minimum) for t in found] == [
        ("coverage.statements.pct", 80.0),
        ("coverage.branches.pct", 75.0),
        ("coverage.functions.pct", 75.0),
        ("coverage.lines.pct", 80.0),
    ]
    assert found[0].source == "package.json jest.coverageThreshold.global.statements"
    (tmp_path / "jest.config.json").write_text(
        '{"coverageThreshold": {"global": {"lines": 90, "branches": -10}}}'
    )
    found, left_out = tool_thresholds.jest(str(tmp_path), "")  # jest.config.json first
    assert [(t.metric, t.minimum, t.source) for t in found] == [
        ("coverage.lines.pct", 90.0, "jest.config.json coverageThreshold.global.lines")
    ]
    assert left_out == [
        "jest.config.json coverageThreshold.global.branches = -10: a count of uncovered items, not a percentage"
    ]


def test_k6_summary_export_thresholds() -> None:
    got = tool_thresholds.k6_thresholds(str(FIXTURES / "acme-failing" / "k6-summary-export.json"))
    assert got == {"http_req_failed": ["rate<0.1"], "http_req_duration": ["p(95)<200"]}


def test_init_from_tools_writes_one_policy_naming_each_source(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "acme-failing", root)
    shutil.rmtree(root / ".github")
    (root / "k6-summary.json").unlink()  # one k6 report, so its gates are not ambiguous
    (root / "backend" / ".coveragerc").write_text("[run]\nbranch = true\n[report]\nfail_under = 85.5\n")
    (root / "frontend" / "package.json").write_text(JEST_PACKAGE)
    p = qg("init", "--root", str(root), "--from-tools", "--output", "-")
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert (
        "  - {metric: coverage.lines.pct, component: backend, min: 85.5%}   "
        "# from backend/.coveragerc [report] fail_under"
    ) in lines
    assert (
        "  - {metric: coverage.branches.pct, component: frontend, min: 75%}   "
        "# from frontend/package.json jest.coverageThreshold.global.branches"
    ) in lines
    assert '  http_req_duration: ["p(95)<200"]   # from k6-summary-export.json thresholds' in lines
    assert not [
        line for line in lines if "min: 80%}" in line and "coverage.lines.pct" in line and "backend" in line
    ]
    assert not [
        line for line in lines if line.startswith("  - {metric: k6.")
    ]  # the tool's own thresholds instead
    policy = yaml.safe_load(p.stdout)
    assert policy["k6"] == {"http_req_failed": ["rate<0.1"], "http_req_duration": ["p(95)<200"]}
    (root / ".github").mkdir()
    (root / ".github" / "quality-gates.yml").write_text(p.stdout)
    check = qg("check", "--root", str(root), "--format", "json")
    assert check.returncode == 1  # acme-failing fails; the policy itself is valid (not exit 2)
    assert '"id": "coverage.backend"' in check.stdout or '"component": "backend"' in check.stdout
