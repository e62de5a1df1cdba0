"""``qualitygate record`` and ``qualitygate history``: the results kept in git notes, per commit."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from qualitygate.commands.check import CheckOptions, build_verdict, head_commit
from qualitygate.errors import GitError, QualityGateError, UsageError
from qualitygate.verdict import Record

if TYPE_CHECKING:
    from qualitygate.render.trend import Point, Trend


def _from_verdict_file(path: str) -> Record:
    from qualitygate.commands.comment import load_verdict

    verdict = load_verdict(path)
    if verdict.record is None:
        raise UsageError(
            f"{path}: a {verdict.schema_version} verdict (qualitygate {verdict.tool_version}) holds no "
            "record of the results (verdicts carry one from schema 1.2 on); write it again with this "
            "qualitygate (check --format json)"
        )
    return verdict.record


def run_record(opts: CheckOptions, *, verdict: str | None, push: str | None) -> int:
    """Record the current commit's results (or those of a JSON verdict) in ``refs/notes/qualitygate``;
    with ``push``, merge with the remote's notes and push them (never forced)."""
    from datetime import UTC, datetime

    from qualitygate import notes

    commit = head_commit(opts.root)
    if commit is None:
        raise GitError(f"{opts.root}: not a git repository with a commit: nothing to attach the record to")
    record = _from_verdict_file(verdict) if verdict else build_verdict(opts).record
    assert record is not None  # check always records
    if record.commit and record.commit != commit:
        commit = record.commit  # a verdict written on another commit is recorded for that commit
    line = notes.record_line(replace(record, commit=commit), datetime.now(UTC).isoformat(timespec="seconds"))
    notes.write(opts.root, commit, line)
    sys.stdout.write(f"recorded {commit[:12]} in {notes.REF} ({len(line.encode())} bytes)\n")
    if push:
        attempts = notes.push(opts.root, push)
        again = f" after {attempts} attempts" if attempts > 1 else ""
        sys.stdout.write(f"pushed {notes.REF} to {push}{again}\n")
    return 0


def run_history(root: str, metric: str | None, n: int, rev: str, fmt: str) -> int:
    from qualitygate import notes

    if n < 1:
        raise UsageError(f"-n {n}: give 1 or more commits")
    found = list(notes.history(root, rev, n))
    if not any(r is not None for _, r in found):
        hint = f"fetch them: {notes.FETCH_HINT}"
        sys.stdout.write(f"no record in {notes.REF} for the last {n} commits of {rev} ({hint})\n")
    else:
        sys.stdout.write(_history_text(found, metric, fmt))
    return 0


def _every_metric(found: list[tuple[str, Record | None]]) -> list[tuple[str, list[float | None]]]:
    names = sorted({m for _, r in found if r is not None for m in r.metrics})
    return [(m, [r.metrics.get(m) if r else None for _, r in found]) for m in names]


def _history_text(found: list[tuple[str, Record | None]], metric: str | None, fmt: str) -> str:
    from qualitygate.render import trend

    if metric is None:
        return trend.overview(_every_metric(found))
    points = points_of(found, metric)
    if fmt == "mermaid":
        return trend.mermaid(metric, points)
    return trend.table(metric, points, spark=sys.stdout.isatty())


def points_of(found: Sequence[tuple[str, Record | None]], metric: str) -> list[Point]:
    """(commit, the metric's recorded value or None), as ``notes.history`` found the records."""
    return [(sha, r.metrics.get(metric) if r else None) for sha, r in found]


def read_trends(
    root: str, metrics: Sequence[str], n: int, rev: str, *, head: str | None, own: Record | None
) -> list[Trend]:
    """The points of each metric over the last ``n`` commits of ``rev`` (``check --trend``), from the git
    notes; the last point is this check's own value (commit ``head``) when the notes do not hold it yet.
    No records, or no git: one note saying so (never an error)."""
    from qualitygate import notes
    from qualitygate.render.trend import Trend

    try:
        found = list(notes.history(root, rev, n))
    except QualityGateError as exc:
        return [Trend(m, note=f"{m}: no history of {rev}: {exc.message}") for m in metrics]
    if not any(r is not None for _, r in found):
        why = f"no record in {notes.REF} for the last {n} commits of {rev} (fetch them: {notes.FETCH_HINT})"
        return [Trend(m, note=f"{m}: {why}") for m in metrics]
    out = []
    for m in metrics:
        points = points_of(found, m)
        if all(v is None for _, v in points):
            out.append(Trend(m, note=f"{m}: not recorded in the last {n} commits of {rev}"))
            continue
        value = own.metrics.get(m) if own is not None else None
        out.append(Trend(m, tuple(_with_own(points, head, value, n))))
    return out


def _with_own(points: list[Point], head: str | None, value: float | None, n: int) -> list[Point]:
    """This check's value as ``head``'s point: filled in when its note has none, appended (the oldest
    point dropped, to keep ``n``) when ``head`` is not among the commits."""
    if head is None or value is None:
        return points
    shas = [sha for sha, _ in points]
    if head not in shas:
        return [*points, (head, value)][-n:]
    i = shas.index(head)
    return points if points[i][1] is not None else [*points[:i], (head, value), *points[i + 1 :]]
