"""Mapping the paths inside reports to repository-relative paths.

Reports rarely name files the way the repository does: coverage.py writes an absolute ``<source>``,
Istanbul an absolute ``SF:``, a CI runner checks out under ``/home/runner/work/<repo>/<repo>/``, and a
report made in ``frontend/`` names ``src/x.js``. The rules, in order:

1. the policy's explicit prefix rules (``path_mapping.rules: [{from: /ci/checkout/, to: ""}]``);
2. an absolute path under the repository root is made relative to it;
3. a relative path is tried against the repository root, then the report's own folder, then the
   component's folders;
4. ``auto`` (on by default): leading segments are stripped until the rest (a folder and a file at least)
   exists in the working tree; the stripped prefix is remembered, so the next path of the same report costs
   one ``stat``;
5. ``auto``, for a relative path (a folder and a file at least) still not found: the one file of the working
   tree that ends with it (jscpd names files relative to the folder it scanned: ``packaging/markers.py`` for
   ``backend/src/packaging/markers.py``); the added prefix is remembered. Two candidates: not found.

A path that maps to nothing that exists keeps its best guess and is counted as not found; the verdict lists
how many of each coverage report's files were found and which were not. An absolute path that no rule brings
under the root (``file:///opt/vendor/x.py``) stays absolute: it is outside the repository (:func:`outside`),
never disguised as the repository path ``opt/vendor/x.py``.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Callable

from qualitygate.model import to_posix
from qualitygate.policy import Mapping

_DRIVE = re.compile(r"[A-Za-z]:/")


def outside(path: str) -> bool:
    """A mapped path that is not a repository path: absolute (``/opt/vendor/x.py``, ``C:/src/x.py``) or
    climbing out of the root (``../x.py``)."""
    return path.startswith("/") or path == ".." or path.startswith("../") or bool(_DRIVE.match(path))


class PathMapper:
    def __init__(
        self,
        root: str,
        mapping: Mapping,
        bases: tuple[str, ...] = (),
        files: Callable[[], list[str]] | None = None,
    ) -> None:
        self.files = files  # the working tree's files (rule 5), listed only if a path needs it
        self.root = os.path.abspath(root)
        self.root_posix = to_posix(self.root).rstrip("/") + "/"
        self.mapping = mapping
        self.bases = tuple(b.strip("/") for b in bases if b and b != ".")
        self._learned: list[tuple[str, str]] = []  # (prefix to strip, prefix to add) pairs that worked
        self._cache: dict[str, tuple[str, bool]] = {}

    def _exists(self, rel: str) -> bool:
        return bool(rel) and not rel.startswith("../") and os.path.isfile(os.path.join(self.root, rel))

    def map(self, raw: str) -> tuple[str, bool]:
        """``(repository-relative path, found in the working tree)``."""
        hit = self._cache.get(raw)
        if hit is None:
            hit = self._map(raw)
            self._cache[raw] = hit
        return hit

    def _rewrite(self, raw: str) -> str:
        path = to_posix(raw)
        if path.startswith("file://"):
            path = path[len("file://") :]
        for rule in self.mapping.rules:
            if path.startswith(rule.from_):
                return rule.to + path[len(rule.from_) :]
        return path

    def _direct(self, path: str) -> str | None:
        """Rules 2 and 3, and prefixes learned from earlier paths."""
        if not posixpath.isabs(path):
            for base in ("", *self.bases):
                c = posixpath.normpath(posixpath.join(base, path) if base else path)
                if self._exists(c):
                    return c
        for strip, add in self._learned:
            if path.startswith(strip):
                c = add + path[len(strip) :]
                if self._exists(c):
                    return c
        return None

    def _map(self, raw: str) -> tuple[str, bool]:
        path = self._rewrite(raw)
        if path.startswith(self.root_posix):
            rel = path[len(self.root_posix) :]
            return rel, self._exists(rel)
        found = self._direct(path)
        if found is None and self.mapping.auto:
            found = self._by_suffix(path) or self._by_prefix(path)
        if found is not None:
            return found, True
        return posixpath.normpath(path), False

    def _by_prefix(self, path: str) -> str | None:
        if self.files is None or posixpath.isabs(path) or "/" not in path.strip("/"):
            return None
        tail = "/" + posixpath.normpath(path)
        found = [f for f in self.files() if f.endswith(tail)]
        if len(found) != 1:
            return None
        self._learned.append(("", found[0][: len(found[0]) - len(tail) + 1]))
        return found[0]

    def _by_suffix(self, path: str) -> str | None:
        parts = [p for p in path.split("/") if p]
        # keep at least one folder: a bare file name (__init__.py, index.ts) would match the wrong file,
        # and the prefix learned from it would then send every later path astray
        for i in range(1, len(parts) - 1):
            suffix = "/".join(parts[i:])
            for base in ("", *self.bases):
                c = posixpath.join(base, suffix) if base else suffix
                if self._exists(c):
                    stripped = path[: len(path) - len(suffix)]
                    self._learned.append((stripped, c[: len(c) - len(suffix)]))
                    return c
        return None
