"""The verdict's findings as SARIF 2.1.0, for code scanning and other SARIF readers.

Every finding a gate judged is a result, once (a finding in both ``smells.count`` and ``smells.debt`` is
one result): those still counted, and those accepted. A waived finding carries a suppression
(``kind: external``, ``status: accepted``, the waiver's reason as ``justification``; SARIF §3.35); every
result carries ``baselineState`` (§3.27.24: on all results of a run or none): ``unchanged`` for a finding
the baseline holds, ``new`` for any other. One run per tool, named as the report named it.
"""

from __future__ import annotations

import json
from typing import Any

from qualitygate.verdict import Evidence, Verdict

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVELS = {
    "error": "error",
    "warning": "warning",
    "note": "note",
    "critical": "error",
    "high": "error",
    "medium": "warning",
}


def _level(detail: str | None) -> str:
    word = (detail or "").split(",", 1)[0].split(":", 1)[0].strip().lower()
    return _LEVELS.get(word, "note")


def _split(title: str) -> tuple[str, str]:
    tool, sep, rule = title.partition(" ")
    return (tool, rule) if sep and rule else ("qualitygate", title)


def _result(e: Evidence, rule: str, reasons: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ruleId": rule,
        "level": _level(e.detail),
        "message": {"text": e.detail or rule},
    }
    if e.path:
        location: dict[str, Any] = {"artifactLocation": {"uri": e.path}}
        if e.line:
            location["region"] = {"startLine": e.line}
        out["locations"] = [{"physicalLocation": location}]
    out["baselineState"] = "unchanged" if e.baselined else "new"
    if e.waiver:
        out["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": f"waiver {e.waiver}: {reasons.get(e.waiver, '')}".rstrip(": "),
            }
        ]
    return out


def _findings(verdict: Verdict) -> list[Evidence]:
    seen: dict[tuple[str, str | None, int | None], Evidence] = {}
    for gate in verdict.gates:
        for e in [*gate.evidence, *gate.accepted_items]:
            if e.kind == "finding":
                seen.setdefault((e.title, e.path, e.line), e)
    return list(seen.values())


def render(verdict: Verdict) -> str:
    reasons = {w.id: w.reason for w in verdict.accepted.waivers} if verdict.accepted else {}
    runs: dict[str, dict[str, Any]] = {}
    for e in _findings(verdict):
        tool, rule = _split(e.title)
        run = runs.setdefault(tool, {"tool": {"driver": {"name": tool, "rules": []}}, "results": []})
        rules = run["tool"]["driver"]["rules"]
        if not any(r["id"] == rule for r in rules):
            rules.append({"id": rule})
        run["results"].append(_result(e, rule, reasons))
    if not runs:
        runs["qualitygate"] = {"tool": {"driver": {"name": "qualitygate", "rules": []}}, "results": []}
    doc = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": list(runs.values())}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
