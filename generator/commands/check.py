"""`heliograph check`: validate content and report every problem, for PRs and editors.

Errors come from the same loader as the build, for every file in one run. Warnings are
things authors forget; they never fail the check.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from generator.commands.init import PLACEHOLDER_BASE_URL, sample_slugs
from generator.content.load import read_text
from generator.content.model import Content, Incident, Site
from generator.content.timeutil import Now
from generator.errors import ContentError, Problem, sort_problems
from generator.notify.config import load_config
from generator.site.build import load, render_site
from generator.state.rules import ACTIVE_MAINTENANCE, DOWNTIME_TENTHS
from generator.state.timeline import Timeline, build_timeline
from generator.theme.markup import Markdown
from generator.theme.themes import ThemeError, load_theme

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


def clock_ahead(tl: Timeline, now: datetime, site: Site) -> list[Problem]:
    """Updates the loader accepted as clock skew (at most load.CLOCK_SKEW ahead)."""
    found = []
    for number, update in enumerate(tl.incident.updates, start=1):
        if update.at > now:
            ahead = int((update.at - now).total_seconds())
            found.append(_warn(tl.incident, update.line, f"update {number} is {ahead} s after "
                               f"now ({update.at:%Y-%m-%d %H:%M:%S} UTC); accepted as a clock "
                               "running ahead and shown as already posted",
                               "check the clock of the computer that wrote it (times without "
                               f"an offset are in {site.timezone})"))
    return found


CHECKS: tuple[Check, ...] = (clock_ahead, stale, maintenance_left_behind, no_components,
                             operational_components, backfilled_open, zero_duration,
                             file_date, repeated_message)


def scaffold_leftovers(content: Content, source: Path) -> list[Problem]:
    """What `heliograph init` put in as examples, before it goes live by accident."""
    found = []
    if content.site.base_url == PLACEHOLDER_BASE_URL:
        rel = "content/site.yaml"
        text, _ = read_text(source / rel, rel, source)
        line = next((number for number, row in enumerate((text or "").splitlines(), start=1)
                     if re.match(r"base_url\s*:", row)), None)
        found.append(Problem(rel, line, None, f"base_url is still the example address "
                             f"{PLACEHOLDER_BASE_URL} from heliograph init",
                             "set the address the page is published at: feeds, the JSON API "
                             "and shared links use it", "warning"))
    samples = sample_slugs()
    for incident in content.incidents:
        if incident.slug in samples:
            found.append(_warn(incident, 1, "this is the sample incident from heliograph init",
                               "delete it (or keep it as a model outside content/) before "
                               "the page goes live"))
    return found


def warnings(content: Content, now: datetime, source: Path) -> list[Problem]:
    """Things authors forget; reported without failing the check."""
    timelines = [build_timeline(i) for i in content.incidents]
    found = [p for tl in timelines for check in CHECKS for p in check(tl, now, content.site)]
    return sort_problems(found + scaffold_leftovers(content, source))


def collect(source: Path, now: Now) -> tuple[tuple[Content, datetime] | None, list[Problem]]:
    """The content and the instant it was checked at (None on errors), every problem.

    A site whose theme brings its own templates has its pages rendered in memory too: a
    template can fail (or be refused by the sandbox) only when it runs, and `check`
    passing must mean `build` passes."""
    try:
        md = Markdown()  # the loader renders every text with it; the pages reuse it
        content, instant = load(source, now, md=md)
        theme = load_theme(source, content.site)
        # The derived state cannot fail on valid content, and the default theme's templates
        # are tested: Jinja and the state are only for a theme's own templates.
        if theme.own_templates:
            from generator.state.derive import derive
            from generator.theme.templates import Renderer

            render_site(content, derive(content, instant),
                        Renderer(content, theme, md, pages_once=True))
        # notify.yaml too (not its secrets, absent here): a merged mistake would stop notify.
        load_config(source, {c.id for c in content.components}, with_env=False)
        return (content, instant), []
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


def repository_root(source: Path) -> Path:
    """Where GitHub's annotation paths start: GITHUB_WORKSPACE, else the git work tree
    holding `source` (found by its .git entry: no git command runs), else `source`."""
    workspace = os.environ.get("GITHUB_WORKSPACE")
    if workspace:
        return Path(workspace).resolve()
    folder = source.resolve()
    return next((d for d in (folder, *folder.parents) if (d / ".git").exists()), folder)


def from_root(problem: Problem, source: Path, root: Path) -> Problem:
    """The problem with its file named from `root` (kept as it is when outside of it)."""
    path = source.resolve() / problem.file
    if not path.is_relative_to(root):
        return problem  # a source outside GITHUB_WORKSPACE: no annotation can match anyway
    return dataclasses.replace(problem, file=os.path.relpath(path, root).replace(os.sep, "/"))


def run_check(source: Path, now: Now, fmt: str) -> int:
    """The report (problems, then a summary line) on stdout, like a linter's."""
    loaded, problems = collect(source, now)
    errors = len(problems)
    problems = warnings(*loaded, source) if loaded is not None else sort_problems(problems)
    warned = len(problems) - errors
    files = len({p.file for p in problems})
    if fmt == "github":
        root = repository_root(source)
        for problem in problems:
            print(from_root(problem, source, root).format_github())
    else:
        for problem in problems:
            print(problem.format_text())
    if errors or warned:
        print(f"heliograph check: {errors} error(s), {warned} warning(s) in {files} file(s)")
    else:
        print("heliograph check: content is valid")
    return 1 if errors else 0


def main(args: argparse.Namespace) -> int:
    return run_check(Path(args.source), args.now, args.format)
