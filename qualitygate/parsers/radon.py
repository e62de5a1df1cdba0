"""radon cyclomatic complexity: ``radon cc -j`` JSON and ``radon cc -s`` text (../shared/FORMATS.md §6).

The blocks counted are the ones radon itself lists and averages (``-a``): the top-level entries of each
file. radon 6 ``cli/harvest.py`` ``CCHarvester``:

* ``cc_visit`` already returns every method as a block of its own, and ``cc_to_dict`` (``cli/tools.py``)
  then *also* nests them under their class's ``"methods"``: the nested copies are never counted again.
* Closures are nested under ``"closures"`` (radon < 4 spelt it ``"clojures"``) in every JSON; only
  ``--show-closures`` (``add_inner_blocks`` in ``complexity.py``) promotes them to top-level entries named
  ``outer.inner``, and only then does radon count them. So nested lists are ignored whatever their
  spelling, and a top-level ``function`` with a dotted name is a promoted closure.
* A file that does not parse is ``{"error": "invalid syntax (<unknown>, line 3)"}`` in JSON and an
  ``ERROR: ...`` line in text; both become :class:`FileProblem` entries in ``report.errors``. xenon only
  prints a warning for them and exits 0; here the policy decides (``complexity.errors``).

The text form's ``-a`` footer ("N blocks ... analyzed." / "Average complexity: A (4.49)") is radon's own
total: it is not used for counting but compared, and a disagreement is reported as a warning (it happens
legitimately with ``--min``/``--max`` filtering plus ``--total-average``).
"""

from __future__ import annotations

import math
import re
from typing import Any

from qualitygate.errors import ReportFormatError
from qualitygate.model import ComplexityBlock, ComplexityReport, FileProblem, to_posix
from qualitygate.parsers import naming
from qualitygate.parsers.jsonload import loads, no_gc, read_text, type_name

WHAT = "radon cc report"

_TYPES = {"function": "function", "method": "method", "class": "class"}

# radon cli/tools.py TEMPLATE: '{0}{1} {2}:{3} {4} - {5}{6}' -> "    F 12:0 name - A (3)" with -s.
_BLOCK = re.compile(r"^[ \t]+([FMC]) (\d+):(\d+) (.+) - ([A-F])(?: \((\d+)\))?$")
_ERROR = re.compile(r"^[ \t]+ERROR: (.*)$")
_MAX_DIGITS = 18  # any count or score fits in 18 digits; Python's int() refuses more than 4300
_ANALYZED = re.compile(r"^(\d+) blocks \(classes, functions, methods\) analyzed\.$")
_AVERAGE = re.compile(r"^Average complexity: ([A-F]) \(([0-9.eE+-]+|nan|inf)\)$")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_LETTERS = {"F": "function", "M": "method", "C": "class"}

_SNIFF_JSON = re.compile(r'^\s*\{\s*"(?:[^"\\]|\\.)*"\s*:\s*(?:\[|\{\s*"error"\s*:)')
_SNIFF_ERROR = re.compile(r'"\s*:\s*\{\s*"error"\s*:\s*"[^"]*"\s*\}')
_SNIFF_TEXT = re.compile(r"^[ \t]+[FMC] \d+:\d+ \S.* - [A-F](?: \(\d+\))?\r?$", re.MULTILINE)


KIND = "radon"
REFRESH = {"": "radon cc -j -O {path} ."}


def sniff(head: str) -> bool:
    """JSON: an object of path -> list of blocks with ``complexity``/``rank`` (or ``{"error": ...}``);
    text: a ``    F 12:0 name - A (3)`` block line."""
    stripped = head.lstrip()
    if stripped.startswith("{"):
        return bool(_SNIFF_JSON.match(head)) and (
            ('"complexity"' in head and '"rank"' in head) or _SNIFF_ERROR.search(head) is not None
        )
    if stripped.startswith(("<", "[")):
        return False
    return _SNIFF_TEXT.search(head) is not None


def parse(path: str, display: str | None = None) -> ComplexityReport:
    text = read_text(path, WHAT)
    head = text[:4096].lstrip()
    if not head and not text.strip():
        raise ReportFormatError(path, f"only whitespace: no {WHAT} was written")
    if not head.startswith(("{", "[")):
        return _from_text(path, text, display or path)
    with no_gc():
        doc = loads(path, text, WHAT)
        del text  # the 60 MB string is not needed once parsed
        return _from_json(path, doc, display or path)


# ------------------------------------------------------------------------------------------------ JSON


def _from_json(path: str, doc: object, display: str) -> ComplexityReport:
    if not isinstance(doc, dict):
        raise ReportFormatError(path, f"top level is {type_name(doc)}, expected an object: not a {WHAT}")
    report = ComplexityReport(path=display, kind="radon", tool="radon", measure="cyclomatic")
    append = report.blocks.append
    for file, entries in doc.items():
        posix = to_posix(file)
        if type(entries) is list:
            for i, b in enumerate(entries):
                append(_json_block(path, file, posix, i, b))
        elif type(entries) is dict and "error" in entries:
            report.errors.append(FileProblem(file=posix, message=str(entries["error"])))
        else:
            raise ReportFormatError(
                path,
                f'{file!r}: expected a list of blocks or {{"error": ...}}, got {type_name(entries)}',
            )
    return report


def _json_block(path: str, file: str, posix: str, i: int, b: object) -> ComplexityBlock:
    if type(b) is not dict:
        raise ReportFormatError(path, f"{file!r}[{i}]: expected an object, got {type_name(b)}")
    try:
        score = b["complexity"]
        line = b["lineno"]
        name = b["name"]
        btype = b["type"]
    except KeyError as exc:
        raise ReportFormatError(path, f"{file!r}[{i}]: a radon block has no {exc.args[0]!r}") from None
    if type(score) is not int or type(line) is not int or type(name) is not str:
        raise ReportFormatError(path, f"{file!r}[{i}]: {_bad_block(b)}")
    end = b.get("endline")
    rank = b.get("rank")
    cls = b.get("classname")
    return ComplexityBlock(
        file=naming.paths()(posix),
        line=line,
        name=name,
        kind=_block_kind(path, file, i, btype, name),
        score=score,
        end_line=end if type(end) is int else None,
        rank=rank if type(rank) is str else None,
        classname=cls if type(cls) is str else None,
    )


def _block_kind(path: str, file: str, i: int, btype: Any, name: str) -> str:
    """radon's ``type``, except that a function named ``outer.inner`` is a closure promoted by
    ``--show-closures``."""
    kind = _TYPES.get(btype)
    if kind is None:
        raise ReportFormatError(
            path, f"{file!r}[{i}].type: expected function, method or class, got {btype!r}"
        )
    if kind == "function" and "." in name:
        return "closure"
    return kind


def _bad_block(b: dict[str, Any]) -> str:
    for key, want in (("complexity", "an integer"), ("lineno", "an integer"), ("name", "a string")):
        v = b[key]
        ok = isinstance(v, str) if want == "a string" else type(v) is int
        if not ok:
            return f"{key}: expected {want}, got {v!r}"
    return "malformed block"  # pragma: no cover - only called when one check above fails


# ------------------------------------------------------------------------------------------------ text


def _block_count(path: str, digits: str, lineno: int) -> int:
    """The "N blocks analyzed" footer's N (int() of 4300 digits raises ValueError: exit 5)."""
    if len(digits) > _MAX_DIGITS:
        raise ReportFormatError(path, "a block count too long to be one", line=lineno)
    return int(digits)


def _from_text(path: str, text: str, display: str) -> ComplexityReport:
    if "\x1b[" in text:  # radon colours its output on a terminal (colorama); captured logs may keep it
        text = _ANSI.sub("", text)
    report = ComplexityReport(path=display, kind="radon", tool="radon", measure="cyclomatic")
    file: str | None = None
    reported_blocks: int | None = None
    reported_avg: float | None = None
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        if not line:
            continue
        if line[0] in " \t":
            if file is None:
                raise ReportFormatError(path, "an indented line before any file name", line=lineno, column=1)
            m = _BLOCK.match(line)
            if m:
                report.blocks.append(_text_block(path, file, m, lineno))
                continue
            e = _ERROR.match(line)
            if e:
                report.errors.append(FileProblem(file=file, message=e.group(1)))
                continue
            raise ReportFormatError(
                path, f"not a radon cc block line: {line.strip()[:80]!r}", line=lineno, column=1
            )
        m = _ANALYZED.match(line)
        if m:
            reported_blocks = _block_count(path, m.group(1), lineno)
            continue
        m = _AVERAGE.match(line)
        if m:
            reported_avg = float(m.group(2))
            continue
        file = to_posix(line)  # radon prints each analysed file's path unindented, then its blocks
    _refuse_nothing(path, report, reported_blocks)
    _compare_footer(report, reported_blocks, reported_avg)
    return report


def _refuse_nothing(path: str, report: ComplexityReport, reported_blocks: int | None) -> None:
    """radon prints nothing for a file without blocks: text with no block, ERROR or footer line is something
    else (random text, a stray log), not an empty report."""
    if not report.blocks and not report.errors and reported_blocks is None:
        raise ReportFormatError(path, f"no block, ERROR or summary line: not a {WHAT} (radon cc -s text)")


def _text_block(path: str, file: str, m: re.Match[str], lineno: int) -> ComplexityBlock:
    letter, line, _col, fullname, rank, score = m.groups()
    if score is None:
        raise ReportFormatError(
            path,
            "radon cc text without complexity scores: only ranks are printed",
            line=lineno,
            hint="run radon cc with -s (--show-complexity), or use -j",
        )
    kind = _LETTERS[letter]
    name, classname = fullname, None
    if kind == "method" and "." in fullname:
        # radon prints a method as "Class.method" (Function.fullname); the class may itself be dotted.
        classname, name = fullname.rsplit(".", 1)
    elif kind == "function" and "." in fullname:
        kind = "closure"
    try:
        numbers = int(line), int(score)
    except ValueError:  # beyond Python's 4300 digits: no real score or line number
        raise ReportFormatError(path, "a number too long to be a line or a score", line=lineno) from None
    return ComplexityBlock(
        file=naming.paths()(file),
        line=numbers[0],
        name=name,
        kind=kind,
        score=numbers[1],
        rank=rank,
        classname=classname,
    )


def _compare_footer(report: ComplexityReport, blocks: int | None, avg: float | None) -> None:
    n = len(report.blocks)
    if blocks is not None and blocks != n:
        report.warnings.append(f"radon reports {blocks} blocks analyzed, the listing has {n}")
    if avg is not None and n:
        mean = math.fsum(b.score for b in report.blocks) / n
        if not math.isclose(mean, avg, rel_tol=1e-9, abs_tol=1e-12):
            report.warnings.append(
                f"radon reports average complexity {avg}, the listed blocks average {mean}"
            )
