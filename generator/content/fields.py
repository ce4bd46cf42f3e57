"""The keys of each content mapping as data: one `Field` per key, read by one generic reader.

A table says, for every key a mapping may have, whether it is required, how its value is
read (text, a choice, true/false, a whole number, a time, a URL, a percentage), its
default, allowed values and the words of its message and hint. `FileCheck.fields` reads
a mapping by its table; `FileCheck.allowed` refuses keys the table does not name, with a
"did you mean" for typos. Keys whose rules depend on other keys (an update's status on
the type, a window on the type, component ids on components.yaml) have no reader here:
the loader (load.py) reads them itself.

Why not a schema library: docs/decisions.md ("Content validation: our own field tables").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from generator.content.model import COMPONENT_STATUSES, IMPACTS, TYPES
from generator.content.timeutil import TimeError, parse_timestamp
from generator.content.yamlsafe import Node, source_text
from generator.errors import Problem, suggest
from generator.theme.markup import BAD_CHAR_RE

Where = tuple[int | None, int | None]  # 1-based line and column; None when unknown
NOWHERE: Where = (None, None)
BAD_CHAR_HINT = "remove it; it is invisible and feeds cannot carry it"
TIME_HINT = ("write an ISO 8601 time such as 2026-05-11T14:02:00Z, or without 'Z' for the "
             "site's time zone")
COLOR_RE = re.compile(r"#[0-9a-fA-F]{6}")  # used with fullmatch: `$` would allow a "\n"
MAX_URL_CHARS = 2000


def kind_of(value: Any) -> str:
    """What a value is, in the words of a message: 'a list', 'the yes/no value true'..."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"the yes/no value {str(value).lower()}"
    return "empty" if value is None else "text"


Reader = Callable[["FileCheck", Node, "Field", str, tzinfo], Any]


@dataclass(frozen=True)
class Field:
    """One key of a content mapping and the rule its value follows.

    `read` None: the loader reads the key itself (its rule depends on other keys); the
    table still names it, so that it is an allowed key (in this order in the hint).
    """

    key: str
    read: Reader | None = None
    required: bool = False
    default: Any = None
    choices: tuple[str, ...] = ()  # choice: the allowed values, in the order hints list them
    noun: str = ""  # choice: "unknown <noun> 'x'"
    limit: int = 0  # count: the largest value allowed
    pattern: re.Pattern[str] | None = None  # pattern: what the whole text must match
    message: str = ""  # pattern, flag: the message, formatted with key, label and value
    hint: str = ""  # pattern, url: the hint


class Table:
    """Every key a mapping may have, in the order hints list them; made once, read for
    every mapping (tens of thousands in a large site)."""

    def __init__(self, *fields: Field):
        self.keys = tuple(f.key for f in fields)
        self.read = tuple((f, f.read) for f in fields if f.read is not None)


@dataclass
class FileCheck:
    """Collects the problems of one file."""

    path: str
    problems: list[Problem] = field(default_factory=list)
    # (mapping, key) pairs that an unknown key looks like a typo of: already reported.
    typos: set[tuple[int, str]] = field(default_factory=set)

    def error(self, where: Where, message: str, hint: str = "") -> None:
        self.problems.append(Problem(self.path, where[0], where[1], message, hint))

    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)

    def allowed(self, node: Node, table: Table, what: str) -> None:
        """Refuse the keys `table` does not name; a near miss is taken for a typo."""
        self.unknown_keys(node, table.keys, what)

    def fields(self, node: Node, table: Table, label: str, zone: tzinfo = UTC,
               skip: tuple[str, ...] = ()) -> dict[str, Any]:
        """The values of the keys of `table` that have a reader (problems recorded, and a
        safe value in their place); `label` names the mapping in messages."""
        return {f.key: read(self, node, f, label, zone) for f, read in table.read
                if f.key not in skip}

    def unknown_keys(self, node: Node, allowed: tuple[str, ...], what: str) -> None:
        for key in node:
            if key in allowed:
                continue
            name = source_text(key) or str(key)
            hint = suggest(name, allowed)
            if hint:
                self.typos.add((id(node), hint.split("'")[1]))
            self.error(node.where(key), f"unknown key '{name}' in {what}",
                       hint or f"allowed keys: {', '.join(allowed)}")

    def missing(self, node: Node, key: str, message: str, hint: str) -> None:
        """Report a missing key, unless a misspelling of it was already reported."""
        if (id(node), key) not in self.typos:
            self.error(node.where(key), message, hint)

    def text(self, node: Node, key: str, what: str, required: bool = False) -> str:
        if key not in node:
            if required:
                self.missing(node, key, f"{what} has no '{key}'", f"add '{key}: ...'")
            return ""
        value = node[key]
        text = source_text(value)
        if text is None and value is not None:
            hint = (f"quote it: {key}: \"{str(value).lower()}\"" if isinstance(value, bool)
                    else f"write {key} as one line of text (quote it if it contains ': ')")
            self.error(node.where_value(key), f"'{key}' of {what} must be text, not "
                       f"{kind_of(value)}", hint)
            return ""
        text = (text or "").strip()
        bad = BAD_CHAR_RE.search(text)
        if bad:
            self.error(node.where_value(key), f"'{key}' of {what} contains the character "
                       f"U+{ord(bad.group()):04X}, which text may not contain", BAD_CHAR_HINT)
            return ""
        if required and not text:
            self.error(node.where(key), f"'{key}' of {what} is empty", f"write a {key}")
        return text

    def timestamp(self, node: Node, key: str, zone: tzinfo, what: str) -> datetime | None:
        if key not in node:
            self.missing(node, key, f"{what} has no '{key}'",
                         f"add '{key}: 2026-05-11T14:02:00Z' (ISO 8601)")
            return None
        value = node[key]
        try:
            return parse_timestamp(source_text(value) or value, zone)
        except TimeError as exc:
            self.error(node.where_value(key), f"'{key}' of {what}: {exc}", TIME_HINT)
            return None


# --- readers: (check, mapping, field, label, zone) -> the value, or a safe stand-in -------

def text(check: FileCheck, node: Node, f: Field, label: str, zone: tzinfo) -> str:
    """One line of text; `default` when absent or empty."""
    return check.text(node, f.key, label, f.required) or (f.default or "")


def pattern(check: FileCheck, node: Node, f: Field, label: str, zone: tzinfo) -> str:
    """Text that must match `pattern` when given."""
    value = check.text(node, f.key, label, f.required)
    if value and f.pattern is not None and not f.pattern.fullmatch(value):
        check.error(node.where_value(f.key), f.message.format(key=f.key, value=value), f.hint)
    return value


def choice(check: FileCheck, node: Node, f: Field, label: str, zone: tzinfo) -> str | None:
    """One of `choices`; `default` when absent or unknown."""
    default: str | None = f.default
    if f.key not in node:
        return default
    value = node[f.key]
    name = source_text(value)
    if name not in f.choices:
        shown = name if name is not None else kind_of(value)
        hint = suggest(str(shown), f.choices) or f"use one of: {', '.join(f.choices)}"
        check.error(node.where_value(f.key), f"unknown {f.noun} '{shown}'", hint)
        return default
    return name


def flag(check: FileCheck, node: Node, f: Field, label: str, zone: tzinfo) -> bool:
    """true or false (YAML 1.2: yes and no are text); false when absent."""
    value = node.get(f.key, False)
    if not isinstance(value, bool):
        message = f.message or "'{key}' of {label} must be true or false"
        check.error(node.where_value(f.key), message.format(key=f.key, label=label),
                    f"write '{f.key}: true' (yes/no are read as text)")
        return False
    return value


def count(check: FileCheck, node: Node, f: Field, label: str, zone: tzinfo) -> int:
    """A whole number from 1 to `limit`; `default` when absent."""
    value = node.get(f.key, f.default)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= f.limit:
        check.error(node.where_value(f.key), f"{f.key} must be a whole number from 1 to "
                    f"{f.limit}", f"for example '{f.key}: {f.default}'")
        return int(f.default)
    return int(value)


def timestamp(check: FileCheck, node: Node, f: Field, label: str,
              zone: tzinfo) -> datetime | None:
    """An ISO 8601 time; without an offset it is in `zone` (the site's)."""
    if not f.required and f.key not in node:
        return None
    return check.timestamp(node, f.key, zone, label)


def url_problem(url: str) -> str:
    """What is wrong with an absolute http(s) URL given in content ('' if nothing)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return "is not a valid URL"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "is not an absolute http(s) URL"
    if any(ch.isspace() for ch in url):
        return "contains a space"
    if parts.username or parts.password:
        return "contains a user name or password"
    return ""


def url(check: FileCheck, node: Node, f: Field, label: str, zone: tzinfo) -> str:
    """An absolute http(s) URL of at most MAX_URL_CHARS; '' when absent or wrong."""
    value = check.text(node, f.key, label)
    if not value:
        return ""
    problem = url_problem(value)
    if not problem and len(value) > MAX_URL_CHARS:
        problem = f"is longer than {MAX_URL_CHARS:,} characters"
    if problem:
        check.error(node.where_value(f.key), f"{f.key} '{value[:200]}' {problem}", f.hint)
        return ""
    return value


def percentage(check: FileCheck, node: Node, f: Field, label: str, zone: tzinfo) -> str | None:
    """A number more than 0 and at most 100 (99.9, 99.95), as its shortest text."""
    if f.key not in node:
        return None
    value = node[f.key]
    written = source_text(value) if not isinstance(value, bool) else None
    try:
        number = Decimal(written.strip()) if written is not None else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or not 0 < number <= 100:
        shown = f"'{written}'" if written is not None else kind_of(value)
        check.error(node.where_value(f.key), f"'{f.key}' of {label} must be a percentage more "
                    f"than 0 and at most 100, not {shown}", "write the uptime target as a "
                    f"number, e.g. '{f.key}: 99.9' (no % sign)")
        return None
    return format(number.normalize(), "f")


# --- the tables: every key each mapping may have, in the order hints list them ----------

SITE_FIELDS = Table(
    Field("title", text, required=True),
    Field("base_url"),  # may come from --base-url instead
    Field("timezone", text, default="UTC"),  # then looked up in the time zone database
    Field("language"),  # with languages, read and checked against the theme by the loader
    Field("languages"),
    Field("description", text),
    Field("theme", text, default="default"),
    Field("history_days", count, default=90, limit=3650),  # then bounded by the components
    Field("feed_entries", count, default=50, limit=10000),
    Field("history_page_size", count, default=25, limit=1000),
    Field("brand_color", pattern, pattern=COLOR_RE,
          message="{key} '{value}' is not a #rrggbb colour",
          hint="write it like '#1f6feb' (quoted, because # starts a YAML comment)"),
    Field("logo", text),  # then read as the theme reads it
    Field("email_signup_url"),  # an http(s) URL or a mailto: address
)
COMPONENTS_FILE_FIELDS = Table(Field("groups"), Field("components"))
GROUP_FIELDS = Table(
    Field("id"),  # unique across groups and components
    Field("name", text, required=True),
    Field("description", text),
    Field("components"),
)
COMPONENT_FIELDS = Table(
    Field("id"),
    Field("name", text, required=True),
    Field("description", text),
    Field("status", choice, choices=COMPONENT_STATUSES, noun="component status"),
    Field("status_note", text),
    Field("hidden", flag),
    Field("sla", percentage),
    Field("check"),  # content/checks.py
)
INCIDENT_FIELDS = Table(
    Field("title", text, required=True),
    Field("type", choice, default="incident", choices=TYPES, noun="type"),
    Field("impact", choice, choices=IMPACTS, noun="impact"),  # then checked against type
    Field("backfilled", flag, message="'{key}' must be true or false"),
    Field("components"),  # ids from components.yaml, statuses by type
    Field("updates"),
    Field("window"),  # maintenance only
    Field("until"),  # notices only
    Field("postmortem_url", url, hint="give the full address of the postmortem, e.g. "
          "https://blog.example.com/2026/11/api-outage"),
    Field("automated", flag, message="'{key}' must be true or false"),
)
UPDATE_FIELDS = Table(
    Field("at", timestamp, required=True),
    Field("status"),  # by type
    Field("message", text, required=True),
    Field("components"),
)
WINDOW_FIELDS = Table(Field("start", timestamp, required=True),
                      Field("end", timestamp, required=True))
