"""Reading a unified diff, streamed, into the files it changes and the lines each one adds.

What counts (the conventions of :mod:`qualitygate.change`): only ``+`` lines of a hunk, numbered on the new
side; context and ``-`` lines never do, nor ``\\ No newline at end of file``. A deleted file, a binary file
(``Binary files ... differ``, ``GIT binary patch``) and a pure rename add nothing; an edited rename adds only
its ``+`` lines. Any context size (``-U0`` or ``-U3``), CRLF line ends, git's C-quoted paths
(``"a/caf\\303\\251.py"``), git's trailing TAB after a name with a space, ``diff -u``'s timestamps, and
prefixed (``a/`` ``b/``, mnemonic ``c/`` ``w/``, ``diff -ru old/ new/``) or unprefixed (``--no-prefix``)
names are all read. A combined diff (``diff --cc``, a merge in conflict) counts a line as added when no
parent column removes it and one adds it. Hunk lengths are counted, so a removed line that reads
``-- x`` is never taken for a header, and a hunk that ends early is an error with the line number.

Pure: no git, no file system; :mod:`qualitygate.gitchange` feeds it git's output or a saved file's lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from qualitygate.change import ChangedFile, FileStatus
from qualitygate.errors import ReportFormatError

DEV_NULL = "/dev/null"
_HUNK = re.compile(r"^(@@+) (.*?) @@+")
_ESCAPES = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, '"': 34, "\\": 92}


def unquote(text: str) -> tuple[str, str]:
    """Split a name off the front of ``text``: git's C-quoted form (``"a\\tb"``, octal bytes) or, when not
    quoted, the text up to a TAB (git's and ``diff -u``'s separator before a timestamp). ``(name, rest)``."""
    if not text.startswith('"'):
        name, _, rest = text.partition("\t")
        return name, rest
    out = bytearray()
    i = 1
    while i < len(text):
        ch = text[i]
        if ch == '"':
            return out.decode("utf-8", "surrogateescape"), text[i + 1 :]
        if ch == "\\" and i + 1 < len(text):
            i, raw = _escape(text, i + 1)
            out += raw
            continue
        out += ch.encode("utf-8", "surrogateescape")
        i += 1
    return text, ""  # no closing quote: take it as written


def _escape(text: str, i: int) -> tuple[int, bytes]:
    """The index after an escape at ``text[i]`` (just after the backslash), and the bytes it stands for: an
    octal byte, a C escape, else the character itself (git writes no other; a damaged diff may)."""
    octal = text[i : i + 3]
    if len(octal) == 3 and all(c in "01234567" for c in octal):
        return i + 3, bytes([int(octal, 8) & 0xFF])
    if text[i] in _ESCAPES:
        return i + 1, bytes([_ESCAPES[text[i]]])
    return i + 1, text[i].encode("utf-8", "surrogateescape")


def split_git_header(rest: str) -> tuple[str, str] | None:
    """The two names of ``diff --git A B``, or None when they cannot be told apart (an unquoted name with
    spaces whose two sides differ: a rename, whose ``rename from``/``rename to`` lines name it instead)."""
    if rest.startswith('"'):
        first, tail = unquote(rest)
        tail = tail.lstrip(" ")
        second = unquote(tail)[0] if tail.startswith('"') else tail
        return first, second
    if len(rest) % 2 == 1:
        mid = len(rest) // 2
        a, b = rest[:mid], rest[mid + 1 :]
        if rest[mid] == " " and (a == b or _strip_pair(a, b) is not None):
            return a, b
    a, sep, b = rest.partition(" ")
    return (a, b) if sep and " " not in b and a.split("/", 1)[-1] == b.split("/", 1)[-1] else None


def _strip_pair(old: str, new: str) -> str | None:
    """The path when ``old`` and ``new`` are one path under two different one-segment prefixes (``a/P``,
    ``b/P``), else None."""
    p1, s1, rest1 = old.partition("/")
    p2, s2, rest2 = new.partition("/")
    if s1 and s2 and p1 != p2 and rest1 == rest2 and rest1:
        return rest1
    return None


@dataclass(slots=True)
class _File:
    header: tuple[str, str] | None = None  # the names of ``diff --git``
    old: str | None = None  # the name on ``---``
    new: str | None = None  # the name on ``+++``
    rename_from: str | None = None
    rename_to: str | None = None
    status: FileStatus = "modified"
    binary: bool = False
    plain: bool = False  # started by ``---`` (no ``diff --git`` line)
    added: list[int] = field(default_factory=list)


class DiffParser:
    """Feed it the diff's lines (bytes, with or without their line ends), then :meth:`close`."""

    def __init__(self, name: str) -> None:
        self.name = name  # for error messages
        self.files: dict[str, ChangedFile] = {}
        self.lineno = 0
        self.headers_seen = False
        self.prefixed: bool | None = None  # learned from the first file whose names tell
        self._cur: _File | None = None
        self._old_left = self._new_left = 0
        self._next_new = 0
        self._parents = 1

    # ------------------------------------------------------------------------------------------ lines

    def feed(self, raw: bytes) -> None:
        self.lineno += 1
        line = raw.rstrip(b"\n")
        if line.endswith(b"\r"):
            line = line[:-1]
        if self._new_left > 0 or self._old_left > 0:
            self._hunk_line(line)
        else:
            self._header_line(line.decode("utf-8", "surrogateescape"))

    def feed_all(self, lines: Iterable[bytes]) -> dict[str, ChangedFile]:
        for raw in lines:
            self.feed(raw)
        return self.close()

    def _fail(self, message: str) -> ReportFormatError:
        return ReportFormatError(self.name, message, line=self.lineno)

    def _hunk_line(self, line: bytes) -> None:
        if line.startswith(b"\\"):  # "\ No newline at end of file"
            return
        if self._parents > 1:
            self._combined_line(line)
            return
        mark = line[:1]
        old, new = {b"+": (0, 1), b"-": (1, 0), b" ": (1, 1), b"": (1, 1)}.get(mark, (0, 0))
        # b"": an empty line is a context line whose space an editor trimmed
        if not old and not new:
            raise self._fail(
                f"the hunk ends early: {self._old_left} old and {self._new_left} new lines still expected"
            )
        if old > self._old_left or new > self._new_left:
            side = "old" if old > self._old_left else "new"
            raise self._fail(f"the hunk has more {side} lines than its '@@' header counts")
        self._old_left -= old
        if mark == b"+":
            self._add()
        elif new:
            self._new_left -= 1
            self._next_new += 1

    def _add(self) -> None:
        assert self._cur is not None
        self._cur.added.append(self._next_new)
        self._next_new += 1
        self._new_left -= 1

    def _combined_line(self, line: bytes) -> None:
        cols = line[: self._parents]
        if len(cols) < self._parents or cols.strip(b" +-"):
            raise self._fail(f"the combined hunk ends early: {self._new_left} new lines still expected")
        if b"-" in cols:
            return
        if b"+" in cols:
            self._add()
        else:
            self._new_left -= 1
            self._next_new += 1

    # ---------------------------------------------------------------------------------------- headers

    def _header_line(self, text: str) -> None:
        if text.startswith("diff --git "):
            self._start(_File(header=split_git_header(text[len("diff --git ") :])))
        elif text.startswith(("diff --cc ", "diff --combined ")):
            path = unquote(text.split(" ", 2)[2])[0]
            self._start(_File(header=(path, path)))
        elif text.startswith("@@"):
            self._hunk_header(text)
        elif text.startswith("--- "):
            self._minus(unquote(text[4:])[0])
        elif text.startswith("+++ "):
            self._plus(unquote(text[4:])[0])
        elif self._cur is not None:
            self._extended(text)

    def _start(self, f: _File) -> None:
        self._finish()
        self.headers_seen = True
        self._cur = f

    def _minus(self, name: str) -> None:
        cur = self._cur
        if cur is None or cur.new is not None or cur.added:  # a plain unified diff's next file
            self._start(_File(plain=True))
            cur = self._cur
        assert cur is not None
        cur.old = name
        if name == DEV_NULL:
            cur.status = "added"

    def _plus(self, name: str) -> None:
        if self._cur is None or self._cur.old is None:
            raise self._fail("'+++' without the '---' line before it")
        self._cur.new = name
        if name == DEV_NULL:
            self._cur.status = "deleted"

    def _extended(self, text: str) -> None:
        cur = self._cur
        assert cur is not None
        key = text.partition(" ")[0]
        if text.startswith(("rename from ", "copy from ")):
            cur.rename_from = unquote(text.split(" ", 2)[2])[0]
        elif text.startswith(("rename to ", "copy to ")):
            cur.rename_to = unquote(text.split(" ", 2)[2])[0]
            cur.status = "renamed" if key == "rename" else "copied"
        elif text.startswith("new file mode"):
            cur.status = "added"
        elif text.startswith("deleted file mode"):
            cur.status = "deleted"
        elif text.startswith("Binary files ") or text == "GIT binary patch":
            cur.binary = True

    def _hunk_header(self, text: str) -> None:
        m = _HUNK.match(text)
        if m is None or self._cur is None or self._cur.new is None:
            raise self._fail(f"not a hunk header, or a hunk before its file's '+++' line: {text[:60]!r}")
        ranges = m.group(2).split(" ")
        self._parents = len(m.group(1)) - 1
        if len(ranges) != self._parents + 1 or not ranges[-1].startswith("+"):
            raise self._fail(f"not a hunk header: {text[:60]!r}")
        try:
            start, new_len, old_len = _ranges(ranges, self._parents)
        except ValueError:
            raise self._fail(f"not a hunk header: {text[:60]!r}") from None
        self._next_new = start if new_len else start + 1
        self._new_left, self._old_left = new_len, old_len

    # ----------------------------------------------------------------------------------------- files

    def _finish(self) -> None:
        cur, self._cur = self._cur, None
        if cur is None:
            return
        path, old_path = self._paths(cur)
        if cur.status in ("renamed", "copied") and path == old_path:
            cur.status = "modified"
        self.files[path] = ChangedFile(
            path=path,
            status=cur.status,
            old_path=old_path if cur.status in ("renamed", "copied") else None,
            added=tuple(cur.added),
            binary=cur.binary,
        )

    def _paths(self, cur: _File) -> tuple[str, str | None]:
        """(new path, old path) without the diff's prefixes."""
        if cur.rename_to is not None:
            return cur.rename_to, cur.rename_from
        if cur.header is not None and not cur.plain:
            old, new = cur.header
            path = _strip_pair(old, new)
            self.prefixed = path is not None
            return (path if path is not None else new), None
        return self._plain_path(cur), None

    def _plain_path(self, cur: _File) -> str:
        old, new = cur.old or DEV_NULL, cur.new or DEV_NULL
        if DEV_NULL not in (old, new):
            path = _strip_pair(old, new)
            self.prefixed = path is not None
            return path if path is not None else new
        return self._one_sided(new, "b") if new != DEV_NULL else self._one_sided(old, "a")

    def _one_sided(self, name: str, letter: str) -> str:
        """A new or deleted file's name: without its prefix if the diff has prefixes; when that is not known
        yet, git's default prefix (``b/`` on the new side, ``a/`` on the old) is taken as one."""
        head, sep, rest = name.partition("/")
        if self.prefixed is False or not sep:
            return name
        return rest if self.prefixed or head == letter else name

    def close(self) -> dict[str, ChangedFile]:
        if self._new_left > 0 or self._old_left > 0:
            raise self._fail(f"the diff ends inside a hunk ({self._new_left} new lines still expected)")
        self._finish()
        return self.files


_RANGE = re.compile(r"[-+]([0-9]{1,10})(?:,([0-9]{1,10}))?", re.ASCII)
MAX_LINE = 2**31 - 1  # no source file has more lines: a larger number is not a diff's


def _range(text: str) -> tuple[int, int]:
    """``+12,3`` -> (12, 3); ``+12`` -> (12, 1). ValueError for anything else (a sign, ``_``, other digits,
    a line number past :data:`MAX_LINE`)."""
    m = _RANGE.fullmatch(text)
    if m is None:
        raise ValueError(text)
    start, length = int(m.group(1)), int(m.group(2) or 1)
    if start + length > MAX_LINE:
        raise ValueError(text)
    return start, length


def _ranges(ranges: list[str], parents: int) -> tuple[int, int, int]:
    """(new start, new length, old length: 0 for a combined diff) of a hunk header's ranges."""
    start, new_len = _range(ranges[-1])
    old_len = sum(_range(r)[1] for r in ranges[:-1]) if parents == 1 else 0
    if new_len and not start:
        raise ValueError("the new side's lines are numbered from 1")
    return start, new_len, old_len


def parse_diff(lines: Iterable[bytes], name: str = "<diff>") -> dict[str, ChangedFile]:
    """The files a unified diff changes, keyed by their new path (a deleted file by its old path)."""
    return DiffParser(name).feed_all(lines)
