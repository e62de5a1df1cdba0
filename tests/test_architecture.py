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


# ------------------------------------------------------------------------- one list of report kinds


def _registry() -> tuple[dict[str, object], set[str]]:
    from qualitygate.parsers.registry import KINDS
    from qualitygate.policy import ROLE_FAMILY
    from qualitygate.render import OutputFormat
    from qualitygate.rules.findings import _SECURITY_TOOLS

    # a kind's name that is also a policy role (k6, locust), an output format (junit, sarif) or the name of
    # the scanner a SARIF run names (snyk, gitleaks, zap) is another word
    return dict(KINDS), set(ROLE_FAMILY) | {f.value for f in OutputFormat} | set(_SECURITY_TOOLS)


def test_no_module_outside_the_parsers_names_a_report_kind() -> None:
    """The registry (``parsers/registry.py``) is the one list of kinds: the CLI's choices, init's roles and
    the hook's refresh hints are read from it, so a new kind touches its module and one registry line."""
    kinds, other_words = _registry()
    named = set(kinds) - other_words
    found = []
    for path in sorted(PKG.rglob("*.py")):
        if path.parent.name == "parsers":
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Constant) and node.value in named:
                found.append(f"{path.relative_to(PKG.parent)}:{node.lineno}: {node.value!r}")
    assert found == []


def test_every_kind_has_its_module_role_and_refresh_hints() -> None:
    """Each registry entry loads a module that is a ``ParserModule`` (KIND, REFRESH, sniff, parse); its role,
    when it has one, is a policy role of its family; every refresh hint formats with the fields given."""
    from qualitygate.parsers.registry import KINDS
    from qualitygate.policy import ROLE_FAMILY

    for kind, spec in KINDS.items():
        module = spec.load()
        assert kind == module.KIND
        assert callable(module.sniff) and callable(module.parse)
        assert spec.role is None or ROLE_FAMILY[spec.role] == spec.family, kind
        for template in module.REFRESH.values():
            assert template.format(path="r/x", dir="r", tool="t").strip(), kind
    roles = {spec.role for spec in KINDS.values()}
    assert {"coverage", "tests", "complexity", "cognitive", "duplication", "findings", "k6"} <= roles
