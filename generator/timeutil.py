"""Parsing and formatting of timestamps.

Every datetime inside Heliograph is aware and in UTC: Python subtracts two datetimes that
share a zoneinfo tzinfo by wall clock, which is wrong across DST changes. Local time is
only used to find day boundaries and to display.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class TimeError(ValueError):
    pass


def get_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise TimeError(f"unknown time zone '{name}'") from None


def parse_timestamp(value: object, zone: tzinfo) -> datetime:
    """Parse ISO 8601; a value without offset is local time in `zone`.

    A local time that falls in a DST gap is read with the offset before the gap (so
    02:30 on a spring-forward night is 03:30 after); one in a DST overlap is the
    first occurrence (fold=0). Both follow Python's zoneinfo rules and are documented.
    """
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            raise TimeError("empty timestamp")
        try:
            parsed = datetime.fromisoformat(text.replace(" ", "T", 1) if "T" not in text else text)
        except ValueError:
            raise TimeError(f"'{value}' is not an ISO 8601 timestamp") from None
        if len(text) == 10:  # a bare date is too vague for an incident timestamp
            raise TimeError(f"'{value}' is a date without a time")
    else:
        raise TimeError(f"{value!r} is not a timestamp")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC)


def iso(value: datetime) -> str:
    """ISO 8601 with offset, second precision; 'Z' for UTC (feeds and JSON)."""
    text = value.replace(microsecond=0).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def local_midnight(day: date, zone: tzinfo) -> datetime:
    """The first instant of `day` in `zone`, in UTC."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def day_starts(last_day: date, days: int, zone: tzinfo) -> list[datetime]:
    """Boundaries of `days` local days ending with `last_day`: days + 1 instants."""
    first = last_day - timedelta(days=days - 1)
    return [local_midnight(first + timedelta(days=i), zone) for i in range(days + 1)]
