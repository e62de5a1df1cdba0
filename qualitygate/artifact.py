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
import zlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from qualitygate.baseload import MAX_VERDICT_BYTES
from qualitygate.baseresults import BaseResults
from qualitygate.errors import ReportFormatError

if TYPE_CHECKING:
    from qualitygate.github import GitHubClient

NAME = "qualitygate-verdict"
MAX_PAGES = 20


def _unavailable(why: str) -> BaseResults:
    return BaseResults(commit=None, version="", source=f"artifact {NAME}", unavailable=why)


# what a damaged or hostile archive raises in zipfile: a bad header, a bad deflate stream, a cut member, an
# unsupported method or flag, an encrypted member, a negative seek from a forged offset
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    NotImplementedError,
    RuntimeError,
    ValueError,
    OSError,
)


def _verdict_of_zip(data: bytes, where: str) -> bytes:
    """The first .json member, read to at most :data:`MAX_VERDICT_BYTES` whatever its header claims."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = [i for i in zf.infolist() if i.filename.endswith(".json") and not i.is_dir()]
            if not members:
                raise ReportFormatError(where, "the artifact holds no .json file")
            with zf.open(members[0]) as fh:
                text = fh.read(MAX_VERDICT_BYTES + 1)
    except _ZIP_ERRORS as exc:
        raise ReportFormatError(where, f"not a readable zip archive: {exc or type(exc).__name__}") from None
    if len(text) > MAX_VERDICT_BYTES:
        raise ReportFormatError(where, f"{members[0].filename} is larger than {MAX_VERDICT_BYTES >> 20} MiB")
    return text


def _field(item: Any, key: str, kind: type, what: str, thing: str) -> Any:
    """``item[key]`` when ``item`` is an object and the value is of ``kind``; else GitHub's answer is not the
    API's (a proxy, a wrong --api-url): a ``GitHubUnavailableError`` naming the call (exit 4)."""
    from qualitygate.github import _json_type, _wrong_shape

    if not isinstance(item, dict):
        raise _wrong_shape(what, f"{_json_type(item)} where a {thing} object was expected")
    value = item.get(key)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise _wrong_shape(what, f"a {thing} whose {key} is {_json_type(value)}")
    return value


def _find(gh: GitHubClient, repo: str, sha: str) -> tuple[str, str] | None:
    """(download URL, where) of the newest unexpired artifact of the commit's runs."""
    what = "list the commit's runs"
    pages = gh.paginate(
        f"/repos/{repo}/actions/runs",
        what=what,
        key="workflow_runs",
        query={"head_sha": sha},
        max_pages=MAX_PAGES,
    )
    runs = [(_field(run, "id", int, what, "workflow run"), str(run.get("created_at", ""))) for run in pages]
    for run_id, _ in sorted(runs, key=lambda r: r[1], reverse=True):
        url = f"/repos/{repo}/actions/runs/{run_id}/artifacts"
        what = "list the run's artifacts"
        for art in gh.paginate(url, what=what, key="artifacts", query={"name": NAME}, max_pages=MAX_PAGES):
            name = _field(art, "name", str, what, "artifact")
            if name == NAME and not art.get("expired"):
                download = _field(art, "archive_download_url", str, what, "artifact")
                gh.check_origin(download, "the artifact's archive_download_url")
                return download, f"artifact {NAME} of run {run_id}"
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
