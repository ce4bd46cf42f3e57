"""The human-readable site: HTML pages from content + derived state, with Jinja2.

Every page is rendered to bytes in memory, keyed by its output path; `build` writes
them out. Links are relative (`root` is the way back to the site root), so a site
works under any sub-path. Templates only lay out markup: everything they show is
prepared here as small view objects (docs/theming.md lists what each template gets).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from itertools import groupby
from typing import Any
from urllib.parse import urlsplit

import jinja2
import markupsafe

from generator.i18n import Translator
from generator.markup import Markdown
from generator.memo import Memo
from generator.model import Component, Content, Group, Incident, Update
from generator.parallel import Task, run_tasks
from generator.paths import absolute, component_dir, history_page_count, history_path, incident_dir
from generator.state import CLOSED, Day, State, Uptime, schedule
from generator.theme import Theme
from generator.timeutil import iso

RECENT_ON_COMPONENT = 50
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


@dataclass(frozen=True)
class ComponentView:
    component: Component
    status: str
    uptime: Uptime
    bars: tuple[QuietPiece | DayView, ...]
    days: int  # how many days the bars cover
    first_day: date


@dataclass(frozen=True)
class GroupView:
    group: Group | None  # None: the ungrouped components
    status: str
    open: bool  # shown expanded: a group with a problem is never hidden
    rows: tuple[ComponentView, ...]


@dataclass(frozen=True)
class MonthSection:
    label: str
    entries: tuple[EntryView, ...]


# --- rendering ---------------------------------------------------------------------------

class TemplateCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates on disk, like Python's .pyc files: compiling the theme is most
    of a small site's build. Jinja checks each entry against the template's source, and a
    cache that cannot be read or written is simply not used."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError, ValueError, EOFError):
            super().load_bytecode(bucket)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def template_cache() -> TemplateCache | None:
    if os.environ.get("HELIOGRAPH_NO_TEMPLATE_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(base, "heliograph", "templates")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError:
        return None
    return TemplateCache(folder)


class Renderer:
    """Compiled templates and helpers for one site; reusable across rebuilds."""

    def __init__(self, content: Content, theme: Theme, md: Markdown | None = None,
                 jobs: int = 1):
        self.site = content.site
        self.jobs = jobs  # worker processes (cold builds of large sites)
        self.theme = theme
        self.md = md or Markdown()
        self.memo = Memo()
        self.t = Translator(theme.catalogue(self.site.language), self.site.zone)
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(theme.template_dirs),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            bytecode_cache=template_cache(),
            # Templates do not change during a build; `serve` makes a new Renderer when
            # they do. Without this, every page would stat every template it uses.
            auto_reload=False,
        )
        self.env.globals.update(t=self.t, site=self.site, asset=self.asset, iso=iso,
                                incident_dir=incident_dir, component_dir=component_dir,
                                base_path=urlsplit(self.site.base_url).path or "/",
                                brand_css=theme.brand_css, logo=theme.logo)
        self.env.filters.update(md=self.markdown, message=self.message,
                                datetime=self.t.datetime, date=self.t.date,
                                duration=self.t.duration, percent=self.t.percent)

    def markdown(self, text: str) -> markupsafe.Markup:
        return markupsafe.Markup(self.md(text))

    def message(self, update: Update) -> markupsafe.Markup:
        """An update's message as HTML; automatic updates say what the clock did."""
        return markupsafe.Markup(message_html(update, self))

    def asset(self, name: str) -> str:
        return self.theme.assets[name]

    def page(self, template: str, path: str, **context: Any) -> bytes:
        depth = path.count("/")
        context.setdefault("root", "../" * depth)
        context.setdefault("canonical", absolute(self.site, path))
        html = self.env.get_template(template).render(path=path, **context)
        return html.encode("utf-8")


def message_html(update: Update, renderer: Renderer) -> str:
    """The sanitized HTML of an update's message, the same on pages, feeds and JSON."""
    if update.automatic:
        text = renderer.t("automatic." + update.status)
        return f"<p>{markupsafe.escape(text)}</p>"
    return renderer.md(update.message)


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
        affected=tuple(AffectedView(cid, components[cid].name, statuses[cid])
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
    steps = schedule(content, state.timelines, state.now)
    if not steps:
        return ""
    t = renderer.t
    kinds = {i.slug: i.type for i in content.incidents}
    component_ids = sorted({c for _, s in steps for c, v in s.component.items()
                            if v != state.component_status[c]})
    group_ids = sorted({g for _, s in steps for g, v in s.group.items()
                        if v != state.group_status[g]})
    slugs = sorted({slug for _, s in steps for slug, v in s.entry.items()
                    if v != state.status[slug]})

    def entry(slug: str, status: str) -> list[str]:
        word = status_word(kinds[slug], status)
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


def bars(days: tuple[Day, ...], by_slug: dict[str, Incident]) -> tuple[QuietPiece | DayView, ...]:
    out: list[QuietPiece | DayView] = []
    quiet = 0
    for index, day in enumerate(days):
        if not day.incidents:
            quiet += 1
            continue
        out += quiet_pieces(quiet)
        quiet = 0
        out.append(DayView(day.date, day.worst, day.uptime,
                           tuple(by_slug[s] for s in day.incidents), index * 2 >= len(days)))
    out += quiet_pieces(quiet)
    return tuple(out)


def component_view(component: Component, state: State,
                   by_slug: dict[str, Incident]) -> ComponentView:
    uptime = state.uptime[component.id]
    return ComponentView(component, state.component_status[component.id], uptime,
                         bars(uptime.days, by_slug), len(uptime.days), uptime.days[0].date)


def group_views(content: Content, state: State,
                by_slug: dict[str, Incident]) -> list[GroupView]:
    def rows(components: tuple[Component, ...]) -> tuple[ComponentView, ...]:
        return tuple(component_view(c, state, by_slug) for c in components)

    views = [GroupView(g, state.group_status[g.id], state.group_status[g.id] != "operational",
                       rows(g.components)) for g in content.groups]
    if content.ungrouped:
        views.append(GroupView(None, "", True, rows(content.ungrouped)))
    return views


def by_month(entries: tuple[EntryView, ...] | list[EntryView], t: Translator,
             zone: Any) -> list[MonthSection]:
    def key(e: EntryView) -> tuple[int, int]:
        local = e.incident.sort_time.astimezone(zone)
        return local.year, local.month

    return [MonthSection(t.month(*month), tuple(items))
            for month, items in groupby(entries, key=key)]


def render_pages(content: Content, state: State, renderer: Renderer) -> dict[str, bytes]:
    """Every HTML page of the site, by output path."""
    return run_tasks(page_tasks(content, state, renderer), 1)


def page_tasks(content: Content, state: State, renderer: Renderer) -> list[Task]:
    """The HTML pages as independent tasks (several per kind, so workers share the load).

    Pages other than the index get only the variables named here (docs/theming.md), and
    each is remembered under a key made of exactly those: `serve` re-renders a page only
    when something it shows has changed.
    """
    r = renderer
    site = content.site
    components = {c.id: c for c in content.components}
    by_slug = {i.slug: i for i in content.incidents}
    views = {i.slug: entry_view(i, state, components) for i in content.incidents}

    def entries(items: tuple[Incident, ...]) -> tuple[EntryView, ...]:
        return tuple(views[i.slug] for i in items)

    # What every page shows: the status (favicon), component names and what the clock
    # changes next (for the script).
    clock = schedule_json(content, state, r)
    base = {"indicator": state.indicator, "components": components, "schedule": clock}
    base_key = (state.indicator, content.components, clock)

    def page(template: str, path: str, key: object, **context: Any) -> bytes:
        return r.memo.get(("page", path), (base_key, key),
                          lambda: r.page(template, path, **base, **context))

    # Notices are announcements: in a section of their own, not among the incidents.
    incidents_only = tuple(i for i in state.open_incidents if i.type != "notice")
    notices = tuple(i for i in state.open_incidents if i.type == "notice")

    def index() -> dict[str, bytes]:
        return {"index.html": r.page(
            "index.html", "index.html", groups=group_views(content, state, by_slug),
            open_incidents=entries(incidents_only), announcements=entries(notices),
            active_maintenance=entries(state.active_maintenance),
            upcoming_maintenance=entries(state.upcoming_maintenance), state=state,
            now=state.now, by_slug=by_slug, **base)}

    size = site.history_page_size
    pages = history_page_count(content.incidents, size)

    def history(numbers: range) -> dict[str, bytes]:
        out = {}
        for number in numbers:
            path = history_path(number)
            back = "../" * path.count("/")
            items = entries(content.incidents[(number - 1) * size: number * size])
            out[path] = page(
                "history.html", path, (items, number, pages),
                months=by_month(items, r.t, site.zone), page_number=number, pages=pages,
                newer=back + history_path(number - 1).removesuffix("index.html")
                if number > 1 else None,
                older=back + history_path(number + 1).removesuffix("index.html")
                if number < pages else None)
        return out

    def incident_pages(chunk: Sequence[Incident]) -> dict[str, bytes]:
        out = {}
        for incident in chunk:
            path = incident_dir(incident.slug) + "index.html"
            view = views[incident.slug]
            out[path] = page("incident.html", path, view, entry=view, incident=incident,
                             updates=view.updates)
        return out

    def component_pages() -> dict[str, bytes]:
        out = {}
        for component in content.components:
            path = component_dir(component.id) + "index.html"
            row = component_view(component, state, by_slug)
            related = state.by_component.get(component.id, ())
            recent = entries(related[:RECENT_ON_COMPONENT])
            days = tuple(b for b in reversed(row.bars) if isinstance(b, DayView))
            out[path] = page("component.html", path, (row, recent, len(related)),
                             component=component, row=row, days=days, recent=recent,
                             total=len(related))
        out["404.html"] = page("404.html", "404.html", None, root=r.env.globals["base_path"])
        return out

    def embed() -> dict[str, bytes]:
        """The iframe widget (docs/feeds.md): the status and what is going on now."""
        sections = (("open_incidents", entries(incidents_only)),
                    ("active_maintenance", entries(state.active_maintenance)),
                    ("announcements", entries(notices)))
        return {"embed/index.html": r.page("embed.html", "embed/index.html", sections=sections,
                                           **base)}

    parts = max(1, r.jobs * 4)  # more parts than workers: they finish close together
    tasks: list[Task] = [index, component_pages, embed]
    tasks += [partial(history, range(1 + i, pages + 1, parts)) for i in range(parts)]
    tasks += [partial(incident_pages, content.incidents[i::parts]) for i in range(parts)]
    return tasks


def static_files(theme: Theme) -> dict[str, bytes]:
    return {theme.assets[name]: data for name, data in theme.static.items()}

