"""The JSON API under api/v2/, in Atlassian Statuspage's public v2 shapes.

Existing Statuspage clients read these files unchanged, so every object has exactly
Statuspage's keys (tests/schemas/statuspage_v2.schema.json; evidence in
docs/api-research.md). Values Heliograph has no source for get a fixed, documented
value; see docs/api.md.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from generator.content.model import Component, Content, Group, Incident, Update
from generator.content.timeutil import iso
from generator.outputs.context import Context
from generator.site.paths import incident_url
from generator.state.derive import State
from generator.state.timeline import Change, Event

LIST_LIMIT = 50  # Statuspage's lists hold the 50 most recent items
ID_LENGTH = 12
_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"

Json = dict[str, Any]


def stable_id(kind: str, key: str) -> str:
    """A Statuspage-like id: sha256("<kind>:<key>") as a big-endian number, modulo 36**12,
    written as 12 base-36 digits (0-9a-z).

    Only the content id (slug, component or group id) goes in, so ids survive any
    rebuild and edits to everything else.
    """
    digest = hashlib.sha256(f"{kind}:{key}".encode()).digest()
    number = int.from_bytes(digest, "big") % len(_ALPHABET) ** ID_LENGTH
    digits = ""
    for _ in range(ID_LENGTH):
        number, rest = divmod(number, len(_ALPHABET))
        digits = _ALPHABET[rest] + digits
    return digits


def page_id(content: Content) -> str:
    return stable_id("page", content.site.base_url)


def entry_id(incident: Incident) -> str:
    return stable_id("incident", incident.slug)


def update_id(incident: Incident, index: int) -> str:
    """Updates are only ever appended, so (slug, position oldest-first) is stable."""
    return stable_id("update", f"{incident.slug}:{index}")


def automatic_update_id(incident: Incident, update: Update) -> str:
    """A clock-made update is named by what the clock did, and when."""
    return stable_id("update", f"{incident.slug}:{update.status}@{iso(update.at)}")


def component_id(component: Component) -> str:
    return stable_id("component", component.id)


def group_id(group: Group) -> str:
    return stable_id("group", group.id)


# --- times -------------------------------------------------------------------------------

def first_moment(content: Content, now: datetime) -> datetime:
    """Stand-in for creation times Heliograph does not record: the content's first event."""
    return min((i.updates[0].at for i in content.incidents), default=now)


def last_change(content: Content, state: State) -> datetime:
    """page.updated_at: the newest event in the content, so equal content gives equal JSON."""
    return state.last_change or first_moment(content, state.now)


def component_changes(content: Content, state: State) -> dict[str, datetime]:
    """When each component's status last changed through an entry (by now)."""
    changed: dict[str, datetime] = {}
    for incident in content.incidents:
        for event in state.shown(incident):
            for change in event.changes or ():
                if change.old != change.new and (change.component not in changed
                                                 or event.at > changed[change.component]):
                    changed[change.component] = event.at
    return changed


def positions(content: Content) -> dict[str, int]:
    """`position` counts from 1 within each level, like Statuspage: groups and ungrouped
    components share the top level, a group's components count within the group.
    (Group and component ids are unique across components.yaml.)"""
    result: dict[str, int] = {}
    for top, group in enumerate(content.groups, start=1):
        result[group.id] = top
        result.update({c.id: n for n, c in enumerate(group.components, start=1)})
    offset = len(content.groups)
    result.update({c.id: offset + n for n, c in enumerate(content.ungrouped, start=1)})
    return result


# --- objects -----------------------------------------------------------------------------

class Api:
    """Builds Statuspage objects for one site and one derived state."""

    def __init__(self, ctx: Context):
        content, state = ctx.content, ctx.state
        self.content = content
        self.state = state
        self.ctx = ctx
        self.page_id = page_id(content)
        self.created = iso(first_moment(content, state.now))
        self.groups = {g.id: g for g in content.groups}
        self.components = {c.id: c for c in content.components}
        self.positions = positions(content)
        self.component_changed = {cid: iso(at) for cid, at
                                  in component_changes(content, state).items()}

    def page(self) -> Json:
        site = self.content.site
        return {"id": self.page_id, "name": site.title, "url": site.base_url,
                "time_zone": site.timezone,
                "updated_at": iso(last_change(self.content, self.state))}

    def status(self) -> Json:
        return {"indicator": self.state.indicator, "description": self.state.description}

    def component(self, component: Component, position: int) -> Json:
        group = self.groups.get(component.group_id or "")
        return {
            "id": component_id(component),
            "name": component.name,
            "status": self.state.component_status[component.id],
            "created_at": self.created,
            "updated_at": self.component_changed.get(component.id, self.created),
            "position": position,
            "description": component.description or None,
            "showcase": True,
            "start_date": None,
            "group_id": group_id(group) if group else None,
            "page_id": self.page_id,
            "group": False,
            "only_show_if_degraded": False,
        }

    def group(self, group: Group, position: int) -> Json:
        changes = [self.component_changed[c.id] for c in group.components
                   if c.id in self.component_changed]
        return {
            "id": group_id(group),
            "name": group.name,
            "status": self.state.group_status[group.id],
            "created_at": self.created,
            "updated_at": max(changes, default=self.created),
            "position": position,
            "description": group.description or None,
            "showcase": False,
            "start_date": None,
            "group_id": None,
            "page_id": self.page_id,
            "group": True,
            "only_show_if_degraded": False,
            "components": [component_id(c) for c in group.components],
        }

    def all_components(self) -> list[Json]:
        """Groups and components as one flat list in display order."""
        items: list[Json] = []
        for group in self.content.groups:
            items.append(self.group(group, self.positions[group.id]))
            items += [self.component(c, self.positions[c.id]) for c in group.components]
        items += [self.component(c, self.positions[c.id]) for c in self.content.ungrouped]
        return items

    def affected_name(self, component: Component) -> str:
        group = self.groups.get(component.group_id or "")
        return f"{group.name} - {component.name}" if group else component.name

    def affected(self, changes: tuple[Change, ...]) -> list[Json]:
        """The components an event set, as Statuspage lists them (unchanged ones too)."""
        result = []
        for change in changes:
            component = self.components[change.component]
            result.append({"code": component_id(component), "name": self.affected_name(component),
                           "old_status": change.old, "new_status": change.new})
        return result

    def updates(self, incident: Incident) -> list[Json]:
        """Newest first: the timeline so far. affected_components lists what an event set
        where it changed a component's status, null elsewhere (Statuspage's "no change")."""
        items = []
        posted = 0  # how many written updates so far: their ids count them
        for event in self.state.shown(incident):
            update = event.update
            uid = automatic_update_id(incident, update) if update.automatic \
                else update_id(incident, posted)
            items.append(self.update(incident, uid, event))
            posted += not update.automatic
        return items[::-1]

    def update(self, incident: Incident, uid: str, event: Event) -> Json:
        update = event.update
        at = iso(update.at)
        return {
            "id": uid,
            "status": update.status,
            "body": self.ctx.message_html(update),
            "incident_id": entry_id(incident),
            "created_at": at,
            "updated_at": at,
            "display_at": at,
            "affected_components": self.affected(event.changes) if event.changes else None,
            "deliver_notifications": True,
            "custom_tweet": None,
            "tweet_id": None,
        }

    def entry_common(self, incident: Incident) -> Json:
        now = self.state.now
        monitoring = next((u.at for u in incident.updates
                           if u.status == "monitoring" and u.at <= now), None)
        resolved = self.state.ended_at(incident)
        return {
            "id": entry_id(incident),
            "name": incident.title,
            "status": self.state.status[incident.slug],
            "created_at": iso(incident.started_at),
            "updated_at": iso(self.state.latest(incident).at),
            "monitoring_at": iso(monitoring) if monitoring else None,
            "resolved_at": iso(resolved) if resolved else None,
            "impact": self.state.impact[incident.slug],
            "shortlink": incident_url(self.content.site, incident),
            "started_at": iso(incident.started_at),
            "page_id": self.page_id,
            "incident_updates": self.updates(incident),
            "components": [self.component(self.components[cid], self.positions[cid])
                           for cid in incident.component_ids],
        }

    def incident(self, incident: Incident) -> Json:
        return {**self.entry_common(incident), "reminder_intervals": None}

    def maintenance(self, incident: Incident) -> Json:
        assert incident.window is not None
        return {**self.entry_common(incident), "scheduled_for": iso(incident.window.start),
                "scheduled_until": iso(incident.window.end)}


# --- endpoints ---------------------------------------------------------------------------

def documents(ctx: Context) -> dict[str, Json]:
    """Every endpoint's document, by output path."""
    content, state = ctx.content, ctx.state
    api = Api(ctx)
    page = api.page()
    # Content.incidents is newest first; so is every list here, like Statuspage's.
    incidents = [i for i in content.incidents if i.type != "maintenance"]
    maintenances = [i for i in content.incidents if i.type == "maintenance"]
    unresolved = list(state.open_incidents)
    active_slugs = {m.slug for m in state.active_maintenance}
    upcoming_slugs = {m.slug for m in state.upcoming_maintenance}
    active = [m for m in maintenances if m.slug in active_slugs]
    upcoming = [m for m in maintenances if m.slug in upcoming_slugs]
    summary_maintenances = [m for m in maintenances if m.slug in active_slugs | upcoming_slugs]
    components = api.all_components()

    def incident_list(entries: list[Incident]) -> list[Json]:
        return [api.incident(i) for i in entries]

    def maintenance_list(entries: list[Incident]) -> list[Json]:
        return [api.maintenance(m) for m in entries]

    return {
        "api/v2/summary.json": {
            "page": page, "components": components,
            "incidents": incident_list(unresolved),
            "scheduled_maintenances": maintenance_list(summary_maintenances),
            "status": api.status(),
        },
        "api/v2/status.json": {"page": page, "status": api.status()},
        "api/v2/components.json": {"page": page, "components": components},
        "api/v2/incidents.json": {"page": page,
                                  "incidents": incident_list(incidents[:LIST_LIMIT])},
        "api/v2/incidents/unresolved.json": {"page": page,
                                             "incidents": incident_list(unresolved)},
        "api/v2/scheduled-maintenances.json": {
            "page": page, "scheduled_maintenances": maintenance_list(maintenances[:LIST_LIMIT])},
        "api/v2/scheduled-maintenances/upcoming.json": {
            "page": page, "scheduled_maintenances": maintenance_list(upcoming)},
        "api/v2/scheduled-maintenances/active.json": {
            "page": page, "scheduled_maintenances": maintenance_list(active)},
    }


def encode(document: Json) -> bytes:
    """Compact, like Statuspage's own responses (and several times faster to write)."""
    return (json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def api_files(ctx: Context) -> dict[str, bytes]:
    return {path: encode(doc) for path, doc in documents(ctx).items()}
