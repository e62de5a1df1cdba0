"""``tests.removed`` reads the gate's component's test reports and keeps to its ``paths``, as every other
``tests.*`` gate does: a test gone from one component is not counted against another."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.test_cli import qg

POLICY = """\
components:
  backend: {paths: [backend/], tests: [backend/junit.xml]}
  frontend: {paths: [frontend/], tests: [frontend/junit.xml]}
gates:
  - {id: be, metric: tests.removed, component: backend, max: 0}
  - {id: fe, metric: tests.removed, component: frontend, max: 0}
  - {id: be-api, metric: tests.removed, component: backend, paths: ["backend/tests/api/**"], max: 0}
  - {id: be-unit, metric: tests.removed, component: backend, paths: ["backend/tests/unit/**"], max: 0}
"""


def junit(cases: list[tuple[str, str]]) -> str:
    """Passing test cases: (classname.name, file) each."""
    body = "".join(
        f'<testcase classname="{cid.rsplit(".", 1)[0]}" name="{cid.rsplit(".", 1)[1]}" file="{f}" time="0.01"/>'
        for cid, f in cases
    )
    return f'<?xml version="1.0"?><testsuite name="t" tests="{len(cases)}">{body}</testsuite>'


API = ("api.test_get", "backend/tests/api/test_get.py")
UNIT = ("unit.test_sum", "backend/tests/unit/test_sum.py")
F1, F2 = ("ui.test_one", "frontend/one.test.ts"), ("ui.test_two", "frontend/two.test.ts")


def _check(root: Path, backend: list[tuple[str, str]], frontend: list[tuple[str, str]], *args: str) -> Any:
    (root / "backend").mkdir(parents=True, exist_ok=True)
    (root / "frontend").mkdir(exist_ok=True)
    (root / "backend/junit.xml").write_text(junit(backend), encoding="utf-8")
    (root / "frontend/junit.xml").write_text(junit(frontend), encoding="utf-8")
    out = root / "verdict.json"
    result = qg("check", "--root", str(root), "--format", "json", "--output", str(out), *args)
    assert result.returncode in (0, 1), result.stderr
    return json.loads(out.read_text(encoding="utf-8"))


def _actual(doc: Any) -> dict[str, Any]:
    return {g["id"]: g["actual"] for g in doc["gates"]}


def _base(tmp_path: Path) -> Path:
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github/quality-gates.yml").write_text(POLICY, encoding="utf-8")
    _check(tmp_path, [API, UNIT], [F1, F2])
    base = tmp_path / "base.json"
    (tmp_path / "verdict.json").rename(base)
    return base


def test_a_removed_test_counts_in_its_own_component_and_paths_only(tmp_path: Path) -> None:
    base = _base(tmp_path)
    doc = _check(tmp_path, [API], [F1], "--base-results", str(base))  # unit.test_sum and ui.test_two gone
    assert _actual(doc) == {"be": 1, "fe": 1, "be-api": 0, "be-unit": 1}
    evidence = {g["id"]: [e["title"] for e in g["evidence"]] for g in doc["gates"]}
    assert (evidence["be"], evidence["fe"]) == (["unit::test_sum"], ["ui::test_two"])


def test_a_test_gone_from_one_component_only_is_not_removed_from_the_other(tmp_path: Path) -> None:
    base = _base(tmp_path)
    doc = _check(tmp_path, [API, UNIT], [F1], "--base-results", str(base))
    assert _actual(doc) == {"be": 0, "fe": 1, "be-api": 0, "be-unit": 0}


def test_a_base_recorded_without_components_is_missing_data_for_a_component_gate(tmp_path: Path) -> None:
    base = _base(tmp_path)
    old = json.loads(base.read_text(encoding="utf-8"))
    del old["record"]["test_components"]
    base.write_text(json.dumps(old), encoding="utf-8")
    doc = _check(tmp_path, [API], [F1], "--base-results", str(base))
    be = next(g for g in doc["gates"] if g["id"] == "be")
    assert (be["status"], be["actual"]) == ("error", None)
    assert be["message"] == (
        f"Removed tests (backend) cannot be evaluated: the base results (verdict {base}) do not say which component "
        "each test ran in: record the base again with this qualitygate."
    )
