"""What subscribers are told about, computed from the derived state (state.timeline).

Each event has a key that depends only on what it announces, never on when notify runs,
so the state file can say whether a channel has had it:

- `<slug>/u<n>`: the entry's n-th posted update (0: the entry is new; a `postmortem`
  update: the postmortem). Editing an update in place keeps its key: not re-announced.
- `<slug>/<status>@<time>`: the clock moved the entry (a maintenance window opened or
  closed, a notice's `until` passed).
- `<slug>/reminder@<window start>`: `reminders.maintenance_before` before a window.
- `<slug>/postmortem-link`: the entry got a `postmortem_url`.
- a backfilled (retrospective) entry is one event, `<slug>/u0`, marked as such.
- `component/<id>/<n>/<status>`: the component's n-th status change this channel was
  told about (components: from the displayed status, whatever changed it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from generator.content.model import Content, Incident
from generator.content.timeutil import iso
from generator.state.derive import State
from generator.state.timeline import Event as TimelineEvent

CLOCK_ACTIONS = {"in_progress": "started", "completed": "completed", "resolved": "ended"}


@dataclass(frozen=True)
class NotifyEvent:
    key: str
    kind: str  # incident | maintenance | notice | component
    action: str  # new | update | postmortem | started | completed | ended | reminder | component
    at: datetime  # when it happened (a reminder: when it is due)
    components: tuple[str, ...]  # the component ids it touches (for channel filters)
    incident: Incident | None = None
    event: TimelineEvent | None = None  # the timeline event it announces, if any
    posted: int = -1  # the update's position among the entry's posted updates
    retrospective: bool = False
    component: str = ""  # a component event's component id
    old: str = ""
    new: str = ""


def entry_events(content: Content, state: State,
                 reminder: timedelta | None = None) -> list[NotifyEvent]:
    """Every entry event that has happened by state.now, oldest first."""
    result: list[NotifyEvent] = []
    now = state.now
    for incident in content.incidents:
        slug = incident.slug
        ids = incident.component_ids
        events = state.shown(incident)
        if not events:
            continue
        if incident.backfilled:
            result.append(NotifyEvent(f"{slug}/u0", incident.type, "new", events[0].at, ids,
                                      incident, events[-1], 0, retrospective=True))
        else:
            posted = 0
            for event in events:
                update = event.update
                if update.automatic:
                    result.append(NotifyEvent(f"{slug}/{update.status}@{iso(update.at)}",
                                              incident.type, CLOCK_ACTIONS[update.status],
                                              update.at, ids, incident, event))
                    continue
                action = "new" if posted == 0 else \
                    "postmortem" if update.status == "postmortem" else "update"
                result.append(NotifyEvent(f"{slug}/u{posted}", incident.type, action,
                                          update.at, ids, incident, event, posted))
                posted += 1
        window = incident.window
        if reminder is not None and window is not None and not incident.backfilled \
                and window.start - reminder <= now < window.start \
                and state.status[slug] == "scheduled":
            result.append(NotifyEvent(f"{slug}/reminder@{iso(window.start)}", incident.type,
                                      "reminder", window.start - reminder, ids, incident,
                                      events[-1]))
        if incident.postmortem_url:
            result.append(NotifyEvent(f"{slug}/postmortem-link", incident.type, "postmortem",
                                      events[-1].at, ids, incident, events[-1]))
    order = {i.slug: n for n, i in enumerate(reversed(content.incidents))}
    result.sort(key=lambda e: (e.at, order[e.incident.slug] if e.incident else 0))
    return result


def component_events(state: State, seen: dict[str, tuple[str, int]],
                     order: tuple[str, ...]) -> list[NotifyEvent]:
    """Each component whose displayed status differs from what a channel was last told
    (`seen`: id -> (status, changes told so far)), in display order (`order`). A component
    not in `seen` (new in components.yaml) is taken as told: nothing to announce."""
    result = []
    for cid in order:
        if cid not in seen:
            continue
        old, count = seen[cid]
        new = state.component_status[cid]
        if new != old:
            result.append(NotifyEvent(f"component/{cid}/{count + 1}/{new}", "component",
                                      "component", state.now, (cid,), component=cid,
                                      old=old, new=new))
    return result
