"""The verdict: the structured, versioned result of evaluating a policy over a set of reports.

A person reads it in seconds (the renderers), a machine reads it exactly (the JSON document, whose JSON
Schema ``qualitygate schema --verdict`` prints and ``qualitygate/schemas/verdict.schema.json`` commits).
It holds no clock and no environment: the same inputs and policy give the same document, byte for byte.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

VERDICT_SCHEMA_VERSION: Literal["1.0"] = "1.0"


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


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


EvidenceKind = Literal["file", "function", "test", "finding", "metric", "clone", "input"]


class Evidence(_Frozen):
    """One item that explains a gate's result: a file, function, test, finding, k6 value or clone."""

    kind: EvidenceKind
    title: str = Field(description="What the item is: a path, a function name, a test id, a rule id")
    path: str | None = Field(default=None, description="Repository-relative path where known")
    line: int | None = None
    value: float | None = Field(default=None, description="The item's own value (coverage %, score, ms)")
    unit: str | None = None
    detail: str | None = Field(default=None, description="One line: a failure message, a severity, a limit")


class GateResult(_Frozen):
    id: str = Field(description="Stable identifier, e.g. 'coverage.backend'")
    title: str
    metric: str = Field(description="Metric key, e.g. 'coverage.lines.pct'")
    component: str | None = None
    paths: list[str] = Field(default_factory=list, description="Path globs the gate is scoped to")
    operator: Literal["<", "<=", ">", ">=", "==", "!="]
    threshold: float
    unit: str | None = Field(default=None, description="'%', 'ms', 's', 'min', or None for counts")
    actual: float | None = Field(description="The measured value; null when the data is missing")
    level: Literal["fail", "warn"] = "fail"
    status: Status
    message: str = Field(description="One sentence a person can act on")
    estimate: bool = Field(default=False, description="The actual value is an estimate (e.g. debt)")
    inputs: list[str] = Field(default_factory=list, description="Report files the value was computed from")
    evidence: list[Evidence] = Field(default_factory=list)
    evidence_total: int = Field(default=0, description="How many evidence items exist before trimming")


class InputInfo(_Frozen):
    path: str
    kind: str
    size: int
    sha256: str
    component: str | None = None
    files_total: int | None = Field(default=None, description="Coverage: files the report lists")
    files_found: int | None = Field(default=None, description="Coverage: of those, found in the working tree")
    files_missing: list[str] = Field(default_factory=list, description="Coverage: not found (first few)")
    warnings: list[str] = Field(default_factory=list)


class Summary(_Frozen):
    total: int
    passed: int
    warned: int
    failed: int
    errored: int
    skipped: int


class Verdict(_Frozen):
    schema_version: Literal["1.0"] = VERDICT_SCHEMA_VERSION
    tool: str = "qualitygate"
    tool_version: str
    policy: str = Field(description="The policy file (or preset) evaluated")
    status: Literal["pass", "warn", "fail", "error"]
    summary: Summary
    gates: list[GateResult]
    inputs: list[InputInfo] = Field(default_factory=list)
    problems: list[str] = Field(default_factory=list, description="Verdict-wide problems, e.g. unused inputs")


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
