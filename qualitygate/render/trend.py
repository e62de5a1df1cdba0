"""A metric over the last commits (``qualitygate history``): a table, a unicode sparkline, a Mermaid chart.

Pure: the points are (commit, value or None) pairs, oldest first, read from the git notes at the edge.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from qualitygate.units import format_value, metric_unit

Point = tuple[str, float | None]


@dataclass(frozen=True, slots=True)
class Trend:
    """One metric's points for the Markdown verdict's "Trend" section (``check --trend``), oldest first;
    ``note``: the one line said instead of a chart (no records in the notes, the metric never recorded)."""

    metric: str
    points: tuple[Point, ...] = ()
    note: str | None = None


def _shown(metric: str, value: float | None) -> str:
    """A value as every other figure is shown, in its metric's unit (``metric@component`` keys too)."""
    return "—" if value is None else format_value(value, metric_unit(metric.split("@", 1)[0]))


BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float | None]) -> str:
    """``▁▃▅█`` for the values, a space where a commit has none."""
    known = [v for v in values if v is not None]
    if not known:
        return " " * len(values)
    lo, hi = min(known), max(known)
    span = hi - lo

    def bar(v: float) -> str:
        return BARS[round((v - lo) / span * (len(BARS) - 1))] if span else BARS[len(BARS) // 2]

    return "".join(" " if v is None else bar(v) for v in values)


def table(metric: str, points: Sequence[Point], *, spark: bool) -> str:
    """One row per commit (short SHA, value), and the sparkline on a terminal."""
    width = max(len(metric), 5)
    lines = [f"{'commit':<12}  {metric}", f"{'-' * 12}  {'-' * width}"]
    lines += [f"{sha[:12]:<12}  {_shown(metric, v)}" for sha, v in points]
    if spark:
        lines += ["", f"trend  {sparkline([v for _, v in points])}"]
    return "\n".join(lines) + "\n"


def overview(rows: Sequence[tuple[str, Sequence[float | None]]]) -> str:
    """Every metric of the records: its sparkline over the commits and its last value."""
    width = max([len(m) for m, _ in rows] + [6])
    out = []
    for metric, values in rows:
        last = next((v for v in reversed(values) if v is not None), None)
        out.append(f"{metric:<{width}}  {sparkline(values)}  {_shown(metric, last)}")
    return "\n".join(out) + "\n"


def mermaid(metric: str, points: Sequence[Point]) -> str:
    """A Mermaid ``xychart-beta`` line of the metric (commits without a value left out), which GitHub
    renders in comments and job summaries."""
    known = [(sha, v) for sha, v in points if v is not None]
    metric = metric.replace('"', "'").replace("`", "'")  # inside a quoted title, inside a code fence
    labels = ", ".join(f'"{sha[:7]}"' for sha, _ in known)
    values = ", ".join(f"{round(v, 4):g}" for _, v in known)  # plain numbers: Mermaid takes no units
    return (
        "```mermaid\nxychart-beta\n"
        f'    title "{metric} over the last {len(points)} commits"\n'
        f"    x-axis [{labels}]\n"
        f'    y-axis "{metric}"\n'
        f"    line [{values}]\n```\n"
    )
