"""Derived state: a pure function of (content, now). No I/O, no clock."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property

from generator.content.model import (
    COMPONENT_STATUSES,
    IMPACTS,
    Content,
    Incident,
)
from generator.content.timeutil import day_starts
from generator.state.rules import INDICATOR_DESCRIPTIONS, STATUS_IMPACT, impact_of
from generator.state.statuses import statuses_at
from generator.state.timeline import Event, Timeline, build_timelines
from generator.state.uptime import Span, Uptime, component_uptime


@dataclass(frozen=True)
class State:
    # The instant the state is derived at: the build's "now", or the latest posted update
    # when an author's clock ran ahead of it (within load.CLOCK_SKEW): that update has
    # happened, so the site is shown as of its time.
    now: datetime
    generated: datetime  # the build's "now" as given: when the pages were made
    today: date  # in the site time zone
    component_status: dict[str, str]
    group_status: dict[str, str]
    indicator: str
    description: str
    open_incidents: tuple[Incident, ...]  # incidents and notices, newest first
    active_maintenance: tuple[Incident, ...]  # by window start
    upcoming_maintenance: tuple[Incident, ...]  # by window start, soonest first
    # Every entry but the upcoming maintenance, newest first: what the history pages
    # list (upcoming work is shown apart, above them).
    past: tuple[Incident, ...]
    status: dict[str, str]  # slug -> current status
    impact: dict[str, str]  # slug -> impact
    uptime: dict[str, Uptime]  # component id -> uptime
    by_component: dict[str, tuple[Incident, ...]]  # component id -> its entries, newest first
    timelines: dict[str, Timeline]  # slug -> the entry's timeline

    def shown(self, incident: Incident) -> tuple[Event, ...]:
        """The entry's events that have happened by now: what pages, feeds and JSON show."""
        return self.timelines[incident.slug].upto(self.now)

    def latest(self, incident: Incident) -> Event:
        return self.timelines[incident.slug].latest(self.now)

    def ended_at(self, incident: Incident) -> datetime | None:
        return self.timelines[incident.slug].ended_at(self.now)

    @cached_property
    def last_change(self) -> datetime | None:
        """When the status last changed: the latest event of any entry's timeline by now
        (a posted update, or the clock opening or closing a maintenance window)."""
        return max((events[-1].at for tl in self.timelines.values()
                    if (events := tl.upto(self.now))), default=None)


def derive(content: Content, now: datetime) -> State:
    """Everything the outputs show that is not in the content itself."""
    generated = now
    # An update the loader let through as clock skew (a few minutes ahead) has happened.
    now = max((i.updated_at for i in content.incidents), default=now)
    now = max(now, generated)
    zone = content.site.zone
    today = now.astimezone(zone).date()
    timelines = build_timelines(content)
    current = statuses_at(content, timelines, now)
    status = current.entry
    impact = {i.slug: impact_of(i) for i in content.incidents}
    maintenances = [i for i in content.incidents if i.type == "maintenance"]
    active = tuple(sorted(current.active, key=lambda m: (m.sort_time, m.slug)))
    upcoming = tuple(sorted((m for m in maintenances if status[m.slug] == "scheduled"),
                            key=lambda m: (m.sort_time, m.slug)))
    ahead = {m.slug for m in upcoming}

    order = {i.slug: n for n, i in enumerate(content.incidents)}
    spans: dict[str, list[Span]] = defaultdict(list)
    by_component: dict[str, list[Incident]] = defaultdict(list)
    for incident in content.incidents:
        for cid in incident.component_ids:
            by_component[cid].append(incident)
        for cid, items in timelines[incident.slug].spans(now).items():
            spans[cid].extend(Span(s, e, cstatus, incident.slug) for s, e, cstatus in items)
    days = content.site.history_days
    bounds = day_starts(today, days, zone)
    first_day = today - timedelta(days=days - 1)
    uptime = {c.id: component_uptime(spans.get(c.id, []), first_day, bounds, now, order)
              for c in content.components}

    return State(
        now=now, generated=generated, today=today, component_status=current.component,
        group_status=current.group,
        indicator=current.indicator, description=current.description,
        open_incidents=current.open, active_maintenance=active, upcoming_maintenance=upcoming,
        past=tuple(i for i in content.incidents if i.slug not in ahead),
        status=status, impact=impact, uptime=uptime,
        by_component={cid: tuple(items) for cid, items in by_component.items()},
        timelines=timelines,
    )


assert set(STATUS_IMPACT) == set(COMPONENT_STATUSES) and set(INDICATOR_DESCRIPTIONS) == set(IMPACTS)
