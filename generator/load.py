"""Read a status page repo's content files and validate them into a `Content` model.

Every problem is collected (not just the first) with file, line and a hint, so that
`heliograph check` can show them all in one run.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from generator.errors import ContentError, Problem, suggest
from generator.model import (
    COMPONENT_STATUSES,
    IMPACTS,
    INCIDENT_STATUSES,
    MAINTENANCE_STATUSES,
    TYPES,
    Component,
    Content,
    Group,
    Incident,
    Site,
    Update,
    Window,
)
from generator.timeutil import TimeError, get_zone, parse_timestamp
from generator.yamlsafe import Node, Seq, YamlError, load_yaml

MAX_FILE_BYTES = 1_000_000  # an incident is text; anything bigger is a mistake or an attack
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")

SITE_KEYS = (
    "title", "base_url", "timezone", "language", "description", "theme", "history_days",
    "feed_entries", "history_page_size", "brand_color", "logo",
)
GROUP_KEYS = ("id", "name", "description", "components")
COMPONENT_KEYS = ("id", "name", "description", "status", "status_note")
INCIDENT_KEYS = ("title", "type", "impact", "backfilled", "components", "updates", "window")
UPDATE_KEYS = ("at", "status", "message")
WINDOW_KEYS = ("start", "end")


@dataclass
class FileCheck:
    """Collects the problems of one file."""

    path: str
    problems: list[Problem] = field(default_factory=list)

    def error(self, line: int | None, message: str, hint: str = "",
              column: int | None = None) -> None:
        self.problems.append(Problem(self.path, line, column, message, hint))

    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)

    def unknown_keys(self, node: Node, allowed: Iterable[str], what: str) -> None:
        allowed = tuple(allowed)
        for key in node:
            if key not in allowed:
                hint = suggest(str(key), allowed) or f"allowed keys: {', '.join(allowed)}"
                self.error(node.line_of(key), f"unknown key '{key}' in {what}", hint)

    def text(self, node: Node, key: str, what: str, required: bool = False) -> str:
        value = node.get(key)
        if value is None:
            if required:
                self.error(node.line, f"{what} has no '{key}'", f"add '{key}: ...'")
            return ""
        if isinstance(value, (dict, list)):
            self.error(node.line_of(key), f"'{key}' of {what} must be text, not a "
                       f"{'mapping' if isinstance(value, dict) else 'list'}")
            return ""
        text = str(value).strip() if not isinstance(value, bool) else ""
        if isinstance(value, bool):
            self.error(node.line_of(key), f"'{key}' of {what} must be text",
                       "quote it, for example 'yes'")
        elif required and not text:
            self.error(node.line_of(key), f"'{key}' of {what} is empty", f"write a {key}")
        return text

    def choice(self, node: Node, key: str, choices: tuple[str, ...], what: str) -> str | None:
        value = node.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or value not in choices:
            hint = suggest(str(value), choices) or f"use one of: {', '.join(choices)}"
            self.error(node.line_of(key), f"unknown {what} '{value}'", hint)
            return None
        return value

    def timestamp(self, node: Node, key: str, zone: Any, what: str) -> datetime | None:
        value = node.get(key)
        if value is None:
            self.error(node.line, f"{what} has no '{key}'",
                       f"add '{key}: 2026-05-11T14:02:00Z' (ISO 8601)")
            return None
        try:
            return parse_timestamp(value, zone)
        except TimeError as exc:
            self.error(node.line_of(key), f"'{key}' of {what}: {exc}",
                       "write an ISO 8601 time such as 2026-05-11T14:02:00Z, or without 'Z' "
                       "for the site's time zone")
            return None


def read_text(path: Path, rel: str) -> tuple[str | None, list[Problem]]:
    """Read a UTF-8 file with a size limit; problems instead of exceptions."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, [Problem(rel, None, None,
                                  f"file is too large ({size:,} bytes, limit {MAX_FILE_BYTES:,})",
                                  "keep incident files to text; link to large material instead")]
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(rel, None, None, f"cannot read file: {exc.strerror}")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [Problem(rel, line, column, "file is not valid UTF-8",
                              "save the file with UTF-8 encoding")]
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n"), []


def _yaml_file(check: FileCheck, text: str, line_offset: int = 0) -> Any:
    try:
        return load_yaml(text, line_offset)
    except YamlError as exc:
        check.error(exc.line, exc.message, exc.hint, exc.column)
        return None


def _mapping(check: FileCheck, data: Any, what: str, line: int | None = 1) -> Node | None:
    if isinstance(data, Node):
        return data
    if data is None:
        check.error(line, f"{what} is empty", "see docs/content.md for the format")
    else:
        check.error(getattr(data, "line", line), f"{what} must be a mapping of keys to values",
                    "write 'key: value' lines")
    return None


# --- site.yaml ---------------------------------------------------------------------------

def load_site(source: Path, base_url: str | None = None) -> tuple[Site | None, list[Problem]]:
    rel = "content/site.yaml"
    check = FileCheck(rel)
    path = source / rel
    if not path.is_file():
        check.error(None, "site settings file is missing",
                    f"create {rel} with at least 'title:' (or run 'heliograph init')")
        return None, check.problems
    text, problems = read_text(path, rel)
    if text is None:
        return None, problems
    node = _mapping(check, _yaml_file(check, text), "site.yaml")
    if node is None:
        return None, check.problems
    check.unknown_keys(node, SITE_KEYS, "site.yaml")
    title = check.text(node, "title", "site.yaml", required=True)
    url = base_url if base_url is not None else check.text(node, "base_url", "site.yaml")
    url = url or "http://localhost/"
    if not re.match(r"^https?://[^/\s]+(/\S*)?$", url):
        check.error(node.line_of("base_url"), f"base_url '{url}' is not an absolute http(s) URL",
                    "write it like https://status.example.com/")
    url = url if url.endswith("/") else url + "/"
    tz_name = check.text(node, "timezone", "site.yaml") or "UTC"
    try:
        zone = get_zone(tz_name)
    except TimeError as exc:
        check.error(node.line_of("timezone"), str(exc),
                    "use an IANA name such as UTC, Europe/Berlin or America/New_York")
        zone = get_zone("UTC")
    language = check.text(node, "language", "site.yaml") or "en"
    if not LANGUAGE_RE.match(language):
        check.error(node.line_of("language"), f"language '{language}' is not a language code",
                    "use a code such as en or de")
    brand = check.text(node, "brand_color", "site.yaml")
    if brand and not COLOR_RE.match(brand):
        check.error(node.line_of("brand_color"), f"brand_color '{brand}' is not a #rrggbb colour",
                    "write it like '#1f6feb' (quoted, because # starts a YAML comment)")

    def positive(key: str, default: int, limit: int) -> int:
        value = node.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= limit:
            check.error(node.line_of(key), f"{key} must be a whole number from 1 to {limit}")
            return default
        return value

    site = Site(
        title=title,
        base_url=url,
        timezone=tz_name,
        zone=zone,
        language=language,
        description=check.text(node, "description", "site.yaml"),
        theme=check.text(node, "theme", "site.yaml") or "default",
        history_days=positive("history_days", 90, 3650),
        feed_entries=positive("feed_entries", 50, 10000),
        history_page_size=positive("history_page_size", 25, 1000),
        brand_color=brand,
        logo=check.text(node, "logo", "site.yaml"),
    )
    return (site if check.ok() else None), check.problems


# --- components.yaml ---------------------------------------------------------------------

def load_components(source: Path) -> tuple[tuple[Group, ...], tuple[Component, ...], list[Problem]]:
    rel = "content/components.yaml"
    check = FileCheck(rel)
    path = source / rel
    if not path.is_file():
        check.error(None, "components file is missing",
                    f"create {rel} with 'groups:' and/or 'components:'")
        return (), (), check.problems
    text, problems = read_text(path, rel)
    if text is None:
        return (), (), problems
    data = _yaml_file(check, text)
    if data is None and check.ok():
        return (), (), check.problems  # an empty file: a page with no components
    node = _mapping(check, data, "components.yaml")
    if node is None:
        return (), (), check.problems
    check.unknown_keys(node, ("groups", "components"), "components.yaml")
    seen: dict[str, int] = {}
    position = 0

    def claim_id(item: Node, what: str) -> str | None:
        value = item.get("id")
        if value is None:
            check.error(item.line, f"{what} has no 'id'", "add 'id: short-name' ([a-z0-9-])")
            return None
        if not isinstance(value, str) or not ID_RE.match(value):
            fixed = re.sub(r"[^a-z0-9]+", "-", str(value).lower()).strip("-") or "name"
            check.error(item.line_of("id"), f"{what} id '{value}' is not a valid id",
                        f"ids become URLs: use lowercase letters, digits and '-' "
                        f"(for example '{fixed}')")
            return None
        if value in seen:
            check.error(item.line_of("id"), f"duplicate id '{value}' (first used on line "
                        f"{seen[value]})", "every group and component needs its own id")
            return None
        seen[value] = item.line_of("id")
        return value

    def items(parent: Node, key: str, what: str) -> list[Node]:
        value = parent.get(key)
        if value is None:
            return []
        if not isinstance(value, Seq):
            check.error(parent.line_of(key), f"'{key}' must be a list", f"write each {what} "
                        "as a '- id: ...' item")
            return []
        result = []
        for index, item in enumerate(value):
            if isinstance(item, Node):
                result.append(item)
            else:
                check.error(value.line_of(index), f"each {what} must be a mapping",
                            "write '- id: ...' followed by 'name: ...'")
        return result

    def component(item: Node, group_id: str | None) -> Component | None:
        nonlocal position
        check.unknown_keys(item, COMPONENT_KEYS, "a component")
        cid = claim_id(item, "component")
        name = check.text(item, "name", f"component '{cid}'", required=True)
        status = check.choice(item, "status", COMPONENT_STATUSES, "component status")
        note = check.text(item, "status_note", f"component '{cid}'")
        if cid is None:
            return None
        position += 1
        return Component(cid, name, check.text(item, "description", f"component '{cid}'"),
                         group_id, position, status, note, item.line)

    groups: list[Group] = []
    for index, item in enumerate(items(node, "groups", "group"), start=1):
        check.unknown_keys(item, GROUP_KEYS, "a group")
        gid = claim_id(item, "group")
        name = check.text(item, "name", f"group '{gid}'", required=True)
        members = [c for c in (component(ci, gid) for ci in items(item, "components",
                                                                   "component")) if c]
        if "components" not in item:
            check.error(item.line, f"group '{gid}' has no 'components'",
                        "list its components under 'components:'")
        if gid is not None:
            groups.append(Group(gid, name, check.text(item, "description", f"group '{gid}'"),
                                index, tuple(members), item.line))
    ungrouped = [c for c in (component(ci, None) for ci in items(node, "components",
                                                                 "component")) if c]
    return tuple(groups), tuple(ungrouped), check.problems


# --- incidents/*.md ----------------------------------------------------------------------

def split_front_matter(check: FileCheck, text: str) -> tuple[str, str] | None:
    """Return (front matter, body) or None with a problem recorded."""
    if not text.strip():
        check.error(1, "file is empty", "start with '---', the front matter, then '---'")
        return None
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        check.error(1, "file does not start with '---'",
                    "put the YAML front matter between two '---' lines at the top")
        return None
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1:])
    check.error(len(lines), "front matter has no closing '---'",
                "add a line with just '---' after the front matter")
    return None


def load_incident(path: Path, rel: str, site: Site, component_ids: set[str],
                  now: datetime) -> tuple[Incident | None, list[Problem]]:
    check = FileCheck(rel)
    slug = path.name[:-3]
    if not SLUG_RE.match(slug):
        fixed = re.sub(r"[^a-z0-9_-]+", "-", slug.lower()).strip("-_") or "incident"
        check.error(None, f"file name '{path.name}' is not a safe URL slug",
                    f"rename it to '{fixed}.md' (lowercase letters, digits, '-' and '_')")
    text, problems = read_text(path, rel)
    if text is None:
        return None, problems
    parts = split_front_matter(check, text)
    if parts is None:
        return None, check.problems
    front, body = parts
    node = _mapping(check, _yaml_file(check, front, line_offset=1), "the front matter", 2)
    if node is None:
        return None, check.problems
    check.unknown_keys(node, INCIDENT_KEYS, "the front matter")
    title = check.text(node, "title", "the incident", required=True)
    kind = node.get("type", "incident")
    if kind not in TYPES:
        check.error(node.line_of("type"), f"unknown type '{kind}'",
                    suggest(str(kind), TYPES) or f"use one of: {', '.join(TYPES)}")
        kind = "incident"
    impact = check.choice(node, "impact", IMPACTS, "impact")
    if impact == "maintenance" and kind != "maintenance":
        check.error(node.line_of("impact"), "impact 'maintenance' is only for type maintenance",
                    "use none, minor, major or critical")
    if kind == "notice" and impact not in (None, "none"):
        check.error(node.line_of("impact"), "a notice has impact 'none'",
                    "remove 'impact', or make it an incident")
    backfilled = node.get("backfilled", False)
    if not isinstance(backfilled, bool):
        check.error(node.line_of("backfilled"), "'backfilled' must be true or false")
        backfilled = False

    components = _incident_components(check, node, kind, component_ids)
    window = _window(check, node, kind, site)
    updates = _updates(check, node, kind, site, now)
    if not check.ok():
        return None, check.problems
    return Incident(slug, rel, kind, title, impact, backfilled, components, updates, window,
                    body.strip("\n")), check.problems


def _incident_components(check: FileCheck, node: Node, kind: str,
                         known: set[str]) -> tuple[tuple[str, str], ...]:
    value = node.get("components")
    if value is None:
        return ()
    if kind == "notice":
        check.error(node.line_of("components"), "a notice affects no components",
                    "remove 'components', or make it an incident (type: incident)")
        return ()
    if not isinstance(value, Node):
        check.error(node.line_of("components"), "'components' must map component ids to "
                    "statuses", "write for example 'components: {api: partial_outage}'")
        return ()
    result = []
    for cid, status in value.items():
        line = value.line_of(cid)
        if cid not in known:
            hint = suggest(str(cid), known) or (f"known ids: {', '.join(sorted(known))}"
                                                if known else "add it to components.yaml")
            check.error(line, f"unknown component id '{cid}'", hint)
            continue
        if status not in COMPONENT_STATUSES:
            hint = suggest(str(status), COMPONENT_STATUSES) or \
                f"use one of: {', '.join(COMPONENT_STATUSES)}"
            check.error(line, f"unknown component status '{status}' for '{cid}'", hint)
            continue
        result.append((cid, status))
    return tuple(result)


def _window(check: FileCheck, node: Node, kind: str, site: Site) -> Window | None:
    value = node.get("window")
    if kind != "maintenance":
        if value is not None:
            check.error(node.line_of("window"), f"only a maintenance has a window, not {kind}",
                        "add 'type: maintenance', or remove 'window'")
        return None
    if value is None:
        check.error(node.line, "a maintenance needs a 'window'",
                    "add 'window: {start: 2026-06-01T02:00:00Z, end: 2026-06-01T04:00:00Z}'")
        return None
    if not isinstance(value, Node):
        check.error(node.line_of("window"), "'window' must have 'start' and 'end'",
                    "write 'window: {start: ..., end: ...}'")
        return None
    check.unknown_keys(value, WINDOW_KEYS, "the window")
    start = check.timestamp(value, "start", site.zone, "the window")
    end = check.timestamp(value, "end", site.zone, "the window")
    if start is None or end is None:
        return None
    if end <= start:
        check.error(value.line_of("end"), "the window ends before it starts",
                    "'end' must be later than 'start'")
        return None
    return Window(start, end)


def _updates(check: FileCheck, node: Node, kind: str, site: Site,
             now: datetime) -> tuple[Update, ...]:
    value = node.get("updates")
    statuses = MAINTENANCE_STATUSES if kind == "maintenance" else INCIDENT_STATUSES
    if not isinstance(value, Seq) or not value:
        first = statuses[0]
        check.error(node.line_of("updates") if value is not None else node.line,
                    "'updates' must be a list with at least one update",
                    f"add 'updates:' with '- at: ...', 'status: {first}', 'message: ...'")
        return ()
    result: list[Update] = []
    resolved_line: int | None = None
    for index, item in enumerate(value):
        line = value.line_of(index)
        what = f"update {index + 1}"
        if not isinstance(item, Node):
            check.error(line, f"{what} must be a mapping with at, status and message")
            continue
        check.unknown_keys(item, UPDATE_KEYS, what)
        at = check.timestamp(item, "at", site.zone, what)
        status = item.get("status")
        if status is None:
            check.error(item.line, f"{what} has no 'status'",
                        f"use one of: {', '.join(statuses)}")
        elif status not in statuses:
            other = INCIDENT_STATUSES if kind == "maintenance" else MAINTENANCE_STATUSES
            hint = suggest(str(status), statuses) or f"use one of: {', '.join(statuses)}"
            if status in other:
                owner = "incidents" if kind == "maintenance" else "maintenance"
                hint = f"'{status}' is for {owner}; a {kind} uses: {', '.join(statuses)}"
            check.error(item.line_of("status"), f"unknown {kind} status '{status}'", hint)
            status = None
        message = check.text(item, "message", what, required=True)
        if at is not None and at > now:
            check.error(item.line_of("at"), f"{what} is in the future ({at:%Y-%m-%d %H:%M} UTC, "
                        f"now is {now:%Y-%m-%d %H:%M} UTC)",
                        "updates record what already happened; only a maintenance window may "
                        "be in the future (check the time zone)")
        if result and at is not None and at < result[-1].at:
            check.error(item.line_of("at"), f"{what} is earlier than the update before it",
                        "list updates oldest first, in time order")
        if status is not None and kind != "maintenance":
            if resolved_line is not None and status != "postmortem":
                check.error(item.line_of("status"), f"{what} ('{status}') comes after the "
                            f"incident was resolved (line {resolved_line})",
                            "after 'resolved' only a 'postmortem' update may follow; to reopen, "
                            "declare a new incident")
            if status == "resolved" and resolved_line is None:
                resolved_line = item.line_of("status")
            if status == "postmortem" and resolved_line is None:
                check.error(item.line_of("status"), f"{what} is a postmortem before the "
                            "incident was resolved", "add a 'resolved' update before it")
        if at is not None and status is not None and message:
            result.append(Update(at, status, message, item.line))
    return tuple(result)


# --- the whole repo ----------------------------------------------------------------------

def incident_files(source: Path) -> list[Path]:
    folder = source / "content" / "incidents"
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix == ".md" and not p.name.startswith("."))


def load_content(source: Path, now: datetime | Callable[[tzinfo], datetime],
                 base_url: str | None = None) -> Content:
    """Load and validate everything; raise ContentError listing every error found.

    `now` may be a function of the site's time zone (a naive --now is local time).
    """
    site, problems = load_site(source, base_url)
    if site is not None and callable(now):
        try:
            now = now(site.zone)
        except TimeError as exc:
            hint = "give --now as ISO 8601, e.g. 2026-05-11T14:02:00Z"
            raise ContentError([Problem("--now", None, None, str(exc), hint)]) from None
    groups, ungrouped, component_problems = load_components(source)
    problems += component_problems
    known = {c.id for g in groups for c in g.components} | {c.id for c in ungrouped}
    incidents: list[Incident] = []
    if site is not None:
        for path in incident_files(source):
            incident, found = load_incident(path, f"content/incidents/{path.name}", site,
                                            known, now)  # type: ignore[arg-type]
            problems += found
            if incident is not None:
                incidents.append(incident)
    if problems or site is None:
        raise ContentError(problems)
    incidents.sort(key=lambda i: i.slug, reverse=True)
    incidents.sort(key=lambda i: i.sort_time, reverse=True)
    return Content(site, groups, ungrouped, tuple(incidents))
