"""The engine: a pure function from a policy and the collected reports to a verdict.

No I/O, no clock, no environment: the same inputs give the same verdict. Each gate is measured by the
rule of its metric family (:mod:`qualitygate.rules`), compared with its bound, and explained in one
sentence. A gate whose data is missing is never a pass: it is an error, a warning or a visible skip, as
the policy's ``missing`` setting says.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from qualitygate.accepted import Accepted, Gatekeeper, Taken, evidence_id
from qualitygate.accepted import record as debt_record
from qualitygate.baseresults import BaseResults
from qualitygate.change import Change
from qualitygate.inputs import Collected
from qualitygate.model import Report
from qualitygate.policy import Gate, Missing, Policy, is_new_code, role_for_metric, source_key
from qualitygate.rules import (
    complexity,
    coverage,
    debt,
    duplication,
    findings,
    k6,
    locust,
    newcode,
    tests,
    vsbase,
)
from qualitygate.rules.base import Measured, holds, no_data
from qualitygate.units import format_value
from qualitygate.verdict import (
    AcceptedInfo,
    BaseInfo,
    ChangeInfo,
    Evidence,
    GateResult,
    Status,
    Verdict,
    overall_status,
    summarize,
)

Rule = Callable[[Gate, Policy, Sequence[Report]], Measured]
NewCodeRule = Callable[[Gate, Policy, Sequence[Report], Change], Measured]

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

# The new-code rules, by the role of the reports they read (README "New code").
NEW_CODE_RULES: dict[str, NewCodeRule] = {
    "coverage": newcode.coverage,
    "findings": newcode.findings,
    "complexity": newcode.complexity,
    "cognitive": newcode.complexity,
    "duplication": newcode.duplication,
    "tests": newcode.tests,
}
NO_CHANGE = "no change to judge: run with --base REF (or --base-diff FILE)"

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


@dataclass(frozen=True, slots=True)
class Against:
    """The base the gates are judged against: its results (None: not given) and what comparing found."""

    base: BaseResults | None = None
    compared: vsbase.Compared | None = None


NO_AGAINST = Against()


@dataclass(frozen=True, slots=True)
class _Context:
    """What every gate of one evaluation is judged with besides its reports."""

    change: Change | None = None
    against: Against = NO_AGAINST
    keeper: Gatekeeper | None = None  # waivers and the baseline, when the policy has accepted debt


def _cannot_judge_new_code(role: str, change: Change | None, against: Against) -> Measured | None:
    """Why a new-code gate is missing data before any report is read: no base results, no change. With
    the base's results, findings are new by identity and need no change."""
    if role == "tests" or (role == "findings" and against.compared is not None):
        why = vsbase.why_missing(against.base)
        return no_data(why) if why else None
    return no_data(NO_CHANGE) if change is None else None


def _by_base(gate: Gate, policy: Policy, reports: list[Report], against: Against) -> Measured | None:
    """The new-code rules that read the base's results instead of (or besides) the change."""
    compared, base = against.compared, against.base
    if compared is None or base is None:
        return None
    if gate.metric == "new.tests.failing":
        return vsbase.tests_failing(gate, reports, base)
    if role_for_metric(gate.metric) == "findings":
        return vsbase.findings(gate, policy, reports, compared.new)
    return None


def _removed(gate: Gate, reports: list[Report], against: Against) -> Measured:
    why = vsbase.why_missing(against.base)
    if why or against.base is None:
        return no_data(why or vsbase.NO_BASE)
    return vsbase.tests_removed(gate, reports, against.base)


def _run_rule(
    gate: Gate, policy: Policy, reports: list[Report], change: Change | None, against: Against
) -> Measured:
    role = source_key(gate)[0]
    if not is_new_code(gate.metric):
        return RULES[role](gate, policy, reports)
    by_base = _by_base(gate, policy, reports, against)
    if by_base is not None:
        return by_base
    assert change is not None  # _cannot_judge_new_code said so otherwise
    return NEW_CODE_RULES[role](gate, policy, reports, change)


def measure(
    gate: Gate, policy: Policy, data: Collected, change: Change | None = None, against: Against = NO_AGAINST
) -> tuple[Measured, list[str]]:
    """Run the gate's rule over its reports; ``(measured, input paths)``. No report is missing data, and
    so is no change for a new-code gate, and no base results for a gate against the base."""
    measured, inputs, _ = _measure(gate, policy, data, _Context(change, against))
    return measured, inputs


def _measure(
    gate: Gate, policy: Policy, data: Collected, ctx: _Context
) -> tuple[Measured, list[str], Taken | None]:
    """:func:`measure`, with what the waivers and the baseline took out of the gate's reports."""
    change, against, keeper = ctx.change, ctx.against, ctx.keeper
    key = source_key(gate)
    new_code = is_new_code(gate.metric)
    cannot = _cannot_judge_new_code(key[0], change, against) if new_code else None
    if cannot is not None:
        return cannot, [], None
    loaded = data.reports.get(key, [])
    if loaded:
        reports = [entry.report for entry in loaded]
        inputs = [entry.rel for entry in loaded]
        if gate.metric == "tests.removed":  # the gate's component's reports, as every tests gate
            return _removed(gate, reports, against), inputs, None
        taken = None
        if keeper is not None:
            reports, taken = keeper.take(gate, reports)
        return _run_rule(gate, policy, reports, change, against), inputs, taken
    why = f"no {role_for_metric(gate.metric)} report found (looked for {', '.join(data.sought.get(key, ()))})"
    ignored = data.ignored.get(key)
    if ignored:
        why += "; " + "; ".join(ignored)
    return no_data(why), [], None


def _judge(gate: Gate, measured: Measured) -> tuple[Status, str]:
    """The status and the one-sentence message of a gate whose value was measured (or is missing)."""
    caveat = f" ({measured.caveat})" if measured.caveat else ""
    if measured.skip is not None:
        return Status.SKIP, f"{gate.title} skipped: {measured.skip}{caveat}."
    if measured.value is None:
        status = _MISSING_STATUS[gate.missing]
        return status, f"{gate.title} {_MISSING_VERB[status]}: {measured.why_missing or 'no data'}{caveat}."
    ok = holds(measured.value, gate.op, gate.threshold)
    status = Status.PASS if ok else (Status.FAIL if gate.level == "fail" else Status.WARN)
    return status, _sentence(gate, measured.value, ok, measured)[:-1] + caveat + "."


def _sentence(gate: Gate, value: float, ok: bool, measured: Measured) -> str:
    """``Line coverage (backend) 76.47% is below the minimum of 80%: 2 files below it, worst x.py.``"""
    words = (_PASS_WORDS if ok else _FAIL_WORDS)[gate.op]
    shown = format_value(value, gate.unit, against=gate.threshold)
    estimated = "(estimated) " if measured.estimate else ""
    message = f"{gate.title} {estimated}{shown} {words} {format_value(gate.threshold, gate.unit)}"
    if measured.note and not ok:
        message += f": {measured.note}"
    elif measured.note and (measured.estimate or measured.note_on_pass):
        message += f" ({measured.note})"
    return message + "."


def _reason(status: Status, measured: Measured) -> str | None:
    """The clause that explains a gate that did not pass (what is missing, the skip, or the note on the
    culprits)."""
    if status is Status.PASS:
        return None
    if measured.skip is not None:
        return measured.skip
    return measured.why_missing if measured.value is None else measured.note


def _noted(evidence: list[Evidence], taken: Taken) -> list[Evidence]:
    """Items that still count, with why an acceptance does not cover them (an expired waiver, a grown
    score)."""
    from dataclasses import replace

    out = []
    for e in evidence:
        note = taken.notes.get(evidence_id(e))
        out.append(replace(e, detail=f"{e.detail}; {note}" if e.detail else note) if note else e)
    return out


def _with_taken(result: GateResult, taken: Taken | None) -> GateResult:
    """A gate's result with its waived and baselined counts, said in its message."""
    if taken is None:
        return result
    from dataclasses import replace

    said = [f"{len(taken.waived)} waived"] if taken.waived else []
    said += [f"{len(taken.baselined)} baselined"] if taken.baselined else []
    message = result.message[:-1] + f" ({', '.join(said)})." if said else result.message
    return replace(
        result,
        message=message,
        evidence=_noted(result.evidence, taken),
        waived=len(taken.waived),
        baselined=len(taken.baselined),
        waivers=taken.waiver_ids,
        accepted_items=taken.waived + taken.baselined,
    )


_NO_BASE_VALUE = vsbase.Against()


def gate_result(
    gate: Gate, measured: Measured, inputs: list[str], vs: vsbase.Against = _NO_BASE_VALUE
) -> GateResult:
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
        base_value=vs.base_value,
        value=vs.value,
        delta=vs.delta,
    )


def change_info(change: Change, caveats: Sequence[str]) -> ChangeInfo:
    """What the verdict records of the change: base, merge base, source, size, and the notes of the change
    and of its gates (changed files no coverage report lists)."""
    notes = list(change.notes)
    notes += [c for c in dict.fromkeys(caveats) if c not in notes]
    return ChangeInfo(
        base_ref=change.base_ref,
        merge_base=change.merge_base,
        source=change.source,
        files=change.changed_files,
        lines=change.changed_lines,
        notes=notes,
    )


def _against(data: Collected, base: BaseResults | None, change: Change | None) -> Against:
    if base is None or base.unavailable:
        return Against(base)
    return Against(base, vsbase.compare(data, base, change))


def _keeper(policy: Policy, accepted: Accepted | None) -> Gatekeeper | None:
    if accepted is None or (not policy.waivers and accepted.baseline is None):
        return None
    return Gatekeeper(policy, accepted)


def _accepting(result: GateResult, gate: Gate, taken: Taken | None, keeper: Gatekeeper | None) -> GateResult:
    result = _with_taken(result, taken)
    return debt.accept_failure(result, gate, keeper) if keeper is not None else result


def _finish_debt(
    policy: Policy, data: Collected, accepted: Accepted, keeper: Gatekeeper, gates: list[GateResult]
) -> tuple[list[GateResult], AcceptedInfo]:
    now = debt_record(policy, data, accepted.today) if accepted.baseline is not None else None
    return debt.finish(policy, accepted, keeper, gates, now)


def _evaluate_gate(gate: Gate, policy: Policy, data: Collected, ctx: _Context) -> tuple[GateResult, Measured]:
    against, keeper = ctx.against, ctx.keeper
    measured, inputs, taken = _measure(gate, policy, data, ctx)
    if gate.vs_base is not None:
        measured, vs = vsbase.against(gate, measured, against.base)
    else:
        vs = vsbase.alongside(gate, measured, against.base)
    return _accepting(gate_result(gate, measured, inputs, vs), gate, taken, keeper), measured


def _problems(data: Collected) -> list[str]:
    """Verdict-wide problems: reports left out, and reports none of whose files the working tree has."""
    problems = [note for notes in data.ignored.values() for note in notes]
    problems += [
        f"{info.path}: none of its {info.files_total} files were found in the working tree; "
        "add path_mapping rules so per-path gates can apply"
        for info in data.inputs
        if info.files_total and info.files_found == 0
    ]
    return sorted(set(problems))


def _base_info(base: BaseResults | None, against: Against, change: Change | None) -> BaseInfo | None:
    if base is None:
        return None
    return vsbase.info(base, against.compared, change.merge_base if change else None)


def evaluate(
    policy: Policy,
    data: Collected,
    *,
    version: str,
    change: Change | None = None,
    base: BaseResults | None = None,
    accepted: Accepted | None = None,
) -> Verdict:
    """The verdict of ``policy`` over ``data``; ``change``, when given, is what the new-code gates judge
    (without one they are missing data, never a pass); ``base``, the base commit's results the gates
    against the base read (without them, or when they are ``unavailable``, those are missing data);
    ``accepted``, the day, CI and the baseline with which waivers and the baseline take accepted debt out
    of the gates (README "Accepted debt")."""
    from qualitygate import record

    gates: list[GateResult] = []
    caveats: list[str] = []
    against = _against(data, base, change)
    keeper = _keeper(policy, accepted)
    ctx = _Context(change, against, keeper)
    for g in policy.gates:
        result, measured = _evaluate_gate(g, policy, data, ctx)
        gates.append(result)
        if measured.caveat:
            caveats.append(measured.caveat)
    debt_info = None
    if keeper is not None and accepted is not None:
        extra, debt_info = _finish_debt(policy, data, accepted, keeper, gates)
        gates += extra
    return Verdict(
        tool_version=version,
        policy=policy.source,
        status=overall_status(gates),
        summary=summarize(gates),
        gates=gates,
        inputs=sorted(data.inputs, key=lambda i: i.path),
        problems=_problems(data),
        change=change_info(change, caveats) if change is not None else None,
        base=_base_info(base, against, change),
        record=record.build(data, gates, version=version),
        accepted=debt_info,
    )
