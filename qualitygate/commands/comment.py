"""``qualitygate comment`` (and ``check --comment``): the verdict as one sticky pull request comment.

The context comes from flags first, then from the Actions environment: ``GITHUB_REPOSITORY``,
``GITHUB_EVENT_PATH`` (the pull request number and head commit), ``GITHUB_API_URL`` (Enterprise) and
``GITHUB_TOKEN`` (or ``GH_TOKEN``). ``--dry-run`` sends nothing: it prints the calls and the body.

Only comments written by the login qualitygate comments as are its own (anyone can paste the marker):
``--author``, else ``github-actions[bot]`` when ``GITHUB_ACTIONS`` is ``true`` (the workflow's default
token), else whoever GitHub says wrote the comment this run creates. With none of those known, comments are
matched by marker only, as before, and a line says so.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TextIO

from qualitygate.errors import ReportFormatError, ReportNotFoundError, UsageError
from qualitygate.github import (
    DEFAULT_API_URL,
    MAX_COMMENT_CHARS,
    CheckConclusion,
    CommentResult,
    GitHubClient,
    PullRequestRef,
    RetryPolicy,
    StickyComment,
    create_check_run,
    marker_for,
)
from qualitygate.verdict import Verdict, verdict_from_json

if TYPE_CHECKING:
    from qualitygate.render.trend import Trend

ACTIONS_BOT = "github-actions[bot]"  # the login the workflow's default GITHUB_TOKEN comments as
# GitHub logins, Enterprise managed users (``name_short``) and apps (``name[bot]``)
_LOGIN_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}(\[bot\])?$")

OnPass = Literal["update", "delete", "skip"]
ON_PASS_CHOICES: tuple[OnPass, ...] = ("update", "delete", "skip")

_CONCLUSION: dict[str, CheckConclusion] = {
    "pass": "success",
    "warn": "neutral",
    "fail": "failure",
    "error": "failure",
}


def parse_on_pass(value: str) -> OnPass:
    for choice in ON_PASS_CHOICES:
        if value == choice:
            return choice
    raise UsageError(f"--on-pass {value!r}: expected one of {', '.join(ON_PASS_CHOICES)}")


@dataclass(frozen=True)
class CommentOptions:
    """What ``comment`` and ``check --comment`` need besides the verdicts; ``None`` means from the env."""

    id: str = "default"
    on_pass: OnPass = "update"
    repo: str | None = None
    pr: int | None = None
    api_url: str | None = None
    token: str | None = field(default=None, repr=False)
    sha: str | None = None
    dry_run: bool = False
    check_run: bool = False
    check_name: str = "qualitygate"
    author: str | None = None  # the login qualitygate comments as; None: GITHUB_ACTIONS, else learned


@dataclass(frozen=True)
class Context:
    repo: str | None
    pr: int | None
    api_url: str
    sha: str | None
    token: str | None = field(repr=False)
    token_source: str | None
    author: str | None = None
    author_source: str | None = None  # "--author" or "GITHUB_ACTIONS"; None: learned on create


def _event(env: Mapping[str, str]) -> dict[str, Any]:
    path = env.get("GITHUB_EVENT_PATH")
    if not path:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(
            f"GITHUB_EVENT_PATH {path}: cannot read the event payload ({type(exc).__name__})",
            hint="pass --repo and --pr instead.",
        ) from exc
    return data if isinstance(data, dict) else {}


def _dig(data: Any, *keys: str | int) -> Any:
    for k in keys:
        if isinstance(data, dict) and isinstance(k, str):
            data = data.get(k)
        elif isinstance(data, list) and isinstance(k, int) and len(data) > k:
            data = data[k]
        else:
            return None
    return data


def _pr_from_event(event: Mapping[str, Any]) -> int | None:
    candidates = (
        _dig(event, "pull_request", "number"),  # pull_request, pull_request_target, pull_request_review
        _dig(event, "issue", "number") if _dig(event, "issue", "pull_request") else None,  # issue_comment
        # workflow_run: empty for pull requests from forks, hence the artifact carries the number
        _dig(event, "workflow_run", "pull_requests", 0, "number"),
    )
    return next((int(n) for n in candidates if isinstance(n, int)), None)


def _sha_from_event(event: Mapping[str, Any], env: Mapping[str, str]) -> str | None:
    # On pull_request events GITHUB_SHA is the merge commit, on which a check run would not show.
    for sha in (_dig(event, "pull_request", "head", "sha"), _dig(event, "workflow_run", "head_sha")):
        if isinstance(sha, str) and sha:
            return sha
    return env.get("GITHUB_SHA") or None


def resolve_context(options: CommentOptions, env: Mapping[str, str] | None = None) -> Context:
    """Flags first, then the Actions environment and its event payload."""
    env = os.environ if env is None else env
    event = _event(env)
    repo = _repo(options, env)
    token, source = _token(options, env)
    author, author_source = _author(options, env)
    return Context(
        repo=repo,
        pr=options.pr if options.pr is not None else _pr_from_event(event),
        api_url=options.api_url or env.get("GITHUB_API_URL") or DEFAULT_API_URL,
        sha=options.sha or (_sha_from_event(event, env) if options.check_run else None),
        token=token,
        token_source=source,
        author=author,
        author_source=author_source,
    )


def _author(options: CommentOptions, env: Mapping[str, str]) -> tuple[str | None, str | None]:
    """Whose comments are ours, and why: ``--author``, else ``github-actions[bot]`` in GitHub Actions,
    else (None, None): learned from the comment this run creates."""
    if options.author is not None:
        login = options.author.strip().removeprefix("@")
        if not _LOGIN_RE.match(login):
            raise UsageError(
                f"--author {options.author!r}: expected a GitHub login, such as my-bot or my-app[bot]"
            )
        return login, "--author"
    if env.get("GITHUB_ACTIONS") == "true":
        return ACTIONS_BOT, "GITHUB_ACTIONS"
    return None, None


def _repo(options: CommentOptions, env: Mapping[str, str]) -> str | None:
    """``--repo`` or ``GITHUB_REPOSITORY``, checked to be OWNER/NAME; None when neither is given."""
    repo = options.repo or env.get("GITHUB_REPOSITORY") or None
    if repo is not None and (repo.count("/") != 1 or not all(repo.split("/"))):
        raise UsageError(f"--repo {repo!r}: expected OWNER/NAME")
    return repo


def _token(options: CommentOptions, env: Mapping[str, str]) -> tuple[str | None, str | None]:
    """The token and where it came from (``--token``, ``GITHUB_TOKEN`` or ``GH_TOKEN``); (None, None)."""
    if options.token:
        return options.token, "--token"
    for name in ("GITHUB_TOKEN", "GH_TOKEN"):
        token = env.get(name)
        if token:
            return token, name
    return None, None


def load_verdict(path: str, stdin: TextIO | None = None) -> Verdict:
    """A verdict JSON document from ``path`` ("-" = standard input)."""
    from pydantic import ValidationError

    if path == "-":
        text, name = (stdin or sys.stdin).read(), "<stdin>"
    else:
        name = path
        try:
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise ReportNotFoundError(path, "no such file", hint="write it with `qualitygate check`") from exc
        except IsADirectoryError as exc:
            raise ReportNotFoundError(path, "is a directory, expected a verdict JSON file") from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise ReportFormatError(path, f"cannot read: {exc}") from exc
    try:
        return verdict_from_json(text)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "document"
        raise ReportFormatError(
            name,
            f"not a qualitygate verdict: {where}: {first['msg']} ({exc.error_count()} problem(s))",
            hint="pass the file `qualitygate check --format json` wrote.",
        ) from exc


def render_body(verdict: Verdict, base: Verdict | None, marker: str, trends: Sequence[Trend] = ()) -> str:
    from qualitygate.render.markdown import render

    return render(verdict, base=base, marker=marker, max_chars=MAX_COMMENT_CHARS, trends=trends)


def _plan(verdict: Verdict, options: CommentOptions, ctx: Context) -> str:
    """What a real run would send, one call a line."""
    repo = ctx.repo or "<OWNER/NAME: --repo or GITHUB_REPOSITORY>"
    pr = str(ctx.pr) if ctx.pr is not None else "<NUMBER: --pr or the event payload>"
    api = ctx.api_url.rstrip("/")
    token = f"from {ctx.token_source}" if ctx.token_source else "none (a real run fails with 401)"
    issue = f"{api}/repos/{repo}/issues"
    lines = [
        "dry run: nothing is sent to GitHub",
        f"pull request: {repo}#{pr}  api: {api}  token: {token}",
        f"GET    {issue}/{pr}/comments?per_page=100  (every page; find {marker_for(options.id)})",
        _plan_author(ctx),
    ]
    if _deletes_comment(verdict, options):
        lines.append(f"DELETE {issue}/comments/<ID>  for each comment found (the verdict passes)")
    else:
        lines.append(f"PATCH  {issue}/comments/<ID>  if found (and DELETE any duplicate)")
        if not _creates_comment(verdict, options):
            lines.append("nothing else if none is found (the verdict passes, --on-pass skip)")
        else:
            lines.append(
                f"POST   {issue}/{pr}/comments  if none is found; then GET again, DELETE a duplicate"
            )
    if options.check_run:
        sha = ctx.sha or "<SHA: --sha or the event payload>"
        lines.append(
            f"POST   {api}/repos/{repo}/check-runs  (head_sha {sha}, "
            f"conclusion {_CONCLUSION[verdict.status]})"
        )
    return "\n".join(lines) + "\n"


def _plan_author(ctx: Context) -> str:
    if ctx.author is not None:
        return (
            f"       ours: written by {ctx.author} (from {ctx.author_source}); "
            "other users' copies of the marker are left alone"
        )
    return (
        "       ours: by marker only until the created comment says who the token is "
        "(pass --author LOGIN to be strict)"
    )


def _require(ctx: Context) -> tuple[str, int, str]:
    if ctx.repo is None:
        raise UsageError("no repository: pass --repo OWNER/NAME or set GITHUB_REPOSITORY")
    if ctx.pr is None:
        raise UsageError(
            "no pull request number: pass --pr N, or run on a pull_request event",
            hint="in a workflow_run job for a fork pull request, read the number from the artifact.",
        )
    if ctx.token is None:
        raise UsageError(
            "no GitHub token: set GITHUB_TOKEN (or pass --token)",
            hint="in a workflow: `env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}`.",
        )
    return ctx.repo, ctx.pr, ctx.token


def _describe(result: CommentResult, pr: PullRequestRef) -> str:
    where = result.url or (f"comment {result.comment_id}" if result.comment_id else "")
    extra = (
        f" ({result.removed} duplicate(s) removed)" if result.removed and result.action != "deleted" else ""
    )
    text = {
        "created": f"comment created on {pr}: {where}",
        "updated": f"comment updated on {pr}: {where}",
        "unchanged": f"comment on {pr} already up to date: {where}",
        "deleted": f"verdict passes: {result.removed} comment(s) deleted on {pr}",
        "absent": f"verdict passes: no comment on {pr}, none posted",
    }[result.action]
    return f"qualitygate: {text}{extra}\n"


def post_verdict(
    verdict: Verdict,
    *,
    base: Verdict | None,
    options: CommentOptions,
    out: TextIO | None = None,
    trends: Sequence[Trend] = (),
) -> int:
    """Post (update, delete or skip) the sticky comment for ``verdict``; 0 when done.

    Raises ``GitHubError`` (exit 4) when GitHub refuses, ``UsageError`` (exit 2) when the context is missing.
    The verdict's own status is not the exit code: the caller decides that.
    """
    out = out or sys.stdout
    ctx = resolve_context(options)
    marker = marker_for(options.id)
    needs_body = not _deletes_comment(verdict, options) or options.check_run
    body = render_body(verdict, base, marker, trends) if needs_body else ""
    if options.dry_run:
        out.write(_plan(verdict, options, ctx))
        if needs_body:
            out.write(f"--- comment body ({len(body)} characters) ---\n{body}\n")
        return 0
    repo, number, token = _require(ctx)
    sha = _check_run_sha(options, ctx)
    pr = PullRequestRef(repo, number)
    with GitHubClient(token=token, api_url=ctx.api_url, retry=retry_policy(os.environ)) as client:
        sticky = StickyComment(client, pr, options.id, author=ctx.author, notify=_printer(out))
        result = _sync_comment(sticky, verdict, options, body)
        out.write(_describe(result, pr))
        if sha is not None:
            url = _create_check_run(
                client,
                repo,
                sha=sha,
                verdict=verdict,
                name=options.check_name,
                summary=body.replace(marker, ""),
            )
            out.write(f"qualitygate: check run created: {url or sha}\n")
    return 0


# Deadlines of the GitHub calls, in seconds, from the environment (tests, slow GitHub Enterprise servers).
REQUEST_DEADLINE_ENV = "QUALITYGATE_GITHUB_REQUEST_DEADLINE"
COMMAND_DEADLINE_ENV = "QUALITYGATE_GITHUB_DEADLINE"


def retry_policy(env: Mapping[str, str]) -> RetryPolicy:
    """The default retry policy, with the deadlines the environment sets."""
    default = RetryPolicy()
    return replace(
        default,
        request_deadline=_seconds(env, REQUEST_DEADLINE_ENV, default.request_deadline),
        command_deadline=_seconds(env, COMMAND_DEADLINE_ENV, default.command_deadline),
    )


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    """A positive number of seconds (below a day) from ``env[name]``; ``default`` when it is not set."""
    raw = env.get(name)
    if raw is None:
        return default
    try:
        seconds = float(raw)
    except ValueError:
        seconds = float("nan")
    if not 0 < seconds < 86_400:
        raise UsageError(f"{name}={raw!r}: expected a number of seconds, above 0 and below 86400")
    return seconds


def _printer(out: TextIO) -> Callable[[str], None]:
    """Where the sticky comment's notes and warnings go: ``out``, one "qualitygate: " line each."""

    def say(line: str) -> None:
        out.write(f"qualitygate: {line}\n")

    return say


def _deletes_comment(verdict: Verdict, options: CommentOptions) -> bool:
    """A passing verdict with ``--on-pass delete``: the comment goes rather than being updated."""
    return verdict.status == "pass" and options.on_pass == "delete"


def _creates_comment(verdict: Verdict, options: CommentOptions) -> bool:
    """False for a passing verdict with ``--on-pass skip``: an existing comment is updated, none created."""
    return not (verdict.status == "pass" and options.on_pass == "skip")


def _check_run_sha(options: CommentOptions, ctx: Context) -> str | None:
    """The commit a check run goes on: None without ``--check-run``, a UsageError when it is unknown."""
    if not options.check_run:
        return None
    if not ctx.sha:
        raise UsageError("--check-run needs the head commit: pass --sha or run on a pull_request event")
    return ctx.sha


def _sync_comment(
    sticky: StickyComment, verdict: Verdict, options: CommentOptions, body: str
) -> CommentResult:
    """Delete, update or create the sticky comment, as the verdict and ``--on-pass`` say."""
    if _deletes_comment(verdict, options):
        return sticky.delete()
    return sticky.upsert(body, create=_creates_comment(verdict, options))


def _create_check_run(
    client: GitHubClient, repo: str, *, sha: str, verdict: Verdict, name: str, summary: str
) -> str | None:
    """A check run carrying the verdict (the comment body, without its marker, as the summary)."""
    counts = verdict.summary
    return create_check_run(
        client,
        repo,
        head_sha=sha,
        name=name,
        conclusion=_CONCLUSION[verdict.status],
        title=f"{verdict.status}: {counts.failed} failed, {counts.warned} warned of {counts.total} gates",
        summary=summary,
    )


def run(
    verdict_path: str | None,
    base_path: str | None,
    options: CommentOptions,
    *,
    out: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    stdin = stdin or sys.stdin
    if verdict_path is None:
        if stdin.isatty():
            raise UsageError("no verdict: pass --verdict FILE or pipe the JSON verdict in")
        verdict_path = "-"
    verdict = load_verdict(verdict_path, stdin)
    base = load_verdict(base_path) if base_path else None
    return post_verdict(verdict, base=base, options=options, out=out)
