"""Accepted debt end to end, on the acme-failing reports (real ruff, bandit and Trivy SARIF, radon,
complexipy, pytest JUnit): the baseline (update, then check; a new finding; a fixed one; a rename; two
branches merged) and waivers (applied, expiring, expired, unused, on a gate; a missing owner). The day is
always injected (QUALITYGATE_TODAY), never the wall clock."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from qualitygate import baseline as bl
from qualitygate.cli import main
from tests.gitrepo import commit_all, git, isolate_git

ACME = Path(__file__).resolve().parent.parent / "fixtures" / "acme-failing"
POLICY = """\
quality_gates:
  complexity: {max_cyclomatic: 10, max_cognitive: 15}
  security_hotspots: 0
  code_smells: {max_count: 0}
gates:
  - {id: tests.failing, metric: tests.failing, max: 0}
"""
BASELINE = ".github/quality-baseline.json"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "acme"
    shutil.copytree(ACME, root)
    (root / ".github").mkdir(exist_ok=True)
    (root / ".github" / "quality-gates.yml").write_text(POLICY)
    monkeypatch.chdir(root)
    monkeypatch.setenv("QUALITYGATE_TODAY", "2027-03-20")
    monkeypatch.delenv("CI", raising=False)
    return root


def run(*args: str) -> int:
    return main(list(args))


def verdict(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    capsys.readouterr()
    code = run("check", "--format", "json", *extra)
    return code, json.loads(capsys.readouterr().out)


def gate(doc: dict, gate_id: str) -> dict:  # type: ignore[type-arg]
    return next(g for g in doc["gates"] if g["id"] == gate_id)


def edit_ruff(root: Path, change) -> None:  # type: ignore[no-untyped-def]
    path = root / "ruff.sarif"
    log = json.loads(path.read_text())
    change(log["runs"][0]["results"])
    path.write_text(json.dumps(log))


# ------------------------------------------------------------------------------------------- baseline


def test_update_then_check_passes_and_says_what_it_owes(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("check") == 1
    assert run("baseline", "update") == 0
    out = capsys.readouterr().out
    assert "wrote .github/quality-baseline.json: 2 functions, 23 finding keys, 1 failing tests" in out
    assert "added `.github/quality-baseline.json merge=union` to .gitattributes" in out
    assert (repo / ".gitattributes").read_text() == ".github/quality-baseline.json merge=union\n"
    code, doc = verdict(capsys)
    assert code == 0
    assert doc["status"] == "pass"
    assert gate(doc, "code_smells.count")["baselined"] == 14
    assert gate(doc, "code_smells.count")["actual"] == 0
    assert gate(doc, "complexity.cyclomatic")["baselined"] == 1
    assert gate(doc, "tests.failing")["baselined"] == 1
    assert gate(doc, "baseline.stale")["status"] == "pass"
    assert doc["accepted"]["baselined"] == {"finding": 25, "function": 2, "test": 1}
    capsys.readouterr()
    run("check")
    assert capsys.readouterr().out.startswith("PASS (25 findings, 2 functions and 1 test baselined)")
    run("baseline", "update")
    assert "(0 added, 0 removed since the last update)" in capsys.readouterr().out
    assert (repo / ".gitattributes").read_text().count("merge=union") == 1


def test_one_new_finding_fails_with_exactly_that_finding(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run("baseline", "update")

    def add(results: list) -> None:  # type: ignore[type-arg]
        new = json.loads(json.dumps(results[0]))
        new["ruleId"] = "E999"
        new["message"] = {"text": "a brand new problem"}
        results.append(new)

    edit_ruff(repo, add)
    code, doc = verdict(capsys)
    assert code == 1
    smells = gate(doc, "code_smells.count")
    assert (smells["status"], smells["actual"], smells["baselined"]) == ("fail", 1, 14)
    assert [(e["title"], e["path"]) for e in smells["evidence"]] == [
        ("ruff E999", "backend/acme_api/inventory.py")
    ]
    assert "(14 baselined)" in smells["message"]


def test_a_fixed_finding_makes_the_baseline_stale_failing_in_ci_warning_locally(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run("baseline", "update")
    edit_ruff(repo, lambda results: results.pop(0))
    code, doc = verdict(capsys)
    stale = gate(doc, "baseline.stale")
    assert (code, stale["status"], stale["actual"]) == (0, "warn", 1)
    assert "run `qualitygate baseline update`" in stale["message"]
    assert doc["accepted"]["stale"] == [
        "finding ruff UP017 backend/acme_api/inventory.py Use `datetime.UTC` alias: baselined 1, now gone"
    ]
    monkeypatch.setenv("CI", "true")
    code, doc = verdict(capsys)
    assert (code, gate(doc, "baseline.stale")["status"]) == (1, "fail")
    run("baseline", "update")
    assert "(0 added, 1 removed since the last update)" in capsys.readouterr().out
    assert verdict(capsys)[0] == 0


def test_a_grown_score_is_not_covered(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run("baseline", "update")
    radon = repo / "radon-cc.json"
    radon.write_text(radon.read_text().replace('"complexity": 14', '"complexity": 17'))
    code, doc = verdict(capsys)
    cc = gate(doc, "complexity.cyclomatic")
    assert (code, cc["status"], cc["actual"], cc["baselined"]) == (1, "fail", 17, 0)
    assert cc["evidence"][0]["detail"].endswith("baselined at 14, now 17: a grown score counts")


def _rename_in_reports(root: Path, old: str, new: str) -> None:
    for name in ("ruff.sarif", "bandit.sarif", "trivy-results.sarif", "radon-cc.json", "complexipy.json",
                 "backend/junit.xml"):  # fmt: skip
        path = root / name
        path.write_text(path.read_text().replace(old, new))


def test_a_git_mv_changes_nothing(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    isolate_git(tmp_path, monkeypatch)
    git(repo, "init", "-q", "-b", "main")
    run("baseline", "update")
    commit_all(repo, "baseline")
    git(repo, "mv", "backend/acme_api/legacy.py", "backend/acme_api/old_rows.py")
    _rename_in_reports(repo, "acme_api/legacy.py", "acme_api/old_rows.py")
    code, doc = verdict(capsys)
    assert code == 0
    assert gate(doc, "baseline.stale")["actual"] == 0
    assert doc["accepted"]["baselined"] == {"finding": 25, "function": 2, "test": 1}


def test_two_branches_updating_the_baseline_merge_without_conflict(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    isolate_git(tmp_path, monkeypatch)
    git(repo, "init", "-q", "-b", "main")
    run("baseline", "update")
    commit_all(repo, "baseline")
    git(repo, "checkout", "-q", "-b", "fix-first")
    edit_ruff(repo, lambda results: results.pop(0))
    run("baseline", "update")
    commit_all(repo, "fix the first finding")
    git(repo, "checkout", "-q", "main")
    git(repo, "checkout", "-q", "-b", "fix-last")
    edit_ruff(repo, lambda results: results.pop())
    run("baseline", "update")
    commit_all(repo, "fix the last finding")
    git(repo, "checkout", "-q", "fix-first")
    done = git(repo, "-c", "core.editor=true", "merge", "--no-edit", "-X", "ours", "fix-last")
    assert "CONFLICT" not in done
    text = (repo / BASELINE).read_text()
    assert "<<<<<<<" not in text and ">>>>>>>" not in text
    merged = bl.loads(text)
    assert len(merged.entries) == 24  # 26 entries, each branch paid one
    assert text.splitlines()[-1] == bl.FOOTER


# -------------------------------------------------------------------------------------------- waivers

WAIVERS = """\
waivers:
  - id: W-1
    match: {rule: UP017, path: "backend/**"}
    reason: the datetime alias waits for the 3.11 floor
    owner: "@acme/backend"
    expires: 2027-03-31
    ticket: BE-12
  - id: W-2
    match: {rule: NOPE}
    reason: a rule no tool reports
    owner: "@acme/backend"
    expires: 2027-06-30
  - id: W-3
    match: {metric: tests.failing}
    reason: the flaky legacy import test
    owner: "@acme/qa"
    expires: 2027-04-30
"""


def with_waivers(root: Path, text: str = WAIVERS) -> None:
    (root / ".github" / "quality-gates.yml").write_text(POLICY + text)


def test_a_waiver_applies_warns_before_expiry_and_an_unused_one_is_reported(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with_waivers(repo)
    _code, doc = verdict(capsys)
    smells = gate(doc, "code_smells.count")
    assert (smells["waived"], smells["waivers"], smells["actual"]) == (3, ["W-1"], 11)
    assert smells["accepted_items"][0]["waiver"] == "W-1"
    tests = gate(doc, "tests.failing")
    assert tests["status"] == "warn"
    assert "Accepted by waiver W-3 until 2027-04-30 (owner @acme/qa)." in tests["message"]
    assert gate(doc, "waivers.unused")["message"] == "Waivers in use: W-2 matched nothing; remove it."
    assert gate(doc, "waivers.expiring")["status"] == "warn"
    states = {w["id"]: (w["state"], w["days_left"], w["expiring"]) for w in doc["accepted"]["waivers"]}
    assert states == {
        "W-1": ("applied", 11, True),
        "W-2": ("unused", 102, False),
        "W-3": ("applied", 41, False),
    }
    capsys.readouterr()
    run("check")
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("FAIL (3 findings waived, 1 failing gate accepted, 1 expiring in 11 days)")


def test_unused_fail_fails(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with_waivers(repo, WAIVERS + "waiver_policy: {unused: fail}\n")
    _, doc = verdict(capsys)
    assert gate(doc, "waivers.unused")["status"] == "fail"


def test_an_expired_waiver_stops_applying_and_says_so(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with_waivers(repo)
    monkeypatch.setenv("QUALITYGATE_TODAY", "2027-03-31")  # the last valid day (inclusive, UTC)
    assert gate(verdict(capsys)[1], "code_smells.count")["waived"] == 3
    monkeypatch.setenv("QUALITYGATE_TODAY", "2027-04-01")
    _, doc = verdict(capsys)
    smells = gate(doc, "code_smells.count")
    assert (smells["waived"], smells["actual"]) == (0, 14)
    back = [e for e in smells["evidence"] if e["title"] == "ruff UP017"]
    assert len(back) == 3
    assert back[0]["detail"].endswith("; waiver W-1 expired 2027-03-31 (owner @acme/backend)")
    assert gate(doc, "waivers.expired")["status"] == "warn"


def test_waivers_lists_them(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with_waivers(repo)
    capsys.readouterr()
    assert run("waivers", "--expiring") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["ID", "OWNER", "EXPIRES", "DAYS", "LEFT", "MATCH", "REASON"]
    assert lines[1].split()[:4] == ["W-1", "@acme/backend", "2027-03-31", "11"]
    assert len(lines) == 2


@pytest.mark.parametrize(
    ("owner_line", "message"),
    [
        ("", "9:5: waivers.0.owner: Field required"),
        ('    owner: "<owner: fill in>"\n', "12:12: waivers.0.owner: fill in the owner"),
        ("    owner: ''\n", "12:12: waivers.0.owner: must not be empty"),
    ],
)
def test_a_waiver_without_a_real_owner_is_a_policy_error_with_its_line(
    repo: Path, capsys: pytest.CaptureFixture[str], owner_line: str, message: str
) -> None:
    waiver = "\nwaivers:\n  - id: W-9\n    match: {rule: UP017}\n    reason: later\n"
    with_waivers(repo, waiver + owner_line + "    expires: 2027-03-31\n")  # the owner on line 12
    capsys.readouterr()
    assert run("check") == 2
    assert f".github/quality-gates.yml:{message}" in capsys.readouterr().err


def test_an_expiry_beyond_max_days_is_a_policy_error_with_its_line(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with_waivers(repo, WAIVERS + "waiver_policy: {max_days: 90}\n")
    capsys.readouterr()
    assert run("check") == 2
    err = capsys.readouterr().err
    assert ".github/quality-gates.yml:18:14: waivers.1.expires: expires 2027-06-30, 102 days ahead" in err


# ---------------------------------------------------------------------------------------------- sarif


def test_sarif_output_carries_suppressions_and_baseline_state(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with_waivers(repo)
    run("baseline", "update")
    capsys.readouterr()
    run("check", "--format", "sarif")
    log = json.loads(capsys.readouterr().out)
    assert log["version"] == "2.1.0"
    results = [r for run_ in log["runs"] for r in run_["results"]]
    assert all(r["baselineState"] in ("new", "unchanged") for r in results)
    waived = [r for r in results if "suppressions" in r]
    assert [(r["ruleId"], r["baselineState"]) for r in waived] == [("UP017", "new")] * 3
    assert waived[0]["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "waiver W-1: the datetime alias waits for the 3.11 floor",
        }
    ]
    assert len(results) == 25
    assert sum(r["baselineState"] == "unchanged" for r in results) == 22  # the waived 3 are not baselined


def test_import_prints_waivers_whose_placeholder_owner_fails(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / ".trivyignore").write_text("# base image pinned by platform\nAVD-DS-0002 exp:2027-04-01\n")
    capsys.readouterr()
    assert run("waivers", "import", ".trivyignore") == 0
    text = capsys.readouterr().out
    assert "    expires: 2027-03-31\n" in text
    with_waivers(repo, text)
    assert run("check") == 2
    assert "waivers.0.owner: fill in the owner" in capsys.readouterr().err


def test_the_policy_cache_keeps_baseline_waivers_and_waiver_policy(repo: Path) -> None:
    from qualitygate.config import _validate
    from qualitygate.policy import policy_from_dict, policy_to_dict

    text = POLICY + WAIVERS + "baseline: {path: debt.json, stale: warn}\nwaiver_policy: {warn_days: 7}\n"
    policy = _validate(text.encode(), "p.yml")
    assert policy_from_dict(json.loads(json.dumps(policy_to_dict(policy)))) == policy
    assert (policy.baseline.path, policy.waivers[0].ticket, policy.waiver_policy.warn_days) == (
        "debt.json",
        "BE-12",
        7,
    )
    assert _validate((POLICY + "baseline: false\n").encode(), "p.yml").baseline is None


def test_a_waiver_narrowed_to_another_gate_leaves_its_items_in_the_baseline(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # W-1 names UP017 but only for security.blocking, which never counts ruff's UP017 smells: the
    # code-smell gate counts them, so `baseline update` must record them, and the check right after passes
    waiver = (
        "\nwaivers:\n  - id: W-1\n    match: {rule: UP017, metric: security.blocking}\n"
        "    reason: r\n    owner: '@acme/backend'\n    expires: 2027-03-31\n"
    )
    with_waivers(repo, waiver)
    assert run("baseline", "update") == 0
    _code, doc = verdict(capsys)
    smells = gate(doc, "code_smells.count")
    assert (smells["status"], smells["actual"], smells["baselined"], smells["waived"]) == ("pass", 0, 14, 0)


def test_update_records_the_offenders_of_a_new_code_complexity_gate(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # only new-code gates: the legacy function over 10 is debt the baseline can accept, as for the whole tree
    (repo / ".github" / "quality-gates.yml").write_text("quality_gates:\n  new_code: {max_cyclomatic: 10}\n")
    capsys.readouterr()
    assert run("baseline", "update") == 0
    assert "wrote .github/quality-baseline.json: 1 functions (1 added, 0 removed" in capsys.readouterr().out
