"""Renderers: one module per output format, each a pure ``render(verdict, ...) -> str``.

``OutputFormat`` names the formats and ``render`` dispatches to them (mypy checks the dispatch is exhaustive
through ``assert_never``); a format module is imported only when it is used. ``write_atomic`` writes the
result so that no reader ever sees half a verdict.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from enum import StrEnum
from typing import Any, assert_never

from qualitygate.errors import UsageError
from qualitygate.verdict import Verdict

__all__ = ["OutputFormat", "render", "write_atomic"]


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"
    GITHUB = "github"
    JUNIT = "junit"
    SARIF = "sarif"


def render(fmt: OutputFormat, verdict: Verdict, **options: Any) -> str:
    """Render ``verdict`` as ``fmt``; ``options`` are that format's keyword arguments (``color=`` for table,
    ``base=``/``marker=``/``max_chars=`` for markdown, ...)."""
    if fmt is OutputFormat.TABLE:
        from qualitygate.render import table

        return table.render(verdict, **options)
    if fmt is OutputFormat.JSON:
        from qualitygate.render import json

        return json.render(verdict, **options)
    if fmt is OutputFormat.MARKDOWN:
        from qualitygate.render import markdown

        return markdown.render(verdict, **options)
    if fmt is OutputFormat.GITHUB:
        from qualitygate.render import github

        return github.render(verdict, **options)
    if fmt is OutputFormat.JUNIT:
        from qualitygate.render import junit

        return junit.render(verdict, **options)
    if fmt is OutputFormat.SARIF:
        from qualitygate.render import sarif

        return sarif.render(verdict, **options)
    assert_never(fmt)


def write_atomic(path: str, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path``; ``"-"`` is standard output.

    A temporary file in the same directory, flushed to disk, then ``os.replace``: a reader (an upload step,
    a later job) sees the old file or the whole new one, never a part. The new file gets the mode the old one
    had, or the usual mode for a new file (0666 less the umask) rather than mkstemp's 0600.
    """
    if path == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    directory = os.path.dirname(os.path.abspath(path))
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, _mode_for(path))
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise UsageError(
            f"{path}: cannot write the output: {reason}",
            hint="check that the directory exists and is writable",
        ) from exc
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
