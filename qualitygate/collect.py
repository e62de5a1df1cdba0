"""Finding and reading the reports a policy needs: the I/O half of ``qualitygate check``.

For every (role, component) some gate reads, the policy's globs are resolved in the working tree, each file
is parsed once (its kind sniffed from the content, named by its repository-relative path) and hashed. The
paths inside it are named once, as the parser builds each file, block, finding, case and clone: ``collect``
hands ``parse_report`` a :class:`RepoNamer` (``parsers/naming.py``), which maps each path with a
:class:`~qualitygate.pathmap.PathMapper` (rules in ``pathmap.py``) and counts the coverage files found in the
working tree and the clone files not found, for the verdict's :class:`InputInfo`. The engine then works on
the result without touching the disk.

A report read by several (role, component)s is parsed and named once, with the bases (the report's folder,
the component's folders) of the first one whose family it is: one of another family (left out there) is
parsed again when a later role takes it with other bases.

An unreadable report is an :class:`~qualitygate.errors.InputError` (exit 3): no verdict is written as if
it were whole. A report of the wrong family where a role expected another (a ``*.sarif`` glob that catches
something else) is left out with a warning that the verdict shows.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from qualitygate.globs import Tree
from qualitygate.inputs import Collected, Loaded
from qualitygate.model import ComplexityReport, CoverageReport, DuplicationReport, FindingsReport, Report
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
    tree = Tree(root)
    out = Collected()
    parsed: dict[str, _Parsed] = {}
    infos: dict[str, InputInfo] = {}
    keys = sorted({source_key(g) for g in policy.gates}, key=lambda k: (k[0], k[1] or ""))
    for role, component in keys:
        source = _source_for(policy, role, component)
        out.sought[(role, component)] = source.globs
        loaded: list[Loaded] = []
        for rel in resolve(source, tree):
            info = infos.get(rel)
            bases = _bases(policy, rel, component)
            fresh = RepoNamer(PathMapper(root, policy.mapping, bases, tree.files), bases)
            got = _parsed(parsed, root, rel, fresh, reuse=info is not None)
            report = got.report
            if report.family != ROLE_FAMILY[role]:
                note = f"{rel}: a {report.kind} report, not {ROLE_FAMILY[role]}; left out"
                out.ignored.setdefault((role, component), []).append(note)
                continue
            if info is None:
                info = _input_info(root, rel, report, component, got.namer)
                got.namer = None  # its mapper's cache (a key and a result per path) is not needed after
                infos[rel] = info
                out.inputs.append(info)
            loaded.append(Loaded(rel, role, component, report, info))
        out.reports[(role, component)] = loaded
    return out


@dataclass
class _Parsed:
    report: Report
    bases: tuple[str, ...]  # those it was named with
    namer: RepoNamer | None  # until its InputInfo is made


def _parsed(parsed: dict[str, _Parsed], root: str, rel: str, namer: RepoNamer, *, reuse: bool) -> _Parsed:
    """The report at ``rel``, parsed once and named by ``namer``; parsed again only if it was parsed for a
    role that left it out (another family) with other bases, and no role took it since (``reuse``)."""
    from qualitygate.parsers import parse_report

    got = parsed.get(rel)
    if got is None or (not reuse and got.bases != namer.bases):
        report = parse_report(os.path.join(root, rel), display=rel, namer=namer)
        got = parsed[rel] = _Parsed(report, namer.bases, namer)
    return got


def _bases(policy: Policy, rel: str, component: str | None) -> tuple[str, ...]:
    report_dir = posixpath.dirname(rel)
    bases: list[str] = [report_dir] if report_dir else []
    if component is not None:
        bases += [p.split("*", 1)[0].rstrip("/") for p in policy.components[component].paths]
    return tuple(bases)


@dataclass
class CoverageNames:
    """One reading of a coverage report (``naming.CoverageNaming``): with several sources, two entries with
    one relative name (different files, see ``parsers/cobertura.py``) go to different roots when the
    repository holds the name under both; counts the files found in the working tree, lists the others."""

    mapper: PathMapper
    found: int = 0
    missing: list[str] = field(default_factory=list)
    taken: set[str] = field(default_factory=set)

    def name(self, path: str, sources: Sequence[str]) -> str:
        mapped, ok = _map_coverage_path(self.mapper, path, sources, self.taken)
        if ok:
            self.found += 1
            self.taken.add(mapped)
        else:
            self.missing.append(mapped)
        return mapped


class RepoNamer:
    """Names a report's paths as the repository does (``naming.Namer``), with one :class:`PathMapper`."""

    def __init__(self, mapper: PathMapper, bases: tuple[str, ...]) -> None:
        self.mapper = mapper
        self.bases = bases
        self.last: CoverageNames | None = None  # the reading that made the report (a parser may start over)
        self.not_found: dict[str, None] = {}  # paths named but not in the working tree, in order
        self.outside = 0  # items named with a path outside the repository (``pathmap.outside``)

    def name(self, path: str) -> str:
        mapped, ok = self.mapper.map(path)
        if not ok:
            self.not_found[mapped] = None
            if outside(mapped):
                self.outside += 1
        return mapped

    def coverage(self) -> CoverageNames:
        self.last = CoverageNames(self.mapper)
        return self.last


def _input_info(
    root: str, rel: str, report: Report, component: str | None, namer: RepoNamer | None
) -> InputInfo:
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
        last = namer.last if namer is not None else None
        found, missing = (last.found, last.missing) if last is not None else (0, [])
        info = replace(
            info, files_total=len(report.files), files_found=found, files_missing=missing[:MAX_MISSING_LISTED]
        )
    elif isinstance(report, DuplicationReport):
        info.warnings.extend(_clones_warning(list(namer.not_found) if namer is not None else []))
    elif namer is not None:
        info.warnings.extend(_outside_warning(report, namer))
    return info


def _outside_warning(report: Report, namer: RepoNamer) -> list[str]:
    """A warning naming the items whose path stays outside the repository (an absolute path no mapping
    brings under the root): they count in whole-tree gates under that path, never on a changed line."""
    if not namer.outside:
        return []
    noun = (
        "function(s)"
        if isinstance(report, ComplexityReport)
        else "finding(s)"
        if isinstance(report, FindingsReport)
        else "test case(s)"
    )
    named = [p for p in namer.not_found if outside(p)]
    shown = ", ".join(named[:MAX_MISSING_LISTED]) + (", ..." if len(named) > MAX_MISSING_LISTED else "")
    return [
        f"{namer.outside} {noun} point outside the repository (kept as absolute paths: counted by whole-tree "
        f"gates, never on changed lines; add a path_mapping rule if they are repository files): {shown}"
    ]


def _clones_warning(missing: list[str]) -> list[str]:
    """A warning naming the files of the report's clones found nowhere in the working tree."""
    if not missing:
        return []
    shown = ", ".join(missing[:MAX_MISSING_LISTED]) + (", ..." if len(missing) > MAX_MISSING_LISTED else "")
    return [
        f"{len(missing)} file(s) of its clones are not in the working tree (add a path_mapping rule): {shown}"
    ]


def _map_coverage_path(
    mapper: PathMapper, path: str, sources: Sequence[str], taken: set[str] | frozenset[str] = frozenset()
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
