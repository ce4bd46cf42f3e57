"""What the page shows as current at one instant, and at the coming clock instants."""

from __future__ import annotations

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
