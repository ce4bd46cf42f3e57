"""What an importer produces: the page it read, as plain immutable data in Heliograph's
terms, plus what it could not map. Also the bounds every importer applies to its
untrusted input (sizes, ids, text)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from generator.content.load import slugify
from generator.content.yamlsafe import YamlError, load_yaml
from generator.errors import ContentError, Problem
from generator.theme.markup import BAD_CHAR_RE, MAX_BODY_CHARS, MAX_MESSAGE_CHARS

MAX_INPUT_BYTES = 20_000_000  # one source file (a JSON list of 50 incidents is ~1 MB)
MAX_ID_CHARS = 40  # generated component and group ids
MAX_TITLE_CHARS = 500
MAX_NOTE_CHARS = 300


@dataclass(frozen=True)
class Unmapped:
    """Something in the source that has no place in Heliograph's files, and why."""

    where: str  # the source's file and field (e.g. incidents.json: incident 'x' only_show...)
    reason: str


@dataclass(frozen=True)
class ImportedSite:
    title: str
    base_url: str
    timezone: str


@dataclass(frozen=True)
class ImportedComponent:
    id: str
    name: str
    description: str = ""
    status: str | None = None  # a manual status (no open entry explains it)


@dataclass(frozen=True)
class ImportedGroup:
    id: str
    name: str
    description: str
    components: tuple[ImportedComponent, ...]


@dataclass(frozen=True)
class ImportedUpdate:
    at: datetime  # UTC
    status: str
    message: str  # Markdown
    components: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ImportedEntry:
    """One incident, maintenance or notice file."""

    type: str
    title: str
    updates: tuple[ImportedUpdate, ...]  # oldest first
    components: tuple[tuple[str, str], ...] = ()
    impact: str | None = None
    backfilled: bool = False
    window: tuple[datetime, datetime] | None = None
    body: str = ""
    note: str = ""  # the source's id and URL, kept as a comment (for redirects)
    origin: str = ""  # the source's name for it, in messages
    slug: str = ""  # the file name to keep (the source's own, for its URL); "": from the title


@dataclass(frozen=True)
class Imported:
    tool: str  # "Statuspage", "cState", "Upptime"
    site: ImportedSite
    groups: tuple[ImportedGroup, ...]
    ungrouped: tuple[ImportedComponent, ...]
    entries: tuple[ImportedEntry, ...]
    unmapped: tuple[Unmapped, ...] = ()
    notes: tuple[str, ...] = ()  # things the user should know (e.g. the API's 50 limit)


def import_error(where: str, message: str, hint: str = "") -> ContentError:
    """Input the importer cannot read at all: exit 1, nothing written."""
    return ContentError([Problem(where, None, None, message, hint)])


def read_bounded(path: Path, where: str, limit: int = MAX_INPUT_BYTES) -> bytes:
    """A source file's bytes, never more than `limit` (a file that grows is cut, not read)."""
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise import_error(where, f"cannot read it: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise import_error(where, f"larger than the limit of {limit:,} bytes",
                           "is this the right file?")
    return data


def clean(text: str, limit: int) -> str:
    """Source text as content text: '\\n' line ends, none of the characters a content file
    may not hold, trimmed and cut to `limit` characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    text = BAD_CHAR_RE.sub("", text).strip()
    return text[:limit].rstrip()


def clean_title(text: str) -> str:
    return " ".join(clean(text, MAX_TITLE_CHARS * 2).split())[:MAX_TITLE_CHARS]


def _fitted(text: str, limit: int, where: str, unmapped: list[Unmapped]) -> str:
    """Cleaned text, cut to Heliograph's limit for it; a cut is reported."""
    whole = clean(text, len(text))
    if len(whole) > limit:
        unmapped.append(Unmapped(where, f"{len(whole):,} characters, more than Heliograph's "
                                 f"limit of {limit:,}: cut to the limit"))
    return whole[:limit].rstrip()


def clean_message(text: str, where: str, unmapped: list[Unmapped]) -> str:
    return _fitted(text, MAX_MESSAGE_CHARS, where, unmapped)


def clean_body(text: str, where: str, unmapped: list[Unmapped]) -> str:
    return _fitted(text, MAX_BODY_CHARS, where, unmapped)


_NOTE_CHARS = re.compile(r"[^\x20-\x7e]")


def one_line_note(text: str) -> str:
    """Printable ASCII on one line: it becomes a YAML comment."""
    return _NOTE_CHARS.sub("", text)[:MAX_NOTE_CHARS]


class Ids:
    """Ids from names (Heliograph's id form), unique across groups and components."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def make(self, name: str, fallback: str) -> str:
        base = slugify(name, fallback, MAX_ID_CHARS)
        candidate, number = base, 1
        while candidate in self.taken:
            number += 1
            candidate = f"{base}-{number}"
        self.taken.add(candidate)
        return candidate


def utc(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(microsecond=0)


def aware_time(value: Any, where: str) -> datetime:
    """An ISO 8601 time with its UTC offset, as the sources write them, in whole seconds
    of UTC; ValueError naming `where` for anything else."""
    if not isinstance(value, str) or len(value) > 40:
        raise ValueError(f"{where} is not a time")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{where} is not a time: {value!r}") from None
    if parsed.tzinfo is None:
        raise ValueError(f"{where} has no UTC offset: {value!r}")
    return utc(parsed)


def read_yaml(path: Path, where: str, limit: int = MAX_INPUT_BYTES) -> Any:
    """A source's YAML file, with the content loader's safe YAML (no tags, no aliases)."""
    return parse_yaml(read_bounded(path, where, limit), where)


def parse_yaml(data: bytes, where: str, line_offset: int = 0) -> Any:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise import_error(where, f"not UTF-8 text (byte {exc.start})") from None
    try:
        return load_yaml(text, line_offset)
    except YamlError as exc:
        raise ContentError([Problem(where, exc.line, exc.column, exc.message, exc.hint)]) \
            from None
