"""One timeline: component statuses per update, through the real CLI (issue 11's example).

The site: API and Webhooks. The incident: API degraded from 10:00, at 10:30 API major and
Webhooks partial, at 11:00 both operational (monitoring), resolved at 12:00 (UTC).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.cli import main

SITE = "title: T\nbase_url: https://status.test/\ntimezone: UTC\nhistory_days: 2\n"
COMPONENTS = ("components:\n  - id: api\n    name: API\n"
              "  - id: webhooks\n    name: Webhooks\n")
OUTAGE = """\
---
title: Database failover
components: {api: degraded_performance}
updates:
  - {at: 2026-05-10T10:00:00Z, status: investigating, message: Slow API.}
  - at: 2026-05-10T10:30:00Z
    status: identified
    message: A database node failed.
    components: {api: major_outage, webhooks: partial_outage}
  - at: 2026-05-10T11:00:00Z
    status: monitoring
    message: Failed over; watching.
    components: {api: operational, webhooks: operational}
  - {at: 2026-05-10T12:00:00Z, status: resolved, message: Resolved.}
---
"""


def make(root: Path, outage: str = OUTAGE, language: str = "en") -> Path:
    (root / "content" / "incidents").mkdir(parents=True)
    (root / "content" / "site.yaml").write_text(SITE + f"language: {language}\n")
    (root / "content" / "components.yaml").write_text(COMPONENTS)
    (root / "content" / "incidents" / "2026-05-10-failover.md").write_text(outage)
    return root


def build(root: Path, now: str) -> Path:
    out = root / f"out-{now.replace(':', '')}"
    assert main(["build", "--source", str(root), "--output", str(out), "--now", now]) == 0
    return out


def summary(out: Path) -> dict:
    return json.loads((out / "api/v2/summary.json").read_text())


def statuses(out: Path) -> dict[str, str]:
    return {c["name"]: c["status"] for c in summary(out)["components"]}


@pytest.mark.parametrize(("now", "expected", "indicator"), [
    # The indicator is the open incident's impact: the worst status it has given so far.
    ("2026-05-10T10:15:00Z", {"API": "degraded_performance", "Webhooks": "operational"},
     "minor"),
    ("2026-05-10T10:45:00Z", {"API": "major_outage", "Webhooks": "partial_outage"}, "critical"),
    ("2026-05-10T11:30:00Z", {"API": "operational", "Webhooks": "operational"}, "critical"),
    ("2026-05-10T12:30:00Z", {"API": "operational", "Webhooks": "operational"}, "none"),
])
def test_component_statuses_follow_the_updates(tmp_path, now, expected, indicator):
    # Content may only hold updates up to now: keep the ones posted by then.
    kept = OUTAGE
    if now < "2026-05-10T12:00":
        kept = OUTAGE[:OUTAGE.index("  - {at: 2026-05-10T12:00")] + "---\n"
    if now < "2026-05-10T11:00":
        kept = kept[:kept.index("  - at: 2026-05-10T11:00")] + "---\n"
    if now < "2026-05-10T10:30":
        kept = kept[:kept.index("  - at: 2026-05-10T10:30")] + "---\n"
    out = build(make(tmp_path, kept), now)
    assert statuses(out) == expected
    assert summary(out)["status"]["indicator"] == indicator


def test_uptime_counts_each_status_for_its_time(tmp_path):
    out = build(make(tmp_path), "2026-05-11T00:00:00Z")
    html = (out / "index.html").read_text()
    # Day 2026-05-10 (1,440 min). API: degraded 30 min (not counted) + major 30 min = 30 min
    # -> 97.91%. Webhooks: partial 30 min x 0.3 = 9 min -> 99.37%.
    api = html[html.index(">API<"):html.index(">Webhooks<")]
    hooks = html[html.index(">Webhooks<"):]
    assert "97.91% uptime" in api and "Major outage" in api
    assert "99.37% uptime" in hooks and "Partial outage" in hooks


def test_incident_page_shows_each_change_and_the_affected_duration(tmp_path):
    out = build(make(tmp_path), "2026-05-11T00:00:00Z")
    page = (out / "incidents/2026-05-10-failover/index.html").read_text()
    changes = [
        "API: Major outage → Operational</li><li>Webhooks: Partial outage → Operational",
        "API: Degraded performance → Major outage</li><li>Webhooks: Operational → Partial outage",
        "API: Operational → Degraded performance",
    ]
    positions = [page.index(c) for c in changes]
    assert positions == sorted(positions)  # newest first, like the timeline
    # Not operational from 10:00 to 11:00; resolved at 12:00.
    assert "<dt>Duration</dt><dd>1 h</dd>" in page
    assert ">API</a> (Major outage)" in page and ">Webhooks</a> (Partial outage)" in page


def test_duration_without_component_statuses_runs_to_the_resolution(tmp_path):
    plain = ("---\ntitle: Odd\nupdates:\n"
             "  - {at: 2026-05-10T10:00:00Z, status: investigating, message: Odd.}\n"
             "  - {at: 2026-05-10T12:30:00Z, status: resolved, message: Fine.}\n---\n")
    out = build(make(tmp_path, plain), "2026-05-11T00:00:00Z")
    page = (out / "incidents/2026-05-10-failover/index.html").read_text()
    assert "<dt>Duration</dt><dd>2 h 30 min</dd>" in page


def test_german_incident_page_translates_each_change(tmp_path):
    out = build(make(tmp_path, language="de"), "2026-05-11T00:00:00Z")
    page = (out / "incidents/2026-05-10-failover/index.html").read_text()
    assert "API: Eingeschränkte Leistung → Schwerer Ausfall" in page
    assert "Webhooks: Betriebsbereit → Teilausfall" in page


def test_json_affected_components_per_update(tmp_path):
    out = build(make(tmp_path), "2026-05-11T00:00:00Z")
    incident = json.loads((out / "api/v2/incidents.json").read_text())["incidents"][0]
    api, hooks = "1ip7dep1q2vu", "ffqqygnst2oc"  # sha256("component:<id>") in base 36

    def entry(code: str, name: str, old: str, new: str) -> dict[str, str]:
        return {"code": code, "name": name, "old_status": old, "new_status": new}

    assert [u["affected_components"] for u in incident["incident_updates"]] == [
        None,  # resolved: everything was operational already
        [entry(api, "API", "major_outage", "operational"),
         entry(hooks, "Webhooks", "partial_outage", "operational")],
        [entry(api, "API", "degraded_performance", "major_outage"),
         entry(hooks, "Webhooks", "operational", "partial_outage")],
        [entry(api, "API", "operational", "degraded_performance")],
    ]
    assert [c["name"] for c in incident["components"]] == ["API", "Webhooks"]
    assert incident["resolved_at"] == "2026-05-10T12:00:00Z"


def test_feed_entry_shows_the_changes(tmp_path):
    out = build(make(tmp_path), "2026-05-11T00:00:00Z")
    feed = (out / "components/webhooks/feed.atom").read_text()
    assert "Webhooks: Operational → Partial outage" in feed
    assert "API: Degraded performance → Major outage" in feed


@pytest.mark.parametrize(("extra", "line", "message"), [
    ("    components: {apx: major_outage}\n", 9, "unknown component id 'apx'"),
    ("    components: {api: under_maintenance}\n", 9,
     "component status 'under_maintenance' is not for an incident"),
    ("    components: {api: down}\n", 9, "unknown component status 'down' for 'api'"),
])
def test_check_reports_bad_update_components_with_line(tmp_path, capsys, extra, line, message):
    text = OUTAGE.replace("    message: A database node failed.\n"
                          "    components: {api: major_outage, webhooks: partial_outage}\n",
                          "    message: A database node failed.\n" + extra)
    root = make(tmp_path, text)
    assert main(["check", "--source", str(root), "--now", "2026-05-11T00:00:00Z"]) == 1
    err = capsys.readouterr().out
    assert f"content/incidents/2026-05-10-failover.md:{line}:" in err and message in err


def test_components_after_resolved_are_an_error(tmp_path, capsys):
    text = OUTAGE.replace("  - {at: 2026-05-10T12:00:00Z, status: resolved, message: Resolved.}\n",
                          "  - at: 2026-05-10T12:00:00Z\n    status: resolved\n"
                          "    message: Resolved.\n    components: {api: major_outage}\n")
    root = make(tmp_path, text)
    assert main(["check", "--source", str(root), "--now", "2026-05-11T00:00:00Z"]) == 1
    err = capsys.readouterr().out
    assert "failover.md:17:" in err and "sets component statuses after the incident was " \
        "resolved" in err


def test_notice_update_with_components_is_an_error(tmp_path, capsys):
    notice = ("---\ntitle: N\ntype: notice\nupdates:\n  - at: 2026-05-10T10:00:00Z\n"
              "    status: investigating\n    message: M.\n    components: {api: major_outage}\n"
              "---\n")
    root = make(tmp_path, notice)
    assert main(["check", "--source", str(root), "--now", "2026-05-11T00:00:00Z"]) == 1
    assert "failover.md:8:" in capsys.readouterr().out


# --- the author commands ----------------------------------------------------------------

def test_update_writes_per_update_components(tmp_path, capsys):
    first = OUTAGE[:OUTAGE.index("  - at: 2026-05-10T10:30")] + "---\n"
    root = make(tmp_path, first)
    path = root / "content/incidents/2026-05-10-failover.md"
    assert main(["update", "--source", str(root), "failover", "--status", "identified",
                 "--message", "A database node failed.", "--at", "2026-05-10T10:30:00Z",
                 "--component", "api=major_outage", "--component", "webhooks=partial_outage"]) == 0
    assert path.read_text().endswith(
        "  - at: 2026-05-10T10:30:00Z\n    status: identified\n"
        "    message: A database node failed.\n"
        "    components: {api: major_outage, webhooks: partial_outage}\n---\n")
    before = path.read_bytes()
    assert main(["update", "--source", str(root), "failover", "--status", "monitoring",
                 "--message", "M.", "--component", "api=under_maintenance"]) == 1
    assert "'under_maintenance' is for maintenance" in capsys.readouterr().err
    assert path.read_bytes() == before


def test_new_maintenance_with_a_past_window_is_retrospective(tmp_path):
    root = make(tmp_path)
    assert main(["new", "--source", str(root), "maintenance", "Disk swap", "--window",
                 "2026-05-09T01:00:00Z", "2026-05-09T02:00:00Z",
                 "--at", "2026-05-09T03:00:00Z"]) == 0
    text = (root / "content/incidents/2026-05-09-disk-swap.md").read_text()
    assert "backfilled: true\n" in text and "    status: completed\n" in text


def test_backfilled_on_a_maintenance_ahead_of_its_window_is_an_error(tmp_path, capsys):
    root = make(tmp_path)
    assert main(["new", "--source", str(root), "maintenance", "Disk swap", "--backfilled",
                 "--window", "2026-05-09T01:00:00Z", "2026-05-09T02:00:00Z",
                 "--at", "2026-05-08T03:00:00Z"]) == 1
    assert "a retrospective maintenance is declared after its window" in capsys.readouterr().err
    (root / "content/incidents/2026-05-09-m.md").write_text(
        "---\ntitle: M\ntype: maintenance\nbackfilled: true\n"
        "window: {start: 2026-05-09T01:00:00Z, end: 2026-05-09T02:00:00Z}\nupdates:\n"
        "  - {at: 2026-05-08T03:00:00Z, status: scheduled, message: Soon.}\n---\n")
    assert main(["check", "--source", str(root), "--now", "2026-05-11T00:00:00Z"]) == 1
    assert "2026-05-09-m.md:4:" in capsys.readouterr().out


def test_posted_scheduled_never_holds_back_the_clock(tmp_path):
    root = make(tmp_path)
    (root / "content/incidents/2026-05-10-late.md").write_text(
        "---\ntitle: Late notice\ntype: maintenance\ncomponents: {api: under_maintenance}\n"
        "window: {start: 2026-05-11T10:00:00Z, end: 2026-05-11T11:00:00Z}\nupdates:\n"
        "  - {at: 2026-05-11T10:05:00Z, status: scheduled, message: Declared late.}\n---\n")
    during = summary(build(root, "2026-05-11T10:30:00Z"))
    assert [m["status"] for m in during["scheduled_maintenances"]] == ["in_progress"]
    assert during["status"]["indicator"] == "maintenance"
    after = build(root, "2026-05-11T11:30:00Z")
    upcoming = json.loads((after / "api/v2/scheduled-maintenances/upcoming.json").read_text())
    assert upcoming["scheduled_maintenances"] == []
    assert summary(after)["status"]["indicator"] == "none"
