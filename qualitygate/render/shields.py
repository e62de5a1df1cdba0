"""The verdict as a shields.io endpoint badge (https://shields.io/badges/endpoint-badge).

A README shows it with ``https://img.shields.io/endpoint?url=<where this JSON is served>``. The message
says what a reader must know first: ``passing``, ``3 failed`` (gates that could not be evaluated count as
errors beside them: ``2 failed, 1 error``), ``1 warning``; a skipped gate never reads as passing.
"""

from __future__ import annotations

import json

from qualitygate.verdict import Summary, Verdict

LABEL = "quality gate"
_COLOR = {"pass": "brightgreen", "warn": "yellow", "fail": "red", "error": "red"}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def message(verdict: Verdict) -> str:
    s: Summary = verdict.summary
    if s.total == 0:
        return "no gates"
    bad = [f"{s.failed} failed"] if s.failed else []
    if s.errored:
        bad.append(_plural(s.errored, "error"))
    if bad:
        return ", ".join(bad)
    if s.warned:
        return _plural(s.warned, "warning")
    return f"passing, {s.skipped} skipped" if s.skipped else "passing"


def render(verdict: Verdict) -> str:
    doc = {
        "schemaVersion": 1,
        "label": LABEL,
        "message": message(verdict),
        "color": _COLOR[verdict.status],
    }
    return json.dumps(doc, indent=2) + "\n"
