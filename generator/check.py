"""`heliograph check`: validate content and report every problem, for PRs and editors."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

from generator.build import Now, resolve_now
from generator.errors import ContentError, Problem
from generator.load import load_content
from generator.model import Content
from generator.state import is_open, maintenance_state

STALE_AFTER = timedelta(days=1)


def warnings(content: Content, now_value: Now) -> list[Problem]:
    """Things authors forget; reported without failing the check."""
    now = resolve_now(now_value, content.site.zone)
    found = []
    for incident in content.incidents:
        last = incident.updates[-1]
        if is_open(incident, now) and now - last.at > STALE_AFTER:
            found.append(Problem(
                incident.path, last.line, None,
                f"open {incident.type} has had no update for {(now - last.at).days} day(s)",
                "post an update (heliograph update SLUG ...) or resolve it", "warning"))
        if incident.window and incident.window.end < now and last.status == "scheduled" \
                and maintenance_state(incident, now) == "completed":
            found.append(Problem(
                incident.path, last.line, None,
                "this maintenance window is over but its last update still says 'scheduled'",
                "add a 'completed' update that says how it went", "warning"))
    return found


def run_check(source: Path, now: Now, fmt: str) -> int:
    try:
        content = load_content(source, lambda zone: resolve_now(now, zone))
        problems = warnings(content, now)
        errors = 0
    except ContentError as exc:
        problems = exc.problems
        errors = len(problems)
    for problem in problems:
        line = problem.format_github() if fmt == "github" else problem.format_text()
        print(line, file=sys.stdout if fmt == "github" else sys.stderr)
    warned = len(problems) - errors
    summary = f"heliograph check: {errors} error(s), {warned} warning(s)"
    print(summary if errors or warned else "heliograph check: content is valid", file=sys.stderr)
    return 1 if errors else 0
