"""The command line. Each command's work lives in ``qualitygate.commands.<name>``, imported inside the
command so that ``--help``, ``--version`` and the pre-push hook pay only for what they use."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import click

from qualitygate import __version__
from qualitygate.errors import ExitCode, QualityGateError


class _Choice(click.Choice[str]):
    """A choice whose values are read where they are defined, when first needed (a value to check, --help):
    the report kinds from the parser registry, the output formats from ``OutputFormat``; start-up (and
    ``--version``) imports neither."""

    def __init__(self, values: Callable[[], Iterable[str]]) -> None:
        super().__init__(())
        self._values = values

    @property  # click.Choice sets a tuple in __init__; this reads the values when asked
    def choices(self) -> Sequence[str]:
        return tuple(self._values())

    @choices.setter
    def choices(self, _: Sequence[str]) -> None:
        pass


def _kinds() -> Iterable[str]:
    from qualitygate.parsers.registry import KINDS

    return KINDS


def _formats() -> Iterable[str]:
    from qualitygate.render import OutputFormat

    return (f.value for f in OutputFormat)


def _fail(message: str, code: int) -> int:
    click.echo(f"qualitygate: error: {message}", err=True)
    return code


def _map_error(exc: BaseException) -> int:
    """The exit code for an exception that left a command, its one-line message said on stderr."""
    if isinstance(exc, QualityGateError):
        click.echo(f"qualitygate: error: {exc.message}", err=True)
        if exc.hint:
            click.echo(f"  tip: {exc.hint}", err=True)
        return int(exc.exit_code)
    if isinstance(exc, KeyboardInterrupt):
        return _fail("interrupted", 130)
    if isinstance(exc, BrokenPipeError):
        # the reader went away (`qualitygate check | head`): never report that as a pass
        return 141  # 128 + SIGPIPE, as a shell reports it
    # the last line of defence: never a bare traceback
    if os.environ.get("QUALITYGATE_DEBUG"):
        import traceback

        traceback.print_exception(exc)  # asked for; the exit code still says "internal error"
        return _fail(f"internal error: {type(exc).__name__}: {exc}", int(ExitCode.INTERNAL))
    return _fail(
        f"internal error: {type(exc).__name__}: {exc} (run with QUALITYGATE_DEBUG=1 for the traceback)",
        int(ExitCode.INTERNAL),
    )


class _Guarded(click.Group):
    """The top-level group: the CLI's one error boundary. Every command (nested groups too) runs inside
    its ``invoke``; each command returns its exit code, and whatever it raises is mapped here by
    :func:`_map_error` (click's own exits and usage errors pass through to :func:`main`). It sits inside
    click's ``main``, which would otherwise turn Ctrl-C into ``Abort`` and a closed pipe into exit 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except (Exception, KeyboardInterrupt) as exc:
            return _map_error(exc)


@click.group(cls=_Guarded, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="qualitygate")
def cli() -> None:
    """One policy over every CI report (coverage, tests, complexity, security, k6), one verdict.

    Exit codes: 0 pass, 1 a gate failed or could not be evaluated, 2 usage or policy error,
    3 unreadable input, 4 GitHub API or Pushgateway error, 5 internal error, 130 interrupted (Ctrl-C),
    141 output pipe closed.
    """


@cli.command("parse")
# readable=False: an unreadable file is the parser's error (exit 3, naming it), not a usage error (exit 2)
@click.argument("file", type=click.Path(dir_okay=True, readable=False, path_type=str))
@click.option("--kind", type=_Choice(_kinds), help="Report kind; sniffed from the content if omitted.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_context
def parse_cmd(ctx: click.Context, file: str, kind: str | None, fmt: str) -> None:
    """Read one report and print its metrics."""
    from qualitygate.commands import parse

    ctx.exit(parse.run(file, kind, fmt))


@cli.command("comment")
@click.option("--verdict", "verdict_path", type=str, help="The JSON verdict ('-' or piped: standard input).")
@click.option("--base-verdict", type=str, help="The base branch's JSON verdict: adds a change column.")
@click.option("--id", "comment_id", default="default", show_default=True, help="One comment per id.")
@click.option(
    "--on-pass",
    type=click.Choice(["update", "delete", "skip"]),
    default="update",
    show_default=True,
    help="When the verdict passes: update the comment, delete it, or post none (an existing one is updated).",
)
@click.option("--repo", help="OWNER/NAME [env GITHUB_REPOSITORY].")
@click.option("--pr", type=click.IntRange(min=1), help="Pull request number [the event payload].")
@click.option("--api-url", help="REST API root [env GITHUB_API_URL]; Enterprise: https://HOST/api/v3.")
@click.option("--token", help="Prefer env GITHUB_TOKEN: a flag shows in the process list.")
@click.option(
    "--author",
    metavar="LOGIN",
    help="The login the token comments as; only its comments carrying the marker are updated or deleted "
    "[github-actions[bot] when GITHUB_ACTIONS=true, else learned from the comment it creates].",
)
@click.option("--sha", help="Head commit for --check-run [the event payload].")
@click.option("--check-run", is_flag=True, help="Also create a check run carrying the verdict.")
@click.option("--dry-run", is_flag=True, help="Print the comment and the calls; send nothing.")
@click.pass_context
def comment_cmd(
    ctx: click.Context,
    *,
    verdict_path: str | None,
    base_verdict: str | None,
    comment_id: str,
    on_pass: str,
    repo: str | None,
    pr: int | None,
    api_url: str | None,
    token: str | None,
    author: str | None,
    sha: str | None,
    check_run: bool,
    dry_run: bool,
) -> None:
    """Post the verdict to the pull request as one sticky comment, updated on every run."""
    from qualitygate.commands import comment

    options = comment.CommentOptions(
        id=comment_id,
        on_pass=comment.parse_on_pass(on_pass),
        repo=repo,
        pr=pr,
        api_url=api_url,
        token=token,
        author=author,
        sha=sha,
        dry_run=dry_run,
        check_run=check_run,
    )
    ctx.exit(comment.run(verdict_path, base_verdict, options))


BASE_OPTION = click.option(
    "--base",
    "base",
    is_flag=False,
    flag_value="",
    default=None,
    metavar="[REF]",
    help="Judge the change from the merge base of REF and HEAD to the working tree (new-code gates). "
    "Without REF: the pull request's base, the ref being pushed to, or the branch's upstream.",
)
BASE_DIFF_OPTION = click.option(
    "--base-diff", metavar="FILE", help="Read the change from a saved unified diff instead of git."
)


@cli.command("check")
@click.option(
    "--config", "config", metavar="FILE", help="Policy file [default: ROOT/.github/quality-gates.yml]."
)
@click.option("--preset", metavar="NAME", help="Use a preset from gates/ instead of a policy file.")
@click.option(
    "--root", default=".", show_default=True, help="Repository root: reports and paths are relative to it."
)
@click.option(
    "--format",
    "formats",
    multiple=True,
    type=_Choice(_formats),
    help="Output format; repeat for several, each with its own --output. [default: table]",
)
@click.option(
    "--output", "outputs", multiple=True, metavar="FILE", help="Where the n-th --format goes ('-': stdout)."
)
@click.option(
    "--color/--no-color", default=None, help="Colour the table [default: on a terminal, unless NO_COLOR]."
)
@click.option("--comment", is_flag=True, help="Also post the verdict as the sticky pull-request comment.")
@click.option(
    "--comment-id", default="default", show_default=True, help="With --comment: one comment per id."
)
@click.option(
    "--on-pass",
    type=click.Choice(["update", "delete", "skip"]),
    default="update",
    show_default=True,
    help="With --comment: what to do with the comment when the verdict passes.",
)
@click.option("--base-verdict", metavar="FILE", help="With --comment: the base branch's JSON verdict.")
@click.option(
    "--dry-run", is_flag=True, help="With --comment: print the comment and the calls; send nothing."
)
@click.option(
    "--hook", is_flag=True, help="Pre-push hook mode: a few lines; stale reports flagged, with the fix."
)
@click.option(
    "--hook-missing",
    type=click.Choice(["warn", "skip", "fail"]),
    help="With --hook: what a gate with missing data does [env QUALITYGATE_HOOK_MISSING; default: policy].",
)
@BASE_OPTION
@BASE_DIFF_OPTION
@click.option(
    "--base-results",
    metavar="SOURCE",
    help="The base commit's results to compare with: a JSON verdict written by check on it, a folder of its "
    "reports, or auto (git notes refs/notes/qualitygate, then the GitHub Actions artifact).",
)
@click.option(
    "--push",
    metavar="URL",
    help="Also send the verdict's gauges to this Prometheus Pushgateway (job qualitygate; grouping key "
    "repository, branch). Needs 'qualitygate[prometheus]'.",
)
@click.option(
    "--trend",
    "trend",
    multiple=True,
    metavar="METRIC[,METRIC...]",
    help="Add a Trend section to the Markdown verdict (markdown, the job summary, the comment): each "
    "METRIC (as history names it, e.g. coverage.lines.pct@backend) over the last commits, from git notes.",
)
@click.option(
    "--trend-commits",
    type=click.IntRange(1, 100),
    default=20,
    show_default=True,
    metavar="N",
    help="With --trend: how many commits of the base branch (first parents of the merge base, else HEAD).",
)
@click.pass_context
def check_cmd(
    ctx: click.Context,
    *,
    config: str | None,
    preset: str | None,
    root: str,
    formats: tuple[str, ...],
    outputs: tuple[str, ...],
    color: bool | None,
    comment: bool,
    comment_id: str,
    on_pass: str,
    base_verdict: str | None,
    dry_run: bool,
    hook: bool,
    hook_missing: str | None,
    base: str | None,
    base_diff: str | None,
    base_results: str | None,
    push: str | None,
    trend: tuple[str, ...],
    trend_commits: int,
) -> None:
    """Evaluate the policy over the reports and print the verdict.

    Exit 0 when every gate passes (warnings allowed), 1 when a gate fails or cannot be evaluated,
    2 for a usage or policy error, 3 for an unreadable report.
    """
    from qualitygate.commands import check

    opts = check.CheckOptions(
        root=root,
        config=config,
        preset=preset,
        formats=formats or ("table",),
        outputs=outputs,
        color=color,
        hook=hook,
        hook_missing=hook_missing,
        base=base,
        base_diff=base_diff,
        base_results=base_results,
        push=push,
        trend=[m.strip() for t in trend for m in t.split(",") if m.strip()],
        trend_commits=trend_commits,
    )

    if hook_missing and not hook:
        ctx.exit(_fail("--hook-missing needs --hook", int(ExitCode.USAGE)))
    if hook and comment:
        ctx.exit(_fail("--hook and --comment do not go together", int(ExitCode.USAGE)))
    request = check.CommentRequest(comment_id, on_pass, base_verdict, dry_run) if comment else None
    ctx.exit(check.run(opts, request))


@cli.command("record")
@click.option(
    "--config", "config", metavar="FILE", help="Policy file [default: ROOT/.github/quality-gates.yml]."
)
@click.option("--preset", metavar="NAME", help="Use a preset from gates/ instead of a policy file.")
@click.option("--root", default=".", show_default=True, help="Repository root.")
@click.option(
    "--verdict", metavar="FILE", help="Record this JSON verdict's results instead of checking again."
)
@click.option(
    "--push",
    metavar="REMOTE",
    help="Then fetch REMOTE's notes, merge them (cat_sort_uniq) and push refs/notes/qualitygate "
    "(never forced).",
)
@click.pass_context
def record_cmd(
    ctx: click.Context,
    *,
    config: str | None,
    preset: str | None,
    root: str,
    verdict: str | None,
    push: str | None,
) -> None:
    """Store the current commit's results (metrics, finding identities, test outcomes) as one JSON line in
    the git note refs/notes/qualitygate, for later comparisons (check --base-results auto) and history."""
    from qualitygate.commands import check, record

    opts = check.CheckOptions(root=root, config=config, preset=preset, formats=("json",))
    ctx.exit(record.run_record(opts, verdict=verdict, push=push))


@cli.command("history")
@click.argument("metric", required=False)
@click.option("-n", "count", default=20, show_default=True, help="How many commits back.")
@click.option("--rev", default="HEAD", show_default=True, help="Along the first parents of this revision.")
@click.option("--root", default=".", show_default=True, help="Repository root.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "mermaid"]),
    default="table",
    show_default=True,
    help="mermaid: an xychart-beta block for a pull-request comment or a job summary (needs METRIC).",
)
@click.pass_context
def history_cmd(ctx: click.Context, *, metric: str | None, count: int, rev: str, root: str, fmt: str) -> None:
    """The recorded values of METRIC (e.g. coverage.lines.pct@backend) over the last commits, from
    refs/notes/qualitygate; without METRIC, every recorded metric's trend and last value."""
    from qualitygate.commands import record

    if fmt == "mermaid" and metric is None:
        ctx.exit(_fail("--format mermaid needs a METRIC", int(ExitCode.USAGE)))
    ctx.exit(record.run_history(root, metric, count, rev, fmt))


@cli.command("explain")
@click.option(
    "--config", "config", metavar="FILE", help="Policy file [default: ROOT/.github/quality-gates.yml]."
)
@click.option("--preset", metavar="NAME", help="Use a preset from gates/ instead of a policy file.")
@click.option("--root", default=".", show_default=True, help="Repository root.")
@BASE_OPTION
@BASE_DIFF_OPTION
@click.pass_context
def explain_cmd(
    ctx: click.Context,
    *,
    config: str | None,
    preset: str | None,
    root: str,
    base: str | None,
    base_diff: str | None,
) -> None:
    """Show the change, the coverage reports, how their paths were mapped, and the changed files that no
    coverage report measures: the command to run when a new-code figure looks wrong."""
    from qualitygate.commands import explain

    ctx.exit(explain.run(root, config, preset, base, base_diff))


@cli.command("schema")
@click.option("--verdict", "which", flag_value="verdict", help="The verdict document's JSON Schema.")
@click.option(
    "--policy", "which", flag_value="policy", default=True, help="The policy file's JSON Schema (default)."
)
@click.pass_context
def schema_cmd(ctx: click.Context, which: str) -> None:
    """Print the JSON Schema of the policy file (or, with --verdict, of the verdict)."""
    from qualitygate.commands import schema

    ctx.exit(schema.run(which))


@cli.command("init")
@click.option("--root", default=".", show_default=True, help="Repository root to scan for reports.")
@click.option(
    "--output", default=None, metavar="FILE", help="[default: ROOT/.github/quality-gates.yml]; '-': stdout."
)
@click.option("--force", is_flag=True, help="Overwrite an existing policy file.")
@click.option(
    "--from-tools",
    is_flag=True,
    help="Take the thresholds the tools already keep: coverage.py fail_under, Jest coverageThreshold, "
    "k6 summary-export thresholds.",
)
@click.pass_context
def init_cmd(ctx: click.Context, root: str, output: str | None, force: bool, from_tools: bool) -> None:
    """Write a starting policy from the reports found in the working tree."""
    from qualitygate.commands import init

    ctx.exit(init.run(root, output, force, from_tools))


POLICY_OPTIONS = (
    click.option(
        "--config", "config", metavar="FILE", help="Policy file [default: ROOT/.github/quality-gates.yml]."
    ),
    click.option("--preset", metavar="NAME", help="Use a preset from gates/ instead of a policy file."),
    click.option("--root", default=".", show_default=True, help="Repository root."),
)


def _policy_options(fn: Callable[..., None]) -> Callable[..., None]:
    for option in reversed(POLICY_OPTIONS):
        fn = option(fn)
    return fn


@cli.group("baseline")
def baseline_group() -> None:
    """The committed baseline of accepted debt (README "Accepted debt")."""


@baseline_group.command("update")
@_policy_options
@click.pass_context
def baseline_update_cmd(ctx: click.Context, config: str | None, preset: str | None, root: str) -> None:
    """Record what exists now (findings, functions over the limit, failing tests) in the baseline file; the
    only writer. Adds 'PATH merge=union' to .gitattributes when missing."""
    from qualitygate.commands import baseline

    ctx.exit(baseline.run_update(root, config, preset))


@cli.group("waivers", invoke_without_command=True)
@_policy_options
@click.option("--expired", "which", flag_value="expired", help="Only the waivers past their expiry.")
@click.option(
    "--expiring", "which", flag_value="expiring", help="Only those ending within waiver_policy.warn_days."
)
@click.pass_context
def waivers_group(
    ctx: click.Context, config: str | None, preset: str | None, root: str, which: str | None
) -> None:
    """List the policy's waivers: id, owner, expiry (through that day, UTC), days left, match, reason."""
    if ctx.invoked_subcommand is not None:
        return
    from qualitygate.commands import waivers

    chosen: waivers.Which = "expired" if which == "expired" else "expiring" if which == "expiring" else "all"
    ctx.exit(waivers.run_list(root, config, preset, chosen))


@waivers_group.command("import")
@click.argument("file", type=str)
@click.option("--first-id", type=click.IntRange(min=1), default=1, show_default=True, help="Number W-N from.")
@click.pass_context
def waivers_import_cmd(ctx: click.Context, file: str, first_id: int) -> None:
    """Print waivers made from .trivyignore, .trivyignore.yaml or a SARIF file's accepted suppressions, to
    paste into the policy; the owner (and a missing expiry) are placeholders that fail until filled in."""
    from qualitygate.commands import waivers

    ctx.exit(waivers.run_import(file, first_id))


@cli.group("hook")
def hook_group() -> None:
    """The local pre-push hook: 'check --hook' before every push (bypass: git push --no-verify, or
    QUALITYGATE_SKIP=1)."""


@hook_group.command("install")
@click.option("--repo", default=".", show_default=True, help="A folder inside the git repository.")
@click.option(
    "--python",
    "python",
    metavar="PATH",
    help="Run the gate as 'PATH -m qualitygate' instead of the qualitygate script found now.",
)
@click.pass_context
def hook_install_cmd(ctx: click.Context, repo: str, python: str | None) -> None:
    """Write .git/hooks/pre-push; an existing hook is kept as pre-push.legacy and run first."""
    from qualitygate.commands import hook

    ctx.exit(hook.run_install(repo, python))


@hook_group.command("uninstall")
@click.option("--repo", default=".", show_default=True, help="A folder inside the git repository.")
@click.pass_context
def hook_uninstall_cmd(ctx: click.Context, repo: str) -> None:
    """Remove qualitygate's pre-push hook and put back the one it chained."""
    from qualitygate.commands import hook

    ctx.exit(hook.run_uninstall(repo))


@hook_group.command("status")
@click.option("--repo", default=".", show_default=True, help="A folder inside the git repository.")
@click.pass_context
def hook_status_cmd(ctx: click.Context, repo: str) -> None:
    """Say whether the pre-push hook is installed and what it chains."""
    from qualitygate.commands import hook

    ctx.exit(hook.run_status(repo))


def main(argv: list[str] | None = None) -> int:
    try:
        rv = cli.main(args=argv, prog_name="qualitygate", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.exceptions.Abort:
        return _fail("aborted", 130)
    except KeyboardInterrupt:  # between click's own handling and a command's guard (lazy imports)
        return _fail("interrupted", 130)
    except click.ClickException as exc:
        exc.show()
        return int(ExitCode.USAGE)
    return rv if isinstance(rv, int) else 0
