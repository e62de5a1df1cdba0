"""New code end to end: a real git repository, coverage.py and ruff run for real, and qualitygate's
new-code figures compared with diff-cover's and diff-quality's on the same repository and the same reports.

The repository (``main``, then a ``feature`` branch checked out, and ``main`` moving on after the branch point so
the merge base is not main's tip): a new module (one covered and one uncovered function, lint findings, two on
one line), an edit in covered code and one in uncovered code of ``pkg/app.py``, a pure ``git mv`` of a module
with uncovered lines, an edited rename, a deleted file and a changed binary file. The tests run with
``coverage run -m pytest`` and the reports are ``coverage xml`` and ``ruff check --output-format sarif``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gitrepo import PNG, commit_all, git, isolate_git, write

pytestmark = pytest.mark.skipif(
    shutil.which("ruff") is None or shutil.which("git") is None, reason="needs git and ruff on PATH"
)

APP = """\
import os


def covered(x):
    y = x + 1
    return y


def uncovered(x):
    y = x - 1
    return y
"""
# pkg/app.py on the feature branch: line 6 (covered) and line 11 (uncovered) edited, 12-13 added (uncovered)
APP_FEATURE = """\
import os


def covered(x):
    y = x + 1
    return y * 2


def uncovered(x):
    y = x - 1
    return y * 2
    if y:
        return 0
"""
UTIL = """\
def helper(x):
    return x


def unused_helper(x):
    return x * 3
"""
OLD = """\
def old(x):
    z = x
    return z


def old_uncovered(x):
    z = x
    return z
"""
# the edited rename: line 3 (covered) and line 8 (uncovered) edited
RENAMED = """\
def old(x):
    z = x
    return z + 0


def old_uncovered(x):
    z = x
    return z + 1
"""
NEWMOD = """\
import sys, json


def new_covered(x):
    if x:
        return 1
    return 2


def new_uncovered(x):
    l = x
    return l
"""
TESTS_BASE = """\
from pkg.app import covered
from pkg.old import old
from pkg.util import helper


def test_base():
    assert covered(1) == 2
    assert old(1) == 1
    assert helper(1) == 1
"""
TESTS_FEATURE = """\
from pkg.app import covered
from pkg.helpers import helper
from pkg.newmod import new_covered
from pkg.renamed import old


def test_feature():
    assert covered(1) == 4
    assert old(1) == 1
    assert helper(1) == 1
    assert new_covered(1) == 1
"""
POLICY = """\
reports:
  coverage: [coverage.xml]
  findings: [ruff.sarif]
gates:
  - {metric: new.coverage.lines.pct, min: 80}
  - {metric: new.coverage.lines.covered, min: 0}
  - {metric: new.coverage.lines.total, min: 0}
  - {metric: new.coverage.branches.pct, min: 0}
  - {metric: new.smells.count, max: 0}
"""
RUFF = ("ruff", "check", "--isolated", "--select", "E,F", "--no-cache", "--exit-zero")


def run(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(list(args), cwd=repo, capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, f"{' '.join(args)}: {done.stdout}{done.stderr}"
    return done


def build(repo: Path) -> None:
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    write(repo, ".gitignore", "coverage.xml\n.coverage\nruff.sarif\nruff.txt\n*.json\n__pycache__/\n")
    write(repo, "pkg/__init__.py", "")
    write(repo, "pkg/app.py", APP)
    write(repo, "pkg/util.py", UTIL)
    write(repo, "pkg/old.py", OLD)
    write(repo, "pkg/gone.py", "def gone():\n    return 1\n")
    write(repo, "logo.png", PNG)
    write(repo, "tests/test_app.py", TESTS_BASE)
    write(repo, ".github/quality-gates.yml", POLICY)
    commit_all(repo, "base")
    git(repo, "checkout", "-q", "-b", "feature")
    write(repo, "pkg/app.py", APP_FEATURE)
    git(repo, "mv", "pkg/util.py", "pkg/helpers.py")
    git(repo, "mv", "pkg/old.py", "pkg/renamed.py")
    write(repo, "pkg/renamed.py", RENAMED)
    git(repo, "rm", "-q", "pkg/gone.py")
    write(repo, "logo.png", PNG + b"\x00more")
    write(repo, "pkg/newmod.py", NEWMOD)
    write(repo, "tests/test_app.py", TESTS_FEATURE)
    commit_all(repo, "feature")
    git(repo, "checkout", "-q", "main")
    write(repo, "README.md", "main moves on\n")
    commit_all(repo, "main moves on")
    git(repo, "checkout", "-q", "feature")


def reports(repo: Path) -> None:
    """coverage.py and ruff, run for real on the feature branch's working tree."""
    py = sys.executable
    run(
        repo,
        py,
        "-m",
        "coverage",
        "run",
        "--branch",
        "--source=pkg",
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "tests",
    )
    run(repo, py, "-m", "coverage", "xml", "-o", "coverage.xml")
    (repo / "ruff.sarif").write_text(run(repo, *RUFF, "--output-format", "sarif", "pkg").stdout)
    (repo / "ruff.txt").write_text(run(repo, *RUFF, "--output-format", "pylint", "pkg").stdout)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    tmp = tmp_path_factory.mktemp("e2e")
    with pytest.MonkeyPatch.context() as mp:
        isolate_git(tmp, mp)
        work = tmp / "work"
        build(work)
        reports(work)
        yield work


def qualitygate(repo: Path, *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "qualitygate", "check", "--root", str(repo), "--format", "json", *args],
        capture_output=True,
        text=True,
        check=False,
        env={k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")},
    )
    assert done.returncode in (0, 1), done.stderr
    verdict: dict[str, Any] = json.loads(done.stdout)
    return verdict


def diff_tool(repo: Path, tool: str, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """diff-cover's or diff-quality's JSON report on the repository (their CLI, as a user runs it)."""
    out = repo / f"{tool}.json"
    done = subprocess.run(
        [tool, *args, "--compare-branch=main", "--format", f"json:{out}"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report: dict[str, Any] = json.loads(out.read_text())
    out.unlink()
    return report


def gate(verdict: dict[str, Any], gate_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(g for g in verdict["gates"] if g["id"] == gate_id)
    return found


# -------------------------------------------------------------------------------------------- coverage


def test_new_line_coverage_equals_diff_covers(repo: Path) -> None:
    theirs = diff_tool(repo, "diff-cover", "coverage.xml", "--total-percent-float")
    ours = qualitygate(repo, "--base", "main")
    covered = gate(ours, "new.coverage.lines.covered")["actual"]
    total = gate(ours, "new.coverage.lines.total")["actual"]
    pct = gate(ours, "new.coverage.lines.pct")["actual"]
    assert (covered, total) == (
        theirs["total_num_lines"] - theirs["total_num_violations"],
        theirs["total_num_lines"],
    )
    assert (covered, total, round(pct, 2)) == (7, 12, theirs["total_percent_covered"]) == (7, 12, 58.33)
    # the same uncovered lines, file by file: app.py's covered edit (6) and uncovered edit (11; 12-13 are
    # unreachable, so coverage.py does not measure them), the edited rename's 3 and 8, the new module
    assert (
        {
            e["path"]: [n for a, b in e["line_ranges"] for n in range(a, b + 1)]
            for e in gate(ours, "new.coverage.lines.pct")["evidence"]
        }
        == {p: s["violation_lines"] for p, s in theirs["src_stats"].items() if s["violation_lines"]}
        == {
            "pkg/app.py": [11],
            "pkg/newmod.py": [7, 11, 12],
            "pkg/renamed.py": [8],
        }
    )
    # the pure rename, the deleted file and the binary add nothing, in both
    assert set(theirs["src_stats"]) == {"pkg/app.py", "pkg/newmod.py", "pkg/renamed.py"}
    assert ours["change"] | {"merge_base": None} == {
        "base_ref": "main",
        "merge_base": None,
        "source": "git",
        "files": 4,
        "lines": theirs["num_changed_lines"],
        "notes": [
            "not counted: 1 changed file the coverage report does not list (tests/test_app.py), "
            "as diff-cover leaves them out"
        ],
    }
    assert theirs["num_changed_lines"] == 24


def test_a_saved_diff_gives_the_same_figure_as_git(repo: Path, tmp_path: Path) -> None:
    saved = tmp_path / "change.diff"
    saved.write_text(git(repo, "diff", "main..."))
    ours = qualitygate(repo, "--base-diff", str(saved))
    assert gate(ours, "new.coverage.lines.pct")["actual"] == 7 * 100.0 / 12


# -------------------------------------------------------------------------------------------- findings

# what ruff finds on the changed lines: the new module's line 1 has three findings, line 11 one; the F401 on
# app.py's unchanged line 1 is not new
FINDINGS_ON_CHANGED_LINES = [
    ("pkg/newmod.py", 1, "[E401] Multiple imports on one line"),
    ("pkg/newmod.py", 1, "[F401] `json` imported but unused"),
    ("pkg/newmod.py", 1, "[F401] `sys` imported but unused"),
    ("pkg/newmod.py", 11, "[E741] Ambiguous variable name: `l`"),
]


def test_findings_on_changed_lines_equal_diff_qualitys(repo: Path) -> None:
    """diff-quality supports ruff (``--violations=ruff.check``), reading ruff's own pylint-format output of
    the same run; qualitygate reads ruff's SARIF."""
    theirs = diff_tool(repo, "diff-quality", "--violations=ruff.check", "ruff.txt")
    listed = sorted((p, line, msg) for p, s in theirs["src_stats"].items() for line, msg in s["violations"])
    smells = gate(qualitygate(repo, "--base", "main"), "new.smells.count")
    ours = sorted(
        (e["path"], e["line"], f"[{e['title'].removeprefix('ruff ')}] {e['detail'].split(': ', 1)[1]}")
        for e in smells["evidence"]
    )
    assert ours == listed == FINDINGS_ON_CHANGED_LINES
    assert smells["actual"] == 4


# ------------------------------------------------------------------------ where we differ, deliberately


def test_every_finding_counts_where_diff_quality_counts_lines(repo: Path) -> None:
    """diff-quality's total counts lines with a violation (2); qualitygate counts the findings (4), as the
    whole-tree smells gate does."""
    theirs = diff_tool(repo, "diff-quality", "--violations=ruff.check", "ruff.txt")
    assert theirs["total_num_violations"] == 2
    assert gate(qualitygate(repo, "--base", "main"), "new.smells.count")["actual"] == 4


def test_a_changed_file_the_report_does_not_list_is_named_not_silently_dropped(repo: Path) -> None:
    theirs = diff_tool(repo, "diff-cover", "coverage.xml")
    assert "tests/test_app.py" not in theirs["src_stats"]
    assert "tests/test_app.py" not in theirs["diff_name"]
    message = gate(qualitygate(repo, "--base", "main"), "new.coverage.lines.pct")["message"]
    assert message.endswith(
        "(not counted: 1 changed file the coverage report does not list (tests/test_app.py), "
        "as diff-cover leaves them out)."
    )


def test_no_coverable_changed_line_is_a_visible_skip_where_diff_cover_says_100(
    repo: Path, tmp_path: Path
) -> None:
    """A change that adds only pkg/app.py's blank line 2: diff-cover reports 100 %, qualitygate a skip."""
    saved = tmp_path / "blank.diff"
    saved.write_text(
        "diff --git a/pkg/app.py b/pkg/app.py\n--- a/pkg/app.py\n+++ b/pkg/app.py\n@@ -1,0 +2 @@\n+\n"
    )
    theirs = diff_tool(repo, "diff-cover", "coverage.xml", "--diff-file", str(saved), "--total-percent-float")
    assert (theirs["total_num_lines"], theirs["total_percent_covered"]) == (0, 100)
    pct = gate(qualitygate(repo, "--base-diff", str(saved)), "new.coverage.lines.pct")
    assert (pct["status"], pct["actual"]) == ("skip", None)
    assert pct["message"].endswith(
        "no coverable changed line (the coverage report measures none of the 1 added)."
    )


def test_diff_covers_default_total_is_truncated_ours_is_not(repo: Path, tmp_path: Path) -> None:
    """58.33 % against a minimum of 58.2: diff-cover without ``--total-percent-float`` truncates to 58 and
    fails; qualitygate compares the unrounded figure and passes."""
    done = subprocess.run(
        ["diff-cover", "coverage.xml", "--compare-branch=main", "--fail-under=58.2"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1 and "Coverage: 58%" in done.stdout
    policy = tmp_path / "policy.yml"
    policy.write_text(
        "reports: {coverage: [coverage.xml]}\ngates: [{metric: new.coverage.lines.pct, min: 58.2}]\n"
    )
    verdict = qualitygate(repo, "--base", "main", "--config", str(policy))
    assert verdict["status"] == "pass"


def test_a_partly_covered_line_is_covered_and_branches_are_their_own_figure(repo: Path) -> None:
    """newmod.py line 5 (``if x:``) ran but never took its false branch. diff-cover's ``--branch-coverage``
    counts it as a missed line (6 of 12); qualitygate's line figure keeps it covered (7 of 12, diff-cover's
    default) and its branch figure counts the outcomes (1 of the 2 on the changed lines)."""
    theirs = diff_tool(repo, "diff-cover", "coverage.xml", "--branch-coverage")
    assert theirs["total_num_lines"] - theirs["total_num_violations"] == 6
    ours = qualitygate(repo, "--base", "main")
    assert gate(ours, "new.coverage.lines.covered")["actual"] == 7
    assert gate(ours, "new.coverage.branches.pct")["actual"] == 50.0


def test_renames_are_followed_whatever_the_hosts_git_config_says(repo: Path) -> None:
    """With ``diff.renames=false`` in the environment's git config, diff-cover counts the moved files as new
    (helpers.py's uncovered line 6 among them); qualitygate pins ``-M`` and keeps 7 of 12."""
    env = {
        **os.environ,
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": "diff.renames",
        "GIT_CONFIG_VALUE_0": "false",
    }
    theirs = diff_tool(repo, "diff-cover", "coverage.xml", env=env)
    assert {"pkg/helpers.py", "pkg/renamed.py"} <= set(theirs["src_stats"])
    assert theirs["src_stats"]["pkg/helpers.py"]["violation_lines"] == [6]
    assert theirs["total_num_lines"] > 12
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "qualitygate",
            "check",
            "--root",
            str(repo),
            "--base",
            "main",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert gate(json.loads(done.stdout), "new.coverage.lines.total")["actual"] == 12
