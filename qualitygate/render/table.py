"""The default human output: a status line, a table of gates, then what to fix for each gate that failed.

Plain ASCII apart from what the reports themselves contain (a Windows console may not have a "≥"), within
about 100 columns. Colour is the caller's decision (``color=True``: a TTY without ``NO_COLOR``); without it
the output holds no escape sequence.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass

from tabulate import tabulate

from qualitygate.render._common import (
    STATUS_WORD,
    accepted_phrase,
    attention_gates,
    base_line,
    change_line,
    counts_phrase,
    evidence_label,
    evidence_total,
    evidence_value,
    files_missing,
    first_line,
    fmt_actual,
    fmt_threshold,
    new_code_first,
    one_line,
    subject_and_location,
    truncate,
    truncate_middle,
)
from qualitygate.verdict import Evidence, GateResult, InputInfo, Status, Verdict

WIDTH = 100
MAX_ITEMS = 5

_COLOR: dict[Status, str] = {
    Status.PASS: "\x1b[32m",  # green
    Status.SKIP: "\x1b[2m",  # dim
    Status.WARN: "\x1b[33m",  # yellow
    Status.FAIL: "\x1b[31m",  # red
    Status.ERROR: "\x1b[1;31m",  # bold red
}
_RESET = "\x1b[0m"

_Word = Callable[[Status], str]  # a status word, coloured or not

_TITLE_WIDTH = 34
_VALUE_WIDTH = 12
_MIN_MESSAGE_WIDTH = 24


def _base_lines(verdict: Verdict, width: int) -> list[str]:
    against = base_line(verdict)
    if not against:
        return []
    warned = verdict.base.warnings if verdict.base else []
    return [_wrap(against, width, indent="", hang="  ")] + [
        _wrap(w, width, indent="  warning: ", hang="    ") for w in warned
    ]


def render(verdict: Verdict, *, color: bool = False, width: int = WIDTH, max_items: int = MAX_ITEMS) -> str:
    """The verdict as a terminal report. Pure: the same verdict and options give the same text."""

    def word(status: Status) -> str:
        text = STATUS_WORD[status]
        return f"{_COLOR[status]}{text}{_RESET}" if color else text

    overall = Status(verdict.status)
    head = f"{word(overall)}{accepted_phrase(verdict)}  {counts_phrase(verdict.summary)}"
    lines = [f"{head}  (policy {verdict.policy})"]
    change = change_line(verdict)
    if change:
        lines.append(change)
        notes = verdict.change.notes if verdict.change else []
        lines += [_wrap(n, width, indent="  note: ", hang="    ") for n in notes]
    lines += _base_lines(verdict, width)
    if verdict.gates:
        lines += ["", _gate_table(new_code_first(verdict.gates), word, width)]
    for gate in attention_gates(verdict):
        lines += ["", *_gate_section(gate, word, width, max_items)]
    warnings = _input_warnings(verdict.inputs)
    if warnings:
        lines += ["", "input warnings:"]
        lines += [_wrap(w, width, indent="  ", hang="    ") for w in warnings]
    if verdict.problems:
        lines += ["", "problems:"]
        lines += [_wrap(p, width, indent="  - ", hang="    ") for p in verdict.problems]
    return "\n".join(lines) + "\n"


def _gate_table(gates: list[GateResult], word: _Word, width: int) -> str:
    rows = [
        [
            word(g.status),
            truncate(one_line(g.title), _TITLE_WIDTH),
            truncate(fmt_actual(g, missing="-"), _VALUE_WIDTH),
            truncate(fmt_threshold(g, unicode=False), _VALUE_WIDTH),
            one_line(g.reason or ""),
        ]
        for g in gates
    ]
    if not any(r[4] for r in rows):  # every gate passed: nothing to explain
        return _tabulate([r[:4] for r in rows])
    # Lay the table out once with empty reasons to learn how many columns the others take.
    prefix = _tabulate([[*r[:4], ""] for r in rows]).splitlines()[0].index("why")
    message_width = max(width - prefix, _MIN_MESSAGE_WIDTH)
    for r in rows:
        r[4] = truncate(r[4], message_width)
    return _tabulate(rows)


def _tabulate(rows: list[list[str]]) -> str:
    """The gate table; a fifth column (the reasons) only when some row has one."""
    width = len(rows[0]) if rows else 5
    return tabulate(
        rows,
        headers=["status", "gate", "actual", "threshold", "why"][:width],
        tablefmt="simple",
        disable_numparse=True,
        colalign=("left", "left", "right", "left", "left")[:width],
    ).rstrip()


def _gate_section(gate: GateResult, word: _Word, width: int, max_items: int) -> list[str]:
    head = f"{word(gate.status)}  {one_line(gate.title)}: {fmt_actual(gate)} (threshold "
    head += f"{fmt_threshold(gate, unicode=False)})"
    out = [head, _wrap(one_line(gate.message), width, indent="  ", hang="  ")]
    if gate.status is Status.ERROR and gate.inputs and not gate.evidence:
        out.append(_wrap("inputs: " + ", ".join(gate.inputs), width, indent="  ", hang="    "))
    if not gate.evidence:
        return out
    total = evidence_total(gate)
    shown = gate.evidence[:max_items] if max_items >= 0 else gate.evidence
    label = evidence_label(gate)
    out.append(f"  {label} ({len(shown)} of {total}):" if len(shown) < total else f"  {label}:")
    out += _evidence_rows(shown, gate, width)
    if total > len(shown):
        out.append(f"    ... and {total - len(shown)} more (--format json lists every item)")
    return out


_Cells = tuple[str, str, str, str]  # value, subject, location, detail


@dataclass(frozen=True)
class _Widths:
    """Column widths of the evidence rows; 0 leaves the column out."""

    value: int
    subject: int
    where: int


def _evidence_rows(items: list[Evidence], gate: GateResult, width: int) -> list[str]:
    """Aligned rows: value, subject, location, detail. A test's message goes on its own line below it."""
    cells = [_evidence_cells(item, gate) for item in items]
    widths = _column_widths(items, cells, width)
    out = []
    for item, row in zip(items, cells, strict=True):
        out += _evidence_lines(item, row, widths, width)
    return out


def _evidence_cells(item: Evidence, gate: GateResult) -> _Cells:
    subject, where = subject_and_location(item)
    return evidence_value(item, gate), one_line(subject), where, first_line(item.detail)


def _detail_inline(item: Evidence, detail: str) -> bool:
    """Whether the item's detail ends its row; a test's message goes on the line below instead."""
    return bool(detail) and item.kind != "test"


def _column_widths(items: list[Evidence], cells: list[_Cells], width: int) -> _Widths:
    value_w = max(len(c[0]) for c in cells)
    where_w = min(max(len(c[2]) for c in cells), 40)
    inline_detail = any(_detail_inline(item, c[3]) for item, c in zip(items, cells, strict=True))
    alone = not (value_w or where_w or inline_detail)  # a test id alone on its line may use it all
    subject_w = min(max(len(c[1]) for c in cells), width - 4 if alone else 48)
    return _Widths(value=value_w, subject=subject_w, where=where_w)


def _evidence_lines(item: Evidence, cells: _Cells, widths: _Widths, width: int) -> list[str]:
    """One item's row, and for a test with a message the message on the line below."""
    value, subject, where, detail = cells
    parts = []
    if widths.value:
        parts.append(value.rjust(widths.value))
    parts.append(truncate_middle(subject, widths.subject).ljust(widths.subject))
    if widths.where:
        parts.append(truncate_middle(where, widths.where).ljust(widths.where))
    inline = _detail_inline(item, detail)
    if inline:
        parts.append(detail)
    out = [truncate(("    " + "  ".join(parts)).rstrip(), width)]
    if detail and not inline:
        out.append(truncate("      " + detail, width))
    return out


def _input_warnings(inputs: list[InputInfo]) -> list[str]:
    out = []
    for info in inputs:
        missing = files_missing(info)
        if missing:
            of = f" of {info.files_total}" if info.files_total is not None else ""
            some = ", ".join(info.files_missing)
            text = f"{info.path}: {missing}{of} files not found in the working tree"
            out.append(f"{text} ({some})" if some else text)
        out += [f"{info.path}: {one_line(w)}" for w in info.warnings]
    return out


def _wrap(text: str, width: int, *, indent: str, hang: str) -> str:
    return "\n".join(
        textwrap.wrap(
            text,
            width=width,
            initial_indent=indent,
            subsequent_indent=hang,
            break_long_words=False,
            break_on_hyphens=False,
        )
        or [indent.rstrip()]
    )
