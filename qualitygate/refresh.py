"""The command that rewrites a stale report, chosen by the tool that wrote it. The commands are each parser
module's ``REFRESH`` (``parsers/registry.py``), keyed by its ``producer``.

The producer comes from the report itself: the ``tool`` its parser recorded (Cobertura: coverage.py,
Istanbul, gcovr), else the first bytes of the file (a JUnit root's ``name``: pytest, jest-junit, vitest,
mocha-junit-reporter; an lcov file's ``TN:GCOVR``/``VER:`` or the language of its first ``SF:``). Where the
report cannot tell its producer apart, the hint names the family and no command: jest, nyc, c8 and vitest
write the same Istanbul lcov and Cobertura, so ``npx jest --coverage`` would be a wrong answer for nyc.
Every command was checked against the tool's own CLI (complexipy 8.3.0 has ``--output-format json --output
FILE``, no ``--output-json``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from qualitygate.inputs import Loaded

_HEAD_BYTES = 4096
FALLBACK = "re-run the tool that wrote {path}"


def _head(path: str) -> str:
    try:
        with open(path, "rb") as fh:
            return fh.read(_HEAD_BYTES).decode("utf-8", "replace")
    except OSError:
        return ""


def producer(kind: str, tool: str | None, path: str) -> str | None:
    """Which tool wrote the report, as far as its content tells (the parser module's ``producer``); None
    when it does not. A kind without ``producer`` has one producer: the key ``""`` of its ``REFRESH``."""
    from qualitygate.parsers.registry import KINDS

    find = getattr(KINDS[kind].load(), "producer", None)
    return None if find is None else cast(Callable[[str | None, str], str | None], find)(tool, _head(path))


def refresh_hint(loaded: Loaded, path: str) -> str:
    """How to rewrite the report ``loaded`` (read from ``path``)."""
    from qualitygate.parsers.registry import KINDS

    kind = loaded.info.kind
    hints = KINDS[kind].load().REFRESH
    who = producer(kind, loaded.report.tool, path)
    template = hints.get(who or "", hints.get("", FALLBACK))
    rel = loaded.rel
    return template.format(path=rel, dir=os.path.dirname(rel) or ".", tool=loaded.report.tool)
