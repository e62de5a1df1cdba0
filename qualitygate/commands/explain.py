"""``qualitygate explain``: what a new-code gate reads, for when its figure looks wrong.

It prints the change (base ref, merge base, each changed file with its added lines as ranges), the reports
found, how each coverage report's paths were mapped to repository paths (grouped by the prefix that was
rewritten), and the changed files that no coverage report measures. Plain text, stable order.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from qualitygate.change import Change, ranges
from qualitygate.errors import ExitCode

if TYPE_CHECKING:
    from qualitygate.inputs import Collected
    from qualitygate.policy import Policy

MAX_LISTED = 10


@dataclass(frozen=True, slots=True)
class ReportPaths:
    """One report the check reads, with its paths as written and as mapped (coverage reports only)."""

    path: str
    kind: str
    role: str
    component: str | None
    pairs: tuple[tuple[str, str, bool], ...] = ()  # (as written, mapped, found in the working tree)


def run(root: str, config: str | None, preset: str | None, base: str | None, base_diff: str | None) -> int:
    from qualitygate.collect import collect
    from qualitygate.commands.check import CheckOptions, load_checked_policy
    from qualitygate.gitchange import resolve_change

    opts = CheckOptions(root=root, config=config, preset=preset)
    policy = load_checked_policy(opts)
    if base is None and base_diff is None:
        base = ""  # explain always wants a change: the default base, or an error saying how to name one
    change = resolve_change(root, base=base, base_diff=base_diff, wanted=True)
    assert change is not None  # an explicit or default base either gives a change or raises
    reports = report_paths(root, collect(with_coverage_gates(policy), root))
    sys.stdout.write(render(change, reports))
    return int(ExitCode.OK)


def with_coverage_gates(policy: Policy) -> Policy:
    """The policy plus a coverage gate for the whole tree and each component, so that the coverage reports
    are found even when no gate of the policy reads them."""
    from qualitygate.policy import Gate, Missing

    extra = tuple(
        Gate(
            id=f"explain.coverage.{c or 'all'}",
            title="",
            metric="coverage.lines.pct",
            op=">=",
            threshold=0.0,
            written="0",
            unit="%",
            level="warn",
            missing=Missing.SKIP,
            component=c,
        )
        for c in (None, *sorted(policy.components))
    )
    return replace(policy, gates=policy.gates + extra)


def report_paths(root: str, collected: Collected) -> list[ReportPaths]:
    """Every report read once, in path order; a coverage report's paths as written (parsed again: the
    collected report holds the mapped ones) beside the mapped ones."""
    import os

    from qualitygate.model import CoverageReport
    from qualitygate.parsers import parse_report

    seen: dict[str, ReportPaths] = {}
    for (role, component), entries in sorted(collected.reports.items(), key=lambda kv: str(kv[0])):
        for entry in entries:
            if entry.rel in seen:
                continue
            pairs: tuple[tuple[str, str, bool], ...] = ()
            if isinstance(entry.report, CoverageReport):
                raw = parse_report(os.path.join(root, entry.rel))
                assert isinstance(raw, CoverageReport)
                mapped = entry.report.files
                missing = set(entry.info.files_missing)
                pairs = tuple(
                    (r.path, m.path, m.path not in missing) for r, m in zip(raw.files, mapped, strict=True)
                )
            seen[entry.rel] = ReportPaths(entry.rel, entry.report.kind, role, component, pairs)
    return [seen[k] for k in sorted(seen)]


def rewrite(raw: str, mapped: str) -> tuple[str, str]:
    """The prefix of ``raw`` that mapping replaced, and what replaced it (their common tail removed)."""
    a, b = raw.replace("\\", "/").split("/"), mapped.split("/")
    n = 0
    while n < min(len(a), len(b)) and a[len(a) - 1 - n] == b[len(b) - 1 - n]:
        n += 1
    head_a, head_b = a[: len(a) - n], b[: len(b) - n]
    return "/".join(head_a) + ("/" if head_a else ""), "/".join(head_b) + ("/" if head_b else "")


def render_change(change: Change) -> list[str]:
    if change.merge_base is not None:
        out = [f"change: from the merge base of {change.base_ref} and HEAD to the working tree"]
        out.append(f"  merge base: {change.merge_base}")
    else:
        out = [f"change: {change.source}"]
    out += [f"  note: {n}" for n in change.notes]
    files = sorted(change.files.values(), key=lambda f: f.path)
    adding = f"{change.changed_files} adding lines, {change.changed_lines} added lines"
    out.append(f"changed files: {len(files)} ({adding})")
    width = max((len(f.path) for f in files), default=0)
    for f in files:
        what = f"{f.status}{', binary' if f.binary else ''}"
        origin = f"  (from {f.old_path})" if f.old_path else ""
        added = f"+{len(f.added)}" + (f": {ranges(f.added)}" if f.added else "")
        out.append(f"  {f.path:<{width}}  {what:<9}  {added}{origin}")
    return out


def render_report(r: ReportPaths) -> list[str]:
    where = f", component {r.component}" if r.component else ""
    out = [f"  {r.path}  ({r.kind}, {r.role}{where})"]
    if r.pairs:
        found = sum(1 for _, _, ok in r.pairs if ok)
        out.append(f"    {found} of {len(r.pairs)} files found in the working tree")
        out += mapping_lines(r.pairs)
    return out


def mapping_lines(pairs: Sequence[tuple[str, str, bool]]) -> list[str]:
    """One line per rewrite (prefix as written -> prefix in the repository) with its file count, then the
    files not found."""
    out: list[str] = []
    groups = Counter(rewrite(raw, mapped) for raw, mapped, ok in pairs if ok)
    for (src, dst), count in sorted(groups.items()):
        rule = "as written" if src == dst else f"{src or '(nothing)'} -> {dst or '(root)'}"
        out.append(f"    {rule}: {count}")
    return out + not_found_lines([mapped for _, mapped, ok in pairs if not ok])


def not_found_lines(missing: Sequence[str]) -> list[str]:
    if not missing:
        return []
    more = f", and {len(missing) - MAX_LISTED} more" if len(missing) > MAX_LISTED else ""
    return [f"    not found: {', '.join(missing[:MAX_LISTED])}{more}"]


def unmeasured(change: Change, reports: Iterable[ReportPaths]) -> list[str]:
    """Changed files that add lines and that no coverage report lists (after mapping)."""
    measured = {mapped for r in reports for _, mapped, _ in r.pairs}
    return sorted(p for p, f in change.files.items() if f.added and p not in measured)


def render(change: Change, reports: Sequence[ReportPaths]) -> str:
    out = render_change(change)
    out.append(f"reports: {len(reports)}")
    for r in reports:
        out += render_report(r)
    coverage = [r for r in reports if r.role == "coverage"]
    lost = unmeasured(change, coverage)
    if not coverage:
        out.append("changed files no coverage report measures: all (no coverage report found)")
    else:
        out.append(f"changed files no coverage report measures: {len(lost)}")
    out += [f"  {p}  +{len(change.added_lines(p))}" for p in lost] if coverage else []
    return "\n".join(out) + "\n"
