"""Path globs with ``**``, as the policy writes them: ``backend/**``, ``**/junit*.xml``, ``src/*.py``.

``*`` and ``?`` stay within one path segment, ``**`` spans segments, a trailing ``/`` means "everything
under this folder". Matching is on POSIX, repository-relative paths.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from functools import lru_cache

# Folders never searched for reports: dependencies and tool caches hold other projects' reports.
PRUNED_DIRS = frozenset(
    {".git", "node_modules", ".venv", "venv", ".tox", ".nox", "__pycache__", ".mypy_cache"}
)


@lru_cache(maxsize=512)
def compile_glob(pattern: str) -> re.Pattern[str]:
    pat = pattern.strip().lstrip("./") if pattern.startswith("./") else pattern.strip()
    if pat.endswith("/"):
        pat += "**"
    out: list[str] = []
    i, n = 0, len(pat)
    while i < n:
        c = pat[i]
        if pat.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pat.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            j = pat.find("]", i + 1)
            if j < 0:
                out.append(re.escape(c))
                i += 1
            else:
                body = pat[i + 1 : j]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = j + 1
        else:
            out.append(re.escape(c))
            i += 1
    return re.compile("".join(out) + r"\Z")


def has_magic(pattern: str) -> bool:
    return any(ch in pattern for ch in "*?[")


def matches(path: str, patterns: Iterable[str]) -> bool:
    """Does a repository-relative POSIX path match any of the patterns (a plain folder name matches
    everything under it)?"""
    for p in patterns:
        if compile_glob(p).match(path):
            return True
        if not has_magic(p) and path.startswith(p.rstrip("/") + "/"):
            return True
    return False


class Tree:
    """The files of a working tree, walked once (pruning dependency folders) and matched many times."""

    def __init__(self, root: str) -> None:
        self.root = root
        self._files: list[str] | None = None

    def files(self) -> list[str]:
        if self._files is None:
            found: list[str] = []
            root = self.root
            for dirpath, dirnames, filenames in os.walk(root):
                dirnames[:] = sorted(d for d in dirnames if d not in PRUNED_DIRS)
                rel = os.path.relpath(dirpath, root)
                prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
                found.extend(prefix + f for f in sorted(filenames))
            self._files = found
        return self._files

    def glob(self, pattern: str) -> list[str]:
        """Repository-relative paths matching ``pattern``, sorted. A pattern without magic is a stat."""
        if not has_magic(pattern):
            rel = pattern[2:] if pattern.startswith("./") else pattern
            return [rel] if os.path.isfile(os.path.join(self.root, rel)) else []
        if "**" not in pattern and "/" not in pattern:
            # a root-level pattern ("*.sarif"): no walk needed
            rx = compile_glob(pattern)
            try:
                names = sorted(os.listdir(self.root))
            except OSError:
                return []
            return [n for n in names if rx.match(n) and os.path.isfile(os.path.join(self.root, n))]
        rx = compile_glob(pattern)
        return [f for f in self.files() if rx.match(f)]
