"""An Upptime repository: `.upptimerc.yml` (sites, status-website), `history/<slug>.yml`
(each site's current status) and, optionally, its incidents: the GitHub issues Upptime
opens, exported with `gh issue list --state all --limit 1000 --json
number,title,body,state,createdAt,closedAt,labels,comments,url` (comments become updates).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from generator.commands.authoring import default_message
from generator.content.load import slugify
from generator.content.yamlsafe import source_text
from generator.importers.model import (
    Ids,
    Imported,
    ImportedComponent,
    ImportedEntry,
    ImportedSite,
    ImportedUpdate,
    Unmapped,
    aware_time,
    clean_message,
    clean_title,
    import_error,
    read_bounded,
    read_yaml,
)
from generator.importers.statuspage import site_url

HISTORY_STATUS = {"up": "operational", "degraded": "degraded_performance",
                  "down": "major_outage"}
MAX_SITES = 1_000
MAX_ISSUES = 10_000
MAX_COMMENTS = 500
EXPORT = ("gh issue list --state all --limit 1000 --json "
          "number,title,body,state,createdAt,closedAt,labels,comments,url")
_WINDOW = re.compile(r"^\s*(start|end|expectedDown|expectedDegraded):\s*(.+?)\s*$", re.MULTILINE)
_DEGRADED = re.compile(r"degraded", re.IGNORECASE)


def _text(value: Any) -> str:
    text = source_text(value)
    return text if text is not None else ""


def upptime_slug(name: str) -> str:
    """The slug Upptime gives a site's files: its name with camelCase split into words."""
    split = re.sub(r"([a-z0-9])([A-Z])", r"\1-\2", name)
    split = re.sub(r"([A-Z])([A-Z][a-z])", r"\1-\2", split)
    return slugify(split, "")


def _site(config: dict[str, Any], unmapped: list[Unmapped]) -> ImportedSite:
    website = config.get("status-website") or {}
    if not isinstance(website, dict):
        website = {}
    owner, repo = _text(config.get("owner")), _text(config.get("repo"))
    cname = _text(website.get("cname"))
    if cname:
        url = f"https://{cname}/"
    elif re.fullmatch(r"[A-Za-z0-9-]{1,39}", owner) and re.fullmatch(r"[\w.-]{1,100}", repo):
        url = f"https://{owner.lower()}.github.io/{_text(website.get('baseUrl')).strip('/')}"
    else:
        url = ""
    title = clean_title(_text(website.get("name"))) or f"{owner} status".strip()
    for key in sorted(set(map(str, website)) - {"cname", "baseUrl", "name"}):
        unmapped.append(Unmapped(f".upptimerc.yml status-website {key}",
                                 "a setting of Upptime's own site"))
    return ImportedSite(title or "Status", site_url(url, ".upptimerc.yml status-website",
                                                    unmapped), "UTC")


def _components(folder: Path, config: dict[str, Any], unmapped: list[Unmapped]
                ) -> tuple[list[ImportedComponent], dict[str, str], dict[str, str]]:
    """Components, Upptime slug -> id, and name -> id."""
    sites = config.get("sites") or []
    if not isinstance(sites, list) or len(sites) > MAX_SITES:
        raise import_error(".upptimerc.yml", f"'sites' is not a list of at most {MAX_SITES}")
    ids = Ids()
    components: list[ImportedComponent] = []
    slugs: dict[str, str] = {}
    names: dict[str, str] = {}
    for n, item in enumerate(sites):
        where = f".upptimerc.yml sites {n + 1}"
        if not isinstance(item, dict) or not _text(item.get("name")):
            unmapped.append(Unmapped(where, "has no name; left out"))
            continue
        name = clean_title(_text(item["name"]))
        slug = _text(item.get("slug")) or upptime_slug(name)
        cid = ids.make(slug, "component")
        status = "operational"
        history = folder / "history" / f"{slug}.yml"
        plain = re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug) is not None  # no path in it
        if plain and history.is_symlink():
            unmapped.append(Unmapped(f"history/{history.name}", "a symbolic link; not read"))
        elif plain and history.is_file():
            data = read_yaml(history, f"history/{slug}.yml", 100_000)
            word = _text(data.get("status")) if isinstance(data, dict) else ""
            status = HISTORY_STATUS.get(word, "operational")
        for key in sorted(set(map(str, item)) - {"name", "slug", "url"}):
            unmapped.append(Unmapped(f"{where} {key}", "a monitoring setting; Heliograph "
                                     "does not monitor"))
        components.append(ImportedComponent(cid, name, "", status))
        slugs[slug] = cid
        names[name.lower()] = cid
    unmapped.append(Unmapped(".upptimerc.yml sites url, history/*.yml response times",
                             "Heliograph does not monitor: uptime comes from incidents"))
    return components, slugs, names


def _affected(issue: dict[str, Any], title: str, slugs: dict[str, str],
              names: dict[str, str]) -> list[str]:
    labels = [label.get("name") for label in issue.get("labels") or []
              if isinstance(label, dict)]
    found = [slugs[label] for label in labels if isinstance(label, str) and label in slugs]
    if not found:  # Upptime's titles: "🛑 NAME is down", "⚠️ NAME has degraded performance"
        lowered = title.lower()
        found = [cid for name, cid in names.items()
                 if f"{name} is down" in lowered or f"{name} has degraded" in lowered]
    return list(dict.fromkeys(found))


def _body(issue: dict[str, Any]) -> str:
    body = issue.get("body")
    return body if isinstance(body, str) else ""


def _maintenance(issue: dict[str, Any], where: str, title: str, slugs: dict[str, str],
                 unmapped: list[Unmapped]) -> ImportedEntry | None:
    body = _body(issue)
    fields = {key: value for key, value in _WINDOW.findall(body)}
    try:
        start = aware_time(fields.get("start"), f"{where} start")
        end = aware_time(fields.get("end"), f"{where} end")
        created = aware_time(issue.get("createdAt"), f"{where} createdAt")
    except ValueError as exc:
        unmapped.append(Unmapped(str(exc), "a maintenance needs its window; not imported"))
        return None
    components: list[tuple[str, str]] = []
    for key, status in (("expectedDown", "under_maintenance"),
                        ("expectedDegraded", "under_maintenance")):
        for slug in (s.strip() for s in fields.get(key, "").split(",") if s.strip()):
            if slug in slugs and slugs[slug] not in dict(components):
                components.append((slugs[slug], status))
            elif slug not in slugs:
                unmapped.append(Unmapped(f"{where} {key}", f"no site '{slug[:40]}'; left out"))
    message = clean_message(_WINDOW.sub("", body).replace("<!--", "").replace("-->", ""),
                            f"{where} body", unmapped) \
        or default_message("maintenance", "scheduled")
    updates = (ImportedUpdate(min(created, start), "scheduled", message),)
    return ImportedEntry("maintenance", title, updates, tuple(components),
                         window=(start, end), note=_note(issue), origin=where)


def _note(issue: dict[str, Any]) -> str:
    url = issue.get("url")
    note = f"issue #{issue.get('number')}" if isinstance(issue.get("number"), int) else "issue"
    if isinstance(url, str) and re.fullmatch(r"https://[!-~]{1,200}", url):
        note += f", {url}"
    return note


def _issue(issue: Any, n: int, slugs: dict[str, str], names: dict[str, str],
           unmapped: list[Unmapped]) -> ImportedEntry | None:
    if not isinstance(issue, dict):
        raise ValueError(f"issue {n + 1} is not an object")
    where = f"issue #{issue.get('number')}" if isinstance(issue.get("number"), int) \
        else f"issue {n + 1}"
    title = clean_title(_text(issue.get("title"))) or where
    labels = {label.get("name") for label in issue.get("labels") or []
              if isinstance(label, dict)}
    if "maintenance" in labels:
        return _maintenance(issue, where, title, slugs, unmapped)
    try:
        created = aware_time(issue.get("createdAt"), f"{where} createdAt")
        closed = aware_time(issue["closedAt"], f"{where} closedAt") if issue.get("closedAt") \
            else None
    except ValueError as exc:
        unmapped.append(Unmapped(str(exc), "not imported"))
        return None
    status = "degraded_performance" if _DEGRADED.search(title) else "major_outage"
    affected = _affected(issue, title, slugs, names)
    if not affected:
        unmapped.append(Unmapped(f"{where} labels", "names no site; imported without "
                                 "components"))
    body = _body(issue)
    updates = [ImportedUpdate(created, "investigating", clean_message(body, f"{where} body",
                                                                      unmapped)
                              or default_message("incident", "investigating"))]
    comments = issue.get("comments") or []
    if not isinstance(comments, list):
        comments = []
    rows = []
    for m, comment in enumerate(comments[:MAX_COMMENTS]):
        if not isinstance(comment, dict) or not isinstance(comment.get("body"), str):
            continue
        try:
            at = aware_time(comment.get("createdAt"), f"{where} comment {m + 1} createdAt")
        except ValueError as exc:
            unmapped.append(Unmapped(str(exc), "comment left out"))
            continue
        rows.append((at, clean_message(comment["body"], f"{where} comment {m + 1}", unmapped)))
    rows.sort(key=lambda row: row[0])
    closing, dropped = "", 0
    for at, message in rows:
        if not message:
            continue
        if closed is not None and at >= closed:
            if closing:
                dropped += 1
            else:
                closing = message  # Upptime's "Resolved: NAME is back up" comment
        elif at < created:
            dropped += 1
        else:
            updates.append(ImportedUpdate(at, "investigating", message))
    if dropped:
        unmapped.append(Unmapped(f"{where} comments", f"{dropped} comment(s) after the "
                                 "closing one (or before the issue) left out"))
    if closed is not None:
        updates.append(ImportedUpdate(max(closed, updates[-1].at), "resolved",
                                      closing or default_message("incident", "resolved")))
    return ImportedEntry("incident", title, tuple(updates),
                         tuple((cid, status) for cid in affected), note=_note(issue),
                         origin=where)


def _issues(path: str, slugs: dict[str, str], names: dict[str, str],
            unmapped: list[Unmapped]) -> list[ImportedEntry]:
    try:
        data = json.loads(read_bounded(Path(path), path).decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise import_error(path, f"not valid JSON ({str(exc)[:200]})",
                           f"export the issues with `{EXPORT}`") from None
    if not isinstance(data, list) or len(data) > MAX_ISSUES:
        raise import_error(path, f"not a list of at most {MAX_ISSUES:,} issues",
                           f"export the issues with `{EXPORT}`")
    entries = []
    for n, issue in enumerate(data):
        try:
            entry = _issue(issue, n, slugs, names, unmapped)
        except ValueError as exc:
            raise import_error(path, str(exc), f"export the issues with `{EXPORT}`") from None
        if entry is not None:
            entries.append(entry)
    entries.sort(key=lambda e: (e.window[0] if e.window else e.updates[0].at, e.note))
    return entries


def run(source: str, issues: str | None) -> Imported:
    folder = Path(source)
    config_path = folder / ".upptimerc.yml"
    if not config_path.is_file():
        raise import_error(str(folder), "no .upptimerc.yml: is this an Upptime repository?",
                           "give the folder of the repository Upptime runs in")
    config = read_yaml(config_path, ".upptimerc.yml", 1_000_000)
    if not isinstance(config, dict):
        raise import_error(".upptimerc.yml", "is not a mapping of settings")
    unmapped: list[Unmapped] = []
    site = _site(config, unmapped)
    components, slugs, names = _components(folder, config, unmapped)
    entries = _issues(issues, slugs, names, unmapped) if issues else []
    explained = {cid for e in entries if e.type == "incident"
                 and not any(u.status == "resolved" for u in e.updates)
                 for cid, _ in e.components}
    # A site that is down now with no open issue keeps its status as a manual one.
    components = [c if c.id not in explained else ImportedComponent(c.id, c.name)
                  for c in components]
    components = [c if c.status != "operational" else ImportedComponent(c.id, c.name)
                  for c in components]
    notes: tuple[str, ...] = ()
    if not issues:
        notes = (f"No incidents imported: export them with `{EXPORT} > issues.json` and "
                 "pass --issues issues.json.",)
    return Imported("Upptime", site, (), tuple(components), tuple(entries), tuple(unmapped),
                    notes)

