"""The HTML pages of the default theme: structure, strings, weight and the uptime bars."""

from __future__ import annotations

import re
import shutil
from itertools import pairwise
from pathlib import Path

import pytest

from generator.build import make_site
from generator.load import load_content
from generator.render import (
    DayView,
    QuietPiece,
    Renderer,
    bars,
    quiet_pieces,
    render_pages,
)
from generator.state import derive
from generator.theme import load_theme
from generator.timeutil import parse_timestamp

REPO = Path(__file__).resolve().parent.parent
NOW = "2026-11-27T01:00:00Z"
BUDGET = 40_000  # bytes: the home page with its stylesheet, script and icon, uncompressed


def german_source(tmp_path: Path) -> Path:
    source = tmp_path / "site"
    shutil.copytree(REPO / "content", source / "content")
    config = source / "content" / "site.yaml"
    config.write_text(config.read_text().replace("language: en", "language: de"))
    return source


def render(source: Path) -> tuple[Renderer, dict[str, bytes]]:
    content = load_content(source, NOW)
    state = derive(content, parse_timestamp(NOW, content.site.zone))
    renderer = Renderer(content, load_theme(source, content.site))
    return renderer, render_pages(content, state, renderer)


@pytest.fixture(scope="module")
def site():
    return make_site(REPO, NOW)


@pytest.fixture(scope="module")
def pages(site) -> dict[str, str]:
    return {p: b.decode() for p, b in site.files.items()
            if p.endswith(".html") and not p.startswith("embed/")}


def test_every_string_comes_from_the_catalogue_in_both_languages(tmp_path):
    for source in (REPO, german_source(tmp_path)):
        renderer, _ = render(source)
        assert renderer.t.missing == set()


def test_no_inline_script_or_style(pages):
    for path, html in pages.items():
        assert not re.search(r"<script(?![^>]*\ssrc=)", html), path
        assert not re.search(r"<style|\sstyle=|\son[a-z]+=", html), path


def test_landmarks_skip_link_and_heading_order(pages):
    for path, html in pages.items():
        assert 'href="#main"' in html and '<main id="main"' in html, path
        assert html.count("<header") == html.count("<footer") == 1, path
        assert "<nav" in html, path
        levels = [int(n) for n in re.findall(r"<h([1-6])[ >]", html)]
        assert levels[0] == 1 and levels.count(1) == 1, path
        assert all(b <= a + 1 for a, b in pairwise(levels)), path


def test_home_page_weight_is_under_budget(site):
    html = site.files["index.html"]
    linked = re.findall(r'<(?:link rel="(?:stylesheet|icon)"[^>]*href|script src)="([^"]+)"',
                        html.decode())
    assert len(linked) == 3  # stylesheet, favicon, script; feeds are not fetched
    total = len(html) + sum(len(site.files[href]) for href in linked)
    assert total < BUDGET, total


def test_favicon_shows_the_current_status(site):
    html = site.files["index.html"].decode()
    assert site.state.indicator == "major"
    assert re.search(r'<link rel="icon" type="image/svg\+xml" href="assets/favicon-major\.'
                     r'[0-9a-f]{10}\.svg">', html)


def test_quiet_days_are_compacted_into_powers_of_two():
    assert [p.days for p in quiet_pieces(37)] == [32, 4, 1]
    assert quiet_pieces(0) == [] and sum(p.days for p in quiet_pieces(3650)) == 3650


def test_bars_cover_every_day_and_only_eventful_days_are_focusable(site):
    by_slug = {i.slug: i for i in site.content.incidents}
    html = site.files["index.html"].decode()
    eventful = 0
    for uptime in site.state.uptime.values():
        row = bars(uptime.days, by_slug)
        days = [b for b in row if isinstance(b, DayView)]
        assert sum(b.days for b in row if isinstance(b, QuietPiece)) + len(days) == len(uptime.days)
        assert [d.date for d in days] == [d.date for d in uptime.days if d.incidents]
        eventful += len(days)
    assert 0 < eventful == html.count('<details class="d ')
    assert html.count("<summary>") == eventful + len(site.content.groups) + 1  # + groups


def test_day_tooltip_lists_that_days_incidents_with_links(site):
    html = site.files["index.html"].decode()
    tip = re.search(r'<details class="d s-major_outage" name="day"><summary>'
                    r'<span class="sr">3 September 2026: Major outage</span></summary>'
                    r'<div class="tip">(.*?)</div></details>', html)
    assert tip, "the API outage day"
    assert 'href="incidents/2026-09-03-api-outage/">API unavailable' in tip.group(1)


def test_component_page_has_full_per_day_detail(site):
    html = site.files["components/webhooks/index.html"].decode()
    days = [d for d in site.state.uptime["webhooks"].days if d.incidents]
    for day in days:
        assert f'<tr id="day-{day.date.isoformat()}">' in html
    assert html.index(f"day-{days[-1].date}") < html.index(f"day-{days[0].date}")  # newest first


def test_maintenance_pill_is_named_for_the_script(site):
    # The script shows the window's start and end from the page's schedule (test_clock.py).
    html = site.files["index.html"].decode()
    assert ('<span class="pill p-scheduled" data-entry="2026-12-06-payout-scheduler-migration">'
            'Scheduled</span>') in html
    assert '<body data-zone="Europe/Berlin" data-local="{time} your time" data-schedule=' in html


def test_open_incident_shows_since_when_and_latest_update_first(site):
    html = site.files["index.html"].decode()
    card = html[html.index('id="open-title"'):html.index('id="announcements-title"')]
    news = html[html.index('id="announcements-title"'):html.index('id="upcoming-title"')]
    # The open notice is an announcement, not an open incident.
    assert "Delayed webhook deliveries" in card and "TLS 1.0" not in card
    assert "TLS 1.0" in news and "Delayed webhook deliveries" not in news
    assert 'since <time datetime="2026-11-26T21:14:00Z">26 Nov 2026, 22:14 CET</time>' in card
    assert "Latest update, <time" in card


def test_german_build(tmp_path):
    files = make_site(german_source(tmp_path), NOW).files
    html = files["index.html"].decode()
    assert '<html lang="de">' in html
    assert "Teilweiser Systemausfall" in html and "Betriebsbereit" in html
    # API: partial 14 min (x 0.3) + major 29 min = 33.2 min of 128,340 min -> 99.974
    assert "99,97 % Verfügbarkeit in den letzten 90 Tagen" in html
    assert ">26. Nov. 2026, 22:14 Uhr MEZ</time>" in html
    history = files["history/index.html"].decode()
    assert "<h2>November 2026</h2>" in history and "Störungsverlauf" in history
    assert '<h2 id="upcoming-title">Bevorstehend</h2>' in history  # December's maintenance


def test_incident_page_shows_what_the_clock_did():
    html = make_site(REPO, "2026-12-07T00:00:00Z").files[
        "incidents/2026-12-06-payout-scheduler-migration/index.html"].decode()
    assert html.index("The maintenance window has ended.") < \
        html.index("The maintenance window has started.") < html.index("We are moving")


def test_compiled_templates_are_cached_and_a_bad_cache_is_ignored(tmp_path, monkeypatch):
    monkeypatch.delenv("HELIOGRAPH_NO_TEMPLATE_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    first = make_site(REPO, NOW).files
    assert list((tmp_path / "cache" / "heliograph" / "templates").iterdir())
    assert make_site(REPO, NOW).files == first  # built from the cached bytecode
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert make_site(REPO, NOW).files == first
