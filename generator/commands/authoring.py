"""What `heliograph new`, `update` and `resolve` share: validating a candidate incident
file with the build's own loader, writing it atomically, YAML scalars and terminal prompts.

Nothing here round-trips a file through a YAML dumper: authors' files are edited as text.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TextIO

from generator.content.load import (
    clean_text,
    load_components,
    load_incident,
    load_site,
    not_a_repo,
    parse_incident,
)
from generator.content.model import (
    COMPONENT_STATUSES,
    Component,
    Incident,
    Site,
    component_statuses_for,
    statuses_for,
)
from generator.content.timeutil import TimeError, iso, parse_timestamp, utc_now
from generator.content.yamlsafe import YamlError, load_yaml
from generator.errors import ContentError, Problem, suggest

INCIDENTS_DIR = Path("content") / "incidents"


def user_error(where: str, message: str, hint: str = "") -> ContentError:
    """A mistake in the command line, reported like a content problem (exit 1)."""
    return ContentError([Problem(where, None, None, message, hint)])


CLOCK_TIME = re.compile(r"(\d{1,2}):(\d{2})(:\d{2})?")


def parse_time(value: str, site: Site, flag: str, now: datetime | None = None) -> datetime:
    """A command-line time: ISO 8601; without an offset it is the site's local time, and a
    time of day alone (14:05) is today's, in the site's time zone."""
    clock = CLOCK_TIME.fullmatch(value.strip())
    if clock:
        today = (now or utc_now()).astimezone(site.zone).date().isoformat()
        value = f"{today}T{int(clock[1]):02d}:{clock[2]}{clock[3] or ''}"
    try:
        return parse_timestamp(value, site.zone).replace(microsecond=0)
    except TimeError as exc:
        raise user_error(flag, str(exc), "write it like 2026-05-11T14:02:00Z, or without 'Z' "
                         f"for local time in {site.timezone}, or 14:02 for today") from None


@dataclass(frozen=True)
class Repo:
    """The parts of a status page repo an author command needs, validated."""

    source: Path
    site: Site
    components: tuple[Component, ...]

    @property
    def component_ids(self) -> set[str]:
        return {c.id for c in self.components}

    @property
    def incidents_dir(self) -> Path:
        return self.source / INCIDENTS_DIR

    def rel(self, path: Path) -> str:
        return (INCIDENTS_DIR / path.name).as_posix()


def open_repo(source: Path) -> Repo:
    """Load site.yaml and components.yaml; an author command cannot check a file without them."""
    if missing := not_a_repo(source):
        raise ContentError(missing)
    site, problems = load_site(source)
    groups, ungrouped, more = load_components(source)
    problems += more
    if site is None or problems:
        raise ContentError(problems)
    components = tuple(c for g in groups for c in g.components) + ungrouped
    return Repo(source, site, components)


def validate(repo: Repo, name: str, text: str, now: datetime) -> Incident:
    """Load `text` as content/incidents/<name> with the build's loader; raise on any error,
    with exactly the slug, lines and messages a build would report."""
    rel = (INCIDENTS_DIR / name).as_posix()
    clean, problems = clean_text(text, rel)
    if clean is None:
        raise ContentError(problems)
    return _valid(*parse_incident(name, rel, clean, repo.site, repo.component_ids, now))


def load_existing(repo: Repo, path: Path, now: datetime) -> Incident:
    """An incident file as the build reads it; its problems are errors to fix first."""
    return _valid(*load_incident(path, repo.rel(path), repo.site, repo.component_ids, now))


def _valid(incident: Incident | None, problems: list[Problem]) -> Incident:
    if incident is None or problems:
        raise ContentError(problems)
    return incident


def _fsync_write(handle: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(handle, view):]
    os.fsync(handle)


def temp_sibling(folder: Path, name: str, data: bytes) -> Path:
    # A hidden name: the loader skips dotfiles, so a crash never leaves a broken incident.
    handle, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    try:
        _fsync_write(handle, data)
    finally:
        os.close(handle)
    return Path(tmp)


def create_unique(folder: Path, stem: str, data: bytes) -> Path:
    """Write `<stem>.md`, or `<stem>-2.md`, ...; never replaces an existing file."""
    folder.mkdir(parents=True, exist_ok=True)
    tmp = temp_sibling(folder, stem, data)
    os.chmod(tmp, 0o644)
    try:
        for number in range(1, 1000):
            path = folder / (f"{stem}.md" if number == 1 else f"{stem}-{number}.md")
            try:
                os.link(tmp, path)  # atomic, and fails if the name is taken
                return path
            except FileExistsError:
                continue
        raise user_error(str(folder), f"too many files named {stem}-N.md",
                         "choose a different title")
    finally:
        tmp.unlink(missing_ok=True)


def replace_file(path: Path, expected: bytes, data: bytes) -> None:
    """Atomically replace `path` with `data`, unless someone changed it since we read it."""
    tmp = temp_sibling(path.parent, path.name, data)
    try:
        os.chmod(tmp, path.stat().st_mode & 0o7777)
        if path.read_bytes() != expected:
            raise user_error(str(path), "the file changed while heliograph was editing it",
                             "run the command again")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


# --- YAML scalars ------------------------------------------------------------------------

def _loads_as(snippet: str, text: str) -> bool:
    try:
        data = load_yaml(snippet)
    except YamlError:
        return False
    return isinstance(data, dict) and data.get("k") == text


def yaml_scalar(text: str, indent: int) -> str:
    """`text` as a YAML value to write after `key: `, for a key at column `indent`.

    Plain when that reads back as the same text, a literal block for several lines,
    else a double-quoted string (which can hold anything).
    """
    if "\n" not in text and _loads_as(f"k: {text}", text):
        return text
    if "\n" in text and not text[:1].isspace() and not text.endswith("\n"):
        pad = " " * (indent + 2)
        block = "\n".join(pad + line if line else "" for line in text.split("\n"))
        # The usual '|' keeps one final newline, which the loader strips again.
        if _loads_as("k: |\n" + block.replace("\n" + pad, "\n  ").replace(pad, "  ", 1)
                     + "\n", text + "\n"):
            return "|\n" + block
    return double_quoted(text)


# Characters YAML allows in a document as they are, minus its line breaks (\x85, \u2028,
# \u2029 and the byte order mark, which would not survive a double-quoted string). Written
# as what is excluded: the same set, compiled in 1 ms rather than 10 ms.
_PRINTABLE = re.compile("[^\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\0": "\\0"}


# One update as written: when, status, message, and the component statuses it sets.
UpdateLines = tuple[datetime, str, str, tuple[tuple[str, str], ...]]


def front_matter(title: str, kind: str, updates: list[UpdateLines], *, impact: str | None = None,
                 backfilled: bool = False, window: tuple[datetime, datetime] | None = None,
                 until: datetime | None = None,
                 components: tuple[tuple[str, str], ...] = ()) -> list[str]:
    """An entry's front matter (between the '---' lines), in the order docs/content.md
    writes it: what `new` and `import` write alike."""
    lines = [f"title: {yaml_scalar(title, 0)}"]
    if kind != "incident":
        lines.append(f"type: {kind}")
    if impact:
        lines.append(f"impact: {impact}")
    if backfilled:
        lines.append("backfilled: true")
    if window:
        lines += ["window:", f"  start: {iso(window[0])}", f"  end: {iso(window[1])}"]
    if until:
        lines.append(f"until: {iso(until)}")
    if components:
        lines.append("components:")
        lines += [f"  {cid}: {status}" for cid, status in components]
    lines.append("updates:")
    for at, status, message, changes in updates:
        lines += [f"  - at: {iso(at)}", f"    status: {status}",
                  f"    message: {yaml_scalar(message, 4)}"]
        if changes:
            lines.append("    components:")
            lines += [f"      {cid}: {new}" for cid, new in changes]
    return lines


def overwrite(path: Path, data: bytes) -> None:
    """Replace `path` with `data` at once; a symbolic link there is itself replaced, never
    written through."""
    tmp = temp_sibling(path.parent, path.name, data)
    try:
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def double_quoted(text: str) -> str:
    """A YAML double-quoted scalar for any text (YAML's escapes, not JSON's)."""
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif _PRINTABLE.match(char):
            out.append(char)
        elif ord(char) <= 0xFF:
            out.append(f"\\x{ord(char):02x}")
        elif ord(char) <= 0xFFFF:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(f"\\U{ord(char):08x}")
    return '"' + "".join(out) + '"'


def parse_component(value: str, kind: str, repo: Repo) -> tuple[str, str]:
    """One --component ID=STATUS (a maintenance's STATUS defaults to under_maintenance)."""
    if kind == "notice":
        raise user_error("--component", "a notice affects no components",
                         "make it an incident, or leave out --component")
    cid, sep, status = value.partition("=")
    cid, status = cid.strip(), status.strip()
    if not sep:
        if kind != "maintenance":
            raise user_error("--component", f"'{value}' has no status",
                             f"write it as ID=STATUS, e.g. {cid}=partial_outage")
        status = "under_maintenance"
    if cid not in repo.component_ids:
        known = sorted(repo.component_ids)
        raise user_error("--component", f"unknown component id '{cid}'",
                         suggest(cid, known) or f"known ids: {', '.join(known) or 'none'}")
    allowed = component_statuses_for(kind)
    if status in COMPONENT_STATUSES and status not in allowed:
        raise user_error("--component", f"'{status}' is not a component status for "
                         f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}",
                         f"'{status}' is for maintenance; use one of: {', '.join(allowed)}")
    if status not in allowed:
        raise user_error("--component", f"unknown component status '{status}' for '{cid}'",
                         suggest(status, allowed) or f"use one of: {', '.join(allowed)}")
    return cid, status


def check_status(status: str, kind: str, flag: str = "--status") -> str:
    allowed = statuses_for(kind)
    if status not in allowed:
        article = "an" if kind[0] in "aeiou" else "a"
        hint = suggest(status, allowed) or f"{article} {kind} uses: {', '.join(allowed)}"
        raise user_error(flag, f"'{status}' is not {article} {kind} status", hint)
    return status


# --- prompts -----------------------------------------------------------------------------

class Cancelled(Exception):
    """The author closed the input (Ctrl-D) in the middle of the questions."""


class Prompter:
    """Questions on the terminal; they go to stderr so stdout stays the command's result."""

    def __init__(self, stdin: TextIO | None = None, stderr: TextIO | None = None):
        self.stdin = stdin or sys.stdin
        self.out = stderr or sys.stderr

    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def ask(self, question: str, default: str = "") -> str:
        shown = f"{question} [{default}]: " if default else f"{question}: "
        print(shown, end="", file=self.out, flush=True)
        line = self.stdin.readline()
        if not line:
            raise Cancelled
        return line.strip() or default

    def required(self, question: str, default: str = "") -> str:
        for _ in range(5):
            answer = self.ask(question, default)
            if answer:
                return answer
            self.say("  (this one is needed)")
        raise Cancelled

    def yes(self, question: str, default: bool = False) -> bool:
        """Yes or no; anything else is asked again (a typed sentence is not a "no")."""
        for _ in range(5):
            answer = self.ask(question + (" (Y/n)" if default else " (y/N)")).lower()
            if not answer:
                return default
            if answer in ("y", "yes", "n", "no"):
                return answer.startswith("y")
            self.say("  please answer y or n")
        raise Cancelled

    def choice(self, question: str, choices: tuple[str, ...], default: str) -> str:
        """One of `choices`, by name, unique prefix or number."""
        for number, value in enumerate(choices, start=1):
            self.say(f"  {number}. {value}")
        for _ in range(5):
            answer = self.ask(question, default)
            picked = pick(answer, choices)
            if picked:
                return picked
            self.say(f"  '{answer}' is not one of them; type a number or a name")
        raise Cancelled


def pick(answer: str, choices: tuple[str, ...]) -> str | None:
    if answer.isdigit() and 1 <= int(answer) <= len(choices):
        return choices[int(answer) - 1]
    if answer in choices:
        return answer
    matches = [c for c in choices if c.startswith(answer)] if answer else []
    return matches[0] if len(matches) == 1 else None


def interactive() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


# What an update says when the author gives no message (Statuspage-like wording).
DEFAULT_MESSAGES = {
    "investigating": "We are investigating this issue and will post an update soon.",
    "identified": "We have identified the cause and are working on a fix.",
    "monitoring": "A fix has been applied and we are monitoring the results.",
    "resolved": "This incident has been resolved.",
    "postmortem": "We have published a postmortem of this incident below.",
    "scheduled": "This maintenance is scheduled for the window shown.",
    "in_progress": "The scheduled maintenance is in progress.",
    "verifying": "The maintenance work is done and we are verifying the results.",
    "completed": "The scheduled maintenance has been completed.",
}


def default_message(kind: str, status: str) -> str:
    if kind == "notice" and status == "resolved":
        return "This notice is no longer in effect."
    return DEFAULT_MESSAGES[status]
