"""Every metric name a gate accepts is measured, and measured as ``qualitygate parse`` reads the same report.

One loop over the policy's own registry (``KNOWN_METRICS``) plus every k6 name the fixtures' k6 summaries
hold: a gate per name (per component for coverage and tests), ``qualitygate check`` once per fixture bundle,
and each gate's value compared with ``qualitygate parse`` of the gate's inputs. A name that is accepted but
never measured (always "missing") fails here, unless it is listed below with the reason the fixtures lack
its data.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from qualitygate.policy import BASE_METRICS, PER_COMPONENT_ROLES, check_metric, is_new_code, role_for_metric
from qualitygate.policy import KNOWN_METRICS as ACCEPTED
from tests.conftest import FIXTURES
from tests.test_cli import qg

BUNDLES = ("acme", "acme-failing")
COMPONENTS = ("backend", "frontend")

# Metrics that exist only in gates (``parse`` has no policy): how to get them from ``parse`` output.
DERIVED: dict[str, Callable[[dict[str, float]], float | None]] = {
    "tests.failing": lambda m: m["tests.failed"] + m["tests.errors"],
}
# Policy-dependent (severity list, per-level effort): parse cannot compute them; the values of the fixtures'
# SARIF files (Trivy, bandit, ruff) under the default security and smells settings.
POLICY_DEPENDENT: dict[str, dict[str, float]] = {
    # ruff's 8 findings less its S311; every ruff result is an error: 15 min each
    "acme": {"security.blocking": 0, "smells.count": 7, "smells.debt": 105},
    # 16 ruff findings less S311 and S324; Trivy's CRITICAL secret and 2 HIGH misconfigs, bandit's B324 HIGH
    "acme-failing": {"security.blocking": 4, "smells.count": 14, "smells.debt": 210},
}
# Accepted names the fixtures cannot measure, with the reason; each must really be missing in both bundles.
# (Measured is not enough on its own: the fixtures' radon files have no parse error, so
# complexity.errors is 0 either way; test_engine.py gives it a radon file with two.)
NOT_IN_FIXTURES: dict[str, str] = {
    "coverage.statements.covered": "statements are only in Istanbul's JSON reports (test_parse_more.py)",
    "coverage.statements.total": "statements are only in Istanbul's JSON reports (test_parse_more.py)",
    "coverage.statements.pct": "statements are only in Istanbul's JSON reports (test_parse_more.py)",
    "tests.retries": "only Playwright's JSON report records retries (test_parse_more.py)",
}
# The whole-tree names; the ``new.*`` ones are measured over a change (test_new_code_names_are_measured),
# those against the base's results (``tests.removed``) in test_vsbase.py.
KNOWN_METRICS = frozenset(m for m in ACCEPTED if not is_new_code(m) and m not in BASE_METRICS)


def _policy(k6_names: list[str]) -> str:
    gates: list[dict[str, Any]] = []
    for metric in sorted(KNOWN_METRICS) + k6_names:
        if role_for_metric(metric) in PER_COMPONENT_ROLES:
            gates += [{"metric": metric, "component": c, "min": 0, "missing": "warn"} for c in COMPONENTS]
        else:
            gates.append({"metric": metric, "min": 0, "missing": "warn"})
    components = {c: {"paths": [f"{c}/"]} for c in COMPONENTS}
    return json.dumps({"components": components, "gates": gates}, indent=1)  # JSON is YAML


@functools.cache
def _parsed(path: Path) -> dict[str, float]:
    p = qg("parse", str(path), "--format", "json")
    assert p.returncode == 0, p.stderr
    metrics: dict[str, float] = json.loads(p.stdout)["metrics"]
    return metrics


def _expected(bundle: str, gate: dict[str, Any]) -> float | None:
    metric = gate["metric"]
    if metric in POLICY_DEPENDENT[bundle]:
        return POLICY_DEPENDENT[bundle][metric]
    parsed = [_parsed(FIXTURES / bundle / i) for i in gate["inputs"]]
    if metric in DERIVED:
        values = [DERIVED[metric](m) for m in parsed]
    else:
        values = [m[metric] for m in parsed if metric in m]
    if not values:
        return None
    # several inputs only for findings (the SARIF files), whose metrics are counts: they add up
    assert len(values) == 1 or metric.startswith("findings."), (metric, gate["inputs"])
    return math.fsum(v for v in values if v is not None)


def _k6_names(bundle: str) -> list[str]:
    names = sorted(n for n in _parsed(FIXTURES / bundle / "k6-summary.json") if n.startswith("k6."))
    for n in names:
        check_metric(n)  # the registry accepts every name the k6 parser produces
    return names


@pytest.mark.parametrize("bundle", BUNDLES)
def test_every_accepted_metric_name_is_measured_as_parse_reads_it(bundle: str, tmp_path: Path) -> None:
    k6_names = _k6_names(bundle)
    policy = tmp_path / "every-metric.yml"
    policy.write_text(_policy([n for n in k6_names if n not in KNOWN_METRICS]))
    p = qg("check", "--root", str(FIXTURES / bundle), "--config", str(policy), "--format", "json")
    assert p.returncode in (0, 1), p.stderr
    gates = json.loads(p.stdout)["gates"]
    assert {g["metric"] for g in gates} == KNOWN_METRICS | set(k6_names)

    wrong = {}
    for g in gates:
        want = _expected(bundle, g)
        got = g["actual"]
        if (got is None) != (want is None) or (got is not None and not math.isclose(got, want or 0.0)):
            wrong[g["id"]] = (g["actual"], want, g["message"])
    assert wrong == {}

    measured = {g["metric"] for g in gates if g["actual"] is not None}
    never = KNOWN_METRICS - measured
    assert never == set(NOT_IN_FIXTURES), {
        m: next(g["message"] for g in gates if g["metric"] == m) for m in never
    }


# ------------------------------------------------------------------------------------------- new code

NEW_CODE = sorted(m for m in ACCEPTED if is_new_code(m))
# New-code names the fixtures cannot measure, with the reason; the gate's message must say it.
NEW_NOT_MEASURED: dict[str, str] = {
    "new.tests.failing": "no base results to compare with: pass --base-results",
}
# New-code names whose value, with every line new, is not exactly the whole-tree one, and why (within 10 %).
NEW_NOT_WHOLE: dict[str, str] = {
    # jscpd's totals are its own count of the files it scanned (after its ignore rules, which its report
    # does not list per file); a change can only count the changed lines of files of a format jscpd scanned
    "new.duplication.lines.pct": "jscpd lists no per-file line counts",
}


def _whole_file_diff(bundle: Path) -> str:
    """A saved diff that adds every text file of the bundle, whole: every line of every source is new."""
    out = []
    for path in sorted(p for p in bundle.rglob("*") if p.is_file() and "node_modules" not in p.parts):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        rel = path.relative_to(bundle).as_posix()
        lines = text.splitlines()
        if lines:
            out.append(f"--- /dev/null\n+++ b/{rel}\n@@ -0,0 +1,{len(lines)} @@\n")
            out.append("".join(f"+{line}\n" for line in lines))
    return "".join(out)


def _new_code_policy() -> str:
    gates: list[dict[str, Any]] = []
    for metric in NEW_CODE:
        for m in (metric, metric.removeprefix("new.")):  # each next to its whole-tree twin
            name = "tests.failing" if m == "tests.failing" else m
            if role_for_metric(m) in PER_COMPONENT_ROLES:
                gates += [{"metric": name, "component": c, "min": 0, "missing": "warn"} for c in COMPONENTS]
            else:
                gates.append({"metric": name, "min": 0, "missing": "warn"})
    components = {c: {"paths": [f"{c}/"]} for c in COMPONENTS}
    return json.dumps({"components": components, "gates": gates}, indent=1)


@pytest.mark.parametrize("bundle", BUNDLES)
def test_new_code_names_are_measured(bundle: str, tmp_path: Path) -> None:
    """``check --base-diff`` with a saved diff that adds every file of the bundle: each ``new.*`` gate is
    measured and, as every line is new, equals its whole-tree twin (findings: those with a line)."""
    policy = tmp_path / "new-code.yml"
    policy.write_text(_new_code_policy())
    diff = tmp_path / "everything.diff"
    diff.write_text(_whole_file_diff(FIXTURES / bundle))
    p = qg(
        "check", "--root", str(FIXTURES / bundle), "--config", str(policy), "--base-diff", str(diff),
        "--format", "json",
    )  # fmt: skip
    assert p.returncode in (0, 1), p.stderr
    gates = json.loads(p.stdout)["gates"]
    new = [g for g in gates if is_new_code(g["metric"])]
    assert {g["metric"] for g in new} == set(NEW_CODE)

    not_measured = {g["id"]: g["message"] for g in new if g["actual"] is None}
    assert {g["metric"] for g in new if g["actual"] is None} == set(NEW_NOT_MEASURED), not_measured
    for gid, message in not_measured.items():
        assert NEW_NOT_MEASURED[gid.split(":")[0]] in message, message

    whole = {g["id"]: g["actual"] for g in gates if not is_new_code(g["metric"])}
    pairs = {
        g["id"]: (g["actual"], whole[g["id"].removeprefix("new.")]) for g in new if g["actual"] is not None
    }
    assert all(w is not None for _, w in pairs.values()), pairs
    differs = {gid: (n, w) for gid, (n, w) in pairs.items() if not math.isclose(n, w or 0.0)}
    assert set(differs) == set(NEW_NOT_WHOLE), differs
    assert all(math.isclose(n, w or 0.0, rel_tol=0.1) for n, w in differs.values()), differs
