"""A report path outside the repository (SARIF ``file:///opt/vendor/x.py``, any absolute path no mapping
brings under the root) keeps its absolute path as its identity: never disguised as the repository file
``opt/vendor/x.py``. Whole-tree gates count it, new-code gates never put it on a changed line, the baseline
keys it by its absolute path, and the verdict says how many findings point outside (an input warning).
End to end through ``qualitygate check`` and ``qualitygate baseline update`` in a real git repository whose
own ``opt/vendor/x.py`` the change edits: the file the disguise used to confuse it with."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qualitygate.cli import main
from tests.gitrepo import commit_all, git, isolate_git, lines, write

POLICY = """\
quality_gates:
  code_smells: {max_count: 0}
  new_code: {code_smells: 0}
"""
OUTSIDE = "/opt/vendor/x.py"  # the repository is under tmp_path: never /opt
WARNING = (
    "ruff.sarif: 1 finding(s) point outside the repository (kept as absolute paths: counted by whole-tree "
    "gates, never on changed lines; add a path_mapping rule if they are repository files): /opt/vendor/x.py"
)


def sarif(*locations: tuple[str, int]) -> str:
    results = [
        {
            "ruleId": "F401",
            "level": "error",
            "message": {"text": "`os` imported but unused"},
            "locations": [
                {"physicalLocation": {"artifactLocation": {"uri": uri}, "region": {"startLine": line}}}
            ],
        }
        for uri, line in locations
    ]
    run = {"tool": {"driver": {"name": "ruff", "rules": [{"id": "F401"}]}}, "results": results}
    return json.dumps({"version": "2.1.0", "runs": [run]})


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``main`` has src/app.py and opt/vendor/x.py; the working tree (branch ``feature``) edits line 1 of
    opt/vendor/x.py. ruff's log names src/app.py:5 (relative) and file:///opt/vendor/x.py:1 (outside)."""
    isolate_git(tmp_path, monkeypatch)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("QUALITYGATE_TODAY", "2027-03-20")
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    write(root, ".github/quality-gates.yml", POLICY)
    write(root, "src/app.py", lines(10, "app"))
    write(root, "opt/vendor/x.py", lines(3, "vendored"))
    commit_all(root, "base")
    git(root, "checkout", "-q", "-b", "feature")
    write(root, "opt/vendor/x.py", "import os\n" + lines(3, "vendored"))
    write(root, "ruff.sarif", sarif(("src/app.py", 5), (f"file://{OUTSIDE}", 1)))
    monkeypatch.chdir(root)
    return root


def check(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    capsys.readouterr()
    code = main(["check", "--format", "json", *extra])
    return code, json.loads(capsys.readouterr().out)


def gate(doc: dict, gate_id: str) -> dict:  # type: ignore[type-arg]
    return next(g for g in doc["gates"] if g["id"] == gate_id)


def test_an_outside_finding_counts_for_the_tree_never_for_the_changed_lines(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, doc = check(capsys, "--base", "main")
    whole = gate(doc, "code_smells.count")
    assert (whole["status"], whole["actual"]) == ("fail", 2)
    assert sorted((e["path"], e["line"]) for e in whole["evidence"]) == [(OUTSIDE, 1), ("src/app.py", 5)]
    new = gate(doc, "new_code.code_smells")
    # before the fix: 1, the outside finding taken for the change's edit of the repository's opt/vendor/x.py
    assert (new["status"], new["actual"]) == ("pass", 0)
    assert doc["change"]["files"] == 1
    assert [i["warnings"] for i in doc["inputs"] if i["path"] == "ruff.sarif"] == [
        [WARNING[len("ruff.sarif: ") :]]
    ]
    assert sorted(f["path"] for f in doc["record"]["findings"]) == [OUTSIDE, "src/app.py"]
    assert code == 1
    main(["check", "--base", "main"])
    table = capsys.readouterr().out
    assert "input warnings:" in table and "point outside the repository" in table


def test_the_baseline_keys_an_outside_finding_by_its_absolute_path(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["baseline", "update"]) == 0
    entries = (repo / ".github" / "quality-baseline.json").read_text()
    assert f'"{OUTSIDE}"' in entries and '"opt/vendor/x.py"' not in entries
    code, doc = check(capsys, "--base", "main")
    assert (code, gate(doc, "code_smells.count")["baselined"]) == (0, 2)
    # the vendored copy is fixed, and the repository's own opt/vendor/x.py now has the same finding: a new
    # finding, and the outside entry stale (before the fix the one key covered both: a silent pass)
    write(repo, "ruff.sarif", sarif(("src/app.py", 5), ("opt/vendor/x.py", 1)))
    code, doc = check(capsys, "--base", "main")
    smells = gate(doc, "code_smells.count")
    assert (code, smells["status"], smells["actual"], smells["baselined"]) == (1, "fail", 1, 1)
    assert [(e["path"], e["line"]) for e in smells["evidence"]] == [("opt/vendor/x.py", 1)]
    assert doc["accepted"]["stale"] == [
        f"finding ruff F401 {OUTSIDE} `os` imported but unused: baselined 1, now gone"
    ]
