"""Complexity gates (radon's cyclomatic, complexipy's cognitive): the functions over the limit."""

from __future__ import annotations

from collections.abc import Sequence

from qualitygate.model import ComplexityReport, Report
from qualitygate.policy import Gate, Policy
from qualitygate.rules.base import MAX_EVIDENCE, Measured, in_scope, missing, of_type, plural, scope, violates
from qualitygate.verdict import Evidence


def measure(gate: Gate, policy: Policy, reports: Sequence[Report]) -> Measured:
    cx = of_type(reports, ComplexityReport)
    globs = scope(gate, policy)
    blocks = [b for r in cx for b in r.blocks if in_scope(b.file, globs)]
    errors = [e for r in cx for e in r.errors]
    if not blocks:
        why = "the complexity report lists no function"
        if errors:
            why += f"; {plural(len(errors), 'file')} could not be analysed ({errors[0].file})"
        return missing(why)
    measure_name = cx[0].measure if cx else "cyclomatic"
    merged = ComplexityReport(path="", kind="", measure=measure_name, blocks=blocks)
    value = merged.metrics().get(gate.metric)
    if value is None:
        return missing(f"{gate.metric} is not in the complexity report (it measures {measure_name})")
    over = (
        sorted((b for b in blocks if violates(b.score, gate)), key=lambda b: (-b.score, b.file, b.line))
        if gate.metric.endswith(".max")
        else []
    )
    note = None
    if over:
        note = f"{plural(len(over), 'function')} over it, worst {over[0].qualname} ({over[0].score})"
    if errors:
        note = (note + "; " if note else "") + f"{plural(len(errors), 'file')} not analysed"
    return Measured(
        float(value),
        evidence=[
            Evidence(
                kind="function",
                title=b.qualname,
                path=b.file,
                line=b.line or None,  # complexipy writes no line numbers (0)
                value=b.score,
                detail=f"{b.kind}{', rank ' + b.rank if b.rank else ''}",
            )
            for b in over[:MAX_EVIDENCE]
        ],
        evidence_total=len(over),
        note=note,
    )
