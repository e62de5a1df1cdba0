"""Reading a SARIF log without its JSON tree: the peak memory of a log with a million results.

``json.loads`` of a 174 MB log with 10**6 results builds ~1.5 GB of dicts before a single finding exists.
Here the log is walked as json.loads would read it, except that each run's ``results`` array is decoded one
result at a time (``JSONDecoder.raw_decode`` at the result's offset in the text), each turned into its
:class:`~qualitygate.model.Finding` by the same code as the plain path (``sarif._parse_run``) and then
dropped: what is held is the text and the findings. Everything else of the log (``tool``, ``artifacts``,
``version``, other keys) is decoded whole, as it is small.

Anything this reader is not sure of -- a duplicate key (json.loads keeps the last), a result that needs
``artifacts`` written after the results, any syntax error, non-JSON constant, over-long integer, wrong shape
-- makes :func:`stream` return None, and the plain path reads the log whole and reports every error with its
message and position. ruff writes ``results`` before ``tool``: such a run is read twice (the first pass only
finds where the results are and drops each one), since a result's rule comes from the tool.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from qualitygate.model import FindingsReport
from qualitygate.parsers import sarif
from qualitygate.parsers.jsonload import _NotJSONConstant, _refuse_constant

_SPACE = re.compile(r"[ \t\n\r]*")


class _Declined(Exception):
    """Not a log this reader is sure to read as json.loads would: the plain path reads it."""


class _Later(list[Any]):
    """A run's ``artifacts`` not read yet (written after its results): a result that needs them declines."""

    def __len__(self) -> int:
        raise _Declined


def stream(path: str, text: str, display: str | None = None) -> FindingsReport | None:
    """The log's findings, or None for the plain path to read it (and report any error)."""
    try:
        return _Walker(text).document(display or path)
    except (_Declined, sarif._Fail, ValueError, IndexError, RecursionError, _NotJSONConstant):
        return None


class _Walker:
    """A position in the text and the JSON punctuation around values decoded by the C scanner."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.decode = json.JSONDecoder(parse_constant=_refuse_constant).raw_decode
        self.guessed = False  # the tool written after the results is looked for once per log

    def peek(self) -> str:
        self.pos = _SPACE.match(self.text, self.pos).end()  # type: ignore[union-attr]  # always matches
        return self.text[self.pos]

    def value(self) -> Any:
        self.peek()
        value, self.pos = self.decode(self.text, self.pos)
        return value

    def _punct(self, closing: str) -> bool:
        """After a member or element: True at ``,``, False at the closing bracket (consumed either way)."""
        c = self.peek()
        self.pos += 1
        if c == ",":
            return True
        if c != closing:
            raise _Declined
        return False

    def members(self) -> Iterator[str]:
        """The keys of the object here; the caller reads each value before asking for the next key."""
        if self.peek() != "{":
            raise _Declined
        self.pos += 1
        if self.peek() == "}":
            self.pos += 1
            return
        seen: set[str] = set()
        more = True
        while more:
            key = self.value()
            if type(key) is not str or key in seen or self.peek() != ":":
                raise _Declined
            seen.add(key)
            self.pos += 1
            yield key
            more = self._punct("}")

    def elements(self) -> Iterator[None]:
        """Each element of the array here; the caller reads it before asking for the next."""
        if self.peek() != "[":
            raise _Declined
        self.pos += 1
        if self.peek() == "]":
            self.pos += 1
            return
        more = True
        while more:
            yield None
            more = self._punct("]")

    def values(self) -> Iterator[Any]:
        """The elements of the array here, decoded one at a time."""
        for _ in self.elements():
            yield self.value()

    def document(self, path: str) -> FindingsReport:
        report = FindingsReport(path=path, kind="sarif")
        tools: list[str] | None = None
        version: object = None
        for key in self.members():
            if key == "runs":
                tools = sarif._parse_runs(self.elements(), report, self._run)
            elif key == "version":
                version = self.value()
            else:
                self.value()
        if tools is None or _SPACE.match(self.text, self.pos).end() != len(self.text):  # type: ignore[union-attr]
            raise _Declined  # no runs (the plain path's message), or text after the log
        report.warnings[:0] = sarif.version_warnings(version)
        sarif.finish(report, tools)
        return report

    def _run(self, _: None, i: int, report: FindingsReport) -> str:
        """One run: its results streamed once its tool is known -- read before them, or, when the tool is
        written after them (ruff), found from the end of the text and checked when the walk reaches it; a
        wrong find (another run's tool) is undone and the results read again with the right one."""
        where = f"runs[{i}]"
        run: dict[str, Any] = {}
        read = _RunRead(len(report.findings), len(report.warnings))
        for key in self.members():
            if key == "results" and self.peek() == "[":
                self._results(run, where, report, read)
                continue
            if key == "tool" and read.guess_at is not None:
                self.peek()
                read.check(self.pos, report)
            run[key] = self.value()
        if read.guess_at is not None and not read.checked:
            raise _Declined  # a run without a tool: the plain path's message
        if read.name is not None:
            return read.name
        if read.results_at is None:
            return sarif._parse_run(run, where, report)  # no results array: as the plain path reads it
        end, self.pos = self.pos, read.results_at
        name = sarif._parse_run(run, where, report, self.values())
        self.pos = end
        return name

    def _results(self, run: dict[str, Any], where: str, report: FindingsReport, read: _RunRead) -> None:
        """At a run's results array: stream it if the tool is known or found, else skip it for now."""
        read.results_at = self.pos
        found = None
        if "tool" not in run and not self.guessed:
            self.guessed = True
            found = self._last_tool()
        if found is not None:
            read.guess_at, tool = found
            run = {**run, "tool": tool}
        if "tool" in run:
            run.setdefault("artifacts", _Later())
            read.name = sarif._parse_run(run, where, report, self.values())
        else:
            for _ in self.values():
                pass

    def _last_tool(self) -> tuple[int, dict[str, Any]] | None:
        """The value of the last ``"tool":`` key of the text, and where it starts, if it is an object."""
        text = self.text
        at = text.rfind('"tool"', max(0, len(text) - _LAST_TOOL_WINDOW))
        m = _TOOL_KEY.match(text, at) if at >= 0 else None
        if m is None:
            return None
        try:
            tool, _ = self.decode(self.text, m.end())
        except (ValueError, RecursionError, _NotJSONConstant):
            return None
        return (m.end(), tool) if type(tool) is dict else None


# The tool of a log whose runs write it after their results (ruff): the last "tool" key in the last 4 MiB
# (ruff's tool object is its rule list, ~1 MB with every rule). Only a guess, checked by its offset.
_LAST_TOOL_WINDOW = 4 << 20
_TOOL_KEY = re.compile(r'"tool"[ \t\n\r]*:[ \t\n\r]*')


class _RunRead:
    """Where one run's reading stands."""

    __slots__ = ("checked", "first", "guess_at", "name", "results_at", "warnings")

    def __init__(self, first: int, warnings: int) -> None:
        self.first, self.warnings = first, warnings
        self.results_at: int | None = None
        self.guess_at: int | None = None
        self.checked = False
        self.name: str | None = None

    def check(self, at: int, report: FindingsReport) -> None:
        """The run's tool is at ``at``: the found one was right, or its findings are undone."""
        if at == self.guess_at:
            self.checked = True
            return
        del report.findings[self.first :]
        del report.warnings[self.warnings :]
        self.guess_at, self.name = None, None
