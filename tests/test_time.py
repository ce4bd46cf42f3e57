"""Time zones and clocks: naive times in the site zone, the documented DST rule, and
ISO 8601 with an offset in every machine-readable timestamp."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from building import make_site

from generator.content.timeutil import (
    TimeError,
    day_starts,
    dst_ambiguity,
    get_zone,
    iso,
    parse_timestamp,
)

BERLIN = get_zone("Europe/Berlin")
REPO = Path(__file__).resolve().parent.parent
NOW = "2026-11-27T01:00:00Z"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-07-01T12:00:00", "2026-07-01T10:00:00"),  # summer: +02:00
    ("2026-01-15 12:00", "2026-01-15T11:00:00"),  # winter: +01:00, space separator
    ("2026-07-01T12:00:00Z", "2026-07-01T12:00:00"),  # an offset wins over the zone
    ("2026-07-01T12:00:00-04:00", "2026-07-01T16:00:00"),
    ("20260701T120000Z", "2026-07-01T12:00:00"),  # ISO 8601 basic format
    # DST gap (2026-03-29, 02:00 -> 03:00): the offset before the gap, +01:00.
    ("2026-03-29T02:30:00", "2026-03-29T01:30:00"),
    # DST overlap (2026-10-25, 03:00 -> 02:00): the first occurrence, +02:00.
    ("2026-10-25T02:30:00", "2026-10-25T00:30:00"),
    ("2026-10-25T02:30:00+01:00", "2026-10-25T01:30:00"),  # the second one, by offset
])
def test_naive_times_are_site_local_with_the_dst_rule(text: str, expected: str) -> None:
    parsed = parse_timestamp(text, BERLIN)
    assert parsed == utc(expected) and parsed.tzinfo is UTC


def test_gap_time_reads_as_the_same_distance_after_the_gap() -> None:
    local = parse_timestamp("2026-03-29T02:30:00", BERLIN).astimezone(BERLIN)
    assert (local.hour, local.minute, local.utcoffset()) == (3, 30, timedelta(hours=2))


@pytest.mark.parametrize(("text", "kind"), [
    ("2026-03-29T02:30:00", "gap"), ("2026-10-25T02:30:00", "overlap"),
    ("2026-10-25T03:30:00", ""), ("2026-10-25T02:30:00Z", ""), ("nonsense", ""),
])
def test_dst_ambiguity(text: str, kind: str) -> None:
    assert dst_ambiguity(text, BERLIN) == kind


@pytest.mark.parametrize("text", ["", "  ", "2026-07-01", "20260701", "2026-W27-3T10:00",
                                  "2026-182T10:00", "12:00", "2026-07-01T25:00",
                                  "0001-01-01T00:30:00+01:00", "yesterday"])
def test_bad_timestamps_raise_time_error(text: str) -> None:
    with pytest.raises(TimeError):
        parse_timestamp(text, BERLIN)


def test_non_text_values_raise_time_error() -> None:
    for value in (12, 1.5, None, [], {}):
        with pytest.raises(TimeError):
            parse_timestamp(value, BERLIN)


def test_aware_datetimes_pass_through_as_utc() -> None:
    aware = datetime(2026, 7, 1, 12, tzinfo=timezone(timedelta(hours=5)))
    assert parse_timestamp(aware, BERLIN) == utc("2026-07-01T07:00:00")


def test_iso_always_has_an_offset() -> None:
    assert iso(utc("2026-07-01T12:00:00.5")) == "2026-07-01T12:00:00Z"
    assert iso(datetime(2026, 7, 1, 12, tzinfo=BERLIN)) == "2026-07-01T12:00:00+02:00"
    with pytest.raises(ValueError):
        iso(datetime(2026, 7, 1, 12))


def test_days_are_23_and_25_hours_long_on_dst_changes() -> None:
    starts = day_starts(date(2026, 3, 30), 2, BERLIN)
    assert starts[1] - starts[0] == timedelta(hours=23)
    starts = day_starts(date(2026, 10, 26), 2, BERLIN)
    assert starts[1] - starts[0] == timedelta(hours=25)


def test_unknown_zone() -> None:
    for name in ("Mars/Olympus", "", "../../etc/passwd", "Europe/Berlin\x00"):
        with pytest.raises(TimeError):
            get_zone(name)


ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
TIMESTAMP_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}T")


def test_every_machine_readable_timestamp_has_an_offset() -> None:
    files = make_site(REPO, NOW).files
    seen = 0

    def walk(value: object, path: str) -> None:
        nonlocal seen
        if isinstance(value, dict):
            for item in value.values():
                walk(item, path)
        elif isinstance(value, list):
            for item in value:
                walk(item, path)
        elif isinstance(value, str) and TIMESTAMP_LIKE.match(value):
            seen += 1
            assert ISO_WITH_OFFSET.match(value), (path, value)

    for path, data in files.items():
        if path.endswith(".json"):
            walk(json.loads(data), path)
        elif path.endswith((".html", ".atom", ".rss", ".xml")):
            text = data.decode("utf-8")
            for stamp in re.findall(r"\d{4}-\d{2}-\d{2}T[0-9:.]+(?:Z|[+-]\d{2}:\d{2})?", text):
                seen += 1
                assert ISO_WITH_OFFSET.match(stamp), (path, stamp)
    assert seen > 50


def test_pages_show_local_times_with_the_zone_named() -> None:
    html = make_site(REPO, NOW).files["incidents/2026-09-03-api-outage/index.html"].decode()
    # 14:05 UTC in Berlin summer time, shown with its zone abbreviation.
    assert "16:05 CEST" in html
    assert 'datetime="2026-09-03T14:05:00Z"' in html or "2026-09-03T16:05:00+02:00" in html
