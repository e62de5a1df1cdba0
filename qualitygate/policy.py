"""The normalised policy: what the engine evaluates, free of any parsing or validation machinery.

The policy file (``.github/quality-gates.yml``) is validated by :mod:`qualitygate.policy_schema` (pydantic)
and normalised into a :class:`Policy`: a flat tuple of :class:`Gate` objects with thresholds converted to
each metric's canonical unit, every report location resolved to explicit globs, and plain frozen dataclasses
for the path mapping, security and smells settings. This module imports no third-party package, so the
engine, the rules and a cached policy (:mod:`qualitygate.config`) never pay for pydantic.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal, cast

from qualitygate.units import split_k6_metric
from qualitygate.waivers import Match, Waiver, WaiverPolicy


class Missing(StrEnum):
    """What a gate does when its data is missing: always visible in the verdict."""

    FAIL = "fail"
    WARN = "warn"
    SKIP = "skip"


SeverityWord = Literal["CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"]
GateLevel = Literal["fail", "warn"]  # what a failing gate does (a SARIF result's level is model.Level)
EffortLevel = Literal["error", "warning", "note", "none"]
Op = Literal["<", "<=", ">", ">="]


@dataclass(frozen=True, slots=True)
class PrefixRule:
    from_: str
    to: str = ""


@dataclass(frozen=True, slots=True)
class Mapping:
    """``path_mapping``: prefix rules (first match wins), then ``auto`` suffix search."""

    rules: tuple[PrefixRule, ...] = ()
    auto: bool = True


@dataclass(frozen=True, slots=True)
class Security:
    """``security``: which severities block, read from the scanner's word or the CVSS band."""

    severity: tuple[SeverityWord, ...] = ("CRITICAL", "HIGH")
    source: Literal["scanner", "cvss"] = "scanner"
    ignore_unfixed: bool = False


@dataclass(frozen=True, slots=True)
class Smells:
    """``smells``: remediation effort in minutes per SARIF level, when a report carries none."""

    effort: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_EFFORT))


# SonarQube's most common rule default is 5 min; errors and warnings are weighted up.
DEFAULT_EFFORT: dict[str, float] = {"error": 15.0, "warning": 10.0, "note": 5.0, "none": 5.0}


# ------------------------------------------------------------------------------- normalised policy


@dataclass(frozen=True, slots=True)
class Source:
    """Where reports of one role are looked for. ``first_match``: the first glob that finds a file wins
    (defaults that list alternatives); otherwise every match of every glob is read and merged."""

    globs: tuple[str, ...]
    first_match: bool = False


@dataclass(frozen=True, slots=True)
class Component:
    name: str
    paths: tuple[str, ...]
    coverage: Source
    tests: Source


@dataclass(frozen=True, slots=True)
class Gate:
    id: str
    title: str
    metric: str
    op: Op
    threshold: float  # in the metric's canonical unit
    written: str  # the threshold as the policy wrote it, for messages
    unit: str | None
    level: GateLevel
    missing: Missing
    component: str | None = None
    paths: tuple[str, ...] = ()
    min_lines: int | None = None  # new-code coverage/duplication: skip (visibly) below this many lines
    project: str | None = None  # a Playwright project: tests.* gates read only its tests

    # no worse than the base: the gate bounds the metric's drop (higher is better) or rise (lower is better)
    # against the base results, ``threshold`` in the metric's unit, or in % of the base value (``relative``)
    vs_base: Literal["drop", "rise"] | None = None
    relative: bool = False


DEFAULT_BASELINE = ".github/quality-baseline.json"


@dataclass(frozen=True, slots=True)
class BaselineSettings:
    """``baseline:``: where the baseline file is, and what a stale entry does (None: fail when the ``CI``
    variable is set, else warn with the command to run)."""

    path: str = DEFAULT_BASELINE
    stale: Literal["fail", "warn"] | None = None


@dataclass(frozen=True, slots=True)
class Policy:
    source: str
    gates: tuple[Gate, ...]
    components: dict[str, Component]
    reports: dict[str, Source]
    mapping: Mapping
    security: Security
    smells: Smells
    baseline: BaselineSettings | None = field(default_factory=BaselineSettings)  # None: ``baseline: false``
    waivers: tuple[Waiver, ...] = ()
    waiver_policy: WaiverPolicy = field(default_factory=WaiverPolicy)


# Documented defaults (README, "Where reports are looked for").
DEFAULT_REPORTS: dict[str, Source] = {
    "coverage": Source(
        ("coverage.xml", "coverage/cobertura-coverage.xml", "coverage/lcov.info", "lcov.info"), True
    ),
    "tests": Source(("**/junit*.xml", "**/TEST-*.xml")),
    "complexity": Source(("radon-cc.json", "radon.json", "radon-cc.txt"), True),
    "cognitive": Source(("complexipy.json", "complexipy-results.json"), True),
    "duplication": Source(("jscpd-report.json", "report/jscpd-report.json", "jscpd/jscpd-report.json"), True),
    "findings": Source(("trivy-results.sarif", "*.sarif")),
    "k6": Source(("k6-summary.json", "summary.json", "k6/summary.json"), True),
    "locust": Source(("locust_stats.csv", "locust/locust_stats.csv"), True),
}


def component_defaults(name: str) -> tuple[Source, Source]:
    coverage = Source(
        (
            f"{name}/coverage.xml",
            f"{name}/coverage/lcov.info",
            f"{name}/coverage/cobertura-coverage.xml",
            f"{name}/coverage/coverage-summary.json",
        ),
        True,
    )
    return coverage, Source((f"{name}/**/junit*.xml",))


_K6_EXPR = re.compile(
    r"^\s*(avg|min|max|med|p\(\d+(?:\.\d+)?\)|rate|count|value)\s*(<=|>=|==|===|<|>)\s*(-?\d+(?:\.\d+)?)\s*$"
)


def parse_k6_expression(metric: str, expr: str) -> tuple[str, Op, float]:
    """``p(95)<200`` -> (``k6.<metric>.p(95)``, ``<``, 200.0). Raises ValueError with the grammar."""
    m = _K6_EXPR.match(expr)
    if not m:
        raise ValueError(
            f"k6 threshold {expr!r} for {metric}: expected 'aggregation operator value', "
            "e.g. 'p(95)<200', 'rate<0.01'"
        )
    stat, op, value = m.groups()
    if op in {"==", "==="}:
        raise ValueError(
            f"k6 threshold {expr!r}: equality thresholds are not supported as gates; use <= and >="
        )
    if not math.isfinite(float(value)):
        raise ValueError(f"k6 threshold for {metric}: a number of {len(value)} digits is not a finite number")
    return f"k6.{metric}.{stat}", cast(Op, op), float(value)


_METRIC_TITLES = {
    "coverage.lines.pct": "Line coverage",
    "coverage.branches.pct": "Branch coverage",
    "coverage.functions.pct": "Function coverage",
    "coverage.statements.pct": "Statement coverage",
    "complexity.cyclomatic.max": "Cyclomatic complexity",
    "complexity.cognitive.max": "Cognitive complexity",
    "duplication.lines.pct": "Duplicated lines",
    "security.blocking": "Security hotspots",
    "smells.count": "Code smells",
    "smells.debt": "Technical debt",
    "tests.failing": "Failing tests",
    "tests.failed": "Failed tests",
    "tests.errors": "Test errors",
    "tests.flaky": "Flaky tests",
    "tests.pass_rate": "Test pass rate",
    "tests.removed": "Removed tests",
    "new.coverage.lines.pct": "New code line coverage",
    "new.coverage.branches.pct": "New code branch coverage",
    "new.coverage.lines.covered": "New code lines covered",
    "new.coverage.lines.total": "New code coverable lines",
    "new.coverage.branches.covered": "New code branches covered",
    "new.coverage.branches.total": "New code branches",
    "new.complexity.cyclomatic.max": "New code cyclomatic complexity",
    "new.complexity.cognitive.max": "New code cognitive complexity",
    "new.duplication.lines.pct": "New code duplicated lines",
    "new.security.blocking": "New security hotspots",
    "new.smells.count": "New code smells",
    "new.smells.debt": "New technical debt",
    "new.tests.failing": "Newly failing tests",
}


def gate_title(metric: str, component: str | None) -> str:
    base = _METRIC_TITLES.get(metric)
    if base is None and metric.startswith("k6."):
        name, stat = split_k6_metric(metric)
        base = f"k6 {name} {stat}"
    base = base or metric
    return f"{base} ({component})" if component else base


# Which report role feeds a metric. Coverage and tests are per component; the rest are repository-wide and
# scoped to a component's paths when a gate names one.
_ROLE_PREFIXES = (
    ("coverage.", "coverage"),
    ("tests.", "tests"),
    ("complexity.cognitive.", "cognitive"),
    ("complexity.", "complexity"),
    ("duplication.", "duplication"),
    ("findings.", "findings"),
    ("security.", "findings"),
    ("smells.", "findings"),
    ("k6.", "k6"),
    ("locust.", "locust"),
)
ROLE_FAMILY = {
    "coverage": "coverage",
    "tests": "tests",
    "complexity": "complexity",
    "cognitive": "complexity",
    "duplication": "duplication",
    "findings": "findings",
    "k6": "k6",
    "locust": "locust",
}
PER_COMPONENT_ROLES = frozenset({"coverage", "tests"})


NEW_PREFIX = "new."


def is_new_code(metric: str) -> bool:
    """A new-code metric (``new.coverage.lines.pct``): measured on what the change adds, not the tree."""
    return metric.startswith(NEW_PREFIX)


def role_for_metric(metric: str) -> str:
    """The report role a metric reads; a new-code metric reads the reports of its whole-tree twin."""
    bare = metric[len(NEW_PREFIX) :] if is_new_code(metric) else metric
    for prefix, role in _ROLE_PREFIXES:
        if bare.startswith(prefix):
            return role
    raise ValueError(
        f"unknown metric {metric!r}: metric names start with coverage., tests., complexity., "
        "duplication., findings., security., smells., k6., locust. or new."
    )


def source_key(gate: Gate) -> tuple[str, str | None]:
    """The (role, component) whose reports a gate reads."""
    role = role_for_metric(gate.metric)
    return role, gate.component if role in PER_COMPONENT_ROLES else None


# ------------------------------------------------------------------------------ serialised (cache)

POLICY_CACHE_FORMAT = 4  # 3: baseline, waivers, waiver_policy; 4: max_drop/max_rise (vs_base, relative)
_OP_WORDS = frozenset({"<", "<=", ">", ">="})


def policy_to_dict(policy: Policy) -> dict[str, object]:
    """A JSON-able form of a normalised policy (for the validated-policy cache)."""
    from dataclasses import asdict

    return {"format": POLICY_CACHE_FORMAT, **asdict(policy)}


def _check_cached_gates(gates: tuple[Gate, ...]) -> None:
    """A cache entry is trusted only as far as this: at least one gate, each with a known bound and level
    (anything else makes the caller validate the file afresh)."""
    if not gates or any(g.op not in _OP_WORDS or g.level not in ("fail", "warn") for g in gates):
        raise ValueError("not a policy this version would write")


def policy_from_dict(d: dict[str, Any]) -> Policy:
    """The inverse of :func:`policy_to_dict`; raises KeyError/TypeError/ValueError on anything else."""
    if d["format"] != POLICY_CACHE_FORMAT:
        raise ValueError("another cache format")

    def source(s: dict[str, Any]) -> Source:
        return Source(tuple(s["globs"]), bool(s["first_match"]))

    gates = tuple(
        Gate(**{**g, "missing": Missing(g["missing"]), "paths": tuple(g["paths"])}) for g in d["gates"]
    )
    _check_cached_gates(gates)
    components = {
        name: Component(name, tuple(c["paths"]), source(c["coverage"]), source(c["tests"]))
        for name, c in d["components"].items()
    }
    m, sec = d["mapping"], d["security"]
    return Policy(
        baseline=None if d["baseline"] is None else BaselineSettings(**d["baseline"]),
        waivers=tuple(Waiver(**{**w, "match": Match(**w["match"])}) for w in d["waivers"]),
        waiver_policy=WaiverPolicy(**d["waiver_policy"]),
        source=d["source"],
        gates=gates,
        components=components,
        reports={role: source(s) for role, s in d["reports"].items()},
        mapping=Mapping(tuple(PrefixRule(r["from_"], r["to"]) for r in m["rules"]), bool(m["auto"])),
        security=Security(tuple(sec["severity"]), sec["source"], bool(sec["ignore_unfixed"])),
        smells=Smells({str(k): float(v) for k, v in d["smells"]["effort"].items()}),
    )


# Every metric a gate can name (README "Metric names"); k6 metrics follow k6's own naming.
KNOWN_METRICS: frozenset[str] = frozenset(
    [
        f"coverage.{w}.{s}"
        for w in ("lines", "statements", "branches", "functions")
        for s in ("pct", "covered", "total")
    ]
    + ["coverage.files"]
    + [f"tests.{s}" for s in ("total", "passed", "failed", "errors", "skipped", "flaky", "duration_s")]
    + ["tests.pass_rate", "tests.failing", "tests.retries", "tests.removed"]
    + ["complexity.blocks", "complexity.errors"]
    + [f"complexity.{m}.{s}" for m in ("cyclomatic", "cognitive") for s in ("max", "mean")]
    + ["duplication.lines.pct", "duplication.lines.duplicated", "duplication.lines.total"]
    + ["duplication.clones", "duplication.files"]
    + [f"findings.{s}" for s in ("total", "error", "warning", "note", "suppressed")]
    + [f"findings.{s}" for s in ("critical", "high", "medium", "low")]
    + ["security.blocking", "smells.count", "smells.debt", "k6.thresholds.failed"]
)
# The new-code metrics (README "New code"): measured on the lines a change adds.
NEW_CODE_METRICS: frozenset[str] = frozenset(
    [f"new.coverage.{w}.{s}" for w in ("lines", "branches") for s in ("pct", "covered", "total")]
    + ["new.smells.count", "new.smells.debt", "new.security.blocking"]
    + ["new.complexity.cyclomatic.max", "new.complexity.cognitive.max"]
    + ["new.duplication.lines.pct", "new.tests.failing"]
)
KNOWN_METRICS = KNOWN_METRICS | NEW_CODE_METRICS
# The new-code gates a small change skips (visibly) under ``min_lines``, as SonarQube does silently.
SMALL_CHANGE_METRICS: frozenset[str] = frozenset(
    m for m in NEW_CODE_METRICS if m.startswith(("new.coverage.", "new.duplication."))
)
_K6_METRIC = re.compile(
    r"k6\.[A-Za-z_][\w]*(\{[^{}]*\})?\.(avg|min|med|max|p\(\d+(\.\d+)?\)|rate|count|value|passes|fails)\Z"
)


# Locust: locust.<request name or "METHOD name" or Aggregated>.<stat> (README "Metric names").
_LOCUST_METRIC = re.compile(
    r"locust\..+\.(count|failures|fail_ratio|med|avg|min|max|avg_size|rps|fails_per_s|p\(\d+(\.\d+)?\))\Z"
)

# Metrics measured against the base commit's results (``--base-results``): missing data without them.
BASE_METRICS: frozenset[str] = frozenset({"tests.removed", "new.tests.failing"})


def check_metric(metric: str) -> None:
    """ValueError, with the closest known name, for a metric no report produces: a typo must be a policy
    error, never a gate whose data is 'missing' (which ``missing: warn`` would let pass)."""
    role_for_metric(metric)
    if metric in KNOWN_METRICS or _K6_METRIC.match(metric) or _LOCUST_METRIC.match(metric):
        return
    import difflib

    close = difflib.get_close_matches(metric, sorted(KNOWN_METRICS), n=1)
    if metric.startswith("locust."):
        hint = (
            "Locust metrics are locust.<name>.<stat>, e.g. locust.Aggregated.p(95), locust./cart.fail_ratio"
        )
    elif metric.startswith("k6."):
        hint = "k6 metrics are k6.<metric>[{tag:value}].<stat>, e.g. k6.http_req_duration.p(95)"
    else:
        hint = f"did you mean {close[0]!r}?" if close else "see README 'Metric names'"
    raise ValueError(f"unknown metric {metric!r} ({hint})")
