"""OWASP ZAP's traditional JSON report (``report_json.json``: zap-baseline.py/zap-full-scan.py ``-J``, the
``traditional-json`` report template).

Shape: ``{"@programName"?, "@version", "@generated", "site": [{"@name", "@host", "@port", "@ssl",
"alerts": [{"pluginid", "alertRef", "alert", "name", "riskcode", "confidence", "riskdesc", "desc",
"instances": [{"uri", "method", "param", "attack", "evidence", ...}], "count", "solution", "reference",
"cweid", "wascid", "sourceid"}]}]}``; ZAP writes the numbers as strings.

One finding per alert per site, as ZAP's own summary counts alerts ("Number of Alerts" per risk level);
the instances (URLs) are counted in the message. ``riskcode`` is ZAP's risk: 3 = HIGH (SARIF level
``error``), 2 = MEDIUM (``warning``), 1 = LOW (``note``), 0 = informational (no severity, level ``none``:
never blocking, not in ``findings.<severity>``). Every alert is a security finding. The path is the site's
URL (ZAP scans a running site, not files), so per-path gates never match it.
"""

from __future__ import annotations

import re
from typing import Any

from qualitygate.errors import ReportFormatError
from qualitygate.model import Finding, FindingsReport, Level, Severity
from qualitygate.parsers import naming
from qualitygate.parsers.jsonload import load_object, type_name

WHAT = "ZAP JSON report"

_DIGITS = re.compile(r"[0-9]{1,18}")  # not str.isdigit(): "²" is a digit to it and not to int()
RISK = {
    3: (Severity.HIGH, Level.ERROR),
    2: (Severity.MEDIUM, Level.WARNING),
    1: (Severity.LOW, Level.NOTE),
    0: (Severity.NONE, Level.NONE),
}


KIND = "zap"
REFRESH: dict[str, str] = {}  # no command known: "re-run the tool that wrote ..."


def sniff(head: str) -> bool:
    """ZAP's ``"@generated"`` or ``"@programName"`` with a ``"site"`` array (or an alert's ``"riskcode"``)."""
    if '"@generated"' not in head and '"@programName"' not in head:
        return False
    return '"site"' in head or '"riskcode"' in head


def parse(path: str, display: str | None = None) -> FindingsReport:
    doc = load_object(path, WHAT)
    sites = doc.get("site")
    if not isinstance(sites, list):
        raise ReportFormatError(
            path, f"not a ZAP JSON report: 'site' is {type_name(sites)}, expected an array"
        )
    report = FindingsReport(path=display or path, kind="zap", tool="zap")
    for i, site in enumerate(sites):
        where = f"site[{i}]"
        if not isinstance(site, dict):
            raise ReportFormatError(path, f"{where}: expected an object, got {type_name(site)}")
        alerts = site.get("alerts", [])
        if not isinstance(alerts, list):
            raise ReportFormatError(path, f"{where}.alerts: expected an array, got {type_name(alerts)}")
        name = site.get("@name")
        for j, alert in enumerate(alerts):
            report.findings.append(_finding(path, alert, f"{where}.alerts[{j}]", name))
    return report


def _number(path: str, v: object, where: str) -> int:
    """ZAP writes numbers as strings ("2"); accept either."""
    if isinstance(v, int) and not isinstance(v, bool):
        return v
    if isinstance(v, str) and _DIGITS.fullmatch(v.strip()):
        return int(v)
    shown = repr(v) if len(repr(v)) <= 60 else repr(v)[:57] + "..."
    raise ReportFormatError(path, f"{where}: expected a number, got {shown}")


def _finding(path: str, alert: object, where: str, site: object) -> Finding:
    if not isinstance(alert, dict):
        raise ReportFormatError(path, f"{where}: expected an alert object, got {type_name(alert)}")
    risk = _number(path, alert.get("riskcode"), f"{where}.riskcode")
    if risk not in RISK:
        raise ReportFormatError(path, f"{where}.riskcode: expected 0, 1, 2 or 3, got {risk}")
    severity, level = RISK[risk]
    plugin = alert.get("pluginid")
    rule = str(plugin) if isinstance(plugin, str | int) and not isinstance(plugin, bool) else ""
    if not rule:
        raise ReportFormatError(path, f"{where}.pluginid: expected the scan rule's id, got {plugin!r}")
    ref = alert.get("alertRef")
    return Finding(
        rule_id=rule,
        level=level,
        severity=severity,
        scanner_severity=severity,
        message=_message(alert),
        tool="zap",
        security=True,
        path=naming.paths()(site) if isinstance(site, str) and site else None,
        fingerprint=f"{site}:{ref if isinstance(ref, str) and ref else rule}",
    )


def _message(alert: dict[str, Any]) -> str:
    name = alert.get("name") or alert.get("alert")
    instances = alert.get("instances")
    n = len(instances) if isinstance(instances, list) else 0
    return f"{name if isinstance(name, str) else 'ZAP alert'} ({n} instance{'s' if n != 1 else ''})"
