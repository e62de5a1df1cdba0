"""The history in git notes (record, --push, history, --base-results auto) and the GitHub Actions artifact
path, over real git repositories and the loopback fake GitHub."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from fakegithub import FakeGitHub

from qualitygate import artifact, notes
from qualitygate.record import record_from_dict
from tests.gitrepo import commit_all, git, isolate_git, write
from tests.test_cli import qg
from tests.test_vsbase import _head, check, gate
from tests.test_vsbase import repo as repo  # noqa: PLC0414  # the fixture


def _sha(repo: Path, rev: str = "HEAD") -> str:
    return git(repo, "rev-parse", rev).strip()


def test_record_writes_one_json_line_per_record_and_history_reads_it_back(repo: Path) -> None:
    result = qg("record", "--root", str(repo))
    assert result.returncode == 0, result.stderr
    base = _sha(repo)
    note = git(repo, "notes", "--ref=qualitygate", "show", base)
    lines = note.splitlines()
    assert len(lines) == 1
    doc = json.loads(lines[0])
    assert (doc["commit"], doc["metrics"]["tests.total"], doc["tests"]["tests.test_x::test_c"]) == (
        base,
        4.0,
        "passed",
    )
    assert len(lines[0].encode()) < 4096  # a few KiB
    _head(repo)
    assert qg("record", "--root", str(repo)).returncode == 0
    out = qg("history", "tests.total", "-n", "5", "--root", str(repo)).stdout
    assert out.splitlines() == [
        "commit        tests.total",
        "------------  -----------",
        f"{base[:12]}  4",
        f"{_sha(repo)[:12]}  3",
    ]
    mermaid = qg("history", "tests.total", "--format", "mermaid", "--root", str(repo)).stdout
    assert (
        f'    x-axis ["{base[:7]}", "{_sha(repo)[:7]}"]\n    y-axis "tests.total"\n    line [4, 3]\n'
        in mermaid
    )


def test_the_newest_record_of_a_commit_wins() -> None:
    old = '{"recorded_at":"2026-01-01T00:00:00+00:00","commit":"a","version":"1","metrics":{"m":1},'
    new = '{"recorded_at":"2026-02-01T00:00:00+00:00","commit":"a","version":"1","metrics":{"m":2},'
    tail = '"findings":[],"tests":{}}'
    # cat_sort_uniq sorts the lines: the newer may come first
    records = notes.records_of(new + tail + "\n" + "not json\n" + old + tail + "\n")
    assert [r.metrics["m"] for r in records] == [1.0, 2.0]


def test_base_results_auto_reads_the_merge_base_note(repo: Path) -> None:
    assert qg("record", "--root", str(repo)).returncode == 0
    base = _sha(repo)
    _head(repo)
    _, doc = check(repo, "--base", base, "--base-results", "auto")
    assert doc["base"]["source"] == f"git notes refs/notes/qualitygate of {base[:12]}"
    assert doc["base"]["findings"] == {"new": 1, "unchanged": 2, "moved": 1, "fixed": 0}
    assert gate(doc, "tests.total:max_drop")["status"] == "fail"


def test_base_results_auto_without_a_note_nor_a_token_is_missing_data(repo: Path) -> None:
    base = _sha(repo)
    _head(repo)
    _, doc = check(repo, "--base", base, "--base-results", "auto")
    assert doc["base"]["missing"] == (
        f"no git note refs/notes/qualitygate for {base[:12]} (fetch them: git fetch origin "
        "'+refs/notes/qualitygate:refs/notes/qualitygate'); no artifact looked up (needs GITHUB_REPOSITORY "
        "and GITHUB_TOKEN)"
    )
    assert gate(doc, "tests.total:max_drop")["status"] == "error"


def _clone(remote: Path, to: Path) -> Path:
    git(to.parent, "clone", "-q", str(remote), str(to))
    return to


def test_concurrent_pushes_of_notes_are_merged_and_nothing_is_lost(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    git(repo, "push", "-q", str(remote), "main")
    first = _sha(repo)
    write(repo, "README", "second\n")
    commit_all(repo, "second")
    git(repo, "push", "-q", str(remote), "main")
    a = _clone(remote, tmp_path / "a")
    b = _clone(remote, tmp_path / "b")
    notes.write(str(a), first, '{"by": "a"}')
    notes.write(str(b), first, '{"by": "b"}')
    notes.write(str(b), _sha(b), '{"by": "b2"}')
    # a pushes first; b's first push races with another push from a (made between b's merge and push)
    assert notes.push(str(a), "origin") == 1
    merge = notes._merge
    raced = []

    def racing_merge(root: str) -> None:
        merge(root)
        if not raced:
            raced.append(True)
            notes.write(str(a), first, '{"by": "a-again"}')
            assert notes.push(str(a), "origin") == 1

    monkeypatch.setattr(notes, "_merge", racing_merge)
    assert notes.push(str(b), "origin") == 2
    check_out = _clone(remote, tmp_path / "c")
    git(check_out, "fetch", "-q", "origin", "+refs/notes/qualitygate:refs/notes/qualitygate")
    assert sorted(notes.show(str(check_out), first).splitlines()) == sorted(
        ['{"by": "a"}', '{"by": "a-again"}', '{"by": "b"}']
    )
    assert notes.show(str(check_out), _sha(b)).splitlines() == ['{"by": "b2"}']
    log = git(remote, "log", "--format=%s", "refs/notes/qualitygate")
    assert "forced" not in log


def _zip(doc: dict[str, object]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("verdict.json", json.dumps(doc))
    return buf.getvalue()


RECORD = {"commit": "c" * 40, "version": "1", "metrics": {"tests.total": 4.0}, "findings": [], "tests": {}}
VERDICT = {"schema_version": "1.2", "tool": "qualitygate", "tool_version": "1", "record": RECORD}


def test_the_artifact_of_the_merge_base_run_is_found_across_pages() -> None:
    fake = FakeGitHub()
    with fake.running():
        for i in range(101):  # two pages of runs; the newest holds the artifact
            fake.add_run("o/r", "c" * 40, f"2026-01-01T00:{i // 60:02d}:{i % 60:02d}Z")
        fake.add_run("o/r", "c" * 40, "2026-01-02T00:00:00Z", artifact=_zip(VERDICT))
        fake.add_run("o/r", "d" * 40, "2026-01-03T00:00:00Z", artifact=_zip(VERDICT))
        got = artifact.base_results(
            "c" * 40, {}, "no note", {"repo": "o/r", "token": fake.token, "api_url": fake.url}
        )
    assert got.unavailable is None
    assert (got.source, got.commit, got.metrics) == (
        "artifact qualitygate-verdict of run 601",
        "c" * 40,
        {"tests.total": 4.0},
    )
    pages = [c for c in fake.calls("GET") if c.path == "/repos/o/r/actions/runs"]
    assert [c.query.get("page") for c in pages] == [None, ["2"]]
    assert record_from_dict(RECORD).commit == "c" * 40


def test_no_artifact_and_a_404_are_missing_base_results_with_the_reason() -> None:
    fake = FakeGitHub()
    with fake.running():
        fake.add_run("o/r", "c" * 40, "2026-01-01T00:00:00Z")
        opts = {"repo": "o/r", "token": fake.token, "api_url": fake.url}
        none = artifact.base_results("c" * 40, {}, "no note", opts)
        gone = artifact.base_results("c" * 40, {}, "no note", {**opts, "repo": "o/absent"})
    assert none.unavailable == f"no note; no artifact qualitygate-verdict for {'c' * 12} in o/r"
    assert gone.unavailable is not None and gone.unavailable.startswith("no note; ")
    assert "404" in gone.unavailable or "not found" in gone.unavailable.lower()


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_git(tmp_path, monkeypatch)


def test_the_sparkline_table_and_overview_of_a_metric() -> None:
    from qualitygate.render import trend

    assert trend.sparkline([1.0, None, 5.0, 3.0]) == "▁ █▅"
    assert trend.sparkline([2.0, 2.0]) == "▅▅"
    assert trend.sparkline([None]) == " "
    points = [("a" * 40, 90.0), ("b" * 40, None), ("c" * 40, 91.5)]
    assert trend.table("cov", points, spark=True).splitlines()[-4:] == [
        f"{'b' * 12}  —",
        f"{'c' * 12}  91.5",
        "",
        "trend  ▁ █",
    ]
    assert trend.overview([("cov", [90.0, None, 91.5]), ("tests.total", [4.0, 3.0, None])]) == (
        "cov          ▁ █  91.5\ntests.total  █▁   3\n"
    )
    assert '    x-axis ["aaaaaaa", "ccccccc"]\n' in trend.mermaid("cov", points)
