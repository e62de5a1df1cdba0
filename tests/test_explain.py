"""``qualitygate explain``: the change, the reports, the path mapping applied to each coverage report, and the
changed files that no coverage report measures, on a real git repository."""

from __future__ import annotations

from pathlib import Path

import pytest
from gitrepo import build_feature_repo, git, isolate_git

from qualitygate.cli import main

COVERAGE = """\
<?xml version="1.0" ?>
<coverage version="7.6.1" timestamp="1" lines-valid="4" lines-covered="3" line-rate="0.75" branches-covered="0"
 branches-valid="0" branch-rate="0" complexity="0">
  <sources><source>/ci/checkout/src</source></sources>
  <packages><package name="." line-rate="0.75" branch-rate="0" complexity="0"><classes>
    <class name="app.py" filename="app.py" complexity="0" line-rate="1" branch-rate="0">
      <methods/><lines><line number="3" hits="1"/><line number="11" hits="1"/></lines></class>
    <class name="new_name.py" filename="new_name.py" complexity="0" line-rate="1" branch-rate="0">
      <methods/><lines><line number="5" hits="1"/></lines></class>
    <class name="vanished.py" filename="vanished.py" complexity="0" line-rate="0" branch-rate="0">
      <methods/><lines><line number="1" hits="0"/></lines></class>
  </classes></package></packages>
</coverage>
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    isolate_git(tmp_path, monkeypatch)
    work = tmp_path / "work"
    build_feature_repo(work)
    (work / ".git" / "info" / "exclude").write_text("coverage.xml\nscratch.py\n")
    (work / "coverage.xml").write_text(COVERAGE)
    return work


def test_explain_prints_the_change_the_mapping_and_what_no_report_measures(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["explain", "--root", str(repo), "--preset", "recommended", "--base", "main"])
    out = capsys.readouterr().out
    mb = git(repo, "merge-base", "main", "HEAD").strip()
    assert code == 0
    assert out == (
        "change: from the merge base of main and HEAD to the working tree\n"
        f"  merge base: {mb}\n"
        "changed files: 8 (5 adding lines, 14 added lines)\n"
        "  logo.png            modified, binary  +0\n"
        "  src/app.py          modified   +2: 3, 11\n"
        "  src/café module.py  added      +2: 1-2\n"
        "  src/feature.py      added      +6: 1-6\n"
        "  src/gone.py         deleted    +0\n"
        "  src/helpers.py      renamed    +0  (from src/util.py)\n"
        "  src/new_name.py     renamed    +1: 5  (from src/old_name.py)\n"
        "  src/staged.py       added      +3: 1-3\n"
        "reports: 1\n"
        "  coverage.xml  (cobertura, coverage)\n"
        "    2 of 3 files found in the working tree\n"
        "    /ci/checkout/ -> (root): 2\n"
        "    not found: /ci/checkout/src/vanished.py\n"
        "changed files no coverage report measures: 3\n"
        "  src/café module.py  +2\n"
        "  src/feature.py  +6\n"
        "  src/staged.py  +3\n"
    )


def test_explain_reads_a_saved_diff(repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "c.diff").write_text("--- a/src/app.py\n+++ b/src/app.py\n@@ -3 +3 @@\n-x\n+y\n")
    code = main(
        ["explain", "--root", str(repo), "--preset", "recommended", "--base-diff", str(tmp_path / "c.diff")]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert out.splitlines()[:3] == [
        f"change: diff-file {tmp_path / 'c.diff'}",
        "changed files: 1 (1 adding lines, 1 added lines)",
        "  src/app.py  modified   +1: 3",
    ]
    assert out.endswith("changed files no coverage report measures: 0\n")


def test_explain_without_a_base_to_find_is_exit_2(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "--root", str(repo), "--preset", "recommended"]) == 2
    assert "pass --base REF" in capsys.readouterr().err
