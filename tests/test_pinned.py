"""Rules no test pinned before (issue 11, section 4), each with literal expectations.

Every test names its rule; each was checked by breaking the rule once and watching it fail.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from factories import component, content, incident, t

from generator.cli import main
from generator.state.derive import derive

SITE = "title: T\nbase_url: https://status.test/\ntimezone: UTC\nhistory_days: 3\n"
COMPONENTS = "components:\n  - id: api\n    name: API\n  - id: web\n    name: Web\n"


def repo(root: Path, files: dict[str, str]) -> Path:
    (root / "content" / "incidents").mkdir(parents=True)
    (root / "content" / "site.yaml").write_text(SITE)
    (root / "content" / "components.yaml").write_text(COMPONENTS)
    for name, text in files.items():
        (root / "content" / "incidents" / name).write_text(text)
    return root


def build(root: Path, now: str, out: str = "out") -> Path:
    assert main(["build", "--source", str(root), "--output", str(root / out), "--now", now]) == 0
    return root / out


def maintenance(title: str, start: str, end: str, *updates: str,
                components: str = "{api: under_maintenance}") -> str:
    lines = "".join(f"  - {{at: {u.split('|')[0]}, status: {u.split('|')[1]}, message: M.}}\n"
                    for u in updates)
    return (f"---\ntitle: {title}\ntype: maintenance\ncomponents: {components}\n"
            f"window: {{start: {start}, end: {end}}}\nupdates:\n{lines}---\n")


def test_days_an_incident_and_a_maintenance_touch():
    """An entry touches the days its statuses applied; ending at midnight is not the next."""
    crossing = incident("cross", [("2026-05-10T23:00", "investigating"),
                                  ("2026-05-11T01:00", "resolved")], {"api": "major_outage"})
    midnight = incident("mid", [("2026-05-10T22:00", "investigating"),
                                ("2026-05-11T00:00", "resolved")], {"web": "partial_outage"})
    works = incident("works", [("2026-05-10T01:00", "scheduled")], {"api": "under_maintenance"},
                     kind="maintenance", window=("2026-05-12T02:00", "2026-05-12T03:00"))
    state = derive(content([crossing, midnight, works], [component("api"), component("web")]),
                   t("2026-05-12T12:00"))
    assert [d.incidents for d in state.uptime["api"].days] == [("cross",), ("cross",), ("works",)]
    assert [d.incidents for d in state.uptime["web"].days] == [("mid",), (), ()]
    assert [d.worst for d in state.uptime["api"].days] == [
        "major_outage", "major_outage", "under_maintenance"]


def test_verifying_counts_as_active_maintenance():
    m = incident("m", [("2026-05-10T01:00", "scheduled"), ("2026-05-12T02:30", "verifying")],
                 {"api": "under_maintenance"}, kind="maintenance",
                 window=("2026-05-12T02:00", "2026-05-12T04:00"))
    state = derive(content([m]), t("2026-05-12T03:00"))
    assert [i.slug for i in state.active_maintenance] == ["m"]
    assert state.component_status == {"api": "under_maintenance"}
    assert state.indicator == "maintenance"


def test_upcoming_and_active_maintenance_soonest_first():
    def m(slug: str, start: str, end: str):
        return incident(slug, [("2026-05-01T00:00", "scheduled")], kind="maintenance",
                        window=(start, end))
    # Slugs sort the other way round from the windows, so only the time can order them.
    entries = [m("a-late", "2026-05-20T00:00", "2026-05-20T01:00"),
               m("b-soon", "2026-05-15T00:00", "2026-05-15T01:00"),
               m("d-long", "2026-05-11T00:00", "2026-05-13T00:00"),
               m("c-short", "2026-05-11T06:00", "2026-05-12T18:00")]
    state = derive(content(entries), t("2026-05-12T12:00"))
    assert [i.slug for i in state.upcoming_maintenance] == ["b-soon", "a-late"]
    assert [i.slug for i in state.active_maintenance] == ["d-long", "c-short"]


def test_minor_description(tmp_path):
    root = repo(tmp_path, {"2026-05-12-slow.md": (
        "---\ntitle: Slow\ncomponents: {api: degraded_performance}\nupdates:\n"
        "  - {at: 2026-05-12T10:00:00Z, status: investigating, message: Slow.}\n---\n")})
    status = json.loads((build(root, "2026-05-12T12:00:00Z") / "api/v2/status.json").read_text())
    assert status["status"] == {"indicator": "minor", "description": "Partially Degraded Service"}


def test_postmortem_does_not_reapply_component_statuses():
    inc = incident("i", [("2026-05-12T08:00", "investigating"), ("2026-05-12T09:00", "resolved"),
                         ("2026-05-12T10:00", "postmortem")], {"api": "major_outage"})
    state = derive(content([inc]), t("2026-05-12T12:00"))
    assert state.component_status == {"api": "operational"}
    assert state.open_incidents == ()
    assert state.uptime["api"].days[-1].uptime == "91.66"  # 1 h down of 12 h


def test_component_and_group_updated_at_is_the_latest_status_change(tmp_path):
    """A maintenance completed early changes the component then, not at the window's end;
    an update that changes no status does not count."""
    early = maintenance("Early", "2026-05-12T02:00:00Z", "2026-05-12T04:00:00Z",
                        "2026-05-11T10:00:00Z|scheduled", "2026-05-12T02:30:00Z|completed")
    web = ("---\ntitle: Web\ncomponents: {web: partial_outage}\nupdates:\n"
           "  - {at: 2026-05-12T05:00:00Z, status: investigating, message: A.}\n"
           "  - {at: 2026-05-12T06:00:00Z, status: identified, message: B.}\n---\n")
    (tmp_path / "content").mkdir()
    root = repo(tmp_path, {"2026-05-12-early.md": early, "2026-05-12-web.md": web})
    (root / "content/components.yaml").write_text(
        "groups:\n  - id: core\n    name: Core\n    components:\n"
        "      - id: api\n        name: API\n      - id: web\n        name: Web\n")
    items = json.loads((build(root, "2026-05-12T12:00:00Z") / "api/v2/components.json")
                       .read_text())["components"]
    assert {c["name"]: c["updated_at"] for c in items} == {
        "Core": "2026-05-12T05:00:00Z", "API": "2026-05-12T02:30:00Z",
        "Web": "2026-05-12T05:00:00Z"}


def test_atom_published_is_the_first_update_and_order_is_by_latest_update(tmp_path):
    old = ("---\ntitle: Old but updated\nupdates:\n"
           "  - {at: 2026-05-10T08:00:00Z, status: investigating, message: A.}\n"
           "  - {at: 2026-05-12T09:00:00Z, status: identified, message: B.}\n---\n")
    new = ("---\ntitle: Newer start\nupdates:\n"
           "  - {at: 2026-05-11T08:00:00Z, status: investigating, message: C.}\n---\n")
    root = repo(tmp_path, {"2026-05-10-old.md": old, "2026-05-11-new.md": new})
    feed = (build(root, "2026-05-12T12:00:00Z") / "feed.atom").read_text()
    assert feed.index("Old but updated") < feed.index("Newer start")
    entry = feed[feed.index("Old but updated"):feed.index("Newer start")]
    assert "<published>2026-05-10T08:00:00+00:00</published>" in entry
    assert "<updated>2026-05-12T09:00:00+00:00</updated>" in entry


def test_cancelled_maintenance_keeps_its_window_end_as_dtend(tmp_path):
    cancelled = maintenance("Cancelled", "2026-05-14T02:00:00Z", "2026-05-14T04:00:00Z",
                            "2026-05-11T10:00:00Z|scheduled", "2026-05-12T10:00:00Z|completed")
    root = repo(tmp_path, {"2026-05-14-cancelled.md": cancelled})
    ics = (build(root, "2026-05-12T12:00:00Z") / "maintenance.ics").read_text()
    assert "DTEND:20260514T040000Z" in ics and "STATUS:CANCELLED" in ics


def test_badge_colours(tmp_path):
    root = repo(tmp_path, {"2026-05-12-down.md": (
        "---\ntitle: Down\ncomponents: {api: major_outage}\nupdates:\n"
        "  - {at: 2026-05-12T10:00:00Z, status: investigating, message: Down.}\n---\n")})
    out = build(root, "2026-05-12T12:00:00Z")
    assert 'fill="#b91c1c"' in (out / "badge.svg").read_text()  # critical
    assert 'fill="#b91c1c"' in (out / "components/api/badge.svg").read_text()
    assert 'fill="#2e7d32"' in (out / "components/web/badge.svg").read_text()  # operational


def test_sitemap_lastmod_includes_clock_events(tmp_path):
    works = maintenance("Works", "2026-05-12T02:00:00Z", "2026-05-12T04:00:00Z",
                        "2026-05-11T10:00:00Z|scheduled")
    root = repo(tmp_path, {"2026-05-12-works.md": works})
    sitemap = (build(root, "2026-05-12T12:00:00Z") / "sitemap.xml").read_text()
    assert ("incidents/2026-05-12-works/</loc>\n    <lastmod>2026-05-12T04:00:00Z</lastmod>"
            in sitemap)


def test_real_builds_hard_link_unchanged_files(tmp_path):
    root = repo(tmp_path, {})
    out = build(root, "2026-05-12T12:00:00Z")
    robots = os.stat(out / "robots.txt")
    build(root, "2026-05-12T13:00:00Z")
    again = os.stat(out / "robots.txt")
    assert (again.st_ino, again.st_mtime_ns) == (robots.st_ino, robots.st_mtime_ns)
