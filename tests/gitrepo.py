"""Real git repositories for the change tests: git run with no user or system configuration, so what a test
sets in a repository's own config is the only configuration there is."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

# 0-9 bytes and a NUL: git sees it as binary
PNG = bytes(range(10)) + b"\x00\x89PNG"


def isolate_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    values = {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.com",
    }
    for k, v in values.items():
        monkeypatch.setenv(k, v)
    for k in ("GITHUB_BASE_REF", "GIT_DIR", "GIT_WORK_TREE", "QUALITYGATE_SKIP", "QUALITYGATE_HOOK_MISSING"):
        monkeypatch.delenv(k, raising=False)


def run_git(repo: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``git ARGS`` in ``repo``, whatever its exit code."""
    return subprocess.run(
        ["git", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
        env=env,
        stdin=subprocess.DEVNULL,
    )


def git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """``git ARGS`` in ``repo``, which must succeed: its output."""
    done = run_git(repo, *args, env=env)
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def lines(n: int, tag: str) -> str:
    return "".join(f"{tag} line {i}\n" for i in range(1, n + 1))


def write(repo: Path, rel: str, text: str | bytes) -> None:
    path = repo / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")


def build_feature_repo(repo: Path) -> None:
    """``main``: app, util, old_name, gone, a binary logo. Branch ``feature`` (checked out) from there:
    a new module, edits in app.py, a pure rename, an edited rename, a deleted file, a changed binary, a new
    file with a space and a non-ASCII letter in its name; then ``main`` moves on (so the merge base is not
    main's tip); then a staged new file and an unstaged edit on top of the feature branch."""
    repo.mkdir(parents=True, exist_ok=True)
    git(repo, "init", "-q", "-b", "main")
    write(repo, "src/app.py", lines(10, "app"))
    write(repo, "src/util.py", lines(20, "util"))
    write(repo, "src/old_name.py", lines(20, "old"))
    write(repo, "src/gone.py", lines(5, "gone"))
    write(repo, "logo.png", PNG)
    write(repo, "README.md", "readme\n")
    commit_all(repo, "base")
    git(repo, "checkout", "-q", "-b", "feature")
    write(repo, "src/feature.py", lines(5, "feature"))
    app = lines(10, "app").splitlines(keepends=True)
    app[2] = "app line 3, edited\n"
    write(repo, "src/app.py", "".join(app) + "app line 11, new\n")
    git(repo, "mv", "src/util.py", "src/helpers.py")
    git(repo, "mv", "src/old_name.py", "src/new_name.py")
    edited = lines(20, "old").splitlines(keepends=True)
    edited[4] = "old line 5, edited after the move\n"
    write(repo, "src/new_name.py", "".join(edited))
    git(repo, "rm", "-q", "src/gone.py")
    write(repo, "logo.png", PNG + b"more")
    write(repo, "src/café module.py", "a = 1\nb = 2\n")
    commit_all(repo, "feature work")
    git(repo, "checkout", "-q", "main")
    write(repo, "README.md", "readme\nmoved on\n")
    commit_all(repo, "main moves on")
    git(repo, "checkout", "-q", "feature")
    write(repo, "src/staged.py", lines(3, "staged"))
    git(repo, "add", "src/staged.py")
    write(repo, "src/feature.py", lines(5, "feature") + "feature line 6, unstaged\n")
    write(repo, "scratch.py", "untracked = True\n")


# What the feature branch adds over the merge base: path -> (status, old path, added lines)
FEATURE_CHANGE: dict[str, tuple[str, str | None, tuple[int, ...]]] = {
    "logo.png": ("modified", None, ()),
    "src/app.py": ("modified", None, (3, 11)),
    "src/café module.py": ("added", None, (1, 2)),
    "src/feature.py": ("added", None, (1, 2, 3, 4, 5, 6)),
    "src/gone.py": ("deleted", None, ()),
    "src/helpers.py": ("renamed", "src/util.py", ()),
    "src/new_name.py": ("renamed", "src/old_name.py", (5,)),
    "src/staged.py": ("added", None, (1, 2, 3)),
}


def environ() -> dict[str, str]:
    return dict(os.environ)
