"""What visitors read on the pages (issue 14), built through the real command line."""

from __future__ import annotations

from pathlib import Path

from sitefixtures import MAINTENANCE_DONE, MAINTENANCE_LATER, incident_md, write

from generator.cli import main

NOW = "2026-11-27T01:00:00Z"


def build(root: Path, now: str = NOW) -> Path:
    out = root / "out"
    assert main(["build", "--source", str(root), "--output", str(out), "--now", now,
                 "--quiet"]) == 0
    return out


def page(out: Path, path: str) -> str:
    return (out / path).read_text()


RESOLVED = incident_md("Login trouble", [
    ("2026-11-26T09:00:00Z", "investigating", "Some users cannot log in."),
    ("2026-11-26T10:00:00Z", "resolved", "Fixed.")], {"api": "partial_outage"})
ENDED = MAINTENANCE_DONE.replace("2026-11-01T02:00:00Z", "2026-11-26T20:00:00Z").replace(
    "2026-11-01T04:00:00Z", "2026-11-26T22:00:00Z").replace("  - at: 2026-11-01T03:30:00Z\n"
                                                            "    status: completed\n"
                                                            "    message: Done early.\n", "")


def test_the_status_page_says_when_the_status_last_changed_and_when_it_was_made(
        tmp_path: Path) -> None:
    # The latest event is the clock closing the maintenance window (22:00), later than
    # any posted update; the page was made at the build's now.
    out = build(write(tmp_path, {"2026-11-26-login": RESOLVED, "2026-11-26-upgrade": ENDED}))
    index = page(out, "index.html")
    assert 'Status last changed: <time datetime="2026-11-26T22:00:00Z">' in index
    assert '<p class="meta generated">Page generated: <time datetime="2026-11-27T01:00:00Z">' \
        in index
    assert "Last updated" not in index


def test_without_entries_only_the_generation_time_is_shown(tmp_path: Path) -> None:
    index = page(build(write(tmp_path, {})), "index.html")
    assert "Status last changed" not in index
    assert 'Page generated: <time datetime="2026-11-27T01:00:00Z">' in index


def test_german_labels(tmp_path: Path) -> None:
    site = "title: Test\nbase_url: https://status.test/\ntimezone: UTC\nlanguage: de\n"
    index = page(build(write(tmp_path, {"2026-11-26-login": RESOLVED}, site=site)), "index.html")
    assert 'Status zuletzt geändert: <time datetime="2026-11-26T10:00:00Z">' in index
    assert 'Seite erstellt: <time datetime="2026-11-27T01:00:00Z">' in index


NOTICE = incident_md("Price change", [("2026-11-20T09:00:00Z", "investigating",
                                       "New prices from January.")], kind="notice")
LOGIN = incident_md("Login trouble", [
    ("2026-11-02T09:00:00Z", "investigating", "Some users cannot log in."),
    ("2026-11-02T10:00:00Z", "resolved", "Fixed.")], {"api": "partial_outage"})


def slugs(html: str) -> list[str]:
    import re
    return re.findall(r'<h3><a href="[./]*incidents/([^/]+)/">', html)


def test_upcoming_maintenance_says_what_it_will_do_and_is_not_in_the_past(
        tmp_path: Path) -> None:
    out = build(write(tmp_path, {"2026-12-10-later": MAINTENANCE_LATER,
                                 "2026-11-02-login": LOGIN, "2026-11-20-prices": NOTICE}))
    index = page(out, "index.html")
    # The words of now ride along, for the script once the window has opened.
    ahead = ('<span data-ahead="2026-12-10-later" data-started="Under maintenance">'
             'will be under maintenance</span>')
    assert f'<a href="components/docs/">Docs</a> ({ahead})' in index
    upcoming = page(out, "incidents/2026-12-10-later/index.html")
    assert f'<a href="../../components/docs/">Docs</a> ({ahead})' in upcoming
    history = page(out, "history/index.html")
    head, past = history.split('<h2 id="upcoming-title">Upcoming</h2>')[1].split("</section>", 1)
    assert slugs(head) == ["2026-12-10-later"]
    assert slugs(past) == ["2026-11-20-prices", "2026-11-02-login"]
    assert "December 2026" not in history
    # Once the window has opened it is no longer upcoming: among the entries, in words of now.
    later = build(tmp_path, "2026-12-10T03:00:00Z")
    history = page(later, "history/index.html")
    assert "upcoming-title" not in history
    assert slugs(history) == ["2026-12-10-later", "2026-11-20-prices", "2026-11-02-login"]
    assert "(Under maintenance)" in page(later, "index.html")


def test_german_upcoming_wording(tmp_path: Path) -> None:
    site = "title: Test\nbase_url: https://status.test/\ntimezone: UTC\nlanguage: de\n"
    out = build(write(tmp_path, {"2026-12-10-later": MAINTENANCE_LATER}, site=site))
    assert ('<a href="components/docs/">Docs</a> (<span data-ahead="2026-12-10-later" '
            'data-started="In Wartung">wird gewartet</span>)') in page(out, "index.html")
    assert '<h2 id="upcoming-title">Bevorstehend</h2>' in page(out, "history/index.html")


def test_history_per_type_pages_and_pagination(tmp_path: Path) -> None:
    site = "title: T\nbase_url: https://status.test/\ntimezone: UTC\nhistory_page_size: 1\n"
    out = build(write(tmp_path, {"2026-12-10-later": MAINTENANCE_LATER,
                                 "2026-11-02-login": LOGIN, "2026-11-20-prices": NOTICE},
                      site=site))
    # Two past entries, one a page: history/ and history/page/2/; the upcoming maintenance
    # is on the first page of the lists it belongs to, outside the pagination.
    assert slugs(page(out, "history/index.html")) == ["2026-12-10-later", "2026-11-20-prices"]
    assert slugs(page(out, "history/page/2/index.html")) == ["2026-11-02-login"]
    assert not (out / "history/page/3").exists()
    assert slugs(page(out, "history/incidents/index.html")) == ["2026-11-02-login"]
    assert slugs(page(out, "history/notices/index.html")) == ["2026-11-20-prices"]
    maintenance = page(out, "history/maintenance/index.html")
    assert slugs(maintenance) == ["2026-12-10-later"] and "No incidents reported." in maintenance
    assert "<title>Past notices · T</title>" in page(out, "history/notices/index.html")
    # The filter links, the current one marked, and the component pages as the filter by
    # component.
    notices = page(out, "history/notices/index.html")
    assert '<li><a href="../../history/">All</a></li>' in notices
    assert '<li><a href="../../history/notices/" aria-current="page">Notices</a></li>' in notices
    assert '<a href="../../components/api/">API</a>' in notices
    sitemap = page(out, "sitemap.xml")
    for url in ("history/", "history/page/2/", "history/incidents/", "history/maintenance/",
                "history/notices/"):
        assert f"<loc>https://status.test/{url}</loc>" in sitemap


def test_component_pages_show_their_own_subscriptions(tmp_path: Path) -> None:
    out = build(write(tmp_path, {"2026-12-10-later": MAINTENANCE_LATER,
                                 "2026-11-02-login": LOGIN}))
    docs = page(out, "components/docs/index.html")
    assert '<h2 id="subscribe-title">Subscribe to Docs</h2>' in docs
    for link in ('<a href="feed.atom" type="application/atom+xml">Atom feed</a>',
                 '<a href="feed.rss" type="application/rss+xml">RSS feed</a>',
                 '<a href="maintenance.ics" type="text/calendar">Maintenance calendar</a>',
                 '<a href="badge.svg" type="image/svg+xml">Status badge (SVG)</a>',
                 "<code>https://status.test/components/docs/badge.svg</code>"):
        assert link in docs
    for name in ("feed.atom", "feed.rss", "maintenance.ics", "badge.svg"):
        assert (out / "components" / "docs" / name).is_file()
    # Its upcoming maintenance apart from its past entries.
    upcoming = docs.split("<h2>Upcoming</h2>")[1].split("<h2>Recent incidents</h2>")
    assert slugs(upcoming[0]) == ["2026-12-10-later"] and slugs(upcoming[1]) == []


POSTMORTEM = LOGIN.replace("type: incident\n",
                           "type: incident\npostmortem_url: https://blog.test/pm?id=1&x=2\n")


def test_a_postmortem_link_on_the_page_in_the_feeds_and_not_in_the_json(tmp_path: Path) -> None:
    out = build(write(tmp_path, {"2026-11-02-login": POSTMORTEM}))
    html = page(out, "incidents/2026-11-02-login/index.html")
    assert ('<div><dt>Postmortem</dt><dd><a href="https://blog.test/pm?id=1&amp;x=2">Read the '
            'postmortem</a></dd></div>') in html
    atom = page(out, "feed.atom")
    link = '&lt;p&gt;&lt;a href="https://blog.test/pm?id=1&amp;amp;x=2"&gt;Read the postmortem'
    assert link in atom and link in page(out, "components/api/feed.rss")
    # RSS's <link> stays the entry's own page.
    assert "<link>https://status.test/incidents/2026-11-02-login/</link>" in page(out,
                                                                                 "feed.rss")
    # Statuspage's public incident object has no place for it: the JSON stays strict.
    assert "blog.test" not in page(out, "api/v2/incidents.json")


def test_a_postmortem_url_must_be_absolute_http(tmp_path: Path, capsys) -> None:
    bad = LOGIN.replace("type: incident\n", "type: incident\npostmortem_url: javascript:x()\n")
    root = write(tmp_path, {"2026-11-02-login": bad})
    assert main(["check", "--source", str(root), "--now", NOW]) == 1
    assert ("content/incidents/2026-11-02-login.md:4:17: error: postmortem_url 'javascript:x()' "
            "is not an absolute http(s) URL") in capsys.readouterr().out


HIDDEN = """\
groups:
  - id: core
    name: Core
    components:
      - id: api
        name: API
        sla: 99.9
      - id: web
        name: Website
        sla: 99.99
  - id: inside
    name: Internal
    components:
      - id: queue
        name: Job queue
        hidden: true
components:
  - id: docs
    name: Docs
"""
# API and the hidden queue partly down for 2 hours (x 0.3 = 36 min weighted) of the 90
# days up to now (89 days and 1 h = 128,220 min): 99.97192...% uptime, shown as 99.97%.
OUTAGE = incident_md("Queue stuck", [
    ("2026-11-26T20:00:00Z", "investigating", "Jobs are stuck."),
    ("2026-11-26T22:00:00Z", "resolved", "Fixed.")],
    {"api": "partial_outage", "queue": "partial_outage"})


def test_hidden_components_and_uptime_targets(tmp_path: Path) -> None:
    import json

    out = build(write(tmp_path, {"2026-11-26-queue": OUTAGE}, components=HIDDEN))
    index = page(out, "index.html")
    assert "Job queue" not in index and "Internal" not in index
    assert not (out / "components" / "queue").exists()
    assert "components/queue/" not in page(out, "sitemap.xml")
    # In the JSON all the same, with its status and its group.
    components = json.loads(page(out, "api/v2/components.json"))["components"]
    assert [c["name"] for c in components if c["name"] in ("Job queue", "Internal")] == [
        "Internal", "Job queue"]
    # Named where an entry affects it, without a link to a page it does not have.
    incident = page(out, "incidents/2026-11-26-queue/index.html")
    assert ('<li><a href="../../components/api/">API</a> (Partial outage)</li>'
            '<li>Job queue (Partial outage)</li>') in incident
    # Targets met: API's 99.9, the website's 99.99 (no downtime).
    # (The summary holds one span per screen width: the 90-day one is last.)
    assert ('99.97% uptime over the last 90 days</span> <span class="sla">'
            '(target 99.9%)</span></p>') in index
    assert ('100.00% uptime over the last 90 days</span> <span class="sla">'
            '(target 99.99%)</span></p>') in index
    assert '<p class="uptime-sum below">' not in index


def test_uptime_below_target_is_marked_in_words_and_colour(tmp_path: Path) -> None:
    components = HIDDEN.replace("sla: 99.9\n", "sla: 99.975\n")
    out = build(write(tmp_path / "a", {"2026-11-26-queue": OUTAGE}, components=components))
    api = page(out, "components/api/index.html")
    assert '<p class="uptime-sum below">' in api
    assert ('99.97% uptime over the last 90 days</span> <span class="sla">'
            '(target 99.975%: below target)</span></p>') in api
    # Compared exactly, not as shown: 99.97192...% meets a target of 99.97.
    components = HIDDEN.replace("sla: 99.9\n", "sla: 99.97\n")
    out = build(write(tmp_path / "b", {"2026-11-26-queue": OUTAGE}, components=components))
    api = page(out, "components/api/index.html")
    assert ('99.97% uptime over the last 90 days</span> <span class="sla">'
            '(target 99.97%)</span></p>') in api and '<p class="uptime-sum below">' not in api


def test_uptime_target_validation(tmp_path: Path, capsys) -> None:
    bad = HIDDEN.replace("sla: 99.9\n", "sla: 120\n").replace("hidden: true", "hidden: yes")
    root = write(tmp_path, {}, components=bad)
    assert main(["check", "--source", str(root), "--now", NOW]) == 1
    report = capsys.readouterr().out
    assert ("content/components.yaml:7:14: error: 'sla' of component 'api' must be a "
            "percentage more than 0 and at most 100, not '120'") in report
    assert ("content/components.yaml:16:17: error: 'hidden' of component 'queue' must be true "
            "or false") in report
