"""jscpd JSON report (``jscpd --reporters json``: ``jscpd-report.json``), copy/paste detection.

Shape (jscpd 4.x/5.x, kucherenko/jscpd ``packages/finder/src/reporters/json.ts``)::

    {"statistics": {"detectionDate": "...", "formats": {"<format>": {...}},
                    "total": {"lines", "tokens", "sources", "clones", "duplicatedLines",
                              "duplicatedTokens", "percentage", "percentageTokens", ...}},
     "duplicates": [{"format", "lines", "tokens", "fragment",
                     "firstFile": {"name", "start", "end", "startLoc", "endLoc"}, "secondFile": {...}}]}

The totals are jscpd's own (only it knows every source it read, including files without clones); the
clones come from ``duplicates``. jscpd's own clone count and percentage are compared with ours and a
disagreement becomes a warning. Sources in embedded formats are named ``<file>:<format>``
(``camel-case/README.md:markdown``); that suffix is dropped so the path is a path.
"""

from __future__ import annotations

import math
import re
from typing import Any

from qualitygate.errors import ReportFormatError
from qualitygate.model import Clone, CloneLocation, DuplicationReport, pct, to_posix
from qualitygate.parsers import naming
from qualitygate.parsers.jsonload import load_object, type_name

WHAT = "jscpd JSON report"

_SNIFF_STATS = re.compile(r'"statistics"\s*:\s*\{')
_SNIFF_DUPS = re.compile(r'"duplicates"\s*:\s*\[')


KIND = "jscpd"
REFRESH = {"": "npx jscpd --reporters json --output {dir} ."}


def sniff(head: str) -> bool:
    """``"duplicates": [`` with either ``"statistics": {`` or jscpd's ``"firstFile"``.

    jscpd writes ``duplicates`` first, with every clone's source fragment, so on a real report
    ``statistics`` is usually beyond the 64 KiB the sniffer sees.
    """
    if _SNIFF_DUPS.search(head) is None:
        return False
    return '"firstFile"' in head or _SNIFF_STATS.search(head) is not None


def parse(path: str, display: str | None = None) -> DuplicationReport:
    doc = load_object(path, WHAT)
    stats = doc.get("statistics")
    dups = doc.get("duplicates")
    if not isinstance(stats, dict) or not isinstance(dups, list):
        raise ReportFormatError(
            path, "not a jscpd report: expected a 'statistics' object and a 'duplicates' array"
        )
    total = stats.get("total")
    if not isinstance(total, dict):
        raise ReportFormatError(path, f"statistics.total: expected an object, got {type_name(total)}")
    report = DuplicationReport(
        path=display or path,
        kind="jscpd",
        tool="jscpd",
        lines_total=_count(path, total, "lines"),
        lines_duplicated=_count(path, total, "duplicatedLines"),
        files_total=_count(path, total, "sources"),
    )
    formats = stats.get("formats")
    if isinstance(formats, dict):
        report.formats = sorted(str(k) for k in formats)
    for i, d in enumerate(dups):
        report.clones.append(_clone(path, d, f"duplicates[{i}]"))
    _compare(report, total)
    return report


def _count(path: str, obj: dict[str, Any], key: str, where: str = "statistics.total") -> int:
    v = obj.get(key)
    if not isinstance(v, int) or isinstance(v, bool) or v < 0:
        raise ReportFormatError(path, f"{where}.{key}: expected a count, got {v!r}")
    return v


def _location(path: str, loc: object, fmt: str, where: str) -> CloneLocation:
    if not isinstance(loc, dict):
        raise ReportFormatError(path, f"{where}: expected an object, got {type_name(loc)}")
    name = loc.get("name")
    if not isinstance(name, str):
        raise ReportFormatError(path, f"{where}.name: expected a string, got {name!r}")
    suffix = f":{fmt}"
    if fmt and name.endswith(suffix):
        name = name[: -len(suffix)]
    return CloneLocation(
        file=naming.paths()(to_posix(name)),
        start=_count(path, loc, "start", where),
        end=_count(path, loc, "end", where),
    )


def _clone(path: str, d: object, where: str) -> Clone:
    if not isinstance(d, dict):
        raise ReportFormatError(path, f"{where}: expected an object, got {type_name(d)}")
    fmt = d.get("format")
    fmt = fmt if isinstance(fmt, str) else ""
    return Clone(
        format=fmt,
        lines=_count(path, d, "lines", where),
        first=_location(path, d.get("firstFile"), fmt, f"{where}.firstFile"),
        second=_location(path, d.get("secondFile"), fmt, f"{where}.secondFile"),
    )


def _compare(report: DuplicationReport, total: dict[str, Any]) -> None:
    clones = total.get("clones")
    if isinstance(clones, int) and clones != len(report.clones):
        n = len(report.clones)
        report.warnings.append(
            f"jscpd reports {clones} clones in statistics.total; the duplicates array has {n}"
        )
    written = total.get("percentage")
    ours = pct(report.lines_duplicated, report.lines_total)
    if (
        isinstance(written, int | float)
        and ours is not None
        and not math.isclose(written, ours, rel_tol=1e-9)
    ):
        report.warnings.append(
            f"jscpd reports {written} % duplicated lines, its own line counts give {ours} %"
        )
