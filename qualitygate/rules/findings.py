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
from qualitygate.rules.base import Measured, in_scope, no_data, of_type, plural, scope
from qualitygate.units import format_minutes
from qualitygate.verdict import Evidence

Pair = tuple[Finding, Severity]
Triaged = tuple[Finding, Severity, str]  # a finding, its severity, why it does not block


def severity_of(f: Finding, spec: Security) -> Severity:
    if spec.source == "scanner" and f.scanner_severity is not None:
        return f.scanner_severity
    return f.severity


def _evidence(
    f: Finding, severity: Severity | None, effort: float | None = None, why_not: str | None = None
) -> Evidence:
    words = [severity.value.upper() if severity and severity is not Severity.NONE else f.level.value]
    if f.cvss is not None:
        words.append(f"CVSS {f.cvss:g}")
    if effort is not None:
        words.append(format_minutes(effort))
    if why_not:
        words.append(why_not)
    msg = f.message.strip().splitlines()[0][:200] if f.message.strip() else ""
    return Evidence(
        kind="finding",
        title=f"{f.tool + ' ' if f.tool else ''}{f.rule_id}",
        path=f.path,
        line=f.line,
        detail=", ".join(words) + (f": {msg}" if msg else ""),
    )


_BELOW = "below the blocking severity"
_UNFIXED = "no fixed version (ignore_unfixed)"


def _why_not_blocking(f: Finding, severity: Severity, wanted: set[Severity], spec: Security) -> str | None:
    """Why an active security finding does not block (None: it blocks)."""
    if severity not in wanted:
        return _BELOW
    if spec.ignore_unfixed and f.fixed is False:
        return _UNFIXED
    return None


def _wanted(spec: Security) -> set[Severity]:
    return {Severity(s.lower()) if s != "UNKNOWN" else Severity.NONE for s in spec.severity}


def _worst_first(item: tuple[Finding, Severity] | Triaged) -> tuple[int, str, str, int]:
    f, severity = item[0], item[1]
    return -severity.rank, f.rule_id, f.path or "", f.line or 0


def triage(findings: Sequence[Finding], spec: Security) -> tuple[list[Pair], list[Triaged]]:
    """The active security findings split into those that block (severity, by ``spec.source``, in the
    blocking list; a fix known unless ``ignore_unfixed``) and the rest with why they do not, worst first."""
    wanted = _wanted(spec)
    block: list[Pair] = []
    rest: list[Triaged] = []
    for f in findings:
        if f.suppressed or not f.security:
            continue
        severity = severity_of(f, spec)
        why_not = _why_not_blocking(f, severity, wanted, spec)
        if why_not is None:
            block.append((f, severity))
        else:
            rest.append((f, severity, why_not))
    return sorted(block, key=_worst_first), sorted(rest, key=_worst_first)


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
# Of those, the ones that report both security and code-quality findings (their run is a linter's too when
# it holds a non-security finding).
_MIXED_TOOLS = ("codeql", "semgrep")
# Linters: a run of one is a code-smell check even when it found nothing, or only security rules (ruff's S).
_LINTERS = (
    "ruff",
    "eslint",
    "pylint",
    "flake8",
    "stylelint",
    "rubocop",
    "golangci-lint",
    "hadolint",
    "shellcheck",
    "biome",
    "oxlint",
    "clippy",
    "detekt",
    "ktlint",
    "checkstyle",
    "pmd",
    "markdownlint",
)


def _named(tool: str, names: tuple[str, ...]) -> bool:
    low = tool.lower()
    return any(name in low for name in names)


def _is_security_scan(report: FindingsReport) -> bool:
    tool = (report.tool or "").lower()
    return any(name in tool for name in _SECURITY_TOOLS) or any(f.security for f in report.findings)


def _is_linter_run(tool: str, findings: list[Finding]) -> bool:
    """Does the run of ``tool`` check for code smells? A known linter's run does (even clean, even with
    only security rules); a known security scanner's does not; any other run does when it holds a
    non-security finding (a run of only security findings, or an unknown tool's empty run, does not)."""
    if _named(tool, _LINTERS):
        return True
    if _named(tool, _SECURITY_TOOLS) and not _named(tool, _MIXED_TOOLS):
        return False
    return any(not f.security for f in findings if f.tool == tool)


def _has_linter_run(report: FindingsReport) -> bool:
    tools = report.tools or ([report.tool] if report.tool else [])
    untooled = any(not f.tool and not f.security for f in report.findings)
    return untooled or any(_is_linter_run(t, report.findings) for t in tools)


def _found(reports: list[FindingsReport]) -> str:
    return ", ".join(sorted({r.tool or r.path for r in reports}))


def _security_note(policy: Policy, hits: list[Pair], rest: list[Triaged]) -> str:
    source = "scanner" if policy.security.source == "scanner" else "CVSS"
    note = f"{'/'.join(policy.security.severity)} by the {source}'s severity"
    below = sum(1 for t in rest if t[2] == _BELOW)
    unfixed = len(rest) - below
    counts = [f"{len(hits)} blocking"] if rest else []
    if below:
        counts.append(f"{below} {_BELOW}")
    if unfixed:
        counts.append(f"{unfixed} without a fixed version left out (ignore_unfixed)")
    if counts:
        note = f"{', '.join(counts)}; {note}"
    if hits:
        worst, severity = hits[0]
        note = f"worst {worst.rule_id} ({severity.value.upper()}); {note}"
    return note


def _security(policy: Policy, reports: list[FindingsReport], findings: list[Finding]) -> Measured:
    if not any(_is_security_scan(r) for r in reports):
        return no_data(
            f"no security scan among the SARIF files (found: {_found(reports)}); "
            "a linter's clean run is no scan"
        )
    hits, rest = triage(findings, policy.security)
    return Measured(
        float(len(hits)),
        evidence=[_evidence(f, s) for f, s in hits] + [_evidence(f, s, why_not=w) for f, s, w in rest],
        evidence_total=len(hits) + len(rest),
        note=_security_note(policy, hits, rest),
        note_on_pass=bool(rest),
    )


def measure(gate: Gate, policy: Policy, reports: Sequence[Report]) -> Measured:
    globs = scope(gate, policy)
    sarif = of_type(reports, FindingsReport)
    findings = [f for r in sarif for f in r.findings if in_scope(f.path, globs)]
    if gate.metric == "security.blocking":
        return _security(policy, sarif, findings)
    if gate.metric.startswith("smells."):
        if not any(_has_linter_run(r) for r in sarif):
            return no_data(
                f"no linter run among the SARIF files (found: {_found(sarif)}); "
                "a security scan's findings are no code smells"
            )
        return _smells(gate, policy, findings)
    value = FindingsReport(path="", kind="merged", findings=findings).metrics().get(gate.metric)
    if value is None:
        return no_data(f"{gate.metric} is not a findings metric")
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
        evidence=[_evidence(smells[i], None, efforts[i]) for i in order],
        evidence_total=len(smells),
        estimate=debt and estimated > 0,
        note=note,
    )
