"""GitHub-flavoured Markdown for the pull-request comment and the job summary.

Layout: the marker (a hidden HTML comment, verbatim) on the first line when given; the status line (emoji,
word, counts); the gate table (with a "Δ vs base" column when a base verdict is given); verdict problems; one
collapsed ``<details>`` per gate that did not pass, listing its evidence; the metrics' trends when given
(``check --trend``: a "Trend" section, a Mermaid ``xychart-beta`` per metric or one line saying why there is
none); the inputs, collapsed; a footer.

Within ``max_chars`` (GitHub's 65,536 for a comment), what goes first is the evidence (fewest items,
taken from the largest sections), then the inputs section, then the messages of the gate table, then gate
rows (passing ones first), and a note says so. The trend is never trimmed: it is small (a short SHA and a
number per commit). Length is counted in UTF-16 code units, as GitHub may count
it; that is never less than Python's ``len``.

Every string that comes from a report or the policy (titles, paths, test ids, messages) is escaped: in table
cells ``|`` would end the cell, ``<`` could open HTML, backticks and ``*_[]~`` would format, and ``@name``
would notify someone. The marker is the only HTML comment: ``<!--`` and ``-->`` anywhere else are broken
with a zero-width space.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from qualitygate.render._common import (
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
    fmt_delta,
    fmt_gate_delta,
    fmt_threshold,
    is_new_code,
    one_line,
    plural,
    subject_and_location,
    truncate,
)
from qualitygate.verdict import Evidence, GateResult, InputInfo, Status, Verdict

if TYPE_CHECKING:
    from collections.abc import Sequence

    from qualitygate.render.trend import Trend

TRIM_NOTE = "Evidence trimmed to fit GitHub's comment limit; the full verdict is in the job's artifacts"

EMOJI: dict[Status, str] = {
    Status.PASS: "✅",
    Status.SKIP: "⏭️",
    Status.WARN: "⚠️",
    Status.FAIL: "❌",
    Status.ERROR: "⛔",
}

_DETAIL_CHARS = 240  # one evidence detail (a failure message's first line) in a table cell
_MISSING = "—"


# ------------------------------------------------------------------------------------------- escaping

_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_MENTION = re.compile(r"@(?=[A-Za-z0-9])")


def text(value: str) -> str:
    """Plain text for a table cell or a paragraph: one line, no Markdown, no HTML, no @mention."""
    escaped = html.escape(one_line(value), quote=False)
    escaped = _INLINE_SPECIAL.sub(r"\\\1", escaped)
    return _MENTION.sub("@\u200b", escaped)  # a zero-width space keeps "@name" from notifying anyone


def html_text(value: str) -> str:
    """Text inside an HTML element (``<summary>``), where Markdown is not parsed but HTML is; also our own
    numbers and units in a cell ("~95 min", "< 250 ms"), which hold no Markdown a reader could write."""
    return _MENTION.sub("@\u200b", html.escape(one_line(value), quote=False))


def code(value: str, *, in_table: bool = True) -> str:
    """A code span that survives any content: a fence longer than any backtick run in it; in a table, ``\\|``
    (GFM splits cells before it parses code spans, and un-escapes ``\\|`` inside them)."""
    value = one_line(value)
    if not value:
        return ""
    if in_table:
        value = value.replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", value)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def defuse_comments(value: str) -> str:
    """``<!--`` and ``-->`` from the data (in code spans, which show text as it is) broken by a zero-width
    space: no report opens an HTML comment in the body, nor puts a copy of a sticky comment's marker in it."""
    return value.replace("<!--", "<!\u200b--").replace("-->", "--\u200b>")


# ------------------------------------------------------------------------------------------- document


def _why(gate: GateResult) -> str:
    """The gate's reason (the clause naming the culprit or what is missing); its whole message when it
    carries none; nothing for a passing gate, whose row already says all there is."""
    if gate.status is Status.PASS:
        return ""
    return gate.reason or gate.message


@dataclass
class _Section:
    """One gate's evidence, rendered once: the summary (before and after the item count), table, rows."""

    summary: str
    label: str
    header: str
    rows: list[str]
    total: int


@dataclass
class _Plan:
    """What to leave out. ``caps[i]``: rows shown of section ``i`` (0 drops the section)."""

    caps: dict[int, int] = field(default_factory=dict)
    inputs: bool = True
    messages: bool = True
    rows: int | None = None  # gate rows kept (worst first); None: all
    note: bool = False


class _Document:
    def __init__(
        self, verdict: Verdict, base: Verdict | None, marker: str | None, trends: Sequence[Trend] = ()
    ) -> None:
        self.verdict = verdict
        self.trend = _trend_block(trends)
        self.base = base
        self.marker = marker
        overall = Status(verdict.status)
        self.status_line = (
            f"### {EMOJI[overall]} Quality gate: {overall.value.upper()}{accepted_phrase(verdict)} — "
            f"{counts_phrase(verdict.summary)}"
        )
        self.sections = [_section(g) for g in attention_gates(verdict) if g.evidence]
        self.inputs = _inputs_block(verdict.inputs)
        self.problems = "**Problems**\n\n" + "\n".join(f"- {text(p)}" for p in verdict.problems)
        self.change = "\n\n".join(b for b in (_change_block(verdict), _base_block(verdict)) if b) or None
        self.deltas = base is not None or verdict.base is not None
        self.footer = f"<sub>qualitygate {text(verdict.tool_version)} · policy {code(verdict.policy)}</sub>"
        # Rows are kept worst first when they must go: passing gates leave before failing ones.
        by_severity = sorted(range(len(verdict.gates)), key=lambda i: -verdict.gates[i].status.severity)
        self.row_rank = {gate_index: rank for rank, gate_index in enumerate(by_severity)}

    def assemble(self, plan: _Plan) -> str:
        parts = [self.status_line]
        if plan.note:
            parts.append(f"> [!NOTE]\n> {TRIM_NOTE}.")
        if self.change:
            parts.append(self.change)
        parts += self._tables(plan)
        if self.verdict.problems:
            parts.append(self.problems)
        for i, section in enumerate(self.sections):
            cap = plan.caps.get(i, len(section.rows))
            if cap > 0:
                parts.append(_details(section, cap))
        if self.trend:
            parts.append(self.trend)
        if plan.inputs and self.inputs:
            parts.append(self.inputs)
        parts.append(self.footer)
        body = defuse_comments("\n\n".join(parts)) + "\n"
        return f"{self.marker}\n\n{body}" if self.marker else body

    def _tables(self, plan: _Plan) -> list[str]:
        """One gate table; with new-code gates, theirs first ("New code"), then the rest ("Overall")."""
        gates = self.verdict.gates
        if not gates:
            return ["_The policy defines no gates._"]
        new = [i for i, g in enumerate(gates) if is_new_code(g)]
        if not new:
            return [self._table(plan, list(range(len(gates))))]
        old = [i for i, g in enumerate(gates) if not is_new_code(g)]
        out = ["#### New code", self._table(plan, new)]
        return out + (["#### Overall", self._table(plan, old)] if old else [])

    def _delta_cell(self, gate: GateResult) -> str:
        """Against the base verdict given (``--base-verdict``), else the base results the verdict carries."""
        if self.base is not None:
            return html_text(fmt_delta(gate, self.base, missing=_MISSING))
        return html_text(fmt_gate_delta(gate, missing=_MISSING))

    def _table(self, plan: _Plan, indices: list[int]) -> str:
        """The table of the gates at ``indices``; its last column says why a gate did not pass (nothing for
        one that did)."""
        headers = ["Status", "Gate", "Metric", "Actual", "Threshold"]
        align = [":--", ":--", ":--", "--:", ":--"]
        if self.deltas:
            headers.append("Δ vs base")
            align.append("--:")
        if plan.messages:
            headers.append("Why")
            align.append(":--")
        lines = [_row(headers), _row(align)]
        kept = 0
        for i in indices:
            gate = self.verdict.gates[i]
            if plan.rows is not None and self.row_rank[i] >= plan.rows:
                continue
            kept += 1
            cells = [
                f"{EMOJI[gate.status]} {gate.status.value}",
                text(gate.title),
                code(gate.metric),
                html_text(fmt_actual(gate, missing=_MISSING)),
                html_text(fmt_threshold(gate, unicode=True)),
            ]
            if self.deltas:
                cells.append(self._delta_cell(gate))
            if plan.messages:
                cells.append(text(_why(gate)))
            lines.append(_row(cells))
        hidden = len(indices) - kept
        if hidden:
            cells = ["", f"_{hidden} more {'gate' if hidden == 1 else 'gates'} not shown_"]
            lines.append(_row(cells + [""] * (len(headers) - len(cells))))
        return "\n".join(lines)


def _change_block(verdict: Verdict) -> str | None:
    change = change_line(verdict)
    if not change:
        return None
    notes = "".join(f"<br>note: {html_text(n)}" for n in verdict.change.notes) if verdict.change else ""
    return f"<sub>{html_text(change[0].upper() + change[1:])}{notes}</sub>"


def _base_block(verdict: Verdict) -> str | None:
    """The base results line (and its warnings), as the change line is shown."""
    against = base_line(verdict)
    if not against:
        return None
    warned = "".join(f"<br>warning: {html_text(w)}" for w in verdict.base.warnings) if verdict.base else ""
    return f"<sub>{html_text(against[0].upper() + against[1:])}{warned}</sub>"


def _trend_block(trends: Sequence[Trend]) -> str | None:
    """ "Trend": per metric, its chart over the last commits, or the one line saying why there is none."""
    if not trends:
        return None
    from qualitygate.render.trend import mermaid

    charts = [f"_{text(t.note)}_" if t.note else mermaid(t.metric, t.points).rstrip("\n") for t in trends]
    return "\n\n".join(["#### Trend", *charts])


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


_VALUE_HEADER = {"function": "Score", "clone": "Lines"}
_SUBJECT_HEADER = {
    "file": "File",
    "function": "Function",
    "test": "Test",
    "finding": "Rule",
    "metric": "Metric",
    "clone": "Block",
    "input": "Input",
}


def _section(gate: GateResult) -> _Section:
    lines = _table_lines(_evidence_columns(gate), [_evidence_cells(item, gate) for item in gate.evidence])
    return _Section(
        summary=_gate_summary(gate),
        label=html_text(evidence_label(gate)),
        header="\n".join(lines[:2]),
        rows=lines[2:],
        total=evidence_total(gate),
    )


def _only_kind(gate: GateResult) -> str | None:
    """The kind every evidence item of the gate shares, or None when they differ."""
    kinds = {e.kind for e in gate.evidence}
    return kinds.pop() if len(kinds) == 1 else None


def _evidence_columns(gate: GateResult) -> list[tuple[str, str]]:
    """Header and alignment of the evidence table's columns: value, subject, location, detail."""
    kind = _only_kind(gate)
    return [
        (_value_header(gate.metric, kind), "--:"),
        (_SUBJECT_HEADER.get(kind or "", "Item"), ":--"),
        ("Location", ":--"),
        ("Message" if kind == "test" else "Detail", ":--"),
    ]


def _value_header(metric: str, kind: str | None) -> str:
    if kind == "file" and metric.startswith("coverage."):
        return "Coverage"
    return _VALUE_HEADER.get(kind or "", "Value")


def _evidence_cells(item: Evidence, gate: GateResult) -> list[str]:
    subject, where = subject_and_location(item)
    detail = truncate(first_line(item.detail), _DETAIL_CHARS)
    return [html_text(evidence_value(item, gate)), code(subject), code(where), text(detail)]


def _gate_summary(gate: GateResult) -> str:
    """The ``<summary>`` of a gate's evidence: status, title, actual value and threshold."""
    actual = html_text(fmt_actual(gate, missing=_MISSING))
    threshold = html_text(fmt_threshold(gate, unicode=True))
    return f"{EMOJI[gate.status]} <b>{html_text(gate.title)}</b>: {actual} (threshold {threshold})"


def _table_lines(columns: list[tuple[str, str]], rows: list[list[str]]) -> list[str]:
    """A table as lines (header, alignment, rows), leaving out every column that is empty in all rows."""
    used = [c for c in range(len(columns)) if any(row[c] for row in rows)]
    return [
        _row([columns[c][0] for c in used]),
        _row([columns[c][1] for c in used]),
        *(_row([row[c] for c in used]) for row in rows),
    ]


def _details(section: _Section, cap: int) -> str:
    shown = min(cap, len(section.rows))
    count = f"{shown} of {section.total}" if shown < section.total else str(section.total)
    body = [
        "<details>",
        f"<summary>{section.summary} · {section.label}: {count}</summary>",
        "",
        section.header,
        *section.rows[:shown],
    ]
    if section.total > shown:
        body += ["", f"_…and {section.total - shown} more._"]
    body += ["", "</details>"]
    return "\n".join(body)


_INPUT_COLUMNS = [
    ("Report", ":--"),
    ("Kind", ":--"),
    ("Component", ":--"),
    ("Size", "--:"),
    ("Files found", "--:"),
    ("SHA-256", ":--"),
]


def _inputs_block(inputs: list[InputInfo]) -> str:
    """The collapsed inputs section: a table of the reports read, then their warnings; "" for none."""
    if not inputs:
        return ""
    warnings = [line for info in inputs for line in _input_warnings(info)]
    lines = [
        "<details>",
        f"<summary>{_inputs_summary(len(inputs), len(warnings))}</summary>",
        "",
        *_table_lines(_INPUT_COLUMNS, [_input_cells(info) for info in inputs]),
    ]
    if warnings:
        lines += ["", "**Warnings**", "", *warnings]
    lines += ["", "</details>"]
    return "\n".join(lines)


def _inputs_summary(reports: int, warnings: int) -> str:
    """ "Inputs: 3 reports · 1 warning"; without the warnings when there are none."""
    summary = f"Inputs: {plural(reports, 'report')}"
    return f"{summary} · {plural(warnings, 'warning')}" if warnings else summary


def _input_warnings(info: InputInfo) -> list[str]:
    """List items for one report: the files it names that the working tree lacks, then its warnings."""
    path = code(info.path, in_table=False)
    out = []
    missing = files_missing(info)
    if missing:
        of = f" of {info.files_total}" if info.files_total is not None else ""
        listed = ", ".join(code(p, in_table=False) for p in info.files_missing)
        line = f"- {path}: {missing}{of} files not found in the working tree"
        out.append(f"{line}: {listed}" if listed else line)
    return out + [f"- {path}: {text(w)}" for w in info.warnings]


def _input_cells(info: InputInfo) -> list[str]:
    files = ""
    if info.files_total is not None and info.files_found is not None:
        files = f"{info.files_found} of {info.files_total}"
    sha = code(info.sha256[:12])
    return [code(info.path), text(info.kind), text(info.component or ""), _size_text(info.size), files, sha]


def _size_text(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KiB"
    return f"{size / (1024 * 1024):.1f} MiB"


# ------------------------------------------------------------------------------------------- fitting


def size(body: str) -> int:
    """Length in UTF-16 code units (an emoji outside the BMP counts 2), never less than ``len(body)``."""
    return len(body.encode("utf-16-le")) // 2


def utf8_size(body: str) -> int:
    """Length in bytes of UTF-8: what a job summary's 1 MiB counts."""
    return len(body.encode("utf-8"))


def render(
    verdict: Verdict,
    *,
    base: Verdict | None = None,
    marker: str | None = None,
    max_chars: int | None = None,
    trends: Sequence[Trend] = (),
) -> str:
    """The verdict as Markdown; within ``max_chars`` when given (raises ValueError if even the status line,
    the note and the marker do not fit). ``trends``: the "Trend" section's metrics (read at the edge)."""
    return render_within(verdict, base=base, marker=marker, limit=max_chars, measure=size, trends=trends)


def render_within(
    verdict: Verdict,
    *,
    base: Verdict | None = None,
    marker: str | None = None,
    limit: int | None = None,
    measure: Callable[[str], int] = size,
    trends: Sequence[Trend] = (),
) -> str:
    """``render`` with the length counted by ``measure`` (e.g. ``utf8_size`` for a job summary)."""
    doc = _Document(verdict, base, marker, trends)
    full = doc.assemble(_Plan())
    if limit is None or measure(full) <= limit:
        return full
    return doc.assemble(_fit(doc, limit, measure))


def _fit(doc: _Document, limit: int, measure: Callable[[str], int]) -> _Plan:
    def fits(plan: _Plan) -> bool:
        return measure(doc.assemble(plan)) <= limit

    lengths = [len(s.rows) for s in doc.sections]

    def capped(cap: int) -> dict[int, int]:
        return {i: min(n, cap) for i, n in enumerate(lengths)}

    # 1. Evidence: the largest cap every section can keep (water-filling: the largest sections lose rows
    #    first), then one more row for the largest sections while that still fits.
    cap = _largest(0, max(lengths, default=0) - 1, lambda c: fits(_Plan(caps=capped(c), note=True)))
    if cap is not None:
        caps = capped(cap)
        for i in sorted(range(len(lengths)), key=lambda i: (-lengths[i], i)):
            if lengths[i] > cap:
                trial = {**caps, i: cap + 1}
                if fits(_Plan(caps=trial, note=True)):
                    caps = trial
        return _Plan(caps=caps, note=True)
    no_evidence = capped(0)
    # 2. The inputs section.
    plan = _Plan(caps=no_evidence, inputs=False, note=True)
    if fits(plan):
        return plan
    # 3. The messages in the gate table.
    plan = _Plan(caps=no_evidence, inputs=False, messages=False, note=True)
    if fits(plan):
        return plan
    # 4. Gate rows, passing ones first.
    rows = _largest(0, len(doc.verdict.gates) - 1, lambda r: fits(replace(plan, rows=r)))
    if rows is None:
        raise ValueError(f"a limit of {limit} is too small for the verdict's status line and note")
    return _Plan(caps=no_evidence, inputs=False, messages=False, rows=rows, note=True)


def _largest(lo: int, hi: int, ok: Callable[[int], bool]) -> int | None:
    """The largest n in [lo, hi] with ok(n), for a monotone ok (true up to some n, false after); or None."""
    found = None
    while lo <= hi:
        mid = (lo + hi) // 2
        if ok(mid):
            found, lo = mid, mid + 1
        else:
            hi = mid - 1
    return found
