"""What a rule returns, and the helpers every rule shares."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar, cast

from qualitygate.globs import matches
from qualitygate.model import Report
from qualitygate.policy import Gate, Policy
from qualitygate.units import format_value
from qualitygate.verdict import Evidence

R = TypeVar("R", bound=Report)
T = TypeVar("T")
X = TypeVar("X")


@dataclass(slots=True)
class Measured:
    """A rule's answer. ``value`` None means the data is missing; ``why_missing`` says why (what the gate then
    does is the policy's ``missing`` setting, ``Gate.missing``). ``evidence`` lists
    every item that explains the value (the JSON verdict carries them all; human formats trim, saying so)."""

    value: float | None
    why_missing: str | None = None
    evidence: list[Evidence] = field(default_factory=list)
    evidence_total: int = 0
    estimate: bool = False
    note: str | None = None  # a clause appended to the gate's message (when it does not pass)
    note_on_pass: bool = False  # the note says something a passing gate must show too
    skip: str | None = None  # a visible skip the policy asked for (a small change, no coverable line)
    caveat: str | None = None  # a clause the message always carries, pass or fail (files left uncounted)


def no_data(why: str) -> Measured:
    """No value: the data the gate needs is missing, and ``why``."""
    return Measured(None, why_missing=why)


def skipped(why: str) -> Measured:
    """Not measured on purpose, and said so: ``skipped: 3 coverable changed lines < 20``."""
    return Measured(None, skip=why)


_OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": lambda v, t: v >= t,
    ">": lambda v, t: v > t,
    "<=": lambda v, t: v <= t,
    "<": lambda v, t: v < t,
}


def holds(value: float, op: str, threshold: float) -> bool:
    """Does ``value op threshold`` hold? Exact, on unrounded values: 79.999 % is below an 80 % minimum."""
    return _OPS[op](value, threshold)


def violates(value: float, gate: Gate) -> bool:
    """Does one item's value break the gate's bound (for choosing evidence)?"""
    return not holds(value, gate.op, gate.threshold)


def scope(gate: Gate, policy: Policy) -> tuple[str, ...]:
    """Path globs a repository-wide gate is limited to: its own paths, else its component's."""
    if gate.paths:
        return gate.paths
    if gate.component and gate.component in policy.components:
        return policy.components[gate.component].paths
    return ()


def in_scope(path: str | None, globs: tuple[str, ...]) -> bool:
    return not globs or (path is not None and matches(path, globs))


def of_type(reports: Sequence[Report], cls: type[R]) -> list[R]:
    return [r for r in reports if isinstance(r, cls)]


def plural(n: int, word: str) -> str:
    """``plural(1, "file")`` -> "1 file"; ``plural(3, "file")`` -> "3 files"."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def once(reports: Sequence[Report], key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()`` once per (these reports in this order, ``key``) in one check: every gate of one scope,
    and the record, read one merge or count. Kept on the first report (``Report._once``), with the others
    kept alive so that their ids stay theirs; ``key`` names the rule and its scope (``("tests", paths,
    project)``)."""
    first, rest = reports[0], tuple(reports[1:])
    full = (tuple(id(r) for r in rest), key)
    done = first._once.get(full)
    if done is None:
        done = first._once[full] = (rest, compute())
    return cast(T, done[1])


def the_one(
    reports: list[R], lookup: Callable[[R], X | None], holders: str, what: str, known: Callable[[], list[str]]
) -> tuple[R, X] | str:
    """The one report holding ``what`` (``lookup`` finds it), or why there is none: absent (naming what the
    reports do hold, ``known``) or ambiguous (several ``holders`` have it)."""
    found = [(r, x) for r in reports if (x := lookup(r)) is not None]
    if len(found) == 1:
        return found[0]
    if found:
        paths = ", ".join(r.path for r, _ in found)
        return f"ambiguous: {len(found)} {holders} have {what} ({paths})"
    return f"no {what} in {', '.join(r.path for r in reports)} (has: {', '.join(known()[:8])})"


def limit_evidence(gate: Gate, title: str, value: float, unit: str | None) -> Evidence:
    """The measured value of a one-number gate, with the limit it is held to."""
    limit = f"limit {gate.op} {format_value(gate.threshold, unit)}"
    return Evidence(kind="metric", title=title, value=value, unit=unit, detail=limit)
