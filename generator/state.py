"""Derived state: pure functions of (content, now). No I/O, no clock.

The rules are the contract of docs/rules.md; each function names the rule it implements.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from fractions import Fraction
from functools import cached_property
from typing import NamedTuple

from generator.model import (
    COMPONENT_STATUSES,
    IMPACTS,
    Content,
    Incident,
    Update,
    impact_rank,
    status_rank,
)
from generator.timeutil import day_starts

# Component status -> impact, for derived impacts and the page indicator.
STATUS_IMPACT = {
    "operational": "none",
    "under_maintenance": "maintenance",
    "degraded_performance": "minor",
    "partial_outage": "major",
    "major_outage": "critical",
}
# Statuspage's wording of status.description, by indicator.
INDICATOR_DESCRIPTIONS = {
    "none": "All Systems Operational",
    "maintenance": "Service Under Maintenance",
    "minor": "Partially Degraded Service",
    "major": "Partial System Outage",
    "critical": "Major System Outage",
}
# Share of time counted as downtime, in tenths (Statuspage's weighting): integer maths
# keeps uptime exact and the output reproducible.
DOWNTIME_TENTHS = {"major_outage": 10, "partial_outage": 3}
ACTIVE_MAINTENANCE = ("in_progress", "verifying")
_US = timedelta(microseconds=1)


def worst_status(statuses: list[str] | tuple[str, ...]) -> str:
    return max(statuses, key=status_rank, default="operational")


def worst_impact(impacts: list[str]) -> str:
    return max(impacts, key=impact_rank, default="none")


def impact_of(incident: Incident) -> str:
    """Explicit impact, else derived: maintenance -> maintenance, else the worst component
    status the entry gives at any time."""
    if incident.impact is not None:
        return incident.impact
    if incident.type == "maintenance":
        return "maintenance"
    statuses = [s for _, s in incident.components]
    statuses += [s for u in incident.updates for _, s in u.components]
    return worst_impact([STATUS_IMPACT[s] for s in statuses])


# --- the timeline ------------------------------------------------------------------------
# Every answer to "when does an entry start, change, apply, end" comes from here.

class Change(NamedTuple):
    """A component status set at an event (old may equal new: it was restated)."""

    component: str
    old: str
    new: str


class Event(NamedTuple):
    """One moment an entry changed: a posted update, or the clock moving a maintenance
    (its window's start or end) as an automatic update, as Statuspage posts them.
    (Immutable tuples: there are several per entry and they are made on every build.)"""

    update: Update
    status: str  # the entry's status after the event
    applies: bool  # its component statuses apply (open incident or notice, active maintenance)
    components: tuple[tuple[str, str], ...]  # every component so far, with its status after
    changes: tuple[Change, ...] | None  # what the event set; None where no status changed

    @property
    def at(self) -> datetime:
        return self.update.at


CLOSED = ("resolved", "postmortem", "completed")


@dataclass(frozen=True)
class Timeline:
    """An entry's events, oldest first: all of them, including clock events still ahead
    (posted updates are never in the future). What has happened by `now` is a prefix."""

    incident: Incident
    events: tuple[Event, ...]

    @cached_property
    def _times(self) -> list[datetime]:
        return [e.at for e in self.events]

    def upto(self, now: datetime) -> tuple[Event, ...]:
        """The events at or before now."""
        return self.events[:bisect_right(self._times, now)]

    def latest(self, now: datetime) -> Event:
        """The latest event by now (the first one if none has happened yet)."""
        return self.events[max(bisect_right(self._times, now) - 1, 0)]

    def status(self, now: datetime) -> str:
        """The entry's status at now (a maintenance not yet posted to: scheduled)."""
        index = bisect_right(self._times, now) - 1
        return self.events[index].status if index >= 0 else "scheduled"

    def is_open(self, now: datetime) -> bool:
        """An incident or notice is open from its first update until it is resolved."""
        return self.incident.type != "maintenance" and self.incident.started_at <= now \
            and self.latest(now).applies

    def clock_instants(self) -> tuple[datetime, ...]:
        """When the clock, not an author, changes this entry (past and future)."""
        return tuple(e.at for e in self.events if e.update.automatic)

    def ended_at(self, now: datetime) -> datetime | None:
        """When it was resolved (a maintenance: completed) if it is closed at now: the
        event that last closed it."""
        end: datetime | None = None
        for event in self.upto(now):
            end = (end or event.at) if event.status in CLOSED else None
        return end

    def spans(self, now: datetime) -> dict[str, list[tuple[datetime, datetime, str]]]:
        """For each component, when this entry gave it a status other than operational:
        (start, end, status); a span still running ends at now."""
        result: dict[str, list[tuple[datetime, datetime, str]]] = defaultdict(list)
        since: dict[str, tuple[datetime, str]] = {}
        for event in self.upto(now):
            for cid, status in event.components:
                previous = since.get(cid)
                if previous is not None and previous[1] == status:
                    continue
                if previous is not None and previous[1] != "operational":
                    result[cid].append((previous[0], event.at, previous[1]))
                since[cid] = (event.at, status)
        for cid, (start, status) in since.items():
            if status != "operational":
                result[cid].append((start, now, status))
        return result

    def affected_time(self, now: datetime) -> timedelta:
        """How long any component was not operational because of this entry, by now."""
        total, reach = timedelta(), None
        for start, end in sorted((s, e) for items in self.spans(now).values()
                                 for s, e, _ in items):
            if reach is not None:
                start = max(start, reach)
            if end > start:
                total += end - start
            reach = end if reach is None else max(reach, end)
        return total

    def duration(self, now: datetime) -> timedelta | None:
        """A closed incident's duration: the time any component was not operational, or,
        where it set none, from its first update to its resolution."""
        end = self.ended_at(now)
        if end is None:
            return None
        affected = self.affected_time(now)
        return affected if affected else end - self.incident.started_at

    def worst(self, now: datetime) -> dict[str, str]:
        """Each component's worst status this entry declares by now, whether it applied
        yet or not (an upcoming maintenance shows what it will do)."""
        result: dict[str, str] = dict(self.incident.components)
        for event in self.upto(now):
            for cid, status in event.update.components:
                if cid not in result or status_rank(status) > status_rank(result[cid]):
                    result[cid] = status
        return result


def _events(incident: Incident) -> list[tuple[Update, bool]]:
    """(update, posted) in time order; at equal times the clock comes first, so a posted
    update at the same instant wins."""
    items = [(u, True) for u in incident.updates]
    if incident.window is not None:
        items += [(Update(incident.window.start, "in_progress", "", automatic=True), False),
                  (Update(incident.window.end, "completed", "", automatic=True), False)]
    if incident.until is not None:  # a notice's end, as an automatic `resolved`
        items.append((Update(incident.until, "resolved", "", automatic=True), False))
    return sorted(items, key=lambda item: (item[0].at, item[1]))


def _next_status(incident: Incident, update: Update, posted: bool, state: str) -> str | None:
    """The entry's status after an update; None where the update does not change it."""
    if incident.type != "maintenance":
        if not posted:  # a notice's `until` closes it, unless it is closed already
            return None if state in CLOSED else update.status
        if state in CLOSED:  # resolved for good; a postmortem does not reopen it
            return "postmortem" if update.status == "postmortem" else state
        return update.status
    if not posted:
        # The window's edges move it, except once it is completed (ended early, cancelled).
        return None if state == "completed" else update.status
    if update.status == "scheduled":
        # A posted `scheduled` never holds back the clock: it counts only before the window.
        assert incident.window is not None
        return "scheduled" if update.at < incident.window.start else None
    return update.status


def _applies(incident: Incident, state: str) -> bool:
    if incident.type == "maintenance":
        return state in ACTIVE_MAINTENANCE
    return state not in CLOSED


def build_timeline(incident: Incident) -> Timeline:
    """The entry's events with its status and component statuses after each (docs/rules.md,
    "The timeline")."""
    declared: dict[str, str] = dict(incident.components)  # what the entry gives while it applies
    shown: dict[str, str] = {}  # what it gives after the last event
    state = "scheduled"
    applies = False
    events: list[Event] = []
    for update, posted in _events(incident):
        new_state = _next_status(incident, update, posted, state)
        if not posted and new_state in (None, state):
            continue  # the clock changes nothing (an update already did, or it is over)
        state = new_state or state
        if not update.components and _applies(incident, state) == applies:
            # The common case: a status change that sets no component (fast path).
            events.append(Event(update, state, applies, tuple(shown.items()), None))
            continue
        declared.update(update.components)
        touched = [cid for cid, _ in update.components]
        if _applies(incident, state) != applies:
            applies = not applies
            touched = [*declared, *touched]  # starting or ending sets every component
        before = dict(shown)
        shown = {cid: status if applies else "operational" for cid, status in declared.items()}
        changes = tuple(Change(cid, before.get(cid, "operational"), shown[cid])
                        for cid in dict.fromkeys(touched))
        events.append(Event(update, state, applies, tuple(shown.items()),
                            changes if any(c.old != c.new for c in changes) else None))
    return Timeline(incident, tuple(events))


def build_timelines(content: Content) -> dict[str, Timeline]:
    """Every entry's timeline, by slug."""
    return {i.slug: build_timeline(i) for i in content.incidents}


def clock_instants(timelines: dict[str, Timeline]) -> tuple[datetime, ...]:
    """Every instant at which the clock (not a posted update) changes the derived state,
    oldest first: what a scheduled rebuild has to wait for."""
    return tuple(sorted({at for tl in timelines.values() for at in tl.clock_instants()}))


def next_clock_change(timelines: dict[str, Timeline], now: datetime) -> datetime | None:
    """The first clock instant after now, if any."""
    instants = clock_instants(timelines)
    index = bisect_right(instants, now)
    return instants[index] if index < len(instants) else None


# --- uptime ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Day:
    """One uptime bar: a local calendar day of one component."""

    date: date
    start: datetime  # UTC
    end: datetime  # UTC; for today, now
    worst: str  # worst status any incident gave the component that day
    downtime: timedelta  # weighted
    uptime: str  # percent, two decimals, rounded down
    incidents: tuple[str, ...]  # slugs, in content order (newest first)


@dataclass(frozen=True)
class WindowUptime:
    """Uptime over the last `days` days (today included): what a narrower screen shows."""

    days: int
    first_day: date
    percent: str  # two decimals, rounded down


@dataclass(frozen=True)
class Uptime:
    days: tuple[Day, ...]  # oldest first; the last one is today
    percent: str  # over the whole period, two decimals, rounded down
    downtime: timedelta  # weighted, over the whole period
    windows: tuple[WindowUptime, ...]  # shortest first; the last is the whole period
    down_tenths_us: int = 0  # the exact weighted downtime: tenths-weighted microseconds
    total_us: int = 0  # the period's length in microseconds

    def below(self, target: str) -> bool:
        """Whether the period's exact uptime is under `target` percent (a component's
        `sla`); exact, so 99.899...% is below 99.9 and 99.9% is not."""
        if self.total_us <= 0:
            return False
        exact = Fraction(10 * self.total_us - self.down_tenths_us, 10 * self.total_us) * 100
        return exact < Fraction(target)


# Shorter periods shown on narrower screens (as Statuspage shows 30, 60 or 90 days).
SHORT_WINDOWS = (30, 60)


def uptime_windows(history_days: int) -> tuple[int, ...]:
    """The periods the bars can show, shortest first: 30 and 60 days where shorter than
    history_days, and history_days itself (90 -> 30, 60, 90; 45 -> 30, 45; 14 -> 14)."""
    return (*(n for n in SHORT_WINDOWS if n < history_days), history_days)


def window_percents(down: list[int], totals: list[int],
                    windows: tuple[int, ...]) -> tuple[str, ...]:
    """Uptime over the last n days for each n in `windows`, from each day's weighted
    downtime (tenths of microseconds) and length (microseconds), oldest day first."""
    return tuple(percent(sum(down[-n:]), sum(totals[-n:])) for n in windows)


def percent(down_tenths_us: int, total_us: int) -> str:
    """Uptime as a percentage with two decimals, rounded down (99.999 -> '99.99')."""
    if total_us <= 0:
        return "100.00"
    hundredths = (10 * total_us - down_tenths_us) * 10000 // (10 * total_us)
    return f"{hundredths // 100}.{hundredths % 100:02d}"


@dataclass(frozen=True)
class Span:
    start: datetime
    end: datetime
    status: str
    slug: str


def component_uptime(spans: list[Span], first_day: date, bounds: list[datetime], now: datetime,
                     order: dict[str, int]) -> Uptime:
    """Uptime bars for one component from the spans of the incidents that touched it.

    `bounds` are the day boundaries (days + 1 instants, UTC); the last day ends at now.
    Overlapping incidents count once, at the worst status at each moment.
    """
    days = len(bounds) - 1
    period_start = bounds[0]
    down = [0] * days  # tenths-weighted microseconds
    worst = ["operational"] * days
    touched: list[set[str]] = [set() for _ in range(days)]

    def day_index(at: datetime) -> int:
        return min(max(bisect_right(bounds, at) - 1, 0), days - 1)

    # Worst status and incidents per day.
    for span in spans:
        start, end = max(span.start, period_start), min(span.end, now)
        if end < start or (start >= now and span.start != span.end):
            continue
        first, last = day_index(start), day_index(end)
        if end > start and end == bounds[last] and last > first:
            last -= 1  # ends exactly at midnight: does not touch the next day
        for i in range(first, last + 1):
            touched[i].add(span.slug)
            if status_rank(span.status) > status_rank(worst[i]):
                worst[i] = span.status

    # Weighted downtime: sweep the span edges, counting the worst status at each moment.
    edges: list[tuple[datetime, int, str]] = []
    for span in spans:
        start, end = max(span.start, period_start), min(span.end, now)
        if end > start and span.status in DOWNTIME_TENTHS:
            edges.append((start, 1, span.status))
            edges.append((end, -1, span.status))
    edges.sort()
    active = dict.fromkeys(DOWNTIME_TENTHS, 0)
    previous: datetime | None = None
    for at, delta, status in edges:
        if previous is not None and at > previous:
            weight = max((DOWNTIME_TENTHS[s] for s, n in active.items() if n), default=0)
            if weight:
                _spread(previous, at, weight, bounds, down, day_index)
        active[status] += delta
        previous = at

    bars = []
    totals = []
    for i in range(days):
        end = min(bounds[i + 1], now)
        total = (end - bounds[i]) // _US
        totals.append(total)
        bars.append(Day(
            date=first_day + timedelta(days=i),
            start=bounds[i], end=end, worst=worst[i],
            downtime=timedelta(microseconds=down[i] / 10), uptime=percent(down[i], total),
            incidents=tuple(sorted(touched[i], key=order.__getitem__)),
        ))
    total_down = sum(down)
    lengths = uptime_windows(days)
    windows = tuple(WindowUptime(n, first_day + timedelta(days=days - n), p)
                    for n, p in zip(lengths, window_percents(down, totals, lengths), strict=True))
    return Uptime(tuple(bars), windows[-1].percent, timedelta(microseconds=total_down / 10),
                  windows, total_down, (now - period_start) // _US)


def _spread(start: datetime, end: datetime, weight: int, bounds: list[datetime],
            down: list[int], day_index: Callable[[datetime], int]) -> None:
    """Add weighted time [start, end) to the days it covers, split at local midnight."""
    i = day_index(start)
    while start < end:
        boundary = bounds[i + 1] if i + 1 < len(bounds) else end
        stop = min(end, boundary)
        down[i] += weight * ((stop - start) // _US)
        start = stop
        i = min(i + 1, len(down) - 1)


# --- the whole page ----------------------------------------------------------------------

@dataclass(frozen=True)
class Statuses:
    """What the page shows as current at one instant (docs/rules.md, "Component, group and
    page status")."""

    component: dict[str, str]
    group: dict[str, str]
    indicator: str
    description: str
    entry: dict[str, str]  # slug -> the entry's status
    open: tuple[Incident, ...]  # open incidents and notices, in content order
    active: tuple[Incident, ...]  # maintenance in progress, in content order


def statuses_at(content: Content, timelines: dict[str, Timeline], instant: datetime,
                entries: tuple[Incident, ...] | None = None) -> Statuses:
    """The derived statuses at `instant`, from the timelines. `entries` (default: all) may
    leave out entries that cannot apply at `instant` (see `schedule`)."""
    entries = content.incidents if entries is None else entries
    status = {i.slug: timelines[i.slug].status(instant) for i in entries}
    open_entries = tuple(i for i in entries if timelines[i.slug].is_open(instant))
    active = tuple(i for i in entries
                   if i.type == "maintenance" and status[i.slug] in ACTIVE_MAINTENANCE)
    given: dict[str, list[str]] = defaultdict(list)
    for incident in (*open_entries, *active):
        for cid, cstatus in timelines[incident.slug].latest(instant).components:
            given[cid].append(cstatus)
    component_status = {}
    for component in content.components:
        statuses = given.get(component.id, [])
        if component.status:
            statuses = [*statuses, component.status]
        component_status[component.id] = worst_status(statuses)
    group_status = {g.id: worst_status([component_status[c.id] for c in g.components])
                    for g in content.groups}
    indicator = worst_impact([impact_of(i) for i in (*open_entries, *active)]
                             + [STATUS_IMPACT[s] for s in component_status.values()])
    return Statuses(component_status, group_status, indicator,
                    INDICATOR_DESCRIPTIONS[indicator], status, open_entries, active)


# The page carries the statuses at the coming clock instants, for the script that shows
# them between builds: this many, this far ahead (a site is rebuilt at least daily).
SCHEDULE_STEPS = 20
SCHEDULE_HORIZON = timedelta(days=14)


def schedule(content: Content, timelines: dict[str, Timeline],
             now: datetime) -> tuple[tuple[datetime, Statuses], ...]:
    """The statuses at each clock instant after now (the next SCHEDULE_STEPS within
    SCHEDULE_HORIZON), oldest first; `entry` holds the entries that may change."""
    instants = [at for at in clock_instants(timelines) if now < at <= now + SCHEDULE_HORIZON]
    if not instants:
        return ()
    # Posted updates are never ahead of now, so only an entry that applies now or has a
    # clock event ahead can apply later.
    entries = tuple(i for i in content.incidents if timelines[i.slug].latest(now).applies
                    or timelines[i.slug].events[-1].at > now)
    return tuple((at, statuses_at(content, timelines, at, entries))
                 for at in instants[:SCHEDULE_STEPS])

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
