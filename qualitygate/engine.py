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
from qualitygate.rules import complexity, coverage, duplication, findings, k6, locust, tests
from qualitygate.rules.base import Measured, holds, missing
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
    "locust": locust.measure,
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


_MISSING_STATUS = {Missing.FAIL: Status.ERROR, Missing.WARN: Status.WARN, Missing.SKIP: Status.SKIP}
_MISSING_VERB = {Status.ERROR: "cannot be evaluated", Status.WARN: "not evaluated", Status.SKIP: "skipped"}


def measure(gate: Gate, policy: Policy, data: Collected) -> tuple[Measured, list[str]]:
    """Run the gate's rule over its reports; ``(measured, input paths)``. No report is missing data."""
    key = source_key(gate)
    loaded = data.reports.get(key, [])
    if loaded:
        return RULES[key[0]](gate, policy, [entry.report for entry in loaded]), [
            entry.rel for entry in loaded
        ]
    why = f"no {role_for_metric(gate.metric)} report found (looked for {', '.join(data.sought.get(key, ()))})"
    ignored = data.ignored.get(key)
    if ignored:
        why += "; " + "; ".join(ignored)
    return missing(why), []


def _judge(gate: Gate, measured: Measured) -> tuple[Status, str]:
    """The status and the one-sentence message of a gate whose value was measured (or is missing)."""
    if measured.value is None:
        status = _MISSING_STATUS[gate.missing]
        return status, f"{gate.title} {_MISSING_VERB[status]}: {measured.missing or 'no data'}."
    ok = holds(measured.value, gate.op, gate.threshold)
    status = Status.PASS if ok else (Status.FAIL if gate.level == "fail" else Status.WARN)
    return status, _sentence(gate, measured.value, ok, measured)


def _sentence(gate: Gate, value: float, ok: bool, measured: Measured) -> str:
    """``Line coverage (backend) 76.47% is below the minimum of 80%: 2 files below it, worst x.py.``"""
    words = (_PASS_WORDS if ok else _FAIL_WORDS)[gate.op]
    shown = format_value(value, gate.unit, against=gate.threshold)
    estimated = "(estimated) " if measured.estimate else ""
    message = f"{gate.title} {estimated}{shown} {words} {format_value(gate.threshold, gate.unit)}"
    if measured.note and not ok:
        message += f": {measured.note}"
    elif measured.note and measured.estimate:
        message += f" ({measured.note})"
    return message + "."


def _reason(status: Status, measured: Measured) -> str | None:
    """The clause that explains a gate that did not pass (what is missing, or the note on the culprits)."""
    if status is Status.PASS:
        return None
    return measured.missing if measured.value is None else measured.note


def evaluate_gate(gate: Gate, policy: Policy, data: Collected) -> GateResult:
    measured, inputs = measure(gate, policy, data)
    status, message = _judge(gate, measured)
    return GateResult(
        id=gate.id,
        title=gate.title,
        metric=gate.metric,
        component=gate.component,
        paths=list(gate.paths),
        operator=gate.op,
        threshold=gate.threshold,
        unit=gate.unit,
        actual=measured.value,
        level=gate.level,
        status=status,
        message=message,
        reason=_reason(status, measured),
        estimate=measured.estimate,
        inputs=inputs,
        evidence=measured.evidence,
        evidence_total=measured.evidence_total,
    )


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
