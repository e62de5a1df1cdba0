"""A fake GitHub REST server for tests: real HTTP on 127.0.0.1 (port 0), an in-memory comment store, and
scriptable faults. Only the endpoints qualitygate calls, answering the way GitHub does (status codes,
``Link`` pagination, ``Retry-After``, 422 over 65,536 characters, 401 without the right token).

Every token is a user: a comment it creates carries ``user: {login, type}`` (``github-actions[bot]``, a Bot,
for the main token unless ``login``/``user_type`` say otherwise; more with ``add_token``). With
``only_authors_edit`` a PATCH or DELETE of another user's comment answers 403, as for a token without
maintainer rights."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

BOT = "github-actions[bot]"
MAX_BODY = 65_536


@dataclass
class Fault:
    """Answer the next ``times`` matching requests with ``status`` instead of serving them."""

    method: str | None
    path: str | None  # a regex searched in the path, None = any
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | str = field(default_factory=lambda: {"message": "fault"})
    times: int = 1


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


class FakeGitHub:
    def __init__(self, token: str = "ghs_fake", *, login: str = BOT, user_type: str = "Bot") -> None:
        self.token = token
        self.users: dict[str, tuple[str, str]] = {token: (login, user_type)}  # token -> (login, type)
        self.only_authors_edit = False
        self.comments: dict[tuple[str, int], list[dict[str, Any]]] = {}
        self.check_runs: list[dict[str, Any]] = []
        self.repos: set[str] = set()  # repositories whose Actions runs exist (others answer 404)
        self.runs: list[dict[str, Any]] = []  # workflow runs: {id, head_sha, created_at, repo}
        self.artifacts: dict[int, list[dict[str, Any]]] = {}  # run id -> its artifacts
        self.zips: dict[int, bytes] = {}  # artifact id -> its archive
        self.faults: list[Fault] = []
        self.requests: list[Seen] = []
        self.list_barrier: threading.Barrier | None = None  # hold the first list calls until all arrive
        self.barrier_broken = False  # a list call gave up waiting at the barrier (the race did not happen)
        self._lock = threading.Lock()
        self._next_id = 1000
        self._server: ThreadingHTTPServer | None = None

    # -- setup ----------------------------------------------------------------------------------------

    def add_pull(self, repo: str, number: int) -> None:
        self.comments.setdefault((repo, number), [])

    def add_run(self, repo: str, head_sha: str, created_at: str, artifact: bytes | None = None) -> int:
        """A workflow run of ``head_sha``; with ``artifact``, its ``qualitygate-verdict`` zip."""
        self.repos.add(repo)
        run_id = 500 + len(self.runs)
        self.runs.append({"id": run_id, "head_sha": head_sha, "created_at": created_at, "repo": repo})
        self.artifacts[run_id] = []
        if artifact is not None:
            art_id = 900 + len(self.zips)
            self.zips[art_id] = artifact
            url = f"{self.url}/repos/{repo}/actions/artifacts/{art_id}/zip"
            self.artifacts[run_id].append(
                {"id": art_id, "name": "qualitygate-verdict", "expired": False, "archive_download_url": url}
            )
        return run_id

    def add_token(self, token: str, login: str, user_type: str = "User") -> None:
        """Another valid token, commenting as ``login`` (a pull request's author, a PAT's owner)."""
        self.users[token] = (login, user_type)

    def add_comment(
        self, repo: str, number: int, body: str, user: str = "someone", user_type: str = "User"
    ) -> int:
        with self._lock:
            self._next_id += 1
            cid = self._next_id
            self.comments.setdefault((repo, number), []).append(
                {
                    "id": cid,
                    "body": body,
                    "user": {"login": user, "type": user_type},
                    "html_url": f"https://github.example/{repo}/pull/{number}#issuecomment-{cid}",
                }
            )
        return cid

    def fail(self, status: int, *, method: str | None = None, path: str | None = None, **kw: Any) -> None:
        self.faults.append(Fault(method, path, status, **kw))

    def bodies(self, repo: str, number: int) -> list[str]:
        return [c["body"] for c in self.comments.get((repo, number), [])]

    def calls(self, method: str | None = None) -> list[Seen]:
        return [r for r in self.requests if method is None or r.method == method]

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @contextmanager
    def running(self) -> Iterator[FakeGitHub]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake._handle(self, "GET")

            def do_POST(self) -> None:
                fake._handle(self, "POST")

            def do_PATCH(self) -> None:
                fake._handle(self, "PATCH")

            def do_DELETE(self) -> None:
                fake._handle(self, "DELETE")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
            thread.join(timeout=5)

    # -- serving --------------------------------------------------------------------------------------

    def _handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(h.path)
        path = parts.path.removeprefix("/api/v3")  # GitHub Enterprise Server serves the API under /api/v3
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        seen = Seen(method, path, parse_qs(parts.query), dict(h.headers.items()), body)
        with self._lock:
            self.requests.append(seen)
            fault = self._take_fault(method, path)
        if fault is not None:
            self._send(h, fault.status, fault.body, fault.headers)
            return
        if self._caller(seen) is None:
            self._send(h, 401, {"message": "Bad credentials", "documentation_url": "https://docs"})
            return
        status, payload, headers = self._route(method, path, seen)
        self._send(h, status, payload, headers)

    def _caller(self, seen: Seen) -> tuple[str, str] | None:
        """The (login, type) of the request's token; None for a missing or unknown token."""
        auth = seen.headers.get("Authorization", "")
        return self.users.get(auth.removeprefix("Bearer ")) if auth.startswith("Bearer ") else None

    def _take_fault(self, method: str, path: str) -> Fault | None:
        for f in self.faults:
            if (f.method in (None, method)) and (f.path is None or re.search(f.path, path)):
                f.times -= 1
                if f.times <= 0:
                    self.faults.remove(f)
                return f
        return None

    def _route(self, method: str, path: str, seen: Seen) -> tuple[int, Any, dict[str, str]]:
        if m := re.fullmatch(r"/repos/([^/]+/[^/]+)/issues/(\d+)/comments", path):
            key = (m[1], int(m[2]))
            if key not in self.comments:
                return 404, {"message": "Not Found"}, {}
            if method == "GET":
                return self._list(key, seen)
            if method == "POST":
                return self._create(key, seen)
        if m := re.fullmatch(r"/repos/([^/]+/[^/]+)/issues/comments/(\d+)", path):
            return self._one_comment(method, int(m[2]), seen)
        if method == "GET" and (m := re.fullmatch(r"/repos/([^/]+/[^/]+)/actions/(.+)", path)):
            return self._actions(m[1], m[2], seen)
        if re.fullmatch(r"/repos/[^/]+/[^/]+/check-runs", path) and method == "POST":
            run = {"id": len(self.check_runs) + 1, **seen.body, "html_url": "https://github.example/runs/1"}
            self.check_runs.append(run)
            return 201, run, {}
        return 404, {"message": "Not Found"}, {}

    def _actions(self, repo: str, rest: str, seen: Seen) -> tuple[int, Any, dict[str, str]]:
        if repo not in self.repos:
            return 404, {"message": "Not Found"}, {}
        if rest == "runs":
            sha = seen.query.get("head_sha", [""])[0]
            runs = [r for r in self.runs if r["repo"] == repo and r["head_sha"] == sha]
            per_page = min(int(seen.query.get("per_page", ["30"])[0]), 100)
            page = int(seen.query.get("page", ["1"])[0])
            chunk = runs[(page - 1) * per_page : page * per_page]
            headers = {}
            if page * per_page < len(runs):
                nxt = (
                    f"{self.url}/repos/{repo}/actions/runs?head_sha={sha}&per_page={per_page}&page={page + 1}"
                )
                headers["Link"] = f'<{nxt}>; rel="next"'
            return 200, {"total_count": len(runs), "workflow_runs": chunk}, headers
        if m := re.fullmatch(r"runs/(\d+)/artifacts", rest):
            name = seen.query.get("name", [None])[0]
            arts = [a for a in self.artifacts.get(int(m[1]), []) if name in (None, a["name"])]
            return 200, {"total_count": len(arts), "artifacts": arts}, {}
        if (m := re.fullmatch(r"artifacts/(\d+)/zip", rest)) and int(m[1]) in self.zips:
            return 200, self.zips[int(m[1])], {"Content-Type": "application/zip"}
        return 404, {"message": "Not Found"}, {}

    def _one_comment(self, method: str, cid: int, seen: Seen) -> tuple[int, Any, dict[str, str]]:
        body, caller = seen.body, self._caller(seen)
        with self._lock:
            for comments in self.comments.values():
                for c in comments:
                    if c["id"] != cid:
                        continue
                    if self.only_authors_edit and caller and c["user"]["login"] != caller[0]:
                        return 403, {"message": "Resource not accessible by integration"}, {}
                    if method == "DELETE":
                        comments.remove(c)
                        return 204, None, {}
                    if len(body["body"]) > MAX_BODY:
                        return 422, _too_long(), {}
                    c["body"] = body["body"]
                    return 200, c, {}
        return 404, {"message": "Not Found"}, {}

    def _list(self, key: tuple[str, int], seen: Seen) -> tuple[int, Any, dict[str, str]]:
        if self.list_barrier is not None:
            barrier = self.list_barrier
            try:
                barrier.wait()  # the barrier's own timeout: the test's to choose, never a guess here
            except threading.BrokenBarrierError:
                self.barrier_broken = True
            with self._lock:
                if self.list_barrier is barrier and barrier.n_waiting == 0:
                    self.list_barrier = None  # only the first round of lists is held
        per_page = min(int(seen.query.get("per_page", ["30"])[0]), 100)
        page = int(seen.query.get("page", ["1"])[0])
        with self._lock:
            items = list(self.comments[key])
        chunk = items[(page - 1) * per_page : page * per_page]
        headers = {}
        base = f"{self.url}/repos/{key[0]}/issues/{key[1]}/comments"
        links = []
        if page * per_page < len(items):
            links.append(f'<{base}?per_page={per_page}&page={page + 1}>; rel="next"')
            last = (len(items) + per_page - 1) // per_page
            links.append(f'<{base}?per_page={per_page}&page={last}>; rel="last"')
        if links:
            headers["Link"] = ", ".join(links)
        return 200, chunk, headers

    def _create(self, key: tuple[str, int], seen: Seen) -> tuple[int, Any, dict[str, str]]:
        body, caller = seen.body, self._caller(seen)
        if len(body["body"]) > MAX_BODY:
            return 422, _too_long(), {}
        login, user_type = caller or (BOT, "Bot")
        cid = self.add_comment(key[0], key[1], body["body"], user=login, user_type=user_type)
        return 201, next(c for c in self.comments[key] if c["id"] == cid), {}

    def _send(
        self, h: BaseHTTPRequestHandler, status: int, payload: Any, headers: dict[str, str] | None = None
    ) -> None:
        if isinstance(payload, bytes):
            data = payload
        else:
            data = (
                b""
                if payload is None
                else (payload if isinstance(payload, str) else json.dumps(payload)).encode()
            )
        h.send_response(status)
        h.send_header("Content-Type", "application/json; charset=utf-8")
        h.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        if data:
            h.wfile.write(data)


def _too_long() -> dict[str, Any]:
    return {
        "message": "Validation Failed",
        "errors": [
            {
                "resource": "IssueComment",
                "code": "custom",
                "field": "body",
                "message": "body is too long (maximum is 65536 characters)",
            }
        ],
    }
