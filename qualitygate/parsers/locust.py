"""Locust's request statistics CSV (``locust --csv PREFIX`` writes ``PREFIX_stats.csv``).

Header (Locust 2.x)::

    Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,
    Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,
    99.99%,100%

One row per request (method in ``Type``, name in ``Name``) and a last row ``,Aggregated,...``: the whole
run. Each becomes ``locust.<key>.<stat>``, named as k6 names its stats: ``count``, ``failures``,
``fail_ratio`` (failures / count, 0..1: Locust's own ``fail_ratio``), ``med``, ``avg``, ``min``, ``max``
(milliseconds), ``avg_size`` (bytes), ``rps``, ``fails_per_s``, and the percentiles ``p(50)`` ...
``p(99.9)``, ``p(99.99)``, ``p(100)``. The key is the request's ``Name`` (``locust./api/cart.p(95)``); where
two rows share a name (``GET /`` and ``POST /``) each is keyed by method and name (``locust.GET /.p(95)``);
the aggregated row is ``locust.Aggregated``. ``N/A`` (no sample) leaves the stat out.
"""

from __future__ import annotations

import csv
import io
import math

from qualitygate.errors import ReportFormatError
from qualitygate.model import LocustReport, LocustRow
from qualitygate.parsers.jsonload import read_text

WHAT = "Locust stats CSV"

_HEAD = "Type,Name,Request Count,Failure Count"
_COLUMNS = {
    "Request Count": "count",
    "Failure Count": "failures",
    "Median Response Time": "med",
    "Average Response Time": "avg",
    "Min Response Time": "min",
    "Max Response Time": "max",
    "Average Content Size": "avg_size",
    "Requests/s": "rps",
    "Failures/s": "fails_per_s",
}
AGGREGATED = "Aggregated"
_COUNTS = frozenset({"count", "failures"})


KIND = "locust"
REFRESH: dict[str, str] = {}  # no command known: "re-run the tool that wrote ..."


def sniff(head: str) -> bool:
    """The first line starts with Locust's ``Type,Name,Request Count,Failure Count``."""
    return head.lstrip("\ufeff").startswith(_HEAD)


def _stat_name(column: str) -> str | None:
    if column in _COLUMNS:
        return _COLUMNS[column]
    if column.endswith("%"):
        return f"p({column[:-1]})"
    return None


def _number(path: str, text: str, line: int, column: str) -> float | None:
    text = text.strip()
    if text in {"", "N/A"}:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ReportFormatError(
            path, f"column {column!r}: expected a number, got {text[:40]!r}", line=line
        ) from None
    if not math.isfinite(value) or value < 0:
        raise ReportFormatError(
            path, f"column {column!r}: expected a number >= 0, got {text[:40]!r}", line=line
        )
    return value


def _rows(path: str) -> list[list[str]]:
    """The CSV's rows; what the csv module refuses (a lone CR, a NUL, a 128 KiB field) names the line."""
    reader = csv.reader(io.StringIO(read_text(path, WHAT)))
    try:
        return list(reader)
    except csv.Error as exc:
        raise ReportFormatError(path, f"not a CSV file: {exc}", line=reader.line_num) from None


def parse(path: str, display: str | None = None) -> LocustReport:
    rows = _rows(path)
    if not rows or ",".join(rows[0][:4]) != _HEAD:
        raise ReportFormatError(
            path, f"not a Locust stats CSV: the first line must start with {_HEAD!r}", line=1
        )
    header = rows[0]
    report = LocustReport(path=display or path, kind="locust", tool="locust")
    for n, cells in enumerate(rows[1:], start=2):
        if not cells:
            continue
        if len(cells) != len(header):
            raise ReportFormatError(path, f"{len(cells)} columns, the header has {len(header)}", line=n)
        report.rows.append(_row(path, header, cells, n))
    if report.row(AGGREGATED) is None:
        raise ReportFormatError(path, "no Aggregated row: the file is cut short (Locust writes it last)")
    _name_keys(report.rows)
    return report


def _row(path: str, header: list[str], cells: list[str], line: int) -> LocustRow:
    stats: dict[str, float] = {}
    for column, text in zip(header[2:], cells[2:], strict=True):
        stat = _stat_name(column)
        value = _number(path, text, line, column) if stat else None
        if stat and value is not None:
            stats[stat] = int(value) if stat in _COUNTS and value.is_integer() else value
    count = stats.get("count")
    if count is None:
        raise ReportFormatError(path, "no Request Count", line=line)
    if count:
        stats["fail_ratio"] = stats.get("failures", 0.0) / count
    method, name = cells[0].strip(), cells[1].strip()
    return LocustRow(method=method, name=name, key=name, stats=stats)


def _name_keys(rows: list[LocustRow]) -> None:
    """A name two rows share is keyed by method and name (``GET /``, ``POST /``)."""
    seen: dict[str, int] = {}
    for r in rows:
        seen[r.name] = seen.get(r.name, 0) + 1
    for r in rows:
        if seen[r.name] > 1 and r.method:
            r.key = f"{r.method} {r.name}"
