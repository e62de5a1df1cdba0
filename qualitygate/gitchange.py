"""The change under judgement, from git (or from a saved diff): the edge where new-code gates meet git.

``check --base REF`` judges what the working tree adds to the **merge base** of REF and HEAD: one
``git diff <merge-base>`` holds the committed, staged and unstaged edits of tracked files together.
Untracked files are not part of it (as in diff-cover without ``--include-untracked``, and they are not
what a push sends); the change notes how many there are, and ``git add -N FILE`` brings one in.

git is an input, called with explicit flags: every setting that would change what ``git diff`` prints
(``diff.noprefix``, ``diff.mnemonicprefix``, ``diff.relative``, ``diff.renames``, ``diff.algorithm``,
``diff.external``, textconv drivers, colour, submodule formats, ``core.quotepath``) is pinned on the command
line, and ``LC_ALL=C``; the user's own configuration (``safe.directory``, credentials, ``core.*``) is left in
place, so nothing that makes the repository readable is dropped. Renames are always followed (``-M``).

Pre-flight, never "nothing changed": no repository, an unknown ref, or a shallow clone that lacks the merge
base is a :class:`~qualitygate.errors.GitError` (exit 2) whose one line says what to run.

The default base (``--base`` without a value, or a policy with ``new.*`` gates and no ``--base``): on GitHub
Actions in a pull request ``origin/$GITHUB_BASE_REF``; in the pre-push hook the remote ref being pushed to
(from the hook's standard input); else the upstream of the current branch, else ``origin/HEAD``. When none
is found and ``--base`` was not given, there is no change (None) and the new-code gates say
:data:`~qualitygate.engine.NO_CHANGE`.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace

from qualitygate.change import Change, ChangedFile
from qualitygate.diffparse import DiffParser
from qualitygate.errors import (
    GitError,
    NotARepositoryError,
    ReportFormatError,
    ReportNotFoundError,
    ShallowHistoryError,
    UnknownRefError,
    UsageError,
)

ZERO_SHA = "0" * 40
MAX_UNTRACKED_LISTED = 5
CHECKOUT_FIX = "on GitHub Actions: `fetch-depth: 0` in actions/checkout"

# `-c` settings before the subcommand: what git prints must not depend on the host's configuration.
GIT_CONFIG: tuple[str, ...] = (
    "core.quotepath=off",
    "diff.noprefix=false",
    "diff.mnemonicprefix=false",
    "diff.relative=false",
    "diff.renames=true",
    "diff.renameLimit=1000",
    "diff.algorithm=myers",
    "diff.interHunkContext=0",
    "diff.submodule=short",
    "color.ui=never",
    "color.diff=never",
)
DIFF_FLAGS: tuple[str, ...] = (
    "-M",
    "--no-ext-diff",
    "--no-textconv",
    "--no-color",
    "-U0",
    "--src-prefix=a/",
    "--dst-prefix=b/",
    "--no-relative",
    "--diff-algorithm=myers",
    "--indent-heuristic",
    "--inter-hunk-context=0",
    "--ignore-submodules=all",
)
# environment variables that would change git's diff output or its messages
_DROP_ENV = ("GIT_EXTERNAL_DIFF", "GIT_DIFF_OPTS", "GIT_PAGER", "PAGER", "LANGUAGE", "LANG")


def git_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in (os.environ if base is None else base).items() if k not in _DROP_ENV}
    env["LC_ALL"] = "C"
    return env


def git_command(*args: str) -> list[str]:
    out = ["git"]
    for setting in GIT_CONFIG:
        out += ["-c", setting]
    return out + list(args)


def run_git(root: str, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            git_command(*args),
            cwd=root,
            env=git_env(),
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="surrogateescape",
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except OSError as exc:
        raise NotARepositoryError(f"{root}: cannot run git: {exc.strerror or exc}; install git") from None


def _first_line(text: str) -> str:
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1].removeprefix("fatal: ") if lines else "git failed"


# ---------------------------------------------------------------------------------------- pre-flight


@dataclass(frozen=True, slots=True)
class Preflight:
    prefix: str  # the root's path inside the repository ("" at the top, else "sub/dir/")
    shallow: bool
    base_sha: str
    merge_base: str


def fetch_command(ref: str) -> str:
    remote, sep, branch = ref.partition("/")
    if sep and branch and not ref.startswith("refs/"):
        return f"git fetch origin {branch}" if remote == "origin" else f"git fetch {remote} {branch}"
    return f"git fetch origin {ref}"


def preflight(root: str, ref: str) -> Preflight:
    """Check the repository, the ref and the history; the merge base of ``ref`` and HEAD."""
    done = run_git(
        root, "rev-parse", "--show-prefix", "--is-shallow-repository", "--verify", "-q", "--end-of-options",
        f"{ref}^{{commit}}",
    )  # fmt: skip
    out = done.stdout.splitlines()
    if done.returncode not in (0, 1) or len(out) < 2:
        raise NotARepositoryError(
            f"{os.path.abspath(root)}: not a git repository ({_first_line(done.stderr)}); "
            "run the check inside a clone, or pass --base-diff FILE"
        )
    prefix, shallow = out[0], out[1] == "true"
    if done.returncode == 1 or len(out) < 3:
        more = " --deepen=200" if shallow else ""
        raise UnknownRefError(
            f"--base {ref}: no such branch, tag or commit in this clone; run `{fetch_command(ref)}{more}` "
            f"({CHECKOUT_FIX})"
        )
    return Preflight(prefix, shallow, out[2], _merge_base(root, ref, out[2], shallow))


def _merge_base(root: str, ref: str, sha: str, shallow: bool) -> str:
    done = run_git(root, "merge-base", sha, "HEAD")
    if done.returncode == 0 and done.stdout.strip():
        return done.stdout.split()[0]
    if done.returncode == 1 and shallow:
        fetch = fetch_command(ref).removeprefix("git fetch ")
        raise ShallowHistoryError(
            f"--base {ref}: this shallow clone does not hold the merge base of {ref} and HEAD; run "
            f"`git fetch --deepen=200 {fetch}` or `git fetch --unshallow` ({CHECKOUT_FIX})"
        )
    if done.returncode == 1:
        raise GitError(
            f"--base {ref}: {ref} and HEAD have no common history; pass the branch this one was made from"
        )
    raise GitError(f"--base {ref}: {_first_line(done.stderr)} (is there a commit yet?)")


# -------------------------------------------------------------------------------------------- the diff


def diff_lines(root: str, merge_base: str) -> Iterator[bytes]:
    """``git diff <merge-base>`` to the working tree, line by line as git writes it."""
    cmd = git_command("diff", *DIFF_FLAGS, merge_base, "--")
    proc = subprocess.Popen(
        cmd, cwd=root, env=git_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL
    )
    assert proc.stdout is not None and proc.stderr is not None
    with proc:
        yield from proc.stdout
        err = proc.stderr.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        raise GitError(f"git diff {merge_base[:12]} failed in {root}: {_first_line(err)}")


def under_root(files: Mapping[str, ChangedFile], prefix: str) -> dict[str, ChangedFile]:
    """The files inside the root, with paths relative to it (``prefix``: the root inside the repository)."""
    if not prefix:
        return dict(files)
    out: dict[str, ChangedFile] = {}
    for path, f in files.items():
        if path.startswith(prefix):
            old = f.old_path[len(prefix) :] if f.old_path and f.old_path.startswith(prefix) else f.old_path
            out[path[len(prefix) :]] = replace(f, path=path[len(prefix) :], old_path=old)
    return out


def untracked_note(root: str) -> str | None:
    done = run_git(root, "ls-files", "-z", "--others", "--exclude-standard", "--", ".")
    names = sorted(n for n in done.stdout.split("\0") if n) if done.returncode == 0 else []
    if not names:
        return None
    shown = ", ".join(names[:MAX_UNTRACKED_LISTED]) + (", ..." if len(names) > MAX_UNTRACKED_LISTED else "")
    return f"{len(names)} untracked file(s) not in the change (`git add -N FILE` counts one): {shown}"


def from_git(root: str, ref: str, notes: Sequence[str] = ()) -> Change:
    """The change from the merge base of ``ref`` and HEAD to the working tree of ``root``."""
    pre = preflight(root, ref)
    parser = DiffParser(f"git diff {pre.merge_base[:12]}")
    files = under_root(parser.feed_all(diff_lines(root, pre.merge_base)), pre.prefix)
    note = untracked_note(root)
    return Change(
        files=files,
        base_ref=ref,
        merge_base=pre.merge_base,
        source="git",
        notes=tuple(notes) + ((note,) if note else ()),
    )


def from_diff_file(path: str) -> Change:
    """The change a saved unified diff describes (``git diff main... > change.diff``)."""
    if not os.path.isfile(path):
        raise ReportNotFoundError(path, "no such file" if not os.path.exists(path) else "not a file")
    parser = DiffParser(path)
    try:
        with open(path, "rb") as fh:
            files = parser.feed_all(fh)
    except OSError as exc:
        raise ReportNotFoundError(path, f"cannot read: {exc.strerror or exc}") from None
    if not parser.headers_seen and os.path.getsize(path) > 0:
        raise ReportFormatError(path, "not a unified diff: no 'diff --git' or '---'/'+++' lines")
    return Change(files=files, source=f"diff-file {path}")


# ------------------------------------------------------------------------------------- the default base


@dataclass(frozen=True, slots=True)
class Pushed:
    """One line of a pre-push hook's standard input."""

    local_ref: str
    local_sha: str
    remote_ref: str
    remote_sha: str


def read_pushed(lines: Iterable[str]) -> list[Pushed]:
    """``<local ref> <local sha> <remote ref> <remote sha>`` lines (githooks(5), pre-push); others skipped."""
    out: list[Pushed] = []
    for line in lines:
        parts = line.split()
        if len(parts) == 4:
            out.append(Pushed(*parts))
    return out


def _pushed_base(root: str, pushed: Sequence[Pushed]) -> tuple[str, str] | None:
    """The remote's tip of the first ref pushed (not deleted) that this clone has, and why."""
    for p in pushed:
        if ZERO_SHA in (p.local_sha, p.remote_sha):
            continue
        if run_git(root, "cat-file", "-e", f"{p.remote_sha}^{{commit}}").returncode == 0:
            return p.remote_sha, f"{p.remote_ref} as the remote has it, which this push updates"
    return None


def _symbolic(root: str, name: str) -> str | None:
    done = run_git(root, "rev-parse", "-q", "--verify", "--abbrev-ref", "--symbolic-full-name", name)
    value = done.stdout.strip()
    return value if done.returncode == 0 and value and value != name else None


def default_base(root: str, env: Mapping[str, str], pushed: Sequence[Pushed] = ()) -> tuple[str | None, str]:
    """(the base ref, why it was chosen) or (None, why none was found)."""
    pr_base = env.get("GITHUB_BASE_REF")
    if pr_base:
        return f"origin/{pr_base}", "the pull request's base branch (GITHUB_BASE_REF)"
    found = _pushed_base(root, pushed)
    if found is not None:
        return found
    upstream = _symbolic(root, "@{upstream}")
    if upstream:
        return upstream, "the upstream of the current branch"
    remote_head = _symbolic(root, "origin/HEAD")
    if remote_head:
        return remote_head, "the remote's default branch (origin/HEAD)"
    return None, "not a pull request, and the current branch has no upstream nor origin/HEAD"


def resolve_change(
    root: str,
    *,
    base: str | None,
    base_diff: str | None,
    wanted: bool,
    env: Mapping[str, str] | None = None,
    pushed: Sequence[Pushed] = (),
) -> Change | None:
    """The change for ``check``: ``base`` None = ``--base`` not given, "" = given without a value.

    None when nothing asks for one, or when the policy's new-code gates want one and no default base is
    found (the gates then say :data:`~qualitygate.engine.NO_CHANGE`). An explicit ``--base`` or a
    default that is found but unusable is an error, never "nothing changed"."""
    if base is not None and base_diff is not None:
        raise UsageError("give --base or --base-diff, not both")
    if base_diff is not None:
        return from_diff_file(base_diff)
    if base:
        return from_git(root, base)
    if base is None and not wanted:
        return None
    ref, why = default_base(root, os.environ if env is None else env, pushed)
    if ref is None:
        if base == "":
            raise GitError(f"--base: no default base ({why}); pass --base REF")
        return None
    return from_git(root, ref, notes=(f"base {ref}: {why}",))
