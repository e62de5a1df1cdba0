"""``qualitygate check``: evaluate the policy over the reports in the working tree and write the verdict."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualitygate import __version__
from qualitygate.errors import ExitCode, QualityGateError, UsageError
from qualitygate.verdict import Verdict

if TYPE_CHECKING:
    from qualitygate.baseresults import BaseResults
    from qualitygate.change import Change
    from qualitygate.inputs import Collected
    from qualitygate.policy import Policy
    from qualitygate.render.trend import Trend


@dataclass(slots=True)
class CheckOptions:
    root: str = "."
    config: str | None = None
    preset: str | None = None
    formats: Sequence[str] = ("table",)
    outputs: Sequence[str] = ()
    color: bool | None = None  # None: decide from the terminal and NO_COLOR
    hook: bool = False  # pre-push hook mode: compact output, stale reports flagged
    hook_missing: str | None = None  # hook mode: overrides every gate's missing-data setting
    base: str | None = None  # --base: None not given, "" given without a value (the default base), or REF
    base_diff: str | None = None  # --base-diff FILE: a saved unified diff instead of git
    base_results: str | None = None  # --base-results FILE|DIR|auto: the base commit's results
    push: str | None = None  # --push URL: the Prometheus Pushgateway to send the gauges to
    trend: Sequence[str] = ()  # --trend METRIC,...: the Markdown verdict's "Trend" charts, from the git notes
    trend_commits: int = 20  # --trend-commits N


def exit_code_for(verdict: Verdict) -> int:
    """0 for pass and warn; 1 when a gate failed or could not be evaluated."""
    return int(ExitCode.OK if verdict.status in {"pass", "warn"} else ExitCode.GATE_FAILED)


@dataclass(frozen=True, slots=True)
class Checked:
    """What one check produced: the verdict, and the reports it was made from (the hook's stale check)."""

    verdict: Verdict
    collected: Collected


def build(opts: CheckOptions) -> Checked:
    """The one way a verdict is made: policy, change, reports, base results, accepted debt, record commit.
    The hook (``opts.hook``) overrides each gate's missing-data setting, reads the pushed refs from stdin,
    and compares with no base results (it writes neither a record nor a comparison)."""
    from dataclasses import replace

    from qualitygate.acceptance import accepted_for
    from qualitygate.collect import collect
    from qualitygate.engine import evaluate

    policy = load_checked_policy(opts)
    if opts.hook:
        from qualitygate import hook

        policy = hook.override_missing(policy, hook.missing_override(opts.hook_missing))
    change = compute_change(opts, policy, hook_stdin=opts.hook)
    data = collect(policy, opts.root)
    base = None
    if not opts.hook:
        from qualitygate.sourcelines import hash_finding_lines

        hash_finding_lines(data, opts.root)
        base = load_base(opts, policy, change)
    accepted = accepted_for(opts.root, policy)
    verdict = evaluate(policy, data, version=__version__, change=change, base=base, accepted=accepted)
    if verdict.record is not None and "json" in opts.formats:  # only the JSON verdict writes the record
        verdict = replace(verdict, record=replace(verdict.record, commit=head_commit(opts.root)))
    return Checked(verdict, data)


def build_verdict(opts: CheckOptions) -> Verdict:
    return build(opts).verdict


def load_base(opts: CheckOptions, policy: Policy, change: Change | None) -> BaseResults | None:
    """The base commit's results for ``--base-results`` (None: not asked for)."""
    if opts.base_results is None:
        return None
    from qualitygate import baseload

    return baseload.load(
        opts.base_results,
        root=opts.root,
        policy=policy,
        version=__version__,
        merge_base=change.merge_base if change is not None else None,
    )


def head_commit(root: str) -> str | None:
    """The commit checked out at ``root`` (``git rev-parse HEAD``); None outside git or before a commit."""
    from qualitygate.gitchange import run_git

    try:
        out = run_git(root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
    except QualityGateError:
        return None
    sha = out.stdout.strip()
    return sha if out.returncode == 0 and len(sha) >= 40 else None


def compute_change(opts: CheckOptions, policy: Policy, *, hook_stdin: bool = False) -> Change | None:
    """The change the new-code gates judge (None when no gate and no flag asks for one). In hook mode the
    refs being pushed are read from standard input, as git gives them to a pre-push hook."""
    wanted = any(g.metric.startswith("new.") for g in policy.gates) or opts.base_results == "auto"
    if opts.base is None and opts.base_diff is None and not wanted:
        return None
    from qualitygate import gitchange

    pushed = gitchange.read_pushed(_stdin_lines()) if hook_stdin and opts.base is None else []
    return gitchange.resolve_change(
        opts.root, base=opts.base, base_diff=opts.base_diff, wanted=wanted, pushed=pushed
    )


def _stdin_lines() -> list[str]:
    """Standard input's lines when it is a pipe or a file (never waits on a terminal)."""
    try:
        if sys.stdin is None or sys.stdin.isatty():
            return []
        return sys.stdin.read().splitlines()
    except (OSError, ValueError):  # closed, or replaced by one that refuses reads
        return []


def load_checked_policy(opts: CheckOptions) -> Policy:
    """The policy, validated; a waiver's expiry further ahead than ``waiver_policy.max_days`` from today
    (UTC) is a policy error too (checked here, on every load, as it depends on the day)."""
    from qualitygate.acceptance import check_horizon, today
    from qualitygate.config import find_policy, load_policy, preset_path

    if opts.preset and opts.config:
        raise UsageError("give --config or --preset, not both")
    if not os.path.isdir(opts.root):
        raise UsageError(f"--root {opts.root}: not a folder")
    if opts.preset:
        path = str(preset_path(opts.preset))
        policy = load_policy(path, display=f"preset:{opts.preset}")
    else:
        path = find_policy(opts.config, opts.root)
        rel = os.path.relpath(path, opts.root)
        policy = load_policy(path, display=path if rel.startswith("..") else rel)
    if policy.waivers:
        check_horizon(policy, path, today())
    return policy


def use_color(choice: bool | None, stream: object) -> bool:
    if choice is not None:
        return choice
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def pair_outputs(formats: Sequence[str], outputs: Sequence[str]) -> list[tuple[str, str]]:
    """The n-th ``--output`` goes with the n-th ``--format``; formats without one go to stdout."""
    if len(outputs) > len(formats):
        raise UsageError(
            f"{len(outputs)} --output for {len(formats)} --format: give one --format per --output"
        )
    pairs = [(f, outputs[i] if i < len(outputs) else "-") for i, f in enumerate(formats)]
    to_stdout = [f for f, o in pairs if o == "-"]
    if len(to_stdout) > 1:
        raise UsageError(
            f"formats {', '.join(to_stdout)} would all go to stdout: give each but one an --output"
        )
    return pairs


def write_outputs(
    verdict: Verdict,
    pairs: list[tuple[str, str]],
    color: bool | None,
    root: str = ".",
    trends: Sequence[Trend] = (),
) -> None:
    from qualitygate.render import OutputFormat, render, write_atomic

    for fmt, out in pairs:
        options: dict[str, object] = {}
        if fmt == "table":
            options["color"] = use_color(color, sys.stdout) if out == "-" else False
        elif fmt == "markdown":
            options["trends"] = trends
        elif fmt == "openmetrics":  # the branch and commit labels come from the environment, at the edge
            from qualitygate import prometheus

            options.update(prometheus.labels(root))
        elif fmt == "github":  # never annotate a file the working tree does not have
            from qualitygate.pathmap import outside

            options["exists"] = lambda rel: not outside(rel) and os.path.isfile(os.path.join(root, rel))
        text = render(OutputFormat(fmt), verdict, **options)
        write_atomic(out, text)
        if fmt == "github":
            summary = os.environ.get("GITHUB_STEP_SUMMARY")
            if summary:
                from qualitygate.render.github import step_summary

                _append_summary(summary, step_summary(verdict, trends=trends))


def _append_summary(path: str, text: str) -> None:
    try:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        raise UsageError(
            f"GITHUB_STEP_SUMMARY={path}: cannot append the job summary: {exc.strerror or exc}"
        ) from None


@dataclass(frozen=True, slots=True)
class CommentRequest:
    """``check --comment``: post the verdict as the sticky pull-request comment once it is written."""

    comment_id: str = "default"
    on_pass: str = "update"
    base_verdict: str | None = None
    dry_run: bool = False


def run(opts: CheckOptions, comment: CommentRequest | None = None) -> int:
    """``check``: build the verdict, write it (every ``--format``, or the hook's few lines), then the side
    effects (the comment). Usage errors in the outputs are found before any report is read."""
    pairs = [] if opts.hook else pair_outputs(opts.formats, opts.outputs)
    if opts.trend:
        _check_trend_shown(opts, comment)
    checked = build(opts)
    verdict = checked.verdict
    trends = read_trends(opts, verdict) if opts.trend else ()
    if opts.hook:
        _write_hook(opts, checked)
    else:
        write_outputs(verdict, pairs, opts.color, opts.root, trends)
    code = exit_code_for(verdict)
    if opts.push:
        from qualitygate.prometheus import push_after

        code = push_after(verdict, opts.push, opts.root, code)
    if comment is not None:
        code = _post(verdict, comment, code, trends)
    return code


def _check_trend_shown(opts: CheckOptions, comment: CommentRequest | None) -> None:
    if opts.hook or (comment is None and not {"markdown", "github"} & set(opts.formats)):
        raise UsageError(
            "--trend is shown in the Markdown verdict: add --format markdown, --format github (the job "
            "summary) or --comment"
        )


def read_trends(opts: CheckOptions, verdict: Verdict) -> Sequence[Trend]:
    """The ``--trend`` metrics' points from the git notes, along the first parents of the merge base when
    the change is known (a pull request's base branch), else of HEAD."""
    from qualitygate.commands.record import read_trends as from_notes

    change = verdict.change
    rev = change.merge_base if change is not None and change.merge_base else "HEAD"
    head = head_commit(opts.root)
    return from_notes(opts.root, opts.trend, opts.trend_commits, rev, head=head, own=verdict.record)


def _write_hook(opts: CheckOptions, checked: Checked) -> None:
    """``check --hook``: the pre-push hook's few lines; reports older than the last commit or than their
    sources are flagged (the verdict itself is unchanged)."""
    from qualitygate import hook

    sys.stdout.write(hook.render_compact(checked.verdict, hook.find_stale(opts.root, checked.collected)))


def _post(verdict: Verdict, request: CommentRequest, code: int, trends: Sequence[Trend] = ()) -> int:
    """Post the comment. A failed post (exit 4) wins over the verdict's code only when the verdict itself
    passed, so a failing gate is never masked."""
    from qualitygate.commands import comment

    base = comment.load_verdict(request.base_verdict) if request.base_verdict else None
    options = comment.CommentOptions(
        id=request.comment_id, on_pass=comment.parse_on_pass(request.on_pass), dry_run=request.dry_run
    )
    try:
        comment.post_verdict(verdict, base=base, options=options, trends=trends)
    except QualityGateError as exc:
        if code:  # the failing gate is the news; the comment's trouble is said, not returned
            sys.stderr.write(f"qualitygate: error: {exc.message}\n")
            return code
        raise
    return code
