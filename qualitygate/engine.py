"""The engine: a pure function from a policy and the collected reports to a verdict.

No I/O, no clock, no environment: the same inputs give the same verdict. Each gate is measured by the
rule of its metric family (:mod:`qualitygate.rules`), compared with its bound, and explained in one
sentence. A gate whose data is missing is never a pass: it is an error, a warning or a visible skip, as
the policy's ``missing`` setting says.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from qualitygate.inputs import Collected
from qualitygate.model import Report
from qualitygate.policy import Gate, Missing, Policy, role_for_metric, source_key
from qualitygate.rules import complexity, coverage, duplication, findings, k6, tests
from qualitygate.rules.base import Measured, missing
from qualitygate.units import format_value
from qualitygate.verdict import GateResult, Status, Verdict, overall_status, summarize

Rule = Callable[[Gate, Policy, Sequence[Report]], Measured]

RULES: dict[str, Rule] = {
    "coverage": coverage.measure,
    "tests": tests.measure,
    "complexity": complexity.measure,
    "cognitive": complexity.measure,
    "duplication": duplication.measure,
    "findings": findings.measure,
    "k6": k6.measure,
}

_PASS_WORDS = {
    ">=": "meets the minimum of",
    ">": "is above",
    "<=": "is within the maximum of",
    "<": "is below",
}
_FAIL_WORDS = {
    ">=": "is below the minimum of",
    ">": "is not above",
    "<=": "exceeds the maximum of",
    "<": "is not below",
}


def holds(value: float, op: str, threshold: float) -> bool:
    if op == ">=":
        return value >= threshold
    if op == ">":
        return value > threshold
    if op == "<=":
        return value <= threshold
    return value < threshold


def _subject(gate: Gate) -> str:
    return gate.title


def _threshold_text(gate: Gate) -> str:
    return format_value(gate.threshold, gate.unit)


def evaluate_gate(gate: Gate, policy: Policy, data: Collected) -> GateResult:
    key = source_key(gate)
    loaded = data.reports.get(key, [])
    inputs = [entry.rel for entry in loaded]
    if not loaded:
        globs = ", ".join(data.sought.get(key, ()))
        why = f"no {role_for_metric(gate.metric)} report found (looked for {globs})"
        ignored = data.ignored.get(key)
        if ignored:
            why += "; " + "; ".join(ignored)
        measured = missing(why)
    else:
        measured = RULES[key[0]](gate, policy, [entry.report for entry in loaded])
    base = {
        "id": gate.id,
        "title": gate.title,
        "metric": gate.metric,
        "component": gate.component,
        "paths": list(gate.paths),
        "operator": gate.op,
        "threshold": gate.threshold,
        "unit": gate.unit,
        "level": gate.level,
        "inputs": inputs,
        "estimate": measured.estimate,
        "evidence": measured.evidence,
        "evidence_total": measured.evidence_total,
    }
    if measured.value is None:
        status = {Missing.FAIL: Status.ERROR, Missing.WARN: Status.WARN, Missing.SKIP: Status.SKIP}[
            gate.missing
        ]
        verb = {Status.ERROR: "cannot be evaluated", Status.WARN: "not evaluated", Status.SKIP: "skipped"}[
            status
        ]
        message = f"{_subject(gate)} {verb}: {measured.missing or 'no data'}."
        return GateResult(**base, actual=None, status=status, message=message)
    value = measured.value
    ok = holds(value, gate.op, gate.threshold)
    status = Status.PASS if ok else (Status.FAIL if gate.level == "fail" else Status.WARN)
    words = (_PASS_WORDS if ok else _FAIL_WORDS)[gate.op]
    shown = format_value(value, gate.unit, against=gate.threshold)
    estimated = "(estimated) " if measured.estimate else ""
    message = f"{_subject(gate)} {estimated}{shown} {words} {_threshold_text(gate)}"
    if measured.note and not ok:
        message += f": {measured.note}"
    elif measured.note and measured.estimate:
        message += f" ({measured.note})"
    return GateResult(**base, actual=value, status=status, message=message + ".")


def evaluate(policy: Policy, data: Collected, *, version: str) -> Verdict:
    gates = [evaluate_gate(g, policy, data) for g in policy.gates]
    problems: list[str] = []
    for notes in data.ignored.values():
        problems.extend(notes)
    for info in data.inputs:
        if info.files_total and info.files_found == 0:
            problems.append(
                f"{info.path}: none of its {info.files_total} files were found in the working tree; "
                "add path_mapping rules so per-path gates can apply"
            )
    return Verdict(
        tool_version=version,
        policy=policy.source,
        status=overall_status(gates),
        summary=summarize(gates),
        gates=gates,
        inputs=sorted(data.inputs, key=lambda i: i.path),
        problems=sorted(set(problems)),
    )
