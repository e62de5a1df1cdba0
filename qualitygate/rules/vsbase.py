"""Gates against the base commit's results (``check --base-results``): new by identity, not by line.

Pure, like every rule. With the base's results:

* ``new.smells.*`` and ``new.security.blocking`` count the findings that are new **by identity**
  (:func:`qualitygate.identity.match`, following the change's renames), wherever they are: a finding on an
  edited line that was there before is unchanged, moved code is moved, an old line's new finding is new;
* ``new.tests.failing``: tests failing now that passed on the base or did not exist there, each named;
* ``tests.removed``: tests the base's reports of the gate's component listed (in its ``paths``, by the
  base's file of each test) that the component's test reports no longer list;
* ``max_drop``/``max_rise`` gates: the metric's value against the base's, in its unit or in % of it.

Without base results each of these is missing data, with the reason, never a pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from qualitygate.baseresults import BaseResults
from qualitygate.change import Change
from qualitygate.identity import Matching, match
from qualitygate.inputs import Collected
from qualitygate.model import FindingsReport, Report, TestCase, TestReport, TestStatus
from qualitygate.policy import NEW_PREFIX, Gate, Policy
from qualitygate.record import findings_of, gate_key, ident, test_cases
from qualitygate.rules import findings as whole_findings
from qualitygate.rules.base import Measured, in_scope, no_data, of_type
from qualitygate.units import format_value, metric_unit
from qualitygate.verdict import BaseInfo, Evidence

NO_BASE = "no base results to compare with: pass --base-results FILE, DIR or auto"
_FAILING = frozenset({"failed", "error"})


def why_missing(base: BaseResults | None) -> str | None:
    """Why a base-dependent gate has no data (None: the base results are there)."""
    if base is None:
        return NO_BASE
    return f"no base results ({base.source}): {base.unavailable}" if base.unavailable else None


@dataclass(slots=True)
class Compared:
    """What the comparison found once per check: the findings' buckets and the tests' changes."""

    matching: Matching = field(default_factory=Matching)
    new: set[int] = field(default_factory=set)  # id() of the head's findings new by identity
    newly_failing: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    flaky: list[str] = field(default_factory=list)


def compare(data: Collected, base: BaseResults, change: Change | None) -> Compared:
    head = findings_of(data)
    idents = [ident(f, data.line_hashes) for f in head]
    renames = change.renames if change is not None else {}
    added = change.touches if change is not None else None
    m = match(base.findings, idents, renames=renames, added=added)
    out = _test_changes(test_cases(data), base)
    out.matching, out.new = m, {id(head[j]) for j in m.new}
    return out


def _test_changes(cases: Sequence[TestCase], base: BaseResults) -> Compared:
    now = {c.id for c in cases}
    passing = {c.id for c in cases if c.status is TestStatus.PASSED}
    failing = {c.id for c in cases if _newly_failing(c, base)}
    removed = [t for t in base.tests if t not in now]
    return Compared(newly_failing=sorted(failing), removed=sorted(removed), flaky=_recovered(base, passing))


def _recovered(base: BaseResults, passing: set[str]) -> list[str]:
    """Failed on the base, pass now: possibly flaky."""
    return sorted(t for t, o in base.tests.items() if o in _FAILING and t in passing)


def info(base: BaseResults, compared: Compared | None, merge_base: str | None) -> BaseInfo:
    """What the verdict says of the base results: where from, which commit, and what was found."""
    warnings = list(base.warnings)
    if compared is None:
        return BaseInfo(source=base.source, commit=base.commit, missing=base.unavailable, warnings=warnings)
    if merge_base and base.commit and base.commit != merge_base:
        warnings.append(
            f"the base results belong to {base.commit[:12]}, not to the merge base {merge_base[:12]}"
        )
    return BaseInfo(
        source=base.source,
        commit=base.commit,
        version=base.version,
        warnings=list(dict.fromkeys(warnings)),
        findings={k: int(v) for k, v in compared.matching.counts().items()},
        tests_newly_failing=compared.newly_failing,
        tests_removed=compared.removed,
        tests_flaky=compared.flaky,
    )


# ------------------------------------------------------------------------------------------ findings


def findings(gate: Gate, policy: Policy, reports: Sequence[Report], new: set[int]) -> Measured:
    """The findings new by identity, classified by the whole-tree rule (the file's kind judged whole)."""
    bare = replace(gate, metric=gate.metric[len(NEW_PREFIX) :])
    sarif = of_type(reports, FindingsReport)
    whole = whole_findings.measure(bare, policy, sarif)
    if whole.value is None:
        return whole
    only_new = [replace(r, findings=[f for f in r.findings if id(f) in new]) for r in sarif]
    measured = whole_findings.measure(bare, policy, only_new)
    return measured if measured.value is not None else Measured(0.0)


# --------------------------------------------------------------------------------------------- tests


def _newly_failing(case: TestCase, base: BaseResults) -> bool:
    failing = case.status in (TestStatus.FAILED, TestStatus.ERROR)
    return failing and base.tests.get(case.id) not in _FAILING


def _test_evidence(case: TestCase, base: BaseResults) -> Evidence:
    before = base.tests.get(case.id)
    first = (case.message or "").strip().splitlines()
    return Evidence(
        kind="test",
        title=case.id,
        path=case.file,
        line=case.line,
        detail=f"{case.status.value} now, {before or 'absent'} on the base"
        + (f": {first[0][:300]}" if first else ""),
    )


def tests_failing(gate: Gate, reports: Sequence[Report], base: BaseResults) -> Measured:
    cases = [c for r in of_type(reports, TestReport) for c in r.cases if in_scope(c.file, gate.paths)]
    if not cases:
        return no_data("the test reports hold no test case: the tests did not run")
    picked = [c for c in cases if _newly_failing(c, base)]
    return Measured(
        float(len(picked)),
        evidence=[_test_evidence(c, base) for c in picked],
        evidence_total=len(picked),
        note=f"first: {picked[0].id}" if picked else None,
    )


def _base_tests_of(gate: Gate, base: BaseResults) -> list[str] | None:
    """The base's tests in the gate's component and paths; None when the base does not say which
    component each test ran in (recorded before it did) and the gate names one."""
    if base.test_components:
        ids: list[str] = list(base.test_components.get(gate.component or "", ()))
    elif gate.component is None:
        ids = list(base.tests)
    else:
        return None
    return [t for t in ids if in_scope(base.test_files.get(t), gate.paths)]


def tests_removed(gate: Gate, reports: Sequence[Report], base: BaseResults) -> Measured:
    if not base.tests:
        return no_data(f"the base results ({base.source}) hold no test outcome")
    was = _base_tests_of(gate, base)
    if was is None:
        return no_data(
            f"the base results ({base.source}) do not say which component each test ran in: record the "
            "base again with this qualitygate"
        )
    now = {c.id for r in of_type(reports, TestReport) for c in r.cases}
    gone = sorted(t for t in was if t not in now)
    return Measured(
        float(len(gone)),
        evidence=[
            Evidence(kind="test", title=t, detail=f"{base.tests[t]} on the base, gone now") for t in gone
        ],
        evidence_total=len(gone),
        note=f"first: {gone[0]}" if gone else None,
    )


# ------------------------------------------------------------------------------- no worse than base


@dataclass(frozen=True, slots=True)
class Against:
    """A gate's value next to the base's: ``base_value``, ``value`` and ``delta`` (value - base)."""

    base_value: float | None = None
    value: float | None = None
    delta: float | None = None


def base_value(gate: Gate, base: BaseResults | None) -> float | None:
    if base is None or base.unavailable:
        return None
    return base.metrics.get(gate_key(gate.metric, gate.component, gate.paths))


def alongside(gate: Gate, measured: Measured, base: BaseResults | None) -> Against:
    """For an ordinary gate: the base's value of its metric and the delta, where both are known."""
    was = base_value(gate, base)
    if was is None or measured.value is None:
        return Against(base_value=was)
    return Against(was, None, measured.value - was)


def against(gate: Gate, measured: Measured, base: BaseResults | None) -> tuple[Measured, Against]:
    """A ``max_drop``/``max_rise`` gate: the drop (rise) of the value against the base's, in the metric's
    unit or in % of the base value; the measured value itself when it is missing."""
    value = measured.value
    if value is None:
        return measured, Against()
    why = why_missing(base)
    if why is not None or base is None:
        return no_data(why or NO_BASE), Against(value=value)
    was = base_value(gate, base)
    key = gate_key(gate.metric, gate.component, gate.paths)
    if was is None:
        return no_data(f"the base results ({base.source}) hold no {key}"), Against(value=value)
    delta = value - was
    worse = -delta if gate.vs_base == "drop" else delta
    if gate.relative:
        if was == 0:
            why = f"{key} is 0 on the base: a change in % of it cannot be computed; bound it in its unit"
            return no_data(why), Against(was, value, delta)
        worse = worse * 100.0 / abs(was)
    return _explained(gate, worse, was, value, base), Against(was, value, delta)


def _explained(gate: Gate, worse: float, was: float, value: float, base: BaseResults) -> Measured:
    unit = metric_unit(gate.metric)
    at = f" ({base.commit[:12]})" if base.commit else ""
    better = "" if worse > 0 else "; no worse than the base"
    note = f"{format_value(value, unit)} now, {format_value(was, unit)} on the base{at}{better}"
    return Measured(worse, note=note, note_on_pass=True)
