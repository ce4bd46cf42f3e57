"""`heliograph check`: validate content and report every problem, for PRs and editors.

Errors come from the same loader as the build, for every file in one run. Warnings are
things authors forget; they never fail the check.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from generator.build import prepare, render_site
from generator.errors import ContentError, Problem, sort_problems
from generator.model import Content, Incident, Site
from generator.state import ACTIVE_MAINTENANCE, DOWNTIME_TENTHS, Timeline, build_timeline
from generator.theme import ThemeError
from generator.timeutil import Now

STALE_AFTER = timedelta(days=1)
OVERRUN_GRACE = timedelta(hours=1)
RECENT = timedelta(days=2)  # file-name dates only matter before the slug is published
DATE_PREFIX = re.compile(r"^(\d{4}-\d{2}-\d{2})-")

Check = Callable[[Timeline, datetime, Site], list[Problem]]


def _warn(incident: Incident, line: int | None, message: str, hint: str) -> Problem:
    return Problem(incident.path, line, None, message, hint, "warning")


def _hours(delta: timedelta) -> str:
    hours = int(delta.total_seconds() // 3600)
    return f"{hours // 24} day(s)" if hours >= 48 else f"{hours} hour(s)"


def stale(tl: Timeline, now: datetime, site: Site) -> list[Problem]:
    incident = tl.incident
    last = incident.updates[-1]
    if incident.type != "incident" or not tl.is_open(now) or now - last.at <= STALE_AFTER:
        return []  # a notice is an announcement: it may stay open without news
    return [_warn(incident, last.line, f"open {incident.type} has had no update for "
                  f"{_hours(now - last.at)}",
                  f"post an update (heliograph update {incident.slug} --status ... "
                  "--message ...) or resolve it")]


def maintenance_left_behind(tl: Timeline, now: datetime, site: Site) -> list[Problem]:
    incident = tl.incident
    window, last = incident.window, incident.updates[-1]
    if window is None or window.end >= now:
        return []
    state = tl.status(now)
    if last.status == "scheduled" and state == "completed":
        return [_warn(incident, last.line, "this maintenance window is over but its last "
                      "update still says 'scheduled'",
                      f"add a 'completed' update that says how it went (heliograph resolve "
                      f"{incident.slug} --message ...)")]
    if state in ACTIVE_MAINTENANCE and now - window.end > OVERRUN_GRACE:
        return [_warn(incident, last.line, f"the window ended {_hours(now - window.end)} ago "
                      f"and this maintenance is still '{state}' (shown as overrunning)",
                      f"post 'completed' when it is done (heliograph resolve {incident.slug})")]
    return []


def _recent(tl: Timeline, now: datetime) -> bool:
    """Being written now: open, or updated lately (older entries are history)."""
    return tl.is_open(now) or now - tl.incident.updates[-1].at <= RECENT


def no_components(tl: Timeline, now: datetime, site: Site) -> list[Problem]:
    incident = tl.incident
    if incident.type != "incident" or incident.component_ids or incident.impact is not None \
            or not _recent(tl, now):
        return []
    return [_warn(incident, 2, "this incident lists no components, so the page shows "
                  "nothing as affected", "add 'components:' with the affected ids and their "
                  "status while it is open")]


def operational_components(tl: Timeline, now: datetime, site: Site) -> list[Problem]:
    incident = tl.incident
    if incident.impact is not None or not _recent(tl, now):
        return []  # an explicit impact says the author meant it
    found = []
    for cid, status in incident.components:
        if status == "operational":
            found.append(_warn(incident, 2, f"component '{cid}' is listed as operational, so "
                               "this entry changes nothing about it",
                               "give the status it has while this is open, or remove it"))
    return found


def backfilled_open(tl: Timeline, now: datetime, site: Site) -> list[Problem]:
    incident = tl.incident
    if not incident.backfilled or incident.type == "maintenance" or not tl.is_open(now):
        return []
    return [_warn(incident, incident.updates[-1].line, f"backfilled {incident.type} is "
                  "still open", "a retrospective should end with a 'resolved' update")]


def zero_duration(tl: Timeline, now: datetime, site: Site) -> list[Problem]:
    incident = tl.incident
    """A retrospective written as a single 'resolved' update records no downtime."""
    outage = any(status in DOWNTIME_TENTHS for _, status in tl.worst(now).items())
    if incident.type != "incident" or not outage \
            or tl.ended_at(now) != incident.started_at or not _recent(tl, now):
        return []
    return [_warn(incident, incident.updates[0].line, "this incident starts and ends at the "
                  "same moment, so it records no downtime",
                  "add a first update with status 'investigating' at the time it began")]


def file_date(tl: Timeline, now: datetime, site: Site) -> list[Problem]:
    incident = tl.incident
    match = DATE_PREFIX.match(incident.slug)
    if not match or not _recent(tl, now):
        return []
    days = {incident.started_at.astimezone(site.zone).date().isoformat()}
    if incident.window:
        days.add(incident.window.start.astimezone(site.zone).date().isoformat())
    if match.group(1) in days:
        return []
    return [_warn(incident, None, f"the file name says {match.group(1)} but this "
                  f"{incident.type} starts on {min(days)}",
                  "was it copied from another file? Rename it before it is published "
                  "(the slug becomes its permanent URL)")]


def repeated_message(tl: Timeline, now: datetime, site: Site) -> list[Problem]:
    incident = tl.incident
    found = []
    for before, after in zip(incident.updates, incident.updates[1:], strict=False):
        if after.message.strip() == before.message.strip():
            found.append(_warn(incident, after.line, "this update repeats the message of the "
                               "one before it", "say what changed since the last update"))
    return found


CHECKS: tuple[Check, ...] = (stale, maintenance_left_behind, no_components,
                             operational_components, backfilled_open, zero_duration,
                             file_date, repeated_message)


def warnings(content: Content, now: datetime) -> list[Problem]:
    """Things authors forget; reported without failing the check."""
    timelines = [build_timeline(i) for i in content.incidents]
    found = [p for tl in timelines for check in CHECKS for p in check(tl, now, content.site)]
    return sort_problems(found)


def collect(source: Path, now: Now) -> tuple[tuple[Content, datetime] | None, list[Problem]]:
    """The content and the instant it was checked at (None on errors), every problem.

    A site whose theme brings its own templates has its pages rendered in memory too: a
    template can fail (or be refused by the sandbox) only when it runs, and `check`
    passing must mean `build` passes."""
    try:
        content, state, renderer = prepare(source, now)
        if renderer.theme.own_templates:
            render_site(content, state, renderer)
        return (content, state.now), []
    except ContentError as exc:
        return None, list(exc.problems)
    except ThemeError as exc:
        return None, [theme_problem(exc, source)]


def theme_problem(exc: ThemeError, source: Path) -> Problem:
    file = Path(exc.file) if exc.file else None
    if file is not None and file.is_absolute() and file.is_relative_to(source.resolve()):
        file = file.relative_to(source.resolve())
    return Problem(file.as_posix() if file else "theme", exc.line, None, exc.message,
                   "fix the template; docs/theming.md says what templates may do")


def run_check(source: Path, now: Now, fmt: str) -> int:
    loaded, problems = collect(source, now)
    errors = len(problems)
    problems = warnings(*loaded) if loaded is not None else sort_problems(problems)
    out = sys.stdout if fmt == "github" else sys.stderr
    for problem in problems:
        print(problem.format_github() if fmt == "github" else problem.format_text(), file=out)
    warned = len(problems) - errors
    files = len({p.file for p in problems})
    if errors or warned:
        print(f"heliograph check: {errors} error(s), {warned} warning(s) in {files} file(s)",
              file=sys.stderr)
    else:
        print("heliograph check: content is valid", file=sys.stderr)
    return 1 if errors else 0
