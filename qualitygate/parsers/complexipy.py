"""complexipy JSON (cognitive complexity, rohaquinlop/complexipy).

``complexipy PATH --output-format json --output FILE`` (complexipy 8.3.0; older releases wrote
``complexipy.json`` with ``-j``) writes one flat JSON array, one object per function::

    [{"complexity": 13, "file_name": "__init__.py", "function_name": "Config::__init__",
      "path": "radon/cli/__init__.py", "refactor_plans": []}, ...]

Methods are ``Class::method`` (nested classes ``Outer::Inner::method``). There are no line numbers (only
the optional ``refactor_plans`` carry line ranges of suggested extractions), so blocks get ``line=0``:
"unknown", never a real 1-based line. A file complexipy cannot parse is only reported on its terminal
("error: Failed to process ...") and is absent from the JSON, so ``report.errors`` stays empty.
"""

from __future__ import annotations

import re

from qualitygate.errors import ReportFormatError
from qualitygate.model import ComplexityBlock, ComplexityReport, to_posix
from qualitygate.parsers import naming
from qualitygate.parsers.jsonload import load_array, type_name

WHAT = "complexipy JSON report"

_SNIFF = re.compile(r"^\s*\[\s*\{")


KIND = "complexipy"
REFRESH = {"": "complexipy . --output-format json --output {path}"}


def sniff(head: str) -> bool:
    """A JSON array of objects with ``"function_name"`` and ``"complexity"``."""
    return (
        _SNIFF.match(head) is not None
        and '"function_name"' in head
        and '"complexity"' in head
        and ('"path"' in head or '"file_name"' in head)
    )


def parse(path: str, display: str | None = None) -> ComplexityReport:
    entries = load_array(path, WHAT)
    report = ComplexityReport(path=display or path, kind="complexipy", tool="complexipy", measure="cognitive")
    report.blocks.extend(_block(path, i, e) for i, e in enumerate(entries))
    return report


def _block(path: str, i: int, e: object) -> ComplexityBlock:
    """The ``i``-th entry, checked."""
    if not isinstance(e, dict):
        raise ReportFormatError(path, f"[{i}]: expected an object, got {type_name(e)}")
    score = e.get("complexity")
    fname = e.get("function_name")
    file = e.get("path", e.get("file_name"))
    if not isinstance(score, int) or isinstance(score, bool):
        raise ReportFormatError(path, f"[{i}].complexity: expected an integer, got {score!r}")
    if not isinstance(fname, str):
        raise ReportFormatError(path, f"[{i}].function_name: expected a string, got {fname!r}")
    if not isinstance(file, str):
        raise ReportFormatError(path, f"[{i}].path: expected a string, got {file!r}")
    classname, name, kind = None, fname, "function"
    if "::" in fname:
        cls, name = fname.rsplit("::", 1)
        classname, kind = cls.replace("::", "."), "method"
    line = e.get("line_start", 0)  # not written by complexipy 8.3.0; taken if a release adds it
    return ComplexityBlock(
        file=naming.paths()(to_posix(file)),
        line=line if isinstance(line, int) and not isinstance(line, bool) else 0,
        name=name,
        kind=kind,
        score=score,
        classname=classname,
    )
