"""`heliograph new`: declare an incident, a maintenance or a notice as a new content file.

With options it never asks anything (scripts, chat-ops); with none, on a terminal, it
asks what is missing, starting with the "incident or conversation?" questions.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from generator.commands.authoring import (
    Cancelled,
    Prompter,
    Repo,
    check_status,
    create_unique,
    default_message,
    front_matter,
    interactive,
    open_repo,
    parse_component,
    parse_time,
    pick,
    user_error,
    validate,
)
from generator.content.load import SLUG_RE, slugify
from generator.content.model import TYPES, component_statuses_for, statuses_for
from generator.content.timeutil import iso, utc_now
from generator.errors import ContentError

MAX_SLUG = 60


@dataclass
class Draft:
    """What the new file will say; None means not given (yet)."""

    kind: str | None = None
    title: str | None = None
    components: list[tuple[str, str]] = field(default_factory=list)
    status: str | None = None
    message: str | None = None
    at: datetime | None = None
    window: tuple[datetime, datetime] | None = None
    until: datetime | None = None  # a notice's end
    backfilled: bool = False
    slug: str | None = None  # the file name after the date; None: from the title


def one_line(text: str) -> str:
    return " ".join(text.split())


def draft_from_args(args: argparse.Namespace, repo: Repo) -> Draft:
    kind = args.type
    draft = Draft(kind=kind, backfilled=args.backfilled)
    title = args.title
    draft.title = one_line(title) if title and title.strip() else None
    for value in args.component or []:
        draft.components.append(parse_component(value, kind or "incident", repo))
    draft.status, draft.message = args.status, args.message
    draft.slug = check_slug(args.slug, "--slug") if args.slug is not None else None
    draft.at = parse_time(args.at, repo.site, "--at") if args.at else None
    if args.window:
        start, end = (parse_time(v, repo.site, "--window") for v in args.window)
        draft.window = (start, end)
    draft.until = parse_time(args.until, repo.site, "--until") if args.until else None
    return draft


def check_slug(value: str, where: str) -> str:
    if not SLUG_RE.fullmatch(value) or len(value) > MAX_SLUG:
        raise user_error(where, f"'{value}' is not a file name for the URL",
                         f"lowercase letters, digits and '-', e.g. "
                         f"'{slugify(value, 'checkout-errors', MAX_SLUG)}' (the date is added)")
    return value


# --- asking on a terminal ----------------------------------------------------------------

DECLINED = """\
Then it is probably not for the status page:
  - one account's problem: handle it in support, with that customer;
  - an unconfirmed report without a credible title: investigate first;
  - internal only (CI, staging, internal tools): use your internal channels;
  - a long, mild degradation: set a manual status in content/components.yaml.
See docs/deciding.md."""


def ask_decision(ask: Prompter, draft: Draft) -> bool:
    """The "incident or conversation?" questions; False when the author decides not to."""
    ask.say("Incident or conversation? (Enter = no)")
    if ask.yes("Is it planned work?"):
        draft.kind = "maintenance"
    elif ask.yes("Is it an announcement, with nothing broken?"):
        draft.kind = "notice"
    elif ask.yes("Is it already over, fixed within minutes?"):
        draft.kind, draft.backfilled = "incident", True
    elif ask.yes("Can customers see it, will more than one ask, or is a report confirmed?"):
        draft.kind = "incident"
    else:
        ask.say(DECLINED)
        if not ask.yes("Declare it anyway?"):
            return False
        draft.kind = "incident"
    return True


def ask_window(ask: Prompter, repo: Repo) -> tuple[datetime, datetime]:
    zone = repo.site.timezone
    for _ in range(5):
        try:
            start = parse_time(ask.required(f"Window start (ISO 8601; no offset = {zone})"),
                               repo.site, "start")
            end = parse_time(ask.required("Window end"), repo.site, "end")
        except ContentError as exc:
            ask.say(f"  {exc.problems[0].message}; try again")
            continue
        if end > start:
            return start, end
        ask.say("  the end must be after the start")
    raise Cancelled


def ask_components(ask: Prompter, repo: Repo, kind: str) -> list[tuple[str, str]]:
    ids = tuple(c.id for c in repo.components)
    if not ids:
        return []
    for number, component in enumerate(repo.components, start=1):
        ask.say(f"  {number}. {component.id} ({component.name})")
    picked: list[str] = []
    for _ in range(5):
        answer = ask.ask("Affected components (numbers or ids, comma-separated; Enter = none)")
        picked = [pick(part.strip(), ids) or "" for part in answer.split(",") if part.strip()]
        if all(picked):
            break
        ask.say("  unknown component; use the numbers or ids above")
    else:
        raise Cancelled
    default = "under_maintenance" if kind == "maintenance" else "partial_outage"
    statuses = tuple(s for s in component_statuses_for(kind) if s != "operational")
    return [(cid, ask.choice(f"Status of {cid}", statuses, default))
            for cid in dict.fromkeys(picked)]


def ask_slug(ask: Prompter, default: str) -> str:
    """The file name, for titles in other scripts: transliteration may read oddly."""
    for _ in range(5):
        answer = ask.ask("File name, the page's permanent URL (a-z, 0-9, '-')", default)
        try:
            return check_slug(answer, "file name")
        except ContentError as exc:
            ask.say(f"  {exc.problems[0].message}: {exc.problems[0].hint}")
    raise Cancelled


def ask_start(ask: Prompter, repo: Repo, started: bool) -> datetime | None:
    """The first update's time (when it started, or when a backfilled entry was); None: now."""
    question = "When did it start?" if started else "When was this?"
    for _ in range(5):
        answer = ask.ask(f"{question} (Enter = now; 14:05 = today at 14:05 "
                         f"{repo.site.timezone}; or ISO 8601)")
        if not answer:
            return None
        now = utc_now()
        try:
            at = parse_time(answer, repo.site, "time", now)
        except ContentError as exc:
            ask.say(f"  {exc.problems[0].message}; try again")
            continue
        if at <= now:
            return at
        ask.say(f"  {iso(at)} is in the future; try again")
    raise Cancelled


def ask_until(ask: Prompter, repo: Repo, start: datetime) -> datetime | None:
    """When a notice closes by the clock (its `until`); None: it stays until resolved."""
    for _ in range(5):
        answer = ask.ask(f"Show it until? (Enter = no end, close it with a 'resolved' "
                         f"update; 18:00 = today at 18:00 {repo.site.timezone}; or ISO 8601)")
        if not answer:
            return None
        try:
            until = parse_time(answer, repo.site, "until", start)
        except ContentError as exc:
            ask.say(f"  {exc.problems[0].message}; try again")
            continue
        if until > start:
            return until
        ask.say(f"  {iso(until)} is not after the notice starts ({iso(start)}); try again")
    raise Cancelled


def ask_missing(ask: Prompter, draft: Draft, repo: Repo, now: datetime) -> bool:
    """Fill in the draft on a terminal; False if the author decided not to declare."""
    if draft.kind is None and not ask_decision(ask, draft):
        return False
    kind = draft.kind or "incident"
    if draft.title is None:
        draft.title = one_line(ask.required("Title (what customers will read)"))
    if draft.slug is None and not draft.title.isascii():
        draft.slug = ask_slug(ask, slugify(draft.title, kind, MAX_SLUG))
    if kind == "maintenance" and draft.window is None:
        draft.window = ask_window(ask, repo)
    if kind != "notice" and not draft.components:
        draft.components = ask_components(ask, repo, kind)
    if draft.status is None:
        first = tuple(s for s in statuses_for(kind) if s != "postmortem")  # needs a resolve
        draft.status = ask.choice("Status", first, default_status(draft, now))
    if draft.at is None and (kind == "incident" or draft.backfilled):
        draft.at = ask_start(ask, repo, kind == "incident" and not draft.backfilled)
    if kind == "notice" and draft.until is None:
        draft.until = ask_until(ask, repo, draft.at or now)
    if draft.message is None:
        draft.message = ask.required("Message for customers (Markdown)",
                                     default_message(kind, draft.status))
    return True


# --- writing -----------------------------------------------------------------------------

def default_status(draft: Draft, now: datetime) -> str:
    if draft.kind == "maintenance":
        # What the clock says at the first update: `scheduled` in a running window would
        # only confuse readers.
        at = draft.at or now
        if draft.window and draft.window[1] <= at:
            return "completed"
        return "in_progress" if draft.window and draft.window[0] <= at else "scheduled"
    return "resolved" if draft.backfilled else "investigating"


def complete(draft: Draft, repo: Repo, now: datetime) -> Draft:
    """Check what is required and fill in defaults; raise a clear error for what is missing."""
    if draft.kind not in TYPES:
        raise user_error("heliograph new", "say what to declare",
                         "heliograph new incident|maintenance|notice TITLE")
    if not draft.title:
        raise user_error("heliograph new", "a TITLE is needed",
                         f"heliograph new {draft.kind} \"What customers will read\"")
    if draft.kind == "maintenance" and draft.window is None:
        raise user_error("--window", "a maintenance needs its window",
                         "add --window 2026-06-01T02:00:00Z 2026-06-01T04:00:00Z")
    if draft.kind != "maintenance" and draft.window is not None:
        raise user_error("--window", f"only a maintenance has a window, not a {draft.kind}",
                         "heliograph new maintenance TITLE --window START END")
    if draft.kind != "notice" and draft.until is not None:
        raise user_error("--until", f"only a notice ends by the clock, not a {draft.kind}",
                         "heliograph new notice TITLE --until END")
    if draft.kind == "notice" and draft.components:
        raise user_error("--component", "a notice affects no components",
                         "make it an incident, or leave out --component")
    if draft.window and draft.window[1] <= draft.window[0]:
        raise user_error("--window", "the window ends before it starts", "give START then END")
    draft.at = draft.at or now
    if draft.kind == "maintenance" and draft.window:
        # A maintenance declared after its window is a retrospective one, and
        # --backfilled on a maintenance means exactly that (the loader's rule).
        if draft.backfilled and draft.window[1] > draft.at:
            raise user_error("--backfilled", "a retrospective maintenance is declared after "
                             f"its window, but this one ends at {iso(draft.window[1])}",
                             "leave out --backfilled to announce it, or give the past window")
        draft.backfilled = draft.window[1] <= draft.at
    draft.status = check_status(draft.status or default_status(draft, now), draft.kind)
    if draft.at > now:
        raise user_error("--at", f"{iso(draft.at)} is in the future",
                         "updates record what already happened; only a maintenance window "
                         "may be in the future")
    if not draft.message or not draft.message.strip():
        draft.message = default_message(draft.kind, draft.status)
    draft.message = draft.message.replace("\r\n", "\n").strip()
    return draft


def render(draft: Draft) -> str:
    assert draft.title and draft.kind and draft.status and draft.message and draft.at
    lines = front_matter(draft.title, draft.kind, [(draft.at, draft.status, draft.message, ())],
                         backfilled=draft.backfilled, window=draft.window, until=draft.until,
                         components=tuple(draft.components))
    return "\n".join(["---", *lines, "---", ""])


def file_stem(draft: Draft, repo: Repo) -> str:
    """YYYY-MM-DD-<slug>: the day it happens in the site's time zone (a window's start)."""
    assert draft.at and draft.title and draft.kind
    when = draft.window[0] if draft.window else draft.at
    day = when.astimezone(repo.site.zone).date().isoformat()
    return f"{day}-{draft.slug or slugify(draft.title, draft.kind, MAX_SLUG)}"


def main(args: argparse.Namespace) -> int:
    source = Path(args.source)
    repo = open_repo(source)
    draft = draft_from_args(args, repo)
    flags = ("component", "status", "message", "at", "window", "until", "backfilled", "slug")
    now = utc_now()
    if interactive() and not any(getattr(args, name, None) for name in flags):
        try:
            if not ask_missing(Prompter(), draft, repo, now):
                print("Nothing written.", file=sys.stderr)
                return 0
        except Cancelled:
            print("\nCancelled; nothing written.", file=sys.stderr)
            return 1
    now = utc_now()  # after any questions: the update is written as of now
    draft = complete(draft, repo, now)
    text = render(draft)
    stem = file_stem(draft, repo)
    validate(repo, f"{stem}.md", text, now)
    path = create_unique(repo.incidents_dir, stem, text.encode("utf-8"))
    print(source / repo.rel(path))
    return 0
