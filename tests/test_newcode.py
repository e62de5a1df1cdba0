"""New-code gates: the whole-tree questions asked of what a change adds, on the real fixture reports.

The change is built here (the engine is pure); its lines are picked from the reports in ``fixtures/acme-failing``
(``backend/coverage.xml``: orders.py misses 68 and 100-103, pricing.py misses 56-57, legacy.py misses 28 of its 65
lines; ``frontend/coverage/lcov.info``: api.js covers none of its 22 lines).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES

from qualitygate.change import Change, ChangedFile
from qualitygate.collect import collect
from qualitygate.config import load_policy
from qualitygate.engine import evaluate
from qualitygate.errors import PolicyError
from qualitygate.inputs import Collected
from qualitygate.policy import Policy
from qualitygate.rules.newcode import spans
from qualitygate.verdict import GateResult, Status, Verdict, verdict_from_json, verdict_to_json

FAILING = FIXTURES / "acme-failing"
POLICY = """\
quality_gates:
  coverage: {backend: 80, frontend: 75}
  new_code:
    coverage: 80
    security_hotspots: 0
    code_smells: 0
    max_cyclomatic: 10
    max_cognitive: 15
    duplications: 3
    failing_tests: 0
gates:
  - {metric: new.coverage.lines.covered, component: backend, min: 0}
  - {metric: new.coverage.lines.total, component: backend, min: 0}
  - {metric: new.coverage.branches.pct, component: backend, min: 50}
  - {metric: new.smells.debt, max: 1h}
"""


def policy_of(tmp_path: Path, text: str = POLICY) -> Policy:
    p = tmp_path / "policy.yml"
    p.write_text(text)
    return load_policy(str(p))


def changed(path: str, lines: range | list[int], status: str = "modified") -> ChangedFile:
    return ChangedFile(path, status, added=tuple(lines))  # type: ignore[arg-type]


def change_of(*files: ChangedFile) -> Change:
    return Change({f.path: f for f in files}, base_ref="origin/main", merge_base="ab12cd3" + "0" * 33)


# orders.py 60-70 and 100-103, pricing.py 50-59, all of legacy.py (new), a new module no report lists, a README.
BACKEND_CHANGE = (
    changed("backend/acme_api/orders.py", [*range(60, 71), *range(100, 104)]),
    changed("backend/acme_api/pricing.py", range(50, 60)),
    changed("backend/acme_api/legacy.py", range(1, 96), "added"),
    changed("backend/acme_api/newmod.py", range(1, 10), "added"),
    changed("README.md", range(1, 5)),
)


@pytest.fixture(scope="module")
def failing_data(tmp_path_factory: pytest.TempPathFactory) -> tuple[Policy, Collected]:
    policy = policy_of(tmp_path_factory.mktemp("policy"))
    return policy, collect(policy, str(FAILING))


def gate(v: Verdict, gate_id: str) -> GateResult:
    return next(g for g in v.gates if g.id == gate_id)


def judge(data: tuple[Policy, Collected], *files: ChangedFile) -> Verdict:
    policy, collected = data
    return evaluate(policy, collected, version="test", change=change_of(*files))


# ------------------------------------------------------------------------------------------ coverage


def test_new_line_coverage_is_changed_lines_covered_over_changed_lines_measured(failing_data) -> None:  # type: ignore[no-untyped-def]
    v = judge(failing_data, *BACKEND_CHANGE)
    g = gate(v, "new_code.coverage.backend")
    # measured: 13 of orders.py, 6 of pricing.py, 65 of legacy.py; uncovered: 5 + 2 + 28
    assert (g.actual, g.status) == (49 * 100 / 84, Status.FAIL)
    assert gate(v, "new.coverage.lines.covered:backend").actual == 49
    assert gate(v, "new.coverage.lines.total:backend").actual == 84
    assert [(e.path, e.detail, e.line_ranges) for e in g.evidence] == [
        (
            "backend/acme_api/legacy.py",
            "30-31, 36-38, 40, 46, 49-50, 53-54, 56, 60-61, 70-78, 83-85, 87, 91 not covered "
            "(28 of 65 coverable new lines)",
            spans(
                [30, 31, 36, 37, 38, 40, 46, 49, 50, 53, 54, 56, 60, 61, *range(70, 79), 83, 84, 85, 87, 91]
            ),
        ),
        (
            "backend/acme_api/orders.py",
            "68, 100-103 not covered (5 of 13 coverable new lines)",
            [(68, 68), (100, 103)],
        ),
        ("backend/acme_api/pricing.py", "56-57 not covered (2 of 6 coverable new lines)", [(56, 57)]),
    ]
    assert g.message == (
        "New code line coverage (backend) 58.33% is below the minimum of 80%: worst backend/acme_api/legacy.py "
        "(56.92%), 3 files with uncovered lines (not counted: 1 changed file the coverage report does not "
        "list (backend/acme_api/newmod.py), as diff-cover leaves them out)."
    )


def test_the_verdict_records_the_change_and_the_files_no_report_lists(failing_data) -> None:  # type: ignore[no-untyped-def]
    v = judge(failing_data, *BACKEND_CHANGE)
    assert v.change is not None
    assert (v.change.base_ref, v.change.merge_base, v.change.source) == (
        "origin/main",
        "ab12cd3" + "0" * 33,
        "git",
    )
    assert (v.change.files, v.change.lines) == (5, 15 + 10 + 95 + 9 + 4)
    assert (
        "not counted: 1 changed file the coverage report does not list (backend/acme_api/newmod.py), "
        "as diff-cover leaves them out"
    ) in v.change.notes


def test_new_branch_coverage_counts_the_outcomes_of_changed_lines(failing_data) -> None:  # type: ignore[no-untyped-def]
    v = judge(failing_data, changed("backend/acme_api/orders.py", [*range(60, 71), *range(100, 104)]))
    g = gate(v, "new.coverage.branches.pct:backend")
    # orders.py's branch lines in the change: 67 (1 of 2) and 101 (0 of 2)
    assert g.actual == 25.0
    assert [(e.path, e.detail) for e in g.evidence] == [
        ("backend/acme_api/orders.py", "67, 101: branches partly taken (1 of 4 taken)")
    ]


def test_per_component_coverage_reads_the_components_report(failing_data) -> None:  # type: ignore[no-untyped-def]
    v = judge(
        failing_data,
        changed("frontend/src/api.js", range(1, 42)),
        changed("frontend/src/format.js", range(1, 21)),
    )
    g = gate(v, "new_code.coverage.frontend")
    assert g.actual == 12 * 100 / 34  # api.js 0 of 22, format.js 12 of 12 (it misses 21 and 37)
    assert [(e.path, e.detail) for e in g.evidence] == [
        (
            "frontend/src/api.js",
            "5-8, 14-17, 20-23, 25-27, 30, 33-37, 41 not covered (22 of 22 coverable new lines)",
        )
    ]
    backend = gate(v, "new_code.coverage.backend")
    assert (backend.status, backend.actual) == (Status.SKIP, None)
    assert backend.message == (
        "New code line coverage (backend) skipped: no coverable changed line "
        "(the change adds no line under backend/**)."  # its 61 lines are all the frontend's
    )


def test_a_change_with_no_coverable_line_is_a_visible_skip_never_100(failing_data) -> None:  # type: ignore[no-untyped-def]
    # orders.py line 1 is the docstring, 2 is blank: coverage.py measures neither
    v = judge(failing_data, changed("backend/acme_api/orders.py", [1, 2]), changed("README.md", [1]))
    g = gate(v, "new_code.coverage.backend")
    assert (g.status, g.actual, g.reason) == (
        Status.SKIP,
        None,
        "no coverable changed line (the coverage report measures none of the 2 added)",  # README.md's line
        # is not the backend's
    )


def test_no_coverable_line_but_a_source_file_the_report_does_not_list_is_missing_data(failing_data) -> None:  # type: ignore[no-untyped-def]
    v = judge(failing_data, changed("backend/acme_api/newmod.py", range(1, 10), "added"))
    g = gate(v, "new_code.coverage.backend")
    assert (g.status, g.actual) == (Status.ERROR, None)
    assert g.reason == (
        "no coverable changed line: the coverage report measures none of the 9 changed lines "
        "and does not list backend/acme_api/newmod.py"
    )


def test_min_lines_turns_a_small_change_into_a_visible_skip(tmp_path: Path) -> None:
    policy = policy_of(tmp_path, "quality_gates:\n  new_code: {coverage: {backend: 80}, min_lines: 20}\n")
    data = collect(policy, str(FAILING))
    v = evaluate(
        policy, data, version="t", change=change_of(changed("backend/acme_api/pricing.py", range(50, 60)))
    )
    g = gate(v, "new_code.coverage.backend")
    assert (g.status, g.message) == (
        Status.SKIP,
        "New code line coverage (backend) skipped: 6 coverable changed lines < 20.",
    )
    assert v.status == "pass"
    big = evaluate(policy, data, version="t", change=change_of(*BACKEND_CHANGE))
    assert gate(big, "new_code.coverage.backend").status is Status.FAIL


def test_without_a_change_every_new_code_gate_is_missing_data_never_a_pass(failing_data) -> None:  # type: ignore[no-untyped-def]
    policy, collected = failing_data
    v = evaluate(policy, collected, version="test")
    new = [g for g in v.gates if g.metric.startswith("new.")]
    assert len(new) == 12 and all(g.status is Status.ERROR and g.actual is None for g in new)
    assert gate(v, "new_code.coverage.backend").reason == (
        "no change to judge: run with --base REF (or --base-diff FILE)"
    )
    assert v.change is None
    assert gate(v, "coverage.backend").status is Status.PASS  # the whole-tree gates are unaffected


def test_missing_setting_applies_to_a_new_code_gate_without_a_change(tmp_path: Path) -> None:
    policy = policy_of(
        tmp_path, "gates:\n  - {metric: new.coverage.lines.pct, component: backend, min: 80, missing: skip}\n"
    )
    v = evaluate(policy, collect(policy, str(FAILING)), version="t")
    assert v.gates[0].status is Status.SKIP


def test_new_failing_tests_needs_the_base_results(failing_data) -> None:  # type: ignore[no-untyped-def]
    g = gate(judge(failing_data, *BACKEND_CHANGE), "new_code.failing_tests")
    assert (g.status, g.reason) == (
        Status.ERROR,
        "no base results to compare with: pass --base-results FILE, DIR or auto",
    )


# ------------------------------------------------------------------------------------------ findings


def test_findings_on_changed_lines_are_classified_as_the_whole_tree_gates_do(failing_data) -> None:  # type: ignore[no-untyped-def]
    # legacy.py 19 carries bandit's B324 (HIGH), 22 ruff's C901, 59 ruff's PLR2004
    v = judge(failing_data, changed("backend/acme_api/legacy.py", [19, 22, 59]))
    sec = gate(v, "new_code.security_hotspots")
    # bandit's B324 blocks; ruff's S324 on the same line is a security finding below the blocking severity:
    # listed after it, not counted
    assert (sec.actual, [(e.title, e.line) for e in sec.evidence]) == (
        1,
        [("Bandit B324", 19), ("ruff S324", 19)],
    )
    assert "below the blocking severity" in (sec.evidence[1].detail or "")
    smells = gate(v, "new_code.code_smells")
    assert sorted((e.title, e.line) for e in smells.evidence) == [("ruff C901", 22), ("ruff PLR2004", 59)]
    assert smells.actual == 2
    assert gate(v, "new.smells.debt").actual == 30  # two errors at the default 15 min each


def test_a_security_scan_with_nothing_on_the_change_is_zero_not_missing(failing_data) -> None:  # type: ignore[no-untyped-def]
    v = judge(failing_data, changed("backend/acme_api/orders.py", [60]))
    sec = gate(v, "new_code.security_hotspots")
    assert (sec.status, sec.actual) == (Status.PASS, 0)


def test_every_finding_on_a_changed_line_counts(failing_data) -> None:  # type: ignore[no-untyped-def]
    _policy, collected = failing_data
    lines = sorted(
        {
            f.line
            for loaded in collected.reports[("findings", None)]
            for f in loaded.report.findings  # type: ignore[attr-defined]
            if f.path == "backend/acme_api/legacy.py" and f.line and not f.security and not f.suppressed
        }
    )
    every = [
        f
        for loaded in collected.reports[("findings", None)]
        for f in loaded.report.findings  # type: ignore[attr-defined]
        if f.path == "backend/acme_api/legacy.py" and f.line in lines and not f.security and not f.suppressed
    ]
    assert len(every) > len(lines)  # two findings share a line: both count
    g = gate(judge(failing_data, changed("backend/acme_api/legacy.py", lines)), "new_code.code_smells")
    assert g.actual == len(every)


# --------------------------------------------------------------------------------- complexity, clones


def test_complexity_is_the_max_over_the_functions_the_change_touches(failing_data) -> None:  # type: ignore[no-untyped-def]
    touching = judge(failing_data, changed("backend/acme_api/legacy.py", [40]))  # inside import_legacy_row
    g = gate(touching, "new_code.complexity.cyclomatic")
    assert (g.actual, g.status, g.evidence[0].title) == (14, Status.FAIL, "import_legacy_row")
    elsewhere = judge(failing_data, changed("backend/acme_api/pricing.py", [56]))
    assert gate(elsewhere, "new_code.complexity.cyclomatic").status is Status.PASS
    nothing = judge(failing_data, changed("README.md", [1]))
    skipped = gate(nothing, "new_code.complexity.cyclomatic")
    assert (skipped.status, skipped.reason) == (
        Status.SKIP,
        "the change touches no function that radon-cc.json lists",
    )


def test_cognitive_complexity_without_line_numbers_counts_every_function_of_a_changed_file(
    failing_data,
) -> None:  # type: ignore[no-untyped-def]
    g = gate(judge(failing_data, changed("backend/acme_api/legacy.py", [1])), "new_code.complexity.cognitive")
    assert (g.actual, g.estimate) == (17, True)
    assert "complexipy.json gives no line numbers: every function of a changed file counts" in g.message


def test_new_duplication_is_changed_lines_in_clones_over_changed_lines_jscpd_scans(failing_data) -> None:  # type: ignore[no-untyped-def]
    # jscpd's clone in the failing bundle: frontend/src/format.js 6-17 = 19-30
    v = judge(
        failing_data,
        changed("frontend/src/format.js", range(1, 21)),  # 6-17 and 19-20 lie in a clone: 14 of 20
        changed("README.md", range(1, 30)),  # not a format jscpd scanned
    )
    g = gate(v, "new_code.duplications")
    assert g.actual == 14 * 100 / 20
    assert [(e.path, e.detail) for e in g.evidence] == [
        ("frontend/src/format.js", "6-17, 19-20 inside a jscpd clone")
    ]


# ---------------------------------------------------------------------------------------- diff-cover


DC = ("--total-percent-float", "--json-report", "dc.json")


def _hunks(path: str, lines: list[int]) -> str:
    out = [f"diff --git a/{path} b/{path}", f"--- a/{path}", f"+++ b/{path}"]
    for start, end in spans(lines):
        out.append(f"@@ -{start - 1},0 +{start},{end - start + 1} @@")
        out += ["+x"] * (end - start + 1)
    return "\n".join(out) + "\n"


def test_new_line_coverage_equals_diff_covers_total_percent_float(tmp_path: Path, failing_data) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("diff_cover")
    if shutil.which("git") is None:
        pytest.skip("git not installed")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    xml = (FAILING / "backend" / "coverage.xml").read_text()
    xml = re.sub(r"<source>[^<]*</source>", f"<source>{tmp_path}/backend/acme_api</source>", xml)
    (tmp_path / "coverage.xml").write_text(xml)
    files = [f for f in BACKEND_CHANGE if f.path.startswith("backend/")]
    (tmp_path / "change.diff").write_text("".join(_hunks(f.path, list(f.added)) for f in files))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "diff_cover.diff_cover_tool",
            "coverage.xml",
            "--diff-file",
            "change.diff",
            *DC,
        ],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    theirs = json.loads((tmp_path / "dc.json").read_text())
    ours = judge(failing_data, *BACKEND_CHANGE)
    assert theirs["total_num_lines"] == gate(ours, "new.coverage.lines.total:backend").actual == 84
    assert theirs["total_percent_covered"] == round(gate(ours, "new_code.coverage.backend").actual or 0, 2)


# -------------------------------------------------------------------------------------------- policy


def test_compact_new_code_is_accepted_verbatim(tmp_path: Path) -> None:
    policy = policy_of(
        tmp_path,
        "quality_gates:\n  coverage: {backend: 80, frontend: 75}\n  new_code:\n"
        "    coverage: {backend: 90, frontend: 80}\n    security_hotspots: 0\n    code_smells: 0\n"
        "    max_cyclomatic: 10\n    duplications: 3\n    failing_tests: 0\n    min_lines: 20\n",
    )
    new = [(g.id, g.metric, g.op, g.threshold, g.component, g.min_lines) for g in policy.gates[2:]]
    assert new == [
        ("new_code.coverage.backend", "new.coverage.lines.pct", ">=", 90, "backend", 20),
        ("new_code.coverage.frontend", "new.coverage.lines.pct", ">=", 80, "frontend", 20),
        ("new_code.security_hotspots", "new.security.blocking", "<=", 0, None, None),
        ("new_code.code_smells", "new.smells.count", "<=", 0, None, None),
        ("new_code.complexity.cyclomatic", "new.complexity.cyclomatic.max", "<=", 10, None, None),
        ("new_code.duplications", "new.duplication.lines.pct", "<=", 3, None, 20),
        ("new_code.failing_tests", "new.tests.failing", "<=", 0, None, None),
    ]


def test_one_new_code_coverage_number_applies_to_every_component(tmp_path: Path) -> None:
    policy = policy_of(
        tmp_path, "quality_gates:\n  coverage: {backend: 80, frontend: 75}\n  new_code: {coverage: 85}\n"
    )
    assert [(g.id, g.threshold) for g in policy.gates[2:]] == [
        ("new_code.coverage.backend", 85),
        ("new_code.coverage.frontend", 85),
    ]
    alone = policy_of(tmp_path, "quality_gates:\n  new_code: {coverage: 85}\n")
    assert [(g.id, g.component) for g in alone.gates] == [("new_code.coverage", None)]


@pytest.mark.parametrize(
    ("text", "fault"),
    [
        (
            "gates:\n  - {metric: new.smells.count, max: 0, min_lines: 20}\n",
            "min_lines applies to new.coverage.* and new.duplication.* gates only",
        ),
        ("quality_gates:\n  new_code: {max_cyclomatc: 10}\n", "unknown key (did you mean 'max_cyclomatic'?)"),
        ("gates:\n  - {metric: new.coverage.line.pct, min: 80}\n", "did you mean 'new.coverage.lines.pct'?"),
    ],
    ids=["min-lines-on-a-count", "typo", "metric-typo"],
)
def test_new_code_policy_errors(tmp_path: Path, text: str, fault: str) -> None:
    with pytest.raises(PolicyError, match=re.escape(fault)):
        policy_of(tmp_path, text)


# ------------------------------------------------------------------------------------------- verdict


def test_a_verdict_with_a_change_round_trips_and_a_1_0_verdict_still_reads(failing_data) -> None:  # type: ignore[no-untyped-def]
    v = judge(failing_data, *BACKEND_CHANGE)
    text = verdict_to_json(v)
    assert json.loads(text)["schema_version"] == "1.2"
    assert verdict_from_json(text) == v
    old = json.loads(text)
    old["schema_version"] = "1.0"
    del old["change"]
    old.pop("record", None)
    for g in old["gates"]:
        for e in g["evidence"]:
            e.pop("line_ranges", None)
    back = verdict_from_json(json.dumps(old))
    assert (back.schema_version, back.change) == ("1.0", None)


def test_spans_are_the_ranges_the_evidence_prints() -> None:
    assert spans([20, 12, 13, 14, 15, 15]) == [(12, 15), (20, 20)]
    assert spans([]) == []


def test_the_change_line_names_a_saved_diff_when_there_is_no_base_ref() -> None:
    from qualitygate.render._common import change_line
    from qualitygate.verdict import ChangeInfo

    v = Verdict(
        tool_version="t",
        policy="p",
        status="pass",
        summary=evaluate_summary(),
        gates=[],
        change=ChangeInfo(source="diff-file pr.diff", files=1, lines=1),
    )
    assert change_line(v) == "change: diff-file pr.diff, 1 file, 1 added line"


def evaluate_summary():  # type: ignore[no-untyped-def]
    from qualitygate.verdict import summarize

    return summarize([])


def test_no_coverable_line_counts_only_the_changed_lines_in_the_gates_scope(failing_data) -> None:  # type: ignore[no-untyped-def]
    # 2 uncoverable backend lines and 41 frontend lines: the backend gate's message counts its own 2
    v = judge(
        failing_data,
        changed("backend/acme_api/orders.py", [1, 2]),
        changed("frontend/src/api.js", range(1, 42)),
    )
    g = gate(v, "new_code.coverage.backend")
    assert (g.status, g.reason) == (
        Status.SKIP,
        "no coverable changed line (the coverage report measures none of the 2 added)",
    )
