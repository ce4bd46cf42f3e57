"""A cState (Hugo) status page: `config.yml` (params.categories and params.systems) and
`content/issues/*.md` (front matter, and the `{{< track "TIME" >}}` updates in the body).

cState's times carry no zone by convention (its documentation asks for UTC); they are
read as UTC, and the site is created in UTC.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

from generator.commands.authoring import default_message
from generator.content.fields import FileCheck
from generator.content.load import split_front_matter
from generator.content.model import INCIDENT_STATUSES
from generator.content.timeutil import TimeError, get_zone, parse_timestamp
from generator.content.yamlsafe import source_text
from generator.errors import ContentError
from generator.importers.model import (
    Ids,
    Imported,
    ImportedComponent,
    ImportedEntry,
    ImportedGroup,
    ImportedSite,
    ImportedUpdate,
    Unmapped,
    clean,
    clean_body,
    clean_message,
    clean_title,
    import_error,
    parse_yaml,
    read_bounded,
    read_yaml,
    utc,
)
from generator.importers.statuspage import PLACEHOLDER_URL, site_url

CONFIG_NAMES = ("config.yml", "config.yaml", "hugo.yml", "hugo.yaml")
MAX_ISSUES = 5_000
MAX_ISSUE_BYTES = 1_000_000
SEVERITY = {"down": "major_outage", "disrupted": "partial_outage",
            "notice": "degraded_performance"}
# Front matter cState reads that has a place in Heliograph's files (or is Hugo's own).
KNOWN = {"title", "date", "resolved", "resolvedWhen", "severity", "affected", "section",
         "informational", "lastmod", "draft"}
TRACK = re.compile(r"\{\{<\s*track\s+\"([^\"]{1,60})\"\s*>\}\}")
LEAD = re.compile(r"\s*(\*{1,2})([^*\n]{1,40})\1\s*[-–—:]?\s*")
UTC = get_zone("UTC")


def _text(value: Any) -> str:
    text = source_text(value)
    return text if text is not None else ""


def _config(folder: Path) -> tuple[Path, Any]:
    for name in CONFIG_NAMES:
        if (folder / name).is_file():
            return folder / name, read_yaml(folder / name, name)
    if (folder / "config.toml").is_file() or (folder / "hugo.toml").is_file():
        raise import_error(str(folder), "the Hugo configuration is TOML",
                           "convert it to config.yml (the same keys), then import again")
    raise import_error(str(folder), "no config.yml: is this a cState site?",
                       "give the folder that holds cState's config.yml and content/issues/")


def _components(params: dict[str, Any], unmapped: list[Unmapped]
                ) -> tuple[tuple[ImportedGroup, ...], tuple[ImportedComponent, ...],
                           dict[str, str]]:
    """Categories become groups (an untitled one: no group), systems their components."""
    ids = Ids()
    categories: dict[str, tuple[str, str, bool]] = {}
    for n, item in enumerate(params.get("categories") or []):
        if not isinstance(item, dict) or not _text(item.get("name")):
            unmapped.append(Unmapped(f"config.yml params.categories {n + 1}",
                                     "has no name; left out"))
            continue
        name = clean_title(_text(item["name"]))
        categories.setdefault(name, (name, clean(_text(item.get("description")), 2000),
                                     item.get("untitled") is True))
        if item.get("closed") is True:
            unmapped.append(Unmapped(f"config.yml category '{name}' closed",
                                     "groups are always open in Heliograph"))
    members: dict[str, list[ImportedComponent]] = {name: [] for name in categories}
    ungrouped: list[ImportedComponent] = []
    by_name: dict[str, str] = {}
    for n, item in enumerate(params.get("systems") or []):
        where = f"config.yml params.systems {n + 1}"
        if isinstance(item, str):
            item = {"name": item}
        if not isinstance(item, dict) or not _text(item.get("name")):
            unmapped.append(Unmapped(where, "has no name; left out"))
            continue
        name = clean_title(_text(item["name"]))
        if name in by_name:
            unmapped.append(Unmapped(where, f"a second system named '{name}'; left out"))
            continue
        component = ImportedComponent(ids.make(name, "component"), name,
                                      clean(_text(item.get("description")), 2000))
        by_name[name] = component.id
        if "link" in item:
            unmapped.append(Unmapped(f"{where} link", "components have no link in Heliograph"))
        category = clean_title(_text(item.get("category")))
        if category in members and not categories[category][2]:
            members[category].append(component)
        else:
            if category and category not in members:
                unmapped.append(Unmapped(f"{where} category", f"no category '{category}'; "
                                         "listed without a group"))
            ungrouped.append(component)
    groups = tuple(ImportedGroup(ids.make(name, "group"), name, description,
                                 tuple(members[name]))
                   for name, description, untitled in categories.values()
                   if members[name] and not untitled)
    return groups, tuple(ungrouped), by_name


def _time(value: Any, where: str) -> datetime:
    try:
        return utc(parse_timestamp(_text(value) or value, UTC))
    except TimeError as exc:
        raise ValueError(f"{where}: {exc}") from None


def _updates(body: str, where: str, unmapped: list[Unmapped]
             ) -> tuple[list[tuple[datetime, str, str]], str]:
    """The tracked updates (time, status word, message) and the rest of the body."""
    updates, rest = [], []
    for paragraph in re.split(r"\n\s*\n", body):
        track = TRACK.search(paragraph)
        if not track:
            rest.append(paragraph)
            continue
        at = _time(track[1], f"{where} track")
        message = TRACK.sub("", paragraph).strip()
        lead = LEAD.match(message)
        word = ""
        if lead:
            word = lead[2].strip()
            message = message[lead.end():].strip()
        updates.append((at, word, message))
    updates.sort(key=lambda row: row[0])
    return updates, "\n\n".join(p.strip("\n") for p in rest if p.strip())


def _status(word: str, previous: str, where: str, unmapped: list[Unmapped]) -> str:
    status = word.lower().replace(" ", "_")
    if status in INCIDENT_STATUSES:
        return status
    if word:
        unmapped.append(Unmapped(f"{where} '*{word}*'", f"not an incident status; the update "
                                 f"keeps '{previous}' and starts with the word"))
    return previous


def _issue(path: Path, components: dict[str, str], unmapped: list[Unmapped]
           ) -> ImportedEntry | None:
    where = f"content/issues/{path.name}"
    text = clean(read_bounded(path, where, MAX_ISSUE_BYTES).decode("utf-8", "replace"),
                 MAX_ISSUE_BYTES)
    if text.startswith("+++"):
        unmapped.append(Unmapped(where, "TOML front matter ('+++'); not imported"))
        return None
    check = FileCheck(where)
    parts = split_front_matter(check, text)
    if parts is None:
        unmapped.append(Unmapped(where, f"{check.problems[0].message}; not imported"))
        return None
    meta = parse_yaml(parts[0].encode(), where, 1)
    if not isinstance(meta, dict):
        unmapped.append(Unmapped(where, "the front matter is not a mapping; not imported"))
        return None
    if meta.get("draft") is True:
        unmapped.append(Unmapped(f"{where} draft", "a draft; not imported"))
        return None
    for key in sorted(set(map(str, meta)) - KNOWN):
        reason = "Heliograph has no pinned entries" if key == "pin" else "no such field"
        unmapped.append(Unmapped(f"{where} {key}", reason))
    title = clean_title(_text(meta.get("title"))) or path.stem
    try:
        started = _time(meta.get("date"), f"{where} date")
        tracked, rest = _updates(parts[1], where, unmapped)
        resolved_at = _time(meta["resolvedWhen"], f"{where} resolvedWhen") \
            if meta.get("resolved") is True and meta.get("resolvedWhen") else None
    except ValueError as exc:
        unmapped.append(Unmapped(str(exc), "not a time; not imported"))
        return None
    notice = meta.get("informational") is True
    affected = meta.get("affected") or []
    status_of = SEVERITY.get(_text(meta.get("severity")), "")
    chosen: list[tuple[str, str]] = []
    if notice and affected:
        unmapped.append(Unmapped(f"{where} affected", "an informational issue is a notice, "
                                 "which affects no components"))
    elif not notice:
        if not status_of and affected:
            unmapped.append(Unmapped(f"{where} severity", f"'{_text(meta.get('severity'))}' "
                                     "is not down, disrupted or notice; partial_outage used"))
            status_of = "partial_outage"
        for name in affected if isinstance(affected, list) else [affected]:
            cid = components.get(clean_title(_text(name)))
            if cid is None:
                unmapped.append(Unmapped(f"{where} affected", f"no system named "
                                         f"'{clean_title(_text(name))[:60]}'; left out"))
            elif cid not in dict(chosen):
                chosen.append((cid, status_of))
    updates: list[ImportedUpdate] = []
    previous = "investigating"
    if not tracked:  # the whole text is the one update, at the issue's date
        tracked = [(started, "", rest)]
        rest = ""
    for at, word, message in tracked:
        status = _status(word, previous, where, unmapped)
        if status == previous and word and word.lower().replace(" ", "_") != status:
            message = f"*{word}* - {message}"
        if updates and updates[-1].status in ("resolved", "postmortem") \
                and status != "postmortem":
            unmapped.append(Unmapped(f"{where} track {at.isoformat()}", f"a '{status}' update "
                                     "after 'resolved'; left out"))
            continue
        message = clean_message(message, f"{where} track {at.isoformat()}", unmapped) \
            or default_message("incident", status)
        updates.append(ImportedUpdate(at, status, message))
        previous = status
    if resolved_at and not any(u.status == "resolved" for u in updates):
        at = max(resolved_at, updates[-1].at)
        updates.append(ImportedUpdate(at, "resolved", default_message(
            "notice" if notice else "incident", "resolved")))
    return ImportedEntry("notice" if notice else "incident", title, tuple(updates),
                         tuple(chosen), body=clean_body(rest, f"{where} body", unmapped),
                         note=f"issues/{path.stem}", origin=where, slug=path.stem)


def run(source: str) -> Imported:
    folder = Path(source)
    config_path, config = _config(folder)
    if not isinstance(config, dict):
        raise import_error(config_path.name, "is not a mapping of settings")
    params = config.get("params") or {}
    if not isinstance(params, dict):
        raise import_error(config_path.name, "'params' is not a mapping")
    unmapped: list[Unmapped] = []
    groups, ungrouped, names = _components(params, unmapped)
    url = site_url(_text(config.get("baseURL") or config.get("baseurl")), "config.yml baseURL",
                   unmapped)
    site = ImportedSite(clean_title(_text(config.get("title"))) or "Status", url, "UTC")
    issues = folder / "content" / "issues"
    found = sorted(issues.glob("*.md")) if issues.is_dir() else []
    # A link may lead anywhere on the machine that runs the import: not read, but said.
    paths = [p for p in found if p.is_file() and not p.is_symlink()]
    unmapped += [Unmapped(f"content/issues/{p.name}", "a symbolic link; not read")
                 for p in found if p.is_symlink()]
    if len(paths) > MAX_ISSUES:
        raise import_error(str(issues), f"more than {MAX_ISSUES:,} issues")
    entries = []
    for path in paths:
        try:
            entry = _issue(path, names, unmapped)
        except ContentError as exc:  # an issue's YAML: that issue is left out, not the site
            problem = exc.problems[0]
            unmapped.append(Unmapped(f"{problem.file}:{problem.line}", f"{problem.message}; "
                                     "not imported"))
            continue
        if entry is not None:
            entries.append(entry)
    notes: tuple[str, ...] = (
        "cState's times have no time zone; they were read as UTC, as cState's documentation "
        "asks. Site-wide settings other than the title and baseURL (colours, logo, "
        "description) are not imported.",)
    if url == PLACEHOLDER_URL:
        notes += ("Set base_url in content/site.yaml.",)
    return Imported("cState", site, groups, ungrouped, tuple(entries), tuple(unmapped), notes)
