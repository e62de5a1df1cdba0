"""README.md is the spec of current behaviour: the parts of it that the code can check are checked here."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

from qualitygate.errors import ExitCode

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _section(heading: str) -> str:
    start = README.index(f"\n{heading}\n")
    level = heading.split(" ", maxsplit=1)[0]
    rest = README[start + len(heading) + 2 :]
    end = re.search(rf"\n#{{1,{len(level)}}} ", rest)
    return rest[: end.start()] if end else rest


def _readme_exit_codes() -> set[int]:
    return {int(m) for m in re.findall(r"^\| (\d+) \|", _section("### Exit codes"), flags=re.MULTILINE)}


def _signal_exit_codes() -> set[int]:
    """The exit codes cli.py returns outside ExitCode: the literal ints of 128 and above it returns or
    hands to ``_fail``."""
    tree = ast.parse((ROOT / "qualitygate" / "cli.py").read_text(encoding="utf-8"))
    codes = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Constant):
            codes.add(node.value.value)
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_fail":
            codes.update(a.value for a in node.args if isinstance(a, ast.Constant))
    return {c for c in codes if isinstance(c, int) and c >= 128}


def test_the_exit_code_table_lists_exactly_the_codes_the_cli_can_return() -> None:
    assert _signal_exit_codes() == {130, 141}
    assert _readme_exit_codes() == {int(c) for c in ExitCode} | {130, 141}


def test_the_opening_example_is_what_check_prints_on_the_failing_fixture() -> None:
    quoted = README.split("$ qualitygate check --root fixtures/acme-failing\n", 1)[1].split("\n...\n", 1)[0]
    run = subprocess.run(
        [sys.executable, "-m", "qualitygate", "check", "--root", "fixtures/acme-failing", "--no-color"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1
    assert run.stdout.startswith(quoted + "\n")


def test_the_development_list_names_every_module_of_the_package() -> None:
    listed = _section("## Development")
    modules = sorted({p.name for p in (ROOT / "qualitygate").rglob("*.py")})
    missing = [m for m in modules if not re.search(rf"(?<![\w/]){re.escape(m)}\b", listed)]
    assert len(modules) > 70
    assert missing == []


def test_help_lists_every_exit_code_the_readme_does() -> None:
    """``qualitygate --help`` names each code of the README's table (130 was missing)."""
    from qualitygate.cli import cli

    doc = " ".join((cli.help or "").split())
    for code in (0, 1, 2, 3, 4, 5, 130, 141):
        assert f" {code} " in f" {doc} ", code
