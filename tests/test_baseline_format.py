"""The baseline file: keys without line numbers, one entry per line, merged by git without conflict, and
read back to the same entries; only the canonical writer's shape is accepted."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from qualitygate import baseline as bl

RUFF = bl.finding_key("ruff", "PLR2004", "backend/api.py", "Magic value used in comparison: `3`")


def test_messages_are_keyed_without_numbers_or_extra_lines() -> None:
    assert bl.normalise_message("Line too long (112 > 110)\n  more text") == "Line too long (N > N)"
    assert bl.finding_key("ruff", "E501", "a.py", "Line too long (99 > 88)") == bl.finding_key(
        "ruff", "E501", "a.py", "Line  too long (120 > 88)"
    )


def test_round_trip_is_sorted_one_entry_per_line() -> None:
    entries = {RUFF: 3, bl.complexity_key("cyclomatic", "b.py", "f"): 14, bl.test_key("t::x"): 1}
    text = bl.dumps(entries)
    assert text.splitlines() == [
        '{"qualitygate_baseline": 1, "entries": [',
        '["complexity", "cyclomatic", "b.py", "f", 14],',
        '["finding", "ruff", "PLR2004", "backend/api.py", "Magic value used in comparison: `N`", 3],',
        '["test", "t::x", 1],',
        "null]}",
    ]
    assert bl.loads(text).entries == entries


def test_a_key_seen_twice_keeps_the_smaller_value() -> None:
    text = bl.dumps({RUFF: 3}).replace("null]}", bl.dumps({RUFF: 2}).splitlines()[1] + "\nnull]}")
    read = bl.loads(text)
    assert read.entries == {RUFF: 2}
    assert read.merged_duplicates == 1


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("", 1, "not a qualitygate baseline"),
        ('{"qualitygate_baseline": 9, "entries": []}', 1, "format 9 is not 1"),
        (bl.HEADER + '\n["finding", "ruff", "X", "a.py", "m", 1]\nnull]}\n', 2, "ends with a comma"),
        (bl.HEADER + '\n["finding", "ruff", "X", "a.py", "m", 0],\nnull]}\n', 2, "not a positive count"),
        (bl.HEADER + '\n["finding", "ruff", "X", 1],\nnull]}\n', 2, "unknown entry"),
        (bl.HEADER + '\n["test", "t", 1],\n', 2, "truncated"),
        (bl.HEADER + "\n{oops},\nnull]}\n", 2, "not a JSON entry"),
        (bl.HEADER + "\nnull]}\n[1]\n", 3, "after the closing line"),
    ],
)
def test_anything_else_is_refused_with_its_line(text: str, line: int, words: str) -> None:
    with pytest.raises(bl.BaselineFormatError) as err:
        bl.loads(text)
    assert err.value.line == line
    assert words in str(err.value)


def test_renames_carry_entries_to_the_new_path() -> None:
    base = bl.Baseline({RUFF: 3, bl.complexity_key("cyclomatic", "old.py", "f"): 12})
    moved = base.renamed({"backend/api.py": "backend/web.py", "old.py": "new.py"})
    assert moved.entries == {
        bl.finding_key("ruff", "PLR2004", "backend/web.py", "Magic value used in comparison: `3`"): 3,
        bl.complexity_key("cyclomatic", "new.py", "f"): 12,
    }


def test_counts_beyond_the_baseline_and_stale_entries() -> None:
    other = bl.finding_key("ruff", "S105", "a.py", "Possible hardcoded password")
    gone = bl.finding_key("ruff", "F401", "a.py", "unused import")
    beyond, stale = bl.compare_counts({RUFF: 5, other: 1}, {RUFF: 3, gone: 2})
    assert beyond == {RUFF: 2, other: 1}
    assert [s.describe() for s in stale] == ["finding ruff F401 a.py unused import: baselined 2, now gone"]
    beyond, stale = bl.compare_counts({RUFF: 1}, {RUFF: 3})
    assert beyond == {}
    assert [(s.recorded, s.now) for s in stale] == [(3, 1)]


def test_a_baselined_score_that_grows_is_not_covered() -> None:
    grew = bl.complexity_key("cyclomatic", "a.py", "grew")
    same = bl.complexity_key("cyclomatic", "a.py", "same")
    fixed = bl.complexity_key("cyclomatic", "a.py", "fixed")
    covered, stale = bl.compare_scores(
        {grew: 17, same: 14, fixed: 6},
        {grew: 14, same: 14, fixed: 12},
        {grew: True, same: True, fixed: False},
    )
    assert covered == {same, fixed}
    assert [(s.key, s.now) for s in stale] == [(fixed, 6)]


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "init.defaultBranch=main", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def test_two_branches_that_both_update_it_merge_without_conflict(tmp_path: Path) -> None:
    """Adjacent additions on two branches: git's union merge keeps both lines, and the file reads back as
    the union (a count both sides changed keeps the smaller one)."""
    path = tmp_path / "quality-baseline.json"
    keys = [bl.finding_key("ruff", f"R{i}", f"f{i}.py", "m") for i in range(4)]
    _git(tmp_path, "init", "-q")
    (tmp_path / ".gitattributes").write_text("quality-baseline.json merge=union\n")
    path.write_text(bl.dumps({keys[0]: 1, keys[3]: 5}))
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-qm", "base")
    _git(tmp_path, "checkout", "-qb", "a")
    path.write_text(bl.dumps({keys[0]: 1, keys[1]: 1, keys[3]: 4}))
    _git(tmp_path, "commit", "-qam", "a")
    _git(tmp_path, "checkout", "-q", "main")
    _git(tmp_path, "checkout", "-qb", "b")
    path.write_text(bl.dumps({keys[0]: 1, keys[2]: 2, keys[3]: 3}))
    _git(tmp_path, "commit", "-qam", "b")
    _git(tmp_path, "merge", "-q", "a", "-m", "merge")
    text = path.read_text()
    assert "<<<<<<<" not in text
    assert bl.loads(text).entries == {keys[0]: 1, keys[1]: 1, keys[2]: 2, keys[3]: 3}
