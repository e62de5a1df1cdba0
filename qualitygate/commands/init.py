"""``qualitygate init``: write a starting ``.github/quality-gates.yml`` from the reports in the tree.

Every file that looks like a report (by name, then by content sniffing) is listed; coverage and test
reports under a top-level folder become that folder's component. Thresholds are the common defaults, and
each gate carries the value measured today as a comment so the first run's outcome is no surprise.
"""

from __future__ import annotations

import math
import os
import sys

from qualitygate.config import DEFAULT_POLICY
from qualitygate.errors import InputError, UsageError

_CANDIDATE_SUFFIXES = (".xml", ".info", ".lcov", ".sarif", ".json", ".txt")
_MAX_CANDIDATES = 2000
_SKIP_NAMES = {"package.json", "package-lock.json", "tsconfig.json", "composer.json", "pom.xml"}


def _find(root: str) -> list[tuple[str, str]]:
    from qualitygate.globs import Tree
    from qualitygate.parsers import sniff_kind

    found: list[tuple[str, str]] = []
    candidates = [
        f
        for f in Tree(root).files()
        if f.endswith(_CANDIDATE_SUFFIXES)
        and os.path.basename(f) not in _SKIP_NAMES
        and not f.startswith(".github/")
    ][:_MAX_CANDIDATES]
    for rel in candidates:
        try:
            found.append((rel, sniff_kind(os.path.join(root, rel))))
        except InputError:
            continue
    return found


def _component(rel: str) -> str | None:
    return rel.split("/", 1)[0] if "/" in rel else None


def _current(root: str, rel: str, key: str) -> float | None:
    from qualitygate.parsers import parse_report

    try:
        return parse_report(os.path.join(root, rel)).metrics().get(key)
    except InputError:
        return None


def _now(value: float | None, unit: str = "") -> str:
    return (
        ""
        if value is None
        else f"  # today: {value:.1f}{unit}"
        if not float(value).is_integer()
        else f"  # today: {int(value)}{unit}"
    )


_COMPONENT_ROLES = (("cobertura", "coverage"), ("lcov", "coverage"), ("junit", "tests"))


def _component_lines(root: str, by_kind: dict[str, list[str]]) -> tuple[list[str], list[str]]:
    """The ``components:`` block (with a blank line after it) and the gates of each component."""
    comps = _components(by_kind)
    if not comps:
        return [], []
    lines = ["components:"]
    gates: list[str] = []
    for name, roles in sorted(comps.items()):
        lines += _component_entry(name, roles)
        gates += _component_gates(root, name, roles)
    return [*lines, ""], gates


def _components(by_kind: dict[str, list[str]]) -> dict[str, dict[str, list[str]]]:
    """Coverage and test reports by component (the top-level folder, or "root") and role."""
    comps: dict[str, dict[str, list[str]]] = {}
    for kind, role in _COMPONENT_ROLES:
        for rel in by_kind.get(kind, []):
            comps.setdefault(_component(rel) or "root", {}).setdefault(role, []).append(rel)
    return comps


def _component_entry(name: str, roles: dict[str, list[str]]) -> list[str]:
    paths = f"[{name}/]" if name != "root" else "['**']"
    return [
        f"  {name}:",
        f"    paths: {paths}",
        *(f"    {role}: [{', '.join(rels)}]" for role, rels in sorted(roles.items())),
    ]


def _component_gates(root: str, name: str, roles: dict[str, list[str]]) -> list[str]:
    """A coverage floor (80%, or today's value when lower) and no failing tests, for the roles present."""
    gates = []
    if "coverage" in roles:
        cur = _current(root, roles["coverage"][0], "coverage.lines.pct")
        floor = _coverage_floor(cur)
        gates.append(f"  - {{metric: coverage.lines.pct, component: {name}, min: {floor}%}}{_now(cur, '%')}")
    if "tests" in roles:
        gates.append(f"  - {{metric: tests.failing, component: {name}, max: 0}}")
    return gates


def _coverage_floor(current: float | None) -> int:
    """80, or today's coverage rounded down when it is lower, so the first run passes."""
    return 80 if current is None or current >= 80 else max(0, math.floor(current))


def _report_lines(root: str, by_kind: dict[str, list[str]]) -> tuple[list[str], list[str]]:
    reports: list[str] = []
    gates: list[str] = []
    simple = (
        ("radon", "complexity", "complexity.cyclomatic.max", 10),
        ("complexipy", "cognitive", "complexity.cognitive.max", 15),
        ("jscpd", "duplication", "duplication.lines.pct", 3),
    )
    for kind, role, metric, limit in simple:
        rels = by_kind.get(kind, [])
        if rels:
            reports.append(f"  {role}: [{', '.join(rels)}]")
            gates.append(f"  - {{metric: {metric}, max: {limit}}}{_now(_current(root, rels[0], metric))}")
    if by_kind.get("sarif"):
        reports.append(f"  findings: [{', '.join(by_kind['sarif'])}]")
        gates.append("  - {metric: security.blocking, max: 0}   # CRITICAL/HIGH security findings")
        gates.append("  - {metric: smells.count, max: 10, level: warn}   # non-security linter findings")
    if by_kind.get("k6"):
        reports.append(f"  k6: [{', '.join(by_kind['k6'])}]")
        gates.append("  - {metric: k6.http_req_duration.p(95), lt: 200ms}")
        gates.append("  - {metric: k6.http_req_failed.rate, lt: 10%}")
    return (["reports:", *reports, ""] if reports else []), gates


def render_policy(root: str, found: list[tuple[str, str]]) -> str:
    by_kind: dict[str, list[str]] = {}
    for rel, kind in found:
        by_kind.setdefault(kind, []).append(rel)
    comp_lines, comp_gates = _component_lines(root, by_kind)
    report_lines, report_gates = _report_lines(root, by_kind)
    gates = comp_gates + report_gates
    if not gates:
        raise UsageError(
            f"no report found under {root}: run your tests with coverage and JUnit output first "
            "(or write the policy by hand; see README)"
        )
    head = [
        "# Written by `qualitygate init` from the reports found in this tree. Adjust the thresholds;",
        "# README 'The policy language' documents every key. Run `qualitygate check` to see the verdict.",
        "defaults:",
        "  missing: fail   # a gate whose report is missing fails; never a silent pass",
        "",
    ]
    return "\n".join([*head, *comp_lines, *report_lines, "gates:", *gates, ""])


def run(root: str, output: str | None, force: bool) -> int:
    from qualitygate.render import write_atomic

    target = output or os.path.join(root, DEFAULT_POLICY)
    if target != "-" and os.path.exists(target) and not force:
        raise UsageError(f"{target} exists; pass --force to overwrite it")
    text = render_policy(root, _find(root))
    if target != "-":
        os.makedirs(os.path.dirname(os.path.abspath(target)), exist_ok=True)
    write_atomic(target, text)
    if target != "-":
        sys.stderr.write(f"wrote {target}\n")
    return 0
