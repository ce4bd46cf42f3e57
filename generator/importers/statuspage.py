"""Atlassian Statuspage's public api/v2 JSON (a saved folder, or fetched from a page URL)
as Heliograph content. The shapes are those docs/api-research.md describes.

Every value is checked for its type before use: the input is a stranger's JSON.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from generator.commands.authoring import default_message
from generator.content.model import (
    COMPONENT_STATUSES,
    IMPACTS,
    INCIDENT_STATUSES,
    MAINTENANCE_STATUSES,
)
from generator.content.timeutil import TimeError, get_zone
from generator.importers.model import (
    MAX_INPUT_BYTES,
    Ids,
    Imported,
    ImportedComponent,
    ImportedEntry,
    ImportedGroup,
    ImportedSite,
    ImportedUpdate,
    Unmapped,
    aware_time,
    clean,
    clean_body,
    clean_message,
    clean_title,
    import_error,
    read_bounded,
)

FILES = ("summary.json", "components.json", "incidents.json", "scheduled-maintenances.json")
FETCH_SECONDS = 20  # per request: a slow or silent server cannot hang the import
MAX_ENTRIES = 10_000
PLACEHOLDER_URL = "https://status.example.com/"
_SOURCE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")

Json = dict[str, Any]


class Shape(Exception):
    """The JSON is not what Statuspage writes."""


# --- reading -----------------------------------------------------------------------------

def _decode(data: bytes, where: str) -> Any:
    try:
        return json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise import_error(where, f"not valid JSON ({exc})") from None
    except RecursionError:
        raise import_error(where, "not valid JSON (nested too deeply)") from None


def read_folder(folder: Path) -> dict[str, Any]:
    """A saved copy of api/v2: the files it has (a built site's folder works too)."""
    if (folder / "api" / "v2").is_dir():
        folder = folder / "api" / "v2"
    if not folder.is_dir():
        raise import_error(str(folder), "no such folder",
                           "give a folder holding a saved copy of api/v2 (components.json, "
                           "incidents.json, ...) or a page URL (https://...)")
    found = {}
    for name in FILES:
        path = folder / name
        if path.is_file():
            found[name] = _decode(read_bounded(path, str(path)), str(path))
    if not found:
        raise import_error(str(folder), f"has none of {', '.join(FILES)}",
                           "save the page's api/v2/ files there")
    return found


class _HttpOnly(urllib.request.HTTPRedirectHandler):
    """Follow redirects to http(s) addresses only."""

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any,
                         newurl: str) -> Any:
        if urlsplit(newurl).scheme not in ("http", "https"):
            raise urllib.error.HTTPError(newurl, code, "redirect to a non-HTTP address",
                                         headers, fp)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch(url: str, limit: int = MAX_INPUT_BYTES) -> bytes:
    """GET `url`: `timeout` seconds for the whole answer (a server that trickles bytes is
    cut off too) and at most `limit` bytes."""
    opener = urllib.request.build_opener(_HttpOnly)
    request = urllib.request.Request(url, headers={"Accept": "application/json",
                                                  "User-Agent": "heliograph-import"})
    timeout = FETCH_SECONDS
    deadline = time.monotonic() + timeout
    chunks: list[bytes] = []
    size = 0
    try:
        with opener.open(request, timeout=timeout) as response:
            while size <= limit:
                if time.monotonic() > deadline:
                    raise import_error(url, f"no complete answer within {timeout:g} s")
                chunk = response.read1(65536)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
    except urllib.error.HTTPError as exc:
        raise import_error(url, f"the server answered HTTP {exc.code}") from None
    except (TimeoutError, urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise import_error(url, f"cannot fetch it: {reason}") from None
    if size > limit:
        raise import_error(url, f"larger than the limit of {limit:,} bytes")
    return b"".join(chunks)


def read_url(url: str) -> dict[str, Any]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise import_error(url, "not an http(s) address")
    base = url.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    base = base.removesuffix("/api/v2")
    found: dict[str, Any] = {}
    for name in FILES:
        address = f"{base}/api/v2/{name}"
        found[name] = _decode(fetch(address), address)
    return found


def read_source(source: str) -> dict[str, Any]:
    if re.match(r"https?://", source, re.IGNORECASE):
        return read_url(source)
    return read_folder(Path(source))


# --- shapes ------------------------------------------------------------------------------

def _obj(value: Any, where: str) -> Json:
    if not isinstance(value, dict):
        raise Shape(f"{where} is not an object")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise Shape(f"{where} is not a list")
    if len(value) > MAX_ENTRIES:
        raise Shape(f"{where} has more than {MAX_ENTRIES:,} items")
    return value


def _str(obj: Json, key: str, where: str, default: str | None = None) -> str:
    value = obj.get(key)
    if value is None and default is not None:
        return default
    if not isinstance(value, str):
        raise Shape(f"'{key}' of {where} is not text")
    return value


def _time(obj: Json, key: str, where: str) -> datetime | None:
    value = obj.get(key)
    if value is None:
        return None
    try:
        return aware_time(value, f"'{key}' of {where}")
    except ValueError as exc:
        raise Shape(str(exc)) from None


def _source_id(obj: Json, where: str) -> str:
    value = obj.get("id")
    if not isinstance(value, str) or not _SOURCE_ID.fullmatch(value):
        raise Shape(f"{where} has no usable 'id' (letters, digits, '-' or '_')")
    return value


# --- components --------------------------------------------------------------------------

@dataclass(frozen=True)
class _Components:
    groups: tuple[ImportedGroup, ...]
    ungrouped: tuple[ImportedComponent, ...]
    ids: dict[str, str]  # Statuspage id -> Heliograph id (components, not groups)
    current: dict[str, str]  # Heliograph id -> status now


def _position(item: Json) -> int:
    value = item.get("position")
    return value if isinstance(value, int) and not isinstance(value, bool) else 1 << 30


def _components(items: list[Any], where: str, unmapped: list[Unmapped]) -> _Components:
    objects = [_obj(item, f"{where}: component {n + 1}") for n, item in enumerate(items)]
    order = sorted(range(len(objects)), key=lambda n: (_position(objects[n]), n))
    ids = Ids()
    by_source: dict[str, Json] = {}
    for n in order:
        item = objects[n]
        by_source[_source_id(item, f"{where}: component {n + 1}")] = item
    made: dict[str, ImportedComponent] = {}
    current: dict[str, str] = {}
    mapping: dict[str, str] = {}
    group_names: dict[str, tuple[str, str, str]] = {}
    for sid, item in by_source.items():
        what = f"{where}: component '{sid}'"
        name = clean_title(_str(item, "name", what)) or sid
        description = clean(_str(item, "description", what, ""), 2000)
        if item.get("group") is True:
            group_names[sid] = (ids.make(name, "group"), name, description)
            continue
        cid = ids.make(name, "component")
        status = _str(item, "status", what, "operational")
        if status not in COMPONENT_STATUSES:
            unmapped.append(Unmapped(f"{what} status", f"unknown status '{status[:40]}'; "
                                     "taken as operational"))
            status = "operational"
        for flag in ("only_show_if_degraded",):
            if item.get(flag) is True:
                unmapped.append(Unmapped(f"{what} {flag}", "Heliograph shows every component "
                                         "(hidden: true leaves one off the pages entirely)"))
        made[sid] = ImportedComponent(cid, name, description)
        mapping[sid] = cid
        current[cid] = status
    members: dict[str, list[str]] = {sid: [] for sid in group_names}
    for sid, item in by_source.items():
        parent = item.get("group_id")
        if sid in made and isinstance(parent, str) and parent in members:
            members[parent].append(sid)
        elif sid in made and parent not in (None, ""):
            unmapped.append(Unmapped(f"{where}: component '{sid}' group_id",
                                     "no such group; listed without a group"))
    groups = []
    grouped: set[str] = set()
    for gsid, (gid, name, description) in group_names.items():
        children = tuple(made[s] for s in members[gsid])
        grouped.update(members[gsid])
        if not children:
            unmapped.append(Unmapped(f"{where}: group '{gsid}'",
                                     "it has no components; left out"))
        groups.append(ImportedGroup(gid, name, description, children))
    ungrouped = tuple(c for sid, c in made.items() if sid not in grouped)
    return _Components(tuple(groups), ungrouped, mapping, current)


# --- incidents and maintenances ----------------------------------------------------------

def _is_maintenance(item: Json) -> bool:
    return item.get("scheduled_for") is not None or item.get("impact") == "maintenance"


def _changes(update: Json, ids: dict[str, str], what: str,
             unmapped: list[Unmapped]) -> list[tuple[str, str]]:
    value = update.get("affected_components")
    if value is None:
        return []
    result = []
    for n, item in enumerate(_list(value, f"'affected_components' of {what}")):
        item = _obj(item, f"affected component {n + 1} of {what}")
        code, status = item.get("code"), item.get("new_status")
        if not isinstance(code, str) or code not in ids:
            unmapped.append(Unmapped(f"{what} affected_components",
                                     f"component '{str(code)[:40]}' is not in components.json; "
                                     "left out"))
        elif status not in COMPONENT_STATUSES:
            unmapped.append(Unmapped(f"{what} affected_components",
                                     f"unknown status '{str(status)[:40]}'; left out"))
        else:
            result.append((ids[code], status))
    return result


def _updates(item: Json, what: str) -> list[tuple[datetime, Json, str]]:
    """(time, update, name) oldest first: by display_at, else created_at."""
    raw = _list(item.get("incident_updates") or [], f"'incident_updates' of {what}")
    result = []
    for n, update in enumerate(reversed(raw)):  # the API lists newest first
        name = f"update {len(raw) - n} of {what}"
        update = _obj(update, name)
        at = _time(update, "display_at", name) or _time(update, "created_at", name)
        if at is None:
            raise Shape(f"{name} has no time")
        result.append((at, update, name))
    result.sort(key=lambda row: row[0])
    return result


def _entry(item: Json, where: str, ids: dict[str, str],
           unmapped: list[Unmapped]) -> ImportedEntry | None:
    sid = _source_id(item, f"{where}: an entry")
    what = f"{where}: '{sid}'"
    title = clean_title(_str(item, "name", what)) or sid
    maintenance = _is_maintenance(item)
    kind = "maintenance" if maintenance else "incident"
    statuses = MAINTENANCE_STATUSES if maintenance else INCIDENT_STATUSES
    window = None
    if maintenance:
        start, end = _time(item, "scheduled_for", what), _time(item, "scheduled_until", what)
        if start is None or end is None or end <= start:
            unmapped.append(Unmapped(what, "a maintenance without a window (scheduled_for "
                                     "before scheduled_until); not imported"))
            return None
        window = (start, end)
    updates: list[ImportedUpdate] = []
    first: list[tuple[str, str]] | None = None  # components from the first update on
    resolved = False
    for at, update, name in _updates(item, what):
        status = _str(update, "status", name)
        if status not in statuses:
            unmapped.append(Unmapped(f"{name} status", f"'{status[:40]}' is not {kind} status "
                                     "in Heliograph; update left out"))
            continue
        if not maintenance and resolved and status != "postmortem":
            unmapped.append(Unmapped(name, f"a '{status}' update after the incident was "
                                     "resolved (Heliograph allows only 'postmortem'); left out"))
            continue
        if not maintenance and status == "postmortem" and not resolved:
            unmapped.append(Unmapped(name, "a postmortem before the incident was resolved; "
                                     "left out"))
            continue
        message = clean_message(_str(update, "body", name, ""), f"{name} body", unmapped)
        if not message:
            message = default_message(kind, status)
        changes = _changes(update, ids, name, unmapped)
        if maintenance and window and changes and (status, at) in (("in_progress", window[0]),
                                                                   ("completed", window[1])):
            # Statuspage's automatic transition (and Heliograph's): the clock makes it.
            unmapped.append(Unmapped(name, f"the automatic '{status}' update at the window's "
                                     f"{'start' if status == 'in_progress' else 'end'}: "
                                     "Heliograph's clock makes it, in its own words"))
            first = (first or []) + [(c, s) for c, s in changes
                                     if s != "operational" and c not in dict(first or [])]
            continue
        component_set: tuple[tuple[str, str], ...] = ()
        if maintenance:
            first = (first or []) + [(c, s) for c, s in changes
                                     if s != "operational" and c not in dict(first or [])]
        elif resolved or status == "resolved":
            if any(s != "operational" for _, s in changes):
                unmapped.append(Unmapped(f"{name} affected_components", "a resolved incident "
                                         "returns every component to operational; left out"))
        elif first is None and not updates:
            first = [(c, s) for c, s in changes if s != "under_maintenance"]
        else:
            component_set = tuple((c, s) for c, s in changes if s != "under_maintenance")
        if not maintenance and any(s == "under_maintenance" for _, s in changes):
            unmapped.append(Unmapped(f"{name} affected_components", "under_maintenance is for "
                                     "maintenance in Heliograph; left out"))
        updates.append(ImportedUpdate(at, status, message, component_set))
        resolved = resolved or status == "resolved"
    if not updates:
        unmapped.append(Unmapped(what, "no update Heliograph can use; not imported"))
        return None
    impact = item.get("impact")
    if impact not in IMPACTS or (impact == "maintenance") != maintenance:
        impact = None
    components = list(first or [])
    mentioned = {c for c, _ in components} | {c for u in updates for c, _ in u.components}
    listed = _list(item.get("components") or [], f"'components' of {what}")
    for n, component in enumerate(listed):
        code = _obj(component, f"component {n + 1} of {what}").get("id")
        if isinstance(code, str) and code in ids and ids[code] not in mentioned:
            # Attached without a status change (Statuspage allows it): operational.
            components.append((ids[code], "under_maintenance" if maintenance else "operational"))
            mentioned.add(ids[code])
    body = clean_body(_str(item, "postmortem_body", what, ""), f"{what} postmortem_body",
                      unmapped)
    backfilled = item.get("backfilled") is True and (
        not maintenance or (window is not None and updates[0].at >= window[1]))
    shortlink = item.get("shortlink")
    note = f"{'maintenance' if maintenance else 'incident'} {sid}"
    if isinstance(shortlink, str) and re.fullmatch(r"https?://[!-~]{1,200}", shortlink):
        note += f", {shortlink}"
    return ImportedEntry(kind, title, tuple(updates), tuple(components),
                         impact if impact != "maintenance" else None, backfilled, window,
                         body, note, what)


# --- the whole page ----------------------------------------------------------------------

def site_url(url: str, where: str, unmapped: list[Unmapped]) -> str:
    """The source's address as base_url (with its final '/'), or a placeholder."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname \
            or not re.fullmatch(r"[!-~]{1,500}", url):
        unmapped.append(Unmapped(where, f"not an absolute http(s) URL; base_url is "
                                 f"{PLACEHOLDER_URL} until you set it"))
        return PLACEHOLDER_URL
    return url if url.endswith("/") else url + "/"


def _site(page: Json, unmapped: list[Unmapped]) -> ImportedSite:
    title = clean_title(_str(page, "name", "page", "")) or "Status"
    url = site_url(_str(page, "url", "page", ""), "page url", unmapped)
    zone = _str(page, "time_zone", "page", "UTC")
    try:
        get_zone(zone)
    except TimeError:
        unmapped.append(Unmapped("page time_zone", f"'{zone[:60]}' is not an IANA time zone; "
                                 "UTC used"))
        zone = "UTC"
    return ImportedSite(title, url, zone)


def _merge(snapshots: Iterable[dict[str, Any]]) -> tuple[Json, list[Any], dict[str, Json]]:
    """The newest page and components, and every entry once (its newest version)."""
    page: Json = {}
    components: list[Any] = []
    entries: dict[str, tuple[datetime | None, int, Json]] = {}
    for number, docs in enumerate(snapshots):
        for name in FILES:
            if name not in docs:
                continue
            doc = _obj(docs[name], name)
            if "page" in doc:
                page = _obj(doc["page"], f"{name}: page")
            if "components" in doc:
                components = _list(doc["components"], f"{name}: components")
            for key in ("incidents", "scheduled_maintenances"):
                for n, item in enumerate(_list(doc.get(key) or [], f"{name}: {key}")):
                    item = _obj(item, f"{name}: {key} {n + 1}")
                    sid = _source_id(item, f"{name}: {key} {n + 1}")
                    seen = _time(item, "updated_at", f"{name}: '{sid}'")
                    old = entries.get(sid)
                    rank = (seen, number)
                    if old is None or _newer(rank, (old[0], old[1])):
                        entries[sid] = (seen, number, item)
    return page, components, {sid: row[2] for sid, row in entries.items()}


def _newer(a: tuple[datetime | None, int], b: tuple[datetime | None, int]) -> bool:
    if a[0] is not None and b[0] is not None and a[0] != b[0]:
        return a[0] > b[0]
    return a[1] >= b[1]


def import_page(snapshots: list[dict[str, Any]], where: str) -> Imported:
    unmapped: list[Unmapped] = []
    try:
        page, items, found = _merge(snapshots)
        site = _site(page, unmapped)
        components = _components(items, "components", unmapped)
        entries = []
        for sid, item in found.items():
            entry = _entry(item, "incidents" if not _is_maintenance(item)
                           else "scheduled-maintenances", components.ids, unmapped)
            if entry is not None:
                entries.append((sid, entry))
    except Shape as exc:
        raise import_error(where, f"not Statuspage's api/v2 shape: {exc}") from None
    if not any("components.json" in s or "summary.json" in s for s in snapshots):
        raise import_error(where, "no components.json or summary.json in any source",
                           "save the page's api/v2/components.json too: it names the "
                           "components the incidents affect")
    entries.sort(key=lambda row: (row[1].window[0] if row[1].window else row[1].updates[0].at,
                                  row[0]))
    chosen = tuple(e for _, e in entries)
    groups, ungrouped = _manual_statuses(components, chosen)
    notes = ("Statuspage's public API lists only the 50 most recent incidents and 50 most "
             "recent maintenances: import older snapshots of the same page too (several "
             "SOURCEs are merged without duplicates) to bring more history.",)
    return Imported("Statuspage", site, groups, ungrouped, chosen, tuple(unmapped), notes)


def _manual_statuses(components: _Components, entries: tuple[ImportedEntry, ...]
                     ) -> tuple[tuple[ImportedGroup, ...], tuple[ImportedComponent, ...]]:
    """A component that is not operational now keeps that status as a manual one (an
    admin can set it without an incident on Statuspage), unless an open entry gives it:
    an unresolved incident's latest status for it, or a maintenance's under_maintenance."""
    explained: set[tuple[str, str]] = set()
    for entry in entries:
        if any(u.status in ("resolved", "postmortem", "completed") for u in entry.updates):
            continue
        latest = dict(entry.components)
        for update in entry.updates:
            latest.update(update.components)
        explained.update(latest.items())

    def manual(component: ImportedComponent) -> ImportedComponent:
        status = components.current.get(component.id, "operational")
        if status == "operational" or (component.id, status) in explained:
            return component
        return ImportedComponent(component.id, component.name, component.description, status)

    groups = tuple(ImportedGroup(g.id, g.name, g.description,
                                 tuple(manual(c) for c in g.components))
                   for g in components.groups)
    return groups, tuple(manual(c) for c in components.ungrouped)


def run(sources: list[str]) -> Imported:
    return import_page([read_source(source) for source in sources], ", ".join(sources))
