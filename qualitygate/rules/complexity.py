"""Complexity gates (radon's cyclomatic, complexipy's cognitive): the functions over the limit.

A radon class block scores its methods' mean (plus one); it is no function, so it is never counted or
listed as one: the evidence is the functions, methods and closures over the limit, and a class over it is
named apart. ``complexity.errors`` counts the files the tool could not analyse and lists them.
"""

from __future__ import annotations

from collections.abc import Sequence

from qualitygate.model import ComplexityBlock, ComplexityReport, FileProblem, Metrics, Report
from qualitygate.policy import Gate, Policy
from qualitygate.rules.base import Measured, in_scope, no_data, of_type, once, plural, scope, violates
from qualitygate.verdict import Evidence

_FUNCTIONS = frozenset({"function", "method", "closure"})


def _evidence(b: ComplexityBlock) -> Evidence:
    return Evidence(
        kind="function",
        title=b.qualname,
        path=b.file,
        line=b.line or None,  # complexipy writes no line numbers (0)
        value=float(b.score),
        detail=b.kind + (f", rank {b.rank}" if b.rank else ""),
    )


def _over_the_limit(gate: Gate, blocks: list[ComplexityBlock]) -> list[ComplexityBlock]:
    """Blocks that break a ``.max`` gate, worst first (a ``.mean`` gate has no single culprit)."""
    if not gate.metric.endswith(".max"):
        return []
    return sorted((b for b in blocks if violates(b.score, gate)), key=lambda b: (-b.score, b.file, b.line))


def _note(
    functions: list[ComplexityBlock], classes: list[ComplexityBlock], errors: list[FileProblem]
) -> str | None:
    parts = []
    if functions:
        worst = functions[0]
        parts.append(f"worst {worst.qualname} ({worst.score}), {plural(len(functions), 'function')} over it")
    if classes:
        parts.append(
            f"{plural(len(classes), 'class block')} over it (radon's class score: its methods' mean)"
        )
    if errors:
        parts.append(f"{plural(len(errors), 'file')} not analysed")
    return "; ".join(parts) or None


def _of_measure(gate: Gate, reports: Sequence[Report]) -> list[ComplexityReport]:
    """The reports of the gate's measure: a glob may catch both radon's (cyclomatic) and complexipy's
    (cognitive) reports, and each gate reads its own."""
    wanted = "cognitive" if gate.metric.startswith("complexity.cognitive.") else "cyclomatic"
    every = gate.metric in {"complexity.blocks", "complexity.errors"}
    return [r for r in of_type(reports, ComplexityReport) if every or r.measure == wanted]


def _no_blocks(errors: list[FileProblem]) -> Measured:
    why = "the complexity report lists no function"
    if errors:
        why += f"; {plural(len(errors), 'file')} could not be analysed ({errors[0].file})"
    return no_data(why)


_Scope = tuple[list[ComplexityBlock], list[FileProblem], Metrics]


def _in_scope(cx: list[ComplexityReport], globs: tuple[str, ...]) -> _Scope:
    """The blocks and the unanalysed files under ``globs`` and the blocks' metrics, computed once per
    (reports, globs): every complexity gate of one scope reads the same."""
    return once(cx, ("complexity", globs), lambda: _scoped(cx, globs))


def _scoped(cx: list[ComplexityReport], globs: tuple[str, ...]) -> _Scope:
    blocks = [b for r in cx for b in r.blocks if in_scope(b.file, globs)]
    errors = [e for r in cx for e in r.errors if in_scope(e.file, globs)]
    metrics = ComplexityReport(path="", kind="", measure=cx[0].measure, blocks=blocks).metrics()
    return blocks, errors, metrics


def _errors(errors: list[FileProblem]) -> Measured:
    """``complexity.errors``: the files the tool could not analyse, each listed with its message."""
    return Measured(
        float(len(errors)),
        evidence=[Evidence(kind="file", title=e.file, path=e.file, detail=e.message) for e in errors],
        evidence_total=len(errors),
        note=f"{plural(len(errors), 'file')} not analysed" if errors else None,
    )


def measure(gate: Gate, policy: Policy, reports: Sequence[Report]) -> Measured:
    cx = _of_measure(gate, reports)
    if not cx:
        return no_data(f"no report of that measure among {', '.join(r.path for r in reports)}")
    blocks, errors, metrics = _in_scope(cx, scope(gate, policy))
    if gate.metric == "complexity.errors":
        return _errors(errors)
    if not blocks:
        return _no_blocks(errors)
    measure_name = cx[0].measure
    value = metrics.get(gate.metric)
    if value is None:
        return no_data(f"{gate.metric} is not in the complexity report (it measures {measure_name})")
    return _explain(float(value), _over_the_limit(gate, blocks), errors)


def _explain(value: float, over: list[ComplexityBlock], errors: list[FileProblem]) -> Measured:
    """The functions over the limit as evidence; classes over it only named in the note."""
    functions = [b for b in over if b.kind in _FUNCTIONS]
    return Measured(
        value,
        evidence=[_evidence(b) for b in functions],
        evidence_total=len(functions),
        note=_note(functions, [b for b in over if b.kind not in _FUNCTIONS], errors),
    )
