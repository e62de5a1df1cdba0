"""GitHub Actions workflow commands (annotations) and the job summary.

``render``: one ``::error::`` line per gate that failed or could not be evaluated and one ``::warning::`` per
gate that warned, then an annotation on each evidence item that has a path (``file=``, ``line=``), taken
round-robin across gates so every gate shows its top items. GitHub shows 10 error and 10 warning annotations
per step (actions/toolkit#734): at most 10 of each are written and one ``::notice::`` counts the rest.

Escaping follows the runner (actions/toolkit ``command.ts``: ``escapeData``, ``escapeProperty``): in the
message ``%``, CR and LF; in a property also ``:`` and ``,``.

``step_summary``: the Markdown of ``qualitygate.render.markdown`` for ``$GITHUB_STEP_SUMMARY``, under the
1 MiB a step's summary may hold (a larger one is dropped whole).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from qualitygate.render import markdown
from qualitygate.render._common import (
    evidence_value,
    first_line,
    is_new_code,
    line_span,
    one_line,
    truncate,
)
from qualitygate.verdict import Evidence, GateResult, Status, Verdict

if TYPE_CHECKING:
    from qualitygate.render.trend import Trend

ANNOTATIONS_PER_LEVEL = 10
_MESSAGE_LINES = 20  # of a failing test's message, in its annotation
SUMMARY_LIMIT = 1024 * 1024  # bytes of $GITHUB_STEP_SUMMARY per step

_Level = Literal["error", "warning"]


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


@dataclass(frozen=True)
class _Annotation:
    level: _Level
    message: str
    title: str
    file: str | None = None
    line: int | None = None
    end_line: int | None = None

    def command(self) -> str:
        props = []
        if self.file is not None:
            props.append(f"file={escape_property(self.file)}")
            if self.line is not None:
                props.append(f"line={self.line}")
            if self.line is not None and self.end_line is not None and self.end_line != self.line:
                props.append(f"endLine={self.end_line}")
        props.append(f"title={escape_property(self.title)}")
        return f"::{self.level} {','.join(props)}::{escape_data(self.message)}"


def _level(gate: GateResult) -> _Level | None:
    if gate.status in (Status.FAIL, Status.ERROR):
        return "error"
    if gate.status is Status.WARN:
        return "warning"
    return None


def collect(verdict: Verdict, exists: Callable[[str], bool] | None = None) -> list[_Annotation]:
    """Every annotation the verdict calls for, most important first: the new-code gates' lines and then
    their evidence (uncovered changed lines, new findings) round-robin, then the same for the other gates.
    ``exists``: whether a path is a file of the working tree; an item whose file is not gets no ``file=``
    (GitHub would attach it to nothing, or to the wrong file) and keeps its path in the message."""
    out: list[_Annotation] = []
    if not verdict.gates:  # an empty policy is an error, not a pass
        out.append(_Annotation("error", "No gate was evaluated: the policy defines none.", "qualitygate"))
    new = [g for g in verdict.gates if is_new_code(g)]
    old = [g for g in verdict.gates if not is_new_code(g)]
    return out + _gate_annotations(new, exists) + _gate_annotations(old, exists)


def _gate_annotations(gates: list[GateResult], exists: Callable[[str], bool] | None) -> list[_Annotation]:
    """One line per gate that did not pass, then its evidence items taken round-robin across the gates."""
    out: list[_Annotation] = []
    per_gate: list[list[_Annotation]] = []
    for gate in gates:
        level = _level(gate)
        if level is None:
            continue
        out.append(_Annotation(level, one_line(gate.message), gate.title))
        per_gate.append(_evidence_notes(gate, level, exists))
    depth = max((len(items) for items in per_gate), default=0)
    out += [items[i] for i in range(depth) for items in per_gate if i < len(items)]
    return out


def _evidence_notes(
    gate: GateResult, level: _Level, exists: Callable[[str], bool] | None
) -> list[_Annotation]:
    return [note for item in gate.evidence if item.path for note in _item_notes(item, gate, level, exists)]


def _item_notes(
    item: Evidence, gate: GateResult, level: _Level, exists: Callable[[str], bool] | None
) -> list[_Annotation]:
    """An evidence item's annotation; one per range for an item with line ranges (uncovered changed lines,
    changed lines in a clone), spanning the range. ``exists``: whether a path is a file of the working tree;
    an item whose file is not gets no ``file=`` (GitHub would attach it to nothing, or to the wrong file) and
    keeps its path in the message."""
    if item.path and exists is not None and not exists(item.path):
        where = f"{item.path}:{item.line}" if item.line else item.path
        message = f"{where} (not in the working tree): {_evidence_message(item, gate)}"
        return [_Annotation(level, message, gate.title)]
    if not item.line_ranges:
        return [_Annotation(level, _evidence_message(item, gate), gate.title, item.path, item.line)]
    what = _RANGE_WORDS.get(item.kind, "not covered by the tests")
    if gate.metric.startswith("new.coverage.branches."):
        what = "a branch not taken"
    return [
        _Annotation(level, f"{line_span(a, b).capitalize()}: {what}", gate.title, item.path, a, b)
        for a, b in item.line_ranges
    ]


_RANGE_WORDS = {"clone": "added inside a jscpd clone"}


def _evidence_message(item: Evidence, gate: GateResult) -> str:
    """ "12.5%", "Exporter.render_rows: 23 (rank D)", "test_x: AssertionError: ...": the annotation's title
    names the gate and its place names the file, so a file item says only its value."""
    head = item.title if item.title != item.path else ""
    body = _value_and_detail(evidence_value(item, gate), _annotation_detail(item))
    return _labelled(head, body) or gate.title


def _annotation_detail(item: Evidence) -> str:
    """The detail's first line; for a failing test, the first lines of its message (the traceback's)."""
    if item.kind != "test" or not item.detail:
        return first_line(item.detail)
    lines = [line.rstrip() for line in item.detail.strip().splitlines()]
    return "\n".join(truncate(line, 300) for line in lines[:_MESSAGE_LINES])


def _value_and_detail(value: str, detail: str) -> str:
    """ "23 (rank D)": the value with its detail in parentheses; either alone when the other is empty."""
    return f"{value} ({detail})" if value and detail else value or detail


def _labelled(head: str, body: str) -> str:
    """ "head: body"; either alone when the other is empty."""
    return f"{head}: {body}" if head and body else head or body


def render(
    verdict: Verdict, *, limit: int = ANNOTATIONS_PER_LEVEL, exists: Callable[[str], bool] | None = None
) -> str:
    """Workflow commands, one per line; empty when every gate passed or was skipped. ``exists``: see
    :func:`collect` (``check`` passes the working tree's; without it every path is trusted)."""
    lines = []
    left: dict[_Level, int] = {"error": 0, "warning": 0}
    written: dict[_Level, int] = {"error": 0, "warning": 0}
    for note in collect(verdict, exists):
        if written[note.level] < limit:
            written[note.level] += 1
            lines.append(note.command())
        else:
            left[note.level] += 1
    if left["error"] or left["warning"]:
        more = [f"{n} {kind}" for kind, n in (("error", left["error"]), ("warning", left["warning"])) if n]
        lines.append(
            f"::notice title=qualitygate::{' and '.join(more)} annotations not shown (GitHub shows "
            f"{limit} of each per step); the job summary and the verdict artifact list them all"
        )
    return "".join(line + "\n" for line in lines)


def step_summary(
    verdict: Verdict,
    *,
    base: Verdict | None = None,
    limit: int = SUMMARY_LIMIT,
    trends: Sequence[Trend] = (),
) -> str:
    """The Markdown for ``$GITHUB_STEP_SUMMARY``, at most ``limit`` bytes of UTF-8."""
    return markdown.render_within(verdict, base=base, limit=limit, measure=markdown.utf8_size, trends=trends)
