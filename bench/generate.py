"""Generate a synthetic, deterministic status page repository for benchmarks.

    python bench/generate.py N OUTDIR [--seed S] [--now 2026-11-27T00:00:00Z] [--force]

Writes OUTDIR/content/site.yaml, OUTDIR/content/components.yaml and N files
OUTDIR/content/incidents/YYYY-MM-DD-<slug>.md in the format of SPEC.md section 4.
The output depends only on N, --seed and --now (no wall clock, no hash-order
iteration), so the same arguments give byte-identical files.

Standard library only, so it runs before Heliograph's dependencies are installed.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from random import Random

DEFAULT_NOW = "2026-11-27T00:00:00Z"
DEFAULT_SEED = 1
YEARS_OF_HISTORY = 6
MIN_WORDS = 150
MAX_WORDS = 400

# -- site and components ---------------------------------------------------------------


@dataclass(frozen=True)
class Component:
    id: str
    name: str
    noun: str  # plural, what users see fail: "API requests"
    description: str


GROUPS: list[tuple[str, str, list[Component]]] = [
    (
        "core",
        "Core platform",
        [
            Component("api", "Public API", "API requests", "REST and GraphQL endpoints."),
            Component("dashboard", "Dashboard", "dashboard page loads", "The web console."),
            Component(
                "auth", "Authentication", "sign-ins", "Single sign-on, passwords and tokens."
            ),
            Component(
                "webhooks", "Webhooks", "webhook deliveries", "Outgoing event notifications."
            ),
        ],
    ),
    (
        "data",
        "Data and storage",
        [
            Component(
                "database",
                "Managed databases",
                "database queries",
                "Hosted PostgreSQL and MySQL clusters.",
            ),
            Component(
                "object-storage",
                "Object storage",
                "uploads and downloads",
                "S3-compatible buckets.",
            ),
            Component("search", "Search", "search queries", "Full-text search and indexing."),
            Component("backups", "Backups", "backup jobs", "Nightly and on-demand snapshots."),
        ],
    ),
    (
        "delivery",
        "Delivery",
        [
            Component("cdn", "CDN", "cached asset requests", "Edge caching in 40 locations."),
            Component("email", "Email delivery", "outgoing emails", "Transactional email."),
            Component(
                "sms", "SMS notifications", "SMS messages", "Text messages and one-time codes."
            ),
            Component(
                "billing",
                "Billing",
                "invoice and payment operations",
                "Invoices, payments and usage reports.",
            ),
        ],
    ),
]
COMPONENTS: list[Component] = [c for _, _, comps in GROUPS for c in comps]

SITE_YAML = """\
title: Acme Cloud Status
base_url: https://status.example.com/
timezone: UTC
language: en
description: Current status, incident history and scheduled maintenance for Acme Cloud.
history_days: 90
"""

# -- word lists and sentence templates --------------------------------------------------

REGIONS = ["us-east", "us-west", "eu-west", "eu-central", "ap-southeast", "sa-east"]
SYMPTOMS = [
    "elevated error rates",
    "increased latency",
    "intermittent timeouts",
    "HTTP 502 and 503 responses",
    "slow responses",
    "failed requests",
    "connection resets",
    "stale data",
]
CAUSES = [
    "a faulty configuration change to our load balancers",
    "a failed database failover in {region}",
    "an expired TLS certificate on an internal service",
    "memory exhaustion on a shared cache cluster",
    "a bug in the latest deploy of the {name} service",
    "a network partition between two availability zones in {region}",
    "a traffic spike that exceeded the capacity of our ingress tier",
    "a degraded disk on a primary database node",
    "an outage at an upstream provider in {region}",
    "a misconfigured DNS record",
    "a connection pool leak in a background worker",
    "a runaway query that saturated the primary database",
]
ACTIONS = [
    "rolling back the change",
    "failing over to a healthy replica",
    "adding capacity to the affected cluster",
    "replacing the certificate",
    "rerouting traffic away from {region}",
    "restarting the affected workers",
    "throttling the heaviest background jobs",
    "draining the unhealthy nodes",
]
TITLES_ONE = [
    "Elevated error rates for {noun}",
    "Increased latency on {name}",
    "Delayed {noun}",
    "Partial outage of {name} in {region}",
    "{name} unavailable for some customers",
    "Intermittent failures of {noun}",
    "Degraded {name} performance",
    "{name} outage",
]
TITLES_MANY = [
    "Elevated error rates on {name} and {name2}",
    "Outage affecting {name} and {name2}",
    "Degraded performance across {region}",
    "Connectivity issues in {region}",
]
INVESTIGATING = [
    "We are investigating reports of {symptom} affecting {noun}.",
    "Our monitoring detected {symptom} on {name} starting at {hhmm} UTC. "
    "Engineers are looking into it.",
    "Some customers in {region} are seeing {symptom}. We are investigating and will post "
    "an update within {n} minutes.",
    "We are aware that some {noun} are failing. Our on-call team is investigating the cause.",
]
INVESTIGATING_MORE = [
    "We are still investigating {symptom} on {name}. Retrying failed requests may help.",
    "Our investigation continues. We have ruled out a network problem and are looking at "
    "recent changes.",
]
IDENTIFIED = [
    "The issue has been identified as {cause}. We are {action}.",
    "We have identified the cause: {cause}. The team is {action}.",
    "The {symptom} are caused by {cause}. We are {action} and expect recovery within {n} minutes.",
]
IDENTIFIED_MORE = [
    "We are continuing to work on a fix. {Action} is taking longer than expected.",
    "{Action} is about halfway done. Some {noun} are still failing.",
]
MONITORING = [
    "A fix has been deployed and {noun} are recovering. We are monitoring the results.",
    "Error rates have returned to normal levels. We will keep monitoring for the next {n} minutes.",
    "{Action} is complete. Queued {noun} are being processed and should catch up within "
    "{n} minutes.",
    "Most {noun} are succeeding again. We are watching the remaining errors closely.",
]
MONITORING_MORE = [
    "Recovery continues and the backlog is shrinking. We are still monitoring.",
    "Error rates remain at normal levels. We will resolve this incident soon.",
]
RESOLVED = [
    "This incident has been resolved. {Noun} have been working normally since {hhmm} UTC.",
    "All {noun} are being processed normally. We apologise for the disruption.",
    "The issue is resolved and no data was lost. Requests that failed during the incident "
    "can be retried safely.",
    "Everything has been stable for {n} minutes, so we are closing this incident.",
]
POSTMORTEM = [
    "We have published a postmortem describing the cause and the changes we are making.",
    "The postmortem for this incident is now available below.",
]
EXTRA = [
    "Requests in other regions are not affected.",
    "We will share a full postmortem in the coming days.",
    "No customer data was lost or exposed.",
    "Thank you for your patience while we work on this.",
    "Customers using our SDKs will see automatic retries.",
    "Support tickets about this issue will be answered once service is restored.",
]
MAINT_TITLES = [
    "Scheduled maintenance of {name}",
    "{name} version upgrade",
    "Network maintenance in {region}",
    "Planned storage migration for {name}",
    "Certificate rotation for {name}",
    "Database engine upgrade in {region}",
]
EXPECT = [
    "During this window {noun} may be delayed for up to {n} minutes.",
    "The service will be read-only for up to {n} minutes.",
    "No downtime is expected, but some requests may need to be retried.",
    "Existing connections will be dropped once and should reconnect automatically.",
]
SCHEDULED = [
    "We will perform scheduled maintenance on {name} on {date} from {start} to {end} UTC. {expect}",
    "Maintenance of {name} is planned for {date}, {start} to {end} UTC. {expect}",
]
SCHEDULED_MORE = [
    "Reminder: the maintenance of {name} starts on {date} at {start} UTC.",
    "We have published more details about this maintenance below. {expect}",
    "This maintenance is still going ahead as planned.",
]
IN_PROGRESS = [
    "Scheduled maintenance is currently in progress. We will provide updates as necessary.",
    "The maintenance has begun. {Noun} may be briefly unavailable.",
    "Work is progressing as planned; about half of the nodes have been upgraded.",
]
VERIFYING = [
    "The work is done and we are verifying that all systems behave as expected.",
    "The upgrade has been applied. We are running our post-maintenance checks.",
]
COMPLETED = [
    "The scheduled maintenance has been completed. Thank you for your patience.",
    "Maintenance is complete and {name} is fully operational.",
]
NOTICE_TITLES = [
    "Deprecation of API version {v}",
    "Changes to webhook source IP ranges",
    "Holiday support hours",
    "Phishing emails impersonating Acme Cloud",
    "New data center in {region}",
    "Upcoming change to {name} rate limits",
]
NOTICE_MSGS = [
    "We want to let you know about an upcoming change that may require action on your side.",
    "This notice has been updated with more details and a timeline.",
    "Please review the details below and contact support if you have questions.",
    "Most customers do not need to do anything.",
]
NOTICE_END = [
    "This change is now complete and this notice is closed.",
    "We are closing this notice. Thank you for reading.",
]
BODY_FILLER = [
    "Our engineers were paged by automated alerts within two minutes of the first errors.",
    "The affected systems run in several availability zones, but the fault was shared "
    "between them.",
    "Customers with retries enabled saw delays rather than failures.",
    "We know how much you rely on us, and we are sorry for the trouble this caused.",
    "The error budget for this quarter was consumed faster than in any previous quarter.",
    "We reviewed our alert thresholds and found that they fired later than they should have.",
    "Support answered affected customers directly and credits will be applied automatically.",
    "The change had passed review and staging tests, which did not reproduce the load.",
    "A similar pattern appeared last year, and the safeguards added then helped us recover.",
    "Traffic was shifted gradually to avoid overloading the healthy nodes.",
    "Dashboards for this service are now shared with the support team.",
    "We will run a game day to rehearse this failure mode with the on-call rotation.",
]
ACTION_ITEMS = [
    "Add a canary stage for configuration changes to the load balancers.",
    "Alert on connection pool saturation, not only on error rates.",
    "Automate certificate renewal for every internal service.",
    "Cap the size of background jobs so that one customer cannot starve others.",
    "Run failover drills every month in each region.",
    "Document the rollback procedure in the on-call runbook.",
    "Add capacity headroom of thirty percent to the ingress tier.",
    "Review timeouts between services so that failures stay contained.",
]
MAINT_LIST = [
    "API requests may be answered slowly for a few minutes.",
    "Scheduled jobs will start after the window ends.",
    "Dashboard sessions stay signed in.",
    "Webhooks fired during the window are queued and delivered afterwards.",
    "No action is needed on your side.",
    "Read replicas remain available throughout.",
]
NOTICE_LIST = [
    "Update your firewall rules before the deadline.",
    "Check which API version your integrations use in the dashboard.",
    "Contact support if you need more time.",
    "Subscribe to this page to receive future notices by email.",
]

WORD_RE = re.compile(r"[A-Za-z0-9]+(?:['.][A-Za-z0-9]+)*")


@lru_cache(maxsize=4096)
def count_words(text: str) -> int:
    """Words in prose text, ignoring Markdown punctuation such as '##' or '-'."""
    return len(WORD_RE.findall(text))


# -- model -----------------------------------------------------------------------------


@dataclass
class Update:
    at: datetime
    status: str
    message: str


@dataclass
class Entry:
    kind: str  # incident | maintenance | notice
    title: str
    date: datetime  # used in the file name
    updates: list[Update] = field(default_factory=list)
    components: list[tuple[str, str]] = field(default_factory=list)
    impact: str | None = None
    explicit_type: bool = True
    backfilled: bool = False
    window: tuple[datetime, datetime] | None = None
    body: str = ""


class Text:
    """Fills sentence templates for one entry; placeholders stay consistent per entry."""

    def __init__(self, rng: Random, comps: list[Component]) -> None:
        self.rng = rng
        main = comps[0] if comps else rng.choice(COMPONENTS)
        self.values: dict[str, str] = {
            "name": main.name,
            "name2": comps[1].name if len(comps) > 1 else main.name,
            "noun": main.noun,
            "region": rng.choice(REGIONS),
            "symptom": rng.choice(SYMPTOMS),
            "v": str(rng.randint(1, 4)),
        }
        self.values["cause"] = self._fill(rng.choice(CAUSES))
        self.values["action"] = self._fill(rng.choice(ACTIONS))

    def _fill(self, template: str) -> str:
        def repl(match: re.Match[str]) -> str:
            key = match.group(1)
            value = self.values.get(key.lower())
            if value is None:
                value = str(self.rng.choice([10, 15, 20, 30, 45, 60]))
            return value[:1].upper() + value[1:] if key[:1].isupper() else value

        return re.sub(r"\{(\w+)\}", repl, template)

    def say(self, templates: list[str], **extra: str) -> str:
        self.values.update(extra)
        return self._fill(self.rng.choice(templates))

    def filler(self, pool: list[str], budget: int) -> list[str]:
        """Distinct sentences from pool whose words fit within budget."""
        out: list[str] = []
        for sentence in self.rng.sample(pool, len(pool)):
            words = count_words(sentence)
            if words <= budget:
                out.append(sentence)
                budget -= words
        return out


# -- timestamps ------------------------------------------------------------------------


def parse_time(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def fmt_time(moment: datetime) -> str:
    m = moment
    return f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:00Z"


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


def floor_minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


# -- entry builders --------------------------------------------------------------------


def pick_components(rng: Random, low: int, high: int) -> list[Component]:
    return rng.sample(COMPONENTS, rng.randint(low, high))


def incident_statuses(rng: Random, count: int) -> list[str]:
    """A non-decreasing run of pre-resolution statuses, usually starting at investigating."""
    ladder = ["investigating", "identified", "monitoring"]
    first = 0 if rng.random() < 0.85 else 1
    rest = sorted(rng.randint(first, 2) for _ in range(count - 1))
    return [ladder[first]] + [ladder[i] for i in rest]


FIRST_POOLS = {
    "investigating": INVESTIGATING,
    "identified": IDENTIFIED,
    "monitoring": MONITORING,
    "resolved": RESOLVED,
    "postmortem": POSTMORTEM,
}
REPEAT_POOLS = {
    **FIRST_POOLS,
    "investigating": INVESTIGATING_MORE,
    "identified": IDENTIFIED_MORE,
    "monitoring": MONITORING_MORE,
}


def incident_message(text: Text, status: str, at: datetime, repeat: bool) -> str:
    """A message for status; repeat is true when the previous update had the same status."""
    pools = REPEAT_POOLS if repeat else FIRST_POOLS
    message = text.say(pools[status], hhmm=at.strftime("%H:%M"))
    if status != "postmortem" and text.rng.random() < 0.35:
        message += " " + text.rng.choice(EXTRA)
    return message


def timeline(rng: Random, start: datetime, count: int, low: int, high: int) -> list[datetime]:
    times = [start]
    for _ in range(count - 1):
        times.append(times[-1] + minutes(rng.randint(low, high)))
    return times


def make_incident(rng: Random, start: datetime, is_open: bool, now: datetime) -> Entry:
    comps = pick_components(rng, 1, 4)
    text = Text(rng, comps)
    title = text.say(TITLES_MANY if len(comps) > 1 and rng.random() < 0.6 else TITLES_ONE)
    weights = [("degraded_performance", 5), ("partial_outage", 4), ("major_outage", 2)]
    statuses = [s for s, w in weights for _ in range(w)]
    entry = Entry("incident", title, start, explicit_type=rng.random() < 0.7)
    entry.components = [(c.id, rng.choice(statuses)) for c in comps]
    if rng.random() < 0.5:
        entry.impact = rng.choice(["minor", "major", "major", "critical", "none"])
    total = rng.randint(3, 6)
    postmortem = not is_open and total >= 4 and rng.random() < 0.3
    if is_open:
        labels = incident_statuses(rng, total)
        times = timeline(rng, start, total, 4, 25)
        shift = times[-1] - (now - minutes(rng.randint(1, 20)))
        times = [t - shift for t in times]
        entry.date = times[0]
    else:
        labels = [*incident_statuses(rng, total - 1 - postmortem), "resolved"]
        times = timeline(rng, start, len(labels), 5, 90)
        if postmortem:
            labels.append("postmortem")
            times.append(times[-1] + minutes(rng.randint(24 * 60, 6 * 24 * 60)))
        entry.backfilled = rng.random() < 0.08
    previous = ""
    for at, status in zip(times, labels, strict=True):
        entry.updates.append(
            Update(at, status, incident_message(text, status, at, status == previous))
        )
        previous = status
    entry.body = incident_body(text, entry, postmortem)
    return entry


def make_maintenance(rng: Random, start: datetime, upcoming: bool, now: datetime) -> Entry:
    comps = pick_components(rng, 1, 3)
    text = Text(rng, comps)
    window_start = floor_minute(start).replace(minute=rng.choice([0, 30]))
    window_end = window_start + minutes(rng.choice([60, 90, 120, 180, 240]))
    entry = Entry("maintenance", text.say(MAINT_TITLES), window_start)
    entry.window = (window_start, window_end)
    entry.components = [(c.id, "under_maintenance") for c in comps]
    slots = {
        "date": window_start.strftime("%A %d %B %Y"),
        "start": window_start.strftime("%H:%M"),
        "end": window_end.strftime("%H:%M"),
        "expect": text.say(EXPECT),
    }
    if upcoming:
        first = now - minutes(rng.randint(3 * 24 * 60, 10 * 24 * 60))
        times = timeline(rng, first, 3, 12 * 60, 24 * 60)
        labels = ["scheduled"] * 3
    else:
        first = window_start - minutes(rng.randint(2 * 24 * 60, 14 * 24 * 60))
        labels, times = past_maintenance_plan(rng, window_start, window_end)
        labels, times = ["scheduled", *labels], [first, *times]
    for at, status in zip(times, labels, strict=True):
        pool = {"in_progress": IN_PROGRESS, "verifying": VERIFYING, "completed": COMPLETED}.get(
            status, SCHEDULED if not entry.updates else SCHEDULED_MORE
        )
        entry.updates.append(Update(at, status, text.say(pool, **slots)))
    entry.body = maintenance_body(text, entry)
    return entry


def past_maintenance_plan(
    rng: Random, start: datetime, end: datetime
) -> tuple[list[str], list[datetime]]:
    """Updates after the first `scheduled` one: 2 to 5 of them, ending with completed."""
    labels: list[str] = []
    times: list[datetime] = []
    if rng.random() < 0.3:
        labels.append("scheduled")
        times.append(start - minutes(rng.randint(60, 24 * 60)))
    labels.append("in_progress")
    times.append(start + minutes(rng.randint(0, 3)))
    if rng.random() < 0.3:
        labels.append("in_progress")
        times.append(times[-1] + minutes(rng.randint(10, 40)))
    if rng.random() < 0.6:
        labels.append("verifying")
        times.append(max(times[-1] + minutes(5), end - minutes(rng.randint(5, 20))))
    labels.append("completed")
    times.append(max(times[-1] + minutes(2), end + minutes(rng.randint(-15, 20))))
    return labels, times


def make_notice(rng: Random, start: datetime) -> Entry:
    text = Text(rng, [])
    entry = Entry("notice", text.say(NOTICE_TITLES), start)
    if rng.random() < 0.5:
        entry.impact = "none"
    count = rng.randint(3, 6)
    labels = ["identified"] + ["monitoring"] * (count - 2) + ["resolved"]
    times = timeline(rng, start, count, 60, 2 * 24 * 60 - 1)  # ends before now
    for at, status in zip(times, labels, strict=True):
        pool = NOTICE_END if status == "resolved" else NOTICE_MSGS
        entry.updates.append(Update(at, status, text.say(pool)))
    entry.body = notice_body(text, entry)
    return entry


# -- Markdown bodies -------------------------------------------------------------------


def message_words(entry: Entry) -> int:
    return sum(count_words(u.message) for u in entry.updates)


def body_budget(text: Text, entry: Entry) -> int:
    """Words left for the body so that the file lands between MIN_WORDS and MAX_WORDS."""
    target = text.rng.randint(MIN_WORDS + 25, MAX_WORDS - 30)
    return max(0, target - message_words(entry))


def paragraph(text: Text, pool: list[str], budget: int) -> str:
    """Filler sentences within budget, three or four to a paragraph."""
    sentences = text.filler(pool, budget)
    size = text.rng.randint(3, 4)
    return "\n\n".join(" ".join(sentences[i : i + size]) for i in range(0, len(sentences), size))


def bullets(items: list[str]) -> str:
    return "\n".join(f"- {item}" for item in items)


def incident_body(text: Text, entry: Entry, postmortem: bool) -> str:
    budget = body_budget(text, entry)
    if postmortem:
        return postmortem_body(text, entry, budget)
    if budget < 25 and text.rng.random() < 0.5:
        return ""
    intro = f"{text.say(['This incident affected {noun} in {region}.'])} "
    return "## Details\n\n" + intro + paragraph(text, BODY_FILLER, budget - count_words(intro))


def first_sentence(message: str) -> str:
    return message.split(". ")[0].rstrip(".") + "."


def postmortem_body(text: Text, entry: Entry, budget: int) -> str:
    first, last = entry.updates[0].at, entry.updates[-2].at
    steps = [
        f"**{u.at.strftime('%H:%M')} UTC**: {first_sentence(u.message)}" for u in entry.updates[:-1]
    ]
    summary = text.say(
        ["Between {a} and {b} UTC, {noun} saw {symptom}. The cause was {cause}."],
        a=first.strftime("%H:%M"),
        b=last.strftime("%H:%M"),
    )
    fixed = summary + " ".join(steps)
    remaining = max(0, budget - count_words(fixed) - 12)
    items = text.filler(ACTION_ITEMS, remaining // 2)
    extra = paragraph(text, BODY_FILLER, remaining - sum(count_words(i) for i in items))
    return (
        f"## Postmortem\n\n### Summary\n\n{summary}\n\n### Timeline\n\n{bullets(steps)}\n\n"
        f"### Root cause\n\n{extra}\n\n### What we are changing\n\n{bullets(items)}"
    ).rstrip()


def maintenance_body(text: Text, entry: Entry) -> str:
    budget = body_budget(text, entry)
    items = text.filler(MAINT_LIST, budget // 2)
    rest = paragraph(text, BODY_FILLER[-4:] + EXPECT[2:], budget - sum(map(count_words, items)))
    return f"## What to expect\n\n{bullets(items)}\n\n{rest}".rstrip()


def notice_body(text: Text, entry: Entry) -> str:
    budget = body_budget(text, entry)
    items = text.filler(NOTICE_LIST, budget // 2)
    rest = paragraph(text, BODY_FILLER + EXTRA, budget - sum(map(count_words, items)))
    return f"## Details\n\n{rest}\n\n### What you need to do\n\n{bullets(items)}".rstrip()


# -- YAML / Markdown output ------------------------------------------------------------

PLAIN_SAFE = re.compile(r"[A-Za-z][^:#\n]*[^:\s]")


def scalar(value: str, indent: str) -> str:
    """A YAML scalar: plain when unambiguous, else a literal block or a quoted string."""
    if PLAIN_SAFE.fullmatch(value) and value.lower() not in {
        "yes",
        "no",
        "true",
        "false",
        "null",
        "on",
        "off",
    }:
        return " " + value
    if not value.startswith(" "):
        return " |\n" + "\n".join(indent + line if line else "" for line in value.split("\n"))
    return " " + json.dumps(value)


def render(entry: Entry) -> str:
    lines = ["---", f"title:{scalar(entry.title, '  ')}"]
    if entry.explicit_type:
        lines.append(f"type: {entry.kind}")
    if entry.impact is not None:
        lines.append(f"impact: {entry.impact}")
    if entry.backfilled:
        lines.append("backfilled: true")
    if entry.window:
        start, end = (fmt_time(t) for t in entry.window)
        lines.append(f"window: {{start: {start}, end: {end}}}")
    if entry.components:
        lines.append("components:")
        lines.extend(f"  {cid}: {status}" for cid, status in entry.components)
    lines.append("updates:")
    for update in entry.updates:
        lines.append(f"  - at: {fmt_time(update.at)}")
        lines.append(f"    status: {update.status}")
        lines.append(f"    message:{scalar(update.message, '      ')}")
    lines.append("---")
    if entry.body:
        lines.append(entry.body)
    return "\n".join(lines) + "\n"


def slugify(title: str) -> str:
    words = re.findall(r"[a-z0-9]+", title.lower())[:7]
    while len(words) > 1 and words[-1] in {"and", "of", "on", "for", "in", "to", "the"}:
        words.pop()
    return "-".join(words)


def unique_slug(base: str, used: set[str]) -> str:
    slug, n = base, 1
    while slug in used:
        n += 1
        slug = f"{base}-{n}"
    used.add(slug)
    return slug


def components_yaml() -> str:
    lines = ["groups:"]
    for gid, gname, comps in GROUPS:
        lines += [f"  - id: {gid}", f"    name: {gname}", "    components:"]
        for comp in comps:
            lines += [
                f"      - id: {comp.id}",
                f"        name: {comp.name}",
                f"        description: {comp.description}",
            ]
    return "\n".join(lines) + "\n"


# -- plan ------------------------------------------------------------------------------


def plan_kinds(rng: Random, count: int) -> list[str]:
    """Kinds for count entries: 3 open incidents and 2 upcoming maintenances (fewer when
    count is small), then about 80% incidents, 15% maintenance, 5% notices."""
    special = min(5, count // 20)
    kinds = (["open", "open", "open", "upcoming", "upcoming"])[:special]
    for _ in range(count - special):
        roll = rng.random()
        kinds.append("incident" if roll < 0.8 else "maintenance" if roll < 0.95 else "notice")
    return kinds


def make_entry(rng: Random, kind: str, now: datetime) -> Entry:
    span = YEARS_OF_HISTORY * 365 * 24 * 60
    past = floor_minute(now - minutes(rng.randint(10 * 24 * 60, span)))
    builders: dict[str, Callable[[], Entry]] = {
        "open": lambda: make_incident(rng, past, True, now),
        "incident": lambda: make_incident(rng, past, False, now),
        "notice": lambda: make_notice(rng, past),
        "maintenance": lambda: make_maintenance(rng, past, False, now),
        "upcoming": lambda: make_maintenance(
            rng, floor_minute(now + minutes(rng.randint(24 * 60, 21 * 24 * 60))), True, now
        ),
    }
    return builders[kind]()


def entries(count: int, seed: int, now: datetime) -> Iterator[tuple[str, Entry]]:
    """(file name without .md, entry) of the count entries, in the order they are drawn:
    the one sequence both this repository and bench/cstate.py's cState site are made of."""
    rng = Random(seed)
    used: set[str] = set()
    for kind in plan_kinds(rng, count):
        entry = make_entry(rng, kind, now)
        yield unique_slug(f"{entry.date:%Y-%m-%d}-{slugify(entry.title)}", used), entry


def generate(count: int, outdir: Path, seed: int, now: datetime, force: bool = False) -> int:
    """Write the repository; returns the number of incident files written."""
    content = outdir / "content"
    incidents = content / "incidents"
    existing = sorted(incidents.glob("*.md")) if incidents.is_dir() else []
    if existing and not force:
        raise SystemExit(
            f"error: {incidents} already holds {len(existing)} .md files; "
            "use an empty OUTDIR or --force to replace them"
        )
    for path in existing:
        path.unlink()
    incidents.mkdir(parents=True, exist_ok=True)
    (content / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    (content / "components.yaml").write_text(components_yaml(), encoding="utf-8")
    for slug, entry in entries(count, seed, now):
        with open(incidents / f"{slug}.md", "w", encoding="utf-8", newline="\n") as handle:
            handle.write(render(entry))
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int, metavar="N", help="number of incident files")
    parser.add_argument("outdir", type=Path, metavar="OUTDIR")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--now", default=DEFAULT_NOW, help="build time the content is valid at")
    parser.add_argument(
        "--force",
        action="store_true",
        help="delete existing content/incidents/*.md in OUTDIR first",
    )
    args = parser.parse_args(argv)
    if args.count < 0:
        parser.error("N must be >= 0")
    try:
        now = parse_time(args.now)
    except ValueError:
        parser.error(f"--now: not an ISO 8601 time: {args.now!r}")
    generate(args.count, args.outdir, args.seed, now, args.force)
    return 0


if __name__ == "__main__":
    sys.exit(main())
