"""The api/v2/ JSON files: Statuspage's exact shapes (validated against the schema written
from research), stable ids, content-derived times and the list rules."""

from __future__ import annotations

import hashlib
import json
import re

import pytest
from building import make_site
from sitefixtures import BASE, NOW, REPO, SCENARIOS, build, incident_md, write
from test_schema_selfcheck import check_ordering, endpoint_validator, load_schema

from generator.outputs.api import stable_id

ENDPOINT_PATHS = load_schema()["x-endpoint-paths"]
WEBHOOKS = "2026-11-26-webhook-delivery-delays"


def docs(site) -> dict[str, dict]:
    return {name: json.loads(site.files[path]) for name, path in ENDPOINT_PATHS.items()}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_endpoint_matches_the_statuspage_schema(scenario, tmp_path_factory):
    site = build(scenario, tmp_path_factory)
    for name, doc in docs(site).items():
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                  for e in endpoint_validator(name).iter_errors(doc)]
        assert errors == [], (scenario, name)
        assert check_ordering(doc) == [], (scenario, name)


def test_example_summary_reflects_the_derived_state(example):
    summary = docs(example)["summary"]
    state = example.state
    assert summary["status"] == {"indicator": "major", "description": "Partial System Outage"}
    assert summary["page"]["updated_at"] == "2026-11-26T22:05:00Z"  # newest update in content
    assert summary["page"]["url"] == "https://status.tidewater.example/"
    assert summary["page"]["time_zone"] == "Europe/Berlin"
    names = [i["name"] for i in summary["incidents"]]
    assert names == [i.title for i in state.open_incidents]
    assert [m["name"] for m in summary["scheduled_maintenances"]] == ["Payout scheduler migration"]
    statuses = {c["name"]: c["status"] for c in summary["components"]}
    assert statuses["Webhooks"] == "partial_outage"
    assert statuses["Payments"] == "partial_outage"  # a group shows its worst child
    assert statuses["Reports and exports"] == "degraded_performance"  # manual status


def test_components_groups_children_and_positions(example):
    components = docs(example)["components"]["components"]
    by_name = {c["name"]: c for c in components}
    core = by_name["Core platform"]
    assert core["group"] is True and core["group_id"] is None
    children = [c for c in components if c["group_id"] == core["id"]]
    assert core["components"] == [c["id"] for c in children]
    assert [c["position"] for c in children] == [1, 2, 3, 4]
    assert [c["name"] for c in components if not c["group"] and c["group_id"] is None] == [
        "Documentation"]
    assert by_name["Documentation"]["position"] == 3  # after the two groups, at the top level
    assert "components" not in by_name["Public API"]
    assert by_name["Sign-in and SSO"]["description"] is None


def test_ids_follow_the_documented_rule():
    digest = int.from_bytes(hashlib.sha256(b"incident:some-slug").digest(), "big")
    expected = ""
    number = digest % 36**12
    for _ in range(12):
        number, rest = divmod(number, 36)
        expected = "0123456789abcdefghijklmnopqrstuvwxyz"[rest] + expected
    assert stable_id("incident", "some-slug") == expected
    assert re.fullmatch(r"[0-9a-z]{12}", stable_id("component", "api"))
    assert stable_id("component", "api") != stable_id("group", "api")


def test_ids_are_stable_across_builds_and_nows(example, tmp_path_factory):
    later = build("example", tmp_path_factory, now="2026-12-24T12:00:00Z")
    first, second = docs(example)["incidents"], docs(later)["incidents"]
    ids = {i["name"]: (i["id"], [u["id"] for u in i["incident_updates"]])
           for i in first["incidents"]}
    again = {i["name"]: (i["id"], [u["id"] for u in i["incident_updates"]])
             for i in second["incidents"]}
    assert ids == again
    incident = next(i for i in first["incidents"] if i["shortlink"].endswith(f"/{WEBHOOKS}/"))
    assert incident["id"] == stable_id("incident", WEBHOOKS)


def test_same_content_and_now_give_identical_bytes(example):
    again = make_site(REPO, NOW)
    for path in ENDPOINT_PATHS.values():
        assert again.files[path] == example.files[path], path


def test_incident_updates_bodies_and_affected_components(example):
    incidents = {i["name"]: i for i in docs(example)["incidents"]["incidents"]}
    webhooks = incidents["Delayed webhook deliveries"]
    assert webhooks["status"] == "identified" and webhooks["resolved_at"] is None
    assert webhooks["reminder_intervals"] is None
    assert webhooks["shortlink"] == f"https://status.tidewater.example/incidents/{WEBHOOKS}/"
    latest, first = webhooks["incident_updates"]
    assert latest["affected_components"] is None  # nothing changed with this update
    assert sorted((a["name"], a["old_status"], a["new_status"])
                  for a in first["affected_components"]) == [
        ("Payments - Payouts", "operational", "degraded_performance"),
        ("Payments - Webhooks", "operational", "partial_outage")]
    assert first["body"].startswith("<p>") and "20 minutes" in first["body"]
    assert [c["name"] for c in webhooks["components"]] == ["Webhooks", "Payouts"]
    notice = next(i for i in incidents.values() if i["name"].startswith("TLS"))
    assert notice["impact"] == "none" and notice["components"] == []
    assert "<strong>15 January 2027</strong>" in notice["incident_updates"][0]["body"]


def test_resolution_returns_components_to_operational(tmp_path):
    text = incident_md("Outage", [
        ("2026-11-02T09:00:00Z", "investigating", "Down. <script>alert(1)</script>"),
        ("2026-11-02T09:30:00Z", "monitoring", "Fix deployed."),
        ("2026-11-02T10:00:00Z", "resolved", "Back.")], components={"api": "major_outage"})
    site = make_site(write(tmp_path, {"2026-11-02-outage": text}), "2026-11-27T01:00:00Z")
    incident = json.loads(site.files["api/v2/incidents.json"])["incidents"][0]
    resolved, monitoring, investigating = incident["incident_updates"]
    assert resolved["affected_components"][0]["old_status"] == "major_outage"
    assert resolved["affected_components"][0]["new_status"] == "operational"
    assert monitoring["affected_components"] is None
    assert "<script>" not in investigating["body"]
    assert incident["monitoring_at"] == "2026-11-02T09:30:00Z"
    assert incident["resolved_at"] == "2026-11-02T10:00:00Z"
    assert incident["impact"] == "critical"
    assert json.loads(site.files["api/v2/incidents/unresolved.json"])["incidents"] == []


def test_maintenance_lists_by_state(tmp_path_factory):
    site = build("only-maintenance", tmp_path_factory)
    d = docs(site)
    names = lambda name: [m["name"] for m in d[name]["scheduled_maintenances"]]  # noqa: E731
    assert names("scheduled_maintenances") == ["Future upgrade", "Running migration",
                                               "Finished upgrade"]
    assert names("scheduled_maintenances_active") == ["Running migration"]
    assert names("scheduled_maintenances_upcoming") == ["Future upgrade"]
    assert names("summary") == ["Future upgrade", "Running migration"]
    assert d["incidents"]["incidents"] == [] and d["summary"]["incidents"] == []
    assert d["status"]["status"]["indicator"] == "maintenance"
    done = d["scheduled_maintenances"]["scheduled_maintenances"][-1]
    assert done["status"] == "completed" and done["resolved_at"] == "2026-11-01T03:30:00Z"
    assert done["scheduled_for"] == "2026-11-01T02:00:00Z"
    assert done["impact"] == "maintenance" and "reminder_intervals" not in done
    running = d["scheduled_maintenances_active"]["scheduled_maintenances"][0]
    # The window's start at 00:00 is posted as an automatic update (as Statuspage does);
    # it is where the components went under maintenance, before the written 00:05 update.
    posted, started, scheduled = running["incident_updates"]
    assert (posted["status"], posted["affected_components"]) == ("in_progress", None)
    assert started["status"] == "in_progress" and started["created_at"] == "2026-11-27T00:00:00Z"
    assert started["body"] == "<p>The maintenance window has started.</p>"
    assert [a["new_status"] for a in started["affected_components"]] == ["under_maintenance"] * 2
    assert scheduled["status"] == "scheduled"


def test_lists_hold_the_50_most_recent(tmp_path):
    incidents = {f"2026-10-{n:02d}-x{n}": incident_md(f"Incident {n}", [
        (f"2026-10-{n:02d}T09:00:00Z", "investigating", "Looking."),
        (f"2026-10-{n:02d}T10:00:00Z", "resolved", "Fixed.")]) for n in range(1, 31)}
    incidents |= {f"2026-09-{n:02d}-y{n}": incident_md(f"Old {n}", [
        (f"2026-09-{n:02d}T09:00:00Z", "resolved", "Fixed.")]) for n in range(1, 26)}
    site = make_site(write(tmp_path, incidents), "2026-11-27T01:00:00Z")
    listed = json.loads(site.files["api/v2/incidents.json"])["incidents"]
    assert len(listed) == 50
    assert listed[0]["name"] == "Incident 30" and listed[-1]["name"] == "Old 6"


def test_empty_site_still_has_a_page_and_status(tmp_path_factory):
    d = docs(build("empty", tmp_path_factory))
    assert d["components"]["components"] == []
    assert d["status"]["status"] == {"indicator": "none", "description": "All Systems Operational"}
    assert d["status"]["page"]["updated_at"] == "2026-11-27T01:00:00Z"  # no content: now
    assert d["status"]["page"]["url"] == BASE
