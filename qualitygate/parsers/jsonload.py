"""Reading a JSON report: bytes -> Python objects, every failure a ``ReportFormatError`` naming file:line:col.

Shared by the JSON parsers (sarif, k6, radon, complexipy, jscpd). The document is loaded whole with the
stdlib ``json`` module: reports are one JSON value, and a streaming JSON parser in pure Python is several
times slower than ``json.loads`` (../shared/bench/RESULTS.md). What makes large reports slow is the cyclic
garbage collector re-scanning millions of freshly built dicts during the load, so :func:`no_gc` switches
it off while a parser loads and builds its records.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from qualitygate.errors import ReportFormatError, ReportNotFoundError

_BOM = b"\xef\xbb\xbf"


def _line_col(raw: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in bytes) of a byte offset."""
    line = raw.count(b"\n", 0, offset) + 1
    col = offset - (raw.rfind(b"\n", 0, offset) + 1) + 1
    return line, col


def read_text(path: str, what: str) -> str:
    """The file as text: strict UTF-8 (a UTF-8 BOM is dropped), errors name the file and the position."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        raise ReportNotFoundError(path, "no such file") from None
    except IsADirectoryError:
        raise ReportNotFoundError(path, "is a directory, not a report file") from None
    except OSError as exc:
        raise ReportNotFoundError(path, f"cannot read: {exc.strerror or exc}") from None
    start = 3 if raw.startswith(_BOM) else 0
    try:
        # Slicing a 70 MB bytes object costs a copy; decode from an offset through a memoryview instead.
        return str(memoryview(raw)[start:], "utf-8") if start else raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _line_col(raw, exc.start + start)
        raise ReportFormatError(
            path,
            f"not UTF-8 (byte 0x{raw[exc.start + start]:02x}): a {what} is UTF-8 text",
            line=line,
            column=col,
        ) from None


def loads(path: str, text: str, what: str) -> Any:
    """Parse JSON text; a syntax error becomes ``ReportFormatError`` at its line:col."""
    if not text.strip():
        raise ReportFormatError(path, f"empty file: no {what} was written")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.pos >= len(text.rstrip()):
            msg = f"not valid JSON: the text ends early (truncated?): expected a complete {what}"
        else:
            msg = f"not valid JSON ({exc.msg}): expected a {what}"
        raise ReportFormatError(path, msg, line=exc.lineno, column=exc.colno) from None
    except RecursionError:
        raise ReportFormatError(path, f"JSON nested too deeply to be a {what}") from None


def load_object(path: str, what: str) -> dict[str, Any]:
    """Read and parse a file whose top level must be a JSON object."""
    doc = loads(path, read_text(path, what), what)
    if not isinstance(doc, dict):
        raise ReportFormatError(path, f"top level is {type_name(doc)}, expected an object: not a {what}")
    return doc


def load_array(path: str, what: str) -> list[Any]:
    """Read and parse a file whose top level must be a JSON array."""
    doc = loads(path, read_text(path, what), what)
    if not isinstance(doc, list):
        raise ReportFormatError(path, f"top level is {type_name(doc)}, expected an array: not a {what}")
    return doc


def type_name(value: object) -> str:
    """The JSON type of a decoded value with its article, for messages ("got an array")."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, int | float):
        return "a number"
    return type(value).__name__  # pragma: no cover - json never returns anything else


@contextmanager
def no_gc() -> Iterator[None]:
    """Cyclic GC off while a report is loaded and its records built; frozen afterwards.

    The JSON tree and the records are acyclic, so reference counting frees them; the collector would only
    re-scan millions of young containers (half of ``json.load``'s time on a 60 MB file, RESULTS.md).
    ``gc.freeze()`` then moves the surviving records to the permanent generation so later collections in the
    same process do not walk them again.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
