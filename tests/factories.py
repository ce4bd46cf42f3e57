"""Build model objects directly, so derived-state tests need no files."""

from __future__ import annotations

from datetime import UTC, datetime

from generator.content.model import Component, Content, Group, Incident, Site, Update, Window
from generator.content.timeutil import get_zone


def t(text: str) -> datetime:
    """A UTC instant from '2026-05-11T14:02' (seconds optional)."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def site(timezone: str = "UTC", history_days: int = 3, **extra: object) -> Site:
    return Site(title="Test", base_url="https://status.test/", timezone=timezone,
                zone=get_zone(timezone), history_days=history_days, **extra)  # type: ignore[arg-type]


def component(cid: str, status: str | None = None, group: str | None = "g",
              position: int = 1) -> Component:
    return Component(cid, cid.upper(), "", group, position, status, "")


def incident(slug: str, updates: list[tuple[str, str]], components: dict[str, str] | None = None,
             kind: str = "incident", impact: str | None = None,
             window: tuple[str, str] | None = None, backfilled: bool = False) -> Incident:
    return Incident(
        slug=slug, path=f"content/incidents/{slug}.md", type=kind, title=slug,  # type: ignore[arg-type]
        impact=impact, backfilled=backfilled, components=tuple((components or {}).items()),
        updates=tuple(Update(t(at), status, f"{status} message") for at, status in updates),
        window=Window(t(window[0]), t(window[1])) if window else None, body="",
    )


def content(incidents: list[Incident] = (), components: list[Component] | None = None,  # type: ignore[assignment]
            **site_args: object) -> Content:
    comps = tuple(components if components is not None else [component("api")])
    grouped = tuple(c for c in comps if c.group_id)
    groups = (Group("g", "Group", "", 1, grouped),) if grouped else ()
    ordered = sorted(incidents, key=lambda i: i.slug, reverse=True)
    ordered.sort(key=lambda i: i.sort_time, reverse=True)
    return Content(site(**site_args), groups, tuple(c for c in comps if not c.group_id),  # type: ignore[arg-type]
                   tuple(ordered))
