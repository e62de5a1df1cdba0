"""The local pre-push hook: installing it into a repository, and what ``check --hook`` adds on a laptop.

Installing writes ``pre-push`` into the repository's hooks folder (``git rev-parse --git-path hooks``, so
``core.hooksPath`` is respected), marked by :data:`SIGNATURE`. As pre-commit does, a hook that was already
there and is not ours is never deleted: it is moved to ``pre-push.legacy`` and our script runs it first,
with the same arguments and standard input (its failure fails the push); uninstalling puts it back.
Installing again only rewrites our script.

On a laptop the reports are whatever the last local run left behind, so hook mode flags a report when
something it measures changed after it was written (:mod:`qualitygate.stale`), with the command that
refreshes it (:mod:`qualitygate.refresh`). That is file-system and git I/O, so it never is in the engine;
it adds lines to the output and does not change the verdict. The output is a few lines, not the table.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING

from qualitygate.errors import UsageError

if TYPE_CHECKING:
    from qualitygate.inputs import Collected
    from qualitygate.policy import Missing, Policy
    from qualitygate.stale import Stale
    from qualitygate.verdict import Verdict

HOOK_NAME = "pre-push"
LEGACY_SUFFIX = ".legacy"
SIGNATURE = "# qualitygate-hook: pre-push"
BYPASS = "git push --no-verify, or QUALITYGATE_SKIP=1 git push"
MISSING_ENV = "QUALITYGATE_HOOK_MISSING"
MISSING_CHOICES = ("warn", "skip", "fail")
MAX_STALE_LINES = 5


# ---------------------------------------------------------------------------------------- install


class HookState(StrEnum):
    ABSENT = "absent"
    OURS = "installed"
    FOREIGN = "foreign"


@dataclass(frozen=True, slots=True)
class HookPaths:
    hook: str
    legacy: str

    def state(self) -> HookState:
        if not os.path.lexists(self.hook):
            return HookState.ABSENT
        return HookState.OURS if is_ours(self.hook) else HookState.FOREIGN


def _git(args: Sequence[str], cwd: str) -> str | None:
    """Output of a git command, or None when git is missing or the command fails."""
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL
        )
    except OSError:
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def hook_paths(repo: str) -> HookPaths:
    """Where the pre-push hook of ``repo`` lives (``core.hooksPath`` respected)."""
    if not os.path.isdir(repo):
        raise UsageError(f"{repo}: not a folder")
    hooks = _git(["rev-parse", "--git-path", "hooks"], repo)
    if hooks is None:
        raise UsageError(f"{repo}: not a git repository", hint="run it inside a clone, or pass --repo DIR")
    hook = os.path.join(repo, hooks, HOOK_NAME)
    return HookPaths(hook=os.path.normpath(hook), legacy=os.path.normpath(hook + LEGACY_SUFFIX))


def is_ours(path: str) -> bool:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    return SIGNATURE in head


def default_executable() -> str | None:
    """The ``qualitygate`` script of this installation: the one beside the running interpreter (a venv's
    or pipx's bin/), else the first on PATH; None when there is none (the hook then runs ``python -m``)."""
    beside = os.path.join(os.path.dirname(sys.executable), "qualitygate")
    if os.access(beside, os.X_OK) and os.path.isfile(beside):
        return beside
    return shutil.which("qualitygate")


def render_script(executable: str | None, python: str) -> str:
    """The hook: a POSIX sh script. ``executable`` is tried first, then ``python -m qualitygate``, then
    ``python3 -m qualitygate`` from PATH, so a removed venv still gives a clear error instead of a hang."""
    qg = shlex.quote(executable or "")
    py = shlex.quote(python)
    return f"""#!/bin/sh
{SIGNATURE} (written by `qualitygate hook install`; `qualitygate hook uninstall` removes it)
# Bypass once: {BYPASS}
legacy="$0{LEGACY_SUFFIX}"
refs=""  # the refs being pushed, one per line (git's standard input): given to the chained hook and the gate
[ -t 0 ] || refs=$(cat)
refs_in() {{ [ -z "$refs" ] || printf '%s\n' "$refs"; }}
if [ -x "$legacy" ]; then
    # the hook that was here before qualitygate: same arguments, same standard input (the refs pushed)
    refs_in | "$legacy" "$@"
    status=$?
    if [ "$status" -ne 0 ]; then
        echo "qualitygate: the previous pre-push hook ($legacy) failed (exit $status)" >&2
        exit "$status"
    fi
fi
if [ "${{QUALITYGATE_SKIP:-}}" = "1" ]; then
    echo "qualitygate: QUALITYGATE_SKIP=1, quality gate skipped" >&2
    exit 0
fi
qg={qg}
py={py}
if [ -n "$qg" ] && [ -x "$qg" ]; then
    refs_in | "$qg" check --hook
elif [ -x "$py" ]; then
    refs_in | "$py" -m qualitygate check --hook
else
    refs_in | python3 -m qualitygate check --hook
fi
status=$?
if [ "$status" -ne 0 ]; then
    echo "qualitygate: push blocked by the quality gate (exit $status)." >&2
    echo "  bypass once: {BYPASS}" >&2
fi
exit "$status"
"""


@dataclass(frozen=True, slots=True)
class InstallResult:
    path: str
    chained: str | None  # the legacy hook our script runs first, if any
    moved: bool  # this install moved a foreign hook aside
    updated: bool  # our script was already there


def install(repo: str = ".", *, executable: str | None = None, python: str | None = None) -> InstallResult:
    """Write the pre-push hook. ``executable=None`` resolves the qualitygate script now
    (:func:`default_executable`); ``executable=""`` always runs ``python -m qualitygate``."""
    paths = hook_paths(repo)
    state = paths.state()
    moved = False
    if state is HookState.FOREIGN:
        if os.path.lexists(paths.legacy):
            raise UsageError(
                f"{paths.hook} is not qualitygate's and {paths.legacy} exists too: not overwriting either",
                hint="merge or remove one of them, then run 'qualitygate hook install' again",
            )
        os.replace(paths.hook, paths.legacy)
        moved = True
    exe = default_executable() if executable is None else executable
    script = render_script(exe or None, python or sys.executable)
    os.makedirs(os.path.dirname(paths.hook), exist_ok=True)
    tmp = paths.hook + ".qualitygate-tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(script)
    os.chmod(tmp, 0o755)
    os.replace(tmp, paths.hook)
    chained = paths.legacy if os.path.lexists(paths.legacy) else None
    return InstallResult(path=paths.hook, chained=chained, moved=moved, updated=state is HookState.OURS)


@dataclass(frozen=True, slots=True)
class UninstallResult:
    path: str
    removed: bool
    restored: str | None  # the legacy hook put back in place


def uninstall(repo: str = ".") -> UninstallResult:
    """Remove our hook and put a chained one back. A hook that is not ours is left alone."""
    paths = hook_paths(repo)
    if paths.state() is not HookState.OURS:
        return UninstallResult(path=paths.hook, removed=False, restored=None)
    os.remove(paths.hook)
    restored = None
    if os.path.lexists(paths.legacy):
        os.replace(paths.legacy, paths.hook)
        restored = paths.hook
    return UninstallResult(path=paths.hook, removed=True, restored=restored)


def status(repo: str = ".") -> tuple[HookPaths, HookState, bool]:
    """(paths, state of pre-push, whether a legacy hook is chained)."""
    paths = hook_paths(repo)
    return paths, paths.state(), os.path.lexists(paths.legacy)


# -------------------------------------------------------------------------------------- hook mode


def missing_override(flag: str | None) -> Missing | None:
    """``--hook-missing`` or, without it, ``$QUALITYGATE_HOOK_MISSING``; None: the policy decides."""
    from qualitygate.policy import Missing

    value = flag or os.environ.get(MISSING_ENV)
    if not value:
        return None
    if value not in MISSING_CHOICES:
        raise UsageError(f"{MISSING_ENV}={value}: expected one of {', '.join(MISSING_CHOICES)}")
    return Missing(value)


def override_missing(policy: Policy, missing: Missing | None) -> Policy:
    """The policy with every gate's missing-data setting replaced (hook mode only)."""
    if missing is None:
        return policy
    return replace(policy, gates=tuple(replace(g, missing=missing) for g in policy.gates))


def find_stale(root: str, collected: Collected) -> list[Stale]:
    """The stale reports among those the check read (:func:`qualitygate.stale.find_stale`)."""
    from qualitygate.stale import find_stale as find

    return find(root, collected)


def render_compact(verdict: Verdict, stale: Sequence[Stale]) -> str:
    """A few lines: one per gate that did not pass, one per stale report, then the summary."""
    from qualitygate.render._common import STATUS_WORD, accepted_phrase, attention_gates, counts_phrase
    from qualitygate.verdict import Status

    lines = [f"{STATUS_WORD[g.status]:5}  {g.message}" for g in attention_gates(verdict)]
    lines += [f"SKIP   {g.message}" for g in verdict.gates if g.status is Status.SKIP]
    lines += [f"STALE  {s.path} is {s.reason}; refresh: {s.hint}" for s in stale[:MAX_STALE_LINES]]
    if len(stale) > MAX_STALE_LINES:
        more = ", ".join(s.path for s in stale[MAX_STALE_LINES:])
        lines.append(f"STALE  and {len(stale) - MAX_STALE_LINES} more: {more}")
    overall = STATUS_WORD[Status(verdict.status)]
    lines.append(
        f"qualitygate: {overall}{accepted_phrase(verdict)}  {counts_phrase(verdict.summary)}  "
        f"(policy {verdict.policy})"
    )
    return "\n".join(lines) + "\n"
