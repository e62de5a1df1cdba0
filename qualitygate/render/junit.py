"""JUnit XML, for CI systems that show test reports (GitLab, Jenkins, Azure, test-reporter actions).

One ``<testsuite name="qualitygate">``; one ``<testcase classname="qualitygate.<component or all>"
name="<gate title>">`` per gate. A failed gate holds ``<failure>``, a gate that could not be evaluated
``<error>``, a skipped one ``<skipped>``; a warning passes with a ``<system-out>`` that says so. The
failure's text lists the evidence. ``time`` is "0": a gate takes no measurable time, and some readers need
the attribute.

Built with ElementTree, so every attribute and text is escaped; characters XML 1.0 cannot hold at all (ANSI
escapes and other control characters in test output) are replaced with U+FFFD first.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from qualitygate.render._common import (
    evidence_label,
    evidence_text,
    evidence_total,
    fmt_actual,
    fmt_threshold,
    one_line,
)
from qualitygate.verdict import GateResult, Status, Verdict

MAX_ITEMS = 50  # evidence items listed in one failure's text

# XML 1.0 Char production (https://www.w3.org/TR/xml/#charsets): everything else is not well-formed.
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(value: str) -> str:
    return _NOT_XML_CHAR.sub("\ufffd", value)


def render(verdict: Verdict, *, max_items: int = MAX_ITEMS) -> str:
    s = verdict.summary
    suite = ET.Element(
        "testsuite",
        {
            "name": "qualitygate",
            "tests": str(s.total),
            "failures": str(s.failed),
            "errors": str(s.errored),
            "skipped": str(s.skipped),
            "time": "0",
        },
    )
    props = ET.SubElement(suite, "properties")
    for name, value in (
        ("policy", verdict.policy),
        ("status", verdict.status),
        ("tool_version", verdict.tool_version),
    ):
        ET.SubElement(props, "property", {"name": name, "value": _clean(value)})
    for gate in verdict.gates:
        _testcase(suite, gate, max_items)
    if verdict.problems:
        err = ET.SubElement(suite, "system-err")
        err.text = _clean("".join(f"problem: {p}\n" for p in verdict.problems))
    ET.indent(suite, space="  ")
    body = ET.tostring(suite, encoding="unicode", short_empty_elements=True)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def _testcase(suite: ET.Element, gate: GateResult, max_items: int) -> None:
    case = ET.SubElement(
        suite,
        "testcase",
        {
            "classname": _clean(f"qualitygate.{gate.component or 'all'}"),
            "name": _clean(gate.title),
            "time": "0",
        },
    )
    message = _clean(one_line(gate.message))
    if gate.status is Status.FAIL:
        ET.SubElement(case, "failure", {"message": message, "type": _clean(gate.metric)}).text = _details(
            gate, max_items
        )
    elif gate.status is Status.ERROR:
        ET.SubElement(case, "error", {"message": message, "type": _clean(gate.metric)}).text = _details(
            gate, max_items
        )
    elif gate.status is Status.SKIP:
        ET.SubElement(case, "skipped", {"message": message})
    elif gate.status is Status.WARN:
        ET.SubElement(case, "system-out").text = "WARNING: " + _details(gate, max_items)


def _details(gate: GateResult, max_items: int) -> str:
    lines = [
        one_line(gate.message),
        f"{gate.metric}: {fmt_actual(gate)} (threshold {fmt_threshold(gate, unicode=False)})",
    ]
    if gate.inputs:
        lines.append("inputs: " + ", ".join(gate.inputs))
    if gate.evidence:
        total = evidence_total(gate)
        shown = gate.evidence[:max_items]
        count = f" ({len(shown)} of {total})" if len(shown) < total else ""
        lines.append(f"{evidence_label(gate)}{count}:")
        lines += [f"  {evidence_text(item, gate)}" for item in shown]
        if total > len(shown):
            lines.append(f"  ... and {total - len(shown)} more")
    return _clean("\n".join(lines) + "\n")
