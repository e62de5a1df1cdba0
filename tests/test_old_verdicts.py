"""Verdicts stay backward-readable: a 1.0 verdict (``tests/golden/v1_0_all_pass.json``, the ``all_pass``
golden as 1.0 wrote it) is read back, and given as ``--base-results`` or to ``record --verdict`` it is
refused with a message that says what it lacks and what to do, never a traceback nor a pass."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from qualitygate.commands.comment import load_verdict
from tests.gitrepo import commit_all, git, isolate_git, write
from tests.test_cli import qg

OLD = Path(__file__).resolve().parent / "golden" / "v1_0_all_pass.json"
POLICY = "gates:\n  - {metric: tests.removed, max: 0}\n  - {metric: tests.total, max_drop: 0}\n"
JUNIT = '<?xml version="1.0"?><testsuite name="t" tests="1"><testcase classname="a" name="b"/></testsuite>'
WHY = (
    "base.json is a 1.0 verdict (qualitygate 0.1.0): it holds no record of the results a comparison needs "
    "(verdicts carry one from schema 1.2 on); write the base's verdict again with this qualitygate "
    "(check --format json), or use --base-results auto"
)


def test_a_1_0_verdict_is_read_back() -> None:
    verdict = load_verdict(str(OLD))
    assert (verdict.schema_version, verdict.status, len(verdict.gates), verdict.record) == (
        "1.0",
        "pass",
        7,
        None,
    )
    assert verdict.gates[0].actual == 82.5


def test_a_1_0_verdict_as_base_results_says_what_it_lacks(tmp_path: Path) -> None:
    write(tmp_path, ".github/quality-gates.yml", POLICY)
    write(tmp_path, "junit.xml", JUNIT)
    shutil.copy(OLD, tmp_path / "base.json")
    out = tmp_path / "verdict.json"
    result = qg(
        "check", "--format", "json", "--output", str(out), "--base-results", "base.json", cwd=tmp_path
    )
    assert result.returncode == 1, result.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["base"]["missing"] == WHY
    assert [(g["status"], g["reason"]) for g in doc["gates"]] == [
        ("error", f"no base results (verdict base.json): {WHY}")
    ] * 2


def test_recording_a_1_0_verdict_says_what_it_lacks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_git(tmp_path, monkeypatch)
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    write(repo, "README", "x\n")
    commit_all(repo, "first")
    result = qg("record", "--root", str(repo), "--verdict", str(OLD))
    assert (result.returncode, result.stderr.splitlines()[0]) == (
        2,
        f"qualitygate: error: {OLD}: a 1.0 verdict (qualitygate 0.1.0) holds no record of the results "
        "(verdicts carry one from schema 1.2 on); write it again with this qualitygate (check --format json)",
    )
