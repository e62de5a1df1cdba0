"""A folder the search cannot list is never a silent "no report here": a failing JUnit file inside it must
not turn into a pass. Tests run as root, who lists any folder: ``os.scandir`` (what ``os.walk`` calls) and
``os.listdir`` are made to refuse the folder, as they do for another user on a ``chmod 000`` folder."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from qualitygate.cli import main
from qualitygate.errors import ReportNotFoundError
from qualitygate.globs import Tree

FAILING = '<testsuite name="s" tests="1"><testcase classname="t" name="x"><failure message="boom"/></testcase></testsuite>'


@pytest.fixture
def locked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / "junit.xml").write_text(FAILING.replace('<failure message="boom"/>', ""))
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "junit.xml").write_text(FAILING)
    real_scandir = os.scandir

    def scandir(path: Any = ".") -> Any:
        if os.path.basename(os.fspath(path)) == "locked":
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    return tmp_path


def test_a_glob_that_could_reach_an_unreadable_folder_is_an_error(locked: Path) -> None:
    with pytest.raises(ReportNotFoundError) as exc:
        Tree(str(locked)).glob("**/junit*.xml")
    assert str(exc.value) == (
        f"{locked}/locked: cannot list this folder (Permission denied): '**/junit*.xml' could match reports in it"
    )


def test_a_glob_that_cannot_reach_it_still_works(locked: Path) -> None:
    assert Tree(str(locked)).glob("ok/**/junit*.xml") == ["ok/junit.xml"]


def test_check_does_not_pass_on_a_failing_junit_file_it_could_not_see(
    locked: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (locked / ".github").mkdir()
    (locked / ".github" / "quality-gates.yml").write_text("gates:\n  - {metric: tests.failing, max: 0}\n")
    assert main(["check", "--root", str(locked)]) == 3
    err = capsys.readouterr().err
    assert err.startswith(f"qualitygate: error: {locked}/locked: cannot list this folder (Permission denied)")


def test_an_unreadable_root_is_an_error_for_a_root_level_glob(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def listdir(path: Any = ".") -> Any:
        raise PermissionError(13, "Permission denied", os.fspath(path))

    monkeypatch.setattr(os, "listdir", listdir)
    with pytest.raises(ReportNotFoundError, match="cannot list this folder"):
        Tree(str(tmp_path)).glob("*.sarif")
