"""The policy file's schema (pydantic, ``extra="forbid"``) and its normalisation into a :class:`Policy`.

Two forms share one file:

* the **compact form** under ``quality_gates:`` (the launch customer's policy, accepted verbatim), and
* the **full form**: ``components``, ``reports``, ``path_mapping``, ``security``, ``smells``, ``gates``
  and ``k6`` (k6's own threshold expressions).

:func:`qualitygate.config.load_policy` validates the YAML against :class:`PolicyFile` and :func:`normalise`
turns it into the engine's :class:`~qualitygate.policy.Policy`. ``qualitygate schema`` prints this schema.
"""

from __future__ import annotations

import math
from dataclasses import replace
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
    DEFAULT_REPORTS,
    SMALL_CHANGE_METRICS,
    BaselineSettings,
    Component,
    EffortLevel,
    Gate,
    GateLevel,
    Mapping,
    Missing,
    Op,
    Policy,
    Security,
    SeverityWord,
    Smells,
    Source,
    check_metric,
    component_defaults,
    gate_title,
    parse_k6_expression,
)
from qualitygate.policy import PrefixRule as Rule
from qualitygate.units import Quantity, UnitError, convert, metric_unit, parse_effort_minutes, parse_quantity
from qualitygate.waivers import Match, Waiver, WaiverPolicy


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def _quantity(raw: object) -> Quantity:
    try:
        q = parse_quantity(raw)
    except UnitError as exc:
        raise ValueError(str(exc)) from None
    if not math.isfinite(q.value):  # "999...9%": the YAML reader only sees a string
        raise ValueError(f"number too large ({len(str(raw))} characters)")
    return q


def _percent(raw: object) -> object:
    """``80`` or ``80%``: a number of percent (other units are refused); numbers pass as written."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return raw
    q = _quantity(raw)
    if q.unit not in (None, "%"):
        raise ValueError(f"takes a percentage; {q} has the wrong unit")
    return q.value


def _effort(raw: object) -> float:
    try:
        return parse_effort_minutes(raw)
    except UnitError as exc:
        raise ValueError(str(exc)) from None


def _globs(raw: object) -> object:
    return [raw] if isinstance(raw, str) else raw


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


def _valid_globs(globs: list[str]) -> list[str]:
    from qualitygate.globs import compile_glob

    for g in globs:
        compile_glob(g)  # ValueError names the glob
    return globs


Globs = Annotated[list[str], BeforeValidator(_globs), AfterValidator(_valid_globs)]
# ------------------------------------------------------------------------------------ compact form


MAX_COUNT = 10**15  # a count as a threshold: above it, no report's count could differ (and floats stay exact)
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


_OPS: dict[str, Op] = {"min": ">=", "max": "<=", "lt": "<", "gt": ">"}
_VS_BASE: dict[str, Literal["drop", "rise"]] = {"max_drop": "drop", "max_rise": "rise"}


def _relative(key: str, q: Quantity, metric: str) -> bool:
    """A ``max_drop``/``max_rise`` in % is relative to the base value, unless the metric is itself in %
    (then 0.5% is 0.5 percentage points, as 0.5 is)."""
    return key in _VS_BASE and q.unit == "%" and metric_unit(metric) != "%"


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
        check_metric(self.metric)  # ValueError, with a did-you-mean, for a metric no report has
        if self.min_lines is not None and self.metric not in SMALL_CHANGE_METRICS:
            raise ValueError("min_lines applies to new.coverage.* and new.duplication.* gates only")
        given = [k for k in (*_OPS, *_VS_BASE) if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                f"give exactly one of min, max, lt, gt, max_drop, max_rise (got {', '.join(given) or 'none'})"
            )
        _check_bound(given[0], getattr(self, given[0]), self.metric)
        return self


def _check_bound(key: str, q: Quantity, metric: str) -> None:
    if key in _VS_BASE and q.value < 0:
        raise ValueError(f"{key} is how much worse than the base is allowed: 0 or more, got {q}")
    try:
        threshold = None if _relative(key, q, metric) else convert(q, metric)
    except UnitError as exc:
        raise ValueError(str(exc)) from None
    if threshold is not None and not math.isfinite(threshold):  # 1e300 days, in minutes
        raise ValueError(f"{key}: number too large in {metric}'s unit")


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


def _default_id(metric: str, component: str | None, project: str | None) -> str:
    scope = ":".join(s for s in (component, project) if s)
    return f"{metric}:{scope}" if scope else metric


def _gate(
    metric: str,
    op: Op,
    q: Quantity,
    defaults: Defaults,
    *,
    gate_id: str | None = None,
    title: str | None = None,
    component: str | None = None,
    paths: tuple[str, ...] = (),
    level: GateLevel | None = None,
    missing: Missing | None = None,
    min_lines: int | None = None,
    project: str | None = None,
) -> Gate:
    unit = metric_unit(metric)
    return Gate(
        id=gate_id or _default_id(metric, component, project),
        title=title or gate_title(metric, component) + (f" [{project}]" if project else ""),
        metric=metric,
        op=op,
        threshold=convert(q, metric),
        written=str(q)
        if q.unit or unit not in {"%", "ms", "s", "min"}
        else f"{q}{'' if unit is None else unit}",
        unit=unit,
        level=level or defaults.level,
        missing=missing or defaults.missing,
        component=component,
        paths=paths,
        min_lines=min_lines if metric in SMALL_CHANGE_METRICS else None,
        project=project,
    )


# The compact form's keys: (gate id, metric, unit of the value as written, path to the value).
_COMPACT: tuple[tuple[str, str, str | None, tuple[str, ...]], ...] = (
    ("complexity.cyclomatic", "complexity.cyclomatic.max", None, ("complexity", "max_cyclomatic")),
    ("complexity.cognitive", "complexity.cognitive.max", None, ("complexity", "max_cognitive")),
    ("duplications", "duplication.lines.pct", "%", ("duplications", "max_percentage")),
    ("security_hotspots", "security.blocking", None, ("security_hotspots",)),
    ("code_smells.count", "smells.count", None, ("code_smells", "max_count")),
    ("code_smells.debt", "smells.debt", "min", ("code_smells", "max_debt")),
)


def _dig(obj: object, keys: tuple[str, ...]) -> Any:
    for key in keys:
        if obj is None:
            return None
        obj = getattr(obj, key)
    return obj


def _compact_coverage(comp: str, minimum: float | CompactCoverage, d: Defaults) -> list[Gate]:
    """``{X: 80}`` (lines) or Jest's ``{X: {statements: 80, branches: 75, ...}}``: one gate per measure."""
    if not isinstance(minimum, CompactCoverage):
        return [
            _gate(
                "coverage.lines.pct",
                ">=",
                Quantity(minimum, "%"),
                d,
                gate_id=f"coverage.{comp}",
                component=comp,
            )
        ]
    return [
        _gate(
            f"coverage.{what}.pct",
            ">=",
            Quantity(value, "%"),
            d,
            gate_id=f"coverage.{comp}.{what}",
            component=comp,
        )
        for what in ("statements", "branches", "functions", "lines")
        if (value := getattr(minimum, what)) is not None
    ]


def _compact_gates(c: CompactGates, d: Defaults) -> list[Gate]:
    gates = [g for comp, minimum in (c.coverage or {}).items() for g in _compact_coverage(comp, minimum, d)]
    for gate_id, metric, unit, keys in _COMPACT:
        value = _dig(c, keys)
        if value is not None:
            gates.append(_gate(metric, "<=", Quantity(value, unit), d, gate_id=gate_id))
    if c.new_code is not None:
        gates += _new_code_gates(c.new_code, [*sorted(c.coverage or {})], d)
    return gates


# ``quality_gates.new_code``'s bounds: (key, gate id, metric, unit of the value as written).
_COMPACT_NEW: tuple[tuple[str, str, str, str | None], ...] = (
    ("security_hotspots", "new_code.security_hotspots", "new.security.blocking", None),
    ("code_smells", "new_code.code_smells", "new.smells.count", None),
    ("max_cyclomatic", "new_code.complexity.cyclomatic", "new.complexity.cyclomatic.max", None),
    ("max_cognitive", "new_code.complexity.cognitive", "new.complexity.cognitive.max", None),
    ("duplications", "new_code.duplications", "new.duplication.lines.pct", "%"),
    ("failing_tests", "new_code.failing_tests", "new.tests.failing", None),
)


def _new_coverage_gates(nc: CompactNewCode, components: list[str | None], d: Defaults) -> list[Gate]:
    """One gate per component: the numbers a mapping names, else the one number for every component of
    the compact ``coverage`` (or one gate over the default coverage report when there is none)."""
    metric = "new.coverage.lines.pct"
    minima: dict[str | None, float] = {}
    if isinstance(nc.coverage, dict):
        minima.update(nc.coverage)
    elif nc.coverage is not None:
        minima.update(dict.fromkeys(components or [None], nc.coverage))
    return [
        _gate(
            metric,
            ">=",
            Quantity(minimum, "%"),
            d,
            gate_id=f"new_code.coverage.{comp}" if comp else "new_code.coverage",
            component=comp,
            min_lines=nc.min_lines,
        )
        for comp, minimum in minima.items()
    ]


def _new_code_gates(nc: CompactNewCode, components: list[str | None], d: Defaults) -> list[Gate]:
    gates = _new_coverage_gates(nc, components, d)
    for key, gate_id, metric, unit in _COMPACT_NEW:
        value = getattr(nc, key)
        if value is not None:
            q = Quantity(value, unit)
            gates.append(_gate(metric, "<=", q, d, gate_id=gate_id, min_lines=nc.min_lines))
    return gates


def _full_gates(spec: PolicyFile) -> list[Gate]:
    d = spec.defaults
    gates: list[Gate] = []
    for g in spec.gates:
        key = next(k for k in (*_OPS, *_VS_BASE) if getattr(g, k) is not None)
        q: Quantity = getattr(g, key)
        if key in _VS_BASE:
            gates.append(_vs_base_gate(g, key, q, d))
            continue
        op = _OPS[key]
        gates.append(
            _gate(
                g.metric,
                op,
                q,
                d,
                gate_id=g.id,
                title=g.title,
                component=g.component,
                paths=tuple(g.paths),
                project=g.project,
                level=g.level,
                missing=g.missing,
                min_lines=g.min_lines,
            )
        )
    for metric, exprs in spec.k6.items():
        for expr in exprs:
            key_metric, op, value = parse_k6_expression(metric, expr)
            gates.append(
                _gate(
                    key_metric,
                    op,
                    Quantity(value, None),
                    d,
                    gate_id=f"k6.{metric}:{expr.replace(' ', '')}",
                    title=gate_title(key_metric, None),
                )
            )
    return gates


def _vs_base_gate(g: GateSpec, key: str, q: Quantity, d: Defaults) -> Gate:
    """``{metric: coverage.lines.pct, max_drop: 0.5}``: the drop (or rise) against the base is at most q."""
    relative = _relative(key, q, g.metric)
    gate = _gate(
        g.metric,
        "<=",
        Quantity(q.value, None) if relative else q,
        d,
        gate_id=g.id or f"{g.metric}{':' + g.component if g.component else ''}:{key}",
        title=g.title or f"{gate_title(g.metric, g.component)} {_VS_BASE[key]} vs base",
        component=g.component,
        paths=tuple(g.paths),
        level=g.level,
        missing=g.missing,
    )
    unit = "%" if relative else gate.unit
    written = f"{q.value:g}%" if relative else gate.written
    return replace(gate, vs_base=_VS_BASE[key], relative=relative, unit=unit, written=written)


def _component(name: str, cs: ComponentSpec) -> Component:
    cov_default, tests_default = component_defaults(name)
    return Component(
        name=name,
        paths=tuple(cs.paths) or (f"{name}/**",),
        coverage=Source(tuple(cs.coverage)) if cs.coverage else cov_default,
        tests=Source(tuple(cs.tests)) if cs.tests else tests_default,
    )


def _check_unique_ids(gates: list[Gate]) -> None:
    seen: set[str] = set()
    for g in gates:
        if g.id in seen:
            raise ValueError(f"two gates have the id {g.id!r}; give one an explicit 'id'")
        seen.add(g.id)


def normalise(spec: PolicyFile, source: str) -> Policy:
    """Turn a validated policy file into the engine's :class:`Policy` (flat gates, explicit sources)."""
    compact = _compact_gates(spec.quality_gates, spec.defaults) if spec.quality_gates else []
    gates = compact + _full_gates(spec)
    _check_unique_ids(gates)
    names = set(spec.components) | {g.component for g in gates if g.component}
    components = {
        name: _component(name, spec.components.get(name, ComponentSpec())) for name in sorted(names)
    }
    reports = dict(DEFAULT_REPORTS)
    reports.update(
        (role, Source(tuple(globs))) for role, globs in spec.reports.model_dump(exclude_none=True).items()
    )
    return Policy(
        source=source,
        gates=tuple(gates),
        components=components,
        reports=reports,
        mapping=Mapping(tuple(Rule(r.from_, r.to) for r in spec.path_mapping.rules), spec.path_mapping.auto),
        security=Security(tuple(spec.security.severity), spec.security.source, spec.security.ignore_unfixed),
        # a partial `smells.effort` overrides the levels it names; the others keep their documented default
        smells=Smells({**DEFAULT_EFFORT, **{str(k): v for k, v in spec.smells.effort.items()}}),
        baseline=None
        if spec.baseline is False
        else BaselineSettings(spec.baseline.path, spec.baseline.stale),
        waivers=tuple(_waiver(w) for w in spec.waivers),
        waiver_policy=WaiverPolicy(**spec.waiver_policy.model_dump()),
    )


def _waiver(w: WaiverSpec) -> Waiver:
    return Waiver(
        id=w.id,
        match=Match(**w.match.model_dump()),
        reason=w.reason,
        owner=w.owner,
        expires=w.expires,
        ticket=w.ticket,
    )
