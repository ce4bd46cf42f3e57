"""Valid incidents kept on disk between runs, so that CI parses only the files that changed.

`ContentCache` is the loader's `LoadCache` with its entries in
`<cache_dir()>/content/<context>.json`: one file per context (everything a file's
validation reads besides the file: the site settings, the known component ids, the
time zone's rules, the code and library versions that validate), each mapping an incident
file's path to the SHA-256 of its text, the `Incident` it loaded as and the HTML of the
Markdown the loader rendered with Python-Markdown to validate it. An entry is served
only for a file whose text has that hash, in that context, and only while the file is
still valid at the load's now (`valid_at`): no entry can serve stale output, whatever
restored it. Only files that loaded with no problem at all are kept.

The folder may be restored from a place a pull request could write (a CI cache on some
hosts), so the entries are JSON, read defensively: any file or entry that is not exactly
what this code writes (too large, malformed, of another shape, type or path, or outside
the bounds the loader enforces) is a miss, and the file is loaded in full.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import re
import stat
import sys
import time
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import TZPATH

import nh3
import yaml

from generator import __version__
from generator.content.load import Context, LoadCache, read_text
from generator.content.model import (
    IMPACTS,
    TYPES,
    Incident,
    Update,
    Window,
    component_statuses_for,
    statuses_for,
)
from generator.content.timeutil import EARLIEST, LATEST
from generator.theme.markup import MAX_BODY_CHARS, MAX_MESSAGE_CHARS, sanitize, shortcut_html

# Bump when the model or what validates it changes in a way the code fingerprint below
# would not show (it covers generator/content/ and the Markdown checks).
REVISION = 1
MAX_CACHE_BYTES = 64_000_000  # one context's file; a larger one is ignored (never written)
KEEP = 8  # context files kept: a few sites or settings on one machine, but not without bound
STALE_TEMP_SECONDS = 600  # a temporary file this old was left by a build that died
NAME_RE = re.compile(r"[0-9a-f]{32}\.json")
# Text an entry may hold beyond the messages and body (titles, ids, URLs): the loader
# bounds the file to 1 MB, so a longer string cannot have come from it.
MAX_TEXT = 1_000_000


CACHE_VARIABLE = "HELIOGRAPH_CACHE_DIR"


def cache_dir() -> str | None:
    """Heliograph's cache folder: HELIOGRAPH_CACHE_DIR (empty or 'off': no cache), else
    $XDG_CACHE_HOME/heliograph, else ~/.cache/heliograph."""
    chosen = os.environ.get(CACHE_VARIABLE)
    if chosen is not None:
        return None if chosen.strip().lower() in ("", "off") else chosen
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "heliograph")


class _Wrong(Exception):
    """An entry that is not what this code writes."""


class ContentCache(LoadCache):
    """The loader's cache of valid incidents, kept in `folder` between runs."""

    def __init__(self, folder: str):
        super().__init__()
        self.folder = folder
        self._context: Context | None = None
        self._file = ""
        self._stored: dict[str, Any] = {}  # path -> [sha256, incident, html] as read
        self._used: dict[str, Any] = {}  # path -> [sha256, incident, html] of this load
        self._changed = False
        self._html: dict[str, str] = {}  # the HTML of the Markdown of the entries served

    @classmethod
    def open(cls) -> ContentCache | None:
        """The cache under `cache_dir()`, or None when caching is off."""
        base = cache_dir()
        return None if base is None else cls(os.path.join(base, "content"))

    def key(self, path: Path, source: Path, context: Context) -> object | None:
        if context != self._context:
            self._start(context)
        rel = f"content/incidents/{path.name}"
        # Read as the loader reads it (links leaving the repo, size, encoding): a file it
        # would refuse is not looked up, and its problem is reported by the full load.
        text, _ = read_text(path, rel, source)
        return None if text is None else self.text_key(rel, text)

    def worth_looking(self, context: Context) -> bool:
        # With no entry for this context (a first run, new settings), reading and hashing
        # every file before the load would only delay it: the loader keys what it reads.
        if context != self._context:
            self._start(context)
        return bool(self._stored)

    def text_key(self, rel: str, text: str) -> object:
        return rel, hashlib.sha256(text.encode()).hexdigest()

    def get(self, path: Path, key: object) -> Incident | None:
        rel, digest = _key(key)
        entry = self._stored.get(rel)
        if not isinstance(entry, list) or len(entry) != 3 or entry[0] != digest:
            return None
        assert self._context is not None
        incident = decode(entry[1], rel, self._context[1])
        html = None if incident is None else _html(incident, entry[2])
        if incident is None or html is None:
            return None
        self._used[rel] = entry
        self._html.update(html)
        return incident

    def put(self, path: Path, key: object, incident: Incident, html: dict[str, str]) -> None:
        rel, digest = _key(key)
        # What the loader rendered with Python-Markdown (it renders every such text of a
        # valid file): the other texts take the shortcut, a few regular expressions.
        kept = {text: html[text] for text in _texts(incident) if text in html}
        self._used[rel] = [digest, encode(incident), kept]
        self._changed = True

    def finish(self) -> dict[str, str]:
        """Save this load's entries (those of files gone or changed are dropped)."""
        html = self._html
        if self._context is None:
            return html
        if self._changed or self._used.keys() != self._stored.keys():
            data = {"heliograph": REVISION, "entries": dict(sorted(self._used.items()))}
            _write(self._file, json.dumps(data, separators=(",", ":")).encode())
        else:
            with contextlib.suppress(OSError):  # recently used: kept by `_prune`
                os.utime(self._file)
        _prune(self.folder, os.path.basename(self._file))
        self._context, self._stored, self._used, self._changed = None, {}, {}, False
        self._html = {}
        return html

    def _start(self, context: Context) -> None:
        self._context, self._used, self._changed = context, {}, False
        self._file = os.path.join(self.folder, fingerprint(context) + ".json")
        self._stored = _read(self._file)


def _texts(incident: Incident) -> set[str]:
    """The Markdown of `incident` that the loader renders to validate it."""
    return {text for text in (incident.body, *(u.message for u in incident.updates)) if text}


def _html(incident: Incident, data: object) -> dict[str, str] | None:
    """The HTML of every text of `incident`: the shortcut's for plain texts, else the
    entry's, which must be exactly what the sanitizer lets through (it is untrusted); None
    when the entry lacks one. A served entry's Markdown is then never rendered outside
    the loader's time budget, and the outputs need not render it."""
    if not isinstance(data, dict):
        return None
    html, rich = {}, 0
    for text in _texts(incident):
        quick = shortcut_html(text)
        if quick is None:
            quick = data.get(text)
            if not isinstance(quick, str) or sanitize(quick) != quick:
                return None
            rich += 1
        html[text] = quick
    return html if rich == len(data) else None


def _key(key: object) -> tuple[str, str]:
    assert isinstance(key, tuple)
    rel, digest = key
    return rel, digest


# --- the context's fingerprint -------------------------------------------------------------

def fingerprint(context: Context) -> str:
    """Everything an incident's validation reads besides its file (the file's path is in
    each entry): equal fingerprints, equal results for equal text."""
    site, known = context
    facts = (REVISION, __version__, sys.version, _code(), yaml.__version__,
             getattr(nh3, "__version__", "?"), _markdown_version(), _zone_rules(site.timezone),
             repr(site),
             sorted(known) if known is not None else None)
    return hashlib.sha256(repr(facts).encode()).hexdigest()[:32]


def _code() -> str:
    """The loader's own source: a change to a rule is a new context even before a release
    (a developer's cache, a test run)."""
    from generator.theme import markup

    digest = hashlib.sha256()
    here = Path(__file__).parent
    for path in [*sorted(here.glob("*.py")), Path(markup.__file__)]:
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"?")
    return digest.hexdigest()


def _markdown_version() -> str:
    """Python-Markdown's version file, read rather than imported (~30 ms, which a build
    whose texts are all served never pays; importlib.metadata costs more still)."""
    spec = importlib.util.find_spec("markdown")
    try:
        assert spec is not None and spec.submodule_search_locations is not None
        folder = next(iter(spec.submodule_search_locations))
        with open(os.path.join(folder, "__meta__.py"), "rb") as handle:
            return hashlib.sha256(handle.read(100_000)).hexdigest()
    except (AssertionError, StopIteration, OSError):
        return "?"


def _zone_rules(name: str) -> str:
    """The time zone's rules as zoneinfo reads them (a system file, else the tzdata
    package): a naive time's UTC instant changes when a country changes its clocks."""
    for folder in TZPATH:
        path = os.path.join(folder, *name.split("/"))
        if os.path.isfile(path):
            with contextlib.suppress(OSError), open(path, "rb") as handle:
                return hashlib.sha256(handle.read(1_000_000)).hexdigest()
    try:
        from importlib import resources

        folder, _, leaf = f"tzdata.zoneinfo.{name}".replace("/", ".").rpartition(".")
        return hashlib.sha256(resources.files(folder).joinpath(leaf).read_bytes()).hexdigest()
    except (ImportError, OSError, ValueError):
        return "?"


# --- reading and writing -----------------------------------------------------------------

def _read(path: str) -> dict[str, Any]:
    """The entries of a context's file; {} for anything but a regular file of the right
    shape within the bound (never blocks on a FIFO, never reads more than the bound)."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return {}
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_CACHE_BYTES:
            return {}
        chunks, size = [], 0
        while size <= MAX_CACHE_BYTES and (chunk := os.read(handle, 1 << 20)):
            chunks.append(chunk)
            size += len(chunk)
        if size > MAX_CACHE_BYTES:
            return {}
        data = json.loads(b"".join(chunks))
    except (OSError, ValueError, RecursionError):
        return {}
    finally:
        os.close(handle)
    entries = data.get("entries") if isinstance(data, dict) else None
    if not isinstance(entries, dict) or data.get("heliograph") != REVISION:
        return {}
    return entries


def _write(path: str, data: bytes) -> None:
    """Atomically (concurrent builds each write a whole file; the last one stays)."""
    if len(data) > MAX_CACHE_BYTES:
        return
    import tempfile  # only when writing (~5 ms to import)

    folder = os.path.dirname(path)
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        handle, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=folder)
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.remove(tmp)


def _prune(folder: str, keep: str) -> None:
    """Keep the KEEP most recently used context files (`keep` among them); drop the
    temporary files of builds that died."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    found = []
    for name in names:
        path = os.path.join(folder, name)
        with contextlib.suppress(OSError):
            changed = os.lstat(path).st_mtime
            if NAME_RE.fullmatch(name):
                found.append((name == keep, changed, path))
            elif name.startswith(".") and name.endswith(".tmp") and \
                    changed < time.time() - STALE_TEMP_SECONDS:
                os.remove(path)
    found.sort(reverse=True)
    for _, _, path in found[KEEP:]:
        with contextlib.suppress(OSError):
            os.remove(path)


# --- Incident <-> JSON ---------------------------------------------------------------------

def encode(incident: Incident) -> dict[str, Any]:
    """An incident as JSON values (times as ISO 8601 in UTC)."""
    return {
        "slug": incident.slug,
        "path": incident.path,
        "type": incident.type,
        "title": incident.title,
        "impact": incident.impact,
        "backfilled": incident.backfilled,
        "components": [list(pair) for pair in incident.components],
        "updates": [{"at": update.at.isoformat(), "status": update.status,
                     "message": update.message, "line": update.line,
                     "automatic": update.automatic,
                     "components": [list(pair) for pair in update.components]}
                    for update in incident.updates],
        "window": None if incident.window is None else
        [incident.window.start.isoformat(), incident.window.end.isoformat()],
        "body": incident.body,
        "until": None if incident.until is None else incident.until.isoformat(),
        "postmortem_url": incident.postmortem_url,
        "automated": incident.automated,
    }


def decode(data: object, rel: str, known: frozenset[str] | None) -> Incident | None:
    """The incident `encode` gave for the file `rel`, or None for anything else: of
    another file, shape or type, or breaking a rule the loader enforces and later stages
    rely on (statuses, known component ids, time order, bounds)."""
    try:
        return _incident(data, rel, known)
    except (_Wrong, ValueError, TypeError, OverflowError):
        return None


def _incident(data: object, rel: str, known: frozenset[str] | None) -> Incident:
    value = _fields(data, ("slug", "path", "type", "title", "impact", "backfilled",
                           "components", "updates", "window", "body", "until",
                           "postmortem_url", "automated"))
    name = rel.rpartition("/")[2]
    if value["path"] != rel or value["slug"] != name.removesuffix(".md"):
        raise _Wrong  # another file's entry
    kind = value["type"]
    if kind not in TYPES:
        raise _Wrong
    impact = value["impact"]
    if impact is not None and impact not in IMPACTS:
        raise _Wrong
    updates = tuple(_update(item, kind, known) for item in _list(value["updates"]))
    if not updates or any(b.at < a.at for a, b in pairwise(updates)):
        raise _Wrong
    window, until = value["window"], value["until"]
    # What later stages rely on: a maintenance has a window, only a notice has `until`.
    if (window is None) == (kind == "maintenance") or (until is not None and kind != "notice"):
        raise _Wrong
    if window is not None:
        start, end = (_time(t) for t in _list(window, 2))
        if end <= start:
            raise _Wrong
    until = None if until is None else _time(until)
    return Incident(
        value["slug"], rel, kind, _text(value["title"]), impact,
        _flag(value["backfilled"]), _components(value["components"], kind, known), updates,
        None if window is None else Window(start, end), _text(value["body"], MAX_BODY_CHARS),
        until, _text(value["postmortem_url"]), _flag(value["automated"]))


def _update(data: object, kind: str, known: frozenset[str] | None) -> Update:
    value = _fields(data, ("at", "status", "message", "line", "automatic", "components"))
    status = value["status"]
    line = value["line"]
    if status not in statuses_for(kind) or type(line) is not int or line < 1:
        raise _Wrong
    return Update(_time(value["at"]), status, _text(value["message"], MAX_MESSAGE_CHARS),
                  line, _flag(value["automatic"]),
                  _components(value["components"], kind, known))


def _fields(data: object, keys: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(data, dict) or data.keys() != set(keys):
        raise _Wrong
    return data


def _list(data: object, length: int | None = None) -> list[Any]:
    if not isinstance(data, list) or (length is not None and len(data) != length):
        raise _Wrong
    return data


def _text(data: object, limit: int = MAX_TEXT) -> str:
    if not isinstance(data, str) or len(data) > limit:
        raise _Wrong
    return data


def _flag(data: object) -> bool:
    if not isinstance(data, bool):
        raise _Wrong
    return data


def _time(data: object) -> datetime:
    value = datetime.fromisoformat(_text(data, 40))
    if value.utcoffset() is None or value.utcoffset() or not EARLIEST <= value < LATEST:
        raise _Wrong
    return value.replace(tzinfo=UTC)


def _components(data: object, kind: str, known: frozenset[str] | None) -> tuple[
        tuple[str, str], ...]:
    pairs = []
    allowed = component_statuses_for(kind)
    for item in _list(data):
        cid, status = _list(item, 2)
        if not isinstance(cid, str) or (known is not None and cid not in known) or \
                status not in allowed:
            raise _Wrong
        pairs.append((cid, status))
    return tuple(pairs)

