"""Path globs with ``**``, as the policy writes them: ``backend/**``, ``**/junit*.xml``, ``src/*.py``.

``*`` and ``?`` stay within one path segment, ``**`` spans segments, a trailing ``/`` means "everything
under this folder". Matching is on POSIX, repository-relative paths.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Iterable
from functools import lru_cache

# Folders never searched for reports: dependencies and tool caches hold other projects' reports.
PRUNED_DIRS = frozenset(
    {".git", "node_modules", ".venv", "venv", ".tox", ".nox", "__pycache__", ".mypy_cache"}
)


# Wildcards in the order they are tried (longest first) and the regex each becomes.
_WILDCARDS = (("**/", "(?:.*/)?"), ("**", ".*"), ("*", "[^/]*"), ("?", "[^/]"))


@lru_cache(maxsize=512)
def compile_glob(pattern: str) -> re.Pattern[str]:
    """The regular expression of a glob; ValueError for a glob that is not one (``[]``, ``[\\]``)."""
    pat = _normalize(pattern)
    out: list[str] = []
    i = 0
    while i < len(pat):
        regex, i = _translate(pat, i)
        out.append(regex)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", FutureWarning)  # "possible nested set": ambiguous, refuse it
            return re.compile("".join(out) + r"\Z")
    except (re.error, FutureWarning) as exc:
        raise ValueError(f"{pattern!r} is not a valid glob ({exc})") from None


def _normalize(pattern: str) -> str:
    """The pattern without leading ``./`` (only those: ``.reports/`` is a folder) and with a trailing ``/``
    meaning everything under it."""
    pat = pattern.strip()
    while pat.startswith("./"):
        pat = pat[2:]
    return pat + "**" if pat.endswith("/") else pat


def _translate(pat: str, i: int) -> tuple[str, int]:
    """The regex for the glob token that starts at ``pat[i]``, and the index after the token."""
    for wildcard, regex in _WILDCARDS:
        if pat.startswith(wildcard, i):
            return regex, i + len(wildcard)
    if pat[i] == "[":
        return _char_class(pat, i)
    return re.escape(pat[i]), i + 1


def _char_class(pat: str, i: int) -> tuple[str, int]:
    """``[abc]`` or ``[!abc]`` at ``pat[i]`` as a regex class; a ``[`` that is never closed is literal."""
    j = pat.find("]", i + 1)
    if j < 0:
        return re.escape("["), i + 1
    body = pat[i + 1 : j]
    if body.startswith("!"):
        body = "^" + body[1:]
    return f"[{body}]", j + 1


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
        self.unreadable: list[
            tuple[str, str]
        ] = []  # (repository-relative folder, why) the walk could not list

    def files(self) -> list[str]:
        if self._files is None:
            found: list[str] = []
            root = self.root

            def unreadable(exc: OSError) -> None:
                where = os.path.relpath(exc.filename or root, root).replace(os.sep, "/")
                self.unreadable.append((where, exc.strerror or str(exc)))

            for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable):
                dirnames[:] = sorted(d for d in dirnames if d not in PRUNED_DIRS)
                rel = os.path.relpath(dirpath, root)
                prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
                found.extend(prefix + f for f in sorted(filenames))
            self._files = found
        return self._files

    def glob(self, pattern: str) -> list[str]:
        """Repository-relative paths matching ``pattern``, sorted. A pattern without magic is a stat."""
        if not has_magic(pattern):
            return self._exact(pattern)
        if "**" not in pattern and "/" not in pattern:
            return self._root_level(pattern)
        rx = compile_glob(pattern)
        found = [f for f in self.files() if rx.match(f)]
        self._refuse_unsearched(pattern)
        return found

    def _refuse_unsearched(self, pattern: str) -> None:
        """A folder the pattern could reach but the walk could not list: never a silent "not found"."""
        literal = _normalize(pattern)
        for i, ch in enumerate(literal):
            if ch in "*?[":
                literal = literal[: literal.rfind("/", 0, i) + 1]
                break
        for folder, why in self.unreadable:
            if folder == "." or (folder + "/").startswith(literal) or literal.startswith(folder + "/"):
                from qualitygate.errors import ReportNotFoundError

                raise ReportNotFoundError(
                    os.path.join(self.root, folder),
                    f"cannot list this folder ({why}): {pattern!r} could match reports in it",
                    hint="make it readable, or narrow the glob so it does not reach it",
                )

    def _exact(self, pattern: str) -> list[str]:
        """A pattern without magic: the one file it names, if it exists."""
        rel = pattern[2:] if pattern.startswith("./") else pattern
        return [rel] if os.path.isfile(os.path.join(self.root, rel)) else []

    def _root_level(self, pattern: str) -> list[str]:
        """A pattern for the root folder alone ("*.sarif"): one listing, no walk."""
        rx = compile_glob(pattern)
        try:
            names = sorted(os.listdir(self.root))
        except OSError as exc:
            from qualitygate.errors import ReportNotFoundError

            why = exc.strerror or str(exc)
            raise ReportNotFoundError(self.root, f"cannot list this folder ({why}): {pattern!r}") from None
        return [n for n in names if rx.match(n) and os.path.isfile(os.path.join(self.root, n))]
