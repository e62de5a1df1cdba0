"""The edge of the Prometheus output: the labels read from the environment, and the Pushgateway push.

The renderer (``qualitygate.render.openmetrics``) is pure; the branch and commit it labels the series with
come from here: ``GITHUB_HEAD_REF`` (a pull request's branch), else ``GITHUB_REF_NAME``, else
``git rev-parse --abbrev-ref HEAD`` (empty on a detached HEAD). ``push`` sends the verdict's gauges to a
Pushgateway with PUT (the group's previous metrics are replaced) under job ``qualitygate`` and the grouping
key ``repository`` (``GITHUB_REPOSITORY``, else the root folder's name) and ``branch``; the commit stays in
``qualitygate_build_info``, so each push does not open a new group. Network errors and 5xx answers are
retried with exponential backoff and jitter; a 4xx answer is not (retrying cannot help). Either way the
failure is one line, exit 4 (:class:`~qualitygate.errors.PushError`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualitygate.errors import PushError, QualityGateError

if TYPE_CHECKING:
    from qualitygate.verdict import Verdict

JOB = "qualitygate"


def _git(root: str, *args: str) -> str:
    from qualitygate.gitchange import run_git

    try:
        out = run_git(root, *args)
    except QualityGateError:  # git missing: no label rather than no metrics
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""


def branch_name(root: str, env: Mapping[str, str] = os.environ) -> str:
    for name in ("GITHUB_HEAD_REF", "GITHUB_REF_NAME"):
        if env.get(name):
            return env[name]
    branch = _git(root, "rev-parse", "--abbrev-ref", "HEAD")
    return "" if branch == "HEAD" else branch


def labels(root: str, env: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The renderer's options: ``branch`` and ``commit`` (``git rev-parse HEAD``; empty outside git)."""
    return {"branch": branch_name(root, env), "commit": _git(root, "rev-parse", "--verify", "-q", "HEAD")}


def grouping_key(root: str, env: Mapping[str, str] = os.environ) -> dict[str, str]:
    repository = env.get("GITHUB_REPOSITORY") or os.path.basename(os.path.abspath(root))
    return {"repository": repository, "branch": branch_name(root, env)}


@dataclass(frozen=True)
class Retry:
    attempts: int = 4  # the first try included
    backoff_base: float = 0.5
    backoff_max: float = 8.0
    timeout: float = 10.0  # one request


class _Refused(Exception):
    def __init__(self, status: int, text: str) -> None:
        super().__init__(f"{status} {text}")
        self.status = status


def _httpx_handler(
    url: str, method: str, timeout: float | None, headers: list[tuple[str, str]], data: bytes
) -> Callable[[], None]:
    """A ``push_to_gateway`` handler on httpx: the answer's status and text reach the error message."""

    def send() -> None:
        import httpx

        resp = httpx.request(method, url, content=data, headers=headers, timeout=timeout)
        if resp.status_code >= 300:
            body = resp.text.strip().splitlines()
            raise _Refused(resp.status_code, body[0][:200] if body else resp.reason_phrase)

    return send


def push(
    verdict: Verdict,
    url: str,
    *,
    root: str = ".",
    env: Mapping[str, str] = os.environ,
    retry: Retry | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    from qualitygate.render.openmetrics import registry, require_client

    require_client()
    import random

    import httpx
    from prometheus_client.exposition import push_to_gateway

    retry = retry or Retry()
    group = grouping_key(root, env)
    reg = registry(verdict, **labels(root, env))
    for attempt in range(1, retry.attempts + 1):
        try:
            push_to_gateway(url, JOB, reg, grouping_key=group, timeout=retry.timeout, handler=_httpx_handler)
            return
        except _Refused as exc:
            if exc.status < 500 or attempt == retry.attempts:
                raise PushError(f"Pushgateway {url} refused the metrics: {exc}") from None
        except httpx.InvalidURL as exc:
            raise PushError(f"--push {url}: not a URL: {exc}") from None
        except (httpx.HTTPError, OSError) as exc:
            if attempt == retry.attempts:
                raise PushError(
                    f"cannot reach the Pushgateway {url} after {attempt} tries: {exc}",
                    hint="check the URL (http://HOST:9091) and that the gateway runs",
                ) from None
        ceiling = min(retry.backoff_max, retry.backoff_base * 2.0 ** (attempt - 1))
        sleep(ceiling * (0.5 + 0.5 * random.random()))  # jitter: concurrent jobs do not retry in step


def push_after(verdict: Verdict, url: str | None, root: str, code: int) -> int:
    """``check --push``: push once the verdict is written. A failed push (exit 4) wins over the verdict's
    code only when the verdict passed, so a failing gate is never masked; it is said either way."""
    if not url:
        return code
    try:
        push(verdict, url, root=root)
    except PushError as exc:
        if not code:
            raise
        import sys

        sys.stderr.write(f"qualitygate: error: {exc.message}\n")
    return code
