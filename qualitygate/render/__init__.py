"""Renderers: one module per output format, each a pure ``render(verdict, ...) -> str``.

``OutputFormat`` names the formats and ``render`` dispatches to the module of the format's name
(``tests/test_render.py`` checks every format); a format module is imported only when it is used.
``write_atomic`` writes the result so that no reader ever sees half a verdict.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import time
from enum import StrEnum
from typing import TYPE_CHECKING, Any, cast

from qualitygate.errors import UsageError

if TYPE_CHECKING:  # importing this package is cheap: the CLI reads OutputFormat for its --format choices
    from qualitygate.verdict import Verdict

__all__ = ["OutputFormat", "render", "write_atomic"]


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"
    GITHUB = "github"
    JUNIT = "junit"
    SARIF = "sarif"
    OPENMETRICS = "openmetrics"
    SHIELDS = "shields"


def render(fmt: OutputFormat, verdict: Verdict, **options: Any) -> str:
    """Render ``verdict`` as ``fmt``; ``options`` are that format's keyword arguments (``color=`` for table,
    ``base=``/``marker=``/``max_chars=`` for markdown, ...)."""
    from importlib import import_module

    renderer = import_module(f"qualitygate.render.{fmt.value}")  # each format's module, imported when used
    return cast(str, renderer.render(verdict, **options))


def write_atomic(path: str, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path``; ``"-"`` is standard output.

    A regular file is replaced atomically: a temporary file in its directory, flushed to disk, then
    ``os.replace``, so a reader (an upload step, a later job) sees the old file or the whole new one, never a
    part. The new file gets the mode the old one had, or the usual mode for a new file (0666 less the umask)
    rather than mkstemp's 0600. A symbolic link is kept: the file it points to is the one replaced. Anything
    that is not a regular file (a FIFO, ``/dev/stdout``, ``/dev/null`` or another device) is opened and
    written in place, appending, as a shell's ``>>`` would: it is never replaced by a regular file.
    """
    if path == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        target = os.path.realpath(path)
        if _special(path, target):
            _write_in_place(path, text)
        else:
            _replace(target, text)
    except BrokenPipeError:
        raise  # the reader of a FIFO or of /dev/stdout went away: the CLI's 141, as for standard output
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise UsageError(
            f"{path}: cannot write the output: {reason}",
            hint="check that the directory exists and is writable",
        ) from exc


# Paths whose files stand for something else (a descriptor, a process's stream): never replaced.
_SPECIAL_ROOTS = ("/dev/", "/proc/")


def _special(path: str, target: str) -> bool:
    """Whether ``path`` must be written in place: it names a FIFO, a device, a directory (whose error the
    write then reports), or lives under /dev or /proc (``/dev/stdout`` may be a redirected regular file)."""
    if os.path.abspath(path).startswith(_SPECIAL_ROOTS) or target.startswith(_SPECIAL_ROOTS):
        return True
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return False  # a new file (or a dangling link's target, created where the link points)
    return not stat.S_ISREG(mode)


FIFO_WAIT_S = 10.0  # how long a FIFO given as --output may go without a reader before that is an error


def _write_in_place(path: str, text: str) -> None:
    sys.stdout.flush()  # what this run wrote to standard output comes first when both are the same stream
    with os.fdopen(_open_for_writing(path), "w", encoding="utf-8", newline="") as out:
        out.write(text)


def _open_for_writing(path: str) -> int:
    """A descriptor to append to ``path``; a FIFO is waited for a reader (``FIFO_WAIT_S``), not forever."""
    deadline = time.monotonic() + FIFO_WAIT_S
    while True:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CLOEXEC | os.O_NONBLOCK)
        except OSError as exc:
            if exc.errno != errno.ENXIO:
                raise
            if time.monotonic() >= deadline:
                raise OSError(errno.ENXIO, f"no process read the FIFO within {FIFO_WAIT_S:g} s") from exc
            time.sleep(0.05)
            continue
        os.set_blocking(fd, True)
        return fd


def _replace(target: str, text: str) -> None:
    """Replace the regular file ``target`` (or create it) atomically."""
    directory = os.path.dirname(target)
    tmp: str | None = None
    import tempfile

    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(target)}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
        tmp = None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _mode_for(path: str) -> int:
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
