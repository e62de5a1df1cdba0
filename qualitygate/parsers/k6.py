"""k6 end-of-test summaries, in both JSON shapes k6 writes today (../shared/FORMATS.md §1).

* ``handleSummary(data)`` / ``JSON.stringify(data)``: ``metrics.<name>`` = ``{type, contains, values{...},
  thresholds{"<expr>": {"ok": bool}}}``, plus ``options`` and ``state.testRunDurationMs``.
* ``k6 run --summary-export``: made from the same data by ``oldJSONSummary()`` in grafana/k6
  ``js/summary-wrapper.js``, which flattens each metric to its values, drops ``type``/``contains``, renames a
  rate's ``rate`` to ``value`` ("// sigh...") and writes each threshold as ``!threshold.ok``, so there
  **true means FAILED** (grafana/k6#1498).

Both are normalised to the handleSummary names (a rate's stat is ``rate``) and to ``ok = passed``, so a
policy reads ``k6.http_req_failed.rate`` whichever shape the run wrote. The shape is decided per metric and
per threshold from the JSON types (an object with ``values``; a threshold that is an object or a boolean),
not from a guess about the whole file. k6 plans a third, versioned summary format (grafana/k6#4803): a
top-level ``version`` is refused with a clear message rather than misread.
"""

from __future__ import annotations

import re
from typing import Any

from qualitygate.errors import ReportFormatError
from qualitygate.model import K6Metric, K6Threshold, LoadTestReport
from qualitygate.parsers.jsonload import load_object, type_name

WHAT = "k6 summary"

_K6_NAMES = re.compile(
    r'"(?:http_req_duration|http_reqs|iterations|iteration_duration|vus|vus_max|checks|data_received|'
    r'data_sent|grpc_req_duration)(?:\{[^"]*\})?"\s*:\s*\{'
)
_TYPES = frozenset({"trend", "rate", "counter", "gauge"})


KIND = "k6"
REFRESH = {"": "k6 run --summary-export={path} SCRIPT"}


def sniff(head: str) -> bool:
    """A ``"metrics"`` object holding k6's built-in metric names, or k6's ``"root_group"``."""
    if '"root_group"' in head:
        return True
    return '"metrics"' in head and _K6_NAMES.search(head) is not None


def parse(path: str, display: str | None = None) -> LoadTestReport:
    doc = load_object(path, WHAT)
    metrics = _metrics_of(path, doc)
    report = LoadTestReport(path=display or path, kind="k6", tool="k6")
    exported = False
    for name, body in metrics.items():
        where = f"metrics.{name}"
        if not isinstance(body, dict):
            raise ReportFormatError(path, f"{where}: expected an object, got {type_name(body)}")
        if isinstance(body.get("values"), dict):
            metric = _handle_summary_metric(path, name, body, where, report.warnings)
        else:
            exported = True
            metric = _exported_metric(path, name, body, where, report.warnings)
        report.k6_metrics.append(metric)
    report.shape = "summary-export" if exported else "handleSummary"
    report.duration_ms = _duration_ms(doc.get("state"))
    return report


def _metrics_of(path: str, doc: dict[str, Any]) -> dict[str, Any]:
    """The ``metrics`` object of a summary whose shape this module knows."""
    version = doc.get("version")
    if version is not None:
        raise ReportFormatError(
            path,
            f"k6 summary format version {version!r} is not supported yet: "
            "qualitygate reads the handleSummary() data and --summary-export shapes",
        )
    metrics = doc.get("metrics")
    if not isinstance(metrics, dict):
        got = "no" if metrics is None else f"{type_name(metrics)} as"
        raise ReportFormatError(path, f"not a k6 summary: {got} 'metrics' (expected an object of metrics)")
    return metrics


def _duration_ms(state: object) -> float | None:
    """``state.testRunDurationMs`` (handleSummary and --summary-export both write it), when it is a number."""
    if not isinstance(state, dict):
        return None
    duration = state.get("testRunDurationMs")
    if isinstance(duration, int | float) and not isinstance(duration, bool):
        return float(duration)
    return None


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _stats(
    path: str, values: dict[str, Any], where: str, warnings: list[str], skip: tuple[str, ...] = ()
) -> dict[str, float]:
    out: dict[str, float] = {}
    for stat, v in values.items():
        if stat in skip:
            continue
        if _is_number(v):
            out[stat] = v
        elif v is None:
            # k6 writes null for a stat it could not compute (a trend with no samples).
            warnings.append(f"{where}.{stat}: null (no samples?); left out")
        else:
            raise ReportFormatError(path, f"{where}.{stat}: expected a number, got {type_name(v)}")
    return out


def _handle_summary_metric(
    path: str, name: str, body: dict[str, Any], where: str, warnings: list[str]
) -> K6Metric:
    values = _stats(path, body["values"], f"{where}.values", warnings)
    mtype = body.get("type")
    if mtype not in _TYPES:
        inferred = infer_type(values)
        if mtype is not None:
            warnings.append(f"{where}.type: unknown type {mtype!r}; read as {inferred}")
        mtype = inferred
    contains = body.get("contains")
    thresholds: list[K6Threshold] = []
    raw = body.get("thresholds")
    if raw is not None:
        if not isinstance(raw, dict):
            raise ReportFormatError(path, f"{where}.thresholds: expected an object, got {type_name(raw)}")
        for expr, t in raw.items():
            ok = t.get("ok") if isinstance(t, dict) else None
            if not isinstance(ok, bool):
                raise ReportFormatError(
                    path, f'{where}.thresholds["{expr}"]: expected {{"ok": true|false}}, got {t!r}'
                )
            thresholds.append(K6Threshold(expression=expr, ok=ok))
    return K6Metric(
        name=name,
        type=str(mtype),
        values=values,
        contains=contains if isinstance(contains, str) else None,
        thresholds=thresholds,
    )


def _exported_metric(path: str, name: str, body: dict[str, Any], where: str, warnings: list[str]) -> K6Metric:
    values = _stats(path, body, where, warnings, skip=("thresholds",))
    mtype = infer_type(values)
    # A rate's passes/fails are copied as k6 wrote them: "passes" counts true samples, which for
    # http_req_failed are the FAILED requests ({"passes": 349, "fails": 529} = 349 failures); never read
    # passes as "good" for that metric.
    if mtype == "rate" and "value" in values:
        # oldJSONSummary renamed the rate's "rate" to "value"; name it as handleSummary() does.
        values["rate"] = values.pop("value")
    thresholds: list[K6Threshold] = []
    raw = body.get("thresholds")
    if raw is not None:
        if not isinstance(raw, dict):
            raise ReportFormatError(path, f"{where}.thresholds: expected an object, got {type_name(raw)}")
        for expr, failed in raw.items():
            if isinstance(failed, dict) and isinstance(failed.get("ok"), bool):
                ok = failed["ok"]  # a handleSummary-style threshold inside a flat metric: take it as is
            elif isinstance(failed, bool):
                ok = not failed  # --summary-export: true = the threshold FAILED
            else:
                raise ReportFormatError(
                    path, f'{where}.thresholds["{expr}"]: expected true or false, got {failed!r}'
                )
            thresholds.append(K6Threshold(expression=expr, ok=ok))
    return K6Metric(name=name, type=mtype, values=values, contains=None, thresholds=thresholds)


def infer_type(values: dict[str, float]) -> str:
    """A metric's type from its stats when the file does not say (``--summary-export``).

    Trend: avg/med or a percentile; rate: passes + fails; counter: count (+ rate); gauge: value without
    passes/count (the heuristic of wso2/financial-services-accelerator#995 ``merge-summaries.js``).
    A trend configured with ``count`` in summaryTrendStats still has avg/med, so trend is checked first.
    """
    if _has_trend_stats(values):
        return "trend"
    if "passes" in values and "fails" in values:
        return "rate"
    if "count" in values:
        return "counter"
    if "value" in values:
        return "gauge"
    # Only min/max left: a trend whose summaryTrendStats were cut down to those two (a gauge has value).
    return "trend" if "min" in values or "max" in values else "counter"


def _has_trend_stats(values: dict[str, float]) -> bool:
    """avg, med or a percentile (``p(95)``): stats only a trend has."""
    return "avg" in values or "med" in values or any(k.startswith("p(") for k in values)
