"""The command that rewrites a stale report, chosen by the tool that wrote it.

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
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qualitygate.inputs import Loaded

_HEAD_BYTES = 4096

ISTANBUL = "re-run the JavaScript tests with coverage that wrote {path} (Istanbul: jest, vitest, nyc or c8)"

# (kind, producer) -> command; {path} is the report's path, {dir} its folder, {tool} the recorded tool.
COMMANDS: dict[tuple[str, str], str] = {
    ("cobertura", "coverage.py"): "pytest --cov --cov-report=xml:{path}",
    ("cobertura", "istanbul"): ISTANBUL,
    ("cobertura", "gcovr"): "gcovr --cobertura {path}",
    ("lcov", "coverage.py"): "pytest --cov --cov-report=lcov:{path}",
    ("lcov", "istanbul"): ISTANBUL,
    ("lcov", "gcovr"): "gcovr --lcov {path}",
    ("junit", "pytest"): "pytest --junitxml={path}",
    ("junit", "jest"): "JEST_JUNIT_OUTPUT_FILE={path} npx jest --reporters=default --reporters=jest-junit",
    ("junit", "vitest"): "npx vitest run --reporter=junit --outputFile={path}",
    ("junit", "mocha"): "MOCHA_FILE={path} npx mocha --reporter mocha-junit-reporter",
    ("radon", "radon"): "radon cc -j -O {path} .",
    ("complexipy", "complexipy"): "complexipy . --output-format json --output {path}",
    ("jscpd", "jscpd"): "npx jscpd --reporters json --output {dir} .",
    ("sarif", "tool"): "re-run {tool}, which wrote {path}",
    ("k6", "k6"): "k6 run --summary-export={path} SCRIPT",
}

# When the producer is unknown: what the report is, and no command.
NEUTRAL: dict[str, str] = {
    "cobertura": "re-run the coverage tool that wrote {path} (Cobertura XML)",
    "lcov": "re-run the coverage tool that wrote {path} (lcov)",
    "junit": "re-run the tests that wrote {path} with their JUnit reporter",
}
FALLBACK = "re-run the tool that wrote {path}"

_JUNIT_ROOT_NAMES = (
    ('name="pytest tests"', "pytest"),
    ('<testsuite name="pytest"', "pytest"),
    ('name="jest tests"', "jest"),
    ('name="vitest tests"', "vitest"),
    ('name="Mocha Tests"', "mocha"),
)
_LCOV_SF = re.compile(r"^SF:(.*)$", re.MULTILINE)
_JS_SUFFIXES = (".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts", ".vue", ".svelte")


def _head(path: str) -> str:
    try:
        with open(path, "rb") as fh:
            return fh.read(_HEAD_BYTES).decode("utf-8", "replace")
    except OSError:
        return ""


def junit_producer(head: str) -> str | None:
    return next((who for mark, who in _JUNIT_ROOT_NAMES if mark in head), None)


def lcov_producer(head: str) -> str | None:
    if head.startswith("TN:GCOVR") or "\nVER:" in head:
        return "gcovr"
    first = _LCOV_SF.search(head)
    if first is None:
        return None
    source = first.group(1).strip()
    if source.endswith(".py"):
        return "coverage.py"
    return "istanbul" if source.endswith(_JS_SUFFIXES) else None


def cobertura_producer(tool: str | None) -> str | None:
    name = (tool or "").split(" ", 1)[0]
    return name if name in ("coverage.py", "istanbul", "gcovr") else None


def producer(kind: str, tool: str | None, path: str) -> str | None:
    """Which tool wrote the report, as far as its content tells; None when it does not."""
    if kind == "cobertura":
        return cobertura_producer(tool)
    if kind == "junit":
        return junit_producer(_head(path))
    if kind == "lcov":
        return lcov_producer(_head(path))
    if kind == "sarif":
        return "tool" if tool else None
    return kind  # one producer per format


def refresh_hint(loaded: Loaded, path: str) -> str:
    """How to rewrite the report ``loaded`` (read from ``path``)."""
    kind = loaded.info.kind
    who = producer(kind, loaded.report.tool, path)
    template = COMMANDS.get((kind, who or ""), NEUTRAL.get(kind, FALLBACK))
    rel = loaded.rel
    return template.format(path=rel, dir=os.path.dirname(rel) or ".", tool=loaded.report.tool)
