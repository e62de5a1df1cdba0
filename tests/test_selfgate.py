"""qualitygate gates itself on its new code too: the project's policy holds the new-code gates (a missing
base warns, never passes), CI checks out the whole history and passes the base, and ``.ci/new-code-base``
picks one on a fresh clone of main, on a branch, in a pull request, or says there is none."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml
from gitrepo import commit_all, git, isolate_git, write

ROOT = Path(__file__).resolve().parent.parent
PICK = ROOT / ".ci" / "new-code-base"


def pick(repo: Path, **env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "QUALITYGATE_"))}
    done = subprocess.run(
        [str(PICK)], cwd=repo, capture_output=True, text=True, check=True, env={**clean, **env}
    )
    return done.stdout.strip()


def test_the_projects_policy_gates_the_new_code_and_warns_without_a_base() -> None:
    policy = yaml.safe_load((ROOT / ".github" / "quality-gates.yml").read_text())
    new = {
        g["metric"]: (g.get("min", g.get("max")), g["missing"])
        for g in policy["gates"]
        if "new." in g["metric"]
    }
    assert new == {
        "new.coverage.lines.pct": ("90%", "warn"),
        "new.complexity.cyclomatic.max": (10, "warn"),
        "new.smells.count": (0, "warn"),
    }


def test_ci_fetches_the_history_and_passes_the_base() -> None:
    steps = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())["jobs"]["ci"]["steps"]
    assert steps[0] == {"uses": "actions/checkout@v4", "with": {"fetch-depth": 0}}
    gate = next(s for s in steps if s.get("name", "").startswith("Quality gate"))
    assert "base=$(.ci/new-code-base)" in gate["run"] and '${base:+--base "$base"}' in gate["run"]
    assert "ruff.sarif" in next(s["run"] for s in steps if "radon" in s.get("name", ""))
    assert "$(.ci/new-code-base)" in (ROOT / ".ci" / "run").read_text()


def test_the_base_on_a_clone_of_main_a_branch_a_pull_request_and_a_lone_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolate_git(tmp_path, monkeypatch)
    origin = tmp_path / "origin"
    origin.mkdir()
    git(origin, "init", "-q", "-b", "main")
    write(origin, "a.py", "a = 1\n")
    commit_all(origin, "first")
    assert pick(origin) == ""  # one commit, no origin: none (the gates then warn)
    write(origin, "a.py", "a = 2\n")
    commit_all(origin, "second")
    assert pick(origin) == "HEAD~1"

    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(origin), str(clone))
    assert pick(clone) == "HEAD~1"  # a fresh clone of main: its last commit
    git(clone, "checkout", "-q", "-b", "feature")
    write(clone, "b.py", "b = 1\n")
    commit_all(clone, "feature")
    assert pick(clone) == "origin/main"  # a branch: everything it adds
    assert pick(clone, GITHUB_BASE_REF="release") == "origin/release"
    first = git(clone, "rev-parse", "HEAD~2").strip()
    assert pick(clone, GITHUB_EVENT_BEFORE=first) == first
    assert pick(clone, GITHUB_EVENT_BEFORE="1" * 40) == "origin/main"  # a commit this clone does not have
    assert pick(clone, QUALITYGATE_BASE="v1.0") == "v1.0"
    assert pick(tmp_path) == ""  # not a repository


def test_without_a_base_the_new_code_gates_warn(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from qualitygate.collect import collect
    from qualitygate.config import load_policy
    from qualitygate.engine import evaluate

    policy = load_policy(str(ROOT / ".github" / "quality-gates.yml"))
    verdict = evaluate(policy, collect(policy, str(tmp_path)), version="test", change=None)
    new = {g.id: (g.status, g.message) for g in verdict.gates if g.metric.startswith("new.")}
    assert {gid: status for gid, (status, _) in new.items()} == dict.fromkeys(
        ("new_code.coverage", "new_code.complexity", "new_code.smells"), "warn"
    )
    assert all("--base" in message for _, message in new.values()), new
