"""What ``check --base`` costs over the same ``check``: the change from git on a monorepo-sized repository.

    python3 benchmarks/bench_newcode.py [--reports DIR] [--work DIR] [--runs N] [--files 50]

REPORT DIR: the 0.25-scale reports of ../shared/bench/gen_reports.py (made there if missing:
``gen_reports.py --out DIR --scale 0.25``). A git repository is built under --work holding every source file
the coverage report names (committed on ``main``); branch ``feature`` edits --files of them (2 lines
replaced, 10 appended, committed) and leaves one staged and one unstaged edit. The reports sit in the
repository (excluded from git). Then ``qualitygate check`` with and without ``--base main`` runs
alternately, --runs times each after a warm-up, and the medians and their ratio are printed (target <= 1.3).
The machine is shared: only the ratio from one run means anything.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCH = HERE.parent.parent / "shared" / "bench"
POLICY = """\
version: 1
reports:
  coverage: [reports/coverage.xml]
  tests: [reports/junit.xml]
  complexity: [reports/radon-cc.json]
  findings: [reports/trivy.sarif]
gates:
  - {metric: coverage.lines.pct, min: 80}
  - {metric: tests.failing, max: 0}
  - {metric: complexity.cyclomatic.max, max: 10}
  - {metric: security.blocking, max: 0}
"""
ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
}


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, env=ENV, stdout=subprocess.DEVNULL)


def build(reports: Path, repo: Path, changed: int) -> None:
    if repo.exists():
        shutil.rmtree(repo)
    (repo / "reports").mkdir(parents=True)
    names = sorted(set(re.findall(r'filename="([^"]+)"', (reports / "coverage.xml").read_text())))
    for name in names:
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(f"line {i} of {name}\n" for i in range(1, 61)))
    (repo / ".github").mkdir(exist_ok=True)
    (repo / ".github" / "quality-gates.yml").write_text(POLICY)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "checkout", "-q", "-b", "feature")
    for name in names[:: max(1, len(names) // changed)][:changed]:
        path = repo / name
        text = path.read_text().replace("line 7 of", "edited line 7 of").replace("line 30 of", "edited 30 of")
        path.write_text(text + "".join(f"appended {i}\n" for i in range(10)))
    git(repo, "commit", "-q", "-am", "feature")
    (repo / names[1]).write_text("staged\n")
    git(repo, "add", names[1])
    (repo / names[2]).write_text("unstaged\n")
    (repo / ".git" / "info" / "exclude").write_text("/reports/\n")
    for f in ("coverage.xml", "junit.xml", "radon-cc.json", "trivy.sarif"):
        shutil.copy(reports / f, repo / "reports" / f)
    print(f"repository: {repo} ({len(names)} source files, {changed} changed on feature)")


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)}: exit {done.returncode}: {done.stderr}")
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reports", default="/tmp/qg-bench-025")
    ap.add_argument("--work", default="/tmp/qg-bench-newcode")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--files", type=int, default=50)
    args = ap.parse_args()
    reports, repo = Path(args.reports), Path(args.work)
    if not (reports / "coverage.xml").exists():
        subprocess.run(
            [sys.executable, str(BENCH / "gen_reports.py"), "--out", str(reports), "--scale", "0.25"],
            check=True,
        )
    build(reports, repo, args.files)
    base = [sys.executable, "-m", "qualitygate", "check", "--root", str(repo), "--format", "json"]
    plain, with_base = [*base, "--output", os.devnull], [*base, "--output", os.devnull, "--base", "main"]
    timed(plain), timed(with_base)  # warm-up (and the policy cache)
    a: list[float] = []
    b: list[float] = []
    for _ in range(args.runs):
        a.append(timed(plain))
        b.append(timed(with_base))
    ma, mb = statistics.median(a), statistics.median(b)
    print(f"check            median {ma:.3f} s over {args.runs} runs")
    print(f"check --base     median {mb:.3f} s over {args.runs} runs")
    print(f"ratio {mb / ma:.3f} (target <= 1.3)")


if __name__ == "__main__":
    main()
