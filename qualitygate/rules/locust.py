"""Locust gates: one statistic of one row (a request, or ``Aggregated``: the whole run) of the stats CSV."""

from __future__ import annotations

from collections.abc import Sequence

from qualitygate.model import LocustReport, LocustRow, Report
from qualitygate.policy import Gate, Policy
from qualitygate.rules.base import Measured, no_data, of_type
from qualitygate.units import format_value, metric_unit, split_locust_metric
from qualitygate.verdict import Evidence


def _find(reports: list[LocustReport], key: str) -> tuple[LocustReport, LocustRow] | str:
    """The one stats CSV holding row ``key``, or why there is none (absent, or ambiguous)."""
    holders = [(r, row) for r in reports if (row := r.row(key)) is not None]
    if len(holders) == 1:
        return holders[0]
    if holders:
        paths = ", ".join(r.path for r, _ in holders)
        return f"ambiguous: {len(holders)} Locust stats files have {key!r} ({paths})"
    known = [row.key for r in reports for row in r.rows]
    return f"no Locust row {key!r} in {', '.join(r.path for r in reports)} (has: {', '.join(known[:8])})"


def measure(gate: Gate, policy: Policy, reports: Sequence[Report]) -> Measured:
    key, stat = split_locust_metric(gate.metric)
    found = _find(of_type(reports, LocustReport), key)
    if isinstance(found, str):
        return no_data(found)
    report, row = found
    if stat not in row.stats:
        return no_data(f"{report.path} has no {stat} for {key} (N/A: no sample)")
    value = float(row.stats[stat])
    unit = metric_unit(gate.metric)
    limit = f"limit {gate.op} {format_value(gate.threshold, unit)}"
    evidence = [Evidence(kind="metric", title=f"{key} {stat}", value=value, unit=unit, detail=limit)]
    return Measured(value, evidence=evidence, evidence_total=1)
