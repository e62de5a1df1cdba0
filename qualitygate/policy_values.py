"""The policy's value readers, shared by the pydantic schema (:mod:`qualitygate.policy_schema`) and the hand
validator of the common forms (:mod:`qualitygate.policy_fast`): each raises ValueError with the message the
policy error shows. No pydantic here, so the hand validator's path never imports it."""

from __future__ import annotations

import math
from typing import Literal

from qualitygate.policy import SMALL_CHANGE_METRICS, Op, check_metric
from qualitygate.units import Quantity, UnitError, convert, metric_unit, parse_effort_minutes, parse_quantity

MAX_COUNT = 10**15  # a count as a threshold: above it, no report's count could differ (and floats stay exact)
OPS: dict[str, Op] = {"min": ">=", "max": "<=", "lt": "<", "gt": ">"}
VS_BASE: dict[str, Literal["drop", "rise"]] = {"max_drop": "drop", "max_rise": "rise"}


def quantity(raw: object) -> Quantity:
    try:
        q = parse_quantity(raw)
    except UnitError as exc:
        raise ValueError(str(exc)) from None
    if not math.isfinite(q.value):  # "999...9%": the YAML reader only sees a string
        raise ValueError(f"number too large ({len(str(raw))} characters)")
    return q


def percent(raw: object) -> object:
    """``80`` or ``80%``: a number of percent (other units are refused); numbers pass as written."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return raw
    q = quantity(raw)
    if q.unit not in (None, "%"):
        raise ValueError(f"takes a percentage; {q} has the wrong unit")
    return q.value


def effort(raw: object) -> float:
    try:
        return parse_effort_minutes(raw)
    except UnitError as exc:
        raise ValueError(str(exc)) from None


def globs(raw: object) -> object:
    return [raw] if isinstance(raw, str) else raw


def valid_globs(globs: list[str]) -> list[str]:
    from qualitygate.globs import compile_glob

    for g in globs:
        compile_glob(g)  # ValueError names the glob
    return globs


def relative(key: str, q: Quantity, metric: str) -> bool:
    """A ``max_drop``/``max_rise`` in % is relative to the base value, unless the metric is itself in %
    (then 0.5% is 0.5 percentage points, as 0.5 is)."""
    return key in VS_BASE and q.unit == "%" and metric_unit(metric) != "%"


def check_bound(key: str, q: Quantity, metric: str) -> None:
    if key in VS_BASE and q.value < 0:
        raise ValueError(f"{key} is how much worse than the base is allowed: 0 or more, got {q}")
    try:
        threshold = None if relative(key, q, metric) else convert(q, metric)
    except UnitError as exc:
        raise ValueError(str(exc)) from None
    if threshold is not None and not math.isfinite(threshold):  # 1e300 days, in minutes
        raise ValueError(f"{key}: number too large in {metric}'s unit")


def check_gate(metric: str, min_lines: int | None, bounds: dict[str, Quantity | None]) -> None:
    """A full-form gate as a whole: a known metric, exactly one bound that fits its unit."""
    check_metric(metric)  # ValueError, with a did-you-mean, for a metric no report has
    if min_lines is not None and metric not in SMALL_CHANGE_METRICS:
        raise ValueError("min_lines applies to new.coverage.* and new.duplication.* gates only")
    given = {k: q for k, q in bounds.items() if q is not None}
    if len(given) != 1:
        raise ValueError(
            f"give exactly one of min, max, lt, gt, max_drop, max_rise (got {', '.join(given) or 'none'})"
        )
    (key, q), *_ = given.items()
    check_bound(key, q, metric)
