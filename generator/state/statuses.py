"""What the page shows as current at one instant, and at the coming clock instants."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from generator.content.model import (
    Content,
    Incident,
)
from generator.state.rules import (
    ACTIVE_MAINTENANCE,
    INDICATOR_DESCRIPTIONS,
    STATUS_IMPACT,
    impact_of,
    worst_impact,
    worst_status,
)
from generator.state.timeline import Timeline, clock_instants


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


def schedule(content: Content, timelines: dict[str, Timeline], now: datetime,
             instants: tuple[datetime, ...] | None = None,
             unsettled: tuple[Incident, ...] | None = None
             ) -> tuple[tuple[datetime, Statuses], ...]:
    """The statuses at each clock instant after now (the next SCHEDULE_STEPS within
    SCHEDULE_HORIZON), oldest first; `entry` holds the entries that may change.
    `instants` (clock_instants of the timelines) and `unsettled` (the entries not
    settled at now, in content order) are worked out unless given (State has them)."""
    every = clock_instants(timelines) if instants is None else instants
    ahead = every[bisect_right(every, now):bisect_right(every, now + SCHEDULE_HORIZON)]
    if not ahead:
        return ()
    # Posted updates are never ahead of now, so only an entry that applies now or has a
    # clock event ahead (one not settled) can apply later.
    entries = unsettled if unsettled is not None else tuple(
        i for i in content.incidents if not timelines[i.slug].settled(now))
    return tuple((at, statuses_at(content, timelines, at, entries))
                 for at in ahead[:SCHEDULE_STEPS])
