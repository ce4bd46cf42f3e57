"""End-to-end: the example site builds, and its pages show what the spec asks for."""

from __future__ import annotations

import re
import shutil
from datetime import UTC
from pathlib import Path

import pytest
from building import make_site

from generator.cli import main
from generator.content.load import load_content
from generator.content.timeutil import parse_timestamp
from generator.site.build import build

REPO = Path(__file__).resolve().parent.parent
NOW = "2026-11-27T01:00:00Z"


@pytest.fixture(scope="module")
def site():
    return make_site(REPO, NOW)


def page(site, path: str) -> str:
    return site.files[path].decode("utf-8")


def test_example_content_covers_every_type_and_state(site):
    content, state = site.content, site.state
    assert len(content.incidents) >= 8
    assert {i.type for i in content.incidents} == {"incident", "maintenance", "notice"}
    assert any(i.backfilled for i in content.incidents)
    assert {state.impact[i.slug] for i in content.incidents if i.type == "incident"} >= {
        "none", "minor", "major", "critical"}
    assert [i.type for i in state.open_incidents] == ["incident", "notice"]
    assert [m.slug for m in state.upcoming_maintenance] == ["2026-12-06-payout-scheduler-migration"]
    assert state.status["2026-10-18-database-upgrade"] == "completed"
    assert any(c.status == "degraded_performance" for c in content.components)
    assert 2 <= len(content.groups) <= 3 and 6 <= len(content.components) <= 10


def test_naive_timestamps_are_read_in_the_site_time_zone(site):
    outage = next(i for i in site.content.incidents if i.slug == "2026-09-03-api-outage")
    # 16:05 in Berlin summer time is 14:05 UTC.
    assert outage.started_at == parse_timestamp("2026-09-03T14:05:00Z", site.content.site.zone)


def test_every_page_exists(site):
    expected = {"index.html", "history/index.html", "404.html"}
    expected |= {f"incidents/{i.slug}/index.html" for i in site.content.incidents}
    expected |= {f"components/{c.id}/index.html" for c in site.content.components}
    assert expected <= set(site.files)


def test_index_shows_banner_open_incidents_maintenance_and_components(site):
    html = page(site, "index.html")
    assert "Partial System Outage" in html
    assert "Delayed webhook deliveries" in html and "draining it" in html  # latest update
    assert "TLS 1.0 and 1.1 retirement" in html  # open notice
    assert "Payout scheduler migration" in html  # upcoming maintenance
    assert "Large CSV exports take longer" in html  # manual status note
    assert html.count('class="bars n30 m60"') == len(site.content.components)
    assert html.index("Core platform") < html.index("Payments") < html.index("Documentation")


def test_incident_page_has_timeline_body_and_retrospective_label(site):
    html = page(site, "incidents/2026-10-07-card-authorization-errors/index.html")
    assert "<h2>What happened</h2>" in html
    # The timeline is newest first.
    assert html.index("Error rates have been normal") < html.index("About 8% of card")
    assert 'datetime="2026-10-07T23:31:00Z"' in html
    assert "Card processing" in html and "Partial outage" in html
    retro = page(site, "incidents/2026-08-21-sso-login-blip/index.html")
    assert "Retrospective" in retro


def test_history_is_newest_first_and_grouped_by_month(site):
    html = page(site, "history/index.html")
    months = re.findall(r"<h2>(\w+ 2026)</h2>", html)
    # The December maintenance has not started: it is listed under "Upcoming", not a month.
    assert months == ["November 2026", "October 2026", "September 2026", "August 2026"]
    upcoming = html.split('<h2 id="upcoming-title">Upcoming</h2>')[1].split("</section>")[0]
    assert re.findall(r'href="../incidents/([^/]+)/"', upcoming) == [
        "2026-12-06-payout-scheduler-migration"]


def test_history_is_paginated(tmp_path):
    source = tmp_path / "site"
    shutil.copytree(REPO / "content", source / "content")
    config = source / "content" / "site.yaml"
    config.write_text(config.read_text() + "history_page_size: 4\n")
    files = make_site(source, NOW).files
    assert {"history/index.html", "history/page/2/index.html", "history/page/3/index.html"} <= \
        set(files)
    second = files["history/page/2/index.html"].decode()
    assert 'href="../../../history/"' in second and 'href="../../../history/page/3/"' in second


def test_links_are_relative(site):
    for path, data in site.files.items():
        if path.endswith(".html") and path != "404.html":
            hrefs = re.findall(r'(?:href|src)="([^"]+)"', data.decode())
            local = [h for h in hrefs if not h.startswith(("http://", "https://", "mailto:", "#"))]
            assert not [h for h in local if h.startswith("/")], path


def test_component_page_lists_its_incidents(site):
    html = page(site, "components/card-processing/index.html")
    assert "Card authorizations failing for some merchants" in html
    assert "API unavailable" in html
    assert "Slow search in the dashboard" not in html


def test_same_content_and_now_is_byte_identical(site):
    assert make_site(REPO, NOW).files == site.files


def test_cli_build_writes_public(tmp_path, capsys):
    out = tmp_path / "public"
    assert main(["build", "--source", str(REPO), "--output", str(out), "--now", NOW]) == 0
    assert (out / "index.html").is_file()
    assert "Built" in capsys.readouterr().out


def test_base_url_override(tmp_path):
    site = build(REPO, tmp_path / "out", NOW, base_url="https://example.org/status")
    assert site.content.site.base_url == "https://example.org/status/"
    assert 'href="https://example.org/status/"' in (tmp_path / "out" / "index.html").read_text()


def test_content_loads_without_problems():
    content = load_content(REPO, parse_timestamp(NOW, UTC))
    assert content.site.title == "Tidewater Status"
