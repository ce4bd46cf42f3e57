"""The human-readable site: HTML pages from the context (content + derived state).

Every page is rendered to bytes in memory, keyed by its output path. Links are relative
(`root` is the way back to the site root), so a site works under any sub-path. Templates
only lay out markup: everything they show is prepared here as small view objects
(docs/theming.md lists what each template gets). A new page is a template plus an entry
in `Pages.makers` and `page_paths` below (the sitemap reads the latter).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache, cached_property, partial
from itertools import groupby
from typing import Any

from generator.content.model import Component, Content, Group, Incident, Measured, Update
from generator.content.timeutil import iso
from generator.outputs.context import Context
from generator.site.parallel import Task
from generator.site.paths import (
    HISTORY_KINDS,
    SUBSCRIBE_DIR,
    HistoryPage,
    component_dir,
    history_pages,
    history_path,
    incident_dir,
)
from generator.state.derive import State
from generator.state.rules import worst_status
from generator.state.statuses import schedule
from generator.state.timeline import CLOSED
from generator.state.uptime import Day, Uptime, WindowUptime, percent
from generator.theme.i18n import Translator
from generator.theme.templates import Renderer
from generator.theme.themes import Theme

RECENT_ON_COMPONENT = 50
SUBSCRIBE_PAGE = SUBSCRIBE_DIR + "index.html"
# Quiet stretches of the uptime bars are drawn as a few elements whose lengths are powers
# of two (the stylesheet has a class for each), not one element per day: this keeps the
# home page light however many days and components there are.
QUIET_PIECES = tuple(2**n for n in range(11, -1, -1))  # 2048 ... 1; history_days <= 3650


# --- view objects ------------------------------------------------------------------------

@dataclass(frozen=True)
class StatusWord:
    """How a status is shown: the catalogue key of its word and the pill's class (p-code)."""

    key: str
    code: str


@cache  # a handful of words, asked for by every entry and update of every page
def status_word(kind: str, status: str, update: bool = False) -> StatusWord:
    """A notice is an announcement, not an investigation: it is current until it ends, and
    its updates are just updates (`update`: the word for one update in a timeline)."""
    if kind != "notice" or status == "postmortem":
        return StatusWord("incident_status." + status, status)
    code = "ended" if status in CLOSED else "update" if update else "active"
    return StatusWord("notice_status." + code, code)


@dataclass(frozen=True)
class AffectedView:
    id: str
    name: str
    status: str
    linked: bool = True  # it has a page (a hidden component has none)


@dataclass(frozen=True)
class ChangeView:
    """A component status an update changed ("API: Degraded performance → Major outage")."""

    id: str
    name: str
    old: str
    new: str


@dataclass(frozen=True)
class UpdateView:
    """One event of the timeline as pages show it."""

    update: Update
    changes: tuple[ChangeView, ...]  # only real changes (old != new)
    word: StatusWord

    @property
    def at(self) -> datetime:
        return self.update.at

    @property
    def status(self) -> str:
        return self.update.status


@dataclass(frozen=True)
class EntryView:
    """An incident, maintenance or notice as cards, lists and its own page show it."""

    incident: Incident
    status: str  # current status (maintenance: by the clock and its updates)
    word: StatusWord  # how the status is shown
    impact: str
    latest: Update
    updates: tuple[UpdateView, ...]  # the timeline so far, newest first
    # Each component with the status the entry gives it now while it applies, else the
    # worst it gave (or, for upcoming maintenance, will give).
    affected: tuple[AffectedView, ...]
    resolved_at: datetime | None
    duration: timedelta | None  # Timeline.duration, for resolved incidents
    # The clock changes it after now: the script may show that between builds.
    flips: bool


# The bars show fewer days on narrower screens: screen 0 (narrow), 1 (medium) and 2 (wide)
# show the uptime windows' shortest, next and whole period (state.uptime_windows). The
# stylesheet switches by width, no script: .n30/.m60 on the bars clip them to the last 30/60
# days, .from1/.from2 hide what only wider screens show, .upto0/.upto1 what only narrower do.
SCREENS = 3


@dataclass(frozen=True)
class QuietPiece:
    """Consecutive days without incidents: `days` is a power of two."""

    days: int
    quiet: bool = True


@dataclass(frozen=True)
class DayView:
    """A day with incidents: a focusable bar with its tooltip."""

    date: date
    status: str  # the worst status of the component that day
    uptime: str
    entries: tuple[Incident, ...]
    end: bool  # in the right half of the bars: the tooltip opens leftwards
    quiet: bool = False
    shown_from: int = 0  # the narrowest screen that shows it (0: all)


@dataclass(frozen=True)
class WindowView:
    """One uptime window as a screen width shows it: its summary and first day."""

    window: WindowUptime
    shown_from: int  # the narrowest screen that shows it
    shown_upto: int  # the widest screen that shows it


@dataclass(frozen=True)
class ChartView:
    """A component's probe results (docs/probes.md): measured uptime and the daily mean
    response time as SVG path data, a sparkline (100 x 20) and a chart (CHART_W x CHART_H
    inside its axes); days without an answer are gaps."""

    uptime: str  # the share of runs that were not down, as a percentage
    runs: int
    spark: str
    path: str
    low: int  # the lowest and highest daily mean, in ms
    high: int
    top: int  # the chart's y axis runs from 0 to this many ms
    first_day: date


CHART_W, CHART_H = 560, 140


@dataclass(frozen=True)
class ComponentView:
    component: Component
    status: str
    uptime: Uptime
    bars: tuple[QuietPiece | DayView, ...]
    days: int  # how many days the bars cover
    first_day: date
    windows: tuple[WindowView, ...]  # shortest first
    below: bool = False  # the period's uptime is under the component's `sla`
    measured: ChartView | None = None  # probe results, when there are any


@dataclass(frozen=True)
class GroupView:
    group: Group | None  # None: the ungrouped components
    status: str
    open: bool  # shown expanded: a group with a problem is never hidden
    rows: tuple[ComponentView, ...]


@dataclass(frozen=True)
class HistoryFilter:
    """A link to one of the history's lists (every entry, or one type)."""

    kind: str | None
    href: str
    current: bool


@dataclass(frozen=True)
class MonthSection:
    label: str
    entries: tuple[EntryView, ...]


def entry_view(incident: Incident, state: State,
               components: dict[str, Component]) -> EntryView:
    timeline = state.timelines[incident.slug]
    now = state.now
    events = timeline.upto(now)
    latest = timeline.latest(now)
    statuses = dict(latest.components) if latest.applies else timeline.worst(now)
    # A maintenance shows its window rather than a resolution time and duration.
    ended = timeline.ended_at(now) if incident.type != "maintenance" else None
    status = state.status[incident.slug]
    return EntryView(
        incident=incident, status=status, word=status_word(incident.type, status),
        impact=state.impact[incident.slug], latest=latest.update,
        updates=tuple(UpdateView(e.update, tuple(
            ChangeView(c.component, components[c.component].name, c.old, c.new)
            for c in e.changes or () if c.old != c.new),
            status_word(incident.type, e.update.status, update=True))
            for e in reversed(events)),
        affected=tuple(AffectedView(cid, components[cid].name, statuses[cid],
                                    not components[cid].hidden)
                       for cid in incident.component_ids if cid in statuses),
        resolved_at=ended,
        duration=timeline.duration(now) if ended else None,
        flips=any(at > now for at in timeline.clock_instants()),
    )


def schedule_json(content: Content, state: State, renderer: Renderer) -> str:
    """The page's statuses at the coming clock instants, as JSON for enhance.js (docs/
    rules.md, "Between builds"); empty when nothing is ahead. Words come from the
    catalogue; each step lists every component, group and entry that differs from the
    build in any step, so the script needs only the latest step that has begun."""
    steps = schedule(content, state.timelines, state.now, state.clock, state.unsettled)
    if not steps:
        return ""
    t = renderer.t
    component_ids = sorted({c for _, s in steps for c, v in s.component.items()
                            if v != state.component_status[c]})
    group_ids = sorted({g for _, s in steps for g, v in s.group.items()
                        if v != state.group_status[g]})
    slugs = sorted({slug for _, s in steps for slug, v in s.entry.items()
                    if v != state.status[slug]})

    def entry(slug: str, status: str) -> list[str]:
        word = status_word(state.timelines[slug].incident.type, status)
        return [word.code, t(word.key)]

    indicators = [state.indicator, *dict.fromkeys(s.indicator for _, s in steps)]
    document = {
        "indicator": state.indicator,
        "favicons": {i: renderer.asset(f"favicon-{i}.svg") for i in dict.fromkeys(indicators)},
        "steps": [{
            "at": iso(at),
            "indicator": [s.indicator, t("indicator." + s.indicator)],
            "components": {c: [s.component[c], t("component_status." + s.component[c])]
                           for c in component_ids},
            "groups": {g: [s.group[g], t("component_status." + s.group[g])] for g in group_ids},
            "entries": {slug: entry(slug, s.entry[slug]) for slug in slugs},
        } for at, s in steps],
    }
    # An attribute of <body>, escaped like any other (no inline script: docs/theming.md).
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def quiet_pieces(days: int) -> list[QuietPiece]:
    """A run of quiet days as powers of two, largest first (37 -> 32, 4, 1)."""
    pieces = []
    for size in QUIET_PIECES:
        while days >= size:
            pieces.append(QuietPiece(size))
            days -= size
    return pieces


def screen_windows(windows: tuple[int, ...]) -> tuple[int, ...]:
    """The number of days each screen shows, narrow to wide: (30, 60, 90); (30, 45, 45)."""
    return tuple(windows[min(s, len(windows) - 1)] for s in range(SCREENS))


def first_screen(age: int, shown: tuple[int, ...]) -> int:
    """The narrowest screen showing a day `age` days before today (0: today)."""
    return next(s for s, n in enumerate(shown) if age < n)


def bars(days: tuple[Day, ...], by_slug: dict[str, Incident],
         windows: tuple[int, ...] | None = None) -> tuple[QuietPiece | DayView, ...]:
    """The bars, oldest first. Narrower screens clip the older days (style.css); a day with
    incidents they clip says so (`shown_from`), so that it is not focusable there."""
    shown = screen_windows(windows or (len(days),))
    out: list[QuietPiece | DayView] = []
    quiet = 0
    for index, day in enumerate(days):
        if not day.incidents:
            quiet += 1
            continue
        out += quiet_pieces(quiet)
        quiet = 0
        out.append(DayView(day.date, day.worst, day.uptime,
                           tuple(by_slug[s] for s in day.incidents), index * 2 >= len(days),
                           shown_from=first_screen(len(days) - 1 - index, shown)))
    out += quiet_pieces(quiet)
    return tuple(out)


def window_views(uptime: Uptime) -> tuple[WindowView, ...]:
    lengths = tuple(w.days for w in uptime.windows)
    shown = screen_windows(lengths)
    return tuple(WindowView(w, shown.index(w.days), len(shown) - 1 - shown[::-1].index(w.days))
                 for w in uptime.windows)


def nice_top(value: int) -> int:
    """The smallest 1, 2 or 5 times a power of ten that is at least `value` (ms)."""
    top = 1
    while True:
        for step in (1, 2, 5):
            if top * step >= value:
                return top * step
        top *= 10


def chart_path(values: Sequence[int | None], width: float, height: float, top: int) -> str:
    """SVG path data: one point per day, left to right; a day without data breaks the line
    (a lone day is a dot: a zero-length line with round caps)."""
    step = width / (len(values) - 1) if len(values) > 1 else 0.0
    parts: list[str] = []
    pen_down = False
    for index, value in enumerate(values):
        if value is None:
            pen_down = False
            continue
        x = index * step if len(values) > 1 else width / 2
        y = height - min(value, top) * height / top
        parts.append(f"{'L' if pen_down else 'M'}{x:.1f} {y:.1f}")
        if not pen_down:
            parts.append("h0")  # a lone day still shows
        pen_down = True
    return " ".join(parts)


def chart_view(measured: Measured) -> ChartView | None:
    means = [d.ms for d in measured.days]
    known = [m for m in means if m is not None]
    runs = measured.runs
    if not runs:
        return None
    high = max(known, default=0)
    top = nice_top(max(high, 1))
    return ChartView(percent(10 * measured.down, runs), runs,
                     chart_path(means, 100, 20, top), chart_path(means, CHART_W, CHART_H, top),
                     min(known, default=0), high, top, measured.first_day)


def component_view(component: Component, state: State, by_slug: dict[str, Incident],
                   measured: Measured | None = None) -> ComponentView:
    uptime = state.uptime[component.id]
    lengths = tuple(w.days for w in uptime.windows)
    return ComponentView(component, state.component_status[component.id], uptime,
                         bars(uptime.days, by_slug, lengths), len(uptime.days),
                         uptime.days[0].date, window_views(uptime),
                         component.sla is not None and uptime.below(component.sla),
                         chart_view(measured) if measured is not None else None)


def group_views(content: Content, state: State,
                by_slug: dict[str, Incident]) -> list[GroupView]:
    measured = dict(content.measured)

    def rows(components: tuple[Component, ...]) -> tuple[ComponentView, ...]:
        return tuple(component_view(c, state, by_slug, measured.get(c.id))
                     for c in components if not c.hidden)

    views = []
    for g in content.groups:
        shown = rows(g.components)
        if not shown:
            continue  # every component hidden: so is the group
        # The badge sums up what the group shows; with nothing hidden, the group's status.
        status = state.group_status[g.id] if len(shown) == len(g.components) \
            else worst_status([row.status for row in shown])
        views.append(GroupView(g, status, status != "operational", shown))
    ungrouped = rows(content.ungrouped)
    if ungrouped:
        views.append(GroupView(None, "", True, ungrouped))
    return views


def by_month(entries: tuple[EntryView, ...] | list[EntryView], t: Translator,
             zone: Any) -> list[MonthSection]:
    def key(e: EntryView) -> tuple[int, int]:
        local = e.incident.sort_time.astimezone(zone)
        return local.year, local.month

    return [MonthSection(t.month(*month), tuple(items))
            for month, items in groupby(entries, key=key)]


Maker = Callable[[], bytes]


class Pages:
    """The HTML pages of one build (or of one `serve` rebuild), each made when asked for.

    Pages other than the index get only the variables named here (docs/theming.md), and
    each is remembered under a key made of exactly those: `serve` re-renders a page only
    when something it shows has changed. What pages share (each entry's view, the clock's
    schedule, the history's lists) is worked out once, when first needed: `serve` makes
    the page a browser asks for without working out the others first.
    """

    def __init__(self, ctx: Context, renderer: Renderer):
        self.r = renderer
        self.content, self.state = ctx.content, ctx.state
        self.components = {c.id: c for c in self.content.components}
        self._views: dict[str, EntryView] = {}

    @cached_property
    def by_slug(self) -> dict[str, Incident]:
        return {i.slug: i for i in self.content.incidents}

    def view(self, incident: Incident) -> EntryView:
        """The entry as pages show it, remembered under what it is made from: the entry,
        how many of its events have happened (its status, latest update, duration and
        whether the clock changes it later all follow), and its components' names."""
        found = self._views.get(incident.slug)
        if found is None:
            shown = len(self.state.shown(incident))
            names = tuple((self.components[cid].name, self.components[cid].hidden)
                          for cid in incident.component_ids)
            found = self.r.memo.get(("entry", incident.slug), (incident, shown, names),
                                    partial(entry_view, incident, self.state, self.components))
            self._views[incident.slug] = found
        return found

    def entries(self, items: tuple[Incident, ...]) -> tuple[EntryView, ...]:
        return tuple(self.view(i) for i in items)

    @cached_property
    def base(self) -> tuple[dict[str, Any], object]:
        """What every page shows (the status, for the favicon; component names; what the
        clock changes next, for the script), and the key it is remembered under: last
        time's very key object when equal, so that each page's key compares at once."""
        clock = schedule_json(self.content, self.state, self.r)
        key = (self.state.indicator, self.content.components, clock)
        return ({"indicator": self.state.indicator, "components": self.components,
                 "schedule": clock}, self.r.memo.get("base", key, lambda: key))

    def page(self, template: str, path: str, key: object,
             context: Callable[[], dict[str, Any]]) -> bytes:
        """The page, rendered only when `key` (with what every page shows) changed;
        `context` is worked out only then."""
        base, base_key = self.base
        return self.r.memo.get(("page", path), (base_key, key),
                               lambda: self.r.page(template, path, **base, **context()))

    @cached_property
    def listings(self) -> list[HistoryPage]:
        return history_pages(self.state.past, self.content.site.history_page_size)

    @cached_property
    def upcoming(self) -> tuple[EntryView, ...]:
        return self.entries(self.state.upcoming_maintenance)

    @cached_property
    def open_entries(self) -> tuple[tuple[EntryView, ...], tuple[EntryView, ...]]:
        """The open incidents, and the notices: announcements, in a section of their own."""
        found = self.state.open_incidents
        return (self.entries(tuple(i for i in found if i.type != "notice")),
                self.entries(tuple(i for i in found if i.type == "notice")))

    def prepare(self) -> None:
        """Work out everything pages share now (a build does, before its workers fork,
        so that they share it rather than each work it out)."""
        for incident in self.content.incidents:
            self.view(incident)
        _ = self.base, self.listings, self.upcoming, self.open_entries, self.by_slug
        _ = self.state.uptime, self.state.by_component, self.state.last_change

    def maker(self, path: str) -> Maker | None:
        """What makes the page at `path`, if there is one: the page a browser asks for,
        found without listing every page."""
        fixed = {"index.html": self.index, "404.html": self.not_found,
                 "embed/index.html": self.embed, SUBSCRIBE_PAGE: self.subscribe}
        if path in fixed:
            return fixed[path]
        name = path.removesuffix("/index.html").rpartition("/")[2]
        timeline = self.state.timelines.get(name)
        if timeline is not None and path == incident_dir(name) + "index.html":
            return partial(self.incident, timeline.incident)
        component = self.components.get(name)
        if component is not None and not component.hidden \
                and path == component_dir(name) + "index.html":
            return partial(self.component, component)
        if not path.startswith(history_path(1).removesuffix("index.html")):
            return None
        number = self.history_index.get(path)
        return None if number is None else partial(self.history, number)

    @cached_property
    def history_index(self) -> dict[str, int]:
        return {listing.path: number for number, listing in enumerate(self.listings)}

    def makers(self) -> dict[str, Maker]:
        """Every page by output path."""
        pages: dict[str, Maker] = {"index.html": self.index}
        for component in self.content.listed_components:
            pages[component_dir(component.id) + "index.html"] = partial(self.component,
                                                                        component)
        pages["404.html"] = self.not_found
        pages["embed/index.html"] = self.embed
        pages[SUBSCRIBE_PAGE] = self.subscribe
        for number, listing in enumerate(self.listings):
            pages[listing.path] = partial(self.history, number)
        for incident in self.content.incidents:
            pages[incident_dir(incident.slug) + "index.html"] = partial(self.incident, incident)
        return pages

    def index(self) -> bytes:
        state, (base, _) = self.state, self.base
        incidents, notices = self.open_entries
        return self.r.page(
            "index.html", "index.html", groups=group_views(self.content, state, self.by_slug),
            open_incidents=incidents, announcements=notices,
            active_maintenance=self.entries(state.active_maintenance),
            upcoming_maintenance=self.upcoming, state=state, now=state.now,
            by_slug=self.by_slug, **base)

    def history(self, index: int) -> bytes:
        kind, number, pages, path, items = self.listings[index]
        site = self.content.site
        back = "../" * path.count("/")
        views = self.entries(items)
        # Upcoming work heads the first page of the lists it belongs to, apart from the
        # past (and from the pagination, so page numbers do not shift with time).
        ahead = self.upcoming if number == 1 and kind in (None, "maintenance") else ()

        def context() -> dict[str, Any]:
            return dict(
                months=by_month(views, self.r.t, site.zone), page_number=number, pages=pages,
                kind=kind, upcoming=ahead, filters=tuple(HistoryFilter(
                    k, back + history_path(1, k).removesuffix("index.html"), k == kind)
                    for k in HISTORY_KINDS),
                listed_components=self.content.listed_components,
                newer=back + history_path(number - 1, kind).removesuffix("index.html")
                if number > 1 else None,
                older=back + history_path(number + 1, kind).removesuffix("index.html")
                if number < pages else None)

        return self.page("history.html", path, (views, ahead, kind, number, pages), context)

    def incident(self, incident: Incident) -> bytes:
        view = self.view(incident)
        return self.page("incident.html", incident_dir(incident.slug) + "index.html", view,
                         lambda: dict(entry=view, incident=incident, updates=view.updates))

    def component(self, component: Component) -> bytes:
        state = self.state
        row = component_view(component, state, self.by_slug,
                             dict(self.content.measured).get(component.id))
        upcoming = {i.slug for i in state.upcoming_maintenance}
        ahead = tuple(i for i in state.upcoming_maintenance if component.id in i.component_ids)
        related = tuple(i for i in state.by_component.get(component.id, ())
                        if i.slug not in upcoming)
        recent = self.entries(related[:RECENT_ON_COMPONENT])
        days = tuple(b for b in reversed(row.bars) if isinstance(b, DayView))
        return self.page("component.html", component_dir(component.id) + "index.html",
                         (row, recent, len(related), ahead),
                         lambda: dict(component=component, row=row, days=days, recent=recent,
                                      total=len(related), upcoming=self.entries(ahead)))

    def not_found(self) -> bytes:
        return self.page("404.html", "404.html", None,
                         lambda: dict(root=self.r.env.globals["base_path"],
                                      site_root=self.r.root_path))

    def embed(self) -> bytes:
        """The iframe widget (docs/feeds.md): the status and what is going on now."""
        incidents, notices = self.open_entries
        sections = (("open_incidents", incidents),
                    ("active_maintenance", self.entries(self.state.active_maintenance)),
                    ("announcements", notices))
        return self.r.page("embed.html", "embed/index.html", sections=sections, **self.base[0])

    def subscribe(self) -> bytes:
        """Every way to follow the page (docs/notify.md): feeds, calendars, JSON, email."""
        listed = self.content.listed_components
        return self.page("subscribe.html", SUBSCRIBE_PAGE,
                         (listed, self.content.site.email_signup_url),
                         lambda: dict(listed_components=listed))


def page_tasks(ctx: Context, renderer: Renderer) -> list[Task]:
    """The HTML pages as independent tasks (several per kind, so workers share the load).
    What pages share is worked out here, before the workers fork, so that they share it."""
    pages = Pages(ctx, renderer)
    pages.prepare()
    makers = pages.makers()

    def run(paths: Sequence[str]) -> dict[str, bytes]:
        return {path: makers[path]() for path in paths}

    parts = max(1, renderer.jobs * 4)  # more parts than workers: they finish close together
    history = [listing.path for listing in pages.listings]
    incidents = [incident_dir(i.slug) + "index.html" for i in ctx.content.incidents]
    components = [component_dir(c.id) + "index.html" for c in ctx.content.listed_components]
    tasks: list[Task] = [partial(run, ["index.html"]), partial(run, [*components, "404.html"]),
                         partial(run, ["embed/index.html"]), partial(run, [SUBSCRIBE_PAGE])]
    tasks += [partial(run, history[i::parts]) for i in range(parts)]
    tasks += [partial(run, incidents[i::parts]) for i in range(parts)]
    return tasks


def static_files(theme: Theme) -> dict[str, bytes]:
    return {theme.assets[name]: data for name, data in theme.static.items()}


def page_paths(content: Content, state: State) -> list[tuple[str, str | None]]:
    """(output path, last modification or None) of every indexable HTML page.

    404.html and the embed widget are left out: neither is a page anyone should land on
    from a search engine.
    """
    pages: list[tuple[str, str | None]] = [("index.html", None)]
    for listing in history_pages(state.past, content.site.history_page_size):
        pages.append((listing.path, None))
    for incident in content.incidents:
        pages.append((incident_dir(incident.slug) + "index.html",
                      iso(state.latest(incident).at)))  # the clock's events included
    for component in content.listed_components:
        pages.append((component_dir(component.id) + "index.html", None))
    pages.append((SUBSCRIBE_PAGE, None))
    return pages
