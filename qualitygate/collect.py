"""Finding and reading the reports a policy needs: the I/O half of ``qualitygate check``.

For every (role, component) some gate reads, the policy's globs are resolved in the working tree, each file
is parsed once (its kind sniffed from the content, named by its repository-relative path), hashed, and the
paths inside it are mapped to repository paths. The engine then works on the result without touching the disk.

The mapped path replaces each item's path in place (``_remap_*``): a copy of every file, block, finding and
case would cost an object each (478,000 for a monorepo's lcov), and the mapping's cost is its ``stat`` calls
(24.9 s of 25.5 s in ``_remap_coverage`` on that lcov under cProfile), not the assignment.

An unreadable report is an :class:`~qualitygate.errors.InputError` (exit 3): no verdict is written as if
it were whole. A report of the wrong family where a role expected another (a ``*.sarif`` glob that catches
something else) is left out with a warning that the verdict shows.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
from dataclasses import replace

from qualitygate.globs import Tree
from qualitygate.inputs import Collected, Loaded
from qualitygate.model import (
    ComplexityReport,
    CoverageReport,
    DuplicationReport,
    FindingsReport,
    Report,
    TestReport,
)
from qualitygate.pathmap import PathMapper, outside
from qualitygate.policy import PER_COMPONENT_ROLES, ROLE_FAMILY, Policy, Source, source_key
from qualitygate.verdict import InputInfo

MAX_MISSING_LISTED = 10


def _sha256(path: str) -> str:
    """The file's SHA-256: hashed by the parser's read when it read it all (``parsers/reading.py``), else
    read here."""
    from qualitygate.parsers.reading import take_digest

    done = take_digest(path)
    if done is not None:
        return done
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def resolve(source: Source, tree: Tree) -> list[str]:
    out: list[str] = []
    for pattern in source.globs:
        found = tree.glob(pattern)
        for f in found:
            if f not in out:
                out.append(f)
        if source.first_match and out:
            break
    return out


def _source_for(policy: Policy, role: str, component: str | None) -> Source:
    if component is not None and role in PER_COMPONENT_ROLES:
        comp = policy.components[component]
        return comp.coverage if role == "coverage" else comp.tests
    return policy.reports[role]


def collect(policy: Policy, root: str) -> Collected:
    from qualitygate.parsers import parse_report

    tree = Tree(root)
    out = Collected()
    parsed: dict[str, Report] = {}
    infos: dict[str, InputInfo] = {}
    keys = sorted({source_key(g) for g in policy.gates}, key=lambda k: (k[0], k[1] or ""))
    for role, component in keys:
        source = _source_for(policy, role, component)
        out.sought[(role, component)] = source.globs
        loaded: list[Loaded] = []
        for rel in resolve(source, tree):
            full = os.path.join(root, rel)
            report = parsed.get(rel)
            if report is None:
                report = parse_report(full, display=rel)
                parsed[rel] = report
            if report.family != ROLE_FAMILY[role]:
                note = f"{rel}: a {report.kind} report, not {ROLE_FAMILY[role]}; left out"
                out.ignored.setdefault((role, component), []).append(note)
                continue
            info = infos.get(rel)
            if info is None:
                info = _map_paths(policy, root, rel, report, component, tree=tree)
                infos[rel] = info
                out.inputs.append(info)
            loaded.append(Loaded(rel, role, component, report, info))
        out.reports[(role, component)] = loaded
    return out


def _map_paths(
    policy: Policy, root: str, rel: str, report: Report, component: str | None, *, tree: Tree | None = None
) -> InputInfo:
    report_dir = posixpath.dirname(rel)
    bases: list[str] = [report_dir] if report_dir else []
    if component is not None:
        bases += [p.split("*", 1)[0].rstrip("/") for p in policy.components[component].paths]
    mapper = PathMapper(root, policy.mapping, tuple(bases), tree.files if tree is not None else None)
    full = os.path.join(root, rel)
    info = InputInfo(
        path=rel,
        kind=report.kind,
        size=os.path.getsize(full),
        sha256=_sha256(full),
        component=component,
        warnings=list(report.warnings),
    )
    if isinstance(report, CoverageReport):
        found, missing = _remap_coverage(mapper, report)
        info = replace(
            info, files_total=len(report.files), files_found=found, files_missing=missing[:MAX_MISSING_LISTED]
        )
    elif isinstance(report, DuplicationReport):
        info.warnings.extend(_remap_clones(mapper, report))
    else:
        _remap_items(mapper, report)
        info.warnings.extend(_outside_warning(report))
    return info


def _remap_coverage(mapper: PathMapper, report: CoverageReport) -> tuple[int, list[str]]:
    """Map every file; with several sources, two entries with one relative name (different files, see
    ``parsers/cobertura.py``) go to different roots when the repository holds the name under both."""
    found = 0
    missing: list[str] = []
    taken: set[str] = set()
    for f in report.files:
        mapped, ok = _map_coverage_path(mapper, f.path, report.sources, taken)
        f.path = mapped
        if ok:
            found += 1
            taken.add(mapped)
        else:
            missing.append(mapped)
    return found, missing


def _remap_items(mapper: PathMapper, report: Report) -> None:
    """Map the paths of complexity blocks, findings and test cases (found or not)."""
    if isinstance(report, ComplexityReport):
        _remap_blocks(mapper, report)
    elif isinstance(report, FindingsReport):
        _remap_findings(mapper, report)
    elif isinstance(report, TestReport):
        _remap_cases(mapper, report)


def _item_paths(report: Report) -> tuple[str, list[str | None]]:
    """What a report's items are called, and the path of each (complexity blocks, findings, test cases)."""
    if isinstance(report, ComplexityReport):
        return "function(s)", [b.file for b in report.blocks]
    if isinstance(report, FindingsReport):
        return "finding(s)", [fd.path for fd in report.findings]
    if isinstance(report, TestReport):
        return "test case(s)", [t.file for t in report.cases]
    return "", []


def _outside_warning(report: Report) -> list[str]:
    """A warning naming the items whose path stays outside the repository (an absolute path no mapping
    brings under the root): they count in whole-tree gates under that path, never on a changed line."""
    noun, paths = _item_paths(report)
    out = [p for p in paths if p and outside(p)]
    if not out:
        return []
    named = list(dict.fromkeys(out))
    shown = ", ".join(named[:MAX_MISSING_LISTED]) + (", ..." if len(named) > MAX_MISSING_LISTED else "")
    return [
        f"{len(out)} {noun} point outside the repository (kept as absolute paths: counted by whole-tree "
        f"gates, never on changed lines; add a path_mapping rule if they are repository files): {shown}"
    ]


def _mapped(mapper: PathMapper, path: str) -> str:
    """The repository path for a report's path, whether or not the file exists in the working tree."""
    return mapper.map(path)[0]


def _remap_blocks(mapper: PathMapper, report: ComplexityReport) -> None:
    for b in report.blocks:
        b.file = _mapped(mapper, b.file)


def _remap_findings(mapper: PathMapper, report: FindingsReport) -> None:
    for fd in report.findings:
        fd.path = _mapped(mapper, fd.path) if fd.path else fd.path


def _remap_clones(mapper: PathMapper, report: DuplicationReport) -> list[str]:
    """Map both locations of every clone; a warning naming the files found nowhere in the working tree."""
    missing: list[str] = []
    for c in report.clones:
        for attr in ("first", "second"):
            loc = getattr(c, attr)
            mapped, ok = mapper.map(loc.file)
            setattr(c, attr, replace(loc, file=mapped))
            if not ok and mapped not in missing:
                missing.append(mapped)
    if not missing:
        return []
    shown = ", ".join(missing[:MAX_MISSING_LISTED]) + (", ..." if len(missing) > MAX_MISSING_LISTED else "")
    return [
        f"{len(missing)} file(s) of its clones are not in the working tree (add a path_mapping rule): {shown}"
    ]


def _remap_cases(mapper: PathMapper, report: TestReport) -> None:
    for t in report.cases:
        t.file = _mapped(mapper, t.file) if t.file else t.file


def _map_coverage_path(
    mapper: PathMapper, path: str, sources: list[str], taken: set[str] | frozenset[str] = frozenset()
) -> tuple[str, bool]:
    """A relative path is tried under each source in turn; with several, the first found that no earlier
    entry of the report ``taken`` wins (else the first found at all)."""
    if not posixpath.isabs(path) and sources:
        first: tuple[str, bool] | None = None
        for s in sources:
            mapped, ok = mapper.map(posixpath.join(s.replace("\\", "/"), path))
            if ok and mapped not in taken:
                return mapped, ok
            if ok and first is None:
                first = mapped, ok
        if first is not None:
            return first
    return mapper.map(path)
