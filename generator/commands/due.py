"""`heliograph due`: does the derived state change between two instants?

A scheduled workflow fetches the live site's `build.json`, asks `due --since
<generated_at>`, and rebuilds only when the answer is yes (docs/authoring.md).
"""

from __future__ import annotations

import argparse
from datetime import datetime, tzinfo
from pathlib import Path

from generator.content.load import load_content
from generator.content.model import Content
from generator.content.timeutil import TimeError, iso, parse_timestamp, utc_now
from generator.errors import ContentError, Problem
from generator.state.timeline import Timeline, build_timelines, clock_instants, next_clock_change


def crosses_midnight(since: datetime, now: datetime, zone: tzinfo) -> bool:
    """Whether a local midnight of the site lies in (since, now]: the uptime bars roll
    over to a new day there."""
    return since < now and since.astimezone(zone).date() != now.astimezone(zone).date()


def is_due(content: Content, timelines: dict[str, Timeline], since: datetime,
           now: datetime) -> bool:
    """Whether a build at now shows something a build at since did not, by the clock alone
    (posted updates come with a commit, which always builds): a clock instant or a local
    midnight in (since, now]."""
    if any(since < at <= now for at in clock_instants(timelines)):
        return True
    return crosses_midnight(since, now, content.site.zone)


def _instant(option: str, value: str, zone: tzinfo) -> datetime:
    try:
        return parse_timestamp(value, zone)
    except TimeError as exc:
        hint = f"give {option} as ISO 8601, e.g. 2026-05-11T14:02:00Z"
        raise ContentError([Problem(option, None, None, str(exc), hint)]) from None


def main(args: argparse.Namespace) -> int:
    """Print `due=true|false` and `next=<instant or empty>` as key=value lines."""
    now_value = args.now if args.now is not None else iso(utc_now())
    content = load_content(Path(args.source), now_value)
    zone = content.site.zone
    now = _instant("--now", now_value, zone)
    since = _instant("--since", args.since, zone)
    timelines = build_timelines(content)
    upcoming = next_clock_change(timelines, now)
    print(f"due={'true' if is_due(content, timelines, since, now) else 'false'}")
    print(f"next={iso(upcoming) if upcoming else ''}")
    return 0
