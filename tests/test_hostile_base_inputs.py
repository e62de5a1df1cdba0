"""The inputs of the comparison with the base and of accepted debt, when they are hostile or broken: a base
verdict (``--base-results FILE``, a git note, an Actions artifact), the baseline file and a saved diff
(``--base-diff``). Each is read or refused with one line naming the file (exit 3, GitHub's answers exit 4):
never an internal error (exit 5), never a value that fails later, never the token sent off the API host."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from fakegithub import FakeGitHub

from qualitygate import artifact, baseload, notes
from qualitygate.cli import main
from qualitygate.diffparse import parse_diff
from qualitygate.errors import GitHubError, ReportFormatError

RECORD: dict[str, Any] = {
    "commit": "c" * 40,
    "version": "1",
    "metrics": {"tests.total": 4.0},
    "findings": [{"tool": "ruff", "rule": "F401", "path": "a.py", "message": "unused", "line": 3}],
    "tests": {"t.a": "passed"},
}


def _verdict(**record: Any) -> str:
    return json.dumps({"schema_version": "1.2", "tool": "qualitygate", "record": {**RECORD, **record}})


def _finding(**fields: Any) -> list[dict[str, Any]]:
    return [{**RECORD["findings"][0], **fields}]


# ---------------------------------------------------------------------------------------- base verdict


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"commit": 5}, "record.commit: not a string or null"),
        ({"version": [1]}, "record.version: not a string"),
        ({"metrics": {"tests.total": "nan"}}, "record.metrics.tests.total: not a number"),
        ({"metrics": {"tests.total": True}}, "record.metrics.tests.total: not a number"),
        ({"metrics": []}, "record.metrics: not an object"),
        ({"findings": {}}, "record.findings: not a list"),
        ({"findings": _finding(line_hash=[1])}, "record.findings.0.line_hash: not a string or null"),
        ({"findings": _finding(line="3")}, "record.findings.0.line: not a line number"),
        ({"findings": _finding(path=None)}, "record.findings.0.path: not a string"),
        ({"findings": _finding(message=["a"])}, "record.findings.0.message: not a string"),
        ({"findings": _finding(colour="red")}, "record.findings.0: unknown key 'colour'"),
        ({"tests": {"t.a": 1}}, "record.tests: an outcome that is not a string"),
    ],
)
def test_a_base_record_of_the_wrong_shape_is_refused_naming_the_field(
    record: dict[str, Any], message: str
) -> None:
    """Each of these was accepted, then failed in the comparison (exit 5: unhashable, unorderable, not
    subscriptable) or compared against garbage (a boolean base value)."""
    with pytest.raises(ReportFormatError) as err:
        baseload.from_verdict_text(_verdict(**record), "verdict base.json", "base.json")
    assert str(err.value) == f"base.json: not a record qualitygate writes: {message}"


def test_a_base_verdict_with_nan_or_a_5000_digit_number_is_refused_at_its_line() -> None:
    nan = _verdict().replace("4.0", "NaN")
    with pytest.raises(
        ReportFormatError, match=r"^base.json:1:\d+: not valid JSON \(NaN is not a JSON value\)"
    ):
        baseload.from_verdict_text(nan, "v", "base.json")
    with pytest.raises(ReportFormatError, match=r"^base.json:1:\d+: an integer of 5000 digits"):
        baseload.from_verdict_text(_verdict().replace("4.0", "9" * 5000), "v", "base.json")
    with pytest.raises(ReportFormatError, match=r"^base\.json: JSON nested too deeply"):
        baseload.from_verdict_text("[" * 100_000, "v", "base.json")


def test_a_base_verdict_over_the_size_limit_is_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(baseload, "MAX_VERDICT_BYTES", 1 << 20)
    (tmp_path / "big.json").write_text(" " * (1 << 20) + _verdict())
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "quality-gates.yml").write_text(
        "gates:\n  - {metric: tests.total, max_drop: 0}\n"
    )
    code = main(["check", "--root", str(tmp_path), "--base-results", str(tmp_path / "big.json")])
    assert (code, capsys.readouterr().err) == (
        3,
        f"qualitygate: error: {tmp_path / 'big.json'}: larger than 1 MiB: not a JSON verdict\n",
    )


def test_a_git_note_line_of_the_wrong_shape_is_skipped_not_read() -> None:
    good = json.dumps({"recorded_at": "2026-01-01", **RECORD})
    bad = json.dumps({"recorded_at": "2026-01-02", **RECORD, "findings": _finding(line_hash=[1])})
    assert [r.commit for r in notes.records_of(f"{good}\n{bad}\n")] == ["c" * 40]


# ------------------------------------------------------------------------------------ Actions artifact


def _zip(text: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("verdict.json", text)
    return buf.getvalue()


def _base_results(fake: FakeGitHub) -> object:
    opts = {"repo": "o/r", "token": fake.token, "api_url": fake.url}
    return artifact.base_results("c" * 40, {}, "no note", opts)


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        (
            r"/actions/runs$",
            {"workflow_runs": 5},
            "GitHub answered with no list when trying to list the commit's runs",
        ),
        (r"/actions/runs$", {"workflow_runs": ["x"]}, "a string where a workflow run object was expected"),
        (r"/actions/runs$", {"workflow_runs": [{"created_at": "x"}]}, "a workflow run whose id is null"),
        (
            r"/artifacts$",
            {"artifacts": [{"name": "qualitygate-verdict"}]},
            "whose archive_download_url is null",
        ),
    ],
    ids=["runs-not-a-list", "run-not-an-object", "run-without-id", "artifact-without-url"],
)
def test_github_answers_of_the_wrong_shape_are_a_github_error(path: str, body: Any, message: str) -> None:
    fake = FakeGitHub()
    with fake.running():
        fake.add_run("o/r", "c" * 40, "2026-01-01T00:00:00Z", artifact=_zip(_verdict()))
        fake.fail(200, method="GET", path=path, body=body)
        with pytest.raises(GitHubError, match=message) as err:
            _base_results(fake)
    assert err.value.exit_code == 4


def test_the_token_never_goes_to_a_download_url_off_the_api_host() -> None:
    fake = FakeGitHub()
    with fake.running():
        fake.add_run("o/r", "c" * 40, "2026-01-01T00:00:00Z", artifact=_zip(_verdict()))
        elsewhere = {
            "name": "qualitygate-verdict",
            "expired": False,
            "archive_download_url": "http://192.0.2.1/z",
        }
        fake.fail(200, method="GET", path=r"/artifacts$", body={"artifacts": [elsewhere]})
        with pytest.raises(GitHubError, match="points away from the API host"):
            _base_results(fake)


def test_a_next_page_link_off_the_api_host_is_not_followed_with_the_token() -> None:
    fake = FakeGitHub()
    with fake.running():
        fake.add_run("o/r", "c" * 40, "2026-01-01T00:00:00Z")
        fake.fail(
            200,
            method="GET",
            path=r"/actions/runs$",
            body={"workflow_runs": []},
            headers={"Link": '<http://192.0.2.1/runs?page=2>; rel="next"'},
        )
        with pytest.raises(GitHubError, match="points away from the API host"):
            _base_results(fake)


def _deflated(text: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("verdict.json", text)
    return buf.getvalue()


def _unknown_method(data: bytes) -> bytes:
    """The member's compression method (local header and central directory) set to 99."""
    return data.replace(b"PK\x03\x04\x14\x00\x00\x00\x08\x00", b"PK\x03\x04\x14\x00\x00\x00\x63\x00").replace(
        b"PK\x01\x02\x14\x03\x14\x00\x00\x00\x08\x00", b"PK\x01\x02\x14\x03\x14\x00\x00\x00\x63\x00"
    )


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: d[:30] + b"\xff" * 20 + d[50:], "not a readable zip archive"),
        (_unknown_method, "not a readable zip archive: That compression method is not supported"),
    ],
    ids=["bad-deflate", "unknown-method"],
)
def test_an_artifact_zip_that_cannot_be_unpacked_is_an_input_error_naming_it(
    damage: Any, message: str
) -> None:
    """NotImplementedError, zlib.error, EOFError from zipfile ended in exit 5."""
    fake = FakeGitHub()
    with fake.running():
        fake.add_run("o/r", "c" * 40, "2026-01-01T00:00:00Z", artifact=damage(_deflated(_verdict())))
        with pytest.raises(ReportFormatError, match=f"^artifact qualitygate-verdict of run 500: {message}"):
            _base_results(fake)


def test_an_artifact_member_that_inflates_past_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """Read to the limit whatever the member's header claims (a zip bomb's header can lie)."""
    monkeypatch.setattr(artifact, "MAX_VERDICT_BYTES", 1 << 20)
    fake = FakeGitHub()
    with fake.running():
        fake.add_run("o/r", "c" * 40, "2026-01-01T00:00:00Z", artifact=_deflated(" " * (2 << 20)))
        with pytest.raises(ReportFormatError, match=r"verdict\.json is larger than 1 MiB"):
            _base_results(fake)


# ------------------------------------------------------------------------------------------- baseline


def _repo_with_baseline(root: Path, baseline: str) -> None:
    (root / ".github").mkdir()
    (root / ".github" / "quality-gates.yml").write_text("gates:\n  - {metric: smells.count, max: 0}\n")
    (root / ".github" / "quality-baseline.json").write_text(baseline)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("[" * 100_000 + "]" * 100_000 + ",", "not a JSON entry (nested too deeply)"),
        (
            '["' + "x" * 10_000 + '", "a", 1],',
            "unknown entry '" + "x" * 56 + "... of 2 fields",
        ),
        (
            '["test", "t", "' + "y" * 10_000 + '"],',
            "the entry's value '" + "y" * 56 + "... is not a positive",
        ),
    ],
    ids=["deep", "long-kind", "long-value"],
)
def test_a_hostile_baseline_entry_is_one_short_line_naming_the_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], entry: str, message: str
) -> None:
    _repo_with_baseline(tmp_path, '{"qualitygate_baseline": 1, "entries": [\n' + entry + "\n[]]}\n")
    assert main(["check", "--root", str(tmp_path)]) == 3
    err = capsys.readouterr().err
    assert err.startswith(f"qualitygate: error: .github/quality-baseline.json:2: {message}"), err[:300]
    assert len(err) < 300


def test_a_baseline_nested_too_deeply_to_have_a_header_is_not_a_baseline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _repo_with_baseline(tmp_path, "[" * 100_000)
    assert main(["check", "--root", str(tmp_path)]) == 3
    assert capsys.readouterr().err == (
        "qualitygate: error: .github/quality-baseline.json:1: not a qualitygate baseline "
        "(write it with `qualitygate baseline update`)\n"
    )


# ----------------------------------------------------------------------------------------- saved diff

HEAD = "diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n"


@pytest.mark.parametrize(
    ("hunk", "message"),
    [
        (
            "@@ -1,1 +1,1 @@\n+a\n+b\n c\n",
            "bad.diff:6: the hunk has more new lines than its '@@' header counts",
        ),
        (
            "@@ -1,1 +1,2 @@\n-a\n-b\n+c\n",
            "bad.diff:6: the hunk has more old lines than its '@@' header counts",
        ),
        ("@@ -1,1 +1,1 @@\n-a\n c\n", "bad.diff:6: the hunk has more old lines than its '@@' header counts"),
        ("@@ -1,0 +-5,2 @@\n+a\n+b\n", "bad.diff:4: not a hunk header: '@@ -1,0 +-5,2 @@'"),
        ("@@ -1,0 +0,2 @@\n+a\n+b\n", "bad.diff:4: not a hunk header: '@@ -1,0 +0,2 @@'"),
        ("@@ -1,0 +1_0,2 @@\n+a\n+b\n", "bad.diff:4: not a hunk header: '@@ -1,0 +1_0,2 @@'"),
        (
            "@@ -1,0 +99999999999999999999,2 @@\n+a\n+b\n",
            "bad.diff:4: not a hunk header: '@@ -1,0 +99999999999999999999,2 @@'",
        ),
    ],
    ids=["extra-added", "extra-removed", "context-past-new", "negative", "line-0", "underscore", "huge"],
)
def test_a_saved_diff_whose_counts_or_numbers_are_wrong_is_exit_3_naming_the_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    hunk: str,
    message: str,
) -> None:
    """Each was read before: an added line past the header's count (git apply: "corrupt patch"), or a line
    numbered -5, 0 or 10**20."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.diff").write_text(HEAD + hunk)
    assert main(["check", "--preset", "recommended", "--base-diff", "bad.diff"]) == 3
    assert capsys.readouterr().err == f"qualitygate: error: {message}\n"


@pytest.mark.parametrize(
    ("quoted", "path"),
    [('"b/x\\é.py"', "xé.py"), ('"b/x\\999.py"', "x999.py"), ('"b/caf\\303\\251.py"', "café.py")],
    ids=["escaped-non-ascii", "escaped-non-octal-digits", "octal-bytes"],
)
def test_a_quoted_name_with_an_escape_git_never_writes_is_taken_as_written(quoted: str, path: str) -> None:
    """``\\é`` ended in "byte must be in range(0, 256)", ``\\999`` in int()'s ValueError: exit 5."""
    text = f"--- /dev/null\n+++ {quoted}\n@@ -0,0 +1 @@\n+a\n"
    files = parse_diff(text.encode().splitlines(), "x.diff")
    assert [(f.path, f.added) for f in files.values()] == [(path, (1,))]
