"""Quantities with units in the policy language: ``80``, ``80%``, ``200ms``, ``0.2s``, ``30min``, ``1d``.

Each metric has a canonical unit (``metric_unit``); a threshold written in another unit of the same
dimension is converted to it, and one of another dimension is a policy error. A day of remediation effort
is 8 hours, as SonarQube counts it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Canonical units: "%" for percentages, "ratio" for k6 rates (0..1), "ms" for k6 times, "s" for test
# durations, "min" for remediation effort, None for counts and scores.
_TIME_MS = {"ms": 1.0, "s": 1000.0, "min": 60_000.0, "m": 60_000.0, "h": 3_600_000.0}
_EFFORT_MIN = {"min": 1.0, "m": 1.0, "h": 60.0, "d": 480.0}  # 1d = 8h (SonarQube)

_QUANTITY = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(%|ms|s|min|m|h|d)?\s*$")


class UnitError(ValueError):
    """A quantity that cannot be read or does not fit the metric; the message says what was expected."""


@dataclass(frozen=True, slots=True)
class Quantity:
    value: float
    unit: str | None  # as written: "%", "ms", "s", "min", "m", "h", "d" or None

    def __str__(self) -> str:
        v = f"{self.value:g}"
        return f"{v}{self.unit}" if self.unit else v


def parse_quantity(raw: object) -> Quantity:
    if isinstance(raw, bool):
        raise UnitError(f"expected a number or a quantity like 80%, 200ms, 1d; got {raw!r}")
    if isinstance(raw, int | float):
        return Quantity(float(raw), None)
    if isinstance(raw, str):
        m = _QUANTITY.match(raw)
        if m:
            return Quantity(float(m.group(1)), m.group(2))
    raise UnitError(f"expected a number or a quantity like 80%, 200ms, 0.5s, 30min, 4h, 1d; got {raw!r}")


def parse_effort_minutes(raw: object) -> float:
    """A remediation effort (``30min``, ``4h``, ``1d``; a bare number is minutes) in minutes."""
    q = parse_quantity(raw)
    if q.unit is None:
        return q.value
    if q.unit not in _EFFORT_MIN:
        raise UnitError(f"expected a duration like 30min, 4h, 1d; got {raw!r}")
    return q.value * _EFFORT_MIN[q.unit]


def metric_unit(metric: str) -> str | None:
    """The canonical unit of a metric key."""
    if metric.endswith(".pct") or metric == "tests.pass_rate":
        return "%"
    if metric.startswith("k6."):
        stat = metric.rsplit(".", 1)[-1]
        if stat == "rate" and not metric.startswith(("k6.http_reqs.", "k6.iterations.", "k6.data_")):
            return "ratio"
        if stat in {"avg", "min", "med", "max"} or stat.startswith("p("):
            base = metric[3:].split("{", 1)[0].rsplit(".", 1)[0]
            if base.endswith(("_duration", "_blocked", "_connecting", "_receiving", "_sending", "_waiting")):
                return "ms"
            if base.endswith("_handshaking"):
                return "ms"
        return None
    if metric == "tests.duration_s":
        return "s"
    if metric.endswith(".debt"):
        return "min"
    return None


# For each canonical unit: the factor that converts each unit a threshold may be written in.
_CONVERSIONS: dict[str, dict[str, float]] = {
    "%": {"%": 1.0},
    "ratio": {"%": 0.01},
    "ms": _TIME_MS,
    "s": {k: v / 1000.0 for k, v in _TIME_MS.items()},
    "min": _EFFORT_MIN,
}
_DIMENSION = {"%": "a percentage", "ratio": "a ratio or a percentage", "ms": "a time", "s": "a time"}


def convert(q: Quantity, metric: str) -> float:
    """Express ``q`` in the canonical unit of ``metric``; raise UnitError when the dimensions differ."""
    if q.unit is None:
        return q.value
    target = metric_unit(metric)
    factor = _CONVERSIONS.get(target or "", {}).get(q.unit)
    if factor is None:
        want = _DIMENSION.get(target or "", "a duration" if target == "min" else "a plain number")
        raise UnitError(f"{metric} takes {want}; {q} has the wrong unit")
    return q.value * factor


def display_unit(unit: str | None) -> str | None:
    """How a canonical unit is shown next to a value ("ratio" values are shown as they are)."""
    return None if unit == "ratio" else unit


def format_minutes(minutes: float) -> str:
    """Remediation effort as people say it: ``45min``, ``2h 30min``, ``1d 2h`` (a day is 8 hours)."""
    total = round(minutes)
    if total < 60:
        return f"{total}min"
    days, rest = divmod(total, 480)
    hours, mins = divmod(rest, 60)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "", f"{mins}min" if mins else ""]
    return " ".join(p for p in parts if p)


def format_value(value: float | None, unit: str | None, *, against: float | None = None) -> str:
    """A metric value for people. ``against``: a threshold the value must not appear to equal when it
    differs (79.996 % is not shown as 80 % next to an 80 % minimum)."""
    if value is None:
        return "n/a"
    if unit == "min":
        return format_minutes(value)
    shown = value * 100.0 if unit == "ratio" else value
    ref = None if against is None else (against * 100.0 if unit == "ratio" else against)
    digits = 0 if float(shown).is_integer() else 2
    text = f"{shown:.{digits}f}"
    while ref is not None and value != against and digits < 8 and float(text) == round(ref, digits):
        digits += 1
        text = f"{shown:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    suffix = {"%": "%", "ratio": "%", "ms": " ms", "s": " s"}.get(unit or "", "")
    return text + suffix
