"""The hash of each finding's source line, for finding identities (the edge: reads the working tree).

Only the files a finding names are read, each once, and only up to the last line a finding names. A path
that is absolute, climbs out of the root, or cannot be read gets no hash (the identity then falls back to
rule + path + message), never an error: a finding is still a finding.
"""

from __future__ import annotations

import os
import posixpath

from qualitygate.identity import line_hash
from qualitygate.inputs import Collected
from qualitygate.record import findings_of


def _safe(path: str) -> bool:
    norm = posixpath.normpath(path)
    return not (posixpath.isabs(norm) or norm == ".." or norm.startswith("../") or "\\" in path)


def _hashes_of(root: str, path: str, lines: set[int]) -> dict[tuple[str, int], str]:
    out: dict[tuple[str, int], str] = {}
    last = max(lines)
    try:
        with open(os.path.join(root, path), "rb") as fh:
            for n, raw in enumerate(fh, start=1):
                if n in lines:
                    out[(path, n)] = line_hash(raw.decode("utf-8", "replace"))
                if n >= last:
                    break
    except OSError:
        return {}
    return out


def hash_finding_lines(data: Collected, root: str) -> None:
    """Fill ``data.line_hashes`` for every finding's (path, line)."""
    wanted: dict[str, set[int]] = {}
    for f in findings_of(data):
        if f.path and f.line and f.line > 0 and _safe(f.path):
            wanted.setdefault(f.path, set()).add(f.line)
    for path, lines in wanted.items():
        data.line_hashes.update(_hashes_of(root, path, lines))
