"""Safe YAML loading that remembers where every value came from.

Mappings load as `Node` dicts that know the line and column of each key and value, so
validation can point at the exact spot. The schema is deliberately small:

- Only plain data: null, booleans, numbers, text, lists and mappings, each as written:
  every tag is refused, `!!python/...`, `!!binary`, `!!set` and custom `!tags` as well as
  standard ones that change how a value is read (`!!int "abc"`, `!!str 5`, `!!timestamp`).
- Booleans are only `true` and `false` (YAML 1.2): `no`, `on`, `yes` and `off` stay text,
  so a component called `no` or a title "On" mean what the author typed.
- Numbers remember the text they were written as (`YamlInt`, `YamlFloat`), so an id or a
  title such as `010`, `1.50` or `12:30` can be read back exactly (`source_text`).
  Mapping keys that look like numbers are their text: `0` and `00` are two keys.
- Timestamps stay strings: we parse them ourselves, with the site's time zone.
- A number too long for Python to convert (over 4,300 digits, in any base or written
  sexagesimal as `1:00:00`) stays text, and so does a sexagesimal float beyond a float.
- Aliases (`*name`) and merge keys (`<<`) are refused: content never needs them and
  they are how "billion laughs" documents blow up. The C parser composes aliases as
  shared nodes, so a bomb costs a few kilobytes before the first reuse is refused.

Most front matter is the plain subset (block mappings and lists of one-line scalars,
`|` / `>` blocks and one-line `{key: value}` mappings): a line-based fast path
(`load_fast`) reads it, giving exactly what PyYAML's path gives, and leaves everything
else, every error included, to PyYAML; tests/test_yaml_fastpath.py compares the two on
thousands of generated and edited documents.
"""

from __future__ import annotations

import re
from typing import Any, Self

import yaml

try:  # The C parser is several times faster; fall back to pure Python when absent.
    _Base: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Base = yaml.SafeLoader

Pos = tuple[int, int]  # 1-based line and column
_TAG = "tag:yaml.org,2002:"
_BOOL_12 = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)\Z")


class YamlError(Exception):
    """A YAML document that cannot be loaded; line/column are 1-based."""

    def __init__(self, message: str, line: int | None, column: int | None, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.hint = hint


class _Written:
    """A number that remembers how it was written."""

    source: str

    def __new__(cls, value: float, source: str) -> Self:
        obj = super().__new__(cls, value)  # type: ignore[call-arg]
        obj.source = source
        return obj


class YamlInt(_Written, int):
    pass


class YamlFloat(_Written, float):
    pass


def source_text(value: Any) -> str | None:
    """A scalar as the author wrote it (numbers included); None for anything else."""
    if isinstance(value, str):
        return value
    if isinstance(value, (YamlInt, YamlFloat)):
        return value.source
    return None


class Node(dict[Any, Any]):
    """A mapping that remembers its own position and that of each key and value."""

    pos: Pos
    key_pos: dict[Any, Pos]
    value_pos: dict[Any, Pos]

    @property
    def line(self) -> int:
        return self.pos[0]

    def line_of(self, key: Any) -> int:
        return self.key_pos.get(key, self.pos)[0]

    def where(self, key: Any) -> Pos:
        """Position of `key` (of the mapping itself when the key is absent)."""
        return self.key_pos.get(key, self.pos)

    def where_value(self, key: Any) -> Pos:
        return self.value_pos.get(key, self.where(key))


class Seq(list[Any]):
    """A sequence that remembers its position and that of each item."""

    pos: Pos
    item_pos: list[Pos]

    @property
    def line(self) -> int:
        return self.pos[0]

    def line_of(self, index: int) -> int:
        return self.where(index)[0]

    def where(self, index: int) -> Pos:
        return self.item_pos[index] if index < len(self.item_pos) else self.pos


def _resolvers() -> dict[str, list[tuple[str, re.Pattern[str]]]]:
    """SafeLoader's implicit resolvers without timestamps and with YAML 1.2 booleans."""
    result: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items():
        kept = []
        for tag, regexp in resolvers:
            if tag == _TAG + "timestamp":
                continue
            kept.append((tag, _BOOL_12 if tag == _TAG + "bool" else regexp))
        result[first or ""] = kept
    return result


_RESOLVERS = _resolvers()
_IMPLICIT = "?"  # marks a tag the resolver gave, as opposed to one written in the text
_SCALARS = {_TAG + name: _IMPLICIT + name for name in ("null", "bool", "int", "float", "str")}
_PLAIN_VALUES = frozenset(_SCALARS.values())
_CONSTRUCTOR = yaml.constructor.SafeConstructor()  # only its conversions, which keep no state


def _plain_tag(value: str) -> str:
    """The tag of a plain (unquoted, untagged) scalar, with the '?' mark."""
    for tag, regexp in _RESOLVERS.get(value[:1], ()):
        if regexp.match(value):
            return _SCALARS.get(tag, _IMPLICIT + tag)
    return _IMPLICIT + "str"


_MAX_DIGITS = 4300  # Python's own limit for converting decimal text to an int


def _digits(value: str) -> int:
    """How many digits an int's text holds (a base prefix counts as two)."""
    return len(value) - sum(map(value.count, "_:+-"))


def _scalar(tag: str, value: str) -> Any:
    """The value of a scalar whose marked tag is one of `_SCALARS`' (both loaders use this)."""
    if tag == "?str":
        return value
    if tag == "?int":
        if len(value) > _MAX_DIGITS and _digits(value) > _MAX_DIGITS:
            return value  # PyYAML's sexagesimal sum is quadratic in the ':' groups
        try:
            return YamlInt(_CONSTRUCTOR.construct_yaml_int(yaml.ScalarNode(tag, value)), value)
        except ValueError:  # more digits than Python converts (4,300): no number anyone
            return value  # needs: it stays the text it was written as
    if tag == "?float":
        try:
            return YamlFloat(_CONSTRUCTOR.construct_yaml_float(yaml.ScalarNode(tag, value)),
                             value)
        except OverflowError:  # PyYAML sums `1:00:...:00.5` (174 groups on) as an int
            return value  # beyond what a float holds
    if tag == "?bool":
        return _CONSTRUCTOR.construct_yaml_bool(yaml.ScalarNode(tag, value))
    return None  # ?null


class _Loader(_Base):  # type: ignore[misc]
    """PyYAML's (C) parser and composer; the values are built by `build`, not by PyYAML's
    constructors: one pass over the nodes, each tag resolved once."""

    line_offset = 0

    def resolve(self, kind: type[yaml.Node], value: str | None,
                implicit: tuple[bool, bool]) -> str:
        # The composer asks this for every node written without a tag; what it answers
        # carries the '?' mark, so that `build` tells written tags apart without asking
        # twice.
        if kind is yaml.ScalarNode:
            if implicit[0] and value is not None:
                return _plain_tag(value)
            # Neither implicit: a scalar tagged with the bare '!', which makes it text.
            return _IMPLICIT + "str" if implicit[0] or implicit[1] else "!"
        return _IMPLICIT + ("seq" if kind is yaml.SequenceNode else "map")

    def _pos(self, node: yaml.Node) -> Pos:
        return node.start_mark.line + 1 + self.line_offset, node.start_mark.column + 1

    def build(self, node: yaml.Node, seen: set[int]) -> Any:
        if id(node) in seen:  # the composer shares the node of an anchor with its aliases
            raise _AliasUsed(node)
        seen.add(id(node))
        tag = node.tag
        if tag[0] != _IMPLICIT:
            tag = self._written(node)
        if tag == "?str":
            return node.value
        if tag == "?map":
            return self._mapping(node, seen)
        if tag == "?seq":
            result = Seq()
            result.pos = self._pos(node)
            result.item_pos = [self._pos(item) for item in node.value]
            result.extend(self.build(item, seen) for item in node.value)
            return result
        if tag in _PLAIN_VALUES:
            return _scalar(tag, node.value)
        if tag == _IMPLICIT + _TAG + "merge":
            raise yaml.constructor.ConstructorError(
                None, None, "merge keys (<<) are not allowed", node.start_mark)
        raise yaml.constructor.ConstructorError(
            None, None, f"could not determine a constructor for the tag '{tag[1:]}'",
            node.start_mark)

    def _written(self, node: yaml.Node) -> str:
        """An explicit tag is only accepted where it is the one the node has anyway:
        `!!int "abc"`, `!!str 5` or `!!seq x` ask for a type the text does not have."""
        if isinstance(node, yaml.ScalarNode):
            plain = node.style in (None, "")  # the C parser says '', the Python one None
            implicit = self.resolve(yaml.ScalarNode, node.value, (plain, not plain))
        else:
            implicit = self.resolve(type(node), None, (True, False))
        written = _IMPLICIT + "str" if node.tag == "!" else \
            _SCALARS.get(node.tag, _IMPLICIT + node.tag)
        if written != implicit:
            raise yaml.constructor.ConstructorError(
                None, None, f"could not determine a constructor for the tag '{node.tag}'",
                node.start_mark)
        return implicit

    def _mapping(self, node: yaml.Node, seen: set[int]) -> Node:
        result = Node()
        result.pos = self._pos(node)
        result.key_pos = {}
        result.value_pos = {}
        for key_node, value_node in node.value:
            key = self.build(key_node, seen)
            if isinstance(key, (YamlInt, YamlFloat)):
                key = key.source  # keys are names: `0` and `00` are two different ids
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None, None, "a mapping key must be a plain value", key_node.start_mark
                ) from None
            if key in result:
                first = result.key_pos[key][0]
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key '{source_text(key) or key}' (first on line "
                    f"{first})", key_node.start_mark
                )
            result[key] = self.build(value_node, seen)
            result.key_pos[key] = self._pos(key_node)
            result.value_pos[key] = self._pos(value_node)
        return result


class _AliasUsed(Exception):
    def __init__(self, node: yaml.Node):
        self.node = node


# --- the fast path ------------------------------------------------------------------------
#
# Front matter is nearly always block mappings and sequences of one-line plain scalars,
# `|` / `>` blocks and one-line flow mappings of plain scalars. Composing it with PyYAML
# costs Python calls per node; this reader takes that subset line by line and gives exactly
# what `_Loader` gives (values, types, positions, key order), following the scanner of
# libyaml (the C parser used above). It answers "not mine" (`_NotMine`) to anything else,
# valid or not: PyYAML then loads the text and reports every error.
# tests/test_yaml_fastpath.py compares the two on generated and edited documents.

# Control characters (tab and CR included, '\n' not), line breaks other than '\n' (U+0085,
# U+2028, U+2029), surrogates, the byte order mark and the two non-characters: what the
# fast path leaves to PyYAML. Written as the characters refused rather than as the
# complement of those allowed, which took 9 ms to compile at every start.
_FAST_REFUSED = re.compile("[\x00-\t\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
_NOT_PLAIN_START = frozenset("-?:,[]{}#&*!|>'\"%@` ")  # indicators, and space
# `key:` then a space or the end of the line; a key without ':' or '#' keeps this simple.
# Spaces belong to the key only when more of the key follows them, and nothing is given
# back (possessive): a line of a letter and 100,000 spaces is one pass, not 10^10 steps.
_KEY = re.compile(r"([^-?:,\[\]{}#&*!|>'\"%@` ](?:[^:# ]| +(?=[^:# ]))*+) *:(?= |\Z)( *)")
_PLAIN_STOP = re.compile(r":(?: |\Z)| #")  # where a one-line plain scalar ends
# `key: value` then ',' or '}' in a one-line flow mapping (`window: {start: ..., end: ...}`):
# plain scalars without '#', ': ', or a ':' before ',?[]{}' (libyaml versions differ there)
_FLOW_PLAIN = r"[^-?:,\[\]{}#&*!|>'\"%@` ](?:[^,\[\]{}#: ]|:(?=[^ ,?\[\]{}])| +(?=[^ ,\[\]{}#:]))*"
_FLOW_ENTRY = re.compile(rf" *({_FLOW_PLAIN}) *: +({_FLOW_PLAIN}) *([,}}])")
_FAST_DEPTH = 20  # deeper is no front matter: PyYAML decides
_FAST_KEY = 128  # from a key to its ':'; libyaml forgets a key 1,024 on: stay far below


class _NotMine(Exception):
    """The fast path does not take this document (PyYAML will)."""


class _Fast:
    """One document's lines and the one being read (`i`); lives for one call."""

    def __init__(self, text: str, line_offset: int):
        self.lines = text.split("\n")
        self.last = len(self.lines) - 1  # the only line without a line break after it
        self.first = 1 + line_offset  # the line number of lines[0]
        self.i = 0

    def document(self) -> Node:
        column = self.next_line()
        if column < 0 or self.is_item(column):
            raise _NotMine  # empty, or a list
        node = self.mapping(column, 1)
        if self.next_line() >= 0:  # text after the mapping: an error
            raise _NotMine
        return node

    def next_line(self) -> int:
        """Move past blank and comment lines; the indentation of the line reached, -1 at
        the end."""
        lines, i = self.lines, self.i
        while i <= self.last:
            line = lines[i]
            content = line.lstrip(" ")
            if content and content[0] != "#":
                self.i = i
                return len(line) - len(content)
            i += 1
        self.i = i
        return -1

    def is_item(self, column: int) -> bool:
        line = self.lines[self.i]
        return line[column] == "-" and line[column + 1:column + 2] in ("", " ")

    def mapping(self, column: int, depth: int) -> Node:
        """The block mapping whose first key is on line `i` at `column`."""
        if depth > _FAST_DEPTH:
            raise _NotMine
        node = Node()
        node.pos = (self.first + self.i, column + 1)
        key_pos: dict[Any, Pos] = {}
        value_pos: dict[Any, Pos] = {}
        node.key_pos = key_pos
        node.value_pos = value_pos
        lines, first, key_column = self.lines, self.first, column + 1
        while True:
            row = first + self.i
            line = lines[self.i]
            found = _KEY.match(line, column)
            if found is None:  # no `key:`, or one this reader leaves to PyYAML
                raise _NotMine
            key = found[1]
            if (key in node or found.start(2) - column > _FAST_KEY
                    or (key[0] in _RESOLVERS and _plain_tag(key) != "?str")
                    or (column == 0 and key.startswith("..."))):
                raise _NotMine  # a duplicate, a key that is no text, a document end
            start = found.end()
            key_pos[key] = (row, key_column)
            if start < len(line) and line[start] not in _NOT_PLAIN_START:
                value_pos[key] = (row, start + 1)
                node[key] = _plain(line, start)  # the usual `key: value`
                self.i += 1
            else:
                node[key], value_pos[key] = self.value(line, found.start(2), start, column,
                                                       depth)
            indent = self.next_line()
            if indent < column:
                return node
            if indent > column:  # a plain scalar going on to the next line, or an error
                raise _NotMine

    def value(self, line: str, colon: int, start: int, column: int,
              depth: int) -> tuple[Any, Pos]:
        """The value of a key in the mapping at `column` (just after its ':' is `colon`,
        after the spaces `start`) that is not a plain scalar; reads up to the line after
        it."""
        if start < len(line) and line[start] != "#":
            return self.scalar(line, start, column)
        # Nothing more on the line: a collection below, else an empty value, placed where
        # libyaml places it: just after the colon.
        empty = (self.first + self.i, colon + 1)
        self.i += 1
        indent = self.next_line()
        if indent > column:
            if self.is_item(indent):
                return self.sequence(indent, depth + 1)
            found = self.mapping(indent, depth + 1)
            return found, found.pos
        if indent == column and self.is_item(indent):  # `key:` with `- item` lines under it
            return self.sequence(indent, depth + 1)
        return _scalar(_plain_tag(""), ""), empty

    def sequence(self, column: int, depth: int) -> tuple[Seq, Pos]:
        """The block sequence whose first '-' is on line `i` at `column`."""
        if depth > _FAST_DEPTH:
            raise _NotMine
        result = Seq()
        result.pos = (self.first + self.i, column + 1)
        result.item_pos = []
        while True:
            line = self.lines[self.i]
            content = line[column + 1:].lstrip(" ")
            if not content or content[0] == "#":
                raise _NotMine  # an empty item, or one that starts on a later line
            start = len(line) - len(content)
            item: Any
            if _KEY.match(line, start):
                item = self.mapping(start, depth + 1)  # `- key: value`
                where = item.pos
            else:
                item, where = self.scalar(line, start, column)
            result.append(item)
            result.item_pos.append(where)
            indent = self.next_line()
            if indent < column:
                return result, result.pos
            if indent > column:
                raise _NotMine
            if not self.is_item(column):  # the mapping around an indentless list goes on
                return result, result.pos

    def scalar(self, line: str, start: int, column: int) -> tuple[Any, Pos]:
        """The scalar at `start` on line `i`, in the block collection at `column`; reads
        up to the line after it. (A plain scalar that goes on to more indented lines is
        refused by the caller, which finds such a line where no key or item can be.)"""
        where = (self.first + self.i, start + 1)
        first = line[start]
        if first == "|" or first == ">":
            return self.block_scalar(line, start, column), where
        self.i += 1
        if first == "{":
            return self.flow_mapping(line, start, where), where
        if first == "'" or first == '"':
            close = line.find(first, start + 1)
            text = line[start + 1:close]
            if close < 0 or (first == '"' and "\\" in text) or not _ends(line, close + 1):
                raise _NotMine  # more than one line, an escape, or text after the quote
            return text, where
        if first in _NOT_PLAIN_START:
            raise _NotMine
        return _plain(line, start), where

    def flow_mapping(self, line: str, start: int, where: Pos) -> Node:
        """A one-line flow mapping of plain scalars at `start` (its '{')."""
        node = Node()
        node.pos = where
        node.key_pos = {}
        node.value_pos = {}
        row, at, end = where[0], start + 1, ","
        while end == ",":
            found = _FLOW_ENTRY.match(line, at)
            if found is None:  # anything else: `{}`, a trailing ',', quotes, nesting
                raise _NotMine
            key, text, end = found[1], found[2], found[3]
            tag = _plain_tag(text)
            if (key in node or found.end(1) - found.start(1) > _FAST_KEY
                    or _plain_tag(key) != "?str" or tag not in _PLAIN_VALUES):
                raise _NotMine
            node[key] = _scalar(tag, text)
            node.key_pos[key] = (row, found.start(1) + 1)
            node.value_pos[key] = (row, found.start(2) + 1)
            at = found.end()
        if not _ends(line, at):
            raise _NotMine
        return node

    def block_scalar(self, line: str, start: int, column: int) -> str:
        """A `|` or `>` scalar whose indicator is at `start` on line `i`, as libyaml's
        scan_block_scalar reads it (collection at `column`)."""
        literal = line[start] == "|"
        chomping, increment, at = "", 0, start + 1
        for _ in range(2):  # '+' or '-', and a digit 1-9, in either order
            char = line[at:at + 1]
            if char and char in "+-" and not chomping:
                chomping = char
            elif char and char in "123456789" and not increment:
                increment = int(char)
            else:
                break
            at += 1
        if not _ends(line, at):
            raise _NotMine
        self.i += 1
        indent = column + increment if increment else 0
        trailing, widest, reached, end = self.block_breaks(indent)
        if not indent:
            indent = max(widest, column + 1)
        parts: list[str] = []
        leading_break = ""
        leading_blank = False
        while reached == indent and not end:
            text = self.lines[self.i][indent:]
            blank = text[:1] == " "
            if not literal and leading_break == "\n" and not leading_blank and not blank:
                if not trailing:  # a single line break folds into a space
                    parts.append(" ")
            else:
                parts.append(leading_break)
            parts.append(trailing)
            parts.append(text)
            leading_blank = blank
            leading_break = "\n" if self.i < self.last else ""
            self.i += 1
            trailing, _, reached, end = self.block_breaks(indent)
        if chomping != "-":
            parts.append(leading_break)
        if chomping == "+":
            parts.append(trailing)
        return "".join(parts)

    def block_breaks(self, indent: int) -> tuple[str, int, int, bool]:
        """Move past the empty lines before a block scalar's next line (up to `indent`
        spaces make a line empty; all of them while `indent` is 0): their line breaks,
        the widest indentation seen, the indentation reached, and whether that is the
        end of the text."""
        breaks = 0  # counted, not concatenated: a text of 1 MB of empty lines stays linear
        widest = 0
        while self.i <= self.last:
            line = self.lines[self.i]
            spaces = len(line) - len(line.lstrip(" "))
            if indent:
                spaces = min(spaces, indent)
            widest = max(widest, spaces)
            if spaces < len(line):
                return "\n" * breaks, widest, spaces, False
            if self.i == self.last:
                return "\n" * breaks, widest, spaces, True
            breaks += 1
            self.i += 1
        return "\n" * breaks, widest, 0, True


def _plain(line: str, start: int) -> Any:
    """The one-line plain scalar at `start` (not an indicator)."""
    stop = _PLAIN_STOP.search(line, start)
    if stop is None:
        text = line[start:].rstrip(" ")
    elif line[stop.start()] == ":":
        raise _NotMine  # `key: a: b` is an error
    else:  # a comment
        text = line[start:stop.start()].rstrip(" ")
    if text[:1] not in _RESOLVERS:  # what `_plain_tag` would say, without the call
        return text
    tag = _plain_tag(text)
    if tag == "?str":
        return text
    if tag not in _PLAIN_VALUES:
        raise _NotMine  # `<<` or `=`
    return _scalar(tag, text)


def _ends(line: str, start: int) -> bool:
    """Whether the line holds only spaces, or a comment, from `start` on."""
    rest = line[start:].lstrip(" ")
    return not rest or (rest[0] == "#" and len(rest) < len(line) - start)


def load_fast(text: str, line_offset: int = 0) -> Node | None:
    """`load_yaml`'s result for the plain documents the fast path takes, else None."""
    if _FAST_REFUSED.search(text):
        return None
    try:
        return _Fast(text, line_offset).document()
    except _NotMine:
        return None


def load_yaml(text: str, line_offset: int = 0) -> Any:
    """Load one YAML document; `line_offset` is added to every reported line."""
    fast = load_fast(text, line_offset)
    return load_pyyaml(text, line_offset) if fast is None else fast


def load_pyyaml(text: str, line_offset: int = 0) -> Any:
    """`load_yaml` through PyYAML, without the fast path."""
    loader = _Loader(text)
    loader.line_offset = line_offset
    try:
        node = loader.get_single_node()
        return None if node is None else loader.build(node, set())
    except _AliasUsed:
        line, column = _first_alias(text)
        return _raise("anchors and aliases (&name / *name) are not allowed",
                      _shift(line, line_offset), column, "write the values out in full")
    except yaml.MarkedYAMLError as exc:
        return _marked(exc, text, line_offset)
    except yaml.YAMLError as exc:
        return _raise(f"YAML error: {exc}", None, None, "check the YAML syntax")
    except RecursionError:
        return _raise("YAML nesting is too deep", None, None, NESTING_HINT)
    finally:
        loader.dispose()


NESTING_HINT = "content needs only a few levels of lists and mappings"


def _shift(line: int | None, offset: int) -> int | None:
    return None if line is None else line + offset


def _first_alias(text: str) -> tuple[int | None, int | None]:
    """Where the first `*alias` is; only called on the error path."""
    try:
        for event in yaml.parse(text, Loader=_Base):
            if isinstance(event, yaml.AliasEvent) and event.start_mark is not None:
                return event.start_mark.line + 1, event.start_mark.column + 1
    except yaml.YAMLError:  # pragma: no cover - the document already composed once
        pass
    return None, None


def _marked(exc: yaml.MarkedYAMLError, text: str, line_offset: int) -> Any:
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
    if "expected a single document" in (exc.context or "") or "another document" in problem:
        return _raise("the file holds more than one YAML document", line, column,
                      "remove the second '---' line")
    if "maximum nesting depth" in problem:  # PyYAML >= 6.0.4 limits nesting in the parser
        return _raise("YAML nesting is too deep", line, column, NESTING_HINT)
    if isinstance(exc, yaml.constructor.ConstructorError):
        return _raise(problem, line, column, _yaml_hint(problem))
    return _raise(f"YAML syntax error: {problem}", line, column,
                  _yaml_hint(f"{exc.context or ''} {problem}"))


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
    if tag.startswith(_TAG):
        return "!!" + tag.removeprefix(_TAG)
    return tag or "this one"


def _yaml_hint(problem: str) -> str:
    if "mapping values are not allowed" in problem:
        return "quote text that contains ': ' (for example message: \"Status: degraded\")"
    if "while scanning a quoted scalar" in problem or "unexpected end of stream" in problem:
        return "close the quote that starts here"
    if "duplicate key" in problem:
        return "each key may appear only once in a mapping; remove or rename one"
    if "merge keys" in problem:
        return "write the values out in full"
    if "expected <block end>" in problem or "did not find expected" in problem:
        return "check the indentation of this line against the lines above it"
    if "found character" in problem and "cannot start any token" in problem:
        return "quote the value (for example title: \"@team update\")"
    return "check the YAML syntax on this line"
