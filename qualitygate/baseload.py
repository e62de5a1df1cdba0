"""Where the base commit's results come from (``check --base-results SOURCE``): the edge.

* ``FILE``: the JSON verdict ``check --format json`` wrote on the base commit (1.2 or later: it carries a
  ``record``). An older verdict holds none: the base-dependent gates then say so (missing data);
* ``DIR``: a folder of the base's reports, evaluated here with the same policy (its commit is not known);
* ``auto``: for the merge base of the change, the git note ``refs/notes/qualitygate`` first
  (``qualitygate record``), then the GitHub Actions artifact ``qualitygate-verdict`` of the merge-base
  commit's workflow run (with a token and a repository). None found: missing data, with where it looked.

Results that belong to another commit than the merge base are used, with a warning in the verdict.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from qualitygate.baseresults import BaseResults
from qualitygate.errors import ReportFormatError, ReportNotFoundError
from qualitygate.policy import Policy
from qualitygate.record import RecordFormatError, record_from_dict, to_base

AUTO = "auto"


MAX_VERDICT_BYTES = 64 << 20  # a JSON verdict larger than this is not one (a record is a few MB at most)


def _verdict_doc(text: str | bytes, display: str) -> Any:
    """The verdict's JSON: strict UTF-8 and strict JSON (no NaN, no 5000-digit integers, bounded depth)."""
    from qualitygate.parsers.jsonload import loads

    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ReportFormatError(display, f"not UTF-8 (byte {exc.start}): not a JSON verdict") from None
    return loads(display, text, "JSON verdict")


def from_verdict_text(text: str | bytes, source: str, display: str) -> BaseResults:
    """The base results of a JSON verdict's text; a verdict that holds no record is ``unavailable``."""
    doc = _verdict_doc(text, display)
    if not isinstance(doc, dict) or doc.get("tool") != "qualitygate":
        raise ReportFormatError(display, "not a qualitygate JSON verdict (check --format json writes one)")
    record = doc.get("record")
    if record is None:
        version = doc.get("schema_version", "?")
        tool = doc.get("tool_version", "?")
        why = (
            f"{display} is a {version} verdict (qualitygate {tool}): it holds no record of the results a "
            "comparison needs (verdicts carry one from schema 1.2 on); write the base's verdict again with "
            "this qualitygate (check --format json), or use --base-results auto"
        )
        return BaseResults(
            commit=None, version=str(doc.get("tool_version", "")), source=source, unavailable=why
        )
    try:
        return to_base(record_from_dict(record), source)
    except RecordFormatError as exc:
        raise ReportFormatError(display, f"not a record qualitygate writes: {exc}") from None


def from_verdict_file(path: str) -> BaseResults:
    try:
        with open(path, "rb") as fh:
            text = fh.read(MAX_VERDICT_BYTES + 1)  # bounded: a device or a pipe has no size to ask
    except FileNotFoundError:
        raise ReportNotFoundError(
            path, "no such file (--base-results: a JSON verdict, a folder or auto)"
        ) from None
    except OSError as exc:
        raise ReportNotFoundError(path, f"cannot read: {exc.strerror or exc}") from None
    if len(text) > MAX_VERDICT_BYTES:
        raise ReportFormatError(path, f"larger than {MAX_VERDICT_BYTES >> 20} MiB: not a JSON verdict")
    return from_verdict_text(text, f"verdict {path}", path)


def from_reports(folder: str, policy: Policy, version: str) -> BaseResults:
    """The base's reports in ``folder``, evaluated with the same policy (no change, no base)."""
    from qualitygate.collect import collect
    from qualitygate.engine import evaluate
    from qualitygate.sourcelines import hash_finding_lines

    data = collect(policy, folder)
    hash_finding_lines(data, folder)
    verdict = evaluate(policy, data, version=version)
    assert verdict.record is not None  # evaluate always records
    return to_base(
        verdict.record,
        f"reports {folder}",
        ("the base results are a folder of reports: their commit is not known",),
    )


def _auto(
    root: str, merge_base: str | None, env: Mapping[str, str], github: dict[str, Any] | None
) -> BaseResults:
    if not merge_base:
        return BaseResults(
            commit=None,
            version="",
            source="auto",
            unavailable="no merge base to look up (auto needs a change: pass --base REF)",
        )
    from qualitygate import notes

    found = notes.read_record(root, merge_base)
    if found is not None:
        return to_base(found, f"git notes {notes.REF} of {merge_base[:12]}")
    from qualitygate import artifact

    looked = f"no git note {notes.REF} for {merge_base[:12]} (fetch them: {notes.FETCH_HINT})"
    return artifact.base_results(merge_base, env, looked, github or {})


def load(
    source: str,
    *,
    root: str,
    policy: Policy,
    version: str,
    merge_base: str | None,
    env: Mapping[str, str] | None = None,
    github: dict[str, Any] | None = None,
) -> BaseResults:
    if source == AUTO:
        return _auto(root, merge_base, os.environ if env is None else env, github)
    if os.path.isdir(source):
        return from_reports(source, policy, version)
    return from_verdict_file(source)
