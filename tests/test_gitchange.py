"""The change a new-code gate judges, computed from real git repositories: committed, staged and unstaged edits
against the merge base; renames followed whatever the host's configuration says; the same lines as
diff-cover; pre-flight errors (no repository, unknown ref, shallow clone) that say what to run; the default
base; and the hook's pushed range through a real push."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from gitrepo import FEATURE_CHANGE, build_feature_repo, commit_all, git, isolate_git, lines, write

from qualitygate import gitchange
from qualitygate.change import Change
from qualitygate.cli import main
from qualitygate.errors import GitError, NotARepositoryError, ShallowHistoryError, UnknownRefError


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    isolate_git(tmp_path, monkeypatch)
    work = tmp_path / "work"
    build_feature_repo(work)
    return work


def summary(change: Change) -> dict[str, tuple[str, str | None, tuple[int, ...]]]:
    return {p: (f.status, f.old_path, f.added) for p, f in change.files.items()}


def test_the_change_holds_committed_staged_and_unstaged_edits_from_the_merge_base(repo: Path) -> None:
    change = gitchange.from_git(str(repo), "main")
    assert summary(change) == FEATURE_CHANGE
    assert change.base_ref == "main"
    assert change.merge_base == git(repo, "merge-base", "main", "HEAD").strip()
    assert change.source == "git"
    assert change.files["logo.png"].binary
    assert (change.changed_files, change.changed_lines) == (5, 14)
    assert change.notes == (
        "1 untracked file(s) not in the change (`git add -N FILE` counts one): scratch.py",
    )


def test_an_intent_to_add_file_joins_the_change(repo: Path) -> None:
    git(repo, "add", "-N", "scratch.py")
    change = gitchange.from_git(str(repo), "main")
    assert summary(change)["scratch.py"] == ("added", None, (1,))
    assert change.notes == ()


def hostile_config(repo: Path) -> None:
    """Every setting that changes what a bare `git diff` prints, set in the repository's own config."""
    settings = {
        "diff.noprefix": "true",
        "diff.mnemonicprefix": "true",
        "diff.renames": "false",
        "diff.relative": "true",
        "diff.algorithm": "patience",
        "diff.context": "7",
        "diff.interHunkContext": "9",
        "diff.external": "/bin/false",
        "diff.submodule": "log",
        "diff.suppressBlankEmpty": "true",
        "diff.upper.textconv": "rev",
        "color.ui": "always",
        "color.diff": "always",
        "core.quotepath": "true",
    }
    for key, value in settings.items():
        git(repo, "config", key, value)
    (repo / ".git" / "info" / "attributes").write_text("*.py diff=upper\n")


def test_the_hosts_git_configuration_changes_nothing(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clean = gitchange.from_git(str(repo), "main")
    hostile_config(repo)
    monkeypatch.setenv("GIT_EXTERNAL_DIFF", "/bin/false")
    monkeypatch.setenv("GIT_DIFF_OPTS", "--unified=5")
    bare = git(repo, "diff", "--no-ext-diff", "main...", "--", "src/app.py")  # the host config does bite:
    assert "\x1b[" in bare and "a/src/app.py" not in bare and "detide ,3 enil ppa" in bare
    assert summary(gitchange.from_git(str(repo), "main")) == summary(clean) == FEATURE_CHANGE


def diff_cover_lines(repo: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, list[int]]:
    from diff_cover.diff_reporter import GitDiffReporter
    from diff_cover.git_diff import GitDiffTool

    monkeypatch.chdir(repo)
    reporter = GitDiffReporter(compare_branch="main", git_diff=GitDiffTool("...", ignore_whitespace=False))
    return {p: reporter.lines_changed(p) for p in reporter.src_paths_changed()}


def test_the_changed_lines_are_diff_covers(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """diff-cover (committed + staged + unstaged, folded) lists the same files with the same added lines:
    the pure rename, the deleted and the binary file with none."""
    theirs = diff_cover_lines(repo, monkeypatch)
    ours = gitchange.from_git(str(repo), "main")
    assert {p: list(f.added) for p, f in ours.files.items()} == theirs


def test_diff_cover_follows_the_hosts_rename_setting_and_we_do_not(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With ``diff.renames=false`` on the host, diff-cover counts every line of a moved file as new."""
    git(repo, "config", "diff.renames", "false")
    theirs = diff_cover_lines(repo, monkeypatch)
    assert theirs["src/helpers.py"] == list(range(1, 21))
    assert theirs["src/new_name.py"] == list(range(1, 21))
    ours = gitchange.from_git(str(repo), "main")
    assert ours.files["src/helpers.py"].added == ()
    assert ours.files["src/new_name.py"].added == (5,)


def test_a_root_inside_the_repository_sees_its_own_files_with_paths_relative_to_it(repo: Path) -> None:
    change = gitchange.from_git(str(repo / "src"), "main")
    assert sorted(change.files) == [
        "app.py",
        "café module.py",
        "feature.py",
        "gone.py",
        "helpers.py",
        "new_name.py",
        "staged.py",
    ]
    assert change.files["new_name.py"].old_path == "old_name.py"
    assert change.files["app.py"].added == (3, 11)


# ---------------------------------------------------------------------------------------------- saved diffs


@pytest.mark.parametrize(
    "flags",
    [
        ("-U0",),
        ("-U3",),
        ("--no-prefix", "-U5"),
        ("--src-prefix=c/", "--dst-prefix=w/"),
        ("-c", "core.quotepath=true"),
    ],
    ids=["U0", "U3", "no-prefix", "mnemonic", "quoted-paths"],
)
def test_a_saved_diff_gives_the_same_change_as_git(
    repo: Path, tmp_path: Path, flags: tuple[str, ...]
) -> None:
    config = ("-c", flags[1]) if flags[0] == "-c" else ()
    rest = () if config else flags
    mb = git(repo, "merge-base", "main", "HEAD").strip()
    text = git(repo, *config, "diff", "-M", "--binary", *rest, mb)
    saved = tmp_path / "change.diff"
    saved.write_bytes(text.encode())
    change = gitchange.from_diff_file(str(saved))
    assert summary(change) == FEATURE_CHANGE
    assert change.source == f"diff-file {saved}" and change.merge_base is None and change.base_ref is None


def test_crlf_line_ends_and_missing_final_newlines_are_read(repo: Path, tmp_path: Path) -> None:
    mb = git(repo, "merge-base", "main", "HEAD").strip()
    text = git(repo, "diff", "-M", "-U2", mb).replace("\n", "\r\n")
    saved = tmp_path / "crlf.diff"
    saved.write_bytes(text.encode())
    assert summary(gitchange.from_diff_file(str(saved))) == FEATURE_CHANGE


PLAIN = """\
diff -ru old/pkg/a.py new/pkg/a.py
--- old/pkg/a.py\t2024-01-01 10:00:00.000000000 +0000
+++ new/pkg/a.py\t2024-01-02 10:00:00.000000000 +0000
@@ -1,3 +1,4 @@
 keep
--- a removed line that looks like a header
+++ an added line that looks like a header
+added
 keep
\\ No newline at end of file
Only in new/pkg: b.py
"""


def test_a_plain_diff_u_with_timestamps_and_header_like_lines(tmp_path: Path) -> None:
    saved = tmp_path / "plain.diff"
    saved.write_text(PLAIN)
    assert summary(gitchange.from_diff_file(str(saved))) == {"pkg/a.py": ("modified", None, (2, 3))}


COMBINED = """\
diff --cc src/m.py
index 1111111,2222222..3333333
--- a/src/m.py
+++ b/src/m.py
@@@ -1,2 -1,2 +1,4 @@@
  same
- ours
 -theirs
++both
 +from ours
+ from theirs
"""


def test_a_combined_diff_counts_what_a_parent_column_adds() -> None:
    from qualitygate.diffparse import parse_diff

    files = parse_diff(COMBINED.encode().splitlines(keepends=True))
    assert files["src/m.py"].added == (2, 3, 4)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("just some notes\n", "bad.diff: not a unified diff: no 'diff --git' or '---'/'+++' lines"),
        (
            "--- a/x.py\n+++ b/x.py\n@@ -1,2 +1,2 @@\n-a\n+b\nnot a hunk line\n",
            "bad.diff:6: the hunk ends early: 1 old and 1 new lines still expected",
        ),
        (
            "--- a/x.py\n+++ b/x.py\n@@ -1 +1,3 @@\n+a\n",
            "bad.diff:4: the diff ends inside a hunk (2 new lines still expected)",
        ),
        ("--- a/x.py\n+++ b/x.py\n@@ nonsense @@\n", "bad.diff:3: not a hunk header: '@@ nonsense @@'"),
    ],
    ids=["no-headers", "short-hunk", "truncated", "bad-hunk-header"],
)
def test_a_broken_saved_diff_is_exit_3_naming_the_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    text: str,
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.diff").write_text(text)
    assert main(["check", "--preset", "recommended", "--base-diff", "bad.diff"]) == 3
    assert capsys.readouterr().err == f"qualitygate: error: {message}\n"


def test_an_empty_saved_diff_is_a_change_with_nothing_in_it(tmp_path: Path) -> None:
    (tmp_path / "empty.diff").write_text("")
    assert gitchange.from_diff_file(str(tmp_path / "empty.diff")).files == {}


def test_a_missing_saved_diff_is_exit_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["check", "--root", str(tmp_path), "--preset", "recommended", "--base-diff", "nope.diff"]) == 3
    )
    assert capsys.readouterr().err == "qualitygate: error: nope.diff: no such file\n"


# ------------------------------------------------------------------------------------------------ pre-flight


def check_err(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["check", "--preset", "recommended", *args])
    return code, capsys.readouterr().err


def test_an_unknown_ref_is_exit_2_with_the_fetch_to_run(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = check_err(capsys, "--root", str(repo), "--base", "origin/develop")
    assert code == 2
    assert err == (
        "qualitygate: error: --base origin/develop: no such branch, tag or commit in this clone; "
        "run `git fetch origin develop` (on GitHub Actions: `fetch-depth: 0` in actions/checkout)\n"
    )


def test_not_a_repository_is_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    isolate_git(tmp_path, monkeypatch)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    plain = tmp_path / "plain"
    plain.mkdir()
    code, err = check_err(capsys, "--root", str(plain), "--base", "main")
    assert code == 2
    assert err.startswith(f"qualitygate: error: {plain}: not a git repository (not a git repository")
    assert err.endswith("run the check inside a clone, or pass --base-diff FILE\n")
    with pytest.raises(NotARepositoryError):
        gitchange.from_git(str(plain), "main")


def test_a_shallow_clone_without_the_merge_base_is_exit_2_with_the_deepen_to_run(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git(repo, "stash", "-u")  # a clean feature branch
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", "--branch", "feature", f"file://{repo}", str(clone))
    git(clone, "fetch", "-q", "--depth", "1", "origin", "main:refs/remotes/origin/main")
    code, err = check_err(capsys, "--root", str(clone), "--base", "origin/main")
    assert code == 2
    assert err == (
        "qualitygate: error: --base origin/main: this shallow clone does not hold the merge base of "
        "origin/main and HEAD; run `git fetch --deepen=200 origin main` or `git fetch --unshallow` "
        "(on GitHub Actions: `fetch-depth: 0` in actions/checkout)\n"
    )
    with pytest.raises(ShallowHistoryError):
        gitchange.from_git(str(clone), "origin/main")
    git(clone, "fetch", "-q", "--unshallow")
    assert summary(gitchange.from_git(str(clone), "origin/main"))["src/app.py"] == ("modified", None, (3, 11))


def test_an_unknown_ref_in_a_shallow_clone_says_deepen(repo: Path, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", "--branch", "feature", f"file://{repo}", str(clone))
    with pytest.raises(UnknownRefError, match=r"run `git fetch origin main --deepen=200`"):
        gitchange.from_git(str(clone), "origin/main")


def test_unrelated_histories_are_exit_2(repo: Path) -> None:
    git(repo, "checkout", "-q", "--orphan", "other")
    commit_all(repo, "unrelated")
    with pytest.raises(GitError, match=r"^--base main: main and HEAD have no common history"):
        gitchange.from_git(str(repo), "main")


# ------------------------------------------------------------------------------------------- default base


def test_a_pull_request_on_github_actions_compares_with_origin_base_ref(repo: Path) -> None:
    env = {"GITHUB_BASE_REF": "main"}
    assert gitchange.default_base(str(repo), env) == (
        "origin/main",
        "the pull request's base branch (GITHUB_BASE_REF)",
    )
    with pytest.raises(UnknownRefError, match="run `git fetch origin main`"):  # found, but not fetched
        gitchange.resolve_change(str(repo), base=None, base_diff=None, wanted=True, env=env)


def test_without_a_pull_request_the_upstream_then_origin_head(repo: Path, tmp_path: Path) -> None:
    assert gitchange.default_base(str(repo), {}) == (
        None,
        "not a pull request, and the current branch has no upstream nor origin/HEAD",
    )
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    git(repo, "push", "-q", "origin", "main", "feature")
    git(repo, "remote", "set-head", "origin", "main")
    assert gitchange.default_base(str(repo), {})[0] == "origin/main"
    git(repo, "branch", "-q", "--set-upstream-to", "origin/feature")
    assert gitchange.default_base(str(repo), {}) == ("origin/feature", "the upstream of the current branch")
    change = gitchange.resolve_change(str(repo), base="", base_diff=None, wanted=False, env={})
    assert change is not None and change.base_ref == "origin/feature"
    assert change.notes[0] == "base origin/feature: the upstream of the current branch"
    # only the staged and unstaged edits are new over the upstream
    assert {p: f.added for p, f in change.files.items()} == {
        "src/feature.py": (6,),
        "src/staged.py": (1, 2, 3),
    }


def test_no_default_base_is_no_change_unless_base_was_asked_for(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert gitchange.resolve_change(str(repo), base=None, base_diff=None, wanted=True, env={}) is None
    assert gitchange.resolve_change(str(repo), base=None, base_diff=None, wanted=False, env={}) is None
    code, err = check_err(capsys, "--root", str(repo), "--base")
    assert code == 2
    assert err == (
        "qualitygate: error: --base: no default base (not a pull request, and the current branch has no "
        "upstream nor origin/HEAD); pass --base REF\n"
    )


def test_base_and_base_diff_do_not_go_together(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert check_err(capsys, "--root", str(repo), "--base", "main", "--base-diff", "x.diff") == (
        2,
        "qualitygate: error: give --base or --base-diff, not both\n",
    )


def test_the_pushed_lines_name_the_remote_tip_the_push_updates(repo: Path) -> None:
    main_sha = git(repo, "rev-parse", "main").strip()
    head = git(repo, "rev-parse", "HEAD").strip()
    zero = gitchange.ZERO_SHA
    pushed = gitchange.read_pushed(
        [
            f"(delete) {zero} refs/heads/old {head}",
            f"refs/heads/feature {head} refs/heads/feature {'1' * 40}",  # not in this clone
            f"refs/heads/feature {head} refs/heads/main {main_sha}",
            "garbage",
        ]
    )
    assert len(pushed) == 3
    assert gitchange.default_base(str(repo), {}, pushed) == (
        main_sha,
        "refs/heads/main as the remote has it, which this push updates",
    )
    new_branch = gitchange.read_pushed([f"refs/heads/feature {head} refs/heads/feature {zero}"])
    assert gitchange.default_base(str(repo), {}, new_branch)[0] is None  # then the upstream, origin/HEAD


def test_check_with_base_on_a_policy_without_new_code_gates_still_checks_the_ref(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo, "coverage.xml", "")
    code, err = check_err(capsys, "--root", str(repo), "--base", "nope")
    assert code == 2 and "--base nope: no such branch" in err


# -------------------------------------------------------------------------------------------- the hook


RECORDER = """\
#!/bin/sh
# stands in for qualitygate: records what the hook gives it, and the change it leads to
exec {python} -c '
import sys
from qualitygate import gitchange
pushed = gitchange.read_pushed(sys.stdin.read().splitlines())
ref, why = gitchange.default_base(".", {{}}, pushed)
change = gitchange.from_git(".", ref)
with open("{out}", "w") as fh:
    fh.write(" ".join(sys.argv[1:]) + "\\n" + why + "\\n")
    for p, f in sorted(change.files.items()):
        fh.write(f"{{p}} {{list(f.added)}}\\n")
' "$@"
"""


def test_the_hook_gives_the_gate_the_pushed_range(repo: Path, tmp_path: Path) -> None:
    """A real push to a local bare remote: the hook passes git's pushed refs on to the gate, whose base is
    the remote's tip of the branch being pushed to."""
    from qualitygate import hook

    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    git(repo, "stash", "-q", "-u")
    git(repo, "push", "-q", "origin", "feature")  # no hook yet
    write(
        repo,
        "src/app.py",
        lines(10, "app").replace("app line 3\n", "app line 3, edited\n") + "app 11\nnew 12\n",
    )
    commit_all(repo, "more")
    out = tmp_path / "recorded.txt"
    recorder = tmp_path / "qualitygate"
    recorder.write_text(RECORDER.format(python=sys.executable, out=out))
    recorder.chmod(0o755)
    hook.install(str(repo), executable=str(recorder))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    git(repo, "push", "-q", "origin", "feature", env=env)
    assert out.read_text().splitlines() == [
        "check --hook",
        "refs/heads/feature as the remote has it, which this push updates",
        "src/app.py [11, 12]",
    ]
