"""Renderer tests: golden files for every format x scenario, and the properties goldens cannot show.

Goldens live in ``tests/golden/<scenario>.<format>``. On a mismatch the test prints a unified diff and saves
the actual output under ``tests/golden/_actual/`` (git-ignored) for review; ``QUALITYGATE_UPDATE_GOLDEN=1``
rewrites the goldens instead.
"""

from __future__ import annotations

import ast
import difflib
import os
import re
import stat
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from verdicts import (
    SCENARIOS,
    UGLY_TEST,
    base_for_mixed,
    coverage_gate,
    error_missing_report,
    huge_evidence,
    mixed_fail,
    verdict,
)

from qualitygate.errors import QualityGateError, UsageError
from qualitygate.render import (
    OutputFormat,
    github,
    junit,
    markdown,
    openmetrics,
    render,
    sarif,
    shields,
    table,
    write_atomic,
)
from qualitygate.render import json as json_renderer
from qualitygate.render._common import fmt_delta, truncate_middle
from qualitygate.units import format_value
from qualitygate.verdict import Evidence, Status, Verdict, verdict_from_json

GOLDEN = Path(__file__).resolve().parent / "golden"
ACTUAL = GOLDEN / "_actual"
UPDATE = os.environ.get("QUALITYGATE_UPDATE_GOLDEN") == "1"
COMMENT_LIMIT = 65_536
MARKER = "<!-- qualitygate:comment id=main -->"

# format name -> (file suffix, renderer as the CLI and the PR comment call it)
FORMATS: dict[str, tuple[str, Callable[[Verdict], str]]] = {
    "table": ("table.txt", table.render),
    "json": ("json", json_renderer.render),
    "markdown": ("md", lambda v: markdown.render(v, max_chars=COMMENT_LIMIT)),
    "github": ("github.txt", github.render),
    "junit": ("junit.xml", junit.render),
    "sarif": ("sarif", sarif.render),
    "openmetrics": ("openmetrics.txt", lambda v: openmetrics.render(v, branch="main", commit="0" * 40)),
    "shields": ("shields.json", shields.render),
}


def check_golden(name: str, actual: str) -> None:
    __tracebackhide__ = True
    golden = GOLDEN / name
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(actual.encode("utf-8"))
        return
    expected = golden.read_bytes().decode("utf-8") if golden.exists() else None
    if actual == expected:
        return
    ACTUAL.mkdir(parents=True, exist_ok=True)
    (ACTUAL / name).write_bytes(actual.encode("utf-8"))
    if expected is None:
        pytest.fail(
            f"no golden file {golden}; review {ACTUAL / name}, then run with QUALITYGATE_UPDATE_GOLDEN=1"
        )
    diff = difflib.unified_diff(
        expected.splitlines(keepends=True),
        actual.splitlines(keepends=True),
        fromfile=f"golden/{name}",
        tofile=f"golden/_actual/{name}",
        n=2,
    )
    text = "".join(list(diff)[:300])
    pytest.fail(f"{name} differs from its golden file (actual saved in golden/_actual/):\n{text}")


# ------------------------------------------------------------------------------------------- goldens


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_golden(scenario: str, fmt: str) -> None:
    suffix, render_fn = FORMATS[fmt]
    check_golden(f"{scenario}.{suffix}", render_fn(SCENARIOS[scenario]()))


def test_golden_markdown_with_base_and_marker() -> None:
    out = markdown.render(mixed_fail(), base=base_for_mixed(), marker=MARKER, max_chars=COMMENT_LIMIT)
    check_golden("mixed_fail.base.md", out)


def test_golden_step_summary() -> None:
    check_golden("mixed_fail.step-summary.md", github.step_summary(mixed_fail()))


def test_dispatch_matches_the_format_modules() -> None:
    v = mixed_fail()
    assert render(OutputFormat.TABLE, v) == table.render(v)
    assert render(OutputFormat.TABLE, v, color=True) == table.render(v, color=True)
    assert render(OutputFormat.JSON, v) == json_renderer.render(v)
    assert render(OutputFormat.MARKDOWN, v, max_chars=5000) == markdown.render(v, max_chars=5000)
    assert render(OutputFormat.GITHUB, v) == github.render(v)
    assert render(OutputFormat.JUNIT, v) == junit.render(v)
    assert render(OutputFormat.SARIF, v) == sarif.render(v)
    assert render(OutputFormat.OPENMETRICS, v, branch="b") == openmetrics.render(v, branch="b")
    assert render(OutputFormat.SHIELDS, v) == shields.render(v)
    assert [f.value for f in OutputFormat] == [
        "table",
        "json",
        "markdown",
        "github",
        "junit",
        "sarif",
        "openmetrics",
        "shields",
    ]


# --------------------------------------------------------------------------------------------- table


def test_table_colour_only_when_asked() -> None:
    v = mixed_fail()
    plain = table.render(v)
    assert "\x1b" not in plain
    coloured = table.render(v, color=True)
    assert coloured.startswith("\x1b[31mFAIL\x1b[0m  8 gates: 5 failed, 1 warning, 2 passed")
    assert "\x1b[32mPASS\x1b[0m" in coloured
    assert "\x1b[33mWARN\x1b[0m" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_table_fits_100_columns(scenario: str) -> None:
    for line in table.render(SCENARIOS[scenario]()).splitlines():
        assert len(line) <= 100, line


def test_table_shows_what_to_fix() -> None:
    out = table.render(mixed_fail())
    assert (
        out.splitlines()[0]
        == "FAIL  8 gates: 5 failed, 1 warning, 2 passed  (policy .github/quality-gates.yml)"
    )
    assert "  least-covered files (5 of 14):\n     12.5%  src/api/export.py\n" in out
    assert "    23  Exporter.render_rows  src/api/export.py:88        rank D\n" in out
    assert "      AssertionError: expected status 200, got 500\n" in out
    assert "assert 500 == 200" not in out  # only the first line of a failure message
    assert "    312.8 ms  http_req_duration p(95)  limit < 250 ms\n" in out


# ------------------------------------------------------------------------------------------ markdown


def test_markdown_status_line_and_table() -> None:
    out = markdown.render(mixed_fail())
    assert out.splitlines()[0] == "### ❌ Quality gate: FAIL — 8 gates: 5 failed, 1 warning, 2 passed"
    assert (
        "| ❌ fail | Backend line coverage | `coverage.lines.pct` | 78.43% | ≥ 80% | "
        "worst src/api/export.py (12.5%), 5 files below it |"
    ) in out.splitlines()
    assert (
        "| ✅ pass | Frontend line coverage | `coverage.lines.pct` | 88.21% | ≥ 70% |  |" in out.splitlines()
    )
    assert TRIM_NOTE_TEXT not in out


def test_markdown_delta_against_base_and_marker() -> None:
    out = markdown.render(mixed_fail(), base=base_for_mixed(), marker=MARKER)
    lines = out.splitlines()
    assert lines[0] == MARKER
    start = lines.index("| Status | Gate | Metric | Actual | Threshold | Δ vs base | Why |") + 2
    gate_rows = lines[start : lines.index("", start)]
    rows = {line.split(" | ")[1]: line.split(" | ")[5] for line in gate_rows}
    assert rows["Backend line coverage"] == "-2.2%"  # 78.43 - 80.63
    assert rows["Frontend line coverage"] == "±0"
    assert rows["No failing tests"] == "+3"
    assert rows["API p95 latency"] == "new"  # not in the base verdict
    assert rows["Duplicated lines"] == "—"  # the base had no value
    assert rows["Technical debt"] == "-25min"  # as the value reads: "1h 35min"


def test_delta_formatting() -> None:
    base = verdict([coverage_gate(Status.PASS, 80.0)])
    assert fmt_delta(coverage_gate(Status.PASS, 81.25), base, missing="—") == "+1.25%"
    assert fmt_delta(coverage_gate(Status.FAIL, 79.9), base, missing="—") == "-0.1%"
    assert fmt_delta(coverage_gate(Status.PASS, 80.0), base, missing="—") == "±0"
    assert fmt_delta(coverage_gate(Status.ERROR, None), base, missing="—") == "—"
    assert fmt_delta(coverage_gate(Status.PASS, 80.0, id="other"), base, missing="—") == "new"


def test_number_formatting() -> None:
    assert [format_value(x, None) for x in (80.0, 78.43, 78.4321, 0.0123, 1e-9, -0.5, 1204.0)] == [
        "80",
        "78.43",
        "78.43",
        "0.0123",
        "0",
        "-0.5",
        "1204",
    ]
    assert [format_value(x, None) for x in (float("nan"), float("inf"), -float("inf"), 10**30)] == [
        "NaN",
        "inf",
        "-inf",
        "1000000000000000000000000000000",
    ]
    assert truncate_middle("src/a/very/long/path/module.py", 20) == "src/a/ve...module.py"


@pytest.mark.parametrize(
    ("value", "unit", "bound", "expected"),
    [
        (79.996, "%", 80.0, "79.99%"),  # below a minimum of 80%: never "80%"
        (80.004, "%", 80.0, "80.01%"),  # above it: never "80%" either
        (2.9992, "%", 3.0, "2.99%"),  # within a maximum of 3%: not "3%"
        (3.0004, "%", 3.0, "3.01%"),
        (80.0, "%", 80.0, "80%"),  # exactly the bound reads as the bound
        (79.5, "%", 80.0, "79.5%"),  # far from it: plain rounding
        (0.99996, None, 1.0, "0.9999"),  # 4 decimals below 1
        (1e-9, None, 0.0, "0.0001"),  # not zero against a maximum of 0
        (0.049996, "ratio", 0.05, "4.99%"),  # a k6 rate, shown as a percentage
        (479.6, "min", 480.0, "7h 59min"),  # effort: whole minutes, never "1d" below a 1d maximum
        (250.004, "ms", 250.0, "250.01 ms"),
    ],
)
def test_a_value_never_reads_as_the_bound_it_is_not(
    value: float, unit: str | None, bound: float, expected: str
) -> None:
    assert format_value(value, unit, against=bound) == expected


def test_no_value_reads_as_a_bound_it_is_not_seeded() -> None:
    """2,000 seeded pairs close to each other, in every display precision: the shown figure is on the
    value's side of the bound as shown, or equal to it only when the value is the bound."""
    import random

    rng = random.Random(14)
    for _ in range(2000):
        bound = rng.choice(
            [0.0, 0.5, 1.0, 3.0, 80.0, 99.9, 250.0, round(rng.uniform(0, 500), rng.randint(0, 3))]
        )
        value = bound + rng.choice([0.0, 1.0, -1.0]) * 10.0 ** -rng.randint(1, 9) * rng.random()
        unit = rng.choice([None, "%", "ms"])
        shown = float(format_value(value, unit, against=bound).removesuffix("%").removesuffix(" ms"))
        as_bound = float(format_value(bound, unit).removesuffix("%").removesuffix(" ms"))
        if value < bound:
            assert shown < as_bound, (value, bound, unit)
        elif value > bound:
            assert shown > as_bound, (value, bound, unit)
        else:
            assert shown == as_bound


@pytest.mark.parametrize(
    ("gate_is", "status", "shown"),
    [((79.996, ">=", 80), Status.FAIL, "79.99%"), ((2.9992, "<=", 3), Status.PASS, "2.99%")],
)
@pytest.mark.parametrize("fmt", ["table", "markdown", "junit", "github"])
def test_every_format_shows_a_value_on_its_side_of_the_threshold(
    fmt: str, gate_is: tuple[float, str, int], status: Status, shown: str
) -> None:
    """79.996% failing ">= 80%" and 2.9992% passing "<= 3%": in the table, Markdown, JUnit and annotations
    the value (the gate's and its evidence's) reads as itself, and the threshold's figure appears only after its operator."""
    actual, operator, threshold = gate_is
    message = f"Backend line coverage {format_value(actual, '%', against=threshold)} is off."
    worst = Evidence(kind="file", title="src/a.py", path="src/a.py", value=actual, unit="%")
    gate = coverage_gate(
        status, actual, operator=operator, threshold=threshold, message=message, evidence=[worst]
    )
    out = FORMATS[fmt][1](verdict([gate]))
    if status is Status.FAIL:  # the file's value, listed as evidence, too
        assert out.count(shown) >= 2, out
    if fmt not in ("github", "junit") or status is not Status.PASS:  # a passing gate has no details there
        assert shown in out
    for m in re.finditer(rf"(?<![\d.]){threshold}%", out):
        assert out[: m.start()].rstrip().endswith((">=", "<=", "&gt;=", "&lt;=", "≥", "≤")), out


def test_markdown_escapes_user_strings() -> None:
    out = markdown.render(mixed_fail())
    row = next(line for line in out.splitlines() if "test_render" in line)
    # The test id in a code span (a "|" inside it escaped for the table), the message as inert text.
    assert row == (
        "| `tests/test_ui.py::test_render[a\\|b-<script>alert(1)</script>]` | AssertionError: \\`x \\| y\\` "
        "!= &lt;b&gt;\\*bold\\*&lt;/b&gt; (cc @\u200boctocat) |"
    )
    # Two cells: the row has exactly three unescaped pipes.
    assert len(re.findall(r"(?<!\\)\|", row)) == 3
    # Outside code spans there is no raw tag at all.
    without_code = re.sub(r"(`+)(?:(?!\1).)+\1", "", out)
    assert "<script" not in without_code
    assert "<b>*bold" not in without_code


def test_markdown_escapes_titles_in_summaries() -> None:
    gate = coverage_gate(
        Status.FAIL,
        10.0,
        title="Coverage <img src=x> | @team",
        message="Use `make cov` | see <docs>",
        evidence=[Evidence(kind="file", title="a`b`.py", path="a`b`.py", value=10.0, unit="%")],
    )
    out = markdown.render(verdict([gate]))
    assert "<summary>❌ <b>Coverage &lt;img src=x&gt; | @\u200bteam</b>: 10%" in out
    assert "| ❌ fail | Coverage &lt;img src=x&gt; \\| @\u200bteam | " in out
    assert "Use \\`make cov\\` \\| see &lt;docs&gt;" in out
    assert "| 10% | ``a`b`.py`` |" in out  # a fence longer than the backtick runs inside


def test_markdown_max_chars_trims_evidence_first() -> None:
    v = huge_evidence()
    full = markdown.render(v, marker=MARKER)
    assert len(full) > COMMENT_LIMIT
    out = markdown.render(v, marker=MARKER, max_chars=COMMENT_LIMIT)
    assert len(out) <= COMMENT_LIMIT
    assert markdown.size(out) <= COMMENT_LIMIT
    assert f"> {TRIM_NOTE_TEXT}." in out
    assert out.splitlines()[0] == MARKER
    # The gate table is whole, messages included, and the inputs are still there.
    table_rows = [line for line in full.splitlines() if line.startswith("| ") and "` | " in line][:4]
    for row in table_rows:
        assert row in out.splitlines()
    assert "<summary>Inputs: 7 reports</summary>" in out
    # The largest section gave up rows; the smaller ones kept all of theirs.
    assert "least-covered files: " in out
    assert re.search(r"least-covered files: \d+ of 650</summary>", out)
    assert "findings: 225</summary>" in out
    assert "failing tests: 20</summary>" in out


@pytest.mark.parametrize("limit", [40_000, 8_000, 3_000, 1_500, 900, 600])
def test_markdown_max_chars_always_holds(limit: int) -> None:
    out = markdown.render(huge_evidence(), marker=MARKER, max_chars=limit)
    assert len(out) <= limit
    assert TRIM_NOTE_TEXT in out
    assert MARKER in out
    assert out.count("<details>") == out.count("</details>")


def test_markdown_max_chars_order_of_trimming() -> None:
    v = huge_evidence()
    no_evidence = markdown.render(v, max_chars=1_500)
    assert "<summary>❌" not in no_evidence  # every evidence section went
    assert "<summary>Inputs" in no_evidence  # before the inputs did
    no_inputs = markdown.render(v, max_chars=1_000)
    assert "<summary>Inputs" not in no_inputs
    assert "| Status | Gate | Metric | Actual | Threshold | Why |" in no_inputs
    no_messages = markdown.render(v, max_chars=700)
    assert "| Status | Gate | Metric | Actual | Threshold |" in no_messages.splitlines()
    assert no_messages.count("| ❌ fail |") == 3
    assert no_messages.count("| ✅ pass |") == 1
    fewer_rows = markdown.render(v, max_chars=600)
    assert fewer_rows.count("| ❌ fail |") == 3  # the passing gate's row goes first
    assert "| ✅ pass |" not in fewer_rows
    assert "|  | _1 more gate not shown_ |  |  |  |" in fewer_rows


def test_markdown_max_chars_too_small() -> None:
    with pytest.raises(ValueError, match="too small"):
        markdown.render(huge_evidence(), max_chars=100)


def test_markdown_untouched_when_it_fits() -> None:
    v = mixed_fail()
    assert markdown.render(v, max_chars=COMMENT_LIMIT) == markdown.render(v)


TRIM_NOTE_TEXT = "Evidence trimmed to fit GitHub's comment limit; the full verdict is in the job's artifacts"


def test_trim_note_is_the_documented_text() -> None:
    assert markdown.TRIM_NOTE == TRIM_NOTE_TEXT


# -------------------------------------------------------------------------------------------- github


def test_workflow_command_escaping() -> None:
    assert github.escape_data("100% done\r\nnext: a,b") == "100%25 done%0D%0Anext: a,b"
    assert github.escape_property("C:\\a,b%\n") == "C%3A\\a%2Cb%25%0A"
    gate = coverage_gate(
        Status.FAIL,
        10.0,
        title="Coverage: api, core",
        message="10% < 80%\nsecond line",
        evidence=[
            Evidence(kind="file", title="src/a,b:c.py", path="src/a,b:c.py", line=3, value=10.0, unit="%")
        ],
    )
    assert github.render(verdict([gate])).splitlines() == [
        "::error title=Coverage%3A api%2C core::10%25 < 80%25 second line",
        "::error file=src/a%2Cb%3Ac.py,line=3,title=Coverage%3A api%2C core::10%25",
    ]


def test_annotations_stop_at_ten_per_level_then_a_notice() -> None:
    lines = github.render(huge_evidence()).splitlines()
    errors = [line for line in lines if line.startswith("::error")]
    assert len(errors) == 10
    assert not [line for line in lines if line.startswith("::warning")]
    # 3 gate lines + 650 evidence items with a path (450 files, 225 findings, 20 tests) - the 7 shown.
    assert lines[-1].startswith("::notice title=qualitygate::688 error annotations not shown")
    assert len(lines) == 11
    # The gate lines first (no file), then evidence round-robin across the gates.
    assert [("file=" in line) for line in errors] == [False] * 3 + [True] * 7
    files = [line.split("file=", 1)[1].split(",", 1)[0] for line in errors[3:]]
    assert files[:3] == [
        "src/services/very/deeply/nested/package/structure/that/monorepos/love/module_000.py",
        "poetry.lock",
        "tests/test_flow.py",
    ]


def test_warning_gates_annotate_as_warnings() -> None:
    lines = github.render(SCENARIOS["warn_only"]()).splitlines()
    assert lines and all(line.startswith("::warning ") for line in lines)
    assert github.render(SCENARIOS["all_pass"]()) == ""


def test_no_gates_is_an_error_everywhere() -> None:
    empty = verdict([])
    assert empty.status == "error"
    assert (
        github.render(empty) == "::error title=qualitygate::No gate was evaluated: the policy defines none.\n"
    )
    assert table.render(empty) == "ERROR  0 gates  (policy .github/quality-gates.yml)\n"
    assert "_The policy defines no gates._" in markdown.render(empty)
    assert parse_junit(junit.render(empty)).get("tests") == "0"


def test_failing_test_annotation_keeps_the_traceback_lines() -> None:
    lines = github.render(mixed_fail()).splitlines()
    test_line = next(line for line in lines if "file=tests/api/test_export.py" in line)
    assert test_line.endswith("expected status 200, got 500%0Aassert 500 == 200")


def test_step_summary_within_a_byte_limit() -> None:
    out = github.step_summary(huge_evidence(), limit=20_000)
    assert len(out.encode("utf-8")) <= 20_000
    assert TRIM_NOTE_TEXT in out
    assert len(github.step_summary(huge_evidence()).encode("utf-8")) <= github.SUMMARY_LIMIT


# --------------------------------------------------------------------------------------------- junit


def parse_junit(text: str) -> ET.Element:
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return ET.fromstring(text.encode("utf-8"))


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_junit_counts_match_the_testcases(scenario: str) -> None:
    v = SCENARIOS[scenario]()
    suite = parse_junit(junit.render(v))
    assert suite.tag == "testsuite"
    assert suite.get("name") == "qualitygate"
    cases = suite.findall("testcase")
    assert int(suite.get("tests", "")) == len(cases) == v.summary.total
    assert int(suite.get("failures", "")) == sum(1 for c in cases if c.find("failure") is not None)
    assert int(suite.get("errors", "")) == sum(1 for c in cases if c.find("error") is not None)
    assert int(suite.get("skipped", "")) == sum(1 for c in cases if c.find("skipped") is not None)


def test_junit_testcases() -> None:
    suite = parse_junit(junit.render(error_missing_report()))
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors"), suite.get("skipped")) == (
        "4",
        "0",
        "1",
        "1",
    )
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    coverage = cases["Backend line coverage"]
    assert coverage.get("classname") == "qualitygate.backend"
    error = coverage.find("error")
    assert error is not None
    assert (
        error.get("message")
        == "reports/coverage.xml: no such file; run the tests with coverage before the gate."
    )
    assert cases["No failing tests"].get("classname") == "qualitygate.all"
    assert cases["API p95 latency"].find("skipped") is not None

    mixed = {c.get("name"): c for c in parse_junit(junit.render(mixed_fail())).findall("testcase")}
    failure = mixed["No failing tests"].find("failure")
    assert failure is not None and failure.text is not None
    assert UGLY_TEST in failure.text  # escaped in the XML, whole once parsed
    out = mixed["Duplicated lines"].find("system-out")
    assert out is not None and out.text is not None and out.text.startswith("WARNING: ")
    assert list(mixed["Technical debt"]) == []


def test_junit_survives_control_characters() -> None:
    gate = coverage_gate(Status.FAIL, 1.0, message="colour \x1b[31mred\x1b[0m and a NUL \x00 here")
    suite = parse_junit(junit.render(verdict([gate])))
    failure = suite.find("testcase/failure")
    assert failure is not None
    assert failure.get("message") == "colour \ufffd[31mred\ufffd[0m and a NUL \ufffd here"


# ---------------------------------------------------------------------------------------------- json


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_json_round_trips(scenario: str) -> None:
    v = SCENARIOS[scenario]()
    text = json_renderer.render(v)
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert text.startswith('{\n  "schema_version": "1.2",\n  "tool": "qualitygate",\n')
    assert verdict_from_json(text) == v


# -------------------------------------------------------------------------------------- write_atomic


def test_write_atomic_creates_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "verdict.json"
    write_atomic(str(target), "first\n")
    assert target.read_text(encoding="utf-8") == "first\n"
    target.chmod(0o640)
    write_atomic(str(target), "sécond\r\n")
    assert target.read_bytes() == "sécond\r\n".encode()  # UTF-8, newlines as given
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # the replaced file's mode is kept
    assert os.listdir(tmp_path) == ["verdict.json"]  # no temporary file left behind


def test_write_atomic_new_file_is_not_private(tmp_path: Path) -> None:
    target = tmp_path / "new.md"
    old = os.umask(0o022)
    try:
        write_atomic(str(target), "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_write_atomic_stdout(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write_atomic("-", "to stdout\n")
    assert capsys.readouterr().out == "to stdout\n"
    assert not (tmp_path / "-").exists()


def test_write_atomic_error_names_the_path(tmp_path: Path) -> None:
    target = tmp_path / "missing-dir" / "verdict.json"
    with pytest.raises(UsageError) as info:
        write_atomic(str(target), "x")
    assert isinstance(info.value, QualityGateError)
    assert str(info.value).startswith(f"{target}: cannot write the output: ")
    assert not (tmp_path / "missing-dir").exists()


def test_write_atomic_leaves_no_temp_file_on_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "verdict.json"

    def refuse(src: str, dst: str) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(UsageError, match=r"verdict.json: cannot write the output: Permission denied"):
        write_atomic(str(target), "x")
    assert os.listdir(tmp_path) == []


def test_write_atomic_to_a_directory_names_it(tmp_path: Path) -> None:
    target = tmp_path / "is-a-dir"
    (target / "inner").mkdir(parents=True)
    with pytest.raises(UsageError, match=r"is-a-dir: cannot write the output: Is a directory"):
        write_atomic(str(target), "x")
    assert sorted(os.listdir(tmp_path)) == ["is-a-dir"]
    assert os.listdir(target) == ["inner"]


def test_write_atomic_keeps_a_symlink_and_replaces_its_target(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    real = tmp_path / "real" / "verdict.json"
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "verdict.json"
    link.symlink_to(Path("real") / "verdict.json")
    write_atomic(str(link), "new\n")
    assert link.is_symlink() and os.readlink(link) == os.path.join("real", "verdict.json")
    assert real.read_text(encoding="utf-8") == "new\n"
    assert sorted(os.listdir(tmp_path / "real")) == ["verdict.json"]  # replaced beside itself, no temp left


def test_write_atomic_through_a_dangling_symlink_creates_its_target(tmp_path: Path) -> None:
    link = tmp_path / "out.json"
    link.symlink_to(tmp_path / "later.json")
    write_atomic(str(link), "x")
    assert link.is_symlink() and (tmp_path / "later.json").read_text(encoding="utf-8") == "x"


def test_write_atomic_writes_into_a_fifo(tmp_path: Path) -> None:
    import threading

    fifo = tmp_path / "verdict.fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    write_atomic(str(fifo), "through the pipe\n")
    reader.join(timeout=10)
    assert got == [b"through the pipe\n"]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)  # still a FIFO, not a regular file


def test_write_atomic_to_a_fifo_nobody_reads_is_an_error_not_a_hang(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import qualitygate.render

    monkeypatch.setattr(qualitygate.render, "FIFO_WAIT_S", 0.2)
    fifo = tmp_path / "nobody.fifo"
    os.mkfifo(fifo)
    with pytest.raises(UsageError, match=r"nobody.fifo: cannot write the output: no process read the FIFO"):
        write_atomic(str(fifo), "x")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_write_atomic_never_replaces_a_device(tmp_path: Path) -> None:
    if stat.S_ISCHR(os.stat("/dev/null").st_mode):  # else something else already replaced it
        write_atomic("/dev/null", "discarded\n")
        assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    if os.geteuid() == 0:  # a device node of our own: what the old rename did to /dev/null as root
        node = tmp_path / "null"
        os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        write_atomic(str(node), "discarded\n")
        assert stat.S_ISCHR(os.lstat(node).st_mode)
        assert os.listdir(tmp_path) == ["null"]


@pytest.mark.parametrize("redirect", ["pipe", "file"])
def test_write_atomic_to_dev_stdout_writes_to_the_stream(tmp_path: Path, redirect: str) -> None:
    """``--output /dev/stdout`` goes to the process's standard output, whatever it is; a redirected file is
    appended to (what was written before stays), never replaced."""
    import subprocess
    import sys

    code = (
        "import sys; sys.stdout.write('table\\n'); "
        "from qualitygate.render import write_atomic; write_atomic('/dev/stdout', 'verdict\\n')"
    )
    argv = [sys.executable, "-c", code]
    if redirect == "pipe":
        out = subprocess.run(argv, check=True, capture_output=True, timeout=60).stdout
    else:
        target = tmp_path / "out.txt"
        target.write_bytes(b"before\n")
        inode = target.stat().st_ino
        with target.open("ab") as fh:
            subprocess.run(argv, check=True, stdout=fh, timeout=60)
        out = target.read_bytes()
        assert target.stat().st_ino == inode
        out = out.removeprefix(b"before\n")
    assert out == b"table\nverdict\n"


# ------------------------------------------------------------------------------------------- imports

RENDER = Path(__file__).resolve().parent.parent / "qualitygate" / "render"
ALLOWED = {
    "_common.py": {"qualitygate.verdict", "qualitygate.units"},
    "table.py": {"qualitygate.verdict", "qualitygate.render._common"},
    "json.py": {"qualitygate.verdict"},
    "markdown.py": {"qualitygate.verdict", "qualitygate.render._common", "qualitygate.render.trend"},
    "github.py": {
        "qualitygate.verdict",
        "qualitygate.render._common",
        "qualitygate.render.markdown",
        "qualitygate.render.trend",
    },
    "junit.py": {"qualitygate.verdict", "qualitygate.render._common"},
    "sarif.py": {"qualitygate.verdict"},
    "trend.py": {"qualitygate.units"},
    "openmetrics.py": {"qualitygate.verdict", "qualitygate.errors"},
    "shields.py": {"qualitygate.verdict"},
    "__init__.py": {
        "qualitygate.verdict",
        "qualitygate.errors",
        *(f"qualitygate.render.{m}" for m in FORMATS),
    },
}


def _imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = {f"{node.module}.{a.name}" for a in node.names}
            out |= names if node.module == "qualitygate.render" else {node.module}
    return {name for name in out if name.startswith("qualitygate")}


@pytest.mark.parametrize("module", sorted(ALLOWED))
def test_renderers_import_only_the_verdict(module: str) -> None:
    assert _imports(RENDER / module) <= ALLOWED[module]


def test_every_render_module_is_checked() -> None:
    assert sorted(p.name for p in RENDER.glob("*.py")) == sorted(ALLOWED)
