"""The verdict as Prometheus gauges in the OpenMetrics text format (``check --format openmetrics``).

Written with the official ``prometheus_client`` (``pip install 'qualitygate[prometheus]'``), imported only
when this format is asked for. Series, each labelled ``branch`` (given by the caller: renderers read no
environment) and nothing that grows with the code base (no file path, no commit, no test id):

* ``qualitygate_build_info{commit, version}`` 1 (a gauge, as ``prometheus_build_info``): the commit is said
  once there, not as a label on every series;
* ``qualitygate_verdict_status`` and ``qualitygate_gate_status{gate, component}``: 0 pass, 1 warn, 2 fail.
  A gate that could not be evaluated (``error``) is 2, as it fails the verdict; a gate skipped for missing
  data is 1, never 0: it did not pass;
* ``qualitygate_gate_actual`` and ``qualitygate_gate_threshold{gate, component}`` in the gate's unit as the
  verdict holds it (% as 0-100, a ratio as 0-1, ms); no ``actual`` series when the value is missing;
* ``qualitygate_metric_value{metric, component}``: every value of the verdict's ``record`` (per component
  coverage and test totals, findings by severity, each gated value), ``metric`` being qualitygate's own name
  (``coverage.lines.pct``); values recorded for a gate's path scope (``smells.count[src/**]``) are left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from qualitygate.errors import UsageError
from qualitygate.verdict import Status, Verdict

if TYPE_CHECKING:
    from prometheus_client.metrics_core import Metric
    from prometheus_client.registry import CollectorRegistry

PREFIX = "qualitygate"
# Every series name this module writes (the Grafana dashboard's test holds its PromQL to these).
SERIES = (
    "qualitygate_build_info",
    "qualitygate_verdict_status",
    "qualitygate_gate_status",
    "qualitygate_gate_actual",
    "qualitygate_gate_threshold",
    "qualitygate_metric_value",
)
STATUS_VALUE = {
    Status.PASS: 0,
    Status.WARN: 1,
    Status.SKIP: 1,  # the data was missing and the policy said skip: not a pass
    Status.FAIL: 2,
    Status.ERROR: 2,  # could not be evaluated: it fails the verdict (exit 1)
}
_VERDICT_VALUE = {"pass": 0, "warn": 1, "fail": 2, "error": 2}
_GATE_LABELS = ["gate", "component", "branch"]


def split_key(key: str) -> tuple[str, str]:
    """``coverage.lines.pct@backend`` -> (``coverage.lines.pct``, ``backend``); no ``@``: component ``""``."""
    metric, at, component = key.rpartition("@")
    return (metric, component) if at else (key, "")


def require_client() -> None:
    """prometheus_client is an optional extra: say how to get it rather than fail on an import."""
    try:
        import prometheus_client  # noqa: F401
    except ImportError:
        raise UsageError(
            "--format openmetrics and --push need the prometheus_client package",
            hint="pip install 'qualitygate[prometheus]'",
        ) from None


def families(verdict: Verdict, *, branch: str = "", commit: str | None = None) -> list[Metric]:
    """The metric families, in a fixed order. ``commit`` when given, else the record's."""
    require_client()
    from prometheus_client.core import GaugeMetricFamily

    record = verdict.record
    sha = commit or (record.commit if record is not None else None) or ""
    # A gauge, as Prometheus's own *_build_info: promtool (2.42) reads no OpenMetrics "info" type.
    info = GaugeMetricFamily(
        f"{PREFIX}_build_info", "The run: commit and qualitygate version", labels=["commit", "version"]
    )
    info.add_metric([sha, verdict.tool_version], 1)
    overall = GaugeMetricFamily(
        f"{PREFIX}_verdict_status", "The whole verdict: 0 pass, 1 warn, 2 fail or error", labels=["branch"]
    )
    overall.add_metric([branch], _VERDICT_VALUE[verdict.status])
    return [info, overall, *_gate_families(verdict, branch), _metric_family(verdict, branch)]


def _gate_families(verdict: Verdict, branch: str) -> list[Metric]:
    from prometheus_client.core import GaugeMetricFamily

    status = GaugeMetricFamily(
        f"{PREFIX}_gate_status",
        "Each gate: 0 pass, 1 warn or skipped for missing data, 2 fail or not evaluated",
        labels=_GATE_LABELS,
    )
    actual = GaugeMetricFamily(
        f"{PREFIX}_gate_actual", "Each gate's measured value, in the gate's unit", labels=_GATE_LABELS
    )
    threshold = GaugeMetricFamily(
        f"{PREFIX}_gate_threshold", "Each gate's threshold, in the gate's unit", labels=_GATE_LABELS
    )
    for g in verdict.gates:
        labels = [g.id, g.component or "", branch]
        status.add_metric(labels, STATUS_VALUE[g.status])
        if g.actual is not None:
            actual.add_metric(labels, g.actual)
        threshold.add_metric(labels, g.threshold)
    return [status, actual, threshold]


def _metric_family(verdict: Verdict, branch: str) -> Metric:
    from prometheus_client.core import GaugeMetricFamily

    values = GaugeMetricFamily(
        f"{PREFIX}_metric_value",
        "Every recorded value, by qualitygate metric name and component",
        labels=["metric", "component", "branch"],
    )
    record = verdict.record
    for key, value in record.metrics.items() if record is not None else ():
        if "[" not in key:  # a path-scoped gate's value: its gate series already carry it
            metric, component = split_key(key)
            values.add_metric([metric, component, branch], value)
    return values


class _Collector:
    """A fixed set of families as prometheus_client's registry collects them."""

    def __init__(self, fams: Iterable[Metric]) -> None:
        self._fams = list(fams)

    def collect(self) -> Iterator[Metric]:
        return iter(self._fams)


def registry(verdict: Verdict, *, branch: str = "", commit: str | None = None) -> CollectorRegistry:
    """A registry holding the verdict's families only (no process or platform collectors)."""
    from prometheus_client.registry import CollectorRegistry

    reg = CollectorRegistry(auto_describe=False)
    reg.register(_Collector(families(verdict, branch=branch, commit=commit)))
    return reg


def render(verdict: Verdict, *, branch: str = "", commit: str | None = None) -> str:
    from prometheus_client.openmetrics.exposition import generate_latest

    data: bytes = generate_latest(registry(verdict, branch=branch, commit=commit))  # type: ignore[no-untyped-call]
    return data.decode("utf-8")
