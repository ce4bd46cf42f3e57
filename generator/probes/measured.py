"""Probe results as the pages show them: per day of the history window, how many runs,
how many were down, and the response times of the others.

Only the month files that overlap the window are read, each line once, into a few
integers per day: a build stays linear in the stored results and its memory does not
grow with them.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import UTC, datetime, timedelta
from pathlib import Path

from generator.content.model import DayMeasure, Measured, Site
from generator.content.timeutil import day_starts
from generator.errors import Problem
from generator.probes.store import StoreError, month_files, scan_month


def load_measured(source: Path, component_ids: list[str], site: Site,
                  now: datetime) -> tuple[dict[str, Measured], list[Problem]]:
    """Measurements of the components that have results in the window."""
    zone = site.zone
    today = now.astimezone(zone).date()
    bounds = day_starts(today, site.history_days, zone)
    bounds[-1] = min(bounds[-1], now + timedelta(seconds=1))  # nothing after now
    first_day = today - timedelta(days=site.history_days - 1)
    first, last = bounds[0], bounds[-1] - timedelta(seconds=1)
    result: dict[str, Measured] = {}
    problems: list[Problem] = []
    for cid in component_ids:
        counts = [[0, 0, 0, 0] for _ in range(site.history_days)]
        seen = False
        for path, year, month in month_files(source, cid):
            if not (first.year, first.month) <= (year, month) <= (last.year, last.month):
                continue
            try:
                rows = scan_month(source, path, year, month)
            except StoreError as exc:
                problems.append(Problem(exc.rel, exc.line, None, str(exc),
                                        "probe results are written by heliograph probe; "
                                        "restore the file from git"))
                continue
            marks = _marks(bounds, year, month)
            for stamp, letter, ms, _ in rows:
                index = bisect_right(marks, stamp) - 1
                if not 0 <= index < len(counts):
                    continue  # outside the window
                seen = True
                day = counts[index]
                day[0] += 1
                if letter == "x":
                    day[1] += 1
                else:
                    day[2] += int(ms)
                    day[3] += 1
        if seen:
            result[cid] = Measured(first_day, tuple(DayMeasure(*c) for c in counts))
    return result, problems


def _marks(bounds: list[datetime], year: int, month: int) -> list[str]:
    """The window's day boundaries as a month file writes times (DDTHH:MM:SS, UTC), so
    that lines are placed by comparing text: before the month sorts first, after it
    last."""
    marks = []
    for bound in bounds:
        utc = bound.astimezone(UTC)
        marks.append("" if (utc.year, utc.month) < (year, month) else
                     "~" if (utc.year, utc.month) > (year, month) else
                     f"{utc:%dT%H:%M:%S}")
    return marks
