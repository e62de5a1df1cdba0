"""The PR comment bot against a fake GitHub on 127.0.0.1: real HTTP, the real httpx client, no sleeping."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fakegithub import FakeGitHub

from qualitygate import github
from qualitygate.cli import main
from qualitygate.commands import comment
from qualitygate.errors import UsageError
from qualitygate.github import (
    MAX_COMMENT_CHARS,
    GitHubAuthError,
    GitHubClient,
    GitHubError,
    GitHubNotFoundError,
    GitHubPermissionError,
    GitHubRateLimitError,
    GitHubUnavailableError,
    GitHubValidationError,
    PullRequestRef,
    RetryPolicy,
    StickyComment,
    fit_body,
    marker_for,
)
from qualitygate.verdict import Evidence, GateResult, Status, Verdict, summarize, verdict_to_json

TOKEN = "ghs_S3cr3tT0kenV4lue0123456789"
REPO = "acme/shop"
PR = 7
MARKER = "<!-- qualitygate:comment id=default -->"
REAL_RENDER_BODY = comment.render_body


# -- fixtures ---------------------------------------------------------------------------------------------


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    gh = FakeGitHub(token=TOKEN)
    gh.add_pull(REPO, PR)
    with gh.running():
        yield gh


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every wait the client asks for, instead of waiting (also for clients the CLI builds)."""
    waited: list[float] = []
    monkeypatch.setattr(github, "_sleep", waited.append)
    return waited


@pytest.fixture(autouse=True)
def _no_actions_env(monkeypatch: pytest.MonkeyPatch) -> None:
    names = ("GITHUB_REPOSITORY", "GITHUB_EVENT_PATH", "GITHUB_API_URL", "GITHUB_TOKEN", "GH_TOKEN")
    for name in (*names, "GITHUB_ACTIONS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("GITHUB_SHA", raising=False)


@pytest.fixture(autouse=True)
def _stub_renderer(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Markdown renderer is another module's job; these tests need only a body with the marker."""

    def render(verdict: Verdict, base: Verdict | None, marker: str, trends: object = ()) -> str:
        lines = [marker, f"## Quality gate: {verdict.status}"]
        lines += [f"| {g.title} | {g.status} | {g.actual} |" for g in verdict.gates]
        return "\n".join(lines) + "\n"

    monkeypatch.setattr(comment, "render_body", render)


def client(fake: FakeGitHub, sleeps: list[float], token: str = TOKEN, **kw: Any) -> GitHubClient:
    return GitHubClient(token=token, api_url=fake.url, sleep=sleeps.append, random=lambda: 0.0, **kw)


def sticky(
    fake: FakeGitHub,
    sleeps: list[float],
    id: str = "default",
    author: str | None = None,
    notes: list[str] | None = None,
) -> StickyComment:
    notify = notes.append if notes is not None else None
    return StickyComment(client(fake, sleeps), PullRequestRef(REPO, PR), id, author=author, notify=notify)


def verdict(status: Status = Status.FAIL) -> Verdict:
    gate = GateResult(
        id="coverage.backend",
        title="Backend coverage",
        metric="coverage.lines.pct",
        component="backend",
        operator=">=",
        threshold=80,
        unit="%",
        actual=71.5 if status is not Status.PASS else 85.0,
        status=status,
        message="Line coverage is below 80 %.",
        evidence=[Evidence(kind="file", title="backend/app.py", value=12.0, unit="%")],
        evidence_total=1,
    )
    gates = [gate]
    return Verdict(
        tool_version="0.1.0",
        policy=".github/quality-gates.yml",
        status="pass" if status is Status.PASS else "fail",
        summary=summarize(gates),
        gates=gates,
    )


def write_verdict(tmp_path: Path, v: Verdict, name: str = "verdict.json") -> str:
    path = tmp_path / name
    path.write_text(verdict_to_json(v), encoding="utf-8")
    return str(path)


def cli(fake: FakeGitHub, verdict_file: str, *extra: str) -> list[str]:
    return [
        "comment",
        "--verdict",
        verdict_file,
        "--repo",
        REPO,
        "--pr",
        str(PR),
        "--api-url",
        fake.url,
        *extra,
    ]


# -- marker and size ----------------------------------------------------------------------------------------


def test_marker_format_and_ids() -> None:
    assert marker_for("default") == MARKER
    assert marker_for("backend.tests") == "<!-- qualitygate:comment id=backend.tests -->"
    for bad in ("", "a b", "x-->", "-lead"):
        with pytest.raises(UsageError):
            marker_for(bad)


def test_fit_body_cuts_keeps_marker_closes_details_and_notes() -> None:
    evidence = "<details><summary>evidence</summary>\n\n" + "".join(
        f"- file{i}.py 12%\n" for i in range(9000)
    )
    body = f"{MARKER}\n## Quality gate: fail\n{evidence}</details>\n"
    assert len(body) > MAX_COMMENT_CHARS
    cut = fit_body(body, marker=MARKER)
    assert len(cut.encode("utf-16-le")) // 2 <= MAX_COMMENT_CHARS
    assert cut.startswith(MARKER)
    assert cut.count("<details>") == cut.count("</details>")
    assert "65,536 characters" in cut
    assert fit_body("short", marker=MARKER) == "short"


def test_fit_body_counts_utf16_for_emoji() -> None:
    body = "\N{LARGE RED CIRCLE} fail\n" * 10_000  # two UTF-16 units per circle
    cut = fit_body(body)
    assert len(cut.encode("utf-16-le")) // 2 <= MAX_COMMENT_CHARS
    assert cut.endswith("verdict JSON.")


# -- sticky comment -----------------------------------------------------------------------------------------


def test_create_then_update_the_same_comment(fake: FakeGitHub, sleeps: list[float]) -> None:
    fake.add_comment(REPO, PR, "LGTM")
    first = sticky(fake, sleeps).upsert(f"{MARKER}\nfail")
    assert first.action == "created"
    second = sticky(fake, sleeps).upsert(f"{MARKER}\npass")
    assert (second.action, second.comment_id) == ("updated", first.comment_id)
    assert fake.bodies(REPO, PR) == ["LGTM", f"{MARKER}\npass"]
    third = sticky(fake, sleeps).upsert(f"{MARKER}\npass")
    assert third.action == "unchanged"
    assert len(fake.calls("PATCH")) == 1


def test_separate_comments_per_id(fake: FakeGitHub, sleeps: list[float]) -> None:
    sticky(fake, sleeps, "backend").upsert("backend verdict")
    sticky(fake, sleeps, "frontend").upsert("frontend verdict")
    sticky(fake, sleeps, "backend").upsert("backend verdict 2")
    bodies = fake.bodies(REPO, PR)
    assert bodies == [
        "<!-- qualitygate:comment id=backend -->\nbackend verdict 2",
        "<!-- qualitygate:comment id=frontend -->\nfrontend verdict",
    ]


def test_pagination_finds_the_comment_on_page_three(fake: FakeGitHub, sleeps: list[float]) -> None:
    for i in range(250):
        if i == 240:
            target = fake.add_comment(REPO, PR, f"{MARKER}\nold", user="github-actions[bot]")
        else:
            fake.add_comment(REPO, PR, f"chatter {i}")
    result = sticky(fake, sleeps).upsert(f"{MARKER}\nnew")
    assert (result.action, result.comment_id) == ("updated", target)
    pages = [r.query.get("page", ["1"])[0] for r in fake.calls("GET")]
    assert pages == ["1", "2", "3"]
    assert fake.calls("GET")[0].query["per_page"] == ["100"]
    assert len(fake.bodies(REPO, PR)) == 250


def test_pagination_refuses_a_link_to_another_host(fake: FakeGitHub, sleeps: list[float]) -> None:
    fake.fail(200, method="GET", body="[]", headers={"Link": '<https://evil.example/x?page=2>; rel="next"'})
    with pytest.raises(GitHubError, match="away from the API host"):
        sticky(fake, sleeps).find()


def test_existing_duplicates_are_removed_on_update(fake: FakeGitHub, sleeps: list[float]) -> None:
    keep = fake.add_comment(REPO, PR, f"{MARKER}\nold 1")
    fake.add_comment(REPO, PR, f"{MARKER}\nold 2")
    result = sticky(fake, sleeps).upsert(f"{MARKER}\nnew")
    assert (result.action, result.comment_id, result.removed) == ("updated", keep, 1)
    assert fake.bodies(REPO, PR) == [f"{MARKER}\nnew"]


def concurrent_upserts(fake: FakeGitHub, author: str | None = None) -> dict[str, Any]:
    """Two runs that both list before either creates (the fake holds the first lists at a barrier): the
    real race, whatever the machine's load. Everything slow is done before the threads start: each run's
    client is built first (importing httpx and building an SSL context took seconds under load, so the first
    list used to give up on the barrier's old 5 s alone and the runs went one after the other: "the race did
    not happen"), and each may wait 60 s for an answer. No sleep orders anything."""
    patient = RetryPolicy(request_deadline=60.0)
    runs = {
        name: StickyComment(client(fake, [], retry=patient), PullRequestRef(REPO, PR), author=author)
        for name in ("a", "b")
    }
    fake.list_barrier = threading.Barrier(len(runs), timeout=60)
    results: dict[str, Any] = {}

    def run(name: str) -> None:
        try:
            results[name] = runs[name].upsert(f"{MARKER}\nfrom {name}")
        except Exception as exc:  # surfaced by the assertion below
            results[name] = exc

    threads = [threading.Thread(target=run, args=(n,)) for n in runs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads) and not fake.barrier_broken
    assert len(fake.calls("POST")) == 2, "the race did not happen"
    return results


def test_two_concurrent_runs_leave_one_comment(fake: FakeGitHub) -> None:
    results = concurrent_upserts(fake)
    bodies = fake.bodies(REPO, PR)
    assert len(bodies) == 1
    assert bodies[0] in (f"{MARKER}\nfrom a", f"{MARKER}\nfrom b")
    actions = sorted(r.action for r in results.values())
    assert actions == ["created", "updated"]
    assert len(fake.calls("DELETE")) == 1


def test_delete_on_pass_removes_every_copy(fake: FakeGitHub, sleeps: list[float]) -> None:
    fake.add_comment(REPO, PR, f"{MARKER}\nfail")
    fake.add_comment(REPO, PR, "unrelated")
    fake.add_comment(REPO, PR, f"{MARKER}\nfail again")
    result = sticky(fake, sleeps).delete()
    assert (result.action, result.removed) == ("deleted", 2)
    assert fake.bodies(REPO, PR) == ["unrelated"]
    assert sticky(fake, sleeps).delete().action == "absent"


def test_oversized_body_is_cut_not_refused(fake: FakeGitHub, sleeps: list[float]) -> None:
    huge = f"{MARKER}\n## fail\n" + "x" * 100 + "\n" + ("evidence line\n" * 10_000)
    result = sticky(fake, sleeps).upsert(huge)
    assert result.action == "created"
    (body,) = fake.bodies(REPO, PR)
    assert len(body) <= MAX_COMMENT_CHARS
    assert body.startswith(MARKER) and "cut to fit" in body
    # and the next run still finds it
    assert sticky(fake, sleeps).upsert(huge).action == "unchanged"


# -- whose comment it is: only the author qualitygate comments as ---------------------------------------------

BOT = "github-actions[bot]"
FAKE_PASS = f"{MARKER}\n## Quality gate: pass"  # what a pull request's author could post before the first run


def test_a_foreign_marker_comment_is_neither_updated_nor_deleted(
    fake: FakeGitHub, sleeps: list[float]
) -> None:
    fake.only_authors_edit = True  # as for a token that may not edit other users' comments
    foreign = fake.add_comment(REPO, PR, FAKE_PASS, user="mallory")
    notes: list[str] = []
    result = sticky(fake, sleeps, author=BOT, notes=notes).upsert(f"{MARKER}\nfail")
    assert result.action == "created" and result.comment_id != foreign
    assert fake.bodies(REPO, PR) == [FAKE_PASS, f"{MARKER}\nfail"]
    assert [c.method for c in fake.calls()] == ["GET", "POST", "GET"]  # no PATCH, no DELETE
    (warning,) = notes  # once, although the concurrency check lists the comments again
    assert "mallory" in warning and str(foreign) in warning and "left alone" in warning
    # the next run finds its own comment, and still leaves the foreign one be
    assert sticky(fake, sleeps, author=BOT).upsert(f"{MARKER}\nfail").action == "unchanged"
    assert sticky(fake, sleeps, author=BOT).upsert(f"{MARKER}\nfail 2").action == "updated"
    assert fake.bodies(REPO, PR) == [FAKE_PASS, f"{MARKER}\nfail 2"]


def test_duplicates_by_other_users_are_never_deleted(fake: FakeGitHub, sleeps: list[float]) -> None:
    fake.add_comment(REPO, PR, f"{MARKER}\nquoted by a reviewer", user="alice")
    keep = fake.add_comment(REPO, PR, f"{MARKER}\nold", user=BOT, user_type="Bot")
    fake.add_comment(REPO, PR, f"{MARKER}\ncopy", user="Bob")
    dup = fake.add_comment(REPO, PR, f"{MARKER}\nstale", user="GitHub-Actions[bot]")  # logins ignore case
    notes: list[str] = []
    result = sticky(fake, sleeps, author=BOT, notes=notes).upsert(f"{MARKER}\nnew")
    assert (result.action, result.comment_id, result.removed) == ("updated", keep, 1)
    assert [c.path.rsplit("/", 1)[1] for c in fake.calls("DELETE")] == [str(dup)]
    assert fake.bodies(REPO, PR) == [f"{MARKER}\nquoted by a reviewer", f"{MARKER}\nnew", f"{MARKER}\ncopy"]
    (warning,) = notes
    assert "2 comment(s)" in warning and "alice" in warning and "Bob" in warning
    # --on-pass delete removes ours only
    result = sticky(fake, sleeps, author=BOT).delete()
    assert (result.action, result.removed) == ("deleted", 1)
    assert fake.bodies(REPO, PR) == [f"{MARKER}\nquoted by a reviewer", f"{MARKER}\ncopy"]
    assert sticky(fake, sleeps, author=BOT).delete().action == "absent"


def test_unknown_author_matches_by_marker_and_says_so(fake: FakeGitHub, sleeps: list[float]) -> None:
    notes: list[str] = []
    s = sticky(fake, sleeps, notes=notes)
    assert s.upsert(f"{MARKER}\none").action == "created"  # nothing matched by marker alone: no note
    assert notes == [] and s.author == BOT  # learned from GitHub's answer to the create
    fake.add_comment(REPO, PR, f"{MARKER}\nforeign", user="mallory")
    assert s.upsert(f"{MARKER}\ntwo").action == "updated"  # strict now: the foreign copy is not ours
    assert fake.bodies(REPO, PR) == [f"{MARKER}\ntwo", f"{MARKER}\nforeign"]
    assert len(notes) == 1 and "mallory" in notes[0]
    # a fresh run with no author known: today's behaviour, with one line saying so
    notes.clear()
    assert sticky(fake, sleeps, notes=notes).upsert(f"{MARKER}\nthree").action == "updated"
    assert fake.bodies(REPO, PR) == [f"{MARKER}\nthree"]
    (note,) = notes
    assert "marker only" in note and "--author" in note


def test_concurrent_runs_leave_one_comment_beside_a_foreign_one(fake: FakeGitHub) -> None:
    foreign = fake.add_comment(REPO, PR, FAKE_PASS, user="mallory")
    results = concurrent_upserts(fake, author=BOT)
    assert sorted(r.action for r in results.values()) == ["created", "updated"]
    assert fake.bodies(REPO, PR)[0] == FAKE_PASS and len(fake.bodies(REPO, PR)) == 2
    assert all(not c.path.endswith(f"/{foreign}") for c in fake.calls() if c.method in ("PATCH", "DELETE"))


def test_in_actions_the_author_defaults_to_github_actions_bot(
    fake: FakeGitHub,
    sleeps: list[float],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    ctx = comment.resolve_context(comment.CommentOptions())
    assert (ctx.author, ctx.author_source) == (BOT, "GITHUB_ACTIONS")
    fake.only_authors_edit = True
    foreign = fake.add_comment(REPO, PR, FAKE_PASS, user="mallory")  # posted before the first run
    path = write_verdict(tmp_path, verdict(Status.FAIL))
    assert main(cli(fake, path, "--dry-run")) == 0
    assert f"written by {BOT} (from GITHUB_ACTIONS)" in capsys.readouterr().out
    assert main(cli(fake, path)) == 0  # before the fix: PATCH of mallory's comment, 403, exit 4
    out = capsys.readouterr().out
    assert out.count("mallory") == 1 and "comment created" in out
    bodies = fake.bodies(REPO, PR)
    assert bodies[0] == FAKE_PASS and "Quality gate: fail" in bodies[1] and len(bodies) == 2
    passing = write_verdict(tmp_path, verdict(Status.PASS), "pass.json")
    assert main(cli(fake, passing, "--on-pass", "delete")) == 0
    assert fake.bodies(REPO, PR) == [FAKE_PASS]
    assert [c.path for c in fake.calls("DELETE")] == [f"/repos/{REPO}/issues/comments/{foreign + 1}"]


def test_author_flag_overrides_the_actions_default(
    sleeps: list[float], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    gh = FakeGitHub(token=TOKEN, login="qg-app[bot]")  # a GitHub App's token: comments as the app
    gh.add_pull(REPO, PR)
    theirs = gh.add_comment(REPO, PR, f"{MARKER}\nanother workflow's", user=BOT, user_type="Bot")
    ours = gh.add_comment(REPO, PR, f"{MARKER}\nold", user="qg-app[bot]", user_type="Bot")
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    path = write_verdict(tmp_path, verdict(Status.FAIL))
    with gh.running():
        assert main([*cli(gh, path), "--author", "@QG-App[bot]"]) == 0
    (patch,) = gh.calls("PATCH")
    assert patch.path.endswith(f"/{ours}") and gh.calls("DELETE") == []
    assert gh.bodies(REPO, PR)[0] == f"{MARKER}\nanother workflow's"
    out = capsys.readouterr().out
    assert f"comment updated on {REPO}#{PR}" in out and f"#issuecomment-{theirs} by {BOT}" in out
    ctx = comment.resolve_context(comment.CommentOptions(author="me"))
    assert (ctx.author, ctx.author_source) == ("me", "--author")
    assert main([*cli(gh, path), "--author", "not a login", "--dry-run"]) == 2


def test_a_token_that_is_not_the_bot_is_learned_and_heals(
    sleeps: list[float], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A personal token in Actions without --author: the default guess is wrong; the create says who we are,
    the comment from the previous run is found by the check that follows, and only one stays."""
    gh = FakeGitHub(token=TOKEN, login="octo-dev", user_type="User")
    gh.add_pull(REPO, PR)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    failing = write_verdict(tmp_path, verdict(Status.FAIL))
    with gh.running():
        assert main(cli(gh, failing)) == 0
        assert main(cli(gh, failing)) == 0
    (body,) = gh.bodies(REPO, PR)
    assert "Quality gate: fail" in body
    out = capsys.readouterr().out
    assert (
        out.count("the token comments as octo-dev, not as github-actions[bot]: pass --author octo-dev") == 2
    )


def test_the_token_never_appears_in_notes_and_warnings(
    fake: FakeGitHub,
    sleeps: list[float],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    fake.add_comment(REPO, PR, FAKE_PASS, user=TOKEN)  # a server that echoes anything back
    path = write_verdict(tmp_path, verdict(Status.FAIL))
    assert main([*cli(fake, path), "--author", BOT]) == 0
    assert main(cli(fake, path)) == 0  # author unknown: the marker-only note
    out = capsys.readouterr()
    everything = out.out + out.err
    assert "left alone" in everything and "marker only" in everything and "***" in everything
    assert TOKEN not in everything


# -- retries and errors -------------------------------------------------------------------------------------


def test_5xx_then_success_backs_off_exponentially(fake: FakeGitHub, sleeps: list[float]) -> None:
    fake.fail(502, method="GET", times=2)
    fake.fail(503, method="POST")
    assert sticky(fake, sleeps).upsert("body").action == "created"
    assert sleeps == [0.5, 1.0, 0.5]  # base 1 s doubled per retry, random() = 0 gives the lower half
    assert len(fake.bodies(REPO, PR)) == 1


def test_5xx_gives_up_after_the_attempts(fake: FakeGitHub, sleeps: list[float]) -> None:
    fake.fail(500, times=99)
    with pytest.raises(GitHubUnavailableError, match=r"500 .*after 5 attempts") as info:
        sticky(fake, sleeps).upsert("body")
    assert len(fake.requests) == 5 and len(sleeps) == 4
    assert info.value.exit_code == 4


def test_secondary_rate_limit_waits_retry_after(fake: FakeGitHub, sleeps: list[float]) -> None:
    fake.fail(
        403,
        method="POST",
        headers={"Retry-After": "7"},
        body={"message": "You have exceeded a secondary rate limit. Please wait a few minutes."},
    )
    assert sticky(fake, sleeps).upsert("body").action == "created"
    assert sleeps == [7.0]


def test_secondary_rate_limit_without_header_waits_a_minute(fake: FakeGitHub, sleeps: list[float]) -> None:
    fake.fail(403, body={"message": "You have exceeded a secondary rate limit."})
    sticky(fake, sleeps).find()
    assert sleeps == [60.0]


def test_primary_rate_limit_waits_until_reset(fake: FakeGitHub, sleeps: list[float]) -> None:
    headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1000030"}
    fake.fail(429, headers=headers, body={"message": "API rate limit exceeded"})
    c = client(fake, sleeps, now=lambda: 1_000_000.0)
    StickyComment(c, PullRequestRef(REPO, PR)).find()
    assert sleeps == [30.0]


def test_rate_limit_longer_than_max_wait_fails_at_once(fake: FakeGitHub, sleeps: list[float]) -> None:
    fake.fail(403, headers={"Retry-After": "3600"}, body={"message": "secondary rate limit"})
    with pytest.raises(GitHubRateLimitError, match="wait 3600 s"):
        sticky(fake, sleeps).find()
    assert sleeps == [] and len(fake.requests) == 1


def test_retry_after_as_http_date() -> None:
    assert github._parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", 1445412500.0) == 10.0
    assert github._parse_retry_after("soon", 0.0) is None


@pytest.mark.parametrize(
    ("status", "message", "error", "hint"),
    [
        (401, "Bad credentials", GitHubAuthError, "GITHUB_TOKEN"),
        (403, "Resource not accessible by integration", GitHubPermissionError, "workflow_run"),
        (422, "Validation Failed", GitHubValidationError, None),
        (400, "Problems parsing JSON", GitHubError, None),
    ],
)
def test_4xx_is_not_retried_and_says_what_to_do(
    *,
    fake: FakeGitHub,
    sleeps: list[float],
    status: int,
    message: str,
    error: type[GitHubError],
    hint: str | None,
) -> None:
    fake.fail(status, body={"message": message})
    with pytest.raises(error, match=message) as info:
        sticky(fake, sleeps).upsert("body")
    assert len(fake.requests) == 1 and sleeps == []
    if hint:
        assert info.value.hint and hint in info.value.hint


def test_404_for_a_missing_pull_request(fake: FakeGitHub, sleeps: list[float]) -> None:
    c = client(fake, sleeps)
    with pytest.raises(
        GitHubNotFoundError, match=r"404 when trying to list the comments of acme/shop#999"
    ) as e:
        StickyComment(c, PullRequestRef(REPO, 999)).upsert("body")
    assert e.value.hint and "private repository" in e.value.hint
    assert len(fake.requests) == 1


def test_network_failure_is_retried_then_reported(sleeps: list[float]) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed when the block ends: nothing listens there
    c = GitHubClient(token=TOKEN, api_url=f"http://127.0.0.1:{port}", sleep=sleeps.append, timeout=2)
    with pytest.raises(GitHubUnavailableError, match="could not reach") as e:
        StickyComment(c, PullRequestRef(REPO, PR)).find()
    assert len(sleeps) == 4 and "--api-url" in (e.value.hint or "")


# -- the command ----------------------------------------------------------------------------------------


def test_comment_command_creates_then_updates(
    fake: FakeGitHub, sleeps: list[float], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    path = write_verdict(tmp_path, verdict(Status.FAIL))
    assert main(cli(fake, path)) == 0
    assert main(cli(fake, path, "--on-pass", "delete")) == 0  # still failing: updated, not deleted
    (body,) = fake.bodies(REPO, PR)
    assert body.startswith(MARKER) and "Quality gate: fail" in body
    assert len(fake.calls("POST")) == 1 and len(fake.calls("PATCH")) == 0  # same body: unchanged


def test_on_pass_delete_and_skip(
    fake: FakeGitHub, sleeps: list[float], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    failing, passing = (
        write_verdict(tmp_path, verdict(Status.FAIL)),
        write_verdict(tmp_path, verdict(Status.PASS), "pass.json"),
    )
    assert main(cli(fake, passing, "--on-pass", "skip")) == 0
    assert fake.bodies(REPO, PR) == []  # passing and nothing to update: nothing posted
    assert main(cli(fake, failing, "--on-pass", "skip")) == 0
    assert main(cli(fake, passing, "--on-pass", "skip")) == 0  # an existing comment is not left stale
    assert "Quality gate: pass" in fake.bodies(REPO, PR)[0]
    assert main(cli(fake, passing, "--on-pass", "delete")) == 0
    assert fake.bodies(REPO, PR) == []


def test_context_from_the_actions_environment_and_check_run(
    fake: FakeGitHub, sleeps: list[float], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"number": PR, "pull_request": {"number": PR, "head": {"sha": "abc123"}}}))
    monkeypatch.setenv("GITHUB_REPOSITORY", REPO)
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    monkeypatch.setenv("GITHUB_API_URL", fake.url + "/api/v3")  # Enterprise-style root
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("GITHUB_SHA", "merge-commit-not-this")
    path = write_verdict(tmp_path, verdict(Status.FAIL))
    assert main(["comment", "--verdict", path, "--check-run"]) == 0
    assert fake.calls()[0].path == f"/repos/{REPO}/issues/{PR}/comments"
    assert fake.calls()[0].headers["Authorization"] == f"Bearer {TOKEN}"
    (run,) = fake.check_runs
    assert (run["head_sha"], run["conclusion"], run["status"]) == ("abc123", "failure", "completed")
    assert MARKER not in run["output"]["summary"]


def test_workflow_run_event_and_missing_context(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"workflow_run": {"head_sha": "def", "pull_requests": [{"number": 12}]}}))
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    ctx = comment.resolve_context(comment.CommentOptions(check_run=True))
    assert (ctx.pr, ctx.sha, ctx.repo, ctx.token) == (12, "def", None, None)
    with pytest.raises(UsageError, match="no repository"):
        comment.post_verdict(verdict(), base=None, options=comment.CommentOptions())


def test_dry_run_prints_calls_and_body_and_sends_nothing(
    fake: FakeGitHub, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    path = write_verdict(tmp_path, verdict(Status.FAIL))
    assert main(cli(fake, path, "--dry-run", "--check-run", "--sha", "abc")) == 0
    out = capsys.readouterr().out
    assert "dry run: nothing is sent" in out
    assert f"GET    {fake.url}/repos/{REPO}/issues/{PR}/comments?per_page=100" in out
    assert f"POST   {fake.url}/repos/{REPO}/check-runs" in out
    assert "token: from GITHUB_TOKEN" in out
    assert MARKER in out and "Quality gate: fail" in out
    assert fake.requests == []


def test_post_verdict_is_callable_for_check_comment(fake: FakeGitHub, sleeps: list[float]) -> None:
    options = comment.CommentOptions(id="ci", repo=REPO, pr=PR, api_url=fake.url, token=TOKEN)
    assert TOKEN not in repr(options)
    assert comment.post_verdict(verdict(), base=verdict(Status.PASS), options=options, out=None) == 0
    assert fake.bodies(REPO, PR)[0].startswith("<!-- qualitygate:comment id=ci -->")


def test_verdict_file_errors_exit_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["comment", "--verdict", str(tmp_path / "nope.json"), "--dry-run"]) == 3
    bad = tmp_path / "bad.json"
    bad.write_text('{"status": "great"}')
    assert main(["comment", "--verdict", str(bad), "--dry-run"]) == 3
    err = capsys.readouterr().err
    assert "nope.json: no such file" in err and "bad.json: not a qualitygate verdict" in err


def test_github_errors_exit_4_with_a_tip(
    fake: FakeGitHub, sleeps: list[float], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.fail(403, body={"message": "Resource not accessible by integration"})
    path = write_verdict(tmp_path, verdict())
    assert main([*cli(fake, path), "--token", TOKEN]) == 4
    err = capsys.readouterr().err
    assert "403 when trying to list the comments of acme/shop#7" in err
    assert "tip:" in err and "pull-requests: write" in err


def test_the_token_never_appears_in_any_output(
    *,
    fake: FakeGitHub,
    sleeps: list[float],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)  # httpx and httpcore log every request at DEBUG
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    path = write_verdict(tmp_path, verdict())
    echo = {"message": f"Bad credentials for token {TOKEN}"}  # even a server that echoes it back
    codes = [main(cli(fake, path, "--dry-run")), main(cli(fake, path))]
    fake.fail(401, body=echo)
    codes.append(main(cli(fake, path)))
    fake.fail(500, times=5, body=echo)
    codes.append(main(cli(fake, path)))
    codes.append(main([*cli(fake, path), "--pr", "404"]))
    codes.append(main([*cli(fake, path)[:-2], "--api-url", f"https://x:{TOKEN}@127.0.0.1:1"]))
    assert codes == [0, 0, 4, 4, 4, 4]
    captured = capsys.readouterr()
    everything = captured.out + captured.err + caplog.text
    assert "Bad credentials" in everything and "***" in everything
    assert TOKEN not in everything
    assert TOKEN not in repr(GitHubClient(token=TOKEN, api_url=fake.url))


def test_importing_the_bot_does_not_import_httpx() -> None:
    code = (
        "import sys, qualitygate.cli, qualitygate.github, qualitygate.commands.comment; "
        "print('httpx' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_real_renderer_body_is_accepted(
    fake: FakeGitHub, sleeps: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("qualitygate.render.markdown")
    monkeypatch.setattr(comment, "render_body", REAL_RENDER_BODY)
    options = comment.CommentOptions(repo=REPO, pr=PR, api_url=fake.url, token=TOKEN)
    assert comment.post_verdict(verdict(), base=verdict(Status.PASS), options=options) == 0
    assert "Quality gate: fail" not in fake.bodies(REPO, PR)[0]  # not the stub
    (body,) = fake.bodies(REPO, PR)
    assert MARKER in body and len(body) <= MAX_COMMENT_CHARS


def test_retry_policy_is_configurable(fake: FakeGitHub, sleeps: list[float]) -> None:
    fake.fail(502, times=9)
    c = client(fake, sleeps, retry=RetryPolicy(attempts=2))
    with pytest.raises(GitHubUnavailableError, match="after 2 attempts"):
        StickyComment(c, PullRequestRef(REPO, PR)).find()


def test_real_renderer_trims_evidence_before_the_safety_net(
    fake: FakeGitHub, sleeps: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("qualitygate.render.markdown")
    monkeypatch.setattr(comment, "render_body", REAL_RENDER_BODY)
    many = [
        Evidence(
            kind="test", title=f"tests/test_shop.py::test_case_{i}", detail="AssertionError: " + "x" * 80
        )
        for i in range(3000)
    ]
    gate = replace(verdict().gates[0], evidence=many, evidence_total=len(many))
    big = replace(verdict(), gates=[gate])
    options = comment.CommentOptions(repo=REPO, pr=PR, api_url=fake.url, token=TOKEN)
    comment.post_verdict(big, base=None, options=options)
    (body,) = fake.bodies(REPO, PR)
    assert len(body.encode("utf-16-le")) // 2 <= MAX_COMMENT_CHARS
    assert MARKER in body and "cut to fit" not in body  # the renderer's trim, not the hard cut


# -- markers are exact (issue 14, item 13) --------------------------------------------------------------

OTHER = "<!-- qualitygate:comment id=other -->"


def test_a_marker_quoted_in_another_comment_does_not_make_it_that_comment(
    fake: FakeGitHub, sleeps: list[float]
) -> None:
    """A failing test named after the marker of ``--id other`` sits in the default comment's table; the
    ``other`` comment is created beside it, the default one is left as it is."""
    default = f"{MARKER}\n| `{OTHER}` | failed |\n"
    fake.add_comment(REPO, PR, default, user="github-actions[bot]", user_type="Bot")
    result = sticky(fake, sleeps, "other").upsert("other verdict")
    assert result.action == "created"
    assert fake.bodies(REPO, PR) == [default, f"{OTHER}\nother verdict"]


def test_has_marker_wants_the_first_line() -> None:
    assert github.has_marker(f"{MARKER}\nbody", MARKER)
    assert github.has_marker(f"\ufeff{MARKER}\r\nbody", MARKER)
    assert not github.has_marker(f"text\n{MARKER}\n", MARKER)
    assert not github.has_marker(f"see {MARKER}", MARKER)
    assert not github.has_marker(f"{MARKER[:-4]}x -->\n", MARKER)
    assert not github.has_marker("", MARKER)


def test_the_markdown_body_holds_no_html_comment_but_its_marker() -> None:
    from qualitygate.render import markdown

    gate = GateResult(
        id="tests",
        title=f"Tests {OTHER}",
        metric="tests.failing",
        operator="<=",
        threshold=0,
        actual=1,
        status=Status.FAIL,
        message=f"1 failing test: {OTHER}",
        reason=f"{OTHER} failed",
        evidence=[Evidence(kind="test", title=f"tests/test_x.py::{OTHER}", detail="<!-- x --> -->")],
    )
    v = Verdict(
        tool_version="0.1.0", policy=f"{OTHER}.yml", status="fail", summary=summarize([gate]), gates=[gate]
    )
    body = markdown.render(v, marker=MARKER)
    first, rest = body.split("\n", 1)
    assert first == MARKER
    assert "<!--" not in rest and "-->" not in rest
    assert "<!\u200b-- qualitygate:comment id=other --\u200b>" in rest  # still readable


# -- deadlines (issue 14, item 14) -----------------------------------------------------------------------


@pytest.fixture
def trickle() -> Iterator[tuple[str, list[int]]]:
    """A server that answers 200 one byte every 0.1 s: headers first (``/head``) or the body."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    served: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            served.append(1)
            answer = b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n"
            if not self.path.startswith("/head"):
                self.wfile.write(answer)
                answer = b" " * 100_000
            with contextlib.suppress(OSError):
                for byte in answer:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(0.1)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", served
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("where", ["/head", "/body"])
def test_a_trickling_server_meets_the_request_deadline(
    trickle: tuple[str, list[int]], sleeps: list[float], where: str
) -> None:
    url, served = trickle
    c = GitHubClient(token=TOKEN, api_url=url, retry=RetryPolicy(request_deadline=1.0), timeout=5)
    started = time.monotonic()
    with pytest.raises(GitHubUnavailableError, match=r"did not finish answering within 1 s when trying to x"):
        c.request("GET", where, what="x")
    assert time.monotonic() - started < 3
    assert served == [1]  # not retried: a server this slow does not get faster


def test_the_command_deadline_covers_every_call(fake: FakeGitHub, sleeps: list[float]) -> None:
    fake.fail(500, times=99)
    c = client(fake, sleeps, retry=RetryPolicy(command_deadline=1.5, backoff_base=1.0))
    with pytest.raises(GitHubUnavailableError, match=r"would pass the command's deadline \(2 s\)"):
        StickyComment(c, PullRequestRef(REPO, PR)).find()
    assert sleeps == [0.5, 1.0]  # these fit the deadline, the next 2 s do not


def test_a_secondary_rate_limit_without_retry_after_stops_within_the_wait_budget(
    fake: FakeGitHub, sleeps: list[float]
) -> None:
    """It stalled 241 s (four waits of a minute); now one wait, then an error that says why it stopped."""
    fake.fail(403, times=99, body={"message": "You have exceeded a secondary rate limit."})
    with pytest.raises(GitHubRateLimitError) as info:
        sticky(fake, sleeps).find()
    assert sleeps == [60.0]
    assert str(info.value) == (
        "gave up trying to list the comments of acme/shop#7 (GitHub answered 403: You have exceeded a "
        "secondary rate limit.): waited 60 s in all; 60 s more would take them past 90 s"
    )
    assert info.value.exit_code == 4


def test_deadlines_from_the_environment() -> None:
    policy = comment.retry_policy(
        {"QUALITYGATE_GITHUB_REQUEST_DEADLINE": "2.5", "QUALITYGATE_GITHUB_DEADLINE": "30"}
    )
    assert (policy.request_deadline, policy.command_deadline) == (2.5, 30.0)
    assert comment.retry_policy({}) == RetryPolicy()
    for bad in ("0", "-1", "nan", "inf", "soon"):
        with pytest.raises(UsageError, match="QUALITYGATE_GITHUB_DEADLINE"):
            comment.retry_policy({"QUALITYGATE_GITHUB_DEADLINE": bad})


def test_the_comment_command_gives_up_on_a_trickling_server_with_exit_4(
    trickle: tuple[str, list[int]], tmp_path: Path
) -> None:
    url, _ = trickle
    path = write_verdict(tmp_path, verdict())
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    env["QUALITYGATE_GITHUB_REQUEST_DEADLINE"] = "1"
    argv = [sys.executable, "-m", "qualitygate", "comment", "--verdict", path, "--repo", REPO]
    argv += ["--pr", str(PR), "--api-url", url, "--token", TOKEN]
    started = time.monotonic()
    p = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60, check=False)
    assert p.returncode == 4, p.stderr
    assert time.monotonic() - started < 10
    assert "did not finish answering within 1 s when trying to list the comments of acme/shop#7" in p.stderr
    assert "Traceback" not in p.stderr


# -- answers of the wrong shape (issue 14, item 10) ------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "status", "answer", "says"),
    [
        ("POST", 201, '{"html_url": "x"}', "create a comment on acme/shop#7: a comment whose id is null"),
        ("POST", 201, "[]", "create a comment on acme/shop#7: a list where a comment object was expected"),
        ("POST", 201, '{"id": "7"}', "create a comment on acme/shop#7: a comment whose id is a string"),
        ("POST", 201, '{"id": 7, "body": 5}', "comment 7 whose body is a number, not a string"),
        ("GET", 200, '[{"id": 1, "body": 5}]', "list the comments of acme/shop#7: comment 1 whose body"),
        ("GET", 200, "[5]", "list the comments of acme/shop#7: a number where a comment object"),
        ("GET", 200, "{}", "GitHub answered with no list when trying to list the comments"),
        ("POST", 201, "not json", "with something that is not JSON when trying to create a comment"),
    ],
)
def test_answers_of_the_wrong_shape_exit_4_naming_the_call(
    *,
    fake: FakeGitHub,
    sleeps: list[float],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    method: str,
    status: int,
    answer: str,
    says: str,
) -> None:
    fake.fail(status, method=method, body=answer)
    path = write_verdict(tmp_path, verdict())
    assert main([*cli(fake, path), "--token", TOKEN]) == 4
    err = capsys.readouterr().err
    assert says in err.splitlines()[0], err
    assert "Traceback" not in err


def test_a_check_run_answer_of_the_wrong_shape_is_exit_4(fake: FakeGitHub, sleeps: list[float]) -> None:
    fake.fail(201, method="POST", path="check-runs", body="[1]")
    with pytest.raises(GitHubUnavailableError, match="create a check run on acme/shop@abc: a list where"):
        github.create_check_run(
            client(fake, sleeps),
            REPO,
            head_sha="abc",
            name="qualitygate",
            conclusion="failure",
            title="t",
            summary="s",
        )
