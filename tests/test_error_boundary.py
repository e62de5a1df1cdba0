"""The one error boundary of the CLI: every way out has its documented exit code (README, "Exit codes")."""

from __future__ import annotations

import builtins
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from qualitygate.cli import main

ROOT = Path(__file__).resolve().parent.parent


def _boom(*_: Any, **__: Any) -> Any:
    raise RuntimeError("a bug")


def test_an_internal_error_is_exit_5_with_a_one_line_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("QUALITYGATE_DEBUG", raising=False)
    monkeypatch.setattr("qualitygate.parsers.parse_report", _boom)
    assert main(["parse", str(tmp_path)]) == 5
    err = capsys.readouterr().err
    assert err == (
        "qualitygate: error: internal error: RuntimeError: a bug "
        "(run with QUALITYGATE_DEBUG=1 for the traceback)\n"
    )


def test_an_internal_error_under_debug_prints_the_traceback_and_is_still_exit_5(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("QUALITYGATE_DEBUG", "1")
    monkeypatch.setattr("qualitygate.parsers.parse_report", _boom)
    assert main(["parse", str(tmp_path)]) == 5
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):\n")
    assert err.endswith("RuntimeError: a bug\nqualitygate: error: internal error: RuntimeError: a bug\n")


def _raises(exc: BaseException) -> Any:
    def fail(*_: Any, **__: Any) -> Any:
        raise exc

    return fail


@pytest.mark.parametrize(
    ("args", "target"),
    [
        (["parse", "."], "qualitygate.parsers.parse_report"),
        (["check", "--root", "."], "qualitygate.commands.check.build"),
        (["baseline", "update"], "qualitygate.commands.baseline.run_update"),
        (["hook", "status"], "qualitygate.commands.hook.run_status"),
    ],
)
def test_every_command_nested_or_not_goes_through_the_one_boundary(
    args: list[str], target: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ctrl-C is 130 with one line, a closed pipe 141 with none, a bug 5: the same for every command."""
    monkeypatch.delenv("QUALITYGATE_DEBUG", raising=False)
    monkeypatch.setattr(target, _raises(KeyboardInterrupt()))
    assert main(args) == 130
    assert capsys.readouterr().err == "qualitygate: error: interrupted\n"
    monkeypatch.setattr(target, _raises(BrokenPipeError()))
    assert main(args) == 141
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(target, _raises(KeyError("x")))
    assert main(args) == 5
    assert capsys.readouterr().err.startswith("qualitygate: error: internal error: KeyError: 'x' (run with")


def test_parse_of_an_unreadable_file_is_exit_3_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Tests run as root, who reads any file: unreadability is simulated where it is checked (``os.access``,
    as click asks) and where it is met (``open``)."""
    path = tmp_path / "coverage.xml"
    path.write_text('<coverage line-rate="1"/>')
    real_open = builtins.open

    def no_read(file: Any, *args: Any, **kwargs: Any) -> Any:
        if str(file) == str(path):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(os, "access", lambda *_args, **_kw: False)
    monkeypatch.setattr(builtins, "open", no_read)
    assert main(["parse", str(path)]) == 3
    assert capsys.readouterr().err == f"qualitygate: error: {path}: cannot read: Permission denied\n"


# A fresh interpreter in which importing click (the first thing the CLI imports) is interrupted.
CTRL_C_DURING_IMPORT = """
import builtins, runpy, sys
real = builtins.__import__
def interrupted(name, *args, **kwargs):
    if name == "click":
        raise KeyboardInterrupt
    return real(name, *args, **kwargs)
builtins.__import__ = interrupted
sys.argv = ["qualitygate", "--version"]
runpy.run_module("qualitygate", run_name="__main__")
"""


def test_ctrl_c_during_start_up_prints_no_traceback() -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-c", CTRL_C_DURING_IMPORT],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert (done.returncode, done.stdout, done.stderr) == (130, "", "qualitygate: error: interrupted\n")


def test_the_console_script_entry_is_still_seen_as_the_cli() -> None:
    """``jsonload._in_cli`` freezes the GC only in the CLI process: the new entry point must count."""
    code = (
        "import sys; from qualitygate import main; sys.modules['__main__'].main = main; "
        "import qualitygate.cli; from qualitygate.parsers import jsonload; print(jsonload._in_cli())"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-c", code], check=False, capture_output=True, text=True, env=env, timeout=60
    )
    assert done.stdout == "True\n"


def test_a_policy_with_a_5000_digit_number_is_a_policy_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "policy.yml"
    policy.write_text("gates:\n  - {metric: coverage.lines.pct, min: " + "9" * 5000 + "}\n")
    assert main(["check", "--root", str(tmp_path), "--config", str(policy)]) == 2
    assert capsys.readouterr().err.endswith(
        "policy.yml:2:39: gates.0.min: number too long (5000 characters; at most 100)\n"
    )


def test_a_policy_with_a_python_tag_is_a_policy_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "policy.yml"
    policy.write_text("gates: !!python/object/apply:os.system ['true']\n")
    assert main(["check", "--root", str(tmp_path), "--config", str(policy)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("qualitygate: error: ")
    assert (
        "policy.yml:1:8: gates: unsupported YAML tag 'tag:yaml.org,2002:python/object/apply:os.system'" in err
    )
    assert err.count("\n") == 1
