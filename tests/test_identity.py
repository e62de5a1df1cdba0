"""Finding identity: new, unchanged, moved and fixed, as a reviewer would call them."""

from __future__ import annotations

from qualitygate.identity import Ident, line_hash, match

H_SECRET = line_hash('password = "hunter2"')
H_MAGIC = line_hash("if retries > 3:")


def ident(path: str, line: int, rule: str = "S105", text: str = H_SECRET, fp: str | None = None) -> Ident:
    msg = "Possible hardcoded password assigned to: `password`"
    return Ident.of("ruff", rule, path, msg, line=line, line_hash=text, fingerprint=fp)


def test_code_shifted_down_by_an_insertion_above_is_unchanged() -> None:
    m = match([ident("a.py", 10)], [ident("a.py", 14)], added=lambda p, n: n in {1, 2, 3, 4})
    assert m.counts() == {"new": 0, "unchanged": 1, "moved": 0, "fixed": 0}


def test_cut_and_pasted_within_a_file_is_moved() -> None:
    m = match([ident("a.py", 10)], [ident("a.py", 40)], added=lambda p, n: n == 40)
    assert m.moved == [(0, 0)]


def test_moved_to_another_file_is_moved_not_new() -> None:
    m = match([ident("a.py", 10)], [ident("b.py", 3)], added=lambda p, n: p == "b.py")
    assert m.counts() == {"new": 0, "unchanged": 0, "moved": 1, "fixed": 0}


def test_a_finding_on_an_edited_line_that_existed_before_is_unchanged() -> None:
    edited = ident("a.py", 10, text=line_hash('password = "hunter3"  # edited'))
    m = match([ident("a.py", 10)], [edited], added=lambda p, n: n == 10)
    assert m.unchanged == [(0, 0)]


def test_a_finding_moved_away_is_not_paired_with_its_file_mate_whose_line_was_edited() -> None:
    # one rule and (number-folded) message twice in a.py; the first moves to b.py, the second's line is edited:
    # same-file pairing in line order would take the first for the second and leave both new/fixed
    old = [ident("a.py", 8, text=H_MAGIC), ident("a.py", 14)]
    new = [ident("b.py", 8, text=H_MAGIC), ident("a.py", 11, text=line_hash("edited"))]
    m = match(old, new, added=lambda p, n: p == "b.py" or n == 11)
    assert (m.moved, m.unchanged, m.new, m.fixed) == ([(0, 0)], [(1, 1)], [], [])


def test_a_git_mv_keeps_every_finding_unchanged() -> None:
    m = match([ident("old/a.py", 10)], [ident("new/a.py", 10)], renames={"old/a.py": "new/a.py"})
    assert m.unchanged == [(0, 0)]


def test_ambiguous_relocations_stay_new_and_fixed() -> None:
    old = [ident("a.py", 1), ident("a.py", 5)]
    new = [ident("b.py", 1), ident("c.py", 1), ident("d.py", 1)]
    m = match(old, new)
    assert m.counts() == {"new": 3, "unchanged": 0, "moved": 0, "fixed": 2}


def test_fingerprints_win_over_everything_else() -> None:
    old = [ident("a.py", 10, fp="f1"), ident("a.py", 20, fp="f2")]
    new = [ident("a.py", 20, fp="f2"), ident("a.py", 30, rule="PLR2004", text=H_MAGIC, fp="f3")]
    m = match(old, new)
    assert m.unchanged == [(1, 0)]
    assert m.new == [1]
    assert m.fixed == [0]
    assert m.bucket_of_new() == {0: "unchanged", 1: "new"}


def test_a_second_occurrence_of_the_same_finding_is_new() -> None:
    m = match([ident("a.py", 10)], [ident("a.py", 10), ident("a.py", 30)], added=lambda p, n: n == 30)
    assert m.unchanged == [(0, 0)]
    assert m.new == [1]
