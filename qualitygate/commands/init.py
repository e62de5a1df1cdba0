"""``qualitygate init``: write a starting ``.github/quality-gates.yml`` from the reports in the tree.

Every file that looks like a report (by name, then by content sniffing) is read with its parser, as
``check`` will read it; only the reports that parse are listed, and each one left out is named on stderr
with the reason, one line each (so the first ``check`` never stops at exit 3 on a report ``init`` proposed).
Coverage and test reports under a top-level folder become that folder's component. Thresholds are the
common defaults, and each gate carries the value measured today as a comment so the first run's outcome is
no surprise.
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from qualitygate.config import DEFAULT_POLICY
from qualitygate.errors import InputError, UnknownKindError, UsageError

if TYPE_CHECKING:
    from qualitygate.model import Report

_CANDIDATE_SUFFIXES = (".xml", ".info", ".lcov", ".sarif", ".json", ".txt")
_MAX_CANDIDATES = 2000
Parsed = dict[str, "Report"]  # reports init read, by path relative to the root
_SKIP_NAMES = {"package.json", "package-lock.json", "tsconfig.json", "composer.json", "pom.xml"}


@dataclass(slots=True)
class Found:
    """The reports init read, by path relative to the root, and those it left out with the reason."""

    reports: Parsed = field(default_factory=dict)
    left_out: list[tuple[str, str]] = field(default_factory=list)


def _candidates(root: str) -> list[str]:
    from qualitygate.globs import Tree

    return [
        f
        for f in Tree(root).files()
        if f.endswith(_CANDIDATE_SUFFIXES)
        and os.path.basename(f) not in _SKIP_NAMES
        and not f.startswith(".github/")
    ][:_MAX_CANDIDATES]


def _report_name() -> re.Pattern[str]:
    """A file so named is meant to be a report: when no parser recognises it, init says so instead of
    skipping it. The names: "coverage" and every kind init proposes gates for."""
    from qualitygate.parsers.registry import KINDS

    names = ["coverage", *(spec.kind for spec in KINDS.values() if spec.role is not None)]
    return re.compile("|".join(map(re.escape, names)), re.IGNORECASE)


def _why(exc: InputError) -> str:
    """The error without the absolute path it starts with: ``:LINE: what`` or ``: what``."""
    text = str(exc)
    return text[len(exc.path) :] if text.startswith(exc.path) else f": {text}"


def _find(root: str) -> Found:
    """Read every candidate. A report that does not parse is left out with the reason; so is a file no parser
    recognises when its name says it is a report (``semgrep.sarif``), and any other such file is skipped."""
    from qualitygate.parsers import parse_report, sniff_kind

    found = Found()
    report_name = _report_name()
    for rel in _candidates(root):
        path = os.path.join(root, rel)
        try:
            found.reports[rel] = parse_report(path, sniff_kind(path))
        except UnknownKindError as exc:
            if report_name.search(os.path.basename(rel)):
                found.left_out.append((rel, _why(exc)))
        except InputError as exc:
            found.left_out.append((rel, _why(exc)))
    return found


def _component(rel: str) -> str | None:
    return rel.split("/", 1)[0] if "/" in rel else None


def _current(parsed: Parsed, rel: str, key: str) -> float | None:
    return parsed[rel].metrics().get(key)


def _now(value: float | None, unit: str = "") -> str:
    return (
        ""
        if value is None
        else f"  # today: {value:.1f}{unit}"
        if not float(value).is_integer()
        else f"  # today: {int(value)}{unit}"
    )


def _component_lines(parsed: Parsed, by_role: dict[str, list[str]]) -> tuple[list[str], list[str]]:
    """The ``components:`` block (with a blank line after it) and the gates of each component."""
    comps = _components(by_role)
    if not comps:
        return [], []
    lines = ["components:"]
    gates: list[str] = []
    for name, roles in sorted(comps.items()):
        lines += _component_entry(name, roles)
        gates += _component_gates(parsed, name, roles)
    return [*lines, ""], gates


def _components(by_role: dict[str, list[str]]) -> dict[str, dict[str, list[str]]]:
    """Coverage and test reports by component (the top-level folder, or "root") and role."""
    from qualitygate.policy import PER_COMPONENT_ROLES

    comps: dict[str, dict[str, list[str]]] = {}
    for role in sorted(PER_COMPONENT_ROLES):
        for rel in by_role.get(role, []):
            comps.setdefault(_component(rel) or "root", {}).setdefault(role, []).append(rel)
    return comps


def _component_entry(name: str, roles: dict[str, list[str]]) -> list[str]:
    paths = f"[{name}/]" if name != "root" else "['**']"
    return [
        f"  {name}:",
        f"    paths: {paths}",
        *(f"    {role}: [{', '.join(rels)}]" for role, rels in sorted(roles.items())),
    ]


def _component_gates(parsed: Parsed, name: str, roles: dict[str, list[str]]) -> list[str]:
    """A coverage floor (80%, or today's value when lower) and no failing tests, for the roles present."""
    gates = []
    if "coverage" in roles:
        cur = _current(parsed, roles["coverage"][0], "coverage.lines.pct")
        floor = _coverage_floor(cur)
        gates.append(f"  - {{metric: coverage.lines.pct, component: {name}, min: {floor}%}}{_now(cur, '%')}")
    if "tests" in roles:
        gates.append(f"  - {{metric: tests.failing, component: {name}, max: 0}}")
    return gates


def _coverage_floor(current: float | None) -> int:
    """80, or today's coverage rounded down when it is lower, so the first run passes."""
    return 80 if current is None or current >= 80 else max(0, math.floor(current))


# The gates init proposes for the reports of each role read for the whole tree (roles in policy order).
_ROLE_GATES: dict[str, tuple[str, ...]] = {
    "complexity": ("  - {metric: complexity.cyclomatic.max, max: 10}",),
    "cognitive": ("  - {metric: complexity.cognitive.max, max: 15}",),
    "duplication": ("  - {metric: duplication.lines.pct, max: 3}",),
    "findings": (
        "  - {metric: security.blocking, max: 0}   # CRITICAL/HIGH security findings",
        "  - {metric: smells.count, max: 10, level: warn}   # non-security linter findings",
    ),
    "k6": (
        "  - {metric: k6.http_req_duration.p(95), lt: 200ms}",
        "  - {metric: k6.http_req_failed.rate, lt: 10%}",
    ),
}
# the gates whose line carries today's value (the first report's)
_TODAY = {
    "complexity": "complexity.cyclomatic.max",
    "cognitive": "complexity.cognitive.max",
    "duplication": "duplication.lines.pct",
}


def _report_lines(parsed: Parsed, by_role: dict[str, list[str]]) -> tuple[list[str], list[str]]:
    reports: list[str] = []
    gates: list[str] = []
    for role, lines in _ROLE_GATES.items():
        rels = by_role.get(role, [])
        if not rels:
            continue
        reports.append(f"  {role}: [{', '.join(rels)}]")
        metric = _TODAY.get(role)
        today = _now(_current(parsed, rels[0], metric)) if metric else ""
        gates += [lines[0] + today, *lines[1:]]
    return (["reports:", *reports, ""] if reports else []), gates


def _by_role(parsed: Parsed) -> dict[str, list[str]]:
    """The reports read, by the policy role their kind fills (``ParserSpec.role``), in the order found."""
    from qualitygate.parsers.registry import KINDS

    by_role: dict[str, list[str]] = {}
    for spec in KINDS.values():  # the registry's order: Cobertura before lcov under one component
        for rel, report in parsed.items():
            if report.kind == spec.kind and spec.role is not None:
                by_role.setdefault(spec.role, []).append(rel)
    return by_role


def _tool_component(folder: str | None, comps: list[str]) -> str | None:
    """The component a tool's threshold gates: its folder's, or the only one; else none."""
    if folder in comps:
        return folder
    return comps[0] if len(comps) == 1 else None


def _tool_lines(root: str, gates: list[str], by_role: dict[str, list[str]]) -> tuple[list[str], list[str]]:
    """``--from-tools``: the gates with each tool threshold in place of the default for the same metric and
    component, and a ``k6:`` block of the summary exports' own thresholds (in place of the default k6
    gates); every line names its source."""
    from qualitygate import tool_thresholds

    found, left_out = tool_thresholds.read(root)
    for why in left_out:
        sys.stderr.write(f"qualitygate init: left out {why}\n")
    comps = sorted(_components(by_role))
    for t in found:
        comp = _tool_component(t.component, comps)
        scope = f", component: {comp}" if comp else ""
        gates = [g for g in gates if not g.startswith(f"  - {{metric: {t.metric}{scope},")]
        gates.append(f"  - {{metric: {t.metric}{scope}, min: {t.minimum:g}%}}   # from {t.source}")
    k6 = _k6_lines(root, by_role.get("k6", []))
    if k6:
        gates = [g for g in gates if not g.startswith("  - {metric: k6.")]
    return gates, k6


def _k6_lines(root: str, rels: list[str]) -> list[str]:
    """The ``k6:`` block: each metric's thresholds from the first summary export that has them."""
    from qualitygate.tool_thresholds import k6_thresholds

    lines: dict[str, str] = {}
    for rel in rels:
        for metric, exprs in k6_thresholds(os.path.join(root, rel)).items():
            lines.setdefault(metric, f"  {metric}: {json.dumps(exprs)}   # from {rel} thresholds")
    return ["k6:", *lines.values(), ""] if lines else []


def render_policy(root: str, parsed: Parsed, *, from_tools: bool = False) -> str:
    """The policy for the reports init read (``{path relative to root: report}``); ``from_tools``: with the
    thresholds the project's tools already keep (:mod:`qualitygate.tool_thresholds`)."""
    by_role = _by_role(parsed)
    comp_lines, comp_gates = _component_lines(parsed, by_role)
    report_lines, report_gates = _report_lines(parsed, by_role)
    gates = comp_gates + report_gates
    if not gates:
        raise UsageError(
            f"no report found under {root}: run your tests with coverage and JUnit output first "
            "(or write the policy by hand; see README)"
        )
    k6_lines: list[str] = []
    if from_tools:
        gates, k6_lines = _tool_lines(root, gates, by_role)
    head = [
        "# Written by `qualitygate init` from the reports found in this tree. Adjust the thresholds;",
        "# README 'The policy language' documents every key. Run `qualitygate check` to see the verdict.",
        "defaults:",
        "  missing: fail   # a gate whose report is missing fails; never a silent pass",
        "",
    ]
    return "\n".join([*head, *comp_lines, *report_lines, *k6_lines, "gates:", *gates, ""])


def run(root: str, output: str | None, force: bool, from_tools: bool = False) -> int:
    from qualitygate.render import write_atomic

    target = output or os.path.join(root, DEFAULT_POLICY)
    if target != "-" and os.path.exists(target) and not force:
        raise UsageError(f"{target} exists; pass --force to overwrite it")
    found = _find(root)
    for rel, why in found.left_out:
        sys.stderr.write(f"qualitygate init: left out {rel}{why}\n")
    text = render_policy(root, found.reports, from_tools=from_tools)
    if target != "-":
        os.makedirs(os.path.dirname(os.path.abspath(target)), exist_ok=True)
    write_atomic(target, text)
    if target != "-":
        sys.stderr.write(f"wrote {target}\n")
    return 0
