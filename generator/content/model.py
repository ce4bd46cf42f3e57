"""The validated content of a status page repo, as plain immutable objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Literal
from zoneinfo import ZoneInfo

# Best to worst; the index is the severity rank.
COMPONENT_STATUSES = (
    "operational",
    "under_maintenance",
    "degraded_performance",
    "partial_outage",
    "major_outage",
)
IMPACTS = ("none", "maintenance", "minor", "major", "critical")
INCIDENT_STATUSES = ("investigating", "identified", "monitoring", "resolved", "postmortem")
MAINTENANCE_STATUSES = ("scheduled", "in_progress", "verifying", "completed")
TYPES = ("incident", "maintenance", "notice")

IncidentType = Literal["incident", "maintenance", "notice"]


def statuses_for(kind: str) -> tuple[str, ...]:
    """The update statuses an entry of this type uses."""
    return MAINTENANCE_STATUSES if kind == "maintenance" else INCIDENT_STATUSES


def component_statuses_for(kind: str) -> tuple[str, ...]:
    """The component statuses an entry of this type may set: `under_maintenance` is for
    maintenance only, and a notice sets none."""
    if kind == "notice":
        return ()
    if kind == "maintenance":
        return COMPONENT_STATUSES
    return tuple(s for s in COMPONENT_STATUSES if s != "under_maintenance")


def status_rank(status: str) -> int:
    return COMPONENT_STATUSES.index(status)


def impact_rank(impact: str) -> int:
    return IMPACTS.index(impact)


@dataclass(frozen=True)
class Site:
    title: str
    base_url: str  # always ends with "/"
    timezone: str
    zone: ZoneInfo = field(compare=False, repr=False)
    language: str = "en"  # the first language, published at the root
    # The other languages published at once, each in its folder /<code>/ (site.yaml
    # `languages` after the first; docs/theming.md, "Several languages").
    translations: tuple[str, ...] = ()
    description: str = ""
    theme: str = "default"
    history_days: int = 90
    feed_entries: int = 50
    history_page_size: int = 25
    brand_color: str = ""
    logo: str = ""
    email_signup_url: str = ""  # where visitors sign up for email (https or mailto:)

    @property
    def languages(self) -> tuple[str, ...]:
        """Every language the site is published in, the root's first."""
        return (self.language, *self.translations)


CHECK_KINDS = ("http", "tcp", "dns", "tls")


@dataclass(frozen=True)
class Check:
    """A component's `check:` in components.yaml, as `heliograph probe` runs it."""

    kind: Literal["http", "tcp", "dns", "tls"]
    target: str  # an http(s) URL; host:port (tcp, tls); a host name (dns)
    timeout: float = 10.0  # seconds, for the whole check
    degraded_ms: int | None = None  # slower than this: degraded_performance
    failures: int = 2  # consecutive failed runs that open an incident
    successes: int = 1  # consecutive good runs that resolve it (>1: monitoring first)
    method: str = "GET"
    status: tuple[int, ...] = ()  # expected HTTP status codes; () means any 2xx
    body_contains: str = ""
    json_path: tuple[str, ...] = ()  # keys and list indexes into a JSON body
    json_equals: str | None = None  # the value at json_path, as JSON text ("ok", 3, true)
    headers: tuple[tuple[str, str], ...] = ()  # values may name ${PROBE_...} variables
    warn_days: int = 14  # tls: a certificate expiring sooner is degraded_performance
    line: int = 0


@dataclass(frozen=True)
class Component:
    id: str
    name: str
    description: str
    group_id: str | None
    position: int  # 1-based, across the whole file, in display order
    status: str | None = None  # manual status, if any
    status_note: str = ""
    line: int = 0
    hidden: bool = False  # left off the pages (no page, feed, calendar or badge); in JSON
    sla: str | None = None  # uptime target in percent as written ("99.9"), 0 < x <= 100
    check: Check | None = None  # what `heliograph probe` measures (docs/probes.md)


@dataclass(frozen=True)
class Group:
    id: str
    name: str
    description: str
    position: int
    components: tuple[Component, ...]
    line: int = 0


@dataclass(frozen=True)
class Update:
    at: datetime  # UTC
    status: str
    message: str  # Markdown source ("" for an automatic update)
    line: int = 0
    automatic: bool = False  # made by the clock (a maintenance window's start or end)
    # Component statuses this update sets, effective from it on (id, status).
    components: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Window:
    start: datetime  # UTC
    end: datetime  # UTC


@dataclass(frozen=True)
class Incident:
    """An incident, a maintenance or a notice (one content file)."""

    slug: str
    path: str  # relative to the source folder, for messages
    type: IncidentType
    title: str
    impact: str | None  # explicit impact; see state.impact_of for the derived one
    backfilled: bool
    # (component id, status) from the first update on; updates may change and add to them
    components: tuple[tuple[str, str], ...]
    updates: tuple[Update, ...]  # oldest first
    window: Window | None
    body: str  # Markdown source
    until: datetime | None = None  # a notice closes by the clock then (UTC)
    postmortem_url: str = ""  # an absolute http(s) URL of a postmortem hosted elsewhere
    automated: bool = False  # opened by `heliograph probe` (a person may take it over)

    @property
    def started_at(self) -> datetime:
        return self.updates[0].at

    @property
    def updated_at(self) -> datetime:
        return self.updates[-1].at

    @property
    def sort_time(self) -> datetime:
        """When the entry happens: a maintenance's window start, else its first update."""
        return self.window.start if self.window else self.updates[0].at

    @cached_property
    def component_ids(self) -> tuple[str, ...]:
        """Every component the entry affects at any time, in order of first mention."""
        ids = dict.fromkeys(cid for cid, _ in self.components)
        for update in self.updates:
            ids.update(dict.fromkeys(cid for cid, _ in update.components))
        return tuple(ids)


@dataclass(frozen=True)
class DayMeasure:
    """One day of a component's probe results (generator/probes/measured.py)."""

    runs: int = 0
    down: int = 0
    ms_total: int = 0  # response times of the runs that were not down
    ms_runs: int = 0

    @property
    def ms(self) -> int | None:
        """The day's mean response time (None: no answer that day)."""
        return self.ms_total // self.ms_runs if self.ms_runs else None


@dataclass(frozen=True)
class Measured:
    """One component's measurements over the history window, oldest day first."""

    first_day: date
    days: tuple[DayMeasure, ...]

    @property
    def runs(self) -> int:
        return sum(d.runs for d in self.days)

    @property
    def down(self) -> int:
        return sum(d.down for d in self.days)


@dataclass(frozen=True)
class Content:
    """Everything a build needs, loaded and validated."""

    site: Site
    groups: tuple[Group, ...]
    ungrouped: tuple[Component, ...]
    incidents: tuple[Incident, ...]  # newest first by sort_time, then by slug
    # Probe results in the history window, for the components that have any.
    measured: tuple[tuple[str, Measured], ...] = ()

    @cached_property
    def components(self) -> tuple[Component, ...]:
        """All components in display order."""
        result: list[Component] = []
        for group in self.groups:
            result.extend(group.components)
        result.extend(self.ungrouped)
        return tuple(result)

    @cached_property
    def listed_components(self) -> tuple[Component, ...]:
        """The components visitors see, in display order: all but the hidden ones. Each
        has its page, feeds, calendar and badge; the JSON API lists every component."""
        return tuple(c for c in self.components if not c.hidden)
