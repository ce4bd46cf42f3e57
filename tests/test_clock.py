"""Notices as announcements with `until`, and what the clock changes between builds (the
schedule the pages carry for enhance.js), through the real CLI and as pure functions.

The site (UTC): Core (API, Website) and Docs. A maintenance on the API, window 2026-12-10
10:00-11:00, announced the day before; an announcement from 2026-12-09 08:00 until
2026-12-10 12:00. Built at 09:59, just before the window.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from factories import component, content, incident, t
from sitefixtures import COMPONENTS_YAML, write

from generator.cli import main
from generator.state.statuses import schedule
from generator.state.timeline import build_timelines

SITE = "title: T\nbase_url: https://status.test/\ntimezone: UTC\nhistory_days: 3\n"
WINDOW = """\
---
title: API upgrade
type: maintenance
window: {start: 2026-12-10T10:00:00Z, end: 2026-12-10T11:00:00Z}
components: {api: under_maintenance}
updates:
  - {at: 2026-12-09T09:00:00Z, status: scheduled, message: We upgrade the API.}
---
"""
NOTICE = """\
---
title: New prices
type: notice
until: 2026-12-10T12:00:00Z
updates:
  - {at: 2026-12-09T08:00:00Z, status: investigating, message: New prices from January.}
---
"""
MAINT_SLUG = "2026-12-10-api-upgrade"
NOTICE_SLUG = "2026-12-09-new-prices"


def make(root: Path, notice: str = NOTICE, language: str = "en") -> Path:
    return write(root, {MAINT_SLUG: WINDOW, NOTICE_SLUG: notice}, COMPONENTS_YAML,
                 SITE + f"language: {language}\n")


def built(tmp_path: Path, now: str, notice: str = NOTICE, language: str = "en") -> Path:
    root = make(tmp_path / f"src-{language}", notice, language)
    out = tmp_path / f"out-{language}-{now[11:16].replace(':', '')}"
    assert main(["build", "--source", str(root), "--output", str(out), "--now", now]) == 0
    return out


def clock_data(page: str) -> dict | None:
    found = re.search(r' data-schedule="([^"]*)"', page)
    return json.loads(html.unescape(found.group(1))) if found else None


# --- A: notices ------------------------------------------------------------------------

def test_an_announcement_has_its_own_section_and_no_incident_words(tmp_path: Path,
                                                                   capsys) -> None:
    index = (built(tmp_path, "2026-12-10T09:59:00Z") / "index.html").read_text()
    capsys.readouterr()
    assert 'id="open-title"' not in index  # no incident is open
    section = index[index.index('id="announcements-title"'):index.index('id="components-title"')]
    assert "Announcements</h2>" in section and "New prices" in section
    assert ('<span class="pill p-active" data-entry="2026-12-09-new-prices">Current</span> '
            'since <time datetime="2026-12-09T08:00:00Z">9 Dec 2026, 08:00 UTC</time> until '
            '<time datetime="2026-12-10T12:00:00Z">10 Dec 2026, 12:00 UTC</time>') in section
    assert "Investigating" not in index


def test_announcement_page_widget_feed_in_english_and_german(tmp_path: Path, capsys) -> None:
    out = built(tmp_path, "2026-12-10T09:59:00Z")
    page = (out / "incidents" / NOTICE_SLUG / "index.html").read_text()
    assert '<p class="kicker">Announcement</p>' in page
    assert '<span class="pill p-update">Update</span>' in page
    assert "<dt>Until</dt>" in page and "Investigating" not in page
    widget = (out / "embed" / "index.html").read_text()
    assert "<h2>Announcements</h2>" in widget and "Current · <time" in widget
    assert "Investigating" not in widget
    feed = (out / "feed.atom").read_text()
    assert "<title>Announcement: New prices</title>" in feed
    assert "&lt;strong&gt;Update&lt;/strong&gt;" in feed and "Investigating" not in feed
    de = built(tmp_path, "2026-12-10T09:59:00Z", language="de")
    capsys.readouterr()
    assert "Mitteilungen</h2>" in (de / "index.html").read_text()
    assert "<title>Mitteilung: New prices</title>" in (de / "feed.atom").read_text()
    assert "Wird untersucht" not in (de / "embed" / "index.html").read_text()


def test_until_closes_the_announcement_by_the_clock(tmp_path: Path, capsys) -> None:
    out = built(tmp_path, "2026-12-10T12:00:00Z")
    capsys.readouterr()
    index = (out / "index.html").read_text()
    assert 'id="announcements-title"' not in index
    page = (out / "incidents" / NOTICE_SLUG / "index.html").read_text()
    assert '<span class="pill p-ended">Ended</span> <time' in page
    assert "<p>This announcement has ended.</p>" in page
    assert ('<dt>Ended</dt><dd><time datetime="2026-12-10T12:00:00Z">10 Dec 2026, 12:00 UTC'
            '</time></dd>') in page
    summary = json.loads((out / "api" / "v2" / "incidents.json").read_text())
    notice = next(i for i in summary["incidents"] if i["name"] == "New prices")
    assert (notice["status"], notice["impact"], notice["resolved_at"], notice["updated_at"]) \
        == ("resolved", "none", "2026-12-10T12:00:00Z", "2026-12-10T12:00:00Z")
    assert [u["status"] for u in notice["incident_updates"]] == ["resolved", "investigating"]
    assert notice["incident_updates"][0]["body"] == "<p>This announcement has ended.</p>"
    unresolved = json.loads((out / "api" / "v2" / "incidents" / "unresolved.json").read_text())
    assert unresolved["incidents"] == []
    assert "<updated>2026-12-10T12:00:00+00:00</updated>" in (out / "feed.atom").read_text()
    # One minute before, it was still open.
    before = built(tmp_path, "2026-12-10T11:59:00Z")
    capsys.readouterr()
    unresolved = json.loads((before / "api/v2/incidents/unresolved.json").read_text())
    assert [(i["name"], i["status"], i["impact"]) for i in unresolved["incidents"]] \
        == [("New prices", "investigating", "none")]


@pytest.mark.parametrize(("notice", "line", "message"), [
    (NOTICE.replace("until: 2026-12-10T12:00:00Z", "until: 2026-12-09T08:00:00Z"), 4,
     "the notice ends (2026-12-09 08:00 UTC) before it starts: 'until' must be later than "
     "its first update (2026-12-09 08:00 UTC)"),
    (NOTICE.replace("until: 2026-12-10T12:00:00Z", "until: soon"), 4,
     "'until' of the notice: 'soon' is not an ISO 8601 timestamp"),
    (NOTICE.replace("type: notice", "type: incident"), 4,
     "only a notice has 'until', not an incident"),
    (NOTICE.replace("until: 2026-12-10T12:00:00Z", "until: 2026-12-09T09:00:00Z")
     .replace("January.}\n", "January.}\n"
              "  - {at: 2026-12-09T10:00:00Z, status: monitoring, message: M.}\n"), 7,
     "this update (2026-12-09 10:00 UTC) comes after the notice ended ('until': "
     "2026-12-09 09:00 UTC)"),
])
def test_until_is_checked_with_file_and_line(tmp_path: Path, capsys, notice: str, line: int,
                                             message: str) -> None:
    root = make(tmp_path, notice)
    assert main(["check", "--source", str(root), "--now", "2026-12-10T09:59:00Z"]) == 1
    err = capsys.readouterr().out
    assert f"content/incidents/{NOTICE_SLUG}.md:{line}:" in err and message in err, err


# --- B: what the clock changes between builds ------------------------------------------

def test_schedule_is_the_statuses_at_each_coming_clock_instant() -> None:
    maint = incident("m", [("2026-12-09T09:00", "scheduled")], {"api": "under_maintenance"},
                     kind="maintenance", window=("2026-12-10T10:00", "2026-12-10T11:00"))
    notice = replace(incident("n", [("2026-12-09T08:00", "investigating")], kind="notice"),
                     until=t("2026-12-10T12:00"))
    old = incident("old", [("2026-12-01T08:00", "investigating"),
                           ("2026-12-01T09:00", "resolved")], {"web": "major_outage"})
    site = content([maint, notice, old], [component("api"), component("web"),
                                          component("docs", group=None)])
    steps = schedule(site, build_timelines(site), t("2026-12-10T09:59"))
    assert [(at, s.component, s.group, s.indicator, s.description, s.entry)
            for at, s in steps] == [
        (t("2026-12-10T10:00"),
         {"api": "under_maintenance", "web": "operational", "docs": "operational"},
         {"g": "under_maintenance"}, "maintenance", "Service Under Maintenance",
         {"m": "in_progress", "n": "investigating"}),
        (t("2026-12-10T11:00"),
         {"api": "operational", "web": "operational", "docs": "operational"},
         {"g": "operational"}, "none", "All Systems Operational",
         {"m": "completed", "n": "investigating"}),
        (t("2026-12-10T12:00"),
         {"api": "operational", "web": "operational", "docs": "operational"},
         {"g": "operational"}, "none", "All Systems Operational",
         {"m": "completed", "n": "resolved"}),
    ]
    # Only what lies ahead: from 10:30, the window's end and the announcement's.
    assert [at for at, _ in schedule(site, build_timelines(site), t("2026-12-10T10:30"))] \
        == [t("2026-12-10T11:00"), t("2026-12-10T12:00")]
    # ... and nothing beyond 14 days.
    assert schedule(site, build_timelines(site), t("2026-11-26T09:59")) == ()


def test_schedule_is_bounded_to_20_instants() -> None:
    windows = [incident(f"m{d:02d}", [("2026-12-01T00:00", "scheduled")], kind="maintenance",
                        window=(f"2026-12-{d:02d}T10:00", f"2026-12-{d:02d}T11:00"))
               for d in range(2, 14)]  # 12 windows: 24 instants
    site = content(windows)
    steps = schedule(site, build_timelines(site), t("2026-12-01T12:00"))
    assert len(steps) == 20 and steps[-1][0] == t("2026-12-11T11:00")


def test_pages_carry_the_schedule_with_the_catalogues_words(tmp_path: Path, capsys) -> None:
    out = built(tmp_path, "2026-12-10T09:59:00Z")
    index = (out / "index.html").read_text()
    api = "assets/favicon-maintenance"
    data = clock_data(index)
    assert data is not None and data["indicator"] == "none"
    assert sorted(data["favicons"]) == ["maintenance", "none"]
    assert data["favicons"]["maintenance"].startswith(api)
    assert data["steps"] == [
        {"at": "2026-12-10T10:00:00Z",
         "indicator": ["maintenance", "Service Under Maintenance"],
         "components": {"api": ["under_maintenance", "Under maintenance"]},
         "groups": {"core": ["under_maintenance", "Under maintenance"]},
         "entries": {MAINT_SLUG: ["in_progress", "In progress"],
                     NOTICE_SLUG: ["active", "Current"]}},
        {"at": "2026-12-10T11:00:00Z", "indicator": ["none", "All Systems Operational"],
         "components": {"api": ["operational", "Operational"]},
         "groups": {"core": ["operational", "Operational"]},
         "entries": {MAINT_SLUG: ["completed", "Completed"],
                     NOTICE_SLUG: ["active", "Current"]}},
        {"at": "2026-12-10T12:00:00Z", "indicator": ["none", "All Systems Operational"],
         "components": {"api": ["operational", "Operational"]},
         "groups": {"core": ["operational", "Operational"]},
         "entries": {MAINT_SLUG: ["completed", "Completed"],
                     NOTICE_SLUG: ["ended", "Ended"]}},
    ]
    # Without the script the page is right as built, and says what it will change.
    assert '<section class="banner b-none" data-indicator="none"' in index
    assert ('<span class="status s-operational" data-component="api"><span class="icon" '
            'aria-hidden="true"></span>Operational</span>') in index
    assert ('<span class="pill p-scheduled" data-entry="2026-12-10-api-upgrade">Scheduled'
            '</span>') in index
    component = (out / "components" / "api" / "index.html").read_text()
    assert clock_data(component) == data and 'data-component="api"' in component
    de = clock_data((built(tmp_path, "2026-12-10T09:59:00Z", language="de")
                     / "index.html").read_text())
    capsys.readouterr()
    assert de is not None and de["steps"][0]["indicator"] == ["maintenance", "Wartungsarbeiten"] \
        and de["steps"][0]["entries"][MAINT_SLUG] == ["in_progress", "Läuft"]


def test_nothing_ahead_nothing_carried(tmp_path: Path, capsys) -> None:
    out = built(tmp_path, "2026-12-10T12:00:00Z")
    capsys.readouterr()
    assert clock_data((out / "index.html").read_text()) is None
    assert "data-entry=" not in (out / "index.html").read_text()


def test_new_notice_until_is_written_and_only_for_notices(tmp_path: Path, capsys) -> None:
    root = write(tmp_path, {}, COMPONENTS_YAML, SITE)
    assert main(["new", "--source", str(root), "notice", "New prices", "--at",
                 "2026-11-02T08:00:00Z", "--until", "2099-01-01T12:00:00Z",
                 "--message", "New prices from January."]) == 0
    text = (root / "content" / "incidents" / "2026-11-02-new-prices.md").read_text()
    assert "\nuntil: 2099-01-01T12:00:00Z\nupdates:\n" in text
    assert main(["new", "--source", str(root), "incident", "Slow API", "--until",
                 "2026-12-10T12:00:00Z", "--message", "Slow."]) == 1
    assert "only a notice ends by the clock, not a incident" in capsys.readouterr().err
