"""k6 summaries: both JSON shapes normalised to handleSummary() names, thresholds to ok = passed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import conformance_cases

from qualitygate.errors import ReportFormatError
from qualitygate.model import K6Threshold
from qualitygate.parsers import k6 as k6_parser
from qualitygate.parsers import parse_report
from qualitygate.parsers.registry import read_head

DATA = Path(__file__).parent / "data" / "k6"
K6 = "public/k6-summary"


@pytest.mark.parametrize("case", conformance_cases("k6"))
def test_real_reports_match_the_reference_numbers(case: tuple[Path, dict[str, Any]]) -> None:
    path, spec = case
    metrics = parse_report(str(path), "k6").metrics()
    assert {k: metrics[k] for k in spec["metrics"]} == spec["metrics"]
    assert k6_parser.sniff(read_head(str(path)))


def test_summary_export_thresholds_true_means_failed(real_reports: Path) -> None:
    report = k6_parser.parse(
        str(real_reports / K6 / "action-k6-summary-analyzer_summary.summary-export.json")
    )
    assert report.shape == "summary-export"
    duration = report.metric("http_req_duration")
    failed = report.metric("http_req_failed")
    assert duration is not None and failed is not None
    # written {"p(95)<1000": true} with p(95) = 1957.7: true = FAILED
    assert duration.thresholds == [K6Threshold("p(95)<1000", ok=False)]
    assert failed.thresholds == [K6Threshold("rate<0.1", ok=True)]
    # the rate's "value" is renamed "rate"; passes are the failed requests
    assert failed.type == "rate"
    assert failed.values == {"passes": 116921, "fails": 2099576, "rate": 0.052750353372912305}
    assert report.metrics()["k6.thresholds.failed"] == 1
    assert report.duration_ms is None  # --summary-export drops state


def test_summary_export_types_are_inferred(real_reports: Path) -> None:
    report = k6_parser.parse(str(real_reports / K6 / "k6-html-reporter_dev_export.summary-export.json"))
    types = {m.name: m.type for m in report.k6_metrics}
    assert (types["http_req_duration"], types["checks"], types["http_reqs"], types["vus"]) == (
        "trend",
        "rate",
        "counter",
        "gauge",
    )
    assert all(m.contains is None for m in report.k6_metrics)


def test_handle_summary_keeps_type_contains_sub_metrics_and_duration(real_reports: Path) -> None:
    report = k6_parser.parse(str(real_reports / K6 / "k6-reporter_test-data.handleSummary.json"))
    assert report.shape == "handleSummary"
    assert report.duration_ms == 24425.289882
    sub = report.metric("http_req_duration{expected_response:true}")
    assert sub is not None and (sub.type, sub.contains, sub.base_name) == (
        "trend",
        "time",
        "http_req_duration",
    )
    assert sub.values["p(99)"] == 36.64458528
    failed = report.metric("http_req_failed")
    assert failed is not None and failed.values["passes"] == 349  # 349 of 878 requests FAILED


def test_handle_summary_failed_threshold(real_reports: Path) -> None:
    report = k6_parser.parse(str(real_reports / K6 / "k6-reporter_grpc.handleSummary.json"))
    rate = report.metric("fake_rate")
    assert rate is not None and rate.thresholds == [K6Threshold("rate >= 0.8", ok=False)]
    assert report.metrics()["k6.thresholds.failed"] == 1


def test_null_stat_only_min_max_trend_and_rate_value_renamed() -> None:
    report = k6_parser.parse(str(DATA / "k6.summary-export-null-stat-and-only-min-max.json"))
    by_name = {m.name: m for m in report.k6_metrics}
    assert by_name["login_duration"].type == "trend"
    assert by_name["login_duration"].thresholds == [K6Threshold("max<10", ok=True)]
    sub = by_name["http_req_duration{name:login}"]
    assert sub.values == {"med": 4.0, "p(95)": 8.5}
    assert report.warnings == ["metrics.http_req_duration{name:login}.avg: null (no samples?); left out"]
    assert by_name["errors"].values == {"passes": 2, "fails": 98, "rate": 0.02}
    assert by_name["queue_depth"].type == "gauge"
    assert report.duration_ms == 1500.5
    assert report.metrics()["k6.thresholds.failed"] == 2


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("k6.future-version-field.json", "k6 summary format version '1.0' is not supported yet"),
        (
            "k6.threshold-not-a-boolean.json",
            'metrics.http_reqs.thresholds["count>5"]: expected true or false',
        ),
        ("k6.metrics-is-an-array.json", "not a k6 summary: an array as 'metrics'"),
    ],
)
def test_defective_files_are_refused(name: str, message: str) -> None:
    with pytest.raises(ReportFormatError, match=None) as exc:
        k6_parser.parse(str(DATA / name))
    assert message in str(exc.value)


@pytest.mark.parametrize(
    ("values", "mtype"),
    [
        ({"avg": 1, "min": 0, "med": 1, "max": 2, "p(95)": 2}, "trend"),
        ({"count": 5, "avg": 1, "med": 1}, "trend"),  # summaryTrendStats with count
        ({"p(99)": 3}, "trend"),
        ({"passes": 1, "fails": 0, "value": 1}, "rate"),
        ({"count": 10, "rate": 2.5}, "counter"),
        ({"value": 3, "min": 1, "max": 4}, "gauge"),
    ],
)
def test_infer_type(values: dict[str, float], mtype: str) -> None:
    assert k6_parser.infer_type(values) == mtype


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ('{"root_group": {"name": ""}', True),
        ('{"metrics": {"http_req_duration": {"avg": 1}}}', True),
        ('{"metrics": {"iterations{scenario:a}": {"count": 1}}}', True),
        ('{"metrics": {"custom": {"avg": 1}}}', False),
        ('{"runs": [{"properties": {"metrics": {"_totals": {}}}}]}', False),
    ],
)
def test_sniff(head: str, expected: bool) -> None:
    assert k6_parser.sniff(head) is expected


@pytest.mark.parametrize(
    ("name", "message"),
    [
        # Python's json reads NaN/Infinity/-Infinity; they are not JSON (RFC 8259 §6)
        (
            "k6.nan-constant.json",
            "k6.nan-constant.json:3:66: not valid JSON (NaN is not a JSON value): expected a k6 summary",
        ),
        # Python refuses to convert an integer of more than 4300 digits (a ValueError, not a JSONDecodeError)
        (
            "k6.integer-over-4300-digits.json",
            "k6.integer-over-4300-digits.json:4:32: an integer of 5000 digits (Python reads at most 4300)",
        ),
    ],
)
def test_json_that_python_reads_but_is_not_json_exits_3_with_one_line(name: str, message: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    p = subprocess.run(
        [sys.executable, "-m", "qualitygate", "parse", str(DATA / name), "--kind", "k6"],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert p.returncode == 3, p.stderr
    assert "Traceback" not in p.stdout + p.stderr
    [line] = p.stderr.strip().splitlines()
    assert message in line
