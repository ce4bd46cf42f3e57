"""Atom and RSS feeds (feedgen): the whole site, and one pair per component.

Subscribers must see every new update, so an entry's `updated` is its latest update and
its content is the whole timeline. Nothing depends on the wall clock: the feed's own
`updated` (RSS lastBuildDate) is its newest entry's, so the same content gives the same
bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache, partial
from html import escape
from typing import TYPE_CHECKING, Any

from generator.content.model import Content, Incident
from generator.outputs.api import first_moment
from generator.outputs.context import Context
from generator.outputs.pages import status_word
from generator.site.paths import absolute, component_dir, component_url, incident_url
from generator.state.derive import State
from generator.state.timeline import Change, Event

if TYPE_CHECKING:
    from feedgen.entry import FeedEntry  # type: ignore[import-untyped]

GENERATOR = "Heliograph"
FORMATS = {"atom": "application/atom+xml", "rss": "application/rss+xml"}


@dataclass(frozen=True)
class FeedSpec:
    """One feed: its title, the page it describes, its folder and its entries."""

    title: str
    page_url: str
    folder: str  # "" for the site root, else "components/<id>/"
    entries: tuple[Incident, ...]


def updated(incident: Incident, state: State) -> datetime:
    """An entry's latest event, the clock's included."""
    return state.latest(incident).at


def newest_updated_first(entries: tuple[Incident, ...], limit: int,
                         state: State) -> tuple[Incident, ...]:
    """By latest event, newest first; ties keep content order (sort is stable)."""
    return tuple(sorted(entries, key=lambda i: updated(i, state), reverse=True)[:limit])


def entry_title(incident: Incident, ctx: Context) -> str:
    if incident.type == "incident":
        return incident.title
    return f"{ctx.t('types.' + incident.type)}: {incident.title}"


def change_text(change: Change, names: dict[str, str], ctx: Context) -> str:
    """"API: Degraded performance → Major outage", as the incident page says it."""
    t = ctx.t
    return t("component_change", name=names[change.component],
             old=t("component_status." + change.old), new=t("component_status." + change.new))


def timeline_html(incident: Incident, events: tuple[Event, ...], names: dict[str, str],
                  ctx: Context) -> str:
    """The whole entry as sanitized HTML: window, updates newest first with the component
    statuses each changed, then the body."""
    t = ctx.t
    parts = []
    # In the content only: feedgen writes an entry's links without their rel, and a second
    # link without rel would be a second 'alternate' (invalid Atom).
    if incident.postmortem_url:
        parts.append(f'<p><a href="{escape(incident.postmortem_url)}">'
                     f'{escape(t("read_postmortem"))}</a></p>')
    if incident.window:
        window = t("scheduled_for", start=t.datetime(incident.window.start),
                   end=t.datetime(incident.window.end))
        parts.append(f"<p>{escape(window)}</p>")
    for event in reversed(events):
        update = event.update
        status = t(status_word(incident.type, update.status, update=True).key)
        parts.append(f"<p><strong>{escape(status)}</strong> · {escape(t.datetime(update.at))}</p>")
        parts.append(ctx.message_html(update))
        changes = [c for c in event.changes or () if c.old != c.new]
        if changes:
            items = "".join(f"<li>{escape(change_text(c, names, ctx))}</li>" for c in changes)
            parts.append(f"<ul>{items}</ul>")
    if incident.body:
        parts.append("<hr>")
        parts.append(ctx.md(incident.body))
    return "\n".join(parts)


def feed_updated(spec: FeedSpec, first: datetime, state: State) -> datetime:
    """The newest entry's update; an empty feed falls back to `first`, the content's
    first event."""
    return max((updated(i, state) for i in spec.entries), default=first)


@cache
def once_entry() -> type[FeedEntry]:
    """A feedgen entry that makes its XML element once, for every feed that lists it.

    An entry is in the site's feeds and in those of its components; it and its element
    were made again for each. Appending the element to the next feed's tree moves it
    there, and each feed is serialized before the next is made, so each feed has it.
    """
    from feedgen.entry import FeedEntry

    class OnceEntry(FeedEntry):  # type: ignore[misc]
        made_atom: Any = None
        made_rss: Any = None

        def atom_entry(self, extensions: bool = True) -> Any:
            if self.made_atom is None:
                self.made_atom = super().atom_entry(extensions)
            return self.made_atom

        def rss_entry(self, extensions: bool = True) -> Any:
            if self.made_rss is None:
                self.made_rss = super().rss_entry(extensions)
            return self.made_rss

    return OnceEntry


def feed_entry(incident: Incident, kind: str, state: State, names: dict[str, str],
               ctx: Context) -> FeedEntry:
    """One entry as `kind` ('atom' or 'rss') shows it, in whichever feed lists it."""
    site = ctx.content.site
    url = incident_url(site, incident)
    entry = once_entry()()
    entry.id(url)
    entry.guid(url, permalink=True)
    entry.title(entry_title(incident, ctx))
    entry.link(href=url, rel="alternate", type="text/html")
    # RSS has only pubDate: it carries the latest update, like Atom's <updated>.
    latest = updated(incident, state)
    entry.published(incident.started_at if kind == "atom" else latest)
    entry.updated(latest)
    entry.category(term=incident.type, label=ctx.t("types." + incident.type))
    # Keyed on everything the piece is made from: the entry itself (body included),
    # its events so far and the names of its components.
    events = state.shown(incident)
    own = {cid: names[cid] for cid in incident.component_ids}
    html = ctx.memo.get(("timeline", incident.slug), (incident, events, own),
                        partial(timeline_html, incident, events, own, ctx))
    entry.content(html, type="html")
    return entry


# An entry is in the site's feeds and in those of each of its components: made once per
# format, (slug, kind) -> entry, for the feeds of one language.
Entries = dict[tuple[str, str], "FeedEntry"]


def render_feed(spec: FeedSpec, kind: str, name: str, first: datetime, state: State,
                names: dict[str, str], ctx: Context, entries: Entries) -> bytes:
    """One feed document; `name` is its file name, `kind` 'atom' or 'rss'."""
    # feedgen loads lxml and dateutil (~25 ms): only the worker that makes the feeds.
    from feedgen.feed import FeedGenerator  # type: ignore[import-untyped]

    site = ctx.content.site
    fg = FeedGenerator()
    fg.id(spec.page_url)
    fg.title(spec.title)
    # The same plain text either way: RSS readers take <description> as HTML, so it is
    # escaped once more; Atom's <subtitle> is type text.
    description = site.description or spec.title
    fg.description(escape(description) if kind == "rss" else description)
    fg.author({"name": site.title})
    # feedgen takes RSS's <link> from the last link added: the page, not the feed.
    fg.link(href=absolute(site, spec.folder + name), rel="self", type=FORMATS[kind])
    fg.link(href=spec.page_url, rel="alternate", type="text/html")
    fg.language(site.language)
    fg.generator(GENERATOR)
    fg.updated(feed_updated(spec, first, state))
    for incident in spec.entries:
        entry = entries.get((incident.slug, kind))
        if entry is None:
            entry = entries[incident.slug, kind] = feed_entry(incident, kind, state, names, ctx)
        fg.add_entry(entry, order="append")
    data = fg.atom_str(pretty=True) if kind == "atom" else fg.rss_str(pretty=True)
    return bytes(data)


def feed_specs(content: Content, state: State) -> list[FeedSpec]:
    site = content.site
    limit = site.feed_entries
    specs = [FeedSpec(site.title, site.base_url, "",
                      newest_updated_first(content.incidents, limit, state))]
    for component in content.listed_components:
        entries = state.by_component.get(component.id, ())
        specs.append(FeedSpec(f"{site.title}: {component.name}",
                              component_url(site, component.id), component_dir(component.id),
                              newest_updated_first(entries, limit, state)))
    return specs


def feed_files(ctx: Context) -> dict[str, bytes]:
    content, state = ctx.content, ctx.state
    files: dict[str, bytes] = {}
    component_names = {c.id: c.name for c in content.components}
    first = first_moment(content, state.now)
    entries: Entries = {}
    # What every feed is made from besides its spec and its entries' events.
    common = (content.site, first, component_names)
    for spec in feed_specs(content, state):
        # Statuspage serves its feeds as history.atom/.rss; both names are kept at the root.
        names = ("feed", "history") if spec.folder == "" else ("feed",)
        for stem in names:
            for kind in FORMATS:
                name = f"{stem}.{kind}"
                files[spec.folder + name] = ctx.memo.get(
                    ("feed", spec.folder + name),
                    (spec, tuple(state.shown(i) for i in spec.entries), common),
                    partial(render_feed, spec, kind, name, first, state, component_names, ctx,
                            entries))
    return files
