"""The reports gathered for a check, as the engine reads them (data only: gathering is
:mod:`qualitygate.collect`, the I/O side)."""

from __future__ import annotations

from dataclasses import dataclass, field

from qualitygate.model import Report
from qualitygate.verdict import InputInfo


@dataclass(slots=True)
class Loaded:
    rel: str
    role: str
    component: str | None
    report: Report
    info: InputInfo


@dataclass(slots=True)
class Collected:
    """What the engine reads: the reports of each (role, component), and where they were looked for."""

    reports: dict[tuple[str, str | None], list[Loaded]] = field(default_factory=dict)
    sought: dict[tuple[str, str | None], tuple[str, ...]] = field(default_factory=dict)
    inputs: list[InputInfo] = field(default_factory=list)
    ignored: dict[tuple[str, str | None], list[str]] = field(default_factory=dict)
    # (path, line) -> hash of the source line's text, for each finding's line (read at the edge, for the
    # finding identities a comparison with the base needs); empty when not read
    line_hashes: dict[tuple[str, int], str] = field(default_factory=dict)
