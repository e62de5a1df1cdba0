"""The base results from GitHub Actions: the ``qualitygate-verdict`` artifact of the base commit's run.

The REST calls, with the client of :mod:`qualitygate.github` (timeouts, retries, redaction): the workflow
runs of the commit (``GET /repos/{repo}/actions/runs?head_sha=SHA``, every page), newest first; for each,
its artifact by name (``GET .../runs/{id}/artifacts?name=qualitygate-verdict``) that has not expired; its
zip (``archive_download_url``), from which the JSON verdict is read. Nothing found, no token or no
repository, or a 404: the base results are unavailable, with the reason (the gates against the base are
then missing data). Other GitHub errors (401, 403, 5xx after the retries) stop with exit 4.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from qualitygate.baseresults import BaseResults
from qualitygate.errors import ReportFormatError

if TYPE_CHECKING:
    from qualitygate.github import GitHubClient

NAME = "qualitygate-verdict"
MAX_VERDICT_BYTES = 64 << 20
MAX_PAGES = 20


def _unavailable(why: str) -> BaseResults:
    return BaseResults(commit=None, version="", source=f"artifact {NAME}", unavailable=why)


def _pages(gh: GitHubClient, url: str, key: str, what: str, params: dict[str, Any]) -> Iterator[Any]:
    """The items under ``key`` of every page of a list endpoint that answers an object."""
    next_url: str | None = url
    query: dict[str, Any] | None = {**params, "per_page": 100}
    for _ in range(MAX_PAGES):
        if next_url is None:
            return
        resp = gh.request("GET", next_url, what=what, params=query)
        body = gh.json(resp, what)
        yield from body.get(key, []) if isinstance(body, dict) else []
        next_url, query = resp.links.get("next", {}).get("url"), None


def _verdict_of_zip(data: bytes, where: str) -> bytes:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = [i for i in zf.infolist() if i.filename.endswith(".json") and not i.is_dir()]
            if not members:
                raise ReportFormatError(where, "the artifact holds no .json file")
            if members[0].file_size > MAX_VERDICT_BYTES:
                raise ReportFormatError(
                    where, f"{members[0].filename} is larger than {MAX_VERDICT_BYTES} bytes"
                )
            return zf.read(members[0])
    except zipfile.BadZipFile as exc:
        raise ReportFormatError(where, f"not a zip archive: {exc}") from None


def _find(gh: GitHubClient, repo: str, sha: str) -> tuple[str, str] | None:
    """(download URL, where) of the newest unexpired artifact of the commit's runs."""
    runs = _pages(
        gh, f"/repos/{repo}/actions/runs", "workflow_runs", "list the commit's runs", {"head_sha": sha}
    )
    for run in sorted(runs, key=lambda r: str(r.get("created_at", "")), reverse=True):
        url = f"/repos/{repo}/actions/runs/{run['id']}/artifacts"
        for art in _pages(gh, url, "artifacts", "list the run's artifacts", {"name": NAME}):
            if art.get("name") == NAME and not art.get("expired"):
                return str(art["archive_download_url"]), f"artifact {NAME} of run {run['id']}"
    return None


def base_results(sha: str, env: Mapping[str, str], looked: str, opts: Mapping[str, Any]) -> BaseResults:
    """The base results of ``sha`` from its run's artifact; ``looked`` says where else was looked."""
    from qualitygate.baseload import from_verdict_text
    from qualitygate.github import DEFAULT_API_URL, GitHubClient, GitHubNotFoundError

    repo = opts.get("repo") or env.get("GITHUB_REPOSITORY")
    token = opts.get("token") or env.get("GITHUB_TOKEN") or env.get("GH_TOKEN")
    if not repo or not token:
        return _unavailable(f"{looked}; no artifact looked up (needs GITHUB_REPOSITORY and GITHUB_TOKEN)")
    api = str(opts.get("api_url") or env.get("GITHUB_API_URL") or DEFAULT_API_URL)
    with GitHubClient(token=str(token), api_url=api, **opts.get("client", {})) as gh:
        try:
            found = _find(gh, str(repo), sha)
            if found is None:
                return _unavailable(f"{looked}; no artifact {NAME} for {sha[:12]} in {repo}")
            resp = gh.request("GET", found[0], what="download the artifact")
        except GitHubNotFoundError as exc:
            return _unavailable(f"{looked}; {exc.message}")
        return from_verdict_text(_verdict_of_zip(resp.content, found[1]), found[1], found[1])
