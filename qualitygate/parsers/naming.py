"""Naming the files a report speaks of: each item's path is set once, to the repository path, when the parser
builds the item.

``collect`` knows the repository and passes a :class:`Namer` to ``parse_report``; while that report is
parsed, a parser takes :func:`paths` (for complexity blocks, findings, test cases, clone locations) or
:func:`coverage` (for coverage files) and calls it for each path it puts on an item. Without a namer
(``qualitygate parse``) both hand the path back as the report wrote it. A parser's own warnings keep the
report's spelling. State is per process, for the report being parsed now (as ``reading``'s open file).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Protocol


class CoverageNaming(Protocol):
    """One reading of a coverage report: ``name`` is called once per file of the report, in the report's
    order (a file merged into an earlier one is not named again); a parser that starts over (Cobertura's fast
    path giving up) starts a new one."""

    def name(self, path: str, sources: Sequence[str]) -> str: ...


class Namer(Protocol):
    def name(self, path: str) -> str: ...

    def coverage(self) -> CoverageNaming: ...


_current: list[Namer] = []


@contextmanager
def naming(namer: Namer | None) -> Iterator[None]:
    """Name the paths of the report parsed inside with ``namer`` (None: keep them as written)."""
    _current[:] = [namer] if namer is not None else []
    try:
        yield
    finally:
        _current.clear()


def _same(path: str) -> str:
    return path


def paths() -> Callable[[str], str]:
    """The name of an item's path for the report being parsed now."""
    return _current[0].name if _current else _same


class _AsWritten:
    def name(self, path: str, sources: Sequence[str]) -> str:
        return path


def coverage() -> CoverageNaming:
    """A new reading of the coverage report being parsed now."""
    return _current[0].coverage() if _current else _AsWritten()
