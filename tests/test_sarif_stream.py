"""The streaming SARIF reader (parsers/_sarif_stream.py) against the plain one (the whole log through
json.loads): the same report -- findings, warnings, tools -- on every SARIF the project knows, and None
(the plain path, with its error message) for whatever it is not sure of."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REAL_REPORTS

from qualitygate.errors import ReportFormatError
from qualitygate.model import FindingsReport
from qualitygate.parsers import _sarif_stream, sarif
from qualitygate.parsers.jsonload import loads, read_text

ROOT = Path(__file__).resolve().parent.parent
REAL = sorted(
    p for p in REAL_REPORTS.rglob("*.sarif*") if p.is_file() and not p.name.endswith(".expected.json")
)
PROJECT = sorted([*ROOT.glob("fixtures/*/*.sarif"), *ROOT.glob("tests/data/sarif/*.sarif")])


def plain(path: Path) -> FindingsReport | str:
    """The plain path's report, or its error message."""
    try:
        doc = loads(str(path), read_text(str(path), sarif.WHAT), sarif.WHAT)
        if not isinstance(doc, dict):
            return "top level is not an object"
        return sarif._build(str(path), doc)
    except ReportFormatError as exc:
        return str(exc)


def streamed(path: Path) -> FindingsReport | None:
    try:
        text = read_text(str(path), sarif.WHAT)
    except ReportFormatError:
        return None
    return _sarif_stream.stream(str(path), text)


@pytest.mark.parametrize("path", REAL + PROJECT, ids=lambda p: p.name)
def test_the_streamed_report_is_the_plain_one(path: Path) -> None:
    got, want = streamed(path), plain(path)
    if isinstance(want, str):  # an error: the stream declines, the plain path says what is wrong
        assert got is None
    else:
        assert got == want


def test_every_real_log_that_is_valid_is_streamed() -> None:
    if not REAL_REPORTS.is_dir():
        pytest.skip("../shared/real-reports not present")
    valid = [p for p in REAL if not isinstance(plain(p), str)]
    assert len(valid) >= 7
    assert [p.name for p in valid if streamed(p) is None] == []


def generated(tmp_path: Path, order: str, results: int = 300) -> Path:
    out = tmp_path / f"{order}.sarif"
    script = ROOT / "benchmarks" / "gen_sarif_many.py"
    subprocess.run(
        [sys.executable, str(script), str(out), "--results", str(results), "--order", order], check=True
    )
    return out


@pytest.mark.parametrize("order", ["ruff", "trivy"])
def test_results_before_or_after_the_tool_stream_to_the_plain_report(tmp_path: Path, order: str) -> None:
    path = generated(tmp_path, order)
    got = streamed(path)
    assert got is not None and got == plain(path)
    assert (len(got.findings), got.tools) == (300, ["ruff"])
    assert len({id(f.message) for f in got.findings}) == len({f.message for f in got.findings})  # shared
    assert len({id(f.path) for f in got.findings}) == len({f.path for f in got.findings})


def test_parse_reads_a_log_without_the_whole_json_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_whole_load(*_: object) -> None:
        raise AssertionError("the whole log was loaded")

    monkeypatch.setattr(sarif, "loads", no_whole_load)
    report = sarif.parse(str(generated(tmp_path, "ruff")))
    assert len(report.findings) == 300


RUN = '{"tool": {"driver": {"name": "t", "rules": [{"id": "R1"}]}}, "results": [%s]%s}'
RESULT = '{"ruleId": "R1", "message": {"text": "m"}, "locations": [{"physicalLocation": {%s}}]}'
BY_URI = RESULT % '"artifactLocation": {"uri": "a.py"}'
BY_INDEX = RESULT % '"artifactLocation": {"index": 0}'
ARTIFACTS = ', "artifacts": [{"location": {"uri": "src/b.py"}}]'


@pytest.mark.parametrize(
    "log",
    [
        '{"runs": [%s], "runs": []}' % (RUN % (BY_URI, "")),  # json.loads keeps the last
        '{"runs": [%s]}' % (RUN % (f"{BY_URI}, {BY_URI}", ', "results": []')),
        '{"runs": [%s]}' % (RUN % (BY_INDEX, ARTIFACTS)),  # artifacts after the result that needs them
        '{"runs": [%s]}' % (RUN % (BY_URI.replace('"m"', "NaN"), "")),
        '{"runs": [%s]}' % (RUN % (BY_URI.replace('"m"', "1" * 5000), "")),
        '{"runs": [%s]}' % (RUN % (f"{BY_URI},", "")),
        '{"runs": [%s]} x' % (RUN % (BY_URI, "")),
        '{"runs": [%s]' % (RUN % (BY_URI, "")),
        '{"runs": {}}',
        '{"version": "2.1.0"}',
        "[]",
        "",
    ],
)
def test_what_the_stream_is_not_sure_of_goes_to_the_plain_path(tmp_path: Path, log: str) -> None:
    path = tmp_path / "x.sarif"
    path.write_text(log)
    assert streamed(path) is None


def test_artifacts_written_before_the_results_are_streamed(tmp_path: Path) -> None:
    run = json.loads(RUN % (BY_INDEX, ARTIFACTS))
    path = tmp_path / "x.sarif"
    path.write_text(json.dumps({"version": "2.0.0", "runs": [{"artifacts": run["artifacts"], **run}]}))
    got = streamed(path)
    assert got is not None and got == plain(path)
    assert ([f.path for f in got.findings], got.warnings) == (
        ["src/b.py"],
        ["SARIF version '2.0.0': read as 2.1.0"],
    )


def ruff_order_run(tool: str, rule: str, message: str) -> dict[str, object]:
    result = {"ruleId": rule, "level": "error", "message": {"text": message}}
    return {"results": [result, result], "tool": {"driver": {"name": tool, "rules": [{"id": rule}]}}}


@pytest.mark.parametrize(
    "runs",
    [
        [ruff_order_run("ruff", "S101", "a"), ruff_order_run("other", "X1", "b")],  # the last tool is run 1's
        [ruff_order_run("ruff", "S101", 'a "tool": {"driver": {}}')],  # a "tool" key inside a message
    ],
)
def test_a_tool_after_the_results_found_wrongly_is_undone(tmp_path: Path, runs: list[object]) -> None:
    path = tmp_path / "x.sarif"
    path.write_text(json.dumps({"runs": runs, "version": "2.1.0"}, indent=1))
    got = streamed(path)
    assert got is not None and got == plain(path)
    assert [(f.tool, f.rule_id, f.security) for f in got.findings][::2] == [
        (str(r["tool"]["driver"]["name"]), r["results"][0]["ruleId"], r["results"][0]["ruleId"] == "S101")  # type: ignore[index]
        for r in runs
    ]
