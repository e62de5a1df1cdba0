"""Prometheus: ``--format openmetrics`` (series, labels, values, validity) and ``check --push`` against a
real Pushgateway (Debian ``prometheus-pushgateway``), read back from its ``/metrics``.

The Pushgateway tests skip, naming the reason, when the binary is not installed; ``.ci/run`` installs it and
sets ``QUALITYGATE_REQUIRE_PUSHGATEWAY=1``, which turns that skip into a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from prometheus_client.openmetrics.parser import text_string_to_metric_families
from prometheus_client.parser import text_string_to_metric_families as text_format_families
from verdicts import all_pass, mixed_fail, verdict

from qualitygate import prometheus
from qualitygate.errors import PushError, UsageError
from qualitygate.render import openmetrics
from qualitygate.verdict import Record, Status, verdict_from_json
from tests.conftest import FIXTURES, ROOT
from tests.test_cli import qg

PUSHGATEWAY = shutil.which("prometheus-pushgateway") or shutil.which("pushgateway")
REQUIRED = os.environ.get("QUALITYGATE_REQUIRE_PUSHGATEWAY") == "1"
DASHBOARD = ROOT / "dashboards" / "qualitygate.json"


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for fam in text_string_to_metric_families(text)
        for s in fam.samples
    }


def with_record(v=None):  # type: ignore[no-untyped-def]
    record = Record(
        commit="c0ffee" * 6 + "c0ff",
        version="0.1.0",
        metrics={
            "coverage.lines.pct@backend": 78.43,
            "coverage.lines.pct@frontend": 88.21,
            "findings.high": 3.0,
            "smells.count[src/**]": 7.0,
        },
    )
    return replace(v or mixed_fail(), record=record)


# --------------------------------------------------------------------------------------------- format


def test_gate_status_maps_every_outcome() -> None:
    assert openmetrics.STATUS_VALUE == {
        Status.PASS: 0,
        Status.WARN: 1,
        Status.SKIP: 1,
        Status.FAIL: 2,
        Status.ERROR: 2,
    }


def test_series_carry_gate_component_branch_and_record_values() -> None:
    got = samples(openmetrics.render(with_record(), branch="feature/x"))
    lab = lambda **kw: frozenset(kw.items())  # noqa: E731
    assert got[("qualitygate_build_info", lab(commit="c0ffee" * 6 + "c0ff", version="0.1.0"))] == 1
    assert got[("qualitygate_verdict_status", lab(branch="feature/x"))] == 2
    backend = lab(gate="coverage.backend", component="backend", branch="feature/x")
    assert got[("qualitygate_gate_status", backend)] == 2
    assert got[("qualitygate_gate_actual", backend)] == 78.43
    assert got[("qualitygate_gate_threshold", backend)] == 80
    value = "qualitygate_metric_value"
    assert got[(value, lab(metric="coverage.lines.pct", component="frontend", branch="feature/x"))] == 88.21
    assert got[(value, lab(metric="findings.high", component="", branch="feature/x"))] == 3
    assert not [k for k in got if "smells.count" in dict(k[1]).get("metric", "")]  # path-scoped: left out
    assert {name for name, _ in got} == set(openmetrics.SERIES)


def test_no_file_path_test_id_or_commit_in_any_series_label() -> None:
    text = openmetrics.render(with_record(), branch="main")
    for (name, labels), _ in samples(text).items():
        keys = {k for k, _ in labels}
        if name != "qualitygate_build_info":
            assert keys <= {"gate", "component", "branch", "metric"}, name
    assert "src/api/export.py" not in text  # the evidence's paths never become label values
    assert "tests/test_ui.py" not in text


def test_a_missing_value_has_no_actual_series() -> None:
    from verdicts import coverage_gate

    text = openmetrics.render(verdict([coverage_gate(Status.ERROR, None)]))
    assert "qualitygate_gate_actual{" not in text
    assert 'qualitygate_gate_status{branch="",component="backend",gate="coverage.backend"} 2.0' in text


def test_the_commit_defaults_to_the_records() -> None:
    assert 'commit="' + "c0ffee" * 6 + 'c0ff"' in openmetrics.render(with_record())


def test_valid_for_the_prometheus_text_parser_too() -> None:
    # promtool and the Pushgateway read the 0.0.4 text format: the same lines, less "# EOF"
    text = openmetrics.render(with_record(), branch="main").removesuffix("# EOF\n")
    assert len(list(text_format_families(text))) == len(openmetrics.SERIES)


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool (Debian package prometheus) absent")
def test_promtool_check_metrics_accepts_it() -> None:
    text = openmetrics.render(with_record(), branch="main")
    p = subprocess.run(
        ["promtool", "check", "metrics"], input=text, capture_output=True, text=True, check=False
    )
    assert p.returncode == 0, p.stdout + p.stderr


def test_without_prometheus_client_the_error_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "prometheus_client", None)
    with pytest.raises(UsageError) as exc:
        openmetrics.render(all_pass())
    assert exc.value.message == "--format openmetrics and --push need the prometheus_client package"
    assert exc.value.hint == "pip install 'qualitygate[prometheus]'"


def test_cli_openmetrics_from_a_real_check() -> None:
    p = qg("check", "--root", str(FIXTURES / "acme-failing"), "--format", "openmetrics",
           env={"GITHUB_HEAD_REF": "feature/login"})  # fmt: skip
    assert p.returncode == 1, p.stderr
    got = samples(p.stdout)
    assert got[("qualitygate_gate_actual", frozenset(
        {"gate": "coverage.frontend", "component": "frontend", "branch": "feature/login"}.items()))] == (
        55 * 100 / 98)  # fmt: skip
    findings = {
        dict(k[1])["metric"]: v for k, v in got.items() if "findings." in dict(k[1]).get("metric", "")
    }
    assert (findings["findings.critical"], findings["findings.high"], findings["findings.total"]) == (
        1,
        3,
        26,
    )


# --------------------------------------------------------------------------------------------- labels


def test_branch_from_the_environment_first(tmp_path: Path) -> None:
    env = {"GITHUB_HEAD_REF": "pr-branch", "GITHUB_REF_NAME": "42/merge"}
    assert prometheus.branch_name(str(tmp_path), env) == "pr-branch"
    assert prometheus.branch_name(str(tmp_path), {"GITHUB_HEAD_REF": "", "GITHUB_REF_NAME": "main"}) == "main"
    assert prometheus.branch_name(str(tmp_path), {}) == ""  # not a git work tree: no label value


def test_branch_and_commit_from_git(tmp_path: Path) -> None:
    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q", "-b", "trunk"], check=True)
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "x"], check=True)
    sha = subprocess.run(
        [*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert prometheus.labels(str(tmp_path), {}) == {"branch": "trunk", "commit": sha}
    assert prometheus.grouping_key(str(tmp_path), {"GITHUB_REPOSITORY": "acme/shop"}) == {
        "repository": "acme/shop",
        "branch": "trunk",
    }


# ------------------------------------------------------------------------------------------ pushgateway


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def gateway() -> Iterator[str]:
    if PUSHGATEWAY is None:
        if REQUIRED:
            pytest.fail("QUALITYGATE_REQUIRE_PUSHGATEWAY=1 but prometheus-pushgateway is not installed")
        pytest.skip("prometheus-pushgateway not installed (apt-get install prometheus-pushgateway)")
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.Popen(
            [PUSHGATEWAY, f"--web.listen-address=127.0.0.1:{port}",
             f"--persistence.file={tmp}/pushgateway.db"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_ready(url, proc)
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def _wait_ready(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the Pushgateway exited at start"
        try:
            if httpx.get(f"{url}/-/ready", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    pytest.fail(f"the Pushgateway at {url} did not become ready in 15 s")


def pushed(url: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    text = httpx.get(f"{url}/metrics", timeout=5).text
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for fam in text_format_families(text)
        for s in fam.samples
        if s.name.startswith("qualitygate_")
    }


def test_push_round_trip_through_a_real_pushgateway(gateway: str, tmp_path: Path) -> None:
    env = {"GITHUB_REPOSITORY": "acme/shop", "GITHUB_REF_NAME": "main"}
    prometheus.push(with_record(), gateway, root=str(tmp_path), env=env)
    got = pushed(gateway)
    group = {"job": "qualitygate", "instance": "", "repository": "acme/shop", "branch": "main"}
    cov = {**group, "gate": "coverage.backend", "component": "backend"}
    assert got[("qualitygate_gate_actual", frozenset(cov.items()))] == 78.43
    assert got[("qualitygate_gate_status", frozenset(cov.items()))] == 2
    info = {**group, "commit": "c0ffee" * 6 + "c0ff", "version": "0.1.0"}
    assert got[("qualitygate_build_info", frozenset(info.items()))] == 1
    frontend = {**group, "metric": "coverage.lines.pct", "component": "frontend"}
    assert got[("qualitygate_metric_value", frozenset(frontend.items()))] == 88.21
    # a second push replaces the group (PUT): the failing gates of the first push are gone
    prometheus.push(all_pass(), gateway, root=str(tmp_path), env=env)
    statuses = {dict(k)["gate"]: v for (n, k), v in pushed(gateway).items() if n == "qualitygate_gate_status"}
    assert set(statuses.values()) == {0}
    assert "tests.failing" not in statuses


def test_check_push_from_the_cli(gateway: str) -> None:
    p = qg("check", "--root", str(FIXTURES / "acme"), "--preset", "autoforge", "--push", gateway,
           env={"GITHUB_REPOSITORY": "acme/shop", "GITHUB_REF_NAME": "main"})  # fmt: skip
    assert p.returncode == 0, p.stderr
    got = pushed(gateway)
    verdict_status = {k: v for k, v in got.items() if k[0] == "qualitygate_verdict_status"}
    assert list(verdict_status.values()) == [0]
    assert dict(next(iter(verdict_status))[1])["repository"] == "acme/shop"


def test_a_refused_push_is_one_line_exit_4_without_retrying(gateway: str, tmp_path: Path) -> None:
    slept: list[float] = []
    with pytest.raises(PushError) as exc:
        prometheus.push(all_pass(), f"{gateway}/no/such/prefix", root=str(tmp_path), sleep=slept.append)
    assert exc.value.exit_code == 4
    assert exc.value.message.startswith(f"Pushgateway {gateway}/no/such/prefix refused the metrics: 404 ")
    assert slept == []  # a 4xx is not retried


# --------------------------------------------------------------------------------------------- errors


def test_an_unreachable_gateway_is_retried_then_exit_4(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    slept: list[float] = []
    retry = prometheus.Retry(attempts=3, backoff_base=1.0)
    with pytest.raises(PushError) as exc:
        prometheus.push(all_pass(), url, root=str(tmp_path), retry=retry, sleep=slept.append)
    assert exc.value.message.startswith(f"cannot reach the Pushgateway {url} after 3 tries: ")
    assert len(slept) == 2
    assert 0.5 <= slept[0] <= 1.0 and 1.0 <= slept[1] <= 2.0  # exponential, with jitter


def test_5xx_is_retried(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    answers = iter([503, 502, 200])
    monkeypatch.setattr(httpx, "request", lambda *a, **kw: httpx.Response(next(answers), text="busy"))
    slept: list[float] = []
    prometheus.push(all_pass(), "http://gw.invalid", root=str(tmp_path), sleep=slept.append)
    assert len(slept) == 2


def test_cli_push_failure_exit_4_on_a_passing_verdict_1_on_a_failing_one() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    p = qg("check", "--root", str(FIXTURES / "acme"), "--preset", "autoforge", "--push", url)
    assert p.returncode == 4
    assert f"qualitygate: error: cannot reach the Pushgateway {url} after 4 tries: " in p.stderr
    assert "Traceback" not in p.stderr
    p = qg("check", "--root", str(FIXTURES / "acme-failing"), "--push", url)
    assert p.returncode == 1  # the failing gate is the news; the push's trouble is said
    assert "cannot reach the Pushgateway" in p.stderr


# ------------------------------------------------------------------------------------------ dashboard


def _exprs(node: object) -> list[str]:
    if isinstance(node, dict):
        own = [v for k, v in node.items() if k in ("expr", "query") and isinstance(v, str)]
        return own + [e for v in node.values() for e in _exprs(v)]
    if isinstance(node, list):
        return [e for v in node for e in _exprs(v)]
    return []


def test_the_dashboard_queries_only_series_qualitygate_writes() -> None:
    import re

    dash = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    exprs = _exprs(dash)
    assert len(exprs) >= 8
    names = {n for e in exprs for n in re.findall(r"\b(qualitygate_[a-z_]+)", e)}
    assert names <= set(openmetrics.SERIES), names - set(openmetrics.SERIES)
    metrics = {m for e in exprs for m in re.findall(r'metric="([^"]+)"', e)}
    assert metrics == {"coverage.lines.pct", "coverage.branches.pct", "k6.http_req_duration.p(95)"}
    titles = " ".join(p["title"] for p in dash["panels"])
    for want in ("coverage per component", "Gate status over time", "Findings by severity", "k6 p95"):
        assert want.lower() in titles.lower()


def test_the_record_holds_findings_by_severity_for_the_dashboard() -> None:
    p = qg("check", "--root", str(FIXTURES / "acme-failing"), "--format", "json")
    record = verdict_from_json(p.stdout).record
    assert record is not None
    got = {k: v for k, v in record.metrics.items() if k.startswith("findings.")}
    assert (got["findings.critical"], got["findings.high"], got["findings.medium"], got["findings.low"]) == (
        1, 3, 2, 4)  # fmt: skip
