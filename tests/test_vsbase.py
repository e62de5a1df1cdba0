"""Comparing with the base commit's results, over a real git repository: the base's verdict written by
``check --format json`` on the base commit, the head's judged against it (``--base-results``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.gitrepo import commit_all, git, isolate_git, write
from tests.test_cli import qg

POLICY = """\
gates:
  - {metric: new.smells.count, max: 0}
  - {metric: new.tests.failing, max: 0}
  - {metric: tests.removed, max: 0, level: warn}
  - {metric: tests.total, max_drop: 0}
  - {metric: "k6.http_req_duration.p(95)", max_rise: 10%}
  - {metric: smells.count, max: 100}
"""

LIB = "".join(f"def f{i}(x):\n    return x + {i}\n\n" for i in range(1, 9))


def sarif(results: list[tuple[str, str, int, str]]) -> str:
    """A ruff SARIF file: (rule, path, line, message) per result."""
    return json.dumps(
        {
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {"driver": {"name": "ruff", "rules": []}},
                    "results": [
                        {
                            "ruleId": rule,
                            "level": "error",
                            "message": {"text": msg},
                            "locations": [
                                {
                                    "physicalLocation": {
                                        "artifactLocation": {"uri": path},
                                        "region": {"startLine": line, "startColumn": 1},
                                    }
                                }
                            ],
                        }
                        for rule, path, line, msg in results
                    ],
                }
            ],
        }
    )


def junit(cases: dict[str, str]) -> str:
    body = "".join(
        f'<testcase classname="tests.test_x" name="{n}" time="0.01">'
        + ("<failure message='boom'>boom</failure>" if s == "failed" else "")
        + "</testcase>"
        for n, s in cases.items()
    )
    failures = sum(s == "failed" for s in cases.values())
    return (
        '<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" '
        f'tests="{len(cases)}" failures="{failures}" errors="0" skipped="0">{body}</testsuite></testsuites>'
    )


def k6(p95: float) -> str:
    values = {"avg": p95 / 2, "min": 1.0, "med": p95 / 2, "max": p95 * 2, "p(90)": p95 * 0.9, "p(95)": p95}
    return json.dumps(
        {
            "metrics": {
                "http_req_duration": {"type": "trend", "contains": "time", "values": values},
                "http_reqs": {"type": "counter", "contains": "default", "values": {"count": 10, "rate": 5}},
            },
            "root_group": {
                "name": "",
                "path": "",
                "id": "d41d8cd98f00b204e9800998ecf8427e",
                "groups": [],
                "checks": [],
            },
        }
    )


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    isolate_git(tmp_path, monkeypatch)
    r = tmp_path / "repo"
    r.mkdir()
    git(r, "init", "-q", "-b", "main")
    write(r, ".github/quality-gates.yml", POLICY)
    write(r, "src/lib.py", LIB)
    write(r, "src/other.py", "import os\n\n\ndef g():\n    return os.sep\n")
    # on the base: f3's magic value, f5's, and other.py's import
    write(
        r,
        "ruff.sarif",
        sarif(
            [
                ("PLR2004", "src/lib.py", 8, "Magic value used in comparison, consider replacing `3`"),
                ("PLR2004", "src/lib.py", 14, "Magic value used in comparison, consider replacing `5`"),
                ("F401", "src/other.py", 1, "`os` imported but unused"),
            ]
        ),
    )
    write(
        r,
        "junit.xml",
        junit({"test_a": "passed", "test_b": "passed", "test_c": "passed", "test_d": "failed"}),
    )
    write(r, "k6-summary.json", k6(100.0))
    commit_all(r, "base")
    return r


def check(repo: Path, *args: str) -> tuple[int, dict[str, Any]]:
    out = repo / "verdict.json"
    result = qg("check", "--root", str(repo), "--format", "json", "--output", str(out), *args)
    assert result.returncode in (0, 1), result.stdout + result.stderr
    return result.returncode, json.loads(out.read_text(encoding="utf-8"))


def gate(doc: dict[str, Any], gid: str) -> dict[str, Any]:
    return next(g for g in doc["gates"] if g["id"] == gid)


def _head(repo: Path) -> None:
    """The head: f3 moved into other.py (its finding with it), f5's line edited in place (its finding
    stays), f1 and f2 swapped within lib.py, a new finding on an untouched line, test_b now failing,
    test_c deleted, test_d passing, k6 p95 up 15 %."""
    lib = LIB.replace("def f3(x):\n    return x + 3\n\n", "").replace("return x + 5", "return 5 + x")
    f12 = "def f1(x):\n    return x + 1\n\ndef f2(x):\n    return x + 2\n\n"
    lib = lib.replace(f12, "def f2(x):\n    return x + 2\n\ndef f1(x):\n    return x + 1\n\n")
    write(repo, "src/lib.py", lib)
    write(
        repo, "src/other.py", "import os\n\n\ndef g():\n    return os.sep\n\ndef f3(x):\n    return x + 3\n"
    )
    write(
        repo,
        "ruff.sarif",
        sarif(
            [
                ("F401", "src/other.py", 1, "`os` imported but unused"),
                ("PLR2004", "src/other.py", 8, "Magic value used in comparison, consider replacing `3`"),
                ("PLR2004", "src/lib.py", 11, "Magic value used in comparison, consider replacing `5`"),
                ("E501", "src/lib.py", 2, "Line too long (120 > 110)"),
            ]
        ),
    )
    write(repo, "junit.xml", junit({"test_a": "passed", "test_b": "failed", "test_d": "passed"}))
    write(repo, "k6-summary.json", k6(115.0))
    commit_all(repo, "head")


def test_the_head_is_judged_against_the_base_verdict_check_wrote(repo: Path) -> None:
    code, base = check(repo)
    assert base["schema_version"] == "1.2"
    base_sha = git(repo, "rev-parse", "HEAD").strip()
    assert base["record"]["commit"] == base_sha
    (repo / "base.json").write_text(json.dumps(base), encoding="utf-8")
    _head(repo)
    code, doc = check(repo, "--base", base_sha, "--base-results", str(repo / "base.json"))
    assert doc["base"]["source"] == f"verdict {repo / 'base.json'}"
    assert doc["base"]["commit"] == base_sha
    assert doc["base"]["warnings"] == []
    # moved between files (f3), within a file (f1/f2 swap leaves none; f5 edited in place: unchanged)
    assert doc["base"]["findings"] == {"new": 1, "unchanged": 2, "moved": 1, "fixed": 0}
    smells = gate(doc, "new.smells.count")
    assert (smells["actual"], smells["status"]) == (1.0, "fail")
    assert [(e["title"], e["path"], e["line"]) for e in smells["evidence"]] == [
        ("ruff E501", "src/lib.py", 2)
    ]
    failing = gate(doc, "new.tests.failing")
    assert (failing["actual"], failing["status"]) == (1.0, "fail")
    assert [e["title"] for e in failing["evidence"]] == ["tests.test_x::test_b"]
    assert failing["evidence"][0]["detail"] == "failed now, passed on the base: boom"
    removed = gate(doc, "tests.removed")
    assert (removed["actual"], removed["status"]) == (1.0, "warn")
    assert [e["title"] for e in removed["evidence"]] == ["tests.test_x::test_c"]
    assert doc["base"]["tests_flaky"] == ["tests.test_x::test_d"]
    total = gate(doc, "tests.total:max_drop")
    assert (total["base_value"], total["value"], total["delta"], total["actual"]) == (4.0, 3.0, -1.0, 1.0)
    assert total["status"] == "fail"
    assert total[
        "message"
    ] == "tests.total drop vs base 1 exceeds the maximum of 0: 3 now, 4 on the base " + (
        f"({base_sha[:12]})."
    )
    p95 = gate(doc, "k6.http_req_duration.p(95):max_rise")
    assert (p95["base_value"], p95["value"], p95["delta"]) == (100.0, 115.0, 15.0)
    assert p95["actual"] == pytest.approx(15.0)
    assert (p95["unit"], p95["threshold"], p95["status"]) == ("%", 10.0, "fail")
    plain = gate(doc, "smells.count")
    assert (plain["base_value"], plain["actual"], plain["delta"]) == (3.0, 4.0, 1.0)
    assert code == 1


def test_a_small_rise_passes_max_rise_and_a_base_of_another_commit_is_warned(repo: Path) -> None:
    _, base = check(repo)
    (repo / "base.json").write_text(json.dumps(base), encoding="utf-8")
    base_sha = git(repo, "rev-parse", "HEAD").strip()
    write(repo, "k6-summary.json", k6(109.0))
    commit_all(repo, "middle")
    middle = git(repo, "rev-parse", "HEAD").strip()
    write(repo, "README", "x\n")
    commit_all(repo, "head")
    _, doc = check(repo, "--base", middle, "--base-results", str(repo / "base.json"))
    p95 = gate(doc, "k6.http_req_duration.p(95):max_rise")
    assert (p95["status"], p95["actual"]) == ("pass", pytest.approx(9.0))
    assert doc["base"]["warnings"] == [
        f"the base results belong to {base_sha[:12]}, not to the merge base {middle[:12]}"
    ]


def test_without_base_results_the_gates_against_the_base_are_missing_data_never_a_pass(repo: Path) -> None:
    code, doc = check(repo)
    why = "no base results to compare with: pass --base-results FILE, DIR or auto"
    for gid in ("new.tests.failing", "tests.removed", "tests.total:max_drop"):
        assert (gate(doc, gid)["status"], gate(doc, gid)["reason"]) == ("error", why)
    assert "base_value" not in gate(doc, "smells.count")
    assert code == 1


def test_a_1_1_verdict_as_base_results_says_what_it_lacks(repo: Path) -> None:
    _, base = check(repo)
    base["schema_version"] = "1.1"
    del base["record"]
    (repo / "old.json").write_text(json.dumps(base), encoding="utf-8")
    _, doc = check(repo, "--base-results", str(repo / "old.json"))
    reason = gate(doc, "tests.total:max_drop")["reason"]
    assert reason.startswith(
        f"no base results (verdict {repo / 'old.json'}): {repo / 'old.json'} is a 1.1 verdict"
    )
    assert doc["base"]["missing"].endswith(
        "write the base's verdict again with this qualitygate (check --format json), or use --base-results auto"
    )


def test_a_folder_of_the_base_reports_is_evaluated_with_the_same_policy(repo: Path, tmp_path: Path) -> None:
    folder = tmp_path / "base-reports"
    folder.mkdir()
    for name in ("junit.xml", "k6-summary.json", "ruff.sarif"):
        (folder / name).write_bytes((repo / name).read_bytes())
    (folder / "src").mkdir()
    for name in ("lib.py", "other.py"):
        (folder / "src" / name).write_bytes((repo / "src" / name).read_bytes())
    _head(repo)
    _, doc = check(repo, "--base-results", str(folder))
    assert doc["base"]["source"] == f"reports {folder}"
    assert doc["base"]["findings"] == {"new": 1, "unchanged": 2, "moved": 1, "fixed": 0}
    assert gate(doc, "tests.total:max_drop")["base_value"] == 4.0


def test_an_unreadable_base_verdict_is_an_input_error_naming_it(repo: Path) -> None:
    (repo / "bad.json").write_text("{nope", encoding="utf-8")
    result = qg("check", "--root", str(repo), "--base-results", str(repo / "bad.json"))
    assert result.returncode == 3
    assert f"{repo / 'bad.json'}:1:2: not valid JSON" in (result.stdout + result.stderr)
    result = qg("check", "--root", str(repo), "--base-results", str(repo / "absent.json"))
    assert result.returncode == 3
    assert "absent.json: no such file" in (result.stdout + result.stderr)


def test_the_markdown_and_table_show_the_base_and_a_delta_column(repo: Path) -> None:
    _, base = check(repo)
    (repo / "base.json").write_text(json.dumps(base), encoding="utf-8")
    base_sha = git(repo, "rev-parse", "HEAD").strip()
    _head(repo)
    args = ("--base", base_sha, "--base-results", str(repo / "base.json"))
    md = qg("check", "--root", str(repo), "--format", "markdown", *args).stdout
    assert "| Status | Gate | Metric | Actual | Threshold | Δ vs base | Why |" in md
    assert "| `k6.http_req_duration.p(95)` | 15% | ≤ 10% | +15 ms |" in md
    assert "| `smells.count` | 4 | ≤ 100 | +1 |" in md
    assert (
        f"Base results: verdict {repo / 'base.json'} (commit {base_sha[:7]}): findings 1 new, 2 unchanged, "
        "1 moved, 0 fixed; tests: 1 newly failing; 1 removed; 1 failed on the base and pass now (flaky?)"
    ) in md
    table = qg("check", "--root", str(repo), "--format", "table", *args).stdout
    assert "base results: verdict " in table
