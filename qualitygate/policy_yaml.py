"""The policy's YAML, composed defensively: bounded aliases, no duplicate keys, only finite numbers.

A policy is small and written by people, so anything a person would not write is refused while the YAML is
composed, before a value is built from it, each as a :class:`~qualitygate.errors.PolicyError` naming the
file, line, column and key path:

* **aliases** may repeat a few nodes (YAML merge keys, ``<<: *defaults``) but not more than
  :data:`ALIAS_BUDGET` in all: nested anchors (a "billion laughs") would otherwise take minutes and gigabytes;
  an alias inside its own anchor is refused too;
* a **duplicate key** in any mapping (two ``gates:``) would silently keep the last one;
* a number must be **finite** and at most :data:`MAX_NUMBER_CHARS` characters long (``.nan``, ``.inf`` and a
  5000-digit number are no thresholds);
* nesting deeper than :data:`MAX_DEPTH` is refused (it would exhaust the stack);
* a tag that is not plain YAML (``!!python/object``) is refused, not left to the constructor.
"""

from __future__ import annotations

import math
from typing import Any, cast

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from qualitygate.errors import PolicyError

ALIAS_BUDGET = 10_000  # nodes added by aliases, each counted as often as it is repeated
MAX_NUMBER_CHARS = 100
MAX_DEPTH = 64
_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_MERGE = "tag:yaml.org,2002:merge"


def _base() -> Any:
    """PyYAML's composer (in Python, so it can be watched) over libyaml's event parser where there is one."""
    if not yaml.__with_libyaml__:
        return yaml.SafeLoader  # the pure-Python reader, scanner and parser
    from yaml.cyaml import CParser  # type: ignore[attr-defined]

    class Base(Composer, CParser, SafeConstructor, Resolver):
        def __init__(self, text: str) -> None:
            CParser.__init__(self, text)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)

    return Base


class _PolicyComposer(_base()):  # type: ignore[misc]
    def __init__(self, text: str, shown: str) -> None:
        super().__init__(text)
        self.shown = shown
        self.nodes = 0  # nodes composed so far, an alias counting every node it repeats
        self.aliased = 0  # of which added by aliases
        self.sizes: dict[int, int] = {}  # id(anchored node) -> its size with aliases expanded
        self.path: list[int | str] = []

    def fail(self, message: str, mark: Any, key: list[int | str] | None = None) -> PolicyError:
        where = self.path if key is None else key
        return PolicyError(
            self.shown,
            message,
            line=mark.line + 1,
            column=mark.column + 1,
            key=".".join(_short(str(p)) for p in where) or None,
        )

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        value_of = parent is not None and index is not None  # a sequence item or a mapping's value
        if value_of:
            self.path.append(index if isinstance(index, int) else _segment(index))
        try:
            if len(self.path) > MAX_DEPTH:
                raise self.fail(f"nested more than {MAX_DEPTH} levels deep", self.peek_event().start_mark)
            if self.check_event(yaml.AliasEvent):
                self._count_alias(self.peek_event())
                return cast("yaml.Node", super().compose_node(parent, index))
            return self._compose_counted(parent, index)
        finally:
            if value_of:
                self.path.pop()

    def _compose_counted(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        """A node (not an alias), counted, its expanded size kept when it has an anchor."""
        anchor = self.peek_event().anchor
        start = self.nodes
        self.nodes += 1
        node = cast("yaml.Node", super().compose_node(parent, index))
        is_merge_key = node.tag == _MERGE and parent is not None and index is None
        if node.tag not in SafeConstructor.yaml_constructors and not is_merge_key:
            raise self.fail(f"unsupported YAML tag {_short(node.tag)!r}", node.start_mark)
        if anchor is not None:
            self.sizes[id(node)] = self.nodes - start
        return node

    def _count_alias(self, event: yaml.AliasEvent) -> None:
        target = self.anchors.get(event.anchor) if event.anchor is not None else None
        if target is None:
            return  # an undefined alias: the composer says so
        size = self.sizes.get(id(target))
        if size is None:
            raise self.fail(
                f"the alias *{_short(str(event.anchor))} is inside its own anchor", event.start_mark
            )
        self.nodes += size
        self.aliased += size
        if self.aliased > ALIAS_BUDGET:
            raise self.fail(
                f"aliases repeat more than {ALIAS_BUDGET} nodes (nested anchors, a 'billion laughs'?): "
                "refused; write the repeated part out or repeat it less",
                event.start_mark,
            )

    def compose_scalar_node(self, anchor: str | None) -> yaml.ScalarNode:
        """A scalar, built once here (a string needs nothing) so that a value its tag cannot hold
        (``!!int abc``), a number too long to build or one that is not finite is refused where it is."""
        node: yaml.ScalarNode = super().compose_scalar_node(anchor)
        if node.tag == _STR or node.tag not in SafeConstructor.yaml_constructors:
            return node  # a string, or an unsupported tag that compose_node reports with its key path
        if node.tag in (_INT, _FLOAT) and len(node.value) > MAX_NUMBER_CHARS:
            raise self.fail(
                f"number too long ({len(node.value)} characters; at most {MAX_NUMBER_CHARS})", node.start_mark
            )
        try:
            value = SafeConstructor.yaml_constructors[node.tag](self, node)
        except (yaml.YAMLError, ArithmeticError, LookupError, ValueError, TypeError, AttributeError):
            raise self.fail(
                f"{_short(node.value)!r} is not a valid {node.tag.rsplit(':', 1)[-1]}", node.start_mark
            ) from None
        if isinstance(value, float) and not math.isfinite(value):
            raise self.fail(f"{node.value!r} is not a finite number", node.start_mark)
        return node

    def compose_mapping_node(self, anchor: str | None) -> yaml.MappingNode:
        node: yaml.MappingNode = super().compose_mapping_node(anchor)
        first: dict[tuple[str, str], yaml.Node] = {}
        for key, _ in node.value:
            if not isinstance(key, yaml.ScalarNode) or key.tag == _MERGE:
                continue  # several merge keys are merged in order; complex keys are refused by the schema
            seen = first.setdefault((key.tag, key.value), key)
            if seen is not key:
                raise self.fail(
                    f"duplicate key {_short(key.value)!r} (first at line {seen.start_mark.line + 1})",
                    key.start_mark,
                    [*self.path, key.value],
                )
        return node


def _segment(key: yaml.Node) -> str:
    return str(key.value) if isinstance(key, yaml.ScalarNode) else "?"


def _short(text: str, limit: int = 60) -> str:
    """A key or name as it may appear in a one-line message: long ones are cut, saying how long they were."""
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def compose(text: str, shown: str) -> yaml.Node | None:
    """The policy's node graph (None for an empty document). Raises yaml.YAMLError for invalid YAML and
    PolicyError for what this module refuses."""
    loader = _PolicyComposer(text, shown)
    try:
        return cast("yaml.Node | None", loader.get_single_node())
    finally:
        loader.dispose()
