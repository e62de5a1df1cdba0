"""``qualitygate parse FILE``: read one report and print its metrics."""

from __future__ import annotations

import json
import sys
from typing import TextIO

from qualitygate.model import Report


def report_document(report: Report) -> dict[str, object]:
    return {
        "file": report.path,
        "kind": report.kind,
        "family": report.family,
        "tool": report.tool,
        "metrics": report.metrics(),
        "warnings": list(report.warnings),
    }


def run(path: str, kind: str | None, fmt: str, out: TextIO | None = None) -> int:
    from qualitygate.parsers import parse_report

    out = out or sys.stdout  # looked up per call: a default bound at import would outlive a redirect
    report = parse_report(path, kind, digest=False)  # nothing here records the file's SHA-256
    doc = report_document(report)
    if fmt == "json":
        json.dump(doc, out, indent=2, sort_keys=False)
        out.write("\n")
    else:
        from tabulate import tabulate

        from qualitygate.units import format_value, metric_unit

        rows = [(k, format_value(v, metric_unit(k))) for k, v in report.metrics().items()]
        out.write(f"{report.path}  ({report.kind}{', ' + report.tool if report.tool else ''})\n")
        out.write(tabulate(rows, headers=["metric", "value"], tablefmt="simple", disable_numparse=True))
        out.write("\n")
        for w in report.warnings:
            out.write(f"warning: {w}\n")
    return 0
