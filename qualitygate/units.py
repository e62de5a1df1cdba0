"""Quantities with units in the policy language: ``80``, ``80%``, ``200ms``, ``0.2s``, ``30min``, ``1d``.

Each metric has a canonical unit (``metric_unit``); a threshold written in another unit of the same
dimension is converted to it, and one of another dimension is a policy error. A day of remediation effort
is 8 hours, as SonarQube counts it.
"""

from __future__ import annotations

import math
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


_EFFORT_PART = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(d|h|min|m|s)?\s*", re.IGNORECASE)
_EFFORT_PART_MIN = {**_EFFORT_MIN, "s": 1.0 / 60.0, "": 1.0}


def effort_in_report(value: object) -> float | None:
    """A remediation effort as a report writes it, in minutes: a number, or SonarQube's ``"5min"``,
    ``"1h 30min"``, ``"2d"``; None for anything else (the policy's per-level default then applies)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if not isinstance(value, str) or not value.strip():
        return None
    total = 0.0
    pos = 0
    while pos < len(value):
        m = _EFFORT_PART.match(value, pos)
        if not m or m.end() == pos:
            return None
        total += float(m.group(1)) * _EFFORT_PART_MIN[(m.group(2) or "").lower()]
        pos = m.end()
    return total


def parse_effort_minutes(raw: object) -> float:
    """A remediation effort (``30min``, ``4h``, ``1d``; a bare number is minutes) in minutes."""
    q = parse_quantity(raw)
    if q.unit is None:
        return q.value
    if q.unit not in _EFFORT_MIN:
        raise UnitError(f"expected a duration like 30min, 4h, 1d; got {raw!r}")
    return q.value * _EFFORT_MIN[q.unit]


# k6 rates that count things per second rather than a share of requests (0..1).
_K6_COUNTER_RATES = ("k6.http_reqs.", "k6.iterations.", "k6.data_")
# k6 trends measured in milliseconds: the request timings and the connection phases.
_K6_TIMINGS = ("_duration", "_blocked", "_connecting", "_receiving", "_sending", "_waiting", "_handshaking")
_K6_TREND_STATS = frozenset({"avg", "min", "med", "max"})


def metric_unit(metric: str) -> str | None:
    """The canonical unit of a metric key."""
    if metric.endswith(".pct") or metric == "tests.pass_rate":
        return "%"
    if metric.startswith("k6."):
        return _k6_unit(metric)
    if metric.startswith("locust."):
        return _locust_unit(metric)
    if metric == "tests.duration_s":
        return "s"
    if metric.endswith(".debt"):
        return "min"
    return None


def _k6_unit(metric: str) -> str | None:
    """``ratio`` for a k6 rate that is a share, ``ms`` for a statistic of a timing trend; else None."""
    name, stat = split_k6_metric(metric)
    if stat == "rate":
        return None if metric.startswith(_K6_COUNTER_RATES) else "ratio"
    if _is_trend_stat(stat) and name.split("{", 1)[0].endswith(_K6_TIMINGS):
        return "ms"
    return None


def _locust_unit(metric: str) -> str | None:
    """Locust: ``fail_ratio`` is a share (``ratio``); response times (med, avg, min, max, p(N)) are ms."""
    stat = split_locust_metric(metric)[1]
    if stat == "fail_ratio":
        return "ratio"
    return "ms" if _is_trend_stat(stat) else None


def split_locust_metric(metric: str) -> tuple[str, str]:
    """``locust.GET /cart.p(99.9)`` -> (``GET /cart``, ``p(99.9)``)."""
    return _split_stat(metric[len("locust.") :])


def _split_stat(body: str) -> tuple[str, str]:
    """``name.p(99.9)`` -> (``name``, ``p(99.9)``): a percentile's own dots stay in the stat."""
    if body.endswith(")") and "(" in body:
        open_ = body.rindex("(")
        dot = body.rindex(".", 0, open_)
        return body[:dot], body[dot + 1 :]
    name, _, stat = body.rpartition(".")
    return name, stat


def _is_trend_stat(stat: str) -> bool:
    """``avg``, ``min``, ``med``, ``max`` or a percentile such as ``p(95)``."""
    return stat in _K6_TREND_STATS or stat.startswith("p(")


def split_k6_metric(metric: str) -> tuple[str, str]:
    """``k6.http_req_duration{expected_response:true}.p(99.9)`` -> (name with tags, stat)."""
    body = metric[len("k6.") :]
    if "}" in body:
        close = body.rindex("}")
        return body[: close + 1], body[close + 2 :]
    return _split_stat(body)


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


def format_minutes(minutes: float) -> str:
    """Remediation effort as people say it: ``45min``, ``2h 30min``, ``1d 2h`` (a day is 8 hours)."""
    total = round(minutes)
    if total < 60:
        return f"{total}min"
    days, rest = divmod(total, 480)
    hours, mins = divmod(rest, 60)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "", f"{mins}min" if mins else ""]
    return " ".join(p for p in parts if p)


_SUFFIX = {"%": "%", "ratio": "%"}  # any other unit follows the number after a space: "250 ms", "38 lines"


def _suffix(unit: str | None) -> str:
    return _SUFFIX.get(unit, f" {unit}") if unit else ""


def format_value(
    value: float | None, unit: str | None, *, against: float | None = None, missing: str = "n/a"
) -> str:
    """Every number qualitygate shows a person, in every format and message: whole numbers bare, else 2
    decimals (4 below 1), k6 rates (``ratio``) as percentages, effort (``min``) as ``2h 30min``.

    ``against``: the bound the value is compared with. As coverage.py's ``display_covered`` never rounds
    99.996 % up to 100 %, a value that is not exactly the bound never reads as the bound or past it: 79.996 %
    against a minimum of 80 % shows ``79.99%``, 80.004 % shows ``80.01%``, 2.9992 % against 3 % ``2.99%``."""
    if value is None:
        return missing
    exact = _exact(value, unit)
    if exact is not None:
        return exact
    if unit == "min":
        return format_minutes(_on_its_side(value, against, 0))
    shown = _in_display_unit(value, unit)
    digits = 4 if abs(shown) < 1 else 2
    bound = None if against is None or value == against else _in_display_unit(against, unit)
    text = _strip_zeros(f"{_on_its_side(shown, bound, digits):.{digits}f}")
    return ("0" if text == "-0" else text) + _suffix(unit)


def _exact(value: float, unit: str | None) -> str | None:
    """A count (exact however large) or a value that is not finite, as it is; None for any other."""
    if isinstance(value, int) and not isinstance(value, bool) and unit not in ("ratio", "min"):
        return f"{value}{_suffix(unit)}"
    if not math.isfinite(value):
        return ("NaN" if math.isnan(value) else "inf" if value > 0 else "-inf") + _suffix(unit)
    return None


def _in_display_unit(value: float, unit: str | None) -> float:
    """k6 rates (``ratio``) are shown as percentages; every other value as it is."""
    return value * 100.0 if unit == "ratio" else value


def _on_its_side(value: float, bound: float | None, digits: int) -> float:
    """``value`` rounded to ``digits``; when that would read as ``bound`` or past it although the value
    differs from it, the nearest figure on the value's side of the bound instead."""
    shown = round(value, digits)
    if bound is None or value == bound or not math.isfinite(bound):
        return shown
    edge = round(bound, digits)
    step = 10.0**-digits
    if value < bound and shown >= edge:
        return edge - step
    if value > bound and shown <= edge:
        return edge + step
    return shown


def _strip_zeros(text: str) -> str:
    """ "80.50" -> "80.5", "80.00" -> "80"; a number without a decimal point is left as it is."""
    return text.rstrip("0").rstrip(".") if "." in text else text
