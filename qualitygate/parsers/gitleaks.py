"""gitleaks' JSON report (``gitleaks detect|dir|git --report-format json``): a top-level array of leaks.

Each leak (gitleaks v8, ``report/finding.go``) carries ``RuleID``, ``Description``, ``File``,
``StartLine``/``EndLine``, ``StartColumn``/``EndColumn``, ``Match``, ``Secret``, ``Commit``, ``Author``,
``Fingerprint`` (``commit:file:rule:line``, or ``file:rule:line`` without git), ``Tags``, ...

gitleaks has no severities: **every leak is a HIGH security finding** (SARIF level ``error``), so it blocks
under the default ``security.severity: [CRITICAL, HIGH]``; a policy that blocks only CRITICAL lets secrets
through on purpose. The secret itself is never copied into the model (the message names the rule and the
description only). An empty array is a clean scan, not missing data.
"""

from __future__ import annotations

from typing import Any

from qualitygate.errors import ReportFormatError
from qualitygate.model import Finding, FindingsReport, Level, Severity, to_posix
from qualitygate.parsers import naming
from qualitygate.parsers.jsonload import load_array, type_name

WHAT = "gitleaks JSON report"


KIND = "gitleaks"
REFRESH: dict[str, str] = {}  # no command known: "re-run the tool that wrote ..."


def sniff(head: str) -> bool:
    """A top-level array whose objects carry gitleaks' ``"RuleID"`` with ``"StartLine"`` or ``"Secret"``."""
    start = head.lstrip()
    if not start.startswith("["):
        return False
    return '"RuleID"' in start and ('"StartLine"' in start or '"Secret"' in start)


def parse(path: str, display: str | None = None) -> FindingsReport:
    leaks = load_array(path, WHAT)
    report = FindingsReport(path=display or path, kind="gitleaks", tool="gitleaks")
    for i, leak in enumerate(leaks):
        report.findings.append(_finding(path, leak, f"[{i}]"))
    return report


def _int(v: object) -> int | None:
    return v if isinstance(v, int) and not isinstance(v, bool) and v > 0 else None


def _finding(path: str, leak: object, where: str) -> Finding:
    if not isinstance(leak, dict):
        raise ReportFormatError(path, f"{where}: expected a leak object, got {type_name(leak)}")
    rule = leak.get("RuleID")
    if not isinstance(rule, str) or not rule:
        raise ReportFormatError(path, f"{where}.RuleID: expected the rule's id, got {rule!r}")
    file = leak.get("File")
    fingerprint = leak.get("Fingerprint")
    return Finding(
        rule_id=rule,
        level=Level.ERROR,
        severity=Severity.HIGH,
        scanner_severity=Severity.HIGH,
        message=_message(rule, leak),
        tool="gitleaks",
        security=True,
        path=naming.paths()(to_posix(file)) if isinstance(file, str) and file else None,
        line=_int(leak.get("StartLine")),
        column=_int(leak.get("StartColumn")),
        fingerprint=fingerprint if isinstance(fingerprint, str) and fingerprint else None,
    )


def _message(rule: str, leak: dict[str, Any]) -> str:
    description = leak.get("Description")
    what = description if isinstance(description, str) and description else rule
    commit = leak.get("Commit")
    at = f" (commit {commit[:12]})" if isinstance(commit, str) and commit else ""
    return f"secret detected: {what}{at}"
