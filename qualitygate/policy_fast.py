"""A hand validator for the policy's common forms, so that the first check after a policy edit does not pay
for pydantic (its import and the schema build are most of that check's cost).

It accepts a strict subset of what :class:`~qualitygate.policy_schema.PolicyFile` accepts: the compact
form (``quality_gates:``), ``defaults``, ``security``, ``k6`` and full-form ``gates``, each value of exactly
the type the schema ends with (an ``int`` count, not ``10.0`` or ``"10"``). Whatever it does not accept, it
hands back (None) and pydantic decides, so every policy error keeps pydantic's message and position. What it
accepts becomes a plain tree with the schema's attribute names, which
:func:`qualitygate.policy_normalise.normalise` reads as it reads the pydantic models
(tests/test_policy_fast.py pins the two equal on every policy in the repository).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from types import SimpleNamespace as Section
from typing import TYPE_CHECKING, Any, get_args

from qualitygate.policy import DEFAULT_BASELINE, Missing, SeverityWord, parse_k6_expression
from qualitygate.policy_values import (
    MAX_COUNT,
    OPS,
    VS_BASE,
    check_gate,
    effort,
    percent,
    quantity,
    valid_globs,
)

if TYPE_CHECKING:
    from qualitygate.policy_schema import PolicyFile


class _Slow(Exception):
    """Not a value this validator accepts as the schema would: pydantic decides."""


_TOP = frozenset({"version", "quality_gates", "defaults", "security", "k6", "gates"})
_COMPACT = frozenset(
    {"coverage", "complexity", "duplications", "security_hotspots", "code_smells", "new_code"}
)
_MEASURES = ("statements", "branches", "functions", "lines")
_NEW_COUNTS = ("security_hotspots", "code_smells", "max_cyclomatic", "max_cognitive", "failing_tests")
_GATE_TEXT = ("id", "title", "component", "project")
_GATE_KEYS = frozenset({*_GATE_TEXT, "metric", "paths", *OPS, *VS_BASE, "level", "missing", "min_lines"})
_SEVERITIES = frozenset(get_args(SeverityWord))
_MISSING = {m.value: m for m in Missing}


def fast_spec(data: dict[Any, Any]) -> PolicyFile | None:
    """The validated tree of a policy in a common form, or None for pydantic to validate."""
    try:
        return _policy(data)  # type: ignore[return-value]  # the schema's attribute names, plain objects
    except (_Slow, ValueError, TypeError, LookupError, OverflowError, RecursionError):
        return None


def _policy(d: dict[Any, Any]) -> Section:
    if not _TOP.issuperset(d) or d.get("version", 1) != 1 or type(d.get("version", 1)) is not int:
        raise _Slow
    return Section(
        version=1,
        quality_gates=_compact(d["quality_gates"]) if d.get("quality_gates") is not None else None,
        defaults=_defaults(d.get("defaults", {})),
        components={},
        reports=Section(),
        path_mapping=Section(rules=[], auto=True),
        security=_security(d.get("security", {})),
        smells=Section(effort={}),  # normalise fills each level's default
        gates=[_gate(g) for g in _list(d.get("gates", []))],
        k6=_k6(d.get("k6", {})),
        baseline=Section(path=DEFAULT_BASELINE, stale=None),
        waivers=[],
        waiver_policy=Section(max_days=180, warn_days=14, unused="warn"),
    )


def _defaults(raw: object) -> Section:
    d = _map(raw, ("missing", "level"))
    missing, level = _missing(d.get("missing", "fail")), _level(d.get("level", "fail"))
    if missing is None or level is None:
        raise _Slow
    return Section(missing=missing, level=level)


def _map(raw: object, keys: frozenset[str] | tuple[str, ...] | None = None) -> dict[str, Any]:
    if type(raw) is not dict or any(type(k) is not str for k in raw):
        raise _Slow
    if keys is not None and not set(raw) <= set(keys):
        raise _Slow
    return raw


def _list(raw: object) -> list[Any]:
    if type(raw) is not list:
        raise _Slow
    return raw


def _text(raw: object, optional: bool = True) -> str | None:
    if (raw is None and optional) or type(raw) is str:
        return raw
    raise _Slow


def _count(raw: object, low: int = 0, high: float = math.inf) -> int | None:
    if raw is None:
        return None
    if type(raw) is not int or not low <= raw <= high:
        raise _Slow
    return raw


def _pct(raw: object) -> float:
    if type(raw) not in (int, float, str):
        raise _Slow
    value = percent(raw)
    if not isinstance(value, int | float) or not 0 <= value <= 100:  # NaN fails too
        raise _Slow
    return float(value)


def _opt_pct(raw: object) -> float | None:
    return None if raw is None else _pct(raw)


def _compact(raw: object) -> Section:
    c = _map(raw, _COMPACT)
    return Section(
        coverage=_section(c, "coverage", lambda v: {k: _minimum(m) for k, m in _map(v).items()}),
        complexity=_section(c, "complexity", _complexity),
        duplications=_section(c, "duplications", _duplications),
        security_hotspots=_count(c.get("security_hotspots"), high=MAX_COUNT),
        code_smells=_section(c, "code_smells", _smells),
        new_code=_section(c, "new_code", _new_code),
    )


def _section(c: dict[str, Any], key: str, read: Callable[[Any], Any]) -> Any:
    return None if c.get(key) is None else read(c[key])


def _complexity(raw: object) -> Section:
    c = _map(raw, ("max_cyclomatic", "max_cognitive"))
    return Section(**{k: _count(c.get(k), high=MAX_COUNT) for k in ("max_cyclomatic", "max_cognitive")})


def _duplications(raw: object) -> Section:
    d = _map(raw, ("max_percentage",))
    if "max_percentage" not in d:
        raise _Slow
    return Section(max_percentage=_pct(d["max_percentage"]))


def _smells(raw: object) -> Section:
    s = _map(raw, ("max_count", "max_debt"))
    return Section(max_count=_count(s.get("max_count"), high=MAX_COUNT), max_debt=_debt(s.get("max_debt")))


def _minimum(raw: object) -> float | Section:
    if type(raw) is dict:
        measures = _map(raw, _MEASURES)
        return Section(**{k: _opt_pct(measures.get(k)) for k in _MEASURES})
    return _pct(raw)


def _debt(raw: object) -> float | None:
    if raw is None:
        return None
    if type(raw) not in (int, float, str):
        raise _Slow
    minutes = float(effort(raw))
    if not math.isfinite(minutes):
        raise _Slow
    return minutes


def _new_code(raw: object) -> Section:
    nc = _map(raw, (*_NEW_COUNTS, "coverage", "duplications", "min_lines"))
    coverage = nc.get("coverage")
    return Section(
        coverage={k: _pct(v) for k, v in _map(coverage).items()}
        if type(coverage) is dict
        else _opt_pct(coverage),
        duplications=_opt_pct(nc.get("duplications")),
        min_lines=_count(nc.get("min_lines"), low=1),
        **{k: _count(nc.get(k)) for k in _NEW_COUNTS},
    )


def _security(raw: object) -> Section:
    s = _map(raw, ("severity", "source", "ignore_unfixed"))
    severity = s.get("severity", ["CRITICAL", "HIGH"])
    if type(severity) is str:
        severity = [part.strip() for part in severity.split(",")]
    words = [w.upper() if type(w) is str else w for w in _list(severity)]
    if not _SEVERITIES.issuperset(words) or s.get("source", "scanner") not in ("scanner", "cvss"):
        raise _Slow
    if type(s.get("ignore_unfixed", False)) is not bool:
        raise _Slow
    return Section(
        severity=words, source=s.get("source", "scanner"), ignore_unfixed=s.get("ignore_unfixed", False)
    )


def _k6(raw: object) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for metric, exprs in _map(raw).items():
        listed = _list([exprs] if type(exprs) is str else exprs)
        for expr in listed:
            parse_k6_expression(metric, _text(expr, optional=False))  # type: ignore[arg-type]
        out[metric] = listed
    return out


def _gate(raw: object) -> Section:
    g = _map(raw, _GATE_KEYS)
    bounds = {k: None if g.get(k) is None else quantity(g[k]) for k in (*OPS, *VS_BASE)}
    metric = _text(g.get("metric"), optional=False)
    min_lines = _count(g.get("min_lines"), low=1)
    check_gate(metric or "", min_lines, bounds)
    return Section(
        **{k: _text(g.get(k)) for k in _GATE_TEXT},
        metric=metric,
        paths=_globs(g.get("paths", [])),
        **bounds,
        level=_level(g.get("level")),
        missing=_missing(g.get("missing")),
        min_lines=min_lines,
    )


def _globs(raw: object) -> list[str]:
    listed = [raw] if type(raw) is str else _list(raw)
    if any(type(p) is not str for p in listed):
        raise _Slow
    return valid_globs(listed)


def _level(raw: object) -> str | None:
    if raw is not None and raw not in ("fail", "warn"):
        raise _Slow
    return raw


def _missing(raw: object) -> Missing | None:
    if raw is None:
        return None
    if type(raw) is not str or raw not in _MISSING:
        raise _Slow
    return _MISSING[raw]
