"""Accepted debt at evaluation time: what waivers and the baseline take out of a gate's count. Pure: the
day, whether this is CI, and the baseline (its paths already followed through git's renames) are given by
the caller (:mod:`qualitygate.acceptance` at the edge).

For the gates that count items (``security.blocking``, ``smells.count``/``smells.debt``,
``complexity.*.max``, ``tests.failing``/``failed``/``errors``, and their ``new.*`` twins), an item covered by
an active waiver leaves the count (waived), then an item the baseline records leaves it (baselined): a
finding up to its key's recorded count, a function while its score has not grown, a failing test by id.
The rule then measures what is left, so its value, message and evidence are those of the debt not accepted.
A covered finding is marked suppressed, a covered failing test skipped and a covered function scored 0:
the rule never counts them, and the report keeps its shape.

:func:`record` is what ``qualitygate baseline update`` writes, and what a check compares the baseline with
to find stale entries: the same function both ways, so an update followed by a check never disagrees.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

from qualitygate.baseline import Baseline, Key, Stale, compare_counts, compare_scores
from qualitygate.baseline import complexity_key as _complexity_key
from qualitygate.baseline import finding_key as _finding_key
from qualitygate.baseline import test_key as _test_key
from qualitygate.inputs import Collected
from qualitygate.model import (
    ComplexityBlock,
    ComplexityReport,
    Finding,
    FindingsReport,
    Report,
    TestCase,
    TestReport,
    TestStatus,
)
from qualitygate.policy import Gate, Policy
from qualitygate.verdict import Evidence, EvidenceKind
from qualitygate.waivers import Item, Ledger, Waiver, applies_to_gate, matches_item

UPDATE_COMMAND = "qualitygate baseline update"
_COUNTED = frozenset(
    {"security.blocking", "smells.count", "smells.debt", "tests.failing", "tests.failed", "tests.errors"}
)
_FAILING = (TestStatus.FAILED, TestStatus.ERROR)
EvidenceId = tuple[str, str, str | None, int | None]


@dataclass(frozen=True, slots=True)
class Accepted:
    """What a check accepts besides the reports: the day waivers are judged on (UTC), whether it runs
    in CI (a stale baseline then fails by default), and the baseline read (None: none, or
    ``baseline: false``)."""

    today: dt.date
    ci: bool = False
    baseline: Baseline | None = None
    baseline_path: str | None = None


def accepts(metric: str) -> bool:
    """Does a gate on ``metric`` count items that waivers and the baseline can take out?"""
    bare = metric.removeprefix("new.")
    return bare in _COUNTED or (bare.startswith("complexity.") and bare.endswith(".max"))


def finding_key(f: Finding) -> Key:
    return _finding_key(f.tool, f.rule_id, f.path, f.message)


def block_key(measure: str, b: ComplexityBlock) -> Key:
    return _complexity_key(measure, b.file, b.qualname)


def case_key(c: TestCase) -> Key:
    return _test_key(c.id)


def _finding_item(f: Finding) -> Item:
    return Item("finding", path=f.path, rule=f.rule_id, fingerprint=f.fingerprint)


def _block_item(b: ComplexityBlock) -> Item:
    return Item("function", path=b.file, name=b.qualname)


def _case_item(c: TestCase) -> Item:
    return Item("test", path=c.file, name=c.id)


def _message(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0][:200] if lines else ""


def finding_evidence(f: Finding) -> Evidence:
    msg = _message(f.message)
    return Evidence(
        kind="finding",
        title=f"{f.tool + ' ' if f.tool else ''}{f.rule_id}",
        path=f.path,
        line=f.line,
        detail=f.level.value + (f": {msg}" if msg else ""),
    )


def block_evidence(b: ComplexityBlock) -> Evidence:
    return Evidence(kind="function", title=b.qualname, path=b.file, line=b.line or None, value=float(b.score))


def case_evidence(c: TestCase) -> Evidence:
    msg = _message(c.message or "")
    return Evidence(
        kind="test", title=c.id, path=c.file, line=c.line, detail=c.status.value + (f": {msg}" if msg else "")
    )


def evidence_id(e: Evidence) -> EvidenceId:
    return e.kind, e.title, e.path, e.line


# ------------------------------------------------------------------------------------- the record


def _unique_reports(data: Collected) -> list[Report]:
    seen: dict[str, Report] = {}
    for loaded in data.reports.values():
        for entry in loaded:
            seen.setdefault(entry.rel, entry.report)
    return list(seen.values())


def _limits(policy: Policy) -> dict[str, float]:
    """The strictest ``complexity.<measure>.max`` (or ``new.``) bound of the policy, by measure."""
    out: dict[str, float] = {}
    for g in policy.gates:
        parts = g.metric.removeprefix("new.").split(".")  # a new-code gate's offenders are debt too
        if len(parts) == 3 and parts[0] == "complexity" and parts[2] == "max" and g.op in ("<=", "<"):
            limit = g.threshold if g.op == "<=" else g.threshold - 1
            out[parts[1]] = min(out.get(parts[1], limit), limit)
    return out


def _counting_gates(policy: Policy, item: Item, counts: Callable[[str], bool]) -> list[Gate]:
    """The policy's gates that count ``item`` (by their bare metric, and the item in their scope)."""
    from qualitygate.rules.base import in_scope, scope

    out = []
    for g in policy.gates:
        bare = g.metric.removeprefix("new.")
        globs = g.paths if bare.startswith("tests.") else scope(g, policy)
        if accepts(g.metric) and counts(bare) and in_scope(item.path, globs):
            out.append(g)
    return out


def _covered_by_waiver(policy: Policy, today: dt.date, item: Item, counts: Callable[[str], bool]) -> bool:
    """An active waiver covers ``item`` in every gate that counts it (a waiver narrowed by ``metric`` or
    ``component`` to other gates leaves the item counted there, so the baseline must record it)."""
    gates = _counting_gates(policy, item, counts)
    return any(
        w.active(today)
        and matches_item(w.match, item)
        and all(applies_to_gate(w.match, g.metric, g.component) for g in gates)
        for w in policy.waivers
    )


def _counts_finding(f: Finding) -> Callable[[str], bool]:
    if f.security:
        return lambda bare: bare == "security.blocking"
    return lambda bare: bare in ("smells.count", "smells.debt")


def _counts_tests(bare: str) -> bool:
    return bare in ("tests.failing", "tests.failed", "tests.errors")


@dataclass(slots=True)
class Now:
    """What the reports hold now, keyed as the baseline keys it: counted findings and failing tests, every
    function's score, and which functions are over the limit."""

    counts: dict[Key, int] = field(default_factory=dict)
    scores: dict[Key, int] = field(default_factory=dict)
    offenders: dict[Key, int] = field(default_factory=dict)

    def count(self, key: Key) -> None:
        self.counts[key] = self.counts.get(key, 0) + 1

    def score(self, key: Key, score: int, over: bool) -> None:
        self.scores[key] = max(self.scores.get(key, 0), score)
        if over:
            self.offenders[key] = self.scores[key]

    def entries(self) -> dict[Key, int]:
        return {**self.counts, **self.offenders}


def _now_findings(r: FindingsReport, policy: Policy, today: dt.date, now: Now) -> None:
    for f in r.findings:
        if not f.suppressed and not _covered_by_waiver(policy, today, _finding_item(f), _counts_finding(f)):
            now.count(finding_key(f))


def _now_blocks(
    r: ComplexityReport, limits: dict[str, float], policy: Policy, today: dt.date, now: Now
) -> None:
    limit = limits.get(r.measure)
    wanted = f"complexity.{r.measure}.max"
    for b in r.blocks:
        over = (
            limit is not None
            and b.score > limit
            and not _covered_by_waiver(policy, today, _block_item(b), lambda bare: bare == wanted)
        )
        now.score(block_key(r.measure, b), b.score, over)


def _now_cases(r: TestReport, policy: Policy, today: dt.date, now: Now) -> None:
    for c in r.cases:
        if c.status in _FAILING and not _covered_by_waiver(policy, today, _case_item(c), _counts_tests):
            now.count(case_key(c))


def record(policy: Policy, data: Collected, today: dt.date) -> Now:
    """What exists now that no active waiver covers: active findings (by tool, rule, path and normalised
    message, counted), functions over the policy's strictest ``complexity.*.max`` (with their score), and
    failing tests. ``record(...).entries()`` is the baseline ``qualitygate baseline update`` writes."""
    now = Now()
    limits = _limits(policy)
    for r in _unique_reports(data):
        if isinstance(r, FindingsReport):
            _now_findings(r, policy, today, now)
        elif isinstance(r, ComplexityReport):
            _now_blocks(r, limits, policy, today, now)
        elif isinstance(r, TestReport):
            _now_cases(r, policy, today, now)
    return now


def stale_entries(baseline: Baseline, now: Now) -> list[Stale]:
    """Baseline entries reality no longer matches: fewer findings or failing tests than recorded, a
    function gone, back within the limit, or with a lower score."""
    counted = {k: v for k, v in baseline.entries.items() if k[0] != "complexity"}
    _, stale = compare_counts({k: v for k, v in now.counts.items() if k in counted}, counted)
    breached = {k: True for k in now.offenders}
    _, stale_scores = compare_scores(now.scores, baseline.of_kind("complexity"), breached)
    return sorted(stale + stale_scores, key=lambda s: s.key)


# ------------------------------------------------------------------------------------- per gate


@dataclass(slots=True)
class Taken:
    """What waivers and the baseline took out of one gate's reports."""

    waived: list[Evidence] = field(default_factory=list)
    baselined: list[Evidence] = field(default_factory=list)
    notes: dict[EvidenceId, str] = field(default_factory=dict)  # for items that still count

    @property
    def waiver_ids(self) -> list[str]:
        return list(dict.fromkeys(e.waiver for e in self.waived if e.waiver))

    def waive(self, e: Evidence, w: Waiver) -> None:
        self.waived.append(replace(e, waiver=w.id))

    def baseline(self, e: Evidence) -> None:
        self.baselined.append(replace(e, baselined=True))


class Gatekeeper:
    """Takes accepted items out of each gate's reports; remembers what the waivers did (a :class:`Ledger`)."""

    def __init__(self, policy: Policy, accepted: Accepted) -> None:
        self.policy = policy
        self.accepted = accepted
        self.ledger = Ledger(accepted.today, policy.waivers)
        self.recorded = accepted.baseline.entries if accepted.baseline is not None else {}
        self.gate_waivers: dict[str, list[str]] = {}  # waiver id -> gates whose failure it accepted
        self.items: dict[str, set[EvidenceId]] = {}  # waiver id -> distinct items

    def _expired_note(self, candidates: Sequence[Waiver], item: Item) -> str | None:
        for w in candidates:
            if not w.active(self.accepted.today) and matches_item(w.match, item):
                return w.expired_note()
        return None

    def _waived(self, candidates: Sequence[Waiver], item: Item, e: Evidence, taken: Taken) -> bool:
        w = self.ledger.cover(candidates, item)
        if w is not None:
            taken.waive(e, w)
            self.items.setdefault(w.id, set()).add(evidence_id(e))
            return True
        note = self._expired_note(candidates, item)
        if note is not None:
            taken.notes[evidence_id(e)] = note
        return False

    def take(self, gate: Gate, reports: Sequence[Report]) -> tuple[list[Report], Taken | None]:
        """The gate's reports with the accepted items taken out (None: this gate counts no items)."""
        if not accepts(gate.metric):
            return list(reports), None
        from qualitygate.rules.base import scope

        bare = gate.metric.removeprefix("new.")
        candidates = [w for w in self.ledger.for_gate(gate.metric, gate.component) if w.match.is_item]
        taken = Taken()
        out: list[Report] = []
        globs = gate.paths if bare.startswith("tests.") else scope(gate, self.policy)
        for r in reports:
            out.append(self._take_one(r, gate, globs, candidates, taken))
        return out, taken

    def _take_one(
        self, r: Report, gate: Gate, globs: tuple[str, ...], candidates: Sequence[Waiver], taken: Taken
    ) -> Report:
        bare = gate.metric.removeprefix("new.")
        if isinstance(r, FindingsReport) and not bare.startswith(("complexity.", "tests.")):
            return self._findings(r, bare == "security.blocking", globs, candidates, taken)
        if isinstance(r, ComplexityReport) and bare.startswith("complexity."):
            return self._blocks(r, gate, globs, candidates, taken)
        if isinstance(r, TestReport) and bare.startswith("tests."):
            return self._cases(r, globs, candidates, taken)
        return r

    def _findings(
        self,
        r: FindingsReport,
        security: bool,
        globs: tuple[str, ...],
        candidates: Sequence[Waiver],
        taken: Taken,
    ) -> FindingsReport:
        """Only the findings the gate counts: security ones for ``security.blocking``, others for smells."""
        from qualitygate.rules.base import in_scope

        used: dict[Key, int] = {}
        kept: list[Finding] = []
        for f in sorted(r.findings, key=lambda f: (f.path or "", f.line or 0)):
            if f.suppressed or f.security is not security or not in_scope(f.path, globs):
                kept.append(f)
                continue
            e = finding_evidence(f)
            if self._waived(candidates, _finding_item(f), e, taken):
                kept.append(replace(f, suppressed=True))
                continue
            key = finding_key(f)
            if used.get(key, 0) < self.recorded.get(key, 0):
                used[key] = used.get(key, 0) + 1
                taken.baseline(e)
                kept.append(replace(f, suppressed=True))
                continue
            kept.append(f)
        return replace(r, findings=kept)

    def _blocks(
        self,
        r: ComplexityReport,
        gate: Gate,
        globs: tuple[str, ...],
        candidates: Sequence[Waiver],
        taken: Taken,
    ) -> ComplexityReport:
        from qualitygate.rules.base import in_scope, violates

        blocks: list[ComplexityBlock] = []
        for b in r.blocks:
            if not violates(b.score, gate) or not in_scope(b.file, globs):
                blocks.append(b)
                continue
            e = block_evidence(b)
            if self._waived(candidates, _block_item(b), e, taken):
                blocks.append(replace(b, score=0))
                continue
            recorded = self.recorded.get(block_key(r.measure, b))
            if recorded is not None and b.score <= recorded:
                taken.baseline(e)
                blocks.append(replace(b, score=0))
                continue
            if recorded is not None:
                taken.notes[evidence_id(e)] = f"baselined at {recorded}, now {b.score}: a grown score counts"
            blocks.append(b)
        return replace(r, blocks=blocks)

    def _cases(
        self, r: TestReport, globs: tuple[str, ...], candidates: Sequence[Waiver], taken: Taken
    ) -> TestReport:
        from qualitygate.rules.base import in_scope

        cases: list[TestCase] = []
        for c in r.cases:
            if c.status not in _FAILING or not in_scope(c.file, globs):
                cases.append(c)
                continue
            e = case_evidence(c)
            if self._waived(candidates, _case_item(c), e, taken):
                cases.append(replace(c, status=TestStatus.SKIPPED))
            elif case_key(c) in self.recorded:
                taken.baseline(e)
                cases.append(replace(c, status=TestStatus.SKIPPED))
            else:
                cases.append(c)
        return replace(r, cases=cases)

    def accept_failure(self, gate: Gate) -> tuple[Waiver | None, Waiver | None]:
        """The active gate waiver that accepts this failing gate, and an expired one that would have."""
        active: Waiver | None = None
        expired: Waiver | None = None
        for w in self.ledger.for_gate(gate.metric, gate.component):
            if w.match.is_item:
                continue
            if w.active(self.accepted.today):
                active = active or w
            else:
                expired = expired or w
        if active is not None:
            self.ledger.used[active.id] = self.ledger.used.get(active.id, 0) + 1
            self.gate_waivers.setdefault(active.id, []).append(gate.id)
        return active, expired


def kinds(items: Iterable[Evidence]) -> dict[str, int]:
    """Distinct items by kind."""
    seen: dict[EvidenceId, str] = {evidence_id(e): e.kind for e in items}
    out: dict[str, int] = {}
    for kind in seen.values():
        out[kind] = out.get(kind, 0) + 1
    return dict(sorted(out.items()))


STALE_KIND: dict[str, EvidenceKind] = {"finding": "finding", "complexity": "function", "test": "test"}
