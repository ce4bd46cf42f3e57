"""Uptime bars and percentages per component, exact in integer maths."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from fractions import Fraction

from generator.content.model import status_rank
from generator.state.rules import DOWNTIME_TENTHS

_US = timedelta(microseconds=1)  # uptime is counted in whole microseconds


@dataclass(frozen=True)
class Day:
    """One uptime bar: a local calendar day of one component."""

    date: date
    start: datetime  # UTC
    end: datetime  # UTC; for today, now
    worst: str  # worst status any incident gave the component that day
    uptime: str  # percent, two decimals, rounded down
    incidents: tuple[str, ...]  # slugs, in content order (newest first)


@dataclass(frozen=True)
class WindowUptime:
    """Uptime over the last `days` days (today included): what a narrower screen shows."""

    days: int
    first_day: date
    percent: str  # two decimals, rounded down


@dataclass(frozen=True)
class Uptime:
    days: tuple[Day, ...]  # oldest first; the last one is today
    percent: str  # over the whole period, two decimals, rounded down
    windows: tuple[WindowUptime, ...]  # shortest first; the last is the whole period
    down_tenths_us: int = 0  # the exact weighted downtime: tenths-weighted microseconds
    total_us: int = 0  # the period's length in microseconds

    def below(self, target: str) -> bool:
        """Whether the period's exact uptime is under `target` percent (a component's
        `sla`); exact, so 99.899...% is below 99.9 and 99.9% is not."""
        if self.total_us <= 0:
            return False
        exact = Fraction(10 * self.total_us - self.down_tenths_us, 10 * self.total_us) * 100
        return exact < Fraction(target)


# Shorter periods shown on narrower screens (as Statuspage shows 30, 60 or 90 days).
SHORT_WINDOWS = (30, 60)


def uptime_windows(history_days: int) -> tuple[int, ...]:
    """The periods the bars can show, shortest first: 30 and 60 days where shorter than
    history_days, and history_days itself (90 -> 30, 60, 90; 45 -> 30, 45; 14 -> 14)."""
    return (*(n for n in SHORT_WINDOWS if n < history_days), history_days)


def window_percents(down: list[int], totals: list[int],
                    windows: tuple[int, ...]) -> tuple[str, ...]:
    """Uptime over the last n days for each n in `windows`, from each day's weighted
    downtime (tenths of microseconds) and length (microseconds), oldest day first."""
    return tuple(percent(sum(down[-n:]), sum(totals[-n:])) for n in windows)


def percent(down_tenths_us: int, total_us: int) -> str:
    """Uptime as a percentage with two decimals, rounded down (99.999 -> '99.99')."""
    if total_us <= 0:
        return "100.00"
    hundredths = (10 * total_us - down_tenths_us) * 10000 // (10 * total_us)
    return f"{hundredths // 100}.{hundredths % 100:02d}"


@dataclass(frozen=True)
class Span:
    start: datetime
    end: datetime
    status: str
    slug: str


def component_uptime(spans: list[Span], first_day: date, bounds: list[datetime], now: datetime,
                     order: dict[str, int]) -> Uptime:
    """Uptime bars for one component from the spans of the incidents that touched it.

    `bounds` are the day boundaries (days + 1 instants, UTC); the last day ends at now.
    Overlapping incidents count once, at the worst status at each moment.
    """
    days = len(bounds) - 1
    period_start = bounds[0]
    down = [0] * days  # tenths-weighted microseconds
    worst = ["operational"] * days
    touched: list[set[str]] = [set() for _ in range(days)]

    def day_index(at: datetime) -> int:
        return min(max(bisect_right(bounds, at) - 1, 0), days - 1)

    # Worst status and incidents per day.
    for span in spans:
        start, end = max(span.start, period_start), min(span.end, now)
        if end < start or (start >= now and span.start != span.end):
            continue
        first, last = day_index(start), day_index(end)
        if end > start and end == bounds[last] and last > first:
            last -= 1  # ends exactly at midnight: does not touch the next day
        for i in range(first, last + 1):
            touched[i].add(span.slug)
            if status_rank(span.status) > status_rank(worst[i]):
                worst[i] = span.status

    # Weighted downtime: sweep the span edges, counting the worst status at each moment.
    edges: list[tuple[datetime, int, str]] = []
    for span in spans:
        start, end = max(span.start, period_start), min(span.end, now)
        if end > start and span.status in DOWNTIME_TENTHS:
            edges.append((start, 1, span.status))
            edges.append((end, -1, span.status))
    edges.sort()
    active = dict.fromkeys(DOWNTIME_TENTHS, 0)
    previous: datetime | None = None
    for at, delta, status in edges:
        if previous is not None and at > previous:
            weight = max((DOWNTIME_TENTHS[s] for s, n in active.items() if n), default=0)
            if weight:
                _spread(previous, at, weight, bounds, down, day_index)
        active[status] += delta
        previous = at

    bars = []
    totals = []
    for i in range(days):
        end = min(bounds[i + 1], now)
        total = (end - bounds[i]) // _US
        totals.append(total)
        bars.append(Day(
            date=first_day + timedelta(days=i),
            start=bounds[i], end=end, worst=worst[i],
            uptime=percent(down[i], total),
            incidents=tuple(sorted(touched[i], key=order.__getitem__)),
        ))
    total_down = sum(down)
    lengths = uptime_windows(days)
    windows = tuple(WindowUptime(n, first_day + timedelta(days=days - n), p)
                    for n, p in zip(lengths, window_percents(down, totals, lengths), strict=True))
    return Uptime(tuple(bars), windows[-1].percent, windows, total_down,
                  (now - period_start) // _US)


def _spread(start: datetime, end: datetime, weight: int, bounds: list[datetime],
            down: list[int], day_index: Callable[[datetime], int]) -> None:
    """Add weighted time [start, end) to the days it covers, split at local midnight."""
    i = day_index(start)
    while start < end:
        boundary = bounds[i + 1] if i + 1 < len(bounds) else end
        stop = min(end, boundary)
        down[i] += weight * ((stop - start) // _US)
        start = stop
        i = min(i + 1, len(down) - 1)
