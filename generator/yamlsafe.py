"""Safe YAML loading that remembers where every value came from.

Mappings load as `Node` dicts that know the line of each key, so validation can point
at the exact line. Timestamps stay strings (we parse them ourselves, with the site's
time zone), and anchors/aliases and merge keys are refused: content never needs them
and they are how "billion laughs" documents blow up.
"""

from __future__ import annotations

from typing import Any, ClassVar

import yaml

try:  # The C parser is several times faster; fall back to pure Python when absent.
    _Base: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Base = yaml.SafeLoader


class YamlError(Exception):
    """A YAML document that cannot be loaded; line/column are 1-based."""

    def __init__(self, message: str, line: int | None, column: int | None, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.hint = hint


class Node(dict):
    """A mapping that remembers its own line and the line of each key."""

    line: int
    key_lines: dict[Any, int]

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class Seq(list):
    """A sequence that remembers the line of each item."""

    line: int
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class _Loader(_Base):  # type: ignore[misc, valid-type]
    yaml_implicit_resolvers: ClassVar[dict] = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if node in self.constructed_objects or node in self.recursive_objects:
            raise yaml.constructor.ConstructorError(
                None, None, "anchors and aliases (&name / *name) are not allowed", node.start_mark
            )
        return super().construct_object(node, deep=deep)

    def flatten_mapping(self, node: yaml.MappingNode) -> None:
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise yaml.constructor.ConstructorError(
                    None, None, "merge keys (<<) are not allowed", key_node.start_mark
                )

    def construct_node_mapping(self, node: yaml.MappingNode) -> Node:
        result = Node()
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        yield result
        self.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None, None, "a mapping key must be a plain value", key_node.start_mark
                ) from None
            if key in result:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key '{key}'", key_node.start_mark
                )
            result[key] = self.construct_object(value_node, deep=True)
            result.key_lines[key] = key_node.start_mark.line + 1

    def construct_node_seq(self, node: yaml.SequenceNode) -> Seq:
        result = Seq()
        result.line = node.start_mark.line + 1
        result.item_lines = [item.start_mark.line + 1 for item in node.value]
        yield result
        result.extend(self.construct_object(item, deep=True) for item in node.value)


_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_node_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _Loader.construct_node_seq)
# Explicit timestamps (!!timestamp) load as strings too, like implicit ones.
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_str)


def load_yaml(text: str, line_offset: int = 0) -> Any:
    """Load one YAML document; `line_offset` is added to reported lines."""
    try:
        return yaml.load(text, Loader=_Loader)  # _Loader derives from SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context and "while scanning a quoted scalar" in exc.context and exc.context_mark:
            mark = exc.context_mark  # point at the opening quote, not the end of the file
        line = mark.line + 1 + line_offset if mark else None
        column = mark.column + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        if "could not determine a constructor for the tag" in problem:
            return _raise(f"YAML tags such as {_tag(problem)} are not allowed", line, column,
                          "remove the tag; content is plain text, numbers, lists and mappings")
        if mark is not None and _char_at(text, mark.line, mark.column) == "\t":
            return _raise("a tab character is used for indentation", line, column,
                          "indent YAML with spaces only")
        if isinstance(exc, yaml.constructor.ConstructorError):
            return _raise(problem, line, column, _yaml_hint(problem))
        return _raise(f"YAML syntax error: {problem}", line, column, _yaml_hint(problem))
    except yaml.YAMLError as exc:
        return _raise(f"YAML error: {exc}", None, None, "")
    except RecursionError:
        return _raise("YAML nesting is too deep", None, None, "")


def _raise(message: str, line: int | None, column: int | None, hint: str) -> Any:
    raise YamlError(message, line, column, hint)


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.split("\n")
    if line < len(lines) and column < len(lines[line]):
        return lines[line][column]
    return ""


def _tag(problem: str) -> str:
    start = problem.find("'")
    tag = problem[start:].strip("'") if start >= 0 else ""
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag else "this one"


def _yaml_hint(problem: str) -> str:
    if "mapping values are not allowed" in problem:
        return "quote text that contains ': ' (for example message: \"Status: degraded\")"
    if "while scanning a quoted scalar" in problem or "unexpected end of stream" in problem:
        return "close the quote that starts here"
    if "duplicate key" in problem:
        return "each key may appear only once in a mapping; remove or rename one"
    if "anchors and aliases" in problem or "merge keys" in problem:
        return "write the values out in full"
    if "expected <block end>" in problem or "did not find expected" in problem:
        return "check the indentation of this line against the lines above it"
    return "check the YAML syntax on this line"
