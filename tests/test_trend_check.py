"""``check --trend``: a metric's trend over the last commits, read from the git notes at the edge, as a
Mermaid ``xychart-beta`` in the Markdown verdict (the file, the job summary, the pull-request comment)."""

from __future__ import annotations

from pathlib import Path

from verdicts import huge_evidence, mixed_fail

from qualitygate.commands.record import _with_own
from qualitygate.render import markdown
from qualitygate.render.trend import Trend
from tests.gitrepo import git
from tests.test_cli import qg
from tests.test_vsbase import _head
from tests.test_vsbase import repo as repo  # noqa: PLC0414  # the fixture

A, B, C = "a" * 40, "b" * 40, "c" * 40
FETCH = "git fetch origin '+refs/notes/qualitygate:refs/notes/qualitygate'"


def _sha(repo: Path, rev: str = "HEAD") -> str:
    return git(repo, "rev-parse", rev).strip()


def _markdown(repo: Path, *args: str) -> tuple[int, str]:
    out = repo / "verdict.md"
    result = qg("check", "--root", str(repo), "--format", "markdown", "--output", str(out), *args)
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, out.read_text(encoding="utf-8")


def test_the_trend_ends_with_this_checks_value_when_the_notes_do_not_hold_it_yet(repo: Path) -> None:
    assert qg("record", "--root", str(repo)).returncode == 0
    base = _sha(repo)
    _head(repo)  # not recorded: its value (3 tests) comes from this check
    _, md = _markdown(repo, "--trend", "tests.total,coverage.lines.pct", "--trend-commits", "5")
    section = md[md.index("#### Trend") : md.index("<details>\n<summary>Inputs")]
    assert section == (
        "#### Trend\n\n"
        "```mermaid\nxychart-beta\n"
        '    title "tests.total over the last 2 commits"\n'
        f'    x-axis ["{base[:7]}", "{_sha(repo)[:7]}"]\n'
        '    y-axis "tests.total"\n'
        "    line [4, 3]\n```\n\n"
        "_coverage.lines.pct: not recorded in the last 5 commits of HEAD_\n\n"
    )


def test_a_recorded_head_is_not_counted_twice(repo: Path) -> None:
    assert qg("record", "--root", str(repo)).returncode == 0
    _head(repo)
    assert qg("record", "--root", str(repo)).returncode == 0
    _, md = _markdown(repo, "--trend", "tests.total")
    assert "    line [4, 3]\n" in md


def test_without_notes_the_section_says_so_in_one_line(repo: Path) -> None:
    code, md = _markdown(repo, "--trend", "tests.total")
    plain = qg("check", "--root", str(repo), "--format", "markdown")
    assert code == plain.returncode  # never an error of its own
    assert md.count("#### Trend") == 1
    line = md[md.index("#### Trend") :].split("\n\n")[1]
    assert line == (
        f"_tests.total: no record in refs/notes/qualitygate for the last 20 commits of HEAD (fetch them: {FETCH})_"
    )


def test_outside_git_the_section_says_so_and_check_goes_on(tmp_path: Path) -> None:
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github/quality-gates.yml").write_text(
        "gates:\n  - {metric: tests.total, min: 1, missing: warn}\n", encoding="utf-8"
    )
    result = qg("check", "--root", str(tmp_path), "--format", "markdown", "--trend", "tests.total")
    assert result.returncode == 0, result.stderr
    assert "_tests.total: no history of HEAD: git rev-list HEAD:" in result.stdout


def test_the_trend_goes_to_the_job_summary_and_the_comment(repo: Path) -> None:
    assert qg("record", "--root", str(repo)).returncode == 0
    summary = repo.parent / "summary.md"
    env = {"GITHUB_STEP_SUMMARY": str(summary)}
    qg("check", "--root", str(repo), "--format", "github", "--trend", "tests.total", env=env)
    assert '    title "tests.total over the last 1 commits"\n' in summary.read_text(encoding="utf-8")
    dry = qg("check", "--root", str(repo), "--comment", "--dry-run", "--trend", "tests.total").stdout
    assert "#### Trend\n\n```mermaid\nxychart-beta\n" in dry


def test_trend_without_a_markdown_output_is_a_usage_error(repo: Path) -> None:
    result = qg("check", "--root", str(repo), "--trend", "tests.total")
    assert (result.returncode, result.stderr.splitlines()[0]) == (
        2,
        "qualitygate: error: --trend is shown in the Markdown verdict: add --format markdown, "
        "--format github (the job summary) or --comment",
    )


def test_this_checks_value_fills_its_own_empty_point_and_keeps_n_points() -> None:
    assert _with_own([(A, 1.0), (B, None)], B, 2.0, 5) == [(A, 1.0), (B, 2.0)]
    assert _with_own([(A, 1.0), (B, 3.0)], B, 2.0, 5) == [(A, 1.0), (B, 3.0)]  # the note wins
    assert _with_own([(A, 1.0), (B, 3.0)], C, 2.0, 2) == [(B, 3.0), (C, 2.0)]
    assert _with_own([(A, 1.0)], None, 2.0, 2) == [(A, 1.0)]  # outside git: no commit to name


def test_the_trend_comes_after_the_evidence_and_before_the_inputs() -> None:
    trend = Trend("coverage.lines.pct@backend", ((A, 80.0), (B, 81.25)))
    md = markdown.render(mixed_fail(), trends=[trend])
    assert md.index("</details>") < md.index("#### Trend") < md.index("<summary>Inputs")
    assert '    x-axis ["aaaaaaa", "bbbbbbb"]\n    y-axis "coverage.lines.pct@backend"\n' in md
    assert "    line [80, 81.25]\n" in md


def test_the_trend_is_kept_when_the_evidence_is_trimmed_to_fit() -> None:
    trend = Trend("tests.total", ((A, 4.0), (B, 3.0)))
    md = markdown.render(huge_evidence(), trends=[trend], max_chars=20_000)
    assert markdown.size(md) <= 20_000
    assert markdown.TRIM_NOTE in md
    assert "    line [4, 3]\n```" in md


def test_a_metric_cannot_break_out_of_the_chart() -> None:
    md = markdown.render(mixed_fail(), trends=[Trend('m"`x', ((A, 1.0),))])
    assert "    title \"m''x over the last 1 commits\"\n" in md
