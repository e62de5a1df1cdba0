"""Thresholds a project already keeps as data in its tools' own files (``qualitygate init --from-tools``).

* coverage.py's ``fail_under`` (``[report]`` in ``.coveragerc``; ``[coverage:report]`` in ``setup.cfg`` and
  ``tox.ini``; ``[tool.coverage.report]`` in ``pyproject.toml``), looked for in that order as coverage.py
  does (the first file that has it wins): a minimum of ``coverage.lines.pct`` (coverage.py's total also
  counts branches when ``branch = true``; the comment says so);
* Jest's ``coverageThreshold.global`` (``package.json``'s ``jest`` key, or ``jest.config.json``): a minimum
  per measure (statements, branches, functions, lines); a negative value (Jest: most uncovered items) has
  no percentage equivalent and is named as left out;
* k6's thresholds, from a ``--summary-export`` JSON (``metrics.<name>.thresholds``: expression -> passed).

Each is looked for at the root and in each top-level folder (that folder is then the component).
"""

from __future__ import annotations

import configparser
import json
import os
import tomllib
from dataclasses import dataclass
from typing import Any

_COVERAGE_FILES = (
    (".coveragerc", "report"),
    ("setup.cfg", "coverage:report"),
    ("tox.ini", "coverage:report"),
)
_JEST_MEASURES = ("statements", "branches", "functions", "lines")
_JEST_FILES = (("jest.config.json", ("coverageThreshold",)), ("package.json", ("jest", "coverageThreshold")))


@dataclass(frozen=True, slots=True)
class Threshold:
    metric: str
    minimum: float
    component: str | None
    source: str  # "frontend/package.json jest.coverageThreshold.global.lines"


def _folders(root: str) -> list[str]:
    subs = sorted(
        d for d in os.listdir(root) if not d.startswith(".") and os.path.isdir(os.path.join(root, d))
    )
    return ["", *(d for d in subs if d != "node_modules")]


def _ini_fail_under(path: str, section: str) -> float | None:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
        return parser.getfloat(section, "fail_under", fallback=None)
    except (configparser.Error, ValueError, UnicodeDecodeError):
        return None


def _toml_fail_under(path: str) -> float | None:
    try:
        with open(path, "rb") as fh:
            value = tomllib.load(fh).get("tool", {}).get("coverage", {}).get("report", {}).get("fail_under")
    except (OSError, tomllib.TOMLDecodeError):
        return None
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def coverage_py(root: str, folder: str) -> list[Threshold]:
    comp = folder or None
    for name, section in _COVERAGE_FILES:
        path = os.path.join(root, folder, name)
        if os.path.isfile(path) and (value := _ini_fail_under(path, section)) is not None:
            return [
                Threshold("coverage.lines.pct", value, comp, f"{_rel(folder, name)} [{section}] fail_under")
            ]
    path = os.path.join(root, folder, "pyproject.toml")
    if os.path.isfile(path) and (value := _toml_fail_under(path)) is not None:
        source = f"{_rel(folder, 'pyproject.toml')} [tool.coverage.report] fail_under"
        return [Threshold("coverage.lines.pct", value, comp, source)]
    return []


def _rel(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name


def _json(path: str) -> Any:
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return None


def jest(root: str, folder: str) -> tuple[list[Threshold], list[str]]:
    """Jest's global thresholds, and the ones left out (negative: a count, not a percentage)."""
    for name, keys in _JEST_FILES:
        doc = _json(os.path.join(root, folder, name))
        for key in (*keys, "global"):
            doc = doc.get(key) if isinstance(doc, dict) else None
        if isinstance(doc, dict):
            where = f"{_rel(folder, name)} {'.'.join(keys)}.global"
            return _jest_measures(doc, folder or None, where)
    return [], []


def _jest_measures(doc: dict[str, Any], comp: str | None, where: str) -> tuple[list[Threshold], list[str]]:
    found: list[Threshold] = []
    left_out: list[str] = []
    for measure in _JEST_MEASURES:
        value = doc.get(measure)
        if isinstance(value, int | float) and not isinstance(value, bool):
            if value < 0:
                left_out.append(f"{where}.{measure} = {value}: a count of uncovered items, not a percentage")
            else:
                found.append(Threshold(f"coverage.{measure}.pct", float(value), comp, f"{where}.{measure}"))
    return found, left_out


def k6_thresholds(path: str) -> dict[str, list[str]]:
    """``{metric: [expression, ...]}`` of a k6 ``--summary-export`` JSON (empty when it has none)."""
    doc = _json(path)
    metrics = doc.get("metrics") if isinstance(doc, dict) else None
    out: dict[str, list[str]] = {}
    for name, values in (metrics or {}).items():
        thresholds = values.get("thresholds") if isinstance(values, dict) else None
        if isinstance(thresholds, dict) and thresholds:
            out[name] = sorted(thresholds)
    return out


def read(root: str) -> tuple[list[Threshold], list[str]]:
    """Every coverage threshold found, and what was left out (one line each)."""
    found: list[Threshold] = []
    left_out: list[str] = []
    for folder in _folders(root):
        found += coverage_py(root, folder)
        more, skipped = jest(root, folder)
        found += more
        left_out += skipped
    return found, left_out
