"""Records kept in git notes (``refs/notes/qualitygate``): the history of the results, where the code is.

One note per commit; each record is **one JSON line** of it (``qualitygate record`` adds a line, keeping
those already there), so two writers' notes merge with ``git notes merge -s cat_sort_uniq`` (the lines of
both, sorted, duplicates dropped) and nothing is lost; the reader takes the newest line of a commit (by its
``recorded_at``). Pushing never forces: ``record --push REMOTE`` fetches the remote's notes into a tracking
ref, merges them, and pushes; a concurrent push (rejected as not a fast-forward) is fetched, merged and
pushed again. Fetching them to read (CI, a clone)::

    git fetch origin '+refs/notes/qualitygate:refs/notes/qualitygate'

git runs through :func:`qualitygate.gitchange.run_git` (pinned flags, ``LC_ALL=C``).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

from qualitygate.errors import GitError
from qualitygate.gitchange import run_git
from qualitygate.record import record_from_dict
from qualitygate.verdict import Record

NAME = "qualitygate"
REF = f"refs/notes/{NAME}"
TRACKING = f"refs/notes/{NAME}-remote"
FETCH_HINT = f"git fetch origin '+{REF}:{REF}'"
PUSH_ATTEMPTS = 5
# git notes add and merge make commits on the notes ref: an identity is needed where CI has none configured
_IDENTITY = ("-c", "user.name=qualitygate", "-c", "user.email=qualitygate@localhost")


def _first_line(text: str) -> str:
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1].removeprefix("fatal: ").removeprefix("error: ") if lines else "git failed"


def record_line(record: Record, recorded_at: str) -> str:
    """The record as one JSON line (compact, keys in a fixed order), with when it was recorded."""
    doc: dict[str, Any] = {"recorded_at": recorded_at, **asdict(record)}
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _parse(line: str) -> tuple[str, Record] | None:
    try:
        doc = json.loads(line)
        return str(doc.get("recorded_at", "")), record_from_dict(doc)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None  # a line another tool (or a newer format) wrote: not ours to read


def records_of(text: str) -> list[Record]:
    """The records of one note, oldest first."""
    parsed = [p for p in (_parse(ln) for ln in text.splitlines() if ln.strip()) if p is not None]
    return [r for _, r in sorted(parsed, key=lambda p: p[0])]


def show(root: str, commit: str) -> str:
    """The note of ``commit`` ("" when it has none)."""
    out = run_git(root, "notes", f"--ref={NAME}", "show", commit)
    return out.stdout if out.returncode == 0 else ""


def read_record(root: str, commit: str) -> Record | None:
    """The newest record of ``commit``; None when its note holds none."""
    records = records_of(show(root, commit))
    return records[-1] if records else None


def write(root: str, commit: str, line: str) -> None:
    """Add a record line to the note of ``commit`` (the lines already there are kept)."""
    kept = [ln for ln in show(root, commit).splitlines() if ln.strip() and ln != line]
    fd, path = tempfile.mkstemp(prefix="qualitygate-note-", suffix=".txt")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write("\n".join([*kept, line]) + "\n")
        out = run_git(root, *_IDENTITY, "notes", f"--ref={NAME}", "add", "-f", "-F", path, commit)
    finally:
        os.unlink(path)
    if out.returncode != 0:
        raise GitError(f"git notes add: {_first_line(out.stderr)}")


def _fetch(root: str, remote: str) -> bool:
    """The remote's notes into the tracking ref; False when the remote has none yet."""
    out = run_git(root, "fetch", "--no-tags", "--quiet", remote, f"+{REF}:{TRACKING}")
    if out.returncode == 0:
        return True
    if "couldn't find remote ref" in out.stderr:
        return False
    raise GitError(f"git fetch {remote} {REF}: {_first_line(out.stderr)}")


def _merge(root: str) -> None:
    out = run_git(root, *_IDENTITY, "notes", f"--ref={NAME}", "merge", "-q", "-s", "cat_sort_uniq", TRACKING)
    if out.returncode != 0:
        raise GitError(f"git notes merge -s cat_sort_uniq: {_first_line(out.stderr)}")


def _rejected(stderr: str) -> bool:
    return any(w in stderr for w in ("non-fast-forward", "fetch first", "rejected", "cannot lock ref"))


def push(root: str, remote: str, attempts: int = PUSH_ATTEMPTS) -> int:
    """Fetch, merge and push the notes (never forced); retried when another push came first. The
    number of attempts it took."""
    for attempt in range(1, attempts + 1):
        if _fetch(root, remote):
            _merge(root)
        out = run_git(root, "push", "--quiet", remote, f"{REF}:{REF}")
        if out.returncode == 0:
            return attempt
        if not _rejected(out.stderr):
            raise GitError(f"git push {remote} {REF}: {_first_line(out.stderr)}")
    raise GitError(f"git push {remote} {REF}: still rejected after {attempts} attempts (concurrent pushes)")


def commits(root: str, rev: str, n: int) -> list[str]:
    """The last ``n`` commits of ``rev`` along its first parents, newest first."""
    out = run_git(root, "rev-list", "--first-parent", f"--max-count={n}", rev, "--")
    if out.returncode != 0:
        raise GitError(f"git rev-list {rev}: {_first_line(out.stderr)}")
    return out.stdout.split()


def history(root: str, rev: str, n: int) -> Iterator[tuple[str, Record | None]]:
    """(commit, its newest record or None) for the last ``n`` commits of ``rev``, oldest first."""
    for sha in reversed(commits(root, rev, n)):
        yield sha, read_record(root, sha)
