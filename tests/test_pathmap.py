"""Report paths to repository paths: explicit rules, the root, relative bases, then suffix search."""

from __future__ import annotations

from pathlib import Path

from qualitygate.pathmap import PathMapper
from qualitygate.policy import Mapping, PrefixRule


def tree(root: Path, *files: str) -> Path:
    for f in files:
        (root / f).parent.mkdir(parents=True, exist_ok=True)
        (root / f).write_text("")
    return root


def test_absolute_path_under_the_root(tmp_path: Path) -> None:
    root = tree(tmp_path, "app/a.py")
    assert PathMapper(str(root), Mapping()).map(str(root / "app/a.py")) == ("app/a.py", True)


def test_explicit_rule_first(tmp_path: Path) -> None:
    root = tree(tmp_path, "src/a.py")
    mapper = PathMapper(str(root), Mapping(rules=(PrefixRule("/ci/checkout/", "src/"),), auto=False))
    assert mapper.map("/ci/checkout/a.py") == ("src/a.py", True)


def test_relative_path_against_the_report_folder(tmp_path: Path) -> None:
    root = tree(tmp_path, "frontend/src/api.js")
    assert PathMapper(str(root), Mapping(), ("frontend",)).map("src/api.js") == ("frontend/src/api.js", True)


def test_a_ci_runner_prefix_is_stripped_and_learned(tmp_path: Path) -> None:
    root = tree(tmp_path, "backend/app/a.py", "backend/app/b.py")
    mapper = PathMapper(str(root), Mapping())
    assert mapper.map("/home/runner/work/shop/shop/backend/app/a.py") == ("backend/app/a.py", True)
    assert mapper.map("/home/runner/work/shop/shop/backend/app/b.py") == ("backend/app/b.py", True)


def test_a_bare_file_name_never_matches(tmp_path: Path) -> None:
    """``/elsewhere/pkg/__init__.py`` must not become the repository's ``__init__.py``."""
    root = tree(tmp_path, "__init__.py")
    assert PathMapper(str(root), Mapping()).map("/elsewhere/pkg/__init__.py") == (
        "/elsewhere/pkg/__init__.py",
        False,
    )


def test_without_auto_an_unknown_prefix_is_not_found(tmp_path: Path) -> None:
    root = tree(tmp_path, "app/a.py")
    assert PathMapper(str(root), Mapping(auto=False)).map("/ci/app/a.py") == ("/ci/app/a.py", False)
