"""k6 gates: a metric's statistic from the end-of-test summary, with k6's own threshold outcomes."""

from __future__ import annotations

from collections.abc import Sequence

from qualitygate.model import K6Metric, LoadTestReport, Report
from qualitygate.policy import Gate, Policy
from qualitygate.rules.base import Measured, limit_evidence, no_data, of_type, the_one
from qualitygate.units import metric_unit, split_k6_metric
from qualitygate.verdict import Evidence

THRESHOLDS_FAILED = "k6.thresholds.failed"


def _find(reports: list[LoadTestReport], name: str) -> tuple[LoadTestReport, K6Metric] | str:
    """The one summary holding metric ``name``, or why there is none (absent, or ambiguous)."""
    return the_one(
        reports,
        lambda r: r.metric(name),
        "k6 summaries",
        f"k6 metric {name!r}",
        lambda: sorted({m.name for r in reports for m in r.k6_metrics}),
    )


def _evidence(gate: Gate, m: K6Metric, stat: str, value: float) -> list[Evidence]:
    out = [limit_evidence(gate, f"{m.name} {stat}", value, metric_unit(gate.metric))]
    # k6's own verdict on this metric's thresholds (the same expression or others the script set)
    out += [
        Evidence(kind="metric", title=f"{m.name} {t.expression}", detail="k6 threshold failed")
        for t in m.thresholds
        if not t.ok
    ]
    return out


def _thresholds_failed(reports: list[LoadTestReport]) -> Measured:
    """``k6.thresholds.failed``: k6's own failed thresholds, over every summary (each is a run's verdict)."""
    pairs = [(r, m, t) for r in reports for m in r.k6_metrics for t in m.thresholds]
    if not pairs:
        return no_data(f"no k6 threshold is defined in {', '.join(r.path for r in reports)}")
    failed = [(m, t) for _, m, t in pairs if not t.ok]
    evidence = [
        Evidence(kind="metric", title=f"{m.name} {t.expression}", detail="k6 threshold failed")
        for m, t in failed
    ]
    note = f"{len(failed)} of {len(pairs)} k6 thresholds failed" if failed else None
    return Measured(float(len(failed)), evidence=evidence, evidence_total=len(evidence), note=note)


def measure(gate: Gate, policy: Policy, reports: Sequence[Report]) -> Measured:
    if gate.metric == THRESHOLDS_FAILED:
        return _thresholds_failed(of_type(reports, LoadTestReport))
    name, stat = split_k6_metric(gate.metric)
    found = _find(of_type(reports, LoadTestReport), name)
    if isinstance(found, str):
        return no_data(found)
    report, m = found
    if stat not in m.values:
        return no_data(f"{report.path} has no {stat} for {name} (it has {', '.join(m.values)})")
    value = m.values[stat]
    failed = [t.expression for t in m.thresholds if not t.ok]
    note = (
        f"k6's own threshold{'s' if len(failed) > 1 else ''} {', '.join(failed)} failed too"
        if failed
        else None
    )
    evidence = _evidence(gate, m, stat, value)
    return Measured(value, evidence=evidence, evidence_total=len(evidence), note=note)
