"""YAML to plain data, remembering where every key and value was written (line, column).

PyYAML's composer gives nodes with ``start_mark``; this walks them with the safe loader's scalar
resolution, so ``yes``/``no``/``null``/numbers mean what YAML says, and records positions by path
(``("rules", 2, "when", "status")``). Duplicate keys, anchors/aliases, custom tags and multiple
documents are refused: a retention policy should read exactly as it is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

__all__ = ["Located", "Path", "Position", "YamlProblem", "load_yaml"]

Path = tuple[str | int, ...]
_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null")
)


@dataclass(frozen=True, slots=True)
class Position:
    """A 1-based line and column in the source text."""

    line: int
    column: int


@dataclass
class YamlProblem(Exception):
    """The text is not a YAML document the policy loader accepts."""

    message: str
    position: Position | None


@dataclass
class Located:
    """Plain data (dicts, lists, scalars) and the positions of its keys and values."""

    data: Any
    values: dict[Path, Position] = field(default_factory=dict)
    keys: dict[Path, Position] = field(default_factory=dict)

    def where(self, path: Path, *, key: bool = False) -> Position | None:
        """The position of *path*, or of the deepest part of it that exists in the text.

        Path parts that are not in the text (a union member's tag in a validation error) are
        skipped, so an error always points somewhere sensible.
        """
        if key and path in self.keys:
            return self.keys[path]
        found: Path = ()
        for part in path:
            if (*found, part) in self.values:
                found = (*found, part)
        return self.values.get(found) or self.values.get(())


def _pos(mark: Any) -> Position:
    return Position(mark.line + 1, mark.column + 1)


class _Builder:
    def __init__(self, loader: yaml.SafeLoader) -> None:
        self.loader = loader
        self.out = Located(None)

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.out.values[path] = _pos(node.start_mark)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        if isinstance(node, yaml.ScalarNode):
            if node.tag in _PLAIN_TAGS:
                return self.loader.construct_object(node)
            if node.tag == "tag:yaml.org,2002:timestamp":
                return str(node.value)  # a date: keep the text as written
        raise YamlProblem(
            f"unsupported YAML tag {node.tag!r}; write plain values", _pos(node.start_mark)
        )

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlProblem(
                    "merge keys (<<) are not supported; write the keys out",
                    _pos(key_node.start_mark),
                )
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlProblem("a key must be plain text", _pos(key_node.start_mark))
            key = self.loader.construct_object(key_node)
            if key is None or isinstance(key, bool | float):
                # `yes:`/`null:` keys are almost always a mistake; keep the text as written
                key = str(key_node.value)
            key = str(key)
            where = _pos(key_node.start_mark)
            if key in result:
                first = self.out.keys[(*path, key)]
                raise YamlProblem(
                    f"duplicate key {key!r} (first written at line {first.line}); keep one", where
                )
            self.out.keys[(*path, key)] = where
            result[key] = self.build(value_node, (*path, key))
        return result


def load_yaml(text: str) -> Located:
    """Parse one YAML document; raises :class:`YamlProblem` with the position of the problem."""
    loader = yaml.SafeLoader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.composer.ComposerError as exc:
            mark = exc.problem_mark or exc.context_mark
            if exc.problem and "expected a single document" in (exc.context or ""):
                raise YamlProblem(
                    "more than one YAML document (---); a policy file holds exactly one",
                    _pos(mark) if mark else None,
                ) from None
            if exc.problem and "undefined alias" in exc.problem:
                raise YamlProblem(
                    "YAML aliases (*name) are not supported; write the value out",
                    _pos(mark) if mark else None,
                ) from None
            raise YamlProblem(_describe(exc), _pos(mark) if mark else None) from None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            raise YamlProblem(_describe(exc), _pos(mark) if mark else None) from None
        except yaml.YAMLError as exc:  # reader errors: bad characters
            raise YamlProblem(f"not readable as YAML ({exc})", None) from None
        if node is None:
            raise YamlProblem(
                "the file is empty; a policy needs at least `version` and `rules`", None
            )
        if _has_anchor(loader, node):
            raise YamlProblem(
                "YAML anchors and aliases (&name / *name) are not supported; write values out",
                _pos(node.start_mark),
            )
        builder = _Builder(loader)
        builder.out.data = builder.build(node, ())
        return builder.out
    finally:
        loader.dispose()


def _has_anchor(loader: yaml.SafeLoader, node: yaml.Node) -> bool:
    # the composer resolves aliases to the anchored node: a node seen twice is an alias
    seen: set[int] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            return True
        seen.add(id(current))
        if isinstance(current, yaml.MappingNode):
            for k, v in current.value:
                stack.extend((k, v))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
    return False


def _describe(exc: yaml.MarkedYAMLError) -> str:
    problem = exc.problem or "invalid YAML"
    hint = ""
    if "found character '\\t'" in problem or "\t" in problem:
        hint = "; indent with spaces, not tabs"
    elif "mapping values are not allowed" in problem:
        hint = "; a value containing ': ' needs quotes, or the indentation is off"
    elif "could not find expected ':'" in problem:
        hint = "; check the indentation and that each key ends with ':'"
    context = f" {exc.context}" if exc.context else ""
    return f"invalid YAML: {problem}{context}{hint}".replace("\n", " ")
