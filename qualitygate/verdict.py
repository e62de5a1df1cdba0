"""The verdict: the structured, versioned result of evaluating a policy over a set of reports.

A person reads it in seconds (the renderers), a machine reads it exactly (the JSON document, whose JSON
Schema ``qualitygate schema --verdict`` prints and ``qualitygate/schemas/verdict.schema.json`` commits).
It holds no clock and no environment: the same inputs and policy give the same document, byte for byte.

The classes are frozen stdlib dataclasses, not pydantic models: ``check`` builds a verdict on every
pre-push, and defining pydantic models costs more than the whole evaluation. pydantic still validates a
verdict read back from JSON (:func:`verdict_from_json`) and writes its schema (:func:`verdict_schema`), both
only when asked for; each attribute's docstring is its description in the schema.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, ClassVar, Literal

from qualitygate.identity import Ident

# 1.1 added the change a new-code gate judged (``change``) and uncovered line ranges (``line_ranges``);
# 1.2 added accepted debt (``accepted``; a gate's ``waived``/``baselined``/``waivers``/``accepted_items``; an
# item's ``waiver``/``baselined``), what a later comparison needs (``record``), the base results compared with
# (``base``) and each gate's base value and delta. Older verdicts (without them) still read back.
VERDICT_SCHEMA_VERSION: Literal["1.2"] = "1.2"
# Written only where they hold something, so that a verdict without a base reads as in 1.1.
_OPTIONAL_GATE_KEYS = ("base_value", "value", "delta")

# pydantic reads this (a plain dict is a valid ConfigDict) when it builds a schema from these dataclasses
_PYDANTIC_CONFIG: dict[str, Any] = {"use_attribute_docstrings": True, "extra": "forbid"}


class Status(StrEnum):
    """Outcome of one gate, and (without SKIP) of the whole verdict. Ordered from best to worst."""

    PASS = "pass"
    SKIP = "skip"  # the policy said to skip a gate whose data is missing; always shown
    WARN = "warn"
    FAIL = "fail"
    ERROR = "error"  # the gate could not be evaluated (missing/unreadable/ambiguous data)

    @property
    def severity(self) -> int:
        return _ORDER[self]


_ORDER = {Status.PASS: 0, Status.SKIP: 1, Status.WARN: 2, Status.FAIL: 3, Status.ERROR: 4}

EvidenceKind = Literal["file", "function", "test", "finding", "metric", "clone", "input"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Evidence:
    """One item that explains a gate's result: a file, function, test, finding, k6 value or clone."""

    __pydantic_config__: ClassVar[dict[str, Any]] = _PYDANTIC_CONFIG

    kind: EvidenceKind
    title: str
    """What the item is: a path, a function name, a test id, a rule id"""
    path: str | None = None
    """Repository-relative path where known"""
    line: int | None = None
    value: float | None = None
    """The item's own value (coverage %, score, ms)"""
    unit: str | None = None
    detail: str | None = None
    """One line: a failure message, a severity, a limit"""
    line_ranges: list[tuple[int, int]] = field(default_factory=list)
    """New-code coverage: the uncovered changed lines of the file, as [first, last] ranges"""
    waiver: str | None = None
    """The id of the waiver that takes this item out of the gate's count"""
    baselined: bool = False
    """The baseline takes this item out of the gate's count (SARIF baselineState 'unchanged')"""


@dataclass(frozen=True, slots=True, kw_only=True)
class GateResult:
    __pydantic_config__: ClassVar[dict[str, Any]] = _PYDANTIC_CONFIG

    id: str
    """Stable identifier, e.g. 'coverage.backend'"""
    title: str
    metric: str
    """Metric key, e.g. 'coverage.lines.pct'"""
    component: str | None = None
    paths: list[str] = field(default_factory=list)
    """Path globs the gate is scoped to"""
    operator: Literal["<", "<=", ">", ">=", "==", "!="]
    threshold: float
    unit: str | None = None
    """'%', 'ratio' (0..1, shown as %), 'ms', 's', 'min', or None for counts"""
    actual: float | None
    """The measured value; null when the data is missing"""
    level: Literal["fail", "warn"] = "fail"
    status: Status
    message: str
    """One sentence a person can act on"""
    reason: str | None = None
    """For a gate that did not pass, the clause of the message that says why (what is missing, the worst
    culprit); null for a passing gate"""
    estimate: bool = False
    """The actual value is an estimate (e.g. debt)"""
    inputs: list[str] = field(default_factory=list)
    """Report files the value was computed from"""
    evidence: list[Evidence] = field(default_factory=list)
    evidence_total: int = 0
    """How many evidence items exist before trimming"""
    base_value: float | None = None
    """The base commit's value of the metric (with base results that hold it); written only when known"""
    value: float | None = None
    """A ``max_drop``/``max_rise`` gate: the metric's value now (``actual`` is then the drop or rise)"""
    delta: float | None = None
    """The metric's value now minus the base's, in the metric's unit; written only when known"""
    waived: int = 0
    """Items an active waiver took out of the count"""
    baselined: int = 0
    """Items the baseline took out of the count"""
    waivers: list[str] = field(default_factory=list)
    """Ids of the waivers applied to this gate (to its items, or to its failure)"""
    accepted_items: list[Evidence] = field(default_factory=list)
    """The waived and baselined items, each with its waiver id or baselined flag"""


@dataclass(frozen=True, slots=True, kw_only=True)
class WaiverInfo:
    """One waiver of the policy and what it did in this evaluation."""

    __pydantic_config__: ClassVar[dict[str, Any]] = _PYDANTIC_CONFIG

    id: str
    owner: str
    expires: str
    """YYYY-MM-DD, valid through that day (UTC)"""
    reason: str
    ticket: str | None = None
    state: Literal["applied", "unused", "expired"]
    days_left: int
    """0 on the last valid day; negative once expired"""
    expiring: bool = False
    """Active, and ends within waiver_policy.warn_days"""
    items: int = 0
    """Distinct items it took out of gates' counts"""
    gates: list[str] = field(default_factory=list)
    """Ids of the failing gates it accepted"""


@dataclass(frozen=True, slots=True, kw_only=True)
class AcceptedInfo:
    """Accepted debt: what waivers and the baseline took out of the gates, and their own state."""

    __pydantic_config__: ClassVar[dict[str, Any]] = _PYDANTIC_CONFIG

    today: str
    """The day (UTC) waivers were judged on"""
    baseline: str | None = None
    """The baseline file read; null when there is none"""
    waived: dict[str, int] = field(default_factory=dict)
    """Distinct waived items by kind (finding, function, test)"""
    baselined: dict[str, int] = field(default_factory=dict)
    """Distinct baselined items by kind"""
    stale: list[str] = field(default_factory=list)
    """Baseline entries reality no longer matches"""
    waivers: list[WaiverInfo] = field(default_factory=list)


@dataclass(frozen=True, slots=True, kw_only=True)
class InputInfo:
    __pydantic_config__: ClassVar[dict[str, Any]] = _PYDANTIC_CONFIG

    path: str
    kind: str
    size: int
    sha256: str
    component: str | None = None
    files_total: int | None = None
    """Coverage: files the report lists"""
    files_found: int | None = None
    """Coverage: of those, found in the working tree"""
    files_missing: list[str] = field(default_factory=list)
    """Coverage: not found (first few)"""
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangeInfo:
    """The change the new-code gates judged."""

    __pydantic_config__: ClassVar[dict[str, Any]] = _PYDANTIC_CONFIG

    base_ref: str | None = None
    """The base as named (``origin/main``); null for a saved diff"""
    merge_base: str | None = None
    """The merge base's full SHA; null for a saved diff"""
    source: str = "git"
    """Where the change came from: ``git`` or ``diff-file PATH``"""
    files: int = 0
    """Changed files that add at least one line"""
    lines: int = 0
    """Added lines"""
    notes: list[str] = field(default_factory=list)
    """Facts about the change (the default base chosen, changed files no coverage report lists)"""


@dataclass(frozen=True, slots=True, kw_only=True)
class Record:
    """What a later comparison needs of this commit's results (``check --base-results`` on a child)."""

    __pydantic_config__: ClassVar[dict[str, Any]] = _PYDANTIC_CONFIG

    commit: str | None = None
    """The commit the results belong to (``git rev-parse HEAD``); null outside git"""
    version: str
    """The qualitygate version that measured them"""
    metrics: dict[str, float] = field(default_factory=dict)
    """Every measured value, keyed ``metric`` or ``metric@component``"""
    findings: list[Ident] = field(default_factory=list)
    """An identity per finding (tool, rule, path, normalised message, line, hash of the line's text)"""
    tests: dict[str, str] = field(default_factory=dict)
    """The outcome per test id: passed, failed, error, skipped, or flaky (passed and failed)"""
    test_components: dict[str, list[str]] = field(default_factory=dict)
    """The test ids each component's test reports list (``""``: the repository-wide ``reports.tests``)"""
    test_files: dict[str, str] = field(default_factory=dict)
    """The file of each test id, where the report names one (``tests.removed`` with ``paths``)"""


@dataclass(frozen=True, slots=True, kw_only=True)
class BaseInfo:
    """The base results the comparison used (``check --base-results``), and what it found."""

    __pydantic_config__: ClassVar[dict[str, Any]] = _PYDANTIC_CONFIG

    source: str
    """Where they came from: ``verdict FILE``, ``reports DIR``, ``git notes ...``, ``artifact ...``"""
    commit: str | None = None
    """The commit the base results belong to"""
    version: str | None = None
    """The qualitygate version that measured them"""
    missing: str | None = None
    """Why there are none (the base-dependent gates are then missing data)"""
    warnings: list[str] = field(default_factory=list)
    """E.g. the results belong to another commit than the merge base"""
    findings: dict[str, int] = field(default_factory=dict)
    """Findings by bucket: new, unchanged, moved (this commit's), fixed (the base's no longer found)"""
    tests_newly_failing: list[str] = field(default_factory=list)
    """Failing now, passed (or absent) on the base"""
    tests_removed: list[str] = field(default_factory=list)
    """Present on the base, gone now"""
    tests_flaky: list[str] = field(default_factory=list)
    """Failed on the base and pass now, with no change to them: possibly flaky"""


@dataclass(frozen=True, slots=True, kw_only=True)
class Summary:
    __pydantic_config__: ClassVar[dict[str, Any]] = _PYDANTIC_CONFIG

    total: int
    passed: int
    warned: int
    failed: int
    errored: int
    skipped: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Verdict:
    __pydantic_config__: ClassVar[dict[str, Any]] = _PYDANTIC_CONFIG

    schema_version: Literal["1.0", "1.1", "1.2"] = VERDICT_SCHEMA_VERSION
    tool: str = "qualitygate"
    tool_version: str
    policy: str
    """The policy file (or preset) evaluated"""
    status: Literal["pass", "warn", "fail", "error"]
    summary: Summary
    gates: list[GateResult]
    inputs: list[InputInfo] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """Verdict-wide problems, e.g. unused inputs"""
    change: ChangeInfo | None = None
    """The change the new-code gates judged (``check --base``); null when none was given"""
    base: BaseInfo | None = None
    """The base results compared with (``check --base-results``); written only when given"""
    record: Record | None = None
    """What a later comparison needs of these results (``check`` writes it; 1.2)"""
    accepted: AcceptedInfo | None = None
    """Accepted debt (baseline, waivers); null when the policy has neither"""


_ACCEPTED_GATE_KEYS = ("waived", "baselined", "waivers", "accepted_items")


def _trim_item(item: dict[str, Any]) -> None:
    """Keys an item has only where they say something (so items read as in 1.0)."""
    if not item["line_ranges"]:
        del item["line_ranges"]
    if item["waiver"] is None:
        del item["waiver"]
    if not item["baselined"]:
        del item["baselined"]


def verdict_to_dict(verdict: Verdict) -> dict[str, Any]:
    """The JSON document as plain data, in field order (enums as their values). An evidence item's
    ``line_ranges`` is written only where it has some (new-code coverage), so other items read as in 1.0;
    a gate's accepted-debt keys only when the verdict has accepted debt (``accepted``)."""
    doc = asdict(verdict)
    for gate in doc["gates"]:
        for item in gate["evidence"] + gate["accepted_items"]:
            _trim_item(item)
        if doc["accepted"] is None:
            for key in _ACCEPTED_GATE_KEYS:
                del gate[key]
        for key in _OPTIONAL_GATE_KEYS:
            if gate[key] is None:
                del gate[key]
    for key in ("accepted", "base", "record"):
        if doc[key] is None:
            del doc[key]
    return doc


def verdict_to_json(verdict: Verdict, *, indent: int | None = 2) -> str:
    return json.dumps(verdict_to_dict(verdict), indent=indent, ensure_ascii=False, allow_nan=False)


def verdict_from_json(text: str | bytes) -> Verdict:
    """Validate a JSON verdict (raises ``pydantic.ValidationError``). Imports pydantic: only when asked."""
    from pydantic import TypeAdapter

    return TypeAdapter(Verdict).validate_json(text)


def verdict_schema() -> dict[str, Any]:
    from pydantic import TypeAdapter

    return TypeAdapter(Verdict).json_schema(mode="serialization")


def overall_status(gates: list[GateResult]) -> Literal["pass", "warn", "fail", "error"]:
    """Worst gate wins; a skipped gate does not fail the verdict; no gates at all is an error."""
    if not gates:
        return "error"
    worst = max((g.status for g in gates), key=lambda s: s.severity)
    if worst is Status.ERROR:
        return "error"
    if worst is Status.FAIL:
        return "fail"
    if worst is Status.WARN:
        return "warn"
    return "pass"


def summarize(gates: list[GateResult]) -> Summary:
    def n(s: Status) -> int:
        return sum(1 for g in gates if g.status is s)

    return Summary(
        total=len(gates),
        passed=n(Status.PASS),
        warned=n(Status.WARN),
        failed=n(Status.FAIL),
        errored=n(Status.ERROR),
        skipped=n(Status.SKIP),
    )
