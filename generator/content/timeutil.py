"""Parsing and formatting of timestamps.

Every datetime inside Heliograph is aware and in UTC: Python subtracts two datetimes that
share a zoneinfo tzinfo by wall clock, which is wrong across DST changes. Local time is
only used to find day boundaries and to display.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# A calendar date (extended or basic form) followed by a time: a bare date, a week date
# or an ordinal date is too vague or too unusual for an incident timestamp.
_DATE_TIME = re.compile(r"^\d{4}-?\d{2}-?\d{2}[T ]\d{2}")


# Times a status page can mean. The margins keep every local date, day boundary and
# history period computed from them inside what Python's datetime can hold (years 1-9999):
# `0001-01-01T00:00:00Z` is still 31 December of year 0 in New York.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


class TimeError(ValueError):
    pass


# IANA zone names start with a capital letter (Europe/Berlin, UTC, EST5EDT). The zoneinfo
# folder of a machine also holds `localtime` and `posixrules` (whatever that machine is set
# to), `Factory` and the `posix/` and `right/` copies: output must not depend on the machine.
_ZONE_NAME = re.compile(r"[A-Z][A-Za-z0-9_+-]*(?:/[A-Za-z0-9_+-]+)*")
_NOT_ZONES = frozenset({"Factory"})


def get_zone(name: str) -> ZoneInfo:
    """An IANA time zone by its canonical name."""
    if not _ZONE_NAME.fullmatch(name) or name in _NOT_ZONES:
        raise TimeError(f"unknown time zone '{name}'")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise TimeError(f"unknown time zone '{name}'") from None


def parse_timestamp(value: object, zone: tzinfo) -> datetime:
    """Parse ISO 8601 into an aware UTC datetime; a value without offset is local in `zone`.

    The DST rule (documented in docs/guarantees.md):

    - A local time in a gap (clocks go forward, e.g. 02:30 on a spring-forward night in
      Europe/Berlin) does not exist; it is read with the offset in force *before* the gap,
      so it lands as far after the gap's start as it was written (02:30 -> 03:30 local).
    - A local time in an overlap (clocks go back, 02:30 happens twice) is the *first*
      occurrence, the one with the summer offset. Write an explicit offset for the other.
    """
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        parsed = _parse_text(value)
    else:
        raise TimeError(f"{value!r} is not a timestamp")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone, fold=0)
    try:
        result = parsed.astimezone(UTC)
    except OverflowError:
        result = None
    if result is None or not EARLIEST <= result < LATEST:
        raise TimeError(f"'{value}' is outside the years {EARLIEST.year} to "
                        f"{LATEST.year - 1}") from None
    return result


def _parse_text(value: str) -> datetime:
    text = value.strip()
    if not text:
        raise TimeError("the timestamp is empty")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise TimeError(f"'{value}' is not an ISO 8601 timestamp") from None
    if not _DATE_TIME.match(text):
        if re.fullmatch(r"\d{4}-?\d{2}-?\d{2}", text):
            raise TimeError(f"'{value}' is a date without a time")
        raise TimeError(f"'{value}' is not a date and time of the form 2026-05-11T14:02:00Z")
    return parsed


def dst_ambiguity(value: str, zone: tzinfo) -> Literal["", "gap", "overlap"]:
    """Whether a naive local time falls in a DST gap or overlap of `zone` ('' otherwise)."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return ""
    if parsed.tzinfo is not None:
        return ""
    first, second = parsed.replace(tzinfo=zone, fold=0), parsed.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return ""
    round_trip = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    return "overlap" if round_trip == parsed else "gap"


def utc_now() -> datetime:
    """The current time, to the second (what a build uses when no --now is given)."""
    return datetime.now(UTC).replace(microsecond=0)


Now = datetime | str | None  # a build's "now": given (--now), or the current time


def resolve_now(now: Now, zone: tzinfo) -> datetime:
    """--now as given (naive means the site's time zone), else the current second."""
    if now is None:
        return utc_now()
    return parse_timestamp(now, zone)


def iso(value: datetime) -> str:
    """ISO 8601 with offset, second precision; 'Z' for UTC (feeds and JSON)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("iso() needs an aware datetime")  # a naive time here is a bug
    text = (value.replace(microsecond=0) if value.microsecond else value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def local_midnight(day: date, zone: tzinfo) -> datetime:
    """The first instant of `day` in `zone`, in UTC.

    Where a DST change skips midnight (e.g. America/Havana), the day starts at the first
    local time that exists, which the gap rule of `parse_timestamp` gives.
    """
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def day_starts(last_day: date, days: int, zone: tzinfo) -> list[datetime]:
    """Boundaries of `days` local days ending with `last_day`: days + 1 instants."""
    first = last_day - timedelta(days=days - 1)
    return [local_midnight(first + timedelta(days=i), zone) for i in range(days + 1)]
