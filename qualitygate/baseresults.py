"""The base commit's results, as the comparison reads them (data only).

Where they come from (a verdict file, a folder of the base's reports, git notes, a GitHub Actions artifact) is
the edge's business; the engine reads this. ``metrics`` is keyed ``metric`` for repository-wide metrics and
``metric@component`` for per-component ones. ``findings`` are the base's finding identities (with the base's
paths: the comparison follows git's renames). ``tests`` maps a test id to its outcome word
(``passed``, ``failed``, ``error``, ``skipped``; ``flaky`` when it passed on a retry).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from qualitygate.identity import Ident


def metric_key(metric: str, component: str | None) -> str:
    return f"{metric}@{component}" if component else metric


@dataclass(frozen=True, slots=True)
class BaseResults:
    commit: str | None  # the commit the results belong to (None: unknown, e.g. a folder of reports)
    version: str  # the qualitygate version that wrote them
    source: str  # e.g. "verdict base.json", "git notes refs/notes/qualitygate", "artifact"
    metrics: Mapping[str, float] = field(default_factory=dict)
    findings: tuple[Ident, ...] = ()
    tests: Mapping[str, str] = field(default_factory=dict)
    # the test ids per component ("" for the repository-wide reports) and the file of each test; empty in
    # results recorded before they were kept
    test_components: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    test_files: Mapping[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()  # e.g. the results belong to another commit than the merge base
    # set when the source was looked up and holds no usable results (why): every base-dependent gate is
    # then missing data with this reason, never a pass
    unavailable: str | None = None

    def value(self, metric: str, component: str | None = None) -> float | None:
        return self.metrics.get(metric_key(metric, component))
