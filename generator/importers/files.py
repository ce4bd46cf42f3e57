"""An `Imported` page as Heliograph's files, checked by the build's loader, then written.

Files are composed as text (like `heliograph new`), never through a YAML dumper. Nothing
existing is replaced without `force`; a file whose text would not change is left as it
is, so importing the same source twice changes nothing.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from generator.commands.authoring import (
    INCIDENTS_DIR,
    front_matter,
    overwrite,
    temp_sibling,
    yaml_scalar,
)
from generator.commands.new import MAX_SLUG
from generator.content.load import (
    SLUG_RE,
    clean_text,
    load_components,
    load_site,
    parse_incident,
    slugify,
)
from generator.content.model import Component, Site
from generator.errors import ContentError, Problem
from generator.importers.model import (
    Imported,
    ImportedComponent,
    ImportedEntry,
    ImportedGroup,
    one_line_note,
)

SITE_FILE = "content/site.yaml"
COMPONENTS_FILE = "content/components.yaml"
MAX_KEPT_SLUG = 120


# --- text --------------------------------------------------------------------------------

def site_text(imported: Imported) -> str:
    site = imported.site
    return "\n".join([
        f"# Imported from {imported.tool} by `heliograph import` (format: docs/content.md).",
        f"title: {yaml_scalar(site.title, 0)}",
        f"base_url: {yaml_scalar(site.base_url, 0)}",
        f"timezone: {yaml_scalar(site.timezone, 0)}",
        "language: en",
        "",
    ])


def _component_lines(component: ImportedComponent, indent: int) -> list[str]:
    pad = " " * indent
    lines = [f"{pad[:-2]}- id: {component.id}", f"{pad}name: {yaml_scalar(component.name, indent)}"]
    if component.description:
        lines.append(f"{pad}description: {yaml_scalar(component.description, indent)}")
    if component.status:
        lines.append(f"{pad}status: {component.status}")
    return lines


def _group_lines(group: ImportedGroup) -> list[str]:
    lines = ["  - id: " + group.id, f"    name: {yaml_scalar(group.name, 4)}"]
    if group.description:
        lines.append(f"    description: {yaml_scalar(group.description, 4)}")
    lines.append("    components:")
    for component in group.components:
        lines += _component_lines(component, 8)
    return lines


def components_text(imported: Imported) -> str:
    lines = [f"# Imported from {imported.tool} by `heliograph import` (format: docs/content.md)."]
    groups = [g for g in imported.groups if g.components]  # an empty group shows nothing
    if groups:
        lines.append("groups:")
        for group in groups:
            lines += _group_lines(group)
    if imported.ungrouped:
        lines.append("components:")
        for component in imported.ungrouped:
            lines += _component_lines(component, 4)
    if not groups and not imported.ungrouped:
        lines.append("components: []")
    return "\n".join(lines) + "\n"


def entry_text(entry: ImportedEntry, tool: str) -> str:
    lines = ["---"]
    if entry.note:
        lines.append(f"# Imported from {tool}: {one_line_note(entry.note)}")
    lines += front_matter(entry.title, entry.type,
                          [(u.at, u.status, u.message, u.components) for u in entry.updates],
                          impact=entry.impact, backfilled=entry.backfilled, window=entry.window,
                          components=entry.components)
    lines.append("---")
    text = "\n".join(lines) + "\n"
    if entry.body:
        text += entry.body + "\n"
    return text


def entry_stems(entries: tuple[ImportedEntry, ...], site: Site) -> list[str]:
    """The source's own file name where it has one that is a valid slug, else
    YYYY-MM-DD-<title> (the day in the site's time zone, a window's start for a
    maintenance), like `heliograph new`; same-day namesakes get -2, -3... in the order the
    importer gives them (which is stable for the same source)."""
    stems: list[str] = []
    seen: set[str] = set()
    for entry in entries:
        when = entry.window[0] if entry.window else entry.updates[0].at
        base = f"{when.astimezone(site.zone).date().isoformat()}-" \
               f"{slugify(entry.title, entry.type, MAX_SLUG)}"
        if SLUG_RE.fullmatch(entry.slug) and len(entry.slug) <= MAX_KEPT_SLUG:
            base = entry.slug  # checked: a file name in the incidents folder, nothing more
        stem, number = base, 1
        while stem in seen:
            number += 1
            stem = f"{base}-{number}"
        seen.add(stem)
        stems.append(stem)
    return stems


# --- checking and writing ----------------------------------------------------------------

@dataclass
class Outcome:
    created: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # exists and differs; --force replaces it
    rejected: list[Problem] = field(default_factory=list)  # entries the loader refused


def _blocked(target: Path, rel: str) -> str:
    """Why `rel` cannot be written inside `target` at all (a link or a non-folder on the way)."""
    parts = Path(rel).parts
    for depth in range(1, len(parts) + 1):
        here = target.joinpath(*parts[:depth])
        if here.is_symlink():
            return f"{Path(*parts[:depth]).as_posix()} is a symbolic link"
        if depth < len(parts) and here.exists() and not here.is_dir():
            return f"{Path(*parts[:depth]).as_posix()} is not a folder"
    if (target / rel).is_dir():
        return f"{rel} is a folder"
    return ""


def _existing(path: Path) -> bytes | None:
    """The file's bytes; never read through a symbolic link (write() leaves links alone)."""
    try:
        return path.read_bytes() if path.is_file() and not path.is_symlink() else None
    except OSError:
        return None


def _will_write(target: Path, rel: str, data: bytes, force: bool) -> bool:
    old = _existing(target / rel)
    return old is None or (force and old != data)


def _settings(target: Path, rel: str, data: bytes, force: bool, scratch: Path,
              load: str) -> tuple[object, list[Problem]]:
    """Load site.yaml or components.yaml as the site will have it after the import: the
    imported one (checked in a scratch folder) or the one already there."""
    if _will_write(target, rel, data, force):
        (scratch / rel).parent.mkdir(parents=True, exist_ok=True)
        (scratch / rel).write_bytes(data)
        root = scratch
    else:
        root = target
    if load == "site":
        site, problems = load_site(root)
        return site, problems
    groups, ungrouped, problems = load_components(root)
    components = tuple(c for g in groups for c in g.components) + ungrouped
    return components, problems


def same_names(imported: Imported, existing: list[Component]) -> Imported:
    """Entries for a components.yaml that stays: an imported component is the existing
    one of the same name (ignoring case), so its entries name that one's id."""
    by_name = {c.name.casefold(): c.id for c in existing}
    ids = {c.id: by_name[c.name.casefold()]
           for c in (*(c for g in imported.groups for c in g.components), *imported.ungrouped)
           if c.name.casefold() in by_name}

    def mapped(pairs: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
        return tuple((ids.get(cid, cid), status) for cid, status in pairs)

    entries = tuple(replace(entry, components=mapped(entry.components),
                            updates=tuple(replace(u, components=mapped(u.components))
                                          for u in entry.updates))
                    for entry in imported.entries)
    return replace(imported, entries=entries)


def plan(imported: Imported, target: Path, force: bool,
         now: datetime) -> tuple[dict[str, bytes], list[Problem]]:
    """Every file to write (path relative to `target` -> bytes), each entry accepted by the
    loader with the site.yaml and components.yaml it will meet; and the refused entries."""
    site_data = site_text(imported).encode()
    components_data = components_text(imported).encode()
    with tempfile.TemporaryDirectory(prefix="heliograph-import-") as scratch:
        site, problems = _settings(target, SITE_FILE, site_data, force, Path(scratch), "site")
        components, more = _settings(target, COMPONENTS_FILE, components_data, force,
                                     Path(scratch), "components")
    problems += more
    if problems or not isinstance(site, Site):
        raise ContentError(problems)
    assert isinstance(components, tuple)
    existing = [c for c in components if isinstance(c, Component)]
    known = {c.id for c in existing}
    if not _will_write(target, COMPONENTS_FILE, components_data, force):
        imported = same_names(imported, existing)
    files = {SITE_FILE: site_data, COMPONENTS_FILE: components_data}
    refused: list[Problem] = []
    for entry, stem in zip(imported.entries, entry_stems(imported.entries, site), strict=True):
        rel = (INCIDENTS_DIR / f"{stem}.md").as_posix()
        text, bad = clean_text(entry_text(entry, imported.tool), rel)
        if text is not None:
            _incident, bad = parse_incident(f"{stem}.md", rel, text, site, known, now)
        if bad or text is None:
            refused += [Problem(p.file, p.line, p.column,
                                f"{p.message} (from {entry.origin})", p.hint) for p in bad]
            continue
        files[rel] = text.encode()
    return files, refused


def _create(path: Path, data: bytes) -> bool:
    """Write a new file atomically; False if the name was taken meanwhile."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_sibling(path.parent, path.name, data)
    try:
        os.chmod(tmp, 0o644)
        os.link(tmp, path)  # fails rather than replace
        return True
    except FileExistsError:
        return False
    finally:
        tmp.unlink(missing_ok=True)


def write(target: Path, files: dict[str, bytes], force: bool, outcome: Outcome) -> None:
    for rel, data in files.items():
        blocked = _blocked(target, rel)
        if blocked:
            outcome.kept.append(f"{rel} ({blocked})")
            continue
        path = target / rel
        old = _existing(path)
        if old == data:
            outcome.unchanged.append(rel)
        elif old is None and _create(path, data):
            outcome.created.append(rel)
        elif force:
            overwrite(path, data)
            outcome.replaced.append(rel)
        else:
            outcome.kept.append(rel)
