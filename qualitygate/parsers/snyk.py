"""Snyk Open Source's JSON (``snyk test --json`` / ``--json-file-output``): one project object, or an
array of them with ``--all-projects``.

Each project: ``{"vulnerabilities": [{"id", "title", "severity", "cvssScore", "packageName", "version",
"from": [...], "fixedIn": [...], "isUpgradable", "isPatchable", ...}], "ok", "uniqueCount",
"packageManager", "projectName", "displayTargetFile", "path", "summary", ...}``.

Snyk lists a vulnerability once per dependency path (``from``); it is one finding per vulnerability id per
project, as Snyk's own ``uniqueCount`` ("found N issues") counts them, with the number of paths in the
message. The severity is Snyk's own word (``critical``/``high``/``medium``/``low``), which is what
``--severity-threshold`` filters on; the SARIF level follows it (critical and high: ``error``, medium:
``warning``, low: ``note``). ``fixed`` is whether Snyk names a fixed version (``fixedIn``). The path is the
project's manifest (``displayTargetFile``). ``snyk code test --json`` writes SARIF: read it as ``sarif``.
"""

from __future__ import annotations

import re
from typing import Any

from qualitygate.errors import ReportFormatError
from qualitygate.model import Finding, FindingsReport, Level, Severity, to_posix
from qualitygate.parsers import naming
from qualitygate.parsers.jsonload import loads, read_text, type_name

WHAT = "Snyk JSON report"

_VULNS = re.compile(r'"vulnerabilities"\s*:\s*\[')
_LEVEL = {
    Severity.CRITICAL: Level.ERROR,
    Severity.HIGH: Level.ERROR,
    Severity.MEDIUM: Level.WARNING,
    Severity.LOW: Level.NOTE,
}


KIND = "snyk"
REFRESH: dict[str, str] = {}  # no command known: "re-run the tool that wrote ..."


def sniff(head: str) -> bool:
    """A ``"vulnerabilities": [`` array with Snyk's ``"packageManager"`` or a ``SNYK-`` id."""
    if _VULNS.search(head) is None:
        return False
    return '"packageManager"' in head or '"SNYK-' in head


def parse(path: str, display: str | None = None) -> FindingsReport:
    doc = loads(path, read_text(path, WHAT), WHAT)
    if not isinstance(doc, list | dict):
        raise ReportFormatError(
            path, f"top level is {type_name(doc)}, expected an object or an array: not a {WHAT}"
        )
    projects = doc if isinstance(doc, list) else [doc]
    report = FindingsReport(path=display or path, kind="snyk", tool="snyk")
    for i, project in enumerate(projects):
        where = f"[{i}]" if isinstance(doc, list) else "top level"
        report.findings.extend(_project(path, project, where, report.warnings))
    return report


def _project(path: str, project: object, where: str, warnings: list[str]) -> list[Finding]:
    if not isinstance(project, dict):
        raise ReportFormatError(path, f"{where}: expected a Snyk project object, got {type_name(project)}")
    vulns = project.get("vulnerabilities")
    if not isinstance(vulns, list):
        raise ReportFormatError(
            path,
            f"{where}.vulnerabilities: expected an array, got {type_name(vulns)}: not a snyk test --json",
        )
    target = project.get("displayTargetFile") or project.get("targetFile")
    manifest = to_posix(target) if isinstance(target, str) and target else None
    by_id = _by_id(path, vulns, where)
    _compare(project.get("uniqueCount"), len(by_id), where, warnings)
    return [_finding(path, v, paths, manifest, f"{where}.vulnerabilities") for v, paths in by_id.values()]


def _compare(unique: object, ours: int, where: str, warnings: list[str]) -> None:
    if isinstance(unique, int) and not isinstance(unique, bool) and unique != ours:
        warnings.append(f"{where}: Snyk's uniqueCount is {unique}; its vulnerabilities hold {ours} ids")


def _by_id(path: str, vulns: list[Any], where: str) -> dict[str, tuple[dict[str, Any], int]]:
    """Each vulnerability id's first entry and its number of dependency paths (entries)."""
    by_id: dict[str, tuple[dict[str, Any], int]] = {}
    for j, v in enumerate(vulns):
        if not isinstance(v, dict) or not isinstance(v.get("id"), str):
            raise ReportFormatError(
                path, f"{where}.vulnerabilities[{j}]: expected a vulnerability with an id"
            )
        first, paths = by_id.get(v["id"], (v, 0))
        by_id[v["id"]] = (first, paths + 1)
    return by_id


def _severity(path: str, v: dict[str, Any], where: str) -> Severity:
    word = v.get("severity")
    try:
        severity = Severity(str(word).lower())
    except ValueError:
        severity = Severity.NONE
    if severity is Severity.NONE:
        raise ReportFormatError(path, f"{where}: severity {word!r} is not critical, high, medium or low")
    return severity


def _finding(path: str, v: dict[str, Any], paths: int, manifest: str | None, where: str) -> Finding:
    severity = _severity(path, v, f"{where}[id={v['id']}]")
    cvss = v.get("cvssScore")
    fixed_in = v.get("fixedIn")
    title = v.get("title")
    package = f"{v.get('packageName', '?')}@{v.get('version', '?')}"
    message = f"{title if isinstance(title, str) else v['id']} in {package}"
    message += f" ({paths} dependency path{'s' if paths != 1 else ''})"
    return Finding(
        rule_id=v["id"],
        level=_LEVEL[severity],
        severity=severity,
        scanner_severity=severity,
        message=message,
        tool="snyk",
        cvss=float(cvss) if isinstance(cvss, int | float) and not isinstance(cvss, bool) else None,
        security=True,
        path=manifest and naming.paths()(manifest),
        fingerprint=f"{v['id']}:{package}",
        fixed=bool(fixed_in) if isinstance(fixed_in, list) else None,
    )
