"""Which reports are stale: something a report measures changed after the report was written.

A report names the files it is about (covered sources, measured functions, test files, findings, clones).
A named file *changed after* the report when its modification time is later than the report's **and**
git says its content is not what it was:

* it differs from HEAD in the working tree or the index, or git does not track it (an edit after the
  report), or
* a commit that touched it was made after the report (the edit was committed after the report).

The time alone is never enough: a fresh clone gives every file the checkout time in checkout order, and a
branch switch rewrites files with the content they had. Nor is the last commit: committing the code a
report was made from does not make the report stale. Not caught: a pull that brings commits dated before
the report (their time says they are older), and sources git ignores. Outside a git repository the time
alone decides.

Cost: one ``stat`` per named file; git runs only when some named file is newer than its report, then one
``git status`` and at most one ``git log`` (plus ``git rev-parse`` when the root is below the repository's
top level), never one call per file.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qualitygate.pathmap import outside

if TYPE_CHECKING:
    from qualitygate.inputs import Collected, Loaded
    from qualitygate.model import Report

# More pathspecs than this and ``git log`` reads every path changed since the oldest report instead (the
# command line stays short on every platform).
MAX_PATHSPECS = 200


@dataclass(frozen=True, slots=True)
class Stale:
    path: str  # the report, relative to the root
    reason: str
    hint: str


# The repository paths each report family names: the sources it covers or measures, the test files.
_NAMED: dict[str, Callable[[Any], Iterable[str | None]]] = {
    "coverage": lambda r: (f.path for f in r.files),
    "complexity": lambda r: (b.file for b in r.blocks),
    "tests": lambda r: (t.file for t in r.cases),
    "findings": lambda r: (f.path for f in r.findings),
    "duplication": lambda r: (loc.file for c in r.clones for loc in (c.first, c.second)),
}


def named_files(report: Report) -> set[str]:
    """The repository paths a report is about (none for a k6 summary; never a path outside the repository)."""
    named = _NAMED.get(report.family)
    return {p for p in named(report) if p and not outside(p)} if named else set()


def _mtime(path: str) -> float | None:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return None


def newer_files(root: str, loaded: Loaded) -> tuple[float, dict[str, float]] | None:
    """(the report's mtime, {named file: its mtime} for the named files written after the report)."""
    written = _mtime(os.path.join(root, loaded.rel))
    if written is None:
        return None
    newer: dict[str, float] = {}
    for rel in named_files(loaded.report):
        mtime = _mtime(os.path.join(root, rel)) if rel != loaded.rel else None
        if mtime is not None and mtime > written:
            newer[rel] = mtime
    return written, newer


# ------------------------------------------------------------------------------------------------ git


def _run_git(args: Sequence[str], cwd: str) -> str | None:
    """Raw output of ``git ARGS`` (no stripping: ``-z`` output), or None when git fails or is missing."""
    from qualitygate.errors import QualityGateError
    from qualitygate.gitchange import run_git

    try:
        done = run_git(cwd, "--no-optional-locks", *args)
    except QualityGateError:  # git missing
        return None
    return done.stdout if done.returncode == 0 else None


def _prefix(root: str) -> str | None:
    """The root's path below the repository's top level ("" at the top, as git prints paths)."""
    if os.path.exists(os.path.join(root, ".git")):
        return ""
    out = _run_git(["rev-parse", "--show-prefix"], root)
    return None if out is None else out.strip()


def _under(prefix: str, names: Iterable[str]) -> Iterable[str]:
    """Top-level-relative paths made root-relative; those outside the root are dropped."""
    return (n[len(prefix) :] for n in names if n and n.startswith(prefix))


def parse_status(out: str) -> list[str]:
    """The paths of ``git status --porcelain=v1 -z --no-renames``: every entry is ``XY PATH``."""
    return [entry[3:] for entry in out.split("\0") if len(entry) > 3]


def parse_log(out: str) -> dict[str, tuple[int, str]]:
    """``{path: (commit time, short hash)}`` of the newest commit that touched each path, from
    ``git log --format=%x01%ct %h --name-only -z`` (newest first)."""
    newest: dict[str, tuple[int, str]] = {}
    for chunk in out.split("\x01")[1:]:
        header, _, names = chunk.partition("\0")
        when, _, short = header.partition(" ")
        if not when.isdigit():
            continue
        for name in names.lstrip("\n").split("\0"):
            if name and name not in newest:
                newest[name] = (int(when), short)
    return newest


@dataclass(frozen=True, slots=True)
class GitView:
    """What git says about the files that are newer than their report. ``dirty is None``: no git."""

    dirty: frozenset[str] | None
    commits: dict[str, tuple[int, str]]

    @classmethod
    def read(cls, root: str, files: set[str], since: float) -> GitView:
        prefix = _prefix(root)
        status = None if prefix is None else _run_git(_STATUS, root)
        if prefix is None or status is None:
            return cls(dirty=None, commits={})
        dirty = frozenset(_under(prefix, parse_status(status)))
        clean = sorted(files - dirty)
        return cls(dirty=dirty, commits=_commits(root, prefix, clean, since) if clean else {})


_STATUS = ("status", "--porcelain=v1", "-z", "--no-renames", "--untracked-files=all")


def _commits(root: str, prefix: str, files: list[str], since: float) -> dict[str, tuple[int, str]]:
    """The newest commit after ``since`` that touched each of ``files`` (one ``git log``)."""
    args = ["--literal-pathspecs", "log", "--format=%x01%ct %h", "--name-only", "-z", "--no-renames"]
    args.append(f"--since=@{int(since)}")
    if len(files) <= MAX_PATHSPECS:
        args += ["--", *files]
    out = _run_git(args, root)
    if out is None:  # no commit yet
        return {}
    return {prefix_rel: c for name, c in parse_log(out).items() for prefix_rel in _under(prefix, [name])}


# ------------------------------------------------------------------------------------------- verdict


def ago(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:.0f} d"


def _change(git: GitView, written: float, rel: str, mtime: float) -> tuple[float, str] | None:
    """(when, how) the named file changed after the report, or None when its content did not."""
    if git.dirty is None:
        return mtime, f"older than {rel}"
    if rel in git.dirty:
        return mtime, f"older than the uncommitted change to {rel}"
    commit = git.commits.get(rel)
    if commit is not None and commit[0] > written:
        return float(commit[0]), f"older than commit {commit[1]}, which changed {rel}"
    return None


def reason(git: GitView, written: float, newer: dict[str, float]) -> str | None:
    """The latest change after the report, how long after it, and how many other files changed."""
    changes = [c for rel in sorted(newer) if (c := _change(git, written, rel, newer[rel])) is not None]
    if not changes:
        return None
    when, what = max(changes, key=lambda c: c[0])
    more = f"; {len(changes) - 1} more changed files" if len(changes) > 1 else ""
    return f"{what} (by {ago(when - written)}){more}"


def _written_and_newer(root: str, reports: dict[str, Loaded]) -> dict[str, tuple[float, dict[str, float]]]:
    """Per report with a named file written after it: (its mtime, those files and their mtimes)."""
    found = {}
    for rel in sorted(reports):
        times = newer_files(root, reports[rel])
        if times is not None and times[1]:
            found[rel] = times
    return found


def find_stale(root: str, collected: Collected) -> list[Stale]:
    """The stale reports among those the check read, in path order."""
    from qualitygate.refresh import refresh_hint

    reports = {entry.rel: entry for entries in collected.reports.values() for entry in entries}
    times = _written_and_newer(root, reports)
    if not times:
        return []  # nothing is newer than its report: no git call at all
    files = {f for _, newer in times.values() for f in newer}
    git = GitView.read(root, files, since=min(written for written, _ in times.values()))
    found = []
    for rel, (written, newer) in times.items():
        why = reason(git, written, newer)
        if why is not None:
            found.append(Stale(rel, why, refresh_hint(reports[rel], os.path.join(root, rel))))
    return found
