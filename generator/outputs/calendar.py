"""maintenance.ics: maintenance windows as an iCalendar feed (icalendar), site-wide and
per component, for calendar apps to subscribe to.

Every time in the file comes from the content (DTSTAMP is the entry's latest update), so
the same content gives the same bytes.
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from generator.content.model import Content, Incident, Site
from generator.outputs.context import Context
from generator.site.paths import absolute, component_dir, incident_url
from generator.state.timeline import Timeline

# icalendar (with dateutil, ~60 ms) is imported where it is used: only the worker that
# makes the calendars loads it, not the build's parent nor `check`.
if TYPE_CHECKING:
    from icalendar import Event

PRODID = "-//Heliograph//Status page maintenance//EN"
REFRESH = timedelta(hours=1)  # how often subscribed calendars should fetch again


def uid(site: Site, incident: Incident) -> str:
    """Slug at host: the slug is the entry's permanent name."""
    return f"{incident.slug}@{urlsplit(site.base_url).hostname}"


def description(incident: Incident, ctx: Context) -> str:
    """Plain text (iCalendar has no HTML): the updates newest first, Markdown as written."""
    t = ctx.t
    parts = [f"{t('incident_status.' + u.status)} ({t.datetime(u.at)}):\n{u.message.strip()}"
             for u in reversed(incident.updates)]
    return "\n\n".join(parts)


def event(timeline: Timeline, content: Content, ctx: Context) -> Event:
    # Each value is given as the icalendar type its property takes (what `add` would pick
    # by the property's name and the value's Python type): the guess and vDDDTypes' time
    # zone lookups were a fifth of the calendars' CPU. Every datetime is already UTC.
    from icalendar import Event, vDatetime, vInt, vText, vUri

    incident = timeline.incident
    assert incident.window is not None
    site = content.site
    vevent = Event()
    updated = vDatetime(incident.updated_at)
    vevent.add("uid", vText(uid(site, incident)))
    vevent.add("dtstamp", updated)
    vevent.add("created", vDatetime(incident.started_at))
    vevent.add("last-modified", updated)
    vevent.add("sequence", vInt(len(incident.updates) - 1))  # tells clients the event changed
    # From the whole timeline (clock events ahead included), not from now, so the event
    # only changes with the content: completed by the window's start means cancelled;
    # completed later, it ended then (early, or overrunning); still running, the window.
    window = incident.window
    done = timeline.ended_at(timeline.events[-1].at)
    cancelled = done is not None and done <= window.start
    vevent.add("dtstart", vDatetime(window.start))
    vevent.add("dtend", vDatetime(done if done is not None and not cancelled else window.end))
    vevent.add("summary", vText(incident.title))
    vevent.add("description", vText(description(incident, ctx)))
    vevent.add("url", vUri(incident_url(site, incident)))
    vevent.add("status", vText("CANCELLED" if cancelled else "CONFIRMED"))
    # A maintenance window does not make anyone busy.
    vevent.add("transp", vText("TRANSPARENT"))
    return vevent


END = b"END:VCALENDAR\r\n"


def calendar(path: str, title: str, events: list[bytes], content: Content) -> bytes:
    """A VCALENDAR around already serialized VEVENTs (each is serialized once per build)."""
    from icalendar import Calendar, vDuration

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", title)
    cal.add("x-published-ttl", vDuration(REFRESH))
    cal.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    cal.add("source", absolute(content.site, path), parameters={"VALUE": "URI"})
    head = cal.to_ical()
    assert head.endswith(END)
    return bytes(head[: -len(END)] + b"".join(events) + END)


def vevent_bytes(maintenance: Incident, content: Content, ctx: Context) -> bytes:
    return bytes(event(ctx.state.timelines[maintenance.slug], content, ctx).to_ical())


def calendar_files(ctx: Context) -> dict[str, bytes]:
    content = ctx.content
    site = content.site
    name = ctx.t("calendar")
    maintenances = sorted((i for i in content.incidents if i.type == "maintenance"),
                          key=lambda i: (i.sort_time, i.slug))
    # The timeline is a function of the entry alone, so the entry is the whole key.
    events = {m.slug: ctx.memo.get(("vevent", m.slug), m,
                                   partial(vevent_bytes, m, content, ctx))
              for m in maintenances}
    files = {"maintenance.ics": calendar("maintenance.ics", f"{site.title}: {name}",
                                         list(events.values()), content)}
    for component in content.listed_components:
        path = component_dir(component.id) + "maintenance.ics"
        mine = [events[m.slug] for m in maintenances if component.id in m.component_ids]
        files[path] = calendar(path, f"{site.title}: {component.name}: {name}", mine, content)
    return files
