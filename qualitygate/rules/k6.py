"""k6 gates: a metric's statistic from the end-of-test summary, with k6's own threshold outcomes."""

from __future__ import annotations

from collections.abc import Sequence

from qualitygate.model import LoadTestReport, Report
from qualitygate.policy import Gate, Policy, split_k6_metric
from qualitygate.rules.base import Measured, missing, of_type
from qualitygate.units import format_value, metric_unit
from qualitygate.verdict import Evidence


def measure(gate: Gate, policy: Policy, reports: Sequence[Report]) -> Measured:
    k6 = of_type(reports, LoadTestReport)
    name, stat = split_k6_metric(gate.metric)
    holders = [(r, m) for r in k6 if (m := r.metric(name)) is not None]
    if not holders:
        known = sorted({m.name for r in k6 for m in r.k6_metrics})
        return missing(
            f"no k6 metric {name!r} in {', '.join(r.path for r in k6)} (has: {', '.join(known[:8])})"
        )
    if len(holders) > 1:
        return missing(
            f"ambiguous: {len(holders)} k6 summaries have {name!r} ({', '.join(r.path for r, _ in holders)})"
        )
    report, m = holders[0]
    if stat not in m.values:
        return missing(f"{report.path} has no {stat} for {name} (it has {', '.join(m.values)})")
    value = m.values[stat]
    unit = metric_unit(gate.metric)
    evidence = [
        Evidence(
            kind="metric",
            title=f"{name} {stat}",
            value=value,
            unit=unit,
            detail=f"limit {gate.op} {format_value(gate.threshold, unit)}",
        )
    ]
    # k6's own verdict on this metric's thresholds (the same expression or others the script set)
    failed = [(m.name, t.expression) for t in m.thresholds if not t.ok]
    evidence += [
        Evidence(kind="metric", title=f"{n} {expr}", detail="k6 threshold failed") for n, expr in failed
    ]
    note = (
        f"k6's own threshold{'s' if len(failed) > 1 else ''} {', '.join(e for _, e in failed)} failed too"
        if failed
        else None
    )
    return Measured(value, evidence=evidence, evidence_total=len(evidence), note=note)
