"""Derived state: pure functions of (content, now). No I/O, no clock.

The rules are the contract of docs/rules.md; each function names the rule it implements.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

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
    """Explicit impact, else derived: maintenance -> maintenance, else worst component."""
    if incident.impact is not None:
        return incident.impact
    if incident.type == "maintenance":
        return "maintenance"
    return worst_impact([STATUS_IMPACT[s] for _, s in incident.components])


def is_open(incident: Incident, now: datetime) -> bool:
    """An incident or notice is open from its first update until a `resolved` one."""
    if incident.type == "maintenance":
        return False
    resolved = incident.resolved_at
    return incident.started_at <= now and (resolved is None or resolved > now)


def maintenance_events(incident: Incident) -> list[tuple[datetime, str, bool]]:
    """(time, status, explicit) in time order; at equal times the posted update wins."""
    assert incident.window is not None
    events = [(incident.window.start, "in_progress", False),
              (incident.window.end, "completed", False)]
    events += [(u.at, u.status, True) for u in incident.updates]
    # Stable sort: clock events sort before explicit ones at the same instant.
    return sorted(events, key=lambda e: (e[0], e[2]))


def _maintenance_states(incident: Incident,
                        now: datetime) -> list[tuple[datetime, str, bool]]:
    """The sequence of (time, state, explicit) changes up to now; explicit is False where
    the clock made the change."""
    state: str | None = None
    changes: list[tuple[datetime, str, bool]] = []
    for at, status, explicit in maintenance_events(incident):
        if at > now:
            break
        if not explicit and state == "completed":
            continue  # completed early: the clock no longer moves it
        if status != state:
            state = status
            changes.append((at, status, explicit))
    return changes


def maintenance_state(incident: Incident, now: datetime) -> str:
    """The latest of explicit updates and window transitions at or before now."""
    changes = _maintenance_states(incident, now)
    return changes[-1][1] if changes else "scheduled"


def maintenance_active_spans(incident: Incident, now: datetime) -> list[tuple[datetime, datetime]]:
    """When the maintenance was in progress or verifying (the last span may end at now)."""
    spans: list[tuple[datetime, datetime]] = []
    started: datetime | None = None
    for at, state, _ in _maintenance_states(incident, now):
        active = state in ACTIVE_MAINTENANCE
        if active and started is None:
            started = at
        elif not active and started is not None:
            spans.append((started, at))
            started = None
    if started is not None:
        spans.append((started, now))
    return spans


def timeline(incident: Incident, now: datetime) -> tuple[Update, ...]:
    """What has happened by now, oldest first: the posted updates and, for a maintenance,
    the moments the clock moved it (window start, window end) as automatic updates, as
    Statuspage posts them, so that pages, feeds and JSON show every change."""
    items = [u for u in incident.updates if u.at <= now]
    if incident.type == "maintenance":
        items += [Update(at, status, "", automatic=True)
                  for at, status, explicit in _maintenance_states(incident, now)
                  if not explicit]
        items.sort(key=lambda u: (u.at, not u.automatic))  # the clock first, as in events
    return tuple(items)


def latest_update(incident: Incident, now: datetime) -> Update:
    """The latest entry of the timeline (the first update if none is posted yet)."""
    items = timeline(incident, now)
    return items[-1] if items else incident.updates[0]


def current_status(incident: Incident, now: datetime) -> str:
    """The status shown for an entry: its maintenance state, or its latest update's status."""
    if incident.type == "maintenance":
        return maintenance_state(incident, now)
    return latest_update(incident, now).status


def resolved_at(incident: Incident, now: datetime) -> datetime | None:
    """When an entry was resolved (a maintenance: completed), if it is by now."""
    if incident.type == "maintenance":
        changes = _maintenance_states(incident, now)
        return changes[-1][0] if changes and changes[-1][1] == "completed" else None
    resolved = incident.resolved_at
    return resolved if resolved is not None and resolved <= now else None


def incident_spans(incident: Incident, now: datetime) -> list[tuple[datetime, datetime]]:
    """When an entry's component statuses applied."""
    if incident.type == "maintenance":
        return maintenance_active_spans(incident, now)
    end = incident.resolved_at
    return [(incident.started_at, min(end, now) if end else now)]


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
class Uptime:
    days: tuple[Day, ...]  # oldest first; the last one is today
    percent: str  # over the whole period, two decimals, rounded down
    downtime: timedelta  # weighted, over the whole period


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
    for i in range(days):
        end = min(bounds[i + 1], now)
        total = (end - bounds[i]) // _US
        bars.append(Day(
            date=first_day + timedelta(days=i),
            start=bounds[i], end=end, worst=worst[i],
            downtime=timedelta(microseconds=down[i] / 10), uptime=percent(down[i], total),
            incidents=tuple(sorted(touched[i], key=order.__getitem__)),
        ))
    total_down = sum(down)
    return Uptime(tuple(bars), percent(total_down, (now - period_start) // _US),
                  timedelta(microseconds=total_down / 10))


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
class State:
    now: datetime
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
    uptime: dict[str, Uptime]  # component id -> uptime
    by_component: dict[str, tuple[Incident, ...]]  # component id -> its entries, newest first


def derive(content: Content, now: datetime) -> State:
    """Everything the outputs show that is not in the content itself."""
    zone = content.site.zone
    today = now.astimezone(zone).date()
    status = {i.slug: current_status(i, now) for i in content.incidents}
    impact = {i.slug: impact_of(i) for i in content.incidents}
    open_incidents = tuple(i for i in content.incidents if is_open(i, now))
    maintenances = [i for i in content.incidents if i.type == "maintenance"]
    active = tuple(sorted((m for m in maintenances if status[m.slug] in ACTIVE_MAINTENANCE),
                          key=lambda m: (m.sort_time, m.slug)))
    upcoming = tuple(sorted((m for m in maintenances if status[m.slug] == "scheduled"
                             and m.window and m.window.end > now),
                            key=lambda m: (m.sort_time, m.slug)))

    given: dict[str, list[str]] = defaultdict(list)
    for incident in (*open_incidents, *active):
        for cid, cstatus in incident.components:
            given[cid].append(cstatus)
    component_status = {}
    for component in content.components:
        statuses = given.get(component.id, [])
        if component.status:
            statuses = [*statuses, component.status]
        component_status[component.id] = worst_status(statuses)
    group_status = {g.id: worst_status([component_status[c.id] for c in g.components])
                    for g in content.groups}

    indicator = worst_impact([impact[i.slug] for i in (*open_incidents, *active)]
                             + [STATUS_IMPACT[s] for s in component_status.values()])

    order = {i.slug: n for n, i in enumerate(content.incidents)}
    spans: dict[str, list[Span]] = defaultdict(list)
    by_component: dict[str, list[Incident]] = defaultdict(list)
    for incident in content.incidents:
        if not incident.components:
            continue
        windows = incident_spans(incident, now)
        for cid, cstatus in incident.components:
            by_component[cid].append(incident)
            spans[cid].extend(Span(s, e, cstatus, incident.slug) for s, e in windows)
    days = content.site.history_days
    bounds = day_starts(today, days, zone)
    first_day = today - timedelta(days=days - 1)
    uptime = {c.id: component_uptime(spans.get(c.id, []), first_day, bounds, now, order)
              for c in content.components}

    return State(
        now=now, today=today, component_status=component_status, group_status=group_status,
        indicator=indicator, description=INDICATOR_DESCRIPTIONS[indicator],
        open_incidents=open_incidents, active_maintenance=active, upcoming_maintenance=upcoming,
        status=status, impact=impact, uptime=uptime,
        by_component={cid: tuple(items) for cid, items in by_component.items()},
    )


assert set(STATUS_IMPACT) == set(COMPONENT_STATUSES) and set(INDICATOR_DESCRIPTIONS) == set(IMPACTS)
