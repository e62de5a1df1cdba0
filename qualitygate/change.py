"""What a change adds: the lines each file gains between the merge base and the working tree.

Data only (no git, no I/O): :mod:`qualitygate.gitchange` builds a :class:`Change` from git or from a saved
unified diff at the edge, and the engine's new-code rules read it. Paths are repository-relative POSIX
paths of the new side (the working tree). Only added lines count: a deleted file and a binary file add
nothing, a pure rename adds nothing, an edited rename adds only its edited lines.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

FileStatus = Literal["added", "modified", "renamed", "copied", "deleted"]


@dataclass(frozen=True, slots=True)
class ChangedFile:
    """One file of the change; ``added``: the sorted 1-based numbers (new side) of the lines it adds."""

    path: str
    status: FileStatus = "modified"
    old_path: str | None = None  # the base side's path of a rename or copy
    added: tuple[int, ...] = ()
    binary: bool = False

    def touches(self, start: int, end: int | None = None) -> bool:
        """Does the change add a line in ``start..end`` (inclusive; ``end`` defaults to ``start``)?"""
        last = start if end is None else end
        i = bisect.bisect_left(self.added, start)
        return i < len(self.added) and self.added[i] <= last


@dataclass(frozen=True, slots=True)
class Change:
    """The change under judgement. ``files`` is keyed by path (deleted files are kept, with no lines)."""

    files: Mapping[str, ChangedFile]
    base_ref: str | None = None  # as the user (or the default) named it; None for a saved diff
    merge_base: str | None = None  # the merge base's full SHA; None for a saved diff
    source: str = "git"  # "git" or "diff-file PATH"
    notes: tuple[str, ...] = field(default=())  # facts the verdict should show (e.g. the default ref chosen)

    def file(self, path: str) -> ChangedFile | None:
        return self.files.get(path)

    def added_lines(self, path: str) -> tuple[int, ...]:
        f = self.files.get(path)
        return f.added if f is not None else ()

    def touches(self, path: str, start: int, end: int | None = None) -> bool:
        f = self.files.get(path)
        return f is not None and f.touches(start, end)

    @property
    def changed_files(self) -> int:
        """Files that add at least one line."""
        return sum(1 for f in self.files.values() if f.added)

    @property
    def changed_lines(self) -> int:
        return sum(len(f.added) for f in self.files.values())

    @property
    def renames(self) -> dict[str, str]:
        """Old path -> new path for every rename git found (for following identities across the change)."""
        return {f.old_path: f.path for f in self.files.values() if f.status == "renamed" and f.old_path}


def ranges(lines: Iterable[int]) -> str:
    """``12-15, 20`` for the lines 12, 13, 14, 15, 20 (diff-cover's and the evidence's notation)."""
    out: list[str] = []
    start = prev = None
    for n in sorted(set(lines)):
        if prev is not None and n == prev + 1:
            prev = n
            continue
        if start is not None:
            out.append(str(start) if start == prev else f"{start}-{prev}")
        start = prev = n
    if start is not None:
        out.append(str(start) if start == prev else f"{start}-{prev}")
    return ", ".join(out)
