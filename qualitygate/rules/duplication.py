"""Duplication gates (jscpd): the percentage is jscpd's own, since only it saw every source line."""

from __future__ import annotations

from collections.abc import Sequence

from qualitygate.model import Clone, DuplicationReport, Report
from qualitygate.policy import Gate, Policy
from qualitygate.rules.base import Measured, no_data, of_type
from qualitygate.verdict import Evidence


def _note(gate: Gate, clones: list[Clone]) -> str | None:
    parts = []
    if clones:
        c = clones[0]
        parts.append(f"largest clone {c.lines} lines at {c.first.file}:{c.first.start}-{c.first.end}")
    if gate.paths:
        parts.append("jscpd's percentage covers every file it scanned; path scopes do not apply to it")
    return "; ".join(parts) or None


def measure(gate: Gate, policy: Policy, reports: Sequence[Report]) -> Measured:
    dup = of_type(reports, DuplicationReport)
    merged = DuplicationReport(
        path="",
        kind="merged",
        lines_total=sum(d.lines_total for d in dup),
        lines_duplicated=sum(d.lines_duplicated for d in dup),
        files_total=sum(d.files_total for d in dup),
        clones=[c for d in dup for c in d.clones],
    )
    value = merged.metrics().get(gate.metric)
    if value is None:
        return no_data("the duplication report measured no source lines")
    clones = sorted(merged.clones, key=lambda c: (-c.lines, c.first.file, c.first.start))
    note = _note(gate, clones)
    return Measured(
        float(value),
        evidence=[
            Evidence(
                kind="clone",
                title=f"{c.format} clone, lines {c.first.start}-{c.first.end}",
                path=c.first.file,
                line=c.first.start,
                value=float(c.lines),
                detail=f"{c.lines} lines also at {c.second.file}:{c.second.start}-{c.second.end}",
            )
            for c in clones
        ],
        evidence_total=len(clones),
        note=note,
    )
