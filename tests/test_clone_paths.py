"""jscpd names files relative to the folder it scanned (``packaging/markers.py`` for
``backend/src/packaging/markers.py``): clone paths are mapped like coverage paths, a path that cannot be
mapped is said in the verdict, and ``--format github`` never annotates a file the working tree lacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qualitygate.cli import main


def clone(first: str, second: str, start: int = 1) -> dict[str, object]:
    return {
        "format": "python",
        "lines": 6,
        "tokens": 40,
        "fragment": "x",
        "firstFile": {"name": first, "start": start, "end": start + 5},
        "secondFile": {"name": second, "start": start + 10, "end": start + 15},
    }


def project(tmp_path: Path, clones: list[dict[str, object]]) -> Path:
    src = tmp_path / "backend" / "src" / "packaging"
    src.mkdir(parents=True)
    for name in ("markers.py", "tags.py"):
        (src / name).write_text("x = 1\n" * 30)
    total = {"lines": 60, "tokens": 900, "sources": 2, "clones": len(clones), "duplicatedLines": 12}
    total |= {"duplicatedTokens": 80, "percentage": 20.0, "percentageTokens": 8.8}
    report = {"duplicates": clones, "statistics": {"formats": {}, "total": total}}
    (tmp_path / "jscpd-report.json").write_text(json.dumps(report))
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "quality-gates.yml").write_text(
        "quality_gates:\n  duplications: {max_percentage: 3}\n"
    )
    return tmp_path


def verdict(root: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    assert main(["check", "--root", str(root), "--format", "json"]) == 1
    doc: dict[str, object] = json.loads(capsys.readouterr().out)
    return doc


def test_clone_paths_relative_to_the_scanned_folder_are_mapped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path, [clone("packaging/markers.py", "packaging/tags.py")])
    doc = verdict(root, capsys)
    (gate,) = doc["gates"]  # type: ignore[misc]
    assert [e["path"] for e in gate["evidence"]] == ["backend/src/packaging/markers.py"]
    (info,) = doc["inputs"]  # type: ignore[misc]
    assert info["warnings"] == []


def test_clone_paths_that_map_to_nothing_are_said_and_never_annotated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    root = project(tmp_path, [clone("gone/old.py", "packaging/tags.py")])
    doc = verdict(root, capsys)
    (info,) = doc["inputs"]  # type: ignore[misc]
    assert info["warnings"] == [
        "1 file(s) of its clones are not in the working tree (add a path_mapping rule): gone/old.py"
    ]
    assert main(["check", "--root", str(root), "--format", "github"]) == 1
    out = capsys.readouterr().out
    assert "file=gone/old.py" not in out
    assert "gone/old.py:1 (not in the working tree): " in out
