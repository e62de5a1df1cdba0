"""The policy file's schema (pydantic, ``extra="forbid"``) and its normalisation into a :class:`Policy`.

Two forms share one file:

* the **compact form** under ``quality_gates:`` (the launch customer's policy, accepted verbatim), and
* the **full form**: ``components``, ``reports``, ``path_mapping``, ``security``, ``smells``, ``gates``
  and ``k6`` (k6's own threshold expressions).

:func:`qualitygate.config.load_policy` validates the YAML against :class:`PolicyFile` and :func:`normalise`
turns it into the engine's :class:`~qualitygate.policy.Policy`. ``qualitygate schema`` prints this schema.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from qualitygate.policy import (
    DEFAULT_BASELINE,
    DEFAULT_EFFORT,
    EffortLevel,
    GateLevel,
    Missing,
    SeverityWord,
    check_metric,
    parse_k6_expression,
)
from qualitygate.policy_values import MAX_COUNT, check_gate
from qualitygate.policy_values import OPS as _OPS
from qualitygate.policy_values import VS_BASE as _VS_BASE
from qualitygate.policy_values import effort as _effort
from qualitygate.policy_values import globs as _globs
from qualitygate.policy_values import percent as _percent
from qualitygate.policy_values import quantity as _quantity
from qualitygate.policy_values import valid_globs as _valid_globs
from qualitygate.units import Quantity


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


_QUANTITY_SCHEMA = {
    "anyOf": [
        {"type": "number"},
        {"type": "string", "pattern": r"^\s*-?\d+(\.\d+)?\s*(%|ms|s|min|m|h|d)?\s*$"},
    ],
    "examples": [80, "80%", "200ms", "0.5s", "30min", "1d"],
}
_EFFORT_SCHEMA = {
    "anyOf": [{"type": "number"}, {"type": "string", "pattern": r"^\s*\d+(\.\d+)?\s*(min|m|h|d)?\s*$"}],
    "examples": ["30min", "4h", "1d"],
}
_PERCENT_SCHEMA = {
    "anyOf": [
        {"type": "number", "minimum": 0, "maximum": 100},
        {"type": "string", "pattern": r"^\s*\d+(\.\d+)?\s*%?\s*$"},
    ],
    "examples": [80, "80%", 2.5],
}
QuantityField = Annotated[Quantity, BeforeValidator(_quantity), WithJsonSchema(_QUANTITY_SCHEMA)]
EffortMinutes = Annotated[float, BeforeValidator(_effort), WithJsonSchema(_EFFORT_SCHEMA)]
Percent = Annotated[float, BeforeValidator(_percent), Field(ge=0, le=100), WithJsonSchema(_PERCENT_SCHEMA)]


Globs = Annotated[list[str], BeforeValidator(_globs), AfterValidator(_valid_globs)]
# ------------------------------------------------------------------------------------ compact form


Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]


class CompactComplexity(_Strict):
    max_cyclomatic: Count | None = Field(default=None, description="No function above this (radon)")
    max_cognitive: Count | None = Field(default=None, description="No function above this (complexipy)")


class CompactDuplications(_Strict):
    max_percentage: Percent = Field(description="Duplicated lines %, maximum (jscpd): 3 or 3%")


class CompactSmells(_Strict):
    max_count: Count | None = Field(default=None, description="Non-security linter findings, maximum")
    max_debt: EffortMinutes | None = Field(default=None, description="Remediation effort: 30min, 4h, 1d (8h)")


Pct = Percent


class CompactCoverage(_Strict):
    """Jest's ``coverageThreshold`` keys: a minimum % per measure (statements need Istanbul's JSON)."""

    statements: Percent | None = None
    branches: Percent | None = None
    functions: Percent | None = None
    lines: Percent | None = None


def _coverage_kind(v: Any) -> str:
    return "function-keys" if isinstance(v, dict) else "function-number"


# A number (line coverage) or Jest's keys, told apart by the value's type so that only one member's errors
# are reported; the tags are named like pydantic's validator steps, which config._data_path leaves out of
# the key path (``quality_gates.coverage.backend``).
CoverageMinimum = Annotated[
    Annotated[Pct, Tag("function-number")] | Annotated[CompactCoverage, Tag("function-keys")],
    Discriminator(_coverage_kind),
]


_Pct = Percent


class CompactNewCode(_Strict):
    """``quality_gates.new_code``: gates on what a change adds (``check --base REF``)."""

    coverage: _Pct | dict[str, _Pct] | None = Field(
        default=None,
        description="Changed coverable lines covered, % minimum; or per component {backend: 90}",
    )
    security_hotspots: int | None = Field(default=None, ge=0, description="Security findings on new lines")
    code_smells: int | None = Field(default=None, ge=0, description="Non-security findings on new lines")
    max_cyclomatic: int | None = Field(default=None, ge=0, description="No changed function above (radon)")
    max_cognitive: int | None = Field(default=None, ge=0, description="No changed function above this")
    duplications: _Pct | None = Field(default=None, description="Duplicated new lines %, maximum (jscpd)")
    failing_tests: int | None = Field(default=None, ge=0, description="Tests failing now, not on the base")
    min_lines: int | None = Field(
        default=None,
        ge=1,
        description="Skip (visibly) the coverage and duplication gates below this many coverable new lines",
    )


class CompactGates(_Strict):
    """``quality_gates:``: the compact form."""

    coverage: dict[str, CoverageMinimum] | None = Field(
        default=None,
        description="Line coverage % of each component, minimum: 80 or 80%; or Jest's keys: "
        "{statements, branches, functions, lines}",
    )
    complexity: CompactComplexity | None = None
    duplications: CompactDuplications | None = None
    security_hotspots: Count | None = Field(
        default=None, description="Security findings at or above the blocking severity, maximum"
    )
    code_smells: CompactSmells | None = None
    new_code: CompactNewCode | None = None


# --------------------------------------------------------------------------------------- full form


class Defaults(_Strict):
    missing: Missing = Field(default=Missing.FAIL, description="When a gate's data is missing")
    level: GateLevel = "fail"


class ComponentSpec(_Strict):
    paths: Globs = Field(default_factory=list, description="Repository paths the component owns")
    coverage: Globs | None = Field(default=None, description="Coverage report globs (merged)")
    tests: Globs | None = Field(default=None, description="JUnit report globs (concatenated)")


class ReportLocations(_Strict):
    coverage: Globs | None = None
    tests: Globs | None = None
    complexity: Globs | None = Field(default=None, description="radon cc JSON/text")
    cognitive: Globs | None = Field(default=None, description="complexipy JSON")
    duplication: Globs | None = Field(default=None, description="jscpd JSON report")
    findings: Globs | None = Field(default=None, description="SARIF files (security and smells)")
    k6: Globs | None = Field(default=None, description="k6 summary JSON")
    locust: Globs | None = Field(default=None, description="Locust stats CSV (PREFIX_stats.csv)")


class PrefixRuleSpec(_Strict):
    from_: str = Field(alias="from")
    to: str = ""


class PathMapping(_Strict):
    rules: list[PrefixRuleSpec] = Field(
        default_factory=list, description="Prefix replacements, first match wins"
    )
    auto: bool = Field(default=True, description="Find report paths in the working tree by their suffix")


def _blocking_default() -> list[SeverityWord]:
    return ["CRITICAL", "HIGH"]


def _effort_default() -> dict[EffortLevel, float]:
    return {
        "error": DEFAULT_EFFORT["error"],
        "warning": DEFAULT_EFFORT["warning"],
        "note": DEFAULT_EFFORT["note"],
        "none": DEFAULT_EFFORT["none"],
    }


class SecuritySpec(_Strict):
    severity: list[SeverityWord] = Field(default_factory=_blocking_default)
    source: Literal["scanner", "cvss"] = Field(
        default="scanner", description="Scanner's own severity word (Trivy's) or the CVSS band"
    )
    ignore_unfixed: bool = False

    @field_validator("severity", mode="before")
    @classmethod
    def _upper(cls, v: Any) -> Any:
        if isinstance(v, str):
            v = [s.strip() for s in v.split(",")]
        return [s.upper() if isinstance(s, str) else s for s in v] if isinstance(v, list) else v


class SmellsSpec(_Strict):
    effort: dict[EffortLevel, EffortMinutes] = Field(
        default_factory=_effort_default,
        description="Remediation effort per finding, by level, when the report carries none",
    )


class GateSpec(_Strict):
    id: str | None = None
    title: str | None = None
    metric: str
    component: str | None = None
    project: str | None = Field(
        default=None, description="Playwright project whose tests a tests.* gate reads"
    )
    paths: Globs = Field(default_factory=list)
    min: QuantityField | None = None
    max: QuantityField | None = None
    lt: QuantityField | None = None
    gt: QuantityField | None = None
    max_drop: QuantityField | None = Field(
        default=None,
        description="No worse than the base: the most the value may fall below the base's (higher is "
        "better), in the metric's unit, or in % of the base value for a metric not measured in %",
    )
    max_rise: QuantityField | None = Field(
        default=None,
        description="No worse than the base: the most the value may rise above the base's (lower is "
        "better), in the metric's unit, or in % of the base value (e.g. 10%) for a metric not in %",
    )
    level: GateLevel | None = None
    missing: Missing | None = None
    min_lines: int | None = Field(
        default=None,
        ge=1,
        description="new.coverage.*, new.duplication.*: skip (visibly) below this many coverable new lines",
    )

    @model_validator(mode="after")
    def _one_bound(self) -> GateSpec:
        check_gate(self.metric, self.min_lines, {k: getattr(self, k) for k in (*_OPS, *_VS_BASE)})
        return self


# ------------------------------------------------------------------------- accepted debt (README)


class BaselineSpec(_Strict):
    path: str = Field(default=DEFAULT_BASELINE, min_length=1, description="The baseline file, from the root")
    stale: Literal["fail", "warn"] | None = Field(
        default=None,
        description="A baselined item that is gone: fail, or warn [default: fail when CI is set, else warn]",
    )


class MatchSpec(_Strict):
    """What a waiver covers: items (rule, path, fingerprint, test, function) or a gate (metric, component)."""

    rule: str | None = Field(default=None, description="The rule id exactly (SARIF ruleId)")
    path: str | None = Field(default=None, description="A glob over repository paths")
    fingerprint: str | None = Field(default=None, description="A SARIF fingerprint, NAME=VALUE")
    test: str | None = Field(default=None, description="A glob over test ids (classname::name)")
    function: str | None = Field(default=None, description="A glob over function names (Class.method)")
    metric: str | None = Field(default=None, description="Only this gate's metric; alone: accept its failure")
    component: str | None = None

    @model_validator(mode="after")
    def _something(self) -> MatchSpec:
        given = {k: v for k, v in self.model_dump().items() if v is not None}
        if not given:
            raise ValueError("match names nothing: give rule, path, fingerprint, test, function or metric")
        for key in ("path", "test", "function"):
            if key in given:
                _valid_globs([given[key]])
        if "metric" in given:
            check_metric(given["metric"])
        elif set(given) == {"component"}:
            raise ValueError("a component alone matches no gate: add the metric")
        return self


def _day(raw: object) -> object:
    """``expires``: a date, written YYYY-MM-DD (YAML reads it as a date; a quoted one is a string)."""
    import datetime as dt

    from qualitygate.waiver_import import EXPIRES_PLACEHOLDER

    if isinstance(raw, dt.datetime):
        raise ValueError("a day, YYYY-MM-DD, without a time: a waiver is valid through that day (UTC)")
    if isinstance(raw, dt.date):
        return raw.isoformat()
    if raw == EXPIRES_PLACEHOLDER:
        raise ValueError("fill in the expiry, YYYY-MM-DD (imported without one)")
    if not isinstance(raw, str) or len(raw) != 10:
        raise ValueError(f"{raw!r} is not a day written YYYY-MM-DD")
    try:
        dt.date.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"{raw!r} is not a day written YYYY-MM-DD") from None
    return raw


def _filled(raw: object) -> object:
    from qualitygate.waiver_import import OWNER_PLACEHOLDER

    if isinstance(raw, str) and raw.strip() == OWNER_PLACEHOLDER:
        raise ValueError("fill in the owner (a team or person, e.g. '@acme/platform')")
    if isinstance(raw, str) and not raw.strip():
        raise ValueError("must not be empty")
    return raw.strip() if isinstance(raw, str) else raw


Filled = Annotated[str, BeforeValidator(_filled)]
Day = Annotated[
    str,
    BeforeValidator(_day),
    WithJsonSchema({"type": "string", "format": "date", "examples": ["2027-03-31"]}),
]


class WaiverSpec(_Strict):
    id: Filled = Field(description="Unique, e.g. W-12")
    match: MatchSpec
    reason: Filled = Field(description="Why the debt is accepted")
    owner: Filled = Field(description="Who looks at it again: '@team' or a person")
    expires: Day = Field(description="YYYY-MM-DD; valid through that day, UTC")
    ticket: str | None = None


class WaiverPolicySpec(_Strict):
    max_days: int = Field(default=180, ge=1, description="An expiry at most this many days ahead")
    warn_days: int = Field(default=14, ge=0, description="Warn when a waiver ends within this many days")
    unused: Literal["warn", "fail"] = Field(default="warn", description="A waiver that matches nothing")


class PolicyFile(_Strict):
    """The whole ``.github/quality-gates.yml``."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, title="qualitygate policy")

    version: Literal[1] = 1
    quality_gates: CompactGates | None = None
    defaults: Defaults = Field(default_factory=Defaults)
    components: dict[str, ComponentSpec] = Field(default_factory=dict)
    reports: ReportLocations = Field(default_factory=ReportLocations)
    path_mapping: PathMapping = Field(default_factory=PathMapping)
    security: SecuritySpec = Field(default_factory=SecuritySpec)
    smells: SmellsSpec = Field(default_factory=SmellsSpec)
    gates: list[GateSpec] = Field(default_factory=list)
    k6: dict[str, Annotated[list[str], BeforeValidator(_globs)]] = Field(
        default_factory=dict,
        description="k6 thresholds, as in k6's options: {http_req_duration: ['p(95)<200']}",
    )
    baseline: BaselineSpec | Literal[False] = Field(
        default_factory=BaselineSpec, description="The committed baseline of accepted debt, or false"
    )
    waivers: list[WaiverSpec] = Field(default_factory=list, description="Accepted debt with owner and expiry")
    waiver_policy: WaiverPolicySpec = Field(default_factory=WaiverPolicySpec)

    @field_validator("waivers")
    @classmethod
    def _unique_ids(cls, v: list[WaiverSpec]) -> list[WaiverSpec]:
        seen: set[str] = set()
        for w in v:
            if w.id in seen:
                raise ValueError(f"two waivers have the id {w.id!r}")
            seen.add(w.id)
        return v

    @field_validator("k6")
    @classmethod
    def _k6_exprs(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        for metric, exprs in v.items():
            for e in exprs:
                parse_k6_expression(metric, e)
        return v
