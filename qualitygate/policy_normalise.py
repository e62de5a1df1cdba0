"""A validated policy file turned into the engine's :class:`~qualitygate.policy.Policy` (flat gates, explicit
sources). It reads the validated tree by attribute only, so the same code serves the pydantic models of
:mod:`qualitygate.policy_schema` and the plain tree of the hand validator (:mod:`qualitygate.policy_fast`),
and it imports no pydantic."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from qualitygate.policy import (
    DEFAULT_EFFORT,
    DEFAULT_REPORTS,
    SMALL_CHANGE_METRICS,
    BaselineSettings,
    Component,
    Gate,
    GateLevel,
    Mapping,
    Missing,
    Op,
    Policy,
    Security,
    Smells,
    Source,
    component_defaults,
    gate_title,
    parse_k6_expression,
)
from qualitygate.policy import PrefixRule as Rule
from qualitygate.policy_values import OPS as _OPS
from qualitygate.policy_values import VS_BASE as _VS_BASE
from qualitygate.policy_values import relative as _relative
from qualitygate.units import Quantity, convert, metric_unit
from qualitygate.waivers import Match, Waiver, WaiverPolicy

if TYPE_CHECKING:
    from qualitygate.policy_schema import (
        CompactCoverage,
        CompactGates,
        CompactNewCode,
        ComponentSpec,
        Defaults,
        GateSpec,
        PolicyFile,
        WaiverSpec,
    )


def fields(obj: object) -> dict[str, Any]:
    """A validated section's fields by name (a pydantic model's and a plain object's alike)."""
    return dict(vars(obj))


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
    if isinstance(minimum, int | float):  # validated: a number, or the measures' section
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


def _component(name: str, cs: ComponentSpec | None) -> Component:
    """A component as the policy declares it; one only a gate names has the defaults."""
    cov_default, tests_default = component_defaults(name)
    if cs is None:
        return Component(name=name, paths=(f"{name}/**",), coverage=cov_default, tests=tests_default)
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
    components = {name: _component(name, spec.components.get(name)) for name in sorted(names)}
    return Policy(
        source=source,
        gates=tuple(gates),
        components=components,
        reports=_reports(spec),
        mapping=Mapping(tuple(Rule(r.from_, r.to) for r in spec.path_mapping.rules), spec.path_mapping.auto),
        security=Security(tuple(spec.security.severity), spec.security.source, spec.security.ignore_unfixed),
        # a partial `smells.effort` overrides the levels it names; the others keep their documented default
        smells=Smells({**DEFAULT_EFFORT, **{str(k): v for k, v in spec.smells.effort.items()}}),
        baseline=None
        if spec.baseline is False
        else BaselineSettings(spec.baseline.path, spec.baseline.stale),
        waivers=tuple(_waiver(w) for w in spec.waivers),
        waiver_policy=WaiverPolicy(**fields(spec.waiver_policy)),
    )


def _reports(spec: PolicyFile) -> dict[str, Source]:
    """The default report locations, with the ones the policy names instead."""
    given = {role: Source(tuple(globs)) for role, globs in fields(spec.reports).items() if globs is not None}
    return {**DEFAULT_REPORTS, **given}


def _waiver(w: WaiverSpec) -> Waiver:
    return Waiver(
        id=w.id,
        match=Match(**fields(w.match)),
        reason=w.reason,
        owner=w.owner,
        expires=w.expires,
        ticket=w.ticket,
    )
