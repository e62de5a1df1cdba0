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
from qualitygate.policy import Gate, Policy, SecuritySpec
from qualitygate.rules.base import MAX_EVIDENCE, Measured, in_scope, missing, of_type, plural, scope
from qualitygate.units import format_minutes
from qualitygate.verdict import Evidence


def severity_of(f: Finding, spec: SecuritySpec) -> Severity:
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


def blocking(findings: Sequence[Finding], spec: SecuritySpec) -> list[tuple[Finding, Severity]]:
    wanted = {Severity(s.lower()) if s != "UNKNOWN" else Severity.NONE for s in spec.severity}
    out = []
    for f in findings:
        if f.suppressed or not f.security:
            continue
        if spec.ignore_unfixed and f.fixed is False:
            continue
        sev = severity_of(f, spec)
        if sev in wanted:
            out.append((f, sev))
    out.sort(key=lambda p: (-p[1].rank, p[0].rule_id, p[0].path or "", p[0].line or 0))
    return out


def measure(gate: Gate, policy: Policy, reports: Sequence[Report]) -> Measured:
    sarif = of_type(reports, FindingsReport)
    globs = scope(gate, policy)
    findings = [f for r in sarif for f in r.findings if in_scope(f.path, globs)]
    if gate.metric == "security.blocking":
        hits = blocking(findings, policy.security)
        levels = "/".join(policy.security.severity)
        return Measured(
            float(len(hits)),
            evidence=[_evidence(f, s) for f, s in hits[:MAX_EVIDENCE]],
            evidence_total=len(hits),
            note=f"{levels} by the {'scanner' if policy.security.source == 'scanner' else 'CVSS'} severity"
            + (f", worst {hits[0][0].rule_id}" if hits else ""),
        )
    if gate.metric.startswith("smells."):
        return _smells(gate, policy, findings)
    merged = FindingsReport(path="", kind="sarif", findings=findings)
    value = merged.metrics().get(gate.metric)
    if value is None:
        return missing(f"{gate.metric} is not a findings metric")
    return Measured(float(value))


def _smells(gate: Gate, policy: Policy, findings: list[Finding]) -> Measured:
    smells = [f for f in findings if not f.suppressed and not f.security]
    defaults = policy.smells.effort
    efforts: list[float] = []
    estimated = 0
    for f in smells:
        if f.effort_min is not None:
            efforts.append(f.effort_min)
        else:
            efforts.append(defaults.get(f.level.value, 5.0))
            estimated += 1
    debt = sum(efforts)
    value = float(len(smells)) if gate.metric == "smells.count" else debt
    order = sorted(range(len(smells)), key=lambda i: (-efforts[i], smells[i].path or "", smells[i].line or 0))
    rules: dict[str, int] = {}
    for f in smells:
        rules[f.rule_id] = rules.get(f.rule_id, 0) + 1
    common = sorted(rules.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    note = ", ".join(f"{r} x{n}" for r, n in common) if common else None
    if gate.metric == "smells.debt":
        note = f"{plural(len(smells), 'finding')}" + (
            f", {estimated} of them at the policy's default effort (an estimate)" if estimated else ""
        )
    return Measured(
        value,
        evidence=[_evidence(smells[i], None, efforts[i]) for i in order[:MAX_EVIDENCE]],
        evidence_total=len(smells),
        estimate=gate.metric == "smells.debt" and estimated > 0,
        note=note,
    )
