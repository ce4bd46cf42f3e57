"""maintenance.ics: parsed with icalendar, one VEVENT per maintenance window with the
properties calendar apps need, stable across builds."""

from __future__ import annotations

import icalendar
import pytest
from building import make_site
from sitefixtures import NOW, REPO, SCENARIOS, build


def parse(data: bytes) -> icalendar.Calendar:
    calendar = icalendar.Calendar.from_ical(data)
    problems = [(c.name, c.errors) for c in calendar.walk() if c.errors]
    assert problems == []
    return calendar


def events(data: bytes) -> list[icalendar.Event]:
    return list(parse(data).walk("VEVENT"))


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_calendar_parses(scenario, tmp_path_factory):
    site = build(scenario, tmp_path_factory)
    paths = ["maintenance.ics"] + [f"components/{c.id}/maintenance.ics"
                                   for c in site.content.components]
    assert sorted(p for p in site.files if p.endswith(".ics")) == sorted(paths)
    for path in paths:
        calendar = parse(site.files[path])
        assert str(calendar["VERSION"]) == "2.0" and calendar["PRODID"]
        for event in calendar.walk("VEVENT"):
            for key in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "DESCRIPTION", "URL"):
                assert key in event, (path, key)
            assert event.decoded("DTEND") > event.decoded("DTSTART")


def test_one_event_per_maintenance_window(example):
    maintenances = [i for i in example.content.incidents if i.type == "maintenance"]
    found = {str(e["UID"]): e for e in events(example.files["maintenance.ics"])}
    assert set(found) == {f"{m.slug}@status.tidewater.example" for m in maintenances}
    for m in maintenances:
        event = found[f"{m.slug}@status.tidewater.example"]
        assert event.decoded("DTSTART") == m.window.start
        done = next((u.at for u in m.updates if u.status == "completed"), None)
        # The database upgrade finished at 02:41, before its window's end at 03:00.
        assert event.decoded("DTEND") == (done or m.window.end)
        assert str(event["STATUS"]) == "CONFIRMED"
        assert event.decoded("DTSTAMP") == m.updated_at  # from content, not the clock
        assert str(event["SUMMARY"]) == m.title
        assert str(event["URL"]) == f"https://status.tidewater.example/incidents/{m.slug}/"
        assert int(event["SEQUENCE"]) == len(m.updates) - 1
        for update in m.updates:
            assert " ".join(update.message.split()[:3]) in str(event["DESCRIPTION"])


def test_component_calendar_holds_only_its_maintenance(example):
    payouts = events(example.files["components/payouts/maintenance.ics"])
    assert [str(e["SUMMARY"]) for e in payouts] == ["Payout scheduler migration"]
    assert events(example.files["components/api/maintenance.ics"]) == []


def test_only_maintenance_site_lists_every_window(tmp_path_factory):
    site = build("only-maintenance", tmp_path_factory)
    summaries = [str(e["SUMMARY"]) for e in events(site.files["maintenance.ics"])]
    assert summaries == ["Finished upgrade", "Running migration", "Future upgrade"]  # by start


def test_same_content_gives_identical_calendars(example):
    later = make_site(REPO, "2026-11-27T02:00:00Z")
    again = make_site(REPO, NOW)
    for path in (p for p in example.files if p.endswith(".ics")):
        assert again.files[path] == example.files[path], path
        assert later.files[path] == example.files[path], path


def test_cancelled_maintenance_is_a_cancelled_event(tmp_path):
    import shutil

    shutil.copytree(REPO / "content", tmp_path / "content")
    (tmp_path / "content" / "incidents" / "2026-11-30-cancelled.md").write_text(
        "---\ntitle: Cancelled work\ntype: maintenance\n"
        "window: {start: 2026-11-30T02:00:00Z, end: 2026-11-30T04:00:00Z}\n"
        "updates:\n  - at: 2026-11-20T10:00:00Z\n    status: scheduled\n    message: Planned.\n"
        "  - at: 2026-11-25T10:00:00Z\n    status: completed\n    message: Cancelled.\n---\n")
    found = {str(e["UID"]): e for e in events(make_site(tmp_path, NOW).files["maintenance.ics"])}
    event = found["2026-11-30-cancelled@status.tidewater.example"]
    assert str(event["STATUS"]) == "CANCELLED"
