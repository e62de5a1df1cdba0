"""The GitHub REST client and the sticky verdict comment.

The comment body is a string (``qualitygate.render.markdown`` writes it); this module only makes sure it
carries its hidden marker and fits GitHub's limit. ``httpx`` is imported inside the client alone, so importing
this module (``--help``, the pre-push hook) costs nothing.

Errors, all ``GitHubError`` (exit 4), each with a message naming the call and a hint saying what to do::

    GitHubError
    ├── GitHubAuthError          401        the token is missing, wrong or expired
    ├── GitHubPermissionError    403        the token may not do this (scope, fork pull request)
    ├── GitHubNotFoundError      404        no such repository or pull request, or the token cannot see it
    ├── GitHubValidationError    422        GitHub rejected the request body
    ├── GitHubRateLimitError     429/403    still rate limited after the retries, or asked to wait too long
    └── GitHubUnavailableError   5xx, network, timeouts, after the retries; an answer past its deadline;
                                            or an answer that is not JSON or not of the shape GitHub gives

Deadlines (``RetryPolicy``): one request, from connecting to the last byte of the answer, gets
``request_deadline`` (10 s) however slowly the server sends; the waits between retries of one call add up to
at most ``max_total_wait`` (90 s); and all the calls of one client (one command) end within
``command_deadline`` (300 s).

The token is never part of a message: it lives only in the client's headers, and every text that comes back
from the network is passed through :meth:`GitHubClient.redact` before it reaches an error.
"""

from __future__ import annotations

import random as _random
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from qualitygate import __version__
from qualitygate.errors import GitHubError, UsageError

if TYPE_CHECKING:
    import httpx

__all__ = [
    "DEFAULT_API_URL",
    "MAX_COMMENT_CHARS",
    "Comment",
    "CommentResult",
    "GitHubAuthError",
    "GitHubClient",
    "GitHubNotFoundError",
    "GitHubPermissionError",
    "GitHubRateLimitError",
    "GitHubUnavailableError",
    "GitHubValidationError",
    "PullRequestRef",
    "RetryPolicy",
    "StickyComment",
    "create_check_run",
    "fit_body",
    "has_marker",
    "marker_for",
    "same_login",
]

DEFAULT_API_URL = "https://api.github.com"
API_VERSION = "2022-11-28"
MAX_COMMENT_CHARS = 65_536  # issue/PR comment body; GitHub answers 422 above it (FORMATS.md section 7)
MAX_CHECK_SUMMARY_CHARS = 65_535  # check run output.summary
TRUNCATION_NOTE = (
    "> [!NOTE]\n> This comment was cut to fit GitHub's limit of 65,536 characters. "
    "The full verdict is in the job log and the verdict JSON."
)

_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$")

_HINT_TOKEN = (
    "set GITHUB_TOKEN (or --token) to a valid token; in a workflow add "
    "`env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}` to the step."
)
_HINT_PERMISSION = (
    "the token needs `pull-requests: write` to comment (and `checks: write` for --check-run): add a "
    "`permissions:` block to the job. On a pull request from a fork the GITHUB_TOKEN is read-only whatever "
    "you ask for: upload the verdict as an artifact and comment from a `workflow_run` job "
    "(.github/workflows/pr-comment-fork.yml)."
)
_HINT_NOT_FOUND = (
    "check --repo/--pr (or GITHUB_REPOSITORY and the event's pull request number) and, for GitHub "
    "Enterprise, --api-url/GITHUB_API_URL (https://HOST/api/v3). GitHub also answers 404 when the token "
    "cannot see a private repository: give it `contents: read` and `pull-requests: write`."
)


class GitHubAuthError(GitHubError):
    pass


class GitHubPermissionError(GitHubError):
    pass


class GitHubNotFoundError(GitHubError):
    pass


class GitHubValidationError(GitHubError):
    pass


class GitHubRateLimitError(GitHubError):
    pass


class GitHubUnavailableError(GitHubError):
    pass


def marker_for(id: str) -> str:
    """The hidden HTML comment that identifies one sticky comment (one per ``--id``) on a pull request."""
    if not _ID_RE.match(id):
        raise UsageError(
            f"--id {id!r}: use letters, digits and . _ / - (at most 100), starting with a letter or digit",
        )
    return f"<!-- qualitygate:comment id={id} -->"


def _gh_len(text: str) -> int:
    """Length as GitHub may count it: UTF-16 code units, never fewer than Python's code points."""
    return len(text.encode("utf-16-le")) // 2


def _prefix_within(text: str, budget: int) -> str:
    n = min(len(text), budget)
    while n > 0 and (excess := _gh_len(text[:n]) - budget) > 0:
        n -= excess
    return text[: max(n, 0)]


def fit_body(body: str, *, limit: int = MAX_COMMENT_CHARS, marker: str | None = None) -> str:
    """The last safety net before GitHub's 422: cut a body that is still too long, at a line, with a note.

    The renderer trims evidence first; this only runs when that was not enough (or was not asked). The marker
    is kept (at the top) so the next run still finds the comment, and an open ``<details>`` or code fence is
    closed so the cut does not swallow the note.
    """
    if _gh_len(body) <= limit:
        return body
    head = ""
    if marker and marker in body:
        body = body.replace(marker, "", 1).lstrip("\n")
        head = marker + "\n"
    budget = limit - _gh_len(head) - _gh_len(TRUNCATION_NOTE) - 2
    while True:
        cut = _prefix_within(body, budget)
        if "\n" in cut:
            cut = cut[: cut.rindex("\n")]
        closers = ""
        if cut.count("```") % 2:
            closers += "\n```"
        closers += "\n</details>" * max(0, cut.count("<details") - cut.count("</details>"))
        out = f"{head}{cut}{closers}\n\n{TRUNCATION_NOTE}"
        if _gh_len(out) <= limit:
            return out
        budget -= _gh_len(out) - limit


def _sleep(seconds: float) -> None:
    """The default wait between retries; a module attribute so that end-to-end tests can replace it."""
    time.sleep(seconds)


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try. Delays: ``Retry-After`` or ``x-ratelimit-reset`` when GitHub gives one, else
    exponential backoff (``base * 2**n``, capped) with jitter so concurrent jobs do not retry in step."""

    attempts: int = 5  # the first try included
    backoff_base: float = 1.0
    backoff_max: float = 30.0
    secondary_min: float = 60.0  # GitHub: without a header, wait at least a minute on a secondary limit
    max_wait: float = 120.0  # a wait longer than this fails at once instead of stalling the job
    max_total_wait: float = 90.0  # the waits of one call together; the next wait past it fails instead
    request_deadline: float = 10.0  # one request and its whole answer, however slowly the server sends
    command_deadline: float = 300.0  # every call of one client, waits included


def _message_of(resp: httpx.Response) -> str:
    """What GitHub said: the JSON ``message`` with its ``errors``, else the start of the body, else the
    reason phrase."""
    data = _json_or_none(resp)
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        return str(data["message"] + _error_details(data.get("errors")))
    text = " ".join(resp.text.split())
    return text[:200] or resp.reason_phrase


def _json_or_none(resp: httpx.Response) -> Any:
    try:
        return resp.json()
    except ValueError:
        return None


def _error_details(errors: Any) -> str:
    """ " (message; code)" from a 422's ``errors`` list: each error's message, or its code; "" for none."""
    if not isinstance(errors, list) or not errors:
        return ""
    details = [e.get("message") or e.get("code") for e in errors if isinstance(e, dict)]
    return " (" + "; ".join(str(d) for d in details if d) + ")"


class GitHubClient:
    """A small typed client for the few REST calls qualitygate makes.

    Timeouts on every call; retries with backoff and jitter on network errors, 5xx, 429 and the (secondary)
    rate limit, never on another 4xx; ``Link``-header pagination that refuses to follow a link off the API
    host (the token would go with it). ``sleep``, ``random`` and ``now`` are injectable for tests.
    """

    def __init__(
        self,
        *,
        token: str | None,
        api_url: str = DEFAULT_API_URL,
        timeout: float = 15.0,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] | None = None,
        random: Callable[[], float] = _random.random,
        now: Callable[[], float] = time.time,
    ) -> None:
        import httpx

        self.api_url = api_url.rstrip("/")
        parts = urlsplit(self.api_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UsageError(
                f"--api-url {self.redact(self.api_url)!r} is not an http(s) URL",
                hint="GitHub Enterprise Server: https://HOST/api/v3",
            )
        self._origin = (parts.scheme, parts.hostname, parts.port)
        self._secrets = [s for s in (token, parts.password) if s]
        self.retry = retry or RetryPolicy()
        self._ends = time.monotonic() + self.retry.command_deadline
        self._sleep = sleep if sleep is not None else _sleep
        self._random, self._now = random, now
        headers = {
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION,
            "User-Agent": f"qualitygate/{__version__}",
        }
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.Client(
            base_url=self.api_url,
            headers=headers,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            follow_redirects=True,  # renamed repositories answer 301/307; httpx drops auth off-origin
        )

    def __repr__(self) -> str:
        return f"GitHubClient(api_url={self.redact(self.api_url)!r})"

    def __enter__(self) -> GitHubClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def redact(self, text: str) -> str:
        """``text`` with the token (and any password in the API URL) replaced by ``***``."""
        for secret in getattr(self, "_secrets", ()):
            text = text.replace(secret, "***")
        return re.sub(r"(https?://)[^/@\s]+@", r"\1***@", text)

    # -- requests ---------------------------------------------------------------------------------------

    def request(
        self, method: str, url: str, *, what: str, json: Any = None, params: dict[str, Any] | None = None
    ) -> httpx.Response:
        """One call, retried as the policy says. ``what`` completes "while trying to ..." in errors."""
        import httpx

        attempts = max(1, self.retry.attempts)
        waited = 0.0
        for attempt in range(1, attempts + 1):
            try:
                resp = self._exchange(method, url, what=what, json=json, params=params)
            except httpx.TransportError as exc:
                if attempt == attempts or isinstance(exc, httpx.UnsupportedProtocol):
                    raise self._unreachable(what, exc, attempt) from exc
                waited += self._wait(self._backoff(attempt), waited, what)
                continue
            except (httpx.HTTPError, httpx.InvalidURL) as exc:  # a bad redirect, encoding: not retried
                raise self._unreachable(what, exc, attempt) from exc
            if resp.status_code < 400:
                return resp
            delay = self._retry_delay(resp, attempt)
            if delay is None or attempt == attempts:
                raise self._error(resp, what, attempt)
            if delay > self.retry.max_wait:
                raise GitHubRateLimitError(
                    f"GitHub asks to wait {delay:.0f} s before trying to {what} again (rate limit); "
                    f"not waiting longer than {self.retry.max_wait:.0f} s",
                    hint="run again later, or use a token with a higher rate limit.",
                )
            waited += self._wait(delay, waited, what, resp=resp)
        raise AssertionError("unreachable")  # pragma: no cover

    def _unreachable(self, what: str, exc: Exception, attempt: int) -> GitHubUnavailableError:
        return GitHubUnavailableError(
            self.redact(
                f"could not reach {self.api_url} to {what}: {type(exc).__name__}: {exc}"
                f" ({attempt} attempt{'s' if attempt > 1 else ''})"
            ),
            hint="check the network and --api-url/GITHUB_API_URL (GitHub Enterprise Server: https://HOST/api/v3).",
        )

    def _wait(self, delay: float, waited: float, what: str, *, resp: httpx.Response | None = None) -> float:
        """Sleep ``delay`` before the next try, unless that takes the call's waits past ``max_total_wait``
        or the command past its deadline: then the error says so. Returns the delay."""
        budget = self.retry.max_total_wait
        if waited + delay > budget:
            raise self._give_up(what, waited, resp, f"{delay:.0f} s more would take them past {budget:.0f} s")
        if delay > self._ends - time.monotonic():
            deadline = f"the command's deadline ({self.retry.command_deadline:.0f} s)"
            raise self._give_up(what, waited, resp, f"{delay:.0f} s more would pass {deadline}")
        self._sleep(delay)
        return delay

    def _give_up(self, what: str, waited: float, resp: httpx.Response | None, why: str) -> GitHubError:
        said = f" (GitHub answered {resp.status_code}: {_message_of(resp)})" if resp is not None else ""
        limited = resp is not None and self._is_rate_limited(resp)
        cls = GitHubRateLimitError if limited else GitHubUnavailableError
        return cls(
            self.redact(f"gave up trying to {what}{said}: waited {waited:.0f} s in all; {why}"),
            hint="run the job again later.",
        )

    def _exchange(
        self, method: str, url: str, *, what: str, json: Any, params: dict[str, Any] | None
    ) -> httpx.Response:
        """One request and its whole answer within ``request_deadline`` (and the command's deadline).

        httpx's timeouts bound each read, so a server sending a byte every half second never trips them; the
        request runs in a daemon thread that is abandoned when the deadline passes."""
        limit = min(self.retry.request_deadline, self._ends - time.monotonic())
        if limit <= 0:
            raise GitHubUnavailableError(
                f"the command's deadline ({self.retry.command_deadline:.0f} s) passed before it could {what}",
                hint="GitHub answers slowly; run the job again.",
            )
        box: list[Any] = []

        def work() -> None:
            try:
                box.append(self._http.request(method, url, json=json, params=params))
            except BaseException as exc:  # handed to the caller's thread
                box.append(exc)

        worker = threading.Thread(target=work, name="qualitygate-github", daemon=True)
        worker.start()
        worker.join(limit)
        if not box:
            raise GitHubUnavailableError(
                f"GitHub did not finish answering within {limit:.0f} s when trying to {what}; gave up "
                f"(one request may take {self.retry.request_deadline:.0f} s, the command "
                f"{self.retry.command_deadline:.0f} s)",
                hint="GitHub, a proxy or --api-url/GITHUB_API_URL answers too slowly; run the job again.",
            )
        if isinstance(box[0], BaseException):
            raise box[0]
        result: httpx.Response = box[0]
        return result

    def json(self, resp: httpx.Response, what: str) -> Any:
        try:
            return resp.json()
        except ValueError as exc:
            raise GitHubUnavailableError(
                f"GitHub answered {resp.status_code} with something that is not JSON when trying to {what}: "
                + self.redact(" ".join(resp.text.split())[:120]),
                hint="a proxy or a wrong --api-url/GITHUB_API_URL may be in the way.",
            ) from exc

    def paginate(
        self,
        url: str,
        *,
        what: str,
        per_page: int = 100,
        max_pages: int = 200,
        key: str | None = None,
        query: dict[str, Any] | None = None,
    ) -> Iterator[Any]:
        """Every item of a list endpoint, following ``Link: <...>; rel="next"``; ``key``: the list is under
        that key of an object (``{"workflow_runs": [...]}``); ``query``: of the first page."""
        params: dict[str, Any] | None = {**(query or {}), "per_page": per_page}
        next_url: str | None = url
        pages = 0
        while next_url is not None:
            if pages == max_pages:
                raise GitHubError(f"more than {max_pages} pages when trying to {what}; stopped")
            resp = self.request("GET", next_url, what=what, params=params)
            pages += 1
            items = self.json(resp, what)
            if key is not None:
                items = items.get(key) if isinstance(items, dict) else None
            if not isinstance(items, list):
                raise GitHubUnavailableError(f"GitHub answered with no list when trying to {what}")
            yield from items
            next_url = resp.links.get("next", {}).get("url")
            params = None  # the next link carries its own query
            if next_url is not None:
                self.check_origin(next_url)

    def check_origin(self, url: str, what: str = "a pagination link") -> None:
        """Refuse a URL from GitHub's answer that leaves the API host: the token would go with it."""
        parts = urlsplit(url)
        if (parts.scheme, parts.hostname, parts.port) != self._origin:
            raise GitHubError(
                f"{what} points away from the API host; not following it with the token: " + self.redact(url)
            )

    # -- retry and error policy -------------------------------------------------------------------------

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.retry.backoff_max, self.retry.backoff_base * 2.0 ** (attempt - 1))
        return ceiling * (0.5 + 0.5 * self._random())

    def _is_rate_limited(self, resp: httpx.Response) -> bool:
        if resp.status_code == 429:
            return True
        if resp.status_code != 403:
            return False
        return (
            "retry-after" in resp.headers
            or resp.headers.get("x-ratelimit-remaining") == "0"
            or "rate limit" in _message_of(resp).lower()
        )

    def _retry_delay(self, resp: httpx.Response, attempt: int) -> float | None:
        """Seconds to wait before the next try, or None when retrying cannot help (any other 4xx)."""
        limited = self._is_rate_limited(resp)
        if not limited and resp.status_code < 500:
            return None
        jitter = self._random()  # up to a second, so concurrent jobs do not come back together
        retry_after = _parse_retry_after(resp.headers.get("retry-after"), self._now())
        if retry_after is not None:
            return retry_after + jitter
        reset = resp.headers.get("x-ratelimit-reset")
        if limited and resp.headers.get("x-ratelimit-remaining") == "0" and reset and reset.isdigit():
            return max(0.0, int(reset) - self._now()) + jitter
        if limited:
            return max(self.retry.secondary_min, self._backoff(attempt))
        return self._backoff(attempt)

    def _error(self, resp: httpx.Response, what: str, attempts: int) -> GitHubError:
        status = resp.status_code
        text = self.redact(f"GitHub answered {status} when trying to {what}: {_message_of(resp)}")
        if status == 401:
            return GitHubAuthError(text, hint=_HINT_TOKEN)
        if self._is_rate_limited(resp):
            return GitHubRateLimitError(
                f"{text} (still rate limited after {attempts} attempts)",
                hint="run again later; many jobs commenting at once share the token's limit.",
            )
        if status == 403:
            return GitHubPermissionError(text, hint=_HINT_PERMISSION)
        if status == 404:
            return GitHubNotFoundError(text, hint=_HINT_NOT_FOUND)
        if status == 422:
            return GitHubValidationError(text)
        if status >= 500:
            return GitHubUnavailableError(
                f"{text} (after {attempts} attempts)",
                hint="GitHub is having trouble (https://www.githubstatus.com); run the job again.",
            )
        return GitHubError(text)


def _parse_retry_after(value: str | None, now: float) -> float | None:
    """``Retry-After`` is seconds or an HTTP date (RFC 9110 section 10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, float(when) - now)


# -- the sticky comment ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PullRequestRef:
    repo: str  # owner/name
    number: int

    def __str__(self) -> str:
        return f"{self.repo}#{self.number}"


@dataclass(frozen=True)
class Comment:
    id: int
    body: str
    html_url: str | None = None
    author: str | None = None  # its ``user.login``; None when GitHub did not say


CommentAction = Literal["created", "updated", "unchanged", "deleted", "absent"]


@dataclass(frozen=True)
class CommentResult:
    action: CommentAction
    comment_id: int | None = None
    url: str | None = None
    removed: int = 0  # duplicate (or, for "deleted", all) comments removed


def _comment(item: Any, what: str) -> Comment:
    """A comment from GitHub's JSON; a ``GitHubUnavailableError`` naming the call for any other shape (no
    integer ``id``, a ``body`` that is not text, a list where one comment was due)."""
    if not isinstance(item, dict):
        raise _wrong_shape(what, f"{_json_type(item)} where a comment object was expected")
    cid, body, url, user = item.get("id"), item.get("body"), item.get("html_url"), item.get("user")
    if not isinstance(cid, int) or isinstance(cid, bool):
        raise _wrong_shape(what, f"a comment whose id is {_json_type(cid)}, not an integer")
    if body is not None and not isinstance(body, str):
        raise _wrong_shape(what, f"comment {cid} whose body is {_json_type(body)}, not a string")
    return Comment(
        id=cid, body=body or "", html_url=url if isinstance(url, str) else None, author=_login(user)
    )


def _login(user: Any) -> str | None:
    """``user.login`` of a comment; None when GitHub did not say."""
    login = user.get("login") if isinstance(user, dict) else None
    return login if isinstance(login, str) and login else None


def _json_type(value: Any) -> str:
    """How a JSON value is named in an error: "a list", "a number", "null" (also for a missing key)."""
    if value is None:
        return "null"
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    return names.get(type(value), "a number")


def _wrong_shape(what: str, found: str) -> GitHubUnavailableError:
    return GitHubUnavailableError(
        f"GitHub's answer is not what the API returns when trying to {what}: {found[:200]}",
        hint="a proxy or a wrong --api-url/GITHUB_API_URL may be in the way.",
    )


def has_marker(body: str, marker: str) -> bool:
    """Whether ``body`` is a comment with ``marker``: its first line is exactly the marker. The marker's text
    elsewhere (a test named after another id's marker, quoted in a table) does not count."""
    first = body.lstrip("\ufeff").split("\n", 1)[0]
    return first.strip() == marker


def same_login(a: str | None, b: str | None) -> bool:
    """GitHub logins are case-insensitive; an unknown login matches nothing."""
    return a is not None and b is not None and a.lower() == b.lower()


def _printable(text: str, limit: int = 100) -> str:
    """A server-supplied name or URL made safe for one log line (no control characters, bounded)."""
    return re.sub(r"[^\x21-\x7e]", "?", text)[:limit]


class StickyComment:
    """One comment per pull request and ``id``, found again by its hidden marker and its author.

    Only comments written by ``author`` (the login qualitygate comments as, compared case-insensitively)
    count as ours: anyone can paste the marker into a comment, and such a copy is never updated nor deleted;
    ``notify`` gets one warning line naming it. When ``author`` is None it is learned from the first comment
    this object creates (GitHub's answer says who wrote it); until then comments are matched by marker alone,
    as before, and ``notify`` gets one line saying so.

    Two runs that comment at once both find nothing and both create. So after creating, a run lists again:
    the oldest of our marked comments (lowest id) is the one that stays; a run whose own comment is not the
    oldest deletes it and writes its body into the oldest, as if it had found it in the first place. Any
    copies that still slip through (a stale list) are removed by the next run's update.
    """

    def __init__(
        self,
        client: GitHubClient,
        pr: PullRequestRef,
        id: str = "default",
        *,
        author: str | None = None,
        notify: Callable[[str], None] | None = None,
    ) -> None:
        self.client = client
        self.pr = pr
        self.marker = marker_for(id)
        self.author = author
        self._say = notify
        self._warned: set[int] = set()  # foreign comments already named
        self._noted = False  # the "marker only" line was given

    def find(self) -> list[Comment]:
        """Our marked comments on the pull request, oldest first (every page).

        With an ``author``: only those it wrote (the others are named once through ``notify``). Without:
        every marked comment, whoever wrote it.
        """
        items = self.client.paginate(
            f"/repos/{self.pr.repo}/issues/{self.pr.number}/comments",
            what=f"list the comments of {self.pr}",
        )
        what = f"list the comments of {self.pr}"
        found = [c for c in (_comment(item, what) for item in items) if has_marker(c.body, self.marker)]
        found.sort(key=lambda c: c.id)
        if self.author is None:
            self._note_marker_only(found)
            return found
        self._warn_foreign([c for c in found if not self.is_ours(c)])
        return [c for c in found if self.is_ours(c)]

    def is_ours(self, comment: Comment) -> bool:
        return same_login(comment.author, self.author)

    def _notify(self, line: str) -> None:
        if self._say is not None:
            self._say(self.client.redact(line))  # names and URLs come from the server

    def upsert(self, body: str, *, create: bool = True) -> CommentResult:
        """Update our marked comment, or create it (unless ``create`` is false); remove our duplicates."""
        body = self.prepare(body)
        found = self.find()
        if found:
            keep = found[0]
            removed = self._delete_all(found[1:])
            if keep.body == body:
                return CommentResult("unchanged", keep.id, keep.html_url, removed)
            return self._update(keep, body, removed)
        if not create:
            return CommentResult("absent")
        created = self._create(body)
        self._learn_author(created)
        oldest = min([*self.find(), created], key=lambda c: c.id)
        if oldest.id == created.id:
            return CommentResult("created", created.id, created.html_url)
        removed = self._delete_all([created])
        return self._update(oldest, body, removed)

    def delete(self) -> CommentResult:
        found = self.find()
        if not found:
            return CommentResult("absent")
        return CommentResult("deleted", found[0].id, None, self._delete_all(found))

    def prepare(self, body: str) -> str:
        """The body as it will be sent: with its marker (first line if the renderer left it out), within
        GitHub's limit."""
        if not has_marker(body, self.marker):
            body = f"{self.marker}\n{body}"
        return fit_body(body, marker=self.marker)

    def _learn_author(self, created: Comment) -> None:
        """Who we comment as, from GitHub's answer to our own create: the concurrency check that follows,
        and every later call of this object, go by it. A different configured author is a mistake worth
        a warning: the comment written on the previous run was not looked for under the right name."""
        if created.author is None or same_login(created.author, self.author):
            return
        if self.author is not None:
            self._notify(
                f"warning: the token comments as {_printable(created.author)}, not as "
                f"{_printable(self.author)}: pass --author {_printable(created.author)} so that the "
                "previous comment is found before a new one is posted"
            )
        self.author = created.author

    def _note_marker_only(self, found: list[Comment]) -> None:
        if found and not self._noted:
            self._noted = True
            self._notify(
                "note: the comment author is unknown, so comments are matched by marker only (whoever "
                "wrote them); pass --author LOGIN to ignore other users' copies of the marker"
            )

    def _warn_foreign(self, foreign: list[Comment]) -> None:
        new = [c for c in foreign if c.id not in self._warned]
        if not new:
            return
        self._warned.update(c.id for c in new)
        named = ", ".join(
            f"{_printable(c.html_url or str(c.id), 200)} by "
            f"{_printable(c.author) if c.author else 'an unknown user'}"
            for c in new
        )
        self._notify(
            f"warning: {len(new)} comment(s) carry the marker {self.marker} but were not written by "
            f"{_printable(self.author or '')}; left alone (not updated, not deleted): {named}"
        )

    def _create(self, body: str) -> Comment:
        what = f"create a comment on {self.pr}"
        resp = self.client.request(
            "POST", f"/repos/{self.pr.repo}/issues/{self.pr.number}/comments", json={"body": body}, what=what
        )
        return _comment(self.client.json(resp, what), what)

    def _update(self, comment: Comment, body: str, removed: int) -> CommentResult:
        what = f"update comment {comment.id} on {self.pr}"
        resp = self.client.request(
            "PATCH", f"/repos/{self.pr.repo}/issues/comments/{comment.id}", json={"body": body}, what=what
        )
        updated = _comment(self.client.json(resp, what), what)
        return CommentResult("updated", updated.id, updated.html_url or comment.html_url, removed)

    def _delete_all(self, comments: list[Comment]) -> int:
        removed = 0
        for c in comments:
            try:
                self.client.request(
                    "DELETE",
                    f"/repos/{self.pr.repo}/issues/comments/{c.id}",
                    what=f"delete comment {c.id} on {self.pr}",
                )
            except GitHubNotFoundError:
                continue  # another run removed it first
            removed += 1
        return removed


CheckConclusion = Literal["success", "neutral", "failure"]


def create_check_run(
    client: GitHubClient,
    repo: str,
    *,
    head_sha: str,
    name: str,
    conclusion: CheckConclusion,
    title: str,
    summary: str,
) -> str | None:
    """A completed check run carrying the verdict on ``head_sha``; returns its URL."""
    what = f"create a check run on {repo}@{head_sha[:12]}"
    resp = client.request(
        "POST",
        f"/repos/{repo}/check-runs",
        what=what,
        json={
            "name": name,
            "head_sha": head_sha,
            "status": "completed",
            "conclusion": conclusion,
            "output": {"title": title[:255], "summary": fit_body(summary, limit=MAX_CHECK_SUMMARY_CHARS)},
        },
    )
    data = client.json(resp, what)
    if not isinstance(data, dict):
        raise _wrong_shape(what, f"{_json_type(data)} where a check run object was expected")
    url = data.get("html_url")
    return url if isinstance(url, str) else None
