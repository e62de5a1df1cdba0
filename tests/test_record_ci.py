"""``qualitygate record`` where CI runs it: a runner has no git identity configured (``git notes add`` makes a
commit on the notes ref), and the push never forces."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qualitygate import notes
from tests.gitrepo import commit_all, git, isolate_git, write
from tests.test_cli import qg

ROOT = Path(__file__).resolve().parent.parent


def test_record_needs_no_git_identity(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_git(tmp_path, monkeypatch)
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    write(repo, ".github/quality-gates.yml", "gates:\n  - {metric: tests.total, min: 1}\n")
    write(repo, "junit.xml", '<testsuite name="t" tests="1"><testcase classname="a" name="b"/></testsuite>')
    commit_all(repo, "first")
    git(repo, "config", "user.useConfigOnly", "true")  # as a runner: no name, no e-mail, no guessing
    for name in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(name)
    result = qg("record", "--root", str(repo))
    assert result.returncode == 0, result.stderr
    assert notes.read_record(str(repo), git(repo, "rev-parse", "HEAD").strip()) is not None


def test_no_push_of_the_notes_is_forced() -> None:
    """Forced refspecs (``+src:dst``) only fetch into a local ref; every push names the ref plainly."""
    sources = [
        ROOT / "qualitygate/notes.py",
        ROOT / "action.yml",
        *(ROOT / ".github/workflows").glob("*.yml"),
    ]
    for path in sources:
        text = path.read_text(encoding="utf-8")
        assert "--force" not in text and "--mirror" not in text, path
        for line in text.splitlines():
            if re.search(r"\+\{?(REF|refs/)", line):
                assert "fetch" in line, f"{path}: {line.strip()}"
    assert notes.FETCH_HINT == "git fetch origin '+refs/notes/qualitygate:refs/notes/qualitygate'"
