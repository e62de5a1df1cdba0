"""Imports point one way. Parsers, the engine and the renderers never import each other, the CLI or the
network; the engine (and its rules) does no I/O. Checked on the source with ``ast``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "qualitygate"


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def modules(sub: str) -> list[Path]:
    target = PKG / sub
    return sorted(target.glob("*.py")) if target.is_dir() else [target]


# The engine and its rules: pure, so no parsing, rendering, network, CLI or I/O modules.
_PURE = (
    "qualitygate.parsers",
    "qualitygate.render",
    "qualitygate.cli",
    "qualitygate.commands",
    "qualitygate.github",
    "qualitygate.collect",
    "qualitygate.config",
    "qualitygate.gitchange",
    "httpx",
    "click",
    "os",
    "subprocess",
)

FORBIDDEN = {
    "parsers": (
        "qualitygate.engine",
        "qualitygate.rules",
        "qualitygate.render",
        "qualitygate.cli",
        "qualitygate.commands",
        "qualitygate.github",
        "qualitygate.collect",
        "httpx",
        "click",
    ),
    "rules": _PURE,
    "engine.py": _PURE,
    "render": (
        "qualitygate.parsers",
        "qualitygate.engine",
        "qualitygate.rules",
        "qualitygate.cli",
        "qualitygate.commands",
        "qualitygate.github",
        "qualitygate.collect",
        "httpx",
        "click",
    ),
    "model.py": ("qualitygate.parsers", "qualitygate.engine", "qualitygate.render", "pydantic", "lxml"),
    # the engine's view of the policy: no validation machinery, so a cached policy costs no pydantic
    "policy.py": ("pydantic", "yaml", "qualitygate.policy_schema", "qualitygate.config"),
}


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_point_one_way(layer: str) -> None:
    bad = []
    for path in modules(layer):
        for name in imports_of(path):
            if any(name == f or name.startswith(f + ".") for f in FORBIDDEN[layer]):
                bad.append(f"{path.relative_to(PKG)} imports {name}")
    assert bad == []
