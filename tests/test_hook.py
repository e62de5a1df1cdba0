"""The pre-push hook: installed into a real git repository with a local bare remote, a push is rejected when
the gate fails and accepted when it passes; a hook that was there before is chained (it runs first, with the
pushed refs on stdin, and its failure blocks); uninstall restores it; QUALITYGATE_SKIP=1 bypasses; hook mode
flags stale reports. The hook runs ``sys.executable -m qualitygate``: the qualitygate under test."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from qualitygate import hook, stale
from qualitygate.cli import main
from qualitygate.errors import UsageError
from tests.gitrepo import isolate_git
from tests.gitrepo import run_git as git

ROOT = Path(__file__).resolve().parent.parent

POLICY = """\
version: 1
reports:
  tests: reports/junit.xml
gates:
  - id: tests.failing
    metric: tests.failing
    max: 0
"""


def junit(failures: int) -> str:
    cases = "".join(
        f'<testcase classname="tests.test_app" name="test_{i}" file="tests/test_app.py">'
        + ("<failure message='boom'>assert 0</failure>" if i < failures else "")
        + "</testcase>"
        for i in range(3)
    )
    return (
        f'<?xml version="1.0"?><testsuite name="pytest" tests="3" failures="{failures}">{cases}</testsuite>\n'
    )


@pytest.fixture
def git_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """No user or system git configuration (a global core.hooksPath would move the hooks)."""
    isolate_git(tmp_path, monkeypatch)
    return dict(os.environ)


@pytest.fixture
def repo(tmp_path: Path, git_env: dict[str, str]) -> Path:
    """A clone-like repository: one commit, a policy, an ignored reports/ folder, and a bare 'origin'."""
    work = tmp_path / "work"
    remote = tmp_path / "remote.git"
    work.mkdir()
    assert git(tmp_path, "init", "-q", "--bare", str(remote)).returncode == 0
    assert git(work, "init", "-q").returncode == 0
    (work / ".github").mkdir()
    (work / ".github" / "quality-gates.yml").write_text(POLICY)
    (work / ".gitignore").write_text("/reports/\n")
    (work / "tests").mkdir()
    (work / "tests" / "test_app.py").write_text("def test_0():\n    pass\n")
    (work / "reports").mkdir()
    commit(work, "initial")
    assert git(work, "remote", "add", "origin", str(remote)).returncode == 0
    return work


def commit(work: Path, message: str) -> None:
    assert git(work, "add", "-A").returncode == 0
    done = git(work, "commit", "-q", "-m", message)
    assert done.returncode == 0, done.stderr


def push(work: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return git(work, "push", "origin", "HEAD:refs/heads/main", env={**os.environ, **env})


def remote_head(work: Path) -> str | None:
    done = git(work.parent / "remote.git", "rev-parse", "--verify", "-q", "refs/heads/main")
    return done.stdout.strip() or None


def write_report(work: Path, failures: int) -> None:
    (work / "reports" / "junit.xml").write_text(junit(failures))


def install(work: Path) -> hook.InstallResult:
    return hook.install(str(work), executable="", python=sys.executable)


def foreign_hook(work: Path, body: str) -> Path:
    path = work / ".git" / "hooks" / "pre-push"
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return path


def test_push_rejected_when_the_gate_fails_and_accepted_when_it_passes_with_the_old_hook_still_run(
    repo: Path,
) -> None:
    log = repo.parent / "legacy.log"
    foreign_hook(repo, f'echo "legacy $1" >> {log}\ncat >> {log}')
    result = install(repo)
    assert result.moved and result.chained and result.chained.endswith("pre-push.legacy")

    write_report(repo, failures=1)
    (repo / "app.py").write_text("x = 1\n")
    commit(repo, "add app")
    rejected = push(repo)
    assert rejected.returncode != 0
    assert "FAIL   Failing tests" in rejected.stdout + rejected.stderr
    assert "push blocked by the quality gate" in rejected.stderr
    assert "git push --no-verify, or QUALITYGATE_SKIP=1 git push" in rejected.stderr
    assert remote_head(repo) is None

    write_report(repo, failures=0)
    accepted = push(repo)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    head = git(repo, "rev-parse", "HEAD").stdout.strip()
    assert remote_head(repo) == head

    # the chained hook ran on both pushes, with git's arguments and the pushed refs on its stdin
    ran = log.read_text().splitlines()
    assert ran.count("legacy origin") == 2
    assert sum(1 for line in ran if line.startswith(f"HEAD {head} refs/heads/main ")) == 2


def test_a_failing_chained_hook_blocks_the_push_even_when_the_gate_passes(repo: Path) -> None:
    foreign_hook(repo, "echo 'legacy says no' >&2\nexit 3")
    install(repo)
    write_report(repo, failures=0)
    done = push(repo)
    assert done.returncode != 0
    assert "legacy says no" in done.stderr
    assert "previous pre-push hook" in done.stderr and "(exit 3)" in done.stderr
    assert remote_head(repo) is None


def test_qualitygate_skip_bypasses_the_gate_but_not_the_chained_hook(repo: Path) -> None:
    log = repo.parent / "legacy.log"
    foreign_hook(repo, f"echo ran >> {log}")
    install(repo)
    write_report(repo, failures=2)
    done = push(repo, QUALITYGATE_SKIP="1")
    assert done.returncode == 0, done.stderr
    assert "QUALITYGATE_SKIP=1, quality gate skipped" in done.stderr
    assert log.read_text() == "ran\n"
    assert remote_head(repo) is not None


def test_install_is_idempotent_and_uninstall_restores_the_previous_hook(repo: Path) -> None:
    original = "#!/bin/sh\necho mine\n"
    path = foreign_hook(repo, "echo mine")
    legacy = path.with_name("pre-push.legacy")

    first = install(repo)
    again = install(repo)
    assert (first.moved, first.updated) == (True, False)
    assert (again.moved, again.updated) == (False, True)
    assert legacy.read_text() == original  # not replaced by our own script on the second install
    assert hook.SIGNATURE in path.read_text()
    assert os.access(path, os.X_OK)
    assert hook.status(str(repo))[1:] == (hook.HookState.OURS, True)

    removed = hook.uninstall(str(repo))
    assert removed.removed and removed.restored == str(path)
    assert path.read_text() == original and not legacy.exists()
    assert hook.status(str(repo))[1:] == (hook.HookState.FOREIGN, False)

    # a hook that is not ours is never removed
    assert not hook.uninstall(str(repo)).removed
    assert path.read_text() == original


def test_install_without_a_previous_hook_and_uninstall_leave_nothing(repo: Path) -> None:
    result = install(repo)
    assert (result.moved, result.chained) == (False, None)
    assert hook.uninstall(str(repo)).restored is None
    assert hook.status(str(repo))[1] is hook.HookState.ABSENT


def test_install_refuses_when_a_foreign_hook_and_a_legacy_hook_both_exist(repo: Path) -> None:
    path = foreign_hook(repo, "echo one")
    path.with_name("pre-push.legacy").write_text("#!/bin/sh\necho two\n")
    with pytest.raises(UsageError, match="not overwriting either"):
        install(repo)
    assert path.read_text() == "#!/bin/sh\necho one\n"


def test_core_hooks_path_is_respected(repo: Path) -> None:
    assert git(repo, "config", "core.hooksPath", ".githooks").returncode == 0
    result = install(repo)
    assert Path(result.path) == repo / ".githooks" / "pre-push"
    assert not (repo / ".git" / "hooks" / "pre-push").exists()


def test_not_a_repository_is_a_usage_error(tmp_path: Path, git_env: dict[str, str]) -> None:
    with pytest.raises(UsageError, match="not a git repository"):
        hook.install(str(tmp_path))
    with pytest.raises(UsageError, match="not a folder"):
        hook.install(str(tmp_path / "nowhere"))


@pytest.mark.parametrize(
    ("seconds", "text"), [(5, "5 s"), (600, "10 min"), (7200, "2 h"), (3 * 86400, "3 d")]
)
def test_ages_read_as_a_person_would(seconds: float, text: str) -> None:
    assert stale.ago(seconds) == text


def test_the_cli_installs_reports_and_uninstalls(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    foreign_hook(repo, "exit 0")
    assert main(["hook", "install", "--repo", str(repo), "--python", sys.executable]) == 0
    out = capsys.readouterr().out
    assert "pre-push hook installed" in out and "kept as" in out and "--no-verify" in out
    script = (repo / ".git" / "hooks" / "pre-push").read_text()
    assert f"py={shlex.quote(sys.executable)}\n" in script and "qg=''\n" in script
    assert main(["hook", "status", "--repo", str(repo)]) == 0
    assert "installed" in capsys.readouterr().out
    assert main(["hook", "uninstall", "--repo", str(repo)]) == 0
    assert "previous hook is back" in capsys.readouterr().out
    assert main(["hook", "uninstall", "--repo", str(repo)]) == 0
    assert "nothing changed" in capsys.readouterr().out


def test_the_hook_resolves_the_qualitygate_script_at_install_time(repo: Path) -> None:
    script = hook.render_script("/opt/qg/bin/qualitygate", "/opt/qg/bin/python")
    assert "qg=/opt/qg/bin/qualitygate" in script and "py=/opt/qg/bin/python" in script
    assert script.startswith("#!/bin/sh\n" + hook.SIGNATURE)
    if hook.default_executable() is not None:
        assert hook.SIGNATURE in Path(hook.install(str(repo)).path).read_text()


# --------------------------------------------------------------------------------------- hook mode


def check_hook(repo: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    code = main(["check", "--hook", "--root", str(repo), *extra])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_hook_output_is_a_few_lines(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_report(repo, failures=1)
    code, out = check_hook(repo, capsys)
    assert code == 1
    assert out.splitlines() == [
        "FAIL   Failing tests 1 exceeds the maximum of 0: first: tests.test_app::test_0.",
        "qualitygate: FAIL  1 gate: 1 failed  (policy .github/quality-gates.yml)",
    ]


def test_many_stale_reports_are_folded_into_one_line() -> None:
    from qualitygate.verdict import Summary, Verdict

    verdict = Verdict(
        tool_version="0",
        policy="p.yml",
        status="pass",
        summary=Summary(total=0, passed=0, warned=0, failed=0, errored=0, skipped=0),
        gates=[],
    )
    found = [stale.Stale(f"r{i}.xml", "older than x", "do y") for i in range(7)]
    lines = hook.render_compact(verdict, found).splitlines()
    assert lines[5] == "STALE  and 2 more: r5.xml, r6.xml"
    assert len(lines) == 7


def test_missing_reports_follow_the_policy_unless_the_hook_overrides(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out = check_hook(repo, capsys)
    assert code == 1 and out.startswith("ERROR  Failing tests cannot be evaluated: no tests report found")
    code, out = check_hook(repo, capsys, "--hook-missing", "skip")
    assert code == 0 and out.startswith("SKIP   Failing tests skipped")
    monkeypatch.setenv("QUALITYGATE_HOOK_MISSING", "warn")
    code, out = check_hook(repo, capsys)
    assert code == 0 and out.startswith("WARN   Failing tests not evaluated")
    monkeypatch.setenv("QUALITYGATE_HOOK_MISSING", "maybe")
    code, out = check_hook(repo, capsys)
    assert code == 2 and "QUALITYGATE_HOOK_MISSING=maybe: expected one of warn, skip, fail" in out


def test_hook_missing_needs_hook(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--root", str(repo), "--hook-missing", "skip"]) == 2
    assert "--hook-missing needs --hook" in capsys.readouterr().err


def test_pre_commit_hooks_yaml_offers_the_gate_at_pre_push() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert isinstance(hooks, list) and len(hooks) == 1
    entry = hooks[0]
    assert entry["id"] == "qualitygate"
    assert entry["stages"] == ["pre-push"]
    assert entry["entry"] == "qualitygate check --hook"
    assert entry["pass_filenames"] is False and entry["always_run"] is True
    assert entry["language"] == "python"


# ------------------------------------------------------------------------------ new-code gates on push

NEW_CODE_POLICY = """\
version: 1
reports:
  coverage: reports/coverage.xml
gates:
  - {metric: new.coverage.lines.pct, min: 80}
"""


def cobertura(work: Path, hits: dict[int, int]) -> str:
    """coverage.py's Cobertura for app.py with the given line -> hits."""
    lines = "".join(f'<line number="{n}" hits="{h}"/>' for n, h in sorted(hits.items()))
    return (
        '<?xml version="1.0" ?>\n<coverage version="7.18.0" timestamp="1" lines-valid="0" lines-covered="0" '
        'line-rate="0" branches-covered="0" branches-valid="0" branch-rate="0" complexity="0">'
        f"<sources><source>{work}</source></sources><packages><package name='.' line-rate='0' "
        "branch-rate='0' complexity='0'><classes><class name='app.py' filename='app.py' complexity='0' "
        f"line-rate='0' branch-rate='0'><methods/><lines>{lines}</lines></class></classes></package>"
        "</packages></coverage>\n"
    )


def test_a_push_is_judged_on_the_new_code_it_sends(repo: Path) -> None:
    """The hook's base is the remote's tip of the pushed branch (from git's pre-push stdin): a push adding a
    covered function is accepted; the next, adding an uncovered one, is rejected for its own 2 lines only,
    though the earlier function is in the report too."""
    (repo / ".github" / "quality-gates.yml").write_text(NEW_CODE_POLICY)
    (repo / "app.py").write_text("X = 1\n")
    commit(repo, "base")
    assert push(repo).returncode == 0  # before the hook: the remote's main exists
    install(repo)

    (repo / "app.py").write_text("X = 1\n\n\ndef covered():\n    return 1\n")
    (repo / "reports" / "coverage.xml").write_text(cobertura(repo, {1: 1, 4: 1, 5: 1}))
    commit(repo, "a covered function")
    accepted = push(repo)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert accepted.stdout == "qualitygate: PASS  1 gate: 1 passed  (policy .github/quality-gates.yml)\n"
    assert remote_head(repo) == git(repo, "rev-parse", "HEAD").stdout.strip()

    (repo / "app.py").write_text(
        "X = 1\n\n\ndef covered():\n    return 1\n\n\ndef uncovered():\n    return 2\n"
    )
    (repo / "reports" / "coverage.xml").write_text(cobertura(repo, {1: 1, 4: 1, 5: 1, 8: 1, 9: 0}))
    commit(repo, "an uncovered function")
    rejected = push(repo)
    out = rejected.stdout + rejected.stderr
    assert rejected.returncode != 0
    assert "FAIL   New code line coverage 50% is below the minimum of 80%: worst app.py (50%)" in out
    assert "push blocked by the quality gate" in out
    assert remote_head(repo) == git(repo, "rev-parse", "HEAD~1").stdout.strip()
