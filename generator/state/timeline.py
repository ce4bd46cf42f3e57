"""One timeline per entry: every answer to "when does an entry start, change, apply,
end" comes from here. Pure functions of the content; no I/O, no clock.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import NamedTuple

from generator.content.model import (
    Content,
    Incident,
    Update,
    status_rank,
)
from generator.state.rules import ACTIVE_MAINTENANCE


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

    def settled(self, now: datetime) -> bool:
        """Whether nothing about the entry changes after now (until its file does): every
        event has happened and it no longer applies."""
        return not self.events or (self.events[-1].at <= now and not self.events[-1].applies)

    def is_open(self, now: datetime) -> bool:
        """An incident or notice is open from its first update until it is resolved."""
        return self.incident.type != "maintenance" and self.incident.started_at <= now \
            and self.latest(now).applies

    @cached_property
    def _clock(self) -> tuple[datetime, ...]:
        return tuple(e.at for e in self.events if e.update.automatic)

    def clock_instants(self) -> tuple[datetime, ...]:
        """When the clock, not an author, changes this entry (past and future)."""
        return self._clock

    def ended_at(self, now: datetime) -> datetime | None:
        """When it was resolved (a maintenance: completed) if it is closed at now: the
        event that last closed it."""
        end: datetime | None = None
        for event in self.upto(now):
            end = (end or event.at) if event.status in CLOSED else None
        return end

    def spans(self, now: datetime) -> dict[str, list[tuple[datetime, datetime, str]]]:
        """For each component, when this entry gave it a status other than operational:
        (start, end, status); a span still running ends at now. (Not to be changed: once
        every event has happened and the entry no longer applies, the spans no longer
        depend on now, and the same dict is returned each time.)"""
        last = self.events[-1] if self.events else None
        if last is None or (now >= last.at and not last.applies):
            return self._settled_spans  # every component is back to operational
        return self._spans(self.upto(now), now)

    @cached_property
    def _settled_spans(self) -> dict[str, list[tuple[datetime, datetime, str]]]:
        return self._spans(self.events, self.events[-1].at if self.events else datetime.min)

    @staticmethod
    def _spans(events: tuple[Event, ...],
               now: datetime) -> dict[str, list[tuple[datetime, datetime, str]]]:
        result: dict[str, list[tuple[datetime, datetime, str]]] = defaultdict(list)
        since: dict[str, tuple[datetime, str]] = {}
        for event in events:
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
        return dict(result)

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


def build_timelines(content: Content,
                    previous: Mapping[str, Timeline] | None = None) -> dict[str, Timeline]:
    """Every entry's timeline, by slug. A timeline is a function of its entry alone, so
    `previous` timelines (an earlier rebuild's) are reused for the entries that are equal
    (the dev server's loader keeps the very same object for an unchanged file)."""
    if not previous:
        return {i.slug: build_timeline(i) for i in content.incidents}
    result = {}
    for incident in content.incidents:
        old = previous.get(incident.slug)
        result[incident.slug] = old if old is not None and (
            old.incident is incident or old.incident == incident) else build_timeline(incident)
    return result


def clock_instants(timelines: dict[str, Timeline]) -> tuple[datetime, ...]:
    """Every instant at which the clock (not a posted update) changes the derived state,
    oldest first: what a scheduled rebuild has to wait for."""
    return tuple(sorted({at for tl in timelines.values() for at in tl.clock_instants()}))


def next_clock_change(timelines: dict[str, Timeline], now: datetime,
                      instants: tuple[datetime, ...] | None = None) -> datetime | None:
    """The first clock instant after now, if any (`instants`: clock_instants(timelines),
    when known)."""
    instants = clock_instants(timelines) if instants is None else instants
    index = bisect_right(instants, now)
    return instants[index] if index < len(instants) else None
