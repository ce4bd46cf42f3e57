"""The HTML pages of the default theme: structure, strings, weight and the uptime bars."""

from __future__ import annotations

import re
import shutil
from itertools import pairwise
from pathlib import Path

import pytest
from building import make_site, render_pages

from generator.content.load import load_content
from generator.content.timeutil import parse_timestamp
from generator.outputs.pages import (
    DayView,
    QuietPiece,
    bars,
    first_screen,
    quiet_pieces,
    screen_windows,
)
from generator.state.derive import derive
from generator.theme.templates import Renderer
from generator.theme.themes import load_theme

REPO = Path(__file__).resolve().parent.parent
NOW = "2026-11-27T01:00:00Z"
BUDGET = 41_000  # bytes: the home page with its stylesheet, script and icon, uncompressed


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
    tip = re.search(r'<details class="d s-major_outage from2" name="day"><summary>'
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
    assert ('<body data-zone="Europe/Berlin" data-datetime="{day} {month} {year}, {H}:{M} {zone}" '
            'data-months="Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec" data-schedule=') in html


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
    assert "99,97\xa0% Verfügbarkeit in den letzten 90 Tagen" in html  # CLDR: no-break space
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


def test_narrower_screens_show_30_and_60_days_with_their_uptime(site):
    html = site.files["index.html"].decode()
    row = html[html.index('href="components/api/"'):html.index('href="components/dashboard/"')]
    # Now is 27 Nov 2026 (Berlin): the last 30 days start 29 Oct, 60 on 29 Sep, 90 on 30 Aug.
    assert ('<p class="uptime-sum"><span class="upto0">100.00% uptime over the last 30 days'
            '</span><span class="from1 upto1">100.00% uptime over the last 60 days</span>'
            '<span class="from2">99.97% uptime over the last 90 days</span></p>') in row
    assert ('<p class="uptime-legend" aria-hidden="true"><span class="upto0">29 Oct 2026</span>'
            '<span class="from1 upto1">29 Sep 2026</span><span class="from2">30 Aug 2026</span>'
            '<span>Today</span></p>') in row
    assert '<div class="bars n30 m60" role="group"' in row
    # 3 Sep is 85 days back (wide screens only), 8 Oct 50 days (medium and wide).
    assert re.findall(r'<details class="d s-[a-z_]+( end)?( from\d)?" name="day"><summary>'
                      r'<span class="sr">([^<]+):', row) == [
        ("", " from2", "3 September 2026"), ("", " from1", "8 October 2026")]


def test_window_screens_and_the_day_each_screen_starts_showing():
    assert screen_windows((30, 60, 90)) == (30, 60, 90)
    assert screen_windows((30, 45)) == (30, 45, 45)
    assert screen_windows((14,)) == (14, 14, 14)
    shown = (30, 60, 90)
    assert [first_screen(age, shown) for age in (0, 29, 30, 59, 60, 89)] == [0, 0, 1, 1, 2, 2]


def test_a_site_of_30_days_or_fewer_has_one_window_and_no_switching(tmp_path):
    source = tmp_path / "site"
    shutil.copytree(REPO / "content", source / "content")
    config = source / "content" / "site.yaml"
    config.write_text(config.read_text().replace("history_days: 90", "history_days: 30"))
    html = make_site(source, NOW).files["index.html"].decode()
    assert '<p class="uptime-sum"><span>100.00% uptime over the last 30 days</span></p>' in html
    assert not re.search(r"from\d|upto\d|n30|m60", html)


def test_arabic_pages_are_right_to_left_in_arabic(tmp_path):
    source = tmp_path / "site"
    shutil.copytree(REPO / "content", source / "content")
    config = source / "content" / "site.yaml"
    config.write_text(config.read_text().replace("language: en", "language: ar"))
    files = make_site(source, NOW).files
    html = files["index.html"].decode()
    assert html.startswith('<!DOCTYPE html>\n<html lang="ar" dir="rtl">')
    assert files["embed/index.html"].decode().count('<html lang="ar" dir="rtl">') == 1
    assert ">26 نوفمبر 2026، 22:14 CET</time>" in html  # an open incident's start
    assert ('data-months="يناير|فبراير|مارس|أبريل|مايو|يونيو|'
            'يوليو|أغسطس|سبتمبر|أكتوبر|نوفمبر|ديسمبر"') in html
    # The stylesheet mirrors by itself: logical properties only, no left/right but the
    # stripes' direction, which [dir="rtl"] turns around.
    css = next(v.decode() for k, v in files.items() if k.startswith("assets/style."))
    assert re.findall(r"\b(?:left|right)\b", css) == ["left", "right"]
    assert '[dir="rtl"] { --end: left; }' in css
