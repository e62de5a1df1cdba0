"""Locust gates: one statistic of one row (a request, or ``Aggregated``: the whole run) of the stats CSV."""

from __future__ import annotations

from collections.abc import Sequence

from qualitygate.model import LocustReport, LocustRow, Report
from qualitygate.policy import Gate, Policy
from qualitygate.rules.base import Measured, limit_evidence, no_data, of_type, the_one
from qualitygate.units import metric_unit, split_locust_metric


def _find(reports: list[LocustReport], key: str) -> tuple[LocustReport, LocustRow] | str:
    """The one stats CSV holding row ``key``, or why there is none (absent, or ambiguous)."""
    return the_one(
        reports,
        lambda r: r.row(key),
        "Locust stats files",
        f"Locust row {key!r}",
        lambda: [row.key for r in reports for row in r.rows],
    )


def measure(gate: Gate, policy: Policy, reports: Sequence[Report]) -> Measured:
    key, stat = split_locust_metric(gate.metric)
    found = _find(of_type(reports, LocustReport), key)
    if isinstance(found, str):
        return no_data(found)
    report, row = found
    if stat not in row.stats:
        return no_data(f"{report.path} has no {stat} for {key} (N/A: no sample)")
    value = float(row.stats[stat])
    evidence = [limit_evidence(gate, f"{key} {stat}", value, metric_unit(gate.metric))]
    return Measured(value, evidence=evidence, evidence_total=1)
