"""The YAML fast path (`load_fast`) against PyYAML (`load_pyyaml`).

Whatever document the fast path takes, it must give exactly what PyYAML's path gives:
equal values of identical types, the same positions and the same key order; a document
PyYAML refuses, it must leave to PyYAML. The generator below writes front-matter-like
YAML and then perturbs it (comments, trailing spaces, quotes, colons, block scalars,
numbers, tabs, CRs, ...), so that both taking and leaving are exercised.
"""

from __future__ import annotations

import math
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sitefixtures import write

from generator.content.load import front_matter_end
from generator.content.yamlsafe import (
    Node,
    Seq,
    YamlError,
    YamlFloat,
    YamlInt,
    load_fast,
    load_pyyaml,
    load_yaml,
)

REPO = Path(__file__).resolve().parent.parent


def same(fast: Any, slow: Any, where: str = "") -> None:
    """Deep equality with identical types and positions."""
    assert type(fast) is type(slow), (where, fast, slow)
    if isinstance(fast, Node):
        assert fast.pos == slow.pos, where
        assert list(fast) == list(slow), where
        assert list(fast.key_pos.items()) == list(slow.key_pos.items()), where
        assert list(fast.value_pos.items()) == list(slow.value_pos.items()), where
        for key in fast:
            same(fast[key], slow[key], f"{where}/{key}")
    elif isinstance(fast, Seq):
        assert fast.pos == slow.pos, where
        assert fast.item_pos == slow.item_pos, where
        assert len(fast) == len(slow), where
        for index, (a, b) in enumerate(zip(fast, slow, strict=True)):
            same(a, b, f"{where}[{index}]")
    elif isinstance(fast, (YamlInt, YamlFloat)):
        assert fast.source == slow.source, where
        assert fast == slow or (math.isnan(fast) and math.isnan(slow)), where
    else:
        assert fast == slow, (where, fast, slow)


# --- a generator of front-matter-like documents -------------------------------------------

KEYS = ["title", "type", "at", "status", "message", "components", "updates", "api", "a",
        "my key", "k-1", "k_2", "ключ", "é", "😀", "x.y", "a/b", "it's", 'say "hi"',
        "a b  c", "-k"]
ODD_KEYS = ["a#b", "a:b", "true", "null", "~", "1", "010", "0x1F", "k" * 130,
            "1.5", "Yes", "on", "<<", "=", "...", "..x", "@k", "`k", "%k", "!k", "&k", "*k",
            "-k", "?k", ":k", "[k]", "{k}", ",k", "'k'", '"k"', "k]", "k}", "k,", "k?", "k!"]

SCALARS = ["x", "hello world", "investigating", "2020-11-30T09:12:00Z", "2026-09-03 16:05",
           "2020-11-30", "12:30", "1:20:30", "0", "7", "+1", "010", "0o17", "0b101",
           "1_000", "0x1F", "0x_1F", "1__0", ".5", "1.", "1.5", "1e3", "1.0e+3", "+1.5e-3",
           "6.8523015e+5", "190:20:30.15", ".inf", "+.INF", ".NaN", ".nan", "~",
           "null", "Null", "NULL", "nul", "true", "True", "TRUE", "tRue", "false", "Yes",
           "no", "On", "off", "y", "n", "http://x.org/a?b=c#d", "a#b", "it's",
           "say \"hi\"", "é ü ß", "😀 ok", "\u00a0x", "x\u00a0", "a  b   c", "a,b", "a]",
           "a}", "a[b]", "x |", "x >", "", "a\\nb", "C:\\dir", "a%b", "x" * 40, "9" * 30,
           "1" * 4400, "a - b", "a -b", "x:y:z", "x::y", "a :b", "a #b", "a # b # c"]
ODD_SCALARS = ["-1", "-.inf", "-1.5e-3", "a: b", "a:b", "a :b", "a:", "http://x.org/a?b=c#d",
               "a #b", "a#b", "a # b # c", "#x", "it's", "say \"hi\"", "'q'", '"q"', "é ü ß",
               "😀 ok", "\u00a0x", "x\u00a0", "a  b   c", "@x", "`x", "%x", "!x", "!!str x",
               "&x", "&a x", "*x", "[a, b]", "{a: 1}", "[]", "{}", "- x", "-x", "--", "?x",
               "? x", ":x", ": x", "a,b", "a]", "a}", "a[b]", "<<", "=", "|", ">", "|x", ">-",
               "|2-", "x |", "x >", "", " ", "---", "...", "a\\nb", "C:\\dir", "%", "a%b",
               "x" * 40, "9" * 30, "1" * 4400, "a - b", "a -b", "-", "- ", "x:y:z", "x::y"]

FLOW_SCALARS = ["c:", "c:?", "c:]", "c:,", "b:c", "a :b", "a: b", "a#b", "a #b", "a?", "a}b"]

LINES = ["We are investigating.", "Status: degraded", "a # not a comment?", "  indented",
         "   more indented", "# hash", "x", "", " ", "trailing   ", "é ü", "key: value",
         "- item", "|", ">", "'quoted'", "  \u00a0nbsp", "ok."]


class Writer:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.out: list[str] = []

    def pick(self, items: list[str]) -> str:
        return self.rng.choice(items)

    def pick_odd(self, items: list[str], odd: list[str]) -> str:
        return self.rng.choice(odd if self.chance(0.04) else items)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def tail(self) -> str:
        """What may follow a value on its line."""
        roll = self.rng.random()
        if roll < 0.7:
            return ""
        if roll < 0.8:
            return " " * self.rng.randint(1, 3)
        if roll < 0.97:
            return " # " + self.pick(["c", "a: b", "#", ""])
        return self.pick(["#c", "  #", " #x: y", "\t# c"])

    def noise(self, indent: int) -> None:
        """Blank and comment lines between entries."""
        while self.chance(0.12):
            kind = self.rng.random()
            if kind < 0.5:
                self.out.append(" " * self.rng.randint(0, indent + 3))
            else:
                self.out.append(" " * self.rng.randint(0, indent + 3) + "# " + self.pick(LINES))

    def scalar(self) -> str:
        roll = self.rng.random()
        text = self.pick_odd(SCALARS, ODD_SCALARS)
        if roll < 0.15:
            return "'" + text.replace("'", self.pick(["''", "'"])) + "'"
        if roll < 0.25:
            return '"' + text.replace('"', self.pick(['\\"', '"'])) + '"'
        return text

    def flow(self, indent: int) -> str:
        """A flow mapping, nearly always on one line."""
        entries = []
        for _ in range(self.rng.randint(1, 3)):
            key = self.pick_odd(KEYS, ODD_KEYS)
            colon = self.pick(["", "", "", " "]) + ":" + self.pick([" ", " ", "  ", ""])
            value = self.pick(FLOW_SCALARS) if self.chance(0.1) else self.scalar()
            entries.append(key + colon + value)
        if self.chance(0.05):
            entries.append(self.pick(["", "{a: b}", "[a]", "a", "'k': v"]))
        separator = self.pick([", ", ", ", ",", " , ", ",  "])
        if self.chance(0.05):
            separator += "\n" + " " * (indent + self.rng.randint(0, 3))
        return ("{" + self.pick(["", "", " "]) + separator.join(entries)
                + self.pick(["", "", " ", ","]) + "}")

    def block(self, parent: int, depth: int) -> str:
        """A block scalar's header; its lines go into `out`."""
        indicators = ["", "-", "+"]
        chomp = self.pick(indicators)
        digit = self.pick(["", "", "", "1", "2", "3", "4"])
        header = self.pick(["|", ">"]) + (chomp + digit if self.chance(0.5) else digit + chomp)
        step = int(digit) if digit else self.pick([1, 2, 2, 2, 4])
        indent = parent + step
        lines = []
        if self.chance(0.15):
            lines.append(" " * self.rng.randint(0, indent + 2))  # leading empty lines
        for _ in range(self.rng.randint(0, 5)):
            roll = self.rng.random()
            if roll < 0.6:
                lines.append(" " * indent + self.pick(LINES).strip() + self.tail().strip("#c"))
            elif roll < 0.75:
                lines.append(" " * (indent + self.rng.randint(1, 3)) + self.pick(LINES))
            elif roll < 0.9:
                lines.append(" " * self.rng.randint(0, indent + 3))
            else:
                lines.append(" " * indent + "# " + self.pick(LINES))
        if lines and self.chance(0.2):
            lines[0] = " " * self.rng.randint(max(indent - 1, 0), indent + 1) + "text"
        if self.chance(0.3):
            lines.extend(" " * self.rng.randint(0, indent + 2)
                         for _ in range(self.rng.randint(1, 3)))
        self.out.extend(lines)
        if self.chance(0.03):
            return header + self.pick(["#c", " x", "x", "0"])
        return header + self.pick(["", "", "", " ", " # c", " # c"])

    def value(self, indent: int, depth: int, in_item: bool = False) -> str:
        """A value for a key in a mapping at `indent`: text for the key's line; any
        collection or block goes into `out`."""
        roll = self.rng.random()
        if depth < 4 and roll < 0.18:
            self.mapping(indent + self.pick([2, 2, 1, 4, 3]), depth + 1)
            return ""
        if depth < 4 and roll < 0.32:
            self.sequence(indent + self.pick([0, 0, 2, 2, 1, 4]), depth + 1)
            return ""
        if roll < 0.45:
            return self.block(indent, depth)
        if roll < 0.5:
            return ""
        if roll < 0.6:
            return self.flow(indent)
        return self.scalar()

    def entry(self, prefix: str, indent: int, depth: int) -> None:
        key = self.pick_odd(KEYS, ODD_KEYS)
        space = " " if self.chance(0.9) else self.pick(["  ", "  ", "", " \t", "\t"])
        colon = self.pick(["", "", "", "", " ", "  "]) + ":"
        if self.chance(0.01):
            colon = " " * self.rng.choice([100, 1100]) + ":"
        at = len(self.out)
        self.out.append("")  # the key's line, written once the value is known
        value = self.value(len(prefix) if prefix.strip() else indent, depth)
        if self.chance(0.05) and value and not value.startswith(("|", ">")):
            self.out.insert(at + 1, " " * self.rng.randint(indent, indent + 4)
                            + self.pick(LINES).strip())  # a next line: plain scalars go on
        line = prefix + key + colon + (space + value if value else "") + self.tail()
        self.out[at] = line

    def mapping(self, indent: int, depth: int, prefix: str | None = None) -> None:
        for index in range(self.rng.randint(1, 4)):
            self.noise(indent)
            if index == 0 and prefix is not None:
                self.entry(prefix, indent, depth)
            else:
                self.entry(" " * indent, indent, depth)

    def sequence(self, indent: int, depth: int) -> None:
        for _ in range(self.rng.randint(1, 4)):
            self.noise(indent)
            dash = " " * indent + "-" + " " * self.pick([1, 1, 1, 2, 3])
            roll = self.rng.random()
            if depth < 4 and roll < 0.45:
                self.mapping(len(dash), depth + 1, prefix=dash)
            elif roll < 0.6:
                at = len(self.out)
                self.out.append("")
                header = self.block(indent, depth)
                self.out[at] = dash + header
            elif roll < 0.65:
                self.out.append(" " * indent + "-" + self.tail())
            elif roll < 0.72:
                self.out.append(dash + self.flow(indent) + self.tail())
            else:
                self.out.append(dash + self.scalar() + self.tail())

    def document(self) -> str:
        self.mapping(self.pick([0, 0, 0, 0, 0, 2]), 0)
        text = "\n".join(self.out) + self.pick(["", "\n", "\n\n", "\n  "])
        return perturb(self.rng, text)


def perturb(rng: random.Random, text: str) -> str:
    """Now and then, something a reader must not take lightly."""
    roll = rng.random()
    if roll < 0.55:
        return text
    lines = text.split("\n")
    at = rng.randrange(len(lines))
    line = lines[at]
    kind = rng.randrange(14)
    if kind == 0:
        lines[at] = line.replace(" ", "\t", 1)
    elif kind == 1:
        return text.replace("\n", rng.choice(["\r\n", "\r", "\x85", "\u2028", "\u2029"]), 1)
    elif kind == 2:
        return rng.choice(["\ufeff", "---\n", "%YAML 1.2\n---\n", "--- ", "# c\n"]) + text
    elif kind == 3:
        return text + rng.choice(["\n...", "\n---\nb: 1", "\n...\n", "\n# end", "\n  # c"])
    elif kind == 4:
        lines[at] = " " + line  # one line off by a column
    elif kind == 5:
        lines[at] = line[1:]
    elif kind == 6:
        position = rng.randint(0, len(line))
        char = rng.choice(["\x00", "\x07", "\x1b", "\x7f", "\ufffe", "\ufeff",
                           "\x85", "\u2028", "\t", ":", "#", "'", '"', "-", " ", "&a ", "*a",
                           "!!str ", "? ", "[", "{", "|", ">", "\\", "\u00a0", "😀"])
        lines[at] = line[:position] + char + line[position:]
    elif kind == 7:
        lines.insert(at, lines[at])  # a duplicate key, or a second item
    elif kind == 8:
        del lines[at]
    elif kind == 9:
        lines[at] = line.rstrip() + rng.choice([" &a", " *a", ": x", " #", " 'x'"])
    elif kind == 10:
        lines.insert(at, rng.choice(["- x", "? k", ": v", "&a k: v", "k: *a", "<<: *a",
                                     "k: !!int 5", "k: [1,", "k: {a: 1}"]))
    elif kind == 11:
        lines[at] = line.replace(": ", ":", 1)
    elif kind == 12:
        lines[at] = line.rstrip(" ")[:-1]
    else:
        lines[at] = line.upper()
    return "\n".join(lines)


def documents(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    return [Writer(rng).document() for _ in range(count)]


def test_the_fast_path_gives_what_pyyaml_gives() -> None:
    taken = refused = errors = 0
    for index, text in enumerate(documents(17, 6000)):
        offset = index % 3
        try:
            slow = load_pyyaml(text, offset)
        except YamlError:
            slow = YamlError
        fast = load_fast(text, offset)  # never raises
        if fast is None:
            refused += 1
            errors += slow is YamlError
            continue
        assert slow is not YamlError, f"the fast path took an invalid document:\n{text!r}"
        taken += 1
        try:
            same(fast, slow)
        except AssertionError:
            print(repr(text))
            raise
        assert load_yaml(text, offset) is not None
    # The generator must exercise both sides: most documents taken, many errors left.
    assert taken > 1000, (taken, refused)
    assert errors > 1500, (errors, refused)


def test_the_generated_documents_take_every_feature() -> None:
    """Each construct the fast path claims appears in documents it takes."""
    seen = {name: 0 for name in ("|", ">", "|-", "|+", "|1", "'", '"', "- ", "#", "\n\n",
                                 "é", "{", "YamlInt", "YamlFloat", "bool", "None")}
    for text in documents(18, 4000):
        data = load_fast(text)
        if data is None:
            continue
        for name in ("|", ">", "|-", "|+", "|1", "'", '"', "- ", "#", "\n\n", "é"):
            seen[name] += name in text
        seen["{"] += ": {" in text or "- {" in text
        values = []
        stack: list[Any] = [data]
        while stack:
            value = stack.pop()
            if isinstance(value, dict):
                stack.extend(value.values())
            elif isinstance(value, list):
                stack.extend(value)
            else:
                values.append(value)
        seen["YamlInt"] += any(type(v) is YamlInt for v in values)
        seen["YamlFloat"] += any(type(v) is YamlFloat for v in values)
        seen["bool"] += any(type(v) is bool for v in values)
        seen["None"] += any(v is None for v in values)
    assert min(seen.values()) >= 15, seen


# --- the files the fast path is for -------------------------------------------------------

def front_matter(path: Path) -> str:
    lines = path.read_text("utf-8").split("\n")
    end = front_matter_end(lines)
    assert end is not None
    return "\n".join(lines[1:end])


def test_the_example_incidents_take_the_fast_path() -> None:
    paths = sorted((REPO / "content" / "incidents").glob("*.md"))
    assert len(paths) >= 10
    for path in paths:
        text = front_matter(path)
        fast = load_fast(text, 1)
        assert fast is not None, path.name
        same(fast, load_pyyaml(text, 1))


def test_the_benchmark_incidents_take_the_fast_path(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), "60",
                    str(tmp_path / "site")], check=True, capture_output=True)
    paths = sorted((tmp_path / "site" / "content" / "incidents").glob("*.md"))
    assert len(paths) >= 60
    windows = 0
    for path in paths:
        text = front_matter(path)
        fast = load_fast(text, 1)
        assert fast is not None, path.name
        same(fast, load_pyyaml(text, 1))
        windows += "window: {" in text
    assert windows > 0


EDITS = [" ", "  ", "\n", "\n\n", ":", ": ", " #", "#", "-", "- ", "'", '"', "|", ">", "|-",
         ">+", "|2", "\\", "é", "😀", "\t", "\r", "x", "1", ".", "~", "\u00a0", "{", "}", "[",
         ",", "&", "*", "!", "?", "%", "@", "`", "...", "---"]


def test_edited_incident_files_agree() -> None:
    """The example site's front matters with a few random edits each: both paths agree."""
    fronts = [front_matter(path) for path in sorted((REPO / "content" / "incidents").glob("*.md"))]
    rng = random.Random(19)
    taken = 0
    for _ in range(3000):
        text = rng.choice(fronts)
        for _ in range(rng.randint(1, 3)):
            at = rng.randint(0, len(text))
            roll = rng.random()
            if roll < 0.4:
                text = text[:at] + rng.choice(EDITS) + text[at:]
            elif roll < 0.7:
                text = text[:at] + text[at + rng.randint(1, 3):]
            else:  # a line moved to another column
                lines = text.split("\n")
                index = rng.randrange(len(lines))
                lines[index] = " " * rng.randint(0, 6) + lines[index].lstrip(" ")
                text = "\n".join(lines)
        fast = load_fast(text, 1)
        if fast is None:
            continue
        taken += 1
        same(fast, load_pyyaml(text, 1))  # raises YamlError if the fast path took an error
    assert taken > 500, taken


SCALAR_PARTS = [*"0123456789._:+-eExobEINFinfa ~#'\"", "inf", "nan", "NaN", "0x", "0o", "0b",
                "true", "null", "1e", ": ", " #"]


def test_random_scalars_agree() -> None:
    """Short scalars built from what numbers, booleans and nulls are made of, as a value,
    in a flow mapping, as an item and as a key: both paths agree."""
    rng = random.Random(20)
    taken = 0
    for _ in range(3000):
        value = "".join(rng.choice(SCALAR_PARTS) for _ in range(rng.randint(1, 6)))
        for text in (f"a: {value}", f"a: {{b: {value}}}", f"a:\n- {value}\n", f"{value}: 1"):
            try:
                slow = load_pyyaml(text)
            except YamlError:
                slow = YamlError
            fast = load_fast(text)
            if fast is not None:
                taken += 1
                assert slow is not YamlError, text
                same(fast, slow, text)
    assert taken > 5000, taken


# --- exact cases --------------------------------------------------------------------------

def test_positions_and_types_by_hand() -> None:
    text = ("title:  Search  outage   # c\n"
            "n: 010\n"
            "f: 1_000.5\n"
            "yes: Yes\n"
            "t: true\n"
            "e:\n"
            "q: 'a # b'\n"
            "updates:\n"
            "- at: 12:30\n"
            "  message: |-\n"
            "    one\n"
            "\n"
            "     two\n"
            "\n"
            "-   x\n"
            "c:\n"
            "    api: ~\n")
    data = load_fast(text, 1)
    assert data == {"title": "Search  outage", "n": 8, "f": 1000.5, "yes": "Yes",
                    "t": True, "e": None, "q": "a # b",
                    "updates": [{"at": 750, "message": "one\n\n two"}, "x"],
                    "c": {"api": None}}
    assert type(data["n"]) is YamlInt and data["n"].source == "010"
    assert type(data["f"]) is YamlFloat and data["f"].source == "1_000.5"
    assert type(data["updates"][0]["at"]) is YamlInt
    assert data.pos == (2, 1)
    assert list(data.key_pos.values()) == [(2, 1), (3, 1), (4, 1), (5, 1), (6, 1), (7, 1),
                                           (8, 1), (9, 1), (17, 1)]
    assert list(data.value_pos.values()) == [(2, 9), (3, 4), (4, 4), (5, 6), (6, 4),
                                             (7, 3), (8, 4), (10, 1), (18, 5)]
    updates = data["updates"]
    assert updates.pos == (10, 1)
    assert updates.item_pos == [(10, 3), (16, 5)]
    assert updates[0].key_pos == {"at": (10, 3), "message": (11, 3)}
    assert updates[0].value_pos == {"at": (10, 7), "message": (11, 12)}
    same(data, load_pyyaml(text, 1))


@pytest.mark.parametrize(("text", "expected"), [
    # folding: one break is a space, an empty line a break, more-indented lines keep theirs
    ("m: >\n  a\n  b\n\n  c\n   d\n  e\n", "a b\nc\n d\ne\n"),
    ("m: >-\n  a\n  b\n", "a b"),
    ("m: >+\n  a\n\n\nn: 1", "a\n\n\n"),
    ("m: |\n  a\n  b", "a\nb"),  # no line break at the end of the text: none to keep
    ("m: |+\n  a\n  \n", "a\n\n"),
    ("m: |\n  a\n   \n  b\n", "a\n \nb\n"),  # a line of spaces past the indentation is text
    ("m: |1\n  a\n b\n", " a\nb\n"),
    ("m: |\n\n  a\n", "\na\n"),
    ("m: |\n  # not a comment\n# a comment\n", "# not a comment\n"),
    ("m: |\nn: 1\n", ""),
    ("m: >\n  a  \n  b\n", "a   b\n"),
])
def test_block_scalars_by_hand(text: str, expected: str) -> None:
    data = load_fast(text)
    assert data is not None
    assert data["m"] == expected
    same(data, load_pyyaml(text))


@pytest.mark.parametrize("text", [
    "a: b\n  c\n",  # a plain scalar over two lines
    "a: b\n\n  c\n",
    "a:\tb\n", "a: b\r\nc: d\n", "a: b\rc: d\n", "\ufeffa: b\n", "a: b\x85c: d\n",
    "a: b\u2028c: d\n", "a: \x07\n",
    "a: [b]\n", "a: {b: {c: d}}\n", "a: {b: c,}\n", "a: {}\n", "a: {b: c\n  , d: e}\n",
    "a: {b: 'c'}\n", "a: {b: c:}\n", "a: {b: c:, d: e}\n", "a: {b: c d}: e\n",
    "a: {b: c} d\n", "a: {b: c #}\n",
    "a: &x b\n", "a: *x\n", "a: !!str b\n", "? a\n: b\n",
    "---\na: b\n", "a: b\n...\n", "%YAML 1.2\n---\na: b\n",
    "a: b\n... : c\n",  # the end of the document, then an error
    "a" + " " * 1100 + ": b\n",  # libyaml no longer takes `a` for a key by the ':'
    "k" * 130 + ": b\n",
    "a: b\na: c\n",  # a duplicate key: PyYAML says so
    "1: b\n", "true: b\n", "null: b\n", "<<: b\n",
    "a: <<\n", "a: =\n", "a: {b: <<}\n", "a: {b: =}\n", "a:\n- <<\n",  # merge, value
    "a: b: c\n", "a: 'it''s'\n", 'a: "x\\ty"\n', "a: 'x\n  y'\n",
    "a:\n  b: 1\n c: 2\n",  # indentation between two levels
    "a: |0\n  x\n", "a: |#c\n  x\n", "a: -1\n", "- a\n", "a\n", "", "# only\n",
    "a:\n  - \n", "a:\n  -\n    b: 1\n", "a:\n  - - b\n",
])
def test_the_fast_path_leaves_these_to_pyyaml(text: str) -> None:
    assert load_fast(text) is None


def test_errors_are_still_pyyamls() -> None:
    with pytest.raises(YamlError) as caught:
        load_yaml("title: Status: degraded\n", 1)
    assert (caught.value.line, caught.value.column) == (2, 14)
    assert caught.value.message == ("YAML syntax error: mapping values are not allowed "
                                    "in this context")
    with pytest.raises(YamlError) as caught:
        load_yaml("a: 1\nb: 2\na: 3\n")
    assert caught.value.message == "duplicate key 'a' (first on line 1)"
    assert (caught.value.line, caught.value.column) == (3, 1)


# --- numbers PyYAML's constructors cannot afford ------------------------------------------

def write_incident(root: Path, front: str) -> Path:
    return write(root, {"2026-11-01-x": "---\n" + front + "type: incident\nupdates:\n"
                        "  - at: 2026-11-01T10:00:00Z\n    status: resolved\n"
                        "    message: Fixed.\n---\n"})


def check(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", "check", "--source", str(root),
         "--now", "2026-11-27T00:00:00Z"], capture_output=True, text=True, timeout=120,
        check=False)


def test_a_sexagesimal_float_beyond_a_float_stays_text(tmp_path: Path) -> None:
    # PyYAML sums the ':' groups of `1:00:...:00.5` with an int base: from 174 groups on,
    # that base no longer converts to a float and its OverflowError was exit 2.
    title = "1" + ":00" * 174 + ".5"
    for text in (f"a: {title}\n", f"a: {{b: {title}}}\n", f"a:\n- {title}\n"):
        fast, slow = load_fast(text), load_pyyaml(text)
        assert fast is not None
        same(fast, slow)
    assert load_yaml(f"a: {title}\n")["a"] == title
    below = load_yaml("a: 1" + ":00" * 173 + ".5\n")["a"]
    assert type(below) is YamlFloat and below == float(60 ** 173)
    done = check(write_incident(tmp_path, f"title: {title}\n"))
    assert (done.returncode, done.stdout, done.stderr) == (
        0, "heliograph check: content is valid\n", "")


def test_a_sexagesimal_int_of_more_than_4300_digits_stays_text() -> None:
    # PyYAML's sum multiplies a growing int base by 60 per ':' group: quadratic, a 1 MB
    # `1:00:00:...` took 15 s of CPU. Past 4,300 digits (Python's limit for decimal text)
    # it stays text, like a decimal number that long.
    at_limit = "1" + ":0" * 4299  # 4,300 digits
    value = load_yaml(f"a: {at_limit}\n")["a"]
    assert type(value) is YamlInt and value == 60 ** 4299 and value.source == at_limit
    for text in ("1" + ":0" * 4300, "1" + ":00" * 330_000, "0x" + "F" * 4299):
        assert load_yaml(f"a: {text}\n")["a"] == text
        same(load_fast(f"a: {text}\n"), load_pyyaml(f"a: {text}\n"))
    assert type(load_yaml("a: " + "1" * 4300 + "\n")["a"]) is YamlInt  # Python's own limit
    assert type(load_yaml("a: +" + "1_" * 3000 + "\n")["a"]) is YamlInt  # 3,000 digits


def nested(levels: int) -> str:
    """`levels` block mappings, each the value of the one around it."""
    return "".join(" " * i + "k:\n" for i in range(levels - 1)) + " " * (levels - 1) + "z: 1\n"


def test_the_fast_path_takes_20_levels_and_no_more(tmp_path: Path) -> None:
    # Its reader recurses per level: without the limit, 900 levels were a RecursionError
    # out of `load_fast` (exit 2) where PyYAML's path says the nesting is too deep.
    assert load_fast(nested(20)) is not None
    same(load_fast(nested(20)), load_pyyaml(nested(20)))
    assert load_fast(nested(21)) is None
    assert load_fast("a:\n" + "".join(" " * i + "- k:\n" for i in range(0, 38, 2))) is None
    assert load_fast(nested(900)) is None
    done = check(write_incident(tmp_path, "title: Deep\n" + nested(900)))
    assert done.returncode == 1
    assert done.stdout.splitlines()[:2] == [
        "content/incidents/2026-11-01-x.md: error: YAML nesting is too deep",
        "    hint: content needs only a few levels of lists and mappings"]


def test_a_long_line_of_spaces_is_read_in_one_pass(tmp_path: Path) -> None:
    # A key pattern that gave spaces back would try every split of the run: a letter and
    # 600,000 spaces (a file within the 1 MB limit) took minutes before `check` answered.
    # Generous guard: one pass takes milliseconds, the quadratic reading minutes.
    done = check(write_incident(tmp_path, "title: Slow\na" + " " * 600_000 + "b\n"))
    assert done.returncode == 1
    # PyYAML's error: the plain scalar 'a ... b' runs on into line 4, where a key cannot
    # (a key is on one line), so it is reported at line 4's start.
    assert done.stdout.splitlines()[0] == ("content/incidents/2026-11-01-x.md:4:1: "
                                           "error: YAML syntax error: could not find "
                                           "expected ':'")
