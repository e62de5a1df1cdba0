"""A git copy of ``fixtures/acme`` for timing the pre-push hook with new-code gates (bench_startup.sh).

    python3 benchmarks/hook_repo.py DIR QUALITYGATE PYTHON

DIR gets the fixture bundle with its policy plus a ``new_code`` section as ``.github/quality-gates.yml``,
committed on ``main``; branch ``feature`` edits 3 lines of ``Order.place`` (``backend/acme_api/orders.py``)
and 2 of ``frontend/src/cart.js`` (committed); every file's time is then set to now (the reports as fresh as
the sources, as after a test run), the hook is installed with ``qualitygate hook install`` and
``DIR/.git/pushed.txt`` holds the line git gives a pre-push hook for ``git push origin feature:main``. The
policy is validated once, so the cache holds it as on every push after the first.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NEW_CODE = """
  new_code:
    coverage: 80
    security_hotspots: 0
    code_smells: 0
    max_cyclomatic: 10
    max_cognitive: 15
    duplications: 3
"""
EDITS = {"backend/acme_api/orders.py": (73, 74, 75), "frontend/src/cart.js": (3, 4)}


def git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@example.com",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@example.com",
    }
    done = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def edit(path: Path, lines: tuple[int, ...]) -> None:
    text = path.read_text().splitlines(keepends=True)
    for n in lines:
        text[n - 1] = text[n - 1].rstrip("\n") + "  \n"  # trailing blanks: the same code, a changed line
    path.write_text("".join(text))


def main(repo: Path, qualitygate: str, python: str) -> None:
    shutil.copytree(
        ROOT / "fixtures" / "acme", repo, dirs_exist_ok=True, ignore=shutil.ignore_patterns("node_modules")
    )
    policy = repo / ".github" / "quality-gates.yml"
    policy.write_text(policy.read_text().replace("quality_gates:\n", "quality_gates:" + NEW_CODE, 1))
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    base = git(repo, "rev-parse", "HEAD")
    git(repo, "checkout", "-q", "-b", "feature")
    for rel, lines in EDITS.items():
        edit(repo / rel, lines)
    git(repo, "commit", "-q", "-am", "feature")
    head = git(repo, "rev-parse", "HEAD")
    for path in repo.rglob("*"):
        if ".git" not in path.relative_to(repo).parts:
            os.utime(path)
    (repo / ".git" / "pushed.txt").write_text(f"refs/heads/feature {head} refs/heads/main {base}\n")
    subprocess.run([qualitygate, "hook", "install", "--repo", str(repo), "--python", python], check=True)
    # validate the policy once (the cache), and show the verdict the timed runs reproduce
    with open(repo / ".git" / "pushed.txt") as stdin:
        subprocess.run([qualitygate, "check", "--hook"], cwd=repo, stdin=stdin, check=False)


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2], sys.argv[3])
