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
import re
import sys
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
    from qualitygate.parsers.reading import open_report

    try:
        with open_report(path) as fh:  # the registry's open file, hashed on the way
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


class _NotJSONConstant(Exception):
    """``NaN``, ``Infinity`` or ``-Infinity``: Python's ``json`` reads them, JSON has no such values."""


def _refuse_constant(name: str) -> Any:
    raise _NotJSONConstant(name)


# Outside string literals, the first NaN/Infinity token or run of more than ``limit`` integer digits (not
# a fraction or an exponent, which have no limit): where the decoder stopped. Only run after a failure.
_STRING_OR_BAD_TOKEN = r'"[^"\\]*(?:\\.[^"\\]*)*"|(-?Infinity|NaN|(?<![\d.eE+-])-?\d{%d,}(?![\d.eE]))'


def _bad_token_at(text: str) -> tuple[int | None, int | None]:
    """line:col of the first non-JSON constant or over-long integer of ``text`` (None, None if not found)."""
    limit = sys.get_int_max_str_digits()
    for m in re.finditer(_STRING_OR_BAD_TOKEN % (limit + 1 if limit else 1 << 30), text):
        if m.group(1) is not None:
            line = text.count("\n", 0, m.start(1)) + 1
            return line, m.start(1) - text.rfind("\n", 0, m.start(1))
    return None, None


def loads(path: str, text: str, what: str) -> Any:
    """Parse JSON text; a syntax error becomes ``ReportFormatError`` at its line:col."""
    if not text.strip():
        raise ReportFormatError(path, f"empty file: no {what} was written")
    try:
        # parse_constant: the C scanner calls it only on NaN/Infinity/-Infinity, which would become floats
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        if exc.pos >= len(text.rstrip()):
            msg = f"not valid JSON: the text ends early (truncated?): expected a complete {what}"
        else:
            msg = f"not valid JSON ({exc.msg}): expected a {what}"
        raise ReportFormatError(path, msg, line=exc.lineno, column=exc.colno) from None
    except RecursionError:
        raise ReportFormatError(path, f"JSON nested too deeply to be a {what}") from None
    except _NotJSONConstant as exc:
        line, col = _bad_token_at(text)
        msg = f"not valid JSON ({exc} is not a JSON value): expected a {what}"
        raise ReportFormatError(path, msg, line=line, column=col) from None
    except ValueError as exc:  # int(): "Exceeds the limit (4300 digits) for integer string conversion"
        raise _too_many_digits(path, text, what, exc) from None


def _too_many_digits(path: str, text: str, what: str, exc: ValueError) -> ReportFormatError:
    """The error for Python's refusal of an over-long integer (any other ValueError: the decoder's text)."""
    digits = re.search(
        r"limit \((\d+) digits\) for integer string conversion: value has (\d+) digits", str(exc)
    )
    if digits is None:  # pragma: no cover - json raises no other ValueError today
        return ReportFormatError(path, f"not valid JSON ({exc}): expected a {what}")
    line, col = _bad_token_at(text)
    msg = (
        f"an integer of {digits.group(2)} digits (Python reads at most {digits.group(1)}): expected a {what}"
    )
    return ReportFormatError(path, msg, line=line, column=col)


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
    """Cyclic GC off while a report is loaded and its records built; in the CLI, frozen afterwards.

    The JSON tree and the records are acyclic, so reference counting frees them; the collector would only
    re-scan millions of young containers (half of ``json.load``'s time on a 60 MB file, RESULTS.md).
    ``gc.freeze()`` then moves every object alive to the permanent generation, where no later collection
    (nor the one at exit) walks them again: measured with ../shared/bench/measure.py, dropping it made
    ``qualitygate parse`` 16 % slower on a 70 MB Trivy SARIF and 40 % on a 61 MB radon report. Frozen
    objects are never collected, so this is only done in the short-lived CLI process, never when
    qualitygate is a library inside a longer-lived one (a test runner, a service).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if _in_cli():
            gc.freeze()
        if was_enabled:
            gc.enable()


_CLI: list[bool] = []  # the answer of _in_cli(), once known


def _in_cli() -> bool:
    """Whether this process is the qualitygate command: ``python -m qualitygate`` and the ``qualitygate``
    console script both run ``qualitygate.main`` (an older console script: ``qualitygate.cli.main``)
    imported into ``__main__``. Decided once per process."""
    if not _CLI:
        main = getattr(sys.modules.get("__main__"), "main", None)
        entries = [getattr(sys.modules.get(m), "main", None) for m in ("qualitygate", "qualitygate.cli")]
        _CLI.append(main is not None and any(main is e for e in entries))
    return _CLI[0]
