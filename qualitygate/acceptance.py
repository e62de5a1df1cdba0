"""The edge of accepted debt: the clock, ``CI``, the baseline file and git's renames, read here and handed
to the pure engine as an :class:`~qualitygate.accepted.Accepted`.

The day is today's date in UTC (waivers are valid through their expiry day, UTC); ``QUALITYGATE_TODAY``
(YYYY-MM-DD) overrides it, for tests and for asking "what would fail on that day".

Renames: the baseline's paths are those of the commit that last wrote the baseline file; they are mapped to
the working tree through ``git diff -M --name-status`` from that commit (git run by
:func:`qualitygate.gitchange.run_git`, with its pinned flags), so a ``git mv`` neither adds findings nor
makes entries stale.
"""

from __future__ import annotations

import datetime as dt
import os

from qualitygate.accepted import Accepted
from qualitygate.baseline import Baseline, BaselineFormatError, loads
from qualitygate.errors import PolicyError, ReportFormatError, UsageError
from qualitygate.policy import Policy
from qualitygate.waivers import horizon_problem

TODAY_ENV = "QUALITYGATE_TODAY"


def today() -> dt.date:
    """Today in UTC, or ``QUALITYGATE_TODAY`` (YYYY-MM-DD)."""
    forced = os.environ.get(TODAY_ENV)
    if forced:
        try:
            return dt.date.fromisoformat(forced)
        except ValueError:
            raise UsageError(f"{TODAY_ENV}={forced}: not a day written YYYY-MM-DD") from None
    return dt.datetime.now(dt.UTC).date()


def in_ci() -> bool:
    """``CI`` is set (GitHub Actions, GitLab, CircleCI, ... set ``CI=true``); ``false``/``0`` is not."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def check_horizon(policy: Policy, path: str | None, day: dt.date) -> None:
    """A waiver expiring further ahead than ``waiver_policy.max_days`` is a policy error (exit 2) with its
    line; checked on every load, cached or not, as it depends on the day."""
    from qualitygate.config import node_position

    for i, w in enumerate(policy.waivers):
        problem = horizon_problem(w, day, policy.waiver_policy)
        if problem is None:
            continue
        loc = ("waivers", i, "expires")
        line, column = node_position(path, loc) if path else (None, None)
        raise PolicyError(policy.source, problem, line=line, column=column, key=".".join(map(str, loc)))


def baseline_file(root: str, policy: Policy) -> str | None:
    return os.path.join(root, policy.baseline.path) if policy.baseline is not None else None


def read_baseline(root: str, policy: Policy) -> Baseline | None:
    """The baseline file as written (None: ``baseline: false`` or no file yet). Exit 3 when unreadable."""
    path = baseline_file(root, policy)
    if path is None or not os.path.exists(path):
        return None
    shown = policy.baseline.path if policy.baseline is not None else path
    try:
        with open(path, encoding="utf-8") as fh:
            return loads(fh.read())
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportFormatError(shown, f"cannot read the baseline: {exc}") from None
    except BaselineFormatError as exc:
        raise ReportFormatError(shown, str(exc), line=exc.line) from None


def _name_status(out: str) -> dict[str, str]:
    """``git diff --name-status -z`` -> {old path: new path} for renames."""
    parts = out.split("\0")
    renames: dict[str, str] = {}
    i = 0
    while i < len(parts) and parts[i]:
        status = parts[i]
        if status.startswith(("R", "C")):
            if status.startswith("R"):
                renames[parts[i + 1]] = parts[i + 2]
            i += 3
        else:
            i += 2
    return renames


def renames_since_baseline(root: str, rel: str) -> dict[str, str]:
    """Paths renamed since the commit that last wrote the baseline file, root-relative (old -> new); empty
    outside a repository or before the baseline's first commit."""
    from qualitygate.gitchange import DIFF_FLAGS, run_git

    prefix = run_git(root, "rev-parse", "--show-prefix")
    if prefix.returncode != 0:
        return {}
    last = run_git(root, "log", "-1", "--no-show-signature", "--format=%H", "--", rel)
    sha = last.stdout.strip()
    if last.returncode != 0 or not sha:
        return {}
    flags = [f for f in DIFF_FLAGS if f != "-U0"]
    done = run_git(root, "diff", *flags, "--name-status", "-z", sha, "--")
    if done.returncode != 0:
        return {}
    inside = prefix.stdout.strip()
    return {
        old.removeprefix(inside): new.removeprefix(inside)
        for old, new in _name_status(done.stdout).items()
        if old.startswith(inside) and new.startswith(inside)
    }


def accepted_for(root: str, policy: Policy, day: dt.date | None = None) -> Accepted:
    """What the engine accepts for this check: the day, CI, and the baseline with renames followed."""
    baseline = read_baseline(root, policy)
    if baseline is not None and policy.baseline is not None:
        baseline = baseline.renamed(renames_since_baseline(root, policy.baseline.path))
    return Accepted(
        today=day or today(),
        ci=in_ci(),
        baseline=baseline,
        baseline_path=policy.baseline.path if policy.baseline is not None else None,
    )
