"""Atom and RSS feeds: the whole site, and one pair per component.

Subscribers must see every new update, so an entry's `updated` is its latest update and
its content is the whole timeline. Nothing depends on the wall clock: the feed's own
`updated` (RSS lastBuildDate) is its newest entry's, so the same content gives the same
bytes.

The documents are written as text, indented two spaces an element (the layout feedgen
with lxml's pretty printer gave them before; dropping that pair saved installs a
package built from source and 25 MB).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from html import escape
from xml.sax.saxutils import escape as xml_escape

from generator.content.model import Content, Incident
from generator.outputs.api import first_moment
from generator.outputs.context import Context
from generator.outputs.pages import status_word
from generator.site.paths import absolute, component_dir, component_url, incident_url
from generator.state.derive import State
from generator.state.timeline import Change, Event

GENERATOR = "Heliograph"
FORMATS = {"atom": "application/atom+xml", "rss": "application/rss+xml"}
ATOM_NS = "http://www.w3.org/2005/Atom"
RSS_CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
RSS_DOCS = "http://www.rssboard.org/rss-specification"
# RFC 822 names, whatever the machine's locale.
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
Attrs = tuple[tuple[str, str], ...]


# Beyond & < >: a carriage return would be read back as a line feed; in a double-quoted
# attribute, a line break or tab would be read back as a space.
TEXT_ENTITIES = {"\r": "&#13;"}
ATTRIBUTE_ENTITIES = {**TEXT_ENTITIES, '"': "&quot;", "\n": "&#10;", "\t": "&#9;"}


class XmlWriter:
    """An XML document, one element a line, nested elements indented two spaces."""

    def __init__(self) -> None:
        self.lines = ["<?xml version='1.0' encoding='UTF-8'?>"]
        self.depth = 0

    def _tag(self, name: str, attrs: Attrs) -> str:
        return "  " * self.depth + "<" + name + "".join(
            f' {key}="{xml_escape(value, ATTRIBUTE_ENTITIES)}"' for key, value in attrs)

    @contextmanager
    def element(self, name: str, attrs: Attrs = ()) -> Iterator[None]:
        self.lines.append(self._tag(name, attrs) + ">")
        self.depth += 1
        yield
        self.depth -= 1
        self.lines.append("  " * self.depth + f"</{name}>")

    def text(self, name: str, text: str, attrs: Attrs = ()) -> None:
        self.lines.append(f"{self._tag(name, attrs)}>{xml_escape(text, TEXT_ENTITIES)}</{name}>")

    def empty(self, name: str, attrs: Attrs) -> None:
        self.lines.append(self._tag(name, attrs) + "/>")

    def bytes(self) -> bytes:
        return ("\n".join(self.lines) + "\n").encode()


def rfc822(moment: datetime) -> str:
    """RSS's dates: 'Thu, 26 Nov 2026 22:05:00 +0000'."""
    return (f"{DAYS[moment.weekday()]}, {moment:%d} {MONTHS[moment.month - 1]} "
            f"{moment:%Y %H:%M:%S %z}")


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
    # In the content only: an entry's one link is its page, written without rel, and a
    # second link without rel would be a second 'alternate' (invalid Atom).
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


def feed_updated(spec: FeedSpec, content: Content, state: State) -> datetime:
    """The newest entry's update; an empty feed falls back to the content's first event."""
    return max((updated(i, state) for i in spec.entries),
               default=first_moment(content, state.now))


def render_feed(spec: FeedSpec, kind: str, name: str, content: Content, state: State,
                names: dict[str, str], ctx: Context) -> bytes:
    """One feed document; `name` is its file name, `kind` 'atom' or 'rss'."""
    site = content.site
    self_link = absolute(site, spec.folder + name)
    description = site.description or spec.title
    entries = []
    for incident in spec.entries:
        # Keyed on everything the piece is made from: the entry itself (body included),
        # its events so far and the names of its components.
        events = state.shown(incident)
        own = {cid: names[cid] for cid in incident.component_ids}
        html = ctx.memo.get(("timeline", incident.slug), (incident, events, own),
                            partial(timeline_html, incident, events, own, ctx))
        entries.append((incident, incident_url(site, incident), updated(incident, state), html))
    doc = XmlWriter()
    if kind == "atom":
        with doc.element("feed", (("xmlns", ATOM_NS), ("xml:lang", site.language))):
            doc.text("id", spec.page_url)
            doc.text("title", spec.title)
            doc.text("updated", feed_updated(spec, content, state).isoformat())
            with doc.element("author"):
                doc.text("name", site.title)
            doc.empty("link", (("href", self_link), ("rel", "self"), ("type", FORMATS[kind])))
            doc.empty("link", (("href", spec.page_url), ("rel", "alternate"),
                               ("type", "text/html")))
            doc.text("generator", GENERATOR)
            doc.text("subtitle", description)  # type text
            for incident, url, latest, html in entries:
                with doc.element("entry"):
                    doc.text("id", url)
                    doc.text("title", entry_title(incident, ctx))
                    doc.text("updated", latest.isoformat())
                    doc.text("content", html, (("type", "html"),))
                    doc.empty("link", (("href", url),))  # rel="alternate" by default
                    doc.empty("category", (("term", incident.type),
                                           ("label", ctx.t("types." + incident.type))))
                    doc.text("published", incident.started_at.isoformat())
        return doc.bytes()
    with doc.element("rss", (("xmlns:atom", ATOM_NS), ("xmlns:content", RSS_CONTENT_NS),
                             ("version", "2.0"))), doc.element("channel"):
        doc.text("title", spec.title)
        doc.text("link", spec.page_url)
        # The same plain text as Atom's <subtitle>: RSS readers take <description> as HTML,
        # so it is escaped once more.
        doc.text("description", escape(description))
        doc.empty("atom:link", (("href", self_link), ("rel", "self"), ("type", FORMATS[kind])))
        doc.text("docs", RSS_DOCS)
        doc.text("generator", GENERATOR)
        doc.text("language", site.language)
        doc.text("lastBuildDate", rfc822(feed_updated(spec, content, state)))
        for incident, url, latest, html in entries:
            with doc.element("item"):
                doc.text("title", entry_title(incident, ctx))
                doc.text("link", url)
                doc.text("description", html)
                doc.text("guid", url, (("isPermaLink", "true"),))
                doc.text("category", ctx.t("types." + incident.type))
                # RSS has only pubDate: it carries the latest update, like Atom's <updated>.
                doc.text("pubDate", rfc822(latest))
    return doc.bytes()


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
    # What every feed is made from besides its spec and its entries' events.
    common = (content.site, first_moment(content, state.now), component_names)
    for spec in feed_specs(content, state):
        # Statuspage serves its feeds as history.atom/.rss; both names are kept at the root.
        names = ("feed", "history") if spec.folder == "" else ("feed",)
        for stem in names:
            for kind in FORMATS:
                name = f"{stem}.{kind}"
                files[spec.folder + name] = ctx.memo.get(
                    ("feed", spec.folder + name),
                    (spec, tuple(state.shown(i) for i in spec.entries), common),
                    partial(render_feed, spec, kind, name, content, state, component_names, ctx))
    return files
