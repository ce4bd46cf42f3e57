"""Derived state: a pure function of (content, now). No I/O, no clock."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
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
from generator.state.timeline import (
    Event,
    Timeline,
    build_timeline,
    build_timelines,
    clock_instants,
)
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
    status: dict[str, str]  # slug -> current status
    impact: dict[str, str]  # slug -> impact
    timelines: dict[str, Timeline]  # slug -> the entry's timeline
    # The entries that apply now or that the clock changes later, newest first: the others
    # are settled (Timeline.settled) and no longer change the page's statuses.
    unsettled: tuple[Incident, ...]
    clock: tuple[datetime, ...]  # every instant the clock changes an entry, oldest first
    last_posted: datetime | None  # the latest posted update of any entry
    content: Content = field(repr=False, compare=False)  # what the state is derived from

    def shown(self, incident: Incident) -> tuple[Event, ...]:
        """The entry's events that have happened by now: what pages, feeds and JSON show."""
        return self.timelines[incident.slug].upto(self.now)

    def latest(self, incident: Incident) -> Event:
        return self.timelines[incident.slug].latest(self.now)

    def ended_at(self, incident: Incident) -> datetime | None:
        return self.timelines[incident.slug].ended_at(self.now)

    # What only some outputs need is worked out when first asked for: the dev server
    # makes the page a browser asks for without them.

    @cached_property
    def past(self) -> tuple[Incident, ...]:
        """Every entry but the upcoming maintenance, newest first: what the history pages
        list (upcoming work is shown apart, above them)."""
        if not self.upcoming_maintenance:
            return self.content.incidents
        ahead = {m.slug for m in self.upcoming_maintenance}
        return tuple(i for i in self.content.incidents if i.slug not in ahead)

    @cached_property
    def by_component(self) -> dict[str, tuple[Incident, ...]]:
        """Component id -> its entries, newest first."""
        found: dict[str, list[Incident]] = defaultdict(list)
        for incident in self.content.incidents:
            for cid in incident.component_ids:
                found[cid].append(incident)
        return {cid: tuple(items) for cid, items in found.items()}

    @cached_property
    def uptime(self) -> dict[str, Uptime]:
        """Component id -> its uptime bars and percentages."""
        content, now = self.content, self.now
        order = {i.slug: n for n, i in enumerate(content.incidents)}
        spans: dict[str, list[Span]] = defaultdict(list)
        for incident in content.incidents:
            for cid, items in self.timelines[incident.slug].spans(now).items():
                spans[cid].extend(Span(s, e, cstatus, incident.slug) for s, e, cstatus in items)
        zone, days = content.site.zone, content.site.history_days
        bounds = day_starts(self.today, days, zone)
        first_day = self.today - timedelta(days=days - 1)
        return {c.id: component_uptime(spans.get(c.id, []), first_day, bounds, now, order)
                for c in content.components}

    @cached_property
    def last_change(self) -> datetime | None:
        """When the status last changed: the latest event of any entry's timeline by now
        (a posted update, or the clock opening or closing a maintenance window)."""
        return max((events[-1].at for tl in self.timelines.values()
                    if (events := tl.upto(self.now))), default=None)


def derive(content: Content, now: datetime, previous: State | None = None) -> State:
    """Everything the outputs show that is not in the content itself.

    An earlier State of the same site (`previous`: the dev server's last rebuild) only
    saves work, the result is the same: what is a function of one entry alone (its
    timeline, impact) is kept for the entries that did not change, and only entries that
    were unsettled, or changed, are looked at again (a settled entry stays settled as
    time goes on). Finding what changed is cheap because the dev server's loader keeps
    an unchanged file's entry as the very same object, in the same order.
    """
    generated = now
    if previous is None:
        last_posted = max((i.updated_at for i in content.incidents), default=None)
    else:
        added, removed = _diff(content, previous)
        last_posted = _last_posted(content, previous, added, removed)
    # An update the loader let through as clock skew (a few minutes ahead) has happened.
    now = max(now, last_posted) if last_posted is not None else now
    if previous is not None and previous.now <= now:
        timelines, status, impact, unsettled, clock = _since(content, now, previous, added,
                                                             removed)
    else:  # afresh (a state derived later than now tells nothing about what is settled)
        timelines = build_timelines(content, previous.timelines if previous else None)
        unsettled = tuple(i for i in content.incidents if not timelines[i.slug].settled(now))
        status = {i.slug: timelines[i.slug].status(now) for i in content.incidents}
        impact = {i.slug: impact_of(i) for i in content.incidents}
        clock = clock_instants(timelines)
    current = statuses_at(content, timelines, now, unsettled)
    active = tuple(sorted(current.active, key=lambda m: (m.sort_time, m.slug)))
    upcoming = tuple(sorted((m for m in unsettled if m.type == "maintenance"
                             and status[m.slug] == "scheduled"),
                            key=lambda m: (m.sort_time, m.slug)))
    return State(
        now=now, generated=generated, today=now.astimezone(content.site.zone).date(),
        component_status=current.component, group_status=current.group,
        indicator=current.indicator, description=current.description,
        open_incidents=current.open, active_maintenance=active, upcoming_maintenance=upcoming,
        status=status, impact=impact, timelines=timelines, unsettled=unsettled, clock=clock,
        last_posted=last_posted, content=content,
    )


def _diff(content: Content, previous: State) -> tuple[list[Incident], list[Incident]]:
    """The entries added (an edited one counts as removed and added again) and removed
    since `previous`. Both are in content order, so only what lies between their common
    start and end (equal entries, found by comparing slices: at C speed, and at once
    for the same object) is compared, by identity."""
    old, new = previous.content.incidents, content.incidents
    same = _common(old, new)
    end = _common(old[same:][::-1], new[same:][::-1])
    old_part, new_part = old[same:len(old) - end], new[same:len(new) - end]
    kept, now = set(map(id, old_part)), set(map(id, new_part))
    return [i for i in new_part if id(i) not in kept], [i for i in old_part if id(i) not in now]


def _common(a: tuple[Incident, ...], b: tuple[Incident, ...]) -> int:
    """How many entries a and b have in common from their beginning (bisection)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[low:middle] == b[low:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _last_posted(content: Content, previous: State, added: list[Incident],
                 removed: list[Incident]) -> datetime | None:
    """The latest posted update of any entry, from `previous`'s where it can be."""
    last = previous.last_posted
    newest = max((i.updated_at for i in added), default=None)
    if last is None or (any(i.updated_at >= last for i in removed)
                        and (newest is None or newest < last)):
        return max((i.updated_at for i in content.incidents), default=None)
    return last if newest is None else max(last, newest)


def _since(content: Content, now: datetime, previous: State, added: list[Incident],
           removed: list[Incident]) -> tuple[dict[str, Timeline], dict[str, str],
                                             dict[str, str], tuple[Incident, ...],
                                             tuple[datetime, ...]]:
    """The timelines, statuses, impacts, unsettled entries and clock instants at `now`
    from `previous`'s, given what was added and removed since."""
    timelines = dict(previous.timelines)
    status, impact = dict(previous.status), dict(previous.impact)
    for incident in removed:
        del timelines[incident.slug], status[incident.slug], impact[incident.slug]
    reused = previous.timelines
    for incident in added:
        old = reused.get(incident.slug)
        if old is not None and old.incident == incident:
            timelines[incident.slug], impact[incident.slug] = old, previous.impact[incident.slug]
        else:
            timelines[incident.slug] = build_timeline(incident)
            impact[incident.slug] = impact_of(incident)
    # By slug: an entry kept as equal may be an older object than the content's.
    gone = {i.slug for i in removed}
    candidates = [i for i in previous.unsettled if i.slug not in gone] + added
    for incident in candidates:
        status[incident.slug] = timelines[incident.slug].status(now)
    unsettled = tuple(sorted((i for i in candidates if not timelines[i.slug].settled(now)),
                             key=lambda i: (i.sort_time, i.slug), reverse=True))
    if any(previous.timelines[i.slug].clock_instants() for i in removed) \
            or any(timelines[i.slug].clock_instants() for i in added):
        clock = clock_instants(timelines)
    else:
        clock = previous.clock
    return timelines, status, impact, unsettled, clock


assert set(STATUS_IMPACT) == set(COMPONENT_STATUSES) and set(INDICATOR_DESCRIPTIONS) == set(IMPACTS)
