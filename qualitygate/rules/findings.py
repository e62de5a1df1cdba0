"""Findings gates over SARIF: security hotspots, code smells and their debt, and raw ``findings.*`` counts.

* ``security.blocking``: active security findings (Trivy, bandit, CodeQL, ... : the rule is tagged
  ``security`` or carries a ``security-severity``) whose severity is in the policy's blocking list. The
  severity is the scanner's own word by default (what ``trivy --severity`` filters on), or the CVSS band
  with ``security.source: cvss``. ``ignore_unfixed`` leaves out findings with no fixed version.
* ``smells.count`` / ``smells.debt``: the active non-security findings of linters (ruff, ESLint, ...);
  the debt is each finding's remediation effort where the report carries one, else the policy's
  per-level default, and the gate then says the value is an estimate.
"""

from __future__ import annotations

from collections.abc import Sequence

from qualitygate.model import Finding, FindingsReport, Report, Severity
from qualitygate.policy import Gate, Policy, Security
from qualitygate.rules.base import MAX_EVIDENCE, Measured, in_scope, missing, of_type, plural, scope
from qualitygate.units import format_minutes
from qualitygate.verdict import Evidence


def severity_of(f: Finding, spec: Security) -> Severity:
    if spec.source == "scanner" and f.scanner_severity is not None:
        return f.scanner_severity
    return f.severity


def _evidence(f: Finding, severity: Severity | None, effort: float | None = None) -> Evidence:
    words = [severity.value.upper() if severity and severity is not Severity.NONE else f.level.value]
    if f.cvss is not None:
        words.append(f"CVSS {f.cvss:g}")
    if effort is not None:
        words.append(format_minutes(effort))
    msg = f.message.strip().splitlines()[0][:200] if f.message.strip() else ""
    return Evidence(
        kind="finding",
        title=f"{f.tool + ' ' if f.tool else ''}{f.rule_id}",
        path=f.path,
        line=f.line,
        detail=", ".join(words) + (f": {msg}" if msg else ""),
    )


def _counts_as_blocking(f: Finding, spec: Security) -> bool:
    if f.suppressed or not f.security:
        return False
    return not (spec.ignore_unfixed and f.fixed is False)


def blocking(findings: Sequence[Finding], spec: Security) -> list[tuple[Finding, Severity]]:
    """Active security findings whose severity (by ``spec.source``) is in the blocking list, worst first."""
    wanted = {Severity(s.lower()) if s != "UNKNOWN" else Severity.NONE for s in spec.severity}
    pairs = [(f, severity_of(f, spec)) for f in findings if _counts_as_blocking(f, spec)]
    out = [(f, sev) for f, sev in pairs if sev in wanted]
    out.sort(key=lambda p: (-p[1].rank, p[0].rule_id, p[0].path or "", p[0].line or 0))
    return out


# Scanners whose SARIF is a security scan even when it found nothing (an empty Trivy run is a clean bill,
# an empty ruff run says nothing about security).
_SECURITY_TOOLS = (
    "trivy",
    "bandit",
    "codeql",
    "semgrep",
    "snyk",
    "grype",
    "gitleaks",
    "checkov",
    "tfsec",
    "kics",
    "gosec",
    "brakeman",
    "horusec",
    "osv-scanner",
    "dependency-check",
    "trufflehog",
    "zap",
)


def _is_security_scan(report: FindingsReport) -> bool:
    tool = (report.tool or "").lower()
    return any(name in tool for name in _SECURITY_TOOLS) or any(f.security for f in report.findings)


def _security(policy: Policy, reports: list[FindingsReport], findings: list[Finding]) -> Measured:
    if not any(_is_security_scan(r) for r in reports):
        tools = ", ".join(sorted({r.tool or r.path for r in reports}))
        return missing(
            f"no security scan among the SARIF files (found: {tools}); a linter's clean run is no scan"
        )
    hits = blocking(findings, policy.security)
    source = "scanner" if policy.security.source == "scanner" else "CVSS"
    note = f"{'/'.join(policy.security.severity)} by the {source}'s severity"
    if hits:
        worst, severity = hits[0]
        note = f"worst {worst.rule_id} ({severity.value.upper()}); {note}"
    return Measured(
        float(len(hits)),
        evidence=[_evidence(f, s) for f, s in hits[:MAX_EVIDENCE]],
        evidence_total=len(hits),
        note=note,
    )


def measure(gate: Gate, policy: Policy, reports: Sequence[Report]) -> Measured:
    globs = scope(gate, policy)
    sarif = of_type(reports, FindingsReport)
    findings = [f for r in sarif for f in r.findings if in_scope(f.path, globs)]
    if gate.metric == "security.blocking":
        return _security(policy, sarif, findings)
    if gate.metric.startswith("smells."):
        return _smells(gate, policy, findings)
    value = FindingsReport(path="", kind="sarif", findings=findings).metrics().get(gate.metric)
    if value is None:
        return missing(f"{gate.metric} is not a findings metric")
    return Measured(float(value))


def _efforts(smells: list[Finding], policy: Policy) -> tuple[list[float], int]:
    """Each smell's remediation effort in minutes (the report's, else the policy's default for its level),
    and how many took the default."""
    defaults = policy.smells.effort
    efforts = [f.effort_min if f.effort_min is not None else defaults.get(f.level.value, 5.0) for f in smells]
    return efforts, sum(1 for f in smells if f.effort_min is None)


def _common_rules(smells: list[Finding]) -> str | None:
    rules: dict[str, int] = {}
    for f in smells:
        rules[f.rule_id] = rules.get(f.rule_id, 0) + 1
    common = sorted(rules.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    return ", ".join(f"{r} x{n}" for r, n in common) or None


def _debt_note(count: int, estimated: int) -> str:
    note = plural(count, "finding")
    if estimated:
        note += f", {estimated} of them at the policy's default effort per finding"
    return note


def _smells(gate: Gate, policy: Policy, findings: list[Finding]) -> Measured:
    smells = [f for f in findings if not f.suppressed and not f.security]
    efforts, estimated = _efforts(smells, policy)
    order = sorted(range(len(smells)), key=lambda i: (-efforts[i], smells[i].path or "", smells[i].line or 0))
    debt = gate.metric == "smells.debt"
    note = _debt_note(len(smells), estimated) if debt else _common_rules(smells)
    return Measured(
        sum(efforts) if debt else float(len(smells)),
        evidence=[_evidence(smells[i], None, efforts[i]) for i in order[:MAX_EVIDENCE]],
        evidence_total=len(smells),
        estimate=debt and estimated > 0,
        note=note,
    )
