"""Probe results as the pages show them: per day of the history window, how many runs,
how many were down, and the response times of the others.

Only the month files that overlap the window are read, each line once, into a few
integers per day: a build stays linear in the stored results and its memory does not
grow with them.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import datetime, timedelta
from pathlib import Path

from generator.content.model import DayMeasure, Measured, Site
from generator.content.timeutil import day_starts
from generator.errors import Problem
from generator.probes.store import StoreError, month_files, read_month


def load_measured(source: Path, component_ids: list[str], site: Site,
                  now: datetime) -> tuple[dict[str, Measured], list[Problem]]:
    """Measurements of the components that have results in the window."""
    zone = site.zone
    today = now.astimezone(zone).date()
    bounds = day_starts(today, site.history_days, zone)
    first_day = today - timedelta(days=site.history_days - 1)
    start, end = bounds[0], min(bounds[-1], now + timedelta(seconds=1))
    first_month = (start.year, start.month)
    result: dict[str, Measured] = {}
    problems: list[Problem] = []
    for cid in component_ids:
        counts = [[0, 0, 0, 0] for _ in range(site.history_days)]
        seen = False
        for path, year, month in month_files(source, cid):
            if (year, month) < first_month or (year, month) > (end.year, end.month):
                continue
            try:
                records = read_month(source, path, year, month)
            except StoreError as exc:
                problems.append(Problem(exc.rel, exc.line, None, str(exc),
                                        "probe results are written by heliograph probe; "
                                        "restore the file from git"))
                continue
            for record in records:
                if not start <= record.at < end:
                    continue
                seen = True
                day = counts[bisect_right(bounds, record.at) - 1]
                day[0] += 1
                if record.result.state == "down":
                    day[1] += 1
                else:
                    day[2] += record.result.ms
                    day[3] += 1
        if seen:
            result[cid] = Measured(first_day, tuple(DayMeasure(*c) for c in counts))
    return result, problems
