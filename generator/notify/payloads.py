"""What each channel type is sent for one event (docs/notify.md, "Payloads").

Every type starts from the same `Message` (the words of the site's catalogue, the message
as the site shows it); each then shapes it for its destination, within that destination's
documented limits, escaped so that nothing from content acts as markup or a mention.
"""

from __future__ import annotations

import hashlib
import html
import json
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any
from urllib.parse import urlsplit

from generator import __version__
from generator.content.timeutil import iso
from generator.notify.config import Channel
from generator.notify.events import NotifyEvent
from generator.notify.text import (
    clip,
    fit,
    html_text,
    markdown_escape,
    no_mentions,
    slack_escape,
)
from generator.outputs.api import Api, component_id, stable_id
from generator.outputs.context import Context
from generator.outputs.feeds import entry_title
from generator.outputs.pages import status_word
from generator.site.paths import SUBSCRIBE_DIR, absolute, component_url, incident_url
from generator.theme.i18n import Translator

Json = dict[str, Any]
DOCUMENTATION = "https://pypi.org/project/heliograph/"


@dataclass(frozen=True)
class Message:
    """One event in words, before any channel shapes it."""

    title: str  # "Elevated API errors", "Maintenance: Database upgrade", "API"
    url: str  # the entry's (or component's) page
    status: str  # the status word after the event
    facts: tuple[str, ...]  # short lines: components and their statuses, the window
    text: str  # the message as plain text
    html: str  # the message as the site shows it (sanitized)
    impact: str  # for colours: none | maintenance | minor | major | critical
    site: str  # the site's title
    key: str  # the event's key


STATUS_IMPACT = {"operational": "none", "under_maintenance": "maintenance",
                 "degraded_performance": "minor", "partial_outage": "major",
                 "major_outage": "critical"}


def message(event: NotifyEvent, ctx: Context) -> Message:
    t, site = ctx.t, ctx.content.site
    names = {c.id: c.name for c in ctx.content.components}
    if event.incident is None:  # a component's status changed
        component = next(c for c in ctx.content.components if c.id == event.component)
        text = t("component_change", name=names[event.component],
                 old=t("component_status." + event.old), new=t("component_status." + event.new))
        url = site.base_url if component.hidden else component_url(site, component.id)
        return Message(names[event.component], url, t("component_status." + event.new), (),
                       text, f"<p>{html.escape(text)}</p>", STATUS_IMPACT[event.new],
                       site.title, event.key)
    incident, timeline_event = event.incident, event.event
    assert timeline_event is not None
    word = status_word(incident.type, timeline_event.status)
    facts = [f"{names[cid]}: {t('component_status.' + status)}"
             for cid, status in timeline_event.components]
    if incident.window is not None:
        facts.append(t("scheduled_for", start=t.datetime(incident.window.start),
                       end=t.datetime(incident.window.end)))
    if event.retrospective:
        facts.insert(0, t("retrospective_note"))
    if event.action == "reminder":
        body = f"<p>{html.escape(facts[-1])}</p>"
        status = t("incident_status.scheduled")
    elif event.key.endswith("/postmortem-link"):
        link = html.escape(incident.postmortem_url)
        body = f'<p><a href="{link}">{html.escape(t("read_postmortem"))}</a></p>'
        status = t("postmortem")
    else:
        body = ctx.message_html(timeline_event.update)
        status = t(word.key)
    return Message(entry_title(incident, ctx), incident_url(site, incident), status,
                   tuple(facts), html_text(body), body, ctx.state.impact[incident.slug],
                   site.title, event.key)


# --- webhook: Statuspage's shapes ------------------------------------------------------

def webhook_body(event: NotifyEvent, api: Api, generated: datetime) -> bytes:
    """Statuspage's webhook document; `incident` is the object api/v2/incidents.json has."""
    site = api.content.site
    body: Json = {
        "meta": {"unsubscribe": absolute(site, SUBSCRIBE_DIR), "documentation": DOCUMENTATION,
                 "generated_at": iso(generated)},
        "page": {"id": api.page_id, "status_indicator": api.state.indicator,
                 "status_description": api.state.description},
    }
    if event.incident is not None:
        incident = event.incident
        body["incident"] = api.maintenance(incident) if incident.type == "maintenance" \
            else api.incident(incident)
    else:
        component = api.components[event.component]
        body["component"] = api.component(component, api.positions[component.id])
        body["component_update"] = {
            "old_status": event.old, "new_status": event.new, "created_at": iso(event.at),
            "component_id": component_id(component),
            "id": stable_id("component_update", event.key)}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


# --- chats ---------------------------------------------------------------------------------

SLACK_SECTION = 3000  # characters of a section block's text
SLACK_HEADER = 150  # characters of a header block's plain_text
SLACK_TEXT = 4000  # the top-level text Slack advises staying under


def slack(m: Message) -> Json:
    """An incoming-webhook message: `text` for notifications, Block Kit for the channel."""
    title = f"*<{m.url}|{fit(m.title, SLACK_HEADER, slack_escape)}>*"
    blocks: list[Json] = [
        {"type": "section", "text": {"type": "mrkdwn",
                                     "text": f"{title}\n{slack_escape(m.status)}"}},
    ]
    if m.text:
        blocks.append({"type": "section", "text": {
            "type": "mrkdwn", "text": fit(m.text, SLACK_SECTION, slack_escape)}})
    if m.facts:
        blocks.append({"type": "context", "elements": [{
            "type": "mrkdwn", "text": fit("\n".join(m.facts), SLACK_SECTION, slack_escape)}]})
    fallback = fit(f"{m.title} — {m.status}: {m.text}", SLACK_TEXT, slack_escape)
    return {"text": fallback, "blocks": blocks}


MATTERMOST_TEXT = 16383  # characters of a post (Mattermost's limit)


def mattermost(m: Message) -> Json:
    """Mattermost takes Slack's incoming-webhook `text` (as Markdown); it shows no Block
    Kit, so the message is one Markdown text."""
    head = f"**[{markdown_escape(m.title)}]({m.url})** — {markdown_escape(m.status)}\n\n"
    tail = "".join(f"\n\n{markdown_escape(f)}" for f in m.facts)
    room = MATTERMOST_TEXT - len(head) - len(tail)
    return {"text": head + fit(m.text, max(room, 0), markdown_escape) + tail}


DISCORD = {"title": 256, "description": 4096, "fields": 25, "field_name": 256,
           "field_value": 1024, "footer": 2048, "total": 6000}
COLOURS = {"none": 0x2E7D32, "maintenance": 0x1565C0, "minor": 0xF9A825, "major": 0xEF6C00,
           "critical": 0xC62828}


def discord(m: Message, t: Translator) -> Json:
    """One embed within Discord's limits; `allowed_mentions` pings no one whatever the text."""
    title = clip(no_mentions(m.title), DISCORD["title"])
    footer = clip(no_mentions(m.site), DISCORD["footer"])
    fields: list[Json] = [{"name": clip(t("status"), DISCORD["field_name"]),
               "value": fit(m.status, DISCORD["field_value"], markdown_escape), "inline": True}]
    if m.facts:
        fields.append({"name": clip(t("details"), DISCORD["field_name"]),
                       "value": fit("\n".join(m.facts), DISCORD["field_value"], markdown_escape),
                       "inline": False})
    fields = fields[:DISCORD["fields"]]
    used = len(title) + len(footer) + sum(len(str(f["name"])) + len(str(f["value"]))
                                          for f in fields)
    room = min(DISCORD["description"], DISCORD["total"] - used)
    embed: Json = {"title": title, "url": m.url,
                   "description": fit(m.text, max(room, 0), markdown_escape),
                   "color": COLOURS[m.impact], "fields": fields, "footer": {"text": footer}}
    return {"allowed_mentions": {"parse": []}, "embeds": [embed]}


TEAMS_BYTES = 28_000  # a Teams message's size limit


def teams(m: Message) -> Json:
    """A Workflows ("When a Teams webhook request is received") message: one Adaptive Card."""
    def card(text: str) -> Json:
        body: list[Json] = [
            {"type": "TextBlock", "text": markdown_escape(m.title), "weight": "Bolder",
             "size": "Medium", "wrap": True},
            {"type": "TextBlock", "text": markdown_escape(m.status), "isSubtle": True,
             "spacing": "None", "wrap": True},
        ]
        if text:
            body.append({"type": "TextBlock", "text": text, "wrap": True})
        body += [{"type": "TextBlock", "text": markdown_escape(f), "isSubtle": True,
                  "wrap": True} for f in m.facts]
        return {"type": "message", "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None,
            "content": {"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                        "type": "AdaptiveCard", "version": "1.4", "body": body,
                        "actions": [{"type": "Action.OpenUrl", "title": m.site[:100] or "Open",
                                     "url": m.url}]}}]}

    limit = len(m.text) * 2 + 1
    while True:
        payload = card(fit(m.text, limit, markdown_escape))
        size = len(json.dumps(payload, ensure_ascii=False).encode())
        if size <= TEAMS_BYTES or limit <= 1:
            return payload
        limit = max(1, limit - (size - TEAMS_BYTES))


GOOGLE_CHAT_TEXT = 4000


def google_chat(m: Message) -> Json:
    """A card (cardsV2): its text is Google Chat's small HTML subset, escaped here, so
    `<users/all>` in content is shown, not a mention."""
    paragraphs = [html.escape(m.status)]
    if m.text:
        paragraphs.append(fit(m.text, GOOGLE_CHAT_TEXT, html.escape).replace("\n", "<br>"))
    paragraphs += [html.escape(f) for f in m.facts]
    widgets: list[Json] = [{"textParagraph": {"text": p}} for p in paragraphs]
    widgets.append({"buttonList": {"buttons": [{"text": m.site[:100] or "Open",
                                                "onClick": {"openLink": {"url": m.url}}}]}})
    return {"fallbackText": clip(no_mentions(f"{m.title} — {m.status}").replace("<", "‹"), 200),
            "cardsV2": [{"cardId": stable_id("card", m.key), "card": {
                "header": {"title": clip(m.title, 200), "subtitle": clip(m.site, 200)},
                "sections": [{"widgets": widgets}]}}]}


def chat_payload(kind: str, m: Message, ctx: Context) -> Json:
    if kind == "slack":
        return slack(m)
    if kind == "mattermost":
        return mattermost(m)
    if kind == "discord":
        return discord(m, ctx.t)
    if kind == "teams":
        return teams(m)
    return google_chat(m)


# --- email ---------------------------------------------------------------------------------

def message_id(channel: Channel, key: str, host: str) -> str:
    """Stable per event and channel: the same update always has the same Message-ID."""
    digest = hashlib.sha256(f"{channel.id}\0{key}".encode()).hexdigest()[:32]
    return f"<{digest}.{channel.id}@{host}>"


def _one_line(text: str) -> str:
    """A header value from content: a title may hold a line break (YAML "\\n", U+2028),
    which a header may not; collapsed as a page shows it."""
    return " ".join(text.split())


def email(event: NotifyEvent, m: Message, channel: Channel, ctx: Context, recipient: str,
          generated: datetime) -> EmailMessage:
    """multipart/alternative: plain text and HTML of the same message; one recipient."""
    site = ctx.content.site
    host = urlsplit(site.base_url).hostname or "localhost"
    msg = EmailMessage()
    msg["Subject"] = _one_line(f"[{site.title}] {m.title} — {m.status}")
    name, address = parseaddr(channel.sender)
    user, _, domain = address.rpartition("@")
    msg["From"] = Address(display_name=_one_line(name), username=user, domain=domain)
    msg["To"] = recipient
    msg["Date"] = format_datetime(generated)
    msg["Message-ID"] = message_id(channel, event.key, host)
    if event.incident is not None and not event.key.endswith("/u0"):
        # Threads an entry: every later message answers the one that announced it.
        first = message_id(channel, f"{event.incident.slug}/u0", host)
        msg["In-Reply-To"] = first
        msg["References"] = first
    msg["List-Id"] = f"{_one_line(site.title)} <{channel.id}.{host}>"
    msg["List-Unsubscribe"] = f"<{channel.unsubscribe}>"
    if channel.unsubscribe.startswith("https://"):
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Mailer"] = f"Heliograph {__version__}"
    facts = "".join(f"{f}\n" for f in m.facts)
    msg.set_content(f"{m.title}\n{m.status}\n\n{m.text}\n\n{facts}\n{m.url}\n\n-- \n"
                    f"{site.title}\n{absolute(site, SUBSCRIBE_DIR)}\n")
    fact_html = "".join(f"<li>{html.escape(f)}</li>" for f in m.facts)
    msg.add_alternative(
        f'<!DOCTYPE html><html lang="{html.escape(site.language)}"><head><meta charset="utf-8">'
        f"<title>{html.escape(m.title)}</title></head><body>"
        f'<h1><a href="{html.escape(m.url)}">{html.escape(m.title)}</a></h1>'
        f"<p><strong>{html.escape(m.status)}</strong></p>{m.html}"
        + (f"<ul>{fact_html}</ul>" if fact_html else "")
        + f'<hr><p><a href="{html.escape(absolute(site, SUBSCRIBE_DIR))}">'
        f"{html.escape(site.title)}</a></p></body></html>\n", subtype="html")
    return msg
