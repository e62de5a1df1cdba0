"""Formatting shared by the renderers: numbers with units, thresholds, deltas, counts, evidence labels.

Private to ``qualitygate.render``. It holds wording only, no output syntax: each format module does its own
escaping (Markdown, workflow commands, XML), so a format never imports another format to look like it.
"""

from __future__ import annotations

from qualitygate.units import format_value
from qualitygate.verdict import AcceptedInfo, Evidence, GateResult, InputInfo, Status, Summary, Verdict

STATUS_WORD: dict[Status, str] = {
    Status.PASS: "PASS",
    Status.SKIP: "SKIP",
    Status.WARN: "WARN",
    Status.FAIL: "FAIL",
    Status.ERROR: "ERROR",
}

# The operator is the condition a value must meet to pass ("coverage >= 80").
OPERATOR_ASCII: dict[str, str] = {"<": "<", "<=": "<=", ">": ">", ">=": ">=", "==": "==", "!=": "!="}
OPERATOR_UNICODE: dict[str, str] = {"<": "<", "<=": "≤", ">": ">", ">=": "≥", "==": "=", "!=": "≠"}


def fmt_actual(gate: GateResult, *, missing: str = "n/a") -> str:
    """The gate's value, never reading as its threshold unless it is exactly that (79.996% is not "80%")."""
    if gate.actual is None:
        return missing
    return ("~" if gate.estimate else "") + format_value(gate.actual, gate.unit, against=gate.threshold)


def fmt_threshold(gate: GateResult, *, unicode: bool) -> str:
    op = (OPERATOR_UNICODE if unicode else OPERATOR_ASCII)[gate.operator]
    return f"{op} {format_value(gate.threshold, gate.unit)}"


def fmt_delta(gate: GateResult, base: Verdict, *, missing: str) -> str:
    """The change of a gate's actual value against the same gate id in ``base``: "+1.2%", "-3 ms", "±0"."""
    previous = next((g for g in base.gates if g.id == gate.id), None)
    if previous is None:
        return "new"
    if gate.actual is None or previous.actual is None:
        return missing
    return signed(gate.actual - previous.actual, gate.unit)


def signed(diff: float, unit: str | None) -> str:
    """A change in a value's unit, with its sign: "+1.2%", "-3 ms", "±0"."""
    diff = round(diff, 4)
    if diff == 0:
        return "±0"
    return ("+" if diff > 0 else "-") + format_value(abs(diff), unit)


def plural(n: int, word: str) -> str:
    """``plural(1, "report")`` -> "1 report"; ``plural(3, "report")`` -> "3 reports"."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def counts_phrase(summary: Summary) -> str:
    """ "8 gates: 1 error, 3 failed, 1 warning, 3 passed" (worst first, zero counts left out)."""
    parts = [
        (summary.errored, "error", "errors"),
        (summary.failed, "failed", "failed"),
        (summary.warned, "warning", "warnings"),
        (summary.skipped, "skipped", "skipped"),
        (summary.passed, "passed", "passed"),
    ]
    listed = ", ".join(f"{n} {one if n == 1 else many}" for n, one, many in parts if n)
    noun = "gate" if summary.total == 1 else "gates"
    return f"{summary.total} {noun}: {listed}" if listed else f"{summary.total} {noun}"


def attention_gates(verdict: Verdict) -> list[GateResult]:
    """Gates a person has to look at, worst first (error, fail, warn), policy order within a status."""
    wanted = (Status.ERROR, Status.FAIL, Status.WARN)
    return new_code_first([g for status in wanted for g in verdict.gates if g.status is status])


def first_line(text: str | None) -> str:
    if not text:
        return ""
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


def one_line(text: str) -> str:
    """Collapse every run of whitespace (newlines included) to one space."""
    return " ".join(text.split())


def truncate(text: str, width: int, ellipsis: str = "...") -> str:
    if width <= 0:
        return ""
    if len(text) <= width:
        return text
    if width <= len(ellipsis):
        return text[:width]
    return text[: width - len(ellipsis)].rstrip() + ellipsis


def truncate_middle(text: str, width: int, ellipsis: str = "...") -> str:
    """Keep both ends (a path's file name, a test id's parameters): "src/very/.../module_001.py"."""
    if len(text) <= width:
        return text
    if width <= len(ellipsis) + 2:
        return truncate(text, width, ellipsis)
    keep = width - len(ellipsis)
    head = keep // 2
    return text[:head] + ellipsis + text[len(text) - (keep - head) :]


def evidence_total(gate: GateResult) -> int:
    """How many evidence items exist (the engine may have listed only the top ones)."""
    return max(gate.evidence_total, len(gate.evidence))


def location(item: Evidence) -> str:
    if item.path is None:
        return ""
    return f"{item.path}:{item.line}" if item.line is not None else item.path


def subject_and_location(item: Evidence) -> tuple[str, str]:
    """What the item is, and where; a file item whose title is its path is shown once, as a location."""
    where = location(item)
    if item.path is not None and item.title == item.path:
        return where, ""
    if item.path is not None and item.title.startswith(item.path + "::"):
        return item.title, ""  # a test id names its file already
    return item.title, where


def evidence_value(item: Evidence, gate: GateResult) -> str:
    """An item's value; in the gate's unit, it never reads as the gate's threshold unless it is that."""
    against = gate.threshold if item.unit == gate.unit else None
    return format_value(item.value, item.unit, against=against, missing="")


_KIND_LABEL: dict[str, str] = {
    "file": "files",
    "function": "functions over the limit",
    "test": "failing tests",
    "finding": "findings",
    "metric": "values",
    "clone": "duplicated blocks",
    "input": "inputs",
}


def evidence_label(gate: GateResult) -> str:
    """What a gate's evidence list is, e.g. "least-covered files", "failing tests"."""
    kinds = {e.kind for e in gate.evidence}
    if len(kinds) != 1:
        return "evidence"
    kind = kinds.pop()
    if kind == "file" and gate.metric.startswith("coverage."):
        return "least-covered files"
    if kind == "metric" and gate.metric.startswith("k6."):
        return "k6 values"
    if kind == "test" and gate.status is Status.WARN:
        return "tests"
    return _KIND_LABEL[kind]


def files_missing(info: InputInfo) -> int:
    """How many of a report's files are not in the working tree: those listed, or more when the counts of
    files found and in total say so (the list is capped)."""
    missing = len(info.files_missing)
    if info.files_total is not None and info.files_found is not None:
        missing = max(missing, info.files_total - info.files_found)
    return missing


def evidence_text(item: Evidence, gate: GateResult) -> str:
    """One plain line for an item: "12.5%  src/api/export.py", "test_x — AssertionError: ...". No escaping."""
    subject, where = subject_and_location(item)
    parts = [p for p in (evidence_value(item, gate), subject, where) if p]
    text = "  ".join(parts)
    detail = first_line(item.detail)
    return f"{text} — {detail}" if detail else text


def is_new_code(gate: GateResult) -> bool:
    """A gate on what the change adds (``new.*`` metric)."""
    return gate.metric.startswith("new.")


def new_code_first(gates: list[GateResult]) -> list[GateResult]:
    """The new-code gates first (they are what a pull request is judged on), each group in its order."""
    return [g for g in gates if is_new_code(g)] + [g for g in gates if not is_new_code(g)]


def change_line(verdict: Verdict) -> str | None:
    """``change: origin/main (merge base 1a2b3c4), 3 files, 120 lines``; None when no change was judged."""
    c = verdict.change
    if c is None:
        return None
    if c.base_ref is not None:
        where = c.base_ref + (f" (merge base {c.merge_base[:7]})" if c.merge_base else "")
    else:
        where = c.source
    return f"change: {where}, {plural(c.files, 'file')}, {plural(c.lines, 'added line')}"


def base_line(verdict: Verdict) -> str | None:
    """``base results: verdict base.json (commit 1a2b3c4): findings 1 new, 2 unchanged, 1 moved, 0 fixed``;
    None when no base results were asked for."""
    b = verdict.base
    if b is None:
        return None
    where = b.source + (f" (commit {b.commit[:7]})" if b.commit else "")
    if b.missing:
        return f"base results: none from {where}: {b.missing}"
    buckets = ", ".join(f"{n} {word}" for word, n in b.findings.items())
    tests = [(len(b.tests_newly_failing), "newly failing"), (len(b.tests_removed), "removed")]
    tests.append((len(b.tests_flaky), "failed on the base and pass now (flaky?)"))
    said = "; ".join(f"{n} {what}" for n, what in tests if n)
    return f"base results: {where}: findings {buckets}" + (f"; tests: {said}" if said else "")


def fmt_gate_delta(gate: GateResult, *, missing: str) -> str:
    """The delta against the base results the verdict carries ("+1.2%", "-3 ms", "±0", "n/a")."""
    if gate.delta is None:
        return missing
    from qualitygate.units import metric_unit

    # a max_rise: 10% gate's delta is in the metric's unit, not in %
    return signed(gate.delta, metric_unit(gate.metric))


def line_span(start: int, end: int) -> str:
    """``line 12`` or ``lines 12-15``."""
    return f"line {start}" if start == end else f"lines {start}-{end}"


_ITEM_WORDS = {
    "finding": ("finding", "findings"),
    "function": ("function", "functions"),
    "test": ("test", "tests"),
}


def _items(counts: dict[str, int]) -> str:
    parts = []
    for kind, n in counts.items():
        one, many = _ITEM_WORDS.get(kind, ("item", "items"))
        parts.append(f"{n} {one if n == 1 else many}")
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def accepted_phrase(verdict: Verdict) -> str:
    """`` (3 findings waived, 2 functions baselined, 1 expiring in 5 days)``: what a pass owes to accepted
    debt, so that it never looks like a clean pass; "" when nothing was accepted."""
    a = verdict.accepted
    if a is None:
        return ""
    parts = _accepted_parts(a)
    return f" ({', '.join(parts)})" if parts else ""


def _accepted_parts(a: AcceptedInfo) -> list[str]:
    parts = []
    if a.waived:
        parts.append(f"{_items(a.waived)} waived")
    if a.baselined:
        parts.append(f"{_items(a.baselined)} baselined")
    return parts + _waiver_parts(a)


def _waiver_parts(a: AcceptedInfo) -> list[str]:
    parts = []
    accepted_gates = sum(len(w.gates) for w in a.waivers)
    if accepted_gates:
        parts.append(f"{plural(accepted_gates, 'failing gate')} accepted")
    expiring = [w for w in a.waivers if w.expiring]
    if expiring:
        soonest = min(w.days_left for w in expiring)
        parts.append(f"{len(expiring)} expiring in {plural(soonest, 'day')}")
    return parts
